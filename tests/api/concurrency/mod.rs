//! Every check-then-write is one atomic step: of N parallel requests that depend on the same
//! state, exactly one wins and the others are refused cleanly (412, 409, 404 or 429), never a
//! 500, never two winners, never a lost update. Meaningful on PostgreSQL above all, where
//! requests really run side by side (SQLite serialises writers).

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Reply, TestApp};

/// Parallel requests per race.
const N: usize = 20;

/// One request of a race.
struct Shot {
    method: Method,
    path: String,
    token: Option<String>,
    body: Option<(&'static str, Value)>,
    raw: Option<(String, Vec<u8>)>,
    if_match: Option<String>,
}

impl Shot {
    fn new(method: Method, path: &str, token: Option<&str>) -> Self {
        Self {
            method,
            path: path.to_owned(),
            token: token.map(str::to_owned),
            body: None,
            raw: None,
            if_match: None,
        }
    }

    /// A body of another type than JSON (a form upload).
    fn raw(mut self, content_type: String, body: Vec<u8>) -> Self {
        self.raw = Some((content_type, body));
        self
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Some(("application/json", body));
        self
    }

    fn merge(mut self, body: Value) -> Self {
        self.body = Some(("application/merge-patch+json", body));
        self
    }

    fn if_match(mut self, tag: &str) -> Self {
        self.if_match = Some(tag.to_owned());
        self
    }
}

/// Sends every shot at once, each from its own task, and returns the replies in shot order.
/// Requests are built before any is sent, so they start as close together as possible.
async fn fire(app: &TestApp, shots: Vec<Shot>) -> Vec<Reply> {
    let mut requests = Vec::with_capacity(shots.len());
    for shot in shots {
        let mut request = app
            .client
            .request(shot.method, format!("{}{}", app.address, shot.path));
        if let Some(token) = &shot.token {
            request = request.bearer_auth(token);
        }
        if let Some((content_type, body)) = &shot.body {
            request = request
                .header("Content-Type", *content_type)
                .body(body.to_string());
        }
        if let Some((content_type, body)) = shot.raw {
            request = request.header("Content-Type", content_type).body(body);
        }
        if let Some(tag) = &shot.if_match {
            request = request.header("If-Match", tag.as_str());
        }
        requests.push(request.build().expect("request builds"));
    }
    let handles: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let client = app.client.clone();
            tokio::spawn(async move {
                let response = client.execute(request).await.expect("request sent");
                Reply {
                    status: response.status().as_u16(),
                    headers: response.headers().clone(),
                    text: response.text().await.expect("body read"),
                }
            })
        })
        .collect();
    let mut replies = Vec::with_capacity(handles.len());
    for handle in handles {
        replies.push(handle.await.expect("request task"));
    }
    replies
}

fn statuses(replies: &[Reply]) -> Vec<u16> {
    replies.iter().map(|r| r.status).collect()
}

