//! Companies, in the v2 shape (`custom_id`, tags as `{id, name}`, members as `employees`,
//! custom attributes as top-level keys).
//!
//! `GET companies/`, `POST companies/` (201), and by numeric id (`companies/{id}/…`) or by
//! custom id (`companies-by-id/{custom_id}/…`, percent-decoded): `GET`, `PUT` (only the
//! fields sent change), `DELETE` (204), and `POST` to `add_tag/`, `remove_tag/`,
//! `set_attribute/` and `set_multiple_attributes/`. Members: `POST companies/{id}/add_member/`
//! and `…/remove_member/`, by user id, user custom id, or both.
//!
//! Writes answer DRF-style 400s naming each wrong field: `name` is required on create, a key
//! that is neither a documented field nor one of the account's company attributes
//! (`ATTRIBUTES`) is refused, and attribute values are checked against their type. Tags are
//! written by name (a new name creates the tag).
//!
//! A custom id of the seeded form (`group@{index}`) is found by arithmetic; any other is
//! looked for among every company, as is a uniqueness check. Listing pages cost what one page
//! costs.

use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::api::{Group, users};
use crate::fields::{Field, python_type, validate};
use crate::handlers::list;
use crate::reply::Reply;
use crate::routing::{Call, Route};
use crate::seed::{Draw, ascii_lower, epoch, timestamp_text};
use crate::store::{Collection, Order, Store};

/// The companies group.
pub(crate) static GROUP: Group = Group {
    collections: &[&COMPANIES],
    routes,
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
    fields: FIELDS,
};

/// The documented fields a create or an update takes. `name` is also required on create.
const FIELDS: &[Field] = &[
    Field::text("name").max_length(255),
    Field::text("custom_id").nullable().max_length(255),
    Field::text("description").nullable().blank(),
    Field::text("email").nullable().blank().max_length(254),
    Field::text("country").nullable().blank().max_length(255),
    Field::text("region").nullable().blank().max_length(255),
    Field::text("city").nullable().blank().max_length(255),
    Field::text("address").nullable().blank().max_length(255),
    Field::text("postal_code").nullable().blank().max_length(32),
    Field::integer("size").nullable(),
    Field::json("phone_numbers").nullable(),
    Field::json("tags"),
    Field::text("user_custom_id").nullable(),
    Field::primary_key("assigned_to").nullable(),
    Field::text("created_at"),
    Field::text("updated_at"),
];

/// Keys a write may carry that the API sets itself: ignored, as DRF ignores read-only fields.
const READ_ONLY: &[&str] = &["id", "employees"];

/// What a company attribute holds.
#[derive(Debug, Clone, Copy)]
enum Holds {
    /// One of these names.
    Choice(&'static [&'static str]),
    /// Several of these names: a JSON array.
    Choices(&'static [&'static str]),
    /// An integer.
    Integer,
    /// A number.
    Float,
    /// `true` or `false`.
    Boolean,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// Any JSON.
    Json,
}

const INDUSTRIES: &[&str] = &["software", "retail", "logistics", "manufacturing"];
const STACK: &[&str] = &["rust", "python", "postgres", "kafka", "php"];

/// The company attributes the account defines (`name_std` and what it holds), so that
/// companies carry custom attributes of every JSON type, as v2 sends them.
const ATTRIBUTES: &[(&str, Holds)] = &[
    ("industry", Holds::Choice(INDUSTRIES)),
    ("founded", Holds::Integer),
    ("mrr", Holds::Float),
    ("partner", Holds::Boolean),
    ("tech_stack", Holds::Choices(STACK)),
    ("renewal_on", Holds::Date),
    ("profile", Holds::Json),
];

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
const SIZES: &[Option<i64>] = &[Some(8), Some(40), Some(150), Some(1_200), None];

