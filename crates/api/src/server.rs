//! The HTTP server: what `HttpServer` builds, with every connection wrapped in [`ProblemIo`] so
//! that requests actix-http refuses before any middleware runs (a head it cannot parse, one too
//! large, one too slow) are answered with problem details too.
//!
//! actix-http answers those itself with a bodiless `400`, `408` or `431` (a `500` on internal
//! dispatch errors) and closes the connection; no hook changes that response. So the wrapper
//! recognises it on the wire and writes the problem in its place.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use actix_http::body::MessageBody;
use actix_http::{HttpService, KeepAlive, Protocol, Request, Response};
use actix_service::{
    IntoServiceFactory, Service, ServiceFactory, ServiceFactoryExt as _, map_config,
};
use actix_web::dev::{AppConfig, Server, fn_service};
use actix_web::http::StatusCode;
use actix_web::rt::net::TcpStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use uuid::Uuid;

use crate::problem::{ApiError, PROBLEM_JSON, problem_for_status};

/// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C.
const SHUTDOWN_TIMEOUT_SECS: u64 = 30;
/// How long a client may take to send a request head: `HttpServer`'s default.
const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a closing connection may take to shut down: `HttpServer`'s default.
const CLIENT_DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Builds and starts the server on `listener`, the way `HttpServer::new(factory).listen(listener)`
/// does (its defaults: one worker per available CPU, 5 s keep-alive, 5 s to send a request head,
/// graceful shutdown on SIGTERM, SIGINT or SIGQUIT), with `factory`'s app behind [`ProblemIo`].
pub fn run<F, I, S, B>(listener: TcpListener, factory: F) -> io::Result<Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<Request, Config = AppConfig> + 'static,
    S::Error: Into<actix_web::Error> + 'static,
    S::InitError: fmt::Debug,
    S::Response: Into<Response<B>> + 'static,
    <S::Service as Service<Request>>::Future: 'static,
    S::Service: 'static,
    B: MessageBody + 'static,
{
    let addr = listener.local_addr()?;
    let builder = Server::build().shutdown_timeout(SHUTDOWN_TIMEOUT_SECS);
    let graceful_shutdown = builder.graceful_shutdown_signal();
    let name = format!("actix-web-service-{addr}");
    let builder = builder.listen(name, listener, move || {
        let shutdown = graceful_shutdown.clone();
        let app = factory()
            .into_factory()
            .map_err(|err| err.into().error_response());
        let http = HttpService::build()
            // Closes idle keep-alive connections as soon as shutdown starts. Doc-hidden in
            // actix-http, but it is the hook HttpServer itself wires to the same signal.
            .graceful_shutdown_signal(move || {
                let shutdown = shutdown.clone();
                async move { shutdown.notified().await }
            })
            .keep_alive(KeepAlive::default())
            .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
            .client_disconnect_timeout(CLIENT_DISCONNECT_TIMEOUT)
            .h1_allow_half_closed(true)
            .local_addr(addr)
            // `AppConfig::new` is private to actix-web. `__priv_test_new` (doc-hidden, semver-exempt,
            // what actix-test uses) builds exactly the config HttpServer does: the bound address
            // as host name and local address. `AppConfig::default()` would be a stable API but
            // report "localhost:8080" and 127.0.0.1:8080 to `ConnectionInfo::host()` (requests
            // without Host), `url_for` and `AppConfig::local_addr()`, silently. Should the helper
            // go, the build breaks instead, and Cargo.lock pins the version meanwhile.
            .finish(map_config(app, move |()| {
                AppConfig::__priv_test_new(false, addr.to_string(), addr)
            }));
        fn_service(|io: TcpStream| async move {
            let peer = io.peer_addr().ok();
            Ok((ProblemIo::new(io, peer), Protocol::Http1, peer))
        })
        .and_then(http)
    })?;
    Ok(builder.run())
}

/// A connection that passes everything through, except that a write which is exactly one of
/// actix-http's own bodiless error responses (see [`rewrite_refusal`]) goes out as a problem
/// details response with the same status, a fresh `X-Request-Id` and `Connection: close`.
///
/// It fails open: anything else is written untouched, including such an error sharing one write
/// with an earlier pipelined response.
pub struct ProblemIo<T> {
    inner: T,
    peer: Option<SocketAddr>,
    rewrite: Option<Rewrite>,
}

/// A replacement being written in place of the `replaced` bytes the caller asked to write.
struct Rewrite {
    bytes: Vec<u8>,
    written: usize,
    replaced: usize,
}

impl<T> ProblemIo<T> {
    /// Wraps a connection from `peer`.
    pub fn new(inner: T, peer: Option<SocketAddr>) -> Self {
        Self {
            inner,
            peer,
            rewrite: None,
        }
    }
}

