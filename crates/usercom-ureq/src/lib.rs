//! A blocking client for the User.com public REST API, on ureq 3.
//!
//! A thin adapter over [`usercom_core`]: the core builds every request, parses every response
//! and decides every retry; this crate only sends, sleeps and reports, over one reused
//! [`ureq::Agent`].
//!
//! Every group of the API is reached through the [`Api`] trait, with the same names as on
//! the async `usercom_hyper::Client`.
//!
//! ```no_run
//! use usercom_ureq::{Api, Client, Config, conversations::ListConversations};
//!
//! # fn main() -> Result<(), usercom_ureq::Error> {
//! let client = Client::new(Config::for_subdomain("acme", std::env::var("USERCOM_API_KEY").unwrap_or_default())?);
//!
//! // Every open conversation, across all pages; errors are yielded, never swallowed.
//! for conversation in client.conversations().all(ListConversations::all().open_only(true)) {
//!     let conversation = conversation?;
//!     println!("{} {:?}", conversation.id, conversation.user.email);
//! }
//!
//! let detail = client.conversations().get(339461)?;
//! for message in &detail.messages {
//!     println!("{} {}: {}", message.timestamp, message.source, message.content);
//! }
//! let tag = client.tags().create("vip")?;
//! println!("tag {} is {}", tag.id, tag.name);
//! # Ok(())
//! # }
//! ```
//!
//! `http`, `jiff` and the core's [`endpoint`] module are re-exported, so this crate is the
//! only dependency a program needs.
//!
//! # TLS and features
//!
//! | feature | default | what it does |
//! |---|---|---|
//! | `ring` | yes | rustls with the ring crypto provider |
//! | `aws-lc-rs` | no | rustls with aws-lc-rs (preferred over ring when both are on) |
//! | `webpki-roots` | yes | trust Mozilla's root certificates, compiled in |
//! | `native-roots` | no | trust the operating system's store through rustls-platform-verifier (preferred over Mozilla's roots): private CAs, TLS-inspecting corporate proxies |
//! | `no-wire-trace` | yes | see *The key in logs* below |
//!
//! With neither `ring` nor `aws-lc-rs`, the provider the program installed with
//! `rustls::crypto::CryptoProvider::install_default` is used, and an https request without
//! one fails with a clear TLS error. For anything else (a client certificate, one extra
//! root), build a [`ureq::Agent`] and pass it to [`Client::with_agent`]: the core's rules
//! (no redirects followed, error statuses as answers, no headers of ureq's own, the
//! options' timeouts, the [`Config`]'s proxy) are set on every request, so they hold on any
//! agent.
//!
//! # Proxies
//!
//! The proxy comes from the [`Config`] ([`Proxy`]): by default `HTTPS_PROXY`/`ALL_PROXY`
//! unless `NO_PROXY` names the host, read when the client is made; ureq's own reading of
//! the environment is switched off. The API is reached through a `CONNECT` tunnel, so TLS
//! runs end to end and the proxy never sees the key; a plain-http API root (loopback, or
//! one opted into) is never sent through a proxy. `usercom_hyper::Client` does the same.
//!
//! # Failures
//!
//! Every transport error names the host and says whether the request may have reached the
//! server ([`TransportErrorKind`]). A request that was provably not sent (no connection) is
//! retried whatever its method; a name that does not resolve, an untrusted certificate or a
//! broken answer (conflicting `Content-Length`) fails at once. Each failed attempt is logged
//! through `tracing` with its reason: `usercom retrying` (INFO) before a retry, `usercom
//! giving up` (INFO) at the end of a retried call, `usercom attempt failed` (DEBUG) when a
//! single attempt failed; URLs and reasons have the key redacted.
//!
//! # The key in logs
//!
//! ureq logs through the `log` crate, and ureq-proto hexdumps every request at TRACE,
//! `Authorization` header included. The default `no-wire-trace` feature caps the `log`
//! crate at DEBUG (its `max_level_debug` features) so that dump is compiled out: note that
//! this caps every `log` TRACE record of the program, not only ureq's (`tracing` events are
//! unaffected). Turning the feature off (`default-features = false`) brings the dump back:
//! never run a program so built with a `log` logger at TRACE where the logs are kept.

