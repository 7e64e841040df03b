//! The fake answers in exactly the shape of the documented fixtures: the same keys at the
//! same places, the same JSON types, the same statuses.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};
use usercom_fake::{FakeOptions, FakeServer};

/// JSON types seen at each path (`results[].user.email`) of one or more documents.
type Shape = BTreeMap<String, BTreeSet<&'static str>>;

/// Free-form values whose inside has no fixed shape.
const OPAQUE: &[&str] = &["source_context"];

fn add_shape(value: &Value, path: &str, shape: &mut Shape) {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    shape.entry(path.to_owned()).or_default().insert(kind);
    if OPAQUE.iter().any(|name| path.ends_with(name)) {
        return;
    }
    match value {
        Value::Array(items) => {
            for item in items {
                add_shape(item, &format!("{path}[]"), shape);
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                add_shape(field, &format!("{path}.{key}"), shape);
            }
        }
        _ => {}
    }
}

fn shape_of<'a>(documents: impl IntoIterator<Item = &'a Value>) -> Shape {
    let mut shape = Shape::new();
    for document in documents {
        add_shape(document, "", &mut shape);
    }
    shape
}

/// Where two shapes differ: missing or extra paths, or different non-null types where both
/// sides saw a value (a field the fixtures only show as null may hold anything).
fn differences(expected: &Shape, actual: &Shape) -> Vec<String> {
    let mut out = Vec::new();
    for path in expected.keys().filter(|p| !actual.contains_key(*p)) {
        out.push(format!("missing {path}"));
    }
    for path in actual.keys().filter(|p| !expected.contains_key(*p)) {
        out.push(format!("unexpected {path}"));
    }
    for (path, want) in expected {
        let Some(got) = actual.get(path) else {
            continue;
        };
        let non_null = |kinds: &BTreeSet<&'static str>| {
            kinds
                .iter()
                .copied()
                .filter(|k| *k != "null")
                .collect::<BTreeSet<_>>()
        };
        let (want, got) = (non_null(want), non_null(got));
        if !want.is_empty() && !got.is_empty() && want != got {
            out.push(format!("{path}: fixtures {want:?}, fake {got:?}"));
        }
    }
    out
}

fn fixture(name: &str) -> (u16, Value) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/conversations")
        .join(name);
    let scenario: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("scenario.json")).unwrap()).unwrap();
    let body_file = scenario["response"]["body_file"].as_str().unwrap();
    let body =
        serde_json::from_str(&std::fs::read_to_string(dir.join(body_file)).unwrap()).unwrap();
    (
        u16::try_from(scenario["response"]["status"].as_u64().unwrap()).unwrap(),
        body,
    )
}

struct Raw {
    agent: ureq::Agent,
    base: String,
    key: String,
}

impl Raw {
    fn new(server: &FakeServer) -> Self {
        Self {
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .new_agent(),
            base: server.base_url().trim_end_matches('/').to_owned(),
            key: server.api_key().to_owned(),
        }
    }

    fn call(&self, method: &str, path: &str, key: &str, body: Option<Value>) -> (u16, Value) {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("authorization", format!("Token {key}"))
            .header("accept", "*/*; version=2")
            .header("content-type", "application/json")
            .body(body.map(|b| b.to_string()).unwrap_or_default())
            .unwrap();
        let mut response = self.agent.run(request).unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        (status, serde_json::from_str(&text).unwrap())
    }

    fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, &self.key, None)
    }
}

fn assert_same_shape(what: &str, fixtures: &[(u16, Value)], fake: &[(u16, Value)]) {
    for ((want, _), (got, _)) in fixtures.iter().zip(fake) {
        assert_eq!(want, got, "{what}: status");
    }
    let expected = shape_of(fixtures.iter().map(|(_, body)| body));
    let actual = shape_of(fake.iter().map(|(_, body)| body));
    let diff = differences(&expected, &actual);
    assert!(
        diff.is_empty(),
        "{what}: the fake differs from the fixtures:\n{}",
        diff.join("\n")
    );
}

