//! Users: the people of the account, in the v2 shape (`user_key`, `custom_id`, first and
//! last name, tags as `{id, name}`, custom attributes as top-level keys).
//!
//! By numeric id (`users/{id}/…`) and by custom id (`users-by-id/{custom_id}/…`,
//! percent-decoded): `GET`, `PUT` (only the fields sent change), `DELETE` (204), the actions
//! `set_attribute/`, `set_multiple_attributes/`, `remove_attribute/`, `add_tag/`,
//! `add_many_tags/`, `remove_tag/`, `add_to_list/`, `remove_from_list/`, and the listings
//! `emails/`, `events/`, `ping_hits/`, `product_events/`, `segments/` and `timeline/`.
//! Besides: `GET users/` (`with_email`, `{field}__{gt,gte,lt,lte,contains}` on standard
//! fields), `POST users/` (201), `POST users/update_or_create/` (matched on `custom_id`,
//! `{"created", "id"}`), `GET users/search/` (`key`, `email` with `many=true`,
//! `phone_number`: a bare object, an array, or 404; or `{attribute}__{lookup}` filters: a
//! page), the mass updates of standard and custom attributes, and `POST users/merge/`.
//!
//! Writes answer DRF-style 400s naming each wrong field: first and last names over 40
//! characters, a key that is neither a standard field nor a custom attribute of the
//! account's users (`unknown attribute`), a value of the wrong type for its attribute, a
//! custom id another user has. Custom attribute definitions are the `clientuser` ones of the
//! attributes group, and those the seeded users carry ([`ATTRIBUTES`]).
//!
//! The seeded users hold custom attributes of every type (text, number, boolean, date,
//! date-time, JSON object, multiple choice, null); some have no email or no custom id, some
//! share an email, and the first is the documentation's example user (John Doe,
//! `myemail@example.org`, key `xSoYQG00fg9z`). A custom id is found in constant time: the
//! seeded forms (`user@{index}`, `crm/{index}`) by arithmetic, any other through an index
//! kept in the store ([`CUSTOM_IDS`]), so a bulk `update_or_create` costs the same per user
//! whatever the account's size. An unfiltered listing costs what one page costs; searches
//! and filters go through every user.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::api::Group;
use crate::fields::{Field, python_type, validate};
use crate::handlers::{Predicate, list};
use crate::pages::{page_of, page_of_all};
use crate::reply::Reply;
use crate::routing::{Call, Route};
use crate::seed::{Draw, Rng, after, ascii_lower, epoch, timestamp_text};
use crate::store::{Collection, Order, Store};

/// The users group.
pub(crate) static GROUP: Group = Group {
    collections: &[&USERS, &CUSTOM_IDS],
    routes,
};

/// The users: a quarter as many as conversations (at least 3) unless told otherwise.
pub(crate) static USERS: Collection = Collection {
    name: "users",
    item_name: "user",
    first_id: 20_000_000,
    order: Order::OldestFirst,
    default_size: |sizes| (sizes.get("conversations") / 4).max(3),
    generate: user,
    fields: FIELDS,
};

/// The index of custom ids that are not of a seeded user's form: buckets of
/// `{"users": {custom_id: user id}}`, chosen by a hash of the custom id. A bucket is
/// generated empty and kept once it holds something, like any changed item of the store.
pub(crate) static CUSTOM_IDS: Collection = Collection {
    name: "users-by-custom-id",
    item_name: "custom id bucket",
    first_id: 1,
    order: Order::OldestFirst,
    default_size: |_| 1 << 16,
    generate: |draw| json!({"id": draw.id(), "users": {}}),
    fields: &[],
};

/// The codes `gender` takes on write, and the names reads show.
const GENDERS: &[(i64, &str)] = &[(1, "unknown"), (2, "male"), (3, "female")];
/// The codes `status` takes on write, and the names reads show.
const STATUSES: &[(i64, &str)] = &[(1, "visitor"), (2, "user")];

/// The standard fields a create or an update takes.
const FIELDS: &[Field] = &[
    Field::text("email").nullable().blank().max_length(254),
    Field::text("first_name").nullable().blank().max_length(40),
    Field::text("last_name").nullable().blank().max_length(40),
    Field::text("custom_id").nullable().max_length(255),
    Field::text("phone_number")
        .nullable()
        .blank()
        .max_length(64),
    Field::choice("gender", GENDERS),
    Field::choice("status", STATUSES),
    Field::primary_key("company_id").nullable(),
    Field::primary_key("assigned_to").nullable(),
    Field::integer("score"),
    Field::boolean("notifications"),
    Field::boolean("unsubscribed"),
    Field::text("country").nullable().blank().max_length(255),
    Field::text("region").nullable().blank().max_length(255),
    Field::text("city").nullable().blank().max_length(64),
    Field::text("timezone").nullable().blank().max_length(64),
    Field::text("gravatar_url").nullable().blank(),
    Field::text("google_url").nullable().blank(),
    Field::text("linkedin_url").nullable().blank(),
    Field::text("twitter_url").nullable().blank(),
    Field::text("facebook_url").nullable().blank(),
];

/// Fields a write may carry that only the server sets: ignored, as DRF ignores read-only
/// fields.
const READ_ONLY: &[&str] = &[
    "id",
    "user_key",
    "key",
    "name",
    "created_at",
    "updated_at",
    "first_seen",
    "last_seen",
    "last_contacted",
    "page_views",
    "web_push_subscription",
    "companies",
    "lists",
    "segments",
    "attributes",
    "chat_id",
    "browser",
    "browser_language",
    "os_type",
    "resolution",
    "last_ip",
];

/// The type of a custom attribute, as attribute definitions name it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ValueType {
    Boolean,
    Integer,
    Float,
    Text,
    Date,
    DateTime,
    Json,
    Fixed {
        choices: Vec<String>,
        multiple: bool,
    },
}

/// The custom attributes the seeded users carry: `(name_std, value_type, choices, whether
/// several choices may be held)`. The attributes group's `clientuser` definitions take
/// precedence where they name the same.
pub(crate) const ATTRIBUTES: &[(&str, &str, &[&str], bool)] = &[
    ("plan", "string", &[], false),
    ("lifetime_value", "float", &[], false),
    ("newsletter", "boolean", &[], false),
    ("seats", "integer", &[], false),
    ("renewal_date", "date", &[], false),
    ("trial_ends_at", "datetime", &[], false),
    ("preferences", "json", &[], false),
    ("interests", "fixed", INTERESTS, true),
];

const INTERESTS: &[&str] = &["analytics", "automation", "chat", "crm", "email", "api"];

fn routes() -> Vec<Route> {
    use axum::http::Method;
    let mut routes = vec![
        Route::get("users/", list_users),
        Route::post("users/", create_user),
        Route::get("users/search/", search),
        Route::post("users/update_or_create/", upsert),
        Route::post("users/merge/", merge),
    ];
    // Before `{id}/`, which would take these names as ids.
    let mass_updates: [(&'static str, bool, bool); 4] = [
        ("users/mass_update_standard_attributes/", false, false),
        ("users/mass_update_custom_attributes/", false, true),
        ("users-by-id/mass_update_standard_attributes/", true, false),
        ("users-by-id/mass_update_custom_attributes/", true, true),
    ];
    for (path, by_custom_id, custom) in mass_updates {
        routes.push(Route::put(
            path,
            move |call: &Call<'_>, store: &mut Store| {
                mass_update(call, store, by_custom_id, custom)
            },
        ));
    }
    let below: &[(Method, &'static str, &'static str, Action)] = &[
        (Method::GET, "users/{id}/", "users-by-id/{id}/", get_user),
        (Method::PUT, "users/{id}/", "users-by-id/{id}/", put_user),
        (
            Method::DELETE,
            "users/{id}/",
            "users-by-id/{id}/",
            delete_user,
        ),
        (
            Method::POST,
            "users/{id}/set_attribute/",
            "users-by-id/{id}/set_attribute/",
            set_attribute,
        ),
        (
            Method::POST,
            "users/{id}/set_multiple_attributes/",
            "users-by-id/{id}/set_multiple_attributes/",
            set_attributes,
        ),
        (
            Method::POST,
            "users/{id}/remove_attribute/",
            "users-by-id/{id}/remove_attribute/",
            remove_attribute,
        ),
        (
            Method::POST,
            "users/{id}/add_tag/",
            "users-by-id/{id}/add_tag/",
            add_tag,
        ),
        (
            Method::POST,
            "users/{id}/add_many_tags/",
            "users-by-id/{id}/add_many_tags/",
            add_many_tags,
        ),
        (
            Method::POST,
            "users/{id}/remove_tag/",
            "users-by-id/{id}/remove_tag/",
            remove_tag,
        ),
        (
            Method::POST,
            "users/{id}/add_to_list/",
            "users-by-id/{id}/add_to_list/",
            add_to_list,
        ),
        (
            Method::POST,
            "users/{id}/remove_from_list/",
            "users-by-id/{id}/remove_from_list/",
            remove_from_list,
        ),
        (
            Method::GET,
            "users/{id}/emails/",
            "users-by-id/{id}/emails/",
            emails,
        ),
        (
            Method::GET,
            "users/{id}/events/",
            "users-by-id/{id}/events/",
            events,
        ),
        (
            Method::GET,
            "users/{id}/ping_hits/",
            "users-by-id/{id}/ping_hits/",
            ping_hits,
        ),
        (
            Method::GET,
            "users/{id}/product_events/",
            "users-by-id/{id}/product_events/",
            product_events,
        ),
        (
            Method::GET,
            "users/{id}/segments/",
            "users-by-id/{id}/segments/",
            segments,
        ),
        (
            Method::GET,
            "users/{id}/timeline/",
            "users-by-id/{id}/timeline/",
            timeline,
        ),
    ];
    for (method, by_id, by_custom_id, action) in below {
        for (template, custom) in [(*by_id, false), (*by_custom_id, true)] {
            let action = *action;
            routes.push(Route::new(
                method.clone(),
                template,
                move |call: &Call<'_>, store: &mut Store| match target(call, store, custom) {
                    Some((id, user)) => action(call, store, id, user),
                    None => Reply::not_found(),
                },
            ));
        }
    }
    routes
}

