//! Products and product events.
//!
//! | operation | request |
//! |---|---|
//! | [`ListProducts`] `products.list` | `GET /products/` |
//! | [`GetProduct`] `products.get` | `GET /products/{id}/` or `GET /products-by-id/{custom_id}/details/` |
//! | [`CreateProduct`] `products.create` | `POST /products/` |
//! | [`UpdateProduct`] `products.update` | `PUT /products/{id}/` or `PUT /products-by-id/{custom_id}/` |
//! | [`DeleteProduct`] `products.delete` | `DELETE /products/{id}/` or `DELETE /products-by-id/{custom_id}/` |
//! | [`UpdateOrCreateProduct`] `products.upsert` | `POST /products/update_or_create/` |
//! | [`CreateProductEvent`] `products.create-event` | `POST /products/{id}/product_event/` or `POST /products-by-id/{custom_id}/product_event/` |
//!
//! Only the product event and the get by custom id are documented; create is known from
//! client code. The list, the get, update and delete by numeric id, update and delete by
//! custom id and update-or-create follow the API's pattern for a resource created at
//! `/products/` (Django REST Framework serves the list on the same route as the create).
//!
//! The documentation never shows a product: every field is optional, and `price` is kept in
//! the form it arrives in (a number or a decimal string), read exactly either way.

use std::fmt;

use http::Method;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::deals::{
    Decimal, check_attributes, check_not_blank, fields_from, optional_decimal_number, take_selector,
};
use crate::endpoint::{Endpoint, PagedEndpoint, Path, json_body, json_body_except};
use crate::lossless::lossless_struct;
use crate::registry::{Column, Group, Registration, Tabular};
use crate::{Api, Error, Lenient, Page, Selector};

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

lossless_struct! {
    /// A product.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct Product {
        /// Product id.
        pub id: i64,
        /// The caller's own id for it.
        #[serde(default)]
        pub custom_id: Option<String>,
        /// Its name.
        #[serde(default)]
        pub name: Option<String>,
        /// Its price, as sent (a number or a decimal string); [`Lenient::known`] is the exact
        /// decimal.
        #[serde(default)]
        pub price: Option<Lenient<Decimal>>,
        /// Its page.
        #[serde(default)]
        pub product_url: Option<String>,
        /// Its picture.
        #[serde(default)]
        pub image_url: Option<String>,
        /// Its category.
        #[serde(default)]
        pub category_name: Option<String>,
    }
    /// Custom attributes and every other field, as sent.
    extra
}

impl Product {
    /// The price, exact, when it is a decimal.
    pub fn price(&self) -> Option<Decimal> {
        self.price.as_ref().and_then(Lenient::known).copied()
    }
}

impl Tabular for Product {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("custom_id", "/custom_id"),
        Column::new("name", "/name"),
        Column::new("price", "/price"),
        Column::new("category_name", "/category_name"),
        Column::new("product_url", "/product_url"),
    ];
}

/// What a product is written with: every field optional, custom attributes beside them.
///
/// Its JSON form is the wire body: any key that is not a standard field is a custom
/// attribute.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct ProductFields {
    /// Your own id for the product (`update_or_create` matches on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<String>,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its price: a decimal, sent as a JSON number with exactly its digits. As an argument
    /// give it as text (`"19.99"`) to keep every digit; a JSON number is read through a
    /// double.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_decimal_number"
    )]
    #[schemars(with = "Option<String>")]
    pub price: Option<Decimal>,
    /// Its page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_url: Option<String>,
    /// Its picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Its category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_name: Option<String>,
    /// Custom attributes, with their JSON types.
    #[serde(flatten)]
    pub attributes: Map<String, Value>,
}

/// The standard fields of [`ProductFields`]: no custom attribute may take their names.
const PRODUCT_FIELDS: &[&str] = &[
    "custom_id",
    "name",
    "price",
    "product_url",
    "image_url",
    "category_name",
];

