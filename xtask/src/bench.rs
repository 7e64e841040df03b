//! `cargo xtask bench [--quick]`: paging speed and the CLI's peak memory, measured side by
//! side.
//!
//! Numbers, not assertions: nothing fails on a number. Every comparison runs its contenders
//! in one process, one after the other, in alternating order, after a warm-up round, and
//! reports the median of its rounds and the ratio of the medians.
//!
//! - Client CPU per page: both clients list the conversations of a tiny loopback server that
//!   answers every request with pre-rendered bytes (only the `next` link differs from page to
//!   page), so the server's cost is not counted as the client's. The CPU time is the calling
//!   thread's (`RUSAGE_THREAD`): the blocking client runs on it, and the async client runs on
//!   a current-thread runtime on it.
//! - Sequential against concurrent export: every conversation of a fake server that delays
//!   each response, one page after another and 8 pages at a time.
//! - The CLI's peak resident memory exporting conversations (`usercom conversations list
//!   --all`), at two account sizes: it must stay flat. The CLI runs under a child of xtask
//!   whose only child it is, which reads its peak from `getrusage(RUSAGE_CHILDREN)`.
//!
//! The decode comparison (core against `serde_json::Value` and plain structs) is a criterion
//! benchmark: `cargo bench -p usercom-core --bench decode`.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeValLike;
use usercom_core::conversations::ListConversations;
use usercom_core::{Api, Config, Raw};
use usercom_fake::{DEFAULT_API_KEY, FakeOptions, FakeServer};

/// How much to measure.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Pages the pre-rendered server serves per listing.
    pub cpu_pages: u64,
    /// Measured rounds of the CPU comparison (after one warm-up round).
    pub cpu_rounds: usize,
    /// Conversations exported in the sequential-against-concurrent comparison.
    pub export_items: usize,
    /// The fake server's delay per response in that comparison.
    pub latency: Duration,
    /// Pages at once in the concurrent export.
    pub concurrency: usize,
    /// Measured rounds of the export comparison.
    pub export_rounds: usize,
    /// The two account sizes the CLI exports for its peak memory.
    pub rss_items: [u64; 2],
}

impl Settings {
    /// The full run: meaningful numbers, a few minutes in release mode.
    pub fn full() -> Self {
        Self {
            cpu_pages: 200,
            cpu_rounds: 7,
            export_items: 10_000,
            latency: Duration::from_millis(50),
            concurrency: 8,
            export_rounds: 3,
            rss_items: [10_000, 1_000_000],
        }
    }

    /// The quick run, for CI: every measurement runs, on small inputs, so that none rots.
    pub fn quick() -> Self {
        Self {
            cpu_pages: 20,
            cpu_rounds: 3,
            export_items: 1_000,
            latency: Duration::from_millis(50),
            concurrency: 8,
            export_rounds: 3,
            rss_items: [1_000, 10_000],
        }
    }
}

/// One row of the report.
struct Row {
    name: String,
    median: String,
    ratio: String,
}

/// The median of `values` (which must not be empty).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

/// CPU time (user + system) of the calling thread so far, in microseconds.
fn thread_cpu_micros() -> Result<i64, String> {
    let usage =
        getrusage(UsageWho::RUSAGE_THREAD).map_err(|e| format!("getrusage(THREAD): {e}"))?;
    Ok(usage.user_time().num_microseconds() + usage.system_time().num_microseconds())
}

/// Runs every measurement and returns the report. `command` is how to reproduce it.
pub fn run(settings: &Settings, command: &str) -> Result<String, String> {
    let mut rows = Vec::new();
    client_cpu(settings, &mut rows)?;
    export(settings, &mut rows)?;
    cli_memory(settings, &mut rows)?;

    let mut report = String::new();
    let profile = if cfg!(debug_assertions) {
        "debug build: numbers are not meaningful"
    } else {
        "release build"
    };
    let _ = writeln!(report, "{command}  ({profile})");
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let _ = writeln!(report, "{:<width$}  {:>14}  ratio", "measurement", "median");
    for row in &rows {
        let _ = writeln!(
            report,
            "{:<width$}  {:>14}  {}",
            row.name, row.median, row.ratio
        );
    }
    Ok(report)
}

