//! The one error type of the SDK.

use std::collections::BTreeMap;
use std::fmt;

use http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::ApiKey;
use crate::retry::RetryAfter;

/// How many bytes of a body an error keeps.
pub const SNIPPET_LIMIT: usize = 512;

/// Everything that can go wrong talking to User.com.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input the SDK refused before sending anything: a bad subdomain, an empty key, empty content.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The API answered with a status other than 2xx.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// A 2xx response whose body did not match the expected model.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// A paginated listing went wrong: a `next` link that loops or leaves the API.
    #[error(transparent)]
    Pagination(PaginationError),
    /// The request never got a complete response: connection, timeout or I/O failure.
    #[error(transparent)]
    Transport(TransportError),
}

impl Error {
    /// An [`Error::InvalidInput`] with this message.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::InvalidInput(message.into())
    }

    /// A transport failure of the given kind, wrapping the HTTP client's own error.
    pub fn transport(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Transport(TransportError {
            kind,
            source: source.into(),
            attempts: 1,
            host: None,
        })
    }

    /// Names the host a transport failure happened with (`acme.user.com`, `127.0.0.1:8080`);
    /// adapters call this so that every transport error says where it went wrong. Other
    /// errors are returned unchanged.
    pub fn with_host(mut self, host: impl Into<String>) -> Self {
        if let Self::Transport(transport) = &mut self {
            transport.host = Some(host.into());
        }
        self
    }

    /// The HTTP status the server answered with, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(api) => Some(api.status),
            Self::Decode(decode) => Some(decode.status),
            _ => None,
        }
    }

    /// The API error, when the server answered with a non-2xx status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Whether sending the same request again may succeed: rate limits, server errors,
    /// timeouts and connection failures. Whether it is *safe* to resend also depends on the
    /// method; the retry policy decides that.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(api) => {
                api.status == StatusCode::TOO_MANY_REQUESTS || api.status.is_server_error()
            }
            Self::Transport(transport) => !transport.kind.is_permanent(),
            _ => false,
        }
    }

    /// Whether this is a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Transport(t) if t.kind == TransportErrorKind::Timeout)
    }

    /// How many attempts the call made before this error (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        match self {
            Self::Api(api) => api.attempts,
            Self::Transport(transport) => transport.attempts,
            _ => 1,
        }
    }

    /// Records how many attempts the call made; adapters call this when a call ends.
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        match &mut self {
            Self::Api(api) => api.attempts = attempts,
            Self::Transport(transport) => transport.attempts = attempts,
            _ => {}
        }
        self
    }

    /// Replaces every occurrence of the key in text that came from the server (a proxy or
    /// a misbehaving server can echo request headers into an error body).
    pub fn redact_key(mut self, key: &ApiKey) -> Self {
        if key.expose_secret().is_empty() {
            return self;
        }
        // Pieces of the key and other cases of it too (see `ApiKey::redact`).
        let scrub = |text: &mut String| *text = key.redact(text);
        match &mut self {
            Self::Api(api) => {
                api.detail.iter_mut().for_each(scrub);
                api.body_snippet.iter_mut().for_each(scrub);
                api.location.iter_mut().for_each(scrub);
                for messages in api.field_errors.values_mut() {
                    messages.iter_mut().for_each(scrub);
                }
                api.field_errors = std::mem::take(&mut api.field_errors)
                    .into_iter()
                    .map(|(field, messages)| (key.redact(&field), messages))
                    .collect();
            }
            Self::Decode(decode) => {
                scrub(&mut decode.message);
                scrub(&mut decode.body_snippet);
                scrub(&mut decode.path);
            }
            Self::Transport(transport) => {
                // An HTTP client's error can quote a URL or a header a server made up.
                let text = chain_text(&*transport.source);
                let clean = key.redact(&text);
                if clean != text {
                    transport.source = clean.into();
                }
                transport.host.iter_mut().for_each(scrub);
            }
            _ => {}
        }
        self
    }
}

