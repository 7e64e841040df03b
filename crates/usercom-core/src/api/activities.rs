//! Activities: CRM tasks (calls, meetings, reminders) on users, companies and deals.
//!
//! | operation | request |
//! |---|---|
//! | [`ListActivities`] `activities.list` | `GET /activities/` |
//! | [`GetActivity`] `activities.get` | `GET /activities/{id}/` |
//! | [`CreateActivity`] `activities.create` | `POST /activities/` |
//! | [`UpdateActivity`] `activities.update` | `PUT /activities/{id}/` |
//! | [`DeleteActivity`] `activities.delete` | `DELETE /activities/{id}/` |
//!
//! Only the create is documented; list, get, update and delete follow the API's pattern.
//! The documented answer names the deal, user and company `deal`, `person` and `company`
//! and the time `datetime`, where the model table says `deal_id`, `user_id`, `company_id`
//! and `due_date`: an [`Activity`] reads either and writes back what came.

use http::Method;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::deals::{check_attributes, check_not_blank, fields_from};
use crate::endpoint::{Endpoint, PagedEndpoint, Path, json_body};
use crate::lossless::lossless_struct;
use crate::registry::{Column, Group, Registration, Tabular};
use crate::{Api, Error, Lenient, Page};

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

lossless_struct! {
    /// An activity, as the API returns it.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    pub struct Activity {
        /// Activity id.
        pub id: i64,
        /// Its type (an id of the account's activity types).
        #[serde(default)]
        pub activity_type: Option<i64>,
        /// Its title.
        #[serde(default)]
        pub name: Option<String>,
        /// The caller's own id for it.
        #[serde(default)]
        pub custom_id: Option<String>,
        /// When it is due, as the documented answer names it.
        #[serde(default)]
        pub datetime: Option<Timestamp>,
        /// When it is due, under the model table's name: ISO 8601, a timestamp when it is one,
        /// kept as sent either way.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub due_date: Option<Lenient<Timestamp>>,
        /// How long it takes (the documentation's example exceeds 32 bits).
        #[serde(default)]
        pub duration: Option<i64>,
        /// What it is about.
        #[serde(default)]
        pub description: Option<String>,
        /// The agent it is assigned to.
        #[serde(default)]
        pub assigned_to: Option<i64>,
        /// Its deal, as the documented answer names it (see [`Activity::deal_id`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deal: Option<i64>,
        /// Its deal, under the model table's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deal_id: Option<i64>,
        /// Its user, as the documented answer names it (see [`Activity::user_id`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub person: Option<i64>,
        /// Its user, under the model table's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub user_id: Option<i64>,
        /// Its company, as the documented answer names it (see [`Activity::company_id`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub company: Option<i64>,
        /// Its company, under the model table's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub company_id: Option<i64>,
        /// Whether it is done.
        #[serde(default)]
        pub done: Option<bool>,
        /// When it was done.
        #[serde(default)]
        pub done_date: Option<Timestamp>,
        /// The agent who created it.
        #[serde(default)]
        pub created_by: Option<i64>,
        /// When it was created.
        #[serde(default)]
        pub created_at: Option<Timestamp>,
        /// When it last changed.
        #[serde(default)]
        pub updated_at: Option<Timestamp>,
    }
    /// Custom attributes and every other field, as sent.
    extra
}

impl Activity {
    /// Its deal, under either name (`deal` or `deal_id`).
    pub fn deal_id(&self) -> Option<i64> {
        self.deal_id.or(self.deal)
    }

    /// Its user, under either name (`person` or `user_id`).
    pub fn user_id(&self) -> Option<i64> {
        self.user_id.or(self.person)
    }

    /// Its company, under either name (`company` or `company_id`).
    pub fn company_id(&self) -> Option<i64> {
        self.company_id.or(self.company)
    }

    /// When it is due, under either name, when it is a timestamp.
    pub fn due(&self) -> Option<Timestamp> {
        self.datetime
            .or_else(|| self.due_date.as_ref().and_then(Lenient::known).copied())
    }
}

