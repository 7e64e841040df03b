//! The route table: `(method, path template, handler)` entries such as
//! `(GET, "tags/{id}/users/", …)`, matched against the path below the API root.
//!
//! A path is split on `/` first and each segment percent-decoded after, so a parameter may
//! hold anything a client can encode: `user@123`, spaces, non-ASCII text, and `/` sent as
//! `%2F`. A path that matches a template under another method is a 405 with `Allow`; one that
//! matches none is a 404.

use std::collections::BTreeMap;
use std::fmt;

use axum::http::{Method, StatusCode};
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::fields::python_type;
use crate::reply::Reply;
use crate::store::Store;

/// What answers a request: the call and the store, locked for the call.
pub(crate) type Handler = Box<dyn Fn(&Call<'_>, &mut Store) -> Reply + Send + Sync>;

/// What can become a [`Handler`]: a function `fn(&Call, &mut Store) -> Reply`, or one of the
/// generic handlers of [`crate::handlers`].
pub(crate) trait IntoHandler {
    /// The handler.
    fn into_handler(self) -> Handler;
}

impl<F> IntoHandler for F
where
    F: Fn(&Call<'_>, &mut Store) -> Reply + Send + Sync + 'static,
{
    fn into_handler(self) -> Handler {
        Box::new(self)
    }
}

/// One entry of the route table.
pub(crate) struct Route {
    /// The method.
    pub(crate) method: Method,
    /// The path template below the API root, with `{name}` for each parameter and the
    /// trailing slash (`"tags/{id}/users/"`), as the core registry writes them.
    pub(crate) path: &'static str,
    handler: Handler,
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

impl Route {
    /// A route.
    pub(crate) fn new(method: Method, path: &'static str, handler: impl IntoHandler) -> Self {
        Self {
            method,
            path,
            handler: handler.into_handler(),
        }
    }

    /// A `GET` route.
    pub(crate) fn get(path: &'static str, handler: impl IntoHandler) -> Self {
        Self::new(Method::GET, path, handler)
    }

    /// A `POST` route.
    pub(crate) fn post(path: &'static str, handler: impl IntoHandler) -> Self {
        Self::new(Method::POST, path, handler)
    }

    /// A `PUT` route.
    pub(crate) fn put(path: &'static str, handler: impl IntoHandler) -> Self {
        Self::new(Method::PUT, path, handler)
    }

    /// A `DELETE` route.
    pub(crate) fn delete(path: &'static str, handler: impl IntoHandler) -> Self {
        Self::new(Method::DELETE, path, handler)
    }

    /// Answers a call.
    pub(crate) fn handle(&self, call: &Call<'_>, store: &mut Store) -> Reply {
        (self.handler)(call, store)
    }

    /// The parameters of `segments` (decoded) if they fit the template.
    fn bind(&self, segments: &[String]) -> Option<Vec<(&'static str, String)>> {
        let template: Vec<&'static str> = self.path.trim_end_matches('/').split('/').collect();
        if template.len() != segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (part, segment) in template.into_iter().zip(segments) {
            match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) if !segment.is_empty() => params.push((name, segment.clone())),
                Some(_) => return None,
                None if part == segment => {}
                None => return None,
            }
        }
        Some(params)
    }
}

/// What a path and method find in the table.
#[derive(Debug)]
pub(crate) enum Found<'a> {
    /// The route, with the path's parameters, decoded.
    Route(&'a Route, Vec<(&'static str, String)>),
    /// The path exists, under these methods only.
    MethodNotAllowed(Vec<Method>),
    /// No route has this path.
    Nothing,
}

/// Every route of every group.
#[derive(Debug)]
pub(crate) struct RouteTable {
    routes: Vec<Route>,
}

impl RouteTable {
    /// The table of these routes.
    pub(crate) fn new(routes: Vec<Route>) -> Self {
        Self { routes }
    }

    /// The route for `method` and `path` (below the API root, percent-encoded as received,
    /// with or without its trailing slash).
    pub(crate) fn find(&self, method: &Method, path: &str) -> Found<'_> {
        let segments: Option<Vec<String>> = path
            .strip_suffix('/')
            .unwrap_or(path)
            .split('/')
            .map(|segment| {
                percent_encoding::percent_decode_str(segment)
                    .decode_utf8()
                    .ok()
                    .map(|s| s.into_owned())
            })
            .collect();
        let Some(segments) = segments else {
            return Found::Nothing;
        };
        let mut allowed = Vec::new();
        for route in &self.routes {
            if let Some(params) = route.bind(&segments) {
                if route.method == *method {
                    return Found::Route(route, params);
                }
                if !allowed.contains(&route.method) {
                    allowed.push(route.method.clone());
                }
            }
        }
        if allowed.is_empty() {
            Found::Nothing
        } else {
            Found::MethodNotAllowed(allowed)
        }
    }
}

