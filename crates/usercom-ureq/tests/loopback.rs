//! The blocking client against usercom-fake over a real socket.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;
use usercom_core::TransportErrorKind;
use usercom_core::conversations::{CreateConversation, ListConversations, MessageSource, Source};
use usercom_fake::{FakeOptions, FakeServer};
use usercom_ureq::{Client, Config, Error};

fn start(conversations: usize) -> (FakeServer, Client) {
    let server = FakeServer::start(FakeOptions::default().conversations(conversations)).unwrap();
    let client = Client::new(server.config().unwrap());
    (server, client)
}

#[test]
fn a_thousand_conversations_across_ten_pages_arrive_once_and_in_order() {
    let (server, client) = start(1_000);
    let ids: Vec<i64> = client
        .all_conversations(ListConversations::all())
        .map(|item| item.unwrap().id)
        .collect();
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
    // One connection, reused for every page.
    assert!(
        requests
            .iter()
            .all(|r| r.connection == requests[0].connection)
    );
}

#[test]
fn open_filter_and_one_users_conversations() {
    let (_server, client) = start(300);
    let first = client
        .list_conversations(&ListConversations::all())
        .unwrap();
    let open: Vec<_> = client
        .all_conversations(ListConversations::all().open_only(true))
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!open.is_empty());
    assert!(open.len() < 300);
    assert!(open.iter().all(|c| c.active));
    let open_page = client
        .list_conversations(&ListConversations::all().open_only(true))
        .unwrap();
    assert_eq!(open_page.count, Some(open.len() as u64));

    let user_id = first.results[0].user.id;
    let theirs: Vec<_> = client
        .all_conversations(ListConversations::for_user(user_id))
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(theirs.iter().any(|c| c.id == first.results[0].id));
    assert!(theirs.iter().all(|c| c.user.id == user_id));
}

#[test]
fn get_returns_the_conversation_with_its_messages() {
    let (_server, client) = start(20);
    let summary = client
        .list_conversations(&ListConversations::all())
        .unwrap()
        .results
        .remove(3);
    let detail = client.get_conversation(summary.id).unwrap();
    assert_eq!(detail.id, summary.id);
    assert_eq!(detail.user, summary.user);
    assert_eq!(detail.messages.len() as u64, summary.messages);
    assert!(detail.messages.iter().all(|m| m.chat == summary.id));
}

#[test]
fn create_sends_the_documented_body_and_the_conversation_appears() {
    let (server, client) = start(10);
    let user_id = client
        .list_conversations(&ListConversations::all())
        .unwrap()
        .results[0]
        .user
        .id;
    let create = CreateConversation::new(user_id, "Hello <b>there</b> — zażółć")
        .agent(382)
        .source(Source::Sms)
        .source_context(json!({"order": 17}));
    let created = client.create_conversation(&create).unwrap();
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
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(
        body,
        json!({"content": "Hello <b>there</b> — zażółć", "user": 382, "source": 4,
               "source_context": {"order": 17}})
    );

    let newest = client
        .list_conversations(&ListConversations::all())
        .unwrap();
    assert_eq!(newest.results[0].id, created.id);
    let detail = client.get_conversation(created.id).unwrap();
    assert_eq!(detail.messages[0].content, "Hello <b>there</b> — zażółć");
    assert_eq!(detail.messages[0].source, MessageSource::Known(Source::Sms));
    assert_eq!(detail.messages[0].source_context, json!({"order": 17}));
}

#[test]
fn empty_content_is_refused_before_anything_is_sent() {
    let (server, client) = start(1);
    let err = client
        .create_conversation(&CreateConversation::new(1, " \n"))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(server.requests().is_empty());
}

#[test]
fn a_wrong_key_is_a_401_api_error_that_does_not_show_the_key() {
    let (server, _) = start(5);
    let wrong_key = "wrongkeywrongkeywrongkeywrongkeywrongkeywrongkeywrongkeywrongkey";
    let client = Client::new(Config::for_base_url(server.base_url(), wrong_key).unwrap());
    let err = client
        .list_conversations(&ListConversations::all())
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status, 401);
    assert_eq!(api.detail.as_deref(), Some("Invalid token."));
    let shown = format!("{err} {err:?} {client:?}");
    assert!(shown.contains("401"), "{shown}");
    assert!(!shown.contains(wrong_key), "{shown}");
    assert!(!shown.contains(server.api_key()), "{shown}");

    // The listing yields the error once and ends: it is never mistaken for an empty list.
    let mut items = client.all_conversations(ListConversations::all());
    assert!(matches!(items.next(), Some(Err(Error::Api(_)))));
    assert!(items.next().is_none());
}

#[test]
fn a_missing_conversation_is_a_404_api_error() {
    let (_server, client) = start(5);
    let err = client.get_conversation(1).unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        (api.status.as_u16(), api.detail.as_deref()),
        (404, Some("Not found."))
    );
    assert!(!err.is_retryable());
}

#[test]
fn a_closed_port_is_a_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = Config::for_base_url(&format!("http://127.0.0.1:{port}/"), "key").unwrap();
    let fast = usercom_core::RetryPolicy::default().base_delay(std::time::Duration::from_millis(1));
    let client = Client::with_options(config, usercom_core::ClientOptions::default().retry(fast));
    let err = client
        .list_conversations(&ListConversations::all())
        .unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::Connect, "{err}");
    assert_eq!(err.attempts(), 5, "a GET that could not connect is retried");
    assert!(err.is_retryable());
}
