//! `aftercare batch`: every product of a CSV, one result per record, in input order.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use serde::Serialize;

use aftercare::assess::Assessment;
use aftercare::batch::{self, Keep, Outcome, Output, Progress, Settings, Sink};
use aftercare::catalog::{Catalog, Columns};
use aftercare::report;

use super::Common;

#[derive(Args)]
pub struct BatchArgs {
    /// The catalog: a CSV path or `-` for standard input, gzip-compressed or not.
    #[arg(default_value = "-")]
    pub file: PathBuf,
    /// The ingredient column (default: `ingredients`, `ingredient`, `inci`, `clean_ingreds`).
    #[arg(long, value_name = "NAME")]
    pub column: Option<String>,
    /// The id column (default: `id`, `sku`, `product_id`, ...).
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,
    /// The product-name column (default: `name`, `product_name`, ...).
    #[arg(long, value_name = "NAME")]
    pub name_column: Option<String>,
    /// The product-type column (default: `type`, `product_type`, `Label`, `primary_category`, `category`).
    #[arg(long, value_name = "NAME")]
    pub type_column: Option<String>,
    /// The input's field delimiter: `,`, `;`, `tab` or another ASCII character
    /// (default: whichever of comma, semicolon and tab the header row holds most of).
    /// Output CSV is comma-separated.
    #[arg(long, short = 'd', value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Output format: `csv` (the input columns, then the answer), `jsonl` (a JSON
    /// object per line), `json` (one array), or `xlsx` (the CSV's rows as a spreadsheet
    /// with coloured verdicts; needs `-o`).
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write to this file instead of standard output (replaced only when the run
    /// finished).
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Stop at the first record that cannot be checked (exit 2).
    #[arg(long)]
    pub strict: bool,
    /// Threads checking records, counting the one that also reads and writes them
    /// (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub common: Common,
}

/// `--delimiter`: one ASCII character, or `tab` (also `\t`).
fn parse_delimiter(s: &str) -> Result<u8, String> {
    let d = match s {
        "tab" | "\\t" | "\t" => b'\t',
        _ if s.len() == 1 && s.is_ascii() => s.as_bytes()[0],
        _ => {
            return Err(format!(
                "`{s}` is not one character; use `,`, `;`, `tab` or `|`"
            ));
        }
    };
    match d {
        b'"' | b'\r' | b'\n' => Err(format!(
            "`{}` cannot separate fields: it quotes or ends them",
            s.escape_default()
        )),
        _ => Ok(d),
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    Json,
    Xlsx,
}

/// A JSON line for a checked record: the assessment with the record's number and id.
#[derive(Serialize)]
struct Checked<'a> {
    record: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(flatten)]
    assessment: &'a Assessment,
}

/// A JSON line for a record that could not be checked.
#[derive(Serialize)]
struct Failed<'a> {
    record: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    error: &'a str,
    /// The record's cells as read, so that nothing of it is lost.
    cells: Vec<&'a str>,
}

/// How many bytes of answers the workers remember together (see `Settings::share_bytes`).
const SHARE_BYTES: usize = 16 << 20;

