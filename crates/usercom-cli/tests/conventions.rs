//! The command line's conventions: shell completions, environment variables in the help,
//! profiles, the key file, logging, errors that say what went wrong, and documented
//! examples that run on `--demo`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use usercom_core::registry;
use usercom_fake::{FakeOptions, FakeServer};

/// Variables that could change an outcome.
const VARIABLES: &[&str] = &[
    "USERCOM_API_KEY",
    "USERCOM_API_KEY_FILE",
    "USERCOM_SUBDOMAIN",
    "USERCOM_BASE_URL",
    "USERCOM_PROFILE",
    "USERCOM_CONFIG",
    "RUST_LOG",
];

/// A folder of its own for a test, standing in for the home directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("conventions")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `usercom` with none of the variables above and `home` as its home directory (so no
/// configuration file of the machine's is read).
fn usercom(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_usercom"));
    for name in VARIABLES {
        command.env_remove(name);
    }
    command
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .stdin(Stdio::null());
    command
}

fn run(command: &mut Command, args: &[&str]) -> Output {
    command.args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[track_caller]
fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
}

/// A key file readable by its owner only.
fn key_file(dir: &Path, name: &str, key: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{key}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

#[test]
fn completion_scripts_complete_every_command_of_the_registry() {
    let home = scratch("completion");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = run(&mut usercom(&home), &["completion", shell]);
        assert_exit(&output, 0);
        let script = stdout(&output);
        for registration in registry::operations() {
            for name in [registration.group(), registration.operation()] {
                assert!(
                    script.contains(name),
                    "{shell}: {name} ({}) is not completed",
                    registration.name
                );
            }
        }
    }
    let fish = stdout(&run(&mut usercom(&home), &["completion", "fish"]));
    for expected in [
        "-a \"set-attributes\"",
        "-a \"import\"",
        "-a \"completion\"",
        "-l profile",
        "-l custom-id",
    ] {
        assert!(fish.contains(expected), "fish: no {expected}");
    }
    let unknown = run(&mut usercom(&home), &["completion", "tcsh"]);
    assert_exit(&unknown, 2);
    assert!(stderr(&unknown).contains("'tcsh'"), "{}", stderr(&unknown));
}

#[test]
fn help_names_the_environment_variables_never_their_values_and_sets_global_flags_apart() {
    let home = scratch("help");
    let secret = "s3cretpassw0rd";
    let command = || {
        let mut command = usercom(&home);
        command
            .env(
                "USERCOM_BASE_URL",
                format!("https://user:{secret}@proxy.example/"),
            )
            .env("USERCOM_SUBDOMAIN", secret)
            .env("USERCOM_API_KEY_FILE", format!("/keys/{secret}"))
            .env("USERCOM_PROFILE", secret)
            .env("USERCOM_CONFIG", format!("/{secret}.toml"))
            .env("USERCOM_API_KEY", secret);
        command
    };
    let help = stdout(&run(&mut command(), &["--help"]));
    for variable in VARIABLES
        .iter()
        .filter(|v| v.starts_with("USERCOM_") && **v != "USERCOM_API_KEY")
    {
        assert!(
            help.contains(&format!("[env: {variable}]")),
            "{variable}:\n{help}"
        );
    }
    assert!(!help.contains(secret), "{help}");

    let own = stdout(&run(&mut command(), &["tags", "update", "--help"]));
    let at = |text: &str| {
        own.find(text)
            .unwrap_or_else(|| panic!("no {text} in:\n{own}"))
    };
    assert!(at("--name") < at("Global options:"), "{own}");
    assert!(at("Global options:") < at("--subdomain"), "{own}");
    assert!(at("Global options:") < at("--profile"), "{own}");
    assert!(!own.contains(secret), "{own}");
}

/// An account of the fake, with its key in a file.
struct Account {
    server: FakeServer,
    home: PathBuf,
    key_file: PathBuf,
}

