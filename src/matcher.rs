//! Names to database entries: whole INCI names only, never substrings.
//!
//! A name is tried, in order: as printed, through its parenthesised forms, with its
//! words glued together, against the grammar of `data/patterns.csv`, as alternates
//! (`Aqua/Water/Eau`), as several names that lost their separators, and finally against
//! the nearest known name (OCR and typing errors). The matcher never reads a label or a
//! file: it is given one ingredient's text and answers what it is.

use rustc_hash::FxHashMap;
use std::sync::{Arc, OnceLock, RwLock};

use serde::Serialize;

use crate::db::{CategoryKind, Database, Entry, Pattern};
use crate::normalize::{
    compact_key, edit_distance_within, name_keys, without_spaces, word_key, word_key_into,
};
use crate::text_hash::TextHash;

/// What one piece of label text resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Entry(usize),
    Pattern(usize),
    Unrecognized,
}

/// How it resolved: how much to trust the match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum How {
    /// The entry's name as printed (any case, spacing or punctuation).
    Name,
    /// One of the entry's aliases.
    Alias,
    /// Through a parenthesised form (`Cocos Nucifera (Coconut) Oil` = `Coconut Oil`).
    Parenthesised,
    /// The same letters with words glued or broken (`CitricAcid`, `Pheno-xyethanol`).
    Compact,
    /// One of several alternate names (`Aqua/Water/Eau`).
    Alternate,
    /// A family rule from `data/patterns.csv`.
    Pattern,
    /// Within a small edit distance of a flagged name: a probable match.
    Probable,
    /// A plant named without its part (`Lavandula Angustifolia (Lavender)`): read as
    /// the riskiest part of that plant the database has.
    PlantPart,
    Unrecognized,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub target: Target,
    pub how: How,
    /// For an unrecognised name: the nearest known entry.
    pub suggestion: Option<usize>,
}

impl Resolution {
    fn unrecognized(suggestion: Option<usize>) -> Resolution {
        Resolution {
            target: Target::Unrecognized,
            how: How::Unrecognized,
            suggestion,
        }
    }

    fn entry(i: usize, how: How) -> Resolution {
        Resolution {
            target: Target::Entry(i),
            how,
            suggestion: None,
        }
    }

    pub fn is_known(&self) -> bool {
        self.target != Target::Unrecognized
    }
}

/// What one ingredient's text resolved to (see `Matcher::resolve_all`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The text is one ingredient.
    One(Resolution),
    /// The text is several known names whose separators were lost, each with the
    /// name it stands for.
    Pieces(Vec<(String, Resolution)>),
}

thread_local! {
    /// A word-key buffer per thread: a label's names are looked up without
    /// allocating a key for each.
    static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    /// Each thread's remembered resolutions (see `Matcher::resolve_all`).
    static RECENT: std::cell::RefCell<Recent> = std::cell::RefCell::default();
}

/// Resolutions a thread has made (of single texts, and of neighbours joined again),
/// by a 128-bit hash of the text, for one matcher at a time. A new label is made
/// mostly of names met before, and looking one up by its hash is a single probe,
/// where resolving it again normalises the text and compares keys held elsewhere in
/// memory.
#[derive(Default)]
struct Recent {
    matcher: u64,
    hash: TextHash,
    by_hash: FxHashMap<u128, Resolved>,
    /// What neighbours joined again resolved to (see `Matcher::resolve_joined`).
    joined: FxHashMap<u128, Option<Resolution>>,
}

impl Recent {
    /// Makes the memory `matcher`'s, empty, unless it is already and has room.
    fn claim(&mut self, matcher: u64) {
        if self.matcher != matcher || self.by_hash.len() + self.joined.len() >= RECENT_LIMIT {
            self.matcher = matcher;
            self.hash = TextHash::new();
            self.by_hash.clear();
            self.joined.clear();
        }
    }
}

/// How many resolutions and joined texts a thread remembers before it starts afresh
/// (about 64 bytes each).
const RECENT_LIMIT: usize = 32_768;

/// Numbers matchers, so a thread's remembered resolutions are never another's.
static MATCHERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Forms of the database's names other than as printed.
#[derive(Default)]
struct Forms {
    /// Parenthesised forms of names; `None` where two entries share one.
    derived: FxHashMap<String, Option<usize>>,
    /// Names and aliases without spaces; `None` where ambiguous.
    compact: FxHashMap<String, Option<usize>>,
}

/// Records that a form names entry `i`, or marks it ambiguous when another entry
/// already has it.
fn note(map: &mut FxHashMap<String, Option<usize>>, key: String, i: usize) {
    map.entry(key)
        .and_modify(|v| {
            if *v != Some(i) {
                *v = None
            }
        })
        .or_insert(Some(i));
}

/// Compact keys of one length, with the entries they name. Each key's letter counts
/// are kept, and apart from them, packed for a scan, which letters and digits it has.
/// The keys are end to end in one buffer (they are all `len` bytes), in entry order.
#[derive(Default)]
struct LengthBucket {
    len: usize,
    letters: Vec<u64>,
    bytes: Vec<u8>,
    counts: Vec<Histogram>,
    entries: Vec<usize>,
}

impl LengthBucket {
    /// Each key with its letter set, letter counts and entry.
    fn keys(&self) -> impl Iterator<Item = (u64, &[u8], &Histogram, usize)> {
        let len = self.len.max(1);
        self.letters
            .iter()
            .zip(self.bytes.chunks_exact(len))
            .zip(&self.counts)
            .zip(&self.entries)
            .map(|(((&letters, key), counts), &i)| (letters, key, counts, i))
    }
}

/// Counts of each letter and digit, and one bin for the rest: 37 bins, padded with
/// zeros to 48 so that comparing two is a few vector instructions (a sum of absolute
/// differences), not 37 steps.
type Histogram = [u8; 48];

/// How many resolutions of unusual text are remembered before the cache starts afresh.
const RESOLVED_CACHE_LIMIT: usize = 200_000;

/// How many nearest-name answers are remembered before the cache starts afresh.
const NEAREST_CACHE_LIMIT: usize = 100_000;

