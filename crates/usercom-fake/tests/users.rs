//! The users endpoints: by numeric id and by custom id, writes with custom attributes,
//! `update_or_create`, the searches, mass updates, actions, listings below a user, merge.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::Raw;
use serde_json::{Value, json};
use usercom_core::registry;
use usercom_fake::{FakeOptions, FakeServer};

fn start(options: FakeOptions) -> (FakeServer, Raw) {
    let server = FakeServer::start(options).unwrap();
    let raw = Raw::new(&server);
    (server, raw)
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

/// `path` with the custom id percent-encoded as the SDK sends it.
fn by_custom_id(custom_id: &str, rest: &str) -> String {
    let encoded: String = custom_id
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'@' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("users-by-id/{encoded}/{rest}")
}

/// The custom attributes every seeded user carries, and the JSON types they take.
const ATTRIBUTE_TYPES: &[(&str, &[&str])] = &[
    ("plan", &["string", "null"]),
    ("lifetime_value", &["number"]),
    ("newsletter", &["boolean"]),
    ("seats", &["number", "null"]),
    ("renewal_date", &["date", "null"]),
    ("trial_ends_at", &["datetime", "null"]),
    ("preferences", &["object", "null"]),
    ("interests", &["array"]),
];

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(text) if text.parse::<jiff::civil::Date>().is_ok() && text.len() == 10 => {
            "date"
        }
        Value::String(text) if text.parse::<jiff::Timestamp>().is_ok() => "datetime",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[test]
fn seeded_users_hold_custom_attributes_of_every_type_and_every_kind_of_identity() {
    let (_server, raw) = start(FakeOptions::default().users(200));
    let users = raw.all("users/");
    assert_eq!(users.len(), 200);
    assert_eq!(ids(&users), (20_000_000..20_000_200).collect::<Vec<_>>());
    let mut seen: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for user in &users {
        for (name, allowed) in ATTRIBUTE_TYPES {
            let value = user
                .get(*name)
                .unwrap_or_else(|| panic!("{name} missing: {user}"));
            assert!(allowed.contains(&kind(value)), "{name}: {value}");
            seen.entry(name).or_default().insert(kind(value));
        }
        assert!(
            user.get("key").is_none() && user.get("attributes").is_none(),
            "v2"
        );
        assert_eq!(user["user_key"].as_str().unwrap().len(), 12);
    }
    for (name, allowed) in ATTRIBUTE_TYPES {
        let kinds = &seen[name];
        assert!(
            allowed.iter().all(|k| kinds.contains(k)),
            "{name}: only {kinds:?} seen"
        );
    }
    let interests: BTreeSet<usize> = users
        .iter()
        .map(|u| u["interests"].as_array().unwrap().len())
        .collect();
    assert!(
        interests.len() > 2,
        "several choices at once: {interests:?}"
    );
    let without_email = users.iter().filter(|u| u["email"].is_null()).count();
    let without_custom_id = users.iter().filter(|u| u["custom_id"].is_null()).count();
    assert!(without_email > 0 && without_email < 200);
    assert!(without_custom_id > 0 && without_custom_id < 200);
    let shared = users
        .iter()
        .filter(|u| u["email"] == "family@example.com")
        .count();
    assert!(shared >= 2, "{shared} users share an email");
    // The first is the documentation's example user.
    let first = &users[0];
    assert_eq!(first["user_key"], "xSoYQG00fg9z");
    assert_eq!(first["email"], "myemail@example.org");
    assert_eq!(first["name"], "John Doe");
}

#[test]
fn an_unfiltered_listing_costs_one_page_whatever_the_size() {
    let (server, raw) = start(FakeOptions::default().users(5_000_000).page_size(50));
    let page = raw.get("users/?page=60000").json();
    assert_eq!(page["count"], 5_000_000);
    assert_eq!(page["results"].as_array().unwrap().len(), 50);
    assert_eq!(page["results"][0]["id"], 20_000_000 + 59_999 * 50);
    let last = raw.get("users/?page=100000").json();
    assert_eq!(last["next"], Value::Null);
    // A custom id is found without going through the users.
    let user = &page["results"][7];
    if let Some(custom_id) = user["custom_id"].as_str() {
        let found = raw.get(&by_custom_id(custom_id, "")).json();
        assert_eq!(found["id"], user["id"]);
    }
    assert_eq!(server.stored_items(), 0, "reading keeps nothing");
}

#[test]
fn get_by_id_and_by_custom_id_and_404s() {
    let (_server, raw) = start(FakeOptions::default());
    let users = raw.all("users/");
    for user in users.iter().filter(|u| u["custom_id"].is_string()).take(5) {
        let custom_id = user["custom_id"].as_str().unwrap();
        let by_custom = raw.get(&by_custom_id(custom_id, ""));
        assert_eq!(by_custom.status, 200, "{custom_id}");
        assert_eq!(by_custom.json(), *user);
        let by_id = raw.get(&format!("users/{}/", user["id"])).json();
        assert_eq!(by_id, *user);
    }
    // The custom id of a seeded user's form, given to no user, and other misses.
    let visitor = users.iter().find(|u| u["custom_id"].is_null()).unwrap();
    let index = visitor["id"].as_i64().unwrap() - 20_000_000;
    for path in [
        format!("users-by-id/user@{index}/"),
        format!("users-by-id/crm%2F{index}/"),
        "users-by-id/nobody/".to_owned(),
        "users/1/".to_owned(),
        "users/abc/".to_owned(),
        "users/1/events/".to_owned(),
        "users-by-id/nobody/add_tag/".to_owned(),
    ] {
        let method = if path.ends_with("add_tag/") {
            "POST"
        } else {
            "GET"
        };
        let answer = raw.send(method, &path, Some(r#"{"name": "x"}"#));
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.json(), json!({"detail": "Not found."}), "{path}");
    }
}

#[test]
fn create_update_and_delete_with_custom_attributes_of_every_type() {
    let (_server, raw) = start(FakeOptions::default());
    let body = json!({
        "custom_id": "zażółć/日本 1@a", "email": "ada@example.com", "first_name": "Ada",
        "last_name": "Lovelace", "gender": 3, "status": 2, "tags": ["vip", "newsletter"],
        "plan": "pro", "seats": 5, "lifetime_value": 12.5, "newsletter": true,
        "renewal_date": "2025-03-01", "trial_ends_at": "2025-02-14T12:00:00+01:00",
        "preferences": {"digest": true, "n": [1, 2]}, "interests": ["chat", "api"],
        "id": 1, "user_key": "ignored"
    });
    let created = raw.send("POST", "users/", Some(&body.to_string()));
    assert_eq!(created.status, 201, "{}", created.text);
    let user = created.json();
    let id = user["id"].as_i64().unwrap();
    assert_eq!(id, 20_000_062, "the next id");
    assert_ne!(user["user_key"], "ignored");
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(
        (user["gender"].clone(), user["status"].clone()),
        (json!("female"), json!("user"))
    );
    for name in [
        "plan",
        "seats",
        "lifetime_value",
        "newsletter",
        "renewal_date",
        "preferences",
        "interests",
    ] {
        assert_eq!(user[name], body[name], "{name} kept with its type");
    }
    let tags: Vec<&str> = user["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tags,
        ["vip", "newsletter"],
        "a new tag is created, an existing one reused"
    );

    let path = by_custom_id("zażółć/日本 1@a", "");
    assert_eq!(raw.get(&path).json()["id"], id);
    let updated = raw.send(
        "PUT",
        &path,
        Some(r#"{"last_name": "King", "seats": null, "plan": "enterprise"}"#),
    );
    assert_eq!(updated.status, 200, "{}", updated.text);
    let updated = updated.json();
    assert_eq!(updated["name"], "Ada King");
    assert_eq!(updated["seats"], Value::Null);
    assert_eq!(updated["plan"], "enterprise");
    assert_eq!(updated["email"], "ada@example.com", "fields not sent stay");
    assert_eq!(raw.get(&format!("users/{id}/")).json(), updated);

    // A new custom id is found, the old one no longer.
    let moved = raw.send(
        "PUT",
        &format!("users/{id}/"),
        Some(r#"{"custom_id": "acct 17"}"#),
    );
    assert_eq!(moved.status, 200);
    assert_eq!(raw.get(&by_custom_id("acct 17", "")).status, 200);
    assert_eq!(raw.get(&path).status, 404);

    let deleted = raw.send("DELETE", &by_custom_id("acct 17", ""), None);
    assert_eq!((deleted.status, deleted.text.as_str()), (204, ""));
    assert_eq!(raw.get(&format!("users/{id}/")).status, 404);
    assert_eq!(
        raw.send("DELETE", &format!("users/{id}/"), None).status,
        404
    );
}

#[test]
fn bad_user_bodies_get_drf_field_errors() {
    let (_server, raw) = start(FakeOptions::default());
    let taken = raw.get("users/20000001/").json();
    let long = "x".repeat(41);
    let cases = [
        (
            json!({"first_name": long}),
            json!({"first_name": ["Ensure this field has no more than 40 characters."]}),
        ),
        (
            json!({"last_name": "y".repeat(41), "plan2": 1}),
            json!({"last_name": ["Ensure this field has no more than 40 characters."],
                   "plan2": ["There is no user attribute with this name."]}),
        ),
        (
            json!({"seats": "five", "newsletter": "yes", "renewal_date": "1.3.2025",
                   "trial_ends_at": "2025-03-01", "interests": ["chat", "golf"], "plan": 3}),
            json!({"seats": ["A valid integer is required."],
                   "newsletter": ["Must be a valid boolean."],
                   "renewal_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
                   "trial_ends_at": ["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."],
                   "interests": ["\"golf\" is not a valid choice."],
                   "plan": ["Not a valid string."]}),
        ),
        (
            json!({"gender": "male", "status": 7, "email": "not-an-address"}),
            json!({"gender": ["\"male\" is not a valid choice."],
                   "status": ["\"7\" is not a valid choice."],
                   "email": ["Enter a valid email address."]}),
        ),
        (
            json!({"tags": "vip", "company_custom_id": "no-such-company"}),
            json!({"tags": ["Expected a list of items but got type \"str\"."],
                   "company_custom_id": ["Object with custom_id=no-such-company does not exist."]}),
        ),
    ];
    for (body, expected) in cases {
        for (method, path) in [("POST", "users/"), ("PUT", "users/20000002/")] {
            let answer = raw.send(method, path, Some(&body.to_string()));
            assert_eq!(answer.status, 400, "{method} {body}");
            assert_eq!(answer.json(), expected, "{method} {body}");
        }
    }
    if let Some(custom_id) = taken["custom_id"].as_str() {
        let clash = raw.send(
            "POST",
            "users/",
            Some(&json!({"custom_id": custom_id}).to_string()),
        );
        assert_eq!(
            clash.json(),
            json!({"custom_id": ["user with this custom id already exists."]})
        );
        // Keeping its own custom id is no clash.
        let same = raw.send(
            "PUT",
            "users/20000001/",
            Some(&json!({"custom_id": custom_id}).to_string()),
        );
        assert_eq!(same.status, 200, "{}", same.text);
    }
    assert_eq!(raw.get("users/").json()["count"], 62, "nothing was created");
    let not_object = raw.send("POST", "users/", Some("[1]"));
    assert_eq!(
        not_object.json(),
        json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})
    );
}

#[test]
fn update_or_create_matches_on_the_custom_id() {
    let (server, raw) = start(FakeOptions::default());
    let custom_ids = ["acct-17", "user@123", "a b/c", "zażółć 日本", "user@5"];
    let mut created = BTreeMap::new();
    for custom_id in custom_ids {
        let body = json!({"custom_id": custom_id, "email": "a@example.com", "plan": "pro"});
        let answer = raw.send("POST", "users/update_or_create/", Some(&body.to_string()));
        assert_eq!(answer.status, 200, "{}", answer.text);
        let answer = answer.json();
        created.insert(custom_id, answer.clone());
        // `user@5` is a seeded user's custom id only if user 5 is a named user.
        if custom_id != "user@5" {
            assert_eq!(answer["created"], true, "{custom_id}");
        }
    }
    let count = raw.get("users/").json()["count"].as_u64().unwrap();
    for custom_id in custom_ids {
        let body = json!({"custom_id": custom_id, "plan": "enterprise", "seats": 3});
        let answer = raw
            .send("POST", "users/update_or_create/", Some(&body.to_string()))
            .json();
        assert_eq!(answer["created"], false, "{custom_id}");
        assert_eq!(answer["id"], created[custom_id]["id"], "{custom_id}");
        let user = raw.get(&by_custom_id(custom_id, "")).json();
        assert_eq!(
            (user["plan"].clone(), user["seats"].clone()),
            (json!("enterprise"), json!(3))
        );
        assert_eq!(user["email"], "a@example.com", "fields not sent stay");
    }
    assert_eq!(
        raw.get("users/").json()["count"].as_u64().unwrap(),
        count,
        "nothing new"
    );
    for (body, expected) in [
        (
            json!({"email": "a@example.com"}),
            json!({"custom_id": ["This field is required."]}),
        ),
        (
            json!({"custom_id": " "}),
            json!({"custom_id": ["This field may not be blank."]}),
        ),
        (
            json!({"custom_id": "x", "first_name": "z".repeat(41)}),
            json!({"first_name": ["Ensure this field has no more than 40 characters."]}),
        ),
    ] {
        let answer = raw.send("POST", "users/update_or_create/", Some(&body.to_string()));
        assert_eq!((answer.status, answer.json()), (400, expected));
    }
    // A thousand more: each found or made at the same cost, none twice.
    for round in 0..2 {
        for n in 0..1_000 {
            let body = json!({"custom_id": format!("bulk/{n}"), "seats": n});
            let answer = raw
                .send("POST", "users/update_or_create/", Some(&body.to_string()))
                .json();
            assert_eq!(answer["created"], round == 0, "bulk/{n} round {round}");
        }
    }
    assert_eq!(
        raw.get("users/").json()["count"].as_u64().unwrap(),
        count + 1_000
    );
    assert!(server.stored_items() <= 2 * (1_000 + custom_ids.len()) + 10);
}

#[test]
fn find_by_key_email_phone_and_every_user_with_an_email() {
    let (_server, raw) = start(FakeOptions::default().users(100));
    let users = raw.all("users/");
    let first = raw.get("users/search/?key=xSoYQG00fg9z").json();
    assert_eq!(first["id"], 20_000_000, "a bare object");
    let by_email = raw.get("users/search/?email=myemail%40example.org").json();
    assert_eq!(by_email, first);
    let family: Vec<&Value> = users
        .iter()
        .filter(|u| u["email"] == "family@example.com")
        .collect();
    let many = raw
        .get("users/search/?email=family@example.com&many=true")
        .json();
    assert_eq!(many.as_array().unwrap().len(), family.len());
    assert_eq!(many[0]["id"], family[0]["id"]);
    let one = raw.get("users/search/?email=family@example.com").json();
    assert_eq!(one["id"], family[0]["id"], "the first of them without many");
    let with_phone = users
        .iter()
        .find(|u| u["phone_number"].is_string())
        .unwrap();
    let phone = with_phone["phone_number"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    assert_eq!(
        raw.get(&format!("users/search/?phone_number={phone}"))
            .json()["id"],
        with_phone["id"]
    );
    for path in [
        "users/search/?key=nobody",
        "users/search/?email=nobody@example.com",
        "users/search/?phone_number=0",
    ] {
        assert_eq!(raw.get(path).status, 404, "{path}");
    }
    assert_eq!(
        raw.get("users/search/?email=nobody@example.com&many=true")
            .json(),
        json!([])
    );
}

#[test]
fn search_by_attribute_lookups_and_list_filters() {
    let (_server, raw) = start(FakeOptions::default().users(150).page_size(20));
    let users = raw.all("users/");
    let expected = |keep: &dyn Fn(&Value) -> bool| -> Vec<i64> {
        ids(&users
            .iter()
            .filter(|u| keep(u))
            .cloned()
            .collect::<Vec<_>>())
    };
    let seats = raw.all("users/search/?seats__gte=25&plan__icontains=PR");
    assert_eq!(
        ids(&seats),
        expected(&|u: &Value| u["seats"].as_i64().is_some_and(|s| s >= 25)
            && u["plan"].as_str().is_some_and(|p| p.contains("pr")))
    );
    assert!(!seats.is_empty());
    let interests = raw.all("users/search/?interests__contains=chat");
    assert_eq!(
        ids(&interests),
        expected(&|u: &Value| u["interests"].as_array().unwrap().contains(&json!("chat")))
    );
    let renewal = raw.all("users/search/?renewal_date__lt=2018-06-01");
    assert_eq!(
        ids(&renewal),
        expected(&|u: &Value| u["renewal_date"].as_str().is_some_and(|d| d < "2018-06-01"))
    );
    let with_email = raw.all("users/?with_email=true&score__lt=50&email__contains=example.com");
    assert_eq!(
        ids(&with_email),
        expected(&|u: &Value| u["email"]
            .as_str()
            .is_some_and(|e| e.contains("example.com"))
            && u["score"].as_i64().unwrap() < 50)
    );
    let without = raw.all("users/?with_email=false");
    assert_eq!(ids(&without), expected(&|u: &Value| u["email"].is_null()));
    let seen_since = raw.all("users/?last_seen__gte=2018-06-01T00:00:00Z");
    assert_eq!(
        ids(&seen_since),
        expected(&|u: &Value| u["last_seen"].as_str().is_some_and(|t| {
            t.parse::<jiff::Timestamp>().unwrap() >= "2018-06-01T00:00:00Z".parse().unwrap()
        }))
    );
    for (path, expected) in [
        (
            "users/search/?plan2__gte=1",
            json!({"plan2__gte": ["There is no user attribute with this name."]}),
        ),
        (
            "users/search/?plan__like=x",
            json!({"plan__like": ["Unknown lookup."]}),
        ),
        (
            "users/search/",
            json!({"detail": "Search by key, email or phone_number, or by {attribute}__{lookup}."}),
        ),
        (
            "users/?plan__gte=1",
            json!({"plan__gte": ["Users cannot be filtered on this field."]}),
        ),
        (
            "users/?score__icontains=1",
            json!({"score__icontains": ["Unknown lookup."]}),
        ),
        (
            "users/?with_email=maybe",
            json!({"with_email": ["Must be a valid boolean."]}),
        ),
    ] {
        let answer = raw.get(path);
        assert_eq!((answer.status, answer.json()), (400, expected), "{path}");
    }
}

#[test]
fn mass_updates_of_standard_and_custom_attributes() {
    let (_server, raw) = start(FakeOptions::default());
    let users = raw.all("users/");
    let named: Vec<&Value> = users
        .iter()
        .filter(|u| u["custom_id"].is_string())
        .take(3)
        .collect();
    let custom_ids: Vec<&str> = named
        .iter()
        .map(|u| u["custom_id"].as_str().unwrap())
        .collect();
    let cases = [
        (
            "users/mass_update_standard_attributes/",
            json!([20000001, 20000002, 1]),
            "score",
            json!(77),
        ),
        (
            "users-by-id/mass_update_standard_attributes/",
            json!(custom_ids),
            "unsubscribed",
            json!(true),
        ),
        (
            "users/mass_update_custom_attributes/",
            json!([20000001, 20000002]),
            "interests",
            json!(["crm"]),
        ),
        (
            "users-by-id/mass_update_custom_attributes/",
            json!(custom_ids),
            "plan",
            json!("enterprise"),
        ),
    ];
    for (path, targets, attribute, value) in cases {
        let body = json!({"ids": targets, "attribute": attribute, "value": value});
        let answer = raw.send("PUT", path, Some(&body.to_string()));
        assert_eq!(
            (answer.status, answer.json()),
            (200, json!({"status": "ok"})),
            "{path}"
        );
        for target in targets.as_array().unwrap() {
            let user = match target {
                Value::String(custom_id) => raw.get(&by_custom_id(custom_id, "")).json(),
                id if id == &json!(1) => continue,
                id => raw.get(&format!("users/{id}/")).json(),
            };
            assert_eq!(user[attribute], value, "{path} {target}");
        }
    }
    let bad = [
        (
            "users/mass_update_standard_attributes/",
            json!({"ids": [20000001], "attribute": "plan", "value": 1}),
            json!({"attribute": ["\"plan\" is not a valid choice."]}),
        ),
        (
            "users/mass_update_standard_attributes/",
            json!({"ids": [20000001], "attribute": "first_name", "value": "x".repeat(41)}),
            json!({"value": ["Ensure this field has no more than 40 characters."]}),
        ),
        (
            "users/mass_update_custom_attributes/",
            json!({"ids": [20000001], "attribute": "nope", "value": 1}),
            json!({"attribute": ["There is no user attribute with this name."]}),
        ),
        (
            "users/mass_update_custom_attributes/",
            json!({"ids": [20000001], "attribute": "seats", "value": "x"}),
            json!({"value": ["A valid integer is required."]}),
        ),
        (
            "users-by-id/mass_update_custom_attributes/",
            json!({"ids": [1], "attribute": "seats", "value": 1}),
            json!({"ids": ["Not a valid string."]}),
        ),
        (
            "users/mass_update_custom_attributes/",
            json!({"ids": [], "attribute": "seats", "value": 1}),
            json!({"ids": ["This list may not be empty."]}),
        ),
        (
            "users/mass_update_custom_attributes/",
            json!({"attribute": "seats"}),
            json!({"ids": ["This field is required."], "value": ["This field is required."]}),
        ),
    ];
    for (path, body, expected) in bad {
        let answer = raw.send("PUT", path, Some(&body.to_string()));
        assert_eq!((answer.status, answer.json()), (400, expected), "{body}");
    }
}

#[test]
fn actions_change_the_stored_user_by_id_and_by_custom_id() {
    let (_server, raw) = start(FakeOptions::default());
    let user = raw
        .all("users/")
        .into_iter()
        .find(|u| u["custom_id"].is_string())
        .unwrap();
    let id = user["id"].as_i64().unwrap();
    let custom_id = user["custom_id"].as_str().unwrap().to_owned();
    let post = |path: String, body: Value| {
        let answer = raw.send("POST", &path, Some(&body.to_string()));
        assert!(
            answer.status == 200,
            "{path} {body}: {} {}",
            answer.status,
            answer.text
        );
        answer.json()
    };
    let set = post(
        format!("users/{id}/set_attribute/"),
        json!({"attribute": "plan", "value": "enterprise"}),
    );
    assert_eq!(set["plan"], "enterprise");
    let many = post(
        by_custom_id(&custom_id, "set_multiple_attributes/"),
        json!({"seats": 9, "preferences": {"a": [1]}, "interests": ["api"]}),
    );
    assert_eq!(
        (many["seats"].clone(), many["preferences"].clone()),
        (json!(9), json!({"a": [1]}))
    );
    let removed = post(
        format!("users/{id}/remove_attribute/"),
        json!({"attribute": "preferences"}),
    );
    assert_eq!(removed["preferences"], Value::Null);

    let added = post(
        format!("users/{id}/add_tag/"),
        json!({"name": "brand new tag"}),
    );
    assert_eq!(added["created"], true);
    let again = post(
        by_custom_id(&custom_id, "add_tag/"),
        json!({"name": "brand new tag"}),
    );
    assert_eq!(
        (again["created"].clone(), again["tag"]["id"].clone()),
        (json!(false), added["tag"]["id"].clone())
    );
    let tagged = post(
        format!("users/{id}/add_many_tags/"),
        json!({"tag_names": ["a", "b", "a"]}),
    );
    let names: Vec<&str> = tagged["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.ends_with(&["brand new tag", "a", "b"]), "{names:?}");
    let tag = added["tag"]["id"].as_i64().unwrap();
    assert!(
        ids(&raw.all(&format!("tags/{tag}/users/"))).contains(&id),
        "the tag's users show it"
    );
    let untagged = post(
        by_custom_id(&custom_id, "remove_tag/"),
        json!({"name": "brand new tag"}),
    );
    assert!(
        untagged["tags"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["id"] != tag)
    );
    assert_eq!(
        raw.send(
            "POST",
            &format!("users/{id}/remove_tag/"),
            Some(r#"{"name": "no such tag"}"#)
        )
        .status,
        404
    );

    let list = raw.get("lists/").json()["results"][0]["id"]
        .as_i64()
        .unwrap();
    let listed = post(format!("users/{id}/add_to_list/"), json!({"list": list}));
    assert_eq!(listed["lists"][0]["id"], list);
    assert!(
        ids(&raw.all(&format!("lists/{list}/users/"))).contains(&id),
        "the list's users show it"
    );
    let unlisted = post(
        by_custom_id(&custom_id, "remove_from_list/"),
        json!({"list": list}),
    );
    assert_eq!(unlisted["lists"], json!([]));

    let bad = [
        (
            "set_attribute/",
            json!({"attribute": "nope", "value": 1}),
            json!({"nope": ["There is no user attribute with this name."]}),
        ),
        (
            "set_attribute/",
            json!({"value": 1}),
            json!({"attribute": ["This field is required."]}),
        ),
        (
            "set_multiple_attributes/",
            json!({"seats": 1.5}),
            json!({"seats": ["A valid integer is required."]}),
        ),
        (
            "add_tag/",
            json!({"name": " "}),
            json!({"name": ["This field may not be blank."]}),
        ),
        (
            "add_many_tags/",
            json!({"tag_names": []}),
            json!({"tag_names": ["This list may not be empty."]}),
        ),
        (
            "add_to_list/",
            json!({"list": 9}),
            json!({"list": ["Invalid pk \"9\" - object does not exist."]}),
        ),
    ];
    for (action, body, expected) in bad {
        let answer = raw.send(
            "POST",
            &format!("users/{id}/{action}"),
            Some(&body.to_string()),
        );
        assert_eq!(
            (answer.status, answer.json()),
            (400, expected),
            "{action} {body}"
        );
    }
}

#[test]
fn listings_below_a_user_show_its_activity() {
    let (_server, raw) = start(FakeOptions::default());
    let user = raw
        .all("users/")
        .into_iter()
        .find(|u| u["custom_id"].is_string())
        .unwrap();
    let id = user["id"].as_i64().unwrap();
    let custom_id = user["custom_id"].as_str().unwrap();
    // Events recorded through the events endpoints, by id and by custom id.
    for (path, body) in [
        (
            "events/".to_owned(),
            json!({"user_id": id, "name": "signed up", "timestamp": 1_600_000_000}),
        ),
        (
            by_custom_id(custom_id, "events/"),
            json!({"name": "paid", "data": {"plan": "pro"}}),
        ),
    ] {
        let answer = raw.send("POST", &path, Some(&body.to_string()));
        assert_eq!(answer.status, 201, "{path}: {}", answer.text);
    }
    let view = json!({"client_user": user["user_key"], "page_domain": "https://example.com",
                      "page_path": "/pricing", "timestamp": "2021-01-04T14:13:05.801+05:30"});
    assert_eq!(
        raw.send("POST", "site-views/", Some(&view.to_string()))
            .status,
        201
    );

    let events = raw.all(&format!("users/{id}/events/"));
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["signed up", "paid"]);
    assert_eq!(events[0]["timestamp"], "2020-09-13T12:26:40Z");
    assert_eq!(events[1]["items"], json!({"plan": "pro"}));
    assert_eq!(raw.all(&by_custom_id(custom_id, "events/")), events);
    let visits = raw.all(&format!("users/{id}/ping_hits/"));
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0]["url"], "https://example.com/pricing");
    assert_eq!(visits[0]["timestamp"], "2021-01-04T08:43:05.801000Z");
    let timeline = raw.all(&by_custom_id(custom_id, "timeline/"));
    assert_eq!(timeline.len(), 4, "created, two events, one visit");
    for listing in ["emails", "product_events", "segments"] {
        let by_id = raw.get(&format!("users/{id}/{listing}/"));
        assert_eq!(by_id.status, 200, "{listing}");
        assert_eq!(
            by_id.json(),
            raw.get(&by_custom_id(custom_id, &format!("{listing}/")))
                .json()
        );
    }
    // Seeded emails and product events, the same on every read.
    let emails: Vec<Value> = (20_000_000..20_000_062)
        .flat_map(|user| raw.all(&format!("users/{user}/emails/")))
        .collect();
    assert!(!emails.is_empty());
    for email in &emails {
        for key in [
            "id",
            "status",
            "created_at",
            "sent_at",
            "opened_at",
            "clicked_at",
            "subject",
        ] {
            assert!(email.get(key).is_some(), "{key} missing: {email}");
        }
    }
}

#[test]
fn merge_folds_users_into_the_parent() {
    let (_server, raw) = start(FakeOptions::default());
    let parent = raw.get("users/20000001/").json();
    let other = raw.get("users/20000002/").json();
    let body = json!({"parent": 20000001, "users_list": [20000002]});
    let merged = raw.send("POST", "users/merge/", Some(&body.to_string()));
    assert_eq!(merged.status, 200, "{}", merged.text);
    let merged = merged.json();
    assert_eq!(merged["id"], 20000001);
    for tag in other["tags"].as_array().unwrap() {
        assert!(merged["tags"].as_array().unwrap().contains(tag));
    }
    for field in ["email", "plan", "seats"] {
        if parent[field].is_null() {
            assert_eq!(
                merged[field], other[field],
                "{field} filled from the merged user"
            );
        } else {
            assert_eq!(merged[field], parent[field], "{field} kept");
        }
    }
    assert_eq!(raw.get("users/20000002/").status, 404);
    for (body, expected) in [
        (
            json!({"parent": 1, "users_list": [20000003]}),
            json!({"parent": ["Invalid pk \"1\" - object does not exist."]}),
        ),
        (
            json!({"parent": 20000001, "users_list": [20000002]}),
            json!({"users_list": ["Invalid pk \"20000002\" - object does not exist."]}),
        ),
        (
            json!({"parent": 20000001, "users_list": [20000001]}),
            json!({"users_list": ["A user cannot be merged into itself."]}),
        ),
        (
            json!({"parent": 20000001}),
            json!({"users_list": ["This field is required."]}),
        ),
    ] {
        let answer = raw.send("POST", "users/merge/", Some(&body.to_string()));
        assert_eq!((answer.status, answer.json()), (400, expected), "{body}");
    }
}

/// Sends a request the core built; the status and the body as JSON (`null` when empty).
fn send(request: http::Request<Vec<u8>>) -> (u16, Value) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent.run(request).unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, body)
}

