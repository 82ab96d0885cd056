//! Resolved ingredients to one `Assessment`: the profile's waits, the 1% line, the
//! dual-use, scrub-only and citrus rules, product types, and the product's verdict.
//!
//! Every number comes from the database (`data/categories.csv`, `data/rules.csv`); this
//! module owns only the order in which the rules of docs/protocol.md sections 2 to 5
//! apply.
//! It never prints: reporters turn an `Assessment` into text, JSON or CSV.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use aho_corasick::AhoCorasick;

use serde::Serialize;

use crate::db::{CategoryKind, Database, Flags, Profile, Rating, Text, Wait};
use crate::label::{self, LabelError, ParsedLabel, PartKind};
use crate::matcher::{How, Matcher, Resolution, Resolved, Target};
use crate::normalize::{word_key, word_key_into};

/// The condition every answer carries (protocol section 2).
pub const CONDITION: &str =
    "resume any product only once redness, peeling and flaking have settled";

/// What the caller knows beyond the label.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub profile: Option<Profile>,
    /// Needle depth in mm; picks the profile when `profile` is not given.
    pub depth: Option<f64>,
    /// An explicit product type (a type id, or words such as a CSV `Label`).
    pub product_type: Option<String>,
    /// The product's name; its words may give the type.
    pub name: Option<String>,
    /// When the treatment ended; every wait is then also a date and time.
    pub treated_at: Option<jiff::ZonedDateTime>,
    /// A clinic's own waits for some categories, overriding the database.
    pub wait_overrides: HashMap<String, [Wait; 3]>,
    /// Only the answer: the verdict, waits, findings and unrecognised ingredients, as
    /// in a full assessment, without the notes and the known ingredients, for callers
    /// that show no more (a batch's CSV rows). A catalog's labels are checked faster
    /// without them.
    pub brief: bool,
}

/// The checker: the database and its matcher, built once and shared by threads.
#[derive(Clone)]
pub struct Checker {
    matcher: Arc<Matcher>,
    /// Every product-type word, for reading a name in one pass; built on first use.
    type_words: Arc<OnceLock<(AhoCorasick, Vec<usize>)>>,
}

/// Why a label could not be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Label(#[from] LabelError),
    #[error("no ingredient list found: {0}")]
    NoList(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Wait,
    /// Safety cannot be confirmed: a name is not recognised, or a medicine's active
    /// is there. The wait its recognised ingredients impose is a lower bound.
    Review,
    Avoid,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Wait => "wait",
            Verdict::Review => "review",
            Verdict::Avoid => "avoid",
        }
    }

    /// Anything but `ok` needs the reader's attention (exit code 1).
    pub fn needs_attention(self) -> bool {
        self != Verdict::Ok
    }
}

/// What a product's name or given type says of its type (see `Checker::read_type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeReading<'a> {
    /// An exact type id.
    Id(String),
    /// The type its words name, if any, and whether it says "mineral".
    Words {
        base: Option<&'a str>,
        mineral: bool,
    },
}

/// The answer for one product.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub verdict: Verdict,
    /// The product's wait in hours; `None` when it must be avoided.
    pub wait_hours: Option<u32>,
    /// The wait in words: `wait 7 days (from day 8)`, `review: at least 7 days (from
    /// day 8)`.
    pub wait_text: String,
    /// Why a `review` product cannot be confirmed, in words: the names not recognised
    /// and the medicines, each said once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    pub baseline_hours: u32,
    pub profile: Profile,
    pub product_type: String,
    /// Where the product type came from: `given`, `name`, `ingredients` or `default`.
    pub product_type_source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treated_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safe_from: Option<String>,
    pub findings: Vec<Finding>,
    pub notes: Vec<Note>,
    pub ingredients: Vec<Ingredient>,
    pub parts: Vec<PartSummary>,
    pub skipped: Vec<label::Skipped>,
    pub condition: &'static str,
}

impl Assessment {
    /// The ingredients the database does not know, in label order.
    pub fn unrecognized(&self) -> impl Iterator<Item = &Ingredient> {
        self.ingredients
            .iter()
            .filter(|i| i.status == Status::Unrecognized)
    }
}

/// An ingredient (or the product type) that imposes a wait.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The ingredient as printed.
    pub ingredient: String,
    /// The database name it resolved to (borrowed from the embedded database, as are
    /// the category and most reasons: a batch makes millions of findings).
    pub name: Text,
    /// Position in its part; `None` for a product-type window.
    pub position: Option<usize>,
    pub part: usize,
    pub category: Text,
    pub wait_hours: Option<u32>,
    pub reason: Text,
    /// Matched to a flagged name through a small misspelling.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub probable: bool,
    /// From a `may contain` block: present in some shades or batches.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub possible: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safe_from: Option<String>,
}

/// A context-only observation; never changes the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub ingredient: String,
    pub name: Text,
    pub position: Option<usize>,
    pub part: usize,
    pub category: Text,
    pub reason: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Known,
    Flagged,
    Unrecognized,
}

