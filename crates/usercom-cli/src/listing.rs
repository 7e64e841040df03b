//! Listings: one page by default, `--limit N` or `--all` across pages.
//!
//! Across pages, the client's item iterator runs on a thread of its own and hands the items
//! over a bounded channel a page at a time: the printer writes each page in one batch while
//! the next one is fetched, memory stays bounded whatever the listing's length, and a table's
//! column widths (set by the first batch) are those of the first page, whatever the timing.

use std::io::{self, IsTerminal};
use std::sync::mpsc;
use std::time::Duration;

use clap::ArgMatches;
use indicatif::{ProgressBar, ProgressStyle};
use usercom_core::{Api, Concurrent, Error, Paginator, RawJson};
use usercom_ureq::Client;

use crate::Failure;
use crate::generic::{ALL, LIMIT};
use crate::output::Printer;

/// Items in flight between the fetching thread and the printer.
const IN_FLIGHT: usize = 1024;

/// How much of a listing to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The first page (the default).
    OnePage,
    /// At most this many items, across pages.
    Limit(u64),
    /// Every page.
    All,
}

/// How many pages `--concurrency` lets a listing fetch at once (a global flag; 1 when absent).
fn concurrency(matches: &ArgMatches) -> usize {
    matches
        .try_get_one::<Option<u16>>("concurrency")
        .ok()
        .flatten()
        .copied()
        .flatten()
        .or_else(|| {
            matches
                .try_get_one::<u16>("concurrency")
                .ok()
                .flatten()
                .copied()
        })
        .map_or(1, usize::from)
}

impl From<&ArgMatches> for Mode {
    fn from(matches: &ArgMatches) -> Self {
        let all = matches.try_get_one::<bool>(ALL).ok().flatten() == Some(&true);
        match matches.try_get_one::<u64>(LIMIT).ok().flatten() {
            Some(limit) => Self::Limit(*limit),
            None if all => Self::All,
            None => Self::OnePage,
        }
    }
}

/// Prints a listing. An error after some items prints them first, then ends the output
/// properly (a JSON array is closed) and reports [`Failure::Incomplete`].
pub fn walk(
    client: &Client,
    mut pages: Paginator<RawJson>,
    matches: &ArgMatches,
    mut printer: Printer,
) -> Result<(), Failure> {
    let mode = Mode::from(matches);
    let limit = match mode {
        Mode::OnePage => {
            let first = pages.next_request().and_then(|request| match request {
                Some(request) => client
                    .send_request(request, true)
                    .and_then(|response| pages.process(response))
                    .map(Some),
                None => Ok(None),
            });
            let page = match first {
                Ok(Some(page)) => page,
                Ok(None) => return Ok(printer.finish()?),
                Err(error) => {
                    // The output stays well-formed (`[]` for JSON); the error says why.
                    printer.finish()?;
                    return Err(error.into());
                }
            };
            printer.items(&page.results)?;
            printer.finish()?;
            // A listing that cannot go on past this page (its `next` loops or leaves the
            // API, or it ends short of its `count`) says so, even on one page.
            if let Err(error) = pages.next_request() {
                return Err(match page.results.len() as u64 {
                    0 => error.into(),
                    received => Failure::Incomplete { received, error },
                });
            }
            if !pages.is_done() && io::stderr().is_terminal() {
                eprintln!("(more pages: add --all or --limit N)");
            }
            return Ok(());
        }
        Mode::Limit(limit) => limit,
        Mode::All => u64::MAX,
    };
    let mut items = match concurrency(matches) {
        1 => client.items(pages),
        k => client.items_concurrently(Concurrent::new(pages, k)),
    };
    type Batch = (Vec<Result<RawJson, Error>>, u64);
    let (sender, receiver) = mpsc::sync_channel::<Batch>(2);
    std::thread::spawn(move || {
        let (mut sent, mut batch) = (0, Vec::new());
        while sent < limit {
            let Some(item) = items.next() else { break };
            batch.push(item);
            sent += 1;
            // A page ends where nothing more is buffered.
            if items.buffered() == 0 || batch.len() >= IN_FLIGHT {
                let full = std::mem::take(&mut batch);
                if sender.send((full, items.pages_fetched())).is_err() {
                    return;
                }
            }
        }
        if !batch.is_empty() {
            let _ = sender.send((batch, items.pages_fetched()));
        }
    });
    let progress = io::stderr().is_terminal().then(|| {
        // Registered with the logger, so that log lines leave it whole.
        let bar = crate::log::progress(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar
    });
    let mut batch = Vec::new();
    let mut received = 0u64;
    let mut failed = None;
    while let Ok((items, pages_fetched)) = receiver.recv() {
        for item in items {
            match item {
                Ok(item) => batch.push(item),
                // The listing ends at its first error, which is the one to report.
                Err(error) => {
                    failed.get_or_insert(error);
                }
            }
        }
        received += print(&mut printer, &progress, &mut batch)?;
        if let Some(bar) = &progress {
            bar.set_position(received);
            bar.set_message(progress_line(received, pages_fetched, bar.elapsed()));
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    match failed {
        Some(error) if received == 0 => {
            // The output stays well-formed (`[]` for JSON); the error says why.
            printer.finish()?;
            Err(error.into())
        }
        Some(error) => {
            printer.finish()?;
            Err(Failure::Incomplete { received, error })
        }
        None => Ok(printer.finish()?),
    }
}

/// Prints a batch and empties it; returns how many items it had.
fn print(
    printer: &mut Printer,
    progress: &Option<ProgressBar>,
    batch: &mut Vec<RawJson>,
) -> io::Result<u64> {
    if batch.is_empty() {
        return Ok(0);
    }
    match progress {
        Some(bar) => bar.suspend(|| printer.items(batch))?,
        None => printer.items(batch)?,
    }
    let printed = batch.len() as u64;
    batch.clear();
    Ok(printed)
}

/// The progress line of a listing: `1,234 items, 13 pages, 1,180 items/s` (the rate once
/// a second has passed).
fn progress_line(items: u64, pages: u64, elapsed: Duration) -> String {
    let mut line = format!(
        "{} {}, {} {}",
        thousands(items),
        if items == 1 { "item" } else { "items" },
        thousands(pages),
        if pages == 1 { "page" } else { "pages" },
    );
    let seconds = elapsed.as_secs_f64();
    if seconds >= 1.0 {
        let rate = items as f64 / seconds;
        if rate < 10.0 {
            line.push_str(&format!(", {rate:.1} items/s"));
        } else {
            line.push_str(&format!(", {} items/s", thousands(rate.round() as u64)));
        }
    }
    line
}

/// `n` with its thousands separated by commas: `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_line_reads_well() {
        let second = Duration::from_secs(1);
        assert_eq!(progress_line(0, 0, Duration::ZERO), "0 items, 0 pages");
        assert_eq!(progress_line(1, 1, Duration::ZERO), "1 item, 1 page");
        assert_eq!(progress_line(100, 1, second / 2), "100 items, 1 page");
        assert_eq!(
            progress_line(1_234_567, 12_346, 1000 * second),
            "1,234,567 items, 12,346 pages, 1,235 items/s"
        );
        assert_eq!(
            progress_line(5, 1, 2 * second),
            "5 items, 1 page, 2.5 items/s"
        );
        assert_eq!(
            progress_line(1000, 10, 3 * second),
            "1,000 items, 10 pages, 333 items/s"
        );
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }
}
