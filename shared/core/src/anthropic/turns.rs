//! The conversation of a translated request as alternating turns: the Anthropic Messages
//! API and Bedrock Converse both require `user` and `assistant` to alternate, so the blocks
//! of consecutive messages that end up with the same role are merged into one turn.

use serde_json::{Value, json};

/// The turns so far: a role and its content blocks.
#[derive(Default)]
pub(crate) struct Turns(Vec<(&'static str, Vec<Value>)>);

impl Turns {
    /// Adds a message's `blocks` to the last turn when it has the same `role`, else as a new
    /// turn; a message without blocks adds nothing.
    pub fn push(&mut self, role: &'static str, blocks: Vec<Value>) {
        if blocks.is_empty() {
            return;
        }
        match self.0.last_mut() {
            Some((last, existing)) if *last == role => existing.extend(blocks),
            _ => self.0.push((role, blocks)),
        }
    }

    /// Whether no message had content.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `messages` array: `{"role", "content"}` per turn.
    pub fn into_messages(self) -> Vec<Value> {
        self.0
            .into_iter()
            .map(|(role, content)| json!({ "role": role, "content": content }))
            .collect()
    }
}
