//! A catalog checked against a clinic's policy: which recommendations come too early,
//! which products contain a denied category or must be avoided, which records cannot
//! be checked. This module decides; `report::ci` writes the result for people and
//! for CI systems.

use std::collections::HashMap;

use serde::Serialize;

use crate::assess::{Assessment, Checker, Finding, Options};
use crate::batch::{self, Outcome, Progress, Settings};
use crate::catalog::{Catalog, Columns};
use crate::normalize::word_key;
use crate::policy::{ClaimUnit, Exception, Level, Policy};

/// Claim columns recognised without being named in the policy.
pub const CLAIM_COLUMNS: &[&str] = &[
    "from-day",
    "from_day",
    "from day",
    "day",
    "claim",
    "safe-after-hours",
    "safe_after_hours",
    "hours",
];

/// The result for a whole catalog.
#[derive(Debug, Clone, Serialize)]
pub struct CiRun {
    pub file: String,
    pub products: Vec<ProductReport>,
    /// Exceptions of the policy that matched nothing.
    pub unused_exceptions: Vec<Exception>,
    /// Products left out because they did not change since the baseline.
    pub unchanged: u64,
    pub summary: CiSummary,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct CiSummary {
    pub products: u64,
    pub violations: u64,
    pub warnings: u64,
    pub excepted: u64,
}

/// One product of the catalog with its issues.
#[derive(Debug, Clone, Serialize)]
pub struct ProductReport {
    pub record: u64,
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The claim as written in the catalog.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// The product's wait after exceptions; `None` when it must be avoided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safe_after_hours: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<Box<Assessment>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub violations: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl ProductReport {
    /// The product as people name it: `Night Serum (A1)`.
    pub fn label(&self) -> String {
        match (&self.name, &self.id) {
            (Some(n), Some(i)) => format!("{n} ({i})"),
            (Some(n), None) => n.clone(),
            (None, Some(i)) => i.clone(),
            (None, None) => format!("record {}", self.record),
        }
    }
}

/// A violation or a warning.
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    pub kind: IssueKind,
    /// The rule: a category id, or the kind for issues that have none.
    pub rule: String,
    pub message: String,
    pub ingredients: Vec<String>,
    /// The policy exception that covers it, with its reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excepted: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssueKind {
    ClaimTooEarly,
    DeniedCategory,
    Avoid,
    UncheckedRecord,
    UnreadableClaim,
    WarnedCategory,
    UnrecognizedIngredient,
}

impl IssueKind {
    pub fn id(self) -> &'static str {
        match self {
            IssueKind::ClaimTooEarly => "claim-too-early",
            IssueKind::DeniedCategory => "denied-category",
            IssueKind::Avoid => "avoid",
            IssueKind::UncheckedRecord => "unchecked-record",
            IssueKind::UnreadableClaim => "unreadable-claim",
            IssueKind::WarnedCategory => "warned-category",
            IssueKind::UnrecognizedIngredient => "unrecognized-ingredient",
        }
    }
}

/// Products of a previous catalog: key to ingredient list, to report only changes.
pub type Baseline = HashMap<String, String>;

/// Reads a previous catalog as a baseline.
pub fn read_baseline(mut catalog: Catalog) -> Baseline {
    let mut out = HashMap::new();
    while let Some(r) = catalog.next_record() {
        let key = product_key(r.id(), r.name(), r.number);
        out.insert(key, word_key(&r.label().unwrap_or_default()));
    }
    out
}

fn product_key(id: Option<&str>, name: Option<&str>, record: u64) -> String {
    match (id, name) {
        (Some(i), _) => format!("id:{i}"),
        (None, Some(n)) => format!("name:{n}"),
        (None, None) => format!("record:{record}"),
    }
}

/// The columns the policy names, for opening the catalog.
pub fn columns(policy: &Policy) -> Columns {
    Columns {
        ingredients: policy.columns.ingredients.clone(),
        id: policy.columns.id.clone(),
        name: policy.columns.name.clone(),
        product_type: policy.columns.product_type.clone(),
        delimiter: None,
    }
}

