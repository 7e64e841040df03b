//! Users: the people of the account, by numeric id or by the caller's own custom id.
//!
//! Every operation on one user takes a [`Selector`]: a number is User.com's id
//! (`/users/42/…`), text is your custom id (`/users-by-id/user@123/…`, percent-encoded).
//!
//! | operation | request |
//! |---|---|
//! | [`ListUsers`] `users.list` | `GET /users/` (`?with_email=`, `?{field}__{gt,gte,lt,lte,contains}=`) |
//! | [`GetUser`] `users.get` | `GET /users/{id}/`, `GET /users-by-id/{custom_id}/` |
//! | [`CreateUser`] `users.create` | `POST /users/` |
//! | [`UpdateUser`] `users.update` | `PUT /users/{id}/`, `PUT /users-by-id/{custom_id}/` |
//! | [`DeleteUser`] `users.delete` | `DELETE /users/{id}/`, `DELETE /users-by-id/{custom_id}/` (an empty 204) |
//! | [`UpsertUser`] `users.upsert` | `POST /users/update_or_create/`, matched on `custom_id`; safe to retry |
//! | [`FindUser`] `users.find` | `GET /users/search/?key=` \| `?email=` (`&many=true`) \| `?phone_number=` |
//! | [`SearchUsers`] `users.search` | `GET /users/search/?{attribute}__{lookup}=`, paginated |
//! | [`MassUpdateStandard`] `users.mass-update-standard` | `PUT /users/mass_update_standard_attributes/` (or `/users-by-id/…` for custom ids) |
//! | [`MassUpdateCustom`] `users.mass-update-custom` | `PUT /users/mass_update_custom_attributes/` (or `/users-by-id/…`) |
//! | [`SetAttribute`] `users.set-attribute` | `POST /users/{id}/set_attribute/` |
//! | [`SetAttributes`] `users.set-attributes` | `POST /users/{id}/set_multiple_attributes/` |
//! | [`RemoveAttribute`] `users.remove-attribute` | `POST /users/{id}/remove_attribute/` |
//! | [`AddTag`] `users.tag` | `POST /users/{id}/add_tag/` |
//! | [`AddTags`] `users.tag-many` | `POST /users/{id}/add_many_tags/` |
//! | [`RemoveTag`] `users.untag` | `POST /users/{id}/remove_tag/` |
//! | [`AddToList`] `users.add-to-list` | `POST /users/{id}/add_to_list/` |
//! | [`RemoveFromList`] `users.remove-from-list` | `POST /users/{id}/remove_from_list/` |
//! | [`Emails`] `users.emails` | `GET /users/{id}/emails/` |
//! | [`Events`] `users.events` | `GET /users/{id}/events/` |
//! | [`PageVisits`] `users.page-visits` | `GET /users/{id}/ping_hits/` |
//! | [`ProductEvents`] `users.product-events` | `GET /users/{id}/product_events/` |
//! | [`UserSegments`] `users.segments` | `GET /users/{id}/segments/` |
//! | [`Timeline`] `users.timeline` | `GET /users/{id}/timeline/` |
//! | [`MergeUsers`] `users.merge` | `POST /users/merge/` |
//!
//! Every action and listing below one user has both forms (`/users-by-id/{custom_id}/…`
//! beside `/users/{id}/…`). Elsewhere:
//!
//! - a user's conversations are
//!   [`conversations.list`](crate::conversations::ListConversations) with a `user_id`
//!   (`client.conversations().all(ListConversations::for_user(42))`);
//! - recording an event by custom id is `events.create-by-custom-id`
//!   (`client.events().create_by_custom_id(…)`), and by numeric id `events.create`.
//!
//! # Custom attributes
//!
//! Version 2 of the API sends a user's custom attributes as top-level keys beside the
//! standard fields, and takes them the same way. A [`User`] keeps them in
//! [`extra`](User::extra) with their JSON types (boolean, number, text, date, date-time,
//! JSON object, array for multiple-choice attributes, null): never stringified, never
//! dropped. [`UserFields`] sends them flat; a custom attribute named like a standard field
//! (`email`, `id`, `user_key`, …) is refused before anything is sent. Custom attributes must
//! exist in the account before they are written.
//!
//! ```
//! use usercom_core::{Config, api::users::{UpsertUser, UserFields}};
//!
//! let fields = UserFields::new().email("ada@example.com").attribute("plan", "pro").attribute("seats", 5);
//! let upsert = UpsertUser::new("acct-17", fields);
//! let config = Config::for_subdomain("acme", "secret").unwrap();
//! let request = config.request(&upsert).unwrap();
//! assert_eq!(request.uri(), "https://acme.user.com/api/public/users/update_or_create/");
//! let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
//! assert_eq!(
//!     body,
//!     serde_json::json!({"custom_id": "acct-17", "email": "ada@example.com", "plan": "pro", "seats": 5})
//! );
//!
//! let clash = UpsertUser::new("acct-17", UserFields::new().attribute("user_key", "x"));
//! assert!(config.request(&clash).unwrap_err().to_string().contains("user_key"));
//! ```

use std::borrow::Cow;
use std::fmt;

use http::{Method, StatusCode};
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::api::segments::Segment;
use crate::api::tags::Tag;
use crate::endpoint::{Endpoint, PagedEndpoint, Path, Query, decode_json, json_body_except};
use crate::family::{Action, Below, Member, On};
use crate::lossless::lossless_struct;
use crate::registry::{Column, Group, Registration, Tabular};
use crate::{Api, Error, Lenient, Page, Selector};

/// The roots of the two forms of every path below one user.
const ROOTS: [&str; 2] = ["users", "users-by-id"];

/// The most characters a first or last name may have.
pub const MAX_NAME_LENGTH: usize = 40;

/// The most characters a custom attribute's name may have in a mass update.
pub const MAX_ATTRIBUTE_NAME_LENGTH: usize = 255;

// ---------------------------------------------------------------------------------------------
// Gender and status
// ---------------------------------------------------------------------------------------------

/// An enum the API writes as an integer code and reads as a name.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $text:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The integer the API takes on write.
            pub fn code(self) -> u8 {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The name the API shows on read.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The value with this code.
            pub fn from_code(code: i64) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| i64::from(value.code()) == code)
            }

            fn expected() -> String {
                let names: Vec<String> = Self::ALL
                    .iter()
                    .map(|value| format!("{} ({})", value.name(), value.code()))
                    .collect();
                format!("one of {}", names.join(", "))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;

            /// A name (any case) or a code.
            fn from_str(text: &str) -> Result<Self, Error> {
                let text = text.trim();
                let found = match text.parse::<i64>() {
                    Ok(code) => Self::from_code(code),
                    Err(_) => Self::ALL
                        .iter()
                        .copied()
                        .find(|value| value.name().eq_ignore_ascii_case(text)),
                };
                found.ok_or_else(|| {
                    Error::invalid_input(format!(
                        "{text:?} is not a {} ({})",
                        $what,
                        Self::expected()
                    ))
                })
            }
        }

        impl Serialize for $name {
            /// The name, as the API reads it back.
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            /// A name (any case) or a code.
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use serde::de::Error as _;
                match Value::deserialize(deserializer)? {
                    Value::Number(number) => number
                        .as_i64()
                        .and_then(Self::from_code)
                        .ok_or_else(|| D::Error::custom(format!(
                            "{number} is not a {} code ({})", $what, Self::expected()
                        ))),
                    Value::String(text) => text.parse().map_err(D::Error::custom),
                    other => Err(D::Error::custom(format!(
                        "{other} is not a {} ({})", $what, Self::expected()
                    ))),
                }
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let codes: Vec<Value> = Self::ALL.iter().map(|v| Value::from(v.code())).collect();
                let names: Vec<Value> = Self::ALL.iter().map(|v| Value::from(v.name())).collect();
                schemars::json_schema!({
                    "description": format!("A {}: {}", $what, Self::expected()),
                    "anyOf": [
                        {"type": "integer", "enum": codes},
                        {"type": "string", "enum": names}
                    ]
                })
            }
        }
    };
}

coded_enum! {
    /// A user's gender. Written as an integer 1 to 3; read as a name (`"unknown"`) or a code.
    pub enum Gender ("gender") {
        /// Not known (1).
        Unknown = 1, "unknown";
        /// Male (2).
        Male = 2, "male";
        /// Female (3).
        Female = 3, "female";
    }
}

coded_enum! {
    /// Whether a user is a visitor or a user (a contact). Written as an integer 1 or 2;
    /// read as a name (`"visitor"`) or a code.
    pub enum Status ("user status") {
        /// An anonymous visitor (1).
        Visitor = 1, "visitor";
        /// A known user (2).
        User = 2, "user";
    }
}

/// Serialises an optional coded value as its integer code, as the API takes it on write.
fn as_code<T: Copy, S: Serializer>(
    value: &Option<T>,
    serializer: S,
    code: fn(T) -> u8,
) -> Result<S::Ok, S::Error> {
    value.map(code).serialize(serializer)
}

fn gender_code<S: Serializer>(value: &Option<Gender>, serializer: S) -> Result<S::Ok, S::Error> {
    as_code(value, serializer, Gender::code)
}

fn status_code<S: Serializer>(value: &Option<Status>, serializer: S) -> Result<S::Ok, S::Error> {
    as_code(value, serializer, Status::code)
}

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

