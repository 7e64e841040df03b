//! An async client for the User.com public REST API, on hyper 1 and tokio.
//!
//! A thin adapter over [`usercom_core`]: the core builds every request, parses every response
//! and decides every retry; this crate only sends, sleeps and reports, through hyper-util's
//! pooled client with rustls. The [`Client`] is `Clone + Send + Sync` and works on a
//! multi-threaded runtime; it has the same methods as `usercom_ureq::Client`, async.
//! `http`, `jiff`, `rustls` and the core's [`endpoint`] module are re-exported, so this
//! crate (and tokio, with its `macros` and `rt-multi-thread` features for `#[tokio::main]`)
//! is all a program needs.
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
//!
//! # TLS and features
//!
//! | feature | default | what it does |
//! |---|---|---|
//! | `ring` | yes | rustls with the ring crypto provider |
//! | `aws-lc-rs` | no | rustls with aws-lc-rs (preferred over ring when both are on) |
//! | `webpki-roots` | yes | trust Mozilla's root certificates, compiled in |
//! | `native-roots` | no | trust the operating system's store through rustls-platform-verifier (preferred over Mozilla's roots): private CAs, TLS-inspecting corporate proxies |
//!
//! With neither `ring` nor `aws-lc-rs`, the provider the program installed with
//! `rustls::crypto::CryptoProvider::install_default` before making the client is used;
//! without one, every request fails with a clear TLS error. For anything else (a client
//! certificate, one extra root), pass a [`rustls::ClientConfig`] to
//! [`Client::with_tls_config`]; redirects are still never followed and error statuses are
//! still answers.
//!
//! # Proxies
//!
//! The proxy comes from the [`Config`] ([`Proxy`]): by default `HTTPS_PROXY`/`ALL_PROXY`
//! unless `NO_PROXY` names the host, read when the client is made. The API is reached
//! through a `CONNECT` tunnel, so TLS runs end to end and the proxy never sees the key; a
//! plain-http API root (loopback, or one opted into) is never sent through a proxy.
//! `usercom_ureq::Client` does the same.
//!
//! # Failures
//!
//! Every transport error names the host, keeps its cause (a DNS failure and a refused
//! connection read differently) and says whether the request may have reached the server
//! ([`TransportErrorKind`]). A request that was provably not sent (no connection, or given
//! back unsent by the connection pool) is retried whatever its method; a name that does not
//! resolve, an untrusted certificate or a broken answer (conflicting `Content-Length`) fails
//! at once. Each failed attempt is logged through `tracing` with its reason: `usercom
//! retrying` (INFO) before a retry, `usercom giving up` (INFO) at the end of a retried call,
//! `usercom attempt failed` (DEBUG) when a single attempt failed; the key is redacted.

mod connect;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::{TokioExecutor, TokioTimer};

pub use futures_util::future::BoxFuture;
pub use futures_util::stream::BoxStream;
use futures_util::stream::FuturesUnordered;
pub use futures_util::{Stream, StreamExt};
/// The rustls crate, for [`Client::with_tls_config`].
pub use rustls;
use serde::de::DeserializeOwned;
pub use usercom_core::{
    Api, ApiError, ClientOptions, Config, Endpoint, Error, Page, PagedEndpoint, Paginator, Proxy,
    RateLimit, RetryPolicy, Selector, TransportError, TransportErrorKind, api, conversations,
    endpoint, http, jiff, tags,
};

use usercom_core::concurrent::Poll;
use usercom_core::retry::{SeedSequence, Throttle};
use usercom_core::{Concurrent, Decision, Listing, Retry, Step};

type Http = HyperClient<HttpsConnector<connect::Connector>, Full<Bytes>>;

/// An async User.com client. Cheap to clone; clones share the connection pool and the rate
/// limit.
#[derive(Clone)]
pub struct Client {
    config: Arc<Config>,
    /// The pooled HTTP client, or why none could be made (no TLS provider, a bad proxy).
    http: Result<Http, Arc<str>>,
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

impl Client {
    /// A client with the default [`ClientOptions`].
    pub fn new(config: Config) -> Self {
        Self::with_options(config, ClientOptions::default())
    }

    /// A client with these timeouts and limits, with TLS as the crate's features choose it
    /// (see the crate docs).
    pub fn with_options(config: Config, options: ClientOptions) -> Self {
        let http = connect::tls_config()
            .map_err(Arc::from)
            .and_then(|tls| build(&config, &options, tls));
        Self::from_parts(config, options, http)
    }

    /// A client that speaks TLS with this rustls configuration (its crypto provider, its
    /// roots, its client certificate). The client sets the ALPN protocols itself.
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use usercom_hyper::{Client, ClientOptions, Config, rustls};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut roots = rustls::RootCertStore::empty();
    /// roots.add(rustls::pki_types::CertificateDer::from(std::fs::read("corporate-ca.der")?))?;
    /// let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
    ///     rustls::crypto::ring::default_provider(),
    /// ))
    /// .with_safe_default_protocol_versions()?
    /// .with_root_certificates(roots)
    /// .with_no_client_auth();
    /// let config = Config::for_subdomain("acme", std::env::var("USERCOM_API_KEY")?)?;
    /// let client = Client::with_tls_config(config, ClientOptions::default(), tls);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_tls_config(
        config: Config,
        options: ClientOptions,
        tls: rustls::ClientConfig,
    ) -> Self {
        let http = build(&config, &options, tls);
        Self::from_parts(config, options, http)
    }

    fn from_parts(config: Config, options: ClientOptions, http: Result<Http, Arc<str>>) -> Self {
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
            let decision = retry.after(&result, jiff::Timestamp::now(), started.elapsed());
            usercom_core::retry::log_attempt(
                &self.config,
                name,
                &request,
                &result,
                decision,
                retry.attempts(),
            );
            match decision {
                Decision::RetryAfter(wait) => {
                    if throttled {
                        // The account is rate limited: every request of this client waits.
                        self.throttle.hold_until(Instant::now() + wait);
                    }
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
        let host = uri
            .authority()
            .map_or_else(String::new, ToString::to_string);
        let http = match &self.http {
            Ok(http) => http,
            Err(why) => {
                return Err(
                    Error::transport(TransportErrorKind::Tls, why.to_string()).with_host(host)
                );
            }
        };
        let exchange = async {
            let response = http
                .request(request.map(|body| Full::new(Bytes::from(body))))
                .await
                .map_err(|e| connect::client_error(e).with_host(&host))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(
                body,
                usize::try_from(self.options.max_body_bytes).unwrap_or(usize::MAX),
            )
            .collect()
            .await
            .map_err(|e| body_error(e).with_host(&host))?
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
                .with_host(&host)
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

/// The pooled client over the proxy the config names (if any) and this TLS configuration.
fn build(
    config: &Config,
    options: &ClientOptions,
    tls: rustls::ClientConfig,
) -> Result<Http, Arc<str>> {
    let proxy = config
        .proxy_for(|name| std::env::var(name).ok())
        .map_err(|e| Arc::from(e.to_string()))?;
    let connector = connect::Connector::new(options, proxy.as_ref())?;
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(connector);
    Ok(HyperClient::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .build(connector))
}

fn body_error(error: Box<dyn std::error::Error + Send + Sync>) -> Error {
    let kind = if error.is::<LengthLimitError>() {
        TransportErrorKind::BodyTooLarge
    } else {
        connect::kind_of(&*error).unwrap_or(TransportErrorKind::Io)
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