fn account(name: &str) -> Account {
    let server = FakeServer::start(FakeOptions::default()).unwrap();
    let home = scratch(name);
    let key_file = key_file(&home, "fake.key", server.api_key());
    Account {
        server,
        home,
        key_file,
    }
}

/// Where nothing listens.
const DEAD: &str = "http://127.0.0.1:9/";

#[test]
fn flags_beat_the_environment() {
    let account = account("flags");
    let key = account.key_file.to_str().unwrap();
    let command = || {
        let mut command = usercom(&account.home);
        command
            .env("USERCOM_BASE_URL", DEAD)
            .env("USERCOM_SUBDOMAIN", "acme")
            .env("USERCOM_API_KEY", "wrong");
        command
    };
    let output = run(
        &mut command(),
        &[
            "--base-url",
            account.server.base_url(),
            "--api-key-file",
            key,
            "--max-attempts",
            "1",
            "tags",
            "list",
        ],
    );
    assert_exit(&output, 0);

    // The environment's account is left aside by --demo.
    let demo = run(&mut command(), &["--demo", "tags", "list"]);
    assert_exit(&demo, 0);

    let both = run(
        &mut usercom(&account.home),
        &["--subdomain", "acme", "--base-url", DEAD, "tags", "list"],
    );
    assert_exit(&both, 2);
    assert!(stderr(&both).contains("pass one"), "{}", stderr(&both));
}

#[test]
fn profiles_name_accounts_and_key_files_under_flags_and_environment() {
    let account = account("profiles");
    let config = account.home.join("usercom.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.fake]\nbase_url = \"{url}\"\napi_key_file = \"fake.key\"\n\n\
             [profiles.dead]\nbase_url = \"{DEAD}\"\napi_key_file = \"{key}\"\n",
            url = account.server.base_url(),
            key = account.key_file.display(),
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let tags = |command: &mut Command, args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--max-attempts", "1", "tags", "list"]);
        run(command, &all)
    };

    assert_exit(
        &tags(
            &mut usercom(&account.home),
            &["--config", config, "--profile", "fake"],
        ),
        0,
    );
    let by_environment = || {
        let mut command = usercom(&account.home);
        command
            .env("USERCOM_CONFIG", config)
            .env("USERCOM_PROFILE", "fake");
        command
    };
    assert_exit(&tags(&mut by_environment(), &[]), 0);
    // The flag beats the environment's profile.
    let dead = tags(&mut by_environment(), &["--profile", "dead"]);
    assert_exit(&dead, 4);
    // The environment's account beats the profile's; the key still comes from it.
    let mut over = usercom(&account.home);
    over.env("USERCOM_CONFIG", config)
        .env("USERCOM_PROFILE", "dead")
        .env("USERCOM_BASE_URL", account.server.base_url());
    assert_exit(&tags(&mut over, &[]), 0);
    let requests = account.server.requests().len();
    assert_eq!(requests, 3, "three listings reached the fake");

    let unknown = tags(
        &mut usercom(&account.home),
        &["--config", config, "--profile", "prod"],
    );
    assert_exit(&unknown, 2);
    assert!(
        stderr(&unknown).contains(&format!("no profile prod in {config} (it has dead, fake)")),
        "{}",
        stderr(&unknown)
    );
    assert_eq!(account.server.requests().len(), requests);
}

#[test]
fn the_default_profile_of_the_configuration_directory_is_used_when_nothing_else_names_an_account() {
    let account = account("default-profile");
    let folder = account.home.join(".config").join("usercom");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("config.toml"),
        format!(
            "[profiles.default]\nbase_url = \"{}\"\napi_key_file = \"~/fake.key\"\n",
            account.server.base_url()
        ),
    )
    .unwrap();
    let output = run(&mut usercom(&account.home), &["tags", "list"]);
    assert_exit(&output, 0);
    assert_eq!(account.server.requests().len(), 1);
}

