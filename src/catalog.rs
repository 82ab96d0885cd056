//! Product CSV files to labels: finds the columns, decodes each cell (UTF-8, or
//! Windows-1252 where a cell is not UTF-8), reads cells written as Python lists, and
//! numbers every record. Used by `batch` and `ci` (a `plan` routine, a small file, is
//! read with the csv crate, with this module's delimiter rule); it never checks a label.
//!
//! A file is read as a stream: one record at a time, so memory does not grow with
//! the number of records.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use crate::csv_cut::{Cutter, Fields, MAX_RECORD};
use crate::db::quote_list;

/// Column names recognised without being told, compared case-insensitively.
pub const INGREDIENT_COLUMNS: &[&str] = &[
    "ingredients",
    "ingredient",
    "inci",
    "clean_ingreds",
    "ingredient_list",
    "inci_list",
];
pub const ID_COLUMNS: &[&str] = &["id", "sku", "product_id", "code", "gtin", "ean", "upc"];
pub const NAME_COLUMNS: &[&str] = &["name", "product_name", "product", "title"];
pub const TYPE_COLUMNS: &[&str] = &[
    "type",
    "product_type",
    "label",
    "primary_category",
    "category",
];

/// A label larger than this is an error record rather than a check.
pub const MAX_CELL_BYTES: usize = crate::label::MAX_LABEL_BYTES;

/// Which columns to read; `None` means "find by name".
#[derive(Debug, Clone, Default)]
pub struct Columns {
    pub ingredients: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub product_type: Option<String>,
    /// The byte between fields; `None`: read from the header row (see `sniff_delimiter`).
    pub delimiter: Option<u8>,
}

/// The delimiters told apart without being named.
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// A delimiter as an error message names it.
fn delimiter_name(d: u8) -> &'static str {
    match d {
        b',' => "commas",
        b';' => "semicolons",
        b'\t' => "tabs",
        b'|' => "`|`",
        _ => "the `--delimiter` given",
    }
}

/// How far the header row is looked at for its delimiter.
const SNIFF_BYTES: usize = 64 << 10;

/// The delimiter of a file whose dialect was not given: whichever of comma, semicolon
/// and tab the header row holds most of outside quotes, a comma when it holds none or
/// on a tie. Spreadsheets in locales that write decimal commas save their "CSV" with
/// semicolons, and exports named `.tsv` use tabs; a header row names columns, so it
/// holds the delimiter and rarely another.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let mut row = FirstRow::default();
    row.read(head);
    row.delimiter()
}

/// The first row of a file, read a piece at a time: how many of each of `DELIMITERS`
/// it holds outside quotes, and whether it has ended.
#[derive(Default)]
struct FirstRow {
    counts: [usize; DELIMITERS.len()],
    quoted: bool,
    ended: bool,
}

impl FirstRow {
    fn read(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.ended {
                return;
            }
            match b {
                b'"' => self.quoted = !self.quoted,
                b'\r' | b'\n' if !self.quoted => self.ended = true,
                _ if !self.quoted => {
                    if let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
                        self.counts[i] += 1;
                    }
                }
                _ => {}
            }
        }
    }

    /// The delimiter it holds most of; a comma when none or on a tie.
    fn delimiter(&self) -> u8 {
        let mut best = 0;
        for i in 1..DELIMITERS.len() {
            if self.counts[i] > self.counts[best] {
                best = i;
            }
        }
        DELIMITERS[best]
    }
}

