//! Spreadsheets (.xlsx) for clinics that keep their catalog in one: the rows and
//! columns of the CSV output (for `ci`, one row per product), the header frozen, an
//! autofilter over the table, verdict cells coloured, and a "Legend" sheet saying what
//! the colours and verdicts mean. Choosing the file and replacing it only when a run
//! finished is the caller's job; this module only renders.
//!
//! Every cell that comes from the input or a product (names, labels, messages) is
//! written as a string, never as a formula, so a cell such as `=HYPERLINK(...)` shows
//! as text and, unlike in the CSV, needs no neutralising `'` prefix.

use std::io::Write;
use std::sync::Arc;

use rust_xlsxwriter::{Color, ExcelDateTime, Format, Workbook, Worksheet};

use crate::assess::{Assessment, Verdict};
use crate::batch::{Outcome, Output};
use crate::ci::{CiRun, Issue};

/// The most data records a sheet holds: 1,048,576 rows, the header among them.
pub const MAX_RECORDS: u64 = 1_048_575;

/// The most characters Excel keeps in a cell; a longer cell is cut and ends with `…`.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Why a spreadsheet could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "more than {MAX_RECORDS} records: an xlsx sheet holds 1,048,576 rows, the header among them; split the catalog or use `--format csv`"
    )]
    TooManyRecords,
    #[error("cannot write the spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// What a batch row says of a checked label, without the product's name, so records
/// with the same label share it (as `csv::Answer` is shared).
#[derive(Debug, Clone)]
pub struct Answer(Arc<AnswerCells>);

#[derive(Debug)]
struct AnswerCells {
    verdict: Verdict,
    wait_hours: Option<u32>,
    safe_from: Option<String>,
    /// `categories`, `flagged`, `unrecognized`, as the CSV has them.
    lists: [String; 3],
}

impl Answer {
    pub fn new(a: &Assessment) -> Answer {
        Answer(Arc::new(AnswerCells {
            verdict: a.verdict,
            wait_hours: a.wait_hours,
            safe_from: a.safe_from.clone(),
            lists: super::csv::answer_lists(a),
        }))
    }
}

/// A batch's workbook, written a row at a time: the worksheet keeps one row in memory
/// and streams the rest to a temporary file (`constant_memory`), so a catalog of a
/// million records does not hold them all.
pub struct BatchSheet {
    workbook: Workbook,
    formats: Formats,
    input_columns: u16,
    with_safe_from: bool,
    rows: u32,
    /// Cells cut to `MAX_CELL_CHARS`.
    pub cut_cells: u64,
}

