//! `usercom api METHOD PATH`: any request below the API root, authenticated, like `gh api`.

use std::io::IsTerminal;

use clap::{Arg, ArgAction, ArgMatches, Command};
use http::{Method, StatusCode};
use usercom_core::endpoint::{Path, Query};
use usercom_core::{Endpoint, Error, Paginator, RawJson};
use usercom_ureq::Client;

use crate::generic::{self, DATA};
use crate::output::{self, Format, Printer};
use crate::{Failure, listing};

const METHOD: &str = "method";
const PATH: &str = "path";
const QUERY: &str = "query";

/// The `api` command.
pub fn command() -> Command {
    let command = Command::new("api")
        .about("Send any request below the API root, like `gh api`")
        .long_about(
            "Send any request below the API root (authenticated, API version 2, retried when \
             safe) and print the body as sent: indented JSON on a terminal, compact JSON \
             otherwise, other bodies as text. With --all, the answer is a listing whose items \
             are printed page after page, like any listing.",
        )
        .after_help(
            "Examples:\n  usercom api GET conversations/ --query status=true\n  usercom api GET \
             conversations/ --all --format jsonl\n  usercom api POST tags/ --data '{\"name\": \
             \"vip\"}'\n  usercom api DELETE tags/42/",
        )
        .arg(
            Arg::new(METHOD)
                .required(true)
                .value_name("METHOD")
                .value_parser(parse_method)
                .help("GET, POST, PUT, PATCH or DELETE"),
        )
        .arg(
            Arg::new(PATH)
                .required(true)
                .value_name("PATH")
                .help("The path below the API root: conversations/, users/42/ (/api/public/… too)"),
        )
        .arg(
            Arg::new(QUERY)
                .long("query")
                .value_name("KEY=VALUE")
                .action(ArgAction::Append)
                .value_parser(parse_pair)
                .help("A query parameter (repeat for more)"),
        )
        .arg(
            generic::data_arg("The JSON body: text, @FILE, or - for standard input")
                .conflicts_with(generic::ALL)
                .conflicts_with(generic::LIMIT),
        );
    generic::listing_args(command)
}

fn parse_method(text: &str) -> Result<Method, String> {
    let upper = text.to_ascii_uppercase();
    match upper.as_str() {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" => {
            Method::from_bytes(upper.as_bytes()).map_err(|e| e.to_string())
        }
        _ => Err("expected GET, POST, PUT, PATCH or DELETE".to_owned()),
    }
}

fn parse_pair(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .filter(|(key, _)| !key.is_empty())
        .ok_or_else(|| "expected KEY=VALUE".to_owned())
}

/// Passes a 2xx body through untouched; any other status is the API error, parsed and
/// redacted by the core like every other answer.
struct Passthrough;

impl Endpoint for Passthrough {
    type Output = Vec<u8>;
    const NAME: &'static str = "api";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &[];

    fn path(&self) -> Path {
        Path::new("api")
    }

    fn decode(&self, _status: StatusCode, body: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(body.to_vec())
    }
}

/// The path and query of `PATH` (which may carry a query of its own).
fn target(path: &str, matches: &ArgMatches) -> (Path, Query) {
    let path = path.trim();
    let path = path
        .strip_prefix("/api/public/")
        .or_else(|| path.strip_prefix("api/public/"))
        .unwrap_or(path);
    let (path, inline) = path.split_once('?').unwrap_or((path, ""));
    let mut query = Query::default();
    for (key, value) in url::form_urlencoded::parse(inline.as_bytes()) {
        query.push(key.into_owned(), value.into_owned());
    }
    for (key, value) in matches
        .get_many::<(String, String)>(QUERY)
        .into_iter()
        .flatten()
    {
        query.push(key.clone(), value.clone());
    }
    (Path::parse(path), query)
}

/// The URL path `usercom api` sends to, for messages.
pub fn path(config: &usercom_core::Config, matches: &ArgMatches) -> Option<String> {
    let path = matches.get_one::<String>(PATH)?;
    let (path, query) = target(path, matches);
    config
        .url_for(&path, &query)
        .ok()
        .map(|url| url.path().to_owned())
}

/// Runs `usercom api`.
pub fn run(client: &Client, format: Option<Format>, matches: &ArgMatches) -> Result<(), Failure> {
    let config = client.config();
    let method = matches
        .get_one::<Method>(METHOD)
        .cloned()
        .unwrap_or(Method::GET);
    let path = matches.get_one::<String>(PATH).cloned().unwrap_or_default();
    let (path, query) = target(&path, matches);
    let url = config.url_for(&path, &query)?;
    let mode = listing::Mode::from(matches);
    if mode != listing::Mode::OnePage {
        if method != Method::GET {
            return Err(Failure::Usage(
                "--all and --limit walk a listing: use them with GET".to_owned(),
            ));
        }
        let pages = Paginator::<RawJson>::from_url(config.clone(), "api", url.as_str())?;
        let printer = Printer::new(crate::format_for(format, &[]), &[]);
        return listing::walk(client, pages, matches, printer);
    }
    let body = match matches.get_one::<String>(DATA) {
        Some(spec) => {
            let text = generic::read_data(spec)?;
            if let Err(e) = serde_json::from_str::<&serde_json::value::RawValue>(&text) {
                return Err(Failure::Usage(format!("--data: not valid JSON: {e}")));
            }
            Some(text.into_bytes())
        }
        None => None,
    };
    let idempotent = usercom_core::retry::is_idempotent(&method);
    let request = config.request_for_url(method, &url, body)?;
    let response = client.send_request(request, idempotent)?;
    let body = config.parse(&Passthrough, response)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    // A server that echoes the key back never gets it printed.
    let text = config.api_key().redact(&String::from_utf8_lossy(&body));
    if serde_json::from_str::<&serde_json::value::RawValue>(&text).is_err() {
        let text = text.trim_end_matches('\n');
        return Ok(output::line(text)?);
    }
    let terminal = std::io::stdout().is_terminal();
    let indent = match format {
        Some(Format::Json) => true,
        Some(Format::Jsonl) => false,
        Some(Format::Table | Format::Csv) => {
            eprintln!("usercom: a response body has no table form; printing it as JSON");
            terminal
        }
        None => terminal,
    };
    let text = text.trim();
    Ok(if indent {
        output::line(&output::pretty(text))
    } else {
        output::line(&output::one_line(text))
    }?)
}