/// What answers a call on one user: the call, the store, the user's id and the user.
type Action = fn(&Call<'_>, &mut Store, i64, Value) -> Reply;

// ---------------------------------------------------------------------------------------------
// Seeding
// ---------------------------------------------------------------------------------------------

const COLOURS: &[&str] = &[
    "Ivory", "Red", "Yellow", "Gray", "Blue", "Green", "Amber", "Coral", "Olive", "Teal",
];
const THINGS: &[&str] = &[
    "Caribou", "Pear", "Finger", "Leaf", "Otter", "Comet", "Fern", "Harbor", "Lantern", "Maple",
];
const FIRST: &[&str] = &[
    "Jane", "John", "Zofia", "Łukasz", "Amélie", "Yuki", "Omar", "Ines",
];
const LAST: &[&str] = &[
    "Doe", "Smith", "Kowalska", "Nowak", "Dubois", "Tanaka", "Haddad", "Silva",
];
const PLANS: &[Option<&str>] = &[Some("free"), Some("pro"), Some("enterprise"), None];
const LANGUAGES: &[Option<&str>] = &[Some("en"), Some("pl"), Some("de-DE"), Some("ja"), None];
/// The email several seeded users share (a family, a team inbox).
pub(crate) const SHARED_EMAIL: &str = "family@example.com";

/// A made-up two-word name, as User.com gives anonymous visitors ("Ivory Caribou").
pub(crate) fn two_words(draw: &mut Draw<'_>) -> String {
    format!("{} {}", draw.rng.pick(COLOURS), draw.rng.pick(THINGS))
}

/// A seeded user, as stored: `tags` holds tag ids, `lists` list ids, `companies` company ids
/// with the date the user joined them.
fn user(draw: &mut Draw<'_>) -> Value {
    let (index, id) = (draw.index(), draw.id());
    let key = draw.rng.key(12);
    let kind = draw.rng.below(3);
    let (first, last, name, email, custom_id) = match kind {
        // Anonymous visitors get a made-up two-word name and nothing else.
        0 => (None, None, two_words(draw), None, None),
        // Some users are known only by their email, which is also their name.
        1 => {
            let email = format!("customer{id}@example.com");
            (
                None,
                None,
                email.clone(),
                Some(email),
                Some(format!("crm/{index}")),
            )
        }
        _ => {
            let (first, last) = (draw.rng.pick(FIRST), draw.rng.pick(LAST));
            // Every fifth named user shares an address with others.
            let email = if index % 5 == 4 {
                SHARED_EMAIL.to_owned()
            } else {
                format!("{}.{id}@example.com", ascii_lower(last))
            };
            (
                Some(first),
                Some(last),
                format!("{first} {last}"),
                Some(email),
                Some(format!("user@{index}")),
            )
        }
    };
    // Every tag is carried by someone: user `i` carries tag `i mod tags`, and some another.
    let tag_count = draw.seeded("tags");
    let mut tags = Vec::new();
    if tag_count > 0 {
        tags.extend(draw.seeded_id("tags", index % tag_count));
        if draw.rng.chance(1, 3)
            && let Some(other) = draw.pick_id("tags")
            && !tags.contains(&other)
        {
            tags.push(other);
        }
    }
    let mut companies = Vec::new();
    if kind != 0
        && draw.rng.chance(2, 3)
        && let Some(company) = draw.pick_id("companies")
    {
        companies.push(
            json!({"id": company, "member_since": draw.rng.timestamp(epoch(), 86_400 * 900)}),
        );
    }
    let joined = draw.rng.instant(epoch(), 86_400 * 700);
    let created = timestamp_text(joined);
    let last_seen = if draw.rng.chance(3, 4) {
        Value::from(draw.rng.timestamp(joined, 86_400 * 700))
    } else {
        Value::Null
    };
    let mut item = json!({
        "id": id,
        "user_key": key,
        "custom_id": custom_id,
        "email": email,
        "first_name": first,
        "last_name": last,
        "name": name,
        "status": if kind == 0 { "visitor" } else { "user" },
        "gender": "unknown",
        "score": draw.rng.below(100),
        "page_views": draw.rng.below(500),
        "phone_number": draw.rng.chance(1, 4).then(|| format!("+48600{:06}", index % 1_000_000)),
        "unsubscribed": draw.rng.chance(1, 5),
        "notifications": !draw.rng.chance(1, 5),
        "web_push_subscription": false,
        "browser_language": draw.rng.pick(LANGUAGES),
        "gravatar_url": null,
        "created_at": created,
        "updated_at": created,
        "first_seen": created,
        "last_seen": last_seen,
        "lists": [],
        "tags": tags,
        "companies": companies,
        // Custom attributes, flattened as the v2 API sends them.
        "plan": draw.rng.pick(PLANS),
        "lifetime_value": f64::from(u32::try_from(draw.rng.below(500_000)).unwrap_or(0)) / 100.0,
        "newsletter": draw.rng.chance(1, 2),
    });
    // More custom attributes, one of each type; drawn after the others so that those stay
    // as they were.
    let seats = draw.rng.chance(3, 4).then(|| 1 + draw.rng.below(50));
    let renewal = draw
        .rng
        .chance(2, 3)
        .then(|| after(joined, 86_400 * 365).strftime("%Y-%m-%d").to_string());
    let trial_ends = draw
        .rng
        .chance(1, 2)
        .then(|| timestamp_text(after(joined, 86_400 * 14)));
    let preferences = draw.rng.chance(1, 2).then(|| {
        json!({"language": draw.rng.pick(&["en", "pl", "ja"]), "digest": draw.rng.chance(1, 2),
               "channels": {"email": true, "sms": draw.rng.chance(1, 3)}})
    });
    let mut interests = Vec::new();
    for interest in INTERESTS {
        if draw.rng.chance(1, 3) {
            interests.push(*interest);
        }
    }
    if let Some(fields) = item.as_object_mut() {
        fields.insert("seats".to_owned(), json!(seats));
        fields.insert("renewal_date".to_owned(), json!(renewal));
        fields.insert("trial_ends_at".to_owned(), json!(trial_ends));
        fields.insert("preferences".to_owned(), json!(preferences));
        fields.insert("interests".to_owned(), json!(interests));
        if index == 0 {
            // The documentation's example user, so that its lookups find someone.
            for (field, value) in [
                ("user_key", json!("xSoYQG00fg9z")),
                ("email", json!("myemail@example.org")),
                ("name", json!("John Doe")),
                ("first_name", json!("John")),
                ("last_name", json!("Doe")),
                ("custom_id", Value::Null),
                ("status", json!("visitor")),
            ] {
                fields.insert(field.to_owned(), value);
            }
        }
    }
    item
}

/// A user as the API shows it: tags, lists and companies as `{id, name, …}`; deleted ones
/// left out.
pub(crate) fn view(store: &Store, user: &Value) -> Value {
    let mut shown = user.clone();
    if let Some(fields) = shown.as_object_mut() {
        let tags = crate::api::tags::references(store, user.get("tags"));
        fields.insert("tags".to_owned(), tags);
        let lists: Vec<Value> = ids(user.get("lists"))
            .filter_map(|id| store.get("lists", id))
            .map(|list| json!({"id": list.get("id"), "name": list.get("name")}))
            .collect();
        fields.insert("lists".to_owned(), Value::Array(lists));
        let companies: Vec<Value> = user
            .get("companies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|membership| {
                let company = store.get("companies", membership.get("id")?.as_i64()?)?;
                Some(json!({
                    "id": company.get("id"),
                    "name": company.get("name"),
                    "member_since": membership.get("member_since"),
                }))
            })
            .collect();
        fields.insert("companies".to_owned(), Value::Array(companies));
    }
    shown
}

