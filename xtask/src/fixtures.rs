//! `cargo xtask fixtures refresh` and `cargo xtask fixtures check`.
//!
//! Refresh records every `recorded-*` scenario of every group from a live account (or any
//! base URL), each as its [plan](RecordPlan) says: it builds the operation named in
//! `scenario.json` through the registry, with values taken from earlier recordings where the
//! plan asks (so a scenario runs after the ones it takes values from, and scenarios that
//! write run after those that only read), sends it, scrubs the answer and writes the
//! scenario. Nothing here knows an API group: a new group's plans are
//! recorded without any change. Documented and hand-written scenarios are never touched.
//!
//! Check verifies every scenario against the core ([`usercom_fixtures::check`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use usercom_core::Config;
use usercom_core::registry::{DynOperation, Registration};
use usercom_fixtures::scrub::Scrubber;
use usercom_fixtures::{
    FIXTURE_ORIGIN, Fixture, FromValue, Origin, RECORDED_PREFIX, RecordPlan, Scenario,
    StoredRequest, StoredResponse, build_operation, dependency_order, find, fixture_config, load,
    request_for, scenario_dirs,
};
use usercom_ureq::Client;

/// Response headers worth keeping; the rest (dates, request ids, cookies) are volatile.
const KEPT_HEADERS: &[&str] = &[
    "allow",
    "content-type",
    "location",
    "retry-after",
    "www-authenticate",
];

/// A key no account has, to record the 401 answer.
const WRONG_KEY: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// At most this many pages are followed to record the last one.
const MAX_PAGES: u32 = 500;

/// The `source` of every recorded scenario.
const RECORDED_SOURCE: &str = "recorded by cargo xtask fixtures refresh from an account, scrubbed";

/// What `refresh` should do.
#[derive(Debug, Clone)]
pub struct RefreshOptions {
    /// The fixtures folder.
    pub root: PathBuf,
    /// The account (with its real key).
    pub config: Config,
    /// `GROUP` or `GROUP/SCENARIO`: only these scenarios are sent and written.
    pub only: Option<String>,
    /// Whether scenarios that create or change data may run.
    pub allow_writes: bool,
}

/// What a refresh did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Scenarios written with new content.
    pub recorded: Vec<String>,
    /// Scenarios recorded again with the same content.
    pub unchanged: Vec<String>,
    /// Scenarios not run, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Scenarios that failed, with the reason.
    pub failed: Vec<(String, String)>,
}

/// What one exchange with the account gave.
struct Exchange {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

/// How a scenario of this run ended, for the scenarios that take values from it.
enum Outcome {
    /// Its answer, as the account sent it.
    Answered(Value),
    /// Why there is no answer to take values from.
    Missing(String),
}

/// Why a scenario did not get recorded.
enum Stop {
    Skip(String),
    Fail(String),
}

struct Recorder<'a> {
    options: &'a RefreshOptions,
    client: Client,
    scrubber: Scrubber,
    summary: Summary,
    progress: &'a mut dyn Write,
    /// Every recorded-* scenario that loaded, by name.
    scenarios: BTreeMap<String, Fixture>,
    /// What each scenario run so far gave.
    outcomes: BTreeMap<String, Outcome>,
}

/// Records every `recorded-*` scenario under `options.root` that `options.only` selects, in
/// the order their plans' references make; progress goes to `progress`.
pub fn refresh(options: &RefreshOptions, progress: &mut dyn Write) -> Summary {
    let base = options.config.base_url();
    let origin = base.origin().ascii_serialization();
    let key = options.config.api_key().expose_secret().to_owned();
    let scrubber = Scrubber::new(&key, &origin)
        .replacing(base.as_str(), &format!("{FIXTURE_ORIGIN}/api/public/"));
    let mut recorder = Recorder {
        options,
        client: Client::new(options.config.clone()),
        scrubber,
        summary: Summary::default(),
        progress,
        scenarios: BTreeMap::new(),
        outcomes: BTreeMap::new(),
    };
    recorder.run();
    recorder.summary
}

