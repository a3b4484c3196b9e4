//! Two servers, one PostgreSQL database: two processes of the `empower` binary with one signing
//! secret and one files directory, requests alternating between them. Nothing a request relies
//! on may live in one process's memory: login throttling, idempotency keys, ETags, the change
//! feed's order, tokens and the cached public results all hold across both. (There are no
//! webhooks to deliver.) PostgreSQL only: a SQLite file is one machine's, and the test says so
//! when it skips.

mod change_feed;
mod etags;
mod idempotency;
mod public_results;
mod throttling;
mod tokens;

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Reply, TestDb};

const JWT_SECRET: &str = "one-secret-for-both-servers-at-least-32-bytes";

/// One `empower serve` process; killed when dropped.
struct Instance {
    child: Child,
    address: String,
    log: Arc<Mutex<String>>,
}

impl Instance {
    /// Starts `empower serve` on `db`, on a port of its choosing (read from its log).
    async fn start(db: &TestDb) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_empower"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("EMPOWER_DATABASE_URL", db.url())
            .env("EMPOWER_FILES_DIR", db.files_dir())
            .env("EMPOWER_BIND", "127.0.0.1:0")
            .env("EMPOWER_JWT_SECRET", JWT_SECRET)
            .env("EMPOWER_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("EMPOWER_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "warn,empower_api::startup=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (port_tx, port_rx) = std::sync::mpsc::channel::<u16>();
        {
            let log = log.clone();
            // Reads the log to its end, so the server never blocks on a full pipe.
            std::thread::spawn(move || {
                use std::io::BufRead;
                for line in std::io::BufReader::new(stderr)
                    .lines()
                    .map_while(Result::ok)
                {
                    if let Some(port) = line
                        .split("listening on http://127.0.0.1:")
                        .nth(1)
                        .and_then(|rest| rest.split('/').next())
                        .and_then(|p| p.parse::<u16>().ok())
                    {
                        let _ = port_tx.send(port);
                    }
                    if let Ok(mut log) = log.lock() {
                        log.push_str(&line);
                        log.push('\n');
                    }
                }
            });
        }
        let port = port_rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                panic!(
                    "the server reports its port: {}",
                    log.lock().map(|l| l.clone()).unwrap_or_default()
                )
            });
        let address = format!("http://127.0.0.1:{port}");
        let instance = Self {
            child,
            address,
            log,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = client
                .get(format!("{}/health/ready", instance.address))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ready {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the server became ready: {}",
                instance.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        instance
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two servers on one PostgreSQL database, and a client.
pub(super) struct Pair {
    servers: [Instance; 2],
    client: reqwest::Client,
    // Last: the database is dropped after both servers stopped.
    _db: TestDb,
}

impl Pair {
    /// Both servers, or `None` (with a notice) on SQLite.
    async fn start(test: &str) -> Option<Self> {
        let db = TestDb::new().await;
        if !db.is_postgres() {
            eprintln!(
                "skipped {test}: two servers share a PostgreSQL database; set TEST_DATABASE_URL to run it"
            );
            return None;
        }
        // One after the other: the first migrates and creates the admin.
        let first = Instance::start(&db).await;
        let second = Instance::start(&db).await;
        Some(Self {
            servers: [first, second],
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            _db: db,
        })
    }

    /// The address of server `i` (0 or 1; larger numbers alternate).
    fn address(&self, i: usize) -> &str {
        &self.servers[i % 2].address
    }

    /// A request to server `i`.
    fn request(&self, i: usize, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.address(i)))
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request sent");
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.expect("body read"),
        }
    }

    async fn get(&self, i: usize, token: &str, path: &str) -> Reply {
        self.send(self.request(i, Method::GET, path).bearer_auth(token))
            .await
    }

    async fn get_ok(&self, i: usize, token: &str, path: &str) -> Value {
        let reply = self.get(i, token, path).await;
        assert_eq!(
            reply.status, 200,
            "GET {path} on server {i}: {}",
            reply.text
        );
        reply.json()
    }

    async fn post(&self, i: usize, token: Option<&str>, path: &str, body: Value) -> Reply {
        let request = self.request(i, Method::POST, path).json(&body);
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        self.send(request).await
    }

    async fn created(&self, i: usize, token: &str, path: &str, body: Value) -> Value {
        let reply = self.post(i, Some(token), path, body).await;
        assert_eq!(
            reply.status, 201,
            "POST {path} on server {i}: {}",
            reply.text
        );
        reply.json()
    }

    async fn patch(
        &self,
        i: usize,
        token: &str,
        path: &str,
        body: Value,
        if_match: Option<&str>,
    ) -> Reply {
        let request = self
            .request(i, Method::PATCH, path)
            .bearer_auth(token)
            .header("Content-Type", "application/merge-patch+json")
            .body(body.to_string());
        let request = match if_match {
            Some(tag) => request.header("If-Match", tag),
            None => request,
        };
        self.send(request).await
    }

    async fn login(&self, i: usize, email: &str, password: &str) -> Reply {
        self.post(
            i,
            None,
            "/api/v1/auth/login",
            json!({"email": email, "password": password}),
        )
        .await
    }

    /// Logs in on server `i`; returns the token response.
    async fn logged_in(&self, i: usize, email: &str, password: &str) -> Value {
        let reply = self.login(i, email, password).await;
        assert_eq!(reply.status, 200, "login on server {i}: {}", reply.text);
        reply.json()
    }

    async fn admin(&self) -> String {
        self.logged_in(0, ADMIN_EMAIL, ADMIN_PASSWORD).await["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// A new user with `role`, created on server `i`: its id, email and password.
    async fn user(&self, i: usize, admin: &str, role: &str) -> (String, String, String) {
        let email = format!(
            "{role}-{}@test.empower.local",
            uuid::Uuid::now_v7().simple()
        );
        let password = "a-test-password-long-enough".to_owned();
        let user = self
            .created(
                i,
                admin,
                "/api/v1/users",
                json!({"email": email, "display_name": "Two servers", "role": role, "password": password}),
            )
            .await;
        (user["id"].as_str().expect("id").to_owned(), email, password)
    }
}

pub(super) fn association(name: &str) -> Value {
    json!({"name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"]})
}

pub(super) fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("items")
}
