//! A reintroduction plan: every product of a routine checked against one treatment time
//! and laid out by calendar day in the treatment's time zone, with the advice of the
//! first day.
//!
//! This module owns the schedule (which product returns on which day and why) and the
//! reading of a routine CSV from text. It leaves checking labels to [`crate::assess`],
//! every wait to the database (the baseline and the product-type windows included), and
//! writing text, JSON or HTML to [`crate::report::plan`]. It never reads files or prints.

use jiff::{Span, ZonedDateTime, civil::Date};
use serde::Serialize;

use crate::assess::{self, CONDITION, Checker, Finding, Options, Verdict};
use crate::db::{Profile, Wait};

/// One product of a routine, as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub name: String,
    /// The ingredient list as pasted or read from a file.
    pub label: String,
    /// An explicit product type (a routine's `type` column); when absent the options'
    /// type applies, then the words of the name.
    pub product_type: Option<String>,
}

/// The whole schedule, from the treatment to the day the last product returns.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// When the treatment ended (RFC 3339).
    pub treated_at: String,
    /// The same in words: `Thursday 26 November 2026, 14:00`.
    pub treated_at_text: String,
    /// The time the plan was made for (RFC 3339), in the treatment's time zone.
    pub now: String,
    /// The same in words.
    pub now_text: String,
    /// The calendar day of `now`, the treatment day being day 1; 0 or negative
    /// before the treatment.
    pub today: i64,
    /// The time zone whose calendar days the plan counts.
    pub time_zone: String,
    pub profile: Profile,
    pub baseline_hours: u32,
    /// Every product in routine order, including those to avoid and those that could
    /// not be checked.
    pub products: Vec<Planned>,
    /// Day 0 (the treatment day) to the day the last product returns.
    pub days: Vec<Day>,
    /// What to do and not do in the first hours, with the times the database gives.
    pub advice: Vec<Advice>,
    pub condition: &'static str,
    /// Hours from the treatment to `now`; for charts.
    #[serde(skip)]
    pub now_hours: f64,
}

/// One product's place in the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    pub name: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// A checked product, or why it could not be checked.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    Checked(Box<Checked>),
    Failed { error: String },
}

/// A product the checker could read.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub verdict: Verdict,
    pub product_type: String,
    /// The wait in hours; `None` when the product must be avoided.
    pub wait_hours: Option<u32>,
    /// `wait 7 days (from day 8)`.
    pub wait_text: String,
    /// From when the product is safe (RFC 3339); `None` when it must be avoided.
    pub safe_from: Option<String>,
    /// The same in words: `Saturday 28 November, 14:00`.
    pub safe_from_text: Option<String>,
    /// The calendar day it returns on, counted from the treatment day.
    pub safe_day: Option<i64>,
    /// Why it waits: `1 retinoid, 1 fragrance`, or `baseline`.
    pub reason: String,
    /// The category of the longest wait (`baseline` when nothing delays it beyond it);
    /// charts colour a product by it.
    pub reason_category: String,
    pub findings: Vec<Finding>,
    /// Ingredients the database does not know; never treated as safe.
    pub unrecognized: Vec<String>,
    /// Hours from the treatment to `safe_from`; for charts.
    #[serde(skip)]
    pub hours: Option<f64>,
}

/// One calendar day of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Day {
    /// Days since the treatment day (0).
    pub day: i64,
    /// `2026-11-26`.
    pub date: String,
    /// `Thursday 26 November`.
    pub title: String,
    /// Products safe from the start of the day.
    pub may_use: Vec<String>,
    /// Products that become safe during the day.
    pub returning: Vec<Return>,
    /// Products not yet safe at the end of the day, soonest first.
    pub waiting: Vec<Waiting>,
    /// Hours from the treatment to the start of the day (negative for day 1); for charts.
    #[serde(skip)]
    pub start_hours: f64,
    /// Hours from the treatment to the start of the next day; for charts.
    #[serde(skip)]
    pub end_hours: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Return {
    pub name: String,
    /// The local time it becomes safe: `14:00`.
    pub at: String,
    pub safe_from: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    pub name: String,
    /// `Saturday 28 November, 14:00`.
    pub until: String,
    pub safe_day: i64,
    pub reason: String,
}

