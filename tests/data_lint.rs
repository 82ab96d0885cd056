//! Guards the curated database the way typos guards its dictionaries: every file parses,
//! is in canonical order and form, and no name is defined twice. Run with
//! `AFTERCARE_BLESS=1 cargo test --test data_lint` to rewrite files in canonical form.

use std::collections::HashMap;
use std::path::Path;

use aftercare::Database;
use aftercare::db::{EMBEDDED, Flags};
use aftercare::normalize::word_key;

/// How each file is ordered: by which columns, compared case-insensitively.
fn sort_key(file: &str) -> &'static [usize] {
    match file {
        "data/categories.csv" | "data/sources.csv" | "data/rules.csv" => &[0],
        "data/lookalikes.csv" => &[0, 1],
        // Patterns and product types apply in order: their first column is that order.
        "data/patterns.csv" | "data/product-types.csv" => &[],
        _ => &[0],
    }
}

fn canonical(file: &str, text: &str) -> String {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let mut rows: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::trim).collect())
        .collect();
    let key = sort_key(file);
    if key.is_empty() {
        rows.sort_by_key(|r| r[0].parse::<u32>().unwrap_or(u32::MAX));
    } else {
        rows.sort_by_cached_key(|r| key.iter().map(|&k| r[k].to_lowercase()).collect::<Vec<_>>());
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for r in rows {
        w.write_record(&r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn the_embedded_database_loads_without_problems() {
    if let Err(e) = Database::embedded() {
        panic!("{e}");
    }
}

#[test]
fn every_data_file_is_in_canonical_order_and_form() {
    let bless = std::env::var_os("AFTERCARE_BLESS").is_some();
    let mut bad = Vec::new();
    for (file, text) in EMBEDDED {
        let want = canonical(file, text);
        if want != *text {
            if bless {
                let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
                std::fs::write(path, &want).unwrap();
            }
            bad.push(*file);
        }
    }
    assert!(
        bad.is_empty() || bless,
        "not in canonical order or form (run `AFTERCARE_BLESS=1 cargo test --test data_lint`): {bad:?}"
    );
}

#[test]
fn no_name_or_alias_is_defined_twice() {
    let db = Database::embedded().unwrap();
    let mut seen: HashMap<String, &str> = HashMap::new();
    let mut clashes = Vec::new();
    for e in &db.entries {
        let mut own = std::collections::HashSet::new();
        for n in std::iter::once(&e.name).chain(&e.aliases) {
            let k = word_key(n);
            if !own.insert(k.clone()) {
                clashes.push(format!("`{n}` twice in `{}`", e.name));
                continue;
            }
            if let Some(other) = seen.insert(k, &e.name) {
                clashes.push(format!("`{n}` in `{}` and `{other}`", e.name));
            }
        }
    }
    assert!(clashes.is_empty(), "{clashes:#?}");
}

#[test]
fn every_alias_is_a_plausible_label_spelling() {
    const VAGUE: &[&str] = &[
        "oil",
        "acid",
        "extract",
        "water",
        "powder",
        "butter",
        "wax",
        "salt",
        "vitamin",
        "fragrance free",
        "natural",
        "organic",
        "active",
        "aroma chemical",
    ];
    let db = Database::embedded().unwrap();
    let mut bad = Vec::new();
    for e in &db.entries {
        for a in &e.aliases {
            let k = word_key(a);
            let letters = k.chars().filter(char::is_ascii_alphabetic).count();
            if k.is_empty() || VAGUE.contains(&k.as_str()) || letters < 2 || a.len() > 120 {
                bad.push(format!("`{a}` (alias of `{}`)", e.name));
            }
        }
    }
    assert!(bad.is_empty(), "implausible aliases: {bad:#?}");
}

#[test]
fn every_flag_and_category_is_valid_and_sourced() {
    // The loader rejects unknown categories, flags and sources; this test pins that the
    // rejection is reported with the file and line.
    let tmp = std::env::temp_dir().join(format!("aftercare-lint-{}.csv", std::process::id()));
    std::fs::write(
        &tmp,
        "name,aliases,category,flags,reason,source\nFoo Acid,,not-a-category,sparkly,reason,nowhere\n",
    )
    .unwrap();
    let err = Database::validate_overlay(&tmp).unwrap_err().to_string();
    std::fs::remove_file(&tmp).ok();
    assert!(err.contains(":2: unknown flag `sparkly`"), "{err}");
    assert!(Flags::VALID.contains(&"scrub-only"));
}

#[test]
fn every_protocol_name_is_present() {
    // docs/protocol.md section 2 names these; each must resolve to its category.
    let db = std::sync::Arc::new(Database::embedded().unwrap());
    let m = aftercare::matcher::Matcher::new(db.clone());
    let want = [
        ("Retinol", "retinoid"),
        ("Retinal", "retinoid"),
        ("Retinyl Palmitate", "retinoid"),
        ("Hydroxypinacolone Retinoate", "retinoid"),
        ("Retinyl Retinoate", "retinoid"),
        ("Tretinoin", "retinoid-rx"),
        ("Adapalene", "retinoid-rx"),
        ("Tazarotene", "retinoid-rx"),
        ("Trifarotene", "retinoid-rx"),
        ("Isotretinoin", "retinoid-rx"),
        ("Glycolic Acid", "aha"),
        ("Lactic Acid", "aha"),
        ("Mandelic Acid", "aha"),
        ("Malic Acid", "aha"),
        ("Tartaric Acid", "aha"),
        ("Citric Acid", "aha"),
        ("Ammonium Glycolate", "aha"),
        ("Sodium Glycolate", "aha"),
        ("Ammonium Lactate", "aha"),
        ("Salicylic Acid", "bha"),
        ("Betaine Salicylate", "bha"),
        ("Capryloyl Salicylic Acid", "bha"),
        ("Salix Alba Bark Extract", "bha"),
        ("Salix Nigra Bark Extract", "bha"),
        ("Gluconolactone", "pha"),
        ("Lactobionic Acid", "pha"),
        ("Maltobionic Acid", "pha"),
        ("Ascorbic Acid", "vitamin-c"),
        ("3-O-Ethyl Ascorbic Acid", "vitamin-c"),
        ("Ascorbyl Glucoside", "vitamin-c-derivative"),
        ("Sodium Ascorbyl Phosphate", "vitamin-c-derivative"),
        ("Magnesium Ascorbyl Phosphate", "vitamin-c-derivative"),
        ("Tetrahexyldecyl Ascorbate", "vitamin-c-derivative"),
        ("Aminopropyl Ascorbyl Phosphate", "vitamin-c-derivative"),
        ("Benzoyl Peroxide", "benzoyl-peroxide"),
        ("Hydroquinone", "depigmenting"),
        ("Kojic Acid", "depigmenting"),
        ("Kojic Dipalmitate", "depigmenting"),
        ("Azelaic Acid", "depigmenting"),
        ("Arbutin", "depigmenting"),
        ("Alpha-Arbutin", "depigmenting"),
        ("4-Butylresorcinol", "depigmenting"),
        ("Hexylresorcinol", "depigmenting"),
        ("Phenylethyl Resorcinol", "depigmenting"),
        ("Isobutylamido Thiazolyl Resorcinol", "depigmenting"),
        ("Papain", "enzyme"),
        ("Bromelain", "enzyme"),
        ("Subtilisin", "enzyme"),
        ("Parfum", "fragrance"),
        ("Fragrance", "fragrance"),
        ("Aroma", "fragrance"),
        ("Linalool", "fragrance-allergen"),
        ("Limonene", "fragrance-allergen"),
        ("Citronellol", "fragrance-allergen"),
        ("Geraniol", "fragrance-allergen"),
        ("Alcohol Denat.", "drying-alcohol"),
        ("SD Alcohol 40-B", "drying-alcohol"),
        ("Isopropyl Alcohol", "drying-alcohol"),
        ("Ethanol", "drying-alcohol"),
        ("Alcohol", "drying-alcohol"),
        ("Hamamelis Virginiana (Witch Hazel) Water", "witch-hazel"),
        ("Menthol", "cooling-agent"),
        ("Menthyl Lactate", "cooling-agent"),
        ("Menthoxypropanediol", "cooling-agent"),
        ("Camphor", "cooling-agent"),
        ("Methyl Salicylate", "cooling-agent"),
        ("Sodium Lauryl Sulfate", "sulfate"),
        ("Ammonium Lauryl Sulfate", "sulfate"),
        ("TEA-Lauryl Sulfate", "sulfate"),
        ("Sodium Laureth Sulfate", "sulfate"),
        ("Ammonium Laureth Sulfate", "sulfate"),
        ("Sodium Coco-Sulfate", "sulfate"),
        ("Sodium Myreth Sulfate", "sulfate"),
        ("Sodium C14-16 Olefin Sulfonate", "sulfate"),
        ("Avobenzone", "chemical-uv-filter"),
        ("Octinoxate", "chemical-uv-filter"),
        ("Oxybenzone", "chemical-uv-filter"),
        ("Octocrylene", "chemical-uv-filter"),
        ("Homosalate", "chemical-uv-filter"),
        ("Octisalate", "chemical-uv-filter"),
        ("Ensulizole", "chemical-uv-filter"),
        ("Bemotrizinol", "chemical-uv-filter"),
        ("Bisoctrizole", "chemical-uv-filter"),
        ("Ecamsule", "chemical-uv-filter"),
        ("Butylphenyl Methylpropional", "prohibited"),
        ("Hydroxyisohexyl 3-Cyclohexene Carboxaldehyde", "prohibited"),
        ("Sodium Hyaluronate", "beneficial"),
        ("Panthenol", "beneficial"),
        ("Niacinamide", "contested"),
        ("Tranexamic Acid", "contested"),
        ("Bakuchiol", "contested"),
        ("Bismuth Oxychloride", "note"),
    ];
    let mut wrong = Vec::new();
    for (name, category) in want {
        let r = m.resolve(name);
        let got = match r.target {
            aftercare::matcher::Target::Entry(i) => m.entry(i).category.to_string(),
            aftercare::matcher::Target::Pattern(p) => m.pattern(p).category.to_string(),
            aftercare::matcher::Target::Unrecognized => "unrecognized".into(),
        };
        if got != category || r.how == aftercare::matcher::How::Probable {
            wrong.push(format!("{name}: {got} ({:?}), want {category}", r.how));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn every_pattern_compiles_and_matches_its_own_example_family() {
    let db = Database::embedded().unwrap();
    for p in &db.patterns {
        if let Err(e) = regex::Regex::new(&p.source_regex) {
            panic!("pattern `{}` does not compile: {e}", p.id);
        }
    }
    let m = aftercare::matcher::Matcher::new(std::sync::Arc::new(db));
    for (name, id) in [
        ("PEG-999 Imaginaryl Stearate", "peg-ppg"),
        ("CI 12345", "colorant"),
        ("Citrus Imaginaria Peel Oil", "citrus-peel-oil"),
        ("Imaginaria Vulgaris Leaf Oil", "plant-volatile-oil"),
        ("Imaginaria Vulgaris Seed Oil", "plant-fixed-oil"),
        ("Imaginaria Vulgaris Root Extract", "plant-material"),
    ] {
        match m.resolve(name).target {
            aftercare::matcher::Target::Pattern(p) => assert_eq!(m.pattern(p).id, id, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}
