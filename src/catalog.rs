//! Product CSV files to labels: finds the columns, decodes each cell (UTF-8, or
//! Windows-1252 where a cell is not UTF-8), reads cells written as Python lists, and
//! numbers every record. Used by `batch`, `ci` and `plan`; it never checks a label.
//!
//! A file is read as a stream: one record at a time, so memory does not grow with
//! the number of records.

use std::io::Read;
use std::path::Path;

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
    #[error("no ingredient column in `{path}`; columns are {columns}; name one with `--column`")]
    NoIngredientColumn { path: String, columns: String },
    #[error("unknown column `{wanted}` in `{path}`; columns are {columns}")]
    UnknownColumn {
        path: String,
        wanted: String,
        columns: String,
    },
    #[error("`{path}`: {source}")]
    Csv { path: String, source: csv::Error },
}

/// One data record of a catalog.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based data record number (the header is not counted).
    pub number: u64,
    /// The line on which the record starts in the file (1-based, header is line 1).
    pub line: u64,
    /// Every field as decoded, in header order.
    pub fields: Vec<String>,
    /// The label text, Python lists unfolded; `Err` when the record cannot be checked.
    pub label: Result<String, String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub product_type: Option<String>,
}

/// A catalog opened for reading.
pub struct Catalog {
    path: String,
    reader: csv::Reader<Box<dyn Read + Send>>,
    pub headers: Vec<String>,
    ingredients: usize,
    id: Option<usize>,
    name: Option<usize>,
    product_type: Option<usize>,
    next: u64,
    /// Total input size in bytes when known (a plain file), for progress.
    pub size: Option<u64>,
    /// Set when some cell was not UTF-8 and was read as Windows-1252.
    pub decoded_1252: bool,
}

impl Catalog {
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
        let gz = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        let raw: Box<dyn Read + Send> = if gz {
            Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
                raw,
            )))
        } else {
            raw
        };
        Catalog::from_reader(raw, &display, columns, if gz { None } else { size })
    }

    /// Reads a catalog from any reader (a byte-order mark is honoured).
    pub fn from_reader(
        raw: Box<dyn Read + Send>,
        path: &str,
        columns: &Columns,
        size: Option<u64>,
    ) -> Result<Catalog, CatalogError> {
        // UTF-16 with a byte-order mark is transcoded; a UTF-8 mark is removed; other
        // bytes pass through untouched and each cell is decoded on its own.
        let mut raw = raw;
        let mut head = Vec::with_capacity(3);
        (&mut raw)
            .take(3)
            .read_to_end(&mut head)
            .map_err(|source| CatalogError::Io {
                path: path.to_string(),
                source,
            })?;
        let decoded: Box<dyn Read + Send> = if head.starts_with(b"\xEF\xBB\xBF") {
            raw
        } else if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
            Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .bom_sniffing(true)
                    .build(std::io::Cursor::new(head).chain(raw)),
            )
        } else {
            Box::new(std::io::Cursor::new(head).chain(raw))
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(decoded);
        let header = reader
            .byte_headers()
            .map_err(|source| CatalogError::Csv {
                path: path.to_string(),
                source,
            })?
            .clone();
        if header.is_empty() {
            return Err(CatalogError::NoHeader {
                path: path.to_string(),
            });
        }
        let mut decoded_1252 = false;
        let headers: Vec<String> = header
            .iter()
            .map(|h| decode_cell(h, &mut decoded_1252).trim().to_string())
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
            reader,
            headers,
            ingredients,
            id,
            name,
            product_type,
            next: 0,
            size,
            decoded_1252,
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn ingredient_column(&self) -> &str {
        &self.headers[self.ingredients]
    }

    /// Bytes read so far, for progress.
    pub fn position(&self) -> u64 {
        self.reader.position().byte()
    }

    /// The next record; a record the CSV reader rejects is still a record, with an
    /// error, so nothing is dropped. `None` at the end of the file.
    pub fn next_record(&mut self) -> Option<Record> {
        let mut raw = csv::ByteRecord::new();
        let line = self.reader.position().line();
        match self.reader.read_byte_record(&mut raw) {
            Ok(false) => None,
            Ok(true) => {
                self.next += 1;
                let line = raw.position().map_or(line, |p| p.line());
                let mut fields: Vec<String> = raw
                    .iter()
                    .map(|f| decode_cell(f, &mut self.decoded_1252))
                    .collect();
                let width = self.headers.len();
                let label = match fields.get(self.ingredients) {
                    _ if fields.len() != width => Err(format!(
                        "record has {} fields; the header has {width}",
                        fields.len()
                    )),
                    Some(cell) if cell.len() > MAX_CELL_BYTES => Err(format!(
                        "the ingredient cell is {} bytes; the limit is {MAX_CELL_BYTES}",
                        cell.len()
                    )),
                    Some(cell) if cell.trim().is_empty() => {
                        Err("the ingredient cell is empty".to_string())
                    }
                    Some(cell) => Ok(unfold_python_list(cell)),
                    None => Err("record has no ingredient field".to_string()),
                };
                let get = |i: Option<usize>| {
                    i.and_then(|i| fields.get(i))
                        .filter(|s| !s.is_empty())
                        .cloned()
                };
                let (id, name, product_type) =
                    (get(self.id), get(self.name), get(self.product_type));
                fields.resize(width.max(fields.len()), String::new());
                Some(Record {
                    number: self.next,
                    line,
                    fields,
                    label,
                    id,
                    name,
                    product_type,
                })
            }
            Err(e) => {
                self.next += 1;
                let at = e.position().map_or(line, |p| p.line());
                let message = format!("malformed CSV at line {at}: {e}");
                // The reader cannot resume inside a broken quoted field; it reports the
                // error once and the rest of the file is read as it can be.
                Some(Record {
                    number: self.next,
                    line: at,
                    fields: vec![String::new(); self.headers.len()],
                    label: Err(message),
                    id: None,
                    name: None,
                    product_type: None,
                })
            }
        }
    }
}

/// UTF-8 when it is; Windows-1252 otherwise (scraped files mix both).
fn decode_cell(bytes: &[u8], decoded_1252: &mut bool) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            *decoded_1252 = true;
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned()
        }
    }
}

/// A cell written as a Python list (`['Serum:', 'Aqua / Water, ...']`) becomes one
/// line per element, so kit and shade headers stay headers; anything else is
/// returned as it is.
pub fn unfold_python_list(cell: &str) -> String {
    let t = cell.trim();
    if !(t.starts_with('[') && t.ends_with(']')) {
        return cell.to_string();
    }
    let inner = &t[1..t.len() - 1];
    let mut items = Vec::new();
    let mut chars = inner.char_indices().peekable();
    loop {
        while chars
            .next_if(|&(_, c)| c == ',' || c.is_whitespace())
            .is_some()
        {}
        let Some((_, quote)) = chars.next() else {
            break;
        };
        if quote != '\'' && quote != '"' {
            // Not a list of strings: leave the cell alone.
            return cell.to_string();
        }
        let mut item = String::new();
        let mut closed = false;
        while let Some((_, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        item.push(match n {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    }
                }
                c if c == quote => {
                    closed = true;
                    break;
                }
                c => item.push(c),
            }
        }
        if !closed {
            return cell.to_string();
        }
        items.push(item);
    }
    if items.is_empty() {
        return String::new();
    }
    items.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn cells_that_are_not_utf8_are_read_as_windows_1252() {
        let mut flag = false;
        assert_eq!(decode_cell(b"Ingr\xe9dients", &mut flag), "Ingrédients");
        assert!(flag);
    }
}
