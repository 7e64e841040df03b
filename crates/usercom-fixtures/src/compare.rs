//! How the fixture checks compare JSON documents.
//!
//! - [`first_loss`]: does the typed output, serialised again, still hold everything the
//!   server sent? (Models are lossless: what they do not name lands in their `extra` map.)
//! - [`first_body_difference`]: do a scenario's arguments, less the path parameters, say
//!   exactly what its request body says?

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// The first place where `typed` (an operation's typed output, serialised again) loses or
/// changes what `sent` (what the server sent) holds: its JSON pointer and what differs.
/// `None` when every field of `sent` is in `typed`, with the same value at the same place.
///
/// Fields the typed output adds are fine. Null and absent count as equal. Arrays compare
/// element by element and must have the same length. Two strings that are RFC 3339
/// timestamps of the same instant are equal (`…30.500000Z` is re-encoded as `…30.5Z`).
///
/// ```
/// use serde_json::json;
/// use usercom_fixtures::compare::first_loss;
///
/// let sent = json!({"id": 1, "agent": null, "user": {"id": 2, "plan": "pro"}});
/// assert_eq!(first_loss(&sent, &json!({"id": 1, "user": {"id": 2, "plan": "pro", "key": null}})), None);
/// assert_eq!(
///     first_loss(&sent, &json!({"id": 1, "user": {"id": 2}})).unwrap(),
///     "/user/plan: the server sent \"pro\", the typed output has nothing there"
/// );
/// ```
pub fn first_loss(sent: &Value, typed: &Value) -> Option<String> {
    let mut path = String::new();
    loss_at(sent, Some(typed), &mut path)
}

fn loss_at(sent: &Value, typed: Option<&Value>, path: &mut String) -> Option<String> {
    let typed_or_null = typed.unwrap_or(&Value::Null);
    match (sent, typed_or_null) {
        (Value::Null, Value::Null) => None,
        (Value::Object(sent), Value::Object(typed)) => {
            for (key, value) in sent {
                let len = path.len();
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                if let Some(found) = loss_at(value, typed.get(key), path) {
                    return Some(found);
                }
                path.truncate(len);
            }
            None
        }
        (Value::Array(sent), Value::Array(typed)) => {
            for (index, value) in sent.iter().enumerate() {
                let len = path.len();
                path.push('/');
                path.push_str(&index.to_string());
                if let Some(found) = loss_at(value, typed.get(index), path) {
                    return Some(found);
                }
                path.truncate(len);
            }
            (typed.len() > sent.len()).then(|| {
                format!(
                    "{}: the server sent {} elements, the typed output has {}",
                    shown_path(path),
                    sent.len(),
                    typed.len()
                )
            })
        }
        (Value::String(a), Value::String(b)) if a == b || same_instant(a, b) => None,
        (sent, other) if sent == other => None,
        (sent, other) => {
            let has = match typed {
                None => "nothing there".to_owned(),
                Some(_) => short(other),
            };
            Some(format!(
                "{}: the server sent {}, the typed output has {has}",
                shown_path(path),
                short(sent)
            ))
        }
    }
}

