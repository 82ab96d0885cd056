//! `aftercare check`: one pasted ingredient list.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};

use aftercare::report;

use super::{Common, read_text};

#[derive(Args)]
pub struct CheckArgs {
    /// The ingredient list (several arguments are joined with spaces). Reads standard
    /// input when absent or `-`.
    pub label: Vec<String>,
    /// Read the label from a file.
    #[arg(long, short, value_name = "PATH", conflicts_with = "label")]
    pub file: Option<PathBuf>,
    /// The product's name; its words may give the type (`Mineral Powder SPF 20`).
    #[arg(long)]
    pub name: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: CheckArgs) -> Result<u8> {
    let stdin = std::path::Path::new("-");
    let source = match (&args.file, args.label.as_slice()) {
        (Some(path), _) => Some(path.as_path()),
        (None, []) => Some(stdin),
        (None, [one]) if one == "-" => Some(stdin),
        (None, _) => None,
    };
    let (label, note) = match source {
        Some(path) => {
            if path == stdin {
                super::announce_terminal_stdin("the ingredient list");
            }
            read_text(path)?
        }
        None => (args.label.join(" "), None),
    };
    let checker = args.common.checker()?;
    let options = args.common.options(&checker, args.name.clone())?;
    if let Some(n) = note {
        eprintln!("aftercare: note: {n}");
    }
    // A label copied from a scraped set as a Python list (`['Water', 'Glycerin']`) is
    // read as `batch` reads it; spans then refer to the unfolded text.
    let label = aftercare::catalog::unfold_python_list(&label).into_owned();
    let assessment = match checker.check(&label, &options) {
        Ok(a) => a,
        Err(e) => {
            let source = args
                .file
                .as_ref()
                .map(|p| format!(" in `{}`", p.display()))
                .unwrap_or_default();
            bail!("cannot check the label{source}: {e}");
        }
    };
    // Buffered: a long label's report is many small writes.
    let mut out = std::io::BufWriter::with_capacity(64 << 10, args.common.stdout());
    match args.format {
        Format::Text => report::text::write(&mut out, &assessment, checker.db())?,
        Format::Json => report::json::write(&mut out, &assessment)?,
    }
    out.flush()?;
    // The process is about to exit: freeing the database item by item would only
    // cost time.
    std::mem::forget(checker);
    Ok(args.common.exit_code(assessment.verdict.needs_attention()))
}
