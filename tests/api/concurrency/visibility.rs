//! Visibility races: one review decided by many, one publication made by many, one month of a
//! calendar taken by many, stories added while their brief goes to review, and one version of
//! a deliverable patched by many.

use super::*;
use crate::visibility::{add_entry, add_story, approve, draft, entry_body, story_body, transition};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_patches_of_one_deliverable_version_have_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = draft(&app, &admin, "brief").await;
    patch_race(
        &app,
        &admin,
        "deliverable",
        &format!("/api/v1/deliverables/{id}"),
        "planned_on",
        |i| json!(format!("2027-03-{:02}", i % 28 + 1)),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_decisions_on_one_review_record_one_move() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = draft(&app, &admin, "other").await;
    let moved = transition(&app, &admin, &id, "in_review", None).await;
    assert_eq!(moved.status, 201, "{}", moved.text);
    let path = format!("/api/v1/deliverables/{id}/transitions");
    // Half approve, half request changes: exactly one decision is taken.
    let shots = (0..N)
        .map(|i| {
            let body = if i % 2 == 0 {
                json!({"to": "approved"})
            } else {
                json!({"to": "draft", "comment": format!("Reviewer {i}")})
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
        "submitted, then one decision"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_publications_of_one_calendar_publish_it_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let featured = crate::visibility::association(&app, &admin, "Race Calendar", &["name"]).await;
    let id = draft(&app, &admin, "calendar").await;
    for month in 1..=12 {
        let reply = add_entry(&app, &admin, &id, entry_body(month, &featured)).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    approve(&app, &admin, &id).await;
    let path = format!("/api/v1/deliverables/{id}/transitions");
    let shots = (0..N)
        .map(|_| Shot::new(Method::POST, &path, Some(&admin)).json(json!({"to": "published"})))
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 201, &[(409, "illegal_transition")]);
    let rows = feed_rows(&app, &admin, "deliverable", &id).await;
    assert_eq!(
        rows,
        upserts(1..=4),
        "created, submitted, approved, published once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_entries_for_one_month_leave_one() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let featured = app.create_association(&admin, "Month Race").await;
    let id = draft(&app, &admin, "calendar").await;
    let path = format!("/api/v1/deliverables/{id}/calendar-entries");
    let shots = (0..N)
        .map(|_| Shot::new(Method::POST, &path, Some(&admin)).json(entry_body(7, &featured)))
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 201, &[(409, "month_taken")]);
    let entries = get_ok(&app, &admin, &path).await;
    assert_eq!(entries["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stories_added_while_the_brief_goes_to_review_are_all_in_or_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let about = app.create_association(&admin, "Story Race").await;
    let id = draft(&app, &admin, "brief").await;
    // One story first, so the brief may go to review at any point of the race.
    let first = add_story(&app, &admin, &id, story_body(&about, &[])).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let stories = format!("/api/v1/deliverables/{id}/stories");
    let moves = format!("/api/v1/deliverables/{id}/transitions");
    let shots = (0..N)
        .map(|i| {
            if i == N / 2 {
                Shot::new(Method::POST, &moves, Some(&admin)).json(json!({"to": "in_review"}))
            } else {
                Shot::new(Method::POST, &stories, Some(&admin)).json(story_body(&about, &[]))
            }
        })
        .collect();
    let replies = fire(&app, shots).await;
    let added = replies
        .iter()
        .enumerate()
        .filter(|(i, r)| *i != N / 2 && r.status == 201)
        .count();
    for (i, reply) in replies.iter().enumerate() {
        if i == N / 2 {
            assert_eq!(reply.status, 201, "the move: {}", reply.text);
        } else if reply.status != 201 {
            reply.assert_problem(409, "deliverable_not_editable");
        }
    }
    let listed = get_ok(&app, &admin, &format!("{stories}?limit=200")).await;
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(added + 1),
        "every story accepted is in the brief, none refused is"
    );
    let review = get_ok(&app, &admin, &moves).await;
    let at = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().expect("a time")).expect("RFC 3339")
    };
    let moved_at = at(&review["items"][0]["occurred_at"]);
    for story in listed["items"].as_array().expect("items") {
        assert!(
            at(&story["created_at"]) <= moved_at,
            "no story was added after the brief went to review"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_publications_of_two_calendars_of_one_year_publish_one() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let featured = crate::visibility::association(&app, &admin, "Year Race", &["name"]).await;
    let mut calendars = Vec::new();
    for _ in 0..2 {
        let id = draft(&app, &admin, "calendar").await;
        for month in 1..=12 {
            let reply = add_entry(&app, &admin, &id, entry_body(month, &featured)).await;
            assert_eq!(reply.status, 201, "{}", reply.text);
        }
        approve(&app, &admin, &id).await;
        calendars.push(id);
    }
    // Half publish one, half the other: one calendar of 2031 is published, once.
    let shots = (0..N)
        .map(|i| {
            let path = format!("/api/v1/deliverables/{}/transitions", calendars[i % 2]);
            Shot::new(Method::POST, &path, Some(&admin)).json(json!({"to": "published"}))
        })
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(
        &replies,
        201,
        &[(409, "illegal_transition"), (409, "calendar_year_taken")],
    );
    let published = get_ok(
        &app,
        &admin,
        "/api/v1/deliverables?kind=calendar&status=published",
    )
    .await;
    assert_eq!(published["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stories_added_while_their_draft_is_deleted_go_with_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let about = app.create_association(&admin, "Delete Race").await;
    let id = draft(&app, &admin, "brief").await;
    let stories = format!("/api/v1/deliverables/{id}/stories");
    let shots = (0..N)
        .map(|i| {
            if i == N / 2 {
                Shot::new(
                    Method::DELETE,
                    &format!("/api/v1/deliverables/{id}"),
                    Some(&admin),
                )
            } else {
                Shot::new(Method::POST, &stories, Some(&admin)).json(story_body(&about, &[]))
            }
        })
        .collect();
    let replies = fire(&app, shots).await;
    assert_eq!(
        replies[N / 2].status,
        204,
        "the delete: {}",
        replies[N / 2].text
    );
    let mut added = Vec::new();
    for (i, reply) in replies.iter().enumerate() {
        if i == N / 2 {
            continue;
        }
        if reply.status == 201 {
            added.push(reply.json()["id"].as_str().expect("id").to_owned());
        } else {
            reply.assert_problem(404, "not_found");
        }
    }
    // Every story added before the delete went with it: the feed has its tombstone.
    let feed = get_ok(
        &app,
        &admin,
        "/api/v1/changes?limit=200&types=deliverable_story",
    )
    .await;
    for story in &added {
        let last = feed["items"]
            .as_array()
            .expect("items")
            .iter()
            .rev()
            .find(|c| c["id"] == story.as_str())
            .expect("in the feed");
        assert_eq!(last["op"], "delete", "story {story} outlived its brief");
    }
}
