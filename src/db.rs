//! The curated database: categories, ingredients, patterns and their sources.
//!
//! The CSV files under `data/` are the single source of truth. They are embedded in the
//! binary and parsed by the same loader that reads a user's `--db` overlay, so an overlay
//! can add or override any ingredient. This module parses and checks; it does not match
//! label text (that is `matcher`) and knows nothing of profiles beyond storing waits.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::normalize::word_key;

/// A profile: how deep the needles went, which decides how long the barrier stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    Light,
    Standard,
    Deep,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Light, Profile::Standard, Profile::Deep];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Light => "light",
            Profile::Standard => "standard",
            Profile::Deep => "deep",
        }
    }

    /// The profile for a needle depth in millimetres (protocol section 1), with the
    /// thresholds of `data/rules.csv`.
    pub fn from_depth(mm: f64, db: &Database) -> Profile {
        if mm < db.rule("light-depth-below") {
            Profile::Light
        } else if mm < db.rule("deep-depth-from") {
            Profile::Standard
        } else {
            Profile::Deep
        }
    }
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "light" => Ok(Profile::Light),
            "standard" => Ok(Profile::Standard),
            "deep" => Ok(Profile::Deep),
            _ => Err(format!(
                "unknown profile `{s}`; profiles are `light`, `standard`, `deep`"
            )),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How long a category delays a product: hours after the treatment, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Hours(u32),
    Avoid,
}

impl Wait {
    pub fn hours(self) -> Option<u32> {
        match self {
            Wait::Hours(h) => Some(h),
            Wait::Avoid => None,
        }
    }

    /// Orders waits so that `Avoid` is the longest.
    pub fn rank(self) -> u64 {
        match self {
            Wait::Hours(h) => u64::from(h),
            Wait::Avoid => u64::MAX,
        }
    }
}

/// What a category is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CategoryKind {
    /// Imposes a wait (or `avoid`) on the product.
    Finding,
    /// A window that applies to a whole product type (makeup, mineral sunscreen).
    ProductType,
    /// The wait of a product with no finding.
    Baseline,
    /// Reported for context; never changes the verdict.
    Note,
    /// Known and harmless (or beneficial); reported in the ingredient list only.
    Info,
    /// Known, but its safety is for someone else to decide (a medicine's prescriber):
    /// the product is `review`.
    Review,
}

#[derive(Debug, Clone, Serialize)]
pub struct Category {
    pub id: String,
    pub kind: CategoryKind,
    pub label: String,
    pub plural: String,
    #[serde(skip)]
    pub waits: Option<[Wait; 3]>,
    pub marks_line: bool,
    pub reason: String,
    pub source: Vec<String>,
}

impl Category {
    pub fn wait(&self, profile: Profile) -> Option<Wait> {
        self.waits.map(|w| w[profile as usize])
    }

    pub fn imposes_wait(&self) -> bool {
        matches!(self.kind, CategoryKind::Finding | CategoryKind::ProductType)
    }
}

/// A comedogenicity rating on the Fulton 0-5 scale; a range where the lists disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub low: u8,
    pub high: u8,
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.low == self.high {
            write!(f, "{}", self.low)
        } else {
            write!(f, "{}-{}", self.low, self.high)
        }
    }
}

/// The context rules an entry takes part in (protocol section 3).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Flags {
    /// Counts as its category only above the 1% line; below it, this is what it is.
    pub dual_use: Option<String>,
    /// Salts that make this acid a buffer when both are on the label.
    pub buffers: Vec<String>,
    /// A physical exfoliant only in a scrub or as the first ingredient.
    pub scrub_only: bool,
    /// Almost always used at 1% or less: estimates the 1% line.
    pub marks_line: bool,
    /// Listed by the EU as a labelled fragrance allergen.
    pub eu_allergen: bool,
    /// Phototoxic unless the label says furocoumarin-free.
    pub furocoumarin: bool,
    /// A colorant: a product dominated by these is makeup.
    pub pigment: bool,
    /// A mineral base of mineral makeup.
    pub mineral: bool,
}

impl Flags {
    pub const VALID: &'static [&'static str] = &[
        "buffer=SALT",
        "dual-use=WHAT",
        "eu-allergen",
        "furocoumarin",
        "marks-line",
        "mineral",
        "pigment",
        "scrub-only",
    ];

    fn parse(cell: &str) -> Result<Flags, String> {
        let mut flags = Flags::default();
        for raw in list_items(cell) {
            let (key, value) = match raw.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (raw, None),
            };
            match (key, value) {
                ("dual-use", Some(v)) if !v.is_empty() => flags.dual_use = Some(v.to_string()),
                ("buffer", Some(v)) if !v.is_empty() => flags.buffers.push(v.to_string()),
                ("scrub-only", None) => flags.scrub_only = true,
                ("marks-line", None) => flags.marks_line = true,
                ("eu-allergen", None) => flags.eu_allergen = true,
                ("furocoumarin", None) => flags.furocoumarin = true,
                ("pigment", None) => flags.pigment = true,
                ("mineral", None) => flags.mineral = true,
                _ => {
                    return Err(format!(
                        "unknown flag `{raw}`; flags are {}",
                        quote_list(Flags::VALID)
                    ));
                }
            }
        }
        Ok(flags)
    }

    pub fn to_cell(&self) -> String {
        let mut out: Vec<String> = Vec::new();
        if let Some(d) = &self.dual_use {
            out.push(format!("dual-use={d}"));
        }
        out.extend(self.buffers.iter().map(|b| format!("buffer={b}")));
        for (on, name) in [
            (self.scrub_only, "scrub-only"),
            (self.marks_line, "marks-line"),
            (self.eu_allergen, "eu-allergen"),
            (self.furocoumarin, "furocoumarin"),
            (self.pigment, "pigment"),
            (self.mineral, "mineral"),
        ] {
            if on {
                out.push(name.to_string());
            }
        }
        out.join("|")
    }
}

/// Where a row came from, for error messages and `explain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub file: Text,
    pub line: u64,
}

/// Text of the database: borrowed from the embedded files (no copy at start-up), or
/// owned when it comes from an overlay.
pub type Text = std::borrow::Cow<'static, str>;

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One ingredient of the database.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub name: Text,
    pub aliases: Vec<Text>,
    pub category: Text,
    pub flags: Flags,
    pub reason: Text,
    /// Source ids, as the `|`-separated cell of the file (see `sources`).
    #[serde(serialize_with = "serialize_list")]
    pub source: Text,
    pub comedogenic: Option<Rating>,
    pub origin: Origin,
}

impl Entry {
    /// The entry's source ids.
    pub fn sources(&self) -> impl Iterator<Item = &str> {
        list_items(&self.source)
    }
}

/// Serialises a `|`-separated cell as a list.
fn serialize_list<S: serde::Serializer>(cell: &Text, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(list_items(cell))
}

/// A rule for names no list can enumerate (`PEG-n ...`, `Citrus X Peel Oil`).
#[derive(Debug, Clone, Serialize)]
pub struct Pattern {
    pub order: u32,
    pub id: Text,
    #[serde(rename = "pattern")]
    /// Compiled, in order with the others, for `Database::first_pattern`.
    pub source_regex: String,
    pub category: Text,
    pub flags: Flags,
    pub reason: Text,
    pub source: Vec<String>,
}

