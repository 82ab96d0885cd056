//! A clinic's policy file (`aftercare.toml`): its profile, columns, claim unit, its own
//! waits, a level per category and its exceptions. This module parses and checks the
//! file, reporting every problem with its line and column at once; applying the
//! policy to a catalog is `ci`'s job.

use std::collections::BTreeMap;
use std::path::PathBuf;

use toml_edit::{Item, TableLike};

use crate::db::{CategoryKind, Database, Profile, Wait, quote_list};

/// How a category is treated in recommended products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

/// A level, perhaps only for products recommended before a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LevelRule {
    pub level: Level,
    /// Applies only to products whose claim is earlier than this day.
    pub before_day: Option<u32>,
}

/// The unit of the claim column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimUnit {
    /// "from day N": day 1 is the day of the treatment.
    Day,
    /// "safe after N hours".
    Hours,
}

/// An accepted deviation, with the clinic's reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Exception {
    pub product: String,
    pub ingredient: Option<String>,
    pub category: Option<String>,
    pub reason: String,
    pub line: u64,
}

/// Columns of the catalog, by name; `None` means "find by name".
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PolicyColumns {
    pub ingredients: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub product_type: Option<String>,
    pub claim: Option<String>,
}

/// A checked policy.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Policy {
    pub profile: Option<Profile>,
    pub depth: Option<f64>,
    pub overlay: Option<PathBuf>,
    pub columns: PolicyColumns,
    pub claim_unit: ClaimUnit,
    #[serde(skip)]
    pub waits: BTreeMap<String, [Wait; 3]>,
    pub levels: BTreeMap<String, LevelRule>,
    pub default_level: Level,
    /// What a recommended `review` product is: a violation (`deny`, the default) or a
    /// warning.
    pub unrecognized: Level,
    pub exceptions: Vec<Exception>,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            profile: None,
            depth: None,
            overlay: None,
            columns: PolicyColumns::default(),
            claim_unit: ClaimUnit::Day,
            waits: BTreeMap::new(),
            levels: BTreeMap::new(),
            default_level: Level::Allow,
            unrecognized: Level::Deny,
            exceptions: Vec::new(),
        }
    }
}

/// One problem in a policy file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Every problem found in a policy file.
#[derive(Debug, thiserror::Error)]
#[error("{} problem(s) in `{file}`:\n{}", problems.len(), problems.iter().map(|p| format!("  {file}:{}:{}: {}", p.line, p.column, p.message)).collect::<Vec<_>>().join("\n"))]
pub struct PolicyError {
    pub file: String,
    pub problems: Vec<PolicyProblem>,
}

const TOP_KEYS: &[&str] = &[
    "profile",
    "depth",
    "overlay",
    "unrecognized",
    "columns",
    "waits",
    "levels",
    "exceptions",
];
const COLUMN_KEYS: &[&str] = &["ingredients", "id", "name", "type", "claim", "claim-unit"];
const WAIT_KEYS: &[&str] = &["light", "standard", "deep"];
const LEVEL_KEYS: &[&str] = &["level", "before-day"];
const EXCEPTION_KEYS: &[&str] = &["product", "ingredient", "category", "reason"];

/// The commented template `aftercare init` writes.
pub const TEMPLATE: &str = r#"# aftercare policy: how `aftercare ci` checks this clinic's catalog.
# Every key is optional; the values shown are the defaults unless marked "example".

# The protocol profile: "light" (under 0.5 mm), "standard" (0.5 to 1.5 mm), "deep".
# Or give the needle depth in millimetres instead: depth = 1.0
profile = "standard"

# An overlay CSV in the format of the database (name,aliases,category,flags,reason,source)
# adding or overriding ingredients. Relative to this file.
# overlay = "clinic-ingredients.csv"

# A recommended product that is `review` (a name the database does not recognise, or a
# medicine's active): "deny" makes it a violation, "warn" a warning. An exception
# naming the ingredient accepts it.
unrecognized = "deny"