/// Every ingredient read from the label, in label order.
#[derive(Debug, Clone, Serialize)]
pub struct Ingredient {
    pub text: String,
    /// The database name it resolved to (borrowed from the embedded database).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    pub position: usize,
    pub part: usize,
    pub status: Status,
    /// The category of what it resolved to, whether or not it imposes a wait here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Text>,
    pub matched_by: How,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    pub may_contain: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// Byte span in the input, `[start, end)`.
    pub span: [usize; 2],
    /// At or after the estimated 1% line.
    pub below_line: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub kind: PartKind,
    /// The position of the first ingredient almost always used at 1% or less.
    pub one_percent_line: Option<usize>,
    pub wait_hours: Option<u32>,
}

impl Checker {
    pub fn new(db: Arc<Database>) -> Checker {
        Checker {
            matcher: Arc::new(Matcher::new(db)),
            type_words: Arc::default(),
        }
    }

    /// The embedded database.
    pub fn embedded() -> Result<Checker, crate::db::DbError> {
        Ok(Checker::new(Arc::new(Database::embedded()?)))
    }

    pub fn db(&self) -> &Database {
        self.matcher.db()
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// The profile the options ask for: named, from the depth, or standard.
    pub fn profile(&self, options: &Options) -> Profile {
        options
            .profile
            .or_else(|| options.depth.map(|d| Profile::from_depth(d, self.db())))
            .unwrap_or(Profile::Standard)
    }

    /// The wait of a category under a profile, with the options' overrides.
    pub fn wait(&self, category: &str, profile: Profile, options: &Options) -> Option<Wait> {
        if let Some(w) = options.wait_overrides.get(category) {
            return Some(w[profile as usize]);
        }
        self.db().category(category).and_then(|c| c.wait(profile))
    }

    /// Checks one label.
    pub fn check(&self, label_text: &str, options: &Options) -> Result<Assessment, CheckError> {
        let parsed = label::parse(label_text)?;
        self.assess(parsed, label_text, options)
    }

    fn assess(
        &self,
        mut parsed: ParsedLabel,
        label_text: &str,
        options: &Options,
    ) -> Result<Assessment, CheckError> {
        let db = self.db();
        let profile = self.profile(options);
        let (items, blends) = self.resolve(&mut parsed);
        if items.is_empty() {
            let why = if parsed.skipped.is_empty() {
                "the text has no ingredient names".to_string()
            } else {
                // Each kind of text passed over is named once.
                let mut kinds: Vec<&str> = Vec::new();
                for s in &parsed.skipped {
                    if !kinds.contains(&s.why) {
                        kinds.push(s.why);
                    }
                }
                format!(
                    "the text read holds no ingredient names; passed over: {}",
                    kinds.join("; ")
                )
            };
            return Err(CheckError::NoList(why));
        }
        if items.iter().all(|i| !i.resolution.is_known()) {
            return Err(CheckError::NoList(format!(
                "none of the {} item(s) is a known ingredient name (first: `{}`)",
                items.len(),
                items[0].text
            )));
        }
        let (product_type, type_source) = self.product_type(&items, options);
        let scrub = product_type == "scrub";
        // Each part's items, gathered once: a label may have thousands of parts, and
        // every rule below reads one part at a time.
        let mut by_part: Vec<Vec<&Item>> = vec![Vec::new(); parsed.parts.len()];
        for i in &items {
            by_part[i.part].push(i);
        }
        let lines: Vec<Option<usize>> = by_part
            .iter()
            .zip(&parsed.parts)
            .map(|(part, p)| self.one_percent_line(part, &p.kind))
            .collect();
        // Read only when a label has an oil whose phototoxicity a claim can remove.
        let furocoumarin_free = std::cell::OnceCell::new();
        let says_furocoumarin_free = || {
            *furocoumarin_free.get_or_init(|| {
                let lower = label_text.to_lowercase();
                [
                    "furocoumarin-free",
                    "furocoumarin free",
                    "bergapten-free",
                    "bergapten free",
                    "furocoumarins removed",
                    " fcf",
                ]
                .iter()
                .any(|w| lower.contains(w))
            })
        };
        // Which entries each part contains, for the buffer rule: searched only for a
        // dual-use acid, so a list, not a set built for every label.
        let mut present: Vec<(usize, usize)> = Vec::with_capacity(items.len());
        present.extend(items.iter().filter_map(|i| match i.resolution.target {
            Target::Entry(e) => Some((i.part, e)),
            _ => None,
        }));
        let water_first: Vec<bool> = by_part
            .iter()
            .map(|part| part.first().is_some_and(|i| i.is_water(self)))
            .collect();
        drop(by_part);
        // Room for the usual few findings, which grew it from nothing otherwise.
        let mut findings = Vec::with_capacity(8);
        let brief = options.brief;
        let mut notes: Vec<Note> = blends
            .into_iter()
            .filter(|_| !brief)
            .map(|(text, part)| Note {
                ingredient: text,
                name: Cow::Borrowed(""),
                position: None,
                part,
                category: "note".into(),
                reason: "an unknown blend, read as the ingredients listed in its brackets".into(),
            })
            .collect();
        // The rules read for every item, looked up once per label.
        let dual_use_percent = db.rule("dual-use-percent");
        let comedogenic_finding_min = db.rule("comedogenic-finding-min");
        let comedogenic_note_min = db.rule("comedogenic-note-min");
        // A note's reason, written only when notes are kept.
        let noted = |why: &dyn Fn() -> String| -> Text {
            if brief {
                Cow::Borrowed("")
            } else {
                why().into()
            }
        };
        // What keeps the verdict from `ok` or `wait`: names not recognised, and
        // medicines, whose prescriber decides (protocol section 2).
        let mut unrecognized: Vec<String> = Vec::new();
        let mut medicines: Vec<String> = Vec::new();
        // Briefly, only the unrecognised ones are kept.
        let mut ingredients = Vec::with_capacity(if brief { 0 } else { items.len() });
        for item in items {
            let line = lines[item.part];
            let below = item.may_contain || line.is_some_and(|l| item.position >= l);
            let stated = item.percent.map(|p| p >= dual_use_percent);
            let counts_as_active = match stated {
                Some(s) => s,
                None => !below,
            };
            let mut status = match item.resolution.target {
                Target::Unrecognized => Status::Unrecognized,
                _ => Status::Known,
            };
            let Some(Described {
                name,
                category,
                flags,
                reason,
                rating,
                kind,
            }) = self.describe(&item.resolution)
            else {
                unrecognized.push(item.text.clone());
                ingredients.push(item.ingredient(status, None, None, below, self));
                continue;
            };
            // Most ingredients are neither findings nor notes; those that are borrow
            // their name, category and (unless it is qualified) reason from the database.
            let mut category: Text = category.clone();
            let mut reason: Text = reason.clone();
            let mut finding: Option<(Text, Text)> = None;
            let mut note: Option<(Text, Text)> = None;
            // An active named in a drug-facts panel is a medicine's: the cosmetics
            // bans of Annex II do not govern it, its prescriber does.
            let medicine_active = kind == CategoryKind::Finding
                && category == "prohibited"
                && parsed.parts[item.part].kind == PartKind::Active;
            match kind {
                CategoryKind::Review => {
                    medicines.push(item.text.clone());
                    note = Some((category.clone(), reason));
                }
                CategoryKind::Finding if medicine_active => {
                    medicines.push(item.text.clone());
                    note = Some((
                        Cow::Borrowed("medicine"),
                        format!(
                            "the active of a medicine: follow the prescriber or pharmacist (as a cosmetic ingredient: {reason})"
                        )
                        .into(),
                    ));
                }
                CategoryKind::Finding => {
                    if flags.furocoumarin && says_furocoumarin_free() {
                        category = Cow::Borrowed("essential-oil");
                        reason = Cow::Owned(format!(
                            "{reason}; the label says furocoumarin-free, so an essential oil, not phototoxic"
                        ));
                    }
                    if flags.scrub_only {
                        let lead = lead_position(&item, water_first[item.part]);
                        if scrub || lead <= db.rule("scrub-first-positions") as usize {
                            let why = if scrub {
                                "in a scrub or polish"
                            } else {
                                "the first ingredient"
                            };
                            finding = Some((category.clone(), format!("{reason} ({why})").into()));
                        }
                    } else if let Some(what) = &flags.dual_use {
                        let buffer = flags.buffers.iter().find(|b| {
                            db.names
                                .get(&word_key(b))
                                .is_some_and(|&(salt, _)| present.contains(&(item.part, salt)))
                        });
                        if !counts_as_active {
                            note = Some((
                                category.clone(),
                                noted(&|| ["after the 1% line: ", what].concat()),
                            ));
                        } else if let (Some(salt), None) = (buffer, stated) {
                            note = Some((
                                category.clone(),
                                noted(&|| format!("with {salt}: a buffer ({what}), not an active")),
                            ));
                        } else {
                            finding = Some((category.clone(), reason));
                        }
                    } else {
                        finding = Some((category.clone(), reason));
                    }
                }
                CategoryKind::Note => note = Some((category.clone(), reason)),
                CategoryKind::Info if category == "beneficial" => {
                    note = Some((category.clone(), reason))
                }
                _ => {}
            }
            if finding.is_none()
                && note.is_none()
                && let Some(r) = rating
            {
                if f64::from(r.low) >= comedogenic_finding_min && counts_as_active {
                    finding = Some((
                        Cow::Borrowed("comedogenic"),
                        format!("comedogenic rating {r} (Fulton scale), above the 1% line").into(),
                    ));
                } else if f64::from(r.high) >= comedogenic_note_min {
                    let where_ = if counts_as_active {
                        ""
                    } else {
                        ", after the 1% line"
                    };
                    note = Some((
                        Cow::Borrowed("comedogenic"),
                        noted(&|| format!("comedogenic rating {r}{where_}: a note only")),
                    ));
                }
            }
            if let Some((cat, why)) = finding {
                status = Status::Flagged;
                let wait = self.wait(&cat, profile, options);
                let probable = matches!(item.resolution.how, How::Probable | How::PlantPart);
                let reason = match item.resolution.how {
                    How::Probable => {
                        format!("probably `{name}` (the label reads `{}`): {why}", item.text)
                            .into()
                    }
                    How::PlantPart => format!(
                        "the label names the plant but not its part (`{}`): read as `{name}`, the riskiest part the database has: {why}",
                        item.text
                    )
                    .into(),
                    _ => why,
                };
                findings.push(Finding {
                    ingredient: item.text.clone(),
                    name: name.clone(),
                    position: Some(item.position),
                    part: item.part,
                    category: cat,
                    wait_hours: wait.and_then(Wait::hours),
                    reason,
                    probable,
                    possible: item.may_contain,
                    safe_from: None,
                });
            } else if let Some((cat, why)) = note
                && !brief
            {
                notes.push(Note {
                    ingredient: item.text.clone(),
                    name: name.clone(),
                    position: Some(item.position),
                    part: item.part,
                    category: cat,
                    reason: why,
                });
            }
            if flags.eu_allergen
                && status == Status::Flagged
                && let Some(f) = findings.last_mut()
                && !f.reason.contains("allergen")
            {
                f.reason
                    .to_mut()
                    .push_str("; the EU lists it as a fragrance allergen");
            }
            if brief {
                continue;
            }
            if item.resolution.how == How::Alternate {
                let unknown = self.matcher.unresolved_alternates(&item.text);
                if !unknown.is_empty() {
                    notes.push(Note {
                        ingredient: item.text.clone(),
                        name: name.clone(),
                        position: Some(item.position),
                        part: item.part,
                        category: Cow::Borrowed("unrecognized"),
                        reason: format!(
                            "read as `{name}`; the alternate name(s) {} are not in the database",
                            crate::db::quote_list(&unknown)
                        )
                        .into(),
                    });
                }
            }
            let probable = matches!(item.resolution.how, How::Probable | How::PlantPart);
            let mut ing = item.ingredient(status, Some(name.clone()), Some(category), below, self);
            if probable {
                ing.suggestion = Some(name.to_string());
            }
            ingredients.push(ing);
        }
        if let Some(window) = db
            .category(&product_type)
            .filter(|c| c.kind == CategoryKind::ProductType)
        {
            findings.push(Finding {
                ingredient: String::new(),
                name: window.label.clone().into(),
                position: None,
                part: 0,
                category: window.id.clone().into(),
                wait_hours: self
                    .wait(&window.id, profile, options)
                    .and_then(Wait::hours),
                reason: format!(
                    "product type {} ({type_source}): {}",
                    product_type, window.reason
                )
                .into(),
                probable: false,
                possible: false,
                safe_from: None,
            });
        }
        let baseline = db.baseline(profile).hours().unwrap_or(0);
        let rank = |f: &Finding| {
            self.wait(&f.category, profile, options)
                .map_or(0, Wait::rank)
        };
        let avoid = findings.iter().any(|f| rank(f) == u64::MAX);
        let wait_hours = if avoid {
            None
        } else {
            Some(
                findings
                    .iter()
                    .filter_map(|f| f.wait_hours)
                    .fold(baseline, u32::max),
            )
        };
        let review = review_text(&unrecognized, &medicines);
        let verdict = match wait_hours {
            None => Verdict::Avoid,
            Some(_) if review.is_some() => Verdict::Review,
            Some(h) if h > baseline => Verdict::Wait,
            Some(_) => Verdict::Ok,
        };
        // Each part's wait, from one pass over the findings: `None` when one of its
        // ingredients must be avoided.
        let mut part_waits: Vec<Option<u32>> = vec![Some(baseline); parsed.parts.len()];
        for f in &findings {
            let w = &mut part_waits[f.part];
            match f.wait_hours {
                None if f.position.is_some() => *w = None,
                Some(h) => *w = w.map(|x| x.max(h)),
                None => {}
            }
        }
        let parts = parsed
            .parts
            .iter()
            .enumerate()
            .map(|(p, part)| PartSummary {
                name: part.name.clone(),
                kind: part.kind,
                one_percent_line: lines[p],
                wait_hours: part_waits[p],
            })
            .collect();
        let treated_at = options.treated_at.as_ref();
        let safe = |h: Option<u32>| -> Option<String> {
            let t = treated_at?;
            let h = h?;
            t.checked_add(jiff::Span::new().hours(i64::from(h)))
                .ok()
                .map(|z| format_time(&z))
        };
        for f in &mut findings {
            f.safe_from = safe(f.wait_hours);
        }
        // The longest wait first, then in label order; each finding's rank is looked
        // up once, not at every comparison.
        findings.sort_by_cached_key(|f| (std::cmp::Reverse(rank(f)), f.part, f.position));
        Ok(Assessment {
            verdict,
            wait_text: match verdict {
                Verdict::Review => at_least_text(wait_hours.unwrap_or(baseline), baseline),
                _ => wait_text(wait_hours, baseline),
            },
            review,
            wait_hours,
            baseline_hours: baseline,
            profile,
            product_type,
            product_type_source: type_source,
            name: options.name.clone(),
            treated_at: treated_at.map(format_time),
            safe_from: safe(wait_hours),
            findings,
            notes,
            ingredients,
            parts,
            skipped: parsed.skipped,
            condition: CONDITION,
        })
    }

    /// Resolves every parsed ingredient, expanding names that lost their separators,
    /// and renumbers positions so expanded names count as the ingredients they are.
    /// The parsed ingredients are taken: their texts move into the items.
    fn resolve(&self, parsed: &mut ParsedLabel) -> (Vec<Item>, Vec<(String, usize)>) {
        let mut items = Vec::with_capacity(parsed.ingredients.len());
        let mut blends = Vec::new();
        let texts: Vec<&str> = parsed.ingredients.iter().map(|r| r.text.as_str()).collect();
        let resolutions = self.matcher.resolve_each(&texts);
        drop(texts);
        for (raw, mut resolved) in std::mem::take(&mut parsed.ingredients)
            .into_iter()
            .zip(resolutions)
        {
            // `Covabsorb (Ethylhexyl Methoxycinnamate, Butyl Methoxydibenzoylmethane)`: an
            // unknown blend whose contents are listed in brackets is read as its contents,
            // so a trade name never hides what it contains.
            if let Resolved::One(r) = &resolved
                && r.how == How::Unrecognized
                && let Some(contents) = self.blend_contents(&raw.text)
            {
                blends.push((raw.text.clone(), raw.part));
                resolved = Resolved::Pieces(contents);
            }
            let item = |text, resolution| Item {
                text,
                resolution,
                position: 0,
                part: raw.part,
                percent: raw.percent,
                may_contain: raw.may_contain,
                span: [raw.span.start, raw.span.end],
            };
            match resolved {
                Resolved::One(resolution) => items.push(item(raw.text, resolution)),
                Resolved::Pieces(pieces) => {
                    for (text, resolution) in pieces {
                        items.push(item(text, resolution));
                    }
                }
            }
        }
        self.rejoin(&mut items);
        // Numbered per part in one pass each, may-contain entries after the rest.
        let mut listed = vec![0usize; parsed.parts.len()];
        for it in items.iter_mut().filter(|i| !i.may_contain) {
            listed[it.part] += 1;
            it.position = listed[it.part];
        }
        for it in items.iter_mut().filter(|i| i.may_contain) {
            listed[it.part] += 1;
            it.position = listed[it.part];
        }
        (items, blends)
    }

    /// The listed contents of `Name (A, B, C)` when at least one of them is a known
    /// name; `None` otherwise.
    fn blend_contents(&self, text: &str) -> Option<Vec<(String, Resolution)>> {
        let open = text.find('(')?;
        let close = text.rfind(')')?;
        let inner = text.get(open + 1..close)?;
        if !inner.contains(',') {
            return None;
        }
        let pieces: Vec<(String, Resolution)> = inner
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                // Scanned hyphenation inside a blend: `Butyl Methoxy- dibenzoylmethane`.
                let p = p.replace("- ", "");
                let r = self.matcher.resolve(&p);
                (p, r)
            })
            .collect();
        pieces
            .iter()
            .any(|(_, r)| r.is_known() && r.how != How::Probable)
            .then_some(pieces)
    }

    /// Joins neighbours that a comma split inside one name (`Helianthus, Annuus Seed
    /// Oil`, `Acrylates/C10-30 Alkyl, Acrylate Crosspolymer`): when one side is
    /// unrecognised and the two together are a known name, they are one ingredient.
    fn rejoin(&self, items: &mut Vec<Item>) {
        let mut i = 0;
        while i + 1 < items.len() {
            let (a, b) = (&items[i], &items[i + 1]);
            let unknown = |it: &Item| {
                matches!(
                    it.resolution.how,
                    How::Unrecognized | How::Probable | How::Pattern
                )
            };
            let joinable = a.part == b.part
                && a.may_contain == b.may_contain
                && (a.resolution.how == How::Unrecognized || b.resolution.how == How::Unrecognized)
                && (unknown(a) || unknown(b));
            if joinable {
                // Most pairs are not a name: the joined text is built without the
                // formatting machinery, which cost five times as much here.
                let text = [a.text.as_str(), " ", b.text.as_str()].concat();
                if let Some(r) = self.matcher.resolve_joined(&text) {
                    let span = [a.span[0], b.span[1]];
                    let percent = a.percent.or(b.percent);
                    items[i] = Item {
                        text,
                        resolution: r,
                        position: 0,
                        part: items[i].part,
                        percent,
                        may_contain: items[i].may_contain,
                        span,
                    };
                    items.remove(i + 1);
                    continue;
                }
            }
            i += 1;
        }
    }

    /// What the database says of a resolution.
    fn describe<'a>(&'a self, r: &Resolution) -> Option<Described<'a>> {
        let db = self.db();
        match r.target {
            Target::Entry(i) => {
                let e = self.matcher.entry(i);
                Some(Described {
                    name: &e.name,
                    category: &e.category,
                    flags: &e.flags,
                    reason: &e.reason,
                    rating: e.comedogenic,
                    kind: db.entry_category(i).kind,
                })
            }
            Target::Pattern(p) => {
                let pat = self.matcher.pattern(p);
                Some(Described {
                    name: &pat.id,
                    category: &pat.category,
                    flags: &pat.flags,
                    reason: &pat.reason,
                    rating: None,
                    kind: db.pattern_category(p).kind,
                })
            }
            Target::Unrecognized => None,
        }
    }

    fn flags_of(&self, r: &Resolution) -> Option<&Flags> {
        self.describe(r).map(|d| d.flags)
    }

    /// The 1% line of a part: the position of its first ingredient almost always used
    /// at 1% or less. A drug-facts active panel has none (its strengths are stated).
    fn one_percent_line(&self, part: &[&Item], kind: &PartKind) -> Option<usize> {
        if *kind == PartKind::Active {
            return None;
        }
        // An OTC drug's inactive ingredients may be listed alphabetically (21 CFR
        // 201.66), not by weight: such a list has no 1% line.
        if *kind == PartKind::Inactive {
            let names: Vec<String> = part
                .iter()
                .filter(|i| !i.may_contain)
                .map(|i| i.text.to_lowercase())
                .collect();
            if names.len() >= 3 && names.windows(2).all(|w| w[0] <= w[1]) {
                return None;
            }
        }
        part.iter()
            .filter(|i| !i.may_contain)
            .find(|i| match i.resolution.target {
                Target::Entry(e) => self.db().marks_line(e),
                Target::Pattern(p) => {
                    self.matcher.pattern(p).flags.marks_line
                        || self.db().pattern_category(p).marks_line
                }
                Target::Unrecognized => false,
            })
            .map(|i| i.position)
    }

    /// The product type: given, from the name, then from the ingredients (section 4).
    fn product_type(&self, items: &[Item], options: &Options) -> (String, &'static str) {
        let chemical_filter = items.iter().any(|i| {
            self.category_of(i)
                .is_some_and(|c| c.id == "chemical-uv-filter")
        });
        // A stated percentage first: most items have none, and their flags are not read.
        let mineral_filter = items.iter().any(|i| {
            !i.may_contain
                && i.percent.is_some()
                && self.flags_of(&i.resolution).is_some_and(|f| f.mineral)
        });
        // Zinc oxide or titanium dioxide leading a list that is not makeup is a mineral
        // sunscreen's filter, with or without an `Active:` heading.
        let lead = self.db().rule("mineral-filter-lead") as usize;
        let mineral_lead = || {
            let water_first = items.first().is_some_and(|i| i.is_water(self));
            items.iter().any(|i| {
                !i.may_contain
                    && i.part == 0
                    && lead_position(i, water_first) <= lead
                    && self.is_mineral_filter(i)
            })
        };
        if let Some(t) = &options.product_type
            && let Some(t) = self.type_from_words(t, chemical_filter, items)
        {
            return (t, "given");
        }
        if let Some(n) = &options.name
            && let Some(t) = self.type_from_words(n, chemical_filter, items)
        {
            return (t, "name");
        }
        if chemical_filter {
            return ("sunscreen".into(), "ingredients");
        }
        if mineral_filter {
            return ("mineral-sunscreen".into(), "ingredients");
        }
        if self.is_makeup(items) {
            let t = if self.is_mineral_makeup(items) {
                "mineral-makeup"
            } else {
                "makeup"
            };
            return (t.into(), "ingredients");
        }
        if mineral_lead() {
            return ("mineral-sunscreen".into(), "ingredients");
        }
        ("other".into(), "default")
    }

    fn type_from_words(&self, text: &str, chemical_filter: bool, items: &[Item]) -> Option<String> {
        Some(match self.read_type(text) {
            TypeReading::Id(id) => id,
            TypeReading::Words { base: None, .. } => return None,
            TypeReading::Words {
                base: Some(t),
                mineral,
            } => match t {
                "makeup" if mineral || self.is_mineral_makeup(items) => "mineral-makeup".into(),
                "sunscreen" if !chemical_filter && (mineral || self.has_mineral_filter(items)) => {
                    "mineral-sunscreen".into()
                }
                _ => t.to_string(),
            },
        })
    }

    /// What a product's name or given type says of its type before the ingredients
    /// are read. Two names that read the same give the same assessment.
    /// A product type given by a person (`--type`, the API's `type`): a type id or
    /// words that name one (`foundation`, `mineral powder`). Anything else is an error
    /// naming the valid ids, rather than a silent `other` that drops a window.
    pub fn given_type(&self, text: &str) -> Result<(), String> {
        match self.read_type(text) {
            TypeReading::Id(_) => Ok(()),
            TypeReading::Words { base: Some(_), .. } => Ok(()),
            TypeReading::Words { base: None, .. } => {
                let mut ids = self.db().product_type_ids();
                ids.sort_unstable();
                Err(format!(
                    "unknown product type `{text}`; types are {} (or words such as `foundation`, `scrub`, `SPF 30`)",
                    crate::db::quote_list(&ids)
                ))
            }
        }
    }

    pub fn read_type(&self, text: &str) -> TypeReading<'_> {
        thread_local! {
            // Every record's name is read: its lowercase form and word key are built in
            // buffers kept per thread.
            static BUFFERS: std::cell::RefCell<(String, String)> = Default::default();
        }
        BUFFERS.with(|buffers| {
            let (id, key) = &mut *buffers.borrow_mut();
            self.read_type_in(text, id, key)
        })
    }

    fn read_type_in(&self, text: &str, id: &mut String, key: &mut String) -> TypeReading<'_> {
        let db = self.db();
        // An exact type id (`mineral-makeup`, `other`) is taken as it is.
        id.clear();
        id.push_str(text.trim());
        id.make_ascii_lowercase();
        if id == "other"
            || db.type_words.iter().any(|t| t.product_type == *id)
            || db
                .category(id)
                .is_some_and(|c| c.kind == CategoryKind::ProductType)
        {
            return TypeReading::Id(id.clone());
        }
        word_key_into(text, key);
        key.insert(0, ' ');
        key.push(' ');
        let (finder, rows) = self.type_words.get_or_init(|| {
            let mut words = Vec::new();
            let mut rows = Vec::new();
            for (row, t) in db.type_words.iter().enumerate() {
                for w in &t.words {
                    words.push(w.as_str());
                    rows.push(row);
                }
            }
            let finder = AhoCorasick::new(&words).expect("type words build an automaton");
            (finder, rows)
        });
        let mut mineral = false;
        let mut base: Option<usize> = None;
        for m in finder.find_overlapping_iter(key.as_str()) {
            let row = rows[m.pattern().as_usize()];
            if db.type_words[row].product_type == "mineral" {
                mineral = true;
            } else {
                base = Some(base.map_or(row, |b| b.min(row)));
            }
        }
        let base = base.map(|row| db.type_words[row].product_type.as_str());
        TypeReading::Words { base, mineral }
    }

    fn has_mineral_filter(&self, items: &[Item]) -> bool {
        items
            .iter()
            .any(|i| !i.may_contain && self.is_mineral_filter(i))
    }

    /// Zinc oxide or titanium dioxide: a mineral base that is a beneficial UV filter.
    fn is_mineral_filter(&self, i: &Item) -> bool {
        self.describe(&i.resolution)
            .is_some_and(|d| d.flags.mineral && d.category == "beneficial")
    }

    /// Makeup: a pigment or mineral among the first ingredients, and enough pigments.
    /// The first is asked first: it reads the flags of a few items, not of all.
    fn is_makeup(&self, items: &[Item]) -> bool {
        let db = self.db();
        let lead = db.rule("makeup-pigment-lead") as usize;
        let leads = items.iter().any(|i| {
            !i.may_contain
                && i.position <= lead
                && self
                    .flags_of(&i.resolution)
                    .is_some_and(|f| f.pigment || f.mineral)
        });
        leads && {
            let pigments = items
                .iter()
                .filter(|i| self.flags_of(&i.resolution).is_some_and(|f| f.pigment))
                .count();
            pigments >= db.rule("makeup-min-pigments") as usize
        }
    }

    fn is_mineral_makeup(&self, items: &[Item]) -> bool {
        let n = self.db().rule("mineral-makeup-lead") as usize;
        let first: Vec<&Item> = items
            .iter()
            .filter(|i| !i.may_contain && i.part == 0)
            .take(n)
            .collect();
        !first.is_empty()
            && first.iter().all(|i| {
                self.flags_of(&i.resolution)
                    .is_some_and(|f| f.mineral || f.pigment)
            })
    }

    /// The category of what an item resolved to, from the database's few categories
    /// rather than from its entry, which is elsewhere in memory for each item.
    fn category_of(&self, item: &Item) -> Option<&crate::db::Category> {
        match item.resolution.target {
            Target::Entry(i) => Some(self.db().entry_category(i)),
            Target::Pattern(p) => Some(self.db().pattern_category(p)),
            Target::Unrecognized => None,
        }
    }
}