/// An ingredient a keyword matcher would wrongly flag, and why it is not that.
#[derive(Debug, Clone, Serialize)]
pub struct Lookalike {
    pub name: String,
    pub resembles: String,
    pub reason: String,
}

/// Words in a product's name that give its type (protocol section 4). Each word is a
/// word key padded with a space on both sides, for whole-word matching.
#[derive(Debug, Clone, Serialize)]
pub struct TypeWords {
    pub order: u32,
    pub product_type: String,
    pub words: Vec<String>,
}

/// One problem found while loading a database file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Loading failed; every problem found is listed, not just the first.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot read database file `{path}`: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{} problem(s) in the database:\n{}", .0.len(), listed(.0))]
    Invalid(Vec<Problem>),
}

/// At most this many problems are printed; a count says how many more there are.
pub const PRINTED_PROBLEMS: usize = 100;

/// The first problems, one per line, then how many were left out.
fn listed(problems: &[Problem]) -> String {
    let mut lines: Vec<String> = problems
        .iter()
        .take(PRINTED_PROBLEMS)
        .map(|p| format!("  {p}"))
        .collect();
    if problems.len() > PRINTED_PROBLEMS {
        lines.push(format!(
            "  ... and {} more problem(s) not listed",
            problems.len() - PRINTED_PROBLEMS
        ));
    }
    lines.join("\n")
}

/// The embedded files, in load order.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("data/sources.csv", include_str!("../data/sources.csv")),
    (
        "data/categories.csv",
        include_str!("../data/categories.csv"),
    ),
    ("data/actives.csv", include_str!("../data/actives.csv")),
    ("data/fragrance.csv", include_str!("../data/fragrance.csv")),
    ("data/medicines.csv", include_str!("../data/medicines.csv")),
    (
        "data/plant-oils.csv",
        include_str!("../data/plant-oils.csv"),
    ),
    (
        "data/botanicals.csv",
        include_str!("../data/botanicals.csv"),
    ),
    (
        "data/aroma-chemicals.csv",
        include_str!("../data/aroma-chemicals.csv"),
    ),
    (
        "data/uv-absorbers.csv",
        include_str!("../data/uv-absorbers.csv"),
    ),
    ("data/abrasives.csv", include_str!("../data/abrasives.csv")),
    (
        "data/dyes-and-bleaching.csv",
        include_str!("../data/dyes-and-bleaching.csv"),
    ),
    (
        "data/stem-names.csv",
        include_str!("../data/stem-names.csv"),
    ),
    (
        "data/vocabulary.csv",
        include_str!("../data/vocabulary.csv"),
    ),
    (
        "data/comedogenic.csv",
        include_str!("../data/comedogenic.csv"),
    ),
    (
        "data/lookalikes.csv",
        include_str!("../data/lookalikes.csv"),
    ),
    ("data/patterns.csv", include_str!("../data/patterns.csv")),
    (
        "data/product-types.csv",
        include_str!("../data/product-types.csv"),
    ),
    ("data/rules.csv", include_str!("../data/rules.csv")),
    ("data/stems.csv", include_str!("../data/stems.csv")),
    ("data/synonyms.csv", include_str!("../data/synonyms.csv")),
];

/// The numbers of the context rules (`data/rules.csv`); every one must be present.
pub const RULES: &[&str] = &[
    "comedogenic-finding-min",
    "comedogenic-note-min",
    "deep-depth-from",
    "dual-use-percent",
    "light-depth-below",
    "makeup-min-pigments",
    "makeup-pigment-lead",
    "mineral-filter-lead",
    "mineral-makeup-lead",
    "scrub-first-positions",
];

/// The header of an ingredient file (and of an overlay).
pub const INGREDIENT_HEADER: &[&str] =
    &["name", "aliases", "category", "flags", "reason", "source"];

/// The whole database, checked.
#[derive(Debug, Clone)]
pub struct Database {
    pub sources: BTreeMap<String, String>,
    pub categories: Vec<Category>,
    pub entries: Vec<Entry>,
    pub patterns: Vec<Pattern>,
    pub lookalikes: Vec<Lookalike>,
    /// How many synonyms (`data/synonyms.csv`) were loaded; each is also an alias in
    /// `names`, so this count is the only place they stay apart.
    pub synonyms: usize,
    /// Stems of flagged classes (`data/stems.csv`), as regex sources.
    pub stems: Vec<String>,
    stem_regex: std::sync::OnceLock<regex::Regex>,
    /// The CosIng names benign by their functions (`crate::cosing_names`), as entries
    /// numbered after the curated ones; made the first time one is asked for.
    cosing_entries: std::sync::OnceLock<Vec<Entry>>,
    benign_category: usize,
    pub type_words: Vec<TypeWords>,
    pub rules: BTreeMap<String, f64>,
    /// Word keys of every name and alias: the entry, and whether the key is an alias.
    pub names: NameIndex,
    category_index: rustc_hash::FxHashMap<String, usize>,
    /// Each entry's and each pattern's category, by index: a check asks for them for
    /// every ingredient.
    entry_category: Vec<usize>,
    pattern_category: Vec<usize>,
    /// Every pattern with the literals its matches start or end with, read the first
    /// time a name needs them (most labels never do). They are tried one by one
    /// until one matches: each is anchored and rejects most names within a few
    /// bytes, where one set of all of them must run every pattern to the end of the
    /// name (and its lazy DFA, a product of them all, kept outgrowing its cache:
    /// about three times slower). The data-lint test compiles every pattern: they
    /// come only from the embedded files, never from an overlay.
    compiled_patterns: std::sync::OnceLock<Vec<CompiledPattern>>,
}

/// A pattern, with the literals its matches must start or end with, compiled the
/// first time a key passes those. Most keys a pattern is tried on are not of its
/// family: a regex search costs over 100 ns however soon it fails (the thread's
/// cache fetched, the search set up), where a look at the key's first or last bytes
/// rejects most of them in a few. And a pattern no key gets near is never compiled:
/// compiling all thirty takes 3 ms, most of a `check` that meets one unknown name.
#[derive(Debug, Clone)]
struct CompiledPattern {
    source: String,
    regex: std::sync::OnceLock<regex::Regex>,
    /// When the pattern is anchored at the start (`^retinyl ...`) and its matches
    /// begin with one of finitely many literals: those.
    starts: Option<Literals>,
    /// When it is anchored at the end (`... sulfate$`) and its matches end with one
    /// of finitely many literals: those.
    ends: Option<Literals>,
}

impl CompiledPattern {
    fn new(source: &str) -> CompiledPattern {
        use regex_syntax::hir::{Look, literal::ExtractKind};
        // Parsed as the regex crate parses it (the same defaults), for its literals.
        let hir = regex_syntax::parse(source).expect("tests/data_lint.rs compiles every pattern");
        let props = hir.properties();
        CompiledPattern {
            source: source.to_string(),
            regex: std::sync::OnceLock::new(),
            starts: (props.look_set_prefix().contains(Look::Start))
                .then(|| Literals::of(&hir, ExtractKind::Prefix))
                .flatten(),
            ends: (props.look_set_suffix().contains(Look::End))
                .then(|| Literals::of(&hir, ExtractKind::Suffix))
                .flatten(),
        }
    }

