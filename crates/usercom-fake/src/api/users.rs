//! Users: the people of the account, in the v2 shape (`user_key`, `custom_id`, first and
//! last name, tags as `{id, name}`, custom attributes as top-level keys).
//!
//! No routes yet (the core has no users group): conversations and tags refer to them.

use serde_json::{Value, json};

use crate::api::Group;
use crate::seed::{Draw, ascii_lower, epoch, timestamp_text};
use crate::store::{Collection, Order, Store};

/// The users group.
pub(crate) static GROUP: Group = Group {
    collections: &[&USERS],
    routes: Vec::new,
};

/// The users: a quarter as many as conversations (at least 3) unless told otherwise.
pub(crate) static USERS: Collection = Collection {
    name: "users",
    item_name: "user",
    first_id: 20_000_000,
    order: Order::OldestFirst,
    default_size: |sizes| (sizes.get("conversations") / 4).max(3),
    generate: user,
    fields: &[],
};

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

/// A made-up two-word name, as User.com gives anonymous visitors ("Ivory Caribou").
pub(crate) fn two_words(draw: &mut Draw<'_>) -> String {
    format!("{} {}", draw.rng.pick(COLOURS), draw.rng.pick(THINGS))
}

/// A seeded user, as stored: `tags` holds tag ids, `companies` company ids with the date
/// the user joined them.
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
            (
                Some(first),
                Some(last),
                format!("{first} {last}"),
                Some(format!("{}.{id}@example.com", ascii_lower(last))),
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
    json!({
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
    })
}

/// A user as the API shows it: tags and companies as `{id, name, …}`; deleted ones left out.
pub(crate) fn view(store: &Store, user: &Value) -> Value {
    let mut shown = user.clone();
    if let Some(fields) = shown.as_object_mut() {
        let tags = crate::api::tags::references(store, user.get("tags"));
        fields.insert("tags".to_owned(), tags);
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
