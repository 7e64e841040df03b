//! Both clients against usercom-fake over a real socket: every behaviour written once and
//! run against the blocking and the async client (see `usercom_conformance::conformance!`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::Method;
use serde_json::{Value, json};
use usercom_conformance::{Harness, conformance};
use usercom_core::conversations::{
    ConversationSummary, CreateConversation, ListConversations, Source,
};
use usercom_core::endpoint::{Path, Query};
use usercom_core::{
    Api, ClientOptions, Config, Endpoint, Error, PaginationError, RateLimit, RawItems, RetryPolicy,
    TransportErrorKind,
};
use usercom_fake::{FakeOptions, FakeServer, Fault, FaultPlan};

const LIST: &str = "conversations/";

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(2))
        .max_delay(Duration::from_secs(2))
        .seed(7)
}

fn options() -> ClientOptions {
    ClientOptions::default().retry(fast_retries())
}

fn start<H: Harness>(
    conversations: usize,
    plan: FaultPlan,
    options: ClientOptions,
) -> (FakeServer, H) {
    let server = FakeServer::start(
        FakeOptions::default()
            .conversations(conversations)
            .faults(plan),
    )
    .unwrap();
    let harness = H::new(server.config().unwrap(), options);
    (server, harness)
}

fn plain<H: Harness>(conversations: usize) -> (FakeServer, H) {
    start(conversations, FaultPlan::default(), options())
}

fn first_page<H: Harness>(h: &H) -> usercom_core::Page<ConversationSummary> {
    h.wait(h.client().conversations().list(ListConversations::all()))
        .unwrap()
}

fn ids<H: Harness>(h: &H, list: ListConversations) -> Vec<i64> {
    h.collect(h.client().conversations().all(list))
        .into_iter()
        .map(|item| item.unwrap().id)
        .collect()
}

conformance!(
    a_thousand_conversations_across_ten_pages_arrive_once_and_in_order,
    open_filter_and_one_users_conversations,
    get_returns_the_conversation_with_its_messages,
    create_sends_the_documented_body_and_the_conversation_appears,
    empty_content_is_refused_before_anything_is_sent,
    a_wrong_key_is_a_401_api_error_that_does_not_show_the_key,
    a_missing_conversation_is_a_404_api_error,
    a_closed_port_is_a_connect_error,
    a_thousand_conversations_arrive_once_under_a_mixed_fault_plan,
    the_final_error_counts_the_attempts_and_keeps_the_last_answer,
    a_retry_after_longer_than_allowed_ends_with_its_value,
    retry_after_in_seconds_is_waited_for,
    a_stalled_server_times_out_within_the_bound,
    an_oversized_body_is_a_clear_error,
    a_truncated_json_body_is_a_decode_error_that_is_not_retried,
    a_reset_mid_body_is_retried_for_get_and_reported_for_post,
    a_post_that_says_it_is_idempotent_is_retried,
    a_5xx_on_post_is_not_retried_but_a_429_is,
    a_redirect_is_reported_not_followed,
    a_404_on_a_next_page_delivers_what_came_then_says_the_listing_stopped,
    the_rate_limit_paces_every_request_of_a_client_and_its_clones,
    the_key_never_shows_in_errors_config_client_or_logs,
    raw_items_are_what_the_server_sent_and_typed_items_keep_every_field,
    concurrent_paging_gives_the_same_items_in_the_same_order,
    concurrent_paging_survives_faults_and_delivers_each_item_once,
    a_429_holds_back_every_request_of_the_client,
);

fn concurrent_paging_gives_the_same_items_in_the_same_order<H: Harness>() {
    let (server, h) = plain::<H>(1_000);
    let sequential = ids(&h, ListConversations::all());
    let requests_before = server.requests().len();
    let concurrent: Vec<i64> = h
        .collect(
            h.client()
                .paginate_concurrently(ListConversations::all(), 4),
        )
        .into_iter()
        .map(|item| item.unwrap().id)
        .collect();
    assert_eq!(concurrent, sequential);
    let mut pages: Vec<Option<String>> = server.requests()[requests_before..]
        .iter()
        .map(|r| r.query.clone())
        .collect();
    pages.sort();
    let mut expected: Vec<Option<String>> = (1..=10)
        .map(|page| (page > 1).then(|| format!("page={page}")))
        .collect();
    expected.sort();
    assert_eq!(pages, expected, "each page exactly once");
}