    fn is_match(&self, key: &str) -> bool {
        let k = key.as_bytes();
        self.starts.as_ref().is_none_or(|l| l.start_one(k))
            && self.ends.as_ref().is_none_or(|l| l.end_one(k))
            && self.regex().is_match(key)
    }

    fn regex(&self) -> &regex::Regex {
        // Word keys are lower-case ASCII words, and the patterns are written in `[a-z]`
        // terms: compiled without Unicode classes. A pattern that needs Unicode (an
        // overlay's `\w` or `.`) is compiled with it.
        self.regex.get_or_init(|| {
            regex::RegexBuilder::new(&self.source)
                .unicode(false)
                .build()
                .or_else(|_| regex::Regex::new(&self.source))
                .expect("tests/data_lint.rs compiles every pattern")
        })
    }
}

/// Literals a key must start (or end) with, in order of the byte they start (or end)
/// with: those of byte `b` are `literals[at[b]..at[b + 1]]`.
#[derive(Debug, Clone)]
struct Literals {
    at: Box<[u16; 257]>,
    literals: Vec<Box<[u8]>>,
}

impl Literals {
    /// The literals every match of `hir` begins (for a suffix, ends) with, when there
    /// are finitely many and none is empty; `None` when a match may begin with
    /// anything.
    fn of(
        hir: &regex_syntax::hir::Hir,
        kind: regex_syntax::hir::literal::ExtractKind,
    ) -> Option<Literals> {
        use regex_syntax::hir::literal::{ExtractKind, Extractor};
        let suffix = matches!(kind, ExtractKind::Suffix);
        let seq = Extractor::new().kind(kind).extract(hir);
        let mut literals: Vec<Box<[u8]>> = seq
            .literals()?
            .iter()
            .map(|l| Box::from(l.as_bytes()))
            .collect();
        if literals.is_empty() || literals.iter().any(|l| l.is_empty()) {
            return None;
        }
        let edge = |l: &[u8]| usize::from(if suffix { l[l.len() - 1] } else { l[0] });
        literals.sort_by_key(|l| edge(l));
        let mut at = Box::new([0u16; 257]);
        for l in &literals {
            at[edge(l) + 1] += 1;
        }
        for b in 0..256 {
            at[b + 1] += at[b];
        }
        Some(Literals { at, literals })
    }

    /// The literals starting (or ending) with byte `b`.
    fn with_edge(&self, b: u8) -> &[Box<[u8]>] {
        let b = usize::from(b);
        &self.literals[usize::from(self.at[b])..usize::from(self.at[b + 1])]
    }

    /// Does the key start with one of the literals?
    fn start_one(&self, key: &[u8]) -> bool {
        key.first()
            .is_some_and(|&b| self.with_edge(b).iter().any(|l| key.starts_with(l)))
    }

    /// Does the key end with one of the literals?
    fn end_one(&self, key: &[u8]) -> bool {
        key.last()
            .is_some_and(|&b| self.with_edge(b).iter().any(|l| key.ends_with(l)))
    }
}

/// Word keys (see `normalize::word_key`) to an entry index and whether it is an alias.
pub type NameIndex = rustc_hash::FxHashMap<String, (usize, bool)>;

impl Database {
    /// The database compiled into the binary.
    pub fn embedded() -> Result<Database, DbError> {
        let mut b = Builder::default();
        for (file, text) in EMBEDDED {
            b.load_file(file, text);
        }
        b.finish()
    }

    /// The embedded database with an overlay file's entries added or overriding.
    pub fn with_overlay(path: &Path) -> Result<Database, DbError> {
        let text = read_overlay(path)?;
        let mut b = Builder::default();
        for (file, data) in EMBEDDED {
            b.load_file(file, data);
        }
        b.load_overlay(&path.display().to_string(), &text);
        b.finish()
    }

    /// Checks an overlay file against the embedded database without using it: every
    /// problem, with its line.
    pub fn validate_overlay(path: &Path) -> Result<usize, DbError> {
        let text = read_overlay(path)?;
        let mut b = Builder::default();
        for (file, data) in EMBEDDED {
            b.load_file(file, data);
        }
        b.load_overlay(&path.display().to_string(), &text);
        let rows = b.overlay_rows;
        b.finish().map(|_| rows)
    }

    /// Whether a word key holds the stem of a flagged class (`retin`, `salicyl`,
    /// `sulfate`...): such a name is never benign by a family pattern alone.
    pub fn holds_flagged_stem(&self, key: &str) -> bool {
        self.stem_regex
            .get_or_init(|| {
                let all = self
                    .stems
                    .iter()
                    .map(|s| format!("(?:{s})"))
                    .collect::<Vec<_>>()
                    .join("|");
                // Word keys are ASCII: no Unicode classes to compile.
                regex::RegexBuilder::new(&all)
                    .unicode(false)
                    .build()
                    .expect("each stem was compiled when loaded")
            })
            .is_match(key)
    }

    /// The first pattern (in `order`) that matches a word key.
    pub fn first_pattern(&self, key: &str) -> Option<usize> {
        self.compiled_patterns
            .get_or_init(|| {
                self.patterns
                    .iter()
                    .map(|p| CompiledPattern::new(&p.source_regex))
                    .collect()
            })
            .iter()
            .position(|pattern| pattern.is_match(key))
    }

    /// A rule's value; the loader guarantees every rule of `RULES` is present.
    pub fn rule(&self, id: &str) -> f64 {
        self.rules[id]
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.category_index.get(id).map(|&i| &self.categories[i])
    }

    /// The category of entry `i`.
    pub fn entry_category(&self, i: usize) -> &Category {
        let c = self
            .entry_category
            .get(i)
            .copied()
            .unwrap_or(self.benign_category);
        &self.categories[c]
    }

    /// Every product type id, in the database's order, then `other`: what `--type`
    /// and the page offer.
    pub fn product_type_ids(&self) -> Vec<String> {
        let named = self
            .type_words
            .iter()
            .map(|t| t.product_type.as_str())
            // `mineral` only qualifies another type (mineral makeup, mineral sunscreen).
            .filter(|t| *t != "mineral")
            .chain(
                self.categories
                    .iter()
                    .filter(|c| c.kind == CategoryKind::ProductType)
                    .map(|c| c.id.as_str()),
            )
            .chain(["other"]);
        let mut out: Vec<String> = Vec::new();
        for t in named {
            if !out.iter().any(|o| o == t) {
                out.push(t.to_string());
            }
        }
        out
    }

    /// The entry a word key names, curated first, then the CosIng names benign by
    /// their functions; with whether the key is an alias.
    pub fn name(&self, key: &str) -> Option<(usize, bool)> {
        if let Some(&hit) = self.names.get(key) {
            return Some(hit);
        }
        cosing_position(key).map(|i| (self.entries.len() + i, false))
    }

