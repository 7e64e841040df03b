//! Attribute definitions: the custom attributes of users, companies and deals.
//!
//! | operation | request |
//! |---|---|
//! | [`ListAttributes`] `attributes.list` | `GET /attributes/` |
//! | [`CreateAttribute`] `attributes.create` | `POST /attributes/` |
//! | [`GetAttribute`] `attributes.get` | `GET /attributes/{id}/` |
//! | [`DeleteAttribute`] `attributes.delete` | `DELETE /attributes/{id}/` |
//! | [`AttributeTypeForUsers`] `attributes.type-for-users` | `GET /attribute-type/{name_std}/users/` |
//! | [`AttributeTypeForCompanies`] `attributes.type-for-companies` | `GET /attribute-type/{name_std}/companies/` |
//!
//! A definition has a display `name` (1 to 32 characters), the `name_std` slug User.com
//! derives from it (the key the attribute has on users and companies), a [`ValueType`] and
//! the [`ContentType`] of the objects that carry it. A `fixed` attribute also needs its
//! `choices` and whether several may be chosen; all of this is checked before sending.
//!
//! # Example
//!
//! ```
//! use usercom_core::Config;
//! use usercom_core::api::attributes::{ContentType, CreateAttribute, ValueType};
//!
//! let config = Config::for_subdomain("acme", "secret").unwrap();
//! let create = CreateAttribute::new(ContentType::ClientUser, "Plan", ValueType::String);
//! let request = config.request(&create).unwrap();
//! assert_eq!(
//!     std::str::from_utf8(request.body()).unwrap(),
//!     r#"{"content_type":"clientuser","name":"Plan","value_type":"string"}"#
//! );
//! let fixed = CreateAttribute::fixed(ContentType::Company, "Tier", ["gold", "silver"], false);
//! assert!(config.request(&fixed).is_ok());
//! let unchosen = CreateAttribute::new(ContentType::Company, "Tier", ValueType::Fixed);
//! assert!(config.request(&unchosen).unwrap_err().to_string().contains("choices"));
//! ```

use std::fmt;

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::endpoint::{Endpoint, PagedEndpoint, Path, json_body_except};
use crate::lossless::lossless_struct;
use crate::registry::{Column, Group, Registration, Tabular};
use crate::{Api, Error, Lenient, Page};

/// The longest attribute name the API accepts, in characters.
pub const MAX_NAME_CHARS: usize = 32;

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/// The objects an attribute belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContentType {
    /// Activities (CRM tasks).
    Activity,
    /// Users (`"clientuser"`; the oldest documentation answers `"user"`, read as this too).
    #[serde(alias = "user")]
    ClientUser,
    /// Companies.
    Company,
    /// Deals.
    Deal,
    /// Products.
    Product,
    /// Tickets.
    Ticket,
}

impl ContentType {
    /// Every content type, as the documentation lists them.
    pub const ALL: [ContentType; 6] = [
        ContentType::Activity,
        ContentType::ClientUser,
        ContentType::Company,
        ContentType::Deal,
        ContentType::Product,
        ContentType::Ticket,
    ];

    /// The name the API uses (`"clientuser"`).
    pub fn name(self) -> &'static str {
        match self {
            ContentType::Activity => "activity",
            ContentType::ClientUser => "clientuser",
            ContentType::Company => "company",
            ContentType::Deal => "deal",
            ContentType::Product => "product",
            ContentType::Ticket => "ticket",
        }
    }
}

impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The values an attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    /// `true` or `false`.
    Boolean,
    /// A date (`YYYY-MM-DD`).
    Date,
    /// A date and time.
    Datetime,
    /// One (or several) of a fixed set of choices.
    Fixed,
    /// A decimal number.
    Float,
    /// A whole number.
    Integer,
    /// Any JSON.
    Json,
    /// Text.
    String,
}

impl ValueType {
    /// Every value type, as the documentation lists them.
    pub const ALL: [ValueType; 8] = [
        ValueType::Boolean,
        ValueType::Date,
        ValueType::Datetime,
        ValueType::Fixed,
        ValueType::Float,
        ValueType::Integer,
        ValueType::Json,
        ValueType::String,
    ];

