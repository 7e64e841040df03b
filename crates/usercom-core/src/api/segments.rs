//! Segments: saved user filters, and their users.
//!
//! | operation | request |
//! |---|---|
//! | [`ListSegments`] `segments.list` | `GET /segments/` |
//! | [`ListSegmentUsers`] `segments.users` | `GET /segments/{id}/users/` |
//!
//! A listed [`Segment`] carries the absolute URL of its users (`users`). Follow it with
//! [`Segments::users_of`] (or, without a client, [`Segment::users_pages`]): it is re-rooted
//! on the configured API root like any `next` link, so a proxy or a test server keeps
//! working and the key never travels to another host. The users arrive as JSON objects,
//! every field kept.

use http::Method;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::endpoint::{Endpoint, PagedEndpoint, Path};
use crate::lossless::lossless_struct;
use crate::registry::{Column, Group, Registration, Tabular};
use crate::{Api, Config, Error, Page, Paginator};

lossless_struct! {
    /// A segment: a saved filter of users, counted from time to time.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct Segment {
        /// Segment id.
        pub id: i64,
        /// Its name (`"Active"`).
        pub name: String,
        /// What it selects.
        #[serde(default)]
        pub description: Option<String>,
        /// The absolute URL of its users
        /// (`https://acme.user.com/api/public/segments/1033/users/`).
        #[serde(default)]
        pub users: Option<String>,
        /// How many users it had when last counted.
        #[serde(default)]
        pub object_count: Option<u64>,
        /// Whether it is too heavy to be counted.
        #[serde(default)]
        pub too_heavy: Option<bool>,
        /// How often it is counted again (240 in the documentation; minutes, presumably).
        #[serde(default)]
        pub update_interval: Option<i64>,
        /// When it was last counted.
        #[serde(default)]
        pub last_counted: Option<Timestamp>,
        /// When it last changed.
        #[serde(default)]
        pub updated_at: Option<Timestamp>,
    }
}

impl Segment {
    /// The URL of its users, as the API sent it.
    pub fn users_url(&self) -> Option<&str> {
        self.users.as_deref()
    }

    /// A paginator over its users, for driving the core with an HTTP client of your own: it
    /// starts at the segment's `users` URL, re-rooted on `config`'s API root like any
    /// `next` link, or at `segments/{id}/users/` when the segment has no URL. A URL outside
    /// the API root is an error.
    ///
    /// ```
    /// use usercom_core::{Config, api::segments::Segment};
    ///
    /// let segment: Segment = serde_json::from_str(r#"{"id": 1033, "name": "Active",
    ///     "users": "https://acme.user.com/api/public/segments/1033/users/"}"#).unwrap();
    /// let config = Config::for_base_url("http://127.0.0.1:8080", "secret").unwrap();
    /// let pages = segment.users_pages(&config).unwrap();
    /// let first = pages.next_request().unwrap().unwrap();
    /// assert_eq!(first.uri(), "http://127.0.0.1:8080/api/public/segments/1033/users/");
    /// ```
    pub fn users_pages(&self, config: &Config) -> Result<Paginator<Value>, Error> {
        match self.users_url() {
            Some(url) => Paginator::from_url(config.clone(), ListSegmentUsers::NAME, url),
            None => Ok(Paginator::new(
                config.clone(),
                &ListSegmentUsers::new(self.id),
            )),
        }
    }
}

impl Tabular for Segment {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("name", "/name"),
        Column::new("object_count", "/object_count"),
        Column::new("too_heavy", "/too_heavy"),
        Column::new("update_interval", "/update_interval"),
        Column::new("last_counted", "/last_counted"),
        Column::new("description", "/description"),
    ];
}

/// List every segment of the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListSegments {}

impl ListSegments {
    /// Every segment.
    pub fn new() -> Self {
        Self {}
    }
}

impl Endpoint for ListSegments {
    type Output = Page<Segment>;
    const NAME: &'static str = "segments.list";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["segments/"];

    fn path(&self) -> Path {
        Path::new("segments")
    }
}

impl PagedEndpoint for ListSegments {
    type Item = Segment;
}

/// List the users of a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListSegmentUsers {
    /// Segment id.
    pub id: i64,
}

impl ListSegmentUsers {
    /// The users of segment `id`.
    pub fn new(id: i64) -> Self {
        Self { id }
    }
}

impl Endpoint for ListSegmentUsers {
    type Output = Page<Value>;
    const NAME: &'static str = "segments.users";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["segments/{id}/users/"];

    fn path(&self) -> Path {
        Path::new("segments").id(self.id).then("users")
    }
}

impl PagedEndpoint for ListSegmentUsers {
    type Item = Value;
}