impl Recorder<'_> {
    fn run(&mut self) {
        let dirs = match scenario_dirs(&self.options.root) {
            Ok(dirs) => dirs,
            Err(e) => return self.fail("fixtures", e),
        };
        let recorded: Vec<(String, PathBuf)> = dirs
            .into_iter()
            .filter(|(name, _)| {
                name.split_once('/')
                    .is_some_and(|(_, scenario)| scenario.starts_with(RECORDED_PREFIX))
            })
            .collect();
        if let Some(only) = &self.options.only
            && !recorded.iter().any(|(name, _)| self.selected(name))
        {
            let names: Vec<&str> = recorded.iter().map(|(name, _)| name.as_str()).collect();
            return self.fail(
                &format!("--only {only}"),
                format!(
                    "matches no recorded scenario (GROUP or GROUP/SCENARIO; there are: {})",
                    names.join(", ")
                ),
            );
        }
        let mut order_input = Vec::new();
        for (name, dir) in recorded {
            match load(&dir, name.clone()) {
                Ok(fixture) => {
                    let sources = fixture
                        .scenario
                        .record
                        .as_ref()
                        .map(RecordPlan::sources)
                        .unwrap_or_default();
                    order_input.push((name.clone(), sources));
                    self.scenarios.insert(name, fixture);
                }
                // A scenario outside --only cannot fail the run.
                Err(e) if self.selected(&name) => self.fail(&name, e),
                Err(_) => {}
            }
        }
        // Scenarios that write run after every one that only reads (unless a read takes a
        // value from a write): what they create cannot change the other recordings of the run.
        let writes = |name: &str| {
            self.scenarios
                .get(name)
                .and_then(|fixture| find(&fixture.scenario.operation).ok())
                .is_some_and(Registration::writes)
        };
        order_input.sort_by_key(|(name, _)| writes(name));
        let (order, circular) = dependency_order(&order_input);
        for name in circular {
            if !self.selected(&name) {
                continue;
            }
            self.fail(
                &name,
                "its plan takes values from scenarios that take values from it".to_owned(),
            );
        }
        for name in order {
            if !self.selected(&name) {
                continue;
            }
            let outcome = match self.record(&name) {
                Ok((outcome, written)) => {
                    self.written(&name, written);
                    outcome
                }
                Err(Stop::Skip(reason)) => {
                    self.skip(&name, &reason);
                    Outcome::Missing(format!("skipped: {reason}"))
                }
                Err(Stop::Fail(reason)) => {
                    self.fail(&name, reason.clone());
                    Outcome::Missing(format!("failed: {reason}"))
                }
            };
            self.outcomes.insert(name, outcome);
        }
    }

    fn selected(&self, name: &str) -> bool {
        match &self.options.only {
            None => true,
            Some(only) => {
                let only = only.trim_end_matches('/');
                name == only || name.starts_with(&format!("{only}/"))
            }
        }
    }

    fn skip(&mut self, name: &str, reason: &str) {
        let _ = writeln!(self.progress, "{name}: skipped ({reason})");
        self.summary
            .skipped
            .push((name.to_owned(), reason.to_owned()));
    }

    fn fail(&mut self, name: &str, reason: String) {
        let _ = writeln!(self.progress, "{name}: FAILED: {reason}");
        self.summary.failed.push((name.to_owned(), reason));
    }

    fn written(&mut self, name: &str, written: Result<bool, String>) {
        match written {
            Ok(true) => {
                let _ = writeln!(self.progress, "{name}: recorded");
                self.summary.recorded.push(name.to_owned());
            }
            Ok(false) => {
                let _ = writeln!(self.progress, "{name}: unchanged");
                self.summary.unchanged.push(name.to_owned());
            }
            Err(e) => self.fail(name, e),
        }
    }

    /// Records one scenario: sends it as its plan says and writes it. The outcome is what
    /// later scenarios may take values from; the write result says whether anything changed.
    fn record(&mut self, name: &str) -> Result<(Outcome, Result<bool, String>), Stop> {
        let fixture = self
            .scenarios
            .get(name)
            .cloned()
            .ok_or_else(|| Stop::Fail("the scenario did not load".to_owned()))?;
        let plan = match (&fixture.scenario.origin, &fixture.scenario.record) {
            (Origin::Recorded, Some(plan)) => plan.clone(),
            (origin, _) => {
                return Err(Stop::Fail(format!(
                    "the folder holds a scenario that was not recorded (origin {origin:?}, or \
                     no record plan); it is left alone"
                )));
            }
        };
        let registration = find(&fixture.scenario.operation).map_err(Stop::Fail)?;
        if registration.writes() && !self.options.allow_writes {
            return Err(Stop::Skip(
                "writes data; pass --allow-writes to record it".to_owned(),
            ));
        }
        let args = plan.resolve_args(|from| self.value_of(from))?;
        let config = if plan.wrong_key {
            let base = self.options.config.base_url().as_str();
            Config::for_base_url_allowing_http(base, WRONG_KEY)
                .map_err(|e| Stop::Fail(e.to_string()))?
        } else {
            self.options.config.clone()
        };
        let op = build_operation(registration, args.clone()).map_err(Stop::Fail)?;
        let (exchange, page_url) = if plan.last_page {
            self.last_page(op.as_ref(), &config)?
        } else {
            let request = op.request(&config).map_err(|e| Stop::Fail(e.to_string()))?;
            (
                self.send(request, op.idempotent()).map_err(Stop::Fail)?,
                None,
            )
        };
        if !plan.expects(exchange.status) {
            let body = self
                .scrubber
                .text(&String::from_utf8_lossy(&exchange.body))
                .into_bytes();
            return Err(Stop::Fail(format!(
                "the account answered HTTP {} ({}), not what this scenario records",
                exchange.status,
                usercom_core::error::snippet(&body)
            )));
        }
        let answer = serde_json::from_slice(&exchange.body).unwrap_or(Value::Null);
        let written = self.write(&fixture, registration, &args, page_url, &exchange);
        Ok((Outcome::Answered(answer), written))
    }

    /// The value a plan takes from another scenario: from its answer in this run, or, when
    /// it was not run, from its recording on disk.
    fn value_of(&self, from: &FromValue) -> Result<Value, Stop> {
        let body = match self.outcomes.get(&from.from) {
            Some(Outcome::Answered(body)) => body.clone(),
            Some(Outcome::Missing(reason)) => {
                return Err(Stop::Skip(format!(
                    "needs a value from {}, which was not recorded ({reason})",
                    from.from
                )));
            }
            None => self.stored_answer(&from.from)?,
        };
        from.take(&body).ok_or_else(|| {
            Stop::Skip(format!(
                "{} has nothing at {} to take (the account has no such data)",
                from.from, from.pointer
            ))
        })
    }

    fn stored_answer(&self, name: &str) -> Result<Value, Stop> {
        let Some(source) = self.scenarios.get(name) else {
            return Err(Stop::Fail(format!(
                "takes a value from {name}, which is not a recorded scenario"
            )));
        };
        let group = name.split('/').next().unwrap_or(name);
        if source.is_plan() {
            return Err(Stop::Skip(format!(
                "needs a value from {name}, which has no recording on disk; record both \
                 (--only {group})"
            )));
        }
        serde_json::from_slice(&source.body).map_err(|e| {
            Stop::Skip(format!(
                "needs a value from {name}, whose stored response is not JSON ({e})"
            ))
        })
    }

    /// Walks the listing to its last page; returns that page's exchange and its URL, scrubbed.
    fn last_page(
        &mut self,
        op: &dyn DynOperation,
        config: &Config,
    ) -> Result<(Exchange, Option<String>), Stop> {
        let mut pages = op
            .raw_pages(config)
            .ok_or_else(|| Stop::Fail(format!("last_page, but {} does not page", op.name())))?;
        let mut last = None;
        for _ in 0..MAX_PAGES {
            let request = match pages.next_request() {
                Ok(Some(request)) => request,
                Ok(None) => break,
                Err(e) => return Err(Stop::Fail(e.to_string())),
            };
            let url = request.uri().to_string();
            let exchange = self.send(request, op.idempotent()).map_err(Stop::Fail)?;
            pages
                .process(to_response(&exchange).map_err(Stop::Fail)?)
                .map_err(|e| Stop::Fail(e.to_string()))?;
            last = Some((url, exchange));
        }
        match last {
            Some(_) if !pages.is_done() => Err(Stop::Fail(format!(
                "the listing has more than {MAX_PAGES} pages"
            ))),
            Some(_) if pages.pages() < 2 => {
                Err(Stop::Skip("the listing has a single page".to_owned()))
            }
            Some((url, exchange)) => Ok((exchange, Some(self.scrubber.text(&url)))),
            None => Err(Stop::Fail("the listing sent no page".to_owned())),
        }
    }

    fn send(
        &mut self,
        request: http::Request<Vec<u8>>,
        idempotent: bool,
    ) -> Result<Exchange, String> {
        let response = self
            .client
            .send_request(request, idempotent)
            .map_err(|e| e.to_string())?;
        let (parts, body) = response.into_parts();
        Ok(Exchange {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }

    /// Writes a scenario folder; `Ok(true)` when anything changed.
    fn write(
        &mut self,
        fixture: &Fixture,
        registration: &Registration,
        args: &Value,
        page_url: Option<String>,
        exchange: &Exchange,
    ) -> Result<bool, String> {
        let content_type = exchange
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let (body_file, body) = match serde_json::from_slice::<Value>(&exchange.body) {
            Ok(mut json) => {
                self.scrubber.json(&mut json);
                let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
                ("response.json", format!("{text}\n"))
            }
            Err(_) => {
                let file = if content_type.contains("html") {
                    "response.html"
                } else {
                    "response.txt"
                };
                let text = self.scrubber.text(&String::from_utf8_lossy(&exchange.body));
                (file, text)
            }
        };
        // The arguments are scrubbed like the answer: a value taken from it keeps the
        // pseudonym it has there. The stored request is built from them for the fixture account.
        let mut stored_args = args.clone();
        self.scrubber.json(&mut stored_args);
        let stored_op = build_operation(registration, stored_args.clone())?;
        let stored_request =
            request_for(stored_op.as_ref(), &fixture_config(), page_url.as_deref())
                .and_then(|request| StoredRequest::from_request(&request))?;
        let headers: BTreeMap<String, String> = exchange
            .headers
            .iter()
            .filter(|(name, _)| KEPT_HEADERS.contains(&name.as_str()))
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes());
                (name.to_string(), self.scrubber.text(&value))
            })
            .collect();
        let scenario = Scenario {
            origin: Origin::Recorded,
            source: RECORDED_SOURCE.to_owned(),
            operation: registration.name.to_owned(),
            args: Some(stored_args),
            page_url,
            request: Some(stored_request),
            response: Some(StoredResponse {
                status: exchange.status,
                headers,
                body_file: body_file.to_owned(),
            }),
            record: fixture.scenario.record.clone(),
        };
        let scenario_text = format!(
            "{}\n",
            serde_json::to_string_pretty(&scenario).map_err(|e| e.to_string())?
        );
        write_files(
            &fixture.dir,
            &[("scenario.json", scenario_text), (body_file, body)],
        )
    }
}

