//! Another association's restitutions are 404 everywhere for association users and bound
//! clients: reads, lists, writes, moves, evidence, downloads, exports and the change feed.

use serde_json::json;

use super::{PDF, plan, planned, ready, trained, upload};
use crate::helpers::TestApp;

#[tokio::test]
async fn another_associations_restitution_is_not_found_anywhere() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let own = trained(&app, &admin, "Own Restitutions").await;
    let other = trained(&app, &admin, "Other Restitutions").await;
    let theirs = ready(&app, &admin, &other).await;
    let file = upload(&app, &admin, &theirs, "report", "theirs.pdf", PDF)
        .await
        .json();
    let file_id = file["id"].as_str().expect("id").to_owned();
    let transition = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/restitutions/{theirs}/transitions"),
            json!({"to": "reported"}),
        )
        .await
        .json();
    let transition_id = transition["id"].as_str().expect("id").to_owned();
    let ours_by_admin = planned(&app, &admin, &own).await;

    let member = app.association_user_token(&admin, &own.association).await;
    let client = app
        .client_token(
            &admin,
            &["restitutions:write", "sync:read"],
            Some(&own.association),
        )
        .await;
    for token in [&member, &client] {
        let base = format!("/api/v1/restitutions/{theirs}");
        for path in [
            base.clone(),
            format!("{base}/transitions"),
            format!("{base}/transitions/{transition_id}"),
            format!("{base}/evidence"),
            format!("{base}/evidence/{file_id}"),
            format!("{base}/evidence/{file_id}/file"),
        ] {
            let reply = app.get_as(token, &path).await;
            assert_eq!(reply.status, 404, "GET {path}: {}", reply.text);
        }
        for reply in [
            app.patch_as(token, &base, json!({"notes": "mine now"}), None)
                .await,
            app.write_as(reqwest::Method::DELETE, token, &base, None, None)
                .await,
            app.post_json(
                Some(token),
                &format!("{base}/transitions"),
                json!({"to": "validated"}),
            )
            .await,
            app.post_json(
                Some(token),
                &format!("{base}/evidence"),
                json!({"kind": "other", "description": "x", "url": "https://example.org/x"}),
            )
            .await,
            upload(&app, token, &theirs, "photo", "x.pdf", PDF).await,
            app.write_as(
                reqwest::Method::DELETE,
                token,
                &format!("{base}/evidence/{file_id}"),
                None,
                None,
            )
            .await,
            app.post_json(Some(token), "/api/v1/restitutions", plan(&other))
                .await,
        ] {
            assert_eq!(reply.status, 404, "{}", reply.text);
        }
        // Its own association: it plans, reads, and lists only its own.
        let mine = app
            .post_json(Some(token), "/api/v1/restitutions", plan(&own))
            .await;
        assert_eq!(mine.status, 201, "{}", mine.text);
        let list = app.get_as(token, "/api/v1/restitutions").await.json();
        assert!(!list.to_string().contains(&theirs));
        assert!(list.to_string().contains(&ours_by_admin));
        let filtered = app
            .get_as(
                token,
                &format!("/api/v1/restitutions?association_id={}", other.association),
            )
            .await
            .json();
        assert_eq!(filtered["items"], json!([]));
        let csv = app
            .send(reqwest::Method::GET, "/api/v1/restitutions", |r| {
                r.bearer_auth(token).header("Accept", "text/csv")
            })
            .await;
        assert_eq!(csv.status, 200);
        assert!(!csv.text.contains(&theirs) && csv.text.contains(&ours_by_admin));
    }
    let feed = app.get_as(&client, "/api/v1/changes?limit=200").await;
    assert_eq!(feed.status, 200, "{}", feed.text);
    assert!(feed.text.contains(&ours_by_admin));
    assert!(!feed.text.contains(&theirs) && !feed.text.contains(&file_id));
    // The admin still sees everything.
    let file = app
        .get_as(
            &admin,
            &format!("/api/v1/restitutions/{theirs}/evidence/{file_id}/file"),
        )
        .await;
    assert_eq!(file.status, 200);
}