/// A user as conversations refer to it: `{id, email, name, key}`, or `null` when there is
/// no such user.
pub(crate) fn reference(store: &Store, id: &Value) -> Value {
    id.as_i64()
        .and_then(|id| store.get("users", id))
        .map_or(Value::Null, |user| {
            json!({
                "id": user.get("id"),
                "email": user.get("email"),
                "name": user.get("name"),
                "key": user.get("user_key"),
            })
        })
}

/// The ids of a list of ids (or of `{id}` objects).
fn ids(list: Option<&Value>) -> impl Iterator<Item = i64> + '_ {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.as_i64().or_else(|| entry.get("id")?.as_i64()))
}

// ---------------------------------------------------------------------------------------------
// Finding users
// ---------------------------------------------------------------------------------------------

/// FNV-1a, to spread custom ids over the index's buckets.
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xCBF2_9CE4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3)
    })
}

fn bucket_of(store: &Store, custom_id: &str) -> Option<i64> {
    let buckets = store.seeded(CUSTOM_IDS.name);
    (buckets > 0)
        .then(|| store.seeded_id(CUSTOM_IDS.name, hash(custom_id) % buckets))
        .flatten()
}

/// Notes in the index that `user` has `custom_id`.
pub(crate) fn remember(store: &mut Store, custom_id: &str, user: i64) {
    let Some(bucket_id) = bucket_of(store, custom_id) else {
        return;
    };
    let Some(mut bucket) = store.get(CUSTOM_IDS.name, bucket_id) else {
        return;
    };
    if let Some(users) = bucket.get_mut("users").and_then(Value::as_object_mut) {
        users.insert(custom_id.to_owned(), Value::from(user));
    }
    store.replace(CUSTOM_IDS.name, bucket_id, bucket);
}

fn has_custom_id(user: &Value, custom_id: &str) -> bool {
    user.get("custom_id").and_then(Value::as_str) == Some(custom_id)
}

/// The user with this custom id: one the index remembers, a seeded one by the form of its
/// custom id, or (with no index) any.
pub(crate) fn by_custom_id(store: &Store, custom_id: &str) -> Option<Value> {
    if let Some(bucket_id) = bucket_of(store, custom_id) {
        let remembered = store
            .get(CUSTOM_IDS.name, bucket_id)
            .and_then(|bucket| bucket.get("users")?.get(custom_id)?.as_i64())
            .and_then(|id| store.get("users", id))
            .filter(|user| has_custom_id(user, custom_id));
        if remembered.is_some() {
            return remembered;
        }
    }
    let seeded = ["user@", "crm/"]
        .iter()
        .find_map(|prefix| custom_id.strip_prefix(prefix))
        .and_then(|index| index.parse::<u64>().ok())
        .and_then(|index| store.seeded_id("users", index))
        .and_then(|id| store.get("users", id))
        .filter(|user| has_custom_id(user, custom_id));
    if seeded.is_some() || store.seeded(CUSTOM_IDS.name) > 0 {
        return seeded;
    }
    store
        .items("users")
        .find(|user| has_custom_id(user, custom_id))
}

/// The user a call on `users/{id}/…` (numeric) or `users-by-id/{id}/…` (custom) is about.
fn target(call: &Call<'_>, store: &Store, custom: bool) -> Option<(i64, Value)> {
    let user = if custom {
        by_custom_id(store, call.param("id")?)?
    } else {
        store.get("users", call.id("id")?)?
    };
    Some((user.get("id")?.as_i64()?, user))
}

fn message(text: &str) -> Value {
    Value::Array(vec![Value::from(text)])
}

fn no_such_attribute() -> Value {
    message("There is no user attribute with this name.")
}

fn invalid_pk(value: &Value) -> Value {
    let shown = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    message(&format!("Invalid pk \"{shown}\" - object does not exist."))
}

// ---------------------------------------------------------------------------------------------
// Custom attributes
// ---------------------------------------------------------------------------------------------

fn value_type(name: &str, choices: &[String], multiple: bool) -> ValueType {
    match name {
        "boolean" => ValueType::Boolean,
        "integer" => ValueType::Integer,
        "float" => ValueType::Float,
        "date" => ValueType::Date,
        "datetime" => ValueType::DateTime,
        "json" => ValueType::Json,
        "fixed" => ValueType::Fixed {
            choices: choices.to_vec(),
            multiple,
        },
        _ => ValueType::Text,
    }
}

/// The type of the users' custom attribute `name`, if the account has one.
fn attribute_type(store: &Store, name: &str) -> Option<ValueType> {
    let defined = store.items("attributes").find(|item| {
        item.get("name_std").and_then(Value::as_str) == Some(name)
            && matches!(
                item.get("content_type").and_then(Value::as_str),
                Some("clientuser" | "user")
            )
    });
    if let Some(item) = defined {
        let choices: Vec<String> = item
            .get("choices")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect();
        let multiple = item.get("allow_multiple_choices") == Some(&Value::Bool(true));
        let kind = item
            .get("value_type")
            .and_then(Value::as_str)
            .unwrap_or("string");
        return Some(value_type(kind, &choices, multiple));
    }
    ATTRIBUTES
        .iter()
        .find(|(known, _, _, _)| *known == name)
        .map(|(_, kind, choices, multiple)| {
            let choices: Vec<String> = choices.iter().map(|c| (*c).to_owned()).collect();
            value_type(kind, &choices, *multiple)
        })
}

