//! Deals, in the v2 shape: `value` a decimal string, `status` a code, `user_id`,
//! `company_id` and their custom ids, tags as `{id, name}`, custom attributes as top-level
//! keys.
//!
//! `GET deals/` (`?user_id=`, `?user_custom_id=`, `?userkey=`, `?stage=`), `POST deals/`,
//! `POST deals/update_or_create/` (matching on `custom_id`), and `GET`, `PUT` and `DELETE`
//! on `deals/{id}/` and `deals-by-id/{custom_id}/`.
//!
//! `value` is kept as Django REST Framework's `DecimalField(max_digits=15, decimal_places=2)`
//! keeps it: two places, as the documentation shows values (`"1250.00"`); the limit on
//! digits is the fake's own choice. Its JSON parser reads numbers as doubles, as DRF's does,
//! so a value sent as a number keeps about fifteen significant digits; one sent as text
//! keeps them all.
//!
//! The helpers at the end (exact decimals, dates, custom ids, custom attributes) serve the
//! products and activities modules too.

use axum::http::StatusCode;
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Map, Value, json};

use crate::api::Group;
use crate::api::tags;
use crate::fields::{Field, Unique, python_type, validate};
use crate::handlers::delete;
use crate::pages::{page_of, page_of_all};
use crate::reply::Reply;
use crate::routing::{Call, Route};
use crate::seed::{Draw, epoch, timestamp_text};
use crate::store::{Collection, Order, Store};

/// The deals group.
pub(crate) static GROUP: Group = Group {
    collections: &[&DEALS],
    routes,
};

/// The deals: half as many as users (at least 4) unless told otherwise.
pub(crate) static DEALS: Collection = Collection {
    name: "deals",
    item_name: "deal",
    first_id: 12_000,
    order: Order::OldestFirst,
    default_size: |sizes| (sizes.get("users") / 2).max(4),
    generate: deal,
    fields: FIELDS,
};

/// What the generic checks cover of a deal's writes; `value`, the dates, the custom ids of
/// users, companies and products and `order_products` are checked by hand, and any other key
/// is a custom attribute.
const FIELDS: &[Field] = &[
    Field::text("name").max_length(255),
    Field::text("custom_id").nullable().max_length(255).unique(),
    Field::text("currency").nullable().max_length(3),
    Field::text("activities_status").nullable().max_length(32),
    Field::integer("status"),
    Field::primary_key("stage").nullable(),
    Field::primary_key("pipeline").nullable(),
    Field::primary_key("assigned_to").nullable(),
    Field::primary_key("user_id").nullable(),
    Field::primary_key("company_id").nullable(),
    Field::integer("loss_reason").nullable(),
];

/// Fields the API computes: ignored on writes, as Django REST Framework ignores read-only
/// fields.
const READ_ONLY: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "created_by",
    "tags",
    "scope",
    "restricted_to",
    "agent",
    "loss_reason_description",
];

/// Fields checked by hand.
const BY_HAND: &[&str] = &[
    "value",
    "expected_close_date",
    "won_at",
    "lost_at",
    "participants",
    "products",
    "products_custom_id",
    "order_products",
    "user_custom_id",
    "company_custom_id",
];

/// The custom attribute every deal of the seeded account has (the documentation's).
const ATTRIBUTE: &str = "custom_attribute_xyz";

/// The agent who owns the seeded deals.
const AGENT_ID: i64 = 382;

