//! The protocol's context rules, one behaviour per test, through the library API.

use std::sync::LazyLock;

use aftercare::assess::{Assessment, Status};
use aftercare::{CheckError, Checker, Options, Profile, Verdict};

static CHECKER: LazyLock<Checker> = LazyLock::new(|| Checker::embedded().unwrap());

fn check(label: &str) -> Assessment {
    CHECKER.check(label, &Options::default()).unwrap()
}

fn check_with(label: &str, options: Options) -> Assessment {
    CHECKER.check(label, &options).unwrap()
}

/// Categories of the findings for one printed ingredient.
fn categories_of(a: &Assessment, printed: &str) -> Vec<String> {
    a.findings
        .iter()
        .filter(|f| f.ingredient == printed)
        .map(|f| f.category.to_string())
        .collect()
}

fn categories(a: &Assessment) -> Vec<String> {
    let mut c: Vec<String> = a.findings.iter().map(|f| f.category.to_string()).collect();
    c.sort();
    c.dedup();
    c
}

fn note_of(a: &Assessment, printed: &str) -> Option<String> {
    a.notes
        .iter()
        .find(|n| n.ingredient == printed)
        .map(|n| n.reason.to_string())
}

// Protocol section 3 rule 1: whole INCI names, never substrings.

#[test]
fn fatty_alcohols_are_not_drying_alcohols() {
    for name in [
        "Cetyl Alcohol",
        "Cetearyl Alcohol",
        "Stearyl Alcohol",
        "Behenyl Alcohol",
        "Arachidyl Alcohol",
        "Myristyl Alcohol",
        "Lauryl Alcohol",
        "Oleyl Alcohol",
        "Lanolin Alcohol",
        "Benzyl Alcohol",
        "Phenethyl Alcohol",
    ] {
        let a = check(&format!("Water, Glycerin, {name}, Phenoxyethanol"));
        assert!(
            !categories(&a).contains(&"drying-alcohol".to_string()),
            "{name}: {:?}",
            categories(&a)
        );
        let i = a.ingredients.iter().find(|i| i.text == name).unwrap();
        assert_ne!(i.status, Status::Unrecognized, "{name} is unknown");
    }
}

#[test]
fn isopropyl_alcohol_is_drying_but_isopropyl_myristate_is_comedogenic() {
    let a = check("Water, Isopropyl Alcohol, Isopropyl Myristate, Glycerin, Phenoxyethanol");
    assert_eq!(categories_of(&a, "Isopropyl Alcohol"), ["drying-alcohol"]);
    assert_eq!(categories_of(&a, "Isopropyl Myristate"), ["comedogenic"]);
}

#[test]
fn glycolic_acid_is_not_butylene_glycol() {
    let a = check("Water, Butylene Glycol, Glycerin, Phenoxyethanol");
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    assert_eq!(a.verdict, Verdict::Ok);
}

#[test]
fn lactic_look_alikes_are_not_lactic_acid() {
    let a = check(
        "Water, Lactobacillus Ferment, Lactococcus Ferment Lysate, Sodium Lactate, Lactose, Lactoferrin, Myristyl Lactate, Phenoxyethanol",
    );
    assert!(
        !categories(&a).contains(&"aha".to_string()),
        "{:?}",
        a.findings
    );
    let a = check("Water, Menthyl Lactate, Phenoxyethanol");
    assert_eq!(categories_of(&a, "Menthyl Lactate"), ["cooling-agent"]);
}

#[test]
fn salicylate_look_alikes_are_not_salicylic_acid() {
    let a = check(
        "Water, Ethylhexyl Salicylate, Homosalate, Methyl Salicylate, Glycerin, Sodium Salicylate, Benzyl Salicylate",
    );
    assert!(
        !categories(&a).contains(&"bha".to_string()),
        "{:?}",
        a.findings
    );
    assert_eq!(
        categories_of(&a, "Ethylhexyl Salicylate"),
        ["chemical-uv-filter"]
    );
    assert_eq!(categories_of(&a, "Homosalate"), ["chemical-uv-filter"]);
    assert_eq!(categories_of(&a, "Methyl Salicylate"), ["cooling-agent"]);
    assert_eq!(
        categories_of(&a, "Benzyl Salicylate"),
        ["fragrance-allergen"]
    );
}