    /// The name the API uses (`"datetime"`).
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Boolean => "boolean",
            ValueType::Date => "date",
            ValueType::Datetime => "datetime",
            ValueType::Fixed => "fixed",
            ValueType::Float => "float",
            ValueType::Integer => "integer",
            ValueType::Json => "json",
            ValueType::String => "string",
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

lossless_struct! {
    /// An attribute definition.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct AttributeDefinition {
        /// Its id.
        pub id: i64,
        /// Its display name (`"API string attribute"`).
        pub name: String,
        /// The slug of the name (`"api_string_attribute"`): the attribute's key on the objects
        /// that carry it, and the `name_std` of the type lookups.
        #[serde(default)]
        pub name_std: Option<String>,
        /// What it holds.
        #[serde(default)]
        pub value_type: Option<Lenient<ValueType>>,
        /// What carries it.
        #[serde(default)]
        pub content_type: Option<Lenient<ContentType>>,
    }
    /// Every other field (the choices of a fixed attribute, say), as sent.
    extra
}

impl Tabular for AttributeDefinition {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("name", "/name"),
        Column::new("name_std", "/name_std"),
        Column::new("value_type", "/value_type"),
        Column::new("content_type", "/content_type"),
    ];
}

lossless_struct! {
    /// The answer of a type lookup: `{"value_type": "string"}`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct AttributeType {
        /// What the attribute holds.
        #[serde(default)]
        pub value_type: Option<Lenient<ValueType>>,
    }
}

impl Tabular for AttributeType {
    const COLUMNS: &'static [Column] = &[Column::new("value_type", "/value_type")];
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/// List every attribute definition of the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListAttributes {}

impl ListAttributes {
    /// Every definition.
    pub fn new() -> Self {
        Self {}
    }
}

impl Endpoint for ListAttributes {
    type Output = Page<AttributeDefinition>;
    const NAME: &'static str = "attributes.list";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["attributes/"];

    fn path(&self) -> Path {
        Path::new("attributes")
    }
}

impl PagedEndpoint for ListAttributes {
    type Item = AttributeDefinition;
}

/// Define a custom attribute.
///
/// `name` has 1 to 32 characters; a `fixed` attribute needs `choices` and
/// `allow_multiple_choices`, which other types do not take. All of it is checked before
/// anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateAttribute {
    /// What carries it: activity, clientuser (users), company, deal, product or ticket.
    pub content_type: ContentType,
    /// Its display name, 1 to 32 characters.
    pub name: String,
    /// What it holds: boolean, date, datetime, fixed, float, integer, json or string.
    pub value_type: ValueType,
    /// The choices of a `fixed` attribute (required for fixed, refused otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
    /// Whether several choices of a `fixed` attribute may be chosen at once (required for
    /// fixed, refused otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_multiple_choices: Option<bool>,
}

impl CreateAttribute {
    /// An attribute of `content_type` objects named `name`, holding `value_type` values.
    /// (A `fixed` one also needs [`choices`](Self::choices); [`fixed`](Self::fixed) gives
    /// both at once.)
    pub fn new(content_type: ContentType, name: impl Into<String>, value_type: ValueType) -> Self {
        Self {
            content_type,
            name: name.into(),
            value_type,
            choices: None,
            allow_multiple_choices: None,
        }
    }

    /// A `fixed` attribute with these choices, of which one (or, with `allow_multiple`,
    /// several) may be chosen.
    pub fn fixed<S: Into<String>>(
        content_type: ContentType,
        name: impl Into<String>,
        choices: impl IntoIterator<Item = S>,
        allow_multiple: bool,
    ) -> Self {
        Self::new(content_type, name, ValueType::Fixed).choices(choices, allow_multiple)
    }

