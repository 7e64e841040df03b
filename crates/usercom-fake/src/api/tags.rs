//! Tags: labels on users and companies.
//!
//! `GET tags/`, `POST tags/`, `PUT tags/{id}/`, `DELETE tags/{id}/` (204), and the users
//! and companies that carry a tag: `GET tags/{id}/users/`, `GET tags/{id}/companies/`.

use serde_json::{Value, json};

use crate::api::{Group, companies, users};
use crate::fields::Field;
use crate::handlers::{create, delete, list, param_among, update};
use crate::routing::Route;
use crate::seed::Draw;
use crate::store::{Collection, Order, Store};

/// The tags group.
pub(crate) static GROUP: Group = Group {
    collections: &[&TAGS],
    routes,
};

/// The tags: a few dozen unless told otherwise.
pub(crate) static TAGS: Collection = Collection {
    name: "tags",
    item_name: "tag",
    first_id: 1_400,
    order: Order::OldestFirst,
    default_size: |_| 36,
    generate: tag,
    fields: &[Field::text("name").required().max_length(255).unique()],
};

fn routes() -> Vec<Route> {
    vec![
        Route::get("tags/", list("tags")),
        Route::post("tags/", create("tags")),
        Route::put("tags/{id}/", update("tags")),
        Route::delete("tags/{id}/", delete("tags")),
        Route::get(
            "tags/{id}/users/",
            list("users")
                .within("tags", "id")
                .filter(param_among("tags", "id"))
                .view(users::view),
        ),
        Route::get(
            "tags/{id}/companies/",
            list("companies")
                .within("tags", "id")
                .filter(param_among("tags", "id"))
                .view(companies::view),
        ),
    ]
}

const NAMES: &[&str] = &[
    "newsletter",
    "trial",
    "enterprise",
    "churn risk",
    "beta tester",
    "partner",
    "onboarding",
    "webinar 2024",
    "black friday",
    "support: priority",
    "lead",
    "customer",
    "reseller",
    "event/Berlin",
    "zażółć",
    "日本語",
    "needs follow-up",
    "invoice overdue",
    "annual plan",
    "monthly plan",
    "referral",
    "mobile app",
    "api user",
    "high intent",
    "demo booked",
    "cold",
    "warm",
    "hot",
    "do not contact",
    "ambassador",
    "gdpr consent",
    "imported 2023-10",
    "legacy",
    "q&a",
    "early adopter",
    "student",
];

/// A seeded tag: the names above in an order the seed turns, numbered past the first round
/// (`"trial 2"`), so no two share a name.
fn tag(draw: &mut Draw<'_>) -> Value {
    let count = NAMES.len() as u64;
    let turn = draw.seed() % count;
    let index = draw.index();
    let word = usize::try_from((index + turn) % count)
        .ok()
        .and_then(|i| NAMES.get(i))
        .copied()
        .unwrap_or("tag");
    let round = index / count;
    let name = if round == 0 {
        word.to_owned()
    } else {
        format!("{word} {}", round + 1)
    };
    json!({"id": draw.id(), "name": name})
}

/// Tags as users and companies show them: `[{id, name}]` for the ids of `ids` that still
/// exist.
pub(crate) fn references(store: &Store, ids: Option<&Value>) -> Value {
    let tags = ids
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|id| store.get("tags", id.as_i64()?))
        .map(|tag| json!({"id": tag.get("id"), "name": tag.get("name")}))
        .collect();
    Value::Array(tags)
}
