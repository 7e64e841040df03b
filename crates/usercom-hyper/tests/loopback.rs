//! The async client against usercom-fake over a real socket, on a multi-threaded runtime.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;
use usercom_core::TransportErrorKind;
use usercom_core::conversations::{CreateConversation, ListConversations, MessageSource, Source};
use usercom_fake::{FakeOptions, FakeServer};
use usercom_hyper::{Client, Config, Error, StreamExt};

fn start(conversations: usize) -> (FakeServer, Client) {
    let server = FakeServer::start(FakeOptions::default().conversations(conversations)).unwrap();
    let client = Client::new(server.config().unwrap());
    (server, client)
}

#[test]
fn the_client_and_its_streams_can_cross_threads() {
    fn assert_send_sync<T: Clone + Send + Sync + 'static>() {}
    assert_send_sync::<Client>();
    fn assert_send<T: Send + 'static>(_: &T) {}
    let (_server, client) = start(1);
    assert_send(&client.all_conversations(ListConversations::all()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_conversations_across_ten_pages_arrive_once_and_in_order() {
    let (server, client) = start(1_000);
    // Consumed on another task of the multi-threaded runtime.
    let ids = tokio::spawn(async move {
        client
            .all_conversations(ListConversations::all())
            .map(|item| item.unwrap().id)
            .collect::<Vec<i64>>()
            .await
    })
    .await
    .unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_filter_and_one_users_conversations() {
    let (_server, client) = start(300);
    let first = client
        .list_conversations(&ListConversations::all())
        .await
        .unwrap();
    let open: Vec<_> = client
        .all_conversations(ListConversations::all().open_only(true))
        .map(Result::unwrap)
        .collect()
        .await;
    assert!(!open.is_empty());
    assert!(open.len() < 300);
    assert!(open.iter().all(|c| c.active));

    let user_id = first.results[0].user.id;
    let theirs: Vec<_> = client
        .all_conversations(ListConversations::for_user(user_id))
        .map(Result::unwrap)
        .collect()
        .await;
    assert!(theirs.iter().any(|c| c.id == first.results[0].id));
    assert!(theirs.iter().all(|c| c.user.id == user_id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_gets_share_one_client() {
    let (_server, client) = start(50);
    let page = client
        .list_conversations(&ListConversations::all())
        .await
        .unwrap();
    let tasks: Vec<_> = page
        .results
        .iter()
        .take(20)
        .map(|summary| {
            let (client, summary) = (client.clone(), summary.clone());
            tokio::spawn(async move {
                let detail = client.get_conversation(summary.id).await.unwrap();
                assert_eq!(detail.id, summary.id);
                assert_eq!(detail.messages.len() as u64, summary.messages);
                assert!(detail.messages.iter().all(|m| m.chat == summary.id));
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_sends_the_documented_body_and_the_conversation_appears() {
    let (server, client) = start(10);
    let user_id = client
        .list_conversations(&ListConversations::all())
        .await
        .unwrap()
        .results[0]
        .user
        .id;
    let create = CreateConversation::new(user_id, "Hello <b>there</b> — zażółć")
        .agent(382)
        .source(Source::Slack)
        .source_context(json!({"order": 17}));
    let created = client.create_conversation(&create).await.unwrap();
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
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(
        body,
        json!({"content": "Hello <b>there</b> — zażółć", "user": 382, "source": 5,
               "source_context": {"order": 17}})
    );
    let detail = client.get_conversation(created.id).await.unwrap();
    assert_eq!(
        detail.messages[0].source,
        MessageSource::Known(Source::Slack)
    );
}

#[tokio::test]
async fn empty_content_is_refused_before_anything_is_sent() {
    let (server, client) = start(1);
    let err = client
        .create_conversation(&CreateConversation::new(1, ""))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_wrong_key_is_a_401_api_error_that_does_not_show_the_key() {
    let (server, _) = start(5);
    let wrong_key = "wrongkeywrongkeywrongkeywrongkeywrongkeywrongkeywrongkeywrongkey";
    let client = Client::new(Config::for_base_url(server.base_url(), wrong_key).unwrap());
    let err = client
        .list_conversations(&ListConversations::all())
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        (api.status.as_u16(), api.detail.as_deref()),
        (401, Some("Invalid token."))
    );
    let shown = format!("{err} {err:?} {client:?}");
    assert!(shown.contains("401"), "{shown}");
    assert!(!shown.contains(wrong_key), "{shown}");

    let mut items = client.all_conversations(ListConversations::all());
    assert!(matches!(items.next().await, Some(Err(Error::Api(_)))));
    assert!(items.next().await.is_none());
}

#[tokio::test]
async fn a_missing_conversation_is_a_404_api_error() {
    let (_server, client) = start(5);
    let err = client.get_conversation(1).await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        (api.status.as_u16(), api.detail.as_deref()),
        (404, Some("Not found."))
    );
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = Config::for_base_url(&format!("http://127.0.0.1:{port}/"), "key").unwrap();
    let fast = usercom_core::RetryPolicy::default().base_delay(std::time::Duration::from_millis(1));
    let client = Client::with_options(config, usercom_core::ClientOptions::default().retry(fast));
    let err = client
        .list_conversations(&ListConversations::all())
        .await
        .unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::Connect, "{err}");
    assert_eq!(err.attempts(), 5, "a GET that could not connect is retried");
}
