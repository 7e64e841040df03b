//! Where to send requests and how to authenticate them.

use std::fmt;

use http::HeaderValue;
use url::Url;

use crate::Error;

/// The API root below a host, as User.com serves it.
pub const API_ROOT: &str = "/api/public/";

/// The environment variable holding the API key.
pub const ENV_API_KEY: &str = "USERCOM_API_KEY";
/// The environment variable holding the account's subdomain.
pub const ENV_SUBDOMAIN: &str = "USERCOM_SUBDOMAIN";
/// The environment variable holding an explicit API root.
pub const ENV_BASE_URL: &str = "USERCOM_BASE_URL";

/// Where a User.com admin creates the REST API key, for error messages.
pub const KEY_HELP: &str = "a User.com admin creates the 64-character public REST API key at \
                            https://<subdomain>.user.com/api/credentials/ (it is not the \
                            application key shown under Settings > Setup & integrations)";

/// The default `User-Agent`: this crate's name and version.
pub const DEFAULT_USER_AGENT: &str = concat!("usercom-rs/", env!("CARGO_PKG_VERSION"));

/// A User.com public REST API key.
///
/// Its `Debug` and `Display` never show the key, so a `Config` or an error can be logged safely.
///
/// ```
/// let key = usercom_core::ApiKey::new("0123456789abcdef").unwrap();
/// assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
/// assert!(!key.to_string().contains("0123"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// The complete `Authorization` header value, marked sensitive.
    header: HeaderValue,
}

impl ApiKey {
    /// Wraps a key. It must be non-empty and consist of visible ASCII characters only
    /// (User.com keys are 64 letters and digits; anything else could not travel in a header).
    pub fn new(key: impl AsRef<str>) -> Result<Self, Error> {
        let key = key.as_ref();
        if key.is_empty() {
            return Err(Error::invalid_input("the API key is empty"));
        }
        if let Some(position) = key.chars().position(|c| !c.is_ascii_graphic()) {
            // Say where, never what: the character could be part of a real key.
            return Err(Error::invalid_input(format!(
                "the API key has a character that is not visible ASCII at position {} \
                 (a stray space or newline?)",
                position + 1
            )));
        }
        let mut header = HeaderValue::try_from(format!("Token {key}"))
            .map_err(|_| Error::invalid_input("the API key cannot be sent in a header"))?;
        header.set_sensitive(true);
        Ok(Self { header })
    }

    /// The `Authorization` header value (`Token <key>`), marked sensitive.
    pub(crate) fn authorization(&self) -> &HeaderValue {
        &self.header
    }

    /// `text` with every occurrence of the key replaced by `<redacted>`: for anything that
    /// may reach a log line or an error (a URL a server made up can carry the key). Pieces of
    /// the key of 12 characters or more, and the key in other letter cases, are redacted too.
    pub fn redact(&self, text: &str) -> String {
        crate::endpoint::redact_text(text, self)
    }

