//! Every upstream attempt starts from the client's request. Envoy hands each retry the same
//! request header map the previous attempt's upstream filters changed (`:path`,
//! `content-length` after a body rewrite, provider headers, credentials), while it resends
//! the client's original body. The first attempt therefore keeps a copy of the client's
//! headers in filter state, and every later attempt puts them back before translating.

use aigw_core::headers;
use aigw_host::Host;

/// Filter state key of the client's request headers (JSON array of name/value pairs).
pub const CLIENT_HEADERS_KEY: &str = "aigw.client_request_headers";

/// Whether `name` belongs to the copy. Envoy's own `x-envoy-*` headers may change between
/// attempts and stay as Envoy set them; the attempt's backend header is per attempt; the
/// only pseudo-headers an upstream filter changes are `:path` and `:authority`.
fn kept(name: &str) -> bool {
    match name {
        ":path" | ":authority" => true,
        headers::ATTEMPT_BACKEND => false,
        _ => !name.starts_with(':') && !name.starts_with("x-envoy-"),
    }
}

/// Saves the client's request headers on the first attempt and restores them on later
/// ones. The per-attempt backend header is left alone: the filters after translate are
/// picked on it (the control plane removes it after them).
pub fn start_from_client_request(host: &mut dyn Host) {
    let current = host.request_headers();
    match host
        .filter_state(CLIENT_HEADERS_KEY)
        .and_then(|bytes| serde_json::from_slice::<Vec<(String, String)>>(&bytes).ok())
    {
        Some(saved) => restore(host, &current, &saved),
        None => {
            let saved: Vec<&(String, String)> =
                current.iter().filter(|(name, _)| kept(name)).collect();
            if let Ok(bytes) = serde_json::to_vec(&saved) {
                host.set_filter_state(CLIENT_HEADERS_KEY, &bytes);
            }
        }
    }
}

/// Makes the kept headers equal to `saved`: removes what an earlier attempt added and puts
/// back what it changed or removed (a name the client repeated gets its first value).
fn restore(host: &mut dyn Host, current: &[(String, String)], saved: &[(String, String)]) {
    for (name, _) in current {
        if kept(name) && !saved.iter().any(|(n, _)| n == name) {
            host.remove_request_header(name);
        }
    }
    for (i, (name, value)) in saved.iter().enumerate() {
        if saved[..i].iter().any(|(n, _)| n == name) {
            continue;
        }
        let now = current.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        if now != Some(value) {
            host.set_request_header(name, value);
        }
    }
}

#[cfg(test)]
#[path = "attempt_tests.rs"]
mod tests;
