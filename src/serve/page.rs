//! The page: the form, and an `Assessment` rendered as HTML (the verdict first, then the
//! label with each flagged ingredient marked by category, the reasons, notes,
//! unrecognised names and the condition). The same fragment serves the plain form post
//! and the page's script, so the answer is rendered, and escaped, in one place.
//!
//! Everything that came from a request passes through [`text`] (control and invisible
//! characters replaced, HTML escaped) before it reaches the page. The templates are
//! files under `assets/`, embedded at compile time; this module fills them in one pass,
//! so a value that looks like a template token is never expanded.

use std::fmt::Write as _;

use jiff::tz::TimeZone;

use super::api::{Ask, parse_depth};
use crate::assess::{Assessment, Status, Verdict, summarize};
use crate::db::Database;

pub(super) const HTML: &str = include_str!("../../assets/page.html");
pub(super) const CSS: &str = include_str!("../../assets/page.css");
pub(super) const JS: &str = include_str!("../../assets/page.js");

/// The form's fields as the person typed them, to fill the form again after a post.
#[derive(Debug, Default, Clone)]
pub(super) struct FormValues {
    pub label: String,
    pub name: String,
    pub product_type: String,
    pub profile: String,
    pub depth: String,
    pub date: String,
    pub time: String,
    pub tz: String,
}

impl FormValues {
    /// Reads a posted form. Unknown fields are ignored: a browser may add its own.
    pub fn from_pairs<'a>(
        pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    ) -> FormValues {
        let mut form = FormValues::default();
        for (key, value) in pairs {
            let slot = match key.as_ref() {
                "label" => &mut form.label,
                "name" => &mut form.name,
                "type" => &mut form.product_type,
                "profile" => &mut form.profile,
                "depth" => &mut form.depth,
                "date" => &mut form.date,
                "time" => &mut form.time,
                "tz" => &mut form.tz,
                _ => continue,
            };
            *slot = value.into_owned();
        }
        form
    }

    /// What the form asks for. The treatment time needs both its date and its time:
    /// guessing either would move every date on the answer.
    pub fn ask(&self) -> Result<Ask, String> {
        let given = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let treated_at = match (given(&self.date), given(&self.time)) {
            (None, None) => None,
            (Some(d), Some(t)) => Some(format!("{d} {t}")),
            (Some(_), None) => {
                return Err("give the time the treatment ended as well as its date".into());
            }
            (None, Some(_)) => {
                return Err("give the date of the treatment as well as the time".into());
            }
        };
        Ok(Ask {
            label: self.label.clone(),
            name: given(&self.name),
            product_type: given(&self.product_type),
            profile: given(&self.profile).map(|p| p.parse()).transpose()?,
            depth: given(&self.depth).map(|d| parse_depth(&d)).transpose()?,
            treated_at,
            tz: given(&self.tz),
        })
    }
}

