//! The sans-IO core of usercom-rs, the Rust SDK for the User.com public REST API.
//!
//! This crate does no IO: it has no HTTP client, async runtime, clock or TLS. It builds
//! complete [`http::Request`]s and parses [`http::Response`]s from bytes, so any HTTP client can
//! drive it. The `usercom-ureq` (blocking) and `usercom-hyper` (async) crates are thin adapters
//! over it.
//!
//! - [`Config`]: API root (from a subdomain or a base URL) and the key, which never shows in
//!   `Debug` or `Display`.
//! - [`Endpoint`]: one typed value per operation, such as
//!   [`conversations::ListConversations`]; [`Config::request`] builds its request with every
//!   header the API needs, [`parse_response`] decodes the answer or returns an [`Error`].
//! - [`Paginator`]: follows `next` links safely across a listing.
//!
//! # Driving the core with your own HTTP client
//!
//! ```
//! use usercom_core::{Config, Paginator, conversations::ListConversations};
//!
//! // Any HTTP client works: this one answers from memory.
//! fn send(request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
//!     assert_eq!(request.headers()["accept"], "*/*; version=2");
//!     let body = match request.uri().query() {
//!         None => r#"{"count": 2, "previous": null,
//!                    "next": "https://acme.user.com/api/public/conversations/?page=2",
//!                    "results": [{"id": 2, "user": {"id": 7, "email": null, "name": "Red Pear",
//!                                 "key": "VCJ0tmNg5wuw"}, "active": true, "agent": null,
//!                                 "messages": 1}]}"#,
//!         Some(_) => r#"{"count": 2, "previous": null, "next": null,
//!                        "results": [{"id": 1, "user": {"id": 7, "email": null, "name": null,
//!                                     "key": null}, "active": false, "agent": null,
//!                                     "messages": 3}]}"#,
//!     };
//!     http::Response::new(body.as_bytes().to_vec())
//! }
//!
//! # fn main() -> Result<(), usercom_core::Error> {
//! let config = Config::for_subdomain("acme", "your-64-character-key")?;
//! let mut pages = Paginator::new(config, ListConversations::all());
//! let mut ids = Vec::new();
//! while let Some(request) = pages.next_request()? {
//!     let page = pages.process(send(request))?;
//!     ids.extend(page.results.iter().map(|conversation| conversation.id));
//! }
//! assert_eq!(ids, [2, 1]);
//! # Ok(())
//! # }
//! ```

pub mod config;
pub mod conversations;
pub mod endpoint;
pub mod error;
pub mod options;
pub mod page;
pub mod retry;

pub use config::{ApiKey, Config};
pub use endpoint::{Endpoint, PagedEndpoint, parse_response};
pub use error::{
    ApiError, DecodeError, Error, PaginationError, TransportError, TransportErrorKind,
};
pub use options::{ClientOptions, RateLimit};
pub use page::{Page, Paginator};
pub use retry::{Decision, Outcome, Retry, RetryAfter, RetryPolicy, Stop};

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
