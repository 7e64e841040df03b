#![doc = include_str!("../README.md")]
//!
//! ## How it works
//!
//! The crate has two halves, like the core: an engine (a seeded JSON store, a route table,
//! pages, DRF field checks, faults) and the API groups under `src/api/`, one module each,
//! which declare the collections they seed and their routes. Every operation of
//! `usercom_core::registry` has a route ([`route_for`] finds it); a test fails otherwise.
//!
//! Seeded items are generated when read, from the seed, their collection and their index,
//! and only what is created, changed or deleted is kept: a million conversations start at
//! once, and a page of an unfiltered listing costs the same whatever the account's size.
//! Filtered listings (`?status=true`, the users of a tag) and uniqueness checks go through
//! the whole collection, so on an account of millions they take seconds.
//!
//! [`FakeServer`] runs the server on a thread of its own; [`FakeState`], [`router`] and
//! [`serve`] put it together on a runtime or listener of the caller's instead.

mod api;
mod faults;
mod fields;
mod handlers;
mod pages;
mod reply;
mod routing;
mod seed;
mod server;
mod store;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{Notify, oneshot};
use tower::ServiceExt;

pub use faults::{Fault, FaultPlan};
pub use server::router;
pub use store::MAX_ITEMS;

use routing::RouteTable;
use store::{Sizes, Store};

/// The key the fake accepts unless told otherwise (64 characters, like a real key). It is
/// public: a test that must not mix up keys sets its own with [`FakeOptions::api_key`].
pub const DEFAULT_API_KEY: &str =
    "fakefakefakefakefakefakefakefakefakefakefakefakefakefakefakefake";

/// How many requests [`FakeServer::requests`] keeps unless told otherwise.
pub const DEFAULT_REQUEST_LOG: usize = 10_000;

/// What the fake account holds and how it pages, answers and misbehaves: the options of
/// [`FakeServer::start`], built from the default with the methods below.
///
/// Each collection is seeded with a number of items: 250 conversations, a quarter as many
/// users (at least 3), 36 tags, and half as many companies as users but at least as many as
/// tags, unless told otherwise. Seeded items are generated when read, so a large account costs nothing
/// until it is listed; at most [`MAX_ITEMS`] per collection. The same options always give
/// the same account.
///
/// ```
/// use std::time::Duration;
/// use usercom_fake::{FakeOptions, FaultPlan};
///
/// let options = FakeOptions::default()
///     .users(12)
///     .page_size(5) // the 12 users span three pages
///     .api_key("test-key-that-only-this-test-uses")
///     .latency(Duration::from_millis(20))
///     .faults(FaultPlan::flaky());
/// assert_eq!(options.check(), Ok(()));
/// assert!(FakeOptions::default().size("no-such-group", 1).check().is_err());
/// ```
#[derive(Debug, Clone)]
pub struct FakeOptions {
    seed: u64,
    sizes: BTreeMap<String, u64>,
    page_size: u64,
    api_key: String,
    faults: FaultPlan,
    request_log: usize,
    latency: Duration,
    examples: bool,
}

impl Default for FakeOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            sizes: BTreeMap::new(),
            page_size: 100,
            api_key: DEFAULT_API_KEY.to_owned(),
            faults: FaultPlan::default(),
            request_log: DEFAULT_REQUEST_LOG,
            latency: Duration::ZERO,
            examples: false,
        }
    }
}

impl FakeOptions {
    /// The seed of the generated data (default 1): names, emails, dates and links between
    /// items all follow from it.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many conversations the account has (default 250).
    pub fn conversations(self, count: usize) -> Self {
        self.size("conversations", count as u64)
    }

    /// How many users the account has (default a quarter of the conversations, at least 3).
    pub fn users(self, count: usize) -> Self {
        self.size("users", count as u64)
    }

    /// How many companies the account has (default half the users, at least as many as tags).
    pub fn companies(self, count: usize) -> Self {
        self.size("companies", count as u64)
    }

    /// How many tags the account has (default 36).
    pub fn tags(self, count: usize) -> Self {
        self.size("tags", count as u64)
    }

    /// How many items the collection `collection` (`"conversations"`, `"tags"`, …) is
    /// seeded with. [`FakeServer::start`] refuses a collection the fake does not have and
    /// a size above [`MAX_ITEMS`].
    pub fn size(mut self, collection: &str, count: u64) -> Self {
        self.sizes.insert(collection.to_owned(), count);
        self
    }

    /// Items per page of a listing (at least 1; the real API uses 100).
    pub fn page_size(mut self, size: usize) -> Self {
        self.page_size = (size as u64).max(1);
        self
    }

