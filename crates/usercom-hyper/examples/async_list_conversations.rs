//! Prints every conversation of every page as one JSON object per line.
//!
//! ```text
//! USERCOM_API_KEY=... USERCOM_SUBDOMAIN=acme cargo run -p usercom-hyper --example async_list_conversations -- [--open]
//! ```
//! With no `USERCOM_*` variable set it lists an embedded fake server with seeded data.

#![allow(clippy::print_stderr)]

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use usercom_fake::{FakeOptions, config_from_env_or_demo};
use usercom_hyper::{Api, Client, StreamExt, conversations::ListConversations};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let mut open_only = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--open" => open_only = true,
            other => {
                return Err(format!(
                    "unknown argument {other:?} (usage: async_list_conversations [--open])"
                ));
            }
        }
    }
    // `demo` keeps the embedded server (if any) running until the end of `run`.
    let (config, demo) = config_from_env_or_demo(FakeOptions::default())?;
    if let Some(server) = &demo {
        eprintln!(
            "No USERCOM_* variables set: listing the embedded fake server at {} (seeded demo data).",
            server.base_url()
        );
    }
    let client = Client::new(config);
    let mut out = BufWriter::new(io::stdout().lock());
    let mut conversations = client
        .conversations()
        .all(ListConversations::all().open_only(open_only));
    while let Some(conversation) = conversations.next().await {
        let conversation = conversation.map_err(|e| e.to_string())?;
        let line = serde_json::to_string(&conversation).map_err(|e| e.to_string())?;
        if writeln!(out, "{line}").is_err() {
            // The reader went away (`| head`): stop quietly.
            return Ok(());
        }
    }
    // A failed flush means the reader went away too.
    let _ = out.flush();
    Ok(())
}
