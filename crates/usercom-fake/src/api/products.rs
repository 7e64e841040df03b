//! Products and product events.
//!
//! `GET products/`, `POST products/`, `POST products/update_or_create/` (matching on
//! `custom_id`), `GET products/{id}/` and `GET products-by-id/{custom_id}/details/`, `PUT`
//! and `DELETE` on `products/{id}/` and `products-by-id/{custom_id}/`, and
//! `POST …/product_event/` below either, which records an event (`{"id": …}`, 201) and sets
//! the product attributes of its `data` on the product. The event's user is named by
//! `user_id`, recorded as given, or by `user_custom_id`, which must be a user's.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::api::Group;
use crate::api::deals::{
    by_custom_id, by_id, custom_attributes, find_by, message, resolve_custom, split,
};
use crate::fields::{Field, Unique, python_type, validate};
use crate::handlers::{delete, get, list};
use crate::reply::Reply;
use crate::routing::{Call, Route};
use crate::seed::{Draw, epoch, timestamp_text};
use crate::store::{Collection, Order, Store};

/// The products group.
pub(crate) static GROUP: Group = Group {
    collections: &[&PRODUCTS, &PRODUCT_EVENTS],
    routes,
};

/// The products: two dozen unless told otherwise.
pub(crate) static PRODUCTS: Collection = Collection {
    name: "products",
    item_name: "product",
    first_id: 300,
    order: Order::OldestFirst,
    default_size: |_| 24,
    generate: product,
    fields: FIELDS,
};

/// The product events recorded (none seeded unless told otherwise): `{id, product, user,
/// event_type, timestamp, custom_data}`.
pub(crate) static PRODUCT_EVENTS: Collection = Collection {
    name: "product_events",
    item_name: "product event",
    first_id: 388,
    order: Order::OldestFirst,
    default_size: |_| 0,
    generate: product_event,
    fields: &[],
};

/// What the generic checks cover of a product's writes; `price` is checked by hand and any
/// other key is a custom attribute.
const FIELDS: &[Field] = &[
    Field::text("custom_id").nullable().max_length(255).unique(),
    Field::text("name").nullable().max_length(255),
    Field::text("product_url").nullable().blank(),
    Field::text("image_url").nullable().blank(),
    Field::text("category_name")
        .nullable()
        .blank()
        .max_length(255),
];

const READ_ONLY: &[&str] = &["id", "created_at", "updated_at"];

/// The event types User.com defines (the list is closed).
pub(crate) const EVENT_TYPES: &[&str] = &[
    "add to cart",
    "purchase",
    "liking",
    "add to observation",
    "order",
    "reservation",
    "return",
    "view",
    "click",
    "detail",
    "add",
    "remove",
    "checkout",
    "checkout option",
    "refund",
    "promo click",
];

const EVENT_FIELDS: &[Field] = &[
    Field::text("event_type").required(),
    Field::primary_key("user_id").nullable(),
    Field::text("user_custom_id").nullable(),
    Field::integer("timestamp").nullable(),
    Field::json("data").nullable(),
];

fn routes() -> Vec<Route> {
    vec![
        Route::get("products/", list("products")),
        Route::post("products/", create_product),
        Route::post("products/update_or_create/", update_or_create_product),
        Route::get("products/{id}/", get("products")),
        Route::get(
            "products-by-id/{id}/details/",
            |call: &Call<'_>, store: &mut Store| match by_custom_id(call, store, "products")
                .and_then(|id| store.get("products", id))
            {
                Some(product) => Reply::json(StatusCode::OK, product),
                None => Reply::not_found(),
            },
        ),
        Route::put("products/{id}/", |call: &Call<'_>, store: &mut Store| {
            let id = by_id(call, store, "products");
            update_product(call, store, id)
        }),
        Route::put(
            "products-by-id/{id}/",
            |call: &Call<'_>, store: &mut Store| {
                let id = by_custom_id(call, store, "products");
                update_product(call, store, id)
            },
        ),
        Route::delete("products/{id}/", delete("products")),
        Route::delete(
            "products-by-id/{id}/",
            |call: &Call<'_>, store: &mut Store| match by_custom_id(call, store, "products") {
                Some(id) if store.delete("products", id) => Reply::empty(StatusCode::NO_CONTENT),
                _ => Reply::not_found(),
            },
        ),
        Route::post(
            "products/{id}/product_event/",
            |call: &Call<'_>, store: &mut Store| {
                let id = by_id(call, store, "products");
                record_event(call, store, id)
            },
        ),
        Route::post(
            "products-by-id/{id}/product_event/",
            |call: &Call<'_>, store: &mut Store| {
                let id = by_custom_id(call, store, "products");
                record_event(call, store, id)
            },
        ),
    ]
}