#[test]
fn sulfate_look_alikes_are_not_sulfates() {
    let a = check(
        "Water, Magnesium Sulfate, Zinc Sulfate, Chondroitin Sulfate, Sodium Lauroyl Sarcosinate, Sodium Lauroyl Glutamate, Phenoxyethanol",
    );
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    let a = check("Water, Sodium Lauryl Sulfate, Glycerin");
    assert_eq!(categories_of(&a, "Sodium Lauryl Sulfate"), ["sulfate"]);
}

// Protocol section 1: profiles.

#[test]
fn each_profile_has_its_own_wait() {
    let label = "Water, Retinol, Glycerin";
    for (profile, hours) in [
        (Profile::Light, 72),
        (Profile::Standard, 168),
        (Profile::Deep, 336),
    ] {
        let a = check_with(
            label,
            Options {
                profile: Some(profile),
                ..Default::default()
            },
        );
        assert_eq!(a.wait_hours, Some(hours), "{profile}");
    }
}

#[test]
fn depth_picks_the_profile() {
    for (depth, profile) in [
        (0.25, Profile::Light),
        (0.5, Profile::Standard),
        (1.0, Profile::Standard),
        (1.5, Profile::Deep),
        (2.0, Profile::Deep),
    ] {
        let a = check_with(
            "Water, Glycerin",
            Options {
                depth: Some(depth),
                ..Default::default()
            },
        );
        assert_eq!(a.profile, profile, "{depth} mm");
    }
}

#[test]
fn a_product_with_no_finding_waits_the_baseline() {
    let a = check("Water, Glycerin, Sodium Hyaluronate, Panthenol");
    assert_eq!(a.verdict, Verdict::Ok);
    assert_eq!(a.wait_hours, Some(8));
    assert_eq!(a.wait_text, "ok after the first 8 hours");
    assert!(
        note_of(&a, "Sodium Hyaluronate").is_some(),
        "beneficial is reported"
    );
}

// Protocol section 3 rules 2 and 3: the 1% line and dual-use ingredients.

#[test]
fn dual_use_acid_counts_only_above_the_one_percent_line() {
    let a = check("Water, Citric Acid, Glycerin, Phenoxyethanol");
    assert_eq!(categories_of(&a, "Citric Acid"), ["aha"]);
    let a = check("Water, Glycerin, Phenoxyethanol, Citric Acid");
    assert!(categories_of(&a, "Citric Acid").is_empty());
    assert_eq!(
        note_of(&a, "Citric Acid").as_deref(),
        Some("after the 1% line: pH adjuster")
    );
    assert_eq!(a.parts[0].one_percent_line, Some(3));
}

#[test]
fn a_stated_percentage_makes_a_dual_use_ingredient_count() {
    let a = check("Water, Glycerin, Phenoxyethanol, Lactic Acid 5%");
    assert_eq!(categories_of(&a, "Lactic Acid"), ["aha"]);
    assert_eq!(a.ingredients[3].percent, Some(5.0));
}

#[test]
fn citric_acid_with_sodium_citrate_is_a_buffer() {
    let a = check("Water, Citric Acid, Sodium Citrate, Glycerin, Phenoxyethanol");
    assert!(
        categories_of(&a, "Citric Acid").is_empty(),
        "{:?}",
        a.findings
    );
    assert!(note_of(&a, "Citric Acid").unwrap().contains("buffer"));
}

#[test]
fn glycolic_acid_and_retinoids_count_wherever_they_stand() {
    let a = check("Water, Glycerin, Phenoxyethanol, Xanthan Gum, Glycolic Acid, Retinyl Palmitate");
    assert_eq!(categories(&a), ["aha", "retinoid"]);
}

