//! A blocking client for the User.com public REST API, on ureq 3.
//!
//! A thin adapter over [`usercom_core`]: the core builds every request, parses every response
//! and decides every retry; this crate only sends, sleeps and reports, over one reused
//! [`ureq::Agent`].
//!
//! ```no_run
//! use usercom_ureq::{Client, Config, conversations::ListConversations};
//!
//! # fn main() -> Result<(), usercom_ureq::Error> {
//! let client = Client::new(Config::for_subdomain("acme", std::env::var("USERCOM_API_KEY").unwrap_or_default())?);
//!
//! // Every open conversation, across all pages; errors are yielded, never swallowed.
//! for conversation in client.all_conversations(ListConversations::all().open_only(true)) {
//!     let conversation = conversation?;
//!     println!("{} {:?}", conversation.id, conversation.user.email);
//! }
//!
//! let detail = client.get_conversation(339461)?;
//! for message in &detail.messages {
//!     println!("{} {}: {}", message.timestamp, message.source, message.content);
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
pub use usercom_core::{
    ApiError, ClientOptions, Config, Endpoint, Error, Page, PagedEndpoint, Paginator, RateLimit,
    RetryPolicy, conversations,
};

use usercom_core::conversations::{
    ConversationDetail, ConversationSummary, CreateConversation, GetConversation, ListConversations,
};
use usercom_core::{Decision, Retry, TransportErrorKind};

/// A blocking User.com client. Cheap to clone; clones share the connection pool and the
/// rate limit.
#[derive(Clone)]
pub struct Client {
    config: Config,
    agent: ureq::Agent,
    options: ClientOptions,
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    seeds: Arc<usercom_core::retry::SeedSequence>,
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

    /// A client with these timeouts and limits.
    pub fn with_options(config: Config, options: ClientOptions) -> Self {
        let agent = ureq::Agent::config_builder()
            // Error statuses are answers: their bodies go to the core's parser.
            .http_status_as_error(false)
            // A redirect would take the key elsewhere; the core reports it instead.
            .max_redirects(0)
            // The core sets every header; ureq adds none of its own.
            .user_agent("")
            .accept("")
            .timeout_connect(Some(options.connect_timeout))
            .timeout_per_call(Some(options.request_timeout))
            .build()
            .new_agent();
        Self {
            config,
            agent,
            limiter: options.rate_limit.map(|limit| {
                Arc::new(RateLimiter::direct(
                    Quota::per_second(limit.per_second).allow_burst(limit.burst),
                ))
            }),
            seeds: Arc::new(usercom_core::retry::SeedSequence::random()),
            options,
        }
    }

    /// The config requests are built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sends any operation, retrying as the policy allows, and parses its answer.
    pub fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output, Error> {
        let request = self.config.request(endpoint)?;
        let (response, retry) = self.call(request);
        retry.finish(
            response.and_then(|response| usercom_core::parse_response(endpoint, response)),
            self.config.api_key(),
        )
    }

    /// Every item of a paginated listing, page after page, fetched as the iterator advances.
    pub fn paginate<E: PagedEndpoint>(&self, endpoint: E) -> Items<E> {
        Items {
            client: self.clone(),
            pages: Paginator::new(self.config.clone(), endpoint)
                .end_on_next_404(self.options.end_listing_on_next_404),
            buffer: VecDeque::new(),
            finished: false,
        }
    }

    /// One page of conversations: the first, with a `next` link to follow.
    pub fn list_conversations(
        &self,
        list: &ListConversations,
    ) -> Result<Page<ConversationSummary>, Error> {
        self.send(list)
    }

    /// Every conversation of every page.
    pub fn all_conversations(&self, list: ListConversations) -> Items<ListConversations> {
        self.paginate(list)
    }

    /// One conversation with its messages.
    pub fn get_conversation(&self, id: i64) -> Result<ConversationDetail, Error> {
        self.send(&GetConversation::new(id))
    }

    /// Starts a conversation with a user.
    pub fn create_conversation(
        &self,
        create: &CreateConversation,
    ) -> Result<ConversationSummary, Error> {
        self.send(create)
    }

    /// Sends a request (built by the core) until the retry policy stops, within the deadline.
    /// Returns the last outcome and the call's retry state, which finishes it.
    fn call(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> (Result<http::Response<Vec<u8>>, Error>, Retry) {
        let started = Instant::now();
        let mut retry = Retry::for_call(&self.options, request.method(), self.seeds.next());
        loop {
            self.wait_for_rate_limit();
            let timeout = retry.attempt_timeout(started.elapsed());
            let result = self.execute_within(request.clone(), timeout);
            match retry.after(&result, jiff::Timestamp::now(), started.elapsed()) {
                Decision::RetryAfter(wait) => {
                    tracing::info!(
                        method = %request.method(),
                        uri = %request.uri(),
                        attempt = retry.attempts(),
                        wait_ms = wait.as_millis(),
                        "usercom retrying"
                    );
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
        let request = self
            .agent
            .configure_request(request)
            .timeout_per_call(Some(timeout))
            .build();
        let response = self.agent.run(request).map_err(transport_error)?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(self.options.max_body_bytes)
            .read_to_vec()
            .map_err(transport_error)?;
        tracing::debug!(
            %method,
            %uri,
            status = parts.status.as_u16(),
            bytes = bytes.len(),
            elapsed_ms = started.elapsed().as_millis(),
            "usercom request"
        );
        Ok(http::Response::from_parts(parts, bytes))
    }
}

fn transport_error(error: ureq::Error) -> Error {
    let kind = match &error {
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => TransportErrorKind::Connect,
        ureq::Error::BodyExceedsLimit(_) => TransportErrorKind::BodyTooLarge,
        ureq::Error::Io(io) => match io.kind() {
            io::ErrorKind::ConnectionRefused | io::ErrorKind::AddrNotAvailable => {
                TransportErrorKind::Connect
            }
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportErrorKind::Timeout,
            _ => TransportErrorKind::Io,
        },
        _ => TransportErrorKind::Io,
    };
    Error::transport(kind, error)
}

/// The items of a paginated listing; see [`Client::paginate`].
///
/// Yields `Err` once and then ends if a page cannot be fetched or decoded, so a failure is
/// never mistaken for the end of the listing.
pub struct Items<E: PagedEndpoint> {
    client: Client,
    pages: Paginator<E>,
    buffer: VecDeque<<E as PagedEndpoint>::Item>,
    finished: bool,
}

impl<E: PagedEndpoint> std::fmt::Debug for Items<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("pages_fetched", &self.pages.pages())
            .field("buffered", &self.buffer.len())
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl<E: PagedEndpoint> Items<E> {
    /// How many pages have been fetched so far.
    pub fn pages_fetched(&self) -> u64 {
        self.pages.pages()
    }

    fn fetch_page(&mut self) -> Result<bool, Error> {
        let Some(request) = self.pages.next_request()? else {
            return Ok(false);
        };
        let (response, retry) = self.client.call(request);
        let page = retry.finish(
            response.and_then(|r| self.pages.process(r)),
            self.client.config.api_key(),
        )?;
        self.buffer.extend(page.results);
        Ok(true)
    }
}

impl<E: PagedEndpoint> Iterator for Items<E> {
    type Item = Result<E::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            if self.finished {
                return None;
            }
            match self.fetch_page() {
                Ok(true) => {}
                Ok(false) => self.finished = true,
                Err(error) => {
                    self.finished = true;
                    return Some(Err(error));
                }
            }
        }
    }
}
