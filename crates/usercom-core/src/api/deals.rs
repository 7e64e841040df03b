//! Deals: the CRM pipeline, by id or custom id.
//!
//! | operation | request |
//! |---|---|
//! | [`ListDeals`] `deals.list` | `GET /deals/`; one user's with `?user_id=`, `?user_custom_id=` or `?userkey=`; one stage's with `?stage=` |
//! | [`GetDeal`] `deals.get` | `GET /deals/{id}/` or `GET /deals-by-id/{custom_id}/` |
//! | [`CreateDeal`] `deals.create` | `POST /deals/` |
//! | [`UpdateDeal`] `deals.update` | `PUT /deals/{id}/` or `PUT /deals-by-id/{custom_id}/` |
//! | [`DeleteDeal`] `deals.delete` | `DELETE /deals/{id}/` or `DELETE /deals-by-id/{custom_id}/` |
//! | [`UpdateOrCreateDeal`] `deals.upsert` | `POST /deals/update_or_create/` |
//!
//! Money is exact: a deal's `value` arrives as a decimal string (`"1250.00"`), is read into a
//! [`Decimal`], and is sent as a JSON number written with exactly its digits (`1250.10`),
//! never through a double. Custom attributes, which v2 flattens into the deal, are kept with
//! their JSON types in [`Deal::extra`]; on writes they go in [`DealFields::attributes`] (the
//! API creates the ones that do not exist yet).
//!
//! ```
//! use std::str::FromStr;
//! use usercom_core::api::deals::{Deal, DealFields, DealStatus, Decimal};
//! use usercom_core::{Api, Config, api::DryRun};
//!
//! let deal: Deal = serde_json::from_str(r#"{"id": 1, "name": "Renewal", "value": "1250.10"}"#).unwrap();
//! assert_eq!(deal.value, Some(Decimal::from_str("1250.10").unwrap()));
//!
//! let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
//! let fields = DealFields::named("Renewal").value(deal.value.unwrap()).status(DealStatus::Won);
//! let request = client.deals().update(1, fields).unwrap();
//! assert_eq!(request.body(), br#"{"name":"Renewal","value":1250.10,"status":2}"#);
//! ```

use std::fmt;

use http::Method;
use jiff::Timestamp;
use jiff::civil::Date;
pub use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::endpoint::{Endpoint, PagedEndpoint, Path, Query, json_body};
use crate::lossless::lossless_struct;
use crate::registry::{Column, Group, Registration, Tabular};
use crate::tags::Tag;
use crate::{Api, Error, Lenient, Page, Selector};

// ---------------------------------------------------------------------------------------------
// Exact decimals and custom attributes (shared with products and activities)
// ---------------------------------------------------------------------------------------------

/// Writes a decimal as a JSON number with exactly its digits (`1250.10`,
/// `1000000000000000.01`), not through a double.
pub(crate) fn decimal_number<S: Serializer>(
    value: &Decimal,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let number = RawValue::from_string(value.to_string()).map_err(serde::ser::Error::custom)?;
    number.serialize(serializer)
}

/// [`decimal_number`] for an optional decimal (used with `skip_serializing_if`).
pub(crate) fn optional_decimal_number<S: Serializer>(
    value: &Option<Decimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => decimal_number(value, serializer),
        None => serializer.serialize_none(),
    }
}

/// Reads fields that have custom attributes beside them (`#[serde(flatten)]` loses the name
/// of a field that fails): a failure is tried again field by field, to name the culprit.
pub(crate) fn fields_from<T: serde::de::DeserializeOwned>(
    args: &Value,
    standard: &[&str],
) -> Result<T, String> {
    T::deserialize(args).map_err(|error| {
        let culprit = args
            .as_object()
            .into_iter()
            .flatten()
            .find_map(|(name, value)| {
                if !standard.contains(&name.as_str()) {
                    return None;
                }
                let alone = Value::Object(Map::from_iter([(name.clone(), value.clone())]));
                T::deserialize(&alone)
                    .err()
                    .map(|error| format!("`{name}`: {error}"))
            });
        culprit.unwrap_or_else(|| error.to_string())
    })
}

/// Takes the path parameter `id` (a numeric id or a custom id) out of an operation's arguments.
pub(crate) fn take_selector(args: &mut Map<String, Value>) -> Result<Selector, String> {
    let id = args
        .remove("id")
        .ok_or_else(|| "missing field `id`".to_owned())?;
    Selector::deserialize(&id).map_err(|e| format!("`id`: {e}"))
}

/// Checks that custom attributes do not take the name of a standard field (it would be sent
/// twice) and have a name.
pub(crate) fn check_attributes(
    what: &str,
    attributes: &Map<String, Value>,
    standard: &[&str],
) -> Result<(), Error> {
    for name in attributes.keys() {
        if name.trim().is_empty() {
            return Err(Error::invalid_input(format!(
                "a custom attribute of the {what} has an empty name"
            )));
        }
        if name == "id" || standard.contains(&name.as_str()) {
            return Err(Error::invalid_input(format!(
                "the custom attribute `{name}` of the {what} has the name of a standard field; \
                 set the field instead"
            )));
        }
    }
    Ok(())
}

/// Checks that an optional text, when given, is not blank.
pub(crate) fn check_not_blank(field: &str, value: Option<&str>) -> Result<(), Error> {
    match value {
        Some(text) if text.trim().is_empty() => {
            Err(Error::invalid_input(format!("`{field}` is empty")))
        }
        _ => Ok(()),
    }
}

