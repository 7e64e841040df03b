//! Pages as Django REST Framework's `PageNumberPagination` writes them:
//! `{"count", "next", "previous", "results"}`, `?page=N`, absolute links built from the
//! request's `Host`, 404 `Invalid page.` past the end.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::reply::Reply;
use crate::routing::Call;

/// The page `?page=` asks for (1 without it), or DRF's 404 for anything but a positive
/// integer.
fn page_number(call: &Call<'_>) -> Result<u64, Reply> {
    match call.query("page").map(str::parse::<u64>) {
        None => Ok(1),
        Some(Ok(page)) if page >= 1 => Ok(page),
        Some(_) => Err(invalid_page()),
    }
}

fn invalid_page() -> Reply {
    Reply::detail(StatusCode::NOT_FOUND, "Invalid page.")
}

/// The first position and the size of the page `call` asks for.
fn window(call: &Call<'_>) -> Result<(u64, u64, u64), Reply> {
    let page = page_number(call)?;
    let size = call.page_size.max(1);
    let offset = (page - 1).checked_mul(size).ok_or_else(invalid_page)?;
    Ok((page, offset, size))
}

/// A page of a listing of `count` items whose page is read by `read(offset, limit)`: the
/// cost is the cost of reading one page.
pub(crate) fn page_of(
    call: &Call<'_>,
    count: u64,
    read: impl FnOnce(u64, u64) -> Vec<Value>,
) -> Reply {
    let (page, offset, size) = match window(call) {
        Ok(window) => window,
        Err(reply) => return reply,
    };
    if page > count.div_ceil(size).max(1) {
        return invalid_page();
    }
    envelope(call, count, page, size, read(offset, size))
}

/// A page of a listing whose items are only known by going through them all (a filtered
/// listing): one pass counts them and keeps the page, each item of it shown with `show`.
pub(crate) fn page_of_all(
    call: &Call<'_>,
    items: impl Iterator<Item = Value>,
    show: impl Fn(&Value) -> Value,
) -> Reply {
    let (page, offset, size) = match window(call) {
        Ok(window) => window,
        Err(reply) => return reply,
    };
    let mut count = 0_u64;
    let mut results = Vec::new();
    for item in items {
        if count >= offset && count - offset < size {
            results.push(show(&item));
        }
        count += 1;
    }
    if page > count.div_ceil(size).max(1) {
        return invalid_page();
    }
    envelope(call, count, page, size, results)
}

fn envelope(call: &Call<'_>, count: u64, page: u64, size: u64, results: Vec<Value>) -> Reply {
    let pages = count.div_ceil(size).max(1);
    Reply::json(
        StatusCode::OK,
        json!({
            "count": count,
            "next": (page < pages).then(|| link(call, page + 1)),
            "previous": (page > 1).then(|| link(call, page - 1)),
            "results": results,
        }),
    )
}

/// An absolute link to another page, the way DRF writes it: built from the request's host,
/// other parameters kept, sorted, and no `page` parameter for page 1.
fn link(call: &Call<'_>, page: u64) -> String {
    let mut params: BTreeMap<&str, String> = call
        .query
        .iter()
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect();
    if page > 1 {
        params.insert("page", page.to_string());
    } else {
        params.remove("page");
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    let separator = if query.is_empty() { "" } else { "?" };
    format!("http://{}{}{separator}{query}", call.host, call.path)
}
