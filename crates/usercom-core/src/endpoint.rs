//! One request builder and one response parser for every endpoint.
//!
//! An operation is a small typed value that implements [`Endpoint`]: it declares its stable
//! name, method, path, query, body and how its output decodes. [`Config::request`] turns any
//! of them into an `http::Request<Vec<u8>>`; [`Config::parse`] turns the answer into the
//! output or an [`Error`].

use std::borrow::Cow;

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use url::Url;

use crate::error::{ApiError, DecodeError, TransportErrorKind};
use crate::{ApiKey, Config, Error, Page};

/// The `Accept` value that selects version 2 of the API (without it User.com answers in v1).
pub const ACCEPT_V2: &str = "*/*; version=2";

/// A JSON value exactly as the server sent it, for lossless output (see [`crate::RawItems`]).
pub type RawJson = Box<RawValue>;

/// How a successful body wraps the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Envelope {
    /// The body is the output itself (an object, an array, a page, or empty).
    #[default]
    Bare,
    /// The body is `{"results": <output>, "count": 1, "next": null, …}`, as
    /// `GET /conversations/{id}/` answers.
    Results,
}

/// One API operation: what to send and what comes back.
///
/// Implementations are declarative; all headers, encoding, redaction and error handling live
/// in [`Config::request`] and [`Config::parse`]. See `docs/adding-an-endpoint.md`.
pub trait Endpoint {
    /// What a successful response decodes into. An empty body decodes as JSON `null`, so an
    /// operation whose answer may be empty (`DELETE` answers 204) uses `serde_json::Value`
    /// or an `Option`.
    type Output: DeserializeOwned;

    /// The stable name of the operation, `group.operation` (`"conversations.list"`): used by
    /// fixtures, the fake server's route coverage, tracing and the CLI.
    const NAME: &'static str;

    /// The HTTP method.
    const METHOD: Method;

    /// Every path the operation can take below the API root, with `{name}` for each
    /// parameter (`"users/{user_id}/conversations/"`), for documentation, the fake server's
    /// route coverage and the fixture check.
    const PATHS: &'static [&'static str];

    /// The path below the API root; it always gets a trailing slash.
    fn path(&self) -> Path;

    /// Query parameters, in order.
    fn query(&self) -> Query {
        Query::default()
    }

    /// The JSON body, if the operation sends one. Invalid input is reported here, before
    /// anything is sent.
    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }

    /// How the output is wrapped in the body.
    fn envelope(&self) -> Envelope {
        Envelope::Bare
    }

    /// Decodes a 2xx body. The default reads [`Self::Output`](Endpoint::Output) inside
    /// [`envelope`](Endpoint::envelope); an operation whose answer depends on its own fields
    /// overrides it.
    fn decode(&self, status: StatusCode, body: &[u8]) -> Result<Self::Output, Error> {
        decode_in(self.envelope(), status, body)
    }

    /// Whether sending it twice has the effect of sending it once, so that the retry policy
    /// may resend it after a failure that left its fate unknown. By default this follows
    /// the method; a POST that is safe to repeat (`update_or_create`) says `true`.
    fn idempotent(&self) -> bool {
        crate::retry::is_idempotent(&Self::METHOD)
    }
}

/// An operation whose output is one page of a paginated listing.
///
/// Its pages always decode as [`Page<Item>`](Page): the paginator reads them without the
/// operation.
pub trait PagedEndpoint: Endpoint<Output = Page<Self::Item>> {
    /// One item of the listing.
    type Item: DeserializeOwned;
}

impl<E: Endpoint + ?Sized> Endpoint for &E {
    type Output = E::Output;
    const NAME: &'static str = E::NAME;
    const METHOD: Method = E::METHOD;
    const PATHS: &'static [&'static str] = E::PATHS;

    fn path(&self) -> Path {
        (**self).path()
    }

    fn query(&self) -> Query {
        (**self).query()
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        (**self).body()
    }

    fn envelope(&self) -> Envelope {
        (**self).envelope()
    }

    fn decode(&self, status: StatusCode, body: &[u8]) -> Result<Self::Output, Error> {
        (**self).decode(status, body)
    }

    fn idempotent(&self) -> bool {
        (**self).idempotent()
    }
}

