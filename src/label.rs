//! Label text to ingredients: finds the INCI list inside whatever was pasted or scraped,
//! splits it, and keeps for every ingredient its printed text, position, byte span,
//! percentage and may-contain flag.
//!
//! The parser knows label syntax (protocol section 3 rule 7) but no ingredient names:
//! deciding what a piece of text *is* belongs to `matcher`. Where syntax alone cannot
//! decide (is `Aqua/Water` one name or two?), the parser keeps the text whole and leaves
//! the choice to the matcher, which knows the vocabulary.

use std::ops::Range;
use std::rc::Rc;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;
use serde::Serialize;

use crate::text_hash::TextHash;

/// The largest label accepted, in bytes.
pub const MAX_LABEL_BYTES: usize = 1 << 20;

/// A label split into ingredients.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ParsedLabel {
    /// Kit parts and drug-facts panels; a plain label has one unnamed part.
    pub parts: Vec<Part>,
    pub ingredients: Vec<RawIngredient>,
    /// Text that was read and deliberately not treated as ingredients.
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    pub name: Option<String>,
    pub kind: PartKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PartKind {
    /// The whole label, or a kit part (`Serum:`, `Powder:`).
    Plain,
    /// A drug-facts `Active ingredients:` panel.
    Active,
    /// A drug-facts `Inactive ingredients:` panel.
    Inactive,
}

/// One ingredient as printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawIngredient {
    /// The text as printed, footnote marks and percentage removed.
    pub text: String,
    /// Byte span of the ingredient in the input.
    pub span: Range<usize>,
    /// Index into `ParsedLabel::parts`.
    pub part: usize,
    /// 1-based position in its part; may-contain entries are numbered after the rest.
    pub position: usize,
    pub percent: Option<f64>,
    pub may_contain: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub text: String,
    pub span: Range<usize>,
    pub why: &'static str,
}

/// Why a label could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("the label is empty")]
    Empty,
    #[error("the label is {0} bytes; the limit is {MAX_LABEL_BYTES} bytes (1 MiB)")]
    TooLarge(usize),
    #[error("`{0}` is a placeholder, not an ingredient list")]
    Placeholder(String),
}

/// Splits a label into ingredients.
pub fn parse(input: &str) -> Result<ParsedLabel, LabelError> {
    if input.len() > MAX_LABEL_BYTES {
        return Err(LabelError::TooLarge(input.len()));
    }
    let clean = Clean::new(input);
    let text = clean.text.trim();
    if text.chars().all(|c| !c.is_alphanumeric()) {
        return Err(LabelError::Empty);
    }
    if let Some(p) = placeholder(text) {
        return Err(LabelError::Placeholder(p));
    }
    let lower = clean.text.to_ascii_lowercase();
    let mut parser = Parser {
        clean: &clean,
        // Room for an ingredient every 16 bytes: names with their separators average
        // about 23, and at 24 half the lists outgrew their room and were copied whole.
        out: ParsedLabel {
            ingredients: Vec::with_capacity(clean.text.len() / 16 + 1),
            ..ParsedLabel::default()
        },
        current_part: None,
        panel_sections: None,
        brackets: Brackets::new(&clean.text),
        footnote_from: None,
        lower: &lower,
    };
    parser.run();
    Ok(parser.out)
}

/// Text with entities decoded and invisible characters removed, with a map from each
/// of its bytes back to the input's.
struct Clean {
    text: String,
    /// Empty when the text is the input byte for byte (plain ASCII, the common case).
    map: Vec<usize>,
}

impl Clean {
    fn new(input: &str) -> Clean {
        if input.bytes().all(|b| KEPT_AS_IS[usize::from(b)]) {
            return Clean {
                text: input.to_string(),
                map: Vec::new(),
            };
        }
        let mut text = String::with_capacity(input.len());
        let mut map = Vec::with_capacity(input.len() + 1);
        let push = |text: &mut String, map: &mut Vec<usize>, c: char, at: usize| {
            let before = text.len();
            text.push(c);
            map.extend(std::iter::repeat_n(at, text.len() - before));
        };
        let bytes = input.as_bytes();
        let mut i = 0;
        while i < input.len() {
            // Printable ASCII other than `&` is kept as it is: the common case, cheaply.
            let b = bytes[i];
            if (0x20..0x7f).contains(&b) && b != b'&' {
                text.push(b as char);
                map.push(i);
                i += 1;
                continue;
            }
            let c = input[i..].chars().next().expect("i is on a char boundary");
            let len = c.len_utf8();
            if c == '&'
                && let Some((decoded, used)) = entity(&input[i..])
            {
                push(&mut text, &mut map, decoded, i);
                i += used;
                continue;
            }
            match c {
                '\r' => {
                    if bytes.get(i + 1) != Some(&b'\n') {
                        push(&mut text, &mut map, '\n', i);
                    }
                }
                '\n' => push(&mut text, &mut map, '\n', i),
                '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => {}
                '\u{2028}' | '\u{2029}' => push(&mut text, &mut map, '\n', i),
                c if c.is_control() || c.is_whitespace() => push(&mut text, &mut map, ' ', i),
                '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}' => {
                    push(&mut text, &mut map, '-', i)
                }
                '\u{2018}' | '\u{2019}' | '\u{2032}' => push(&mut text, &mut map, '\'', i),
                '\u{ff0c}' | '\u{3001}' => push(&mut text, &mut map, ',', i),
                '\u{ff1a}' => push(&mut text, &mut map, ':', i),
                c => push(&mut text, &mut map, c, i),
            }
            i += len;
        }
        map.push(input.len());
        Clean { text, map }
    }

    fn span(&self, r: Range<usize>) -> Range<usize> {
        if self.map.is_empty() {
            return r.start..r.end.max(r.start);
        }
        let start = self.map[r.start];
        let end = if r.end == 0 {
            start
        } else {
            // The end of the last byte's character in the input.
            let last = self.map[r.end - 1];
            let next = self.map[r.end];
            if next > last { next } else { last + 1 }
        };
        start..end.max(start)
    }
}

fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.bytes().take(12).position(|b| b == b';')?;
    let body = &s[1..end];
    let c = match body {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "reg" => '®',
        "trade" => '™',
        "eacute" => 'é',
        "egrave" => 'è',
        "ndash" | "mdash" => '-',
        _ => {
            let num = body.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            let c = char::from_u32(code)?;
            if c.is_control() { ' ' } else { c }
        }
    };
    Some((c, end + 1))
}

/// Printable ASCII but `&`, and the newline: bytes `Clean` keeps as they are.
const KEPT_AS_IS: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0x20;
    while b < 0x7f {
        t[b] = b != b'&' as usize;
        b += 1;
    }
    t[b'\n' as usize] = true;
    t
};

/// ASCII letters, digits and the space: bytes that never separate items.
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b' ' as usize;
        b += 1;
    }
    t
};

