//! An async client for the User.com public REST API, on hyper 1 and tokio.
//!
//! A thin adapter over [`usercom_core`]: the core builds every request, parses every response
//! and decides every retry; this crate only sends, sleeps and reports, through hyper-util's
//! pooled client with rustls (ring provider, Mozilla roots). The [`Client`] is `Clone + Send + Sync` and works on a
//! multi-threaded runtime; it has the same methods as `usercom_ureq::Client`, async.
//!
//! Every group of the API is reached through the [`Api`] trait, with the same names as on
//! the blocking `usercom_ureq::Client`.
//!
//! ```no_run
//! use usercom_hyper::{Api, Client, Config, StreamExt, conversations::ListConversations};
//!
//! # async fn run() -> Result<(), usercom_hyper::Error> {
//! let client = Client::new(Config::for_subdomain("acme", std::env::var("USERCOM_API_KEY").unwrap_or_default())?);
//!
//! // Every open conversation, across all pages; errors are yielded, never swallowed.
//! let mut conversations = client.conversations().all(ListConversations::all().open_only(true));
//! while let Some(conversation) = conversations.next().await {
//!     let conversation = conversation?;
//!     println!("{} {:?}", conversation.id, conversation.user.email);
//! }
//!
//! let detail = client.conversations().get(339461).await?;
//! println!("{} messages", detail.messages.len());
//! let tag = client.tags().create("vip").await?;
//! println!("tag {} is {}", tag.id, tag.name);
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

pub use futures_util::future::BoxFuture;
pub use futures_util::stream::BoxStream;
use futures_util::stream::FuturesUnordered;
pub use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
pub use usercom_core::{
    Api, ApiError, ClientOptions, Config, Endpoint, Error, Page, PagedEndpoint, Paginator,
    RateLimit, RetryPolicy, Selector, api, conversations, tags,
};

use usercom_core::concurrent::Poll;
use usercom_core::retry::{SeedSequence, Throttle};
use usercom_core::{Concurrent, Decision, Listing, Retry, Step, TransportErrorKind};

type Http = HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// An async User.com client. Cheap to clone; clones share the connection pool and the rate
/// limit.
#[derive(Clone)]
pub struct Client {
    config: Arc<Config>,
    http: Http,
    options: ClientOptions,
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    seeds: Arc<SeedSequence>,
    throttle: Arc<Throttle>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// TLS with the ring provider chosen explicitly, so another rustls provider elsewhere in the
/// program cannot make client construction ambiguous.
fn tls_config() -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(builder) => builder.with_root_certificates(roots).with_no_client_auth(),
        // ring supports every safe default version; this arm is never taken.
        Err(_) => rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    }
}

impl Client {
    /// A client with the default [`ClientOptions`].
    pub fn new(config: Config) -> Self {
        Self::with_options(config, ClientOptions::default())
    }

    /// A client with these timeouts and limits.
    pub fn with_options(config: Config, options: ClientOptions) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(options.connect_timeout));
        tcp.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config())
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let http = HyperClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector);
        Self {
            config: Arc::new(config),
            http,
            limiter: options.rate_limit.map(|limit| {
                Arc::new(RateLimiter::direct(
                    Quota::per_second(limit.per_second).allow_burst(limit.burst),
                ))
            }),
            seeds: Arc::new(SeedSequence::random()),
            throttle: Arc::new(Throttle::default()),
            options,
        }
    }

    /// The config requests are built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sends any operation, retrying as the policy allows, and parses its answer.
    pub async fn send<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<E::Output, Error> {
        let request = self.config.request(endpoint)?;
        let (response, retry) = self
            .call_with_retries(request, E::NAME, endpoint.idempotent())
            .await;
        retry.finish(
            response.and_then(|response| self.config.parse(endpoint, response)),
            self.config.api_key(),
        )
    }

    /// Sends a request built by the core, retrying as the policy allows (`idempotent` says
    /// whether it may be resent after a failure of unknown outcome), and returns the last
    /// response whatever its status, with the number of attempts in its extensions. Parse it with [`Config::parse`] or an operation of the
    /// registry.
    pub async fn send_request(
        &self,
        request: http::Request<Vec<u8>>,
        idempotent: bool,
    ) -> Result<http::Response<Bytes>, Error> {
        let (response, retry) = self.call_with_retries(request, "request", idempotent).await;
        let attempts = usercom_core::retry::Attempts(retry.attempts());
        let mut response = retry.finish(response, self.config.api_key())?;
        response.extensions_mut().insert(attempts);
        Ok(response)
    }

    /// Sends a request (built by the core) until the retry policy stops, within the deadline.
    /// Returns the last outcome and the call's retry state, which finishes it.
    async fn call_with_retries(
        &self,
        request: http::Request<Vec<u8>>,
        name: &'static str,
        idempotent: bool,
    ) -> (Result<http::Response<Bytes>, Error>, Retry) {
        let started = Instant::now();
        let mut retry = Retry::for_call(&self.options, request.method(), self.seeds.next())
            .idempotent(idempotent);
        loop {
            if let Some(wait) = self.throttle.wait_from(Instant::now()) {
                tokio::time::sleep(wait).await;
            }
            if let Some(limiter) = &self.limiter {
                limiter.until_ready().await;
            }
            let timeout = retry.attempt_timeout(started.elapsed());
            let result = self.execute_within(request.clone(), timeout).await;
            let throttled = matches!(&result, Ok(r) if r.status() == 429);
            match retry.after(&result, jiff::Timestamp::now(), started.elapsed()) {
                Decision::RetryAfter(wait) => {
                    if throttled {
                        // The account is rate limited: every request of this client waits.
                        self.throttle.hold_until(Instant::now() + wait);
                    }
                    tracing::info!(
                        operation = name,
                        method = %request.method(),
                        uri = %self.config.api_key().redact(&request.uri().to_string()),
                        attempt = retry.attempts(),
                        wait_ms = wait.as_millis(),
                        "usercom retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                Decision::Stop(_) => return (result, retry),
            }
        }
    }

    /// Sends one request (built by the core), without retrying, and returns the complete
    /// response whatever its status.
    pub async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Bytes>, Error> {
        self.execute_within(request, self.options.request_timeout)
            .await
    }

    async fn execute_within(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Duration,
    ) -> Result<http::Response<Bytes>, Error> {
        let started = Instant::now();
        let method = request.method().clone();
        let uri = request.uri().clone();
        let exchange = async {
            let response = self
                .http
                .request(request.map(|body| Full::new(Bytes::from(body))))
                .await
                .map_err(client_error)?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(
                body,
                usize::try_from(self.options.max_body_bytes).unwrap_or(usize::MAX),
            )
            .collect()
            .await
            .map_err(body_error)?
            .to_bytes();
            Ok::<_, Error>(http::Response::from_parts(parts, body))
        };
        let response = tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| {
                Error::transport(
                    TransportErrorKind::Timeout,
                    format!(
                        "no complete response within {timeout:?} for {method} {}",
                        self.config.api_key().redact(&uri.to_string())
                    ),
                )
            })??;
        tracing::debug!(
            %method,
            uri = %self.config.api_key().redact(&uri.to_string()),
            status = response.status().as_u16(),
            bytes = response.body().len(),
            elapsed_ms = started.elapsed().as_millis(),
            "usercom request"
        );
        Ok(response)
    }
}

