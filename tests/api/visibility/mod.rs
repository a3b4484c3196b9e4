//! Visibility deliverables: the workflow and its publishing checks, stories, calendar entries,
//! disseminations, and the public endpoints with their consent filtering, languages, CSV and
//! iCalendar. Fixtures here build consenting associations and publishable deliverables in a
//! few calls.

mod parts;
mod public;
mod repertoire;
mod workflow;

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

/// Every field publication consent may cover.
pub const ALL_FIELDS: [&str; 14] = [
    "name",
    "acronym",
    "legal_form",
    "founded_year",
    "city",
    "region",
    "countries_of_origin",
    "sdgs",
    "thematic_areas",
    "intervention_regions",
    "member_count",
    "website",
    "email",
    "phone",
];

/// An association with every profile field filled, consenting to publish `fields` (none:
/// consent not granted).
pub fn association_body(name: &str, fields: &[&str]) -> Value {
    json!({
        "name": name, "acronym": "ACR", "legal_form": "de_facto", "founded_year": 2011,
        "member_count": 42,
        "address": {"street": "Rue Haute 1", "postal_code": "4000", "city": "Liège"},
        "countries_of_origin": ["BF", "ML"], "sdgs": [5, 8],
        "thematic_areas": ["Entrepreneurship"], "intervention_regions": "Centre-Nord",
        "woman_led": true,
        "contact": {"email": "contact@fields.example", "phone": "+32 4 123 45 67",
            "website": "https://fields.example"},
        "publication_consent": {"granted": !fields.is_empty(), "fields": fields}
    })
}

/// An association consenting to publish `fields`: its id.
pub async fn association(app: &TestApp, admin: &str, name: &str, fields: &[&str]) -> String {
    let reply = app
        .post_json(
            Some(admin),
            "/api/v1/associations",
            association_body(name, fields),
        )
        .await;
    assert_eq!(reply.status, 201, "association: {}", reply.text);
    id(&reply)
}