/// The whole stream of `src` again, and the delimiter `sniff_delimiter` reads from
/// its first row, which is read up to its end or `SNIFF_BYTES`.
fn sniffed(mut src: Box<dyn Read + Send>) -> std::io::Result<(Box<dyn Read + Send>, u8)> {
    let mut head = Vec::new();
    let mut row = FirstRow::default();
    let mut chunk = [0u8; 4096];
    while head.len() < SNIFF_BYTES && !row.ended {
        match src.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                head.extend_from_slice(&chunk[..n]);
                row.read(&chunk[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((unread(head, src), row.delimiter()))
}

/// The first `n` bytes of `src` (fewer at its end), and the rest of it.
fn peek(mut src: Box<dyn Read + Send>, n: u64) -> std::io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = Vec::new();
    (&mut src).take(n).read_to_end(&mut head)?;
    Ok((head, src))
}

/// `head` read again before `rest`.
fn unread(head: Vec<u8>, rest: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
    Box::new(std::io::Cursor::new(head).chain(rest))
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("`{path}` has no header row")]
    NoHeader { path: String },
    #[error(
        "the header row of `{path}` opens a quote that is never closed, so the whole file \
         reads as its last column; close the quote"
    )]
    OpenQuoteInHeader { path: String },
    #[error(
        "no ingredient column in `{path}` (fields separated by {delimiter}); columns are \
         {columns}; name one with `--column`"
    )]
    NoIngredientColumn {
        path: String,
        columns: String,
        delimiter: &'static str,
    },
    #[error(
        "`{path}` has two columns named `{name}` (columns {first} and {second}), so which one to read cannot be told; rename one of them"
    )]
    AmbiguousColumn {
        path: String,
        name: String,
        first: usize,
        second: usize,
    },
    #[error("unknown column `{wanted}` in `{path}`; columns are {columns}")]
    UnknownColumn {
        path: String,
        wanted: String,
        columns: String,
    },
}

/// One data record of a catalog: its cells in one buffer, and where its label, id,
/// name and type are.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based data record number (the header is not counted).
    pub number: u64,
    /// The line on which the record starts in the file (1-based, header is line 1).
    pub line: u64,
    /// Every field as decoded, in header order; a short record is padded.
    fields: Fields<String>,
    /// `Ok` when the ingredient cell can be checked; why not otherwise.
    label: Result<(), String>,
    ingredients: usize,
    id: Option<usize>,
    name: Option<usize>,
    product_type: Option<usize>,
}

impl Record {
    /// Every field as decoded, in header order.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.fields.iter()
    }

    pub fn field(&self, i: usize) -> Option<&str> {
        self.fields.get(i)
    }

    /// The record as it was read, when writing its fields again as comma-separated
    /// CSV gives these very bytes (see `Fields::as_read`); a short record, padded,
    /// never is.
    pub fn as_read(&self) -> Option<&str> {
        self.fields.as_read()
    }

    /// The label text, Python lists unfolded; `Err` when the record cannot be checked.
    pub fn label(&self) -> Result<Cow<'_, str>, &str> {
        self.ingredient_cell().map(unfold_python_list)
    }

    /// The ingredient cell as it stands, Python lists not unfolded: the same cell is
    /// the same label, so a repeated label is known before it is unfolded.
    pub fn ingredient_cell(&self) -> Result<&str, &str> {
        match &self.label {
            Ok(()) => Ok(self.fields.get(self.ingredients).unwrap_or("")),
            Err(e) => Err(e),
        }
    }

    /// A cell by column; `None` when there is no such column or the cell is empty.
    fn cell(&self, column: Option<usize>) -> Option<&str> {
        column
            .and_then(|i| self.fields.get(i))
            .filter(|s| !s.is_empty())
    }

    pub fn id(&self) -> Option<&str> {
        self.cell(self.id)
    }

    pub fn name(&self) -> Option<&str> {
        self.cell(self.name)
    }

    pub fn product_type(&self) -> Option<&str> {
        self.cell(self.product_type)
    }
}

/// A record cut from the file and not yet decoded: cutting is all the reading
/// thread does, and whoever checks the record decodes it (`Layout::record`).
#[derive(Debug, Clone)]
pub struct RawRecord {
    number: u64,
    line: u64,
    /// The fields as bytes, or why the input could not be read.
    fields: Result<Fields, String>,
    /// The input ended inside a quote this record opened: the line it ended on.
    open_quote_to: Option<u64>,
    /// An input error cut this record short: why. Its cells, as far as they were
    /// read, are in `fields`.
    cut_by: Option<String>,
}

