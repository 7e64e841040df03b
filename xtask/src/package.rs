//! `cargo xtask package`: the publishable crates package cleanly, offline and in about a
//! second.
//!
//! The publishable crates are the workspace members without `publish = false`, read from
//! `cargo metadata`, so a new crate is checked as soon as it exists. For each one:
//!
//! - its manifest has what crates.io shows: a description, a licence, the repository, a
//!   readme, keywords and categories;
//! - its package holds the readme and every `LICENSE*` file of the workspace root (a crate
//!   directory links them, since cargo packages nothing from outside it but the readme);
//! - `cargo package --no-verify` builds all of them together without an error or a warning
//!   (unpublished workspace dependencies resolve locally, a dependency without a version is
//!   refused, a dev-dependency without one is dropped).
//!
//! `--no-verify` skips compiling each package again from its archive, which would cost
//! minutes; the workspace's own build and tests cover the code.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// A workspace member that can be published, as `cargo metadata` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publishable {
    /// The package's name.
    pub name: String,
    /// The file name of its readme, as it is packaged, if it has one.
    pub readme: Option<String>,
    /// What its manifest lacks for crates.io, one line each.
    pub problems: Vec<String>,
}

/// The publishable members of `cargo metadata --no-deps --format-version 1` output (those
/// whose `publish` is not an empty list), in its order, each with what its manifest lacks.
pub fn publishable(metadata: &Value) -> Result<Vec<Publishable>, String> {
    let packages = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata: no packages list")?;
    let mut found = Vec::new();
    for package in packages {
        let name = package["name"]
            .as_str()
            .ok_or("cargo metadata: a package without a name")?;
        let unpublishable = package["publish"].as_array().is_some_and(Vec::is_empty);
        if unpublishable {
            continue;
        }
        let text = |field: &str| {
            package[field]
                .as_str()
                .map(str::trim)
                .filter(|value| !value.is_empty())
        };
        let list = |field: &str| package[field].as_array().is_some_and(|v| !v.is_empty());
        let mut problems = Vec::new();
        for field in ["description", "repository", "readme"] {
            if text(field).is_none() {
                problems.push(format!("no `{field}`"));
            }
        }
        if text("license").is_none() && text("license_file").is_none() {
            problems.push("no `license` or `license-file`".to_owned());
        }
        for field in ["keywords", "categories"] {
            if !list(field) {
                problems.push(format!("no `{field}`"));
            }
        }
        let readme = text("readme").and_then(|path| {
            Path::new(path)
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
        });
        found.push(Publishable {
            name: name.to_owned(),
            readme,
            problems,
        });
    }
    Ok(found)
}

/// The files of `required` that the package listing `listed` (`cargo package --list`, one
/// path a line) does not hold.
pub fn missing<'a>(listed: &str, required: &'a [String]) -> Vec<&'a str> {
    required
        .iter()
        .map(String::as_str)
        .filter(|file| !listed.lines().any(|line| line.trim() == *file))
        .collect()
}

/// Runs the whole check with this `cargo`, reporting to `log`; `Err` says what failed.
pub fn check(cargo: &str, log: &mut impl Write) -> Result<(), String> {
    let metadata = output(
        cargo,
        &[
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ],
    )?;
    let metadata: Value = serde_json::from_str(&metadata)
        .map_err(|e| format!("cargo metadata printed something else than JSON: {e}"))?;
    let root = metadata["workspace_root"]
        .as_str()
        .ok_or("cargo metadata: no workspace_root")?;
    let mut licences: Vec<String> = std::fs::read_dir(root)
        .map_err(|e| format!("cannot read {root}: {e}"))?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("LICENSE"))
        .collect();
    licences.sort();
    let packages = publishable(&metadata)?;
    if packages.is_empty() {
        return Err("no publishable package in the workspace".to_owned());
    }
    let mut problems = Vec::new();
    for package in &packages {
        problems.extend(
            package
                .problems
                .iter()
                .map(|problem| format!("{}: Cargo.toml: {problem}", package.name)),
        );
        let listed = output(
            cargo,
            &[
                "package",
                "--list",
                "--offline",
                "--allow-dirty",
                "-p",
                &package.name,
            ],
        )?;
        let mut required = licences.clone();
        required.extend(package.readme.clone());
        for file in missing(&listed, &required) {
            problems.push(format!(
                "{}: the package does not hold {file} (link the root's into the crate's directory)",
                package.name
            ));
        }
    }
    let mut args = vec![
        "package",
        "--no-verify",
        "--offline",
        "--allow-dirty",
        "--quiet",
    ];
    for package in &packages {
        args.extend(["-p", package.name.as_str()]);
    }
    let _ = writeln!(log, "xtask: cargo {}", args.join(" "));
    let packaged = Command::new(cargo)
        .args(&args)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stderr = String::from_utf8_lossy(&packaged.stderr);
    if !packaged.status.success() || stderr.contains("warning") {
        let _ = write!(log, "{stderr}");
        problems.push("`cargo package` failed or warned (above)".to_owned());
    }
    if problems.is_empty() {
        let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
        let _ = writeln!(log, "package check: {} package cleanly", names.join(", "));
        Ok(())
    } else {
        for problem in &problems {
            let _ = writeln!(log, "package {problem}");
        }
        Err(format!("{} problem(s)", problems.len()))
    }
}

/// The standard output of a cargo command that must succeed.
fn output(cargo: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(cargo)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo {}` failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unpublishable_members_are_skipped_and_thin_manifests_named() {
        let metadata = json!({"packages": [
            {"name": "full", "publish": null, "description": "A crate.", "license": "MIT",
             "license_file": null, "repository": "https://example.com/r", "readme": "docs/README.md",
             "keywords": ["a"], "categories": ["api-bindings"]},
            {"name": "internal", "publish": [], "description": null},
            {"name": "thin", "publish": ["crates-io"], "description": " ", "license": null,
             "license_file": "LICENCE", "repository": null, "readme": null,
             "keywords": [], "categories": null},
        ]});
        let found = publishable(&metadata).unwrap_or_default();
        let names: Vec<&str> = found.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["full", "thin"]);
        assert_eq!(found[0].problems, Vec::<String>::new());
        assert_eq!(found[0].readme.as_deref(), Some("README.md"));
        assert_eq!(
            found[1].problems,
            [
                "no `description`",
                "no `repository`",
                "no `readme`",
                "no `keywords`",
                "no `categories`"
            ]
        );
        assert!(publishable(&json!({})).is_err());
    }

    #[test]
    fn files_missing_from_a_listing_are_named() {
        let listed = "Cargo.toml\nLICENSE-MIT\nREADME.md\nsrc/lib.rs\nsrc/LICENSE-APACHE\n";
        let required = ["LICENSE-APACHE", "LICENSE-MIT", "README.md"].map(String::from);
        assert_eq!(missing(listed, &required), ["LICENSE-APACHE"]);
        assert!(missing("", &[]).is_empty());
    }
}