#[test]
fn bad_configuration_files_are_refused_clearly_without_their_secrets() {
    let home = scratch("bad-config");
    let secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let cases: &[(&str, &str)] = &[
        (
            &format!("[profiles.acme]\nsubdomain = \"acme\"\napi_key = \"{secret}\"\n"),
            "profile acme has `api_key`: a profile never holds the key itself",
        ),
        (
            &format!("[profiles.acme]\nsubdomain = \"acme\"\nkey = \"{secret}\"\n"),
            "profile acme has `key`",
        ),
        (
            &format!("[profiles.acme]\nsubdomain = {secret}\n"),
            "line 2, column",
        ),
        (
            "[profiles.acme]\nsubdomian = \"acme\"\n",
            "line 2, column 1: unknown field `subdomian`",
        ),
        (
            "[profiles.acme]\nsubdomain = \"acme\"\nbase_url = \"https://x.example/\"\n",
            "has both subdomain and base_url",
        ),
    ];
    let config = home.join("config.toml");
    for (text, expected) in cases {
        std::fs::write(&config, text).unwrap();
        let output = run(
            &mut usercom(&home),
            &[
                "--config",
                config.to_str().unwrap(),
                "--profile",
                "acme",
                "tags",
                "list",
            ],
        );
        assert_exit(&output, 2);
        let error = stderr(&output);
        assert!(error.contains(expected), "{text}: {error}");
        assert!(error.contains(config.to_str().unwrap()), "{error}");
        assert!(!error.contains(secret), "{error}");
    }
    let missing = run(
        &mut usercom(&home),
        &["--config", "/no/such/usercom.toml", "tags", "list"],
    );
    assert_exit(&missing, 2);
    assert!(
        stderr(&missing).contains("cannot read the configuration file /no/such/usercom.toml"),
        "{}",
        stderr(&missing)
    );
}

