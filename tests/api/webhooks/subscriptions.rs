//! Subscriptions: who may manage them, what they are told, and the URLs refused. No test here
//! connects anywhere: URLs written as IPs are refused before any lookup, and the one name used
//! (`localhost`) resolves from the hosts file.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::{Receiver, app_with_worker, client, deliveries, deliveries_until, subscribe};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_bound_clients_subscription_never_hears_of_another_associations_changes() {
    let app = app_with_worker().await;
    let admin = app.admin_token().await;
    let own = app.create_association(&admin, "Webhook Own Circle").await;
    let other = app.create_association(&admin, "Webhook Other Circle").await;
    let (_, token) = client(&app, &admin, &["associations:read"], Some(&own)).await;
    let receiver = Receiver::start().await;
    let webhook = subscribe(&app, &token, &receiver.url, &["*"]).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Another association's change, a programme-wide type the client does not read, then its
    // own association's change.
    for (association, count) in [(&other, 7), (&own, 8)] {
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
    let module = app
        .post_json(
            Some(&admin),
            "/api/v1/partners",
            json!({"name": "Webhook Partner", "kind": "ngo"}),
        )
        .await;
    assert_eq!(module.status, 201, "{}", module.text);
    let own_change = app
        .patch_as(
            &admin,
            &format!("/api/v1/associations/{own}"),
            json!({"member_count": 9}),
            None,
        )
        .await;
    assert_eq!(own_change.status, 200);
    let received = receiver
        .wait_until(Duration::from_secs(15), |r| r.len() >= 2)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = receiver.received().len().max(received.len());
    assert_eq!(received, 2, "only its own association's two changes");
    for request in receiver.received() {
        assert_eq!(request.json()["id"], own.as_str());
    }
    // The outbox holds nothing else either.
    let log = deliveries(&app, &token, &webhook).await;
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|d| d["payload"]["id"] == own.as_str()));
}