#[test]
fn every_users_operation_the_core_builds_is_answered_and_parses() {
    let (server, raw) = start(FakeOptions::default());
    let config = server.config().unwrap();
    let named = raw
        .all("users/")
        .into_iter()
        .find(|u| u["custom_id"].is_string())
        .unwrap();
    let (id, custom_id) = (named["id"].clone(), named["custom_id"].clone());
    let list = raw.get("lists/").json()["results"][0]["id"].clone();
    let cases = [
        (
            "users.list",
            json!({"with_email": true, "filters": [{"field": "score", "lookup": "gte", "value": 10}]}),
        ),
        ("users.get", json!({"id": id})),
        ("users.get", json!({"id": custom_id})),
        (
            "users.create",
            json!({"email": "new@example.com", "first_name": "New", "plan": "pro", "preferences": {"x": 1}}),
        ),
        (
            "users.update",
            json!({"id": custom_id, "last_name": "Changed", "seats": 4}),
        ),
        (
            "users.upsert",
            json!({"custom_id": "acct-17", "email": "acct17@example.com", "plan": "pro"}),
        ),
        ("users.find", json!({"key": "xSoYQG00fg9z"})),
        (
            "users.find",
            json!({"email": "family@example.com", "many": true}),
        ),
        (
            "users.search",
            json!({"filters": [{"field": "plan", "lookup": "icontains", "value": "pro"}]}),
        ),
        (
            "users.mass-update-standard",
            json!({"ids": [id], "attribute": "score", "value": 5}),
        ),
        (
            "users.mass-update-custom",
            json!({"ids": [custom_id], "attribute": "newsletter", "value": false}),
        ),
        (
            "users.set-attribute",
            json!({"id": id, "attribute": "plan", "value": "free"}),
        ),
        (
            "users.set-attributes",
            json!({"id": custom_id, "seats": 2, "interests": ["crm"]}),
        ),
        (
            "users.remove-attribute",
            json!({"id": id, "attribute": "seats"}),
        ),
        ("users.tag", json!({"id": custom_id, "name": "vip"})),
        ("users.tag-many", json!({"id": id, "tag_names": ["a", "b"]})),
        ("users.untag", json!({"id": id, "name": "vip"})),
        ("users.add-to-list", json!({"id": custom_id, "list": list})),
        ("users.remove-from-list", json!({"id": id, "list": list})),
        ("users.emails", json!({"id": id})),
        ("users.events", json!({"id": custom_id})),
        ("users.page-visits", json!({"id": id})),
        ("users.product-events", json!({"id": id})),
        ("users.segments", json!({"id": id})),
        ("users.timeline", json!({"id": custom_id})),
        (
            "users.merge",
            json!({"parent": 20000000, "users_list": [20000003]}),
        ),
        ("users.delete", json!({"id": custom_id})),
    ];
    let mut covered = BTreeSet::new();
    for (name, args) in cases {
        let registration = registry::find(name).unwrap();
        let operation = registration.build(args.clone()).unwrap();
        let request = operation.request(&config).unwrap();
        let (status, body) = send(request);
        assert!(
            (200..300).contains(&status),
            "{name} {args}: {status} {body}"
        );
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            serde_json::to_vec(&body).unwrap()
        };
        let mut response = http::Response::new(bytes.as_slice());
        *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
        let parsed = operation.parse(&config, response);
        assert!(parsed.error.is_none(), "{name}: {}", parsed.debug);
        if let (Some(typed), false) = (&parsed.json, body.is_null()) {
            for (key, value) in body.as_object().into_iter().flatten() {
                if key != "results" {
                    assert!(
                        typed.get(key).is_some() || value.is_null(),
                        "{name} lost {key}"
                    );
                }
            }
        }
        covered.insert(name);
    }
    let all: BTreeSet<&str> = registry::groups()
        .iter()
        .find(|g| g.name == "users")
        .unwrap()
        .operations
        .iter()
        .map(|op| op.name)
        .collect();
    assert_eq!(covered, all, "every users operation is tried");
    assert_eq!(
        raw.get(&by_custom_id(custom_id.as_str().unwrap(), ""))
            .status,
        404,
        "deleted"
    );
}