impl ProductFields {
    /// No field set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets your own id for it.
    pub fn custom_id(mut self, custom_id: impl Into<String>) -> Self {
        self.custom_id = Some(custom_id.into());
        self
    }

    /// Sets its name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets its price, exact.
    pub fn price(mut self, price: Decimal) -> Self {
        self.price = Some(price);
        self
    }

    /// Sets its page.
    pub fn product_url(mut self, url: impl Into<String>) -> Self {
        self.product_url = Some(url.into());
        self
    }

    /// Sets its picture.
    pub fn image_url(mut self, url: impl Into<String>) -> Self {
        self.image_url = Some(url.into());
        self
    }

    /// Sets its category.
    pub fn category_name(mut self, category: impl Into<String>) -> Self {
        self.category_name = Some(category.into());
        self
    }

    /// Sets a custom attribute.
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    fn check(&self) -> Result<(), Error> {
        check_not_blank("custom_id", self.custom_id.as_deref())?;
        check_not_blank("name", self.name.as_deref())?;
        check_attributes("product", &self.attributes, PRODUCT_FIELDS)
    }
}

/// What happened to a product: one of the types User.com defines.
///
/// The list is the one the API documentation points to for `event_type`
/// (docs.user.com/how-to-create-product-events/, "you can use only the types listed
/// below"), and help.user.com's "What is a product event" gives the same sixteen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProductEventType {
    /// `"add to cart"`.
    #[serde(rename = "add to cart")]
    AddToCart,
    /// `"purchase"`.
    #[serde(rename = "purchase")]
    Purchase,
    /// `"liking"`.
    #[serde(rename = "liking")]
    Liking,
    /// `"add to observation"`.
    #[serde(rename = "add to observation")]
    AddToObservation,
    /// `"order"`.
    #[serde(rename = "order")]
    Order,
    /// `"reservation"`.
    #[serde(rename = "reservation")]
    Reservation,
    /// `"return"`.
    #[serde(rename = "return")]
    Return,
    /// `"view"`.
    #[serde(rename = "view")]
    View,
    /// `"click"`.
    #[serde(rename = "click")]
    Click,
    /// `"detail"`.
    #[serde(rename = "detail")]
    Detail,
    /// `"add"`.
    #[serde(rename = "add")]
    Add,
    /// `"remove"`.
    #[serde(rename = "remove")]
    Remove,
    /// `"checkout"`.
    #[serde(rename = "checkout")]
    Checkout,
    /// `"checkout option"`.
    #[serde(rename = "checkout option")]
    CheckoutOption,
    /// `"refund"`.
    #[serde(rename = "refund")]
    Refund,
    /// `"promo click"`.
    #[serde(rename = "promo click")]
    PromoClick,
}

impl ProductEventType {
    /// Every type, in the documentation's order.
    pub const ALL: [ProductEventType; 16] = [
        ProductEventType::AddToCart,
        ProductEventType::Purchase,
        ProductEventType::Liking,
        ProductEventType::AddToObservation,
        ProductEventType::Order,
        ProductEventType::Reservation,
        ProductEventType::Return,
        ProductEventType::View,
        ProductEventType::Click,
        ProductEventType::Detail,
        ProductEventType::Add,
        ProductEventType::Remove,
        ProductEventType::Checkout,
        ProductEventType::CheckoutOption,
        ProductEventType::Refund,
        ProductEventType::PromoClick,
    ];

    /// The name the API uses, such as `"add to cart"`.
    pub fn name(self) -> &'static str {
        match self {
            ProductEventType::AddToCart => "add to cart",
            ProductEventType::Purchase => "purchase",
            ProductEventType::Liking => "liking",
            ProductEventType::AddToObservation => "add to observation",
            ProductEventType::Order => "order",
            ProductEventType::Reservation => "reservation",
            ProductEventType::Return => "return",
            ProductEventType::View => "view",
            ProductEventType::Click => "click",
            ProductEventType::Detail => "detail",
            ProductEventType::Add => "add",
            ProductEventType::Remove => "remove",
            ProductEventType::Checkout => "checkout",
            ProductEventType::CheckoutOption => "checkout option",
            ProductEventType::Refund => "refund",
            ProductEventType::PromoClick => "promo click",
        }
    }
}

