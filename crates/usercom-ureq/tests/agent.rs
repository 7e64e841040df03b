//! A caller's own `ureq::Agent` keeps the core's rules: error statuses are answers and
//! redirects are never followed, whatever the agent says.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use usercom_fake::{FakeOptions, FakeServer, Fault, FaultPlan};
use usercom_ureq::{Api, Client, ClientOptions, Error, conversations::ListConversations, ureq};

#[test]
fn an_agent_that_follows_redirects_and_fails_on_statuses_does_neither_here() {
    let plan = FaultPlan::default()
        .on(
            "conversations/",
            1,
            Fault::Redirect("https://elsewhere.example/x/".into()),
        )
        .on("conversations/", 2, Fault::status(404));
    let server = FakeServer::start(FakeOptions::default().conversations(2).faults(plan)).unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(true)
        .max_redirects(10)
        .build()
        .into();
    let client = Client::with_agent(server.config().unwrap(), ClientOptions::default(), agent);

    let err = client
        .conversations()
        .list(ListConversations::all())
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status.as_u16(), 302, "{err}");
    assert_eq!(
        api.location.as_deref(),
        Some("https://elsewhere.example/x/")
    );

    let err = client
        .conversations()
        .list(ListConversations::all())
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");

    let page = client
        .conversations()
        .list(ListConversations::all())
        .unwrap();
    assert_eq!(page.results.len(), 2);
    assert_eq!(server.requests().len(), 3, "nothing was followed");
}
