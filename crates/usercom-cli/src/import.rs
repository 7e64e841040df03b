//! `usercom users import FILE`: users from JSON lines or CSV, each row sent as `users.upsert`
//! (`update_or_create`, matched on `custom_id`, so running a file twice creates nothing new).
//!
//! A reader thread reads the input a row at a time (memory holds the rows in flight, never
//! the file) and hands the rows to `--concurrency` workers (4 unless told) over a bounded
//! queue. The workers send them with the CLI's client, so its rate limit and retry policy
//! apply (an upsert is retried: the operation says it is idempotent). The main thread learns
//! everything through one channel: a row is announced there before a worker can take it, so
//! every row sent is either answered or, when the run is cut short, written to the failed
//! rows' file as of unknown outcome. It keeps the tally, the progress bar, and that file,
//! JSON lines that can be fixed and imported again.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value};
use usercom_core::registry::{self, Registration};
use usercom_core::{Error, TransportErrorKind};
use usercom_ureq::Client;

use crate::Failure;
use crate::output::{self, Format};

/// The group the command belongs to.
pub const GROUP: &str = "users";
/// The command's name.
pub const NAME: &str = "import";
/// The operation each row is sent as.
const OPERATION: &str = "users.upsert";
/// The key of the note a failed row carries in the failed rows' file; removed on input.
const NOTE: &str = "_import";
/// Rows sent at once when `--concurrency` is not given.
const DEFAULT_CONCURRENCY: usize = 4;
/// Rows reported one by one on stderr; the others are only in the failed rows' file.
const SHOWN_FAILURES: u64 = 10;

const FILE_ARG: &str = "file";
const INPUT_FORMAT: &str = "input-format";
const TYPES: &str = "types";
const EMPTY: &str = "empty";
const FAILED: &str = "failed";
const FROM_LINE: &str = "from-line";

const ABOUT: &str =
    "Create or update users in bulk from JSON lines or CSV (update_or_create by custom_id)";

const LONG_ABOUT: &str = "\
Create or update users in bulk: each row of FILE (or standard input, -) is sent as `users \
upsert` (update_or_create), matched on its custom_id, so importing a file again updates the \
same users and creates nothing new. Rows are sent --concurrency at a time (4 unless told), \
with the client's retries and rate limit.

JSON lines: one object per line, the upsert's arguments: custom_id, standard fields and custom \
attributes side by side, with their JSON types ({\"custom_id\": \"acct-17\", \"email\": \
\"ada@example.com\", \"plan\": \"pro\", \"seats\": 5}). Blank lines are skipped.

CSV: a header row with a custom_id column. A column named like a standard field of the \
upsert (email, first_name, score, tags, …) is sent as that field, typed as the field is \
(tags: names separated by `;`); any other column is a custom attribute, sent as text unless \
--types says otherwise. An empty cell is not sent (the user keeps the value it has) unless \
--empty null.

A row that cannot be sent (not JSON, no custom_id, a cell that is not of its --types type) \
is reported with its line number and skipped; a row the API refuses is reported too. Both \
go, with their errors, to the failed rows' file: JSON lines, each the row as it would be sent \
plus an \"_import\" note (line, error), which is ignored on input, so the file can be fixed \
and imported again. Only rows that failed are in it; it is removed when none did.

The progress is shown on stderr when it is a terminal; a summary is printed at the end on \
stderr, and as a JSON object on stdout off a terminal or with --format json or jsonl.

Ctrl-C stops reading; the rows being sent are finished (a second Ctrl-C stops at once and \
writes them to the failed rows' file as of unknown outcome), then it says how far it got and \
which --from-line goes on from there.

Exit codes: 0 every row imported; 3 some rows were not imported (see the failed rows' file); \
4 some of those failed for a network or server error (worth running the file of failed rows \
again later); 2 bad arguments or a CSV header that cannot be imported (nothing sent), or the \
input could not be read to its end; 130 interrupted. An error that every row would meet \
(a wrong key, an unreachable server) stops the import with that error's exit code.";

const EXAMPLES: &str = "\
Examples:
  usercom users import accounts.jsonl
  usercom users import accounts.csv --types seats=int,newsletter=bool,renewal_date=date
  usercom --concurrency 8 users import accounts.csv --failed rejected.jsonl
  usercom users import accounts.csv.failed.jsonl       once the failed rows are fixed
  some-export | usercom users import - --input-format csv";

/// How many Ctrl-C the running import has taken (it handles the first two itself).
static INTERRUPTS: AtomicU32 = AtomicU32::new(0);
/// Whether an import is running, so that Ctrl-C is its to handle.
static RUNNING: AtomicBool = AtomicBool::new(false);

/// Called by the Ctrl-C handler: `true` when a running import takes the interruption (the
/// first stops it cleanly, the second at once); `false` when the program should exit.
pub fn interrupt() -> bool {
    RUNNING.load(Ordering::SeqCst) && INTERRUPTS.fetch_add(1, Ordering::SeqCst) < 2
}

fn interrupts() -> u32 {
    INTERRUPTS.load(Ordering::SeqCst)
}

/// The input's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputFormat {
    /// One JSON object per line.
    Jsonl,
    /// A header row, then one user per row.
    Csv,
}

/// What an empty CSV cell means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Empty {
    /// Nothing: the field is not sent, and the user keeps the value it has.
    Skip,
    /// `null`: the field is cleared.
    Null,
}

/// How a CSV cell becomes a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellType {
    /// Text, as it is.
    Text,
    /// A whole number.
    Integer,
    /// Any number.
    Float,
    /// true/false, yes/no, 1/0 (any case).
    Boolean,
    /// JSON text.
    Json,
    /// A date, `YYYY-MM-DD`, sent as text.
    Date,
    /// A date and time with an offset (RFC 3339), sent as text.
    DateTime,
    /// Names separated by `;`, sent as an array of text.
    List,
    /// A whole number if it is one, otherwise text (gender, status: a code or a name).
    NumberOrText,
}

