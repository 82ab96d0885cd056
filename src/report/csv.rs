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
    w: &mut Writer<W>,
    input: &[String],
    with_safe_from: bool,
) -> std::io::Result<()> {
    for h in input {
        w.cell(h)?;
    }
    for c in extra_columns(with_safe_from) {
        w.field(c.as_bytes())?;
    }
    w.end_record()
}

/// CSV out, byte for byte as the csv crate writes it by default: a field is quoted
/// when it holds a comma, a quote or a line end, a quote inside is doubled, and
/// records end with `\n`. Written here because the csv crate decides on quotes a
/// byte at a time and memchr does it a vector at a time: in a batch of repeated
/// labels the writing thread is the one the others wait on.
pub struct Writer<W: Write> {
    inner: W,
    buf: Vec<u8>,
    /// Fields written in the current record, and where it started in `buf`.
    fields: usize,
    record_start: usize,
}

const FLUSH_AT: usize = 1 << 16;

impl<W: Write> Writer<W> {
    pub fn new(inner: W) -> Writer<W> {
        Writer {
            inner,
            buf: Vec::with_capacity(2 * FLUSH_AT),
            fields: 0,
            record_start: 0,
        }
    }

    /// Writes a cell from the input or a product: neutralised, then quoted as needed.
    pub fn cell(&mut self, cell: &str) -> std::io::Result<()> {
        if is_formula(cell) {
            self.write_field(b"'", cell.as_bytes());
            Ok(())
        } else {
            self.field(cell.as_bytes())
        }
    }

    /// Writes a field as it is (quoted as needed).
    pub fn field(&mut self, field: &[u8]) -> std::io::Result<()> {
        self.write_field(b"", field);
        Ok(())
    }

    /// Ends the record; the buffer goes out once it is large.
    pub fn end_record(&mut self) -> std::io::Result<()> {
        // A record of one empty field is written `""`, so that it is not a blank line.
        if self.buf.len() == self.record_start {
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.push(b'\n');
        self.fields = 0;
        if self.buf.len() >= FLUSH_AT {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        self.record_start = self.buf.len();
        Ok(())
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        self.record_start = 0;
        self.inner.flush()
    }

    /// Writes `prefix` and `field` as one field; the prefix holds no special bytes.
    fn write_field(&mut self, prefix: &[u8], field: &[u8]) {
        if self.fields > 0 {
            self.buf.push(b',');
        }
        self.fields += 1;
        let quoted = needs_quotes(field);
        if !quoted {
            self.buf.extend_from_slice(prefix);
            self.buf.extend_from_slice(field);
            return;
        }
        self.buf.reserve(field.len() + prefix.len() + 2);
        self.buf.push(b'"');
        self.buf.extend_from_slice(prefix);
        let mut rest = field;
        while let Some(i) = memchr::memchr(b'"', rest) {
            self.buf.extend_from_slice(&rest[..=i]);
            self.buf.push(b'"');
            rest = &rest[i + 1..];
        }
        self.buf.extend_from_slice(rest);
        self.buf.push(b'"');
    }
}

/// Like `std::io::BufWriter`, whatever is still buffered is written when the writer
/// is dropped (errors then are ignored; call `flush` to see them).
impl<W: Write> Drop for Writer<W> {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let _ = self.inner.write_all(&self.buf);
        }
    }
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
    w: &mut Writer<W>,
    output: &Output<Arc<Answer>>,
    with_safe_from: bool,
) -> std::io::Result<()> {
    for f in output.record.fields() {
        w.cell(f)?;
    }
    match &output.outcome {
        Outcome::Checked { value: a, .. } => {
            w.field(a.verdict.name().as_bytes())?;
            match a.wait_hours {
                Some(h) => w.field(itoa(h, &mut [0; 10]))?,
                None => w.field(b"")?,
            }
            if with_safe_from {
                w.field(a.safe_from.as_deref().unwrap_or("").as_bytes())?;
            }
            w.field(a.categories.as_bytes())?;
            w.field(a.flagged.as_bytes())?;
            w.field(a.unrecognized.as_bytes())?;
            w.field(b"")?;
        }
        Outcome::Failed(e) => {
            w.field(b"error")?;
            w.field(b"")?;
            if with_safe_from {
                w.field(b"")?;
            }
            for _ in 0..3 {
                w.field(b"")?;
            }
            w.cell(e)?;
        }
    }
    w.end_record()
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
    if is_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Whether a field holds a comma, a quote or a line end. Most fields are short (an
/// id, a verdict, a few flagged names), where a table beats setting up vector scans.
fn needs_quotes(field: &[u8]) -> bool {
    const SPECIAL: [bool; 256] = {
        let mut t = [false; 256];
        t[b',' as usize] = true;
        t[b'"' as usize] = true;
        t[b'\n' as usize] = true;
        t[b'\r' as usize] = true;
        t
    };
    if field.len() < 64 {
        return field.iter().any(|&b| SPECIAL[usize::from(b)]);
    }
    memchr::memchr3(b',', b'"', b'\n', field).is_some() || memchr::memchr(b'\r', field).is_some()
}

fn is_formula(cell: &str) -> bool {
    matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn writes_what_the_csv_crate_writes(
            records in proptest::collection::vec(
                proptest::collection::vec(
                    prop_oneof!["[a,\"\r\n=' -]{0,6}", "[a =-]{60,70}[a,\"\r\n]?[a -]{0,3}"],
                    1..5,
                ),
                0..6,
            ),
        ) {
            let mut ours = Writer::new(Vec::new());
            let mut theirs = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for record in &records {
                for field in record {
                    ours.cell(field).unwrap();
                }
                ours.end_record().unwrap();
                let neutralised: Vec<Cow<str>> = record.iter().map(|f| neutralize(f)).collect();
                theirs.write_record(neutralised.iter().map(|f| f.as_bytes())).unwrap();
            }
            ours.flush().unwrap();
            let theirs = theirs.into_inner().unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&ours.inner), String::from_utf8_lossy(&theirs));
        }
    }

    #[test]
    fn a_dropped_writer_writes_what_it_holds() {
        let mut out = Vec::new();
        {
            let mut w = Writer::new(&mut out);
            w.cell("Water, Glycerin").unwrap();
            w.end_record().unwrap();
        }
        assert_eq!(out, b"\"Water, Glycerin\"\n");
    }

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
