//! `usercom`: the User.com REST API on the command line.
//!
//! Every operation of the core's registry is a command (`usercom <group> <operation>`),
//! built at run time from its registration; `usercom api` sends any request; `usercom users
//! import` creates or updates users in bulk. Exit codes: 0 success; 2 usage errors and invalid
//! input; 3 API errors (4xx), listings that stopped early (a missing or looping next page)
//! and imports with rows not imported; 4 network or server errors and throttling (429) after
//! retries, and output that cannot be written; 130 interrupted.
//!
//! Features: `demo` (default) for `--demo`, the built-in fake account; `webhooks` (default)
//! for `webhooks listen`. Without them (`--no-default-features`) the binary leaves out the
//! fake server and the HTTP server, and those two say how to get them.

#![allow(clippy::print_stderr)]

mod api;
mod completion;
mod conversations;
mod explain;
mod generic;
mod import;
mod listing;
mod log;
mod output;
mod profile;
mod text;
mod webhooks;

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser};
use usercom_core::RawJson;
use usercom_core::config::{ENV_API_KEY, ENV_BASE_URL, ENV_SUBDOMAIN, KEY_HELP};
use usercom_core::registry::{self, Column, DynOperation, Registration};
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

The account comes from --subdomain or --base-url, the key from --api-key-file or
USERCOM_API_KEY; or both from a profile of the configuration file (--profile NAME, or the
profile called default): each setting from the command line, else the environment, else the
profile. A profile names the key's file, never the key:
  [profiles.acme]
  subdomain = \"acme\"
  api_key_file = \"~/.config/usercom/acme.key\"
RUST_LOG filters the log (RUST_LOG=usercom_ureq=debug); `usercom completion SHELL` prints
the shell completion script.

Exit codes: 0 success, 2 usage or invalid input, 3 API error (4xx) or a listing that stopped
early (printed, then a warning) or an import with rows not imported, 4 network or server error
or throttling (429) after retries, or output that cannot be written, 130 interrupted.";

/// The heading of the flags every command takes.
const GLOBAL: &str = "Global options";

/// The User.com REST API on the command line.
#[derive(Debug, Parser)]
#[command(name = "usercom", version, after_help = EXAMPLES)]
struct Cli {
    /// Your account's subdomain (`acme` for acme.user.com)
    #[arg(long, global = true, value_name = "NAME", env = ENV_SUBDOMAIN,
          hide_env_values = true, help_heading = GLOBAL)]
    subdomain: Option<String>,
    /// An explicit API root, such as a proxy
    #[arg(long, global = true, value_name = "URL", env = ENV_BASE_URL, hide_env_values = true,
          help_heading = GLOBAL)]
    base_url: Option<String>,
    /// Read the API key from this file (at most 4 KiB) instead of USERCOM_API_KEY
    #[arg(long, global = true, value_name = "PATH", env = profile::ENV_API_KEY_FILE,
          hide_env_values = true, help_heading = GLOBAL)]
    api_key_file: Option<PathBuf>,
    /// The account and key file of this profile of the configuration file [default: the
    /// profile called default, if any]
    #[arg(long, global = true, value_name = "NAME", env = profile::ENV_PROFILE,
          hide_env_values = true, help_heading = GLOBAL)]
    profile: Option<String>,
    /// The configuration file of the profiles [default: config.toml in the usercom folder of
    /// your configuration directory, such as ~/.config/usercom/config.toml]
    #[arg(long, global = true, value_name = "PATH", env = profile::ENV_CONFIG,
          hide_env_values = true, help_heading = GLOBAL)]
    config: Option<PathBuf>,
    /// Run against a built-in fake account with seeded data: no key or network needed
    #[arg(long, global = true, help_heading = GLOBAL)]
    demo: bool,
    /// Output format [default: table on a terminal, jsonl otherwise]
    #[arg(long, global = true, value_enum, help_heading = GLOBAL)]
    format: Option<Format>,
    /// Columns of table and CSV output: dotted paths into each item (id,user.email); a path
    /// an item lacks prints empty
    #[arg(long, global = true, value_name = "PATHS", value_parser = output::parse_fields,
          help_heading = GLOBAL)]
    fields: Option<&'static [Column]>,
    /// Log each request (method, URL, status, time) to stderr; -vv logs more (RUST_LOG,
    /// when set, filters instead)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = GLOBAL)]
    verbose: u8,
    /// Attempts per request in all, retries included (1 turns retries off)
    #[arg(long, global = true, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=20), help_heading = GLOBAL)]
    max_attempts: u32,
    /// Requests at once: pages of a listing with --all or --limit (page-numbered listings
    /// only; items still print in order) [default: 1]; rows of `users import` [default: 4]
    #[arg(long, global = true, value_name = "K",
          value_parser = clap::value_parser!(u16).range(1..=32), help_heading = GLOBAL)]
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
        .subcommand(completion::command())
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
    /// An SDK error said in the command's terms (what was not found, where keys are made).
    Explained {
        message: String,
        error: Error,
    },
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
    // A Ctrl-C ends the program between two output lines, never inside one, however long
    // the line and however slow its reader (see `output::exit_between_lines`).
    // A running `users import` takes the first two itself, to stop cleanly.
    let _ = ctrlc::set_handler(|| {
        if import::interrupt() {
            return;
        }
        output::exit_between_lines();
    });
    let outcome = Cli::from_arg_matches(&matches)
        .map_err(|e| Failure::Usage(e.to_string()))
        .and_then(|cli| {
            log::init(cli.verbose).map_err(Failure::Usage)?;
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
            // An error can quote the server: nothing in it may drive the terminal.
            eprintln!("usercom: {}", text::for_terminal(&error.to_string()));
            ExitCode::from(exit_code(&error))
        }
        Err(Failure::Reported(code)) => ExitCode::from(code),
        Err(Failure::Explained { message, error }) => {
            // The message can quote the server: nothing in it may drive the terminal.
            eprintln!("usercom: {}", text::for_terminal(&message));
            ExitCode::from(exit_code(&error))
        }
        Err(Failure::Incomplete { received, error }) => {
            eprintln!(
                "usercom: warning: {received} item{} printed, then: {}",
                if received == 1 { "" } else { "s" },
                text::for_terminal(&error.to_string())
            );
            ExitCode::from(exit_code(&error))
        }
    }
}

