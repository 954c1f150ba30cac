//! The stateless revision 2026-07-28: no `initialize` and no session; every request carries
//! its protocol version and client capabilities in `params._meta` and mirrors its method
//! (and tool, prompt or resource name) in the `Mcp-Method` and `Mcp-Name` headers, so
//! infrastructure can route without reading the body. This module checks that envelope and
//! those headers and shapes the answers a 2026-07-28 client expects (`server/discover`,
//! `resultType`, cache directives on lists).

use super::lists::ListKind;
use super::merge::{Reach, initialize_result};
use super::routed::RoutedKind;
use super::{SUPPORTED_VERSIONS, jsonrpc::INVALID_PARAMS};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

/// The stateless protocol revision.
pub const STATELESS_VERSION: &str = "2026-07-28";

/// Header mirroring the JSON-RPC method (lower case, as hosts present header names).
pub const METHOD_HEADER: &str = "mcp-method";

/// Header mirroring the tool or prompt name, or the resource URI.
pub const NAME_HEADER: &str = "mcp-name";

/// `_meta` key of the request's protocol version.
pub const PROTOCOL_VERSION_META: &str = "io.modelcontextprotocol/protocolVersion";

/// `_meta` key of the client's capabilities.
pub const CLIENT_CAPABILITIES_META: &str = "io.modelcontextprotocol/clientCapabilities";

/// `_meta` key of the client's name and version (optional).
pub const CLIENT_INFO_META: &str = "io.modelcontextprotocol/clientInfo";

/// `_meta` key of the server's name and version in a `server/discover` result.
pub const SERVER_INFO_META: &str = "io.modelcontextprotocol/serverInfo";

/// JSON-RPC error: the routing headers are missing, malformed or disagree with the body.
pub const HEADER_MISMATCH: i64 = -32020;

/// JSON-RPC error: the request's protocol version is not spoken here.
pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;

/// The method that replaces `initialize`: the server's versions, capabilities and identity.
pub const DISCOVER: &str = "server/discover";

/// The routing headers of one request, as received (absent ones are `None`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RoutingHeaders<'h> {
    /// `MCP-Protocol-Version`.
    pub version: Option<&'h str>,
    /// `Mcp-Method`.
    pub method: Option<&'h str>,
    /// `Mcp-Name` (possibly in the `=?base64?…?=` form).
    pub name: Option<&'h str>,
}

/// Why a request was refused: a JSON-RPC error (answered with HTTP 400).
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The error code.
    pub code: i64,
    /// A human-readable message.
    pub message: String,
    /// The error's `data` (the supported versions for an unsupported version).
    pub data: Option<Value>,
}

impl Rejection {
    fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// The JSON-RPC error response for the request with `id`.
    pub fn to_response(&self, id: &Value) -> Value {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        json!({"jsonrpc": "2.0", "id": id, "error": error})
    }
}

/// A stateless request's envelope (`params._meta`), checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The client's name and version, when sent.
    pub client_info: Option<Value>,
}

/// Checks a 2026-07-28 request: `params._meta` carries the protocol version and client
/// capabilities, the headers are present and agree with the body (the protocol version
/// header with `_meta`, `Mcp-Method` with the method, `Mcp-Name` with the named param),
/// and the version is the stateless one.
pub fn envelope(
    method: &str,
    params: &Map<String, Value>,
    headers: RoutingHeaders<'_>,
) -> Result<Envelope, Rejection> {
    let Some(meta) = params.get("_meta").and_then(Value::as_object) else {
        return Err(Rejection::new(
            INVALID_PARAMS,
            format!(
                "params._meta must be an object carrying {PROTOCOL_VERSION_META:?} and \
                 {CLIENT_CAPABILITIES_META:?}"
            ),
        ));
    };
    let missing: Vec<&str> = [PROTOCOL_VERSION_META, CLIENT_CAPABILITIES_META]
        .into_iter()
        .filter(|key| !meta.contains_key(*key))
        .collect();
    if !missing.is_empty() {
        return Err(Rejection::new(
            INVALID_PARAMS,
            format!("params._meta lacks {}", missing.join(", ")),
        ));
    }
    let version = &meta[PROTOCOL_VERSION_META];
    if headers.version.is_none() || headers.version != version.as_str() {
        return Err(Rejection::new(
            HEADER_MISMATCH,
            "the MCP-Protocol-Version header does not match params._meta's protocol version",
        ));
    }
    if headers.method.is_none() {
        return Err(Rejection::new(
            HEADER_MISMATCH,
            "the Mcp-Method header is required",
        ));
    }
    check_headers(method, params, headers)?;
    let version = version.as_str().unwrap_or_default();
    if version != STATELESS_VERSION {
        return Err(unsupported(version));
    }
    Ok(Envelope {
        client_info: meta.get(CLIENT_INFO_META).cloned(),
    })
}

