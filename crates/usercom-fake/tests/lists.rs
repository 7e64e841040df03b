//! The lists endpoints: list (cursor pages whose `next` lost its slash, and that may answer
//! 404), create, update, delete, and the users on a list; and the core's listing driver
//! over them, on a real socket.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Raw;
use serde_json::{Value, json};
use usercom_core::api::lists::{List, ListLists};
use usercom_core::{Config, Error, Listing, PaginationError, Paginator, Step};
use usercom_fake::{FakeOptions, FakeServer, Fault, FaultPlan};

fn start(options: FakeOptions) -> (FakeServer, Raw) {
    let server = FakeServer::start(options).unwrap();
    let raw = Raw::new(&server);
    (server, raw)
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

/// Sends a request the core built, the way a client adapter does: no redirects followed.
fn send(request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent();
    let mut response = agent.run(request).unwrap();
    let mut answer = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let body = response.body_mut().read_to_vec().unwrap();
    Ok(answer.body(body).unwrap())
}

/// Every list through the core's listing driver: the items, and the error that ended it.
fn list_all(config: Config) -> (Vec<List>, Option<Error>) {
    let mut listing = Listing::new(Paginator::new(config, &ListLists::new()));
    let mut lists = Vec::new();
    loop {
        match listing.step() {
            Step::Item(list) => lists.push(list),
            Step::Send(request) => listing.receive(send(request), 1),
            Step::Failed(error) => return (lists, Some(error)),
            Step::End => return (lists, None),
        }
    }
}

#[test]
fn next_links_lose_their_slash_and_pages_are_cursor_positions() {
    let (_server, raw) = start(FakeOptions::default());
    assert_eq!(
        raw.get("lists/").json()["count"],
        125,
        "half the 250 conversations"
    );
    let (_server, raw) = start(FakeOptions::default().conversations(0));
    assert_eq!(raw.get("lists/").json()["count"], 12, "at least a dozen");
    let (server, raw) = start(FakeOptions::default().size("lists", 12).page_size(5));
    let first = raw.get("lists/").json();
    assert_eq!(first["count"], 12);
    assert!(first.get("previous").is_none(), "no previous key: {first}");
    let next = first["next"].as_str().unwrap();
    assert_eq!(
        next,
        format!("http://{}/api/public/lists?cursor=5", server.address())
    );
    assert_eq!(
        ids(first["results"].as_array().unwrap()),
        [100, 101, 102, 103, 104]
    );
    // Followed verbatim, the link meets the trailing-slash redirect.
    let verbatim = raw.get("lists?cursor=5");
    assert_eq!(verbatim.status, 301);
    assert_eq!(verbatim.headers["location"], "/api/public/lists/?cursor=5");
    let last = raw.get("lists/?cursor=10").json();
    assert_eq!(last["next"], Value::Null);
    assert_eq!(ids(last["results"].as_array().unwrap()), [110, 111]);
    for cursor in ["12", "x", "-1", ""] {
        let answer = raw.get(&format!("lists/?cursor={cursor}"));
        assert_eq!(answer.status, 404, "{cursor}");
        assert_eq!(
            answer.json(),
            json!({"detail": "Invalid cursor"}),
            "{cursor}"
        );
    }
    // Names are varied, and some descriptions empty or missing.
    let lists: Vec<Value> = [0, 5, 10]
        .iter()
        .flat_map(|c| {
            raw.get(&format!("lists/?cursor={c}")).json()["results"]
                .as_array()
                .unwrap()
                .clone()
        })
        .collect();
    assert_eq!(lists.len(), 12);
    assert!(lists.iter().any(|l| l["description"].is_null()));
    assert!(
        lists
            .iter()
            .any(|l| l["name"].as_str().unwrap().contains('/'))
    );
}

#[test]
fn the_core_mends_the_slash_and_gets_every_list() {
    let (server, _raw) = start(FakeOptions::default().size("lists", 12).page_size(5));
    let (lists, error) = list_all(server.config().unwrap());
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        lists.iter().map(|l| l.id).collect::<Vec<_>>(),
        (100..112).collect::<Vec<_>>()
    );
    let asked: Vec<(String, Option<String>, u16)> = server
        .requests()
        .into_iter()
        .map(|r| (r.path, r.query, r.status))
        .collect();
    assert_eq!(
        asked,
        [
            ("/api/public/lists/".to_owned(), None, 200),
            (
                "/api/public/lists/".to_owned(),
                Some("cursor=5".to_owned()),
                200
            ),
            (
                "/api/public/lists/".to_owned(),
                Some("cursor=10".to_owned()),
                200
            ),
        ],
        "no redirect met"
    );
}

