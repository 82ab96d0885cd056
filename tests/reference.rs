//! Checks the database against the EU fragrance allergen reference list. The list is
//! not in this repository, so the test is ignored by default and `.ci/run` runs it with
//! `AFTERCARE_ALLERGEN_REFERENCE` pointing at the file.

use std::sync::Arc;

use aftercare::Database;
use aftercare::matcher::{How, Matcher, Target};

const FRAGRANCE_RELATED: &[&str] = &[
    "fragrance",
    "fragrance-allergen",
    "essential-oil",
    "phototoxic-oil",
    "cooling-agent",
    "prohibited",
];

#[test]
#[ignore = "needs AFTERCARE_ALLERGEN_REFERENCE (run by .ci/run)"]
fn every_eu_labelled_allergen_is_in_the_database() {
    let Some(path) = std::env::var_os("AFTERCARE_ALLERGEN_REFERENCE") else {
        panic!("set AFTERCARE_ALLERGEN_REFERENCE to eu_fragrance_allergens_annexIII_derived.csv");
    };
    let db = Arc::new(Database::embedded().unwrap());
    let m = Matcher::new(db);
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = headers
        .iter()
        .position(|h| h == "inci_glossary_name")
        .unwrap();
    let mut missing = Vec::new();
    let mut total = 0;
    for record in reader.records() {
        let record = record.unwrap();
        // Group entries list their INCI names separated by `;` (or `,`).
        for name in names(&record[col]) {
            if name.is_empty() || name == "-" {
                continue;
            }
            total += 1;
            let r = m.resolve(name);
            let category = match r.target {
                Target::Entry(i) => Some(m.entry(i).category.to_string()),
                Target::Pattern(p) => Some(m.pattern(p).category.to_string()),
                Target::Unrecognized => None,
            };
            let ok = r.how != How::Probable
                && category
                    .as_deref()
                    .is_some_and(|c| FRAGRANCE_RELATED.contains(&c));
            if !ok {
                missing.push(format!("{name} ({category:?}, {:?})", r.how));
            }
        }
    }
    assert!(total > 50, "only {total} names read from the reference");
    assert!(
        missing.is_empty(),
        "{} of {total} EU-labelled allergens are missing or not fragrance-related:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// The INCI names of one reference cell: group entries separate them with `;` or `,`,
/// but a regulation's chemical name may itself contain commas.
fn names(cell: &str) -> Vec<&str> {
    cell.split(';')
        .flat_map(|part| {
            let part = part.trim();
            if part.contains(", ") && part.split(", ").all(|p| p.split_whitespace().count() >= 2) {
                part.split(", ").collect::<Vec<_>>()
            } else {
                vec![part]
            }
        })
        .map(str::trim)
        .collect()
}
