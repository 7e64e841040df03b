//! Tags: labels on users and companies.
//!
//! | operation | request |
//! |---|---|
//! | [`ListTags`] `tags.list` | `GET /tags/` |
//! | [`CreateTag`] `tags.create` | `POST /tags/` |
//! | [`UpdateTag`] `tags.update` | `PUT /tags/{id}/` |
//! | [`DeleteTag`] `tags.delete` | `DELETE /tags/{id}/` |
//! | [`ListTagUsers`] `tags.users` | `GET /tags/{id}/users/` |
//! | [`ListTagCompanies`] `tags.companies` | `GET /tags/{id}/companies/` |
//!
use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::companies::Company;
use crate::api::users::User;
use crate::endpoint::{Endpoint, PagedEndpoint, Path, json_body_except};
use crate::lossless::lossless_struct;
use crate::registry::{Column, Group, Registration, Tabular};
use crate::{Api, Error, Page};

lossless_struct! {
    /// A tag.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct Tag {
        /// Tag id.
        pub id: i64,
        /// Its name.
        pub name: String,
    }
}

impl Tabular for Tag {
    const COLUMNS: &'static [Column] = &[Column::new("id", "/id"), Column::new("name", "/name")];
}

fn check_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid_input("the tag name is empty"));
    }
    Ok(())
}

/// List every tag of the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListTags {}

impl ListTags {
    /// Every tag.
    pub fn new() -> Self {
        Self {}
    }
}

impl Endpoint for ListTags {
    type Output = Page<Tag>;
    const NAME: &'static str = "tags.list";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["tags/"];

    fn path(&self) -> Path {
        Path::new("tags")
    }
}

impl PagedEndpoint for ListTags {
    type Item = Tag;
}

/// Create a tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateTag {
    /// The tag's name.
    pub name: String,
}

impl CreateTag {
    /// A tag named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }
}

impl Endpoint for CreateTag {
    type Output = Tag;
    const NAME: &'static str = "tags.create";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["tags/"];

    fn path(&self) -> Path {
        Path::new("tags")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        check_name(&self.name)?;
        json_body_except(self, &[])
    }
}

/// Rename a tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct UpdateTag {
    /// Tag id.
    pub id: i64,
    /// The new name.
    pub name: String,
}

impl UpdateTag {
    /// Tag `id`, renamed to `name`.
    pub fn new(id: i64, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
        }
    }
}

impl Endpoint for UpdateTag {
    type Output = Tag;
    const NAME: &'static str = "tags.update";
    const METHOD: Method = Method::PUT;
    const PATHS: &'static [&'static str] = &["tags/{id}/"];

    fn path(&self) -> Path {
        Path::new("tags").id(self.id)
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        check_name(&self.name)?;
        json_body_except(self, &["id"])
    }
}

/// Delete a tag (it is removed from every user and company that carries it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DeleteTag {
    /// Tag id.
    pub id: i64,
}

impl DeleteTag {
    /// Tag `id`.
    pub fn new(id: i64) -> Self {
        Self { id }
    }
}

impl Endpoint for DeleteTag {
    /// The body as sent: `null` for the usual empty 204.
    type Output = Value;
    const NAME: &'static str = "tags.delete";
    const METHOD: Method = Method::DELETE;
    const PATHS: &'static [&'static str] = &["tags/{id}/"];

    fn path(&self) -> Path {
        Path::new("tags").id(self.id)
    }
}

/// List the users that carry a tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListTagUsers {
    /// Tag id.
    pub id: i64,
}

impl ListTagUsers {
    /// The users that carry tag `id`.
    pub fn new(id: i64) -> Self {
        Self { id }
    }
}

impl Endpoint for ListTagUsers {
    type Output = Page<User>;
    const NAME: &'static str = "tags.users";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["tags/{id}/users/"];

    fn path(&self) -> Path {
        Path::new("tags").id(self.id).then("users")
    }
}

impl PagedEndpoint for ListTagUsers {
    type Item = User;
}

/// List the companies that carry a tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListTagCompanies {
    /// Tag id.
    pub id: i64,
}

impl ListTagCompanies {
    /// The companies that carry tag `id`.
    pub fn new(id: i64) -> Self {
        Self { id }
    }
}

impl Endpoint for ListTagCompanies {
    type Output = Page<Company>;
    const NAME: &'static str = "tags.companies";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["tags/{id}/companies/"];

    fn path(&self) -> Path {
        Path::new("tags").id(self.id).then("companies")
    }
}

impl PagedEndpoint for ListTagCompanies {
    type Item = Company;
}

/// The tags group.
pub static GROUP: Group = Group {
    name: "tags",
    summary: "Tags: list, create, rename and delete them; who carries one",
    operations: &[
        Registration::paged::<ListTags>(),
        Registration::single::<CreateTag>(),
        Registration::single::<UpdateTag>(),
        Registration::single::<DeleteTag>(),
        Registration::paged::<ListTagUsers>(),
        Registration::paged::<ListTagCompanies>(),
    ],
};

/// The tags calls of a client: `client.tags()`.
#[derive(Debug)]
pub struct Tags<'a, C>(pub(crate) &'a C);

impl<'a, C: Api> Tags<'a, C> {
    /// The first page of tags.
    pub fn list(&self) -> C::Call<'a, Page<Tag>> {
        self.0.call(ListTags::new())
    }

    /// Every tag.
    pub fn all(&self) -> C::Items<Tag> {
        self.0.paginate(ListTags::new())
    }

    /// Creates a tag.
    pub fn create(&self, name: impl Into<String>) -> C::Call<'a, Tag> {
        self.0.call(CreateTag::new(name))
    }

    /// Renames a tag.
    pub fn update(&self, id: i64, name: impl Into<String>) -> C::Call<'a, Tag> {
        self.0.call(UpdateTag::new(id, name))
    }

    /// Deletes a tag; the answer is the body as sent (`null` when empty).
    pub fn delete(&self, id: i64) -> C::Call<'a, Value> {
        self.0.call(DeleteTag::new(id))
    }

    /// Every user that carries the tag.
    pub fn users(&self, id: i64) -> C::Items<User> {
        self.0.paginate(ListTagUsers::new(id))
    }

    /// Every company that carries the tag.
    pub fn companies(&self, id: i64) -> C::Items<Company> {
        self.0.paginate(ListTagCompanies::new(id))
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
        let tags = client.tags();
        let root = "https://acme.user.com/api/public/";
        let cases = [
            (tags.list(), "GET", "tags/", ""),
            (tags.all(), "GET", "tags/", ""),
            (tags.create("vip"), "POST", "tags/", r#"{"name":"vip"}"#),
            (
                tags.update(5, "gold"),
                "PUT",
                "tags/5/",
                r#"{"name":"gold"}"#,
            ),
            (tags.delete(5), "DELETE", "tags/5/", ""),
            (tags.users(5), "GET", "tags/5/users/", ""),
            (tags.companies(5), "GET", "tags/5/companies/", ""),
        ];
        for (request, method, path, body) in cases {
            let request = request.unwrap();
            assert_eq!(request.method(), method);
            assert_eq!(request.uri().to_string(), format!("{root}{path}"));
            assert_eq!(std::str::from_utf8(request.body()).unwrap(), body);
        }
        let blank = tags.create("  ").unwrap_err();
        assert!(blank.to_string().contains("tag name is empty"), "{blank}");
    }
}
