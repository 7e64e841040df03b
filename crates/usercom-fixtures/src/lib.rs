//! The fixture format of usercom-rs.
//!
//! `fixtures/<resource>/<scenario>/scenario.json` holds where the scenario came from, the
//! operation, the request the SDK must send (key redacted, crate version abstracted) and the
//! response's status and headers; the body sits beside it in the file `body_file` names.
//! This crate loads them, builds and compares requests, parses responses and scrubs
//! recordings, for the core's contract tests and `cargo xtask fixtures`.

pub mod scrub;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use usercom_core::conversations::{CreateConversation, GetConversation, ListConversations};
use usercom_core::{Config, Endpoint, Error, Paginator, parse_response};

/// The key every fixture request is built with, replaced by `<redacted>` when stored.
pub const FIXTURE_KEY: &str = "fixturekeyfixturekeyfixturekeyfixturekeyfixturekeyfixturekey1234";

/// The account every fixture is stored as belonging to.
pub const FIXTURE_ORIGIN: &str = "https://example.user.com";

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
}

/// The operation a scenario exercises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Operation {
    /// `GET /conversations/` or `GET /users/{id}/conversations/`.
    ListConversations(ListConversations),
    /// `GET /conversations/{id}/`.
    GetConversation(GetConversation),
    /// `POST /users/{id}/conversations/`.
    CreateConversation(CreateConversation),
}

impl Operation {
    /// Whether sending it changes data on the server.
    pub fn is_write(&self) -> bool {
        matches!(self, Self::CreateConversation(_))
    }

    /// The request the core builds for it; `page_url` reaches a later page through the
    /// paginator, as following `next` does.
    pub fn build(
        &self,
        config: &Config,
        page_url: Option<&str>,
    ) -> Result<http::Request<Vec<u8>>, String> {
        let built = match (self, page_url) {
            (Self::ListConversations(list), Some(page_url)) => {
                let mut pages = Paginator::new(config.clone(), list.clone());
                let first = serde_json::json!({"next": page_url, "results": []}).to_string();
                pages
                    .process(http::Response::new(first))
                    .map_err(|e| e.to_string())?;
                pages
                    .next_request()
                    .and_then(|r| r.ok_or_else(|| Error::invalid_input("no next page")))
            }
            (_, Some(_)) => return Err("page_url on an operation that does not page".to_owned()),
            (Self::ListConversations(op), None) => config.request(op),
            (Self::GetConversation(op), None) => config.request(op),
            (Self::CreateConversation(op), None) => config.request(op),
        };
        built.map_err(|e| e.to_string())
    }

    /// Parses a response as the operation's output; the outcome as readable text.
    pub fn parse(&self, response: http::Response<Vec<u8>>) -> Parsed {
        fn run<E: Endpoint>(op: &E, response: http::Response<Vec<u8>>) -> Parsed
        where
            E::Output: Debug,
        {
            let outcome = parse_response(op, response);
            Parsed {
                text: format!("{outcome:#?}"),
                error: outcome.err(),
            }
        }
        match self {
            Self::ListConversations(op) => run(op, response),
            Self::GetConversation(op) => run(op, response),
            Self::CreateConversation(op) => run(op, response),
        }
    }
}

/// A parsed response: its `Debug` text and the error, if it was one.
#[derive(Debug)]
pub struct Parsed {
    /// `{outcome:#?}`.
    pub text: String,
    /// The error, if parsing gave one.
    pub error: Option<Error>,
}

/// `scenario.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Where it came from.
    pub origin: Origin,
    /// Which page, example or procedure it came from.
    pub source: String,
    /// What it exercises.
    pub operation: Operation,
    /// Set when the request is reached by following a `next` link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// The request the SDK must send.
    pub request: StoredRequest,
    /// The response, less its body.
    pub response: StoredResponse,
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
            Some(serde_json::from_slice(request.body()).map_err(|e| e.to_string())?)
        };
        Ok(Self {
            method: request.method().to_string(),
            path: url.path().to_owned(),
            query: url.query_pairs().into_owned().collect(),
            headers,
            body,
        })
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
    /// `resource/scenario`.
    pub name: String,
    /// Its folder.
    pub dir: PathBuf,
    /// `scenario.json`.
    pub scenario: Scenario,
    /// The response body.
    pub body: Vec<u8>,
}