/// Where the run of `PLAIN` bytes from `i` ends, at `end` at the latest. Names run
/// for a dozen or two bytes between separators, so eight bytes are looked at at once.
fn plain_run_end(bytes: &[u8], mut i: usize, end: usize) -> usize {
    while i + 8 <= end {
        let word = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("eight bytes"));
        let not_plain = not_plain(word);
        if not_plain != 0 {
            return i + (not_plain.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < end && PLAIN[usize::from(bytes[i])] {
        i += 1;
    }
    i
}

/// The top bit of each byte of `word` (read little-endian) that is not `PLAIN`: not
/// ASCII, or neither a letter, a digit nor a space. For a byte under 0x80, adding
/// `0x80 - lo` sets its top bit exactly when it is at least `lo`, and carries into
/// no other byte.
fn not_plain(word: u64) -> u64 {
    const fn each(b: u8) -> u64 {
        u64::from_le_bytes([b; 8])
    }
    const TOP: u64 = each(0x80);
    let ascii = word & !TOP;
    let in_range = |x: u64, lo: u8, hi: u8| {
        let at_least_lo = x.wrapping_add(each(0x80 - lo));
        let above_hi = x.wrapping_add(each(0x7f - hi));
        at_least_lo & !above_hi & TOP
    };
    let letter = in_range(ascii | each(0x20), b'a', b'z');
    let digit = in_range(ascii, b'0', b'9');
    let space = in_range(ascii, b' ', b' ');
    (word & TOP) | (!(letter | digit | space) & TOP)
}

/// Brackets and the newline: the bytes `Brackets::new` looks at.
const BRACKET_OR_NEWLINE: [bool; 256] = {
    let mut t = [false; 256];
    t[b'(' as usize] = true;
    t[b'[' as usize] = true;
    t[b'{' as usize] = true;
    t[b')' as usize] = true;
    t[b']' as usize] = true;
    t[b'}' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

/// Matching bracket pairs, found once. Unmatched brackets are plain characters, and
/// round brackets never span more than `MAX_ROUND` bytes, so hostile input cannot make
/// one bracket swallow a whole label.
struct Brackets {
    /// `(open, close)` byte offsets, by `open`.
    pairs: Vec<(usize, usize)>,
}

const MAX_ROUND: usize = 400;
const MAX_DEPTH: usize = 32;

impl Brackets {
    fn new(text: &str) -> Brackets {
        let bytes = text.as_bytes();
        // Most labels have round brackets and newlines at most: those three bytes are
        // found with a vectorised search, not a look at every byte.
        let only_round = memchr::memchr3(b'[', b']', b'{', bytes).is_none()
            && memchr::memchr(b'}', bytes).is_none();
        let mut pairs = if only_round {
            Brackets::pair(bytes, memchr::memchr3_iter(b'(', b')', b'\n', bytes))
        } else {
            Brackets::pair(
                bytes,
                (0..bytes.len()).filter(|&i| BRACKET_OR_NEWLINE[usize::from(bytes[i])]),
            )
        };
        pairs.sort_unstable();
        Brackets { pairs }
    }

    /// Pairs the brackets at `at` (every bracket and newline of `bytes`, in order).
    fn pair(bytes: &[u8], at: impl Iterator<Item = usize>) -> Vec<(usize, usize)> {
        // Room for the usual pairs (`Aqua (Water)` at every other name) and depth.
        let mut pairs = Vec::with_capacity(16);
        let mut stack: Vec<(u8, usize)> = Vec::with_capacity(8);
        for i in at {
            let b = bytes[i];
            match b {
                b'(' | b'[' | b'{' => {
                    if stack.len() >= MAX_DEPTH {
                        stack.remove(0);
                    }
                    stack.push((b, i));
                }
                b')' | b']' | b'}' => {
                    let open = match b {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    if let Some(k) = stack.iter().rposition(|&(o, _)| o == open) {
                        let (_, at) = stack[k];
                        stack.truncate(k);
                        if open != b'(' || i - at <= MAX_ROUND {
                            pairs.push((at, i));
                        }
                    }
                }
                b'\n' => {
                    // Round brackets do not cross lines; square ones (shade blocks) may.
                    stack.retain(|&(o, _)| o != b'(');
                }
                _ => {}
            }
        }
        pairs
    }

    /// Where the bracket opened at `open` closes, if it does.
    fn close_of(&self, open: usize) -> Option<usize> {
        self.pairs
            .binary_search_by_key(&open, |&(o, _)| o)
            .ok()
            .map(|k| self.pairs[k].1)
    }
}

/// Label syntax is matched in ASCII terms, on lower-cased text (`Parser::lower`):
/// Unicode and case-insensitive alternations make these patterns slow to compile, and
/// every process compiles them once.
fn ascii_regex(pattern: &str) -> Regex {
    regex::RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .expect("label syntax patterns are valid")
}

/// A pattern that needs Unicode mode (`.` over any text); these are compiled only for
/// the rare labels that reach them.
fn regex_unicode(pattern: &str) -> Regex {
    Regex::new(pattern).expect("label syntax patterns are valid")
}

/// Phrases of label syntax, found with aho-corasick on the ASCII-lowercased text:
/// building these automata costs a fraction of compiling the equivalent regexes.
struct Syntax {
    headings: AhoCorasick,
    /// Boilerplate that ends a list wherever it stands.
    end_phrases: AhoCorasick,
    /// Headings of what follows a list, which end it only before a colon
    /// (`Directions:`): most labels have no colon and are not searched for them.
    end_headings: AhoCorasick,
    may_contain: AhoCorasick,
    /// Any of `CLAIM_PHRASES`: most labels have none, and are searched once.
    claims: AhoCorasick,
}

const HEADINGS: &[&str] = &[
    "full ingredients list",
    "full ingredient list",
    "full ingredients",
    "ingredients list",
    "ingredient list",
    "ingredients",
    "ingredient",
    "ingrédients",
    "inci list",
    "inci",
    "inhaltsstoffe",
    "ingredientes",
    "ingredienti",
    "composition",
    "bestanddelen",
    "skladniki",
    "składniki",
];

/// Boilerplate that ends a list wherever it stands.
const END_PHRASES: &[&str] = &[
    "please be aware",
    "please refer to the ingredient",
    "please refer to the product",
    "for the most complete",
    "for the most current",
    "for the most up to date",
    "for the most up-to-date",
    "keep out of reach",
    "for external use only",
    "this list may",
    "this list is",
    "questions?",
    "questions or comments?",
];

/// Headings of what follows a list; they end it only when followed by a colon.
const END_HEADINGS: &[&str] = &[
    // A Drug Facts panel's sections (21 CFR 201.66); its `Inactive ingredients`
    // heading, after them, starts the list again.
    "purpose",
    "purposes",
    "uses",
    "use",
    "other information",
    "questions or comments",
    "questions",
    // In other languages.
    "modo de uso",
    "modo de empleo",
    "instrucciones de uso",
    "mode d'emploi",
    "conseils d'utilisation",
    "utilisation",
    "précautions d'emploi",
    "anwendung",
    "gebrauchsanweisung",
    "anwendungshinweise",
    "modo d'uso",
    "modalità d'uso",
    "gebruik",
    "directions for use",
    "directions",
    "how to use",
    "suggested use",
    "to use",
    "usage",
    "cautions",
    "caution",
    "warnings",
    "warning",
    "storage",
    "precautions",
    "precaution",
    "application",
];

const MAY_CONTAIN_TOKENS: &[&str] = &[
    "+/-",
    "+ / -",
    "+ /-",
    "+/ -",
    "+-",
    "±",
    "(+/-)",
    "(+ / -)",
    "may contain",
    "peut contenir",
    "kann enthalten",
    "puede contener",
    "puo contenere",
    "può contenere",
    "contains one or more of",
    "contain one or more of",
];

static SYNTAX: LazyLock<Syntax> = LazyLock::new(|| {
    let build = |patterns: &[String], anchored: bool| {
        AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(if anchored {
                aho_corasick::StartKind::Anchored
            } else {
                aho_corasick::StartKind::Unanchored
            })
            .build(patterns)
            .expect("label syntax phrases build an automaton")
    };
    let mut phrases: Vec<String> = END_PHRASES.iter().map(|s| s.to_string()).collect();
    for list in [
        "ingredient list",
        "ingredients list",
        "ingredient lists",
        "ingredients lists",
    ] {
        for verb in ["may change", "are subject to change", "can change"] {
            phrases.push(format!("{list} {verb}"));
        }
    }
    for p in [
        "ingredient subject to change",
        "ingredients subject to change",
        "ingredients are subject to change",
    ] {
        phrases.push(p.to_string());
    }
    let end_headings: Vec<String> = END_HEADINGS.iter().map(|s| s.to_string()).collect();
    let headings: Vec<String> = HEADINGS.iter().map(|s| s.to_string()).collect();
    let may: Vec<String> = MAY_CONTAIN_TOKENS.iter().map(|s| s.to_string()).collect();
    Syntax {
        headings: build(&headings, false),
        end_phrases: build(&phrases, false),
        end_headings: build(&end_headings, false),
        may_contain: build(&may, true),
        claims: build(
            &CLAIM_PHRASES
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
            false,
        ),
    }
});

/// Is the byte before `at` a boundary a heading may follow?
fn heading_boundary(lower: &str, at: usize) -> bool {
    at == 0
        || matches!(
            lower.as_bytes()[at - 1],
            b' ' | b'\n' | b'\t' | b'.' | b';' | b'|' | b'>' | b']' | b')'
        )
}

/// After optional blanks, a colon: the end of that colon.
fn colon_after(lower: &str, at: usize) -> Option<usize> {
    let rest = &lower[at..];
    let t = rest.trim_start();
    let skipped = rest.len() - t.len();
    if t.starts_with(':') {
        Some(at + skipped + 1)
    } else if t.starts_with('：') {
        Some(at + skipped + '：'.len_utf8())
    } else {
        None
    }
}

/// The first list heading (`Ingredients:`): where its word starts and where its colon ends.
fn find_heading(lower: &str, from: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    SYNTAX
        .headings
        .find_iter(&lower[from..])
        .filter_map(move |m| {
            let start = from + m.start();
            if !heading_boundary(lower, start) {
                return None;
            }
            colon_after(lower, from + m.end()).map(|end| (start, end))
        })
}

/// Where boilerplate, directions or warnings start, at or after `from`; `colon`:
/// whether the text has a colon at all (headings need one).
fn find_end(lower: &str, from: usize, colon: bool) -> Option<usize> {
    let phrase = SYNTAX
        .end_phrases
        .find(&lower[from..])
        .map(|m| from + m.start());
    let heading = colon
        .then(|| {
            SYNTAX.end_headings.find_iter(&lower[from..]).find_map(|m| {
                let start = from + m.start();
                let boundary =
                    start == 0 || matches!(lower.as_bytes()[start - 1], b' ' | b'\n' | b'.' | b';');
                (boundary && colon_after(lower, from + m.end()).is_some()).then_some(start)
            })
        })
        .flatten();
    phrase.into_iter().chain(heading).min()
}

/// Whether `DOSE` could match: most names hold none of its words, and this look
/// spares them the search (and a process the pattern's compilation).
fn may_state_a_dose(body: &str) -> bool {
    let lower = body.trim_start().to_ascii_lowercase();
    lower.bytes().any(|b| b.is_ascii_digit())
        || lower.starts_with("and ")
        || lower.starts_with("or ")
        || lower.starts_with("& ")
        || ["w/", "weight", "by wt", " ph", "as a", "as an"]
            .iter()
            .any(|w| lower.contains(w))
}

/// `Parfum` / `(Fragrance)` on two lines, as OCR or wrapping leaves them: a bracketed
/// name alone on its line belongs to the name before it, not a second ingredient.
fn join_wrapped_brackets(
    text: &str,
    items: Vec<(Range<usize>, bool, bool)>,
) -> Vec<(Range<usize>, bool, bool)> {
    let mut out: Vec<(Range<usize>, bool, bool)> = Vec::with_capacity(items.len());
    for item in items {
        let t = &text[item.0.clone()];
        let bracketed =
            (t.starts_with('(') && t.ends_with(')')) || (t.starts_with('[') && t.ends_with(']'));
        if bracketed
            && let Some(prev) = out.last_mut()
            && prev.0.end <= item.0.start
            && prev.2 == item.2
        {
            let between = &text[prev.0.end..item.0.start];
            if between.contains('\n') && between.trim().is_empty() {
                prev.0.end = item.0.end;
                continue;
            }
        }
        out.push(item);
    }
    out
}

/// Verbs that open a benefit bullet; no INCI name begins with one.
const BENEFIT_VERBS: &[&str] = &[
    "helps",
    "supports",
    "improves",
    "enhances",
    "tightens",
    "reduces",
    "provides",
    "delivers",
    "boosts",
    "brightens",
    "hydrates",
    "nourishes",
    "soothes",
    "smooths",
    "smoothes",
    "softens",
    "firms",
    "protects",
    "promotes",
    "minimizes",
    "minimises",
    "refines",
    "restores",
    "revitalizes",
    "revitalises",
    "plumps",
    "calms",
    "visibly",
    "instantly",
    "leaves",
    "packed",
    "deeply",
    "gently",
    "clinically",
    "dermatologist",
];

/// Words before `ingredients:` that make it marketing rather than the list's heading.
const MARKETING_WORDS: &[&str] = &[
    "key",
    "hero",
    "star",
    "featured",
    "highlighted",
    "spotlight",
    "power",
    "notable",
    "signature",
    "main",
    "top",
    "clean",
    "good",
];

/// Headings of marketing text that a paste may carry above the list.
const MARKETING_HEADS: &[&str] = &[
    "highlights",
    "what it does",
    "what it is",
    "benefits",
    "key benefits",
    "why we love it",
    "what else you need to know",
    "good to know",
    "formulated without",
    "free of",
    "free from",
];

/// The end of the text's first line when it is marketing (`Key ingredients: ...`,
/// `Highlights: ...`) and more lines follow; `None` otherwise.
fn marketing_line(lower: &str) -> Option<usize> {
    let line_end = lower.find('\n')?;
    let line = lower[..line_end].trim_start();
    let head = line[..line.find(':')?].trim();
    let marketing = MARKETING_HEADS.contains(&head)
        || head
            .strip_suffix("ingredients")
            .or_else(|| head.strip_suffix("ingredient"))
            .is_some_and(|w| MARKETING_WORDS.contains(&w.trim()));
    (marketing && !lower[line_end..].trim().is_empty()).then_some(line_end + 1)
}

/// Where an `Inactive ingredients:` heading starts, at or after `from`.
fn inactive_heading(lower: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = lower[at..].find("inactive ingredient") {
        let start = at + i;
        let word_end = start + "inactive ingredient".len();
        let word_end = word_end + usize::from(lower[word_end..].starts_with('s'));
        if heading_boundary(lower, start) && colon_after(lower, word_end).is_some() {
            return Some(start);
        }
        at = word_end;
    }
    None
}

/// Whether a text has a colon: a heading needs one after it. Cleaning the text made a
/// full-width colon (`：`) an ASCII one.
fn has_colon(lower: &str) -> bool {
    memchr::memchr(b':', lower.as_bytes()).is_some()
}

/// The length of a `May contain:` / `[+/-: ...` marker at the start of `lower`
/// (blanks, tokens, `:` and `/` in any sequence), or `None`.
fn may_contain_marker(lower: &str) -> Option<usize> {
    let mut i = lower.len() - lower.trim_start().len();
    // Most texts this is asked about are names (`Phenoxyethanol`, `(Water)`): no token
    // starts with their first two bytes, which is cheaper to see than a search is to
    // set up.
    if !may_start_marker(&lower.as_bytes()[i..]) {
        return None;
    }
    let mut found = false;
    loop {
        let input = aho_corasick::Input::new(lower)
            .span(i..lower.len())
            .anchored(aho_corasick::Anchored::Yes);
        let Some(m) = SYNTAX.may_contain.find(input) else {
            break;
        };
        found = true;
        i = m.end();
        let rest = &lower[i..];
        let t = rest.trim_start_matches([' ', ':', '/']);
        i += rest.len() - t.len();
    }
    found.then_some(i)
}

/// Whether a `MAY_CONTAIN_TOKENS` token could start `bytes`: one starts with its first
/// two bytes. (Each token has two bytes at least.)
fn may_start_marker(bytes: &[u8]) -> bool {
    match bytes {
        [a, b, ..] => MARKER_HEADS.contains(&[*a, *b]),
        _ => false,
    }
}

/// The first two bytes of each `MAY_CONTAIN_TOKENS` token.
const MARKER_HEADS: [[u8; 2]; MAY_CONTAIN_TOKENS.len()] = {
    let mut heads = [[0; 2]; MAY_CONTAIN_TOKENS.len()];
    let mut i = 0;
    while i < heads.len() {
        let t = MAY_CONTAIN_TOKENS[i].as_bytes();
        heads[i] = [t[0], t[1]];
        i += 1;
    }
    heads
};

static PERCENT: LazyLock<Regex> = LazyLock::new(|| ascii_regex(r"(\d{1,3}(?:[.,]\d+)?)\s*%"));

static TOLERANCE: LazyLock<Regex> =
    LazyLock::new(|| ascii_regex(r"(?:\+/-|\+-|±)\s*\d{1,3}(?:[.,]\d+)?\s*%"));

static AND_BLEND: LazyLock<Regex> = LazyLock::new(|| ascii_regex(r"(?i)\s*\(\s*and\s*\)\s*"));

/// Prescribing information's one sentence: `contains 0.15 gm azelaic acid (15% w/w) in
/// an aqueous gel base containing benzoic acid`: the active, then the vehicle's first
/// ingredient (the rest of the vehicle follows as the list's next items).
static PRESCRIBING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?P<pre>.*?)\bcontains?\s+(?P<active>.+?)\s+in\s+(?:an?\s+|the\s+)?(?:[a-z-]+\s+){0,4}?(?:base|vehicle|cream|gel|ointment|lotion|foam|solution|emulsion|suspension)\s+(?:containing|of|consisting\s+of|composed\s+of|with)\s+(?P<rest>.+)$",
    )
    .expect("a valid pattern")
});

/// A drug label's strength statement before its list: `Each gram of Finacea Gel`.
static STRENGTH: LazyLock<Regex> = LazyLock::new(|| {
    ascii_regex(r"(?i)^each\s+(?:gram|g|gm|ml|milliliter|millilitre|tablet|pump)\b")
});

/// What a drug label says of an amount that is not part of a name: `0.15 gm`, `w/w`,
/// `by weight`, a leading list conjunction, a purpose (`to adjust pH`, `as a
/// preservative`).
static DOSE: LazyLock<Regex> = LazyLock::new(|| {
    ascii_regex(
        r"(?i)^\s*(?:(?:and|or|&)\s+(?:\d+(?:[.,]\d+)?\s*(?:mg|g|gm|mcg|ml|iu)\s+(?:of\s+)?)?|\d+(?:[.,]\d+)?\s*(?:mg|g|gm|mcg|ml|iu)\s+(?:of\s+)?)|\(\s*(?:w/w|w/v|v/v)\s*\)|\b(?:w/w|w/v|v/v|by\s+weight|by\s+wt)\b|\(?\s*\b(?:to\s+adjust\s+(?:the\s+)?ph|for\s+ph\s+adjustment|as\s+an?\s+(?:preservative|buffer|buffering\s+agent|antioxidant|emulsifier|ph\s+adjuster|stabili[sz]er|thickener|solvent|chelating\s+agent))\b\s*\)?\s*$",
    )
});

/// Phrases that open a claim about what a product does not contain.
const CLAIM_PHRASES: &[&str] = &[
    "free from ",
    "free of ",
    "does not contain",
    "do not contain",
    "does not use",
    "formulated without",
    "made without",
    "contains no ",
];

const FOOTNOTE_MARKS: &[char] = &[
    '*', '†', '‡', '§', '¹', '²', '³', '⁴', '®', '™', '©', '℠', '^', '¤', '•', '◊', '♦', '✓', '✔',
];

const FOOTNOTE_WORDS: &[&str] = &[
    "organic",
    "certified",
    "natural origin",
    "naturally derived",
    "derived",
    "ingredient",
    "ingredients",
    "farming",
    "agriculture",
    "fair trade",
    "wildcrafted",
    "blend",
    "sourced",
    "plant-based",
    "non-gmo",
    "vegan",
    "origin",
    "formula",
    "essential oil",
    "grown",
    "harvested",
];

/// Words of sentences, not of names: two in an item make it prose. Sorted, for a
/// binary search.
const STOPWORDS: &[&str] = &[
    "all",
    "and",
    "apply",
    "are",
    "as",
    "be",
    "been",
    "by",
    "can",
    "das",
    "der",
    "des",
    "die",
    "el",
    "et",
    "for",
    "formulated",
    "free",
    "from",
    "has",
    "have",
    "help",
    "helps",
    "into",
    "is",
    "it",
    "its",
    "la",
    "le",
    "les",
    "los",
    "more",
    "most",
    "not",
    "of",
    "on",
    "or",
    "our",
    "product",
    "products",
    "skin",
    "that",
    "the",
    "these",
    "this",
    "to",
    "und",
    "use",
    "was",
    "we",
    "what",
    "which",
    "while",
    "will",
    "with",
    "without",
    "y",
    "you",
    "your",
];

const PLACEHOLDERS: &[&str] = &[
    "#name?",
    "no info",
    "n/a",
    "na",
    "none",
    "null",
    "nan",
    "tbd",
    "-",
    "not available",
    "no ingredients",
    "no ingredient list",
];

fn placeholder(text: &str) -> Option<String> {
    let t = text
        .trim()
        .trim_matches(|c: char| c == '[' || c == ']' || c == '\'' || c == '"');
    // Placeholders are short, or start `Visit the`: a label is not lower-cased whole
    // to learn it is not one.
    let visit = t
        .get(..10)
        .is_some_and(|p| p.eq_ignore_ascii_case("visit the "));
    if t.len() > 40 && !visit {
        return None;
    }
    let lower = t.to_lowercase();
    if PLACEHOLDERS.contains(&lower.as_str()) {
        return Some(t.to_string());
    }
    if lower.starts_with("visit the ") && lower.contains("boutique") {
        return Some(t.to_string());
    }
    None
}

struct Parser<'a> {
    clean: &'a Clean,
    out: ParsedLabel,
    current_part: Option<usize>,
    /// A Drug Facts panel's sections between its active and inactive ingredients.
    panel_sections: Option<Range<usize>>,
    brackets: Brackets,
    /// Where a full stop or a lone `*` ended the list: marked items after it are
    /// footnotes (`*Plant origin.`).
    footnote_from: Option<usize>,
    /// The cleaned text lower-cased in ASCII: same length, same offsets.
    lower: &'a str,
}