/// The value to store for a custom attribute, or DRF's message for what is wrong with it.
fn clean_attribute(kind: &ValueType, value: &Value) -> Result<Value, String> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let fine = match kind {
        ValueType::Boolean => value.is_boolean(),
        ValueType::Integer => value.is_i64() || value.is_u64(),
        ValueType::Float => value.is_number(),
        ValueType::Text => value.is_string(),
        ValueType::Json => true,
        ValueType::Date => value
            .as_str()
            .is_some_and(|text| text.parse::<jiff::civil::Date>().is_ok()),
        ValueType::DateTime => value
            .as_str()
            .is_some_and(|text| text.parse::<Timestamp>().is_ok()),
        ValueType::Fixed { choices, multiple } => {
            let valid = |v: &Value| v.as_str().is_some_and(|c| choices.iter().any(|k| k == c));
            match value {
                Value::Array(items) if *multiple => {
                    if let Some(bad) = items.iter().find(|v| !valid(v)) {
                        return Err(format!("\"{}\" is not a valid choice.", shown(bad)));
                    }
                    true
                }
                single if valid(single) => true,
                other => return Err(format!("\"{}\" is not a valid choice.", shown(other))),
            }
        }
    };
    if fine {
        return Ok(value.clone());
    }
    Err(match kind {
        ValueType::Boolean => "Must be a valid boolean.".to_owned(),
        ValueType::Integer => "A valid integer is required.".to_owned(),
        ValueType::Float => "A valid number is required.".to_owned(),
        ValueType::Date => {
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.".to_owned()
        }
        ValueType::DateTime => "Datetime has wrong format. Use one of these formats instead: \
                                YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
            .to_owned(),
        _ => "Not a valid string.".to_owned(),
    })
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Checks custom attributes `name → value`: the cleaned values, or DRF field errors.
fn check_attributes<'a>(
    store: &Store,
    attributes: impl Iterator<Item = (&'a String, &'a Value)>,
) -> Result<Map<String, Value>, Map<String, Value>> {
    let mut cleaned = Map::new();
    let mut errors = Map::new();
    for (name, value) in attributes {
        match attribute_type(store, name) {
            None => {
                errors.insert(name.clone(), no_such_attribute());
            }
            Some(kind) => match clean_attribute(&kind, value) {
                Ok(value) => {
                    cleaned.insert(name.clone(), value);
                }
                Err(text) => {
                    errors.insert(name.clone(), message(&text));
                }
            },
        }
    }
    if errors.is_empty() {
        Ok(cleaned)
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------------------------------------
// Writing users
// ---------------------------------------------------------------------------------------------

/// What a write sets on a user (`id`, the user it updates, `None` for a new one): the
/// cleaned fields with tags and companies resolved, or the DRF error body.
fn changes(
    store: &mut Store,
    id: Option<i64>,
    body: &Map<String, Value>,
    now: Timestamp,
) -> Result<Map<String, Value>, Value> {
    let mut errors = Map::new();
    let mut fields = match validate(FIELDS, body, None) {
        Ok(fields) => fields,
        Err(Value::Object(found)) => {
            errors.extend(found);
            Map::new()
        }
        Err(other) => return Err(other),
    };
    if let Some(Value::String(email)) = body.get("email")
        && !email.is_empty()
        && !email.contains('@')
    {
        errors.insert("email".to_owned(), message("Enter a valid email address."));
    }
    if let Some(Value::String(custom_id)) = body.get("custom_id")
        && let Some(holder) = by_custom_id(store, custom_id.trim())
        && holder.get("id").and_then(Value::as_i64) != id
    {
        errors.insert(
            "custom_id".to_owned(),
            message("user with this custom id already exists."),
        );
    }
    for field in ["company_id", "assigned_to"] {
        if let Some(company) = fields.get(field).and_then(Value::as_i64)
            && field == "company_id"
            && store.get("companies", company).is_none()
        {
            errors.insert(field.to_owned(), invalid_pk(&Value::from(company)));
        }
    }
    let standard: BTreeSet<&str> = FIELDS.iter().map(|f| f.name).collect();
    let custom = body.iter().filter(|(name, _)| {
        !standard.contains(name.as_str())
            && !READ_ONLY.contains(&name.as_str())
            && !matches!(name.as_str(), "tags" | "company_custom_id")
    });
    match check_attributes(store, custom) {
        Ok(attributes) => fields.extend(attributes),
        Err(found) => errors.extend(found),
    }
    let company = match body.get("company_custom_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(custom_id)) => {
            let found = store.items("companies").find(|company| {
                company.get("custom_id").and_then(Value::as_str) == Some(custom_id)
            });
            match found.and_then(|c| c.get("id")?.as_i64()) {
                Some(company) => Some(company),
                None => {
                    errors.insert(
                        "company_custom_id".to_owned(),
                        message(&format!(
                            "Object with custom_id={custom_id} does not exist."
                        )),
                    );
                    None
                }
            }
        }
        Some(other) => {
            errors.insert(
                "company_custom_id".to_owned(),
                message(&format!("Not a valid string: {}.", python_type(other))),
            );
            None
        }
    };
    let tag_names = match body.get("tags") {
        None | Some(Value::Null) => None,
        Some(Value::Array(names)) if names.iter().all(Value::is_string) => Some(
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        ),
        Some(Value::Array(_)) => {
            errors.insert("tags".to_owned(), message("Not a valid string."));
            None
        }
        Some(other) => {
            errors.insert(
                "tags".to_owned(),
                message(&format!(
                    "Expected a list of items but got type \"{}\".",
                    python_type(other)
                )),
            );
            None
        }
    };
    if !errors.is_empty() {
        return Err(Value::Object(errors));
    }
    if let Some(names) = tag_names {
        let mut tags = Vec::new();
        for name in names {
            if let Some((tag, _)) = tag_named(store, &name)
                && !tags.contains(&tag)
            {
                tags.push(tag);
            }
        }
        fields.insert("tags".to_owned(), json!(tags));
    }
    if let Some(company) = company {
        let mut memberships = id
            .and_then(|id| store.get("users", id))
            .and_then(|user| user.get("companies").cloned())
            .unwrap_or_else(|| json!([]));
        if let Some(list) = memberships.as_array_mut()
            && !list
                .iter()
                .any(|m| m.get("id").and_then(Value::as_i64) == Some(company))
        {
            list.push(json!({"id": company, "member_since": timestamp_text(now)}));
        }
        fields.insert("companies".to_owned(), memberships);
    }
    fields.insert("updated_at".to_owned(), Value::from(timestamp_text(now)));
    Ok(fields)
}

/// The tag called `name`, created when the account has none; whether it was created.
fn tag_named(store: &mut Store, name: &str) -> Option<(i64, bool)> {
    let name = name.trim();
    let existing = store
        .items("tags")
        .find(|tag| tag.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|tag| tag.get("id")?.as_i64());
    if let Some(tag) = existing {
        return Some((tag, false));
    }
    let fields = Map::from_iter([("name".to_owned(), Value::from(name))]);
    let created = store.create("tags", fields)?;
    Some((created.get("id")?.as_i64()?, true))
}

/// The display name after a write: the names, else the email, else what it was.
fn display_name(user: &Map<String, Value>) -> Option<Value> {
    let text = |field: &str| {
        user.get(field)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let names: Vec<String> = ["first_name", "last_name"]
        .iter()
        .filter_map(|f| text(f))
        .collect();
    if !names.is_empty() {
        return Some(Value::from(names.join(" ")));
    }
    text("email").map(Value::from)
}

/// Applies cleaned `fields` to the user `id` and stores it; the stored user.
fn store_changes(store: &mut Store, id: i64, mut user: Value, fields: Map<String, Value>) -> Value {
    let renamed = ["first_name", "last_name", "email"]
        .iter()
        .any(|f| fields.contains_key(*f));
    let custom_id = fields
        .get("custom_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(stored) = user.as_object_mut() {
        stored.extend(fields);
        if renamed && let Some(name) = display_name(stored) {
            stored.insert("name".to_owned(), name);
        }
    }
    store.replace("users", id, user.clone());
    if let Some(custom_id) = custom_id {
        remember(store, &custom_id, id);
    }
    user
}

/// A new user from cleaned `fields`; the stored user.
fn store_new(store: &mut Store, fields: Map<String, Value>, now: Timestamp) -> Option<Value> {
    let id = store.next_id("users")?;
    let key = Rng::for_item(
        store.seed(),
        "users created",
        u64::try_from(id).unwrap_or(0),
    )
    .key(12);
    let mut rng = Rng::for_item(store.seed(), "users created", 0);
    let at = Value::from(timestamp_text(now));
    let mut user = json!({
        "user_key": key,
        "custom_id": null,
        "email": null,
        "first_name": null,
        "last_name": null,
        "name": null,
        "status": "visitor",
        "gender": "unknown",
        "score": 0,
        "page_views": 0,
        "phone_number": null,
        "unsubscribed": false,
        "notifications": true,
        "web_push_subscription": false,
        "browser_language": null,
        "gravatar_url": null,
        "created_at": at,
        "updated_at": at,
        "first_seen": null,
        "last_seen": null,
        "lists": [],
        "tags": [],
        "companies": [],
    });
    let Value::Object(stored) = &mut user else {
        return None;
    };
    for (name, _, _, _) in ATTRIBUTES {
        stored.insert((*name).to_owned(), Value::Null);
    }
    let custom_id = fields
        .get("custom_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    stored.extend(fields);
    let name = display_name(stored)
        .unwrap_or_else(|| Value::from(format!("{} {}", rng.pick(COLOURS), rng.pick(THINGS))));
    stored.insert("name".to_owned(), name);
    if stored.get("email").is_some_and(Value::is_string)
        && stored.get("status") == Some(&json!("visitor"))
    {
        stored.insert("status".to_owned(), json!("user"));
    }
    let created = store.create("users", std::mem::take(stored))?;
    if let Some(custom_id) = custom_id {
        remember(store, &custom_id, id);
    }
    Some(created)
}

fn ok(store: &Store, user: &Value) -> Reply {
    Reply::json(StatusCode::OK, view(store, user))
}

/// `POST users/`: 201 with the new user.
fn create_user(call: &Call<'_>, store: &mut Store) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let fields = match changes(store, None, &body, call.now) {
        Ok(fields) => fields,
        Err(errors) => return Reply::invalid(errors),
    };
    match store_new(store, fields, call.now) {
        Some(user) => Reply::json(StatusCode::CREATED, view(store, &user)),
        None => Reply::broken("no users collection"),
    }
}

/// `POST users/update_or_create/`: the user with the body's `custom_id` updated, or a new
/// one; `{"created", "id"}`.
fn upsert(call: &Call<'_>, store: &mut Store) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let custom_id = match body.get("custom_id") {
        Some(Value::String(text)) if !text.trim().is_empty() => text.trim().to_owned(),
        Some(Value::String(_)) => {
            return Reply::invalid(json!({"custom_id": ["This field may not be blank."]}));
        }
        Some(Value::Null) => {
            return Reply::invalid(json!({"custom_id": ["This field may not be null."]}));
        }
        Some(_) => return Reply::invalid(json!({"custom_id": ["Not a valid string."]})),
        None => return Reply::invalid(json!({"custom_id": ["This field is required."]})),
    };
    let existing = by_custom_id(store, &custom_id);
    let id = existing.as_ref().and_then(|u| u.get("id")?.as_i64());
    let fields = match changes(store, id, &body, call.now) {
        Ok(fields) => fields,
        Err(errors) => return Reply::invalid(errors),
    };
    match (existing, id) {
        (Some(user), Some(id)) => {
            store_changes(store, id, user, fields);
            Reply::json(StatusCode::OK, json!({"created": false, "id": id}))
        }
        _ => match store_new(store, fields, call.now) {
            Some(user) => Reply::json(
                StatusCode::OK,
                json!({"created": true, "id": user.get("id")}),
            ),
            None => Reply::broken("no users collection"),
        },
    }
}

fn get_user(_: &Call<'_>, store: &mut Store, _: i64, user: Value) -> Reply {
    ok(store, &user)
}

/// `PUT`: the fields sent change, the others stay.
fn put_user(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    match changes(store, Some(id), &body, call.now) {
        Ok(fields) => {
            let user = store_changes(store, id, user, fields);
            ok(store, &user)
        }
        Err(errors) => Reply::invalid(errors),
    }
}

fn delete_user(_: &Call<'_>, store: &mut Store, id: i64, _: Value) -> Reply {
    if store.delete("users", id) {
        Reply::empty(StatusCode::NO_CONTENT)
    } else {
        Reply::not_found()
    }
}

// ---------------------------------------------------------------------------------------------
// Actions on one user
// ---------------------------------------------------------------------------------------------

/// The body's `field` as non-blank text, or the DRF error for it.
fn text_field(body: &Map<String, Value>, field: &str) -> Result<String, Reply> {
    match body.get(field) {
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
        Some(Value::String(_)) => Err(Reply::invalid(
            json!({field: ["This field may not be blank."]}),
        )),
        Some(Value::Null) => Err(Reply::invalid(
            json!({field: ["This field may not be null."]}),
        )),
        Some(_) => Err(Reply::invalid(json!({field: ["Not a valid string."]}))),
        None => Err(Reply::invalid(json!({field: ["This field is required."]}))),
    }
}

fn body_of(call: &Call<'_>) -> Result<Map<String, Value>, Reply> {
    call.json_object()
}

/// Sets checked custom attributes on the user; the user as shown.
fn set_checked(
    call: &Call<'_>,
    store: &mut Store,
    id: i64,
    user: Value,
    attributes: &Map<String, Value>,
) -> Reply {
    match check_attributes(store, attributes.iter()) {
        Ok(mut cleaned) => {
            cleaned.insert(
                "updated_at".to_owned(),
                Value::from(timestamp_text(call.now)),
            );
            let user = store_changes(store, id, user, cleaned);
            ok(store, &user)
        }
        Err(errors) => Reply::invalid(Value::Object(errors)),
    }
}

/// `set_attribute/`: `{"attribute", "value"}`.
fn set_attribute(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    let body = match body_of(call) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let name = match text_field(&body, "attribute") {
        Ok(name) => name,
        Err(reply) => return reply,
    };
    let Some(value) = body.get("value") else {
        return Reply::invalid(json!({"value": ["This field is required."]}));
    };
    let attributes = Map::from_iter([(name, value.clone())]);
    set_checked(call, store, id, user, &attributes)
}

/// `set_multiple_attributes/`: a flat map of attributes.
fn set_attributes(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    match body_of(call) {
        Ok(body) if body.is_empty() => {
            Reply::invalid(json!({"non_field_errors": ["No attribute was given."]}))
        }
        Ok(body) => set_checked(call, store, id, user, &body),
        Err(reply) => reply,
    }
}

/// `remove_attribute/`: `{"attribute"}`; the attribute becomes `null`.
fn remove_attribute(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    let body = match body_of(call) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let name = match text_field(&body, "attribute") {
        Ok(name) => name,
        Err(reply) => return reply,
    };
    let attributes = Map::from_iter([(name, Value::Null)]);
    set_checked(call, store, id, user, &attributes)
}

/// Sets the user's tag ids.
fn set_tags(call: &Call<'_>, store: &mut Store, id: i64, user: Value, tags: Vec<i64>) -> Value {
    let fields = Map::from_iter([
        ("tags".to_owned(), json!(tags)),
        (
            "updated_at".to_owned(),
            Value::from(timestamp_text(call.now)),
        ),
    ]);
    store_changes(store, id, user, fields)
}

/// `add_tag/`: `{"name"}`; the tag is created when the account has none of that name.
/// Answers `{"created": whether the tag is new, "tag": {id, name}}`.
fn add_tag(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    let body = match body_of(call) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let name = match text_field(&body, "name") {
        Ok(name) => name,
        Err(reply) => return reply,
    };
    let Some((tag, created)) = tag_named(store, &name) else {
        return Reply::broken("no tags collection");
    };
    let mut tags: Vec<i64> = ids(user.get("tags")).collect();
    if !tags.contains(&tag) {
        tags.push(tag);
    }
    set_tags(call, store, id, user, tags);
    Reply::json(
        StatusCode::OK,
        json!({"created": created, "tag": {"id": tag, "name": name}}),
    )
}

/// `add_many_tags/`: `{"tag_names": [...]}`; the user as shown.
fn add_many_tags(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    let body = match body_of(call) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let names: Vec<String> = match body.get("tag_names") {
        Some(Value::Array(names))
            if !names.is_empty()
                && names
                    .iter()
                    .all(|n| n.as_str().is_some_and(|n| !n.trim().is_empty())) =>
        {
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        }
        Some(Value::Array(names)) if names.is_empty() => {
            return Reply::invalid(json!({"tag_names": ["This list may not be empty."]}));
        }
        Some(Value::Array(_)) => {
            return Reply::invalid(json!({"tag_names": ["Not a valid string."]}));
        }
        Some(other) => {
            return Reply::invalid(json!({"tag_names": [format!(
                "Expected a list of items but got type \"{}\".",
                python_type(other)
            )]}));
        }
        None => return Reply::invalid(json!({"tag_names": ["This field is required."]})),
    };
    let mut tags: Vec<i64> = ids(user.get("tags")).collect();
    for name in names {
        if let Some((tag, _)) = tag_named(store, &name)
            && !tags.contains(&tag)
        {
            tags.push(tag);
        }
    }
    let user = set_tags(call, store, id, user, tags);
    ok(store, &user)
}

/// `remove_tag/`: `{"name"}`; 404 when the account has no tag of that name.
fn remove_tag(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    let body = match body_of(call) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let name = match text_field(&body, "name") {
        Ok(name) => name,
        Err(reply) => return reply,
    };
    let Some(tag) = store
        .items("tags")
        .find(|tag| tag.get("name").and_then(Value::as_str) == Some(name.as_str()))
        .and_then(|tag| tag.get("id")?.as_i64())
    else {
        return Reply::not_found();
    };
    let tags: Vec<i64> = ids(user.get("tags")).filter(|t| *t != tag).collect();
    let user = set_tags(call, store, id, user, tags);
    ok(store, &user)
}

/// The body's `list`, a list that exists, or the DRF error.
fn list_field(call: &Call<'_>, store: &Store) -> Result<i64, Reply> {
    let body = body_of(call)?;
    match body.get("list") {
        None => Err(Reply::invalid(json!({"list": ["This field is required."]}))),
        Some(value) => value
            .as_i64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            .filter(|list| store.get("lists", *list).is_some())
            .ok_or_else(|| Reply::invalid(json!({"list": invalid_pk(value)}))),
    }
}

/// Sets the user's list ids; the user as shown.
fn set_lists(call: &Call<'_>, store: &mut Store, id: i64, user: Value, lists: Vec<i64>) -> Reply {
    let fields = Map::from_iter([
        ("lists".to_owned(), json!(lists)),
        (
            "updated_at".to_owned(),
            Value::from(timestamp_text(call.now)),
        ),
    ]);
    let user = store_changes(store, id, user, fields);
    ok(store, &user)
}

/// `add_to_list/`: `{"list"}`.
fn add_to_list(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    let list = match list_field(call, store) {
        Ok(list) => list,
        Err(reply) => return reply,
    };
    let mut lists: Vec<i64> = ids(user.get("lists")).collect();
    if !lists.contains(&list) {
        lists.push(list);
    }
    set_lists(call, store, id, user, lists)
}

/// `remove_from_list/`: `{"list"}`.
fn remove_from_list(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    let list = match list_field(call, store) {
        Ok(list) => list,
        Err(reply) => return reply,
    };
    let lists: Vec<i64> = ids(user.get("lists")).filter(|l| *l != list).collect();
    set_lists(call, store, id, user, lists)
}

// ---------------------------------------------------------------------------------------------
// Listings below one user
// ---------------------------------------------------------------------------------------------

/// A page of `items`.
fn page_of_items(call: &Call<'_>, items: Vec<Value>) -> Reply {
    let count = items.len() as u64;
    page_of(call, count, |offset, limit| {
        items
            .iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .cloned()
            .collect()
    })
}

/// The generator of a user's seeded activity of one kind.
fn activity(store: &Store, id: i64, kind: &str) -> Rng {
    Rng::for_item(store.seed(), kind, u64::try_from(id).unwrap_or(0))
}

/// When the user's activity starts.
fn joined(user: &Value) -> Timestamp {
    user.get("created_at")
        .and_then(Value::as_str)
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(epoch)
}

const SUBJECTS: &[&str] = &[
    "Welcome aboard!",
    "Your invoice for March",
    "Zażółć gęślą jaźń — newsletter",
    "ご注文ありがとうございます",
    "We miss you",
];

/// `emails/`: zero to three seeded emails per user.
fn emails(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    let mut rng = activity(store, id, "user emails");
    let start = joined(&user);
    let items = (0..rng.below(4))
        .map(|k| {
            let created = rng.instant(start, 86_400 * 200);
            let sent = after(created, 60);
            let status = rng.pick(&["sent", "opened", "clicked", "bounced"]);
            let opened =
                matches!(status, "opened" | "clicked").then(|| timestamp_text(after(sent, 3_600)));
            let clicked = (status == "clicked").then(|| timestamp_text(after(sent, 3_700)));
            json!({
                "id": id.saturating_mul(4).saturating_add(i64::try_from(k).unwrap_or(0)),
                "status": status,
                "created_at": timestamp_text(created),
                "sent_at": (status != "bounced").then(|| timestamp_text(sent)),
                "opened_at": opened,
                "clicked_at": clicked,
                "subject": rng.pick(SUBJECTS),
            })
        })
        .collect();
    page_of_items(call, items)
}

/// `events/`: the user's events recorded through the events endpoints.
fn events(call: &Call<'_>, store: &mut Store, id: i64, _: Value) -> Reply {
    let items = store
        .items("events")
        .filter(|event| event.get("user_id").and_then(Value::as_i64) == Some(id))
        .map(|event| {
            let name = event
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let at = event
                .get("timestamp")
                .and_then(Value::as_i64)
                .and_then(|s| Timestamp::from_second(s).ok())
                .map(timestamp_text);
            json!({
                "id": event.get("id"),
                "client": id,
                "timestamp": at,
                "event": name,
                "event_id": hash(name) % 10_000,
                "items": event.get("data").cloned().unwrap_or_else(|| json!({})),
            })
        })
        .collect();
    page_of_items(call, items)
}

/// `ping_hits/`: the site views recorded for the user's key.
fn ping_hits(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    let key = user.get("user_key").cloned().unwrap_or(Value::Null);
    let items = store
        .items("site_views")
        .filter(|view| view.get("client_user") == Some(&key))
        .map(|view| {
            let domain = view
                .get("page_domain")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let path = view
                .get("page_path")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let url = if domain.contains("://") {
                format!("{domain}{path}")
            } else {
                format!("https://{domain}{path}")
            };
            let at = match view.get("timestamp") {
                Some(Value::Number(n)) => n
                    .as_i64()
                    .and_then(|s| Timestamp::from_second(s).ok())
                    .map(timestamp_text),
                Some(Value::String(text)) => text.parse::<Timestamp>().ok().map(timestamp_text),
                _ => None,
            };
            json!({
                "id": view.get("id"), "client": id, "ip_address": "127.0.0.1",
                "user_agent": "Mozilla/5.0", "browser_family": "Firefox", "browser_version": "128",
                "os_type": "Linux", "city": user.get("city"), "country": user.get("country"),
                "url": url, "referer": null, "timestamp": at, "extra_data": null,
                "timezone": null, "resolution": "1920x1080",
            })
        })
        .collect();
    page_of_items(call, items)
}

/// `product_events/`: zero to three seeded product events per user.
fn product_events(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    let mut rng = activity(store, id, "user product events");
    let start = joined(&user);
    let items = (0..rng.below(4))
        .map(|k| {
            json!({
                "id": id.saturating_mul(4).saturating_add(i64::try_from(k).unwrap_or(0)),
                "client": id,
                "timestamp": rng.timestamp(start, 86_400 * 300),
                "event_type": rng.pick(&["view", "add to cart", "order", "return"]),
                "custom_data": {"quantity": 1 + rng.below(3)},
            })
        })
        .collect();
    page_of_items(call, items)
}

/// `segments/`: the segments whose ids the user carries in `segments` (none, for a seeded
/// user).
fn segments(call: &Call<'_>, store: &mut Store, _: i64, user: Value) -> Reply {
    let items = ids(user.get("segments"))
        .filter_map(|segment| store.get("segments", segment))
        .collect();
    page_of_items(call, items)
}

/// `timeline/`: when the user was created, then their events and page visits.
fn timeline(call: &Call<'_>, store: &mut Store, id: i64, user: Value) -> Reply {
    let mut entries = vec![json!({
        "id": id.saturating_mul(1_000),
        "datetime": user.get("created_at"),
        "name": "User created",
        "content": null,
    })];
    for event in store
        .items("events")
        .filter(|event| event.get("user_id").and_then(Value::as_i64) == Some(id))
    {
        let at = event
            .get("timestamp")
            .and_then(Value::as_i64)
            .and_then(|s| Timestamp::from_second(s).ok())
            .map(timestamp_text);
        entries.push(json!({
            "id": event.get("id"),
            "datetime": at,
            "name": format!("Event: {}", event.get("name").and_then(Value::as_str).unwrap_or_default()),
            "content": null,
        }));
    }
    let key = user.get("user_key").cloned().unwrap_or(Value::Null);
    for view in store
        .items("site_views")
        .filter(|view| view.get("client_user") == Some(&key))
    {
        entries.push(json!({
            "id": view.get("id"),
            "datetime": view.get("timestamp").filter(|t| t.is_string()),
            "name": "Page visit",
            "content": {"url": view.get("page_path"), "title": view.get("page_domain")},
        }));
    }
    page_of_items(call, entries)
}

// ---------------------------------------------------------------------------------------------
// Listing, searching, mass updates, merging
// ---------------------------------------------------------------------------------------------

/// The lookups of `GET users/` and `GET users/search/`.
const LOOKUPS: &[&str] = &[
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "icontains",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
];

/// The standard fields `GET users/` filters on.
const FILTERABLE: &[&str] = &[
    "id",
    "user_key",
    "custom_id",
    "email",
    "name",
    "first_name",
    "last_name",
    "phone_number",
    "score",
    "page_views",
    "status",
    "gender",
    "country",
    "region",
    "city",
    "created_at",
    "updated_at",
    "first_seen",
    "last_seen",
    "last_contacted",
];

/// One `{field}__{lookup}=value` of a query.
#[derive(Debug, Clone)]
struct Lookup {
    field: String,
    lookup: String,
    wanted: String,
}

/// The query's lookups (parameters with `__`), or the parameter that is not one.
fn lookups(call: &Call<'_>) -> Result<Vec<Lookup>, String> {
    let mut found = Vec::new();
    for (name, value) in &call.query {
        let Some((field, lookup)) = name.rsplit_once("__") else {
            continue;
        };
        if field.is_empty() || !LOOKUPS.contains(&lookup) {
            return Err(name.clone());
        }
        found.push(Lookup {
            field: field.to_owned(),
            lookup: lookup.to_owned(),
            wanted: value.clone(),
        });
    }
    Ok(found)
}

/// Whether `stored` passes `lookup`: numbers compare as numbers, date-times as instants,
/// other text as text; the text lookups look into each element of an array.
fn passes(stored: Option<&Value>, lookup: &Lookup) -> bool {
    let Some(stored) = stored.filter(|v| !v.is_null()) else {
        return false;
    };
    let wanted = lookup.wanted.as_str();
    let text_test = |text: &str| {
        let (text, wanted) = if lookup.lookup.starts_with('i') {
            (text.to_lowercase(), wanted.to_lowercase())
        } else {
            (text.to_owned(), wanted.to_owned())
        };
        match lookup.lookup.trim_start_matches('i') {
            "contains" => text.contains(&wanted),
            "startswith" => text.starts_with(&wanted),
            "endswith" => text.ends_with(&wanted),
            _ => false,
        }
    };
    let ordering = match stored {
        Value::Number(n) => n
            .as_f64()
            .zip(wanted.parse::<f64>().ok())
            .and_then(|(a, b)| a.partial_cmp(&b)),
        Value::Bool(b) => wanted.parse::<bool>().ok().map(|w| b.cmp(&w)),
        Value::String(text) => match (text.parse::<Timestamp>(), wanted.parse::<Timestamp>()) {
            (Ok(a), Ok(b)) => Some(a.cmp(&b)),
            _ => Some(text.as_str().cmp(wanted)),
        },
        _ => None,
    };
    match lookup.lookup.as_str() {
        "gt" => ordering.is_some_and(|o| o.is_gt()),
        "gte" => ordering.is_some_and(|o| o.is_ge()),
        "lt" => ordering.is_some_and(|o| o.is_lt()),
        "lte" => ordering.is_some_and(|o| o.is_le()),
        _ => match stored {
            Value::Array(items) => items.iter().any(|item| text_test(&shown(item))),
            other => text_test(&shown(other)),
        },
    }
}

/// A 400 naming a query parameter.
fn bad_parameter(parameter: &str, text: &str) -> Reply {
    Reply::invalid(json!({ parameter: [text] }))
}

/// `GET users/`: every user, page by page; `with_email` and lookups on standard fields
/// filter.
fn list_users(call: &Call<'_>, store: &mut Store) -> Reply {
    let found = match lookups(call) {
        Ok(found) => found,
        Err(parameter) => return bad_parameter(&parameter, "Unknown lookup."),
    };
    for lookup in &found {
        if !FILTERABLE.contains(&lookup.field.as_str()) {
            return bad_parameter(
                &format!("{}__{}", lookup.field, lookup.lookup),
                "Users cannot be filtered on this field.",
            );
        }
        if !["gt", "gte", "lt", "lte", "contains"].contains(&lookup.lookup.as_str()) {
            return bad_parameter(
                &format!("{}__{}", lookup.field, lookup.lookup),
                "Unknown lookup.",
            );
        }
    }
    let with_email = match call.query("with_email") {
        None => None,
        Some("true" | "True" | "1") => Some(true),
        Some("false" | "False" | "0") => Some(false),
        Some(_) => return bad_parameter("with_email", "Must be a valid boolean."),
    };
    let listing = list("users")
        .view(view)
        .filter(move |_: &Call<'_>| {
            with_email.map(|wanted| {
                Box::new(move |user: &Value| {
                    user.get("email").is_some_and(Value::is_string) == wanted
                }) as Predicate
            })
        })
        .filter(move |_: &Call<'_>| {
            let found = found.clone();
            (!found.is_empty()).then(|| {
                Box::new(move |user: &Value| {
                    found
                        .iter()
                        .all(|lookup| passes(user.get(&lookup.field), lookup))
                }) as Predicate
            })
        });
    let handler = crate::routing::IntoHandler::into_handler(listing);
    handler(call, store)
}

