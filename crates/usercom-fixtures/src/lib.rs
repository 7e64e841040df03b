//! The fixture format of usercom-rs.
//!
//! `fixtures/<group>/<scenario>/scenario.json` says where the scenario came from, which
//! operation of the [registry](usercom_core::registry) it exercises (by stable name) with
//! which JSON arguments, the request the SDK must send (key redacted, crate version
//! abstracted) and the response's status and headers; the body sits beside it in the file
//! `body_file` names. A `recorded-*` scenario also carries its recording [plan](RecordPlan),
//! and one that was never recorded has only the plan.
//!
//! This crate loads scenarios, builds their requests and parses their responses through the
//! registry, checks them ([`Fixture::problems`], [`check`]) and scrubs recordings
//! ([`scrub`]), for the core's contract test and `cargo xtask fixtures`. It knows no API
//! group: a new group's fixtures work here without any change.

pub mod compare;
pub mod plan;
pub mod scrub;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use usercom_core::registry::{self, DynOperation, Parsed, Registration};
use usercom_core::{Config, Error};

pub use plan::{FromValue, RecordPlan};

/// The key every fixture request is built with, replaced by `<redacted>` when stored.
pub const FIXTURE_KEY: &str = "fixturekeyfixturekeyfixturekeyfixturekeyfixturekeyfixturekey1234";

/// The account every fixture is stored as belonging to.
pub const FIXTURE_ORIGIN: &str = "https://example.user.com";

/// The prefix of the folder name of every recorded scenario.
pub const RECORDED_PREFIX: &str = "recorded-";

/// Where a scenario came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Copied from the API documentation; never overwritten.
    Documented,
    /// Written by hand (errors that cannot be provoked on demand); never overwritten.
    HandWritten,
    /// Recorded by `cargo xtask fixtures refresh`; rewritten by each refresh.
    Recorded,
    /// Recorded against the real API by another project; `source` names the recording.
    PeerRecorded,
}

/// `scenario.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Where it came from.
    pub origin: Origin,
    /// Which page, example, recording or procedure it came from.
    pub source: String,
    /// The stable name of the operation (`"tags.create"`).
    pub operation: String,
    /// The operation's arguments, its serde form. A plan that was never recorded has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Value>,
    /// Set when the request is reached by following a `next` link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// The request the SDK must send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<StoredRequest>,
    /// The response, less its body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<StoredResponse>,
    /// How `cargo xtask fixtures refresh` records it (recorded scenarios only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordPlan>,
}

/// A request as stored: the key redacted, the crate version abstracted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredRequest {
    /// The method.
    pub method: String,
    /// The path, percent-encoded.
    pub path: String,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The headers.
    pub headers: BTreeMap<String, String>,
    /// The JSON body.
    pub body: Option<Value>,
}

impl StoredRequest {
    /// How a request built with [`FIXTURE_KEY`] is stored.
    pub fn from_request(request: &http::Request<Vec<u8>>) -> Result<Self, String> {
        let url = url::Url::parse(&request.uri().to_string()).map_err(|e| e.to_string())?;
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = value.to_str().unwrap_or_default();
                (name.to_string(), normalise_header(name.as_str(), value))
            })
            .collect();
        let body = if request.body().is_empty() {
            None
        } else {
            Some(
                serde_json::from_slice(request.body())
                    .map_err(|e| format!("the request body is not JSON: {e}"))?,
            )
        };
        Ok(Self {
            method: request.method().to_string(),
            path: url.path().to_owned(),
            query: url.query_pairs().into_owned().collect(),
            headers,
            body,
        })
    }

    /// Where `self` (stored) differs from `built`, one line per field.
    pub fn differences(&self, built: &StoredRequest) -> Vec<String> {
        let mut differences = Vec::new();
        if built.method != self.method {
            differences.push(format!(
                "method: stored {} built {}",
                self.method, built.method
            ));
        }
        if built.path != self.path {
            differences.push(format!("path: stored {} built {}", self.path, built.path));
        }
        if built.query != self.query {
            differences.push(format!(
                "query: stored {:?} built {:?}",
                self.query, built.query
            ));
        }
        if built.headers != self.headers {
            differences.push(format!(
                "headers: stored {:?} built {:?}",
                self.headers, built.headers
            ));
        }
        if built.body != self.body {
            let shown = |body: &Option<Value>| match body {
                Some(body) => body.to_string(),
                None => "none".to_owned(),
            };
            differences.push(format!(
                "body: stored {} built {}",
                shown(&self.body),
                shown(&built.body)
            ));
        }
        differences
    }
}

