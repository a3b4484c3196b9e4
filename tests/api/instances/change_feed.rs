//! The change feed's commit order with writers on both servers and a reader polling.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Pair, association, items};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_change_feed_keeps_commit_order_with_writers_on_both_servers() {
    let Some(pair) =
        Pair::start("the_change_feed_keeps_commit_order_with_writers_on_both_servers").await
    else {
        return;
    };
    let admin = pair.admin().await;
    let writers = 8;
    let per_writer = 4;
    let mut handles = Vec::new();
    for w in 0..writers {
        let client = pair.client.clone();
        let addresses = [pair.address(0).to_owned(), pair.address(1).to_owned()];
        let token = admin.clone();
        // Each writer creates associations and patches each twice, its requests alternating
        // between the servers (writer w starts on server w % 2).
        handles.push(tokio::spawn(async move {
            let mut written = Vec::new();
            let mut turn = w;
            for i in 0..per_writer {
                let address = &addresses[turn % 2];
                turn += 1;
                let reply = client
                    .post(format!("{address}/api/v1/associations"))
                    .bearer_auth(&token)
                    .json(&association(&format!("Two Servers {w}-{i}")))
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(reply.status(), 201);
                let created: Value = reply.json().await.expect("json");
                let id = created["id"].as_str().expect("id").to_owned();
                written.push((id.clone(), 1));
                for version in 2..=3 {
                    let address = &addresses[turn % 2];
                    turn += 1;
                    let reply = client
                        .patch(format!("{address}/api/v1/associations/{id}"))
                        .bearer_auth(&token)
                        .header("Content-Type", "application/merge-patch+json")
                        .body(json!({"member_count": version}).to_string())
                        .send()
                        .await
                        .expect("sent");
                    assert_eq!(reply.status(), 200);
                    written.push((id.clone(), version));
                }
            }
            written
        }));
    }
    // A reader polls while they write, alternating servers, then once more after they end.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen: Vec<(i64, String, i64)> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut polls = 0;
    loop {
        assert!(
            Instant::now() < deadline,
            "the writers did not finish in time"
        );
        let finished = handles.iter().all(tokio::task::JoinHandle::is_finished);
        let path = match &cursor {
            Some(c) => format!("/api/v1/changes?limit=7&types=association&cursor={c}"),
            None => "/api/v1/changes?limit=7&types=association".to_owned(),
        };
        let page = pair.get_ok(polls, &admin, &path).await;
        polls += 1;
        for item in items(&page) {
            seen.push((
                item["seq"].as_i64().expect("seq"),
                item["id"].as_str().expect("id").to_owned(),
                item["version"].as_i64().expect("version"),
            ));
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if finished && items(&page).is_empty() {
            break;
        }
        if items(&page).is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let mut written = BTreeSet::new();
    for handle in handles {
        written.extend(handle.await.expect("a writer failed"));
    }
    assert_eq!(written.len(), writers * per_writer * 3);
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "seq strictly increasing: {seen:?}"
    );
    let mut last: BTreeMap<&str, i64> = BTreeMap::new();
    for (seq, id, version) in &seen {
        let before = last.insert(id, *version).unwrap_or(0);
        assert!(
            *version > before,
            "the versions of {id} increase in feed order (seq {seq}: {version} after {before})"
        );
    }
    let seen_set: BTreeSet<(String, i64)> =
        seen.iter().map(|(_, id, v)| (id.clone(), *v)).collect();
    assert_eq!(seen.len(), seen_set.len(), "every change once");
    assert_eq!(seen_set, written, "no change missed");
    assert!(
        polls > 2,
        "the reader polled during the writes ({polls} polls)"
    );
}