/// Grants or withdraws an association's publication consent.
pub async fn set_consent(app: &TestApp, admin: &str, association: &str, fields: &[&str]) {
    let reply = app
        .patch_as(
            admin,
            &format!("/api/v1/associations/{association}"),
            json!({"publication_consent": {"granted": !fields.is_empty(), "fields": fields}}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "consent: {}", reply.text);
}

/// A person of an association, with a publication consent granted or not (none recorded when
/// `consent` is `None`).
pub async fn person(
    app: &TestApp,
    admin: &str,
    association: &str,
    consent: Option<bool>,
) -> String {
    let reply = app
        .post_json(
            Some(admin),
            &format!("/api/v1/associations/{association}/people"),
            json!({"first_name": "Awa", "last_name": "Storyteller", "gender": "female"}),
        )
        .await;
    assert_eq!(reply.status, 201, "person: {}", reply.text);
    let person = id(&reply);
    if let Some(granted) = consent {
        person_consent(app, admin, &person, granted).await;
    }
    person
}

/// Records a person's publication consent.
pub async fn person_consent(app: &TestApp, admin: &str, person: &str, granted: bool) {
    let reply = app
        .post_json(
            Some(admin),
            &format!("/api/v1/people/{person}/consents"),
            json!({"purpose": "publication", "granted": granted, "text_version": "2026-10"}),
        )
        .await;
    assert_eq!(reply.status, 201, "person consent: {}", reply.text);
}

/// The id of a created record.
pub fn id(reply: &Reply) -> String {
    reply.json()["id"].as_str().expect("id").to_owned()
}

/// A deliverable of `kind` (a calendar of 2031).
pub fn body(kind: &str) -> Value {
    let mut body = json!({
        "kind": kind,
        "title": {"fr": "Histoires de réussite", "nl": "Succesverhalen", "en": "Success stories"},
        "summary": {"fr": "Des associations qui changent des vies.", "en": "Associations changing lives."},
        "languages": ["fr", "nl", "en"], "sdgs": [5]
    });
    if kind == "calendar" {
        body["year"] = json!(2031);
    }
    body
}

/// `POST /api/v1/deliverables`.
pub async fn create(app: &TestApp, token: &str, body: Value) -> Reply {
    app.post_json(Some(token), "/api/v1/deliverables", body)
        .await
}

/// A draft deliverable of `kind`: its id.
pub async fn draft(app: &TestApp, admin: &str, kind: &str) -> String {
    let reply = create(app, admin, body(kind)).await;
    assert_eq!(reply.status, 201, "deliverable: {}", reply.text);
    id(&reply)
}

/// A story about `association` naming `people`.
pub fn story_body(association: &str, people: &[&str]) -> Value {
    json!({
        "association_id": association,
        "title": {"fr": "Une coopérative à Kaya", "en": "A cooperative in Kaya"},
        "body": {"fr": "Quarante productrices.", "en": "Forty producers."},
        "person_ids": people, "country": "BF", "sdgs": [5, 8],
        "quote": "Nous avons appris.", "image_url": "https://example.org/kaya.jpg"
    })
}

/// Adds a story to a brief.
pub async fn add_story(app: &TestApp, token: &str, brief: &str, body: Value) -> Reply {
    app.post_json(
        Some(token),
        &format!("/api/v1/deliverables/{brief}/stories"),
        body,
    )
    .await
}

/// A calendar month featuring `association`.
pub fn entry_body(month: i32, association: &str) -> Value {
    json!({
        "month": month, "association_id": association,
        "headline": {"fr": format!("Mois {month}"), "nl": format!("Maand {month}"), "en": format!("Month {month}")},
        "caption": {"fr": "Les femmes de Kaya, ensemble.", "en": "The women of Kaya, together."},
        "image_url": "https://example.org/month.jpg"
    })
}

/// Adds a month to a calendar.
pub async fn add_entry(app: &TestApp, token: &str, calendar: &str, body: Value) -> Reply {
    app.post_json(
        Some(token),
        &format!("/api/v1/deliverables/{calendar}/calendar-entries"),
        body,
    )
    .await
}

/// Moves a deliverable.
pub async fn transition(
    app: &TestApp,
    token: &str,
    id: &str,
    to: &str,
    comment: Option<&str>,
) -> Reply {
    let mut body = json!({"to": to});
    if let Some(comment) = comment {
        body["comment"] = json!(comment);
    }
    app.post_json(
        Some(token),
        &format!("/api/v1/deliverables/{id}/transitions"),
        body,
    )
    .await
}

/// Moves a draft to `approved`.
pub async fn approve(app: &TestApp, admin: &str, id: &str) {
    for to in ["in_review", "approved"] {
        let reply = transition(app, admin, id, to, None).await;
        assert_eq!(reply.status, 201, "to {to}: {}", reply.text);
    }
}

/// Moves a draft to `published`.
pub async fn publish(app: &TestApp, admin: &str, id: &str) {
    approve(app, admin, id).await;
    let reply = transition(app, admin, id, "published", None).await;
    assert_eq!(reply.status, 201, "publish: {}", reply.text);
}

/// A published deliverable of kind `other`: its id.
pub async fn published_other(app: &TestApp, admin: &str) -> String {
    let id = draft(app, admin, "other").await;
    publish(app, admin, &id).await;
    id
}

/// A calendar of 2031 with twelve months featuring `association`, published: its id.
pub async fn published_calendar(app: &TestApp, admin: &str, association: &str) -> String {
    let id = draft(app, admin, "calendar").await;
    for month in 1..=12 {
        let reply = add_entry(app, admin, &id, entry_body(month, association)).await;
        assert_eq!(reply.status, 201, "entry {month}: {}", reply.text);
    }
    publish(app, admin, &id).await;
    id
}

/// A brief with one story about `association` naming `people`, published: its id.
pub async fn published_brief(
    app: &TestApp,
    admin: &str,
    association: &str,
    people: &[&str],
) -> String {
    let id = draft(app, admin, "brief").await;
    let reply = add_story(app, admin, &id, story_body(association, people)).await;
    assert_eq!(reply.status, 201, "story: {}", reply.text);
    publish(app, admin, &id).await;
    id
}
