//! Companies: by numeric id or by custom id, their tags, custom attributes and members.
//!
//! | operation | request |
//! |---|---|
//! | [`ListCompanies`] `companies.list` | `GET /companies/` |
//! | [`CreateCompany`] `companies.create` | `POST /companies/` |
//! | [`GetCompany`] `companies.get` | `GET /companies/{id}/` or `GET /companies-by-id/{custom_id}/` |
//! | [`UpdateCompany`] `companies.update` | `PUT /companies/{id}/` or `PUT /companies-by-id/{custom_id}/` |
//! | [`DeleteCompany`] `companies.delete` | `DELETE /companies/{id}/` or `DELETE /companies-by-id/{custom_id}/` |
//! | `On<`[`AddTag`]`>` `companies.add-tag` | `POST /companies/{id}/add_tag/` or `…-by-id/{custom_id}/add_tag/` |
//! | `On<`[`RemoveTag`]`>` `companies.remove-tag` | `POST /companies/{id}/remove_tag/` or `…-by-id/{custom_id}/remove_tag/` |
//! | `On<`[`SetAttribute`]`>` `companies.set-attribute` | `POST /companies/{id}/set_attribute/` or `…-by-id/{custom_id}/set_attribute/` |
//! | `On<`[`SetAttributes`]`>` `companies.set-attributes` | `POST /companies/{id}/set_multiple_attributes/` or `…-by-id/{custom_id}/set_multiple_attributes/` |
//! | [`AddMember`] `companies.add-member` | `POST /companies/{id}/add_member/` |
//! | [`RemoveMember`] `companies.remove-member` | `POST /companies/{id}/remove_member/` |
//!
//! An object reached by id or custom id takes a [`Selector`]: `42` is User.com's numeric id,
//! `"group@795"` the custom id the account gave the company (percent-encoded in the path).
//! Members are added and removed by numeric company id only: no source shows the
//! `companies-by-id/…` form of those two routes. The list of a company's members
//! (`GET /companies/{id}/users/`) is not seen in any source and is not offered; a company's
//! [`employees`](Company::employees) are its members' user ids.
//!
//! v2 sends a company's custom attributes as top-level keys: they are kept, with their JSON
//! types, in [`Company::extra`], and written the same way (the `attributes` of
//! [`CreateCompany`] and [`UpdateCompany`] sit beside the documented fields on the wire).

use http::Method;
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::api::tags::Tag;
use crate::endpoint::{Endpoint, PagedEndpoint, Path, json_body_except};
use crate::family::{Action, On};
use crate::lossless::lossless_struct;
use crate::registry::{Column, Group, Registration, Tabular};
use crate::{Api, Error, Page, Selector};

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

lossless_struct! {
    /// A company.
    ///
    /// Every documented field may be null or absent (accounts differ, and older answers use
    /// other names); custom attributes and fields this SDK does not name are kept in
    /// [`extra`](Self::extra) with their JSON types, so a company serialised again holds
    /// everything the server sent.
    ///
    /// ```
    /// use usercom_core::api::companies::Company;
    /// let company: Company = serde_json::from_str(r#"{
    ///     "id": 21, "name": "rudder ventures", "custom_id": "group@795",
    ///     "phone_numbers": null, "employees": [52], "tags": [],
    ///     "created_at": "2022-09-12T12:40:30.548068Z",
    ///     "isprofitable": "no", "seats": 12, "partner": true
    /// }"#).unwrap();
    /// assert_eq!(company.custom_id(), Some("group@795"));
    /// assert_eq!(company.employees, Some(vec![52]));
    /// assert_eq!(company.extra["seats"], 12);
    /// assert_eq!(company.extra["partner"], true);
    /// ```
    #[derive(Debug, Clone, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct Company {
        /// Company id.
        pub id: i64,
        /// Its name.
        #[serde(default)]
        pub name: Option<String>,
        /// The account's own id for it (`companies-by-id/{custom_id}/`).
        #[serde(default)]
        pub custom_id: Option<String>,
        /// A description.
        #[serde(default)]
        pub description: Option<String>,
        /// Email address.
        #[serde(default)]
        pub email: Option<String>,
        /// Country, as free text.
        #[serde(default)]
        pub country: Option<String>,
        /// Region, as free text.
        #[serde(default)]
        pub region: Option<String>,
        /// City.
        #[serde(default)]
        pub city: Option<String>,
        /// Street address.
        #[serde(default)]
        pub address: Option<String>,
        /// Postal code.
        #[serde(default)]
        pub postal_code: Option<String>,
        /// Size (an integer on write; no example shows one that is not `null`).
        #[serde(default)]
        pub size: Option<i64>,
        /// Phone numbers; `null` rather than `[]` when there are none, in recorded answers.
        #[serde(default)]
        pub phone_numbers: Option<Vec<String>>,
        /// Its tags (names on write, `{id, name}` on read).
        #[serde(default)]
        pub tags: Option<Vec<Tag>>,
        /// The user ids of its members.
        #[serde(default)]
        pub employees: Option<Vec<i64>>,
        /// The custom id of the user it was last linked to on create or update.
        #[serde(default)]
        pub user_custom_id: Option<String>,
        /// When it was created.
        #[serde(default)]
        pub created_at: Option<Timestamp>,
        /// When it last changed.
        #[serde(default)]
        pub updated_at: Option<Timestamp>,
    }
    /// Custom attributes (top-level keys in v2, with their JSON types) and every other
    /// field, as sent.
    extra
}