/// Checks a catalog against a policy.
pub fn evaluate(
    catalog: Catalog,
    checker: &Checker,
    policy: &Policy,
    options: &Options,
    baseline: Option<&Baseline>,
) -> Result<CiRun, String> {
    let file = catalog.path().to_string();
    let claim_column = match &policy.columns.claim {
        Some(c) => Some(
            catalog
                .headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(c))
                .ok_or_else(|| {
                    format!(
                        "unknown claim column `{c}` in `{file}`; columns are {}",
                        crate::db::quote_list(&catalog.headers)
                    )
                })?,
        ),
        None => CLAIM_COLUMNS.iter().find_map(|c| {
            catalog
                .headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(c))
        }),
    };
    let mut used = vec![false; policy.exceptions.len()];
    let mut products = Vec::new();
    let mut unchanged = 0;
    let progress = Progress::default();
    let _ = batch::run(
        catalog,
        checker,
        options,
        &Settings::default(),
        &progress,
        &Box::new,
        |output: batch::Output<Box<Assessment>>| {
            let record = &output.record;
            let claim = claim_column
                .and_then(|i| record.field(i))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            if let Some(b) = baseline {
                let key = product_key(record.id(), record.name(), record.number);
                let now = word_key(&record.label().unwrap_or_default());
                if b.get(&key) == Some(&now) {
                    unchanged += 1;
                    // Left out of the report, but its exceptions still match: judged
                    // only to mark them used, or every exception for an unchanged
                    // product would be reported as matching nothing.
                    let _ = judge(output, claim, checker, policy, options, &mut used);
                    return Ok::<bool, std::convert::Infallible>(true);
                }
            }
            products.push(judge(output, claim, checker, policy, options, &mut used));
            Ok(true)
        },
    );
    let unused_exceptions = policy
        .exceptions
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(e, _)| e.clone())
        .collect();
    let mut summary = CiSummary {
        products: products.len() as u64,
        ..CiSummary::default()
    };
    for p in &products {
        for i in p.violations.iter().chain(&p.warnings) {
            if i.excepted.is_some() {
                summary.excepted += 1;
            }
        }
        summary.violations += p.violations.iter().filter(|i| i.excepted.is_none()).count() as u64;
        summary.warnings += p.warnings.iter().filter(|i| i.excepted.is_none()).count() as u64;
    }
    Ok(CiRun {
        file,
        products,
        unused_exceptions,
        unchanged,
        summary,
    })
}