impl CellType {
    /// The names `--types` takes.
    const NAMES: &'static [(&'static str, CellType)] = &[
        ("string", Self::Text),
        ("text", Self::Text),
        ("int", Self::Integer),
        ("integer", Self::Integer),
        ("float", Self::Float),
        ("number", Self::Float),
        ("bool", Self::Boolean),
        ("boolean", Self::Boolean),
        ("json", Self::Json),
        ("date", Self::Date),
        ("datetime", Self::DateTime),
        ("list", Self::List),
    ];

    /// The type of a standard field of the operation, from its JSON schema.
    fn of_schema(types: &[String]) -> Self {
        let types: Vec<&str> = types.iter().map(String::as_str).collect();
        match types.as_slice() {
            ["string"] => Self::Text,
            ["integer"] => Self::Integer,
            ["number"] => Self::Float,
            ["boolean"] => Self::Boolean,
            ["integer", "string"] => Self::NumberOrText,
            ["array"] => Self::List,
            _ => Self::Json,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Integer => "an integer",
            Self::Float => "a number",
            Self::Boolean => "a boolean (true/false, yes/no, 1/0)",
            Self::Json => "JSON",
            Self::Date => "a date (YYYY-MM-DD)",
            Self::DateTime => "a date-time with an offset (2024-05-01T09:30:00Z)",
            Self::List => "a list separated by ;",
            Self::NumberOrText => "a number or text",
        }
    }

    /// The value of a non-empty cell.
    fn value(self, cell: &str) -> Result<Value, String> {
        let trimmed = cell.trim();
        let bad = || format!("{cell:?} is not {}", self.name());
        match self {
            Self::Text => Ok(Value::from(cell)),
            Self::Integer => trimmed.parse::<i64>().map(Value::from).map_err(|_| bad()),
            Self::Float => trimmed
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(bad),
            Self::Boolean => match trimmed.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => Ok(Value::Bool(true)),
                "false" | "no" | "0" => Ok(Value::Bool(false)),
                _ => Err(bad()),
            },
            Self::Json => {
                serde_json::from_str(cell).map_err(|e| format!("{cell:?} is not JSON: {e}"))
            }
            Self::Date => trimmed
                .parse::<jiff::civil::Date>()
                .map(|_| Value::from(trimmed))
                .map_err(|_| bad()),
            Self::DateTime => trimmed
                .parse::<jiff::Timestamp>()
                .map(|_| Value::from(trimmed))
                .map_err(|_| bad()),
            Self::List => Ok(Value::Array(
                cell.split(';')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(Value::from)
                    .collect(),
            )),
            Self::NumberOrText => Ok(trimmed
                .parse::<i64>()
                .map_or_else(|_| Value::from(cell), Value::from)),
        }
    }
}

fn parse_type(text: &str) -> Result<(String, CellType), String> {
    let (column, name) = text
        .split_once('=')
        .map(|(column, name)| (column.trim(), name.trim()))
        .filter(|(column, _)| !column.is_empty())
        .ok_or_else(|| "expected COLUMN=TYPE".to_owned())?;
    let kind = CellType::NAMES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|(_, kind)| *kind)
        .ok_or_else(|| {
            let known: Vec<&str> = CellType::NAMES.iter().map(|(n, _)| *n).collect();
            format!("unknown type {name:?} (one of {})", known.join(", "))
        })?;
    Ok((column.to_owned(), kind))
}

/// The `users import` command.
pub fn command() -> Command {
    Command::new(NAME)
        .about(ABOUT)
        .long_about(LONG_ABOUT)
        .after_help(EXAMPLES)
        .arg(
            Arg::new(FILE_ARG)
                .value_name("FILE")
                .required(true)
                .help("JSON lines or CSV; - for standard input"),
        )
        .arg(
            Arg::new(INPUT_FORMAT)
                .long(INPUT_FORMAT)
                .value_name("FORMAT")
                .value_parser(clap::value_parser!(InputFormat))
                .help(
                    "The input's form [default: by the file's extension (.csv; .jsonl, .ndjson, \
                     .json), else JSON lines if it starts with {, else CSV]",
                ),
        )
        .arg(
            Arg::new(TYPES)
                .long(TYPES)
                .value_name("COLUMN=TYPE,…")
                .action(ArgAction::Append)
                .value_delimiter(',')
                .value_parser(parse_type)
                .help(
                    "CSV: the type of a column: string, int, float, bool, json, date, datetime, \
                     list (;-separated). Custom attributes are strings otherwise; standard \
                     fields have their own type",
                ),
        )
        .arg(
            Arg::new(EMPTY)
                .long(EMPTY)
                .value_name("WHAT")
                .value_parser(clap::value_parser!(Empty))
                .help("CSV: what an empty cell sends [default: skip]"),
        )
        .arg(
            Arg::new(FAILED)
                .long(FAILED)
                .value_name("PATH")
                .value_parser(clap::value_parser!(PathBuf))
                .help(
                    "Where the rows that were not imported go, with their errors [default: \
                     FILE.failed.jsonl, or X.failed.2.jsonl when FILE is X.failed.jsonl; \
                     stdin.failed.jsonl for standard input]",
                ),
        )
        .arg(
            Arg::new(FROM_LINE)
                .long(FROM_LINE)
                .value_name("LINE")
                .value_parser(clap::value_parser!(u64).range(1..))
                .help("Skip the rows that start before this line of FILE (to go on after Ctrl-C)"),
        )
}

/// A row that cannot be sent: why, and what could be read of it.
#[derive(Debug)]
struct Rejected {
    error: String,
    /// The row's fields as far as they could be read.
    fields: Map<String, Value>,
    /// The row's text, when it could not be read as fields.
    text: Option<String>,
}

/// One row of the input.
#[derive(Debug)]
struct Row {
    /// The line it starts on.
    line: u64,
    /// The bytes of input read so far.
    offset: u64,
    /// The upsert's arguments, or why there are none.
    args: Result<Map<String, Value>, Rejected>,
}

/// One CSV column.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    name: String,
    kind: CellType,
}

