//! Conversations: live-chat, email and API threads with a user.
//!
//! | operation | request |
//! |---|---|
//! | [`ListConversations`] | `GET /conversations/` or `GET /users/{user_id}/conversations/`, `?status=true` for open only |
//! | [`GetConversation`] | `GET /conversations/{id}/` (the object arrives wrapped in `results`) |
//! | [`CreateConversation`] | `POST /users/{user_id}/conversations/` |

use std::fmt;

use http::{Method, StatusCode};
use jiff::Timestamp;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::endpoint::{Endpoint, PagedEndpoint, Path, Query, decode_json, json_body};
use crate::{Error, Page};

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/// A reference to a person: the user a conversation is with, or a message's author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "UserRefWire")]
#[non_exhaustive]
pub struct UserRef {
    /// Numeric user id.
    pub id: i64,
    /// Email address, when known.
    pub email: Option<String>,
    /// Display name; User.com makes up two-word names ("Ivory Caribou") for anonymous visitors.
    pub name: Option<String>,
    /// The user key (the `__ca__chat` cookie value); `None` for agents. Read from `key`
    /// (as the API sends it today) or `user_key`.
    pub key: Option<String>,
}

#[derive(Deserialize)]
struct UserRefWire {
    id: i64,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    user_key: Option<String>,
}

impl From<UserRefWire> for UserRef {
    fn from(wire: UserRefWire) -> Self {
        Self {
            id: wire.id,
            email: wire.email,
            name: wire.name,
            key: wire.user_key.or(wire.key),
        }
    }
}

/// The agent a conversation is assigned to.
///
/// The documentation never shows a non-null agent, so every field is optional and a bare
/// numeric id is accepted too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "AgentWire")]
#[non_exhaustive]
pub struct AgentRef {
    /// Numeric agent id.
    pub id: Option<i64>,
    /// Email address.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AgentWire {
    Id(i64),
    Object {
        #[serde(default)]
        id: Option<i64>,
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        name: Option<String>,
    },
}

impl From<AgentWire> for AgentRef {
    fn from(wire: AgentWire) -> Self {
        match wire {
            AgentWire::Id(id) => Self {
                id: Some(id),
                email: None,
                name: None,
            },
            AgentWire::Object { id, email, name } => Self { id, email, name },
        }
    }
}

/// A conversation as listed and as returned by create: messages are only counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConversationSummary {
    /// Conversation id.
    pub id: i64,
    /// The user the conversation is with.
    pub user: UserRef,
    /// Whether the conversation is open.
    pub active: bool,
    /// The assigned agent, if any.
    #[serde(default)]
    pub agent: Option<AgentRef>,
    /// How many messages the conversation has.
    pub messages: u64,
}

/// A conversation with its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConversationDetail {
    /// Conversation id.
    pub id: i64,
    /// The user the conversation is with.
    pub user: UserRef,
    /// Whether the conversation is open.
    pub active: bool,
    /// The assigned agent, if any.
    #[serde(default)]
    pub agent: Option<AgentRef>,
    /// The messages, oldest first as the API sends them.
    #[serde(default)]
    pub messages: Vec<Message>,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// Message id.
    pub id: i64,
    /// The conversation it belongs to.
    pub chat: i64,
    /// The content as sent: plain text or HTML.
    pub content: String,
    /// Where the message came from.
    pub source: MessageSource,
    /// Free-form context the sender attached (only visible to the account).
    #[serde(default)]
    pub source_context: Value,
    /// When it was sent.
    pub timestamp: Timestamp,
    /// The author: an agent (`key` is `None`) or the user.
    #[serde(default)]
    pub user: Option<UserRef>,
}

/// The channel of a message, as sent when creating a conversation (an integer 1 to 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Live chat (1).
    Chat,
    /// Email (2).
    Email,
    /// The API (3).
    Api,
    /// SMS (4).
    Sms,
    /// Slack (5).
    Slack,
}

impl Source {
    /// Every source, in code order.
    pub const ALL: [Source; 5] = [
        Source::Chat,
        Source::Email,
        Source::Api,
        Source::Sms,
        Source::Slack,
    ];

    /// The integer the API takes on write.
    pub fn code(self) -> u8 {
        match self {
            Source::Chat => 1,
            Source::Email => 2,
            Source::Api => 3,
            Source::Sms => 4,
            Source::Slack => 5,
        }
    }

