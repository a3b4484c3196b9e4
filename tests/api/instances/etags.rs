//! If-Match and If-None-Match across servers: a stale version refused, one winner of a race.

use reqwest::Method;
use serde_json::json;

use super::{Pair, association};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stale_etag_from_one_server_is_refused_by_the_other() {
    let Some(pair) = Pair::start("a_stale_etag_from_one_server_is_refused_by_the_other").await
    else {
        return;
    };
    let admin = pair.admin().await;
    let created = pair
        .created(
            0,
            &admin,
            "/api/v1/associations",
            association("Tagged Across Servers"),
        )
        .await;
    let path = format!(
        "/api/v1/associations/{}",
        created["id"].as_str().expect("id")
    );
    let read = pair.get(1, &admin, &path).await;
    assert_eq!(read.header("etag"), "\"1\"");

    let patched = pair
        .patch(0, &admin, &path, json!({"member_count": 10}), Some("\"1\""))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.header("etag"), "\"2\"");
    pair.patch(1, &admin, &path, json!({"member_count": 20}), Some("\"1\""))
        .await
        .assert_problem(412, "precondition_failed");
    let now = pair.get(1, &admin, &path).await;
    assert_eq!(now.header("etag"), "\"2\"");
    assert_eq!(
        now.json()["member_count"],
        10,
        "nothing written by the stale patch"
    );
    for i in 0..2 {
        let fresh = pair
            .send(
                pair.request(i, Method::GET, &path)
                    .bearer_auth(&admin)
                    .header("If-None-Match", "\"2\""),
            )
            .await;
        assert_eq!(fresh.status, 304, "server {i} knows version 2");
    }

    // Twenty patches holding version 2, split over both servers: one wins.
    let requests: Vec<_> = (0..20)
        .map(|i| {
            pair.request(i, Method::PATCH, &path)
                .bearer_auth(&admin)
                .header("Content-Type", "application/merge-patch+json")
                .header("If-Match", "\"2\"")
                .body(json!({"member_count": 100 + i}).to_string())
                .build()
                .expect("request builds")
        })
        .collect();
    let handles: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let client = pair.client.clone();
            tokio::spawn(async move {
                client
                    .execute(request)
                    .await
                    .expect("sent")
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.expect("task"));
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        19,
        "{statuses:?}"
    );
    assert_eq!(pair.get_ok(0, &admin, &path).await["version"], 3);
}
