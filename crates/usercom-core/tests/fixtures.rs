//! Every fixture under `fixtures/` is a contract: the request stored there is exactly what the
//! core builds for its operation, and the response stored there parses into the reviewed
//! snapshot of its typed value.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};

use http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use usercom_core::conversations::{
    CreateConversation, GetConversation, ListConversations, MessageSource, Source,
};
use usercom_core::{Config, Endpoint, Error, Paginator, parse_response};

const FIXTURE_KEY: &str = "fixturekeyfixturekeyfixturekeyfixturekeyfixturekeyfixturekey1234";

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Operation {
    ListConversations(ListConversations),
    GetConversation(GetConversation),
    CreateConversation(CreateConversation),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    origin: String,
    source: String,
    operation: Operation,
    /// Set when the request is reached by following a `next` link rather than built directly.
    #[serde(default)]
    page_url: Option<String>,
    request: StoredRequest,
    response: StoredResponse,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredRequest {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: BTreeMap<String, String>,
    body: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredResponse {
    status: u16,
    headers: BTreeMap<String, String>,
    body_file: String,
}

struct Fixture {
    name: String,
    scenario: Scenario,
    body: Vec<u8>,
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn load_fixtures() -> Vec<Fixture> {
    let mut fixtures = Vec::new();
    for resource in std::fs::read_dir(fixtures_root()).unwrap() {
        let resource = resource.unwrap().path();
        if !resource.is_dir() {
            continue;
        }
        for scenario in std::fs::read_dir(&resource).unwrap() {
            let dir = scenario.unwrap().path();
            let name = format!(
                "{}/{}",
                resource.file_name().unwrap().to_string_lossy(),
                dir.file_name().unwrap().to_string_lossy()
            );
            let text = std::fs::read_to_string(dir.join("scenario.json"))
                .unwrap_or_else(|e| panic!("{name}: scenario.json: {e}"));
            let scenario: Scenario = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{name}: scenario.json does not parse: {e}"));
            let body = std::fs::read(dir.join(&scenario.response.body_file))
                .unwrap_or_else(|e| panic!("{name}: {}: {e}", scenario.response.body_file));
            fixtures.push(Fixture {
                name,
                scenario,
                body,
            });
        }
    }
    fixtures.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(fixtures.len() >= 12, "fixtures missing: {}", fixtures.len());
    fixtures
}

fn config() -> Config {
    Config::for_subdomain("example", FIXTURE_KEY).unwrap()
}

/// The request the core builds for a scenario.
fn build(fixture: &Fixture) -> http::Request<Vec<u8>> {
    let config = config();
    match (&fixture.scenario.operation, &fixture.scenario.page_url) {
        (Operation::ListConversations(list), Some(page_url)) => {
            // Reach the page by following a `next` link, as the paginator does.
            let mut pages = Paginator::new(config, list.clone());
            let first = serde_json::json!({"next": page_url, "results": []}).to_string();
            pages.process(http::Response::new(first)).unwrap();
            pages.next_request().unwrap().unwrap()
        }
        (_, Some(_)) => panic!(
            "{}: page_url on an operation that does not page",
            fixture.name
        ),
        (Operation::ListConversations(op), None) => config.request(op).unwrap(),
        (Operation::GetConversation(op), None) => config.request(op).unwrap(),
        (Operation::CreateConversation(op), None) => config.request(op).unwrap(),
    }
}

/// A request as text, with the key redacted and the crate version abstracted.
fn render_request(request: &http::Request<Vec<u8>>) -> String {
    let mut text = format!("{} {}\n", request.method(), request.uri());
    let mut headers: Vec<_> = request.headers().iter().collect();
    headers.sort_by_key(|(name, _)| name.as_str());
    for (name, value) in headers {
        text.push_str(&format!(
            "{name}: {}\n",
            normalise_header(name.as_str(), value)
        ));
    }
    if !request.body().is_empty() {
        let body: Value = serde_json::from_slice(request.body()).unwrap();
        text.push('\n');
        text.push_str(&serde_json::to_string_pretty(&body).unwrap());
        text.push('\n');
    }
    assert!(!text.contains(FIXTURE_KEY), "the key leaked into {text}");
    text
}

fn normalise_header(name: &str, value: &http::HeaderValue) -> String {
    let value = value.to_str().unwrap();
    match name {
        "authorization" => value.replace(FIXTURE_KEY, "<redacted>"),
        "user-agent" => value.replace(env!("CARGO_PKG_VERSION"), "{version}"),
        _ => value.to_owned(),
    }
}

fn response(fixture: &Fixture) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder().status(fixture.scenario.response.status);
    for (name, value) in &fixture.scenario.response.headers {
        builder = builder.header(name, value);
    }
    builder.body(fixture.body.clone()).unwrap()
}

/// The differences between the stored request and the built one, as readable lines.
fn request_differences(fixture: &Fixture) -> Vec<String> {
    let built = build(fixture);
    let stored = &fixture.scenario.request;
    let mut differences = Vec::new();
    if built.method().as_str() != stored.method {
        differences.push(format!(
            "method: stored {} built {}",
            stored.method,
            built.method()
        ));
    }
    let url = url::Url::parse(&built.uri().to_string()).unwrap();
    if url.path() != stored.path {
        differences.push(format!("path: stored {} built {}", stored.path, url.path()));
    }
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    if query != stored.query {
        differences.push(format!("query: stored {:?} built {query:?}", stored.query));
    }
    let headers: BTreeMap<String, String> = built
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), normalise_header(name.as_str(), value)))
        .collect();
    if headers != stored.headers {
        differences.push(format!(
            "headers: stored {:?} built {headers:?}",
            stored.headers
        ));
    }
    let body =
        (!built.body().is_empty()).then(|| serde_json::from_slice::<Value>(built.body()).unwrap());
    if body != stored.body {
        differences.push(format!("body: stored {:?} built {body:?}", stored.body));
    }
    differences
}

