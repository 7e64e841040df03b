//! The README's coverage table is the registry's: a group or operation added, renamed or
//! removed without the README following fails here, with the table to paste.

use usercom_core::registry;

/// The coverage table as the registry says it should read.
fn coverage_table() -> String {
    let mut table = String::from("| group | operations |\n|---|---|\n");
    for group in registry::groups() {
        let operations: Vec<String> = group
            .operations
            .iter()
            .map(|operation| format!("`{}`", operation.operation()))
            .collect();
        table.push_str(&format!("| {} | {} |\n", group.name, operations.join(", ")));
    }
    table
}

#[test]
fn the_readme_coverage_table_is_the_registry() {
    let readme = include_str!("../../../README.md");
    let expected = coverage_table();
    assert!(
        readme.contains(&expected),
        "README.md's coverage table differs from the registry; it should read:\n\n{expected}"
    );
}