/// Asserts that exactly one reply has status `won` and that every other is one of the
/// `refusals` (a problem with that status and code); returns the winner's index.
fn one_winner(replies: &[Reply], won: u16, refusals: &[(u16, &str)]) -> usize {
    let all = statuses(replies);
    assert!(
        replies.iter().all(|r| r.status < 500),
        "no request may fail with a server error: {all:?}\n{}",
        replies
            .iter()
            .filter(|r| r.status >= 500)
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let winners: Vec<usize> = (0..replies.len())
        .filter(|&i| replies[i].status == won)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one {won}; statuses: {all:?}");
    for reply in replies.iter().filter(|r| r.status != won) {
        let given = serde_json::from_str::<Value>(&reply.text).unwrap_or_default();
        let (status, code) = refusals
            .iter()
            .find(|(s, c)| *s == reply.status && given["code"] == *c)
            .unwrap_or_else(|| {
                panic!(
                    "a loser got {} (expected one of {refusals:?}): {}; statuses: {all:?}",
                    reply.status, reply.text
                )
            });
        reply.assert_problem(*status, code);
    }
    winners[0]
}

/// The feed rows of one resource, as (op, version), in feed order, as the admin sees them.
async fn feed_rows(app: &TestApp, admin: &str, kind: &str, id: &str) -> Vec<(String, i64)> {
    let reply = app
        .get_as(admin, &format!("/api/v1/changes?types={kind}&limit=200"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["id"] == id)
        .map(|i| {
            (
                i["op"].as_str().expect("op").to_owned(),
                i["version"].as_i64().expect("version"),
            )
        })
        .collect()
}

fn upserts(versions: std::ops::RangeInclusive<i64>) -> Vec<(String, i64)> {
    versions.map(|v| ("upsert".to_owned(), v)).collect()
}

async fn get_ok(app: &TestApp, token: &str, path: &str) -> Value {
    let reply = app.get_as(token, path).await;
    assert_eq!(reply.status, 200, "GET {path}: {}", reply.text);
    reply.json()
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let reply = app.post_json(Some(token), path, body).await;
    assert_eq!(reply.status, 201, "POST {path}: {}", reply.text);
    reply.json()
}

fn association_body(name: &str) -> Value {
    json!({"name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"]})
}

const STALE: &[(u16, &str)] = &[(412, "precondition_failed")];

/// N merge patches of the record at `path`, all holding version 1, each setting `field` to
/// `value(i)`: exactly one wins, its value is stored at version 2, and the feed (type `kind`)
/// holds the create and one update.
async fn patch_race(
    app: &TestApp,
    admin: &str,
    kind: &str,
    path: &str,
    field: &str,
    value: impl Fn(usize) -> Value,
) {
    let shots = (0..N)
        .map(|i| {
            Shot::new(Method::PATCH, path, Some(admin))
                .merge(json!({ field: value(i) }))
                .if_match("\"1\"")
        })
        .collect();
    let replies = fire(app, shots).await;
    let winner = one_winner(&replies, 200, STALE);
    assert_eq!(replies[winner].header("etag"), "\"2\"");
    assert_eq!(replies[winner].json()[field], value(winner));

    let now = get_ok(app, admin, path).await;
    assert_eq!(now["version"], 2);
    assert_eq!(now[field], value(winner), "the winner's value is stored");
    let id = path.rsplit('/').next().expect("id");
    assert_eq!(
        feed_rows(app, admin, kind, id).await,
        upserts(1..=2),
        "create and one update"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_patches_of_one_association_version_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_association(&admin, "Race Patch").await;
    let path = format!("/api/v1/associations/{id}");
    patch_race(&app, &admin, "association", &path, "member_count", |i| {
        json!(i)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_replacements_of_one_association_version_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_association(&admin, "Race Put").await;
    let path = format!("/api/v1/associations/{id}");
    let shots = (0..N)
        .map(|i| {
            let mut body = association_body("Race Put");
            body["member_count"] = i.into();
            Shot::new(Method::PUT, &path, Some(&admin))
                .json(body)
                .if_match("\"1\"")
        })
        .collect();
    let replies = fire(&app, shots).await;
    let winner = one_winner(&replies, 200, STALE);
    assert_eq!(replies[winner].json()["member_count"], winner);

    let now = get_ok(&app, &admin, &path).await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["member_count"], winner);
    assert_eq!(
        feed_rows(&app, &admin, "association", &id).await,
        upserts(1..=2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_patches_of_one_person_version_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = app.create_association(&admin, "Race People").await;
    let person = created(
        &app,
        &admin,
        &format!("/api/v1/associations/{association}/people"),
        json!({"first_name": "Awa", "last_name": "Diallo", "gender": "female"}),
    )
    .await;
    let path = format!("/api/v1/people/{}", person["id"].as_str().expect("id"));
    patch_race(&app, &admin, "person", &path, "role_in_association", |i| {
        json!(format!("role {i}"))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_patches_of_one_funding_application_version_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = app.create_association(&admin, "Race Funding").await;
    let application = created(
        &app,
        &admin,
        &format!("/api/v1/associations/{association}/funding-applications"),
        json!({
            "call_title": "Diaspora initiatives 2026", "funder": "Demo Foundation",
            "amount_requested": "12500.00", "status": "draft"
        }),
    )
    .await;
    let path = format!(
        "/api/v1/funding-applications/{}",
        application["id"].as_str().expect("id")
    );
    patch_race(&app, &admin, "funding_application", &path, "funder", |i| {
        json!(format!("Funder {i}"))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_patches_of_one_user_version_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, _, _) = app.create_user(&admin, "viewer").await;
    let path = format!("/api/v1/users/{id}");
    let before = app.get_as(&admin, &path).await;
    assert_eq!(before.status, 200, "{}", before.text);
    let tag = before.header("etag").to_owned();
    let version = before.json()["version"].as_i64().expect("version");
    assert_eq!(tag, format!("\"{version}\""));
    let shots = (0..N)
        .map(|i| {
            Shot::new(Method::PATCH, &path, Some(&admin))
                .merge(json!({"display_name": format!("Name {i}")}))
                .if_match(&tag)
        })
        .collect();
    let replies = fire(&app, shots).await;
    let winner = one_winner(&replies, 200, STALE);

    let now = get_ok(&app, &admin, &path).await;
    assert_eq!(now["version"], version + 1);
    assert_eq!(now["display_name"], format!("Name {winner}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_deletes_of_one_association_version_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_association(&admin, "Race Delete").await;
    let path = format!("/api/v1/associations/{id}");
    let shots = (0..N)
        .map(|_| Shot::new(Method::DELETE, &path, Some(&admin)).if_match("\"1\""))
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(
        &replies,
        204,
        &[(412, "precondition_failed"), (404, "not_found")],
    );

    app.get_as(&admin, &path)
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        feed_rows(&app, &admin, "association", &id).await,
        [("upsert".to_owned(), 1), ("delete".to_owned(), 2)],
        "create and one tombstone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_transitions_from_one_status_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_association(&admin, "Race Transition").await;
    let path = format!("/api/v1/associations/{id}/transitions");
    let shots = (0..N)
        .map(|i| {
            Shot::new(Method::POST, &path, Some(&admin))
                .json(json!({"to": "shortlisted", "reason": format!("Reason {i}")}))
        })
        .collect();
    let replies = fire(&app, shots).await;
    let winner = one_winner(&replies, 201, &[(409, "illegal_transition")]);
    for reply in replies.iter().filter(|r| r.status == 409) {
        assert_eq!(
            reply.json()["allowed"],
            json!(["selected", "rejected", "withdrawn"]),
            "the losers find the status moved to shortlisted"
        );
    }

    let listed = get_ok(&app, &admin, &path).await;
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "exactly one transition recorded: {listed}");
    assert_eq!(items[0]["from"], "applicant");
    assert_eq!(items[0]["to"], "shortlisted");
    assert_eq!(items[0]["reason"], format!("Reason {winner}"));
    let now = get_ok(&app, &admin, &format!("/api/v1/associations/{id}")).await;
    assert_eq!(now["status"], "shortlisted");
    assert_eq!(now["version"], 2);
    assert_eq!(
        feed_rows(&app, &admin, "association", &id).await,
        upserts(1..=2),
        "create and one transition"
    );
    let audit = get_ok(
        &app,
        &admin,
        &format!("/api/v1/audit-log?action=association.transitioned&target_id={id}"),
    )
    .await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_patches_of_different_fields_lose_no_update() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_association(&admin, "Race Fields").await;
    let path = format!("/api/v1/associations/{id}");
    // Even shots set the acronym, odd ones the member count.
    let set = |i: usize| -> (&'static str, Value) {
        if i.is_multiple_of(2) {
            ("acronym", json!(format!("A{i}")))
        } else {
            ("member_count", json!(i))
        }
    };
    let shots = (0..N)
        .map(|i| {
            let (field, value) = set(i);
            Shot::new(Method::PATCH, &path, Some(&admin)).merge(json!({ field: value }))
        })
        .collect();
    let replies = fire(&app, shots).await;
    let all = statuses(&replies);
    for reply in &replies {
        assert_eq!(
            reply.status, 200,
            "every patch applies: {all:?}; {}",
            reply.text
        );
    }

    // Each write saw the one before it: ordered by the versions they produced, the replies
    // show every earlier patch's field, and the versions are 2..=21, each once.
    let mut by_version: BTreeMap<i64, (usize, Value)> = BTreeMap::new();
    for (i, reply) in replies.iter().enumerate() {
        let body = reply.json();
        let version = body["version"].as_i64().expect("version");
        assert_eq!(reply.header("etag"), format!("\"{version}\""));
        assert!(
            by_version.insert(version, (i, body)).is_none(),
            "version {version} produced twice"
        );
    }
    let produced: Vec<i64> = by_version.keys().copied().collect();
    let expected_versions: Vec<i64> = (2..=N as i64 + 1).collect();
    assert_eq!(produced, expected_versions);
    let mut state = json!({"acronym": null, "member_count": null});
    for (version, (i, body)) in &by_version {
        let (field, value) = set(*i);
        state[field] = value;
        assert_eq!(
            (&body["acronym"], &body["member_count"]),
            (&state["acronym"], &state["member_count"]),
            "version {version} (patch {i}) lost an earlier update"
        );
    }
    let now = get_ok(&app, &admin, &path).await;
    assert_eq!(now["version"], N as i64 + 1);
    assert_eq!(now["acronym"], state["acronym"], "the last acronym set");
    assert_eq!(
        now["member_count"], state["member_count"],
        "the last member count set"
    );
    assert_eq!(
        feed_rows(&app, &admin, "association", &id).await,
        upserts(1..=N as i64 + 1),
        "one feed row per write"
    );
}

fn login_body(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_storm_of_wrong_passwords_gets_at_most_the_limit_checked() {
    let app = TestApp::spawn().await;
    // The admin logs in before the storm (the address is throttled too) and keeps the token.
    let admin = app.admin_token().await;
    let (user_id, email, password) = app.create_user(&admin, "viewer").await;
    // Only wrong passwords in the storm: a correct one checked in its midst would rightly reset
    // the account's count (a success forgets its failures), and the guesses after it would be
    // checked again. That the right password is refused once the account is locked is asserted
    // after the storm; parallel correct logins have a test of their own.
    let shots: Vec<Shot> = (0..60)
        .map(|i| {
            Shot::new(Method::POST, "/api/v1/auth/login", None)
                .json(login_body(&email, &format!("wrong-password-{i}")))
        })
        .collect();
    let replies = fire(&app, shots).await;
    let all = statuses(&replies);
    let mut checked = 0;
    let mut failed = 0;
    let mut throttled = 0;
    for reply in &replies {
        match reply.status {
            200 => checked += 1,
            401 => {
                reply.assert_problem(401, "invalid_credentials");
                checked += 1;
                failed += 1;
            }
            429 => {
                reply.assert_problem(429, "too_many_requests");
                let retry = reply.header("retry-after");
                assert!(
                    retry.parse::<u64>().is_ok_and(|s| s >= 1),
                    "429 carries Retry-After in seconds, got {retry:?}"
                );
                throttled += 1;
            }
            other => panic!(
                "a login answers 200, 401 or 429, never {other}: {}; statuses: {all:?}",
                reply.text
            ),
        }
    }
    assert!(
        (1..=5).contains(&checked),
        "at most 5 attempts (the account limit) were checked, got {checked}: {all:?}"
    );
    assert_eq!(throttled, replies.len() - checked, "{all:?}");
    if failed == 5 {
        let locked = app
            .post_json(None, "/api/v1/auth/login", login_body(&email, &password))
            .await;
        locked.assert_problem(429, "too_many_requests");
        throttled += 1;
    }

    let log = get_ok(
        &app,
        &admin,
        &format!("/api/v1/audit-log?action=login.failed&target_id={user_id}&limit=200"),
    )
    .await;
    let logged = log["items"].as_array().map_or(0, Vec::len);
    assert!(logged <= 5, "at most 5 login.failed rows, got {logged}");
    assert_eq!(logged, failed, "one login.failed row per 401");
    let log = get_ok(
        &app,
        &admin,
        &format!("/api/v1/audit-log?action=login.throttled&target_id={user_id}&limit=200"),
    )
    .await;
    assert_eq!(
        log["items"].as_array().map_or(0, Vec::len),
        throttled,
        "one login.throttled row per 429"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_correct_logins_to_one_account_all_succeed() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, email, password) = app.create_user(&admin, "viewer").await;
    let shots = (0..10)
        .map(|_| {
            Shot::new(Method::POST, "/api/v1/auth/login", None).json(login_body(&email, &password))
        })
        .collect();
    let replies = fire(&app, shots).await;
    let all = statuses(&replies);
    for reply in &replies {
        assert_eq!(
            reply.status, 200,
            "every correct login succeeds: {all:?}; {}",
            reply.text
        );
        assert!(reply.json()["access_token"].is_string());
    }
    // And the admin still logs in afterwards: the address was not locked by successes.
    let again = app
        .post_json(
            None,
            "/api/v1/auth/login",
            login_body(ADMIN_EMAIL, ADMIN_PASSWORD),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
}

mod creates;
mod privacy;
mod restitutions;
mod results;
mod training;
mod visibility;
mod webhooks;
