//! Bounds on the number of `messages` and `tools` in a client request, checked by the router
//! before any backend sees the request.

use super::error::OpenAiError;
use serde::Deserializer;
use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

/// Default `max_messages`.
pub const DEFAULT_MAX_MESSAGES: usize = 4096;
/// Default `max_tools` (OpenAI's own limit on `tools`).
pub const DEFAULT_MAX_TOOLS: usize = 128;

/// How many `messages` and `tools` a request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// Most entries in `messages`.
    pub max_messages: usize,
    /// Most entries in `tools`.
    pub max_tools: usize,
}

impl Default for RequestLimits {
    fn default() -> Self {
        Self {
            max_messages: DEFAULT_MAX_MESSAGES,
            max_tools: DEFAULT_MAX_TOOLS,
        }
    }
}

/// The 400 for an array member with more than `max` entries, worded as OpenAI words it.
/// Arrays too short to hold `max + 1` entries (`[`, `]`, and at least one byte and a comma
/// per entry) are not counted.
pub(crate) fn check_array_len(
    raw: Option<&RawValue>,
    name: &'static str,
    max: usize,
) -> Result<(), OpenAiError> {
    let Some(raw) = raw.filter(|r| r.get().starts_with('[')) else {
        return Ok(());
    };
    if raw.get().len() < max.saturating_mul(2).saturating_add(3) {
        return Ok(());
    }
    let len = array_len(raw);
    if len <= max {
        return Ok(());
    }
    Err(OpenAiError::bad_request(
        format!(
            "Invalid '{name}': array too long. Expected an array with maximum length {max}, but got an array with length {len} instead."
        ),
        Some(name),
    ))
}

/// The number of entries of a raw JSON array, skipping them without building them.
fn array_len(raw: &RawValue) -> usize {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    (&mut de).deserialize_seq(CountVisitor).unwrap_or(0)
}

struct CountVisitor;

impl<'de> Visitor<'de> for CountVisitor {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut count = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            count += 1;
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).unwrap()
    }

    #[test]
    fn counts_only_arrays_over_the_limit() {
        let three = raw(r#"[{"a":[1,2]},{},"x"]"#);
        assert!(check_array_len(Some(&three), "tools", 3).is_ok());
        let e = check_array_len(Some(&three), "tools", 2).unwrap_err();
        assert_eq!((e.status, e.param), (400, Some("tools")));
        assert_eq!(
            e.message,
            "Invalid 'tools': array too long. Expected an array with maximum length 2, but got an array with length 3 instead."
        );
        assert!(check_array_len(Some(&raw("{}")), "tools", 0).is_ok());
        assert!(check_array_len(None, "tools", 0).is_ok());
    }

    #[test]
    fn short_arrays_are_not_counted() {
        // 21 bytes hold at most ten entries: not counted against 10, counted against 9.
        let ten = raw("[1,2,3,4,5,6,7,8,9,0]");
        assert!(check_array_len(Some(&ten), "messages", 10).is_ok());
        assert!(check_array_len(Some(&ten), "messages", 9).is_err());
        let nine = raw("[1,2,3,4,5,6,7,8,9]");
        assert!(check_array_len(Some(&nine), "messages", 9).is_ok());
    }
}