/// A piece of the cleaned text, by byte range, without the blanks at either end.
#[derive(Debug, Clone)]
struct Item {
    range: Range<usize>,
    may_contain: bool,
}

impl Parser<'_> {
    fn run(&mut self) {
        let (start, end) = self.region();
        let mut items = Vec::with_capacity(self.out.ingredients.capacity());
        let mut at = start;
        let mut passed_over = self.claims(start, end);
        if let Some(sections) = self.panel_sections.clone() {
            passed_over.retain(|c| c.end <= sections.start || c.start >= sections.end);
            passed_over.push(sections);
            passed_over.sort_by_key(|r| r.start);
        }
        for claims in passed_over {
            if claims.start < at {
                continue;
            }
            if Some(&claims) == self.panel_sections.as_ref() {
                self.split(at..claims.start, false, 0, &mut items);
                self.skip(
                    claims.clone(),
                    "a Drug Facts panel's purpose, uses, warnings or directions",
                );
                at = claims.end;
                continue;
            }
            self.split(at..claims.start, false, 0, &mut items);
            self.skip(
                claims.clone(),
                "claims about what the product is free of, not ingredients",
            );
            at = claims.end;
        }
        self.split(at..end, false, 0, &mut items);
        self.items(items);
        self.number_positions();
    }

    /// Sentences that say what a product is free of (`free from parabens`, `does not
    /// contain PEGs`): the names in them are claims, not ingredients (protocol
    /// section 3 rule 6).
    fn claims(&self, start: usize, end: usize) -> Vec<Range<usize>> {
        let lower = &self.lower[start..end];
        let mut out: Vec<Range<usize>> = Vec::new();
        if !SYNTAX.claims.is_match(lower) {
            return out;
        }
        // Where sentences end, where commas are, and where `. ` is, found once: a label
        // that repeats a claim thousands of times is then read in linear time, each
        // claim finding its sentence by binary search.
        let bytes = lower.as_bytes();
        let stops: Vec<usize> = memchr::memchr3_iter(b'.', b'!', b'?', bytes).collect();
        let commas: Vec<usize> = memchr::memchr_iter(b',', bytes).collect();
        let period_spaces: Vec<usize> = memchr::memmem::find_iter(bytes, ". ").collect();
        for phrase in CLAIM_PHRASES {
            for (i, _) in lower.match_indices(phrase) {
                let k = stops.partition_point(|&p| p < i);
                let sentence_start = if k == 0 { 0 } else { stops[k - 1] + 1 };
                // Inside a list (`Water, Glycerin, free of parabens`) the claim starts
                // after the last comma; in a sentence, with the sentence.
                let from = commas.partition_point(|&c| c < sentence_start);
                let to = commas.partition_point(|&c| c < i);
                let claim_start = if to - from >= 2 {
                    commas[to - 1] + 1
                } else {
                    sentence_start
                };
                let after = i + phrase.len();
                let j = period_spaces.partition_point(|&p| p < after);
                let claim_end = period_spaces.get(j).map_or(lower.len(), |&p| p + 1);
                out.push(start + claim_start..start + claim_end);
            }
        }
        out.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::new();
        for r in out {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }

    /// The byte range of the INCI list: after a heading when there is one, before
    /// boilerplate, directions and warnings.
    fn region(&mut self) -> (usize, usize) {
        let text = &self.clean.text;
        let mut start = 0;
        let lower = self.lower;
        let colon = has_colon(lower);
        let headings = colon.then(|| find_heading(lower, 0)).into_iter().flatten();
        for (g_start, heading_end) in headings {
            let before = lower[..g_start].trim_end();
            let panel = ["active", "inactive", "other", "non-medicinal", "medicinal"]
                .iter()
                .any(|w| before.ends_with(w));
            // `Key ingredients:` is marketing; the list is under a later heading.
            let marketing = MARKETING_WORDS.iter().any(|w| {
                before.strip_suffix(w).is_some_and(|b| {
                    b.is_empty() || heading_boundary(b, b.len()) || b.ends_with('\n')
                })
            });
            if panel || marketing {
                continue;
            }
            // After a Drug Facts `Active ingredients:` panel, a later `Ingredients:` is
            // a heading inside the list (`Octocrylene Ingredients: Water`): the panel
            // before it is not passed over.
            if ["active ingredient", "actives:", "active:"]
                .iter()
                .any(|p| before.contains(p))
            {
                break;
            }
            if g_start > 0 {
                self.skip(0..g_start, "text before the ingredient list");
            }
            start = heading_end;
            break;
        }
        // No list heading, but a first line of marketing (`Key ingredients: ...`,
        // `Highlights: ...`) above the list: passed over.
        if start == 0
            && colon
            && let Some(line_end) = marketing_line(lower)
        {
            self.skip(0..line_end, "marketing, not the ingredient list");
            start = line_end;
        }
        let mut end = text.len();
        if let Some(at) = find_end(self.lower, start, colon)
            && text[start..at].chars().any(char::is_alphanumeric)
        {
            // A Drug Facts panel: purpose, uses, warnings and directions stand between
            // the active ingredients and the inactive ones, which are read too.
            if let Some(inactive) = inactive_heading(lower, at) {
                self.panel_sections = Some(at..inactive);
                if let Some(after) = find_end(self.lower, inactive, colon) {
                    self.skip(
                        after..text.len(),
                        "directions, warnings or boilerplate after the list",
                    );
                    end = after;
                }
                return (start, end);
            }
            self.skip(
                at..text.len(),
                "directions, warnings or boilerplate after the list",
            );
            end = at;
        }
        (start, end)
    }

    fn skip(&mut self, range: Range<usize>, why: &'static str) {
        let t = self.clean.text[range.clone()].trim();
        if t.is_empty() {
            return;
        }
        self.out.skipped.push(Skipped {
            text: t.to_string(),
            span: self.clean.span(range),
            why,
        });
    }

    /// Splits a range into items at separators outside brackets; may-contain blocks
    /// are split recursively and marked.
    fn split(&mut self, range: Range<usize>, may_contain: bool, depth: usize, out: &mut Vec<Item>) {
        let text = &self.clean.text;
        let bytes = text.as_bytes();
        let mut item_start = range.start;
        // Only blanks between `item_start` and `i` (see `at_item_start`).
        let mut blank = true;
        let mut i = range.start;
        while i < range.end {
            let b = bytes[i];
            // Letters, digits and blanks separate nothing: the common case, decided from
            // the byte alone. Inside an item they start nothing either, so a run of them
            // is passed over at once; at an item's start, `M`, `m`, `P` and `p` may begin
            // a `May contain` or `Peut contenir` block.
            if PLAIN[usize::from(b)] {
                if !blank {
                    i = plain_run_end(bytes, i + 1, range.end);
                    continue;
                }
                if b == b' ' {
                    i += 1;
                    continue;
                }
                if !matches!(b, b'M' | b'm' | b'P' | b'p') {
                    blank = false;
                    i += 1;
                    continue;
                }
            }
            if matches!(b, b'(' | b'[' | b'{')
                && let Some(close) = self.brackets.close_of(i)
                && close < range.end
            {
                let inner = i + 1..close;
                if depth < 4
                    && let Some(marker) = may_contain_marker(&self.lower[inner.clone()])
                    && !TOLERANCE.is_match(&text[inner.clone()])
                {
                    self.flush(item_start..i, may_contain, out);
                    let body = inner.start + marker..inner.end;
                    self.split(body, true, depth + 1, out);
                    i = close + 1;
                    item_start = i;
                    blank = true;
                    continue;
                }
                i = close + 1;
                blank = false;
                continue;
            }
            // `Octocrylene 2.70%Ingredients: Water`, `Salicylic Acid 1.50%Water`: a
            // percentage glued to the next entry ends its own (but not `15%w/w`).
            // A percentage printed before its name (`5.0%Water`) stays with it.
            if b == b'%'
                && glued_percent(&bytes[i + 1..range.end])
                && bytes[item_start..i].iter().any(u8::is_ascii_alphabetic)
            {
                self.flush(item_start..i + 1, may_contain, out);
                i += 1;
                item_start = i;
                blank = true;
                continue;
            }
            let sep = match b {
                // `1,2-Hexanediol`, `Diethylhexyl 2,6-Naphthalate`: a comma inside a name.
                b',' if i > 0
                    && bytes[i - 1].is_ascii_digit()
                    && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) =>
                {
                    0
                }
                // `1, 2-Hexanediol`: the same name with a space after its comma.
                b',' if i > 0
                    && bytes[i - 1].is_ascii_digit()
                    && (i < 2 || !bytes[i - 2].is_ascii_alphanumeric())
                    && {
                        let rest = text[i + 1..].trim_start().as_bytes();
                        rest.len() > 2 && rest[0].is_ascii_digit() && rest[1] == b'-'
                    } =>
                {
                    0
                }
                b',' | b';' | b'|' | b'\n' => 1,
                b'.' if self.sentence_break(i) => 1,
                _ if b.is_ascii() => 0,
                _ => {
                    let c = text[i..].chars().next().unwrap_or(' ');
                    let glued = |j: usize| {
                        text.as_bytes()
                            .get(j)
                            .is_some_and(u8::is_ascii_alphanumeric)
                    };
                    // `C14•16`: a scraper's bullet standing for a hyphen inside a name.
                    let inside_name = i > 0 && glued(i - 1) && glued(i + c.len_utf8());
                    if matches!(c, '•' | '·' | '●' | '▪' | '‣' | '◦' | '■' | '，' | '、')
                        && !inside_name
                    {
                        c.len_utf8()
                    } else {
                        0
                    }
                }
            };
            // `Phenoxyethanol * Essential Oil`: a lone footnote mark starts the footnotes.
            if b == b'*' && i > item_start && bytes[i - 1] == b' ' && !blank {
                self.flush(item_start..i, may_contain, out);
                self.footnote_from = Some(i);
                item_start = i;
                i += 1;
                blank = false;
                continue;
            }
            if sep > 0 {
                if b == b'.' {
                    self.footnote_from.get_or_insert(i + 1);
                }
                self.flush(item_start..i, may_contain, out);
                i += sep;
                item_start = i;
                blank = true;
                continue;
            }
            // An unbracketed `May contain:` or `+/-:` runs to the end of the range.
            if !may_contain
                && depth < 4
                && (b == b'+'
                    || b == b'('
                    || b == b'M'
                    || b == b'm'
                    || b == b'P'
                    || b == b'p'
                    || b == 0xC2)
                && blank
                && let Some(marker) = may_contain_marker(&self.lower[i..range.end])
                && !TOLERANCE
                    .is_match(&text[i..floor_boundary(text, (i + marker + 12).min(range.end))])
            {
                self.flush(item_start..i, may_contain, out);
                self.split(i + marker..range.end, true, depth + 1, out);
                return;
            }
            if b.is_ascii() {
                blank &= (b as char).is_whitespace();
                i += 1;
            } else {
                let c = text[i..].chars().next().unwrap_or(' ');
                blank &= c.is_whitespace();
                i += c.len_utf8();
            }
        }
        self.flush(item_start..range.end, may_contain, out);
    }

    /// A full stop that ends one entry and starts another: `...Oxide 15%. Inactive:`,
    /// but not `Alcohol Denat.` or `5.0%`.
    fn sentence_break(&self, i: usize) -> bool {
        let text = &self.clean.text;
        let after = &text[i + 1..];
        if !after.starts_with(' ') {
            return false;
        }
        let next = after.trim_start().chars().next();
        if !next.is_some_and(|c| c.is_uppercase() || FOOTNOTE_MARKS.contains(&c)) {
            return false;
        }
        let word = text[..i]
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("")
            .to_lowercase();
        !matches!(
            word.as_str(),
            "denat"
                | "ext"
                | "sp"
                | "spp"
                | "var"
                | "no"
                | "st"
                | "vit"
                | "fl"
                | "oz"
                | "inc"
                | "co"
                | "ltd"
                | "dr"
                | "ssp"
                | "subsp"
                | "cv"
                | "f"
                | "l"
        )
    }

    fn flush(&mut self, range: Range<usize>, may_contain: bool, out: &mut Vec<Item>) {
        let range = trim_range(&self.clean.text, range);
        if !range.is_empty() {
            out.push(Item { range, may_contain });
        }
    }

    /// Turns each item into zero or more ingredients (or a part header, or skipped
    /// text). The plans of all the items are looked up first, one probe after another
    /// with nothing in between, so the waits for memory overlap instead of adding up.
    fn items(&mut self, items: Vec<Item>) {
        let text = &self.clean.text;
        // Each item's text (trimmed, leading bullets and dashes of a list written one
        // per line taken off), whether it comes after the end of the list (where a
        // marked item is a footnote whatever it says), and whether it may be contained.
        let items: Vec<(Range<usize>, bool, bool)> = items
            .into_iter()
            .filter_map(|item| {
                let mut r = item.range;
                while r.start < r.end && matches!(text.as_bytes()[r.start], b'-' | b'>' | b'=') {
                    r.start += 1;
                    r = trim_range(text, r);
                }
                let after_stop = self.footnote_from.is_some_and(|f| r.start >= f);
                (!r.is_empty()).then_some((r, after_stop, item.may_contain))
            })
            .collect();
        let items = join_wrapped_brackets(text, items);
        let plans = PLANS.with(|plans| {
            plans.borrow_mut().get_or_make_each(
                items
                    .iter()
                    .map(|(r, after_stop, _)| (&text[r.clone()], *after_stop)),
            )
        });
        for ((r, _, may_contain), plan) in items.into_iter().zip(plans) {
            // `Active Ingredient: Salicylic Acid 1.50%Water, ...`: a name glued to an
            // active's strength starts the inactive list that had no heading.
            if r.start > 0
                && self.clean.text.as_bytes()[r.start - 1] == b'%'
                && self
                    .current_part
                    .is_some_and(|p| self.out.parts[p].kind == PartKind::Active)
            {
                self.start_part("Inactive", PartKind::Inactive);
            }
            match plan {
                Plan::AsIs => {
                    let s = self.clean.text[r.clone()].to_string();
                    self.ingredient(s, r, None, may_contain)
                }
                Plan::Steps(plan) => self.apply(&plan, r.start, may_contain),
            }
        }
    }

    /// Carries out an item's plan for the item at `base` in the cleaned text.
    fn apply(&mut self, plan: &ItemPlan, base: usize, may_contain: bool) {
        for step in &plan.steps {
            match step {
                Step::Part(name, kind) => self.start_part(name, *kind),
                Step::Skip(range, why) => self.skip(base + range.start..base + range.end, why),
                Step::Ingredient {
                    range,
                    text,
                    percent,
                } => self.ingredient(
                    text.clone(),
                    base + range.start..base + range.end,
                    *percent,
                    may_contain,
                ),
            }
        }
    }

    /// Adds an ingredient read from `range` of the cleaned text.
    fn ingredient(
        &mut self,
        text: String,
        range: Range<usize>,
        percent: Option<f64>,
        may_contain: bool,
    ) {
        let part = match self.current_part {
            Some(p) => p,
            None => {
                self.out.parts.push(Part {
                    name: None,
                    kind: PartKind::Plain,
                });
                let p = self.out.parts.len() - 1;
                self.current_part = Some(p);
                p
            }
        };
        let span = self.clean.span(range);
        self.out.ingredients.push(RawIngredient {
            text,
            span,
            part,
            position: 0,
            percent,
            may_contain,
        });
    }

    fn start_part(&mut self, name: &str, kind: PartKind) {
        self.out.parts.push(Part {
            name: Some(name.trim().to_string()),
            kind,
        });
        self.current_part = Some(self.out.parts.len() - 1);
    }

    /// Positions count per part; may-contain entries come after the rest so they never
    /// move the 1% line. Parts left without ingredients are dropped.
    fn number_positions(&mut self) {
        // One pass each, whatever the number of parts: a label that repeats a part or
        // `May contain:` header thousands of times is still read in linear time.
        let mut used = vec![false; self.out.parts.len()];
        for i in &self.out.ingredients {
            used[i.part] = true;
        }
        let mut remap = vec![0; self.out.parts.len()];
        let mut kept = Vec::new();
        for (p, part) in self.out.parts.drain(..).enumerate() {
            if used[p] {
                remap[p] = kept.len();
                kept.push(part);
            }
        }
        self.out.parts = kept;
        let mut listed = vec![0usize; self.out.parts.len()];
        for ing in &mut self.out.ingredients {
            ing.part = remap[ing.part];
            if !ing.may_contain {
                listed[ing.part] += 1;
                ing.position = listed[ing.part];
            }
        }
        // May-contain entries are numbered after the rest of their part.
        let mut next = listed;
        for ing in self.out.ingredients.iter_mut().filter(|i| i.may_contain) {
            next[ing.part] += 1;
            ing.position = next[ing.part];
        }
    }
}