fn routes() -> Vec<Route> {
    vec![
        Route::get("deals/", list_deals),
        Route::post("deals/", create_deal),
        Route::post("deals/update_or_create/", update_or_create_deal),
        Route::get("deals/{id}/", |call: &Call<'_>, store: &mut Store| {
            get_deal(store, by_id(call, store, "deals"))
        }),
        Route::get("deals-by-id/{id}/", |call: &Call<'_>, store: &mut Store| {
            get_deal(store, by_custom_id(call, store, "deals"))
        }),
        Route::put("deals/{id}/", |call: &Call<'_>, store: &mut Store| {
            let id = by_id(call, store, "deals");
            update_deal(call, store, id)
        }),
        Route::put("deals-by-id/{id}/", |call: &Call<'_>, store: &mut Store| {
            let id = by_custom_id(call, store, "deals");
            update_deal(call, store, id)
        }),
        Route::delete("deals/{id}/", delete("deals")),
        Route::delete(
            "deals-by-id/{id}/",
            |call: &Call<'_>, store: &mut Store| match by_custom_id(call, store, "deals") {
                Some(id) if store.delete("deals", id) => Reply::empty(StatusCode::NO_CONTENT),
                _ => Reply::not_found(),
            },
        ),
    ]
}

const WORDS: &[&str] = &[
    "Renewal",
    "Upsell",
    "New license",
    "Pilot",
    "Enterprise plan",
    "Onboarding package",
    "Zamówienie",
    "年間契約",
    "Support <b>add-on</b>",
];
const CURRENCIES: &[&str] = &["USD", "EUR", "PLN", "JPY"];
const STAGES: &[i64] = &[36_585, 36_586, 36_587, 36_588];
const PIPELINES: &[i64] = &[6_179, 6_180];
const ATTRIBUTE_VALUES: &[Option<&str>] = &[None, Some("inbound"), Some("partner"), None];

/// A seeded deal, as stored: `tags` and `products` hold ids; the custom ids of its user,
/// company and products are shown from those when read.
fn deal(draw: &mut Draw<'_>) -> Value {
    let index = draw.index();
    let user = draw.pick_id("users");
    let company = if draw.rng.chance(2, 3) {
        draw.pick_id("companies")
    } else {
        None
    };
    let status = i64::try_from(draw.rng.below(5)).unwrap_or(1);
    let cents = draw.rng.below(2_500_000);
    let created = draw.rng.instant(epoch(), 86_400 * 700);
    let closing = draw.rng.instant(created, 86_400 * 120);
    // Every deal carries a tag and has a participant; a third of them order products.
    let tag_count = draw.seeded("tags");
    let tags: Vec<i64> = (tag_count > 0)
        .then(|| draw.seeded_id("tags", index % tag_count))
        .flatten()
        .into_iter()
        .collect();
    let mut participants: Vec<i64> = user.into_iter().collect();
    if draw.rng.chance(1, 3)
        && let Some(other) = draw.pick_id("users")
        && !participants.contains(&other)
    {
        participants.push(other);
    }
    let products: Vec<i64> = if index % 3 == 1 {
        draw.pick_id("products").into_iter().collect()
    } else {
        Vec::new()
    };
    let custom_id = match draw.rng.below(4) {
        0 => Value::Null,
        1 => Value::from(format!("crm/deal {index}")),
        _ => Value::from(format!("deal@{index}")),
    };
    let at = |wanted: i64| (status == wanted).then(|| timestamp_text(closing));
    json!({
        "id": draw.id(),
        "name": format!("{} #{index}", draw.rng.pick(WORDS)),
        "value": format!("{}.{:02}", cents / 100, cents % 100),
        "currency": draw.rng.pick(CURRENCIES),
        "custom_id": custom_id,
        "stage": draw.rng.pick(STAGES),
        "pipeline": draw.rng.pick(PIPELINES),
        "assigned_to": draw.rng.chance(3, 4).then_some(398),
        "restricted_to": null,
        "agent": null,
        "company_id": company,
        "user_id": user,
        "status": status,
        "products": products,
        "scope": 2,
        "created_by": AGENT_ID,
        "created_at": timestamp_text(created),
        "updated_at": timestamp_text(created),
        "tags": tags,
        "activities_status": if draw.rng.chance(1, 2) { "planned" } else { "no planned" },
        "expected_close_date": draw.rng.chance(2, 3).then(|| date_text(closing)),
        "loss_reason": (status == 3).then_some(1),
        "loss_reason_description": "",
        "lost_at": at(3),
        "won_at": at(2),
        "participants": participants,
        ATTRIBUTE: draw.rng.pick(ATTRIBUTE_VALUES),
    })
}