impl fmt::Display for ProductEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ProductEventType {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().replace(['_', '-'], " ");
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(&wanted))
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|t| t.name()).collect();
                Error::invalid_input(format!(
                    "{text:?} is not a product event type (one of: {})",
                    names.join(", ")
                ))
            })
    }
}

/// The `data` of a product event: product attributes to set (the product keeps the latest
/// value of each), and `custom_data`, kept with this one event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct ProductEventData {
    /// Any JSON kept with this occurrence of the event only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<Value>,
    /// Product attributes to set, with their JSON types.
    #[serde(flatten)]
    pub attributes: Map<String, Value>,
}

impl ProductEventData {
    /// No data.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a product attribute.
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// Sets the data kept with this event only.
    pub fn custom_data(mut self, data: Value) -> Self {
        self.custom_data = Some(data);
        self
    }
}

lossless_struct! {
    /// What creating a product event answers: its id.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct ProductEventCreated {
        /// The event's id.
        pub id: i64,
    }
}

impl Tabular for ProductEventCreated {
    const COLUMNS: &'static [Column] = &[Column::new("id", "/id")];
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/// List every product of the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListProducts {}

impl ListProducts {
    /// Every product.
    pub fn new() -> Self {
        Self {}
    }
}

impl Endpoint for ListProducts {
    type Output = Page<Product>;
    const NAME: &'static str = "products.list";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["products/"];

    fn path(&self) -> Path {
        Path::new("products")
    }
}

impl PagedEndpoint for ListProducts {
    type Item = Product;
}

/// Get one product, by numeric id or custom id (404 when there is none).
///
/// By custom id it is `GET /products-by-id/{custom_id}/details/`, as the vendor's own plugins
/// call it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GetProduct {
    /// The product: its numeric id, or its custom id as a string.
    pub id: Selector,
}

impl GetProduct {
    /// The product with this id or custom id.
    pub fn new(id: impl Into<Selector>) -> Self {
        Self { id: id.into() }
    }
}

impl Endpoint for GetProduct {
    type Output = Product;
    const NAME: &'static str = "products.get";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["products/{id}/", "products-by-id/{id}/details/"];

    fn path(&self) -> Path {
        match &self.id {
            Selector::Id(_) => self.id.path("products", "products-by-id"),
            Selector::Custom(_) => self.id.path("products", "products-by-id").then("details"),
        }
    }
}

/// Create a product (other keys than the standard fields are custom attributes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "Map<String, Value>")]
#[schemars(!try_from)]
#[non_exhaustive]
pub struct CreateProduct {
    /// What the product is created with.
    #[serde(flatten)]
    pub product: ProductFields,
}

impl CreateProduct {
    /// A product with these fields.
    pub fn new(product: ProductFields) -> Self {
        Self { product }
    }
}

impl Endpoint for CreateProduct {
    type Output = Product;
    const NAME: &'static str = "products.create";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["products/"];

    fn path(&self) -> Path {
        Path::new("products")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.product.check()?;
        json_body(&self.product)
    }
}

/// Update a product, by numeric id or custom id: only the fields given change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "Map<String, Value>")]
#[schemars(!try_from)]
#[non_exhaustive]
pub struct UpdateProduct {
    /// The product: its numeric id, or its custom id as a string.
    pub id: Selector,
    /// What changes.
    #[serde(flatten)]
    pub product: ProductFields,
}

impl UpdateProduct {
    /// Product `id`, with these fields.
    pub fn new(id: impl Into<Selector>, product: ProductFields) -> Self {
        Self {
            id: id.into(),
            product,
        }
    }
}

impl Endpoint for UpdateProduct {
    type Output = Product;
    const NAME: &'static str = "products.update";
    const METHOD: Method = Method::PUT;
    const PATHS: &'static [&'static str] = &["products/{id}/", "products-by-id/{id}/"];

    fn path(&self) -> Path {
        self.id.path("products", "products-by-id")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.product.check()?;
        json_body(&self.product)
    }
}