/// Checks an ISO 4217 currency code: three ASCII letters.
fn check_currency(field: &str, currency: Option<&str>) -> Result<(), Error> {
    match currency {
        Some(code) if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Err(Error::invalid_input(format!(
                "`{field}` must be an ISO 4217 code of three letters (such as \"USD\"), not {code:?}"
            )))
        }
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/// Where a deal is: 0 abandoned, 1 in progress, 2 won, 3 lost, 4 archived.
///
/// Written as the integer; read from the integer, the same integer as text (v1 lists send
/// `"1"`), or the name (`"won"`, `"in progress"`, any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "StatusWire")]
pub enum DealStatus {
    /// Abandoned (0).
    Abandoned,
    /// In progress (1).
    InProgress,
    /// Won (2).
    Won,
    /// Lost (3).
    Lost,
    /// Archived (4).
    Archived,
}

/// A status as accepted on input: a code or text.
#[derive(Deserialize)]
#[serde(untagged)]
enum StatusWire {
    Code(i64),
    Text(String),
}

impl TryFrom<StatusWire> for DealStatus {
    type Error = String;

    fn try_from(wire: StatusWire) -> Result<Self, String> {
        match wire {
            StatusWire::Code(code) => Self::from_code(code)
                .ok_or_else(|| format!("{code} is not a deal status code (0 to 4)")),
            StatusWire::Text(text) => Self::parse(&text),
        }
    }
}

impl DealStatus {
    /// Every status, in code order.
    pub const ALL: [DealStatus; 5] = [
        DealStatus::Abandoned,
        DealStatus::InProgress,
        DealStatus::Won,
        DealStatus::Lost,
        DealStatus::Archived,
    ];

    /// The integer the API uses.
    pub fn code(self) -> u8 {
        match self {
            DealStatus::Abandoned => 0,
            DealStatus::InProgress => 1,
            DealStatus::Won => 2,
            DealStatus::Lost => 3,
            DealStatus::Archived => 4,
        }
    }

    /// The status's name, such as `"in progress"`.
    pub fn name(self) -> &'static str {
        match self {
            DealStatus::Abandoned => "abandoned",
            DealStatus::InProgress => "in progress",
            DealStatus::Won => "won",
            DealStatus::Lost => "lost",
            DealStatus::Archived => "archived",
        }
    }

    /// The status with this code.
    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| i64::from(s.code()) == code)
    }

    /// A code as text (`"1"`) or a name (`"won"`, `"in progress"`, any case).
    fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(code) = text.parse::<i64>() {
            return Self::from_code(code)
                .ok_or_else(|| format!("{code} is not a deal status code (0 to 4)"));
        }
        let wanted = text.replace(['_', '-'], " ");
        Self::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(&wanted))
            .ok_or_else(|| {
                format!(
                    "{text:?} is not a deal status (expected 0 to 4, or one of abandoned, \
                     in progress, won, lost, archived)"
                )
            })
    }
}

impl fmt::Display for DealStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for DealStatus {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text).map_err(Error::invalid_input)
    }
}

impl Serialize for DealStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.code())
    }
}

impl schemars::JsonSchema for DealStatus {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DealStatus".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "0 abandoned, 1 in progress, 2 won, 3 lost, 4 archived (the name is accepted too)",
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 4},
                {"type": "string", "enum": ["abandoned", "in progress", "won", "lost", "archived"]}
            ]
        })
    }
}

/// Whether a deal has activities planned, as `activities_status` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActivitiesStatus {
    /// `"planned"`.
    #[serde(rename = "planned")]
    Planned,
    /// `"no planned"`.
    #[serde(rename = "no planned")]
    NotPlanned,
}

lossless_struct! {
    /// A deal, as the API returns it (v2; the v1 names `person` and `company` are read too).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct Deal {
        /// Deal id.
        pub id: i64,
        /// Its name.
        pub name: String,
        /// Its value, exact (the API sends a decimal string such as `"1250.00"`, and this
        /// re-encodes it so).
        #[serde(default)]
        pub value: Option<Decimal>,
        /// ISO 4217 currency code.
        #[serde(default)]
        pub currency: Option<String>,
        /// The caller's own id for it.
        #[serde(default)]
        pub custom_id: Option<String>,
        /// Where it is: a [`DealStatus`] code (v1 lists send it as text), or a value this SDK
        /// does not know, kept as sent.
        #[serde(default)]
        pub status: Option<Lenient<DealStatus>>,
        /// The pipeline's stage it is at.
        #[serde(default)]
        pub stage: Option<i64>,
        /// Its pipeline.
        #[serde(default)]
        pub pipeline: Option<i64>,
        /// The agent it is assigned to.
        #[serde(default)]
        pub assigned_to: Option<i64>,
        /// The user it belongs to (v2 name; see [`Deal::user_id`]).
        #[serde(default)]
        pub user_id: Option<i64>,
        /// The user it belongs to, under its v1 name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub person: Option<i64>,
        /// The custom id of its user.
        #[serde(default)]
        pub user_custom_id: Option<String>,
        /// Its company (v2 name; see [`Deal::company_id`]).
        #[serde(default)]
        pub company_id: Option<i64>,
        /// Its company, under its v1 name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub company: Option<i64>,
        /// The custom id of its company.
        #[serde(default)]
        pub company_custom_id: Option<String>,
        /// Its products' ids.
        #[serde(default)]
        pub products: Option<Vec<i64>>,
        /// Its products' custom ids.
        #[serde(default)]
        pub products_custom_id: Option<Vec<String>>,
        /// The ids of the users taking part.
        #[serde(default)]
        pub participants: Option<Vec<i64>>,
        /// Its tags.
        #[serde(default)]
        pub tags: Option<Vec<Tag>>,
        /// Whether activities are planned (`"planned"`, `"no planned"`; v1 also sends codes).
        #[serde(default)]
        pub activities_status: Option<Lenient<ActivitiesStatus>>,
        /// When it is expected to close.
        #[serde(default)]
        pub expected_close_date: Option<Date>,
        /// Why it was lost (an id).
        #[serde(default)]
        pub loss_reason: Option<i64>,
        /// Why it was lost, in words.
        #[serde(default)]
        pub loss_reason_description: Option<String>,
        /// When it was won.
        #[serde(default)]
        pub won_at: Option<Timestamp>,
        /// When it was lost.
        #[serde(default)]
        pub lost_at: Option<Timestamp>,
        /// The agent who created it.
        #[serde(default)]
        pub created_by: Option<i64>,
        /// When it was created.
        #[serde(default)]
        pub created_at: Option<Timestamp>,
        /// When it last changed.
        #[serde(default)]
        pub updated_at: Option<Timestamp>,
    }
    /// Custom attributes (v2 flattens them into the deal) and every other field, as sent.
    extra
}