#[cfg(unix)]
#[test]
fn key_files_are_read_with_a_bound_and_warned_about_when_others_can_read_them() {
    use std::os::unix::fs::PermissionsExt as _;

    let account = account("key-file");
    let base_url = account.server.base_url();
    let endless = run(
        &mut usercom(&account.home),
        &[
            "--base-url",
            base_url,
            "--api-key-file",
            "/dev/zero",
            "tags",
            "list",
        ],
    );
    assert_exit(&endless, 2);
    assert!(
        stderr(&endless).contains("--api-key-file /dev/zero is larger than 4096 bytes"),
        "{}",
        stderr(&endless)
    );

    let key = account.key_file.to_str().unwrap();
    let private = run(
        &mut usercom(&account.home),
        &[
            "--base-url",
            base_url,
            "--api-key-file",
            key,
            "tags",
            "list",
        ],
    );
    assert_exit(&private, 0);
    assert_eq!(stderr(&private), "");

    std::fs::set_permissions(&account.key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let shared = run(
        &mut usercom(&account.home),
        &[
            "--base-url",
            base_url,
            "--api-key-file",
            key,
            "tags",
            "list",
        ],
    );
    assert_exit(&shared, 0);
    assert!(
        stderr(&shared).contains(&format!(
            "warning: --api-key-file {key} can be read by other users (mode 644); chmod 600"
        )),
        "{}",
        stderr(&shared)
    );
    assert!(!stderr(&shared).contains(account.server.api_key()));
}

#[test]
fn rust_log_filters_the_log() {
    let account = account("rust-log");
    let list = |rust_log: Option<&str>, verbose: bool| {
        let mut command = usercom(&account.home);
        command.env("USERCOM_API_KEY", account.server.api_key());
        if let Some(filter) = rust_log {
            command.env("RUST_LOG", filter);
        }
        let mut args = vec!["--base-url", account.server.base_url(), "tags", "list"];
        if verbose {
            args.insert(0, "-v");
        }
        run(&mut command, &args)
    };
    let requests = |output: &Output| stderr(output).matches("usercom request").count();

    let filtered_in = list(Some("usercom_ureq=debug"), false);
    assert_exit(&filtered_in, 0);
    assert_eq!(requests(&filtered_in), 1, "{}", stderr(&filtered_in));
    assert!(
        stderr(&filtered_in).contains("usercom_ureq"),
        "targets are shown"
    );
    let filtered_out = list(Some("usercom_ureq=info"), true);
    assert_exit(&filtered_out, 0);
    assert_eq!(stderr(&filtered_out), "", "RUST_LOG decides, -v or not");
    let verbose = list(None, true);
    assert_eq!(requests(&verbose), 1, "{}", stderr(&verbose));
    assert_eq!(stderr(&list(None, false)), "");

    let invalid = list(Some("usercom_ureq=loud"), false);
    assert_exit(&invalid, 2);
    assert!(
        stderr(&invalid).contains("RUST_LOG=\"usercom_ureq=loud\" is not a valid filter"),
        "{}",
        stderr(&invalid)
    );
}

#[test]
fn a_404_says_what_was_not_found_and_a_401_where_keys_are_made() {
    let home = scratch("errors");
    for (args, expected) in [
        (
            &["conversations", "get", "1"][..],
            "usercom: conversation 1 not found (",
        ),
        (&["users", "get", "77"], "usercom: user 77 not found ("),
        (
            &["users", "get", "--custom-id", "no one"],
            "usercom: user with custom id 'no one' not found (",
        ),
        (
            &["conversations", "create", "--user", "77", "--content", "Hi"],
            "usercom: user 77 not found (",
        ),
        (&["tags", "delete", "7"], "usercom: tag 7 not found ("),
        (
            &["api", "GET", "companies/5/"],
            "usercom: company 5 not found (",
        ),
    ] {
        let mut all = vec!["--demo"];
        all.extend(args);
        let output = run(&mut usercom(&home), &all);
        assert_exit(&output, 3);
        assert!(
            stderr(&output).starts_with(expected),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).contains("HTTP 404"), "{}", stderr(&output));
    }

    let account = account("unauthorized");
    let wrong = "wrongkeywrongkeywrongkeywrongkeywrongkeywrongkeywrongkeywrongkey";
    let wrong_file = key_file(&account.home, "wrong.key", wrong);
    let output = run(
        &mut usercom(&account.home),
        &[
            "--base-url",
            account.server.base_url(),
            "--api-key-file",
            wrong_file.to_str().unwrap(),
            "tags",
            "list",
        ],
    );
    assert_exit(&output, 3);
    let error = stderr(&output);
    assert!(error.contains("HTTP 401"), "{error}");
    assert!(
        error.contains(&format!(
            "the key from --api-key-file {} was refused",
            wrong_file.display()
        )),
        "{error}"
    );
    assert!(
        error.contains("https://<subdomain>.user.com/api/credentials/"),
        "{error}"
    );
    assert!(!error.contains(wrong), "{error}");
}

/// The example command lines of a help text: its lines indented by two spaces that start
/// with `usercom`, without the description column after them.
fn help_examples(help: &str) -> Vec<String> {
    help.lines()
        .filter_map(|line| line.strip_prefix("  "))
        .filter(|line| line.starts_with("usercom "))
        .map(|line| line.split("  ").next().unwrap_or(line).trim().to_owned())
        .collect()
}

/// The command lines of the README's shell blocks that start with `usercom`.
fn readme_examples() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let mut in_shell = false;
    let mut examples = Vec::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_shell = line == "```sh" || line == "```bash" || line == "```console";
            continue;
        }
        if in_shell && line.starts_with("usercom ") {
            examples.push(line.to_owned());
        }
    }
    examples
}

/// The help of every command: the top, each group and operation, and the others.
fn every_help(home: &Path) -> Vec<(String, String)> {
    let mut paths: Vec<Vec<&str>> = vec![
        vec![],
        vec!["api"],
        vec!["webhooks"],
        vec!["webhooks", "listen"],
        vec!["completion"],
        vec!["users", "import"],
    ];
    for group in registry::groups() {
        paths.push(vec![group.name]);
        for operation in group.operations {
            paths.push(vec![group.name, operation.operation()]);
        }
    }
    paths
        .into_iter()
        .map(|path| {
            let mut args = path.clone();
            args.push("--help");
            let output = run(&mut usercom(home), &args);
            assert_exit(&output, 0);
            (path.join(" "), stdout(&output))
        })
        .collect()
}