/// The seeded custom id of the company at `index`: every one but each fourth has one.
fn seeded_custom_id(index: u64) -> Option<String> {
    (index % 4 != 3).then(|| format!("group@{index}"))
}

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
    let joined = draw.rng.instant(epoch(), 86_400 * 700);
    let changed = draw.rng.timestamp(joined, 86_400 * 300);
    let stack: Vec<&str> = STACK
        .iter()
        .copied()
        .filter(|_| draw.rng.chance(1, 3))
        .collect();
    let cents = i32::try_from(draw.rng.below(2_000_000)).unwrap_or(0);
    json!({
        "id": draw.id(),
        "name": name,
        "custom_id": seeded_custom_id(index),
        "description": draw.rng.chance(1, 2).then_some("Seeded company <b>description</b>"),
        "email": draw.rng.chance(2, 3).then(|| format!("contact@{slug}.example.com")),
        "country": country,
        "region": null,
        "city": city,
        "address": null,
        "postal_code": draw.rng.chance(1, 2).then_some("80-001"),
        "size": draw.rng.pick(SIZES),
        "phone_numbers": draw.rng.chance(1, 2).then(|| vec![format!("+4858{:07}", index % 10_000_000)]),
        "tags": tags,
        "employees": employees,
        "user_custom_id": null,
        "created_at": timestamp_text(joined),
        "updated_at": changed,
        "category": null,
        // Custom attributes, flattened as the v2 API sends them.
        "industry": draw.rng.pick(&[Some("software"), Some("retail"), Some("logistics"), None]),
        "founded": draw.rng.chance(4, 5).then(|| 1_990 + draw.rng.below(35)),
        "mrr": draw.rng.chance(2, 3).then(|| f64::from(cents) / 100.0),
        "partner": draw.rng.chance(1, 4),
        "tech_stack": stack,
        "renewal_on": draw.rng.chance(1, 2).then(|| format!(
            "{}-{:02}-{:02}",
            2024 + draw.rng.below(3),
            1 + draw.rng.below(12),
            1 + draw.rng.below(28)
        )),
        "profile": draw.rng.chance(1, 2).then(|| json!({
            "tier": 1 + draw.rng.below(3),
            "regions": ["EMEA"],
            "notes": null,
        })),
    })
}