    /// The choices of a `fixed` attribute, and whether several may be chosen at once.
    pub fn choices<S: Into<String>>(
        mut self,
        choices: impl IntoIterator<Item = S>,
        allow_multiple: bool,
    ) -> Self {
        self.choices = Some(choices.into_iter().map(Into::into).collect());
        self.allow_multiple_choices = Some(allow_multiple);
        self
    }

    fn check(&self) -> Result<(), Error> {
        let length = self.name.chars().count();
        if self.name.trim().is_empty() {
            return Err(Error::invalid_input("name: the attribute name is empty"));
        }
        if length > MAX_NAME_CHARS {
            return Err(Error::invalid_input(format!(
                "name: the attribute name has {length} characters; at most \
                 {MAX_NAME_CHARS} are allowed"
            )));
        }
        let fixed = self.value_type == ValueType::Fixed;
        match (&self.choices, fixed) {
            (None, true) => {
                return Err(Error::invalid_input(
                    "choices: a fixed attribute needs its choices",
                ));
            }
            (Some(choices), true) if choices.is_empty() => {
                return Err(Error::invalid_input(
                    "choices: a fixed attribute needs at least one choice",
                ));
            }
            (Some(choices), true) => {
                if let Some(blank) = choices.iter().position(|c| c.trim().is_empty()) {
                    return Err(Error::invalid_input(format!(
                        "choices: choice {} is empty",
                        blank + 1
                    )));
                }
            }
            (Some(_), false) => {
                return Err(Error::invalid_input(format!(
                    "choices: only fixed attributes take choices, not {}",
                    self.value_type
                )));
            }
            (None, false) => {}
        }
        match (self.allow_multiple_choices, fixed) {
            (None, true) => Err(Error::invalid_input(
                "allow_multiple_choices: a fixed attribute must say whether several choices \
                 may be chosen",
            )),
            (Some(_), false) => Err(Error::invalid_input(format!(
                "allow_multiple_choices: only fixed attributes take it, not {}",
                self.value_type
            ))),
            _ => Ok(()),
        }
    }
}

impl Endpoint for CreateAttribute {
    type Output = AttributeDefinition;
    const NAME: &'static str = "attributes.create";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["attributes/"];

    fn path(&self) -> Path {
        Path::new("attributes")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.check()?;
        json_body_except(self, &[])
    }
}

/// Get one attribute definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GetAttribute {
    /// Attribute id.
    pub id: i64,
}

impl GetAttribute {
    /// The definition with this id.
    pub fn new(id: i64) -> Self {
        Self { id }
    }
}

impl Endpoint for GetAttribute {
    type Output = AttributeDefinition;
    const NAME: &'static str = "attributes.get";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["attributes/{id}/"];

    fn path(&self) -> Path {
        Path::new("attributes").id(self.id)
    }
}

/// Delete an attribute definition (and its values on every object that has one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DeleteAttribute {
    /// Attribute id.
    pub id: i64,
}

impl DeleteAttribute {
    /// The definition with this id.
    pub fn new(id: i64) -> Self {
        Self { id }
    }
}

impl Endpoint for DeleteAttribute {
    /// The body as sent: `null` for the usual empty 204.
    type Output = Value;
    const NAME: &'static str = "attributes.delete";
    const METHOD: Method = Method::DELETE;
    const PATHS: &'static [&'static str] = &["attributes/{id}/"];

    fn path(&self) -> Path {
        Path::new("attributes").id(self.id)
    }
}

fn check_name_std(name_std: &str) -> Result<(), Error> {
    if name_std.trim().is_empty() {
        return Err(Error::invalid_input(
            "name_std: the attribute's name_std is empty",
        ));
    }
    Ok(())
}

/// Look up the value type of a user attribute by its `name_std`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AttributeTypeForUsers {
    /// The attribute's `name_std` (`"api_string_attribute"`).
    pub name_std: String,
}

impl AttributeTypeForUsers {
    /// The user attribute `name_std`.
    pub fn new(name_std: impl Into<String>) -> Self {
        Self {
            name_std: name_std.into(),
        }
    }
}

