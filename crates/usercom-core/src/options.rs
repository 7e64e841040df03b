//! Timeouts and limits shared by every adapter.

use std::num::NonZeroU32;
use std::time::Duration;

use crate::RetryPolicy;

/// Timeouts and limits of a client. Plain data: the adapters enforce them.
///
/// ```
/// use std::time::Duration;
/// use usercom_core::ClientOptions;
///
/// let options = ClientOptions::default().request_timeout(Duration::from_secs(5));
/// assert_eq!(options.connect_timeout, Duration::from_secs(10));
/// assert_eq!(options.max_body_bytes, 32 * 1024 * 1024);
/// assert_eq!(options.retry.max_attempts, 5);
/// assert!(options.rate_limit.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientOptions {
    /// How long to wait for a connection (TCP and TLS). Default 10 s.
    pub connect_timeout: Duration,
    /// How long one request may take, from connecting to the end of the body. Default 30 s.
    pub request_timeout: Duration,
    /// The largest response body accepted. Default 32 MiB.
    pub max_body_bytes: u64,
    /// The most one call may take, all attempts and waits included. Default 5 minutes.
    pub deadline: Option<Duration>,
    /// When and how often to retry.
    pub retry: RetryPolicy,
    /// A client-side request rate, shared by every request of one client. Default none.
    pub rate_limit: Option<RateLimit>,
}

/// A client-side request rate: a token bucket refilled at `per_second`, holding `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: NonZeroU32,
    /// How many requests may go at once after a quiet spell.
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// `per_second` requests per second, in bursts of at most `burst`; zero is invalid input.
    pub fn new(per_second: u32, burst: u32) -> Result<Self, crate::Error> {
        match (NonZeroU32::new(per_second), NonZeroU32::new(burst)) {
            (Some(per_second), Some(burst)) => Ok(Self { per_second, burst }),
            _ => Err(crate::Error::invalid_input(format!(
                "a rate limit needs at least one request per second and a burst of at least \
                 one (got {per_second}/s, burst {burst})"
            ))),
        }
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 32 * 1024 * 1024,
            deadline: Some(Duration::from_secs(300)),
            retry: RetryPolicy::default(),
            rate_limit: None,
        }
    }
}

impl ClientOptions {
    /// Sets the connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the timeout of one request.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets the largest response body accepted.
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Sets the deadline of one call, all attempts included (`None`: no deadline).
    pub fn deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets the retry policy ([`RetryPolicy::disabled`] switches retries off).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets a client-side rate limit.
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.rate_limit = limit;
        self
    }
}
