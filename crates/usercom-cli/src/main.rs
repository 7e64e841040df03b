//! `usercom`: the User.com REST API on the command line.
//!
//! Every operation of the core's registry is a command (`usercom <group> <operation>`),
//! built at run time from its registration; `usercom api` sends any request; `usercom users
//! import` creates or updates users in bulk. Exit codes: 0 success; 2 usage errors and invalid
//! input; 3 API errors (4xx), listings that stopped early (a missing or looping next page)
//! and imports with rows not imported; 4 network or server errors after retries; 130
//! interrupted.

#![allow(clippy::print_stderr)]

mod api;
mod conversations;
mod generic;
mod import;
mod listing;
mod output;
mod text;
mod webhooks;

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser};
use usercom_core::RawJson;
use usercom_core::config::{ENV_API_KEY, ENV_BASE_URL, ENV_SUBDOMAIN, KEY_HELP};
use usercom_core::registry::{self, Column, DynOperation, Registration};
use usercom_fake::{FakeOptions, FakeServer};
use usercom_ureq::{Client, ClientOptions, Config, Error, RetryPolicy};

use output::{Format, Printer};

const EXAMPLES: &str = "\
Examples:
  usercom --demo conversations list --all        try it on the built-in fake account
  usercom conversations list --open --limit 20   the first 20 open conversations
  usercom conversations list --user 2039 --all --format csv > conversations.csv
  usercom conversations get 339461               a conversation as a readable transcript
  usercom conversations create --user 2039 --content 'Hi <b>there</b>' --source email
  usercom tags create --name vip                 every API group has its commands
  usercom tags update 42 --data '{\"name\": \"gold\"}'
  usercom users import accounts.csv --types seats=int   create or update users in bulk
  usercom api GET conversations/ --all           any request below the API root

The key comes from USERCOM_API_KEY or --api-key-file; the account from --subdomain or
--base-url (or USERCOM_SUBDOMAIN / USERCOM_BASE_URL).

Exit codes: 0 success, 2 usage or invalid input, 3 API error (4xx) or a listing that stopped
early (printed, then a warning) or an import with rows not imported, 4 network or server error
after retries, 130 interrupted.";

/// The User.com REST API on the command line.
#[derive(Debug, Parser)]
#[command(name = "usercom", version, after_help = EXAMPLES)]
struct Cli {
    /// Your account's subdomain (`acme` for acme.user.com) [env: USERCOM_SUBDOMAIN]
    #[arg(long, global = true, value_name = "NAME")]
    subdomain: Option<String>,
    /// An explicit API root, such as a proxy [env: USERCOM_BASE_URL]
    #[arg(long, global = true, value_name = "URL", conflicts_with = "subdomain")]
    base_url: Option<String>,
    /// Read the API key from this file instead of USERCOM_API_KEY
    #[arg(long, global = true, value_name = "PATH")]
    api_key_file: Option<PathBuf>,
    /// Run against a built-in fake account with seeded data: no key or network needed
    #[arg(long, global = true, conflicts_with_all = ["subdomain", "base_url", "api_key_file"])]
    demo: bool,
    /// Output format [default: table on a terminal, jsonl otherwise]
    #[arg(long, global = true, value_enum)]
    format: Option<Format>,
    /// Log each request (method, URL, status, time) to stderr
    #[arg(short, long, global = true)]
    verbose: bool,
    /// Attempts per request in all, retries included (1 turns retries off)
    #[arg(long, global = true, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=20))]
    max_attempts: u32,
    /// Requests at once: pages of a listing with --all or --limit (page-numbered listings
    /// only; items still print in order) [default: 1]; rows of `users import` [default: 4]
    #[arg(long, global = true, value_name = "K",
          value_parser = clap::value_parser!(u16).range(1..=32))]
    concurrency: Option<u16>,
}

/// The whole command line: the global flags, a command per group and operation, and `api`.
fn command() -> clap::Command {
    let groups = generic::group_commands().into_iter().map(|group| {
        if group.get_name() == import::GROUP {
            group.subcommand(import::command())
        } else {
            group
        }
    });
    Cli::command()
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommands(groups)
        .subcommand(api::command())
        .subcommand(webhooks::command())
}

/// Why the program stops, and with which exit code.
enum Failure {
    Usage(String),
    Sdk(Error),
    Output(io::Error),
    /// A listing stopped early: what arrived was printed.
    Incomplete {
        received: u64,
        error: Error,
    },
    /// Already reported on stderr: exit with this code.
    Reported(u8),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Sdk(error)
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Self::Output(error)
    }
}