/// The whole page: the form filled with `form` and `answer` (a fragment from
/// [`result`] or [`error`], or empty) in the answer's place.
pub(super) fn page(form: &FormValues, answer: &str, product_types: &[String]) -> String {
    let mut types = String::from(r#"<option value="">from the name and ingredients</option>"#);
    for t in product_types {
        option(&mut types, t, t, form.product_type.trim() == t);
    }
    let mut profiles = String::from(r#"<option value="">standard, or from the depth</option>"#);
    for (value, shown) in [
        ("light", "light: under 0.5 mm"),
        ("standard", "standard: 0.5 to 1.5 mm"),
        ("deep", "deep: 1.5 mm and more, RF"),
    ] {
        option(&mut profiles, value, shown, form.profile.trim() == value);
    }
    fill(
        HTML,
        &[
            ("label", &text(&form.label)),
            ("name", &text(&form.name)),
            ("type_options", &types),
            ("profile_options", &profiles),
            ("depth", &text(&form.depth)),
            ("date", &text(&form.date)),
            ("time", &text(&form.time)),
            ("tz", &text(&form.tz)),
            ("answer", answer),
            ("version", env!("CARGO_PKG_VERSION")),
        ],
    )
}

/// The answer: verdict, marked label, reasons, notes, unrecognised names, condition.
pub(super) fn result(a: &Assessment, label: &str, db: &Database, tz: &TimeZone) -> String {
    let mut out = String::new();
    let verdict = match a.verdict {
        Verdict::Ok => "ok",
        Verdict::Wait => "wait",
        Verdict::Review => "review",
        Verdict::Avoid => "avoid",
    };
    let (headline, detail) = headline(a, tz);
    let _ = write!(
        out,
        r#"<div class="answer verdict-{verdict}"><h2 class="headline" id="verdict">{}</h2>"#,
        text(&headline)
    );
    if let Some(d) = detail {
        let _ = write!(out, r#"<p class="when">{}</p>"#, text(&d));
    }
    let summary = summarize(a, db);
    let mut facts = Vec::new();
    if !summary.is_empty() {
        facts.push(summary);
    }
    if let Some(name) = &a.name {
        facts.push(format!("product: {name}"));
    }
    facts.push(format!("profile {}", a.profile));
    facts.push(format!(
        "type {} ({})",
        a.product_type, a.product_type_source
    ));
    let recognised = a.ingredients.len() - a.unrecognized().count();
    facts.push(format!(
        "{} ingredients read, {recognised} recognised",
        a.ingredients.len()
    ));
    let _ = write!(out, r#"<p class="facts">{}</p>"#, text(&facts.join(" · ")));

    out.push_str(r#"<h3>Your label</h3><p class="label" id="marked-label">"#);
    marked_label(&mut out, a, label, db);
    out.push_str("</p>");

    let multipart = a.parts.len() > 1;
    if !a.findings.is_empty() {
        out.push_str(r#"<h3>Why</h3><ul class="findings">"#);
        for f in &a.findings {
            let printed = if f.ingredient.is_empty() {
                &*f.name
            } else {
                f.ingredient.as_str()
            };
            let mut where_ = String::new();
            if let Some(p) = f.position {
                if multipart {
                    let _ = write!(where_, "{} ", part_name(a, f.part));
                }
                let _ = write!(where_, "#{p}");
            }
            let mut marks = Vec::new();
            if f.probable {
                marks.push("probable".to_string());
            }
            if f.possible {
                marks.push("may contain".to_string());
            }
            marks.push(duration(f.wait_hours));
            if let Some(t) = safe_time(f.safe_from.as_deref(), tz) {
                marks.push(format!("from {}", day_and_time(&t)));
            }
            let _ = write!(
                out,
                r#"<li class="{}"><span class="tag">{}</span> <strong>{}</strong>{} ({}): {}</li>"#,
                category_class(&f.category),
                text(&category_label(db, &f.category)),
                text(printed),
                if where_.is_empty() {
                    String::new()
                } else {
                    format!(" <span class=\"pos\">{}</span>", text(&where_))
                },
                text(&marks.join(", ")),
                text(&f.reason)
            );
        }
        out.push_str("</ul>");
    }
    if multipart {
        out.push_str(r#"<h3>Parts</h3><ul class="parts">"#);
        for (i, p) in a.parts.iter().enumerate() {
            let _ = write!(
                out,
                "<li><strong>{}</strong>: {}</li>",
                text(&part_name(a, i)),
                text(&duration(p.wait_hours))
            );
        }
        out.push_str("</ul>");
    }
    if !a.notes.is_empty() {
        out.push_str(r#"<h3>Notes</h3><p class="aside">These never change the answer.</p><ul class="notes">"#);
        for n in &a.notes {
            let pos = n.position.map(|p| format!(" #{p}")).unwrap_or_default();
            let _ = write!(
                out,
                r#"<li><strong>{}</strong>{} <span class="tag-plain">[{}]</span>: {}</li>"#,
                text(&n.ingredient),
                text(&pos),
                text(&category_label(db, &n.category)),
                text(&n.reason)
            );
        }
        out.push_str("</ul>");
    }
    let unknown: Vec<_> = a.unrecognized().collect();
    if !unknown.is_empty() {
        out.push_str(
            r#"<h3>Not recognised</h3><p class="aside">Not in the database, so not treated as safe: check these by hand.</p><ul class="unknown">"#,
        );
        for i in unknown {
            let hint = i
                .suggestion
                .as_ref()
                .map(|s| format!(": did you mean <em>{}</em>?", text(s)))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<li><strong>{}</strong> #{}{hint}</li>",
                text(&i.text),
                i.position
            );
        }
        out.push_str("</ul>");
    }
    let _ = write!(
        out,
        r#"<p class="condition"><strong>{}</strong></p></div>"#,
        text(&sentence(a.condition))
    );
    out
}

/// An answer that could not be given: the message, in the answer's place.
pub(super) fn error(message: &str) -> String {
    format!(
        r#"<div class="answer problem" role="alert"><h2 class="problem-title">Cannot check this</h2><p>{}</p></div>"#,
        text(&sentence(message))
    )
}

/// The product types the page offers: those the database names, then `other`.
pub(super) fn product_types(db: &Database) -> Vec<String> {
    db.product_type_ids()
}

/// Untrusted text for HTML: control and invisible characters (which can reorder or
/// hide text) replaced by spaces, line breaks kept, then escaped for element content
/// and quoted attribute values alike.
pub(super) fn text(s: &str) -> String {
    crate::report::escape_html(s)
}

/// The verdict in words, first; then when exactly, if the answer has a date.
fn headline(a: &Assessment, tz: &TimeZone) -> (String, Option<String>) {
    let safe = safe_time(a.safe_from.as_deref(), tz);
    let treated = safe_time(a.treated_at.as_deref(), tz);
    let since = treated
        .as_ref()
        .map(|t| format!("after the treatment ({})", day_and_time(t)));
    match (a.verdict, a.wait_hours) {
        (Verdict::Avoid, _) | (_, None) => (
            "Avoid: not recommended at any time after the procedure".into(),
            None,
        ),
        (Verdict::Ok, Some(h)) => match safe {
            Some(t) => (
                format!("OK from {}", day_and_time(&t)),
                since.map(|s| format!("{h} hours {s}")),
            ),
            None => (format!("OK after the first {h} hours"), None),
        },
        (Verdict::Review, Some(h)) => {
            let at_least = if h > a.baseline_hours {
                match safe {
                    Some(t) => format!(
                        "at least {}, not before {}",
                        duration(Some(h)),
                        day_and_time(&t)
                    ),
                    None => format!(
                        "at least {} (from day {})",
                        duration(Some(h)),
                        h.div_ceil(24) + 1
                    ),
                }
            } else {
                format!("at least the first {h} hours")
            };
            (
                format!("Check by hand before use: {at_least}"),
                a.review.clone(),
            )
        }
        (Verdict::Wait, Some(h)) => {
            let wait = duration(Some(h));
            match safe {
                Some(t) if h % 24 == 0 => (
                    format!("Wait {wait}: from {}", day(&t, treated.as_ref())),
                    Some(format!(
                        "at {}, {wait} {}",
                        t.strftime("%H:%M"),
                        since.unwrap_or_default()
                    )),
                ),
                Some(t) => (
                    format!("Wait {wait}: from {}", day_and_time(&t)),
                    since.map(|s| format!("{wait} {s}")),
                ),
                None if h < 24 => (format!("Wait {wait}"), None),
                None => (
                    format!("Wait {wait}: from day {}", h.div_ceil(24) + 1),
                    Some("give the treatment date and time to see the date".into()),
                ),
            }
        }
    }
}

/// The label as pasted, with each flagged or unrecognised ingredient in a `<mark>`
/// followed by its category and wait in words, so colour is never the only cue.
fn marked_label(out: &mut String, a: &Assessment, label: &str, db: &Database) {
    struct Mark {
        start: usize,
        end: usize,
        class: String,
        tags: Vec<String>,
        category: String,
    }
    let mut marks: Vec<Mark> = Vec::new();
    for i in &a.ingredients {
        let [start, end] = i.span;
        if label.get(start..end).is_none() || start >= end {
            continue;
        }
        let (class, tag, category) = match (i.status, &i.category) {
            (Status::Flagged, Some(c)) => {
                let wait = a
                    .findings
                    .iter()
                    .find(|f| f.part == i.part && f.position == Some(i.position))
                    .map(|f| duration(f.wait_hours));
                let label = category_label(db, c);
                let tag = match wait {
                    Some(w) => format!("{label} · {w}"),
                    None => label,
                };
                (format!("flag {}", category_class(c)), tag, c.to_string())
            }
            (Status::Unrecognized, _) => (
                "unknown".to_string(),
                "not recognised".to_string(),
                String::new(),
            ),
            _ => continue,
        };
        // Names that ran together share one span: one mark with every tag.
        if let Some(m) = marks.iter_mut().find(|m| m.start == start && m.end == end) {
            if !m.tags.contains(&tag) {
                m.tags.push(tag);
            }
            if m.class == "unknown" && class != "unknown" {
                m.class = class;
                m.category = category;
            }
            continue;
        }
        marks.push(Mark {
            start,
            end,
            class,
            tags: vec![tag],
            category,
        });
    }
    marks.sort_by_key(|m| (m.start, m.end));
    let mut at = 0;
    for m in marks {
        if m.start < at {
            continue;
        }
        out.push_str(&text(&label[at..m.start]));
        let data = if m.category.is_empty() {
            String::new()
        } else {
            format!(r#" data-category="{}""#, text(&m.category))
        };
        let _ = write!(
            out,
            r#"<mark class="{}"{data}>{}</mark><span class="tag">{}</span>"#,
            m.class,
            text(&label[m.start..m.end]),
            text(&m.tags.join("; "))
        );
        at = m.end;
    }
    out.push_str(&text(&label[at..]));
}

fn option(out: &mut String, value: &str, shown: &str, selected: bool) {
    let _ = write!(
        out,
        r#"<option value="{}"{}>{}</option>"#,
        text(value),
        if selected { " selected" } else { "" },
        text(shown)
    );
}

/// Fills `{{key}}` tokens in one pass: inserted values are never scanned again.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let extra: usize = values.iter().map(|(_, v)| v.len()).sum();
    let mut out = String::with_capacity(template.len() + extra);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            rest = &rest[open..];
            break;
        };
        let key = &after[..close];
        match values.iter().find(|(k, _)| *k == key) {
            Some((_, v)) => out.push_str(v),
            // Left as it is, so that a test sees a token without a value.
            None => out.push_str(&rest[open..open + 2 + close + 2]),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

/// `aha` to `cat-aha`: a class name from a category id, whatever an overlay calls it.
fn category_class(category: &str) -> String {
    let id: String = category
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("cat-{id}")
}

fn category_label(db: &Database, category: &str) -> String {
    db.category(category)
        .map_or(category, |c| c.label.as_str())
        .to_string()
}

fn part_name(a: &Assessment, i: usize) -> String {
    a.parts
        .get(i)
        .and_then(|p| p.name.clone())
        .unwrap_or_else(|| format!("part {}", i + 1))
}

/// `7 days`, `1 day`, `12 hours`, `avoid`.
fn duration(hours: Option<u32>) -> String {
    match hours {
        None => "avoid".into(),
        Some(24) => "1 day".into(),
        Some(h) if h % 24 == 0 => format!("{} days", h / 24),
        Some(1) => "1 hour".into(),
        Some(h) => format!("{h} hours"),
    }
}

/// An RFC 3339 time from the assessment, in the zone the person is in.
fn safe_time(rfc3339: Option<&str>, tz: &TimeZone) -> Option<jiff::ZonedDateTime> {
    let ts: jiff::Timestamp = rfc3339?.parse().ok()?;
    Some(ts.to_zoned_datetime(tz.clone()))
}

/// `Wednesday 2 December`, with the year when it is not the treatment's.
fn day(t: &jiff::ZonedDateTime, treated: Option<&jiff::ZonedDateTime>) -> String {
    if treated.is_some_and(|s| s.year() != t.year()) {
        t.strftime("%A %-d %B %Y").to_string()
    } else {
        t.strftime("%A %-d %B").to_string()
    }
}

/// `Wednesday 2 December, 14:00`.
fn day_and_time(t: &jiff::ZonedDateTime) -> String {
    t.strftime("%A %-d %B, %H:%M").to_string()
}

/// `resume any product ...` to `Resume any product ....`
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    let Some(first) = c.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().collect();
    out.push_str(c.as_str());
    if !out.ends_with('.') && !out.ends_with('?') {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_and_hides_invisible_characters() {
        assert_eq!(
            text("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
        assert_eq!(text("a\u{202e}b\u{0007}c\r\nd"), "a b c\nd");
    }

    #[test]
    fn fill_does_not_expand_tokens_inside_values() {
        let filled = fill("<p>{{a}}</p><p>{{b}}</p>", &[("a", "{{b}}"), ("b", "x")]);
        assert_eq!(filled, "<p>{{b}}</p><p>x</p>");
    }

    #[test]
    fn every_token_of_the_page_template_has_a_value() {
        let filled = page(&FormValues::default(), "", &["other".into()]);
        assert!(!filled.contains("{{"), "a token was left unfilled");
        assert!(!HTML.contains("{{}}"));
    }

    #[test]
    fn durations_read_as_days_or_hours() {
        assert_eq!(duration(Some(168)), "7 days");
        assert_eq!(duration(Some(24)), "1 day");
        assert_eq!(duration(Some(12)), "12 hours");
        assert_eq!(duration(None), "avoid");
    }

    #[test]
    fn a_date_without_a_time_is_refused() {
        let form = FormValues {
            label: "Water".into(),
            date: "2026-11-25".into(),
            ..FormValues::default()
        };
        assert!(form.ask().unwrap_err().contains("time"));
    }
}