/// What reading one item's text does: in order, a kit part or panel it opens, text
/// it skips and the ingredients it yields, with byte ranges relative to the item.
/// It depends on the text alone (and whether the list has ended), so it is made once
/// per distinct text and replayed: a catalog repeats the same names thousands of times.
#[derive(Debug, Default)]
struct ItemPlan {
    steps: Vec<Step>,
}

#[derive(Debug)]
enum Step {
    Part(String, PartKind),
    Skip(Range<usize>, &'static str),
    Ingredient {
        range: Range<usize>,
        text: String,
        percent: Option<f64>,
    },
}

impl Step {
    /// The step for an item read from `by` bytes further on.
    fn shifted(self, by: usize) -> Step {
        let shift = |r: Range<usize>| r.start + by..r.end + by;
        match self {
            Step::Part(..) => self,
            Step::Skip(r, why) => Step::Skip(shift(r), why),
            Step::Ingredient {
                range,
                text,
                percent,
            } => Step::Ingredient {
                range: shift(range),
                text,
                percent,
            },
        }
    }
}

/// A remembered plan. Most items are one ingredient exactly as printed (`Glycerin`),
/// and for those there is nothing to remember but that: no plan to fetch from
/// elsewhere in memory, and the text is copied from the label at hand.
#[derive(Clone)]
enum Plan {
    AsIs,
    Steps(Rc<ItemPlan>),
}

/// Remembered plans, per thread; dropped wholesale when they grow past a bound.
#[derive(Default)]
struct Plans {
    /// By a hash of the item text, before the end of the list and for marked items
    /// after it.
    by_text: [rustc_hash::FxHashMap<u128, Plan>; 2],
    hash: TextHash,
    bytes: usize,
}

const PLAN_BYTES: usize = 4 << 20;

thread_local! {
    static PLANS: std::cell::RefCell<Plans> = std::cell::RefCell::default();
}

impl Plans {
    /// The plan of each item (its text, and whether it comes after the end of the
    /// list), made where none is remembered.
    fn get_or_make_each<'t>(
        &mut self,
        items: impl Iterator<Item = (&'t str, bool)> + Clone,
    ) -> Vec<Plan> {
        // All the hashes first, then all the probes: with nothing but probes in a
        // row, the processor has several of their waits for memory running at once.
        let keys: Vec<(u128, bool)> = items
            .clone()
            .map(|(s, after_stop)| (self.hash.of(s.as_bytes()), after_stop))
            .collect();
        let found: Vec<(u128, Option<Plan>)> = keys
            .into_iter()
            .map(|(key, after_stop)| {
                (
                    key,
                    self.by_text[usize::from(after_stop)].get(&key).cloned(),
                )
            })
            .collect();
        found
            .into_iter()
            .zip(items)
            .map(|((key, found), (s, after_stop))| {
                found.unwrap_or_else(|| self.make(key, s, after_stop))
            })
            .collect()
    }

