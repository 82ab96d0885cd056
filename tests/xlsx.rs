//! Spreadsheet output (`batch --format xlsx`, `ci --format xlsx`, `ci --output-xlsx`),
//! read back with calamine and compared cell by cell with the CSV (batch) or the JSON
//! (ci) of the same run. Colours, the frozen header and the autofilter are not read
//! back: calamine does not expose them.

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;

mod common;
use common::{Dir, aftercare};

/// Formulas, a number-like id, an empty ingredient cell (an error row), an unknown
/// name (review), a wait and a plain ok.
const CATALOG: &str = "id,name,ingredients
-7,\"=HYPERLINK(\"\"http://x\"\")\",\"Water, Glycolic Acid\"
0012,Plain Gel,\"Water, Glycerin\"
3,No List,
4,Odd,\"Water, @Zorblaxine\"
5,+Retinol Serum,\"Water, Retinol\"
";

/// Every sheet's cells, as rows of `Data`, padded to the sheet's width.
fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).expect("a workbook");
    let range = book.worksheet_range(name).expect("the sheet");
    let (rows, cols) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
    (0..rows)
        .map(|r| {
            (0..cols)
                .map(|c| range.get_value((r, c)).cloned().unwrap_or(Data::Empty))
                .collect()
        })
        .collect()
}

fn sheet_names(path: &Path) -> Vec<String> {
    let book: Xlsx<_> = open_workbook(path).expect("a workbook");
    book.sheet_names()
}

/// The CSV cell as it was before the CSV writer neutralised it.
fn unneutralised(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// The Excel serial number of an RFC 3339 time's wall clock (days since 1899-12-30).
fn excel_serial(rfc3339: &str) -> f64 {
    let t: jiff::civil::DateTime = rfc3339[..19].parse().unwrap();
    let days = (t.date() - jiff::civil::date(1899, 12, 30)).get_days();
    let seconds = t.hour() as i64 * 3600 + t.minute() as i64 * 60 + t.second() as i64;
    days as f64 + seconds as f64 / 86400.0
}

/// Compares each cell of the CSV output with the sheet's: numbers as numbers, the
/// `safe_from` time as a date, everything else as the text.
fn assert_same_cells(csv: &[u8], rows: &[Vec<Data>]) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), rows.len(), "one sheet row per CSV row");
    let header = &records[0];
    for (r, (record, row)) in records.iter().zip(rows).enumerate() {
        assert!(
            row.len() <= record.len(),
            "row {r}: more cells than the CSV"
        );
        for (c, expected) in record.iter().enumerate() {
            let got = row.get(c).unwrap_or(&Data::Empty);
            let column = &header[c];
            let at = format!("row {r}, column `{column}`");
            match got {
                _ if r > 0 && column == "wait_hours" && !expected.is_empty() => {
                    let n: f64 = expected.parse().unwrap();
                    match got {
                        Data::Float(f) => assert_eq!(*f, n, "{at}"),
                        Data::Int(i) => assert_eq!(*i as f64, n, "{at}"),
                        other => panic!("{at}: {other:?} is not a number"),
                    }
                }
                _ if r > 0 && column == "safe_from" && !expected.is_empty() => match got {
                    Data::DateTime(d) => {
                        assert!((d.as_f64() - excel_serial(expected)).abs() < 1e-9, "{at}")
                    }
                    other => panic!("{at}: {other:?} is not a date"),
                },
                Data::Empty => assert_eq!(expected, "", "{at}"),
                Data::String(s) => assert_eq!(s, unneutralised(expected), "{at}"),
                other => panic!("{at}: {other:?} where the CSV has `{expected}`"),
            }
        }
    }
}

fn batch(dir: &Dir, args: &[&str]) -> (std::process::Output, PathBuf) {
    let input = dir.file("in.csv", CATALOG);
    let out = aftercare()
        .arg("batch")
        .arg(&input)
        .args(args)
        .output()
        .unwrap();
    (out, input)
}

#[test]
fn batch_xlsx_has_the_cells_of_the_csv_output() {
    for extra in [&[][..], &["--treated-at", "2025-03-01T10:00:00+01:00"][..]] {
        let dir = Dir::new(if extra.is_empty() {
            "cells"
        } else {
            "cells-dated"
        });
        let (csv, _) = batch(&dir, extra);
        assert_eq!(csv.status.code(), Some(1));
        let xlsx = dir.path("out.xlsx");
        let (out, _) = batch(
            &dir,
            &[extra, &["--format", "xlsx", "-o", xlsx.to_str().unwrap()]].concat(),
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty());
        let rows = sheet(&xlsx, "Results");
        assert_same_cells(&csv.stdout, &rows);
        // Input cells stay text: a formula is not run, and `0012` keeps its zeros.
        assert_eq!(rows[1][1], Data::String("=HYPERLINK(\"http://x\")".into()));
        assert_eq!(rows[2][0], Data::String("0012".into()));
        assert_eq!(rows[3][3], Data::String("error".into()));
        if !extra.is_empty() {
            assert!(matches!(rows[1][5], Data::DateTime(_)));
        }
    }
}

