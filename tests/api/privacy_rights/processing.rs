//! The record of processing activities, with the partner clients read live.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_record_of_processing_names_the_partner_clients_live() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, _, _) = app.create_client(&admin, &["training:read"]).await;
    let viewer = app.token_for(&admin, "viewer").await;
    let reply = app
        .get_as(&viewer, "/api/v1/privacy/processing-activities")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let record = reply.json();
    assert!(
        record["activities"]
            .as_array()
            .is_some_and(|a| a.len() >= 5)
    );
    assert_eq!(
        record["partner_clients"][0]["scopes"],
        json!(["training:read"])
    );
    assert_eq!(record["retention"]["closed_months"], 12);
    let markdown = app
        .send(
            reqwest::Method::GET,
            "/api/v1/privacy/processing-activities",
            |r| r.bearer_auth(&viewer).header("Accept", "text/markdown"),
        )
        .await;
    assert_eq!(markdown.status, 200);
    assert!(markdown.header("content-type").starts_with("text/markdown"));
    assert!(
        markdown
            .text
            .starts_with("# Record of processing activities")
    );
    assert!(markdown.text.contains("training:read"));
    let staff = app.token_for(&admin, "staff").await;
    assert_eq!(
        app.get_as(&staff, "/api/v1/privacy/processing-activities")
            .await
            .status,
        403
    );
}
