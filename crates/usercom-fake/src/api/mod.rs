//! The API groups the fake serves, one module each, mirroring `usercom_core::api`.
//!
//! A group declares the collections it seeds (see [`crate::store`]) and its routes (see
//! [`crate::routing`]), built mostly from the generic handlers of [`crate::handlers`]. Adding
//! a group is a module here and a line in [`GROUPS`].

pub(crate) mod activities;
pub(crate) mod attributes;
pub(crate) mod companies;
pub(crate) mod conversations;
pub(crate) mod deals;
pub(crate) mod events;
pub(crate) mod examples;
pub(crate) mod lists;
pub(crate) mod products;
pub(crate) mod segments;
pub(crate) mod tags;
pub(crate) mod users;

use crate::routing::{Route, RouteTable};
use crate::store::Collection;

/// What a group declares.
#[derive(Debug)]
pub(crate) struct Group {
    /// The collections it seeds.
    pub(crate) collections: &'static [&'static Collection],
    /// Its routes.
    pub(crate) routes: fn() -> Vec<Route>,
}

/// Every group the fake serves, one per group of the core's registry.
pub(crate) static GROUPS: &[&Group] = &[
    &conversations::GROUP,
    &tags::GROUP,
    &users::GROUP,
    &companies::GROUP,
    &deals::GROUP,
    &products::GROUP,
    &activities::GROUP,
    &attributes::GROUP,
    &events::GROUP,
    &lists::GROUP,
    &segments::GROUP,
];

/// Every collection of these groups.
pub(crate) fn collections(groups: &[&Group]) -> Vec<&'static Collection> {
    groups
        .iter()
        .flat_map(|group| group.collections.iter().copied())
        .collect()
}

/// The route table of these groups.
pub(crate) fn route_table(groups: &[&Group]) -> RouteTable {
    RouteTable::new(groups.iter().flat_map(|group| (group.routes)()).collect())
}

/// The operations of the core's registry that `table` has no route for, named with their
/// method and path template. Each `{parameter}` is tried with plain and encoded values.
#[cfg(test)]
fn missing_routes(table: &RouteTable) -> Vec<String> {
    use crate::routing::Found;
    let mut missing = Vec::new();
    for operation in usercom_core::registry::operations() {
        for template in operation.paths {
            for sample in ["1", "user%40123%2Fa%20b"] {
                let path = template
                    .split('/')
                    .map(|segment| {
                        if segment.starts_with('{') && segment.ends_with('}') {
                            sample
                        } else {
                            segment
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                if !matches!(table.find(&operation.method, &path), Found::Route(..)) {
                    missing.push(format!(
                        "{} {} {template} (tried {path})",
                        operation.name, operation.method
                    ));
                }
            }
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_operation_has_a_route() {
        let missing = missing_routes(&route_table(GROUPS));
        assert!(
            missing.is_empty(),
            "operations of usercom_core::registry the fake does not route:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn a_group_without_its_module_is_reported() {
        let without_tags: Vec<&Group> = GROUPS
            .iter()
            .copied()
            .filter(|g| !std::ptr::eq(*g, &tags::GROUP))
            .collect();
        let missing = missing_routes(&route_table(&without_tags));
        assert!(
            missing
                .iter()
                .any(|m| m.starts_with("tags.delete DELETE tags/{id}/")),
            "{missing:?}"
        );
        assert!(
            missing.iter().all(|m| m.starts_with("tags.")),
            "{missing:?}"
        );
    }

    #[test]
    fn default_sizes_follow_the_options() {
        use crate::store::Sizes;
        use std::collections::BTreeMap;
        let all = collections(GROUPS);
        let size = |explicit: &[(&str, u64)], name: &str| {
            let explicit: BTreeMap<String, u64> = explicit
                .iter()
                .map(|(n, s)| ((*n).to_owned(), *s))
                .collect();
            Sizes::new(&explicit, &all).get(name)
        };
        assert_eq!(size(&[], "conversations"), 250);
        assert_eq!(size(&[], "users"), 62);
        assert_eq!(size(&[], "tags"), 36);
        assert_eq!(size(&[], "companies"), 36, "at least as many as tags");
        assert_eq!(size(&[("conversations", 1_000)], "companies"), 125);
        assert_eq!(size(&[("conversations", 0)], "users"), 3);
        assert_eq!(size(&[("users", 7)], "users"), 7);
        assert_eq!(size(&[("tags", u64::MAX)], "tags"), crate::MAX_ITEMS);
        assert_eq!(size(&[], "no-such-collection"), 0);
    }

    #[test]
    fn collection_names_are_unique() {
        let all = collections(GROUPS);
        for (i, a) in all.iter().enumerate() {
            assert!(
                all[i + 1..].iter().all(|b| b.name != a.name),
                "{} is seeded twice",
                a.name
            );
        }
    }
}