[columns]
# Column names in the catalog; by default found by name, in any case.
# ingredients = "ingredients"
# id = "sku"
# name = "name"
# type = "type"
# The claim: from when the clinic recommends the product after a treatment.
# Default: a column named from-day, from_day, day, claim, safe-after-hours or hours.
# claim = "from-day"
# "day": day 1 is the day of the treatment; "hours": hours after the treatment ended.
claim-unit = "day"

[waits]
# The clinic's own waits for a category, in hours, per profile (example):
# retinoid = { light = 168, standard = 336, deep = 336 }

[levels]
# allow, warn or deny a category in recommended products; "default" covers the rest.
# A level may apply only to products recommended before a day (example):
# fragrance = { level = "deny", before-day = 7 }
# essential-oil = "warn"
default = "allow"

# Accepted deviations, each with a reason. An exception that matches nothing is
# reported as a warning (example):
# [[exceptions]]
# product = "SKU-1042"
# ingredient = "Citric Acid"
# reason = "buffered at pH 5.5; verified with the manufacturer"
"#;

impl Policy {
    /// Parses and checks a policy file's text against the database's categories.
    pub fn parse(text: &str, file: &str, db: &Database) -> Result<Policy, PolicyError> {
        let mut p = Parser {
            text,
            newlines: memchr::memchr_iter(b'\n', text.as_bytes()).collect(),
            problems: Vec::new(),
            db,
        };
        let policy = p.policy();
        if p.problems.is_empty() {
            Ok(policy)
        } else {
            p.problems.sort_by_key(|x| (x.line, x.column));
            Err(PolicyError {
                file: file.to_string(),
                problems: p.problems,
            })
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    /// Where each line ends: a position's line is found by binary search, so a policy
    /// of many thousand entries is read in linear time.
    newlines: Vec<usize>,
    problems: Vec<PolicyProblem>,
    db: &'a Database,
}

impl Parser<'_> {
    fn at(&mut self, span: Option<std::ops::Range<usize>>, message: String) {
        let offset = span.map_or(0, |s| s.start).min(self.text.len());
        let line = self.newlines.partition_point(|&n| n < offset) + 1;
        let line_start = if line == 1 {
            0
        } else {
            self.newlines[line - 2] + 1
        };
        let column = self.text[line_start..offset].chars().count() + 1;
        self.problems.push(PolicyProblem {
            line,
            column,
            message,
        });
    }

    fn line_of(&self, span: Option<std::ops::Range<usize>>) -> u64 {
        let offset = span.map_or(0, |s| s.start).min(self.text.len());
        self.newlines.partition_point(|&n| n < offset) as u64 + 1
    }

    fn policy(&mut self) -> Policy {
        let mut policy = Policy::default();
        let doc = match toml_edit::Document::parse(self.text.to_string()) {
            Ok(d) => d,
            Err(e) => {
                let message = e.message().to_string();
                self.at(e.span(), format!("invalid TOML: {message}"));
                return policy;
            }
        };
        let root = doc.as_table();
        self.unknown_keys(root, TOP_KEYS, "");
        if let Some(item) = root.get("profile") {
            match item.as_str().map(str::parse::<Profile>) {
                Some(Ok(p)) => policy.profile = Some(p),
                Some(Err(e)) => self.at(item.span(), e),
                None => self.at(
                    item.span(),
                    "`profile` must be a string: `light`, `standard` or `deep`".into(),
                ),
            }
        }
        if let Some(item) = root.get("depth") {
            match item
                .as_float()
                .or_else(|| item.as_integer().map(|i| i as f64))
            {
                Some(d) if (0.0..=10.0).contains(&d) => policy.depth = Some(d),
                _ => self.at(
                    item.span(),
                    "`depth` must be a needle depth in millimetres, such as 0.5".into(),
                ),
            }
            if policy.profile.is_some() {
                self.at(item.span(), "give `profile` or `depth`, not both".into());
            }
        }
        if let Some(item) = root.get("overlay") {
            match item.as_str() {
                Some(s) => policy.overlay = Some(PathBuf::from(s)),
                None => self.at(item.span(), "`overlay` must be a path string".into()),
            }
        }
        if let Some(item) = root.get("unrecognized") {
            match item.as_str() {
                Some("deny") => policy.unrecognized = Level::Deny,
                Some("warn") => policy.unrecognized = Level::Warn,
                _ => self.at(
                    item.span(),
                    "`unrecognized` must be `deny` or `warn`".into(),
                ),
            }
        }
        if let Some(t) = self.table(root.get("columns"), "columns") {
            self.unknown_keys(t, COLUMN_KEYS, "columns.");
            let text = |key: &str, this: &mut Self| -> Option<String> {
                let item = t.get(key)?;
                match item.as_str() {
                    Some(s) if !s.trim().is_empty() => Some(s.to_string()),
                    _ => {
                        this.at(
                            item.span(),
                            format!("`columns.{key}` must be a column name"),
                        );
                        None
                    }
                }
            };
            policy.columns.ingredients = text("ingredients", self);
            policy.columns.id = text("id", self);
            policy.columns.name = text("name", self);
            policy.columns.product_type = text("type", self);
            policy.columns.claim = text("claim", self);
            if let Some(item) = t.get("claim-unit") {
                match item.as_str() {
                    Some("day") | Some("days") => policy.claim_unit = ClaimUnit::Day,
                    Some("hours") | Some("hour") => policy.claim_unit = ClaimUnit::Hours,
                    _ => self.at(
                        item.span(),
                        "`columns.claim-unit` must be `day` or `hours`".into(),
                    ),
                }
            }
        }
        if let Some(t) = self.table(root.get("waits"), "waits") {
            for (key, item) in t.iter() {
                let span = t.get_key_value(key).and_then(|(k, _)| k.span());
                let Some(category) = self.category(key, span.clone(), "waits") else {
                    continue;
                };
                let Some(waits) = category.waits else {
                    self.at(
                        span,
                        format!("`{key}` imposes no wait; it cannot be given one"),
                    );
                    continue;
                };
                let Some(w) = self.table(Some(item), &format!("waits.{key}")) else {
                    continue;
                };
                self.unknown_keys(w, WAIT_KEYS, &format!("waits.{key}."));
                let mut out = waits;
                for (i, profile) in WAIT_KEYS.iter().enumerate() {
                    if let Some(v) = w.get(profile) {
                        match (v.as_integer(), v.as_str()) {
                            (Some(h), _) if (0..=24 * 365).contains(&h) => {
                                out[i] = Wait::Hours(h as u32)
                            }
                            (_, Some("avoid")) => out[i] = Wait::Avoid,
                            _ => self.at(
                                v.span(),
                                format!(
                                    "`waits.{key}.{profile}` must be hours (0 to 8760) or \"avoid\""
                                ),
                            ),
                        }
                    }
                }
                policy.waits.insert(key.to_string(), out);
            }
        }
        if let Some(t) = self.table(root.get("levels"), "levels") {
            for (key, item) in t.iter() {
                let span = t.get_key_value(key).and_then(|(k, _)| k.span());
                let rule = self.level_rule(key, item);
                if key == "default" {
                    if let Some(r) = rule {
                        if r.before_day.is_some() {
                            self.at(
                                item.span(),
                                "`levels.default` cannot have `before-day`".into(),
                            );
                        }
                        policy.default_level = r.level;
                    }
                    continue;
                }
                if self.category(key, span, "levels").is_some()
                    && let Some(r) = rule
                {
                    policy.levels.insert(key.to_string(), r);
                }
            }
        }
        if let Some(item) = root.get("exceptions") {
            match item.as_array_of_tables() {
                Some(array) => {
                    for t in array.iter() {
                        let line = self.line_of(t.span());
                        self.unknown_keys(t, EXCEPTION_KEYS, "exceptions.");
                        let get = |key: &str| t.get(key).and_then(Item::as_str).map(str::to_string);
                        let product = get("product");
                        let reason = get("reason").filter(|r| !r.trim().is_empty());
                        if product.is_none() {
                            self.at(
                                t.span(),
                                "an exception needs `product` (the product's id or name)".into(),
                            );
                        }
                        if reason.is_none() {
                            self.at(t.span(), "an exception needs a `reason`".into());
                        }
                        let category = get("category");
                        if let (Some(c), Some(item)) = (&category, t.get("category")) {
                            self.category(c, item.span(), "exceptions");
                        }
                        if let (Some(product), Some(reason)) = (product, reason) {
                            policy.exceptions.push(Exception {
                                product,
                                ingredient: get("ingredient"),
                                category,
                                reason,
                                line,
                            });
                        }
                    }
                }
                None => self.at(
                    item.span(),
                    "`exceptions` must be an array of tables: `[[exceptions]]`".into(),
                ),
            }
        }
        policy
    }

    fn table<'t>(&mut self, item: Option<&'t Item>, name: &str) -> Option<&'t dyn TableLike> {
        let item = item?;
        match item.as_table_like() {
            Some(t) => Some(t),
            None => {
                self.at(item.span(), format!("`{name}` must be a table"));
                None
            }
        }
    }

    fn unknown_keys(&mut self, t: &dyn TableLike, valid: &[&str], prefix: &str) {
        for (key, _) in t.iter() {
            if !valid.contains(&key) {
                let span = t.get_key_value(key).and_then(|(k, _)| k.span());
                self.at(
                    span,
                    format!(
                        "unknown key `{prefix}{key}`; valid keys are {}",
                        quote_list(valid)
                    ),
                );
            }
        }
    }

    fn category(
        &mut self,
        id: &str,
        span: Option<std::ops::Range<usize>>,
        section: &str,
    ) -> Option<crate::db::Category> {
        match self.db.category(id) {
            Some(c) if matches!(c.kind, CategoryKind::Finding | CategoryKind::ProductType) => {
                Some(c.clone())
            }
            _ => {
                let ids: Vec<&str> = self
                    .db
                    .categories
                    .iter()
                    .filter(|c| matches!(c.kind, CategoryKind::Finding | CategoryKind::ProductType))
                    .map(|c| c.id.as_str())
                    .collect();
                self.at(
                    span,
                    format!(
                        "unknown category `{id}` in `{section}`; categories are {}",
                        quote_list(&ids)
                    ),
                );
                None
            }
        }
    }

    fn level_rule(&mut self, key: &str, item: &Item) -> Option<LevelRule> {
        let parse = |s: &str| match s {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        };
        if let Some(s) = item.as_str() {
            return match parse(s) {
                Some(level) => Some(LevelRule {
                    level,
                    before_day: None,
                }),
                None => {
                    self.at(
                        item.span(),
                        format!("`levels.{key}` is `{s}`; levels are `allow`, `warn`, `deny`"),
                    );
                    None
                }
            };
        }
        let t = self.table(Some(item), &format!("levels.{key}"))?;
        self.unknown_keys(t, LEVEL_KEYS, &format!("levels.{key}."));
        let level = match t.get("level").and_then(Item::as_str).and_then(parse) {
            Some(l) => l,
            None => {
                self.at(
                    item.span(),
                    format!("`levels.{key}.level` must be `allow`, `warn` or `deny`"),
                );
                return None;
            }
        };
        let before_day = match t.get("before-day") {
            None => None,
            Some(v) => match v.as_integer() {
                Some(d) if (1..=365).contains(&d) => Some(d as u32),
                _ => {
                    self.at(
                        v.span(),
                        format!("`levels.{key}.before-day` must be a day from 1 to 365"),
                    );
                    return None;
                }
            },
        };
        Some(LevelRule { level, before_day })
    }
}