/// The remembered answer for `key`, or `make`'s, remembered. A full cache starts
/// afresh: a batch over millions of labels must not grow it without bound.
fn remember<T: Clone>(
    cache: &RwLock<FxHashMap<String, T>>,
    key: &str,
    limit: usize,
    make: impl FnOnce() -> T,
) -> T {
    if let Some(hit) = cache.read().expect("no panic holds the lock").get(key) {
        return hit.clone();
    }
    let answer = make();
    let mut cache = cache.write().expect("no panic holds the lock");
    if cache.len() >= limit {
        cache.clear();
    }
    cache.insert(key.to_string(), answer.clone());
    answer
}

/// The sum of the differences between two keys' letter counts. Summed sixteen bins at
/// a time into a `u16` (a bin's difference is at most 255), which compiles to one
/// vector instruction per sixteen bins (`psadbw` on x86).
fn count_difference(a: &Histogram, b: &Histogram) -> u32 {
    let mut total = 0u32;
    for (x, y) in a.chunks_exact(16).zip(b.chunks_exact(16)) {
        let mut sum = 0u16;
        for i in 0..16 {
            sum += u16::from(x[i].abs_diff(y[i]));
        }
        total += u32::from(sum);
    }
    total
}

/// Keys ordered by the entry they name, by counting (entry indices are dense), where
/// a comparison sort of every key would cost more than the rest of the index.
fn in_entry_order(keys: Vec<(&str, usize)>) -> Vec<(&str, usize)> {
    let entries = keys.iter().map(|&(_, i)| i + 1).max().unwrap_or(0);
    let mut starts = vec![0usize; entries + 1];
    for &(_, i) in &keys {
        starts[i + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut ordered = vec![("", 0); keys.len()];
    for (k, i) in keys {
        ordered[starts[i]] = (k, i);
        starts[i] += 1;
    }
    ordered
}

/// The letter counts of a key.
fn histogram(key: &[u8]) -> Histogram {
    let mut h = [0u8; 48];
    for &b in key {
        let bin = match b {
            b'a'..=b'z' => (b - b'a') as usize,
            b'0'..=b'9' => 26 + (b - b'0') as usize,
            _ => 36,
        };
        h[bin] = h[bin].saturating_add(1);
    }
    h
}

/// Which letters and digits a key has, a bit for each bin of its histogram. An edit
/// adds a letter the key did not have, or takes away its last of one, or both (a
/// substitution): keys `d` edits apart differ in at most `2 * d` bits. A weaker bound
/// than the letter counts', but read from eight bytes a key, packed together, where
/// the counts take 48 each: most keys of a length are passed over at that.
fn letters_of(hist: &Histogram) -> u64 {
    let mut mask = 0;
    for (bin, &n) in hist.iter().enumerate() {
        mask |= u64::from(n > 0) << bin;
    }
    mask
}

/// The digits of a key, in order.
fn digits_of(key: &[u8]) -> Vec<u8> {
    key.iter().copied().filter(u8::is_ascii_digit).collect()
}

/// Digits standing between letters are OCR misreadings of letters: `glyco1ic`.
fn ocr_repair(key: &str) -> String {
    let b = key.as_bytes();
    let mut out = String::with_capacity(key.len());
    for (i, &c) in b.iter().enumerate() {
        let letter_before = i > 0 && b[i - 1].is_ascii_alphabetic();
        let letter_after = b.get(i + 1).is_some_and(u8::is_ascii_alphabetic);
        let fixed = match c {
            b'1' if letter_before && letter_after => 'l',
            b'0' if letter_before && letter_after => 'o',
            b'5' if letter_before && letter_after => 's',
            c => c as char,
        };
        out.push(fixed);
    }
    out
}

/// The database's names, indexed for lookup.
pub struct Matcher {
    db: Arc<Database>,
    /// This matcher's number (see `Recent`).
    id: u64,
    forms: OnceLock<Forms>,
    /// The length of the longest word key of a name or alias, in bytes: how far a
    /// name can reach when text whose separators were lost is covered with names.
    longest_key: OnceLock<usize>,
    /// Compact keys by length, for the nearest-name search; built on first use.
    by_length: OnceLock<Vec<LengthBucket>>,
    /// Nearest-name answers already computed: a batch meets the same unknown names
    /// again and again.
    nearest_cache: RwLock<FxHashMap<String, Option<Near>>>,
    /// Resolutions of text not found as printed.
    resolved_cache: RwLock<FxHashMap<String, Resolved>>,
    /// Neighbours joined again (see `resolve_joined`), when not found as printed.
    joined_cache: RwLock<FxHashMap<String, Option<Resolution>>>,
    /// Unknown alternates of slash-joined names (`Aqua/Water/Eau` is on most labels).
    alternates_cache: RwLock<FxHashMap<String, Vec<String>>>,
}

impl Matcher {
    pub fn new(db: Arc<Database>) -> Matcher {
        Matcher {
            db,
            id: MATCHERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            forms: OnceLock::new(),
            longest_key: OnceLock::new(),
            by_length: OnceLock::new(),
            nearest_cache: RwLock::new(FxHashMap::default()),
            resolved_cache: RwLock::new(FxHashMap::default()),
            joined_cache: RwLock::new(FxHashMap::default()),
            alternates_cache: RwLock::new(FxHashMap::default()),
        }
    }

    /// The parenthesised and compact forms, built the first time a name is not found
    /// as printed. Names and aliases themselves are indexed by the database.
    fn forms(&self) -> &Forms {
        self.forms.get_or_init(|| {
            let db = &self.db;
            let mut forms = Forms::default();
            forms.compact.reserve(db.names.len());
            for (k, &(i, _)) in &db.names {
                note(&mut forms.compact, without_spaces(k), i);
            }
            for (i, e) in db.entries.iter().enumerate() {
                for n in std::iter::once(&e.name).chain(&e.aliases) {
                    if !n.contains(['(', '[']) {
                        continue;
                    }
                    for k in name_keys(n).into_iter().skip(1) {
                        note(&mut forms.compact, without_spaces(&k), i);
                        note(&mut forms.derived, k, i);
                    }
                }
            }
            forms
        })
    }

    /// A curated name or alias. The CosIng names benign by their functions come
    /// after every curated form (see `named`): `Citrus Aurantium Amara Peel Oil` is
    /// the curated `Citrus Aurantium Amara (Bitter Orange) Peel Oil`, not a CosIng
    /// name of its own.
    fn exact(&self, key: &str) -> Option<(usize, How)> {
        self.db
            .names
            .get(key)
            .map(|&(i, alias)| (i, if alias { How::Alias } else { How::Name }))
    }

    fn longest_key(&self) -> usize {
        *self.longest_key.get_or_init(|| {
            let curated = self.db.names.keys().map(String::len);
            let cosing = crate::cosing_names::NAMES.iter().map(|(k, _, _)| k.len());
            curated.chain(cosing).max().unwrap_or(0)
        })
    }

    fn by_length(&self) -> &[LengthBucket] {
        self.by_length.get_or_init(|| {
            // In entry order, so that of two names as near, the earlier entry is the
            // one found first, whatever the map's order (keys of one entry name the
            // same entry, so their order does not matter).
            let keys: Vec<(&str, usize)> = self
                .forms()
                .compact
                .iter()
                .filter_map(|(k, v)| v.map(|i| (k.as_str(), i)))
                .collect();
            let mut buckets: Vec<LengthBucket> = Vec::new();
            for (k, i) in in_entry_order(keys) {
                let len = k.len();
                if buckets.len() <= len {
                    buckets.resize_with(len + 1, LengthBucket::default);
                }
                let bucket = &mut buckets[len];
                let counts = histogram(k.as_bytes());
                bucket.len = len;
                bucket.letters.push(letters_of(&counts));
                bucket.bytes.extend_from_slice(k.as_bytes());
                bucket.counts.push(counts);
                bucket.entries.push(i);
            }
            buckets
        })
    }

    pub fn db(&self) -> &Database {
        &self.db
    }

    pub fn entry(&self, i: usize) -> &Entry {
        self.db.entry(i)
    }

    pub fn pattern(&self, i: usize) -> &Pattern {
        &self.db.patterns[i]
    }

    /// Resolves one ingredient's text. Gives several pieces when the text is several
    /// known names whose separators were lost (`Water Glycerin`).
    pub fn resolve_all(&self, text: &str) -> Resolved {
        self.resolve_each(&[text])
            .pop()
            .expect("one resolution for one text")
    }

    /// `resolve_all` for each text of a label, in order. The thread's remembered
    /// resolutions are looked up for all of them first, one probe after another with
    /// nothing in between, so the waits for memory overlap instead of adding up.
    pub fn resolve_each(&self, texts: &[&str]) -> Vec<Resolved> {
        let found: Vec<Result<Resolved, u128>> = RECENT.with(|recent| {
            let mut recent = recent.borrow_mut();
            recent.claim(self.id);
            // All the hashes first, then all the probes (see `Plans::get_or_make_each`).
            let keys: Vec<u128> = texts.iter().map(|t| recent.hash.of(t.as_bytes())).collect();
            keys.into_iter()
                .map(|key| recent.by_hash.get(&key).cloned().ok_or(key))
                .collect()
        });
        let mut new = Vec::new();
        let resolved = found
            .into_iter()
            .zip(texts)
            .map(|(found, text)| {
                found.unwrap_or_else(|key| {
                    let r = self.resolve_all_afresh(text);
                    new.push((key, r.clone()));
                    r
                })
            })
            .collect();
        if !new.is_empty() {
            RECENT.with(|recent| {
                let mut recent = recent.borrow_mut();
                // Unless another matcher has taken the thread's memory meanwhile.
                if recent.matcher == self.id {
                    recent.by_hash.extend(new);
                }
            });
        }
        resolved
    }

    fn resolve_all_afresh(&self, text: &str) -> Resolved {
        // Names as printed are one hash lookup; anything else is remembered, since a
        // catalog repeats the same odd names thousands of times.
        if let Some(r) = self.exact_text(text) {
            return Resolved::One(r);
        }
        remember(&self.resolved_cache, text, RESOLVED_CACHE_LIMIT, || {
            self.resolve_all_uncached(text)
        })
    }

    fn resolve_all_uncached(&self, text: &str) -> Resolved {
        let r = self.resolve(text);
        if r.is_known() && !matches!(r.how, How::Probable | How::PlantPart) {
            return Resolved::One(r);
        }
        match self.cover(text).or_else(|| self.conjoined(text)) {
            Some(pieces) => Resolved::Pieces(pieces),
            None => Resolved::One(r),
        }
    }

    /// `Cetearyl Alcohol And Ceteareth-20`, `Purified Water & Glycerine`: a supplier's
    /// blend written with `and` or `&`, when every part is a known name.
    fn conjoined(&self, text: &str) -> Option<Vec<(String, Resolution)>> {
        let spaced = text.replace('&', " and ");
        let lower = spaced.to_ascii_lowercase();
        if !lower.contains(" and ") {
            return None;
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        for (at, _) in lower.match_indices(" and ") {
            pieces.push(spaced[start..at].trim());
            start = at + " and ".len();
        }
        pieces.push(spaced[start..].trim());
        if pieces.len() < 2 || pieces.iter().any(|p| p.is_empty()) || !balanced(&pieces) {
            return None;
        }
        pieces
            .into_iter()
            .map(|p| {
                let r = self.known(p)?;
                let name = match r.target {
                    Target::Entry(i) => self.db.entry(i).name.to_string(),
                    _ => p.to_string(),
                };
                Some((name, r))
            })
            .collect()
    }

    /// The entry whose name or alias has the text's word key.
    fn exact_text(&self, text: &str) -> Option<Resolution> {
        KEY.with(|key| {
            let mut key = key.borrow_mut();
            word_key_into(text, &mut key);
            self.exact(&key).map(|(i, how)| Resolution::entry(i, how))
        })
    }

    /// Resolves one ingredient's text to a single answer.
    pub fn resolve(&self, text: &str) -> Resolution {
        self.known(text)
            .map(|r| self.unless_part_left_out(text, r))
            .or_else(|| self.common_name_first(text))
            .or_else(|| self.plant_without_part(text))
            .unwrap_or_else(|| self.nearest(text))
    }

    /// `Lavandula Angustifolia (Lavender)` is known by its common name alone, but that
    /// is the plant without its part: read as such, so the answer says so.
    fn unless_part_left_out(&self, text: &str, r: Resolution) -> Resolution {
        if r.how != How::Parenthesised {
            return r;
        }
        let keys = name_keys(text);
        let outer_known = keys.get(1).is_none_or(|k| {
            self.exact(k).is_some()
                || self.forms().derived.contains_key(k)
                || self.db.name(k).is_some()
        });
        if outer_known {
            return r;
        }
        self.plant_without_part(text).unwrap_or(r)
    }

    /// `Organic Lavender Flower (Lavandula Angustifolia) Essential Oil`, `Kokum Butter
    /// (Garcinia Indica)`: the common name first and the botanical one in brackets,
    /// read as the INCI order, the botanical name with the parts the label gives.
    fn common_name_first(&self, text: &str) -> Option<Resolution> {
        let open = text.find('(')?;
        let close = open + text[open..].find(')')?;
        let plant = word_key(&text[open + 1..close]);
        if !(2..=3).contains(&plant.split(' ').count())
            || !plant.bytes().all(|b| b.is_ascii_lowercase() || b == b' ')
        {
            return None;
        }
        let (before, after) = (&text[..open], &text[close + 1..]);
        if before.contains(['&', '(', '[']) || after.contains(['&', '(', '[']) {
            return None;
        }
        let outside = word_key(&format!("{before} {after}"));
        let parts: Vec<&str> = outside
            .split(' ')
            .filter(|w| PLANT_PARTS.contains(w))
            .collect();
        // The rest is a common name and a qualifier or two (`Organic Sweet Orange`).
        if parts.is_empty() || parts.len() > 3 || outside.split(' ').count() > parts.len() + 4 {
            return None;
        }
        let name = format!("{plant} {}", parts.join(" "));
        // Names only: a family pattern would accept any words in that order.
        self.named(&name_keys(&name))
            .map(|r| Resolution {
                how: How::Parenthesised,
                ..r
            })
            .or_else(|| self.plant_without_part(&name))
    }

    /// A botanical name printed without its part (`Lavandula Angustifolia (Lavender)`,
    /// `Aloe Barbadensis`): the riskiest part of that plant the curated database has
    /// (the longest wait; an oil before an extract), or a CosIng part, all benign.
    fn plant_without_part(&self, text: &str) -> Option<Resolution> {
        // The name without its bracketed common name: `lavandula angustifolia`.
        let mut bare = String::with_capacity(text.len());
        let mut depth = 0usize;
        for c in text.chars() {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth = depth.saturating_sub(1),
                _ if depth == 0 => bare.push(c),
                _ => {}
            }
        }
        let mut key = word_key(&bare);
        if !key.bytes().all(|b| b.is_ascii_lowercase() || b == b' ') {
            return None;
        }
        if let Some(plant) = key.strip_suffix(" essential oil") {
            key = format!("{plant} oil");
        }
        // `Salvia Hispanica Oil`, `Garcinia Indica Butter`: the plant and what was made
        // of it, without the part it was made from (`Seed`).
        let (plant, tail) = match key.rsplit_once(' ') {
            Some((plant, tail)) if PLANT_PRODUCTS.contains(&tail) && plant.contains(' ') => {
                (plant, Some(tail))
            }
            _ => (key.as_str(), None),
        };
        let words = plant.split(' ').count();
        if !(2..=3).contains(&words) {
            return None;
        }
        let prefix = format!("{plant} ");
        // A perfumer's `Absolute` is a scent of any part; `Oil` is some part's oil.
        let suffix = tail
            .filter(|t| !matches!(*t, "absolute" | "concrete" | "resinoid"))
            .map(|t| format!(" {t}"));
        let fits =
            |k: &str| k.starts_with(&prefix) && suffix.as_deref().is_none_or(|s| k.ends_with(s));
        let rank = |i: usize| {
            let c = self.db.entry_category(i);
            let wait = c.wait(crate::db::Profile::Standard).map_or(0, |w| w.rank());
            let oil = self.db.entry(i).name.to_lowercase().ends_with(" oil");
            (wait, oil)
        };
        // Few names reach here (a label's unknown two- or three-word names), so the
        // curated names are scanned rather than indexed by prefix.
        let best = self
            .db
            .names
            .iter()
            .filter(|(k, _)| fits(k))
            .map(|(_, &(i, _))| i)
            // `Garcinia Indica (Kokum) Seed Butter` is found by its form without the
            // common name.
            .chain(
                self.forms()
                    .derived
                    .iter()
                    .filter(|(k, _)| fits(k))
                    .filter_map(|(_, &i)| i),
            )
            .max_by_key(|&i| (rank(i), std::cmp::Reverse(i)))
            .or_else(|| {
                let table = crate::cosing_names::NAMES;
                let at = table.partition_point(|(k, _, _)| *k < prefix.as_str());
                table[at..]
                    .iter()
                    .take_while(|(k, _, _)| k.starts_with(&prefix))
                    .position(|(k, _, _)| fits(k))
                    .map(|j| self.db.entries.len() + at + j)
            })?;
        Some(Resolution::entry(best, How::PlantPart))
    }

    /// What `known` makes of two neighbours joined again (`Helianthus` + `Annuus Seed
    /// Oil`), when that is a named entry: `None` when `known` finds nothing, a pattern
    /// or a probable match. Most joined texts are no name at all, so the pattern set,
    /// which `known` tries after the names, runs only when a name turns up in a later
    /// step, to rule out a pattern that `known` would have found first.
    pub fn resolve_joined(&self, text: &str) -> Option<Resolution> {
        // Most joined texts are no name, and the same pairs of neighbours recur from
        // label to label: the thread's memory answers them in one probe.
        let key = RECENT.with(|recent| {
            let mut recent = recent.borrow_mut();
            recent.claim(self.id);
            let key = recent.hash.of(text.as_bytes());
            recent.joined.get(&key).cloned().ok_or(key)
        });
        let key = match key {
            Ok(remembered) => return remembered,
            Err(key) => key,
        };
        let r = self.resolve_joined_afresh(text);
        RECENT.with(|recent| {
            let mut recent = recent.borrow_mut();
            if recent.matcher == self.id {
                recent.joined.insert(key, r.clone());
            }
        });
        r
    }

    fn resolve_joined_afresh(&self, text: &str) -> Option<Resolution> {
        if let Some(r) = self.exact_text(text) {
            return Some(r);
        }
        remember(&self.joined_cache, text, RESOLVED_CACHE_LIMIT, || {
            self.joined_uncached(text)
        })
    }

    fn joined_uncached(&self, text: &str) -> Option<Resolution> {
        let mut deferred = Vec::new();
        let r = self.known_steps(text, Some(&mut deferred))?;
        // A pattern `known` would have found before this name is its answer instead.
        let pattern_first = deferred
            .iter()
            .any(|keys| keys.iter().any(|k| self.db.first_pattern(k).is_some()));
        (!pattern_first).then_some(r)
    }

    /// Every way a name can be known, short of guessing the nearest one.
    fn known(&self, text: &str) -> Option<Resolution> {
        self.known_steps(text, None)
    }

    /// The steps of `known`, in order. Each key lookup tries names, then patterns;
    /// with `deferred`, patterns are not tried but the keys they would have been tried
    /// on are kept there, and the answer is never a pattern.
    fn known_steps(
        &self,
        text: &str,
        mut deferred: Option<&mut Vec<Vec<String>>>,
    ) -> Option<Resolution> {
        let mut lookup = |text: &str| {
            let keys = name_keys(text);
            if let Some(r) = self.named(&keys) {
                return Some(r);
            }
            match deferred.as_deref_mut() {
                Some(later) => {
                    later.push(keys);
                    None
                }
                None => self.patterned(&keys),
            }
        };
        if let Some(r) = lookup(text).or_else(|| self.alternates(text)) {
            return Some(r);
        }
        // `Organic Sugar Cane Alcohol`, `Lilial TM`, `Avobenzone Sunscreen`: the name
        // with a label's qualifiers taken off.
        if let Some(bare) = strip_qualifiers(text)
            && !bare.is_empty()
            && let Some(r) = lookup(&bare).or_else(|| self.alternates(&bare))
        {
            return Some(r);
        }
        // `Caprylyl GIycoI`: a scanned capital I standing for a lower-case l.
        let relettered = capital_i_as_l(text)?;
        lookup(&relettered)
    }

    /// Exact, parenthesised, compact and pattern lookups, without splitting.
    fn lookup(&self, text: &str) -> Option<Resolution> {
        let keys = name_keys(text);
        self.named(&keys).or_else(|| self.patterned(&keys))
    }

    /// Exact, parenthesised and compact lookups of a text's keys.
    fn named(&self, keys: &[String]) -> Option<Resolution> {
        if let Some((i, how)) = self.exact(&keys[0]) {
            return Some(Resolution::entry(i, how));
        }
        if let Some(Some(i)) = self.forms().derived.get(&keys[0]) {
            return Some(Resolution::entry(*i, How::Parenthesised));
        }
        for k in &keys[1..] {
            if let Some((i, _)) = self.exact(k) {
                return Some(Resolution::entry(i, How::Parenthesised));
            }
            if let Some(Some(i)) = self.forms().derived.get(k) {
                return Some(Resolution::entry(*i, How::Parenthesised));
            }
        }
        for k in keys {
            if let Some(Some(i)) = self.forms().compact.get(&without_spaces(k)) {
                return Some(Resolution::entry(*i, How::Compact));
            }
        }
        keys.iter()
            .find_map(|k| self.db.name(k))
            .map(|(i, _)| Resolution::entry(i, How::Name))
    }

    /// The first pattern matching one of a text's keys.
    fn patterned(&self, keys: &[String]) -> Option<Resolution> {
        for k in keys {
            if let Some(p) = self.db.first_pattern(k) {
                // A family never calls a name benign that holds the stem of a flagged
                // class (`Zinc Retinoate Hydroxide`) or is a misspelling of a flagged
                // name (`Hamamelis Virgiana Extract`): the nearest name decides.
                if self.db.pattern_category(p).kind == CategoryKind::Info
                    && (self.db.holds_flagged_stem(k)
                        || self
                            .closest(k)
                            .is_some_and(|(i, _)| self.db.entry_category(i).imposes_wait()))
                {
                    return None;
                }
                return Some(Resolution {
                    target: Target::Pattern(p),
                    how: How::Pattern,
                    suggestion: None,
                });
            }
        }
        None
    }

    /// `Aqua/Water/Eau`, `CI 77891/Titanium Dioxide`: alternate names of one ingredient.
    /// A flagged alternate wins, so a slash never hides an active.
    fn alternates(&self, text: &str) -> Option<Resolution> {
        if !text.contains(['/', '\\']) {
            return None;
        }
        let pieces = split_alternates(text);
        if pieces.len() < 2 {
            return None;
        }
        let resolved: Vec<Resolution> = pieces.iter().filter_map(|p| self.lookup(p)).collect();
        if resolved.is_empty() {
            return None;
        }
        let flagged = resolved.iter().find(|r| self.is_flagged(r));
        let r = flagged.unwrap_or(&resolved[0]);
        Some(Resolution {
            how: How::Alternate,
            ..r.clone()
        })
    }

    /// The alternates of a slash-joined name that the database does not know, so the
    /// assessment can report them rather than let the known one speak for them.
    pub fn unresolved_alternates(&self, text: &str) -> Vec<String> {
        remember(&self.alternates_cache, text, RESOLVED_CACHE_LIMIT, || {
            split_alternates(text)
                .into_iter()
                .filter(|p| self.lookup(p).is_none())
                .map(str::to_string)
                .collect()
        })
    }

    /// Text that is several known names whose separators were lost, covered word by
    /// word with the longest name at each step.
    fn cover(&self, text: &str) -> Option<Vec<(String, Resolution)>> {
        let key = word_key(text);
        if !key.contains(' ') || key.len() > 400 {
            return None;
        }
        let longest = self.longest_key();
        let mut pieces = Vec::new();
        let mut at = 0;
        while at < key.len() {
            // The longest name the words from `at` begin with: its key ends where a
            // word does, at most `longest` bytes on.
            let rest = &key[at..];
            let (end, i) = rest
                .match_indices(' ')
                .map(|(end, _)| end)
                .chain([rest.len()])
                .take_while(|&end| end <= longest)
                .filter_map(|end| {
                    let words = &rest[..end];
                    // A name or alias, or the common-name form of a bracketed name
                    // (`Evening Primrose Oil` for `Oenothera Biennis (Evening Primrose) Oil`).
                    self.db
                        .name(words)
                        .map(|(i, _)| i)
                        .or_else(|| self.forms().derived.get(words).copied().flatten())
                        .map(|i| (end, i))
                })
                .last()?;
            pieces.push((
                self.db.entry(i).name.to_string(),
                Resolution::entry(i, How::Name),
            ));
            at += end + 1;
        }
        (pieces.len() >= 2).then_some(pieces)
    }

    /// The nearest known name, as a probable match (marked, with the text as
    /// printed), so a typo never hides an acid and a misspelt emollient is still
    /// read. Not when another name of another category is as near: then the text
    /// is unrecognised, with the nearest name as a suggestion.
    fn nearest(&self, text: &str) -> Resolution {
        // The text as printed, then its other forms (`Cymbopogan Schoenanthus
        // (Lemongrass) Oil` without the common name, `Manganeses Violet CI 77742`
        // without its colour index); the nearest of them all, the printed form on a tie.
        let mut near = self.closest_near(text);
        if near.is_none_or(|n| n.distance > 0) {
            let others = name_keys(text)
                .into_iter()
                .skip(1)
                .chain(strip_qualifiers(text));
            for form in others {
                if let Some(n) = self.closest_near(&form)
                    && near.is_none_or(|b| n.distance < b.distance)
                {
                    near = Some(n);
                }
            }
        }
        // `Vitamin D` is not `Vitamin A`: where a name's last word is one letter, that
        // letter is the name, so nothing is near it.
        if word_key(text)
            .rsplit(' ')
            .next()
            .is_some_and(|w| w.len() == 1 && w.as_bytes()[0].is_ascii_alphabetic())
        {
            return Resolution::unrecognized(near.map(|n| n.entry));
        }
        match near {
            Some(near) if near.unique || self.db.entry_category(near.entry).imposes_wait() => {
                Resolution::entry(near.entry, How::Probable)
            }
            Some(near) => Resolution::unrecognized(Some(near.entry)),
            None => Resolution::unrecognized(None),
        }
    }

    /// The entry whose name is within a small edit distance, if any: one edit for
    /// names of 5 to 9 letters, two (with the same first letter) from 10 letters.
    pub fn closest(&self, text: &str) -> Option<(usize, usize)> {
        self.closest_near(text).map(|n| (n.entry, n.distance))
    }

    fn closest_near(&self, text: &str) -> Option<Near> {
        let key = ocr_repair(&compact_key(text));
        remember(&self.nearest_cache, &key, NEAREST_CACHE_LIMIT, || {
            self.closest_uncached(&key)
        })
    }

    fn closest_uncached(&self, key: &str) -> Option<Near> {
        let len = key.len();
        if !(5..=80).contains(&len) {
            return None;
        }
        let limit = if len >= 10 { 2 } else { 1 };
        let k = key.as_bytes();
        let hist = histogram(k);
        let letters = letters_of(&hist);
        let digits = digits_of(k);
        let mut best: Option<Near> = None;
        for l in len.saturating_sub(limit)..=(len + limit) {
            let Some(bucket) = self.by_length().get(l) else {
                continue;
            };
            for (cand_letters, cand, cand_hist, i) in bucket.keys() {
                // Names as near as the best so far are still read, to tell whether
                // the best is the only one of its category that near.
                let within = best.map_or(limit, |n| n.distance);
                // Each edit changes at most two of the letters a key has, and its letter
                // counts by at most two: cheap bounds, the first cheaper still, that
                // skip most candidates before the real distance.
                if (letters ^ cand_letters).count_ones() as usize > 2 * within
                    || count_difference(&hist, cand_hist) as usize > 2 * within
                {
                    continue;
                }
                // `Benzophenone-1` is not `Benzophenone`, nor `PEG-8` `PEG-80`.
                if digits_of(cand) != digits {
                    continue;
                }
                if let Some(d) = edit_distance_within(k, cand, within) {
                    if d == 2 && cand.first() != k.first() {
                        continue;
                    }
                    match &mut best {
                        Some(b) if d == b.distance => {
                            if b.entry != i
                                && self.db.entry_category(b.entry).id
                                    != self.db.entry_category(i).id
                            {
                                b.unique = false;
                            }
                        }
                        Some(b) if d > b.distance => {}
                        _ => {
                            best = Some(Near {
                                entry: i,
                                distance: d,
                                unique: true,
                            })
                        }
                    }
                }
            }
        }
        best
    }

    /// Does this resolution carry a category that imposes a wait?
    pub fn is_flagged(&self, r: &Resolution) -> bool {
        let category = match r.target {
            Target::Entry(i) => self.db.entry_category(i),
            Target::Pattern(p) => self.db.pattern_category(p),
            Target::Unrecognized => return false,
        };
        category.kind == CategoryKind::Finding
    }

    /// Entries whose names or aliases contain the text, for `db search` and `explain`.
    pub fn search(&self, text: &str) -> Vec<usize> {
        let needle = word_key(text);
        let mut out: Vec<usize> = self
            .db
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                std::iter::once(&e.name)
                    .chain(&e.aliases)
                    .any(|n| word_key(n).contains(&needle))
            })
            .map(|(i, _)| i)
            .collect();
        out.sort_by_key(|&i| self.db.entries[i].name.len());
        out
    }
}

