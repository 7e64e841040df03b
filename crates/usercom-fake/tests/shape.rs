//! The fake answers in the shape of every documented fixture: the same status, the same keys
//! at the same places, the same JSON types.
//!
//! Each scenario's operation is built from the core's registry with the scenario's arguments
//! and sent to a fresh fake. The fixture's ids do not exist in the fake, so a path parameter
//! that names an object is taken from the fake instead: from the first item of the group's
//! listing. Nothing here is written per endpoint: a new group's fixtures are checked as they
//! land.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use usercom_core::Config;
use usercom_core::registry::{self, Registration};
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

/// A scenario of the fixture format (`fixtures/<group>/<scenario>/scenario.json`).
#[derive(Debug)]
struct Scenario {
    name: String,
    origin: String,
    operation: String,
    args: Value,
    status: u16,
    /// The body file's name and text (JSON for the scenarios checked here).
    body: (String, String),
}

/// A body as JSON; an empty one (a 204) as `null`.
fn json_body(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Every scenario below `root` in the current format (whose `operation` is a registry name);
/// the number of `scenario.json` files in another format comes second.
fn load(root: &Path) -> (Vec<Scenario>, usize) {
    let mut scenarios = Vec::new();
    let mut other_format = 0;
    let Ok(groups) = std::fs::read_dir(root) else {
        return (scenarios, other_format);
    };
    let mut dirs: Vec<PathBuf> = groups
        .flatten()
        .filter(|g| g.path().is_dir())
        .flat_map(|g| std::fs::read_dir(g.path()).into_iter().flatten().flatten())
        .map(|entry| entry.path())
        .filter(|dir| dir.join("scenario.json").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.strip_prefix(root).unwrap().display().to_string();
        let text = std::fs::read_to_string(dir.join("scenario.json")).unwrap();
        let scenario: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{name}/scenario.json is not JSON: {e}"));
        let Some(operation) = scenario["operation"].as_str() else {
            other_format += 1;
            continue;
        };
        // A recorded plan that was never recorded has no response yet.
        let Some(response) = scenario.get("response") else {
            continue;
        };
        let body_file = response["body_file"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no response.body_file"));
        let text = std::fs::read_to_string(dir.join(body_file))
            .unwrap_or_else(|e| panic!("{name}/{body_file}: {e}"));
        scenarios.push(Scenario {
            origin: scenario["origin"].as_str().unwrap_or_default().to_owned(),
            operation: operation.to_owned(),
            args: scenario.get("args").cloned().unwrap_or_else(|| json!({})),
            status: u16::try_from(response["status"].as_u64().unwrap()).unwrap(),
            body: (body_file.to_owned(), text),
            name,
        });
    }
    (scenarios, other_format)
}

/// Whether the fake must answer a scenario in its shape: every documented one, and the
/// written-by-hand answers to a wrong key (401) and a missing object (404), which are the
/// same for every endpoint.
fn checked(scenario: &Scenario) -> bool {
    scenario.origin == "documented"
        || (scenario.origin == "hand-written" && matches!(scenario.status, 401 | 404))
}

/// Scenarios in the current format, written for this test while the repository's fixtures
/// are still in the previous one.
fn write_stand_ins(root: &Path) {
    let _ = std::fs::remove_dir_all(root);
    let scenarios = [
        (
            "tags/list-documented",
            "documented",
            "tags.list",
            json!({}),
            200,
            r#"{"count": 2, "next": null, "previous": null,
                "results": [{"name": "tag", "id": 1441}, {"id": 9, "name": "To call"}]}"#,
        ),
        (
            "tags/delete-documented",
            "documented",
            "tags.delete",
            json!({"id": 1441}),
            204,
            "",
        ),
        (
            "conversations/user-conversations",
            "documented",
            "conversations.list",
            json!({"user_id": 2039}),
            200,
            r#"{"count": 1, "next": null, "previous": null, "results": [{"id": 6,
                "user": {"name": "user@email.com", "key": "I8REkrrhPWes", "id": 2039,
                         "email": "user@email.com"},
                "active": false, "agent": null, "messages": 1}]}"#,
        ),
        (
            "conversations/create-documented",
            "documented",
            "conversations.create",
            json!({"user_id": 322842, "content": "Message sent using API", "user": 926,
                   "source": 2, "source_context": {"id": 123}}),
            201,
            r#"{"id": 89, "user": {"id": 322842, "key": "2if9jlgsfsw3", "name": "John Doe",
                "email": "johndoe@response.example"}, "active": true, "agent": null,
                "messages": 1}"#,
        ),
        (
            "tags/error-404",
            "hand-written",
            "tags.users",
            json!({"id": 1}),
            404,
            r#"{"detail": "Not found."}"#,
        ),
        (
            "conversations/error-401",
            "hand-written",
            "conversations.list",
            json!({}),
            401,
            r#"{"detail": "Invalid token."}"#,
        ),
    ];
    for (name, origin, operation, args, status, body) in scenarios {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let scenario = json!({
            "origin": origin,
            "source": "a stand-in written by the fake's shape test",
            "operation": operation,
            "args": args,
            "response": {"status": status, "headers": {}, "body_file": "response.json"},
        });
        std::fs::write(dir.join("scenario.json"), scenario.to_string()).unwrap();
        std::fs::write(dir.join("response.json"), body).unwrap();
    }
}

