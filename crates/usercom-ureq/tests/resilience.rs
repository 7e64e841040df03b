//! The blocking client against a misbehaving usercom-fake: retries, timeouts, limits and
//! the key's safety. Waits are kept to milliseconds by configuration.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use usercom_core::conversations::{CreateConversation, ListConversations};
use usercom_core::{PaginationError, TransportErrorKind};
use usercom_fake::{FakeOptions, FakeServer, Fault, FaultPlan};
use usercom_ureq::{Client, ClientOptions, Config, Error, RateLimit, RetryPolicy};

const LIST: &str = "conversations/";

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(2))
        .max_delay(Duration::from_secs(2))
        .seed(7)
}

fn start(conversations: usize, plan: FaultPlan, options: ClientOptions) -> (FakeServer, Client) {
    let server = FakeServer::start(
        FakeOptions::default()
            .conversations(conversations)
            .faults(plan),
    )
    .unwrap();
    let client = Client::with_options(server.config().unwrap(), options);
    (server, client)
}

fn options() -> ClientOptions {
    ClientOptions::default().retry(fast_retries())
}

#[test]
fn a_thousand_conversations_arrive_once_under_a_mixed_fault_plan() {
    let plan = FaultPlan::default()
        .on(LIST, 2, Fault::retry_after(429, "0"))
        .on(LIST, 3, Fault::html(502))
        .on(
            LIST,
            5,
            Fault::retry_after(503, "Tue, 14 Nov 2023 22:14:05 GMT"),
        )
        .on(LIST, 6, Fault::ResetBeforeResponse)
        .on(LIST, 8, Fault::ResetMidBody)
        .on(LIST, 9, Fault::status(500))
        .on(LIST, 10, Fault::status(504))
        .on(LIST, 11, Fault::DelayMidBody(Duration::from_millis(20)))
        .on(LIST, 13, Fault::html(503));
    let (server, client) = start(1_000, plan, options());
    let ids: Vec<i64> = client
        .all_conversations(ListConversations::all())
        .map(|item| item.unwrap().id)
        .collect();
    assert_eq!(ids.len(), 1_000);
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "lost, repeated or out of order"
    );
    let requests = server.requests();
    // 10 pages, plus one resend for each of the 8 faults that failed a request.
    assert_eq!(requests.len(), 18);
    let pages_served = requests.iter().filter(|r| r.status == 200).count();
    // The 10 pages, and the reset mid-body whose status line was a 200.
    assert_eq!(pages_served, 11);
}

#[test]
fn the_final_error_counts_the_attempts_and_keeps_the_last_answer() {
    let plan = FaultPlan::default().every(LIST, Fault::html(503));
    let (server, client) = start(5, plan, options().retry(fast_retries().max_attempts(3)));
    let err = client
        .list_conversations(&ListConversations::all())
        .unwrap_err();
    assert_eq!(err.attempts(), 3);
    let api = err.as_api().unwrap();
    assert_eq!(api.status, 503);
    assert!(
        api.body_snippet
            .as_deref()
            .unwrap()
            .contains("503 Service Unavailable")
    );
    assert!(err.to_string().ends_with("after 3 attempts"), "{err}");
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_retry_after_longer_than_allowed_ends_with_its_value() {
    let plan = FaultPlan::default().every(LIST, Fault::retry_after(429, "3600"));
    let (server, client) = start(5, plan, options());
    let started = Instant::now();
    let err = client
        .list_conversations(&ListConversations::all())
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "it waited");
    let api = err.as_api().unwrap();
    assert_eq!(
        api.retry_after,
        Some(usercom_core::RetryAfter::Delay(Duration::from_secs(3600)))
    );
    assert!(err.to_string().contains("Retry-After: 3600 s"), "{err}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn retry_after_in_seconds_is_waited_for() {
    let plan = FaultPlan::default().on(LIST, 1, Fault::retry_after(429, "1"));
    let (server, client) = start(5, plan, options());
    let started = Instant::now();
    let page = client
        .list_conversations(&ListConversations::all())
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "did not wait as told"
    );
    assert_eq!(page.results.len(), 5);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_stalled_server_times_out_within_the_bound() {
    for stall in [
        Fault::DelayBeforeHeaders(Duration::from_secs(30)),
        Fault::DelayMidBody(Duration::from_secs(30)),
    ] {
        let plan = FaultPlan::default().every(LIST, stall.clone());
        let options = options()
            .request_timeout(Duration::from_millis(300))
            .deadline(Some(Duration::from_secs(1)));
        let (_server, client) = start(5, plan, options);
        let started = Instant::now();
        let err = client
            .list_conversations(&ListConversations::all())
            .unwrap_err();
        let elapsed = started.elapsed();
        assert!(err.is_timeout(), "{stall:?}: {err}");
        assert!(
            err.attempts() >= 2,
            "{stall:?}: timeouts of a GET are retried"
        );
        assert!(
            elapsed < Duration::from_secs(3),
            "{stall:?}: took {elapsed:?}"
        );
    }
}

#[test]
fn an_oversized_body_is_a_clear_error() {
    let plan = FaultPlan::default().every(LIST, Fault::Oversized(200_000));
    let (server, client) = start(5, plan, options().max_body_bytes(64 * 1024));
    let err = client
        .list_conversations(&ListConversations::all())
        .unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::BodyTooLarge);
    assert_eq!(
        server.requests().len(),
        1,
        "a too-large body is not fetched again"
    );
}

