//! `cargo xtask fixtures refresh` against usercom-fake into a copy of the fixtures, and
//! `check` on deliberately broken fixtures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use usercom_core::conversations::ListConversations;
use usercom_fake::{FakeOptions, FakeServer};
use usercom_fixtures::{Origin, load_all, repository_fixtures};
use xtask::fixtures::{RefreshOptions, Summary, check, refresh};

/// A fresh copy of the repository's fixtures.
fn copy_fixtures(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&root);
    copy_dir(&repository_fixtures(), &root);
    root
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Every file below `root` with its content.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(
                    path.strip_prefix(root).unwrap().to_owned(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

fn run(server: &FakeServer, root: &Path, allow_writes: bool) -> Summary {
    let options = RefreshOptions {
        root: root.to_owned(),
        config: server.config().unwrap(),
        only: None,
        allow_writes,
    };
    let mut progress = Vec::new();
    let summary = refresh(&options, &mut progress);
    let progress = String::from_utf8(progress).unwrap();
    assert!(
        progress.contains("conversations/recorded-list: "),
        "{progress}"
    );
    summary
}

/// Every email and name the fake serves, which must not reach the fixtures.
fn personal_data(server: &FakeServer) -> Vec<String> {
    let client = usercom_ureq::Client::new(server.config().unwrap());
    let mut values = Vec::new();
    for conversation in client.all_conversations(ListConversations::all()) {
        let conversation = conversation.unwrap();
        values.extend(conversation.user.email.clone());
        values.extend(conversation.user.name.clone());
        values.extend(conversation.user.key.clone());
        if values.len() < 40 {
            let detail = client.get_conversation(conversation.id).unwrap();
            for message in detail.messages {
                values.extend(message.user.and_then(|u| u.email));
                values.push(message.content);
            }
        }
    }
    values.sort();
    values.dedup();
    values
}

#[test]
fn refresh_records_scrubbed_stable_fixtures_and_writes_only_when_allowed() {
    let server =
        FakeServer::start(FakeOptions::default().conversations(120).page_size(50)).unwrap();
    let root = copy_fixtures("refresh");
    let before = tree(&root);

    let summary = run(&server, &root, false);
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    assert_eq!(summary.recorded.len(), 7, "{summary:?}");
    assert_eq!(
        summary.skipped,
        [(
            "conversations/recorded-create".to_owned(),
            "writes data; pass --allow-writes to record it".to_owned()
        )]
    );
    assert!(
        server.requests().iter().all(|r| r.method == "GET"),
        "a write reached the server"
    );

    // The documented and hand-written scenarios are untouched.
    let after = tree(&root);
    for (path, content) in &before {
        assert_eq!(after.get(path), Some(content), "{} changed", path.display());
    }

    // Neither the key nor the account's personal data nor its address was written.
    let written: Vec<(&PathBuf, String)> = after
        .iter()
        .filter(|(path, _)| !before.contains_key(*path))
        .map(|(path, content)| (path, String::from_utf8_lossy(content).into_owned()))
        .collect();
    assert!(written.len() >= 14, "{}", written.len());
    let secrets = personal_data(&server);
    assert!(secrets.len() > 20);
    let address = server.address().to_string();
    for (path, text) in &written {
        assert!(
            !text.contains(server.api_key()),
            "the key is in {}",
            path.display()
        );
        assert!(
            !text.contains(&address),
            "the fake's address is in {}",
            path.display()
        );
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{secret:?} is in {}",
                path.display()
            );
        }
    }
    let detail =
        std::fs::read_to_string(root.join("conversations/recorded-detail/response.json")).unwrap();
    assert!(
        detail.contains("@example.com") && detail.contains("\"chat\""),
        "{detail}"
    );

    // The recordings pass the same check as every other fixture.
    assert_eq!(check(&root), Vec::<String>::new());
    let recorded = load_all(&root).unwrap();
    let last = recorded
        .iter()
        .find(|f| f.name == "conversations/recorded-list-last-page")
        .unwrap();
    assert_eq!(last.scenario.origin, Origin::Recorded);
    assert_eq!(
        last.scenario.page_url.as_deref(),
        Some("https://example.user.com/api/public/conversations/?page=3")
    );

    // A second refresh against the same data changes nothing.
    let again = run(&server, &root, false);
    assert_eq!(again.recorded, Vec::<String>::new());
    assert_eq!(again.unchanged.len(), 7);
    assert_eq!(tree(&root), after);

    // With --allow-writes the create scenario runs, once.
    let writes = run(&server, &root, true);
    assert!(
        writes
            .recorded
            .contains(&"conversations/recorded-create".to_owned()),
        "{writes:?}"
    );
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1);
    assert_eq!(check(&root), Vec::<String>::new());
}

#[test]
fn refresh_never_overwrites_a_scenario_it_did_not_record() {
    let server = FakeServer::start(FakeOptions::default().conversations(10)).unwrap();
    let root = copy_fixtures("protected");
    let protected = root.join("conversations/recorded-detail");
    copy_dir(&root.join("conversations/detail-documented"), &protected);
    let before = tree(&protected);
    let summary = run(&server, &root, false);
    let failure = summary
        .failed
        .iter()
        .find(|(name, _)| name == "conversations/recorded-detail");
    assert!(failure.unwrap().1.contains("not recorded"), "{summary:?}");
    assert_eq!(tree(&protected), before);
}

#[test]
fn check_names_the_broken_fixture_and_what_broke() {
    let root = copy_fixtures("broken");
    assert_eq!(check(&root), Vec::<String>::new());

    let body = root.join("conversations/detail-documented/response.json");
    let text = std::fs::read_to_string(&body).unwrap();
    std::fs::write(&body, text.replace("\"id\": 790087", "\"id\": \"790087\"")).unwrap();
    let scenario = root.join("conversations/list-open/scenario.json");
    let text = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(
        &scenario,
        text.replace("\"/api/public/conversations/\"", "\"/api/public/chats/\""),
    )
    .unwrap();

    let problems = check(&root);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(
        problems[0].starts_with("conversations/detail-documented: the response does not parse"),
        "{}",
        problems[0]
    );
    assert!(
        problems[0].contains("results.messages[0].id"),
        "{}",
        problems[0]
    );
    assert_eq!(
        problems[1],
        "conversations/list-open: path: stored /api/public/chats/ built /api/public/conversations/"
    );
}
