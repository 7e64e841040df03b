//! The deals endpoints: the seeded pipeline, the listings by user and by stage, writes with
//! exact values and custom attributes, by id and by custom id, and `update_or_create` with
//! ordered products.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::str::FromStr;

use common::Raw;
use serde_json::{Value, json};
use usercom_core::api::deals::{CreateDeal, Deal, DealFields, Decimal, GetDeal, ListDeals};
use usercom_core::{Endpoint, Page};
use usercom_fake::{FakeOptions, FakeServer};

fn start(options: FakeOptions) -> (FakeServer, Raw) {
    let server = FakeServer::start(options).unwrap();
    let raw = Raw::new(&server);
    (server, raw)
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

/// `deals-by-id/{custom_id}/` with the custom id percent-encoded.
fn by_custom_id(custom_id: &str) -> String {
    let encoded: String = custom_id
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'@' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("deals-by-id/{encoded}/")
}

/// The keys of the documented deal (apidocs.user.com/deals/get-deal-by-id.html).
const DOCUMENTED_KEYS: &[&str] = &[
    "id",
    "name",
    "value",
    "currency",
    "custom_id",
    "stage",
    "pipeline",
    "assigned_to",
    "restricted_to",
    "agent",
    "company_id",
    "user_id",
    "status",
    "products",
    "scope",
    "created_by",
    "created_at",
    "updated_at",
    "tags",
    "activities_status",
    "expected_close_date",
    "loss_reason",
    "loss_reason_description",
    "lost_at",
    "won_at",
    "participants",
    "user_custom_id",
    "products_custom_id",
    "company_custom_id",
    "custom_attribute_xyz",
];

fn is_decimal_text(value: &Value) -> bool {
    value.as_str().is_some_and(|text| {
        let (whole, cents) = text.split_once('.').unwrap_or((text, ""));
        !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && cents.len() == 2
            && cents.bytes().all(|b| b.is_ascii_digit())
    })
}

#[test]
fn seeded_deals_belong_to_seeded_users_in_the_documented_shape() {
    let (_server, raw) = start(FakeOptions::default().page_size(10));
    let deals = raw.all("deals/");
    assert_eq!(deals.len(), 31, "half as many as the 62 users");
    assert_eq!(ids(&deals), (12_000..12_031).collect::<Vec<_>>());
    let users: BTreeSet<i64> = (20_000_000..20_000_062).collect();
    let statuses: BTreeSet<i64> = deals
        .iter()
        .map(|d| d["status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, (0..=4).collect(), "every status occurs");
    for deal in &deals {
        let keys: BTreeSet<&str> = deal
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, DOCUMENTED_KEYS.iter().copied().collect(), "{deal}");
        assert!(is_decimal_text(&deal["value"]), "{deal}");
        assert!(users.contains(&deal["user_id"].as_i64().unwrap()), "{deal}");
        let tag = &deal["tags"][0];
        assert!(tag["id"].is_i64() && tag["name"].is_string(), "{deal}");
        assert!(!deal["participants"].as_array().unwrap().is_empty());
        let status = deal["status"].as_i64().unwrap();
        assert_eq!(deal["won_at"].is_string(), status == 2, "{deal}");
        assert_eq!(deal["lost_at"].is_string(), status == 3, "{deal}");
        let products = deal["products"].as_array().unwrap();
        assert_eq!(
            products.len(),
            deal["products_custom_id"].as_array().unwrap().len()
        );
        // Every deal reads into the typed model, every field kept.
        let typed: Deal = serde_json::from_value(deal.clone()).unwrap();
        assert_eq!(
            typed.value.unwrap().to_string(),
            deal["value"].as_str().unwrap()
        );
    }
    assert!(
        deals
            .iter()
            .any(|d| !d["products"].as_array().unwrap().is_empty())
    );
    assert!(deals.iter().any(|d| d["custom_id"].is_null()));
    assert!(
        deals
            .iter()
            .filter_map(|d| d["custom_id"].as_str())
            .any(|c| c.contains('/') && c.contains(' '))
    );
    // A deal's user and company custom ids are those of its user and company.
    let user_tags = raw.all("tags/1400/users/");
    for user in user_tags {
        let mine = raw.all(&format!("deals/?user_id={}", user["id"]));
        assert!(
            mine.iter()
                .all(|d| d["user_custom_id"] == user["custom_id"])
        );
    }
}

#[test]
fn deals_are_listed_by_user_id_custom_id_key_and_stage() {
    let (_server, raw) = start(FakeOptions::default());
    let all = raw.all("deals/");
    let mut seen_custom = false;
    for user in raw.all("tags/1401/users/") {
        let id = user["id"].as_i64().unwrap();
        let expected: Vec<i64> = all
            .iter()
            .filter(|d| d["user_id"] == id)
            .map(|d| d["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids(&raw.all(&format!("deals/?user_id={id}"))), expected);
        let key = user["user_key"].as_str().unwrap();
        assert_eq!(ids(&raw.all(&format!("deals/?userkey={key}"))), expected);
        if let Some(custom) = user["custom_id"].as_str() {
            let query: String = form_query("user_custom_id", custom);
            assert_eq!(ids(&raw.all(&format!("deals/?{query}"))), expected);
            seen_custom = true;
        }
    }
    assert!(seen_custom);
    let stage = all[0]["stage"].as_i64().unwrap();
    let at_stage = raw.all(&format!("deals/?stage={stage}"));
    assert!(!at_stage.is_empty() && at_stage.len() < all.len());
    assert!(at_stage.iter().all(|d| d["stage"] == stage));
    let both = raw.all(&format!(
        "deals/?stage={stage}&user_id={}",
        all[0]["user_id"]
    ));
    assert!(both.iter().any(|d| d["id"] == all[0]["id"]));

    // Nobody has these: no deals. A user id that is not a number: DRF's 400.
    for query in [
        "user_custom_id=nobody",
        "userkey=nokey",
        "user_id=1",
        "stage=1",
    ] {
        let answer = raw.get(&format!("deals/?{query}"));
        assert_eq!(answer.status, 200, "{query}");
        assert_eq!(answer.json()["count"], 0, "{query}");
    }
    for name in ["user_id", "stage"] {
        let answer = raw.get(&format!("deals/?{name}=abc"));
        assert_eq!(answer.status, 400);
        assert_eq!(answer.json(), json!({ name: ["Enter a whole number."] }));
    }
}

fn form_query(name: &str, value: &str) -> String {
    let encoded: String = value
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("{name}={encoded}")
}

#[test]
fn create_read_update_and_delete_a_deal_by_id_and_custom_id() {
    let (_server, raw) = start(FakeOptions::default());
    let user = known_user(&raw);
    let body = json!({
        "name": "  Renewal 2025 ", "custom_id": "crm/deal x", "value": 1250.1,
        "currency": "USD", "status": "1", "user_custom_id": user["custom_id"],
        "expected_close_date": "2025-12-31", "probability": 0.25, "channels": ["web"],
        "id": 5, "created_at": "2000-01-01T00:00:00Z"
    });
    let created = raw.send("POST", "deals/", Some(&body.to_string()));
    assert_eq!(created.status, 201, "{}", created.text);
    let deal = created.json();
    assert_eq!(deal["id"], 12_031, "read-only fields are ignored");
    assert_eq!(deal["name"], "Renewal 2025");
    assert_eq!(deal["value"], "1250.10", "a decimal string with two places");
    assert_eq!(deal["status"], 1);
    assert_eq!(deal["user_id"], user["id"]);
    assert_eq!(deal["user_custom_id"], user["custom_id"]);
    assert_eq!(
        deal["probability"], 0.25,
        "custom attributes keep their types"
    );
    assert_eq!(deal["channels"], json!(["web"]));
    assert_eq!(deal["custom_attribute_xyz"], Value::Null);
    assert_ne!(deal["created_at"], "2000-01-01T00:00:00Z");
    assert_eq!(raw.get("deals/").json()["count"], 32);

    let path = by_custom_id("crm/deal x");
    assert_eq!(path, "deals-by-id/crm%2Fdeal%20x/");
    assert_eq!(raw.get(&path).json(), deal);
    assert_eq!(raw.get("deals/12031/").json(), deal);

    // A PUT changes what it names; a deal that is won gets won_at.
    let won = raw.send("PUT", &path, Some(r#"{"status": 2, "value": "99"}"#));
    assert_eq!(won.status, 200, "{}", won.text);
    let won = won.json();
    assert_eq!(
        (won["status"].clone(), won["value"].clone()),
        (json!(2), json!("99.00"))
    );
    assert_eq!(won["name"], "Renewal 2025");
    assert!(won["won_at"].is_string());
    assert_eq!(won["probability"], 0.25);
    let again = raw.send("PUT", "deals/12031/", Some(r#"{"name": "Renewed"}"#));
    assert_eq!(again.json()["name"], "Renewed");
    assert_eq!(again.json()["won_at"], won["won_at"]);

    // Another deal may not take its custom id.
    let clash = raw.send(
        "POST",
        "deals/",
        Some(r#"{"name": "x", "custom_id": "crm/deal x"}"#),
    );
    assert_eq!(clash.status, 400);
    assert_eq!(
        clash.json(),
        json!({"custom_id": ["deal with this custom_id already exists."]})
    );

    let deleted = raw.send("DELETE", &path, None);
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.text, "");
    for (method, path) in [
        ("GET", "deals/12031/"),
        ("DELETE", "deals/12031/"),
        ("GET", path.as_str()),
    ] {
        let answer = raw.send(method, path, None);
        assert_eq!(answer.status, 404, "{method} {path}");
        assert_eq!(answer.json(), json!({"detail": "Not found."}));
    }
    assert_eq!(raw.send("DELETE", "deals/12000/", None).status, 204);
    assert_eq!(raw.get("deals/").json()["count"], 30);
}

#[test]
fn bad_deal_bodies_get_drf_field_errors() {
    let (_server, raw) = start(FakeOptions::default());
    let cases = [
        (json!({}), json!({"name": ["This field is required."]})),
        (
            json!({"name": " "}),
            json!({"name": ["This field may not be blank."]}),
        ),
        (
            json!({"name": "x", "value": "1.234"}),
            json!({"value": ["Ensure that there are no more than 2 decimal places."]}),
        ),
        (
            json!({"name": "x", "value": "12,50"}),
            json!({"value": ["A valid number is required."]}),
        ),
        (
            json!({"name": "x", "status": 9}),
            json!({"status": ["\"9\" is not a valid choice."]}),
        ),
        (
            json!({"name": "x", "user_id": 1, "company_id": 2}),
            json!({
                "user_id": ["Invalid pk \"1\" - object does not exist."],
                "company_id": ["Invalid pk \"2\" - object does not exist."]
            }),
        ),
        (
            json!({"name": "x", "user_custom_id": "nobody"}),
            json!({"user_custom_id": ["Object with custom_id=nobody does not exist."]}),
        ),
        (
            json!({"name": "x", "expected_close_date": "31.12.2025", "won_at": "yesterday"}),
            json!({
                "expected_close_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
                "won_at": ["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]
            }),
        ),
        (
            json!({"name": "x", "participants": "1", "products": [999]}),
            json!({
                "participants": ["Expected a list of items but got type \"str\"."],
                "products": ["Invalid pk \"999\" - object does not exist."]
            }),
        ),
        (
            json!({"name": "x", "currency": "EURO"}),
            json!({"currency": ["Ensure this field has no more than 3 characters."]}),
        ),
    ];
    for (body, expected) in cases {
        let answer = raw.send("POST", "deals/", Some(&body.to_string()));
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
    assert_eq!(raw.get("deals/").json()["count"], 31, "nothing was created");
    // A PUT needs no name, but a name it gives may not be blank.
    let blank = raw.send("PUT", "deals/12000/", Some(r#"{"name": ""}"#));
    assert_eq!(
        blank.json(),
        json!({"name": ["This field may not be blank."]})
    );
    assert_eq!(raw.send("PUT", "deals/12000/", Some("{}")).status, 200);
    assert_eq!(raw.send("PUT", "deals/99/", Some("{}")).status, 404);
    assert_eq!(raw.send("PUT", "deals-by-id/nope/", Some("{}")).status, 404);
}

#[test]
fn update_or_create_matches_on_custom_id_and_orders_products() {
    let (_server, raw) = start(FakeOptions::default());
    let products = raw.all("products/");
    let order = json!({
        "name": "Order 1017", "custom_id": "order-1017", "value": 100.4, "currency": "EUR",
        "order_products": [
            {"product_custom_id": products[0]["custom_id"], "quantity": 2, "value": 39.95, "currency": "EUR"},
            {"product_id": products[1]["id"], "quantity": 1, "value": "20.5", "currency": "EUR"}
        ]
    });
    let created = raw.send("POST", "deals/update_or_create/", Some(&order.to_string()));
    assert_eq!(created.status, 201, "{}", created.text);
    let deal = created.json();
    assert_eq!(deal["value"], "100.40");
    assert_eq!(
        deal["products"],
        json!([products[0]["id"], products[1]["id"]])
    );
    assert_eq!(
        deal["products_custom_id"],
        json!([products[0]["custom_id"], products[1]["custom_id"]])
    );
    assert!(deal.get("order_products").is_none(), "kept, not shown");

    // The same custom id again: the same deal, updated; no name needed.
    let updated = raw.send(
        "POST",
        "deals/update_or_create/",
        Some(r#"{"custom_id": "order-1017", "status": 3}"#),
    );
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.json()["id"], deal["id"]);
    assert_eq!(updated.json()["status"], 3);
    assert!(updated.json()["lost_at"].is_string());
    assert_eq!(raw.get("deals/").json()["count"], 32);

    // A seeded deal's custom id matches it.
    let seeded = raw
        .all("deals/")
        .into_iter()
        .find(|d| d["custom_id"].is_string())
        .unwrap();
    let touch = json!({"custom_id": seeded["custom_id"], "currency": "PLN"});
    let answer = raw.send("POST", "deals/update_or_create/", Some(&touch.to_string()));
    assert_eq!(answer.json()["id"], seeded["id"]);
    assert_eq!(answer.json()["currency"], "PLN");

    // A new custom id without a name cannot create; bad items are named by position.
    let nameless = raw.send(
        "POST",
        "deals/update_or_create/",
        Some(r#"{"custom_id": "new"}"#),
    );
    assert_eq!(
        nameless.json(),
        json!({"name": ["This field is required."]})
    );
    let bad = json!({"name": "x", "order_products": [
        {"product_id": products[0]["id"], "quantity": 1, "value": "1.00", "currency": "EUR"},
        {"product_id": 1, "quantity": "two", "currency": "EUR"},
        {"quantity": 1, "value": 1, "currency": "EUR"}
    ]});
    let answer = raw.send("POST", "deals/update_or_create/", Some(&bad.to_string()));
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json(),
        json!({"order_products": [
            {},
            {"product_id": ["Invalid pk \"1\" - object does not exist."],
             "quantity": ["A valid integer is required."],
             "value": ["This field is required."]},
            {"non_field_errors": ["Give either product_id or product_custom_id."]}
        ]})
    );
}

/// Sends a request the core built; the status and the body.
fn send(request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent.run(request).unwrap();
    let status = response.status();
    let body = response.body_mut().read_to_vec().unwrap();
    http::Response::builder().status(status).body(body).unwrap()
}

#[test]
fn a_deal_value_round_trips_exactly_through_the_sdk() {
    let server = FakeServer::start(FakeOptions::default()).unwrap();
    let config = server.config().unwrap();
    for text in ["1250.10", "0.30", "1000000000000.01"] {
        let value = Decimal::from_str(text).unwrap();
        let create = CreateDeal::new(DealFields::named("exact").value(value));
        let request = config.request(&create).unwrap();
        assert!(
            std::str::from_utf8(request.body())
                .unwrap()
                .contains(&format!("\"value\":{text}")),
            "sent as a number with every digit"
        );
        let deal: Deal = config.parse(&create, send(request)).unwrap();
        assert_eq!(deal.value, Some(value), "{text}");
        assert_eq!(deal.value.unwrap().to_string(), text);
        let get = GetDeal::new(deal.id);
        let again: Deal = config
            .parse(&get, send(config.request(&get).unwrap()))
            .unwrap();
        assert_eq!(again.value, Some(value));
    }
    let list = ListDeals::all();
    let page: Page<Deal> = config
        .parse(&list, send(config.request(&list).unwrap()))
        .unwrap();
    assert_eq!(page.count, Some(34));
    assert_eq!(ListDeals::NAME, "deals.list");
}

/// A seeded user with a custom id, found through the users that carry a tag.
fn known_user(raw: &Raw) -> Value {
    (1400..1436)
        .flat_map(|tag| raw.all(&format!("tags/{tag}/users/")))
        .find(|user| user["custom_id"].is_string())
        .expect("some seeded user has a custom id")
}
