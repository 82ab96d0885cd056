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

fn ingredient<'a>(a: &'a Assessment, printed: &str) -> &'a aftercare::assess::Ingredient {
    a.ingredients
        .iter()
        .find(|i| i.text == printed)
        .unwrap_or_else(|| panic!("`{printed}` not read: {:?}", a.ingredients))
}

fn category_of(label: &str, printed: &str) -> Option<String> {
    let a = check(label);
    ingredient(&a, printed)
        .category
        .as_deref()
        .map(str::to_string)
}

#[test]
fn a_cosing_name_whose_functions_bear_on_nothing_is_benign_and_says_why() {
    let a = check("Water, Steartrimonium Chloride, Quaternium-18, Cocamide Methyl MEA");
    assert_eq!(a.verdict, Verdict::Ok);
    let db = CHECKER.db();
    let i = ingredient(&a, "Steartrimonium Chloride");
    assert_eq!(i.category.as_deref(), Some("benign"));
    let (e, _) = db.name("steartrimonium chloride").unwrap();
    assert!(
        db.entry(e)
            .reason
            .starts_with("CosIng function: antistatic"),
        "{}",
        db.entry(e).reason
    );
}

#[test]
fn a_cosing_uv_absorber_and_a_perfuming_oil_are_decided_not_benign() {
    assert_eq!(
        category_of("Water, Benzophenone-1, Glycerin", "Benzophenone-1").as_deref(),
        Some("chemical-uv-filter")
    );
    assert_eq!(
        category_of(
            "Water, Isopropyl Methoxycinnamate",
            "Isopropyl Methoxycinnamate"
        )
        .as_deref(),
        Some("chemical-uv-filter")
    );
    for (label, printed, want) in [
        (
            "Water, Hexanediol Disalicylate",
            "Hexanediol Disalicylate",
            "chemical-uv-filter",
        ),
        (
            "Water, Achillea Millefolium Oil",
            "Achillea Millefolium Oil",
            "essential-oil",
        ),
    ] {
        assert_eq!(
            category_of(label, printed).as_deref(),
            Some(want),
            "{printed}"
        );
    }
}

#[test]
fn a_family_never_passes_a_name_with_a_flagged_stem_as_benign() {
    // `metal-salt` would call it a harmless salt; it holds `retin`.
    let a = check("Water, Potassium Retinate, Glycerin");
    let i = ingredient(&a, "Potassium Retinate");
    assert_ne!(i.category.as_deref(), Some("benign"), "{i:?}");
    assert_ne!(a.verdict, Verdict::Ok);
}

#[test]
fn a_misspelt_flagged_botanical_is_a_probable_finding_not_a_plant_extract() {
    let a = check("Water, Hamamelis Virgiana Extract, Glycerin");
    assert_eq!(a.findings[0].category, "witch-hazel");
    assert!(a.findings[0].probable);
}

#[test]
fn british_spellings_of_sulfates_are_sulfates() {
    assert_eq!(
        category_of(
            "Water, Sodium Lauryl Sulphate, Glycerin",
            "Sodium Lauryl Sulphate"
        )
        .as_deref(),
        Some("sulfate")
    );
}

#[test]
fn seed_and_shell_powders_are_physical_exfoliants() {
    let a = check("Water, Prunus Avium Seed Powder, Glycerin");
    assert_eq!(a.findings[0].category, "physical-exfoliant");
}

#[test]
fn brand_and_prescription_names_are_their_actives() {
    let a = check("Water, Retin-A, Glycerin");
    assert_eq!(a.findings[0].category, "retinoid-rx");
    assert_eq!(a.findings[0].name, "Retinoic Acid");
    let a = check("Water, Differin, Glycerin");
    assert_eq!(a.findings[0].name, "Adapalene");
}

#[test]
fn a_prescription_medicine_without_a_category_is_review_follow_the_prescriber() {
    let a = check("Clindamycin Phosphate 1%, Water, Propylene Glycol, Carbomer");
    assert_eq!(a.verdict, Verdict::Review);
    assert!(
        a.review
            .as_deref()
            .unwrap()
            .contains("follow the prescriber")
    );
    assert!(a.notes.iter().any(|n| n.category == "medicine"));
}

