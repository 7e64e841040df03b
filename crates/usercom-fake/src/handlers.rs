//! Generic handlers over a collection of the store: list (a DRF page), get, create, update
//! (`PUT`) and delete (204). A group builds its routes from them and writes a handler of its
//! own only where the API does something they do not.
//!
//! ```text
//! Route::get("tags/{id}/users/", list("users").within("tags", "id").filter(param_among("tags", "id")).view(user))
//! ```

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::fields::{Unique, validate};
use crate::pages::{page_of, page_of_all};
use crate::reply::Reply;
use crate::routing::{Call, Handler, IntoHandler};
use crate::store::Store;

/// How a stored item is shown: the store is there to resolve what it refers to.
pub(crate) type View = fn(&Store, &Value) -> Value;

/// Whether an item belongs to a filtered listing.
pub(crate) type Predicate = Box<dyn Fn(&Value) -> bool>;

/// A filter: the predicate a call asks for, or `None` when it asks for none.
type Filter = Box<dyn Fn(&Call<'_>) -> Option<Predicate> + Send + Sync>;

/// The item as stored.
fn as_stored(_: &Store, item: &Value) -> Value {
    item.clone()
}

fn missing_collection(collection: &str) -> Reply {
    Reply::broken(&format!(
        "a route names the collection {collection:?}, which no group seeds"
    ))
}

/// `GET`: a page of a collection.
///
/// Unfiltered, a page is read by index arithmetic, whatever the collection's size. A filter
/// that applies (`?status=true`, the items of one parent) goes through every item.
pub(crate) struct List {
    collection: &'static str,
    view: View,
    within: Option<(&'static str, &'static str)>,
    filters: Vec<Filter>,
}

/// A listing of `collection`.
pub(crate) fn list(collection: &'static str) -> List {
    List {
        collection,
        view: as_stored,
        within: None,
        filters: Vec::new(),
    }
}

impl List {
    /// Shows each item with `view`.
    pub(crate) fn view(mut self, view: View) -> Self {
        self.view = view;
        self
    }

    /// A 404 unless the item of `collection` whose id is the path parameter `param` exists.
    pub(crate) fn within(mut self, collection: &'static str, param: &'static str) -> Self {
        self.within = Some((collection, param));
        self
    }

    /// Only the items `filter` keeps, when it applies to the call.
    pub(crate) fn filter(
        mut self,
        filter: impl Fn(&Call<'_>) -> Option<Predicate> + Send + Sync + 'static,
    ) -> Self {
        self.filters.push(Box::new(filter));
        self
    }

    fn answer(&self, call: &Call<'_>, store: &Store) -> Reply {
        let collection = self.collection;
        if store.collection(collection).is_none() {
            return missing_collection(collection);
        }
        if let Some((parent, param)) = self.within {
            let exists = call.id(param).and_then(|id| store.get(parent, id));
            if exists.is_none() {
                return Reply::not_found();
            }
        }
        let view = self.view;
        let predicates: Vec<Predicate> = self.filters.iter().filter_map(|f| f(call)).collect();
        if predicates.is_empty() {
            page_of(call, store.len(collection), |offset, limit| {
                store
                    .page(collection, offset, limit)
                    .iter()
                    .map(|item| view(store, item))
                    .collect()
            })
        } else {
            let kept = store
                .items(collection)
                .filter(|item| predicates.iter().all(|keep| keep(item)));
            page_of_all(call, kept, |item| view(store, item))
        }
    }
}

impl IntoHandler for List {
    fn into_handler(self) -> Handler {
        Box::new(move |call, store| self.answer(call, store))
    }
}

/// A filter: items whose `field` is the id in the path parameter `param`.
pub(crate) fn param_is(
    field: &'static str,
    param: &'static str,
) -> impl Fn(&Call<'_>) -> Option<Predicate> + Send + Sync + 'static {
    move |call| {
        let wanted = call.id(param);
        Some(Box::new(move |item: &Value| {
            wanted.is_some() && item.get(field).and_then(Value::as_i64) == wanted
        }))
    }
}

/// A filter: items whose `field` (a list of ids) holds the id in the path parameter `param`.
pub(crate) fn param_among(
    field: &'static str,
    param: &'static str,
) -> impl Fn(&Call<'_>) -> Option<Predicate> + Send + Sync + 'static {
    move |call| {
        let wanted = call.id(param);
        Some(Box::new(move |item: &Value| {
            wanted.is_some()
                && item
                    .get(field)
                    .and_then(Value::as_array)
                    .is_some_and(|ids| ids.iter().any(|id| id.as_i64() == wanted))
        }))
    }
}

/// A filter that applies when the query has `name=true`: items whose `field` is `true`.
pub(crate) fn query_flag(
    name: &'static str,
    field: &'static str,
) -> impl Fn(&Call<'_>) -> Option<Predicate> + Send + Sync + 'static {
    move |call| {
        (call.query(name) == Some("true")).then(|| {
            Box::new(move |item: &Value| item.get(field) == Some(&Value::Bool(true))) as Predicate
        })
    }
}

/// `GET {id}`: one item, or 404.
pub(crate) struct Get {
    collection: &'static str,
    view: View,
    wrapped: bool,
}

/// One item of `collection`, by the path parameter `id`.
pub(crate) fn get(collection: &'static str) -> Get {
    Get {
        collection,
        view: as_stored,
        wrapped: false,
    }
}

impl Get {
    /// Shows the item with `view`.
    pub(crate) fn view(mut self, view: View) -> Self {
        self.view = view;
        self
    }

    /// Wraps the item as `{"results": item, "count": 1, "next": null, "previous": null}`.
    pub(crate) fn wrapped(mut self) -> Self {
        self.wrapped = true;
        self
    }
}

impl IntoHandler for Get {
    fn into_handler(self) -> Handler {
        Box::new(move |call, store| {
            if store.collection(self.collection).is_none() {
                return missing_collection(self.collection);
            }
            let Some(item) = call.id("id").and_then(|id| store.get(self.collection, id)) else {
                return Reply::not_found();
            };
            let shown = (self.view)(store, &item);
            let body = if self.wrapped {
                json!({"results": shown, "count": 1, "next": null, "previous": null})
            } else {
                shown
            };
            Reply::json(StatusCode::OK, body)
        })
    }
}

/// `POST`: a new item from the body, checked against the collection's fields; 201.
pub(crate) struct Create {
    collection: &'static str,
    view: View,
}

/// Creates items of `collection`.
pub(crate) fn create(collection: &'static str) -> Create {
    Create {
        collection,
        view: as_stored,
    }
}

impl Create {
    /// Shows the new item with `view`.
    #[allow(
        dead_code,
        reason = "part of the handler vocabulary groups declare from"
    )]
    pub(crate) fn view(mut self, view: View) -> Self {
        self.view = view;
        self
    }
}

impl IntoHandler for Create {
    fn into_handler(self) -> Handler {
        Box::new(move |call, store| {
            let Some(spec) = store.collection(self.collection) else {
                return missing_collection(self.collection);
            };
            let body = match call.json_object() {
                Ok(body) => body,
                Err(reply) => return reply,
            };
            let unique = Unique {
                store,
                collection: spec.name,
                item_name: spec.item_name,
                except: None,
            };
            let fields = match validate(spec.fields, &body, Some(&unique)) {
                Ok(fields) => fields,
                Err(errors) => return Reply::invalid(errors),
            };
            match store.create(self.collection, fields) {
                Some(item) => Reply::json(StatusCode::CREATED, (self.view)(store, &item)),
                None => missing_collection(self.collection),
            }
        })
    }
}

/// `PUT {id}`: the item's fields replaced by the body's, checked against the collection's
/// fields (all required ones again); 200, or 404.
pub(crate) struct Update {
    collection: &'static str,
    view: View,
}

/// Updates items of `collection`, by the path parameter `id`.
pub(crate) fn update(collection: &'static str) -> Update {
    Update {
        collection,
        view: as_stored,
    }
}

impl Update {
    /// Shows the updated item with `view`.
    #[allow(
        dead_code,
        reason = "part of the handler vocabulary groups declare from"
    )]
    pub(crate) fn view(mut self, view: View) -> Self {
        self.view = view;
        self
    }
}

impl IntoHandler for Update {
    fn into_handler(self) -> Handler {
        Box::new(move |call, store| {
            let Some(spec) = store.collection(self.collection) else {
                return missing_collection(self.collection);
            };
            let Some((id, existing)) = call
                .id("id")
                .and_then(|id| Some((id, store.get(self.collection, id)?)))
            else {
                return Reply::not_found();
            };
            let body = match call.json_object() {
                Ok(body) => body,
                Err(reply) => return reply,
            };
            let unique = Unique {
                store,
                collection: spec.name,
                item_name: spec.item_name,
                except: Some(id),
            };
            let fields = match validate(spec.fields, &body, Some(&unique)) {
                Ok(fields) => fields,
                Err(errors) => return Reply::invalid(errors),
            };
            let mut item = existing;
            if let Value::Object(stored) = &mut item {
                stored.extend(fields);
            }
            if !store.replace(self.collection, id, item.clone()) {
                return Reply::not_found();
            }
            Reply::json(StatusCode::OK, (self.view)(store, &item))
        })
    }
}

/// `DELETE {id}`: 204 with an empty body, or 404.
pub(crate) struct Delete {
    collection: &'static str,
}

/// Deletes items of `collection`, by the path parameter `id`.
pub(crate) fn delete(collection: &'static str) -> Delete {
    Delete { collection }
}

impl IntoHandler for Delete {
    fn into_handler(self) -> Handler {
        Box::new(move |call, store| {
            if store.collection(self.collection).is_none() {
                return missing_collection(self.collection);
            }
            match call.id("id") {
                Some(id) if store.delete(self.collection, id) => {
                    Reply::empty(StatusCode::NO_CONTENT)
                }
                _ => Reply::not_found(),
            }
        })
    }
}
