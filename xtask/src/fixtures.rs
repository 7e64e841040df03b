//! `cargo xtask fixtures refresh` and `cargo xtask fixtures check`.
//!
//! Refresh records the `recorded-*` scenarios from a live account (or any base URL): for each
//! it sends the request the core builds, scrubs the answer and writes it. Documented and
//! hand-written scenarios are never touched. Check verifies every scenario against the core.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use usercom_core::conversations::{
    ConversationSummary, CreateConversation, GetConversation, ListConversations, Source,
};
use usercom_core::{Config, Page};
use usercom_fixtures::scrub::Scrubber;
use usercom_fixtures::{
    FIXTURE_ORIGIN, Operation, Origin, Scenario, StoredRequest, StoredResponse, fixture_config,
    load, load_all,
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

/// A conversation id no account has, to record the 404 answer.
const MISSING_ID: i64 = 999_999_999_999;

/// At most this many pages are followed to record the last one.
const MAX_PAGES: u32 = 500;

/// What `refresh` should do.
#[derive(Debug, Clone)]
pub struct RefreshOptions {
    /// The fixtures folder.
    pub root: PathBuf,
    /// The account (with its real key).
    pub config: Config,
    /// `RESOURCE` or `RESOURCE/SCENARIO`: only these scenarios are written.
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

struct Recorder<'a> {
    options: &'a RefreshOptions,
    client: Client,
    scrubber: Scrubber,
    summary: Summary,
    progress: &'a mut dyn Write,
}

/// What one exchange with the account gave.
struct Exchange {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

/// Records every `recorded-*` scenario from the account; progress goes to `progress`.
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
    };
    recorder.run();
    recorder.summary
}