pub fn run(args: BatchArgs) -> Result<u8> {
    if args.format == Format::Xlsx && args.output.is_none() {
        bail!("`--format xlsx` is not written to standard output: give a file with `-o FILE`");
    }
    let checker = args.common.checker()?;
    let mut options = args.common.options(&checker, None)?;
    // A CSV or spreadsheet row shows the answer alone; the notes and known ingredients
    // are left out.
    options.brief = matches!(args.format, Format::Csv | Format::Xlsx);
    let columns = Columns {
        ingredients: args.column.clone(),
        id: args.id_column.clone(),
        name: args.name_column.clone(),
        product_type: args.type_column.clone(),
        delimiter: args.delimiter,
    };
    if args.file.as_os_str() == "-" {
        super::announce_terminal_stdin("a CSV catalog");
    }
    let catalog = Catalog::open(&args.file, &columns)?;
    let headers = catalog.headers.clone();
    let size = catalog.size;
    let path = catalog.path().to_string();
    let incomplete = catalog.incomplete();
    let with_safe_from = options.treated_at.is_some();
    let out = super::output::Destination::open(args.output.as_deref(), &[args.file.as_path()])?;
    if let (Format::Xlsx, super::output::Destination::File(f)) = (args.format, &out)
        && f.is_terminal()
    {
        bail!("`--format xlsx` is not written to a terminal: give a file with `-o FILE`");
    }
    let mut settings = match args.threads {
        Some(0) => bail!("`--threads 0`: give at least 1"),
        Some(t) => Settings::with_threads(t),
        None => Settings::default(),
    };
    let progress = Progress::default();
    let bar = progress_bar(size);
    let mut sink = Out {
        out,
        strict: args.strict,
        strict_error: None,
        bar,
        progress: &progress,
        sheet: None,
    };
    let summary = match args.format {
        Format::Csv => {
            // A CSV row needs only the answer, which records with the same label share.
            settings.share_bytes = SHARE_BYTES;
            let mut header = Vec::new();
            report::csv::write_header(&mut header, &headers, with_safe_from);
            sink.out.write_all(&header)?;
            batch::run(
                catalog,
                &checker,
                &options,
                &settings,
                &progress,
                &CsvRows { with_safe_from },
                &mut sink,
            )?
        }
        Format::Json | Format::Jsonl => {
            let array = args.format == Format::Json;
            if array {
                sink.out.write_all(b"[")?;
            }
            let summary = batch::run(
                catalog,
                &checker,
                &options,
                &settings,
                &progress,
                &JsonObjects { array },
                &mut sink,
            )?;
            if array {
                sink.out.write_all(b"]\n")?;
            }
            summary
        }
        Format::Xlsx => {
            // A row needs only the answer, which records with the same label share.
            settings.share_bytes = SHARE_BYTES;
            sink.sheet = Some(report::xlsx::BatchSheet::new(&headers, with_safe_from)?);
            let summary = batch::run(
                catalog, &checker, &options, &settings, &progress, &XlsxRows, &mut sink,
            )?;
            let sheet = sink.sheet.take().expect("the sheet written to");
            if sheet.cut_cells > 0 {
                eprintln!(
                    "aftercare: {} cell(s) longer than the {} characters a spreadsheet cell holds were cut (they end with `…`)",
                    sheet.cut_cells,
                    report::xlsx::MAX_CELL_CHARS
                );
            }
            let super::output::Destination::File(file) = &mut sink.out else {
                unreachable!("xlsx is refused without `-o`");
            };
            // Into the temporary file: it replaces the output only when the run
            // finished (below), so a failed run leaves no half-written workbook.
            sheet.finish(file)?;
            summary
        }
    };
    sink.out.flush()?;
    let Out {
        out,
        bar,
        strict_error,
        ..
    } = sink;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    std::mem::forget(checker);
    let output_name = args
        .output
        .as_ref()
        .map(|p| format!(" to `{}`", p.display()))
        .unwrap_or_default();
    eprintln!(
        "aftercare: `{path}`: {} records read, {} checked, {} could not be checked; {} ok, {} wait, {} review, {} avoid{output_name}",
        summary.read,
        summary.checked,
        summary.failed,
        summary.ok,
        summary.wait,
        summary.review,
        summary.avoid
    );
    if let Some((record, e)) = strict_error {
        bail!("`{path}` record {record}: {e} (stopped by --strict)");
    }
    if incomplete.load(std::sync::atomic::Ordering::Relaxed) {
        bail!(
            "`{path}` could not be read to its end (its last row says why): the run is incomplete"
        );
    }
    if summary.read > 0 && summary.checked == 0 {
        bail!(
            "`{path}`: none of the {} records could be checked",
            summary.read
        );
    }
    // Only a finished run replaces the output file.
    out.finish()?;
    Ok(args
        .common
        .exit_code(summary.wait + summary.review + summary.avoid + summary.failed > 0))
}

/// Where the records go: rendered rows to the output, a chunk at a time; with
/// `--strict`, a record that cannot be checked stops the run before it is written.
struct Out<'a> {
    out: super::output::Destination,
    strict: bool,
    strict_error: Option<(u64, String)>,
    bar: Option<indicatif::ProgressBar>,
    progress: &'a Progress,
    /// With `--format xlsx`, the workbook each record is written to.
    sheet: Option<report::xlsx::BatchSheet>,
}

