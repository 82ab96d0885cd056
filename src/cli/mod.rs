//! Command-line wiring: each subcommand has one file with its arguments and `run`.
//! Commands read inputs, call the library and hand results to a reporter.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use aftercare::{Checker, Database, Options, Profile};

mod batch;
mod check;
mod ci;
mod db;
mod explain;
pub(crate) mod output;
mod plan;
mod serve;
mod shell;

#[derive(Parser)]
#[command(
    name = "aftercare",
    version,
    about = "Is this skincare product safe after microneedling, and from when?",
    long_about = "Reads a product's ingredient list and says whether it is safe to use after a \
microneedling treatment, and from when. Exit codes: 0 nothing beyond the baseline wait, \
1 a wait, review or avoid, 2 could not run."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check one pasted ingredient list.
    Check(check::CheckArgs),
    /// Check every product of a CSV catalog: one result per record, in input order.
    Batch(batch::BatchArgs),
    /// Check a clinic's catalog against its policy; fails the build on violations.
    Ci(ci::CiArgs),
    /// Write a commented policy template (`aftercare.toml`).
    Init(ci::InitArgs),
    /// What the database knows about one ingredient.
    Explain(explain::ExplainArgs),
    /// List, search, validate and export the curated database.
    Db(db::DbArgs),
    /// A day-by-day plan from the treatment back to a whole routine (text, JSON, HTML).
    Plan(plan::PlanArgs),
    /// A local web page for pasting a label, and a JSON API (`/api/check`).
    Serve(serve::ServeArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    ///
    /// For example: `aftercare completions bash > ~/.local/share/bash-completion/completions/aftercare`.
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff), for example to `man -l -` or a `man1` folder.
    Man,
}

