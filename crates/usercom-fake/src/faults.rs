//! A scriptable fault plan: which request to which path misbehaves, and how; and the
//! answers faults give.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header::{AUTHORIZATION, LOCATION, RETRY_AFTER};
use axum::http::{StatusCode, request::Parts};

use crate::reply::Reply;

/// How one response misbehaves.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this status instead: a DRF JSON body, or an HTML page as a gateway sends
    /// it, optionally with a `Retry-After` header (seconds or an HTTP date, sent as given).
    Status {
        /// The status code.
        status: u16,
        /// The `Retry-After` value, if any.
        retry_after: Option<String>,
        /// An HTML body instead of JSON.
        html: bool,
    },
    /// Wait before sending anything, then answer normally.
    DelayBeforeHeaders(Duration),
    /// Send the headers and half the body, wait, then the rest.
    DelayMidBody(Duration),
    /// Close the connection without answering.
    ResetBeforeResponse,
    /// Send the headers (with the full `Content-Length`) and half the body, then close.
    ResetMidBody,
    /// A well-framed 200 whose JSON is cut in half.
    TruncatedJson,
    /// A well-framed 200 whose JSON contains invalid UTF-8.
    InvalidUtf8,
    /// A valid page padded to at least this many bytes.
    Oversized(usize),
    /// Redirect to this location (302).
    Redirect(String),
    /// Echo the request's `Authorization` header in a 400 body, as a careless proxy might.
    EchoAuthorization,
}

impl Fault {
    /// A JSON error with this status.
    pub fn status(status: u16) -> Self {
        Self::Status {
            status,
            retry_after: None,
            html: false,
        }
    }

    /// An HTML error page with this status.
    pub fn html(status: u16) -> Self {
        Self::Status {
            status,
            retry_after: None,
            html: true,
        }
    }

    /// A JSON error with this status and `Retry-After` value.
    pub fn retry_after(status: u16, value: impl Into<String>) -> Self {
        Self::Status {
            status,
            retry_after: Some(value.into()),
            html: false,
        }
    }
}

/// Which requests misbehave, and how: faults by path and request number.
///
/// Paths are below the API root (`conversations/`, `users/42/add_tag/`) and match whatever
/// the query. Requests are counted for each path from 1, whatever their method, from the
/// server's start or from the last [`FakeServer::set_faults`](crate::FakeServer::set_faults).
/// A request with no fault planned is answered normally.
///
/// ```
/// use std::time::Duration;
/// use usercom_fake::{Fault, FaultPlan};
///
/// // The 2nd request to the listing is throttled, the 3rd is reset mid-body.
/// let plan = FaultPlan::default()
///     .on("conversations/", 2, Fault::retry_after(429, "0"))
///     .on("conversations/", 3, Fault::ResetMidBody)
///     .every("conversations/1/", Fault::DelayBeforeHeaders(Duration::from_secs(5)));
/// ```
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    numbered: HashMap<(String, u64), Fault>,
    periodic: Vec<(String, u64, Fault)>,
    always: HashMap<String, Fault>,
}

impl FaultPlan {
    /// The `nth` request (counting from 1) to `path` gets `fault`. `path` is below the API root
    /// (`conversations/`) and matches whatever the query; every method counts.
    pub fn on(mut self, path: &str, nth: u64, fault: Fault) -> Self {
        self.numbered.insert((full_path(path), nth), fault);
        self
    }

    /// Every `n`th request to `path` (the `n`th, `2n`th, …) gets `fault`. Numbered faults
    /// come first, then periodic ones in the order they were added.
    pub fn every_nth(mut self, path: &str, n: u64, fault: Fault) -> Self {
        self.periodic.push((full_path(path), n.max(1), fault));
        self
    }

    /// A plan that makes listings flaky but recoverable: every 3rd request to the
    /// conversations listing is throttled (`Retry-After: 1`), every 4th gets an HTML 502
    /// page, every 7th is cut off mid-body.
    pub fn flaky() -> Self {
        Self::default()
            .every_nth("conversations/", 3, Fault::retry_after(429, "1"))
            .every_nth("conversations/", 4, Fault::html(502))
            .every_nth("conversations/", 7, Fault::ResetMidBody)
    }

    /// Every request to `path` gets `fault`.
    pub fn every(mut self, path: &str, fault: Fault) -> Self {
        self.always.insert(full_path(path), fault);
        self
    }

    pub(crate) fn fault_for(&self, path: &str, nth: u64) -> Option<Fault> {
        self.numbered
            .get(&(path.to_owned(), nth))
            .or_else(|| {
                self.periodic
                    .iter()
                    .find(|(p, n, _)| p == path && nth.is_multiple_of(*n))
                    .map(|(_, _, fault)| fault)
            })
            .or_else(|| self.always.get(path))
            .cloned()
    }
}