/// One piece of advice for the first hours.
#[derive(Debug, Clone, Serialize)]
pub struct Advice {
    /// `skin`, `makeup`, `sun`, `sweat`, `cleanser` or `hydrate`.
    pub topic: &'static str,
    pub text: String,
    /// From when the thing advised against returns (RFC 3339), when the database says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// Why a routine CSV could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutineError {
    #[error("cannot read the routine CSV: {0}")]
    Csv(String),
    #[error("the routine has no `{wanted}` column; columns are {columns}")]
    MissingColumn {
        wanted: &'static str,
        columns: String,
    },
}

impl Plan {
    /// The products that were checked, with their names.
    pub fn checked(&self) -> impl Iterator<Item = (&str, &Checked)> {
        self.products.iter().filter_map(|p| match &p.outcome {
            Outcome::Checked(c) => Some((p.name.as_str(), c.as_ref())),
            Outcome::Failed { .. } => None,
        })
    }

    /// The products that could not be checked, with their errors.
    pub fn failed(&self) -> impl Iterator<Item = (&str, &str)> {
        self.products.iter().filter_map(|p| match &p.outcome {
            Outcome::Failed { error } => Some((p.name.as_str(), error.as_str())),
            Outcome::Checked(_) => None,
        })
    }

    /// True when some product waits beyond the baseline, must be avoided, or could not
    /// be checked: the plan is not simply "everything from tonight".
    pub fn needs_wait(&self) -> bool {
        self.products.iter().any(|p| match &p.outcome {
            Outcome::Checked(c) => c.verdict.needs_attention(),
            Outcome::Failed { .. } => true,
        })
    }
}

/// Checks every product at the options' treatment time (or `now` when none is given)
/// and lays the results out by calendar day in the treatment's time zone.
///
/// Waits are absolute hours after the treatment, as `check` counts them, so across a
/// daylight-saving change a product returns at a different clock time than the
/// treatment's. `now` only marks today and is the default treatment time.
pub fn plan(
    checker: &Checker,
    routine: &[Product],
    options: &Options,
    now: &ZonedDateTime,
) -> Plan {
    let treated = options.treated_at.clone().unwrap_or_else(|| now.clone());
    let tz = treated.time_zone().clone();
    let now = now.with_time_zone(tz.clone());
    let profile = checker.profile(options);
    let day0 = treated.date();
    let db = checker.db();

    let mut products = Vec::with_capacity(routine.len());
    // (routine index, safe instant) of the products with a return time.
    let mut returns: Vec<(usize, ZonedDateTime)> = Vec::new();
    for (i, product) in routine.iter().enumerate() {
        let mut opts = options.clone();
        opts.name = Some(product.name.clone());
        if product.product_type.is_some() {
            opts.product_type = product.product_type.clone();
        }
        opts.treated_at = Some(treated.clone());
        let outcome = match check(checker, product, &opts, &treated) {
            Ok((checked, safe)) => {
                if let Some(z) = safe {
                    returns.push((i, z));
                }
                Outcome::Checked(Box::new(checked))
            }
            Err(error) => Outcome::Failed { error },
        };
        products.push(Planned {
            name: product.name.clone(),
            outcome,
        });
    }
    returns.sort_by(|a, b| a.1.timestamp().cmp(&b.1.timestamp()).then(a.0.cmp(&b.0)));

    let last = returns
        .iter()
        .map(|(_, z)| day_number(day0, z.date()))
        .max()
        .unwrap_or(1)
        .max(1);
    // Routine order for what may be used; soonest first for what is waiting.
    let mut in_order = returns.clone();
    in_order.sort_by_key(|(i, _)| *i);
    let mut days = Vec::new();
    for d in 1..=last {
        let Some(date) = day0.checked_add(Span::new().days(d - 1)).ok() else {
            break;
        };
        let start = date.to_zoned_datetime(tz.clone()).ok();
        let end = date
            .tomorrow()
            .ok()
            .and_then(|t| t.to_zoned_datetime(tz.clone()).ok());
        let mut day = Day {
            day: d,
            date: date.strftime("%Y-%m-%d").to_string(),
            title: day_title(date, day0),
            may_use: Vec::new(),
            returning: Vec::new(),
            waiting: Vec::new(),
            start_hours: start.as_ref().map_or(0.0, |s| hours_between(&treated, s)),
            end_hours: end.as_ref().map_or(24.0, |e| hours_between(&treated, e)),
        };
        for (i, safe) in &in_order {
            let name = &routine[*i].name;
            let safe_day = day_number(day0, safe.date());
            if safe_day < d || (safe_day == d && start.as_ref().is_some_and(|s| safe <= s)) {
                day.may_use.push(name.clone());
            } else if safe_day == d {
                day.returning.push(Return {
                    name: name.clone(),
                    at: safe.strftime("%H:%M").to_string(),
                    safe_from: assess::format_time(safe),
                });
            }
        }
        for (i, safe) in &returns {
            let safe_day = day_number(day0, safe.date());
            if safe_day > d {
                let reason = match &products[*i].outcome {
                    Outcome::Checked(c) => c.reason.clone(),
                    Outcome::Failed { .. } => String::new(),
                };
                day.waiting.push(Waiting {
                    name: routine[*i].name.clone(),
                    until: when(safe, day0),
                    safe_day,
                    reason,
                });
            }
        }
        days.push(day);
    }

    Plan {
        treated_at: assess::format_time(&treated),
        treated_at_text: format!(
            "{}, {}",
            treated.strftime("%A %-d %B %Y"),
            treated.strftime("%H:%M")
        ),
        now: assess::format_time(&now),
        now_text: when(&now, day0),
        today: day_number(day0, now.date()),
        time_zone: zone_name(&treated),
        profile,
        baseline_hours: db.baseline(profile).hours().unwrap_or(0),
        advice: advice(checker, options, profile, &treated),
        products,
        days,
        condition: CONDITION,
        now_hours: hours_between(&treated, &now),
    }
}