    /// Makes an item's plan and remembers it under `key`, the hash of its text.
    fn make(&mut self, key: u128, s: &str, after_stop: bool) -> Plan {
        let map = usize::from(after_stop);
        let plan = plan_item(s, after_stop);
        let as_is = matches!(
            plan.steps.as_slice(),
            [Step::Ingredient { range, text, percent: None }] if *range == (0..s.len()) && text == s
        );
        let weight = 64
            + if as_is {
                0
            } else {
                plan.steps
                    .iter()
                    .map(|step| match step {
                        Step::Part(t, _) | Step::Ingredient { text: t, .. } => t.len() + 48,
                        Step::Skip(..) => 48,
                    })
                    .sum::<usize>()
            };
        if self.bytes + weight > PLAN_BYTES {
            self.by_text = Default::default();
            self.bytes = 0;
        }
        self.bytes += weight;
        let plan = if as_is {
            Plan::AsIs
        } else {
            Plan::Steps(Rc::new(plan))
        };
        self.by_text[map].insert(key, plan.clone());
        plan
    }
}

/// Is the text after a `%` the next entry, glued on (`%Water`), rather than the
/// rest of a strength (`%w/w`, `%v/v`)?
fn glued_percent(after: &[u8]) -> bool {
    let lower = |j: usize| after.get(j).map(u8::to_ascii_lowercase);
    after.first().is_some_and(u8::is_ascii_alphabetic)
        && !(matches!(lower(0), Some(b'w' | b'v' | b'm')) && lower(1) == Some(b'/'))
}

/// `Spf30 Face Cream Division: Cl (Clinique)`, after `Rds Product Name:` or not: a
/// catalog record's metadata naming the kit part whose list follows.
static RECORD_META: LazyLock<Regex> = LazyLock::new(|| {
    regex_unicode(
        r"(?i)(?:\brds product name\s*:\s*)?(?P<name>[^:]*?)\s*\bdivision\s*:\s*[a-z]{1,4}\s*\([^()]*\)\s*",
    )
});

/// The same metadata cut short at the end of a record.
static RECORD_META_CUT: LazyLock<Regex> =
    LazyLock::new(|| ascii_regex(r"(?i)\s*\brds product name\s*:?\s*$"));

/// A maker's formula or batch code standing as an item of its own: a letter or two
/// and a slash-numbered batch (`B/051022`, `V283863/1`, `N 04932/N`), an `IL` list
/// code (`IL72-1`, `Il46a`), `Formula #...`, or a French `Code F.I.L.`. Never a colour
/// index number (`CI 77891`), which has no slash.
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    ascii_regex(concat!(
        r"^(?:[a-z]{1,2} ?/ ?\d{5,}(?:/[a-z0-9]{1,3})?",
        r"|[a-z]{1,2} ?\d{5,}/[a-z0-9]{1,3}",
        r"|il ?\d{1,3}[a-z]?(?:-\d{1,2})?",
        r"|formula ?#[ -~]*",
        r"|[ -~]*\bcode f\.? ?i\.? ?l\b[ -~]*)[.)]*$",
    ))
});