impl Tabular for Activity {
    const COLUMNS: &'static [Column] = &[
        Column::new("id", "/id"),
        Column::new("activity_type", "/activity_type"),
        Column::new("name", "/name"),
        Column::new("datetime", "/datetime"),
        Column::new("done", "/done"),
        Column::new("assigned_to", "/assigned_to"),
        Column::new("deal", "/deal"),
        Column::new("person", "/person"),
    ];
}

/// What an activity is written with: every field optional (a create needs
/// `activity_type`, `name` and `due_date`), custom attributes beside them.
///
/// Its JSON form is the wire body: any key that is not a standard field is a custom
/// attribute (the API creates the ones that do not exist yet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct ActivityFields {
    /// Its type: the id of one of the account's activity types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_type: Option<i64>,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When it is due (RFC 3339, such as 2024-05-01T10:00:00Z).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub due_date: Option<Timestamp>,
    /// Your own id for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<String>,
    /// The agent it is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<i64>,
    /// Its company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<i64>,
    /// Its deal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_id: Option<i64>,
    /// Its user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// What it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether it is done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<bool>,
    /// How long it takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    /// Custom attributes, with their JSON types.
    #[serde(flatten)]
    pub attributes: Map<String, Value>,
}

/// The standard fields of [`ActivityFields`]: no custom attribute may take their names.
const ACTIVITY_FIELDS: &[&str] = &[
    "activity_type",
    "name",
    "due_date",
    "custom_id",
    "assigned_to",
    "company_id",
    "deal_id",
    "user_id",
    "description",
    "done",
    "duration",
];

impl ActivityFields {
    /// No field set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets its type.
    pub fn activity_type(mut self, activity_type: i64) -> Self {
        self.activity_type = Some(activity_type);
        self
    }

    /// Sets its title.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets when it is due.
    pub fn due_date(mut self, due: Timestamp) -> Self {
        self.due_date = Some(due);
        self
    }

    /// Sets your own id for it.
    pub fn custom_id(mut self, custom_id: impl Into<String>) -> Self {
        self.custom_id = Some(custom_id.into());
        self
    }

    /// Sets the agent it is assigned to.
    pub fn assigned_to(mut self, agent: i64) -> Self {
        self.assigned_to = Some(agent);
        self
    }

    /// Sets its deal.
    pub fn deal(mut self, deal_id: i64) -> Self {
        self.deal_id = Some(deal_id);
        self
    }

    /// Sets its user.
    pub fn user(mut self, user_id: i64) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// Sets its company.
    pub fn company(mut self, company_id: i64) -> Self {
        self.company_id = Some(company_id);
        self
    }

    /// Sets what it is about.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Marks it done or not.
    pub fn done(mut self, done: bool) -> Self {
        self.done = Some(done);
        self
    }

    /// Sets how long it takes.
    pub fn duration(mut self, duration: i64) -> Self {
        self.duration = Some(duration);
        self
    }

    /// Sets a custom attribute.
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    fn check(&self, for_create: bool) -> Result<(), Error> {
        if for_create {
            let missing: Vec<&str> = [
                ("activity_type", self.activity_type.is_none()),
                ("name", self.name.is_none()),
                ("due_date", self.due_date.is_none()),
            ]
            .into_iter()
            .filter_map(|(field, missing)| missing.then_some(field))
            .collect();
            if !missing.is_empty() {
                return Err(Error::invalid_input(format!(
                    "an activity is created with activity_type, name and due_date; missing: {}",
                    missing.join(", ")
                )));
            }
        }
        check_not_blank("name", self.name.as_deref())?;
        check_not_blank("custom_id", self.custom_id.as_deref())?;
        check_attributes("activity", &self.attributes, ACTIVITY_FIELDS)
    }
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/// List every activity of the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ListActivities {}

impl ListActivities {
    /// Every activity.
    pub fn new() -> Self {
        Self {}
    }
}

impl Endpoint for ListActivities {
    type Output = Page<Activity>;
    const NAME: &'static str = "activities.list";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["activities/"];