impl Company {
    /// The custom id: `custom_id`, or the v1 name `company_id` when only that holds text.
    pub fn custom_id(&self) -> Option<&str> {
        self.custom_id
            .as_deref()
            .or_else(|| self.extra.get("company_id").and_then(Value::as_str))
    }

    /// A custom attribute (or any field this SDK does not name), as sent.
    pub fn attribute(&self, name: &str) -> Option<&Value> {
        self.extra.get(name)
    }
}

impl Tabular for Company {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("name", "/name"),
        Column::new("custom_id", "/custom_id"),
        Column::new("email", "/email"),
        Column::new("country", "/country"),
        Column::new("city", "/city"),
        Column::new("size", "/size"),
        Column::new("created_at", "/created_at"),
    ];
    const OPEN: bool = true;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the writes
// ---------------------------------------------------------------------------------------------

/// Text that must hold more than space.
fn check_text(field: &str, text: &str) -> Result<(), Error> {
    if text.trim().is_empty() {
        return Err(Error::invalid_input(format!(
            "the company's {field} is empty"
        )));
    }
    Ok(())
}

/// Lists of names or numbers whose entries must hold more than space.
fn check_entries(field: &str, entries: &[String]) -> Result<(), Error> {
    match entries.iter().position(|entry| entry.trim().is_empty()) {
        Some(at) => Err(Error::invalid_input(format!(
            "the company's {field}[{at}] is empty"
        ))),
        None => Ok(()),
    }
}

/// Custom attributes: named, and not a field the API sets itself.
fn check_attributes(attributes: &Map<String, Value>) -> Result<(), Error> {
    for name in attributes.keys() {
        match name.as_str() {
            name if name.trim().is_empty() => {
                return Err(Error::invalid_input(
                    "a custom attribute of the company has an empty name",
                ));
            }
            "id" => {
                return Err(Error::invalid_input(
                    "`id` is not a custom attribute: the API gives a company its id",
                ));
            }
            "employees" => {
                return Err(Error::invalid_input(
                    "`employees` cannot be written: add and remove members with \
                     companies.add-member and companies.remove-member",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads a field that is sent as `null` to clear it: present (`Some`), with `None` for null.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A field of an update: `None` leaves it as it is, `Some(None)` clears it (sends `null`),
/// `Some(Some(value))` sets it.
pub type Change<T> = Option<Option<T>>;

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/// List every company of the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListCompanies {}

impl ListCompanies {
    /// Every company.
    pub fn new() -> Self {
        Self {}
    }
}

impl Endpoint for ListCompanies {
    type Output = Page<Company>;
    const NAME: &'static str = "companies.list";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["companies/"];

    fn path(&self) -> Path {
        Path::new("companies")
    }
}

impl PagedEndpoint for ListCompanies {
    type Item = Company;
}

/// Create a company.
///
/// `name` is required. Any key besides the documented fields is a custom attribute of the
/// company (it must exist in the account) and is sent as it is, beside them; `null` and
/// absent are the same here. `user_custom_id` links the user with that custom id.
///
/// ```
/// use usercom_core::{Config, api::companies::CreateCompany};
/// let config = Config::for_subdomain("acme", "key").unwrap();
/// let create = CreateCompany::new("Acme")
///     .custom_id("acme-1")
///     .tags(["vip"])
///     .attribute("seats", 12);
/// let request = config.request(&create).unwrap();
/// assert_eq!(
///     std::str::from_utf8(request.body()).unwrap(),
///     r#"{"custom_id":"acme-1","name":"Acme","seats":12,"tags":["vip"]}"#
/// );
/// let err = config.request(&CreateCompany::new(" ")).unwrap_err();
/// assert!(err.to_string().contains("name is empty"), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct CreateCompany {
    /// Its name (required).
    pub name: String,
    /// The account's own id for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<String>,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Size, an integer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    /// Phone numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_numbers: Option<Vec<String>>,
    /// Tag names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// The custom id of a user to link to the company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_custom_id: Option<String>,
    /// Custom attributes, sent as top-level keys beside the fields above.
    #[serde(flatten)]
    pub attributes: Map<String, Value>,
}

impl CreateCompany {
    /// A company named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            custom_id: None,
            description: None,
            email: None,
            country: None,
            region: None,
            city: None,
            address: None,
            postal_code: None,
            size: None,
            phone_numbers: None,
            tags: None,
            user_custom_id: None,
            attributes: Map::new(),
        }
    }

    /// The account's own id for it.
    pub fn custom_id(mut self, custom_id: impl Into<String>) -> Self {
        self.custom_id = Some(custom_id.into());
        self
    }

    /// Its email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Its tags, by name.
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.tags = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Links the user with this custom id.
    pub fn user_custom_id(mut self, user_custom_id: impl Into<String>) -> Self {
        self.user_custom_id = Some(user_custom_id.into());
        self
    }

    /// Sets a custom attribute.
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }
}

impl Endpoint for CreateCompany {
    type Output = Company;
    const NAME: &'static str = "companies.create";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["companies/"];

    fn path(&self) -> Path {
        Path::new("companies")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        check_text("name", &self.name)?;
        if let Some(custom_id) = &self.custom_id {
            check_text("custom_id", custom_id)?;
        }
        if let Some(user) = &self.user_custom_id {
            check_text("user_custom_id", user)?;
        }
        check_entries("tags", self.tags.as_deref().unwrap_or_default())?;
        check_entries(
            "phone_numbers",
            self.phone_numbers.as_deref().unwrap_or_default(),
        )?;
        check_attributes(&self.attributes)?;
        json_body_except(self, &[])
    }
}

/// Get one company, by id or custom id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GetCompany {
    /// The company: its numeric id, or its custom id as a string.
    pub id: Selector,
}

impl GetCompany {
    /// The company with this id or custom id.
    pub fn new(id: impl Into<Selector>) -> Self {
        Self { id: id.into() }
    }
}

impl Endpoint for GetCompany {
    type Output = Company;
    const NAME: &'static str = "companies.get";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["companies/{id}/", "companies-by-id/{id}/"];

    fn path(&self) -> Path {
        self.id.path("companies", "companies-by-id")
    }
}

/// Update a company, by id or custom id: only the fields given change.
///
/// A field sent as `null` is cleared. Any key besides the documented fields is a custom
/// attribute, sent beside them. The answer is the company as stored, which need not echo
/// what was sent.
///
/// ```
/// use usercom_core::{Config, api::companies::UpdateCompany};
/// let config = Config::for_subdomain("acme", "key").unwrap();
/// let mut update = UpdateCompany::new("group@795").name("Rudder").attribute("seats", 3);
/// update.postal_code = Some(None); // cleared
/// let request = config.request(&update).unwrap();
/// assert_eq!(request.method(), "PUT");
/// assert_eq!(request.uri(), "https://acme.user.com/api/public/companies-by-id/group@795/");
/// assert_eq!(
///     std::str::from_utf8(request.body()).unwrap(),
///     r#"{"name":"Rudder","postal_code":null,"seats":3}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct UpdateCompany {
    /// The company: its numeric id, or its custom id as a string.
    pub id: Selector,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The account's own id for it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub custom_id: Change<String>,
    /// A description.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub description: Change<String>,
    /// Email address.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub email: Change<String>,
    /// Country.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub country: Change<String>,
    /// Region.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub region: Change<String>,
    /// City.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub city: Change<String>,
    /// Street address.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub address: Change<String>,
    /// Postal code.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub postal_code: Change<String>,
    /// Size, an integer.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub size: Change<i64>,
    /// Phone numbers.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub phone_numbers: Change<Vec<String>>,
    /// Tag names: the company's tags become these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// The custom id of a user to link to the company.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub user_custom_id: Change<String>,
    /// The agent group it is assigned to (documented for the by-custom-id form).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub assigned_to: Change<i64>,
    /// When it was created (RFC 3339), as the docs allow it to be set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub created_at: Option<Timestamp>,
    /// When it last changed (RFC 3339), as the docs allow it to be set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub updated_at: Option<Timestamp>,
    /// Custom attributes, sent as top-level keys beside the fields above.
    #[serde(flatten)]
    pub attributes: Map<String, Value>,
}

