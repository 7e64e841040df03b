//! `cargo xtask`: project automation.
//!
//! - `cargo xtask ci`: `cargo fmt --check`, clippy with `-D warnings` on every target, the
//!   fixture check, the whole test suite, the packaging check and `cargo xtask bench --quick`
//!   (so that the benchmarks do not rot; no number fails it), stopping at the first failure.
//! - `cargo xtask package`: every publishable crate packages cleanly, offline (see
//!   [`xtask::package`]).
//! - `cargo xtask fixtures refresh|check`: record fixtures from an account, or check them.
//! - `cargo xtask bench [--quick]`: client CPU per page, sequential against concurrent export
//!   and the CLI's peak memory, side by side (`cargo run --release -p xtask -- bench` for
//!   meaningful numbers; the decode comparison is `cargo bench -p usercom-core`).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use usercom_core::Config;
use usercom_core::config::{ENV_API_KEY, ENV_BASE_URL, ENV_SUBDOMAIN, KEY_HELP};
use xtask::fixtures::{RefreshOptions, check, refresh};

const HELP: &str = "\
usage: cargo xtask <command>

commands:
  ci                  cargo fmt --check, clippy -D warnings, the fixture check, every test,
                      the packaging check, then bench --quick
  package             every publishable crate packages cleanly, offline: metadata, readme and
                      licence files, cargo package --no-verify without a warning
  fixtures refresh    record the recorded-* fixtures from an account (see `cargo xtask fixtures`)
  fixtures check      check every fixture against what the core builds and parses
  bench [--quick]     client CPU per page, sequential vs concurrent export, the CLI's peak
                      memory: medians and ratios (cargo run --release -p xtask -- bench;
                      --quick: small inputs, for CI). Decoding: cargo bench -p usercom-core
  help                this text";

const FIXTURES_HELP: &str = "\
usage: cargo xtask fixtures refresh [--base-url URL | --subdomain NAME] [--only GROUP[/SCENARIO]] [--allow-writes]
       cargo xtask fixtures check

refresh  records every recorded-* scenario of every group from an account, as the \"record\" plan
         in its scenario.json says (the operation's args, values taken from other recordings,
         the expected status, a wrong key, the last page of a listing): it sends the request the
         core builds, scrubs the answer (key, emails, names, user keys, phone numbers, IPs,
         custom ids, message contents, the account's host) and writes
         fixtures/<group>/<scenario>/. A scenario runs after those it takes values from. The key
         comes from USERCOM_API_KEY; the account from the flags or USERCOM_SUBDOMAIN /
         USERCOM_BASE_URL. Documented and hand-written scenarios are never touched. Scenarios
         whose operation writes data run only with --allow-writes. With --only, nothing else is
         sent or written; a value taken from a scenario outside it comes from its recording on
         disk.
check    every scenario's stored request must equal what the core builds, its args must say
         what its request body says, its response must parse as its status says without losing
         a field the server sent, every plan must build, and the snapshots must match
         (cargo test -p usercom-core --test fixtures).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["help" | "--help" | "-h"] => {
            println!("{HELP}");
            ExitCode::SUCCESS
        }
        ["ci"] => ci(),
        ["package"] => package(),
        ["fixtures"] | ["fixtures", "help" | "--help" | "-h"] => {
            println!("{FIXTURES_HELP}");
            ExitCode::SUCCESS
        }
        ["fixtures", "check"] => fixtures_check(),
        ["bench"] => bench(false),
        ["bench", "--quick"] => bench(true),
        ["bench-child", "--", command @ ..] => match xtask::bench::child(command) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("xtask bench-child: {e}");
                ExitCode::FAILURE
            }
        },
        ["fixtures", "refresh", flags @ ..] => match refresh_options(flags) {
            Ok(options) => fixtures_refresh(&options),
            Err(message) => {
                eprintln!("xtask fixtures refresh: {message}\n\n{FIXTURES_HELP}");
                ExitCode::from(2)
            }
        },
        _ => {
            eprintln!("xtask: unknown command {:?}\n\n{HELP}", args.join(" "));
            ExitCode::from(2)
        }
    }
}

