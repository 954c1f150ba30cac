//! A client's Messages body as its top-level members, each value kept as the client wrote
//! it: what the passthrough rewrites for Claude on Vertex AI and on Bedrock parse and edit
//! (only the top level is parsed; nested values are copied verbatim).

use super::error::AnthropicError;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// The top-level members of a Messages body.
#[derive(Debug)]
pub struct Members(BTreeMap<String, Box<RawValue>>);

impl Members {
    /// Parses `body`, which must be a JSON object.
    pub fn parse(body: &[u8]) -> Result<Self, AnthropicError> {
        serde_json::from_slice(body)
            .map(Self)
            .map_err(|e| AnthropicError::bad_request(format!("The body is not a JSON object: {e}")))
    }

    /// The model: `model_override`, else the body's `model` string.
    pub fn model(&self, model_override: Option<&str>) -> Result<String, AnthropicError> {
        let body_model = || {
            let raw = self.0.get("model")?;
            serde_json::from_str::<String>(raw.get()).ok()
        };
        model_override
            .map(str::to_string)
            .or_else(body_model)
            .ok_or_else(|| AnthropicError::bad_request("model: Field required"))
    }

    /// Whether member `key` is the literal `true`.
    pub fn is_true(&self, key: &str) -> bool {
        self.0.get(key).is_some_and(|raw| raw.get() == "true")
    }

    /// Whether the body has member `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Removes member `key`.
    pub fn remove(&mut self, key: &str) {
        self.0.remove(key);
    }

    /// Sets member `key` to `value`.
    pub fn set(&mut self, key: &str, value: &impl serde::Serialize) -> Result<(), AnthropicError> {
        let raw = serde_json::value::to_raw_value(value)
            .map_err(|e| AnthropicError::bad_request(e.to_string()))?;
        self.0.insert(key.to_string(), raw);
        Ok(())
    }

    /// The body again.
    pub fn encode(&self) -> Result<Vec<u8>, AnthropicError> {
        serde_json::to_vec(&self.0)
            .map_err(|e| AnthropicError::bad_request(format!("The body cannot be encoded: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_the_top_level_and_keeps_values_verbatim() {
        let body = br#"{"model":"m","stream":true,"messages":[{"role":"user","content":"a  b"}]}"#;
        let mut members = Members::parse(body).unwrap();
        assert_eq!(members.model(None).unwrap(), "m");
        assert_eq!(members.model(Some("o")).unwrap(), "o");
        assert!(members.is_true("stream") && members.contains("messages"));
        members.remove("model");
        members.set("anthropic_version", &"v").unwrap();
        assert_eq!(
            members.encode().unwrap(),
            br#"{"anthropic_version":"v","messages":[{"role":"user","content":"a  b"}],"stream":true}"#
        );
        assert!(members.model(None).is_err());
        assert!(Members::parse(b"[1]").is_err());
    }
}
