//! Events and site views: recorded, `created` true only for a new event name, DRF field
//! errors, 404 for an unknown custom id.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Raw;
use serde_json::json;
use usercom_fake::{FakeOptions, FakeServer};

fn start(options: FakeOptions) -> (FakeServer, Raw) {
    let server = FakeServer::start(options).unwrap();
    let raw = Raw::new(&server);
    (server, raw)
}

/// A custom id of a seeded user.
fn custom_id(raw: &Raw) -> String {
    raw.all("tags/1400/users/")
        .iter()
        .chain(raw.all("tags/1401/users/").iter())
        .find_map(|u| u["custom_id"].as_str().map(str::to_owned))
        .unwrap()
}

#[test]
fn created_says_whether_the_event_name_is_new() {
    let (_server, raw) = start(FakeOptions::default());
    let documented = r#"{"name": "profile_updated", "timestamp": 1426967129, "user_id": 9096344,
                         "data": {"keyData1": "value for key data 1"}}"#;
    let first = raw.send("POST", "events/", Some(documented));
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.json(), json!({"id": 86, "created": true}));
    let again = raw.send("POST", "events/", Some(documented));
    assert_eq!(
        again.json(),
        json!({"id": 87, "created": false}),
        "same name"
    );
    let other = raw.send(
        "POST",
        "events/",
        Some(r#"{"name": "product viewed", "user_id": 20000000}"#),
    );
    assert_eq!(other.json(), json!({"id": 88, "created": true}));

    // By custom id: the same names, the same rule; the user's id is stored.
    let custom = custom_id(&raw);
    let encoded = custom.replace('@', "%40").replace('/', "%2F");
    let by_custom = raw.send(
        "POST",
        &format!("users-by-id/{encoded}/events/"),
        Some(r#"{"name": "product viewed", "data": {"sku": "A-1"}}"#),
    );
    assert_eq!(by_custom.status, 201, "{}", by_custom.text);
    assert_eq!(by_custom.json(), json!({"id": 89, "created": false}));
    let new_name = raw.send(
        "POST",
        &format!("users-by-id/{encoded}/events/"),
        Some(r#"{"name": "signed up"}"#),
    );
    assert_eq!(new_name.json(), json!({"id": 90, "created": true}));
}

#[test]
fn bad_events_get_drf_errors_and_unknown_custom_ids_404() {
    let (_server, raw) = start(FakeOptions::default());
    let cases = [
        (
            json!({}),
            json!({"user_id": ["This field is required."], "name": ["This field is required."]}),
        ),
        (
            json!({"user_id": "x", "name": "n"}),
            json!({"user_id": ["Incorrect type. Expected pk value, received str."]}),
        ),
        (
            json!({"user_id": 1, "name": " "}),
            json!({"name": ["This field may not be blank."]}),
        ),
        (
            json!({"user_id": 1, "name": "n", "timestamp": "soon"}),
            json!({"timestamp": ["A valid integer is required."]}),
        ),
        (
            json!({"user_id": 1, "name": "n", "data": [1, 2]}),
            json!({"data": ["Expected a dictionary of items but got type \"list\"."]}),
        ),
    ];
    for (body, expected) in cases {
        let answer = raw.send("POST", "events/", Some(&body.to_string()));
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
    let missing = raw.send(
        "POST",
        "users-by-id/no-such-user/events/",
        Some(r#"{"name": "x"}"#),
    );
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json(), json!({"detail": "Not found."}));
    let custom = custom_id(&raw).replace('@', "%40").replace('/', "%2F");
    let nameless = raw.send("POST", &format!("users-by-id/{custom}/events/"), Some("{}"));
    assert_eq!(
        nameless.json(),
        json!({"name": ["This field is required."]})
    );
    assert_eq!(raw.get("events/").status, 405);
}

#[test]
fn site_views_take_seconds_or_rfc_3339_and_are_stored() {
    let (_server, raw) = start(FakeOptions::default());
    let peer = r#"{"page_path": "/testing", "timestamp": "2021-01-04T14:13:05.801+05:30",
                   "client_user": "rpl0vjwysmc0", "page_domain": "https://pagecall.com/testing"}"#;
    let stored = raw.send("POST", "site-views/", Some(peer));
    assert_eq!(stored.status, 201, "{}", stored.text);
    assert_eq!(
        stored.json(),
        json!({"id": 5000, "page_path": "/testing", "timestamp": "2021-01-04T14:13:05.801+05:30",
               "client_user": "rpl0vjwysmc0", "page_domain": "https://pagecall.com/testing"})
    );
    let seconds = raw.send(
        "POST",
        "site-views/",
        Some(r#"{"client_user": "k", "page_domain": "acme.com", "page_path": "/", "timestamp": 1609771385}"#),
    );
    assert_eq!(seconds.json()["id"], 5001);
    let cases = [
        (
            json!({}),
            json!({"client_user": ["This field is required."],
                   "page_domain": ["This field is required."],
                   "page_path": ["This field is required."],
                   "timestamp": ["This field is required."]}),
        ),
        (
            json!({"client_user": "k", "page_domain": "d", "page_path": "/",
                   "timestamp": "2021-01-04 14:13"}),
            json!({"timestamp": ["Datetime has wrong format. Use one of these formats instead: \
                                  YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z], or UNIX seconds."]}),
        ),
    ];
    for (body, expected) in cases {
        let answer = raw.send("POST", "site-views/", Some(&body.to_string()));
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
}