/// The scenarios to check: the repository's, or the stand-ins while it has none in the
/// current format.
fn scenarios() -> Vec<Scenario> {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let (found, _) = load(&repository);
    let found: Vec<Scenario> = found.into_iter().filter(checked).collect();
    if found.iter().any(|s| s.origin == "documented") {
        return found;
    }
    let stand_ins = Path::new(env!("CARGO_TARGET_TMPDIR")).join("shape-stand-ins");
    write_stand_ins(&stand_ins);
    let (written, other_format) = load(&stand_ins);
    assert_eq!(other_format, 0);
    written.into_iter().filter(checked).collect()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent()
}

/// Sends a request; the status and the body as JSON (`null` when empty).
fn send(request: http::Request<Vec<u8>>) -> (u16, Value) {
    let mut response = agent().run(request).unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    (status, json_body(&text).unwrap())
}

/// A value for the path parameter `param` of an operation of `group` that exists in the
/// fake: taken from the first item of the group's listing (`id` is the item's id,
/// `user_id` its `user.id` or its `user_id`).
fn existing(server: &FakeServer, group: &str, param: &str) -> Value {
    let listing = registry::operations()
        .find(|op| op.group() == group && op.paged && op.build(json!({})).is_ok())
        .unwrap_or_else(|| panic!("{group} has no listing to take a {param} from"));
    let request = listing
        .build(json!({}))
        .unwrap()
        .request(&server.config().unwrap())
        .unwrap();
    let (status, page) = send(request);
    assert_eq!(status, 200, "{}: {page}", listing.name);
    let first = &page["results"][0];
    let found = match param.strip_suffix("_id") {
        _ if param == "id" => first["id"].clone(),
        Some(object) if first[object].is_object() => first[object]["id"].clone(),
        _ => first[param].clone(),
    };
    assert!(
        found.is_i64() || found.is_string(),
        "no {param} in the first item of {}: {first}",
        listing.name
    );
    found
}

/// The fake's answer to a scenario's operation.
fn answer(scenario: &Scenario, registration: &Registration) -> (u16, Value) {
    let server = FakeServer::start(FakeOptions::default().conversations(150)).unwrap();
    let mut args = scenario.args.clone();
    // A 404 scenario asks for what does not exist: its own ids are the point.
    if scenario.status != 404 {
        for param in registration.path_parameters() {
            if args.get(param).is_some() {
                args[param] = existing(&server, registration.group(), param);
            }
        }
    }
    let key = if scenario.status == 401 {
        "wrongkeywrongkeywrongkeywrongkeywrongkeywrongkeywrongkeywrongkey".to_owned()
    } else {
        server.api_key().to_owned()
    };
    let config = Config::for_base_url(server.base_url(), &key).unwrap();
    let operation = registration
        .build(args)
        .unwrap_or_else(|e| panic!("{}: {e}", scenario.name));
    send(operation.request(&config).unwrap())
}

/// Where an operation's answer is open, if it is: its objects carry keys of the account's
/// own (custom attributes are top-level keys; see `Tabular::OPEN`), so what keys it holds is
/// the account's business, and the documentation prints v1-looking examples of them on v2
/// pages. Inside it, keys that only one side has are not compared; the types of the keys
/// both have are. The path prefix of that inside is returned.
fn free_form(registration: &Registration) -> Option<&'static str> {
    if !registration.open {
        return None;
    }
    Some(if registration.paged {
        ".results[]."
    } else {
        "."
    })
}

/// Whether `difference` is a key missing or unexpected inside `prefix`.
fn is_presence_inside(difference: &str, prefix: &str) -> bool {
    ["missing ", "unexpected "].iter().any(|kind| {
        difference
            .strip_prefix(kind)
            .is_some_and(|path| path.starts_with(prefix))
    })
}