fn concurrent_paging_survives_faults_and_delivers_each_item_once<H: Harness>() {
    let plan = FaultPlan::default()
        .on(LIST, 3, Fault::html(502))
        .on(LIST, 5, Fault::ResetMidBody)
        .on(LIST, 6, Fault::retry_after(429, "0"))
        .on(LIST, 8, Fault::status(504));
    let (_server, h) = start::<H>(1_000, plan, options());
    let ids: Vec<i64> = h
        .collect(
            h.client()
                .paginate_concurrently(ListConversations::all(), 8),
        )
        .into_iter()
        .map(|item| item.unwrap().id)
        .collect();
    assert_eq!(ids.len(), 1_000);
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "lost, repeated or out of order"
    );
}

fn a_429_holds_back_every_request_of_the_client<H: Harness>() {
    // One request of a 30-page listing is throttled for a second. Without a shared pause the
    // other workers would fetch the remaining pages during that second, before the retry;
    // with it, only those that had already passed the pause can.
    let plan = FaultPlan::default().on(LIST, 3, Fault::retry_after(429, "1"));
    let (server, h) = start::<H>(3_000, plan, options());
    let started = Instant::now();
    let count = h
        .collect(
            h.client()
                .paginate_concurrently(ListConversations::all(), 4),
        )
        .into_iter()
        .map(Result::unwrap)
        .count();
    assert_eq!(count, 3_000);
    assert!(started.elapsed() >= Duration::from_secs(1));
    let requests = server.requests();
    let throttled = requests.iter().position(|r| r.status == 429).unwrap();
    let page = requests[throttled].query.clone();
    let between = requests[throttled + 1..]
        .iter()
        .position(|r| r.query == page)
        .unwrap();
    assert!(
        between < 10,
        "{between} pages were fetched during the 429's wait: {:?}",
        requests
            .iter()
            .map(|r| (r.query.clone(), r.status))
            .collect::<Vec<_>>()
    );
}

mod send_request {
    //! `send_request` differs only in being blocking or async, so each client gets a line.
    use super::*;

    fn check(status: u16, attempts: u32, requests: usize, err: &Error) {
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err}");
        assert_eq!(err.attempts(), attempts, "{err}");
        assert!(
            err.to_string()
                .ends_with(&format!("after {attempts} attempts")),
            "{err}"
        );
        assert_eq!(requests, attempts as usize);
    }

    fn setup() -> (FakeServer, Config, http::Request<Vec<u8>>) {
        let plan = FaultPlan::default().every(LIST, Fault::html(503));
        let server =
            FakeServer::start(FakeOptions::default().conversations(5).faults(plan)).unwrap();
        let config = server.config().unwrap();
        let request = config.request(&ListConversations::all()).unwrap();
        (server, config, request)
    }

    fn options() -> ClientOptions {
        super::options().retry(fast_retries().max_attempts(3))
    }

    #[test]
    fn the_answer_carries_its_attempts_into_the_parsed_error_blocking() {
        let (server, config, request) = setup();
        let client = usercom_ureq::Client::with_options(config.clone(), options());
        let response = client.send_request(request, true).unwrap();
        let err = config
            .parse(&ListConversations::all(), response)
            .unwrap_err();
        check(503, 3, server.requests().len(), &err);
    }

    #[test]
    fn the_answer_carries_its_attempts_into_the_parsed_error_async() {
        let (server, config, request) = setup();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let client = usercom_hyper::Client::with_options(config.clone(), options());
        let response = runtime
            .block_on(client.send_request(request, true))
            .unwrap();
        let err = config
            .parse(&ListConversations::all(), response)
            .unwrap_err();
        check(503, 3, server.requests().len(), &err);
    }
}

