//! The API groups, and the [`Api`] trait through which both clients offer them.
//!
//! Each group is one module of the same shape: models, operations (each an
//! [`Endpoint`](crate::Endpoint)), its registrations, and a handle whose methods are the
//! group's calls, written once for every client. Adding a group is a module here, a line in
//! [`GROUPS`] and an accessor on [`Api`]; see `docs/adding-an-endpoint.md`.

pub mod conversations;
pub mod tags;

use serde::de::DeserializeOwned;

use crate::Error;
use crate::registry::Group;
use crate::{Config, Endpoint, PagedEndpoint, Paginator};

/// Every group, in the order the CLI and the README list them.
pub static GROUPS: &[&Group] = &[&conversations::GROUP, &tags::GROUP];

/// What a client offers: every group's calls, the same names on the blocking and the async
/// client.
///
/// A client implements [`call`](Api::call) (send one operation, with retries) and
/// [`items`](Api::items) (walk a listing); every group accessor is provided here, so both
/// clients have all of them by construction.
///
/// | | `usercom_ureq::Client` | `usercom_hyper::Client` |
/// |---|---|---|
/// | [`Call<'a, T>`](Api::Call) | `Result<T, Error>` | a `Send` future of `Result<T, Error>` |
/// | [`Items<T>`](Api::Items) | an `Iterator<Item = Result<T, Error>>` | a `Stream<Item = Result<T, Error>>` |
///
/// ```
/// use usercom_core::{Api, Config, Error, Paginator, Endpoint};
///
/// /// A client that answers every call with an error, to show the shape.
/// struct Offline(Config);
///
/// impl Api for Offline {
///     type Call<'a, T: Send + 'a> = Result<T, Error>;
///     type Items<T: serde::de::DeserializeOwned + Send + 'static> = std::vec::IntoIter<Result<T, Error>>;
///
///     fn config(&self) -> &Config {
///         &self.0
///     }
///
///     fn call<'a, E>(&'a self, endpoint: E) -> Result<E::Output, Error>
///     where
///         E: Endpoint + Send + Sync + 'a,
///         E::Output: Send + 'a,
///     {
///         self.0.request(&endpoint)?;
///         Err(Error::invalid_input("offline"))
///     }
///
///     fn items<T>(&self, _pages: Paginator<T>) -> Self::Items<T>
///     where
///         T: serde::de::DeserializeOwned + Send + 'static,
///     {
///         vec![Err(Error::invalid_input("offline"))].into_iter()
///     }
/// }
///
/// let client = Offline(Config::for_subdomain("acme", "key").unwrap());
/// assert!(client.conversations().get(339461).is_err());
/// assert_eq!(client.tags().all().count(), 1);
/// ```
pub trait Api {
    /// The answer of one call: the result itself (blocking) or a future of it (async).
    type Call<'a, T: Send + 'a>
    where
        Self: 'a;

    /// The items of a listing: an iterator (blocking) or a stream (async) of results.
    type Items<T: DeserializeOwned + Send + 'static>;

    /// The config requests are built with.
    fn config(&self) -> &Config;

    /// Sends any operation, retrying as the policy allows, and parses its answer.
    fn call<'a, E>(&'a self, endpoint: E) -> Self::Call<'a, E::Output>
    where
        E: Endpoint + Send + Sync + 'a,
        E::Output: Send + 'a;

    /// Every item of a listing, page after page, fetched as they are consumed. An error is
    /// yielded once, after every item that came before it, and ends the listing.
    fn items<T>(&self, pages: Paginator<T>) -> Self::Items<T>
    where
        T: DeserializeOwned + Send + 'static;

    /// Every item of a paginated operation.
    fn paginate<E>(&self, endpoint: E) -> Self::Items<E::Item>
    where
        E: PagedEndpoint,
        E::Item: Send + 'static,
    {
        self.items(Paginator::new(self.config().clone(), &endpoint))
    }

    /// Conversations: list, read and start them.
    fn conversations(&self) -> conversations::Conversations<'_, Self>
    where
        Self: Sized,
    {
        conversations::Conversations(self)
    }

    /// Tags: list, create, rename and delete them; the users and companies that carry one.
    fn tags(&self) -> tags::Tags<'_, Self>
    where
        Self: Sized,
    {
        tags::Tags(self)
    }
}

/// A client that sends nothing: every call answers with the request it would send, and every
/// listing with the request of its first page. For dry runs, and for testing a group's calls
/// without a server.
///
/// ```
/// use usercom_core::{Api, Config, api::DryRun};
///
/// let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
/// let request = client.tags().update(5, "vip").unwrap();
/// assert_eq!(request.method(), "PUT");
/// assert_eq!(request.uri(), "https://acme.user.com/api/public/tags/5/");
/// assert_eq!(request.body(), br#"{"name":"vip"}"#);
/// ```
#[derive(Debug, Clone)]
pub struct DryRun(Config);

impl DryRun {
    /// A dry-run client for this config.
    pub fn new(config: Config) -> Self {
        Self(config)
    }
}

impl Api for DryRun {
    type Call<'a, T: Send + 'a> = Result<http::Request<Vec<u8>>, Error>;
    type Items<T: DeserializeOwned + Send + 'static> = Result<http::Request<Vec<u8>>, Error>;

    fn config(&self) -> &Config {
        &self.0
    }

    fn call<'a, E>(&'a self, endpoint: E) -> Self::Call<'a, E::Output>
    where
        E: Endpoint + Send + Sync + 'a,
        E::Output: Send + 'a,
    {
        self.0.request(&endpoint)
    }

    fn items<T>(&self, pages: Paginator<T>) -> Self::Items<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        pages
            .next_request()?
            .ok_or_else(|| Error::invalid_input("the listing has no first page"))
    }
}
