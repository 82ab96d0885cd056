//! Name keys: how label text and database names are reduced before they are compared.
//!
//! This module owns the one definition of "the same name": case, diacritics, spacing and
//! punctuation are ignored, word boundaries are kept. It knows nothing of the database or
//! of labels; the matcher builds its indexes from these keys and the parser uses them to
//! ask the matcher questions.

/// A name reduced to lower-case ASCII words separated by single spaces.
///
/// `Caprylic/ Capric Triglyceride` and `caprylic capric triglyceride` share a key;
/// `PEG-100 Stearate` becomes `peg 100 stearate`. Parenthesised text is kept as words.
pub fn word_key(text: &str) -> String {
    let mut out = String::new();
    word_key_into(text, &mut out);
    out
}

/// `word_key` written into `out` (cleared first), so a caller looking up many names
/// reuses one buffer.
pub fn word_key_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    let mut pending_space = false;
    if text.is_ascii() {
        // Byte by byte: the common case, and the hot one when the database loads.
        for &b in text.as_bytes() {
            let kept = WORD_BYTE[usize::from(b)];
            if kept != 0 {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(char::from(kept));
            } else {
                pending_space = !out.is_empty();
            }
        }
        return;
    }
    let mut push = |out: &mut String, c: char| {
        if c.is_ascii_alphanumeric() {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c.to_ascii_lowercase());
        } else {
            pending_space = !out.is_empty();
        }
    };
    for c in text.chars() {
        if c.is_ascii() {
            push(out, c);
        } else {
            // Invisible characters fold to nothing and join what they separate.
            for f in fold(c).chars() {
                push(out, f);
            }
        }
    }
}

/// Each ASCII byte as it stands in a word key: letters lower-cased, digits kept, and
/// 0 for everything that separates words.
const WORD_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            0
        };
        b += 1;
    }
    t
};

/// The word key without its spaces: `cetearylalcohol`. Matches text whose words were
/// glued together or broken apart by scraping (`CitricAcid`, `Pheno-xyethanol`).
pub fn compact_key(text: &str) -> String {
    without_spaces(&word_key(text))
}

/// A word key with its words glued together. In one allocation of the right size:
/// `str::replace` grows its result from nothing, and the matcher makes one for every
/// name in the database the first time a name is not found as printed.
pub fn without_spaces(key: &str) -> String {
    let mut out = Vec::with_capacity(key.len());
    out.extend(key.bytes().filter(|&b| b != b' '));
    String::from_utf8(out).expect("taking out ASCII spaces leaves UTF-8")
}

/// The keys a name is known by, most literal first: the whole name; the name without
/// its parenthesised parts; the parenthesised common name followed by what comes after
/// it; and a trailing parenthesised part alone (`Tocopherol (Vitamin E)`). So
/// `Cocos Nucifera (Coconut) Oil` gives `cocos nucifera coconut oil`,
/// `cocos nucifera oil` and `coconut oil`, never `coconut` alone: a common name in the
/// middle of a plant name is not the ingredient.
pub fn name_keys(text: &str) -> Vec<String> {
    let whole = word_key(text);
    let mut keys = vec![whole];
    if !text.contains('(') && !text.contains('[') {
        return keys;
    }
    // Sized for the whole text, which they are parts of: grown a character at a time
    // they were copied over and over.
    let mut outer = String::with_capacity(text.len());
    let mut inner: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut current = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' => {
                if depth == 0 {
                    current.clear();
                }
                depth += 1;
                outer.push(' ');
            }
            ')' | ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    inner.push((current.clone(), i + 1));
                }
            }
            _ if depth > 0 => current.push(c),
            _ => outer.push(c),
        }
    }
    let mut push = |k: String| {
        if !k.is_empty() && !keys.contains(&k) {
            keys.push(k);
        }
    };
    push(word_key(&outer));
    for (part, end) in &inner {
        let tail = text[*end..].split(['(', '[']).next().unwrap_or_default();
        if word_key(tail).is_empty() {
            if word_key(&text[..*end]).len() > word_key(part).len() {
                push(word_key(part));
            }
        } else {
            push(word_key(&format!("{part} {tail}")));
        }
    }
    keys
}

/// Levenshtein distance with adjacent transpositions, giving up once it exceeds `limit`.
pub fn edit_distance_within(a: &[u8], b: &[u8], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let n = b.len();
    let mut prev2 = vec![0usize; n + 1];
    let mut prev: Vec<usize> = (0..=n).collect();
    let mut cur = vec![0usize; n + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[n];
    (d <= limit).then_some(d)
}

/// Folds one character to the ASCII letters a label means by it; punctuation and
/// marks fold to themselves (the callers treat them as word breaks); invisible
/// characters fold to nothing.
fn fold(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'œ' | 'Œ' => "oe",
        'ß' => "ss",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'α' => "alpha",
        'β' => "beta",
        'γ' => "gamma",
        'δ' => "delta",
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => "",
        _ => " ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_key_ignores_case_spacing_and_punctuation() {
        assert_eq!(
            word_key("Caprylic/ Capric  Triglyceride"),
            "caprylic capric triglyceride"
        );
        assert_eq!(word_key("PEG-100 Stearate"), "peg 100 stearate");
        assert_eq!(word_key("Ingrédients"), "ingredients");
        assert_eq!(word_key("Pheno\u{200b}xyethanol"), "phenoxyethanol");
    }

    #[test]
    fn compact_keys_glue_the_words() {
        assert_eq!(compact_key("Cetearyl  Alcohol"), "cetearylalcohol");
        assert_eq!(without_spaces(" a b  c "), "abc");
        assert_eq!(without_spaces(""), "");
    }

    #[test]
    fn name_keys_cover_both_forms_of_a_plant_name() {
        let keys = name_keys("Cocos Nucifera (Coconut) Oil");
        assert_eq!(
            keys,
            vec![
                "cocos nucifera coconut oil",
                "cocos nucifera oil",
                "coconut oil"
            ]
        );
        assert_eq!(
            name_keys("Tocopherol (Vitamin E)"),
            vec!["tocopherol vitamin e", "tocopherol", "vitamin e"]
        );
    }

    #[test]
    fn edit_distance_stops_at_the_limit() {
        assert_eq!(edit_distance_within(b"glyco1ic", b"glycolic", 2), Some(1));
        assert_eq!(edit_distance_within(b"acohol", b"alcohol", 1), Some(1));
        assert_eq!(edit_distance_within(b"ab", b"ba", 1), Some(1));
        assert_eq!(edit_distance_within(b"water", b"glycerin", 2), None);
    }
}