    /// Entry `i`: a curated one, or a CosIng name numbered after them.
    pub fn entry(&self, i: usize) -> &Entry {
        match self.entries.get(i) {
            Some(e) => e,
            None => &self.cosing_entries()[i - self.entries.len()],
        }
    }

    /// Every entry: the curated ones, then the CosIng names no curated name or alias
    /// shadows.
    pub fn all_entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().chain(
            self.cosing_entries()
                .iter()
                .zip(crate::cosing_names::NAMES)
                .filter(|(_, (key, _, _))| !self.names.contains_key(*key))
                .map(|(e, _)| e),
        )
    }

    fn cosing_entries(&self) -> &[Entry] {
        self.cosing_entries.get_or_init(|| {
            crate::cosing_names::NAMES
                .iter()
                .enumerate()
                .map(|(line, &(_, name, reason))| Entry {
                    name: Cow::Borrowed(name),
                    aliases: Vec::new(),
                    category: Cow::Borrowed("benign"),
                    flags: Flags::default(),
                    reason: Cow::Borrowed(crate::cosing_names::REASONS[usize::from(reason)]),
                    source: Cow::Borrowed("cosing"),
                    comedogenic: None,
                    origin: Origin {
                        file: Cow::Borrowed("data/cosing.csv"),
                        line: line as u64,
                    },
                })
                .collect()
        })
    }

    /// The category of pattern `p`.
    pub fn pattern_category(&self, p: usize) -> &Category {
        &self.categories[self.pattern_category[p]]
    }

    pub fn baseline(&self, profile: Profile) -> Wait {
        self.categories
            .iter()
            .find(|c| c.kind == CategoryKind::Baseline)
            .and_then(|c| c.wait(profile))
            .unwrap_or(Wait::Hours(0))
    }

    /// Does this entry estimate the 1% line, by itself or by its category?
    pub fn marks_line(&self, i: usize) -> bool {
        let flags = &self.entry(i).flags;
        flags.marks_line || flags.eu_allergen || self.entry_category(i).marks_line
    }
}

/// The most an overlay may hold.
pub const OVERLAY_LIMIT: u64 = 16 << 20;

/// Where a word key is in the table of CosIng names benign by their functions.
fn cosing_position(key: &str) -> Option<usize> {
    crate::cosing_names::NAMES
        .binary_search_by(|(k, _, _)| (*k).cmp(key))
        .ok()
}

fn read_overlay(path: &Path) -> Result<String, DbError> {
    let bytes =
        crate::input::read_bounded(path, OVERLAY_LIMIT, true).map_err(|source| DbError::Io {
            path: path.display().to_string(),
            source,
        })?;
    Ok(crate::input::decode(&bytes).text)
}

#[derive(Default)]
struct Builder {
    sources: BTreeMap<String, String>,
    categories: Vec<Category>,
    entries: Vec<Entry>,
    by_name: NameIndex,
    ratings: Vec<(String, Rating, Origin)>,
    lookalikes: Vec<(Lookalike, Origin)>,
    /// Synonym, the name it means, its sources, where it is defined.
    synonyms: Vec<(String, String, String, Origin)>,
    stems: Vec<String>,
    patterns: Vec<Pattern>,
    type_words: Vec<TypeWords>,
    rules: BTreeMap<String, f64>,
    problems: Vec<Problem>,
    overlay_rows: usize,
}

impl Builder {
    fn problem(&mut self, file: &str, line: u64, message: impl Into<String>) {
        self.problems.push(Problem {
            file: file.to_string(),
            line,
            message: message.into(),
        });
    }

