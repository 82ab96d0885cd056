//! `aftercare db`: list, search, validate and export the curated database.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};

use aftercare::Database;
use aftercare::db::INGREDIENT_HEADER;

use super::load_checker;

#[derive(Args)]
pub struct DbArgs {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Subcommand)]
enum DbCommand {
    /// List entries, optionally of one category: a header line, then one
    /// tab-separated `name`, `category` line per entry.
    List {
        /// Only the entries of this category (an id such as `aha`; `db stats` lists them).
        #[arg(long, value_name = "ID")]
        category: Option<String>,
        /// An overlay CSV in the format of data/*.csv, adding or overriding entries.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
    /// Entries whose name or an alias contains the text: a header line, then one
    /// tab-separated `name`, `category`, `aliases` line per entry. Exit 1 when none.
    Search {
        /// The text to look for (several words are joined with spaces); any case.
        #[arg(required = true, value_name = "TEXT")]
        text: Vec<String>,
        /// An overlay CSV in the format of data/*.csv, adding or overriding entries.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
    /// Check an overlay file: every problem with its line, all at once.
    Validate {
        /// The overlay CSV, in the format of data/*.csv.
        file: PathBuf,
    },
    /// Export every entry.
    Export {
        /// Output format: CSV in the columns of data/*.csv, or a JSON array.
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// An overlay CSV in the format of data/*.csv, adding or overriding entries.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
    /// Counts per category.
    Stats,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ExportFormat {
    Csv,
    Json,
}

pub fn run(args: DbArgs) -> Result<u8> {
    let mut out = std::io::stdout().lock();
    match args.command {
        DbCommand::List { category, db } => {
            let checker = load_checker(db.as_deref())?;
            let d = checker.db();
            if let Some(c) = &category
                && d.category(c).is_none()
            {
                let ids: Vec<_> = d.categories.iter().map(|c| c.id.as_str()).collect();
                anyhow::bail!(
                    "unknown category `{c}`; categories are {}",
                    aftercare::db::quote_list(&ids)
                );
            }
            writeln!(out, "name\tcategory")?;
            for e in d
                .all_entries()
                .filter(|e| category.as_ref().is_none_or(|c| &e.category == c))
            {
                writeln!(out, "{}\t{}", e.name, e.category)?;
            }
        }
        DbCommand::Search { text, db } => {
            let text = text.join(" ");
            if text.trim().is_empty() {
                // Every entry contains the empty text: almost surely a script's empty
                // variable, not a wish for the whole database (`db list` is that).
                anyhow::bail!(
                    "`db search` needs text to look for, such as `aftercare db search retinyl`; `db list` lists every entry"
                );
            }
            let checker = load_checker(db.as_deref())?;
            let hits = checker.matcher().search(&text);
            if hits.is_empty() {
                return Ok(1);
            }
            writeln!(out, "name\tcategory\taliases")?;
            for i in hits {
                let e = checker.matcher().entry(i);
                writeln!(out, "{}\t{}\t{}", e.name, e.category, e.aliases.join("|"))?;
            }
        }
        DbCommand::Validate { file } => {
            let rows = Database::validate_overlay(&file)?;
            writeln!(out, "{}: {rows} entries, no problems", file.display())?;
        }
        DbCommand::Export { format, db } => {
            let checker = load_checker(db.as_deref())?;
            let d = checker.db();
            match format {
                ExportFormat::Csv => {
                    let mut w = csv::Writer::from_writer(out);
                    w.write_record(INGREDIENT_HEADER.iter().copied().chain(["comedogenic"]))?;
                    for e in d.all_entries() {
                        w.write_record([
                            e.name.as_ref(),
                            &e.aliases.join("|"),
                            e.category.as_ref(),
                            &e.flags.to_cell(),
                            e.reason.as_ref(),
                            e.source.as_ref(),
                            &e.comedogenic.map(|r| r.to_string()).unwrap_or_default(),
                        ])?;
                    }
                    w.flush()?;
                }
                ExportFormat::Json => {
                    let all: Vec<_> = d.all_entries().collect();
                    serde_json::to_writer_pretty(&mut out, &all)?;
                    writeln!(out)?;
                }
            }
        }
        DbCommand::Stats => {
            let checker = load_checker(None)?;
            let d = checker.db();
            for c in &d.categories {
                let n = d.all_entries().filter(|e| e.category == c.id).count();
                let p = d.patterns.iter().filter(|p| p.category == c.id).count();
                writeln!(out, "{}\t{n}\t{p}", c.id)?;
            }
            let rated = d.entries.iter().filter(|e| e.comedogenic.is_some()).count();
            writeln!(out, "comedogenic ratings\t{rated}")?;
            writeln!(out, "look-alikes\t{}", d.lookalikes.len())?;
        }
    }
    Ok(0)
}
