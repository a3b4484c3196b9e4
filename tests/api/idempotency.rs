//! Idempotency keys that cannot lock a caller out or leak: a short lease for keys whose first
//! request died, the operation's own body limit, authorisation before any store or replay, a
//! replay only to its own caller while still allowed, cache headers kept, and the bearer scheme
//! in any case.

use chrono::{Duration, Utc};
use empower_domain::idempotency::{self, Begin, LEASE};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn association(name: &str) -> Value {
    json!({"name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"]})
}

async fn post_with_key(
    app: &TestApp,
    token: &str,
    key: &str,
    path: &str,
    body: &Value,
) -> crate::helpers::Reply {
    app.send(reqwest::Method::POST, path, |r| {
        r.bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body)
    })
    .await
}

#[tokio::test]
async fn a_key_whose_first_request_died_is_free_again_after_its_lease() {
    let app = TestApp::spawn().await;
    let db = app.connect().await;
    assert_eq!(
        idempotency::begin(&db, "user:1", "k", "hash")
            .await
            .expect("begin"),
        Begin::Fresh
    );
    // The request is still within its lease: busy.
    assert_eq!(
        idempotency::begin(&db, "user:1", "k", "hash")
            .await
            .expect("begin"),
        Begin::InFlight
    );
    // Its process died long ago: the retry takes the key over, once.
    idempotency::Entity::update_many()
        .col_expr(
            idempotency::Column::CreatedAt,
            Expr::value(Utc::now() - LEASE - Duration::seconds(1)),
        )
        .filter(idempotency::Column::Key.eq("k"))
        .exec(&db)
        .await
        .expect("age the key");
    assert_eq!(
        idempotency::begin(&db, "user:1", "k", "hash")
            .await
            .expect("begin"),
        Begin::Fresh
    );
    assert_eq!(
        idempotency::begin(&db, "user:1", "k", "hash")
            .await
            .expect("begin"),
        Begin::InFlight
    );
    // Another body is still another request.
    assert_eq!(
        idempotency::begin(&db, "user:1", "k", "other")
            .await
            .expect("begin"),
        Begin::Mismatch
    );
    db.close().await.ok();
}

#[tokio::test]
async fn a_request_with_a_key_keeps_its_operations_body_limit() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // About 2 MiB of associations: above the default 1 MiB, within the import's 20 MiB.
    let rows: Vec<Value> = (0..9000)
        .map(|i| {
            let mut body = association(&format!("Keyed import {i:05} with a long enough name"));
            body["intervention_regions"] = "Dakar and its region, Thiès, Saint-Louis".into();
            body
        })
        .collect();
    let body = Value::Array(rows);
    assert!(body.to_string().len() > 1024 * 1024);
    let imported = app
        .send(
            reqwest::Method::POST,
            "/api/v1/associations/import?dry_run=true",
            |r| {
                r.bearer_auth(&admin)
                    .header("Idempotency-Key", "big-import")
                    .json(&body)
            },
        )
        .await;
    assert_eq!(
        imported.status,
        200,
        "{}",
        &imported.text[..imported.text.len().min(300)]
    );
    // Anywhere else the default limit holds, key or not.
    let mut big = association("Too Big");
    big["intervention_regions"] = "x".repeat(2 * 1024 * 1024).into();
    post_with_key(&app, &admin, "big-create", "/api/v1/associations", &big)
        .await
        .assert_problem(413, "payload_too_large");
}

#[tokio::test]
async fn a_refused_request_neither_stores_nor_replays() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, email, password) = app.create_user(&admin, "viewer").await;
    let token = app.login(&email, &password).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let body = association("Refused Then Allowed");
    post_with_key(&app, &token, "same-key", "/api/v1/associations", &body)
        .await
        .assert_problem(403, "forbidden");
    // Promoted, the same caller with the same key and body runs for real: the 403 was not kept.
    let promoted = app
        .patch_as(
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"role": "staff"}),
            None,
        )
        .await;
    assert_eq!(promoted.status, 200, "{}", promoted.text);
    let created = post_with_key(&app, &token, "same-key", "/api/v1/associations", &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.header("idempotent-replayed"), "");
    // Demoted again, the replay is refused, not served.
    app.patch_as(
        &admin,
        &format!("/api/v1/users/{id}"),
        json!({"role": "viewer"}),
        None,
    )
    .await;
    post_with_key(&app, &token, "same-key", "/api/v1/associations", &body)
        .await
        .assert_problem(403, "forbidden");
    // Deactivated, 401.
    app.patch_as(
        &admin,
        &format!("/api/v1/users/{id}"),
        json!({"active": false}),
        None,
    )
    .await;
    post_with_key(&app, &token, "same-key", "/api/v1/associations", &body)
        .await
        .assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn a_replay_keeps_its_cache_headers_and_any_bearer_case_works() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_association(&admin, "Replayed People").await;
    let path = format!("/api/v1/associations/{id}/people");
    let person = json!({"first_name": "Awa", "last_name": "Replayed", "gender": "female"});
    let first = post_with_key(&app, &admin, "person-1", &path, &person).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("cache-control"), "no-store");
    let again = post_with_key(&app, &admin, "person-1", &path, &person).await;
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(again.header("cache-control"), "no-store", "personal data");
    assert_eq!(again.text, first.text);
    // `bearer` in lower case is the same scheme: the key applies.
    let lower = app
        .send(reqwest::Method::POST, &path, |r| {
            r.header("Authorization", format!("bearer {admin}"))
                .header("Idempotency-Key", "person-1")
                .json(&person)
        })
        .await;
    assert_eq!(lower.status, 201, "{}", lower.text);
    assert_eq!(lower.header("idempotent-replayed"), "true");
}
