//! The training: modules, sessions, enrolments, attendance, completion, assessments,
//! certificates and the calendar feed. Fixtures here build a programme in a few calls.

mod attendance;
mod calendar;
mod certificates;
mod enrollments;
mod modules;

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

/// The seeded modules' ids.
pub const M1: &str = "019ac000-0000-7000-8000-000000000001";
pub const M2: &str = "019ac000-0000-7000-8000-000000000002";
pub const M3: &str = "019ac000-0000-7000-8000-000000000003";

/// An association moved to `status` (`applicant`, `shortlisted` or `selected`) by the admin.
pub async fn association_in(app: &TestApp, admin: &str, name: &str, status: &str) -> String {
    let id = app.create_association(admin, name).await;
    let path: &[&str] = match status {
        "applicant" => &[],
        "shortlisted" => &["shortlisted"],
        _ => &["shortlisted", "selected"],
    };
    for to in path {
        let reply = app
            .post_json(
                Some(admin),
                &format!("/api/v1/associations/{id}/transitions"),
                json!({"to": to, "reason": "test", "override": true}),
            )
            .await;
        assert_eq!(reply.status, 201, "to {to}: {}", reply.text);
    }
    id
}

/// A person of `association`; a representative when `representative`.
pub async fn person(
    app: &TestApp,
    admin: &str,
    association: &str,
    first_name: &str,
    last_name: &str,
    representative: bool,
) -> String {
    let reply = app
        .post_json(
            Some(admin),
            &format!("/api/v1/associations/{association}/people"),
            json!({"first_name": first_name, "last_name": last_name, "gender": "female",
                "is_representative": representative}),
        )
        .await;
    assert_eq!(reply.status, 201, "person: {}", reply.text);
    reply.json()["id"].as_str().expect("id").to_owned()
}

/// `POST /api/v1/enrollments`.
pub async fn enrol(app: &TestApp, token: &str, person: &str, module: &str) -> Reply {
    app.post_json(
        Some(token),
        "/api/v1/enrollments",
        json!({"person_id": person, "module_id": module}),
    )
    .await
}

/// Enrols and returns the enrolment's id.
pub async fn enrolled(app: &TestApp, admin: &str, person: &str, module: &str) -> String {
    let reply = enrol(app, admin, person, module).await;
    assert_eq!(reply.status, 201, "enrol: {}", reply.text);
    reply.json()["id"].as_str().expect("id").to_owned()
}

/// A session of `module`'s day `day` on `date`, in `status`: its id.
pub async fn session(
    app: &TestApp,
    admin: &str,
    module: &str,
    day: i32,
    date: &str,
    status: &str,
) -> String {
    let reply = app
        .post_json(
            Some(admin),
            "/api/v1/training-sessions",
            session_body(module, day, date, status),
        )
        .await;
    assert_eq!(reply.status, 201, "session: {}", reply.text);
    reply.json()["id"].as_str().expect("id").to_owned()
}

/// A valid session body.
pub fn session_body(module: &str, day: i32, date: &str, status: &str) -> Value {
    json!({"module_id": module, "day_number": day, "date": date, "starts_at": "09:30",
        "ends_at": "16:30", "venue": "Maison des Associations, Brussels",
        "facilitators": ["Test Trainer"], "capacity": 30, "status": status})
}

/// `PUT` a session's sheet.
pub async fn take_attendance(app: &TestApp, admin: &str, session: &str, sheet: Value) -> Reply {
    app.write_as(
        reqwest::Method::PUT,
        admin,
        &format!("/api/v1/training-sessions/{session}/attendance"),
        Some(sheet),
        None,
    )
    .await
}

/// Today in Brussels, as the server sees it.
pub fn today() -> String {
    empower_domain::time::brussels_today().to_string()
}

/// A selected association with two representatives enrolled in `module`: (association,
/// [person ids], [enrolment ids]).
pub async fn enrolled_pair(
    app: &TestApp,
    admin: &str,
    name: &str,
    module: &str,
) -> (String, Vec<String>, Vec<String>) {
    let association = association_in(app, admin, name, "selected").await;
    let mut people = Vec::new();
    let mut enrolments = Vec::new();
    for first in ["Awa", "Binta"] {
        let id = person(app, admin, &association, first, name, true).await;
        enrolments.push(enrolled(app, admin, &id, module).await);
        people.push(id);
    }
    (association, people, enrolments)
}
