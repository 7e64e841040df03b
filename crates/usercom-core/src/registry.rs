//! The one registry of operations.
//!
//! Every operation of every group is registered once, in its group module, with
//! [`Registration::single`] or [`Registration::paged`]; everything else is derived from the
//! operation's type: its stable name, method and paths ([`Endpoint`]), its arguments (its
//! serde form, with a JSON schema from its doc comments), whether it writes, and how its
//! output is shown as a table ([`Tabular`]). The fixtures, the recorder, the fake server's
//! route coverage and the CLI all read this registry, so a new group reaches them without
//! any change of theirs.
//!
//! ```
//! use usercom_core::registry;
//!
//! let get = registry::find("conversations.get").unwrap();
//! assert_eq!(get.method, http::Method::GET);
//! assert_eq!(get.paths, ["conversations/{id}/"]);
//! assert!(!get.writes());
//!
//! let op = get.build(serde_json::json!({"id": 339461})).unwrap();
//! let config = usercom_core::Config::for_subdomain("acme", "key").unwrap();
//! let request = op.request(&config).unwrap();
//! assert_eq!(request.uri(), "https://acme.user.com/api/public/conversations/339461/");
//!
//! let err = get.build(serde_json::json!({"id": "x", "extra": 1})).unwrap_err();
//! assert!(err.to_string().contains("conversations.get"), "{err}");
//! ```

use std::fmt;

use http::{Method, Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::endpoint::{Endpoint, PagedEndpoint, Raw, RawItems, RawJson};
use crate::{Config, Error, Paginator};

/// A column of table and CSV output: a header and where its value sits in an item, as a
/// JSON pointer (`/user/email`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The header (upper-cased in tables).
    pub header: &'static str,
    /// The JSON pointer of the value within one item.
    pub pointer: &'static str,
}

impl Column {
    /// A column.
    pub const fn new(header: &'static str, pointer: &'static str) -> Self {
        Self { header, pointer }
    }
}

/// How a model is shown as a table or CSV (one description per model, used by the CLI),
/// and whether its objects are open.
pub trait Tabular {
    /// The columns, in order. Empty: the model has no table form (JSON is shown instead).
    const COLUMNS: &'static [Column];

    /// Whether its objects carry keys of the account's own (custom attributes, which v2
    /// flattens into users, companies and deals), so that which keys an answer holds varies
    /// from account to account. The fake server's shape check compares only the types of
    /// the keys both sides have inside an open object.
    const OPEN: bool = false;
}

impl Tabular for Value {
    const COLUMNS: &'static [Column] = &[];
    const OPEN: bool = true;
}

impl<T: Tabular> Tabular for Vec<T> {
    const COLUMNS: &'static [Column] = T::COLUMNS;
    const OPEN: bool = T::OPEN;
}

impl<T: Tabular> Tabular for Option<T> {
    const COLUMNS: &'static [Column] = T::COLUMNS;
    const OPEN: bool = T::OPEN;
}

/// An operation that can be registered: an [`Endpoint`] whose arguments are its serde form.
///
/// Implemented for every type that has the derives a group's operations carry
/// (`Debug, Clone, Serialize, Deserialize, schemars::JsonSchema`).
pub trait Operation:
    Endpoint + Serialize + DeserializeOwned + schemars::JsonSchema + fmt::Debug + Send + Sync + 'static
{
}

impl<T> Operation for T where
    T: Endpoint
        + Serialize
        + DeserializeOwned
        + schemars::JsonSchema
        + fmt::Debug
        + Send
        + Sync
        + 'static
{
}

/// A group of operations: `conversations`, `tags`, …
#[derive(Debug)]
pub struct Group {
    /// The group's name, the first half of its operations' names.
    pub name: &'static str,
    /// One line on what it is.
    pub summary: &'static str,
    /// Its operations.
    pub operations: &'static [Registration],
}

/// One registered operation.
pub struct Registration {
    /// The stable name (`"tags.list"`).
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// Every path it can take, with `{name}` for each parameter.
    pub paths: &'static [&'static str],
    /// Whether it is a paginated listing.
    pub paged: bool,
    /// Table and CSV columns of its output (of one item, for a listing).
    pub columns: &'static [Column],
    /// Whether its output (one item, for a listing) is open: see [`Tabular::OPEN`].
    pub open: bool,
    build: fn(Value) -> Result<Box<dyn DynOperation>, Error>,
    schema: fn() -> schemars::Schema,
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("name", &self.name)
            .field("method", &self.method)
            .field("paths", &self.paths)
            .field("paged", &self.paged)
            .finish_non_exhaustive()
    }
}

