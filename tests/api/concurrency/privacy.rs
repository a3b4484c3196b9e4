//! Erasure races: one person erased by many at once.

use super::*;
use crate::privacy_rights::{feed, subject};

/// Parallel erasures of one person: exactly one erases, the others find her erased (409
/// `person_erased`), and the feed carries one `erase` for her.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_erasures_of_one_person_have_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let s = subject(&app, &admin).await;
    let path = format!("/api/v1/people/{}/erasure", s.person);
    let shots = (0..6)
        .map(|i| {
            Shot::new(Method::POST, &path, Some(&admin))
                .json(json!({"reason": format!("request {i}")}))
        })
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 200, &[(409, "person_erased")]);
    let erases = feed(&app, &admin)
        .await
        .into_iter()
        .filter(|c| c["op"] == "erase" && c["id"] == json!(s.person))
        .count();
    assert_eq!(erases, 1);
    let export = app
        .get_as(&admin, &format!("/api/v1/people/{}/data-export", s.person))
        .await
        .json();
    assert_eq!(export["erasures"].as_array().map(Vec::len), Some(1));
}
