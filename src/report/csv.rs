//! CSV for spreadsheets: the input columns followed by the answer. Every cell that a
//! spreadsheet would run as a formula is neutralised.

use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;

use crate::assess::{Assessment, Verdict};
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
        .map(|h| neutralize(h).into_owned())
        .chain(
            extra_columns(with_safe_from)
                .into_iter()
                .map(str::to_string),
        )
        .collect();
    w.write_record(&row)
}

/// What a CSV row says of a checked label, without the product's name, so records
/// with the same label can share one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub verdict: Verdict,
    pub wait_hours: Option<u32>,
    pub safe_from: Option<String>,
    /// Category ids of the findings, sorted, `;`-separated.
    pub categories: String,
    /// The flagged ingredients as printed, `;`-separated, neutralised.
    pub flagged: String,
    /// The unrecognised ingredients as printed, `;`-separated, neutralised.
    pub unrecognized: String,
}

impl Answer {
    pub fn new(a: &Assessment) -> Answer {
        let mut categories: Vec<&str> = a.findings.iter().map(|f| f.category.as_str()).collect();
        categories.sort_unstable();
        categories.dedup();
        let flagged: Vec<&str> = a
            .findings
            .iter()
            .filter(|f| f.position.is_some())
            .map(|f| f.ingredient.as_str())
            .collect();
        let unknown: Vec<&str> = a.unrecognized().map(|i| i.text.as_str()).collect();
        Answer {
            verdict: a.verdict,
            wait_hours: a.wait_hours,
            safe_from: a.safe_from.clone(),
            categories: categories.join(";"),
            flagged: neutralize(&flagged.join(";")).into_owned(),
            unrecognized: neutralize(&unknown.join(";")).into_owned(),
        }
    }
}

/// Writes one record: its input fields, then the answer or the error.
pub fn write_record<W: Write>(
    w: &mut csv::Writer<W>,
    output: &Output<Arc<Answer>>,
    with_safe_from: bool,
) -> csv::Result<()> {
    for f in output.record.fields() {
        w.write_field(neutralize(f).as_ref())?;
    }
    match &output.outcome {
        Outcome::Checked { value: a, .. } => {
            w.write_field(a.verdict.name())?;
            match a.wait_hours {
                Some(h) => w.write_field(itoa(h, &mut [0; 10]))?,
                None => w.write_field("")?,
            }
            if with_safe_from {
                w.write_field(a.safe_from.as_deref().unwrap_or(""))?;
            }
            w.write_field(&a.categories)?;
            w.write_field(&a.flagged)?;
            w.write_field(&a.unrecognized)?;
            w.write_field("")?;
        }
        Outcome::Failed(e) => {
            w.write_field("error")?;
            w.write_field("")?;
            if with_safe_from {
                w.write_field("")?;
            }
            for _ in 0..3 {
                w.write_field("")?;
            }
            w.write_field(neutralize(e).as_ref())?;
        }
    }
    w.write_record(None::<&[u8]>)
}

/// A number's decimal digits, without allocating.
fn itoa(mut n: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

/// A cell starting with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with
/// `'`, so a spreadsheet shows it as text instead of running it.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
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
