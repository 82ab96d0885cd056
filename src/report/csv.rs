//! CSV for spreadsheets: the input columns followed by the answer. Every cell that a
//! spreadsheet would run as a formula is neutralised.

use std::borrow::Cow;
use std::sync::Arc;

use crate::assess::Assessment;
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

/// The header row.
pub fn write_header(out: &mut Vec<u8>, input: &[String], with_safe_from: bool) {
    let mut row = Row::new(out);
    for h in input {
        row.cell(h);
    }
    for c in extra_columns(with_safe_from) {
        row.field(c.as_bytes());
    }
    row.end();
}

/// One CSV row written into memory, byte for byte as the csv crate writes it by
/// default: a field is quoted when it holds a comma, a quote or a line end, a quote
/// inside is doubled, and records end with `\n`. Written here because the csv crate
/// decides on quotes a byte at a time and memchr does it a vector at a time, and
/// because a batch renders its rows on the workers, into memory, and only the
/// thread writing them out in order touches the output.
pub struct Row<'a> {
    buf: &'a mut Vec<u8>,
    /// Where the row starts in `buf`, and the fields written so far.
    start: usize,
    fields: usize,
}

impl<'a> Row<'a> {
    /// Starts a row at the end of `buf`.
    pub fn new(buf: &'a mut Vec<u8>) -> Row<'a> {
        let start = buf.len();
        Row {
            buf,
            start,
            fields: 0,
        }
    }

    /// Writes a cell from the input or a product: neutralised, then quoted as needed.
    pub fn cell(&mut self, cell: &str) {
        self.field(neutralize(cell).as_bytes());
    }

    /// Writes a field as it is (quoted as needed).
    pub fn field(&mut self, field: &[u8]) {
        self.next_field();
        let quoted = needs_quotes(field);
        if !quoted {
            self.buf.extend_from_slice(field);
            return;
        }
        self.buf.reserve(field.len() + 2);
        self.buf.push(b'"');
        let mut rest = field;
        while let Some(i) = memchr::memchr(b'"', rest) {
            self.buf.extend_from_slice(&rest[..=i]);
            self.buf.push(b'"');
            rest = &rest[i + 1..];
        }
        self.buf.extend_from_slice(rest);
        self.buf.push(b'"');
    }

    /// Appends fields written before by another row (never empty).
    fn written(&mut self, fields: &[u8]) {
        self.next_field();
        self.buf.extend_from_slice(fields);
    }

    /// Appends `n` fields already written as CSV (`n` at least one).
    fn written_fields(&mut self, fields: &[u8], n: usize) {
        self.next_field();
        self.buf.extend_from_slice(fields);
        self.fields += n - 1;
    }

    /// The separator before every field but the first.
    fn next_field(&mut self) {
        if self.fields > 0 {
            self.buf.push(b',');
        }
        self.fields += 1;
    }

    /// Ends the row.
    pub fn end(self) {
        // A record of one empty field is written `""`, so that it is not a blank line.
        if self.buf.len() == self.start {
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.push(b'\n');
    }
}

/// What a CSV row says of a checked label, without the product's name, so records
/// with the same label can share it: its cells after the input's (verdict,
/// wait_hours, safe_from when asked for, categories, flagged, unrecognized and an
/// empty error), written once. They are one allocation, so a row that repeats a label
/// reads one place in memory and copies it in one go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer(Arc<[u8]>);

impl Answer {
    pub fn new(a: &Assessment, with_safe_from: bool) -> Answer {
        let [categories, flagged, unknown] = answer_lists(a);
        // Room for a usual answer: grown from nothing, it was reallocated four times.
        let mut cells = Vec::with_capacity(128);
        let mut row = Row::new(&mut cells);
        row.field(a.verdict.name().as_bytes());
        match a.wait_hours {
            Some(h) => row.field(crate::assess::decimal(h, &mut [0; 10]).as_bytes()),
            None => row.field(b""),
        }
        if with_safe_from {
            row.field(a.safe_from.as_deref().unwrap_or("").as_bytes());
        }
        row.field(categories.as_bytes());
        // The names are the label's; a name such as `-Glucan` is neutralised.
        row.cell(&flagged);
        row.cell(&unknown);
        row.field(b"");
        Answer(Arc::from(cells))
    }
}

/// The `categories`, `flagged` and `unrecognized` cells, each `;`-separated: the
/// categories sorted, the names in label order. The xlsx writer shares them, so both
/// outputs say the same.
pub fn answer_lists(a: &Assessment) -> [String; 3] {
    let mut categories: Vec<&str> = a.findings.iter().map(|f| &*f.category).collect();
    categories.sort_unstable();
    categories.dedup();
    let flagged: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.position.is_some())
        .map(|f| f.ingredient.as_str())
        .collect();
    let unknown: Vec<&str> = a.unrecognized().map(|i| i.text.as_str()).collect();
    [categories.join(";"), flagged.join(";"), unknown.join(";")]
}

/// Writes one record: its input fields, then the answer or the error.
pub fn write_record(out: &mut Vec<u8>, output: &Output<Answer>, with_safe_from: bool) {
    let mut row = Row::new(out);
    // Most records are written as they were read: copied, not written field by field,
    // unless a field must be neutralised.
    match output.record.as_read() {
        Some(bytes) if !output.record.fields().any(is_formula) => {
            row.written_fields(bytes.as_bytes(), output.record.fields().count())
        }
        _ => {
            for f in output.record.fields() {
                row.cell(f);
            }
        }
    }
    match &output.outcome {
        Outcome::Checked { value: a, .. } => row.written(&a.0),
        Outcome::Failed(e) => {
            row.field(b"error");
            row.field(b"");
            if with_safe_from {
                row.field(b"");
            }
            for _ in 0..3 {
                row.field(b"");
            }
            row.cell(e);
        }
    }
    row.end();
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
            let mut ours = Vec::new();
            let mut theirs = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for record in &records {
                let mut row = Row::new(&mut ours);
                for field in record {
                    row.cell(field);
                }
                row.end();
                let neutralised: Vec<Cow<str>> = record.iter().map(|f| neutralize(f)).collect();
                theirs.write_record(neutralised.iter().map(|f| f.as_bytes())).unwrap();
            }
            let theirs = theirs.into_inner().unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
        }
    }

    #[test]
    fn a_shared_answer_gives_a_row_the_cells_of_its_assessment() {
        use crate::assess::{Checker, Options};
        use crate::catalog::{Catalog, Columns};
        let checker = Checker::embedded().expect("the embedded database loads");
        let label = "Water, @Zorblax, Retinol, Glycolic Acid";
        let csv = format!("id,ingredients\n-7,\"{label}\"\n");
        let mut catalog = Catalog::from_reader(
            Box::new(std::io::Cursor::new(csv.into_bytes())),
            "test.csv",
            &Columns::default(),
            None,
        )
        .expect("a valid catalog");
        let record = catalog.next_record().expect("one record");
        let a = checker.check(label, &Options::default()).expect("a label");
        let hours = a.wait_hours.expect("a wait");
        let output = |with_safe_from| Output {
            record: record.clone(),
            outcome: Outcome::Checked {
                verdict: a.verdict,
                value: Answer::new(&a, with_safe_from),
            },
        };
        let row = |with_safe_from| {
            let mut out = Vec::new();
            write_record(&mut out, &output(with_safe_from), with_safe_from);
            String::from_utf8(out).unwrap()
        };
        // Categories sorted, flagged names in label order, an unknown name that reads
        // as a formula neutralised (and the verdict review), the error cell empty.
        let cells = format!("review,{hours},aha;retinoid,Retinol;Glycolic Acid,'@Zorblax,");
        assert_eq!(row(false), format!("'-7,\"{label}\",{cells}\n"));
        let cells = format!("review,{hours},,aha;retinoid,Retinol;Glycolic Acid,'@Zorblax,");
        assert_eq!(row(true), format!("'-7,\"{label}\",{cells}\n"));
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
