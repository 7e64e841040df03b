//! `cargo xtask fixtures refresh` against usercom-fake into a copy of the fixtures, and
//! `check` on deliberately broken fixtures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use usercom_fake::{FakeOptions, FakeServer};
use usercom_fixtures::{Fixture, Origin, load_all, repository_fixtures, request_for};
use xtask::fixtures::{RefreshOptions, Summary, check, refresh};

const WRITES: &str = "writes data; pass --allow-writes to record it";

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

fn is_recorded(path: &Path) -> bool {
    path.iter()
        .any(|part| part.to_string_lossy().starts_with("recorded-"))
}

fn run(server: &FakeServer, root: &Path, only: Option<&str>, allow_writes: bool) -> Summary {
    let options = RefreshOptions {
        root: root.to_owned(),
        config: server.config().unwrap(),
        only: only.map(str::to_owned),
        allow_writes,
    };
    let mut progress = Vec::new();
    let summary = refresh(&options, &mut progress);
    let progress = String::from_utf8(progress).unwrap();
    for (name, _) in summary.skipped.iter().chain(&summary.failed) {
        assert!(progress.contains(&format!("{name}: ")), "{progress}");
    }
    summary
}

fn names(list: &[(String, String)]) -> Vec<&str> {
    list.iter().map(|(name, _)| name.as_str()).collect()
}

/// The requests the fake received since `from`, as `METHOD /path?query`.
fn requests_since(server: &FakeServer, from: usize) -> Vec<String> {
    server.requests()[from..]
        .iter()
        .map(|r| match &r.query {
            Some(query) => format!("{} {}?{query}", r.method, r.path),
            None => format!("{} {}", r.method, r.path),
        })
        .collect()
}

/// The recorded scenarios under `root` that hold a recording.
fn recordings(root: &Path) -> Vec<Fixture> {
    load_all(root)
        .unwrap()
        .into_iter()
        .filter(|f| f.scenario.origin == Origin::Recorded && !f.is_plan())
        .collect()
}

/// What a written file stores: the string values of a JSON document (its keys are field
/// names, which a value may happen to equal), or the text itself.
fn stored_text(content: &[u8]) -> String {
    fn strings(value: &Value, out: &mut String) {
        match value {
            Value::String(text) => {
                out.push_str(text);
                out.push('\n');
            }
            Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
            Value::Object(fields) => fields.values().for_each(|inner| strings(inner, out)),
            _ => {}
        }
    }
    match serde_json::from_slice::<Value>(content) {
        Ok(json) => {
            let mut out = String::new();
            strings(&json, &mut out);
            out
        }
        Err(_) => String::from_utf8_lossy(content).into_owned(),
    }
}

/// Field names whose values are personal.
const PERSONAL_FIELDS: &[&str] = &[
    "email",
    "name",
    "first_name",
    "last_name",
    "key",
    "user_key",
    "phone_number",
    "phone_numbers",
    "last_ip",
    "custom_id",
    "user_custom_id",
    "company_custom_id",
    "content",
];

fn personal_values(value: &Value, personal: bool, found: &mut Vec<String>) {
    match value {
        Value::String(text) if personal && text.len() >= 4 => found.push(text.clone()),
        Value::Array(items) => items
            .iter()
            .for_each(|item| personal_values(item, personal, found)),
        Value::Object(fields) => {
            for (field, inner) in fields {
                personal_values(inner, PERSONAL_FIELDS.contains(&field.as_str()), found);
            }
        }
        _ => {}
    }
}

/// Every personal value the fake gives in answer to the requests of the recordings under
/// `root`, asked again with the fake's own config: none of them may be in a recording.
fn personal_data(server: &FakeServer, root: &Path) -> Vec<String> {
    let config = server.config().unwrap();
    let client = usercom_ureq::Client::new(config.clone());
    let mut values = Vec::new();
    for fixture in recordings(root) {
        let status = fixture.scenario.response.as_ref().unwrap().status;
        if !(200..300).contains(&status) {
            continue;
        }
        let op = fixture.operation().unwrap();
        let request =
            request_for(op.as_ref(), &config, fixture.scenario.page_url.as_deref()).unwrap();
        let response = client.execute(request).unwrap();
        let body: Value = serde_json::from_slice(response.body()).unwrap();
        personal_values(&body, false, &mut values);
    }
    values.sort();
    values.dedup();
    values
}

/// The recorded scenarios of the repository, by name: those whose operation writes, and
/// those that only read.
fn plans_by_kind() -> (Vec<String>, Vec<String>) {
    let plans: Vec<Fixture> = load_all(&repository_fixtures())
        .unwrap()
        .into_iter()
        .filter(|f| f.scenario.origin == Origin::Recorded)
        .collect();
    let (writing, reading): (Vec<Fixture>, Vec<Fixture>) = plans
        .into_iter()
        .partition(|f| f.registration().unwrap().writes());
    let names = |list: Vec<Fixture>| list.into_iter().map(|f| f.name).collect::<Vec<_>>();
    (names(writing), names(reading))
}

