//! `usercom-fake`: runs the stand-in User.com server by hand.
//!
//! ```text
//! usercom-fake [--port N] [--conversations N] [--users N] [--companies N] [--tags N]
//!              [--page-size N] [--seed N] [--latency MS] [--flaky]
//! ```
//! `--flaky` throttles every 3rd listing request, answers every 4th with an HTML 502 page and
//! cuts every 7th off mid-body: a well-behaved client still lists everything exactly once.
//! `--latency MS` delays every response by MS milliseconds, like a distant server.
//! The key it accepts is read from `USERCOM_FAKE_KEY` (default: the built-in demo key).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use usercom_fake::{DEFAULT_API_KEY, FakeOptions, FakeState, FaultPlan, MAX_ITEMS, serve};

/// A stand-in User.com REST API server on 127.0.0.1, with a seeded account.
///
/// The key it accepts is USERCOM_FAKE_KEY, or the built-in demo key.
#[derive(Debug, Parser)]
#[command(name = "usercom-fake", version)]
struct Args {
    /// Port to listen on (0: any free port)
    #[arg(long, value_name = "N", default_value_t = 0)]
    port: u16,
    /// Conversations in the account [default: 250]
    #[arg(long, value_name = "N", value_parser = size)]
    conversations: Option<u64>,
    /// Users in the account [default: a quarter of the conversations, at least 3]
    #[arg(long, value_name = "N", value_parser = size)]
    users: Option<u64>,
    /// Companies in the account [default: half the users, at least as many as tags]
    #[arg(long, value_name = "N", value_parser = size)]
    companies: Option<u64>,
    /// Tags in the account [default: 36]
    #[arg(long, value_name = "N", value_parser = size)]
    tags: Option<u64>,
    /// Items per page of a listing (the real API uses 100)
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    page_size: u64,
    /// Seed of the generated data: the same seed serves the same account
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
    /// Delay every response by this many milliseconds, like a distant server
    #[arg(long, value_name = "MS", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=60_000))]
    latency: u64,
    /// Misbehave: throttle every 3rd listing request, answer every 4th with an HTML 502
    /// page and cut every 7th off mid-body
    #[arg(long)]
    flaky: bool,
}

/// A collection size: a number of items, at most [`MAX_ITEMS`].
fn size(text: &str) -> Result<u64, String> {
    let count: u64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of items"))?;
    if count > MAX_ITEMS {
        return Err(format!("at most {MAX_ITEMS} items"));
    }
    Ok(count)
}

impl Args {
    fn options(&self) -> FakeOptions {
        let mut options = FakeOptions::default()
            .seed(self.seed)
            .page_size(usize::try_from(self.page_size).unwrap_or(usize::MAX))
            .latency(Duration::from_millis(self.latency));
        let sizes = [
            ("conversations", self.conversations),
            ("users", self.users),
            ("companies", self.companies),
            ("tags", self.tags),
        ];
        for (collection, count) in sizes {
            if let Some(count) = count {
                options = options.size(collection, count);
            }
        }
        if self.flaky {
            options = options.faults(FaultPlan::flaky());
        }
        options
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("usercom-fake: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let mut options = args.options();
    options.check()?;
    let custom_key = std::env::var("USERCOM_FAKE_KEY").ok();
    let key = custom_key
        .clone()
        .unwrap_or_else(|| DEFAULT_API_KEY.to_owned());
    options = options.api_key(key);
    let port = args.port;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        // Written, not printed: a closed stdout (a parent that read the first line and
        // went) must not stop the server.
        let mut out = std::io::stdout();
        let _ = writeln!(
            out,
            "usercom-fake serving http://{address}/api/public/ (Ctrl-C stops it)"
        );
        if custom_key.is_none() {
            let _ = writeln!(
                out,
                "  export USERCOM_BASE_URL=http://{address}/ USERCOM_API_KEY={DEFAULT_API_KEY}"
            );
        }
        let _ = out.flush();
        serve(listener, FakeState::new(options), async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
        Ok(())
    })
}