impl UpdateCompany {
    /// An update of the company with this id or custom id that changes nothing yet.
    pub fn new(id: impl Into<Selector>) -> Self {
        Self {
            id: id.into(),
            name: None,
            custom_id: None,
            description: None,
            email: None,
            country: None,
            region: None,
            city: None,
            address: None,
            postal_code: None,
            size: None,
            phone_numbers: None,
            tags: None,
            user_custom_id: None,
            assigned_to: None,
            created_at: None,
            updated_at: None,
            attributes: Map::new(),
        }
    }

    /// A new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// A new email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(Some(email.into()));
        self
    }

    /// The company's tags become these.
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.tags = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Sets a custom attribute (`Value::Null` clears it).
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }
}

impl Endpoint for UpdateCompany {
    type Output = Company;
    const NAME: &'static str = "companies.update";
    const METHOD: Method = Method::PUT;
    const PATHS: &'static [&'static str] = &["companies/{id}/", "companies-by-id/{id}/"];

    fn path(&self) -> Path {
        self.id.path("companies", "companies-by-id")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        if let Some(name) = &self.name {
            check_text("name", name)?;
        }
        if let Some(Some(custom_id)) = &self.custom_id {
            check_text("custom_id", custom_id)?;
        }
        if let Some(Some(user)) = &self.user_custom_id {
            check_text("user_custom_id", user)?;
        }
        check_entries("tags", self.tags.as_deref().unwrap_or_default())?;
        if let Some(Some(numbers)) = &self.phone_numbers {
            check_entries("phone_numbers", numbers)?;
        }
        check_attributes(&self.attributes)?;
        json_body_except(self, &["id"])
    }
}

/// Delete a company, by id or custom id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DeleteCompany {
    /// The company: its numeric id, or its custom id as a string.
    pub id: Selector,
}