lossless_struct! {
    /// A user, as the API sends it.
    ///
    /// The standard fields are named (every one optional, as the API omits or nulls any of them
    /// but `id`); everything else, custom attributes first of all, is kept in
    /// [`extra`](Self::extra) with its JSON type. Serialising a decoded user gives back every
    /// field the server sent. The v1-looking bodies that documentation pages print (`key`
    /// instead of `user_key`, custom attributes as an `attributes` list, `chat_id`) decode too:
    /// [`key`](Self::key) and [`attribute`](Self::attribute) read either form.
    ///
    /// ```
    /// use usercom_core::api::users::{Gender, User};
    /// let user: User = serde_json::from_str(r#"{"id": 52, "user_key": "ngze13ffndcv",
    ///     "custom_id": "user@123", "gender": "male", "status": 2, "plan": "pro",
    ///     "seats": 5, "beta": true, "interests": ["a", "b"], "limits": {"api": 10}}"#).unwrap();
    /// assert_eq!(user.key(), Some("ngze13ffndcv"));
    /// assert_eq!(user.gender.as_ref().and_then(|g| g.known()), Some(&Gender::Male));
    /// assert_eq!(user.attribute("seats"), Some(&serde_json::json!(5)));
    /// assert_eq!(user.attribute("interests"), Some(&serde_json::json!(["a", "b"])));
    /// let again = serde_json::to_value(&user).unwrap();
    /// assert_eq!(again["status"], 2, "kept as sent");
    /// assert_eq!(again["limits"]["api"], 10);
    /// ```
    #[derive(Debug, Clone, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct User {
        /// User.com's numeric id.
        pub id: i64,
        /// The user key (12 random characters; the `__ca__chat` cookie value).
        #[serde(default)]
        pub user_key: Option<String>,
        /// The user key under its v1 name, as documentation examples print it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub key: Option<String>,
        /// Your own id for the user (`user_id` in v1).
        #[serde(default)]
        pub custom_id: Option<String>,
        /// Email address.
        #[serde(default)]
        pub email: Option<String>,
        /// Display name: the full name, the email, or a made-up two-word name for a visitor.
        #[serde(default)]
        pub name: Option<String>,
        /// First name.
        #[serde(default)]
        pub first_name: Option<String>,
        /// Last name.
        #[serde(default)]
        pub last_name: Option<String>,
        /// Gender: a name (`"unknown"`) or a code, kept as sent.
        #[serde(default)]
        pub gender: Option<Lenient<Gender>>,
        /// Visitor or user: a name (`"visitor"`) or a code, kept as sent.
        #[serde(default)]
        pub status: Option<Lenient<Status>>,
        /// Phone number, free text.
        #[serde(default)]
        pub phone_number: Option<String>,
        /// Lead score.
        #[serde(default)]
        pub score: Option<i64>,
        /// How many pages the user has viewed.
        #[serde(default)]
        pub page_views: Option<i64>,
        /// Whether the user gets notifications.
        #[serde(default)]
        pub notifications: Option<bool>,
        /// Whether the user unsubscribed from emails.
        #[serde(default)]
        pub unsubscribed: Option<bool>,
        /// Whether the user subscribed to web push notifications.
        #[serde(default)]
        pub web_push_subscription: Option<bool>,
        /// The agent the user is assigned to.
        #[serde(default)]
        pub assigned_to: Option<i64>,
        /// The user's company, by numeric id.
        #[serde(default)]
        pub company_id: Option<i64>,
        /// The companies the user belongs to.
        #[serde(default)]
        pub companies: Option<Vec<CompanyMembership>>,
        /// The user's tags, `[{id, name}]`.
        #[serde(default)]
        pub tags: Option<Vec<Tag>>,
        /// The lists the user is on.
        #[serde(default)]
        pub lists: Option<Vec<Reference>>,
        /// The segments the user is in.
        #[serde(default)]
        pub segments: Option<Vec<Reference>>,
        /// When the user was created.
        #[serde(default)]
        pub created_at: Option<Timestamp>,
        /// When the user last changed.
        #[serde(default)]
        pub updated_at: Option<Timestamp>,
        /// When the user was first seen on the site.
        #[serde(default)]
        pub first_seen: Option<Timestamp>,
        /// When the user was last seen on the site.
        #[serde(default)]
        pub last_seen: Option<Timestamp>,
        /// When an agent last contacted the user.
        #[serde(default)]
        pub last_contacted: Option<Timestamp>,
        /// Country.
        #[serde(default)]
        pub country: Option<String>,
        /// Region.
        #[serde(default)]
        pub region: Option<String>,
        /// City.
        #[serde(default)]
        pub city: Option<String>,
        /// Time zone.
        #[serde(default)]
        pub timezone: Option<String>,
        /// Browser.
        #[serde(default)]
        pub browser: Option<String>,
        /// The browser's language (`"pl"`, `"de-DE"`).
        #[serde(default)]
        pub browser_language: Option<String>,
        /// Operating system.
        #[serde(default)]
        pub os_type: Option<String>,
        /// Screen resolution.
        #[serde(default)]
        pub resolution: Option<String>,
        /// The last IP address seen.
        #[serde(default)]
        pub last_ip: Option<String>,
        /// Gravatar image URL.
        #[serde(default)]
        pub gravatar_url: Option<String>,
        /// Google profile (free text; `"www.google.com"` has been seen).
        #[serde(default)]
        pub google_url: Option<String>,
        /// LinkedIn profile.
        #[serde(default)]
        pub linkedin_url: Option<String>,
        /// Twitter profile.
        #[serde(default)]
        pub twitter_url: Option<String>,
        /// Facebook profile.
        #[serde(default)]
        pub facebook_url: Option<String>,
        /// Custom attributes in the v1 form, `[{id, name, name_std, value}]`, as documentation
        /// examples print them (version 2 sends them as top-level keys, in `extra`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub attributes: Option<Vec<AttributeValue>>,
    }
    /// Every other field, as sent: the custom attributes with their JSON types, and fields
    /// this SDK does not name (`chat_id`, `most_active_time`, …).
    extra
}

impl User {
    /// The user key, under either name (`user_key`, or v1's `key`).
    pub fn key(&self) -> Option<&str> {
        self.user_key.as_deref().or(self.key.as_deref())
    }

    /// A custom attribute's value by its name (`name_std`): the top-level key version 2
    /// sends, or the v1 `attributes` list entry.
    pub fn attribute(&self, name: &str) -> Option<&Value> {
        self.extra.get(name).or_else(|| {
            self.attributes
                .iter()
                .flatten()
                .find(|a| a.name_std.as_deref() == Some(name))
                .map(|a| &a.value)
        })
    }

    /// The names of the user's tags.
    pub fn tag_names(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().flatten().map(|tag| tag.name.as_str())
    }
}

impl Tabular for User {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("custom_id", "/custom_id"),
        Column::new("email", "/email"),
        Column::new("name", "/name"),
        Column::new("status", "/status"),
        Column::new("user_key", "/user_key"),
        Column::new("last_seen", "/last_seen"),
    ];
    const OPEN: bool = true;
}

lossless_struct! {
    /// A company a user belongs to: `{id, name, member_since}`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct CompanyMembership {
        /// Company id.
        pub id: i64,
        /// Its name.
        #[serde(default)]
        pub name: Option<String>,
        /// When the user joined it.
        #[serde(default)]
        pub member_since: Option<Timestamp>,
    }
}

/// A list or segment a user is on: a bare id, or an object. Kept in the form it came in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Reference {
    /// A bare id.
    Id(i64),
    /// An object such as `{id, name}`.
    Object(NamedReference),
}

impl<'de> Deserialize<'de> for Reference {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::lossless::id_or_object(deserializer, Self::Id, Self::Object)
    }
}

impl Reference {
    /// The id, when known.
    pub fn id(&self) -> Option<i64> {
        match self {
            Self::Id(id) => Some(*id),
            Self::Object(object) => object.id,
        }
    }
}

lossless_struct! {
    /// A list or segment as an object.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct NamedReference {
        /// Its id.
        #[serde(default)]
        pub id: Option<i64>,
        /// Its name.
        #[serde(default)]
        pub name: Option<String>,
    }
}

lossless_struct! {
    /// A custom attribute in the v1 form: `{id, name, name_std, value}`.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct AttributeValue {
        /// The attribute's id.
        #[serde(default)]
        pub id: Option<i64>,
        /// Its display name.
        #[serde(default)]
        pub name: Option<String>,
        /// Its name as a key (`my_string_attr`).
        #[serde(default)]
        pub name_std: Option<String>,
        /// Its value, with its JSON type.
        #[serde(default)]
        pub value: Value,
    }
}

lossless_struct! {
    /// The answer to [`UpsertUser`]: `{"created": true, "id": 5577}`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct Upserted {
        /// `true` when no user had the custom id and one was created; `false` when the user
        /// that had it was updated.
        pub created: bool,
        /// The user's numeric id.
        pub id: i64,
    }
}

impl Tabular for Upserted {
    const COLUMNS: &'static [Column] =
        &[Column::new("id", "/id"), Column::new("created", "/created")];
}

/// What [`FindUser`] found, in the form the API sent it: one user, every user with an email
/// (`many=true`), or a page of users (how some clients read the phone number search).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Found {
    /// One user, a bare object.
    One(Box<User>),
    /// Every user with the email, a bare array.
    Many(Vec<User>),
    /// A page of users, `{"results": [...]}`.
    Page(Page<User>),
}

impl Found {
    /// The users found, whatever the form.
    pub fn users(&self) -> Vec<&User> {
        match self {
            Self::One(user) => vec![user],
            Self::Many(users) => users.iter().collect(),
            Self::Page(page) => page.results.iter().collect(),
        }
    }

    /// The users found, owned.
    pub fn into_users(self) -> Vec<User> {
        match self {
            Self::One(user) => vec![*user],
            Self::Many(users) => users,
            Self::Page(page) => page.results,
        }
    }

    /// The first user found, if any.
    pub fn first(&self) -> Option<&User> {
        self.users().into_iter().next()
    }
}

impl Tabular for Found {
    const COLUMNS: &'static [Column] = User::COLUMNS;
    const OPEN: bool = true;
}

lossless_struct! {
    /// An email sent to a user.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct UserEmail {
        /// Email id.
        pub id: i64,
        /// Its delivery status, as sent.
        #[serde(default)]
        pub status: Option<Value>,
        /// Its subject.
        #[serde(default)]
        pub subject: Option<String>,
        /// When it was created.
        #[serde(default)]
        pub created_at: Option<Timestamp>,
        /// When it was sent.
        #[serde(default)]
        pub sent_at: Option<Timestamp>,
        /// When it was first opened.
        #[serde(default)]
        pub opened_at: Option<Timestamp>,
        /// When a link in it was first clicked.
        #[serde(default)]
        pub clicked_at: Option<Timestamp>,
    }
}

impl Tabular for UserEmail {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("status", "/status"),
        Column::new("subject", "/subject"),
        Column::new("sent_at", "/sent_at"),
        Column::new("opened_at", "/opened_at"),
        Column::new("clicked_at", "/clicked_at"),
    ];
}

lossless_struct! {
    /// An event of a user.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct UserEvent {
        /// Event id.
        pub id: i64,
        /// The user's numeric id.
        #[serde(default)]
        pub client: Option<i64>,
        /// The event's name.
        #[serde(default)]
        pub event: Option<String>,
        /// The id of the event's name (its event type).
        #[serde(default)]
        pub event_id: Option<i64>,
        /// When it happened.
        #[serde(default)]
        pub timestamp: Option<Timestamp>,
        /// Its data, as sent.
        #[serde(default)]
        pub items: Option<Value>,
    }
}

impl Tabular for UserEvent {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("timestamp", "/timestamp"),
        Column::new("event", "/event"),
        Column::new("event_id", "/event_id"),
        Column::new("client", "/client"),
    ];
}

