//! Several workers on one database never send a delivery twice at once, and keep each
//! subscription's order (on PostgreSQL they claim with `FOR UPDATE SKIP LOCKED`; on SQLite
//! claims are serialised).

use std::collections::HashMap;
use std::time::Duration;

use empower_domain::webhooks::address::AddressPolicy;
use serde_json::json;

use super::{Receiver, client, fast_worker, subscribe};
use crate::helpers::TestApp;

#[tokio::test]
async fn two_workers_never_send_the_same_delivery_and_keep_the_order() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, token) = client(&app, &admin, &["associations:read"], None).await;
    let mut receivers = Vec::new();
    for _ in 0..3 {
        let receiver = Receiver::start().await;
        // A slow answer widens the window in which another worker could take the same row.
        receiver.delay(Duration::from_millis(30));
        subscribe(&app, &token, &receiver.url, &["association.*"]).await;
        receivers.push(receiver);
    }
    let association = app.create_association(&admin, "Two Workers Circle").await;
    for count in 1..=9 {
        let reply = app
            .patch_as(
                &admin,
                &format!("/api/v1/associations/{association}"),
                json!({"member_count": count}),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let policy = AddressPolicy {
        allow_loopback: true,
        allowed_networks: vec![],
    };
    let mut workers = Vec::new();
    for _ in 0..2 {
        let db = app.connect().await;
        workers.push(
            empower_api::webhooks::Worker::new(db, fast_worker(), policy.clone())
                .expect("a worker")
                .spawn(),
        );
    }
    for receiver in &receivers {
        let received = receiver
            .wait_until(Duration::from_secs(60), |r| r.len() >= 10)
            .await;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for request in &received {
            *seen.entry(request.header("webhook-id")).or_default() += 1;
        }
        assert!(
            seen.values().all(|n| *n == 1),
            "a delivery was sent twice: {seen:?}"
        );
        assert_eq!(seen.len(), 10);
        let seqs: Vec<i64> = received
            .iter()
            .map(|r| r.json()["seq"].as_i64().expect("seq"))
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "order: {seqs:?}");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        receivers.iter().all(|r| r.received().len() == 10),
        "nothing sent again"
    );
    for worker in workers {
        worker.stop().await;
    }
}