#[test]
fn pharmacopoeia_and_usan_names_and_grades_are_read() {
    let a = check(
        "Adapalene USP 0.1%. Inactive: Carbomer 940, Edetate Disodium, Methylparaben, Poloxamer 182, Propylene Glycol, Purified Water, Sodium Hydroxide",
    );
    assert_eq!(a.verdict, Verdict::Wait);
    assert_eq!(a.wait_hours, Some(336));
    assert_eq!(a.findings[0].category, "retinoid-rx");
    assert_eq!(a.unrecognized().count(), 0);
    for (printed, name) in [
        ("Octinoxate USP", "Ethylhexyl Methoxycinnamate"),
        ("Trolamine", "Triethanolamine"),
        ("White Soft Paraffin", "Petrolatum"),
        ("Glycerol (E422)", "Glycerin"),
        ("Cetostearyl Alcohol", "Cetearyl Alcohol"),
    ] {
        let a = check(&format!("Water, {printed}, Tocopherol"));
        assert_eq!(
            ingredient(&a, printed).name.as_deref(),
            Some(name),
            "{printed}"
        );
    }
}

#[test]
fn prescribing_prose_gives_the_active_and_its_vehicle() {
    let a = check(
        "Each gram of FINACEA (azelaic acid) Gel, 15%, contains 0.15 gm azelaic acid (15% w/w) in an aqueous gel base containing benzoic acid (as a preservative), disodium-EDTA, lecithin, polysorbate 80, propylene glycol, sodium hydroxide to adjust pH, and purified water.",
    );
    assert_eq!(a.verdict, Verdict::Wait, "{:?}", a.ingredients);
    assert_eq!(a.findings[0].category, "depigmenting");
    assert_eq!(a.findings[0].name, "Azelaic Acid");
    assert_eq!(a.unrecognized().count(), 0);
}

#[test]
fn an_alphabetical_inactive_list_draws_no_one_percent_line() {
    // Citric acid would be a pH adjuster below a 1% line; an alphabetical Drug Facts
    // list has none, so it counts.
    let a = check(
        "Active ingredient: Salicylic Acid 2%. Inactive ingredients: Butylene Glycol, Citric Acid, Glycerin, Phenoxyethanol, Water",
    );
    assert!(
        a.findings.iter().any(|f| f.name == "Citric Acid"),
        "{:?}",
        a.findings
    );
    // The same names in order of weight, with the line at phenoxyethanol.
    let a = check("Water, Glycerin, Butylene Glycol, Phenoxyethanol, Citric Acid");
    assert!(!a.findings.iter().any(|f| f.name == "Citric Acid"));
}

