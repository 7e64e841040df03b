//! Quirks of particular endpoints, proven on both clients: the `/lists/` next link that loses
//! its slash and answers 404, and the `users` URL a segment carries.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use usercom_conformance::{Harness, conformance};
use usercom_core::{Api, ClientOptions, Error, PaginationError};
use usercom_fake::{FakeOptions, FakeServer, Fault, FaultPlan};

fn a_lists_next_page_that_answers_404_delivers_every_list_then_says_it_stopped<H: Harness>() {
    // User.com's /lists/ bug: a `next` link without its slash, whose page answers 404.
    let plan = FaultPlan::default().on("lists/", 2, Fault::status(404));
    let server = FakeServer::start(
        FakeOptions::default()
            .size("lists", 12)
            .page_size(5)
            .faults(plan),
    )
    .unwrap();
    let h = H::new(server.config().unwrap(), ClientOptions::default());
    let items = h.collect(h.client().lists().all());
    assert_eq!(items.len(), 6, "5 lists, then the error");
    let ids: Vec<i64> = items[..5].iter().map(|l| l.as_ref().unwrap().id).collect();
    assert_eq!(ids, [100, 101, 102, 103, 104]);
    let Err(Error::Pagination(PaginationError::NextPageNotFound { url, pages })) = &items[5] else {
        panic!("{:?}", items[5])
    };
    assert_eq!(*pages, 1);
    assert!(url.ends_with("/api/public/lists/?cursor=5"), "{url}");
    let asked: Vec<(String, Option<String>)> = server
        .requests()
        .into_iter()
        .map(|r| (r.path, r.query))
        .collect();
    assert_eq!(
        asked,
        [
            ("/api/public/lists/".to_owned(), None),
            ("/api/public/lists/".to_owned(), Some("cursor=5".to_owned())),
        ],
        "the slash was restored, no redirect met, and a 404 is not retried"
    );
}

fn a_segments_users_url_is_followed_on_the_clients_root<H: Harness>() {
    let server = FakeServer::start(FakeOptions::default().users(100).page_size(7)).unwrap();
    let h = H::new(server.config().unwrap(), ClientOptions::default());
    let segments: Vec<_> = h
        .collect(h.client().segments().all())
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let mut with_email = segments
        .into_iter()
        .find(|s| s.name == "With email")
        .unwrap();
    let by_id: Vec<_> = h.collect(h.client().segments().users(with_email.id));
    // The URL as another host would write it: only what lies below the API root is kept.
    with_email.users = Some("https://acme.user.com/api/public/segments/1036/users/".into());
    let followed = h.collect(h.client().segments().users_of(&with_email).unwrap());
    let ids = |items: &[Result<serde_json::Value, Error>]| -> Vec<i64> {
        items
            .iter()
            .map(|u| u.as_ref().unwrap()["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&followed), ids(&by_id));
    assert_eq!(followed.len() as u64, with_email.object_count.unwrap());
    assert!(followed.len() > 7, "more than one page");
}

conformance!(
    a_lists_next_page_that_answers_404_delivers_every_list_then_says_it_stopped,
    a_segments_users_url_is_followed_on_the_clients_root,
);
