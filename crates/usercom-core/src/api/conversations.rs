//! Conversations: live-chat, email and API threads with a user.
//!
//! | operation | request |
//! |---|---|
//! | [`ListConversations`] `conversations.list` | `GET /conversations/` or `GET /users/{user_id}/conversations/`, `?status=true` for open only |
//! | [`GetConversation`] `conversations.get` | `GET /conversations/{id}/` (the object arrives wrapped in `results`) |
//! | [`CreateConversation`] `conversations.create` | `POST /users/{user_id}/conversations/` |

use std::fmt;

use http::Method;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::endpoint::{Endpoint, Envelope, PagedEndpoint, Path, Query, json_body_except};
use crate::registry::{Column, Group, Registration, Tabular};
use crate::{Api, Error, Lenient, Page};

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/// A reference to a person: the user a conversation is with, or a message's author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserRef {
    /// Numeric user id.
    pub id: i64,
    /// Email address, when known.
    #[serde(default)]
    pub email: Option<String>,
    /// Display name; User.com makes up two-word names ("Ivory Caribou") for anonymous visitors.
    #[serde(default)]
    pub name: Option<String>,
    /// The user key as the API sends it inside conversations today (`None` for agents).
    #[serde(default)]
    pub key: Option<String>,
    /// The user key under its v2 name, should the API send that instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_key: Option<String>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UserRef {
    /// The user key (the `__ca__chat` cookie value), under either name; `None` for agents.
    pub fn key(&self) -> Option<&str> {
        self.user_key.as_deref().or(self.key.as_deref())
    }
}

/// The agent a conversation is assigned to.
///
/// The documentation never shows a non-null agent, so both a bare numeric id and an object
/// are accepted, and kept in the form they came in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AgentRef {
    /// A bare agent id.
    Id(i64),
    /// An agent object.
    Agent(Agent),
}

/// An agent, as an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Agent {
    /// Numeric agent id.
    #[serde(default)]
    pub id: Option<i64>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<'de> Deserialize<'de> for AgentRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::lossless::id_or_object(deserializer, Self::Id, Self::Agent)
    }
}

impl AgentRef {
    /// The agent's id, when known.
    pub fn id(&self) -> Option<i64> {
        match self {
            Self::Id(id) => Some(*id),
            Self::Agent(agent) => agent.id,
        }
    }

    /// The agent's name, when known.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Id(_) => None,
            Self::Agent(agent) => agent.name.as_deref(),
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
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Tabular for ConversationSummary {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("active", "/active"),
        Column::new("messages", "/messages"),
        Column::new("user_id", "/user/id"),
        Column::new("user_email", "/user/email"),
        Column::new("user_name", "/user/name"),
        Column::new("user_key", "/user/key"),
        Column::new("agent_id", "/agent/id"),
    ];
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
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Tabular for ConversationDetail {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("active", "/active"),
        Column::new("user_id", "/user/id"),
        Column::new("user_name", "/user/name"),
        Column::new("user_email", "/user/email"),
        Column::new("agent_id", "/agent/id"),
    ];
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
    /// Where the message came from: a [`Source`] name (or code), or one this SDK does not
    /// know yet.
    pub source: Lenient<Source>,
    /// Free-form context the sender attached (only visible to the account).
    #[serde(default)]
    pub source_context: Value,
    /// When it was sent.
    pub timestamp: Timestamp,
    /// The author: an agent (`key` is `None`) or the user.
    #[serde(default)]
    pub user: Option<UserRef>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The channel of a message. Written as an integer 1 to 5; read as a name (`"chat"`, any
/// case) or a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase", try_from = "SourceWire")]
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

/// A source as accepted on input: a code (1 to 5) or a name.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum SourceWire {
    Code(i64),
    Name(String),
}

impl TryFrom<SourceWire> for Source {
    type Error = Error;

    fn try_from(wire: SourceWire) -> Result<Self, Error> {
        match wire {
            SourceWire::Code(code) => Self::from_code(code).ok_or_else(|| {
                Error::invalid_input(format!("{code} is not a message source code (1 to 5)"))
            }),
            SourceWire::Name(name) => name.parse(),
        }
    }
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListConversations {
    /// Only open conversations (`?status=true`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open_only: bool,
    /// Only this user's conversations (numeric user id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    const NAME: &'static str = "conversations.list";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["conversations/", "users/{user_id}/conversations/"];

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
}

impl PagedEndpoint for ListConversations {
    type Item = ConversationSummary;
}

/// Get one conversation with its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
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

impl Endpoint for GetConversation {
    type Output = ConversationDetail;
    const NAME: &'static str = "conversations.get";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["conversations/{id}/"];

    fn path(&self) -> Path {
        Path::new("conversations").id(self.id)
    }

    fn envelope(&self) -> Envelope {
        Envelope::Results
    }
}

/// Start a conversation with a user by sending a first message.
///
/// Its JSON arguments are its wire body plus the path's `user_id`: `user` is the agent who
/// authors the message and `source` the channel's code.
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
///     r#"{"content":"Hi <b>there</b>","source":2,"user":7}"#
/// );
/// assert!(config.request(&CreateConversation::new(42, "  ")).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateConversation {
    /// The user to talk to (numeric id).
    pub user_id: i64,
    /// The first message: plain text or HTML. Must not be empty.
    pub content: String,
    /// The agent who authors the message (numeric id).
    #[serde(rename = "user", default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<i64>,
    /// The channel: 1 chat, 2 email, 3 API, 4 SMS, 5 Slack (a name is accepted too).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "source_code"
    )]
    pub source: Option<Source>,
    /// Free-form context, only visible to the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_context: Option<Value>,
}

