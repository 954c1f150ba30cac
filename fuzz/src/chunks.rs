//! Cutting a fuzz input into network-like chunks, so streaming parsers see events split at
//! every possible byte.

/// An iterator over consecutive pieces of `data` whose lengths (0 to 31 bytes; empty chunks
/// happen on the wire too) come from a small generator seeded by one input byte.
#[derive(Debug, Clone)]
pub struct Chunks<'a> {
    rest: &'a [u8],
    state: u32,
}

impl<'a> Chunks<'a> {
    /// Chunks of `data` with lengths drawn from `seed`.
    pub fn new(seed: u8, data: &'a [u8]) -> Self {
        Self {
            rest: data,
            state: u32::from(seed).wrapping_mul(2_654_435_761) | 1,
        }
    }

    /// Splits a fuzz input into its first byte (the seed) and the rest.
    pub fn split_seed(input: &[u8]) -> (u8, &[u8]) {
        match input.split_first() {
            Some((seed, rest)) => (*seed, rest),
            None => (0, input),
        }
    }
}

impl<'a> Iterator for Chunks<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        // xorshift32: cheap and deterministic, good enough to vary the cut points.
        self.state ^= self.state << 13;
        self.state ^= self.state >> 17;
        self.state ^= self.state << 5;
        let len = (self.state % 32) as usize;
        let (chunk, rest) = self.rest.split_at(len.min(self.rest.len()));
        self.rest = rest;
        Some(chunk)
    }
}