#[tokio::test]
async fn a_client_rebound_to_another_association_is_not_sent_what_was_queued_for_the_first() {
    let app = app_with_worker().await;
    let admin = app.admin_token().await;
    let own = app.create_association(&admin, "Rebound Own Circle").await;
    let other = app.create_association(&admin, "Rebound Other Circle").await;
    let (client_id, token) = client(&app, &admin, &["associations:read"], Some(&own)).await;
    let receiver = Receiver::start().await;
    let created = subscribe(&app, &token, &receiver.url, &["*"]).await;
    let webhook = created["id"].as_str().expect("id").to_owned();
    // Paused: the change waits in the queue.
    let paused = app
        .patch_as(
            &token,
            &format!("/api/v1/webhooks/{webhook}"),
            json!({"active": false}),
            None,
        )
        .await;
    assert_eq!(paused.status, 200, "{}", paused.text);
    let reply = app
        .patch_as(
            &admin,
            &format!("/api/v1/associations/{own}"),
            json!({"member_count": 3}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(deliveries(&app, &token, &webhook).await.len(), 1);
    // The client now acts for the other association: what was queued for the first is not sent.
    let rebound = app
        .patch_as(
            &admin,
            &format!("/api/v1/api-clients/{client_id}"),
            json!({"association_id": other}),
            None,
        )
        .await;
    assert_eq!(rebound.status, 200, "{}", rebound.text);
    let resumed = app
        .patch_as(
            &admin,
            &format!("/api/v1/webhooks/{webhook}"),
            json!({"active": true}),
            None,
        )
        .await;
    assert_eq!(resumed.status, 200, "{}", resumed.text);
    let log = deliveries_until(&app, &admin, &webhook, |log| {
        log.first().is_some_and(|d| d["status"] == "failed")
    })
    .await;
    assert_eq!(log[0]["status"], "failed", "{log:?}");
    assert_eq!(log[0]["attempt_count"], 0);
    assert!(
        log[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("no longer")),
        "{log:?}"
    );
    assert!(receiver.received().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn private_addresses_and_bad_subscriptions_are_refused_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (client_id, token) = client(&app, &admin, &["associations:read"], None).await;
    let refused = |url: &str| json!({"url": url, "event_types": ["*"]});
    for (body, pointer) in [
        (refused("https://10.0.0.1/hook"), "/url"),
        (refused("https://172.16.0.9/hook"), "/url"),
        (refused("https://192.168.1.1/hook"), "/url"),
        (refused("https://169.254.169.254/latest/meta-data"), "/url"),
        (refused("https://[fd00::1]/hook"), "/url"),
        (refused("https://[fe80::1]/hook"), "/url"),
        (refused("https://[::ffff:10.0.0.1]/hook"), "/url"),
        (refused("https://0.0.0.0/hook"), "/url"),
        (refused("http://hooks.example.org/hook"), "/url"),
        (
            refused("https://user:secret@hooks.example.org/hook"),
            "/url",
        ),
        (refused("ftp://hooks.example.org/hook"), "/url"),
        (refused("hooks.example.org"), "/url"),
        (refused("https://hooks.example.org/\u{0}"), "/url"),
        (
            json!({"url": "https://hooks.example.org/h", "event_types": ["association.created"]}),
            "/event_types/0",
        ),
        (
            json!({"url": "https://hooks.example.org/h", "event_types": ["restitution.upsert"]}),
            "/event_types/0",
        ),
        (
            json!({"url": "https://hooks.example.org/h", "event_types": []}),
            "/event_types",
        ),
        (
            json!({"url": "https://hooks.example.org/h", "event_types": ["*"],
                "description": "x".repeat(501)}),
            "/description",
        ),
        (
            json!({"url": "https://hooks.example.org/h", "event_types": ["*"],
                "api_client_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e"}),
            "/api_client_id",
        ),
    ] {
        let reply = app
            .post_json(Some(&token), "/api/v1/webhooks", body.clone())
            .await;
        let problem = reply.assert_problem(422, "validation_failed");
        assert!(
            problem["errors"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["pointer"] == pointer)),
            "{body}: {problem}"
        );
    }
    // An administrator names the client; without one it is refused.
    let reply = app
        .post_json(
            Some(&admin),
            "/api/v1/webhooks",
            refused("https://hooks.example.org/h"),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    // Unknown fields are a 400.
    let reply = app
        .post_json(
            Some(&token),
            "/api/v1/webhooks",
            json!({"url": "https://hooks.example.org/h", "event_types": ["*"], "secret": "mine"}),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    let listed = app.get_as(&admin, "/api/v1/webhooks").await.json();
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(0),
        "nothing created"
    );

    // In development, plain http to loopback is the one exception; names resolving to it too.
    for url in ["http://127.0.0.1:9/hook", "http://localhost:9/hook"] {
        let reply = app
            .post_json(
                Some(&admin),
                "/api/v1/webhooks",
                json!({"api_client_id": client_id, "url": url, "event_types": ["*"]}),
            )
            .await;
        assert_eq!(reply.status, 201, "{url}: {}", reply.text);
        assert!(
            reply.json()["secret"]
                .as_str()
                .is_some_and(|s| s.starts_with("whsec_"))
        );
    }
    // A change of URL is checked the same way.
    let listed = app.get_as(&token, "/api/v1/webhooks").await.json();
    let id = listed["items"][0]["id"].as_str().expect("id");
    let reply = app
        .patch_as(
            &token,
            &format!("/api/v1/webhooks/{id}"),
            json!({"url": "https://169.254.169.254/"}),
            None,
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    // So are new event types, a rotation's grace period and the log's status filter; nothing
    // changes.
    let path = format!("/api/v1/webhooks/{id}");
    let problem = app
        .patch_as(&token, &path, json!({"event_types": []}), None)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["pointer"], "/event_types");
    for hours in [-1, 169] {
        let problem = app
            .post_json(
                Some(&token),
                &format!("{path}/rotate-secret"),
                json!({"grace_period_hours": hours}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["pointer"], "/grace_period_hours");
    }
    let problem = app
        .get_as(&token, &format!("{path}/deliveries?status=sent"))
        .await
        .assert_problem(400, "invalid_parameter");
    assert!(problem.to_string().contains("status"), "{problem}");
    assert_eq!(app.get_as(&token, &path).await.json()["version"], 1);
}

#[tokio::test]
async fn clients_manage_only_their_own_subscriptions_and_need_the_scope() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, mine) = client(&app, &admin, &["associations:read"], None).await;
    let (_, theirs) = client(&app, &admin, &["associations:read"], None).await;
    let without = app.client_token(&admin, &["associations:read"], None).await;
    let created = subscribe(&app, &mine, "http://127.0.0.1:9/hook", &["*"]).await;
    let id = created["id"].as_str().expect("id");
    assert!(created.get("secret").is_some());
    let read = app.get_as(&mine, &format!("/api/v1/webhooks/{id}")).await;
    assert_eq!(read.status, 200);
    assert!(
        read.json().get("secret").is_none(),
        "the secret is shown once"
    );
    assert_eq!(read.header("cache-control"), "no-store");
    for path in [
        format!("/api/v1/webhooks/{id}"),
        format!("/api/v1/webhooks/{id}/deliveries"),
    ] {
        app.get_as(&theirs, &path)
            .await
            .assert_problem(404, "not_found");
        app.get_as(&without, &path)
            .await
            .assert_problem(403, "forbidden");
    }
    app.write_as(
        Method::POST,
        &theirs,
        &format!("/api/v1/webhooks/{id}/ping"),
        None,
        None,
    )
    .await
    .assert_problem(404, "not_found");
    app.write_as(
        Method::DELETE,
        &theirs,
        &format!("/api/v1/webhooks/{id}"),
        None,
        None,
    )
    .await
    .assert_problem(404, "not_found");
    let theirs_list = app.get_as(&theirs, "/api/v1/webhooks").await.json();
    assert_eq!(theirs_list["items"].as_array().map(Vec::len), Some(0));
    let all = app.get_as(&admin, "/api/v1/webhooks").await.json();
    assert_eq!(all["items"].as_array().map(Vec::len), Some(1));

    // Pause with If-Match, then a stale one is refused; delete.
    let paused = app
        .patch_as(
            &mine,
            &format!("/api/v1/webhooks/{id}"),
            json!({"active": false}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(paused.status, 200, "{}", paused.text);
    assert_eq!(paused.json()["version"], 2);
    app.patch_as(
        &mine,
        &format!("/api/v1/webhooks/{id}"),
        json!({"active": true}),
        Some("\"1\""),
    )
    .await
    .assert_problem(412, "precondition_failed");
    let deleted = app
        .write_as(
            Method::DELETE,
            &mine,
            &format!("/api/v1/webhooks/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    app.get_as(&mine, &format!("/api/v1/webhooks/{id}"))
        .await
        .assert_problem(404, "not_found");
}
