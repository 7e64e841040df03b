//! `usercom users import` against usercom-fake: bulk upserts, re-runs, malformed rows, CSV
//! typing, the failed rows' file, Ctrl-C and exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use usercom_fake::{FakeOptions, FakeServer, Fault, FaultPlan};

const UPSERT: &str = "/api/public/users/update_or_create/";

fn fake() -> FakeServer {
    FakeServer::start(FakeOptions::default()).unwrap()
}

/// `usercom` pointed at `server`, with its key in the environment.
fn usercom(server: &FakeServer) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usercom"));
    command
        .env_remove("USERCOM_SUBDOMAIN")
        .env_remove("USERCOM_BASE_URL")
        .env("USERCOM_API_KEY", server.api_key())
        .args(["--base-url", server.base_url()]);
    command
}

fn run(server: &FakeServer, args: &[&str]) -> Output {
    usercom(server).args(args).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// The summary `users import` prints on stdout off a terminal.
fn summary_of(output: &Output) -> Value {
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("{e}: {text:?}; stderr: {}", stderr(output)))
}

fn counts(summary: &Value) -> [u64; 4] {
    ["created", "updated", "failed", "malformed"].map(|key| summary[key].as_u64().unwrap())
}

/// A directory of its own for each test, emptied first.
fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("import")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The custom ids of every user of the account, from `usercom users list --all`.
fn custom_ids(server: &FakeServer) -> Vec<String> {
    let listed = run(server, &["users", "list", "--all", "--format", "jsonl"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let user: Value = serde_json::from_str(line).unwrap();
            user["custom_id"].as_str().map(str::to_owned)
        })
        .collect()
}

/// The bodies of the upserts the server received, in order.
fn upserts(server: &FakeServer) -> Vec<Value> {
    server
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == UPSERT)
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect()
}

/// The rows of a failed rows' file.
fn failed_rows(file: &Path) -> Vec<Value> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// `rows` JSON lines of users `{prefix}-{i}` with custom attributes of several types.
fn jsonl(rows: usize, prefix: &str) -> String {
    let mut text = String::new();
    for i in 0..rows {
        let row = json!({
            "custom_id": format!("{prefix}-{i:05}"),
            "email": format!("{prefix}{i}@example.com"),
            "first_name": "Ada",
            "plan": if i % 2 == 0 { "pro" } else { "free" },
            "seats": i % 50,
        });
        writeln!(text, "{row}").unwrap();
    }
    text
}

#[test]
fn ten_thousand_rows_import_once_and_update_on_a_second_run() {
    const ROWS: usize = 10_000;
    let server = fake();
    let dir = temp_dir("ten-thousand");
    let file = dir.join("accounts.jsonl");
    std::fs::write(&file, jsonl(ROWS, "bulk")).unwrap();
    let before = custom_ids(&server).len();

    let started = Instant::now();
    let first = run(
        &server,
        &["--concurrency", "8", "users", "import", path(&file)],
    );
    let first_took = started.elapsed();
    assert!(first.status.success(), "{}", stderr(&first));
    let first = summary_of(&first);
    assert_eq!(counts(&first), [ROWS as u64, 0, 0, 0], "{first}");
    assert_eq!(first["rows"], ROWS);
    assert_eq!(first["failed_file"], Value::Null);
    assert!(
        !dir.join("accounts.jsonl.failed.jsonl").exists(),
        "no failed rows' file when nothing failed"
    );

    let listed = custom_ids(&server);
    let bulk: Vec<&String> = listed.iter().filter(|id| id.starts_with("bulk-")).collect();
    let unique: BTreeSet<&String> = bulk.iter().copied().collect();
    let expected: BTreeSet<String> = (0..ROWS).map(|i| format!("bulk-{i:05}")).collect();
    assert_eq!(bulk.len(), ROWS, "exactly one user per row");
    assert!(unique.iter().all(|id| expected.contains(*id)));
    assert_eq!(unique.len(), ROWS);
    assert_eq!(listed.len(), before + ROWS);

    let before_second = server.requests_seen();
    let started = Instant::now();
    let second = run(
        &server,
        &["--concurrency", "8", "users", "import", path(&file)],
    );
    let second_took = started.elapsed();
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(counts(&summary_of(&second)), [0, ROWS as u64, 0, 0]);
    assert_eq!(
        server.requests_seen() - before_second,
        ROWS as u64,
        "one request per row"
    );
    assert_eq!(custom_ids(&server).len(), before + ROWS, "nothing new");
    assert!(
        stderr(&second).contains(&format!(
            "{ROWS} rows: 0 created, {ROWS} updated, 0 not imported"
        )),
        "{}",
        stderr(&second)
    );
    // Measured for the record: the whole import against the in-process fake.
    eprintln!("10,000 rows at --concurrency 8: {first_took:?} created, {second_took:?} updated");
}

