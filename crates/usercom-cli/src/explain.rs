//! What an API error means for the person at the command line: which object a 404 did not
//! find, and where the key that a 401 refused is created.

use usercom_core::Config;
use usercom_core::registry;

/// What a 404 on `path` (below the API root, as sent) did not find, from the path
/// templates of the operations that could have sent it: `conversation 339461`, `user with
/// custom id 'a@b'`. `None` when the path names no object (a search, a listing).
pub fn not_found<'a>(templates: impl IntoIterator<Item = &'a str>, path: &str) -> Option<String> {
    let path = path.trim_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    let mut named = None;
    for template in templates {
        let parts: Vec<&str> = template.trim_matches('/').split('/').collect();
        if parts.len() != segments.len() {
            continue;
        }
        let mut object = None;
        let mut matched = true;
        for (i, (part, segment)) in parts.iter().zip(&segments).enumerate() {
            if part.starts_with('{') && part.ends_with('}') {
                let collection = if i == 0 { "" } else { parts[i - 1] };
                object = Some((collection, *segment));
            } else if part != segment {
                matched = false;
                break;
            }
        }
        match (matched, object) {
            // A path that names no object, such as `users/search/`, is what it says.
            (true, None) => return None,
            (true, Some(object)) if named.is_none() => named = Some(object),
            _ => {}
        }
    }
    let (collection, value) = named?;
    let value = percent_decode(value);
    Some(match collection.strip_suffix("-by-id") {
        Some(collection) => format!("{} with custom id '{value}'", singular(collection)),
        None => format!("{} {value}", singular(collection)),
    })
}

/// What a 404 on `path` did not find, from every operation's paths (for `usercom api`).
pub fn not_found_anywhere(path: &str) -> Option<String> {
    not_found(
        registry::operations().flat_map(|operation| operation.paths.iter().copied()),
        path,
    )
}

/// `conversations` → `conversation`, `activities` → `activity`, `attribute-type` →
/// `attribute type`.
fn singular(collection: &str) -> String {
    let words = collection.replace(['-', '_'], " ");
    if let Some(stem) = words.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = words.strip_suffix('s') {
        stem.to_owned()
    } else {
        words
    }
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Where the account's admins create API keys: its own page when the account is a
/// `*.user.com` subdomain.
pub fn credentials_url(config: &Config) -> String {
    let subdomain = config
        .base_url()
        .host_str()
        .and_then(|host| host.strip_suffix(".user.com"))
        .filter(|name| !name.is_empty() && !name.contains('.'))
        .unwrap_or("<subdomain>");
    format!("https://{subdomain}.user.com/api/credentials/")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_404_names_the_object_of_the_path() {
        let get = ["conversations/{id}/"];
        assert_eq!(
            not_found(get, "conversations/339461/").as_deref(),
            Some("conversation 339461")
        );
        let user = ["users/{user}/emails/", "users-by-id/{user}/emails/"];
        assert_eq!(
            not_found(user, "users/77/emails/").as_deref(),
            Some("user 77")
        );
        assert_eq!(
            not_found(user, "users-by-id/a%20b%40c/emails/").as_deref(),
            Some("user with custom id 'a b@c'")
        );
        assert_eq!(not_found(user, "users/77/"), None, "another path");
        assert_eq!(
            not_found_anywhere("companies/5/").as_deref(),
            Some("company 5")
        );
        assert_eq!(not_found_anywhere("users/77/").as_deref(), Some("user 77"));
        assert_eq!(
            not_found_anywhere("users/search/"),
            None,
            "a search, not user 'search'"
        );
        assert_eq!(
            not_found_anywhere("attribute-type/plan/users/").as_deref(),
            Some("attribute type plan")
        );
        assert_eq!(not_found_anywhere("no/such/thing/here/"), None);
    }

    #[test]
    fn the_credentials_page_is_the_accounts_own_when_known() {
        let acme = Config::for_subdomain("acme", "key").unwrap();
        assert_eq!(
            credentials_url(&acme),
            "https://acme.user.com/api/credentials/"
        );
        let proxy = Config::for_base_url("https://proxy.example/api/public/", "key").unwrap();
        assert_eq!(
            credentials_url(&proxy),
            "https://<subdomain>.user.com/api/credentials/"
        );
    }
}
