//! Request handling: one entry point that checks the request the way User.com does and
//! dispatches on the path.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    ACCEPT, ALLOW, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION, RETRY_AFTER,
    USER_AGENT, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, request::Parts};
use axum::response::Response;
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::{FakeState, Fault, KillSwitch, RecordedRequest};

const API_ROOT: &str = "/api/public/";
/// Request bodies larger than this are refused with 413.
const MAX_REQUEST_BODY: usize = 1 << 20;

/// The fake API as an axum router, for serving it on a listener of your own.
pub fn router(state: Arc<FakeState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

async fn handle(State(state): State<Arc<FakeState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_REQUEST_BODY).await;
    let fault = state.next_fault(parts.uri.path());
    let kill = parts.extensions.get::<KillSwitch>().cloned();
    let record = |status: u16, body: &[u8]| {
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        state.record(RecordedRequest {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            accept: header(ACCEPT),
            content_type: header(CONTENT_TYPE),
            user_agent: header(USER_AGENT),
            authorized: authorization(&state, &parts.headers) == Auth::Valid,
            body: String::from_utf8_lossy(body).into_owned(),
            status,
            fault: fault.clone(),
            connection: kill.as_ref().map_or(0, KillSwitch::connection),
        });
    };
    let Ok(body) = body else {
        record(413, b"");
        return Reply::detail(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request body exceeds the limit.",
        )
        .into_response();
    };
    match &fault {
        Some(Fault::ResetBeforeResponse) => {
            record(0, &body);
            if let Some(kill) = &kill {
                kill.pull();
            }
            // The connection is dropped under this future.
            std::future::pending::<()>().await;
        }
        Some(Fault::DelayBeforeHeaders(delay)) => tokio::time::sleep(*delay).await,
        _ => {}
    }
    let reply = match &fault {
        Some(
            planned @ (Fault::Status { .. }
            | Fault::Redirect(_)
            | Fault::InvalidUtf8
            | Fault::EchoAuthorization),
        ) => fault_reply(planned, &parts),
        _ => respond(&state, &parts, &body),
    };
    record(reply.status.as_u16(), &body);
    let (status, headers, payload) = reply.into_parts();
    let payload = match &fault {
        Some(Fault::Oversized(size)) => pad(payload, *size),
        _ => payload,
    };
    let (body, length) = match &fault {
        Some(Fault::DelayMidBody(delay)) => split_body(payload, Some(*delay)),
        Some(Fault::ResetMidBody) => split_body(payload, None),
        Some(Fault::TruncatedJson) => {
            let half = payload.len() / 2;
            (Body::from(payload[..half].to_vec()), half)
        }
        _ => {
            let length = payload.len();
            (Body::from(payload), length)
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    if status != StatusCode::MOVED_PERMANENTLY && status != StatusCode::FOUND {
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(length));
    }
    response
}

/// A body sent in two halves: with a pause between them, or with the connection failing
/// after the first (`pause` of `None`). The length announced is always the whole.
fn split_body(payload: Vec<u8>, pause: Option<std::time::Duration>) -> (Body, usize) {
    let length = payload.len();
    let mut first = Bytes::from(payload);
    let second = first.split_off(length / 2);
    let chunks = futures_util::stream::unfold(0_u8, move |step| {
        let (first, second) = (first.clone(), second.clone());
        async move {
            match (step, pause) {
                (0, _) => Some((Ok(first), 1)),
                (1, Some(pause)) => {
                    tokio::time::sleep(pause).await;
                    Some((Ok(second), 2))
                }
                (1, None) => {
                    // Let the head and the first half reach the client before failing.
                    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
                    Some((
                        Err(std::io::Error::new(
                            std::io::ErrorKind::ConnectionReset,
                            "fault plan: reset mid-body",
                        )),
                        2,
                    ))
                }
                _ => None,
            }
        }
    });
    (Body::from_stream(chunks), length)
}

/// A JSON object padded with a `padding` field to at least `size` bytes.
fn pad(payload: Vec<u8>, size: usize) -> Vec<u8> {
    let filler = "x".repeat(size.saturating_sub(payload.len()));
    match payload.strip_prefix(b"{") {
        Some(rest) => {
            let mut padded = format!("{{\"padding\":\"{filler}\",").into_bytes();
            if rest.starts_with(b"}") {
                padded.pop();
            }
            padded.extend_from_slice(rest);
            padded
        }
        None => payload,
    }
}

/// The answer a fault gives instead of the real one.
fn fault_reply(fault: &Fault, parts: &Parts) -> Reply {
    match fault {
        Fault::Status {
            status,
            retry_after,
            html,
        } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            let mut reply = if *html {
                Reply::html(
                    status,
                    format!(
                        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n\
                         <center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n\
                         </body>\r\n</html>\r\n",
                        code = status.as_u16()
                    ),
                )
            } else if status == StatusCode::TOO_MANY_REQUESTS {
                Reply::detail(status, "Request was throttled.")
            } else {
                Reply::detail(status, &format!("{reason}."))
            };
            if let Some(value) = retry_after {
                reply = reply.with_header(RETRY_AFTER, value.clone());
            }
            reply
        }
        Fault::Redirect(location) => {
            Reply::json(StatusCode::FOUND, Value::Null).with_header(LOCATION, location.clone())
        }
        Fault::InvalidUtf8 => {
            let mut body = br#"{"count": 1, "next": null, "previous": null, "results": [{"id": 1, "user": {"id": 1, "email": null, "name": ""#.to_vec();
            body.extend_from_slice(b"\xff\xfe broken");
            body.extend_from_slice(
                br#"", "key": null}, "active": true, "agent": null, "messages": 1}]}"#,
            );
            Reply::raw(StatusCode::OK, "application/json", body)
        }
        Fault::EchoAuthorization => {
            let echoed = parts
                .headers
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            Reply::detail(
                StatusCode::BAD_REQUEST,
                &format!("Malformed request header: Authorization: {echoed}"),
            )
        }
        // The other faults change the real answer rather than replace it.
        _ => Reply::detail(StatusCode::INTERNAL_SERVER_ERROR, "Server error."),
    }
}

