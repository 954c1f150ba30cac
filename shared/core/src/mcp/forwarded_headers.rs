//! Client request headers passed on to an MCP server (a server's `forward_headers`): which
//! names may be configured, and which of a client's headers a request forwarded to a server
//! through Envoy's router keeps. Everything else the client sent stays with the gateway, as
//! it does for the gateway's own callouts.

use super::{PROTOCOL_VERSION_HEADER, ROUTE_HEADER, SESSION_HEADER};

/// Headers the gateway sets itself on requests to servers, and hop-by-hop headers: never
/// configurable, and kept on a forwarded request only because the gateway (or Envoy) sets
/// them.
const GATEWAY_SET: &[&str] = &[
    SESSION_HEADER,
    PROTOCOL_VERSION_HEADER,
    ROUTE_HEADER,
    "mcp-method",
    "mcp-name",
    "accept",
    "content-type",
    "content-length",
    "host",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "transfer-encoding",
    "upgrade",
];

/// Client headers every forwarded request keeps: request id, trace context, the client's
/// software, the resumption cursor of a server stream, and what Envoy adds for a proxied
/// request.
const ALWAYS_KEPT: &[&str] = &[
    "x-request-id",
    "traceparent",
    "tracestate",
    "baggage",
    "user-agent",
    "last-event-id",
    "x-forwarded-for",
    "x-forwarded-proto",
];

/// Checks a configured header name: a lowercase HTTP token, not one the gateway sets, and
/// not `authorization` when the gateway authorizes clients (their token for the gateway
/// is never passed on, as the MCP authorization spec demands). `credential` is the header
/// of the server's own credential, which the gateway sets.
pub fn check(name: &str, gateway_authorizes: bool, credential: Option<&str>) -> Result<(), String> {
    let token = !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b)
        });
    if !token {
        return Err(format!("{name:?} must be a lowercase header name"));
    }
    if GATEWAY_SET.contains(&name) {
        return Err(format!("{name:?} is set by the gateway"));
    }
    if credential.is_some_and(|c| c.eq_ignore_ascii_case(name)) {
        return Err(format!(
            "{name:?} carries the server's own credential (auth)"
        ));
    }
    if name == "authorization" && gateway_authorizes {
        return Err(
            "\"authorization\" holds the client's token for the gateway, which is never passed on"
                .to_string(),
        );
    }
    Ok(())
}

/// Whether a forwarded request keeps the client's header `name` (lowercase): pseudo-headers,
/// the headers the gateway sets, [`ALWAYS_KEPT`] and the server's `forwarded` ones.
pub fn kept(name: &str, forwarded: &[String]) -> bool {
    name.starts_with(':')
        || GATEWAY_SET.contains(&name)
        || ALWAYS_KEPT.contains(&name)
        || forwarded.iter().any(|f| f == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_names_are_checked() {
        assert_eq!(check("x-github-token", true, None), Ok(()));
        assert_eq!(check("authorization", false, None), Ok(()));
        for (name, authz, credential, says) in [
            ("X-Token", false, None, "lowercase"),
            ("", false, None, "lowercase"),
            ("x token", false, None, "lowercase"),
            ("mcp-session-id", false, None, "set by the gateway"),
            ("content-length", false, None, "set by the gateway"),
            ("x-aigw-mcp-server", false, None, "set by the gateway"),
            ("x-api-key", false, Some("X-Api-Key"), "own credential"),
            ("authorization", true, None, "never passed on"),
        ] {
            let err = check(name, authz, credential).unwrap_err();
            assert!(err.contains(says), "{name}: {err}");
        }
    }

    #[test]
    fn forwarded_requests_keep_only_what_is_named() {
        let forwarded = vec!["x-tenant".to_string()];
        for name in [
            ":path",
            "content-type",
            "mcp-session-id",
            "traceparent",
            "x-tenant",
        ] {
            assert!(kept(name, &forwarded), "{name}");
        }
        for name in ["cookie", "authorization", "x-envoy-retry-on", "x-other"] {
            assert!(!kept(name, &forwarded), "{name}");
        }
    }
}
