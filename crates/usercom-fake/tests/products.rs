//! The products endpoints: by id and by custom id (`details/`), writes with custom
//! attributes, `update_or_create`, and product events.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Raw;
use serde_json::{Value, json};
use usercom_core::api::products::{
    CreateProductEvent, Product, ProductEventCreated, ProductEventData, ProductEventType,
};
use usercom_fake::{FakeOptions, FakeServer};

fn start() -> (FakeServer, Raw) {
    let server = FakeServer::start(FakeOptions::default().page_size(10)).unwrap();
    let raw = Raw::new(&server);
    (server, raw)
}

/// `products-by-id/{custom_id}/…` with the custom id percent-encoded.
fn by_custom_id(custom_id: &str, rest: &str) -> String {
    let encoded: String = custom_id
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'@' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("products-by-id/{encoded}/{rest}")
}

#[test]
fn seeded_products_are_found_by_id_and_by_custom_id() {
    let (_server, raw) = start();
    let products = raw.all("products/");
    assert_eq!(products.len(), 24);
    for product in &products {
        let id = product["id"].as_i64().unwrap();
        let custom = product["custom_id"].as_str().unwrap();
        assert!(product["price"].is_number(), "{product}");
        assert!(
            product.get("colour").is_some(),
            "a custom attribute: {product}"
        );
        assert_eq!(&raw.get(&format!("products/{id}/")).json(), product);
        assert_eq!(&raw.get(&by_custom_id(custom, "details/")).json(), product);
        let typed: Product = serde_json::from_value(product.clone()).unwrap();
        assert!(typed.price().is_some());
    }
    assert!(
        products
            .iter()
            .any(|p| p["custom_id"].as_str().unwrap().contains("/"))
    );
    for path in [
        "products/999/",
        "products/abc/",
        "products-by-id/nope/details/",
    ] {
        let answer = raw.get(path);
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.json(), json!({"detail": "Not found."}));
    }
}

