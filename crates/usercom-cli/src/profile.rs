//! Profiles: named accounts in a TOML file in the platform's configuration directory
//! (`~/.config/usercom/config.toml` on Linux and macOS, `%APPDATA%\usercom\config.toml` on
//! Windows), or wherever `--config` / `USERCOM_CONFIG` says.
//!
//! ```toml
//! [profiles.acme]
//! subdomain = "acme"
//! api_key_file = "~/.config/usercom/acme.key"
//!
//! [profiles.staging]
//! base_url = "https://proxy.example/api/public/"
//! api_key_file = "staging.key"            # relative to this file's folder
//! ```
//!
//! A profile names the key's file, never the key: an entry such as `api_key` is refused.
//! `--profile NAME` or `USERCOM_PROFILE` selects one; without either, the profile called
//! `default`, if the file has one. Each setting comes from the command line, else the
//! environment, else the profile.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";
/// The environment variable that names a profile.
pub const ENV_PROFILE: &str = "USERCOM_PROFILE";
/// The environment variable that names the configuration file.
pub const ENV_CONFIG: &str = "USERCOM_CONFIG";
/// The environment variable that names the key's file.
pub const ENV_API_KEY_FILE: &str = "USERCOM_API_KEY_FILE";

/// The largest key file read: a key is 64 characters.
pub const MAX_KEY_FILE: u64 = 4096;

/// Entries that would hold the key itself.
const SECRET_ENTRIES: &[&str] = &["key", "api_key", "apikey", "api-key", "token", "api_token"];

/// One account of the file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The account's subdomain.
    pub subdomain: Option<String>,
    /// An explicit API root.
    pub base_url: Option<String>,
    /// The file that holds the key, resolved against the configuration file's folder.
    pub api_key_file: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// The configuration file's path: as given, or the one in the platform's configuration
/// directory (none when the home directory is unknown).
pub fn config_path(given: Option<&Path>) -> Option<PathBuf> {
    use etcetera::BaseStrategy as _;
    match given {
        Some(path) => Some(path.to_owned()),
        None => etcetera::choose_base_strategy()
            .ok()
            .map(|dirs| dirs.config_dir().join("usercom").join("config.toml")),
    }
}

/// The profile `name` (or, when `name` is `None`, the `default` one if there is one) from
/// the file at `path`. `explicit` says whether the path was given: a missing file is then
/// an error, as is a named profile the file does not have.
pub fn load(path: &Path, explicit: bool, name: Option<&str>) -> Result<Option<Profile>, String> {
    let shown = path.display();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return match name {
                Some(name) => Err(format!(
                    "no profile {name}: there is no configuration file at {shown} (create it, \
                     or point --config or {ENV_CONFIG} at one)"
                )),
                None => Ok(None),
            };
        }
        Err(e) => return Err(format!("cannot read the configuration file {shown}: {e}")),
    };
    let file = parse(&text).map_err(|e| format!("configuration file {shown}: {e}"))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let wanted = name.unwrap_or(DEFAULT_PROFILE);
    match file.profiles.get(wanted) {
        Some(profile) => {
            let mut profile = profile.clone();
            profile.api_key_file = profile.api_key_file.map(|file| resolve(base, &file));
            if profile.subdomain.is_some() && profile.base_url.is_some() {
                return Err(format!(
                    "configuration file {shown}: profile {wanted} has both subdomain and \
                     base_url; keep one"
                ));
            }
            Ok(Some(profile))
        }
        None if name.is_none() => Ok(None),
        None => {
            let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
            let known = if known.is_empty() {
                "it has none".to_owned()
            } else {
                format!("it has {}", known.join(", "))
            };
            Err(format!("no profile {wanted} in {shown} ({known})"))
        }
    }
}

