//! Recording plans: how `cargo xtask fixtures refresh` records a `recorded-*` scenario.
//!
//! ```json
//! "record": {
//!   "args": {"id": {"from": "conversations/recorded-list", "pointer": "/results/0/id"}},
//!   "expect_status": 404,
//!   "wrong_key": true,
//!   "last_page": true
//! }
//! ```
//!
//! Any argument value may be a [`FromValue`]: the value at `pointer` in the response body of
//! the scenario `from` names, recorded earlier in the same run (or stored on disk when that
//! scenario is not being recorded). The recorder runs scenarios in the order these
//! references make.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How a recorded scenario is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordPlan {
    /// The operation's arguments; any value may be a [`FromValue`].
    #[serde(default = "empty_object")]
    pub args: Value,
    /// The status the account must answer with; any 2xx when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_status: Option<u16>,
    /// Send it with a key no account has (to record the 401 answer).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wrong_key: bool,
    /// Walk the listing to its last page and record that page.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub last_page: bool,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

impl RecordPlan {
    /// Whether `status` is what the plan expects.
    pub fn expects(&self, status: u16) -> bool {
        match self.expect_status {
            Some(expected) => status == expected,
            None => (200..300).contains(&status),
        }
    }

    /// The scenarios whose recordings the arguments take values from, each once, in order.
    pub fn sources(&self) -> Vec<String> {
        let mut sources: Vec<String> = Vec::new();
        for (_, from) in from_values(&self.args) {
            if !sources.contains(&from.from) {
                sources.push(from.from);
            }
        }
        sources
    }

    /// The arguments with every [`FromValue`] replaced by `sample`: what the fixture check
    /// builds to see that a plan can work before any recording exists.
    pub fn sample_args(&self, sample: &Value) -> Value {
        replace(&self.args, &mut |_| Ok::<_, ()>(sample.clone()))
            .unwrap_or_else(|()| self.args.clone())
    }

    /// The arguments with every [`FromValue`] replaced by what `resolve` gives for it.
    pub fn resolve_args<E>(
        &self,
        mut resolve: impl FnMut(&FromValue) -> Result<Value, E>,
    ) -> Result<Value, E> {
        replace(&self.args, &mut resolve)
    }
}

/// An argument value taken from an earlier recording: `{"from": "group/scenario",
/// "pointer": "/results/0/id"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FromValue {
    /// The scenario (`group/scenario`) whose response body holds the value.
    pub from: String,
    /// Where the value sits in that body (a JSON pointer).
    pub pointer: String,
}

impl FromValue {
    /// `value` as a reference, when it is an object of exactly `from` and `pointer`.
    pub fn of(value: &Value) -> Option<Self> {
        match value {
            Value::Object(fields)
                if fields.len() == 2
                    && fields.contains_key("from")
                    && fields.contains_key("pointer") =>
            {
                serde_json::from_value(value.clone()).ok()
            }
            _ => None,
        }
    }

    /// What is wrong with the reference's form, if anything.
    pub fn form_problem(&self) -> Option<String> {
        let parts: Vec<&str> = self.from.split('/').collect();
        if parts.len() != 2 || parts.iter().any(|part| part.is_empty()) {
            return Some(format!(
                "\"from\": {:?} is not a scenario name (group/scenario)",
                self.from
            ));
        }
        if !self.pointer.is_empty() && !self.pointer.starts_with('/') {
            return Some(format!(
                "\"pointer\": {:?} is not a JSON pointer (it starts with /)",
                self.pointer
            ));
        }
        None
    }

    /// The value at the pointer in `body`.
    pub fn take(&self, body: &Value) -> Option<Value> {
        body.pointer(&self.pointer).cloned()
    }
}

/// Every [`FromValue`] in `args`, at any depth, with the JSON pointer of where it sits.
pub fn from_values(args: &Value) -> Vec<(String, FromValue)> {
    let mut found = Vec::new();
    collect(args, &mut String::new(), &mut found);
    found
}

fn collect(value: &Value, path: &mut String, found: &mut Vec<(String, FromValue)>) {
    if let Some(from) = FromValue::of(value) {
        found.push((path.clone(), from));
        return;
    }
    let mut visit = |key: String, inner: &Value, path: &mut String| {
        let len = path.len();
        path.push('/');
        path.push_str(&key);
        collect(inner, path, found);
        path.truncate(len);
    };
    match value {
        Value::Object(fields) => {
            for (key, inner) in fields {
                visit(key.replace('~', "~0").replace('/', "~1"), inner, path);
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                visit(index.to_string(), inner, path);
            }
        }
        _ => {}
    }
}

fn replace<E>(
    value: &Value,
    resolve: &mut dyn FnMut(&FromValue) -> Result<Value, E>,
) -> Result<Value, E> {
    if let Some(from) = FromValue::of(value) {
        return resolve(&from);
    }
    Ok(match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, inner)| Ok((key.clone(), replace(inner, resolve)?)))
                .collect::<Result<_, E>>()?,
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|inner| replace(inner, resolve))
                .collect::<Result<_, E>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan(value: Value) -> RecordPlan {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn from_values_are_found_and_resolved_at_any_depth() {
        let plan = plan(json!({"args": {
            "id": {"from": "tags/recorded-list", "pointer": "/results/0/id"},
            "name": "fixed",
            "nested": [{"user": {"from": "conversations/recorded-list", "pointer": "/results/0/user/id"}}],
            "not_a_reference": {"from": "x/y", "pointer": "/a", "more": 1}
        }}));
        let found = from_values(&plan.args);
        let places: Vec<&str> = found.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(places, ["/id", "/nested/0/user"]);
        assert_eq!(
            plan.sources(),
            ["tags/recorded-list", "conversations/recorded-list"]
        );
        let body = json!({"results": [{"id": 31, "user": {"id": 7}}]});
        let resolved = plan
            .resolve_args(|from| from.take(&body).ok_or(from.pointer.clone()))
            .unwrap();
        assert_eq!(resolved["id"], 31);
        assert_eq!(resolved["nested"][0]["user"], 7);
        assert_eq!(resolved["not_a_reference"]["more"], 1);
        assert_eq!(plan.sample_args(&json!(1))["id"], 1);

        let empty = json!({"results": []});
        let missing = plan.resolve_args(|from| from.take(&empty).ok_or(from.pointer.clone()));
        assert_eq!(missing.unwrap_err(), "/results/0/id");
    }

    #[test]
    fn expectations_and_defaults() {
        let default = plan(json!({}));
        assert_eq!(default.args, json!({}));
        assert!(default.expects(201) && !default.expects(404));
        let not_found = plan(json!({"expect_status": 404}));
        assert!(not_found.expects(404) && !not_found.expects(200));
        assert_eq!(serde_json::to_value(&default).unwrap(), json!({"args": {}}));
        assert!(serde_json::from_value::<RecordPlan>(json!({"wrong": true})).is_err());
    }

    #[test]
    fn malformed_references_are_named() {
        let bad = FromValue {
            from: "recorded-list".into(),
            pointer: "/results".into(),
        };
        assert!(bad.form_problem().unwrap().contains("group/scenario"));
        let bad = FromValue {
            from: "tags/recorded-list".into(),
            pointer: "results/0".into(),
        };
        assert!(bad.form_problem().unwrap().contains("JSON pointer"));
    }
}