    fn path(&self) -> Path {
        Path::new("activities")
    }
}

impl PagedEndpoint for ListActivities {
    type Item = Activity;
}

/// Get one activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GetActivity {
    /// Activity id.
    pub id: i64,
}

impl GetActivity {
    /// The activity with this id.
    pub fn new(id: i64) -> Self {
        Self { id }
    }
}

impl Endpoint for GetActivity {
    type Output = Activity;
    const NAME: &'static str = "activities.get";
    const METHOD: Method = Method::GET;
    const PATHS: &'static [&'static str] = &["activities/{id}/"];

    fn path(&self) -> Path {
        Path::new("activities").id(self.id)
    }
}

/// Create an activity: `activity_type`, `name` and `due_date` are required; other keys are
/// custom attributes.
///
/// ```
/// use usercom_core::api::activities::CreateActivity;
/// use usercom_core::Config;
/// let config = Config::for_subdomain("acme", "secret").unwrap();
/// let due = "2024-05-01T10:00:00Z".parse().unwrap();
/// let create = CreateActivity::new(25946, "Call back", due);
/// let request = config.request(&create).unwrap();
/// assert_eq!(
///     request.body(),
///     br#"{"activity_type":25946,"name":"Call back","due_date":"2024-05-01T10:00:00Z"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "Map<String, Value>")]
#[schemars(!try_from)]
#[non_exhaustive]
pub struct CreateActivity {
    /// What the activity is created with.
    #[serde(flatten)]
    pub activity: ActivityFields,
}

impl CreateActivity {
    /// An activity of type `activity_type`, titled `name`, due at `due_date`.
    pub fn new(activity_type: i64, name: impl Into<String>, due_date: Timestamp) -> Self {
        Self {
            activity: ActivityFields::new()
                .activity_type(activity_type)
                .name(name)
                .due_date(due_date),
        }
    }

    /// An activity with these fields (they must include the three required ones).
    pub fn with(activity: ActivityFields) -> Self {
        Self { activity }
    }
}

impl Endpoint for CreateActivity {
    type Output = Activity;
    const NAME: &'static str = "activities.create";
    const METHOD: Method = Method::POST;
    const PATHS: &'static [&'static str] = &["activities/"];

    fn path(&self) -> Path {
        Path::new("activities")
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.activity.check(true)?;
        json_body(&self.activity)
    }
}

/// Update an activity: only the fields given change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "Map<String, Value>")]
#[schemars(!try_from)]
#[non_exhaustive]
pub struct UpdateActivity {
    /// Activity id.
    pub id: i64,
    /// What changes.
    #[serde(flatten)]
    pub activity: ActivityFields,
}

impl UpdateActivity {
    /// Activity `id`, with these fields.
    pub fn new(id: i64, activity: ActivityFields) -> Self {
        Self { id, activity }
    }
}

impl Endpoint for UpdateActivity {
    type Output = Activity;
    const NAME: &'static str = "activities.update";
    const METHOD: Method = Method::PUT;
    const PATHS: &'static [&'static str] = &["activities/{id}/"];

    fn path(&self) -> Path {
        Path::new("activities").id(self.id)
    }

    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        self.activity.check(false)?;
        json_body(&self.activity)
    }
}

/// Delete an activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DeleteActivity {
    /// Activity id.
    pub id: i64,
}

impl DeleteActivity {
    /// The activity with this id.
    pub fn new(id: i64) -> Self {
        Self { id }
    }
}

impl Endpoint for DeleteActivity {
    /// The body as sent: `null` for the usual empty 204.
    type Output = Value;
    const NAME: &'static str = "activities.delete";
    const METHOD: Method = Method::DELETE;
    const PATHS: &'static [&'static str] = &["activities/{id}/"];

    fn path(&self) -> Path {
        Path::new("activities").id(self.id)
    }
}