#[test]
fn create_update_update_or_create_and_delete_a_product() {
    let (_server, raw) = start();
    let created = raw.send(
        "POST",
        "products/",
        Some(r#"{"custom_id": "sku/new 1", "name": "Cup", "price": "7.50", "size": [1, 2]}"#),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let product = created.json();
    assert_eq!(product["id"], 324);
    assert_eq!(product["price"], 7.5);
    assert_eq!(product["size"], json!([1, 2]));
    let path = by_custom_id("sku/new 1", "");
    assert_eq!(path, "products-by-id/sku%2Fnew%201/");

    let renamed = raw.send("PUT", &path, Some(r#"{"name": "Mug"}"#));
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.json()["name"], "Mug");
    assert_eq!(renamed.json()["price"], 7.5);
    let priced = raw.send("PUT", "products/324/", Some(r#"{"price": 8}"#));
    assert_eq!(priced.json()["price"], 8);

    let matched = raw.send(
        "POST",
        "products/update_or_create/",
        Some(r#"{"custom_id": "sku/new 1", "category_name": "Home"}"#),
    );
    assert_eq!(matched.status, 200, "{}", matched.text);
    assert_eq!(matched.json()["id"], 324);
    assert_eq!(matched.json()["name"], "Mug");
    let fresh = raw.send(
        "POST",
        "products/update_or_create/",
        Some(r#"{"custom_id": "sku-9999", "name": "Lamp"}"#),
    );
    assert_eq!(fresh.status, 201, "{}", fresh.text);
    assert_eq!(fresh.json()["id"], 325);

    let bad = raw.send(
        "POST",
        "products/",
        Some(r#"{"price": "cheap", "name": " "}"#),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.json(),
        json!({"price": ["A valid number is required."], "name": ["This field may not be blank."]})
    );
    let clash = raw.send("PUT", "products/300/", Some(r#"{"custom_id": "sku-9999"}"#));
    assert_eq!(
        clash.json(),
        json!({"custom_id": ["product with this custom_id already exists."]})
    );

    assert_eq!(raw.send("DELETE", &path, None).status, 204);
    assert_eq!(raw.send("DELETE", &path, None).status, 404);
    assert_eq!(raw.send("DELETE", "products/325/", None).status, 204);
    assert_eq!(raw.get(&by_custom_id("sku-9999", "details/")).status, 404);
    assert_eq!(raw.get("products/").json()["count"], 24);
}

#[test]
fn product_events_are_recorded_and_set_product_attributes() {
    let (server, raw) = start();
    let product = raw.get("products/300/").json();
    let user = known_user(&raw);

    // The documented request, built by the SDK.
    let config = server.config().unwrap();
    let event = CreateProductEvent::new(300, ProductEventType::Order)
        .user(431)
        .at("2015-03-21T19:45:29Z".parse().unwrap())
        .data(
            ProductEventData::new()
                .attribute("create attribute for product", "my value")
                .custom_data(json!({"custom attr": "json data"})),
        );
    let request = config.request(&event).unwrap();
    let answer = raw.send(
        "POST",
        "products/300/product_event/",
        Some(std::str::from_utf8(request.body()).unwrap()),
    );
    assert_eq!(answer.status, 201, "{}", answer.text);
    let created: ProductEventCreated = serde_json::from_str(&answer.text).unwrap();
    assert_eq!(created.id, 388);
    let updated = raw.get("products/300/").json();
    assert_eq!(updated["create attribute for product"], "my value");
    assert!(
        updated.get("custom_data").is_none(),
        "kept with the event only"
    );
    assert_eq!(updated["name"], product["name"]);

    // By custom id, for a user by custom id, without a timestamp.
    let path = by_custom_id(product["custom_id"].as_str().unwrap(), "product_event/");
    let body = json!({"user_custom_id": user["custom_id"], "event_type": "add to cart",
                      "data": {"name": "Renamed by an event"}});
    let second = raw.send("POST", &path, Some(&body.to_string()));
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!(second.json(), json!({"id": 389}));
    assert_eq!(
        raw.get("products/300/").json()["name"],
        "Renamed by an event"
    );

    let cases = [
        (
            json!({"user_id": 431, "event_type": "wishlist"}),
            json!({"event_type": ["\"wishlist\" is not a valid choice."]}),
        ),
        (
            json!({"event_type": "view"}),
            json!({"non_field_errors": ["Either user_id or user_custom_id is required."]}),
        ),
        (
            json!({"user_id": 431}),
            json!({"event_type": ["This field is required."]}),
        ),
        (
            json!({"user_custom_id": "nobody", "event_type": "view"}),
            json!({"user_custom_id": ["Object with custom_id=nobody does not exist."]}),
        ),
        (
            json!({"user_id": 431, "event_type": "view", "data": [1], "timestamp": "now"}),
            json!({
                "data": ["Expected a dictionary of items but got type \"list\"."],
                "timestamp": ["A valid integer is required."]
            }),
        ),
    ];
    for (body, expected) in cases {
        let answer = raw.send(
            "POST",
            "products/300/product_event/",
            Some(&body.to_string()),
        );
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
    let missing = raw.send(
        "POST",
        "products-by-id/nope/product_event/",
        Some(r#"{"user_id": 1, "event_type": "view"}"#),
    );
    assert_eq!(missing.status, 404);
    let third = raw.send(
        "POST",
        "products/301/product_event/",
        Some(r#"{"user_id": 431, "event_type": "view"}"#),
    );
    assert_eq!(third.json(), json!({"id": 390}), "events are numbered on");
    assert_eq!(Value::from(ProductEventType::View.name()), "view");
}

/// A seeded user with a custom id, found through the users that carry a tag.
fn known_user(raw: &Raw) -> Value {
    (1400..1436)
        .flat_map(|tag| raw.all(&format!("tags/{tag}/users/")))
        .find(|user| user["custom_id"].is_string())
        .expect("some seeded user has a custom id")
}
