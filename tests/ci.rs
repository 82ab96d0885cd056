//! `aftercare ci`: every violation kind, every output format read back, policy errors
//! with their positions, unused exceptions, the baseline and the exit codes.

use assert_cmd::Command;
use serde_json::Value;

mod common;
use common::Dir;

const CATALOG: &str = "sku,name,from-day,ingredients
A1,Gel,1,\"Water, Sodium Hyaluronate, Glycerin\"
A2,Retinol Serum,3,\"Water, Glycerin, Retinol\"
A3,Scented Cream,2,\"Water, Squalane, Parfum, Phenoxyethanol\"
A4,Lilial Lotion,,\"Water, Glycerin, Butylphenyl Methylpropional\"
A5,Broken,1,#NAME?
A6,Odd Claim,soon,\"Water, Glycerin\"
A7,Oil Blend,9,\"Squalane, Lavandula Angustifolia (Lavender) Oil, Moonstone Dust\"
";

const POLICY: &str = "profile = \"standard\"
[columns]
id = \"sku\"
claim = \"from-day\"
[levels]
fragrance = { level = \"deny\", before-day = 7 }
essential-oil = \"warn\"
[[exceptions]]
product = \"A9\"
reason = \"discontinued\"
";

fn ci(dir: &Dir, policy: &str, catalog: &str, args: &[&str]) -> (String, String, i32) {
    let c = dir.file("catalog.csv", catalog);
    let p = dir.file("aftercare.toml", policy);
    let out = Command::cargo_bin("aftercare")
        .unwrap()
        .arg("ci")
        .arg(&c)
        .arg("--config")
        .arg(&p)
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

fn json_run(dir: &Dir) -> Value {
    let (out, _, code) = ci(dir, POLICY, CATALOG, &["--format", "json"]);
    assert_eq!(code, 1);
    serde_json::from_str(&out).unwrap()
}

fn kinds(run: &Value, sku: &str, field: &str) -> Vec<String> {
    let p = run["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == sku)
        .unwrap();
    p[field]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i.get("excepted").is_none())
        .map(|i| i["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn each_violation_kind_is_found() {
    let d = Dir::new("kinds");
    let run = json_run(&d);
    assert!(kinds(&run, "A1", "violations").is_empty());
    assert_eq!(kinds(&run, "A2", "violations"), ["claim-too-early"]);
    assert_eq!(
        kinds(&run, "A3", "violations"),
        ["claim-too-early", "denied-category"]
    );
    assert_eq!(kinds(&run, "A4", "violations"), ["avoid"]);
    assert_eq!(kinds(&run, "A5", "violations"), ["unchecked-record"]);
    assert_eq!(kinds(&run, "A6", "violations"), ["unreadable-claim"]);
    // A name not recognised makes a recommended product `review`: a violation.
    assert_eq!(kinds(&run, "A7", "violations"), ["unrecognized-ingredient"]);
    assert_eq!(kinds(&run, "A7", "warnings"), ["warned-category"]);
    assert_eq!(run["summary"]["violations"], 7);
    assert_eq!(run["unused_exceptions"][0]["product"], "A9");
}

#[test]
fn text_names_the_catalog_line_product_claim_and_cause() {
    let d = Dir::new("text");
    let (out, _, code) = ci(&d, POLICY, CATALOG, &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("catalog.csv:3: error: Retinol Serum (A2) [claim 3]: recommended from day 3, but safe only from day 8 (168 h): Retinol (retinoid)"),
        "{out}"
    );
    assert!(
        out.contains("aftercare.toml:8: warning: exception for `A9` matched nothing"),
        "{out}"
    );
    assert!(
        out.lines()
            .last()
            .unwrap()
            .contains("7 products checked: 7 violation(s)"),
        "{out}"
    );
}

#[test]
fn lines_are_where_records_start_in_a_windows_catalog_with_blank_lines() {
    // Spreadsheets on Windows write `\r\n`; annotations must point at the record's own
    // line, not the header's or a blank line's before it.
    let d = Dir::new("crlf");
    let catalog = CATALOG.replace('\n', "\r\n").replacen("A3,", "\r\nA3,", 1);
    let (out, _, code) = ci(&d, POLICY, &catalog, &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("catalog.csv:3: error: Retinol Serum (A2)"),
        "{out}"
    );
    assert!(
        out.contains("catalog.csv:5: error: Scented Cream (A3)"),
        "{out}"
    );
}

#[test]
fn exceptions_accept_a_product_ingredient_and_exit_codes_follow() {
    let d = Dir::new("except");
    let policy = format!(
        "{POLICY}[[exceptions]]\nproduct = \"A3\"\ningredient = \"Parfum\"\nreason = \"patch-tested\"\n"
    );
    let (out, _, _) = ci(&d, &policy, CATALOG, &["--format", "json"]);
    let run: Value = serde_json::from_str(&out).unwrap();
    // Without the fragrance, the cream is safe from day 1: no violation is left.
    assert!(kinds(&run, "A3", "violations").is_empty());
    assert_eq!(run["summary"]["excepted"], 1);
    let clean = "sku,name,from-day,ingredients\nA1,Gel,1,\"Water, Glycerin\"\n";
    let (_, _, code) = ci(&d, POLICY, clean, &[]);
    assert_eq!(code, 0);
    let (_, _, code) = ci(&d, POLICY, CATALOG, &["--exit-zero"]);
    assert_eq!(code, 0);
}

#[test]
fn github_annotations_are_workflow_commands() {
    let d = Dir::new("github");
    let (out, _, _) = ci(&d, POLICY, CATALOG, &["--format", "github"]);
    let first = out.lines().next().unwrap();
    assert!(first.starts_with("::error file="), "{first}");
    assert!(
        out.contains("::error file=") && out.contains(",line=3,title=aftercare (retinoid)::"),
        "{out}"
    );
    assert!(out.contains("::warning file="), "{out}");
}

#[test]
fn junit_has_one_case_per_product_in_one_suite() {
    let d = Dir::new("junit");
    let (out, _, _) = ci(&d, POLICY, CATALOG, &["--format", "junit"]);
    let doc = roxmltree::Document::parse(&out).unwrap();
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1);
    let cases: Vec<_> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 7);
    let failing = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    assert_eq!(failing, 6);
}

#[test]
fn sarif_has_the_required_fields_of_2_1_0() {
    let d = Dir::new("sarif");
    let (out, _, _) = ci(&d, POLICY, CATALOG, &["--format", "sarif"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "aftercare");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let retinoid = rules.iter().find(|r| r["id"] == "retinoid").unwrap();
    assert!(
        retinoid["help"]["text"]
            .as_str()
            .unwrap()
            .contains("Sources:")
    );
    for r in run["results"].as_array().unwrap() {
        assert!(r["message"]["text"].is_string());
        let id = r["ruleId"].as_str().unwrap();
        assert!(
            rules.iter().any(|rule| rule["id"] == id),
            "result rule `{id}` is not declared"
        );
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(
            loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("catalog.csv")
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 2);
        assert!(["error", "warning", "note", "none"].contains(&r["level"].as_str().unwrap()));
    }
}

#[test]
fn several_outputs_at_once() {
    let d = Dir::new("outputs");
    let sarif = d.0.join("out.sarif");
    let junit = d.0.join("out.xml");
    let (_, _, _) = ci(
        &d,
        POLICY,
        CATALOG,
        &[
            "--output-sarif",
            sarif.to_str().unwrap(),
            "--output-junit",
            junit.to_str().unwrap(),
        ],
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
    roxmltree::Document::parse(&std::fs::read_to_string(&junit).unwrap()).unwrap();
}

#[test]
fn output_is_deterministic() {
    let d = Dir::new("determ");
    let a = ci(&d, POLICY, CATALOG, &["--format", "json"]).0;
    let b = ci(&d, POLICY, CATALOG, &["--format", "json"]).0;
    assert_eq!(a, b);
}

#[test]
fn policy_errors_are_all_reported_with_line_and_column() {
    let d = Dir::new("policy");
    let bad = "profile = \"medium\"\ncolour = 1\n[levels]\nfragrance = \"forbid\"\nnot-a-category = \"deny\"\n[[exceptions]]\nproduct = \"A1\"\n";
    let (_, err, code) = ci(&d, bad, CATALOG, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("aftercare.toml:1:11: unknown profile `medium`"),
        "{err}"
    );
    assert!(
        err.contains("aftercare.toml:2:1: unknown key `colour`; valid keys are `profile`"),
        "{err}"
    );
    assert!(
        err.contains("aftercare.toml:4:13: `levels.fragrance` is `forbid`"),
        "{err}"
    );
    assert!(
        err.contains("aftercare.toml:5:1: unknown category `not-a-category`"),
        "{err}"
    );
    assert!(err.contains("an exception needs a `reason`"), "{err}");
    let (_, err, code) = ci(&d, "profile = ", CATALOG, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid TOML"), "{err}");
}

#[test]
fn the_baseline_limits_the_report_to_changed_products() {
    let d = Dir::new("baseline");
    let old = CATALOG.replace(
        "A2,Retinol Serum,3,\"Water, Glycerin, Retinol\"",
        "A2,Retinol Serum,3,\"Water, Glycerin\"",
    );
    let base = d.file("old.csv", &old);
    let (out, _, _) = ci(
        &d,
        POLICY,
        CATALOG,
        &["--format", "json", "--baseline", base.to_str().unwrap()],
    );
    let run: Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = run["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["A2"]);
    assert_eq!(run["unchanged"], 6);
}

#[test]
fn init_writes_a_template_that_is_a_valid_policy() {
    let d = Dir::new("init");
    let path = d.0.join("aftercare.toml");
    Command::cargo_bin("aftercare")
        .unwrap()
        .args(["init"])
        .arg(&path)
        .assert()
        .code(0);
    Command::cargo_bin("aftercare")
        .unwrap()
        .args(["init"])
        .arg(&path)
        .assert()
        .code(2);
    let template = std::fs::read_to_string(&path).unwrap();
    let (_, err, code) = ci(
        &d,
        &template,
        "sku,from-day,ingredients\nA1,1,\"Water\"\n",
        &[],
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn the_policy_overrides_waits_and_adds_an_overlay() {
    let d = Dir::new("overrides");
    d.file(
        "clinic.csv",
        "name,aliases,category,flags,reason,source\nClinic Peel Complex,,aha,,our own acid blend,protocol\n",
    );
    let policy = "overlay = \"clinic.csv\"\n[columns]\nid = \"sku\"\nclaim = \"from-day\"\n[waits]\nretinoid = { standard = 336 }\n";
    let catalog =
        "sku,from-day,ingredients\nR1,9,\"Water, Retinol\"\nP1,2,\"Water, Clinic Peel Complex\"\n";
    let (out, _, code) = ci(&d, policy, catalog, &["--format", "json"]);
    assert_eq!(code, 1);
    let run: Value = serde_json::from_str(&out).unwrap();
    // Day 9 would be fine with the database's 168 h; the clinic's 336 h makes it early.
    assert_eq!(kinds(&run, "R1", "violations"), ["claim-too-early"]);
    assert_eq!(run["products"][0]["safe_after_hours"], 336);
    // The overlay's entry is known and flagged.
    assert_eq!(kinds(&run, "P1", "violations"), ["claim-too-early"]);
}

#[test]
fn init_prints_the_template_to_standard_output() {
    let out = Command::cargo_bin("aftercare")
        .unwrap()
        .args(["init", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().contains("[levels]"));
}

#[test]
fn a_recommended_review_product_is_a_warning_when_the_policy_says_warn() {
    let d = Dir::new("unrecognized-warn");
    let policy = format!("unrecognized = \"warn\"\n{POLICY}");
    let (out, _, _) = ci(&d, &policy, CATALOG, &["--format", "json"]);
    let run: Value = serde_json::from_str(&out).unwrap();
    assert!(kinds(&run, "A7", "violations").is_empty());
    assert_eq!(
        kinds(&run, "A7", "warnings"),
        ["warned-category", "unrecognized-ingredient"]
    );
}

#[test]
fn an_exception_naming_an_unrecognised_ingredient_accepts_it_with_its_reason() {
    let d = Dir::new("unrecognized-exception");
    let policy = format!(
        "{POLICY}[[exceptions]]\nproduct = \"A7\"\ningredient = \"Moonstone Dust\"\nreason = \"mica and silica, checked with the maker\"\n"
    );
    let (out, _, _) = ci(&d, &policy, CATALOG, &["--format", "json"]);
    let run: Value = serde_json::from_str(&out).unwrap();
    assert!(kinds(&run, "A7", "violations").is_empty());
    let a7 = run["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "A7")
        .unwrap();
    let accepted: Vec<&Value> = a7["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["excepted"] == "mica and silica, checked with the maker")
        .collect();
    assert_eq!(accepted.len(), 1, "{a7}");
    assert_eq!(run["unused_exceptions"].as_array().unwrap().len(), 1);
}

#[test]
fn an_unknown_unrecognized_level_is_a_policy_error() {
    let d = Dir::new("unrecognized-bad");
    let policy = format!("unrecognized = \"ignore\"\n{POLICY}");
    let (_, err, code) = ci(&d, &policy, CATALOG, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`unrecognized` must be `deny` or `warn`"),
        "{err}"
    );
}

#[test]
fn a_policy_overlay_outside_its_folder_is_refused_and_never_printed() {
    let d = Dir::new("overlay-outside");
    let secret = d.file("secret.txt", "root:x:0:0:hunter2:/root:/bin/sh\n");
    let inner = d.0.join("policy");
    std::fs::create_dir_all(&inner).unwrap();
    let policy = inner.join("aftercare.toml");
    std::fs::write(&policy, "overlay = \"../secret.txt\"\n").unwrap();
    let catalog = d.file("catalog.csv", CATALOG);
    let run = |extra: &[&str]| {
        let out = Command::cargo_bin("aftercare")
            .unwrap()
            .arg("ci")
            .arg(&catalog)
            .arg("--config")
            .arg(&policy)
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, err) = run(&[]);
    assert_eq!(code, 2);
    assert!(err.contains("outside the policy's folder"), "{err}");
    // Allowed, the file is read, found not to be a database, and not printed.
    let (code, err) = run(&["--allow-outside-overlay"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a database CSV"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    let _ = secret;
}

#[test]
fn text_lists_the_first_hundred_unused_exceptions_then_a_count() {
    let d = Dir::new("unused-cap");
    let mut policy = POLICY.to_string();
    for i in 0..250 {
        policy.push_str(&format!(
            "\n[[exceptions]]\nproduct = \"NONE{i}\"\nreason = \"old\"\n"
        ));
    }
    let (out, _, _) = ci(&d, &policy, CATALOG, &[]);
    let listed = out
        .lines()
        .filter(|l| l.contains("warning: exception for"))
        .count();
    assert_eq!(listed, 100, "{out}");
    // A9 and the 250 above: 251 unused, 151 of them counted, not listed.
    assert!(
        out.contains("warning: 151 more exception(s) matched nothing (not listed)"),
        "{out}"
    );
}

#[test]
fn an_exception_for_a_product_unchanged_since_the_baseline_still_matches() {
    let d = Dir::new("baseline-exceptions");
    let old = CATALOG.replace(
        "A2,Retinol Serum,3,\"Water, Glycerin, Retinol\"",
        "A2,Retinol Serum,3,\"Water, Glycerin\"",
    );
    let base = d.file("old.csv", &old);
    // A3 did not change; its exception is still in force and must not be called stale.
    let policy = format!(
        "{POLICY}[[exceptions]]\nproduct = \"A3\"\ningredient = \"Parfum\"\nreason = \"patch-tested\"\n"
    );
    let (out, _, _) = ci(
        &d,
        &policy,
        CATALOG,
        &["--format", "json", "--baseline", base.to_str().unwrap()],
    );
    let run: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(run["unchanged"], 6);
    let unused: Vec<&str> = run["unused_exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["product"].as_str().unwrap())
        .collect();
    // A9 names no product of the catalog: still reported.
    assert_eq!(unused, ["A9"]);
    let (text, _, _) = ci(
        &d,
        &policy,
        CATALOG,
        &["--baseline", base.to_str().unwrap()],
    );
    assert!(!text.contains("exception for `A3`"), "{text}");
    assert!(text.contains("exception for `A9`"), "{text}");
}

/// `aftercare ci` run from `dir`, without `--config`.
fn ci_in(dir: &std::path::Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::cargo_bin("aftercare")
        .unwrap()
        .arg("ci")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn the_policy_is_found_in_the_nearest_parent_folder() {
    let d = Dir::new("find-config");
    d.file("aftercare.toml", POLICY);
    let child = d.0.join("clinic").join("spring");
    std::fs::create_dir_all(&child).unwrap();
    std::fs::write(child.join("catalog.csv"), CATALOG).unwrap();
    let (out, err, code) = ci_in(&child, &[]);
    assert_eq!(code, 1, "{err}");
    // The policy's own exception and level are in force, and it is named as found.
    assert!(
        out.contains("../../aftercare.toml:8: warning: exception for `A9` matched nothing"),
        "{out}"
    );
    assert!(out.contains("denied by policy before day 7"), "{out}");
}

#[test]
fn the_policy_search_stops_at_the_repository_root() {
    let d = Dir::new("find-config-git");
    // Outside the repository: never read for a catalog inside it.
    d.file("aftercare.toml", POLICY);
    let repo = d.0.join("repo");
    let child = repo.join("catalogs");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(&child).unwrap();
    std::fs::write(child.join("catalog.csv"), CATALOG).unwrap();
    let (out, _, _) = ci_in(&child, &[]);
    assert!(!out.contains("exception for `A9`"), "{out}");
    assert!(!out.contains("denied by policy"), "{out}");
    // At the repository's root itself, it is found.
    std::fs::write(repo.join("aftercare.toml"), POLICY).unwrap();
    let (out, _, _) = ci_in(&child, &[]);
    assert!(
        out.contains("../aftercare.toml:8: warning: exception for `A9` matched nothing"),
        "{out}"
    );
}

#[test]
fn several_catalogs_are_each_reported_and_the_worst_exit_code_wins() {
    let d = Dir::new("several");
    let clean = d.file(
        "clean.csv",
        "sku,name,from-day,ingredients\nB1,Calm Gel,1,\"Water, Glycerin\"\n",
    );
    // An exception for a product of the second catalog is in use, though the first
    // does not have that product.
    let policy = format!(
        "{POLICY}[[exceptions]]\nproduct = \"A3\"\ningredient = \"Parfum\"\nreason = \"patch-tested\"\n"
    );
    let (out, err, code) = ci(&d, &policy, CATALOG, &[clean.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let clean_name = clean.display().to_string();
    let summaries: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(" products checked: "))
        .collect();
    assert_eq!(summaries.len(), 2, "{out}");
    assert!(
        summaries[0].contains("catalog.csv: 7 products checked"),
        "{out}"
    );
    assert!(
        summaries[1].starts_with(&format!("{clean_name}: 1 products checked: 0 violation(s)")),
        "{out}"
    );
    assert!(!out.contains("exception for `A3`"), "{out}");
    assert_eq!(out.matches("exception for `A9` matched nothing").count(), 1);
    // The clean catalog alone passes.
    let p = d.file("aftercare.toml", POLICY);
    Command::cargo_bin("aftercare")
        .unwrap()
        .args(["ci", &clean_name, "--config", p.to_str().unwrap()])
        .assert()
        .code(0);
    // One JSON document cannot hold two runs: refused, not half written.
    let (out, err, code) = ci(&d, POLICY, CATALOG, &[&clean_name, "--format", "json"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("run `aftercare ci` once per catalog"), "{err}");
}
