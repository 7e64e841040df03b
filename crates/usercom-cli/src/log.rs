//! Logging to stderr with `tracing`, and the progress bars that share stderr with it.
//!
//! `RUST_LOG` filters the log as usual (`RUST_LOG=usercom_ureq=debug`); without it, `-v` logs
//! the SDK's and the program's events at debug level (each request, each retry) and `-vv` at
//! trace level. Every progress bar is drawn through one [`MultiProgress`]: a log line hides
//! the bars, is written whole, and the bars are drawn again below it, so neither garbles the
//! other.

use std::io::{self, Write};
use std::sync::OnceLock;

use indicatif::{MultiProgress, ProgressBar};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The crates whose events `-v` shows.
const TARGETS: &[&str] = &["usercom", "usercom_core", "usercom_ureq", "usercom_fake"];

/// The progress bars on stderr.
fn bars() -> &'static MultiProgress {
    static BARS: OnceLock<MultiProgress> = OnceLock::new();
    BARS.get_or_init(MultiProgress::new)
}

/// `bar`, drawn on stderr below the log lines: every progress bar goes through here.
pub fn progress(bar: ProgressBar) -> ProgressBar {
    bars().add(bar)
}

/// Installs the logger: `RUST_LOG` when it is set, else `-v` (`verbose` times). Logs
/// nothing when neither asks for it. An invalid `RUST_LOG` is an error naming it.
pub fn init(verbose: u8) -> Result<(), String> {
    let (filter, targets) = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => (
            EnvFilter::builder()
                .parse(&directives)
                .map_err(|e| format!("RUST_LOG={directives:?} is not a valid filter: {e}"))?,
            true,
        ),
        _ if verbose == 0 => return Ok(()),
        _ => {
            let level = if verbose == 1 { "debug" } else { "trace" };
            let directives: Vec<String> = TARGETS
                .iter()
                .map(|target| format!("{target}={level}"))
                .collect();
            let filter = EnvFilter::builder().parse_lossy(format!("warn,{}", directives.join(",")));
            (filter, verbose > 1)
        }
    };
    // Another logger already installed (only in tests) keeps its place.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Suspending::stderr())
        .with_target(targets)
        .try_init();
    Ok(())
}

/// Writes each log line with the progress bars hidden, then draws them again.
#[derive(Clone)]
struct Suspending<F> {
    bars: MultiProgress,
    sink: F,
}

impl Suspending<fn() -> io::Stderr> {
    fn stderr() -> Self {
        Self {
            bars: bars().clone(),
            sink: io::stderr,
        }
    }
}

/// One log line's writer.
struct Line<'a, W> {
    bars: &'a MultiProgress,
    sink: W,
}

impl<W: Write> Write for Line<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let sink = &mut self.sink;
        self.bars.suspend(|| {
            sink.write_all(buf)?;
            sink.flush()
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sink.flush()
    }
}

impl<'a, F, W> MakeWriter<'a> for Suspending<F>
where
    F: Fn() -> W + 'static,
    W: Write,
{
    type Writer = Line<'a, W>;

    fn make_writer(&'a self) -> Self::Writer {
        Line {
            bars: &self.bars,
            sink: (self.sink)(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use indicatif::{InMemoryTerm, ProgressDrawTarget, ProgressStyle, TermLike};

    /// Writes to a terminal in memory as a terminal's line discipline would (`\n` also
    /// returns the cursor).
    struct Screen(InMemoryTerm);

    impl Write for Screen {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let text = String::from_utf8_lossy(buf).replace('\n', "\r\n");
            self.0.write_str(&text)?;
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            TermLike::flush(&self.0)
        }
    }

    #[test]
    fn log_lines_go_above_the_progress_line_without_garbling_it() {
        let term = InMemoryTerm::new(10, 60);
        let bars =
            MultiProgress::with_draw_target(ProgressDrawTarget::term_like(Box::new(term.clone())));
        let bar = bars.add(ProgressBar::new_spinner());
        bar.set_style(ProgressStyle::with_template("{pos} items, {msg}").unwrap());
        bar.set_message("1 page");
        bar.set_position(100);
        bar.tick();
        assert_eq!(term.contents(), "100 items, 1 page");

        let screen = term.clone();
        let writer = Suspending {
            bars: bars.clone(),
            sink: move || Screen(screen.clone()),
        };
        for n in 1..=2 {
            let line = format!("DEBUG usercom request: GET page={n} status=200\n");
            writer.make_writer().write_all(line.as_bytes()).unwrap();
        }
        assert_eq!(
            term.contents(),
            "DEBUG usercom request: GET page=1 status=200\n\
             DEBUG usercom request: GET page=2 status=200\n\
             100 items, 1 page"
        );
    }
}