/// The issues of one product.
fn judge(
    output: batch::Output<Box<Assessment>>,
    claim: Option<String>,
    checker: &Checker,
    policy: &Policy,
    options: &Options,
    used: &mut [bool],
) -> ProductReport {
    let record = output.record;
    let mut report = ProductReport {
        record: record.number,
        line: record.line,
        id: record.id().map(str::to_string),
        name: record.name().map(str::to_string),
        claim: claim.clone(),
        safe_after_hours: None,
        assessment: None,
        error: None,
        violations: Vec::new(),
        warnings: Vec::new(),
    };
    let keys: Vec<&str> = [record.id(), record.name()].into_iter().flatten().collect();
    // Which exceptions apply to this product, and to which findings.
    let applies = |e: &Exception| keys.iter().any(|k| *k == e.product);
    let covers = |e: &Exception, f: Option<&Finding>| -> bool {
        if !applies(e) {
            return false;
        }
        match f {
            None => e.ingredient.is_none() && e.category.is_none(),
            Some(f) => {
                let ingredient_ok = e.ingredient.as_ref().is_none_or(|i| {
                    word_key(i) == word_key(&f.name) || word_key(i) == word_key(&f.ingredient)
                });
                let category_ok = e.category.as_ref().is_none_or(|c| *c == f.category);
                ingredient_ok && category_ok
            }
        }
    };
    let except = |f: Option<&Finding>, used: &mut [bool]| -> Option<String> {
        let hit = policy
            .exceptions
            .iter()
            .position(|e| covers(e, f) || covers(e, None))?;
        used[hit] = true;
        Some(policy.exceptions[hit].reason.clone())
    };
    let assessment = match output.outcome {
        Outcome::Failed(e) => {
            report.violations.push(Issue {
                kind: IssueKind::UncheckedRecord,
                rule: IssueKind::UncheckedRecord.id().into(),
                message: format!("the record cannot be checked: {e}"),
                ingredients: Vec::new(),
                excepted: except(None, used),
            });
            report.error = Some(e);
            return report;
        }
        Outcome::Checked { value: a, .. } => a,
    };
    let profile = checker.profile(options);
    let baseline = checker.db().baseline(profile).hours().unwrap_or(0);
    let mut wait = Some(baseline);
    let mut active: Vec<&Finding> = Vec::new();
    let mut excepted_findings: Vec<(&Finding, String)> = Vec::new();
    for f in &assessment.findings {
        match except(Some(f), used) {
            Some(reason) => excepted_findings.push((f, reason)),
            None => {
                active.push(f);
                wait = match (wait, f.wait_hours) {
                    (Some(w), Some(h)) => Some(w.max(h)),
                    _ => None,
                };
            }
        }
    }
    report.safe_after_hours = wait;
    let describe = |fs: &[&Finding]| -> Vec<String> {
        fs.iter()
            .map(|f| {
                if f.ingredient.is_empty() {
                    format!("{} (product type)", f.name)
                } else {
                    format!("{} ({})", f.ingredient, f.category)
                }
            })
            .collect()
    };
    if wait.is_none() {
        let avoid: Vec<&Finding> = active
            .iter()
            .copied()
            .filter(|f| f.wait_hours.is_none())
            .collect();
        report.violations.push(Issue {
            kind: IssueKind::Avoid,
            rule: avoid
                .first()
                .map_or("avoid".into(), |f| f.category.to_string()),
            message: format!(
                "must be avoided after treatment: {}",
                describe(&avoid).join(", ")
            ),
            ingredients: describe(&avoid),
            excepted: None,
        });
    }
    // The claim, in hours after the treatment.
    let claimed = match &claim {
        None => None,
        Some(c) => match parse_claim(c, policy.claim_unit) {
            Some(h) => Some(h),
            None => {
                report.violations.push(Issue {
                    kind: IssueKind::UnreadableClaim,
                    rule: IssueKind::UnreadableClaim.id().into(),
                    message: format!(
                        "claim `{c}` cannot be read; write {}",
                        match policy.claim_unit {
                            ClaimUnit::Day =>
                                "a day number such as `3` (day 1 is the day of the treatment)",
                            ClaimUnit::Hours => "a number of hours such as `72`",
                        }
                    ),
                    ingredients: Vec::new(),
                    excepted: except(None, used),
                });
                None
            }
        },
    };
    if let (Some(claimed), Some(w)) = (claimed, wait) {
        let met = match policy.claim_unit {
            // Met when the wait ends on or before the claimed day.
            ClaimUnit::Day => claimed / 24 >= w / 24,
            ClaimUnit::Hours => claimed >= w,
        };
        if !met {
            let late: Vec<&Finding> = active
                .iter()
                .copied()
                .filter(|f| f.wait_hours.is_some_and(|h| h > claimed))
                .collect();
            report.violations.push(Issue {
                kind: IssueKind::ClaimTooEarly,
                rule: late
                    .first()
                    .map_or("baseline".into(), |f| f.category.to_string()),
                message: format!(
                    "recommended from {}, but safe only from day {} ({} h): {}",
                    claim_words(claimed, policy.claim_unit),
                    w / 24 + 1,
                    w,
                    describe(&late).join(", ")
                ),
                ingredients: describe(&late),
                excepted: None,
            });
        }
    }
    // Levels, per category.
    let mut by_category: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in &active {
        match by_category.iter_mut().find(|(c, _)| *c == f.category) {
            Some((_, v)) => v.push(f),
            None => by_category.push((&f.category, vec![f])),
        }
    }
    for (category, findings) in by_category {
        let rule = policy.levels.get(category).copied();
        let level = rule.map_or(policy.default_level, |r| r.level);
        let applies = match rule.and_then(|r| r.before_day) {
            None => true,
            Some(day) => claimed.is_some_and(|h| h / 24 + 1 < day),
        };
        if !applies || level == Level::Allow {
            continue;
        }
        let condition = rule
            .and_then(|r| r.before_day)
            .map(|d| format!(" before day {d}"))
            .unwrap_or_default();
        let issue = Issue {
            kind: if level == Level::Deny {
                IssueKind::DeniedCategory
            } else {
                IssueKind::WarnedCategory
            },
            rule: category.to_string(),
            message: format!(
                "contains {} ({} by policy{condition}): {}",
                category,
                if level == Level::Deny {
                    "denied"
                } else {
                    "warned"
                },
                describe(&findings).join(", ")
            ),
            ingredients: describe(&findings),
            excepted: None,
        };
        if level == Level::Deny {
            report.violations.push(issue);
        } else {
            report.warnings.push(issue);
        }
    }
    if claim.is_some() {
        review_issues(&mut report, &assessment, policy, &mut |name| {
            let hit = policy.exceptions.iter().position(|e| {
                applies(e)
                    && e.ingredient
                        .as_ref()
                        .is_some_and(|i| word_key(i) == word_key(name))
            })?;
            used[hit] = true;
            Some(policy.exceptions[hit].reason.clone())
        });
    }
    for (f, reason) in excepted_findings {
        report.warnings.push(Issue {
            kind: IssueKind::WarnedCategory,
            rule: f.category.to_string(),
            message: format!("{} ({}) accepted by an exception", f.ingredient, f.category),
            ingredients: vec![f.ingredient.clone()],
            excepted: Some(reason),
        });
    }
    report.assessment = Some(assessment);
    report
}