/// A response before it is turned into HTTP.
struct Reply {
    status: StatusCode,
    headers: Vec<(axum::http::HeaderName, String)>,
    body: ReplyBody,
}

enum ReplyBody {
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

impl Reply {
    fn json(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: ReplyBody::Json(body),
        }
    }

    fn raw(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: ReplyBody::Raw(content_type, body),
        }
    }

    fn html(status: StatusCode, page: String) -> Self {
        Self::raw(status, "text/html", page.into_bytes())
    }

    fn detail(status: StatusCode, detail: &str) -> Self {
        Self::json(status, json!({ "detail": detail }))
    }

    fn not_found() -> Self {
        Self::detail(StatusCode::NOT_FOUND, "Not found.")
    }

    fn field_error(field: &str, message: String) -> Self {
        Self::json(StatusCode::BAD_REQUEST, json!({ field: [message] }))
    }

    fn with_header(mut self, name: axum::http::HeaderName, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    fn into_parts(self) -> (StatusCode, HeaderMap, Vec<u8>) {
        let redirect = self.status.is_redirection();
        let (content_type, body) = match self.body {
            _ if redirect => (None, Vec::new()),
            ReplyBody::Json(value) => (
                Some("application/json"),
                serde_json::to_vec(&value).unwrap_or_default(),
            ),
            ReplyBody::Raw(content_type, body) => (Some(content_type), body),
        };
        let mut headers = HeaderMap::new();
        if let Some(content_type) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        headers.insert("vary", HeaderValue::from_static("Accept"));
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.insert(name, value);
            }
        }
        (self.status, headers, body)
    }

    fn into_response(self) -> Response {
        let (status, headers, body) = self.into_parts();
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        response
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Auth {
    Missing,
    Invalid,
    Valid,
}

fn authorization(state: &FakeState, headers: &HeaderMap) -> Auth {
    match headers.get(AUTHORIZATION).map(HeaderValue::as_bytes) {
        None => Auth::Missing,
        Some(value) => {
            let expected = format!("Token {}", state.options.api_key);
            if value == expected.as_bytes() {
                Auth::Valid
            } else {
                Auth::Invalid
            }
        }
    }
}

/// Whether `Accept` asks for version 2 (`*/*; version=2`, spaces optional).
fn asks_for_version_2(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|media| {
            media
                .split(';')
                .skip(1)
                .any(|param| param.trim().replace(' ', "") == "version=2")
        })
}