/// One request, as a handler sees it.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    /// The whole path as received (percent-encoded), for links to other pages.
    pub(crate) path: &'a str,
    /// The `Host` the client used, for absolute links.
    pub(crate) host: &'a str,
    /// The path parameters, decoded.
    pub(crate) params: Vec<(&'static str, String)>,
    /// The query parameters, decoded (a repeated name keeps its last value).
    pub(crate) query: BTreeMap<String, String>,
    /// The body.
    pub(crate) body: &'a [u8],
    /// The `Content-Type` header.
    pub(crate) content_type: Option<&'a str>,
    /// Items per page of a listing.
    pub(crate) page_size: u64,
    /// The time of the request.
    pub(crate) now: Timestamp,
}

impl Call<'_> {
    /// A path parameter, decoded.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.as_str())
    }

    /// A path parameter that is a numeric id.
    pub(crate) fn id(&self, name: &str) -> Option<i64> {
        self.param(name).and_then(|value| value.parse().ok())
    }

    /// A query parameter, decoded.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    /// The body as a JSON object, or the answer DRF gives when it is not one: 415 for a
    /// body that is not JSON, 400 `JSON parse error - …`, 400 `non_field_errors` for JSON
    /// that is not an object. No body at all is an empty object.
    pub(crate) fn json_object(&self) -> Result<Map<String, Value>, Reply> {
        if self.body.is_empty() {
            return Ok(Map::new());
        }
        let content_type = self.content_type.unwrap_or_default();
        if !content_type.starts_with("application/json") {
            return Err(Reply::detail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &format!("Unsupported media type \"{content_type}\" in request."),
            ));
        }
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(fields)) => Ok(fields),
            Ok(other) => Err(Reply::invalid(json!({
                "non_field_errors": [format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    python_type(&other)
                )]
            }))),
            Err(e) => Err(Reply::detail(
                StatusCode::BAD_REQUEST,
                &format!("JSON parse error - {e}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(_: &Call<'_>, _: &mut Store) -> Reply {
        Reply::empty(StatusCode::NO_CONTENT)
    }

    fn table() -> RouteTable {
        RouteTable::new(vec![
            Route::get("tags/", ok),
            Route::post("tags/", ok),
            Route::put("tags/{id}/", ok),
            Route::delete("tags/{id}/", ok),
            Route::get("tags/{id}/users/", ok),
            Route::get("users-by-id/{custom_id}/", ok),
        ])
    }

    fn params(found: Found<'_>) -> Vec<(&'static str, String)> {
        match found {
            Found::Route(_, params) => params,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parameters_are_percent_decoded_after_splitting() {
        let table = table();
        let cases = [
            ("users-by-id/user%40123/", "user@123"),
            ("users-by-id/user@123/", "user@123"),
            ("users-by-id/two%20words/", "two words"),
            ("users-by-id/Zo%C3%AB%20%E6%97%A5%E6%9C%AC/", "Zoë 日本"),
            ("users-by-id/a%2Fb%2F/", "a/b/"),
            ("users-by-id/100%25/", "100%"),
        ];
        for (path, expected) in cases {
            let found = params(table.find(&Method::GET, path));
            assert_eq!(found, [("custom_id", expected.to_owned())], "{path}");
        }
        assert_eq!(
            params(table.find(&Method::GET, "tags/42/users/")),
            [("id", "42".to_owned())]
        );
    }

    #[test]
    fn other_methods_are_not_allowed_and_other_paths_not_found() {
        let table = table();
        match table.find(&Method::PATCH, "tags/42/") {
            Found::MethodNotAllowed(methods) => assert_eq!(methods, [Method::PUT, Method::DELETE]),
            other => panic!("{other:?}"),
        }
        for path in [
            "tags/42/companies/",
            "tags/42/users/extra/",
            "tags//users/",
            "tags//",
            "users-by-id/a/b/",
            "users-by-id/%FF/",
            "",
        ] {
            assert!(
                matches!(table.find(&Method::GET, path), Found::Nothing),
                "{path}"
            );
        }
    }
}