impl DeleteCompany {
    /// The company with this id or custom id.
    pub fn new(id: impl Into<Selector>) -> Self {
        Self { id: id.into() }
    }
}

impl Endpoint for DeleteCompany {
    /// The body as sent: `null` for the usual empty 204.
    type Output = Value;
    const NAME: &'static str = "companies.delete";
    const METHOD: Method = Method::DELETE;
    const PATHS: &'static [&'static str] = &["companies/{id}/", "companies-by-id/{id}/"];

    fn path(&self) -> Path {
        self.id.path("companies", "companies-by-id")
    }
}

/// A tag, by name: the body of [`AddTag`] and [`RemoveTag`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TagName {
    /// The tag's name.
    pub name: String,
}

impl TagName {
    /// The tag named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }
}

fn check_tag(body: &TagName) -> Result<(), Error> {
    if body.name.trim().is_empty() {
        return Err(Error::invalid_input("the tag name is empty"));
    }
    Ok(())
}

/// Adding a tag to a company: `On<AddTag>`, `companies.add-tag`.
#[derive(Debug)]
pub enum AddTag {}

impl Action for AddTag {
    const NAME: &'static str = "companies.add-tag";
    const PATHS: &'static [&'static str] =
        &["companies/{id}/add_tag/", "companies-by-id/{id}/add_tag/"];
    const ROOTS: [&'static str; 2] = ["companies", "companies-by-id"];
    const SEGMENT: &'static str = "add_tag";
    const SUMMARY: &'static str =
        "Add a tag to a company, by id or custom id (a new name creates the tag).";
    type Body = TagName;
    /// Not documented; client code reads `{"created": bool, "tag": {…}}`.
    type Output = Value;

    fn check(body: &TagName) -> Result<(), Error> {
        check_tag(body)
    }

    /// A company carries a tag or not: sending it twice is sending it once.
    fn idempotent() -> bool {
        true
    }
}

/// Removing a tag from a company: `On<RemoveTag>`, `companies.remove-tag`.
#[derive(Debug)]
pub enum RemoveTag {}

impl Action for RemoveTag {
    const NAME: &'static str = "companies.remove-tag";
    const PATHS: &'static [&'static str] = &[
        "companies/{id}/remove_tag/",
        "companies-by-id/{id}/remove_tag/",
    ];
    const ROOTS: [&'static str; 2] = ["companies", "companies-by-id"];
    const SEGMENT: &'static str = "remove_tag";
    const SUMMARY: &'static str = "Remove a tag from a company, by id or custom id.";
    type Body = TagName;
    /// Not documented.
    type Output = Value;

    fn check(body: &TagName) -> Result<(), Error> {
        check_tag(body)
    }

    /// A company carries a tag or not: sending it twice is sending it once.
    fn idempotent() -> bool {
        true
    }
}

/// One custom attribute and its value: the body of [`SetAttribute`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AttributeValue {
    /// The attribute's `name_std`.
    pub attribute: String,
    /// Its new value, any JSON (`null` clears it).
    pub value: Value,
}

impl AttributeValue {
    /// `attribute` set to `value`.
    pub fn new(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Self {
            attribute: attribute.into(),
            value: value.into(),
        }
    }
}

/// Setting one custom attribute of a company: `On<SetAttribute>`, `companies.set-attribute`.
#[derive(Debug)]
pub enum SetAttribute {}

impl Action for SetAttribute {
    const NAME: &'static str = "companies.set-attribute";
    const PATHS: &'static [&'static str] = &[
        "companies/{id}/set_attribute/",
        "companies-by-id/{id}/set_attribute/",
    ];
    const ROOTS: [&'static str; 2] = ["companies", "companies-by-id"];
    const SEGMENT: &'static str = "set_attribute";
    const SUMMARY: &'static str = "Set one custom attribute of a company, by id or custom id.";
    type Body = AttributeValue;
    /// Not documented.
    type Output = Value;

    fn check(body: &AttributeValue) -> Result<(), Error> {
        if body.attribute.trim().is_empty() {
            return Err(Error::invalid_input("the attribute name is empty"));
        }
        Ok(())
    }

    /// Setting a value twice is setting it once.
    fn idempotent() -> bool {
        true
    }
}

/// Setting several custom attributes of a company at once: `On<SetAttributes>`,
/// `companies.set-attributes`. The body is a flat map of attribute names to values.
#[derive(Debug)]
pub enum SetAttributes {}

impl Action for SetAttributes {
    const NAME: &'static str = "companies.set-attributes";
    const PATHS: &'static [&'static str] = &[
        "companies/{id}/set_multiple_attributes/",
        "companies-by-id/{id}/set_multiple_attributes/",
    ];
    const ROOTS: [&'static str; 2] = ["companies", "companies-by-id"];
    const SEGMENT: &'static str = "set_multiple_attributes";
    const SUMMARY: &'static str =
        "Set several custom attributes of a company at once, by id or custom id.";
    type Body = Map<String, Value>;
    /// Not documented.
    type Output = Value;

    fn check(body: &Map<String, Value>) -> Result<(), Error> {
        if body.is_empty() {
            return Err(Error::invalid_input("no attributes to set"));
        }
        if body.keys().any(|name| name.trim().is_empty()) {
            return Err(Error::invalid_input("an attribute name is empty"));
        }
        Ok(())
    }

    /// Setting values twice is setting them once.
    fn idempotent() -> bool {
        true
    }
}

