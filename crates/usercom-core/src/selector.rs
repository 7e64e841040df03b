//! Objects that can be named by numeric id or by the caller's own custom id.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::endpoint::Path;

/// Which object an operation is about: User.com's numeric id, or the custom id the caller
/// gave it (`user@123`, `acct-17`; any text, percent-encoded in the path).
///
/// Most groups exist twice in the API: `/users/{id}/…` by numeric id and
/// `/users-by-id/{custom_id}/…` by custom id. One operation type takes a `Selector` and picks
/// the path. In fixtures and JSON arguments a number is an id and a string a custom id.
///
/// ```
/// use usercom_core::Selector;
///
/// assert_eq!(Selector::from(42), Selector::Id(42));
/// assert_eq!(Selector::from("user@123"), Selector::Custom("user@123".into()));
/// let path = Selector::from("a b/c").path("users", "users-by-id");
/// assert_eq!(path.segments().collect::<Vec<_>>(), ["users-by-id", "a b/c"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Selector {
    /// User.com's numeric id.
    Id(i64),
    /// The caller's own custom id.
    Custom(String),
}

impl Selector {
    /// The path of the object: `by_id/{id}` or `by_custom_id/{custom_id}`.
    pub fn path(&self, by_id: &'static str, by_custom_id: &'static str) -> Path {
        match self {
            Self::Id(id) => Path::new(by_id).id(*id),
            Self::Custom(custom) => Path::new(by_custom_id).value(custom.clone()),
        }
    }
}

impl From<i64> for Selector {
    fn from(id: i64) -> Self {
        Self::Id(id)
    }
}

impl From<&str> for Selector {
    fn from(custom_id: &str) -> Self {
        Self::Custom(custom_id.to_owned())
    }
}

impl From<String> for Selector {
    fn from(custom_id: String) -> Self {
        Self::Custom(custom_id)
    }
}

impl From<&String> for Selector {
    fn from(custom_id: &String) -> Self {
        Self::Custom(custom_id.clone())
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{id}"),
            Self::Custom(custom) => write!(f, "custom id {custom:?}"),
        }
    }
}