/// A non-2xx answer from the API.
///
/// User.com runs Django REST Framework, so error bodies are usually `{"detail": "..."}` or a
/// map of field names to messages (`{"content": ["This field may not be blank."]}`); some
/// endpoints wrap that map in `"errors"`. A body that is not JSON (an HTML error page from a
/// gateway) is kept as a bounded snippet instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `detail` message, when the body had one.
    pub detail: Option<String>,
    /// Field errors: field name (or `non_field_errors`) to messages.
    pub field_errors: BTreeMap<String, Vec<String>>,
    /// The start of the body when it was not a JSON object (at most [`SNIPPET_LIMIT`] bytes).
    pub body_snippet: Option<String>,
    /// The `Location` header of a redirect, which the SDK never follows.
    pub location: Option<String>,
    /// The `Retry-After` header, when the server sent a valid one.
    pub retry_after: Option<RetryAfter>,
    /// How many attempts the call made (more than 1 when it was retried).
    pub attempts: u32,
}

impl ApiError {
    /// Reads an error response: status, `Location`, and whatever the body says.
    pub fn from_parts(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let location = headers
            .get(http::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let mut error = Self {
            status,
            detail: None,
            field_errors: BTreeMap::new(),
            body_snippet: None,
            location,
            retry_after: RetryAfter::from_headers(headers),
            attempts: 1,
        };
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => error.read_fields(map),
            Ok(Value::String(text)) => error.detail = Some(text),
            Ok(Value::Array(items)) => {
                let messages = items.iter().map(message_text).collect();
                error
                    .field_errors
                    .insert("non_field_errors".to_owned(), messages);
            }
            _ if body.iter().all(u8::is_ascii_whitespace) => {}
            _ => error.body_snippet = Some(snippet(body)),
        }
        error
    }

    fn read_fields(&mut self, map: serde_json::Map<String, Value>) {
        for (field, value) in map {
            match (field.as_str(), value) {
                ("detail" | "message", Value::String(text)) if self.detail.is_none() => {
                    self.detail = Some(text);
                }
                ("errors", Value::Object(inner)) => self.read_fields(inner),
                ("errors", Value::String(text)) if self.detail.is_none() => {
                    self.detail = Some(text);
                }
                (_, Value::Array(items)) => {
                    let messages = items.iter().map(message_text).collect();
                    self.field_errors.insert(field, messages);
                }
                (_, other) => {
                    self.field_errors.insert(field, vec![message_text(&other)]);
                }
            }
        }
    }
}

fn message_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "User.com API error: HTTP {}", self.status)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        let mut separator = if self.detail.is_some() { "; " } else { ": " };
        for (field, messages) in &self.field_errors {
            write!(f, "{separator}{field}: {}", messages.join(" "))?;
            separator = "; ";
        }
        if let Some(location) = &self.location {
            write!(f, " (redirect to {location}, not followed)")?;
        }
        if let Some(body) = &self.body_snippet {
            let short: String = body.chars().take(200).collect();
            let ellipsis = if short.len() < body.len() { "…" } else { "" };
            write!(f, " (non-JSON body: {short}{ellipsis})")?;
        }
        if let Some(retry_after) = &self.retry_after {
            write!(f, " (Retry-After: {retry_after})")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A 2xx response whose body did not decode into the expected model.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// Where in the JSON document decoding failed, such as `results[3].timestamp`
    /// (`.` for the document itself).
    pub path: String,
    /// What was wrong there.
    pub message: String,
    /// The start of the body (at most [`SNIPPET_LIMIT`] bytes).
    pub body_snippet: String,
}

