//! What a collection accepts on create and update, and the Django REST Framework 400 bodies
//! for what it refuses: `{"name": ["This field is required."]}`.

use serde_json::{Map, Value};

use crate::store::Store;

/// The JSON a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text (numbers are taken as their text, as DRF does); surrounding space is trimmed.
    Text,
    /// An integer, or text holding one.
    Integer,
    /// The id of another object (an integer).
    PrimaryKey,
    /// `true` or `false`.
    Boolean,
    /// One of these codes (an integer, or text holding one); stored as the name beside it.
    Choice(&'static [(i64, &'static str)]),
    /// Any JSON.
    Json,
}

/// One field of a collection's writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field {
    /// The field's name in the body.
    pub(crate) name: &'static str,
    /// The JSON it takes.
    pub(crate) kind: Kind,
    /// Whether the body must have it.
    pub(crate) required: bool,
    /// Whether it may be `null`.
    pub(crate) nullable: bool,
    /// Text: whether it may be empty (or only space).
    pub(crate) blank: bool,
    /// Text: the most characters it may have.
    pub(crate) max_length: Option<usize>,
    /// Whether no two items of the collection may share its value.
    pub(crate) unique: bool,
}

impl Field {
    const fn of(name: &'static str, kind: Kind) -> Self {
        Self {
            name,
            kind,
            required: false,
            nullable: false,
            blank: false,
            max_length: None,
            unique: false,
        }
    }

    /// A text field.
    pub(crate) const fn text(name: &'static str) -> Self {
        Self::of(name, Kind::Text)
    }

    /// An integer field.
    #[allow(dead_code, reason = "part of the field vocabulary groups declare from")]
    pub(crate) const fn integer(name: &'static str) -> Self {
        Self::of(name, Kind::Integer)
    }

    /// A field holding another object's id.
    pub(crate) const fn primary_key(name: &'static str) -> Self {
        Self::of(name, Kind::PrimaryKey)
    }

    /// A boolean field.
    #[allow(dead_code, reason = "part of the field vocabulary groups declare from")]
    pub(crate) const fn boolean(name: &'static str) -> Self {
        Self::of(name, Kind::Boolean)
    }

    /// A field taking one of `choices` (code, name).
    pub(crate) const fn choice(
        name: &'static str,
        choices: &'static [(i64, &'static str)],
    ) -> Self {
        Self::of(name, Kind::Choice(choices))
    }

    /// A field taking any JSON.
    pub(crate) const fn json(name: &'static str) -> Self {
        Self::of(name, Kind::Json)
    }

    /// The body must have it.
    pub(crate) const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// It may be `null`.
    pub(crate) const fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// It may be blank text.
    #[allow(dead_code, reason = "part of the field vocabulary groups declare from")]
    pub(crate) const fn blank(mut self) -> Self {
        self.blank = true;
        self
    }

    /// At most `length` characters.
    pub(crate) const fn max_length(mut self, length: usize) -> Self {
        self.max_length = Some(length);
        self
    }

    /// No two items may share its value.
    pub(crate) const fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// The value to keep, or DRF's message for what is wrong with it.
    fn clean(&self, value: &Value) -> Result<Value, String> {
        if value.is_null() {
            return if self.nullable {
                Ok(Value::Null)
            } else {
                Err("This field may not be null.".to_owned())
            };
        }
        match self.kind {
            Kind::Text => {
                let text = match value {
                    Value::String(text) => text.trim().to_owned(),
                    Value::Number(number) => number.to_string(),
                    _ => return Err("Not a valid string.".to_owned()),
                };
                if text.is_empty() && !self.blank {
                    return Err("This field may not be blank.".to_owned());
                }
                if let Some(max) = self.max_length
                    && text.chars().count() > max
                {
                    return Err(format!(
                        "Ensure this field has no more than {max} characters."
                    ));
                }
                Ok(Value::String(text))
            }
            Kind::Integer => integer(value)
                .map(Value::from)
                .ok_or_else(|| "A valid integer is required.".to_owned()),
            Kind::PrimaryKey => match value {
                Value::Number(_) | Value::String(_) if integer(value).is_some() => {
                    Ok(integer(value).map(Value::from).unwrap_or_default())
                }
                other => Err(format!(
                    "Incorrect type. Expected pk value, received {}.",
                    python_type(other)
                )),
            },
            Kind::Boolean => match value {
                Value::Bool(_) => Ok(value.clone()),
                _ => Err("Must be a valid boolean.".to_owned()),
            },
            Kind::Choice(choices) => integer(value)
                .and_then(|code| choices.iter().find(|(c, _)| *c == code))
                .map(|(_, name)| Value::from(*name))
                .ok_or_else(|| format!("\"{}\" is not a valid choice.", as_text(value))),
            Kind::Json => Ok(value.clone()),
        }
    }
}

