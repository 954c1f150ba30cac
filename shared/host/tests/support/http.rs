//! A minimal HTTP/1.1 fake upstream and client over std sockets, for tests against Envoy.
//!
//! The upstream answers every request with a JSON echo (`upstream`, `path`, `body`,
//! `headers`, `greeting`), except `/sse`: three `data: hello <i>` events, 400 ms apart,
//! chunked.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// A free local port (bound then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind an ephemeral port")
}

/// Starts the fake upstream named `name` on `port` in background threads.
pub fn start_upstream(name: &'static str, port: u16) {
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind fake upstream");
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || serve(name, conn));
        }
    });
}

/// Reads a request or response head: the first line and lower-cased headers.
fn read_head(reader: &mut impl BufRead) -> Option<(String, Vec<(String, String)>)> {
    let mut first = String::new();
    if reader.read_line(&mut first).ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    Some((first.trim_end().to_string(), headers))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn serve(name: &str, conn: TcpStream) {
    let mut writer = conn.try_clone().expect("clone upstream socket");
    let mut reader = BufReader::new(conn);
    while let Some((request_line, headers)) = read_head(&mut reader) {
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        let len: usize = header(&headers, "content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if path == "/sse" {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
            let _ = writer.write_all(head.as_bytes());
            for i in 0..3 {
                let event = format!("data: hello {i}\n\n");
                let _ = write!(writer, "{:x}\r\n{event}\r\n", event.len());
                let _ = writer.flush();
                std::thread::sleep(Duration::from_millis(400));
            }
            let _ = writer.write_all(b"0\r\n\r\n");
            continue;
        }
        let headers: serde_json::Map<String, serde_json::Value> = headers
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        let echo = serde_json::json!({
            "upstream": name,
            "path": path,
            "body": String::from_utf8_lossy(&body),
            "headers": headers,
            "greeting": "hello world",
        })
        .to_string();
        let _ = write!(
            writer,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{echo}",
            echo.len()
        );
    }
}

/// A response as the client saw it, with the arrival time of each body piece.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// (time since the request was sent, bytes) for each decoded body chunk.
    pub chunks: Vec<(Duration, String)>,
}

impl Response {
    /// A header by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The body parsed as JSON (panics with the body when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("response body is not JSON ({e}): {}", self.body))
    }
}

/// Sends one request (`Connection: close`) and reads the whole response.
pub fn request(port: u16, method: &str, path: &str, body: &str) -> Response {
    request_with(port, method, path, &[], body)
}

/// As [`request`], with extra request headers.
pub fn request_with(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Response {
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: test.local\r\nconnection: close\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\n\r\n",
        body.len()
    );
    request_raw(port, &[head.as_bytes(), body.as_bytes()].concat())
}

/// Sends `raw` bytes as the whole request (which must ask for `connection: close`) and
/// reads the whole response.
pub fn request_raw(port: u16, raw: &[u8]) -> Response {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).expect("connect to Envoy");
    conn.set_read_timeout(Some(Duration::from_secs(15)))
        .expect("set timeout");
    let start = Instant::now();
    conn.write_all(raw).expect("send request");
    let mut reader = BufReader::new(conn);
    let (status_line, headers) = read_head(&mut reader).expect("response head");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line `{status_line}`"));
    let mut chunks = Vec::new();
    if header(&headers, "transfer-encoding") == Some("chunked") {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).expect("chunk size");
            let size = usize::from_str_radix(size.trim(), 16).expect("hex chunk size");
            let mut data = vec![0; size + 2];
            reader.read_exact(&mut data).expect("chunk data");
            if size == 0 {
                break;
            }
            data.truncate(size);
            chunks.push((start.elapsed(), String::from_utf8_lossy(&data).into_owned()));
        }
    } else {
        let mut data = Vec::new();
        reader.read_to_end(&mut data).expect("response body");
        chunks.push((start.elapsed(), String::from_utf8_lossy(&data).into_owned()));
    }
    let body = chunks.iter().map(|(_, c)| c.as_str()).collect();
    Response {
        status,
        headers,
        body,
        chunks,
    }
}

/// GETs a path and returns the body (for the admin interface).
pub fn get_text(port: u16, path: &str) -> String {
    request(port, "GET", path, "").body
}
