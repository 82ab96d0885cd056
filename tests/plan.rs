//! `aftercare plan`: the schedule of a known routine at fixed times (across clock
//! changes), the advice's times from the database, the routine inputs, exit codes, and
//! each output format read back (JSON parsed, HTML parsed as XML).

use std::collections::HashMap;

use aftercare::db::{Profile, Wait};
use aftercare::plan::{self, Checked, Plan, Product};
use aftercare::{Checker, Options, Verdict};
use assert_cmd::Command;
use serde_json::Value;

const ROUTINE: &str = "\
Name,INGREDIENTS,type
Gentle Cleanser,\"Water, Glycerin, Cocamidopropyl Betaine, Phenoxyethanol\",
Retinol Night Serum,\"Water, Squalane, Retinol, Phenoxyethanol\",
Mineral SPF 30,\"Zinc Oxide 20%, Caprylic/Capric Triglyceride, Glycerin, Tocopherol\",mineral-sunscreen
Glow Toner,\"Water, Alcohol Denat., Glycolic Acid, Parfum\",
Old Perfume Oil,\"Alcohol Denat., Butylphenyl Methylpropional, Parfum\",
Mystery Jar,#NAME?,
";

fn checker() -> Checker {
    Checker::embedded().unwrap()
}

fn at(text: &str, zone: &str) -> jiff::ZonedDateTime {
    let tz = jiff::tz::TimeZone::get(zone).unwrap();
    aftercare::time::parse_datetime(text, &tz).unwrap()
}

fn london_plan(options: Options) -> Plan {
    let routine = plan::read_routine(ROUTINE).unwrap();
    let options = Options {
        treated_at: Some(at("2026-10-22 14:00", "Europe/London")),
        ..options
    };
    plan::plan(
        &checker(),
        &routine,
        &options,
        &at("2026-10-24 09:00", "Europe/London"),
    )
}

fn product<'a>(plan: &'a Plan, name: &str) -> &'a Checked {
    plan.checked()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no checked product `{name}`"))
        .1
}

#[test]
fn schedule_counts_hours_across_the_autumn_clock_change_and_calendar_days() {
    // The UK leaves summer time on Sunday 25 October 2026: 168 hours after 14:00 BST
    // on Thursday 22 October is 13:00 GMT on Thursday 29 October, day 8 (the treatment day is day 1).
    let plan = london_plan(Options::default());
    assert_eq!(plan.treated_at, "2026-10-22T14:00:00+01:00");
    assert_eq!(plan.time_zone, "Europe/London");
    assert_eq!(plan.today, 3);

    let cleanser = product(&plan, "Gentle Cleanser");
    assert_eq!(cleanser.verdict, Verdict::Ok);
    assert_eq!(
        cleanser.safe_from.as_deref(),
        Some("2026-10-22T22:00:00+01:00")
    );
    assert_eq!(cleanser.safe_day, Some(1));
    assert_eq!(cleanser.reason, "baseline");

    let serum = product(&plan, "Retinol Night Serum");
    assert_eq!(serum.wait_hours, Some(168));
    assert_eq!(
        serum.safe_from.as_deref(),
        Some("2026-10-29T13:00:00+00:00")
    );
    assert_eq!(
        serum.safe_from_text.as_deref(),
        Some("Thursday 29 October, 13:00")
    );
    assert_eq!(serum.safe_day, Some(8));
    assert_eq!(serum.reason_category, "retinoid");

    let spf = product(&plan, "Mineral SPF 30");
    assert_eq!(spf.safe_from.as_deref(), Some("2026-10-23T14:00:00+01:00"));
    assert_eq!(spf.reason_category, "mineral-sunscreen");

    // The drying alcohol (240 h) decides the toner: day 11, an hour earlier on the clock.
    let toner = product(&plan, "Glow Toner");
    assert_eq!(toner.reason_category, "drying-alcohol");
    assert_eq!(
        toner.safe_from.as_deref(),
        Some("2026-11-01T13:00:00+00:00")
    );

    // Days run from the treatment day to the day the last product returns, one per
    // calendar day, the 25-hour Sunday included once.
    let dates: Vec<&str> = plan.days.iter().map(|d| d.date.as_str()).collect();
    assert_eq!(dates.first(), Some(&"2026-10-22"));
    assert_eq!(dates.last(), Some(&"2026-11-01"));
    assert_eq!(dates.len(), 11);
    assert_eq!(plan.days[3].title, "Sunday 25 October");

    let day0 = &plan.days[0];
    assert!(day0.may_use.is_empty());
    assert_eq!(day0.returning.len(), 1);
    assert_eq!(day0.returning[0].name, "Gentle Cleanser");
    assert_eq!(day0.returning[0].at, "22:00");
    let waiting: Vec<&str> = day0.waiting.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(
        waiting,
        ["Mineral SPF 30", "Retinol Night Serum", "Glow Toner"],
        "soonest first"
    );

    let day6 = &plan.days[6];
    let w = day6
        .waiting
        .iter()
        .find(|w| w.name == "Retinol Night Serum")
        .unwrap();
    assert_eq!(w.until, "Thursday 29 October, 13:00");
    assert_eq!(w.reason, "1 retinoid");
    let day7 = &plan.days[7];
    assert_eq!(day7.returning[0].name, "Retinol Night Serum");
    assert_eq!(day7.returning[0].at, "13:00");
    assert_eq!(
        day7.may_use,
        ["Gentle Cleanser", "Mineral SPF 30"],
        "routine order"
    );
    assert!(plan.days[8].may_use.contains(&"Retinol Night Serum".into()));
}

