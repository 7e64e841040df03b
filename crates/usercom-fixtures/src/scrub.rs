//! Scrubbing recordings before they are written to the repository.
//!
//! - The API key becomes `<redacted>`. The account's origin, the origin of any absolute URL
//!   into `/api/public/` (a `next` link names the account's own host even when the recording
//!   went through a proxy) and any `*.user.com` host become `example.user.com`.
//! - Personal values get stable pseudonyms: emails `user1@example.com`, names `Person 1`,
//!   user keys `userkey00001`, phone numbers `+15550000001`, IP addresses `192.0.2.1`,
//!   custom ids `custom-1`, message contents `Message 1`. One scrubber gives the same value
//!   the same pseudonym in every file it scrubs; pseudonyms are numbered in the order values
//!   are first seen (files in order, object keys sorted), so the same data always gets the
//!   same pseudonyms.
//! - A personal value is also replaced wherever else it appears in text (a user's email
//!   quoted in a message), and anything shaped like an email address is replaced too.
//! - Ids, counts and timestamps stay.

use std::collections::BTreeMap;

use serde_json::Value;

/// The kinds of personal value, by the field names that hold them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Email,
    Name,
    UserKey,
    Phone,
    Ip,
    CustomId,
    Content,
}

fn kind_of(field: &str) -> Option<Kind> {
    Some(match field {
        "email" => Kind::Email,
        "name" | "first_name" | "last_name" => Kind::Name,
        "key" | "user_key" => Kind::UserKey,
        "phone_number" | "phone_numbers" => Kind::Phone,
        "last_ip" | "ip_address" | "ip" => Kind::Ip,
        "custom_id" | "user_custom_id" | "company_custom_id" | "product_custom_id"
        | "products_custom_id" => Kind::CustomId,
        "content" => Kind::Content,
        _ => return None,
    })
}

/// Replaces secrets and personal data in recordings; see the module documentation.
#[derive(Debug)]
pub struct Scrubber {
    key: String,
    replacements: Vec<(String, String)>,
    pseudonyms: BTreeMap<String, String>,
    counts: BTreeMap<&'static str, u32>,
}

impl Scrubber {
    /// A scrubber for recordings made with `key` from the account at `origin`
    /// (`https://acme.user.com`, or a proxy's origin).
    pub fn new(key: &str, origin: &str) -> Self {
        Self {
            key: key.to_owned(),
            replacements: vec![(
                origin.trim_end_matches('/').to_owned(),
                crate::FIXTURE_ORIGIN.to_owned(),
            )],
            pseudonyms: BTreeMap::new(),
            counts: BTreeMap::new(),
        }
    }

    /// Also replaces `from` with `to` in all text, before the origin (for an API root below
    /// a path, such as a proxy's `https://proxy.example/usercom/api/public/`).
    pub fn replacing(mut self, from: &str, to: &str) -> Self {
        self.replacements
            .insert(0, (from.to_owned(), to.to_owned()));
        self
    }

    /// Scrubs a JSON document in place.
    pub fn json(&mut self, value: &mut Value) {
        self.collect(value, None);
        self.rewrite(value, None);
    }

    /// Scrubs free text (a header value, an HTML page, a URL).
    pub fn text(&mut self, text: &str) -> String {
        let mut out = text.replace(&self.key, "<redacted>");
        for (from, to) in &self.replacements {
            out = out.replace(from.as_str(), to);
        }
        out = api_origins(&out);
        out = user_com_hosts(&out);
        // Longest first, so that a value containing another is replaced whole.
        let mut known: Vec<(&String, &String)> = self.pseudonyms.iter().collect();
        known.sort_by_key(|(raw, _)| std::cmp::Reverse(raw.len()));
        for (raw, pseudonym) in known {
            if raw.len() >= 4 && out.contains(raw.as_str()) {
                out = out.replace(raw.as_str(), pseudonym);
            }
        }
        self.emails_in(&out)
    }

