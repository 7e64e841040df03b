//! Starting the server, its limits, the request log and the checks every request meets.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::Raw;
use serde_json::json;
use usercom_fake::{FakeOptions, FakeServer, MAX_ITEMS};

#[test]
fn a_million_conversations_start_at_once_and_page_from_either_end() {
    let started = Instant::now();
    let server = FakeServer::start(FakeOptions::default().conversations(1_000_000)).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let raw = Raw::new(&server);
    let first = raw.get("conversations/").json();
    assert_eq!(first["count"], 1_000_000);
    assert_eq!(first["results"][0]["id"], 1_699_999);
    assert!(first["next"].as_str().unwrap().ends_with("?page=2"));
    let last = raw.get("conversations/?page=10000").json();
    let results = last["results"].as_array().unwrap();
    assert_eq!(results.len(), 100);
    assert_eq!(results[99]["id"], 700_000);
    assert!(last["next"].is_null());
    assert_eq!(raw.get("conversations/?page=10001").status, 404);
    let detail = raw.get("conversations/1234567/").json();
    assert_eq!(detail["results"]["id"], 1_234_567);
    // Nothing was kept in memory to serve them.
    assert_eq!(server.stored_items(), 0);
    // A write keeps one item.
    let user = first["results"][0]["user"]["id"].as_i64().unwrap();
    let created = raw.send(
        "POST",
        &format!("users/{user}/conversations/"),
        Some(r#"{"content": "Hello"}"#),
    );
    assert_eq!(created.json()["id"], 1_700_000);
    assert_eq!(server.stored_items(), 1);
}

#[test]
fn sizes_beyond_the_limit_are_refused_clearly() {
    let err =
        FakeServer::start(FakeOptions::default().size("conversations", u64::MAX)).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    let message = err.to_string();
    assert!(
        message.contains("18446744073709551615 conversations"),
        "{message}"
    );
    assert!(message.contains(&MAX_ITEMS.to_string()), "{message}");
    let err = FakeServer::start(FakeOptions::default().size("no-such-collection", 3)).unwrap_err();
    assert!(err.to_string().contains("\"no-such-collection\""), "{err}");

    // The largest account there may be still pages.
    let server = FakeServer::start(FakeOptions::default().size("tags", MAX_ITEMS)).unwrap();
    let raw = Raw::new(&server);
    let last = raw.get(&format!("tags/?page={}", MAX_ITEMS / 100)).json();
    assert_eq!(last["count"], MAX_ITEMS);
    assert_eq!(
        last["results"][99]["id"],
        1_400 + i64::try_from(MAX_ITEMS).unwrap() - 1
    );
}

#[test]
fn the_binary_reports_a_size_beyond_the_limit_without_panicking() {
    for (flag, value) in [
        ("--conversations", "18446744073709551615"),
        ("--tags", "1000000000001"),
        ("--users", "many"),
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_usercom-fake"))
            .args([flag, value])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(stderr.contains(value), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn the_request_log_keeps_the_most_recent_requests() {
    let server = FakeServer::start(FakeOptions::default().request_log(3)).unwrap();
    let raw = Raw::new(&server);
    for page in 1..=3 {
        raw.get(&format!("conversations/?page={page}"));
    }
    raw.get("tags/");
    raw.get("tags/1400/users/");
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| format!("{}?{}", r.path, r.query.as_deref().unwrap_or_default()))
        .collect();
    assert_eq!(
        paths,
        [
            "/api/public/conversations/?page=3",
            "/api/public/tags/?",
            "/api/public/tags/1400/users/?"
        ]
    );
    assert_eq!(server.requests_seen(), 5);

    let default = FakeServer::start(FakeOptions::default()).unwrap();
    let raw = Raw::new(&default);
    for _ in 0..3 {
        raw.get("tags/");
    }
    assert_eq!(default.requests().len(), 3, "the default keeps them all");
}

#[cfg(unix)]
#[test]
fn a_listener_the_runtime_cannot_take_is_an_error_not_a_dead_server() {
    // A regular file passed off as a listener: the runtime cannot watch it.
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("not-a-socket");
    let file = std::fs::File::create(&path).unwrap();
    let listener = std::net::TcpListener::from(std::os::fd::OwnedFd::from(file));
    let err = FakeServer::start_on(listener, FakeOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("cannot serve on this listener"),
        "{err}"
    );
}

#[test]
fn a_server_started_on_a_listener_of_ones_own_answers_at_once() {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let address = listener.local_addr().unwrap();
    let server = FakeServer::start_on(listener, FakeOptions::default()).unwrap();
    assert_eq!(server.address(), address);
    assert_eq!(Raw::new(&server).get("tags/").status, 200);
}

#[test]
fn unknown_paths_other_methods_and_missing_slashes() {
    let server = FakeServer::start(FakeOptions::default().conversations(3)).unwrap();
    let raw = Raw::new(&server);
    for path in [
        "no-such-resource/",
        "conversations/1/messages/",
        "users/19999999/",
        "",
    ] {
        let answer = raw.get(path);
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.json(), json!({"detail": "Not found."}), "{path}");
    }
    let post = raw.send("POST", "conversations/700000/", Some("{}"));
    assert_eq!(post.status, 405);
    assert_eq!(post.headers["allow"], "GET");
    assert_eq!(
        post.json(),
        json!({"detail": "Method \"POST\" not allowed."})
    );
    let delete = raw.send("DELETE", "users/19999999/conversations/", None);
    assert_eq!(delete.headers["allow"], "GET, POST");

    let moved = raw.get("tags/1400/users?page=2");
    assert_eq!(moved.status, 301);
    assert_eq!(
        moved.headers["location"],
        "/api/public/tags/1400/users/?page=2"
    );
    assert_eq!(moved.text, "");

    // Ids that are not numbers name nothing.
    assert_eq!(raw.get("conversations/abc/").status, 404);
    assert_eq!(raw.get("users/user%40123/conversations/").status, 404);
}
