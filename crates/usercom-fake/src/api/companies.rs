//! Companies, in the v2 shape (`custom_id`, tags as `{id, name}`, custom attributes as
//! top-level keys).
//!
//! No routes yet (the core has no companies group): tags refer to them.

use serde_json::{Value, json};

use crate::api::{Group, users};
use crate::seed::{Draw, ascii_lower, epoch};
use crate::store::{Collection, Order, Store};

/// The companies group.
pub(crate) static GROUP: Group = Group {
    collections: &[&COMPANIES],
    routes: Vec::new,
};

/// The companies: half as many as users, and at least as many as tags (so that every tag
/// is carried by a company), unless told otherwise.
pub(crate) static COMPANIES: Collection = Collection {
    name: "companies",
    item_name: "company",
    first_id: 1_000,
    order: Order::OldestFirst,
    default_size: |sizes| (sizes.get("users") / 2).max(sizes.get("tags")),
    generate: company,
    fields: &[],
};

const SUFFIXES: &[&str] = &[
    "Ltd",
    "Group",
    "GmbH",
    "S.A.",
    "sp. z o.o.",
    "Inc.",
    "株式会社",
];
const COUNTRIES: &[Option<(&str, &str)>] = &[
    Some(("Poland", "Gdańsk")),
    Some(("Germany", "Berlin")),
    Some(("United States", "Beverly Hills")),
    Some(("Japan", "Ōsaka")),
    None,
];
const SIZES: &[Option<&str>] = &[Some("1-10"), Some("11-50"), Some("51-200"), None];
const INDUSTRIES: &[Option<&str>] = &[Some("software"), Some("retail"), Some("logistics"), None];

/// A seeded company, as stored: `tags` holds tag ids, `employees` user ids.
fn company(draw: &mut Draw<'_>) -> Value {
    let index = draw.index();
    let name = format!("{} {}", users::two_words(draw), draw.rng.pick(SUFFIXES));
    let slug = ascii_lower(&name);
    let (country, city) = draw.rng.pick(COUNTRIES).unzip();
    // Every tag is carried by some company: company `i` carries tag `i mod tags`.
    let tag_count = draw.seeded("tags");
    let tags: Vec<i64> = (tag_count > 0)
        .then(|| draw.seeded_id("tags", index % tag_count))
        .flatten()
        .into_iter()
        .collect();
    let mut employees = Vec::new();
    for _ in 0..draw.rng.below(4) {
        if let Some(user) = draw.pick_id("users")
            && !employees.contains(&user)
        {
            employees.push(user);
        }
    }
    let created = draw.rng.timestamp(epoch(), 86_400 * 700);
    json!({
        "id": draw.id(),
        "name": name,
        "custom_id": draw.rng.chance(1, 2).then(|| format!("group@{index}")),
        "description": draw.rng.chance(1, 2).then_some("Seeded company <b>description</b>"),
        "email": draw.rng.chance(2, 3).then(|| format!("contact@{slug}.example.com")),
        "country": country,
        "region": null,
        "city": city,
        "address": null,
        "postal_code": draw.rng.chance(1, 2).then_some("80-001"),
        "phone_numbers": draw.rng.chance(1, 2).then(|| vec![format!("+4858{:07}", index % 10_000_000)]),
        "approx_employees": null,
        "employees": employees,
        "tags": tags,
        "created_at": created,
        "updated_at": created,
        "user_custom_id": null,
        "size": draw.rng.pick(SIZES),
        "category": null,
        // Custom attributes, flattened as the v2 API sends them.
        "industry": draw.rng.pick(INDUSTRIES),
        "founded": 1_990 + draw.rng.below(35),
    })
}

/// A company as the API shows it: tags as `{id, name}`; deleted ones left out.
pub(crate) fn view(store: &Store, company: &Value) -> Value {
    let mut shown = company.clone();
    if let Some(fields) = shown.as_object_mut() {
        let tags = crate::api::tags::references(store, company.get("tags"));
        fields.insert("tags".to_owned(), tags);
    }
    shown
}