/// What the database says of a resolved name. Name and category are the database's
/// own texts, so an ingredient holds them without copying (the embedded database's
/// are borrowed for the whole run).
struct Described<'a> {
    name: &'a Text,
    category: &'a Text,
    flags: &'a Flags,
    reason: &'a Text,
    rating: Option<Rating>,
    kind: CategoryKind,
}

/// One resolved ingredient on its way to the assessment.
struct Item {
    text: String,
    resolution: Resolution,
    position: usize,
    part: usize,
    percent: Option<f64>,
    may_contain: bool,
    span: [usize; 2],
}

impl Item {
    /// Whether the item is the entry named or aliased `Water` or `Aqua`: the database
    /// gives each word key to one entry, so it is found by those keys.
    fn is_water(&self, checker: &Checker) -> bool {
        let Target::Entry(i) = self.resolution.target else {
            return false;
        };
        ["water", "aqua"]
            .iter()
            .any(|k| checker.db().names.get(*k).is_some_and(|&(e, _)| e == i))
    }

    /// The item as reported; its text moves into the ingredient.
    fn ingredient(
        self,
        status: Status,
        name: Option<Text>,
        category: Option<Text>,
        below_line: bool,
        checker: &Checker,
    ) -> Ingredient {
        let suggestion = self
            .resolution
            .suggestion
            .map(|i| checker.matcher.entry(i).name.to_string());
        Ingredient {
            text: self.text,
            name,
            position: self.position,
            part: self.part,
            status,
            category,
            matched_by: self.resolution.how,
            suggestion,
            may_contain: self.may_contain,
            percent: self.percent,
            span: self.span,
            below_line,
        }
    }
}