/// The user of a membership: by user id, by user custom id, or both (RudderStack sends both).
fn check_member(user_id: Option<i64>, user_custom_id: Option<&str>) -> Result<(), Error> {
    match (user_id, user_custom_id) {
        (None, None) => Err(Error::invalid_input(
            "name the member: user_id, user_custom_id, or both",
        )),
        (_, Some(custom)) if custom.trim().is_empty() => {
            Err(Error::invalid_input("the member's user_custom_id is empty"))
        }
        _ => Ok(()),
    }
}

/// Add a user to a company's members (by numeric company id).
///
/// The user is named by id, by custom id, or both.
///
/// ```
/// use usercom_core::{Config, api::companies::AddMember};
/// let config = Config::for_subdomain("acme", "key").unwrap();
/// let both = AddMember::both(21, 52, "user@123");
/// let request = config.request(&both).unwrap();
/// assert_eq!(request.uri(), "https://acme.user.com/api/public/companies/21/add_member/");
/// assert_eq!(request.body(), br#"{"user_custom_id":"user@123","user_id":52}"#);
/// assert_eq!(
///     config.request(&AddMember::new(21, "crm/7")).unwrap().body(),
///     br#"{"user_custom_id":"crm/7"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AddMember {
    /// Company id.
    pub id: i64,
    /// The user's numeric id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// The user's custom id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_custom_id: Option<String>,
}

impl AddMember {
    /// User `user` (a numeric id, or a custom id) joins company `id`.
    pub fn new(id: i64, user: impl Into<Selector>) -> Self {
        let (user_id, user_custom_id) = split(user.into());
        Self {
            id,
            user_id,
            user_custom_id,
        }
    }

    /// The user named both ways.
    pub fn both(id: i64, user_id: i64, user_custom_id: impl Into<String>) -> Self {
        Self {
            id,
            user_id: Some(user_id),
            user_custom_id: Some(user_custom_id.into()),
        }
    }
}

fn split(user: Selector) -> (Option<i64>, Option<String>) {
    match user {
        Selector::Id(id) => (Some(id), None),
        Selector::Custom(custom) => (None, Some(custom)),
    }
}

impl Endpoint for AddMember {
    type Output = Value;
    const NAME: &'static str = "companies.add-member";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["companies/{id}/add_member/"];

    fn path(&self) -> Path {
        Path::new("companies").id(self.id).then("add_member")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        check_member(self.user_id, self.user_custom_id.as_deref())?;
        json_body_except(self, &["id"])
    }

    /// Membership is a set: sending it twice is sending it once.
    fn idempotent(&self) -> bool {
        true
    }
}

/// Remove a user from a company's members (by numeric company id).
///
/// The user is named by id, by custom id, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RemoveMember {
    /// Company id.
    pub id: i64,
    /// The user's numeric id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// The user's custom id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_custom_id: Option<String>,
}

impl RemoveMember {
    /// User `user` (a numeric id, or a custom id) leaves company `id`.
    pub fn new(id: i64, user: impl Into<Selector>) -> Self {
        let (user_id, user_custom_id) = split(user.into());
        Self {
            id,
            user_id,
            user_custom_id,
        }
    }

    /// The user named both ways.
    pub fn both(id: i64, user_id: i64, user_custom_id: impl Into<String>) -> Self {
        Self {
            id,
            user_id: Some(user_id),
            user_custom_id: Some(user_custom_id.into()),
        }
    }
}

impl Endpoint for RemoveMember {
    type Output = Value;
    const NAME: &'static str = "companies.remove-member";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["companies/{id}/remove_member/"];

    fn path(&self) -> Path {
        Path::new("companies").id(self.id).then("remove_member")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        check_member(self.user_id, self.user_custom_id.as_deref())?;
        json_body_except(self, &["id"])
    }

    /// Membership is a set: sending it twice is sending it once.
    fn idempotent(&self) -> bool {
        true
    }
}

// ---------------------------------------------------------------------------------------------
// Registration and calls
// ---------------------------------------------------------------------------------------------

/// The companies group.
pub static GROUP: Group = Group {
    name: "companies",
    summary: "Companies: by id or custom id, their tags, attributes and members",
    operations: &[
        Registration::paged::<ListCompanies>(),
        Registration::single::<CreateCompany>(),
        Registration::single::<GetCompany>(),
        Registration::single::<UpdateCompany>(),
        Registration::single::<DeleteCompany>(),
        Registration::single::<On<AddTag>>(),
        Registration::single::<On<RemoveTag>>(),
        Registration::single::<On<SetAttribute>>(),
        Registration::single::<On<SetAttributes>>(),
        Registration::single::<AddMember>(),
        Registration::single::<RemoveMember>(),
    ],
};

/// The companies calls of a client: `client.companies()`.
///
/// Where a call takes `id: impl Into<Selector>`, a number is the company's id and a string
/// its custom id.
#[derive(Debug)]
pub struct Companies<'a, C>(pub(crate) &'a C);