#[test]
fn a_next_page_that_answers_404_ends_the_listing_visibly_after_what_arrived() {
    // User.com's bug, on demand: the second request of the listing answers 404.
    let plan = FaultPlan::default().on("lists/", 2, Fault::status(404));
    let (server, _raw) = start(
        FakeOptions::default()
            .size("lists", 12)
            .page_size(5)
            .faults(plan),
    );
    let (lists, error) = list_all(server.config().unwrap());
    assert_eq!(
        lists.iter().map(|l| l.id).collect::<Vec<_>>(),
        [100, 101, 102, 103, 104],
        "the first page is kept"
    );
    let Some(Error::Pagination(PaginationError::NextPageNotFound { url, pages })) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*pages, 1);
    assert!(url.ends_with("/api/public/lists/?cursor=5"), "{url}");
    assert!(
        error.unwrap().to_string().contains("stopped early"),
        "the message says the listing is incomplete"
    );
}

#[test]
fn a_next_page_into_deleted_lists_answers_404_too() {
    let (server, raw) = start(FakeOptions::default().page_size(5).size("lists", 7));
    let config = server.config().unwrap();
    let mut pages = Paginator::<List>::new(config, &ListLists::new());
    let first = pages
        .process(send(pages.next_request().unwrap().unwrap()).unwrap())
        .unwrap();
    assert_eq!(first.results.len(), 5);
    // Meanwhile, the lists the cursor points into go away.
    for id in [100, 101, 102] {
        assert_eq!(
            raw.send("DELETE", &format!("lists/{id}/"), None).status,
            204
        );
    }
    let second = pages.next_request().unwrap().unwrap();
    let err = pages.process(send(second).unwrap()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Pagination(PaginationError::NextPageNotFound { pages: 1, .. })
        ),
        "{err:?}"
    );
    assert!(pages.is_done());
}

#[test]
fn create_update_and_delete_a_list() {
    let (_server, raw) = start(FakeOptions::default().size("lists", 12));
    let created = raw.send(
        "POST",
        "lists/",
        Some(r#"{"name": " Newsletter ", "description": "Weekly"}"#),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.json(),
        json!({"id": 112, "name": "Newsletter", "description": "Weekly"})
    );
    let bare = raw.send("POST", "lists/", Some(r#"{"name": "VIP"}"#));
    assert_eq!(bare.json(), json!({"id": 113, "name": "VIP"}));

    // A partial PUT keeps what it does not name.
    let renamed = raw.send("PUT", "lists/112/", Some(r#"{"name": "Gold"}"#));
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(
        renamed.json(),
        json!({"id": 112, "name": "Gold", "description": "Weekly"})
    );
    let described = raw.send("PUT", "lists/100/", Some(r#"{"description": ""}"#));
    assert_eq!(described.json()["description"], "");
    assert_eq!(described.json()["name"], "Newsletter");

    assert_eq!(raw.send("DELETE", "lists/112/", None).status, 204);
    assert_eq!(raw.send("DELETE", "lists/112/", None).status, 404);
    assert_eq!(
        raw.send("PUT", "lists/112/", Some(r#"{"name": "x"}"#))
            .json(),
        json!({"detail": "Not found."})
    );
    assert_eq!(raw.get("lists/").json()["count"], 13);
}

#[test]
fn bad_list_bodies_get_drf_field_errors() {
    let (_server, raw) = start(FakeOptions::default().size("lists", 12));
    let cases = [
        (json!({}), json!({"name": ["This field is required."]})),
        (
            json!({"name": ""}),
            json!({"name": ["This field may not be blank."]}),
        ),
        (
            json!({"name": "L".repeat(256)}),
            json!({"name": ["Ensure this field has no more than 255 characters."]}),
        ),
        (
            json!({"name": "x", "description": ["a"]}),
            json!({"description": ["Not a valid string."]}),
        ),
    ];
    for (body, expected) in cases {
        let answer = raw.send("POST", "lists/", Some(&body.to_string()));
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
    let blank = raw.send("PUT", "lists/100/", Some(r#"{"name": " "}"#));
    assert_eq!(
        blank.json(),
        json!({"name": ["This field may not be blank."]})
    );
    assert_eq!(raw.get("lists/").json()["count"], 12);
}

#[test]
fn the_users_on_a_list_are_those_whose_lists_name_it() {
    let (_server, raw) = start(FakeOptions::default());
    let page = raw.get("lists/100/users/").json();
    assert_eq!(page["count"], 0, "seeded users are on no list: {page}");
    // The users group puts users on lists; the list then lists them, and only them.
    for (user, list) in [(20_000_000, 100), (20_000_003, 100), (20_000_003, 101)] {
        let added = raw.send(
            "POST",
            &format!("users/{user}/add_to_list/"),
            Some(&json!({"list": list}).to_string()),
        );
        assert!(added.status < 300, "{}", added.text);
    }
    let on_100 = raw.all("lists/100/users/");
    assert_eq!(ids(&on_100), [20_000_000, 20_000_003]);
    assert_eq!(ids(&raw.all("lists/101/users/")), [20_000_003]);
    for user in &on_100 {
        assert!(
            user["lists"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l == 100 || l["id"] == 100),
            "{user}"
        );
    }
    for path in ["lists/999/users/", "lists/abc/users/", "lists/99/users/"] {
        let answer = raw.get(path);
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.json(), json!({"detail": "Not found."}));
    }
    raw.send("DELETE", "lists/100/", None);
    assert_eq!(raw.get("lists/100/users/").status, 404);
}
