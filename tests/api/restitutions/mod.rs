//! Restitutions: planning with trained facilitators, the review cycle, evidence files, the
//! export, and who may see what. Fixtures here give an association whose representatives
//! completed a module, in a few calls.

mod evidence;
mod exports;
mod isolation;
mod rules;
mod transitions;

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};
use crate::training::{M3, enrolled_pair, session, take_attendance};

/// The day the fixture's representatives completed module 3.
pub const COMPLETED_ON: &str = "2026-03-05";
/// A day after it.
pub const HELD_ON: &str = "2026-04-10";

/// A selected association whose two representatives completed module 3 (two days, both
/// attended) on [`COMPLETED_ON`].
pub struct Trained {
    pub association: String,
    pub people: Vec<String>,
}

/// An association whose representatives completed module 3.
pub async fn trained(app: &TestApp, admin: &str, name: &str) -> Trained {
    let (association, people, _) = enrolled_pair(app, admin, name, M3).await;
    let sheet: Vec<Value> = people
        .iter()
        .map(|p| json!({"person_id": p, "status": "present"}))
        .collect();
    for (day, date) in [(1, "2026-03-04"), (2, COMPLETED_ON)] {
        let id = session(app, admin, M3, day, date, "held").await;
        let reply = take_attendance(app, admin, &id, json!(sheet)).await;
        assert_eq!(reply.status, 200, "attendance: {}", reply.text);
    }
    Trained {
        association,
        people,
    }
}

/// A valid plan by the first representative.
pub fn plan(t: &Trained) -> Value {
    json!({
        "association_id": t.association, "module_ids": [M3], "facilitator_ids": [t.people[0]],
        "planned_on": HELD_ON, "location": {"city": "Liège", "postal_code": "4000"},
        "language": "fr", "topics": ["Women in peacebuilding"]
    })
}

/// `POST /api/v1/restitutions` as `token`.
pub async fn create(app: &TestApp, token: &str, body: Value) -> Reply {
    app.post_json(Some(token), "/api/v1/restitutions", body)
        .await
}

/// A planned restitution's id.
pub async fn planned(app: &TestApp, token: &str, t: &Trained) -> String {
    let reply = create(app, token, plan(t)).await;
    assert_eq!(reply.status, 201, "plan: {}", reply.text);
    reply.json()["id"].as_str().expect("id").to_owned()
}

/// `PATCH` a restitution as `token`.
pub async fn patch(app: &TestApp, token: &str, id: &str, body: Value) -> Reply {
    app.patch_as(token, &format!("/api/v1/restitutions/{id}"), body, None)
        .await
}

/// Adds a link as evidence.
pub async fn add_link(app: &TestApp, token: &str, id: &str) -> Reply {
    app.post_json(
        Some(token),
        &format!("/api/v1/restitutions/{id}/evidence"),
        json!({"kind": "report", "description": "Report on our website",
            "url": "https://example.org/restitution.pdf"}),
    )
    .await
}

/// `POST .../transitions` as `token`.
pub async fn move_to(
    app: &TestApp,
    token: &str,
    id: &str,
    to: &str,
    comment: Option<&str>,
) -> Reply {
    let mut body = json!({"to": to});
    if let Some(comment) = comment {
        body["comment"] = comment.into();
    }
    app.post_json(
        Some(token),
        &format!("/api/v1/restitutions/{id}/transitions"),
        body,
    )
    .await
}

/// A restitution held, counted and evidenced, ready to report: its id.
pub async fn ready(app: &TestApp, token: &str, t: &Trained) -> String {
    let id = planned(app, token, t).await;
    let reply = patch(
        app,
        token,
        &id,
        json!({"held_on": HELD_ON, "attendees": {"women": 14, "men": 2, "undisclosed": 1},
            "youth_attendees": 5}),
    )
    .await;
    assert_eq!(reply.status, 200, "held: {}", reply.text);
    assert_eq!(add_link(app, token, &id).await.status, 201);
    id
}

/// A reported restitution's id.
pub async fn reported(app: &TestApp, token: &str, t: &Trained) -> String {
    let id = ready(app, token, t).await;
    let reply = move_to(app, token, &id, "reported", None).await;
    assert_eq!(reply.status, 201, "report: {}", reply.text);
    id
}

/// A `multipart/form-data` body: text fields, then a file field named `file`.
pub fn form(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "empower-evidence-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .into_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .into_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads a file as evidence of `kind`.
pub async fn upload(
    app: &TestApp,
    token: &str,
    id: &str,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
) -> Reply {
    let (content_type, body) = form(
        &[("kind", kind), ("description", "Uploaded from a phone")],
        Some((file_name, bytes)),
    );
    app.send(
        reqwest::Method::POST,
        &format!("/api/v1/restitutions/{id}/evidence"),
        |r| {
            r.bearer_auth(token)
                .header("Content-Type", content_type)
                .body(body)
        },
    )
    .await
}

/// A small PDF.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
/// The PNG signature and a little more: a PNG by its content.
pub const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];
/// The start of a JPEG.
pub const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0];
