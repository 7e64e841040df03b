//! The tags endpoints: list, create, rename, delete, and who carries a tag.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use common::Raw;
use serde_json::{Value, json};
use usercom_fake::{FakeOptions, FakeServer};

fn start(options: FakeOptions) -> (FakeServer, Raw) {
    let server = FakeServer::start(options).unwrap();
    let raw = Raw::new(&server);
    (server, raw)
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

#[test]
fn seeded_tags_are_a_few_dozen_distinct_names_in_pages() {
    let (_server, raw) = start(FakeOptions::default().page_size(10));
    let first = raw.get("tags/").json();
    assert_eq!(first["count"], 36);
    assert_eq!(
        first["results"][0],
        json!({"id": 1400, "name": first["results"][0]["name"]})
    );
    let tags = raw.all("tags/");
    assert_eq!(ids(&tags), (1400..1436).collect::<Vec<_>>());
    let names: BTreeSet<&str> = tags.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 36, "names are unique");

    // More tags than names: numbered, still unique; and the seed changes the order.
    let (_server, raw) = start(FakeOptions::default().tags(100).seed(3));
    let tags = raw.all("tags/");
    let names: BTreeSet<&str> = tags.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 100);
    let (_other, other_seed) = start(FakeOptions::default().tags(100).seed(4));
    assert_ne!(other_seed.all("tags/"), tags);
}

