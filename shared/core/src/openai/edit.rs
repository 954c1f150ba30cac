//! A minimal edit of a JSON body: one byte range replaced, everything else copied verbatim.

use std::ops::Range;

/// Replaces `range` of a body with `replacement` (an empty range inserts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Bytes of the original body to replace.
    pub range: Range<usize>,
    /// The new bytes.
    pub replacement: Vec<u8>,
}

impl Edit {
    /// The edit that inserts `member` (`"name":value`) at `at`, just after an object's `{`:
    /// followed by a comma when the object already has members.
    pub fn insert_first_member(at: usize, mut member: Vec<u8>, has_members: bool) -> Self {
        if has_members {
            member.push(b',');
        }
        Self {
            range: at..at,
            replacement: member,
        }
    }

    /// Builds the edited body with a single allocation of the final size.
    pub fn apply(&self, body: &[u8]) -> Vec<u8> {
        let (head, rest) = body.split_at(self.range.start.min(body.len()));
        let tail = &rest[self.range.len().min(rest.len())..];
        let mut out = Vec::with_capacity(head.len() + self.replacement.len() + tail.len());
        out.extend_from_slice(head);
        out.extend_from_slice(&self.replacement);
        out.extend_from_slice(tail);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_inserts() {
        let replace = Edit {
            range: 1..3,
            replacement: b"XYZ".to_vec(),
        };
        assert_eq!(replace.apply(b"abcd"), b"aXYZd");
        let insert = Edit {
            range: 4..4,
            replacement: b"!".to_vec(),
        };
        assert_eq!(insert.apply(b"abcd"), b"abcd!");
    }
}