    /// The name the API returns on read, such as `"chat"`.
    pub fn name(self) -> &'static str {
        match self {
            Source::Chat => "chat",
            Source::Email => "email",
            Source::Api => "api",
            Source::Sms => "sms",
            Source::Slack => "slack",
        }
    }

    /// The source with this code.
    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| i64::from(s.code()) == code)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Source {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                Error::invalid_input(format!(
                    "{text:?} is not a message source (expected one of chat, email, api, sms, slack)"
                ))
            })
    }
}

/// The source of a received message: a known [`Source`], or a name this SDK does not know yet.
///
/// Read from a name (`"chat"`, any case) or a code (`1`); serialised as the name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MessageSource {
    /// One of the documented sources.
    Known(Source),
    /// Anything else, kept as sent.
    Other(String),
}

impl MessageSource {
    /// The name, as the API sends it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Known(source) => source.name(),
            Self::Other(name) => name,
        }
    }

    /// The documented source, if it is one.
    pub fn known(&self) -> Option<Source> {
        match self {
            Self::Known(source) => Some(*source),
            Self::Other(_) => None,
        }
    }
}

impl fmt::Display for MessageSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for MessageSource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MessageSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SourceVisitor;

        impl Visitor<'_> for SourceVisitor {
            type Value = MessageSource;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a message source name or code")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<MessageSource, E> {
                Ok(text.parse().map_or_else(
                    |_| MessageSource::Other(text.to_owned()),
                    MessageSource::Known,
                ))
            }

            fn visit_i64<E: de::Error>(self, code: i64) -> Result<MessageSource, E> {
                Ok(Source::from_code(code).map_or_else(
                    || MessageSource::Other(code.to_string()),
                    MessageSource::Known,
                ))
            }

            fn visit_u64<E: de::Error>(self, code: u64) -> Result<MessageSource, E> {
                match i64::try_from(code) {
                    Ok(code) => self.visit_i64(code),
                    Err(_) => Ok(MessageSource::Other(code.to_string())),
                }
            }
        }

        deserializer.deserialize_any(SourceVisitor)
    }
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/// List conversations: all of the account's, or one user's; optionally only open ones.
///
/// ```
/// use usercom_core::{Config, conversations::ListConversations};
///
/// let config = Config::for_subdomain("acme", "secret").unwrap();
/// let request = config.request(&ListConversations::for_user(42).open_only(true)).unwrap();
/// assert_eq!(
///     request.uri(),
///     "https://acme.user.com/api/public/users/42/conversations/?status=true"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListConversations {
    /// Only open conversations (`?status=true`).
    #[serde(default)]
    pub open_only: bool,
    /// Only this user's conversations.
    #[serde(default)]
    pub user_id: Option<i64>,
}

impl ListConversations {
    /// All conversations of the account.
    pub fn all() -> Self {
        Self::default()
    }

    /// One user's conversations.
    pub fn for_user(user_id: i64) -> Self {
        Self {
            open_only: false,
            user_id: Some(user_id),
        }
    }

    /// Only open conversations (`true`) or all (`false`, the default).
    pub fn open_only(mut self, open_only: bool) -> Self {
        self.open_only = open_only;
        self
    }
}

impl Endpoint for ListConversations {
    type Output = Page<ConversationSummary>;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path(&self) -> Path {
        match self.user_id {
            Some(user_id) => Path::new("users").id(user_id).then("conversations"),
            None => Path::new("conversations"),
        }
    }

    fn query(&self) -> Query {
        let mut query = Query::default();
        if self.open_only {
            query.push("status", "true");
        }
        query
    }

    fn decode(status: StatusCode, body: &[u8]) -> Result<Self::Output, Error> {
        decode_json(status, body)
    }
}

impl PagedEndpoint for ListConversations {
    type Item = ConversationSummary;
}

/// Get one conversation with its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GetConversation {
    /// Conversation id.
    pub id: i64,
}

impl GetConversation {
    /// The conversation with this id.
    pub fn new(id: i64) -> Self {
        Self { id }
    }
}

/// The detail endpoint wraps its single object in a page-like envelope.
#[derive(Deserialize)]
struct Wrapped<T> {
    results: T,
}

impl Endpoint for GetConversation {
    type Output = ConversationDetail;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path(&self) -> Path {
        Path::new("conversations").id(self.id)
    }

    fn decode(status: StatusCode, body: &[u8]) -> Result<Self::Output, Error> {
        decode_json::<Wrapped<ConversationDetail>>(status, body).map(|wrapped| wrapped.results)
    }
}

