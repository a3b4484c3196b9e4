//! Two servers, one PostgreSQL database: two processes of the `empower` binary with one signing
//! secret and one files directory, requests alternating between them. Nothing a request relies
//! on may live in one process's memory: login throttling, idempotency keys, ETags, the change
//! feed's order, tokens and the cached public results all hold across both. (There are no
//! webhooks to deliver.) PostgreSQL only: a SQLite file is one machine's, and the test says so
//! when it skips.

use std::collections::{BTreeMap, BTreeSet};
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
struct Pair {
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

fn association(name: &str) -> Value {
    json!({"name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"]})
}

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("items")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_issued_by_one_server_is_accepted_and_revoked_by_the_other() {
    let Some(pair) =
        Pair::start("a_token_issued_by_one_server_is_accepted_and_revoked_by_the_other").await
    else {
        return;
    };
    let admin = pair.admin().await;
    let (user_id, email, password) = pair.user(0, &admin, "viewer").await;

    // An access token from server 0 works on server 1, and the other way round.
    let first = pair.logged_in(0, &email, &password).await;
    let access = first["access_token"].as_str().expect("token");
    assert_eq!(pair.get_ok(1, access, "/api/v1/me").await["id"], user_id);
    let second = pair.logged_in(1, &email, &password).await;
    let other = second["access_token"].as_str().expect("token");
    assert_eq!(pair.get_ok(0, other, "/api/v1/me").await["id"], user_id);

    // A refresh token from server 0 rotates on server 1; its reuse on server 0 is detected
    // and revokes the family, the token server 1 just issued included.
    let refresh = first["refresh_token"].as_str().expect("refresh");
    let rotated = pair
        .post(
            1,
            None,
            "/api/v1/auth/refresh",
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let rotated = rotated.json();
    assert_eq!(
        pair.get_ok(
            0,
            rotated["access_token"].as_str().expect("token"),
            "/api/v1/me"
        )
        .await["id"],
        user_id
    );
    pair.post(
        0,
        None,
        "/api/v1/auth/refresh",
        json!({"refresh_token": refresh}),
    )
    .await
    .assert_problem(401, "invalid_token");
    pair.post(
        1,
        None,
        "/api/v1/auth/refresh",
        json!({"refresh_token": rotated["refresh_token"]}),
    )
    .await
    .assert_problem(401, "invalid_token");

    // Deactivated on server 1: its tokens stop working on server 0 at once.
    let reply = pair
        .patch(
            1,
            &admin,
            &format!("/api/v1/users/{user_id}"),
            json!({"active": false}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(pair.get(0, access, "/api/v1/me").await.status, 401);
    assert_eq!(pair.get(1, other, "/api/v1/me").await.status, 401);

    // An API client's token from server 1 works on server 0 until server 0 revokes the client.
    let client = pair
        .created(
            0,
            &admin,
            "/api/v1/api-clients",
            json!({"name": "Two servers sync", "scopes": ["sync:read", "associations:read"]}),
        )
        .await;
    let token = pair
        .send(
            pair.request(1, Method::POST, "/api/v1/auth/token")
                .basic_auth(
                    client["client_id"].as_str().expect("client_id"),
                    client["client_secret"].as_str(),
                )
                .form(&[("grant_type", "client_credentials")]),
        )
        .await;
    assert_eq!(token.status, 200, "{}", token.text);
    let token = token.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    pair.get_ok(0, &token, "/api/v1/associations").await;
    let reply = pair
        .patch(
            0,
            &admin,
            &format!("/api/v1/api-clients/{}", client["id"].as_str().expect("id")),
            json!({"active": false}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        pair.get(1, &token, "/api/v1/associations").await.status,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn login_failures_on_both_servers_count_towards_one_lock() {
    let Some(pair) = Pair::start("login_failures_on_both_servers_count_towards_one_lock").await
    else {
        return;
    };
    let admin = pair.admin().await;
    let (user_id, email, password) = pair.user(0, &admin, "viewer").await;
    // Five failures (the account limit), alternating: three on server 0, two on server 1.
    for i in 0..5 {
        pair.login(i, &email, &format!("wrong-password-{i}"))
            .await
            .assert_problem(401, "invalid_credentials");
    }
    // Either server now refuses even the right password, at once.
    for i in 0..2 {
        let locked = pair.login(i, &email, &password).await;
        locked.assert_problem(429, "too_many_requests");
        assert!(
            locked
                .header("retry-after")
                .parse::<u64>()
                .is_ok_and(|s| s >= 1),
            "Retry-After: {:?}",
            locked.header("retry-after")
        );
    }
    let failed = pair
        .get_ok(
            1,
            &admin,
            &format!("/api/v1/audit-log?action=login.failed&target_id={user_id}&limit=200"),
        )
        .await;
    assert_eq!(items(&failed).len(), 5, "one login.failed row per 401");

    // A storm of wrong passwords on another account, split over both servers: at most the
    // limit is checked in all.
    let (_, email, _) = pair.user(1, &admin, "viewer").await;
    let shots: Vec<_> = (0..40)
        .map(|i| {
            pair.request(i, Method::POST, "/api/v1/auth/login")
                .json(&json!({"email": email, "password": format!("wrong-password-{i}")}))
                .build()
                .expect("request builds")
        })
        .collect();
    let handles: Vec<_> = shots
        .into_iter()
        .map(|request| {
            let client = pair.client.clone();
            tokio::spawn(async move {
                let response = client.execute(request).await.expect("sent");
                response.status().as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.expect("task"));
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        checked + throttled,
        statuses.len(),
        "401 or 429 only: {statuses:?}"
    );
    assert!(
        (1..=5).contains(&checked),
        "at most the account limit checked across both servers, got {checked}: {statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_idempotency_key_used_on_one_server_replays_on_the_other() {
    let Some(pair) =
        Pair::start("an_idempotency_key_used_on_one_server_replays_on_the_other").await
    else {
        return;
    };
    let admin = pair.admin().await;
    let with_key = |i: usize, key: &str, body: &Value| {
        pair.request(i, Method::POST, "/api/v1/associations")
            .bearer_auth(&admin)
            .header("Idempotency-Key", key)
            .json(body)
    };
    let body = association("Keyed Across Servers");
    let first = pair.send(with_key(0, "two-servers-1", &body)).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("idempotent-replayed"), "");
    let replay = pair.send(with_key(1, "two-servers-1", &body)).await;
    assert_eq!(replay.status, 201, "{}", replay.text);
    assert_eq!(replay.header("idempotent-replayed"), "true");
    assert_eq!(replay.json(), first.json(), "the same body");
    assert_eq!(replay.header("location"), first.header("location"));
    assert_eq!(replay.header("etag"), first.header("etag"));
    pair.send(with_key(1, "two-servers-1", &association("Another Body")))
        .await
        .assert_problem(422, "idempotency_key_reused");
    let listed = pair
        .get_ok(
            1,
            &admin,
            "/api/v1/associations?q=keyed%20across&include_total=true",
        )
        .await;
    assert_eq!(listed["total"], 1, "one record: {listed}");

    // One key sent to both servers at once, ten times: one request runs, the others replay
    // it or find it in flight, and one record is made.
    let body = association("Keyed In Parallel");
    let requests: Vec<_> = (0..10)
        .map(|i| {
            with_key(i, "two-servers-2", &body)
                .build()
                .expect("request builds")
        })
        .collect();
    let handles: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let client = pair.client.clone();
            tokio::spawn(async move {
                let response = client.execute(request).await.expect("sent");
                let replayed = response
                    .headers()
                    .get("idempotent-replayed")
                    .is_some_and(|v| v == "true");
                let status = response.status().as_u16();
                let body: Value = response.json().await.unwrap_or_default();
                (status, replayed, body)
            })
        })
        .collect();
    let mut replies = Vec::new();
    for handle in handles {
        replies.push(handle.await.expect("task"));
    }
    let ran: Vec<_> = replies.iter().filter(|(s, r, _)| *s == 201 && !r).collect();
    assert_eq!(ran.len(), 1, "one request ran: {replies:?}");
    for (status, _, body) in &replies {
        match status {
            // The one that ran, or a replay of it.
            201 => assert_eq!(body, &ran[0].2, "the same body"),
            409 => assert_eq!(body["code"], "idempotency_key_in_flight"),
            _ => panic!("201 or 409 only: {replies:?}"),
        }
    }
    let listed = pair
        .get_ok(
            0,
            &admin,
            "/api/v1/associations?q=keyed%20in%20parallel&include_total=true",
        )
        .await;
    assert_eq!(listed["total"], 1, "one record: {listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stale_etag_from_one_server_is_refused_by_the_other() {
    let Some(pair) = Pair::start("a_stale_etag_from_one_server_is_refused_by_the_other").await
    else {
        return;
    };
    let admin = pair.admin().await;
    let created = pair
        .created(
            0,
            &admin,
            "/api/v1/associations",
            association("Tagged Across Servers"),
        )
        .await;
    let path = format!(
        "/api/v1/associations/{}",
        created["id"].as_str().expect("id")
    );
    let read = pair.get(1, &admin, &path).await;
    assert_eq!(read.header("etag"), "\"1\"");

    let patched = pair
        .patch(0, &admin, &path, json!({"member_count": 10}), Some("\"1\""))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.header("etag"), "\"2\"");
    pair.patch(1, &admin, &path, json!({"member_count": 20}), Some("\"1\""))
        .await
        .assert_problem(412, "precondition_failed");
    let now = pair.get(1, &admin, &path).await;
    assert_eq!(now.header("etag"), "\"2\"");
    assert_eq!(
        now.json()["member_count"],
        10,
        "nothing written by the stale patch"
    );
    for i in 0..2 {
        let fresh = pair
            .send(
                pair.request(i, Method::GET, &path)
                    .bearer_auth(&admin)
                    .header("If-None-Match", "\"2\""),
            )
            .await;
        assert_eq!(fresh.status, 304, "server {i} knows version 2");
    }

    // Twenty patches holding version 2, split over both servers: one wins.
    let requests: Vec<_> = (0..20)
        .map(|i| {
            pair.request(i, Method::PATCH, &path)
                .bearer_auth(&admin)
                .header("Content-Type", "application/merge-patch+json")
                .header("If-Match", "\"2\"")
                .body(json!({"member_count": 100 + i}).to_string())
                .build()
                .expect("request builds")
        })
        .collect();
    let handles: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let client = pair.client.clone();
            tokio::spawn(async move {
                client
                    .execute(request)
                    .await
                    .expect("sent")
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.expect("task"));
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        19,
        "{statuses:?}"
    );
    assert_eq!(pair.get_ok(0, &admin, &path).await["version"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_change_feed_keeps_commit_order_with_writers_on_both_servers() {
    let Some(pair) =
        Pair::start("the_change_feed_keeps_commit_order_with_writers_on_both_servers").await
    else {
        return;
    };
    let admin = pair.admin().await;
    let writers = 8;
    let per_writer = 4;
    let mut handles = Vec::new();
    for w in 0..writers {
        let client = pair.client.clone();
        let addresses = [pair.address(0).to_owned(), pair.address(1).to_owned()];
        let token = admin.clone();
        // Each writer creates associations and patches each twice, its requests alternating
        // between the servers (writer w starts on server w % 2).
        handles.push(tokio::spawn(async move {
            let mut written = Vec::new();
            let mut turn = w;
            for i in 0..per_writer {
                let address = &addresses[turn % 2];
                turn += 1;
                let reply = client
                    .post(format!("{address}/api/v1/associations"))
                    .bearer_auth(&token)
                    .json(&association(&format!("Two Servers {w}-{i}")))
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(reply.status(), 201);
                let created: Value = reply.json().await.expect("json");
                let id = created["id"].as_str().expect("id").to_owned();
                written.push((id.clone(), 1));
                for version in 2..=3 {
                    let address = &addresses[turn % 2];
                    turn += 1;
                    let reply = client
                        .patch(format!("{address}/api/v1/associations/{id}"))
                        .bearer_auth(&token)
                        .header("Content-Type", "application/merge-patch+json")
                        .body(json!({"member_count": version}).to_string())
                        .send()
                        .await
                        .expect("sent");
                    assert_eq!(reply.status(), 200);
                    written.push((id.clone(), version));
                }
            }
            written
        }));
    }
    // A reader polls while they write, alternating servers, then once more after they end.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen: Vec<(i64, String, i64)> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut polls = 0;
    loop {
        assert!(
            Instant::now() < deadline,
            "the writers did not finish in time"
        );
        let finished = handles.iter().all(tokio::task::JoinHandle::is_finished);
        let path = match &cursor {
            Some(c) => format!("/api/v1/changes?limit=7&types=association&cursor={c}"),
            None => "/api/v1/changes?limit=7&types=association".to_owned(),
        };
        let page = pair.get_ok(polls, &admin, &path).await;
        polls += 1;
        for item in items(&page) {
            seen.push((
                item["seq"].as_i64().expect("seq"),
                item["id"].as_str().expect("id").to_owned(),
                item["version"].as_i64().expect("version"),
            ));
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if finished && items(&page).is_empty() {
            break;
        }
        if items(&page).is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let mut written = BTreeSet::new();
    for handle in handles {
        written.extend(handle.await.expect("a writer failed"));
    }
    assert_eq!(written.len(), writers * per_writer * 3);
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "seq strictly increasing: {seen:?}"
    );
    let mut last: BTreeMap<&str, i64> = BTreeMap::new();
    for (seq, id, version) in &seen {
        let before = last.insert(id, *version).unwrap_or(0);
        assert!(
            *version > before,
            "the versions of {id} increase in feed order (seq {seq}: {version} after {before})"
        );
    }
    let seen_set: BTreeSet<(String, i64)> =
        seen.iter().map(|(_, id, v)| (id.clone(), *v)).collect();
    assert_eq!(seen.len(), seen_set.len(), "every change once");
    assert_eq!(seen_set, written, "no change missed");
    assert!(
        polls > 2,
        "the reader polled during the writes ({polls} polls)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_public_results_follow_a_change_made_on_the_other_server() {
    let Some(pair) =
        Pair::start("the_public_results_follow_a_change_made_on_the_other_server").await
    else {
        return;
    };
    let admin = pair.admin().await;
    let manual = pair
        .get_ok(0, &admin, "/api/v1/indicators?source=manual&limit=200")
        .await;
    let oo1 = items(&manual)
        .iter()
        .find(|i| i["code"] == "OO.1")
        .expect("OO.1 is manual")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Each server computes the public results once, and keeps them in its memory until the
    // data changes: a change on the other server must be seen too.
    let actual = |results: &Value| -> Value {
        fn find(results: &[Value]) -> Option<Value> {
            results.iter().find_map(|r| {
                r["indicators"]
                    .as_array()
                    .and_then(|i| i.iter().find(|i| i["code"] == "OO.1"))
                    .map(|i| i["actual"].clone())
                    .or_else(|| find(r["children"].as_array()?))
            })
        }
        find(results["results"].as_array().expect("results")).expect("OO.1 is public")
    };
    for i in 0..2 {
        assert_eq!(
            actual(&pair.get_ok(i, &admin, "/api/v1/public/results").await),
            Value::Null
        );
    }
    for (writer, (start, end, value)) in [
        ("2026-01-01", "2026-03-31", 7),
        ("2026-04-01", "2026-06-30", 9),
    ]
    .into_iter()
    .enumerate()
    {
        pair.created(
            writer,
            &admin,
            &format!("/api/v1/indicators/{oo1}/measurements"),
            json!({"period_start": start, "period_end": end, "value": value,
                   "source": "Two servers", "comment": "Measured."}),
        )
        .await;
        for i in 0..2 {
            let results = pair.get_ok(i, &admin, "/api/v1/public/results").await;
            assert_eq!(
                actual(&results).as_f64(),
                Some(f64::from(value)),
                "server {i} after a measurement recorded on server {writer}"
            );
        }
    }
}
