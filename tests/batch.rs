//! `aftercare batch` as scripts use it: one output record per input record, in order,
//! whatever the encoding, the cell format or the errors. Output is parsed back.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

mod common;
use common::{Dir, aftercare};

fn jsonl(path: &Path, extra: &[&str]) -> (Vec<Value>, i32, String) {
    let out = aftercare()
        .args(["batch", "--format", "jsonl"])
        .args(extra)
        .arg(path)
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        lines,
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn csv_rows(bytes: &[u8]) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(bytes)
        .records()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn columns_are_found_by_name_in_any_case() {
    let d = Dir::new("columns");
    let p = d.file(
        "c.csv",
        b"SKU,Product_Name,Label,INCI\nA1,Night Serum,Treatment,\"Water, Retinol\"\nA2,Gel,Moisturizer,\"Water, Glycerin\"\n",
    );
    let (lines, code, _) = jsonl(&p, &[]);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["record"], 1);
    assert_eq!(lines[0]["id"], "A1");
    assert_eq!(lines[0]["name"], "Night Serum");
    assert_eq!(lines[0]["verdict"], "wait");
    assert_eq!(lines[1]["verdict"], "ok");
    let p = d.file("other.csv", b"sku,contents\n1,\"Water\"\n");
    aftercare()
        .args(["batch"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no ingredient column"))
        .stderr(predicates::str::contains("`sku`, `contents`"));
    let (lines, _, _) = jsonl(&p, &["--column", "contents"]);
    assert_eq!(lines[0]["verdict"], "ok");
}

#[test]
fn the_type_column_reaches_the_assessment() {
    let d = Dir::new("type");
    let p = d.file(
        "t.csv",
        b"name,product_type,ingredients\nTint,foundation,\"Water, Glycerin\"\n",
    );
    let (lines, _, _) = jsonl(&p, &[]);
    assert_eq!(lines[0]["product_type"], "makeup");
    assert_eq!(lines[0]["product_type_source"], "given");
}

#[test]
fn every_encoding_reads_the_same() {
    let d = Dir::new("enc");
    let body = "name,ingredients\nCrème,\"Eau, Glycérine, Parfum\"\n";
    let utf8 = d.file("utf8.csv", body.as_bytes());
    let bom = d.file(
        "bom.csv",
        &[b"\xEF\xBB\xBF".as_slice(), body.as_bytes()].concat(),
    );
    let (w1252, _, _) = encoding_rs::WINDOWS_1252.encode(body);
    let cp = d.file("cp1252.csv", &w1252);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(body.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    let u16 = d.file("utf16.csv", &utf16);
    let crlf = d.file("crlf.csv", body.replace('\n', "\r\n").as_bytes());
    // A spreadsheet's "Unicode text" export: UTF-16 with a mark, tabs, CRLF.
    let text = "name\tingredients\r\nCrème\tEau, Glycérine, Parfum\r\n";
    let sheet: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    let sheet = d.file("unicode-text.txt", &sheet);
    for p in [utf8, bom, cp, u16, crlf, sheet] {
        let (lines, _, _) = jsonl(&p, &[]);
        assert_eq!(lines.len(), 1, "{p:?}");
        assert_eq!(lines[0]["name"], "Crème", "{p:?}");
        assert_eq!(lines[0]["findings"][0]["category"], "fragrance", "{p:?}");
    }
}

#[test]
fn python_list_cells_and_kits_are_read_as_lists() {
    let d = Dir::new("pylist");
    let p = d.file(
        "p.csv",
        b"product_name,ingredients\nDuo,\"['Serum:', 'Aqua / Water, Glycerin, Retinol', 'Powder:', 'Silica, Ascorbic Acid']\"\nPlain,\"['glycerin', 'cetearyl alcohol', 'water']\"\n",
    );
    let (lines, _, _) = jsonl(&p, &[]);
    let parts: Vec<&str> = lines[0]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(parts, ["Serum", "Powder"]);
    assert_eq!(lines[0]["wait_hours"], 168);
    let names: Vec<&str> = lines[1]["ingredients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Glycerin", "Cetearyl Alcohol", "Water"]);
}

#[test]
fn order_is_kept_across_threads_and_every_record_is_answered() {
    let d = Dir::new("order");
    let mut body = String::from("id,ingredients\n");
    let labels = [
        "\"Water, Retinol\"",
        "\"Water, Glycerin\"",
        "#NAME?",
        "",
        "\"Water, Butylphenyl Methylpropional\"",
        "No Info",
    ];
    for i in 0..3000 {
        body.push_str(&format!("{i},{}\n", labels[i % labels.len()]));
    }
    let p = d.file("big.csv", body.as_bytes());
    let (lines, code, stderr) = jsonl(&p, &["--threads", "4"]);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 3000);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["record"], i as u64 + 1);
        assert_eq!(l["id"], i.to_string());
        let want = ["wait", "ok", "error", "error", "avoid", "error"][i % 6];
        let got = if l.get("error").is_some() {
            "error"
        } else {
            l["verdict"].as_str().unwrap()
        };
        assert_eq!(got, want, "record {}", i + 1);
    }
    assert!(
        stderr.contains("3000 records read, 1500 checked, 1500 could not be checked"),
        "{stderr}"
    );
}