fn exit_code(error: &Error) -> u8 {
    match error {
        Error::InvalidInput(_) => 2,
        // Throttled past the retries: transient, like a server error.
        Error::Api(api) if api.status == http::StatusCode::TOO_MANY_REQUESTS => 4,
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
    let invoked = matches
        .subcommand()
        .map(|(name, m)| (name, m.subcommand_name()));
    if cli.fields.is_some()
        && matches!(
            invoked,
            Some(("api" | webhooks::NAME | completion::NAME, _))
                | Some((import::GROUP, Some(import::NAME)))
        )
    {
        return Err(Failure::Usage(
            "--fields chooses the columns of the API groups' commands (usercom users list \
             --fields id,email); this command has none"
                .to_owned(),
        ));
    }
    let settings = Settings::new(cli, matches);
    match matches.subcommand() {
        Some((completion::NAME, matches)) => return completion::run(command(), matches),
        Some((webhooks::NAME, matches)) => {
            let key = if cli.demo {
                demo::API_KEY.to_owned()
            } else {
                settings.key()?.0
            };
            return webhooks::run(&key, cli.format, matches);
        }
        _ => {}
    }
    let job = job(matches)?;
    // Kept alive while the command runs.
    let mut _demo = None;
    let (config, key_source) = if cli.demo {
        settings.refuse_with_demo()?;
        let (server, config) = demo::start()?;
        _demo = Some(server);
        (config, None)
    } else {
        let (config, source) = settings.account()?;
        (config, Some(source))
    };
    let retry = RetryPolicy::default().max_attempts(cli.max_attempts);
    let client = Client::with_options(config, ClientOptions::default().retry(retry));
    let outcome = match &job {
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
    };
    outcome.map_err(|failure| explain(failure, &job, client.config(), key_source.as_deref()))
}

/// A 404 said as what was not found; a 401 with where the account's keys are created.
fn explain(failure: Failure, job: &Job<'_>, config: &Config, key_source: Option<&str>) -> Failure {
    let Failure::Sdk(Error::Api(api)) = &failure else {
        return failure;
    };
    let message = match api.status.as_u16() {
        404 => {
            let missing = match job {
                Job::Operation {
                    registration,
                    operation,
                    ..
                } => operation.request(config).ok().and_then(|request| {
                    let path = below_root(config, request.uri().path());
                    explain::not_found(registration.paths.iter().copied(), path)
                }),
                Job::Api(matches) => api::path(config, matches)
                    .and_then(|path| explain::not_found_anywhere(below_root(config, &path))),
                Job::Import(_) => None,
            };
            match missing {
                Some(missing) => {
                    format!("{missing} not found ({failure_text})", failure_text = api)
                }
                None => return failure,
            }
        }
        401 => format!(
            "{api}\nusercom: the key{} was refused: an admin of the account creates the public \
             REST API key at {} (not the application key of Settings > Setup & integrations)",
            key_source
                .map(|source| format!(" from {source}"))
                .unwrap_or_default(),
            explain::credentials_url(config),
        ),
        _ => return failure,
    };
    match failure {
        Failure::Sdk(error) => Failure::Explained { message, error },
        other => other,
    }
}

/// `path` below the API root (`conversations/1/` of `/api/public/conversations/1/`).
fn below_root<'a>(config: &Config, path: &'a str) -> &'a str {
    path.strip_prefix(config.base_url().path()).unwrap_or(path)
}