mod resolver;
mod tls;

use std::io;
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::de::DeserializeOwned;
/// The ureq crate this client is built on, for [`Client::with_agent`].
pub use ureq;
pub use usercom_core::{
    Api, ApiError, ClientOptions, Config, Endpoint, Error, Page, PagedEndpoint, Paginator, Proxy,
    RateLimit, RetryPolicy, Selector, TransportError, TransportErrorKind, api, conversations,
    endpoint, http, jiff, tags,
};

use usercom_core::concurrent::Poll;
use usercom_core::retry::Throttle;
use usercom_core::{Concurrent, Decision, Listing, Retry, Step};

/// A blocking User.com client. Cheap to clone; clones share the connection pool and the
/// rate limit.
#[derive(Clone)]
pub struct Client {
    config: Config,
    agent: ureq::Agent,
    /// The proxy every request goes through, or why none can be used.
    proxy: Result<Option<ureq::Proxy>, String>,
    options: ClientOptions,
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    seeds: Arc<usercom_core::retry::SeedSequence>,
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

    /// A client with these timeouts and limits, over an agent of its own (TLS as the
    /// crate's features choose: see the crate docs).
    pub fn with_options(config: Config, options: ClientOptions) -> Self {
        let http = ureq::Agent::config_builder()
            // Error statuses are answers: their bodies go to the core's parser.
            .http_status_as_error(false)
            // A redirect would take the key elsewhere; the core reports it instead.
            .max_redirects(0)
            // The core sets every header; ureq adds none of its own.
            .user_agent("")
            .accept("")
            // Concurrent listings and imports keep several connections busy; keep them.
            .max_idle_connections_per_host(32)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_per_call(Some(options.request_timeout))
            // The proxy is chosen per client from the Config, not from ureq's reading of
            // the environment (which would send plain http through a proxy too).
            .proxy(None)
            .tls_config(tls::config())
            .build();
        // A name is resolved once per lifetime and an address not at all, so a pooled
        // connection is reused without a thread and a lookup per request.
        let agent = ureq::Agent::with_parts(
            http,
            ureq::unversioned::transport::DefaultConnector::default(),
            resolver::CachingResolver::new(),
        );
        Self::with_agent(config, options, agent)
    }

