//! Serves a stdio MCP server as Streamable HTTP so the gateway can reach it: `aigw run`
//! spawns the process and relays JSON-RPC between a loopback HTTP endpoint and the process's
//! stdin/stdout (one message per line).
//!
//! The endpoint is stateless (no `Mcp-Session-Id`): every gateway session shares the one
//! process. Request ids and progress tokens are replaced by the bridge's own on the way in
//! (clients of different sessions may reuse ids) and put back on the way out. A request is
//! answered with an SSE stream of the progress notifications for it, then its response.
//! Requests from the server to the client (sampling, roots, elicitation) are answered with
//! a JSON-RPC error, and other notifications are dropped: the gateway does not relay them.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{ChildStdin, ChildStdout, Command};
use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

/// Largest message accepted from the gateway.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Messages buffered per request before the process's output waits for the HTTP client.
const STREAM_BUFFER: usize = 64;
/// Prefix of the progress tokens the bridge hands to the process.
const TOKEN_PREFIX: &str = "aigw-";

type Body = BoxBody<Bytes, Infallible>;

/// A request sent to the process whose response is awaited.
struct Pending {
    /// The gateway's request id.
    id: Value,
    /// The gateway's progress token, when it asked for progress.
    token: Option<Value>,
    /// Where the messages of this request go.
    tx: mpsc::Sender<Value>,
}

struct Bridge {
    name: String,
    stdin: tokio::sync::Mutex<ChildStdin>,
    pending: Mutex<HashMap<u64, Pending>>,
    next: AtomicU64,
}

/// Spawns `command` (stdout piped to the bridge, stderr to `log`) and serves it on a free
/// loopback port; returns the MCP endpoint URL. The process is killed when the runtime
/// stops.
pub async fn start(
    name: &str,
    command: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
    log: &Path,
) -> Result<String, String> {
    let fail = |what: String| format!("MCP server {name} (stdio): {what}");
    let stderr = std::fs::File::create(log)
        .map_err(|e| fail(format!("cannot create {}: {e}", log.display())))?;
    let mut child = Command::new(command)
        .args(args)
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| fail(format!("cannot run {command:?}: {e}")))?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(fail("no stdin/stdout pipes".to_string()));
    };
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| fail(format!("cannot listen: {e}")))?;
    let addr: SocketAddr = listener
        .local_addr()
        .map_err(|e| fail(format!("cannot listen: {e}")))?;
    let bridge = Arc::new(Bridge {
        name: name.to_string(),
        stdin: tokio::sync::Mutex::new(stdin),
        pending: Mutex::new(HashMap::new()),
        next: AtomicU64::new(1),
    });
    let watched = name.to_string();
    tokio::spawn(async move {
        match child.wait().await {
            Ok(status) => eprintln!("aigw: MCP server {watched} (stdio) exited ({status})"),
            Err(e) => eprintln!("aigw: MCP server {watched} (stdio): {e}"),
        }
    });
    tokio::spawn(read_output(Arc::clone(&bridge), stdout));
    tokio::spawn(serve(listener, bridge));
    Ok(format!("http://{addr}/mcp"))
}

