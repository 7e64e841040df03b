//! `usercom completion SHELL`: the shell completion script, from the whole command tree
//! (every group and operation of the registry included), by clap_complete.

use std::io::Write;

use clap::{Arg, ArgMatches, Command, value_parser};
use clap_complete::Shell;

use crate::Failure;

/// The command's name.
pub const NAME: &str = "completion";
const SHELL: &str = "shell";

/// The `completion` command.
pub fn command() -> Command {
    Command::new(NAME)
        .about("Print the shell completion script for bash, zsh, fish, PowerShell or elvish")
        .long_about(
            "Print the completion script of a shell on stdout: every command, group, operation \
             and flag of this usercom completes with Tab. Load it from your shell's startup \
             file, or save it where the shell looks for completions.",
        )
        .after_help(
            "Install:\n  \
             bash        echo 'source <(usercom completion bash)' >> ~/.bashrc\n  \
             zsh         usercom completion zsh > \"${fpath[1]}/_usercom\"\n  \
             fish        usercom completion fish > ~/.config/fish/completions/usercom.fish\n  \
             PowerShell  usercom completion powershell | Out-String | Invoke-Expression",
        )
        .arg(
            Arg::new(SHELL)
                .required(true)
                .value_name("SHELL")
                .value_parser(value_parser!(Shell))
                .help("The shell"),
        )
}

/// Prints the script of the shell `matches` names for the command line `root`.
pub fn run(mut root: Command, matches: &ArgMatches) -> Result<(), Failure> {
    let Some(shell) = matches.get_one::<Shell>(SHELL).copied() else {
        return Err(Failure::Usage(
            "which shell? see usercom completion --help".to_owned(),
        ));
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut root, "usercom", &mut script);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&script)?;
    Ok(stdout.flush()?)
}