impl BatchSheet {
    /// A workbook whose "Results" sheet has the header row of the CSV output.
    pub fn new(input: &[String], with_safe_from: bool) -> Result<BatchSheet, Error> {
        let mut workbook = Workbook::new();
        let formats = Formats::new();
        let input_columns = u16::try_from(input.len())
            .map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)?;
        let mut header: Vec<&str> = input.iter().map(String::as_str).collect();
        header.extend(super::csv::extra_columns(with_safe_from));
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name("Results")?;
        let mut cut = 0;
        write_header(sheet, &header, &formats, &mut cut)?;
        add_legend(&mut workbook, &formats, LegendFor::Batch)?;
        Ok(BatchSheet {
            workbook,
            formats,
            input_columns,
            with_safe_from,
            rows: 0,
            cut_cells: cut,
        })
    }

    /// Writes one record, after the ones before it: its input cells, then the answer
    /// or the error.
    pub fn record(&mut self, output: &Output<Answer>) -> Result<(), Error> {
        if u64::from(self.rows) >= MAX_RECORDS {
            return Err(Error::TooManyRecords);
        }
        self.rows += 1;
        let row = self.rows;
        let sheet = self.workbook.worksheet_from_index(0)?;
        let f = &self.formats;
        let cut = &mut self.cut_cells;
        // A record longer than the header would reach the answer's columns.
        let fields = output.record.fields().take(usize::from(self.input_columns));
        for (col, cell) in (0_u16..).zip(fields) {
            text(sheet, row, col, cell, None, cut)?;
        }
        let col = self.input_columns;
        match &output.outcome {
            Outcome::Checked { value, .. } => {
                let a = &value.0;
                text(
                    sheet,
                    row,
                    col,
                    a.verdict.name(),
                    Some(f.verdict(a.verdict)),
                    cut,
                )?;
                if let Some(h) = a.wait_hours {
                    sheet.write_number(row, col + 1, h)?;
                }
                let mut next = col + 2;
                if self.with_safe_from {
                    if let Some(s) = &a.safe_from {
                        date(sheet, row, next, s, f, cut)?;
                    }
                    next += 1;
                }
                for list in &a.lists {
                    text(sheet, row, next, list, None, cut)?;
                    next += 1;
                }
            }
            Outcome::Failed(e) => {
                text(sheet, row, col, "error", Some(&f.error), cut)?;
                let error_col = col + 2 + u16::from(self.with_safe_from) + 3;
                text(sheet, row, error_col, e, None, cut)?;
            }
        }
        Ok(())
    }

    /// Sets the autofilter over the rows written and writes the workbook to `out`.
    pub fn finish(mut self, out: impl Write + Send) -> Result<(), Error> {
        let last_col = self.input_columns + self.extra_columns() - 1;
        let sheet = self.workbook.worksheet_from_index(0)?;
        sheet.autofilter(0, 0, self.rows, last_col)?;
        self.workbook.save_to_writer(out)?;
        Ok(())
    }

    fn extra_columns(&self) -> u16 {
        super::csv::extra_columns(self.with_safe_from).len() as u16
    }
}

/// The columns of the `ci` sheet: the per-product fields of `ci --format json`.
pub const CI_COLUMNS: [&str; 8] = [
    "id",
    "name",
    "line",
    "claim",
    "verdict",
    "safe_after_hours",
    "violations",
    "warnings",
];

/// `ci` as a workbook: one row per product, in catalog order. The products are in
/// memory already, so the workbook is built there too.
pub fn ci(out: &mut dyn Write, run: &CiRun) -> std::io::Result<()> {
    let bytes = ci_workbook(run).map_err(std::io::Error::other)?;
    out.write_all(&bytes)
}

fn ci_workbook(run: &CiRun) -> Result<Vec<u8>, Error> {
    if run.products.len() as u64 > MAX_RECORDS {
        return Err(Error::TooManyRecords);
    }
    let mut workbook = Workbook::new();
    let f = Formats::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Results")?;
    let mut cut = 0;
    write_header(sheet, &CI_COLUMNS, &f, &mut cut)?;
    let mut row = 0;
    for p in &run.products {
        row += 1;
        let cells = [p.id.as_deref(), p.name.as_deref()];
        for (col, cell) in cells.into_iter().enumerate() {
            if let Some(c) = cell {
                text(sheet, row, col as u16, c, None, &mut cut)?;
            }
        }
        sheet.write_number(row, 2, p.line as f64)?;
        if let Some(c) = &p.claim {
            text(sheet, row, 3, c, None, &mut cut)?;
        }
        match (&p.assessment, &p.error) {
            (Some(a), _) => {
                let name = a.verdict.name();
                text(sheet, row, 4, name, Some(f.verdict(a.verdict)), &mut cut)?;
            }
            (None, _) => text(sheet, row, 4, "error", Some(&f.error), &mut cut)?,
        }
        if let Some(h) = p.safe_after_hours {
            sheet.write_number(row, 5, h)?;
        }
        text(sheet, row, 6, &issues(&p.violations), None, &mut cut)?;
        text(sheet, row, 7, &issues(&p.warnings), None, &mut cut)?;
    }
    sheet.autofilter(0, 0, row, CI_COLUMNS.len() as u16 - 1)?;
    add_legend(&mut workbook, &f, LegendFor::Ci)?;
    Ok(workbook.save_to_buffer()?)
}