    /// The key itself, for code that must scrub it from text it records.
    pub fn expose_secret(&self) -> &str {
        // Built from `Token {key}` out of visible ASCII, so both steps always succeed.
        self.header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Token "))
            .unwrap_or_default()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Everything a request needs besides the operation: the API root, the key and the user agent.
///
/// ```
/// use usercom_core::Config;
///
/// let config = Config::for_subdomain("acme", "0123456789abcdef").unwrap();
/// assert_eq!(config.base_url().as_str(), "https://acme.user.com/api/public/");
///
/// let config = Config::for_base_url("http://127.0.0.1:8080", "0123456789abcdef").unwrap();
/// assert_eq!(config.base_url().as_str(), "http://127.0.0.1:8080/api/public/");
///
/// assert!(Config::for_subdomain("acme/evil", "key").is_err());
/// assert!(Config::for_subdomain("acme", "").is_err());
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    base_url: Url,
    api_key: ApiKey,
    user_agent: HeaderValue,
    proxy: Proxy,
}

/// Whether requests go through an HTTP proxy.
///
/// Whatever the setting, the key never travels in plain text through a proxy: a client
/// tunnels to an `https` API root with `CONNECT` (TLS runs end to end, the proxy sees only
/// the host name), and sends to an `http` API root (loopback, or one opted into with
/// [`Config::for_base_url_allowing_http`]) directly, never through a proxy.
///
/// ```
/// use usercom_core::{Config, config::Proxy};
///
/// let config = Config::for_subdomain("acme", "key")?
///     .with_proxy(Proxy::url("http://proxy.internal:3128")?);
/// let env = |_: &str| None;
/// assert_eq!(
///     config.proxy_for(env)?.map(|url| url.to_string()),
///     Some("http://proxy.internal:3128/".to_owned())
/// );
///
/// // Loopback and plain http never go through a proxy.
/// let local = Config::for_base_url("http://127.0.0.1:8080", "key")?
///     .with_proxy(Proxy::url("http://proxy.internal:3128")?);
/// assert_eq!(local.proxy_for(env)?, None);
/// # Ok::<(), usercom_core::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Proxy {
    /// `HTTPS_PROXY` (or `https_proxy`, then `ALL_PROXY`, `all_proxy`) unless `NO_PROXY`
    /// (or `no_proxy`) names the host, read when a client is made. The default. The plain
    /// `HTTP_PROXY` is not read: it is for plain http, which never goes through a proxy.
    #[default]
    FromEnv,
    /// Always straight to the API.
    None,
    /// Through this `http://` proxy (`http://user:password@host:port` for basic
    /// authentication).
    Url(Url),
}

impl Proxy {
    /// A proxy at this URL: `http://host:port`, with optional `user:password@`. A proxy
    /// reached over TLS (`https://`) or SOCKS is not supported.
    pub fn url(url: &str) -> Result<Self, Error> {
        let shown = without_password(url);
        let parsed = Url::parse(url.trim())
            .map_err(|e| Error::invalid_input(format!("proxy {shown:?} is not a URL: {e}")))?;
        if parsed.scheme() != "http" {
            return Err(Error::invalid_input(format!(
                "proxy {shown:?} must be an http:// proxy (scheme `{}` is not supported)",
                parsed.scheme()
            )));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(Error::invalid_input(format!("proxy {shown:?} has no host")));
        }
        Ok(Self::Url(parsed))
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FromEnv => f.write_str("FromEnv"),
            Self::None => f.write_str("None"),
            Self::Url(url) => f
                .debug_tuple("Url")
                .field(&without_password(url.as_str()))
                .finish(),
        }
    }
}

/// Whether `NO_PROXY` (a comma-separated list, as curl reads it) names `host`: `*` names
/// every host, `example.com` or `.example.com` names it and its subdomains, and an address
/// names itself; a `:port` on an entry is ignored.
fn no_proxy_names(list: &str, host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    list.split([',', ' '])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let entry = entry.trim_start_matches('[');
            let entry = match entry.find(']') {
                Some(end) => &entry[..end],
                None if entry.matches(':').count() == 1 => entry.split(':').next().unwrap_or(entry),
                None => entry,
            };
            let entry = entry
                .trim_start_matches("*.")
                .trim_start_matches('.')
                .to_ascii_lowercase();
            host == entry
                || host
                    .strip_suffix(&entry)
                    .is_some_and(|head| head.ends_with('.'))
        })
}

impl Config {
    /// A config for the account at `https://<subdomain>.user.com/api/public/`.
    ///
    /// Takes `acme` or `acme.user.com`. Anything that is not a DNS label (such as a `/`, `@`, `:`
    /// or a space) is an error: use [`Config::for_base_url`] for proxies and test servers.
    pub fn for_subdomain(subdomain: &str, api_key: impl AsRef<str>) -> Result<Self, Error> {
        let trimmed = subdomain.trim();
        let label = strip_suffix_ignore_case(trimmed, ".user.com").unwrap_or(trimmed);
        if label.is_empty() {
            return Err(Error::invalid_input("the subdomain is empty"));
        }
        let valid_label = label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !valid_label {
            return Err(Error::invalid_input(format!(
                "{subdomain:?} is not a User.com subdomain: expected a name such as `acme` or \
                 `acme.user.com` (letters, digits and `-` only); for any other address use a base URL"
            )));
        }
        let base = format!("https://{}.user.com{API_ROOT}", label.to_ascii_lowercase());
        let base_url = Url::parse(&base)
            .map_err(|e| Error::invalid_input(format!("{subdomain:?} gives no valid URL: {e}")))?;
        Self::build(base_url, api_key)
    }

