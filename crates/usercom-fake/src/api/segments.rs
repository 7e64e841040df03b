//! Segments: saved filters of users.
//!
//! `GET segments/` (the five segments of the documentation's example, ids 1033 to 1037; more
//! when the options ask for them), each with the absolute URL of its users built from the
//! request's host and a count of them, and `GET segments/{id}/users/`.
//!
//! A seeded segment selects users with a rule over their fields: Active (1033) those seen
//! at least once, New (1034) those who joined in the second half of the seeded year and a
//! bit, Slipping away (1035) known users never seen, With email (1036) those with an
//! address, New with email (1037) both. Further segments take every `n`th user.

use serde_json::{Value, json};

use crate::api::{Group, users};
use crate::handlers::{Predicate, list};
use crate::pages::page_of;
use crate::reply::Reply;
use crate::routing::{Call, Route};
use crate::seed::{Draw, after, epoch, timestamp_text};
use crate::store::{Collection, Order, Store};

/// The segments group.
pub(crate) static GROUP: Group = Group {
    collections: &[&SEGMENTS],
    routes,
};

/// The id of the first seeded segment (`Active` in the documentation).
const FIRST_ID: i64 = 1_033;

/// The segments: the documentation's five unless told otherwise.
pub(crate) static SEGMENTS: Collection = Collection {
    name: "segments",
    item_name: "segment",
    first_id: FIRST_ID,
    order: Order::OldestFirst,
    default_size: |_| DOCUMENTED.len() as u64,
    generate: segment,
    fields: &[],
};

/// The documentation's segments, in id order; only Active's description is documented.
const DOCUMENTED: &[(&str, &str)] = &[
    (
        "Active",
        "Users who have visited your website at least once in the last 30 days.",
    ),
    ("New", "Users who signed up in the last 30 days."),
    (
        "Slipping away",
        "Users who have not visited your website in the last 30 days.",
    ),
    ("With email", "Users with an email address."),
    (
        "New with email",
        "Users with an email address who signed up in the last 30 days.",
    ),
];

fn routes() -> Vec<Route> {
    vec![
        Route::get("segments/", list_segments),
        Route::get(
            "segments/{id}/users/",
            list("users")
                .within("segments", "id")
                .filter(|call: &Call<'_>| {
                    let rule = call.id("id").map_or(Rule::Nobody, rule_of);
                    Some(Box::new(move |user: &Value| rule.selects(user)) as Predicate)
                })
                .view(users::view),
        ),
    ]
}

/// A seeded segment, as stored (its `users` URL and count are added when it is shown).
fn segment(draw: &mut Draw<'_>) -> Value {
    let index = draw.index();
    let (name, description) = match usize::try_from(index).ok().and_then(|i| DOCUMENTED.get(i)) {
        Some((name, description)) => ((*name).to_owned(), (*description).to_owned()),
        None => (
            format!("Every {} user", ordinal(index + 1)),
            format!("One user in {}, by id.", index + 1),
        ),
    };
    let counted = draw.rng.timestamp(after(epoch(), 86_400 * 700), 86_400);
    json!({
        "name": name,
        "description": description,
        "id": draw.id(),
        "too_heavy": false,
        "update_interval": 240,
        "last_counted": counted,
        "updated_at": counted,
    })
}

fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Which users a segment selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Active,
    New,
    SlippingAway,
    WithEmail,
    NewWithEmail,
    /// Users whose id is a multiple of this.
    EveryNth(i64),
    Nobody,
}

fn rule_of(id: i64) -> Rule {
    match id - FIRST_ID {
        0 => Rule::Active,
        1 => Rule::New,
        2 => Rule::SlippingAway,
        3 => Rule::WithEmail,
        4 => Rule::NewWithEmail,
        n if n > 4 => Rule::EveryNth(n + 1),
        _ => Rule::Nobody,
    }
}