/// The users whose `field` is `value`, lowest id first.
fn users_with<'a>(
    store: &'a Store,
    field: &'a str,
    value: &'a str,
) -> impl Iterator<Item = Value> + 'a {
    store
        .items("users")
        .filter(move |user| user.get(field).and_then(Value::as_str) == Some(value))
}

/// `GET users/search/`: by `key`, `email` (`many=true` for all of them) or `phone_number`,
/// a bare object or 404 (an array with `many`); or by lookups on attributes, a page.
fn search(call: &Call<'_>, store: &mut Store) -> Reply {
    let store = &*store;
    for (parameter, field) in [
        ("key", "user_key"),
        ("email", "email"),
        ("phone_number", "phone_number"),
    ] {
        let Some(wanted) = call.query(parameter) else {
            continue;
        };
        if parameter == "email" && matches!(call.query("many"), Some("true" | "True" | "1")) {
            let all: Vec<Value> = users_with(store, field, wanted)
                .map(|user| view(store, &user))
                .collect();
            return Reply::json(StatusCode::OK, Value::Array(all));
        }
        return match users_with(store, field, wanted).next() {
            Some(user) => ok(store, &user),
            None => Reply::not_found(),
        };
    }
    let found = match lookups(call) {
        Ok(found) if !found.is_empty() => found,
        Ok(_) => {
            return Reply::detail(
                StatusCode::BAD_REQUEST,
                "Search by key, email or phone_number, or by {attribute}__{lookup}.",
            );
        }
        Err(parameter) => return bad_parameter(&parameter, "Unknown lookup."),
    };
    for lookup in &found {
        let known = FILTERABLE.contains(&lookup.field.as_str())
            || attribute_type(store, &lookup.field).is_some();
        if !known {
            return bad_parameter(
                &format!("{}__{}", lookup.field, lookup.lookup),
                "There is no user attribute with this name.",
            );
        }
    }
    let kept = store.items("users").filter(|user| {
        found
            .iter()
            .all(|lookup| passes(user.get(&lookup.field), lookup))
    });
    page_of_all(call, kept, |user| view(store, user))
}

