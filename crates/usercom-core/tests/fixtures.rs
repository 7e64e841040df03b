//! Every fixture under `fixtures/` is a contract: the request stored there is exactly what the
//! core builds for its operation (named in the registry, built from its JSON arguments), its
//! arguments say what its body says, and the response stored there parses, without losing a
//! field, into the reviewed snapshot of its typed value.
//!
//! The checks are generic (`usercom_fixtures::check`); nothing here names an API group
//! except the tests at the end that pin details of particular fixtures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use usercom_core::conversations::{
    ConversationDetail, CreateConversation, GetConversation, ListConversations, Source,
};
use usercom_core::tags::{DeleteTag, ListTagCompanies, ListTagUsers, ListTags, Tag};
use usercom_core::{Endpoint, Error, Page};
use usercom_fixtures::{
    FIXTURE_KEY, Fixture, Origin, StoredRequest, check, fixture_config, load, load_all,
    repository_fixtures,
};

fn load_fixtures() -> Vec<Fixture> {
    let fixtures = load_all(&repository_fixtures()).unwrap();
    assert!(fixtures.len() >= 12, "fixtures missing: {}", fixtures.len());
    fixtures
}

fn fixture(name: &str) -> Fixture {
    load_fixtures()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

/// The stored response parsed as `op`'s typed output.
fn parse<E: Endpoint>(op: &E, name: &str) -> Result<E::Output, Error> {
    fixture_config().parse(op, fixture(name).response().unwrap())
}

#[test]
fn every_fixture_passes_every_check() {
    let problems = check(&repository_fixtures());
    assert!(
        problems.is_empty(),
        "fixtures with problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_group_of_the_registry_has_fixtures_and_every_fixture_a_registered_operation() {
    let fixtures = load_fixtures();
    for group in usercom_core::registry::groups() {
        assert!(
            fixtures
                .iter()
                .any(|f| f.name.starts_with(&format!("{}/", group.name)) && !f.is_plan()),
            "no fixture for the group {}",
            group.name
        );
    }
    for fixture in &fixtures {
        let registration = fixture.registration().unwrap();
        assert_eq!(
            fixture.name.split('/').next(),
            Some(registration.group()),
            "{} is filed under another group than its operation",
            fixture.name
        );
    }
}

#[test]
fn every_response_parses_into_its_snapshot() {
    let root = repository_fixtures().canonicalize().unwrap();
    insta::glob!("../../../fixtures", "*/*/scenario.json", |path| {
        let dir = path.parent().unwrap();
        let name = dir
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let fixture = load(dir, name).unwrap();
        if fixture.is_plan() {
            return;
        }
        let parsed = fixture.parse().unwrap();
        insta::assert_snapshot!("parsed", parsed.debug);
    });
}

/// Every file below `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn the_key_is_sent_but_never_stored() {
    for fixture in load_fixtures().iter().filter(|f| !f.is_plan()) {
        let built = fixture.build().unwrap();
        assert_eq!(
            built.headers()["authorization"],
            format!("Token {FIXTURE_KEY}").as_str(),
            "{}: the built request does not carry the key",
            fixture.name
        );
        let stored = StoredRequest::from_request(&built).unwrap();
        assert_eq!(stored.headers["authorization"], "Token <redacted>");
        let text = serde_json::to_string(&stored).unwrap();
        assert!(!text.contains(FIXTURE_KEY), "{}: {text}", fixture.name);
    }
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut stored_files = files(&repository_fixtures());
    stored_files.extend(files(&snapshots));
    assert!(stored_files.len() > 24, "{}", stored_files.len());
    for path in stored_files {
        let content = std::fs::read(&path).unwrap();
        assert!(
            !content
                .windows(FIXTURE_KEY.len())
                .any(|window| window == FIXTURE_KEY.as_bytes()),
            "the key is in {}",
            path.display()
        );
    }
}

#[test]
fn a_changed_fixture_path_is_reported_by_name() {
    let mut fixture = fixture("conversations/detail-documented");
    fixture.scenario.request.as_mut().unwrap().path = "/api/public/chats/339461/".to_owned();
    assert_eq!(
        fixture.request_differences(),
        ["path: stored /api/public/chats/339461/ built /api/public/conversations/339461/"]
    );
}

#[test]
fn args_that_say_otherwise_than_the_body_are_a_problem() {
    let mut fixture = fixture("conversations/create-documented");
    // The name of the source instead of its code: it builds the same request, but the
    // fixture form no longer says what goes on the wire.
    fixture.scenario.args.as_mut().unwrap()["source"] = "email".into();
    assert_eq!(
        fixture.problems(),
        [
            "the args (less the path parameters) and the stored body disagree at `source`: the \
          args have \"email\", the body has 2"
        ]
    );
}

#[test]
fn an_unknown_operation_or_bad_args_are_a_problem() {
    let mut unknown = fixture("conversations/detail-documented");
    unknown.scenario.operation = "conversations.fetch".to_owned();
    let problems = unknown.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("the operation \"conversations.fetch\" is not in the registry"),
        "{problems:?}"
    );

    let mut bad = fixture("conversations/detail-documented");
    bad.scenario.args = Some(serde_json::json!({"id": "339461"}));
    let problems = bad.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("conversations.get") && problems[0].contains("id"),
        "{problems:?}"
    );
}

