//! The seeded dataset: users, conversations and their messages.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

/// A small, fixed-output pseudo-random generator (SplitMix64), so that a seed always gives
/// the same dataset whatever crate versions are in use.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let index = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        items.get(index).copied().unwrap_or_default()
    }
}

const COLOURS: &[&str] = &[
    "Ivory", "Red", "Yellow", "Gray", "Blue", "Green", "Amber", "Coral", "Olive", "Teal",
];
const THINGS: &[&str] = &[
    "Caribou", "Pear", "Finger", "Leaf", "Otter", "Comet", "Fern", "Harbor", "Lantern", "Maple",
];
const FIRST: &[&str] = &[
    "Jane", "John", "Zofia", "Łukasz", "Amélie", "Yuki", "Omar", "Ines",
];
const LAST: &[&str] = &[
    "Doe", "Smith", "Kowalska", "Nowak", "Dubois", "Tanaka", "Haddad", "Silva",
];
const KEY_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const CONTENTS: &[&str] = &[
    "Hello, I have a question about my order.",
    "Hi <b>user</b>, enjoy our product!",
    "Zażółć gęślą jaźń — czy mogę zmienić adres?",
    "ご注文ありがとうございます。",
    "<p>Thanks!<br>We&#39;ll get back to you &amp; your team soon.</p>",
    "Can you send the invoice again? 🙏",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit...",
];
const SOURCES: &[&str] = &["chat", "email", "api", "sms", "slack"];

/// The agent who answers in the seeded conversations.
pub(crate) const AGENT_ID: i64 = 382;
const AGENT_EMAIL: &str = "agent@example.com";
const AGENT_NAME: &str = "Agent Name";

/// A user of the fake account.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) id: i64,
    pub(crate) email: Option<String>,
    pub(crate) name: String,
    pub(crate) key: String,
}

impl User {
    pub(crate) fn reference(&self) -> Value {
        json!({"id": self.id, "email": self.email, "name": self.name, "key": self.key})
    }
}

/// A message of a conversation.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) id: i64,
    pub(crate) content: String,
    pub(crate) source: String,
    pub(crate) source_context: Value,
    pub(crate) timestamp: Timestamp,
    /// `false` when an agent wrote it.
    pub(crate) from_user: bool,
}

/// A conversation of the fake account.
#[derive(Debug, Clone)]
pub(crate) struct Conversation {
    pub(crate) id: i64,
    pub(crate) user: usize,
    pub(crate) active: bool,
    pub(crate) messages: Vec<Message>,
}

/// Everything the fake account holds.
#[derive(Debug)]
pub(crate) struct Dataset {
    pub(crate) users: Vec<User>,
    /// Newest (highest id) first, the order listings use.
    pub(crate) conversations: Vec<Conversation>,
    next_message_id: i64,
}

const FIRST_USER_ID: i64 = 20_000_000;
const FIRST_CONVERSATION_ID: i64 = 700_000;
const FIRST_MESSAGE_ID: i64 = 5_000_000;

impl Dataset {
    pub(crate) fn generate(seed: u64, conversation_count: usize) -> Self {
        let mut rng = Rng::new(seed);
        let user_count = (conversation_count / 4).max(3);
        let users = (0..user_count)
            .map(|index| Self::user(&mut rng, index))
            .collect::<Vec<_>>();
        let start = Timestamp::from_second(1_495_624_000).unwrap_or_default();
        let mut next_message_id = FIRST_MESSAGE_ID;
        let mut conversations = Vec::with_capacity(conversation_count);
        for index in 0..conversation_count {
            let offset = i64::try_from(index).unwrap_or(i64::MAX);
            let id = FIRST_CONVERSATION_ID + offset;
            let user = usize::try_from(rng.below(users.len() as u64)).unwrap_or(0);
            let opened = start + SignedDuration::from_secs(offset * 3_671);
            let message_count = 1 + rng.below(5);
            let messages = (0..message_count)
                .map(|m| {
                    next_message_id += 1;
                    let at = opened + SignedDuration::from_secs(i64::try_from(m).unwrap_or(0) * 97);
                    // Some timestamps carry microseconds, as the real API's do.
                    let at = if rng.below(2) == 0 {
                        at + SignedDuration::from_micros(
                            i64::try_from(rng.below(1_000_000)).unwrap_or(0),
                        )
                    } else {
                        at
                    };
                    Message {
                        id: next_message_id,
                        content: rng.pick(CONTENTS).to_owned(),
                        source: rng.pick(SOURCES).to_owned(),
                        source_context: if rng.below(3) == 0 {
                            json!({"name": "seeded context", "id": m})
                        } else {
                            json!({})
                        },
                        timestamp: at,
                        from_user: m % 2 == 0,
                    }
                })
                .collect();
            conversations.push(Conversation {
                id,
                user,
                active: rng.below(3) == 0,
                messages,
            });
        }
        conversations.reverse();
        Self {
            users,
            conversations,
            next_message_id,
        }
    }