#[test]
fn batch_xlsx_has_a_legend_of_every_verdict() {
    let dir = Dir::new("legend");
    let xlsx = dir.path("out.xlsx");
    let (out, _) = batch(&dir, &["--format", "xlsx", "-o", xlsx.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(sheet_names(&xlsx), ["Results", "Legend"]);
    let legend = sheet(&xlsx, "Legend");
    let verdicts: Vec<&Data> = legend.iter().skip(1).take(5).map(|r| &r[0]).collect();
    let expected = ["ok", "wait", "review", "avoid", "error"].map(|v| Data::String(v.into()));
    assert_eq!(verdicts, expected.iter().collect::<Vec<_>>());
}

#[test]
fn batch_xlsx_without_an_output_file_is_refused() {
    let dir = Dir::new("no-output");
    let (out, _) = batch(&dir, &["--format", "xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing binary on standard output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`-o FILE`"), "{stderr}");
}

#[test]
fn a_failed_xlsx_batch_leaves_the_previous_file_as_it_was() {
    let dir = Dir::new("failed");
    let xlsx = dir.file("out.xlsx", "previous");
    // `--strict` stops at the record with no ingredients.
    let (out, _) = batch(
        &dir,
        &["--format", "xlsx", "--strict", "-o", xlsx.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stopped by --strict"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&xlsx).unwrap(), "previous");
    let left: Vec<_> = std::fs::read_dir(&dir.0).unwrap().collect();
    assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
}

const CI_CATALOG: &str = "sku,name,from-day,ingredients
A1,Gel,1,\"Water, Sodium Hyaluronate, Glycerin\"
A2,Retinol Serum,3,\"Water, Glycerin, Retinol\"
A5,=Broken,1,#NAME?
A7,Oil Blend,9,\"Squalane, Lavandula Angustifolia (Lavender) Oil, Moonstone Dust\"
";

const CI_POLICY: &str = "profile = \"standard\"
[columns]
id = \"sku\"
claim = \"from-day\"
[levels]
essential-oil = \"warn\"
";

fn ci(dir: &Dir, args: &[&str]) -> std::process::Output {
    let c = dir.file("catalog.csv", CI_CATALOG);
    let p = dir.file("aftercare.toml", CI_POLICY);
    aftercare()
        .arg("ci")
        .arg(&c)
        .arg("--config")
        .arg(&p)
        .args(args)
        .output()
        .unwrap()
}

/// The sheet's product rows against the JSON's products.
fn assert_ci_sheet_matches_json(rows: &[Vec<Data>], json: &Value) {
    let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(
        header,
        [
            "id",
            "name",
            "line",
            "claim",
            "verdict",
            "safe_after_hours",
            "violations",
            "warnings"
        ]
    );
    let products = json["products"].as_array().unwrap();
    assert_eq!(rows.len() - 1, products.len());
    for (row, p) in rows[1..].iter().zip(products) {
        let text = |c: usize| match &row.get(c).unwrap_or(&Data::Empty) {
            Data::Empty => None,
            Data::String(s) => Some(s.clone()),
            other => panic!("{other:?} is not text"),
        };
        let number = |c: usize| match &row.get(c).unwrap_or(&Data::Empty) {
            Data::Empty => None,
            Data::Float(f) => Some(*f),
            Data::Int(i) => Some(*i as f64),
            other => panic!("{other:?} is not a number"),
        };
        assert_eq!(text(0).as_deref(), p["id"].as_str());
        assert_eq!(text(1).as_deref(), p["name"].as_str());
        assert_eq!(number(2), p["line"].as_f64());
        assert_eq!(text(3).as_deref(), p["claim"].as_str());
        let verdict = p["assessment"]["verdict"].as_str().unwrap_or("error");
        assert_eq!(text(4).as_deref(), Some(verdict));
        assert_eq!(number(5), p["safe_after_hours"].as_f64());
        for (col, field) in [(6, "violations"), (7, "warnings")] {
            let messages: Vec<&str> = p[field]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["message"].as_str().unwrap())
                .collect();
            assert_eq!(
                text(col).unwrap_or_default(),
                messages.join("\n"),
                "{field}"
            );
        }
    }
}

#[test]
fn ci_xlsx_has_a_row_per_product_with_the_json_values() {
    let dir = Dir::new("ci");
    let json = ci(&dir, &["--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let xlsx = dir.path("ci.xlsx");
    let out = ci(&dir, &["--format", "xlsx", "-o", xlsx.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    assert_eq!(sheet_names(&xlsx), ["Results", "Legend"]);
    let rows = sheet(&xlsx, "Results");
    assert_ci_sheet_matches_json(&rows, &json);
    // A name that reads as a formula stays text.
    assert_eq!(rows[3][1], Data::String("=Broken".into()));

    // `--output-xlsx` writes the same workbook beside the text on standard output.
    let also = dir.path("also.xlsx");
    let out = ci(&dir, &["--output-xlsx", also.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("violation"));
    assert_eq!(sheet(&also, "Results"), rows);
}

#[test]
fn ci_xlsx_without_an_output_file_is_refused() {
    let dir = Dir::new("ci-no-output");
    let out = ci(&dir, &["--format", "xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`-o FILE`"), "{stderr}");
}
