//! Keys for the memories that know text again by a hash of it rather than the text
//! itself: a batch's answers, a thread's item readings and name resolutions. A hash
//! is one probe and a fixed 16 bytes, where a text key is compared byte by byte in
//! memory held elsewhere.

use xxhash_rust::xxh3::{Xxh3, xxh3_128_with_seed};

/// A 128-bit XXH3 hash with a seed drawn for each hasher, so no input can be made to
/// collide on purpose. Two different texts share a hash by chance about once in
/// 10^27 for a million texts.
#[derive(Clone, Copy, Debug)]
pub struct TextHash {
    seed: u64,
}

impl TextHash {
    pub fn new() -> TextHash {
        TextHash {
            seed: std::hash::BuildHasher::hash_one(&std::hash::RandomState::new(), 0u8),
        }
    }

    pub fn of(&self, bytes: &[u8]) -> u128 {
        xxh3_128_with_seed(bytes, self.seed)
    }

    /// A hasher for text given in pieces; `digest128` gives the hash.
    pub fn pieces(&self) -> Xxh3 {
        Xxh3::with_seed(self.seed)
    }
}

impl Default for TextHash {
    fn default() -> TextHash {
        TextHash::new()
    }
}
