//! JSON-RPC 2.0 messages as MCP uses them: one message per POST (batches were removed in
//! 2025-06-18), ids are strings or integers, params are objects.

use serde_json::{Map, Value, json};

/// Invalid JSON was received.
pub const PARSE_ERROR: i64 = -32700;
/// The JSON sent is not a valid request object.
pub const INVALID_REQUEST: i64 = -32600;
/// The method does not exist or is not available.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// Invalid method parameters.
pub const INVALID_PARAMS: i64 = -32602;
/// Internal error (here: a backend failed or answered something unusable).
pub const INTERNAL_ERROR: i64 = -32603;

/// A message a client sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A request expecting a response.
    Request {
        /// The request id (string or integer), echoed in the response.
        id: Value,
        /// The method name.
        method: String,
        /// The params object (empty when absent).
        params: Map<String, Value>,
    },
    /// A notification (no id, no response).
    Notification {
        /// The method name.
        method: String,
        /// The params object (empty when absent).
        params: Map<String, Value>,
    },
    /// A response to a request the server sent the client.
    Response {
        /// The id of the server's request.
        id: Value,
        /// The rest of the message (`jsonrpc`, and `result` or `error`).
        rest: Map<String, Value>,
    },
}

/// A JSON-RPC error to send back, with the id of the request when it was readable.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// The request id, `null` when unknown.
    pub id: Value,
    /// The error code.
    pub code: i64,
    /// A human-readable message.
    pub message: String,
}

impl RpcError {
    /// An error for the request with `id`.
    pub fn new(id: &Value, code: i64, message: impl Into<String>) -> Self {
        Self {
            id: id.clone(),
            code,
            message: message.into(),
        }
    }

    /// The error response body.
    pub fn to_body(&self) -> Vec<u8> {
        error_body(&self.id, self.code, &self.message)
    }
}

/// Parses and validates one client message.
pub fn parse(body: &[u8]) -> Result<Message, RpcError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| RpcError::new(&Value::Null, PARSE_ERROR, format!("parse error: {e}")))?;
    let Value::Object(mut object) = value else {
        let what = if value.is_array() {
            "batches are not supported since protocol 2025-06-18; send one message per request"
        } else {
            "a JSON-RPC message must be a JSON object"
        };
        return Err(RpcError::new(&Value::Null, INVALID_REQUEST, what));
    };
    let id = object.remove("id");
    let valid_id = match &id {
        None => true,
        Some(Value::String(_)) => true,
        Some(Value::Number(n)) => n.is_i64() || n.is_u64(),
        Some(_) => false,
    };
    let reply_id = if valid_id {
        id.clone().unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    let invalid = |message: &str| RpcError::new(&reply_id, INVALID_REQUEST, message);
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid("\"jsonrpc\" must be \"2.0\""));
    }
    if !valid_id {
        return Err(invalid("\"id\" must be a string or an integer"));
    }
    let Some(method) = object.remove("method") else {
        return match id {
            Some(id) if object.contains_key("result") || object.contains_key("error") => {
                Ok(Message::Response { id, rest: object })
            }
            _ => Err(invalid("\"method\" is required")),
        };
    };
    let Value::String(method) = method else {
        return Err(invalid("\"method\" must be a string"));
    };
    let params = match object.remove("params") {
        None => Map::new(),
        Some(Value::Object(params)) => params,
        Some(_) => {
            return Err(RpcError::new(
                &reply_id,
                INVALID_PARAMS,
                "\"params\" must be an object",
            ));
        }
    };
    Ok(match id {
        Some(id) => Message::Request { id, method, params },
        None => Message::Notification { method, params },
    })
}

/// A success response body.
pub fn result_body(id: &Value, result: Value) -> Vec<u8> {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
        .to_string()
        .into_bytes()
}

/// An error response body.
pub fn error_body(id: &Value, code: i64, message: &str) -> Vec<u8> {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
        .to_string()
        .into_bytes()
}

/// A request body (used for the gateway's own requests to backends).
pub fn request_body(id: &Value, method: &str, params: &Map<String, Value>) -> Vec<u8> {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        .to_string()
        .into_bytes()
}

/// A notification body.
pub fn notification_body(method: &str, params: &Map<String, Value>) -> Vec<u8> {
    let mut message = json!({"jsonrpc": "2.0", "method": method});
    if !params.is_empty() {
        message["params"] = Value::Object(params.clone());
    }
    message.to_string().into_bytes()
}

#[cfg(test)]
#[path = "jsonrpc_tests.rs"]
mod tests;