fn main() -> ExitCode {
    let matches = command().get_matches();
    // A Ctrl-C ends the program between two output lines, never inside one: the exit waits
    // for the stdout lock, which is held only while whole lines are written. If the output
    // is blocked (a paused pager), it exits after a short wait all the same.
    // A running `users import` takes the first two itself, to stop cleanly.
    let _ = ctrlc::set_handler(|| {
        if import::interrupt() {
            return;
        }
        std::thread::spawn(|| {
            let _whole_lines = io::stdout().lock();
            std::process::exit(130);
        });
        std::thread::sleep(std::time::Duration::from_millis(500));
        std::process::exit(130);
    });
    let outcome = Cli::from_arg_matches(&matches)
        .map_err(|e| Failure::Usage(e.to_string()))
        .and_then(|cli| {
            if cli.verbose {
                tracing_subscriber::fmt()
                    .with_writer(io::stderr)
                    .with_max_level(tracing::Level::DEBUG)
                    .with_target(false)
                    .init();
            }
            run(&cli, &matches)
        });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Output(e)) => {
            eprintln!("usercom: cannot write the output: {e}");
            ExitCode::from(4)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("usercom: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Sdk(error)) => {
            eprintln!("usercom: {error}");
            ExitCode::from(exit_code(&error))
        }
        Err(Failure::Reported(code)) => ExitCode::from(code),
        Err(Failure::Incomplete { received, error }) => {
            eprintln!(
                "usercom: warning: {received} item{} printed, then: {error}",
                if received == 1 { "" } else { "s" }
            );
            ExitCode::from(exit_code(&error))
        }
    }
}

fn exit_code(error: &Error) -> u8 {
    match error {
        Error::InvalidInput(_) => 2,
        Error::Api(api) if !api.status.is_server_error() => 3,
        Error::Pagination(_) => 3,
        _ => 4,
    }
}

/// What the command line asks for.
enum Job<'a> {
    /// `usercom api …`.
    Api(&'a ArgMatches),
    /// `usercom users import …`.
    Import(&'a ArgMatches),
    /// An operation of the registry, built from its arguments.
    Operation {
        registration: &'static Registration,
        operation: Box<dyn DynOperation>,
        matches: &'a ArgMatches,
    },
}

/// The job, with the operation built (and its arguments checked) before anything is sent.
fn job(matches: &ArgMatches) -> Result<Job<'_>, Failure> {
    let usage = Failure::Usage;
    let (group, matches) = matches
        .subcommand()
        .ok_or_else(|| usage("which command? see usercom --help".to_owned()))?;
    if group == "api" {
        return Ok(Job::Api(matches));
    }
    let (name, matches) = matches
        .subcommand()
        .ok_or_else(|| usage(format!("which {group} command? see usercom {group} --help")))?;
    if (group, name) == (import::GROUP, import::NAME) {
        return Ok(Job::Import(matches));
    }
    let registration = registry::find(&format!("{group}.{name}"))
        .ok_or_else(|| usage(format!("unknown command {group} {name}")))?;
    let args = match conversations::arguments(registration, matches) {
        Some(args) => args?,
        None => generic::arguments(registration, matches)?,
    };
    Ok(Job::Operation {
        registration,
        operation: registration.build(args)?,
        matches,
    })
}

/// The format to print in: as asked, or by default a table on a terminal and JSON lines
/// otherwise. Output without columns is JSON lines (said once on stderr if a table or CSV
/// was asked for).
fn format_for(asked: Option<Format>, columns: &[Column]) -> Format {
    match asked {
        Some(Format::Table | Format::Csv) if columns.is_empty() => {
            eprintln!("usercom: this output has no table form; printing JSON lines");
            Format::Jsonl
        }
        Some(format) => format,
        None if columns.is_empty() || !io::stdout().is_terminal() => Format::Jsonl,
        None => Format::Table,
    }
}

