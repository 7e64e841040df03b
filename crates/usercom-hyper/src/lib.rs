//! An async client for the User.com public REST API, on hyper 1 and tokio.
//!
//! A thin adapter over [`usercom_core`]: the core builds every request, parses every response
//! and decides every retry; this crate only sends, sleeps and reports, through hyper-util's
//! pooled client with rustls (ring provider, Mozilla roots). The [`Client`] is `Clone + Send + Sync` and works on a
//! multi-threaded runtime; it has the same methods as `usercom_ureq::Client`, async.
//!
//! ```no_run
//! use usercom_hyper::{Client, Config, StreamExt, conversations::ListConversations};
//!
//! # async fn run() -> Result<(), usercom_hyper::Error> {
//! let client = Client::new(Config::for_subdomain("acme", std::env::var("USERCOM_API_KEY").unwrap_or_default())?);
//!
//! // Every open conversation, across all pages; errors are yielded, never swallowed.
//! let mut conversations = client.all_conversations(ListConversations::all().open_only(true));
//! while let Some(conversation) = conversations.next().await {
//!     let conversation = conversation?;
//!     println!("{} {:?}", conversation.id, conversation.user.email);
//! }
//!
//! let detail = client.get_conversation(339461).await?;
//! println!("{} messages", detail.messages.len());
//! # Ok(())
//! # }
//! ```

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

pub use futures_util::stream::BoxStream;
pub use futures_util::{Stream, StreamExt};
pub use usercom_core::{
    ApiError, ClientOptions, Config, Endpoint, Error, Page, PagedEndpoint, Paginator, RateLimit,
    RetryPolicy, conversations,
};

use usercom_core::conversations::{
    ConversationDetail, ConversationSummary, CreateConversation, GetConversation, ListConversations,
};
use usercom_core::retry::SeedSequence;
use usercom_core::{Decision, Retry, TransportErrorKind};

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
            options,
        }
    }

    /// The config requests are built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sends any operation, retrying as the policy allows, and parses its answer.
    pub async fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output, Error> {
        let request = self.config.request(endpoint)?;
        let (response, retry) = self.call(request).await;
        retry.finish(
            response.and_then(|response| usercom_core::parse_response(endpoint, response)),
            self.config.api_key(),
        )
    }

    /// Every item of a paginated listing, page after page, fetched as the stream is polled.
    ///
    /// Yields `Err` once and then ends if a page cannot be fetched or decoded, so a failure is
    /// never mistaken for the end of the listing.
    pub fn paginate<E>(&self, endpoint: E) -> BoxStream<'static, Result<E::Item, Error>>
    where
        E: PagedEndpoint + Send + 'static,
        E::Item: Send,
    {
        let pager = Pager {
            client: self.clone(),
            pages: Paginator::new(Config::clone(&self.config), endpoint)
                .end_on_next_404(self.options.end_listing_on_next_404),
            buffer: VecDeque::new(),
            finished: false,
        };
        futures_util::stream::unfold(pager, |mut pager| async move {
            loop {
                if let Some(item) = pager.buffer.pop_front() {
                    return Some((Ok(item), pager));
                }
                if pager.finished {
                    return None;
                }
                match pager.fetch_page().await {
                    Ok(true) => {}
                    Ok(false) => pager.finished = true,
                    Err(error) => {
                        pager.finished = true;
                        return Some((Err(error), pager));
                    }
                }
            }
        })
        .boxed()
    }

    /// One page of conversations: the first, with a `next` link to follow.
    pub async fn list_conversations(
        &self,
        list: &ListConversations,
    ) -> Result<Page<ConversationSummary>, Error> {
        self.send(list).await
    }

    /// Every conversation of every page.
    pub fn all_conversations(
        &self,
        list: ListConversations,
    ) -> BoxStream<'static, Result<ConversationSummary, Error>> {
        self.paginate(list)
    }

    /// One conversation with its messages.
    pub async fn get_conversation(&self, id: i64) -> Result<ConversationDetail, Error> {
        self.send(&GetConversation::new(id)).await
    }

    /// Starts a conversation with a user.
    pub async fn create_conversation(
        &self,
        create: &CreateConversation,
    ) -> Result<ConversationSummary, Error> {
        self.send(create).await
    }

    /// Sends a request (built by the core) until the retry policy stops, within the deadline.
    /// Returns the last outcome and the call's retry state, which finishes it.
    async fn call(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> (Result<http::Response<Bytes>, Error>, Retry) {
        let started = Instant::now();
        let mut retry = Retry::for_call(&self.options, request.method(), self.seeds.next());
        loop {
            if let Some(limiter) = &self.limiter {
                limiter.until_ready().await;
            }
            let timeout = retry.attempt_timeout(started.elapsed());
            let result = self.execute_within(request.clone(), timeout).await;
            match retry.after(&result, jiff::Timestamp::now(), started.elapsed()) {
                Decision::RetryAfter(wait) => {
                    tracing::info!(
                        method = %request.method(),
                        uri = %request.uri(),
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
                    format!("no complete response within {timeout:?} for {method} {uri}"),
                )
            })??;
        tracing::debug!(
            %method,
            %uri,
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

struct Pager<E: PagedEndpoint> {
    client: Client,
    pages: Paginator<E>,
    buffer: VecDeque<E::Item>,
    finished: bool,
}

impl<E: PagedEndpoint> Pager<E> {
    async fn fetch_page(&mut self) -> Result<bool, Error> {
        let Some(request) = self.pages.next_request()? else {
            return Ok(false);
        };
        let (response, retry) = self.client.call(request).await;
        let page = retry.finish(
            response.and_then(|r| self.pages.process(r)),
            self.client.config.api_key(),
        )?;
        self.buffer.extend(page.results);
        Ok(true)
    }
}