impl<T: AsyncWrite + Unpin> ProblemIo<T> {
    /// Writes what is left of the replacement, if any.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(rewrite) = &mut self.rewrite {
            while rewrite.written < rewrite.bytes.len() {
                let n = ready!(
                    Pin::new(&mut self.inner).poll_write(cx, &rewrite.bytes[rewrite.written..])
                )?;
                if n == 0 {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                rewrite.written += n;
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ProblemIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ProblemIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.rewrite.is_none() {
            let Some(bytes) = rewrite_refusal(buf, this.peer) else {
                return Pin::new(&mut this.inner).poll_write(cx, buf);
            };
            this.rewrite = Some(Rewrite {
                bytes,
                written: 0,
                replaced: buf.len(),
            });
        }
        // The original bytes count as written only once the whole replacement is: until then
        // the caller (actix-http's dispatcher) keeps them and calls again, and does not close
        // the connection under a half-written response.
        ready!(this.drain(cx))?;
        let replaced = this.rewrite.take().map_or(0, |r| r.replaced);
        Poll::Ready(Ok(replaced.min(buf.len())))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// When `buf` is exactly one response actix-http wrote itself for a request it refused (status
/// 400, 408, 431 or 500, no body, no header but `content-length: 0`, `connection` and `date`),
/// the problem details response to send instead. Every response from the app carries
/// `x-request-id` (the request context adds it), so none of them matches.
fn rewrite_refusal(buf: &[u8], peer: Option<SocketAddr>) -> Option<Vec<u8>> {
    // Such a response is about 130 bytes: bigger writes (bodies, most heads) are passed at once.
    if buf.len() > 256 || !buf.starts_with(b"HTTP/1.") {
        return None;
    }
    let head = buf.strip_suffix(b"\r\n\r\n")?;
    let head = std::str::from_utf8(head).ok()?;
    if head.contains("\r\n\r\n") {
        return None;
    }
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let (_, reason) = status_line.split_once(' ')?;
    let status = StatusCode::from_bytes(reason.get(..3)?.as_bytes()).ok()?;
    if !matches!(status.as_u16(), 400 | 408 | 431 | 500) {
        return None;
    }
    let mut date = None;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" if value == "0" => {}
            "connection" => {}
            "date" => date = Some(value),
            _ => return None,
        }
    }

    let id = Uuid::now_v7().to_string();
    let mut problem = match status {
        StatusCode::BAD_REQUEST => ApiError::MalformedRequest.problem(),
        StatusCode::REQUEST_TIMEOUT => ApiError::RequestTimeout.problem(),
        _ => problem_for_status(status),
    };
    problem.request_id = Some(id.clone());
    let body = serde_json::to_vec(&problem).ok()?;
    log::info!(
        "{} \"-\" {} {} request_id={id} (refused before routing: {})",
        peer.map_or_else(|| "-".to_owned(), |p| p.ip().to_string()),
        status.as_u16(),
        body.len(),
        problem.detail.as_deref().unwrap_or(&problem.title),
    );

    let mut out = format!(
        "{status_line}\r\ncontent-type: {PROBLEM_JSON}\r\ncontent-length: {}\r\nconnection: close\r\nx-request-id: {id}\r\n",
        body.len()
    );
    if let Some(date) = date {
        out.push_str("date: ");
        out.push_str(date);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(raw: &str) -> Option<String> {
        rewrite_refusal(raw.as_bytes(), None).map(|b| String::from_utf8(b).unwrap_or_default())
    }

    #[test]
    fn actix_refusals_become_problems() {
        let out = rewritten(
            "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\ndate: Sat, 28 Nov 2026 13:27:54 GMT\r\n\r\n",
        )
        .expect("rewritten");
        let (head, body) = out.split_once("\r\n\r\n").expect("head and body");
        assert!(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(head.contains("\r\ncontent-type: application/problem+json\r\n"));
        assert!(head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())));
        assert!(head.contains("\r\nconnection: close\r\n"));
        assert!(head.contains("\r\ndate: Sat, 28 Nov 2026 13:27:54 GMT"));
        let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(body["status"], 431);
        assert_eq!(body["code"], "headers_too_large");
        assert!(body.get("instance").is_none());
        let id = head
            .split("\r\n")
            .find_map(|l| l.strip_prefix("x-request-id: "))
            .expect("request id");
        assert_eq!(body["request_id"], id);

        for status in [
            "400 Bad Request",
            "408 Request Timeout",
            "500 Internal Server Error",
        ] {
            let raw = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\ndate: x\r\n\r\n");
            let out = rewritten(&raw).expect(status);
            let body: serde_json::Value =
                serde_json::from_str(out.split_once("\r\n\r\n").map_or("", |(_, b)| b))
                    .expect("JSON");
            assert_eq!(body["status"].to_string(), status[..3]);
            assert!(body["detail"].is_string(), "{body}");
        }
    }

    #[test]
    fn anything_else_is_left_alone() {
        for raw in [
            // The app's own responses carry x-request-id.
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-request-id: r\r\ndate: x\r\n\r\n",
            // A body, or another status.
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\ndate: x\r\n\r\n{}",
            "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\ndate: x\r\n\r\n",
            "HTTP/1.1 200 OK\r\ncontent-length: 0\r\ndate: x\r\n\r\n",
            // A pipelined response before the error.
            "HTTP/1.1 200 OK\r\ncontent-length: 0\r\ndate: x\r\n\r\nHTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: x\r\n\r\n",
            // Part of a head.
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
            "",
        ] {
            assert!(rewritten(raw).is_none(), "{raw:?}");
        }
    }
}
