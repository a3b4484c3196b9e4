//! Training races: the last place of a module, the same person enrolled twice, one assessment
//! of a kind, and parallel sheets of one session.

use super::*;
use crate::training::{M1, M3, association_in, enrolled, person, session, session_body};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_patches_of_each_training_record_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let module = created(
        &app,
        &admin,
        "/api/v1/modules",
        json!({"code": "M40", "title": {"en": "Race"}, "description": {"en": "Race"},
            "planned_days": 1, "days": [{"day_number": 1, "topic": {"en": "All"}}]}),
    )
    .await;
    let module = format!("/api/v1/modules/{}", module["id"].as_str().expect("id"));
    patch_race(&app, &admin, "module", &module, "min_attendance_pct", |i| {
        json!(50 + i)
    })
    .await;
    let partner = created(
        &app,
        &admin,
        "/api/v1/partners",
        json!({"name": "Race Partner", "kind": "ngo"}),
    )
    .await;
    let partner = format!("/api/v1/partners/{}", partner["id"].as_str().expect("id"));
    patch_race(&app, &admin, "partner", &partner, "notes", |i| {
        json!(format!("Note {i}"))
    })
    .await;
    let sitting = session(&app, &admin, M1, 1, "2027-02-01", "planned").await;
    let sitting = format!("/api/v1/training-sessions/{sitting}");
    patch_race(
        &app,
        &admin,
        "training_session",
        &sitting,
        "capacity",
        |i| json!(10 + i),
    )
    .await;
    let home = association_in(&app, &admin, "Race Scores", "selected").await;
    let rep = person(&app, &admin, &home, "Awa", "Scored", true).await;
    let enrolment = enrolled(&app, &admin, &rep, M3).await;
    let pre = created(
        &app,
        &admin,
        &format!("/api/v1/enrollments/{enrolment}/assessments"),
        json!({"kind": "pre", "score": 1, "taken_on": "2026-10-01"}),
    )
    .await;
    let pre = format!("/api/v1/assessments/{}", pre["id"].as_str().expect("id"));
    patch_race(&app, &admin, "assessment", &pre, "score", |i| json!(i + 2)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_creates_of_one_partner_name_or_module_code_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let shots = (0..N)
        .map(|i| {
            // The same name in other cases and accents: one name.
            let name = if i % 2 == 0 {
                "Réseau Paix"
            } else {
                "RESEAU PAIX"
            };
            Shot::new(Method::POST, "/api/v1/partners", Some(&admin))
                .json(json!({"name": name, "kind": "ngo"}))
        })
        .collect();
    one_winner(&fire(&app, shots).await, 201, &[(409, "conflict")]);
    let shots = (0..N)
        .map(|i| {
            Shot::new(Method::POST, "/api/v1/modules", Some(&admin)).json(json!({
                "code": "M41", "title": {"en": format!("Race {i}")}, "description": {"en": "Race"},
                "planned_days": 1, "days": [{"day_number": 1, "topic": {"en": "All"}}]
            }))
        })
        .collect();
    one_winner(&fire(&app, shots).await, 201, &[(409, "conflict")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_module_deleted_while_sessions_are_scheduled_is_never_deleted_under_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let module = created(
        &app,
        &admin,
        "/api/v1/modules",
        json!({"code": "M42", "title": {"en": "Race"}, "description": {"en": "Race"},
            "planned_days": 1, "days": [{"day_number": 1, "topic": {"en": "All"}}]}),
    )
    .await;
    let id = module["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/modules/{id}");
    let mut shots: Vec<Shot> =
        (0..N - 1)
            .map(|_| {
                Shot::new(Method::POST, "/api/v1/training-sessions", Some(&admin))
                    .json(session_body(&id, 1, "2027-03-01", "planned"))
            })
            .collect();
    shots.insert(N / 2, Shot::new(Method::DELETE, &path, Some(&admin)));
    let replies = fire(&app, shots).await;
    assert!(
        replies.iter().all(|r| r.status < 500),
        "{:?}",
        statuses(&replies)
    );
    let created_sessions = replies.iter().filter(|r| r.status == 201).count();
    let deleted = replies[N / 2].status == 204;
    if deleted {
        // Sessions that came after it find no module; none came before it.
        assert_eq!(created_sessions, 0, "{:?}", statuses(&replies));
        app.get_as(&admin, &path)
            .await
            .assert_problem(404, "not_found");
    } else {
        replies[N / 2].assert_problem(409, "module_in_use");
        assert!(created_sessions > 0);
    }
    let listed = get_ok(
        &app,
        &admin,
        &format!("/api/v1/training-sessions?module_id={id}&limit=200"),
    )
    .await;
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(created_sessions),
        "every session created is there, and none without its module"
    );
}
