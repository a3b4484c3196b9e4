//! Webhooks: what the outbox adds to a write, how fast a worker drains a backlog, and how long
//! a change takes to reach a receiver.
//!
//! 1. Write cost: sequential `PATCH`es of an association on a server without a worker (so only
//!    the write is measured), in alternating blocks of 50: its client's 10 subscriptions fed
//!    (each write also queues 10 deliveries) or not (the client revoked), 300 writes of each
//!    after 100 to warm up. The ratio of the medians is the outbox's price.
//! 2. Drain: a worker started on the same database sends the 3,000 deliveries queued by step 1
//!    to a receiver on loopback (answering 204 at once); deliveries per second.
//! 3. Latency: 50 changes, one at a time, each timed from the `PATCH` to its arrival at the
//!    receiver: through a second server with its own worker (default settings), which the
//!    write wakes; and made through the first server (no worker), which the second's worker
//!    finds at its next poll (1 s).
//!
//! Run with `cargo bench --bench webhooks` (SQLite in a temporary file). Figures are printed;
//! nothing is asserted.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{HttpResponse, web};
use empower_api::settings::WebhookSettings;
use empower_domain::webhooks::address::AddressPolicy;
use serde_json::{Value, json};

/// Writes per block, and blocks of each kind.
const WRITES: usize = 50;
const BLOCKS: usize = 6;
const SUBSCRIPTIONS: usize = 10;
const LATENCY_SAMPLES: usize = 50;
const EMAIL: &str = "bench@empower.local";
const PASSWORD: &str = "a bench passphrase nobody guesses";

/// Requests received, and when each version of the association first arrived.
type Arrivals = Arc<Mutex<(usize, HashMap<i64, (Instant, usize)>)>>;

/// A receiver on loopback answering 204 at once, noting when each version first arrived.
fn receiver(arrivals: Arrivals) -> String {
    let data = web::Data::new(arrivals);
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new().app_data(data.clone()).route(
            "/hook",
            web::post().to(
                |arrivals: web::Data<Arrivals>, body: web::Bytes| async move {
                    let version = serde_json::from_slice::<Value>(&body)
                        .ok()
                        .and_then(|v| v["version"].as_i64());
                    if let Ok(mut guard) = arrivals.lock() {
                        guard.0 += 1;
                        if let Some(version) = version {
                            guard
                                .1
                                .entry(version)
                                .or_insert_with(|| (Instant::now(), 0))
                                .1 += 1;
                        }
                    }
                    HttpResponse::NoContent().finish()
                },
            ),
        )
    })
    .bind(("127.0.0.1", 0))
    .expect("bind the receiver");
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    format!("http://127.0.0.1:{port}/hook")
}

async fn patch(client: &reqwest::Client, base: &str, token: &str, id: &str, n: usize) -> Value {
    let reply = client
        .patch(format!("{base}/api/v1/associations/{id}"))
        .bearer_auth(token)
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"member_count": n}).to_string())
        .send()
        .await
        .expect("patch");
    assert_eq!(reply.status(), 200);
    reply.json().await.expect("json")
}

async fn post(client: &reqwest::Client, base: &str, token: &str, path: &str, body: Value) -> Value {
    let reply = client
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("post");
    assert_eq!(reply.status(), 201, "{path}");
    reply.json().await.expect("json")
}