impl Registration {
    /// Registers an operation with one answer.
    pub const fn single<E>() -> Self
    where
        E: Operation,
        E::Output: Serialize + fmt::Debug + Tabular,
    {
        Self {
            name: E::NAME,
            method: E::METHOD,
            paths: E::PATHS,
            paged: false,
            columns: <E::Output as Tabular>::COLUMNS,
            open: <E::Output as Tabular>::OPEN,
            build: build_single::<E>,
            schema: schema_of::<E>,
        }
    }

    /// Registers a paginated listing.
    pub const fn paged<E>() -> Self
    where
        E: Operation + PagedEndpoint,
        E::Item: Serialize + fmt::Debug + Tabular,
    {
        Self {
            name: E::NAME,
            method: E::METHOD,
            paths: E::PATHS,
            paged: true,
            columns: <E::Item as Tabular>::COLUMNS,
            open: <E::Item as Tabular>::OPEN,
            build: build_paged::<E>,
            schema: schema_of::<E>,
        }
    }

    /// The group: what comes before the dot of the name.
    pub fn group(&self) -> &'static str {
        self.name
            .split_once('.')
            .map_or(self.name, |(group, _)| group)
    }

    /// The operation: what comes after the dot of the name.
    pub fn operation(&self) -> &'static str {
        self.name.split_once('.').map_or(self.name, |(_, op)| op)
    }

    /// Whether sending it changes data on the server.
    pub fn writes(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }

    /// The names of the path parameters, in the order they first appear in the paths.
    pub fn path_parameters(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        for path in self.paths {
            for segment in path.split('/') {
                if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
                    && !names.contains(&name)
                {
                    names.push(name);
                }
            }
        }
        names
    }

    /// The operation with these arguments (its serde form, such as `{"id": 42}`). Unknown
    /// or ill-typed arguments are an error naming the operation and the argument.
    pub fn build(&self, args: Value) -> Result<Box<dyn DynOperation>, Error> {
        (self.build)(args)
    }

    /// The JSON schema of its arguments; its `description` is the operation's doc comment.
    pub fn schema(&self) -> schemars::Schema {
        (self.schema)()
    }

    /// The first line of the operation's doc comment.
    pub fn summary(&self) -> String {
        let schema = self.schema();
        let description = schema
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        description.lines().next().unwrap_or_default().to_owned()
    }
}

/// An operation built from JSON arguments, whatever its type.
pub trait DynOperation: fmt::Debug + Send + Sync {
    /// The stable name.
    fn name(&self) -> &'static str;
    /// The HTTP method.
    fn method(&self) -> Method;
    /// Whether it is a paginated listing.
    fn paged(&self) -> bool;
    /// Whether it is safe to send again after a failure of unknown outcome.
    fn idempotent(&self) -> bool;
    /// Its arguments, as it was built from them.
    fn args(&self) -> Value;
    /// The request the core builds for it.
    fn request(&self, config: &Config) -> Result<Request<Vec<u8>>, Error>;
    /// Parses a response into its typed output.
    fn parse(&self, config: &Config, response: Response<&[u8]>) -> Parsed;
    /// Parses a response into the JSON the server sent: the item for a single answer (inside
    /// its envelope), the whole page for a listing.
    fn parse_raw(&self, config: &Config, response: Response<&[u8]>) -> Result<RawJson, Error>;
    /// For a listing: a paginator over its items as the JSON the server sent.
    fn raw_pages(&self, config: &Config) -> Option<Paginator<RawJson>>;
}

/// A response parsed into an operation's typed output.
#[derive(Debug)]
pub struct Parsed {
    /// `{outcome:#?}` of the typed outcome: what snapshots show.
    pub debug: String,
    /// The typed output serialised again, to compare with what the server sent.
    pub json: Option<Value>,
    /// The error, if it was one.
    pub error: Option<Error>,
}

impl Parsed {
    fn of<T: Serialize + fmt::Debug>(outcome: Result<T, Error>) -> Self {
        let debug = format!("{outcome:#?}");
        match outcome {
            Ok(output) => Self {
                debug,
                json: serde_json::to_value(&output).ok(),
                error: None,
            },
            Err(error) => Self {
                debug,
                json: None,
                error: Some(error),
            },
        }
    }
}

