//! `aftercare completions SHELL` and `aftercare man`: the command line described for
//! shells and for `man`, generated from the same clap definition that parses it, so
//! they cannot fall behind the options.

use std::io::Write;

use anyhow::Result;
use clap::{Args, CommandFactory, ValueEnum};

use super::Cli;

#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

/// Writes the completion script on standard output.
pub fn completions(args: CompletionsArgs) -> Result<u8> {
    use clap_complete::Shell as S;
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
        Shell::Elvish => S::Elvish,
    };
    // Written to memory first: the generator panics on a failed write, and standard
    // output may be a pipe closed early (`| head`), which is not an error.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "aftercare", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(0)
}

/// Writes the man page (roff) on standard output.
pub fn man() -> Result<u8> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.flush()?;
    Ok(0)
}