impl Deal {
    /// The user it belongs to, under either name (`user_id` in v2, `person` in v1).
    pub fn user_id(&self) -> Option<i64> {
        self.user_id.or(self.person)
    }

    /// Its company, under either name (`company_id` in v2, `company` in v1).
    pub fn company_id(&self) -> Option<i64> {
        self.company_id.or(self.company)
    }

    /// The status, when this SDK knows it.
    pub fn known_status(&self) -> Option<DealStatus> {
        self.status.as_ref().and_then(Lenient::known).copied()
    }
}

impl Tabular for Deal {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("name", "/name"),
        Column::new("value", "/value"),
        Column::new("currency", "/currency"),
        Column::new("status", "/status"),
        Column::new("stage", "/stage"),
        Column::new("user_id", "/user_id"),
        Column::new("expected_close_date", "/expected_close_date"),
    ];
}

/// One product of a deal used as an order: what was ordered, how many, at what value. The
/// API keeps it as sent, even when the product changes later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OrderProduct {
    /// The product's numeric id (give this or `product_custom_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i64>,
    /// The product's custom id (give this or `product_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_custom_id: Option<String>,
    /// How many were ordered.
    pub quantity: i64,
    /// Their value, sent as a JSON number with exactly its digits.
    #[serde(serialize_with = "decimal_number")]
    #[schemars(with = "String")]
    pub value: Decimal,
    /// ISO 4217 currency code.
    pub currency: String,
}

impl OrderProduct {
    /// `quantity` of the product `product` (its id, or its custom id), worth `value` in
    /// `currency`.
    pub fn new(
        product: impl Into<Selector>,
        quantity: i64,
        value: Decimal,
        currency: impl Into<String>,
    ) -> Self {
        let (product_id, product_custom_id) = match product.into() {
            Selector::Id(id) => (Some(id), None),
            Selector::Custom(custom) => (None, Some(custom)),
        };
        Self {
            product_id,
            product_custom_id,
            quantity,
            value,
            currency: currency.into(),
        }
    }

    fn check(&self, at: usize) -> Result<(), Error> {
        match (&self.product_id, &self.product_custom_id) {
            (Some(_), None) => {}
            (None, Some(custom)) if !custom.trim().is_empty() => {}
            (None, Some(_)) => {
                return Err(Error::invalid_input(format!(
                    "`order_products[{at}].product_custom_id` is empty"
                )));
            }
            (None, None) | (Some(_), Some(_)) => {
                return Err(Error::invalid_input(format!(
                    "`order_products[{at}]` needs exactly one of product_id and product_custom_id"
                )));
            }
        }
        check_currency(
            &format!("order_products[{at}].currency"),
            Some(&self.currency),
        )
    }
}

/// What a deal is written with: every field optional (a create needs `name`), custom
/// attributes beside them.
///
/// Its JSON form is the wire body: any key that is not a standard field is a custom
/// attribute (the API creates the ones that do not exist yet), so a misspelt field becomes
/// an attribute, as it would for the API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct DealFields {
    /// The deal's name (required to create one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Your own id for the deal (`update_or_create` matches on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<String>,
    /// Its value: a decimal, sent as a JSON number with exactly its digits. As an argument
    /// give it as text (`"1250.10"`) to keep every digit; a JSON number is read through a
    /// double.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_decimal_number"
    )]
    #[schemars(with = "Option<String>")]
    pub value: Option<Decimal>,
    /// ISO 4217 currency code (three letters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// 0 abandoned, 1 in progress, 2 won, 3 lost, 4 archived (the name is accepted too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DealStatus>,
    /// The id of the pipeline's stage it is at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<i64>,
    /// The id of its pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<i64>,
    /// The agent it is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<i64>,
    /// Its user, by numeric id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// Its user, by custom id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_custom_id: Option<String>,
    /// Its company, by numeric id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<i64>,
    /// Its company, by custom id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_custom_id: Option<String>,
    /// The ids of the users taking part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<i64>>,
    /// Its products, by numeric id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<i64>>,
    /// Its products, by custom id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products_custom_id: Option<Vec<String>>,
    /// The deal as an order: each product with its quantity, value and currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_products: Option<Vec<OrderProduct>>,
    /// Whether activities are planned (`"planned"`, `"no planned"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activities_status: Option<String>,
    /// When it is expected to close (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub expected_close_date: Option<Date>,
    /// Why it was lost (an id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_reason: Option<i64>,
    /// When it was won (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub won_at: Option<Timestamp>,
    /// When it was lost (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub lost_at: Option<Timestamp>,
    /// Custom attributes, with their JSON types.
    #[serde(flatten)]
    pub attributes: Map<String, Value>,
}

