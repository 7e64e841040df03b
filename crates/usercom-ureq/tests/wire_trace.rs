//! ureq (through ureq-proto) hexdumps every request at the `log` crate's TRACE level,
//! `Authorization` header included. With the default `no-wire-trace` feature a program that
//! logs everything at TRACE still never sees the key. One test in its own binary: the
//! logger is global.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Mutex;

use usercom_fake::{FakeOptions, FakeServer};
use usercom_ureq::{Api, Client, conversations::ListConversations};

static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Everything;

impl log::Log for Everything {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        RECORDS.lock().unwrap().push(format!(
            "{} {} {}",
            record.level(),
            record.target(),
            record.args()
        ));
    }

    fn flush(&self) {}
}

#[test]
fn a_trace_logger_never_sees_the_key() {
    log::set_logger(&Everything).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let server = FakeServer::start(FakeOptions::default().conversations(3)).unwrap();
    let client = Client::new(server.config().unwrap());
    let page = client
        .conversations()
        .list(ListConversations::all())
        .unwrap();
    assert_eq!(page.results.len(), 3);

    let key = server.api_key();
    let records = RECORDS.lock().unwrap().clone();
    assert!(
        records.iter().any(|r| r.starts_with("DEBUG ureq")),
        "ureq logged nothing: {records:?}"
    );
    // A hexdump shows 16 bytes a row: look for any 12 characters of the key.
    let windows: Vec<&str> = (0..=key.len() - 12).map(|at| &key[at..at + 12]).collect();
    for record in &records {
        assert!(!record.starts_with("TRACE"), "{record}");
        for window in &windows {
            assert!(!record.contains(window), "the key leaked: {record}");
        }
    }
}
