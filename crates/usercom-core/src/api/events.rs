//! Events and site views of users.
//!
//! | operation | request |
//! |---|---|
//! | [`CreateEvent`] `events.create` | `POST /events/` (the user by numeric id, in the body) |
//! | [`CreateEventByCustomId`] `events.create-by-custom-id` | `POST /users-by-id/{custom_id}/events/` |
//! | [`CreateSiteView`] `events.create-site-view` | `POST /site-views/` |
//!
//! An event is a named thing a user did (`"profile_updated"`), at a time given in UNIX
//! seconds, with free-form `data`. The answer, [`EventCreated`], is `{"id", "created"}`, and
//! **`created` is about the event's name, not the event**: it is `true` when the account had
//! never seen an event of that name before (User.com has just added the name to its list of
//! event types), and `false` when the name was already known. Either way a 2xx answer means
//! the event was recorded; `created: false` is not a duplicate or a failure.
//!
//! A site view is a page a user (named by their user key, `client_user`) visited.
//!
//! # Examples
//!
//! An event by numeric id, and one by custom id:
//!
//! ```
//! use usercom_core::{Config, api::events::CreateEvent};
//!
//! let config = Config::for_subdomain("acme", "secret").unwrap();
//! let event = CreateEvent::new(9096344, "profile_updated")
//!     .timestamp(1426967129)
//!     .datum("plan", "pro");
//! let request = config.request(&event).unwrap();
//! assert_eq!(request.uri(), "https://acme.user.com/api/public/events/");
//! assert_eq!(
//!     std::str::from_utf8(request.body()).unwrap(),
//!     r#"{"data":{"plan":"pro"},"name":"profile_updated","timestamp":1426967129,"user_id":9096344}"#
//! );
//! ```
//!
//! ```
//! use usercom_core::{Config, api::events::CreateEventByCustomId};
//!
//! let config = Config::for_subdomain("acme", "secret").unwrap();
//! let request = config.request(&CreateEventByCustomId::new("user@123", "signed up")).unwrap();
//! assert_eq!(request.uri(), "https://acme.user.com/api/public/users-by-id/user@123/events/");
//! assert_eq!(request.body(), br#"{"name":"signed up"}"#);
//! ```
//!
//! A site view, its time sent as RFC 3339 text:
//!
//! ```
//! use usercom_core::{Config, api::events::CreateSiteView};
//!
//! let config = Config::for_subdomain("acme", "secret").unwrap();
//! let at: jiff::Timestamp = "2021-01-04T08:43:05.801Z".parse().unwrap();
//! let view = CreateSiteView::new("rpl0vjwysmc0", "https://pagecall.com", "/testing", at);
//! let request = config.request(&view).unwrap();
//! assert_eq!(request.uri(), "https://acme.user.com/api/public/site-views/");
//! assert!(std::str::from_utf8(request.body()).unwrap().contains(r#""timestamp":"2021-01-04T08:43:05.801Z""#));
//! ```

use http::Method;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::endpoint::{Endpoint, Path, json_body_except};
use crate::lossless::lossless_struct;
use crate::registry::{Column, Group, Registration, Tabular};
use crate::{Api, Error};

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

lossless_struct! {
    /// The answer to a new event: `{"id": 86, "created": true}`.
    ///
    /// `created` says whether the event's **name** was new to the account (the first event of
    /// that name), not whether a row was created: every 2xx answer means the event was recorded.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct EventCreated {
        /// The event's id.
        pub id: i64,
        /// `true` when this was the first event of its name in the account (the name is new);
        /// `false` when events of that name existed before. It does not mean "created or not":
        /// the event is recorded either way.
        pub created: bool,
    }
}

impl EventCreated {
    /// Whether the event's name was seen for the first time (see [`created`](Self::created)).
    pub fn name_is_new(&self) -> bool {
        self.created
    }
}

impl Tabular for EventCreated {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("name_was_new", "/created"),
    ];
}

/// A moment as a site view's `timestamp` takes it: UNIX seconds, or an RFC 3339 text with
/// its offset (`"2021-01-04T14:13:05.801+05:30"`, what RudderStack sends). It is sent as
/// given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Moment {
    /// Seconds since 1970-01-01T00:00:00Z.
    UnixSeconds(i64),
    /// An RFC 3339 date and time with an offset (`Z` or `+05:30`).
    Rfc3339(String),
}