/// The ids of a mass update's `ids`: numeric (`by_custom_id` false) or custom ids of
/// users; ids of no user are passed over, as an update of a query set passes them over.
fn mass_targets(
    store: &Store,
    ids: &Value,
    by_custom_id: bool,
) -> Result<Vec<(i64, Value)>, Reply> {
    let Some(list) = ids.as_array() else {
        return Err(Reply::invalid(json!({"ids": [format!(
            "Expected a list of items but got type \"{}\".",
            python_type(ids)
        )]})));
    };
    if list.is_empty() {
        return Err(Reply::invalid(
            json!({"ids": ["This list may not be empty."]}),
        ));
    }
    let mut found = Vec::new();
    for id in list {
        let user = match (by_custom_id, id) {
            (false, Value::Number(n)) => n.as_i64().and_then(|id| store.get("users", id)),
            (true, Value::String(custom)) => by_custom_id_of(store, custom),
            (false, _) => {
                return Err(Reply::invalid(
                    json!({"ids": ["A valid integer is required."]}),
                ));
            }
            (true, _) => return Err(Reply::invalid(json!({"ids": ["Not a valid string."]}))),
        };
        if let Some(user) = user
            && let Some(id) = user.get("id").and_then(Value::as_i64)
        {
            found.push((id, user));
        }
    }
    Ok(found)
}

