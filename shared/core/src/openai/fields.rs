//! Picks named members out of a JSON object in one pass, as borrowed raw values with their
//! byte positions, skipping everything else without building it.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// The members of one JSON object the caller asked for.
#[derive(Debug)]
pub(crate) struct Picked<'a, const N: usize> {
    /// The raw value of each requested member (the last one wins on duplicate keys).
    pub values: [Option<&'a RawValue>; N],
    /// How many members the object has in total.
    pub len: usize,
}

/// Parses `json` as one JSON object (trailing whitespace only) and picks `names`.
pub(crate) fn pick<'a, const N: usize>(
    json: &'a [u8],
    names: &[&str; N],
) -> Result<Picked<'a, N>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let picked = ObjectSeed { names }.deserialize(&mut de)?;
    de.end()?;
    Ok(picked)
}

/// The byte range of `raw` inside `body`, which it borrows from.
pub(crate) fn span(body: &[u8], raw: &RawValue) -> Range<usize> {
    let start = (raw.get().as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
    let start = start.min(body.len());
    let end = (start + raw.get().len()).min(body.len());
    start..end
}

/// How OpenAI names the JSON type of a value in its error messages.
pub(crate) fn type_name(raw: &RawValue) -> &'static str {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'[') => "an array",
        Some(b'{') => "an object",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ if text.contains(['.', 'e', 'E']) => "a number",
        _ => "an integer",
    }
}

/// Decodes a raw JSON string, borrowing when it has no escapes.
pub(crate) fn decode_str(raw: &RawValue) -> Result<Cow<'_, str>, serde_json::Error> {
    match serde_json::from_str::<&str>(raw.get()) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(_) => serde_json::from_str::<String>(raw.get()).map(Cow::Owned),
    }
}

/// True when a raw array value has no elements.
pub(crate) fn is_empty_array(raw: &RawValue) -> bool {
    raw.get()[1..].trim_start().starts_with(']')
}

struct ObjectSeed<'n, const N: usize> {
    names: &'n [&'n str; N],
}

impl<'de, const N: usize> DeserializeSeed<'de> for ObjectSeed<'_, N> {
    type Value = Picked<'de, N>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for ObjectSeed<'_, N> {
    type Value = Picked<'de, N>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut picked = Picked {
            values: [None; N],
            len: 0,
        };
        while let Some(index) = map.next_key_seed(KeySeed { names: self.names })? {
            picked.len += 1;
            match index {
                Some(i) => picked.values[i] = Some(map.next_value::<&'de RawValue>()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(picked)
    }
}

/// Maps a key to the index of the requested name, without allocating.
struct KeySeed<'n, const N: usize> {
    names: &'n [&'n str; N],
}

impl<'de, const N: usize> DeserializeSeed<'de> for KeySeed<'_, N> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<const N: usize> Visitor<'_> for KeySeed<'_, N> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.names.iter().position(|n| *n == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_members_with_spans() {
        let body = br#" {"a": 1, "b": {"x": [1,2]}, "c": "h\u00e9", "a": 2.5} "#;
        let p = pick(body, &["a", "c", "d"]).unwrap();
        assert_eq!(p.len, 4);
        let a = p.values[0].unwrap();
        assert_eq!(a.get(), "2.5");
        assert_eq!(&body[span(body, a)], b"2.5");
        assert_eq!(type_name(a), "a number");
        let c = p.values[1].unwrap();
        assert_eq!(decode_str(c).unwrap(), "h\u{e9}");
        assert!(matches!(decode_str(c).unwrap(), Cow::Owned(_)));
        assert!(p.values[2].is_none());
    }

    #[test]
    fn rejects_non_objects_and_trailing_data() {
        assert!(pick(b"[1]", &["a"]).unwrap_err().is_data());
        assert!(pick(b"{} x", &["a"]).unwrap_err().is_syntax());
        assert!(pick(b"{\"a\":", &["a"]).unwrap_err().is_eof());
    }

    #[test]
    fn recognises_empty_arrays_and_types() {
        let p = pick(
            br#"{"e":[ ],"f":[1],"i":-3,"t":true,"n":null,"o":{}}"#,
            &["e", "f", "i", "t", "n", "o"],
        )
        .unwrap();
        let v = p.values.map(Option::unwrap);
        assert!(is_empty_array(v[0]));
        assert!(!is_empty_array(v[1]));
        assert_eq!(type_name(v[2]), "an integer");
        assert_eq!(type_name(v[3]), "a boolean");
        assert_eq!(type_name(v[4]), "null");
        assert_eq!(type_name(v[5]), "an object");
    }
}