/// The nearest known name to a text, and whether no name of another category is
/// as near.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Near {
    entry: usize,
    distance: usize,
    unique: bool,
}

/// Alternate names separated by `/` or, in scraped bilingual labels, `\\`.
fn split_alternates(text: &str) -> Vec<&str> {
    if text.contains('\\') {
        split_outside_brackets(text, '\\')
            .into_iter()
            .flat_map(|p| split_outside_brackets(p, '/'))
            .collect()
    } else {
        split_outside_brackets(text, '/')
    }
}

/// What a plant name is followed by when a label leaves its part out (`Salvia
/// Hispanica Oil`).
const PLANT_PRODUCTS: &[&str] = &[
    "oil", "butter", "extract", "water", "juice", "wax", "absolute", "concrete", "resinoid",
];

/// The words of a common-name-first botanical (`Sweet Orange Peel (Citrus Sinensis)
/// Essential Oil`) that an INCI name keeps after the plant's: its parts and products.
const PLANT_PARTS: &[&str] = &[
    "bark", "berry", "bud", "butter", "extract", "flower", "fruit", "juice", "kernel", "leaf",
    "oil", "peel", "powder", "rhizome", "root", "seed", "stem", "water", "wax", "wood",
];

/// Words labels put around a name that are not part of it.
const LEADING_QUALIFIERS: &[&str] = &[
    "certified organic ",
    "organic ",
    "natural ",
    "bio ",
    "less than of ",
    "less than ",
    "phthalates free ",
    "phthalate free ",
    "pure ",
    "cold pressed ",
    "wildcrafted ",
    "raw ",
    "unrefined ",
    "refined ",
    "extra virgin ",
    "virgin ",
    "fair trade ",
];
/// Trailing words include the pharmacopoeia grades of drug labels (`Adapalene USP`,
/// `Glycerol Ph. Eur.`): a grade is not part of the substance's name.
const TRAILING_QUALIFIERS: &[&str] = &[
    " tm",
    " sunscreen",
    " organic",
    " natural",
    " certified organic",
    " usp",
    " nf",
    " bp",
    " ph eur",
    " eur ph",
    " ep",
    " jp",
    " fcc",
    " micronized",
    " micronised",
    " nano",
    " of plant origin",
    " plant origin",
    " of vegetal origin",
    " vegetal origin",
    " of vegetable origin",
    " vegetable origin",
    " vol",
];