/// Delete a product, by numeric id or custom id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DeleteProduct {
    /// The product: its numeric id, or its custom id as a string.
    pub id: Selector,
}

impl DeleteProduct {
    /// The product with this id or custom id.
    pub fn new(id: impl Into<Selector>) -> Self {
        Self { id: id.into() }
    }
}

impl Endpoint for DeleteProduct {
    /// The body as sent: `null` for the usual empty 204.
    type Output = Value;
    const NAME: &'static str = "products.delete";
    const METHOD: Method = Method::DELETE;
    const PATHS: &'static [&'static str] = &["products/{id}/", "products-by-id/{id}/"];

    fn path(&self) -> Path {
        self.id.path("products", "products-by-id")
    }
}

/// Update the product with this `custom_id`, or create it.
///
/// With a `custom_id` it is safe to send again, and the retry policy does so after a failure
/// of unknown outcome; without one, each call may create a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "Map<String, Value>")]
#[schemars(!try_from)]
#[non_exhaustive]
pub struct UpdateOrCreateProduct {
    /// What the product is updated or created with.
    #[serde(flatten)]
    pub product: ProductFields,
}

impl UpdateOrCreateProduct {
    /// The product with these fields.
    pub fn new(product: ProductFields) -> Self {
        Self { product }
    }
}

impl Endpoint for UpdateOrCreateProduct {
    type Output = Product;
    const NAME: &'static str = "products.upsert";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["products/update_or_create/"];

    fn path(&self) -> Path {
        Path::new("products").then("update_or_create")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.product.check()?;
        json_body(&self.product)
    }

    fn idempotent(&self) -> bool {
        self.product.custom_id.is_some()
    }
}

/// Record a product event: what a user did with a product, by product id or custom id.
///
/// `event_type` and exactly one of `user_id` and `user_custom_id` are required.
///
/// ```
/// use usercom_core::api::products::{CreateProductEvent, ProductEventData, ProductEventType};
/// use usercom_core::Config;
/// let config = Config::for_subdomain("acme", "secret").unwrap();
/// let event = CreateProductEvent::new("sku-1", ProductEventType::Order)
///     .user(431)
///     .data(ProductEventData::new().custom_data(serde_json::json!({"order": 17})));
/// let request = config.request(&event).unwrap();
/// assert_eq!(
///     request.uri(),
///     "https://acme.user.com/api/public/products-by-id/sku-1/product_event/"
/// );
/// assert_eq!(
///     request.body(),
///     br#"{"data":{"custom_data":{"order":17}},"event_type":"order","user_id":431}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateProductEvent {
    /// The product: its numeric id, or its custom id as a string.
    pub id: Selector,
    /// The user, by numeric id (give this or `user_custom_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// The user, by custom id (give this or `user_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_custom_id: Option<String>,
    /// What happened: one of the sixteen predefined types, such as "order" or "add to cart".
    #[schemars(with = "String")]
    pub event_type: Lenient<ProductEventType>,
    /// When it happened, in UNIX seconds (the API takes the time of the call without it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "jiff::fmt::serde::timestamp::second::optional"
    )]
    #[schemars(with = "Option<i64>")]
    pub timestamp: Option<Timestamp>,
    /// Product attributes to set, and `custom_data` for this event only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<ProductEventData>,
}

impl CreateProductEvent {
    /// An event of type `event_type` on the product `product` (its id or custom id); say whose
    /// with [`user`](Self::user).
    pub fn new(product: impl Into<Selector>, event_type: ProductEventType) -> Self {
        Self {
            id: product.into(),
            user_id: None,
            user_custom_id: None,
            event_type: Lenient::from(event_type),
            timestamp: None,
            data: None,
        }
    }

    /// An event of a type this SDK does not know yet, sent as `event_type`.
    pub fn of_type(product: impl Into<Selector>, event_type: impl Into<String>) -> Self {
        let mut event = Self::new(product, ProductEventType::Order);
        event.event_type = Lenient::from_raw(Value::String(event_type.into()));
        event
    }

