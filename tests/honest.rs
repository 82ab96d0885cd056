//! Honest verdicts: a product with a name the database does not recognise, or a
//! medicine's active, is `review`, never `ok`; one behaviour per test, through the
//! library API.

use std::sync::LazyLock;

use aftercare::assess::Assessment;
use aftercare::{Checker, Options, Verdict};

static CHECKER: LazyLock<Checker> = LazyLock::new(|| Checker::embedded().unwrap());

fn check(label: &str) -> Assessment {
    CHECKER.check(label, &Options::default()).unwrap()
}

#[test]
fn an_unrecognised_name_makes_a_product_review_not_ok() {
    let a = check("Water, Glycerin, Zorblaxium Complex, Phenoxyethanol");
    assert_eq!(a.verdict, Verdict::Review);
    assert_eq!(a.wait_hours, Some(a.baseline_hours));
    assert_eq!(a.wait_text, "review: at least the first 8 hours");
    let why = a.review.as_deref().unwrap();
    assert!(
        why.starts_with("1 name not recognised: `Zorblaxium Complex`"),
        "{why}"
    );
}

#[test]
fn review_keeps_the_wait_of_the_recognised_names_as_a_lower_bound() {
    let a = check("Water, Retinol, Zorblaxium Complex, Phenoxyethanol");
    assert_eq!(a.verdict, Verdict::Review);
    assert_eq!(a.wait_hours, Some(168));
    assert_eq!(a.wait_text, "review: at least 7 days (from day 8)");
    assert_eq!(a.findings[0].category, "retinoid");
}

#[test]
fn avoid_wins_over_review() {
    let a = check("Water, Butylphenyl Methylpropional, Zorblaxium Complex");
    assert_eq!(a.verdict, Verdict::Avoid);
    assert_eq!(a.wait_hours, None);
}

#[test]
fn a_product_whose_names_are_all_known_is_not_review() {
    let a = check("Water, Glycerin, Phenoxyethanol");
    assert_eq!(a.verdict, Verdict::Ok);
    assert!(a.review.is_none());
}

#[test]
fn each_unrecognised_name_is_named_once() {
    let a = check("Water, Zorblaxium, Glycerin, zorblaxium, Quuxine");
    let why = a.review.as_deref().unwrap();
    assert!(
        why.starts_with("2 names not recognised: `Zorblaxium`, `Quuxine`"),
        "{why}"
    );
}

#[test]
fn an_annex_ii_substance_named_as_a_drug_active_is_a_medicine_not_avoid() {
    // Minoxidil is banned in cosmetics, but a Drug Facts panel names a medicine.
    let a = check(
        "Active ingredient: Minoxidil 5%. Inactive ingredients: Alcohol, Propylene Glycol, Water",
    );
    assert_eq!(a.verdict, Verdict::Review);
    assert!(
        a.review
            .as_deref()
            .unwrap()
            .contains("1 medicine: `Minoxidil`")
    );
    assert!(a.notes.iter().any(|n| n.category == "medicine"));
    // The same substance in a cosmetic's list is still prohibited.
    let a = check("Water, Minoxidil, Glycerin");
    assert_eq!(a.verdict, Verdict::Avoid);
}

#[test]
fn check_and_batch_exit_1_for_review_and_say_so() {
    let out = assert_cmd::Command::cargo_bin("aftercare")
        .unwrap()
        .args(["check", "Water, Glycerin, Zorblaxium Complex"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("review: at least the first 8 hours; 1 name not recognised"),
        "{text}"
    );
    let out = assert_cmd::Command::cargo_bin("aftercare")
        .unwrap()
        .args(["batch", "-", "--format", "jsonl"])
        .write_stdin("id,ingredients\n1,\"Water, Glycerin\"\n2,\"Water, Zorblaxium Complex\"\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let verdicts: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["verdict"].to_string())
        .collect();
    assert_eq!(verdicts, ["\"ok\"", "\"review\""]);
    let summary = String::from_utf8(out.stderr).unwrap();
    assert!(
        summary.contains("1 ok, 0 wait, 1 review, 0 avoid"),
        "{summary}"
    );
}