// ---------------------------------------------------------------------------------------------
// Client CPU per page, against pre-rendered pages
// ---------------------------------------------------------------------------------------------

/// A loopback HTTP/1.1 server answering `GET …?page=N` with pre-rendered bytes, keeping
/// connections alive. It runs until the process ends.
struct PageServer {
    base_url: String,
}

impl PageServer {
    /// Serves `pages` pages of the conversations of `body` (a page as the fake serves it).
    fn start(sample: &[u8], pages: u64) -> Result<Self, String> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let root = format!("http://{address}/api/public/");
        let mut page: serde_json::Value =
            serde_json::from_slice(sample).map_err(|e| format!("the sample page: {e}"))?;
        let items = page["results"].as_array().map_or(0, Vec::len) as u64;
        let link = |n: u64| format!("{root}conversations/?page={n}");
        let mut rendered = Vec::new();
        for n in 1..=pages {
            page["count"] = (items * pages).into();
            page["next"] = if n < pages {
                link(n + 1).into()
            } else {
                None::<String>.into()
            };
            page["previous"] = if n > 1 {
                link(n - 1).into()
            } else {
                None::<String>.into()
            };
            let body = serde_json::to_vec(&page).map_err(|e| e.to_string())?;
            let mut response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            response.extend_from_slice(&body);
            rendered.push(response);
        }
        let rendered = Arc::new(rendered);
        std::thread::Builder::new()
            .name("bench page server".into())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    let rendered = Arc::clone(&rendered);
                    let _ = std::thread::Builder::new()
                        .name("bench page connection".into())
                        .spawn(move || answer(stream, &rendered));
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(Self { base_url: root })
    }
}

/// Answers the requests of one connection until the client closes it.
fn answer(stream: TcpStream, rendered: &[Vec<u8>]) {
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let page = line
            .split_whitespace()
            .nth(1)
            .and_then(|target| target.split_once("page="))
            .and_then(|(_, n)| n.split('&').next()?.parse::<usize>().ok())
            .unwrap_or(1);
        // The rest of the head; the requests of a listing have no body.
        let mut header = String::new();
        loop {
            header.clear();
            match reader.read_line(&mut header) {
                Ok(0) | Err(_) => return,
                Ok(_) if header == "\r\n" || header == "\n" => break,
                Ok(_) => {}
            }
        }
        let Some(response) = rendered.get(page.saturating_sub(1)) else {
            return;
        };
        if writer.write_all(response).is_err() {
            return;
        }
    }
}

/// CPU microseconds and wall microseconds per page of listing every conversation.
fn list_ureq(config: &Config, pages: u64) -> Result<(f64, f64), String> {
    let client = usercom_ureq::Client::new(config.clone());
    let (cpu, wall) = (thread_cpu_micros()?, Instant::now());
    let mut count = 0_u64;
    for item in client.conversations().all(ListConversations::all()) {
        item.map_err(|e| e.to_string())?;
        count += 1;
    }
    let per_page = |total: f64| total / pages as f64;
    let result = (
        per_page((thread_cpu_micros()? - cpu) as f64),
        per_page(wall.elapsed().as_micros() as f64),
    );
    if count == 0 {
        return Err("the pre-rendered listing was empty".into());
    }
    Ok(result)
}

fn list_hyper(
    runtime: &tokio::runtime::Runtime,
    config: &Config,
    pages: u64,
) -> Result<(f64, f64), String> {
    use usercom_hyper::StreamExt;
    let (cpu, wall) = (thread_cpu_micros()?, Instant::now());
    let count = runtime.block_on(async {
        let client = usercom_hyper::Client::new(config.clone());
        let mut items = client.conversations().all(ListConversations::all());
        let mut count = 0_u64;
        while let Some(item) = items.next().await {
            item.map_err(|e| e.to_string())?;
            count += 1;
        }
        Ok::<_, String>(count)
    })?;
    let per_page = |total: f64| total / pages as f64;
    let result = (
        per_page((thread_cpu_micros()? - cpu) as f64),
        per_page(wall.elapsed().as_micros() as f64),
    );
    if count == 0 {
        return Err("the pre-rendered listing was empty".into());
    }
    Ok(result)
}