/// The rows of the input, one at a time.
enum Source {
    Jsonl {
        input: BufReader<Box<dyn Read + Send>>,
        line: u64,
        offset: u64,
    },
    Csv {
        reader: csv::Reader<BufReader<Box<dyn Read + Send>>>,
        columns: Vec<Column>,
        empty: Empty,
    },
}

impl Source {
    /// The next row; `None` at the end; an error when the input cannot be read.
    fn next_row(&mut self) -> Option<Result<Row, String>> {
        match self {
            Self::Jsonl {
                input,
                line,
                offset,
            } => loop {
                let mut bytes = Vec::new();
                match input.read_until(b'\n', &mut bytes) {
                    Ok(0) => return None,
                    Ok(read) => {
                        *line += 1;
                        *offset += read as u64;
                    }
                    Err(e) => return Some(Err(format!("after line {line}: {e}"))),
                }
                if *line == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
                    bytes.drain(..3);
                }
                if bytes.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Some(Ok(Row {
                    line: *line,
                    offset: *offset,
                    args: json_row(&bytes),
                }));
            },
            Self::Csv {
                reader,
                columns,
                empty,
            } => {
                let mut record = csv::ByteRecord::new();
                match reader.read_byte_record(&mut record) {
                    Ok(false) => None,
                    Ok(true) => {
                        let line = record.position().map_or(0, csv::Position::line);
                        Some(Ok(Row {
                            line,
                            offset: reader.position().byte(),
                            args: csv_row(&record, columns, *empty),
                        }))
                    }
                    Err(e) => Some(Err(e.to_string())),
                }
            }
        }
    }
}

/// The upsert's arguments from one JSON line.
fn json_row(bytes: &[u8]) -> Result<Map<String, Value>, Rejected> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    let rejected = |error: String| Rejected {
        error,
        fields: Map::new(),
        text: Some(text.to_owned()),
    };
    if std::str::from_utf8(bytes).is_err() {
        return Err(rejected("not UTF-8 text".to_owned()));
    }
    let mut fields = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(fields)) => fields,
        Ok(other) => {
            return Err(rejected(format!(
                "not a JSON object but {}",
                kind_of(&other)
            )));
        }
        Err(e) => return Err(rejected(format!("not valid JSON: {e}"))),
    };
    let note = fields.remove(NOTE);
    if fields.is_empty() && note.is_some() {
        return Err(rejected(format!(
            "only an {NOTE:?} note: write the row's fields (its text, if it had no fields, is in \
             {NOTE}.text)"
        )));
    }
    let problem = match fields.get("custom_id") {
        None => Some("no custom_id".to_owned()),
        Some(Value::String(id)) if id.trim().is_empty() => Some("custom_id is empty".to_owned()),
        Some(Value::String(_)) => None,
        Some(other) => Some(format!(
            "custom_id is {}, not a string: write it in quotes",
            kind_of(other)
        )),
    };
    match problem {
        Some(error) => Err(Rejected {
            error,
            fields,
            text: None,
        }),
        None => Ok(fields),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The upsert's arguments from one CSV record.
fn csv_row(
    record: &csv::ByteRecord,
    columns: &[Column],
    empty: Empty,
) -> Result<Map<String, Value>, Rejected> {
    // On error, the cells that could not be typed stay text, for the failed rows' file.
    let mut fields = Map::new();
    let mut errors = Vec::new();
    if record.len() != columns.len() {
        errors.push(format!(
            "{} cell{} where the header has {}",
            record.len(),
            if record.len() == 1 { "" } else { "s" },
            columns.len()
        ));
    }
    for (column, cell) in columns.iter().zip(record.iter()) {
        let Ok(cell) = std::str::from_utf8(cell) else {
            errors.push(format!("{}: not UTF-8 text", column.name));
            fields.insert(
                column.name.clone(),
                Value::from(String::from_utf8_lossy(cell).into_owned()),
            );
            continue;
        };
        if column.name == "custom_id" && cell.trim().is_empty() {
            errors.push("custom_id is empty".to_owned());
            continue;
        }
        if cell.is_empty() {
            if empty == Empty::Null {
                fields.insert(column.name.clone(), Value::Null);
            }
            continue;
        }
        match column.kind.value(cell) {
            Ok(value) => {
                fields.insert(column.name.clone(), value);
            }
            Err(error) => {
                errors.push(format!("{}: {error}", column.name));
                fields.insert(column.name.clone(), Value::from(cell));
            }
        }
    }
    if errors.is_empty() {
        return Ok(fields);
    }
    Err(Rejected {
        error: errors.join("; "),
        fields,
        text: None,
    })
}

/// The CSV columns from the header: each with its type, checked before anything is sent.
fn columns(
    header: &csv::ByteRecord,
    types: &[(String, CellType)],
    registration: &Registration,
    client: &Client,
) -> Result<Vec<Column>, Failure> {
    let usage = |message: String| Failure::Usage(format!("the CSV header: {message}"));
    let schema = registration.schema().to_value();
    let properties = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut columns: Vec<Column> = Vec::new();
    for (index, name) in header.iter().enumerate() {
        let name = std::str::from_utf8(name)
            .map_err(|_| usage(format!("column {} is not UTF-8 text", index + 1)))?
            .trim();
        if name.is_empty() {
            return Err(usage(format!("column {} has no name", index + 1)));
        }
        if columns.iter().any(|c| c.name == name) {
            return Err(usage(format!("two columns are called {name:?}")));
        }
        let kind = match properties.get(name) {
            Some(field) => CellType::of_schema(&crate::generic::types(field, &schema)),
            None => {
                // A custom attribute: the core refuses a name it cannot take (a standard
                // field's that the upsert does not set, such as id or user_key).
                let probe = Value::Object(Map::from_iter([
                    ("custom_id".to_owned(), Value::from("-")),
                    (name.to_owned(), Value::Null),
                ]));
                if let Err(error) = registration
                    .build(probe)
                    .and_then(|op| op.request(client.config()))
                {
                    return Err(usage(format!("column {name:?}: {error}")));
                }
                CellType::Text
            }
        };
        columns.push(Column {
            name: name.to_owned(),
            kind,
        });
    }
    if !columns.iter().any(|c| c.name == "custom_id") {
        return Err(usage(
            "no custom_id column: every row needs the custom id it is matched on".to_owned(),
        ));
    }
    for (name, kind) in types {
        let Some(column) = columns.iter_mut().find(|c| &c.name == name) else {
            return Err(Failure::Usage(format!(
                "--types {name}: the CSV has no column {name:?}"
            )));
        };
        if column.name == "custom_id" && *kind != CellType::Text {
            return Err(Failure::Usage(
                "--types custom_id: a custom id is text".to_owned(),
            ));
        }
        column.kind = *kind;
    }
    Ok(columns)
}

/// The input, opened, with its size when it is a file.
fn open(file: &str) -> Result<(Box<dyn Read + Send>, Option<u64>), Failure> {
    if file == "-" {
        return Ok((Box::new(io::stdin()), None));
    }
    let opened =
        File::open(file).map_err(|e| Failure::Usage(format!("cannot read {file}: {e}")))?;
    let size = opened
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len());
    Ok((Box::new(opened), size))
}