impl Out<'_> {
    /// Whether a record is written: with `--strict`, one that could not be checked
    /// stops the run instead.
    fn accept<T>(&mut self, output: &Output<T>) -> bool {
        if let (true, Outcome::Failed(e)) = (self.strict, &output.outcome) {
            self.strict_error = Some((output.record.number, e.clone()));
            return false;
        }
        if let Some(bar) = &self.bar {
            let n = self.progress.records.load(Ordering::Relaxed);
            if n.is_multiple_of(256) {
                bar.set_position(self.progress.bytes.load(Ordering::Relaxed));
                bar.set_message(format!("{n} records"));
            }
        }
        true
    }
}

impl Sink<()> for &mut Out<'_> {
    type Error = std::io::Error;

    fn record(&mut self, output: Output<()>) -> std::io::Result<bool> {
        Ok(self.accept(&output))
    }

    fn write(&mut self, rendered: &[u8]) -> std::io::Result<()> {
        self.out.write_all(rendered)
    }
}

/// Spreadsheet rows are written here, one record at a time in input order, since a
/// workbook is not bytes that workers could render.
impl Sink<report::xlsx::Answer> for &mut Out<'_> {
    type Error = std::io::Error;

    fn record(&mut self, output: Output<report::xlsx::Answer>) -> std::io::Result<bool> {
        if !self.accept(&output) {
            return Ok(false);
        }
        let sheet = self.sheet.as_mut().expect("a sheet with --format xlsx");
        sheet.record(&output).map_err(std::io::Error::other)?;
        Ok(true)
    }
}

/// CSV rows: the input's cells and the answer, which records with the same label share.
struct CsvRows {
    with_safe_from: bool,
}

impl Keep for CsvRows {
    type Value = report::csv::Answer;
    type Sent = ();

    fn keep(&self, a: Assessment) -> Self::Value {
        report::csv::Answer::new(&a, self.with_safe_from)
    }

    fn send(&self, output: Output<Self::Value>, out: &mut Vec<u8>) -> Output<()> {
        report::csv::write_record(out, &output, self.with_safe_from);
        output.rendered()
    }
}

/// Spreadsheet rows: what `Out` writes of each record, shared by records with the same
/// label like the CSV answer.
struct XlsxRows;

impl Keep for XlsxRows {
    type Value = report::xlsx::Answer;
    type Sent = report::xlsx::Answer;

    fn keep(&self, a: Assessment) -> Self::Value {
        report::xlsx::Answer::new(&a)
    }

    fn send(&self, output: Output<Self::Value>, _out: &mut Vec<u8>) -> Output<Self::Value> {
        output
    }
}

/// One JSON object per record, the whole assessment or the error: a line each, or
/// the elements of one array.
struct JsonObjects {
    array: bool,
}

impl Keep for JsonObjects {
    type Value = Box<Assessment>;
    type Sent = ();

    fn keep(&self, a: Assessment) -> Self::Value {
        Box::new(a)
    }

    fn send(&self, output: Output<Self::Value>, out: &mut Vec<u8>) -> Output<()> {
        // Records are numbered from 1, and every one is written up to where a run stops.
        if self.array && output.record.number > 1 {
            out.extend_from_slice(b",\n");
        }
        let id = output.record.id();
        let written = match &output.outcome {
            Outcome::Checked { value: a, .. } => serde_json::to_writer(
                &mut *out,
                &Checked {
                    record: output.record.number,
                    id,
                    assessment: a,
                },
            ),
            Outcome::Failed(e) => serde_json::to_writer(
                &mut *out,
                &Failed {
                    record: output.record.number,
                    id,
                    name: output.record.name(),
                    error: e,
                    cells: output.record.fields().collect(),
                },
            ),
        };
        // Only a map with keys that are not strings fails, and none has them.
        written.expect("an assessment serialises to JSON");
        if !self.array {
            out.push(b'\n');
        }
        output.rendered()
    }
}

/// A progress bar on standard error when it is a terminal.
fn progress_bar(size: Option<u64>) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match size {
        Some(total) => {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {bytes}/{total_bytes} {msg} ({per_sec}, eta {eta})",
                )
                .expect("a valid template"),
            );
            bar
        }
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    Some(bar)
}