fn respond(state: &FakeState, parts: &Parts, body: &[u8]) -> Reply {
    let path = parts.uri.path();
    let Some(rest) = path.strip_prefix(API_ROOT) else {
        return Reply::not_found();
    };
    if !path.ends_with('/') {
        // Django's APPEND_SLASH: a redirect that clients must not follow with the key.
        let query = parts.uri.query().map_or(String::new(), |q| format!("?{q}"));
        return Reply::json(StatusCode::MOVED_PERMANENTLY, Value::Null)
            .with_header(LOCATION, format!("{path}/{query}"));
    }
    if !asks_for_version_2(&parts.headers) {
        return Reply::detail(
            StatusCode::NOT_ACCEPTABLE,
            "This server speaks API version 2 only: send the header \"Accept: */*; version=2\".",
        );
    }
    match authorization(state, &parts.headers) {
        Auth::Valid => {}
        Auth::Missing => {
            return Reply::detail(
                StatusCode::UNAUTHORIZED,
                "Authentication credentials were not provided.",
            )
            .with_header(WWW_AUTHENTICATE, "Token".to_owned());
        }
        Auth::Invalid => {
            return Reply::detail(StatusCode::UNAUTHORIZED, "Invalid token.")
                .with_header(WWW_AUTHENTICATE, "Token".to_owned());
        }
    }
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    match segments.as_slice() {
        ["conversations"] => only(parts, &[Method::GET], || {
            list_conversations(state, parts, None)
        }),
        ["conversations", id] => only(parts, &[Method::GET], || match id.parse() {
            Ok(id) => get_conversation(state, id),
            Err(_) => Reply::not_found(),
        }),
        ["users", id, "conversations"] => {
            only(parts, &[Method::GET, Method::POST], || match id.parse() {
                Ok(id) if parts.method == Method::POST => {
                    create_conversation(state, parts, id, body)
                }
                Ok(id) => list_conversations(state, parts, Some(id)),
                Err(_) => Reply::not_found(),
            })
        }
        _ => Reply::not_found(),
    }
}

fn only(parts: &Parts, allowed: &[Method], handler: impl FnOnce() -> Reply) -> Reply {
    if allowed.contains(&parts.method) {
        return handler();
    }
    let allow = allowed
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    Reply::detail(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method \"{}\" not allowed.", parts.method),
    )
    .with_header(ALLOW, allow)
}