impl TryFrom<Map<String, Value>> for CreateActivity {
    type Error = String;

    fn try_from(args: Map<String, Value>) -> Result<Self, String> {
        fields_from(&Value::Object(args), ACTIVITY_FIELDS).map(Self::with)
    }
}

impl TryFrom<Map<String, Value>> for UpdateActivity {
    type Error = String;

    fn try_from(mut args: Map<String, Value>) -> Result<Self, String> {
        let id = args
            .remove("id")
            .ok_or_else(|| "missing field `id`".to_owned())?;
        let id = i64::deserialize(&id).map_err(|e| format!("`id`: {e}"))?;
        let activity = fields_from(&Value::Object(args), ACTIVITY_FIELDS)?;
        Ok(Self { id, activity })
    }
}

// ---------------------------------------------------------------------------------------------
// Registration and calls
// ---------------------------------------------------------------------------------------------

/// The activities group.
pub static GROUP: Group = Group {
    name: "activities",
    summary: "Activities: CRM tasks",
    operations: &[
        Registration::paged::<ListActivities>(),
        Registration::single::<GetActivity>(),
        Registration::single::<CreateActivity>(),
        Registration::single::<UpdateActivity>(),
        Registration::single::<DeleteActivity>(),
    ],
};

/// The activities calls of a client: `client.activities()`.
#[derive(Debug)]
pub struct Activities<'a, C>(pub(crate) &'a C);

