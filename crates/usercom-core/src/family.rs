//! Families of operations that differ only by one path segment below an object reached by
//! numeric id or by custom id: a user's emails, events, page visits, product events,
//! segments and timeline are one generic listing, [`Below`], with one small marker type
//! each; adding a tag, removing one or setting attributes, on users and on companies, are
//! one generic action, [`On`].
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

use crate::endpoint::{Endpoint, PagedEndpoint, Path, json_body};
use crate::{Error, Page, Selector};

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

/// One member of an action family: `POST /{root}/{id}/{segment}/` with a body.
pub trait Action: fmt::Debug + Send + Sync + 'static {
    /// The stable name (`"users.add-tag"`).
    const NAME: &'static str;
    /// The HTTP method; `POST` for the action routes.
    const METHOD: Method = Method::POST;
    /// Both paths, by numeric id and by custom id, with `{id}` for the selector.
    const PATHS: &'static [&'static str];
    /// The roots by numeric id and by custom id (`["users", "users-by-id"]`).
    const ROOTS: [&'static str; 2];
    /// The segment below the object (`"add_tag"`).
    const SEGMENT: &'static str;
    /// A one-line description, for the registry and the CLI.
    const SUMMARY: &'static str;
    /// The body: a struct (`{"name": …}`) or a map (attributes). Its fields sit beside
    /// `id` in the operation's JSON arguments, so it must not have one called `id`.
    type Body: Serialize
        + DeserializeOwned
        + schemars::JsonSchema
        + fmt::Debug
        + Clone
        + PartialEq
        + Send
        + Sync
        + 'static;
    /// What the answer decodes into (`serde_json::Value` when it is not documented).
    type Output: DeserializeOwned;

    /// Checks the body before anything is sent.
    fn check(_body: &Self::Body) -> Result<(), Error> {
        Ok(())
    }

    /// Whether sending it twice has the effect of sending it once.
    fn idempotent() -> bool {
        false
    }
}

/// The action `M` on one object. Its JSON arguments are the body's fields plus `id`:
/// `{"id": 42, "name": "vip"}` sends `{"name": "vip"}` to `/users/42/add_tag/`.
pub struct On<M: Action> {
    /// The object: numeric id or custom id.
    pub id: Selector,
    /// What is sent.
    pub body: M::Body,
}

impl<M: Action> On<M> {
    /// The action on this object, with this body.
    pub fn new(id: impl Into<Selector>, body: M::Body) -> Self {
        Self {
            id: id.into(),
            body,
        }
    }
}

impl<M: Action> fmt::Debug for On<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(M::NAME)
            .field("id", &self.id)
            .field("body", &self.body)
            .finish()
    }
}

impl<M: Action> Clone for On<M> {
    fn clone(&self) -> Self {
        Self::new(self.id.clone(), self.body.clone())
    }
}

impl<M: Action> PartialEq for On<M> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.body == other.body
    }
}

impl<M: Action> Serialize for On<M> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields =
            match serde_json::to_value(&self.body).map_err(serde::ser::Error::custom)? {
                serde_json::Value::Object(fields) => fields,
                other => {
                    return Err(serde::ser::Error::custom(format!(
                        "the body of {} must be a JSON object, not {other}",
                        M::NAME
                    )));
                }
            };
        let id = serde_json::to_value(&self.id).map_err(serde::ser::Error::custom)?;
        fields.insert("id".to_owned(), id);
        fields.serialize(serializer)
    }
}

impl<'de, M: Action> Deserialize<'de> for On<M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut fields = serde_json::Map::deserialize(deserializer)?;
        let id = fields
            .remove("id")
            .ok_or_else(|| D::Error::missing_field("id"))?;
        let id = Selector::deserialize(id).map_err(D::Error::custom)?;
        let body =
            M::Body::deserialize(serde_json::Value::Object(fields)).map_err(D::Error::custom)?;
        Ok(Self { id, body })
    }
}

