//! Webhooks end to end, with receivers on loopback (no test connects anywhere else): signatures
//! checked by an implementation of our own, order, retries, a crash, two workers, isolation,
//! and the addresses refused.

mod crash;
mod delivery;
mod subscriptions;
mod workers;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::helpers::{TestApp, TestDb, test_settings};

/// Settings of a worker fast enough for tests: 2 s per attempt, retries 100 ms apart (doubling),
/// polling every 20 ms.
pub fn fast_worker() -> empower_api::settings::WebhookSettings {
    empower_api::settings::WebhookSettings {
        worker: true,
        timeout: Duration::from_secs(2),
        retry_base: Duration::from_millis(100),
        poll: Duration::from_millis(20),
        allowed_networks: vec![],
    }
}

/// A server whose own worker sends, over a fresh database.
pub async fn app_with_worker() -> TestApp {
    let db = TestDb::new().await;
    let mut settings = test_settings(&db);
    settings.webhooks = fast_worker();
    TestApp::spawn_with(settings, db).await
}

/// One request a receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The status it was answered (0: not answered).
    pub answered: u16,
}

impl Received {
    /// A header's value, or "".
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

#[derive(Debug, Default)]
struct Script {
    received: Vec<Received>,
    /// Statuses to answer next, in order; then `then`.
    next: VecDeque<u16>,
    then: u16,
    /// Never answer (a receiver that hangs).
    hang: bool,
    /// Wait this long before answering.
    delay: Duration,
}

/// A webhook receiver on loopback that records what it gets and answers as scripted.
#[derive(Debug, Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:PORT/hook`.
    pub url: String,
    script: Arc<Mutex<Script>>,
}