/// A deal as the API shows it: tags as `{id, name}`, the custom ids of its user, company and
/// products, every custom attribute of the account (`null` when unset); its
/// `order_products` are kept, not shown.
pub(crate) fn view(store: &Store, deal: &Value) -> Value {
    let mut shown = deal.clone();
    if let Some(fields) = shown.as_object_mut() {
        fields.insert("tags".to_owned(), tags::references(store, deal.get("tags")));
        let custom_id = |collection: &str, id: Option<&Value>| {
            id.and_then(Value::as_i64)
                .and_then(|id| store.get(collection, id))
                .and_then(|item| item.get("custom_id").cloned())
                .unwrap_or(Value::Null)
        };
        let user = custom_id("users", deal.get("user_id"));
        let company = custom_id("companies", deal.get("company_id"));
        fields.insert("user_custom_id".to_owned(), user);
        fields.insert("company_custom_id".to_owned(), company);
        let products: Vec<Value> = ids(deal.get("products"))
            .filter_map(|id| store.get("products", id)?.get("custom_id").cloned())
            .filter(|custom| !custom.is_null())
            .collect();
        fields.insert("products_custom_id".to_owned(), Value::Array(products));
        fields.entry(ATTRIBUTE.to_owned()).or_insert(Value::Null);
        fields.remove("order_products");
    }
    shown
}

/// The integers of a JSON list.
fn ids(list: Option<&Value>) -> impl Iterator<Item = i64> + '_ {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_i64)
}

/// `GET deals/`: every deal, or one user's (`?user_id=`, `?user_custom_id=`, `?userkey=`),
/// or one stage's (`?stage=`).
fn list_deals(call: &Call<'_>, store: &mut Store) -> Reply {
    let store = &*store;
    let whole = |name: &str| -> Result<Option<i64>, Reply> {
        match call.query(name) {
            None => Ok(None),
            Some(text) => text
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| Reply::invalid(json!({ name: ["Enter a whole number."] }))),
        }
    };
    let user = match whole("user_id") {
        Ok(user) => user,
        Err(reply) => return reply,
    };
    let stage = match whole("stage") {
        Ok(stage) => stage,
        Err(reply) => return reply,
    };
    // A user named by custom id or key who does not exist has no deals.
    let looked_up = [("user_custom_id", "custom_id"), ("userkey", "user_key")]
        .into_iter()
        .find_map(|(param, field)| {
            let wanted = call.query(param)?;
            Some(find_by(store, "users", field, wanted).unwrap_or(-1))
        });
    let user = user.or(looked_up);
    if user.is_none() && stage.is_none() {
        return page_of(call, store.len("deals"), |offset, limit| {
            store
                .page("deals", offset, limit)
                .iter()
                .map(|deal| view(store, deal))
                .collect()
        });
    }
    let kept = store.items("deals").filter(|deal| {
        user.is_none_or(|user| deal.get("user_id").and_then(Value::as_i64) == Some(user))
            && stage.is_none_or(|stage| deal.get("stage").and_then(Value::as_i64) == Some(stage))
    });
    page_of_all(call, kept, |deal| view(store, deal))
}

fn get_deal(store: &Store, id: Option<i64>) -> Reply {
    match id.and_then(|id| store.get("deals", id)) {
        Some(deal) => Reply::json(StatusCode::OK, view(store, &deal)),
        None => Reply::not_found(),
    }
}

/// A new deal's fields before the body's.
fn blank(now: Timestamp) -> Map<String, Value> {
    let now = timestamp_text(now);
    let fields = json!({
        "name": null, "value": null, "currency": null, "custom_id": null, "stage": null,
        "pipeline": null, "assigned_to": null, "restricted_to": null, "agent": null,
        "company_id": null, "user_id": null, "status": 1, "products": [], "scope": 2,
        "created_by": AGENT_ID, "created_at": now, "updated_at": now, "tags": [],
        "activities_status": "no planned", "expected_close_date": null, "loss_reason": null,
        "loss_reason_description": "", "lost_at": null, "won_at": null, "participants": [],
    });
    match fields {
        Value::Object(fields) => fields,
        _ => Map::new(),
    }
}