/// Start a conversation with a user by sending a first message.
///
/// ```
/// use usercom_core::{Config, conversations::{CreateConversation, Source}};
///
/// let config = Config::for_subdomain("acme", "secret").unwrap();
/// let create = CreateConversation::new(42, "Hi <b>there</b>").source(Source::Email).agent(7);
/// let request = config.request(&create).unwrap();
/// assert_eq!(request.method(), "POST");
/// assert_eq!(
///     std::str::from_utf8(request.body()).unwrap(),
///     r#"{"content":"Hi <b>there</b>","user":7,"source":2}"#
/// );
/// assert!(config.request(&CreateConversation::new(42, "  ")).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateConversation {
    /// The user to talk to (numeric id).
    pub user_id: i64,
    /// The first message: plain text or HTML. Must not be empty.
    pub content: String,
    /// The agent who authors the message.
    #[serde(default)]
    pub agent: Option<i64>,
    /// The channel.
    #[serde(default)]
    pub source: Option<Source>,
    /// Free-form context, only visible to the account.
    #[serde(default)]
    pub source_context: Option<Value>,
}

impl CreateConversation {
    /// A conversation with `user_id`, starting with `content`.
    pub fn new(user_id: i64, content: impl Into<String>) -> Self {
        Self {
            user_id,
            content: content.into(),
            agent: None,
            source: None,
            source_context: None,
        }
    }

    /// The agent who authors the message.
    pub fn agent(mut self, agent_id: i64) -> Self {
        self.agent = Some(agent_id);
        self
    }

    /// The channel.
    pub fn source(mut self, source: Source) -> Self {
        self.source = Some(source);
        self
    }

    /// Free-form context (any JSON).
    pub fn source_context(mut self, context: Value) -> Self {
        self.source_context = Some(context);
        self
    }
}

#[derive(Serialize)]
struct CreateConversationBody<'a> {
    content: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_context: Option<&'a Value>,
}

impl Endpoint for CreateConversation {
    type Output = ConversationSummary;

    fn method(&self) -> Method {
        Method::POST
    }

    fn path(&self) -> Path {
        Path::new("users").id(self.user_id).then("conversations")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        if self.content.trim().is_empty() {
            return Err(Error::invalid_input(
                "the conversation content is empty; a conversation starts with a message",
            ));
        }
        json_body(&CreateConversationBody {
            content: &self.content,
            user: self.agent,
            source: self.source.map(Source::code),
            source_context: self.source_context.as_ref(),
        })
    }

    fn decode(status: StatusCode, body: &[u8]) -> Result<Self::Output, Error> {
        decode_json(status, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ref_accepts_key_and_user_key() {
        let old: UserRef = serde_json::from_str(r#"{"id": 1, "key": "abc"}"#).unwrap();
        let new: UserRef = serde_json::from_str(r#"{"id": 1, "user_key": "abc"}"#).unwrap();
        let both: UserRef =
            serde_json::from_str(r#"{"id": 1, "key": "old", "user_key": "abc"}"#).unwrap();
        for user in [&old, &new, &both] {
            assert_eq!(user.key.as_deref(), Some("abc"));
            assert_eq!(user.email, None);
        }
    }

    #[test]
    fn agent_forms() {
        let id: AgentRef = serde_json::from_str("382").unwrap();
        assert_eq!(id.id, Some(382));
        let object: AgentRef =
            serde_json::from_str(r#"{"id": 382, "name": "Agent", "extra": 1}"#).unwrap();
        assert_eq!(object.name.as_deref(), Some("Agent"));
    }

    #[test]
    fn message_source_names_and_codes() {
        let cases = [
            (r#""chat""#, MessageSource::Known(Source::Chat)),
            (r#""EMAIL""#, MessageSource::Known(Source::Email)),
            ("5", MessageSource::Known(Source::Slack)),
            (r#""whatsapp""#, MessageSource::Other("whatsapp".into())),
            ("9", MessageSource::Other("9".into())),
        ];
        for (json, expected) in cases {
            let source: MessageSource = serde_json::from_str(json).unwrap();
            assert_eq!(source, expected, "{json}");
        }
        assert_eq!(
            serde_json::to_string(&MessageSource::Known(Source::Sms)).unwrap(),
            r#""sms""#
        );
        assert!(serde_json::from_str::<MessageSource>("true").is_err());
    }

    #[test]
    fn source_parse_and_codes() {
        for (code, source) in (1..).zip(Source::ALL) {
            assert_eq!(source.code(), code);
            assert_eq!(source.name().parse::<Source>().unwrap(), source);
        }
        let err = "fax".parse::<Source>().unwrap_err();
        assert!(err.to_string().contains("\"fax\""), "{err}");
    }
}
