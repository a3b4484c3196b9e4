//! Webhook races: the per-client limit, a redelivery, and a versioned change, each decided once.

use super::*;
use crate::webhooks::{client, subscribed_and_pinged};

/// Parallel subscriptions of a client one short of its limit: exactly one is created, the
/// others are refused (409 `webhook_limit_reached`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_subscriptions_at_the_limit_have_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, token) = client(&app, &admin, &["associations:read"], None).await;
    let body =
        |i: usize| json!({"url": format!("http://127.0.0.1:9/limit-{i}"), "event_types": ["*"]});
    for i in 0..9 {
        created(&app, &token, "/api/v1/webhooks", body(i)).await;
    }
    let shots = (0..6)
        .map(|i| Shot::new(Method::POST, "/api/v1/webhooks", Some(&token)).json(body(100 + i)))
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 201, &[(409, "webhook_limit_reached")]);
    let listed = get_ok(&app, &token, "/api/v1/webhooks?limit=200").await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(10));
}

/// Parallel redeliveries of one failed delivery: one queues it again, the others find it
/// pending (409 `delivery_pending`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_redeliveries_of_one_delivery_have_one_winner() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = app
        .create_association(&admin, "Redelivery Race Circle")
        .await;
    let (webhook, delivery) = subscribed_and_pinged(&app, &admin, &association).await;
    let conn = app.connect().await;
    conn.execute_unprepared("UPDATE webhook_deliveries SET status = 'failed'")
        .await
        .expect("the ping failed");
    let path = format!("/api/v1/webhooks/{webhook}/deliveries/{delivery}/redeliver");
    let shots = (0..6)
        .map(|_| Shot::new(Method::POST, &path, Some(&admin)))
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 202, &[(409, "delivery_pending")]);
    let now = get_ok(
        &app,
        &admin,
        &format!("/api/v1/webhooks/{webhook}/deliveries/{delivery}"),
    )
    .await;
    assert_eq!(now["status"], "pending");
    assert_eq!(now["version"], 2, "reset once");
}

/// Parallel changes of one subscription version: one wins, the others are stale.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_patches_of_one_subscription_version_have_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, token) = client(&app, &admin, &["associations:read"], None).await;
    let created = created(
        &app,
        &token,
        "/api/v1/webhooks",
        json!({"url": "http://127.0.0.1:9/race", "event_types": ["*"]}),
    )
    .await;
    let path = format!("/api/v1/webhooks/{}", created["id"].as_str().expect("id"));
    let shots = (0..N)
        .map(|i| {
            Shot::new(Method::PATCH, &path, Some(&token))
                .merge(json!({"description": format!("Writer {i}")}))
                .if_match("\"1\"")
        })
        .collect();
    let replies = fire(&app, shots).await;
    let winner = one_winner(&replies, 200, STALE);
    let now = get_ok(&app, &token, &path).await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["description"], format!("Writer {winner}"));
}

/// Parallel secret rotations of one version: one rotates, the others are stale; and parallel
/// deletes of the next version: one deletes, the others find it stale or gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_rotations_and_deletes_of_one_subscription_have_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, token) = client(&app, &admin, &["associations:read"], None).await;
    let created = created(
        &app,
        &token,
        "/api/v1/webhooks",
        json!({"url": "http://127.0.0.1:9/rotate", "event_types": ["*"]}),
    )
    .await;
    let path = format!("/api/v1/webhooks/{}", created["id"].as_str().expect("id"));
    let shots = (0..N)
        .map(|_| {
            Shot::new(Method::POST, &format!("{path}/rotate-secret"), Some(&token))
                .json(json!({"grace_period_hours": 1}))
                .if_match("\"1\"")
        })
        .collect();
    let replies = fire(&app, shots).await;
    let winner = one_winner(&replies, 200, STALE);
    assert_eq!(get_ok(&app, &token, &path).await["version"], 2);
    assert!(replies[winner].json()["secret"].is_string());

    let shots = (0..N)
        .map(|_| Shot::new(Method::DELETE, &path, Some(&token)).if_match("\"2\""))
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(
        &replies,
        204,
        &[(412, "precondition_failed"), (404, "not_found")],
    );
    app.get_as(&token, &path)
        .await
        .assert_problem(404, "not_found");
}