    /// The user, by numeric id or custom id.
    pub fn user(mut self, user: impl Into<Selector>) -> Self {
        match user.into() {
            Selector::Id(id) => {
                self.user_id = Some(id);
                self.user_custom_id = None;
            }
            Selector::Custom(custom) => {
                self.user_custom_id = Some(custom);
                self.user_id = None;
            }
        }
        self
    }

    /// When it happened.
    pub fn at(mut self, timestamp: Timestamp) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// Product attributes and custom data.
    pub fn data(mut self, data: ProductEventData) -> Self {
        self.data = Some(data);
        self
    }

    fn check(&self) -> Result<(), Error> {
        match (&self.user_id, &self.user_custom_id) {
            (Some(_), None) => {}
            (None, Some(custom)) if !custom.trim().is_empty() => {}
            (None, Some(_)) => return Err(Error::invalid_input("`user_custom_id` is empty")),
            (None, None) => {
                return Err(Error::invalid_input(
                    "a product event needs its user: give user_id or user_custom_id",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(Error::invalid_input(
                    "give the product event's user as user_id or user_custom_id, not both",
                ));
            }
        }
        match self.event_type.raw() {
            Value::String(name) if !name.trim().is_empty() => Ok(()),
            other => Err(Error::invalid_input(format!(
                "`event_type` must be the name of a product event type (such as \"order\"), \
                 not {other}"
            ))),
        }
    }
}

impl Endpoint for CreateProductEvent {
    type Output = ProductEventCreated;
    const NAME: &'static str = "products.create-event";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &[
        "products/{id}/product_event/",
        "products-by-id/{id}/product_event/",
    ];

    fn path(&self) -> Path {
        self.id
            .path("products", "products-by-id")
            .then("product_event")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.check()?;
        json_body_except(self, &["id"])
    }
}

impl TryFrom<Map<String, Value>> for CreateProduct {
    type Error = String;

    fn try_from(args: Map<String, Value>) -> Result<Self, String> {
        fields_from(&Value::Object(args), PRODUCT_FIELDS).map(Self::new)
    }
}

impl TryFrom<Map<String, Value>> for UpdateProduct {
    type Error = String;

    fn try_from(mut args: Map<String, Value>) -> Result<Self, String> {
        let id = take_selector(&mut args)?;
        let product = fields_from(&Value::Object(args), PRODUCT_FIELDS)?;
        Ok(Self { id, product })
    }
}

impl TryFrom<Map<String, Value>> for UpdateOrCreateProduct {
    type Error = String;

    fn try_from(args: Map<String, Value>) -> Result<Self, String> {
        fields_from(&Value::Object(args), PRODUCT_FIELDS).map(Self::new)
    }
}

// ---------------------------------------------------------------------------------------------
// Registration and calls
// ---------------------------------------------------------------------------------------------

/// The products group.
pub static GROUP: Group = Group {
    name: "products",
    summary: "Products and product events",
    operations: &[
        Registration::paged::<ListProducts>(),
        Registration::single::<GetProduct>(),
        Registration::single::<CreateProduct>(),
        Registration::single::<UpdateProduct>(),
        Registration::single::<DeleteProduct>(),
        Registration::single::<UpdateOrCreateProduct>(),
        Registration::single::<CreateProductEvent>(),
    ],
};

/// The products calls of a client: `client.products()`.
#[derive(Debug)]
pub struct Products<'a, C>(pub(crate) &'a C);