/// The answer a fault gives instead of the real one, for the faults that replace it.
pub(crate) fn replacement(fault: &Fault, parts: &Parts) -> Option<Reply> {
    let reply = match fault {
        Fault::Status {
            status,
            retry_after,
            html,
        } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            let mut reply = if *html {
                Reply::html(
                    status,
                    format!(
                        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n\
                         <center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n\
                         </body>\r\n</html>\r\n",
                        code = status.as_u16()
                    ),
                )
            } else if status == StatusCode::TOO_MANY_REQUESTS {
                Reply::detail(status, "Request was throttled.")
            } else {
                Reply::detail(status, &format!("{reason}."))
            };
            if let Some(value) = retry_after {
                reply = reply.with_header(RETRY_AFTER, value.clone());
            }
            reply
        }
        Fault::Redirect(location) => {
            Reply::empty(StatusCode::FOUND).with_header(LOCATION, location.clone())
        }
        Fault::InvalidUtf8 => {
            let mut body = br#"{"count": 1, "next": null, "previous": null, "results": [{"id": 1, "user": {"id": 1, "email": null, "name": ""#.to_vec();
            body.extend_from_slice(b"\xff\xfe broken");
            body.extend_from_slice(
                br#"", "key": null}, "active": true, "agent": null, "messages": 1}]}"#,
            );
            Reply::raw(StatusCode::OK, "application/json", body)
        }
        Fault::EchoAuthorization => {
            let echoed = parts
                .headers
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            Reply::detail(
                StatusCode::BAD_REQUEST,
                &format!("Malformed request header: Authorization: {echoed}"),
            )
        }
        // The other faults change the real answer rather than replace it.
        _ => return None,
    };
    Some(reply)
}

/// The body and the length to announce, as the fault shapes them.
pub(crate) fn shape_body(fault: Option<&Fault>, payload: Vec<u8>) -> (Body, usize) {
    let payload = match fault {
        Some(Fault::Oversized(size)) => pad(payload, *size),
        _ => payload,
    };
    match fault {
        Some(Fault::DelayMidBody(delay)) => split_body(payload, Some(*delay)),
        Some(Fault::ResetMidBody) => split_body(payload, None),
        Some(Fault::TruncatedJson) => {
            let half = payload.len() / 2;
            let mut payload = payload;
            payload.truncate(half);
            (Body::from(payload), half)
        }
        _ => {
            let length = payload.len();
            (Body::from(payload), length)
        }
    }
}

/// A body sent in two halves: with a pause between them, or with the connection failing
/// after the first (`pause` of `None`). The length announced is always the whole.
fn split_body(payload: Vec<u8>, pause: Option<Duration>) -> (Body, usize) {
    let length = payload.len();
    let mut first = Bytes::from(payload);
    let second = first.split_off(length / 2);
    let chunks = futures_util::stream::unfold(0_u8, move |step| {
        let (first, second) = (first.clone(), second.clone());
        async move {
            match (step, pause) {
                (0, _) => Some((Ok(first), 1)),
                (1, Some(pause)) => {
                    tokio::time::sleep(pause).await;
                    Some((Ok(second), 2))
                }
                (1, None) => {
                    // Let the head and the first half reach the client before failing.
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    Some((
                        Err(std::io::Error::new(
                            std::io::ErrorKind::ConnectionReset,
                            "fault plan: reset mid-body",
                        )),
                        2,
                    ))
                }
                _ => None,
            }
        }
    });
    (Body::from_stream(chunks), length)
}

/// A JSON object padded with a `padding` field to at least `size` bytes.
fn pad(payload: Vec<u8>, size: usize) -> Vec<u8> {
    let filler = "x".repeat(size.saturating_sub(payload.len()));
    match payload.strip_prefix(b"{") {
        Some(rest) => {
            let mut padded = format!("{{\"padding\":\"{filler}\",").into_bytes();
            if rest.starts_with(b"}") {
                padded.pop();
            }
            padded.extend_from_slice(rest);
            padded
        }
        None => payload,
    }
}

fn full_path(path: &str) -> String {
    format!("/api/public/{}", path.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_then_periodic_then_always() {
        let plan = FaultPlan::default()
            .on("x/", 6, Fault::status(500))
            .every_nth("x/", 3, Fault::status(429))
            .every_nth("x/", 2, Fault::status(502))
            .every("x/", Fault::status(504));
        let statuses: Vec<_> = (1..=7)
            .map(|n| match plan.fault_for("/api/public/x/", n) {
                Some(Fault::Status { status, .. }) => status,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(statuses, [504, 502, 429, 502, 504, 500, 504]);
        assert_eq!(plan.fault_for("/api/public/y/", 3), None);
    }
}