impl Fixture {
    /// The stored response.
    pub fn response(&self) -> Result<http::Response<Vec<u8>>, String> {
        let mut builder = http::Response::builder().status(self.scenario.response.status);
        for (name, value) in &self.scenario.response.headers {
            builder = builder.header(name, value);
        }
        builder.body(self.body.clone()).map_err(|e| e.to_string())
    }

    /// The request the core builds for it.
    pub fn build(&self) -> Result<http::Request<Vec<u8>>, String> {
        self.scenario
            .operation
            .build(&fixture_config(), self.scenario.page_url.as_deref())
    }

    /// The response parsed with the core.
    pub fn parse(&self) -> Result<Parsed, String> {
        Ok(self.scenario.operation.parse(self.response()?))
    }

    /// Where the stored request differs from what the core builds, one line each.
    pub fn request_differences(&self) -> Vec<String> {
        let built = match self.build().and_then(|r| StoredRequest::from_request(&r)) {
            Ok(built) => built,
            Err(e) => return vec![format!("the core cannot build its request: {e}")],
        };
        let stored = &self.scenario.request;
        let mut differences = Vec::new();
        if built.method != stored.method {
            differences.push(format!(
                "method: stored {} built {}",
                stored.method, built.method
            ));
        }
        if built.path != stored.path {
            differences.push(format!("path: stored {} built {}", stored.path, built.path));
        }
        if built.query != stored.query {
            differences.push(format!(
                "query: stored {:?} built {:?}",
                stored.query, built.query
            ));
        }
        if built.headers != stored.headers {
            differences.push(format!(
                "headers: stored {:?} built {:?}",
                stored.headers, built.headers
            ));
        }
        if built.body != stored.body {
            differences.push(format!(
                "body: stored {:?} built {:?}",
                stored.body, built.body
            ));
        }
        differences
    }

    /// Everything wrong with the fixture: its request differs from the built one, or its
    /// response does not parse the way its status says it should.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = self.request_differences();
        match self.parse() {
            Err(e) => problems.push(format!("the stored response is unusable: {e}")),
            Ok(parsed) => {
                let success = (200..300).contains(&self.scenario.response.status);
                match (&parsed.error, success) {
                    (None, true) | (Some(Error::Api(_)), false) => {}
                    (Some(error), true) => {
                        problems.push(format!("the response does not parse: {error}"));
                    }
                    (error, false) => problems.push(format!(
                        "a {} response should be an API error, got {error:?}",
                        self.scenario.response.status
                    )),
                }
            }
        }
        problems
    }
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

/// A request as text for snapshots: method, URL, sorted headers, pretty body.
pub fn render_request(request: &http::Request<Vec<u8>>) -> String {
    let mut text = format!("{} {}\n", request.method(), request.uri());
    let mut headers: Vec<_> = request.headers().iter().collect();
    headers.sort_by_key(|(name, _)| name.as_str());
    for (name, value) in headers {
        let value = normalise_header(name.as_str(), value.to_str().unwrap_or_default());
        text.push_str(&format!("{name}: {value}\n"));
    }
    if let Ok(body) = serde_json::from_slice::<Value>(request.body()) {
        text.push('\n');
        text.push_str(&serde_json::to_string_pretty(&body).unwrap_or_default());
        text.push('\n');
    }
    text
}

/// Loads one scenario folder.
pub fn load(dir: &Path, name: String) -> Result<Fixture, String> {
    let text = std::fs::read_to_string(dir.join("scenario.json"))
        .map_err(|e| format!("{name}: scenario.json: {e}"))?;
    let scenario: Scenario = serde_json::from_str(&text)
        .map_err(|e| format!("{name}: scenario.json does not parse: {e}"))?;
    let body = std::fs::read(dir.join(&scenario.response.body_file))
        .map_err(|e| format!("{name}: {}: {e}", scenario.response.body_file))?;
    Ok(Fixture {
        name,
        dir: dir.to_owned(),
        scenario,
        body,
    })
}

/// Every scenario under `root` (`root/<resource>/<scenario>/`), sorted by name.
pub fn load_all(root: &Path) -> Result<Vec<Fixture>, String> {
    let mut fixtures = Vec::new();
    for resource in sorted_dirs(root)? {
        for dir in sorted_dirs(&resource)? {
            let name = format!("{}/{}", file_name(&resource), file_name(&dir));
            fixtures.push(load(&dir, name)?);
        }
    }
    Ok(fixtures)
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
