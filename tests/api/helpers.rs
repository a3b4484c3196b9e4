//! `TestApp`: a real server on a random port over a database of its own.

use empower_api::Application;
use empower_api::settings::{Environment, Secret, Settings};
use reqwest::header::HeaderMap;
use serde_json::Value;

/// Admin created on every test database.
pub const ADMIN_EMAIL: &str = "admin@test.empower.local";
/// That admin's password.
pub const ADMIN_PASSWORD: &str = "test-admin-password-123";

/// A database that exists for one test and is removed afterwards.
pub enum TestDb {
    /// A SQLite file in a temporary directory.
    Sqlite {
        url: String,
        _dir: tempfile::TempDir,
    },
    /// A PostgreSQL database created from `TEST_DATABASE_URL`, with a directory for files.
    Postgres {
        url: String,
        admin_url: String,
        name: String,
        files: tempfile::TempDir,
    },
}

impl TestDb {
    /// A fresh, empty database on the backend under test.
    pub async fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("empower_test_{}", uuid::Uuid::now_v7().simple());
                let admin = sea_orm::Database::connect(&admin_url)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                use sea_orm::ConnectionTrait;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(base, _)| base)
                    .expect("TEST_DATABASE_URL ends in /dbname");
                Self::Postgres {
                    url: format!("{base}/{name}"),
                    admin_url,
                    name,
                    files: tempfile::tempdir().expect("temp dir"),
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/empower.db?mode=rwc", dir.path().display());
                Self::Sqlite { url, _dir: dir }
            }
        }
    }

    /// The URL to give the server.
    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }

    /// Where the server keeps uploaded files: beside the SQLite file, or a directory of its own.
    pub fn files_dir(&self) -> std::path::PathBuf {
        match self {
            Self::Sqlite { _dir, .. } => _dir.path().join("files"),
            Self::Postgres { files, .. } => files.path().to_owned(),
        }
    }

    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Self::Postgres {
            admin_url, name, ..
        } = self
        {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs outside async; a short-lived runtime on its own thread does the cleanup.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async {
                        use sea_orm::ConnectionTrait;
                        if let Ok(admin) = sea_orm::Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// Settings for a test server on `db`.
pub fn test_settings(db: &TestDb) -> Settings {
    Settings {
        retention: empower_domain::privacy::RetentionPeriods::default(),
        // Webhook tests start the worker they need (`crate::webhooks`).
        webhooks: empower_api::settings::WebhookSettings {
            worker: false,
            ..Default::default()
        },
        database_url: db.url().to_owned(),
        bind: "127.0.0.1:0".into(),
        jwt_secret: Some(Secret::new("test-secret-that-is-at-least-32-bytes-long")),
        jwt_previous_secrets: vec![],
        admin_email: Some(ADMIN_EMAIL.into()),
        admin_password: Some(Secret::new(ADMIN_PASSWORD)),
        cors_origins: vec![],
        environment: Environment::Development,
        files_dir: db.files_dir(),
        iati: empower_api::settings::Iati {
            org_ref: "XX-EMPOWER-TEST".into(),
            activity_id: "XX-EMPOWER-TEST-ACTIVITY".into(),
        },
    }
}

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// A client without redirects or cookies.
    pub client: reqwest::Client,
    /// The database, removed when the app is dropped.
    db: TestDb,
}

/// A response with its body read.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text))
    }

    /// A header's value, or "" when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an RFC 9457 problem with this status and code, and returns its body.
    pub fn assert_problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(self.header("content-type"), "application/problem+json");
        let body = self.json();
        assert_eq!(body["status"], status);
        assert_eq!(body["code"], code, "body: {body}");
        assert!(body["type"].as_str().is_some_and(|t| t.ends_with(code)));
        assert!(body["title"].is_string());
        assert!(body["instance"].is_string());
        assert_eq!(body["request_id"], self.header("x-request-id"));
        body
    }
}

impl TestApp {
    /// Starts a server on a fresh database.
    pub async fn spawn() -> Self {
        let db = TestDb::new().await;
        Self::spawn_with(test_settings(&db), db).await
    }

    /// Starts a server with these settings over `db`.
    pub async fn spawn_with(settings: Settings, db: TestDb) -> Self {
        let app = Application::build(settings).await.expect("server builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            address,
            client,
            db,
        }
    }

    /// The server's database, to look at what a request stored.
    pub fn db(&self) -> &TestDb {
        &self.db
    }

    /// A connection of the test's own to the server's database.
    pub async fn connect(&self) -> sea_orm::DatabaseConnection {
        empower_domain::db::connect(self.db.url())
            .await
            .expect("connect to the test database")
    }