impl Moment {
    /// `at` as UNIX seconds.
    pub fn unix(at: Timestamp) -> Self {
        Self::UnixSeconds(at.as_second())
    }

    /// `at` as RFC 3339 text in UTC.
    pub fn rfc3339(at: Timestamp) -> Self {
        Self::Rfc3339(at.to_string())
    }

    /// The moment, or an error naming `field` when it is no moment.
    pub fn to_timestamp(&self, field: &str) -> Result<Timestamp, Error> {
        match self {
            Self::UnixSeconds(seconds) => unix_seconds(field, *seconds),
            Self::Rfc3339(text) => text.trim().parse::<Timestamp>().map_err(|e| {
                Error::invalid_input(format!(
                    "{field}: {text:?} is not an RFC 3339 date and time with an offset \
                     (such as 2021-01-04T14:13:05+05:30): {e}"
                ))
            }),
        }
    }
}

impl From<Timestamp> for Moment {
    /// RFC 3339 text in UTC.
    fn from(at: Timestamp) -> Self {
        Self::rfc3339(at)
    }
}

/// `seconds` as a timestamp, or an error naming `field`: UNIX seconds run out in the year
/// 9999, so a larger number is most likely milliseconds.
fn unix_seconds(field: &str, seconds: i64) -> Result<Timestamp, Error> {
    Timestamp::from_second(seconds).map_err(|_| {
        Error::invalid_input(format!(
            "{field}: {seconds} is not a time in UNIX seconds (milliseconds, perhaps? \
             divide by 1000)"
        ))
    })
}

fn check_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid_input("name: the event name is empty"));
    }
    Ok(())
}

fn check_event(name: &str, timestamp: Option<i64>) -> Result<(), Error> {
    check_name(name)?;
    if let Some(seconds) = timestamp {
        unix_seconds("timestamp", seconds)?;
    }
    Ok(())
}

fn check_text(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(format!("{field}: it is empty")));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/// Record an event of a user, by the user's numeric id.
///
/// The answer's `created` is `true` when the event's name is new to the account, not when
/// the event was stored (it always is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateEvent {
    /// The user's numeric id.
    pub user_id: i64,
    /// The event's name (`profile_updated`, `product viewed`). Must not be empty.
    pub name: String,
    /// When it happened, in UNIX seconds (not milliseconds); when the API receives it if
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// Details of the event: a JSON object of any values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Map<String, Value>>,
}

impl CreateEvent {
    /// An event called `name` of the user `user_id`.
    pub fn new(user_id: i64, name: impl Into<String>) -> Self {
        Self {
            user_id,
            name: name.into(),
            timestamp: None,
            data: None,
        }
    }

    /// When it happened, in UNIX seconds.
    pub fn timestamp(mut self, seconds: i64) -> Self {
        self.timestamp = Some(seconds);
        self
    }

    /// When it happened.
    pub fn at(self, at: Timestamp) -> Self {
        self.timestamp(at.as_second())
    }

    /// Its details, all at once.
    pub fn data(mut self, data: Map<String, Value>) -> Self {
        self.data = Some(data);
        self
    }

    /// One detail: `key` set to `value`.
    pub fn datum(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.data
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }
}

impl Endpoint for CreateEvent {
    type Output = EventCreated;
    const NAME: &'static str = "events.create";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["events/"];

    fn path(&self) -> Path {
        Path::new("events")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        check_event(&self.name, self.timestamp)?;
        json_body_except(self, &[])
    }
}

/// Record an event of a user, by the user's custom id.
///
/// The answer's `created` is `true` when the event's name is new to the account, not when
/// the event was stored (it always is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateEventByCustomId {
    /// The user's custom id (`user@123`).
    pub custom_id: String,
    /// The event's name. Must not be empty.
    pub name: String,
    /// When it happened, in UNIX seconds (not milliseconds); when the API receives it if
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// Details of the event: a JSON object of any values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Map<String, Value>>,
}

impl CreateEventByCustomId {
    /// An event called `name` of the user whose custom id is `custom_id`.
    pub fn new(custom_id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            custom_id: custom_id.into(),
            name: name.into(),
            timestamp: None,
            data: None,
        }
    }

    /// When it happened, in UNIX seconds.
    pub fn timestamp(mut self, seconds: i64) -> Self {
        self.timestamp = Some(seconds);
        self
    }

    /// When it happened.
    pub fn at(self, at: Timestamp) -> Self {
        self.timestamp(at.as_second())
    }

    /// Its details, all at once.
    pub fn data(mut self, data: Map<String, Value>) -> Self {
        self.data = Some(data);
        self
    }

    /// One detail: `key` set to `value`.
    pub fn datum(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.data
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }
}