#[test]
fn comedogenic_ratings_count_above_the_line_and_are_notes_below() {
    let a = check("Water, Isopropyl Myristate, Glycerin, Phenoxyethanol");
    assert_eq!(categories_of(&a, "Isopropyl Myristate"), ["comedogenic"]);
    let a = check("Water, Glycerin, Phenoxyethanol, Isopropyl Myristate");
    assert!(categories_of(&a, "Isopropyl Myristate").is_empty());
    assert!(note_of(&a, "Isopropyl Myristate").is_some());
}

// Protocol section 3 rule 4: scrub-only exfoliants.

#[test]
fn salt_sugar_and_silica_exfoliate_only_in_a_scrub_or_first() {
    let a = check("Water, Glycerin, Silica, Sodium Chloride, Phenoxyethanol");
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    let a = check("Sucrose, Glycerin, Prunus Amygdalus Dulcis (Sweet Almond) Oil");
    assert_eq!(categories_of(&a, "Sucrose"), ["physical-exfoliant"]);
    let a = check_with(
        "Water, Glycerin, Silica, Phenoxyethanol",
        Options {
            name: Some("Gentle Polish".into()),
            ..Default::default()
        },
    );
    assert_eq!(categories_of(&a, "Silica"), ["physical-exfoliant"]);
    assert_eq!(a.product_type, "scrub");
}

/// Water leading the list is the vehicle, not what a product is first made of: the
/// abrasive after it counts as first, by the name or an alias of the water entry.
#[test]
fn an_abrasive_right_after_water_counts_as_first() {
    for label in [
        "Water, Sodium Chloride, Glycerin, Phenoxyethanol",
        "Aqua, Sodium Chloride, Glycerin, Phenoxyethanol",
    ] {
        let a = check(label);
        assert_eq!(
            categories_of(&a, "Sodium Chloride"),
            ["physical-exfoliant"],
            "{label}"
        );
    }
    let a = check("Glycerin, Sodium Chloride, Water, Phenoxyethanol");
    assert!(categories_of(&a, "Sodium Chloride").is_empty());
}

/// Findings come longest wait first, and in label order where waits are equal.
#[test]
fn findings_come_longest_wait_first_then_in_label_order() {
    let a = check("Water, Parfum, Linalool, Glycolic Acid, Menthol, Retinol, Hydroquinone");
    let order: Vec<(&str, Option<u32>)> = a
        .findings
        .iter()
        .map(|f| (f.ingredient.as_str(), f.wait_hours))
        .collect();
    assert_eq!(
        order,
        [
            ("Glycolic Acid", Some(168)),
            ("Retinol", Some(168)),
            ("Hydroquinone", Some(168)),
            ("Parfum", Some(72)),
            ("Linalool", Some(72)),
            ("Menthol", Some(72)),
        ]
    );
}

// Protocol section 3 rule 5: citrus is not one thing.

#[test]
fn citrus_is_not_one_thing() {
    let a = check(
        "Water, Citrus Limon (Lemon) Fruit Extract, Citrus Limon (Lemon) Peel Oil, Citrus Aurantium Dulcis (Orange) Peel Oil, Citrus Aurantium Bergamia (Bergamot) Fruit Oil, Lavandula Angustifolia (Lavender) Oil, Lavandula Angustifolia (Lavender) Flower Water, Phenoxyethanol",
    );
    assert_eq!(
        categories_of(&a, "Citrus Limon (Lemon) Fruit Extract"),
        ["aha"]
    );
    assert_eq!(
        categories_of(&a, "Citrus Limon (Lemon) Peel Oil"),
        ["phototoxic-oil"]
    );
    assert_eq!(
        categories_of(&a, "Citrus Aurantium Dulcis (Orange) Peel Oil"),
        ["essential-oil"]
    );
    assert_eq!(
        categories_of(&a, "Citrus Aurantium Bergamia (Bergamot) Fruit Oil"),
        ["phototoxic-oil"]
    );
    assert_eq!(
        categories_of(&a, "Lavandula Angustifolia (Lavender) Oil"),
        ["essential-oil"]
    );
    assert!(categories_of(&a, "Lavandula Angustifolia (Lavender) Flower Water").is_empty());
    assert!(note_of(&a, "Lavandula Angustifolia (Lavender) Flower Water").is_some());
}

