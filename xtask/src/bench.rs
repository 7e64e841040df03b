//! `cargo xtask bench`: how fast the SDK pages and parses, and how much memory it holds.
//!
//! Numbers, not assertions: run it in release mode on an idle machine and compare runs.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use usercom_core::Api;
use usercom_core::conversations::ListConversations;
use usercom_fake::{FakeOptions, FakeServer};

/// One measurement.
#[derive(Debug)]
pub struct Measure {
    /// What was measured.
    pub name: String,
    /// How many items it handled.
    pub items: u64,
    /// How long it took.
    pub elapsed: Duration,
}

impl Measure {
    fn line(&self) -> String {
        let seconds = self.elapsed.as_secs_f64().max(f64::EPSILON);
        format!(
            "{:<44} {:>8} items in {:>8.3} s = {:>10.0} items/s",
            self.name,
            self.items,
            seconds,
            self.items as f64 / seconds
        )
    }
}

/// Runs every measurement and returns the report.
pub fn run(conversations: usize, parse_rounds: u32) -> Result<String, String> {
    let server = FakeServer::start(FakeOptions::default().conversations(conversations))
        .map_err(|e| format!("cannot start the fake server: {e}"))?;
    let config = server.config().map_err(|e| e.to_string())?;
    let mut measures = Vec::new();

    // The blocking client, paging the whole account over loopback.
    let client = usercom_ureq::Client::new(config.clone());
    let started = Instant::now();
    let mut count = 0;
    for item in client.conversations().all(ListConversations::all()) {
        item.map_err(|e| e.to_string())?;
        count += 1;
    }
    measures.push(Measure {
        name: "usercom-ureq: conversations().all(), loopback".into(),
        items: count,
        elapsed: started.elapsed(),
    });

    // The async client, the same listing.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (count, elapsed) = runtime.block_on(async {
        use usercom_hyper::StreamExt;
        let client = usercom_hyper::Client::new(config.clone());
        let started = Instant::now();
        let mut items = client.conversations().all(ListConversations::all());
        let mut count = 0_u64;
        while let Some(item) = items.next().await {
            item.map_err(|e| e.to_string())?;
            count += 1;
        }
        Ok::<_, String>((count, started.elapsed()))
    })?;
    measures.push(Measure {
        name: "usercom-hyper: conversations().all(), loopback".into(),
        items: count,
        elapsed,
    });

    // The core alone: parsing one recorded 100-item page again and again.
    let page = client
        .execute(
            config
                .request(&ListConversations::all())
                .map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
    let body = page.body().clone();
    let list = ListConversations::all();
    let started = Instant::now();
    let mut parsed = 0_u64;
    for _ in 0..parse_rounds {
        let response = http::Response::new(body.as_slice());
        let page = config.parse(&list, response).map_err(|e| e.to_string())?;
        parsed += page.results.len() as u64;
    }
    measures.push(Measure {
        name: format!("usercom-core: parse a {} KiB page", body.len() / 1024),
        items: parsed,
        elapsed: started.elapsed(),
    });

    let mut report = String::new();
    let _ = writeln!(
        report,
        "cargo xtask bench: {conversations} conversations, pages of 100, on 127.0.0.1"
    );
    for measure in &measures {
        let _ = writeln!(report, "{}", measure.line());
    }
    if let Some(peak) = peak_memory_kib() {
        let _ = writeln!(
            report,
            "peak resident memory of the whole run (server included): {} MiB",
            peak / 1024
        );
    }
    Ok(report)
}

/// The process's peak resident set size, where the system reports it (Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