impl Endpoint for CreateEventByCustomId {
    type Output = EventCreated;
    const NAME: &'static str = "events.create-by-custom-id";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["users-by-id/{custom_id}/events/"];

    fn path(&self) -> Path {
        Path::new("users-by-id")
            .value(self.custom_id.clone())
            .then("events")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        check_text("custom_id", &self.custom_id)?;
        check_event(&self.name, self.timestamp)?;
        json_body_except(self, &["custom_id"])
    }
}

/// Record a page view of a user, by the user's key.
///
/// The documentation does not show this endpoint; RudderStack calls it with an RFC 3339
/// `timestamp` and a full URL as `page_domain`; `CreateSiteView::new` sends RFC 3339 too.
/// The answer is not documented: it is kept as the JSON the server sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateSiteView {
    /// The visitor's user key (`user_key`, the `__ca__chat` cookie value).
    pub client_user: String,
    /// The site: a domain, or a URL (`https://pagecall.com/testing`, as RudderStack sends).
    pub page_domain: String,
    /// The page's path (`/testing`).
    pub page_path: String,
    /// When the page was viewed: UNIX seconds, or RFC 3339 text with an offset.
    pub timestamp: Moment,
}

impl CreateSiteView {
    /// A view of `page_path` on `page_domain` by the user `client_user` at `at` (sent as
    /// RFC 3339 text).
    pub fn new(
        client_user: impl Into<String>,
        page_domain: impl Into<String>,
        page_path: impl Into<String>,
        at: impl Into<Moment>,
    ) -> Self {
        Self {
            client_user: client_user.into(),
            page_domain: page_domain.into(),
            page_path: page_path.into(),
            timestamp: at.into(),
        }
    }
}

impl Endpoint for CreateSiteView {
    /// The body as sent (undocumented); `null` when empty.
    type Output = Value;
    const NAME: &'static str = "events.create-site-view";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["site-views/"];

    fn path(&self) -> Path {
        Path::new("site-views")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        check_text("client_user", &self.client_user)?;
        check_text("page_domain", &self.page_domain)?;
        check_text("page_path", &self.page_path)?;
        self.timestamp.to_timestamp("timestamp")?;
        json_body_except(self, &[])
    }
}

// ---------------------------------------------------------------------------------------------
// Registration and calls
// ---------------------------------------------------------------------------------------------

/// The events group.
pub static GROUP: Group = Group {
    name: "events",
    summary: "Events and site views of users",
    operations: &[
        Registration::single::<CreateEvent>(),
        Registration::single::<CreateEventByCustomId>(),
        Registration::single::<CreateSiteView>(),
    ],
};

/// The events calls of a client: `client.events()`.
#[derive(Debug)]
pub struct Events<'a, C>(pub(crate) &'a C);