fn a_thousand_conversations_across_ten_pages_arrive_once_and_in_order<H: Harness>() {
    let (server, h) = plain::<H>(1_000);
    let ids = ids(&h, ListConversations::all());
    assert_eq!(ids.len(), 1_000);
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "not in listing order or repeated"
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 10);
    for (index, request) in requests.iter().enumerate() {
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/api/public/conversations/");
        let expected_query = (index > 0).then(|| format!("page={}", index + 1));
        assert_eq!(request.query, expected_query);
        assert!(request.authorized);
        assert_eq!(request.accept.as_deref(), Some("*/*; version=2"));
        assert!(
            request
                .user_agent
                .as_deref()
                .unwrap()
                .starts_with("usercom-rs/")
        );
        assert_eq!(request.status, 200);
    }
    // Connections are reused, not one per page. (hyper hands a connection back to its pool
    // from a task of its own, so on a busy machine a page can start before the last one's
    // connection is back: a second connection is allowed, a third is not.)
    let connections: std::collections::HashSet<_> = requests.iter().map(|r| r.connection).collect();
    assert!(
        connections.len() <= 2,
        "{} connections for 10 pages",
        connections.len()
    );
}

fn open_filter_and_one_users_conversations<H: Harness>() {
    let (_server, h) = plain::<H>(300);
    let first = first_page(&h);
    let open: Vec<ConversationSummary> = h
        .collect(
            h.client()
                .conversations()
                .all(ListConversations::all().open_only(true)),
        )
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!open.is_empty());
    assert!(open.len() < 300);
    assert!(open.iter().all(|c| c.active));
    let open_page = h
        .wait(
            h.client()
                .conversations()
                .list(ListConversations::all().open_only(true)),
        )
        .unwrap();
    assert_eq!(open_page.count, Some(open.len() as u64));

    let user_id = first.results[0].user.id;
    let theirs: Vec<ConversationSummary> = h
        .collect(
            h.client()
                .conversations()
                .all(ListConversations::for_user(user_id)),
        )
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(theirs.iter().any(|c| c.id == first.results[0].id));
    assert!(theirs.iter().all(|c| c.user.id == user_id));
}

fn get_returns_the_conversation_with_its_messages<H: Harness>() {
    let (_server, h) = plain::<H>(20);
    let summary = first_page(&h).results.remove(3);
    let detail = h.wait(h.client().conversations().get(summary.id)).unwrap();
    assert_eq!(detail.id, summary.id);
    assert_eq!(detail.user, summary.user);
    assert_eq!(detail.messages.len() as u64, summary.messages);
    assert!(detail.messages.iter().all(|m| m.chat == summary.id));
}

fn create_sends_the_documented_body_and_the_conversation_appears<H: Harness>() {
    let (server, h) = plain::<H>(10);
    let user_id = first_page(&h).results[0].user.id;
    let create = CreateConversation::new(user_id, "Hello <b>there</b> — zażółć")
        .agent(382)
        .source(Source::Sms)
        .source_context(json!({"order": 17}));
    let created = h.wait(h.client().conversations().create(create)).unwrap();
    assert_eq!(
        (created.user.id, created.messages, created.active),
        (user_id, 1, true)
    );

    let request = server.requests().pop().unwrap();
    assert_eq!((request.method.as_str(), request.status), ("POST", 201));
    assert_eq!(
        request.path,
        format!("/api/public/users/{user_id}/conversations/")
    );
    assert_eq!(request.content_type.as_deref(), Some("application/json"));
    let body: Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(
        body,
        json!({"content": "Hello <b>there</b> — zażółć", "user": 382, "source": 4,
               "source_context": {"order": 17}})
    );

    assert_eq!(first_page(&h).results[0].id, created.id);
    let detail = h.wait(h.client().conversations().get(created.id)).unwrap();
    assert_eq!(detail.messages[0].content, "Hello <b>there</b> — zażółć");
    assert_eq!(detail.messages[0].source.known(), Some(&Source::Sms));
    assert_eq!(detail.messages[0].source_context, json!({"order": 17}));
}

fn empty_content_is_refused_before_anything_is_sent<H: Harness>() {
    let (server, h) = plain::<H>(1);
    let err = h
        .wait(
            h.client()
                .conversations()
                .create(CreateConversation::new(1, " \n")),
        )
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(server.requests().is_empty());
}