    fn load_file(&mut self, file: &'static str, text: &'static str) {
        let base = file.rsplit('/').next().unwrap_or(file);
        match base {
            "sources.csv" => self.load_sources(file, text),
            "categories.csv" => self.load_categories(file, text),
            "comedogenic.csv" => self.load_ratings(file, text),
            "lookalikes.csv" => self.load_lookalikes(file, text),
            "patterns.csv" => self.load_patterns(file, text),
            "product-types.csv" => self.load_type_words(file, text),
            "rules.csv" => self.load_rules(file, text),
            "stems.csv" => self.load_stems(file, text),
            "synonyms.csv" => self.load_synonyms(file, text),
            _ => {
                self.load_ingredients(Cow::Borrowed(file), text, false, |c: &Cow<'static, str>| {
                    c.clone()
                })
            }
        }
    }

    fn load_overlay(&mut self, file: &str, text: &str) {
        self.load_ingredients(Cow::Owned(file.to_string()), text, true, |c| {
            Cow::Owned(c.to_string())
        });
    }

    /// The reader positioned after a checked header; `None` (with the problem
    /// reported) when the header is missing or wrong.
    fn records_after_header<'t>(
        &mut self,
        file: &str,
        text: &'t str,
        header: &[&str],
    ) -> Option<CsvRecords<'t>> {
        let mut records = CsvRecords::new(text);
        match records.next() {
            Some(Ok((_, got))) if got.iter().map(|c| c.as_ref()).eq(header.iter().copied()) => {
                Some(records)
            }
            Some(Ok((_, got))) => {
                // A header that is nearly right is quoted to show the difference; the
                // first line of a file that is no database CSV at all (a password file
                // named by mistake, or by a hostile policy) is not printed.
                let near =
                    got.len() == header.len() || got.iter().any(|g| header.contains(&g.as_ref()));
                let message = if near {
                    format!(
                        "header is {}; expected {}",
                        quote_list(&got),
                        quote_list(header)
                    )
                } else {
                    format!(
                        "not a database CSV: its first line is not the header {}",
                        quote_list(header)
                    )
                };
                self.problem(file, 1, message);
                None
            }
            Some(Err((line, e))) => {
                self.problem(file, line, format!("unreadable header: {e}"));
                None
            }
            None => {
                self.problem(file, 1, "empty file: no header row");
                None
            }
        }
    }

    /// The records of a file after its header, each with its line; fields that need no
    /// unescaping borrow from `text`. Header and field-count problems are reported.
    fn rows<'t>(
        &mut self,
        file: &str,
        text: &'t str,
        header: &[&str],
    ) -> Vec<(u64, Vec<Cow<'t, str>>)> {
        let Some(records) = self.records_after_header(file, text, header) else {
            return Vec::new();
        };
        let mut rows = Vec::new();
        for record in records {
            match record {
                Ok((line, fields)) if fields.len() == header.len() => rows.push((line, fields)),
                Ok((line, fields)) => self.problem(
                    file,
                    line,
                    format!("{} fields; expected {}", fields.len(), header.len()),
                ),
                Err((line, e)) => self.problem(file, line, format!("malformed CSV: {e}")),
            }
        }
        rows
    }

    fn load_sources(&mut self, file: &str, text: &str) {
        for (line, row) in self.rows(file, text, &["id", "citation"]) {
            if self
                .sources
                .insert(row[0].to_string(), row[1].to_string())
                .is_some()
            {
                self.problem(file, line, format!("duplicate source `{}`", &row[0]));
            }
        }
    }

    fn load_categories(&mut self, file: &str, text: &str) {
        let header = [
            "id",
            "kind",
            "label",
            "plural",
            "light",
            "standard",
            "deep",
            "marks_line",
            "reason",
            "source",
        ];
        for (line, row) in self.rows(file, text, &header) {
            let kind = match row[1].as_ref() {
                "finding" => CategoryKind::Finding,
                "product-type" => CategoryKind::ProductType,
                "baseline" => CategoryKind::Baseline,
                "note" => CategoryKind::Note,
                "info" => CategoryKind::Info,
                "review" => CategoryKind::Review,
                other => {
                    self.problem(
                        file,
                        line,
                        format!(
                            "unknown kind `{other}`; kinds are `finding`, `product-type`, `baseline`, `note`, `info`, `review`"
                        ),
                    );
                    continue;
                }
            };
            let waits = if matches!(
                kind,
                CategoryKind::Note | CategoryKind::Info | CategoryKind::Review
            ) {
                None
            } else {
                let mut w = [Wait::Hours(0); 3];
                let mut ok = true;
                for (i, cell) in [&row[4], &row[5], &row[6]].into_iter().enumerate() {
                    match parse_wait(cell) {
                        Some(v) => w[i] = v,
                        None => {
                            ok = false;
                            self.problem(
                                file,
                                line,
                                format!("wait `{cell}` is not a number of hours or `avoid`"),
                            );
                        }
                    }
                }
                if !ok {
                    continue;
                }
                Some(w)
            };
            let source = split_list(&row[9]);
            self.categories.push(Category {
                id: row[0].to_string(),
                kind,
                label: row[2].to_string(),
                plural: row[3].to_string(),
                waits,
                marks_line: &row[7] == "yes",
                reason: row[8].to_string(),
                source,
            });
        }
    }

    /// Ingredient rows, embedded or from an overlay; `keep` turns a field into the
    /// database's text (borrowed for the embedded files, owned for an overlay).
    fn load_ingredients<'t>(
        &mut self,
        file: Text,
        text: &'t str,
        overlay: bool,
        keep: impl Fn(&Cow<'t, str>) -> Text,
    ) {
        let file_name = file.clone();
        let file: &str = &file_name;
        // Room for every row at once, so the index is not rehashed as it grows.
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        self.entries.reserve(lines);
        self.by_name.reserve(lines);
        let Some(mut records) = self.records_after_header(file, text, INGREDIENT_HEADER) else {
            return;
        };
        let mut row: Vec<Cow<'t, str>> = Vec::with_capacity(INGREDIENT_HEADER.len());
        while let Some(record) = records.read_into(&mut row) {
            let line = match record {
                Ok(line) if row.len() == INGREDIENT_HEADER.len() => line,
                Ok(line) => {
                    self.problem(
                        file,
                        line,
                        format!("{} fields; expected {}", row.len(), INGREDIENT_HEADER.len()),
                    );
                    continue;
                }
                Err((line, e)) => {
                    self.problem(file, line, format!("malformed CSV: {e}"));
                    continue;
                }
            };
            if row[0].is_empty() {
                self.problem(file, line, "empty name");
                continue;
            }
            let flags = match Flags::parse(&row[3]) {
                Ok(f) => f,
                Err(e) => {
                    self.problem(file, line, e);
                    continue;
                }
            };
            let entry = Entry {
                name: keep(&row[0]),
                aliases: split_cow(&row[1]).iter().map(&keep).collect(),
                category: keep(&row[2]),
                flags,
                reason: keep(&row[4]),
                source: keep(&row[5]),
                comedogenic: None,
                origin: Origin {
                    file: file_name.clone(),
                    line,
                },
            };
            let key = word_key(&entry.name);
            if overlay {
                self.overlay_rows += 1;
                if let Some(&(i, _)) = self.by_name.get(&key) {
                    let rating = self.entries[i].comedogenic;
                    self.entries[i] = Entry {
                        comedogenic: rating,
                        ..entry
                    };
                    continue;
                }
            } else if let Some(&(i, _)) = self.by_name.get(&key) {
                let first = self.entries[i].origin.clone();
                self.problem(
                    file,
                    line,
                    format!("duplicate entry `{}` (first at {first})", entry.name),
                );
                continue;
            }
            self.by_name.insert(key, (self.entries.len(), false));
            self.entries.push(entry);
        }
    }

    fn load_ratings(&mut self, file: &str, text: &str) {
        for (line, row) in self.rows(file, text, &["name", "rating", "source"]) {
            match parse_rating(&row[1]) {
                Some(r) => self.ratings.push((
                    row[0].to_string(),
                    r,
                    Origin {
                        file: file.to_string().into(),
                        line,
                    },
                )),
                None => self.problem(
                    file,
                    line,
                    format!(
                        "rating `{}` is not `N` or `N-M` with 0 <= N <= M <= 5",
                        &row[1]
                    ),
                ),
            }
        }
    }

    fn load_lookalikes(&mut self, file: &str, text: &str) {
        for (line, row) in self.rows(file, text, &["name", "resembles", "reason"]) {
            self.lookalikes.push((
                Lookalike {
                    name: row[0].to_string(),
                    resembles: row[1].to_string(),
                    reason: row[2].to_string(),
                },
                Origin {
                    file: file.to_string().into(),
                    line,
                },
            ));
        }
    }

    fn load_patterns(&mut self, file: &str, text: &str) {
        let header = [
            "order", "id", "pattern", "category", "flags", "reason", "source",
        ];
        for (line, row) in self.rows(file, text, &header) {
            let Ok(order) = row[0].parse::<u32>() else {
                self.problem(
                    file,
                    line,
                    format!("order `{}` is not a whole number", &row[0]),
                );
                continue;
            };
            let flags = match Flags::parse(&row[4]) {
                Ok(f) => f,
                Err(e) => {
                    self.problem(file, line, e);
                    continue;
                }
            };
            self.patterns.push(Pattern {
                order,
                id: Cow::Owned(row[1].to_string()),
                source_regex: row[2].to_string(),
                category: Cow::Owned(row[3].to_string()),
                flags,
                reason: Cow::Owned(row[5].to_string()),
                source: split_list(&row[6]),
            });
        }
    }

    fn load_type_words(&mut self, file: &str, text: &str) {
        for (line, row) in self.rows(file, text, &["order", "type", "words"]) {
            let Ok(order) = row[0].parse::<u32>() else {
                self.problem(
                    file,
                    line,
                    format!("order `{}` is not a whole number", &row[0]),
                );
                continue;
            };
            self.type_words.push(TypeWords {
                order,
                product_type: row[1].to_string(),
                words: split_list(&row[2])
                    .iter()
                    .map(|w| format!(" {} ", word_key(w)))
                    .collect(),
            });
        }
    }

    /// The stems of flagged classes: a name holding one is never benign by a family
    /// pattern (or by its CosIng functions) alone.
    fn load_stems(&mut self, file: &str, text: &str) {
        for (line, row) in self.rows(file, text, &["stem", "class", "reason"]) {
            // Parsed, not compiled: the stems are compiled together, once, when a name
            // first needs them.
            match regex_syntax::ParserBuilder::new()
                .unicode(false)
                .utf8(false)
                .build()
                .parse(&row[0])
            {
                Ok(_) => self.stems.push(row[0].to_string()),
                Err(e) => self.problem(file, line, format!("stem `{}`: {e}", &row[0])),
            }
        }
    }

    /// Names printed on labels that are not INCI names (pharmacopoeia, USAN, common
    /// and brand names, E numbers), each meaning one database name; they become
    /// aliases of it in `finish`.
    fn load_synonyms(&mut self, file: &str, text: &str) {
        for (line, row) in self.rows(file, text, &["name", "means", "reason", "source"]) {
            let origin = Origin {
                file: file.to_string().into(),
                line,
            };
            self.synonyms.push((
                row[0].to_string(),
                row[1].to_string(),
                row[3].to_string(),
                origin,
            ));
        }
    }

    fn load_rules(&mut self, file: &str, text: &str) {
        for (line, row) in self.rows(file, text, &["id", "value", "reason", "source"]) {
            if !RULES.contains(&row[0].as_ref()) {
                self.problem(
                    file,
                    line,
                    format!(
                        "unknown rule `{}`; rules are {}",
                        &row[0],
                        quote_list(RULES)
                    ),
                );
                continue;
            }
            match row[1].parse::<f64>() {
                Ok(v) => {
                    self.rules.insert(row[0].to_string(), v);
                }
                Err(_) => self.problem(
                    file,
                    line,
                    format!("rule value `{}` is not a number", &row[1]),
                ),
            }
        }
    }

    fn finish(mut self) -> Result<Database, DbError> {
        let category_index: rustc_hash::FxHashMap<String, usize> = self
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        if !self
            .categories
            .iter()
            .any(|c| c.kind == CategoryKind::Baseline)
        {
            self.problem("data/categories.csv", 1, "no category of kind `baseline`");
        }
        for r in RULES {
            if !self.rules.contains_key(*r) {
                self.problem("data/rules.csv", 1, format!("missing rule `{r}`"));
            }
        }
        let valid_categories: Vec<String> = self.categories.iter().map(|c| c.id.clone()).collect();
        let mut problems = Vec::new();
        fn check_sources<'a>(
            known: &BTreeMap<String, String>,
            sources: impl IntoIterator<Item = &'a str>,
            origin: &Origin,
            problems: &mut Vec<Problem>,
        ) {
            let mut any = false;
            for s in sources {
                any = true;
                if !known.contains_key(s) {
                    problems.push(Problem {
                        file: origin.file.to_string(),
                        line: origin.line,
                        message: match nearest(s, known.keys()) {
                            Some(near) => format!(
                                "unknown source `{s}`; did you mean `{near}`? (a new source is added to data/sources.csv)"
                            ),
                            None => format!("unknown source `{s}`; add it to data/sources.csv"),
                        },
                    });
                }
            }
            if !any {
                problems.push(Problem {
                    file: origin.file.to_string(),
                    line: origin.line,
                    message: "no source".into(),
                });
            }
        }
        let mut valid_sources: rustc_hash::FxHashSet<&str> = Default::default();
        for e in &self.entries {
            if !category_index.contains_key(e.category.as_ref()) {
                problems.push(Problem {
                    file: e.origin.file.to_string(),
                    line: e.origin.line,
                    message: format!(
                        "unknown category `{}` for `{}`; {}",
                        e.category,
                        e.name,
                        match nearest(&e.category, &valid_categories) {
                            Some(near) => format!("did you mean `{near}`?"),
                            None => format!("categories are {}", quote_list(&valid_categories)),
                        }
                    ),
                });
            }
            if e.reason.is_empty() {
                problems.push(Problem {
                    file: e.origin.file.to_string(),
                    line: e.origin.line,
                    message: format!("`{}` has no reason", e.name),
                });
            }
            // Most rows cite one of a few dozen source cells: each is checked once.
            if !valid_sources.contains(e.source.as_ref()) {
                let before = problems.len();
                check_sources(&self.sources, e.sources(), &e.origin, &mut problems);
                if problems.len() == before {
                    valid_sources.insert(e.source.as_ref());
                }
            }
        }
        for p in &self.patterns {
            let origin = Origin {
                file: "data/patterns.csv".into(),
                line: u64::from(p.order),
            };
            if !category_index.contains_key(p.category.as_ref()) {
                problems.push(Problem {
                    file: origin.file.to_string(),
                    line: origin.line,
                    message: format!(
                        "unknown category `{}` in pattern `{}`{}",
                        p.category,
                        p.id,
                        nearest(&p.category, &valid_categories)
                            .map(|near| format!("; did you mean `{near}`?"))
                            .unwrap_or_default()
                    ),
                });
            }
            check_sources(
                &self.sources,
                p.source.iter().map(String::as_str),
                &origin,
                &mut problems,
            );
        }
        for c in &self.categories {
            let origin = Origin {
                file: "data/categories.csv".into(),
                line: 0,
            };
            check_sources(
                &self.sources,
                c.source.iter().map(String::as_str),
                &origin,
                &mut problems,
            );
        }
        // Aliases resolve to the entry that owns them, so the lookups below see them too.
        let mut names: NameIndex = std::mem::take(&mut self.by_name);
        for (i, e) in self.entries.iter().enumerate() {
            for a in &e.aliases {
                let key = word_key(a);
                match names.get(&key) {
                    Some(&(j, _)) if j != i => problems.push(Problem {
                        file: e.origin.file.to_string(),
                        line: e.origin.line,
                        message: format!(
                            "alias `{a}` of `{}` collides with `{}` ({})",
                            e.name, self.entries[j].name, self.entries[j].origin
                        ),
                    }),
                    Some(_) => {}
                    None => {
                        names.insert(key, (i, true));
                    }
                }
            }
        }
        // Synonyms are aliases of the name they mean: a curated entry or a CosIng name.
        let synonym_count = self.synonyms.len();
        for (synonym, means, source, origin) in std::mem::take(&mut self.synonyms) {
            check_sources(&self.sources, list_items(&source), &origin, &mut problems);
            let target = word_key(&means);
            let Some(i) = names
                .get(&target)
                .map(|&(i, _)| i)
                .or_else(|| cosing_position(&target).map(|c| self.entries.len() + c))
            else {
                problems.push(Problem {
                    file: origin.file.to_string(),
                    line: origin.line,
                    message: format!(
                        "synonym `{synonym}` means `{means}`, which is not in the database"
                    ),
                });
                continue;
            };
            match names.get(&word_key(&synonym)) {
                Some(&(j, _)) if j != i => problems.push(Problem {
                    file: origin.file.to_string(),
                    line: origin.line,
                    message: format!(
                        "synonym `{synonym}` of `{means}` is already a name or alias of `{}`",
                        self.entries[j].name
                    ),
                }),
                Some(_) => {}
                None => {
                    names.insert(word_key(&synonym), (i, true));
                }
            }
        }
        // Ratings and look-alikes name an entry by its name or an alias, exactly (any
        // case or spacing); a near form is reported with the name to use instead.
        let unknown = |entries: &[Entry], name: &str| -> String {
            let keys = crate::normalize::name_keys(name);
            let near = entries.iter().find(|e| {
                std::iter::once(&e.name).chain(&e.aliases).any(|n| {
                    crate::normalize::name_keys(n)
                        .iter()
                        .any(|k| keys.contains(k))
                })
            });
            match near {
                Some(e) => format!(
                    "`{name}` is not a name or alias in the database; use `{}`",
                    e.name
                ),
                None => format!("`{name}` is not in the database"),
            }
        };
        for (name, rating, origin) in std::mem::take(&mut self.ratings) {
            match names.get(&word_key(&name)) {
                Some(&(i, _)) => self.entries[i].comedogenic = Some(rating),
                None => problems.push(Problem {
                    file: origin.file.to_string(),
                    line: origin.line,
                    message: format!("rated ingredient {}", unknown(&self.entries, &name)),
                }),
            }
        }
        let mut lookalikes = Vec::new();
        for (l, origin) in std::mem::take(&mut self.lookalikes) {
            for n in [&l.name, &l.resembles] {
                if !names.contains_key(&word_key(n)) {
                    problems.push(Problem {
                        file: origin.file.to_string(),
                        line: origin.line,
                        message: format!("look-alike {}", unknown(&self.entries, n)),
                    });
                }
            }
            lookalikes.push(l);
        }
        self.problems.extend(problems);
        if !self.problems.is_empty() {
            in_line_order(&mut self.problems);
            return Err(DbError::Invalid(self.problems));
        }
        let Some(&benign_category) = category_index.get("benign") else {
            return Err(DbError::Invalid(vec![Problem {
                file: "data/categories.csv".into(),
                line: 1,
                message: "no category `benign`".into(),
            }]));
        };
        self.patterns.sort_by_key(|p| p.order);
        self.type_words.sort_by_key(|t| t.order);
        // Every category was checked above.
        let entry_category = self
            .entries
            .iter()
            .map(|e| category_index[e.category.as_ref()])
            .collect();
        let pattern_category = self
            .patterns
            .iter()
            .map(|p| category_index[p.category.as_ref()])
            .collect();
        Ok(Database {
            names,
            rules: self.rules,
            sources: self.sources,
            categories: self.categories,
            entries: self.entries,
            patterns: self.patterns,
            lookalikes,
            synonyms: synonym_count,
            stems: self.stems,
            stem_regex: std::sync::OnceLock::new(),
            cosing_entries: std::sync::OnceLock::new(),
            benign_category,
            type_words: self.type_words,
            category_index,
            entry_category,
            pattern_category,
            compiled_patterns: std::sync::OnceLock::new(),
        })
    }
}