#[test]
fn the_documented_examples_are_kept_as_documented() {
    for name in [
        "conversations/list-documented",
        "conversations/user-conversations",
        "conversations/detail-documented",
        "conversations/create-documented",
        "tags/list-documented",
        "tags/users-documented",
        "tags/companies-documented",
    ] {
        assert_eq!(fixture(name).scenario.origin, Origin::Documented, "{name}");
    }
}

#[test]
fn documented_list_keeps_its_four_items_and_envelope() {
    let page = parse(&ListConversations::all(), "conversations/list-documented").unwrap();
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
    assert_eq!(page.results[1].user.key(), Some("VCJ0tmNg5wuw"));
}

#[test]
fn detail_messages_keep_html_text_sources_and_time() {
    let detail: ConversationDetail = parse(
        &GetConversation::new(339470),
        "conversations/detail-several-messages",
    )
    .unwrap();
    let sources: Vec<String> = detail
        .messages
        .iter()
        .map(|m| m.source.to_string())
        .collect();
    assert_eq!(
        sources,
        ["chat", "email", "sms", "api", "slack", "whatsapp"]
    );
    assert_eq!(detail.messages[2].source.known(), Some(&Source::Sms));
    assert_eq!(detail.messages[5].source.known(), None);
    assert_eq!(detail.messages[5].source.raw(), "whatsapp");
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
    assert_eq!(detail.user.key(), Some("KQB9EPEd04Sx"));
    assert_eq!(detail.messages[1].user.as_ref().unwrap().key(), None);
}

#[test]
fn unknown_fields_and_nulls_are_tolerated_and_kept() {
    let page = parse(
        &ListConversations::all(),
        "conversations/list-unknown-fields-and-nulls",
    )
    .unwrap();
    assert_eq!(page.count, None);
    let [first, second] = &page.results[..] else {
        panic!("two items expected")
    };
    assert_eq!(first.agent.as_ref().unwrap().name(), Some("Agent Name"));
    assert_eq!(second.agent.as_ref().unwrap().id(), Some(382));
    assert_eq!(first.user.extra["custom_id"], "user@123");
    assert_eq!(first.extra["assigned_to"], 382);
    assert_eq!(
        (second.user.email.as_ref(), second.user.name.as_ref()),
        (None, None)
    );
}

#[test]
fn error_fixtures_become_api_errors() {
    let err = parse(&ListConversations::all(), "conversations/error-502-html").unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status, 502);
    assert!(
        api.body_snippet
            .as_deref()
            .unwrap()
            .contains("<title>502 Bad Gateway</title>")
    );
    assert_eq!(api.detail, None);

    let err = parse(&ListConversations::all(), "conversations/error-401").unwrap_err();
    assert_eq!(
        err.to_string(),
        "User.com API error: HTTP 401 Unauthorized: Invalid token."
    );

    let create = CreateConversation::new(322842, "Hello").source(Source::Sms);
    let err = parse(&create, "conversations/error-400-fields").unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.field_errors["source"], ["\"4\" is not a valid choice."]);
    assert_eq!(
        api.field_errors["non_field_errors"],
        ["SMS is not configured for this application."]
    );
}

#[test]
fn a_changed_field_type_fails_with_its_path() {
    let mut broken = fixture("conversations/detail-documented");
    let text = String::from_utf8(broken.body.clone()).unwrap();
    broken.body = text
        .replace("\"chat\": 339461", "\"chat\": \"339461\"")
        .into_bytes();
    let err = fixture_config()
        .parse(&GetConversation::new(339461), broken.response().unwrap())
        .unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.path, "results.messages[0].chat");
    assert_eq!(decode.status, 200);
    assert!(
        err.to_string().contains("results.messages[0].chat"),
        "{err}"
    );
    let problems = broken.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("results.messages[0].chat"),
        "{problems:?}"
    );
}

/// An operation on one tag, from its JSON arguments.
fn tag_op<E: serde::de::DeserializeOwned>(id: i64) -> E {
    serde_json::from_value(serde_json::json!({"id": id})).unwrap()
}

#[test]
fn tags_fixtures_cover_every_kind_of_answer() {
    let page: Page<Tag> = parse(&ListTags::new(), "tags/list-with-next").unwrap();
    assert!(
        page.next
            .as_deref()
            .unwrap()
            .contains("/api/public/tags/?page=2")
    );
    let deleted = parse(&DeleteTag::new(1442), "tags/delete-204").unwrap();
    assert_eq!(deleted, serde_json::Value::Null);
    assert_eq!(fixture("tags/delete-204").body, b"");

    let users = parse(&tag_op::<ListTagUsers>(31), "tags/users-documented").unwrap();
    assert_eq!(users.results.len(), 2);
    let memberships = users.results[0].companies.as_deref().unwrap_or_default();
    assert_eq!(memberships[0].id, 14);
    let companies = parse(&tag_op::<ListTagCompanies>(31), "tags/companies-documented").unwrap();
    let tags = companies.results[0].tags.as_deref().unwrap_or_default();
    assert_eq!(tags[0].name, "My tag");

    let err = parse(
        &usercom_core::tags::CreateTag::new("vip"),
        "tags/error-400-fields",
    )
    .unwrap_err();
    assert!(!err.as_api().unwrap().field_errors["name"].is_empty());
}