#[test]
fn furocoumarin_free_bergamot_is_an_essential_oil() {
    let a = check(
        "Water, Glycerin, Citrus Aurantium Bergamia (Bergamot) Fruit Oil (furocoumarin-free)",
    );
    assert_eq!(
        categories_of(
            &a,
            "Citrus Aurantium Bergamia (Bergamot) Fruit Oil (furocoumarin-free)"
        ),
        ["essential-oil"]
    );
}

#[test]
fn an_unlisted_citrus_peel_oil_is_still_an_essential_oil() {
    let a = check("Water, Citrus Imaginaria Peel Oil");
    assert_eq!(
        categories_of(&a, "Citrus Imaginaria Peel Oil"),
        ["essential-oil"]
    );
}

// Protocol section 3 rule 6: claims are not evidence.

#[test]
fn claims_and_marketing_produce_no_findings() {
    let a = check(
        "Fragrance-free, retinol-free and alcohol-free: gentle for your skin. Ingredients: Water, Glycerin, Squalane",
    );
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    assert_eq!(a.ingredients.len(), 3);
}

// Protocol section 4: product types.

#[test]
fn product_types_come_from_the_type_the_name_then_the_ingredients() {
    let mineral = check("Mica, Zinc Oxide, Titanium Dioxide, Iron Oxides, Bismuth Oxychloride");
    assert_eq!(mineral.product_type, "mineral-makeup");
    assert_eq!(mineral.wait_hours, Some(24));
    assert!(note_of(&mineral, "Bismuth Oxychloride").is_some());
    let named = check_with(
        "Water, Cyclopentasiloxane, Glycerin, Phenoxyethanol",
        Options {
            name: Some("Silk Foundation".into()),
            ..Default::default()
        },
    );
    assert_eq!(named.product_type, "makeup");
    assert_eq!(named.wait_hours, Some(48));
    let sun = check_with(
        "Active: Zinc Oxide 20%. Inactive: Water, Glycerin",
        Options {
            name: Some("Mineral Sunscreen SPF 30".into()),
            ..Default::default()
        },
    );
    assert_eq!(sun.product_type, "mineral-sunscreen");
    assert_eq!(sun.wait_hours, Some(24));
    // A sunscreen by name is mineral when a mineral UV filter is in its list: a mineral
    // that is a beneficial filter (zinc oxide), not a mineral pigment (iron oxides).
    let named_sunscreen = |label: &str| {
        check_with(
            label,
            Options {
                name: Some("Daily Sunscreen SPF 30".into()),
                ..Default::default()
            },
        )
        .product_type
    };
    assert_eq!(
        named_sunscreen("Water, Zinc Oxide, Glycerin"),
        "mineral-sunscreen"
    );
    assert_eq!(named_sunscreen("Water, Glycerin, Iron Oxides"), "sunscreen");
    let chem = check("Water, Avobenzone, Octocrylene, Glycerin");
    assert_eq!(chem.product_type, "sunscreen");
    let given = check_with(
        "Water, Glycerin",
        Options {
            product_type: Some("makeup".into()),
            ..Default::default()
        },
    );
    assert_eq!(
        (given.product_type.as_str(), given.product_type_source),
        ("makeup", "given")
    );
}

#[test]
fn prohibited_substances_mean_avoid() {
    let a = check("Water, Glycerin, Parfum, Butylphenyl Methylpropional");
    assert_eq!(a.verdict, Verdict::Avoid);
    assert_eq!(a.wait_hours, None);
    assert!(a.wait_text.starts_with("avoid"));
}

// Section 5 and the checker issue: unknown words, typos, label syntax.

