//! The entry point of every request: it is recorded, its fault applied, checked the way
//! User.com checks requests (API root, trailing slash, version header, key), then routed.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCEPT, ALLOW, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION, USER_AGENT,
    WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode, request::Parts};
use axum::response::Response;

use crate::faults::{Fault, replacement, shape_body};
use crate::reply::Reply;
use crate::routing::{Call, Found};
use crate::{FakeState, KillSwitch, RecordedRequest};

const API_ROOT: &str = "/api/public/";
/// Request bodies larger than this are refused with 413.
const MAX_REQUEST_BODY: usize = 1 << 20;

/// The fake API as an axum router, for serving it on a listener of your own or nesting it
/// in an app of yours. It records requests and applies faults as [`serve`](crate::serve)
/// does, with two differences: a [`Fault::ResetBeforeResponse`] needs `serve`'s connection
/// handling to close the connection (under another server that request is never answered),
/// and [`RecordedRequest::connection`] is 0.
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
    if !state.options.latency.is_zero() {
        tokio::time::sleep(state.options.latency).await;
    }
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
    let reply = match fault.as_ref().and_then(|fault| replacement(fault, &parts)) {
        Some(reply) => reply,
        None => respond(&state, &parts, &body),
    };
    record(reply.status.as_u16(), &body);
    let (status, headers, payload) = reply.into_parts();
    let (body, length) = shape_body(fault.as_ref(), payload);
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    let bodiless = status.is_redirection() || status == StatusCode::NO_CONTENT;
    if !bodiless {
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(length));
    }
    response
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Auth {
    Missing,
    Invalid,
    Valid,
}

pub(crate) fn authorization(state: &FakeState, headers: &HeaderMap) -> Auth {
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
        return Reply::empty(StatusCode::MOVED_PERMANENTLY)
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
    let (route, params) = match state.routes.find(&parts.method, rest) {
        Found::Route(route, params) => (route, params),
        Found::MethodNotAllowed(allowed) => {
            let allow = allowed
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            return Reply::detail(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!("Method \"{}\" not allowed.", parts.method),
            )
            .with_header(ALLOW, allow);
        }
        Found::Nothing => return Reply::not_found(),
    };
    let header = |name| {
        parts
            .headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let call = Call {
        path,
        host: header(HOST).unwrap_or("127.0.0.1"),
        params,
        query: form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect(),
        body,
        content_type: header(CONTENT_TYPE),
        page_size: state.options.page_size,
        now: jiff::Timestamp::now(),
    };
    let mut store = state.store();
    route.handle(&call, &mut store)
}
