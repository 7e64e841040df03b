//! Timeouts and limits shared by every adapter.

use std::time::Duration;

/// Timeouts and limits of a client. Plain data: the adapters enforce them.
///
/// ```
/// use std::time::Duration;
/// use usercom_core::ClientOptions;
///
/// let options = ClientOptions::default().request_timeout(Duration::from_secs(5));
/// assert_eq!(options.connect_timeout, Duration::from_secs(10));
/// assert_eq!(options.max_body_bytes, 32 * 1024 * 1024);
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
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 32 * 1024 * 1024,
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
}
