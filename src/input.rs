//! Bytes to text: byte-order marks, UTF-8, and the Windows-1252 that scraped files use.
//!
//! Everything that reads a file or standard input goes through `decode`, so a label
//! pasted, a CSV read by `batch` and an overlay are decoded the same way.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Reads at most `limit` bytes of a file, or of standard input for `-`: one byte more
/// is an error naming the file and the limit, so `/dev/zero` or a runaway pipe never
/// fills memory. With `regular_only`, anything but a regular file (a device, a FIFO,
/// a folder) is refused before it is opened, so a configuration read in CI never waits
/// on a pipe that does not end.
pub fn read_bounded(
    path: &std::path::Path,
    limit: u64,
    regular_only: bool,
) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let shown = if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        format!("`{}`", path.display())
    };
    let too_large = || {
        std::io::Error::other(format!(
            "{shown} is larger than the limit of {limit} bytes ({} MiB)",
            limit >> 20
        ))
    };
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut buf)?;
    } else {
        if regular_only {
            let meta = std::fs::metadata(path)?;
            if !meta.is_file() {
                return Err(std::io::Error::other(format!(
                    "{shown} is not a regular file (a folder, device or pipe); give a file"
                )));
            }
        }
        std::fs::File::open(path)?
            .take(limit + 1)
            .read_to_end(&mut buf)?;
    }
    if buf.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(buf)
}

/// Decoded text and how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// Set when the bytes were not UTF-8 and were read as Windows-1252.
    pub note: Option<String>,
}

/// Decodes bytes: a UTF-8 or UTF-16 byte-order mark is honoured; bytes that are not
/// valid UTF-8 are read as Windows-1252 (with a note saying so).
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode_utf8_or_1252(rest, "UTF-8 with BOM");
    }
    if bytes.starts_with(b"\xFF\xFE") {
        let (text, _, _) = UTF_16LE.decode(bytes);
        return Decoded {
            text: text.into_owned(),
            encoding: "UTF-16LE",
            note: None,
        };
    }
    if bytes.starts_with(b"\xFE\xFF") {
        let (text, _, _) = UTF_16BE.decode(bytes);
        return Decoded {
            text: text.into_owned(),
            encoding: "UTF-16BE",
            note: None,
        };
    }
    decode_utf8_or_1252(bytes, "UTF-8")
}

fn decode_utf8_or_1252(bytes: &[u8], utf8_name: &'static str) -> Decoded {
    match std::str::from_utf8(bytes) {
        Ok(s) => Decoded {
            text: s.to_string(),
            encoding: utf8_name,
            note: None,
        },
        Err(e) => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            Decoded {
                text: text.into_owned(),
                encoding: "Windows-1252",
                note: Some(format!(
                    "input is not UTF-8 (invalid byte at offset {}); read as Windows-1252",
                    e.valid_up_to()
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_bytes_are_decoded_with_a_note() {
        let d = decode(b"Ingr\xe9dients: Water, Glycerin \x96 Parfum");
        assert_eq!(d.text, "Ingrédients: Water, Glycerin – Parfum");
        assert_eq!(d.encoding, "Windows-1252");
        assert!(d.note.is_some());
    }

    #[test]
    fn byte_order_marks_are_honoured() {
        assert_eq!(decode(b"\xEF\xBB\xBFWater").text, "Water");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Aqua".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&utf16).text, "Aqua");
        assert_eq!(decode("Eau".as_bytes()).note, None);
    }
}
