//! Reporters: an `Assessment` to text, JSON, CSV or a spreadsheet. Reporters only
//! consume assessments; they know nothing of parsing or matching.

pub mod ci;
pub mod csv;
pub mod json;
pub mod plan;
pub mod text;
pub mod xlsx;

/// Removes control and invisible characters from untrusted text before it reaches a
/// terminal, so a pasted label cannot move the cursor or hide text.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if is_hidden(c) { ' ' } else { c })
        .collect()
}

/// Untrusted text for HTML element content and quoted attribute values: control and
/// invisible characters (which can reorder or hide text) become spaces, line breaks
/// are kept, and `& < > " '` are escaped. The plan page and the served page share it.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            '\r' => {}
            c if is_hidden(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Characters that move the cursor or hide and reorder text.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}