    /// First pass: give every personal value in a field a pseudonym.
    fn collect(&mut self, value: &Value, kind: Option<Kind>) {
        match value {
            Value::String(text) => {
                if let Some(kind) = kind {
                    self.pseudonym(kind, text);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.collect(item, kind)),
            Value::Object(fields) => {
                for (field, inner) in fields {
                    self.collect(inner, kind_of(field));
                }
            }
            _ => {}
        }
    }

    /// Second pass: replace personal fields by their pseudonyms, and known values, the key,
    /// the account's origin and email addresses in any other text.
    fn rewrite(&mut self, value: &mut Value, kind: Option<Kind>) {
        match value {
            Value::String(text) => {
                *text = match kind {
                    Some(kind) => self.pseudonym(kind, text),
                    None => self.text(text),
                };
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.rewrite(item, kind)),
            Value::Object(fields) => {
                for (field, inner) in fields.iter_mut() {
                    self.rewrite(inner, kind_of(field));
                }
            }
            _ => {}
        }
    }

    fn pseudonym(&mut self, kind: Kind, raw: &str) -> String {
        // A name that is an email address (User.com shows the email as the name when there is
        // none) gets the email's pseudonym.
        let kind = if kind == Kind::Name && looks_like_email(raw) {
            Kind::Email
        } else {
            kind
        };
        if let Some(known) = self.pseudonyms.get(raw) {
            return known.clone();
        }
        let label = match kind {
            Kind::Email => "email",
            Kind::Name => "name",
            Kind::UserKey => "key",
            Kind::Phone => "phone",
            Kind::Ip => "ip",
            Kind::CustomId => "custom",
            Kind::Content => "content",
        };
        let count = self.counts.entry(label).or_insert(0);
        *count += 1;
        let n = *count;
        let pseudonym = match kind {
            Kind::Email => format!("user{n}@example.com"),
            Kind::Name => format!("Person {n}"),
            Kind::UserKey => format!("userkey{n:05}"),
            Kind::Phone => format!("+1555{n:07}"),
            Kind::Ip => format!("192.0.2.{}", n % 255),
            Kind::CustomId => format!("custom-{n}"),
            Kind::Content => format!("Message {n}"),
        };
        self.pseudonyms.insert(raw.to_owned(), pseudonym.clone());
        pseudonym
    }

    /// Replaces anything shaped like an email address that no field revealed.
    fn emails_in(&mut self, text: &str) -> String {
        let is_email_char = |c: char| c.is_ascii_alphanumeric() || "._%+-@".contains(c);
        let mut out = String::with_capacity(text.len());
        let mut token = String::new();
        let flush = |token: &mut String, out: &mut String, this: &mut Self| {
            if looks_like_email(token) && !token.ends_with("@example.com") {
                out.push_str(&this.pseudonym(Kind::Email, token));
            } else {
                out.push_str(token);
            }
            token.clear();
        };
        for c in text.chars() {
            if is_email_char(c) {
                token.push(c);
            } else {
                flush(&mut token, &mut out, self);
                out.push(c);
            }
        }
        flush(&mut token, &mut out, self);
        out
    }
}

/// Replaces the origin of every absolute URL into `/api/public/` with the fixture account's.
fn api_origins(text: &str) -> String {
    const ROOT: &str = "/api/public/";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(ROOT) {
        let (head, tail) = rest.split_at(at);
        let start = ["https://", "http://"]
            .iter()
            .filter_map(|scheme| head.rfind(scheme))
            .max()
            .filter(|&start| {
                !head[start..].contains(|c: char| c.is_whitespace() || "\"'<>".contains(c))
            });
        match start {
            Some(start) => {
                out.push_str(&head[..start]);
                out.push_str(crate::FIXTURE_ORIGIN);
            }
            None => out.push_str(head),
        }
        out.push_str(ROOT);
        rest = &tail[ROOT.len()..];
    }
    out.push_str(rest);
    out
}

/// Replaces every `<name>.user.com` host with `example.user.com`.
fn user_com_hosts(text: &str) -> String {
    let is_host_char = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        let lower = token.to_ascii_lowercase();
        match lower.strip_suffix(".user.com") {
            Some(name) if !name.is_empty() && name != "example" => out.push_str("example.user.com"),
            _ => out.push_str(token),
        }
        token.clear();
    };
    for c in text.chars() {
        if is_host_char(c) {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

fn looks_like_email(text: &str) -> bool {
    let mut parts = text.splitn(2, '@');
    match (parts.next(), parts.next()) {
        (Some(local), Some(domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_fields_get_stable_pseudonyms_and_the_rest_stays() {
        let mut scrubber = Scrubber::new("SECRETKEY", "https://acme.user.com");
        let mut first = serde_json::json!({
            "next": "https://acme.user.com/api/public/conversations/?page=2",
            "count": 2,
            "results": [
                {"id": 5, "user": {"id": 9, "email": "jane@corp.com", "name": "Jane Roe", "key": "Ab12Cd34Ef56"},
                 "timestamp": "2024-03-01T09:15:00Z"},
                {"id": 4, "user": {"id": 9, "email": "jane@corp.com", "name": "jane@corp.com", "key": "Ab12Cd34Ef56"}}
            ]
        });
        scrubber.json(&mut first);
        let mut second = serde_json::json!({
            "content": "Hi, write to jane@corp.com or bob@other.org, says Jane Roe (token SECRETKEY)",
            "user": {"email": "jane@corp.com", "phone_number": "+48 600 700 800", "last_ip": "83.1.2.3"}
        });
        scrubber.json(&mut second);
        let text = format!("{first} {second}");
        for secret in [
            "jane@corp.com",
            "Jane Roe",
            "Ab12Cd34Ef56",
            "SECRETKEY",
            "acme",
            "600 700",
            "83.1.2.3",
            "bob@other.org",
        ] {
            assert!(!text.contains(secret), "{secret} left in {text}");
        }
        assert_eq!(first["results"][0]["user"]["email"], "user1@example.com");
        assert_eq!(first["results"][1]["user"]["name"], "user1@example.com");
        assert_eq!(first["results"][0]["user"]["name"], "Person 1");
        assert_eq!(first["results"][0]["user"]["key"], "userkey00001");
        assert_eq!(second["user"]["email"], "user1@example.com");
        assert_eq!(
            first["next"],
            "https://example.user.com/api/public/conversations/?page=2"
        );
        assert_eq!(
            (first["count"].clone(), first["results"][0]["id"].clone()),
            (2.into(), 5.into())
        );
        assert_eq!(first["results"][0]["timestamp"], "2024-03-01T09:15:00Z");
        assert_eq!(second["content"], "Message 1");
    }

    #[test]
    fn the_same_data_always_gets_the_same_pseudonyms() {
        let document =
            serde_json::json!({"b": {"email": "x@y.io"}, "a": {"email": "p@q.io", "name": "P Q"}});
        let run = || {
            let mut scrubber = Scrubber::new("k3y", "http://127.0.0.1:9");
            let mut copy = document.clone();
            scrubber.json(&mut copy);
            copy
        };
        assert_eq!(run(), run());
        assert_eq!(run()["a"]["email"], "user1@example.com");
    }

    #[test]
    fn links_to_the_accounts_own_host_are_replaced_even_through_a_proxy() {
        let mut scrubber = Scrubber::new("k3y", "http://127.0.0.1:18585");
        let mut page = serde_json::json!({
            "next": "https://firma.user.com/api/public/users/101/conversations/?page=2",
            "previous": "http://10.1.2.3:8080/api/public/conversations/",
            "note": "see firma.user.com or Firma.User.Com/help, not user.com itself",
        });
        scrubber.json(&mut page);
        assert_eq!(
            page["next"],
            "https://example.user.com/api/public/users/101/conversations/?page=2"
        );
        assert_eq!(
            page["previous"],
            "https://example.user.com/api/public/conversations/"
        );
        assert_eq!(
            page["note"],
            "see example.user.com or example.user.com/help, not user.com itself"
        );
    }

    #[test]
    fn free_text_loses_key_origin_and_emails() {
        let mut scrubber = Scrubber::new("k3yk3y", "http://127.0.0.1:4000");
        let text =
            scrubber.text("<p>Token k3yk3y from http://127.0.0.1:4000/api/public/ by a.b@c.de</p>");
        assert_eq!(
            text,
            "<p>Token <redacted> from https://example.user.com/api/public/ by user1@example.com</p>"
        );
    }
}