/// The name without leading or trailing qualifiers, as a word key; `None` when it has
/// none. (Its word key as it stands is the first of the keys `lookup` has tried.)
fn strip_qualifiers(text: &str) -> Option<String> {
    let mut key = word_key(text);
    let whole = key.len();
    loop {
        let before = key.len();
        for q in LEADING_QUALIFIERS {
            let q = q.trim_end();
            if let Some(rest) = key.strip_prefix(q).and_then(|r| r.strip_prefix(' ')) {
                key = rest.to_string();
            }
        }
        for q in TRAILING_QUALIFIERS {
            if let Some(rest) = key.strip_suffix(q) {
                key = rest.to_string();
            }
        }
        // `CI 77947 Zinc Oxide`, `Manganese Violet CI77742`: a colour index number
        // printed beside the name it stands for.
        if let Some(rest) = without_colour_index(&key) {
            key = rest;
        }
        // `Cymbopogon Schoenanthus Essential Oil`: INCI names the oil `... Oil`.
        if let Some(rest) = key.strip_suffix(" essential oil") {
            key = format!("{rest} oil");
        }
        if key.len() == before {
            return (key.len() < whole).then_some(key);
        }
    }
}

/// A word key without a colour index number at its start or end, when a name is left.
fn without_colour_index(key: &str) -> Option<String> {
    let is_number = |w: &str| {
        let digits = w.strip_prefix("ci").unwrap_or(w);
        digits.len() == 5 && digits.bytes().all(|b| b.is_ascii_digit())
    };
    let words: Vec<&str> = key.split(' ').collect();
    let (first, last) = (words.first()?, words.last()?);
    let strip = |range: std::ops::Range<usize>| (!range.is_empty()).then(|| words[range].join(" "));
    if *first == "ci" && words.len() > 2 && is_number(words[1]) {
        return strip(2..words.len());
    }
    if first.starts_with("ci") && first.len() == 7 && is_number(first) {
        return strip(1..words.len());
    }
    let n = words.len();
    if n > 2 && words[n - 2] == "ci" && is_number(last) {
        return strip(0..n - 2);
    }
    if last.starts_with("ci") && last.len() == 7 && is_number(last) {
        return strip(0..n - 1);
    }
    None
}