#[test]
fn a_typo_never_hides_an_acid() {
    let a = check("Water, Glyco1ic Acid, Glycerin");
    let f = a
        .findings
        .iter()
        .find(|f| f.ingredient == "Glyco1ic Acid")
        .unwrap();
    assert_eq!(f.category, "aha");
    assert!(f.probable);
    let a = check("Water, Retinyl Palmitat, Glycerin");
    assert_eq!(categories_of(&a, "Retinyl Palmitat"), ["retinoid"]);
}

#[test]
fn unknown_words_are_unrecognized_and_a_near_miss_is_a_probable_match() {
    let a = check("Water, Glycerin, Frobnicated Moonstone, Dimethicon");
    let unknown = a
        .ingredients
        .iter()
        .find(|i| i.text == "Frobnicated Moonstone")
        .unwrap();
    assert_eq!(unknown.status, Status::Unrecognized);
    let near = a
        .ingredients
        .iter()
        .find(|i| i.text == "Dimethicon")
        .unwrap();
    // A name a cleaner cut short, one edit from one known name: read as it, marked.
    assert_eq!(near.status, Status::Known);
    assert_eq!(near.matched_by, aftercare::matcher::How::Probable);
    assert_eq!(near.suggestion.as_deref(), Some("Dimethicone"));
}