#[test]
fn spring_clock_change_moves_the_return_an_hour_later() {
    // New York springs forward on Sunday 8 March 2026.
    let routine = [Product {
        name: "Serum".into(),
        label: "Water, Retinol".into(),
        product_type: None,
    }];
    let options = Options {
        treated_at: Some(at("2026-03-06 20:00", "America/New_York")),
        ..Options::default()
    };
    let plan = plan::plan(
        &checker(),
        &routine,
        &options,
        &at("2026-03-06 20:00", "UTC"),
    );
    let serum = product(&plan, "Serum");
    assert_eq!(
        serum.safe_from.as_deref(),
        Some("2026-03-13T21:00:00-04:00")
    );
    assert_eq!(serum.safe_day, Some(8));
    // `now` is shown in the treatment's zone.
    assert_eq!(plan.now, "2026-03-06T15:00:00-05:00");
}

#[test]
fn a_return_at_midnight_is_usable_from_the_start_of_that_day() {
    let routine = [Product {
        name: "Gel".into(),
        label: "Water, Glycerin".into(),
        product_type: None,
    }];
    let options = Options {
        treated_at: Some(at("2026-11-26 16:00", "UTC")),
        ..Options::default()
    };
    let plan = plan::plan(
        &checker(),
        &routine,
        &options,
        &at("2026-11-26 16:00", "UTC"),
    );
    assert_eq!(plan.days.len(), 2);
    assert_eq!(plan.days[0].waiting[0].name, "Gel");
    assert_eq!(plan.days[1].may_use, ["Gel"]);
    assert!(plan.days[1].returning.is_empty());
}

#[test]
fn products_to_avoid_and_unreadable_labels_stay_out_of_the_days_but_in_the_plan() {
    let plan = london_plan(Options::default());
    let perfume = product(&plan, "Old Perfume Oil");
    assert_eq!(perfume.verdict, Verdict::Avoid);
    assert_eq!(perfume.safe_from, None);
    let failed: Vec<(&str, &str)> = plan.failed().collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, "Mystery Jar");
    assert!(failed[0].1.contains("placeholder"), "{}", failed[0].1);
    assert_eq!(plan.products.len(), 6, "nothing dropped");
    for day in &plan.days {
        let named = day
            .may_use
            .iter()
            .chain(day.returning.iter().map(|r| &r.name))
            .chain(day.waiting.iter().map(|w| &w.name));
        for name in named {
            assert!(
                name != "Old Perfume Oil" && name != "Mystery Jar",
                "day {}",
                day.day
            );
        }
    }
    assert!(plan.needs_wait());
}