impl<E: PagedEndpoint + ?Sized> PagedEndpoint for &E {
    type Item = E::Item;
}

/// Path segments below the API root. Dynamic segments are percent-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path(Vec<Cow<'static, str>>);

impl Path {
    /// A path that starts with a fixed segment, such as `conversations`.
    pub fn new(resource: &'static str) -> Self {
        Self(vec![Cow::Borrowed(resource)])
    }

    /// A path from text such as `users/42/events/` (for `usercom api`): split on `/`, each
    /// segment taken as unencoded text.
    pub fn parse(text: &str) -> Self {
        Self(
            text.trim_matches('/')
                .split('/')
                .map(|segment| Cow::Owned(segment.to_owned()))
                .collect(),
        )
    }

    /// Appends a fixed segment.
    pub fn then(mut self, segment: &'static str) -> Self {
        self.0.push(Cow::Borrowed(segment));
        self
    }

    /// Appends a numeric id.
    pub fn id(mut self, id: i64) -> Self {
        self.0.push(Cow::Owned(id.to_string()));
        self
    }

    /// Appends a caller-supplied value such as a custom id (`user@123`); it is percent-encoded.
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.0.push(Cow::Owned(value.into()));
        self
    }

    /// The segments, unencoded.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|segment| segment.as_ref())
    }
}

/// Query parameters, form-encoded in order. Names may be built at run time
/// (`{attribute}__gte` filters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(Vec<(Cow<'static, str>, String)>);

impl Query {
    /// Appends a parameter.
    pub fn push(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Appends a parameter (builder form).
    pub fn with(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) -> Self {
        self.push(name, value);
        self
    }

    /// The parameters, unencoded.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(name, value)| (name.as_ref(), value.as_str()))
    }
}

impl Config {
    /// The URL of an operation: API root, percent-encoded path with a trailing slash, query.
    pub fn url<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<Url, Error> {
        self.url_for(&endpoint.path(), &endpoint.query())
    }