#[test]
fn alternates_and_slashed_single_names_are_one_ingredient() {
    let a = check(
        "Aqua/Water/Eau, Caprylic/Capric Triglyceride, Acrylates/C10-30 Alkyl Acrylate Crosspolymer, VP/VA Copolymer, CI 77891/Titanium Dioxide",
    );
    let names: Vec<_> = a
        .ingredients
        .iter()
        .map(|i| i.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(a.ingredients.len(), 5, "{names:?}");
    assert!(
        a.ingredients
            .iter()
            .all(|i| i.status != Status::Unrecognized),
        "{names:?}"
    );
}

#[test]
fn plant_names_resolve_through_both_forms_and_ci_numbers_to_pigments() {
    let a = check("Cocos Nucifera (Coconut) Oil, Coconut Oil, Cocos Nucifera Oil, CI 77491");
    let names: Vec<_> = a
        .ingredients
        .iter()
        .map(|i| i.name.clone().unwrap())
        .collect();
    assert_eq!(names[0], names[1]);
    assert_eq!(names[1], names[2]);
    assert_eq!(names[3], "Iron Oxides");
}

#[test]
fn scraping_damage_is_repaired() {
    let a = check(
        "Water,Glycerin, CitricAcid, Pheno-xyethanol, Anthemis NobilisFlower Oil, Penty- lene Glycol",
    );
    assert!(
        a.ingredients
            .iter()
            .all(|i| i.status != Status::Unrecognized),
        "{:?}",
        a.ingredients
            .iter()
            .map(|i| (&i.text, i.status))
            .collect::<Vec<_>>()
    );
    assert_eq!(a.ingredients.len(), 6);
}

#[test]
fn names_that_lost_their_separators_are_split() {
    let a = check("Water Glycerin Butylene Glycol, Phenoxyethanol");
    let names: Vec<_> = a
        .ingredients
        .iter()
        .map(|i| i.name.clone().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Water", "Glycerin", "Butylene Glycol", "Phenoxyethanol"]
    );
    assert_eq!(a.ingredients[3].position, 4);
}

#[test]
fn kit_parts_wait_as_long_as_their_longest_part() {
    let a = check("Serum: Water, Glycerin, Retinol; Gel: Water, Glycerin, Sodium Hyaluronate");
    assert_eq!(a.parts.len(), 2);
    assert_eq!(a.parts[0].wait_hours, Some(168));
    assert_eq!(a.parts[1].wait_hours, Some(8));
    assert_eq!(a.wait_hours, Some(168));
}

#[test]
fn may_contain_findings_are_marked_possible_and_do_not_move_the_line() {
    let a = check("Mica, Talc, Dimethicone, [+/-: CI 77491, Carmine], Citric Acid, Phenoxyethanol");
    assert_eq!(a.parts[0].one_percent_line, Some(5));
    let carmine = a.ingredients.iter().find(|i| i.text == "Carmine").unwrap();
    assert!(carmine.may_contain);
}

#[test]
fn windows_1252_text_and_entities_read_correctly() {
    let decoded = aftercare::input::decode(
        b"Water, Glycerin, Parfum \x96 Fragrance, Citric Acid &amp; Salts",
    );
    assert!(decoded.note.is_some());
    let a = check(&decoded.text);
    assert!(categories(&a).contains(&"fragrance".to_string()));
}

// Bad input.

#[test]
fn text_with_no_ingredient_list_is_an_error() {
    for bad in [
        "",
        "   ",
        ",,,;;;",
        "hello there friend",
        "#NAME?",
        "No Info",
    ] {
        let r = CHECKER.check(bad, &Options::default());
        assert!(r.is_err(), "{bad:?} gave {:?}", r.map(|a| a.verdict));
    }
    let big = "Water, ".repeat(200_000);
    assert!(matches!(
        CHECKER.check(&big, &Options::default()),
        Err(CheckError::Label(aftercare::label::LabelError::TooLarge(_)))
    ));
}

#[test]
fn hostile_inputs_do_not_panic() {
    let cases = [
        "(".repeat(5000) + "Water",
        ")]".repeat(3000) + "Glycerin",
        "Water\0, Gly\u{7}cerin\u{1b}[2J, \u{202e}Retinol".to_string(),
        (0..3000)
            .map(|i| format!("Name{i}"))
            .collect::<Vec<_>>()
            .join("/"),
        "[+/- ".repeat(2000) + "CI 77491" + &"]".repeat(2000),
        "Water, ".repeat(20_000),
        "&#x0;&#99999999;&amp;&".repeat(500),
    ];
    for c in &cases {
        if let Ok(a) = CHECKER.check(c, &Options::default()) {
            for i in &a.ingredients {
                assert!(i.span[0] <= i.span[1] && i.span[1] <= c.len());
                assert!(c.is_char_boundary(i.span[0]) && c.is_char_boundary(i.span[1]));
            }
        }
    }
}

#[test]
fn treatment_time_gives_safe_from_dates() {
    let tz = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
    let t = aftercare::time::parse_datetime("2026-11-26 14:00", &tz).unwrap();
    let a = check_with(
        "Water, Glycolic Acid",
        Options {
            treated_at: Some(t),
            ..Default::default()
        },
    );
    assert_eq!(a.safe_from.as_deref(), Some("2026-12-03T14:00:00+01:00"));
    assert_eq!(
        a.findings[0].safe_from.as_deref(),
        Some("2026-12-03T14:00:00+01:00")
    );
    assert_eq!(a.wait_text, "wait 7 days (from day 8)");
}

#[test]
fn label_qualifiers_codes_and_scanned_letters_do_not_hide_a_name() {
    let a = check(
        "Water, Lilial TM, Phthalates Free Fragrance, Organic Sugar Cane Alcohol Denat, Avobenzone Sunscreen, Caprylyl GIycoI, Phenoxyethanol <ILN41569>",
    );
    let names: Vec<_> = a
        .ingredients
        .iter()
        .map(|i| i.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "Water",
            "Butylphenyl Methylpropional",
            "Parfum",
            "Alcohol Denat.",
            "Butyl Methoxydibenzoylmethane",
            "Caprylyl Glycol",
            "Phenoxyethanol"
        ]
    );
    assert_eq!(a.verdict, Verdict::Avoid);
}

#[test]
fn backslash_alternates_are_one_ingredient() {
    let a = check("Yeast Extract\\Faex\\Extrait De Levure, Glycerin");
    assert_eq!(a.ingredients.len(), 2);
    assert_ne!(a.ingredients[0].status, Status::Unrecognized);
}

