//! The conformance kit: every convention of `shared/api-conventions.md` run against a resource
//! described in a few lines. Every synced resource runs it; a new one adds a test below.
//!
//! Checked: create is 201 with `Location` and `ETag`; the read answers the same body and `ETag`,
//! and 304 to `If-None-Match`; a plain JSON patch is 415; unknown and read-only fields are 400s
//! naming them; a stale `If-Match` is 412 and writes nothing; a retried create with an
//! `Idempotency-Key` replays; delete is 204, then the read is 404 and the feed has a tombstone;
//! a caller bound to another association gets 404. A record that is never changed, only added
//! and removed (evidence items), has no patch: an unknown field in its create is a 400 naming
//! it, and a stale `If-Match` on its delete is 412 and deletes nothing.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

/// A resource as the kit sees it.
pub struct Resource {
    /// Where it is created (`POST`).
    pub collection: String,
    /// A valid create body, unique per `tag` (names must not collide).
    pub body: Box<dyn Fn(&str) -> Value>,
    /// A merge patch that changes something; `Value::Null` for a record without `PATCH`.
    pub patch: Value,
    /// JSON pointers a patch may not name.
    pub read_only: &'static [&'static str],
    /// Its type in the change feed.
    pub feed_type: &'static str,
    /// Programme-wide (modules, sessions...): a caller bound to an association reads it too.
    pub programme_wide: bool,
    /// Fields the create answers once and the read never shows (a secret).
    pub shown_once: &'static [&'static str],
    /// Whether it is synced (in the change feed, with a tombstone when deleted).
    pub in_feed: bool,
}

async fn post(app: &TestApp, token: &str, path: &str, body: &Value, key: Option<&str>) -> Reply {
    app.send(reqwest::Method::POST, path, |r| {
        let r = r.bearer_auth(token).json(body);
        match key {
            Some(key) => r.header("Idempotency-Key", key),
            None => r,
        }
    })
    .await
}

/// Runs every convention against `resource`, as the admin, with `stranger` a token of a caller
/// bound to another association (or, for a client's own records, another client).
pub async fn check(app: &TestApp, admin: &str, stranger: &str, resource: &Resource) {
    let name = resource.feed_type;
    // Create: 201, Location, ETag.
    let created = post(
        app,
        admin,
        &resource.collection,
        &(resource.body)("kit"),
        None,
    )
    .await;
    assert_eq!(created.status, 201, "{name}: create: {}", created.text);
    let location = created.header("location").to_owned();
    assert!(
        location.starts_with("/api/v1/"),
        "{name}: Location {location:?}"
    );
    let etag = created.header("etag").to_owned();
    assert_eq!(etag, "\"1\"", "{name}: ETag of a new record");
    let id = created.json()["id"].as_str().expect("id").to_owned();
    assert!(location.ends_with(&id), "{name}: Location names the record");

    // Read: the same body (less what is shown once) and ETag; 304 when the client has it.
    let read = app.get_as(admin, &location).await;
    assert_eq!(read.status, 200, "{name}: read");
    let mut answered = created.json();
    for field in resource.shown_once {
        let shown = answered.as_object_mut().and_then(|o| o.remove(*field));
        assert!(shown.is_some(), "{name}: the create shows {field}");
    }
    assert_eq!(read.json(), answered, "{name}: read = created");
    assert_eq!(read.header("etag"), etag);
    let cached = app
        .send(reqwest::Method::GET, &location, |r| {
            r.bearer_auth(admin).header("If-None-Match", etag.as_str())
        })
        .await;
    assert_eq!(cached.status, 304, "{name}: If-None-Match");

    let changes = if resource.patch.is_null() {
        without_patch(app, admin, resource, &location).await;
        1
    } else {
        with_patch(app, admin, resource, &location).await;
        2
    };

    // A retried create with the same key replays the first answer.
    let body = (resource.body)("kit-replay");
    let first = post(app, admin, &resource.collection, &body, Some("kit-key")).await;
    assert_eq!(first.status, 201, "{name}: {}", first.text);
    let again = post(app, admin, &resource.collection, &body, Some("kit-key")).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.text, first.text, "{name}: replayed");
    assert_eq!(again.header("idempotent-replayed"), "true");

    // Another association's caller does not see it; a programme-wide record it does.
    if resource.programme_wide {
        assert_eq!(app.get_as(stranger, &location).await.status, 200, "{name}");
    } else {
        app.get_as(stranger, &location)
            .await
            .assert_problem(404, "not_found");
    }

    // Delete: 204, then 404, and a tombstone in the feed.
    let deleted = app
        .write_as(reqwest::Method::DELETE, admin, &location, None, None)
        .await;
    assert_eq!(deleted.status, 204, "{name}: delete: {}", deleted.text);
    app.get_as(admin, &location)
        .await
        .assert_problem(404, "not_found");
    if !resource.in_feed {
        return;
    }
    let feed = app
        .get_as(
            admin,
            &format!("/api/v1/changes?limit=200&types={}", resource.feed_type),
        )
        .await
        .json();
    let last = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .rev()
        .find(|i| i["id"] == id.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{name}: in the feed"));
    assert_eq!(last["op"], "delete", "{name}: a tombstone");
    assert_eq!(
        last["version"],
        changes + 1,
        "{name}: the tombstone's version"
    );
}