impl<M: Action> schemars::JsonSchema for On<M> {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed(M::NAME)
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = generator.root_schema_for::<M::Body>();
        let id = generator.subschema_for::<Selector>();
        if let Some(object) = schema.as_object_mut() {
            let properties = object
                .entry("properties")
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if let Some(properties) = properties.as_object_mut() {
                let mut id = id.to_value();
                if let Some(id) = id.as_object_mut() {
                    id.insert(
                        "description".to_owned(),
                        "The object: its numeric id, or its custom id as a string.".into(),
                    );
                }
                properties.insert("id".to_owned(), id);
            }
            let required = object
                .entry("required")
                .or_insert_with(|| serde_json::Value::Array(Vec::new()));
            if let Some(required) = required.as_array_mut() {
                required.insert(0, "id".into());
            }
            object.insert("description".to_owned(), M::SUMMARY.into());
            object.remove("title");
        }
        schema
    }
}

impl<M: Action> Endpoint for On<M> {
    type Output = M::Output;
    const NAME: &'static str = M::NAME;
    const METHOD: Method = M::METHOD;
    const PATHS: &'static [&'static str] = M::PATHS;

    fn path(&self) -> Path {
        let [by_id, by_custom_id] = M::ROOTS;
        self.id.path(by_id, by_custom_id).then(M::SEGMENT)
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        M::check(&self.body)?;
        json_body(&self.body)
    }

    fn idempotent(&self) -> bool {
        M::idempotent()
    }
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

    #[derive(Debug)]
    enum AddTag {}

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct TagName {
        /// The tag's name.
        name: String,
    }

    impl Action for AddTag {
        const NAME: &'static str = "things.add-tag";
        const PATHS: &'static [&'static str] =
            &["things/{id}/add_tag/", "things-by-id/{id}/add_tag/"];
        const ROOTS: [&'static str; 2] = ["things", "things-by-id"];
        const SEGMENT: &'static str = "add_tag";
        const SUMMARY: &'static str = "Add a tag to a thing.";
        type Body = TagName;
        type Output = serde_json::Value;

        fn check(body: &TagName) -> Result<(), Error> {
            if body.name.trim().is_empty() {
                return Err(Error::invalid_input("the tag name is empty"));
            }
            Ok(())
        }
    }

    #[derive(Debug)]
    enum SetAttributes {}

    impl Action for SetAttributes {
        const NAME: &'static str = "things.set-attributes";
        const PATHS: &'static [&'static str] = &[
            "things/{id}/set_multiple_attributes/",
            "things-by-id/{id}/set_multiple_attributes/",
        ];
        const ROOTS: [&'static str; 2] = ["things", "things-by-id"];
        const SEGMENT: &'static str = "set_multiple_attributes";
        const SUMMARY: &'static str = "Set custom attributes of a thing.";
        type Body = serde_json::Map<String, serde_json::Value>;
        type Output = serde_json::Value;
    }

    #[test]
    fn an_action_sends_its_body_and_its_arguments_are_body_plus_id() {
        let config = crate::Config::for_subdomain("acme", "key").unwrap();
        let registration = Registration::single::<On<AddTag>>();
        assert_eq!(registration.summary(), "Add a tag to a thing.");
        let schema = registration.schema().to_value();
        assert_eq!(schema["required"], serde_json::json!(["id", "name"]));
        assert!(schema["properties"]["id"].is_object(), "{schema}");

        let op = registration
            .build(serde_json::json!({"id": "user@123", "name": "vip"}))
            .unwrap();
        let request = op.request(&config).unwrap();
        assert_eq!(
            request.uri(),
            "https://acme.user.com/api/public/things-by-id/user@123/add_tag/"
        );
        assert_eq!(request.body(), br#"{"name":"vip"}"#);
        assert_eq!(
            op.args(),
            serde_json::json!({"id": "user@123", "name": "vip"})
        );

        let blank = On::<AddTag>::new(7, TagName { name: " ".into() });
        assert!(config.request(&blank).is_err());
        for bad in [
            serde_json::json!({"name": "x"}),
            serde_json::json!({"id": 1, "name": "x", "z": 1}),
        ] {
            assert!(registration.build(bad.clone()).is_err(), "{bad}");
        }

        let attributes = Registration::single::<On<SetAttributes>>()
            .build(serde_json::json!({"id": 7, "plan": "pro", "seats": 5}))
            .unwrap();
        let request = attributes.request(&config).unwrap();
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(body, serde_json::json!({"plan": "pro", "seats": 5}));
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