async fn serve(listener: TcpListener, bridge: Arc<Bridge>) {
    loop {
        let conn = match listener.accept().await {
            Ok((conn, _)) => conn,
            Err(e) => {
                eprintln!(
                    "aigw: MCP server {} (stdio): accept failed: {e}",
                    bridge.name
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = conn.set_nodelay(true);
        let bridge = Arc::clone(&bridge);
        tokio::spawn(async move {
            let svc = service_fn(|req| handle(Arc::clone(&bridge), req));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(conn), svc)
                .await;
        });
    }
}

async fn handle(bridge: Arc<Bridge>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    if req.method() != Method::POST {
        // No sessions to end and no server stream to offer.
        return Ok(reply(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "use POST",
        ));
    }
    let body = match Limited::new(req.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            return Ok(reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                "text/plain",
                e.to_string(),
            ));
        }
    };
    let Ok(Value::Object(mut message)) = serde_json::from_slice::<Value>(&body) else {
        return Ok(rpc_error(
            &Value::Null,
            -32700,
            "expected one JSON-RPC message object",
        ));
    };
    let has_method = message.get("method").is_some_and(Value::is_string);
    let Some(id) = message.get("id").cloned().filter(|_| has_method) else {
        if !has_method {
            return Ok(rpc_error(&Value::Null, -32600, "responses are not relayed"));
        }
        // A notification.
        return Ok(match bridge.write(&Value::Object(message)).await {
            Ok(()) => reply(StatusCode::ACCEPTED, "text/plain", ""),
            Err(e) => reply(StatusCode::BAD_GATEWAY, "text/plain", e),
        });
    };
    let n = bridge.next.fetch_add(1, Ordering::Relaxed);
    message.insert("id".into(), json!(n));
    let token = message
        .get_mut("params")
        .and_then(|p| p.get_mut("_meta"))
        .and_then(|m| m.get_mut("progressToken"))
        .map(|t| std::mem::replace(t, json!(format!("{TOKEN_PREFIX}{n}"))));
    let (tx, rx) = mpsc::channel(STREAM_BUFFER);
    bridge.lock().insert(
        n,
        Pending {
            id: id.clone(),
            token,
            tx,
        },
    );
    if let Err(e) = bridge.write(&Value::Object(message)).await {
        bridge.lock().remove(&n);
        return Ok(rpc_error(&id, -32603, &e));
    }
    let events = ReceiverStream::new(rx).map(|message: Value| {
        Ok::<_, Infallible>(Frame::data(Bytes::from(format!(
            "event: message\ndata: {message}\n\n"
        ))))
    });
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(events)));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/event-stream"),
    );
    Ok(response)
}

impl Bridge {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn write(&self, message: &Value) -> Result<(), String> {
        let mut line = message.to_string().into_bytes();
        line.push(b'\n');
        let mut stdin = self.stdin.lock().await;
        stdin.write_all(&line).await.map_err(|e| self.gone(e))?;
        stdin.flush().await.map_err(|e| self.gone(e))
    }

    fn gone(&self, e: std::io::Error) -> String {
        format!("MCP server {} (stdio) is not running: {e}", self.name)
    }
}

/// Relays the process's messages to the requests they belong to until its output closes.
async fn read_output(bridge: Arc<Bridge>, stdout: ChildStdout) {
    let mut lines = BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let Ok(Value::Object(mut message)) = serde_json::from_str::<Value>(&line) else {
            eprintln!(
                "aigw: MCP server {} (stdio) wrote a line that is not a JSON-RPC message",
                bridge.name
            );
            continue;
        };
        let method = message
            .get("method")
            .and_then(Value::as_str)
            .map(str::to_string);
        match (method, message.get("id").cloned()) {
            (Some(_), Some(id)) => {
                let refusal = json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601,
                    "message": "requests to the client are not relayed by the aigw gateway"}});
                let _ = bridge.write(&refusal).await;
            }
            (Some(method), None) if method == "notifications/progress" => {
                let n = message
                    .get("params")
                    .and_then(|p| p.get("progressToken"))
                    .and_then(Value::as_str)
                    .and_then(|t| t.strip_prefix(TOKEN_PREFIX))
                    .and_then(|n| n.parse::<u64>().ok());
                let target = n.and_then(|n| {
                    let pending = bridge.lock();
                    pending.get(&n).map(|p| (p.token.clone(), p.tx.clone()))
                });
                if let Some((Some(token), tx)) = target {
                    if let Some(params) = message.get_mut("params").and_then(Value::as_object_mut) {
                        params.insert("progressToken".into(), token);
                    }
                    let _ = tx.send(Value::Object(message)).await;
                }
            }
            (Some(_), None) => {}
            (None, Some(id)) => {
                let Some(pending) = id.as_u64().and_then(|n| bridge.lock().remove(&n)) else {
                    continue;
                };
                message.insert("id".into(), pending.id);
                let _ = pending.tx.send(Value::Object(message)).await;
            }
            (None, None) => {}
        }
    }
    eprintln!("aigw: MCP server {} (stdio) closed its output", bridge.name);
    bridge.lock().clear();
}

fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(BodyExt::boxed(Full::new(body.into())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type),
    );
    response
}

fn rpc_error(id: &Value, code: i64, message: &str) -> Response<Body> {
    let body = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    let status = if code == -32603 {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    reply(status, "application/json", body.to_string())
}