/// Reads a routine CSV (already decoded to text): the columns `name`, `ingredients`
/// (or `ingredient`, `inci`) and optionally `type`, found in any case. A record with an
/// empty name is named after its record number. Fields are separated as a batch's
/// catalog's are: by the comma, semicolon or tab the header row holds most of.
pub fn read_routine(text: &str) -> Result<Vec<Product>, RoutineError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(crate::catalog::sniff_delimiter(text.as_bytes()))
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| RoutineError::Csv(e.to_string()))?
        .clone();
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let columns = || {
        headers
            .iter()
            .map(|h| format!("`{h}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let name_col = find(&["name"]).ok_or_else(|| RoutineError::MissingColumn {
        wanted: "name",
        columns: columns(),
    })?;
    let label_col = find(&["ingredients", "ingredient", "inci"]).ok_or_else(|| {
        RoutineError::MissingColumn {
            wanted: "ingredients",
            columns: columns(),
        }
    })?;
    let type_col = find(&["type"]);
    let mut products = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| RoutineError::Csv(e.to_string()))?;
        let cell = |c: usize| record.get(c).unwrap_or("").trim().to_string();
        let name = match cell(name_col) {
            s if s.is_empty() => format!("record {}", n + 1),
            s => s,
        };
        products.push(Product {
            name,
            label: cell(label_col),
            product_type: type_col.map(cell).filter(|t| !t.is_empty()),
        });
    }
    Ok(products)
}

/// `Saturday 28 November, 14:00`, with the year when it is not the treatment's.
pub fn when(z: &ZonedDateTime, day0: Date) -> String {
    format!("{}, {}", day_title(z.date(), day0), z.strftime("%H:%M"))
}

/// Checks one product and places it: its outcome and the instant it is safe from.
fn check(
    checker: &Checker,
    product: &Product,
    options: &Options,
    treated: &ZonedDateTime,
) -> Result<(Checked, Option<ZonedDateTime>), String> {
    let a = checker
        .check(&product.label, options)
        .map_err(|e| e.to_string())?;
    let safe = match a.wait_hours {
        None => None,
        Some(h) => Some(
            after(treated, h)
                .ok_or_else(|| format!("{h} hours after the treatment is beyond the calendar"))?,
        ),
    };
    let day0 = treated.date();
    let (reason, reason_category) = match (a.verdict, a.findings.first()) {
        (Verdict::Ok, _) | (_, None) => ("baseline".to_string(), "baseline".to_string()),
        (_, Some(f)) => (assess::summarize(&a, checker.db()), f.category.to_string()),
    };
    let unrecognized = a.unrecognized().map(|i| i.text.clone()).collect();
    let checked = Checked {
        verdict: a.verdict,
        product_type: a.product_type,
        wait_hours: a.wait_hours,
        wait_text: a.wait_text,
        safe_from: safe.as_ref().map(assess::format_time),
        safe_from_text: safe.as_ref().map(|z| when(z, day0)),
        safe_day: safe.as_ref().map(|z| day_number(day0, z.date())),
        hours: safe.as_ref().map(|z| hours_between(treated, z)),
        reason,
        reason_category,
        unrecognized,
        findings: a.findings,
    };
    Ok((checked, safe))
}