    /// The API key the server accepts (default [`DEFAULT_API_KEY`]); a request with another
    /// key, or none, is answered 401 as User.com answers it.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// Which requests misbehave, and how (default none). [`FakeServer::set_faults`] replaces
    /// the plan of a running server.
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.faults = plan;
        self
    }

    /// How many of the most recent requests [`FakeServer::requests`] keeps (default
    /// [`DEFAULT_REQUEST_LOG`]); older ones are dropped, and counted by
    /// [`FakeServer::requests_seen`].
    pub fn request_log(mut self, requests: usize) -> Self {
        self.request_log = requests;
        self
    }

    /// A fixed delay before every response (default none), as a distant server adds: with
    /// it, fetching pages several at a time pays off as it does against the real API.
    pub fn latency(mut self, delay: Duration) -> Self {
        self.latency = delay;
        self
    }

    /// Whether the account also holds the objects of the API documentation's examples and
    /// of the `usercom` command's help (conversation 339461, users 2039 and 42, tag 42, …),
    /// as `usercom --demo` does (default no: every item is seeded).
    pub fn examples(mut self, examples: bool) -> Self {
        self.examples = examples;
        self
    }

    /// What is wrong with these options, if anything: a size for a collection the fake
    /// does not have, or above [`MAX_ITEMS`].
    pub fn check(&self) -> Result<(), String> {
        let collections = api::collections(api::GROUPS);
        for (name, size) in &self.sizes {
            if !collections.iter().any(|c| c.name == name.as_str()) {
                let known: Vec<&str> = collections.iter().map(|c| c.name).collect();
                return Err(format!(
                    "the fake has no collection {name:?} (it has {})",
                    known.join(", ")
                ));
            }
            if *size > MAX_ITEMS {
                return Err(format!(
                    "{size} {name} is more than the fake serves (at most {MAX_ITEMS})"
                ));
            }
        }
        Ok(())
    }
}

/// One request the server received, for tests to inspect: what a client sent (the key
/// excepted) and what it was answered. [`FakeServer::requests`] lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method.
    pub method: String,
    /// The path from the root, percent-encoded as received (`/api/public/users/42/`).
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The `Accept` header.
    pub accept: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// Whether `Authorization` carried the right key (the key itself is not recorded).
    pub authorized: bool,
    /// The body as text.
    pub body: String,
    /// The status the server answered with (0 when it closed the connection instead).
    pub status: u16,
    /// The fault applied to this request, if any.
    pub fault: Option<Fault>,
    /// Which connection it came on, numbered from 1 in the order they were accepted: a
    /// client that reuses its connections sends many requests with one number.
    pub connection: u64,
}

/// The most recent requests, and how many there were in all.
#[derive(Debug)]
struct RequestLog {
    kept: VecDeque<RecordedRequest>,
    limit: usize,
    seen: u64,
}

impl RequestLog {
    fn push(&mut self, request: RecordedRequest) {
        self.seen += 1;
        if self.limit == 0 {
            return;
        }
        if self.kept.len() >= self.limit {
            self.kept.pop_front();
        }
        self.kept.push_back(request);
    }
}

/// The account, request log and fault plan of one fake server.
///
/// [`FakeServer`] makes and holds one. To serve the fake on a runtime or listener of your
/// own, make it with [`FakeState::new`] and hand it to [`serve`] (or [`router`]), keeping a
/// clone of the `Arc` to read the log and change the faults.
#[derive(Debug)]
pub struct FakeState {
    options: FakeOptions,
    store: Mutex<Store>,
    routes: RouteTable,
    log: Mutex<RequestLog>,
    faults: Mutex<(FaultPlan, HashMap<String, u64>)>,
}

impl FakeState {
    /// State generated from the options. A size above [`MAX_ITEMS`] is taken as
    /// [`MAX_ITEMS`], and one for a collection the fake does not have is ignored:
    /// [`FakeOptions::check`] reports both (and [`FakeServer::start`] refuses them).
    pub fn new(options: FakeOptions) -> Arc<Self> {
        let collections = api::collections(api::GROUPS);
        let mut store = Store::new(
            options.seed,
            &collections,
            &Sizes::new(&options.sizes, &collections),
        );
        if options.examples {
            api::examples::add(&mut store);
        }
        Arc::new(Self {
            store: Mutex::new(store),
            routes: api::route_table(api::GROUPS),
            faults: Mutex::new((options.faults.clone(), HashMap::new())),
            log: Mutex::new(RequestLog {
                kept: VecDeque::new(),
                limit: options.request_log,
                seen: 0,
            }),
            options,
        })
    }

    /// Replaces the fault plan and restarts its request counts.
    pub fn set_faults(&self, plan: FaultPlan) {
        *self.faults.lock().unwrap_or_else(PoisonError::into_inner) = (plan, HashMap::new());
    }