fn by_custom_id_of(store: &Store, custom_id: &str) -> Option<Value> {
    by_custom_id(store, custom_id)
}

/// The mass updates: `{"ids", "attribute", "value"}`, a standard attribute (`custom`
/// false) or a custom one; `{"status": "ok"}`.
fn mass_update(call: &Call<'_>, store: &mut Store, by_custom_id: bool, custom: bool) -> Reply {
    let body = match body_of(call) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let mut errors = Map::new();
    for field in ["ids", "attribute", "value"] {
        if !body.contains_key(field) {
            errors.insert(field.to_owned(), message("This field is required."));
        }
    }
    if !errors.is_empty() {
        return Reply::invalid(Value::Object(errors));
    }
    let attribute = match text_field(&body, "attribute") {
        Ok(attribute) => attribute,
        Err(reply) => return reply,
    };
    let value = body.get("value").cloned().unwrap_or(Value::Null);
    let targets = match mass_targets(store, body.get("ids").unwrap_or(&Value::Null), by_custom_id) {
        Ok(targets) => targets,
        Err(reply) => return reply,
    };
    let fields = if custom {
        let attributes = Map::from_iter([(attribute.clone(), value)]);
        match check_attributes(store, attributes.iter()) {
            Ok(cleaned) => cleaned,
            Err(_) if attribute_type(store, &attribute).is_none() => {
                return Reply::invalid(json!({"attribute": no_such_attribute()}));
            }
            Err(mut found) => {
                let text = found
                    .remove(&attribute)
                    .unwrap_or_else(|| message("Invalid value."));
                return Reply::invalid(json!({"value": text}));
            }
        }
    } else {
        const ALLOWED: &[&str] = &[
            "assigned_to",
            "city",
            "company_id",
            "country",
            "custom_id",
            "email",
            "facebook_url",
            "first_name",
            "gender",
            "google_url",
            "gravatar_url",
            "last_name",
            "linkedin_url",
            "notifications",
            "phone_number",
            "region",
            "score",
            "status",
            "timezone",
            "twitter_url",
            "unsubscribed",
        ];
        if !ALLOWED.contains(&attribute.as_str()) {
            return Reply::invalid(json!({"attribute": [format!(
                "\"{attribute}\" is not a valid choice."
            )]}));
        }
        if attribute == "custom_id" && targets.len() > 1 {
            return Reply::invalid(json!({"value": ["user with this custom id already exists."]}));
        }
        let one = Map::from_iter([(attribute.clone(), value)]);
        match validate(FIELDS, &one, None) {
            Ok(cleaned) => cleaned,
            Err(Value::Object(mut found)) => {
                let text = found
                    .remove(&attribute)
                    .unwrap_or_else(|| message("Invalid value."));
                return Reply::invalid(json!({"value": text}));
            }
            Err(other) => return Reply::invalid(other),
        }
    };
    for (id, user) in targets {
        let mut fields = fields.clone();
        fields.insert(
            "updated_at".to_owned(),
            Value::from(timestamp_text(call.now)),
        );
        store_changes(store, id, user, fields);
    }
    Reply::json(StatusCode::OK, json!({"status": "ok"}))
}