/// The standard fields of [`DealFields`]: no custom attribute may take their names.
const DEAL_FIELDS: &[&str] = &[
    "name",
    "custom_id",
    "value",
    "currency",
    "status",
    "stage",
    "pipeline",
    "assigned_to",
    "user_id",
    "user_custom_id",
    "company_id",
    "company_custom_id",
    "participants",
    "products",
    "products_custom_id",
    "order_products",
    "activities_status",
    "expected_close_date",
    "loss_reason",
    "won_at",
    "lost_at",
];

impl DealFields {
    /// No field set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A deal named `name`.
    pub fn named(name: impl Into<String>) -> Self {
        Self::new().name(name)
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets your own id for it.
    pub fn custom_id(mut self, custom_id: impl Into<String>) -> Self {
        self.custom_id = Some(custom_id.into());
        self
    }

    /// Sets the value, exact.
    pub fn value(mut self, value: Decimal) -> Self {
        self.value = Some(value);
        self
    }

    /// Sets the currency (ISO 4217).
    pub fn currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = Some(currency.into());
        self
    }

    /// Sets the status.
    pub fn status(mut self, status: DealStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets the pipeline and its stage.
    pub fn stage(mut self, pipeline: i64, stage: i64) -> Self {
        self.pipeline = Some(pipeline);
        self.stage = Some(stage);
        self
    }

    /// Sets the user, by numeric id or custom id.
    pub fn user(mut self, user: impl Into<Selector>) -> Self {
        match user.into() {
            Selector::Id(id) => self.user_id = Some(id),
            Selector::Custom(custom) => self.user_custom_id = Some(custom),
        }
        self
    }

    /// Sets the company, by numeric id or custom id.
    pub fn company(mut self, company: impl Into<Selector>) -> Self {
        match company.into() {
            Selector::Id(id) => self.company_id = Some(id),
            Selector::Custom(custom) => self.company_custom_id = Some(custom),
        }
        self
    }

    /// Sets when it is expected to close.
    pub fn expected_close_date(mut self, date: Date) -> Self {
        self.expected_close_date = Some(date);
        self
    }

    /// Adds an ordered product.
    pub fn order_product(mut self, product: OrderProduct) -> Self {
        self.order_products
            .get_or_insert_with(Vec::new)
            .push(product);
        self
    }

    /// Sets a custom attribute.
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// Checks the fields before anything is sent.
    fn check(&self, name_required: bool) -> Result<(), Error> {
        match &self.name {
            None if name_required => {
                return Err(Error::invalid_input(
                    "`name` is required: a deal is created with a name",
                ));
            }
            Some(name) if name.trim().is_empty() => {
                return Err(Error::invalid_input(
                    "`name` is empty: the deal needs a name",
                ));
            }
            _ => {}
        }
        check_not_blank("custom_id", self.custom_id.as_deref())?;
        check_not_blank("user_custom_id", self.user_custom_id.as_deref())?;
        check_not_blank("company_custom_id", self.company_custom_id.as_deref())?;
        check_currency("currency", self.currency.as_deref())?;
        for (at, product) in self.order_products.iter().flatten().enumerate() {
            product.check(at)?;
        }
        check_attributes("deal", &self.attributes, DEAL_FIELDS)
    }
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/// Whose deals to list: one user's, by numeric id, custom id or user key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DealUser {
    /// `?user_id=`: the user's numeric id.
    Id(i64),
    /// `?user_custom_id=`: the user's custom id.
    CustomId(String),
    /// `?userkey=`: the user key (the `__ca__chat` cookie value).
    Key(String),
}

/// List deals: all of them, one user's (by id, custom id or user key), or one stage's.
///
/// ```
/// use usercom_core::{Config, api::deals::ListDeals};
/// let config = Config::for_subdomain("acme", "secret").unwrap();
/// let request = config.request(&ListDeals::for_user_key("ngze13ffndcv")).unwrap();
/// assert_eq!(request.uri(), "https://acme.user.com/api/public/deals/?userkey=ngze13ffndcv");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "ListDealsArgs", into = "ListDealsArgs")]
#[non_exhaustive]
pub struct ListDeals {
    /// Only this user's deals.
    pub user: Option<DealUser>,
    /// Only the deals at this stage.
    pub stage: Option<i64>,
}

/// List deals: all of them, one user's (by id, custom id or user key), or one stage's.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename = "ListDeals")]
struct ListDealsArgs {
    /// Only the deals of the user with this numeric id (`?user_id=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id: Option<i64>,
    /// Only the deals of the user with this custom id (`?user_custom_id=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_custom_id: Option<String>,
    /// Only the deals of the user with this user key (`?userkey=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_key: Option<String>,
    /// Only the deals at this stage of a pipeline (`?stage=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stage: Option<i64>,
}

impl TryFrom<ListDealsArgs> for ListDeals {
    type Error = String;

    fn try_from(args: ListDealsArgs) -> Result<Self, String> {
        let users = [
            args.user_id.map(DealUser::Id),
            args.user_custom_id.map(DealUser::CustomId),
            args.user_key.map(DealUser::Key),
        ];
        let mut given = users.into_iter().flatten();
        let user = given.next();
        if given.next().is_some() {
            return Err("give at most one of user_id, user_custom_id and user_key".to_owned());
        }
        if let Some(DealUser::CustomId(text) | DealUser::Key(text)) = &user
            && text.trim().is_empty()
        {
            return Err("the user's custom id or key to list deals of is empty".to_owned());
        }
        Ok(Self {
            user,
            stage: args.stage,
        })
    }
}

impl From<ListDeals> for ListDealsArgs {
    fn from(list: ListDeals) -> Self {
        let mut args = Self {
            stage: list.stage,
            ..Self::default()
        };
        match list.user {
            Some(DealUser::Id(id)) => args.user_id = Some(id),
            Some(DealUser::CustomId(custom)) => args.user_custom_id = Some(custom),
            Some(DealUser::Key(key)) => args.user_key = Some(key),
            None => {}
        }
        args
    }
}

impl ListDeals {
    /// Every deal of the account.
    pub fn all() -> Self {
        Self::default()
    }

