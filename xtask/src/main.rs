//! `cargo xtask`: project automation.
//!
//! - `cargo xtask ci`: `cargo fmt --check`, clippy with `-D warnings` on every target, and the
//!   whole test suite, stopping at the first failure.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::{Command, ExitCode};

const HELP: &str = "\
usage: cargo xtask <command>

commands:
  ci      cargo fmt --check, clippy -D warnings on all targets, and the whole test suite
  help    this text";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            println!("{HELP}");
            ExitCode::SUCCESS
        }
        Some("ci") if args.len() == 1 => ci(),
        Some(other) => {
            eprintln!(
                "xtask: unknown command or argument in {other:?} {:?}\n\n{HELP}",
                &args[1..]
            );
            ExitCode::from(2)
        }
    }
}

fn ci() -> ExitCode {
    let steps: [&[&str]; 3] = [
        &["fmt", "--all", "--", "--check"],
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &["test", "--workspace"],
    ];
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for step in steps {
        eprintln!("xtask ci: cargo {}", step.join(" "));
        match Command::new(&cargo).args(step).status() {
            Ok(status) if status.success() => {}
            Ok(status) => {
                eprintln!("xtask ci: `cargo {}` failed ({status})", step.join(" "));
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("xtask ci: cannot run cargo: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    eprintln!("xtask ci: all steps passed");
    ExitCode::SUCCESS
}
