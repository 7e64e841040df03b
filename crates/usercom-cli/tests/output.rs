//! What the `usercom` binary writes when the data is hostile or the output fails: text from
//! the API never drives a terminal in table output and stays exact in JSON and CSV; `--fields`
//! chooses columns; JSON stays valid when a listing fails; a closed stdout, Ctrl-C on a slow
//! reader and throttling end the way the exit codes say.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;

use serde_json::{Value, json};
use usercom_fake::{FakeOptions, FakeServer, Fault, FaultPlan};

fn fake(plan: FaultPlan) -> FakeServer {
    FakeServer::start(FakeOptions::default().conversations(250).faults(plan)).unwrap()
}

/// `usercom` pointed at `base_url` with `key`, nothing else inherited that could change the
/// outcome.
fn usercom_at(base_url: &str, key: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usercom"));
    command
        .env_remove("USERCOM_SUBDOMAIN")
        .env_remove("USERCOM_BASE_URL")
        .env_remove("USERCOM_PROFILE")
        .env_remove("RUST_LOG")
        .env("USERCOM_API_KEY", key)
        .args(["--base-url", base_url]);
    command
}

fn usercom(server: &FakeServer) -> Command {
    usercom_at(server.base_url(), server.api_key())
}

fn run(server: &FakeServer, args: &[&str]) -> Output {
    usercom(server).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn succeeded(output: &Output) -> String {
    assert!(output.status.success(), "{}", stderr(output));
    stdout(output)
}

/// What a terminal must never be sent from the API: ESC (CSI, OSC), BEL, the C1 CSI, and
/// bidirectional overrides and isolates.
const DRIVERS: &[char] = &[
    '\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{202d}', '\u{2066}', '\u{2069}', '\u{200f}',
];

fn assert_safe_for_a_terminal(text: &str, what: &str) {
    if let Some(c) = text.chars().find(|c| DRIVERS.contains(c)) {
        panic!("{what}: {c:?} reached the terminal: {text:?}");
    }
    assert!(
        text.contains('\u{fffd}'),
        "{what}: replaced visibly: {text:?}"
    );
}

/// A name, an email and a message that try to write the clipboard (OSC 52), set the title,
/// clear the screen and reverse the text.
const NAME: &str = "Ev\u{202e}il\u{2066} \u{1b}[2J";
const EMAIL: &str = "x\u{1b}]52;c;aGk=\u{7}@example.com";
const CONTENT: &str =
    "<p>hi \u{1b}]0;pwned\u{7}there\u{1b}[2J\u{9b}31m \u{202e}lave</p><style>p{}</style>";

#[test]
fn hostile_text_never_drives_the_terminal_in_tables_and_stays_exact_elsewhere() {
    let server = fake(FaultPlan::default());
    let created: Value = serde_json::from_str(&succeeded(&run(
        &server,
        &[
            "users",
            "create",
            "--data",
            &json!({"email": EMAIL, "first_name": NAME}).to_string(),
            "--format",
            "json",
        ],
    )))
    .unwrap();
    let user = created["id"].as_i64().unwrap().to_string();
    let conversation: Value = serde_json::from_str(&succeeded(&run(
        &server,
        &[
            "conversations",
            "create",
            "--user",
            &user,
            "--content",
            CONTENT,
            "--format",
            "json",
        ],
    )))
    .unwrap();
    let conversation = conversation["id"].as_i64().unwrap().to_string();

    // Tables: the generic ones from the registry's columns, listings and gets alike, and
    // the transcript of a conversation.
    for args in [
        &["users", "get", &user][..],
        &["users", "list", "--all"],
        &["conversations", "list", "--user", &user],
        &["conversations", "get", &conversation],
    ] {
        let table = succeeded(&run(&server, &[args, &["--format", "table"]].concat()));
        assert_safe_for_a_terminal(&table, &args.join(" "));
    }
    let transcript = succeeded(&run(
        &server,
        &["conversations", "get", &conversation, "--format", "table"],
    ));
    assert!(
        transcript.contains("Ev\u{fffd}il\u{fffd} \u{fffd}[2J <x\u{fffd}]52;c;aGk=\u{fffd}@"),
        "{transcript}"
    );
    assert!(
        transcript.contains("hi \u{fffd}]0;pwned\u{fffd}there\u{fffd}[2J\u{fffd}31m \u{fffd}lave"),
        "{transcript}"
    );

    // JSON, JSON lines and CSV carry the text exactly.
    let json: Value = serde_json::from_str(&succeeded(&run(
        &server,
        &["conversations", "get", &conversation, "--format", "json"],
    )))
    .unwrap();
    assert_eq!(json["user"]["email"], EMAIL);
    assert_eq!(json["messages"][0]["content"], CONTENT);
    let jsonl = succeeded(&run(&server, &["users", "get", &user, "--format", "jsonl"]));
    let line: Value = serde_json::from_str(&jsonl).unwrap();
    assert_eq!(line["first_name"], NAME);
    let csv = succeeded(&run(
        &server,
        &["conversations", "get", &conversation, "--format", "csv"],
    ));
    assert!(csv.contains(CONTENT), "{csv:?}");
    let csv = succeeded(&run(
        &server,
        &[
            "users", "get", &user, "--format", "csv", "--fields", "email",
        ],
    ));
    assert_eq!(csv, format!("email\n{EMAIL}\n"));
}

/// Serves one answer per connection, in order: `(status, body)`, or `None` to hold the
/// connection without answering until the returned sender is dropped or sent to.
fn serve(answers: Vec<Option<(u16, String)>>) -> (String, mpsc::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let (release, released) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for (answer, stream) in answers.into_iter().zip(listener.incoming()) {
            let mut stream = stream.unwrap();
            let mut request = Vec::new();
            let mut buffer = [0_u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let Some((status, body)) = answer else {
                held.push(stream);
                continue;
            };
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
        let _ = released.recv();
        drop(held);
    });
    (base, release)
}

const KEY: &str = "keykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeyk";

#[test]
fn errors_that_quote_the_server_never_drive_the_terminal() {
    let detail = json!({"detail": format!("no \u{1b}]52;c;aGk=\u{7} way\u{1b}[2J {NAME}")});
    let (base, _release) = serve(vec![Some((400, detail.to_string()))]);
    let output = usercom_at(&base, KEY)
        .args(["users", "list", "--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("way"), "{message}");
    assert_safe_for_a_terminal(&message, "the error");
}

#[test]
fn fields_choose_the_columns_of_tables_and_csv() {
    let server = fake(FaultPlan::default());
    let items: Vec<Value> = succeeded(&run(&server, &["conversations", "list", "--limit", "3"]))
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let fields = "id,user.email,no.such.path,user";
    let csv = succeeded(&run(
        &server,
        &[
            "conversations",
            "list",
            "--limit",
            "3",
            "--fields",
            fields,
            "--format",
            "csv",
        ],
    ));
    let mut expected = format!("{fields}\n");
    for item in &items {
        let email = item["user"]["email"].as_str().unwrap_or_default();
        let user = item["user"].to_string().replace('"', "\"\"");
        expected.push_str(&format!("{},{email},,\"{user}\"\n", item["id"]));
    }
    assert_eq!(csv, expected);

    let table = succeeded(&run(
        &server,
        &[
            "conversations",
            "list",
            "--limit",
            "3",
            "--fields",
            "user.id, id",
            "--format",
            "table",
        ],
    ));
    let rows: Vec<Vec<&str>> = table
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["USER.ID", "ID"]);
    for (row, item) in rows[1..].iter().zip(&items) {
        assert_eq!(
            row[..],
            [item["user"]["id"].to_string(), item["id"].to_string()]
        );
    }
    assert_eq!(rows.len(), 4);

    // A get too, even the one printed as a transcript otherwise; a path it lacks is empty.
    let id = items[0]["id"].to_string();
    let get = succeeded(&run(
        &server,
        &[
            "conversations",
            "get",
            &id,
            "--fields",
            "id,nothing",
            "--format",
            "csv",
        ],
    ));
    assert_eq!(get, format!("id,nothing\n{id},\n"));
    let table = succeeded(&run(
        &server,
        &[
            "--fields",
            "id,nothing",
            "conversations",
            "get",
            &id,
            "--format",
            "table",
        ],
    ));
    assert_eq!(
        table,
        format!("ID{}NOTHING\n{id}  -\n", " ".repeat(id.len()))
    );

    let before = server.requests().len();
    for (args, expected) in [
        (&["users", "list", "--fields", ""][..], "no field given"),
        (
            &["users", "list", "--fields", "id,,email"],
            "has an empty field",
        ),
        (
            &["users", "list", "--fields", "user..email"],
            "is not a dotted path",
        ),
        (
            &["api", "GET", "users/", "--fields", "id"],
            "--fields chooses the columns",
        ),
    ] {
        let output = run(&server, args);
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
    assert_eq!(
        server.requests().len(),
        before,
        "nothing sent for a usage error"
    );
}

#[test]
fn json_output_stays_valid_with_every_item_when_a_later_page_fails() {
    let pages = |server: &FakeServer| -> Vec<Value> {
        succeeded(&run(server, &["conversations", "list", "--limit", "200"]))
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    };
    // The third page fails on both attempts: a server error after the retries, exit 4.
    let server = fake(
        FaultPlan::default()
            .on("conversations/", 3, Fault::status(503))
            .on("conversations/", 4, Fault::status(503)),
    );
    let output = run(
        &server,
        &[
            "--max-attempts",
            "2",
            "conversations",
            "list",
            "--all",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let printed: Vec<Value> = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed.len(), 200);
    assert!(
        stderr(&output).contains("200 items printed, then"),
        "{}",
        stderr(&output)
    );
    server.set_faults(FaultPlan::default());
    assert_eq!(printed, pages(&server));

    // The third page is gone: exit 3, the same 200 items.
    let server = fake(FaultPlan::default().on("conversations/", 3, Fault::status(404)));
    let output = run(
        &server,
        &["conversations", "list", "--all", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let printed: Vec<Value> = serde_json::from_str(&stdout(&output)).unwrap();
    server.set_faults(FaultPlan::default());
    assert_eq!(printed, pages(&server));
}

#[test]
fn throttling_that_outlasts_the_retries_exits_4_like_a_server_error() {
    let server = fake(FaultPlan::default().every("users/", Fault::retry_after(429, "0")));
    let output = run(&server, &["--max-attempts", "2", "users", "list"]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(stderr(&output).contains("429"), "{}", stderr(&output));
    let help = succeeded(&usercom(&server).arg("--help").output().unwrap());
    assert!(help.contains("throttling (429)"), "{help}");
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_is_an_error_and_dev_null_is_not() {
    let server = fake(FaultPlan::default());
    // `>&-`: the shell closes fd 1 before running the program.
    let closed = Command::new("sh")
        .arg("-c")
        .arg(r#"exec "$0" "$@" >&-"#)
        .arg(env!("CARGO_BIN_EXE_usercom"))
        .args(["--base-url", server.base_url(), "users", "list"])
        .env_remove("USERCOM_BASE_URL")
        .env("USERCOM_API_KEY", server.api_key())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(closed.status.code(), Some(4), "{}", stderr(&closed));
    assert!(
        stderr(&closed).contains("standard output is closed"),
        "{}",
        stderr(&closed)
    );
    // Output thrown away on purpose is fine.
    let null = usercom(&server)
        .args(["users", "list"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(null.status.success(), "{}", stderr(&null));
}

#[cfg(unix)]
#[test]
fn ctrl_c_on_a_stalled_reader_never_leaves_half_a_long_line() {
    // Lines far longer than a pipe's buffer; the second page never comes, so the program is
    // still running when it is interrupted.
    let items: Vec<Value> = (1..=6)
        .map(|id| json!({"id": id, "note": "x".repeat(200 * 1024)}))
        .collect();
    let first = json!({"count": 12, "next": "?page=2", "previous": null, "results": items});
    let (base, release) = serve(vec![Some((200, first.to_string())), None]);
    let mut child = usercom_at(&base, KEY)
        .args(["users", "list", "--all", "--format", "jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::with_capacity(1024, child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.ends_with("}\n"));
    // The program is now blocked in the middle of the next line: interrupt it, and give it
    // time to give up on the reader if it would.
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    std::thread::sleep(std::time::Duration::from_secs(1));
    let mut rest = String::new();
    reader.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    drop(release);
    assert_eq!(status.code(), Some(130));
    assert!(
        rest.is_empty() || rest.ends_with('\n'),
        "half a line: {} bytes",
        rest.len()
    );
    for line in rest.lines() {
        let item: Value = serde_json::from_str(line).unwrap();
        assert_eq!(item["note"].as_str().map(str::len), Some(200 * 1024));
    }
    assert!(
        rest.lines().count() < 5,
        "stopped at the end of a line, not of the page"
    );
}

#[test]
fn a_listing_short_of_its_count_says_so_even_on_one_page() {
    let page =
        json!({"count": 5, "next": null, "previous": null, "results": [{"id": 1}, {"id": 2}]});
    for args in [
        &["users", "list", "--format", "jsonl"][..],
        &["users", "list", "--all", "--format", "jsonl"],
    ] {
        let (base, _release) = serve(vec![Some((200, page.to_string()))]);
        let output = usercom_at(&base, KEY).args(args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(3),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "{\"id\":1}\n{\"id\":2}\n", "{args:?}");
        let warning = stderr(&output);
        assert!(
            warning.starts_with("usercom: warning: 2 items printed, then: ")
                && warning.contains('5'),
            "{args:?}: {warning}"
        );
    }
}
