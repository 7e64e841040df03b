//! Output in the four formats, written a batch of whole lines at a time.
//!
//! Every batch is written under the stdout lock, and an interrupted run ends only between
//! two lines (see [`exit_between_lines`]), so it never leaves half a line. Tables are for
//! terminals: every text in them is made safe for one (see [`crate::text`]); JSON, JSON lines
//! and CSV carry the text exactly as it came.

use std::io::{self, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{ArgMatches, ValueEnum};
use serde_json::Value;
use unicode_width::UnicodeWidthStr;
use usercom_core::RawJson;
use usercom_core::registry::Column;

use crate::text::{fit, for_terminal_line};

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

/// The widest a table column grows (its last column is never cut).
const MAX_COLUMN_WIDTH: usize = 32;

/// Lines are written in pieces of about this size, each ending a line, so that an
/// interruption waits for one piece at most.
const PIECE: usize = 64 * 1024;

/// Set once the program is to end: a batch being written stops at the end of a line.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Writes whole lines (`text` ends with a newline) under the stdout lock, flushed.
///
/// If the program is interrupted meanwhile, it ends at the end of the piece being written:
/// between two lines, however long they are and however slowly they are read.
pub fn write_lines(text: &str) -> io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    if stdout_closed() {
        return Err(io::Error::other(
            "standard output is closed (as with `>&-`); redirect it to a file or to \
             /dev/null instead",
        ));
    }
    let mut out = io::stdout().lock();
    for piece in pieces(text.as_bytes()) {
        out.write_all(piece)?;
        if STOPPING.load(Ordering::SeqCst) {
            let _ = out.flush();
            std::process::exit(INTERRUPTED);
        }
    }
    out.flush()
}

/// `text` in pieces of whole lines: each up to the last line end within [`PIECE`] bytes, or
/// one line longer than that.
fn pieces(mut text: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        if text.is_empty() {
            return None;
        }
        let newline = |bytes: &[u8]| bytes.iter().rposition(|&b| b == b'\n');
        let end = match newline(&text[..text.len().min(PIECE)]) {
            Some(at) => at + 1,
            None => text
                .iter()
                .position(|&b| b == b'\n')
                .map_or(text.len(), |at| at + 1),
        };
        let (piece, rest) = text.split_at(end);
        text = rest;
        Some(piece)
    })
}

/// The exit code of an interrupted run.
pub const INTERRUPTED: i32 = 130;

/// Ends the program with exit code 130 between two output lines, never inside one: at once
/// when nothing is being written, otherwise once the line being written has been taken by
/// the reader (a reader that stalls holds the exit until it reads or goes away).
pub fn exit_between_lines() -> ! {
    STOPPING.store(true, Ordering::SeqCst);
    let _whole_lines = io::stdout().lock();
    std::process::exit(INTERRUPTED)
}

/// Whether standard output was closed when the program started (`usercom … >&-`). The Rust
/// runtime puts `/dev/null` opened for reading and writing in place of a closed standard
/// stream, so the output would vanish with no error; a shell's `>/dev/null` opens it for
/// writing only, and is left alone.
fn stdout_closed() -> bool {
    static CLOSED: OnceLock<bool> = OnceLock::new();
    *CLOSED.get_or_init(|| {
        #[cfg(unix)]
        {
            use nix::fcntl::{FcntlArg, OFlag, fcntl};
            use nix::sys::stat::{fstat, stat};
            let stdout = io::stdout();
            let Ok(flags) = fcntl(&stdout, FcntlArg::F_GETFL) else {
                return true;
            };
            let read_write = OFlag::from_bits_truncate(flags) & OFlag::O_ACCMODE == OFlag::O_RDWR;
            let null = |file: nix::sys::stat::FileStat| {
                stat("/dev/null").is_ok_and(|null| null.st_rdev == file.st_rdev)
                    && file.st_mode & nix::libc::S_IFMT == nix::libc::S_IFCHR
            };
            read_write && fstat(&stdout).is_ok_and(null)
        }
        #[cfg(not(unix))]
        false
    })
}

/// Writes one line (a newline is added).
pub fn line(text: &str) -> io::Result<()> {
    let mut buffer = String::with_capacity(text.len() + 1);
    buffer.push_str(text);
    buffer.push('\n');
    write_lines(&buffer)
}

