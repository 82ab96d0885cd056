//! JSON as docs/interface.md fixes it: the `Assessment` serialised as it is.

use std::io::Write;

use crate::assess::Assessment;

/// Writes one assessment as pretty JSON followed by a newline.
pub fn write(out: &mut dyn Write, a: &Assessment) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, a)?;
    writeln!(out)
}

/// Writes one assessment as a single line (for JSON Lines).
pub fn write_line(out: &mut dyn Write, a: &Assessment) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, a)?;
    writeln!(out)
}