/// A recommended product that is `review`: each name not recognised and each
/// medicine is a violation (or a warning, by policy) unless an exception names it.
fn review_issues(
    report: &mut ProductReport,
    a: &Assessment,
    policy: &Policy,
    except: &mut dyn FnMut(&str) -> Option<String>,
) {
    let unknown = a
        .unrecognized()
        .map(|i| (i.text.clone(), "not in the database"));
    let medicines = a
        .notes
        .iter()
        .filter(|n| n.category == "medicine")
        .map(|n| (n.ingredient.clone(), "a medicine: follow the prescriber"));
    let mut open: Vec<String> = Vec::new();
    for (name, why) in unknown.chain(medicines) {
        match except(&name) {
            Some(reason) => report.warnings.push(Issue {
                kind: IssueKind::UnrecognizedIngredient,
                rule: IssueKind::UnrecognizedIngredient.id().into(),
                message: format!("{name} ({why}) accepted by an exception"),
                ingredients: vec![name],
                excepted: Some(reason),
            }),
            None => open.push(format!("{name} ({why})")),
        }
    }
    if open.is_empty() {
        return;
    }
    let issue = Issue {
        kind: IssueKind::UnrecognizedIngredient,
        rule: IssueKind::UnrecognizedIngredient.id().into(),
        message: format!(
            "recommended, but its safety cannot be confirmed (review): {}",
            open.join(", ")
        ),
        ingredients: open,
        excepted: None,
    };
    if policy.unrecognized == Level::Deny {
        report.violations.push(issue);
    } else {
        report.warnings.push(issue);
    }
}

/// A claim in hours after the treatment: `3`, `day 3`, `from day 3`, `72 h`.
pub fn parse_claim(text: &str, unit: ClaimUnit) -> Option<u32> {
    const WORDS: &[&str] = &[
        "from", "day", "days", "d", "h", "hr", "hrs", "hour", "hours", "after",
    ];
    let lower = text.to_ascii_lowercase();
    let mut number: Option<u32> = None;
    let mut chars = lower.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut digits = String::new();
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                digits.push(d);
            }
            if number.is_some() {
                return None;
            }
            number = Some(digits.parse().ok()?);
        } else if c.is_ascii_alphabetic() {
            let mut word = String::new();
            while let Some(l) = chars.next_if(char::is_ascii_alphabetic) {
                word.push(l);
            }
            if !WORDS.contains(&word.as_str()) {
                return None;
            }
        } else if c.is_whitespace() || matches!(c, ':' | '.' | '-') {
            chars.next();
        } else {
            return None;
        }
    }
    match (unit, number?) {
        (ClaimUnit::Day, 0) => None,
        (ClaimUnit::Day, n) => Some((n - 1) * 24),
        (ClaimUnit::Hours, n) => Some(n),
    }
}

fn claim_words(hours: u32, unit: ClaimUnit) -> String {
    match unit {
        ClaimUnit::Day => format!("day {}", hours / 24 + 1),
        ClaimUnit::Hours => format!("{hours} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_read_as_days_or_hours() {
        assert_eq!(parse_claim("1", ClaimUnit::Day), Some(0));
        assert_eq!(parse_claim("day 3", ClaimUnit::Day), Some(48));
        assert_eq!(parse_claim("from day 8", ClaimUnit::Day), Some(168));
        assert_eq!(parse_claim("72", ClaimUnit::Hours), Some(72));
        assert_eq!(parse_claim("72 h", ClaimUnit::Hours), Some(72));
        assert_eq!(parse_claim("soon", ClaimUnit::Day), None);
        assert_eq!(parse_claim("0", ClaimUnit::Day), None);
        assert_eq!(parse_claim("3 weeks", ClaimUnit::Day), None);
    }
}