fn query_params(parts: &Parts) -> BTreeMap<String, String> {
    form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn list_conversations(state: &FakeState, parts: &Parts, user_id: Option<i64>) -> Reply {
    let data = state.data();
    let user = match user_id {
        Some(id) => match data.user_index(id) {
            Some(index) => Some(index),
            None => return Reply::not_found(),
        },
        None => None,
    };
    let params = query_params(parts);
    let open_only = params.get("status").is_some_and(|value| value == "true");
    let selected: Vec<_> = data
        .conversations
        .iter()
        .filter(|c| user.is_none_or(|u| c.user == u))
        .filter(|c| !open_only || c.active)
        .collect();
    let page_size = state.options.page_size;
    let page: usize = match params.get("page").map(|p| p.parse::<usize>()) {
        None => 1,
        Some(Ok(page)) if page >= 1 => page,
        Some(_) => return Reply::detail(StatusCode::NOT_FOUND, "Invalid page."),
    };
    let pages = selected.len().div_ceil(page_size).max(1);
    if page > pages {
        return Reply::detail(StatusCode::NOT_FOUND, "Invalid page.");
    }
    let results: Vec<Value> = selected
        .iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .map(|c| data.summary(c))
        .collect();
    let link = |target: usize| page_link(parts, &params, target);
    Reply::json(
        StatusCode::OK,
        json!({
            "count": selected.len(),
            "next": (page < pages).then(|| link(page + 1)),
            "previous": (page > 1).then(|| link(page - 1)),
            "results": results,
        }),
    )
}

/// An absolute link to another page, the way Django REST Framework writes it: built from
/// the request's host, other parameters kept, sorted, and no `page` parameter for page 1.
fn page_link(parts: &Parts, params: &BTreeMap<String, String>, page: usize) -> String {
    let host = parts
        .headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let mut params = params.clone();
    if page > 1 {
        params.insert("page".to_owned(), page.to_string());
    } else {
        params.remove("page");
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    let separator = if query.is_empty() { "" } else { "?" };
    format!("http://{host}{}{separator}{query}", parts.uri.path())
}

fn get_conversation(state: &FakeState, id: i64) -> Reply {
    let data = state.data();
    match data.conversations.iter().find(|c| c.id == id) {
        Some(conversation) => Reply::json(
            StatusCode::OK,
            json!({
                "results": data.detail(conversation),
                "previous": null,
                "count": 1,
                "next": null,
            }),
        ),
        None => Reply::not_found(),
    }
}

fn create_conversation(state: &FakeState, parts: &Parts, user_id: i64, body: &[u8]) -> Reply {
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/json") {
        return Reply::detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("Unsupported media type \"{content_type}\" in request."),
        );
    }
    let fields = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(fields)) => fields,
        Ok(_) => {
            return Reply::field_error(
                "non_field_errors",
                "Invalid data. Expected a dictionary.".to_owned(),
            );
        }
        Err(e) => {
            return Reply::detail(StatusCode::BAD_REQUEST, &format!("JSON parse error - {e}"));
        }
    };
    let content = match fields.get("content") {
        None | Some(Value::Null) => {
            return Reply::field_error("content", "This field is required.".to_owned());
        }
        Some(Value::String(text)) if text.trim().is_empty() => {
            return Reply::field_error("content", "This field may not be blank.".to_owned());
        }
        Some(Value::String(text)) => text.clone(),
        Some(_) => return Reply::field_error("content", "Not a valid string.".to_owned()),
    };
    if let Some(agent) = fields.get("user").filter(|v| !v.is_null())
        && !agent.is_i64()
    {
        return Reply::field_error(
            "user",
            format!("Incorrect type. Expected pk value, received {agent}."),
        );
    }
    let source = match fields.get("source") {
        None | Some(Value::Null) => None,
        Some(value) => {
            let code = value
                .as_i64()
                .or_else(|| value.as_str().and_then(|s| s.parse().ok()));
            match code.and_then(source_name) {
                Some(name) => Some(name),
                None => {
                    return Reply::field_error("source", format!("{value} is not a valid choice."));
                }
            }
        }
    };
    let context = fields
        .get("source_context")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut data = state.data();
    let Some(user) = data.user_index(user_id) else {
        return Reply::not_found();
    };
    let created = data
        .create(user, content, source, context, Timestamp::now())
        .clone();
    Reply::json(StatusCode::CREATED, data.summary(&created))
}

fn source_name(code: i64) -> Option<&'static str> {
    match code {
        1 => Some("chat"),
        2 => Some("email"),
        3 => Some("api"),
        4 => Some("sms"),
        5 => Some("slack"),
        _ => None,
    }
}
