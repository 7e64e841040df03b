//! `usercom webhooks listen` over loopback: verified webhooks are printed and forwarded, others
//! refused with 401, and the key never shows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A 64-character key, like a real one.
const KEY: &str = "k3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3ykk3yk";

/// As a sender would write it: spaces, a slash, non-ASCII.
const BODY: &str =
    r#"{"extra": {"email": "ann@example.com", "page": "/pricing", "name": "Zażółć 😀"}}"#;
/// `BODY` as PHP's `json_encode(json_decode(BODY, true), JSON_UNESCAPED_SLASHES |
/// JSON_UNESCAPED_UNICODE)` writes it: what User.com signs.
const BODY_AS_SIGNED: &str =
    r#"{"extra":{"email":"ann@example.com","page":"/pricing","name":"Zażółć 😀"}}"#;

const WAIT: Duration = Duration::from_secs(20);

fn sign(key: &str, message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A running `usercom webhooks listen --port 0`, killed when dropped.
struct Listener {
    child: Child,
    address: SocketAddr,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
    stderr_seen: Vec<String>,
}

/// Sends each line of `from` down a channel, from a thread of its own.
fn lines(from: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

impl Listener {
    fn start(command: &mut Command) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout: ChildStdout = child.stdout.take().unwrap();
        let stdout = lines(stdout);
        let stderr = lines(child.stderr.take().unwrap());
        let first = stderr
            .recv_timeout(WAIT)
            .expect("the listener says where it listens");
        let address = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .parse()
            .unwrap();
        Self {
            child,
            address,
            stdout,
            stderr,
            stderr_seen: vec![first],
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The next line on stdout.
    fn next_event(&self) -> String {
        self.stdout
            .recv_timeout(WAIT)
            .expect("an event line on stdout")
    }

    /// Reads stderr until a line contains `text`.
    fn wait_for_stderr(&mut self, text: &str) -> String {
        loop {
            let line = self
                .stderr
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("no {text:?} on stderr: {:?}", self.stderr_seen));
            self.stderr_seen.push(line.clone());
            if line.contains(text) {
                return line;
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn usercom() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usercom"));
    command
        .env_remove("USERCOM_SUBDOMAIN")
        .env_remove("USERCOM_BASE_URL")
        .env("USERCOM_API_KEY", KEY);
    command
}

fn listen(extra: &[&str]) -> Listener {
    Listener::start(
        usercom()
            .args(["webhooks", "listen", "--port", "0"])
            .args(extra),
    )
}

/// Posts a webhook; the status and the body of the answer.
fn post(url: &str, body: &str, signature: Option<&str>) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    let mut request = agent.post(url).header("content-type", "application/json");
    if let Some(signature) = signature {
        request = request.header("X-User-Com-Signature", signature);
    }
    let mut response = request.send(body).unwrap();
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_string().unwrap())
}

#[test]
fn verified_webhooks_are_printed_and_bad_ones_refused() {
    let mut listener = listen(&[]);
    let url = listener.url("/hooks/usercom");

    // Signed as User.com signs (the PHP re-encoding), header in capitals with spaces.
    let signature = sign(KEY, BODY_AS_SIGNED);
    let header = format!("  {} ", signature.to_ascii_uppercase());
    let (status, answer) = post(&url, BODY, Some(&header));
    assert_eq!(status, 200, "{answer}");
    // The body as sent, on one line.
    assert_eq!(listener.next_event(), BODY);

    // The same signature on a changed body, a wrong key, none, and not hex: 401, not printed.
    let tampered = BODY.replace("ann@", "eve@");
    let refused = [
        (tampered.as_str(), Some(signature.clone()), "does not match"),
        (
            BODY,
            Some(sign("another-key", BODY_AS_SIGNED)),
            "does not match",
        ),
        (BODY, None, "no X-User-Com-Signature"),
        (BODY, Some("sha256=abc".to_owned()), "not hex"),
        (BODY, Some(signature[..40].to_owned()), "64"),
    ];
    for (body, signature, expected) in refused {
        let (status, answer) = post(&url, body, signature.as_deref());
        assert_eq!(status, 401, "{answer}");
        let detail: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert!(
            detail["detail"].as_str().unwrap().contains(expected),
            "{answer}"
        );
        listener.wait_for_stderr(expected);
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    assert_eq!(agent.get(&url).call().unwrap().status().as_u16(), 405);

    // Signed over the raw bytes, multi-line: printed on one line, after the first only.
    let pretty = "{\n  \"event\": \"user_created\",\n  \"id\": 7\n}\n";
    let (status, _) = post(&listener.url("/"), pretty, Some(&sign(KEY, pretty)));
    assert_eq!(status, 200);
    assert_eq!(
        listener.next_event(),
        r#"{  "event": "user_created",  "id": 7}"#
    );

    stop_with_ctrl_c(&mut listener);
    let everything = format!(
        "{:?} {:?}",
        listener.stderr_seen,
        listener.stdout.try_iter().collect::<Vec<_>>()
    );
    assert!(!everything.contains("k3yk"), "the key showed: {everything}");
}

/// Ctrl-C (SIGINT) stops the listener with the interrupted exit code.
#[cfg(unix)]
fn stop_with_ctrl_c(listener: &mut Listener) {
    let pid = listener.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Some(status) = listener.child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(130));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still running");
        std::thread::sleep(Duration::from_millis(20));
    }
    while let Ok(line) = listener.stderr.recv_timeout(Duration::from_secs(1)) {
        listener.stderr_seen.push(line);
    }
}

#[cfg(not(unix))]
fn stop_with_ctrl_c(_listener: &mut Listener) {}

/// What the local endpoint received: path, signature header, content type, body.
type Forwarded = (String, String, String, Vec<u8>);

/// A local endpoint that records what it gets and answers `status`.
fn endpoint(status: u16) -> (SocketAddr, mpsc::Receiver<Forwarded>) {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, StatusCode, Uri};

    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(
                move |uri: Uri, headers: HeaderMap, body: Bytes| async move {
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .map(|v| v.to_str().unwrap().to_owned())
                            .unwrap_or_default()
                    };
                    let _ = send.send((
                        uri.path().to_owned(),
                        header("x-user-com-signature"),
                        header("content-type"),
                        body.to_vec(),
                    ));
                    StatusCode::from_u16(status).unwrap()
                },
            );
            axum::serve(listener, app).await.unwrap();
        });
    });
    (address, receive)
}