/// A response as stored, less its body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredResponse {
    /// The status.
    pub status: u16,
    /// The headers that matter.
    pub headers: BTreeMap<String, String>,
    /// The file beside `scenario.json` that holds the body.
    pub body_file: String,
}

/// A loaded scenario.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// `group/scenario`.
    pub name: String,
    /// Its folder.
    pub dir: PathBuf,
    /// `scenario.json`.
    pub scenario: Scenario,
    /// The response body (empty for a plan).
    pub body: Vec<u8>,
}

impl Fixture {
    /// Whether it is a recording plan that was never recorded: a `record` plan and no
    /// request or response. Contract tests skip it; [`problems`](Self::problems) checks the
    /// plan.
    pub fn is_plan(&self) -> bool {
        self.scenario.record.is_some()
            && self.scenario.request.is_none()
            && self.scenario.response.is_none()
    }

    /// The scenario part of the name, after the group.
    pub fn scenario_name(&self) -> &str {
        self.name.split_once('/').map_or(&self.name, |(_, s)| s)
    }

    /// The operation's registration.
    pub fn registration(&self) -> Result<&'static Registration, String> {
        find(&self.scenario.operation)
    }

    /// The operation built from the scenario's arguments.
    pub fn operation(&self) -> Result<Box<dyn DynOperation>, String> {
        let args = self
            .scenario
            .args
            .clone()
            .ok_or_else(|| "the scenario has no args".to_owned())?;
        build_operation(self.registration()?, args)
    }

    /// The request the core builds for it (with [`FIXTURE_KEY`]); `page_url` reaches a
    /// later page through the paginator, as following `next` does.
    pub fn build(&self) -> Result<http::Request<Vec<u8>>, String> {
        request_for(
            self.operation()?.as_ref(),
            &fixture_config(),
            self.scenario.page_url.as_deref(),
        )
    }

    /// The stored response.
    pub fn response(&self) -> Result<http::Response<Vec<u8>>, String> {
        self.response_with(self.body.clone())
    }

    fn response_ref(&self) -> Result<http::Response<&[u8]>, String> {
        self.response_with(self.body.as_slice())
    }

    fn response_with<B>(&self, body: B) -> Result<http::Response<B>, String> {
        let stored = self
            .scenario
            .response
            .as_ref()
            .ok_or_else(|| "the scenario has no response".to_owned())?;
        let mut builder = http::Response::builder().status(stored.status);
        for (name, value) in &stored.headers {
            builder = builder.header(name, value);
        }
        builder
            .body(body)
            .map_err(|e| format!("the stored response is unusable: {e}"))
    }

    /// The response parsed with the core into the operation's typed output.
    pub fn parse(&self) -> Result<Parsed, String> {
        let op = self.operation()?;
        Ok(op.parse(&fixture_config(), self.response_ref()?))
    }

    /// Where the stored request differs from what the core builds, one line each.
    pub fn request_differences(&self) -> Vec<String> {
        let Some(stored) = &self.scenario.request else {
            return vec!["the scenario has no request".to_owned()];
        };
        match self.build().and_then(|r| StoredRequest::from_request(&r)) {
            Ok(built) => stored.differences(&built),
            Err(e) => vec![format!("the core cannot build its request: {e}")],
        }
    }

    /// Everything wrong with the fixture, one line each (empty when it is sound):
    ///
    /// - the operation is not in the registry, or its args do not build;
    /// - the stored request differs from what the core builds;
    /// - for a JSON object body: the args, less the path parameters, differ from the stored
    ///   body (the fixture form and the wire form must say the same thing);
    /// - the response does not parse the way its status says (2xx: the typed output; other:
    ///   an API error);
    /// - a 2xx JSON response loses data: the typed output, serialised again, lacks or
    ///   changes a field the server sent;
    /// - a plan cannot work: its operation is unknown, or its args (with a sample for every
    ///   value taken from another recording) do not build.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = self.origin_problems();
        if let Some(plan) = &self.scenario.record {
            problems.extend(self.plan_problems(plan));
        }
        if self.is_plan() {
            return problems;
        }
        if self.scenario.request.is_none() || self.scenario.response.is_none() {
            problems.push(
                "the scenario needs both a request and a response (or, for a plan that was \
                 never recorded, neither)"
                    .to_owned(),
            );
            return problems;
        }
        let op = match self.operation() {
            Ok(op) => op,
            Err(e) => {
                problems.push(e);
                return problems;
            }
        };
        problems.extend(self.request_differences());
        problems.extend(self.body_problem());
        problems.extend(self.response_problems(op.as_ref()));
        problems
    }

    fn origin_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.scenario.source.trim().is_empty() {
            problems.push("the scenario does not say where it came from (source)".to_owned());
        }
        let in_recorded_folder = self.scenario_name().starts_with(RECORDED_PREFIX);
        let recorded = self.scenario.origin == Origin::Recorded;
        if in_recorded_folder && !recorded {
            let origin = serde_json::to_value(self.scenario.origin).unwrap_or_default();
            problems.push(format!(
                "a {RECORDED_PREFIX}* folder holds a scenario of origin {origin}: only recorded \
                 scenarios live there"
            ));
        }
        if recorded && !in_recorded_folder {
            problems.push(format!(
                "a recorded scenario outside a {RECORDED_PREFIX}* folder: refresh records \
                 {RECORDED_PREFIX}* folders only"
            ));
        }
        match (recorded, self.scenario.record.is_some()) {
            (true, false) => problems.push(
                "a recorded scenario without a record plan: refresh could not record it again"
                    .to_owned(),
            ),
            (false, true) => {
                problems.push("only recorded scenarios carry a record plan".to_owned());
            }
            _ => {}
        }
        problems
    }

    fn plan_problems(&self, plan: &RecordPlan) -> Vec<String> {
        let mut problems = Vec::new();
        let registration = match self.registration() {
            Ok(registration) => registration,
            Err(e) => return vec![format!("record plan: {e}")],
        };
        if self.is_plan() && self.scenario.page_url.is_some() {
            problems.push(
                "record plan: page_url is set by the recorder (last_page), not by hand".to_owned(),
            );
        }
        if plan.last_page && !registration.paged {
            problems.push(format!(
                "record plan: last_page, but {} does not page",
                registration.name
            ));
        }
        if let Some(status) = plan.expect_status
            && http::StatusCode::from_u16(status).is_err()
        {
            problems.push(format!("record plan: {status} is not an HTTP status"));
        }
        for (at, from) in plan::from_values(&plan.args) {
            if let Some(problem) = from.form_problem() {
                problems.push(format!("record plan: args{at}: {problem}"));
            }
        }
        // A value taken from another recording is an id or a custom id: try a number, then
        // a string. The plan works if either builds a request.
        let attempts: Vec<Result<(), String>> = [Value::from(1), Value::from("sample")]
            .iter()
            .map(|sample| {
                let op = build_operation(registration, plan.sample_args(sample))?;
                op.request(&fixture_config()).map(drop).map_err(|e| {
                    format!(
                        "the args do not build a request: {}: {e}",
                        registration.name
                    )
                })
            })
            .collect();
        if attempts.iter().all(Result::is_err)
            && let Some(Err(first)) = attempts.into_iter().next()
        {
            problems.push(format!("record plan: {first}"));
        }
        problems
    }

    /// For a JSON object body: the args, less the path parameters, must equal it.
    fn body_problem(&self) -> Option<String> {
        let body = self.scenario.request.as_ref()?.body.as_ref()?.as_object()?;
        let registration = self.registration().ok()?;
        let Some(args) = self.scenario.args.as_ref().and_then(Value::as_object) else {
            return Some(
                "the request has a JSON object body, but the args are not an object".to_owned(),
            );
        };
        compare::first_body_difference(args, &registration.path_parameters(), body).map(
            |difference| {
                format!(
                    "the args (less the path parameters) and the stored body disagree at \
                     {difference}"
                )
            },
        )
    }

    fn response_problems(&self, op: &dyn DynOperation) -> Vec<String> {
        let config = fixture_config();
        let response = match self.response_ref() {
            Ok(response) => response,
            Err(e) => return vec![e],
        };
        let status = response.status();
        let parsed = op.parse(&config, response);
        match (&parsed.error, status.is_success()) {
            (None, true) => self
                .loss_problem(op, &config, &parsed)
                .into_iter()
                .collect(),
            (Some(Error::Api(_)), false) => Vec::new(),
            (Some(error), true) => vec![format!("the response does not parse: {error}")],
            (error, false) => vec![format!(
                "a {status} response should be an API error, got {error:?}"
            )],
        }
    }

    /// For a 2xx JSON body: the typed output must hold everything the server sent.
    fn loss_problem(
        &self,
        op: &dyn DynOperation,
        config: &Config,
        parsed: &Parsed,
    ) -> Option<String> {
        serde_json::from_slice::<Value>(&self.body).ok()?;
        let sent = match self
            .response_ref()
            .and_then(|response| op.parse_raw(config, response).map_err(|e| e.to_string()))
        {
            Ok(raw) => raw,
            Err(e) => return Some(format!("the response does not parse as raw JSON: {e}")),
        };
        let sent: Value = match serde_json::from_str(sent.get()) {
            Ok(sent) => sent,
            Err(e) => return Some(format!("the response does not parse as raw JSON: {e}")),
        };
        let Some(typed) = &parsed.json else {
            return Some("the typed output cannot be serialised again".to_owned());
        };
        compare::first_loss(&sent, typed)
            .map(|loss| format!("the typed output loses what the server sent: {loss}"))
    }
}