/// An integer, or text holding one.
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A value as Python's `str()` shows it, the way DRF quotes input in its messages.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        other => other.to_string(),
    }
}

/// The Python type name of a JSON value, as DRF names it in messages.
pub(crate) fn python_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// What a uniqueness check looks at: the collection and the item being updated, if any.
pub(crate) struct Unique<'a> {
    /// The store.
    pub(crate) store: &'a Store,
    /// The collection.
    pub(crate) collection: &'a str,
    /// What one item is called (`tag`).
    pub(crate) item_name: &'a str,
    /// The id of the item being updated (it may keep its own value).
    pub(crate) except: Option<i64>,
}

/// Checks `body` against `fields`: the fields it names, cleaned (unknown fields are ignored,
/// as DRF ignores them), or the DRF error body naming every field that is wrong.
pub(crate) fn validate(
    fields: &[Field],
    body: &Map<String, Value>,
    unique: Option<&Unique<'_>>,
) -> Result<Map<String, Value>, Value> {
    let mut cleaned = Map::new();
    let mut errors = Map::new();
    for field in fields {
        let Some(value) = body.get(field.name) else {
            if field.required {
                errors.insert(field.name.to_owned(), message("This field is required."));
            }
            continue;
        };
        match field.clean(value) {
            Ok(value) => {
                if field.unique
                    && let Some(unique) = unique
                    && taken(unique, field.name, &value)
                {
                    errors.insert(
                        field.name.to_owned(),
                        message(&format!(
                            "{} with this {} already exists.",
                            unique.item_name, field.name
                        )),
                    );
                    continue;
                }
                cleaned.insert(field.name.to_owned(), value);
            }
            Err(text) => {
                errors.insert(field.name.to_owned(), message(&text));
            }
        }
    }
    if errors.is_empty() {
        Ok(cleaned)
    } else {
        Err(Value::Object(errors))
    }
}

fn message(text: &str) -> Value {
    Value::Array(vec![Value::from(text)])
}

/// Whether another item of the collection already has `value` in `field`.
fn taken(unique: &Unique<'_>, field: &str, value: &Value) -> bool {
    unique.store.items(unique.collection).any(|item| {
        item.get(field) == Some(value)
            && (unique.except.is_none() || item.get("id").and_then(Value::as_i64) != unique.except)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPEC: &[Field] = &[
        Field::text("first_name").max_length(5),
        Field::text("name").required(),
        Field::primary_key("agent").nullable(),
        Field::choice("source", &[(1, "chat"), (2, "email")]),
        Field::json("context"),
    ];

    fn check(body: Value) -> Result<Value, Value> {
        let Value::Object(body) = body else {
            panic!("not an object")
        };
        validate(SPEC, &body, None).map(Value::Object)
    }

    #[test]
    fn every_wrong_field_is_named_with_drfs_message() {
        let errors =
            check(json!({"first_name": "Bartholomew", "agent": "x", "source": 9})).unwrap_err();
        assert_eq!(
            errors,
            json!({
                "first_name": ["Ensure this field has no more than 5 characters."],
                "name": ["This field is required."],
                "agent": ["Incorrect type. Expected pk value, received str."],
                "source": ["\"9\" is not a valid choice."],
            })
        );
        assert_eq!(
            check(json!({"name": "  "})).unwrap_err(),
            json!({"name": ["This field may not be blank."]})
        );
        assert_eq!(
            check(json!({"name": null})).unwrap_err(),
            json!({"name": ["This field may not be null."]})
        );
        assert_eq!(
            check(json!({"name": ["a"]})).unwrap_err(),
            json!({"name": ["Not a valid string."]})
        );
        assert_eq!(
            check(json!({"name": "x", "agent": true})).unwrap_err(),
            json!({"agent": ["Incorrect type. Expected pk value, received bool."]})
        );
    }

    #[test]
    fn valid_fields_are_cleaned_and_unknown_ones_ignored() {
        let cleaned = check(json!({
            "name": "  Łukasz  ", "first_name": "Zoë", "agent": "382", "source": "2",
            "context": {"any": [1]}, "unknown": true
        }))
        .unwrap();
        assert_eq!(
            cleaned,
            json!({"name": "Łukasz", "first_name": "Zoë", "agent": 382, "source": "email",
                   "context": {"any": [1]}})
        );
        assert_eq!(
            check(json!({"name": 12, "agent": null})).unwrap(),
            json!({"name": "12", "agent": null})
        );
    }
}