    /// Sends a request built from `method` and `path` through `build`.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Reply {
        let request = build(
            self.client
                .request(method, format!("{}{path}", self.address)),
        );
        let response = request.send().await.expect("request sent");
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.expect("body read"),
        }
    }

    /// The body of `method path` as bytes (for binary answers such as PDFs).
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Vec<u8> {
        let request = build(
            self.client
                .request(method, format!("{}{path}", self.address)),
        );
        let response = request.send().await.expect("request sent");
        response.bytes().await.expect("body read").to_vec()
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, |r| r).await
    }

    /// `GET path` with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, |r| r.bearer_auth(token))
            .await
    }

    /// `POST path` with a JSON body and, when given, a bearer token.
    pub async fn post_json(&self, token: Option<&str>, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, |r| {
            let r = r.json(&body);
            match token {
                Some(t) => r.bearer_auth(t),
                None => r,
            }
        })
        .await
    }

    /// `PATCH path` with a merge patch, a bearer token and an optional `If-Match`.
    pub async fn patch_as(
        &self,
        token: &str,
        path: &str,
        body: Value,
        if_match: Option<&str>,
    ) -> Reply {
        self.send(reqwest::Method::PATCH, path, |r| {
            let r = r
                .bearer_auth(token)
                .header("Content-Type", "application/merge-patch+json")
                .body(body.to_string());
            match if_match {
                Some(tag) => r.header("If-Match", tag),
                None => r,
            }
        })
        .await
    }

    /// Logs in; panics unless it works. Returns the token response.
    pub async fn login(&self, email: &str, password: &str) -> Value {
        let reply = self
            .post_json(
                None,
                "/api/v1/auth/login",
                serde_json::json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(reply.status, 200, "login as {email}: {}", reply.text);
        reply.json()
    }

    /// An access token of the bootstrap admin.
    pub async fn admin_token(&self) -> String {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// Creates a user with `role` (bound to a random association when the role needs one) and
    /// returns its id, email and password.
    pub async fn create_user(&self, admin: &str, role: &str) -> (String, String, String) {
        let email = format!(
            "{role}-{}@test.empower.local",
            uuid::Uuid::now_v7().simple()
        );
        let password = "a-test-password-long-enough".to_owned();
        let mut body = serde_json::json!({
            "email": email, "display_name": format!("Test {role}"), "role": role, "password": password
        });
        if role == "association" {
            body["association_id"] = self
                .create_association(admin, &format!("Home of {email}"))
                .await
                .into();
        }
        let reply = self.post_json(Some(admin), "/api/v1/users", body).await;
        assert_eq!(reply.status, 201, "create {role}: {}", reply.text);
        let id = reply.json()["id"].as_str().expect("id").to_owned();
        (id, email, password)
    }

    /// Creates a de facto association named `name` (from Senegal) as `token`; returns its id.
    pub async fn create_association(&self, token: &str, name: &str) -> String {
        let reply = self
            .post_json(
                Some(token),
                "/api/v1/associations",
                serde_json::json!({"name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"]}),
            )
            .await;
        assert_eq!(reply.status, 201, "create association: {}", reply.text);
        reply.json()["id"].as_str().expect("id").to_owned()
    }

    /// An access token for a new user with `role`.
    pub async fn token_for(&self, admin: &str, role: &str) -> String {
        let (_, email, password) = self.create_user(admin, role).await;
        self.login(&email, &password).await["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// A user with `role` bound to `association_id` (an `association` user): its token.
    pub async fn association_user_token(&self, admin: &str, association_id: &str) -> String {
        let email = format!(
            "member-{}@test.empower.local",
            uuid::Uuid::now_v7().simple()
        );
        let password = "a-test-password-long-enough";
        let reply = self
            .post_json(
                Some(admin),
                "/api/v1/users",
                serde_json::json!({
                    "email": email, "display_name": "Test member", "role": "association",
                    "association_id": association_id, "password": password
                }),
            )
            .await;
        assert_eq!(reply.status, 201, "create association user: {}", reply.text);
        self.login(&email, password).await["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// A client with `scopes`, bound to `association_id` when given: its token.
    pub async fn client_token(
        &self,
        admin: &str,
        scopes: &[&str],
        association_id: Option<&str>,
    ) -> String {
        let mut body = serde_json::json!({"name": "Test partner sync", "scopes": scopes});
        if let Some(id) = association_id {
            body["association_id"] = id.into();
        }
        let reply = self
            .post_json(Some(admin), "/api/v1/api-clients", body)
            .await;
        assert_eq!(reply.status, 201, "create client: {}", reply.text);
        let created = reply.json();
        let token = self
            .client_token_request(
                Some((
                    created["client_id"].as_str().expect("client_id"),
                    created["client_secret"].as_str().expect("secret"),
                )),
                &[("grant_type", "client_credentials")],
            )
            .await;
        assert_eq!(token.status, 200, "client token: {}", token.text);
        token.json()["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// `method path` with a JSON body (when given), a bearer token and an optional `If-Match`.
    pub async fn write_as(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<Value>,
        if_match: Option<&str>,
    ) -> Reply {
        self.send(method, path, |r| {
            let r = r.bearer_auth(token);
            let r = match body {
                Some(b) => r.json(&b),
                None => r,
            };
            match if_match {
                Some(tag) => r.header("If-Match", tag),
                None => r,
            }
        })
        .await
    }

    /// Creates an API client with `scopes`; returns its id, client_id and secret.
    pub async fn create_client(&self, admin: &str, scopes: &[&str]) -> (String, String, String) {
        let reply = self
            .post_json(
                Some(admin),
                "/api/v1/api-clients",
                serde_json::json!({"name": "Test partner sync", "scopes": scopes}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        let body = reply.json();
        (
            body["id"].as_str().expect("id").to_owned(),
            body["client_id"].as_str().expect("client_id").to_owned(),
            body["client_secret"].as_str().expect("secret").to_owned(),
        )
    }

    /// `POST /api/v1/auth/token` with form fields and optional Basic credentials.
    pub async fn client_token_request(
        &self,
        basic: Option<(&str, &str)>,
        form: &[(&str, &str)],
    ) -> Reply {
        let form: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.send(reqwest::Method::POST, "/api/v1/auth/token", |r| {
            let r = r.form(&form);
            match basic {
                Some((id, secret)) => r.basic_auth(id, Some(secret)),
                None => r,
            }
        })
        .await
    }
}
