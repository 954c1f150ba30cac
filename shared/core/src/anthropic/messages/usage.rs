//! Token usage and model of responses in Anthropic's schema (what `/anthropic/v1/messages`
//! clients receive): a whole `message` body, or the events of a stream (`message_start`
//! carries the model and the first counts, `message_delta` the cumulative final ones).
//!
//! Counts follow the OpenAI meaning the gateway reports everywhere: input tokens are the
//! whole prompt (`input_tokens + cache_read_input_tokens + cache_creation_input_tokens`),
//! cached input tokens are `cache_read_input_tokens`, cache-creation input tokens are
//! `cache_creation_input_tokens` (Anthropic does not report reasoning tokens separately).

use super::super::usage::Usage;
use crate::usage::{ResponseUsage, TokenUsage};
use serde::Deserialize;
use std::borrow::Cow;

impl From<Usage> for TokenUsage {
    fn from(u: Usage) -> Self {
        let cached = u.cache_read_input_tokens.unwrap_or(0);
        let input = u
            .input_tokens
            .unwrap_or(0)
            .saturating_add(cached)
            .saturating_add(u.cache_creation_input_tokens.unwrap_or(0));
        let output = u.output_tokens.unwrap_or(0);
        Self {
            input_tokens: input,
            output_tokens: output,
            total_tokens: input.saturating_add(output),
            cached_input_tokens: cached,
            cache_creation_input_tokens: u.cache_creation_input_tokens.unwrap_or(0),
            reasoning_tokens: 0,
        }
    }
}

#[derive(Deserialize)]
struct MessageView<'a> {
    #[serde(default, borrow)]
    model: Option<Cow<'a, str>>,
    #[serde(default)]
    usage: Option<Usage>,
}

/// The model and usage of a whole Anthropic `message` body.
pub fn extract_message_usage(body: &[u8]) -> Result<ResponseUsage, serde_json::Error> {
    let view: MessageView = serde_json::from_slice(body)?;
    Ok(ResponseUsage {
        model: view.model.map(Cow::into_owned).unwrap_or_default(),
        usage: view.usage.map(TokenUsage::from),
    })
}

#[derive(Deserialize)]
struct EventView<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    message: Option<MessageView<'a>>,
    #[serde(default)]
    usage: Option<Usage>,
}

/// Accumulates model and usage over the `data:` of an Anthropic Messages stream's events.
#[derive(Debug, Default)]
pub struct MessageStreamUsage {
    model: String,
    usage: Option<Usage>,
}

impl MessageStreamUsage {
    /// Reads one event's data; returns whether it carries output (a content block delta).
    pub fn on_event_data(&mut self, data: &[u8]) -> Result<bool, serde_json::Error> {
        let event: EventView = serde_json::from_slice(data)?;
        match event.kind.as_ref() {
            "message_start" => {
                if let Some(message) = event.message {
                    if let Some(model) = message.model {
                        self.model = model.into_owned();
                    }
                    if let Some(usage) = message.usage {
                        self.usage.get_or_insert_with(Usage::default).update(&usage);
                    }
                }
                Ok(false)
            }
            "message_delta" => {
                if let Some(usage) = event.usage {
                    self.usage.get_or_insert_with(Usage::default).update(&usage);
                }
                Ok(false)
            }
            "content_block_delta" => Ok(true),
            _ => Ok(false),
        }
    }

    /// Takes the accumulated model and usage.
    pub fn take(&mut self) -> ResponseUsage {
        ResponseUsage {
            model: std::mem::take(&mut self.model),
            usage: self.usage.take().map(TokenUsage::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_message_counts_cache_reads_as_input() {
        let body = br#"{"id":"msg_1","model":"claude-x","content":[],"usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":100,"cache_creation_input_tokens":20}}"#;
        let u = extract_message_usage(body).unwrap();
        assert_eq!(u.model, "claude-x");
        assert_eq!(
            u.usage,
            Some(TokenUsage {
                input_tokens: 130,
                output_tokens: 5,
                total_tokens: 135,
                cached_input_tokens: 100,
                cache_creation_input_tokens: 20,
                reasoning_tokens: 0,
            })
        );
        assert_eq!(extract_message_usage(b"{}").unwrap().usage, None);
        assert!(extract_message_usage(b"nope").is_err());
    }

    #[test]
    fn stream_takes_start_then_delta_counts() {
        let mut s = MessageStreamUsage::default();
        let events: [&[u8]; 5] = [
            br#"{"type":"message_start","message":{"id":"m","model":"claude-x","usage":{"input_tokens":7,"output_tokens":1,"cache_read_input_tokens":3}}}"#,
            br#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
            br#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}"#,
            br#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":12}}"#,
            br#"{"type":"message_stop"}"#,
        ];
        let outputs: Vec<bool> = events.iter().map(|e| s.on_event_data(e).unwrap()).collect();
        assert_eq!(outputs, [false, false, true, false, false]);
        let u = s.take();
        assert_eq!(u.model, "claude-x");
        assert_eq!(
            u.usage,
            Some(TokenUsage {
                input_tokens: 10,
                output_tokens: 12,
                total_tokens: 22,
                cached_input_tokens: 3,
                ..TokenUsage::default()
            })
        );
        assert_eq!(s.take().usage, None);
    }
}