/// The advice of the first hours. The prose is fixed; every time in it comes from the
/// database: the baseline, the makeup and mineral-makeup windows, the mineral-sunscreen
/// window and the chemical UV filter wait.
fn advice(
    checker: &Checker,
    options: &Options,
    profile: Profile,
    treated: &ZonedDateTime,
) -> Vec<Advice> {
    let day0 = treated.date();
    let at = |category: &str| -> Option<ZonedDateTime> {
        let hours = match category {
            "baseline" => checker.db().baseline(profile).hours(),
            _ => checker
                .wait(category, profile, options)
                .and_then(Wait::hours),
        }?;
        after(treated, hours)
    };
    let stamp = |z: &Option<ZonedDateTime>| z.as_ref().map(assess::format_time);
    let mut out = Vec::new();

    let gel = at("baseline");
    out.push(Advice {
        topic: "skin",
        text: match &gel {
            Some(z) => format!(
                "nothing on the skin but the clinic's sterile hyaluronic gel until {}",
                when(z, day0)
            ),
            None => "nothing on the skin but the clinic's sterile hyaluronic gel".into(),
        },
        from: stamp(&gel),
    });

    let makeup = at("makeup");
    let mineral_makeup = at("mineral-makeup");
    let mut text = match &makeup {
        Some(z) => format!("no makeup until {}", when(z, day0)),
        None => "no makeup until the skin has settled".into(),
    };
    if let Some(m) = &mineral_makeup
        && makeup.as_ref().is_none_or(|z| m < z)
    {
        text.push_str(&format!("; mineral makeup from {}", when(m, day0)));
    }
    out.push(Advice {
        topic: "makeup",
        text,
        from: stamp(&mineral_makeup.or(makeup)),
    });

    let mineral = at("mineral-sunscreen");
    let chemical = at("chemical-uv-filter");
    let mut text = String::from("no direct sun");
    if let Some(m) = &mineral {
        text.push_str(&format!(
            "; sunscreen from {}, mineral first (zinc oxide, titanium dioxide)",
            when(m, day0)
        ));
    }
    if let Some(c) = &chemical {
        text.push_str(&format!(
            "; sunscreens with chemical UV filters from {}",
            when(c, day0)
        ));
    }
    out.push(Advice {
        topic: "sun",
        text,
        from: stamp(&mineral),
    });

    for (topic, text) in [
        (
            "sweat",
            "no heavy exercise, sauna, steam or swimming for the first 24 hours: nothing that makes you sweat",
        ),
        (
            "cleanser",
            "wash with a gentle, soap-free cleanser and lukewarm water; pat dry, do not rub or scrub",
        ),
        (
            "hydrate",
            "keep the skin hydrated (the hyaluronic gel, then a plain moisturiser) and drink water",
        ),
    ] {
        out.push(Advice {
            topic,
            text: text.into(),
            from: None,
        });
    }
    out
}

fn after(t: &ZonedDateTime, hours: u32) -> Option<ZonedDateTime> {
    t.checked_add(Span::new().hours(i64::from(hours))).ok()
}

/// The day number of a date: the treatment's day is day 1 (protocol section 2).
fn day_number(day0: Date, date: Date) -> i64 {
    i64::from((date - day0).get_days()) + 1
}

fn hours_between(from: &ZonedDateTime, to: &ZonedDateTime) -> f64 {
    from.duration_until(to).as_secs_f64() / 3600.0
}

/// `Thursday 26 November`, with the year when it is not the treatment's.
fn day_title(date: Date, day0: Date) -> String {
    if date.year() == day0.year() {
        date.strftime("%A %-d %B").to_string()
    } else {
        date.strftime("%A %-d %B %Y").to_string()
    }
}

/// The IANA name of the zone, or its offset at the treatment for a fixed zone.
fn zone_name(z: &ZonedDateTime) -> String {
    match z.time_zone().iana_name() {
        Some(name) => name.to_string(),
        None => z.strftime("UTC%:z").to_string(),
    }
}