/// The conventions of `PATCH`: a merge patch only, unknown and read-only fields named, a stale
/// `If-Match` refused with nothing written. Leaves the record at version 2.
async fn with_patch(app: &TestApp, admin: &str, resource: &Resource, location: &str) {
    let name = resource.feed_type;
    // A patch must be a merge patch.
    let plain = app
        .send(reqwest::Method::PATCH, location, |r| {
            r.bearer_auth(admin).json(&resource.patch)
        })
        .await;
    plain.assert_problem(415, "unsupported_media_type");

    // Unknown and read-only fields are 400s naming them.
    let unknown = app
        .patch_as(admin, location, json!({"no_such_field": 1}), None)
        .await
        .assert_problem(400, "malformed_body");
    assert_eq!(unknown["errors"][0]["pointer"], "/no_such_field", "{name}");
    for pointer in resource.read_only {
        let mut patch = json!({});
        let mut slot = &mut patch;
        let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            slot[*part] = if i + 1 == parts.len() {
                json!("x")
            } else {
                json!({})
            };
            slot = &mut slot[*part];
        }
        let problem = app
            .patch_as(admin, location, patch, None)
            .await
            .assert_problem(400, "malformed_body");
        assert_eq!(problem["errors"][0]["pointer"], *pointer, "{name}");
    }

    // A stale If-Match is 412, and nothing is written.
    let changed = app
        .patch_as(admin, location, resource.patch.clone(), Some("\"1\""))
        .await;
    assert_eq!(changed.status, 200, "{name}: patch: {}", changed.text);
    assert_eq!(
        changed.header("etag"),
        "\"2\"",
        "{name}: the version moves on"
    );
    app.patch_as(admin, location, json!({}), Some("\"1\""))
        .await
        .assert_problem(412, "precondition_failed");
    assert_eq!(
        app.get_as(admin, location).await.json()["version"],
        2,
        "{name}: nothing written"
    );
}

/// A record without `PATCH`: an unknown field in its create is named, and a delete with a stale
/// `If-Match` is 412 and deletes nothing. Leaves the record at version 1.
async fn without_patch(app: &TestApp, admin: &str, resource: &Resource, location: &str) {
    let name = resource.feed_type;
    let mut body = (resource.body)("kit-unknown");
    body["no_such_field"] = json!(1);
    let unknown = post(app, admin, &resource.collection, &body, None)
        .await
        .assert_problem(400, "malformed_body");
    assert_eq!(unknown["errors"][0]["pointer"], "/no_such_field", "{name}");
    app.write_as(
        reqwest::Method::DELETE,
        admin,
        location,
        None,
        Some("\"7\""),
    )
    .await
    .assert_problem(412, "precondition_failed");
    assert_eq!(
        app.get_as(admin, location).await.json()["version"],
        1,
        "{name}: nothing deleted"
    );
}