/// Where the columns are: what turns a raw record into a record.
#[derive(Debug, Clone)]
pub struct Layout {
    width: usize,
    /// The input's delimiter, to keep a too-long record's extra cells together.
    delimiter: u8,
    ingredients: usize,
    id: Option<usize>,
    name: Option<usize>,
    product_type: Option<usize>,
}

/// A catalog opened for reading.
pub struct Catalog {
    path: String,
    records: Cutter<Box<dyn Read + Send>>,
    pub headers: Vec<String>,
    layout: Layout,
    next: u64,
    /// Total input size in bytes when known (a plain file), for progress.
    pub size: Option<u64>,
    /// Set when the input could not be read to its end (a cut `.gz`): the run is then
    /// incomplete, whatever its records say.
    incomplete: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Catalog {
    /// A flag set when the input turns out not to be readable to its end; kept by
    /// the caller before the catalog is handed to a run.
    pub fn incomplete(&self) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
        self.incomplete.clone()
    }

    /// Opens a path, `-` for standard input; `.gz` files are decompressed.
    pub fn open(path: &Path, columns: &Columns) -> Result<Catalog, CatalogError> {
        let display = path.display().to_string();
        let io = |source| CatalogError::Io {
            path: display.clone(),
            source,
        };
        let (raw, size): (Box<dyn Read + Send>, Option<u64>) = if path.as_os_str() == "-" {
            (Box::new(std::io::stdin()), None)
        } else {
            let file = std::fs::File::open(path).map_err(io)?;
            let size = file.metadata().ok().map(|m| m.len());
            (Box::new(file), size)
        };
        Catalog::from_reader(raw, &display, columns, size)
    }

