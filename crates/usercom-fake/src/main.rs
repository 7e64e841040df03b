//! `usercom-fake`: runs the stand-in User.com server by hand.
//!
//! ```text
//! usercom-fake [--port N] [--conversations N] [--users N] [--companies N] [--tags N]
//!              [--page-size N] [--seed N] [--flaky]
//! ```
//! `--flaky` throttles every 3rd listing request, answers every 4th with an HTML 502 page and
//! cuts every 7th off mid-body: a well-behaved client still lists everything exactly once.
//! The key it accepts is read from `USERCOM_FAKE_KEY` (default: the built-in demo key).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use usercom_fake::{DEFAULT_API_KEY, FakeOptions, FakeState, FaultPlan, serve};

const USAGE: &str = "usage: usercom-fake [--port N] [--conversations N] [--users N] \
                     [--companies N] [--tags N] [--page-size N] [--seed N] [--flaky]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("usercom-fake: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut options = FakeOptions::default();
    let mut port = 0_u16;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}\nThe accepted key is USERCOM_FAKE_KEY, or the demo key.");
            return Ok(());
        }
        if flag == "--flaky" {
            options = options.faults(FaultPlan::flaky());
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |what: &str| {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag} takes a number of {what}, not {value:?}"))
        };
        match flag.as_str() {
            "--port" => {
                port = u16::try_from(number("port")?).map_err(|_| "--port is at most 65535")?;
            }
            "--conversations" | "--users" | "--companies" | "--tags" => {
                let collection = flag.trim_start_matches('-');
                options = options.size(collection, number(collection)?);
            }
            "--page-size" => {
                options =
                    options.page_size(usize::try_from(number("items")?).unwrap_or(usize::MAX));
            }
            "--seed" => options = options.seed(number("seed")?),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    options.check()?;
    let custom_key = std::env::var("USERCOM_FAKE_KEY").ok();
    let key = custom_key
        .clone()
        .unwrap_or_else(|| DEFAULT_API_KEY.to_owned());
    options = options.api_key(key);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        println!("usercom-fake serving http://{address}/api/public/ (Ctrl-C stops it)");
        if custom_key.is_none() {
            println!(
                "  export USERCOM_BASE_URL=http://{address}/ USERCOM_API_KEY={DEFAULT_API_KEY}"
            );
        }
        serve(listener, FakeState::new(options), async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
        Ok(())
    })
}
