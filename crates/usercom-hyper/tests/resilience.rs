//! The async client against a misbehaving usercom-fake: retries, timeouts, limits and the
//! key's safety. Waits are kept to milliseconds by configuration.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use usercom_core::TransportErrorKind;
use usercom_core::conversations::{CreateConversation, ListConversations};
use usercom_fake::{FakeOptions, FakeServer, Fault, FaultPlan};
use usercom_hyper::{Client, ClientOptions, Error, RateLimit, RetryPolicy, StreamExt};

const LIST: &str = "conversations/";

fn options() -> ClientOptions {
    ClientOptions::default().retry(
        RetryPolicy::default()
            .base_delay(Duration::from_millis(2))
            .max_delay(Duration::from_secs(2))
            .seed(11),
    )
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_conversations_arrive_once_under_a_mixed_fault_plan() {
    let plan = FaultPlan::default()
        .on(LIST, 1, Fault::ResetBeforeResponse)
        .on(
            LIST,
            3,
            Fault::retry_after(429, "Tue, 14 Nov 2023 22:14:05 GMT"),
        )
        .on(LIST, 4, Fault::html(504))
        .on(LIST, 6, Fault::ResetMidBody)
        .on(LIST, 7, Fault::retry_after(503, "0"))
        .on(LIST, 9, Fault::status(500))
        .on(
            LIST,
            10,
            Fault::DelayBeforeHeaders(Duration::from_millis(20)),
        )
        .on(LIST, 12, Fault::html(502));
    let (server, client) = start(1_000, plan, options());
    let ids: Vec<i64> = client
        .all_conversations(ListConversations::all())
        .map(|item| item.unwrap().id)
        .collect()
        .await;
    assert_eq!(ids.len(), 1_000);
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "lost, repeated or out of order"
    );
    // 10 pages, plus one resend for each of the 7 faults that failed a request.
    assert_eq!(server.requests().len(), 17);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_final_error_counts_the_attempts() {
    let plan = FaultPlan::default().every(LIST, Fault::status(500));
    let options = options().retry(
        RetryPolicy::default()
            .base_delay(Duration::ZERO)
            .max_attempts(4),
    );
    let (server, client) = start(5, plan, options);
    let err = client
        .list_conversations(&ListConversations::all())
        .await
        .unwrap_err();
    assert_eq!((err.status().unwrap().as_u16(), err.attempts()), (500, 4));
    assert!(err.to_string().ends_with("after 4 attempts"), "{err}");
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_server_times_out_within_the_bound() {
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
            .await
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

#[tokio::test]
async fn an_oversized_body_is_a_clear_error() {
    let plan = FaultPlan::default().every(LIST, Fault::Oversized(200_000));
    let (server, client) = start(5, plan, options().max_body_bytes(64 * 1024));
    let err = client
        .list_conversations(&ListConversations::all())
        .await
        .unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::BodyTooLarge);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_mid_body_is_retried_for_get_and_reported_for_post() {
    let plan = FaultPlan::default().on(LIST, 1, Fault::ResetMidBody).on(
        "users/20000000/conversations/",
        1,
        Fault::ResetMidBody,
    );
    let (server, client) = start(5, plan, options());
    let page = client
        .list_conversations(&ListConversations::all())
        .await
        .unwrap();
    assert_eq!(page.count, Some(5));

    let err = client
        .create_conversation(&CreateConversation::new(20_000_000, "Exactly once"))
        .await
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
    let after = client
        .list_conversations(&ListConversations::all())
        .await
        .unwrap();
    assert_eq!(after.count, Some(6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_is_shared_by_clones_across_tasks() {
    let limit = RateLimit::new(20, 1).unwrap();
    let (server, client) = start(5, FaultPlan::default(), options().rate_limit(Some(limit)));
    let started = Instant::now();
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_conversation(700_000).await.unwrap() })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(440),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 10);
}

#[tokio::test]
async fn a_redirect_is_reported_not_followed() {
    let location = "https://elsewhere.example/x/";
    let plan = FaultPlan::default().every(LIST, Fault::Redirect(location.into()));
    let (server, client) = start(5, plan, options());
    let err = client
        .list_conversations(&ListConversations::all())
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        (api.status.as_u16(), api.location.as_deref()),
        (302, Some(location))
    );
    assert_eq!(server.requests().len(), 1);
}

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

#[tokio::test]
async fn the_key_never_shows_in_errors_client_or_logs() {
    let plan = FaultPlan::default()
        .on(LIST, 1, Fault::EchoAuthorization)
        .on(LIST, 2, Fault::retry_after(429, "0"));
    let (server, client) = start(5, plan, options());
    let key = server.api_key().to_owned();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let err = client
        .list_conversations(&ListConversations::all())
        .await
        .unwrap_err();
    let shown = format!("{err} | {err:?} | {client:?}");
    assert!(shown.contains("<redacted>"), "{shown}");
    let page = client
        .list_conversations(&ListConversations::all())
        .await
        .unwrap();
    assert_eq!(page.count, Some(5));
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("usercom retrying"), "{logs}");
    for text in [&shown, &logs] {
        assert!(!text.contains(&key), "the key leaked: {text}");
    }
}