#[test]
fn create_rename_and_delete_a_tag() {
    let (_server, raw) = start(FakeOptions::default());
    let created = raw.send("POST", "tags/", Some(r#"{"name": "  vip  "}"#));
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json(), json!({"id": 1436, "name": "vip"}));
    assert_eq!(raw.get("tags/").json()["count"], 37);
    assert_eq!(raw.all("tags/").last().unwrap()["name"], "vip");

    let renamed = raw.send("PUT", "tags/1436/", Some(r#"{"name": "VIP customers"}"#));
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.json(), json!({"id": 1436, "name": "VIP customers"}));
    // Keeping its own name is no clash.
    let same = raw.send("PUT", "tags/1436/", Some(r#"{"name": "VIP customers"}"#));
    assert_eq!(same.status, 200, "{}", same.text);
    // A seeded tag can be renamed too.
    let seeded = raw.send("PUT", "tags/1400/", Some(r#"{"name": "renamed"}"#));
    assert_eq!(seeded.json(), json!({"id": 1400, "name": "renamed"}));
    assert_eq!(raw.get("tags/").json()["results"][0]["name"], "renamed");

    let deleted = raw.send("DELETE", "tags/1436/", None);
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.text, "");
    assert!(!deleted.headers.contains_key("content-type"));
    assert_eq!(raw.send("DELETE", "tags/1436/", None).status, 404);
    assert_eq!(
        raw.send("PUT", "tags/1436/", Some(r#"{"name": "x"}"#))
            .json(),
        json!({"detail": "Not found."})
    );
    assert_eq!(raw.get("tags/").json()["count"], 36);
    // Ids are not reused.
    let again = raw.send("POST", "tags/", Some(r#"{"name": "vip"}"#));
    assert_eq!(again.json()["id"], 1437);
}

#[test]
fn bad_tag_bodies_get_drf_field_errors() {
    let (_server, raw) = start(FakeOptions::default());
    let taken = raw.get("tags/").json()["results"][1]["name"].clone();
    let cases = [
        (
            r#"{}"#.to_owned(),
            json!({"name": ["This field is required."]}),
        ),
        (
            r#"{"name": " "}"#.to_owned(),
            json!({"name": ["This field may not be blank."]}),
        ),
        (
            r#"{"name": null}"#.to_owned(),
            json!({"name": ["This field may not be null."]}),
        ),
        (
            r#"{"name": {"a": 1}}"#.to_owned(),
            json!({"name": ["Not a valid string."]}),
        ),
        (
            json!({"name": "x".repeat(256)}).to_string(),
            json!({"name": ["Ensure this field has no more than 255 characters."]}),
        ),
        (
            json!({"name": taken}).to_string(),
            json!({"name": ["tag with this name already exists."]}),
        ),
        (
            r#"["vip"]"#.to_owned(),
            json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        ),
        (
            r#""vip""#.to_owned(),
            json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}),
        ),
    ];
    for (body, expected) in cases {
        let answer = raw.send("POST", "tags/", Some(&body));
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
    let broken = raw.send("POST", "tags/", Some(r#"{"name": "#));
    assert_eq!(broken.status, 400);
    let detail = broken.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.starts_with("JSON parse error - "), "{detail}");

    let form = raw.send_as(
        "POST",
        "tags/",
        Some("name=vip"),
        "application/x-www-form-urlencoded",
    );
    assert_eq!(form.status, 415);
    assert_eq!(
        form.json(),
        json!({"detail": "Unsupported media type \"application/x-www-form-urlencoded\" in request."})
    );

    // Renaming into another tag's name is refused as well; nothing was created.
    let clash = raw.send(
        "PUT",
        "tags/1400/",
        Some(&json!({"name": taken}).to_string()),
    );
    assert_eq!(
        clash.json(),
        json!({"name": ["tag with this name already exists."]})
    );
    assert_eq!(raw.get("tags/").json()["count"], 36);
}

#[test]
fn the_users_and_companies_of_a_tag_carry_it() {
    let (_server, raw) = start(FakeOptions::default());
    let mut seen_users = 0;
    for tag in raw.all("tags/") {
        let id = tag["id"].as_i64().unwrap();
        let users = raw.all(&format!("tags/{id}/users/"));
        let companies = raw.all(&format!("tags/{id}/companies/"));
        assert!(!users.is_empty(), "every seeded tag has users: {id}");
        assert!(
            !companies.is_empty(),
            "every seeded tag has companies: {id}"
        );
        for item in users.iter().chain(&companies) {
            assert!(
                item["tags"].as_array().unwrap().contains(&tag),
                "{id} not in {item}"
            );
        }
        seen_users += users.len();
        let user = &users[0];
        for key in [
            "user_key",
            "custom_id",
            "email",
            "first_name",
            "last_name",
            "name",
        ] {
            assert!(user.get(key).is_some(), "{key} missing from {user}");
        }
        assert!(
            user.get("key").is_none() && user.get("attributes").is_none(),
            "v2, not v1"
        );
        assert!(companies[0]["name"].is_string());
    }
    assert!(seen_users >= 62, "{seen_users}");
}

#[test]
fn users_and_companies_look_like_an_account() {
    let (_server, raw) = start(FakeOptions::default().conversations(400));
    let mut users = Vec::new();
    for tag in 1400..1436 {
        users.extend(raw.all(&format!("tags/{tag}/users/")));
    }
    let with = |key: &str| users.iter().filter(|u| u[key].is_string()).count();
    assert!(
        with("email") > 0 && with("email") < users.len(),
        "some users have emails"
    );
    assert!(with("first_name") > 0 && with("custom_id") > 0);
    assert!(
        users
            .iter()
            .any(|u| u["email"].is_null() && u["name"].as_str().unwrap().split(' ').count() == 2),
        "anonymous visitors have two-word names"
    );
    assert!(
        users
            .iter()
            .any(|u| !u["companies"].as_array().unwrap().is_empty())
    );
    assert!(
        users
            .iter()
            .all(|u| u["user_key"].as_str().unwrap().len() == 12)
    );
    // A custom attribute, flattened.
    assert!(users.iter().all(|u| u.get("plan").is_some()));
    let custom: Vec<&str> = users
        .iter()
        .filter_map(|u| u["custom_id"].as_str())
        .collect();
    assert!(custom.iter().any(|c| c.contains('@')), "{custom:?}");
    assert!(custom.iter().any(|c| c.contains('/')), "{custom:?}");
}

#[test]
fn a_deleted_tag_leaves_its_users_and_cannot_be_listed() {
    let (_server, raw) = start(FakeOptions::default());
    let before = raw.all("tags/1400/users/");
    let user = before[0]["id"].clone();
    assert_eq!(raw.send("DELETE", "tags/1400/", None).status, 204);
    assert_eq!(
        raw.get("tags/1400/users/").json(),
        json!({"detail": "Not found."})
    );
    assert_eq!(raw.get("tags/1400/companies/").status, 404);
    // Nobody carries it any more.
    for tag in 1401..1436 {
        for carrier in raw
            .all(&format!("tags/{tag}/users/"))
            .into_iter()
            .chain(raw.all(&format!("tags/{tag}/companies/")))
        {
            assert!(
                carrier["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|t| t["id"] != 1400),
                "{carrier}"
            );
        }
    }
    // A renamed tag shows its new name on the users that carry it.
    raw.send("PUT", "tags/1401/", Some(r#"{"name": "renamed"}"#));
    let carriers = raw.all("tags/1401/users/");
    assert!(carriers.iter().all(|u| {
        u["tags"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": 1401, "name": "renamed"}))
    }));
    assert_ne!(user, Value::Null);
}

#[test]
fn tag_paths_answer_404_and_405_like_drf() {
    let (_server, raw) = start(FakeOptions::default());
    for path in [
        "tags/999/users/",
        "tags/abc/users/",
        "tags/1399/companies/",
        "tags/1400/deals/",
    ] {
        let answer = raw.get(path);
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.json(), json!({"detail": "Not found."}), "{path}");
    }
    let patch = raw.send("PATCH", "tags/1400/", Some("{}"));
    assert_eq!(patch.status, 405);
    assert_eq!(patch.headers["allow"], "PUT, DELETE");
    assert_eq!(
        patch.json(),
        json!({"detail": "Method \"PATCH\" not allowed."})
    );
    assert_eq!(
        raw.send("DELETE", "tags/", None).headers["allow"],
        "GET, POST"
    );
    // The id may be sent percent-encoded.
    assert_eq!(raw.get("tags/%31%34%30%30/users/").status, 200);
}
