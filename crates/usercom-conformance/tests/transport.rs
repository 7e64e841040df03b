//! Transport failures on both clients, against throwaway servers on 127.0.0.1: permanent
//! failures fail at once and name the host, a request that was not sent is retried even
//! for POST, a keep-alive race loses and duplicates nothing, proxies never see the key, and
//! every failed attempt is logged with its reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use usercom_conformance::{Harness, conformance};
use usercom_core::conversations::ListConversations;
use usercom_core::{Api, ClientOptions, Config, Error, Proxy, RetryPolicy, TransportErrorKind};
use usercom_fake::{FakeOptions, FakeServer, Fault, FaultPlan};

const KEY: &str = "k3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3";

fn options() -> ClientOptions {
    ClientOptions::default().retry(
        RetryPolicy::default()
            .base_delay(Duration::from_millis(2))
            .max_delay(Duration::from_millis(20))
            .seed(7),
    )
}

/// A config for `base`, never through a proxy whatever the environment says.
fn direct(base: &str) -> Config {
    Config::for_base_url(base, KEY)
        .unwrap()
        .with_proxy(Proxy::None)
}

fn transport(err: &Error) -> &usercom_core::TransportError {
    match err {
        Error::Transport(transport) => transport,
        other => panic!("not a transport error: {other:?}"),
    }
}

/// A server on 127.0.0.1 that hands each connection to `serve` on a thread of its own and
/// counts the connections.
struct Throwaway {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl Throwaway {
    fn start(serve: impl Fn(TcpStream) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        let serve = Arc::new(serve);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                counted.fetch_add(1, Ordering::SeqCst);
                let serve = Arc::clone(&serve);
                std::thread::spawn(move || serve(stream));
            }
        });
        Self { port, connections }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Reads one request's head and body; `None` when the connection ends first.
fn read_request(reader: &mut BufReader<impl Read>) -> Option<(String, Vec<u8>)> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((head, body))
}

conformance!(
    a_name_that_does_not_resolve_fails_at_once_naming_the_host,
    an_untrusted_certificate_fails_at_once_naming_the_host,
    conflicting_content_lengths_fail_at_once,
    a_refused_connection_is_not_sent_and_retried_even_for_post,
    posts_on_connections_the_server_closes_are_never_lost_unsent_nor_duplicated,
    an_https_root_goes_through_the_proxy_as_a_tunnel_and_loopback_never_does,
);

/// Both clients in one test: scoped log subscribers on parallel test threads would race.
#[test]
fn every_failed_attempt_is_logged_with_its_reason_by_both_clients() {
    every_failed_attempt_is_logged_with_its_reason::<usercom_conformance::Blocking>();
    every_failed_attempt_is_logged_with_its_reason::<usercom_conformance::Async>();
}

fn a_name_that_does_not_resolve_fails_at_once_naming_the_host<H: Harness>() {
    let h = H::new(direct("https://acme.invalid/"), options());
    let err = h.wait(h.client().conversations().get(1)).unwrap_err();
    assert_eq!(transport(&err).kind(), TransportErrorKind::Dns, "{err}");
    assert_eq!(err.attempts(), 1, "not retried: {err}");
    assert!(!err.is_retryable());
    let shown = err.to_string();
    assert!(shown.contains("acme.invalid"), "{shown}");
    assert!(shown.contains("not sent"), "{shown}");
}

fn an_untrusted_certificate_fails_at_once_naming_the_host<H: Harness>() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let chain = vec![certified.cert.der().clone()];
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let tls = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap(),
    );
    let server = Throwaway::start(move |mut stream| {
        let mut connection = rustls::ServerConnection::new(Arc::clone(&tls)).unwrap();
        // The client gives up during the handshake; anything else would be answered with 200.
        let mut tls = rustls::Stream::new(&mut connection, &mut stream);
        let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
    });
    let h = H::new(
        direct(&format!("https://localhost:{}/", server.port)),
        options(),
    );
    let err = h.wait(h.client().conversations().get(1)).unwrap_err();
    assert_eq!(
        transport(&err).kind(),
        TransportErrorKind::Tls,
        "{err} {err:?}"
    );
    assert_eq!(err.attempts(), 1, "{err}");
    assert_eq!(server.connections(), 1, "one attempt");
    let shown = err.to_string();
    assert!(shown.contains("localhost"), "{shown}");
    assert!(shown.to_lowercase().contains("certificate"), "{shown}");
}

fn conflicting_content_lengths_fail_at_once<H: Harness>() {
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&requests);
    let server = Throwaway::start(move |stream| {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        while read_request(&mut reader).is_some() {
            counted.fetch_add(1, Ordering::SeqCst);
            let mut stream = &stream;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}");
        }
    });
    let h = H::new(
        direct(&format!("http://127.0.0.1:{}/", server.port)),
        options(),
    );
    let err = h.wait(h.client().conversations().get(1)).unwrap_err();
    assert_eq!(
        transport(&err).kind(),
        TransportErrorKind::Protocol,
        "{err}"
    );
    assert_eq!(err.attempts(), 1, "{err}");
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    assert!(err.to_string().contains("127.0.0.1"), "{err}");
}

fn a_refused_connection_is_not_sent_and_retried_even_for_post<H: Harness>() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let h = H::new(direct(&format!("http://127.0.0.1:{port}/")), options());
    let err = h.wait(h.client().tags().create("vip")).unwrap_err();
    let transport = transport(&err);
    assert_eq!(transport.kind(), TransportErrorKind::Connect, "{err}");
    assert!(!transport.may_have_been_sent());
    assert_eq!(err.attempts(), 5, "a POST that was never sent is retried");
    let shown = err.to_string();
    assert!(shown.contains(&format!("127.0.0.1:{port}")), "{shown}");
    assert!(shown.contains("not sent"), "{shown}");
}

