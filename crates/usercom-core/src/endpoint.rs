//! One request builder and one response parser for every endpoint.
//!
//! An operation is a small typed value that implements [`Endpoint`]: it declares its method,
//! path, query, body and how its output decodes. [`Config::request`] turns any of them into an
//! `http::Request<Vec<u8>>`; [`parse_response`] turns the answer into the output or an [`Error`].

use std::borrow::Cow;

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{ApiError, DecodeError};
use crate::{Config, Error, Page};

/// The `Accept` value that selects version 2 of the API (without it User.com answers in v1).
pub const ACCEPT_V2: &str = "*/*; version=2";

/// One API operation: what to send and what comes back.
///
/// Implementations are declarative; all headers, encoding and error handling live in
/// [`Config::request`] and [`parse_response`].
pub trait Endpoint {
    /// What a successful response decodes into.
    type Output;

    /// The HTTP method.
    fn method(&self) -> Method;

    /// The path below the API root; it always gets a trailing slash.
    fn path(&self) -> Path;

    /// Query parameters, in order.
    fn query(&self) -> Query {
        Query::default()
    }

    /// The JSON body, if the operation sends one. Invalid input is reported here.
    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }

    /// Decodes a 2xx body. Use [`decode_json`] for plain JSON outputs.
    fn decode(status: StatusCode, body: &[u8]) -> Result<Self::Output, Error>;
}

/// An operation whose output is one page of a paginated listing.
pub trait PagedEndpoint: Endpoint<Output = Page<Self::Item>> {
    /// One item of the listing.
    type Item: DeserializeOwned;
}

/// Path segments below the API root. Dynamic segments are percent-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path(Vec<Cow<'static, str>>);

impl Path {
    /// A path that starts with a fixed segment, such as `conversations`.
    pub fn new(resource: &'static str) -> Self {
        Self(vec![Cow::Borrowed(resource)])
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

/// Query parameters, form-encoded in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(Vec<(&'static str, String)>);

impl Query {
    /// Appends a parameter.
    pub fn push(&mut self, name: &'static str, value: impl Into<String>) {
        self.0.push((name, value.into()));
    }

    /// The parameters, unencoded.
    pub fn pairs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(name, value)| (*name, value.as_str()))
    }
}

impl Config {
    /// The URL of an operation: API root, percent-encoded path with a trailing slash, query.
    pub fn url<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<Url, Error> {
        let path = endpoint.path();
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
        let query = endpoint.query();
        if query.pairs().next().is_some() {
            url.query_pairs_mut().extend_pairs(query.pairs());
        }
        Ok(url)
    }

    /// Builds the complete request for an operation.
    pub fn request<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<Request<Vec<u8>>, Error> {
        let body = endpoint.body()?;
        let url = self.url(endpoint)?;
        self.request_for_url(endpoint.method(), &url, body)
    }

    /// Builds a request for a URL below the API root, with every header the API needs.
    pub(crate) fn request_for_url(
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
        builder
            .body(body.unwrap_or_default())
            .map_err(|e| Error::invalid_input(format!("cannot build a request for {url}: {e}")))
    }
}

/// Turns a response into the operation's output, or into an [`Error`] that keeps the status,
/// the server's message and, for bodies that are not JSON, a bounded snippet.
pub fn parse_response<E, B>(_endpoint: &E, response: Response<B>) -> Result<E::Output, Error>
where
    E: Endpoint + ?Sized,
    B: AsRef<[u8]>,
{
    let (parts, body) = response.into_parts();
    let body = body.as_ref();
    if !parts.status.is_success() {
        return Err(Error::Api(Box::new(ApiError::from_parts(
            parts.status,
            &parts.headers,
            body,
        ))));
    }
    E::decode(parts.status, body)
}

/// Decodes a JSON body into `T`; a mismatch names the JSON path that failed.
pub fn decode_json<T: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let decode_error = |path: String, error: serde_json::Error| {
        Error::Decode(Box::new(DecodeError::new(status, path, &error, body)))
    };
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| decode_error(e.path().to_string(), e.into_inner()))?;
    // Trailing garbage after the document is an error too.
    deserializer
        .end()
        .map_err(|e| decode_error(".".to_owned(), e))?;
    Ok(value)
}

/// Serialises a request body as JSON.
pub fn json_body<T: Serialize + ?Sized>(body: &T) -> Result<Option<Vec<u8>>, Error> {
    serde_json::to_vec(body)
        .map(Some)
        .map_err(|e| Error::invalid_input(format!("the request body cannot be encoded: {e}")))
}
