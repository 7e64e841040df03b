//! Activities, in the shape of the documented answer: the due time as `datetime`, the deal,
//! user and company as `deal`, `person` and `company`.
//!
//! `GET activities/`, `POST activities/` (`activity_type`, `name` and `due_date` required;
//! `datetime`, which the documentation's example sends, is taken for `due_date`),
//! `GET`, `PUT` and `DELETE` on `activities/{id}/`.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::api::Group;
use crate::api::deals::{custom_attributes, datetime_value, invalid_pk, message, split};
use crate::fields::{Field, Unique, validate};
use crate::handlers::{delete, get, list};
use crate::reply::Reply;
use crate::routing::{Call, Route};
use crate::seed::{Draw, epoch, timestamp_text};
use crate::store::{Collection, Order, Store};

/// The activities group.
pub(crate) static GROUP: Group = Group {
    collections: &[&ACTIVITIES],
    routes,
};

/// The activities: as many as deals (at least 4) unless told otherwise.
pub(crate) static ACTIVITIES: Collection = Collection {
    name: "activities",
    item_name: "activity",
    first_id: 1_200,
    order: Order::OldestFirst,
    default_size: |sizes| sizes.get("deals").max(4),
    generate: activity,
    fields: FIELDS,
};

/// What the generic checks cover of an activity's writes; the due date, the deal, user and
/// company are checked by hand and any other key is a custom attribute.
const FIELDS: &[Field] = &[
    Field::integer("activity_type"),
    Field::text("name").max_length(255),
    Field::text("custom_id").nullable().max_length(255).unique(),
    Field::primary_key("assigned_to").nullable(),
    Field::text("description").nullable().blank(),
    Field::boolean("done"),
    Field::integer("duration").nullable(),
];

/// Fields checked by hand: the due date and what the activity is about.
const BY_HAND: &[&str] = &["due_date", "datetime", "deal_id", "user_id", "company_id"];

const READ_ONLY: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "created_by",
    "done_date",
    "deal",
    "person",
    "company",
];

/// The agent who creates the seeded activities.
const AGENT_ID: i64 = 382;

fn routes() -> Vec<Route> {
    vec![
        Route::get("activities/", list("activities")),
        Route::post("activities/", create_activity),
        Route::get("activities/{id}/", get("activities")),
        Route::put("activities/{id}/", update_activity),
        Route::delete("activities/{id}/", delete("activities")),
    ]
}

const NAMES: &[&str] = &[
    "Call back",
    "Send the offer",
    "Demo meeting",
    "Follow-up email",
    "Spotkanie w biurze",
    "契約の確認",
];
const TYPES: &[i64] = &[1, 2, 3, 25_946];
const DURATIONS: &[i64] = &[900, 1_800, 3_600, 2_147_483_648];
const DESCRIPTIONS: &[Option<&str>] = &[
    Some("Ask about the <b>renewal</b>"),
    Some("Zażółć gęślą jaźń"),
    None,
];

/// A seeded activity, on a deal, a user or a company (or none).
fn activity(draw: &mut Draw<'_>) -> Value {
    let index = draw.index();
    let created = draw.rng.instant(epoch(), 86_400 * 700);
    let due = draw.rng.timestamp(created, 86_400 * 60);
    let done = draw.rng.chance(1, 3);
    let deal = if draw.rng.chance(2, 3) {
        draw.pick_id("deals")
    } else {
        None
    };
    let person = if draw.rng.chance(1, 2) {
        draw.pick_id("users")
    } else {
        None
    };
    let company = if draw.rng.chance(1, 3) {
        draw.pick_id("companies")
    } else {
        None
    };
    json!({
        "id": draw.id(),
        "activity_type": draw.rng.pick(TYPES),
        "name": draw.rng.pick(NAMES),
        "datetime": due,
        "duration": draw.rng.pick(DURATIONS),
        "description": draw.rng.pick(DESCRIPTIONS),
        "assigned_to": draw.rng.chance(3, 4).then_some(398),
        "deal": deal,
        "person": person,
        "company": company,
        "done": done,
        "done_date": done.then(|| due.clone()),
        "created_by": AGENT_ID,
        "created_at": timestamp_text(created),
        "updated_at": timestamp_text(created),
        "custom_id": index.is_multiple_of(2).then(|| format!("task-{index}")),
    })
}

