//! A minimal, strict MCP server over Streamable HTTP (`POST /mcp/{name}`), stateless and
//! answering in plain JSON: `initialize`, `ping`, `tools/list` (`echo`, `add`) and
//! `tools/call`; notifications get 202. Made for benchmarks, where a slow server would hide
//! the gateway's cost.

use hyper::body::Incoming;
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use serde_json::{Map, Value, json};

use crate::server::{Body, full, read_body};

/// Path prefix of the MCP servers; the rest of the path names the server.
const PREFIX: &str = "/mcp/";
/// Protocol revisions this server speaks; the first is offered to clients asking for another.
const VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26"];
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;

/// Whether a path belongs to the MCP server.
pub fn is_mcp_path(path: &str) -> bool {
    path.starts_with(PREFIX)
}

/// Answers one request to `/mcp/{name}` (errors included).
pub async fn answer(req: Request<Incoming>) -> Response<Body> {
    let name = req.uri().path()[PREFIX.len()..].to_string();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return http_error(StatusCode::NOT_FOUND, "no MCP server at this path");
    }
    if req.method() != Method::POST {
        let mut response = http_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "this stateless server takes POST only",
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    if let Err((status, message)) = check_headers(req.headers()) {
        return http_error(status, message);
    }
    let Ok(body) = read_body(req.into_body()).await else {
        return rpc_error(
            StatusCode::BAD_REQUEST,
            &Value::Null,
            PARSE_ERROR,
            "unreadable body",
        );
    };
    let Ok(Value::Object(message)) = serde_json::from_slice::<Value>(&body) else {
        let text = "the body must be one JSON-RPC message (a JSON object)";
        return rpc_error(StatusCode::BAD_REQUEST, &Value::Null, PARSE_ERROR, text);
    };
    match reply(&name, &message) {
        (status, Some(value)) => json_response(status, &value),
        (status, None) => {
            let mut response = Response::new(full(""));
            *response.status_mut() = status;
            response
        }
    }
}

/// Content type, `Accept` (both JSON and SSE, as the spec requires of clients) and the
/// protocol version header when present.
fn check_headers(headers: &HeaderMap) -> Result<(), (StatusCode, &'static str)> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let content_type = header("content-type").unwrap_or_default();
    if !content_type.starts_with("application/json") {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-type must be application/json",
        ));
    }
    let accept = header("accept").unwrap_or_default();
    if !(accept.contains("application/json") && accept.contains("text/event-stream")) {
        return Err((
            StatusCode::NOT_ACCEPTABLE,
            "Accept must list application/json and text/event-stream",
        ));
    }
    match header("mcp-protocol-version") {
        Some(v) if !VERSIONS.contains(&v) => {
            Err((StatusCode::BAD_REQUEST, "unsupported MCP-Protocol-Version"))
        }
        _ => Ok(()),
    }
}

/// The status and JSON body (none for a notification) answering one JSON-RPC message of
/// server `name`.
fn reply(name: &str, message: &Map<String, Value>) -> (StatusCode, Option<Value>) {
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let bad = |text| {
        let error = error_body(&id, INVALID_REQUEST, text);
        (StatusCode::BAD_REQUEST, Some(error))
    };
    if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return bad("jsonrpc must be \"2.0\"");
    }
    let Some(method) = message.get("method").and_then(Value::as_str) else {
        return bad("method must be a string");
    };
    let params = match message.get("params") {
        None => &Map::new(),
        Some(Value::Object(params)) => params,
        Some(_) => return bad("params must be an object"),
    };
    match message.get("id") {
        None => return (StatusCode::ACCEPTED, None),
        Some(Value::String(_)) => {}
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {}
        Some(_) => return bad("id must be a string or an integer"),
    }
    let result = match method {
        "initialize" => initialize(name, params),
        "ping" => Ok(json!({})),
        "tools/list" => Ok(json!({"tools": tools(name)})),
        "tools/call" => call(params),
        _ => Err((METHOD_NOT_FOUND, format!("method not found: {method}"))),
    };
    let body = match result {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err((code, text)) => error_body(&id, code, &text),
    };
    (StatusCode::OK, Some(body))
}

type RpcResult = Result<Value, (i64, String)>;

fn invalid(text: &str) -> (i64, String) {
    (INVALID_PARAMS, text.to_string())
}

fn initialize(name: &str, params: &Map<String, Value>) -> RpcResult {
    let requested = params
        .get("protocolVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("params.protocolVersion must be a string"))?;
    if !params.get("capabilities").is_some_and(Value::is_object) {
        return Err(invalid("params.capabilities must be an object"));
    }
    if !params.get("clientInfo").is_some_and(Value::is_object) {
        return Err(invalid("params.clientInfo must be an object"));
    }
    let version = VERSIONS
        .iter()
        .find(|v| **v == requested)
        .unwrap_or(&VERSIONS[0]);
    Ok(json!({
        "protocolVersion": version,
        "capabilities": {"tools": {"listChanged": false}},
        "serverInfo": {"name": name, "version": "1.0.0"},
    }))
}

fn tools(name: &str) -> Value {
    json!([
        {"name": "echo", "description": format!("Returns the text ({name})."),
         "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}},
                         "required": ["text"]}},
        {"name": "add", "description": format!("Adds two integers ({name})."),
         "inputSchema": {"type": "object",
                         "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                         "required": ["a", "b"]}},
    ])
}

fn call(params: &Map<String, Value>) -> RpcResult {
    let tool = params
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("params.name must be a string"))?;
    let arguments = match params.get("arguments") {
        None => &Map::new(),
        Some(Value::Object(arguments)) => arguments,
        Some(_) => return Err(invalid("params.arguments must be an object")),
    };
    let text = match tool {
        "echo" => arguments
            .get("text")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("echo: arguments.text must be a string"))?
            .to_string(),
        "add" => {
            let number = |key| arguments.get(key).and_then(Value::as_i64);
            let (Some(a), Some(b)) = (number("a"), number("b")) else {
                return Err(invalid("add: arguments.a and arguments.b must be integers"));
            };
            a.checked_add(b)
                .ok_or_else(|| invalid("add: the sum overflows"))?
                .to_string()
        }
        _ => return Err(invalid(&format!("unknown tool: {tool}"))),
    };
    Ok(json!({"content": [{"type": "text", "text": text}], "isError": false}))
}

fn json_response(status: StatusCode, value: &Value) -> Response<Body> {
    let mut response = Response::new(full(value.to_string()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn error_body(id: &Value, code: i64, text: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": text}})
}

fn rpc_error(status: StatusCode, id: &Value, code: i64, text: &str) -> Response<Body> {
    json_response(status, &error_body(id, code, text))
}

fn http_error(status: StatusCode, text: &str) -> Response<Body> {
    let mut response = Response::new(full(text.to_string()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

#[cfg(test)]
#[path = "mcp_tests.rs"]
mod tests;
