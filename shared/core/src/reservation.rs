//! The token reservation a rate limit takes before a request goes upstream: a deliberately
//! simple upper-bound guess (about four body bytes per prompt token plus the output cap),
//! kept in this one function so a tokenizer-based estimate can replace it.

use crate::api_kind::ApiKind;

/// Output tokens reserved when a chat or completions request names no output cap.
pub const DEFAULT_OUTPUT_RESERVATION: u64 = 256;

/// Tokens to reserve for a request of `kind` with a body of `body_len` bytes and the
/// client's output cap (`max_completion_tokens` / `max_tokens`): `ceil(body_len / 4)` for
/// the prompt, plus the cap (or [`DEFAULT_OUTPUT_RESERVATION`]) for chat and completions;
/// embeddings produce no output tokens.
pub fn reserved_tokens_by_body_size(
    kind: ApiKind,
    body_len: usize,
    max_output_tokens: Option<u64>,
) -> u64 {
    let prompt = (body_len as u64).div_ceil(4);
    let output = match kind {
        ApiKind::Embeddings => 0,
        ApiKind::ChatCompletions | ApiKind::Completions => {
            max_output_tokens.unwrap_or(DEFAULT_OUTPUT_RESERVATION)
        }
    };
    prompt.saturating_add(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_is_a_quarter_of_the_body_rounded_up() {
        assert_eq!(
            reserved_tokens_by_body_size(ApiKind::Embeddings, 401, Some(9)),
            101
        );
        assert_eq!(
            reserved_tokens_by_body_size(ApiKind::Embeddings, 0, None),
            0
        );
    }

    #[test]
    fn output_cap_or_default_is_added_for_generating_apis() {
        assert_eq!(
            reserved_tokens_by_body_size(ApiKind::ChatCompletions, 400, Some(50)),
            150
        );
        assert_eq!(
            reserved_tokens_by_body_size(ApiKind::Completions, 400, None),
            100 + DEFAULT_OUTPUT_RESERVATION
        );
        assert_eq!(
            reserved_tokens_by_body_size(ApiKind::ChatCompletions, 4, Some(u64::MAX)),
            u64::MAX
        );
    }
}