lossless_struct! {
    /// A page visit of a user (a "ping hit").
    #[derive(Debug, Clone, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct PageVisit {
        /// Visit id.
        pub id: i64,
        /// The user's numeric id.
        #[serde(default)]
        pub client: Option<i64>,
        /// The page's URL.
        #[serde(default)]
        pub url: Option<String>,
        /// Where the visitor came from.
        #[serde(default)]
        pub referer: Option<String>,
        /// When it happened.
        #[serde(default)]
        pub timestamp: Option<Timestamp>,
        /// IP address.
        #[serde(default)]
        pub ip_address: Option<String>,
        /// User agent.
        #[serde(default)]
        pub user_agent: Option<String>,
        /// Browser family.
        #[serde(default)]
        pub browser_family: Option<String>,
        /// Browser version.
        #[serde(default)]
        pub browser_version: Option<String>,
        /// Operating system.
        #[serde(default)]
        pub os_type: Option<String>,
        /// City.
        #[serde(default)]
        pub city: Option<String>,
        /// Country.
        #[serde(default)]
        pub country: Option<String>,
        /// Time zone.
        #[serde(default)]
        pub timezone: Option<String>,
        /// Screen resolution.
        #[serde(default)]
        pub resolution: Option<String>,
        /// Anything else recorded with the visit, as sent.
        #[serde(default)]
        pub extra_data: Option<Value>,
    }
}

impl Tabular for PageVisit {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("timestamp", "/timestamp"),
        Column::new("url", "/url"),
        Column::new("referer", "/referer"),
        Column::new("browser_family", "/browser_family"),
        Column::new("country", "/country"),
    ];
}

lossless_struct! {
    /// A product event of a user (an order, a view of a product, …).
    #[derive(Debug, Clone, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct UserProductEvent {
        /// Product event id.
        pub id: i64,
        /// The user's numeric id.
        #[serde(default)]
        pub client: Option<i64>,
        /// The kind of event (`"order"`, …), as sent.
        #[serde(default)]
        pub event_type: Option<String>,
        /// When it happened.
        #[serde(default)]
        pub timestamp: Option<Timestamp>,
        /// Data of this occurrence.
        #[serde(default)]
        pub custom_data: Option<Value>,
    }
}

impl Tabular for UserProductEvent {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("timestamp", "/timestamp"),
        Column::new("event_type", "/event_type"),
        Column::new("client", "/client"),
    ];
}

lossless_struct! {
    /// An entry of a user's timeline.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct TimelineEntry {
        /// Entry id.
        pub id: i64,
        /// What happened.
        #[serde(default)]
        pub name: Option<String>,
        /// When.
        #[serde(default)]
        pub datetime: Option<Timestamp>,
        /// Details, such as `{url, title}` for a page visit, as sent.
        #[serde(default)]
        pub content: Option<Value>,
    }
}

impl Tabular for TimelineEntry {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("datetime", "/datetime"),
        Column::new("name", "/name"),
        Column::new("url", "/content/url"),
        Column::new("title", "/content/title"),
    ];
}

// ---------------------------------------------------------------------------------------------
// Writing users
// ---------------------------------------------------------------------------------------------

/// The names of a user's standard fields: a custom attribute may not take one of them.
pub const STANDARD_FIELDS: &[&str] = &[
    "id",
    "user_key",
    "key",
    "custom_id",
    "email",
    "name",
    "first_name",
    "last_name",
    "gender",
    "status",
    "phone_number",
    "score",
    "page_views",
    "notifications",
    "unsubscribed",
    "web_push_subscription",
    "assigned_to",
    "company_id",
    "company_custom_id",
    "companies",
    "tags",
    "lists",
    "segments",
    "attributes",
    "chat_id",
    "created_at",
    "updated_at",
    "first_seen",
    "last_seen",
    "last_contacted",
    "country",
    "region",
    "city",
    "timezone",
    "browser",
    "browser_language",
    "os_type",
    "resolution",
    "last_ip",
    "gravatar_url",
    "google_url",
    "linkedin_url",
    "twitter_url",
    "facebook_url",
];

/// The standard attributes a mass update may set, as documented.
pub const MASS_UPDATE_STANDARD_ATTRIBUTES: &[&str] = &[
    "assigned_to",
    "city",
    "company_id",
    "country",
    "custom_id",
    "email",
    "facebook_url",
    "first_name",
    "gender",
    "google_url",
    "gravatar_url",
    "last_name",
    "linkedin_url",
    "notifications",
    "phone_number",
    "region",
    "score",
    "status",
    "timezone",
    "twitter_url",
    "unsubscribed",
];

fn check_name_length(field: &str, value: Option<&str>) -> Result<(), Error> {
    if let Some(value) = value {
        let length = value.chars().count();
        if length > MAX_NAME_LENGTH {
            return Err(Error::invalid_input(format!(
                "{field}: {length} characters, at most {MAX_NAME_LENGTH} are allowed"
            )));
        }
    }
    Ok(())
}

fn check_text(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(format!("{field} is empty")));
    }
    Ok(())
}

/// A custom attribute's name: not empty, and not a standard field's.
fn check_attribute_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid_input("a custom attribute has an empty name"));
    }
    if STANDARD_FIELDS.contains(&name) {
        return Err(Error::invalid_input(format!(
            "the custom attribute {name:?} has the name of a standard field of users; set \
             the standard field instead, or rename the attribute"
        )));
    }
    Ok(())
}

/// The fields a user is created or updated with: the standard ones, every one optional,
/// and custom attributes, sent flat beside them.
///
/// Its JSON form is the wire body: `{"email": "…", "gender": 2, "plan": "pro"}`. `gender`
/// and `status` go as their integer codes (a name is accepted on input); `tags` are names.
///
/// ```
/// use usercom_core::api::users::{Gender, UserFields};
/// let fields = UserFields::new().first_name("Ada").gender(Gender::Female).tag("vip").attribute("beta", true);
/// let json = serde_json::to_value(&fields).unwrap();
/// assert_eq!(json, serde_json::json!({"first_name": "Ada", "gender": 3, "tags": ["vip"], "beta": true}));
/// assert!(UserFields::new().first_name("x".repeat(41)).check().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct UserFields {
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// First name, at most 40 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name, at most 40 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Gender: 1 unknown, 2 male, 3 female (a name is accepted too).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "gender_code"
    )]
    pub gender: Option<Gender>,
    /// Status: 1 visitor, 2 user (a name is accepted too).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "status_code"
    )]
    pub status: Option<Status>,
    /// Tags, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// The custom id of the user's company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_custom_id: Option<String>,
    /// The user's company, by numeric id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<i64>,
    /// The agent the user is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<i64>,
    /// Lead score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i64>,
    /// Whether the user gets notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<bool>,
    /// Whether the user unsubscribed from emails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribed: Option<bool>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Gravatar image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gravatar_url: Option<String>,
    /// Google profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_url: Option<String>,
    /// LinkedIn profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin_url: Option<String>,
    /// Twitter profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twitter_url: Option<String>,
    /// Facebook profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facebook_url: Option<String>,
    /// Custom attributes, sent as top-level keys with their JSON types. They must exist in
    /// the account; a name of a standard field is refused.
    #[serde(flatten)]
    pub attributes: Map<String, Value>,
}

impl UserFields {
    /// No field set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// The first name (at most 40 characters).
    pub fn first_name(mut self, name: impl Into<String>) -> Self {
        self.first_name = Some(name.into());
        self
    }

    /// The last name (at most 40 characters).
    pub fn last_name(mut self, name: impl Into<String>) -> Self {
        self.last_name = Some(name.into());
        self
    }

    /// The phone number.
    pub fn phone_number(mut self, phone: impl Into<String>) -> Self {
        self.phone_number = Some(phone.into());
        self
    }

    /// The gender.
    pub fn gender(mut self, gender: Gender) -> Self {
        self.gender = Some(gender);
        self
    }

    /// The status.
    pub fn status(mut self, status: Status) -> Self {
        self.status = Some(status);
        self
    }

    /// One more tag, by name.
    pub fn tag(mut self, name: impl Into<String>) -> Self {
        self.tags.get_or_insert_with(Vec::new).push(name.into());
        self
    }

    /// The custom id of the user's company.
    pub fn company_custom_id(mut self, custom_id: impl Into<String>) -> Self {
        self.company_custom_id = Some(custom_id.into());
        self
    }

    /// A custom attribute, sent as a top-level key with its JSON type.
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// Checks the fields before anything is sent: names at most 40 characters, tags and
    /// custom attributes named, no custom attribute named like a standard field.
    pub fn check(&self) -> Result<(), Error> {
        check_name_length("first_name", self.first_name.as_deref())?;
        check_name_length("last_name", self.last_name.as_deref())?;
        for tag in self.tags.iter().flatten() {
            check_text("a tag name", tag)?;
        }
        for name in self.attributes.keys() {
            check_attribute_name(name)?;
        }
        Ok(())
    }
}

/// Create a user from standard fields and custom attributes.
///
/// Its JSON arguments are the wire body: standard fields and custom attributes side by side
/// (`{"email": "…", "first_name": "Ada", "plan": "pro"}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct CreateUser {
    /// Your own id for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<String>,
    /// The standard fields and custom attributes.
    #[serde(flatten)]
    pub fields: UserFields,
}

impl CreateUser {
    /// A user with these fields.
    pub fn new(fields: UserFields) -> Self {
        Self {
            custom_id: None,
            fields,
        }
    }

    /// Your own id for the user.
    pub fn custom_id(mut self, custom_id: impl Into<String>) -> Self {
        self.custom_id = Some(custom_id.into());
        self
    }
}

impl Endpoint for CreateUser {
    type Output = User;
    const NAME: &'static str = "users.create";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["users/"];

    fn path(&self) -> Path {
        Path::new("users")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        if let Some(custom_id) = &self.custom_id {
            check_text("custom_id", custom_id)?;
        }
        self.fields.check()?;
        json_body_except(self, &[])
    }
}

/// Update a user (PUT): the fields given are set, the others left as they are.
///
/// Its JSON arguments are the wire body plus `id`, the user: a number for User.com's id, a
/// string for your custom id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct UpdateUser {
    /// The user: numeric id, or custom id as a string.
    pub id: Selector,
    /// A new custom id for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<String>,
    /// The standard fields and custom attributes to set.
    #[serde(flatten)]
    pub fields: UserFields,
}

impl UpdateUser {
    /// Sets `fields` on the user `id`.
    pub fn new(id: impl Into<Selector>, fields: UserFields) -> Self {
        Self {
            id: id.into(),
            custom_id: None,
            fields,
        }
    }

    /// Gives the user a new custom id.
    pub fn custom_id(mut self, custom_id: impl Into<String>) -> Self {
        self.custom_id = Some(custom_id.into());
        self
    }
}

impl Endpoint for UpdateUser {
    type Output = User;
    const NAME: &'static str = "users.update";
    const METHOD: Method = Method::PUT;
    const PATHS: &'static [&'static str] = &["users/{id}/", "users-by-id/{id}/"];

    fn path(&self) -> Path {
        self.id.path(ROOTS[0], ROOTS[1])
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        if let Some(custom_id) = &self.custom_id {
            check_text("custom_id", custom_id)?;
        }
        self.fields.check()?;
        json_body_except(self, &["id"])
    }
}