/// The input's form: as told, by the file's extension, or by its first character.
fn input_format(
    asked: Option<InputFormat>,
    file: &str,
    input: &mut BufReader<Box<dyn Read + Send>>,
) -> Result<InputFormat, Failure> {
    if let Some(format) = asked {
        return Ok(format);
    }
    let extension = Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("csv") => return Ok(InputFormat::Csv),
        Some("jsonl" | "ndjson" | "json") => return Ok(InputFormat::Jsonl),
        _ => {}
    }
    let start = input
        .fill_buf()
        .map_err(|e| Failure::Usage(format!("cannot read {file}: {e}")))?;
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    Ok(match start.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => InputFormat::Jsonl,
        _ => InputFormat::Csv,
    })
}

/// The failed rows' file: created when the import starts (so that a path that cannot be
/// written is found before anything is sent), removed at the end when nothing went to it.
struct FailedFile {
    path: PathBuf,
    out: BufWriter<File>,
    written: u64,
}

impl FailedFile {
    fn create(path: PathBuf, input: &str) -> Result<Self, Failure> {
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if input != "-" && same(&path, Path::new(input)) {
            return Err(Failure::Usage(format!(
                "--failed {}: that is the input; name another file",
                path.display()
            )));
        }
        let file = File::create(&path)
            .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?;
        Ok(Self {
            path,
            out: BufWriter::new(file),
            written: 0,
        })
    }

    /// Writes one row with its note; flushed at once, so a killed run keeps what it wrote.
    fn write(
        &mut self,
        mut fields: Map<String, Value>,
        note: Map<String, Value>,
    ) -> io::Result<()> {
        fields.insert(NOTE.to_owned(), Value::Object(note));
        serde_json::to_writer(&mut self.out, &fields)?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        self.written += 1;
        Ok(())
    }

    /// Flushes it, or removes it when no row went to it.
    fn finish(mut self) -> io::Result<Option<PathBuf>> {
        self.out.flush()?;
        if self.written == 0 {
            drop(self.out);
            std::fs::remove_file(&self.path)?;
            return Ok(None);
        }
        Ok(Some(self.path))
    }
}

/// How a row sent ended.
#[derive(Debug)]
enum Outcome {
    Created,
    Updated,
    /// Refused by the core before anything was sent (a check of the operation).
    Invalid(Error),
    /// Sent, and the API or the network said no.
    Failed(Error),
    /// The answer did not say whether a user was created.
    Unexpected(String),
    /// Taken after the import was told to stop: not sent.
    NotSent,
}

/// What the main thread hears.
#[derive(Debug)]
enum Event {
    /// A row that goes to the workers: in flight from now on.
    Queued {
        line: u64,
        offset: u64,
        args: Map<String, Value>,
    },
    /// A row that cannot be sent.
    Malformed {
        line: u64,
        offset: u64,
        rejected: Rejected,
    },
    /// A row's outcome.
    Done { line: u64, outcome: Outcome },
    /// The reader stopped: at the end of the input (`complete`), when told to, or on a
    /// read error.
    End {
        error: Option<String>,
        complete: bool,
    },
}

/// Sends one row.
fn upsert(client: &Client, registration: &Registration, args: Map<String, Value>) -> Outcome {
    let config = client.config();
    let operation = match registration.build(Value::Object(args)) {
        Ok(operation) => operation,
        Err(error) => return Outcome::Invalid(error),
    };
    let request = match operation.request(config) {
        Ok(request) => request,
        Err(error) => return Outcome::Invalid(error),
    };
    let response = match client.send_request(request, operation.idempotent()) {
        Ok(response) => response,
        Err(error) => return Outcome::Failed(error),
    };
    let (parts, body) = response.into_parts();
    let raw = match operation.parse_raw(config, http::Response::from_parts(parts, body.as_slice()))
    {
        Ok(raw) => raw,
        Err(error) => return Outcome::Failed(error),
    };
    let created = serde_json::from_str::<Value>(raw.get())
        .ok()
        .and_then(|answer| answer.get("created")?.as_bool());
    match created {
        Some(true) => Outcome::Created,
        Some(false) => Outcome::Updated,
        None => Outcome::Unexpected(format!(
            "the answer does not say whether a user was created: {}",
            output::one_line(raw.get())
        )),
    }
}

/// An error every other row would meet too: the import stops.
fn stops_everything(error: &Error) -> bool {
    match error {
        Error::Api(api) => matches!(api.status.as_u16(), 401 | 403 | 404 | 405),
        Error::Transport(transport) => transport.kind() == TransportErrorKind::Connect,
        _ => false,
    }
}

/// An error that a later run may not meet.
fn is_transient(error: &Error) -> bool {
    match error {
        Error::Api(api) => api.status.is_server_error() || api.status.as_u16() == 429,
        Error::Transport(_) => true,
        _ => false,
    }
}