#[test]
fn advice_times_come_from_the_database_and_the_clinic_overrides() {
    let db = checker();
    let db = db.db();
    let hours = |id: &str, p: Profile| {
        db.category(id)
            .and_then(|c| c.wait(p))
            .and_then(Wait::hours)
            .unwrap()
    };
    let treated = at("2026-10-22 14:00", "Europe/London");
    let when = |h: u32| {
        let z = treated
            .checked_add(jiff::Span::new().hours(i64::from(h)))
            .unwrap();
        plan::when(&z, treated.date())
    };
    let deep = london_plan(Options {
        profile: Some(Profile::Deep),
        ..Options::default()
    });
    let text = |plan: &Plan, topic: &str| {
        plan.advice
            .iter()
            .find(|a| a.topic == topic)
            .unwrap()
            .text
            .clone()
    };
    let makeup = text(&deep, "makeup");
    assert!(
        makeup.contains(&format!(
            "no makeup until {}",
            when(hours("makeup", Profile::Deep))
        )),
        "{makeup}"
    );
    assert!(makeup.contains(&format!(
        "mineral makeup from {}",
        when(hours("mineral-makeup", Profile::Deep))
    )));
    let sun = text(&deep, "sun");
    assert!(sun.contains(&format!(
        "sunscreen from {}, mineral first",
        when(hours("mineral-sunscreen", Profile::Deep))
    )));
    assert!(sun.contains(&format!(
        "chemical UV filters from {}",
        when(hours("chemical-uv-filter", Profile::Deep))
    )));
    let skin = text(&deep, "skin");
    assert!(skin.ends_with(&when(db.baseline(Profile::Deep).hours().unwrap())));

    // A clinic's own makeup window moves the advice too.
    let overridden = london_plan(Options {
        wait_overrides: HashMap::from([("makeup".to_string(), [Wait::Hours(12); 3])]),
        ..Options::default()
    });
    let makeup = text(&overridden, "makeup");
    assert!(makeup.starts_with("no makeup until Friday 23 October, 02:00"));
    assert!(
        !makeup.contains("mineral makeup"),
        "mineral makeup is not sooner: {makeup}"
    );
    for topic in ["sweat", "cleanser", "hydrate"] {
        assert!(!text(&overridden, topic).is_empty());
    }
}

#[test]
fn routine_columns_are_found_in_any_case_and_missing_ones_are_named() {
    let products =
        plan::read_routine("NAME,Brand,Inci,Type\n,Acme,\"Water, Retinol\",serum\n").unwrap();
    assert_eq!(
        products,
        [Product {
            name: "record 1".into(),
            label: "Water, Retinol".into(),
            product_type: Some("serum".into()),
        }]
    );
    let semicolons = plan::read_routine("name;ingredients\r\nGel;Water, Retinol\r\n").unwrap();
    assert_eq!(semicolons[0].label, "Water, Retinol");
    let err = plan::read_routine("name,label\nA,Water\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "the routine has no `ingredients` column; columns are `name`, `label`"
    );
}

// The command line.

fn aftercare() -> Command {
    let mut c = Command::cargo_bin("aftercare").unwrap();
    c.env_remove("NO_COLOR").env("TZ", "UTC");
    c
}

const FIXED: [&str; 6] = [
    "--treated-at",
    "2026-10-22 14:00",
    "--now",
    "2026-10-24 09:00",
    "--tz",
    "Europe/London",
];