    /// The URL of a path and query below the API root.
    pub fn url_for(&self, path: &Path, query: &Query) -> Result<Url, Error> {
        let mut url = self.base_url().clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|()| Error::invalid_input("the base URL cannot take a path"))?;
            segments.pop_if_empty();
            for segment in path.segments() {
                if matches!(segment, "" | "." | "..") {
                    return Err(Error::invalid_input(format!(
                        "{segment:?} cannot be used as a path segment (an empty or dot id?)"
                    )));
                }
                segments.push(segment);
            }
            segments.push("");
        }
        if query.pairs().next().is_some() {
            url.query_pairs_mut().extend_pairs(query.pairs());
        }
        Ok(url)
    }

    /// Builds the complete request for an operation.
    pub fn request<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<Request<Vec<u8>>, Error> {
        let body = endpoint.body()?;
        let url = self.url(endpoint)?;
        self.request_for_url(E::METHOD, &url, body)
    }

    /// Builds a request for a URL below the API root, with every header the API needs.
    pub fn request_for_url(
        &self,
        method: Method,
        url: &Url,
        body: Option<Vec<u8>>,
    ) -> Result<Request<Vec<u8>>, Error> {
        let mut builder = Request::builder()
            .method(method)
            .uri(url.as_str())
            .header(AUTHORIZATION, self.api_key().authorization().clone())
            .header(ACCEPT, HeaderValue::from_static(ACCEPT_V2))
            .header(USER_AGENT, self.user_agent().clone());
        if body.is_some() {
            builder = builder.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        builder.body(body.unwrap_or_default()).map_err(|e| {
            let url = redact_text(url.as_str(), self.api_key());
            Error::invalid_input(format!("cannot build a request for {url}: {e}"))
        })
    }

    /// Turns a response into the operation's output, or into an [`Error`] that keeps the
    /// status, the server's message and, for bodies that are not JSON, a bounded snippet.
    /// The key never survives into an error, even when the server echoes it.
    pub fn parse<E, B>(&self, endpoint: &E, response: Response<B>) -> Result<E::Output, Error>
    where
        E: Endpoint + ?Sized,
        B: AsRef<[u8]>,
    {
        self.parse_with(response, |status, body| endpoint.decode(status, body))
    }

    /// Parses a response with `decode` for its 2xx body: the shared half of
    /// [`Config::parse`] and the paginator.
    pub(crate) fn parse_with<T, B: AsRef<[u8]>>(
        &self,
        response: Response<B>,
        decode: impl FnOnce(StatusCode, &[u8]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let (parts, body) = response.into_parts();
        let body = body.as_ref();
        let key = self.api_key();
        check_length(&parts.headers, body)?;
        if !parts.status.is_success() {
            let body = redact_bytes(body, key);
            let error = ApiError::from_parts(parts.status, &parts.headers, &body);
            let attempts = parts
                .extensions
                .get::<crate::retry::Attempts>()
                .map_or(1, |attempts| attempts.0);
            return Err(Error::Api(Box::new(error))
                .with_attempts(attempts)
                .redact_key(key));
        }
        decode(parts.status, body).map_err(|error| match error {
            // Decode again from the redacted body, so the snippet cannot carry the key.
            Error::Decode(mut decode) => {
                let clean = redact_bytes(body, key);
                decode.body_snippet = crate::error::snippet(&clean);
                Error::Decode(decode).redact_key(key)
            }
            other => other.redact_key(key),
        })
    }
}

/// A body shorter or longer than its `Content-Length` was cut or corrupted on the way; an
/// HTTP client that does not check would otherwise surface it as a puzzling JSON error.
fn check_length(headers: &http::HeaderMap, body: &[u8]) -> Result<(), Error> {
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    match announced {
        Some(length) if length != body.len() as u64 => Err(Error::transport(
            TransportErrorKind::Io,
            format!(
                "the response body has {} bytes but its Content-Length says {length}: it was \
                 cut or corrupted on the way",
                body.len()
            ),
        )),
        _ => Ok(()),
    }
}

/// `body` with every occurrence of the key replaced by `<redacted>`, before anything cuts it.
pub(crate) fn redact_bytes<'a>(body: &'a [u8], key: &ApiKey) -> Cow<'a, [u8]> {
    let secret = key.expose_secret().as_bytes();
    if secret.is_empty() || !body.windows(secret.len()).any(|window| window == secret) {
        return Cow::Borrowed(body);
    }
    let mut clean = Vec::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest
        .windows(secret.len())
        .position(|window| window == secret)
    {
        clean.extend_from_slice(&rest[..at]);
        clean.extend_from_slice(b"<redacted>");
        rest = &rest[at + secret.len()..];
    }
    clean.extend_from_slice(rest);
    Cow::Owned(clean)
}