/// Can this item be a code at all? Most items with a digit are names (`PEG-100`), and
/// are not run through the pattern.
fn may_be_code(lower: &str) -> bool {
    lower.contains('/')
        || lower.starts_with("il")
        || lower.contains("formula")
        || lower.contains("code")
}

/// The same codes after a name (`Titanium Dioxide V283863/1`), and CAS registry
/// numbers printed with one (`Diisopropyl Adipate 6938-94-9`).
static TRAILING_CODE: LazyLock<Regex> = LazyLock::new(|| {
    ascii_regex(r"(?:\s+[A-Za-z]{1,2}\d{5,}/[A-Za-z0-9]{1,3}|\s*\b\d{2,7}-\d{2}-\d)\.?\s*$")
});

/// The food allergens a `Contains ...` statement names.
const ALLERGENS: &[&str] = &[
    "tree nut",
    "peanut",
    "milk",
    "soy",
    "wheat",
    "egg",
    "fish",
    "shellfish",
    "sesame",
    "gluten",
];

/// `Plant Origin`, `of vegetable origin`: what the name before was made from.
static ORIGIN: LazyLock<Regex> = LazyLock::new(|| {
    ascii_regex(r"^(?:of )?(?:plant|vegetable|vegetal|natural|synthetic|mineral|animal) origin$")
});

/// An item holding a catalog record's metadata (`... Rds Product Name: Spf30 Face
/// Cream Division: Cl (Clinique)Water`): the name before it, the kit part it names,
/// and the item that follows it.
fn record_metadata(s: &str, after_stop: bool) -> Option<ItemPlan> {
    let m = s
        .contains("ivision")
        .then(|| RECORD_META.captures(s))
        .flatten()?;
    let mut plan = ItemPlan::default();
    let whole = m.get(0).expect("match");
    plan.steps.extend(plan_ingredient(s, 0..whole.start()));
    let name = m.name("name").expect("group").as_str().trim();
    plan.steps
        .push(Step::Part(name.to_string(), PartKind::Plain));
    let rest = whole.end();
    if rest < s.len() {
        let after = plan_item(&s[rest..], after_stop);
        plan.steps
            .extend(after.steps.into_iter().map(|step| step.shifted(rest)));
    }
    Some(plan)
}

/// Why an item (lower-cased) is text printed beside the list rather than an
/// ingredient, if it is: a maker's code (`IL72-1`, `B/051022`, `Code F.I.L.
/// N70013647/1`), a food allergen statement (`Contains Tree Nuts (Coconut)`), or the
/// origin of the name before (`Coumarin. Plant Origin`).
fn printed_beside_the_list(lower: &str) -> Option<&'static str> {
    if lower.bytes().any(|b| b.is_ascii_digit()) && may_be_code(lower) && CODE.is_match(lower) {
        return Some("a formula or batch code, not an ingredient");
    }
    if lower.starts_with("contains ") && ALLERGENS.iter().any(|a| lower.contains(a)) {
        return Some("an allergen statement, not an ingredient");
    }
    if lower.ends_with(" origin") && ORIGIN.is_match(lower) {
        return Some("the origin of the name before, not an ingredient");
    }
    None
}

/// Reads one item (trimmed, leading bullets removed): its plan.
fn plan_item(s: &str, after_stop: bool) -> ItemPlan {
    if let Some(plan) = record_metadata(s, after_stop) {
        return plan;
    }
    let mut plan = ItemPlan::default();
    let mut r = 0..s.len();
    if let Some(m) = (s.len() > 16 && s.contains("roduct"))
        .then(|| RECORD_META_CUT.find(s))
        .flatten()
    {
        plan.steps.push(Step::Skip(
            m.start()..s.len(),
            "a catalog's record metadata",
        ));
        r.end = m.start();
    }
    let s = &s[..r.end];
    // `Header: rest` starts a kit part or a drug-facts panel.
    let colon = if s.is_ascii() {
        s.find(':')
    } else {
        s.find([':', '：'])
    };
    if let Some(colon) = colon {
        let head = s[..colon].trim();
        // `Octocrylene Ingredients:`: the last name of one list glued to the next
        // list's heading.
        if let Some(name) = glued_heading(head) {
            let r0 = trim_range(s, 0..name.len());
            plan.steps.extend(plan_ingredient(s, r0));
            plan.steps.push(Step::Part(
                head[name.len()..].trim().to_string(),
                PartKind::Plain,
            ));
            r = trim_range(s, colon + 1..r.end);
            if r.is_empty() {
                return plan;
            }
        } else if let Some(kind) = part_header(head).or_else(|| {
            // A header alone on its line (`Goof Proof Brow Pencil Easy Shape & Fill
            // Pencil:`) may be a longer product name.
            let alone = s[colon + 1..].trim().is_empty();
            (alone && head.split_whitespace().count() <= 20 && !head.contains(['.', ';']))
                .then_some(HeaderKind::Part(PartKind::Plain))
        }) {
            match kind {
                HeaderKind::Heading => {}
                HeaderKind::Part(k) => plan.steps.push(Step::Part(head.to_string(), k)),
            }
            r = trim_range(s, colon + 1..r.end);
            if r.is_empty() {
                return plan;
            }
        }
    }
    let t = &s[r.clone()];
    let lower = t.to_ascii_lowercase();
    if let Some(why) = printed_beside_the_list(&lower) {
        plan.steps.push(Step::Skip(r, why));
        return plan;
    }
    let contains = lower.contains("contain");
    if let Some(c) = contains.then(|| PRESCRIBING.captures(t)).flatten() {
        let at = |m: regex::Match| r.start + m.start()..r.start + m.end();
        let pre = c.name("pre").expect("group");
        if pre.as_str().chars().any(char::is_alphabetic) {
            plan.steps.push(Step::Skip(
                at(pre),
                "a strength statement, not an ingredient",
            ));
        }
        plan.steps
            .push(Step::Part("Active".into(), PartKind::Active));
        plan.steps
            .extend(plan_ingredient(s, at(c.name("active").expect("group"))));
        plan.steps
            .push(Step::Part("Inactive".into(), PartKind::Inactive));
        plan.steps
            .extend(plan_ingredient(s, at(c.name("rest").expect("group"))));
        return plan;
    }
    if matches!(
        lower.as_str(),
        "drug facts" | "drug facts (continued)" | "drug facts, continued"
    ) {
        plan.steps.push(Step::Skip(r, "a Drug Facts panel's title"));
        return plan;
    }
    if lower.starts_with("each ") && STRENGTH.is_match(t) && !contains {
        plan.steps
            .push(Step::Skip(r, "a strength statement, not an ingredient"));
        return plan;
    }
    if t.starts_with(FOOTNOTE_MARKS) && (after_stop || is_footnote(t)) {
        plan.steps.push(Step::Skip(r, "footnote"));
        return plan;
    }
    if is_prose(t) {
        // Marketing glued to the first entry: keep what follows the last sentence.
        match last_sentence_tail(t) {
            Some(tail) if !is_prose(&t[tail..]) => {
                plan.steps.push(Step::Skip(
                    r.start..r.start + tail,
                    "prose, not an ingredient",
                ));
                r.start += tail;
            }
            _ => {
                plan.steps.push(Step::Skip(r, "prose, not an ingredient"));
                return plan;
            }
        }
    }
    // Supplier blends: `Glycerin (and) Water` are two ingredients.
    let t = &s[r.clone()];
    let mut last = 0;
    if has_and_blend(t) {
        for m in AND_BLEND.find_iter(t) {
            plan.steps
                .extend(plan_ingredient(s, r.start + last..r.start + m.start()));
            last = m.end();
        }
    }
    plan.steps.extend(plan_ingredient(s, r.start + last..r.end));
    plan
}

/// One ingredient's text as read: percentage, tags and footnote marks taken off.
fn plan_ingredient(s: &str, range: Range<usize>) -> Option<Step> {
    let raw = &s[range.clone()];
    let mut percent = None;
    // `Phenoxyethanol <ILN41569>`: internal codes in angle brackets are not part of a name.
    let untagged;
    let raw = if raw.contains('<') {
        untagged = strip_tags(raw);
        untagged.as_str()
    } else {
        raw
    };
    let has_percent = raw.contains('%');
    let mut body = if has_percent {
        TOLERANCE.replace_all(raw, " ").into_owned()
    } else {
        raw.to_string()
    };
    if let Some(c) = has_percent.then(|| PERCENT.captures(&body)).flatten() {
        percent = c[1].replace(',', ".").parse::<f64>().ok();
        let m = c.get(0).expect("match");
        body.replace_range(m.range(), " ");
    }
    if body.bytes().any(|b| b.is_ascii_digit()) {
        // A code has a slash, a CAS number two hyphens.
        if (body.contains('/') || body.bytes().filter(|&b| b == b'-').count() >= 2)
            && let Some(m) = TRAILING_CODE.find(&body)
        {
            body.truncate(m.start());
        }
        // `1199768Behentrimonium Chloride`: a code glued to the front of a name.
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        if digits >= 5
            && body
                .as_bytes()
                .get(digits)
                .is_some_and(u8::is_ascii_alphabetic)
        {
            body.drain(..digits);
        }
    }
    if may_state_a_dose(&body) && DOSE.is_match(&body) {
        body = DOSE.replace_all(&body, " ").into_owned();
    }
    let cleaned: String = if has_footnote_mark(&body) {
        body.chars()
            .map(|c| if FOOTNOTE_MARKS.contains(&c) { ' ' } else { c })
            .collect()
    } else {
        body
    };
    let cleaned = cleaned
        .trim()
        .trim_end_matches(['.', ':', ',', '-'])
        .trim_start_matches(['.', ':', ',', ')', ']'])
        .trim();
    let cleaned = collapse_spaces(cleaned);
    let cleaned = strip_unbalanced(&cleaned);
    if !cleaned.chars().any(char::is_alphabetic) {
        return None;
    }
    Some(Step::Ingredient {
        range: trim_range(s, range),
        text: cleaned,
        percent,
    })
}