#[test]
fn csv_output_keeps_input_columns_and_neutralises_formulas() {
    let d = Dir::new("csvout");
    let p = d.file(
        "f.csv",
        b"name,ingredients,notes\n=HYPERLINK(\"http://x\"),\"Water, Glycolic Acid\",+1\n@SUM,\"Water\",-3\n",
    );
    let out = aftercare().args(["batch"]).arg(&p).output().unwrap();
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][0], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&rows[0][2], "'+1");
    assert_eq!(&rows[0][3], "wait");
    assert_eq!(&rows[0][4], "168");
    assert_eq!(&rows[0][5], "aha");
    assert_eq!(&rows[0][6], "Glycolic Acid");
    assert_eq!(&rows[1][0], "'@SUM");
    assert_eq!(&rows[1][2], "'-3");
    let header = csv::Reader::from_reader(out.stdout.as_slice())
        .headers()
        .unwrap()
        .clone();
    let header: Vec<&str> = header.iter().collect();
    assert_eq!(
        header,
        [
            "name",
            "ingredients",
            "notes",
            "verdict",
            "wait_hours",
            "categories",
            "flagged",
            "unrecognized",
            "error"
        ]
    );
    let with_time = aftercare()
        .args([
            "batch",
            "--treated-at",
            "2026-11-26T14:00:00Z",
            "--tz",
            "UTC",
        ])
        .arg(&p)
        .output()
        .unwrap();
    let rows = csv_rows(&with_time.stdout);
    assert_eq!(&rows[0][5], "2026-12-03T14:00:00+00:00");
}

#[test]
fn gzip_files_are_read_transparently() {
    let d = Dir::new("gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(b"ingredients\n\"Water, Retinol\"\n\"Water\"\n")
        .unwrap();
    let gz = enc.finish().unwrap();
    let p = d.file("c.csv.gz", &gz);
    let (lines, _, _) = jsonl(&p, &[]);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["verdict"], "wait");
    // Known by its first bytes, not its name: a download saved as `.csv`, and a
    // compressed stream on standard input.
    let renamed = d.file("download.csv", &gz);
    let (lines, _, _) = jsonl(&renamed, &[]);
    assert_eq!(lines.len(), 2);
    aftercare()
        .args(["batch", "--format", "jsonl", "-"])
        .write_stdin(gz)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("\"verdict\":\"wait\""));
}

