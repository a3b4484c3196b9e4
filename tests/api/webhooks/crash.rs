//! A crash (`kill -9`) between the commit of a change and the sending of its delivery loses
//! nothing: the delivery was written with the change, and goes out once a worker runs again.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use super::{Receiver, client, subscribe};
use crate::helpers::TestApp;

/// `empower serve` over the test database, as the only sender (the test's own server has no
/// worker), with `timeout` seconds per attempt (a lease outlives a dead worker by twice that
/// and 5 s).
fn worker_process(app: &TestApp, timeout: u32) -> Child {
    worker_command(app, timeout)
        .spawn()
        .expect("empower serve starts")
}

fn worker_command(app: &TestApp, timeout: u32) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_empower"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EMPOWER_DATABASE_URL", app.db().url())
        .env("EMPOWER_FILES_DIR", app.db().files_dir())
        .env("EMPOWER_BIND", "127.0.0.1:0")
        .env(
            "EMPOWER_JWT_SECRET",
            "crash-test-secret-that-is-at-least-32-bytes",
        )
        .env("EMPOWER_WEBHOOK_TIMEOUT_SECONDS", timeout.to_string())
        .env("EMPOWER_WEBHOOK_POLL_MS", "20")
        .env("EMPOWER_WEBHOOK_RETRY_BASE_MS", "100")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
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
    let mut worker = worker_process(&app, 1);
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
    let mut worker = worker_process(&app, 1);
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

#[tokio::test]
async fn a_sigterm_lets_the_delivery_in_flight_finish_and_records_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, token) = client(&app, &admin, &["associations:read"], None).await;
    let receiver = Receiver::start().await;
    // In flight long enough to be stopped mid-send, well within the 5 s timeout.
    receiver.delay(Duration::from_millis(400));
    let webhook = subscribe(&app, &token, &receiver.url, &["association.*"]).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // A port of its own, to know when it is ready: its signal handlers are in place by then.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut worker = worker_command(&app, 5)
        .env("EMPOWER_BIND", format!("127.0.0.1:{port}"))
        .spawn()
        .expect("empower serve starts");
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..300 {
        ready = http
            .get(format!("http://127.0.0.1:{port}/health/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200);
        if ready {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the worker process became ready");
    app.create_association(&admin, "Shutdown Circle").await;
    receiver
        .wait_until(Duration::from_secs(30), |r| !r.is_empty())
        .await;
    let status = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let mut exited = None;
    for _ in 0..150 {
        if let Some(status) = worker.try_wait().expect("wait") {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let exited = exited.expect("the server stopped within 15 s of SIGTERM");
    assert!(exited.success(), "clean exit: {exited:?}");
    let log = super::deliveries(&app, &token, &webhook).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "delivered", "{}", log[0]);
    assert_eq!(log[0]["attempt_count"], 1);
    assert_eq!(receiver.received().len(), 1, "sent once");
}