/// `POST deals/`: a new deal; 201.
fn create_deal(call: &Call<'_>, store: &mut Store) -> Reply {
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
    let mut deal = blank(call.now);
    deal.extend(fields);
    stamp_outcome(&mut deal, None, call.now);
    match store.create("deals", deal) {
        Some(created) => Reply::json(StatusCode::CREATED, view(store, &created)),
        None => Reply::broken("no deals collection"),
    }
}

/// `PUT`: the fields given change; 200, or 404.
fn update_deal(call: &Call<'_>, store: &mut Store, id: Option<i64>) -> Reply {
    let Some((id, existing)) = id.and_then(|id| Some((id, store.get("deals", id)?))) else {
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
    let Value::Object(mut deal) = existing else {
        return Reply::broken("a stored deal is not an object");
    };
    let before = deal.get("status").and_then(Value::as_i64);
    deal.extend(fields);
    deal.insert("updated_at".to_owned(), timestamp_text(call.now).into());
    stamp_outcome(&mut deal, before, call.now);
    let deal = Value::Object(deal);
    if !store.replace("deals", id, deal.clone()) {
        return Reply::not_found();
    }
    Reply::json(status, view(store, &deal))
}

/// A deal that becomes won or lost gets `won_at` or `lost_at`, unless one was given.
fn stamp_outcome(deal: &mut Map<String, Value>, before: Option<i64>, now: Timestamp) {
    let status = deal.get("status").and_then(Value::as_i64);
    if status == before {
        return;
    }
    let field = match status {
        Some(2) => "won_at",
        Some(3) => "lost_at",
        _ => return,
    };
    if deal.get(field).is_none_or(Value::is_null) {
        deal.insert(field.to_owned(), timestamp_text(now).into());
    }
}

/// `POST deals/update_or_create/`: the deal whose `custom_id` is the body's is updated
/// (200); without one, or when none has it, a deal is created (201, `name` required).
fn update_or_create_deal(call: &Call<'_>, store: &mut Store) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let existing = body
        .get("custom_id")
        .and_then(Value::as_str)
        .and_then(|custom| find_by(store, "deals", "custom_id", custom.trim()));
    match existing {
        Some(id) => {
            let Some(deal) = store.get("deals", id) else {
                return Reply::not_found();
            };
            match clean(&body, store, Some(id)) {
                Ok(fields) => replace(call, store, id, deal, fields, StatusCode::OK),
                Err(errors) => Reply::invalid(errors),
            }
        }
        None => match clean(&body, store, None) {
            Ok(fields) => insert(call, store, fields),
            Err(errors) => Reply::invalid(errors),
        },
    }
}

/// The body's fields to store, or DRF's errors for every field that is wrong. `updating` is
/// the deal being updated (`name` is only required on create).
fn clean(
    body: &Map<String, Value>,
    store: &Store,
    updating: Option<i64>,
) -> Result<Map<String, Value>, Value> {
    let unique = Unique {
        store,
        collection: "deals",
        item_name: "deal",
        except: updating,
    };
    let (mut fields, mut errors) = split(validate(FIELDS, body, Some(&unique)));
    if updating.is_none() && !body.contains_key("name") {
        errors.insert("name".to_owned(), message("This field is required."));
    }
    if let Some(status) = fields.get("status").and_then(Value::as_i64)
        && !(0..=4).contains(&status)
    {
        errors.insert(
            "status".to_owned(),
            message(&format!("\"{status}\" is not a valid choice.")),
        );
    }
    for (field, check) in [
        ("value", decimal_text as fn(&Value) -> Result<Value, String>),
        ("expected_close_date", date_value),
        ("won_at", datetime_value),
        ("lost_at", datetime_value),
        ("participants", id_list),
        ("products", id_list),
    ] {
        if let Some(value) = body.get(field) {
            match check(value) {
                Ok(value) => {
                    fields.insert(field.to_owned(), value);
                }
                Err(text) => {
                    errors.insert(field.to_owned(), message(&text));
                }
            }
        }
    }
    let mut check_exists = |field: &str, collection: &str| {
        if let Some(id) = fields.get(field).and_then(Value::as_i64)
            && store.get(collection, id).is_none()
        {
            errors.insert(field.to_owned(), message(&invalid_pk(id)));
        }
    };
    check_exists("user_id", "users");
    check_exists("company_id", "companies");
    for (field, target, collection) in [
        ("user_custom_id", "user_id", "users"),
        ("company_custom_id", "company_id", "companies"),
    ] {
        match resolve_custom(body.get(field), store, collection) {
            Ok(Some(id)) => {
                fields.insert(target.to_owned(), id.into());
            }
            Ok(None) => {}
            Err(text) => {
                errors.insert(field.to_owned(), message(&text));
            }
        }
    }
    let mut products: Vec<i64> = ids(fields.get("products")).collect();
    if let Some(Value::Array(customs)) = body.get("products_custom_id") {
        for custom in customs {
            match resolve_custom(Some(custom), store, "products") {
                Ok(Some(id)) => products.push(id),
                Ok(None) => {}
                Err(text) => {
                    errors.insert("products_custom_id".to_owned(), message(&text));
                }
            }
        }
    }
    for id in &products {
        if store.get("products", *id).is_none() {
            errors.insert("products".to_owned(), message(&invalid_pk(*id)));
        }
    }
    if let Some(ordered) = body.get("order_products") {
        match order_products(ordered, store) {
            Ok((cleaned, ordered_ids)) => {
                fields.insert("order_products".to_owned(), cleaned);
                products.extend(ordered_ids);
            }
            Err(nested) => {
                errors.insert("order_products".to_owned(), nested);
            }
        }
    }
    if products.is_empty() {
        if body.contains_key("products") || body.contains_key("products_custom_id") {
            fields.insert("products".to_owned(), json!([]));
        }
    } else {
        products.dedup();
        fields.insert("products".to_owned(), json!(products));
    }
    fields.extend(custom_attributes(body, FIELDS, BY_HAND, READ_ONLY));
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(Value::Object(errors))
    }
}