    /// Counts a request to `path` and returns the fault planned for it.
    fn next_fault(&self, path: &str) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
        let (plan, counts) = &mut *faults;
        let count = counts.entry(path.to_owned()).or_insert(0);
        *count += 1;
        plan.fault_for(path, *count)
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn log(&self) -> MutexGuard<'_, RequestLog> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, request: RecordedRequest) {
        self.log().push(request);
    }

    /// The most recent requests (see [`FakeOptions::request_log`]), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.log().kept.iter().cloned().collect()
    }

    /// How many requests were received in all, including those the log no longer keeps.
    pub fn requests_seen(&self) -> u64 {
        self.log().seen
    }

    /// How many items the store keeps in memory: those created, changed or deleted.
    /// Seeded items are generated when read and never kept.
    pub fn stored_items(&self) -> usize {
        self.store().materialised()
    }
}

/// A running fake server on a thread and runtime of its own; it stops when dropped.
///
/// Start one per test: each listens on a free port of 127.0.0.1, so tests run in parallel
/// without sharing an account. The crate documentation has a whole test.
#[derive(Debug)]
pub struct FakeServer {
    address: SocketAddr,
    base_url: String,
    state: Arc<FakeState>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Starts a server on a free port of 127.0.0.1. Usable from plain and async code alike:
    /// it runs on a runtime of its own. Options that [`FakeOptions::check`] refuses are an
    /// `InvalidInput` error.
    pub fn start(options: FakeOptions) -> io::Result<Self> {
        options
            .check()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        Self::start_on(listener, options)
    }

