//! Decoding one 100-item page, side by side on the same bytes: the core's decode (typed,
//! lossless), the raw-JSON item listing ([`RawItems`]), `serde_json::from_slice` into plain
//! structs of the same shape (every field named, nothing kept beyond them), and into
//! `serde_json::Value`.
//!
//! ```text
//! cargo bench -p usercom-core --bench decode
//! ```
//!
//! The pages are built from the documented fixtures: the conversations of
//! `fixtures/conversations/list-documented` and the users (with custom attributes of every
//! JSON type) of `fixtures/users/list-with-next`, repeated to 100 items with distinct ids.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::StatusCode;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::Value;
use usercom_core::conversations::ListConversations;
use usercom_core::users::ListUsers;
use usercom_core::{Endpoint, PagedEndpoint, RawItems};

const ITEMS: usize = 100;

/// A 100-item page of the listing whose fixture is `fixtures/<scenario>/response.json`.
fn page(scenario: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(scenario)
        .join("response.json");
    let text = std::fs::read_to_string(&path).expect("the fixture is readable");
    let body: Value = serde_json::from_str(&text).expect("the fixture is JSON");
    let samples = body["results"].as_array().expect("a page has results");
    let results: Vec<Value> = (0..ITEMS)
        .map(|n| {
            let mut item = samples[n % samples.len()].clone();
            item["id"] = Value::from(1_000_000 + n as i64);
            item
        })
        .collect();
    let page = serde_json::json!({
        "count": 1_000_000,
        "next": "https://example.user.com/api/public/listing/?page=3",
        "previous": "https://example.user.com/api/public/listing/?page=1",
        "results": results,
    });
    serde_json::to_vec(&page).expect("a page serialises")
}

/// A page as a hand-written client would declare it.
#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainPage<T> {
    count: Option<u64>,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<T>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainConversation {
    id: i64,
    user: PlainUserRef,
    active: bool,
    agent: Option<Value>,
    messages: u64,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainUserRef {
    id: i64,
    email: Option<String>,
    name: Option<String>,
    key: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainUser {
    id: i64,
    user_key: Option<String>,
    custom_id: Option<String>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    name: Option<String>,
    status: Option<String>,
    gender: Option<String>,
    score: Option<i64>,
    page_views: Option<i64>,
    phone_number: Option<String>,
    unsubscribed: Option<bool>,
    notifications: Option<bool>,
    web_push_subscription: Option<bool>,
    browser_language: Option<String>,
    gravatar_url: Option<String>,
    created_at: Option<Timestamp>,
    updated_at: Option<Timestamp>,
    first_seen: Option<Timestamp>,
    last_seen: Option<Timestamp>,
    lists: Option<Vec<PlainNamed>>,
    tags: Option<Vec<PlainNamed>>,
    companies: Option<Vec<PlainMembership>>,
    // The custom attributes, named with their types.
    plan: Option<String>,
    seats: Option<i64>,
    lifetime_value: Option<f64>,
    newsletter: Option<bool>,
    renewal_date: Option<Date>,
    trial_ends_at: Option<Timestamp>,
    preferences: Option<Value>,
    interests: Option<Vec<String>>,
    nickname: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainNamed {
    id: i64,
    name: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainMembership {
    id: i64,
    name: Option<String>,
    member_since: Option<Timestamp>,
}

/// The four decoders of one listing, on the same bytes, in one group.
fn compare<E, P>(c: &mut Criterion, name: &str, endpoint: E, body: &[u8])
where
    E: PagedEndpoint + Clone,
    P: for<'de> Deserialize<'de>,
{
    // Each decoder must read every item of the page, or the comparison means nothing.
    let core = endpoint
        .decode(StatusCode::OK, body)
        .expect("the core decodes");
    assert_eq!(core.results.len(), ITEMS);
    let plain: PlainPage<P> = serde_json::from_slice(body).expect("plain structs decode");
    assert_eq!(plain.results.len(), ITEMS);
    let raw = RawItems(endpoint.clone());

    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(ITEMS as u64));
    group.bench_function("core decode (typed)", |b| {
        b.iter(|| endpoint.decode(StatusCode::OK, black_box(body)).unwrap())
    });
    group.bench_function("core RawItems", |b| {
        b.iter(|| raw.decode(StatusCode::OK, black_box(body)).unwrap())
    });
    group.bench_function("serde_json plain structs", |b| {
        b.iter(|| serde_json::from_slice::<PlainPage<P>>(black_box(body)).unwrap())
    });
    group.bench_function("serde_json Value", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(body)).unwrap())
    });
    group.finish();
}

fn decode(c: &mut Criterion) {
    let conversations = page("conversations/list-documented");
    compare::<_, PlainConversation>(
        c,
        "conversations page (100)",
        ListConversations::all(),
        &conversations,
    );
    let users = page("users/list-with-next");
    compare::<_, PlainUser>(c, "users page (100)", ListUsers::new(), &users);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = decode
}
criterion_main!(benches);
