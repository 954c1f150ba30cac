//! Replacing the `model` of a request body with a backend-specific model name.

use super::edit::Edit;
use super::error::OpenAiError;
use super::fields::{self, decode_str};
use super::request::{check_utf8, parse_error};

/// The edit that sets the body's `model` to `model`: the existing value is replaced (or the
/// member added first when absent). `None` when the body already names that model.
pub fn model_override_edit(body: &[u8], model: &str) -> Result<Option<Edit>, OpenAiError> {
    check_utf8(body)?;
    let picked = fields::pick(body, &["model"]).map_err(|e| parse_error(body, &e))?;
    let encoded = serde_json::Value::from(model).to_string().into_bytes();
    match picked.values[0] {
        Some(raw) if raw.get().starts_with('"') && decode_str(raw).is_ok_and(|m| m == model) => {
            Ok(None)
        }
        Some(raw) => Ok(Some(Edit {
            range: fields::span(body, raw),
            replacement: encoded,
        })),
        None => {
            let at = body.iter().position(|b| *b == b'{').map_or(0, |i| i + 1);
            let mut member = b"\"model\":".to_vec();
            member.extend_from_slice(&encoded);
            Ok(Some(Edit::insert_first_member(at, member, picked.len > 0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(body: &str, model: &str) -> Option<String> {
        model_override_edit(body.as_bytes(), model)
            .unwrap()
            .map(|e| String::from_utf8(e.apply(body.as_bytes())).unwrap())
    }

    #[test]
    fn replaces_model_value_only() {
        assert_eq!(
            apply(
                r#"{"messages":[], "model" : "gpt-4o" ,"n":1}"#,
                "gpt-4o-2024-08-06"
            )
            .unwrap(),
            r#"{"messages":[], "model" : "gpt-4o-2024-08-06" ,"n":1}"#
        );
        assert_eq!(
            apply(r#"{"model":"a"}"#, "we\"ird").unwrap(),
            r#"{"model":"we\"ird"}"#
        );
    }

    #[test]
    fn same_model_needs_no_edit() {
        assert_eq!(apply(r#"{"model":"a"}"#, "a"), None);
    }

    #[test]
    fn inserts_missing_model() {
        assert_eq!(
            apply(r#" {"x":1}"#, "m").unwrap(),
            r#" {"model":"m","x":1}"#
        );
        assert_eq!(apply("{}", "m").unwrap(), r#"{"model":"m"}"#);
    }

    #[test]
    fn rejects_bodies_that_are_not_objects() {
        let e = model_override_edit(b"nope", "m").unwrap_err();
        assert_eq!(e.status, 400);
    }
}