/// The file's profiles, refusing an entry that would hold the key. Errors name the line and
/// column, never the text there (it may be a key).
fn parse(text: &str) -> Result<File, String> {
    let located = |e: toml::de::Error| {
        let mut message = String::new();
        if let Some(span) = e.span() {
            let before = text.get(..span.start).unwrap_or_default();
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |at| at + 1) + 1;
            let _ = write!(message, "line {line}, column {column}: ");
        }
        message.push_str(e.message().trim_end());
        message
    };
    let table: toml::Table = toml::from_str(text).map_err(located)?;
    if let Some(toml::Value::Table(profiles)) = table.get("profiles") {
        for (name, profile) in profiles {
            let Some(entries) = profile.as_table() else {
                continue;
            };
            if let Some(entry) = entries
                .keys()
                .find(|entry| SECRET_ENTRIES.contains(&entry.to_ascii_lowercase().as_str()))
            {
                return Err(format!(
                    "profile {name} has `{entry}`: a profile never holds the key itself; put \
                     the key in a file only you can read and name it: api_key_file = \"PATH\""
                ));
            }
        }
    }
    toml::from_str(text).map_err(located)
}

/// `file` with a leading `~/` taken as the home directory, and a relative path taken from
/// `base`.
fn resolve(base: &Path, file: &Path) -> PathBuf {
    if let Ok(rest) = file.strip_prefix("~")
        && let Ok(home) = etcetera::home_dir()
    {
        return home.join(rest);
    }
    base.join(file)
}

/// Reads an API key from `path` (named as `what` in errors), reading at most
/// [`MAX_KEY_FILE`] bytes; warns on stderr when others can read the file.
pub fn read_key_file(path: &Path, what: &str) -> Result<String, String> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {what} {shown}: {e}"))?;
    #[cfg(unix)]
    if let Ok(metadata) = file.metadata() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = metadata.permissions().mode();
        if metadata.is_file() && mode & 0o044 != 0 {
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "usercom: warning: {what} {shown} can be read by other users (mode {:o}); \
                     chmod 600 {shown}",
                    mode & 0o777
                );
            }
        }
    }
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what} {shown}: {e}"))?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(format!(
            "{what} {shown} is larger than {MAX_KEY_FILE} bytes: not a key file (it should \
             hold the 64-character key alone)"
        ));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{what} {shown} is not text: it should hold the key alone"))?;
    let key = text.trim();
    if key.is_empty() {
        return Err(format!("{what} {shown} is empty"));
    }
    Ok(key.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_profile_names_an_account_and_a_key_file() {
        let file = parse(
            "[profiles.acme]\nsubdomain = \"acme\"\napi_key_file = \"/keys/acme\"\n\n\
             [profiles.proxy]\nbase_url = \"https://proxy.example/\"\n",
        )
        .unwrap();
        assert_eq!(file.profiles["acme"].subdomain.as_deref(), Some("acme"));
        assert_eq!(
            file.profiles["proxy"].base_url.as_deref(),
            Some("https://proxy.example/")
        );
        assert_eq!(
            resolve(Path::new("/etc/usercom"), Path::new("k")),
            Path::new("/etc/usercom/k")
        );
        assert_eq!(
            resolve(Path::new("/etc/usercom"), Path::new("/k")),
            Path::new("/k")
        );
    }

    #[test]
    fn bad_files_are_refused_by_line_without_their_text() {
        let secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        for entry in ["api_key", "key", "API_KEY", "token"] {
            let error = parse(&format!("[profiles.acme]\n{entry} = \"{secret}\"\n"))
                .err()
                .unwrap();
            assert!(error.contains("never holds the key itself"), "{error}");
            assert!(error.contains("api_key_file"), "{error}");
            assert!(!error.contains(secret), "{error}");
        }
        let unknown = parse(&format!("[profiles.acme]\nsubdomian = \"{secret}\"\n"))
            .err()
            .unwrap();
        assert!(unknown.starts_with("line 2, column 1: "), "{unknown}");
        assert!(unknown.contains("subdomian"), "{unknown}");
        assert!(!unknown.contains(secret), "{unknown}");
        let broken = parse(&format!("[profiles.acme]\nsubdomain = {secret}\n"))
            .err()
            .unwrap();
        assert!(broken.starts_with("line 2, column"), "{broken}");
        assert!(!broken.contains(secret), "{broken}");
    }
}