fn a_wrong_key_is_a_401_api_error_that_does_not_show_the_key<H: Harness>() {
    let server = FakeServer::start(FakeOptions::default().conversations(5)).unwrap();
    let wrong_key = "wrongkeywrongkeywrongkeywrongkeywrongkeywrongkeywrongkeywrongkey";
    let h = H::new(
        Config::for_base_url(server.base_url(), wrong_key).unwrap(),
        options(),
    );
    let err = h
        .wait(h.client().conversations().list(ListConversations::all()))
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status, 401);
    assert_eq!(api.detail.as_deref(), Some("Invalid token."));
    let shown = format!("{err} {err:?} {:?}", h.client());
    assert!(shown.contains("401"), "{shown}");
    assert!(!shown.contains(wrong_key), "{shown}");
    assert!(!shown.contains(server.api_key()), "{shown}");

    // The listing yields the error once and ends: it is never mistaken for an empty list.
    let items = h.collect(h.client().conversations().all(ListConversations::all()));
    assert_eq!(items.len(), 1);
    assert!(matches!(items[0], Err(Error::Api(_))));
}

fn a_missing_conversation_is_a_404_api_error<H: Harness>() {
    let (_server, h) = plain::<H>(5);
    let err = h.wait(h.client().conversations().get(1)).unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        (api.status.as_u16(), api.detail.as_deref()),
        (404, Some("Not found."))
    );
    assert!(!err.is_retryable());
}

fn a_closed_port_is_a_connect_error<H: Harness>() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = Config::for_base_url(&format!("http://127.0.0.1:{port}/"), "key").unwrap();
    let h = H::new(config, options());
    let err = h
        .wait(h.client().conversations().list(ListConversations::all()))
        .unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::Connect, "{err}");
    assert_eq!(err.attempts(), 5, "a GET that could not connect is retried");
    assert!(err.is_retryable());
}

