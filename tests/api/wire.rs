//! Raw HTTP/1.1 on a socket: requests actix-http refuses before any middleware runs (a head it
//! cannot parse, too large, too slow) are answered with problem details too, and every other
//! response passes the connection wrapper untouched.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::TestApp;

/// One response as read off the socket.
#[derive(Debug)]
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    /// A header's value, or "" when absent.
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts a problem made from actix's own refusal, and returns its body.
    fn assert_refusal(&self, status: u16, case: &str) -> Value {
        assert_eq!(self.status, status, "{case}: {self:?}");
        assert_eq!(
            self.header("content-type"),
            "application/problem+json",
            "{case}"
        );
        assert_eq!(self.header("connection"), "close", "{case}");
        assert!(
            !self.header("date").is_empty(),
            "{case}: keeps actix's date"
        );
        let id = self.header("x-request-id");
        assert_eq!(id.len(), 36, "{case}: a UUID request id, got {id:?}");
        assert_eq!(
            self.header("content-length"),
            self.body.len().to_string(),
            "{case}"
        );
        let body = self.json();
        assert_eq!(body["status"], status, "{case}: {body}");
        let code = body["code"].as_str().unwrap_or_default();
        assert!(!code.is_empty(), "{case}: {body}");
        assert!(
            body["type"].as_str().is_some_and(|t| t.ends_with(code)),
            "{case}: {body}"
        );
        assert!(body["title"].is_string(), "{case}: {body}");
        assert!(body["detail"].is_string(), "{case}: {body}");
        assert_eq!(body["request_id"], id, "{case}: {body}");
        assert!(body.get("instance").is_none(), "{case}: {body}");
        body
    }
}

/// A connection to the app's port.
async fn connect(app: &TestApp) -> TcpStream {
    let address = app
        .address
        .strip_prefix("http://")
        .expect("address is http://host:port");
    TcpStream::connect(address).await.expect("connect")
}

/// Reads one response; a `HEAD` response has no body whatever its `content-length`.
async fn read_response(stream: &mut TcpStream, head: bool) -> Raw {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let read = async {
        loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let text = String::from_utf8_lossy(&buf[..end]).into_owned();
                let mut lines = text.split("\r\n");
                let status = lines
                    .next()
                    .and_then(|l| l.split(' ').nth(1))
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| panic!("a status line: {text}"));
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_owned()))
                    .collect();
                let length = if head {
                    0
                } else {
                    headers
                        .iter()
                        .find(|(n, _)| n == "content-length")
                        .and_then(|(_, v)| v.parse().ok())
                        .unwrap_or(0)
                };
                if buf.len() >= end + 4 + length {
                    let body = buf[end + 4..end + 4 + length].to_vec();
                    buf.drain(..end + 4 + length);
                    return Raw {
                        status,
                        headers,
                        body,
                    };
                }
            }
            // A reset after the response (actix closes on unread input) ends the read too.
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => panic!(
                    "connection closed before a whole response: {:?}",
                    String::from_utf8_lossy(&buf)
                ),
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    };
    let raw = tokio::time::timeout(Duration::from_secs(15), read)
        .await
        .expect("a response within 15 s");
    assert!(buf.is_empty(), "nothing after the response: {buf:?}");
    raw
}

/// Sends `request` on a new connection and reads the one response.
async fn exchange(app: &TestApp, request: &[u8]) -> Raw {
    let mut stream = connect(app).await;
    // The server may answer and close before reading everything (heads over 128 KiB): the write
    // can then fail, the response is still there to read.
    let _ = stream.write_all(request).await;
    let reply = read_response(&mut stream, request.starts_with(b"HEAD ")).await;
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
    assert!(rest.is_empty(), "nothing after the response: {rest:?}");
    reply
}

/// `GET target` with these extra header lines.
fn get(target: &str, extra: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extra}\r\n")
        .into_bytes()
}

#[tokio::test]
async fn requests_actix_cannot_parse_get_problem_details() {
    let app = TestApp::spawn().await;
    let many_headers: String = (0..100).map(|i| format!("X-H{i}: v\r\n")).collect();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "a 70,000-byte target",
            get(&format!("/health/live?q={}", "a".repeat(70_000)), ""),
            400,
        ),
        (
            "a 140,000-byte header",
            get(
                "/health/live",
                &format!("X-Big: {}\r\n", "b".repeat(140_000)),
            ),
            431,
        ),
        ("100 headers", get("/health/live", &many_headers), 431),
        (
            "a control byte in a header value",
            get("/health/live", "X-Bad: a\x01b\r\n"),
            400,
        ),
        (
            "a space in a header name",
            get("/health/live", "X Bad: v\r\n"),
            400,
        ),
        (
            "a raw < and \" in the target",
            get("/health/live?q=<\"x\">", ""),
            400,
        ),
        (
            "no Host on HTTP/1.1",
            b"GET /health/live HTTP/1.1\r\nConnection: close\r\n\r\n".to_vec(),
            400,
        ),
        (
            "a garbage method",
            b"G(ET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec(),
            400,
        ),
    ];
    for (case, request, status) in cases {
        let reply = exchange(&app, &request).await;
        let body = reply.assert_refusal(status, case);
        let code = if status == 431 {
            "headers_too_large"
        } else {
            "malformed_request"
        };
        assert_eq!(body["code"], code, "{case}");
    }
}

#[tokio::test]
async fn a_head_not_sent_in_time_gets_a_408_problem() {
    let app = TestApp::spawn().await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /health/live HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .expect("write");
    let reply = read_response(&mut stream, false).await;
    let body = reply.assert_refusal(408, "a slow head");
    assert_eq!(body["code"], "request_timeout");
}

#[tokio::test]
async fn ordinary_responses_pass_the_wrapper_untouched() {
    let app = TestApp::spawn().await;

    let reply = exchange(&app, &get("/health/live", "")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), "application/json");
    assert_eq!(reply.json()["status"], "ok");
    assert_eq!(reply.header("x-request-id").len(), 36);

    let reply = exchange(
        &app,
        b"HEAD /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), "application/json");
    assert_ne!(reply.header("content-length"), "0", "the GET's length");
    assert!(reply.body.is_empty());

    // The app's own problems keep their body: `instance` is something only the app knows.
    let reply = exchange(&app, &get("/api/v1/no-such-thing", "")).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("content-type"), "application/problem+json");
    let body = reply.json();
    assert_eq!(body["code"], "not_found");
    assert_eq!(body["instance"], "/api/v1/no-such-thing");
    assert_eq!(body["request_id"], reply.header("x-request-id"));
}

#[tokio::test]
async fn a_kept_alive_connection_serves_requests_in_turn() {
    let app = TestApp::spawn().await;
    let mut stream = connect(&app).await;
    for round in 0..2 {
        stream
            .write_all(b"GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .expect("write");
        let reply = read_response(&mut stream, false).await;
        assert_eq!(reply.status, 200, "request {round}");
        assert_ne!(reply.header("connection"), "close", "request {round}");
        assert_eq!(reply.json()["status"], "ok", "request {round}");
    }
    // A bad request after good ones on the same connection is refused the same way.
    stream
        .write_all(b"GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Bad: a\x01b\r\n\r\n")
        .await
        .expect("write");
    read_response(&mut stream, false)
        .await
        .assert_refusal(400, "a bad request on a kept-alive connection");
}