/// Issues one to a line; one a policy exception accepts says so and why.
fn issues(list: &[Issue]) -> String {
    list.iter()
        .map(|i| match &i.excepted {
            Some(reason) => format!("{} (accepted by an exception: {reason})", i.message),
            None => i.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The cell formats: a fill and a darker text of the same hue per verdict.
struct Formats {
    header: Format,
    ok: Format,
    wait: Format,
    review: Format,
    avoid: Format,
    error: Format,
    date: Format,
}

impl Formats {
    fn new() -> Formats {
        let fill = |bg: u32, fg: u32| {
            Format::new()
                .set_background_color(Color::RGB(bg))
                .set_font_color(Color::RGB(fg))
        };
        Formats {
            header: Format::new().set_bold(),
            ok: fill(0xC6EFCE, 0x006100),
            wait: fill(0xFFEB9C, 0x9C5700),
            review: fill(0xE4DFEC, 0x5B3F8C),
            avoid: fill(0xFFC7CE, 0x9C0006),
            error: fill(0xD9D9D9, 0x404040),
            date: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        }
    }

    fn verdict(&self, v: Verdict) -> &Format {
        match v {
            Verdict::Ok => &self.ok,
            Verdict::Wait => &self.wait,
            Verdict::Review => &self.review,
            Verdict::Avoid => &self.avoid,
        }
    }
}

/// The header row, bold and frozen so it stays in view.
fn write_header(
    sheet: &mut Worksheet,
    header: &[&str],
    f: &Formats,
    cut: &mut u64,
) -> Result<(), Error> {
    for (col, h) in header.iter().enumerate() {
        let col =
            u16::try_from(col).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)?;
        text(sheet, 0, col, h, Some(&f.header), cut)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A string cell (empty cells are left blank), cut to what Excel keeps. Always a
/// string: input that reads as a formula stays text.
fn text(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    s: &str,
    format: Option<&Format>,
    cut: &mut u64,
) -> Result<(), Error> {
    if s.is_empty() && format.is_none() {
        return Ok(());
    }
    let s = cut_to_fit(s, cut);
    match format {
        Some(f) => sheet.write_string_with_format(row, col, s, f)?,
        None => sheet.write_string(row, col, s)?,
    };
    Ok(())
}

/// `s` or, past `MAX_CELL_CHARS` (counted in UTF-16 units, as Excel counts), its start
/// and `…`.
fn cut_to_fit<'s>(s: &'s str, cut: &mut u64) -> std::borrow::Cow<'s, str> {
    // A char is at most two UTF-16 units, so a short string needs no count.
    if s.len() <= MAX_CELL_CHARS || s.encode_utf16().count() <= MAX_CELL_CHARS {
        return s.into();
    }
    *cut += 1;
    let mut units = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL_CHARS - 1 {
            break;
        }
        end = i + c.len_utf8();
    }
    format!("{}…", &s[..end]).into()
}

/// `safe_from` (RFC 3339) as a date and time cell, in the wall-clock time it states
/// (a spreadsheet has no time zones); text if it does not read as one.
fn date(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    s: &str,
    f: &Formats,
    cut: &mut u64,
) -> Result<(), Error> {
    match excel_date(s) {
        Some(d) => {
            sheet.write_datetime_with_format(row, col, d, &f.date)?;
            Ok(())
        }
        None => text(sheet, row, col, s, None, cut),
    }
}

/// The wall-clock part of an RFC 3339 time, for a spreadsheet.
pub fn excel_date(s: &str) -> Option<ExcelDateTime> {
    let t: jiff::civil::DateTime = s.get(..19)?.parse().ok()?;
    let year = u16::try_from(t.year()).ok()?;
    ExcelDateTime::from_ymd(year, t.month() as u8, t.day() as u8)
        .ok()?
        .and_hms(t.hour() as u16, t.minute() as u8, t.second() as u8)
        .ok()
}

enum LegendFor {
    Batch,
    Ci,
}

/// The "Legend" sheet: each verdict in its colour, and what it means.
fn add_legend(workbook: &mut Workbook, f: &Formats, legend: LegendFor) -> Result<(), Error> {
    let sheet = workbook.add_worksheet();
    sheet.set_name("Legend")?;
    let mut cut = 0;
    write_header(sheet, &["verdict", "meaning"], f, &mut cut)?;
    let wait_column = match legend {
        LegendFor::Batch => "wait_hours",
        LegendFor::Ci => "safe_after_hours",
    };
    let rows: [(&str, &Format, String); 5] = [
        (
            "ok",
            &f.ok,
            format!(
                "Green. Nothing beyond the baseline wait after treatment; `{wait_column}` is that wait."
            ),
        ),
        (
            "wait",
            &f.wait,
            format!(
                "Amber. An ingredient needs a longer wait; `{wait_column}` is the wait in hours after the treatment (day 1 is the treatment day: 168 hours is from day 8)."
            ),
        ),
        (
            "review",
            &f.review,
            format!(
                "Purple. At least one ingredient is not recognised, so safety cannot be confirmed; `{wait_column}` is the wait the recognised ingredients impose (a lower bound). Check the unrecognised names."
            ),
        ),
        (
            "avoid",
            &f.avoid,
            format!("Red. Not to be used after microneedling; `{wait_column}` is empty."),
        ),
        (
            "error",
            &f.error,
            match legend {
                LegendFor::Batch => {
                    "Grey. The record could not be checked; the `error` column says why.".into()
                }
                LegendFor::Ci => {
                    "Grey. The record could not be checked; `violations` says why.".into()
                }
            },
        ),
    ];
    for (row, (verdict, format, meaning)) in rows.iter().enumerate() {
        let row = row as u32 + 1;
        text(sheet, row, 0, verdict, Some(format), &mut cut)?;
        text(sheet, row, 1, meaning, None, &mut cut)?;
    }
    let notes: &[&str] = match legend {
        LegendFor::Batch => &[
            "Columns before `verdict` are the input's, as read. `categories`: the protocol categories found; `flagged`: the ingredients that impose the wait; `unrecognized`: names the database does not know; `safe_from` (with --treated-at): the date and time from which the product may be used, in the time zone of --treated-at.",
        ],
        LegendFor::Ci => &[
            "`violations` fail the build; `warnings` do not. An issue a policy exception accepts is listed with the exception's reason.",
        ],
    };
    for (row, note) in (rows.len() as u32 + 2..).zip(notes) {
        text(sheet, row, 0, note, None, &mut cut)?;
    }
    sheet.set_column_width(0, 10)?;
    sheet.set_column_width(1, 120)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_longer_than_excel_keeps_is_cut_with_an_ellipsis() {
        let mut cut = 0;
        let long = "é".repeat(MAX_CELL_CHARS + 5);
        let out = cut_to_fit(&long, &mut cut);
        assert_eq!(out.encode_utf16().count(), MAX_CELL_CHARS);
        assert!(out.ends_with('…'));
        assert_eq!(cut, 1);
        assert_eq!(cut_to_fit("short", &mut cut), "short");
        assert_eq!(cut, 1);
    }

    #[test]
    fn a_safe_from_time_becomes_its_wall_clock_date() {
        let d = excel_date("2025-03-08T10:30:00+01:00").expect("a date");
        let expected = ExcelDateTime::from_ymd(2025, 3, 8)
            .unwrap()
            .and_hms(10, 30, 0)
            .unwrap();
        assert_eq!(d.to_excel(), expected.to_excel());
        assert!(excel_date("day 8").is_none());
    }

    #[test]
    fn a_sheet_refuses_the_record_after_the_last_row() {
        let mut sheet = BatchSheet::new(&["id".into()], false).expect("a workbook");
        sheet.rows = MAX_RECORDS as u32;
        let mut catalog = crate::catalog::Catalog::from_reader(
            Box::new(std::io::Cursor::new(b"id,ingredients\nx,Water\n".to_vec())),
            "test.csv",
            &crate::catalog::Columns::default(),
            None,
        )
        .expect("a valid catalog");
        let record = catalog.next_record().expect("one record");
        let output = Output {
            record,
            outcome: Outcome::Failed("x".into()),
        };
        assert!(matches!(sheet.record(&output), Err(Error::TooManyRecords)));
    }
}