fn run(cli: &Cli, matches: &ArgMatches) -> Result<(), Failure> {
    if let Some((webhooks::NAME, matches)) = matches.subcommand() {
        let key = if cli.demo {
            usercom_fake::DEFAULT_API_KEY.to_owned()
        } else {
            api_key(cli)?
        };
        return webhooks::run(&key, cli.format, matches);
    }
    let job = job(matches)?;
    // Kept alive while the command runs.
    let mut _demo = None;
    let config = if cli.demo {
        let server = FakeServer::start(FakeOptions::default())
            .map_err(|e| Failure::Usage(format!("cannot start the built-in fake account: {e}")))?;
        let config = server.config()?;
        _demo = Some(server);
        config
    } else {
        account(cli)?
    };
    let retry = RetryPolicy::default().max_attempts(cli.max_attempts);
    let client = Client::with_options(config, ClientOptions::default().retry(retry));
    match job {
        Job::Api(matches) => api::run(&client, cli.format, matches),
        Job::Import(matches) => import::run(&client, cli.format, cli.concurrency, matches),
        Job::Operation {
            registration,
            operation,
            matches,
        } => run_operation(
            &client,
            registration,
            operation.as_ref(),
            cli.format,
            matches,
        ),
    }
}

/// Sends an operation and prints its answer: a listing page by page, anything else at once.
fn run_operation(
    client: &Client,
    registration: &Registration,
    operation: &dyn DynOperation,
    format: Option<Format>,
    matches: &ArgMatches,
) -> Result<(), Failure> {
    let config = client.config();
    let columns = registration.columns;
    if let Some(pages) = operation.raw_pages(config) {
        let printer = Printer::new(format_for(format, columns), columns);
        return listing::walk(client, pages, matches, printer);
    }
    let request = operation.request(config)?;
    let response = client.send_request(request, operation.idempotent())?;
    let (parts, body) = response.into_parts();
    let raw = operation.parse_raw(config, http::Response::from_parts(parts, body.as_slice()))?;
    if raw.get() == "null" {
        // Nothing came back (a 204): nothing to print.
        return Ok(());
    }
    let format = format_for(format, columns);
    if let Some(printed) = conversations::print(registration.name, format, &raw) {
        return printed;
    }
    if format == Format::Json {
        return Ok(output::line(raw.get())?);
    }
    // An array answer is printed item by item, like a listing.
    let items = match serde_json::from_str::<Vec<RawJson>>(raw.get()) {
        Ok(items) if raw.get().starts_with('[') => items,
        _ => vec![raw],
    };
    let mut printer = Printer::new(format, columns);
    printer.items(&items)?;
    Ok(printer.finish()?)
}

/// The API key, from `--api-key-file` or the environment.
fn api_key(cli: &Cli) -> Result<String, Failure> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    Ok(match &cli.api_key_file {
        Some(path) => {
            let key = std::fs::read_to_string(path).map_err(|e| {
                Failure::Usage(format!(
                    "cannot read --api-key-file {}: {e}",
                    path.display()
                ))
            })?;
            let key = key.trim().to_owned();
            if key.is_empty() {
                return Err(Failure::Usage(format!(
                    "--api-key-file {} is empty",
                    path.display()
                )));
            }
            key
        }
        None => env(ENV_API_KEY).ok_or_else(|| {
            Failure::Usage(format!(
                "no API key: set {ENV_API_KEY} or pass --api-key-file PATH; {KEY_HELP} \
                 (or try --demo)"
            ))
        })?,
    })
}

/// The account from the flags or the environment, with the key from a file or the environment.
fn account(cli: &Cli) -> Result<Config, Failure> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let key = api_key(cli)?;
    let target = match (&cli.base_url, &cli.subdomain) {
        (Some(url), _) => Ok(url.clone()),
        (None, Some(name)) => Err(name.clone()),
        (None, None) => match (env(ENV_BASE_URL), env(ENV_SUBDOMAIN)) {
            (Some(url), None) => Ok(url),
            (None, Some(name)) => Err(name),
            (Some(_), Some(_)) => {
                return Err(Failure::Usage(format!(
                    "both {ENV_SUBDOMAIN} and {ENV_BASE_URL} are set; set one, or pass \
                     --subdomain or --base-url"
                )));
            }
            (None, None) => {
                return Err(Failure::Usage(format!(
                    "which account? pass --subdomain NAME (acme for acme.user.com) or --base-url \
                     URL, or set {ENV_SUBDOMAIN} or {ENV_BASE_URL} (or try --demo)"
                )));
            }
        },
    };
    let config = match target {
        Ok(url) => Config::for_base_url(&url, &key),
        Err(name) => Config::for_subdomain(&name, &key),
    };
    config.map_err(|e| match e {
        Error::InvalidInput(message) => Failure::Usage(message),
        other => Failure::Sdk(other),
    })
}
