//! `aftercare ci` results for people (text) and for CI systems (JSON, GitHub
//! annotations, JUnit XML, SARIF 2.1.0). Output is deterministic: products in catalog
//! order, no timestamps.

use std::io::Write;

use serde_json::json;

use super::sanitize;
use crate::ci::{CiRun, Issue, IssueKind};
use crate::db::{CategoryKind, Database, PRINTED_PROBLEMS};

/// One line per violation and warning, then a summary line.
pub fn text(out: &mut dyn Write, run: &CiRun, policy_file: &str) -> std::io::Result<()> {
    for p in &run.products {
        for (issue, level) in issues(p) {
            if issue.excepted.is_some() {
                continue;
            }
            let claim = p
                .claim
                .as_deref()
                .map(|c| format!(" [claim {c}]"))
                .unwrap_or_default();
            writeln!(
                out,
                "{}:{}: {level}: {}{claim}: {}",
                run.file,
                p.line,
                sanitize(&p.label()),
                sanitize(&issue.message)
            )?;
        }
    }
    for e in run.unused_exceptions.iter().take(PRINTED_PROBLEMS) {
        writeln!(
            out,
            "{policy_file}:{}: warning: exception for `{}`{} matched nothing",
            e.line,
            sanitize(&e.product),
            e.ingredient
                .as_deref()
                .map(|i| format!(" and `{}`", sanitize(i)))
                .unwrap_or_default()
        )?;
    }
    if run.unused_exceptions.len() > PRINTED_PROBLEMS {
        writeln!(
            out,
            "{policy_file}: warning: {} more exception(s) matched nothing (not listed)",
            run.unused_exceptions.len() - PRINTED_PROBLEMS
        )?;
    }
    let s = run.summary;
    let unchanged = if run.unchanged > 0 {
        format!(", {} unchanged since the baseline", run.unchanged)
    } else {
        String::new()
    };
    writeln!(
        out,
        "{}: {} products checked{unchanged}: {} violation(s), {} warning(s), {} accepted by exceptions",
        run.file,
        s.products,
        s.violations,
        s.warnings + run.unused_exceptions.len() as u64,
        s.excepted
    )
}

/// The whole run as JSON.
pub fn json(out: &mut dyn Write, run: &CiRun) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, run)?;
    writeln!(out)
}

/// GitHub Actions workflow commands: `::error file=...,line=...,title=...::message`.
pub fn github(out: &mut dyn Write, run: &CiRun, policy_file: &str) -> std::io::Result<()> {
    for p in &run.products {
        for (issue, level) in issues(p) {
            if issue.excepted.is_some() {
                continue;
            }
            let command = if level == "error" { "error" } else { "warning" };
            writeln!(
                out,
                "::{command} file={},line={},title={}::{}",
                escape_property(&run.file),
                p.line,
                escape_property(&format!("aftercare ({})", issue.rule)),
                escape_data(&format!("{}: {}", p.label(), issue.message))
            )?;
        }
    }
    for e in &run.unused_exceptions {
        writeln!(
            out,
            "::warning file={},line={},title={}::{}",
            escape_property(policy_file),
            e.line,
            escape_property("aftercare (unused exception)"),
            escape_data(&format!("exception for `{}` matched nothing", e.product))
        )?;
    }
    Ok(())
}

/// JUnit XML: one suite per catalog, one test case per product.
pub fn junit(out: &mut dyn Write, run: &CiRun) -> std::io::Result<()> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut suite = TestSuite::new(run.file.clone());
    for p in &run.products {
        let violations: Vec<&Issue> = p
            .violations
            .iter()
            .filter(|i| i.excepted.is_none())
            .collect();
        let status = if violations.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(
                violations
                    .iter()
                    .map(|i| i.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            s.set_type(violations[0].kind.id());
            s.set_description(
                violations
                    .iter()
                    .map(|i| format!("{}:{}: {}", run.file, p.line, i.message))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            s
        };
        let mut case = TestCase::new(format!("{} (line {})", p.label(), p.line), status);
        case.set_classname(run.file.clone());
        suite.add_test_case(case);
    }
    let mut report = Report::new("aftercare ci");
    report.add_test_suite(suite);
    report
        .serialize(&mut *out)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    writeln!(out)
}

/// SARIF 2.1.0: a rule per category (with the database's reason and sources) and per
/// kind of issue that has no category; results located at the catalog line.
pub fn sarif(out: &mut dyn Write, run: &CiRun, db: &Database) -> std::io::Result<()> {
    let mut rules = Vec::new();
    for c in db.categories.iter().filter(|c| {
        matches!(
            c.kind,
            CategoryKind::Finding | CategoryKind::ProductType | CategoryKind::Baseline
        )
    }) {
        let sources: Vec<String> = c
            .source
            .iter()
            .map(|s| db.sources.get(s).cloned().unwrap_or_else(|| s.clone()))
            .collect();
        rules.push(json!({
            "id": c.id,
            "name": c.label,
            "shortDescription": {"text": format!("contains a {}", c.label)},
            "fullDescription": {"text": c.reason},
            "help": {"text": format!("{}. Sources: {}", c.reason, sources.join("; "))},
            "properties": {"category": c.id, "sources": sources},
        }));
    }
    for kind in [
        IssueKind::UncheckedRecord,
        IssueKind::UnreadableClaim,
        IssueKind::UnrecognizedIngredient,
    ] {
        let text = match kind {
            IssueKind::UncheckedRecord => {
                "a catalog record that cannot be checked (no ingredients, placeholder, malformed)"
            }
            IssueKind::UnreadableClaim => {
                "a claim that cannot be read as a day or a number of hours"
            }
            _ => "a recommended product with ingredients the database does not know",
        };
        rules.push(json!({
            "id": kind.id(),
            "shortDescription": {"text": text},
            "fullDescription": {"text": text},
            "help": {"text": text},
        }));
    }
    let mut results = Vec::new();
    for p in &run.products {
        for (issue, level) in issues(p) {
            if issue.excepted.is_some() {
                continue;
            }
            results.push(json!({
                "ruleId": issue.rule,
                "level": if level == "error" { "error" } else { "warning" },
                "message": {"text": format!("{}: {}", p.label(), issue.message)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": run.file},
                        "region": {"startLine": p.line},
                    }
                }],
                "properties": {"kind": issue.kind, "ingredients": issue.ingredients},
            }));
        }
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "aftercare",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/aftercare",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

fn issues(p: &crate::ci::ProductReport) -> impl Iterator<Item = (&Issue, &'static str)> {
    p.violations
        .iter()
        .map(|i| (i, "error"))
        .chain(p.warnings.iter().map(|i| (i, "warning")))
}

/// Escapes a GitHub workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a GitHub workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
