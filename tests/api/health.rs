use crate::helpers::TestApp;

#[tokio::test]
async fn live_and_ready_answer_ok_with_a_request_id() {
    let app = TestApp::spawn().await;
    for path in ["/health/live", "/health/ready"] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), "application/json");
        assert_eq!(reply.json()["status"], "ok");
        assert_eq!(reply.header("x-request-id").len(), 36, "a generated UUID");
    }
}

#[tokio::test]
async fn a_callers_request_id_is_echoed_and_a_bad_one_replaced() {
    let app = TestApp::spawn().await;
    let reply = app
        .send(reqwest::Method::GET, "/health/live", |r| {
            r.header("X-Request-Id", "partner-sync-42")
        })
        .await;
    assert_eq!(reply.header("x-request-id"), "partner-sync-42");
    let reply = app
        .send(reqwest::Method::GET, "/health/live", |r| {
            r.header("X-Request-Id", "no spaces allowed here")
        })
        .await;
    assert_ne!(reply.header("x-request-id"), "no spaces allowed here");
    assert!(!reply.header("x-request-id").is_empty());
}