const NAMES: &[&str] = &[
    "Running shoe",
    "Rain jacket",
    "Espresso cup",
    "Desk lamp",
    "Notebook A5",
    "Kubek termiczny",
    "Ręcznik plażowy",
    "抹茶セット",
];
const CATEGORIES: &[Option<&str>] = &[Some("Shoes"), Some("Home"), Some("Office"), None];
const COLOURS: &[Option<&str>] = &[Some("red"), Some("navy"), Some("black"), None];

/// A seeded product: a price as a number (as the vendor's plugins write it), a custom
/// attribute (`colour`) at the top level.
fn product(draw: &mut Draw<'_>) -> Value {
    let index = draw.index();
    let cents = 99 + draw.rng.below(50_000);
    let custom_id = if index % 5 == 4 {
        format!("sku/{index} b")
    } else {
        format!("sku-{index:04}")
    };
    let created = draw.rng.timestamp(epoch(), 86_400 * 700);
    let price = u32::try_from(cents).map_or(0.0, f64::from) / 100.0;
    json!({
        "id": draw.id(),
        "custom_id": custom_id,
        "name": format!("{} {}", draw.rng.pick(NAMES), index + 1),
        "price": price,
        "product_url": format!("https://shop.example.com/p/{index}"),
        "image_url": draw.rng.chance(2, 3).then(|| format!("https://shop.example.com/img/{index}.jpg")),
        "category_name": draw.rng.pick(CATEGORIES),
        "created_at": created,
        "updated_at": created,
        "colour": draw.rng.pick(COLOURS),
    })
}

/// A seeded product event (only when a size is asked for).
fn product_event(draw: &mut Draw<'_>) -> Value {
    json!({
        "id": draw.id(),
        "product": draw.pick_id("products"),
        "user": draw.pick_id("users"),
        "event_type": draw.rng.pick(EVENT_TYPES),
        "timestamp": draw.rng.instant(epoch(), 86_400 * 700).as_second(),
        "custom_data": {},
    })
}

/// The body's fields to store, or DRF's errors.
fn clean(
    body: &Map<String, Value>,
    store: &Store,
    updating: Option<i64>,
) -> Result<Map<String, Value>, Value> {
    let unique = Unique {
        store,
        collection: "products",
        item_name: "product",
        except: updating,
    };
    let (mut fields, mut errors) = split(validate(FIELDS, body, Some(&unique)));
    match body.get("price") {
        None => {}
        Some(Value::Null) => {
            fields.insert("price".to_owned(), Value::Null);
        }
        Some(price) => match price_number(price) {
            Some(number) => {
                fields.insert("price".to_owned(), number);
            }
            None => {
                errors.insert("price".to_owned(), message("A valid number is required."));
            }
        },
    }
    fields.extend(custom_attributes(body, FIELDS, &["price"], READ_ONLY));
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(Value::Object(errors))
    }
}

/// A price as a JSON number: a number, or text holding one.
fn price_number(value: &Value) -> Option<Value> {
    match value {
        Value::Number(_) => Some(value.clone()),
        Value::String(text) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        _ => None,
    }
}

fn create_product(call: &Call<'_>, store: &mut Store) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    match clean(&body, store, None) {
        Ok(fields) => insert(call, store, fields),
        Err(errors) => Reply::invalid(errors),
    }
}

fn insert(call: &Call<'_>, store: &mut Store, fields: Map<String, Value>) -> Reply {
    let now = timestamp_text(call.now);
    let mut product = Map::new();
    for name in [
        "custom_id",
        "name",
        "price",
        "product_url",
        "image_url",
        "category_name",
    ] {
        product.insert(name.to_owned(), Value::Null);
    }
    product.insert("created_at".to_owned(), now.clone().into());
    product.insert("updated_at".to_owned(), now.into());
    product.extend(fields);
    match store.create("products", product) {
        Some(created) => Reply::json(StatusCode::CREATED, created),
        None => Reply::broken("no products collection"),
    }
}

fn update_product(call: &Call<'_>, store: &mut Store, id: Option<i64>) -> Reply {
    let Some((id, existing)) = id.and_then(|id| Some((id, store.get("products", id)?))) else {
        return Reply::not_found();
    };
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    match clean(&body, store, Some(id)) {
        Ok(fields) => replace(call, store, id, existing, fields, StatusCode::OK),
        Err(errors) => Reply::invalid(errors),
    }
}