fn client_cpu(settings: &Settings, rows: &mut Vec<Row>) -> Result<(), String> {
    // One page as the fake serves it, pre-rendered.
    let fake = FakeServer::start(FakeOptions::default().conversations(100))
        .map_err(|e| format!("cannot start the fake server: {e}"))?;
    let config = fake.config().map_err(|e| e.to_string())?;
    let sample = usercom_ureq::Client::new(config.clone())
        .call(Raw(ListConversations::all()))
        .map_err(|e| e.to_string())?;
    let pages = settings.cpu_pages;
    let server = PageServer::start(sample.get().as_bytes(), pages)?;
    let config =
        Config::for_base_url(&server.base_url, DEFAULT_API_KEY).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;

    let (mut ureq_cpu, mut ureq_wall, mut hyper_cpu, mut hyper_wall) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Round 0 warms up and is not counted; the order alternates from round to round.
    for round in 0..=settings.cpu_rounds {
        let (u, h) = if round.is_multiple_of(2) {
            let u = list_ureq(&config, pages)?;
            (u, list_hyper(&runtime, &config, pages)?)
        } else {
            let h = list_hyper(&runtime, &config, pages)?;
            (list_ureq(&config, pages)?, h)
        };
        if round > 0 {
            ureq_cpu.push(u.0);
            ureq_wall.push(u.1);
            hyper_cpu.push(h.0);
            hyper_wall.push(h.1);
        }
    }
    let (uc, uw, hc, hw) = (
        median(ureq_cpu),
        median(ureq_wall),
        median(hyper_cpu),
        median(hyper_wall),
    );
    let what = format!("{pages} pre-rendered pages of 100");
    rows.push(Row {
        name: format!("usercom-ureq CPU per page ({what})"),
        median: format!("{uc:.0} µs"),
        ratio: "1.00 (baseline)".into(),
    });
    rows.push(Row {
        name: "usercom-hyper CPU per page (same pages)".into(),
        median: format!("{hc:.0} µs"),
        ratio: format!("{:.2} × ureq", hc / uc),
    });
    rows.push(Row {
        name: "usercom-ureq wall time per page".into(),
        median: format!("{uw:.0} µs"),
        ratio: "1.00 (baseline)".into(),
    });
    rows.push(Row {
        name: "usercom-hyper wall time per page".into(),
        median: format!("{hw:.0} µs"),
        ratio: format!("{:.2} × ureq", hw / uw),
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Sequential against concurrent export, at a set latency
// ---------------------------------------------------------------------------------------------

fn export_once(client: &usercom_ureq::Client, concurrency: usize) -> Result<(u64, f64), String> {
    let started = Instant::now();
    let mut count = 0_u64;
    if concurrency > 1 {
        for item in client.paginate_concurrently(ListConversations::all(), concurrency) {
            item.map_err(|e| e.to_string())?;
            count += 1;
        }
    } else {
        for item in client.paginate(ListConversations::all()) {
            item.map_err(|e| e.to_string())?;
            count += 1;
        }
    }
    Ok((count, started.elapsed().as_secs_f64()))
}

fn export(settings: &Settings, rows: &mut Vec<Row>) -> Result<(), String> {
    let items = settings.export_items;
    let fake = FakeServer::start(
        FakeOptions::default()
            .conversations(items)
            .latency(settings.latency)
            .request_log(0),
    )
    .map_err(|e| format!("cannot start the fake server: {e}"))?;
    let client = usercom_ureq::Client::new(fake.config().map_err(|e| e.to_string())?);
    let k = settings.concurrency;
    // Warm-up: the concurrent export, the shorter one.
    export_once(&client, k)?;
    let (mut sequential, mut concurrent) = (Vec::new(), Vec::new());
    for round in 0..settings.export_rounds {
        let order = if round.is_multiple_of(2) {
            [1, k]
        } else {
            [k, 1]
        };
        for concurrency in order {
            let (count, seconds) = export_once(&client, concurrency)?;
            if count != items as u64 {
                return Err(format!("exported {count} conversations of {items}"));
            }
            if concurrency == 1 {
                sequential.push(seconds);
            } else {
                concurrent.push(seconds);
            }
        }
    }
    let (s, c) = (median(sequential), median(concurrent));
    let ms = settings.latency.as_millis();
    rows.push(Row {
        name: format!("export {items} conversations at {ms} ms/page, sequential"),
        median: format!("{s:.3} s"),
        ratio: "1.00 (baseline)".into(),
    });
    rows.push(Row {
        name: format!("export {items} conversations at {ms} ms/page, {k} at once"),
        median: format!("{c:.3} s"),
        ratio: format!("{:.1}× faster", s / c),
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The CLI's peak memory
// ---------------------------------------------------------------------------------------------

/// A process of ours, killed when dropped; its stdout, if taken, is kept open until then.
struct Running(Child, Option<BufReader<ChildStdout>>);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The directory of the binaries built with the profile xtask itself was built with.
fn binary_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("where is xtask: {e}"))?;
    exe.parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| "xtask has no directory".to_owned())
}

/// Builds `usercom` and `usercom-fake` with xtask's own profile.
fn build_binaries() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build.args(["build", "-q", "-p", "usercom-cli", "-p", "usercom-fake"]);
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    let status = build
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cargo build -p usercom-cli -p usercom-fake failed".into());
    }
    binary_dir()
}

/// Starts `usercom-fake` with `items` conversations and returns it with its API root.
fn start_fake(dir: &Path, items: u64) -> Result<(Running, String), String> {
    let child = Command::new(dir.join("usercom-fake"))
        .args(["--port", "0", "--conversations", &items.to_string()])
        .env_remove("USERCOM_FAKE_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start usercom-fake: {e}"))?;
    let mut running = Running(child, None);
    let stdout = running
        .0
        .stdout
        .take()
        .ok_or("usercom-fake has no stdout")?;
    let mut stdout = BufReader::new(stdout);
    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .map_err(|e| format!("usercom-fake said nothing: {e}"))?;
    running.1 = Some(stdout);
    let root = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .ok_or_else(|| format!("usercom-fake did not say where it listens: {line:?}"))?
        .to_owned();
    Ok((running, root))
}

