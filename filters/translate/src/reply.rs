//! Answering the client with an OpenAI error object.

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