/// The built-in fake account of `--demo`, when this binary has it.
#[cfg(feature = "demo")]
mod demo {
    use usercom_fake::{FakeOptions, FakeServer};

    use crate::{Config, Failure};

    /// The fake account's key.
    pub const API_KEY: &str = usercom_fake::DEFAULT_API_KEY;

    /// Starts the fake account, with the documentation's example objects.
    pub fn start() -> Result<(FakeServer, Config), Failure> {
        let server = FakeServer::start(FakeOptions::default().examples(true))
            .map_err(|e| Failure::Usage(format!("cannot start the built-in fake account: {e}")))?;
        let config = server.config()?;
        Ok((server, config))
    }
}

/// `--demo` in a binary built without the fake account.
#[cfg(not(feature = "demo"))]
mod demo {
    use crate::{Config, Failure};

    /// Unused: there is no fake account.
    pub const API_KEY: &str = "";

    /// Why there is no fake account.
    pub const MISSING: &str = "--demo needs the built-in fake account, which this usercom was \
                               built without: build it with the default features (cargo \
                               install --locked --path crates/usercom-cli)";

    /// Refuses: there is no fake account.
    pub fn start() -> Result<((), Config), Failure> {
        Err(Failure::Usage(MISSING.to_owned()))
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn demo_says_how_to_get_it() {
            let Err(crate::Failure::Usage(message)) = super::start() else {
                unreachable!("a slim build has no fake account")
            };
            assert!(message.contains("default features"), "{message}");
        }
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
    let chosen = output::fields(matches);
    let columns = chosen.unwrap_or(registration.columns);
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
    if chosen.is_none()
        && let Some(printed) = conversations::print(registration.name, format, &raw)
    {
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

/// Where a setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// A flag.
    CommandLine,
    /// An environment variable.
    Environment,
}

/// The account's settings, each from the command line, else the environment, else the
/// profile of the configuration file.
struct Settings<'a> {
    cli: &'a Cli,
    matches: &'a ArgMatches,
}

impl<'a> Settings<'a> {
    fn new(cli: &'a Cli, matches: &'a ArgMatches) -> Self {
        Self { cli, matches }
    }

    /// A flag's value, unless empty, with where it came from.
    fn get<'v>(&self, id: &str, value: Option<&'v String>) -> Option<(&'v str, Origin)> {
        let value = value.map(String::as_str).filter(|v| !v.trim().is_empty())?;
        match self.matches.value_source(id) {
            Some(ValueSource::CommandLine) => Some((value, Origin::CommandLine)),
            Some(ValueSource::EnvVariable) => Some((value, Origin::Environment)),
            _ => None,
        }
    }

    fn on_command_line(&self, id: &str) -> bool {
        self.matches.value_source(id) == Some(ValueSource::CommandLine)
    }

    /// `--demo` runs the fake account: a flag naming another account is a mistake (the
    /// environment's settings are left aside).
    fn refuse_with_demo(&self) -> Result<(), Failure> {
        for (id, flag) in [
            ("subdomain", "--subdomain"),
            ("base_url", "--base-url"),
            ("api_key_file", "--api-key-file"),
            ("profile", "--profile"),
        ] {
            if self.on_command_line(id) {
                return Err(Failure::Usage(format!(
                    "--demo runs the built-in fake account: it cannot be used with {flag}"
                )));
            }
        }
        Ok(())
    }

