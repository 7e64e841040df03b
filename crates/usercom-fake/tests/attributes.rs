//! The attribute definitions: list, create (with DRF's field errors), get, delete, and the
//! type lookups.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Raw;
use serde_json::{Value, json};
use usercom_fake::{FakeOptions, FakeServer};

fn start(options: FakeOptions) -> (FakeServer, Raw) {
    let server = FakeServer::start(options).unwrap();
    let raw = Raw::new(&server);
    (server, raw)
}

#[test]
fn seeded_definitions_are_the_custom_attributes_users_and_companies_carry() {
    let (_server, raw) = start(FakeOptions::default());
    let all = raw.all("attributes/");
    let names: Vec<(&str, &str, &str)> = all
        .iter()
        .map(|a| {
            (
                a["name_std"].as_str().unwrap(),
                a["value_type"].as_str().unwrap(),
                a["content_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("plan", "string", "clientuser"),
            ("lifetime_value", "float", "clientuser"),
            ("birthday", "date", "clientuser"),
            ("industry", "string", "company"),
            ("founded", "integer", "company"),
            ("deal_source", "fixed", "deal"),
        ]
    );
    assert_eq!(all[5]["choices"], json!(["inbound", "outbound", "direct"]));
    assert_eq!(all[5]["allow_multiple_choices"], false);
    assert_eq!(all[0].get("choices"), None, "only fixed ones have choices");
    // The users of the account carry them, flattened.
    let user = &raw.all("tags/1400/users/")[0];
    for name in ["plan", "lifetime_value"] {
        assert!(user.get(name).is_some(), "{name}: {user}");
    }
    let more = start(FakeOptions::default().size("attributes", 20))
        .1
        .all("attributes/");
    assert_eq!(more.len(), 20);
    assert!(more.iter().any(|a| a["value_type"] == "json"));
}

#[test]
fn create_get_and_delete_a_definition() {
    let (_server, raw) = start(FakeOptions::default());
    let documented = raw.send(
        "POST",
        "attributes/",
        Some(r#"{"content_type": "clientuser", "name": "API string attribute", "value_type": "string"}"#),
    );
    assert_eq!(documented.status, 201, "{}", documented.text);
    assert_eq!(
        documented.json(),
        json!({"id": 46, "name": "API string attribute", "name_std": "api_string_attribute",
               "value_type": "string", "content_type": "clientuser"}),
        "the documentation's example"
    );
    let fixed = raw.send(
        "POST",
        "attributes/",
        Some(
            r#"{"content_type": "deal", "name": "Tier", "value_type": "fixed",
                 "choices": ["gold", "silver"], "allow_multiple_choices": true}"#,
        ),
    );
    assert_eq!(fixed.status, 201, "{}", fixed.text);
    assert_eq!(fixed.json()["choices"], json!(["gold", "silver"]));
    // Choices sent for another type are not kept.
    let plain = raw.send(
        "POST",
        "attributes/",
        Some(r#"{"content_type": "company", "name": "Tier", "value_type": "string", "choices": ["a"]}"#),
    );
    assert_eq!(plain.status, 201, "{}", plain.text);
    assert_eq!(plain.json().get("choices"), None);

    assert_eq!(raw.get("attributes/46/").json(), documented.json());
    assert_eq!(raw.get("attributes/").json()["count"], 9);
    assert_eq!(raw.send("DELETE", "attributes/46/", None).status, 204);
    assert_eq!(raw.get("attributes/46/").status, 404);
    assert_eq!(raw.send("DELETE", "attributes/46/", None).status, 404);
    assert_eq!(
        raw.get("attribute-type/api_string_attribute/users/").status,
        404
    );
}

#[test]
fn bad_definitions_get_drf_field_errors() {
    let (_server, raw) = start(FakeOptions::default());
    let cases = [
        (
            json!({}),
            json!({"name": ["This field is required."], "content_type": ["This field is required."],
                   "value_type": ["This field is required."]}),
        ),
        (
            json!({"content_type": "user", "name": "x".repeat(33), "value_type": "string"}),
            json!({"name": ["Ensure this field has no more than 32 characters."]}),
        ),
        (
            json!({"content_type": "user", "name": "x", "value_type": "money"}),
            json!({"content_type": ["\"user\" is not a valid choice."],
                   "value_type": ["\"money\" is not a valid choice."]}),
        ),
        (
            json!({"content_type": "clientuser", "name": "Tier", "value_type": "fixed"}),
            json!({"choices": ["This field is required."],
                   "allow_multiple_choices": ["This field is required."]}),
        ),
        (
            json!({"content_type": "clientuser", "name": "Tier", "value_type": "fixed",
                   "choices": [], "allow_multiple_choices": false}),
            json!({"choices": ["This list may not be empty."]}),
        ),
        (
            json!({"content_type": "clientuser", "name": "Plan", "value_type": "string"}),
            json!({"name": ["attribute with this name already exists."]}),
        ),
        (
            json!({"content_type": "clientuser", "name": "?!", "value_type": "string"}),
            json!({"name": ["The name must contain a letter or a digit."]}),
        ),
    ];
    for (body, expected) in cases {
        let answer = raw.send("POST", "attributes/", Some(&body.to_string()));
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
    // The same name is free for other objects.
    let company = raw.send(
        "POST",
        "attributes/",
        Some(r#"{"content_type": "company", "name": "Plan", "value_type": "string"}"#),
    );
    assert_eq!(company.status, 201, "{}", company.text);
    // 32 characters, not bytes.
    let long = json!({"content_type": "ticket", "name": "ż".repeat(32), "value_type": "date"});
    assert_eq!(
        raw.send("POST", "attributes/", Some(&long.to_string()))
            .status,
        201
    );
}

#[test]
fn type_lookups_answer_for_their_objects_only() {
    let (_server, raw) = start(FakeOptions::default());
    let cases = [
        (
            "attribute-type/plan/users/",
            200,
            json!({"value_type": "string"}),
        ),
        (
            "attribute-type/founded/companies/",
            200,
            json!({"value_type": "integer"}),
        ),
        (
            "attribute-type/founded/users/",
            404,
            json!({"detail": "Not found."}),
        ),
        (
            "attribute-type/plan/companies/",
            404,
            json!({"detail": "Not found."}),
        ),
        (
            "attribute-type/nothing/users/",
            404,
            json!({"detail": "Not found."}),
        ),
    ];
    for (path, status, body) in cases {
        let answer = raw.get(path);
        assert_eq!((answer.status, answer.json()), (status, body), "{path}");
    }
    let odd = raw.send(
        "POST",
        "attributes/",
        Some(r#"{"content_type": "clientuser", "name": "Zażółć / gęślą", "value_type": "json"}"#),
    );
    let name_std = odd.json()["name_std"].as_str().unwrap().to_owned();
    assert_eq!(name_std, "zażółć_gęślą");
    let encoded: String = percent_encode(&name_std);
    assert_eq!(
        raw.get(&format!("attribute-type/{encoded}/users/")).json(),
        json!({"value_type": "json"})
    );
    assert_eq!(raw.get("attributes/abc/").status, 404);
    assert_eq!(raw.send("PUT", "attributes/40/", Some("{}")).status, 405);
    assert_ne!(raw.get("attributes/40/").json(), Value::Null);
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
