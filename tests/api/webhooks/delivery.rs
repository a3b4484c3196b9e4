//! Delivery: signed, in order, retried, redelivered, pinged; a rotation signs with both
//! secrets; a subscription failing for three days is disabled.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::{
    Receiver, app_with_worker, client, deliveries, deliveries_until, read_until, subscribe,
    verifies,
};

#[tokio::test]
async fn changes_arrive_signed_and_in_order_and_a_failing_receiver_gets_them_after_retries() {
    let app = app_with_worker().await;
    let admin = app.admin_token().await;
    let (_, token) = client(&app, &admin, &["associations:read"], None).await;
    let receiver = Receiver::start().await;
    // The first three attempts fail: the first change is retried, and the others wait for it.
    receiver.answer(&[500, 503, 500]);
    let created = subscribe(&app, &token, &receiver.url, &["association.*"]).await;
    let secret = created["secret"].as_str().expect("secret").to_owned();
    let webhook = created["id"].as_str().expect("id").to_owned();

    let association = app.create_association(&admin, "Webhook Order Circle").await;
    for count in 1..=4 {
        let reply = app
            .patch_as(
                &admin,
                &format!("/api/v1/associations/{association}"),
                json!({"member_count": 10 + count}),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    // A person is another type: not asked for, not sent.
    let person = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/associations/{association}/people"),
            json!({"first_name": "Awa", "last_name": "Hook", "gender": "female"}),
        )
        .await;
    assert_eq!(person.status, 201, "{}", person.text);

    let received = receiver
        .wait_until(Duration::from_secs(30), |r| {
            r.iter().filter(|r| r.answered == 204).count() >= 5
        })
        .await;
    // Every request verifies with our own HMAC, and with nothing else.
    for request in &received {
        assert!(verifies(request, &secret), "signature: {request:?}");
        assert!(!verifies(request, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        assert_eq!(request.header("content-type"), "application/json");
    }
    // The first change was tried four times (three failures, then accepted) before any other
    // was sent; then the others, in feed order.
    let seqs: Vec<i64> = received
        .iter()
        .map(|r| r.json()["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(&seqs[..4], &[seqs[0]; 4], "{seqs:?}");
    assert_eq!(
        received[..4].iter().map(|r| r.answered).collect::<Vec<_>>(),
        [500, 503, 500, 204]
    );
    let ids: Vec<&str> = received[..4]
        .iter()
        .map(|r| r.header("webhook-id"))
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one message id for every attempt"
    );
    assert!(
        seqs.windows(2).all(|w| w[0] <= w[1]),
        "feed order: {seqs:?}"
    );
    assert_eq!(
        seqs.len(),
        8,
        "five changes, the first sent four times: {seqs:?}"
    );
    for request in &received {
        let body = request.json();
        let mut keys: Vec<&str> = body
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["changed_at", "id", "op", "seq", "type", "version"]);
        assert_eq!(body["type"], "association");
        assert_eq!(body["id"], association.as_str());
    }

    // The log says the same: attempts with their status codes, then delivered (the last
    // attempt may still be being recorded when the receiver has answered it).
    let log = deliveries_until(&app, &token, &webhook, |log| {
        log.iter().all(|d| d["status"] == "delivered")
    })
    .await;
    assert_eq!(log.len(), 5);
    let first = log.last().expect("the oldest");
    assert_eq!(first["status"], "delivered");
    assert_eq!(first["attempt_count"], 4);
    let codes: Vec<i64> = first["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(codes, [500, 503, 500, 204]);
    assert!(first["attempts"][0]["duration_ms"].is_i64());
    assert_eq!(first["id"], ids[0]);
    assert!(log.iter().all(|d| d["status"] == "delivered"));

    // Redelivery: the same message again, at once; a pending one is refused (the receiver
    // hangs, so the first redelivery stays pending).
    let path = format!("/api/v1/webhooks/{webhook}/deliveries/{}", ids[0]);
    receiver.hang(true);
    let again = app
        .write_as(
            Method::POST,
            &token,
            &format!("{path}/redeliver"),
            None,
            None,
        )
        .await;
    assert_eq!(again.status, 202, "{}", again.text);
    assert_eq!(again.header("location"), path);
    assert_eq!(again.json()["attempt_count"], 4, "{}", again.text);
    let received = receiver
        .wait_until(Duration::from_secs(10), |r| r.len() >= 9)
        .await;
    assert_eq!(received[8].header("webhook-id"), ids[0]);
    let pending = app
        .write_as(
            Method::POST,
            &token,
            &format!("{path}/redeliver"),
            None,
            None,
        )
        .await;
    pending.assert_problem(409, "delivery_pending");
}

#[tokio::test]
async fn a_ping_and_a_rotation_sign_with_both_secrets_during_the_grace_period() {
    let app = app_with_worker().await;
    let admin = app.admin_token().await;
    let (_, token) = client(&app, &admin, &["associations:read"], None).await;
    let receiver = Receiver::start().await;
    let created = subscribe(&app, &token, &receiver.url, &["*"]).await;
    let webhook = created["id"].as_str().expect("id").to_owned();
    let old = created["secret"].as_str().expect("secret").to_owned();

    let rotated = app
        .post_json(
            Some(&token),
            &format!("/api/v1/webhooks/{webhook}/rotate-secret"),
            json!({"grace_period_hours": 2}),
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new = rotated.json()["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert_ne!(new, old);
    assert!(rotated.json()["previous_secret_expires_at"].is_string());
    let ping = app
        .write_as(
            Method::POST,
            &token,
            &format!("/api/v1/webhooks/{webhook}/ping"),
            None,
            None,
        )
        .await;
    assert_eq!(ping.status, 202, "{}", ping.text);
    assert_eq!(ping.json()["kind"], "ping");
    let received = receiver
        .wait_until(Duration::from_secs(10), |r| !r.is_empty())
        .await;
    assert_eq!(received[0].json()["type"], "ping");
    assert_eq!(received[0].json()["webhook_id"], webhook.as_str());
    assert!(verifies(&received[0], &new) && verifies(&received[0], &old));
    assert_eq!(
        received[0].header("webhook-signature").split(' ').count(),
        2
    );

    // Without a grace period, the old secret stops signing at once.
    let rotated = app
        .post_json(
            Some(&token),
            &format!("/api/v1/webhooks/{webhook}/rotate-secret"),
            json!({"grace_period_hours": 0}),
        )
        .await;
    let newest = rotated.json()["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    app.write_as(
        Method::POST,
        &token,
        &format!("/api/v1/webhooks/{webhook}/ping"),
        None,
        None,
    )
    .await;
    let received = receiver
        .wait_until(Duration::from_secs(10), |r| r.len() >= 2)
        .await;
    assert!(verifies(&received[1], &newest));
    assert!(!verifies(&received[1], &new) && !verifies(&received[1], &old));

    // A failed ping is not retried.
    receiver.always(500);
    let ping = app
        .write_as(
            Method::POST,
            &token,
            &format!("/api/v1/webhooks/{webhook}/ping"),
            None,
            None,
        )
        .await;
    let location = ping.header("location").to_owned();
    let failed = read_until(&app, &token, &location, |d| d["status"] == "failed").await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["attempt_count"], 1);
    assert_eq!(failed["last_status_code"], 500);
}

#[tokio::test]
async fn a_subscription_failing_for_three_days_is_disabled_and_says_why() {
    use empower_domain::webhooks::entity::webhook;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = app_with_worker().await;
    let admin = app.admin_token().await;
    let (_, token) = client(&app, &admin, &["associations:read"], None).await;
    let receiver = Receiver::start().await;
    receiver.always(503);
    let created = subscribe(&app, &token, &receiver.url, &["association.upsert"]).await;
    let webhook = created["id"].as_str().expect("id").to_owned();
    app.create_association(&admin, "Webhook Failing Circle")
        .await;
    receiver
        .wait_until(Duration::from_secs(10), |r| !r.is_empty())
        .await;
    let path = format!("/api/v1/webhooks/{webhook}");
    let view = read_until(&app, &token, &path, |w| w["failing_since"].is_string()).await;
    assert!(view["failing_since"].is_string(), "{view}");
    assert_eq!(view["active"], true);

    // Three days of failures, as if they had passed: the next failure disables it.
    let three_days_ago = chrono::Utc::now() - chrono::Duration::hours(73);
    webhook::Entity::update_many()
        .col_expr(webhook::Column::FailingSince, Expr::value(three_days_ago))
        .filter(webhook::Column::Id.eq(uuid::Uuid::parse_str(&webhook).expect("uuid")))
        .exec(&app.connect().await)
        .await
        .expect("backdate");
    let view = read_until(&app, &token, &path, |w| w["active"] == false).await;
    assert_eq!(view["active"], false, "{view}");
    let reason = view["disabled_reason"].as_str().expect("a reason");
    assert!(
        reason.contains("503") && reason.contains("active"),
        "{reason}"
    );
    assert!(view["disabled_at"].is_string());
    let audit = app.get_as(&admin, "/api/v1/audit-log?limit=200").await.text;
    assert!(audit.contains("webhook.disabled"), "{audit}");

    // Nothing is sent while disabled, but changes keep being queued; resuming sends what
    // waited, in order, at once.
    let sent = receiver.received().len();
    app.create_association(&admin, "Webhook Waiting Circle")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), sent);
    receiver.always(204);
    let resumed = app
        .patch_as(
            &token,
            &format!("/api/v1/webhooks/{webhook}"),
            json!({"active": true}),
            None,
        )
        .await;
    assert_eq!(resumed.status, 200, "{}", resumed.text);
    assert!(resumed.json().get("disabled_reason").is_none());
    let received = receiver
        .wait_until(Duration::from_secs(10), |r| {
            r.iter().filter(|r| r.answered == 204).count() >= 2
        })
        .await;
    let accepted: Vec<i64> = received
        .iter()
        .filter(|r| r.answered == 204)
        .map(|r| r.json()["seq"].as_i64().expect("seq"))
        .collect();
    assert!(accepted[0] < accepted[1], "in order: {accepted:?}");
}

#[tokio::test]
async fn a_paused_subscription_parks_its_changes_and_a_redelivery_starts_a_new_round() {
    use sea_orm::ConnectionTrait;
    let app = app_with_worker().await;
    let admin = app.admin_token().await;
    let (_, token) = client(&app, &admin, &["associations:read"], None).await;
    let receiver = Receiver::start().await;
    receiver.always(500);
    let webhook = subscribe(&app, &token, &receiver.url, &["association.upsert"]).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let path = format!("/api/v1/webhooks/{webhook}");
    let paused = app
        .patch_as(&token, &path, json!({"active": false}), None)
        .await;
    assert_eq!(paused.status, 200, "{}", paused.text);
    app.create_association(&admin, "Parked Circle").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = deliveries(&app, &token, &webhook).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "pending");
    assert!(
        log[0].get("next_attempt_at").is_none(),
        "parked: {}",
        log[0]
    );
    assert!(receiver.received().is_empty());

    // As if its 14 attempts had failed: a redelivery gets 14 more, not one.
    let conn = app.connect().await;
    conn.execute_unprepared("UPDATE webhook_deliveries SET status = 'failed', attempts = 14")
        .await
        .expect("exhausted");
    let resumed = app
        .patch_as(&token, &path, json!({"active": true}), None)
        .await;
    assert_eq!(resumed.status, 200, "{}", resumed.text);
    let id = log[0]["id"].as_str().expect("id");
    let again = app
        .write_as(
            Method::POST,
            &token,
            &format!("{path}/deliveries/{id}/redeliver"),
            None,
            None,
        )
        .await;
    assert_eq!(again.status, 202, "{}", again.text);
    receiver
        .wait_until(Duration::from_secs(10), |r| !r.is_empty())
        .await;
    let now = read_until(&app, &token, &format!("{path}/deliveries/{id}"), |d| {
        d["attempt_count"] == 1
    })
    .await;
    assert_eq!(now["attempt_count"], 1, "{now}");
    assert_eq!(now["status"], "pending", "retried, not failed: {now}");
    assert!(now["next_attempt_at"].is_string());
}

#[tokio::test]
async fn finished_deliveries_leave_the_log_after_thirty_days_and_pending_ones_stay() {
    use empower_domain::webhooks::entity::delivery;
    use empower_domain::webhooks::queue;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = crate::helpers::TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = app.create_association(&admin, "Pruned Circle").await;
    let (webhook, old_failed) = super::subscribed_and_pinged(&app, &admin, &association).await;
    let path = format!("/api/v1/webhooks/{webhook}/ping");
    let mut pinged = Vec::new();
    for _ in 0..2 {
        let reply = app.write_as(Method::POST, &admin, &path, None, None).await;
        assert_eq!(reply.status, 202, "{}", reply.text);
        pinged.push(reply.json()["id"].as_str().expect("id").to_owned());
    }
    let (old_pending, recent_failed) = (pinged[0].clone(), pinged[1].clone());
    let conn = app.connect().await;
    let id = |s: &str| uuid::Uuid::parse_str(s).expect("uuid");
    let long_ago = chrono::Utc::now() - chrono::Duration::days(31);
    delivery::Entity::update_many()
        .col_expr(
            delivery::Column::Status,
            Expr::value(empower_domain::webhooks::DeliveryStatus::Failed),
        )
        .filter(delivery::Column::Id.is_in([id(&old_failed), id(&recent_failed)]))
        .exec(&conn)
        .await
        .expect("failed");
    delivery::Entity::update_many()
        .col_expr(delivery::Column::UpdatedAt, Expr::value(long_ago))
        .filter(delivery::Column::Id.is_in([id(&old_failed), id(&old_pending)]))
        .exec(&conn)
        .await
        .expect("backdated");
    let pruned = queue::prune(&conn, chrono::Utc::now() - queue::kept_for())
        .await
        .expect("prune");
    assert_eq!(pruned, 1);
    let left: Vec<String> = deliveries(&app, &admin, &webhook)
        .await
        .iter()
        .filter_map(|d| d["id"].as_str().map(str::to_owned))
        .collect();
    assert!(!left.contains(&old_failed), "the old finished one went");
    assert!(left.contains(&old_pending) && left.contains(&recent_failed));
}
