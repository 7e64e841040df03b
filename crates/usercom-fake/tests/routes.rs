//! Every operation of the core's registry has a route in the fake.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use usercom_core::registry;
use usercom_fake::route_for;

/// `template` with each `{parameter}` replaced by `sample`.
fn fill(template: &str, sample: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                sample
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_registered_operation_has_a_route() {
    let mut missing = Vec::new();
    let mut checked = 0;
    for operation in registry::operations() {
        for template in operation.paths {
            // A plain id, and a custom id as a client encodes it.
            for sample in ["42", "user%40123%2Fa%20b"] {
                let path = fill(template, sample);
                checked += 1;
                match route_for(&operation.method, &path) {
                    Some(route) if route == *template => {}
                    other => missing.push(format!(
                        "{} {} {template}: {path} is routed to {other:?}",
                        operation.name, operation.method
                    )),
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "operations the fake does not serve (add a route to its group module):\n{}",
        missing.join("\n")
    );
    assert!(checked >= 20, "{checked}");
}

#[test]
fn a_path_or_method_the_fake_does_not_serve_has_no_route() {
    let get = http::Method::GET;
    assert_eq!(route_for(&get, "tags/42/users/"), Some("tags/{id}/users/"));
    assert_eq!(route_for(&get, "tags/42/deals/"), None);
    assert_eq!(route_for(&http::Method::PATCH, "tags/42/"), None);
    assert_eq!(
        route_for(&get, "tags/42/"),
        None,
        "tags are not read one by one"
    );
    assert_eq!(route_for(&http::Method::PUT, "tags/42"), Some("tags/{id}/"));
}