/// Writes `files` into `dir` when any differs from what is there, and removes a body file
/// of another kind left by an earlier recording; `Ok(true)` when anything changed.
fn write_files(dir: &Path, files: &[(&str, String)]) -> Result<bool, String> {
    const BODY_FILES: [&str; 3] = ["response.json", "response.html", "response.txt"];
    let stale: Vec<&str> = BODY_FILES
        .into_iter()
        .filter(|body| !files.iter().any(|(file, _)| file == body) && dir.join(body).exists())
        .collect();
    let changed = !stale.is_empty()
        || files.iter().any(|(file, text)| {
            std::fs::read_to_string(dir.join(file)).ok().as_deref() != Some(text.as_str())
        });
    if changed {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for file in stale {
            std::fs::remove_file(dir.join(file)).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        for (file, text) in files {
            std::fs::write(dir.join(file), text).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    Ok(changed)
}

fn to_response(exchange: &Exchange) -> Result<http::Response<Vec<u8>>, String> {
    let mut response = http::Response::new(exchange.body.clone());
    *response.status_mut() =
        http::StatusCode::from_u16(exchange.status).map_err(|e| e.to_string())?;
    *response.headers_mut() = exchange.headers.clone();
    Ok(response)
}

/// Every problem of every fixture under `root`, one line each, naming the fixture (see
/// [`usercom_fixtures::check`]).
pub fn check(root: &Path) -> Vec<String> {
    usercom_fixtures::check(root)
}