/// JSON text on one line: the text as sent, with any line breaks between its tokens taken
/// out (a JSON string cannot hold a raw line break, so nothing else changes).
pub fn one_line(json: &str) -> std::borrow::Cow<'_, str> {
    if json.contains(['\n', '\r']) {
        json.replace(['\n', '\r'], "").into()
    } else {
        json.into()
    }
}

/// Valid JSON text indented for people, keys and numbers exactly as sent.
pub fn pretty(json: &str) -> String {
    fn new_line(out: &mut String, depth: usize) {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    }
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = json.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                out.push(c);
                if let Some(close) = chars.next_if(|&next| next == '}' || next == ']') {
                    out.push(close);
                } else {
                    depth += 1;
                    new_line(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                new_line(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                new_line(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// Prints items (of a listing, or the one answer of an operation) batch by batch, so that
/// `--all` runs in constant memory.
pub struct Printer {
    format: Format,
    columns: &'static [Column],
    started: bool,
    /// The JSON format holds one item back to know whether a comma follows it.
    pending: Option<String>,
    /// Table column widths, set by the first batch; numeric columns align right.
    widths: Vec<(usize, bool)>,
}

impl Printer {
    /// A printer in this format; table and CSV need `columns` (see [`crate::format_for`]).
    pub fn new(format: Format, columns: &'static [Column]) -> Self {
        Self {
            format,
            columns,
            started: false,
            pending: None,
            widths: Vec::new(),
        }
    }

    /// Prints a batch of items (and the header before the first) in one write.
    pub fn items(&mut self, items: &[RawJson]) -> io::Result<()> {
        let mut out = String::new();
        match self.format {
            Format::Json => {
                if !self.started {
                    out.push_str("[\n");
                }
                for item in items {
                    if let Some(previous) = self.pending.replace(item.get().to_owned()) {
                        out.push_str("  ");
                        out.push_str(&previous);
                        out.push_str(",\n");
                    }
                }
            }
            Format::Jsonl => {
                for item in items {
                    out.push_str(&one_line(item.get()));
                    out.push('\n');
                }
            }
            Format::Csv => out = self.csv(items),
            Format::Table => out = self.table(items),
        }
        self.started = true;
        write_lines(&out)
    }

    /// Ends the output: closes the JSON array, or prints the header of an empty table or CSV.
    pub fn finish(mut self) -> io::Result<()> {
        match (self.format, self.started) {
            (Format::Json, false) => line("[]"),
            (Format::Json, true) => match self.pending.take() {
                Some(last) => write_lines(&format!("  {last}\n]\n")),
                None => line("]"),
            },
            (Format::Csv | Format::Table, false) => self.items(&[]),
            _ => Ok(()),
        }
    }

    fn csv(&self, items: &[RawJson]) -> String {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        // Writing to memory cannot fail; an error would leave a row out.
        if !self.started {
            let _ = writer.write_record(self.columns.iter().map(|c| c.header));
        }
        for item in items {
            let row = cells(item, self.columns);
            let _ = writer.write_record(row.iter().map(|cell| cell.as_deref().unwrap_or("")));
        }
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn table(&mut self, items: &[RawJson]) -> String {
        // Text from the API reaches a terminal here: nothing in it may drive the terminal.
        let rows: Vec<Vec<Option<String>>> = items
            .iter()
            .map(|item| {
                cells(item, self.columns)
                    .into_iter()
                    .map(|cell| cell.map(|text| for_terminal_line(&text).into_owned()))
                    .collect()
            })
            .collect();
        let mut out = String::new();
        if !self.started {
            let numeric = numeric_columns(items, self.columns);
            self.widths = self
                .columns
                .iter()
                .enumerate()
                .map(|(at, column)| {
                    let widest = rows
                        .iter()
                        .filter_map(|row| row[at].as_deref())
                        .map(UnicodeWidthStr::width)
                        .max()
                        .unwrap_or(1);
                    let width = widest.min(MAX_COLUMN_WIDTH).max(column.header.width());
                    (width, numeric[at])
                })
                .collect();
            let header: Vec<Option<String>> = self
                .columns
                .iter()
                .map(|column| Some(column.header.to_uppercase()))
                .collect();
            self.table_row(&mut out, &header, false);
        }
        for row in &rows {
            self.table_row(&mut out, row, true);
        }
        out
    }

    fn table_row(&self, out: &mut String, row: &[Option<String>], align: bool) {
        let start = out.len();
        for (at, cell) in row.iter().enumerate() {
            let text = cell.as_deref().unwrap_or("-");
            let (width, numeric) = self.widths[at];
            if at + 1 == row.len() {
                out.push_str(&fit(text, text.width()));
            } else if align && numeric {
                // Numbers align right and are never cut.
                out.push_str(&" ".repeat(width.saturating_sub(text.width())));
                out.push_str(text);
            } else {
                out.push_str(&fit(text, width));
            }
            out.push_str("  ");
        }
        let end = out[start..].trim_end().len();
        out.truncate(start + end);
        out.push('\n');
    }
}

/// The id of the `--fields` flag.
pub const FIELDS: &str = "fields";

/// The columns of `--fields`, a list of dotted paths into each item's JSON (`id,user.email`,
/// `companies.0.name`), each the header of its column.
///
/// They are parsed once a run and live as long as the program, beside the registry's columns.
pub fn parse_fields(text: &str) -> Result<&'static [Column], String> {
    const EXAMPLE: &str = "dotted paths separated by commas, such as id,user.email";
    if text.trim().is_empty() {
        return Err(format!("no field given: list {EXAMPLE}"));
    }
    let mut columns = Vec::new();
    for field in text.split(',') {
        let field = field.trim();
        if field.is_empty() {
            return Err(format!("{text:?} has an empty field: list {EXAMPLE}"));
        }
        if field.split('.').any(|key| key.trim().is_empty()) {
            return Err(format!("{field:?} is not a dotted path: list {EXAMPLE}"));
        }
        // Each key of the path as a JSON pointer token (RFC 6901).
        let pointer: String = field
            .split('.')
            .map(|key| format!("/{}", key.replace('~', "~0").replace('/', "~1")))
            .collect();
        columns.push(Column::new(
            String::leak(field.to_owned()),
            String::leak(pointer),
        ));
    }
    Ok(Vec::leak(columns))
}

/// The columns chosen with `--fields`, if any (a global flag, seen from any command).
pub fn fields(matches: &ArgMatches) -> Option<&'static [Column]> {
    matches
        .try_get_one::<&'static [Column]>(FIELDS)
        .ok()
        .flatten()
        .copied()
}

/// The values of `columns` in an item: `None` where it has none (or `null`).
fn cells(item: &RawJson, columns: &[Column]) -> Vec<Option<String>> {
    let value: Value = serde_json::from_str(item.get()).unwrap_or(Value::Null);
    columns
        .iter()
        .map(|column| match value.pointer(column.pointer) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(other) => Some(other.to_string()),
        })
        .collect()
}

/// Which columns hold only numbers in these items.
fn numeric_columns(items: &[RawJson], columns: &[Column]) -> Vec<bool> {
    let values: Vec<Value> = items
        .iter()
        .map(|item| serde_json::from_str(item.get()).unwrap_or(Value::Null))
        .collect();
    columns
        .iter()
        .map(|column| {
            let mut present = values.iter().filter_map(|v| v.pointer(column.pointer));
            present.clone().any(Value::is_number) && present.all(|v| v.is_number() || v.is_null())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> RawJson {
        serde_json::from_str(text).unwrap()
    }

    const COLUMNS: &[Column] = &[
        Column::new("id", "/id"),
        Column::new("name", "/user/name"),
        Column::new("note", "/note"),
    ];

    #[test]
    fn csv_quotes_what_needs_quoting_and_leaves_missing_values_empty() {
        let printer = Printer::new(Format::Csv, COLUMNS);
        let items = [
            raw(r#"{"id": 1, "user": {"name": "b,c"}, "note": "say \"hi\""}"#),
            raw(r#"{"id": 2, "user": null, "note": "two\nlines"}"#),
        ];
        assert_eq!(
            printer.csv(&items),
            "id,name,note\n1,\"b,c\",\"say \"\"hi\"\"\"\n2,,\"two\nlines\"\n"
        );
    }

    #[test]
    fn a_table_takes_its_widths_from_the_first_batch() {
        let mut printer = Printer::new(Format::Table, COLUMNS);
        let first = printer.table(&[
            raw(r#"{"id": 7, "user": {"name": "Ann"}, "note": "x"}"#),
            raw(r#"{"id": 1234, "note": "line\nbreak"}"#),
        ]);
        assert_eq!(
            first,
            "ID    NAME  NOTE\n   7  Ann   x\n1234  -     line break\n"
        );
        printer.started = true;
        let later = printer.table(&[raw(r#"{"id": 123456, "user": {"name": "Bartholomew"}}"#)]);
        assert_eq!(later, "123456  Bar…  -\n");
    }

    #[test]
    fn a_table_shows_nothing_that_drives_a_terminal_and_csv_keeps_everything() {
        let hostile = r#"{"id": 1, "user": {"name": "Ev\u202eil"}, "note": "\u001b]52;c;aGk=\u0007\u001b[2J"}"#;
        let mut printer = Printer::new(Format::Table, COLUMNS);
        let table = printer.table(&[raw(hostile)]);
        assert_eq!(
            table,
            "ID  NAME   NOTE\n 1  Ev\u{fffd}il  \u{fffd}]52;c;aGk=\u{fffd}\u{fffd}[2J\n"
        );
        let csv = Printer::new(Format::Csv, COLUMNS).csv(&[raw(hostile)]);
        assert_eq!(
            csv,
            "id,name,note\n1,Ev\u{202e}il,\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\n"
        );
    }

    #[test]
    fn lines_are_cut_into_pieces_only_at_line_ends() {
        let short = "ご注文ありがとう\n".repeat(PIECE / 10);
        let long = format!("{}\n", "ż".repeat(PIECE));
        let text = format!("{short}{long}{short}x");
        let cut: Vec<&[u8]> = pieces(text.as_bytes()).collect();
        assert_eq!(cut.concat(), text.as_bytes());
        assert!(cut.len() > 3, "{}", cut.len());
        for piece in &cut[..cut.len() - 1] {
            assert!(piece.ends_with(b"\n") && std::str::from_utf8(piece).is_ok());
            assert!(piece.len() <= PIECE || piece.iter().filter(|&&b| b == b'\n').count() == 1);
        }
        assert_eq!(cut[cut.len() - 1], b"x");
    }

    #[test]
    fn fields_are_dotted_paths() {
        let columns = parse_fields(" id, user.email ,companies.0.name,a/b~c").unwrap();
        assert_eq!(
            columns,
            [
                Column::new("id", "/id"),
                Column::new("user.email", "/user/email"),
                Column::new("companies.0.name", "/companies/0/name"),
                Column::new("a/b~c", "/a~1b~0c"),
            ]
        );
        let item = raw(
            r#"{"id": 3, "user": {"email": "a@b.c"}, "companies": [{"name": "Acme"}], "a/b~c": true}"#,
        );
        assert_eq!(
            cells(&item, columns),
            [
                Some("3".to_owned()),
                Some("a@b.c".to_owned()),
                Some("Acme".to_owned()),
                Some("true".to_owned()),
            ]
        );
        for (bad, expected) in [
            ("", "no field given"),
            ("  ", "no field given"),
            ("id,,email", "has an empty field"),
            ("id,", "has an empty field"),
            ("user..email", "\"user..email\" is not a dotted path"),
            (".id", "is not a dotted path"),
            ("user.", "is not a dotted path"),
        ] {
            let error = parse_fields(bad).unwrap_err();
            assert!(error.contains(expected), "{bad:?}: {error}");
            assert!(error.contains("such as id,user.email"), "{bad:?}: {error}");
        }
    }

    #[test]
    fn json_text_on_one_line_and_pretty() {
        let sent = "{\"a\": [1, 2],\n \"b\": {\"c\": \"x,{y}: \\\"z\\\"\"}, \"d\": [], \"e\": {}, \"n\": 1.50}";
        assert_eq!(
            one_line(sent),
            "{\"a\": [1, 2], \"b\": {\"c\": \"x,{y}: \\\"z\\\"\"}, \"d\": [], \"e\": {}, \"n\": 1.50}"
        );
        assert_eq!(
            pretty(sent),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {\n    \"c\": \"x,{y}: \\\"z\\\"\"\n  },\n  \
             \"d\": [],\n  \"e\": {},\n  \"n\": 1.50\n}"
        );
        let parsed: Value = serde_json::from_str(&pretty(sent)).unwrap();
        assert_eq!(parsed, serde_json::from_str::<Value>(sent).unwrap());
    }
}
