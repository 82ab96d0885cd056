//! Text for people: the verdict in one line, then findings, notes, unrecognised names
//! and the condition about redness and peeling.

use std::io::Write;

use anstyle::{AnsiColor, Style};

use super::sanitize;
use crate::assess::{Assessment, Verdict, summarize};
use crate::db::Database;

const BOLD: Style = Style::new().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const DIM: Style = Style::new().dimmed();

/// Writes the assessment. Styles are ANSI; the caller's stream strips them when
/// colour is off.
pub fn write(out: &mut dyn Write, a: &Assessment, db: &Database) -> std::io::Result<()> {
    let style = match a.verdict {
        Verdict::Ok => GREEN,
        Verdict::Wait => YELLOW,
        Verdict::Review | Verdict::Avoid => RED,
    };
    let summary = summarize(a, db);
    let mut headline = if summary.is_empty() {
        a.wait_text.clone()
    } else {
        format!("{}: {summary}", a.wait_text)
    };
    if let Some(why) = &a.review {
        headline.push_str("; ");
        headline.push_str(&sanitize(why));
    }
    writeln!(out, "{style}{headline}{style:#}")?;
    if let Some(name) = &a.name {
        writeln!(out, "{DIM}product:{DIM:#} {}", sanitize(name))?;
    }
    writeln!(
        out,
        "{DIM}profile {} · type {} ({}) · baseline {} h{}{DIM:#}",
        a.profile,
        a.product_type,
        a.product_type_source,
        a.baseline_hours,
        match &a.safe_from {
            Some(t) => format!(" · safe from {t}"),
            None => String::new(),
        }
    )?;
    let multipart = a.parts.len() > 1;
    if !a.findings.is_empty() {
        writeln!(out, "\n{BOLD}findings{BOLD:#}")?;
        for f in &a.findings {
            let wait = match f.wait_hours {
                Some(h) => format!("{h} h"),
                None => "avoid".into(),
            };
            let label = db
                .category(&f.category)
                .map_or(&*f.category, |c| c.label.as_str());
            let place = match (f.position, multipart) {
                (Some(p), true) => format!("{}#{p} ", part_name(a, f.part)),
                (Some(p), false) => format!("#{p} "),
                (None, _) => String::new(),
            };
            let printed = if f.ingredient.is_empty() {
                f.name.to_string()
            } else {
                sanitize(&f.ingredient)
            };
            let mut marks = String::new();
            if f.probable {
                marks.push_str(" (probable)");
            }
            if f.possible {
                marks.push_str(" (may contain)");
            }
            writeln!(
                out,
                "  {place}{BOLD}{printed}{BOLD:#} [{label}, {wait}]{marks}: {}",
                f.reason
            )?;
            if let Some(t) = &f.safe_from {
                writeln!(out, "      {DIM}safe from {t}{DIM:#}")?;
            }
        }
    }
    if multipart {
        writeln!(out, "\n{BOLD}parts{BOLD:#}")?;
        for (i, p) in a.parts.iter().enumerate() {
            let wait = p
                .wait_hours
                .map_or("avoid".to_string(), |h| format!("{h} h"));
            writeln!(out, "  {}: {wait}", part_name(a, i))?;
        }
    }
    if !a.notes.is_empty() {
        writeln!(out, "\n{BOLD}notes{BOLD:#}")?;
        for n in &a.notes {
            let pos = n.position.map(|p| format!("#{p} ")).unwrap_or_default();
            writeln!(
                out,
                "  {pos}{} [{}]: {}",
                sanitize(&n.ingredient),
                n.category,
                n.reason
            )?;
        }
    }
    let unknown: Vec<_> = a.unrecognized().collect();
    if !unknown.is_empty() {
        writeln!(
            out,
            "\n{BOLD}unrecognised{BOLD:#} (not in the database; not treated as safe)"
        )?;
        for i in unknown {
            let hint = i
                .suggestion
                .as_ref()
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            writeln!(out, "  #{} {}{hint}", i.position, sanitize(&i.text))?;
        }
    }
    let known = a.ingredients.len() - a.unrecognized().count();
    writeln!(
        out,
        "\n{DIM}{} ingredients read, {known} recognised.{DIM:#}",
        a.ingredients.len()
    )?;
    writeln!(out, "{BOLD}{}{BOLD:#}", capitalize(a.condition))?;
    Ok(())
}

fn part_name(a: &Assessment, i: usize) -> String {
    a.parts[i]
        .name
        .as_deref()
        .map(sanitize)
        .unwrap_or_else(|| format!("part {}", i + 1))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str() + ".",
        None => String::new(),
    }
}