impl DecodeError {
    pub(crate) fn new(
        status: StatusCode,
        path: String,
        error: &serde_json::Error,
        body: &[u8],
    ) -> Self {
        Self {
            status,
            path,
            message: error.to_string(),
            body_snippet: snippet(body),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the HTTP {} response at `{}`: {}",
            self.status, self.path, self.message
        )?;
        if self.path == "." && !self.body_snippet.is_empty() {
            // The document itself is not what was expected: show what arrived.
            let short: String = self.body_snippet.chars().take(120).collect();
            let ellipsis = if short.len() < self.body_snippet.len() {
                "…"
            } else {
                ""
            };
            write!(f, " (the body starts: {short}{ellipsis})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// A paginated listing that cannot go on safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// The `next` link points at a page that was already requested.
    #[error("pagination loop: the `next` link {url} was already requested")]
    Loop {
        /// The repeated URL.
        url: String,
    },
    /// The `next` link is not below the API root, so it is not followed (the key would go with it).
    #[error("pagination stopped: the `next` link {url:?} is outside the API root {root}")]
    ForeignNext {
        /// The link as the server sent it.
        url: String,
        /// The configured API root.
        root: String,
    },
    /// A later page answered 404 (User.com's `/lists/` is known to link to pages that do
    /// not exist): the listing is incomplete. Every item before it was delivered.
    #[error(
        "the listing stopped early: the next page {url} answered 404 Not Found after {pages} \
         page(s); the items before it were delivered, the rest may be missing"
    )]
    NextPageNotFound {
        /// The page that was not found.
        url: String,
        /// How many pages had arrived.
        pages: u64,
    },
    /// The last page arrived, but with fewer items than the first page counted: items were
    /// deleted or moved between pages while the listing was read (an item deleted from an
    /// earlier page shifts a later item onto a page already read), or the server counts
    /// items it does not list. Every item that arrived was delivered; some may be missing.
    #[error(
        "the listing ended with {received} item(s) but its first page counted {counted}: \
         items may have changed while it was read, so some may be missing; run it again"
    )]
    FewerThanCounted {
        /// The `count` of the first page.
        counted: u64,
        /// How many items arrived.
        received: u64,
    },
    /// Page after page arrived empty while still linking to another: the listing is not
    /// followed forever.
    #[error("the listing stopped: {pages} pages in a row were empty but linked to another ({url})")]
    EmptyPages {
        /// How many empty pages arrived in a row.
        pages: u32,
        /// The next link that was not followed.
        url: String,
    },
}

/// The request did not get a complete response.
///
/// Its `Display` names the host, the cause (the HTTP client's error and what caused that)
/// and whether the request may have reached the server.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Box<dyn std::error::Error + Send + Sync>,
    attempts: u32,
    host: Option<String>,
}

impl TransportError {
    /// What kind of failure it was.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// How many attempts the call made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The host the failure happened with, when the adapter named it.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// Whether the request may have reached the server: `false` only when it provably was
    /// not sent (no connection, no name, no TLS session, or the connection refused it unsent).
    pub fn may_have_been_sent(&self) -> bool {
        self.kind.may_have_been_sent()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.host, self.kind) {
            (Some(host), TransportErrorKind::Connect) => write!(f, "could not connect to {host}"),
            (Some(host), TransportErrorKind::Dns) => write!(f, "could not resolve {host}"),
            (Some(host), TransportErrorKind::Tls) => write!(f, "TLS with {host} failed"),
            (Some(host), TransportErrorKind::Protocol) => {
                write!(f, "invalid HTTP response from {host}")
            }
            (Some(host), TransportErrorKind::Timeout) => write!(f, "timed out talking to {host}"),
            (Some(host), TransportErrorKind::BodyTooLarge) => {
                write!(f, "response body from {host} too large")
            }
            (Some(host), TransportErrorKind::Io) => write!(f, "connection to {host} failed"),
            (None, kind) => write!(f, "{kind}"),
        }?;
        write!(f, ": {}", chain_text(&*self.source))?;
        match self.kind {
            TransportErrorKind::Connect | TransportErrorKind::Dns | TransportErrorKind::Tls => {
                f.write_str(" (the request was not sent)")?;
            }
            TransportErrorKind::Io | TransportErrorKind::Timeout => {
                f.write_str(" (the request may have reached the server)")?;
            }
            _ => {}
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// An error and its causes as one line, `outer: inner: innermost`, skipping a cause whose
/// text its outer error already shows (HTTP clients often repeat their cause).
pub fn chain_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    let mut depth = 0;
    while let Some(inner) = cause {
        let shown = inner.to_string();
        if !shown.is_empty() && !text.contains(&shown) {
            text.push_str(": ");
            text.push_str(&shown);
        }
        cause = inner.source();
        depth += 1;
        if depth > 16 {
            break;
        }
    }
    text
}

/// The kinds of transport failure, which decide whether a request may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection was made, or the connection gave the request back unsent: the request
    /// was not sent, so it is retried whatever its method.
    Connect,
    /// The host name could not be resolved: the request was not sent. Not retried: a name
    /// that does not resolve now will not a second later.
    Dns,
    /// The TLS handshake failed (an untrusted or expired certificate, a name mismatch, no
    /// common protocol): the request was not sent. Not retried.
    Tls,
    /// The server's answer broke HTTP (conflicting `Content-Length`, a malformed status line
    /// or header): it will not change on a retry, so it is not retried.
    Protocol,
    /// A configured timeout ran out.
    Timeout,
    /// The body was larger than the configured limit.
    BodyTooLarge,
    /// The connection failed after the request may have been sent.
    Io,
}

