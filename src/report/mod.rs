//! Reporters: an `Assessment` to text or JSON. Reporters only consume assessments;
//! they know nothing of parsing or matching.

pub mod ci;
pub mod csv;
pub mod json;
pub mod plan;
pub mod text;

/// Removes control and invisible characters from untrusted text before it reaches a
/// terminal, so a pasted label cannot move the cursor or hide text.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}
