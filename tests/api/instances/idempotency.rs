//! An Idempotency-Key used on one server replays on the other, also when raced.

use reqwest::Method;
use serde_json::Value;

use super::{Pair, association};

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