impl TransportErrorKind {
    /// Whether sending again cannot help: a name that does not resolve, a certificate that is
    /// not trusted, a protocol violation, a body over the limit.
    pub fn is_permanent(self) -> bool {
        matches!(
            self,
            Self::Dns | Self::Tls | Self::Protocol | Self::BodyTooLarge
        )
    }

    /// Whether the request may have reached the server (`false` for a failure before it was
    /// sent, which is safe to retry for every method).
    pub fn may_have_been_sent(self) -> bool {
        !matches!(self, Self::Connect | Self::Dns | Self::Tls)
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "could not connect",
            Self::Dns => "could not resolve the host name",
            Self::Tls => "TLS failed",
            Self::Protocol => "invalid HTTP response",
            Self::Timeout => "timed out",
            Self::BodyTooLarge => "response body too large",
            Self::Io => "connection failed",
        })
    }
}

/// The start of a body as text: invalid UTF-8 replaced, runs of white space folded into one
/// space, at most [`SNIPPET_LIMIT`] bytes of text plus `…` when anything was cut.
pub fn snippet(body: &[u8]) -> String {
    // Invalid bytes grow threefold as U+FFFD, so cut the input and then the output.
    let text = String::from_utf8_lossy(&body[..body.len().min(SNIPPET_LIMIT)]);
    let mut folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut = body.len() > SNIPPET_LIMIT;
    if folded.len() > SNIPPET_LIMIT {
        let end = (0..=SNIPPET_LIMIT)
            .rev()
            .find(|&i| folded.is_char_boundary(i))
            .unwrap_or(0);
        folded.truncate(end);
        cut = true;
    }
    if cut {
        folded.push('…');
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, body: &str) -> ApiError {
        ApiError::from_parts(
            StatusCode::from_u16(status).unwrap(),
            &HeaderMap::new(),
            body.as_bytes(),
        )
    }

    #[test]
    fn drf_detail() {
        let error = api(404, r#"{"detail": "Not found."}"#);
        assert_eq!(error.detail.as_deref(), Some("Not found."));
        assert!(error.field_errors.is_empty());
        assert_eq!(
            error.to_string(),
            "User.com API error: HTTP 404 Not Found: Not found."
        );
    }

    #[test]
    fn drf_field_errors_and_errors_wrapper() {
        let error = api(
            400,
            r#"{"content": ["This field may not be blank."], "source": "bad", "n": 3}"#,
        );
        assert_eq!(
            error.field_errors["content"],
            vec!["This field may not be blank."]
        );
        assert_eq!(error.field_errors["source"], vec!["bad"]);
        assert_eq!(error.field_errors["n"], vec!["3"]);
        let wrapped = api(400, r#"{"errors": {"email": ["Enter a valid email."]}}"#);
        assert_eq!(wrapped.field_errors["email"], vec!["Enter a valid email."]);
        assert!(
            wrapped
                .to_string()
                .ends_with("HTTP 400 Bad Request: email: Enter a valid email.")
        );
    }

    #[test]
    fn html_body_is_a_bounded_snippet() {
        let page = format!(
            "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>{}</body></html>",
            "x".repeat(2000)
        );
        let error = api(502, &page);
        let snippet = error.body_snippet.clone().unwrap();
        assert!(snippet.starts_with("<html> <head><title>502 Bad Gateway</title>"));
        assert!(snippet.len() <= SNIPPET_LIMIT + '…'.len_utf8());
        assert!(error.to_string().contains("HTTP 502 Bad Gateway"));
        assert!(error.to_string().contains("502 Bad Gateway</title>"));
    }

    #[test]
    fn empty_body_has_no_snippet() {
        let error = api(500, "  \n");
        assert_eq!(error.body_snippet, None);
        assert_eq!(error.detail, None);
    }

    #[test]
    fn snippet_survives_a_cut_inside_a_character() {
        let body = "é".repeat(SNIPPET_LIMIT);
        let text = snippet(body.as_bytes());
        assert!(text.ends_with('…'));
        assert!(text.len() <= SNIPPET_LIMIT + '…'.len_utf8());
    }

    #[test]
    fn snippet_of_invalid_bytes_stays_bounded() {
        let text = snippet(&[0x80; SNIPPET_LIMIT]);
        assert!(text.starts_with('\u{FFFD}'));
        assert!(text.ends_with('…'));
        assert!(
            text.len() <= SNIPPET_LIMIT + '…'.len_utf8(),
            "{}",
            text.len()
        );
        assert_eq!(snippet(b"  short \n body "), "short body");
    }

    #[test]
    fn retry_after_and_attempts_are_kept_and_shown() {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, "120".parse().unwrap());
        let api = ApiError::from_parts(
            StatusCode::TOO_MANY_REQUESTS,
            &headers,
            br#"{"detail": "Request was throttled."}"#,
        );
        assert_eq!(
            api.retry_after,
            Some(RetryAfter::Delay(std::time::Duration::from_secs(120)))
        );
        let error = Error::Api(Box::new(api)).with_attempts(3);
        assert_eq!(error.attempts(), 3);
        assert_eq!(
            error.to_string(),
            "User.com API error: HTTP 429 Too Many Requests: Request was throttled. \
             (Retry-After: 120 s) after 3 attempts"
        );
        let transport = Error::transport(TransportErrorKind::Io, "reset").with_attempts(5);
        assert_eq!(
            transport.to_string(),
            "connection failed: reset (the request may have reached the server) (after 5 attempts)"
        );
        let named =
            Error::transport(TransportErrorKind::Dns, "no such name").with_host("a.invalid");
        assert_eq!(
            named.to_string(),
            "could not resolve a.invalid: no such name (the request was not sent)"
        );
        assert!(!named.is_retryable());
    }

    #[test]
    fn an_echoed_key_is_redacted() {
        let key = ApiKey::new("s3cr3ts3cr3t").unwrap();
        let echoed = api(
            400,
            r#"{"detail": "bad Token s3cr3ts3cr3t", "s3cr3ts3cr3t": ["s3cr3ts3cr3t!"]}"#,
        );
        let error = Error::Api(Box::new(echoed)).redact_key(&key);
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("bad Token <redacted>"), "{shown}");
        let html = Error::Api(Box::new(api(
            502,
            "<p>Authorization: Token s3cr3ts3cr3t</p>",
        )))
        .redact_key(&key);
        assert!(!format!("{html:?}").contains("s3cr3t"));
    }

    #[test]
    fn retryable_classes() {
        assert!(Error::Api(Box::new(api(429, ""))).is_retryable());
        assert!(Error::Api(Box::new(api(503, ""))).is_retryable());
        assert!(!Error::Api(Box::new(api(404, ""))).is_retryable());
        assert!(!Error::invalid_input("x").is_retryable());
        for (kind, retryable, sent) in [
            (TransportErrorKind::Connect, true, false),
            (TransportErrorKind::Dns, false, false),
            (TransportErrorKind::Tls, false, false),
            (TransportErrorKind::Protocol, false, true),
            (TransportErrorKind::Timeout, true, true),
            (TransportErrorKind::BodyTooLarge, false, true),
            (TransportErrorKind::Io, true, true),
        ] {
            let error = Error::transport(kind, "x");
            assert_eq!(error.is_retryable(), retryable, "{kind:?}");
            let Error::Transport(transport) = &error else {
                unreachable!()
            };
            assert_eq!(transport.may_have_been_sent(), sent, "{kind:?}");
        }
    }

    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("client error (Connect)")
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_transport_error_shows_its_causes_and_loses_an_echoed_key() {
        let cause = std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "refused by http://h/?key=s3cr3ts3cr3t",
        );
        let error = Error::transport(TransportErrorKind::Connect, Outer(cause))
            .with_host("127.0.0.1:9")
            .redact_key(&ApiKey::new("s3cr3ts3cr3t").unwrap());
        assert_eq!(
            error.to_string(),
            "could not connect to 127.0.0.1:9: client error (Connect): refused by \
             http://h/?key=<redacted> (the request was not sent)"
        );
        assert!(!format!("{error:?}").contains("s3cr3t"));
    }
}