/// An error as a row's report: a check's message as it is, anything else as displayed.
fn describe(error: &Error) -> String {
    match error {
        Error::InvalidInput(message) => message.clone(),
        other => other.to_string(),
    }
}

/// The note of a row refused, by the core's checks or by the API.
fn note_of(line: u64, error: &Error) -> Map<String, Value> {
    let mut note = Map::new();
    note.insert("line".to_owned(), Value::from(line));
    note.insert("error".to_owned(), Value::from(describe(error)));
    if let Some(api) = error.as_api() {
        note.insert("status".to_owned(), Value::from(api.status.as_u16()));
        if !api.field_errors.is_empty() {
            let fields = api
                .field_errors
                .iter()
                .map(|(field, messages)| (field.clone(), Value::from(messages.clone())))
                .collect();
            note.insert("fields".to_owned(), Value::Object(fields));
        }
    }
    note
}

fn note(line: u64, error: &str) -> Map<String, Value> {
    Map::from_iter([
        ("line".to_owned(), Value::from(line)),
        ("error".to_owned(), Value::from(error)),
    ])
}

/// The fields of a row and the note that says why it was not imported.
type FailedRow = (Map<String, Value>, Map<String, Value>);

/// The count so far, and what the main thread keeps track of.
#[derive(Default)]
struct Tally {
    created: u64,
    updated: u64,
    /// Sent and refused, or of unknown outcome.
    failed: u64,
    /// Never sent: could not be read, or refused by the core's checks.
    malformed: u64,
    /// Some failure may not happen again (a server or network error).
    transient: bool,
    /// The error that stopped the import, if one did.
    fatal: Option<Error>,
    /// The rows in flight, by line.
    in_flight: BTreeMap<u64, Map<String, Value>>,
    /// The first row not sent because the import stopped.
    first_not_sent: Option<u64>,
    /// The line of the last row read.
    last_line: u64,
    /// Bytes of input read.
    offset: u64,
    /// Whether the reader reached the end of the input.
    complete: bool,
    /// Why the input could not be read to its end.
    read_error: Option<String>,
    /// Rows reported on stderr so far.
    shown: u64,
}

impl Tally {
    fn done(&self) -> u64 {
        self.created + self.updated + self.failed + self.malformed
    }

    fn not_imported(&self) -> u64 {
        self.failed + self.malformed
    }

    fn message(&self) -> String {
        format!(
            "{}: {} created, {} updated, {} not imported",
            rows(self.done()),
            self.created,
            self.updated,
            self.not_imported()
        )
    }

    /// Takes in what happened; a row that was not imported is returned, to be written.
    fn hear(&mut self, event: Event, progress: &Option<ProgressBar>) -> Option<FailedRow> {
        match event {
            Event::Queued { line, offset, args } => {
                self.in_flight.insert(line, args);
                (self.last_line, self.offset) = (line, offset);
                None
            }
            Event::Malformed {
                line,
                offset,
                rejected,
            } => {
                (self.last_line, self.offset) = (line, offset);
                self.malformed += 1;
                self.report(progress, line, &rejected.error);
                let mut note = note(line, &rejected.error);
                if let Some(text) = rejected.text {
                    note.insert("text".to_owned(), Value::from(text));
                }
                Some((rejected.fields, note))
            }
            Event::Done { line, outcome } => {
                let args = self.in_flight.remove(&line).unwrap_or_default();
                match outcome {
                    Outcome::Created => self.created += 1,
                    Outcome::Updated => self.updated += 1,
                    Outcome::NotSent => {
                        self.first_not_sent =
                            Some(self.first_not_sent.map_or(line, |f| f.min(line)));
                    }
                    Outcome::Invalid(error) => {
                        self.malformed += 1;
                        self.report(progress, line, &describe(&error));
                        return Some((args, note_of(line, &error)));
                    }
                    Outcome::Unexpected(error) => {
                        self.failed += 1;
                        self.report(progress, line, &error);
                        return Some((args, note(line, &error)));
                    }
                    Outcome::Failed(error) => {
                        self.failed += 1;
                        self.transient |= is_transient(&error);
                        self.report(progress, line, &describe(&error));
                        let failed = (args, note_of(line, &error));
                        if stops_everything(&error) && self.fatal.is_none() {
                            self.fatal = Some(error);
                        }
                        return Some(failed);
                    }
                }
                None
            }
            Event::End { error, complete } => {
                self.complete = complete;
                self.read_error = error;
                None
            }
        }
    }

    /// Reports a row that was not imported on stderr (the first few).
    fn report(&mut self, progress: &Option<ProgressBar>, line: u64, error: &str) {
        self.shown += 1;
        match self.shown {
            n if n <= SHOWN_FAILURES => say(progress, &format!("usercom: line {line}: {error}")),
            n if n == SHOWN_FAILURES + 1 => say(
                progress,
                "usercom: more rows not imported: see the failed rows' file",
            ),
            _ => {}
        }
    }

    /// Why the import should stop, if it should.
    fn why_stop(&self, file: &str, writable: bool) -> Option<String> {
        if interrupts() > 0 {
            Some("interrupted".to_owned())
        } else if let Some(error) = &self.fatal {
            Some(format!("stopping: every row would fail: {error}"))
        } else if !writable {
            Some("stopping: the failed rows' file cannot be written".to_owned())
        } else {
            self.read_error
                .as_ref()
                .map(|e| format!("stopping: cannot read {file} {e}"))
        }
    }
}

/// `n rows`, or `1 row`.
fn rows(n: u64) -> String {
    if n == 1 {
        "1 row".to_owned()
    } else {
        format!("{n} rows")
    }
}

/// A line on stderr, above the progress bar if there is one. It can quote the server or the
/// input: nothing in it may drive the terminal.
fn say(progress: &Option<ProgressBar>, text: &str) {
    let text = crate::text::for_terminal(text);
    match progress {
        Some(bar) => bar.suspend(|| eprintln!("{text}")),
        None => eprintln!("{text}"),
    }
}