/// Options shared by the commands that assess products.
#[derive(Args, Clone, Debug)]
pub struct Common {
    /// Protocol profile: light (under 0.5 mm), standard (0.5 to 1.5 mm), deep.
    #[arg(long, value_enum, conflicts_with = "depth")]
    pub profile: Option<ProfileArg>,
    /// Needle depth in millimetres; picks the profile.
    #[arg(long, value_name = "MM")]
    pub depth: Option<f64>,
    /// When the treatment ended (`2026-11-26 14:00` local, or RFC 3339); waits are then
    /// also shown as dates.
    #[arg(long, value_name = "DATETIME")]
    pub treated_at: Option<String>,
    /// Time zone for dates (IANA name such as `Europe/Paris`); default: the system's.
    #[arg(long, value_name = "TZ")]
    pub tz: Option<String>,
    /// An overlay CSV in the format of data/*.csv, adding or overriding entries.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Product type (makeup, mineral-makeup, sunscreen, mineral-sunscreen, scrub, ...).
    #[arg(long = "type", value_name = "TYPE")]
    pub product_type: Option<String>,
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Exit 0 even when a product needs a wait.
    #[arg(long)]
    pub exit_zero: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ProfileArg {
    Light,
    Standard,
    Deep,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Profile {
        match p {
            ProfileArg::Light => Profile::Light,
            ProfileArg::Standard => Profile::Standard,
            ProfileArg::Deep => Profile::Deep,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

impl Common {
    /// The checker, with the overlay when one is given.
    pub fn checker(&self) -> Result<Checker> {
        load_checker(self.db.as_deref())
    }

    pub fn options(&self, checker: &Checker, name: Option<String>) -> Result<Options> {
        if let Some(t) = &self.product_type {
            checker.given_type(t).map_err(anyhow::Error::msg)?;
        }
        if let Some(d) = self.depth
            && !(d.is_finite() && (0.0..=10.0).contains(&d))
        {
            bail!("depth `{d}` is not a needle depth; give millimetres, such as `0.5` or `1.5`");
        }
        // The time-zone database is read only when a date is asked for.
        let treated_at = match &self.treated_at {
            Some(t) => {
                let tz =
                    aftercare::time::time_zone(self.tz.as_deref()).map_err(anyhow::Error::msg)?;
                Some(aftercare::time::parse_datetime(t, &tz).map_err(anyhow::Error::msg)?)
            }
            None => None,
        };
        Ok(Options {
            profile: self.profile.map(Profile::from),
            depth: self.depth,
            product_type: self.product_type.clone(),
            name,
            treated_at,
            wait_overrides: Default::default(),
            brief: false,
        })
    }

    pub fn stdout(&self) -> anstream::AutoStream<std::io::Stdout> {
        let choice = match self.color {
            ColorArg::Auto => anstream::ColorChoice::Auto,
            ColorArg::Always => anstream::ColorChoice::Always,
            ColorArg::Never => anstream::ColorChoice::Never,
        };
        anstream::AutoStream::new(std::io::stdout(), choice)
    }

    /// 1 for a wait, review or avoid, unless `--exit-zero`.
    pub fn exit_code(&self, needs_wait: bool) -> u8 {
        u8::from(needs_wait && !self.exit_zero)
    }
}

pub fn load_checker(overlay: Option<&std::path::Path>) -> Result<Checker> {
    let db = match overlay {
        Some(path) => Database::with_overlay(path),
        None => Database::embedded(),
    }
    .context("cannot load the database")?;
    Ok(Checker::new(Arc::new(db)))
}

/// The most a label or routine file may hold: labels are limited to 1 MiB of text,
/// and UTF-16 doubles its bytes; a routine holds several.
pub const TEXT_FILE_LIMIT: u64 = 8 << 20;

/// Reads a file (or `-` for standard input) as text, decoding as `input::decode` does;
/// at most `TEXT_FILE_LIMIT` bytes.
pub fn read_text(path: &std::path::Path) -> Result<(String, Option<String>)> {
    let bytes =
        aftercare::input::read_bounded(path, TEXT_FILE_LIMIT, false).with_context(|| {
            if path.as_os_str() == "-" {
                "cannot read standard input".to_string()
            } else {
                format!("cannot read `{}`", path.display())
            }
        })?;
    let decoded = aftercare::input::decode(&bytes);
    Ok((decoded.text, decoded.note))
}

/// Says on standard error that `what` is being read from standard input, and how to
/// end it, when standard input is a terminal: someone who typed `aftercare check`
/// without a label would otherwise see a command that seems to hang. Silent when
/// input comes from a pipe or a file, as ripgrep is.
pub fn announce_terminal_stdin(what: &str) {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        eprintln!("{}", reading_stdin_note(what, cfg!(windows)));
    }
}

/// The note `announce_terminal_stdin` prints; Windows ends terminal input with Ctrl-Z
/// then Enter, other systems with Ctrl-D.
fn reading_stdin_note(what: &str, windows: bool) -> String {
    let end = if windows {
        "Ctrl-Z then Enter"
    } else {
        "Ctrl-D"
    };
    format!(
        "aftercare: reading {what} from standard input; paste or type it, then press {end} (Ctrl-C to cancel)"
    )
}

pub fn run() -> Result<u8> {
    let cli = parse();
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Batch(args) => batch::run(args),
        Command::Ci(args) => ci::run(args),
        Command::Init(args) => ci::init(args),
        Command::Explain(args) => explain::run(args),
        Command::Db(args) => db::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man => shell::man(),
    }
}

/// The arguments, as `Cli::parse` reads them, except that `--version` also names the
/// database. Loading it costs a fifth of a second, so it is loaded only when the
/// version is asked for.
fn parse() -> Cli {
    let mut command = Cli::command();
    if std::env::args_os()
        .skip(1)
        .any(|a| a == "--version" || a == "-V")
    {
        // Printed once, then the process exits: leaking the string is harmless.
        command = command.version(&*Box::leak(version_with_database().into_boxed_str()));
    }
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// `0.1.0 (database: 28,888 entries, 1,043 synonyms)`: what a bug report needs to
/// say which data gave an answer.
fn version_with_database() -> String {
    let version = env!("CARGO_PKG_VERSION");
    match Database::embedded() {
        Ok(db) => format!(
            "{version} (database: {} entries, {} synonyms)",
            thousands(db.all_entries().count()),
            thousands(db.synonyms)
        ),
        Err(e) => format!("{version} (database: cannot be loaded: {e})"),
    }
}

/// `28888` as `28,888`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stdin_note_says_what_and_how_to_end_it() {
        let unix = reading_stdin_note("the ingredient list", false);
        assert!(unix.contains("reading the ingredient list from standard input"));
        assert!(unix.contains("press Ctrl-D"), "{unix}");
        let windows = reading_stdin_note("a CSV catalog", true);
        assert!(windows.contains("reading a CSV catalog"));
        assert!(windows.contains("press Ctrl-Z then Enter"), "{windows}");
    }

    #[test]
    fn thousands_are_grouped_by_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(28888), "28,888");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
