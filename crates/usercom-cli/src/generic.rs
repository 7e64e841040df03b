//! Commands built at run time from the operation registry, so that every operation of every
//! group reaches the command line without a line of its own here.
//!
//! `usercom <group> <operation> [PATH-PARAMS…] [--<arg> VALUE]… [--data JSON|@FILE|-]`: the
//! required path parameters are positionals in path order; every other property of the
//! operation's JSON schema is a `--kebab-case` flag typed by the schema (integer, boolean
//! flag, string, or JSON text), with the property's doc comment as help. `--data` gives a
//! JSON object that the flags override. A path parameter that takes an id or a custom id
//! (a `Selector`, schema `anyOf` integer/string) takes a number as the id, and `--custom-id
//! TEXT` instead.

use std::io::Read;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value};
use usercom_core::registry::{self, Registration};

use crate::{Failure, conversations};

/// The id of `--data`.
pub const DATA: &str = "@data";
/// The id of `--all`.
pub const ALL: &str = "@all";
/// The id of `--limit`.
pub const LIMIT: &str = "@limit";
/// The id of `--custom-id`.
const CUSTOM_ID: &str = "@custom-id";

/// Flags a property cannot take: they mean something else on every command.
const RESERVED: &[&str] = &[
    "subdomain",
    "base-url",
    "api-key-file",
    "demo",
    "format",
    "verbose",
    "max-attempts",
    "help",
    "version",
    "data",
    "all",
    "limit",
    "custom-id",
];

/// How a property's value is read from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A JSON number.
    Integer,
    /// A flag: present is `true`.
    Boolean,
    /// A string.
    String,
    /// An id (a number) or a custom id (text).
    IdOrText,
    /// Any other JSON, as JSON text.
    Json,
}

/// One argument of an operation, from its JSON schema.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Property {
    name: String,
    kind: Kind,
    help: String,
    required: bool,
    /// A required path parameter: a positional.
    positional: bool,
}

impl Property {
    fn flag(&self) -> String {
        self.name.replace('_', "-").to_ascii_lowercase()
    }

    fn has_flag(&self) -> bool {
        !self.positional && !RESERVED.contains(&self.flag().as_str())
    }
}

/// The arguments of an operation: its schema's properties, required path parameters first
/// in path order.
fn properties(schema: &Value, path_parameters: &[&str]) -> Vec<Property> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut properties: Vec<Property> = schema["properties"]
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(name, field)| {
                    let required = required.contains(&name.as_str());
                    Property {
                        name: name.clone(),
                        kind: kind(field, schema),
                        help: description(field, schema).unwrap_or_default(),
                        required,
                        positional: required && path_parameters.contains(&name.as_str()),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    properties.sort_by_key(|p| {
        (
            !p.positional,
            path_parameters.iter().position(|name| *name == p.name),
        )
    });
    properties
}

/// `schema` with a `$ref` to the root's `$defs` followed.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    schema["$ref"]
        .as_str()
        .and_then(|reference| reference.strip_prefix("#"))
        .and_then(|pointer| root.pointer(pointer))
        .unwrap_or(schema)
}

/// The JSON types a schema allows, `null` left out.
fn types(schema: &Value, root: &Value) -> Vec<String> {
    let schema = resolve(schema, root);
    let mut types: Vec<String> = match &schema["type"] {
        Value::String(name) => vec![name.clone()],
        Value::Array(names) => names
            .iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect(),
        _ => ["anyOf", "oneOf"]
            .iter()
            .filter_map(|key| schema[key].as_array())
            .flatten()
            .flat_map(|variant| types(variant, root))
            .collect(),
    };
    types.retain(|name| name != "null");
    types.sort();
    types.dedup();
    types
}

fn kind(schema: &Value, root: &Value) -> Kind {
    let types = types(schema, root);
    let types: Vec<&str> = types.iter().map(String::as_str).collect();
    match types.as_slice() {
        ["integer"] => Kind::Integer,
        ["boolean"] => Kind::Boolean,
        ["string"] => Kind::String,
        ["integer", "string"] => Kind::IdOrText,
        _ => Kind::Json,
    }
}