impl Recorder<'_> {
    fn run(&mut self) {
        let all = ListConversations::all();
        let first = self.record(
            "recorded-list",
            Operation::ListConversations(all.clone()),
            None,
        );
        self.record(
            "recorded-list-open",
            Operation::ListConversations(all.clone().open_only(true)),
            None,
        );
        let first_page = first.and_then(|exchange| {
            serde_json::from_slice::<Page<ConversationSummary>>(&exchange.body).ok()
        });
        let example = first_page
            .as_ref()
            .and_then(|page| page.results.first())
            .map(|c| (c.id, c.user.id));
        if first_page.as_ref().is_some_and(|page| page.next.is_some()) {
            self.record_last_page(all.clone());
        } else {
            self.skip("recorded-list-last-page", "the listing has a single page");
        }
        match example {
            Some((conversation, user)) => {
                self.record(
                    "recorded-user-conversations",
                    Operation::ListConversations(ListConversations::for_user(user)),
                    None,
                );
                self.record(
                    "recorded-detail",
                    Operation::GetConversation(GetConversation::new(conversation)),
                    None,
                );
            }
            None => {
                for name in ["recorded-user-conversations", "recorded-detail"] {
                    self.skip(name, "the account has no conversation to use");
                }
            }
        }
        self.record_expecting(
            "recorded-404",
            Operation::GetConversation(GetConversation::new(MISSING_ID)),
            404,
        );
        self.record_unauthorized();
        match example {
            Some((_, user)) => {
                let create =
                    CreateConversation::new(user, "Recorded by cargo xtask fixtures refresh")
                        .source(Source::Api);
                self.record(
                    "recorded-create",
                    Operation::CreateConversation(create),
                    None,
                );
            }
            None => self.skip("recorded-create", "the account has no user to write to"),
        }
    }

    fn selected(&self, name: &str) -> bool {
        let full = format!("conversations/{name}");
        match &self.options.only {
            None => true,
            Some(only) => {
                full == *only || full.starts_with(&format!("{}/", only.trim_end_matches('/')))
            }
        }
    }

    fn skip(&mut self, name: &str, reason: &str) {
        if self.selected(name) {
            let _ = writeln!(self.progress, "conversations/{name}: skipped ({reason})");
            self.summary
                .skipped
                .push((format!("conversations/{name}"), reason.to_owned()));
        }
    }

    fn fail(&mut self, name: &str, reason: String) {
        let _ = writeln!(self.progress, "conversations/{name}: FAILED: {reason}");
        self.summary
            .failed
            .push((format!("conversations/{name}"), reason));
    }

    /// Sends `operation` to the account and writes the scenario; returns the raw exchange.
    fn record(
        &mut self,
        name: &str,
        operation: Operation,
        page_url: Option<String>,
    ) -> Option<Exchange> {
        self.record_with(
            name,
            operation,
            page_url,
            &self.options.config.clone(),
            None,
        )
    }

    fn record_expecting(&mut self, name: &str, operation: Operation, status: u16) {
        self.record_with(
            name,
            operation,
            None,
            &self.options.config.clone(),
            Some(status),
        );
    }

    fn record_unauthorized(&mut self) {
        let base = self.options.config.base_url().as_str().to_owned();
        match Config::for_base_url_allowing_http(&base, WRONG_KEY) {
            Ok(wrong) => {
                let list = Operation::ListConversations(ListConversations::all());
                self.record_with("recorded-401", list, None, &wrong, Some(401));
            }
            Err(e) => self.fail("recorded-401", e.to_string()),
        }
    }

    fn record_last_page(&mut self, list: ListConversations) {
        let name = "recorded-list-last-page";
        if !self.selected(name) {
            return;
        }
        // Walk the listing to the page whose `next` is null, remembering its URL.
        let mut pages = usercom_core::Paginator::new(self.options.config.clone(), list.clone());
        let mut last_url = None;
        for _ in 0..MAX_PAGES {
            let request = match pages.next_request() {
                Ok(Some(request)) => request,
                Ok(None) => break,
                Err(e) => return self.fail(name, e.to_string()),
            };
            let url = request.uri().to_string();
            let page = self
                .send(request)
                .and_then(|exchange| to_response(&exchange))
                .and_then(|response| pages.process(response).map_err(|e| e.to_string()));
            if let Err(e) = page {
                return self.fail(name, e);
            }
            last_url = Some(url);
        }
        match last_url {
            Some(url) if pages.is_done() => {
                let page_url = self.scrubber.text(&url);
                self.record_with(
                    name,
                    Operation::ListConversations(list),
                    Some(page_url),
                    &self.options.config.clone(),
                    Some(200),
                );
            }
            _ => self.fail(name, format!("the listing has more than {MAX_PAGES} pages")),
        }
    }

    fn send(&mut self, request: http::Request<Vec<u8>>) -> Result<Exchange, String> {
        let response = self.client.execute(request).map_err(|e| e.to_string())?;
        let (parts, body) = response.into_parts();
        Ok(Exchange {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }

    fn record_with(
        &mut self,
        name: &str,
        operation: Operation,
        page_url: Option<String>,
        config: &Config,
        expected_status: Option<u16>,
    ) -> Option<Exchange> {
        let full = format!("conversations/{name}");
        if operation.is_write() && !self.options.allow_writes {
            self.skip(name, "writes data; pass --allow-writes to record it");
            return None;
        }
        // The real request goes to the account; the stored one is built for the fixture account.
        let real_page_url = page_url.as_deref().map(|url| unscrub_page_url(url, config));
        let exchange = match operation
            .build(config, real_page_url.as_deref())
            .and_then(|request| self.send(request))
        {
            Ok(exchange) => exchange,
            Err(e) => {
                self.fail(name, e);
                return None;
            }
        };
        let expected_ok = match expected_status {
            Some(status) => exchange.status == status,
            None => (200..300).contains(&exchange.status),
        };
        if !expected_ok {
            let reason = format!(
                "the account answered HTTP {} ({}), not what this scenario records",
                exchange.status,
                usercom_core::error::snippet(
                    &self
                        .scrubber
                        .text(&String::from_utf8_lossy(&exchange.body))
                        .into_bytes()
                )
            );
            self.fail(name, reason);
            return Some(exchange);
        }
        if self.selected(name) {
            match self.write(name, &operation, page_url, &exchange) {
                Ok(true) => {
                    let _ = writeln!(self.progress, "{full}: recorded");
                    self.summary.recorded.push(full);
                }
                Ok(false) => {
                    let _ = writeln!(self.progress, "{full}: unchanged");
                    self.summary.unchanged.push(full);
                }
                Err(e) => self.fail(name, e),
            }
        }
        Some(exchange)
    }

    /// Writes a scenario folder; `Ok(true)` when anything changed.
    fn write(
        &mut self,
        name: &str,
        operation: &Operation,
        page_url: Option<String>,
        exchange: &Exchange,
    ) -> Result<bool, String> {
        let dir = self.options.root.join("conversations").join(name);
        if dir.join("scenario.json").exists() {
            let existing = load(&dir, format!("conversations/{name}"))?;
            if existing.scenario.origin != Origin::Recorded {
                return Err(
                    "the folder holds a scenario that was not recorded; it is left alone".into(),
                );
            }
        }
        let stored_request = operation
            .build(&fixture_config(), page_url.as_deref())
            .and_then(|request| StoredRequest::from_request(&request))?;
        let (body_file, body) = match serde_json::from_slice::<Value>(&exchange.body) {
            Ok(mut json) => {
                self.scrubber.json(&mut json);
                let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
                ("response.json", format!("{text}\n"))
            }
            Err(_) => (
                "response.txt",
                self.scrubber.text(&String::from_utf8_lossy(&exchange.body)),
            ),
        };
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
            source: "recorded by cargo xtask fixtures refresh, scrubbed".to_owned(),
            operation: operation.clone(),
            page_url,
            request: stored_request,
            response: StoredResponse {
                status: exchange.status,
                headers,
                body_file: body_file.to_owned(),
            },
        };
        let scenario_text = format!(
            "{}\n",
            serde_json::to_string_pretty(&scenario).map_err(|e| e.to_string())?
        );
        let files = [("scenario.json", scenario_text), (body_file, body)];
        let changed = files.iter().any(|(file, text)| {
            std::fs::read_to_string(dir.join(file)).ok().as_deref() != Some(text.as_str())
        });
        if changed {
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            // A body of the other kind from an earlier recording would be stale.
            for stale in ["response.json", "response.txt"] {
                if stale != body_file {
                    let _ = std::fs::remove_file(dir.join(stale));
                }
            }
            for (file, text) in &files {
                std::fs::write(dir.join(file), text)
                    .map_err(|e| format!("{}: {e}", dir.display()))?;
            }
        }
        Ok(changed)
    }
}

/// The stored (scrubbed) page URL points at the fixture account; the real request goes to
/// the configured one.
fn unscrub_page_url(url: &str, config: &Config) -> String {
    url.replace(
        &format!("{FIXTURE_ORIGIN}/api/public/"),
        config.base_url().as_str(),
    )
}

fn to_response(exchange: &Exchange) -> Result<http::Response<Vec<u8>>, String> {
    let mut response = http::Response::new(exchange.body.clone());
    *response.status_mut() =
        http::StatusCode::from_u16(exchange.status).map_err(|e| e.to_string())?;
    *response.headers_mut() = exchange.headers.clone();
    Ok(response)
}

/// Every problem of every fixture under `root`, one line each, naming the fixture.
pub fn check(root: &Path) -> Vec<String> {
    match load_all(root) {
        Ok(fixtures) => fixtures
            .iter()
            .flat_map(|fixture| {
                fixture
                    .problems()
                    .into_iter()
                    .map(move |problem| format!("{}: {problem}", fixture.name))
            })
            .collect(),
        Err(e) => vec![e],
    }
}