/// `text` with every occurrence of the key replaced by `<redacted>`.
pub(crate) fn redact_text(text: &str, key: &ApiKey) -> String {
    let secret = key.expose_secret().as_bytes();
    // Not only the key as a whole: a server or proxy that echoes part of it, or changes its
    // case, must not get most of it printed. Any run of at least this many characters that
    // matches a piece of the key (ASCII case ignored) is redacted.
    let shortest = secret.len().min(REDACTED_FRAGMENT);
    let bytes = text.as_bytes();
    if secret.is_empty() || bytes.len() < shortest {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let (mut at, mut copied) = (0, 0);
    while at < bytes.len() {
        let longest = (0..secret.len())
            .map(|from| {
                bytes[at..]
                    .iter()
                    .zip(&secret[from..])
                    .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
                    .count()
            })
            .max()
            .unwrap_or(0);
        if longest >= shortest {
            // The key is ASCII, so a match starts and ends on character boundaries.
            out.push_str(&text[copied..at]);
            out.push_str("<redacted>");
            at += longest;
            copied = at;
        } else {
            at += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The shortest piece of a key that is redacted on its own (a shorter key is redacted
/// whole).
const REDACTED_FRAGMENT: usize = 12;

/// Decodes a JSON body into `T`; a mismatch names the JSON path that failed.
///
/// Success costs what `serde_json::from_slice` costs: the path is found by decoding a second
/// time, only when the first decode failed. An empty body decodes as `null`.
pub fn decode_json<T: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<T, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return T::deserialize(serde_json::Value::Null).map_err(|error| {
            Error::Decode(Box::new(DecodeError::new(
                status,
                ".".to_owned(),
                &error,
                body,
            )))
        });
    }
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        Err(first) => Err(explain::<T>(status, body, first)),
    }
}

/// The error of a failed decode, with the JSON path found by a second, tracking pass.
#[cold]
fn explain<T: DeserializeOwned>(
    status: StatusCode,
    body: &[u8],
    first: serde_json::Error,
) -> Error {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let (path, error) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(error) => (error.path().to_string(), error.into_inner()),
        // The document itself decoded: what failed was trailing data after it.
        Ok(_) => (".".to_owned(), first),
    };
    Error::Decode(Box::new(DecodeError::new(status, path, &error, body)))
}

/// Decodes `T` inside an [`Envelope`].
pub fn decode_in<T: DeserializeOwned>(
    envelope: Envelope,
    status: StatusCode,
    body: &[u8],
) -> Result<T, Error> {
    #[derive(Deserialize)]
    struct Wrapped<T> {
        results: T,
    }
    match envelope {
        Envelope::Bare => decode_json(status, body),
        Envelope::Results => decode_json::<Wrapped<T>>(status, body).map(|w| w.results),
    }
}

/// The body of an operation whose arguments are its wire body plus its path parameters:
/// the operation serialised, less the fields named in `path_parameters`.
///
/// Writing bodies this way keeps an operation's JSON arguments (fixtures, the CLI's
/// `--data`) and what goes on the wire the same, by construction.
pub fn json_body_except<T: Serialize + ?Sized>(
    operation: &T,
    path_parameters: &[&str],
) -> Result<Option<Vec<u8>>, Error> {
    let mut value = serde_json::to_value(operation)
        .map_err(|e| Error::invalid_input(format!("the request body cannot be encoded: {e}")))?;
    if let serde_json::Value::Object(fields) = &mut value {
        for name in path_parameters {
            fields.remove(*name);
        }
    }
    json_body(&value)
}

/// Serialises a request body as JSON.
pub fn json_body<T: Serialize + ?Sized>(body: &T) -> Result<Option<Vec<u8>>, Error> {
    serde_json::to_vec(body)
        .map(Some)
        .map_err(|e| Error::invalid_input(format!("the request body cannot be encoded: {e}")))
}

/// Any operation, answered with the JSON the server sent instead of a typed value: the item
/// itself (inside its [`Envelope`]), byte for byte, or `null` for an empty body.
///
/// ```
/// use usercom_core::{Config, Raw, conversations::GetConversation};
///
/// let config = Config::for_subdomain("acme", "key").unwrap();
/// let body = r#"{"results": {"id": 7, "custom": [1, 2]}, "count": 1, "next": null}"#;
/// let raw = config.parse(&Raw(GetConversation::new(7)), http::Response::new(body)).unwrap();
/// assert_eq!(raw.get(), r#"{"id": 7, "custom": [1, 2]}"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Raw<E>(pub E);

impl<E: Endpoint> Endpoint for Raw<E> {
    type Output = RawJson;
    const NAME: &'static str = E::NAME;
    const METHOD: Method = E::METHOD;
    const PATHS: &'static [&'static str] = E::PATHS;

    fn path(&self) -> Path {
        self.0.path()
    }

    fn query(&self) -> Query {
        self.0.query()
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.0.body()
    }

    fn envelope(&self) -> Envelope {
        self.0.envelope()
    }

    fn decode(&self, status: StatusCode, body: &[u8]) -> Result<RawJson, Error> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(null_json());
        }
        decode_in(self.0.envelope(), status, body)
    }

    fn idempotent(&self) -> bool {
        self.0.idempotent()
    }
}

/// JSON `null` as a raw value.
pub(crate) fn null_json() -> RawJson {
    serde_json::value::to_raw_value(&serde_json::Value::Null)
        .unwrap_or_else(|_| unreachable!("null always serialises"))
}

/// A paged operation whose items arrive as the JSON the server sent: the fastest listing,
/// and a lossless one.
#[derive(Debug, Clone, PartialEq)]
pub struct RawItems<E>(pub E);

