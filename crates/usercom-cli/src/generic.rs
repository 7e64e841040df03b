//! Commands built at run time from the operation registry, so that every operation of every
//! group reaches the command line without a line of its own here.
//!
//! `usercom <group> <operation> [PATH-PARAMS…] [TEXT…] [--<arg> VALUE]… [--data
//! JSON|@FILE|-]`: the required path parameters are positionals in path order; every other
//! property of the operation's JSON schema is a `--kebab-case` flag typed by the schema
//! (integer, boolean flag, string, or JSON text), with the property's doc comment as help.
//! The required string properties may also be given positionally after the path parameters,
//! in the order the schema requires them (`usercom users tag 42 vip` for `--name vip`).
//! `--data` gives a JSON object that the flags override. A path parameter that takes an id
//! or a custom id (a `Selector`, schema `anyOf` integer/string) takes a number as the id,
//! and `--custom-id TEXT` instead; an operation without one takes its `custom_id` property,
//! if any, as `--custom-id`.

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
/// The id of `--custom-id`, for a selector.
const CUSTOM_ID: &str = "@custom-id";
/// The flag of a selector's custom id; a property's own flag where no selector takes it.
const CUSTOM_ID_FLAG: &str = "custom-id";

/// Flags a property cannot take: they mean something else on every command.
const RESERVED: &[&str] = &[
    "subdomain",
    "base-url",
    "api-key-file",
    "demo",
    "format",
    "fields",
    "verbose",
    "max-attempts",
    "help",
    "version",
    "data",
    "all",
    "limit",
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
    /// A required string that may also be given positionally after the path parameters:
    /// its place in the schema's `required` list.
    trailing: Option<usize>,
    /// Whether it has a `--flag` of its own.
    flagged: bool,
}

impl Property {
    /// Its flag: the name in kebab case, or `arg-<name>` when that is a flag of the CLI's
    /// own (an event's `data` is `--arg-data`, since `--data` gives all the arguments).
    fn flag(&self) -> String {
        let flag = self.name.replace('_', "-").to_ascii_lowercase();
        if RESERVED.contains(&flag.as_str()) {
            format!("arg-{flag}")
        } else {
            flag
        }
    }

    fn has_flag(&self) -> bool {
        self.flagged
    }

    /// The id of its trailing positional.
    fn trailing_id(&self) -> String {
        format!("@{}", self.name)
    }