    /// Reads a catalog from any reader: gzip data is decompressed (known by its first
    /// two bytes, so a `.gz` file and a compressed stream on standard input alike),
    /// and a byte-order mark is honoured. `size` is the input's, for progress; it is
    /// dropped for gzip data, whose bytes read are not the input's.
    pub fn from_reader(
        raw: Box<dyn Read + Send>,
        path: &str,
        columns: &Columns,
        size: Option<u64>,
    ) -> Result<Catalog, CatalogError> {
        let io = |source| CatalogError::Io {
            path: path.to_string(),
            source,
        };
        let (magic, rest) = peek(raw, 2).map_err(io)?;
        let gz = magic == [0x1f, 0x8b];
        let raw = unread(magic, rest);
        let (raw, size): (Box<dyn Read + Send>, _) = if gz {
            let buffered = std::io::BufReader::new(raw);
            (Box::new(flate2::read::MultiGzDecoder::new(buffered)), None)
        } else {
            (raw, size)
        };
        // UTF-16 with a byte-order mark is transcoded; a UTF-8 mark is removed; other
        // bytes pass through untouched and each cell is decoded on its own.
        let (head, rest) = peek(raw, 3).map_err(io)?;
        let decoded: Box<dyn Read + Send> = if head.starts_with(b"\xEF\xBB\xBF") {
            rest
        } else if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
            Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .bom_sniffing(true)
                    .build(unread(head, rest)),
            )
        } else {
            unread(head, rest)
        };
        let (decoded, delimiter) = match columns.delimiter {
            Some(d) => (decoded, d),
            None => sniffed(decoded).map_err(io)?,
        };
        let mut records = Cutter::with_delimiter(decoded, delimiter);
        let header = match records.next_record() {
            None => {
                return Err(CatalogError::NoHeader {
                    path: path.to_string(),
                });
            }
            Some(Err(source)) => return Err(io(source)),
            Some(Ok(_)) if records.open_quote() => {
                return Err(CatalogError::OpenQuoteInHeader {
                    path: path.to_string(),
                });
            }
            Some(Ok((_, header))) => header,
        };
        let headers: Vec<String> = header
            .iter_bytes()
            // A second byte-order mark (a file saved twice by a tool that adds one)
            // is not part of the first column's name.
            .map(|h| {
                decode_cell(h)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_string()
            })
            .collect();
        let listed = quote_list(&headers);
        let find = |wanted: &Option<String>,
                    defaults: &[&str],
                    required: bool|
         -> Result<Option<usize>, CatalogError> {
            match wanted {
                Some(w) => headers
                    .iter()
                    .position(|h| h.eq_ignore_ascii_case(w))
                    .map(Some)
                    .ok_or_else(|| CatalogError::UnknownColumn {
                        path: path.to_string(),
                        wanted: w.clone(),
                        columns: listed.clone(),
                    }),
                None => {
                    let found = defaults
                        .iter()
                        .find_map(|d| headers.iter().position(|h| h.eq_ignore_ascii_case(d)));
                    if found.is_none() && required {
                        return Err(CatalogError::NoIngredientColumn {
                            path: path.to_string(),
                            columns: listed.clone(),
                            delimiter: delimiter_name(delimiter),
                        });
                    }
                    // Two columns of the same name: which one is meant cannot be told.
                    if let Some(i) = found
                        && let Some(j) = headers
                            .iter()
                            .enumerate()
                            .position(|(j, h)| j != i && h.eq_ignore_ascii_case(&headers[i]))
                    {
                        return Err(CatalogError::AmbiguousColumn {
                            path: path.to_string(),
                            name: headers[i].clone(),
                            first: i + 1,
                            second: j + 1,
                        });
                    }
                    Ok(found)
                }
            }
        };
        let ingredients = find(&columns.ingredients, INGREDIENT_COLUMNS, true)?.expect("required");
        let id = find(&columns.id, ID_COLUMNS, false)?;
        let name = find(&columns.name, NAME_COLUMNS, false)?;
        let product_type = find(&columns.product_type, TYPE_COLUMNS, false)?;
        Ok(Catalog {
            path: path.to_string(),
            records,
            layout: Layout {
                width: headers.len(),
                delimiter,
                ingredients,
                id,
                name,
                product_type,
            },
            headers,
            next: 0,
            size,
            incomplete: Default::default(),
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn ingredient_column(&self) -> &str {
        &self.headers[self.layout.ingredients]
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Bytes read so far, for progress.
    pub fn position(&self) -> u64 {
        self.records.position()
    }

    /// The next record; a read error (a damaged `.gz`) is still a record, with the
    /// error, so nothing is dropped. `None` at the end of the file.
    pub fn next_record(&mut self) -> Option<Record> {
        let raw = self.next_raw()?;
        Some(self.layout.record(raw))
    }

    /// The next record, cut from the file but not decoded.
    pub fn next_raw(&mut self) -> Option<RawRecord> {
        let read = self.records.next_record()?;
        self.next += 1;
        Some(match read {
            // Read past without its cells: an error record, padded to the header.
            Ok((line, _)) if let Some(len) = self.records.oversized() => RawRecord {
                number: self.next,
                line,
                fields: Err({
                    let mut why = format!(
                        "the record is {len} bytes, over the limit of {} MiB, so its cells \
                         were not kept",
                        MAX_RECORD >> 20
                    );
                    if self.records.open_quote() {
                        why.push_str("; ");
                        why.push_str(&never_closed(line, self.records.line()));
                    }
                    why
                }),
                open_quote_to: None,
                cut_by: None,
            },
            Ok((line, fields)) => RawRecord {
                number: self.next,
                line,
                fields: Ok(fields),
                open_quote_to: self.records.open_quote().then(|| self.records.line()),
                cut_by: None,
            },
            // An input error (a damaged `.gz`) ends the file: the record it cut short
            // is an error record, so nothing is dropped without a word.
            Err(e) => {
                self.incomplete
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                let why = format!("cannot read `{}`: {e}", self.path);
                match self.records.cut_short() {
                    Some(fields) => RawRecord {
                        number: self.next,
                        line: self.records.line(),
                        fields: Ok(fields),
                        open_quote_to: None,
                        cut_by: Some(format!("{why}; the record was cut short there")),
                    },
                    None => RawRecord {
                        number: self.next,
                        line: self.records.line(),
                        fields: Err(why),
                        open_quote_to: None,
                        cut_by: None,
                    },
                }
            }
        })
    }
}

impl Layout {
    /// Decodes a raw record: its cells, and why it cannot be checked if it cannot.
    pub fn record(&self, raw: RawRecord) -> Record {
        let width = self.width;
        let mut record = Record {
            number: raw.number,
            line: raw.line,
            fields: Fields::default(),
            label: Ok(()),
            ingredients: self.ingredients,
            id: self.id,
            name: self.name,
            product_type: self.product_type,
        };
        let bytes = match raw.fields {
            Ok(bytes) => bytes,
            Err(message) => {
                record.fields = std::iter::repeat_n("", width).collect();
                record.label = Err(message);
                return record;
            }
        };
        // UTF-8 records (nearly all) keep their buffer; others are decoded cell by cell.
        let mut fields = decode_fields(bytes);
        let len = fields.len();
        record.label = match fields.get(self.ingredients) {
            // The cells hold everything to the end of the input, so they are still
            // written out; nothing is checked, since other records may be among them.
            _ if let Some(why) = raw.cut_by => Err(why),
            _ if let Some(end) = raw.open_quote_to => Err(never_closed(raw.line, end)),
            _ if len > width => Err(format!(
                "record has {len} fields; the header has {width} (the cells from column {width} on are kept together in it)"
            )),
            _ if len != width => Err(format!("record has {len} fields; the header has {width}")),
            Some(cell) if cell.len() > MAX_CELL_BYTES => Err(format!(
                "the ingredient cell is {} bytes; the limit is {MAX_CELL_BYTES}",
                cell.len()
            )),
            Some(cell) if cell.trim().is_empty() => Err("the ingredient cell is empty".to_string()),
            Some(_) => Ok(()),
            None => Err("record has no ingredient field".to_string()),
        };
        for _ in len..width {
            fields.push("");
        }
        // A record with more cells than the header keeps them all, the extra ones
        // joined into its last column, so that every output row has the header's
        // columns and its answer columns stay where a reader looks for them.
        if len > width && width > 0 {
            let joint = char::from(self.delimiter).to_string();
            let rest: Vec<&str> = fields.iter().skip(width - 1).collect();
            let last = rest.join(&joint);
            let mut kept: Fields<String> = fields.iter().take(width - 1).collect();
            kept.push(&last);
            fields = kept;
        }
        record.fields = fields;
        record
    }
}

/// Why a record that opened a quote on line `from` and never closed it, running to
/// line `to`, cannot be checked.
fn never_closed(from: u64, to: u64) -> String {
    format!(
        "a quote opened in this record is never closed, so it runs to the end of the \
         input (lines {from} to {to}), taking in any records on those lines; close the quote"
    )
}

/// A record's cells as text: UTF-8 records (nearly all) keep their buffer; others
/// are decoded cell by cell.
fn decode_fields(raw: Fields) -> Fields<String> {
    let (bytes, spans, as_read) = raw.into_parts();
    let on_boundaries = |text: &str| {
        spans
            .iter()
            .all(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
    };
    match String::from_utf8(bytes) {
        Ok(text) if on_boundaries(&text) => Fields::from_parts(text, spans, as_read),
        Ok(text) => decode_each(text.as_bytes(), &spans),
        Err(e) => decode_each(e.as_bytes(), &spans),
    }
}

fn decode_each(bytes: &[u8], spans: &[std::ops::Range<usize>]) -> Fields<String> {
    spans
        .iter()
        .map(|r| decode_cell(&bytes[r.clone()]))
        .collect()
}

/// UTF-8 when it is; Windows-1252 otherwise (scraped files mix both).
fn decode_cell(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// A cell written as a Python list (`['Serum:', 'Aqua / Water, ...']`) becomes one
/// line per element, so kit and shade headers stay headers; anything else is
/// returned as it is. An element that is a kit's or shade's name without its colon
/// (`['Brow Wiz - Medium Brown', 'Cera Alba, ...']`: no comma of its own, before an
/// element that is a list) becomes a header too.
pub fn unfold_python_list(cell: &str) -> Cow<'_, str> {
    match unfold_elements(cell) {
        Cow::Borrowed(b) => Cow::Borrowed(b),
        Cow::Owned(text) => {
            let lines: Vec<&str> = text.split('\n').collect();
            let is_list = |l: &str| l.matches(',').count() >= 2;
            if !lines.iter().any(|l| is_list(l)) {
                return Cow::Owned(text);
            }
            let mut out = String::with_capacity(text.len() + 8);
            for (i, line) in lines.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                let names_next = lines.get(i + 1).is_some_and(|n| is_list(n));
                let t = line.trim();
                if names_next && t.ends_with(':') && t.contains(',') {
                    // `Miss Dior Eau de Parfum, Refillable Travel Spray:`: the names of
                    // a set's products head its list; their commas separate no
                    // ingredients.
                    out.push_str(&line.replace(',', " /"));
                } else {
                    out.push_str(line);
                }
                if names_next && !t.is_empty() && !t.contains([',', ':', ';']) {
                    out.push(':');
                }
            }
            Cow::Owned(out)
        }
    }
}

fn unfold_elements(cell: &str) -> Cow<'_, str> {
    let t = cell.trim();
    if !(t.starts_with('[') && t.ends_with(']')) {
        return Cow::Borrowed(cell);
    }
    // Quotes, backslashes and commas are ASCII, so the elements are cut by bytes:
    // each run up to the next quote or backslash is found with memchr and copied whole.
    let inner = &t[1..t.len() - 1];
    let b = inner.as_bytes();
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    let mut first = true;
    loop {
        while i < b.len() {
            let c = inner[i..].chars().next().expect("i is on a char boundary");
            if c != ',' && !c.is_whitespace() {
                break;
            }
            i += c.len_utf8();
        }
        if i >= b.len() {
            break;
        }
        let quote = b[i];
        if quote != b'\'' && quote != b'"' {
            // Not a list of strings: leave the cell alone.
            return Cow::Borrowed(cell);
        }
        i += 1;
        if !first {
            out.push('\n');
        }
        first = false;
        let mut run = i;
        let mut closed = false;
        while let Some(at) = memchr::memchr2(quote, b'\\', &b[i..]) {
            i += at;
            if b[i] == b'\\' {
                out.push_str(&inner[run..i]);
                i += 1;
                if let Some(n) = inner[i..].chars().next() {
                    out.push(match n {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                    i += n.len_utf8();
                }
                run = i;
            } else {
                out.push_str(&inner[run..i]);
                i += 1;
                closed = true;
                break;
            }
        }
        if !closed {
            return Cow::Borrowed(cell);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_the_one_the_header_row_holds_most_of_outside_quotes() {
        let cases: [(&[u8], u8); 9] = [
            (b"id,name,ingredients\n1;2;3;4;5\n", b','),
            (b"id;name;ingredients\r\n1,2,3,4\r\n", b';'),
            (b"id\tname\tingredients\n", b'\t'),
            (b"ingredients\n", b','),
            (b"", b','),
            // A quoted name may hold another delimiter, even a line end.
            (b"id,\"a;b;c\nd;e\",ingredients\n", b','),
            (b"\"Name, full\";\"INCI, list\";id\n", b';'),
            // Ties go to the first of comma, semicolon and tab.
            (b"a;b,c\n", b','),
            (b"a;b\tc\n", b';'),
        ];
        for (head, want) in cases {
            assert_eq!(
                char::from(sniff_delimiter(head)),
                char::from(want),
                "{:?}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn sniffing_gives_back_every_byte_whatever_the_reads() {
        struct Trickle(Vec<u8>, usize);
        impl Read for Trickle {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.1.min(out.len()).min(self.0.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0.drain(..n);
                Ok(n)
            }
        }
        let long_header = format!("{};x\n1;2\n", "h".repeat(SNIFF_BYTES * 2));
        for input in [
            &b"id;ingredients\n1;Water\n"[..],
            b"",
            long_header.as_bytes(),
        ] {
            for step in [1, 3, 4096, usize::MAX] {
                let (mut rest, d) = sniffed(Box::new(Trickle(input.to_vec(), step))).unwrap();
                let mut back = Vec::new();
                rest.read_to_end(&mut back).unwrap();
                assert_eq!(back, input);
                // Past the bytes looked at, the delimiter is a comma: none was seen.
                let want = if input.is_empty() || input.len() > SNIFF_BYTES {
                    b','
                } else {
                    b';'
                };
                assert_eq!(d, want, "{} bytes in reads of {step}", input.len());
            }
        }
    }

    #[test]
    fn python_lists_unfold_into_lines() {
        assert_eq!(
            unfold_python_list(
                "['Serum:', 'Aqua / Water, Glycerin', \"Retinol Powder:\", 'Retinol']"
            ),
            "Serum:\nAqua / Water, Glycerin\nRetinol Powder:\nRetinol"
        );
        assert_eq!(
            unfold_python_list("['glycerin', 'cetearyl alcohol']"),
            "glycerin\ncetearyl alcohol"
        );
        assert_eq!(unfold_python_list("['it\\'s']"), "it's");
        assert_eq!(unfold_python_list("[+/-: CI 77491]"), "[+/-: CI 77491]");
        assert_eq!(unfold_python_list("Water, Glycerin"), "Water, Glycerin");
        assert_eq!(unfold_python_list("['Crème', 'Eau']"), "Crème\nEau");
        assert_eq!(unfold_python_list("['a',\u{a0}\"b\"]"), "a\nb");
        assert_eq!(unfold_python_list("['a\\']"), "['a\\']");
        assert_eq!(unfold_python_list("['a', b]"), "['a', b]");
        assert_eq!(unfold_python_list("[]"), "");
        // A set's or shade's names before its list head it, commas and all.
        assert_eq!(
            unfold_python_list("['Brow Wiz - Medium Brown', 'Cera Alba, Talc, Mica']"),
            "Brow Wiz - Medium Brown:\nCera Alba, Talc, Mica"
        );
        assert_eq!(
            unfold_python_list("['Eau de Parfum, Travel Spray:', 'Alcohol, Parfum, Water']"),
            "Eau de Parfum / Travel Spray:\nAlcohol, Parfum, Water"
        );
    }

    #[test]
    fn cells_that_are_not_utf8_are_read_as_windows_1252() {
        assert_eq!(decode_cell(b"Ingr\xe9dients"), "Ingrédients");
        assert_eq!(decode_cell("Ingrédients".as_bytes()), "Ingrédients");
    }

    #[test]
    fn a_record_is_utf8_only_when_each_cell_is() {
        // `\xC3` and `\xA9` together are `é`, but as two cells each is Windows-1252.
        let raw = Fields::from_raw(b"\xC3\xA9Water".to_vec(), vec![1, 2, 7]);
        assert_eq!(
            decode_fields(raw).iter().collect::<Vec<_>>(),
            ["\u{c3}", "\u{a9}", "Water"]
        );
        let raw = Fields::from_raw("CrèmeEau".as_bytes().to_vec(), vec![6, 9]);
        assert_eq!(
            decode_fields(raw).iter().collect::<Vec<_>>(),
            ["Crème", "Eau"]
        );
    }
}
