//! The sans-IO core of usercom-rs, the Rust SDK for the User.com public REST API.
//!
//! This crate does no IO: it has no HTTP client, async runtime, clock or TLS. It builds
//! complete [`http::Request`]s and parses [`http::Response`]s from bytes, so any HTTP client can
//! drive it. The `usercom-ureq` (blocking) and `usercom-hyper` (async) crates are thin adapters
//! over it.
//!
//! The crate has two halves:
//!
//! - the engine every group shares: [`Config`] (API root and key, which never shows in
//!   `Debug` or `Display`), [`Endpoint`] (one typed value per operation; [`Config::request`]
//!   builds its request, [`Config::parse`] decodes the answer or returns an [`Error`]),
//!   [`Paginator`] and [`Listing`] (follow `next` links safely), [`retry`], and the
//!   [`registry`] of every operation;
//! - the API groups under [`api`] (re-exported at the root: [`conversations`], [`users`],
//!   [`companies`], [`deals`], [`products`], [`activities`], [`attributes`], [`events`],
//!   [`tags`], [`lists`], [`segments`]),
//!   each a module of models, operations and the calls every client offers through [`Api`].
//!
//! # Driving the core with your own HTTP client
//!
//! ```
//! use usercom_core::{Config, Listing, Paginator, Step, conversations::ListConversations};
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
//! let mut listing = Listing::new(Paginator::new(config, &ListConversations::all()));
//! let mut ids = Vec::new();
//! loop {
//!     match listing.step() {
//!         Step::Item(conversation) => ids.push(conversation.id),
//!         Step::Send(request) => listing.receive(Ok(send(request)), 1),
//!         Step::Failed(error) => return Err(error),
//!         Step::End => break,
//!     }
//! }
//! assert_eq!(ids, [2, 1]);
//! # Ok(())
//! # }
//! ```

pub mod api;
pub mod concurrent;
pub mod config;
pub mod endpoint;
pub mod error;
pub mod family;
pub mod lenient;
pub mod listing;
mod lossless;
pub mod options;
pub mod registry;
pub mod retry;
pub mod selector;
pub mod webhooks;

pub use api::{
    Api, activities, attributes, companies, conversations, deals, events, lists, products,
    segments, tags, users,
};
pub use concurrent::Concurrent;
pub use config::{ApiKey, Config, Proxy};
pub use endpoint::{Endpoint, Envelope, PagedEndpoint, Raw, RawItems, RawJson};
pub use error::{
    ApiError, DecodeError, Error, PaginationError, TransportError, TransportErrorKind,
};
/// The `http` crate, whose types ([`http::StatusCode`], [`http::Method`], requests and
/// responses) appear in this crate's API.
pub use http;
/// The `jiff` crate, whose [`jiff::Timestamp`] is every timestamp in the models.
pub use jiff;
pub use lenient::Lenient;
pub use listing::{Listing, Page, Paginator, Step};
pub use options::{ClientOptions, RateLimit};
pub use retry::{Decision, Outcome, Retry, RetryAfter, RetryPolicy, Stop};
pub use selector::Selector;

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