fn same_instant(a: &str, b: &str) -> bool {
    match (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn shown_path(path: &str) -> &str {
    if path.is_empty() {
        "the document"
    } else {
        path
    }
}

/// A JSON value as text, cut to a readable length.
fn short(value: &Value) -> String {
    const LIMIT: usize = 80;
    let text = value.to_string();
    if text.chars().count() <= LIMIT {
        text
    } else {
        let cut: String = text.chars().take(LIMIT).collect();
        format!("{cut}…")
    }
}

/// The first key (in sorted order) where `args`, less the keys named in
/// `path_parameters`, and `body` differ, and how; `None` when they are equal.
///
/// ```
/// use serde_json::json;
/// use usercom_fixtures::compare::first_body_difference;
///
/// let args = json!({"user_id": 7, "content": "Hi", "source": "email"});
/// let body = json!({"content": "Hi", "source": 2});
/// let (args, body) = (args.as_object().unwrap(), body.as_object().unwrap());
/// assert_eq!(
///     first_body_difference(args, &["user_id"], body).unwrap(),
///     "`source`: the args have \"email\", the body has 2"
/// );
/// ```
pub fn first_body_difference(
    args: &Map<String, Value>,
    path_parameters: &[&str],
    body: &Map<String, Value>,
) -> Option<String> {
    let keys: BTreeSet<&String> = args
        .keys()
        .filter(|key| !path_parameters.contains(&key.as_str()))
        .chain(body.keys())
        .collect();
    keys.into_iter().find_map(|key| {
        let in_args = args
            .get(key)
            .filter(|_| !path_parameters.contains(&key.as_str()));
        match (in_args, body.get(key)) {
            (Some(a), Some(b)) if a == b => None,
            (Some(a), Some(b)) => Some(format!(
                "`{key}`: the args have {}, the body has {}",
                short(a),
                short(b)
            )),
            (Some(a), None) => Some(format!(
                "`{key}`: the args have {}, the body has no such key",
                short(a)
            )),
            (None, Some(b)) => Some(format!(
                "`{key}`: the body has {}, the args have no such key",
                short(b)
            )),
            (None, None) => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_and_absent_are_equal_and_additions_are_fine() {
        let sent = json!({"a": null, "b": [1, {"c": null}], "d": {}});
        let typed = json!({"b": [1, {"c": null, "e": 5}], "d": {"f": 1}, "g": 2});
        assert_eq!(first_loss(&sent, &typed), None);
    }

    #[test]
    fn the_first_missing_or_changed_field_is_named_by_its_pointer() {
        let sent = json!({"results": [{"id": 1, "user": {"id": 2}}, {"id": 3, "user": {"id": 4, "x/y": "z"}}]});
        let lost = json!({"results": [{"id": 1, "user": {"id": 2}}, {"id": 3, "user": {"id": 4}}]});
        assert_eq!(
            first_loss(&sent, &lost).unwrap(),
            "/results/1/user/x~1y: the server sent \"z\", the typed output has nothing there"
        );
        let changed = json!({"results": [{"id": "1", "user": {"id": 2}}]});
        assert_eq!(
            first_loss(&sent, &changed).unwrap(),
            "/results/0/id: the server sent 1, the typed output has \"1\""
        );
        let invented = json!({"a": 1});
        assert_eq!(
            first_loss(&json!({"a": null}), &invented).unwrap(),
            "/a: the server sent null, the typed output has 1"
        );
    }

    #[test]
    fn arrays_compare_element_by_element() {
        let sent = json!([1, 2, 3]);
        assert_eq!(
            first_loss(&sent, &json!([1, 2])).unwrap(),
            "/2: the server sent 3, the typed output has nothing there"
        );
        assert_eq!(
            first_loss(&sent, &json!([1, 2, 3, 4])).unwrap(),
            "the document: the server sent 3 elements, the typed output has 4"
        );
        assert_eq!(
            first_loss(&sent, &json!([1, 3, 2])).unwrap(),
            "/1: the server sent 2, the typed output has 3"
        );
    }

    #[test]
    fn timestamps_compare_as_instants_and_other_strings_exactly() {
        let sent = json!({"at": "2024-03-01T09:16:30.500000Z", "name": "A"});
        assert_eq!(
            first_loss(&sent, &json!({"at": "2024-03-01T09:16:30.5Z", "name": "A"})),
            None
        );
        assert!(first_loss(&sent, &json!({"at": "2024-03-01T09:16:31Z", "name": "A"})).is_some());
        assert!(first_loss(&sent, &json!({"at": "2024-03-01T09:16:30.5Z", "name": "a"})).is_some());
    }

    #[test]
    fn long_values_are_cut() {
        let long = "x".repeat(200);
        let found = first_loss(&json!({"a": long}), &json!({})).unwrap();
        assert!(found.len() < 200 && found.contains('…'), "{found}");
    }

    #[test]
    fn body_differences_name_the_first_key() {
        let args = json!({"id": 5, "name": "vip", "extra": true});
        let body = json!({"name": "vip"});
        let (a, b) = (args.as_object().unwrap(), body.as_object().unwrap());
        assert_eq!(
            first_body_difference(a, &["id"], b).unwrap(),
            "`extra`: the args have true, the body has no such key"
        );
        let body = json!({"name": "vip", "extra": true, "id": 5});
        let b = body.as_object().unwrap();
        assert_eq!(
            first_body_difference(a, &["id"], b).unwrap(),
            "`id`: the body has 5, the args have no such key"
        );
        let body = json!({"name": "vip", "extra": true});
        assert_eq!(
            first_body_difference(a, &["id"], body.as_object().unwrap()),
            None
        );
    }
}
