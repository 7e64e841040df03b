//! A stand-in User.com REST API server on 127.0.0.1, for tests, demos and benchmarks.
//!
//! It speaks the API as documented: `Authorization: Token <key>` and `Accept: */*; version=2`
//! are checked, listings are paginated with absolute `next`/`previous` URLs built from the
//! request's `Host`, errors are Django REST Framework bodies (`{"detail": "Not found."}`), and
//! a path without its trailing slash is redirected the way Django does. The data is generated
//! from a seed, so the same options always serve the same account.
//!
//! A [`FaultPlan`] makes chosen requests misbehave: throttling with `Retry-After`, 5xx with
//! JSON or HTML bodies, delays, dropped connections, truncated or oversized bodies.
//!
//! Served so far: the conversations endpoints.
//!
//! ```no_run
//! use usercom_fake::{FakeOptions, FakeServer};
//!
//! let server = FakeServer::start(FakeOptions::default().conversations(1_000)).unwrap();
//! println!("API root {} key {}", server.base_url(), server.api_key());
//! // Point any client at server.base_url(); the server stops when `server` is dropped.
//! ```

mod data;
mod faults;
mod routes;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use hyper_util::rt::TokioIo;
use tokio::sync::{Notify, oneshot};
use tower::ServiceExt;

pub use faults::{Fault, FaultPlan};
pub use routes::router;

use data::Dataset;

/// The key the fake accepts unless told otherwise (64 characters, like a real key).
pub const DEFAULT_API_KEY: &str =
    "fakefakefakefakefakefakefakefakefakefakefakefakefakefakefakefake";

/// What the fake account holds and how it pages.
#[derive(Debug, Clone)]
pub struct FakeOptions {
    seed: u64,
    conversations: usize,
    page_size: usize,
    api_key: String,
    faults: FaultPlan,
}

impl Default for FakeOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            conversations: 250,
            page_size: 100,
            api_key: DEFAULT_API_KEY.to_owned(),
            faults: FaultPlan::default(),
        }
    }
}

impl FakeOptions {
    /// The seed of the generated data.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many conversations the account has.
    pub fn conversations(mut self, count: usize) -> Self {
        self.conversations = count;
        self
    }

    /// Items per page of a listing (at least 1; the real API uses 100).
    pub fn page_size(mut self, size: usize) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// The API key the server accepts.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// Which requests misbehave, and how.
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.faults = plan;
        self
    }
}

/// One request the server received, for tests to inspect.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method.
    pub method: String,
    /// The path, percent-encoded as received.
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

/// The shared state behind the routes.
#[derive(Debug)]
pub struct FakeState {
    options: FakeOptions,
    data: Mutex<Dataset>,
    log: Mutex<Vec<RecordedRequest>>,
    faults: Mutex<(FaultPlan, HashMap<String, u64>)>,
}

impl FakeState {
    /// State generated from the options.
    pub fn new(options: FakeOptions) -> Arc<Self> {
        Arc::new(Self {
            data: Mutex::new(Dataset::generate(options.seed, options.conversations)),
            faults: Mutex::new((options.faults.clone(), HashMap::new())),
            options,
            log: Mutex::new(Vec::new()),
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

    fn data(&self) -> MutexGuard<'_, Dataset> {
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, request: RecordedRequest) {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request);
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A running fake server on its own thread; it stops when dropped.
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
    /// it runs on a runtime of its own.
    pub fn start(options: FakeOptions) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let state = FakeState::new(options);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let served = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name(format!("usercom-fake {address}"))
            .spawn(move || {
                runtime.block_on(async move {
                    if let Ok(listener) = tokio::net::TcpListener::from_std(listener) {
                        serve(listener, served, async {
                            let _ = stopped.await;
                        })
                        .await;
                    }
                });
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

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests()
    }

    /// Replaces the fault plan and restarts its request counts.
    pub fn set_faults(&self, plan: FaultPlan) {
        self.state.set_faults(plan);
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
/// answering while the others go on.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<FakeState>,
    shutdown: impl Future<Output = ()>,
) {
    let app = router(state);
    tokio::pin!(shutdown);
    let mut connections = 0;
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            () = &mut shutdown => return,
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