/// Update the user with this custom id, or create one (`update_or_create`).
///
/// Safe to retry: it matches on `custom_id`, so a second send updates what the first created.
/// Its JSON arguments are the wire body: `custom_id` (required), standard fields and custom
/// attributes side by side. The answer says whether a user was created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct UpsertUser {
    /// Your own id for the user: the key the user is found by.
    pub custom_id: String,
    /// The standard fields and custom attributes.
    #[serde(flatten)]
    pub fields: UserFields,
}

impl UpsertUser {
    /// The user with custom id `custom_id`, updated with `fields` or created with them.
    pub fn new(custom_id: impl Into<String>, fields: UserFields) -> Self {
        Self {
            custom_id: custom_id.into(),
            fields,
        }
    }
}

impl Endpoint for UpsertUser {
    type Output = Upserted;
    const NAME: &'static str = "users.upsert";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["users/update_or_create/"];

    fn path(&self) -> Path {
        Path::new("users").then("update_or_create")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        check_text("custom_id", &self.custom_id)?;
        self.fields.check()?;
        json_body_except(self, &[])
    }

    /// Matching on the custom id makes a second send update what the first created.
    fn idempotent(&self) -> bool {
        true
    }
}

// ---------------------------------------------------------------------------------------------
// Reading users
// ---------------------------------------------------------------------------------------------

/// How a filter compares (`{name}__{lookup}=value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lookup {
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// Contains (case-sensitive).
    Contains,
    /// Contains, any case.
    #[serde(rename = "icontains")]
    IContains,
    /// Starts with (case-sensitive).
    #[serde(rename = "startswith")]
    StartsWith,
    /// Starts with, any case.
    #[serde(rename = "istartswith")]
    IStartsWith,
    /// Ends with (case-sensitive).
    #[serde(rename = "endswith")]
    EndsWith,
    /// Ends with, any case.
    #[serde(rename = "iendswith")]
    IEndsWith,
}

impl Lookup {
    /// The lookups `GET /users/` takes on standard fields.
    pub const STANDARD: &'static [Lookup] = &[
        Lookup::Gt,
        Lookup::Gte,
        Lookup::Lt,
        Lookup::Lte,
        Lookup::Contains,
    ];

    /// The suffix after `__` (`"gte"`).
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Gt => "gt",
            Self::Gte => "gte",
            Self::Lt => "lt",
            Self::Lte => "lte",
            Self::Contains => "contains",
            Self::IContains => "icontains",
            Self::StartsWith => "startswith",
            Self::IStartsWith => "istartswith",
            Self::EndsWith => "endswith",
            Self::IEndsWith => "iendswith",
        }
    }
}

/// One filter: `{field}__{lookup}={value}` (`score__gte=10`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Filter {
    /// The field or custom attribute (its `name_std`, such as `score` or `plan`).
    pub field: String,
    /// How it compares.
    pub lookup: Lookup,
    /// What it is compared with: text, a number or a boolean.
    pub value: Value,
}

impl Filter {
    /// `{field}__{lookup}={value}`.
    pub fn new(field: impl Into<String>, lookup: Lookup, value: impl Into<Value>) -> Self {
        Self {
            field: field.into(),
            lookup,
            value: value.into(),
        }
    }

    /// The query parameter's name (`score__gte`).
    pub fn parameter(&self) -> String {
        format!("{}__{}", self.field, self.lookup.suffix())
    }

    /// The value as query text.
    fn text(&self) -> String {
        match &self.value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        }
    }

    fn check(&self, allowed: &[Lookup]) -> Result<(), Error> {
        let field = &self.field;
        if field.is_empty()
            || !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || field.contains("__")
        {
            return Err(Error::invalid_input(format!(
                "filter field {field:?}: a field name is letters, digits and single underscores"
            )));
        }
        if !allowed.contains(&self.lookup) {
            let names: Vec<&str> = allowed.iter().map(|l| l.suffix()).collect();
            return Err(Error::invalid_input(format!(
                "filter on {field:?}: the lookup {:?} is not one of {}",
                self.lookup.suffix(),
                names.join(", ")
            )));
        }
        if !matches!(
            self.value,
            Value::String(_) | Value::Number(_) | Value::Bool(_)
        ) {
            return Err(Error::invalid_input(format!(
                "filter on {field:?}: the value {} is not text, a number or a boolean",
                self.value
            )));
        }
        Ok(())
    }
}

/// List users, optionally only those with an email or filtered on standard fields.
///
/// Filters are lookups on standard fields, built at run time: `score__gte=10`.
///
/// ```
/// use usercom_core::{Config, api::users::{Filter, ListUsers, Lookup}};
/// let config = Config::for_subdomain("acme", "secret").unwrap();
/// let list = ListUsers::new().with_email(true).filter(Filter::new("score", Lookup::Gte, 10));
/// let request = config.request(&list).unwrap();
/// assert_eq!(
///     request.uri(),
///     "https://acme.user.com/api/public/users/?with_email=true&score__gte=10"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListUsers {
    /// Only users with an email (`true`) or without one (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_email: Option<bool>,
    /// Filters on standard fields, such as `{"field": "score", "lookup": "gte", "value":
    /// 10}`; lookups gt, gte, lt, lte and contains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
}

impl ListUsers {
    /// Every user.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only users with an email (`true`) or without one (`false`).
    pub fn with_email(mut self, with_email: bool) -> Self {
        self.with_email = Some(with_email);
        self
    }

    /// One more filter on a standard field.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }
}

impl Endpoint for ListUsers {
    type Output = Page<User>;
    const NAME: &'static str = "users.list";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["users/"];

    fn path(&self) -> Path {
        Path::new("users")
    }

    fn query(&self) -> Query {
        let mut query = Query::default();
        if let Some(with_email) = self.with_email {
            query.push("with_email", with_email.to_string());
        }
        for filter in &self.filters {
            query.push(filter.parameter(), filter.text());
        }
        query
    }

    /// Nothing is sent; the filters are checked.
    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        for filter in &self.filters {
            filter.check(Lookup::STANDARD)?;
        }
        Ok(None)
    }
}

impl PagedEndpoint for ListUsers {
    type Item = User;
}

/// Get one user, by numeric id or custom id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GetUser {
    /// The user: numeric id, or custom id as a string.
    pub id: Selector,
}

impl GetUser {
    /// The user `id`.
    pub fn new(id: impl Into<Selector>) -> Self {
        Self { id: id.into() }
    }
}

impl Endpoint for GetUser {
    type Output = User;
    const NAME: &'static str = "users.get";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["users/{id}/", "users-by-id/{id}/"];

    fn path(&self) -> Path {
        self.id.path(ROOTS[0], ROOTS[1])
    }
}

/// Delete a user, by numeric id or custom id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DeleteUser {
    /// The user: numeric id, or custom id as a string.
    pub id: Selector,
}

impl DeleteUser {
    /// The user `id`.
    pub fn new(id: impl Into<Selector>) -> Self {
        Self { id: id.into() }
    }
}

impl Endpoint for DeleteUser {
    /// The body as sent: `null` for the usual empty 204.
    type Output = Value;
    const NAME: &'static str = "users.delete";
    const METHOD: Method = Method::DELETE;
    const PATHS: &'static [&'static str] = &["users/{id}/", "users-by-id/{id}/"];

    fn path(&self) -> Path {
        self.id.path(ROOTS[0], ROOTS[1])
    }
}

/// Find a user by key, by email or by phone number; every user with an email with `many`.
///
/// The answer is one user, not wrapped in a page; with `many` it is an array of every user
/// with the email. Nothing found is a 404.
///
/// ```
/// use usercom_core::{Config, api::users::FindUser};
/// let config = Config::for_subdomain("acme", "secret").unwrap();
/// let request = config.request(&FindUser::every_with_email("a@example.com")).unwrap();
/// assert_eq!(
///     request.uri(),
///     "https://acme.user.com/api/public/users/search/?email=a%40example.com&many=true"
/// );
/// assert!(config.request(&FindUser::default()).is_err(), "one of key, email, phone");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FindUser {
    /// The user key (12 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The phone number (sent as `phone_number`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "phone_number"
    )]
    pub phone: Option<String>,
    /// With `email`: every user with it, as an array.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub many: bool,
}

impl FindUser {
    /// The user with this key.
    pub fn by_key(key: impl Into<String>) -> Self {
        Self {
            key: Some(key.into()),
            ..Self::default()
        }
    }

    /// The user with this email.
    pub fn by_email(email: impl Into<String>) -> Self {
        Self {
            email: Some(email.into()),
            ..Self::default()
        }
    }

    /// Every user with this email.
    pub fn every_with_email(email: impl Into<String>) -> Self {
        Self {
            many: true,
            ..Self::by_email(email)
        }
    }

    /// The user with this phone number.
    pub fn by_phone(phone: impl Into<String>) -> Self {
        Self {
            phone: Some(phone.into()),
            ..Self::default()
        }
    }
}

impl Endpoint for FindUser {
    type Output = Found;
    const NAME: &'static str = "users.find";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["users/search/"];

    fn path(&self) -> Path {
        Path::new("users").then("search")
    }

    fn query(&self) -> Query {
        let mut query = Query::default();
        if let Some(key) = &self.key {
            query.push("key", key.clone());
        }
        if let Some(email) = &self.email {
            query.push("email", email.clone());
        }
        if let Some(phone) = &self.phone {
            query.push("phone_number", phone.clone());
        }
        if self.many {
            query.push("many", "true");
        }
        query
    }

    /// Nothing is sent; exactly one of key, email and phone is checked for.
    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        let given = [
            ("key", &self.key),
            ("email", &self.email),
            ("phone", &self.phone),
        ];
        let set: Vec<&str> = given
            .iter()
            .filter(|(_, value)| value.is_some())
            .map(|(name, _)| *name)
            .collect();
        if set.len() != 1 {
            return Err(Error::invalid_input(format!(
                "users.find takes exactly one of key, email and phone ({} given)",
                if set.is_empty() {
                    "none".to_owned()
                } else {
                    set.join(" and ")
                }
            )));
        }
        for (name, value) in given {
            if let Some(value) = value {
                check_text(name, value)?;
            }
        }
        if self.many && self.email.is_none() {
            return Err(Error::invalid_input(
                "many: only a search by email finds many users",
            ));
        }
        Ok(None)
    }

    /// `many` answers an array; otherwise one user, or a page where the API sends one.
    fn decode(&self, status: StatusCode, body: &[u8]) -> Result<Found, Error> {
        if self.many {
            return decode_json(status, body).map(Found::Many);
        }
        match decode_json::<User>(status, body) {
            Ok(user) => Ok(Found::One(Box::new(user))),
            Err(error) => {
                let page: Result<Page<User>, _> = serde_json::from_slice(body);
                match page {
                    Ok(page) if body_has_results(body) => Ok(Found::Page(page)),
                    _ => Err(error),
                }
            }
        }
    }
}

