//! The failing server over real TCP: several `--fault`s are served in turn.

use hyper::StatusCode;
use testupstream::{Fault, serve_fault};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Sends one request on a new connection; returns the status line, or `None` when the
/// connection was closed without a response.
async fn status_line(addr: std::net::SocketAddr) -> Option<String> {
    let body = r#"{"model":"m","messages":[]}"#;
    let request = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nhost: a\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    // A reset may surface as an error or as an empty read, depending on timing.
    let _ = conn.read_to_end(&mut answer).await;
    let text = String::from_utf8(answer).unwrap();
    text.lines().next().map(str::to_owned)
}

#[tokio::test]
async fn faults_are_served_in_turn() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let faults = vec![
        Fault::Status(StatusCode::SERVICE_UNAVAILABLE),
        Fault::Reset,
        Fault::Status(StatusCode::TOO_MANY_REQUESTS),
    ];
    tokio::spawn(serve_fault(listener, faults));

    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(status_line(addr).await);
    }
    let expected = [
        Some("HTTP/1.1 503 Service Unavailable"),
        None,
        Some("HTTP/1.1 429 Too Many Requests"),
        Some("HTTP/1.1 503 Service Unavailable"),
    ];
    assert_eq!(seen, expected.map(|s| s.map(str::to_owned)));
}