/// Position in the part not counting a leading water: the vehicle is not what a
/// product is "first" made of.
fn lead_position(item: &Item, water_first: bool) -> usize {
    if water_first && item.position > 1 {
        item.position - 1
    } else {
        item.position
    }
}

/// `wait 7 days (from day 8)`, `ok after the first 8 hours`, `avoid`. Every check
/// words its wait, so the text is put together piece by piece rather than formatted.
pub fn wait_text(hours: Option<u32>, baseline: u32) -> String {
    let Some(h) = hours else {
        return "avoid: not recommended at any time after the procedure".into();
    };
    let mut s = String::with_capacity(32);
    if h <= baseline {
        s.push_str("ok after the first ");
        s.push_str(decimal(h, &mut [0; 10]));
        s.push_str(" hours");
    } else if h % 24 == 0 {
        let d = h / 24;
        s.push_str("wait ");
        s.push_str(decimal(d, &mut [0; 10]));
        s.push_str(if d == 1 {
            " day (from day "
        } else {
            " days (from day "
        });
        s.push_str(decimal(d + 1, &mut [0; 10]));
        s.push(')');
    } else {
        s.push_str("wait ");
        s.push_str(decimal(h, &mut [0; 10]));
        s.push_str(" hours");
        if h >= 24 {
            s.push_str(" (from day ");
            s.push_str(decimal(h.div_ceil(24) + 1, &mut [0; 10]));
            s.push(')');
        }
    }
    s
}