#[test]
fn a_damaged_gzip_file_ends_in_an_error_row_that_names_it() {
    let d = Dir::new("gzcut");
    let mut csv = String::from("ingredients\n");
    for i in 0..3_000 {
        csv.push_str(&format!("\"Water, Glycerin, Extract {i}\"\n"));
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(csv.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    let p = d.file("cut.csv.gz", &gz[..gz.len() / 2]);
    let (lines, code, stderr) = jsonl(&p, &[]);
    let last = lines.last().unwrap();
    assert!(lines.len() > 1 && lines.len() < 3_000, "{}", lines.len());
    assert!(
        last["error"].as_str().unwrap().contains("cannot read `")
            && last["error"].as_str().unwrap().contains("cut.csv.gz"),
        "{last}"
    );
    assert_eq!(last["record"], lines.len());
    // Every record read is written, but the run is incomplete: exit 2, not 1.
    assert_eq!(code, 2);
    assert!(stderr.contains("1 could not be checked"), "{stderr}");
    assert!(stderr.contains("could not be read to its end"), "{stderr}");
}

#[test]
fn strict_stops_at_the_first_bad_record() {
    let d = Dir::new("strict");
    let p = d.file(
        "s.csv",
        b"ingredients\n\"Water\"\n#NAME?\n\"Water, Retinol\"\n",
    );
    aftercare()
        .args(["batch", "--strict", "--format", "jsonl"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("record 2"))
        .stderr(predicates::str::contains("--strict"));
    let (lines, code, _) = jsonl(&p, &[]);
    assert_eq!((lines.len(), code), (3, 1));
}

#[test]
fn strict_writes_every_record_before_the_bad_one_and_none_after() {
    // Far enough in that records before it were checked in other chunks, and on
    // other threads, than the bad one.
    let d = Dir::new("strict-late");
    let mut body = String::from("id,ingredients\n");
    for i in 1..=2500 {
        let label = if i == 2001 {
            "No Info"
        } else {
            "\"Water, Glycerin\""
        };
        body.push_str(&format!("{i},{label}\n"));
    }
    let p = d.file("late.csv", body.as_bytes());
    let run = |format: &str| {
        let out = aftercare()
            .args(["batch", "--strict", "--threads", "3", "--format", format])
            .arg(&p)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("record 2001"), "{stderr}");
        out.stdout
    };
    let rows = csv_rows(&run("csv"));
    assert_eq!(rows.len(), 2000);
    assert_eq!(&rows[1999][0], "2000");
    let v: Value = serde_json::from_slice(&run("json")).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2000);
    assert_eq!(v[1999]["id"], "2000");
    let lines = run("jsonl");
    assert_eq!(
        lines
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count(),
        2000
    );
}

#[test]
fn empty_and_header_only_files() {
    let d = Dir::new("empty");
    let empty = d.file("empty.csv", b"");
    aftercare().args(["batch"]).arg(&empty).assert().code(2);
    let header = d.file("header.csv", b"name,ingredients\n");
    let out = aftercare().args(["batch"]).arg(&header).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("0 records read")
    );
    assert_eq!(csv_rows(&out.stdout).len(), 0);
}

#[test]
fn malformed_and_oversized_records_are_error_rows() {
    let d = Dir::new("bad");
    let big = format!(
        "ingredients,x\n\"{}\",1\n\"Water\",2,extra\n\"Water\",3\n",
        "Water, ".repeat(200_000)
    );
    let p = d.file("bad.csv", big.as_bytes());
    let (lines, _, _) = jsonl(&p, &[]);
    assert_eq!(lines.len(), 3);
    assert!(lines[0]["error"].as_str().unwrap().contains("limit"));
    assert!(lines[1]["error"].as_str().unwrap().contains("fields"));
    assert_eq!(lines[2]["verdict"], "ok");
}

#[test]
fn semicolon_and_tab_files_are_read_by_their_header_or_as_told() {
    let d = Dir::new("delimiters");
    // A spreadsheet's "CSV" in a decimal-comma locale: semicolons between fields,
    // commas inside the ingredient list.
    let semi = d.file(
        "semi.csv",
        b"id;name;ingredients\r\nA1;\"Gel; 50 ml\";Water, Glycerin\r\nA2;Serum;\"Water, Retinol\"\r\n",
    );
    let tabs = d.file(
        "tabs.tsv",
        b"id\tname\tingredients\nA1\tGel; 50 ml\tWater, Glycerin\nA2\tSerum\tWater, Retinol\n",
    );
    for p in [&semi, &tabs] {
        let (lines, code, _) = jsonl(p, &[]);
        assert_eq!(code, 1);
        assert_eq!(lines.len(), 2, "{}", p.display());
        assert_eq!(lines[0]["name"], "Gel; 50 ml");
        assert_eq!(lines[0]["verdict"], "ok");
        assert_eq!(lines[1]["verdict"], "wait");
        // The output is comma-separated CSV with the input's columns.
        let out = aftercare().arg("batch").arg(p).output().unwrap();
        let rows = csv_rows(&out.stdout);
        assert_eq!(&rows[0][1], "Gel; 50 ml");
        assert_eq!(&rows[1][2], "Water, Retinol");
        assert_eq!(&rows[1][3], "wait");
    }
    // Told, the delimiter is not guessed: read as tabs, the semicolon file has one
    // column, and the error says how it was read.
    aftercare()
        .args(["batch", "--delimiter", "tab"])
        .arg(&semi)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("(fields separated by tabs)"))
        .stderr(predicates::str::contains("`id;name;ingredients`"));
    let (lines, _, _) = jsonl(&semi, &["-d", ";"]);
    assert_eq!(lines.len(), 2);
    aftercare()
        .args(["batch", "--delimiter", "\""])
        .arg(&semi)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot separate fields"));
}

