//! The objects of the API documentation's examples, and those the command line's help and
//! the README name, so that every documented command finds what it names on
//! `usercom --demo` (see [`crate::FakeOptions::examples`]).
//!
//! They are fixed items of the store (ids below the seeded ones, listed in id order with
//! them): conversation 339461 (the documentation's, with its agent's message) of user
//! 11768499 (Jane Doe); user 2039 (`user@email.com`) and its conversations 3 to 6; user 42
//! (custom id `user@123`, `someone@example.com`) and tag 42 (`premium`), which the help's
//! examples change and delete.

use serde_json::{Value, json};

use crate::api::users;
use crate::store::Store;

/// A user in the stored shape, every custom attribute unset.
fn user(
    id: i64,
    key: &str,
    email: &str,
    names: Option<(&str, &str)>,
    custom_id: Option<&str>,
) -> Value {
    let name = names.map_or_else(
        || email.to_owned(),
        |(first, last)| format!("{first} {last}"),
    );
    let mut user = json!({
        "id": id,
        "user_key": key,
        "custom_id": custom_id,
        "email": email,
        "first_name": names.map(|n| n.0),
        "last_name": names.map(|n| n.1),
        "name": name,
        "status": "user",
        "gender": "unknown",
        "score": 0,
        "page_views": 3,
        "phone_number": null,
        "unsubscribed": false,
        "notifications": true,
        "web_push_subscription": false,
        "browser_language": "en",
        "gravatar_url": null,
        "created_at": "2017-05-24T11:06:40Z",
        "updated_at": "2017-05-24T11:06:40Z",
        "first_seen": "2017-05-24T11:06:40Z",
        "last_seen": "2017-05-24T11:06:40Z",
        "lists": [],
        "tags": [],
        "companies": [],
    });
    if let Some(fields) = user.as_object_mut() {
        for (attribute, _, _, _) in users::ATTRIBUTES {
            fields.insert((*attribute).to_owned(), Value::Null);
        }
    }
    user
}

/// A conversation in the stored shape: `author` is `null` for the user, else the agent's id.
fn conversation(id: i64, user: i64, active: bool, messages: Value) -> Value {
    json!({"id": id, "user": user, "active": active, "agent": null, "messages": messages})
}

/// Adds the examples to `store`.
pub(crate) fn add(store: &mut Store) {
    let jane = user(
        11_768_499,
        "KQB9EPEd04Sx",
        "changed16@email.com",
        Some(("Jane", "Doe")),
        None,
    );
    let mut someone = user(
        42,
        "Xk2pQ9LmZr4T",
        "someone@example.com",
        Some(("Ada", "Lovelace")),
        Some("user@123"),
    );
    someone["tags"] = json!([42]);
    someone["plan"] = json!("basic");
    someone["seats"] = json!(3);
    for item in [
        user(2039, "I8REkrrhPWes", "user@email.com", None, None),
        jane,
        someone,
    ] {
        store.add_fixed("users", item);
    }
    users::remember(store, "user@123", 42);
    store.add_fixed("tags", json!({"id": 42, "name": "premium"}));

    // The documentation's conversation, its one message written by the agent.
    store.add_fixed(
        "conversations",
        conversation(
            339_461,
            11_768_499,
            true,
            json!([{
                "id": 790_087,
                "content": "Lorem ipsum dolor sit amet, consectetur adipiscing elit...",
                "source": "chat",
                "source_context": {},
                "timestamp": "2017-05-24T11:06:40.378842Z",
                "author": 382,
            }]),
        ),
    );
    // User 2039's conversations, as its listing in the documentation shows them.
    for (id, day) in [(3, 20), (4, 21), (5, 22), (6, 23)] {
        store.add_fixed(
            "conversations",
            conversation(
                id,
                2039,
                false,
                json!([{
                    "id": 790_000 + id,
                    "content": "Hello, I have a question about my order.",
                    "source": "chat",
                    "source_context": {},
                    "timestamp": format!("2017-05-{day}T09:30:00Z"),
                    "author": null,
                }]),
            ),
        );
    }
}
