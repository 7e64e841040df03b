//! Lists of users.
//!
//! | operation | request |
//! |---|---|
//! | [`ListLists`] `lists.list` | `GET /lists/` |
//! | [`CreateList`] `lists.create` | `POST /lists/` |
//! | [`UpdateList`] `lists.update` | `PUT /lists/{id}/` |
//! | [`DeleteList`] `lists.delete` | `DELETE /lists/{id}/` |
//! | [`ListListUsers`] `lists.users` | `GET /lists/{id}/users/` (inferred from the API's pattern) |
//!
//! `/lists/` is where User.com's pagination misbehaves:
//!
//! - its `next` links lose their trailing slash (`…/api/public/lists?cursor=101`); the SDK
//!   puts it back instead of meeting a redirect that would drop the key;
//! - a `next` page may answer 404 (a known bug of the API, 2025). The listing then yields
//!   every list it received, followed by
//!   [`PaginationError::NextPageNotFound`](crate::PaginationError::NextPageNotFound): the
//!   caller keeps what arrived and learns that the listing stopped early, instead of taking
//!   a short listing for a complete one.
//!
//! The users of a list arrive as JSON objects, every field kept.

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::endpoint::{Endpoint, PagedEndpoint, Path, json_body_except};
use crate::lossless::lossless_struct;
use crate::registry::{Column, Group, Registration, Tabular};
use crate::{Api, Error, Page};

lossless_struct! {
    /// A list of users.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct List {
        /// List id.
        pub id: i64,
        /// Its name.
        pub name: String,
        /// Its description.
        #[serde(default)]
        pub description: Option<String>,
    }
}

impl Tabular for List {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("name", "/name"),
        Column::new("description", "/description"),
    ];
}

fn check_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid_input("name: the list name is empty"));
    }
    Ok(())
}

/// List every list of users of the account.
///
/// A `next` page of this listing may answer 404 (a known bug of the API): the listing then
/// yields what it received and ends with `PaginationError::NextPageNotFound`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListLists {}

impl ListLists {
    /// Every list.
    pub fn new() -> Self {
        Self {}
    }
}

impl Endpoint for ListLists {
    type Output = Page<List>;
    const NAME: &'static str = "lists.list";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["lists/"];

    fn path(&self) -> Path {
        Path::new("lists")
    }
}

impl PagedEndpoint for ListLists {
    type Item = List;
}

/// Create a list of users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateList {
    /// The list's name. Must not be empty.
    pub name: String,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl CreateList {
    /// A list named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: None,
        }
    }

    /// With a description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

impl Endpoint for CreateList {
    type Output = List;
    const NAME: &'static str = "lists.create";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["lists/"];

    fn path(&self) -> Path {
        Path::new("lists")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        check_name(&self.name)?;
        json_body_except(self, &[])
    }
}

/// Rename a list or change its description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct UpdateList {
    /// List id.
    pub id: i64,
    /// The new name (not empty), if it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The new description, if it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl UpdateList {
    /// A change to list `id`; say what changes with [`name`](Self::name) and
    /// [`description`](Self::description).
    pub fn new(id: i64) -> Self {
        Self {
            id,
            name: None,
            description: None,
        }
    }

    /// The new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The new description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

impl Endpoint for UpdateList {
    type Output = List;
    const NAME: &'static str = "lists.update";
    const METHOD: Method = Method::PUT;
    const PATHS: &'static [&'static str] = &["lists/{id}/"];

    fn path(&self) -> Path {
        Path::new("lists").id(self.id)
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        if self.name.is_none() && self.description.is_none() {
            return Err(Error::invalid_input(
                "name, description: the update changes nothing; give a name or a description",
            ));
        }
        if let Some(name) = &self.name {
            check_name(name)?;
        }
        json_body_except(self, &["id"])
    }
}

/// Delete a list (its users stay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DeleteList {
    /// List id.
    pub id: i64,
}

impl DeleteList {
    /// List `id`.
    pub fn new(id: i64) -> Self {
        Self { id }
    }
}

impl Endpoint for DeleteList {
    /// The body as sent: `null` for the usual empty 204.
    type Output = Value;
    const NAME: &'static str = "lists.delete";
    const METHOD: Method = Method::DELETE;
    const PATHS: &'static [&'static str] = &["lists/{id}/"];

    fn path(&self) -> Path {
        Path::new("lists").id(self.id)
    }
}

/// List the users on a list (the path is inferred from the API's pattern).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListListUsers {
    /// List id.
    pub id: i64,
}

impl ListListUsers {
    /// The users on list `id`.
    pub fn new(id: i64) -> Self {
        Self { id }
    }
}

impl Endpoint for ListListUsers {
    type Output = Page<Value>;
    const NAME: &'static str = "lists.users";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["lists/{id}/users/"];

    fn path(&self) -> Path {
        Path::new("lists").id(self.id).then("users")
    }
}

impl PagedEndpoint for ListListUsers {
    type Item = Value;
}