#[test]
fn a_truncated_json_body_is_a_decode_error_that_is_not_retried() {
    let plan = FaultPlan::default().every(LIST, Fault::TruncatedJson);
    let (server, client) = start(5, plan, options());
    let err = client
        .list_conversations(&ListConversations::all())
        .unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.status, 200);
    assert!(
        err.to_string()
            .contains("could not decode the HTTP 200 OK response"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_reset_mid_body_is_retried_for_get_and_reported_for_post() {
    let plan = FaultPlan::default().on(LIST, 1, Fault::ResetMidBody).on(
        "users/20000000/conversations/",
        1,
        Fault::ResetMidBody,
    );
    let (server, client) = start(5, plan, options());
    let page = client
        .list_conversations(&ListConversations::all())
        .unwrap();
    assert_eq!(page.count, Some(5));

    let err = client
        .create_conversation(&CreateConversation::new(20_000_000, "Exactly once"))
        .unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (transport.kind(), transport.attempts()),
        (TransportErrorKind::Io, 1)
    );
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "the POST was replayed");
    // The server did create it once; nothing was duplicated.
    let after = client
        .list_conversations(&ListConversations::all())
        .unwrap();
    assert_eq!(after.count, Some(6));
}

#[test]
fn a_5xx_on_post_is_not_retried_but_a_429_is() {
    let plan = FaultPlan::default()
        .on("users/20000000/conversations/", 1, Fault::status(502))
        .on(
            "users/20000000/conversations/",
            2,
            Fault::retry_after(429, "0"),
        );
    let (server, client) = start(5, plan, options());
    let create = CreateConversation::new(20_000_000, "Hello");
    let err = client.create_conversation(&create).unwrap_err();
    assert_eq!((err.status().unwrap().as_u16(), err.attempts()), (502, 1));
    let created = client.create_conversation(&create).unwrap();
    assert_eq!(created.messages, 1);
    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [502, 429, 201]);
}

#[test]
fn a_redirect_is_reported_not_followed() {
    let plan =
        FaultPlan::default().every(LIST, Fault::Redirect("https://elsewhere.example/x/".into()));
    let (server, client) = start(5, plan, options());
    let err = client
        .list_conversations(&ListConversations::all())
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status, 302);
    assert_eq!(
        api.location.as_deref(),
        Some("https://elsewhere.example/x/")
    );
    assert!(
        err.to_string().contains("https://elsewhere.example/x/"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_404_on_a_next_page_ends_the_listing_unless_switched_off() {
    let plan = FaultPlan::default().on(LIST, 2, Fault::status(404));
    let (_server, client) = start(250, plan.clone(), options());
    let items: Vec<_> = client.all_conversations(ListConversations::all()).collect();
    assert_eq!(items.len(), 100);
    assert!(items.iter().all(Result::is_ok));

    let (_server, strict) = start(250, plan, options().end_listing_on_next_404(false));
    let items: Vec<_> = strict.all_conversations(ListConversations::all()).collect();
    assert_eq!(items.len(), 101);
    assert_eq!(items[100].as_ref().unwrap_err().status().unwrap(), 404);
}

#[test]
fn the_rate_limit_paces_every_request_of_a_client() {
    let limit = RateLimit::new(20, 1).unwrap();
    let (server, client) = start(5, FaultPlan::default(), options().rate_limit(Some(limit)));
    let clone = client.clone();
    let started = Instant::now();
    for _ in 0..5 {
        client.get_conversation(700_000).unwrap();
        clone.get_conversation(700_001).unwrap();
    }
    // 10 requests at 20 per second, one at a time: at least 9 intervals of 50 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(440),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 10);
    assert!(RateLimit::new(0, 1).is_err());
}

/// A writer that keeps what tracing writes, for inspection.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_key_never_shows_in_errors_config_client_or_logs() {
    let plan = FaultPlan::default()
        .on(LIST, 1, Fault::EchoAuthorization)
        .on(LIST, 2, Fault::InvalidUtf8)
        .on(LIST, 3, Fault::html(502));
    let (server, client) = start(5, plan, options().retry(RetryPolicy::disabled()));
    let key = server.api_key().to_owned();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let mut shown = Vec::new();
    tracing::subscriber::with_default(subscriber, || {
        for _ in 0..3 {
            let err = client
                .list_conversations(&ListConversations::all())
                .unwrap_err();
            shown.push(format!("{err} | {err:?}"));
        }
        let closed = Client::with_options(
            Config::for_base_url("http://127.0.0.1:9/", &key).unwrap(),
            options().retry(RetryPolicy::disabled()),
        );
        let err = closed.get_conversation(1).unwrap_err();
        assert!(matches!(err, Error::Transport(_)));
        shown.push(format!("{err} | {err:?} | {closed:?}"));
    });
    let bad_key = format!("{key} with a space");
    let invalid = Config::for_base_url(server.base_url(), &bad_key).unwrap_err();
    let foreign = Error::Pagination(PaginationError::ForeignNext {
        url: "https://elsewhere.example/".into(),
        root: server.base_url().into(),
    });
    shown.push(format!("{invalid} | {invalid:?} | {foreign} | {foreign:?}"));
    shown.push(format!(
        "{client:?} | {:?} | {}",
        client.config(),
        client.config().api_key()
    ));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("usercom request"),
        "nothing was logged: {logs}"
    );
    assert!(shown[0].contains("<redacted>"), "{}", shown[0]);
    assert!(shown[1].contains("could not decode"), "{}", shown[1]);
    for text in shown.iter().chain([&logs]) {
        assert!(!text.contains(&key), "the key leaked: {text}");
    }
}