#[test]
fn an_unknown_product_type_is_refused_with_the_valid_ones() {
    let out = assert_cmd::Command::cargo_bin("aftercare")
        .unwrap()
        .args(["check", "--type", "makup", "Water, Glycerin"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("unknown product type `makup`"), "{err}");
    assert!(err.contains("`makeup`"), "{err}");
    // Words that name a type are still taken.
    let out = assert_cmd::Command::cargo_bin("aftercare")
        .unwrap()
        .args(["check", "--type", "foundation", "Water, Glycerin"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("wait 2 days")
    );
}

#[test]
fn a_plant_named_without_its_part_is_read_as_its_riskiest_part_and_says_so() {
    let a = check("Water, Lavandula Angustifolia (Lavender), Glycerin");
    assert_eq!(a.findings[0].category, "essential-oil");
    assert!(a.findings[0].probable);
    assert!(
        a.findings[0]
            .reason
            .contains("names the plant but not its part"),
        "{}",
        a.findings[0].reason
    );
    // A plant whose every part is benign is known, marked as read that way.
    let a = check("Water, Aloe Barbadensis, Glycerin");
    assert_eq!(a.verdict, Verdict::Ok);
    assert_eq!(
        ingredient(&a, "Aloe Barbadensis").matched_by,
        aftercare::matcher::How::PlantPart
    );
}

#[test]
fn a_whole_drug_facts_panel_reads_its_actives_and_its_inactive_list() {
    let a = check(
        "Drug Facts\nActive ingredient: Salicylic acid 2%\nPurpose: Acne treatment\nUses: for the treatment of acne\nWarnings: For external use only.\nDirections: cleanse the skin thoroughly\nInactive ingredients: alcohol denat., water, glycerin, retinol, fragrance\nQuestions? 1-800-000-0000",
    );
    let mut cats: Vec<&str> = a.findings.iter().map(|f| &*f.category).collect();
    cats.sort_unstable();
    assert_eq!(cats, ["bha", "drying-alcohol", "fragrance", "retinoid"]);
    assert_eq!(a.verdict, Verdict::Wait, "{:?}", a.review);
}

#[test]
fn marketing_above_the_list_produces_no_finding() {
    for label in [
        "Key ingredients: Retinol, Glycolic Acid\nIngredients: Water, Glycerin, Niacinamide, Phenoxyethanol",
        "Key ingredients: Retinol, Glycolic Acid\nWater, Glycerin, Niacinamide, Phenoxyethanol",
        "Hero Ingredients: Retinol\nWater, Glycerin, Phenoxyethanol",
    ] {
        let a = check(label);
        assert_eq!(a.verdict, Verdict::Ok, "{label}: {:?}", a.findings);
        assert!(!a.skipped.is_empty());
    }
}

#[test]
fn a_kit_parts_product_name_is_not_read_into_a_name() {
    let a = check(
        "C-Firma Day Serum: Water, Glycerin, Ascorbic Acid; Umbra Sheer Physical Daily Defense SPF 30: Zinc Oxide, Water",
    );
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
    assert_eq!(a.parts.len(), 2);
}

#[test]
fn a_heading_glued_to_the_last_name_of_a_list_keeps_the_name() {
    let a = check("Active ingredients: Avobenzone 3%, Octocrylene Ingredients: Water, Glycerin");
    let names: Vec<&str> = a.findings.iter().map(|f| &*f.name).collect();
    assert!(names.contains(&"Octocrylene"), "{names:?}");
    assert_eq!(a.unrecognized().count(), 0);
}

#[test]
fn end_headings_in_other_languages_end_the_list() {
    for label in [
        "Water, Glycerin, Retinol. Mode d'emploi: appliquer matin et soir",
        "Water, Glycerin, Retinol. Anwendung: morgens auftragen",
        "Water, Glycerin, Retinol. Modo de uso: aplicar por la noche",
    ] {
        let a = check(label);
        assert_eq!(a.verdict, Verdict::Wait, "{label}: {:?}", a.review);
    }
}

#[test]
fn a_long_product_name_alone_on_its_line_heads_its_list() {
    let a = check(
        "Goof Proof Brow Pencil Easy Shape & Fill Pencil:\nStearic Acid, Hydrogenated Castor Oil, Tocopherol",
    );
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
    assert_eq!(
        a.parts[0].name.as_deref(),
        Some("Goof Proof Brow Pencil Easy Shape & Fill Pencil")
    );
}

#[test]
fn a_bracketed_name_on_the_next_line_belongs_to_the_name_before_it() {
    let a = check("Water, Parfum\n(Fragrance)\nGlycerin");
    assert_eq!(a.findings.len(), 1, "{:?}", a.findings);
    assert_eq!(a.findings[0].category, "fragrance");
}

#[test]
fn names_a_scraper_glued_together_are_split_where_the_vocabulary_shows_two() {
    let a = check("Evening Primrose Oil Simmondsia Chinensis Oil, Tocopherol");
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
    assert_eq!(a.ingredients.len(), 3);
}

#[test]
fn the_usual_abbreviations_resolve() {
    for abbreviation in ["CMIT", "MIT", "BHT", "EDTA"] {
        let a = check(&format!("Water, Glycerin, {abbreviation}"));
        assert_eq!(a.unrecognized().count(), 0, "{abbreviation}");
    }
}

#[test]
fn mineral_filters_leading_a_list_make_a_mineral_sunscreen_without_a_heading() {
    let a = check("Zinc Oxide, Titanium Dioxide, Caprylic/Capric Triglyceride, Cera Alba");
    assert_eq!(a.product_type, "mineral-sunscreen");
    // A chemical filter alone makes a sunscreen.
    let a = check("Water, Homosalate, Glycerin, Dimethicone");
    assert_eq!(a.product_type, "sunscreen");
}

#[test]
fn a_curated_bracketed_name_wins_over_the_same_cosing_name_without_brackets() {
    for (printed, category) in [
        ("Citrus Aurantium Bergamia Peel Oil", "phototoxic-oil"),
        ("Citrus Aurantium Amara Peel Oil", "phototoxic-oil"),
    ] {
        assert_eq!(
            category_of(&format!("Water, {printed}"), printed).as_deref(),
            Some(category),
            "{printed}"
        );
    }
}

#[test]
fn check_reads_a_python_list_label_as_batch_does() {
    let out = assert_cmd::Command::cargo_bin("aftercare")
        .unwrap()
        .args([
            "check",
            "--format",
            "json",
            "['Serum:', 'Water, Glycerin, Retinol', 'Brow Wiz - Medium Brown', 'Cera Alba, Talc, Mica, Tocopherol']",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "wait", "{v}");
    assert_eq!(v["findings"][0]["category"], "retinoid");
    assert_eq!(v["parts"].as_array().unwrap().len(), 2);
}

#[test]
fn a_kit_parts_ingredients_heading_is_a_part_not_a_name() {
    let a = check(
        "Serum Ingredients: Water, Glycerin, Retinol; Night Cream Ingredients: Water, Squalane",
    );
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
}

#[test]
fn an_essential_oil_named_as_such_is_its_inci_oil() {
    assert_eq!(
        category_of(
            "Water, Cymbopogon Schoenanthus Essential Oil",
            "Cymbopogon Schoenanthus Essential Oil"
        )
        .as_deref(),
        Some("essential-oil")
    );
}

#[test]
fn benefit_bullets_are_prose_not_unknown_names() {
    let a = check(
        "Water, Glycerin, Tightens pores, Helps support natural collagen synthesis, Phenoxyethanol",
    );
    assert_eq!(a.verdict, Verdict::Ok, "{:?}", a.review);
    assert!(a.skipped.iter().any(|s| s.text == "Tightens pores"));
}

#[test]
fn a_kit_part_named_with_a_trademark_sign_heads_its_list() {
    let a = check("Water, Sodium Chloride. C-Firma™ Day Serum: Water, Ascorbic Acid");
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
    assert_eq!(a.parts[1].name.as_deref(), Some("C-Firma™ Day Serum"));
}

#[test]
fn a_long_kit_part_name_ending_in_what_the_product_is_heads_its_list() {
    let a = check(
        "Water, Glycerin. Renewed Hope in a Jar Eye Refreshing & Refining Eye Cream: Water, Glycolic Acid",
    );
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
    assert_eq!(a.findings[0].category, "aha");
}

#[test]
fn a_catalogs_record_metadata_between_kit_parts_is_not_read_into_names() {
    let a = check(
        "Water, Chloroxylenol Rds Product Name: Acne Solutions Clarifying Lotion Division: Cl (Clinique)Active Ingredient: Salicylic Acid 1.50%Water, Alcohol Denat.",
    );
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
    // The name before the metadata is kept, not taken for a header.
    assert!(a.ingredients.iter().any(|i| i.text == "Chloroxylenol"));
    let bha = a.findings.iter().find(|f| f.category == "bha").unwrap();
    assert_eq!(bha.name, "Salicylic Acid");
}

#[test]
fn a_name_glued_to_an_actives_strength_starts_the_inactive_list() {
    let a = check("Active Ingredient: Salicylic Acid 1.50%Water, Glycerin");
    let water = a.ingredients.iter().find(|i| i.text == "Water").unwrap();
    assert_eq!(
        a.parts[water.part].kind,
        aftercare::label::PartKind::Inactive
    );
    // A heading glued to a strength is a heading too.
    let a = check(
        "Active Ingredients: Avobenzone 3.00%, Octocrylene 2.70%Ingredients: Water, Glycerin",
    );
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
    assert_eq!(a.ingredients.len(), 4);
}

#[test]
fn formula_and_batch_codes_are_not_ingredients() {
    for code in [
        "IL72-1.",
        "Il46a",
        "B/051022",
        "N 04932/N",
        "Code F.I.L. N70013647/1",
    ] {
        let a = check(&format!("Water, Glycerin, {code}"));
        assert_eq!(a.unrecognized().count(), 0, "{code}: {:?}", a.ingredients);
        assert_eq!(a.ingredients.len(), 2, "{code}");
    }
    // A colour index number is a name, not a code.
    let a = check("Water, Glycerin, CI 77891");
    assert_eq!(a.ingredients.len(), 3);
}

#[test]
fn codes_and_cas_numbers_printed_with_a_name_are_taken_off_it() {
    let a = check(
        "Water, Titanium Dioxide V283863/1, Linalool 78-70-6, 1199768Behentrimonium Chloride",
    );
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
    let texts: Vec<&str> = a.ingredients.iter().map(|i| &*i.text).collect();
    assert_eq!(
        texts,
        [
            "Water",
            "Titanium Dioxide",
            "Linalool",
            "Behentrimonium Chloride"
        ]
    );
}

#[test]
fn a_colour_index_number_beside_its_name_is_read_as_the_name() {
    for printed in [
        "CI 77947 Zinc Oxide",
        "Ci77742 Manganese Violet",
        "Manganese Violet CI 77742",
    ] {
        let a = check(&format!("Water, {printed}"));
        assert_eq!(a.unrecognized().count(), 0, "{printed}");
    }
}

#[test]
fn the_origin_of_a_name_is_a_qualifier_not_an_ingredient() {
    let a = check("Water, Squalane, Plant Origin, Alcohol Of Vegetal Origin");
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
    assert_eq!(a.findings[0].category, "drying-alcohol");
}

#[test]
fn an_allergen_statement_is_not_an_ingredient() {
    let a = check("Tapioca Syrup, Coconut Sugar, Contains Tree Nuts (Coconut)");
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
    assert!(
        a.skipped
            .iter()
            .any(|s| s.text.starts_with("Contains Tree Nuts"))
    );
}

#[test]
fn a_common_name_first_botanical_is_read_in_inci_order() {
    let a = check("Water, Organic Sweet Orange Peel (Citrus Sinensis) Essential Oil");
    assert_eq!(
        a.findings[0].name,
        "Citrus Aurantium Dulcis (Orange) Peel Oil"
    );
    let a = check("Water, Kokum Butter (Garcinia Indica)");
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
}

#[test]
fn a_plant_and_its_product_without_the_part_is_read_as_the_riskiest_part() {
    // Chia gives a seed oil and an essential oil from the herb: read as the latter.
    let a = check("Water, Salvia Hispanica (Cold Pressed Chia) Oil");
    assert_eq!(a.findings[0].category, "essential-oil");
    assert!(a.findings[0].probable);
    // Where only one part gives the product, it is that part.
    let a = check("Water, Pentaclethra Macroloba Oil");
    assert_eq!(a.verdict, Verdict::Ok, "{:?}", a.review);
}

#[test]
fn a_misspelt_name_is_matched_through_its_other_forms() {
    let a = check("Water, Cymbopogon Schoenanthis (Lemongrass) Oil");
    assert_eq!(a.findings[0].name, "Cymbopogon Schoenanthus Oil");
    assert!(a.findings[0].probable);
    let a = check("Water, Dehyroacetic Acid (DHA)");
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
}

#[test]
fn a_one_letter_name_is_never_a_near_miss_of_another_letter() {
    let a = check("Water, Vitamin K");
    assert_eq!(a.verdict, Verdict::Review);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn a_blend_written_with_and_is_its_known_parts() {
    let a = check("Water, Cetearyl Alcohol And Ceteareth20, Purified Water & Glycerine");
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
    assert_eq!(a.ingredients.len(), 5);
    // Not when a part is unknown.
    let a = check("Water, Glycerin And Zorblaxium");
    assert_eq!(a.verdict, Verdict::Review);
}

#[test]
fn label_names_in_other_languages_are_read() {
    for (printed, category) in [
        ("Cire d'Abeille", "benign"),
        ("Huile Minerale", "benign"),
        ("Agua", "benign"),
        ("Alcohol Desnaturalizado", "drying-alcohol"),
        ("Duftstoff", "fragrance"),
        ("Acide Salicylique", "bha"),
        ("Fenoxietanol", "benign"),
        ("Sorbate de Potassium", "benign"),
        ("Peróxido de Benzoilo", "benzoyl-peroxide"),
        ("Natriumlaurylsulfat", "sulfate"),
    ] {
        let a = check(&format!("Glycerin, {printed}"));
        assert_eq!(a.unrecognized().count(), 0, "{printed}");
        if category != "benign" {
            assert_eq!(a.findings[0].category, category, "{printed}");
        }
    }
}

#[test]
fn supplement_facts_words_are_known_as_such() {
    let a = check("Calcium, Magnesium, Selenomethionine, Vegetarian Capsule, Rice Flour");
    assert_eq!(a.unrecognized().count(), 0, "{:?}", a.ingredients);
}

#[test]
fn aroma_trade_names_are_fragrance() {
    for name in ["Ambroxan", "Calone", "Galaxolide", "Cashmeran"] {
        let a = check(&format!("Alcohol Denat., {name}"));
        assert!(
            a.findings
                .iter()
                .any(|f| f.category.starts_with("fragrance")),
            "{name}: {:?}",
            a.findings
        );
    }
}
