//! `usercom webhooks listen`: receive User.com webhooks on this machine, verified, like
//! `stripe listen`.
//!
//! A small HTTP server on 127.0.0.1 (axum on a one-thread tokio runtime: the same crates the
//! built-in fake account already brings into this binary) checks each POST's
//! `X-User-Com-Signature` with the account's API key through the core's
//! [`Verifier`]: 401 for a missing or wrong signature, 200 for a good one. The main thread
//! prints each verified body as one JSON line and, with `--forward-to`, posts it on to a URL of
//! yours, in the order received; a failed forward is said on stderr and does not stop the
//! listener.
//!
//! The server is the `webhooks` feature (on by default); without it the command says how to
//! get it.

use clap::{Arg, Command, value_parser};
use url::Url;

#[cfg(feature = "webhooks")]
pub use listen::run;
#[cfg(not(feature = "webhooks"))]
pub use missing::run;

/// The command's name.
pub const NAME: &str = "webhooks";
const LISTEN: &str = "listen";
const PORT: &str = "port";
const FORWARD_TO: &str = "forward-to";

/// The `webhooks` command.
pub fn command() -> Command {
    let listen = Command::new(LISTEN)
        .about("Receive webhooks on 127.0.0.1, verify them, print them, forward them")
        .long_about(
            "Receive webhooks on 127.0.0.1:PORT (any path), like `stripe listen`. Each POST is \
             verified: its X-User-Com-Signature header must be the HMAC-SHA256 of the body, \
             keyed with the account's API key (USERCOM_API_KEY or --api-key-file; --demo uses \
             the built-in fake account's key). A bad or missing signature gets 401 and a line \
             on stderr; a good one gets 200, and its body is printed as one JSON line on \
             stdout and, with --forward-to, posted on to that URL with the same signature \
             header. The bound address is printed on stderr. Ctrl-C stops.",
        )
        .after_help(
            "Examples:\n  usercom webhooks listen --port 8787\n  usercom webhooks listen \
             --port 8787 --forward-to localhost:3000/hooks/usercom\n  usercom webhooks \
             listen --port 8787 | jq .extra",
        )
        .arg(
            Arg::new(PORT)
                .long(PORT)
                .value_name("N")
                .required(true)
                .value_parser(value_parser!(u16))
                .help("The port on 127.0.0.1 to listen on (0: any free port)"),
        )
        .arg(
            Arg::new(FORWARD_TO)
                .long(FORWARD_TO)
                .value_name("URL")
                .value_parser(parse_forward_url)
                .help("Also POST each verified webhook to this URL (http:// is assumed)"),
        );
    Command::new(NAME)
        .about("Receive User.com webhooks on this machine")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(listen)
}