fn posts_on_connections_the_server_closes_are_never_lost_unsent_nor_duplicated<H: Harness>() {
    // Each connection answers one request with keep-alive, then closes as soon as it is idle.
    let received = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = Arc::clone(&received);
    let server = Throwaway::start(move |stream| {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        if let Some((_, body)) = read_request(&mut reader) {
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&body).into_owned());
            let answer = r#"{"id": 1, "name": "vip"}"#;
            let mut stream = &stream;
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\n\r\n{answer}",
                    answer.len()
                )
                .as_bytes(),
            );
        }
        let _ = stream.shutdown(std::net::Shutdown::Both);
    });
    let h = H::new(
        direct(&format!("http://127.0.0.1:{}/", server.port)),
        options(),
    );
    let mut failures = Vec::new();
    let mut successes = 0;
    for n in 0..20 {
        match h.wait(h.client().tags().create(format!("tag-{n}"))) {
            Ok(_) => successes += 1,
            Err(err) => failures.push((n, err)),
        }
        std::thread::sleep(Duration::from_millis(n % 4));
    }
    let received = received.lock().unwrap().clone();
    for n in 0..20 {
        let copies = received
            .iter()
            .filter(|body| body.contains(&format!("\"tag-{n}\"")))
            .count();
        assert!(copies <= 1, "tag-{n} was created {copies} times");
    }
    // A POST written to a connection the server closed at that moment may have been read
    // before the close: it is not sent again, and the error says so. One that provably did
    // not leave is sent again, so it never ends as a failure.
    let mut arrived_failures = 0;
    for (n, err) in &failures {
        arrived_failures +=
            usize::from(received.iter().any(|b| b.contains(&format!("\"tag-{n}\""))));
        assert!(
            transport(err).may_have_been_sent(),
            "tag-{n} failed as unsent instead of being sent again: {err}"
        );
        assert!(
            err.to_string().contains("may have reached the server"),
            "{err}"
        );
    }
    assert_eq!(received.len(), successes + arrived_failures, "{failures:?}");
    assert!(failures.len() <= 5, "{failures:?}");
}

fn an_https_root_goes_through_the_proxy_as_a_tunnel_and_loopback_never_does<H: Harness>() {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = Arc::clone(&seen);
    let proxy = Throwaway::start(move |stream| {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        if let Some((head, body)) = read_request(&mut reader) {
            log.lock()
                .unwrap()
                .push(format!("{head}{}", String::from_utf8_lossy(&body)));
            let mut stream = &stream;
            let _ = stream.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let through = Proxy::url(&format!("http://u:p@127.0.0.1:{}", proxy.port)).unwrap();

    // https: a CONNECT to the API's host, which the proxy refuses; nothing else reaches it.
    let config = Config::for_base_url("https://acme.invalid/", KEY)
        .unwrap()
        .with_proxy(through.clone());
    let h = H::new(config, options().retry(RetryPolicy::disabled()));
    let err = h.wait(h.client().conversations().get(1)).unwrap_err();
    assert_eq!(transport(&err).kind(), TransportErrorKind::Connect, "{err}");
    let seen_now = seen.lock().unwrap().clone();
    assert_eq!(seen_now.len(), 1, "{seen_now:?}");
    let connect = &seen_now[0];
    assert!(
        connect.starts_with("CONNECT acme.invalid:443 HTTP/1.1\r\n"),
        "{connect}"
    );
    assert!(
        connect
            .to_ascii_lowercase()
            .contains("proxy-authorization: basic"),
        "{connect}"
    );
    assert!(
        !connect.contains(KEY) && !connect.contains("Token"),
        "{connect}"
    );

    // Loopback over plain http: straight to the server, never to the proxy.
    let fake = FakeServer::start(FakeOptions::default().conversations(3)).unwrap();
    let local = fake.config().unwrap().with_proxy(through);
    let h = H::new(local, options());
    let page = h
        .wait(h.client().conversations().list(ListConversations::all()))
        .unwrap();
    assert_eq!(page.results.len(), 3);
    assert_eq!(seen.lock().unwrap().len(), 1, "the proxy saw nothing more");
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn every_failed_attempt_is_logged_with_its_reason<H: Harness>() {
    let plan = FaultPlan::default().every("conversations/", Fault::html(502));
    let server = FakeServer::start(FakeOptions::default().conversations(1).faults(plan)).unwrap();
    let key = server.api_key().to_owned();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let h = H::new(
            server.config().unwrap(),
            options().retry(
                RetryPolicy::default()
                    .max_attempts(3)
                    .base_delay(Duration::from_millis(1)),
            ),
        );
        let err = h
            .wait(h.client().conversations().list(ListConversations::all()))
            .unwrap_err();
        assert_eq!(err.attempts(), 3, "{err}");
        let closed = H::new(
            Config::for_base_url("http://127.0.0.1:9/", &key).unwrap(),
            options().retry(RetryPolicy::disabled()),
        );
        closed
            .wait(closed.client().conversations().get(1))
            .unwrap_err();
    });
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines = |message: &str| logs.lines().filter(|l| l.contains(message)).count();
    assert_eq!(lines("usercom retrying"), 2, "{logs}");
    assert_eq!(lines("usercom giving up"), 1, "{logs}");
    assert_eq!(lines("usercom attempt failed"), 1, "{logs}");
    assert_eq!(lines("reason=HTTP 502 Bad Gateway"), 3, "{logs}");
    assert!(logs.contains("could not connect to 127.0.0.1:9"), "{logs}");
    assert!(!logs.contains(&key), "{logs}");
}