    /// One user's deals, by numeric id or custom id.
    pub fn for_user(user: impl Into<Selector>) -> Self {
        let user = match user.into() {
            Selector::Id(id) => DealUser::Id(id),
            Selector::Custom(custom) => DealUser::CustomId(custom),
        };
        Self {
            user: Some(user),
            stage: None,
        }
    }

    /// One user's deals, by user key.
    pub fn for_user_key(key: impl Into<String>) -> Self {
        Self {
            user: Some(DealUser::Key(key.into())),
            stage: None,
        }
    }

    /// Only the deals at this stage.
    pub fn in_stage(mut self, stage: i64) -> Self {
        self.stage = Some(stage);
        self
    }

    /// The deals at one stage.
    pub fn at_stage(stage: i64) -> Self {
        Self::all().in_stage(stage)
    }
}

impl Endpoint for ListDeals {
    type Output = Page<Deal>;
    const NAME: &'static str = "deals.list";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["deals/"];

    fn path(&self) -> Path {
        Path::new("deals")
    }

    fn query(&self) -> Query {
        let mut query = Query::default();
        match &self.user {
            Some(DealUser::Id(id)) => query.push("user_id", id.to_string()),
            Some(DealUser::CustomId(custom)) => query.push("user_custom_id", custom.clone()),
            Some(DealUser::Key(key)) => query.push("userkey", key.clone()),
            None => {}
        }
        if let Some(stage) = self.stage {
            query.push("stage", stage.to_string());
        }
        query
    }
}

impl PagedEndpoint for ListDeals {
    type Item = Deal;
}

/// Get one deal, by numeric id or custom id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GetDeal {
    /// The deal: its numeric id, or its custom id as a string.
    pub id: Selector,
}

impl GetDeal {
    /// The deal with this id or custom id.
    pub fn new(id: impl Into<Selector>) -> Self {
        Self { id: id.into() }
    }
}

impl Endpoint for GetDeal {
    type Output = Deal;
    const NAME: &'static str = "deals.get";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["deals/{id}/", "deals-by-id/{id}/"];

    fn path(&self) -> Path {
        self.id.path("deals", "deals-by-id")
    }
}

/// Create a deal (`name` is required; other keys are custom attributes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "Map<String, Value>")]
#[schemars(!try_from)]
#[non_exhaustive]
pub struct CreateDeal {
    /// What the deal is created with.
    #[serde(flatten)]
    pub deal: DealFields,
}

impl CreateDeal {
    /// A deal with these fields.
    pub fn new(deal: DealFields) -> Self {
        Self { deal }
    }
}

impl Endpoint for CreateDeal {
    type Output = Deal;
    const NAME: &'static str = "deals.create";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["deals/"];

    fn path(&self) -> Path {
        Path::new("deals")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.deal.check(true)?;
        json_body(&self.deal)
    }
}

/// Update a deal, by numeric id or custom id: only the fields given change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "Map<String, Value>")]
#[schemars(!try_from)]
#[non_exhaustive]
pub struct UpdateDeal {
    /// The deal: its numeric id, or its custom id as a string.
    pub id: Selector,
    /// What changes.
    #[serde(flatten)]
    pub deal: DealFields,
}

impl UpdateDeal {
    /// Deal `id`, with these fields.
    pub fn new(id: impl Into<Selector>, deal: DealFields) -> Self {
        Self {
            id: id.into(),
            deal,
        }
    }
}

impl Endpoint for UpdateDeal {
    type Output = Deal;
    const NAME: &'static str = "deals.update";
    const METHOD: Method = Method::PUT;
    const PATHS: &'static [&'static str] = &["deals/{id}/", "deals-by-id/{id}/"];

    fn path(&self) -> Path {
        self.id.path("deals", "deals-by-id")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.deal.check(false)?;
        json_body(&self.deal)
    }
}

/// Delete a deal, by numeric id or custom id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DeleteDeal {
    /// The deal: its numeric id, or its custom id as a string.
    pub id: Selector,
}

impl DeleteDeal {
    /// The deal with this id or custom id.
    pub fn new(id: impl Into<Selector>) -> Self {
        Self { id: id.into() }
    }
}

impl Endpoint for DeleteDeal {
    /// The body as sent: `null` for the usual empty 204.
    type Output = Value;
    const NAME: &'static str = "deals.delete";
    const METHOD: Method = Method::DELETE;
    const PATHS: &'static [&'static str] = &["deals/{id}/", "deals-by-id/{id}/"];

    fn path(&self) -> Path {
        self.id.path("deals", "deals-by-id")
    }
}

/// Update the deal with this `custom_id`, or create it (`name` is required).
///
/// With a `custom_id` it is safe to send again, and the retry policy does so after a failure
/// of unknown outcome; without one, each call may create a deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "Map<String, Value>")]
#[schemars(!try_from)]
#[non_exhaustive]
pub struct UpdateOrCreateDeal {
    /// What the deal is updated or created with.
    #[serde(flatten)]
    pub deal: DealFields,
}

impl UpdateOrCreateDeal {
    /// The deal with these fields.
    pub fn new(deal: DealFields) -> Self {
        Self { deal }
    }
}

