//! Lists of users.
//!
//! `GET lists/`, `POST lists/`, `PUT lists/{id}/` (partial: a name, a description or both),
//! `DELETE lists/{id}/` (204), and the users on a list, `GET lists/{id}/users/`: those whose
//! `lists` field holds the list's id (as a number or as `{"id": …}`).
//!
//! `GET lists/` pages the way User.com's does, quirks included:
//!
//! - its pages are `{"count", "next", "results"}` (no `previous`, as keghub's mock of the
//!   endpoint has it), with a `?cursor=` position in `next`;
//! - its `next` link has **no trailing slash before the query**
//!   (`http://host/api/public/lists?cursor=2`), as User.com's does: a client that follows it
//!   verbatim meets the fake's trailing-slash redirect;
//! - a cursor that does not name a position of the listing answers **404**
//!   `{"detail": "Invalid cursor"}`. So a `next` page answers 404 when the lists it pointed
//!   into are deleted meanwhile, and on demand with a fault plan:
//!   `FaultPlan::default().on("lists/", 2, Fault::status(404))` makes the second page of
//!   every listing answer 404, which is User.com's known `/lists/` bug.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::api::{Group, users};
use crate::fields::{Field, Unique, validate};
use crate::handlers::{Predicate, create, delete, list};
use crate::reply::Reply;
use crate::routing::{Call, Route};
use crate::seed::Draw;
use crate::store::{Collection, Order, Store};

/// The lists group.
pub(crate) static GROUP: Group = Group {
    collections: &[&LISTS],
    routes,
};

/// The lists: half as many as conversations, and at least a dozen, unless told otherwise
/// (so the demo's listing has a second page, reached through a `next` without its slash).
pub(crate) static LISTS: Collection = Collection {
    name: "lists",
    item_name: "list",
    first_id: 100,
    order: Order::OldestFirst,
    default_size: |sizes| (sizes.get("conversations") / 2).max(12),
    generate: list_item,
    fields: &[
        Field::text("name").required().max_length(255),
        Field::text("description").nullable().blank(),
    ],
};

/// What a `PUT` takes: any of the fields, none required.
const UPDATE_FIELDS: &[Field] = &[
    Field::text("name").max_length(255),
    Field::text("description").nullable().blank(),
];

const NAMES: &[(&str, Option<&str>)] = &[
    ("Newsletter", Some("Weekly product news")),
    ("Webinar attendees", Some("Signed up for a webinar")),
    ("Beta testers", None),
    ("VIP", Some("Key accounts: <b>handle with care</b>")),
    ("Trial users", Some("")),
    ("Black Friday 2024", Some("Campaign audience")),
    ("Partners", None),
    ("Wiadomości po polsku", Some("Zażółć gęślą jaźń")),
    ("日本のお客様", Some("Japanese-speaking buyers")),
    ("Churned", Some("Left in the last year")),
    ("Event/Berlin", None),
    ("Imported 2023-10", Some("CSV import")),
];

fn routes() -> Vec<Route> {
    vec![
        Route::get("lists/", list_lists),
        Route::post("lists/", create("lists")),
        Route::put("lists/{id}/", update_list),
        Route::delete("lists/{id}/", delete("lists")),
        Route::get(
            "lists/{id}/users/",
            list("users")
                .within("lists", "id")
                .filter(|call: &Call<'_>| {
                    let wanted = call.id("id");
                    Some(Box::new(move |user: &Value| on_list(user, wanted)) as Predicate)
                })
                .view(users::view),
        ),
    ]
}

/// A seeded list: the names above, numbered past the first round.
fn list_item(draw: &mut Draw<'_>) -> Value {
    let index = draw.index();
    let count = NAMES.len() as u64;
    let (name, description) = usize::try_from(index % count)
        .ok()
        .and_then(|i| NAMES.get(i))
        .copied()
        .unwrap_or(("List", None));
    let name = match index / count {
        0 => name.to_owned(),
        round => format!("{name} {}", round + 1),
    };
    json!({"id": draw.id(), "name": name, "description": description})
}

/// Whether `user`'s `lists` holds the list `wanted`, as an id or as `{"id": …}`.
fn on_list(user: &Value, wanted: Option<i64>) -> bool {
    let Some(wanted) = wanted else {
        return false;
    };
    user.get("lists")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|entry| entry.as_i64().or_else(|| entry.get("id")?.as_i64()) == Some(wanted))
}

/// `GET lists/`: a cursor-positioned page, linked to the next without the trailing slash.
fn list_lists(call: &Call<'_>, store: &mut Store) -> Reply {
    let total = store.len("lists");
    let size = call.page_size.max(1);
    let offset = match call.query("cursor") {
        None => 0,
        Some(cursor) => match cursor.parse::<u64>() {
            Ok(position) if position < total => position,
            _ => return Reply::detail(StatusCode::NOT_FOUND, "Invalid cursor"),
        },
    };
    let results = store.page("lists", offset, size);
    let next = offset
        .checked_add(size)
        .filter(|&position| position < total)
        .map(|position| format!("http://{}/api/public/lists?cursor={position}", call.host));
    Reply::json(
        StatusCode::OK,
        json!({"count": total, "next": next, "results": results}),
    )
}

/// `PUT lists/{id}/`: the fields the body names, checked; the others kept.
fn update_list(call: &Call<'_>, store: &mut Store) -> Reply {
    let Some((id, existing)) = call
        .id("id")
        .and_then(|id| Some((id, store.get("lists", id)?)))
    else {
        return Reply::not_found();
    };
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let unique = Unique {
        store,
        collection: "lists",
        item_name: "list",
        except: Some(id),
    };
    let fields = match validate(UPDATE_FIELDS, &body, Some(&unique)) {
        Ok(fields) => fields,
        Err(errors) => return Reply::invalid(errors),
    };
    let mut item = existing;
    if let Value::Object(stored) = &mut item {
        stored.extend(fields);
    }
    if !store.replace("lists", id, item.clone()) {
        return Reply::not_found();
    }
    Reply::json(StatusCode::OK, item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_reads_ids_and_objects() {
        assert!(on_list(&json!({"lists": [100, 7]}), Some(7)));
        assert!(on_list(
            &json!({"lists": [{"id": 7, "name": "x"}]}),
            Some(7)
        ));
        assert!(!on_list(&json!({"lists": []}), Some(7)));
        assert!(!on_list(&json!({"lists": [7]}), None));
        assert!(!on_list(&json!({}), Some(7)));
    }
}