/// `localhost:3000/hooks`, `http://127.0.0.1:3000/hooks` or an https URL.
fn parse_forward_url(text: &str) -> Result<Url, String> {
    let text = text.trim();
    let url = if text.contains("://") {
        Url::parse(text)
    } else {
        Url::parse(&format!("http://{text}"))
    }
    .map_err(|e| format!("not a URL: {e}"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("expected an http(s) URL, not {}:", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".to_owned());
    }
    Ok(url)
}

/// `webhooks listen` in a binary built without its server.
#[cfg(not(feature = "webhooks"))]
mod missing {
    use clap::ArgMatches;

    use crate::Failure;
    use crate::output::Format;

    /// Why there is no server.
    pub const MISSING: &str = "webhooks listen needs the webhook server, which this usercom was \
                               built without: build it with the default features (cargo \
                               install --locked --path crates/usercom-cli)";

    /// Refuses: there is no server.
    pub fn run(_: &str, _: Option<Format>, _: &ArgMatches) -> Result<(), Failure> {
        Err(Failure::Usage(MISSING.to_owned()))
    }
}

/// The server of `webhooks listen`.
#[cfg(feature = "webhooks")]
mod listen {
    use std::io;
    use std::net::{Ipv4Addr, TcpListener};
    use std::sync::{Arc, mpsc};
    use std::time::Duration;

    use axum::Router;
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
    use axum::response::{IntoResponse, Response};
    use clap::ArgMatches;
    use url::Url;
    use usercom_core::ApiKey;
    use usercom_core::webhooks::{SIGNATURE_HEADER, Verifier};

    use super::{FORWARD_TO, LISTEN, PORT};
    use crate::Failure;
    use crate::output::{self, Format};

    /// How long a forward may take in all before it counts as failed.
    const FORWARD_TIMEOUT: Duration = Duration::from_secs(30);

    /// A webhook that passed verification, on its way to stdout and the forward URL.
    struct Verified {
        body: Bytes,
        signature: HeaderValue,
        content_type: Option<HeaderValue>,
    }

    /// What the request handler shares.
    struct Inbox {
        verifier: Verifier,
        verified: mpsc::Sender<Verified>,
    }

    /// Runs `usercom webhooks …` with the account's API key.
    pub fn run(api_key: &str, format: Option<Format>, matches: &ArgMatches) -> Result<(), Failure> {
        let Some((LISTEN, matches)) = matches.subcommand() else {
            return Err(Failure::Usage(
                "which webhooks command? see usercom webhooks --help".to_owned(),
            ));
        };
        if format.is_some_and(|format| format != Format::Jsonl) {
            eprintln!("usercom: webhooks listen prints JSON lines");
        }
        let key = ApiKey::new(api_key).map_err(|e| Failure::Usage(e.to_string()))?;
        let port = matches.get_one::<u16>(PORT).copied().unwrap_or_default();
        let forward = matches
            .get_one::<Url>(FORWARD_TO)
            .cloned()
            .map(Forwarder::new);

        let cannot_listen =
            |e: io::Error| Failure::Usage(format!("cannot listen on 127.0.0.1:{port}: {e}"));
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(cannot_listen)?;
        let address = listener.local_addr().map_err(cannot_listen)?;
        listener.set_nonblocking(true).map_err(cannot_listen)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(cannot_listen)?;
        let listener = {
            let _runtime = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(cannot_listen)?
        };
        let (verified, received) = mpsc::channel();
        let app = Router::new().fallback(receive).with_state(Arc::new(Inbox {
            verifier: Verifier::new(&key),
            verified,
        }));
        let server = std::thread::Builder::new()
            .name("usercom webhooks".to_owned())
            .spawn(move || runtime.block_on(async move { axum::serve(listener, app).await }))
            .map_err(cannot_listen)?;

        eprintln!(
            "usercom: listening for webhooks on http://{address}/ (any path), checking \
             X-User-Com-Signature with the account's API key; Ctrl-C to stop"
        );
        if let Some(forward) = &forward {
            eprintln!("usercom: forwarding verified webhooks to {}", forward.url);
        }
        // Ends only if the server does: Ctrl-C ends the program.
        for webhook in received {
            output::line(&output::one_line(&String::from_utf8_lossy(&webhook.body)))?;
            if let Some(forward) = &forward {
                forward.send(&webhook);
            }
        }
        let stopped = match server.join() {
            Ok(Ok(())) => "it stopped".to_owned(),
            Ok(Err(e)) => e.to_string(),
            Err(_) => "it failed".to_owned(),
        };
        Err(Failure::Usage(format!(
            "the webhook server on {address} stopped: {stopped}"
        )))
    }

    /// Answers one request: 200 for a verified POST, 401 for a bad signature, 400 for a signed
    /// body that is not JSON, 405 for anything but POST.
    async fn receive(
        State(inbox): State<Arc<Inbox>>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        if method != Method::POST {
            let mut response = reply(StatusCode::METHOD_NOT_ALLOWED, "webhooks are POST requests");
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
        let signature = headers.get(SIGNATURE_HEADER);
        match inbox
            .verifier
            .verify(&body, signature.map(HeaderValue::as_bytes))
        {
            Ok(webhook) => {
                tracing::debug!(path = uri.path(), form = ?webhook.signed_form(), "verified a webhook");
                let verified = Verified {
                    signature: signature.cloned().unwrap_or(HeaderValue::from_static("")),
                    content_type: headers.get(header::CONTENT_TYPE).cloned(),
                    body,
                };
                // The main thread only goes away with the whole program.
                let _ = inbox.verified.send(verified);
                json(StatusCode::OK, &serde_json::json!({ "received": true }))
            }
            Err(error) => {
                let status = error.status();
                eprintln!(
                    "usercom: refused a webhook to {} ({}): {error}",
                    uri.path(),
                    status.as_u16()
                );
                reply(status, &error.to_string())
            }
        }
    }

    /// A JSON error body as the API writes them.
    fn reply(status: StatusCode, detail: &str) -> Response {
        json(status, &serde_json::json!({ "detail": detail }))
    }

    /// A JSON answer.
    fn json(status: StatusCode, body: &serde_json::Value) -> Response {
        let content_type = [(header::CONTENT_TYPE, "application/json")];
        (status, content_type, body.to_string()).into_response()
    }

    /// Posts verified webhooks on to a URL.
    struct Forwarder {
        url: Url,
        agent: ureq::Agent,
    }

    impl Forwarder {
        fn new(url: Url) -> Self {
            let config = ureq::Agent::config_builder()
                // Any answer is reported, not turned into an error.
                .http_status_as_error(false)
                // The URL is your own endpoint: straight there, no proxy and no redirect.
                .proxy(None)
                .max_redirects(0)
                .timeout_global(Some(FORWARD_TIMEOUT))
                .build();
            Self {
                url,
                agent: ureq::Agent::new_with_config(config),
            }
        }

        /// Posts the body with its signature; a failure is said on stderr.
        fn send(&self, webhook: &Verified) {
            let content_type = webhook
                .content_type
                .clone()
                .unwrap_or(HeaderValue::from_static("application/json"));
            let request = http::Request::post(self.url.as_str())
                .header(header::CONTENT_TYPE, content_type)
                .header(SIGNATURE_HEADER, webhook.signature.clone())
                .body(webhook.body.to_vec());
            let outcome = match request {
                Ok(request) => self.agent.run(request).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match outcome {
                Ok(response) if response.status().is_success() => {
                    tracing::debug!(url = %self.url, status = response.status().as_u16(), "forwarded");
                }
                Ok(response) => eprintln!(
                    "usercom: forwarding to {} got {}",
                    self.url,
                    response.status()
                ),
                Err(e) => eprintln!("usercom: cannot forward to {}: {e}", self.url),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn forward_urls() {
        for (given, expected) in [
            ("localhost:3000/hooks", "http://localhost:3000/hooks"),
            ("http://127.0.0.1:9/x?y=1", "http://127.0.0.1:9/x?y=1"),
            (" https://hooks.example/in ", "https://hooks.example/in"),
        ] {
            assert_eq!(parse_forward_url(given).unwrap().as_str(), expected);
        }
        for (given, expected) in [
            ("ftp://host/x", "http(s)"),
            ("http://", "not a URL"),
            ("", "not a URL"),
        ] {
            let error = parse_forward_url(given).unwrap_err();
            assert!(error.contains(expected), "{given:?}: {error}");
        }
    }
}
