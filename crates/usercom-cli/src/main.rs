//! `usercom`: the User.com REST API on the command line.
//!
//! Exit codes: 0 success; 2 usage errors and invalid input; 3 API errors (4xx); 4 network or
//! server errors after retries; 130 interrupted.

#![allow(clippy::print_stderr)]

mod output;
mod text;

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use usercom_core::config::{ENV_API_KEY, ENV_BASE_URL, ENV_SUBDOMAIN, KEY_HELP};
use usercom_core::conversations::{CreateConversation, ListConversations, Source};
use usercom_fake::{FakeOptions, FakeServer};
use usercom_ureq::{Client, ClientOptions, Config, Error, RetryPolicy};

use output::{Format, Listing};

const EXAMPLES: &str = "\
Examples:
  usercom --demo conversations list --all          try it on the built-in fake account
  usercom conversations list --open --limit 20     the first 20 open conversations
  usercom conversations list --user 2039 --all --format csv > conversations.csv
  usercom conversations get 339461                 a conversation as a readable transcript
  usercom conversations create --user 2039 --content 'Hi <b>there</b>' --source email

The key comes from USERCOM_API_KEY or --api-key-file; the account from --subdomain or
--base-url (or USERCOM_SUBDOMAIN / USERCOM_BASE_URL).

Exit codes: 0 success, 2 usage or invalid input, 3 API error (4xx), 4 network or server error
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
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Conversations: list, read and start them
    #[command(subcommand)]
    Conversations(ConversationsCommand),
}

#[derive(Debug, Subcommand)]
enum ConversationsCommand {
    /// List conversations: one page by default, --all for every page
    #[command(
        after_help = "Examples:\n  usercom conversations list --open\n  usercom conversations list --user 2039 --all --format csv"
    )]
    List(ListArgs),
    /// Show a conversation with its messages
    #[command(after_help = "Example:\n  usercom conversations get 339461 --format json")]
    Get {
        /// The conversation id
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        id: i64,
    },
    /// Start a conversation with a user by sending a first message
    #[command(
        after_help = "Example:\n  usercom conversations create --user 2039 --content 'Hi <b>there</b>' --source email --context '{\"ticket\": 17}'"
    )]
    Create(CreateArgs),
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Only open conversations
    #[arg(long)]
    open: bool,
    /// Only this user's conversations (numeric user id)
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
    user: Option<i64>,
    /// Every page, printed as it arrives
    #[arg(long, conflicts_with = "limit")]
    all: bool,
    /// At most N conversations, across pages
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    limit: Option<u64>,
}

#[derive(Debug, Args)]
struct CreateArgs {
    /// The user to talk to (numeric user id)
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
    user: i64,
    /// The first message: plain text or HTML
    #[arg(long, value_name = "TEXT")]
    content: String,
    /// The agent who authors the message (numeric id)
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
    agent: Option<i64>,
    /// The channel: chat, email, api, sms or slack
    #[arg(long, value_parser = parse_source)]
    source: Option<Source>,
    /// Context only your team sees, as JSON
    #[arg(long, value_name = "JSON", value_parser = parse_json)]
    context: Option<Value>,
}

fn parse_source(text: &str) -> Result<Source, String> {
    text.parse().map_err(|e: Error| match e {
        Error::InvalidInput(message) => message,
        other => other.to_string(),
    })
}

fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))
}

/// Why the program stops, and with which exit code.
enum Failure {
    Usage(String),
    Sdk(Error),
    Output(io::Error),
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
    let cli = Cli::parse();
    // A Ctrl-C ends the program between two output lines, never inside one: the exit waits
    // for the stdout lock, which is held only while a whole line is written. If the output
    // is blocked (a paused pager), it exits after a short wait all the same.
    let _ = ctrlc::set_handler(|| {
        std::thread::spawn(|| {
            let _whole_lines = io::stdout().lock();
            std::process::exit(130);
        });
        std::thread::sleep(std::time::Duration::from_millis(500));
        std::process::exit(130);
    });
    if cli.verbose {
        tracing_subscriber::fmt()
            .with_writer(io::stderr)
            .with_max_level(tracing::Level::DEBUG)
            .with_target(false)
            .init();
    }
    match run(&cli) {
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
    }
}

fn exit_code(error: &Error) -> u8 {
    match error {
        Error::InvalidInput(_) => 2,
        Error::Api(api) if !api.status.is_server_error() => 3,
        _ => 4,
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
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
    let format = cli.format.unwrap_or(if io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Jsonl
    });
    match &cli.command {
        Command::Conversations(ConversationsCommand::List(args)) => list(&client, format, args),
        Command::Conversations(ConversationsCommand::Get { id }) => {
            let conversation = client.get_conversation(*id)?;
            output::detail(format, &conversation)?;
            Ok(())
        }
        Command::Conversations(ConversationsCommand::Create(args)) => {
            let mut create = CreateConversation::new(args.user, args.content.clone());
            if let Some(agent) = args.agent {
                create = create.agent(agent);
            }
            if let Some(source) = args.source {
                create = create.source(source);
            }
            if let Some(context) = &args.context {
                create = create.source_context(context.clone());
            }
            let created = client.create_conversation(&create)?;
            output::summary(format, &created)?;
            Ok(())
        }
    }
}

/// The account from the flags or the environment, with the key from a file or the environment.
fn account(cli: &Cli) -> Result<Config, Failure> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let key = match &cli.api_key_file {
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
    };
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

fn list(client: &Client, format: Format, args: &ListArgs) -> Result<(), Failure> {
    let mut list = ListConversations::all().open_only(args.open);
    if let Some(user) = args.user {
        list = ListConversations::for_user(user).open_only(args.open);
    }
    let mut listing = Listing::new(format);
    if !args.all && args.limit.is_none() {
        let page = client.list_conversations(&list)?;
        for conversation in &page.results {
            listing.item(conversation)?;
        }
        listing.finish()?;
        if page.next.is_some() && io::stderr().is_terminal() {
            eprintln!("(more pages: add --all or --limit N)");
        }
        return Ok(());
    }
    let progress = io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos} conversations, {msg} ({per_sec})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar
    });
    let limit = args.limit.unwrap_or(u64::MAX);
    let mut items = client.all_conversations(list);
    let mut printed = 0;
    while printed < limit {
        let Some(conversation) = items.next() else {
            break;
        };
        let conversation = conversation?;
        match &progress {
            Some(bar) => {
                bar.suspend(|| listing.item(&conversation))?;
                bar.inc(1);
                bar.set_message(format!("{} pages", items.pages_fetched()));
            }
            None => listing.item(&conversation)?,
        }
        printed += 1;
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    listing.finish()?;
    Ok(())
}