async fn writes(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    id: &str,
    from: usize,
    count: usize,
) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(count);
    for n in 0..count {
        let started = Instant::now();
        patch(client, base, token, id, from + n).await;
        samples.push(started.elapsed());
    }
    samples
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let quiet = WebhookSettings {
        worker: false,
        ..WebhookSettings::default()
    };
    let base = common::serve_with(url.clone(), EMAIL, PASSWORD, quiet).await;
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["access_token"].as_str().expect("token").to_owned();
    let association = post(
        &client,
        &base,
        &token,
        "/api/v1/associations",
        json!({"name": "Webhook Bench Circle", "legal_form": "de_facto", "countries_of_origin": ["SN"]}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let arrivals: Arrivals = Arc::default();
    let hook = receiver(Arc::clone(&arrivals));
    let api_client = post(
        &client,
        &base,
        &token,
        "/api/v1/api-clients",
        json!({"name": "Bench partner", "scopes": ["associations:read", "webhooks:manage"]}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for _ in 0..SUBSCRIPTIONS {
        post(
            &client,
            &base,
            &token,
            "/api/v1/webhooks",
            json!({"api_client_id": api_client, "url": hook, "event_types": ["association.*"]}),
        )
        .await;
    }
    // Warm up (the client revoked: nothing queued), then alternate blocks with the client
    // revoked (its subscriptions are not fed) and active (each write also queues 10
    // deliveries), so drift hits both alike.
    toggle(&client, &base, &token, &api_client, false).await;
    writes(&client, &base, &token, &association, 0, 100).await;
    let (mut plain, mut fed) = (Vec::new(), Vec::new());
    for block in 0..BLOCKS * 2 {
        let active = block % 2 == 1;
        toggle(&client, &base, &token, &api_client, active).await;
        let samples = writes(
            &client,
            &base,
            &token,
            &association,
            1_000 + block * WRITES,
            WRITES,
        )
        .await;
        if active {
            fed.extend(samples)
        } else {
            plain.extend(samples)
        }
    }
    let (plain_median, plain_p95) = common::percentiles(plain);
    let (outbox_median, outbox_p95) = common::percentiles(fed);
    println!(
        "PATCH of an association, {} sequential each: no subscription fed median {plain_median:.2} ms \
         (p95 {plain_p95:.2}); {SUBSCRIPTIONS} subscriptions fed median {outbox_median:.2} ms (p95 \
         {outbox_p95:.2}); ratio {:.2}",
        BLOCKS * WRITES,
        outbox_median / plain_median
    );

    // Drain the backlog with a worker of the default settings, but polling every 10 ms.
    let db = empower_domain::db::connect(&url).await.expect("connect");
    let policy = AddressPolicy {
        allow_loopback: true,
        allowed_networks: vec![],
    };
    let backlog = BLOCKS * WRITES * SUBSCRIPTIONS;
    let started = Instant::now();
    let worker = empower_api::webhooks::Worker::new(
        db.clone(),
        WebhookSettings {
            poll: Duration::from_millis(10),
            ..WebhookSettings::default()
        },
        policy.clone(),
    )
    .expect("worker")
    .spawn();
    loop {
        let received = arrivals.lock().map(|a| a.0).unwrap_or_default();
        if received >= backlog {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    println!(
        "drain: {backlog} deliveries ({SUBSCRIPTIONS} subscriptions x {} changes) in {:.2} s = {:.0} deliveries/s",
        BLOCKS * WRITES,
        elapsed.as_secs_f64(),
        backlog as f64 / elapsed.as_secs_f64()
    );
    worker.stop().await;

    drop(policy);

    // Latency: a second server over the same database, with a worker of the default settings.
    let sending = common::serve(url, EMAIL, PASSWORD).await;
    for (server, what) in [
        (
            &sending,
            "written through the server that sends (its worker woken)",
        ),
        (
            &base,
            "written through another server (found at the next 1 s poll)",
        ),
    ] {
        let mut samples = Vec::with_capacity(LATENCY_SAMPLES);
        for n in 0..LATENCY_SAMPLES {
            let started = Instant::now();
            let wanted = patch(&client, server, &token, &association, 20_000 + n).await["version"]
                .as_i64()
                .expect("version");
            // Timed to the first arrival; the next change waits until all ten are recorded
            // delivered and the worker is idle, so it does not ride on work still in flight.
            let arrived = loop {
                match arrivals.lock().ok().and_then(|a| a.1.get(&wanted).copied()) {
                    Some((at, count)) if count >= SUBSCRIPTIONS => break at,
                    _ => tokio::time::sleep(Duration::from_millis(1)).await,
                }
            };
            samples.push(arrived.duration_since(started));
            while pending(&db).await > 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (median, p95) = common::percentiles(samples);
        println!(
            "latency from PATCH to the receiver, {LATENCY_SAMPLES} changes {what}: median {median:.1} ms, p95 {p95:.1} ms"
        );
    }
}

async fn pending(db: &sea_orm::DatabaseConnection) -> u64 {
    use empower_domain::webhooks::DeliveryStatus;
    use empower_domain::webhooks::entity::delivery;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    delivery::Entity::find()
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .count(db)
        .await
        .expect("count")
}

async fn toggle(client: &reqwest::Client, base: &str, token: &str, api_client: &str, active: bool) {
    let reply = client
        .patch(format!("{base}/api/v1/api-clients/{api_client}"))
        .bearer_auth(token)
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"active": active}).to_string())
        .send()
        .await
        .expect("toggle");
    assert_eq!(reply.status(), 200);
}