/// A company as the API shows it: tags as `{id, name}`, and only the members and tags that
/// still exist.
pub(crate) fn view(store: &Store, company: &Value) -> Value {
    let mut shown = company.clone();
    if let Some(fields) = shown.as_object_mut() {
        let tags = crate::api::tags::references(store, company.get("tags"));
        fields.insert("tags".to_owned(), tags);
        if let Some(Value::Array(employees)) = fields.get_mut("employees") {
            employees.retain(|user| {
                user.as_i64()
                    .is_some_and(|id| store.get("users", id).is_some())
            });
        }
    }
    shown
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

/// How a route names its company.
#[derive(Debug, Clone, Copy)]
enum By {
    /// `companies/{id}/…`: the numeric id.
    Id,
    /// `companies-by-id/{id}/…`: the custom id.
    CustomId,
}

/// What a route does to the company it names: its id and the company as stored.
type Action = fn(&Call<'_>, &mut Store, i64, Value) -> Reply;

fn routes() -> Vec<Route> {
    let mut routes = vec![
        Route::get("companies/", list("companies").view(view)),
        Route::post("companies/", create),
        Route::post(
            "companies/{id}/add_member/",
            |call: &Call<'_>, store: &mut Store| on_company(call, store, By::Id, add_member),
        ),
        Route::post(
            "companies/{id}/remove_member/",
            |call: &Call<'_>, store: &mut Store| on_company(call, store, By::Id, remove_member),
        ),
    ];
    let both: [(Method, [&'static str; 2], Action); 7] = [
        (
            Method::GET,
            ["companies/{id}/", "companies-by-id/{id}/"],
            show,
        ),
        (
            Method::PUT,
            ["companies/{id}/", "companies-by-id/{id}/"],
            update,
        ),
        (
            Method::DELETE,
            ["companies/{id}/", "companies-by-id/{id}/"],
            remove,
        ),
        (
            Method::POST,
            ["companies/{id}/add_tag/", "companies-by-id/{id}/add_tag/"],
            add_tag,
        ),
        (
            Method::POST,
            [
                "companies/{id}/remove_tag/",
                "companies-by-id/{id}/remove_tag/",
            ],
            remove_tag,
        ),
        (
            Method::POST,
            [
                "companies/{id}/set_attribute/",
                "companies-by-id/{id}/set_attribute/",
            ],
            set_attribute,
        ),
        (
            Method::POST,
            [
                "companies/{id}/set_multiple_attributes/",
                "companies-by-id/{id}/set_multiple_attributes/",
            ],
            set_attributes,
        ),
    ];
    for (method, [by_id, by_custom_id], action) in both {
        routes.push(Route::new(
            method.clone(),
            by_id,
            move |call: &Call<'_>, store: &mut Store| on_company(call, store, By::Id, action),
        ));
        routes.push(Route::new(
            method,
            by_custom_id,
            move |call: &Call<'_>, store: &mut Store| on_company(call, store, By::CustomId, action),
        ));
    }
    routes
}

/// Finds the company the path names (404 when there is none), then does `action` to it.
fn on_company(call: &Call<'_>, store: &mut Store, by: By, action: Action) -> Reply {
    let found = match by {
        By::Id => call.id("id").and_then(|id| store.get("companies", id)),
        By::CustomId => call
            .param("id")
            .and_then(|custom_id| company_by_custom_id(store, custom_id)),
    };
    let Some(company) = found else {
        return Reply::not_found();
    };
    match company.get("id").and_then(Value::as_i64) {
        Some(id) => action(call, store, id, company),
        None => Reply::broken("a stored company has no id"),
    }
}

/// The item of `collection` whose `custom_id` is `custom_id`: for one of the seeded form
/// (`{prefix}{index}`), the seeded item at that index, if it still has it; otherwise the
/// first item that has it, looked for among them all.
fn by_custom_id(
    store: &Store,
    collection: &str,
    prefixes: &[&str],
    custom_id: &str,
) -> Option<Value> {
    let has_it = |item: &Value| item.get("custom_id").and_then(Value::as_str) == Some(custom_id);
    prefixes
        .iter()
        .find_map(|prefix| custom_id.strip_prefix(prefix))
        .and_then(|index| index.parse::<u64>().ok())
        .and_then(|index| store.seeded_id(collection, index))
        .and_then(|id| store.get(collection, id))
        .filter(has_it)
        .or_else(|| store.items(collection).find(has_it))
}

fn company_by_custom_id(store: &Store, custom_id: &str) -> Option<Value> {
    by_custom_id(store, "companies", &["group@"], custom_id)
}

/// The user with this custom id (the users group seeds `user@{index}` and `crm/{index}`).
fn user_by_custom_id(store: &Store, custom_id: &str) -> Option<Value> {
    by_custom_id(store, "users", &["user@", "crm/"], custom_id)
}

fn message(text: &str) -> Value {
    Value::Array(vec![Value::from(text)])
}

fn not_found_by(field: &str, value: &str) -> Value {
    message(&format!("Object with {field}={value} does not exist."))
}

fn no_such_attribute() -> Value {
    message("There is no company attribute with this name.")
}

// ---------------------------------------------------------------------------------------------
// Checking writes
// ---------------------------------------------------------------------------------------------

/// A custom attribute's value, cleaned, or DRF's message for what is wrong with it.
fn clean_attribute(holds: Holds, value: &Value) -> Result<Value, String> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let not_a_choice = |value: &Value| {
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        format!("\"{text}\" is not a valid choice.")
    };
    match holds {
        Holds::Choice(choices) => match value.as_str() {
            Some(text) if choices.contains(&text) => Ok(value.clone()),
            _ => Err(not_a_choice(value)),
        },
        Holds::Choices(choices) => {
            let Some(items) = value.as_array() else {
                return Err(format!(
                    "Expected a list of items but got type \"{}\".",
                    python_type(value)
                ));
            };
            match items
                .iter()
                .find(|item| !item.as_str().is_some_and(|text| choices.contains(&text)))
            {
                Some(bad) => Err(not_a_choice(bad)),
                None => Ok(value.clone()),
            }
        }
        Holds::Integer => match value {
            Value::Number(number) if number.is_i64() => Ok(value.clone()),
            Value::String(text) => text
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| "A valid integer is required.".to_owned()),
            _ => Err("A valid integer is required.".to_owned()),
        },
        Holds::Float => match value {
            Value::Number(_) => Ok(value.clone()),
            Value::String(text) => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|number| number.is_finite())
                .map(Value::from)
                .ok_or_else(|| "A valid number is required.".to_owned()),
            _ => Err("A valid number is required.".to_owned()),
        },
        Holds::Boolean => match value {
            Value::Bool(_) => Ok(value.clone()),
            _ => Err("Must be a valid boolean.".to_owned()),
        },
        Holds::Date => value
            .as_str()
            .and_then(|text| text.parse::<jiff::civil::Date>().ok())
            .map(|date| Value::from(date.to_string()))
            .ok_or_else(|| {
                "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.".to_owned()
            }),
        Holds::Json => Ok(value.clone()),
    }
}

fn attribute(name: &str) -> Option<Holds> {
    ATTRIBUTES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, holds)| *holds)
}

