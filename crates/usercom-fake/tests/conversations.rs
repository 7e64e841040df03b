//! The conversations endpoints: listings, filters, the wrapped detail, and starting one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use common::Raw;
use serde_json::{Value, json};
use usercom_fake::{FakeOptions, FakeServer};

fn start(conversations: usize) -> (FakeServer, Raw) {
    let server = FakeServer::start(FakeOptions::default().conversations(conversations)).unwrap();
    let raw = Raw::new(&server);
    (server, raw)
}

#[test]
fn seeded_conversations_keep_their_character() {
    let (_server, raw) = start(300);
    let all = raw.all("conversations/");
    assert_eq!(all.len(), 300);
    let ids: Vec<i64> = all.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1] + 1), "newest first");
    assert_eq!(*ids.last().unwrap(), 700_000);
    let open = all.iter().filter(|c| c["active"] == true).count();
    assert!(open > 0 && open < 300, "{open}");
    let users: Vec<&Value> = all.iter().map(|c| &c["user"]).collect();
    assert!(users.iter().any(|u| u["email"].is_null()));
    assert!(users.iter().any(|u| u["email"].is_string()));
    assert!(
        users.iter().any(|u| {
            u["email"].is_null() && u["name"].as_str().unwrap().split(' ').count() == 2
        })
    );

    let mut sources = BTreeSet::new();
    let mut html = false;
    let mut fractions = (false, false);
    for summary in all.iter().take(40) {
        let id = summary["id"].as_i64().unwrap();
        let detail = raw.get(&format!("conversations/{id}/")).json();
        assert_eq!(
            (&detail["count"], &detail["next"], &detail["previous"]),
            (&json!(1), &Value::Null, &Value::Null)
        );
        let detail = &detail["results"];
        assert_eq!(detail["user"], summary["user"]);
        let messages = detail["messages"].as_array().unwrap();
        assert_eq!(json!(messages.len()), summary["messages"]);
        for message in messages {
            assert_eq!(message["chat"], id);
            sources.insert(message["source"].as_str().unwrap().to_owned());
            html |= message["content"].as_str().unwrap().contains('<');
            let at = message["timestamp"].as_str().unwrap();
            if at.contains('.') {
                fractions.0 = true;
            } else {
                fractions.1 = true;
            }
        }
    }
    assert!(sources.len() >= 3, "{sources:?}");
    assert!(html && fractions.0 && fractions.1);
}

#[test]
fn the_same_seed_serves_the_same_account() {
    let details = |seed: u64| {
        let server =
            FakeServer::start(FakeOptions::default().conversations(30).seed(seed)).unwrap();
        let raw = Raw::new(&server);
        (700_000..700_030)
            .map(|id| raw.get(&format!("conversations/{id}/")).json())
            .collect::<Vec<_>>()
    };
    let seven = details(7);
    assert_eq!(seven, details(7));
    assert_ne!(seven, details(8));
}

#[test]
fn filters_open_and_one_users_conversations() {
    let (_server, raw) = start(300);
    let all = raw.all("conversations/");
    let open = raw.all("conversations/?status=true");
    let expected: Vec<&Value> = all.iter().filter(|c| c["active"] == true).collect();
    assert_eq!(open.iter().collect::<Vec<_>>(), expected);
    assert_eq!(
        raw.get("conversations/?status=true").json()["count"],
        json!(expected.len())
    );
    // Anything but "true" filters nothing.
    assert_eq!(raw.get("conversations/?status=false").json()["count"], 300);

    let user = all[0]["user"]["id"].as_i64().unwrap();
    let theirs = raw.all(&format!("users/{user}/conversations/"));
    let expected: Vec<&Value> = all.iter().filter(|c| c["user"]["id"] == user).collect();
    assert_eq!(theirs.iter().collect::<Vec<_>>(), expected);
    let open_theirs = raw.all(&format!("users/{user}/conversations/?status=true"));
    assert!(
        open_theirs
            .iter()
            .all(|c| c["active"] == true && c["user"]["id"] == user)
    );
    assert_eq!(raw.get("users/1/conversations/").status, 404);
}

#[test]
fn starting_a_conversation_answers_like_the_documentation() {
    let (server, raw) = start(10);
    let user = raw.get("conversations/").json()["results"][0]["user"].clone();
    let id = user["id"].as_i64().unwrap();
    let created = raw.send(
        "POST",
        &format!("users/{id}/conversations/"),
        Some(
            r#"{"content": "Hi <b>there</b>", "user": 926, "source": 2,
                "source_context": {"ticket": 17}}"#,
        ),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.json(),
        json!({"id": 700_010, "user": user, "active": true, "agent": null, "messages": 1})
    );
    let newest = raw.get("conversations/").json();
    assert_eq!(newest["results"][0]["id"], 700_010);
    assert_eq!(newest["count"], 11);
    let detail = raw.get("conversations/700010/").json();
    let message = &detail["results"]["messages"][0];
    assert_eq!(message["content"], "Hi <b>there</b>");
    assert_eq!(message["source"], "email");
    assert_eq!(message["source_context"], json!({"ticket": 17}));
    assert_eq!(
        message["user"]["id"], 926,
        "written by the agent named in the body"
    );
    assert_eq!(server.stored_items(), 1);

    let plain = raw.send(
        "POST",
        &format!("users/{id}/conversations/"),
        Some(r#"{"content": "Hello", "source": "4"}"#),
    );
    let detail = raw
        .get(&format!("conversations/{}/", plain.json()["id"]))
        .json();
    let message = &detail["results"]["messages"][0];
    assert_eq!(
        (
            &message["source"],
            &message["source_context"],
            &message["user"]["id"]
        ),
        (&json!("sms"), &json!({}), &json!(382))
    );
}

#[test]
fn a_bad_start_is_refused_with_drf_field_errors() {
    let (server, raw) = start(10);
    let path = "users/20000001/conversations/";
    let cases = [
        ("{}", json!({"content": ["This field is required."]})),
        (
            r#"{"content": " \n"}"#,
            json!({"content": ["This field may not be blank."]}),
        ),
        (
            r#"{"content": null}"#,
            json!({"content": ["This field may not be null."]}),
        ),
        (
            r#"{"content": "x", "user": "agent", "source": 9}"#,
            json!({
                "user": ["Incorrect type. Expected pk value, received str."],
                "source": ["\"9\" is not a valid choice."],
            }),
        ),
        (
            "[1, 2]",
            json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        ),
    ];
    for (body, expected) in cases {
        let answer = raw.send("POST", path, Some(body));
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
    let broken = raw.send("POST", path, Some("{"));
    assert!(
        broken.json()["detail"]
            .as_str()
            .unwrap()
            .starts_with("JSON parse error - ")
    );
    let form = raw.send_as("POST", path, Some("content=x"), "text/plain");
    assert_eq!(form.status, 415);
    let nobody = raw.send(
        "POST",
        "users/1/conversations/",
        Some(r#"{"content": "x"}"#),
    );
    assert_eq!(nobody.json(), json!({"detail": "Not found."}));
    assert_eq!(server.stored_items(), 0, "nothing was created");
}
