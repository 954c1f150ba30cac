//! Gemini API request paths (`/v1beta/models/{model}:{method}`).

use crate::openai::error::OpenAiError;

/// The API version segment the paths use.
pub const API_VERSION: &str = "v1beta";

/// A Gemini model id checked for use as a path segment: a leading `models/` is dropped,
/// the rest must be letters, digits, `-`, `.` or `_`.
pub fn model_id(model: &str) -> Result<&str, OpenAiError> {
    let id = model.strip_prefix("models/").unwrap_or(model);
    let valid = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if valid {
        Ok(id)
    } else {
        Err(OpenAiError::bad_request(
            format!(
                "The model {model:?} is not a valid Gemini model id (letters, digits, '-', '.', '_')."
            ),
            Some("model"),
        ))
    }
}

/// `:path` of a chat request: `generateContent`, or `streamGenerateContent?alt=sse`.
pub fn generate_path(model_id: &str, stream: bool) -> String {
    if stream {
        format!("/{API_VERSION}/models/{model_id}:streamGenerateContent?alt=sse")
    } else {
        format!("/{API_VERSION}/models/{model_id}:generateContent")
    }
}

/// `:path` of an embeddings request (`batchEmbedContents`).
pub fn embed_path(model_id: &str) -> String {
    format!("/{API_VERSION}/models/{model_id}:batchEmbedContents")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_model_ids() {
        assert_eq!(
            model_id("models/gemini-2.0-flash").unwrap(),
            "gemini-2.0-flash"
        );
        assert_eq!(
            generate_path("gemini-2.0-flash", true),
            "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"
        );
        assert_eq!(
            embed_path("text-embedding-004"),
            "/v1beta/models/text-embedding-004:batchEmbedContents"
        );
        for bad in ["", "models/", "a/b", "x:y", "a b", "m?alt=json"] {
            let e = model_id(bad).unwrap_err();
            assert_eq!((e.status, e.param), (400, Some("model")), "{bad}");
        }
    }
}