/// The first paragraph of a schema's description (doc comments carry examples after it).
fn description(schema: &Value, root: &Value) -> Option<String> {
    let text = schema["description"]
        .as_str()
        .or_else(|| resolve(schema, root)["description"].as_str())?;
    let first = text.split("\n\n").next().unwrap_or_default();
    Some(first.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The text of an operation's doc comment, without its code examples.
fn long_about(registration: &Registration, schema: &Value) -> String {
    let text = schema["description"].as_str().unwrap_or_default();
    let prose: Vec<&str> = text
        .split("\n\n")
        .filter(|paragraph| !paragraph.trim_start().starts_with("```"))
        .collect();
    format!(
        "{}\n\nRequest: {} {}",
        prose.join("\n\n"),
        registration.method,
        registration.paths.join(" or ")
    )
}

fn value_parser(kind: Kind) -> impl Fn(&str) -> Result<Value, String> + Clone {
    move |text: &str| match kind {
        Kind::Integer => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| "not an integer".to_owned()),
        Kind::IdOrText => Ok(text
            .trim()
            .parse::<i64>()
            .map_or_else(|_| Value::from(text), Value::from)),
        Kind::Json => serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}")),
        Kind::String | Kind::Boolean => Ok(Value::from(text)),
    }
}

/// `--all` and `--limit N`, which every listing takes.
pub fn listing_args(command: Command) -> Command {
    command
        .arg(
            Arg::new(ALL)
                .long("all")
                .action(ArgAction::SetTrue)
                .conflicts_with(LIMIT)
                .help("Every page, printed as it arrives"),
        )
        .arg(
            Arg::new(LIMIT)
                .long("limit")
                .value_name("N")
                .value_parser(clap::value_parser!(u64).range(1..))
                .help("At most N items, across pages"),
        )
}

/// `--data`, the JSON arguments in one go.
pub fn data_arg(help: &'static str) -> Arg {
    Arg::new(DATA)
        .long("data")
        .value_name("JSON|@FILE|-")
        .help(help)
}

/// The command of a group: one subcommand per operation, hand-written or generic.
pub fn group_commands() -> Vec<Command> {
    registry::groups()
        .iter()
        .map(|group| {
            let operations = group.operations.iter().map(|registration| {
                let command = match conversations::command(registration) {
                    Some(command) if registration.paged => listing_args(command),
                    Some(command) => command,
                    None => operation_command(registration),
                };
                command.before_help(group.summary)
            });
            Command::new(group.name)
                .about(group.summary)
                .subcommand_required(true)
                .arg_required_else_help(true)
                .subcommands(operations)
        })
        .collect()
}

/// The generic command of an operation.
fn operation_command(registration: &Registration) -> Command {
    let schema = registration.schema().to_value();
    let properties = properties(&schema, &registration.path_parameters());
    let mut command = Command::new(registration.operation())
        .about(registration.summary())
        .long_about(long_about(registration, &schema));
    let selector = properties
        .iter()
        .find(|p| p.positional && p.kind == Kind::IdOrText);
    for property in &properties {
        let mut arg = Arg::new(property.name.clone())
            .value_parser(value_parser(property.kind))
            .help(property.help.clone());
        if property.positional {
            arg = arg.value_name(property.name.to_ascii_uppercase());
            if property.kind == Kind::IdOrText {
                arg = arg
                    .value_parser(value_parser(Kind::Integer))
                    .required_unless_present(CUSTOM_ID)
                    .conflicts_with(CUSTOM_ID);
            } else {
                arg = arg.required(true);
            }
        } else if !property.has_flag() {
            continue;
        } else if property.kind == Kind::Boolean {
            arg = Arg::new(property.name.clone())
                .long(property.flag())
                .action(ArgAction::SetTrue)
                .help(property.help.clone());
        } else {
            arg = arg.long(property.flag()).value_name(match property.kind {
                Kind::Integer => "N",
                Kind::IdOrText => "ID|TEXT",
                Kind::Json => "JSON",
                Kind::String | Kind::Boolean => "TEXT",
            });
        }
        command = command.arg(arg);
    }
    if let Some(selector) = selector {
        command = command.arg(
            Arg::new(CUSTOM_ID)
                .long("custom-id")
                .value_name("TEXT")
                .help(format!(
                    "Your own custom id instead of the numeric {}",
                    selector.name.to_ascii_uppercase()
                )),
        );
    }
    let hidden: Vec<String> = properties
        .iter()
        .filter(|p| !p.positional && !p.has_flag())
        .map(|p| format!("\"{}\"", p.name))
        .collect();
    if !hidden.is_empty() {
        command = command.after_help(format!("Set with --data: {}", hidden.join(", ")));
    }
    if !properties.is_empty() {
        command = command.arg(data_arg(
            "The arguments as a JSON object (text, @FILE, or - for standard input); flags \
             override it",
        ));
    }
    if registration.paged {
        command = listing_args(command);
    }
    command
}

