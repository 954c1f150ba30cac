//! HTTP callouts: starting one, and turning Envoy's answer into a [`CalloutResult`].

use super::abi::{self, EnvoyBuffer, EnvoyHeader, FilterEnvoyPtr};
use super::ffi::{envoy_chunks, envoy_headers, module_buffer, module_headers};
use crate::{CalloutResponse, CalloutResult};
use std::time::Duration;

/// Starts a callout to `cluster`; returns Envoy's callout id as the token.
pub fn start(
    envoy: FilterEnvoyPtr,
    cluster: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> Result<u32, String> {
    let all = envoy_callout_headers(headers);
    let raw = module_headers(&all);
    let timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    let mut id = 0u64;
    // SAFETY: `envoy` is the live stream pointer; all buffers outlive the call.
    let result = unsafe {
        abi::envoy_dynamic_module_callback_http_filter_http_callout(
            envoy,
            &mut id,
            module_buffer(cluster.as_bytes()),
            raw.as_ptr(),
            raw.len(),
            module_buffer(body),
            timeout_ms,
        )
    };
    let problem = match result {
        abi::CALLOUT_INIT_SUCCESS => {
            return u32::try_from(id).map_err(|_| {
                format!("callout to cluster `{cluster}`: id {id} does not fit a token")
            });
        }
        abi::CALLOUT_INIT_MISSING_HEADERS => "the request lacks :method, :path or host",
        abi::CALLOUT_INIT_CLUSTER_NOT_FOUND => "no such cluster",
        abi::CALLOUT_INIT_DUPLICATE_ID => "duplicate callout id",
        abi::CALLOUT_INIT_CANNOT_CREATE => "Envoy cannot create the request (no healthy host?)",
        _ => "unknown error",
    };
    Err(format!("callout to cluster `{cluster}` failed: {problem}"))
}

/// The headers Envoy gets: `:authority` is sent as `host` (Envoy requires `host`) unless
/// the caller gives `host` itself.
fn envoy_callout_headers<'a>(headers: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let has_host = headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host"));
    headers
        .iter()
        .filter_map(|&(k, v)| match k {
            ":authority" if has_host => None,
            ":authority" => Some(("host", v)),
            _ => Some((k, v)),
        })
        .collect()
}

/// Builds the outcome of a finished callout from the hook's arguments.
///
/// # Safety
/// The pointers must be those Envoy passed to the callout-done hook (null or valid arrays).
pub unsafe fn outcome(
    result: abi::CalloutResultCode,
    headers: *const EnvoyHeader,
    headers_len: usize,
    chunks: *const EnvoyBuffer,
    chunks_len: usize,
) -> CalloutResult {
    match result {
        abi::CALLOUT_SUCCESS => {
            // SAFETY: guaranteed by the caller.
            let headers = unsafe { envoy_headers(headers, headers_len) };
            let status = headers
                .iter()
                .find(|(k, _)| k == ":status")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut body = Vec::new();
            // SAFETY: guaranteed by the caller.
            unsafe { envoy_chunks(chunks, chunks_len, &mut body) };
            Ok(CalloutResponse {
                status,
                headers,
                body,
            })
        }
        abi::CALLOUT_RESET => {
            Err("callout reset (connection failure, timeout or upstream reset)".into())
        }
        abi::CALLOUT_EXCEED_BUFFER_LIMIT => {
            Err("callout response exceeded the buffer limit".into())
        }
        other => Err(format!("callout failed with unknown result {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::envoy_callout_headers;

    #[test]
    fn authority_becomes_host() {
        let h = [
            (":method", "GET"),
            (":path", "/x"),
            (":authority", "api.example"),
        ];
        assert_eq!(
            envoy_callout_headers(&h),
            [(":method", "GET"), (":path", "/x"), ("host", "api.example")]
        );
    }

    #[test]
    fn explicit_host_wins_over_authority() {
        let h = [(":authority", "a.example"), ("Host", "b.example")];
        assert_eq!(envoy_callout_headers(&h), [("Host", "b.example")]);
    }
}