/// The name before `Ingredients` in a header such as `Octocrylene Ingredients`, when
/// it is not a panel's or marketing's word (`Active`, `Key`) or a heading of its own.
/// Words that end a kit part's name (`Night Cream Ingredients:`): such a header names a
/// part, not a last ingredient.
const PRODUCT_WORDS: &[&str] = &[
    "serum",
    "cream",
    "cleanser",
    "toner",
    "mask",
    "lotion",
    "balm",
    "moisturizer",
    "moisturiser",
    "product",
    "formula",
    "base",
    "kit",
    "shade",
    "color",
    "colour",
    "essence",
    "mist",
    "spray",
    "powder",
    "foundation",
    "primer",
    "gel",
];

/// Further words that end a product's name but may also end an ingredient's, so they
/// only lengthen a part header, never make one.
const PRODUCT_NAME_ENDS: &[&str] = &["treatment", "moisturizer", "moisturiser", "cleanser"];

fn glued_heading(head: &str) -> Option<&str> {
    let lower = head.to_ascii_lowercase();
    let cut = ["ingredients", "ingredient"]
        .iter()
        .find_map(|w| lower.strip_suffix(w))?;
    if !cut.ends_with(' ') {
        return None;
    }
    let name = cut.trim();
    let words = name.split_whitespace().count();
    let reserved = [
        "active",
        "inactive",
        "other",
        "non-medicinal",
        "medicinal",
        "full",
        "all",
    ]
    .iter()
    .chain(MARKETING_WORDS)
    .chain(PRODUCT_WORDS)
    .any(|w| name == *w || name.ends_with(&format!(" {w}")));
    ((1..=5).contains(&words) && !reserved && !HEADINGS.contains(&name)).then(|| &head[..cut.len()])
}

enum HeaderKind {
    /// `Ingredients:`: the list starts here.
    Heading,
    Part(PartKind),
}

/// Is this text before a colon a part header? Short, words only, not an ingredient.
fn part_header(head: &str) -> Option<HeaderKind> {
    let lower = head.to_lowercase();
    let lower = lower.trim();
    if lower.is_empty() || head.len() > 80 {
        return None;
    }
    if HEADINGS.contains(&lower) {
        return Some(HeaderKind::Heading);
    }
    let words: Vec<&str> = lower.split_whitespace().collect();
    // A kit part's product name (`C-Firma Day Serum`, `Umbra Sheer Physical Daily
    // Defense SPF 30`) may be long, and longer still when it ends in what the product
    // is (`Renewed Hope in a Jar Refreshing & Refining Eye Cream`); a sentence is not
    // a header.
    let names_a_product = words
        .last()
        .is_some_and(|w| PRODUCT_WORDS.contains(w) || PRODUCT_NAME_ENDS.contains(w));
    if words.len() > if names_a_product { 12 } else { 8 } {
        return None;
    }
    if !head.chars().all(|c| {
        c.is_alphanumeric()
            || matches!(
                c,
                ' ' | '-' | '&' | '/' | '\'' | '.' | '#' | '’' | '+' | '(' | ')' | '™' | '®' | '©'
            )
    }) {
        return None;
    }
    if lower.starts_with("ci ") || lower.starts_with("c.i.") || lower == "ci" {
        return None;
    }
    let first = words[0];
    let kind = match first {
        "active" | "actives" | "medicinal" => PartKind::Active,
        "inactive" | "inactives" | "other" | "non-medicinal" => PartKind::Inactive,
        _ => PartKind::Plain,
    };
    Some(HeaderKind::Part(kind))
}

/// The largest character boundary at or before `i`.
fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `r` without the whitespace at either end, as `str::trim` would leave it. Every item
/// is trimmed, so ASCII blanks are passed over byte by byte; only a non-ASCII byte at
/// an end (a decoded `&#160;`, say) takes the general trim.
fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let b = text.as_bytes();
    let blank = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r');
    let (mut start, mut end) = (r.start, r.end);
    while start < end && blank(b[start]) {
        start += 1;
    }
    while end > start && blank(b[end - 1]) {
        end -= 1;
    }
    if start < end && (!b[start].is_ascii() || !b[end - 1].is_ascii()) {
        let s = &text[r.clone()];
        let start = r.start + (s.len() - s.trim_start().len());
        let end = r.end - (s.len() - s.trim_end().len());
        return start..end.max(start);
    }
    start..end
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Drops brackets left open or closed by a split, so `Oil (Organic` reads as `Oil Organic`.
fn strip_unbalanced(s: &str) -> String {
    let mut depth: i32 = 0;
    let mut ok = true;
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth -= 1;
                if depth < 0 {
                    ok = false;
                }
            }
            _ => {}
        }
    }
    if ok && depth == 0 {
        return s.to_string();
    }
    collapse_spaces(&s.replace(['(', ')', '[', ']'], " "))
}

fn words_of(s: &str) -> impl Iterator<Item = &str> + '_ {
    s.split(|c: char| c.is_whitespace() || c == '/')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
}

fn is_stopword(w: &str) -> bool {
    // The longest stopword has 10 letters; a word is lower-cased on the stack.
    let mut lower = [0u8; 10];
    let Some(lower) = lower.get_mut(..w.len()) else {
        return false;
    };
    lower.copy_from_slice(w.as_bytes());
    lower.make_ascii_lowercase();
    STOPWORDS
        .binary_search_by(|s| s.as_bytes().cmp(lower))
        .is_ok()
}

/// Sentences rather than names: several function words, or very many words.
/// Does the text carry a footnote mark? Marks are `*`, `^` or non-ASCII, so plain
/// ASCII names are answered from their bytes alone.
fn has_footnote_mark(s: &str) -> bool {
    s.bytes().any(|b| b == b'*' || b == b'^' || b >= 0x80) && s.contains(FOOTNOTE_MARKS)
}

