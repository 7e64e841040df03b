//! A response before it is turned into HTTP.

use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

/// A status, extra headers and a body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    headers: Vec<(HeaderName, String)>,
    body: ReplyBody,
}

#[derive(Debug)]
enum ReplyBody {
    Json(Value),
    Raw(&'static str, Vec<u8>),
    Empty,
}

impl Reply {
    /// A JSON body.
    pub(crate) fn json(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: ReplyBody::Json(body),
        }
    }

    /// A body of another type, as is.
    pub(crate) fn raw(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: ReplyBody::Raw(content_type, body),
        }
    }

    /// No body at all (a 204, a redirect).
    pub(crate) fn empty(status: StatusCode) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: ReplyBody::Empty,
        }
    }

    /// An HTML page.
    pub(crate) fn html(status: StatusCode, page: String) -> Self {
        Self::raw(status, "text/html", page.into_bytes())
    }

    /// DRF's `{"detail": "…"}`.
    pub(crate) fn detail(status: StatusCode, detail: &str) -> Self {
        Self::json(status, json!({ "detail": detail }))
    }

    /// DRF's 404.
    pub(crate) fn not_found() -> Self {
        Self::detail(StatusCode::NOT_FOUND, "Not found.")
    }

    /// A 400 with DRF field errors (`{"name": ["This field is required."]}`).
    pub(crate) fn invalid(errors: Value) -> Self {
        Self::json(StatusCode::BAD_REQUEST, errors)
    }

    /// A 500 for a fault of the fake itself, named.
    pub(crate) fn broken(what: &str) -> Self {
        Self::detail(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("usercom-fake is misconfigured: {what}"),
        )
    }

    /// Adds a header.
    pub(crate) fn with_header(mut self, name: HeaderName, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Status, headers and body bytes.
    pub(crate) fn into_parts(self) -> (StatusCode, HeaderMap, Vec<u8>) {
        let (content_type, body) = match self.body {
            _ if self.status.is_redirection() => (None, Vec::new()),
            ReplyBody::Json(value) => (
                Some("application/json"),
                serde_json::to_vec(&value).unwrap_or_default(),
            ),
            ReplyBody::Raw(content_type, body) => (Some(content_type), body),
            ReplyBody::Empty => (None, Vec::new()),
        };
        let mut headers = HeaderMap::new();
        if let Some(content_type) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        headers.insert("vary", HeaderValue::from_static("Accept"));
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.insert(name, value);
            }
        }
        (self.status, headers, body)
    }

    /// The HTTP response.
    pub(crate) fn into_response(self) -> Response {
        let (status, headers, body) = self.into_parts();
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        response
    }
}