/// The wait of a `review` product, a lower bound: `review: at least 7 days (from day
/// 8)`, `review: at least the first 8 hours`.
pub fn at_least_text(hours: u32, baseline: u32) -> String {
    if hours <= baseline {
        return format!("review: at least the first {hours} hours");
    }
    let wait = wait_text(Some(hours), baseline);
    format!(
        "review: at least {}",
        wait.strip_prefix("wait ").unwrap_or(&wait)
    )
}

/// Why a product is `review`, or `None` when nothing keeps it from a plain answer:
/// `1 name not recognised: `Adapalene USP` (check it by hand, or add it to an
/// overlay)`.
fn review_text(unrecognized: &[String], medicines: &[String]) -> Option<String> {
    let mut parts = Vec::new();
    fn distinct(names: &[String]) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for n in names {
            if !seen.iter().any(|s| s.eq_ignore_ascii_case(n)) {
                seen.push(n);
            }
        }
        seen
    }
    let unknown = distinct(unrecognized);
    if !unknown.is_empty() {
        let n = unknown.len();
        parts.push(format!(
            "{n} {} not recognised: {} (check {} by hand, or add {} to an overlay)",
            if n == 1 { "name" } else { "names" },
            crate::db::quote_list(&unknown),
            if n == 1 { "it" } else { "them" },
            if n == 1 { "it" } else { "them" },
        ));
    }
    let meds = distinct(medicines);
    if !meds.is_empty() {
        let n = meds.len();
        parts.push(format!(
            "{n} {}: {} (follow the prescriber or pharmacist)",
            if n == 1 { "medicine" } else { "medicines" },
            crate::db::quote_list(&meds),
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// A number's decimal digits, written into `buf` without allocating.
pub(crate) fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return std::str::from_utf8(&buf[i..]).expect("ASCII digits");
        }
    }
}