#[test]
fn verified_webhooks_are_forwarded_with_their_signature() {
    let (address, forwarded) = endpoint(204);
    // No scheme: http is assumed, like `stripe listen --forward-to localhost:3000/…`.
    let target = format!("{address}/hooks/usercom");
    let mut listener = listen(&["--forward-to", &target]);
    listener.wait_for_stderr("forwarding verified webhooks to http://");

    let signature = sign(KEY, BODY_AS_SIGNED);
    assert_eq!(post(&listener.url("/in"), BODY, Some(&signature)).0, 200);
    let (path, header, content_type, body) = forwarded.recv_timeout(WAIT).unwrap();
    assert_eq!(path, "/hooks/usercom");
    assert_eq!(header, signature);
    assert_eq!(content_type, "application/json");
    assert_eq!(body, BODY.as_bytes());
    assert_eq!(listener.next_event(), BODY);

    // A refused webhook goes nowhere.
    let tampered = BODY.replace("ann@", "eve@");
    assert_eq!(
        post(&listener.url("/in"), &tampered, Some(&signature)).0,
        401
    );
    assert!(forwarded.recv_timeout(Duration::from_millis(500)).is_err());
}

#[test]
fn forwarding_failures_are_reported_and_listening_goes_on() {
    // A port nothing listens on any more, and an endpoint that answers 500.
    let closed = TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap();
    let mut listener = listen(&["--forward-to", &format!("http://{closed}/hooks")]);
    let signature = sign(KEY, BODY);
    assert_eq!(post(&listener.url("/"), BODY, Some(&signature)).0, 200);
    assert_eq!(listener.next_event(), BODY);
    let line = listener.wait_for_stderr("cannot forward to http://");
    assert!(line.contains(&closed.to_string()), "{line}");
    // Still listening.
    assert_eq!(post(&listener.url("/"), BODY, Some(&signature)).0, 200);
    assert_eq!(listener.next_event(), BODY);

    let (address, forwarded) = endpoint(500);
    let mut listener = listen(&["--forward-to", &format!("http://{address}/")]);
    assert_eq!(post(&listener.url("/"), BODY, Some(&signature)).0, 200);
    forwarded.recv_timeout(WAIT).unwrap();
    listener.wait_for_stderr("got 500");
}

#[test]
fn the_key_comes_from_the_usual_places() {
    // --demo: the built-in fake account's key.
    let demo_key = usercom_fake::DEFAULT_API_KEY;
    let listener = Listener::start(
        usercom()
            .env_remove("USERCOM_API_KEY")
            .args(["--demo", "webhooks", "listen", "--port", "0"]),
    );
    let signature = sign(demo_key, BODY_AS_SIGNED);
    assert_eq!(post(&listener.url("/"), BODY, Some(&signature)).0, 200);
    assert_eq!(
        post(&listener.url("/"), BODY, Some(&sign(KEY, BODY))).0,
        401
    );
    drop(listener);

    // --api-key-file, trimmed.
    let file = std::env::temp_dir().join(format!("usercom-webhooks-key-{}", std::process::id()));
    std::fs::write(&file, format!("{KEY}\n")).unwrap();
    // Readable by its owner only, as a key file should be (else a warning comes first).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let listener = Listener::start(
        usercom()
            .env_remove("USERCOM_API_KEY")
            .arg("--api-key-file")
            .arg(&file)
            .args(["webhooks", "listen", "--port", "0"]),
    );
    assert_eq!(
        post(&listener.url("/"), BODY, Some(&sign(KEY, BODY))).0,
        200
    );
    drop(listener);
    std::fs::remove_file(&file).unwrap();

    // No key: a usage error that says where a key comes from.
    let output = usercom()
        .env_remove("USERCOM_API_KEY")
        .args(["webhooks", "listen", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("USERCOM_API_KEY"), "{stderr}");
}

#[test]
fn usage_errors() {
    let taken = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let cases: [(&[&str], &str); 4] = [
        (
            &["webhooks", "listen", "--port", &port],
            "cannot listen on 127.0.0.1",
        ),
        (&["webhooks", "listen"], "--port"),
        (&["webhooks", "listen", "--port", "70000"], "70000"),
        (
            &[
                "webhooks",
                "listen",
                "--port",
                "0",
                "--forward-to",
                "ftp://x/",
            ],
            "http(s)",
        ),
    ];
    for (args, expected) in cases {
        let output = usercom().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("k3yk"), "{stderr}");
    }
}