/// `order_products`: each `{product_id | product_custom_id, quantity, value, currency}`,
/// cleaned, with the ids of the products; or DRF's list of per-item errors.
fn order_products(ordered: &Value, store: &Store) -> Result<(Value, Vec<i64>), Value> {
    let Value::Array(items) = ordered else {
        return Err(message(&format!(
            "Expected a list of items but got type \"{}\".",
            python_type(ordered)
        )));
    };
    let mut cleaned = Vec::new();
    let mut products = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        let mut item_errors = Map::new();
        let Value::Object(item) = item else {
            errors.push(json!({"non_field_errors": [format!(
                "Invalid data. Expected a dictionary, but got {}.", python_type(item))]}));
            continue;
        };
        let product = match (item.get("product_id"), item.get("product_custom_id")) {
            (Some(id), None) => match id.as_i64() {
                Some(id) if store.get("products", id).is_some() => Some(id),
                Some(id) => {
                    item_errors.insert("product_id".to_owned(), message(&invalid_pk(id)));
                    None
                }
                None => {
                    item_errors.insert(
                        "product_id".to_owned(),
                        message("A valid integer is required."),
                    );
                    None
                }
            },
            (None, Some(custom)) => match resolve_custom(Some(custom), store, "products") {
                Ok(found) => found,
                Err(text) => {
                    item_errors.insert("product_custom_id".to_owned(), message(&text));
                    None
                }
            },
            _ => {
                item_errors.insert(
                    "non_field_errors".to_owned(),
                    message("Give either product_id or product_custom_id."),
                );
                None
            }
        };
        let mut entry = Map::new();
        match item.get("quantity").map(|q| (q, q.as_i64())) {
            Some((_, Some(quantity))) => {
                entry.insert("quantity".to_owned(), quantity.into());
            }
            Some(_) => {
                item_errors.insert(
                    "quantity".to_owned(),
                    message("A valid integer is required."),
                );
            }
            None => {
                item_errors.insert("quantity".to_owned(), message("This field is required."));
            }
        }
        match item.get("value").map(decimal_text) {
            Some(Ok(value)) => {
                entry.insert("value".to_owned(), value);
            }
            Some(Err(text)) => {
                item_errors.insert("value".to_owned(), message(&text));
            }
            None => {
                item_errors.insert("value".to_owned(), message("This field is required."));
            }
        }
        match item.get("currency").and_then(Value::as_str) {
            Some(code) if code.trim().len() == 3 => {
                entry.insert("currency".to_owned(), code.trim().into());
            }
            Some(_) => {
                item_errors.insert(
                    "currency".to_owned(),
                    message("Ensure this field has no more than 3 characters."),
                );
            }
            None => {
                item_errors.insert("currency".to_owned(), message("This field is required."));
            }
        }
        if let Some(product) = product {
            entry.insert("product_id".to_owned(), product.into());
            products.push(product);
        }
        errors.push(Value::Object(item_errors));
        cleaned.push(Value::Object(entry));
    }
    if errors
        .iter()
        .all(|e| e.as_object().is_some_and(Map::is_empty))
    {
        Ok((Value::Array(cleaned), products))
    } else {
        Err(Value::Array(errors))
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers shared with products and activities
// ---------------------------------------------------------------------------------------------

/// DRF's list of one message.
pub(crate) fn message(text: &str) -> Value {
    json!([text])
}

/// DRF's message for an id that names nothing.
pub(crate) fn invalid_pk(id: i64) -> String {
    format!("Invalid pk \"{id}\" - object does not exist.")
}

/// The cleaned fields and the errors of a [`validate`] result.
pub(crate) fn split(
    result: Result<Map<String, Value>, Value>,
) -> (Map<String, Value>, Map<String, Value>) {
    match result {
        Ok(fields) => (fields, Map::new()),
        Err(Value::Object(errors)) => (Map::new(), errors),
        Err(other) => (
            Map::new(),
            Map::from_iter([("non_field_errors".to_owned(), other)]),
        ),
    }
}

/// The body's custom attributes: every key that is neither a field, nor checked by hand,
/// nor read-only.
pub(crate) fn custom_attributes(
    body: &Map<String, Value>,
    fields: &[Field],
    by_hand: &[&str],
    read_only: &[&str],
) -> Map<String, Value> {
    body.iter()
        .filter(|(name, _)| {
            !fields.iter().any(|f| f.name == name.as_str())
                && !by_hand.contains(&name.as_str())
                && !read_only.contains(&name.as_str())
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// The id of the item of `collection` whose `field` is the text `wanted`.
pub(crate) fn find_by(store: &Store, collection: &str, field: &str, wanted: &str) -> Option<i64> {
    store
        .items(collection)
        .find(|item| item.get(field).and_then(Value::as_str) == Some(wanted))
        .and_then(|item| item.get("id").and_then(Value::as_i64))
}

/// The item of `collection` whose numeric id is the path parameter `id`, if it exists.
pub(crate) fn by_id(call: &Call<'_>, store: &Store, collection: &str) -> Option<i64> {
    call.id("id")
        .filter(|id| store.get(collection, *id).is_some())
}

/// The item of `collection` whose custom id is the path parameter `id` (decoded).
pub(crate) fn by_custom_id(call: &Call<'_>, store: &Store, collection: &str) -> Option<i64> {
    find_by(store, collection, "custom_id", call.param("id")?)
}

/// A custom id in a body, resolved to the id of the item of `collection` that has it.
pub(crate) fn resolve_custom(
    value: Option<&Value>,
    store: &Store,
    collection: &str,
) -> Result<Option<i64>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(custom)) => find_by(store, collection, "custom_id", custom.trim())
            .map(Some)
            .ok_or_else(|| format!("Object with custom_id={} does not exist.", custom.trim())),
        Some(_) => Err("Not a valid string.".to_owned()),
    }
}

/// A decimal with at most two places, as Django REST Framework's `DecimalField` shows it:
/// the text with two places (`"1250.10"`).
pub(crate) fn decimal_text(value: &Value) -> Result<Value, String> {
    const INVALID: &str = "A valid number is required.";
    let text = match value {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.trim().to_owned(),
        Value::Null => return Ok(Value::Null),
        _ => return Err(INVALID.to_owned()),
    };
    let unsigned = text.strip_prefix('-').unwrap_or(&text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(INVALID.to_owned());
    }
    if fraction.len() > 2 {
        return Err("Ensure that there are no more than 2 decimal places.".to_owned());
    }
    if whole.len() > 13 {
        return Err(
            "Ensure that there are no more than 13 digits before the decimal point.".to_owned(),
        );
    }
    let sign = if text.starts_with('-') { "-" } else { "" };
    Ok(Value::from(format!("{sign}{whole}.{fraction:0<2}")))
}

/// A date as `YYYY-MM-DD`.
pub(crate) fn date_text(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d").to_string()
}

/// A `YYYY-MM-DD` date, or DRF's message.
fn date_value(value: &Value) -> Result<Value, String> {
    match value {
        Value::Null => Ok(Value::Null),
        Value::String(text) if text.len() == 10 && text.parse::<Date>().is_ok() => {
            Ok(Value::from(text.as_str()))
        }
        _ => Err("Date has wrong format. Use one of these formats instead: YYYY-MM-DD.".to_owned()),
    }
}

/// An ISO 8601 date-time with an offset, as the API writes it (UTC, `Z`), or DRF's message.
pub(crate) fn datetime_value(value: &Value) -> Result<Value, String> {
    match value {
        Value::Null => Ok(Value::Null),
        Value::String(text) => match text.trim().parse::<Timestamp>() {
            Ok(at) => Ok(Value::from(timestamp_text(at))),
            Err(_) => Err(datetime_format()),
        },
        _ => Err(datetime_format()),
    }
}

fn datetime_format() -> String {
    "Datetime has wrong format. Use one of these formats instead: \
     YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
        .to_owned()
}

/// A list of ids, or DRF's message.
fn id_list(value: &Value) -> Result<Value, String> {
    match value {
        Value::Array(items) if items.iter().all(|i| i.as_i64().is_some()) => Ok(value.clone()),
        Value::Array(_) => Err("A valid integer is required.".to_owned()),
        other => Err(format!(
            "Expected a list of items but got type \"{}\".",
            python_type(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_kept_to_the_cent_as_drf_shows_them() {
        for (sent, shown) in [
            (json!(1250), "1250.00"),
            (json!(1250.1), "1250.10"),
            (json!("0.30"), "0.30"),
            (json!(" -7.5 "), "-7.50"),
            (json!("1000000000000.01"), "1000000000000.01"),
        ] {
            assert_eq!(decimal_text(&sent), Ok(Value::from(shown)), "{sent}");
        }
        for (sent, error) in [
            (json!("12,50"), "A valid number is required."),
            (json!("1e3"), "A valid number is required."),
            (json!(true), "A valid number is required."),
            (json!("1.234"), "no more than 2 decimal places"),
            (json!("12345678901234"), "no more than 13 digits"),
        ] {
            let text = decimal_text(&sent).unwrap_err();
            assert!(text.contains(error), "{sent}: {text}");
        }
    }

    #[test]
    fn dates_and_datetimes_follow_drf() {
        assert_eq!(date_value(&json!("2024-02-29")), Ok(json!("2024-02-29")));
        assert!(date_value(&json!("2023-02-29")).is_err());
        assert!(date_value(&json!("2024-02-29T10:00:00Z")).is_err());
        assert_eq!(
            datetime_value(&json!("2024-05-01T12:00:00+02:00")),
            Ok(json!("2024-05-01T10:00:00Z"))
        );
        assert!(
            datetime_value(&json!("tomorrow"))
                .unwrap_err()
                .starts_with("Datetime")
        );
    }
}
