//! CSV for spreadsheets: the input columns followed by the answer. Every cell that a
//! spreadsheet would run as a formula is neutralised.

use std::io::Write;

use crate::batch::{Outcome, Output};

/// The columns appended to the input's.
pub fn extra_columns(with_safe_from: bool) -> Vec<&'static str> {
    let mut c = vec!["verdict", "wait_hours"];
    if with_safe_from {
        c.push("safe_from");
    }
    c.extend(["categories", "flagged", "unrecognized", "error"]);
    c
}

/// Writes the header row.
pub fn write_header<W: Write>(
    w: &mut csv::Writer<W>,
    input: &[String],
    with_safe_from: bool,
) -> csv::Result<()> {
    let row: Vec<String> = input
        .iter()
        .map(|h| neutralize(h))
        .chain(
            extra_columns(with_safe_from)
                .into_iter()
                .map(str::to_string),
        )
        .collect();
    w.write_record(&row)
}

/// Writes one record: its input fields, then the answer or the error.
pub fn write_record<W: Write>(
    w: &mut csv::Writer<W>,
    output: &Output,
    with_safe_from: bool,
) -> csv::Result<()> {
    let mut row: Vec<String> = output.record.fields.iter().map(|f| neutralize(f)).collect();
    match &output.outcome {
        Outcome::Checked(a) => {
            row.push(a.verdict.name().to_string());
            row.push(a.wait_hours.map(|h| h.to_string()).unwrap_or_default());
            if with_safe_from {
                row.push(a.safe_from.clone().unwrap_or_default());
            }
            let mut categories: Vec<&str> =
                a.findings.iter().map(|f| f.category.as_str()).collect();
            categories.sort_unstable();
            categories.dedup();
            row.push(categories.join(";"));
            let flagged: Vec<&str> = a
                .findings
                .iter()
                .filter(|f| f.position.is_some())
                .map(|f| f.ingredient.as_str())
                .collect();
            row.push(neutralize(&flagged.join(";")));
            let unknown: Vec<&str> = a.unrecognized().map(|i| i.text.as_str()).collect();
            row.push(neutralize(&unknown.join(";")));
            row.push(String::new());
        }
        Outcome::Failed(e) => {
            row.push("error".to_string());
            row.push(String::new());
            if with_safe_from {
                row.push(String::new());
            }
            row.extend([String::new(), String::new(), String::new(), neutralize(e)]);
        }
    }
    w.write_record(&row)
}

/// A cell starting with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with
/// `'`, so a spreadsheet shows it as text instead of running it.
pub fn neutralize(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::neutralize;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+1"), "'+1");
        assert_eq!(neutralize("-2"), "'-2");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("\tx"), "'\tx");
        assert_eq!(neutralize("Water"), "Water");
    }
}