/// Problems are found in passes (a row's cells as it is read, then its category,
/// sources and aliases once every file is loaded); they are listed as a person fixes
/// them: file by file in load order, the overlay last, line by line. Problems of the
/// same line keep the order they were found in.
fn in_line_order(problems: &mut [Problem]) {
    problems.sort_by_key(|p| {
        let file = EMBEDDED
            .iter()
            .position(|(f, _)| *f == p.file)
            .unwrap_or(EMBEDDED.len());
        (file, p.line)
    });
}

/// The valid id closest to an unknown one, when it is close enough to be a typo:
/// one edit for a short id, two from five letters on. The first of equally close ids.
fn nearest<'a, S: AsRef<str> + ?Sized + 'a>(
    unknown: &str,
    valid: impl IntoIterator<Item = &'a S>,
) -> Option<&'a str> {
    let limit = if unknown.len() < 5 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for id in valid {
        let id = id.as_ref();
        let Some(d) = crate::normalize::edit_distance_within(
            unknown.to_ascii_lowercase().as_bytes(),
            id.as_bytes(),
            limit,
        ) else {
            continue;
        };
        if best.is_none_or(|(b, _)| d < b) {
            best = Some((d, id));
        }
    }
    best.map(|(_, id)| id)
}

/// A small CSV reader for the database files: RFC 4180 quoting, CRLF or LF, fields
/// trimmed. A field without doubled quotes borrows from the text, so the embedded
/// database is read without copying its text.
struct CsvRecords<'t> {
    text: &'t str,
    pos: usize,
    line: u64,
}