    /// A client over an agent of the caller's (its TLS, its connection pool, its
    /// middleware).
    ///
    /// The core's rules hold on any agent, because the client sets them on every request:
    /// redirects are never followed, error statuses are answers (never `Err`), ureq adds no
    /// headers of its own, the timeouts are the `options`' and the proxy is the
    /// [`Config`]'s ([`Proxy`]; the agent's own proxy setting is not used). A middleware
    /// on the agent sees the `Authorization` header: it must not log it.
    ///
    /// ```no_run
    /// use usercom_ureq::{Client, ClientOptions, Config};
    ///
    /// # fn main() -> Result<(), usercom_ureq::Error> {
    /// let agent: ureq::Agent = ureq::Agent::config_builder()
    ///     .max_idle_connections(4)
    ///     .build()
    ///     .into();
    /// let config = Config::for_subdomain("acme", std::env::var("USERCOM_API_KEY").unwrap_or_default())?;
    /// let client = Client::with_agent(config, ClientOptions::default(), agent);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_agent(config: Config, options: ClientOptions, agent: ureq::Agent) -> Self {
        let proxy = match config.proxy_for(|name| std::env::var(name).ok()) {
            Ok(None) => Ok(None),
            Ok(Some(url)) => ureq::Proxy::new(url.as_str())
                .map(Some)
                .map_err(|e| format!("the proxy cannot be used: {e}")),
            Err(error) => Err(error.to_string()),
        };
        Self {
            config,
            agent,
            proxy,
            limiter: options.rate_limit.map(|limit| {
                Arc::new(RateLimiter::direct(
                    Quota::per_second(limit.per_second).allow_burst(limit.burst),
                ))
            }),
            seeds: Arc::new(usercom_core::retry::SeedSequence::random()),
            throttle: Arc::new(Throttle::default()),
            options,
        }
    }

    /// The config requests are built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sends any operation, retrying as the policy allows, and parses its answer.
    pub fn send<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<E::Output, Error> {
        let request = self.config.request(endpoint)?;
        let (response, retry) = self.call_with_retries(request, E::NAME, endpoint.idempotent());
        retry.finish(
            response.and_then(|response| self.config.parse(endpoint, response)),
            self.config.api_key(),
        )
    }

    /// Sends a request built by the core, retrying as the policy allows (`idempotent` says
    /// whether it may be resent after a failure of unknown outcome), and returns the last
    /// response whatever its status, with the number of attempts in its extensions. Parse it with [`Config::parse`] or an operation of the
    /// registry.
    pub fn send_request(
        &self,
        request: http::Request<Vec<u8>>,
        idempotent: bool,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        let (response, retry) = self.call_with_retries(request, "request", idempotent);
        let attempts = usercom_core::retry::Attempts(retry.attempts());
        let mut response = retry.finish(response, self.config.api_key())?;
        response.extensions_mut().insert(attempts);
        Ok(response)
    }

    /// Sends a request (built by the core) until the retry policy stops, within the deadline.
    /// Returns the last outcome and the call's retry state, which finishes it.
    fn call_with_retries(
        &self,
        request: http::Request<Vec<u8>>,
        name: &'static str,
        idempotent: bool,
    ) -> (Result<http::Response<Vec<u8>>, Error>, Retry) {
        let started = Instant::now();
        let mut retry = Retry::for_call(&self.options, request.method(), self.seeds.next())
            .idempotent(idempotent);
        loop {
            if let Some(wait) = self.throttle.wait_from(Instant::now()) {
                std::thread::sleep(wait);
            }
            self.wait_for_rate_limit();
            let timeout = retry.attempt_timeout(started.elapsed());
            let result = self.execute_within(request.clone(), timeout);
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
                    std::thread::sleep(wait);
                }
                Decision::Stop(_) => return (result, retry),
            }
        }
    }

    fn wait_for_rate_limit(&self) {
        if let Some(limiter) = &self.limiter {
            while let Err(not_until) = limiter.check() {
                std::thread::sleep(not_until.wait_time_from(limiter.clock().now()));
            }
        }
    }

    /// Sends one request (built by the core), without retrying, and returns the complete
    /// response whatever its status.
    pub fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        self.execute_within(request, self.options.request_timeout)
    }

    fn execute_within(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        let started = Instant::now();
        let method = request.method().clone();
        let uri = request.uri().clone();
        let host = uri
            .authority()
            .map_or_else(String::new, ToString::to_string);
        let proxy = self.proxy.clone().map_err(Error::invalid_input)?;
        if uri.scheme() == Some(&http::uri::Scheme::HTTPS)
            && let Some(missing) = tls::missing_provider(&self.agent)
        {
            return Err(Error::transport(TransportErrorKind::Tls, missing).with_host(&host));
        }
        // Set on every request, so that they hold on an agent of the caller's too.
        let request = self
            .agent
            .configure_request(request)
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent("")
            .accept("")
            .proxy(proxy)
            .timeout_connect(Some(self.options.connect_timeout))
            .timeout_per_call(Some(timeout))
            .build();
        let response = self
            .agent
            .run(request)
            .map_err(|e| transport_error(e).with_host(&host))?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(self.options.max_body_bytes)
            .read_to_vec()
            .map_err(|e| transport_error(e).with_host(&host))?;
        tracing::debug!(
            %method,
            uri = %self.config.api_key().redact(&uri.to_string()),
            status = parts.status.as_u16(),
            bytes = bytes.len(),
            elapsed_ms = started.elapsed().as_millis(),
            "usercom request"
        );
        Ok(http::Response::from_parts(parts, bytes))
    }
}