#[test]
fn a_quote_never_closed_is_an_error_row_not_a_silent_merge() {
    let d = Dir::new("open-quote");
    // Record 2 opens a quote it never closes: records 3 and 4 are read into its cell.
    let p = d.file(
        "open.csv",
        b"id,ingredients\n1,Water\n2,\"Water, Glycerin\n3,Retinol\n4,Water\n",
    );
    let (lines, code, stderr) = jsonl(&p, &[]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["verdict"], "ok");
    let error = lines[1]["error"].as_str().unwrap();
    assert!(
        error.contains("never closed") && error.contains("lines 3 to 6"),
        "{error}"
    );
    // Not checked: the retinol of record 3 is no finding of record 2.
    assert!(
        lines[1].get("verdict").is_none_or(Value::is_null),
        "{:?}",
        lines[1]
    );
    assert!(stderr.contains("1 could not be checked"), "{stderr}");
    assert_eq!(
        code, 1,
        "a record that could not be checked counts as not ok"
    );
    // The CSV still carries the swallowed lines in the cell, so nothing is lost.
    let out = aftercare().arg("batch").arg(&p).output().unwrap();
    let rows = csv_rows(&out.stdout);
    assert_eq!(&rows[1][1], "Water, Glycerin\n3,Retinol\n4,Water\n");
    // A header that never closes its quote names the problem.
    let h = d.file("header.csv", b"id,\"ingredients\n1,Water\n");
    let out = aftercare().arg("batch").arg(&h).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("header row") && stderr.contains("never closed"),
        "{stderr}"
    );
}

#[test]
fn a_record_over_the_size_limit_is_an_error_row_and_the_rest_are_read() {
    let d = Dir::new("huge");
    let huge = format!(
        "id,ingredients\n1,Water\n2,\"{}\"\n3,Retinol\n",
        // 17 MiB.
        "Water, Glycerin, ".repeat(1 << 20)
    );
    let p = d.file("huge.csv", huge.as_bytes());
    let (lines, code, _) = jsonl(&p, &[]);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["verdict"], "ok");
    let error = lines[1]["error"].as_str().unwrap();
    assert!(error.contains("over the limit of 16 MiB"), "{error}");
    assert_eq!(lines[2]["verdict"], "wait");
}