impl<'t> CsvRecords<'t> {
    fn new(text: &'t str) -> CsvRecords<'t> {
        CsvRecords {
            text,
            pos: 0,
            line: 1,
        }
    }

    fn field(&mut self) -> Result<Cow<'t, str>, String> {
        let bytes = self.text.as_bytes();
        if bytes.get(self.pos) != Some(&b'"') {
            let start = self.pos;
            let len =
                memchr::memchr3(b',', b'\n', b'\r', &bytes[start..]).unwrap_or(bytes.len() - start);
            self.pos = start + len;
            return Ok(Cow::Borrowed(trim(&self.text[start..self.pos])));
        }
        self.pos += 1;
        let mut owned: Option<String> = None;
        let mut segment = self.pos;
        loop {
            let Some(k) = memchr::memchr(b'"', &bytes[self.pos..]) else {
                return Err("a quoted field is never closed".into());
            };
            let quote = self.pos + k;
            self.line += memchr::memchr_iter(b'\n', &bytes[self.pos..quote]).count() as u64;
            if bytes.get(quote + 1) == Some(&b'"') {
                owned
                    .get_or_insert_with(String::new)
                    .push_str(&self.text[segment..=quote]);
                self.pos = quote + 2;
                segment = self.pos;
                continue;
            }
            let value = match owned {
                Some(mut o) => {
                    o.push_str(&self.text[segment..quote]);
                    Cow::Owned(o.trim().to_string())
                }
                None => Cow::Borrowed(trim(&self.text[segment..quote])),
            };
            self.pos = quote + 1;
            return Ok(value);
        }
    }
}

impl<'t> CsvRecords<'t> {
    /// Reads the next record into `fields` (cleared first), reusing its allocation;
    /// the record's line, or the line and problem of a malformed one.
    fn read_into(&mut self, fields: &mut Vec<Cow<'t, str>>) -> Option<Result<u64, (u64, String)>> {
        fields.clear();
        let bytes = self.text.as_bytes();
        loop {
            // Blank lines between records are skipped.
            match bytes.get(self.pos) {
                None => return None,
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                }
                Some(b'\r') => self.pos += 1,
                Some(_) => break,
            }
        }
        let line = self.line;
        loop {
            match self.field() {
                Ok(f) => fields.push(f),
                Err(e) => {
                    self.pos = bytes.len();
                    return Some(Err((line, e)));
                }
            }
            match bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'\r') | Some(b'\n') | None => {
                    if bytes.get(self.pos) == Some(&b'\r') {
                        self.pos += 1;
                    }
                    if bytes.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                        self.line += 1;
                    }
                    return Some(Ok(line));
                }
                Some(_) => {
                    // Text after a closing quote: skip to the end of the line.
                    let rest =
                        memchr::memchr(b'\n', &bytes[self.pos..]).unwrap_or(bytes.len() - self.pos);
                    self.pos += rest + 1;
                    self.line += 1;
                    return Some(Err((line, "text after a closing quote".into())));
                }
            }
        }
    }
}

