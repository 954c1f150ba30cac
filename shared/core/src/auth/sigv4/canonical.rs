//! The canonical forms SigV4 signs: URI path, query string and header values.
//!
//! Follows the AWS Signature Version 4 rules for services other than S3, as botocore's
//! `SigV4Auth` applies them: the path is normalized (dot segments and empty segments
//! removed) and percent-encoded once more (so an already-encoded `%3A` becomes `%253A`),
//! query parameters are decoded, strictly re-encoded and sorted.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything but the unreserved characters `A-Z a-z 0-9 - _ . ~`.
const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// As [`STRICT`], keeping `/` (path separators).
const PATH: &AsciiSet = &STRICT.remove(b'/');

/// The canonical URI of `path` (the part of `:path` before `?`).
pub(super) fn uri(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').fold(Vec::new(), |mut kept, segment| {
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            s => kept.push(s),
        }
        kept
    });
    let mut normalized = String::with_capacity(path.len() + 1);
    normalized.push('/');
    normalized.push_str(&segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        normalized.push('/');
    }
    utf8_percent_encode(&normalized, PATH).to_string()
}

/// The canonical query string of `query` (the part of `:path` after `?`, may be empty).
pub(super) fn query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (strict(key), strict(value))
        })
        .collect();
    pairs.sort();
    let pairs: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.join("&")
}

/// Decodes percent-escapes and encodes again with the strict set.
fn strict(text: &str) -> String {
    let decoded = percent_decode_str(text).decode_utf8_lossy();
    utf8_percent_encode(&decoded, STRICT).to_string()
}

/// A header value with surrounding whitespace trimmed and inner runs of spaces collapsed.
pub(super) fn header_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_is_normalized_and_encoded_again() {
        assert_eq!(uri(""), "/");
        assert_eq!(uri("/"), "/");
        assert_eq!(
            uri("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"),
            "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse"
        );
        assert_eq!(uri("/a/./b/../c//d/"), "/a/c/d/");
        assert_eq!(uri("/a b/ü"), "/a%20b/%C3%BC");
    }

    #[test]
    fn query_is_sorted_and_strictly_encoded() {
        assert_eq!(query(""), "");
        assert_eq!(query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(query("x=a%20b&flag&y=c/d"), "flag=&x=a%20b&y=c%2Fd");
    }

    #[test]
    fn header_values_are_trimmed_and_collapsed() {
        assert_eq!(header_value("  a   b  c "), "a b c");
    }
}