/// Whether a body is an object with a `results` key (a page), not a user.
fn body_has_results(body: &[u8]) -> bool {
    serde_json::from_slice::<Map<String, Value>>(body)
        .is_ok_and(|object| object.contains_key("results") && !object.contains_key("id"))
}

/// Search users by lookups on custom attributes, page by page.
///
/// Each filter is `{attribute}__{lookup}=value`: `plan__icontains=pro`, `seats__gte=5`.
///
/// ```
/// use usercom_core::{Config, api::users::{Filter, Lookup, SearchUsers}};
/// let config = Config::for_subdomain("acme", "secret").unwrap();
/// let search = SearchUsers::new(Filter::new("seats", Lookup::Gte, 5));
/// let request = config.request(&search).unwrap();
/// assert_eq!(request.uri(), "https://acme.user.com/api/public/users/search/?seats__gte=5");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SearchUsers {
    /// The filters, at least one: `{"field": "plan", "lookup": "icontains", "value": "pro"}`;
    /// lookups gt, gte, lt, lte, contains, icontains, startswith, istartswith, endswith,
    /// iendswith.
    pub filters: Vec<Filter>,
}

impl SearchUsers {
    /// Users that pass `filter`.
    pub fn new(filter: Filter) -> Self {
        Self {
            filters: vec![filter],
        }
    }

    /// One more filter.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }
}

impl Endpoint for SearchUsers {
    type Output = Page<User>;
    const NAME: &'static str = "users.search";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["users/search/"];

    fn path(&self) -> Path {
        Path::new("users").then("search")
    }

    fn query(&self) -> Query {
        let mut query = Query::default();
        for filter in &self.filters {
            query.push(filter.parameter(), filter.text());
        }
        query
    }

    /// Nothing is sent; the filters are checked.
    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        if self.filters.is_empty() {
            return Err(Error::invalid_input(
                "filters: a search needs at least one filter",
            ));
        }
        const ALL: &[Lookup] = &[
            Lookup::Gt,
            Lookup::Gte,
            Lookup::Lt,
            Lookup::Lte,
            Lookup::Contains,
            Lookup::IContains,
            Lookup::StartsWith,
            Lookup::IStartsWith,
            Lookup::EndsWith,
            Lookup::IEndsWith,
        ];
        for filter in &self.filters {
            filter.check(ALL)?;
        }
        Ok(None)
    }
}

impl PagedEndpoint for SearchUsers {
    type Item = User;
}

// ---------------------------------------------------------------------------------------------
// Mass updates and merge
// ---------------------------------------------------------------------------------------------

/// Users named all by numeric id or all by custom id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum UserIds {
    /// Numeric ids.
    Ids(Vec<i64>),
    /// Custom ids.
    CustomIds(Vec<String>),
}

impl UserIds {
    fn is_empty(&self) -> bool {
        match self {
            Self::Ids(ids) => ids.is_empty(),
            Self::CustomIds(ids) => ids.is_empty(),
        }
    }

    fn root(&self) -> &'static str {
        match self {
            Self::Ids(_) => ROOTS[0],
            Self::CustomIds(_) => ROOTS[1],
        }
    }

    fn check(&self) -> Result<(), Error> {
        if self.is_empty() {
            return Err(Error::invalid_input("ids: no user to update"));
        }
        if let Self::CustomIds(ids) = self {
            for id in ids {
                check_text("ids: a custom id", id)?;
            }
        }
        Ok(())
    }
}

impl From<Vec<i64>> for UserIds {
    fn from(ids: Vec<i64>) -> Self {
        Self::Ids(ids)
    }
}

impl From<Vec<String>> for UserIds {
    fn from(ids: Vec<String>) -> Self {
        Self::CustomIds(ids)
    }
}

/// Set one standard attribute to one value on many users.
///
/// `ids` are numeric ids (sent to `/users/…`) or custom ids (sent to `/users-by-id/…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MassUpdateStandard {
    /// The users: numeric ids, or custom ids as strings.
    pub ids: UserIds,
    /// The standard attribute: assigned_to, city, company_id, country, custom_id, email,
    /// facebook_url, first_name, gender, google_url, gravatar_url, last_name, linkedin_url,
    /// notifications, phone_number, region, score, status, timezone, twitter_url or
    /// unsubscribed.
    pub attribute: String,
    /// The value.
    pub value: Value,
}

impl MassUpdateStandard {
    /// Sets `attribute` to `value` on the users `ids`.
    pub fn new(
        ids: impl Into<UserIds>,
        attribute: impl Into<String>,
        value: impl Into<Value>,
    ) -> Self {
        Self {
            ids: ids.into(),
            attribute: attribute.into(),
            value: value.into(),
        }
    }
}

impl Endpoint for MassUpdateStandard {
    /// The body as sent (`{"status": "ok"}`).
    type Output = Value;
    const NAME: &'static str = "users.mass-update-standard";
    const METHOD: Method = Method::PUT;
    const PATHS: &'static [&'static str] = &[
        "users/mass_update_standard_attributes/",
        "users-by-id/mass_update_standard_attributes/",
    ];

    fn path(&self) -> Path {
        Path::new(self.ids.root()).then("mass_update_standard_attributes")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.ids.check()?;
        let attribute = self.attribute.as_str();
        if !MASS_UPDATE_STANDARD_ATTRIBUTES.contains(&attribute) {
            return Err(Error::invalid_input(format!(
                "attribute: {attribute:?} is not a standard attribute a mass update sets \
                 (one of {})",
                MASS_UPDATE_STANDARD_ATTRIBUTES.join(", ")
            )));
        }
        if matches!(attribute, "first_name" | "last_name") {
            check_name_length(attribute, self.value.as_str())?;
        }
        json_body_except(self, &[])
    }
}

/// Set one custom attribute to one value on many users.
///
/// `ids` are numeric ids (sent to `/users/…`) or custom ids (sent to `/users-by-id/…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MassUpdateCustom {
    /// The users: numeric ids, or custom ids as strings.
    pub ids: UserIds,
    /// The custom attribute's name (1 to 255 characters).
    pub attribute: String,
    /// The value, of the attribute's type.
    pub value: Value,
}

impl MassUpdateCustom {
    /// Sets the custom attribute `attribute` to `value` on the users `ids`.
    pub fn new(
        ids: impl Into<UserIds>,
        attribute: impl Into<String>,
        value: impl Into<Value>,
    ) -> Self {
        Self {
            ids: ids.into(),
            attribute: attribute.into(),
            value: value.into(),
        }
    }
}

impl Endpoint for MassUpdateCustom {
    /// The body as sent (not documented).
    type Output = Value;
    const NAME: &'static str = "users.mass-update-custom";
    const METHOD: Method = Method::PUT;
    const PATHS: &'static [&'static str] = &[
        "users/mass_update_custom_attributes/",
        "users-by-id/mass_update_custom_attributes/",
    ];

    fn path(&self) -> Path {
        Path::new(self.ids.root()).then("mass_update_custom_attributes")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.ids.check()?;
        check_attribute_name(&self.attribute)?;
        let length = self.attribute.chars().count();
        if length > MAX_ATTRIBUTE_NAME_LENGTH {
            return Err(Error::invalid_input(format!(
                "attribute: {length} characters, at most {MAX_ATTRIBUTE_NAME_LENGTH} are allowed"
            )));
        }
        json_body_except(self, &[])
    }
}

/// Merge users into one: `users_list` are merged into `parent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MergeUsers {
    /// The user that remains (numeric id).
    pub parent: i64,
    /// The users merged into it (numeric ids).
    pub users_list: Vec<i64>,
}

impl MergeUsers {
    /// Merges `users` into `parent`.
    pub fn new(parent: i64, users: impl Into<Vec<i64>>) -> Self {
        Self {
            parent,
            users_list: users.into(),
        }
    }
}

impl Endpoint for MergeUsers {
    /// The body as sent (not documented).
    type Output = Value;
    const NAME: &'static str = "users.merge";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["users/merge/"];

    fn path(&self) -> Path {
        Path::new("users").then("merge")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        if self.users_list.is_empty() {
            return Err(Error::invalid_input(
                "users_list: no user to merge into the parent",
            ));
        }
        if self.users_list.contains(&self.parent) {
            return Err(Error::invalid_input(format!(
                "users_list: the parent {} cannot be merged into itself",
                self.parent
            )));
        }
        json_body_except(self, &[])
    }
}

// ---------------------------------------------------------------------------------------------
// Actions and listings below one user
// ---------------------------------------------------------------------------------------------

/// A custom attribute's name and value: `{"attribute": "plan", "value": "pro"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AttributeAndValue {
    /// The custom attribute's name.
    pub attribute: String,
    /// Its new value, of the attribute's type.
    pub value: Value,
}

/// A custom attribute's name: `{"attribute": "plan"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AttributeName {
    /// The custom attribute's name.
    pub attribute: String,
}

/// A tag's name: `{"name": "vip"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TagName {
    /// The tag's name.
    pub name: String,
}

/// Tags' names: `{"tag_names": ["vip", "beta"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TagNames {
    /// The tags' names.
    pub tag_names: Vec<String>,
}

/// A list: `{"list": 7}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListId {
    /// The list's id.
    pub list: i64,
}

/// Declares an action below one user, by numeric id or custom id.
macro_rules! user_action {
    (
        $(#[$meta:meta])*
        $name:ident, $op:literal, $segment:literal, $summary:literal, $body:ty,
        idempotent: $idempotent:literal, check: $check:expr
    ) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub enum $name {}

        impl Action for $name {
            const NAME: &'static str = $op;
            const PATHS: &'static [&'static str] = &[
                concat!("users/{id}/", $segment, "/"),
                concat!("users-by-id/{id}/", $segment, "/"),
            ];
            const ROOTS: [&'static str; 2] = ROOTS;
            const SEGMENT: &'static str = $segment;
            const SUMMARY: &'static str = $summary;
            type Body = $body;
            type Output = Value;

            fn check(body: &$body) -> Result<(), Error> {
                let check: fn(&$body) -> Result<(), Error> = $check;
                check(body)
            }

            fn idempotent() -> bool {
                $idempotent
            }
        }
    };
}

user_action! {
    /// `users.set-attribute`: set one custom attribute of a user.
    SetAttribute, "users.set-attribute", "set_attribute",
    "Set one custom attribute of a user.", AttributeAndValue,
    idempotent: true, check: |body| check_attribute_name(&body.attribute)
}

user_action! {
    /// `users.set-attributes`: set custom attributes of a user, sent as a flat map.
    SetAttributes, "users.set-attributes", "set_multiple_attributes",
    "Set custom attributes of a user: a JSON object of names and values.", Map<String, Value>,
    idempotent: true, check: |body| {
        if body.is_empty() {
            return Err(Error::invalid_input("no attribute to set"));
        }
        body.keys().try_for_each(|name| check_attribute_name(name))
    }
}