#[test]
fn json_output_is_one_array() {
    let d = Dir::new("json");
    let p = d.file("j.csv", b"ingredients\n\"Water\"\n#NAME?\n");
    let out = aftercare()
        .args(["batch", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert!(v[1]["error"].as_str().unwrap().contains("placeholder"));
}

#[test]
fn standard_input_is_read_with_a_dash() {
    aftercare()
        .args(["batch", "--format", "jsonl", "-"])
        .write_stdin("ingredients\n\"Water, Retinol\"\n")
        .assert()
        .code(1)
        .stdout(predicates::str::contains("\"verdict\":\"wait\""));
}

#[test]
fn an_unreadable_file_is_named_and_its_cause_said_once() {
    let out = aftercare()
        .args(["batch", "no-such-catalog.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("aftercare: error: cannot read `no-such-catalog.csv`: "),
        "{stderr}"
    );
    let cause = stderr.trim_end().rsplit(": ").next().unwrap();
    assert_eq!(stderr.matches(cause).count(), 1, "{stderr}");
}

#[test]
fn zero_threads_is_refused() {
    let d = Dir::new("threads");
    let p = d.file("t.csv", b"ingredients\n\"Water\"\n");
    aftercare()
        .args(["batch", "--threads", "0"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--threads 0"));
}

#[test]
fn a_record_of_the_wrong_width_never_reads_as_its_own_cells_verdict() {
    // Read back by header name, as a spreadsheet lookup or csv.DictReader does: the
    // `ok` and `8` the record carried must not land in `verdict` and `wait_hours`.
    let input = "id,ingredients\nSKU1,\"Water, Tretinoin\",ok,8\nSKU2,\"Water, Glycerin\"\nSKU3\n";
    let out = aftercare()
        .args(["batch", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let verdict = headers.iter().position(|h| h == "verdict").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert_eq!(row.len(), headers.len(), "{row:?}");
    }
    assert_eq!(&rows[0][verdict], "error");
    assert_eq!(&rows[1][verdict], "ok");
    assert_eq!(&rows[2][verdict], "error");
    // Nothing of the long record is lost: its extra cells stay in its last column.
    assert_eq!(&rows[0][1], "Water, Tretinoin,ok,8");
    // JSON lines carry the cells too.
    let out = aftercare()
        .args(["batch", "-", "--format", "jsonl"])
        .write_stdin(input)
        .output()
        .unwrap();
    let first: Value =
        serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["cells"][1], "Water, Tretinoin,ok,8");
    assert!(first.get("verdict").is_none());
}

#[test]
fn an_output_that_is_the_input_is_refused_and_the_input_kept() {
    let d = Dir::new("same-file");
    let input = b"id,ingredients\n1,\"Water, Glycerin\"\n2,\"Water, Retinol\"\n";
    let cat = d.file("cat.csv", input);
    for target in ["cat.csv", "link.csv"] {
        if target == "link.csv" {
            #[cfg(unix)]
            std::os::unix::fs::symlink(&cat, d.0.join("link.csv")).unwrap();
            #[cfg(not(unix))]
            continue;
        }
        let out = aftercare()
            .args(["batch", "-o"])
            .arg(d.0.join(target))
            .arg(&cat)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{target}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("is the input"));
        assert_eq!(std::fs::read(&cat).unwrap(), input, "{target}");
    }
    let out = aftercare()
        .args(["ci"])
        .arg(&cat)
        .arg("--output-text")
        .arg(&cat)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&cat).unwrap(), input);
}

#[test]
fn a_run_that_fails_leaves_the_previous_output_as_it_was() {
    let d = Dir::new("atomic");
    let previous = d.file("out.csv", b"a good earlier result\n");
    let bad = d.file(
        "bad.csv",
        b"id,ingredients\n1,#NAME?\n2,\"Water, Retinol\"\n",
    );
    let out = aftercare()
        .args(["batch", "--strict", "-o"])
        .arg(&previous)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read(&previous).unwrap(),
        b"a good earlier result\n"
    );
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(&d.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    // A finished run replaces it.
    let good = d.file("good.csv", b"id,ingredients\n1,\"Water, Retinol\"\n");
    aftercare()
        .args(["batch", "-o"])
        .arg(&previous)
        .arg(&good)
        .output()
        .unwrap();
    let rows = csv_rows(&std::fs::read(&previous).unwrap());
    assert_eq!(rows.len(), 1);
    assert!(rows[0].iter().any(|c| c == "wait"), "{rows:?}");
}

#[test]
fn two_columns_of_one_name_are_refused_and_a_second_byte_order_mark_is_not_a_name() {
    let d = Dir::new("two-columns");
    let two = d.file(
        "two.csv",
        b"id,ingredients,Ingredients\n1,\"Water, Retinol\",Water\n",
    );
    let out = aftercare().arg("batch").arg(&two).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("two columns named"));
    let bom = d.file(
        "bom.csv",
        b"\xef\xbb\xbf\xef\xbb\xbfid,ingredients\nSKU-1,\"Water, Retinol\"\n",
    );
    let (lines, _, _) = jsonl(&bom, &[]);
    assert_eq!(lines[0]["id"], "SKU-1");
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_pipe_or_device_is_written_to_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let d = Dir::new("fifo-out");
    let input = d.file("cat.csv", b"id,ingredients\n1,\"Water, Retinol\"\n");
    let fifo = d.0.join("out.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo on this system: nothing to test against
    }
    // A reader at the other end, as `/dev/null` or a shell's `<(...)` would be.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    let out = aftercare()
        .args(["batch", "-o"])
        .arg(&fifo)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Checked before the reader is joined: had the pipe been replaced, the reader
    // would wait on it for ever.
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the pipe was replaced by a regular file");
    let read = reader.join().unwrap();
    assert!(String::from_utf8_lossy(&read).contains("Retinol"));
}

#[test]
fn the_record_a_damaged_gzip_cuts_short_keeps_the_cells_read() {
    let d = Dir::new("gzcut-cells");
    let mut csv = String::from("id,name,ingredients\n");
    for i in 0..3_000 {
        csv.push_str(&format!(
            "SKU-{i:05},Product {i} with a long enough name,\"Water, Glycerin, Retinol, Extract {i}\"\n"
        ));
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(csv.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    let p = d.file("cut.csv.gz", &gz[..gz.len() / 2]);
    let (lines, code, _) = jsonl(&p, &[]);
    assert_eq!(code, 2);
    let last = lines.last().unwrap();
    assert!(
        last["error"].as_str().unwrap().contains("cut short"),
        "{last}"
    );
    // The cut record is not checked, but says which product it was, as far as read.
    assert!(last["verdict"].is_null(), "{last}");
    let id = last["cells"][0].as_str().unwrap();
    let before = lines[lines.len() - 2]["id"].as_str().unwrap();
    assert!(id.starts_with("SKU"), "{last}");
    assert!(!id.is_empty() && id != before, "{last}");
    assert_eq!(last["cells"].as_array().unwrap().len(), 3);
}