/// `POST users/merge/`: `{"parent", "users_list"}`. The users of the list are merged into
/// the parent (its empty fields filled, tags, lists and companies joined) and deleted; the
/// parent as shown.
fn merge(call: &Call<'_>, store: &mut Store) -> Reply {
    let body = match body_of(call) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let parent_value = body.get("parent").cloned().unwrap_or(Value::Null);
    let Some(parent_id) = parent_value.as_i64() else {
        let text = if body.contains_key("parent") {
            invalid_pk(&parent_value)
        } else {
            message("This field is required.")
        };
        return Reply::invalid(json!({ "parent": text }));
    };
    let Some(mut parent) = store.get("users", parent_id) else {
        return Reply::invalid(json!({"parent": invalid_pk(&parent_value)}));
    };
    let others = match body.get("users_list") {
        Some(Value::Array(list)) if !list.is_empty() => list.clone(),
        Some(Value::Array(_)) => {
            return Reply::invalid(json!({"users_list": ["This list may not be empty."]}));
        }
        Some(other) => {
            return Reply::invalid(json!({"users_list": [format!(
                "Expected a list of items but got type \"{}\".",
                python_type(other)
            )]}));
        }
        None => return Reply::invalid(json!({"users_list": ["This field is required."]})),
    };
    let mut merged = Vec::new();
    for other in &others {
        match other
            .as_i64()
            .and_then(|id| Some((id, store.get("users", id)?)))
        {
            Some((id, _)) if id == parent_id => {
                return Reply::invalid(json!({"users_list": [
                    "A user cannot be merged into itself."
                ]}));
            }
            Some(found) => merged.push(found),
            None => return Reply::invalid(json!({"users_list": invalid_pk(other)})),
        }
    }
    for (id, user) in merged {
        if let (Some(into), Some(from)) = (parent.as_object_mut(), user.as_object()) {
            for (field, value) in from {
                match field.as_str() {
                    "id" | "user_key" | "custom_id" | "created_at" => {}
                    "tags" | "lists" => {
                        let mut joined: Vec<i64> = ids(into.get(field.as_str())).collect();
                        for id in ids(Some(value)) {
                            if !joined.contains(&id) {
                                joined.push(id);
                            }
                        }
                        into.insert(field.clone(), json!(joined));
                    }
                    "companies" => {
                        let mut joined = into
                            .get("companies")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        for membership in value.as_array().into_iter().flatten() {
                            if !joined.iter().any(|m| m.get("id") == membership.get("id")) {
                                joined.push(membership.clone());
                            }
                        }
                        into.insert(field.clone(), Value::Array(joined));
                    }
                    _ => {
                        if into.get(field.as_str()).is_none_or(Value::is_null) {
                            into.insert(field.clone(), value.clone());
                        }
                    }
                }
            }
        }
        store.delete("users", id);
    }
    if let Some(fields) = parent.as_object_mut() {
        fields.insert(
            "updated_at".to_owned(),
            Value::from(timestamp_text(call.now)),
        );
    }
    store.replace("users", parent_id, parent.clone());
    ok(store, &parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(field: &str, lookup: &str, wanted: &str) -> Lookup {
        Lookup {
            field: field.to_owned(),
            lookup: lookup.to_owned(),
            wanted: wanted.to_owned(),
        }
    }

    #[test]
    fn lookups_compare_by_the_stored_type() {
        let user = json!({"score": 42, "email": "Ada@Example.com", "beta": true,
                          "last_seen": "2018-01-01T10:00:00.5Z", "interests": ["chat", "api"],
                          "nothing": null});
        let cases = [
            ("score", "gte", "42", true),
            ("score", "gt", "42", false),
            ("score", "lt", "100.5", true),
            ("score", "gt", "x", false),
            ("email", "contains", "Example", true),
            ("email", "contains", "example", false),
            ("email", "icontains", "EXAMPLE", true),
            ("email", "istartswith", "ada@", true),
            ("email", "endswith", ".com", true),
            ("last_seen", "gte", "2018-01-01T10:00:00Z", true),
            ("last_seen", "lt", "2017-12-31", false),
            ("interests", "contains", "ap", true),
            ("interests", "contains", "crm", false),
            ("beta", "gte", "true", true),
            ("nothing", "contains", "", false),
            ("missing", "gt", "0", false),
        ];
        for (field, op, wanted, expected) in cases {
            assert_eq!(
                passes(user.get(field), &lookup(field, op, wanted)),
                expected,
                "{field}__{op}={wanted}"
            );
        }
    }

    #[test]
    fn custom_attribute_values_are_checked_by_type() {
        let fixed = ValueType::Fixed {
            choices: vec!["a".into(), "b".into()],
            multiple: true,
        };
        let cases = [
            (ValueType::Boolean, json!(true), None),
            (
                ValueType::Boolean,
                json!("true"),
                Some("Must be a valid boolean."),
            ),
            (ValueType::Integer, json!(5), None),
            (
                ValueType::Integer,
                json!(5.5),
                Some("A valid integer is required."),
            ),
            (ValueType::Float, json!(5), None),
            (ValueType::Text, json!(5), Some("Not a valid string.")),
            (ValueType::Date, json!("2025-03-01"), None),
            (
                ValueType::Date,
                json!("01.03.2025"),
                Some("Date has wrong format"),
            ),
            (
                ValueType::DateTime,
                json!("2025-03-01T10:00:00+02:00"),
                None,
            ),
            (
                ValueType::DateTime,
                json!("2025-03-01"),
                Some("Datetime has wrong format"),
            ),
            (ValueType::Json, json!({"a": [1]}), None),
            (fixed.clone(), json!(["a", "b"]), None),
            (fixed.clone(), json!("a"), None),
            (
                fixed,
                json!(["a", "z"]),
                Some("\"z\" is not a valid choice."),
            ),
            (ValueType::Integer, Value::Null, None),
        ];
        for (kind, value, error) in cases {
            match (clean_attribute(&kind, &value), error) {
                (Ok(kept), None) => assert_eq!(kept, value),
                (Err(text), Some(expected)) => assert!(text.starts_with(expected), "{text}"),
                (other, _) => panic!("{kind:?} {value}: {other:?}"),
            }
        }
    }
}