#[test]
fn comma_split_names_are_rejoined() {
    let a = check("Water, Helianthus, Annuus Seed Oil, Glycerin");
    let names: Vec<_> = a
        .ingredients
        .iter()
        .map(|i| i.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names[1].starts_with("Helianthus Annuus"), "{names:?}");
}

#[test]
fn a_blend_is_read_as_its_listed_contents() {
    let a = check(
        "Water, Covabsorb (Ethylhexyl Methoxycinnamate, Butyl Methoxy- dibenzoylmethane, Ethylhexyl Salicylate), Glycerin",
    );
    assert_eq!(
        categories(&a),
        ["chemical-uv-filter"],
        "{:?}",
        a.ingredients.iter().map(|i| &i.text).collect::<Vec<_>>()
    );
    assert_eq!(a.ingredients.len(), 5);
    assert_eq!(a.product_type, "sunscreen");
    assert!(
        a.notes
            .iter()
            .any(|n| n.ingredient.starts_with("Covabsorb")),
        "the blend is reported"
    );
}

// A brief assessment (batch CSV rows) is the full one's answer without the rest.

#[test]
fn a_brief_assessment_gives_the_full_answer_without_notes_or_known_ingredients() {
    let labels = [
        "Water, Glycerin, Phenoxyethanol, Xanthan Gum, Glycolic Acid, Retinyl Palmitate",
        "Water, Citric Acid, Sodium Citrate, Glycerin, Phenoxyethanol",
        "Water, Glycerin, Phenoxyethanol, Lactic Acid 5%",
        "Water, Isopropyl Myristate, Glycerin, Phenoxyethanol",
        "Sucrose, Glycerin, Prunus Amygdalus Dulcis (Sweet Almond) Oil",
        "Water, Parfum, Linalool, Glycolic Acid, Menthol, Retinol, Hydroquinone",
        "Water, Glycerin, Frobnicated Moonstone, Dimethicon, Retinyl Palmitat",
        "Water, Covabsorb (Ethylhexyl Methoxycinnamate, Butyl Methoxydibenzoylmethane)",
        "Serum: Water, Glycerin, Retinol; Gel: Water, Glycerin, Sodium Hyaluronate",
        "Mica, Talc, Dimethicone, [+/-: CI 77491, Carmine], Citric Acid, Phenoxyethanol",
        "Water, Citrus Aurantium Bergamia (Bergamot) Fruit Oil, furocoumarin-free",
    ];
    let treated = aftercare::time::parse_datetime(
        "2026-03-01 09:00",
        &aftercare::time::time_zone(Some("UTC")).unwrap(),
    )
    .unwrap();
    let mut with_notes = 0;
    for label in labels {
        let full = Options {
            treated_at: Some(treated.clone()),
            ..Options::default()
        };
        let brief = Options {
            brief: true,
            ..full.clone()
        };
        let (f, b) = (check_with(label, full), check_with(label, brief));
        let answer = |a: &Assessment| {
            (
                a.verdict,
                a.wait_hours,
                a.safe_from.clone(),
                a.findings
                    .iter()
                    .map(|f| {
                        format!(
                            "{} {:?} {} {:?}: {}",
                            f.ingredient, f.position, f.category, f.wait_hours, f.reason
                        )
                    })
                    .collect::<Vec<_>>(),
                a.unrecognized().map(|i| i.text.clone()).collect::<Vec<_>>(),
                a.parts.iter().map(|p| p.wait_hours).collect::<Vec<_>>(),
            )
        };
        assert_eq!(answer(&b), answer(&f), "{label}");
        assert!(b.notes.is_empty(), "{label}: {:?}", b.notes);
        assert!(
            b.ingredients
                .iter()
                .all(|i| i.status == Status::Unrecognized),
            "{label}"
        );
        assert!(f.ingredients.len() > b.ingredients.len(), "{label}");
        with_notes += usize::from(!f.notes.is_empty());
    }
    // Nine of the eleven have notes in full: leaving them out is what was tested.
    assert_eq!(with_notes, 9);
}
