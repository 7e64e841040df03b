//! Events and site views of users.
//!
//! `POST events/` (the user by numeric id in the body), `POST users-by-id/{custom_id}/events/`
//! (404 for a custom id no user has) and `POST site-views/`, all 201, with DRF field errors
//! for bad bodies. Events and site views are stored (none are seeded unless the options
//! ask for them).
//!
//! An event's answer is `{"id", "created"}`, where `created` is `true` only for the first
//! event of its **name**, as User.com means it. The fake does not check that the user of
//! `POST events/` or the key of `POST site-views/` exists: the documentation's example
//! names a user of its own account, and the fake answers documented examples in their
//! shape.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::api::Group;
use crate::fields::{Field, python_type, validate};
use crate::reply::Reply;
use crate::routing::{Call, Route};
use crate::seed::{Draw, epoch};
use crate::store::{Collection, Order, Store};

/// The events group.
pub(crate) static GROUP: Group = Group {
    collections: &[&EVENTS, &SITE_VIEWS],
    routes,
};

/// The events recorded: none unless told otherwise.
pub(crate) static EVENTS: Collection = Collection {
    name: "events",
    item_name: "event",
    first_id: 86,
    order: Order::OldestFirst,
    default_size: |_| 0,
    generate: event,
    fields: EVENT_FIELDS,
};

/// The site views recorded: none unless told otherwise.
pub(crate) static SITE_VIEWS: Collection = Collection {
    name: "site_views",
    item_name: "site view",
    first_id: 5_000,
    order: Order::OldestFirst,
    default_size: |_| 0,
    generate: site_view,
    fields: SITE_VIEW_FIELDS,
};

const EVENT_FIELDS: &[Field] = &[
    Field::primary_key("user_id").required(),
    Field::text("name").required().max_length(255),
    Field::integer("timestamp").nullable(),
    Field::json("data").nullable(),
];

/// `POST users-by-id/{custom_id}/events/`: the user is the path's.
const EVENT_BY_CUSTOM_ID_FIELDS: &[Field] = &[
    Field::text("name").required().max_length(255),
    Field::integer("timestamp").nullable(),
    Field::json("data").nullable(),
];

const SITE_VIEW_FIELDS: &[Field] = &[
    Field::text("client_user").required().max_length(64),
    Field::text("page_domain").required().max_length(255),
    Field::text("page_path").required(),
    Field::json("timestamp").required(),
];

const NAMES: &[&str] = &[
    "profile_updated",
    "product viewed",
    "signed up",
    "order completed",
];

fn routes() -> Vec<Route> {
    vec![
        Route::post("events/", |call: &Call<'_>, store: &mut Store| {
            record_event(call, store, None)
        }),
        Route::post(
            "users-by-id/{custom_id}/events/",
            |call: &Call<'_>, store: &mut Store| {
                let wanted = call.param("custom_id").unwrap_or_default();
                let user = store
                    .items("users")
                    .find(|user| user.get("custom_id").and_then(Value::as_str) == Some(wanted))
                    .and_then(|user| user.get("id").and_then(Value::as_i64));
                match user {
                    Some(id) => record_event(call, store, Some(id)),
                    None => Reply::not_found(),
                }
            },
        ),
        Route::post("site-views/", record_site_view),
    ]
}

/// A seeded event of a seeded user.
fn event(draw: &mut Draw<'_>) -> Value {
    let user = draw.pick_id("users");
    let name = draw.rng.pick(NAMES);
    let at = draw.rng.instant(epoch(), 86_400 * 700).as_second();
    json!({"id": draw.id(), "user_id": user, "name": name, "timestamp": at, "data": {}})
}

/// A seeded site view.
fn site_view(draw: &mut Draw<'_>) -> Value {
    let at = draw.rng.timestamp(epoch(), 86_400 * 700);
    json!({"id": draw.id(), "client_user": draw.rng.key(12), "page_domain": "example.com",
           "page_path": "/", "timestamp": at})
}

/// DRF's answer to `data` that is not an object.
fn data_error(fields: &Map<String, Value>) -> Option<Reply> {
    match fields.get("data") {
        None | Some(Value::Null | Value::Object(_)) => None,
        Some(other) => Some(Reply::invalid(json!({"data": [format!(
            "Expected a dictionary of items but got type \"{}\".",
            python_type(other)
        )]}))),
    }
}

/// Stores an event of `user` (the body's `user_id` when `None`) and answers
/// `{"id", "created"}`.
fn record_event(call: &Call<'_>, store: &mut Store, user: Option<i64>) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let spec = if user.is_some() {
        EVENT_BY_CUSTOM_ID_FIELDS
    } else {
        EVENT_FIELDS
    };
    let mut fields = match validate(spec, &body, None) {
        Ok(fields) => fields,
        Err(errors) => return Reply::invalid(errors),
    };
    if let Some(reply) = data_error(&fields) {
        return reply;
    }
    if let Some(user) = user {
        fields.insert("user_id".to_owned(), Value::from(user));
    }
    if fields.get("timestamp").is_none_or(Value::is_null) {
        fields.insert("timestamp".to_owned(), Value::from(call.now.as_second()));
    }
    if fields.get("data").is_none_or(Value::is_null) {
        fields.insert("data".to_owned(), json!({}));
    }
    let name = fields.get("name").cloned();
    let name_is_new = !store
        .items("events")
        .any(|event| event.get("name") == name.as_ref());
    match store.create("events", fields) {
        Some(event) => Reply::json(
            StatusCode::CREATED,
            json!({"id": event.get("id"), "created": name_is_new}),
        ),
        None => Reply::broken("the events collection is not seeded"),
    }
}

/// Whether a site view's `timestamp` is UNIX seconds or an RFC 3339 date and time.
fn valid_moment(value: &Value) -> bool {
    match value {
        Value::Number(number) => number.is_i64(),
        Value::String(text) => text.trim().parse::<jiff::Timestamp>().is_ok(),
        _ => false,
    }
}

/// `POST site-views/`: stores the view and answers with it.
fn record_site_view(call: &Call<'_>, store: &mut Store) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let fields = match validate(SITE_VIEW_FIELDS, &body, None) {
        Ok(fields) => fields,
        Err(errors) => return Reply::invalid(errors),
    };
    if !fields.get("timestamp").is_some_and(valid_moment) {
        return Reply::invalid(json!({"timestamp": [
            "Datetime has wrong format. Use one of these formats instead: \
             YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z], or UNIX seconds."
        ]}));
    }
    match store.create("site_views", fields) {
        Some(view) => Reply::json(StatusCode::CREATED, view),
        None => Reply::broken("the site views collection is not seeded"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_seconds_or_rfc_3339() {
        for good in [
            json!(1_609_771_385),
            json!("2021-01-04T14:13:05.801+05:30"),
            json!("2021-01-04T08:43:05Z"),
        ] {
            assert!(valid_moment(&good), "{good}");
        }
        for bad in [
            json!("2021-01-04 14:13"),
            json!("2021-01-04T14:13:05"),
            json!(1.5),
            json!(null),
            json!([1]),
        ] {
            assert!(!valid_moment(&bad), "{bad}");
        }
    }
}