fn client_error(error: hyper_util::client::legacy::Error) -> Error {
    let kind = if error.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Io
    };
    Error::transport(kind, error)
}

fn body_error(error: Box<dyn std::error::Error + Send + Sync>) -> Error {
    let kind = if error.is::<LengthLimitError>() {
        TransportErrorKind::BodyTooLarge
    } else {
        TransportErrorKind::Io
    };
    Error::transport(kind, error)
}

impl Api for Client {
    type Call<'a, T: Send + 'a> = BoxFuture<'a, Result<T, Error>>;
    type Items<T: DeserializeOwned + Send + 'static> = BoxStream<'static, Result<T, Error>>;

    fn config(&self) -> &Config {
        &self.config
    }

    fn call<'a, E>(&'a self, endpoint: E) -> BoxFuture<'a, Result<E::Output, Error>>
    where
        E: Endpoint + Send + Sync + 'a,
        E::Output: Send + 'a,
    {
        Box::pin(async move { self.send(&endpoint).await })
    }

    fn items<T>(&self, pages: Paginator<T>) -> BoxStream<'static, Result<T, Error>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let name = pages.name();
        let state = (self.clone(), Listing::new(pages));
        futures_util::stream::unfold(state, move |(client, mut listing)| async move {
            loop {
                match listing.step() {
                    Step::Item(item) => return Some((Ok(item), (client, listing))),
                    Step::Failed(error) => return Some((Err(error), (client, listing))),
                    Step::End => return None,
                    Step::Send(request) => {
                        let (response, retry) = client.call_with_retries(request, name, true).await;
                        listing.receive(response, retry.attempts());
                    }
                }
            }
        })
        .boxed()
    }

    fn items_concurrently<T>(&self, driver: Concurrent<T>) -> BoxStream<'static, Result<T, Error>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        type Answer = (u64, Result<http::Response<Bytes>, Error>, u32);
        let name = driver.name();
        let in_flight = FuturesUnordered::<BoxFuture<'static, Answer>>::new();
        let state = (self.clone(), driver, in_flight);
        futures_util::stream::unfold(
            state,
            move |(client, mut driver, mut in_flight)| async move {
                loop {
                    match driver.poll() {
                        Poll::Item(item) => return Some((Ok(item), (client, driver, in_flight))),
                        Poll::Failed(error) => {
                            return Some((Err(error), (client, driver, in_flight)));
                        }
                        Poll::End => return None,
                        Poll::Pending => {
                            while let Some((page, request)) = driver.next_request() {
                                let client = client.clone();
                                in_flight.push(Box::pin(async move {
                                    let (response, retry) =
                                        client.call_with_retries(request, name, true).await;
                                    (page, response, retry.attempts())
                                }));
                            }
                            let Some((page, response, attempts)) = in_flight.next().await else {
                                let error = Error::invalid_input(
                                    "the listing waits for an answer that cannot come",
                                );
                                return Some((Err(error), (client, driver, in_flight)));
                            };
                            driver.receive(page, response, attempts);
                        }
                    }
                }
            },
        )
        .boxed()
    }
}
