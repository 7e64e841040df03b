//! Conversations: live-chat, email and API threads with a user.
//!
//! `GET conversations/` (`?status=true` for open ones only), `GET users/{user_id}/conversations/`,
//! `GET conversations/{id}/` (the object wrapped in `results`), and
//! `POST users/{user_id}/conversations/`, which starts one with a first message.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::api::{Group, users};
use crate::fields::{Field, validate};
use crate::handlers::{get, list, param_is, query_flag};
use crate::reply::Reply;
use crate::routing::{Call, Route};
use crate::seed::{Draw, after, epoch, timestamp_text};
use crate::store::{Collection, Order, Store};

/// The conversations group.
pub(crate) static GROUP: Group = Group {
    collections: &[&CONVERSATIONS],
    routes,
};

/// The conversations, newest (highest id) first.
pub(crate) static CONVERSATIONS: Collection = Collection {
    name: "conversations",
    item_name: "conversation",
    first_id: 700_000,
    order: Order::NewestFirst,
    default_size: |_| 250,
    generate: conversation,
    fields: FIELDS,
};

/// The channels of messages: the code a create takes, the name reads show.
const SOURCES: &[(i64, &str)] = &[
    (1, "chat"),
    (2, "email"),
    (3, "api"),
    (4, "sms"),
    (5, "slack"),
];

/// What starting a conversation takes: `user` is the agent who writes the first message.
const FIELDS: &[Field] = &[
    Field::text("content").required(),
    Field::primary_key("user").nullable(),
    Field::choice("source", SOURCES).nullable(),
    Field::json("source_context").nullable(),
];

fn routes() -> Vec<Route> {
    vec![
        Route::get(
            "conversations/",
            list("conversations")
                .filter(query_flag("status", "active"))
                .view(summary),
        ),
        Route::get(
            "conversations/{id}/",
            get("conversations").view(detail).wrapped(),
        ),
        Route::get(
            "users/{user_id}/conversations/",
            list("conversations")
                .within("users", "user_id")
                .filter(param_is("user", "user_id"))
                .filter(query_flag("status", "active"))
                .view(summary),
        ),
        Route::post("users/{user_id}/conversations/", start),
    ]
}

/// The agent who answers in the seeded conversations.
const AGENT_ID: i64 = 382;
const AGENT_EMAIL: &str = "agent@example.com";
const AGENT_NAME: &str = "Agent Name";
const FIRST_MESSAGE_ID: i64 = 5_000_001;
const CONTENTS: &[&str] = &[
    "Hello, I have a question about my order.",
    "Hi <b>user</b>, enjoy our product!",
    "Zażółć gęślą jaźń — czy mogę zmienić adres?",
    "ご注文ありがとうございます。",
    "<p>Thanks!<br>We&#39;ll get back to you &amp; your team soon.</p>",
    "Can you send the invoice again? 🙏",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit...",
];

/// The id of message `m` of the conversation at `index`: each conversation has room for 8.
fn message_id(index: u64, m: u64) -> i64 {
    let slot = index.saturating_mul(8).saturating_add(m);
    FIRST_MESSAGE_ID.saturating_add(i64::try_from(slot).unwrap_or(i64::MAX))
}

/// A seeded conversation, as stored: `user` is the user's id; each message's `author` is
/// `null` for the user, or the id of the agent who wrote it.
fn conversation(draw: &mut Draw<'_>) -> Value {
    let index = draw.index();
    let user = draw.pick_id("users");
    // An hour apart, more or less; past twenty million the calendar starts over.
    let seconds = i64::try_from(index % 20_000_000).unwrap_or(0) * 3_671;
    let opened = after(epoch(), seconds);
    let count = 1 + draw.rng.below(5);
    let mut messages = Vec::new();
    for m in 0..count {
        let step = i64::try_from(m).unwrap_or(0) * 97;
        let at = draw.rng.maybe_micros(after(opened, step));
        let context = if draw.rng.chance(1, 3) {
            json!({"name": "seeded context", "id": m})
        } else {
            json!({})
        };
        messages.push(json!({
            "id": message_id(index, m),
            "content": draw.rng.pick(CONTENTS),
            "source": draw.rng.pick(SOURCES).1,
            "source_context": context,
            "timestamp": timestamp_text(at),
            "author": if m % 2 == 0 { Value::Null } else { Value::from(AGENT_ID) },
        }));
    }
    json!({
        "id": draw.id(),
        "user": user,
        "active": draw.rng.chance(1, 3),
        "agent": null,
        "messages": messages,
    })
}

/// The list and create shape: messages are counted.
fn summary(store: &Store, conversation: &Value) -> Value {
    let messages = conversation
        .get("messages")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    json!({
        "id": conversation.get("id"),
        "user": users::reference(store, conversation.get("user").unwrap_or(&Value::Null)),
        "active": conversation.get("active"),
        "agent": conversation.get("agent"),
        "messages": messages,
    })
}

/// The detail shape: messages in full, each with its author.
fn detail(store: &Store, conversation: &Value) -> Value {
    let user = users::reference(store, conversation.get("user").unwrap_or(&Value::Null));
    let messages: Vec<Value> = conversation
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|message| {
            let author = match message.get("author").and_then(Value::as_i64) {
                None => user.clone(),
                Some(agent) => {
                    json!({"key": null, "id": agent, "email": AGENT_EMAIL, "name": AGENT_NAME})
                }
            };
            json!({
                "user": author,
                "content": message.get("content"),
                "chat": conversation.get("id"),
                "source": message.get("source"),
                "source_context": message.get("source_context"),
                "id": message.get("id"),
                "timestamp": message.get("timestamp"),
            })
        })
        .collect();
    json!({
        "active": conversation.get("active"),
        "messages": messages,
        "user": user,
        "id": conversation.get("id"),
        "agent": conversation.get("agent"),
    })
}

/// `POST users/{user_id}/conversations/`: a new open conversation whose first message the
/// agent `user` (or the account's agent) writes; 201 with its summary.
fn start(call: &Call<'_>, store: &mut Store) -> Reply {
    let body = match call.json_object() {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let fields = match validate(FIELDS, &body, None) {
        Ok(fields) => fields,
        Err(errors) => return Reply::invalid(errors),
    };
    let Some(user) = call
        .id("user_id")
        .filter(|id| store.get("users", *id).is_some())
    else {
        return Reply::not_found();
    };
    let Some(id) = store.next_id("conversations") else {
        return Reply::broken("no conversations collection");
    };
    let index = u64::try_from(id - CONVERSATIONS.first_id).unwrap_or(0);
    let given = |name: &str| fields.get(name).filter(|v| !v.is_null()).cloned();
    let message = json!({
        "id": message_id(index, 0),
        "content": given("content"),
        "source": given("source").unwrap_or_else(|| Value::from("api")),
        "source_context": given("source_context").unwrap_or_else(|| json!({})),
        "timestamp": timestamp_text(call.now),
        "author": given("user").unwrap_or_else(|| Value::from(AGENT_ID)),
    });
    let mut conversation = Map::new();
    conversation.insert("user".to_owned(), Value::from(user));
    conversation.insert("active".to_owned(), Value::Bool(true));
    conversation.insert("agent".to_owned(), Value::Null);
    conversation.insert("messages".to_owned(), Value::Array(vec![message]));
    match store.create("conversations", conversation) {
        Some(created) => Reply::json(StatusCode::CREATED, summary(store, &created)),
        None => Reply::broken("no conversations collection"),
    }
}