impl<'a, C: Api> Events<'a, C> {
    /// Records an event of a user by numeric id. The answer's `created` says whether the
    /// event's name was new, not whether the event was stored.
    pub fn create(&self, event: CreateEvent) -> C::Call<'a, EventCreated> {
        self.0.call(event)
    }

    /// Records an event of a user by custom id. The answer's `created` says whether the
    /// event's name was new, not whether the event was stored.
    pub fn create_by_custom_id(&self, event: CreateEventByCustomId) -> C::Call<'a, EventCreated> {
        self.0.call(event)
    }

    /// Records a page view of a user; the answer is the body as sent.
    pub fn create_site_view(&self, view: CreateSiteView) -> C::Call<'a, Value> {
        self.0.call(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use crate::api::DryRun;

    #[test]
    fn each_call_sends_its_documented_request() {
        let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
        let events = client.events();
        let root = "https://acme.user.com/api/public/";
        let at: Timestamp = "2022-09-13T14:42:44Z".parse().unwrap();
        let cases = [
            (
                events.create(CreateEvent::new(44, "product viewed").at(at)),
                "POST",
                "events/",
                r#"{"name":"product viewed","timestamp":1663080164,"user_id":44}"#,
            ),
            (
                events.create_by_custom_id(
                    CreateEventByCustomId::new("user@123/a b", "signed up").datum("plan", "pro"),
                ),
                "POST",
                "users-by-id/user@123%2Fa%20b/events/",
                r#"{"data":{"plan":"pro"},"name":"signed up"}"#,
            ),
            (
                events.create_site_view(CreateSiteView::new("rpl0vjwysmc0", "acme.com", "/", at)),
                "POST",
                "site-views/",
                r#"{"client_user":"rpl0vjwysmc0","page_domain":"acme.com","page_path":"/","timestamp":"2022-09-13T14:42:44Z"}"#,
            ),
            (
                events.create_site_view(CreateSiteView::new(
                    "k",
                    "acme.com",
                    "/pricing",
                    Moment::unix(at),
                )),
                "POST",
                "site-views/",
                r#"{"client_user":"k","page_domain":"acme.com","page_path":"/pricing","timestamp":1663080164}"#,
            ),
        ];
        for (request, method, path, body) in cases {
            let request = request.unwrap();
            assert_eq!(request.method(), method);
            assert_eq!(request.uri().to_string(), format!("{root}{path}"));
            assert_eq!(std::str::from_utf8(request.body()).unwrap(), body);
        }
    }

    #[test]
    fn bad_input_is_refused_before_sending_and_names_the_field() {
        let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
        let events = client.events();
        let cases = [
            (events.create(CreateEvent::new(1, " ")), "name"),
            (
                events.create(CreateEvent::new(1, "x").timestamp(1_663_080_164_000_000)),
                "timestamp",
            ),
            (
                events.create_by_custom_id(CreateEventByCustomId::new("u", "")),
                "name",
            ),
            (
                events.create_by_custom_id(CreateEventByCustomId::new(" ", "x")),
                "custom_id",
            ),
            (
                events.create_site_view(CreateSiteView::new(" ", "d", "/", Moment::UnixSeconds(1))),
                "client_user",
            ),
            (
                events.create_site_view(CreateSiteView::new("k", "", "/", Moment::UnixSeconds(1))),
                "page_domain",
            ),
            (
                events.create_site_view(CreateSiteView::new("k", "d", "", Moment::UnixSeconds(1))),
                "page_path",
            ),
            (
                events.create_site_view(CreateSiteView::new(
                    "k",
                    "d",
                    "/",
                    Moment::Rfc3339("yesterday".into()),
                )),
                "timestamp",
            ),
            (
                events.create_site_view(CreateSiteView::new(
                    "k",
                    "d",
                    "/",
                    Moment::Rfc3339("2021-01-04T14:13:05".into()),
                )),
                "timestamp",
            ),
        ];
        for (outcome, field) in cases {
            let err = outcome.unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("invalid input: {field}: ")),
                "{field}: {err}"
            );
        }
        let ms = events
            .create(CreateEvent::new(1, "x").timestamp(1_663_080_164_000_000))
            .unwrap_err();
        assert!(ms.to_string().contains("milliseconds"), "{ms}");
    }

    #[test]
    fn created_is_about_the_name_and_the_answer_keeps_everything() {
        let new: EventCreated = serde_json::from_str(r#"{"id": 86, "created": true}"#).unwrap();
        assert!(new.name_is_new());
        let known: EventCreated =
            serde_json::from_str(r#"{"id": 87, "created": false, "extra": [1]}"#).unwrap();
        assert!(!known.name_is_new());
        assert_eq!(
            serde_json::to_value(&known).unwrap(),
            serde_json::json!({"id": 87, "created": false, "extra": [1]})
        );
    }

    #[test]
    fn site_view_moments_are_sent_as_given() {
        let peer = r#"{"client_user": "rpl0vjwysmc0", "page_domain": "https://pagecall.com/testing",
                       "page_path": "/testing", "timestamp": "2021-01-04T14:13:05.801+05:30"}"#;
        let view: CreateSiteView = serde_json::from_str(peer).unwrap();
        assert_eq!(
            view.timestamp,
            Moment::Rfc3339("2021-01-04T14:13:05.801+05:30".into())
        );
        let at = view.timestamp.to_timestamp("timestamp").unwrap();
        assert_eq!(at.to_string(), "2021-01-04T08:43:05.801Z");
        let seconds: CreateSiteView = serde_json::from_value(serde_json::json!({
            "client_user": "k", "page_domain": "d", "page_path": "/", "timestamp": 1609771385
        }))
        .unwrap();
        assert_eq!(seconds.timestamp, Moment::UnixSeconds(1_609_771_385));
    }
}