fn a_thousand_conversations_arrive_once_under_a_mixed_fault_plan<H: Harness>() {
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
    let (server, h) = start::<H>(1_000, plan, options());
    let ids = ids(&h, ListConversations::all());
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

fn the_final_error_counts_the_attempts_and_keeps_the_last_answer<H: Harness>() {
    let plan = FaultPlan::default().every(LIST, Fault::html(503));
    let (server, h) = start::<H>(5, plan, options().retry(fast_retries().max_attempts(3)));
    let err = h
        .wait(h.client().conversations().list(ListConversations::all()))
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

fn a_retry_after_longer_than_allowed_ends_with_its_value<H: Harness>() {
    let plan = FaultPlan::default().every(LIST, Fault::retry_after(429, "3600"));
    let (server, h) = start::<H>(5, plan, options());
    let started = Instant::now();
    let err = h
        .wait(h.client().conversations().list(ListConversations::all()))
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

fn retry_after_in_seconds_is_waited_for<H: Harness>() {
    let plan = FaultPlan::default().on(LIST, 1, Fault::retry_after(429, "1"));
    let (server, h) = start::<H>(5, plan, options());
    let started = Instant::now();
    let page = first_page(&h);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "did not wait as told"
    );
    assert_eq!(page.results.len(), 5);
    assert_eq!(server.requests().len(), 2);
}

fn a_stalled_server_times_out_within_the_bound<H: Harness>() {
    for stall in [
        Fault::DelayBeforeHeaders(Duration::from_secs(30)),
        Fault::DelayMidBody(Duration::from_secs(30)),
    ] {
        let plan = FaultPlan::default().every(LIST, stall.clone());
        let options = options()
            .request_timeout(Duration::from_millis(300))
            .deadline(Some(Duration::from_secs(1)));
        let (_server, h) = start::<H>(5, plan, options);
        let started = Instant::now();
        let err = h
            .wait(h.client().conversations().list(ListConversations::all()))
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

fn an_oversized_body_is_a_clear_error<H: Harness>() {
    let plan = FaultPlan::default().every(LIST, Fault::Oversized(200_000));
    let (server, h) = start::<H>(5, plan, options().max_body_bytes(64 * 1024));
    let err = h
        .wait(h.client().conversations().list(ListConversations::all()))
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

fn a_truncated_json_body_is_a_decode_error_that_is_not_retried<H: Harness>() {
    let plan = FaultPlan::default().every(LIST, Fault::TruncatedJson);
    let (server, h) = start::<H>(5, plan, options());
    let err = h
        .wait(h.client().conversations().list(ListConversations::all()))
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

fn a_reset_mid_body_is_retried_for_get_and_reported_for_post<H: Harness>() {
    let (server, h) = plain::<H>(5);
    let user_id = first_page(&h).results[0].user.id;
    let user_path = format!("users/{user_id}/conversations/");
    server.set_faults(FaultPlan::default().on(LIST, 1, Fault::ResetMidBody).on(
        &user_path,
        1,
        Fault::ResetMidBody,
    ));
    assert_eq!(first_page(&h).count, Some(5));

    let err = h
        .wait(
            h.client()
                .conversations()
                .create(CreateConversation::new(user_id, "Exactly once")),
        )
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
    assert_eq!(first_page(&h).count, Some(6));
}

/// A POST that declares itself safe to repeat, as `update_or_create` does.
#[derive(Debug)]
struct RepeatableCreate(CreateConversation);

impl Endpoint for RepeatableCreate {
    type Output = ConversationSummary;
    const NAME: &'static str = "conversations.create";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = CreateConversation::PATHS;

    fn path(&self) -> Path {
        self.0.path()
    }

    fn query(&self) -> Query {
        self.0.query()
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.0.body()
    }

    fn idempotent(&self) -> bool {
        true
    }
}

fn a_post_that_says_it_is_idempotent_is_retried<H: Harness>() {
    let (server, h) = plain::<H>(5);
    let user_id = first_page(&h).results[0].user.id;
    server.set_faults(FaultPlan::default().on(
        &format!("users/{user_id}/conversations/"),
        1,
        Fault::ResetBeforeResponse,
    ));
    let created = h
        .wait(
            h.client()
                .call(RepeatableCreate(CreateConversation::new(user_id, "Again"))),
        )
        .unwrap();
    assert_eq!(created.user.id, user_id);
    let posts: Vec<u16> = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.status)
        .collect();
    assert_eq!(posts, [0, 201], "the repeatable POST was sent again");
}

fn a_5xx_on_post_is_not_retried_but_a_429_is<H: Harness>() {
    let (server, h) = plain::<H>(5);
    let user_id = first_page(&h).results[0].user.id;
    let path = format!("users/{user_id}/conversations/");
    server.set_faults(FaultPlan::default().on(&path, 1, Fault::status(502)).on(
        &path,
        2,
        Fault::retry_after(429, "0"),
    ));
    let create = CreateConversation::new(user_id, "Hello");
    let err = h
        .wait(h.client().conversations().create(create.clone()))
        .unwrap_err();
    assert_eq!((err.status().unwrap().as_u16(), err.attempts()), (502, 1));
    let created = h.wait(h.client().conversations().create(create)).unwrap();
    assert_eq!(created.messages, 1);
    let statuses: Vec<u16> = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [502, 429, 201]);
}

fn a_redirect_is_reported_not_followed<H: Harness>() {
    let location = "https://elsewhere.example/x/";
    let plan = FaultPlan::default().every(LIST, Fault::Redirect(location.into()));
    let (server, h) = start::<H>(5, plan, options());
    let err = h
        .wait(h.client().conversations().list(ListConversations::all()))
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        (api.status.as_u16(), api.location.as_deref()),
        (302, Some(location))
    );
    assert!(err.to_string().contains(location), "{err}");
    assert_eq!(server.requests().len(), 1);
}

fn a_404_on_a_next_page_delivers_what_came_then_says_the_listing_stopped<H: Harness>() {
    let plan = FaultPlan::default().on(LIST, 2, Fault::status(404));
    let (_server, h) = start::<H>(250, plan, options());
    let items = h.collect(h.client().conversations().all(ListConversations::all()));
    assert_eq!(items.len(), 101, "100 items, then the error");
    assert!(items[..100].iter().all(Result::is_ok));
    let Err(Error::Pagination(PaginationError::NextPageNotFound { url, pages })) = &items[100]
    else {
        panic!("{:?}", items[100])
    };
    assert_eq!(*pages, 1);
    assert!(url.ends_with("/api/public/conversations/?page=2"), "{url}");
    assert!(
        items[100]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("stopped early"),
        "{:?}",
        items[100]
    );
}

fn the_rate_limit_paces_every_request_of_a_client_and_its_clones<H: Harness>() {
    let limit = RateLimit::new(20, 1).unwrap();
    let (server, h) = start::<H>(5, FaultPlan::default(), options().rate_limit(Some(limit)));
    let id = first_page(&h).results[0].id;
    let clone = h.client().clone();
    let started = Instant::now();
    for _ in 0..5 {
        h.wait(h.client().conversations().get(id)).unwrap();
        h.wait(clone.conversations().get(id)).unwrap();
    }
    // 10 requests at 20 per second, one at a time: at least 9 intervals of 50 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(440),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 11);
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

fn the_key_never_shows_in_errors_config_client_or_logs<H: Harness>() {
    let plan = FaultPlan::default()
        .on(LIST, 1, Fault::EchoAuthorization)
        .on(LIST, 2, Fault::InvalidUtf8)
        .on(LIST, 3, Fault::html(502))
        .on(LIST, 4, Fault::retry_after(429, "0"));
    let (server, h) = start::<H>(5, plan, options().retry(RetryPolicy::disabled()));
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
            let err = h
                .wait(h.client().conversations().list(ListConversations::all()))
                .unwrap_err();
            shown.push(format!("{err} | {err:?}"));
        }
        let retrying = H::new(server.config().unwrap(), options());
        assert_eq!(first_page(&retrying).results.len(), 5);
        let closed = H::new(
            Config::for_base_url("http://127.0.0.1:9/", &key).unwrap(),
            options().retry(RetryPolicy::disabled()),
        );
        let err = closed
            .wait(closed.client().conversations().get(1))
            .unwrap_err();
        assert!(matches!(err, Error::Transport(_)));
        shown.push(format!("{err} | {err:?} | {:?}", closed.client()));
    });
    let bad_key = format!("{key} with a space");
    let invalid = Config::for_base_url(server.base_url(), &bad_key).unwrap_err();
    shown.push(format!("{invalid} | {invalid:?}"));
    shown.push(format!(
        "{:?} | {:?} | {}",
        h.client(),
        h.client().config(),
        h.client().config().api_key()
    ));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("usercom request"),
        "nothing was logged: {logs}"
    );
    assert!(
        logs.contains("usercom retrying"),
        "no retry was logged: {logs}"
    );
    assert!(shown[0].contains("<redacted>"), "{}", shown[0]);
    assert!(shown[1].contains("could not decode"), "{}", shown[1]);
    for text in shown.iter().chain([&logs]) {
        assert!(!text.contains(&key), "the key leaked: {text}");
    }
}