    /// The selected profile, if any: `--profile` or USERCOM_PROFILE, else the one called
    /// `default` when the file has it.
    fn profile(&self) -> Result<Option<(String, profile::Profile)>, Failure> {
        let name = self
            .cli
            .profile
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty());
        let given = self
            .cli
            .config
            .as_deref()
            .filter(|p| !p.as_os_str().is_empty());
        let Some(path) = profile::config_path(given) else {
            return match name {
                Some(name) => Err(Failure::Usage(format!(
                    "no profile {name}: the configuration directory is unknown (no home \
                     directory); point --config or {} at the file",
                    profile::ENV_CONFIG
                ))),
                None => Ok(None),
            };
        };
        let found = profile::load(&path, given.is_some(), name).map_err(Failure::Usage)?;
        Ok(found.map(|found| (name.unwrap_or(profile::DEFAULT_PROFILE).to_owned(), found)))
    }

    /// The API key, and where it came from (for messages: never the key).
    fn key(&self) -> Result<(String, String), Failure> {
        self.key_with(None)
    }

    fn key_with(
        &self,
        profile: Option<&(String, profile::Profile)>,
    ) -> Result<(String, String), Failure> {
        let from_file = |path: &Path, what: &str| {
            profile::read_key_file(path, what)
                .map(|key| (key, format!("{what} {}", path.display())))
                .map_err(Failure::Usage)
        };
        let env_key = std::env::var(ENV_API_KEY)
            .ok()
            .filter(|v| !v.trim().is_empty());
        let file = self
            .cli
            .api_key_file
            .as_deref()
            .filter(|p| !p.as_os_str().is_empty());
        match (file, self.matches.value_source("api_key_file")) {
            (Some(path), Some(ValueSource::CommandLine)) => {
                return from_file(path, "--api-key-file");
            }
            (Some(_), _) if env_key.is_some() => {
                return Err(Failure::Usage(format!(
                    "both {ENV_API_KEY} and {} are set; unset one, or pass --api-key-file",
                    profile::ENV_API_KEY_FILE
                )));
            }
            (Some(path), _) => return from_file(path, profile::ENV_API_KEY_FILE),
            (None, _) => {}
        }
        if let Some(key) = env_key {
            return Ok((key.trim().to_owned(), ENV_API_KEY.to_owned()));
        }
        let profile = match profile {
            Some(profile) => Some(profile.clone()),
            None => self.profile()?,
        };
        if let Some((name, profile)) = &profile
            && let Some(path) = &profile.api_key_file
        {
            return from_file(path, &format!("the api_key_file of profile {name}"));
        }
        Err(Failure::Usage(format!(
            "no API key: set {ENV_API_KEY}, pass --api-key-file PATH, or name a key file in \
             a profile (see usercom --help); {KEY_HELP} (or try --demo)"
        )))
    }

    /// The account's configuration, and where its key came from.
    fn account(&self) -> Result<(Config, String), Failure> {
        let base_url = self.get("base_url", self.cli.base_url.as_ref());
        let subdomain = self.get("subdomain", self.cli.subdomain.as_ref());
        let mut profile = None;
        let target = match (base_url, subdomain) {
            (Some((_, Origin::CommandLine)), Some((_, Origin::CommandLine))) => {
                return Err(Failure::Usage(
                    "--subdomain and --base-url name two accounts: pass one".to_owned(),
                ));
            }
            (Some((url, Origin::CommandLine)), _) => Ok(url.to_owned()),
            (_, Some((name, Origin::CommandLine))) => Err(name.to_owned()),
            (Some(_), Some(_)) => {
                return Err(Failure::Usage(format!(
                    "both {ENV_SUBDOMAIN} and {ENV_BASE_URL} are set; set one, or pass \
                     --subdomain or --base-url"
                )));
            }
            (Some((url, _)), None) => Ok(url.to_owned()),
            (None, Some((name, _))) => Err(name.to_owned()),
            (None, None) => {
                profile = self.profile()?;
                match &profile {
                    Some((_, p)) if p.base_url.is_some() => {
                        Ok(p.base_url.clone().unwrap_or_default())
                    }
                    Some((_, p)) if p.subdomain.is_some() => {
                        Err(p.subdomain.clone().unwrap_or_default())
                    }
                    found => {
                        let which = match found {
                            Some((name, _)) => {
                                format!("profile {name} names no account (subdomain or base_url); ")
                            }
                            None => String::new(),
                        };
                        return Err(Failure::Usage(format!(
                            "which account? {which}pass --subdomain NAME (acme for \
                             acme.user.com) or --base-url URL, set {ENV_SUBDOMAIN} or \
                             {ENV_BASE_URL}, or select a profile with --profile NAME (or try \
                             --demo)"
                        )));
                    }
                }
            }
        };
        let (key, source) = self.key_with(profile.as_ref())?;
        let config = match target {
            Ok(url) => Config::for_base_url(&url, &key),
            Err(name) => Config::for_subdomain(&name, &key),
        };
        let config = config.map_err(|e| match e {
            Error::InvalidInput(message) => Failure::Usage(message),
            other => Failure::Sdk(other),
        })?;
        Ok((config, source))
    }
}