/// The registration of the operation with this stable name.
pub fn find(name: &str) -> Result<&'static Registration, String> {
    registry::find(name).ok_or_else(|| {
        let known: Vec<&str> = registry::operations().map(|op| op.name).collect();
        format!(
            "the operation {name:?} is not in the registry (known: {})",
            known.join(", ")
        )
    })
}

/// The operation built from `args`; the error names the operation and the argument.
pub fn build_operation(
    registration: &Registration,
    args: Value,
) -> Result<Box<dyn DynOperation>, String> {
    registration
        .build(args)
        .map_err(|e| format!("the args do not build: {e}"))
}

/// The request for `op`, or, with `page_url`, for the later page that URL names, reached
/// through the operation's paginator as following `next` does.
pub fn request_for(
    op: &dyn DynOperation,
    config: &Config,
    page_url: Option<&str>,
) -> Result<http::Request<Vec<u8>>, String> {
    let Some(page_url) = page_url else {
        return op.request(config).map_err(|e| e.to_string());
    };
    let mut pages = op
        .raw_pages(config)
        .ok_or_else(|| format!("page_url is set, but {} does not page", op.name()))?;
    let first = serde_json::json!({"next": page_url, "results": []}).to_string();
    pages
        .process(http::Response::new(first))
        .map_err(|e| format!("page_url {page_url:?}: {e}"))?;
    pages
        .next_request()
        .map_err(|e| format!("page_url {page_url:?}: {e}"))?
        .ok_or_else(|| format!("page_url {page_url:?} leads to no page"))
}

