//! Gemini request paths: the Gemini API's `/v1beta/models/{model}:{method}` and Vertex AI's
//! `/publishers/google/models/{model}:{method}` (under the backend's
//! `/v1/projects/{project}/locations/{region}` prefix).

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

/// Which Google service serves the Gemini models: the paths differ, the bodies do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeminiApi {
    /// The Gemini API (`generativelanguage.googleapis.com`, API keys).
    Gemini,
    /// Vertex AI (`aiplatform.googleapis.com`, OAuth tokens); paths are relative to the
    /// project and location prefix.
    Vertex,
}

impl GeminiApi {
    /// The path of `model_id`'s resource, to which `:{method}` is appended.
    fn model_path(self, model_id: &str) -> String {
        match self {
            Self::Gemini => format!("/{API_VERSION}/models/{model_id}"),
            Self::Vertex => format!("/publishers/google/models/{model_id}"),
        }
    }

    /// `:path` of a chat request: `generateContent`, or `streamGenerateContent?alt=sse`.
    pub fn generate_path(self, model_id: &str, stream: bool) -> String {
        let method = if stream {
            "streamGenerateContent?alt=sse"
        } else {
            "generateContent"
        };
        format!("{}:{method}", self.model_path(model_id))
    }
}

/// `:path` of a Vertex AI text-embedding request (`predict`).
pub fn predict_path(model_id: &str) -> String {
    format!("{}:predict", GeminiApi::Vertex.model_path(model_id))
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
            GeminiApi::Gemini.generate_path("gemini-2.0-flash", true),
            "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"
        );
        assert_eq!(
            GeminiApi::Vertex.generate_path("gemini-2.5-pro", false),
            "/publishers/google/models/gemini-2.5-pro:generateContent"
        );
        assert_eq!(
            GeminiApi::Vertex.generate_path("gemini-2.5-pro", true),
            "/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse"
        );
        assert_eq!(
            predict_path("text-embedding-005"),
            "/publishers/google/models/text-embedding-005:predict"
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