/// The lists group.
pub static GROUP: Group = Group {
    name: "lists",
    summary: "Lists of users",
    operations: &[
        Registration::paged::<ListLists>(),
        Registration::single::<CreateList>(),
        Registration::single::<UpdateList>(),
        Registration::single::<DeleteList>(),
        Registration::paged::<ListListUsers>(),
    ],
};

/// The lists calls of a client: `client.lists()`.
#[derive(Debug)]
pub struct Lists<'a, C>(pub(crate) &'a C);

impl<'a, C: Api> Lists<'a, C> {
    /// The first page of lists.
    pub fn list(&self) -> C::Call<'a, Page<List>> {
        self.0.call(ListLists::new())
    }

    /// Every list. When a `next` page answers 404 (a known bug of `/lists/`), every list
    /// received comes first, then `PaginationError::NextPageNotFound`.
    pub fn all(&self) -> C::Items<List> {
        self.0.paginate(ListLists::new())
    }

    /// Creates a list.
    pub fn create(&self, create: CreateList) -> C::Call<'a, List> {
        self.0.call(create)
    }

    /// Renames a list or changes its description.
    pub fn update(&self, update: UpdateList) -> C::Call<'a, List> {
        self.0.call(update)
    }

    /// Deletes a list; the answer is the body as sent (`null` when empty).
    pub fn delete(&self, id: i64) -> C::Call<'a, Value> {
        self.0.call(DeleteList::new(id))
    }

    /// Every user on the list.
    pub fn users(&self, id: i64) -> C::Items<Value> {
        self.0.paginate(ListListUsers::new(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::DryRun;
    use crate::{Config, Listing, PaginationError, Paginator, Step};

    #[test]
    fn each_call_sends_its_documented_request() {
        let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
        let lists = client.lists();
        let root = "https://acme.user.com/api/public/";
        let cases = [
            (lists.list(), "GET", "lists/", ""),
            (lists.all(), "GET", "lists/", ""),
            (
                lists.create(CreateList::new("Newsletter").description("Weekly")),
                "POST",
                "lists/",
                r#"{"description":"Weekly","name":"Newsletter"}"#,
            ),
            (
                lists.create(CreateList::new("VIP")),
                "POST",
                "lists/",
                r#"{"name":"VIP"}"#,
            ),
            (
                lists.update(UpdateList::new(101).name("Gold")),
                "PUT",
                "lists/101/",
                r#"{"name":"Gold"}"#,
            ),
            (
                lists.update(UpdateList::new(101).description("")),
                "PUT",
                "lists/101/",
                r#"{"description":""}"#,
            ),
            (lists.delete(101), "DELETE", "lists/101/", ""),
            (lists.users(101), "GET", "lists/101/users/", ""),
        ];
        for (request, method, path, body) in cases {
            let request = request.unwrap();
            assert_eq!(request.method(), method);
            assert_eq!(request.uri().to_string(), format!("{root}{path}"));
            assert_eq!(std::str::from_utf8(request.body()).unwrap(), body);
        }
        for (outcome, field) in [
            (lists.create(CreateList::new(" ")), "name"),
            (lists.update(UpdateList::new(1)), "name, description"),
            (lists.update(UpdateList::new(1).name("")), "name"),
        ] {
            let err = outcome.unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("invalid input: {field}: ")),
                "{err}"
            );
        }
    }

    /// The keghub mock of the bug, driven through the core's listing driver: a page whose
    /// `next` lost its slash, then a 404 for that page.
    #[test]
    fn a_next_without_its_slash_is_mended_and_a_404_ends_the_listing_visibly() {
        let config = Config::for_subdomain("acme", "key").unwrap();
        let mut listing = Listing::new(Paginator::new(config, &ListLists::new()));
        let mut names = Vec::new();
        let mut asked = Vec::new();
        let outcome = loop {
            match listing.step() {
                Step::Item(list) => names.push(list.name),
                Step::Send(request) => {
                    asked.push(request.uri().to_string());
                    let response = if asked.len() == 1 {
                        http::Response::builder().status(200).body(
                            r#"{"count": 2, "results": [{"id": 1, "name": "a", "description": null},
                                {"id": 2, "name": "b", "description": "x"}],
                                "next": "https://acme.user.com/api/public/lists?cursor=101"}"#,
                        )
                    } else {
                        http::Response::builder().status(404).body("{}")
                    };
                    listing.receive(Ok(response.unwrap()), 1);
                }
                Step::Failed(error) => break Some(error),
                Step::End => break None,
            }
        };
        assert_eq!(names, ["a", "b"], "what arrived is delivered");
        assert_eq!(
            asked,
            [
                "https://acme.user.com/api/public/lists/",
                "https://acme.user.com/api/public/lists/?cursor=101"
            ]
        );
        let Some(crate::Error::Pagination(PaginationError::NextPageNotFound { url, pages })) =
            outcome
        else {
            panic!("{outcome:?}")
        };
        assert_eq!(
            (url.as_str(), pages),
            ("https://acme.user.com/api/public/lists/?cursor=101", 1)
        );
    }
}
