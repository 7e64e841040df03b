//! Each planned fault, as a raw HTTP client sees it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use usercom_fake::{FakeOptions, FakeServer, Fault, FaultPlan};

struct Raw {
    agent: ureq::Agent,
    url: String,
    auth: String,
}

impl Raw {
    fn new(server: &FakeServer) -> Self {
        Self {
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .build()
                .new_agent(),
            url: format!("{}conversations/", server.base_url()),
            auth: format!("Token {}", server.api_key()),
        }
    }

    fn get(&self) -> Result<http::Response<ureq::Body>, ureq::Error> {
        self.agent
            .get(&self.url)
            .header("authorization", &self.auth)
            .header("accept", "*/*; version=2")
            .call()
    }
}

fn with_fault(fault: Fault) -> (FakeServer, Raw) {
    let plan = FaultPlan::default().on("conversations/", 2, fault);
    let server = FakeServer::start(FakeOptions::default().conversations(3).faults(plan)).unwrap();
    let raw = Raw::new(&server);
    // The first request is normal; the plan hits the second.
    let mut first = raw.get().unwrap();
    assert_eq!(first.status(), 200);
    first.body_mut().read_to_string().unwrap();
    (server, raw)
}

#[test]
fn only_the_planned_request_misbehaves() {
    let (server, raw) = with_fault(Fault::status(500));
    assert_eq!(raw.get().unwrap().status(), 500);
    assert_eq!(raw.get().unwrap().status(), 200);
    let faults: Vec<_> = server.requests().into_iter().map(|r| r.fault).collect();
    assert_eq!(faults, [None, Some(Fault::status(500)), None]);
}

#[test]
fn throttling_with_retry_after_in_both_forms() {
    for value in ["7", "Wed, 21 Oct 2015 07:28:00 GMT"] {
        let (_server, raw) = with_fault(Fault::retry_after(429, value));
        let mut response = raw.get().unwrap();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], value);
        let body = response.body_mut().read_to_string().unwrap();
        assert_eq!(body, r#"{"detail":"Request was throttled."}"#);
    }
}

#[test]
fn html_error_pages() {
    let (_server, raw) = with_fault(Fault::html(502));
    let mut response = raw.get().unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(response.headers()["content-type"], "text/html");
    let body = response.body_mut().read_to_string().unwrap();
    assert!(body.contains("<title>502 Bad Gateway</title>"), "{body}");
}

#[test]
fn a_reset_before_the_response_gives_no_status() {
    let (server, raw) = with_fault(Fault::ResetBeforeResponse);
    assert!(raw.get().is_err());
    assert_eq!(server.requests()[1].status, 0);
    // The server goes on answering, on a new connection.
    assert_eq!(raw.get().unwrap().status(), 200);
    let connections: Vec<u64> = server.requests().iter().map(|r| r.connection).collect();
    assert_eq!(connections, [1, 1, 2]);
}

#[test]
fn a_reset_mid_body_cuts_a_promised_body() {
    let (_server, raw) = with_fault(Fault::ResetMidBody);
    let mut response = raw.get().unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.body_mut().read_to_vec().is_err());
}

#[test]
fn delays_before_headers_and_mid_body() {
    for fault in [
        Fault::DelayBeforeHeaders(Duration::from_millis(150)),
        Fault::DelayMidBody(Duration::from_millis(150)),
    ] {
        let (_server, raw) = with_fault(fault.clone());
        let started = Instant::now();
        let mut response = raw.get().unwrap();
        let body = response.body_mut().read_to_vec().unwrap();
        assert!(started.elapsed() >= Duration::from_millis(150), "{fault:?}");
        let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(page["count"], 3, "{fault:?}");
    }
}

#[test]
fn truncated_invalid_and_oversized_bodies() {
    let (_server, raw) = with_fault(Fault::TruncatedJson);
    let body = raw.get().unwrap().body_mut().read_to_vec().unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());

    let (_server, raw) = with_fault(Fault::InvalidUtf8);
    let body = raw.get().unwrap().body_mut().read_to_vec().unwrap();
    assert!(std::str::from_utf8(&body).is_err());

    let (_server, raw) = with_fault(Fault::Oversized(100_000));
    let body = raw
        .get()
        .unwrap()
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_to_vec()
        .unwrap();
    assert!(body.len() >= 100_000);
    let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(page["results"].as_array().unwrap().len(), 3);
}

#[test]
fn redirects_and_echoed_headers() {
    let (_server, raw) = with_fault(Fault::Redirect("https://elsewhere.example/steal/".into()));
    let response = raw.get().unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(
        response.headers()["location"],
        "https://elsewhere.example/steal/"
    );

    let (server, raw) = with_fault(Fault::EchoAuthorization);
    let body = raw.get().unwrap().body_mut().read_to_string().unwrap();
    assert!(body.contains(server.api_key()), "{body}");
}
