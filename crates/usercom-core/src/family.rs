//! Families of operations that differ only by one path segment below an object reached by
//! numeric id or by custom id: a user's emails, events, page visits, product events,
//! segments and timeline are one generic listing, [`Below`], with one small marker type
//! each.
//!
//! ```
//! use http::Method;
//! use usercom_core::family::{Below, Member};
//! use usercom_core::{Config, Selector};
//!
//! /// The emails sent to a user.
//! #[derive(Debug)]
//! enum UserEmails {}
//!
//! impl Member for UserEmails {
//!     const NAME: &'static str = "users.emails";
//!     const PATHS: &'static [&'static str] =
//!         &["users/{id}/emails/", "users-by-id/{id}/emails/"];
//!     const ROOTS: [&'static str; 2] = ["users", "users-by-id"];
//!     const SEGMENT: &'static str = "emails";
//!     type Item = serde_json::Value;
//! }
//!
//! let config = Config::for_subdomain("acme", "key").unwrap();
//! let by_id = config.request(&Below::<UserEmails>::new(42)).unwrap();
//! assert_eq!(by_id.uri(), "https://acme.user.com/api/public/users/42/emails/");
//! let by_custom_id = config.request(&Below::<UserEmails>::new("user@123")).unwrap();
//! assert_eq!(
//!     by_custom_id.uri(),
//!     "https://acme.user.com/api/public/users-by-id/user@123/emails/"
//! );
//! ```

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use http::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::endpoint::{Endpoint, PagedEndpoint, Path};
use crate::{Page, Selector};

/// One member of a family: its name, where it hangs and what it lists.
pub trait Member: fmt::Debug + Send + Sync + 'static {
    /// The stable name (`"users.emails"`).
    const NAME: &'static str;
    /// Both paths, by numeric id and by custom id, with `{id}` for the selector.
    const PATHS: &'static [&'static str];
    /// The roots by numeric id and by custom id (`["users", "users-by-id"]`).
    const ROOTS: [&'static str; 2];
    /// The segment below the object (`"emails"`).
    const SEGMENT: &'static str;
    /// One item of the listing.
    type Item: DeserializeOwned;
}

/// `GET /{root}/{id}/{segment}/`: the listing `M` below one object.
///
/// Its JSON arguments are `{"id": 42}` or `{"id": "user@123"}`.
pub struct Below<M> {
    /// The object: numeric id or custom id.
    pub id: Selector,
    member: PhantomData<fn() -> M>,
}

impl<M> Below<M> {
    /// The listing below this object.
    pub fn new(id: impl Into<Selector>) -> Self {
        Self {
            id: id.into(),
            member: PhantomData,
        }
    }
}

impl<M> fmt::Debug for Below<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Below").field("id", &self.id).finish()
    }
}

impl<M> Clone for Below<M> {
    fn clone(&self) -> Self {
        Self::new(self.id.clone())
    }
}

impl<M> PartialEq for Below<M> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename = "Below")]
struct Arguments {
    /// The object: its numeric id, or its custom id as a string.
    id: Selector,
}

impl<M> Serialize for Below<M> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Arguments {
            id: self.id.clone(),
        }
        .serialize(serializer)
    }
}

impl<'de, M> Deserialize<'de> for Below<M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Arguments::deserialize(deserializer).map(|arguments| Self::new(arguments.id))
    }
}

impl<M: Member> schemars::JsonSchema for Below<M> {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed(M::NAME)
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = Arguments::json_schema(generator);
        schema.insert(
            "description".to_owned(),
            format!("List the {} of one object, by id or custom id.", M::SEGMENT).into(),
        );
        schema
    }
}

impl<M: Member> Endpoint for Below<M> {
    type Output = Page<M::Item>;
    const NAME: &'static str = M::NAME;
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = M::PATHS;

    fn path(&self) -> Path {
        let [by_id, by_custom_id] = M::ROOTS;
        self.id.path(by_id, by_custom_id).then(M::SEGMENT)
    }
}

impl<M: Member> PagedEndpoint for Below<M> {
    type Item = M::Item;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registration;

    #[derive(Debug)]
    enum Events {}

    impl Member for Events {
        const NAME: &'static str = "things.events";
        const PATHS: &'static [&'static str] =
            &["things/{id}/events/", "things-by-id/{id}/events/"];
        const ROOTS: [&'static str; 2] = ["things", "things-by-id"];
        const SEGMENT: &'static str = "events";
        type Item = serde_json::Value;
    }

    #[test]
    fn a_member_registers_and_builds_from_either_id() {
        let registration = Registration::paged::<Below<Events>>();
        assert_eq!(registration.name, "things.events");
        assert_eq!(registration.path_parameters(), ["id"]);
        assert!(
            registration.summary().contains("events"),
            "{}",
            registration.summary()
        );
        let config = crate::Config::for_subdomain("acme", "key").unwrap();
        for (args, path) in [
            (serde_json::json!({"id": 7}), "things/7/events/"),
            (
                serde_json::json!({"id": "a b/c"}),
                "things-by-id/a%20b%2Fc/events/",
            ),
        ] {
            let op = registration.build(args.clone()).unwrap();
            assert_eq!(op.args(), args);
            let uri = op.request(&config).unwrap().uri().to_string();
            assert_eq!(uri, format!("https://acme.user.com/api/public/{path}"));
        }
        let err = registration
            .build(serde_json::json!({"id": 1, "x": 2}))
            .unwrap_err();
        assert!(err.to_string().contains("things.events"), "{err}");
    }
}