/// Runs the command after `--` as the only child of this process, then prints its peak
/// resident memory in KiB (`maxrss <KiB>`) and fails when it failed. This is `cargo xtask
/// bench-child -- …`, which the memory measurement runs.
pub fn child(command: &[&str]) -> Result<String, String> {
    let (program, args) = command.split_first().ok_or("bench-child: no command")?;
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if !status.success() {
        return Err(format!("{program} failed: {status}"));
    }
    let usage =
        getrusage(UsageWho::RUSAGE_CHILDREN).map_err(|e| format!("getrusage(CHILDREN): {e}"))?;
    Ok(format!("maxrss {}", usage.max_rss()))
}

/// The CLI's peak memory (KiB) and time exporting every conversation of a fake account.
fn cli_export(dir: &Path, items: u64) -> Result<(u64, f64), String> {
    let (_fake, root) = start_fake(dir, items)?;
    let xtask = std::env::current_exe().map_err(|e| e.to_string())?;
    let usercom = dir.join("usercom");
    let started = Instant::now();
    let output = Command::new(xtask)
        .arg("bench-child")
        .arg("--")
        .arg(&usercom)
        .args(["--base-url", &root, "--format", "jsonl"])
        .args(["conversations", "list", "--all"])
        .env("USERCOM_API_KEY", DEFAULT_API_KEY)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run xtask bench-child: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("the CLI export of {items} conversations failed"));
    }
    let kib = text
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("bench-child said {text:?}"))?;
    Ok((kib, seconds))
}

fn cli_memory(settings: &Settings, rows: &mut Vec<Row>) -> Result<(), String> {
    let dir = build_binaries()?;
    let [small, large] = settings.rss_items;
    let (small_kib, small_s) = cli_export(&dir, small)?;
    let (large_kib, large_s) = cli_export(&dir, large)?;
    let mib = |kib: u64| kib as f64 / 1024.0;
    rows.push(Row {
        name: format!("usercom CLI peak RSS exporting {small} conversations ({small_s:.1} s)"),
        median: format!("{:.1} MiB", mib(small_kib)),
        ratio: "1.00 (baseline)".into(),
    });
    rows.push(Row {
        name: format!("usercom CLI peak RSS exporting {large} conversations ({large_s:.1} s)"),
        median: format!("{:.1} MiB", mib(large_kib)),
        ratio: format!(
            "{:.2} × (flat is 1.00)",
            large_kib as f64 / small_kib as f64
        ),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