impl Endpoint for AttributeTypeForUsers {
    type Output = AttributeType;
    const NAME: &'static str = "attributes.type-for-users";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["attribute-type/{name_std}/users/"];

    fn path(&self) -> Path {
        Path::new("attribute-type")
            .value(self.name_std.clone())
            .then("users")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        check_name_std(&self.name_std)?;
        Ok(None)
    }
}

/// Look up the value type of a company attribute by its `name_std`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AttributeTypeForCompanies {
    /// The attribute's `name_std` (`"industry"`).
    pub name_std: String,
}

impl AttributeTypeForCompanies {
    /// The company attribute `name_std`.
    pub fn new(name_std: impl Into<String>) -> Self {
        Self {
            name_std: name_std.into(),
        }
    }
}

impl Endpoint for AttributeTypeForCompanies {
    type Output = AttributeType;
    const NAME: &'static str = "attributes.type-for-companies";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["attribute-type/{name_std}/companies/"];

    fn path(&self) -> Path {
        Path::new("attribute-type")
            .value(self.name_std.clone())
            .then("companies")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        check_name_std(&self.name_std)?;
        Ok(None)
    }
}

// ---------------------------------------------------------------------------------------------
// Registration and calls
// ---------------------------------------------------------------------------------------------

/// The attributes group.
pub static GROUP: Group = Group {
    name: "attributes",
    summary: "Attribute definitions: the custom attributes of users, companies and deals",
    operations: &[
        Registration::paged::<ListAttributes>(),
        Registration::single::<CreateAttribute>(),
        Registration::single::<GetAttribute>(),
        Registration::single::<DeleteAttribute>(),
        Registration::single::<AttributeTypeForUsers>(),
        Registration::single::<AttributeTypeForCompanies>(),
    ],
};

/// The attributes calls of a client: `client.attributes()`.
#[derive(Debug)]
pub struct Attributes<'a, C>(pub(crate) &'a C);

