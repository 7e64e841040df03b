//! The `usercom-fake` binary: its command line and its `--latency`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use usercom_fake::DEFAULT_API_KEY;

fn fake() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usercom-fake"));
    command.env_remove("USERCOM_FAKE_KEY");
    command
}

/// A running `usercom-fake`, killed when dropped; its stdout is kept open until then.
struct Running(Child, Option<BufReader<ChildStdout>>);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the fake with `args` on a free port and returns it with its API root.
fn start(args: &[&str]) -> (Running, String) {
    let child = fake()
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut running = Running(child, None);
    let mut stdout = BufReader::new(running.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    running.1 = Some(stdout);
    let root = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    (running, root)
}

#[test]
fn help_lists_every_flag() {
    let output = fake().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--port",
        "--conversations",
        "--users",
        "--companies",
        "--tags",
        "--page-size",
        "--seed",
        "--latency",
        "--flaky",
    ] {
        assert!(help.contains(flag), "--help omits {flag}:\n{help}");
    }
}

#[test]
fn an_unknown_flag_is_reported_as_unknown() {
    let output = fake().arg("--bogus").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(error.contains("unexpected argument '--bogus'"), "{error}");
    assert!(!error.contains("needs a value"), "{error}");
}

#[test]
fn a_bad_value_names_its_flag() {
    let output = fake().args(["--latency", "soon"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(error.contains("--latency"), "{error}");

    let output = fake()
        .args(["--conversations", "10000000000000"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(
        error.contains("--conversations") && error.contains("at most"),
        "{error}"
    );
}

fn timed_get(root: &str) -> Duration {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let started = Instant::now();
    let response = agent
        .get(format!("{root}tags/"))
        .header("Authorization", format!("Token {DEFAULT_API_KEY}"))
        .header("Accept", "*/*; version=2")
        .call()
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 200);
    elapsed
}

#[test]
fn latency_delays_every_response() {
    let (_fake, root) = start(&["--latency", "50", "--tags", "3"]);
    for _ in 0..2 {
        let elapsed = timed_get(&root);
        assert!(
            elapsed >= Duration::from_millis(50),
            "answered in {elapsed:?}"
        );
    }
}
