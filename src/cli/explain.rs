//! `aftercare explain NAME`: what the database knows about one ingredient.

use std::io::Write;

use anyhow::{Result, bail};
use clap::Args;

use aftercare::db::Profile;
use aftercare::matcher::Target;
use aftercare::normalize::word_key;

use super::load_checker;

#[derive(Args)]
pub struct ExplainArgs {
    /// An ingredient name as a label prints it.
    pub name: Vec<String>,
    /// An overlay CSV adding or overriding entries.
    #[arg(long, value_name = "PATH")]
    pub db: Option<std::path::PathBuf>,
}

pub fn run(args: ExplainArgs) -> Result<u8> {
    let name = args.name.join(" ");
    if name.trim().is_empty() {
        bail!("give an ingredient name, such as `aftercare explain \"Glycolic Acid\"`");
    }
    let checker = load_checker(args.db.as_deref())?;
    let db = checker.db();
    let m = checker.matcher();
    let r = m.resolve(&name);
    let mut out = std::io::stdout().lock();
    let waits = |category: &str| -> String {
        Profile::ALL
            .iter()
            .map(|&p| {
                let w =
                    db.category(category)
                        .and_then(|c| c.wait(p))
                        .map_or("none".to_string(), |w| match w.hours() {
                            Some(h) => format!("{h} h"),
                            None => "avoid".into(),
                        });
                format!("{p} {w}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match r.target {
        Target::Entry(i) => {
            let e = m.entry(i);
            let how = format!("{:?}", r.how).to_lowercase();
            writeln!(out, "{} (matched by {how})", e.name)?;
            writeln!(out, "  category:    {}", e.category)?;
            writeln!(out, "  waits:       {}", waits(&e.category))?;
            if !e.aliases.is_empty() {
                writeln!(out, "  aliases:     {}", e.aliases.join(", "))?;
            }
            if let Some(r) = e.comedogenic {
                writeln!(out, "  comedogenic: {r} (Fulton scale)")?;
            }
            let flags = e.flags.to_cell();
            if !flags.is_empty() {
                writeln!(out, "  rules:       {flags}")?;
            }
            writeln!(out, "  reason:      {}", e.reason)?;
            for s in &e.source {
                let citation = db.sources.get(s).map_or(s.as_str(), String::as_str);
                writeln!(out, "  source:      {citation}")?;
            }
            let key = word_key(&e.name);
            for l in db
                .lookalikes
                .iter()
                .filter(|l| word_key(&l.name) == key || word_key(&l.resembles) == key)
            {
                writeln!(
                    out,
                    "  look-alike:  {} is not {}: {}",
                    l.name, l.resembles, l.reason
                )?;
            }
            writeln!(out, "  defined at:  {}", e.origin)?;
        }
        Target::Pattern(p) => {
            let pat = m.pattern(p);
            writeln!(out, "{name} (recognised by the pattern `{}`)", pat.id)?;
            writeln!(out, "  category:    {}", pat.category)?;
            writeln!(out, "  waits:       {}", waits(&pat.category))?;
            writeln!(out, "  reason:      {}", pat.reason)?;
        }
        Target::Unrecognized => {
            writeln!(out, "`{name}` is not in the database")?;
            let mut close: Vec<String> = m
                .search(&name)
                .into_iter()
                .take(5)
                .map(|i| m.entry(i).name.clone())
                .collect();
            if let Some(s) = r.suggestion {
                close.insert(0, m.entry(s).name.clone());
            }
            close.dedup();
            if !close.is_empty() {
                writeln!(out, "  close matches: {}", close.join(", "))?;
            }
            return Ok(1);
        }
    }
    Ok(0)
}