/// The files the import examples read, in `dir`: `accounts.csv` with a column of each type
/// the example's `--types` names (text columns only without it), `accounts.jsonl`, and a
/// fixed `accounts.csv.failed.jsonl`.
fn write_import_files(dir: &Path, example: &str) {
    let types = example
        .split_whitespace()
        .skip_while(|word| *word != "--types")
        .nth(1)
        .unwrap_or_default();
    let (mut header, mut row) = (
        "custom_id,email".to_owned(),
        "acct-1,ada@example.com".to_owned(),
    );
    for pair in types.split(',').filter(|pair| !pair.is_empty()) {
        let (column, kind) = pair.split_once('=').unwrap();
        let value = match kind {
            "int" => "5",
            "float" => "1.5",
            "bool" => "true",
            "date" => "2026-01-31",
            "datetime" => "2026-01-31T10:00:00Z",
            _ => "text",
        };
        header = format!("{header},{column}");
        row = format!("{row},{value}");
    }
    if types.is_empty() {
        header.push_str(",plan");
        row.push_str(",pro");
    }
    std::fs::write(dir.join("accounts.csv"), format!("{header}\n{row}\n")).unwrap();
    std::fs::write(
        dir.join("accounts.jsonl"),
        "{\"custom_id\": \"acct-1\", \"email\": \"ada@example.com\", \"seats\": 5}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("accounts.csv.failed.jsonl"),
        "{\"custom_id\": \"acct-2\", \"plan\": \"pro\", \"_import\": {\"line\": 3}}\n",
    )
    .unwrap();
}

/// Every example of the help texts and of the README runs on `--demo` and succeeds: the
/// ids they use exist there. (`webhooks listen` runs until Ctrl-C: its examples are left
/// out.)
#[test]
fn every_documented_example_runs_on_the_demo() {
    let home = scratch("examples");
    let mut examples: Vec<(String, String)> = every_help(&home)
        .into_iter()
        .flat_map(|(command, help)| {
            help_examples(&help)
                .into_iter()
                .map(move |example| (format!("usercom {command} --help"), example))
        })
        .collect();
    let from_help = examples.len();
    examples.extend(
        readme_examples()
            .into_iter()
            .map(|e| ("README.md".to_owned(), e)),
    );
    assert!(from_help >= 20, "only {from_help} examples in the help");
    assert!(
        examples.len() >= from_help + 20,
        "only {} in all",
        examples.len()
    );

    let bin = Path::new(env!("CARGO_BIN_EXE_usercom")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut failed = Vec::new();
    let mut ran = 0;
    for (source, example) in &examples {
        if example.contains("webhooks listen") {
            continue;
        }
        let rest = example.strip_prefix("usercom ").unwrap();
        let rest = rest.replace("--subdomain acme ", "");
        let line = if rest.starts_with("--demo") {
            format!("usercom {rest}")
        } else {
            format!("usercom --demo {rest}")
        };
        write_import_files(&home, &line);
        let mut shell = Command::new("sh");
        for name in VARIABLES {
            shell.env_remove(name);
        }
        let output = shell
            .env("PATH", &path)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .current_dir(&home)
            .stdin(Stdio::null())
            .args(["-c", &line])
            .output()
            .unwrap();
        ran += 1;
        if !output.status.success() {
            failed.push(format!(
                "{source}: {line}\n  exit {:?}: {}",
                output.status.code(),
                stderr(&output).trim_end()
            ));
        }
    }
    assert!(ran >= 40, "only {ran} examples ran");
    assert!(
        failed.is_empty(),
        "examples that fail on --demo:\n{}",
        failed.join("\n")
    );
}