    /// Starts a server on a listener of your own (a fixed port, say). When this returns
    /// `Ok`, the server accepts connections; a listener the runtime cannot take is an error.
    pub fn start_on(listener: std::net::TcpListener, options: FakeOptions) -> io::Result<Self> {
        options
            .check()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // Adopted here, inside the runtime, so that a failure is this call's error rather
        // than a server thread that silently ends.
        let listener = {
            let _runtime = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot serve on this listener: {e}"))
            })?
        };
        let address = listener.local_addr()?;
        let state = FakeState::new(options);
        let (stop, stopped) = oneshot::channel::<()>();
        let served = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name(format!("usercom-fake {address}"))
            .spawn(move || {
                runtime.block_on(serve(listener, served, async {
                    let _ = stopped.await;
                }));
            })?;
        Ok(Self {
            address,
            base_url: format!("http://{address}/api/public/"),
            state,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The API root, such as `http://127.0.0.1:40123/api/public/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The socket address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The API key the server accepts.
    pub fn api_key(&self) -> &str {
        &self.state.options.api_key
    }

    /// A client config for this server (an error only if the server was given a key that no
    /// client would accept, such as an empty one).
    pub fn config(&self) -> Result<usercom_core::Config, usercom_core::Error> {
        usercom_core::Config::for_base_url(&self.base_url, self.api_key())
    }

    /// The most recent requests (see [`FakeOptions::request_log`]), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests()
    }

    /// How many requests were received in all, including those the log no longer keeps.
    pub fn requests_seen(&self) -> u64 {
        self.state.requests_seen()
    }

    /// How many items the store keeps in memory: those created, changed or deleted.
    pub fn stored_items(&self) -> usize {
        self.state.stored_items()
    }

    /// Replaces the fault plan and restarts its request counts.
    pub fn set_faults(&self, plan: FaultPlan) {
        self.state.set_faults(plan);
    }
}

/// The path template of the route that serves `method` on `path` (below the API root,
/// percent-encoded as sent, such as `tags/42/users/`), or `None` when the fake has none.
///
/// ```
/// use usercom_fake::route_for;
///
/// let put = http::Method::PUT;
/// assert_eq!(route_for(&put, "tags/42/"), Some("tags/{id}/"));
/// assert_eq!(route_for(&put, "tags/"), None);
/// ```
pub fn route_for(method: &axum::http::Method, path: &str) -> Option<&'static str> {
    match api::route_table(api::GROUPS).find(method, path) {
        routing::Found::Route(route, _) => Some(route.path),
        _ => None,
    }
}

/// Lets a handler drop its connection without answering, and names the connection.
#[derive(Clone, Debug)]
pub(crate) struct KillSwitch(Arc<Notify>, u64);

impl KillSwitch {
    pub(crate) fn pull(&self) {
        self.0.notify_one();
    }

    pub(crate) fn connection(&self) -> u64 {
        self.1
    }
}

/// Serves the fake API on `listener` until `shutdown` completes.
///
/// Each connection runs on its own task, so that a fault can close one connection without
/// answering while the others go on. When accepting fails (out of file descriptors, say),
/// the loop waits before trying again, longer each time up to a second, rather than spin.
///
/// [`FakeServer`] does this on a thread of its own; call it directly to serve the fake on
/// your runtime:
///
/// ```
/// use usercom_fake::{FakeOptions, FakeState, serve};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let base_url = format!("http://{}/api/public/", listener.local_addr()?);
/// let state = FakeState::new(FakeOptions::default());
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let server = tokio::spawn(serve(listener, state.clone(), async {
///     let _ = stopped.await;
/// }));
/// // … point a client at `base_url` …
/// # let _ = base_url;
/// let _ = stop.send(());
/// server.await?;
/// assert_eq!(state.requests_seen(), 0);
/// # Ok(())
/// # }
/// ```
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<FakeState>,
    shutdown: impl Future<Output = ()>,
) {
    accept_loop(|| listener.accept(), router(state), shutdown).await;
}

/// The longest wait between failed accepts.
const MAX_ACCEPT_PAUSE: Duration = Duration::from_secs(1);

async fn accept_loop<S, A, F>(mut accept: A, app: axum::Router, shutdown: impl Future<Output = ()>)
where
    A: FnMut() -> F,
    F: Future<Output = io::Result<(S, SocketAddr)>>,
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    tokio::pin!(shutdown);
    let mut connections = 0;
    let mut pause = Duration::ZERO;
    loop {
        let accepted = tokio::select! {
            accepted = accept() => accepted,
            () = &mut shutdown => return,
        };
        let stream = match accepted {
            Ok((stream, _)) => {
                pause = Duration::ZERO;
                stream
            }
            Err(_) => {
                pause = (pause * 2).clamp(Duration::from_millis(1), MAX_ACCEPT_PAUSE);
                tokio::select! {
                    () = tokio::time::sleep(pause) => continue,
                    () = &mut shutdown => return,
                }
            }
        };
        let app = app.clone();
        connections += 1;
        tokio::spawn(async move {
            let kill = KillSwitch(Arc::new(Notify::new()), connections);
            let switch = kill.clone();
            let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
                request.extensions_mut().insert(switch.clone());
                app.clone().oneshot(request.map(axum::body::Body::new))
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                () = kill.0.notified() => {}
            }
        });
    }
}

/// For examples and tools: the config from the `USERCOM_*` environment variables or, when none
/// of them is set, a fake server with seeded data to run against instead.
///
/// The server is returned so the caller keeps it alive as long as it is needed. An error names
/// the missing or conflicting variable when only some are set.
pub fn config_from_env_or_demo(
    options: FakeOptions,
) -> Result<(usercom_core::Config, Option<FakeServer>), String> {
    match usercom_core::Config::from_env_with(|name| std::env::var(name).ok()) {
        Ok(Some(config)) => Ok((config, None)),
        Ok(None) => {
            let server = FakeServer::start(options)
                .map_err(|e| format!("cannot start the embedded fake server: {e}"))?;
            let config = server.config().map_err(|e| e.to_string())?;
            Ok((config, Some(server)))
        }
        Err(e) => Err(e.to_string()),
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn failing_accepts_back_off_instead_of_spinning() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let attempts = AtomicU32::new(0);
        let state = FakeState::new(FakeOptions::default());
        runtime.block_on(async {
            let accept = || {
                attempts.fetch_add(1, Ordering::Relaxed);
                std::future::ready(Err::<(tokio::net::TcpStream, SocketAddr), _>(
                    io::Error::other("too many open files"),
                ))
            };
            let shutdown = tokio::time::sleep(Duration::from_millis(300));
            accept_loop(accept, router(state), shutdown).await;
        });
        let attempts = attempts.into_inner();
        // 1 + 2 + 4 + … ms: about ten tries in 300 ms, where a spinning loop makes millions.
        assert!((3..=20).contains(&attempts), "{attempts} accepts in 300 ms");
    }

    #[test]
    fn the_request_log_keeps_the_most_recent() {
        let mut log = RequestLog {
            kept: VecDeque::new(),
            limit: 3,
            seen: 0,
        };
        for status in 1..=5 {
            log.push(RecordedRequest {
                method: "GET".into(),
                path: "/".into(),
                query: None,
                accept: None,
                content_type: None,
                user_agent: None,
                authorized: true,
                body: String::new(),
                status,
                fault: None,
                connection: 1,
            });
        }
        let statuses: Vec<u16> = log.kept.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [3, 4, 5]);
        assert_eq!(log.seen, 5);
    }

    #[test]
    fn options_beyond_the_limits_are_named() {
        let err = FakeOptions::default()
            .size("conversations", u64::MAX)
            .check()
            .unwrap_err();
        assert!(err.contains("18446744073709551615 conversations"), "{err}");
        assert!(err.contains(&MAX_ITEMS.to_string()), "{err}");
        let err = FakeOptions::default()
            .size("no-such-collection", 1)
            .check()
            .unwrap_err();
        assert!(
            err.contains("\"no-such-collection\"") && err.contains("tags"),
            "{err}"
        );
        assert_eq!(
            FakeOptions::default().size("tags", MAX_ITEMS).check(),
            Ok(())
        );
    }
}