/// The config fixture requests are built with.
pub fn fixture_config() -> Config {
    // Both inputs are constants that the core accepts.
    Config::for_base_url(&format!("{FIXTURE_ORIGIN}/"), FIXTURE_KEY)
        .unwrap_or_else(|_| unreachable!("the fixture config is valid"))
}

fn normalise_header(name: &str, value: &str) -> String {
    match name {
        "authorization" => value.replace(FIXTURE_KEY, "<redacted>"),
        "user-agent" => value.replace(env!("CARGO_PKG_VERSION"), "{version}"),
        _ => value.to_owned(),
    }
}

/// Loads one scenario folder; `name` is `group/scenario`.
pub fn load(dir: &Path, name: String) -> Result<Fixture, String> {
    let text = std::fs::read_to_string(dir.join("scenario.json"))
        .map_err(|e| format!("{name}: scenario.json: {e}"))?;
    let scenario: Scenario = serde_json::from_str(&text)
        .map_err(|e| format!("{name}: scenario.json does not parse: {e}"))?;
    let body = match &scenario.response {
        Some(response) => std::fs::read(dir.join(&response.body_file))
            .map_err(|e| format!("{name}: {}: {e}", response.body_file))?,
        None => Vec::new(),
    };
    Ok(Fixture {
        name,
        dir: dir.to_owned(),
        scenario,
        body,
    })
}

/// Every scenario folder under `root` (`root/<group>/<scenario>/`) as `(group/scenario,
/// folder)`, sorted by name.
pub fn scenario_dirs(root: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut dirs = Vec::new();
    for group in sorted_dirs(root)? {
        for dir in sorted_dirs(&group)? {
            dirs.push((format!("{}/{}", file_name(&group), file_name(&dir)), dir));
        }
    }
    Ok(dirs)
}

