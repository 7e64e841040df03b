//! Output in the four formats, one complete line at a time.
//!
//! Every line is written whole while holding the stdout lock, and the Ctrl-C handler takes
//! the same lock before it exits, so an interrupted run never leaves half a line.

use std::io::{self, Write};

use clap::ValueEnum;
use serde::Serialize;
use usercom_core::conversations::{ConversationDetail, ConversationSummary};

use crate::text::{fit, html_to_text};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A JSON document (an array for listings).
    Json,
    /// One JSON object per line.
    Jsonl,
    /// Columns for people.
    Table,
    /// Comma-separated values with a header row.
    Csv,
}

/// Writes one line (a newline is added) in a single locked write, flushed.
pub fn line(text: &str) -> io::Result<()> {
    let mut buffer = String::with_capacity(text.len() + 1);
    buffer.push_str(text);
    buffer.push('\n');
    let mut out = io::stdout().lock();
    out.write_all(buffer.as_bytes())?;
    out.flush()
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn csv_row<I, S>(fields: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to memory cannot fail; an error would leave the row empty.
    let _ = writer.write_record(fields);
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .trim_end_matches('\n')
        .to_owned()
}

const SUMMARY_HEADER: [&str; 8] = [
    "id",
    "active",
    "messages",
    "user_id",
    "user_email",
    "user_name",
    "user_key",
    "agent_id",
];

fn summary_csv(c: &ConversationSummary) -> String {
    let or_empty = |v: &Option<String>| v.clone().unwrap_or_default();
    csv_row([
        c.id.to_string(),
        c.active.to_string(),
        c.messages.to_string(),
        c.user.id.to_string(),
        or_empty(&c.user.email),
        or_empty(&c.user.name),
        or_empty(&c.user.key),
        c.agent
            .as_ref()
            .and_then(|a| a.id)
            .map(|id| id.to_string())
            .unwrap_or_default(),
    ])
}

const TABLE_HEADER: &str = "ID          OPEN  MSGS  USER        NAME                      EMAIL";

fn summary_table(c: &ConversationSummary) -> String {
    format!(
        "{}  {}  {:>4}  {}  {}  {}",
        fit(&c.id.to_string(), 10),
        fit(if c.active { "yes" } else { "no" }, 4),
        c.messages,
        fit(&c.user.id.to_string(), 10),
        fit(c.user.name.as_deref().unwrap_or("-"), 24),
        c.user.email.as_deref().unwrap_or("-"),
    )
    .trim_end()
    .to_owned()
}

/// Prints a listing item by item, so that `--all` runs in constant memory.
pub struct Listing {
    format: Format,
    started: bool,
    /// The JSON format holds one item back to know whether a comma follows it.
    pending: Option<String>,
}

impl Listing {
    /// A listing in this format; nothing is printed yet.
    pub fn new(format: Format) -> Self {
        Self {
            format,
            started: false,
            pending: None,
        }
    }

    /// Prints one conversation (and the header before the first).
    pub fn item(&mut self, conversation: &ConversationSummary) -> io::Result<()> {
        if !self.started {
            self.started = true;
            match self.format {
                Format::Json => line("[")?,
                Format::Csv => line(&csv_row(SUMMARY_HEADER))?,
                Format::Table => line(TABLE_HEADER)?,
                Format::Jsonl => {}
            }
        }
        match self.format {
            Format::Json => {
                if let Some(previous) = self.pending.replace(format!("  {}", json(conversation))) {
                    line(&format!("{previous},"))?;
                }
                Ok(())
            }
            Format::Jsonl => line(&json(conversation)),
            Format::Csv => line(&summary_csv(conversation)),
            Format::Table => line(&summary_table(conversation)),
        }
    }

    /// Ends the listing (closes the JSON array; prints the header of an empty table or CSV).
    pub fn finish(mut self) -> io::Result<()> {
        match (self.format, self.started) {
            (Format::Json, false) => line("[]"),
            (Format::Json, true) => {
                if let Some(last) = self.pending.take() {
                    line(&last)?;
                }
                line("]")
            }
            (Format::Csv, false) => line(&csv_row(SUMMARY_HEADER)),
            (Format::Table, false) => line(TABLE_HEADER),
            _ => Ok(()),
        }
    }
}

/// Prints one conversation summary (as returned by create).
pub fn summary(format: Format, conversation: &ConversationSummary) -> io::Result<()> {
    match format {
        Format::Json => line(&serde_json::to_string_pretty(conversation).unwrap_or_default()),
        _ => {
            let mut listing = Listing::new(format);
            listing.item(conversation)?;
            listing.finish()
        }
    }
}

/// Prints a conversation with its messages; as a readable transcript in the table format.
pub fn detail(format: Format, conversation: &ConversationDetail) -> io::Result<()> {
    match format {
        Format::Json => line(&serde_json::to_string_pretty(conversation).unwrap_or_default()),
        Format::Jsonl => line(&json(conversation)),
        Format::Csv => {
            line(&csv_row([
                "conversation_id",
                "message_id",
                "timestamp",
                "source",
                "author_id",
                "author_email",
                "author_name",
                "content",
            ]))?;
            for message in &conversation.messages {
                let author = message.user.as_ref();
                line(&csv_row([
                    conversation.id.to_string(),
                    message.id.to_string(),
                    message.timestamp.to_string(),
                    message.source.to_string(),
                    author.map(|a| a.id.to_string()).unwrap_or_default(),
                    author.and_then(|a| a.email.clone()).unwrap_or_default(),
                    author.and_then(|a| a.name.clone()).unwrap_or_default(),
                    message.content.clone(),
                ]))?;
            }
            Ok(())
        }
        Format::Table => transcript(conversation),
    }
}

fn person(id: i64, name: Option<&str>, email: Option<&str>) -> String {
    match (name, email) {
        (Some(name), Some(email)) if name != email => format!("{name} <{email}>"),
        (Some(name), _) => name.to_owned(),
        (None, Some(email)) => email.to_owned(),
        (None, None) => format!("user {id}"),
    }
}

fn transcript(conversation: &ConversationDetail) -> io::Result<()> {
    let user = &conversation.user;
    let count = conversation.messages.len();
    line(&format!(
        "Conversation {} with {} ({}, {count} message{})",
        conversation.id,
        person(user.id, user.name.as_deref(), user.email.as_deref()),
        if conversation.active {
            "open"
        } else {
            "closed"
        },
        if count == 1 { "" } else { "s" },
    ))?;
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
        line("")?;
        line(&format!(
            "{}  {author}  [{}]",
            message.timestamp.strftime("%Y-%m-%d %H:%M:%S UTC"),
            message.source
        ))?;
        for text in html_to_text(&message.content).lines() {
            line(&format!("    {text}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(
            csv_row(["a", "b,c", "say \"hi\"", "two\nlines"]),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\""
        );
    }
}