    /// A config for an explicit API root, such as a proxy or a test server.
    ///
    /// The URL must be `https` with a host, and without credentials, query or fragment; plain
    /// `http` is accepted for loopback hosts only (see [`Config::for_base_url_allowing_http`]).
    /// A URL with no path (`https://acme.user.com`) gets the standard `/api/public/`; any other
    /// path is used as given, with a trailing slash added.
    pub fn for_base_url(base_url: &str, api_key: impl AsRef<str>) -> Result<Self, Error> {
        let config = Self::for_base_url_allowing_http(base_url, api_key)?;
        let url = config.base_url();
        if url.scheme() == "http" && !is_loopback(url) {
            return Err(Error::invalid_input(format!(
                "{:?} is plain http to a host that is not loopback: the key would travel \
                 unencrypted; use https, or Config::for_base_url_allowing_http to opt in",
                without_password(base_url)
            )));
        }
        Ok(config)
    }

    /// Like [`Config::for_base_url`], but accepts plain `http` to any host: the key travels
    /// unencrypted, so use it only inside a network you trust (a sidecar proxy, a test host).
    pub fn for_base_url_allowing_http(
        base_url: &str,
        api_key: impl AsRef<str>,
    ) -> Result<Self, Error> {
        // Errors quote the URL without the password it may carry.
        let shown = without_password(base_url);
        let mut url = Url::parse(base_url.trim())
            .map_err(|e| Error::invalid_input(format!("{shown:?} is not a valid URL: {e}")))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::invalid_input(format!(
                "the base URL {shown:?} must not contain credentials; the API key goes in its \
                 own setting"
            )));
        }
        if url.scheme() != "https" && url.scheme() != "http" {
            return Err(Error::invalid_input(format!(
                "{shown:?} is not an http(s) URL (scheme `{}`)",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::invalid_input(format!("{shown:?} has no host")));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::invalid_input(format!(
                "{shown:?} must not have a query or fragment"
            )));
        }
        if url.path() == "/" {
            url.set_path(API_ROOT);
        } else if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Self::build(url, api_key)
    }

    /// A config from `USERCOM_API_KEY` and one of `USERCOM_SUBDOMAIN` or `USERCOM_BASE_URL`,
    /// read through `lookup` (pass `|name| std::env::var(name).ok()`).
    ///
    /// `Ok(None)` when none of the three is set, so a program can fall back to a demo; an
    /// error naming the missing or conflicting variable when only some are.
    ///
    /// ```
    /// use usercom_core::Config;
    ///
    /// let env = |name: &str| match name {
    ///     "USERCOM_SUBDOMAIN" => Some("acme".to_owned()),
    ///     _ => None,
    /// };
    /// let err = Config::from_env_with(env).unwrap_err();
    /// assert!(err.to_string().contains("USERCOM_API_KEY"));
    /// assert!(Config::from_env_with(|_| None).unwrap().is_none());
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, Error> {
        let read = |name| lookup(name).filter(|value| !value.trim().is_empty());
        let (key, subdomain, base_url) =
            (read(ENV_API_KEY), read(ENV_SUBDOMAIN), read(ENV_BASE_URL));
        match (key, subdomain, base_url) {
            (None, None, None) => Ok(None),
            (None, _, _) => Err(Error::invalid_input(format!(
                "{ENV_API_KEY} is not set; {KEY_HELP}"
            ))),
            (Some(_), None, None) => Err(Error::invalid_input(format!(
                "{ENV_API_KEY} is set but neither {ENV_SUBDOMAIN} (such as `acme` for \
                 acme.user.com) nor {ENV_BASE_URL} is"
            ))),
            (Some(_), Some(_), Some(_)) => Err(Error::invalid_input(format!(
                "both {ENV_SUBDOMAIN} and {ENV_BASE_URL} are set; set only one"
            ))),
            (Some(key), Some(subdomain), None) => Self::for_subdomain(&subdomain, key).map(Some),
            (Some(key), None, Some(base_url)) => Self::for_base_url(&base_url, key).map(Some),
        }
    }

    fn build(base_url: Url, api_key: impl AsRef<str>) -> Result<Self, Error> {
        Ok(Self {
            base_url,
            api_key: ApiKey::new(api_key)?,
            user_agent: HeaderValue::from_static(DEFAULT_USER_AGENT),
            proxy: Proxy::default(),
        })
    }

    /// Sets whether requests go through a proxy (default [`Proxy::FromEnv`]).
    pub fn with_proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = proxy;
        self
    }

    /// The proxy setting.
    pub fn proxy(&self) -> &Proxy {
        &self.proxy
    }

    /// The proxy that requests to the API root go through, if any, with the environment
    /// read through `lookup` (pass `|name| std::env::var(name).ok()`): `None` for a plain
    /// `http` or loopback API root whatever the setting, for [`Proxy::None`], and for a host
    /// that `NO_PROXY` names. An unusable proxy variable is an error naming it.
    pub fn proxy_for(&self, lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Url>, Error> {
        if self.base_url.scheme() != "https" || is_loopback(&self.base_url) {
            return Ok(None);
        }
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        match &self.proxy {
            Proxy::None => Ok(None),
            Proxy::Url(url) => Ok(Some(url.clone())),
            Proxy::FromEnv => {
                let host = self.base_url.host_str().unwrap_or_default();
                let no_proxy = read("NO_PROXY").or_else(|| read("no_proxy"));
                if no_proxy.is_some_and(|list| no_proxy_names(&list, host)) {
                    return Ok(None);
                }
                let Some((name, value)) = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
                    .into_iter()
                    .find_map(|name| read(name).map(|value| (name, value)))
                else {
                    return Ok(None);
                };
                // `proxy:3128` is taken as `http://proxy:3128`, as curl does.
                let value = if value.contains("://") {
                    value
                } else {
                    format!("http://{}", value.trim())
                };
                match Proxy::url(&value) {
                    Ok(Proxy::Url(url)) => Ok(Some(url)),
                    Ok(_) => Ok(None),
                    Err(Error::InvalidInput(message)) => {
                        Err(Error::invalid_input(format!("{name}: {message}")))
                    }
                    Err(other) => Err(other),
                }
            }
        }
    }

    /// Adds a product token of the calling application in front of the default user agent,
    /// for example `my-sync/2.1 usercom-rs/0.1.0`.
    pub fn with_user_agent(mut self, product: &str) -> Result<Self, Error> {
        let value = format!("{} {DEFAULT_USER_AGENT}", product.trim());
        self.user_agent = HeaderValue::try_from(value).map_err(|_| {
            Error::invalid_input(format!("{product:?} cannot be sent as a User-Agent"))
        })?;
        Ok(self)
    }

    /// The API root every request is built on; always ends with `/`.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The API key.
    pub fn api_key(&self) -> &ApiKey {
        &self.api_key
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &HeaderValue {
        &self.user_agent
    }
}

/// `text` with the password of a URL (`scheme://user:password@host`) replaced by `***`,
/// whether or not the rest of it parses.
fn without_password(text: &str) -> String {
    let Some(start) = text.find("://").map(|at| at + 3) else {
        return text.to_owned();
    };
    let authority_end = text[start..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |at| start + at);
    let Some(at) = text[start..authority_end].rfind('@').map(|at| start + at) else {
        return text.to_owned();
    };
    match text[start..at].find(':') {
        Some(colon) => format!("{}***{}", &text[..start + colon + 1], &text[at..]),
        None => text.to_owned(),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost")
                || strip_suffix_ignore_case(name, ".localhost").is_some()
        }
        None => false,
    }
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let split = text.len().checked_sub(suffix.len())?;
    let (head, tail) = (text.get(..split)?, text.get(split..)?);
    tail.eq_ignore_ascii_case(suffix).then_some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "k3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3";

    #[test]
    fn subdomain_forms() {
        for input in ["acme", "acme.user.com", "ACME.User.Com", " acme "] {
            let config = Config::for_subdomain(input, KEY).unwrap();
            assert_eq!(
                config.base_url().as_str(),
                "https://acme.user.com/api/public/"
            );
        }
    }

    #[test]
    fn bad_subdomains_are_named() {
        for input in [
            "",
            ".user.com",
            "acme/x",
            "a@b",
            "acme:443",
            "ac me",
            "-acme",
            "https://acme.user.com",
        ] {
            let err = Config::for_subdomain(input, KEY).unwrap_err();
            assert!(matches!(err, Error::InvalidInput(_)), "{input:?}: {err}");
        }
        let err = Config::for_subdomain("acme/x", KEY).unwrap_err();
        assert!(err.to_string().contains("\"acme/x\""), "{err}");
    }

    #[test]
    fn base_urls() {
        let cases = [
            ("http://127.0.0.1:9/", "http://127.0.0.1:9/api/public/"),
            ("http://127.0.0.1:9", "http://127.0.0.1:9/api/public/"),
            (
                "https://proxy.example/usercom/api/public",
                "https://proxy.example/usercom/api/public/",
            ),
            (
                "https://acme.user.com/api/public/",
                "https://acme.user.com/api/public/",
            ),
        ];
        for (input, expected) in cases {
            let config = Config::for_base_url(input, KEY).unwrap();
            assert_eq!(config.base_url().as_str(), expected, "{input}");
        }
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        for ok in [
            "http://127.0.0.1:9/",
            "http://127.8.0.1/",
            "http://[::1]:80/",
            "http://localhost/",
            "http://api.localhost/",
        ] {
            assert!(Config::for_base_url(ok, KEY).is_ok(), "{ok}");
        }
        let err = Config::for_base_url("http://proxy.internal/api/public/", KEY).unwrap_err();
        assert!(
            err.to_string().contains("for_base_url_allowing_http"),
            "{err}"
        );
        assert!(Config::for_base_url("http://10.0.0.5/", KEY).is_err());
        let allowed = Config::for_base_url_allowing_http("http://proxy.internal/", KEY).unwrap();
        assert_eq!(
            allowed.base_url().as_str(),
            "http://proxy.internal/api/public/"
        );
    }

    #[test]
    fn bad_base_urls() {
        for input in [
            "ftp://acme.user.com/",
            "acme.user.com",
            "https://user:pw@acme.user.com/",
            "https://acme.user.com/api/public/?x=1",
            "file:///etc/passwd",
            "",
        ] {
            let err = Config::for_base_url(input, KEY).unwrap_err();
            assert!(matches!(err, Error::InvalidInput(_)), "{input:?}: {err}");
        }
    }

    #[test]
    fn a_password_in_a_base_url_is_never_echoed() {
        for input in [
            "ftp://user:secret@host/",
            "https://user:secret@acme.user.com/",
            "http://user:secret@10.0.0.1/",
            "https://user:secret@exa mple.com/",
            "gopher://user:secret@host:99999/",
        ] {
            let err = Config::for_base_url(input, KEY).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("secret"), "{input}: {shown}");
            assert!(shown.contains("user:***@"), "{input}: {shown}");
        }
        assert_eq!(without_password("https://u:p@h/x@y"), "https://u:***@h/x@y");
        assert_eq!(without_password("https://h/a:b@c"), "https://h/a:b@c");
        assert_eq!(without_password("not a url"), "not a url");
    }

    #[test]
    fn the_proxy_is_for_https_roots_only_and_honours_no_proxy() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let api = Config::for_subdomain("acme", KEY).unwrap();
        let proxied = |config: &Config, pairs| {
            config
                .proxy_for(env(pairs))
                .unwrap()
                .map(|url| url.to_string())
        };
        assert_eq!(proxied(&api, &[]), None);
        assert_eq!(proxied(&api, &[("HTTP_PROXY", "http://p:1")]), None);
        assert_eq!(
            proxied(&api, &[("https_proxy", "p:3128")]).as_deref(),
            Some("http://p:3128/")
        );
        assert_eq!(
            proxied(
                &api,
                &[("ALL_PROXY", "http://a:1"), ("HTTPS_PROXY", "http://h:1")]
            )
            .as_deref(),
            Some("http://h:1/")
        );
        for no_proxy in [
            "*",
            "user.com",
            ".user.com",
            "*.user.com",
            "x, acme.user.com:443",
        ] {
            let pairs: &'static [(&str, &str)] = Box::leak(Box::new([
                ("HTTPS_PROXY", "http://p:1"),
                ("NO_PROXY", no_proxy),
            ]));
            assert_eq!(proxied(&api, pairs), None, "{no_proxy}");
        }
        assert!(
            proxied(
                &api,
                &[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "cme.user.com")]
            )
            .is_some()
        );

        let err = api
            .proxy_for(env(&[("HTTPS_PROXY", "socks5://u:hunter2@p:1")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("HTTPS_PROXY") && !err.contains("hunter2"),
            "{err}"
        );

        // Plain http and loopback never go through a proxy, even an explicit one.
        let explicit = Proxy::url("http://u:hunter2@p:1").unwrap();
        assert!(!format!("{explicit:?}").contains("hunter2"));
        for root in ["http://127.0.0.1:1/", "https://localhost:8443/"] {
            let config = Config::for_base_url(root, KEY)
                .unwrap()
                .with_proxy(explicit.clone());
            assert_eq!(
                proxied(&config, &[("HTTPS_PROXY", "http://p:1")]),
                None,
                "{root}"
            );
        }
        let plain = Config::for_base_url_allowing_http("http://sidecar.internal/", KEY)
            .unwrap()
            .with_proxy(explicit.clone());
        assert_eq!(proxied(&plain, &[("ALL_PROXY", "http://p:1")]), None);
        let direct = api.clone().with_proxy(Proxy::None);
        assert_eq!(proxied(&direct, &[("HTTPS_PROXY", "http://p:1")]), None);
        assert!(Proxy::url("https://p:1").is_err());
    }

    #[test]
    fn key_is_validated_and_never_shown() {
        assert!(ApiKey::new("").is_err());
        let err = ApiKey::new("abc def").unwrap_err();
        assert!(err.to_string().contains("position 4"), "{err}");
        assert!(!err.to_string().contains("abc"), "{err}");
        let config = Config::for_subdomain("acme", KEY).unwrap();
        let shown = format!("{config:?} {} {:?}", config.api_key(), config.api_key());
        assert!(!shown.contains("k3yk3y"), "{shown}");
        assert_eq!(config.api_key().expose_secret(), KEY);
    }

    #[test]
    fn environment_combinations() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let config = Config::from_env_with(env(&[(ENV_API_KEY, KEY), (ENV_SUBDOMAIN, "acme")]))
            .unwrap()
            .unwrap();
        assert_eq!(
            config.base_url().as_str(),
            "https://acme.user.com/api/public/"
        );
        let config = Config::from_env_with(env(&[
            (ENV_API_KEY, KEY),
            (ENV_BASE_URL, "http://127.0.0.1:1/"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(config.base_url().as_str(), "http://127.0.0.1:1/api/public/");
        let cases: [(&[(&str, &str)], &str); 4] = [
            (&[(ENV_SUBDOMAIN, "acme")], ENV_API_KEY),
            (&[(ENV_API_KEY, KEY)], ENV_SUBDOMAIN),
            (
                &[
                    (ENV_API_KEY, KEY),
                    (ENV_SUBDOMAIN, "a"),
                    (ENV_BASE_URL, "http://x/"),
                ],
                "only one",
            ),
            (
                &[(ENV_API_KEY, " "), (ENV_BASE_URL, "http://x/")],
                "credentials/",
            ),
        ];
        for (pairs, expected) in cases {
            let lookup = |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            };
            let err = Config::from_env_with(lookup).unwrap_err().to_string();
            assert!(err.contains(expected), "{pairs:?}: {err}");
            assert!(!err.contains("k3yk3y"), "{err}");
        }
    }

    #[test]
    fn user_agent_prefix() {
        let config = Config::for_subdomain("acme", KEY)
            .unwrap()
            .with_user_agent("my-sync/2.1")
            .unwrap();
        assert_eq!(
            config.user_agent().to_str().unwrap(),
            format!("my-sync/2.1 {DEFAULT_USER_AGENT}")
        );
        assert!(
            Config::for_subdomain("acme", KEY)
                .unwrap()
                .with_user_agent("bad\nagent")
                .is_err()
        );
    }
}