impl Endpoint for UpdateOrCreateDeal {
    type Output = Deal;
    const NAME: &'static str = "deals.upsert";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["deals/update_or_create/"];

    fn path(&self) -> Path {
        Path::new("deals").then("update_or_create")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.deal.check(true)?;
        json_body(&self.deal)
    }

    fn idempotent(&self) -> bool {
        self.deal.custom_id.is_some()
    }
}

impl TryFrom<Map<String, Value>> for CreateDeal {
    type Error = String;

    fn try_from(args: Map<String, Value>) -> Result<Self, String> {
        fields_from(&Value::Object(args), DEAL_FIELDS).map(Self::new)
    }
}

impl TryFrom<Map<String, Value>> for UpdateDeal {
    type Error = String;

    fn try_from(mut args: Map<String, Value>) -> Result<Self, String> {
        let id = take_selector(&mut args)?;
        let deal = fields_from(&Value::Object(args), DEAL_FIELDS)?;
        Ok(Self { id, deal })
    }
}

impl TryFrom<Map<String, Value>> for UpdateOrCreateDeal {
    type Error = String;

    fn try_from(args: Map<String, Value>) -> Result<Self, String> {
        fields_from(&Value::Object(args), DEAL_FIELDS).map(Self::new)
    }
}

// ---------------------------------------------------------------------------------------------
// Registration and calls
// ---------------------------------------------------------------------------------------------

/// The deals group.
pub static GROUP: Group = Group {
    name: "deals",
    summary: "Deals: the CRM pipeline, by id or custom id",
    operations: &[
        Registration::paged::<ListDeals>(),
        Registration::single::<GetDeal>(),
        Registration::single::<CreateDeal>(),
        Registration::single::<UpdateDeal>(),
        Registration::single::<DeleteDeal>(),
        Registration::single::<UpdateOrCreateDeal>(),
    ],
};

/// The deals calls of a client: `client.deals()`.
#[derive(Debug)]
pub struct Deals<'a, C>(pub(crate) &'a C);