/// The progress bar on stderr, when it is a terminal: by bytes of a file, or a spinner.
fn progress_bar(size: Option<u64>) -> Option<ProgressBar> {
    io::stderr().is_terminal().then(|| {
        let (bar, template) = match size {
            Some(size) => (
                ProgressBar::new(size),
                "{bar:30} {percent:>3}% {msg} [{elapsed_precise}, {eta} left]",
            ),
            None => (
                ProgressBar::new_spinner(),
                "{spinner} {msg} [{elapsed_precise}]",
            ),
        };
        bar.set_style(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        // Registered with the logger, so that log lines leave it whole.
        crate::log::progress(bar)
    })
}

/// What `users import` was asked to read, checked before anything is sent.
struct Plan {
    file: String,
    source: Source,
    size: Option<u64>,
    from_line: u64,
    failed_file: FailedFile,
}

impl Plan {
    fn new(
        client: &Client,
        registration: &Registration,
        matches: &ArgMatches,
    ) -> Result<Self, Failure> {
        let usage = Failure::Usage;
        let file = matches
            .get_one::<String>(FILE_ARG)
            .cloned()
            .unwrap_or_else(|| "-".to_owned());
        let types: Vec<(String, CellType)> = matches
            .get_many::<(String, CellType)>(TYPES)
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let empty = matches.get_one::<Empty>(EMPTY).copied();
        let (input, size) = open(&file)?;
        let mut input = BufReader::with_capacity(1 << 16, input);
        let source = match input_format(matches.get_one(INPUT_FORMAT).copied(), &file, &mut input)?
        {
            InputFormat::Jsonl if !types.is_empty() || empty.is_some() => {
                return Err(usage(
                    "--types and --empty are for CSV input; JSON lines carry their own types"
                        .to_owned(),
                ));
            }
            InputFormat::Jsonl => Source::Jsonl {
                input,
                line: 0,
                offset: 0,
            },
            InputFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
                let header = reader
                    .byte_headers()
                    .map_err(|e| usage(format!("cannot read the CSV header of {file}: {e}")))?
                    .clone();
                Source::Csv {
                    columns: columns(&header, &types, registration, client)?,
                    reader,
                    empty: empty.unwrap_or(Empty::Skip),
                }
            }
        };
        let failed_path = matches
            .get_one::<PathBuf>(FAILED)
            .cloned()
            .unwrap_or_else(|| failed_path_for(&file));
        Ok(Self {
            failed_file: FailedFile::create(failed_path, &file)?,
            from_line: matches.get_one::<u64>(FROM_LINE).copied().unwrap_or(1),
            file,
            source,
            size,
        })
    }
}

/// The failed rows' file of an input: `accounts.csv.failed.jsonl`. Importing that file writes
/// `accounts.csv.failed.2.jsonl`, then `accounts.csv.failed.3.jsonl`: each round counts
/// instead of stacking suffixes, and never writes over the file it reads.
fn failed_path_for(file: &str) -> PathBuf {
    if file == "-" {
        return PathBuf::from("stdin.failed.jsonl");
    }
    let round = |stem: &str, round: u64| PathBuf::from(format!("{stem}.failed.{round}.jsonl"));
    if let Some(stem) = file.strip_suffix(".failed.jsonl") {
        return round(stem, 2);
    }
    if let Some((stem, text)) = file
        .strip_suffix(".jsonl")
        .and_then(|name| name.rsplit_once(".failed."))
        && let Ok(n) = text.parse::<u64>()
        && n.to_string() == text
    {
        return round(stem, n.saturating_add(1));
    }
    PathBuf::from(format!("{file}.failed.jsonl"))
}

/// Starts `workers` threads that send the rows of `queue`, unless told to stop.
fn start_workers(
    workers: usize,
    client: &Client,
    registration: &'static Registration,
    queue: mpsc::Receiver<(u64, Map<String, Value>)>,
    events: &SyncSender<Event>,
    stop: &Arc<AtomicBool>,
) {
    let queue = Arc::new(Mutex::new(queue));
    for _ in 0..workers {
        let (client, events, queue, stop) = (
            client.clone(),
            events.clone(),
            Arc::clone(&queue),
            Arc::clone(stop),
        );
        std::thread::spawn(move || {
            loop {
                let next = match queue.lock() {
                    Ok(queue) => queue.recv(),
                    Err(_) => return,
                };
                let Ok((line, args)) = next else { return };
                let outcome = if stop.load(Ordering::SeqCst) {
                    Outcome::NotSent
                } else {
                    upsert(&client, registration, args)
                };
                if events.send(Event::Done { line, outcome }).is_err() {
                    return;
                }
            }
        });
    }
}