fn transport_error(error: ureq::Error) -> Error {
    use ureq::Timeout as T;
    let kind = match &error {
        // No connection was made in time: the request was not sent.
        ureq::Error::Timeout(T::Resolve | T::Connect) => TransportErrorKind::Connect,
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::HostNotFound => TransportErrorKind::Dns,
        ureq::Error::Other(inner) if inner.is::<resolver::ResolveFailed>() => {
            TransportErrorKind::Dns
        }
        ureq::Error::ConnectionFailed | ureq::Error::ConnectProxyFailed(_) => {
            TransportErrorKind::Connect
        }
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::TlsRequired => {
            TransportErrorKind::Tls
        }
        ureq::Error::Protocol(_)
        | ureq::Error::LargeResponseHeader(..)
        | ureq::Error::BadUri(_)
        | ureq::Error::Http(_) => TransportErrorKind::Protocol,
        ureq::Error::BodyExceedsLimit(_) => TransportErrorKind::BodyTooLarge,
        ureq::Error::Io(io) => io_kind(io),
        _ => TransportErrorKind::Io,
    };
    Error::transport(kind, error)
}

fn io_kind(io: &io::Error) -> TransportErrorKind {
    // rustls reports a failed handshake (an untrusted certificate) as an io::Error, which
    // may itself be wrapped in another.
    let mut wrapped = io.get_ref();
    while let Some(inner) = wrapped {
        if inner.is::<rustls::Error>() {
            return TransportErrorKind::Tls;
        }
        wrapped = inner
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref);
    }
    match io.kind() {
        io::ErrorKind::ConnectionRefused | io::ErrorKind::AddrNotAvailable => {
            TransportErrorKind::Connect
        }
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportErrorKind::Timeout,
        _ => TransportErrorKind::Io,
    }
}

impl Api for Client {
    type Call<'a, T: Send + 'a> = Result<T, Error>;
    type Items<T: DeserializeOwned + Send + 'static> = Items<T>;

    fn config(&self) -> &Config {
        &self.config
    }

    fn call<'a, E>(&'a self, endpoint: E) -> Result<E::Output, Error>
    where
        E: Endpoint + Send + Sync + 'a,
        E::Output: Send + 'a,
    {
        self.send(&endpoint)
    }

    fn items<T>(&self, pages: Paginator<T>) -> Items<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        Items {
            client: self.clone(),
            name: pages.name(),
            source: Source::Pages(Box::new(Listing::new(pages))),
        }
    }

    fn items_concurrently<T>(&self, driver: Concurrent<T>) -> Items<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        Items {
            client: self.clone(),
            name: driver.name(),
            source: Source::Concurrent(Box::new(Workers::new(driver))),
        }
    }
}

/// The items of a paginated listing, fetched page by page as the iterator advances; see
/// [`Api::paginate`].
///
/// Yields `Err` once, after every item that came before it, and then ends, so a failure is
/// never mistaken for the end of the listing.
pub struct Items<T> {
    client: Client,
    name: &'static str,
    source: Source<T>,
}

enum Source<T> {
    /// One page after another, on the caller's thread.
    Pages(Box<Listing<T>>),
    /// Several pages at once, on worker threads of this listing.
    Concurrent(Box<Workers<T>>),
}

type Answer = (u64, Result<http::Response<Vec<u8>>, Error>, u32);

