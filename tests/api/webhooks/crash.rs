//! A crash (`kill -9`) between the commit of a change and the sending of its delivery loses
//! nothing: the delivery was written with the change, and goes out once a worker runs again.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use super::{Receiver, client, subscribe};
use crate::helpers::TestApp;

/// `empower serve` over the test database, as the only sender (the test's own server has no
/// worker): 1 s per attempt, so a lease outlives a dead worker by 6 s.
fn worker_process(app: &TestApp) -> Child {
    Command::new(env!("CARGO_BIN_EXE_empower"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EMPOWER_DATABASE_URL", app.db().url())
        .env("EMPOWER_FILES_DIR", app.db().files_dir())
        .env("EMPOWER_BIND", "127.0.0.1:0")
        .env(
            "EMPOWER_JWT_SECRET",
            "crash-test-secret-that-is-at-least-32-bytes",
        )
        .env("EMPOWER_WEBHOOK_TIMEOUT_SECONDS", "1")
        .env("EMPOWER_WEBHOOK_POLL_MS", "20")
        .env("EMPOWER_WEBHOOK_RETRY_BASE_MS", "100")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("empower serve starts")
}

fn kill_9(child: &mut Child) {
    let status = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let _ = child.wait();
}

#[tokio::test]
async fn a_crash_between_commit_and_send_loses_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, token) = client(&app, &admin, &["associations:read"], None).await;
    let receiver = Receiver::start().await;
    let secret = subscribe(&app, &token, &receiver.url, &["association.*"]).await["secret"]
        .as_str()
        .expect("secret")
        .to_owned();

    // The receiver hangs: the worker claims the delivery, sends it, and dies waiting.
    receiver.hang(true);
    let mut worker = worker_process(&app);
    let first = app.create_association(&admin, "Crash Circle").await;
    receiver
        .wait_until(Duration::from_secs(30), |r| !r.is_empty())
        .await;
    kill_9(&mut worker);
    // A change committed while no worker runs at all.
    let reply = app
        .patch_as(
            &admin,
            &format!("/api/v1/associations/{first}"),
            json!({"member_count": 12}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    receiver.hang(false);
    let mut worker = worker_process(&app);
    let received = receiver
        .wait_until(Duration::from_secs(45), |r| {
            r.iter().filter(|r| r.answered == 204).count() >= 2
        })
        .await;
    kill_9(&mut worker);
    let accepted: Vec<_> = received.iter().filter(|r| r.answered == 204).collect();
    // The delivery interrupted by the crash went out again, same message, then the next one.
    assert_eq!(
        accepted[0].header("webhook-id"),
        received[0].header("webhook-id")
    );
    assert_eq!(accepted[0].json()["op"], "upsert");
    assert_eq!(accepted[0].json()["version"], 1);
    assert_eq!(accepted[1].json()["version"], 2);
    assert!(accepted[0].json()["seq"].as_i64() < accepted[1].json()["seq"].as_i64());
    assert!(accepted.iter().all(|r| super::verifies(r, &secret)));
}
