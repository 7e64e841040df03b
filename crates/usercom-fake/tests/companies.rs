//! The companies endpoints: seeded companies, by id and by custom id, writes with DRF-style
//! 400s and 404s, tags, custom attributes and members changing the stored company.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::Raw;
use serde_json::{Value, json};
use usercom_core::api::companies::{
    AddMember, Company, CreateCompany, GetCompany, ListCompanies, UpdateCompany,
};
use usercom_core::{Endpoint, Error, Page};
use usercom_fake::{FakeOptions, FakeServer};

fn start(options: FakeOptions) -> (FakeServer, Raw) {
    let server = FakeServer::start(options).unwrap();
    let raw = Raw::new(&server);
    (server, raw)
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

/// Sends an operation of the core to the fake and parses its answer with the core.
fn call<E: Endpoint>(server: &FakeServer, endpoint: &E) -> Result<E::Output, Error> {
    let config = server.config().unwrap();
    let request = config.request(endpoint)?;
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent.run(request).unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.body_mut().read_to_vec().unwrap();
    let mut parsed = http::Response::new(body);
    *parsed.status_mut() = status;
    *parsed.headers_mut() = headers;
    config.parse(endpoint, parsed)
}

/// A user of the account that has a custom id: its id and custom id.
fn user_with_custom_id(raw: &Raw) -> (i64, String) {
    (1400..1436)
        .flat_map(|tag| raw.all(&format!("tags/{tag}/users/")))
        .find_map(|user| {
            let custom_id = user["custom_id"].as_str()?.to_owned();
            Some((user["id"].as_i64()?, custom_id))
        })
        .unwrap()
}

#[test]
fn seeded_companies_carry_custom_attributes_of_every_json_type() {
    let (_server, raw) = start(FakeOptions::default().page_size(10));
    let first = raw.get("companies/").json();
    assert_eq!(first["count"], 36);
    assert!(
        first["next"]
            .as_str()
            .unwrap()
            .ends_with("/companies/?page=2")
    );
    let companies = raw.all("companies/");
    assert_eq!(ids(&companies), (1000..1036).collect::<Vec<_>>());
    let mut kinds = BTreeSet::new();
    for company in &companies {
        for key in [
            "name",
            "custom_id",
            "email",
            "phone_numbers",
            "tags",
            "employees",
            "user_custom_id",
            "created_at",
            "updated_at",
        ] {
            assert!(company.get(key).is_some(), "{key} missing from {company}");
        }
        assert!(company.get("key").is_none() && company.get("attributes").is_none());
        for name in [
            "industry",
            "founded",
            "mrr",
            "partner",
            "tech_stack",
            "renewal_on",
            "profile",
        ] {
            let kind = match &company[name] {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Number(n) if n.is_f64() => "float",
                Value::Number(_) => "integer",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            };
            kinds.insert(kind);
        }
        let tags = company["tags"].as_array().unwrap();
        assert!(
            tags.iter()
                .all(|t| t["id"].is_i64() && t["name"].is_string())
        );
    }
    assert_eq!(
        kinds,
        BTreeSet::from([
            "array", "boolean", "float", "integer", "null", "object", "string"
        ])
    );
    // Custom ids have the seeded form, but not every company has one.
    let custom: Vec<Option<&str>> = companies.iter().map(|c| c["custom_id"].as_str()).collect();
    assert_eq!(custom[0], Some("group@0"));
    assert!(custom.contains(&None));
    // Every one of them decodes as the core's model.
    let page: Page<Company> = serde_json::from_value(first).unwrap();
    assert_eq!(page.results.len(), 10);
}

#[test]
fn a_company_is_found_by_id_and_by_custom_id_in_any_encoding() {
    let (_server, raw) = start(FakeOptions::default());
    let by_id = raw.get("companies/1004/").json();
    assert_eq!(by_id["custom_id"], "group@4");
    for path in [
        "companies-by-id/group@4/",
        "companies-by-id/group%404/",
        "companies-by-id/%67roup@4/",
    ] {
        let answer = raw.get(path);
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.json(), by_id, "{path}");
    }
    for path in [
        "companies/999999/",
        "companies/abc/",
        "companies-by-id/group@3/",
        "companies-by-id/group@99/",
        "companies-by-id/1004/",
        "companies-by-id/nobody/add_tag/",
    ] {
        let method = if path.ends_with("add_tag/") {
            "POST"
        } else {
            "GET"
        };
        let answer = raw.send(method, path, Some(r#"{"name": "x"}"#));
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.json(), json!({"detail": "Not found."}), "{path}");
    }
    let patch = raw.send("PATCH", "companies-by-id/group@4/", Some("{}"));
    assert_eq!(patch.status, 405);
    assert_eq!(patch.headers["allow"], "GET, PUT, DELETE");
}

#[test]
fn create_checks_its_body_like_drf_and_links_tags_and_the_user() {
    let (_server, raw) = start(FakeOptions::default());
    let (user, user_custom_id) = user_with_custom_id(&raw);
    let cases = [
        (json!({}), json!({"name": ["This field is required."]})),
        (
            json!({"name": "  "}),
            json!({"name": ["This field may not be blank."]}),
        ),
        (
            json!({"name": "A", "email": "nope", "size": "big"}),
            json!({"email": ["Enter a valid email address."],
                   "size": ["A valid integer is required."]}),
        ),
        (
            json!({"name": "A", "industri": "retail", "founded": "long ago", "partner": "yes",
                   "tech_stack": ["rust", "cobol"], "renewal_on": "soon"}),
            json!({
                "industri": ["There is no company attribute with this name."],
                "founded": ["A valid integer is required."],
                "partner": ["Must be a valid boolean."],
                "tech_stack": ["\"cobol\" is not a valid choice."],
                "renewal_on": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
            }),
        ),
        (
            json!({"name": "A", "custom_id": "group@0"}),
            json!({"custom_id": ["company with this custom_id already exists."]}),
        ),
        (
            json!({"name": "A", "user_custom_id": "nobody@nowhere"}),
            json!({"user_custom_id": ["Object with custom_id=nobody@nowhere does not exist."]}),
        ),
        (
            json!({"name": "A", "tags": "vip", "phone_numbers": [" "]}),
            json!({"tags": ["Expected a list of items but got type \"str\"."],
                   "phone_numbers": ["This field may not be blank."]}),
        ),
    ];
    for (body, expected) in cases {
        let answer = raw.send("POST", "companies/", Some(&body.to_string()));
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
    assert_eq!(
        raw.get("companies/").json()["count"],
        36,
        "nothing was created"
    );

    let body = json!({
        "name": " Acme ", "custom_id": "a b/c", "email": "office@acme.example.com",
        "size": 12, "phone_numbers": ["+48 58 000"], "tags": ["trial", "brand new tag"],
        "user_custom_id": user_custom_id, "mrr": 99.5, "profile": {"tier": [1, 2]},
        "id": 5, "employees": [1],
    });
    let created = raw.send("POST", "companies/", Some(&body.to_string()));
    assert_eq!(created.status, 201, "{}", created.text);
    let company = created.json();
    assert_eq!(company["id"], 1036, "read-only id ignored");
    assert_eq!(company["name"], "Acme");
    assert_eq!(
        company["employees"],
        json!([user]),
        "the linked user is a member"
    );
    assert_eq!(company["mrr"], 99.5);
    assert_eq!(company["profile"], json!({"tier": [1, 2]}));
    assert_eq!(
        company["industry"],
        Value::Null,
        "unset attributes are null"
    );
    let tags = company["tags"].as_array().unwrap();
    assert_eq!(tags.len(), 2);
    assert_eq!(tags[1]["name"], "brand new tag");
    let new_tag = tags[1]["id"].as_i64().unwrap();
    assert_eq!(
        raw.get("tags/").json()["count"],
        37,
        "a new name made a tag"
    );
    assert_eq!(ids(&raw.all(&format!("tags/{new_tag}/companies/"))), [1036]);
    // Found again by its custom id, percent-encoded.
    assert_eq!(raw.get("companies-by-id/a%20b%2Fc/").json(), company);
    assert_eq!(raw.get("companies/").json()["count"], 37);
}

#[test]
fn update_changes_only_what_is_sent_by_id_or_custom_id() {
    let (_server, raw) = start(FakeOptions::default());
    let before = raw.get("companies/1000/").json();
    let answer = raw.send(
        "PUT",
        "companies-by-id/group@0/",
        Some(r#"{"city": "Kraków", "description": null, "founded": 2003, "custom_id": "renamed"}"#),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    let after = answer.json();
    assert_eq!(after["city"], "Kraków");
    assert_eq!(after["description"], Value::Null);
    assert_eq!(after["founded"], 2003);
    assert_eq!(
        after["name"], before["name"],
        "name is not required on update"
    );
    assert_eq!(after["email"], before["email"]);
    assert_ne!(after["updated_at"], before["updated_at"]);
    assert_eq!(raw.get("companies-by-id/group@0/").status, 404);
    assert_eq!(raw.get("companies-by-id/renamed/").json(), after);
    assert_eq!(raw.get("companies/1000/").json(), after);

    // Keeping its own custom id is no clash; taking another company's is.
    let same = raw.send(
        "PUT",
        "companies/1000/",
        Some(r#"{"custom_id": "renamed"}"#),
    );
    assert_eq!(same.status, 200, "{}", same.text);
    let clash = raw.send(
        "PUT",
        "companies/1000/",
        Some(r#"{"custom_id": "group@1"}"#),
    );
    assert_eq!(
        clash.json(),
        json!({"custom_id": ["company with this custom_id already exists."]})
    );
    let unknown = raw.send("PUT", "companies/1000/", Some(r#"{"nmae": "x"}"#));
    assert_eq!(
        unknown.json(),
        json!({"nmae": ["There is no company attribute with this name."]})
    );
    let stamped = raw.send(
        "PUT",
        "companies/1001/",
        Some(r#"{"tags": [], "updated_at": "2020-01-02T03:04:05+01:00"}"#),
    );
    assert_eq!(stamped.json()["updated_at"], "2020-01-02T02:04:05Z");
    assert_eq!(stamped.json()["tags"], json!([]));
    assert_eq!(raw.send("PUT", "companies/999999/", Some("{}")).status, 404);
}

#[test]
fn delete_by_id_or_custom_id_answers_204_then_404() {
    let (_server, raw) = start(FakeOptions::default());
    let by_id = raw.send("DELETE", "companies/1001/", None);
    assert_eq!(by_id.status, 204);
    assert_eq!(by_id.text, "");
    let by_custom_id = raw.send("DELETE", "companies-by-id/group@2/", None);
    assert_eq!(by_custom_id.status, 204);
    for path in [
        "companies/1001/",
        "companies/1002/",
        "companies-by-id/group@2/",
    ] {
        assert_eq!(raw.get(path).status, 404, "{path}");
        assert_eq!(raw.send("DELETE", path, None).status, 404, "{path}");
    }
    let left = ids(&raw.all("companies/"));
    assert_eq!(left.len(), 34);
    assert!(!left.contains(&1001) && !left.contains(&1002));
}

#[test]
fn tags_added_and_removed_change_the_stored_company() {
    let (_server, raw) = start(FakeOptions::default());
    let added = raw.send(
        "POST",
        "companies-by-id/group@5/add_tag/",
        Some(r#"{"name": "vip"}"#),
    );
    assert_eq!(added.status, 200, "{}", added.text);
    assert_eq!(
        added.json(),
        json!({"created": true, "tag": {"id": 1436, "name": "vip"}})
    );
    let again = raw.send(
        "POST",
        "companies/1005/add_tag/",
        Some(r#"{"name": "vip"}"#),
    );
    assert_eq!(again.json()["created"], false);
    let company = raw.get("companies/1005/").json();
    let names: Vec<&str> = company["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.iter().filter(|n| **n == "vip").count(),
        1,
        "{names:?}"
    );
    assert_eq!(ids(&raw.all("tags/1436/companies/")), [1005]);

    let removed = raw.send(
        "POST",
        "companies/1005/remove_tag/",
        Some(r#"{"name": "vip"}"#),
    );
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert!(
        removed.json()["tags"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["name"] != "vip")
    );
    assert!(raw.all("tags/1436/companies/").is_empty());
    for (path, body, expected) in [
        (
            "companies/1005/remove_tag/",
            r#"{"name": "no such tag"}"#,
            json!({"name": ["Object with name=no such tag does not exist."]}),
        ),
        (
            "companies/1005/add_tag/",
            "{}",
            json!({"name": ["This field is required."]}),
        ),
        (
            "companies/1005/add_tag/",
            r#"{"name": " "}"#,
            json!({"name": ["This field may not be blank."]}),
        ),
    ] {
        let answer = raw.send("POST", path, Some(body));
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
}

#[test]
fn attributes_are_set_one_or_many_with_their_types_checked() {
    let (_server, raw) = start(FakeOptions::default());
    let one = raw.send(
        "POST",
        "companies/1006/set_attribute/",
        Some(r#"{"attribute": "partner", "value": true}"#),
    );
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json()["partner"], true);
    let many = raw.send(
        "POST",
        "companies-by-id/group@6/set_multiple_attributes/",
        Some(r#"{"founded": "1999", "tech_stack": ["rust", "kafka"], "renewal_on": null, "profile": {"a": 1}}"#),
    );
    assert_eq!(many.status, 200, "{}", many.text);
    let company = raw.get("companies/1006/").json();
    assert_eq!(company["partner"], true);
    assert_eq!(company["founded"], 1999);
    assert_eq!(company["tech_stack"], json!(["rust", "kafka"]));
    assert_eq!(company["renewal_on"], Value::Null);
    assert_eq!(company["profile"], json!({"a": 1}));
    for (path, body, expected) in [
        (
            "companies/1006/set_attribute/",
            r#"{"attribute": "plan", "value": 1}"#,
            json!({"attribute": ["There is no company attribute with this name."]}),
        ),
        (
            "companies/1006/set_attribute/",
            r#"{"attribute": "mrr", "value": "lots"}"#,
            json!({"value": ["A valid number is required."]}),
        ),
        (
            "companies/1006/set_attribute/",
            r#"{"attribute": "mrr"}"#,
            json!({"value": ["This field is required."]}),
        ),
        (
            "companies/1006/set_multiple_attributes/",
            "{}",
            json!({"non_field_errors": ["No attributes to set."]}),
        ),
        (
            "companies/1006/set_multiple_attributes/",
            r#"{"partner": 1, "name": "x"}"#,
            json!({"partner": ["Must be a valid boolean."],
                   "name": ["There is no company attribute with this name."]}),
        ),
    ] {
        let answer = raw.send("POST", path, Some(body));
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
    assert_eq!(
        raw.get("companies/1006/").json(),
        company,
        "refused writes change nothing"
    );
}

#[test]
fn members_are_added_and_removed_by_user_id_custom_id_or_both() {
    let (_server, raw) = start(FakeOptions::default());
    let (user, custom_id) = user_with_custom_id(&raw);
    let employees = |raw: &Raw| raw.get("companies/1007/").json()["employees"].clone();
    let before: Vec<Value> = employees(&raw).as_array().unwrap().clone();
    let body = json!({"user_custom_id": custom_id}).to_string();
    let added = raw.send("POST", "companies/1007/add_member/", Some(&body));
    assert_eq!(added.status, 200, "{}", added.text);
    let with: Vec<Value> = employees(&raw).as_array().unwrap().clone();
    assert!(with.contains(&json!(user)));
    // Adding again, now by both ids at once, changes nothing.
    let both = json!({"user_id": user, "user_custom_id": custom_id}).to_string();
    raw.send("POST", "companies/1007/add_member/", Some(&both));
    assert_eq!(employees(&raw).as_array().unwrap(), &with);

    let removed = raw.send(
        "POST",
        "companies/1007/remove_member/",
        Some(&json!({"user_id": user}).to_string()),
    );
    assert_eq!(removed.status, 200, "{}", removed.text);
    let after: Vec<Value> = employees(&raw).as_array().unwrap().clone();
    assert!(!after.contains(&json!(user)));
    let expected: Vec<Value> = before.into_iter().filter(|u| *u != json!(user)).collect();
    assert_eq!(after, expected);

    let other_user = if user == 20_000_000 {
        20_000_001
    } else {
        20_000_000
    };
    for (body, expected) in [
        (
            json!({}),
            json!({"non_field_errors": ["Send user_id or user_custom_id."]}),
        ),
        (
            json!({"user_id": 1}),
            json!({"user_id": ["Invalid pk \"1\" - object does not exist."]}),
        ),
        (
            json!({"user_id": "x"}),
            json!({"user_id": ["Incorrect type. Expected pk value, received str."]}),
        ),
        (
            json!({"user_custom_id": "nobody"}),
            json!({"user_custom_id": ["Object with custom_id=nobody does not exist."]}),
        ),
        (
            json!({"user_id": other_user, "user_custom_id": custom_id}),
            json!({"non_field_errors": ["user_id and user_custom_id name different users."]}),
        ),
    ] {
        let answer = raw.send(
            "POST",
            "companies/1007/add_member/",
            Some(&body.to_string()),
        );
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json(), expected, "{body}");
    }
    assert_eq!(
        raw.send("POST", "companies/999999/add_member/", Some(&both))
            .status,
        404
    );
}

#[test]
fn the_core_operations_work_against_the_fake() {
    let server = FakeServer::start(FakeOptions::default()).unwrap();
    let page = call(&server, &ListCompanies::new()).unwrap();
    assert_eq!(page.count, Some(36));
    let first = &page.results[0];
    assert_eq!(first.custom_id(), Some("group@0"));
    assert!(first.attribute("partner").unwrap().is_boolean());
    let by_custom = call(&server, &GetCompany::new("group@0")).unwrap();
    assert_eq!(&by_custom, first);

    let created = call(
        &server,
        &CreateCompany::new("Zażółć Ltd")
            .custom_id("zażółć/1")
            .tags(["vip"])
            .attribute("founded", 1990),
    )
    .unwrap();
    assert_eq!(created.custom_id.as_deref(), Some("zażółć/1"));
    assert_eq!(created.attribute("founded"), Some(&json!(1990)));
    let renamed = call(&server, &UpdateCompany::new("zażółć/1").name("Renamed")).unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Renamed"));
    assert_eq!(renamed.id, created.id);

    let err = call(&server, &AddMember::new(created.id, 1)).unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(err.to_string().contains("user_id"), "{err}");
    let missing = call(&server, &GetCompany::new("no such company")).unwrap_err();
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));
    let refused = call(&server, &CreateCompany::new("A").attribute("seats", 3)).unwrap_err();
    assert!(refused.to_string().contains("seats"), "{refused}");
}

#[test]
fn a_page_costs_the_same_in_a_million_companies() {
    let (server, raw) = start(FakeOptions::default().companies(1_000_000));
    let started = Instant::now();
    let late = raw.get("companies/?page=9000");
    assert_eq!(late.status, 200, "{}", late.text);
    let late = late.json();
    assert_eq!(late["count"], 1_000_000);
    assert_eq!(late["results"][0]["id"], 1000 + 899_900);
    let seeded = raw.get("companies-by-id/group@999998/");
    assert_eq!(seeded.json()["id"], 1000 + 999_998);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.stored_items(), 0, "reading keeps nothing");
}
