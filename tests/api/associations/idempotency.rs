//! Idempotency keys on creates: replay, another body, per-caller keys, a key still in flight.

use serde_json::{Value, json};

use super::fixtures::body;
use crate::helpers::TestApp;

#[tokio::test]
async fn an_idempotency_key_replays_refuses_other_bodies_and_is_per_caller() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let post = |token: &str, key: &str, body: Value| {
        let (app, token, key) = (&app, token.to_owned(), key.to_owned());
        async move {
            app.send(reqwest::Method::POST, "/api/v1/associations", |r| {
                r.bearer_auth(&token)
                    .header("Idempotency-Key", key)
                    .json(&body)
            })
            .await
        }
    };
    let first = post(&admin, "key-1", body("Idempotent One")).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = post(&admin, "key-1", body("Idempotent One")).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.text, first.text, "the first response, replayed");
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(again.header("idempotent-replayed"), "true");
    let total = app
        .get_as(&admin, "/api/v1/associations?include_total=true")
        .await
        .json();
    assert_eq!(total["total"], 1, "written once");

    post(&admin, "key-1", body("Another Body"))
        .await
        .assert_problem(422, "idempotency_key_reused");
    // Errors are replayed too: the same invalid request gets the same 422.
    let bad = post(&admin, "key-2", json!({"name": "x"})).await;
    assert_eq!(bad.status, 422);
    let mut replayed = post(&admin, "key-2", json!({"name": "x"})).await.json();
    let mut original = bad.json();
    for body in [&mut replayed, &mut original] {
        // Each answer carries its own request's id.
        body.as_object_mut().expect("object").remove("request_id");
    }
    assert_eq!(replayed, original);
    // Keys are per caller.
    let staff = app.token_for(&admin, "staff").await;
    let other = post(&staff, "key-1", body("Staff's Own")).await;
    assert_eq!(other.status, 201, "{}", other.text);
    post(&admin, &"k".repeat(201), body("Too Long Key"))
        .await
        .assert_problem(400, "invalid_parameter");
    // Without valid credentials the key changes nothing: 401.
    post("not-a-token", "key-3", body("Nobody"))
        .await
        .assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn a_key_whose_first_request_still_runs_is_busy() {
    use empower_domain::idempotency::{Begin, abandon, begin, complete};
    let test_db = crate::helpers::TestDb::new().await;
    let db = empower_domain::db::connect(test_db.url())
        .await
        .expect("connect");
    empower_domain::db::migrate_up(&db).await.expect("migrate");
    assert_eq!(
        begin(&db, "user:1", "k", "hash-a").await.expect("begin"),
        Begin::Fresh
    );
    assert_eq!(
        begin(&db, "user:1", "k", "hash-a").await.expect("begin"),
        Begin::InFlight
    );
    assert_eq!(
        begin(&db, "user:1", "k", "hash-b").await.expect("begin"),
        Begin::Mismatch
    );
    complete(&db, "user:1", "k", 201, "{}".into(), "{}".into())
        .await
        .expect("complete");
    assert!(matches!(
        begin(&db, "user:1", "k", "hash-a").await.expect("begin"),
        Begin::Replay { status: 201, .. }
    ));
    abandon(&db, "user:1", "k").await.expect("abandon");
    assert_eq!(
        begin(&db, "user:1", "k", "hash-b").await.expect("begin"),
        Begin::Fresh
    );
    db.close().await.ok();
}