#[test]
fn refresh_records_every_plan_scrubbed_and_stable_and_writes_only_when_allowed() {
    let server =
        FakeServer::start(FakeOptions::default().conversations(120).page_size(50)).unwrap();
    let root = copy_fixtures("refresh");
    let before = tree(&root);

    // Every plan of every group is recorded, but those whose operation writes.
    let (writing, reading) = plans_by_kind();
    assert!(
        writing.contains(&"conversations/recorded-create".to_owned())
            && reading.contains(&"tags/recorded-users".to_owned())
            && reading.len() >= 11,
        "{reading:?} {writing:?}"
    );
    let summary = run(&server, &root, None, false);
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    let mut recorded = summary.recorded.clone();
    recorded.sort();
    assert_eq!(recorded, reading);
    let skipped: Vec<(String, String)> = writing
        .iter()
        .map(|name| (name.clone(), WRITES.to_owned()))
        .collect();
    assert_eq!(summary.skipped, skipped);
    assert!(
        server.requests().iter().all(|r| r.method == "GET"),
        "a write reached the server"
    );

    // The documented and hand-written scenarios are untouched; each plan is kept as it was.
    let after = tree(&root);
    for (path, content) in &before {
        if !is_recorded(path) {
            assert_eq!(after.get(path), Some(content), "{} changed", path.display());
        }
    }
    let plans = load_all(&repository_fixtures()).unwrap();
    for fixture in recordings(&root) {
        let plan = plans.iter().find(|p| p.name == fixture.name).unwrap();
        assert_eq!(
            fixture.scenario.record, plan.scenario.record,
            "{}",
            fixture.name
        );
    }

    // Neither the key nor the account's personal data nor its address was written.
    let written: Vec<(&PathBuf, String, String)> = after
        .iter()
        .filter(|(path, content)| is_recorded(path) && before.get(*path) != Some(*content))
        .map(|(path, content)| {
            let raw = String::from_utf8_lossy(content).into_owned();
            (path, raw, stored_text(content))
        })
        .collect();
    assert!(written.len() >= 2 * reading.len(), "{}", written.len());
    let secrets = personal_data(&server, &root);
    assert!(secrets.len() > 20, "{secrets:?}");
    let address = server.address().to_string();
    for (path, text, values) in &written {
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
                !values.contains(secret.as_str()),
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

    // The recordings pass the same check as every other fixture: they add no problem.
    assert_eq!(check(&root), check(&repository_fixtures()));
    let last = load_all(&root)
        .unwrap()
        .into_iter()
        .find(|f| f.name == "conversations/recorded-list-last-page")
        .unwrap();
    assert_eq!(last.scenario.origin, Origin::Recorded);
    assert_eq!(
        last.scenario.page_url.as_deref(),
        Some("https://example.user.com/api/public/conversations/?page=3")
    );

    // A second refresh against the same data changes nothing.
    let again = run(&server, &root, None, false);
    assert_eq!(again.recorded, Vec::<String>::new());
    assert_eq!(again.unchanged.len(), reading.len(), "{again:?}");
    assert!(again.failed.is_empty(), "{:?}", again.failed);
    assert_eq!(tree(&root), after);

    // With --allow-writes the writing scenarios run, once each.
    let sent = server.requests().len();
    let writes = run(&server, &root, None, true);
    assert!(writes.failed.is_empty(), "{:?}", writes.failed);
    assert_eq!(writes.recorded, writing);
    // They ran last: the reads of the run recorded the account as it was, unchanged.
    assert_eq!(writes.unchanged.len(), reading.len(), "{writes:?}");
    let posts: Vec<String> = requests_since(&server, sent)
        .into_iter()
        .filter(|r| !r.starts_with("GET "))
        .collect();
    assert_eq!(posts.len(), writing.len(), "{posts:?}");
    assert_eq!(check(&root), check(&repository_fixtures()));
}

#[test]
fn only_gates_what_is_sent_and_takes_other_values_from_disk() {
    let server = FakeServer::start(FakeOptions::default().conversations(10)).unwrap();
    let root = copy_fixtures("only");
    let before = tree(&root);

    // Its source was never recorded: nothing can be sent, and the reason says what to do.
    let summary = run(&server, &root, Some("conversations/recorded-detail"), true);
    assert_eq!(names(&summary.skipped), ["conversations/recorded-detail"]);
    assert!(
        summary.skipped[0].1.contains("no recording on disk")
            && summary.skipped[0].1.contains("--only conversations"),
        "{summary:?}"
    );
    assert!(summary.failed.is_empty(), "{summary:?}");
    assert_eq!(requests_since(&server, 0), Vec::<String>::new());
    assert_eq!(tree(&root), before);

    // Only the named scenario is sent, even with --allow-writes (the create scenario takes a
    // value from this one, but is not selected).
    let summary = run(&server, &root, Some("conversations/recorded-list"), true);
    assert_eq!(summary.recorded, ["conversations/recorded-list"]);
    assert_eq!(
        requests_since(&server, 0),
        ["GET /api/public/conversations/"]
    );

    // Now its value comes from the recording on disk, and only its own request is sent.
    let list = load_all(&root)
        .unwrap()
        .into_iter()
        .find(|f| f.name == "conversations/recorded-list")
        .unwrap();
    let first: Value = serde_json::from_slice(&list.body).unwrap();
    let id = &first["results"][0]["id"];
    let sent = server.requests().len();
    let summary = run(&server, &root, Some("conversations/recorded-detail"), false);
    assert_eq!(summary.recorded, ["conversations/recorded-detail"]);
    assert_eq!(
        requests_since(&server, sent),
        [format!("GET /api/public/conversations/{id}/")]
    );

    // A group: its scenarios only.
    let sent = server.requests().len();
    run(&server, &root, Some("tags"), false);
    let tags = requests_since(&server, sent);
    assert!(!tags.is_empty());
    assert!(
        tags.iter().all(|r| r.starts_with("GET /api/public/tags/")),
        "{tags:?}"
    );

    // A name that matches nothing is an error, not a silent success.
    let sent = server.requests().len();
    let summary = run(&server, &root, Some("conversation"), true);
    assert_eq!(names(&summary.failed), ["--only conversation"]);
    assert!(summary.failed[0].1.contains("matches no recorded scenario"));
    assert_eq!(requests_since(&server, sent), Vec::<String>::new());
}

#[test]
fn refresh_never_overwrites_a_scenario_it_did_not_record() {
    let server = FakeServer::start(FakeOptions::default().conversations(10)).unwrap();
    let root = copy_fixtures("protected");
    let protected = root.join("conversations/recorded-detail");
    std::fs::remove_dir_all(&protected).unwrap();
    copy_dir(&root.join("conversations/detail-documented"), &protected);
    let before = tree(&protected);
    let summary = run(&server, &root, Some("conversations"), false);
    let failure = summary
        .failed
        .iter()
        .find(|(name, _)| name == "conversations/recorded-detail");
    assert!(failure.unwrap().1.contains("not recorded"), "{summary:?}");
    assert_eq!(tree(&protected), before);
    // It was not sent either: the only conversation requests are the other scenarios'.
    let sent = requests_since(&server, 0);
    assert!(
        !sent.iter().any(|r| r.contains("/conversations/339461/")),
        "{sent:?}"
    );
}

#[test]
fn check_names_the_broken_fixture_and_what_broke() {
    let root = copy_fixtures("broken");
    let sound = check(&root);
    assert_eq!(sound, check(&repository_fixtures()));

    let edit = |file: &str, from: &str, to: &str| {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has no {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "conversations/detail-documented/response.json",
        "\"id\": 790087",
        "\"id\": \"790087\"",
    );
    edit(
        "conversations/list-open/scenario.json",
        "\"/api/public/conversations/\"",
        "\"/api/public/chats/\"",
    );
    // The args no longer say what the stored body says.
    edit(
        "tags/create-hand-written/scenario.json",
        "\"name\": \"vip\"\n  },\n  \"request\"",
        "\"name\": \"VIP\"\n  },\n  \"request\"",
    );
    edit(
        "tags/update-hand-written/scenario.json",
        "\"id\": 1442",
        "\"id\": \"1442\"",
    );
    edit("tags/error-404/scenario.json", "tags.update", "tags.rename");
    edit(
        "tags/recorded-users/scenario.json",
        "tags.users",
        "tags.members",
    );
    edit(
        "tags/recorded-companies/scenario.json",
        "tags/recorded-list",
        "tags/recorded-nothing",
    );

    let problems: Vec<String> = check(&root)
        .into_iter()
        .filter(|problem| !sound.contains(problem))
        .collect();
    let expected_starts = [
        "conversations/detail-documented: the response does not parse: ",
        "conversations/list-open: path: stored /api/public/chats/ built /api/public/conversations/",
        "tags/create-hand-written: body: stored {\"name\":\"vip\"} built {\"name\":\"VIP\"}",
        "tags/create-hand-written: the args (less the path parameters) and the stored body \
         disagree at `name`: the args have \"VIP\", the body has \"vip\"",
        "tags/error-404: the operation \"tags.rename\" is not in the registry",
        "tags/recorded-users: record plan: the operation \"tags.members\" is not in the registry",
        "tags/update-hand-written: the args do not build: ",
        "tags/recorded-companies: record plan: takes a value from tags/recorded-nothing, which \
         is not a recorded scenario",
    ];
    assert_eq!(problems.len(), expected_starts.len(), "{problems:#?}");
    for (problem, start) in problems.iter().zip(expected_starts) {
        assert!(problem.starts_with(start), "{problem}\n  expected {start}");
    }
    assert!(
        problems[0].contains("results.messages[0].id"),
        "{}",
        problems[0]
    );
    assert!(
        problems[6].contains("tags.update") && problems[6].contains("id"),
        "{}",
        problems[6]
    );
}