    fn is_selector(&self) -> bool {
        self.positional && self.kind == Kind::IdOrText
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
                    let rank = required.iter().position(|r| r == name);
                    let positional = rank.is_some() && path_parameters.contains(&name.as_str());
                    let kind = kind(field, schema);
                    Property {
                        name: name.clone(),
                        kind,
                        help: description(field, schema).unwrap_or_default(),
                        required: rank.is_some(),
                        positional,
                        trailing: rank.filter(|_| !positional && kind == Kind::String),
                        flagged: false,
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
    let selector = properties.iter().any(Property::is_selector);
    for property in &mut properties {
        let flag = property.flag();
        property.flagged = !(property.positional || (selector && flag == CUSTOM_ID_FLAG));
    }
    properties
}

/// The required strings that may be given positionally, in the schema's order.
fn trailing(properties: &[Property]) -> Vec<&Property> {
    let mut trailing: Vec<&Property> = properties.iter().filter(|p| p.trailing.is_some()).collect();
    trailing.sort_by_key(|p| p.trailing);
    trailing
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
pub(crate) fn types(schema: &Value, root: &Value) -> Vec<String> {
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
    // Code examples are for the SDK's documentation: every line of a fenced block goes,
    // blank lines inside it too.
    let mut in_code = false;
    let prose: Vec<&str> = text
        .lines()
        .filter(|line| {
            let fence = line.trim_start().starts_with("```");
            if fence {
                in_code = !in_code;
            }
            !fence && !in_code
        })
        .collect();
    let prose = prose.join("\n");
    format!(
        "{}\n\nRequest: {} {}",
        prose.trim_end(),
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
    let selector = properties.iter().find(|p| p.is_selector());
    let trailing = trailing(&properties);
    for property in &properties {
        let mut arg = Arg::new(property.name.clone())
            .value_parser(value_parser(property.kind))
            .help(property.help.clone());
        if property.positional {
            arg = arg.value_name(property.name.to_ascii_uppercase());
            if property.is_selector() && !trailing.is_empty() {
                // With --custom-id, what comes here is the first trailing string: the
                // value is read as text and sorted out in `positionals`.
                arg = arg
                    .value_parser(clap::builder::NonEmptyStringValueParser::new())
                    .required_unless_present(CUSTOM_ID);
            } else if property.is_selector() {
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
    for property in &trailing {
        let mut arg = Arg::new(property.trailing_id())
            .value_name(property.name.to_ascii_uppercase())
            .value_parser(value_parser(Kind::String))
            .help(property.help.clone());
        if property.has_flag() {
            arg = arg
                .help(format!(
                    "{} (or --{})",
                    property.help.trim_end_matches('.'),
                    property.flag()
                ))
                .conflicts_with(property.name.clone());
        }
        command = command.arg(arg);
    }
    if let Some(selector) = selector {
        command = command.arg(
            Arg::new(CUSTOM_ID)
                .long(CUSTOM_ID_FLAG)
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

/// The values given positionally: the path parameters (the selector's from `--custom-id`
/// when it is given), then the trailing strings. With `--custom-id`, a value in the
/// selector's place is the first trailing string.
fn positionals(
    properties: &[Property],
    matches: &ArgMatches,
) -> Result<Map<String, Value>, Failure> {
    let trailing = trailing(properties);
    let custom = matches.try_get_one::<String>(CUSTOM_ID).ok().flatten();
    let mut values = Map::new();
    let mut shifted = None;
    for property in properties.iter().filter(|p| p.positional) {
        if property.is_selector() && !trailing.is_empty() {
            let given = matches.try_get_one::<String>(&property.name).ok().flatten();
            let value = match (given, custom) {
                (given, Some(custom)) => {
                    shifted = given.cloned();
                    Value::from(custom.as_str())
                }
                (Some(given), None) => match given.trim().parse::<i64>() {
                    Ok(id) => Value::from(id),
                    Err(_) => {
                        return Err(Failure::Usage(format!(
                            "invalid value '{given}' for '<{}>': not an integer (a custom \
                             id goes with --custom-id)",
                            property.name.to_ascii_uppercase()
                        )));
                    }
                },
                (None, None) => continue,
            };
            values.insert(property.name.clone(), value);
            continue;
        }
        let value = match custom {
            Some(custom) if property.is_selector() => Some(Value::from(custom.as_str())),
            _ => matches
                .try_get_one::<Value>(&property.name)
                .ok()
                .flatten()
                .cloned(),
        };
        if let Some(value) = value {
            values.insert(property.name.clone(), value);
        }
    }
    let mut given: Vec<Option<Value>> = trailing
        .iter()
        .map(|p| {
            matches
                .try_get_one::<Value>(&p.trailing_id())
                .ok()
                .flatten()
                .cloned()
        })
        .collect();
    if let Some(first) = shifted {
        given.insert(0, Some(Value::from(first)));
        if let Some(Some(extra)) = given.pop() {
            return Err(Failure::Usage(format!(
                "unexpected argument '{}': with --custom-id, no id comes before {}",
                extra.as_str().unwrap_or_default(),
                trailing
                    .iter()
                    .map(|p| p.name.to_ascii_uppercase())
                    .collect::<Vec<_>>()
                    .join(" ")
            )));
        }
    }
    for (property, value) in trailing.iter().zip(given) {
        if let Some(value) = value {
            values.insert(property.name.clone(), value);
        }
    }
    Ok(values)
}

/// The operation's JSON arguments: `--data`, then the positionals and flags over it.
pub fn arguments(registration: &Registration, matches: &ArgMatches) -> Result<Value, Failure> {
    let schema = registration.schema().to_value();
    let properties = properties(&schema, &registration.path_parameters());
    let mut args = match matches.try_get_one::<String>(DATA).ok().flatten() {
        Some(spec) => data_object(spec)?,
        None => Map::new(),
    };
    let positional = positionals(&properties, matches)?;
    for property in &properties {
        let flag = match property.kind {
            _ if property.positional => None,
            Kind::Boolean => matches
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
        let value = flag.or_else(|| positional.get(&property.name).cloned());
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
                ("data", Kind::Json, false, true),
                ("dry_run", Kind::Boolean, false, true),
                ("name", Kind::String, false, true),
                ("source", Kind::IdOrText, false, true),
            ]
        );
        assert_eq!(properties[0].help, "The user.");
        assert_eq!(properties[3].flag(), "dry-run");
        assert_eq!(
            properties[2].flag(),
            "arg-data",
            "--data gives all the arguments"
        );
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

    /// Tag a user.
    #[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct TagUser {
        /// The user.
        user: usercom_core::Selector,
        /// The tag.
        tag: String,
        /// Its colour.
        colour: String,
        /// A note.
        note: Option<String>,
    }

    impl usercom_core::Endpoint for TagUser {
        type Output = Value;
        const NAME: &'static str = "users.tag-user";
        const METHOD: http::Method = http::Method::POST;
        const PATHS: &'static [&'static str] = &["users/{user}/tag/", "users-by-id/{user}/tag/"];

        fn path(&self) -> usercom_core::endpoint::Path {
            self.user.path("users", "users-by-id").then("tag")
        }
    }

    static TAG: Registration = Registration::single::<TagUser>();

    fn tag(argv: &[&str]) -> Result<Value, String> {
        let matches = operation_command(&TAG)
            .try_get_matches_from(argv)
            .map_err(|e| e.to_string())?;
        arguments(&TAG, &matches).map_err(|failure| match failure {
            Failure::Usage(message) => message,
            _ => "not a usage error".to_owned(),
        })
    }

    #[test]
    fn required_strings_may_follow_the_path_parameters_in_schema_order() {
        let properties = properties(&TAG.schema().to_value(), &["user"]);
        let trailing: Vec<&str> = trailing(&properties)
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(
            trailing,
            ["tag", "colour"],
            "the order of the fields, not of names"
        );
        let expected = json!({"user": 42, "tag": "vip", "colour": "gold"});
        assert_eq!(tag(&["tag", "42", "vip", "gold"]), Ok(expected.clone()));
        assert_eq!(
            tag(&["tag", "42", "--colour", "gold", "vip"]),
            Ok(expected.clone())
        );
        assert_eq!(
            tag(&["tag", "42", "--tag", "vip", "--colour", "gold"]),
            Ok(expected)
        );
        // With --custom-id, what follows is the strings.
        assert_eq!(
            tag(&["tag", "--custom-id", "a@b", "vip", "gold"]),
            Ok(json!({"user": "a@b", "tag": "vip", "colour": "gold"}))
        );
        assert_eq!(
            tag(&["tag", "--custom-id", "a@b", "042", "x"]),
            Ok(json!({"user": "a@b", "tag": "042", "colour": "x"})),
            "a number after --custom-id is a string, as typed"
        );
        for (argv, expected) in [
            (
                &["tag", "a@b", "vip", "gold"][..],
                "invalid value 'a@b' for '<USER>'",
            ),
            (
                &["tag", "--custom-id", "a", "vip", "gold", "x"],
                "unexpected argument 'x'",
            ),
            (&["tag", "42", "vip", "--tag", "x"], "cannot be used with"),
            (&["tag", "42", "vip"], "needs --colour"),
        ] {
            let error = tag(argv).unwrap_err();
            assert!(error.contains(expected), "{argv:?}: {error}");
        }
    }

    #[test]
    fn custom_id_is_a_flag_of_its_own_where_no_selector_takes_it() {
        let schema = json!({
            "type": "object",
            "properties": {"custom_id": {"type": "string"}, "id": {"type": "integer"}},
            "required": ["custom_id"],
        });
        let flagged = |paths: &[&str]| {
            properties(&schema, paths)
                .into_iter()
                .find(|p| p.name == "custom_id")
                .map(|p| p.has_flag())
        };
        assert_eq!(flagged(&[]), Some(true));
        let with_selector = json!({
            "type": "object",
            "properties": {
                "custom_id": {"type": "string"},
                "id": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
            },
            "required": ["id"],
        });
        let custom_id = properties(&with_selector, &["id"])
            .into_iter()
            .find(|p| p.name == "custom_id")
            .unwrap();
        assert!(!custom_id.has_flag(), "--custom-id is the selector's");
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