fn run_plan(format: &str, extra: &[&str]) -> (String, i32) {
    let out = aftercare()
        .args(["plan", "-", "--color", "never", "--format", format])
        .args(FIXED)
        .args(extra)
        .write_stdin(ROUTINE)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn text_plan_reads_by_day_with_dates_and_reasons() {
    let (text, code) = run_plan("text", &[]);
    assert_eq!(code, 1);
    assert!(
        text.starts_with(
            "Plan after microneedling on Thursday 22 October 2026, 14:00 (Europe/London)\n"
        ),
        "{text}"
    );
    for line in [
        "day 1 · Thursday 22 October (treatment at 14:00)",
        "  from 22:00  Gentle Cleanser",
        "days 3-7 · Saturday 24 October to Wednesday 28 October  <- today (day 3)",
        "day 8 · Thursday 29 October",
        "  from 13:00  Retinol Night Serum",
        "  may use     Gentle Cleanser, Mineral SPF 30",
        "              Retinol Night Serum: from Thursday 29 October, 13:00 (1 retinoid)",
        "  Old Perfume Oil: 1 prohibited, 1 drying alcohol, 1 fragrance (Butylphenyl Methylpropional)",
        "  Mystery Jar: `#NAME?` is a placeholder, not an ingredient list",
        "Resume any product only once redness, peeling and flaking have settled.",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing line {line:?} in\n{text}"
        );
    }
    assert!(text.contains("  - no makeup until Saturday 24 October, 14:00;"));
    assert!(text.contains("no heavy exercise"));
    assert!(
        !text.contains("day 12 "),
        "stops when the last product returns"
    );
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn text_plan_groups_unchanged_days_and_same_time_returns() {
    let out = aftercare()
        .args(["plan", "--color", "never"])
        .args(["--product", "Serum=Water, Retinol"])
        .args(["--product", "Peel=Water, Glycolic Acid"])
        .args([
            "--treated-at",
            "2026-11-26 14:00",
            "--now",
            "2026-11-30 08:00",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "day 1 · Thursday 26 November (treatment at 14:00)",
        "days 2-7 · Friday 27 November to Wednesday 2 December  <- today (day 5)",
        "day 8 · Thursday 3 December",
        "  from 14:00  Serum, Peel",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing line {line:?} in\n{text}"
        );
    }
}

#[test]
fn json_plan_parses_back_into_the_schedule() {
    let (json, code) = run_plan("json", &[]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["treated_at"], "2026-10-22T14:00:00+01:00");
    assert_eq!(v["profile"], "standard");
    assert_eq!(v["today"], 3);
    let products = v["products"].as_array().unwrap();
    assert_eq!(products.len(), 6);
    let by_name = |n: &str| products.iter().find(|p| p["name"] == n).unwrap();
    let serum = by_name("Retinol Night Serum");
    assert_eq!(serum["verdict"], "wait");
    assert_eq!(serum["wait_hours"], 168);
    assert_eq!(serum["safe_from"], "2026-10-29T13:00:00+00:00");
    assert_eq!(serum["safe_day"], 8);
    assert_eq!(serum["findings"][0]["category"], "retinoid");
    assert_eq!(
        serum["findings"][0]["safe_from"],
        "2026-10-29T13:00:00+00:00"
    );
    let perfume = by_name("Old Perfume Oil");
    assert_eq!(perfume["verdict"], "avoid");
    assert_eq!(perfume["safe_from"], Value::Null);
    let jar = by_name("Mystery Jar");
    assert!(jar["error"].as_str().unwrap().contains("placeholder"));
    assert!(jar.get("verdict").is_none());
    let days = v["days"].as_array().unwrap();
    assert_eq!(days.len(), 11);
    assert_eq!(days[7]["returning"][0]["name"], "Retinol Night Serum");
    assert_eq!(days[7]["returning"][0]["at"], "13:00");
    let advice = v["advice"].as_array().unwrap();
    assert!(advice.iter().any(|a| a["topic"] == "sun"));
}

#[test]
fn html_plan_is_well_formed_self_contained_and_names_every_product_and_date() {
    let tricky = "Tom & Jerry's <b>Balm</b> \"SPF\"";
    let product = format!("{tricky}=Water, Glycerin");
    let (html, code) = run_plan("html", &["--product", &product]);
    assert_eq!(code, 1);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("http"), "no external references");
    for banned in ["<script", "<img", "<link", "@import", "@font-face", "src="] {
        assert!(!html.contains(banned), "{banned}");
    }
    for url in html.match_indices("url(").map(|(i, _)| &html[i..i + 5]) {
        assert_eq!(url, "url(#", "only references to the page's own patterns");
    }
    assert!(html.contains("@page { size: A4"));

    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&html, options)
        .unwrap_or_else(|e| panic!("not well-formed: {e}\n{html}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "html");
    assert!(
        !doc.descendants().any(|n| n.has_tag_name("b")),
        "the name's markup is escaped, not interpreted"
    );
    let svg = doc.descendants().find(|n| n.has_tag_name("svg")).unwrap();
    let bars = svg
        .descendants()
        .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some("product"))
        .count();
    assert_eq!(bars, 5, "one bar per product with a return time");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    let has = |s: &str| texts.iter().any(|t| t.contains(s));
    for name in [
        "Gentle Cleanser",
        "Retinol Night Serum",
        "Mineral SPF 30",
        "Glow Toner",
        "Old Perfume Oil",
        "Mystery Jar",
        tricky,
    ] {
        assert!(has(name), "product `{name}` is not named");
    }
    for date in [
        "Thursday 22 October, 22:00",
        "Friday 23 October, 14:00",
        "Thursday 29 October, 13:00",
        "Sunday 1 November, 13:00",
    ] {
        assert!(has(date), "date `{date}` is missing");
    }
    let (json, _) = run_plan("json", &[]);
    let v: Value = serde_json::from_str(&json).unwrap();
    for day in v["days"].as_array().unwrap() {
        let title = day["title"].as_str().unwrap();
        assert!(has(title), "day `{title}` is not on the axis");
    }
    // Reasons are written, not only coloured: the legend and the bars name them.
    for reason in [
        "retinoid",
        "drying alcohol",
        "mineral sunscreen",
        "baseline",
    ] {
        assert!(
            svg.descendants()
                .filter_map(|n| n.text())
                .any(|t| t == reason),
            "the chart does not name `{reason}`"
        );
    }
}