/// A scanned capital `I` read as `l`: after a lower-case letter (`GlycoI`, `OiI`),
/// between a letter and a lower-case one (`GIyco`), or in `HCI`; `None` when no `I`
/// reads as `l`.
fn capital_i_as_l(text: &str) -> Option<String> {
    if !text.contains('I') {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let as_l = c == 'I'
            && (prev.is_some_and(char::is_lowercase)
                || (prev.is_some_and(char::is_alphabetic) && next.is_some_and(char::is_lowercase))
                || (i >= 2
                    && chars[i - 2] == 'H'
                    && prev == Some('C')
                    && !next.is_some_and(char::is_alphabetic)));
        out.push(if as_l { 'l' } else { c });
    }
    (out != text).then_some(out)
}

/// Does each piece close every bracket it opens?
fn balanced(pieces: &[&str]) -> bool {
    pieces.iter().all(|p| {
        let opened = p.matches(['(', '[']).count();
        opened == p.matches([')', ']']).count()
    })
}

fn split_outside_brackets(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            c if c == sep && depth <= 0 => {
                out.push(text[start..i].trim());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(text[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_count_differences_are_summed_exactly() {
        let naive = |a: &Histogram, b: &Histogram| -> u32 {
            a.iter()
                .zip(b)
                .map(|(x, y)| u32::from(x.abs_diff(*y)))
                .sum()
        };
        let (zeros, full) = ([0u8; 48], [255u8; 48]);
        assert_eq!(count_difference(&zeros, &full), 48 * 255);
        assert_eq!(count_difference(&full, &zeros), 48 * 255);
        let a = histogram(b"glycolicacid");
        let b = histogram(b"glyco1icacid");
        assert_eq!(count_difference(&a, &b), naive(&a, &b));
        assert_eq!(count_difference(&a, &b), 2);
        let mut c = [0u8; 48];
        for (i, v) in c.iter_mut().enumerate() {
            *v = (i * 37 % 256) as u8;
        }
        assert_eq!(count_difference(&c, &full), naive(&c, &full));
    }

    /// The letters bound never rejects a key within the edit distance: each kind of
    /// edit, at the most it can change, over every pair of a few dozen keys.
    #[test]
    fn keys_within_an_edit_distance_pass_the_letters_bound() {
        let bound = |a: &[u8], b: &[u8]| {
            (letters_of(&histogram(a)) ^ letters_of(&histogram(b))).count_ones() as usize
        };
        // A substitution that takes away the last `t` and brings the first `x`.
        assert_eq!(bound(b"retinol", b"rexinol"), 2);
        // An insertion of a new letter, a deletion of the last of one.
        assert_eq!(bound(b"niacinamide", b"niacinamidez"), 1);
        assert_eq!(bound(b"niacinamide", b"niacinamid"), 1);
        // A transposition changes no letter.
        assert_eq!(bound(b"glycerin", b"glyceirn"), 0);
        let keys: Vec<&[u8]> = vec![
            b"glycolicacid",
            b"glyco1icacid",
            b"glycolicaci",
            b"gylcolicacid",
            b"salicylicacid",
            b"salicylicacd",
            b"retinol",
            b"retinal",
            b"retinyl",
            b"peg8",
            b"peg80",
            b"aqua",
            b"aquaa",
            b"tocopherol",
            b"tocopherl",
            b"tocophreol",
            b"benzophenone1",
            b"benzophenone",
            b"niacinamide",
            b"nicainamide",
            b"lactic",
            b"latcic",
            b"xyz",
        ];
        for a in &keys {
            for b in &keys {
                if let Some(d) = edit_distance_within(a, b, 2) {
                    assert!(bound(a, b) <= 2 * d, "{a:?} {b:?} at {d}");
                }
            }
        }
    }

    /// Qualifiers are taken off only where there are some, and a capital `I` is read
    /// as `l` only where the text has one that reads so: otherwise there is nothing to
    /// look up again.
    #[test]
    fn qualifiers_and_capital_is_give_another_text_only_when_there_is_one() {
        assert_eq!(
            strip_qualifiers("Organic Aloe Vera").as_deref(),
            Some("aloe vera")
        );
        assert_eq!(
            strip_qualifiers("Avobenzone Sunscreen").as_deref(),
            Some("avobenzone")
        );
        assert_eq!(strip_qualifiers("Aloe Vera"), None);
        assert_eq!(strip_qualifiers("aloe vera"), None);
        assert_eq!(
            capital_i_as_l("Caprylyl GIycoI").as_deref(),
            Some("Caprylyl Glycol")
        );
        assert_eq!(capital_i_as_l("Sodium HCI").as_deref(), Some("Sodium HCl"));
        assert_eq!(capital_i_as_l("Glycerin"), None);
        assert_eq!(capital_i_as_l("CI 77891"), None);
        let m = Matcher::new(Arc::new(Database::embedded().expect("embedded database")));
        assert!(m.resolve("Avobenzone Sunscreen").is_known());
        assert!(m.resolve("Caprylyl GIycoI").is_known());
    }

    /// A thread remembers resolutions (and joined neighbours) for one matcher at a
    /// time: a matcher with an overlay never gets another's answer for the same text,
    /// nor the other way round.
    #[test]
    fn each_matcher_gets_its_own_resolutions() {
        let path =
            std::env::temp_dir().join(format!("aftercare-overlay-{}.csv", std::process::id()));
        std::fs::write(
            &path,
            "name,aliases,category,flags,reason,source\nFrobnicated Moonstone,,retinoid,,a test entry,cosing\n",
        )
        .unwrap();
        let plain = Matcher::new(Arc::new(Database::embedded().expect("embedded database")));
        let overlaid = Matcher::new(Arc::new(
            Database::with_overlay(&path).expect("overlay loads"),
        ));
        std::fs::remove_file(&path).unwrap();
        let known = |m: &Matcher| match m.resolve_all("Frobnicated Moonstone") {
            Resolved::One(r) => r.is_known(),
            Resolved::Pieces(_) => panic!("one name"),
        };
        let joined = |m: &Matcher| m.resolve_joined("Frobnicated Moonstone").is_some();
        for _ in 0..2 {
            assert!(!known(&plain));
            assert!(known(&overlaid));
            assert!(!joined(&plain));
            assert!(joined(&overlaid));
        }
    }

    /// Text whose separators were lost is covered with the longest name at each
    /// step (`alcohol` is a name, but `Alcohol Denat` is the one meant), and not at
    /// all when a word begins no name.
    #[test]
    fn lost_separators_are_covered_by_the_longest_names() {
        let m = Matcher::new(Arc::new(Database::embedded().expect("embedded database")));
        let names = |t: &str| {
            m.cover(t)
                .map(|pieces| pieces.into_iter().map(|(name, _)| name).collect::<Vec<_>>())
        };
        assert_eq!(
            names("Alcohol Denat Glycerin Sodium Hyaluronate Water"),
            Some(
                ["Alcohol Denat.", "Glycerin", "Sodium Hyaluronate", "Water"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert_eq!(
            names("Glycerin Alcohol"),
            Some(vec!["Glycerin".into(), "Alcohol".into()])
        );
        assert_eq!(names("Glycerin Zorblax Water"), None);
        assert_eq!(names("Glycerin"), None);
    }

    /// `resolve_joined` defers the pattern set; it must agree with its definition:
    /// what `known` finds, unless that is a pattern or a probable match.
    #[test]
    fn joined_neighbours_resolve_as_known_would() {
        let m = Matcher::new(Arc::new(Database::embedded().expect("embedded database")));
        let texts = [
            "Helianthus Annuus Seed Oil",
            "Water Glycerin",
            "Organic Retinyl Palmitate",
            "Retinyl Fooate Organic",
            "PEG-8 Organic",
            "PEG-100 Stearate Organic",
            "Sodium Laureth Sulfate Organic",
            "Ferment Organic",
            "GIycerin Organic",
            "CaprylyI GlycoI",
            "Aqua/Water Organic",
            "Organic Aqua/Water/Eau",
            "Acrylates/C10-30 Alkyl Acrylate Crosspolymer",
            "Cocos Nucifera (Coconut) Oil Organic",
            "Frobnicated Moonstone",
            "",
        ];
        for t in texts {
            let expected = m
                .known(t)
                .filter(|r| !matches!(r.how, How::Probable | How::Pattern));
            assert_eq!(m.resolve_joined(t), expected, "{t}");
            // And from the cache.
            assert_eq!(m.resolve_joined(t), expected, "{t} (remembered)");
        }
    }
}