impl Rule {
    fn selects(self, user: &Value) -> bool {
        let has = |field: &str| user.get(field).is_some_and(|v| !v.is_null());
        let new = || {
            let joined = user.get("created_at").and_then(Value::as_str);
            let since = timestamp_text(after(epoch(), 86_400 * 350));
            // Both are RFC 3339 UTC texts of the same form, so they sort as they compare.
            joined.is_some_and(|joined| joined >= since.as_str())
        };
        match self {
            Rule::Active => has("last_seen"),
            Rule::New => new(),
            Rule::SlippingAway => !has("last_seen") && user.get("status") == Some(&"user".into()),
            Rule::WithEmail => has("email"),
            Rule::NewWithEmail => has("email") && new(),
            Rule::EveryNth(n) => user
                .get("id")
                .and_then(Value::as_i64)
                .is_some_and(|id| n > 0 && id % n == 0),
            Rule::Nobody => false,
        }
    }
}

/// `GET segments/`: pages of segments as the API shows them, with the URL of their users
/// (absolute, built from the request's host) and how many there are.
fn list_segments(call: &Call<'_>, store: &mut Store) -> Reply {
    let store = &*store;
    page_of(call, store.len("segments"), |offset, limit| {
        store
            .page("segments", offset, limit)
            .iter()
            .map(|segment| view(call, store, segment))
            .collect()
    })
}

/// The segments (as stored) whose rule selects `user`: what `users/{id}/segments/` lists, so
/// that a user's segments and a segment's users agree.
#[allow(
    dead_code,
    reason = "for the users group's users/{id}/segments/, which reads the same membership"
)]
pub(crate) fn segments_of(store: &Store, user: &Value) -> Vec<Value> {
    store
        .items("segments")
        .filter(|segment| {
            let id = segment
                .get("id")
                .and_then(Value::as_i64)
                .unwrap_or_default();
            rule_of(id).selects(user)
        })
        .collect()
}

fn view(call: &Call<'_>, store: &Store, segment: &Value) -> Value {
    let mut shown = segment.clone();
    let id = segment
        .get("id")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    let rule = rule_of(id);
    let count = store.items("users").filter(|u| rule.selects(u)).count();
    if let Some(fields) = shown.as_object_mut() {
        fields.insert(
            "users".to_owned(),
            Value::from(format!(
                "http://{}/api/public/segments/{id}/users/",
                call.host
            )),
        );
        fields.insert("object_count".to_owned(), Value::from(count));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_select_by_the_documented_meaning() {
        let seen = json!({"id": 6, "last_seen": "2018-01-01T00:00:00Z", "status": "user",
                          "email": null, "created_at": "2017-06-01T00:00:00Z"});
        let lost = json!({"id": 7, "last_seen": null, "status": "user",
                          "email": "a@example.com", "created_at": "2019-01-01T00:00:00Z"});
        assert!(Rule::Active.selects(&seen) && !Rule::Active.selects(&lost));
        assert!(Rule::SlippingAway.selects(&lost) && !Rule::SlippingAway.selects(&seen));
        assert!(Rule::New.selects(&lost) && !Rule::New.selects(&seen));
        assert!(Rule::NewWithEmail.selects(&lost) && !Rule::WithEmail.selects(&seen));
        assert!(rule_of(1039).selects(&json!({"id": 14})));
        assert!(!rule_of(1039).selects(&json!({"id": 15})));
        assert_eq!(rule_of(1032), Rule::Nobody);
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
    }

    #[test]
    fn a_users_segments_are_those_that_select_it() {
        use crate::store::Sizes;
        use std::collections::BTreeMap;
        let collections = [&SEGMENTS];
        let explicit = BTreeMap::from([("segments".to_owned(), 7)]);
        let store = Store::new(1, &collections, &Sizes::new(&explicit, &collections));
        let lost = json!({"id": 42, "last_seen": null, "status": "user",
                          "email": "a@example.com", "created_at": "2019-01-01T00:00:00Z"});
        let ids: Vec<i64> = segments_of(&store, &lost)
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        // New, Slipping away, With email, New with email; every 6th and every 7th user.
        assert_eq!(ids, [1034, 1035, 1036, 1037, 1038, 1039]);
    }
}
