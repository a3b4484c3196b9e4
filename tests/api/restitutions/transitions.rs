//! The review cycle: each legal move, each illegal one with where it may go, reviews reserved
//! to programme staff, and the history.

use serde_json::json;

use super::{move_to, planned, ready, reported, trained};
use crate::helpers::TestApp;

#[tokio::test]
async fn the_review_cycle_moves_only_along_its_table() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let staff = app.token_for(&admin, "staff").await;
    let t = trained(&app, &admin, "Cycle Sisters").await;
    let member = app.association_user_token(&admin, &t.association).await;

    // planned: to reported or cancelled only.
    let id = ready(&app, &member, &t).await;
    for to in ["validated", "returned"] {
        move_to(&app, &admin, &id, to, Some("x"))
            .await
            .assert_problem(409, "illegal_transition");
    }
    let problem = move_to(&app, &admin, &id, "planned", None)
        .await
        .assert_problem(409, "illegal_transition");
    assert_eq!(problem["allowed"], json!(["reported", "cancelled"]));

    // The association reports; it never validates nor returns.
    let reported = move_to(&app, &member, &id, "reported", None).await;
    assert_eq!(reported.status, 201, "{}", reported.text);
    assert!(reported.header("location").contains("/transitions/"));
    for to in ["validated", "returned"] {
        move_to(&app, &member, &id, to, Some("self-review"))
            .await
            .assert_problem(403, "review_reserved");
    }
    let problem = move_to(&app, &staff, &id, "cancelled", None)
        .await
        .assert_problem(409, "illegal_transition");
    assert_eq!(problem["allowed"], json!(["validated", "returned"]));

    // Staff return it with a comment (required), the association reports again, staff
    // validate; then nothing moves.
    move_to(&app, &staff, &id, "returned", None)
        .await
        .assert_problem(422, "validation_failed");
    move_to(&app, &staff, &id, "returned", Some("   "))
        .await
        .assert_problem(422, "validation_failed");
    let returned = move_to(
        &app,
        &staff,
        &id,
        "returned",
        Some("Please add the attendance sheet"),
    )
    .await;
    assert_eq!(returned.status, 201, "{}", returned.text);
    let problem = move_to(&app, &member, &id, "cancelled", None)
        .await
        .assert_problem(409, "illegal_transition");
    assert_eq!(problem["allowed"], json!(["reported"]));
    assert_eq!(
        move_to(&app, &member, &id, "reported", None).await.status,
        201
    );
    assert_eq!(
        move_to(&app, &staff, &id, "validated", Some("Thank you"))
            .await
            .status,
        201
    );
    for to in ["planned", "reported", "returned", "cancelled", "validated"] {
        let problem = move_to(&app, &admin, &id, to, Some("x"))
            .await
            .assert_problem(409, "illegal_transition");
        assert_eq!(problem["allowed"], json!([]));
    }

    // The history: every move, oldest first, with its comment and actor.
    let history = app
        .get_as(&member, &format!("/api/v1/restitutions/{id}/transitions"))
        .await
        .json();
    let moves: Vec<(String, String)> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| {
            (
                m["from"].as_str().expect("from").to_owned(),
                m["to"].as_str().expect("to").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            ("planned".into(), "reported".into()),
            ("reported".into(), "returned".into()),
            ("returned".into(), "reported".into()),
            ("reported".into(), "validated".into()),
        ]
    );
    let returned_move = &history["items"][1];
    assert_eq!(returned_move["comment"], "Please add the attendance sheet");
    assert_eq!(returned_move["actor_type"], "user");
    let one = app
        .get_as(
            &member,
            &format!(
                "/api/v1/restitutions/{id}/transitions/{}",
                returned_move["id"].as_str().expect("id")
            ),
        )
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json(), *returned_move);
    let restitution = app
        .get_as(&member, &format!("/api/v1/restitutions/{id}"))
        .await;
    assert_eq!(restitution.json()["status"], "validated");
    assert_eq!(
        restitution.header("etag"),
        format!("\"{}\"", restitution.json()["version"])
    );

    // A plan can be cancelled, which is final.
    let other = planned(&app, &member, &t).await;
    assert_eq!(
        move_to(&app, &member, &other, "cancelled", Some("Venue closed"))
            .await
            .status,
        201
    );
    move_to(&app, &member, &other, "reported", None)
        .await
        .assert_problem(409, "illegal_transition");
}

#[tokio::test]
async fn a_move_honours_if_match_and_clients_never_review() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Versioned Moves").await;
    let id = reported(&app, &admin, &t).await;
    let path = format!("/api/v1/restitutions/{id}/transitions");
    let stale = app
        .write_as(
            reqwest::Method::POST,
            &admin,
            &path,
            Some(json!({"to": "validated"})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    // A partner client with restitutions:write reports for its association, never reviews.
    let client = app
        .client_token(&admin, &["restitutions:write"], Some(&t.association))
        .await;
    move_to(&app, &client, &id, "validated", None)
        .await
        .assert_problem(403, "review_reserved");
    let current = app
        .get_as(&admin, &format!("/api/v1/restitutions/{id}"))
        .await;
    let etag = current.header("etag").to_owned();
    let moved = app
        .write_as(
            reqwest::Method::POST,
            &admin,
            &path,
            Some(json!({"to": "validated"})),
            Some(&etag),
        )
        .await;
    assert_eq!(moved.status, 201, "{}", moved.text);
    // Not allowed comes before a stale version: 403, not 412.
    let member = app.association_user_token(&admin, &t.association).await;
    let other = reported(&app, &admin, &t).await;
    app.write_as(
        reqwest::Method::POST,
        &member,
        &format!("/api/v1/restitutions/{other}/transitions"),
        Some(json!({"to": "validated"})),
        Some("\"1\""),
    )
    .await
    .assert_problem(403, "review_reserved");
    let viewer = app.token_for(&admin, "viewer").await;
    let refused = move_to(&app, &viewer, &id, "returned", Some("x")).await;
    assert_eq!(refused.status, 403);
}