/// RFC 3339 with the zone's offset.
pub fn format_time(z: &jiff::ZonedDateTime) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Counts findings by category, most delaying first and otherwise in label order:
/// `2 retinoids, 1 AHA`.
pub fn summarize(a: &Assessment, db: &Database) -> String {
    // Findings are already sorted by wait, then part and position.
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for f in &a.findings {
        match counts.iter_mut().find(|(c, _)| *c == f.category) {
            Some((_, n)) => *n += 1,
            None => counts.push((&f.category, 1)),
        }
    }
    counts
        .into_iter()
        .map(|(c, n)| {
            let label = match db.category(c) {
                Some(cat) if n == 1 => cat.label.as_str(),
                Some(cat) => cat.plural.as_str(),
                None => c,
            };
            format!("{n} {label}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_worded_in_hours_days_and_the_day_they_end() {
        let cases = [
            (
                None,
                8,
                "avoid: not recommended at any time after the procedure",
            ),
            (Some(0), 8, "ok after the first 0 hours"),
            (Some(8), 8, "ok after the first 8 hours"),
            (Some(12), 8, "wait 12 hours"),
            (Some(24), 8, "wait 1 day (from day 2)"),
            (Some(36), 8, "wait 36 hours (from day 3)"),
            (Some(48), 8, "wait 2 days (from day 3)"),
            (Some(168), 8, "wait 7 days (from day 8)"),
            (Some(100), 120, "ok after the first 100 hours"),
            (
                Some(4_294_967_295),
                8,
                "wait 4294967295 hours (from day 178956972)",
            ),
        ];
        for (hours, baseline, text) in cases {
            assert_eq!(
                wait_text(hours, baseline),
                text,
                "{hours:?} h, baseline {baseline} h"
            );
        }
    }
}