/// Reads `--data`: JSON text, `@FILE`, or `-` for standard input.
pub fn read_data(spec: &str) -> Result<String, Failure> {
    let usage = |message: String| Failure::Usage(format!("--data {spec}: {message}"));
    if spec == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| usage(format!("cannot read standard input: {e}")))?;
        Ok(text)
    } else if let Some(path) = spec.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read {path}: {e}")))
    } else {
        Ok(spec.to_owned())
    }
}

/// Reads `--data` as a JSON object.
fn data_object(spec: &str) -> Result<Map<String, Value>, Failure> {
    let text = read_data(spec)?;
    let shown = if spec == "-" || spec.starts_with('@') {
        spec
    } else {
        "JSON"
    };
    match serde_json::from_str(&text) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err(Failure::Usage(format!("--data {shown}: not a JSON object"))),
        Err(e) => Err(Failure::Usage(format!(
            "--data {shown}: not valid JSON: {e}"
        ))),
    }
}

/// The operation's JSON arguments: `--data`, then the positionals and flags over it.
pub fn arguments(registration: &Registration, matches: &ArgMatches) -> Result<Value, Failure> {
    let schema = registration.schema().to_value();
    let properties = properties(&schema, &registration.path_parameters());
    let mut args = match matches.try_get_one::<String>(DATA).ok().flatten() {
        Some(spec) => data_object(spec)?,
        None => Map::new(),
    };
    for property in &properties {
        let value = match property.kind {
            Kind::Boolean if !property.positional => matches
                .try_get_one::<bool>(&property.name)
                .ok()
                .flatten()
                .filter(|set| **set)
                .map(|_| Value::Bool(true)),
            _ => matches
                .try_get_one::<Value>(&property.name)
                .ok()
                .flatten()
                .cloned(),
        };
        let custom = matches.try_get_one::<String>(CUSTOM_ID).ok().flatten();
        let value = match (value, custom) {
            (None, Some(custom)) if property.positional && property.kind == Kind::IdOrText => {
                Some(Value::from(custom.as_str()))
            }
            (value, _) => value,
        };
        if let Some(value) = value {
            args.insert(property.name.clone(), value);
        }
        if property.required && !args.contains_key(&property.name) {
            let flag = if property.has_flag() {
                format!("--{} (or ", property.flag())
            } else {
                "(".to_owned()
            };
            return Err(Failure::Usage(format!(
                "{} needs {flag}\"{}\" in --data)",
                registration.name, property.name
            )));
        }
    }
    Ok(Value::Object(args))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The schema of an operation on `users/{user}/events/` that takes a selector.
    fn schema() -> Value {
        json!({
            "description": "Send an event.\n\nMore text.\n\n```\ncode\n```",
            "type": "object",
            "properties": {
                "user": {"description": "The user.", "$ref": "#/$defs/Selector"},
                "name": {"description": "Event name.", "type": "string"},
                "count": {"type": ["integer", "null"]},
                "dry_run": {"description": "Only check.", "type": "boolean"},
                "data": {"description": "Attributes.", "type": "object"},
                "source": {"anyOf": [{"$ref": "#/$defs/Selector"}, {"type": "null"}]},
            },
            "required": ["user", "name"],
            "$defs": {"Selector": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}
        })
    }

    #[test]
    fn properties_are_typed_from_the_schema_path_parameters_first() {
        let properties = properties(&schema(), &["user"]);
        let shown: Vec<(&str, Kind, bool, bool)> = properties
            .iter()
            .map(|p| (p.name.as_str(), p.kind, p.positional, p.has_flag()))
            .collect();
        assert_eq!(
            shown,
            [
                ("user", Kind::IdOrText, true, false),
                ("count", Kind::Integer, false, true),
                ("data", Kind::Json, false, false),
                ("dry_run", Kind::Boolean, false, true),
                ("name", Kind::String, false, true),
                ("source", Kind::IdOrText, false, true),
            ]
        );
        assert_eq!(properties[0].help, "The user.");
        assert_eq!(properties[3].flag(), "dry-run");
    }

    #[test]
    fn values_are_read_by_kind() {
        assert_eq!(value_parser(Kind::Integer)("42"), Ok(json!(42)));
        assert_eq!(
            value_parser(Kind::Integer)("4x"),
            Err("not an integer".to_owned())
        );
        assert_eq!(value_parser(Kind::IdOrText)("42"), Ok(json!(42)));
        assert_eq!(value_parser(Kind::IdOrText)("user@1"), Ok(json!("user@1")));
        assert_eq!(value_parser(Kind::String)("42"), Ok(json!("42")));
        assert_eq!(
            value_parser(Kind::Json)(r#"{"a": [1]}"#),
            Ok(json!({"a": [1]}))
        );
        assert!(
            value_parser(Kind::Json)("{a")
                .unwrap_err()
                .starts_with("not valid JSON")
        );
    }

    /// List the emails sent to a user.
    #[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct UserEmails {
        /// The user: numeric id or custom id.
        user: usercom_core::Selector,
    }

    impl usercom_core::Endpoint for UserEmails {
        type Output = Value;
        const NAME: &'static str = "users.emails";
        const METHOD: http::Method = http::Method::GET;
        const PATHS: &'static [&'static str] =
            &["users/{user}/emails/", "users-by-id/{user}/emails/"];

        fn path(&self) -> usercom_core::endpoint::Path {
            self.user.path("users", "users-by-id").then("emails")
        }
    }

    static EMAILS: Registration = Registration::single::<UserEmails>();

    fn emails(argv: &[&str]) -> Result<Value, String> {
        let matches = operation_command(&EMAILS)
            .try_get_matches_from(argv)
            .map_err(|e| e.to_string())?;
        arguments(&EMAILS, &matches).map_err(|failure| match failure {
            Failure::Usage(message) => message,
            _ => "not a usage error".to_owned(),
        })
    }

    #[test]
    fn a_selector_takes_a_number_as_the_id_and_custom_id_as_text() {
        assert_eq!(emails(&["emails", "42"]), Ok(json!({"user": 42})));
        assert_eq!(
            emails(&["emails", "--custom-id", "42"]),
            Ok(json!({"user": "42"}))
        );
        for (argv, expected) in [
            (&["emails", "user@1"][..], "'user@1'"),
            (&["emails", "42", "--custom-id", "x"], "cannot be used with"),
            (&["emails"], "<USER>"),
        ] {
            let error = emails(argv).unwrap_err();
            assert!(error.contains(expected), "{argv:?}: {error}");
        }
        let args = emails(&["emails", "--custom-id", "a b@c"]).unwrap();
        let config = usercom_core::Config::for_subdomain("acme", "key").unwrap();
        let request = EMAILS.build(args).unwrap().request(&config).unwrap();
        assert_eq!(
            request.uri(),
            "https://acme.user.com/api/public/users-by-id/a%20b@c/emails/"
        );
    }

    #[test]
    fn every_registered_operation_makes_a_valid_command() {
        let mut root = Command::new("usercom").subcommands(group_commands());
        root.build();
        for registration in registry::operations() {
            let group = root
                .find_subcommand(registration.group())
                .unwrap_or_else(|| panic!("{}", registration.name));
            let command = group
                .find_subcommand(registration.operation())
                .unwrap_or_else(|| panic!("{}", registration.name));
            assert_eq!(
                command.get_arguments().any(|a| a.get_id() == ALL),
                registration.paged,
                "{}",
                registration.name
            );
        }
    }
}
