//! Panic containment: a panicking filter never unwinds into Envoy.

use super::abi;
use super::abi::FilterEnvoyPtr;
use super::host::{get_header, send_response};
use super::log::log;
use super::state::StreamState;
use crate::LogLevel;
use crate::panic_reply::internal_error_body;
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("non-string panic payload")
}

/// Runs `f`; on panic logs it and returns `None`. For hooks without a stream.
pub fn contain<R>(name: &str, hook: &str, f: impl FnOnce() -> R) -> Option<R> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => Some(r),
        Err(payload) => {
            log(
                name,
                LogLevel::Error,
                &format!("panic in {hook}: {}", panic_message(payload.as_ref())),
            );
            None
        }
    }
}

/// Runs a stream hook's filter call. On panic: logs, marks the stream poisoned (the filter
/// is not called again) and answers 500 with an error in the client's schema when a reply
/// is still possible. Returns `None` after a panic.
pub fn contain_stream<R>(
    name: &str,
    hook: &str,
    envoy: FilterEnvoyPtr,
    state: &mut StreamState,
    f: impl FnOnce(&mut StreamState) -> R,
) -> Option<R> {
    let result = contain(name, hook, || f(state));
    if result.is_none() {
        state.poisoned = true;
        if !state.response_headers_sent && !state.local_reply_sent {
            let reply = contain(name, "the internal-error reply", || {
                let path = get_header(envoy, abi::HEADER_REQUEST, ":path");
                send_response(
                    envoy,
                    500,
                    &[("content-type", "application/json")],
                    internal_error_body(path.as_deref()).as_bytes(),
                )
            });
            state.local_reply_sent = reply.is_some();
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::panic_message;

    #[test]
    fn panic_payloads_become_messages() {
        let s: Box<dyn std::any::Any + Send> = Box::new("static text");
        assert_eq!(panic_message(s.as_ref()), "static text");
        let s: Box<dyn std::any::Any + Send> = Box::new(format!("formatted {}", 1));
        assert_eq!(panic_message(s.as_ref()), "formatted 1");
        let s: Box<dyn std::any::Any + Send> = Box::new(7u8);
        assert_eq!(panic_message(s.as_ref()), "non-string panic payload");
    }
}