#[derive(Debug)]
struct Single<E>(E);

#[derive(Debug)]
struct Paged<E>(E);

fn from_args<E: Operation>(args: Value) -> Result<E, Error> {
    serde_path_to_error::deserialize(args).map_err(|error| {
        let path = error.path().to_string();
        let at = if path == "." {
            String::new()
        } else {
            format!(" at `{path}`")
        };
        Error::invalid_input(format!(
            "bad arguments for {}{at}: {}",
            E::NAME,
            error.into_inner()
        ))
    })
}

fn build_single<E>(args: Value) -> Result<Box<dyn DynOperation>, Error>
where
    E: Operation,
    E::Output: Serialize + fmt::Debug,
{
    Ok(Box::new(Single(from_args::<E>(args)?)))
}

fn build_paged<E>(args: Value) -> Result<Box<dyn DynOperation>, Error>
where
    E: Operation + PagedEndpoint,
    E::Item: Serialize + fmt::Debug,
{
    Ok(Box::new(Paged(from_args::<E>(args)?)))
}

fn schema_of<E: Operation>() -> schemars::Schema {
    schemars::schema_for!(E)
}

/// The parts every registered operation shares, whether it pages or not.
macro_rules! common_dyn_methods {
    () => {
        fn name(&self) -> &'static str {
            E::NAME
        }

        fn method(&self) -> Method {
            E::METHOD
        }

        fn idempotent(&self) -> bool {
            self.0.idempotent()
        }

        fn args(&self) -> Value {
            serde_json::to_value(&self.0).unwrap_or(Value::Null)
        }

        fn request(&self, config: &Config) -> Result<Request<Vec<u8>>, Error> {
            config.request(&self.0)
        }

        fn parse(&self, config: &Config, response: Response<&[u8]>) -> Parsed {
            Parsed::of(config.parse(&self.0, response))
        }
    };
}

impl<E> DynOperation for Single<E>
where
    E: Operation,
    E::Output: Serialize + fmt::Debug,
{
    common_dyn_methods!();

    fn paged(&self) -> bool {
        false
    }

    fn parse_raw(&self, config: &Config, response: Response<&[u8]>) -> Result<RawJson, Error> {
        config.parse(&Raw(&self.0), response)
    }

    fn raw_pages(&self, _config: &Config) -> Option<Paginator<RawJson>> {
        None
    }
}

impl<E> DynOperation for Paged<E>
where
    E: Operation + PagedEndpoint,
    E::Item: Serialize + fmt::Debug,
{
    common_dyn_methods!();

    fn paged(&self) -> bool {
        true
    }

    fn parse_raw(&self, config: &Config, response: Response<&[u8]>) -> Result<RawJson, Error> {
        config.parse(&Raw(&self.0), response)
    }

    fn raw_pages(&self, config: &Config) -> Option<Paginator<RawJson>> {
        Some(Paginator::new(config.clone(), &RawItems(&self.0)))
    }
}

/// Every registered operation of every group.
pub fn operations() -> impl Iterator<Item = &'static Registration> {
    crate::api::GROUPS
        .iter()
        .flat_map(|group| group.operations.iter())
}

/// The operation with this stable name.
pub fn find(name: &str) -> Option<&'static Registration> {
    operations().find(|registration| registration.name == name)
}

/// Every group.
pub fn groups() -> &'static [&'static Group] {
    crate::api::GROUPS
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_and_belong_to_their_group() {
        let mut seen = BTreeSet::new();
        for group in groups() {
            assert!(!group.operations.is_empty(), "{}", group.name);
            for op in group.operations {
                assert!(seen.insert(op.name), "{} registered twice", op.name);
                assert_eq!(op.group(), group.name, "{}", op.name);
                assert!(!op.paths.is_empty(), "{} has no path", op.name);
                for path in op.paths {
                    assert!(
                        path.ends_with('/') && !path.starts_with('/'),
                        "{}: {path} must be relative and end with /",
                        op.name
                    );
                }
                assert!(!op.summary().is_empty(), "{} has no doc comment", op.name);
                if op.paged {
                    assert_eq!(op.method, Method::GET, "{}", op.name);
                }
            }
        }
    }
}
