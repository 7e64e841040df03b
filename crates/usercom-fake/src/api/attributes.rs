//! Attribute definitions: the custom attributes of users, companies and deals.
//!
//! `GET attributes/`, `POST attributes/` (201; DRF field errors for a name that is missing
//! or over 32 characters, an unknown `content_type` or `value_type`, a `fixed` attribute
//! without `choices` or `allow_multiple_choices`, a name already defined for the same
//! objects), `GET attributes/{id}/`, `DELETE attributes/{id}/` (204), and the type lookups
//! `GET attribute-type/{name_std}/users/` and `…/companies/` (`{"value_type": …}`, or 404).
//!
//! The seeded definitions include those of custom attributes the fake's users (`plan`,
//! `lifetime_value`) and companies (`industry`, `founded`) carry, a date one of users and a
//! fixed one of deals; the next one created gets id 46, as in the documentation's example.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::api::Group;
use crate::fields::{Field, validate};
use crate::handlers::{delete, get, list};
use crate::reply::Reply;
use crate::routing::{Call, Route};
use crate::seed::Draw;
use crate::store::{Collection, Order, Store};

/// The attributes group.
pub(crate) static GROUP: Group = Group {
    collections: &[&ATTRIBUTES],
    routes,
};

/// The attribute definitions: those of the seeded custom attributes unless told otherwise.
pub(crate) static ATTRIBUTES: Collection = Collection {
    name: "attributes",
    item_name: "attribute",
    first_id: 40,
    order: Order::OldestFirst,
    default_size: |_| SEEDED.len() as u64,
    generate: attribute,
    fields: FIELDS,
};

const FIELDS: &[Field] = &[
    Field::text("name").required().max_length(32),
    Field::text("content_type").required(),
    Field::text("value_type").required(),
    Field::json("choices"),
    Field::json("allow_multiple_choices"),
];

/// The content types the documentation lists.
const CONTENT_TYPES: &[&str] = &[
    "activity",
    "clientuser",
    "company",
    "deal",
    "product",
    "ticket",
];

/// The value types the documentation lists.
const VALUE_TYPES: &[&str] = &[
    "boolean", "date", "datetime", "fixed", "float", "integer", "json", "string",
];

/// `(name, name_std, value_type, content_type, choices)` of the seeded definitions.
type Seeded = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const SEEDED: &[Seeded] = &[
    ("Plan", "plan", "string", "clientuser", &[]),
    (
        "Lifetime value",
        "lifetime_value",
        "float",
        "clientuser",
        &[],
    ),
    ("Birthday", "birthday", "date", "clientuser", &[]),
    ("Industry", "industry", "string", "company", &[]),
    ("Founded", "founded", "integer", "company", &[]),
    (
        "Deal source",
        "deal_source",
        "fixed",
        "deal",
        &["inbound", "outbound", "direct"],
    ),
];

fn routes() -> Vec<Route> {
    vec![
        Route::get("attributes/", list("attributes")),
        Route::post("attributes/", create_attribute),
        Route::get("attributes/{id}/", get("attributes")),
        Route::delete("attributes/{id}/", delete("attributes")),
        Route::get(
            "attribute-type/{name_std}/users/",
            |call: &Call<'_>, store: &mut Store| value_type(call, store, "clientuser"),
        ),
        Route::get(
            "attribute-type/{name_std}/companies/",
            |call: &Call<'_>, store: &mut Store| value_type(call, store, "company"),
        ),
    ]
}

/// A seeded definition: those above, then user attributes of every type in turn.
fn attribute(draw: &mut Draw<'_>) -> Value {
    let index = draw.index();
    let seeded = usize::try_from(index).ok().and_then(|i| SEEDED.get(i));
    let mut item = match seeded {
        Some((name, name_std, value_type, content_type, choices)) => {
            let mut item = json!({"id": draw.id(), "name": name, "name_std": name_std,
                                  "value_type": value_type, "content_type": content_type});
            if !choices.is_empty() {
                item["choices"] = json!(choices);
                item["allow_multiple_choices"] = json!(false);
            }
            item
        }
        None => {
            let value_type = VALUE_TYPES
                .get(usize::try_from(index % VALUE_TYPES.len() as u64).unwrap_or(0))
                .copied()
                .unwrap_or("string");
            json!({"id": draw.id(), "name": format!("Attribute {index}"),
                   "name_std": format!("attribute_{index}"), "value_type": value_type,
                   "content_type": "clientuser"})
        }
    };
    if item["value_type"] == "fixed" && item.get("choices").is_none() {
        item["choices"] = json!(["a", "b"]);
        item["allow_multiple_choices"] = json!(true);
    }
    item
}

/// The slug User.com makes of a name: lower case, runs of anything but letters and digits
/// as one `_` (`"API string attribute"` → `api_string_attribute`).
fn name_std(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('_') {
            slug.push('_');
        }
    }
    slug.trim_end_matches('_').to_owned()
}

