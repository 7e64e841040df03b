//! Every fixture under `fixtures/` is a contract: the request stored there is exactly what the
//! core builds for its operation, and the response stored there parses into the reviewed
//! snapshot of its typed value.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use http::StatusCode;
use usercom_core::conversations::{
    CreateConversation, GetConversation, ListConversations, MessageSource, Source,
};
use usercom_core::{Error, parse_response};
use usercom_fixtures::{
    FIXTURE_KEY, Fixture, Origin, load_all, render_request, repository_fixtures,
};

fn load_fixtures() -> Vec<Fixture> {
    let fixtures = load_all(&repository_fixtures()).unwrap();
    assert!(fixtures.len() >= 12, "fixtures missing: {}", fixtures.len());
    fixtures
}

fn response(fixture: &Fixture) -> http::Response<Vec<u8>> {
    fixture.response().unwrap()
}

#[test]
fn every_stored_request_is_what_the_core_builds() {
    let mut failures = Vec::new();
    for fixture in load_fixtures() {
        for problem in fixture.problems() {
            failures.push(format!("{}: {problem}", fixture.name));
        }
    }
    assert!(
        failures.is_empty(),
        "fixtures differ from the built requests:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_changed_fixture_path_is_reported_by_name() {
    let mut fixture = load_fixtures()
        .into_iter()
        .find(|f| f.name == "conversations/detail-documented")
        .unwrap();
    fixture.scenario.request.path = "/api/public/chats/339461/".to_owned();
    let differences = fixture.request_differences();
    assert_eq!(
        differences,
        ["path: stored /api/public/chats/339461/ built /api/public/conversations/339461/"]
    );
}

#[test]
fn every_built_request_matches_its_snapshot() {
    for fixture in load_fixtures() {
        let snapshot = format!("request@{}", fixture.name.replace('/', "__"));
        let rendered = render_request(&fixture.build().unwrap());
        assert!(
            !rendered.contains(FIXTURE_KEY),
            "the key leaked into {rendered}"
        );
        insta::assert_snapshot!(snapshot, rendered);
    }
}

#[test]
fn every_response_parses_into_its_snapshot() {
    for fixture in load_fixtures() {
        assert!(
            !fixture.scenario.source.is_empty(),
            "{}: no source",
            fixture.name
        );
        let parsed = fixture.parse().unwrap();
        let status = StatusCode::from_u16(fixture.scenario.response.status).unwrap();
        match &parsed.error {
            None => assert!(status.is_success(), "{}: parsed a {status}", fixture.name),
            Some(Error::Api(api)) => assert_eq!(api.status, status, "{}", fixture.name),
            Some(other) => panic!("{}: unexpected error {other}", fixture.name),
        }
        let snapshot = format!("parsed@{}", fixture.name.replace('/', "__"));
        insta::assert_snapshot!(snapshot, parsed.text);
    }
}

fn fixture(name: &str) -> Fixture {
    load_fixtures()
        .into_iter()
        .find(|f| f.name == format!("conversations/{name}"))
        .unwrap()
}

#[test]
fn the_documented_examples_are_kept_as_documented() {
    for name in [
        "list-documented",
        "user-conversations",
        "detail-documented",
        "create-documented",
    ] {
        assert_eq!(fixture(name).scenario.origin, Origin::Documented, "{name}");
    }
}

#[test]
fn documented_list_keeps_its_four_items_and_envelope() {
    let page = parse_response(
        &ListConversations::all(),
        response(&fixture("list-documented")),
    )
    .unwrap();
    let ids: Vec<i64> = page.results.iter().map(|c| c.id).collect();
    assert_eq!(ids, [748553, 748550, 748548, 748547]);
    assert_eq!(page.count, Some(41));
    assert_eq!(
        page.next.as_deref(),
        Some("https://example.user.com/api/public/conversations/?page=2")
    );
    assert!(
        page.results
            .iter()
            .all(|c| c.user.email.is_none() && !c.active)
    );
    assert_eq!(page.results[1].user.key.as_deref(), Some("VCJ0tmNg5wuw"));
}

#[test]
fn detail_messages_keep_html_text_sources_and_time() {
    let detail = parse_response(
        &GetConversation::new(339470),
        response(&fixture("detail-several-messages")),
    )
    .unwrap();
    let sources: Vec<&str> = detail.messages.iter().map(|m| m.source.as_str()).collect();
    assert_eq!(
        sources,
        ["chat", "email", "sms", "api", "slack", "whatsapp"]
    );
    assert_eq!(detail.messages[2].source, MessageSource::Known(Source::Sms));
    assert_eq!(
        detail.messages[5].source,
        MessageSource::Other("whatsapp".into())
    );
    assert!(detail.messages[1].content.starts_with("<p>Hi <b>Zofia</b>"));
    assert_eq!(
        detail.messages[0].content,
        "Dzień dobry! Czy mogę zmienić adres dostawy? 🙏"
    );
    assert_eq!(
        detail.messages[1].timestamp.to_string(),
        "2024-03-01T09:16:30.5Z"
    );
    assert_eq!(detail.messages[0].timestamp.as_second(), 1_709_284_500);
    assert_eq!(detail.user.key.as_deref(), Some("KQB9EPEd04Sx"));
    assert_eq!(detail.messages[1].user.as_ref().unwrap().key, None);
}

#[test]
fn unknown_fields_and_nulls_are_tolerated() {
    let page = parse_response(
        &ListConversations::all(),
        response(&fixture("list-unknown-fields-and-nulls")),
    )
    .unwrap();
    assert_eq!(page.count, None);
    let [first, second] = &page.results[..] else {
        panic!("two items expected")
    };
    assert_eq!(
        first.agent.as_ref().unwrap().name.as_deref(),
        Some("Agent Name")
    );
    assert_eq!(second.agent.as_ref().unwrap().id, Some(382));
    assert_eq!(
        (second.user.email.as_ref(), second.user.name.as_ref()),
        (None, None)
    );
}

#[test]
fn error_fixtures_become_api_errors() {
    let err = parse_response(
        &ListConversations::all(),
        response(&fixture("error-502-html")),
    )
    .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status, 502);
    assert!(
        api.body_snippet
            .as_deref()
            .unwrap()
            .contains("<title>502 Bad Gateway</title>")
    );
    assert_eq!(api.detail, None);

    let err =
        parse_response(&ListConversations::all(), response(&fixture("error-401"))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "User.com API error: HTTP 401 Unauthorized: Invalid token."
    );

    let create = CreateConversation::new(322842, "Hello").source(Source::Sms);
    let err = parse_response(&create, response(&fixture("error-400-fields"))).unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.field_errors["source"], ["\"4\" is not a valid choice."]);
    assert_eq!(
        api.field_errors["non_field_errors"],
        ["SMS is not configured for this application."]
    );
}

#[test]
fn a_changed_field_type_fails_with_its_path() {
    let mut broken = fixture("detail-documented");
    let text = String::from_utf8(broken.body.clone()).unwrap();
    broken.body = text
        .replace("\"chat\": 339461", "\"chat\": \"339461\"")
        .into_bytes();
    let err = parse_response(&GetConversation::new(339461), response(&broken)).unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.path, "results.messages[0].chat");
    assert_eq!(decode.status, 200);
    assert!(
        err.to_string().contains("results.messages[0].chat"),
        "{err}"
    );
}