#[test]
fn the_fake_answers_in_the_shape_of_every_documented_fixture() {
    let scenarios = scenarios();
    assert!(
        scenarios.iter().any(|s| s.origin == "documented"),
        "no documented scenario to check"
    );
    let mut failures = Vec::new();
    for scenario in &scenarios {
        let registration = registry::find(&scenario.operation)
            .unwrap_or_else(|| panic!("{}: no operation {:?}", scenario.name, scenario.operation));
        let (status, body) = answer(scenario, registration);
        if status != scenario.status {
            failures.push(format!(
                "{}: status {status}, fixture {}: {body}",
                scenario.name, scenario.status
            ));
            continue;
        }
        let (file, text) = &scenario.body;
        let documented =
            json_body(text).unwrap_or_else(|e| panic!("{}/{file} is not JSON: {e}", scenario.name));
        let mut diff = differences(&shape_of([&documented]), &shape_of([&body]));
        if let Some(inside) = free_form(registration) {
            diff.retain(|d| !is_presence_inside(d, inside));
        }
        if !diff.is_empty() {
            failures.push(format!("{}:\n  {}", scenario.name, diff.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "the fake differs from the fixtures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn stand_ins_are_in_the_current_format_and_cover_every_kind_of_check() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("shape-stand-ins-format");
    write_stand_ins(&root);
    let (scenarios, other_format) = load(&root);
    assert_eq!(other_format, 0);
    assert!(scenarios.iter().all(checked));
    let statuses: BTreeSet<u16> = scenarios.iter().map(|s| s.status).collect();
    assert_eq!(statuses, BTreeSet::from([200, 201, 204, 401, 404]));
    for scenario in &scenarios {
        let registration = registry::find(&scenario.operation).unwrap();
        registration.build(scenario.args.clone()).unwrap();
        json_body(&scenario.body.1).unwrap();
    }
}

#[test]
fn a_path_parameter_is_taken_from_the_groups_listing() {
    let server = FakeServer::start(FakeOptions::default().conversations(10)).unwrap();
    let id = existing(&server, "conversations", "id");
    let user = existing(&server, "conversations", "user_id");
    let tag = existing(&server, "tags", "id");
    assert!(id.as_i64().unwrap() >= 700_000, "{id}");
    assert!(user.as_i64().unwrap() >= 20_000_000, "{user}");
    assert_eq!(tag, 1_400);
}

#[test]
fn free_form_answers_compare_the_types_of_shared_keys_only() {
    let companies = registry::find("tags.companies").unwrap();
    let list = registry::find("tags.list").unwrap();
    assert_eq!(
        free_form(companies),
        Some(".results[]."),
        "companies are open"
    );
    assert_eq!(free_form(list), None, "tags have a model");
    assert_eq!(
        free_form(registry::find("conversations.get").unwrap()),
        None
    );
    let documented = json!({"count": 1, "next": null, "previous": null,
                            "results": [{"id": 1, "key": "abc", "tags": [{"id": 9}]}]});
    let fake = json!({"count": 1, "next": null, "previous": null,
                      "results": [{"id": "1", "user_key": "abc", "tags": [{"id": 9}]}]});
    let mut diff = differences(&shape_of([&documented]), &shape_of([&fake]));
    diff.retain(|d| !is_presence_inside(d, ".results[]."));
    assert_eq!(
        diff,
        [r#".results[].id: fixtures {"integer"}, fake {"string"}"#]
    );
    let no_envelope = json!({"results": [{"id": 1}]});
    let diff = differences(&shape_of([&documented]), &shape_of([&no_envelope]));
    assert!(diff.iter().any(|d| d == "missing .count"), "{diff:?}");
    assert!(
        !diff
            .iter()
            .any(|d| is_presence_inside(d, ".results[].") && d.contains("count"))
    );
}

#[test]
fn the_shape_comparison_catches_a_renamed_or_retyped_field() {
    let documented = json!({
        "results": {"active": true, "id": 339461, "agent": null, "messages": [],
                    "user": {"key": "KQB9EPEd04Sx", "id": 11768499, "email": null,
                             "name": "Jane Doe"}},
        "previous": null, "count": 1, "next": null
    });
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
    let get = |path: &str| {
        let request = http::Request::get(format!("{}{path}", server.base_url()))
            .header("authorization", format!("Token {}", server.api_key()))
            .header("accept", "*/*; version=2")
            .body(Vec::new())
            .unwrap();
        send(request)
    };
    let (_, first) = get("conversations/?status=");
    let next = first["next"].as_str().unwrap();
    assert_eq!(
        next,
        format!(
            "http://{}/api/public/conversations/?page=2&status=",
            server.address()
        )
    );
    let (_, last) = get("conversations/?page=3");
    assert_eq!(last["next"], Value::Null);
    assert_eq!(
        last["previous"],
        format!(
            "http://{}/api/public/conversations/?page=2",
            server.address()
        )
    );
    assert_eq!(last["results"].as_array().unwrap().len(), 1);
    assert_eq!(get("conversations/?page=4").0, 404);
    assert_eq!(get("conversations/?page=0").0, 404);
    assert_eq!(get("conversations/?page=x").0, 404);
    assert_eq!(first["count"], 5);
}

#[test]
fn requests_must_carry_the_version_header_and_the_trailing_slash() {
    let server = FakeServer::start(FakeOptions::default().conversations(1)).unwrap();
    let agent = agent();
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
