//! Training races: the last place of a module, the same person enrolled twice, one assessment
//! of a kind, and parallel sheets of one session.

use super::*;
use crate::training::{M1, M3, association_in, enrolled, person, session};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_enrolments_for_the_last_place_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let home = association_in(&app, &admin, "Last Place", "selected").await;
    let first = person(&app, &admin, &home, "Awa", "First", true).await;
    enrolled(&app, &admin, &first, M1).await;
    let mut hopefuls = Vec::new();
    for i in 0..N {
        hopefuls.push(person(&app, &admin, &home, "Rep", &format!("Hopeful {i}"), true).await);
    }
    let shots = hopefuls
        .iter()
        .map(|p| {
            Shot::new(Method::POST, "/api/v1/enrollments", Some(&admin))
                .json(json!({"person_id": p, "module_id": M1}))
        })
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 201, &[(422, "representative_limit_reached")]);
    let listed = get_ok(
        &app,
        &admin,
        &format!("/api/v1/enrollments?association_id={home}&module_id={M1}&status=enrolled"),
    )
    .await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_enrolments_of_one_person_enrol_her_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let home = association_in(&app, &admin, "Once Only", "selected").await;
    let rep = person(&app, &admin, &home, "Awa", "Once", true).await;
    let shots = (0..N)
        .map(|_| {
            Shot::new(Method::POST, "/api/v1/enrollments", Some(&admin))
                .json(json!({"person_id": rep, "module_id": M1}))
        })
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 201, &[(409, "already_enrolled")]);
    let transitions = get_ok(
        &app,
        &admin,
        &format!("/api/v1/associations/{home}/transitions"),
    )
    .await;
    assert_eq!(
        transitions["items"].as_array().map(Vec::len),
        Some(3),
        "the move to active is made once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_assessments_of_one_kind_record_one() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let home = association_in(&app, &admin, "One Pre Test", "selected").await;
    let rep = person(&app, &admin, &home, "Awa", "Tested", true).await;
    let enrolment = enrolled(&app, &admin, &rep, M3).await;
    let path = format!("/api/v1/enrollments/{enrolment}/assessments");
    let shots = (0..N)
        .map(|i| {
            Shot::new(Method::POST, &path, Some(&admin))
                .json(json!({"kind": "pre", "score": i, "taken_on": "2026-10-01"}))
        })
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 201, &[(409, "assessment_exists")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_sheets_of_one_session_leave_one_line_per_person() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let home = association_in(&app, &admin, "Sheet Race", "selected").await;
    let rep = person(&app, &admin, &home, "Awa", "Raced", true).await;
    let enrolment = enrolled(&app, &admin, &rep, M3).await;
    let held = session(&app, &admin, M3, 1, "2026-04-01", "held").await;
    let path = format!("/api/v1/training-sessions/{held}/attendance");
    let shots = (0..N)
        .map(|i| {
            let status = if i % 2 == 0 { "present" } else { "absent" };
            Shot::new(Method::PUT, &path, Some(&admin))
                .json(json!([{"person_id": rep, "status": status}]))
        })
        .collect();
    let replies = fire(&app, shots).await;
    assert!(
        replies.iter().all(|r| r.status == 200),
        "{:?}",
        statuses(&replies)
    );
    let sheet = get_ok(&app, &admin, &path).await;
    assert_eq!(sheet.as_array().map(Vec::len), Some(1), "one line: {sheet}");
    let read = get_ok(&app, &admin, &format!("/api/v1/enrollments/{enrolment}")).await;
    let present = sheet[0]["status"] == "present";
    assert_eq!(read["attended_days"], if present { 1 } else { 0 });

    // With the version read: exactly one of the writers holding it wins.
    let version = app.get_as(&admin, &path).await.header("etag").to_owned();
    // Every body differs from the sheet as it stands, so the first to commit moves the version.
    let shots = (0..N)
        .map(|_| {
            Shot::new(Method::PUT, &path, Some(&admin))
                .json(json!([{"person_id": rep, "status": "excused", "arrived_late": true}]))
                .if_match(&version)
        })
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 200, STALE);
}