impl<'t> Iterator for CsvRecords<'t> {
    type Item = Result<(u64, Vec<Cow<'t, str>>), (u64, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut fields = Vec::with_capacity(8);
        self.read_into(&mut fields)
            .map(|r| r.map(|line| (line, fields)))
    }
}

/// Trims a field; canonical files have no padding, so most fields are returned as
/// they are after looking at their two ends.
fn trim(f: &str) -> &str {
    let padded = |b: Option<&u8>| b.is_some_and(u8::is_ascii_whitespace);
    if padded(f.as_bytes().first()) || padded(f.as_bytes().last()) {
        f.trim()
    } else {
        f
    }
}

/// Splits a `|`-separated cell, keeping borrowed text borrowed.
fn split_cow<'t>(cell: &Cow<'t, str>) -> Vec<Cow<'t, str>> {
    match cell {
        Cow::Borrowed(s) => list_items(s).map(Cow::Borrowed).collect(),
        Cow::Owned(s) => list_items(s).map(|p| Cow::Owned(p.to_string())).collect(),
    }
}

fn parse_wait(cell: &str) -> Option<Wait> {
    if cell.eq_ignore_ascii_case("avoid") {
        Some(Wait::Avoid)
    } else {
        cell.parse().ok().map(Wait::Hours)
    }
}

fn parse_rating(cell: &str) -> Option<Rating> {
    let (low, high) = match cell.split_once('-') {
        Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
        None => {
            let v = cell.trim().parse().ok()?;
            (v, v)
        }
    };
    (low <= high && high <= 5).then_some(Rating { low, high })
}

/// Splits a `|`-separated cell.
pub fn split_list(cell: &str) -> Vec<String> {
    list_items(cell).map(str::to_string).collect()
}

/// The items of a `|`-separated cell, trimmed, empty ones skipped.
fn list_items(cell: &str) -> impl Iterator<Item = &str> {
    cell.split('|').map(str::trim).filter(|s| !s.is_empty())
}

/// ``a`, `b`, `c`` for error messages.
pub fn quote_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    type Record = Result<(u64, Vec<String>), (u64, String)>;

    /// A name two patterns match takes the first in `order`: `sodium ascorbyl
    /// phosphate` is an ascorbyl derivative before it is a metal salt.
    #[test]
    fn the_first_pattern_in_order_wins() {
        let db = Database::embedded().expect("embedded database");
        let id = |p: Option<usize>| p.map(|p| db.patterns[p].id.to_string());
        let key = "sodium ascorbyl phosphate";
        let matching: Vec<String> = db
            .patterns
            .iter()
            .filter(|p| regex::Regex::new(&p.source_regex).unwrap().is_match(key))
            .map(|p| p.id.to_string())
            .collect();
        assert_eq!(matching, ["ascorbyl-derivative", "metal-salt"]);
        assert_eq!(
            id(db.first_pattern(key)),
            Some("ascorbyl-derivative".into())
        );
        assert_eq!(
            id(db.first_pattern("retinyl fooate")),
            Some("retinyl-ester".into())
        );
        assert_eq!(db.first_pattern("zorblax"), None);
    }

    /// A pattern's literals only ever spare it a regex search: on every name and
    /// alias of the database, those names with words added around them, and a name
    /// of each pattern's family, the check says what the regex says, and each
    /// pattern matches some of those keys.
    #[test]
    fn literal_checks_agree_with_the_patterns() {
        let db = Database::embedded().expect("embedded database");
        let mut keys: Vec<String> = db.names.keys().cloned().collect();
        keys.extend(
            [
                "sd alcohol 40 b",
                "retinyl fooate",
                "magnesium ascorbyl foo",
                "sodium c12 13 pareth 3 sulfate",
                "citrus imaginaria peel oil",
                "imaginaria vulgaris leaf oil",
                "imaginaria vulgaris seed oil",
                "imaginaria vulgaris flower water",
                "imaginaria vulgaris root extract",
                "imaginaria vulgaris callus culture extract",
                "lactobacillus ferment lysate",
                "sh oligopeptide 1",
                "palmitoyl tripeptide 38",
                "ceramide np",
                "peg 999 imaginaryl stearate",
                "peg 90m",
                "polyglyceryl 10 laurate",
                "isoceteth 20",
                "ci 12345",
                "fd c red no 40 aluminum lake",
                "imaginary crosspolymer",
                "polyquaternium 99",
                "imaginaryl methicone",
                "caprylic capric glycerides",
                "hydrolyzed imaginary protein",
                "imaginary gum",
                "cetyl imaginary palmitate",
                "zinc imaginarate",
                "sodium acetyl glutamine",
            ]
            .map(String::from),
        );
        let around: Vec<String> = keys
            .iter()
            .flat_map(|k| {
                [
                    format!("sodium {k}"),
                    format!("{k} extract"),
                    format!("{k} oil"),
                    format!("imaginaria {k} 12"),
                ]
            })
            .collect();
        keys.extend(around);
        for p in &db.patterns {
            let compiled = CompiledPattern::new(&p.source_regex);
            let mut matched = 0;
            for k in &keys {
                let want = compiled.regex().is_match(k);
                assert_eq!(compiled.is_match(k), want, "{} on `{k}`", p.id);
                matched += usize::from(want);
            }
            assert!(matched > 0, "{} matched none of the keys", p.id);
        }
    }

    /// Looking up one name compiles only the patterns whose literals it passes.
    #[test]
    fn a_pattern_is_compiled_when_a_key_gets_past_its_literals() {
        let db = Database::embedded().expect("embedded database");
        assert_eq!(
            db.first_pattern("imaginaria vulgaris seed oil")
                .map(|p| &*db.patterns[p].id),
            Some("plant-fixed-oil")
        );
        let compiled = db.compiled_patterns.get().expect("read on first use");
        let built = compiled.iter().filter(|p| p.regex.get().is_some()).count();
        assert!(
            built < compiled.len() / 2,
            "{built} of {} compiled",
            compiled.len()
        );
    }

    fn records(text: &str) -> Vec<Record> {
        CsvRecords::new(text)
            .map(|r| r.map(|(l, f)| (l, f.into_iter().map(|c| c.into_owned()).collect())))
            .collect()
    }

    #[test]
    fn database_csv_reads_quotes_crlf_and_blank_lines() {
        let got = records("a,b\r\n\"x, \"\"y\"\"\", z \r\n\r\n\"multi\nline\",w\n");
        assert_eq!(
            got,
            [
                Ok((1, vec!["a".to_string(), "b".to_string()])),
                Ok((2, vec!["x, \"y\"".to_string(), "z".to_string()])),
                Ok((4, vec!["multi\nline".to_string(), "w".to_string()])),
            ]
        );
        let borrowed = CsvRecords::new("plain,\"quoted, no escapes\"\n")
            .next()
            .unwrap()
            .unwrap();
        assert!(borrowed.1.iter().all(|c| matches!(c, Cow::Borrowed(_))));
    }

    #[test]
    fn database_csv_reports_an_unclosed_quote_with_its_line() {
        let got = records("a,b\n\"never closed,x\n");
        assert_eq!(
            got[1],
            Err((2, "a quoted field is never closed".to_string()))
        );
    }
}
