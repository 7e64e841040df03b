//! The built `usercom` binary against usercom-fake: every command, format and exit code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use usercom_core::Api;
use usercom_fake::{FakeOptions, FakeServer, Fault, FaultPlan};

fn fake(plan: FaultPlan) -> FakeServer {
    FakeServer::start(FakeOptions::default().conversations(250).faults(plan)).unwrap()
}

/// `usercom` pointed at `server`, with its key in the environment and nothing else inherited
/// that could change the outcome.
fn usercom(server: &FakeServer) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usercom"));
    command
        .env_remove("USERCOM_SUBDOMAIN")
        .env_remove("USERCOM_BASE_URL")
        .env("USERCOM_API_KEY", server.api_key())
        .args(["--base-url", server.base_url()]);
    command
}

fn run(command: &mut Command, args: &[&str]) -> Output {
    command.args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Each command exits 2 naming what was wrong, and nothing reaches the server.
fn assert_usage_errors(server: &FakeServer, cases: &[(&[&str], &str)]) {
    for (args, expected) in cases {
        let output = run(&mut usercom(server), args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert!(
        server.requests().is_empty(),
        "nothing may be sent for invalid input"
    );
}

#[test]
fn list_pages_filters_and_limits() {
    let server = fake(FaultPlan::default());
    // Not a terminal: jsonl by default, one page by default, nothing on stderr.
    let one_page = run(&mut usercom(&server), &["conversations", "list"]);
    assert!(one_page.status.success(), "{}", stderr(&one_page));
    assert_eq!(json_lines(&one_page).len(), 100);
    assert_eq!(stderr(&one_page), "");

    let all = run(&mut usercom(&server), &["conversations", "list", "--all"]);
    let ids: Vec<i64> = json_lines(&all)
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 250);
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
    assert_eq!(stderr(&all), "", "progress only on a terminal");

    let open = run(
        &mut usercom(&server),
        &["conversations", "list", "--all", "--open"],
    );
    let open = json_lines(&open);
    assert!(!open.is_empty() && open.len() < 250);
    assert!(open.iter().all(|c| c["active"] == true));

    let user = ids_user(&json_lines(&all)[0]);
    let theirs = run(
        &mut usercom(&server),
        &[
            "conversations",
            "list",
            "--all",
            "--user",
            &user.to_string(),
        ],
    );
    assert!(json_lines(&theirs).iter().all(|c| c["user"]["id"] == user));

    let limited = run(
        &mut usercom(&server),
        &["conversations", "list", "--limit", "120"],
    );
    assert_eq!(json_lines(&limited).len(), 120);
    let pages = server
        .requests()
        .iter()
        .filter(|r| r.query.as_deref() == Some("page=3"))
        .count();
    assert_eq!(
        pages, 1,
        "--limit 120 must not fetch the third page; only --all did"
    );
}

fn ids_user(conversation: &Value) -> i64 {
    conversation["user"]["id"].as_i64().unwrap()
}

#[test]
fn formats_of_a_listing() {
    let server = fake(FaultPlan::default());
    let table = run(
        &mut usercom(&server),
        &["conversations", "list", "--limit", "6", "--format", "table"],
    );
    insta::assert_snapshot!("list_table", stdout(&table));
    let csv = run(
        &mut usercom(&server),
        &["conversations", "list", "--limit", "6", "--format", "csv"],
    );
    insta::assert_snapshot!("list_csv", stdout(&csv));
    let json = run(
        &mut usercom(&server),
        &["conversations", "list", "--limit", "6", "--format", "json"],
    );
    let array: Vec<Value> = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(array.len(), 6);
    assert_eq!(
        array,
        json_lines(&run(
            &mut usercom(&server),
            &["conversations", "list", "--limit", "6"]
        ))
    );
    let none = run(
        &mut usercom(&server),
        &[
            "conversations",
            "list",
            "--user",
            "20000999",
            "--format",
            "json",
        ],
    );
    assert_eq!(none.status.code(), Some(3), "an unknown user is a 404");
}

#[test]
fn get_as_transcript_csv_and_json() {
    let server = fake(FaultPlan::default());
    // 700003: inline HTML and non-ASCII text, from the user and the agent; 700214: a
    // paragraph with a line break and entities, from a user whose name is their email.
    for id in ["700003", "700214"] {
        let table = run(
            &mut usercom(&server),
            &["conversations", "get", id, "--format", "table"],
        );
        assert!(table.status.success());
        insta::assert_snapshot!(format!("get_{id}_table"), stdout(&table));
        let csv = run(
            &mut usercom(&server),
            &["conversations", "get", id, "--format", "csv"],
        );
        insta::assert_snapshot!(format!("get_{id}_csv"), stdout(&csv));
    }
    let json = run(
        &mut usercom(&server),
        &["conversations", "get", "700003", "--format", "json"],
    );
    let detail: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(detail["id"], 700003);
    // What the server sent inside its `results` envelope, HTML and all.
    let sent = run(
        &mut usercom(&server),
        &["api", "GET", "conversations/700003/"],
    );
    let sent: Value = serde_json::from_str(&stdout(&sent)).unwrap();
    assert_eq!(detail, sent["results"]);
}

#[test]
fn create_prints_the_new_conversation() {
    let server = fake(FaultPlan::default());
    let output = run(
        &mut usercom(&server),
        &[
            "conversations",
            "create",
            "--user",
            "20000001",
            "--content",
            "Hi <b>there</b>",
            "--agent",
            "382",
            "--source",
            "email",
            "--context",
            r#"{"ticket": 17}"#,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let created = &json_lines(&output)[0];
    assert_eq!(
        (created["user"]["id"].as_i64(), created["messages"].as_i64()),
        (Some(20_000_001), Some(1))
    );
    let request = server.requests().pop().unwrap();
    let body: Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"content": "Hi <b>there</b>", "user": 382, "source": 2, "source_context": {"ticket": 17}})
    );
}

#[test]
fn usage_errors_exit_2_and_name_the_bad_value() {
    let server = fake(FaultPlan::default());
    let cases: &[(&[&str], &str)] = &[
        (&["conversations", "get", "abc"], "'abc'"),
        (&["conversations", "list", "--user", "x1"], "'x1'"),
        (
            &[
                "conversations",
                "create",
                "--user",
                "1",
                "--content",
                "hi",
                "--context",
                "{bad",
            ],
            "not valid JSON",
        ),
        (
            &[
                "conversations",
                "create",
                "--user",
                "1",
                "--content",
                "hi",
                "--source",
                "fax",
            ],
            "\"fax\" is not a message source",
        ),
        (
            &["conversations", "create", "--user", "1", "--content", "  "],
            "content is empty",
        ),
        (
            &["conversations", "list", "--all", "--limit", "5"],
            "cannot be used with",
        ),
        (&["conversations", "list", "--format", "xml"], "'xml'"),
    ];
    assert_usage_errors(&server, cases);

    let no_key = Command::new(env!("CARGO_BIN_EXE_usercom"))
        .env_remove("USERCOM_API_KEY")
        .args(["--base-url", server.base_url(), "conversations", "list"])
        .output()
        .unwrap();
    assert_eq!(no_key.status.code(), Some(2));
    assert!(
        stderr(&no_key).contains("USERCOM_API_KEY"),
        "{}",
        stderr(&no_key)
    );
    assert!(
        stderr(&no_key).contains("/api/credentials/"),
        "{}",
        stderr(&no_key)
    );

    let demo_and_url = run(&mut usercom(&server), &["--demo", "conversations", "list"]);
    assert_eq!(demo_and_url.status.code(), Some(2));
}

#[test]
fn api_errors_exit_3_with_status_and_detail_and_never_the_key() {
    let server = fake(FaultPlan::default());
    let missing = run(&mut usercom(&server), &["conversations", "get", "1"]);
    assert_eq!(missing.status.code(), Some(3));
    assert_eq!(
        stderr(&missing),
        "usercom: conversation 1 not found (User.com API error: HTTP 404 Not Found: Not found.)\n"
    );
    assert_eq!(stdout(&missing), "");

    let key_file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wrong-key");
    let wrong_key = "wrongkeywrongkeywrongkeywrongkeywrongkeywrongkeywrongkeywrongkey";
    std::fs::write(&key_file, format!("{wrong_key}\n")).unwrap();
    let unauthorized = run(
        &mut usercom(&server),
        &[
            "--api-key-file",
            key_file.to_str().unwrap(),
            "-v",
            "conversations",
            "list",
        ],
    );
    assert_eq!(unauthorized.status.code(), Some(3));
    let text = stderr(&unauthorized);
    assert!(
        text.contains("HTTP 401 Unauthorized: Invalid token."),
        "{text}"
    );
    assert!(
        !text.contains(wrong_key) && !text.contains(server.api_key()),
        "{text}"
    );
}

#[test]
fn server_and_network_errors_exit_4_after_retries() {
    let server = fake(FaultPlan::default().every("conversations/", Fault::html(503)));
    let output = run(
        &mut usercom(&server),
        &["--max-attempts", "2", "conversations", "list"],
    );
    assert_eq!(output.status.code(), Some(4));
    assert!(
        stderr(&output).contains("HTTP 503 Service Unavailable"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("after 2 attempts"),
        "{}",
        stderr(&output)
    );
    assert_eq!(server.requests().len(), 2);

    let closed = Command::new(env!("CARGO_BIN_EXE_usercom"))
        .env("USERCOM_API_KEY", "key")
        .args([
            "--base-url",
            "http://127.0.0.1:9/",
            "--max-attempts",
            "1",
            "conversations",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(closed.status.code(), Some(4));
    assert!(
        stderr(&closed).contains("could not connect"),
        "{}",
        stderr(&closed)
    );
}

#[test]
fn verbose_logs_each_request_without_the_key() {
    let server = fake(FaultPlan::default());
    let output = run(
        &mut usercom(&server),
        &["-v", "conversations", "list", "--limit", "150"],
    );
    assert!(output.status.success());
    let log = stderr(&output);
    let requests: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("usercom request"))
        .collect();
    assert_eq!(requests.len(), 2, "{log}");
    assert!(
        requests[1].contains("GET")
            && requests[1].contains("page=2")
            && requests[1].contains("status=200"),
        "{log}"
    );
    assert!(requests[1].contains("elapsed_ms"), "{log}");
    assert!(!log.contains(server.api_key()), "{log}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let server = fake(FaultPlan::default());
    let mut child = usercom(&server)
        .args(["conversations", "list", "--all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.contains("\"id\""));
    drop(reader);
    let status = child.wait().unwrap();
    let mut errors = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut errors)
        .unwrap();
    assert!(status.success(), "{status:?} {errors}");
    assert_eq!(errors, "");
}

#[test]
fn ctrl_c_exits_130_between_whole_lines() {
    // The second page stalls, so the program is waiting when it is interrupted.
    let plan = FaultPlan::default().on(
        "conversations/",
        2,
        Fault::DelayBeforeHeaders(Duration::from_secs(20)),
    );
    let server = fake(plan);
    let mut child = usercom(&server)
        .args(["conversations", "list", "--all"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..100 {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        lines.push(line);
    }
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status = child.wait().unwrap();
    let mut rest = String::new();
    reader.read_to_string(&mut rest).unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(rest, "", "nothing after the interruption");
    assert!(
        lines
            .iter()
            .all(|l| l.ends_with('\n') && serde_json::from_str::<Value>(l).is_ok())
    );
}

#[test]
fn demo_help_and_version() {
    let demo = Command::new(env!("CARGO_BIN_EXE_usercom"))
        .env_remove("USERCOM_API_KEY")
        .args(["--demo", "conversations", "list", "--all"])
        .output()
        .unwrap();
    assert!(demo.status.success());
    // The seeded 250, and the documentation's examples (339461 and 3 to 6).
    assert_eq!(json_lines(&demo).len(), 255);

    let help = Command::new(env!("CARGO_BIN_EXE_usercom"))
        .arg("--help")
        .output()
        .unwrap();
    let help = stdout(&help);
    for example in [
        "conversations list",
        "conversations get",
        "conversations create",
        "Exit codes",
    ] {
        assert!(help.contains(example), "{example} missing from --help");
    }
    for command in ["list", "get", "create"] {
        let sub = Command::new(env!("CARGO_BIN_EXE_usercom"))
            .args(["conversations", command, "--help"])
            .output()
            .unwrap();
        assert!(
            stdout(&sub).contains("Example"),
            "{command} --help has no example"
        );
    }
    let version = Command::new(env!("CARGO_BIN_EXE_usercom"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&version),
        format!("usercom {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// Every conversation of the demo account through `usercom api`, as many as its first
/// page's `count` says, each line the object the server sent.
#[test]
fn api_walks_a_listing_with_all() {
    let demo = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_usercom"))
            .env_remove("USERCOM_API_KEY")
            .arg("--demo")
            .args(args)
            .output()
            .unwrap()
    };
    let first = demo(&["api", "GET", "conversations/"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(
        stdout(&first).lines().count(),
        1,
        "compact JSON off a terminal"
    );
    let page: Value = serde_json::from_str(&stdout(&first)).unwrap();
    let count = page["count"].as_u64().unwrap();
    let all = demo(&["api", "GET", "conversations/", "--all"]);
    assert!(all.status.success(), "{}", stderr(&all));
    assert_eq!(json_lines(&all).len() as u64, count);
    assert!(count > page["results"].as_array().unwrap().len() as u64);

    // Against a server of our own: the same lines as the conversations command.
    let server = fake(FaultPlan::default());
    let through_api = run(
        &mut usercom(&server),
        &["api", "GET", "/api/public/conversations/", "--all"],
    );
    let through_list = run(&mut usercom(&server), &["conversations", "list", "--all"]);
    assert!(through_api.status.success(), "{}", stderr(&through_api));
    assert_eq!(stdout(&through_api), stdout(&through_list));
}

#[test]
fn api_sends_any_request_and_prints_the_body() {
    let server = fake(FaultPlan::default());
    let open = run(
        &mut usercom(&server),
        &[
            "api",
            "get",
            "conversations/?status=true",
            "--query",
            "page=1",
        ],
    );
    assert!(open.status.success(), "{}", stderr(&open));
    let request = server.requests().pop().unwrap();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/api/public/conversations/")
    );
    assert_eq!(request.query.as_deref(), Some("status=true&page=1"));
    let page: Value = serde_json::from_str(&stdout(&open)).unwrap();
    assert!(
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["active"] == true)
    );
    assert!(request.authorized);
    assert_eq!(request.accept.as_deref(), Some("*/*; version=2"));

    let created = run(
        &mut usercom(&server),
        &[
            "api",
            "POST",
            "users/20000001/conversations/",
            "--data",
            r#"{"content": "Hi", "source": 3}"#,
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let body: Value = serde_json::from_str(&stdout(&created)).unwrap();
    assert_eq!(body["user"]["id"], 20_000_001);
    let request = server.requests().pop().unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.body, r#"{"content": "Hi", "source": 3}"#,
        "sent as given"
    );

    let missing = run(&mut usercom(&server), &["api", "GET", "conversations/1/"]);
    assert_eq!(missing.status.code(), Some(3));
    assert_eq!(
        stderr(&missing),
        "usercom: conversation 1 not found (User.com API error: HTTP 404 Not Found: Not found.)\n"
    );
    assert_eq!(stdout(&missing), "");
}

/// The tags group reaches the command line from its registration alone.
#[test]
fn tags_through_the_generic_commands() {
    let server = FakeServer::start(FakeOptions::default().page_size(5)).unwrap();
    let listed = run(
        &mut usercom(&server),
        &["tags", "list", "--all", "--format", "jsonl"],
    );
    assert!(listed.status.success(), "{}", stderr(&listed));
    // What the fake sent, item by item, as the SDK reads it without decoding.
    let client = usercom_ureq::Client::new(server.config().unwrap());
    let sent: Vec<String> = client
        .paginate(usercom_core::RawItems(usercom_core::tags::ListTags::new()))
        .map(|item| item.unwrap().get().to_owned())
        .collect();
    assert!(!sent.is_empty(), "the fake has tags");
    assert_eq!(stdout(&listed).lines().collect::<Vec<_>>(), sent);

    let created = run(&mut usercom(&server), &["tags", "create", "--name", "vip"]);
    assert!(created.status.success(), "{}", stderr(&created));
    let tag = &json_lines(&created)[0];
    assert_eq!(tag["name"], "vip");
    let tag_id = tag["id"].as_i64().unwrap();
    let id = tag_id.to_string();
    let request = server.requests().pop().unwrap();
    assert_eq!(
        (request.method.as_str(), request.body.as_str()),
        ("POST", r#"{"name":"vip"}"#)
    );

    let renamed = run(
        &mut usercom(&server),
        &[
            "tags",
            "update",
            &id,
            "--data",
            r#"{"name": "old"}"#,
            "--name",
            "gold",
        ],
    );
    assert!(renamed.status.success(), "{}", stderr(&renamed));
    assert_eq!(
        json_lines(&renamed)[0]["name"],
        "gold",
        "flags override --data"
    );
    let request = server.requests().pop().unwrap();
    assert_eq!(request.method, "PUT");
    assert_eq!(request.path, format!("/api/public/tags/{id}/"));
    assert_eq!(request.body, r#"{"name":"gold"}"#);

    let table = run(
        &mut usercom(&server),
        &["tags", "list", "--all", "--format", "csv"],
    );
    assert_eq!(stdout(&table).lines().next(), Some("id,name"));
    assert!(
        stdout(&table).contains(&format!("\n{id},gold\n")),
        "{}",
        stdout(&table)
    );

    let deleted = run(&mut usercom(&server), &["tags", "delete", &id]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    assert_eq!(stdout(&deleted), "");
    assert_eq!(server.requests().pop().unwrap().method, "DELETE");
    let after = run(&mut usercom(&server), &["tags", "list", "--all"]);
    assert!(
        json_lines(&after).iter().all(|tag| tag["id"] != tag_id),
        "{id} is gone"
    );
    let again = run(&mut usercom(&server), &["tags", "delete", &id]);
    assert_eq!(again.status.code(), Some(3), "{}", stderr(&again));
}

#[test]
fn bad_arguments_of_generic_commands_exit_2_and_name_them() {
    let server = fake(FaultPlan::default());
    let cases: &[(&[&str], &str)] = &[
        (&["tags", "update", "abc", "--name", "x"], "'abc'"),
        (&["tags", "update", "5"], "--name"),
        (
            &["tags", "create", "--data", r#"{"nme": "x"}"#],
            "needs --name",
        ),
        (
            &["tags", "create", "--name", "x", "--data", r#"{"nme": 1}"#],
            "`nme`",
        ),
        (&["tags", "create", "--data", "[1]"], "not a JSON object"),
        (&["tags", "create", "--data", "{x"], "not valid JSON"),
        (
            &["tags", "create", "--data", "@/nonexistent/args.json"],
            "/nonexistent/args.json",
        ),
        (&["tags", "create", "--name", " "], "tag name is empty"),
        (
            &["tags", "list", "--all", "--limit", "2"],
            "cannot be used with",
        ),
        (&["tags", "users"], "<ID>"),
        (&["tags", "list", "--format", "table", "--bogus"], "--bogus"),
        (&["api", "FETCH", "tags/"], "'FETCH'"),
        (&["api", "GET", "tags/", "--query", "novalue"], "KEY=VALUE"),
        (&["api", "POST", "tags/", "--all"], "use them with GET"),
        (&["api", "POST", "tags/", "--data", "{x"], "not valid JSON"),
        (&["api", "GET", "tags//x/"], "path segment"),
    ];
    assert_usage_errors(&server, cases);
}

#[test]
fn generic_help_shows_the_operation_and_its_group() {
    let help = Command::new(env!("CARGO_BIN_EXE_usercom"))
        .args(["tags", "update", "--help"])
        .output()
        .unwrap();
    let help = stdout(&help);
    for expected in [
        "Rename a tag.",
        "Tags: list, create, rename and delete them",
        "Request: PUT tags/{id}/",
        "<ID>",
        "--name <TEXT>",
        "The new name.",
        "--data <JSON|@FILE|->",
    ] {
        assert!(help.contains(expected), "{expected} missing from {help}");
    }
}

/// The first page of `server`'s conversations, as JSON lines.
fn first_page() -> Vec<Value> {
    let server = fake(FaultPlan::default());
    json_lines(&run(&mut usercom(&server), &["conversations", "list"]))
}

#[test]
fn a_listing_that_stops_early_prints_what_came_then_warns() {
    let page_one = first_page();
    assert_eq!(page_one.len(), 100);
    let not_found = || fake(FaultPlan::default().on("conversations/", 2, Fault::status(404)));

    let server = not_found();
    let lines = run(&mut usercom(&server), &["conversations", "list", "--all"]);
    assert_eq!(lines.status.code(), Some(3), "{}", stderr(&lines));
    assert_eq!(json_lines(&lines), page_one);
    let warning = stderr(&lines);
    assert!(
        warning.starts_with("usercom: warning: 100 items printed, then: the listing stopped early")
            && warning.contains("page=2")
            && warning.contains("404"),
        "{warning}"
    );

    let server = not_found();
    let json = run(
        &mut usercom(&server),
        &["conversations", "list", "--all", "--format", "json"],
    );
    assert_eq!(json.status.code(), Some(3));
    let array: Vec<Value> = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(array, page_one);

    let server = not_found();
    let table = run(
        &mut usercom(&server),
        &["conversations", "list", "--limit", "150", "--format", "csv"],
    );
    assert_eq!(table.status.code(), Some(3));
    assert_eq!(stdout(&table).lines().count(), 101, "header and page 1");

    // A server error part-way is exit 4, after the same output.
    let server = fake(FaultPlan::default().on("conversations/", 2, Fault::html(502)));
    let failed = run(
        &mut usercom(&server),
        &[
            "--max-attempts",
            "1",
            "api",
            "GET",
            "conversations/",
            "--all",
        ],
    );
    assert_eq!(failed.status.code(), Some(4));
    assert_eq!(json_lines(&failed), page_one);
    assert!(stderr(&failed).contains("HTTP 502"), "{}", stderr(&failed));
}

#[test]
fn concurrent_paging_prints_what_sequential_paging_prints() {
    let server = fake(FaultPlan::default());
    let args = ["conversations", "list", "--all", "--format", "jsonl"];
    let sequential = run(&mut usercom(&server), &args);
    assert!(sequential.status.success(), "{}", stderr(&sequential));
    let before = server.requests().len();
    let concurrent = run(
        &mut usercom(&server),
        &[&args[..], &["--concurrency", "4"]].concat(),
    );
    assert!(concurrent.status.success(), "{}", stderr(&concurrent));
    assert_eq!(stdout(&concurrent), stdout(&sequential));
    assert_eq!(stdout(&concurrent).lines().count(), 250);
    // Three pages of 100, each asked for once.
    let mut pages: Vec<Option<String>> = server.requests()[before..]
        .iter()
        .map(|r| r.query.clone())
        .collect();
    pages.sort();
    assert_eq!(pages, [None, Some("page=2".into()), Some("page=3".into())]);

    let zero = run(
        &mut usercom(&server),
        &[&args[..], &["--concurrency", "0"]].concat(),
    );
    assert_eq!(zero.status.code(), Some(2), "{}", stderr(&zero));
}

/// The users command lines of the issue, as written (with the fake's ids for `42`).
#[test]
fn users_commands_of_the_issue_work_as_written() {
    let server = fake(FaultPlan::default());
    // `usercom users list --all --format jsonl`: one line per user, as the server sent it.
    let listed = run(
        &mut usercom(&server),
        &["users", "list", "--all", "--format", "jsonl"],
    );
    assert!(listed.status.success(), "{}", stderr(&listed));
    let through_api = run(
        &mut usercom(&server),
        &["api", "GET", "users/", "--all", "--format", "jsonl"],
    );
    assert_eq!(stdout(&listed), stdout(&through_api));
    let users = json_lines(&listed);
    assert!(users.len() > 3);

    // `usercom users get 42 --format json`
    let user = &users[1];
    let id = user["id"].as_i64().unwrap().to_string();
    let got = run(
        &mut usercom(&server),
        &["users", "get", &id, "--format", "json"],
    );
    assert!(got.status.success(), "{}", stderr(&got));
    assert_eq!(&serde_json::from_str::<Value>(&stdout(&got)).unwrap(), user);

    // `usercom users upsert --data '{"custom_id": …, "email": "…", "plan": "pro"}'`
    let data = r#"{"custom_id": "user@123", "email": "acct17@example.com", "plan": "pro"}"#;
    let upserted = run(&mut usercom(&server), &["users", "upsert", "--data", data]);
    assert!(upserted.status.success(), "{}", stderr(&upserted));
    let answer = &json_lines(&upserted)[0];
    assert_eq!(answer["created"], true);
    let new_id = answer["id"].as_i64().unwrap().to_string();
    let request = server.requests().pop().unwrap();
    assert_eq!(request.path, "/api/public/users/update_or_create/");
    assert_eq!(
        serde_json::from_str::<Value>(&request.body).unwrap(),
        serde_json::from_str::<Value>(data).unwrap()
    );
    let again = run(&mut usercom(&server), &["users", "upsert", "--data", data]);
    assert_eq!(json_lines(&again)[0]["created"], false);
    assert_eq!(json_lines(&again)[0]["id"].to_string(), new_id);

    // `usercom users get --custom-id 'user@123' --format json`
    let by_custom_id = run(
        &mut usercom(&server),
        &[
            "users",
            "get",
            "--custom-id",
            "user@123",
            "--format",
            "json",
        ],
    );
    assert!(by_custom_id.status.success(), "{}", stderr(&by_custom_id));
    let found: Value = serde_json::from_str(&stdout(&by_custom_id)).unwrap();
    assert_eq!(
        (found["id"].to_string(), &found["plan"]),
        (new_id.clone(), &Value::from("pro"))
    );
    assert_eq!(
        server.requests().pop().unwrap().path,
        "/api/public/users-by-id/user@123/"
    );

    // `usercom users find --email … --format json`, and `--many`, `--key`, `--phone`.
    let email = user["email"].as_str().unwrap();
    let find = |args: &[&str]| {
        let output = run(
            &mut usercom(&server),
            &[&["users", "find"][..], args, &["--format", "json"]].concat(),
        );
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        serde_json::from_str::<Value>(&stdout(&output)).unwrap()
    };
    assert_eq!(find(&["--email", email])["id"], user["id"]);
    let shared = users
        .iter()
        .filter_map(|u| u["email"].as_str())
        .find(|e| users.iter().filter(|u| u["email"] == *e).count() > 1)
        .expect("the fake has users sharing an email");
    let many = find(&["--email", shared, "--many"]);
    let sharing: Vec<&Value> = users.iter().filter(|u| u["email"] == shared).collect();
    assert_eq!(many.as_array().unwrap().len(), sharing.len());
    let key = user["user_key"].as_str().unwrap();
    assert_eq!(find(&["--key", key])["id"], user["id"]);
    let with_phone = users
        .iter()
        .find(|u| u["phone_number"].is_string())
        .expect("the fake has users with a phone number");
    let phone = with_phone["phone_number"].as_str().unwrap();
    assert_eq!(find(&["--phone", phone])["id"], with_phone["id"]);
    assert_eq!(
        server.requests().pop().unwrap().query.unwrap(),
        format!("phone_number={}", phone.replace('+', "%2B"))
    );

    // `usercom users set-attributes 42 --data '{"plan": "pro", "seats": 5}'`
    let set = run(
        &mut usercom(&server),
        &[
            "users",
            "set-attributes",
            &id,
            "--data",
            r#"{"plan": "pro", "seats": 5}"#,
        ],
    );
    assert!(set.status.success(), "{}", stderr(&set));
    let request = server.requests().pop().unwrap();
    assert_eq!(
        (request.path, request.body),
        (
            format!("/api/public/users/{id}/set_multiple_attributes/"),
            r#"{"plan":"pro","seats":5}"#.to_owned()
        )
    );

    // `usercom users tag 42 vip`: the tag's name comes after the id.
    let tagged = run(&mut usercom(&server), &["users", "tag", &id, "vip"]);
    assert!(tagged.status.success(), "{}", stderr(&tagged));
    let request = server.requests().pop().unwrap();
    assert_eq!(
        (request.path, request.body),
        (
            format!("/api/public/users/{id}/add_tag/"),
            r#"{"name":"vip"}"#.to_owned()
        )
    );
    let after = run(
        &mut usercom(&server),
        &["users", "get", &id, "--format", "json"],
    );
    let after: Value = serde_json::from_str(&stdout(&after)).unwrap();
    assert_eq!(
        (&after["plan"], &after["seats"]),
        (&Value::from("pro"), &Value::from(5))
    );
    assert!(
        after["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "vip")
    );
    let by_custom_id = run(
        &mut usercom(&server),
        &["users", "tag", "--custom-id", "user@123", "vip"],
    );
    assert!(by_custom_id.status.success(), "{}", stderr(&by_custom_id));
    assert_eq!(
        server.requests().pop().unwrap().path,
        "/api/public/users-by-id/user@123/add_tag/"
    );

    // `usercom users delete 42`: nothing printed; the user is gone.
    let deleted = run(&mut usercom(&server), &["users", "delete", &new_id]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    assert_eq!(stdout(&deleted), "");
    let gone = run(&mut usercom(&server), &["users", "get", &new_id]);
    assert_eq!(gone.status.code(), Some(3), "{}", stderr(&gone));

    let cases: &[(&[&str], &str)] = &[
        (
            &["users", "tag", "user@123", "vip"],
            "a custom id goes with --custom-id",
        ),
        (
            &["users", "tag", "--custom-id", "a", "vip", "gold"],
            "unexpected argument 'gold'",
        ),
        (
            &["users", "tag", "5", "vip", "--name", "gold"],
            "cannot be used with",
        ),
        (&["users", "tag", "5"], "--name"),
        (
            &["users", "find", "--format", "json"],
            "exactly one of key, email and phone",
        ),
    ];
    let server = fake(FaultPlan::default());
    assert_usage_errors(&server, cases);
}

/// Serves a two-page listing whose `next` link carries the key, the way a hostile or broken
/// server might; answers every other request with the last page.
fn server_echoing_the_key_in_next(key: &'static str) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let root = base.clone();
    let thread = std::thread::spawn(move || {
        for (n, stream) in listener.incoming().take(2).enumerate() {
            let mut stream = stream.unwrap();
            let mut request = [0_u8; 4096];
            let _ = stream.read(&mut request).unwrap();
            let body = if n == 0 {
                format!(
                    r#"{{"count": 2, "next": "{root}api/public/users/?page=2&token={key}", "results": [{{"id": 1}}]}}"#
                )
            } else {
                r#"{"count": 2, "next": null, "results": [{"id": 2}]}"#.to_owned()
            };
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(answer.as_bytes()).unwrap();
        }
    });
    (base, thread)
}

#[test]
fn verbose_logs_never_show_a_key_that_a_next_link_carries() {
    const KEY: &str = "leakleakleakleakleakleakleakleakleakleakleakleakleakleakleakleak";
    let (base, server) = server_echoing_the_key_in_next(KEY);
    let output = Command::new(env!("CARGO_BIN_EXE_usercom"))
        .env_remove("USERCOM_SUBDOMAIN")
        .env_remove("USERCOM_BASE_URL")
        .env("USERCOM_API_KEY", KEY)
        .args([
            "--base-url",
            &base,
            "-v",
            "users",
            "list",
            "--all",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    server.join().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 2);
    assert!(
        stderr(&output).contains("page=2"),
        "the request was logged: {}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains(KEY), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("<redacted>"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn json_output_is_an_empty_array_when_a_listing_fails_before_any_item() {
    let server = fake(FaultPlan::default().every("conversations/", Fault::status(403)));
    for args in [
        &["conversations", "list", "--format", "json"][..],
        &["conversations", "list", "--all", "--format", "json"][..],
    ] {
        let output = run(&mut usercom(&server), args);
        assert_eq!(
            output.status.code(),
            Some(3),
            "{args:?}: {}",
            stderr(&output)
        );
        let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(printed, serde_json::json!([]), "{args:?}");
    }
}