impl<'a, C: Api> Attributes<'a, C> {
    /// The first page of attribute definitions.
    pub fn list(&self) -> C::Call<'a, Page<AttributeDefinition>> {
        self.0.call(ListAttributes::new())
    }

    /// Every attribute definition.
    pub fn all(&self) -> C::Items<AttributeDefinition> {
        self.0.paginate(ListAttributes::new())
    }

    /// Defines an attribute; bad input is refused before anything is sent.
    pub fn create(&self, create: CreateAttribute) -> C::Call<'a, AttributeDefinition> {
        self.0.call(create)
    }

    /// One attribute definition.
    pub fn get(&self, id: i64) -> C::Call<'a, AttributeDefinition> {
        self.0.call(GetAttribute::new(id))
    }

    /// Deletes an attribute definition; the answer is the body as sent (`null` when empty).
    pub fn delete(&self, id: i64) -> C::Call<'a, Value> {
        self.0.call(DeleteAttribute::new(id))
    }

    /// The value type of the user attribute `name_std`.
    pub fn type_for_users(&self, name_std: impl Into<String>) -> C::Call<'a, AttributeType> {
        self.0.call(AttributeTypeForUsers::new(name_std))
    }

    /// The value type of the company attribute `name_std`.
    pub fn type_for_companies(&self, name_std: impl Into<String>) -> C::Call<'a, AttributeType> {
        self.0.call(AttributeTypeForCompanies::new(name_std))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use crate::api::DryRun;

    #[test]
    fn each_call_sends_its_documented_request() {
        let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
        let attributes = client.attributes();
        let root = "https://acme.user.com/api/public/";
        let cases = [
            (attributes.list(), "GET", "attributes/", ""),
            (attributes.all(), "GET", "attributes/", ""),
            (
                attributes.create(CreateAttribute::new(
                    ContentType::ClientUser,
                    "API string attribute",
                    ValueType::String,
                )),
                "POST",
                "attributes/",
                r#"{"content_type":"clientuser","name":"API string attribute","value_type":"string"}"#,
            ),
            (
                attributes.create(CreateAttribute::fixed(
                    ContentType::Deal,
                    "Tier",
                    ["gold", "silver"],
                    true,
                )),
                "POST",
                "attributes/",
                r#"{"allow_multiple_choices":true,"choices":["gold","silver"],"content_type":"deal","name":"Tier","value_type":"fixed"}"#,
            ),
            (attributes.get(46), "GET", "attributes/46/", ""),
            (attributes.delete(46), "DELETE", "attributes/46/", ""),
            (
                attributes.type_for_users("api_string_attribute"),
                "GET",
                "attribute-type/api_string_attribute/users/",
                "",
            ),
            (
                attributes.type_for_companies("a b/c"),
                "GET",
                "attribute-type/a%20b%2Fc/companies/",
                "",
            ),
        ];
        for (request, method, path, body) in cases {
            let request = request.unwrap();
            assert_eq!(request.method(), method);
            assert_eq!(request.uri().to_string(), format!("{root}{path}"));
            assert_eq!(std::str::from_utf8(request.body()).unwrap(), body);
        }
    }

    #[test]
    fn create_is_checked_before_sending_and_names_the_field() {
        let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
        let attributes = client.attributes();
        let user = ContentType::ClientUser;
        let cases = [
            (CreateAttribute::new(user, " ", ValueType::String), "name"),
            (
                CreateAttribute::new(user, "x".repeat(33), ValueType::String),
                "name",
            ),
            (
                CreateAttribute::new(user, "Tier", ValueType::Fixed),
                "choices",
            ),
            (
                CreateAttribute::fixed(user, "Tier", Vec::<String>::new(), false),
                "choices",
            ),
            (
                CreateAttribute::fixed(user, "Tier", ["gold", " "], false),
                "choices",
            ),
            (
                CreateAttribute::new(user, "Plan", ValueType::String).choices(["a"], false),
                "choices",
            ),
            (
                CreateAttribute {
                    choices: Some(vec!["gold".into()]),
                    ..CreateAttribute::new(user, "Tier", ValueType::Fixed)
                },
                "allow_multiple_choices",
            ),
            (
                CreateAttribute {
                    allow_multiple_choices: Some(true),
                    ..CreateAttribute::new(user, "Plan", ValueType::Integer)
                },
                "allow_multiple_choices",
            ),
        ];
        for (create, field) in cases {
            let err = attributes.create(create.clone()).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("invalid input: {field}: ")),
                "{create:?}: {err}"
            );
        }
        // 32 characters, not 32 bytes.
        let longest = "ż".repeat(MAX_NAME_CHARS);
        assert!(
            attributes
                .create(CreateAttribute::new(user, longest, ValueType::Date))
                .is_ok()
        );
        let err = attributes.type_for_users(" ").unwrap_err();
        assert!(err.to_string().contains("name_std"), "{err}");
    }

    #[test]
    fn enums_read_leniently_and_know_the_documented_names() {
        for content_type in ContentType::ALL {
            let json = serde_json::to_string(&content_type).unwrap();
            assert_eq!(json, format!("\"{content_type}\""));
        }
        for value_type in ValueType::ALL {
            let back: ValueType =
                serde_json::from_str(&format!("\"{}\"", value_type.name())).unwrap();
            assert_eq!(back, value_type);
        }
        let old: AttributeDefinition = serde_json::from_str(
            r#"{"id": 46, "name": "x", "name_std": "x", "value_type": "money",
                "content_type": "user", "choices": ["a"]}"#,
        )
        .unwrap();
        let content = old.content_type.as_ref().unwrap();
        assert_eq!(content.known(), Some(&ContentType::ClientUser));
        assert_eq!(content.raw(), "user", "kept as sent");
        assert_eq!(old.value_type.as_ref().unwrap().known(), None);
        let again = serde_json::to_value(&old).unwrap();
        assert_eq!(again["value_type"], "money");
        assert_eq!(again["choices"], serde_json::json!(["a"]));
        let args = serde_json::json!({"content_type": "ticket", "name": "n", "value_type": "gif"});
        assert!(serde_json::from_value::<CreateAttribute>(args).is_err());
    }
}