/// Every scenario under `root`, sorted by name; the first that does not load is an error.
pub fn load_all(root: &Path) -> Result<Vec<Fixture>, String> {
    scenario_dirs(root)?
        .into_iter()
        .map(|(name, dir)| load(&dir, name))
        .collect()
}

/// Every problem of every scenario under `root`, one line each, starting with the
/// scenario's name: those that do not load, [`Fixture::problems`], and those of the set
/// ([`set_problems`]).
pub fn check(root: &Path) -> Vec<String> {
    let dirs = match scenario_dirs(root) {
        Ok(dirs) => dirs,
        Err(e) => return vec![e],
    };
    if dirs.is_empty() {
        return vec![format!("{}: no scenario found", root.display())];
    }
    let mut problems = Vec::new();
    let mut fixtures = Vec::new();
    for (name, dir) in dirs {
        match load(&dir, name) {
            Ok(fixture) => fixtures.push(fixture),
            Err(e) => problems.push(e),
        }
    }
    for fixture in &fixtures {
        problems.extend(
            fixture
                .problems()
                .into_iter()
                .map(|problem| format!("{}: {problem}", fixture.name)),
        );
    }
    problems.extend(set_problems(&fixtures));
    problems
}

/// Problems between scenarios: a plan that takes a value from a scenario that is not a
/// recorded one, or plans that take values from each other in a circle.
pub fn set_problems(fixtures: &[Fixture]) -> Vec<String> {
    let recorded: BTreeSet<&str> = fixtures
        .iter()
        .filter(|f| f.scenario.record.is_some())
        .map(|f| f.name.as_str())
        .collect();
    let mut problems = Vec::new();
    for fixture in fixtures {
        let Some(plan) = &fixture.scenario.record else {
            continue;
        };
        for source in plan.sources() {
            if source == fixture.name {
                problems.push(format!(
                    "{}: record plan: takes a value from itself",
                    fixture.name
                ));
            } else if !recorded.contains(source.as_str()) {
                problems.push(format!(
                    "{}: record plan: takes a value from {source}, which is not a recorded \
                     scenario",
                    fixture.name
                ));
            }
        }
    }
    let plans: Vec<(String, Vec<String>)> = fixtures
        .iter()
        .filter_map(|f| Some((f.name.clone(), f.scenario.record.as_ref()?.sources())))
        .collect();
    let (_, circular) = dependency_order(&plans);
    for name in circular {
        problems.push(format!(
            "{name}: record plan: takes values from scenarios that take values from it"
        ));
    }
    problems
}

/// Orders scenarios so that each comes after the ones it takes values from, keeping the
/// given order otherwise. `plans` holds each scenario with the scenarios it takes values
/// from; a source that is not in `plans` does not hold anything back. Returns the order and
/// the scenarios that cannot be ordered (they take values from each other in a circle, or
/// from such a scenario).
pub fn dependency_order(plans: &[(String, Vec<String>)]) -> (Vec<String>, Vec<String>) {
    let known: BTreeSet<&str> = plans.iter().map(|(name, _)| name.as_str()).collect();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut order = Vec::new();
    loop {
        let ready: Vec<&String> = plans
            .iter()
            .filter(|(name, sources)| {
                !done.contains(name)
                    && sources
                        .iter()
                        .all(|s| s == name || !known.contains(s.as_str()) || done.contains(s))
            })
            .map(|(name, _)| name)
            .collect();
        let Some(next) = ready.first() else {
            break;
        };
        done.insert((*next).clone());
        order.push((*next).clone());
    }
    let stuck = plans
        .iter()
        .filter(|(name, _)| !done.contains(name))
        .map(|(name, _)| name.clone())
        .collect();
    (order, stuck)
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir() && !file_name(path).starts_with('.'))
        .collect();
    dirs.sort();
    Ok(dirs)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The fixtures folder of this repository.