impl<'a, C: Api> Activities<'a, C> {
    /// The first page of activities.
    pub fn list(&self) -> C::Call<'a, Page<Activity>> {
        self.0.call(ListActivities::new())
    }

    /// Every activity.
    pub fn all(&self) -> C::Items<Activity> {
        self.0.paginate(ListActivities::new())
    }

    /// One activity.
    pub fn get(&self, id: i64) -> C::Call<'a, Activity> {
        self.0.call(GetActivity::new(id))
    }

    /// Creates an activity.
    pub fn create(&self, create: CreateActivity) -> C::Call<'a, Activity> {
        self.0.call(create)
    }

    /// Updates an activity.
    pub fn update(&self, id: i64, activity: ActivityFields) -> C::Call<'a, Activity> {
        self.0.call(UpdateActivity::new(id, activity))
    }

    /// Deletes an activity; the answer is the body as sent (`null` when empty).
    pub fn delete(&self, id: i64) -> C::Call<'a, Value> {
        self.0.call(DeleteActivity::new(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use crate::api::DryRun;
    use crate::registry;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn each_call_sends_its_documented_request() {
        let client = DryRun::new(Config::for_subdomain("acme", "key").unwrap());
        let activities = client.activities();
        let root = "https://acme.user.com/api/public/";
        let full = ActivityFields::new()
            .activity_type(1)
            .name("Demo")
            .due_date(at("2024-05-01T10:00:00.5Z"))
            .custom_id("task/1")
            .assigned_to(398)
            .deal(12218)
            .user(20900530)
            .company(768)
            .description("Show the <b>new</b> plan")
            .done(false)
            .duration(2_147_483_648)
            .attribute("channel", "phone");
        let cases = [
            (activities.list(), "GET", "activities/", ""),
            (activities.all(), "GET", "activities/", ""),
            (activities.get(1200), "GET", "activities/1200/", ""),
            (
                activities.create(CreateActivity::with(full)),
                "POST",
                "activities/",
                r#"{"activity_type":1,"name":"Demo","due_date":"2024-05-01T10:00:00.5Z","custom_id":"task/1","assigned_to":398,"company_id":768,"deal_id":12218,"user_id":20900530,"description":"Show the <b>new</b> plan","done":false,"duration":2147483648,"channel":"phone"}"#,
            ),
            (
                activities.update(1200, ActivityFields::new().done(true)),
                "PUT",
                "activities/1200/",
                r#"{"done":true}"#,
            ),
            (activities.delete(1200), "DELETE", "activities/1200/", ""),
        ];
        for (request, method, path, body) in cases {
            let request = request.unwrap();
            assert_eq!(request.method(), method);
            assert_eq!(request.uri().to_string(), format!("{root}{path}"));
            assert_eq!(std::str::from_utf8(request.body()).unwrap(), body);
        }
    }

    #[test]
    fn required_fields_are_checked_before_sending() {
        let config = Config::for_subdomain("acme", "key").unwrap();
        let create = registry::find("activities.create").unwrap();
        let cases = [
            (
                serde_json::json!({"name": "x"}),
                "missing: activity_type, due_date",
            ),
            (
                serde_json::json!({"activity_type": 1, "due_date": "2024-05-01T10:00:00Z"}),
                "missing: name",
            ),
            (
                serde_json::json!({"activity_type": 1, "name": " ", "due_date": "2024-05-01T10:00:00Z"}),
                "`name` is empty",
            ),
            (
                serde_json::json!({"activity_type": 1, "name": "x", "due_date": "2024-05-01T10:00:00Z", "done": true, "duration": 5, "deal_id": 1, "user_id": 2, "company_id": 3, "assigned_to": 4, "description": "d", "custom_id": ""}),
                "`custom_id` is empty",
            ),
        ];
        for (args, expected) in cases {
            let op = create.build(args.clone()).unwrap();
            let error = op.request(&config).unwrap_err();
            assert!(error.to_string().contains(expected), "{args}: {error}");
        }
        let error = create
            .build(serde_json::json!({"activity_type": "call", "name": "x"}))
            .unwrap_err();
        assert!(error.to_string().contains("`activity_type`"), "{error}");
        let error = create
            .build(serde_json::json!({"activity_type": 1, "name": "x", "due_date": "tomorrow"}))
            .unwrap_err();
        assert!(error.to_string().contains("`due_date`"), "{error}");
        let clash = CreateActivity::with(
            ActivityFields::new()
                .activity_type(1)
                .name("x")
                .due_date(at("2024-05-01T10:00:00Z"))
                .attribute("done", true),
        );
        let error = config.request(&clash).unwrap_err();
        assert!(error.to_string().contains("`done`"), "{error}");
        // An update changes only what it names.
        let update = UpdateActivity::new(1, ActivityFields::new());
        assert_eq!(config.request(&update).unwrap().body(), b"{}");
    }

    #[test]
    fn both_names_of_deal_user_and_company_are_read_and_kept() {
        let documented: Activity = serde_json::from_value(serde_json::json!({
            "id": 1200, "activity_type": 1, "name": "string", "datetime": "2019-08-24T14:15:22Z",
            "duration": 2147483648_i64, "deal": 0, "person": 0, "company": 0, "done": true
        }))
        .unwrap();
        assert_eq!(documented.duration, Some(2_147_483_648));
        assert_eq!(
            (
                documented.deal_id(),
                documented.user_id(),
                documented.company_id()
            ),
            (Some(0), Some(0), Some(0))
        );
        let model: Activity = serde_json::from_value(serde_json::json!({
            "id": 1, "deal_id": 5, "user_id": 6, "company_id": 7,
            "due_date": "2024-05-01", "priority": "high"
        }))
        .unwrap();
        assert_eq!(
            (model.deal_id(), model.user_id(), model.company_id()),
            (Some(5), Some(6), Some(7))
        );
        assert_eq!(model.due(), None, "a date alone is kept, not a timestamp");
        assert_eq!(model.extra["priority"], "high");
        let again = serde_json::to_value(&model).unwrap();
        assert_eq!(again["due_date"], "2024-05-01");
        assert_eq!(again["deal_id"], 5);
        assert!(again.get("deal").is_none() && again.get("person").is_none());
        let due: Activity = serde_json::from_value(
            serde_json::json!({"id": 1, "due_date": "2024-05-01T10:00:00Z"}),
        )
        .unwrap();
        assert_eq!(due.due(), Some(at("2024-05-01T10:00:00Z")));
    }
}