/// A list of text (`phone_numbers`, `tags`), each entry trimmed and not blank.
fn clean_texts(value: &Value) -> Result<Value, String> {
    let Some(items) = value.as_array() else {
        return Err(format!(
            "Expected a list of items but got type \"{}\".",
            python_type(value)
        ));
    };
    items
        .iter()
        .map(|item| match item.as_str().map(str::trim) {
            Some("") => Err("This field may not be blank.".to_owned()),
            Some(text) => Ok(Value::from(text)),
            None => Err("Not a valid string.".to_owned()),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

/// The changes a create (`company` is `None`) or an update asks for, cleaned, or the DRF
/// error body naming every field that is wrong.
fn clean(
    store: &Store,
    body: &Map<String, Value>,
    company: Option<i64>,
) -> Result<Map<String, Value>, Value> {
    // Field by field, so that the fields that are right get their further checks too.
    let (mut changes, mut errors) = (Map::new(), Map::new());
    for field in FIELDS {
        match validate(std::slice::from_ref(field), body, None) {
            Ok(cleaned) => changes.extend(cleaned),
            Err(Value::Object(wrong)) => errors.extend(wrong),
            Err(other) => {
                errors.insert(field.name.to_owned(), other);
            }
        }
    }
    if company.is_none() && !body.contains_key("name") {
        errors.insert("name".to_owned(), message("This field is required."));
    }
    let mut fail = |field: &str, text: String| {
        errors.insert(field.to_owned(), message(&text));
    };
    if let Some(Value::String(email)) = changes.get("email")
        && !email.is_empty()
        && !email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
    {
        fail("email", "Enter a valid email address.".to_owned());
    }
    for field in ["phone_numbers", "tags"] {
        match changes.get(field) {
            Some(Value::Null) | None => {}
            Some(value) => match clean_texts(value) {
                Ok(texts) => {
                    changes.insert(field.to_owned(), texts);
                }
                Err(text) => fail(field, text),
            },
        }
    }
    for field in ["created_at", "updated_at"] {
        if let Some(Value::String(text)) = changes.get(field) {
            match text.parse::<jiff::Timestamp>() {
                Ok(at) => {
                    changes.insert(field.to_owned(), Value::from(timestamp_text(at)));
                }
                Err(_) => fail(
                    field,
                    "Datetime has wrong format. Use one of these formats instead: \
                     YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                        .to_owned(),
                ),
            }
        }
    }
    if let Some(Value::String(custom_id)) = changes.get("custom_id")
        && let Some(other) = company_by_custom_id(store, custom_id)
        && other.get("id").and_then(Value::as_i64) != company
    {
        fail(
            "custom_id",
            "company with this custom_id already exists.".to_owned(),
        );
    }
    if let Some(Value::String(user)) = changes.get("user_custom_id")
        && user_by_custom_id(store, user).is_none()
    {
        errors.insert("user_custom_id".to_owned(), not_found_by("custom_id", user));
    }
    for (key, value) in body {
        if FIELDS.iter().any(|field| field.name == key) || READ_ONLY.contains(&key.as_str()) {
            continue;
        }
        match attribute(key).map(|holds| clean_attribute(holds, value)) {
            Some(Ok(value)) => {
                changes.insert(key.clone(), value);
            }
            Some(Err(text)) => {
                errors.insert(key.clone(), message(&text));
            }
            None => {
                errors.insert(key.clone(), no_such_attribute());
            }
        }
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(Value::Object(errors))
    }
}

/// The id of the tag named `name`, created when there is none; whether it was created.
fn tag_named(store: &mut Store, name: &str) -> Option<(i64, bool)> {
    let existing = store
        .items("tags")
        .find(|tag| tag.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|tag| tag.get("id").and_then(Value::as_i64));
    if let Some(id) = existing {
        return Some((id, false));
    }
    let fields = Map::from_iter([("name".to_owned(), Value::from(name))]);
    let created = store.create("tags", fields)?;
    created
        .get("id")
        .and_then(Value::as_i64)
        .map(|id| (id, true))
}

/// Adds `user` to the company's employees, once.
fn add_employee(company: &mut Map<String, Value>, user: i64) {
    let employees = company
        .entry("employees")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(ids) = employees
        && !ids.iter().any(|id| id.as_i64() == Some(user))
    {
        ids.push(Value::from(user));
    }
}

/// Applies cleaned changes to a stored company: tag names become tag ids (new names new
/// tags) and `user_custom_id` also makes that user a member.
fn apply(store: &mut Store, company: &mut Map<String, Value>, changes: Map<String, Value>) {
    for (key, value) in changes {
        match key.as_str() {
            "tags" => {
                let mut ids: Vec<Value> = Vec::new();
                for name in value.as_array().into_iter().flatten() {
                    if let Some((id, _)) = name.as_str().and_then(|name| tag_named(store, name))
                        && !ids.contains(&Value::from(id))
                    {
                        ids.push(Value::from(id));
                    }
                }
                company.insert(key, Value::Array(ids));
            }
            "user_custom_id" => {
                let user = value
                    .as_str()
                    .and_then(|custom_id| user_by_custom_id(store, custom_id))
                    .and_then(|user| user.get("id").and_then(Value::as_i64));
                if let Some(user) = user {
                    add_employee(company, user);
                }
                company.insert(key, value);
            }
            _ => {
                company.insert(key, value);
            }
        }
    }
}

/// Stamps a company as changed now.
fn touch(call: &Call<'_>, company: &mut Map<String, Value>) {
    company.insert(
        "updated_at".to_owned(),
        Value::from(timestamp_text(call.now)),
    );
}

/// Stores a changed company; 200 with it.
fn save(store: &mut Store, id: i64, company: Map<String, Value>) -> Reply {
    let company = Value::Object(company);
    if !store.replace("companies", id, company.clone()) {
        return Reply::not_found();
    }
    Reply::json(StatusCode::OK, view(store, &company))
}

fn as_object(company: Value) -> Map<String, Value> {
    match company {
        Value::Object(fields) => fields,
        _ => Map::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

/// `POST companies/`: 201 with the new company.
fn create(call: &Call<'_>, store: &mut Store) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let changes = match clean(store, &body, None) {
        Ok(changes) => changes,
        Err(errors) => return Reply::invalid(errors),
    };
    let now = Value::from(timestamp_text(call.now));
    let mut company = Map::new();
    for field in FIELDS {
        if !matches!(field.name, "assigned_to") {
            company.insert(field.name.to_owned(), Value::Null);
        }
    }
    company.insert("tags".to_owned(), Value::Array(Vec::new()));
    company.insert("employees".to_owned(), Value::Array(Vec::new()));
    company.insert("category".to_owned(), Value::Null);
    company.insert("created_at".to_owned(), now.clone());
    company.insert("updated_at".to_owned(), now);
    for (name, holds) in ATTRIBUTES {
        let empty = match holds {
            Holds::Choices(_) => Value::Array(Vec::new()),
            Holds::Boolean => Value::Bool(false),
            _ => Value::Null,
        };
        company.insert((*name).to_owned(), empty);
    }
    apply(store, &mut company, changes);
    match store.create("companies", company) {
        Some(created) => Reply::json(StatusCode::CREATED, view(store, &created)),
        None => Reply::broken("the companies collection is missing"),
    }
}

/// `GET`: the company.
fn show(_: &Call<'_>, store: &mut Store, _: i64, company: Value) -> Reply {
    Reply::json(StatusCode::OK, view(store, &company))
}

/// `PUT`: the fields sent change, the others stay; 200 with the company.
fn update(call: &Call<'_>, store: &mut Store, id: i64, company: Value) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let changes = match clean(store, &body, Some(id)) {
        Ok(changes) => changes,
        Err(errors) => return Reply::invalid(errors),
    };
    let mut company = as_object(company);
    touch(call, &mut company);
    apply(store, &mut company, changes);
    save(store, id, company)
}

/// `DELETE`: 204.
fn remove(_: &Call<'_>, store: &mut Store, id: i64, _: Value) -> Reply {
    if store.delete("companies", id) {
        Reply::empty(StatusCode::NO_CONTENT)
    } else {
        Reply::not_found()
    }
}

/// The tag name of an `add_tag`/`remove_tag` body, or the 400 for it.
fn tag_name(call: &Call<'_>) -> Result<String, Reply> {
    let body = call.json_object()?;
    let fields = [Field::text("name").required().max_length(255)];
    let cleaned = validate(&fields, &body, None).map_err(Reply::invalid)?;
    Ok(cleaned
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned())
}

/// `POST add_tag/`: `{"created": <whether the tag is new>, "tag": {id, name}}`.
fn add_tag(call: &Call<'_>, store: &mut Store, id: i64, company: Value) -> Reply {
    let name = match tag_name(call) {
        Ok(name) => name,
        Err(reply) => return reply,
    };
    let Some((tag, created)) = tag_named(store, &name) else {
        return Reply::broken("the tags collection is missing");
    };
    let mut company = as_object(company);
    let tags = company
        .entry("tags")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(ids) = tags
        && !ids.iter().any(|id| id.as_i64() == Some(tag))
    {
        ids.push(Value::from(tag));
    }
    touch(call, &mut company);
    let reply = save(store, id, company);
    if reply.status != StatusCode::OK {
        return reply;
    }
    Reply::json(
        StatusCode::OK,
        json!({"created": created, "tag": {"id": tag, "name": name}}),
    )
}

/// `POST remove_tag/`: 200 with the company; 400 when no tag has the name.
fn remove_tag(call: &Call<'_>, store: &mut Store, id: i64, company: Value) -> Reply {
    let name = match tag_name(call) {
        Ok(name) => name,
        Err(reply) => return reply,
    };
    let tag = store
        .items("tags")
        .find(|tag| tag.get("name").and_then(Value::as_str) == Some(name.as_str()))
        .and_then(|tag| tag.get("id").and_then(Value::as_i64));
    let Some(tag) = tag else {
        return Reply::invalid(json!({ "name": not_found_by("name", &name) }));
    };
    let mut company = as_object(company);
    if let Some(Value::Array(ids)) = company.get_mut("tags") {
        ids.retain(|id| id.as_i64() != Some(tag));
    }
    touch(call, &mut company);
    save(store, id, company)
}

/// `POST set_attribute/` with `{attribute, value}`: 200 with the company.
fn set_attribute(call: &Call<'_>, store: &mut Store, id: i64, company: Value) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let fields = [
        Field::text("attribute").required(),
        Field::json("value").required().nullable(),
    ];
    let cleaned = match validate(&fields, &body, None) {
        Ok(cleaned) => cleaned,
        Err(errors) => return Reply::invalid(errors),
    };
    let name = cleaned
        .get("attribute")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(holds) = attribute(name) else {
        return Reply::invalid(json!({ "attribute": no_such_attribute() }));
    };
    let value = match clean_attribute(holds, cleaned.get("value").unwrap_or(&Value::Null)) {
        Ok(value) => value,
        Err(text) => return Reply::invalid(json!({ "value": message(&text) })),
    };
    let mut company = as_object(company);
    company.insert(name.to_owned(), value);
    touch(call, &mut company);
    save(store, id, company)
}

/// `POST set_multiple_attributes/` with `{name: value, …}`: 200 with the company.
fn set_attributes(call: &Call<'_>, store: &mut Store, id: i64, company: Value) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    if body.is_empty() {
        return Reply::invalid(json!({"non_field_errors": ["No attributes to set."]}));
    }
    let mut cleaned = Map::new();
    let mut errors = Map::new();
    for (name, value) in &body {
        match attribute(name).map(|holds| clean_attribute(holds, value)) {
            Some(Ok(value)) => {
                cleaned.insert(name.clone(), value);
            }
            Some(Err(text)) => {
                errors.insert(name.clone(), message(&text));
            }
            None => {
                errors.insert(name.clone(), no_such_attribute());
            }
        }
    }
    if !errors.is_empty() {
        return Reply::invalid(Value::Object(errors));
    }
    let mut company = as_object(company);
    company.extend(cleaned);
    touch(call, &mut company);
    save(store, id, company)
}

/// The user a membership body names: by `user_id`, `user_custom_id`, or both (which must
/// name the same user); or the 400 for it.
fn member(call: &Call<'_>, store: &Store) -> Result<i64, Reply> {
    let body = call.json_object()?;
    let fields = [
        Field::primary_key("user_id").nullable(),
        Field::text("user_custom_id").nullable(),
    ];
    let cleaned = validate(&fields, &body, None).map_err(Reply::invalid)?;
    let by_id = match cleaned.get("user_id").and_then(Value::as_i64) {
        None => None,
        Some(id) if store.get("users", id).is_some() => Some(id),
        Some(id) => {
            return Err(Reply::invalid(json!({
                "user_id": [format!("Invalid pk \"{id}\" - object does not exist.")]
            })));
        }
    };
    let by_custom_id = match cleaned.get("user_custom_id").and_then(Value::as_str) {
        None => None,
        Some(custom_id) => match user_by_custom_id(store, custom_id)
            .and_then(|user| user.get("id").and_then(Value::as_i64))
        {
            Some(id) => Some(id),
            None => {
                return Err(Reply::invalid(json!({
                    "user_custom_id": not_found_by("custom_id", custom_id)
                })));
            }
        },
    };
    match (by_id, by_custom_id) {
        (Some(a), Some(b)) if a != b => Err(Reply::invalid(json!({
            "non_field_errors": ["user_id and user_custom_id name different users."]
        }))),
        (Some(user), _) | (None, Some(user)) => Ok(user),
        (None, None) => Err(Reply::invalid(json!({
            "non_field_errors": ["Send user_id or user_custom_id."]
        }))),
    }
}

/// `POST add_member/`: the user joins the company's employees; 200 with the company.
fn add_member(call: &Call<'_>, store: &mut Store, id: i64, company: Value) -> Reply {
    let user = match member(call, store) {
        Ok(user) => user,
        Err(reply) => return reply,
    };
    let mut company = as_object(company);
    add_employee(&mut company, user);
    touch(call, &mut company);
    save(store, id, company)
}

/// `POST remove_member/`: the user leaves the company's employees; 200 with the company.
fn remove_member(call: &Call<'_>, store: &mut Store, id: i64, company: Value) -> Reply {
    let user = match member(call, store) {
        Ok(user) => user,
        Err(reply) => return reply,
    };
    let mut company = as_object(company);
    if let Some(Value::Array(ids)) = company.get_mut("employees") {
        ids.retain(|id| id.as_i64() != Some(user));
    }
    touch(call, &mut company);
    save(store, id, company)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_values_are_checked_against_their_type() {
        let ok = [
            (Holds::Integer, json!("12"), json!(12)),
            (Holds::Float, json!(2), json!(2)),
            (Holds::Float, json!("2.5"), json!(2.5)),
            (Holds::Choice(INDUSTRIES), json!("retail"), json!("retail")),
            (Holds::Choices(STACK), json!(["rust"]), json!(["rust"])),
            (Holds::Date, json!("2025-02-03"), json!("2025-02-03")),
            (Holds::Json, json!({"a": [1]}), json!({"a": [1]})),
            (Holds::Boolean, Value::Null, Value::Null),
        ];
        for (holds, value, cleaned) in ok {
            assert_eq!(clean_attribute(holds, &value), Ok(cleaned), "{value}");
        }
        let bad = [
            (Holds::Integer, json!(1.5), "A valid integer is required."),
            (Holds::Float, json!("x"), "A valid number is required."),
            (Holds::Boolean, json!("yes"), "Must be a valid boolean."),
            (
                Holds::Choice(INDUSTRIES),
                json!("mining"),
                "\"mining\" is not a valid choice.",
            ),
            (
                Holds::Choices(STACK),
                json!("rust"),
                "Expected a list of items but got type \"str\".",
            ),
            (
                Holds::Choices(STACK),
                json!(["rust", 3]),
                "\"3\" is not a valid choice.",
            ),
            (
                Holds::Date,
                json!("03/02/2025"),
                "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
            ),
        ];
        for (holds, value, text) in bad {
            assert_eq!(
                clean_attribute(holds, &value),
                Err(text.to_owned()),
                "{value}"
            );
        }
    }

    #[test]
    fn lists_of_text_are_trimmed_and_checked() {
        assert_eq!(clean_texts(&json!([" a ", "b"])), Ok(json!(["a", "b"])));
        assert_eq!(
            clean_texts(&json!(["a", " "])),
            Err("This field may not be blank.".to_owned())
        );
        assert_eq!(
            clean_texts(&json!("a")),
            Err("Expected a list of items but got type \"str\".".to_owned())
        );
        assert_eq!(
            clean_texts(&json!([1])),
            Err("Not a valid string.".to_owned())
        );
    }

    #[test]
    fn seeded_custom_ids_are_regular() {
        assert_eq!(seeded_custom_id(0).as_deref(), Some("group@0"));
        assert_eq!(seeded_custom_id(3), None);
        assert_eq!(seeded_custom_id(6).as_deref(), Some("group@6"));
    }
}