impl Receiver {
    /// Starts a receiver answering 204.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("address"));
        let script = Arc::new(Mutex::new(Script {
            then: 204,
            ..Script::default()
        }));
        let shared = Arc::clone(&script);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&shared)));
            }
        });
        Self { url, script }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Script) -> T) -> T {
        f(&mut self.script.lock().expect("script"))
    }

    /// Answers these statuses first, then 204.
    pub fn answer(&self, statuses: &[u16]) {
        self.with(|s| s.next.extend(statuses));
    }

    /// Answers this status from now on.
    pub fn always(&self, status: u16) {
        self.with(|s| {
            s.next.clear();
            s.then = status;
        });
    }

    /// Stops answering (requests hang) or answers again.
    pub fn hang(&self, hang: bool) {
        self.with(|s| s.hang = hang);
    }

    /// Waits this long before each answer.
    pub fn delay(&self, delay: Duration) {
        self.with(|s| s.delay = delay);
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.with(|s| s.received.clone())
    }

    /// Waits until `done` holds of what was received (at most `within`).
    pub async fn wait_until(
        &self,
        within: Duration,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "the receiver did not get what was expected within {within:?}; it got: {:#?}",
                received
                    .iter()
                    .map(|r| (r.answered, String::from_utf8_lossy(&r.body).into_owned()))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn serve(mut stream: tokio::net::TcpStream, script: Arc<Mutex<Script>>) {
    let mut buffer = Vec::new();
    loop {
        // The head.
        let head_end = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            let mut chunk = [0_u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        let headers: HashMap<String, String> = head
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        while buffer.len() < head_end + length {
            let mut chunk = [0_u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buffer[head_end..head_end + length].to_vec();
        buffer.drain(..head_end + length);
        let (status, hang, delay, index) = {
            let mut s = script.lock().expect("script");
            let status = if s.hang {
                0
            } else {
                s.next.pop_front().unwrap_or(s.then)
            };
            s.received.push(Received {
                headers,
                body,
                answered: status,
            });
            (status, s.hang, s.delay, s.received.len() - 1)
        };
        let _ = index;
        if hang {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        }
        tokio::time::sleep(delay).await;
        let response = format!("HTTP/1.1 {status} Scripted\r\ncontent-length: 0\r\n\r\n");
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// HMAC-SHA256 written from RFC 2104 over `sha2`, independent of the `hmac` crate the server
/// signs with.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0_u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// Checks a request's Standard Webhooks signature with `secret` (`whsec_...`), as a receiver
/// would: some `v1,` entry of `webhook-signature` is the HMAC of `id.timestamp.body`, and the
/// timestamp is within five minutes.
pub fn verifies(received: &Received, secret: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
        .expect("base64");
    let timestamp = received.header("webhook-timestamp");
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() <= 300);
    let mut signed = format!("{}.{timestamp}.", received.header("webhook-id")).into_bytes();
    signed.extend_from_slice(&received.body);
    let expected = format!("v1,{}", STANDARD.encode(hmac_sha256(&key, &signed)));
    fresh
        && received
            .header("webhook-signature")
            .split(' ')
            .any(|s| s == expected)
}

#[test]
fn our_own_hmac_signs_the_standard_webhooks_test_vector() {
    let key = STANDARD
        .decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        .expect("base64");
    let signed = br#"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}"#;
    assert_eq!(
        STANDARD.encode(hmac_sha256(&key, signed)),
        "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
}

/// An API client (optionally bound) with `scopes` plus `webhooks:manage`: its id and token.
pub async fn client(
    app: &TestApp,
    admin: &str,
    scopes: &[&str],
    association: Option<&str>,
) -> (String, String) {
    let mut all: Vec<&str> = scopes.to_vec();
    all.push("webhooks:manage");
    let token = app.client_token(admin, &all, association).await;
    let clients = app
        .get_as(admin, "/api/v1/api-clients?limit=200")
        .await
        .json();
    let id = clients["items"]
        .as_array()
        .and_then(|items| items.last())
        .and_then(|c| c["id"].as_str())
        .expect("the client just created")
        .to_owned();
    (id, token)
}

/// Subscribes with `token` (a client's own) to `url` for `event_types`: the subscription.
pub async fn subscribe(app: &TestApp, token: &str, url: &str, event_types: &[&str]) -> Value {
    let reply = app
        .post_json(
            Some(token),
            "/api/v1/webhooks",
            json!({"url": url, "event_types": event_types, "description": "Test receiver"}),
        )
        .await;
    assert_eq!(reply.status, 201, "subscribe: {}", reply.text);
    reply.json()
}

/// A subscription of a client bound to `association` (made by `admin`), and a ping of it: the
/// subscription's and the ping delivery's ids. Nothing is sent (the app's worker is off).
pub async fn subscribed_and_pinged(
    app: &TestApp,
    admin: &str,
    association: &str,
) -> (String, String) {
    let (client_id, _) = client(app, admin, &["associations:read"], Some(association)).await;
    let reply = app
        .post_json(
            Some(admin),
            "/api/v1/webhooks",
            json!({"api_client_id": client_id, "url": "http://127.0.0.1:9/walk", "event_types": ["*"]}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let webhook = reply.json()["id"].as_str().expect("id").to_owned();
    let ping = app
        .write_as(
            reqwest::Method::POST,
            admin,
            &format!("/api/v1/webhooks/{webhook}/ping"),
            None,
            None,
        )
        .await;
    assert_eq!(ping.status, 202, "{}", ping.text);
    (webhook, ping.json()["id"].as_str().expect("id").to_owned())
}

/// Reads `path` as `token` until `done` holds of its body (at most 10 s): the last body.
pub async fn read_until(
    app: &TestApp,
    token: &str,
    path: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = app.get_as(token, path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        let body = reply.json();
        if done(&body) || Instant::now() >= deadline {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A subscription's deliveries, newest first, once `done` holds of them (at most 10 s).
pub async fn deliveries_until(
    app: &TestApp,
    token: &str,
    webhook: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let path = format!("/api/v1/webhooks/{webhook}/deliveries?limit=200");
    let items = |body: &Value| body["items"].as_array().cloned().unwrap_or_default();
    items(&read_until(app, token, &path, |body| done(&items(body))).await)
}

/// A subscription's deliveries, newest first.
pub async fn deliveries(app: &TestApp, token: &str, webhook: &str) -> Vec<Value> {
    let reply = app
        .get_as(
            token,
            &format!("/api/v1/webhooks/{webhook}/deliveries?limit=200"),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}
