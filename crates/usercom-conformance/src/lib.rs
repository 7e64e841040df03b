//! One conformance suite for both clients.
//!
//! A behaviour both clients share is written once, as a function generic over [`Harness`],
//! and run against the blocking client ([`Blocking`]) and the async one ([`Async`]). The
//! harness only waits for a call or collects a listing; everything else goes through the
//! [`Api`] trait, the same calls a user makes, so the two clients cannot drift apart.

use std::fmt::Debug;

use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use usercom_core::{Api, ClientOptions, Config, Error};

/// A client under test, and how to wait for its answers.
pub trait Harness {
    /// The client.
    type Client: Api + Clone + Debug + Send + Sync + 'static;

    /// A harness around a new client.
    fn new(config: Config, options: ClientOptions) -> Self;

    /// The client.
    fn client(&self) -> &Self::Client;

    /// The outcome of a call.
    fn wait<'a, T: Send + 'a>(&self, call: <Self::Client as Api>::Call<'a, T>) -> Result<T, Error>;

    /// Every result of a listing.
    fn collect<T: DeserializeOwned + Send + 'static>(
        &self,
        items: <Self::Client as Api>::Items<T>,
    ) -> Vec<Result<T, Error>>;
}

/// The blocking client, `usercom_ureq::Client`.
#[derive(Debug)]
pub struct Blocking(usercom_ureq::Client);

impl Harness for Blocking {
    type Client = usercom_ureq::Client;

    fn new(config: Config, options: ClientOptions) -> Self {
        Self(usercom_ureq::Client::with_options(config, options))
    }

    fn client(&self) -> &Self::Client {
        &self.0
    }

    fn wait<'a, T: Send + 'a>(&self, call: Result<T, Error>) -> Result<T, Error> {
        call
    }

    fn collect<T: DeserializeOwned + Send + 'static>(
        &self,
        items: usercom_ureq::Items<T>,
    ) -> Vec<Result<T, Error>> {
        items.collect()
    }
}

/// The async client, `usercom_hyper::Client`, on a multi-threaded runtime of its own.
#[derive(Debug)]
pub struct Async {
    client: usercom_hyper::Client,
    runtime: tokio::runtime::Runtime,
}

impl Harness for Async {
    type Client = usercom_hyper::Client;

    fn new(config: Config, options: ClientOptions) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap_or_else(|e| unreachable!("a test runtime starts: {e}"));
        // The client's pool and timers belong to the runtime that drives it.
        let client = {
            let _entered = runtime.enter();
            usercom_hyper::Client::with_options(config, options)
        };
        Self { client, runtime }
    }

    fn client(&self) -> &Self::Client {
        &self.client
    }

    fn wait<'a, T: Send + 'a>(
        &self,
        call: usercom_hyper::BoxFuture<'a, Result<T, Error>>,
    ) -> Result<T, Error> {
        self.runtime.block_on(call)
    }

    fn collect<T: DeserializeOwned + Send + 'static>(
        &self,
        items: usercom_hyper::BoxStream<'static, Result<T, Error>>,
    ) -> Vec<Result<T, Error>> {
        // Consumed on a task of the multi-threaded runtime, as an application would.
        let task = self.runtime.spawn(items.collect::<Vec<_>>());
        self.runtime
            .block_on(task)
            .unwrap_or_else(|e| vec![Err(Error::invalid_input(format!("the task failed: {e}")))])
    }
}

/// Runs each named test body against both clients: `conformance!(a_test, another);` makes
/// `blocking::a_test` and `async_client::a_test`.
#[macro_export]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod blocking {
            $(
                #[test]
                fn $name() {
                    super::$name::<$crate::Blocking>();
                }
            )*
        }

        mod async_client {
            $(
                #[test]
                fn $name() {
                    super::$name::<$crate::Async>();
                }
            )*
        }
    };
}

/// The README's Rust examples, compiled as doctests so that they cannot rot.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeExamples;