#[test]
fn products_come_from_options_and_label_files() {
    let dir = std::env::temp_dir().join(format!("aftercare-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let label = dir.join("cleanser.txt");
    std::fs::write(&label, b"Ingr\xe9dients: Water, Glycerin, Phenoxyethanol").unwrap();
    let out = aftercare()
        .args([
            "plan",
            "--format",
            "json",
            "--product",
            "Cleanser",
            "--file",
        ])
        .arg(&label)
        .args(["--product", "Gel=Water, Sodium Hyaluronate"])
        .args(FIXED)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "nothing beyond the baseline");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Cleanser", "Gel"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Windows-1252"));

    // A routine CSV from standard input, in Windows-1252.
    let out = aftercare()
        .args(["plan", "-", "--format", "json"])
        .args(FIXED)
        .write_stdin(&b"name,ingredients\nCr\xe8me,\"Water, Glycerin\"\n"[..])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["products"][0]["name"], "Crème");

    aftercare()
        .args(["plan", "--product", "Cleanser"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("product `Cleanser` has no label"));
    aftercare()
        .args(["plan", "--product", "Gel=Water", "--file"])
        .arg(&label)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("belongs to no product"));
    aftercare()
        .args(["plan"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no products"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn exit_two_only_when_no_product_could_be_checked() {
    aftercare()
        .args(["plan", "--product", "A=#NAME?", "--product", "B=No Info"])
        .args(FIXED)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "none of the 2 product(s) could be checked: `A`:",
        ));
    // One readable product: the plan is written, the other reported, exit 1.
    aftercare()
        .args([
            "plan",
            "--product",
            "A=#NAME?",
            "--product",
            "Gel=Water, Glycerin",
        ])
        .args(FIXED)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("could not be checked"))
        .stderr(predicates::str::contains("cannot check `A`"));
    aftercare()
        .args(["plan", "--product", "Serum=Water, Retinol", "--exit-zero"])
        .args(FIXED)
        .assert()
        .code(0);
    aftercare()
        .args(["plan", "--product", "Gel=Water", "--now", "soon"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`soon` is not a date-time"));
    aftercare()
        .args(["plan", "-"])
        .write_stdin("name,label\nA,Water\n")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no `ingredients` column; columns are `name`, `label`",
        ));
}

#[test]
fn treated_at_defaults_to_now() {
    let out = aftercare()
        .args([
            "plan",
            "--format",
            "json",
            "--now",
            "2026-11-26 14:00",
            "--product",
            "Gel=Water, Glycerin",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["treated_at"], "2026-11-26T14:00:00+00:00");
    assert_eq!(v["today"], 1);
    assert_eq!(v["products"][0]["safe_from"], "2026-11-26T22:00:00+00:00");
}