user_action! {
    /// `users.remove-attribute`: clear one custom attribute of a user.
    RemoveAttribute, "users.remove-attribute", "remove_attribute",
    "Remove one custom attribute's value from a user.", AttributeName,
    idempotent: false, check: |body| check_attribute_name(&body.attribute)
}

user_action! {
    /// `users.tag`: add a tag to a user (created if the account has none of that name).
    AddTag, "users.tag", "add_tag",
    "Add a tag to a user, by the tag's name.", TagName,
    idempotent: true, check: |body| check_text("name", &body.name)
}

user_action! {
    /// `users.tag-many`: add tags to a user.
    AddTags, "users.tag-many", "add_many_tags",
    "Add several tags to a user, by their names.", TagNames,
    idempotent: true, check: |body| {
        if body.tag_names.is_empty() {
            return Err(Error::invalid_input("tag_names: no tag to add"));
        }
        body.tag_names.iter().try_for_each(|name| check_text("tag_names: a name", name))
    }
}

user_action! {
    /// `users.untag`: remove a tag from a user.
    RemoveTag, "users.untag", "remove_tag",
    "Remove a tag from a user, by the tag's name.", TagName,
    idempotent: false, check: |body| check_text("name", &body.name)
}

user_action! {
    /// `users.add-to-list`: put a user on a list.
    AddToList, "users.add-to-list", "add_to_list",
    "Add a user to a list.", ListId,
    idempotent: true, check: |_| Ok(())
}

user_action! {
    /// `users.remove-from-list`: take a user off a list.
    RemoveFromList, "users.remove-from-list", "remove_from_list",
    "Remove a user from a list.", ListId,
    idempotent: false, check: |_| Ok(())
}

/// Declares a listing below one user, by numeric id or custom id.
macro_rules! user_listing {
    ($(#[$meta:meta])* $name:ident, $op:literal, $segment:literal, $item:ty) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub enum $name {}

        impl Member for $name {
            const NAME: &'static str = $op;
            const PATHS: &'static [&'static str] = &[
                concat!("users/{id}/", $segment, "/"),
                concat!("users-by-id/{id}/", $segment, "/"),
            ];
            const ROOTS: [&'static str; 2] = ROOTS;
            const SEGMENT: &'static str = $segment;
            type Item = $item;
        }
    };
}

user_listing! {
    /// `users.emails`: the emails sent to a user.
    Emails, "users.emails", "emails", UserEmail
}

user_listing! {
    /// `users.events`: a user's events.
    Events, "users.events", "events", UserEvent
}

user_listing! {
    /// `users.page-visits`: the pages a user visited (`ping_hits`).
    PageVisits, "users.page-visits", "ping_hits", PageVisit
}

user_listing! {
    /// `users.product-events`: a user's product events.
    ProductEvents, "users.product-events", "product_events", UserProductEvent
}

user_listing! {
    /// `users.segments`: the segments a user is in.
    UserSegments, "users.segments", "segments", Segment
}

user_listing! {
    /// `users.timeline`: a user's timeline.
    Timeline, "users.timeline", "timeline", TimelineEntry
}

// ---------------------------------------------------------------------------------------------
// Registration and calls
// ---------------------------------------------------------------------------------------------

/// The users group.
pub static GROUP: Group = Group {
    name: "users",
    summary: "Users: the people of the account, by id or custom id",
    operations: &[
        Registration::paged::<ListUsers>(),
        Registration::single::<GetUser>(),
        Registration::single::<CreateUser>(),
        Registration::single::<UpdateUser>(),
        Registration::single::<DeleteUser>(),
        Registration::single::<UpsertUser>(),
        Registration::single::<FindUser>(),
        Registration::paged::<SearchUsers>(),
        Registration::single::<MassUpdateStandard>(),
        Registration::single::<MassUpdateCustom>(),
        Registration::single::<On<SetAttribute>>(),
        Registration::single::<On<SetAttributes>>(),
        Registration::single::<On<RemoveAttribute>>(),
        Registration::single::<On<AddTag>>(),
        Registration::single::<On<AddTags>>(),
        Registration::single::<On<RemoveTag>>(),
        Registration::single::<On<AddToList>>(),
        Registration::single::<On<RemoveFromList>>(),
        Registration::paged::<Below<Emails>>(),
        Registration::paged::<Below<Events>>(),
        Registration::paged::<Below<PageVisits>>(),
        Registration::paged::<Below<ProductEvents>>(),
        Registration::paged::<Below<UserSegments>>(),
        Registration::paged::<Below<Timeline>>(),
        Registration::single::<MergeUsers>(),
    ],
};

/// The users calls of a client: `client.users()`.
///
/// Every call on one user takes a numeric id (`42`) or a custom id (`"user@123"`).
#[derive(Debug)]
pub struct Users<'a, C>(pub(crate) &'a C);