/// What else is wrong with cleaned fields: the choices, and the names DRF's choice fields
/// check.
fn choice_errors(fields: &Map<String, Value>) -> Map<String, Value> {
    let mut errors = Map::new();
    let mut error = |field: &str, message: &str| {
        errors.insert(field.to_owned(), json!([message]));
    };
    let text = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or_default();
    for (field, allowed) in [("content_type", CONTENT_TYPES), ("value_type", VALUE_TYPES)] {
        if !allowed.contains(&text(field)) {
            error(
                field,
                &format!("\"{}\" is not a valid choice.", text(field)),
            );
        }
    }
    let fixed = text("value_type") == "fixed";
    match fields.get("choices") {
        None | Some(Value::Null) if fixed => {
            error("choices", "This field is required.");
        }
        Some(Value::Array(choices)) if fixed && choices.is_empty() => {
            error("choices", "This list may not be empty.");
        }
        Some(Value::Array(choices)) if choices.iter().all(Value::is_string) => {}
        None | Some(Value::Null) => {}
        Some(_) => {
            error("choices", "Expected a list of items.");
        }
    }
    match fields.get("allow_multiple_choices") {
        None | Some(Value::Null) if fixed => {
            error("allow_multiple_choices", "This field is required.");
        }
        None | Some(Value::Null | Value::Bool(_)) => {}
        Some(_) => {
            error("allow_multiple_choices", "Must be a valid boolean.");
        }
    }
    errors
}

/// `POST attributes/`: a new definition; its `name_std` must be new among the definitions of
/// the same objects.
fn create_attribute(call: &Call<'_>, store: &mut Store) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let mut fields = match validate(FIELDS, &body, None) {
        Ok(fields) => fields,
        Err(errors) => return Reply::invalid(errors),
    };
    let errors = choice_errors(&fields);
    if !errors.is_empty() {
        return Reply::invalid(Value::Object(errors));
    }
    let name = fields
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let slug = name_std(name);
    let content_type = fields.get("content_type").cloned();
    let taken = store.items("attributes").any(|item| {
        item.get("name_std").and_then(Value::as_str) == Some(slug.as_str())
            && item.get("content_type") == content_type.as_ref()
    });
    if slug.is_empty() || taken {
        let message = if taken {
            "attribute with this name already exists."
        } else {
            "The name must contain a letter or a digit."
        };
        return Reply::invalid(json!({ "name": [message] }));
    }
    if fields.get("value_type").and_then(Value::as_str) != Some("fixed") {
        fields.remove("choices");
        fields.remove("allow_multiple_choices");
    }
    let mut ordered = Map::new();
    if let Some(name) = fields.remove("name") {
        ordered.insert("name".to_owned(), name);
    }
    ordered.insert("name_std".to_owned(), Value::from(slug));
    ordered.extend(fields);
    match store.create("attributes", ordered) {
        Some(item) => Reply::json(StatusCode::CREATED, item),
        None => Reply::broken("the attributes collection is not seeded"),
    }
}

/// `GET attribute-type/{name_std}/…/`: the value type of the attribute of those objects.
fn value_type(call: &Call<'_>, store: &mut Store, content_type: &str) -> Reply {
    let wanted = call.param("name_std").unwrap_or_default();
    let found = store.items("attributes").find(|item| {
        item.get("name_std").and_then(Value::as_str) == Some(wanted)
            && item.get("content_type").and_then(Value::as_str) == Some(content_type)
    });
    match found {
        Some(item) => Reply::json(
            StatusCode::OK,
            json!({"value_type": item.get("value_type")}),
        ),
        None => Reply::not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_slugs() {
        assert_eq!(name_std("API string attribute"), "api_string_attribute");
        assert_eq!(name_std("  Zażółć -- gęślą!"), "zażółć_gęślą");
        assert_eq!(name_std("!!!"), "");
    }

    #[test]
    fn choices_are_checked_for_fixed_attributes() {
        let check = |body: Value| {
            let Value::Object(fields) = body else {
                panic!("not an object")
            };
            Value::Object(choice_errors(&fields))
        };
        assert_eq!(
            check(json!({"content_type": "user", "value_type": "fixed"})),
            json!({"content_type": ["\"user\" is not a valid choice."],
                   "choices": ["This field is required."],
                   "allow_multiple_choices": ["This field is required."]})
        );
        assert_eq!(
            check(
                json!({"content_type": "deal", "value_type": "fixed", "choices": [],
                         "allow_multiple_choices": 1})
            ),
            json!({"choices": ["This list may not be empty."],
                   "allow_multiple_choices": ["Must be a valid boolean."]})
        );
        assert_eq!(
            check(json!({"content_type": "deal", "value_type": "string"})),
            json!({})
        );
    }
}
