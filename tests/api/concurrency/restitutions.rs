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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_report_racing_the_removal_of_its_only_evidence_never_stands_without_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Report Race").await;
    let id = crate::restitutions::ready(&app, &admin, &t).await;
    let evidence = get_ok(&app, &admin, &format!("/api/v1/restitutions/{id}/evidence")).await;
    let item = evidence["items"][0]["id"]
        .as_str()
        .expect("item")
        .to_owned();
    let shots = (0..N)
        .map(|i| {
            if i % 2 == 0 {
                Shot::new(
                    Method::POST,
                    &format!("/api/v1/restitutions/{id}/transitions"),
                    Some(&admin),
                )
                .json(json!({"to": "reported"}))
            } else {
                Shot::new(
                    Method::DELETE,
                    &format!("/api/v1/restitutions/{id}/evidence/{item}"),
                    Some(&admin),
                )
            }
        })
        .collect();
    let replies = fire(&app, shots).await;
    assert!(replies.iter().all(|r| r.status < 500), "no server error");
    let reported = replies.iter().filter(|r| r.status == 201).count();
    let removed = replies.iter().filter(|r| r.status == 204).count();
    assert_eq!(
        reported + removed,
        1,
        "either the report or the removal, once"
    );
    let now = get_ok(&app, &admin, &format!("/api/v1/restitutions/{id}")).await;
    let left = get_ok(&app, &admin, &format!("/api/v1/restitutions/{id}/evidence")).await;
    let items = left["items"].as_array().map_or(0, Vec::len);
    if reported == 1 {
        assert_eq!(now["status"], "reported");
        assert_eq!(items, 1, "a report keeps its evidence");
    } else {
        assert_eq!(now["status"], "planned");
        assert_eq!(items, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn evidence_added_while_its_restitution_is_deleted_is_never_left_behind() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Delete Race").await;
    let id = planned(&app, &admin, &t).await;
    let path = format!("/api/v1/restitutions/{id}");
    let shots = (0..N)
        .map(|i| {
            if i == N / 2 {
                Shot::new(Method::DELETE, &path, Some(&admin))
            } else {
                Shot::new(Method::POST, &format!("{path}/evidence"), Some(&admin)).json(json!({
                    "kind": "other", "description": format!("Late {i}"),
                    "url": format!("https://example.org/late/{i}")
                }))
            }
        })
        .collect();
    let replies = fire(&app, shots).await;
    assert!(replies.iter().all(|r| r.status < 500), "no server error");
    assert_eq!(replies[N / 2].status, 204, "{}", replies[N / 2].text);
    // Every item added before the delete went with it, and none came after: the feed has a
    // tombstone for each item it announced.
    let feed = get_ok(
        &app,
        &admin,
        "/api/v1/changes?limit=200&types=restitution_evidence",
    )
    .await;
    let mut live: BTreeMap<String, bool> = BTreeMap::new();
    for item in feed["items"].as_array().expect("items") {
        live.insert(
            item["id"].as_str().expect("id").to_owned(),
            item["op"] == "upsert",
        );
    }
    let added = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(live.len(), added, "one feed history per item added");
    assert!(
        live.values().all(|up| !up),
        "no item outlives its restitution"
    );
    for reply in replies
        .iter()
        .filter(|r| r.status != 201 && r.status != 204)
    {
        reply.assert_problem(404, "not_found");
    }
}