/// Checks the `Mcp-Method` and `Mcp-Name` headers that are present against the body: a
/// header that disagrees with the method or the named param (tool or prompt name, resource
/// URI) is refused, and a name-bearing request with `Mcp-Method` must carry `Mcp-Name`.
pub fn check_headers(
    method: &str,
    params: &Map<String, Value>,
    headers: RoutingHeaders<'_>,
) -> Result<(), Rejection> {
    let Some(header_method) = headers.method else {
        return Ok(());
    };
    if header_method != method {
        return Err(Rejection::new(
            HEADER_MISMATCH,
            format!("the Mcp-Method header {header_method:?} does not match the method {method:?}"),
        ));
    }
    let Some(field) = RoutedKind::from_method(method).and_then(RoutedKind::header_param) else {
        return Ok(());
    };
    let Some(body_name) = params.get(field).and_then(Value::as_str) else {
        return Ok(());
    };
    match headers.name.map(decode_header_value) {
        Some(Some(name)) if name == body_name => Ok(()),
        Some(_) => Err(Rejection::new(
            HEADER_MISMATCH,
            format!("the Mcp-Name header does not match params.{field}"),
        )),
        None => Err(Rejection::new(
            HEADER_MISMATCH,
            format!("the Mcp-Name header is required for {method}"),
        )),
    }
}

/// A header value as sent: verbatim, or the UTF-8 text inside `=?base64?…?=` (the form for
/// values that are not plain printable ASCII). `None` when that form does not decode.
pub fn decode_header_value(value: &str) -> Option<String> {
    let Some(payload) = value
        .strip_prefix("=?base64?")
        .and_then(|rest| rest.strip_suffix("?="))
    else {
        return Some(value.to_string());
    };
    let bytes = STANDARD.decode(payload).ok()?;
    String::from_utf8(bytes).ok()
}

/// The refusal of a request in protocol `requested`, naming the versions spoken here.
pub fn unsupported(requested: &str) -> Rejection {
    Rejection {
        code: UNSUPPORTED_PROTOCOL_VERSION,
        message: format!("unsupported protocol version {requested:?}"),
        data: Some(json!({"supported": SUPPORTED_VERSIONS, "requested": requested})),
    }
}

/// The `server/discover` result for the client from the backends' `initialize` results (in
/// server order): every version the gateway speaks, the merged capabilities and
/// instructions, and the gateway's identity in `_meta`. Not cacheable: the gateway's
/// backends may change.
pub fn discover_result<'a>(backends: impl IntoIterator<Item = (&'a str, &'a Value)>) -> Value {
    let merged = initialize_result(STATELESS_VERSION, Reach::Merged, backends);
    let mut result = json!({
        "supportedVersions": SUPPORTED_VERSIONS,
        "capabilities": merged["capabilities"],
        "resultType": "complete",
        "ttlMs": 0,
        "cacheScope": "private",
        "_meta": {SERVER_INFO_META: merged["serverInfo"]},
    });
    if let Some(instructions) = merged.get("instructions") {
        result["instructions"] = instructions.clone();
    }
    result
}

/// Completes a result for a 2026-07-28 client of `method`: `resultType` (a handshake-era
/// backend sends none) and, on lists, the cache directives `ttlMs` 0 and `cacheScope`
/// `private` (the gateway's merged lists are not cached).
pub fn complete(method: &str, result: &mut Value) {
    let Some(result) = result.as_object_mut() else {
        return;
    };
    result
        .entry("resultType")
        .or_insert_with(|| json!("complete"));
    if ListKind::from_method(method).is_some() {
        result.entry("ttlMs").or_insert_with(|| json!(0));
        result
            .entry("cacheScope")
            .or_insert_with(|| json!("private"));
    }
}

#[cfg(test)]
#[path = "stateless_tests.rs"]
mod tests;
