//! The command line as users and scripts meet it: exit codes, formats, inputs, errors.
//! JSON output is parsed back and compared by value.

use assert_cmd::Command;
use serde_json::Value;

fn aftercare() -> Command {
    let mut c = Command::cargo_bin("aftercare").unwrap();
    c.env_remove("NO_COLOR").env("TZ", "UTC");
    c
}

fn json(args: &[&str], stdin: &str) -> (Value, i32) {
    let out = aftercare()
        .args(["check", "--format", "json"])
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    (serde_json::from_slice(&out.stdout).unwrap(), code)
}

#[test]
fn exit_codes_follow_the_interface() {
    aftercare()
        .args(["check", "Water, Glycerin"])
        .assert()
        .code(0);
    aftercare()
        .args(["check", "Water, Glycolic Acid"])
        .assert()
        .code(1);
    aftercare()
        .args(["check", "--exit-zero", "Water, Glycolic Acid"])
        .assert()
        .code(0);
    aftercare().args(["check", "#NAME?"]).assert().code(2);
    aftercare()
        .args(["check", "--profile", "medium", "Water"])
        .assert()
        .code(2);
    aftercare()
        .args(["check", "--file", "/nonexistent/label.txt"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("/nonexistent/label.txt"));
}

#[test]
fn json_carries_the_interface_fields() {
    let (v, code) = json(
        &[],
        "Water, Glycerin, Glycolic Acid 10%, Phenoxyethanol, Citric Acid",
    );
    assert_eq!(code, 1);
    assert_eq!(v["verdict"], "wait");
    assert_eq!(v["wait_hours"], 168);
    assert_eq!(v["profile"], "standard");
    assert_eq!(v["product_type"], "other");
    let f = &v["findings"][0];
    assert_eq!(f["ingredient"], "Glycolic Acid");
    assert_eq!(f["name"], "Glycolic Acid");
    assert_eq!(f["position"], 3);
    assert_eq!(f["category"], "aha");
    assert_eq!(f["wait_hours"], 168);
    assert!(f["reason"].as_str().unwrap().len() > 10);
    let notes = v["notes"].as_array().unwrap();
    let n = notes
        .iter()
        .find(|n| n["ingredient"] == "Citric Acid")
        .unwrap();
    assert_eq!(n["category"], "aha");
    let i = &v["ingredients"];
    assert_eq!(i.as_array().unwrap().len(), 5);
    assert_eq!(i[0]["text"], "Water");
    assert_eq!(i[0]["status"], "known");
    assert_eq!(i[2]["status"], "flagged");
    assert_eq!(i[2]["percent"], 10.0);
    assert_eq!(i[2]["may_contain"], false);
}

#[test]
fn avoid_has_a_null_wait() {
    let (v, code) = json(&[], "Water, Butylphenyl Methylpropional");
    assert_eq!(code, 1);
    assert_eq!(v["verdict"], "avoid");
    assert_eq!(v["wait_hours"], Value::Null);
}

#[test]
fn treated_at_adds_safe_from_to_product_and_findings() {
    let (v, _) = json(
        &[
            "--treated-at",
            "2026-11-26T14:00:00+01:00",
            "--tz",
            "Europe/Paris",
        ],
        "Water, Retinol",
    );
    assert_eq!(v["safe_from"], "2026-12-03T14:00:00+01:00");
    assert_eq!(v["findings"][0]["safe_from"], "2026-12-03T14:00:00+01:00");
    aftercare()
        .args(["check", "--treated-at", "yesterday", "Water"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`yesterday` is not a date-time"));
}

#[test]
fn text_output_starts_with_the_verdict() {
    let out = aftercare()
        .args([
            "check",
            "--color",
            "never",
            "Water, Retinyl Palmitate, Glycolic Acid",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert_eq!(first, "wait 7 days (from day 8): 1 retinoid, 1 AHA");
    assert!(text.contains("redness, peeling and flaking have settled"));
    assert!(!text.contains('\u{1b}'), "no colour when --color never");
    let out = aftercare()
        .args(["check", "--color", "always", "Water, Retinol"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains('\u{1b}'));
}

#[test]
fn labels_come_from_arguments_files_and_standard_input() {
    aftercare()
        .args(["check", "-"])
        .write_stdin("Water, Retinol")
        .assert()
        .code(1);
    let dir = std::env::temp_dir().join(format!("aftercare-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("label-1252.txt");
    std::fs::write(&file, b"Ingr\xe9dients: Water, Glycerin, Parfum").unwrap();
    aftercare()
        .args(["check", "--file"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("read as Windows-1252"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn prose_only_input_is_a_clear_error() {
    aftercare()
        .args([
            "check",
            "*Ingredients from organic farming. **Clinical grade essential oils blend.",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no ingredient list found"));
}

#[test]
fn terminal_control_characters_in_labels_are_not_printed() {
    let out = aftercare()
        .args([
            "check",
            "--color",
            "never",
            "Water, Evil\u{1b}[2JName, Glycerin",
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains('\u{1b}'));
}

#[test]
fn explain_knows_names_and_suggests_close_ones() {
    aftercare()
        .args(["explain", "avobenzone"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("Butyl Methoxydibenzoylmethane"))
        .stdout(predicates::str::contains("chemical-uv-filter"))
        .stdout(predicates::str::contains("standard 48 h"));
    aftercare()
        .args(["explain", "Cetyl Alcohol"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("is not Alcohol"));
    aftercare()
        .args(["explain", "Glycolik Acid"])
        .assert()
        .stdout(predicates::str::contains("Glycolic Acid"));
    aftercare()
        .args(["explain", "Zzyzx Quux"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("not in the database"));
}

#[test]
fn an_overlay_adds_entries_and_bad_overlays_report_every_line() {
    let dir = std::env::temp_dir().join(format!("aftercare-overlay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("clinic.csv");
    std::fs::write(
        &good,
        "name,aliases,category,flags,reason,source\nClinic Peel Complex,,aha,,our own AHA blend,protocol\n",
    )
    .unwrap();
    let (v, _) = json(
        &["--db", good.to_str().unwrap()],
        "Water, Clinic Peel Complex",
    );
    assert_eq!(v["findings"][0]["category"], "aha");
    aftercare()
        .args(["db", "validate"])
        .arg(&good)
        .assert()
        .code(0);
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "name,aliases,category,flags,reason,source\nA Thing,,no-such,,r,protocol\nB Thing,,aha,wobbly,r,protocol\n",
    )
    .unwrap();
    aftercare()
        .args(["db", "validate"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "bad.csv:2: unknown category `no-such`",
        ))
        .stderr(predicates::str::contains(
            "bad.csv:3: unknown flag `wobbly`",
        ));
    // Thousands of problems: the first hundred, then a count.
    let many = dir.join("many.csv");
    let rows: String = (0..300)
        .map(|i| format!("Thing {i},,no-such,,r,protocol\n"))
        .collect();
    std::fs::write(
        &many,
        format!("name,aliases,category,flags,reason,source\n{rows}"),
    )
    .unwrap();
    let out = aftercare()
        .args(["db", "validate"])
        .arg(&many)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.matches("unknown category").count(), 100, "{err}");
    assert!(
        err.contains("... and 200 more problem(s) not listed"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn db_lists_searches_and_exports() {
    aftercare()
        .args(["db", "list", "--category", "retinoid-rx"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("Retinoic Acid"));
    aftercare()
        .args(["db", "list", "--category", "nonsense"])
        .assert()
        .code(2);
    aftercare()
        .args(["db", "search", "retinyl"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("Retinyl Palmitate"));
    let out = aftercare()
        .args(["db", "export", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.as_array().unwrap().len() > 2000);
}

#[test]
fn explain_as_json_has_waits_in_profile_order() {
    let out = aftercare()
        .args(["explain", "--format", "json", "octinoxate"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], "Ethylhexyl Methoxycinnamate");
    assert_eq!(v["matched_by"], "alias");
    assert_eq!(v["wait_hours"]["standard"], 48);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.find("\"light\"").unwrap() < text.find("\"deep\"").unwrap());
}

#[test]
fn db_stats_counts_every_category() {
    let out = aftercare().args(["db", "stats"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "retinoid\t",
        "fragrance-allergen\t",
        "comedogenic ratings\t",
        "look-alikes\t",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
}

#[test]
fn completions_for_bash_name_the_binary_and_every_subcommand() {
    let out = aftercare().args(["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(script.contains("aftercare"), "{script}");
    for sub in [
        "check",
        "batch",
        "ci",
        "init",
        "explain",
        "db",
        "plan",
        "serve",
        "completions",
        "man",
    ] {
        assert!(
            script.contains(&format!("aftercare,{sub})")),
            "`{sub}` missing from the bash completions"
        );
    }
    for shell in ["zsh", "fish", "powershell"] {
        let out = aftercare().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(String::from_utf8(out.stdout).unwrap().contains("aftercare"));
    }
    aftercare().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_prints_a_roff_page_with_a_title_and_a_name_section() {
    let out = aftercare().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains("\n.TH aftercare 1"), "{page}");
    assert!(page.contains("\n.SH NAME\naftercare"), "{page}");
    assert!(page.contains("microneedling"), "{page}");
}

#[test]
fn version_names_the_database_it_answers_from() {
    let out = aftercare().arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let rest = text
        .strip_prefix(concat!(
            "aftercare ",
            env!("CARGO_PKG_VERSION"),
            " (database: "
        ))
        .unwrap_or_else(|| panic!("{text}"));
    let (entries, rest) = rest.split_once(" entries, ").unwrap();
    let (synonyms, rest) = rest.split_once(" synonyms)").unwrap();
    assert_eq!(rest, "\n");
    let number = |s: &str| s.replace(',', "").parse::<usize>().unwrap();
    // The same entries `db export` writes.
    let export = aftercare()
        .args(["db", "export", "--format", "json"])
        .output()
        .unwrap();
    let all: Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(number(entries), all.as_array().unwrap().len());
    let rows = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/synonyms.csv"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    assert_eq!(number(synonyms), rows - 1);
    let short = aftercare().arg("-V").output().unwrap();
    assert_eq!(short.stdout, text.as_bytes());
}

#[test]
fn db_search_without_text_is_a_usage_error() {
    for args in [&["db", "search"][..], &["db", "search", " "][..]] {
        let out = aftercare().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("TEXT") || err.contains("needs text"), "{err}");
    }
}

#[test]
fn db_list_and_search_start_with_a_header_of_column_names() {
    let rows = |args: &[&str]| -> Vec<Vec<String>> {
        let out = aftercare().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect()
    };
    let list = rows(&["db", "list", "--category", "aha"]);
    assert_eq!(list[0], ["name", "category"]);
    assert!(list.len() > 2);
    assert!(list[1..].iter().all(|r| r.len() == 2 && r[1] == "aha"));
    let search = rows(&["db", "search", "retinyl"]);
    assert_eq!(search[0], ["name", "category", "aliases"]);
    assert!(search[1..].iter().all(|r| r.len() == 3));
    assert!(search.iter().any(|r| r[0] == "Retinyl Palmitate"));
}

#[test]
fn db_list_and_search_describe_their_options_in_help() {
    for (sub, options) in [
        ("list", &["--category", "--db"][..]),
        ("search", &["<TEXT>", "--db"][..]),
    ] {
        let out = aftercare().args(["db", sub, "--help"]).output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        for option in options {
            let line = help
                .lines()
                .find(|l| l.trim_start().starts_with(option))
                .unwrap_or_else(|| panic!("{option} missing from:\n{help}"));
            // A described option has words after its name and value.
            assert!(
                line.split_whitespace().count() > 3,
                "`db {sub} {option}` has no description:\n{help}"
            );
        }
    }
}

#[test]
fn db_validate_lists_problems_in_line_order_and_suggests_the_nearest_id() {
    let dir = std::env::temp_dir().join(format!("aftercare-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("typos.csv");
    // The flag problem of line 3 is found while reading; the category and source
    // problems of lines 2 and 4 only once every file is loaded.
    std::fs::write(
        &bad,
        "name,aliases,category,flags,reason,source\n\
         A Thing,,ahaa,,r,protocol\n\
         B Thing,,aha,wobbly,r,protocol\n\
         C Thing,,aha,,r,cosingg\n\
         D Thing,,qqqqqq,,r,protocol\n",
    )
    .unwrap();
    let out = aftercare()
        .args(["db", "validate"])
        .arg(&bad)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<u64> = err
        .lines()
        .filter_map(|l| l.split("typos.csv:").nth(1))
        .map(|rest| rest.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 4, 5], "{err}");
    assert!(
        err.contains("typos.csv:2: unknown category `ahaa` for `A Thing`; did you mean `aha`?"),
        "{err}"
    );
    assert!(
        err.contains("typos.csv:4: unknown source `cosingg`; did you mean `cosing`?"),
        "{err}"
    );
    // Nothing is near: the valid ids are listed instead.
    assert!(
        err.contains("typos.csv:5: unknown category `qqqqqq` for `D Thing`; categories are `aha`"),
        "{err}"
    );
}

#[test]
fn piped_standard_input_is_read_without_a_note() {
    let out = aftercare()
        .args(["check", "--color", "never"])
        .write_stdin("Water, Glycerin")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Under a terminal (util-linux `script` gives the command one), `check` says it is
/// reading standard input and how to end it. Skipped where `script` or `timeout` is
/// missing.
#[cfg(target_os = "linux")]
#[test]
fn check_on_a_terminal_says_it_reads_standard_input_and_how_to_end_it() {
    use std::io::Write;
    let bin = assert_cmd::cargo::cargo_bin("aftercare");
    let child = std::process::Command::new("timeout")
        .args(["20", "script", "-qec"])
        .arg(format!("'{}' check --color never", bin.display()))
        .arg("/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("skipped: no `timeout` or `script`");
        return;
    };
    // The label, then Ctrl-D, typed at the terminal.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Water, Glycerin\n\x04")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    if out.status.code() == Some(127) || text.is_empty() {
        eprintln!("skipped: `script` is missing or gave no terminal");
        return;
    }
    assert!(
        text.contains("aftercare: reading the ingredient list from standard input")
            && text.contains("press Ctrl-D"),
        "{text}"
    );
    assert!(text.contains("ok after the first 8 hours"), "{text}");
}

#[test]
fn completions_to_a_pipe_closed_early_end_quietly() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("aftercare"))
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the script is written, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}