pub fn repository_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(plans: &[(&str, &[&str])]) -> (Vec<String>, Vec<String>) {
        let plans: Vec<(String, Vec<String>)> = plans
            .iter()
            .map(|(name, sources)| {
                (
                    (*name).to_owned(),
                    sources.iter().map(|s| (*s).to_owned()).collect(),
                )
            })
            .collect();
        dependency_order(&plans)
    }

    fn plan_fixture(name: &str, scenario: serde_json::Value) -> Fixture {
        Fixture {
            name: name.to_owned(),
            dir: PathBuf::new(),
            scenario: serde_json::from_value(scenario).unwrap(),
            body: Vec::new(),
        }
    }

    #[test]
    fn plans_are_checked_before_anything_is_recorded() {
        let sound = plan_fixture(
            "tags/recorded-users",
            serde_json::json!({"origin": "recorded", "source": "a plan", "operation": "tags.users",
                "record": {"args": {"id": {"from": "tags/recorded-list", "pointer": "/results/0/id"}}}}),
        );
        assert!(sound.is_plan());
        assert_eq!(sound.problems(), Vec::<String>::new());

        let broken = plan_fixture(
            "tags/recorded-create",
            serde_json::json!({"origin": "recorded", "source": "a plan", "operation": "tags.create",
                "record": {"args": {"name": " ", "x": {"from": "tags", "pointer": "/a"},
                                    "y": {"from": "tags/recorded-list", "pointer": "results"}},
                           "last_page": true, "expect_status": 1000}}),
        );
        let problems = broken.problems();
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert!(problems[0].contains("last_page, but tags.create does not page"));
        assert!(problems[1].contains("1000 is not an HTTP status"));
        assert!(problems[2].contains("args/x: \"from\": \"tags\" is not a scenario name"));
        assert!(problems[3].contains("args/y: \"pointer\": \"results\" is not a JSON pointer"));
        assert!(
            problems[4].starts_with("record plan: the args do not build"),
            "{}",
            problems[4]
        );

        let empty_name = plan_fixture(
            "tags/recorded-create",
            serde_json::json!({"origin": "recorded", "source": "a plan", "operation": "tags.create",
                "record": {"args": {"name": " "}}}),
        );
        let problems = empty_name.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("record plan: the args do not build a request: tags.create: ")
                && problems[0].contains("empty"),
            "{problems:?}"
        );

        let unknown = plan_fixture(
            "tags/recorded-list",
            serde_json::json!({"origin": "recorded", "source": "a plan", "operation": "tags.all",
                "record": {}}),
        );
        let problems = unknown.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .starts_with("record plan: the operation \"tags.all\" is not in the registry")
        );
    }

    #[test]
    fn origin_folder_and_plan_must_agree() {
        let misplaced = plan_fixture(
            "tags/list-plan",
            serde_json::json!({"origin": "recorded", "source": "a plan", "operation": "tags.list",
                "record": {}}),
        );
        assert_eq!(
            misplaced.problems(),
            [
                "a recorded scenario outside a recorded-* folder: refresh records recorded-* folders only"
            ]
        );
        let documented = plan_fixture(
            "tags/recorded-list",
            serde_json::json!({"origin": "documented", "source": "", "operation": "tags.list",
                "record": {}}),
        );
        assert_eq!(
            documented.problems(),
            [
                "the scenario does not say where it came from (source)",
                "a recorded-* folder holds a scenario of origin \"documented\": only recorded scenarios live there",
                "only recorded scenarios carry a record plan",
            ]
        );
        let half = plan_fixture(
            "tags/list",
            serde_json::json!({"origin": "hand-written", "source": "x", "operation": "tags.list",
                "args": {}, "response": {"status": 200, "headers": {}, "body_file": "response.json"}}),
        );
        assert_eq!(
            half.problems(),
            [
                "the scenario needs both a request and a response (or, for a plan that was never recorded, neither)"
            ]
        );
    }

    #[test]
    fn scenarios_come_after_their_sources() {
        let (order, stuck) = order(&[
            ("a/detail", &["a/list"]),
            ("a/list", &[]),
            ("b/users", &["b/list", "a/detail"]),
            ("b/list", &[]),
            ("c/elsewhere", &["c/not-a-plan"]),
        ]);
        assert_eq!(
            order,
            ["a/list", "a/detail", "b/list", "b/users", "c/elsewhere"]
        );
        assert!(stuck.is_empty());
    }

    #[test]
    fn circles_are_reported() {
        let (order, stuck) = order(&[
            ("a/one", &["a/two"]),
            ("a/two", &["a/one"]),
            ("a/three", &["a/two"]),
            ("a/four", &[]),
        ]);
        assert_eq!(order, ["a/four"]);
        assert_eq!(stuck, ["a/one", "a/two", "a/three"]);
    }
}
