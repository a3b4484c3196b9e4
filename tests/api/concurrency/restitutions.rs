//! Restitution races: one version patched by many, one report reviewed by many, one move
//! made by many, and the last evidence place taken by many.

use super::*;
use crate::restitutions::{add_link, planned, reported, trained};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_patches_of_one_restitution_version_have_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Patch Race").await;
    let id = planned(&app, &admin, &t).await;
    patch_race(
        &app,
        &admin,
        "restitution",
        &format!("/api/v1/restitutions/{id}"),
        "notes",
        |i| json!(format!("Note {i}")),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_reviews_of_one_report_record_one_move() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Review Race").await;
    let id = reported(&app, &admin, &t).await;
    let path = format!("/api/v1/restitutions/{id}/transitions");
    // Half validate, half return: exactly one review happens.
    let shots = (0..N)
        .map(|i| {
            let body = if i % 2 == 0 {
                json!({"to": "validated"})
            } else {
                json!({"to": "returned", "comment": format!("Reviewer {i}")})
            };
            Shot::new(Method::POST, &path, Some(&admin)).json(body)
        })
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 201, &[(409, "illegal_transition")]);
    let history = get_ok(&app, &admin, &path).await;
    assert_eq!(
        history["items"].as_array().map(Vec::len),
        Some(2),
        "reported, then one review"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_cancellations_move_a_plan_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Cancel Race").await;
    let member = app.association_user_token(&admin, &t.association).await;
    let id = planned(&app, &member, &t).await;
    let path = format!("/api/v1/restitutions/{id}/transitions");
    let shots = (0..N)
        .map(|_| Shot::new(Method::POST, &path, Some(&member)).json(json!({"to": "cancelled"})))
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 201, &[(409, "illegal_transition")]);
    let now = get_ok(&app, &admin, &format!("/api/v1/restitutions/{id}")).await;
    assert_eq!(now["version"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_uploads_for_the_last_evidence_place_have_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Evidence Race").await;
    let id = planned(&app, &admin, &t).await;
    for _ in 0..19 {
        assert_eq!(add_link(&app, &admin, &id).await.status, 201);
    }
    let path = format!("/api/v1/restitutions/{id}/evidence");
    // Half send links, half upload files (each different): the losers' files are not kept.
    let shots = (0..N)
        .map(|i| {
            let shot = Shot::new(Method::POST, &path, Some(&admin));
            if i % 2 == 0 {
                shot.json(json!({
                    "kind": "other", "description": format!("Racer {i}"),
                    "url": format!("https://example.org/{i}")
                }))
            } else {
                let mut pdf = crate::restitutions::PDF.to_vec();
                pdf.extend(format!("% racer {i}\n").into_bytes());
                let (content_type, body) = crate::restitutions::form(
                    &[("kind", "report"), ("description", "Racer")],
                    Some(("racer.pdf", &pdf)),
                );
                shot.raw(content_type, body)
            }
        })
        .collect();
    let replies = fire(&app, shots).await;
    let winner = one_winner(&replies, 201, &[(409, "evidence_limit_reached")]);
    let listed = get_ok(&app, &admin, &format!("{path}?limit=200")).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(20));
    let stored: Vec<String> = std::fs::read_dir(app.db().files_dir())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| !name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    let files_won = usize::from(winner % 2 == 1);
    assert_eq!(
        stored.len(),
        files_won,
        "only the winner's file is kept: {stored:?}"
    );
}