impl<E: PagedEndpoint> Endpoint for RawItems<E> {
    type Output = Page<RawJson>;
    const NAME: &'static str = E::NAME;
    const METHOD: Method = E::METHOD;
    const PATHS: &'static [&'static str] = E::PATHS;

    fn path(&self) -> Path {
        self.0.path()
    }

    fn query(&self) -> Query {
        self.0.query()
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.0.body()
    }
}

impl<E: PagedEndpoint> PagedEndpoint for RawItems<E> {
    type Item = RawJson;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_body_decodes_as_null() {
        let value: serde_json::Value = decode_json(StatusCode::NO_CONTENT, b"").unwrap();
        assert!(value.is_null());
        let none: Option<i64> = decode_json(StatusCode::OK, b" \n").unwrap();
        assert_eq!(none, None);
        let err = decode_json::<Vec<i64>>(StatusCode::OK, b"").unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err}");
    }

    #[test]
    fn a_failed_decode_names_its_path_and_trailing_data_is_an_error() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Item {
            id: i64,
        }
        let err =
            decode_json::<Vec<Item>>(StatusCode::OK, br#"[{"id": 1}, {"id": "2"}]"#).unwrap_err();
        let Error::Decode(decode) = err else {
            panic!("{err:?}")
        };
        assert_eq!(decode.path, "[1].id");
        let trailing = decode_json::<Vec<Item>>(StatusCode::OK, br#"[] x"#).unwrap_err();
        let Error::Decode(decode) = trailing else {
            panic!("{trailing:?}")
        };
        assert_eq!(decode.path, ".");
        assert!(decode.message.contains("trailing"), "{}", decode.message);

        let html = decode_json::<Vec<Item>>(StatusCode::OK, b"<html>maintenance</html>")
            .unwrap_err()
            .to_string();
        assert!(
            html.contains("the body starts: <html>maintenance"),
            "{html}"
        );
    }

    #[test]
    fn a_short_body_is_named_as_such() {
        let config = Config::for_subdomain("acme", "key").unwrap();
        let mut response = Response::new(&b"{\"results\": [1"[..]);
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from_static("400"));
        let err = config
            .parse(
                &Raw(crate::conversations::GetConversation::new(1)),
                response,
            )
            .unwrap_err();
        assert!(err.to_string().contains("Content-Length says 400"), "{err}");
    }

    #[test]
    fn the_key_is_redacted_before_the_snippet_is_cut() {
        let key = "k".repeat(64);
        let config = Config::for_subdomain("acme", &key).unwrap();
        // The key straddles the snippet limit of a body that is not JSON.
        let body = format!(
            "{}{key} trailing",
            "x".repeat(crate::error::SNIPPET_LIMIT - 20)
        );
        let mut response = Response::new(body.into_bytes());
        *response.status_mut() = StatusCode::BAD_GATEWAY;
        let err = config
            .parse(&crate::conversations::GetConversation::new(1), response)
            .unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("kkkkkkkkkk"), "{shown}");
    }

    #[test]
    fn pieces_of_the_key_and_its_other_cases_are_redacted_too() {
        let secret = "a18f6d4b2907e5c3a18f6d4b2907e5c3a18f6d4b2907e5c3a18f6d4b2907e5c3";
        let key = ApiKey::new(secret).unwrap();
        let upper = secret.to_ascii_uppercase();
        for (text, kept) in [
            (
                format!("Token {} in a body", &secret[..40]),
                "Token <redacted> in a body",
            ),
            (format!("UP={upper}; ok"), "UP=<redacted>; ok"),
            (format!("SUF={}…", &secret[30..50]), "SUF=<redacted>…"),
            (format!("é{}é", &secret[5..20]), "é<redacted>é"),
            // Short pieces are ordinary text.
            (format!("id {}", &secret[..8]), "id a18f6d4b"),
        ] {
            assert_eq!(redact_text(&text, &key), kept);
        }
        // A short key is redacted whole, in any case.
        let short = ApiKey::new("s3cr3t").unwrap();
        assert_eq!(
            redact_text("x S3CR3T y s3cr", &short),
            "x <redacted> y s3cr"
        );
    }
}
