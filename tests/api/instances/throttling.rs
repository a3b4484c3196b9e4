//! Login throttling counted once across both servers, one after another and all at once.

use reqwest::Method;
use serde_json::json;

use super::{Pair, items};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn login_failures_on_both_servers_count_towards_one_lock() {
    let Some(pair) = Pair::start("login_failures_on_both_servers_count_towards_one_lock").await
    else {
        return;
    };
    let admin = pair.admin().await;
    let (user_id, email, password) = pair.user(0, &admin, "viewer").await;
    // Five failures (the account limit), alternating: three on server 0, two on server 1.
    for i in 0..5 {
        pair.login(i, &email, &format!("wrong-password-{i}"))
            .await
            .assert_problem(401, "invalid_credentials");
    }
    // Either server now refuses even the right password, at once.
    for i in 0..2 {
        let locked = pair.login(i, &email, &password).await;
        locked.assert_problem(429, "too_many_requests");
        assert!(
            locked
                .header("retry-after")
                .parse::<u64>()
                .is_ok_and(|s| s >= 1),
            "Retry-After: {:?}",
            locked.header("retry-after")
        );
    }
    let failed = pair
        .get_ok(
            1,
            &admin,
            &format!("/api/v1/audit-log?action=login.failed&target_id={user_id}&limit=200"),
        )
        .await;
    assert_eq!(items(&failed).len(), 5, "one login.failed row per 401");

    // A storm of wrong passwords on another account, split over both servers: at most the
    // limit is checked in all.
    let (_, email, _) = pair.user(1, &admin, "viewer").await;
    let shots: Vec<_> = (0..40)
        .map(|i| {
            pair.request(i, Method::POST, "/api/v1/auth/login")
                .json(&json!({"email": email, "password": format!("wrong-password-{i}")}))
                .build()
                .expect("request builds")
        })
        .collect();
    let handles: Vec<_> = shots
        .into_iter()
        .map(|request| {
            let client = pair.client.clone();
            tokio::spawn(async move {
                let response = client.execute(request).await.expect("sent");
                response.status().as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.expect("task"));
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        checked + throttled,
        statuses.len(),
        "401 or 429 only: {statuses:?}"
    );
    assert!(
        (1..=5).contains(&checked),
        "at most the account limit checked across both servers, got {checked}: {statuses:?}"
    );
}
