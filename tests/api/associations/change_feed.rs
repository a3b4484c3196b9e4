//! The change feed: order, tombstones, who sees what, no missed change under concurrent writes.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::fixtures::{body, create};
use crate::helpers::TestApp;

#[tokio::test]
async fn the_change_feed_lists_every_write_in_order_with_tombstones() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // A new database holds only the seeded modules and results framework.
    let seeded = app.get_as(&admin, "/api/v1/changes?limit=200").await.json();
    assert!(
        seeded["items"].as_array().expect("items").iter().all(|i| [
            "module",
            "result",
            "indicator"
        ]
        .contains(&i["type"].as_str().unwrap_or("")))
    );
    let start = seeded["next_cursor"]
        .as_str()
        .expect("cursor even when empty")
        .to_owned();

    let a = create(&app, &admin, body("Feed One")).await;
    let id = a["id"].as_str().expect("id");
    app.patch_as(
        &admin,
        &format!("/api/v1/associations/{id}"),
        json!({"member_count": 2}),
        None,
    )
    .await;
    app.send(
        reqwest::Method::DELETE,
        &format!("/api/v1/associations/{id}"),
        |r| r.bearer_auth(&admin),
    )
    .await;

    let page = app
        .get_as(
            &admin,
            &format!("/api/v1/changes?cursor={start}&types=association"),
        )
        .await
        .json();
    let items = page["items"].as_array().expect("items");
    let ops: Vec<(&str, i64)> = items
        .iter()
        .map(|i| {
            (
                i["op"].as_str().unwrap_or_default(),
                i["version"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(ops, [("upsert", 1), ("upsert", 2), ("delete", 3)]);
    assert!(
        items
            .iter()
            .all(|i| i["id"] == id && i["type"] == "association")
    );
    assert!(
        items
            .iter()
            .all(|i| i.as_object().is_some_and(|o| o.len() == 6)),
        "no field values travel"
    );
    let next = page["next_cursor"].as_str().expect("cursor");
    let after = app
        .get_as(&admin, &format!("/api/v1/changes?cursor={next}"))
        .await
        .json();
    assert_eq!(after["items"], json!([]));
    assert_eq!(
        after["next_cursor"], next,
        "polling an empty tail keeps the cursor"
    );

    let staff = app.token_for(&admin, "staff").await;
    let viewer = app.token_for(&admin, "viewer").await;
    for token in [&staff, &viewer] {
        assert_eq!(app.get_as(token, "/api/v1/changes").await.status, 200);
    }
    // An API client bound to an association sees only that association's changes.
    let other = create(&app, &admin, body("Feed Two")).await;
    let other_id = other["id"].as_str().expect("id").to_owned();
    let bound = app
        .post_json(
            Some(&admin),
            "/api/v1/api-clients",
            json!({"name": "Bound sync", "scopes": ["sync:read", "associations:read"], "association_id": other_id}),
        )
        .await
        .json();
    let token = app
        .client_token_request(
            Some((
                bound["client_id"].as_str().expect("id"),
                bound["client_secret"].as_str().expect("secret"),
            )),
            &[("grant_type", "client_credentials")],
        )
        .await
        .json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let seen = app.get_as(&token, "/api/v1/changes").await.json();
    let ids: Vec<&str> = seen["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, [other_id.as_str()]);

    let problem = app
        .get_as(&admin, "/api/v1/changes?types=secrets")
        .await
        .assert_problem(400, "invalid_parameter");
    assert_eq!(problem["errors"][0]["parameter"], "types");
    app.get_as(&admin, "/api/v1/changes?cursor=WyJTTiJd")
        .await
        .assert_problem(400, "invalid_parameter");
}

#[tokio::test]
async fn a_reader_polling_during_concurrent_writes_misses_no_change() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let writers = 8;
    let per_writer = 6;
    let mut handles = Vec::new();
    for w in 0..writers {
        let (client, address, token) = (app.client.clone(), app.address.clone(), admin.clone());
        handles.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..per_writer {
                let reply = client
                    .post(format!("{address}/api/v1/associations"))
                    .bearer_auth(&token)
                    .json(&body(&format!("Concurrent {w}-{i}")))
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(reply.status(), 201);
                let created: Value = reply.json().await.expect("json");
                ids.push(created["id"].as_str().expect("id").to_owned());
            }
            ids
        }));
    }
    // Poll while the writers run, and once more after they finish; a writer that fails ends
    // the poll (its panic comes out when it is joined below), and so does a deadline.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut last_seq = 0;
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the writers did not finish in time"
        );
        let finished = handles.iter().all(tokio::task::JoinHandle::is_finished);
        let path = match &cursor {
            Some(c) => format!("/api/v1/changes?limit=7&types=association&cursor={c}"),
            None => "/api/v1/changes?limit=7&types=association".to_owned(),
        };
        let page = app.get_as(&admin, &path).await.json();
        let items = page["items"].as_array().expect("items").clone();
        for item in &items {
            let seq = item["seq"].as_i64().expect("seq");
            assert!(seq > last_seq, "commit order");
            last_seq = seq;
            seen.push(item["id"].as_str().expect("id").to_owned());
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if finished && items.is_empty() {
            break;
        }
        if items.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    let mut written = BTreeSet::new();
    for handle in handles {
        written.extend(handle.await.expect("a writer failed"));
    }
    assert_eq!(written.len(), writers * per_writer);
    let seen_set: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(seen.len(), seen_set.len(), "each change once");
    assert_eq!(seen_set, written, "no change missed");
}
