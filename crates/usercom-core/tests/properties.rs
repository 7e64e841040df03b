//! Properties that must hold for any input: the parser is total, encoding round-trips, and
//! the paginator terminates without repeating a URL or leaving the configured host.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;

use http::{Method, StatusCode};
use proptest::prelude::*;
use serde_json::Value;
use usercom_core::conversations::{CreateConversation, GetConversation, ListConversations};
use usercom_core::endpoint::{Path, Query};
use usercom_core::{Config, Endpoint, Error, PaginationError, Paginator};

const KEY: &str = "propkeypropkeypropkeypropkeypropkeypropkeypropkeypropkeypropkey";

fn config() -> Config {
    Config::for_base_url("http://127.0.0.1:8080/proxy/api/public/", KEY).unwrap()
}

/// An endpoint with a caller-chosen path segment and query value, like the `-by-id` families.
struct ByCustomId {
    id: String,
    filter: String,
}

impl Endpoint for ByCustomId {
    type Output = Value;
    const NAME: &'static str = "users.events";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["users-by-id/{id}/events/"];

    fn path(&self) -> Path {
        Path::new("users-by-id")
            .value(self.id.clone())
            .then("events")
    }

    fn query(&self) -> Query {
        Query::default().with("name__contains", self.filter.clone())
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("results".to_owned()),
                    Just("id".to_owned()),
                    Just("user".to_owned()),
                    Just("messages".to_owned()),
                    Just("detail".to_owned()),
                    Just("next".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        // Truncations of a real page.
        (0usize..400).prop_map(|cut| {
            let page = br#"{"count": 1, "next": null, "previous": null, "results": [{"id": 6, "user": {"id": 2039, "email": "user@email.com", "name": "user@email.com", "key": "I8REkrrhPWes"}, "active": false, "agent": null, "messages": 1}]}"#;
            page[..cut.min(page.len())].to_vec()
        }),
    ]
}

fn check_outcome<T>(outcome: &Result<T, Error>, status: StatusCode) -> Result<(), TestCaseError> {
    match outcome {
        Ok(_) => prop_assert!(status.is_success()),
        Err(Error::Api(api)) => {
            prop_assert!(!status.is_success());
            prop_assert_eq!(api.status, status);
            let snippet = api.body_snippet.as_deref().unwrap_or_default();
            prop_assert!(snippet.len() <= usercom_core::error::SNIPPET_LIMIT + '…'.len_utf8());
        }
        Err(Error::Decode(decode)) => {
            prop_assert!(status.is_success());
            prop_assert_eq!(decode.status, status);
            prop_assert!(
                decode.body_snippet.len() <= usercom_core::error::SNIPPET_LIMIT + '…'.len_utf8()
            );
        }
        Err(Error::Pagination(_)) => prop_assert!(status.is_success()),
        Err(other) => prop_assert!(false, "unexpected error kind: {other:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsing_is_total_and_keeps_the_status(
        status in 100u16..600,
        body in body(),
        location in proptest::option::of("[ -~]{0,40}"),
    ) {
        let status = StatusCode::from_u16(status).unwrap();
        let response = || {
            let mut builder = http::Response::builder().status(status);
            if let Some(location) = &location {
                builder = builder.header("location", location.as_str());
            }
            builder.body(body.clone()).unwrap()
        };
        let config = config();
        check_outcome(&config.parse(&ListConversations::all(), response()), status)?;
        check_outcome(&config.parse(&GetConversation::new(1), response()), status)?;
        check_outcome(&config.parse(&CreateConversation::new(1, "x"), response()), status)?;
        let mut pages = Paginator::new(config, &ListConversations::all());
        check_outcome(&pages.process(response()), status)?;
    }

    #[test]
    fn path_segments_and_query_values_round_trip(id in "\\PC{1,24}", filter in "\\PC{0,24}") {
        let endpoint = ByCustomId { id: id.clone(), filter: filter.clone() };
        let built = config().url(&endpoint);
        if matches!(id.as_str(), "." | "..") {
            prop_assert!(matches!(built, Err(Error::InvalidInput(_))));
            return Ok(());
        }
        let url = built.unwrap();
        let segments: Vec<&str> = url.path_segments().unwrap().collect();
        prop_assert_eq!(segments.len(), 7, "{}", url);
        prop_assert_eq!(&segments[..4], &["proxy", "api", "public", "users-by-id"]);
        prop_assert_eq!(&segments[5..], &["events", ""]);
        let decoded = percent_encoding::percent_decode_str(segments[4]).decode_utf8().unwrap();
        prop_assert_eq!(decoded.as_ref(), id.as_str());
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        prop_assert_eq!(query, vec![("name__contains".to_owned(), filter)]);
        // And the http crate accepts it as a request URI.
        prop_assert!(config().request(&endpoint).is_ok());
    }
}

/// What page `i` says about its successor.
#[derive(Debug, Clone)]
enum Next {
    End,
    /// An absolute link to page `i + 1` on the real host (re-rooted onto the proxy).
    Forward,
    /// A relative link to page `i + 1`.
    Relative,
    /// A link back to an earlier page (or the same one).
    Back(usize),
    /// A link outside the API root.
    Foreign,
}

fn next_plan() -> impl Strategy<Value = Vec<Next>> {
    prop::collection::vec(
        prop_oneof![
            1 => Just(Next::End),
            6 => Just(Next::Forward),
            2 => Just(Next::Relative),
            1 => (0usize..20).prop_map(Next::Back),
            1 => Just(Next::Foreign),
        ],
        1..20,
    )
}

/// The query of page `index` (0 is the first), numbered as Django REST Framework numbers
/// pages: the first has no parameter, the second is `?page=2`.
fn page_query(index: usize) -> String {
    if index == 0 {
        String::new()
    } else {
        format!("?page={}", index + 1)
    }
}

proptest! {
    #[test]
    fn paginator_terminates_never_repeats_and_stays_home(plan in next_plan()) {
        let config = config();
        let home = config.base_url().clone();
        let mut pages = Paginator::new(config, &ListConversations::all());
        let mut requested = HashSet::new();
        let mut steps = 0;
        let mut index = 0;
        let outcome = loop {
            // A loop or a foreign link is reported after the page that carried it arrived.
            let request = match pages.next_request() {
                Ok(Some(request)) => request,
                Ok(None) => break Ok(()),
                Err(error) => break Err((index, error)),
            };
            steps += 1;
            prop_assert!(steps <= plan.len(), "more requests than pages");
            let uri = request.uri().to_string();
            prop_assert!(requested.insert(uri.clone()), "requested twice: {}", uri);
            prop_assert_eq!(request.uri().host(), home.host_str());
            prop_assert_eq!(request.uri().port_u16(), home.port());
            prop_assert!(uri.starts_with(home.as_str()), "{} left {}", uri, home);
            index = request
                .uri()
                .query()
                .and_then(|q| q.strip_prefix("page="))
                .map_or(0, |n| n.parse::<usize>().unwrap() - 1);
            let link = match plan[index] {
                Next::End => None,
                Next::Forward | Next::Relative if index + 1 >= plan.len() => None,
                Next::Forward => Some(format!(
                    "https://acme.user.com/api/public/conversations/{}",
                    page_query(index + 1)
                )),
                Next::Relative => Some(page_query(index + 1)),
                Next::Back(target) => Some(format!(
                    "https://acme.user.com/api/public/conversations/{}",
                    page_query(target.min(index))
                )),
                Next::Foreign => Some("https://elsewhere.example/conversations/?page=9".to_owned()),
            };
            let item = serde_json::json!({"id": index, "user": {"id": 1}, "active": true, "messages": 1});
            let body = serde_json::json!({"next": link, "previous": null, "results": [item]});
            let page = pages.process(http::Response::new(body.to_string()));
            prop_assert_eq!(page.map(|page| page.results.len()).ok(), Some(1));
        };
        match outcome {
            Ok(()) => prop_assert!(pages.is_done()),
            Err((index, Error::Pagination(PaginationError::Loop { .. }))) => {
                prop_assert!(matches!(plan[index], Next::Back(_)));
            }
            Err((index, Error::Pagination(PaginationError::ForeignNext { .. }))) => {
                prop_assert!(matches!(plan[index], Next::Foreign));
            }
            Err((_, other)) => prop_assert!(false, "unexpected error {other}"),
        }
    }
}

/// One attempt's outcome, for the retry properties.
#[derive(Debug, Clone)]
enum Attempt {
    Status(u16, Option<String>),
    Transport(usercom_core::TransportErrorKind),
}

fn attempt() -> impl Strategy<Value = Attempt> {
    use usercom_core::TransportErrorKind as Kind;
    let retry_after = proptest::option::of(prop_oneof![
        (0u64..200).prop_map(|s| s.to_string()),
        Just("Tue, 14 Nov 2023 22:14:05 GMT".to_owned()),
        Just("Wed, 15 Nov 2023 22:14:05 GMT".to_owned()),
        Just("garbage".to_owned()),
    ]);
    prop_oneof![
        (
            prop_oneof![
                Just(429u16),
                Just(500),
                Just(502),
                Just(503),
                Just(504),
                200u16..600
            ],
            retry_after
        )
            .prop_map(|(status, after)| Attempt::Status(status, after)),
        prop_oneof![
            Just(Kind::Connect),
            Just(Kind::Timeout),
            Just(Kind::Io),
            Just(Kind::BodyTooLarge),
            Just(Kind::Dns),
            Just(Kind::Tls),
            Just(Kind::Protocol)
        ]
        .prop_map(Attempt::Transport),
    ]
}

proptest! {
    #[test]
    fn retries_stay_within_their_bounds(
        attempts in prop::collection::vec(attempt(), 1..40),
        max_attempts in 1u32..8,
        base_ms in 0u64..2_000,
        max_delay_s in 0u64..90,
        max_total_s in 0u64..300,
        post in any::<bool>(),
        seed in any::<u64>(),
    ) {
        use std::time::Duration;
        use usercom_core::{Decision, Outcome, Retry, RetryPolicy};
        let policy = RetryPolicy::default()
            .max_attempts(max_attempts)
            .base_delay(Duration::from_millis(base_ms))
            .max_delay(Duration::from_secs(max_delay_s))
            .max_total_wait(Duration::from_secs(max_total_s))
            .seed(seed);
        let method = if post { Method::POST } else { Method::GET };
        let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let mut retry = Retry::new(policy, &method, 0);
        let mut total = Duration::ZERO;
        let mut made = 0;
        for attempt in &attempts {
            made += 1;
            let mut headers = http::HeaderMap::new();
            let outcome = match attempt {
                Attempt::Status(status, after) => {
                    if let Some(after) = after {
                        headers.insert("retry-after", after.parse().unwrap());
                    }
                    Outcome::Response { status: StatusCode::from_u16(*status).unwrap(), headers: &headers }
                }
                Attempt::Transport(kind) => Outcome::Transport(*kind),
            };
            match retry.decide(outcome, now, None) {
                Decision::RetryAfter(wait) => {
                    total += wait;
                    prop_assert!(wait <= policy.max_delay, "{wait:?}");
                    if post {
                        // A POST is retried only when the server said it did not process it,
                        // or when it provably never left (no connection).
                        let told = matches!(
                            attempt,
                            Attempt::Status(429, _)
                                | Attempt::Status(503, Some(_))
                                | Attempt::Transport(usercom_core::TransportErrorKind::Connect)
                        );
                        prop_assert!(told, "POST retried after {attempt:?}");
                    }
                }
                Decision::Stop(_) => break,
            }
        }
        prop_assert!(made <= max_attempts as usize, "{made} attempts of {max_attempts}");
        prop_assert!(total <= policy.max_total_wait, "{total:?}");
        prop_assert_eq!(retry.waited(), total);
    }
}
