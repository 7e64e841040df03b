//! A scriptable fault plan: which request to which path misbehaves, and how.

use std::collections::HashMap;
use std::time::Duration;

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

/// Faults by path and request number.
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