/// The segments group.
pub static GROUP: Group = Group {
    name: "segments",
    summary: "Segments: saved user filters, and their users",
    operations: &[
        Registration::paged::<ListSegments>(),
        Registration::paged::<ListSegmentUsers>(),
    ],
};

/// The segments calls of a client: `client.segments()`.
#[derive(Debug)]
pub struct Segments<'a, C>(pub(crate) &'a C);

impl<'a, C: Api> Segments<'a, C> {
    /// The first page of segments.
    pub fn list(&self) -> C::Call<'a, Page<Segment>> {
        self.0.call(ListSegments::new())
    }

    /// Every segment.
    pub fn all(&self) -> C::Items<Segment> {
        self.0.paginate(ListSegments::new())
    }

    /// Every user of segment `id`.
    pub fn users(&self, id: i64) -> C::Items<Value> {
        self.0.paginate(ListSegmentUsers::new(id))
    }

    /// Every user of a listed segment, following the `users` URL the API gave it (re-rooted
    /// on the client's API root like any `next`; `segments/{id}/users/` when it has none).
    /// A URL outside the API root is an error, before anything is sent.
    pub fn users_of(&self, segment: &Segment) -> Result<C::Items<Value>, Error> {
        Ok(self.0.items(segment.users_pages(self.0.config())?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::DryRun;
    use crate::{Config, PaginationError};

    fn segment(users: Option<&str>) -> Segment {
        let mut json = serde_json::json!({"id": 1033, "name": "Active"});
        if let Some(users) = users {
            json["users"] = users.into();
        }
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn each_call_sends_its_documented_request() {
        let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
        let segments = client.segments();
        let root = "https://acme.user.com/api/public/";
        let real = segment(Some(
            "https://acme.user.com/api/public/segments/1033/users/",
        ));
        let elsewhere = segment(Some("https://other.user.com/api/public/segments/7/users"));
        let cases = [
            (segments.list(), "segments/"),
            (segments.all(), "segments/"),
            (segments.users(1033), "segments/1033/users/"),
            (segments.users_of(&real).unwrap(), "segments/1033/users/"),
            // Another account's host and a lost slash: re-rooted and mended, as a `next` is.
            (segments.users_of(&elsewhere).unwrap(), "segments/7/users/"),
            (
                segments.users_of(&segment(None)).unwrap(),
                "segments/1033/users/",
            ),
        ];
        for (request, path) in cases {
            let request = request.unwrap();
            assert_eq!(request.method(), "GET");
            assert_eq!(request.uri().to_string(), format!("{root}{path}"));
            assert!(request.body().is_empty());
        }
        for foreign in [
            "https://acme.user.com/admin/segments/1033/users/",
            "ftp://acme.user.com/api/public/segments/1033/users/",
        ] {
            let err = segments.users_of(&segment(Some(foreign))).unwrap_err();
            assert!(
                matches!(
                    err,
                    crate::Error::Pagination(PaginationError::ForeignNext { .. })
                ),
                "{foreign}: {err:?}"
            );
        }
    }

    #[test]
    fn a_proxy_root_is_kept_when_following_the_users_url() {
        let config = Config::for_base_url("http://127.0.0.1:9000/usercom", "key").unwrap();
        let real = segment(Some(
            "https://acme.user.com/api/public/segments/1033/users/",
        ));
        let pages = real.users_pages(&config).unwrap();
        assert_eq!(pages.name(), "segments.users");
        let first = pages.next_request().unwrap().unwrap();
        assert_eq!(
            first.uri(),
            "http://127.0.0.1:9000/usercom/segments/1033/users/"
        );
        assert_eq!(first.headers()["accept"], "*/*; version=2");
    }

    #[test]
    fn older_segments_without_counts_still_read() {
        let old: Segment = serde_json::from_str(
            r#"{"name": "New", "description": "d", "id": 1034,
                "users": "https://x.user.com/api/public/segments/1034/users/"}"#,
        )
        .unwrap();
        assert_eq!(old.object_count, None);
        assert_eq!(old.last_counted, None);
        let new: Segment = serde_json::from_str(
            r#"{"name": "Active", "id": 1033, "object_count": 100, "too_heavy": false,
                "update_interval": 240, "last_counted": "2024-10-11T10:12:32.661576Z",
                "updated_at": "2024-10-11T10:12:32.661848Z", "rule": {"a": 1}}"#,
        )
        .unwrap();
        assert_eq!(new.object_count, Some(100));
        assert_eq!(
            new.last_counted.unwrap().to_string(),
            "2024-10-11T10:12:32.661576Z"
        );
        assert_eq!(serde_json::to_value(&new).unwrap()["rule"]["a"], 1);
    }
}