#[test]
fn the_fake_answers_in_the_shape_of_the_fixtures() {
    let server = FakeServer::start(FakeOptions::default().conversations(150)).unwrap();
    let raw = Raw::new(&server);

    let (_, first_page) = raw.get("/conversations/");
    let summary = &first_page["results"][0];
    let (id, user) = (
        summary["id"].as_i64().unwrap(),
        summary["user"]["id"].as_i64().unwrap(),
    );

    assert_same_shape(
        "list",
        &[fixture("list-documented"), fixture("user-conversations")],
        &[
            raw.get("/conversations/"),
            raw.get(&format!("/users/{user}/conversations/")),
        ],
    );
    assert_same_shape(
        "detail",
        &[fixture("detail-documented")],
        &[raw.get(&format!("/conversations/{id}/"))],
    );
    let created = raw.call(
        "POST",
        &format!("/users/{user}/conversations/"),
        &raw.key,
        Some(
            json!({"content": "Message sent using API", "user": 926, "source": 2,
                    "source_context": {"name": "ctx", "id": 123}}),
        ),
    );
    assert_same_shape("create", &[fixture("create-documented")], &[created]);
    assert_same_shape(
        "404",
        &[fixture("error-404")],
        &[raw.get("/conversations/1/")],
    );
    let unauthorized = raw.call("GET", "/conversations/", "wrong", None);
    assert_same_shape("401", &[fixture("error-401")], &[unauthorized]);
}

#[test]
fn the_shape_comparison_catches_a_renamed_or_retyped_field() {
    let (_, documented) = fixture("detail-documented");
    let expected = shape_of([&documented]);
    let mut renamed = documented.clone();
    let user = renamed["results"]["user"].as_object_mut().unwrap();
    let key = user.remove("key").unwrap();
    user.insert("user_key".to_owned(), key);
    assert_eq!(
        differences(&expected, &shape_of([&renamed])),
        [
            "missing .results.user.key",
            "unexpected .results.user.user_key"
        ]
    );
    let mut retyped = documented.clone();
    retyped["results"]["id"] = json!("339461");
    assert_eq!(
        differences(&expected, &shape_of([&retyped])),
        [r#".results.id: fixtures {"integer"}, fake {"string"}"#]
    );
}

#[test]
fn pages_link_absolutely_and_the_last_page_ends() {
    let server = FakeServer::start(FakeOptions::default().conversations(5).page_size(2)).unwrap();
    let raw = Raw::new(&server);
    let (_, first) = raw.get("/conversations/?status=");
    let next = first["next"].as_str().unwrap();
    assert_eq!(
        next,
        format!(
            "http://{}/api/public/conversations/?page=2&status=",
            server.address()
        )
    );
    let (_, last) = raw.get("/conversations/?page=3");
    assert_eq!(last["next"], Value::Null);
    assert_eq!(last["results"].as_array().unwrap().len(), 1);
    assert_eq!(raw.get("/conversations/?page=4").0, 404);
    assert_eq!(first["count"], 5);
}

#[test]
fn requests_must_carry_the_version_header_and_the_trailing_slash() {
    let server = FakeServer::start(FakeOptions::default().conversations(1)).unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent();
    let auth = format!("Token {}", server.api_key());
    let url = format!("{}conversations/", server.base_url());
    let mut response = agent
        .get(&url)
        .header("authorization", &auth)
        .call()
        .unwrap();
    assert_eq!(response.status(), 406);
    let body = response.body_mut().read_to_string().unwrap();
    assert!(body.contains("version=2"), "{body}");

    let response = agent
        .get(url.trim_end_matches('/'))
        .header("authorization", &auth)
        .header("accept", "*/*; version=2")
        .call()
        .unwrap();
    assert_eq!(response.status(), 301);
    assert_eq!(response.headers()["location"], "/api/public/conversations/");

    let response = agent
        .get(&url)
        .header("accept", "*/*;version=2")
        .call()
        .unwrap();
    assert_eq!(response.status(), 401);
}