/// `cargo xtask bench [--quick]`: prints the report; fails only when a measurement could
/// not run, never on a number.
fn bench(quick: bool) -> ExitCode {
    let (settings, command) = if quick {
        (xtask::bench::Settings::quick(), "cargo xtask bench --quick")
    } else {
        (
            xtask::bench::Settings::full(),
            "cargo run --release -p xtask -- bench",
        )
    };
    match xtask::bench::run(&settings, command) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn fixtures_root() -> PathBuf {
    usercom_fixtures::repository_fixtures()
}

fn refresh_options(flags: &[&str]) -> Result<RefreshOptions, String> {
    let (mut base_url, mut subdomain, mut only, mut allow_writes) = (None, None, None, false);
    let mut rest = flags.iter();
    while let Some(flag) = rest.next() {
        let mut value = || {
            rest.next()
                .map(|v| (*v).to_owned())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match *flag {
            "--base-url" => base_url = Some(value()?),
            "--subdomain" => subdomain = Some(value()?),
            "--only" => only = Some(value()?),
            "--allow-writes" => allow_writes = true,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    let key = std::env::var(ENV_API_KEY)
        .ok()
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| format!("{ENV_API_KEY} is not set; {KEY_HELP}"))?;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let config = match (base_url, subdomain) {
        (Some(_), Some(_)) => return Err("give --base-url or --subdomain, not both".into()),
        (Some(url), None) => Config::for_base_url(&url, &key),
        (None, Some(name)) => Config::for_subdomain(&name, &key),
        (None, None) => match (env(ENV_BASE_URL), env(ENV_SUBDOMAIN)) {
            (Some(url), None) => Config::for_base_url(&url, &key),
            (None, Some(name)) => Config::for_subdomain(&name, &key),
            _ => {
                return Err(format!(
                    "say which account: --subdomain NAME or --base-url URL (or exactly one of \
                     {ENV_SUBDOMAIN} and {ENV_BASE_URL})"
                ));
            }
        },
    }
    .map_err(|e| e.to_string())?;
    Ok(RefreshOptions {
        root: fixtures_root(),
        config,
        only,
        allow_writes,
    })
}

fn fixtures_refresh(options: &RefreshOptions) -> ExitCode {
    let summary = refresh(options, &mut std::io::stderr());
    eprintln!(
        "fixtures refresh: {} recorded, {} unchanged, {} skipped, {} failed",
        summary.recorded.len(),
        summary.unchanged.len(),
        summary.skipped.len(),
        summary.failed.len()
    );
    if !summary.recorded.is_empty() {
        eprintln!(
            "review the changes: git diff fixtures/, then INSTA_UPDATE=new cargo test -p \
             usercom-core --test fixtures and read every .snap.new before accepting it"
        );
    }
    if summary.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn fixtures_check() -> ExitCode {
    let problems = check(&fixtures_root());
    for problem in &problems {
        eprintln!("fixture {problem}");
    }
    if !problems.is_empty() {
        eprintln!(
            "\nfixtures check: {} problem(s). A recorded fixture is refreshed with `cargo xtask \
             fixtures refresh --only GROUP/SCENARIO`; a documented or hand-written one is \
             edited by hand. If the core changed on purpose, update the stored request; a field \
             the typed output loses is kept by naming it in the model (or in its `extra` map).",
            problems.len()
        );
        return ExitCode::FAILURE;
    }
    let snapshots = run_cargo(&["test", "-q", "-p", "usercom-core", "--test", "fixtures"]);
    if !snapshots {
        eprintln!(
            "\nfixtures check: the snapshots differ. Review them with `INSTA_UPDATE=new cargo \
             test -p usercom-core --test fixtures`, read each .snap.new next to its .snap, and \
             rename the ones that are right over the old ones."
        );
        return ExitCode::FAILURE;
    }
    eprintln!("fixtures check: every fixture matches the core");
    ExitCode::SUCCESS
}

fn run_cargo(args: &[&str]) -> bool {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("xtask: cargo {}", args.join(" "));
    match Command::new(&cargo).args(args).status() {
        Ok(status) => status.success(),
        Err(e) => {
            eprintln!("xtask: cannot run cargo: {e}");
            false
        }
    }
}

/// `cargo xtask package`: the publishable crates package cleanly.
fn package() -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    match xtask::package::check(&cargo, &mut std::io::stderr()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask package: {e}");
            ExitCode::FAILURE
        }
    }
}

fn ci() -> ExitCode {
    let steps: [&[&str]; 2] = [
        &["fmt", "--all", "--", "--check"],
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ];
    for step in steps {
        if !run_cargo(step) {
            eprintln!("xtask ci: `cargo {}` failed", step.join(" "));
            return ExitCode::FAILURE;
        }
    }
    if fixtures_check() != ExitCode::SUCCESS {
        eprintln!("xtask ci: the fixture check failed");
        return ExitCode::FAILURE;
    }
    if !run_cargo(&["test", "--workspace"]) {
        eprintln!("xtask ci: the tests failed");
        return ExitCode::FAILURE;
    }
    if package() != ExitCode::SUCCESS {
        eprintln!("xtask ci: the packaging check failed");
        return ExitCode::FAILURE;
    }
    // Every feature set the crates offer builds and passes clippy: the clients' TLS
    // providers and roots (the default set was checked above), and the slim CLI without
    // the demo server and the webhook listener.
    let clients = [
        "-p",
        "usercom-ureq",
        "-p",
        "usercom-hyper",
        "--no-default-features",
    ];
    for features in [
        "ring,native-roots",
        "aws-lc-rs,webpki-roots",
        "aws-lc-rs,native-roots",
    ] {
        let mut step = vec!["clippy"];
        step.extend(clients);
        step.extend(["--features", features, "--", "-D", "warnings"]);
        if !run_cargo(&step) {
            eprintln!("xtask ci: `cargo {}` failed", step.join(" "));
            return ExitCode::FAILURE;
        }
    }
    let slim: [&[&str]; 2] = [
        &[
            "clippy",
            "-p",
            "usercom-cli",
            "--no-default-features",
            "--",
            "-D",
            "warnings",
        ],
        &[
            "test",
            "-p",
            "usercom-cli",
            "--no-default-features",
            "--bin",
            "usercom",
        ],
    ];
    for step in slim {
        if !run_cargo(step) {
            eprintln!("xtask ci: `cargo {}` failed", step.join(" "));
            return ExitCode::FAILURE;
        }
    }
    // The benchmarks in their quick mode, so that they keep running; no number fails.
    // In a fresh process: the tests above rebuilt this very binary, and the bench runs its
    // own executable again for the CLI's memory measurement.
    if !run_cargo(&["run", "--quiet", "-p", "xtask", "--", "bench", "--quick"]) {
        eprintln!("xtask ci: `cargo xtask bench --quick` failed");
        return ExitCode::FAILURE;
    }
    eprintln!("xtask ci: all steps passed");
    ExitCode::SUCCESS
}