/// The body's fields to store, or DRF's errors. `updating` is the activity being updated
/// (the required fields are only required on create).
fn clean(
    body: &Map<String, Value>,
    store: &Store,
    updating: Option<i64>,
) -> Result<Map<String, Value>, Value> {
    let unique = Unique {
        store,
        collection: "activities",
        item_name: "activity",
        except: updating,
    };
    let (mut fields, mut errors) = split(validate(FIELDS, body, Some(&unique)));
    let due = body.get("due_date").or_else(|| body.get("datetime"));
    if updating.is_none() {
        for (field, given) in [
            ("activity_type", body.contains_key("activity_type")),
            ("name", body.contains_key("name")),
            ("due_date", due.is_some()),
        ] {
            if !given {
                errors.insert(field.to_owned(), message("This field is required."));
            }
        }
    }
    if let Some(due) = due {
        match datetime_value(due) {
            Ok(Value::Null) => {
                errors.insert(
                    "due_date".to_owned(),
                    message("This field may not be null."),
                );
            }
            Ok(due) => {
                fields.insert("datetime".to_owned(), due);
            }
            Err(text) => {
                errors.insert("due_date".to_owned(), message(&text));
            }
        }
    }
    for (field, shown, collection) in [
        ("deal_id", "deal", "deals"),
        ("user_id", "person", "users"),
        ("company_id", "company", "companies"),
    ] {
        match body.get(field) {
            None => {}
            Some(Value::Null) => {
                fields.insert(shown.to_owned(), Value::Null);
            }
            Some(value) => match value.as_i64() {
                Some(id) if store.get(collection, id).is_some() => {
                    fields.insert(shown.to_owned(), id.into());
                }
                Some(id) => {
                    errors.insert(field.to_owned(), message(&invalid_pk(id)));
                }
                None => {
                    errors.insert(
                        field.to_owned(),
                        message("Incorrect type. Expected pk value."),
                    );
                }
            },
        }
    }
    fields.extend(custom_attributes(body, FIELDS, BY_HAND, READ_ONLY));
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(Value::Object(errors))
    }
}

/// `POST activities/`: a new activity; 201.
fn create_activity(call: &Call<'_>, store: &mut Store) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let fields = match clean(&body, store, None) {
        Ok(fields) => fields,
        Err(errors) => return Reply::invalid(errors),
    };
    let now = timestamp_text(call.now);
    let blank = json!({
        "activity_type": null, "name": null, "datetime": null, "duration": null,
        "description": null, "assigned_to": null, "deal": null, "person": null,
        "company": null, "done": false, "done_date": null, "created_by": AGENT_ID,
        "created_at": now, "updated_at": now, "custom_id": null,
    });
    let Value::Object(mut activity) = blank else {
        return Reply::broken("a new activity is not an object");
    };
    activity.extend(fields);
    mark_done(&mut activity, false, &now);
    match store.create("activities", activity) {
        Some(created) => Reply::json(StatusCode::CREATED, created),
        None => Reply::broken("no activities collection"),
    }
}

/// `PUT activities/{id}/`: the fields given change; 200, or 404.
fn update_activity(call: &Call<'_>, store: &mut Store) -> Reply {
    let Some((id, existing)) = call
        .id("id")
        .and_then(|id| Some((id, store.get("activities", id)?)))
    else {
        return Reply::not_found();
    };
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let fields = match clean(&body, store, Some(id)) {
        Ok(fields) => fields,
        Err(errors) => return Reply::invalid(errors),
    };
    let Value::Object(mut activity) = existing else {
        return Reply::broken("a stored activity is not an object");
    };
    let was_done = activity.get("done") == Some(&Value::Bool(true));
    let now = timestamp_text(call.now);
    activity.extend(fields);
    activity.insert("updated_at".to_owned(), now.clone().into());
    mark_done(&mut activity, was_done, &now);
    let activity = Value::Object(activity);
    if store.replace("activities", id, activity.clone()) {
        Reply::json(StatusCode::OK, activity)
    } else {
        Reply::not_found()
    }
}

/// An activity that becomes done gets its `done_date`; one that is no longer done loses it.
fn mark_done(activity: &mut Map<String, Value>, was_done: bool, now: &str) {
    let done = activity.get("done") == Some(&Value::Bool(true));
    if done && !was_done {
        activity.insert("done_date".to_owned(), now.into());
    } else if !done {
        activity.insert("done_date".to_owned(), Value::Null);
    }
}
