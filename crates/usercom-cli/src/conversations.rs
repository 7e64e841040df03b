//! The conversations commands, hand-written where they read better than the generic ones:
//! friendly flags (`--open`, `--user`, `--source email`) and the transcript of `get`. They
//! build the same registered operations, so sending, paging and JSON output are shared.

use std::fmt::Write as _;

use clap::{Args, Command, FromArgMatches};
use http::StatusCode;
use serde_json::{Map, Value};
use usercom_core::conversations::{ConversationDetail, Source};
use usercom_core::endpoint::decode_json;
use usercom_core::registry::Registration;
use usercom_core::{Error, RawJson};

use crate::Failure;
use crate::output::{Format, write_lines};
use crate::text::{for_terminal, html_to_text};

#[derive(Debug, Args)]
struct ListArgs {
    /// Only open conversations
    #[arg(long)]
    open: bool,
    /// Only this user's conversations (numeric user id)
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
    user: Option<i64>,
}

#[derive(Debug, Args)]
struct GetArgs {
    /// The conversation id
    #[arg(value_parser = clap::value_parser!(i64).range(1..))]
    id: i64,
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

/// The hand-written command of an operation, if it has one.
pub fn command(registration: &Registration) -> Option<Command> {
    let command = Command::new(registration.operation());
    Some(match registration.name {
        "conversations.list" => ListArgs::augment_args(
            command
                .about("List conversations: one page by default, --all for every page")
                .after_help(
                    "Examples:\n  usercom conversations list --open\n  usercom conversations \
                     list --user 2039 --all --format csv",
                ),
        ),
        "conversations.get" => GetArgs::augment_args(
            command
                .about("Show a conversation with its messages (a transcript in the table format)")
                .after_help("Example:\n  usercom conversations get 339461 --format json"),
        ),
        "conversations.create" => {
            CreateArgs::augment_args(command.about(registration.summary()).after_help(
                "Example:\n  usercom conversations create --user 2039 --content 'Hi <b>there</b>' \
                 --source email --context '{\"ticket\": 17}'",
            ))
        }
        _ => return None,
    })
}

/// The operation's JSON arguments from its hand-written command, if it has one.
pub fn arguments(
    registration: &Registration,
    matches: &clap::ArgMatches,
) -> Option<Result<Value, Failure>> {
    fn read<T: FromArgMatches>(matches: &clap::ArgMatches) -> Result<T, Failure> {
        T::from_arg_matches(matches).map_err(|e| Failure::Usage(e.to_string()))
    }
    let mut args = Map::new();
    let mut set = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            args.insert(name.to_owned(), value);
        }
    };
    match registration.name {
        "conversations.list" => match read::<ListArgs>(matches) {
            Ok(list) => {
                set("open_only", list.open.then_some(Value::Bool(true)));
                set("user_id", list.user.map(Value::from));
            }
            Err(failure) => return Some(Err(failure)),
        },
        "conversations.get" => match read::<GetArgs>(matches) {
            Ok(get) => set("id", Some(get.id.into())),
            Err(failure) => return Some(Err(failure)),
        },
        "conversations.create" => match read::<CreateArgs>(matches) {
            Ok(create) => {
                set("user_id", Some(create.user.into()));
                set("content", Some(create.content.into()));
                set("user", create.agent.map(Value::from));
                set("source", create.source.map(|s| s.name().into()));
                set("source_context", create.context);
            }
            Err(failure) => return Some(Err(failure)),
        },
        _ => return None,
    }
    Some(Ok(Value::Object(args)))
}

/// Prints an operation's answer in a hand-written form, if it has one in this format:
/// `conversations get` as a transcript (table, safe for a terminal) or one row per message
/// (CSV, exact).
pub fn print(name: &str, format: Format, raw: &RawJson) -> Option<Result<(), Failure>> {
    if name != "conversations.get" || !matches!(format, Format::Table | Format::Csv) {
        return None;
    }
    let detail = match decode_json::<ConversationDetail>(StatusCode::OK, raw.get().as_bytes()) {
        Ok(detail) => detail,
        Err(error) => return Some(Err(error.into())),
    };
    let text = match format {
        Format::Csv => messages_csv(&detail),
        // For a terminal: names, emails and messages come from visitors, and nothing in
        // them may drive the terminal.
        _ => for_terminal(&transcript(&detail)).into_owned(),
    };
    Some(write_lines(&text).map_err(Failure::from))
}

fn messages_csv(conversation: &ConversationDetail) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to memory cannot fail; an error would leave a row out.
    let _ = writer.write_record([
        "conversation_id",
        "message_id",
        "timestamp",
        "source",
        "author_id",
        "author_email",
        "author_name",
        "content",
    ]);
    for message in &conversation.messages {
        let author = message.user.as_ref();
        let _ = writer.write_record([
            conversation.id.to_string(),
            message.id.to_string(),
            message.timestamp.to_string(),
            message.source.to_string(),
            author.map(|a| a.id.to_string()).unwrap_or_default(),
            author.and_then(|a| a.email.clone()).unwrap_or_default(),
            author.and_then(|a| a.name.clone()).unwrap_or_default(),
            message.content.clone(),
        ]);
    }
    String::from_utf8_lossy(&writer.into_inner().unwrap_or_default()).into_owned()
}

fn person(id: i64, name: Option<&str>, email: Option<&str>) -> String {
    match (name, email) {
        (Some(name), Some(email)) if name != email => format!("{name} <{email}>"),
        (Some(name), _) => name.to_owned(),
        (None, Some(email)) => email.to_owned(),
        (None, None) => format!("user {id}"),
    }
}

fn transcript(conversation: &ConversationDetail) -> String {
    let user = &conversation.user;
    let count = conversation.messages.len();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Conversation {} with {} ({}, {count} message{})",
        conversation.id,
        person(user.id, user.name.as_deref(), user.email.as_deref()),
        if conversation.active {
            "open"
        } else {
            "closed"
        },
        if count == 1 { "" } else { "s" },
    );
    for message in &conversation.messages {
        let author = match &message.user {
            Some(author) => {
                let who = person(author.id, author.name.as_deref(), author.email.as_deref());
                if author.id == user.id {
                    who
                } else {
                    format!("{who} (agent)")
                }
            }
            None => "unknown".to_owned(),
        };
        let _ = writeln!(
            out,
            "\n{}  {author}  [{}]",
            message.timestamp.strftime("%Y-%m-%d %H:%M:%S UTC"),
            message.source
        );
        for text in html_to_text(&message.content).lines() {
            let _ = writeln!(out, "    {text}");
        }
    }
    out
}