/// The worker threads of one concurrent listing: started at its first request, as many as
/// it may have in flight, stopped when it is dropped.
struct Workers<T> {
    driver: Concurrent<T>,
    jobs: Option<mpsc::Sender<(u64, http::Request<Vec<u8>>)>>,
    answers: Option<mpsc::Receiver<Answer>>,
    in_flight: usize,
    pages: u64,
}

impl<T: DeserializeOwned> Workers<T> {
    fn new(driver: Concurrent<T>) -> Self {
        Self {
            driver,
            jobs: None,
            answers: None,
            in_flight: 0,
            pages: 0,
        }
    }

    fn start(&mut self, client: &Client, name: &'static str, count: usize) -> Result<(), Error> {
        let (jobs, queue) = mpsc::channel::<(u64, http::Request<Vec<u8>>)>();
        let (done, answers) = mpsc::channel::<Answer>();
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..count.max(1) {
            let (client, queue, done) = (client.clone(), Arc::clone(&queue), done.clone());
            std::thread::Builder::new()
                .name(format!("usercom {name}"))
                .spawn(move || {
                    loop {
                        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        let Ok((page, request)) = job else { return };
                        let (response, retry) = client.call_with_retries(request, name, true);
                        if done.send((page, response, retry.attempts())).is_err() {
                            return;
                        }
                    }
                })
                .map_err(|e| Error::transport(TransportErrorKind::Io, e))?;
        }
        self.jobs = Some(jobs);
        self.answers = Some(answers);
        Ok(())
    }

    fn next(&mut self, client: &Client, name: &'static str) -> Option<Result<T, Error>> {
        loop {
            match self.driver.poll() {
                Poll::Item(item) => return Some(Ok(item)),
                Poll::Failed(error) => return Some(Err(error)),
                Poll::End => return None,
                Poll::Pending => {
                    while let Some((page, request)) = self.driver.next_request() {
                        if self.jobs.is_none()
                            && let Err(error) =
                                self.start(client, name, self.driver.max_in_flight())
                        {
                            return Some(Err(error));
                        }
                        let sent = self
                            .jobs
                            .as_ref()
                            .is_some_and(|jobs| jobs.send((page, request)).is_ok());
                        if !sent {
                            return Some(Err(Error::invalid_input(
                                "the listing's workers stopped",
                            )));
                        }
                        self.in_flight += 1;
                    }
                    let answer = self.answers.as_ref().and_then(|answers| {
                        (self.in_flight > 0).then(|| answers.recv().ok()).flatten()
                    });
                    let Some((page, response, attempts)) = answer else {
                        return Some(Err(Error::invalid_input(
                            "the listing waits for an answer that cannot come",
                        )));
                    };
                    self.in_flight -= 1;
                    self.pages += 1;
                    self.driver.receive(page, response, attempts);
                }
            }
        }
    }
}

impl<T> std::fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("operation", &self.name)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> Items<T> {
    /// How many items of the pages fetched are not yet yielded: 0 right after the last item
    /// of a page, so a caller can print or store a listing a page at a time.
    pub fn buffered(&self) -> usize {
        match &self.source {
            Source::Pages(listing) => listing.buffered(),
            Source::Concurrent(workers) => workers.driver.buffered(),
        }
    }

    /// How many pages have been fetched so far.
    pub fn pages_fetched(&self) -> u64 {
        match &self.source {
            Source::Pages(listing) => listing.pages(),
            Source::Concurrent(workers) => workers.pages,
        }
    }
}

impl<T: DeserializeOwned> Iterator for Items<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let listing = match &mut self.source {
            Source::Pages(listing) => listing,
            Source::Concurrent(workers) => return workers.next(&self.client, self.name),
        };
        loop {
            match listing.step() {
                Step::Item(item) => return Some(Ok(item)),
                Step::Failed(error) => return Some(Err(error)),
                Step::End => return None,
                Step::Send(request) => {
                    let (response, retry) = self.client.call_with_retries(request, self.name, true);
                    listing.receive(response, retry.attempts());
                }
            }
        }
    }
}