impl<'a, C: Api> Companies<'a, C> {
    /// The first page of companies.
    pub fn list(&self) -> C::Call<'a, Page<Company>> {
        self.0.call(ListCompanies::new())
    }

    /// Every company.
    pub fn all(&self) -> C::Items<Company> {
        self.0.paginate(ListCompanies::new())
    }

    /// Creates a company.
    pub fn create(&self, create: CreateCompany) -> C::Call<'a, Company> {
        self.0.call(create)
    }

    /// One company, by id or custom id.
    pub fn get(&self, id: impl Into<Selector>) -> C::Call<'a, Company> {
        self.0.call(GetCompany::new(id))
    }

    /// Updates a company, by id or custom id.
    pub fn update(&self, update: UpdateCompany) -> C::Call<'a, Company> {
        self.0.call(update)
    }

    /// Deletes a company, by id or custom id; the answer is the body as sent (`null` when
    /// empty).
    pub fn delete(&self, id: impl Into<Selector>) -> C::Call<'a, Value> {
        self.0.call(DeleteCompany::new(id))
    }

    /// Adds a tag (by name) to a company.
    pub fn add_tag(&self, id: impl Into<Selector>, name: impl Into<String>) -> C::Call<'a, Value> {
        self.0.call(On::<AddTag>::new(id, TagName::new(name)))
    }

    /// Removes a tag (by name) from a company.
    pub fn remove_tag(
        &self,
        id: impl Into<Selector>,
        name: impl Into<String>,
    ) -> C::Call<'a, Value> {
        self.0.call(On::<RemoveTag>::new(id, TagName::new(name)))
    }

    /// Sets one custom attribute of a company.
    pub fn set_attribute(
        &self,
        id: impl Into<Selector>,
        attribute: impl Into<String>,
        value: impl Into<Value>,
    ) -> C::Call<'a, Value> {
        self.0.call(On::<SetAttribute>::new(
            id,
            AttributeValue::new(attribute, value),
        ))
    }

    /// Sets several custom attributes of a company at once.
    pub fn set_attributes(
        &self,
        id: impl Into<Selector>,
        attributes: Map<String, Value>,
    ) -> C::Call<'a, Value> {
        self.0.call(On::<SetAttributes>::new(id, attributes))
    }

    /// Adds a user to a company's members.
    pub fn add_member(&self, member: AddMember) -> C::Call<'a, Value> {
        self.0.call(member)
    }

    /// Removes a user from a company's members.
    pub fn remove_member(&self, member: RemoveMember) -> C::Call<'a, Value> {
        self.0.call(member)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use crate::api::DryRun;
    use serde_json::json;

    #[test]
    fn each_call_sends_its_documented_request() {
        let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
        let companies = client.companies();
        let root = "https://acme.user.com/api/public/";
        let attributes = Map::from_iter([
            ("seats".to_owned(), json!(12)),
            ("plan".to_owned(), json!("pro")),
        ]);
        let cases = [
            (companies.list(), "GET", "companies/", ""),
            (companies.all(), "GET", "companies/", ""),
            (
                companies.create(CreateCompany::new("Acme").custom_id("a b/c")),
                "POST",
                "companies/",
                r#"{"custom_id":"a b/c","name":"Acme"}"#,
            ),
            (companies.get(21), "GET", "companies/21/", ""),
            (
                companies.get("group@795"),
                "GET",
                "companies-by-id/group@795/",
                "",
            ),
            (
                companies.get("a b/c?d"),
                "GET",
                "companies-by-id/a%20b%2Fc%3Fd/",
                "",
            ),
            (
                companies.update(UpdateCompany::new(21).name("New")),
                "PUT",
                "companies/21/",
                r#"{"name":"New"}"#,
            ),
            (
                companies.update(UpdateCompany::new("group@795").tags(["a", "b"])),
                "PUT",
                "companies-by-id/group@795/",
                r#"{"tags":["a","b"]}"#,
            ),
            (companies.delete(21), "DELETE", "companies/21/", ""),
            (
                companies.delete("group@795"),
                "DELETE",
                "companies-by-id/group@795/",
                "",
            ),
            (
                companies.add_tag(21, "vip"),
                "POST",
                "companies/21/add_tag/",
                r#"{"name":"vip"}"#,
            ),
            (
                companies.add_tag("group@795", "vip"),
                "POST",
                "companies-by-id/group@795/add_tag/",
                r#"{"name":"vip"}"#,
            ),
            (
                companies.remove_tag(21, "vip"),
                "POST",
                "companies/21/remove_tag/",
                r#"{"name":"vip"}"#,
            ),
            (
                companies.remove_tag("group@795", "vip"),
                "POST",
                "companies-by-id/group@795/remove_tag/",
                r#"{"name":"vip"}"#,
            ),
            (
                companies.set_attribute(21, "seats", 12),
                "POST",
                "companies/21/set_attribute/",
                r#"{"attribute":"seats","value":12}"#,
            ),
            (
                companies.set_attribute("group@795", "partner", Value::Null),
                "POST",
                "companies-by-id/group@795/set_attribute/",
                r#"{"attribute":"partner","value":null}"#,
            ),
            (
                companies.set_attributes(21, attributes.clone()),
                "POST",
                "companies/21/set_multiple_attributes/",
                r#"{"plan":"pro","seats":12}"#,
            ),
            (
                companies.set_attributes("group@795", attributes),
                "POST",
                "companies-by-id/group@795/set_multiple_attributes/",
                r#"{"plan":"pro","seats":12}"#,
            ),
            (
                companies.add_member(AddMember::new(21, 52)),
                "POST",
                "companies/21/add_member/",
                r#"{"user_id":52}"#,
            ),
            (
                companies.add_member(AddMember::both(21, 52, "user@123")),
                "POST",
                "companies/21/add_member/",
                r#"{"user_custom_id":"user@123","user_id":52}"#,
            ),
            (
                companies.remove_member(RemoveMember::new(21, "user@123")),
                "POST",
                "companies/21/remove_member/",
                r#"{"user_custom_id":"user@123"}"#,
            ),
        ];
        for (request, method, path, body) in cases {
            let request = request.unwrap();
            assert_eq!(request.method(), method, "{path}");
            assert_eq!(request.uri().to_string(), format!("{root}{path}"));
            assert_eq!(std::str::from_utf8(request.body()).unwrap(), body, "{path}");
        }
    }

    #[test]
    fn bad_input_is_refused_before_sending_and_named() {
        let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
        let companies = client.companies();
        let mut no_member = AddMember::new(21, 52);
        no_member.user_id = None;
        let mut blank_phone = UpdateCompany::new(21);
        blank_phone.phone_numbers = Some(Some(vec!["+48".into(), " ".into()]));
        let cases = [
            (companies.create(CreateCompany::new("  ")), "name is empty"),
            (
                companies.create(CreateCompany::new("A").custom_id("")),
                "custom_id is empty",
            ),
            (
                companies.create(CreateCompany::new("A").tags(["x", ""])),
                "tags[1] is empty",
            ),
            (
                companies.create(CreateCompany::new("A").attribute("id", 1)),
                "`id` is not a custom attribute",
            ),
            (
                companies.create(CreateCompany::new("A").attribute("employees", json!([1]))),
                "companies.add-member",
            ),
            (
                companies.create(CreateCompany::new("A").attribute(" ", 1)),
                "empty name",
            ),
            (
                companies.update(UpdateCompany::new(21).name("")),
                "name is empty",
            ),
            (companies.update(blank_phone), "phone_numbers[1] is empty"),
            (
                companies.update(UpdateCompany::new("")),
                "cannot be used as a path segment",
            ),
            (companies.add_tag(21, " "), "tag name is empty"),
            (companies.remove_tag("x", ""), "tag name is empty"),
            (
                companies.set_attribute(21, "", 1),
                "attribute name is empty",
            ),
            (
                companies.set_attributes(21, Map::new()),
                "no attributes to set",
            ),
            (companies.add_member(no_member), "user_id, user_custom_id"),
            (
                companies.remove_member(RemoveMember::new(21, " ")),
                "user_custom_id is empty",
            ),
        ];
        for (request, expected) in cases {
            let err = request.unwrap_err();
            assert!(err.to_string().contains(expected), "{err} / {expected}");
        }
    }

    #[test]
    fn arguments_are_the_wire_body_plus_the_path() {
        let registration = |name: &str| GROUP.operations.iter().find(|op| op.name == name).unwrap();
        let config = Config::for_subdomain("acme", "key").unwrap();
        let cases = [
            (
                "companies.create",
                json!({"name": "Acme", "size": 5, "phone_numbers": ["1"], "seats": 3,
                       "partner": true, "stack": ["rust"], "profile": {"a": null}}),
                "companies/",
            ),
            (
                "companies.update",
                json!({"id": "group@795", "description": null, "size": null,
                       "created_at": "2017-07-06T15:39:25.513985Z", "seats": null}),
                "companies-by-id/group@795/",
            ),
            (
                "companies.set-attributes",
                json!({"id": 21, "seats": 3, "founded": "15 aug, 1947"}),
                "companies/21/set_multiple_attributes/",
            ),
            (
                "companies.add-member",
                json!({"id": 21, "user_id": 52, "user_custom_id": "user@123"}),
                "companies/21/add_member/",
            ),
        ];
        for (name, args, path) in cases {
            let op = registration(name).build(args.clone()).unwrap();
            assert_eq!(op.args(), args, "{name}: built back");
            let request = op.request(&config).unwrap();
            assert_eq!(
                request.uri().to_string(),
                format!("https://acme.user.com/api/public/{path}")
            );
            let body: Value = serde_json::from_slice(request.body()).unwrap();
            let mut expected = args.clone();
            if let Some(fields) = expected.as_object_mut() {
                fields.remove("id");
            }
            assert_eq!(
                body, expected,
                "{name}: the wire body is the args less the path"
            );
        }
        // An unknown key of a strict operation is refused, naming it.
        let err = registration("companies.get")
            .build(json!({"id": 1, "name": "x"}))
            .unwrap_err();
        assert!(err.to_string().contains("name"), "{err}");
        let err = registration("companies.add-member")
            .build(json!({"id": 1, "user": 2}))
            .unwrap_err();
        assert!(err.to_string().contains("user"), "{err}");
    }

    #[test]
    fn every_operation_is_registered_with_both_paths_where_they_exist() {
        let names: Vec<&str> = GROUP.operations.iter().map(|op| op.name).collect();
        assert_eq!(
            names,
            [
                "companies.list",
                "companies.create",
                "companies.get",
                "companies.update",
                "companies.delete",
                "companies.add-tag",
                "companies.remove-tag",
                "companies.set-attribute",
                "companies.set-attributes",
                "companies.add-member",
                "companies.remove-member",
            ]
        );
        for op in GROUP.operations {
            assert!(!op.summary().is_empty(), "{}", op.name);
            let by_custom_id = op.paths.iter().any(|p| p.starts_with("companies-by-id/"));
            let takes_an_object = op.paths.iter().any(|p| p.contains("{id}"));
            let members = op.name.ends_with("-member");
            assert_eq!(
                by_custom_id,
                takes_an_object && !members,
                "{}: {:?}",
                op.name,
                op.paths
            );
        }
        assert_eq!(
            crate::registry::find("companies.set-attributes")
                .unwrap()
                .summary(),
            SetAttributes::SUMMARY
        );
        // Every write but create leaves the same state when sent twice, so a retry may
        // resend it after a failure of unknown outcome.
        let samples = [
            ("companies.create", json!({"name": "A"}), false),
            ("companies.update", json!({"id": 1, "name": "A"}), true),
            ("companies.delete", json!({"id": "x"}), true),
            ("companies.add-tag", json!({"id": 1, "name": "a"}), true),
            ("companies.remove-tag", json!({"id": 1, "name": "a"}), true),
            (
                "companies.set-attribute",
                json!({"id": 1, "attribute": "a", "value": 1}),
                true,
            ),
            ("companies.set-attributes", json!({"id": 1, "a": 1}), true),
            ("companies.add-member", json!({"id": 1, "user_id": 2}), true),
            (
                "companies.remove-member",
                json!({"id": 1, "user_id": 2}),
                true,
            ),
        ];
        for (name, args, idempotent) in samples {
            let op = crate::registry::find(name).unwrap().build(args).unwrap();
            assert_eq!(op.idempotent(), idempotent, "{name}");
        }
    }

    #[test]
    fn a_company_keeps_its_custom_attributes_with_their_types() {
        let sent = json!({
            "id": 21, "name": "rudder ventures", "description": null,
            "phone_numbers": null, "size": null, "tags": [{"id": 9, "name": "To call"}],
            "employees": [52], "custom_id": "group@795", "user_custom_id": "user@123",
            "created_at": "2022-09-12T12:40:30.548068Z",
            "isprofitable": "no", "seats": 12, "mrr": 99.5, "partner": false,
            "stack": ["rust", "go"], "profile": {"tier": 2}, "category": null
        });
        let company: Company = serde_json::from_value(sent.clone()).unwrap();
        assert_eq!(company.tags.as_ref().unwrap()[0].name, "To call");
        assert_eq!(company.phone_numbers, None);
        assert_eq!(
            company.created_at.unwrap().to_string(),
            "2022-09-12T12:40:30.548068Z"
        );
        for (name, value) in [
            ("isprofitable", json!("no")),
            ("seats", json!(12)),
            ("mrr", json!(99.5)),
            ("partner", json!(false)),
            ("stack", json!(["rust", "go"])),
            ("profile", json!({"tier": 2})),
            ("category", Value::Null),
        ] {
            assert_eq!(company.attribute(name), Some(&value), "{name}");
        }
        let again = serde_json::to_value(&company).unwrap();
        for (key, value) in sent.as_object().unwrap() {
            assert_eq!(&again[key], value, "{key}");
        }

        let v1: Company =
            serde_json::from_value(json!({"id": 1666, "company_id": "acme-7"})).unwrap();
        assert_eq!(v1.custom_id(), Some("acme-7"));
        assert_eq!(v1.name, None, "absent is fine");
        let broken = serde_json::from_value::<Company>(json!({"id": "x"}));
        assert!(broken.is_err());
    }

    #[test]
    fn the_companies_of_a_tag_decode_as_companies() {
        for text in [
            include_str!("../../../../fixtures/tags/companies-documented/response.json"),
            include_str!("../../../../fixtures/tags/companies-v2-shape/response.json"),
        ] {
            let page: Page<Company> = serde_json::from_str(text).unwrap();
            assert!(!page.results.is_empty());
            let sent: Value = serde_json::from_str(text).unwrap();
            let again = serde_json::to_value(&page).unwrap();
            for (index, company) in sent["results"].as_array().unwrap().iter().enumerate() {
                for (key, value) in company.as_object().unwrap() {
                    let kept = &again["results"][index][key];
                    let same_instant = value
                        .as_str()
                        .and_then(|t| t.parse::<Timestamp>().ok())
                        .zip(kept.as_str().and_then(|t| t.parse::<Timestamp>().ok()))
                        .is_some_and(|(a, b)| a == b);
                    assert!(kept == value || same_instant, "{key}: {value} / {kept}");
                }
            }
        }
    }
}