#[test]
fn malformed_rows_are_reported_by_line_and_the_rest_are_imported() {
    let server = fake();
    let dir = temp_dir("malformed");
    let file = dir.join("accounts.jsonl");
    let mut lines: Vec<String> = jsonl(20, "mal").lines().map(str::to_owned).collect();
    lines[3] = r#"{"custom_id": "mal-00003", "plan": "pro""#.to_owned(); // line 4: cut short
    lines[8] = r#"{"email": "nobody@example.com"}"#.to_owned(); // line 9: no custom_id
    lines[14] = r#"["mal-00014"]"#.to_owned(); // line 15: not an object
    lines.insert(10, String::new()); // a blank line is not a row: the rest move down a line
    std::fs::write(&file, lines.join("\n")).unwrap();

    let output = run(&server, &["users", "import", path(&file)]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let summary = summary_of(&output);
    assert_eq!(counts(&summary), [17, 0, 0, 3], "{summary}");
    let errors = stderr(&output);
    for expected in [
        "line 4: not valid JSON",
        "line 9: no custom_id",
        "line 16: not a JSON object but an array",
    ] {
        assert!(
            errors.contains(expected),
            "{expected} missing from {errors}"
        );
    }
    let failed = dir.join("accounts.jsonl.failed.jsonl");
    assert_eq!(summary["failed_file"], path(&failed));
    assert!(errors.contains(&format!("usercom users import {}", path(&failed))));
    let rows = failed_rows(&failed);
    let lines: BTreeSet<u64> = rows
        .iter()
        .map(|row| row["_import"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, BTreeSet::from([4, 9, 16]));
    assert_eq!(upserts(&server).len(), 17, "a malformed row is never sent");
    let imported = custom_ids(&server);
    for i in (0..20).filter(|i| ![3, 8, 14].contains(i)) {
        assert!(imported.contains(&format!("mal-{i:05}")), "mal-{i:05}");
    }
    assert!(!imported.contains(&"mal-00003".to_owned()));
}

#[test]
fn csv_columns_reach_the_server_with_their_json_types() {
    let server = fake();
    let dir = temp_dir("csv-types");
    let file = dir.join("accounts.csv");
    std::fs::write(
        &file,
        "custom_id,email,first_name,score,gender,tags,plan,seats,newsletter,lifetime_value,preferences,renewal_date,trial_ends_at\n\
         csv-1,ada@example.com,Ada,10,female,vip;beta,pro,5,yes,12.5,\"{\"\"theme\"\": \"\"dark\"\"}\",2025-01-31,2025-02-01T09:30:00Z\n\
         csv-2,,,,,,,,,,,,\n",
    )
    .unwrap();
    let output = run(
        &server,
        &[
            "users",
            "import",
            path(&file),
            "--types",
            "seats=int,newsletter=bool,lifetime_value=float",
            "--types",
            "preferences=json,renewal_date=date,trial_ends_at=datetime",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(counts(&summary_of(&output)), [2, 0, 0, 0]);
    let mut bodies = upserts(&server);
    bodies.sort_by_key(|body| body["custom_id"].as_str().unwrap().to_owned());
    assert_eq!(
        bodies,
        [
            json!({
                "custom_id": "csv-1",
                "email": "ada@example.com",
                "first_name": "Ada",
                "score": 10,
                "gender": 3,
                "tags": ["vip", "beta"],
                "plan": "pro",
                "seats": 5,
                "newsletter": true,
                "lifetime_value": 12.5,
                "preferences": {"theme": "dark"},
                "renewal_date": "2025-01-31",
                "trial_ends_at": "2025-02-01T09:30:00Z",
            }),
            json!({"custom_id": "csv-2"}),
        ],
        "standard fields typed by the operation, custom attributes by --types, empty cells not sent"
    );
    let stored = run(
        &server,
        &["users", "get", "--custom-id", "csv-1", "--format", "json"],
    );
    let stored: Value = serde_json::from_slice(&stored.stdout).unwrap();
    assert_eq!(
        (
            &stored["seats"],
            &stored["newsletter"],
            &stored["preferences"]
        ),
        (&json!(5), &json!(true), &json!({"theme": "dark"}))
    );

    // From standard input, with empty cells sent as null.
    let mut child = usercom(&server)
        .args([
            "users",
            "import",
            "-",
            "--input-format",
            "csv",
            "--empty",
            "null",
        ])
        .args(["--types", "seats=int"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"custom_id,plan,seats\ncsv-1,2024,\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(counts(&summary_of(&output)), [0, 1, 0, 0]);
    assert_eq!(
        upserts(&server).pop().unwrap(),
        json!({"custom_id": "csv-1", "plan": "2024", "seats": null}),
        "a custom attribute without --types is text"
    );
    assert!(!dir.join("stdin.failed.jsonl").exists());
}

#[test]
fn csv_cells_of_the_wrong_type_are_reported_and_the_header_is_checked_first() {
    let server = fake();
    let dir = temp_dir("csv-bad");
    let file = dir.join("accounts.csv");
    std::fs::write(
        &file,
        "custom_id,seats,newsletter\nok-1,3,no\nbad-1,three,no\nok-2,4\n,5,yes\nok-3,5,maybe\nok-4,6,1\n",
    )
    .unwrap();
    let output = run(
        &server,
        &[
            "users",
            "import",
            path(&file),
            "--types",
            "seats=int,newsletter=bool",
        ],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(counts(&summary_of(&output)), [2, 0, 0, 4]);
    let errors = stderr(&output);
    for expected in [
        "line 3: seats: \"three\" is not an integer",
        "line 4: 2 cells where the header has 3",
        "line 5: custom_id is empty",
        "line 6: newsletter: \"maybe\" is not a boolean",
    ] {
        assert!(
            errors.contains(expected),
            "{expected} missing from {errors}"
        );
    }

    // Nothing is sent when the header or the flags cannot work.
    let before = server.requests_seen();
    for (header, args, expected) in [
        ("email,plan\n", &[][..], "no custom_id column"),
        ("custom_id,user_key\n", &[], "\"user_key\""),
        (
            "custom_id,plan,plan\n",
            &[],
            "two columns are called \"plan\"",
        ),
        (
            "custom_id,plan\n",
            &["--types", "seats=int"],
            "no column \"seats\"",
        ),
        (
            "custom_id,plan\n",
            &["--types", "plan=decimal"],
            "unknown type \"decimal\"",
        ),
    ] {
        std::fs::write(&file, format!("{header}x,y\n")).unwrap();
        let output = run(
            &server,
            &[&["users", "import", path(&file)][..], args].concat(),
        );
        assert_eq!(
            output.status.code(),
            Some(2),
            "{header}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{expected}: {}",
            stderr(&output)
        );
    }
    let jsonl = dir.join("accounts.jsonl");
    std::fs::write(&jsonl, "{\"custom_id\": \"x\"}\n").unwrap();
    let output = run(
        &server,
        &["users", "import", path(&jsonl), "--types", "seats=int"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--types and --empty are for CSV input"));
    let output = run(
        &server,
        &["users", "import", path(&dir.join("missing.csv"))],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("missing.csv"),
        "{}",
        stderr(&output)
    );
    assert_eq!(server.requests_seen(), before, "nothing sent");
}

#[test]
fn the_failed_rows_file_can_be_fixed_and_imported_again() {
    let server = fake();
    let dir = temp_dir("failed-again");
    let file = dir.join("accounts.csv");
    std::fs::write(
        &file,
        "custom_id,email,seats,nosuchattribute\n\
         again-1,a1@example.com,1,\n\
         again-2,a2@example.com,2,oops\n\
         again-3,a3@example.com,three,\n\
         again-4,not-an-email,4,\n",
    )
    .unwrap();
    let output = run(
        &server,
        &["users", "import", path(&file), "--types", "seats=int"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(counts(&summary_of(&output)), [1, 0, 2, 1]);
    let failed = dir.join("accounts.csv.failed.jsonl");
    let mut rows = failed_rows(&failed);
    rows.sort_by_key(|row| row["_import"]["line"].as_u64());
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["_import"]["line"], 3);
    assert_eq!(rows[0]["_import"]["status"], 400);
    assert_eq!(
        rows[0]["_import"]["fields"],
        json!({"nosuchattribute": ["There is no user attribute with this name."]})
    );
    assert_eq!(rows[0]["nosuchattribute"], "oops", "the row as it was sent");
    assert_eq!(rows[1]["_import"]["line"], 4);
    assert_eq!(
        rows[1]["seats"], "three",
        "a cell that could not be typed stays text"
    );
    assert_eq!(
        rows[2]["_import"]["fields"]["email"][0],
        "Enter a valid email address."
    );

    // As it is, the file fails the same way (its notes are not sent).
    let again = run(&server, &["users", "import", path(&failed)]);
    assert_eq!(again.status.code(), Some(3));
    assert_eq!(counts(&summary_of(&again)), [0, 0, 3, 0]);
    assert!(
        upserts(&server)
            .iter()
            .all(|body| body.get("_import").is_none())
    );

    // Fixed, it imports: a fixed copy, as someone would edit it.
    let fixed = dir.join("fixed.jsonl");
    let mut text = String::new();
    for mut row in rows {
        let fields = row.as_object_mut().unwrap();
        fields.remove("nosuchattribute");
        if fields["seats"] == "three" {
            fields.insert("seats".into(), json!(3));
        }
        if fields["email"] == "not-an-email" {
            fields.insert("email".into(), json!("a4@example.com"));
        }
        writeln!(text, "{row}").unwrap();
    }
    std::fs::write(&fixed, text).unwrap();
    let fixed_run = run(&server, &["users", "import", path(&fixed)]);
    assert!(fixed_run.status.success(), "{}", stderr(&fixed_run));
    assert_eq!(counts(&summary_of(&fixed_run)), [3, 0, 0, 0]);
    let imported = custom_ids(&server);
    for id in ["again-1", "again-2", "again-3", "again-4"] {
        assert_eq!(imported.iter().filter(|i| *i == id).count(), 1, "{id}");
    }
}

fn interrupt(pid: u32) {
    let sent = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Waits until the server has answered `count` upserts.
fn wait_for_upserts(server: &FakeServer, count: usize) {
    let started = Instant::now();
    while server
        .requests()
        .iter()
        .filter(|r| r.path == UPSERT)
        .count()
        < count
    {
        assert!(started.elapsed() < Duration::from_secs(30), "no upserts");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ctrl_c_finishes_the_rows_in_flight_and_says_where_to_go_on() {
    // The third upsert takes a second: the import is busy with it when it is interrupted.
    let plan = FaultPlan::default().on(
        "users/update_or_create/",
        3,
        Fault::DelayBeforeHeaders(Duration::from_secs(1)),
    );
    let server = FakeServer::start(FakeOptions::default().faults(plan)).unwrap();
    let dir = temp_dir("interrupted");
    let file = dir.join("accounts.jsonl");
    std::fs::write(&file, jsonl(200, "stop")).unwrap();
    let child = usercom(&server)
        .args(["--concurrency", "1", "users", "import", path(&file)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_upserts(&server, 2);
    std::thread::sleep(Duration::from_millis(200));
    let interrupted = Instant::now();
    interrupt(child.id());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(interrupted.elapsed() < Duration::from_secs(10));
    let summary = summary_of(&output);
    let [created, updated, failed, malformed] = counts(&summary);
    assert!((2..200).contains(&created), "{summary}");
    assert_eq!([updated, failed, malformed], [0, 0, 0]);
    // Every row before the line to go on from is done; none after it was sent.
    let resume = summary["resume_from_line"].as_u64().unwrap();
    assert_eq!(resume, created + 1, "{summary}");
    assert_eq!(upserts(&server).len() as u64, created);
    let errors = stderr(&output);
    assert!(errors.contains("interrupted"), "{errors}");
    assert!(
        errors.contains(&format!("--from-line {resume}")),
        "{errors}"
    );
    assert!(!dir.join("accounts.jsonl.failed.jsonl").exists());

    let rest = run(
        &server,
        &[
            "users",
            "import",
            path(&file),
            "--from-line",
            &resume.to_string(),
        ],
    );
    assert!(rest.status.success(), "{}", stderr(&rest));
    assert_eq!(counts(&summary_of(&rest)), [200 - created, 0, 0, 0]);
    let imported = custom_ids(&server);
    let stop: Vec<&String> = imported
        .iter()
        .filter(|id| id.starts_with("stop-"))
        .collect();
    assert_eq!(stop.len(), 200);
}

#[test]
fn a_second_ctrl_c_stops_at_once_and_keeps_the_rows_in_flight() {
    // The third upsert hangs: only a second Ctrl-C ends the import.
    let plan = FaultPlan::default().on(
        "users/update_or_create/",
        3,
        Fault::DelayBeforeHeaders(Duration::from_secs(30)),
    );
    let server = FakeServer::start(FakeOptions::default().faults(plan)).unwrap();
    let dir = temp_dir("interrupted-twice");
    let file = dir.join("accounts.jsonl");
    std::fs::write(&file, jsonl(100, "hang")).unwrap();
    let mut child = usercom(&server)
        .args(["--concurrency", "1", "users", "import", path(&file)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_upserts(&server, 2);
    std::thread::sleep(Duration::from_millis(300));
    let interrupted = Instant::now();
    interrupt(child.id());
    std::thread::sleep(Duration::from_millis(300));
    interrupt(child.id());
    let status = child.wait().unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut errors = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut errors)
        .unwrap();
    assert_eq!(status.code(), Some(130), "{errors}");
    assert!(interrupted.elapsed() < Duration::from_secs(10), "{errors}");
    assert!(errors.contains("Ctrl-C again to stop now"), "{errors}");
    let summary: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["created"], 2, "{summary}");
    let resume = summary["resume_from_line"].as_u64().unwrap();
    // The rows between the last one done and the line to go on from are in the failed
    // rows' file, their outcome unknown.
    let failed = failed_rows(&dir.join("accounts.jsonl.failed.jsonl"));
    let lines: BTreeSet<u64> = failed
        .iter()
        .map(|row| row["_import"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, (3..resume).collect(), "{summary}");
    assert_eq!(summary["failed"], failed.len());
    for row in &failed {
        assert!(
            row["_import"]["error"]
                .as_str()
                .unwrap()
                .contains("whether it was imported is not known"),
            "{row}"
        );
        assert_eq!(
            row["custom_id"],
            format!("hang-{:05}", row["_import"]["line"].as_u64().unwrap() - 1)
        );
    }
}

#[test]
fn an_error_every_row_would_meet_stops_the_import() {
    let server = FakeServer::start(FakeOptions::default().api_key("k".repeat(64))).unwrap();
    let dir = temp_dir("wrong-key");
    let file = dir.join("accounts.jsonl");
    std::fs::write(&file, jsonl(500, "key")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_usercom"))
        .env("USERCOM_API_KEY", "w".repeat(64))
        .args([
            "--base-url",
            server.base_url(),
            "users",
            "import",
            path(&file),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let errors = stderr(&output);
    assert!(errors.contains("every row would fail"), "{errors}");
    assert!(errors.contains("HTTP 401"), "{errors}");
    assert!(!errors.contains(&"w".repeat(64)), "the key is never shown");
    assert!(
        server.requests_seen() < 20,
        "it stopped: {}",
        server.requests_seen()
    );
    let summary = summary_of(&output);
    assert!(
        summary["resume_from_line"].as_u64().unwrap() < 20,
        "{summary}"
    );

    // The server answers 503 to one row and 429 to another: they are retried (an upsert is
    // idempotent), and a row is reported only when it still fails.
    let plan = FaultPlan::default()
        .on("users/update_or_create/", 2, Fault::html(503))
        .on("users/update_or_create/", 4, Fault::retry_after(429, "0"));
    let server = FakeServer::start(FakeOptions::default().faults(plan)).unwrap();
    std::fs::write(&file, jsonl(3, "retry")).unwrap();
    let retried = run(
        &server,
        &["--concurrency", "1", "users", "import", path(&file)],
    );
    assert!(retried.status.success(), "{}", stderr(&retried));
    assert_eq!(counts(&summary_of(&retried)), [3, 0, 0, 0]);
    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [200, 503, 200, 429, 200],
        "each refused upsert is sent again"
    );

    let plan = FaultPlan::default().every("users/update_or_create/", Fault::html(503));
    let server = FakeServer::start(FakeOptions::default().faults(plan)).unwrap();
    let failing = run(
        &server,
        &["--max-attempts", "2", "users", "import", path(&file)],
    );
    assert_eq!(failing.status.code(), Some(4), "{}", stderr(&failing));
    assert_eq!(counts(&summary_of(&failing)), [0, 0, 3, 0]);
    assert!(
        stderr(&failing).contains("HTTP 503"),
        "{}",
        stderr(&failing)
    );
}

#[test]
fn import_help_names_the_formats_and_the_exit_codes() {
    let help = Command::new(env!("CARGO_BIN_EXE_usercom"))
        .args(["users", "import", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for expected in [
        "update_or_create",
        "--types <COLUMN=TYPE,…>",
        "--failed <PATH>",
        "--from-line <LINE>",
        "--empty <WHAT>",
        "--concurrency <K>",
        "Exit codes",
        "usercom users import accounts.csv --types",
    ] {
        assert!(help.contains(expected), "{expected} missing from {help}");
    }
}

#[test]
fn importing_the_failed_rows_again_counts_rounds_and_words_one_row_as_one() {
    let server = fake();
    let dir = temp_dir("rounds");
    let input = dir.join("accounts.jsonl");
    std::fs::write(
        &input,
        "{\"custom_id\": \"r-1\", \"email\": \"not an email\"}\n",
    )
    .unwrap();
    let first = run(&server, &["users", "import", path(&input)]);
    assert_eq!(first.status.code(), Some(3), "{}", stderr(&first));
    let failed = dir.join("accounts.jsonl.failed.jsonl");
    assert_eq!(failed_rows(&failed).len(), 1);
    let said = stderr(&first);
    assert!(
        said.contains("usercom: 1 row: 0 created, 0 updated, 1 not imported"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "the row not imported is in {}, with its error; fix it and run",
            failed.display()
        )),
        "{said}"
    );

    // The failed rows, imported again as they are, go to a second round's file, and so on:
    // never `….failed.jsonl.failed.jsonl`.
    let second = run(&server, &["users", "import", path(&failed)]);
    assert_eq!(second.status.code(), Some(3), "{}", stderr(&second));
    let round_two = dir.join("accounts.jsonl.failed.2.jsonl");
    assert_eq!(summary_of(&second)["failed_file"], path(&round_two));
    let third = run(&server, &["users", "import", path(&round_two)]);
    assert_eq!(
        summary_of(&third)["failed_file"],
        path(&dir.join("accounts.jsonl.failed.3.jsonl"))
    );
    assert!(
        failed.exists() && round_two.exists(),
        "no round writes over its input"
    );

    // Two rows read as two.
    let two = dir.join("two.jsonl");
    std::fs::write(&two, "{\"custom_id\": \"r-2\", \"email\": \"bad\"}\n{\"custom_id\": \"r-3\", \"email\": \"bad\"}\n").unwrap();
    let output = run(&server, &["users", "import", path(&two)]);
    let said = stderr(&output);
    assert!(
        said.contains("usercom: 2 rows: 0 created, 0 updated, 2 not imported"),
        "{said}"
    );
    assert!(said.contains("the 2 rows not imported are in"), "{said}");
    assert!(
        said.contains("with their errors; fix them and run"),
        "{said}"
    );
}
