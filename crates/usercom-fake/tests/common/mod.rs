//! A raw HTTP client for the fake's tests: every header under the test's control.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use usercom_fake::FakeServer;

/// An answer: status, headers, body text.
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub text: String,
}

impl Answer {
    /// The body as JSON (`null` when empty).
    pub fn json(&self) -> Value {
        if self.text.is_empty() {
            return Value::Null;
        }
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

/// Sends requests to one fake server with its key and the version header.
pub struct Raw {
    agent: ureq::Agent,
    base: String,
    pub key: String,
}

impl Raw {
    pub fn new(server: &FakeServer) -> Self {
        Self {
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .build()
                .new_agent(),
            base: server.base_url().to_owned(),
            key: server.api_key().to_owned(),
        }
    }

    /// `method` on `path` (below the API root) with a JSON body, if any.
    pub fn send(&self, method: &str, path: &str, body: Option<&str>) -> Answer {
        self.send_as(method, path, body, "application/json")
    }

    /// The same with another content type.
    pub fn send_as(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        content_type: &str,
    ) -> Answer {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("authorization", format!("Token {}", self.key))
            .header("accept", "*/*; version=2");
        if body.is_some() {
            request = request.header("content-type", content_type);
        }
        let request = request
            .body(body.unwrap_or_default().as_bytes().to_vec())
            .unwrap();
        let mut response = self.agent.run(request).unwrap();
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.body_mut().read_to_string().unwrap(),
        }
    }

    pub fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None)
    }

    /// Every item of a listing, page after page.
    pub fn all(&self, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut page = 1;
        loop {
            let separator = if path.contains('?') { '&' } else { '?' };
            let answer = self.get(&format!("{path}{separator}page={page}"));
            assert_eq!(answer.status, 200, "{path} page {page}: {}", answer.text);
            let body = answer.json();
            items.extend(body["results"].as_array().unwrap().iter().cloned());
            if body["next"].is_null() {
                return items;
            }
            page += 1;
        }
    }
}
