//! Keys for the memories that know text again by a hash of it rather than the text
//! itself: a batch's answers, a thread's item readings and name resolutions. A hash
//! is one probe and a fixed 16 bytes, where a text key is compared byte by byte in
//! memory held elsewhere.

use xxhash_rust::xxh3::{Xxh3, xxh3_128_with_secret};

/// The size of an XXH3 secret, as the crate's default one.
const SECRET: usize = 192;

/// A 128-bit XXH3 hash with a secret drawn for each hasher, so no input can be made
/// to collide on purpose. Two different texts share a hash by chance about once in
/// 10^27 for a million texts.
///
/// The secret is drawn once: hashing with a seed instead derives a secret from it on
/// every call for texts over 240 bytes, which most labels are (about a fifth of the
/// cost of hashing a batch's labels).
#[derive(Clone, Copy, Debug)]
pub struct TextHash {
    secret: [u8; SECRET],
}

impl TextHash {
    pub fn new() -> TextHash {
        // The process's random hash keys, through SipHash, give the secret's bytes.
        let keys = std::hash::RandomState::new();
        let mut secret = [0u8; SECRET];
        for (i, chunk) in secret.chunks_exact_mut(8).enumerate() {
            let word = std::hash::BuildHasher::hash_one(&keys, i);
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        TextHash { secret }
    }

    pub fn of(&self, bytes: &[u8]) -> u128 {
        xxh3_128_with_secret(bytes, &self.secret)
    }

    /// A hasher for text given in pieces; `digest128` gives the hash.
    pub fn pieces(&self) -> Xxh3 {
        Xxh3::with_secret(self.secret)
    }
}

impl Default for TextHash {
    fn default() -> TextHash {
        TextHash::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashers_differ_and_each_knows_a_text_again_whole_or_in_pieces() {
        let (a, b) = (TextHash::new(), TextHash::new());
        let label = "Water, Glycerin, Retinol, ".repeat(20);
        for text in ["", "Water", label.as_str()] {
            assert_eq!(a.of(text.as_bytes()), a.of(text.as_bytes()));
            assert_ne!(a.of(text.as_bytes()), b.of(text.as_bytes()), "{text:?}");
            let mut pieces = a.pieces();
            let (head, tail) = text.split_at(text.len() / 2);
            pieces.update(head.as_bytes());
            pieces.update(tail.as_bytes());
            assert_eq!(pieces.digest128(), a.of(text.as_bytes()), "{text:?}");
        }
        assert_ne!(a.of(label.as_bytes()), a.of(&label.as_bytes()[1..]));
    }
}
