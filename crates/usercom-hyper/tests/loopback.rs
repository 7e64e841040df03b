//! What only the async client has: it crosses threads, and one client serves concurrent
//! tasks. Every behaviour it shares with the blocking client is in the conformance suite
//! (crates/usercom-conformance).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use usercom_core::conversations::ListConversations;
use usercom_fake::{FakeOptions, FakeServer};
use usercom_hyper::{Api, Client};

fn start(conversations: usize) -> (FakeServer, Client) {
    let server = FakeServer::start(FakeOptions::default().conversations(conversations)).unwrap();
    let client = Client::new(server.config().unwrap());
    (server, client)
}

#[test]
fn the_client_its_calls_and_its_streams_can_cross_threads() {
    fn assert_send_sync<T: Clone + Send + Sync + 'static>() {}
    assert_send_sync::<Client>();
    fn assert_send<T: Send>(_: &T) {}
    let (_server, client) = start(1);
    assert_send(&client.conversations().all(ListConversations::all()));
    assert_send(&client.conversations().get(1));
    assert_send(&client.tags().create("x"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_gets_share_one_client() {
    let (_server, client) = start(50);
    let page = client
        .conversations()
        .list(ListConversations::all())
        .await
        .unwrap();
    let tasks: Vec<_> = page
        .results
        .iter()
        .take(20)
        .map(|summary| {
            let (client, summary) = (client.clone(), summary.clone());
            tokio::spawn(async move {
                let detail = client.conversations().get(summary.id).await.unwrap();
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