/// A stranger: an association user bound to an association of its own.
async fn stranger(app: &TestApp, admin: &str) -> String {
    let home = app.create_association(admin, "Stranger's Own").await;
    app.association_user_token(admin, &home).await
}

fn association(tag: &str) -> Value {
    json!({"name": format!("Conformance {tag}"), "legal_form": "de_facto", "countries_of_origin": ["SN"]})
}

#[tokio::test]
async fn associations_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let resource = Resource {
        collection: "/api/v1/associations".into(),
        body: Box::new(association),
        patch: json!({"member_count": 12}),
        read_only: &[
            "/id",
            "/status",
            "/version",
            "/created_at",
            "/updated_at",
            "/address/region",
        ],
        feed_type: "association",
        programme_wide: false,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn people_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let owner = app.create_association(&admin, "People Kit").await;
    let resource = Resource {
        collection: format!("/api/v1/associations/{owner}/people"),
        body: Box::new(
            |tag| json!({"first_name": "Awa", "last_name": format!("Kit {tag}"), "gender": "female"}),
        ),
        patch: json!({"is_representative": true}),
        read_only: &["/id", "/association_id", "/consents", "/version"],
        feed_type: "person",
        programme_wide: false,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn funding_applications_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let owner = app.create_association(&admin, "Funding Kit").await;
    let resource = Resource {
        collection: format!("/api/v1/associations/{owner}/funding-applications"),
        body: Box::new(|tag| {
            json!({"call_title": format!("Call {tag}"), "funder": "Demo Foundation",
                "amount_requested": "1000", "status": "draft"})
        }),
        patch: json!({"amount_requested": "1500.50"}),
        read_only: &["/id", "/association_id", "/version", "/updated_at"],
        feed_type: "funding_application",
        programme_wide: false,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn partners_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let resource = Resource {
        collection: "/api/v1/partners".into(),
        body: Box::new(|tag| json!({"name": format!("Kit Partner {tag}"), "kind": "ngo"})),
        patch: json!({"notes": "Met at a training day."}),
        read_only: &["/id", "/version", "/created_at", "/updated_at"],
        feed_type: "partner",
        programme_wide: true,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn modules_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let resource = Resource {
        collection: "/api/v1/modules".into(),
        body: Box::new(|tag| {
            json!({"code": if tag == "kit" { "M101" } else { "M102" }, "title": {"en": format!("Kit {tag}")},
                "description": {"fr": "Un module"}, "planned_days": 1,
                "days": [{"day_number": 1, "topic": {"en": "All of it"}}]})
        }),
        patch: json!({"min_attendance_pct": 100}),
        read_only: &["/id", "/required_days", "/version", "/created_at"],
        feed_type: "module",
        programme_wide: true,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn training_sessions_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let resource = Resource {
        collection: "/api/v1/training-sessions".into(),
        body: Box::new(|tag| {
            let mut body =
                crate::training::session_body(crate::training::M1, 1, "2027-01-11", "planned");
            body["venue"] = format!("Room {tag}").into();
            body
        }),
        patch: json!({"capacity": 25}),
        read_only: &["/id", "/version", "/updated_at"],
        feed_type: "training_session",
        programme_wide: true,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn enrollments_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let home = crate::training::association_in(&app, &admin, "Enrolment Kit", "selected").await;
    let first = crate::training::person(&app, &admin, &home, "Awa", "Kit", true).await;
    let second = crate::training::person(&app, &admin, &home, "Binta", "Kit", true).await;
    let resource = Resource {
        collection: "/api/v1/enrollments".into(),
        body: Box::new(move |tag| {
            let person = if tag == "kit" { &first } else { &second };
            json!({"person_id": person, "module_id": crate::training::M1})
        }),
        patch: json!({"status": "withdrawn"}),
        read_only: &["/id", "/person_id", "/module_id", "/completed", "/version"],
        feed_type: "enrollment",
        programme_wide: false,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn assessments_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let home = crate::training::association_in(&app, &admin, "Assessment Kit", "selected").await;
    let rep = crate::training::person(&app, &admin, &home, "Awa", "Kit", true).await;
    let enrolment = crate::training::enrolled(&app, &admin, &rep, crate::training::M2).await;
    let resource = Resource {
        collection: format!("/api/v1/enrollments/{enrolment}/assessments"),
        body: Box::new(
            |tag| json!({"kind": if tag == "kit" { "pre" } else { "post" }, "score": 50, "taken_on": "2026-10-01"}),
        ),
        patch: json!({"score": 65}),
        read_only: &["/id", "/kind", "/enrollment_id", "/version"],
        feed_type: "assessment",
        programme_wide: false,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn restitutions_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let trained = crate::restitutions::trained(&app, &admin, "Restitution Kit").await;
    let body = crate::restitutions::plan(&trained);
    let resource = Resource {
        collection: "/api/v1/restitutions".into(),
        body: Box::new(move |tag| {
            let mut body = body.clone();
            body["topics"] = json!([format!("Kit {tag}")]);
            body
        }),
        patch: json!({"attendees": {"women": 12}}),
        read_only: &[
            "/id",
            "/association_id",
            "/status",
            "/attendees_total",
            "/version",
        ],
        feed_type: "restitution",
        programme_wide: false,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn restitution_evidence_keeps_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let trained = crate::restitutions::trained(&app, &admin, "Evidence Kit").await;
    let restitution = crate::restitutions::planned(&app, &admin, &trained).await;
    let resource = Resource {
        collection: format!("/api/v1/restitutions/{restitution}/evidence"),
        body: Box::new(|tag| {
            json!({"kind": "report", "description": format!("Kit {tag}"),
                "url": format!("https://example.org/{tag}")})
        }),
        patch: Value::Null,
        read_only: &[],
        feed_type: "restitution_evidence",
        programme_wide: false,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn deliverables_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let resource = Resource {
        collection: "/api/v1/deliverables".into(),
        body: Box::new(|tag| {
            let mut body = crate::visibility::body("other");
            body["title"] = json!({"en": format!("Kit {tag}")});
            body
        }),
        patch: json!({"title": {"nl": "Kit"}, "planned_on": "2027-03-08"}),
        read_only: &["/id", "/kind", "/status", "/published_on", "/version"],
        feed_type: "deliverable",
        // Programme-wide, but an association's users read only those that feature it.
        programme_wide: false,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn stories_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let about = app.create_association(&admin, "Story Kit").await;
    let brief = crate::visibility::draft(&app, &admin, "brief").await;
    let resource = Resource {
        collection: format!("/api/v1/deliverables/{brief}/stories"),
        body: Box::new(move |tag| {
            let mut body = crate::visibility::story_body(&about, &[]);
            body["title"] = json!({"en": format!("Kit {tag}")});
            body
        }),
        patch: json!({"quote": null, "body": {"nl": "Veertig producentes."}}),
        read_only: &["/id", "/deliverable_id", "/association_id", "/version"],
        feed_type: "deliverable_story",
        programme_wide: false,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn calendar_entries_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let featured = app.create_association(&admin, "Calendar Kit").await;
    let calendar = crate::visibility::draft(&app, &admin, "calendar").await;
    let resource = Resource {
        collection: format!("/api/v1/deliverables/{calendar}/calendar-entries"),
        body: Box::new(move |tag| {
            crate::visibility::entry_body(if tag == "kit" { 1 } else { 2 }, &featured)
        }),
        patch: json!({"month": 9}),
        read_only: &["/id", "/deliverable_id", "/association_id", "/version"],
        feed_type: "calendar_entry",
        programme_wide: false,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

#[tokio::test]
async fn disseminations_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let stranger = stranger(&app, &admin).await;
    let published = crate::visibility::published_other(&app, &admin).await;
    let resource = Resource {
        collection: format!("/api/v1/deliverables/{published}/disseminations"),
        body: Box::new(|tag| {
            json!({"date": "2027-03-08", "channel": "event", "audience": format!("Kit {tag}"),
                "copies": 150, "reach": 320})
        }),
        patch: json!({"reach": null, "notes": "Counted at the door."}),
        read_only: &["/id", "/deliverable_id", "/version", "/created_at"],
        feed_type: "dissemination",
        programme_wide: false,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &stranger, &resource).await;
}

/// The results framework is read by programme staff and viewers only (association callers
/// are refused by the access table: `results::framework`), so its "stranger" is a viewer, who
/// reads every record of it.
async fn results_reader(app: &TestApp, admin: &str) -> String {
    app.token_for(admin, "viewer").await
}

#[tokio::test]
async fn results_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let viewer = results_reader(&app, &admin).await;
    let resource = Resource {
        collection: "/api/v1/results".into(),
        body: Box::new(|tag| {
            json!({"code": format!("K.{tag}"), "level": "output", "title": {"en": "Kit"},
                "parent_id": "019ac100-0000-7000-8000-000000000002"})
        }),
        patch: json!({"title": {"nl": "Kit"}}),
        read_only: &["/id", "/version", "/created_at", "/updated_at"],
        feed_type: "result",
        programme_wide: true,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &viewer, &resource).await;
}

#[tokio::test]
async fn indicators_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let viewer = results_reader(&app, &admin).await;
    let resource = Resource {
        collection: "/api/v1/indicators".into(),
        body: Box::new(|tag| {
            json!({"code": format!("K.{tag}"), "result_id": crate::results::RESULT_R1_1,
                "name": {"en": "Kit"}, "definition": "Kit.", "unit": "count",
                "source": "computed", "metric": "training_days_delivered", "params": {}})
        }),
        patch: json!({"target": {"value": 9, "on": "2027-12-31"}, "params": {"module": "M1"}}),
        read_only: &["/id", "/version", "/created_at", "/updated_at"],
        feed_type: "indicator",
        programme_wide: true,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &viewer, &resource).await;
}

#[tokio::test]
async fn measurements_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let viewer = results_reader(&app, &admin).await;
    let manual = crate::results::seeded(0);
    let resource = Resource {
        collection: format!("/api/v1/indicators/{manual}/measurements"),
        body: Box::new(|tag| {
            json!({"period_start": "2026-01-01", "period_end": "2026-06-30", "value": 3,
                "source": format!("Kit {tag}")})
        }),
        patch: Value::Null,
        read_only: &[],
        feed_type: "indicator_measurement",
        programme_wide: true,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &viewer, &resource).await;
}

#[tokio::test]
async fn reporting_periods_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let viewer = results_reader(&app, &admin).await;
    let resource = Resource {
        collection: "/api/v1/reporting-periods".into(),
        body: Box::new(
            |tag| json!({"name": format!("Kit {tag}"), "start_on": "2026-01-01", "end_on": "2026-06-30"}),
        ),
        patch: json!({"end_on": "2026-07-31"}),
        read_only: &["/id", "/status", "/closed_at", "/version", "/created_at"],
        feed_type: "reporting_period",
        programme_wide: true,
        shown_once: &[],
        in_feed: true,
    };
    check(&app, &admin, &viewer, &resource).await;
}

/// Webhook subscriptions are not synced (no feed, no tombstone) and show their secret once; the
/// stranger is another client holding `webhooks:manage`.
#[tokio::test]
async fn webhooks_keep_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (owner, _) = crate::webhooks::client(&app, &admin, &["associations:read"], None).await;
    let (_, stranger) = crate::webhooks::client(&app, &admin, &["associations:read"], None).await;
    let resource = Resource {
        collection: "/api/v1/webhooks".into(),
        body: Box::new(move |tag| {
            json!({"api_client_id": owner, "url": format!("http://127.0.0.1:9/{tag}"),
                "event_types": ["*"]})
        }),
        patch: json!({"description": "Kit receiver"}),
        read_only: &[
            "/id",
            "/api_client_id",
            "/secret",
            "/version",
            "/created_at",
        ],
        feed_type: "webhook",
        programme_wide: false,
        shown_once: &["secret"],
        in_feed: false,
    };
    check(&app, &admin, &stranger, &resource).await;
}
