//! The activities endpoints: the seeded tasks, create with its three required fields, update,
//! delete.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use common::Raw;
use serde_json::{Value, json};
use usercom_core::api::activities::Activity;
use usercom_fake::{FakeOptions, FakeServer};

fn start() -> (FakeServer, Raw) {
    let server = FakeServer::start(FakeOptions::default().page_size(10)).unwrap();
    let raw = Raw::new(&server);
    (server, raw)
}

/// The keys of the documented answer (apidocs.user.com/activities/create-activity.html).
const DOCUMENTED_KEYS: &[&str] = &[
    "id",
    "activity_type",
    "name",
    "datetime",
    "duration",
    "description",
    "assigned_to",
    "deal",
    "person",
    "company",
    "done",
    "done_date",
    "created_by",
    "created_at",
    "updated_at",
    "custom_id",
];

fn keys(item: &Value) -> BTreeSet<&str> {
    item.as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn seeded_activities_refer_to_seeded_deals_users_and_companies() {
    let (_server, raw) = start();
    let activities = raw.all("activities/");
    assert_eq!(activities.len(), 31, "as many as deals");
    let deals: BTreeSet<i64> = raw
        .all("deals/")
        .into_iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    for activity in &activities {
        assert_eq!(keys(activity), DOCUMENTED_KEYS.iter().copied().collect());
        if let Some(deal) = activity["deal"].as_i64() {
            assert!(deals.contains(&deal), "{activity}");
        }
        if let Some(person) = activity["person"].as_i64() {
            assert!((20_000_000..20_000_062).contains(&person), "{activity}");
        }
        assert_eq!(activity["done"] == true, activity["done_date"].is_string());
        let typed: Activity = serde_json::from_value(activity.clone()).unwrap();
        assert!(typed.due().is_some());
        let id = activity["id"].as_i64().unwrap();
        assert_eq!(&raw.get(&format!("activities/{id}/")).json(), activity);
    }
    assert!(
        activities
            .iter()
            .any(|a| a["duration"].as_i64() > Some(i64::from(i32::MAX))),
        "a duration past 32 bits, as documented"
    );
    assert!(activities.iter().any(|a| a["deal"].is_i64()));
}

#[test]
fn create_requires_type_name_and_due_date_and_answers_the_documented_shape() {
    let (_server, raw) = start();
    let missing = raw.send("POST", "activities/", Some("{}"));
    assert_eq!(missing.status, 400);
    assert_eq!(
        missing.json(),
        json!({
            "activity_type": ["This field is required."],
            "name": ["This field is required."],
            "due_date": ["This field is required."]
        })
    );
    let deal = raw.get("deals/12000/").json();
    let body = json!({
        "activity_type": 25946, "name": "My new activity", "due_date": "2017-07-25T16:14:08.612+02:00",
        "deal_id": deal["id"], "user_id": deal["user_id"], "duration": 2147483648_i64,
        "done": true, "priority": "high"
    });
    let created = raw.send("POST", "activities/", Some(&body.to_string()));
    assert_eq!(created.status, 201, "{}", created.text);
    let activity = created.json();
    let mut expected: BTreeSet<&str> = DOCUMENTED_KEYS.iter().copied().collect();
    expected.insert("priority");
    assert_eq!(
        keys(&activity),
        expected,
        "the documented keys and the custom attribute"
    );
    assert_eq!(activity["id"], 1231);
    assert_eq!(activity["datetime"], "2017-07-25T14:14:08.612000Z", "UTC");
    assert_eq!(activity["deal"], deal["id"]);
    assert_eq!(activity["person"], deal["user_id"]);
    assert_eq!(activity["duration"], 2_147_483_648_i64);
    assert!(activity["done_date"].is_string());

    // The documentation's example sends the time as `datetime`: taken too.
    let example = raw.send(
        "POST",
        "activities/",
        Some(r#"{"activity_type": 25946, "name": "My new activity", "datetime": "2017-07-25T14:14:08.612000Z"}"#),
    );
    assert_eq!(example.status, 201, "{}", example.text);
    assert_eq!(example.json()["datetime"], "2017-07-25T14:14:08.612000Z");

    let cases = [
        (
            json!({"activity_type": "call", "name": "x", "due_date": "tomorrow"}),
            json!({
                "activity_type": ["A valid integer is required."],
                "due_date": ["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]
            }),
        ),
        (
            json!({"activity_type": 1, "name": "x", "due_date": "2024-05-01T10:00:00Z", "deal_id": 1, "company_id": "a"}),
            json!({
                "deal_id": ["Invalid pk \"1\" - object does not exist."],
                "company_id": ["Incorrect type. Expected pk value."]
            }),
        ),
        (
            json!({"activity_type": 1, "name": "x", "due_date": null, "done": "yes"}),
            json!({
                "due_date": ["This field may not be null."],
                "done": ["Must be a valid boolean."]
            }),
        ),
    ];
    for (body, expected) in cases {
        let answer = raw.send("POST", "activities/", Some(&body.to_string()));
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
    assert_eq!(raw.get("activities/").json()["count"], 33);
}

#[test]
fn update_and_delete_an_activity() {
    let (_server, raw) = start();
    let before = raw.get("activities/1200/").json();
    let done = raw.send(
        "PUT",
        "activities/1200/",
        Some(r#"{"done": true, "name": "Called"}"#),
    );
    assert_eq!(done.status, 200, "{}", done.text);
    let done = done.json();
    assert_eq!(done["name"], "Called");
    assert_eq!(done["done"], true);
    assert!(done["done_date"].is_string());
    assert_eq!(
        done["activity_type"], before["activity_type"],
        "the rest is kept"
    );
    let undone = raw.send(
        "PUT",
        "activities/1200/",
        Some(r#"{"done": false, "deal_id": null}"#),
    );
    assert_eq!(undone.json()["done_date"], Value::Null);
    assert_eq!(undone.json()["deal"], Value::Null);
    let blank = raw.send("PUT", "activities/1200/", Some(r#"{"name": " "}"#));
    assert_eq!(
        blank.json(),
        json!({"name": ["This field may not be blank."]})
    );
    assert_eq!(raw.send("PUT", "activities/9/", Some("{}")).status, 404);

    assert_eq!(raw.send("DELETE", "activities/1200/", None).status, 204);
    for (method, body) in [("GET", None), ("PUT", Some("{}")), ("DELETE", None)] {
        let answer = raw.send(method, "activities/1200/", body);
        assert_eq!(answer.status, 404, "{method}");
        assert_eq!(answer.json(), json!({"detail": "Not found."}));
    }
    assert_eq!(raw.get("activities/").json()["count"], 30);
}