fn replace(
    call: &Call<'_>,
    store: &mut Store,
    id: i64,
    existing: Value,
    fields: Map<String, Value>,
    status: StatusCode,
) -> Reply {
    let Value::Object(mut product) = existing else {
        return Reply::broken("a stored product is not an object");
    };
    product.extend(fields);
    product.insert("updated_at".to_owned(), timestamp_text(call.now).into());
    let product = Value::Object(product);
    if store.replace("products", id, product.clone()) {
        Reply::json(status, product)
    } else {
        Reply::not_found()
    }
}

/// `POST products/update_or_create/`: the product whose `custom_id` is the body's is updated
/// (200); otherwise one is created (201).
fn update_or_create_product(call: &Call<'_>, store: &mut Store) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let existing = body
        .get("custom_id")
        .and_then(Value::as_str)
        .and_then(|custom| find_by(store, "products", "custom_id", custom.trim()));
    match existing.and_then(|id| Some((id, store.get("products", id)?))) {
        Some((id, product)) => match clean(&body, store, Some(id)) {
            Ok(fields) => replace(call, store, id, product, fields, StatusCode::OK),
            Err(errors) => Reply::invalid(errors),
        },
        None => create_product(call, store),
    }
}

/// `POST …/product_event/`: an event of one of the defined types, by a user given by id or
/// custom id; its `data` sets product attributes, but `custom_data`, kept with the event.
fn record_event(call: &Call<'_>, store: &mut Store, product: Option<i64>) -> Reply {
    let Some((product_id, existing)) =
        product.and_then(|id| Some((id, store.get("products", id)?)))
    else {
        return Reply::not_found();
    };
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    // The generic checks name what is wrong; the values are read from the body, so that one
    // wrong field does not hide another.
    let (_, mut errors) = split(validate(EVENT_FIELDS, &body, None));
    let given = |name: &str| body.get(name).filter(|value| !value.is_null());
    if let Some(kind) = given("event_type").and_then(Value::as_str)
        && !EVENT_TYPES.contains(&kind.trim())
    {
        errors.insert(
            "event_type".to_owned(),
            message(&format!("\"{}\" is not a valid choice.", kind.trim())),
        );
    }
    let data = match given("data") {
        None => Map::new(),
        Some(Value::Object(data)) => data.clone(),
        Some(other) => {
            errors.insert(
                "data".to_owned(),
                message(&format!(
                    "Expected a dictionary of items but got type \"{}\".",
                    python_type(other)
                )),
            );
            Map::new()
        }
    };
    let integer = |value: &Value| {
        value
            .as_i64()
            .or_else(|| value.as_str().and_then(|text| text.trim().parse().ok()))
    };
    // The user id is recorded as given, as the documentation's example (user 431) is.
    let user = match (given("user_id"), given("user_custom_id")) {
        (Some(id), _) => integer(id),
        (None, custom @ Some(_)) => match resolve_custom(custom, store, "users") {
            Ok(found) => found,
            Err(text) => {
                errors.insert("user_custom_id".to_owned(), message(&text));
                None
            }
        },
        (None, None) => {
            errors.insert(
                "non_field_errors".to_owned(),
                message("Either user_id or user_custom_id is required."),
            );
            None
        }
    };
    if !errors.is_empty() {
        return Reply::invalid(Value::Object(errors));
    }
    let timestamp = given("timestamp")
        .and_then(integer)
        .unwrap_or_else(|| call.now.as_second());
    let event = json!({
        "product": product_id,
        "user": user,
        "event_type": given("event_type").and_then(Value::as_str).map(str::trim),
        "timestamp": timestamp,
        "custom_data": data.get("custom_data").cloned().unwrap_or_else(|| json!({})),
    });
    let Value::Object(event) = event else {
        return Reply::broken("an event is not an object");
    };
    let Some(created) = store.create("product_events", event) else {
        return Reply::broken("no product_events collection");
    };
    // The product keeps the latest value of each attribute an event sends.
    let attributes: Map<String, Value> = data
        .into_iter()
        .filter(|(name, _)| name != "custom_data" && !READ_ONLY.contains(&name.as_str()))
        .collect();
    if !attributes.is_empty()
        && let Value::Object(mut product) = existing
    {
        product.extend(attributes);
        product.insert("updated_at".to_owned(), timestamp_text(call.now).into());
        store.replace("products", product_id, Value::Object(product));
    }
    Reply::json(StatusCode::CREATED, json!({"id": created.get("id")}))
}