fn source_code<S: serde::Serializer>(
    source: &Option<Source>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    source.map(Source::code).serialize(serializer)
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

impl Endpoint for CreateConversation {
    type Output = ConversationSummary;
    const NAME: &'static str = "conversations.create";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["users/{user_id}/conversations/"];

    fn path(&self) -> Path {
        Path::new("users").id(self.user_id).then("conversations")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        if self.content.trim().is_empty() {
            return Err(Error::invalid_input(
                "the conversation content is empty; a conversation starts with a message",
            ));
        }
        json_body_except(self, &["user_id"])
    }
}

// ---------------------------------------------------------------------------------------------
// Registration and calls
// ---------------------------------------------------------------------------------------------

/// The conversations group.
pub static GROUP: Group = Group {
    name: "conversations",
    summary: "Conversations: list, read and start them",
    operations: &[
        Registration::paged::<ListConversations>(),
        Registration::single::<GetConversation>(),
        Registration::single::<CreateConversation>(),
    ],
};

/// The conversations calls of a client: `client.conversations()`.
#[derive(Debug)]
pub struct Conversations<'a, C>(pub(crate) &'a C);

impl<'a, C: Api> Conversations<'a, C> {
    /// One page of conversations: the first, with a `next` link to follow.
    pub fn list(&self, list: ListConversations) -> C::Call<'a, Page<ConversationSummary>> {
        self.0.call(list)
    }

    /// Every conversation of every page.
    pub fn all(&self, list: ListConversations) -> C::Items<ConversationSummary> {
        self.0.paginate(list)
    }

    /// One conversation with its messages.
    pub fn get(&self, id: i64) -> C::Call<'a, ConversationDetail> {
        self.0.call(GetConversation::new(id))
    }

    /// Starts a conversation with a user.
    pub fn create(&self, create: CreateConversation) -> C::Call<'a, ConversationSummary> {
        self.0.call(create)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ref_reads_key_and_user_key() {
        let old: UserRef = serde_json::from_str(r#"{"id": 1, "key": "abc"}"#).unwrap();
        let new: UserRef = serde_json::from_str(r#"{"id": 1, "user_key": "abc"}"#).unwrap();
        let both: UserRef =
            serde_json::from_str(r#"{"id": 1, "key": "old", "user_key": "abc"}"#).unwrap();
        for user in [&old, &new, &both] {
            assert_eq!(user.key(), Some("abc"));
            assert_eq!(user.email, None);
        }
    }

    #[test]
    fn agent_forms_are_kept_as_sent() {
        let id: AgentRef = serde_json::from_str("382").unwrap();
        assert_eq!(id.id(), Some(382));
        assert_eq!(serde_json::to_string(&id).unwrap(), "382");
        let object: AgentRef =
            serde_json::from_str(r#"{"id": 382, "name": "Agent", "extra": 1}"#).unwrap();
        assert_eq!(object.name(), Some("Agent"));
        let again = serde_json::to_value(&object).unwrap();
        assert_eq!(again["extra"], 1);
    }

    #[test]
    fn message_source_names_and_codes() {
        let cases = [
            (r#""chat""#, Some(Source::Chat)),
            (r#""EMAIL""#, Some(Source::Email)),
            ("5", Some(Source::Slack)),
            (r#""whatsapp""#, None),
            ("9", None),
            ("true", None),
        ];
        for (json, expected) in cases {
            let source: Lenient<Source> = serde_json::from_str(json).unwrap();
            assert_eq!(source.known(), expected.as_ref(), "{json}");
            assert_eq!(serde_json::to_string(&source).unwrap(), json, "as sent");
        }
        assert_eq!(serde_json::to_string(&Source::Sms).unwrap(), r#""sms""#);
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

    #[test]
    fn each_call_sends_its_documented_request() {
        let client = crate::api::DryRun::new(crate::Config::for_subdomain("acme", "key").unwrap());
        let calls = client.conversations();
        let root = "https://acme.user.com/api/public/";
        let cases = [
            (
                calls.list(ListConversations::all()),
                "GET",
                "conversations/",
                "",
            ),
            (
                calls.all(ListConversations::for_user(7).open_only(true)),
                "GET",
                "users/7/conversations/?status=true",
                "",
            ),
            (calls.get(339461), "GET", "conversations/339461/", ""),
            (
                calls.create(CreateConversation::new(7, "Hi").source(Source::Api)),
                "POST",
                "users/7/conversations/",
                r#"{"content":"Hi","source":3}"#,
            ),
        ];
        for (request, method, path, body) in cases {
            let request = request.unwrap();
            assert_eq!(request.method(), method);
            assert_eq!(request.uri().to_string(), format!("{root}{path}"));
            assert_eq!(std::str::from_utf8(request.body()).unwrap(), body);
        }
    }

    #[test]
    fn create_arguments_are_the_wire_body_plus_the_path() {
        let create = CreateConversation::new(42, "Hi")
            .agent(7)
            .source(Source::Sms);
        let args = serde_json::to_value(&create).unwrap();
        assert_eq!(
            args,
            serde_json::json!({"user_id": 42, "content": "Hi", "user": 7, "source": 4})
        );
        let back: CreateConversation = serde_json::from_value(args).unwrap();
        assert_eq!(back, create);
        let named: CreateConversation = serde_json::from_value(
            serde_json::json!({"user_id": 1, "content": "x", "source": "email"}),
        )
        .unwrap();
        assert_eq!(named.source, Some(Source::Email));
    }
}