/// Runs `usercom users import`.
pub fn run(
    client: &Client,
    format: Option<Format>,
    concurrency: Option<u16>,
    matches: &ArgMatches,
) -> Result<(), Failure> {
    let registration = registry::find(OPERATION)
        .ok_or_else(|| Failure::Usage(format!("this build has no {OPERATION} operation")))?;
    let Plan {
        file,
        source,
        size,
        from_line,
        mut failed_file,
    } = Plan::new(client, registration, matches)?;
    let workers = concurrency.map_or(DEFAULT_CONCURRENCY, usize::from).max(1);

    RUNNING.store(true, Ordering::SeqCst);
    let stop = Arc::new(AtomicBool::new(false));
    // Room for the rows in flight and a little more: the reader and the workers wait when
    // the main thread falls behind, and the reader when the workers do, so memory stays
    // bounded whatever the input's size.
    let (events, heard) = mpsc::sync_channel::<Event>(4 * workers + 64);
    let (work, queue) = mpsc::sync_channel::<(u64, Map<String, Value>)>(workers);
    start_workers(workers, client, registration, queue, &events, &stop);
    {
        let (events, stop) = (events.clone(), Arc::clone(&stop));
        std::thread::spawn(move || read_rows(source, from_line, &stop, &events, &work));
    }
    drop(events);

    let progress = progress_bar(size);
    let mut tally = Tally {
        last_line: from_line.saturating_sub(1),
        ..Tally::default()
    };
    let mut stopping = false;
    let mut written = Ok(());
    loop {
        match heard.recv_timeout(Duration::from_millis(100)) {
            Ok(event) => {
                if let Some((fields, note)) = tally.hear(event, &progress)
                    && written.is_ok()
                {
                    written = failed_file.write(fields, note);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if let Some(bar) = &progress {
            bar.set_position(tally.offset);
            bar.set_message(tally.message());
        }
        if !stopping && let Some(why) = tally.why_stop(&file, written.is_ok()) {
            stopping = true;
            stop.store(true, Ordering::SeqCst);
            let waiting = tally.in_flight.len();
            say(
                &progress,
                &if waiting > 0 && interrupts() > 0 {
                    format!(
                        "usercom: {why}: waiting for the rows being sent (Ctrl-C again to stop \
                         now)"
                    )
                } else {
                    format!("usercom: {why}")
                },
            );
        }
        // Stopping: once every row announced is accounted for, or at a second Ctrl-C.
        if stopping && (tally.in_flight.is_empty() || interrupts() > 1) {
            break;
        }
    }
    RUNNING.store(false, Ordering::SeqCst);
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    // Rows still in flight when the import stopped at once: whether they were imported is
    // not known; sending them again is safe.
    for (line, args) in std::mem::take(&mut tally.in_flight) {
        tally.failed += 1;
        if written.is_ok() {
            written = failed_file.write(
                args,
                note(
                    line,
                    "interrupted while being sent: whether it was imported is not known; \
                     importing it again is safe",
                ),
            );
        }
    }
    finish(&file, format, tally, failed_file, written, stopping)
}

/// Reads the input into rows: those that can be sent go to the workers (announced to the
/// main thread first), the others to the main thread.
fn read_rows(
    mut source: Source,
    from_line: u64,
    stop: &AtomicBool,
    events: &SyncSender<Event>,
    work: &SyncSender<(u64, Map<String, Value>)>,
) {
    let (error, complete) = loop {
        if stop.load(Ordering::SeqCst) {
            break (None, false);
        }
        let row = match source.next_row() {
            None => break (None, true),
            Some(Err(error)) => break (Some(error), false),
            Some(Ok(row)) => row,
        };
        if row.line < from_line {
            continue;
        }
        let (line, offset) = (row.line, row.offset);
        let sent = match row.args {
            Ok(args) => {
                events
                    .send(Event::Queued {
                        line,
                        offset,
                        args: args.clone(),
                    })
                    .is_ok()
                    && work.send((line, args)).is_ok()
            }
            Err(rejected) => events
                .send(Event::Malformed {
                    line,
                    offset,
                    rejected,
                })
                .is_ok(),
        };
        if !sent {
            return;
        }
    };
    let _ = events.send(Event::End { error, complete });
}

/// Prints the summary and says how the import ended.
fn finish(
    file: &str,
    format: Option<Format>,
    tally: Tally,
    failed_file: FailedFile,
    written: io::Result<()>,
    stopped: bool,
) -> Result<(), Failure> {
    let failed_path = failed_file.path.clone();
    let kept = match written {
        Ok(()) => failed_file.finish().map_err(|e| {
            eprintln!("usercom: cannot finish {}: {e}", failed_path.display());
            e
        }),
        Err(e) => {
            eprintln!(
                "usercom: cannot write {}: {e}; the rows not imported after that were not \
                 written",
                failed_path.display()
            );
            let _ = failed_file.finish();
            Err(e)
        }
    };
    let kept = kept.ok().flatten();
    let resume = (stopped && !(tally.complete && tally.first_not_sent.is_none()))
        .then(|| tally.first_not_sent.unwrap_or(tally.last_line + 1));
    eprintln!(
        "usercom: {}{}",
        tally.message(),
        if tally.malformed > 0 {
            format!(
                " ({} failed, {} could not be sent)",
                tally.failed, tally.malformed
            )
        } else {
            String::new()
        }
    );
    if let Some(path) = &kept {
        let again = format!(
            "usercom users import {}",
            shell_word(&path.display().to_string())
        );
        let (not_imported, errors, them) = match tally.not_imported() {
            1 => ("the row not imported is".to_owned(), "its error", "it"),
            n => (
                format!("the {n} rows not imported are"),
                "their errors",
                "them",
            ),
        };
        eprintln!(
            "usercom: {not_imported} in {}, with {errors}; fix {them} and run: {again}",
            path.display()
        );
    }
    if let Some(line) = resume {
        let source = if file == "-" {
            "the input".to_owned()
        } else {
            shell_word(file)
        };
        eprintln!(
            "usercom: stopped before line {line}: every row before it was imported or is in \
             the failed rows' file; to go on: usercom users import {source} --from-line {line} \
             (a row imported twice is updated, not duplicated)"
        );
    }
    let summary = serde_json::json!({
        "rows": tally.done(),
        "created": tally.created,
        "updated": tally.updated,
        "failed": tally.failed,
        "malformed": tally.malformed,
        "failed_file": kept.as_ref().map(|p| p.display().to_string()),
        "resume_from_line": resume,
    });
    let print = match format {
        Some(Format::Json | Format::Jsonl) => true,
        Some(Format::Table | Format::Csv) => false,
        None => !io::stdout().is_terminal(),
    };
    if print {
        output::line(&summary.to_string())?;
    }
    if interrupts() > 0 {
        return Err(Failure::Reported(130));
    }
    if let Some(error) = &tally.fatal {
        return Err(Failure::Reported(crate::exit_code(error)));
    }
    if tally.read_error.is_some() {
        return Err(Failure::Reported(2));
    }
    if tally.not_imported() > 0 {
        return Err(Failure::Reported(if tally.transient { 4 } else { 3 }));
    }
    Ok(())
}

/// `text` as one shell word.
fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./@%+=:,".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_are_typed() {
        assert_eq!(CellType::Integer.value(" 42 "), Ok(json!(42)));
        assert!(CellType::Integer.value("4.5").is_err());
        assert_eq!(CellType::Float.value("4.5"), Ok(json!(4.5)));
        assert_eq!(CellType::Boolean.value("Yes"), Ok(json!(true)));
        assert_eq!(CellType::Boolean.value("0"), Ok(json!(false)));
        assert!(
            CellType::Boolean
                .value("maybe")
                .unwrap_err()
                .contains("\"maybe\" is not a boolean")
        );
        assert_eq!(CellType::Json.value(r#"{"a":[1]}"#), Ok(json!({"a": [1]})));
        assert_eq!(CellType::Date.value("2024-02-29"), Ok(json!("2024-02-29")));
        assert!(CellType::Date.value("2023-02-29").is_err());
        assert!(CellType::DateTime.value("2024-05-01T09:30:00Z").is_ok());
        assert!(CellType::DateTime.value("2024-05-01 09:30").is_err());
        assert_eq!(
            CellType::List.value("vip; beta;"),
            Ok(json!(["vip", "beta"]))
        );
        assert_eq!(CellType::NumberOrText.value("3"), Ok(json!(3)));
        assert_eq!(CellType::NumberOrText.value("female"), Ok(json!("female")));
        assert_eq!(CellType::Text.value(" 007 "), Ok(json!(" 007 ")));
    }

    #[test]
    fn types_are_parsed() {
        assert_eq!(
            parse_type("seats=INT"),
            Ok(("seats".to_owned(), CellType::Integer))
        );
        assert!(parse_type("seats").unwrap_err().contains("COLUMN=TYPE"));
        assert!(
            parse_type("seats=decimal")
                .unwrap_err()
                .contains("\"decimal\"")
        );
    }

    #[test]
    fn json_rows_need_an_object_with_a_custom_id() {
        let ok = json_row(br#"{"custom_id": "a", "plan": "pro", "_import": {"line": 3}}"#);
        assert_eq!(
            ok.unwrap(),
            json!({"custom_id": "a", "plan": "pro"})
                .as_object()
                .cloned()
                .unwrap()
        );
        for (line, expected) in [
            (&b"{bad"[..], "not valid JSON"),
            (b"[1]", "not a JSON object but an array"),
            (br#"{"plan": "pro"}"#, "no custom_id"),
            (br#"{"custom_id": " "}"#, "custom_id is empty"),
            (br#"{"custom_id": 17}"#, "custom_id is a number"),
            (
                br#"{"_import": {"text": "{bad"}}"#,
                "only an \"_import\" note",
            ),
            (b"{\"custom_id\": \"\xff\"}", "not UTF-8"),
        ] {
            let error = json_row(line).unwrap_err().error;
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn csv_rows_are_typed_and_report_every_bad_cell() {
        let columns = vec![
            Column {
                name: "custom_id".into(),
                kind: CellType::Text,
            },
            Column {
                name: "seats".into(),
                kind: CellType::Integer,
            },
            Column {
                name: "newsletter".into(),
                kind: CellType::Boolean,
            },
        ];
        let record = csv::ByteRecord::from(vec!["a", "5", ""]);
        assert_eq!(
            Value::Object(csv_row(&record, &columns, Empty::Skip).unwrap()),
            json!({"custom_id": "a", "seats": 5})
        );
        assert_eq!(
            Value::Object(csv_row(&record, &columns, Empty::Null).unwrap()),
            json!({"custom_id": "a", "seats": 5, "newsletter": null})
        );
        let bad = csv::ByteRecord::from(vec!["a", "five", "perhaps"]);
        let rejected = csv_row(&bad, &columns, Empty::Skip).unwrap_err();
        assert!(
            rejected.error.contains("seats: \"five\" is not an integer"),
            "{}",
            rejected.error
        );
        assert!(
            rejected.error.contains("newsletter: \"perhaps\""),
            "{}",
            rejected.error
        );
        assert_eq!(
            Value::Object(rejected.fields),
            json!({"custom_id": "a", "seats": "five", "newsletter": "perhaps"})
        );
        let short = csv::ByteRecord::from(vec!["a"]);
        let error = csv_row(&short, &columns, Empty::Skip).unwrap_err().error;
        assert!(error.contains("1 cell where the header has 3"), "{error}");
        let no_id = csv::ByteRecord::from(vec!["", "1", "yes"]);
        let error = csv_row(&no_id, &columns, Empty::Skip).unwrap_err().error;
        assert_eq!(error, "custom_id is empty");
    }

    #[test]
    fn standard_fields_are_typed_from_the_schema() {
        let of = |types: &[&str]| {
            CellType::of_schema(&types.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>())
        };
        assert_eq!(of(&["integer"]), CellType::Integer);
        assert_eq!(of(&["boolean"]), CellType::Boolean);
        assert_eq!(of(&["integer", "string"]), CellType::NumberOrText);
        assert_eq!(of(&["array"]), CellType::List);
        assert_eq!(of(&["object"]), CellType::Json);
    }

    #[test]
    fn failed_rows_files_count_rounds_instead_of_stacking_suffixes() {
        for (input, failed) in [
            ("accounts.csv", "accounts.csv.failed.jsonl"),
            ("data/accounts.jsonl", "data/accounts.jsonl.failed.jsonl"),
            ("accounts.csv.failed.jsonl", "accounts.csv.failed.2.jsonl"),
            ("accounts.csv.failed.2.jsonl", "accounts.csv.failed.3.jsonl"),
            ("a.failed.19.jsonl", "a.failed.20.jsonl"),
            ("a.failed.x.jsonl", "a.failed.x.jsonl.failed.jsonl"),
            ("a.failed.02.jsonl", "a.failed.02.jsonl.failed.jsonl"),
            ("-", "stdin.failed.jsonl"),
        ] {
            assert_eq!(failed_path_for(input), PathBuf::from(failed), "{input}");
        }
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("data/accounts.csv"), "data/accounts.csv");
        assert_eq!(shell_word("my file's.csv"), r"'my file'\''s.csv'");
    }
}
