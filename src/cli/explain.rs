//! `aftercare explain NAME`: what the database knows about one ingredient.

use std::io::Write;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};

use aftercare::explain::{Explanation, explain};

use super::load_checker;

#[derive(Args)]
pub struct ExplainArgs {
    /// An ingredient name as a label prints it.
    pub name: Vec<String>,
    /// An overlay CSV adding or overriding entries.
    #[arg(long, value_name = "PATH")]
    pub db: Option<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: ExplainArgs) -> Result<u8> {
    let name = args.name.join(" ");
    if name.trim().is_empty() {
        bail!("give an ingredient name, such as `aftercare explain \"Glycolic Acid\"`");
    }
    let checker = load_checker(args.db.as_deref())?;
    let explanation = explain(&checker, &name);
    let mut out = std::io::stdout().lock();
    let code = u8::from(matches!(explanation, Explanation::Unknown(_)));
    if args.format == Format::Json {
        serde_json::to_writer_pretty(&mut out, &explanation)?;
        writeln!(out)?;
        return Ok(code);
    }
    match explanation {
        Explanation::Known(k) => {
            let how = serde_json::to_value(k.matched_by)?;
            match &k.pattern {
                Some(p) => writeln!(out, "{name} (recognised by the pattern `{p}`)")?,
                None => writeln!(
                    out,
                    "{} (matched by {})",
                    k.name,
                    how.as_str().unwrap_or("")
                )?,
            }
            writeln!(out, "  category:    {}", k.category)?;
            writeln!(out, "  waits:       {}", k.wait_hours.describe())?;
            if !k.aliases.is_empty() {
                writeln!(out, "  aliases:     {}", k.aliases.join(", "))?;
            }
            if let Some(r) = k.comedogenic {
                writeln!(out, "  comedogenic: {r} (Fulton scale)")?;
            }
            if !k.rules.is_empty() {
                writeln!(out, "  rules:       {}", k.rules)?;
            }
            writeln!(out, "  reason:      {}", k.reason)?;
            for s in &k.sources {
                writeln!(
                    out,
                    "  source:      {}",
                    s.citation.as_deref().unwrap_or(&s.id)
                )?;
            }
            for l in &k.lookalikes {
                writeln!(
                    out,
                    "  look-alike:  {} is not {}: {}",
                    l.name, l.resembles, l.reason
                )?;
            }
            if let Some(at) = &k.defined_at {
                writeln!(out, "  defined at:  {at}")?;
            }
        }
        Explanation::Unknown(u) => {
            writeln!(out, "{}", u.error)?;
            if !u.close_matches.is_empty() {
                writeln!(out, "  close matches: {}", u.close_matches.join(", "))?;
            }
        }
    }
    Ok(code)
}