    fn user(rng: &mut Rng, index: usize) -> User {
        let id = FIRST_USER_ID + i64::try_from(index).unwrap_or(0);
        let key: String = (0..12)
            .map(|_| {
                let i = usize::try_from(rng.below(KEY_CHARS.len() as u64)).unwrap_or(0);
                char::from(KEY_CHARS.get(i).copied().unwrap_or(b'x'))
            })
            .collect();
        match rng.below(3) {
            // Anonymous visitors get a made-up two-word name and no email.
            0 => User {
                id,
                email: None,
                name: format!("{} {}", rng.pick(COLOURS), rng.pick(THINGS)),
                key,
            },
            // Some users are known only by their email, which is also their name.
            1 => {
                let email = format!("customer{id}@example.com");
                User {
                    id,
                    email: Some(email.clone()),
                    name: email,
                    key,
                }
            }
            _ => {
                let (first, last) = (rng.pick(FIRST), rng.pick(LAST));
                User {
                    id,
                    email: Some(format!("{}.{id}@example.com", ascii_lower(last))),
                    name: format!("{first} {last}"),
                    key,
                }
            }
        }
    }

    pub(crate) fn user_index(&self, id: i64) -> Option<usize> {
        self.users.iter().position(|user| user.id == id)
    }

    /// Adds a conversation that starts with one message and returns it.
    pub(crate) fn create(
        &mut self,
        user: usize,
        content: String,
        source: Option<&str>,
        source_context: Value,
        now: Timestamp,
    ) -> &Conversation {
        let id = self
            .conversations
            .first()
            .map_or(FIRST_CONVERSATION_ID, |newest| newest.id + 1);
        self.next_message_id += 1;
        let message = Message {
            id: self.next_message_id,
            content,
            source: source.unwrap_or("api").to_owned(),
            source_context,
            timestamp: now,
            from_user: false,
        };
        self.conversations.insert(
            0,
            Conversation {
                id,
                user,
                active: true,
                messages: vec![message],
            },
        );
        &self.conversations[0]
    }

    /// The list and create shape: messages are counted.
    pub(crate) fn summary(&self, conversation: &Conversation) -> Value {
        json!({
            "id": conversation.id,
            "user": self.user_ref(conversation.user),
            "active": conversation.active,
            "agent": null,
            "messages": conversation.messages.len(),
        })
    }

    /// The detail shape: messages in full.
    pub(crate) fn detail(&self, conversation: &Conversation) -> Value {
        let messages: Vec<Value> = conversation
            .messages
            .iter()
            .map(|message| {
                let author = if message.from_user {
                    self.user_ref(conversation.user)
                } else {
                    json!({"key": null, "id": AGENT_ID, "email": AGENT_EMAIL, "name": AGENT_NAME})
                };
                json!({
                    "user": author,
                    "content": message.content,
                    "chat": conversation.id,
                    "source": message.source,
                    "source_context": message.source_context,
                    "id": message.id,
                    "timestamp": timestamp_text(message.timestamp),
                })
            })
            .collect();
        json!({
            "active": conversation.active,
            "messages": messages,
            "user": self.user_ref(conversation.user),
            "id": conversation.id,
            "agent": null,
        })
    }

    fn user_ref(&self, index: usize) -> Value {
        self.users.get(index).map_or(Value::Null, User::reference)
    }
}

/// Timestamps as the API writes them: UTC, `Z`, microseconds only when there are any.
fn timestamp_text(at: Timestamp) -> String {
    let format = if at.subsec_nanosecond() == 0 {
        "%Y-%m-%dT%H:%M:%SZ"
    } else {
        "%Y-%m-%dT%H:%M:%S%.6fZ"
    };
    at.strftime(format).to_string()
}

fn ascii_lower(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = Dataset::generate(7, 50);
        let b = Dataset::generate(7, 50);
        let c = Dataset::generate(8, 50);
        let summaries = |d: &Dataset| {
            d.conversations
                .iter()
                .map(|c| d.detail(c))
                .collect::<Vec<_>>()
        };
        assert_eq!(summaries(&a), summaries(&b));
        assert_ne!(summaries(&a), summaries(&c));
    }

    #[test]
    fn ids_are_unique_and_newest_first() {
        let data = Dataset::generate(1, 300);
        let ids: Vec<i64> = data.conversations.iter().map(|c| c.id).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]));
        assert_eq!(ids.len(), 300);
    }

    #[test]
    fn timestamps_have_optional_fraction() {
        let whole = Timestamp::from_second(1_495_624_000).unwrap();
        assert_eq!(timestamp_text(whole), "2017-05-24T11:06:40Z");
        let micro = whole + SignedDuration::from_micros(378_842);
        assert_eq!(timestamp_text(micro), "2017-05-24T11:06:40.378842Z");
        let round = whole + SignedDuration::from_micros(378_800);
        assert_eq!(timestamp_text(round), "2017-05-24T11:06:40.378800Z");
    }
}