impl<'a, C: Api> Products<'a, C> {
    /// The first page of products.
    pub fn list(&self) -> C::Call<'a, Page<Product>> {
        self.0.call(ListProducts::new())
    }

    /// Every product.
    pub fn all(&self) -> C::Items<Product> {
        self.0.paginate(ListProducts::new())
    }

    /// One product, by numeric id or custom id.
    pub fn get(&self, id: impl Into<Selector>) -> C::Call<'a, Product> {
        self.0.call(GetProduct::new(id))
    }

    /// Creates a product.
    pub fn create(&self, product: ProductFields) -> C::Call<'a, Product> {
        self.0.call(CreateProduct::new(product))
    }

    /// Updates a product, by numeric id or custom id.
    pub fn update(&self, id: impl Into<Selector>, product: ProductFields) -> C::Call<'a, Product> {
        self.0.call(UpdateProduct::new(id, product))
    }

    /// Deletes a product; the answer is the body as sent (`null` when empty).
    pub fn delete(&self, id: impl Into<Selector>) -> C::Call<'a, Value> {
        self.0.call(DeleteProduct::new(id))
    }

    /// Updates the product with the fields' `custom_id`, or creates it.
    pub fn update_or_create(&self, product: ProductFields) -> C::Call<'a, Product> {
        self.0.call(UpdateOrCreateProduct::new(product))
    }

    /// Records a product event.
    pub fn create_event(&self, event: CreateProductEvent) -> C::Call<'a, ProductEventCreated> {
        self.0.call(event)
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

    #[test]
    fn each_call_sends_its_documented_request() {
        let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
        let products = client.products();
        let root = "https://acme.user.com/api/public/";
        let shoe = ProductFields::new()
            .custom_id("sku/1")
            .name("Shoe")
            .price(decimal("19.90"))
            .category_name("Shoes")
            .attribute("size", 42);
        let event = CreateProductEvent::new(431, ProductEventType::Order)
            .user(431)
            .at(Timestamp::from_second(1426967129).unwrap())
            .data(
                ProductEventData::new()
                    .attribute("create attribute for product", "my value")
                    .custom_data(serde_json::json!({"custom attr": "json data"})),
            );
        let cases = [
            (products.list(), "GET", "products/", ""),
            (products.all(), "GET", "products/", ""),
            (products.get(49), "GET", "products/49/", ""),
            (
                products.get("sku/1"),
                "GET",
                "products-by-id/sku%2F1/details/",
                "",
            ),
            (
                products.create(shoe.clone()),
                "POST",
                "products/",
                r#"{"custom_id":"sku/1","name":"Shoe","price":19.90,"category_name":"Shoes","size":42}"#,
            ),
            (
                products.update(49, ProductFields::new().price(decimal("0.30"))),
                "PUT",
                "products/49/",
                r#"{"price":0.30}"#,
            ),
            (
                products.update("sku-1", ProductFields::new().name("Boot")),
                "PUT",
                "products-by-id/sku-1/",
                r#"{"name":"Boot"}"#,
            ),
            (products.delete(49), "DELETE", "products/49/", ""),
            (
                products.delete("sku-1"),
                "DELETE",
                "products-by-id/sku-1/",
                "",
            ),
            (
                products.update_or_create(shoe),
                "POST",
                "products/update_or_create/",
                r#"{"custom_id":"sku/1","name":"Shoe","price":19.90,"category_name":"Shoes","size":42}"#,
            ),
            (
                products.create_event(event),
                "POST",
                "products/431/product_event/",
                r#"{"data":{"create attribute for product":"my value","custom_data":{"custom attr":"json data"}},"event_type":"order","timestamp":1426967129,"user_id":431}"#,
            ),
            (
                products.create_event(
                    CreateProductEvent::new("sku 1", ProductEventType::AddToCart).user("user@123"),
                ),
                "POST",
                "products-by-id/sku%201/product_event/",
                r#"{"event_type":"add to cart","user_custom_id":"user@123"}"#,
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
    fn a_product_event_needs_one_user_and_a_type() {
        let config = Config::for_subdomain("acme", "key").unwrap();
        let no_user = CreateProductEvent::new(1, ProductEventType::View);
        let mut both = no_user.clone().user(5);
        both.user_custom_id = Some("u".into());
        let blank = CreateProductEvent::of_type(1, " ").user(5);
        let cases = [
            (no_user, "give user_id or user_custom_id"),
            (both, "not both"),
            (blank, "`event_type`"),
            (
                CreateProductEvent::new(1, ProductEventType::View).user(""),
                "`user_custom_id` is empty",
            ),
        ];
        for (event, expected) in cases {
            let error = config.request(&event).unwrap_err();
            assert!(error.to_string().contains(expected), "{error}");
        }
        let number = registry::find("products.create-event")
            .unwrap()
            .build(serde_json::json!({"id": 1, "user_id": 2, "event_type": 3}))
            .unwrap();
        let error = number.request(&config).unwrap_err();
        assert!(error.to_string().contains("event_type"), "{error}");
        // A type this SDK does not know is sent as given.
        let new = CreateProductEvent::of_type(1, "wishlist").user(5);
        assert_eq!(new.event_type.known(), None);
        let body = config.request(&new).unwrap().into_body();
        assert_eq!(body, br#"{"event_type":"wishlist","user_id":5}"#);
        // Arguments are the wire body plus the product.
        let args = serde_json::json!({"id": "sku-1", "user_custom_id": "u@1",
            "event_type": "add to cart", "timestamp": 1426967129,
            "data": {"color": "red", "custom_data": {"n": 1}}});
        let op = registry::find("products.create-event")
            .unwrap()
            .build(args.clone())
            .unwrap();
        assert_eq!(op.args(), args);
        let unknown = registry::find("products.create-event")
            .unwrap()
            .build(serde_json::json!({"id": 1, "user_id": 2, "event_type": "view", "extra": 1}));
        assert!(unknown.is_err());
    }

    #[test]
    fn event_types_are_the_documented_sixteen() {
        for event_type in ProductEventType::ALL {
            let json = serde_json::to_string(&event_type).unwrap();
            assert_eq!(json, format!("\"{}\"", event_type.name()));
            let lenient: Lenient<ProductEventType> = serde_json::from_str(&json).unwrap();
            assert_eq!(lenient.known(), Some(&event_type));
            assert_eq!(
                event_type.to_string().parse::<ProductEventType>().unwrap(),
                event_type
            );
        }
        assert_eq!(
            "Add_To_Cart".parse::<ProductEventType>().unwrap(),
            ProductEventType::AddToCart
        );
        let error = "wishlist".parse::<ProductEventType>().unwrap_err();
        assert!(error.to_string().contains("promo click"), "{error}");
    }

    #[test]
    fn products_keep_the_form_of_their_price_and_their_attributes() {
        for (json, exact) in [
            (r#"{"id": 1, "price": 19.99}"#, "19.99"),
            (r#"{"id": 1, "price": "19.90", "color": "red"}"#, "19.90"),
        ] {
            let product: Product = serde_json::from_str(json).unwrap();
            assert_eq!(product.price(), Some(decimal(exact)));
            let sent: Value = serde_json::from_str(json).unwrap();
            assert_eq!(
                serde_json::to_value(&product).unwrap()["price"],
                sent["price"]
            );
        }
        let odd: Product = serde_json::from_str(r#"{"id": 1, "price": "n/a"}"#).unwrap();
        assert_eq!(odd.price(), None);
        let attributes: Product =
            serde_json::from_str(r#"{"id": 1, "name": "Shoe", "size": 42, "tags": ["x"]}"#)
                .unwrap();
        assert_eq!(attributes.extra["size"], 42);
        let error = Config::for_subdomain("acme", "key")
            .unwrap()
            .request(&CreateProduct::new(
                ProductFields::new().attribute("price", 1),
            ))
            .unwrap_err();
        assert!(error.to_string().contains("`price`"), "{error}");
    }

    #[test]
    fn update_or_create_is_idempotent_when_it_has_a_custom_id() {
        assert!(UpdateOrCreateProduct::new(ProductFields::new().custom_id("sku")).idempotent());
        assert!(!UpdateOrCreateProduct::new(ProductFields::new().name("x")).idempotent());
        assert!(!CreateProductEvent::new(1, ProductEventType::View).idempotent());
    }
}
