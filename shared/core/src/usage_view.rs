//! Typed, borrowing views of the parts of OpenAI responses that usage extraction reads.
//! Everything else in a body is skipped by serde without being materialised.

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A whole response: chat completion, completion or embeddings.
#[derive(Deserialize)]
pub(crate) struct ResponseView<'a> {
    #[serde(borrow)]
    pub model: Option<Text<'a>>,
    pub usage: Option<UsageView>,
}

/// One streamed chunk (`chat.completion.chunk` or streamed `text_completion`).
#[derive(Deserialize)]
pub(crate) struct StreamChunkView<'a> {
    #[serde(borrow)]
    pub model: Option<Text<'a>>,
    pub usage: Option<UsageView>,
    pub choices: Option<AnyOutput>,
}

/// A string borrowed from the body unless it has escape sequences. (Serde borrows a
/// `Cow<str>` only when it is a field's direct type, not inside an `Option`.)
#[derive(Deserialize)]
pub(crate) struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

/// The `usage` object.
#[derive(Deserialize)]
pub(crate) struct UsageView {
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    pub total_tokens: Option<u64>,
    pub prompt_tokens_details: Option<PromptDetailsView>,
    pub completion_tokens_details: Option<CompletionDetailsView>,
    /// Top-level cache writes, as OpenAI-compatible layers over Anthropic report them.
    pub cache_creation_input_tokens: Option<u64>,
}

/// `usage.prompt_tokens_details`.
#[derive(Deserialize)]
pub(crate) struct PromptDetailsView {
    pub cached_tokens: Option<u64>,
    /// Prompt tokens written to the cache: `cache_creation_tokens`, or `cache_write_tokens`
    /// as some OpenAI-compatible routers name it.
    #[serde(alias = "cache_write_tokens")]
    pub cache_creation_tokens: Option<u64>,
}

/// `usage.completion_tokens_details`.
#[derive(Deserialize)]
pub(crate) struct CompletionDetailsView {
    pub reasoning_tokens: Option<u64>,
}

/// One element of `choices` in a streamed chunk.
#[derive(Deserialize)]
struct ChoiceView {
    /// Chat: the delta.
    delta: Option<DeltaView>,
    /// Completions: the text piece.
    text: Option<NonEmpty>,
}

/// A chat delta: any generated piece counts as output.
#[derive(Deserialize)]
struct DeltaView {
    content: Option<NonEmpty>,
    refusal: Option<NonEmpty>,
    reasoning_content: Option<NonEmpty>,
    tool_calls: Option<IgnoredAny>,
}

impl ChoiceView {
    fn has_output(&self) -> bool {
        let text = self.text.as_ref().is_some_and(|t| t.0);
        let delta = self.delta.as_ref().is_some_and(|d| {
            [&d.content, &d.refusal, &d.reasoning_content]
                .iter()
                .any(|f| f.as_ref().is_some_and(|s| s.0))
                || d.tool_calls.is_some()
        });
        text || delta
    }
}

/// Whether a string is non-empty, read without copying it.
pub(crate) struct NonEmpty(pub bool);

impl<'de> Deserialize<'de> for NonEmpty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NonEmpty;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NonEmpty, E> {
                Ok(NonEmpty(!v.is_empty()))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Whether any element of `choices` carries output, read without collecting the choices.
pub(crate) struct AnyOutput(pub bool);

impl<'de> Deserialize<'de> for AnyOutput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnyOutput;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of choices")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnyOutput, A::Error> {
                let mut any = false;
                while let Some(choice) = seq.next_element::<ChoiceView>()? {
                    any |= choice.has_output();
                }
                Ok(AnyOutput(any))
            }
        }
        deserializer.deserialize_seq(V)
    }
}