/// Removes `<...>` tags and codes.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '<' => depth += 1,
            '>' if depth > 0 => {
                depth -= 1;
                out.push(' ');
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A cheap test before the `(and)` pattern runs.
fn has_and_blend(s: &str) -> bool {
    s.as_bytes().windows(4).any(|w| {
        w[0].eq_ignore_ascii_case(&b'a')
            && w[1].eq_ignore_ascii_case(&b'n')
            && w[2].eq_ignore_ascii_case(&b'd')
            && (w[3] == b')' || w[3] == b' ')
    })
}

fn is_prose(s: &str) -> bool {
    // A benefit bullet (`Tightens pores`, `Helps support natural collagen synthesis`):
    // no INCI name starts with a verb of what a product does.
    if let Some((first, rest)) = s.trim_start().split_once(' ')
        && !rest.trim().is_empty()
        && BENEFIT_VERBS.iter().any(|v| first.eq_ignore_ascii_case(v))
    {
        return true;
    }
    // Names of one or two words are never sentences: most items end here.
    if s.bytes().filter(|&b| b == b' ').count() < 2 {
        return false;
    }
    let without_blends = if has_and_blend(s) {
        AND_BLEND.replace_all(s, " ")
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    let (mut words, mut stop) = (0, 0);
    for w in words_of(&without_blends) {
        words += 1;
        stop += usize::from(is_stopword(w));
    }
    (words >= 3 && stop >= 2) || words >= 16 || (words >= 6 && has_sentence_end(s))
}

fn has_sentence_end(s: &str) -> bool {
    let t = s.trim_end();
    let inner = t
        .char_indices()
        .next_back()
        .map_or("", |(last, _)| &t[..last]);
    inner.contains(". ") || inner.contains("! ") || inner.contains("? ") || inner.contains("...")
}

fn is_footnote(s: &str) -> bool {
    let lower = s.to_lowercase();
    is_prose(s) || FOOTNOTE_WORDS.iter().any(|w| lower.contains(w))
}

/// Where the text after the last sentence boundary starts.
fn last_sentence_tail(s: &str) -> Option<usize> {
    let mut best = None;
    for pat in [". ", "! ", "? ", "...", "…", ": "] {
        if let Some(i) = s.rfind(pat) {
            let at = i + pat.len();
            if best.is_none_or(|b| at > b) {
                best = Some(at);
            }
        }
    }
    let at = best?;
    let tail = s[at..].trim_start();
    (!tail.is_empty()).then(|| s.len() - tail.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stopwords are found by binary search: in order, lower-case, any case matching.
    #[test]
    fn stopwords_are_sorted_and_found_in_any_case() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        for w in STOPWORDS {
            assert!(is_stopword(w), "{w}");
            assert!(is_stopword(&w.to_uppercase()), "{w}");
        }
        for w in ["glycerin", "formulateds", "", "th", "Ölé"] {
            assert!(!is_stopword(w), "{w}");
        }
        assert!(is_prose("Our formula is free of parabens"));
        assert!(!is_prose("Butyrospermum Parkii Butter"));
    }

    /// `trim_range` leaves what `str::trim` leaves, for every range of texts mixing
    /// ASCII blanks, Unicode whitespace and other characters.
    #[test]
    fn trim_range_trims_as_str_trim_does() {
        for text in [
            " Glycerin ",
            "\t\r\n\x0b\x0cAqua\x0c\x0b\n",
            "\u{a0}Water\u{2028} ",
            " \u{3000} \u{a0}",
            "Rosa\u{202f}Damascena \u{85}",
            "  ",
            "é ",
            "",
        ] {
            let bounds: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            for (k, &start) in bounds.iter().enumerate() {
                for &end in &bounds[k..] {
                    let s = &text[start..end];
                    let first = start + (s.len() - s.trim_start().len());
                    let last = end - (s.len() - s.trim_end().len());
                    let trimmed = first..last.max(first);
                    assert_eq!(
                        trim_range(text, start..end),
                        trimmed,
                        "{text:?} {start}..{end}"
                    );
                    assert_eq!(&text[trimmed], s.trim());
                }
            }
        }
    }

    fn texts(label: &str) -> Vec<String> {
        parse(label)
            .unwrap()
            .ingredients
            .into_iter()
            .map(|i| i.text)
            .collect()
    }

    #[test]
    fn eight_bytes_are_read_as_plain_exactly_when_each_is() {
        // Every byte value at every place of a word of otherwise plain bytes, so a
        // wrong bit or a carry into the next byte shows.
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut word = *b"Aa0 zZ9m";
                word[at] = b;
                let expected = word
                    .iter()
                    .enumerate()
                    .filter(|&(_, &c)| !PLAIN[usize::from(c)])
                    .fold(0u64, |m, (k, _)| m | 0x80 << (8 * k));
                assert_eq!(
                    not_plain(u64::from_le_bytes(word)),
                    expected,
                    "{b:#x} at {at}"
                );
            }
        }
        let text = b"Cetearyl Alcohol, Water and Glycerin";
        assert_eq!(plain_run_end(text, 0, text.len()), 16);
        assert_eq!(plain_run_end(text, 0, 10), 10);
        assert_eq!(plain_run_end(text, 17, text.len()), text.len());
        assert_eq!(plain_run_end(text, 16, text.len()), 16);
    }

    #[test]
    fn round_brackets_pair_alike_by_search_and_by_scan() {
        // `Brackets::new` finds round brackets and newlines with a vectorised search
        // when a label has no other bracket; a look at every byte must agree.
        for text in [
            "Cocos Nucifera (Coconut, Organic) Oil, Water",
            "Oil (Organic, Water (Aqua)) ((, Glycerin)\n(Ceramide NP, Lecithin",
            "Water) (Aqua, Glycerin (Vegetable)\n) Extract (",
        ] {
            let bytes = text.as_bytes();
            let mut scanned = Brackets::pair(
                bytes,
                (0..bytes.len()).filter(|&i| BRACKET_OR_NEWLINE[usize::from(bytes[i])]),
            );
            scanned.sort_unstable();
            assert!(!scanned.is_empty());
            assert_eq!(Brackets::new(text).pairs, scanned, "{text}");
        }
        let b = Brackets::new("Oil [Shade 1 (Red)], Water {x}");
        assert_eq!(b.close_of(4), Some(18));
        assert_eq!(b.close_of(13), Some(17));
        assert_eq!(b.close_of(27), Some(29));
        assert_eq!(b.close_of(5), None);
    }

    #[test]
    fn splits_on_every_separator_but_not_inside_brackets() {
        assert_eq!(
            texts("Water, Glycerin; Niacinamide • Squalane | Panthenol\nAllantoin"),
            [
                "Water",
                "Glycerin",
                "Niacinamide",
                "Squalane",
                "Panthenol",
                "Allantoin"
            ]
        );
        assert_eq!(
            texts("Cocos Nucifera (Coconut, Organic) Oil, Water"),
            ["Cocos Nucifera (Coconut, Organic) Oil", "Water"]
        );
    }

    #[test]
    fn percentages_and_footnotes_are_taken_off_the_text() {
        let p = parse("Glycolic Acid 10%, 5.0%Water, Aloe Leaf Juice*, Glycerin +/- 0.5%").unwrap();
        let i = &p.ingredients;
        assert_eq!(i[0].text, "Glycolic Acid");
        assert_eq!(i[0].percent, Some(10.0));
        assert_eq!(i[1].text, "Water");
        assert_eq!(i[1].percent, Some(5.0));
        assert_eq!(i[2].text, "Aloe Leaf Juice");
        assert_eq!(i[3].text, "Glycerin");
        assert_eq!(i[3].percent, None);
        assert!(!i[3].may_contain);
    }

    /// Every token passes the look at the first two bytes, at the start of a text or
    /// after blanks, and names that begin like one (`Mango`, `Peppermint`) do not.
    #[test]
    fn may_contain_markers_pass_the_first_look_and_names_do_not() {
        for t in MAY_CONTAIN_TOKENS {
            assert!(may_start_marker(t.as_bytes()), "{t}");
            let marker = may_contain_marker(&format!("  {t}: mica")).expect(t);
            assert_eq!(marker, 2 + t.len() + 2, "{t}");
        }
        for name in [
            "mango butter",
            "peppermint oil",
            "m",
            "",
            "(water)",
            "+",
            "pentylene glycol",
        ] {
            assert_eq!(may_contain_marker(name), None, "{name}");
        }
    }

    #[test]
    fn may_contain_blocks_are_marked_and_numbered_last() {
        let p = parse("Mica, Talc, [+/-: CI 77491, CI 77891], Dimethicone").unwrap();
        let got: Vec<_> = p
            .ingredients
            .iter()
            .map(|i| (i.text.as_str(), i.position, i.may_contain))
            .collect();
        assert_eq!(
            got,
            [
                ("Mica", 1, false),
                ("Talc", 2, false),
                ("CI 77491", 4, true),
                ("CI 77891", 5, true),
                ("Dimethicone", 3, false)
            ]
        );
        let p = parse("Mica, Talc. May Contain: Iron Oxides, Ultramarines").unwrap();
        assert!(p.ingredients[2].may_contain && p.ingredients[3].may_contain);
    }

    #[test]
    fn spans_point_into_the_input() {
        let label = "Ingr&eacute;dients: Water,\u{200b} Glyc-\nerin";
        let p = parse(label).unwrap();
        for i in &p.ingredients {
            assert!(label.get(i.span.clone()).is_some(), "{:?}", i.span);
        }
        assert_eq!(&label[p.ingredients[0].span.clone()], "Water");
    }

    #[test]
    fn headings_prose_and_boilerplate_are_not_ingredients() {
        let t = texts(
            "Our best serum ever. Ingredients: Water, Glycerin, Phenoxyethanol. Please be aware that ingredient lists may change or vary from time to time.",
        );
        assert_eq!(t, ["Water", "Glycerin", "Phenoxyethanol"]);
        let t = texts("-NIA-114™: Supports the skin barrier... Water/Aqua/Eau, Glycerin");
        assert_eq!(t, ["Water/Aqua/Eau", "Glycerin"]);
        let t = texts(
            "Water, Glycerin. Directions: apply to clean skin. Caution: for external use only.",
        );
        assert_eq!(t, ["Water", "Glycerin"]);
    }

    #[test]
    fn a_list_ends_at_boilerplate_or_at_a_heading_before_a_colon() {
        assert_eq!(texts("Ingredients：Water, Glycerin"), ["Water", "Glycerin"]);
        // No colon anywhere: boilerplate ends the list, a heading's word does not.
        let t = texts("Water, Storage Oil, Glycerin. Keep out of reach of children.");
        assert_eq!(t, ["Water", "Storage Oil", "Glycerin"]);
        // Whichever comes first ends it.
        let t = texts("Water, Glycerin. Warnings: keep out of reach of children.");
        assert_eq!(t, ["Water", "Glycerin"]);
        let t = texts("Water, Glycerin. Keep out of reach of children. Directions: apply.");
        assert_eq!(t, ["Water", "Glycerin"]);
        // A heading's word with a colon only much later does not end the list.
        let t = texts("Water, Storage Oil, Glycerin. Directions: apply.");
        assert_eq!(t, ["Water", "Storage Oil", "Glycerin"]);
    }

    #[test]
    fn kit_parts_and_drug_facts_panels_become_parts() {
        let p = parse("Active: Zinc Oxide 15%. Inactive: Water, Glycerin").unwrap();
        assert_eq!(p.parts.len(), 2);
        assert_eq!(p.parts[0].kind, PartKind::Active);
        assert_eq!(p.parts[1].kind, PartKind::Inactive);
        assert_eq!(p.ingredients[0].percent, Some(15.0));
        let p = parse("Serum: Water, Retinol; Powder: Silica, Ascorbic Acid").unwrap();
        let names: Vec<_> = p.parts.iter().map(|p| p.name.clone().unwrap()).collect();
        assert_eq!(names, ["Serum", "Powder"]);
        assert_eq!(p.ingredients[3].position, 2);
    }

    #[test]
    fn an_item_read_before_is_replayed_in_its_own_place() {
        // The same texts in other labels, other parts, a may-contain block and
        // after the end of the list: each answer is that of its own context.
        for _ in 0..2 {
            let p = parse("Water, Glycerin 5%, Serum: Retinol").unwrap();
            assert_eq!(p.parts.len(), 2);
            assert_eq!(p.ingredients[1].percent, Some(5.0));
            assert_eq!(p.ingredients[2].part, 1);
            let p = parse("Lotion: Water, Glycerin 5% [+/- Retinol]").unwrap();
            assert_eq!(p.parts[0].name.as_deref(), Some("Lotion"));
            assert_eq!(p.ingredients[1].span, 15..26);
            assert!(p.ingredients[2].may_contain);
            let p = parse("  Glycerin 5%, *Aloe Vera, Water *Aloe Vera").unwrap();
            assert_eq!(p.ingredients[0].span, 2..13);
            assert!(p.ingredients.iter().any(|i| i.text == "Aloe Vera"));
            assert!(
                p.skipped
                    .iter()
                    .any(|s| s.text == "*Aloe Vera" && s.why == "footnote")
            );
        }
    }

    #[test]
    fn claims_of_what_a_product_is_free_of_are_not_ingredients() {
        assert_eq!(
            texts("Water, Glycerin, Squalane. Free of parabens, sulfates, silicones."),
            ["Water", "Glycerin", "Squalane"]
        );
        assert_eq!(
            texts("Water, Glycerin, Aloe Leaf Juice, free from synthetic fragrance and PEGs"),
            ["Water", "Glycerin", "Aloe Leaf Juice"]
        );
        assert!(texts("All products are free from parabens, silicones. In addition, they do not contain PEGs, urea, nylon").is_empty());
    }

    #[test]
    fn and_blends_are_two_ingredients() {
        assert_eq!(
            texts("Glycerin (and) Water, Mica"),
            ["Glycerin", "Water", "Mica"]
        );
    }

    #[test]
    fn placeholders_and_empty_text_are_errors() {
        assert!(matches!(parse("  ,;. "), Err(LabelError::Empty)));
        assert!(matches!(parse("#NAME?"), Err(LabelError::Placeholder(_))));
        assert!(matches!(parse("No Info"), Err(LabelError::Placeholder(_))));
        assert!(matches!(
            parse("Visit the Dior boutique"),
            Err(LabelError::Placeholder(_))
        ));
    }

    #[test]
    fn footnotes_after_the_list_are_skipped() {
        assert_eq!(
            texts("Water, Aloe Barbadensis Leaf Juice*. *Certified Organic Ingredient"),
            ["Water", "Aloe Barbadensis Leaf Juice"]
        );
        assert!(
            texts("*Ingredients from organic farming. **Clinical grade essential oils blend.")
                .is_empty()
        );
    }
}