#[test]
fn every_stored_request_is_what_the_core_builds() {
    let mut failures = Vec::new();
    for fixture in load_fixtures() {
        for difference in request_differences(&fixture) {
            failures.push(format!("{}: {difference}", fixture.name));
        }
    }
    assert!(
        failures.is_empty(),
        "fixtures differ from the built requests:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_changed_fixture_path_is_reported_by_name() {
    let mut fixture = load_fixtures()
        .into_iter()
        .find(|f| f.name == "conversations/detail-documented")
        .unwrap();
    fixture.scenario.request.path = "/api/public/chats/339461/".to_owned();
    let differences = request_differences(&fixture);
    assert_eq!(
        differences,
        ["path: stored /api/public/chats/339461/ built /api/public/conversations/339461/"]
    );
}

#[test]
fn every_built_request_matches_its_snapshot() {
    for fixture in load_fixtures() {
        let snapshot = format!("request@{}", fixture.name.replace('/', "__"));
        insta::assert_snapshot!(snapshot, render_request(&build(&fixture)));
    }
}

fn parsed<E: Endpoint>(endpoint: &E, fixture: &Fixture) -> String
where
    E::Output: Debug,
{
    let outcome = parse_response(endpoint, response(fixture));
    let status = StatusCode::from_u16(fixture.scenario.response.status).unwrap();
    match &outcome {
        Ok(_) => assert!(status.is_success(), "{}: parsed a {status}", fixture.name),
        Err(Error::Api(api)) => assert_eq!(api.status, status, "{}", fixture.name),
        Err(other) => panic!("{}: unexpected error {other}", fixture.name),
    }
    format!("{outcome:#?}")
}

#[test]
fn every_response_parses_into_its_snapshot() {
    for fixture in load_fixtures() {
        assert!(
            matches!(
                fixture.scenario.origin.as_str(),
                "documented" | "hand-written" | "recorded"
            ),
            "{}: unknown origin {:?}",
            fixture.name,
            fixture.scenario.origin
        );
        assert!(
            !fixture.scenario.source.is_empty(),
            "{}: no source",
            fixture.name
        );
        let text = match &fixture.scenario.operation {
            Operation::ListConversations(op) => parsed(op, &fixture),
            Operation::GetConversation(op) => parsed(op, &fixture),
            Operation::CreateConversation(op) => parsed(op, &fixture),
        };
        let snapshot = format!("parsed@{}", fixture.name.replace('/', "__"));
        insta::assert_snapshot!(snapshot, text);
    }
}

fn fixture(name: &str) -> Fixture {
    load_fixtures()
        .into_iter()
        .find(|f| f.name == format!("conversations/{name}"))
        .unwrap()
}

#[test]
fn documented_list_keeps_its_four_items_and_envelope() {
    let page = parse_response(
        &ListConversations::all(),
        response(&fixture("list-documented")),
    )
    .unwrap();
    let ids: Vec<i64> = page.results.iter().map(|c| c.id).collect();
    assert_eq!(ids, [748553, 748550, 748548, 748547]);
    assert_eq!(page.count, Some(41));
    assert_eq!(
        page.next.as_deref(),
        Some("https://example.user.com/api/public/conversations/?page=2")
    );
    assert!(
        page.results
            .iter()
            .all(|c| c.user.email.is_none() && !c.active)
    );
    assert_eq!(page.results[1].user.key.as_deref(), Some("VCJ0tmNg5wuw"));
}

#[test]
fn detail_messages_keep_html_text_sources_and_time() {
    let detail = parse_response(
        &GetConversation::new(339470),
        response(&fixture("detail-several-messages")),
    )
    .unwrap();
    let sources: Vec<&str> = detail.messages.iter().map(|m| m.source.as_str()).collect();
    assert_eq!(
        sources,
        ["chat", "email", "sms", "api", "slack", "whatsapp"]
    );
    assert_eq!(detail.messages[2].source, MessageSource::Known(Source::Sms));
    assert_eq!(
        detail.messages[5].source,
        MessageSource::Other("whatsapp".into())
    );
    assert!(detail.messages[1].content.starts_with("<p>Hi <b>Zofia</b>"));
    assert_eq!(
        detail.messages[0].content,
        "Dzień dobry! Czy mogę zmienić adres dostawy? 🙏"
    );
    assert_eq!(
        detail.messages[1].timestamp.to_string(),
        "2024-03-01T09:16:30.5Z"
    );
    assert_eq!(detail.messages[0].timestamp.as_second(), 1_709_284_500);
    assert_eq!(detail.user.key.as_deref(), Some("KQB9EPEd04Sx"));
    assert_eq!(detail.messages[1].user.as_ref().unwrap().key, None);
}

#[test]
fn unknown_fields_and_nulls_are_tolerated() {
    let page = parse_response(
        &ListConversations::all(),
        response(&fixture("list-unknown-fields-and-nulls")),
    )
    .unwrap();
    assert_eq!(page.count, None);
    let [first, second] = &page.results[..] else {
        panic!("two items expected")
    };
    assert_eq!(
        first.agent.as_ref().unwrap().name.as_deref(),
        Some("Agent Name")
    );
    assert_eq!(second.agent.as_ref().unwrap().id, Some(382));
    assert_eq!(
        (second.user.email.as_ref(), second.user.name.as_ref()),
        (None, None)
    );
}

#[test]
fn error_fixtures_become_api_errors() {
    let err = parse_response(
        &ListConversations::all(),
        response(&fixture("error-502-html")),
    )
    .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status, 502);
    assert!(
        api.body_snippet
            .as_deref()
            .unwrap()
            .contains("<title>502 Bad Gateway</title>")
    );
    assert_eq!(api.detail, None);

    let err =
        parse_response(&ListConversations::all(), response(&fixture("error-401"))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "User.com API error: HTTP 401 Unauthorized: Invalid token."
    );

    let create = CreateConversation::new(322842, "Hello").source(Source::Sms);
    let err = parse_response(&create, response(&fixture("error-400-fields"))).unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.field_errors["source"], ["\"4\" is not a valid choice."]);
    assert_eq!(
        api.field_errors["non_field_errors"],
        ["SMS is not configured for this application."]
    );
}

#[test]
fn a_changed_field_type_fails_with_its_path() {
    let mut broken = fixture("detail-documented");
    let text = String::from_utf8(broken.body.clone()).unwrap();
    broken.body = text
        .replace("\"chat\": 339461", "\"chat\": \"339461\"")
        .into_bytes();
    let err = parse_response(&GetConversation::new(339461), response(&broken)).unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.path, "results.messages[0].chat");
    assert_eq!(decode.status, 200);
    assert!(
        err.to_string().contains("results.messages[0].chat"),
        "{err}"
    );
}