impl<'a, C: Api> Users<'a, C> {
    /// One page of users: the first, with a `next` link to follow.
    pub fn list(&self, list: ListUsers) -> C::Call<'a, Page<User>> {
        self.0.call(list)
    }

    /// Every user of every page.
    pub fn all(&self, list: ListUsers) -> C::Items<User> {
        self.0.paginate(list)
    }

    /// One user.
    pub fn get(&self, id: impl Into<Selector>) -> C::Call<'a, User> {
        self.0.call(GetUser::new(id))
    }

    /// Creates a user.
    pub fn create(&self, create: CreateUser) -> C::Call<'a, User> {
        self.0.call(create)
    }

    /// Updates a user.
    pub fn update(&self, id: impl Into<Selector>, fields: UserFields) -> C::Call<'a, User> {
        self.0.call(UpdateUser::new(id, fields))
    }

    /// Deletes a user; the answer is the body as sent (`null` when empty).
    pub fn delete(&self, id: impl Into<Selector>) -> C::Call<'a, Value> {
        self.0.call(DeleteUser::new(id))
    }

    /// Updates the user with this custom id, or creates one; safe to retry.
    pub fn upsert(
        &self,
        custom_id: impl Into<String>,
        fields: UserFields,
    ) -> C::Call<'a, Upserted> {
        self.0.call(UpsertUser::new(custom_id, fields))
    }

    /// Finds users by key, email or phone number.
    pub fn find(&self, find: FindUser) -> C::Call<'a, Found> {
        self.0.call(find)
    }

    /// Every user that passes the custom attribute filters.
    pub fn search(&self, search: SearchUsers) -> C::Items<User> {
        self.0.paginate(search)
    }

    /// Sets one standard attribute on many users.
    pub fn mass_update_standard(&self, update: MassUpdateStandard) -> C::Call<'a, Value> {
        self.0.call(update)
    }

    /// Sets one custom attribute on many users.
    pub fn mass_update_custom(&self, update: MassUpdateCustom) -> C::Call<'a, Value> {
        self.0.call(update)
    }

    /// Sets one custom attribute of a user.
    pub fn set_attribute(
        &self,
        id: impl Into<Selector>,
        attribute: impl Into<String>,
        value: impl Into<Value>,
    ) -> C::Call<'a, Value> {
        let body = AttributeAndValue {
            attribute: attribute.into(),
            value: value.into(),
        };
        self.0.call(On::<SetAttribute>::new(id, body))
    }

    /// Sets custom attributes of a user.
    pub fn set_attributes(
        &self,
        id: impl Into<Selector>,
        attributes: Map<String, Value>,
    ) -> C::Call<'a, Value> {
        self.0.call(On::<SetAttributes>::new(id, attributes))
    }

    /// Removes one custom attribute's value from a user.
    pub fn remove_attribute(
        &self,
        id: impl Into<Selector>,
        attribute: impl Into<String>,
    ) -> C::Call<'a, Value> {
        let body = AttributeName {
            attribute: attribute.into(),
        };
        self.0.call(On::<RemoveAttribute>::new(id, body))
    }

    /// Adds a tag to a user.
    pub fn tag(&self, id: impl Into<Selector>, name: impl Into<String>) -> C::Call<'a, Value> {
        let body = TagName { name: name.into() };
        self.0.call(On::<AddTag>::new(id, body))
    }

    /// Adds tags to a user.
    pub fn tag_many<I, S>(&self, id: impl Into<Selector>, names: I) -> C::Call<'a, Value>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let body = TagNames {
            tag_names: names.into_iter().map(Into::into).collect(),
        };
        self.0.call(On::<AddTags>::new(id, body))
    }

    /// Removes a tag from a user.
    pub fn untag(&self, id: impl Into<Selector>, name: impl Into<String>) -> C::Call<'a, Value> {
        let body = TagName { name: name.into() };
        self.0.call(On::<RemoveTag>::new(id, body))
    }

    /// Adds a user to a list.
    pub fn add_to_list(&self, id: impl Into<Selector>, list: i64) -> C::Call<'a, Value> {
        self.0.call(On::<AddToList>::new(id, ListId { list }))
    }

    /// Removes a user from a list.
    pub fn remove_from_list(&self, id: impl Into<Selector>, list: i64) -> C::Call<'a, Value> {
        self.0.call(On::<RemoveFromList>::new(id, ListId { list }))
    }

    /// The emails sent to a user.
    pub fn emails(&self, id: impl Into<Selector>) -> C::Items<UserEmail> {
        self.0.paginate(Below::<Emails>::new(id))
    }

    /// A user's events.
    pub fn events(&self, id: impl Into<Selector>) -> C::Items<UserEvent> {
        self.0.paginate(Below::<Events>::new(id))
    }

    /// The pages a user visited.
    pub fn page_visits(&self, id: impl Into<Selector>) -> C::Items<PageVisit> {
        self.0.paginate(Below::<PageVisits>::new(id))
    }

    /// A user's product events.
    pub fn product_events(&self, id: impl Into<Selector>) -> C::Items<UserProductEvent> {
        self.0.paginate(Below::<ProductEvents>::new(id))
    }

    /// The segments a user is in.
    pub fn segments(&self, id: impl Into<Selector>) -> C::Items<Segment> {
        self.0.paginate(Below::<UserSegments>::new(id))
    }

    /// A user's timeline.
    pub fn timeline(&self, id: impl Into<Selector>) -> C::Items<TimelineEntry> {
        self.0.paginate(Below::<Timeline>::new(id))
    }

    /// Merges `users` into `parent`.
    pub fn merge(&self, parent: i64, users: impl Into<Vec<i64>>) -> C::Call<'a, Value> {
        self.0.call(MergeUsers::new(parent, users))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use crate::api::DryRun;
    use crate::registry;
    use serde_json::json;

    fn config() -> Config {
        Config::for_subdomain("acme", "key").unwrap()
    }

    #[test]
    fn each_call_sends_its_documented_request() {
        let client = DryRun::new(config());
        let users = client.users();
        let root = "https://acme.user.com/api/public/";
        let fields = || {
            UserFields::new()
                .email("ada@example.com")
                .attribute("plan", "pro")
        };
        let cases = [
            (users.list(ListUsers::new()), "GET", "users/", ""),
            (
                users.all(
                    ListUsers::new()
                        .with_email(true)
                        .filter(Filter::new("score", Lookup::Gte, 10))
                        .filter(Filter::new("email", Lookup::Contains, "@example.com")),
                ),
                "GET",
                "users/?with_email=true&score__gte=10&email__contains=%40example.com",
                "",
            ),
            (users.get(42), "GET", "users/42/", ""),
            (users.get("user@123"), "GET", "users-by-id/user@123/", ""),
            (
                users.create(CreateUser::new(fields()).custom_id("acct-17")),
                "POST",
                "users/",
                r#"{"custom_id":"acct-17","email":"ada@example.com","plan":"pro"}"#,
            ),
            (
                users.update(
                    42,
                    UserFields::new().gender(Gender::Male).status(Status::User),
                ),
                "PUT",
                "users/42/",
                r#"{"gender":2,"status":2}"#,
            ),
            (
                users.update("a b", UserFields::new().last_name("Doe")),
                "PUT",
                "users-by-id/a%20b/",
                r#"{"last_name":"Doe"}"#,
            ),
            (users.delete(42), "DELETE", "users/42/", ""),
            (
                users.delete("user@123"),
                "DELETE",
                "users-by-id/user@123/",
                "",
            ),
            (
                users.upsert("acct-17", fields().tag("vip")),
                "POST",
                "users/update_or_create/",
                r#"{"custom_id":"acct-17","email":"ada@example.com","plan":"pro","tags":["vip"]}"#,
            ),
            (
                users.find(FindUser::by_key("xSoYQG00fg9z")),
                "GET",
                "users/search/?key=xSoYQG00fg9z",
                "",
            ),
            (
                users.find(FindUser::by_email("a@b.c")),
                "GET",
                "users/search/?email=a%40b.c",
                "",
            ),
            (
                users.find(FindUser::every_with_email("a@b.c")),
                "GET",
                "users/search/?email=a%40b.c&many=true",
                "",
            ),
            (
                users.find(FindUser::by_phone("+48 600")),
                "GET",
                "users/search/?phone_number=%2B48+600",
                "",
            ),
            (
                users.search(
                    SearchUsers::new(Filter::new("plan", Lookup::IContains, "pro"))
                        .filter(Filter::new("seats", Lookup::Lt, 5))
                        .filter(Filter::new("beta", Lookup::Gte, true)),
                ),
                "GET",
                "users/search/?plan__icontains=pro&seats__lt=5&beta__gte=true",
                "",
            ),
            (
                users.mass_update_standard(MassUpdateStandard::new(vec![1, 2], "score", 5)),
                "PUT",
                "users/mass_update_standard_attributes/",
                r#"{"ids":[1,2],"attribute":"score","value":5}"#,
            ),
            (
                users.mass_update_standard(MassUpdateStandard::new(
                    vec!["a@1".to_owned()],
                    "city",
                    "Gdańsk",
                )),
                "PUT",
                "users-by-id/mass_update_standard_attributes/",
                r#"{"ids":["a@1"],"attribute":"city","value":"Gdańsk"}"#,
            ),
            (
                users.mass_update_custom(MassUpdateCustom::new(vec![7], "plan", json!(null))),
                "PUT",
                "users/mass_update_custom_attributes/",
                r#"{"ids":[7],"attribute":"plan","value":null}"#,
            ),
            (
                users.mass_update_custom(MassUpdateCustom::new(
                    vec!["x".to_owned()],
                    "interests",
                    json!(["a", "b"]),
                )),
                "PUT",
                "users-by-id/mass_update_custom_attributes/",
                r#"{"ids":["x"],"attribute":"interests","value":["a","b"]}"#,
            ),
            (
                users.set_attribute(42, "plan", "pro"),
                "POST",
                "users/42/set_attribute/",
                r#"{"attribute":"plan","value":"pro"}"#,
            ),
            (
                users.set_attributes(
                    "user@123",
                    Map::from_iter([
                        ("plan".to_owned(), json!("pro")),
                        ("seats".to_owned(), json!(5)),
                    ]),
                ),
                "POST",
                "users-by-id/user@123/set_multiple_attributes/",
                r#"{"plan":"pro","seats":5}"#,
            ),
            (
                users.remove_attribute(42, "plan"),
                "POST",
                "users/42/remove_attribute/",
                r#"{"attribute":"plan"}"#,
            ),
            (
                users.tag(42, "vip"),
                "POST",
                "users/42/add_tag/",
                r#"{"name":"vip"}"#,
            ),
            (
                users.tag_many("日本", ["vip", "beta"]),
                "POST",
                "users-by-id/%E6%97%A5%E6%9C%AC/add_many_tags/",
                r#"{"tag_names":["vip","beta"]}"#,
            ),
            (
                users.untag(42, "vip"),
                "POST",
                "users/42/remove_tag/",
                r#"{"name":"vip"}"#,
            ),
            (
                users.add_to_list(42, 7),
                "POST",
                "users/42/add_to_list/",
                r#"{"list":7}"#,
            ),
            (
                users.remove_from_list("a/b", 7),
                "POST",
                "users-by-id/a%2Fb/remove_from_list/",
                r#"{"list":7}"#,
            ),
            (users.emails(42), "GET", "users/42/emails/", ""),
            (
                users.events("user@123"),
                "GET",
                "users-by-id/user@123/events/",
                "",
            ),
            (users.page_visits(42), "GET", "users/42/ping_hits/", ""),
            (
                users.product_events(42),
                "GET",
                "users/42/product_events/",
                "",
            ),
            (users.segments(42), "GET", "users/42/segments/", ""),
            (users.timeline("c"), "GET", "users-by-id/c/timeline/", ""),
            (
                users.merge(1, [2, 3]),
                "POST",
                "users/merge/",
                r#"{"parent":1,"users_list":[2,3]}"#,
            ),
        ];
        for (request, method, path, body) in cases {
            let request = request.unwrap();
            assert_eq!(request.method(), method, "{path}");
            assert_eq!(request.uri().to_string(), format!("{root}{path}"));
            if body.is_empty() {
                assert!(request.body().is_empty(), "{path}");
                assert!(request.headers().get("content-type").is_none(), "{path}");
            } else {
                let sent: Value = serde_json::from_slice(request.body()).unwrap();
                let expected: Value = serde_json::from_str(body).unwrap();
                assert_eq!(sent, expected, "{path}");
                assert_eq!(request.headers()["content-type"], "application/json");
            }
        }
    }

    #[test]
    fn bad_input_is_refused_before_sending_and_named() {
        let client = DryRun::new(config());
        let users = client.users();
        let long = "x".repeat(41);
        let cases = [
            (
                users.create(CreateUser::new(UserFields::new().first_name(&long))),
                "first_name: 41 characters",
            ),
            (
                users.update(1, UserFields::new().last_name(&long)),
                "last_name: 41 characters",
            ),
            (users.upsert("  ", UserFields::new()), "custom_id is empty"),
            (
                users.upsert("a", UserFields::new().attribute("email", "x")),
                "\"email\" has the name of a standard field",
            ),
            (
                users.create(CreateUser::new(UserFields::new().attribute("", 1))),
                "empty name",
            ),
            (
                users.create(CreateUser::new(UserFields::new().tag(" "))),
                "a tag name is empty",
            ),
            (
                users.find(FindUser::default()),
                "exactly one of key, email and phone (none given)",
            ),
            (
                users.find(FindUser {
                    key: Some("k".into()),
                    email: Some("e".into()),
                    ..FindUser::default()
                }),
                "(key and email given)",
            ),
            (
                users.find(FindUser {
                    many: true,
                    ..FindUser::by_key("k")
                }),
                "many: only a search by email",
            ),
            (
                users.mass_update_standard(MassUpdateStandard::new(vec![1], "plan", "x")),
                "\"plan\" is not a standard attribute",
            ),
            (
                users.mass_update_standard(MassUpdateStandard::new(
                    vec![1],
                    "first_name",
                    long.clone(),
                )),
                "first_name: 41 characters",
            ),
            (
                users.mass_update_standard(MassUpdateStandard::new(Vec::<i64>::new(), "city", "x")),
                "ids: no user",
            ),
            (
                users.mass_update_custom(MassUpdateCustom::new(vec![1], "y".repeat(256), 1)),
                "attribute: 256 characters",
            ),
            (
                users.mass_update_custom(MassUpdateCustom::new(vec![1], "email", 1)),
                "standard field",
            ),
            (
                users.set_attribute(1, "user_key", 1),
                "\"user_key\" has the name",
            ),
            (users.set_attributes(1, Map::new()), "no attribute to set"),
            (users.tag(1, ""), "name is empty"),
            (users.tag_many(1, Vec::<String>::new()), "tag_names: no tag"),
            (users.merge(1, [1, 2]), "cannot be merged into itself"),
            (users.merge(1, []), "users_list: no user"),
        ];
        for (result, expected) in cases {
            let error = result.unwrap_err();
            assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
            assert!(
                error.to_string().contains(expected),
                "{error} lacks {expected}"
            );
        }
        let lists = [
            (
                ListUsers::new().filter(Filter::new("plan", Lookup::IContains, "x")),
                "not one of gt",
            ),
            (
                ListUsers::new().filter(Filter::new("a b", Lookup::Gt, 1)),
                "\"a b\"",
            ),
            (
                ListUsers::new().filter(Filter::new("a__b", Lookup::Gt, 1)),
                "\"a__b\"",
            ),
            (
                ListUsers::new().filter(Filter::new("score", Lookup::Gt, json!([1]))),
                "[1] is not text",
            ),
        ];
        for (list, expected) in lists {
            let error = users.list(list).unwrap_err();
            assert!(
                error.to_string().contains(expected),
                "{error} lacks {expected}"
            );
        }
        let empty = SearchUsers {
            filters: Vec::new(),
        };
        // A listing is checked when its request is built.
        let error = config().request(&empty).unwrap_err().to_string();
        assert!(error.contains("at least one filter"), "{error}");
        let odd = SearchUsers::new(Filter::new("plan", Lookup::Contains, json!({"a": 1})));
        assert!(config().request(&odd).is_err());
        // A name of exactly 40 characters, counted in characters, is fine.
        let forty = "ż".repeat(40);
        assert!(
            users
                .create(CreateUser::new(UserFields::new().first_name(forty)))
                .is_ok()
        );
    }

    /// §4.1a: the user as v2 documentation pages print it (v1-looking), with the
    /// find-user-by-key page's `attributes` and `tags`.
    const DOCUMENTED: &str = r#"{
      "updated_at": "2017-06-13T12:22:38.748397Z",
      "companies": [{"id": 14, "name": "Company name", "member_since": "2018-06-14T08:49:56.515083Z"}],
      "key": "xSoYQG00fg9z", "city": null, "linkedin_url": null,
      "tags": [{"name": "tag", "id": 1441}], "last_contacted": null, "phone_number": null,
      "facebook_url": null, "notifications": true, "region": null, "timezone": null,
      "status": "visitor", "gravatar_url": null, "twitter_url": null, "google_url": null,
      "os_type": null, "email": "myemail@example.org", "score": 0, "unsubscribed": false,
      "first_seen": null, "page_views": 0, "last_ip": null,
      "chat_id": "Chat ID is deprecated and will be removed in future", "browser": null,
      "gender": "unknown", "resolution": null, "country": null, "name": "John Doe",
      "created_at": "2017-06-13T12:22:38.748373Z", "last_seen": null, "lists": [],
      "attributes": [
        {"value": true, "name": "Example attr", "name_std": "example_attr", "id": 1109},
        {"value": "attribute value", "name": "My string attr", "name_std": "my_string_attr", "id": 2429}
      ],
      "browser_language": null, "id": 20901703
    }"#;

    #[test]
    fn a_v1_looking_documented_user_decodes_and_keeps_every_field() {
        let user: User = serde_json::from_str(DOCUMENTED).unwrap();
        assert_eq!(user.id, 20901703);
        assert_eq!(user.key(), Some("xSoYQG00fg9z"));
        assert_eq!(user.user_key, None);
        assert_eq!(
            user.status.as_ref().unwrap().known(),
            Some(&Status::Visitor)
        );
        assert_eq!(
            user.gender.as_ref().unwrap().known(),
            Some(&Gender::Unknown)
        );
        assert_eq!(user.attribute("example_attr"), Some(&json!(true)));
        assert_eq!(
            user.attribute("my_string_attr"),
            Some(&json!("attribute value"))
        );
        assert_eq!(user.tag_names().collect::<Vec<_>>(), ["tag"]);
        assert_eq!(
            user.companies.as_ref().unwrap()[0].name.as_deref(),
            Some("Company name")
        );
        assert_eq!(
            user.extra.get("chat_id"),
            Some(&json!(
                "Chat ID is deprecated and will be removed in future"
            ))
        );
        let sent: Value = serde_json::from_str(DOCUMENTED).unwrap();
        let again = serde_json::to_value(&user).unwrap();
        for (key, value) in sent.as_object().unwrap() {
            let back = &again[key];
            let same = back == value
                || (value.is_string()
                    && value.as_str().unwrap().parse::<Timestamp>().ok()
                        == back.as_str().and_then(|b| b.parse().ok()));
            assert!(same, "{key}: sent {value}, again {back}");
        }
    }

    #[test]
    fn custom_attributes_keep_their_json_types() {
        let text = r#"{"id": 1, "user_key": "k", "plan": "pro", "seats": 5, "ltv": 12.5,
            "beta": false, "renewal": "2025-03-01", "trial_end": "2025-03-01T10:00:00Z",
            "prefs": {"lang": "pl", "n": [1]}, "interests": ["a", "b"], "nothing": null}"#;
        let user: User = serde_json::from_str(text).unwrap();
        let sent: Value = serde_json::from_str(text).unwrap();
        for name in [
            "plan",
            "seats",
            "ltv",
            "beta",
            "renewal",
            "trial_end",
            "prefs",
            "interests",
            "nothing",
        ] {
            assert_eq!(user.extra.get(name), sent.get(name), "{name}");
            assert_eq!(user.attribute(name), sent.get(name), "{name}");
        }
        let again = serde_json::to_value(&user).unwrap();
        assert_eq!(again["ltv"], json!(12.5));
        assert_eq!(
            again["trial_end"],
            json!("2025-03-01T10:00:00Z"),
            "not a typed date"
        );
        assert!(
            again.get("key").is_none() && again.get("attributes").is_none(),
            "no v1 keys added"
        );
    }

    #[test]
    fn gender_and_status_read_names_and_codes_and_keep_them() {
        for (json, gender) in [
            (r#""male""#, Some(Gender::Male)),
            (r#""Female""#, Some(Gender::Female)),
            ("1", Some(Gender::Unknown)),
            ("3", Some(Gender::Female)),
            ("9", None),
            (r#""other""#, None),
        ] {
            let lenient: Lenient<Gender> = serde_json::from_str(json).unwrap();
            assert_eq!(lenient.known(), gender.as_ref(), "{json}");
            assert_eq!(serde_json::to_string(&lenient).unwrap(), json);
        }
        for (json, status) in [
            (r#""user""#, Some(Status::User)),
            ("1", Some(Status::Visitor)),
            ("0", None),
        ] {
            let lenient: Lenient<Status> = serde_json::from_str(json).unwrap();
            assert_eq!(lenient.known(), status.as_ref(), "{json}");
        }
        assert_eq!("2".parse::<Gender>().unwrap(), Gender::Male);
        let err = "robot".parse::<Status>().unwrap_err().to_string();
        assert!(err.contains("visitor (1), user (2)"), "{err}");
        // Written as codes, whatever form they were given in.
        let fields: UserFields =
            serde_json::from_value(json!({"gender": "female", "status": 1})).unwrap();
        assert_eq!(
            serde_json::to_value(&fields).unwrap(),
            json!({"gender": 3, "status": 1})
        );
        assert!(serde_json::from_value::<UserFields>(json!({"gender": 4})).is_err());
    }

    #[test]
    fn write_arguments_are_the_wire_body_with_custom_attributes_flat() {
        let args = json!({"custom_id": "acct-17", "email": "a@b.c", "plan": "pro", "seats": 5,
                          "prefs": {"x": [1]}, "tags": ["vip"]});
        let op = registry::find("users.upsert")
            .unwrap()
            .build(args.clone())
            .unwrap();
        assert!(op.idempotent(), "update_or_create is safe to retry");
        assert_eq!(op.args(), args);
        let request = op.request(&config()).unwrap();
        let body: Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(body, args);

        let update = registry::find("users.update").unwrap();
        let op = update
            .build(json!({"id": "user@123", "plan": "pro", "first_name": "Ada"}))
            .unwrap();
        let request = op.request(&config()).unwrap();
        assert_eq!(
            request.uri(),
            "https://acme.user.com/api/public/users-by-id/user@123/"
        );
        let body: Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(body, json!({"first_name": "Ada", "plan": "pro"}));

        // An argument that is not a standard field is a custom attribute; one that names a
        // read-only standard field is refused when the request is built.
        let create = registry::find("users.create").unwrap();
        let op = create.build(json!({"name": "Ada"})).unwrap();
        let error = op.request(&config()).unwrap_err().to_string();
        assert!(error.contains("\"name\""), "{error}");
        let error = create
            .build(json!({"first_name": 7}))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("users.create") && error.contains("expected a string"),
            "{error}"
        );
        assert!(
            registry::find("users.upsert")
                .unwrap()
                .build(json!({"email": "x"}))
                .is_err()
        );
    }

    #[test]
    fn selectors_take_custom_ids_that_need_encoding() {
        let get = registry::find("users.get").unwrap();
        for (id, path) in [
            (json!(42), "users/42/"),
            (json!("43"), "users-by-id/43/"),
            (json!("user@123"), "users-by-id/user@123/"),
            (json!("two words"), "users-by-id/two%20words/"),
            (
                json!("zażółć/日本"),
                "users-by-id/za%C5%BC%C3%B3%C5%82%C4%87%2F%E6%97%A5%E6%9C%AC/",
            ),
        ] {
            let op = get.build(json!({"id": id})).unwrap();
            let uri = op.request(&config()).unwrap().uri().to_string();
            assert_eq!(uri, format!("https://acme.user.com/api/public/{path}"));
        }
        let tag = registry::find("users.tag").unwrap();
        let op = tag.build(json!({"id": "a b", "name": "vip"})).unwrap();
        assert_eq!(
            op.request(&config()).unwrap().uri(),
            "https://acme.user.com/api/public/users-by-id/a%20b/add_tag/"
        );
        assert_eq!(tag.path_parameters(), ["id"]);
    }

    #[test]
    fn find_decodes_by_its_own_fields() {
        let one = br#"{"id": 1, "email": "a@b.c"}"#;
        let many = br#"[{"id": 1}, {"id": 2, "plan": "pro"}]"#;
        let page = br#"{"count": 1, "next": null, "previous": null, "results": [{"id": 3}]}"#;
        let by_email = FindUser::by_email("a@b.c");
        let every = FindUser::every_with_email("a@b.c");
        let found = by_email.decode(StatusCode::OK, one).unwrap();
        assert!(matches!(found, Found::One(_)));
        assert_eq!(found.first().map(|u| u.id), Some(1));
        let found = every.decode(StatusCode::OK, many).unwrap();
        assert_eq!(
            found.users().iter().map(|u| u.id).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(serde_json::to_value(&found).unwrap()[1]["plan"], "pro");
        let found = FindUser::by_phone("1")
            .decode(StatusCode::OK, page)
            .unwrap();
        assert!(matches!(found, Found::Page(_)));
        assert_eq!(found.into_users()[0].id, 3);
        // The wrong shape for the operation is a decode error naming where.
        let err = every.decode(StatusCode::OK, one).unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err}");
        let err = by_email
            .decode(StatusCode::OK, br#"{"id": "x"}"#)
            .unwrap_err();
        let Error::Decode(decode) = err else {
            panic!("{err}")
        };
        assert_eq!(decode.path, "id");
        // The phone flag is named `phone`; `phone_number` is accepted too.
        let find = registry::find("users.find").unwrap();
        let op = find.build(json!({"phone_number": "+1"})).unwrap();
        assert_eq!(op.args(), json!({"phone": "+1"}));
    }

    #[test]
    fn every_operation_is_registered_with_both_forms_where_they_exist() {
        let names: Vec<&str> = GROUP.operations.iter().map(|op| op.name).collect();
        assert_eq!(names.len(), 25);
        for op in GROUP.operations {
            assert!(!op.summary().is_empty(), "{}", op.name);
            let both = op.paths.len() == 2
                && op.paths[0].replacen("users/", "users-by-id/", 1) == op.paths[1];
            let one = op.paths.len() == 1 && op.paths[0].starts_with("users/");
            assert!(both || one, "{}: {:?}", op.name, op.paths);
            if op.path_parameters() == ["id"] {
                assert!(both, "{} selects a user by id and by custom id", op.name);
            }
        }
        assert_eq!(registry::find("users.list").unwrap().columns, User::COLUMNS);
        assert!(registry::find("users.search").unwrap().paged);
        assert!(!registry::find("users.find").unwrap().paged);
    }
}