impl<'a, C: Api> Deals<'a, C> {
    /// One page of deals: the first, with a `next` link to follow.
    pub fn list(&self, list: ListDeals) -> C::Call<'a, Page<Deal>> {
        self.0.call(list)
    }

    /// Every deal of every page.
    pub fn all(&self, list: ListDeals) -> C::Items<Deal> {
        self.0.paginate(list)
    }

    /// One deal, by numeric id or custom id.
    pub fn get(&self, id: impl Into<Selector>) -> C::Call<'a, Deal> {
        self.0.call(GetDeal::new(id))
    }

    /// Creates a deal (its `name` is required).
    pub fn create(&self, deal: DealFields) -> C::Call<'a, Deal> {
        self.0.call(CreateDeal::new(deal))
    }

    /// Updates a deal, by numeric id or custom id.
    pub fn update(&self, id: impl Into<Selector>, deal: DealFields) -> C::Call<'a, Deal> {
        self.0.call(UpdateDeal::new(id, deal))
    }

    /// Deletes a deal; the answer is the body as sent (`null` when empty).
    pub fn delete(&self, id: impl Into<Selector>) -> C::Call<'a, Value> {
        self.0.call(DeleteDeal::new(id))
    }

    /// Updates the deal with the fields' `custom_id`, or creates it.
    pub fn update_or_create(&self, deal: DealFields) -> C::Call<'a, Deal> {
        self.0.call(UpdateOrCreateDeal::new(deal))
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::Config;
    use crate::api::DryRun;
    use crate::registry;

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn body_of(request: http::Request<Vec<u8>>) -> String {
        String::from_utf8(request.into_body()).unwrap()
    }

    #[test]
    fn each_call_sends_its_documented_request() {
        let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
        let deals = client.deals();
        let root = "https://acme.user.com/api/public/";
        let order = DealFields::named("Order 17")
            .custom_id("order/17")
            .value(decimal("99.90"))
            .currency("EUR")
            .order_product(OrderProduct::new("sku 1", 2, decimal("49.95"), "EUR"))
            .order_product(OrderProduct::new(7, 1, decimal("0"), "EUR"));
        let cases = [
            (deals.list(ListDeals::all()), "GET", "deals/", ""),
            (deals.all(ListDeals::all()), "GET", "deals/", ""),
            (
                deals.all(ListDeals::for_user(20900530)),
                "GET",
                "deals/?user_id=20900530",
                "",
            ),
            (
                deals.all(ListDeals::for_user("user@123")),
                "GET",
                "deals/?user_custom_id=user%40123",
                "",
            ),
            (
                deals.all(ListDeals::for_user_key("ngze13ffndcv").in_stage(36585)),
                "GET",
                "deals/?userkey=ngze13ffndcv&stage=36585",
                "",
            ),
            (
                deals.list(ListDeals::at_stage(36585)),
                "GET",
                "deals/?stage=36585",
                "",
            ),
            (deals.get(12218), "GET", "deals/12218/", ""),
            (deals.get("c 1/x"), "GET", "deals-by-id/c%201%2Fx/", ""),
            (
                deals.create(
                    DealFields::named("example deal")
                        .value(decimal("1250.00"))
                        .status(DealStatus::InProgress)
                        .user(20900530)
                        .attribute("custom_attribute_xyz", Value::Null),
                ),
                "POST",
                "deals/",
                r#"{"name":"example deal","value":1250.00,"status":1,"user_id":20900530,"custom_attribute_xyz":null}"#,
            ),
            (
                deals.update(
                    "deal@1",
                    DealFields::new()
                        .stage(6179, 36585)
                        .expected_close_date(jiff::civil::date(2024, 12, 31)),
                ),
                "PUT",
                "deals-by-id/deal@1/",
                r#"{"stage":36585,"pipeline":6179,"expected_close_date":"2024-12-31"}"#,
            ),
            (
                deals.update(12218, DealFields::new().status(DealStatus::Won)),
                "PUT",
                "deals/12218/",
                r#"{"status":2}"#,
            ),
            (deals.delete(12218), "DELETE", "deals/12218/", ""),
            (deals.delete("deal@1"), "DELETE", "deals-by-id/deal@1/", ""),
            (
                deals.update_or_create(order),
                "POST",
                "deals/update_or_create/",
                r#"{"name":"Order 17","custom_id":"order/17","value":99.90,"currency":"EUR","order_products":[{"product_custom_id":"sku 1","quantity":2,"value":49.95,"currency":"EUR"},{"product_id":7,"quantity":1,"value":0,"currency":"EUR"}]}"#,
            ),
        ];
        for (request, method, path, body) in cases {
            let request = request.unwrap();
            assert_eq!(request.method(), method);
            assert_eq!(request.uri().to_string(), format!("{root}{path}"));
            assert_eq!(body_of(request), body);
        }
    }

    #[test]
    fn bad_input_is_refused_before_sending_and_named() {
        let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
        let deals = client.deals();
        let cases = [
            (
                deals.create(DealFields::new().value(decimal("1"))),
                "`name` is required",
            ),
            (deals.create(DealFields::named("  ")), "`name` is empty"),
            (
                deals.update_or_create(DealFields::new().custom_id("x")),
                "`name` is required",
            ),
            (
                deals.update(1, DealFields::new().currency("euro")),
                "`currency` must be an ISO 4217 code",
            ),
            (
                deals.create(DealFields::named("x").attribute("value", 3)),
                "`value` of the deal has the name of a standard field",
            ),
            (
                deals.create(DealFields::named("x").attribute("id", 3)),
                "`id`",
            ),
            (
                deals.create(DealFields::named("x").custom_id(" ")),
                "`custom_id` is empty",
            ),
            (
                deals.create(DealFields::named("x").order_product(OrderProduct {
                    product_id: Some(1),
                    product_custom_id: Some("a".into()),
                    quantity: 1,
                    value: Decimal::ONE,
                    currency: "USD".into(),
                })),
                "`order_products[0]` needs exactly one of product_id and product_custom_id",
            ),
            (
                deals.create(DealFields::named("x").order_product(OrderProduct::new(
                    1,
                    1,
                    Decimal::ONE,
                    "$",
                ))),
                "`order_products[0].currency`",
            ),
        ];
        for (result, expected) in cases {
            let error = result.unwrap_err();
            assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
            assert!(error.to_string().contains(expected), "{error}");
        }
        // Only one user to list deals of.
        let list = registry::find("deals.list").unwrap();
        let error = list
            .build(serde_json::json!({"user_id": 1, "user_key": "abc"}))
            .unwrap_err();
        assert!(error.to_string().contains("at most one of"), "{error}");
        let error = list
            .build(serde_json::json!({"userkey": "abc"}))
            .unwrap_err();
        assert!(error.to_string().contains("userkey"), "{error}");
        let error = list
            .build(serde_json::json!({"user_key": " "}))
            .unwrap_err();
        assert!(error.to_string().contains("empty"), "{error}");
    }

    #[test]
    fn a_deal_value_round_trips_exactly() {
        let config = Config::for_subdomain("acme", "key").unwrap();
        // Read: the decimal string, every digit and the scale kept.
        let deal: Deal =
            serde_json::from_str(r#"{"id": 1, "name": "d", "value": "1250.10"}"#).unwrap();
        let value = deal.value.unwrap();
        assert_eq!(value, decimal("1250.10"));
        assert_eq!(value.to_string(), "1250.10");
        assert_eq!(serde_json::to_value(&deal).unwrap()["value"], "1250.10");

        // Sums that drift in binary floating point stay exact.
        let cents = decimal("0.10") + decimal("0.20");
        assert_eq!(cents, decimal("0.30"));
        assert_ne!(0.1_f64 + 0.2_f64, 0.3_f64, "the drift this avoids");

        // Written: a JSON number with exactly these digits, however many.
        let big = decimal("1000000000000000") + decimal("0.01");
        for (value, written) in [
            (value, "1250.10"),
            (cents, "0.30"),
            (big, "1000000000000000.01"),
            (decimal("-0.5"), "-0.5"),
        ] {
            let create = CreateDeal::new(DealFields::named("d").value(value));
            let body = config.request(&create).unwrap().into_body();
            let text = String::from_utf8(body).unwrap();
            assert_eq!(text, format!(r#"{{"name":"d","value":{written}}}"#));
            // It is a number on the wire, not a string.
            let json: Value = serde_json::from_str(&text).unwrap();
            assert!(json["value"].is_number(), "{text}");
        }
        // A double could not have carried it.
        assert_eq!(1_000_000_000_000_000.01_f64, 1_000_000_000_000_000.0_f64);

        // Arguments take the value as text to keep every digit, or as a number.
        let create = registry::find("deals.create").unwrap();
        for (value, written) in [
            (
                serde_json::json!("1000000000000000.01"),
                "1000000000000000.01",
            ),
            (serde_json::json!(1250.1), "1250.1"),
            (serde_json::json!(7), "7"),
        ] {
            let op = create
                .build(serde_json::json!({"name": "d", "value": value}))
                .unwrap();
            let body = op.request(&config).unwrap().into_body();
            let text = String::from_utf8(body).unwrap();
            assert!(text.contains(&format!(r#""value":{written}"#)), "{text}");
        }
        let error = create
            .build(serde_json::json!({"name": "d", "value": "12,50"}))
            .unwrap_err();
        assert!(
            error.to_string().contains("`value`: invalid value"),
            "{error}"
        );
        let error = registry::find("deals.update")
            .unwrap()
            .build(serde_json::json!({"id": 1.5, "name": "d"}))
            .unwrap_err();
        assert!(error.to_string().contains("`id`"), "{error}");
    }

    #[test]
    fn status_is_lenient_on_read_and_a_code_on_write() {
        for (json, known) in [
            ("1", Some(DealStatus::InProgress)),
            (r#""1""#, Some(DealStatus::InProgress)),
            (r#""won""#, Some(DealStatus::Won)),
            ("4", Some(DealStatus::Archived)),
            ("7", None),
            (r#""pending""#, None),
        ] {
            let status: Lenient<DealStatus> = serde_json::from_str(json).unwrap();
            assert_eq!(status.known(), known.as_ref(), "{json}");
            assert_eq!(serde_json::to_string(&status).unwrap(), json, "as sent");
        }
        for status in DealStatus::ALL {
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                status.code().to_string()
            );
            assert_eq!(status.name().parse::<DealStatus>().unwrap(), status);
        }
        assert_eq!(
            "In_Progress".parse::<DealStatus>().unwrap(),
            DealStatus::InProgress
        );
        let error = "9".parse::<DealStatus>().unwrap_err();
        assert!(error.to_string().contains("0 to 4"), "{error}");
        let fields: DealFields = serde_json::from_str(r#"{"status": "lost"}"#).unwrap();
        assert_eq!(fields.status, Some(DealStatus::Lost));
        assert!(serde_json::from_str::<DealFields>(r#"{"status": 5}"#).is_err());
    }

    #[test]
    fn v1_and_v2_names_and_custom_attributes_are_kept() {
        let v1: Deal = serde_json::from_value(serde_json::json!({
            "id": 12218, "name": "example deal", "value": "1250.00", "company": 768,
            "person": 20900530, "status": "1", "scope": "2", "activities_status": "3",
            "attributes": [{"name_std": "deal_attr", "value": "attr value"}]
        }))
        .unwrap();
        assert_eq!(v1.user_id(), Some(20900530));
        assert_eq!(v1.company_id(), Some(768));
        assert_eq!(v1.known_status(), Some(DealStatus::InProgress));
        assert_eq!(v1.activities_status.as_ref().unwrap().known(), None);
        let again = serde_json::to_value(&v1).unwrap();
        assert_eq!(again["person"], 20900530);
        assert_eq!(again["status"], "1");
        assert_eq!(again["attributes"][0]["name_std"], "deal_attr");

        let v2: Deal = serde_json::from_value(serde_json::json!({
            "id": 1, "name": "d", "user_id": 5, "company_id": 6, "person": null,
            "activities_status": "no planned", "expected_close_date": "2024-02-29",
            "custom_attribute_xyz": [1, "two"], "probability": 0.25
        }))
        .unwrap();
        assert_eq!((v2.user_id(), v2.company_id()), (Some(5), Some(6)));
        assert_eq!(
            v2.activities_status.as_ref().unwrap().known(),
            Some(&ActivitiesStatus::NotPlanned)
        );
        assert_eq!(v2.expected_close_date, Some(jiff::civil::date(2024, 2, 29)));
        assert_eq!(
            v2.extra["custom_attribute_xyz"],
            serde_json::json!([1, "two"])
        );
        assert_eq!(v2.extra["probability"], 0.25);
        let again = serde_json::to_value(&v2).unwrap();
        assert!(
            again.get("person").is_none(),
            "a v1 name is only written back when sent"
        );

        // Custom attributes are written beside the fields, with their types.
        let fields: DealFields =
            serde_json::from_str(r#"{"name": "d", "source": "web", "seats": 3}"#).unwrap();
        assert_eq!(fields.attributes["seats"], 3);
        assert_eq!(
            serde_json::to_value(&fields).unwrap(),
            serde_json::json!({"name": "d", "source": "web", "seats": 3})
        );
    }

    #[test]
    fn update_or_create_is_idempotent_when_it_has_a_custom_id() {
        let with = UpdateOrCreateDeal::new(DealFields::named("d").custom_id("deal@1"));
        let without = UpdateOrCreateDeal::new(DealFields::named("d"));
        assert!(with.idempotent());
        assert!(!without.idempotent());
        assert!(!CreateDeal::new(DealFields::named("d")).idempotent());
        assert!(UpdateDeal::new(1, DealFields::new()).idempotent(), "a PUT");
    }

    #[test]
    fn arguments_are_the_wire_body_plus_the_path() {
        let update = registry::find("deals.update").unwrap();
        let args = serde_json::json!({"id": "deal@1", "name": "x", "value": 10.5, "tier": "gold"});
        let op = update.build(args.clone()).unwrap();
        assert_eq!(op.args(), args);
        let config = Config::for_subdomain("acme", "key").unwrap();
        let request = op.request(&config).unwrap();
        assert_eq!(
            request.uri(),
            "https://acme.user.com/api/public/deals-by-id/deal@1/"
        );
        assert_eq!(
            request.body(),
            br#"{"name":"x","value":10.5,"tier":"gold"}"#
        );
        let schema = registry::find("deals.list").unwrap().schema().to_value();
        for flag in ["user_id", "user_custom_id", "user_key", "stage"] {
            assert!(schema["properties"][flag].is_object(), "{schema}");
        }
        assert!(
            registry::find("deals.create").unwrap().schema().to_value()["properties"]["value"]
                .is_object()
        );
    }
}