/// Whether every field of `sent` is in `again` with the same value (null and absent alike).
fn keeps_every_field(sent: &Value, again: &Value) -> bool {
    match (sent, again) {
        (Value::Object(sent), Value::Object(again)) => sent.iter().all(|(key, value)| {
            value.is_null()
                || again
                    .get(key)
                    .is_some_and(|kept| keeps_every_field(value, kept))
        }),
        (Value::Array(sent), Value::Array(again)) => {
            sent.len() == again.len()
                && sent.iter().zip(again).all(|(a, b)| keeps_every_field(a, b))
        }
        _ => sent == again,
    }
}

fn raw_items_are_what_the_server_sent_and_typed_items_keep_every_field<H: Harness>() {
    let (server, h) = plain::<H>(150);
    let raw: Vec<_> = h
        .collect(h.client().paginate(RawItems(ListConversations::all())))
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let typed: Vec<_> = h
        .collect(h.client().conversations().all(ListConversations::all()))
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!((raw.len(), typed.len()), (150, 150));

    // The raw items are the server's bytes: compare with the page as fetched by hand.
    let page_text = {
        let config = server.config().unwrap();
        let request = config.request(&ListConversations::all()).unwrap();
        let client = usercom_ureq::Client::new(config);
        String::from_utf8(client.execute(request).unwrap().into_body()).unwrap()
    };
    for item in &raw[..100] {
        assert!(
            page_text.contains(item.get()),
            "{} not verbatim",
            item.get()
        );
    }
    for (raw, typed) in raw.iter().zip(&typed) {
        let sent: Value = serde_json::from_str(raw.get()).unwrap();
        let again = serde_json::to_value(typed).unwrap();
        assert!(keeps_every_field(&sent, &again), "{sent} became {again}");
    }
}
