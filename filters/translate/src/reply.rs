//! Answering the client with an error object in its API's schema.

use aigw_core::anthropic::messages::error::AnthropicError;
use aigw_core::openai::error::OpenAiError;
use aigw_host::Host;

/// Sends `error` as a local reply with a JSON body.
pub(crate) fn send_error(host: &mut dyn Host, error: &OpenAiError) {
    host.send_local_reply(
        error.status,
        &[("content-type", "application/json")],
        &error.body(),
    );
}

/// Sends `error` as a local reply in Anthropic's schema (clients of `/anthropic/v1/...`).
pub(crate) fn send_anthropic_error(host: &mut dyn Host, error: &AnthropicError) {
    host.send_local_reply(
        error.status,
        &[("content-type", "application/json")],
        &error.body(),
    );
}

/// Replaces a buffered response body; its headers are still held, so the length is known.
pub(crate) fn finish_body(host: &mut dyn Host, body: &[u8]) {
    host.set_response_body(body);
    host.set_response_header("content-length", &body.len().to_string());
}
