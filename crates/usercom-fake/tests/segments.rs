//! The segments endpoints: the documentation's five segments, each with the URL of its
//! users, and those users; and following that URL with the core.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Raw;
use serde_json::{Value, json};
use usercom_core::api::segments::{ListSegments, Segment};
use usercom_core::{Config, Page};
use usercom_fake::{FakeOptions, FakeServer};

fn start(options: FakeOptions) -> (FakeServer, Raw) {
    let server = FakeServer::start(options).unwrap();
    let raw = Raw::new(&server);
    (server, raw)
}

#[test]
fn the_documented_five_with_their_users_urls_and_counts() {
    let (server, raw) = start(FakeOptions::default().users(100));
    let page = raw.get("segments/").json();
    assert_eq!(page["count"], 5);
    let segments = page["results"].as_array().unwrap();
    let named: Vec<(i64, &str)> = segments
        .iter()
        .map(|s| (s["id"].as_i64().unwrap(), s["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        named,
        [
            (1033, "Active"),
            (1034, "New"),
            (1035, "Slipping away"),
            (1036, "With email"),
            (1037, "New with email")
        ]
    );
    assert_eq!(
        segments[0]["description"],
        "Users who have visited your website at least once in the last 30 days."
    );
    let users = 100;
    let mut counts = Vec::new();
    for segment in segments {
        let id = segment["id"].as_i64().unwrap();
        assert_eq!(
            segment["users"],
            format!(
                "http://{}/api/public/segments/{id}/users/",
                server.address()
            )
        );
        assert_eq!(segment["update_interval"], 240);
        assert_eq!(segment["too_heavy"], false);
        assert!(segment["last_counted"].is_string());
        let members = raw.all(&format!("segments/{id}/users/"));
        assert_eq!(segment["object_count"], members.len(), "{id}");
        counts.push(members.len());
    }
    // Each selects some users and not all; the intersection is no larger than its parts.
    assert!(
        counts.iter().all(|&c| c > 0 && c < users),
        "{counts:?} of {users}"
    );
    assert!(counts[4] <= counts[1].min(counts[3]), "{counts:?}");
}

#[test]
fn segment_users_match_their_rule() {
    let (_server, raw) = start(FakeOptions::default().conversations(400));
    for user in raw.all("segments/1036/users/") {
        assert!(user["email"].is_string(), "{user}");
    }
    for user in raw.all("segments/1033/users/") {
        assert!(user["last_seen"].is_string(), "{user}");
    }
    for user in raw.all("segments/1035/users/") {
        assert!(
            user["last_seen"].is_null() && user["status"] == "user",
            "{user}"
        );
    }
    let user = &raw.all("segments/1033/users/")[0];
    for key in ["user_key", "custom_id", "tags", "companies"] {
        assert!(user.get(key).is_some(), "{key}: {user}");
    }
}

#[test]
fn more_segments_when_asked_and_404s_for_none() {
    let (_server, raw) = start(FakeOptions::default().size("segments", 8).page_size(3));
    let all = raw.all("segments/");
    assert_eq!(all.len(), 8);
    assert_eq!(all[7]["name"], "Every 8th user");
    for user in raw.all("segments/1040/users/") {
        assert_eq!(user["id"].as_i64().unwrap() % 8, 0, "{user}");
    }
    for path in [
        "segments/1032/users/",
        "segments/1041/users/",
        "segments/x/users/",
        "segments/1033/",
    ] {
        let answer = raw.get(path);
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.json(), json!({"detail": "Not found."}), "{path}");
    }
    assert_eq!(raw.send("POST", "segments/", Some("{}")).status, 405);
}

/// The `users` URL of a listed segment, followed through the core: re-rooted on the
/// configured root, so it works through a different host name for the same server.
#[test]
fn the_users_url_of_a_listed_segment_is_followed_re_rooted() {
    let (server, raw) = start(FakeOptions::default().conversations(400).page_size(7));
    // The server is reached as localhost; the URLs it writes name the host it was asked for.
    let base = format!("http://localhost:{}/api/public/", server.address().port());
    let config = Config::for_base_url(&base, server.api_key()).unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent();
    let send = |request: http::Request<Vec<u8>>| {
        let mut response = agent.run(request).unwrap();
        let status = response.status();
        let body = response.body_mut().read_to_vec().unwrap();
        http::Response::builder().status(status).body(body).unwrap()
    };
    let listed: Page<Segment> = config
        .parse(
            &ListSegments::new(),
            send(config.request(&ListSegments::new()).unwrap()),
        )
        .unwrap();
    let with_email = listed
        .results
        .iter()
        .find(|s| s.name == "With email")
        .unwrap();
    assert!(
        with_email
            .users_url()
            .unwrap()
            .starts_with("http://localhost:"),
        "{:?}",
        with_email.users
    );
    // Point the URL at another host: the core keeps only what lies below the API root.
    let mut elsewhere = with_email.clone();
    elsewhere.users = Some("https://acme.user.com/api/public/segments/1036/users/".into());
    let mut pages = elsewhere.users_pages(&config).unwrap();
    let mut followed: Vec<Value> = Vec::new();
    while let Some(request) = pages.next_request().unwrap() {
        assert!(
            request.uri().to_string().starts_with(&base),
            "{}",
            request.uri()
        );
        followed.extend(pages.process(send(request)).unwrap().results);
    }
    assert!(pages.pages() > 1, "more than one page followed");
    assert_eq!(followed, raw.all("segments/1036/users/"));
    assert_eq!(
        u64::try_from(followed.len()).unwrap(),
        with_email.object_count.unwrap()
    );
}
