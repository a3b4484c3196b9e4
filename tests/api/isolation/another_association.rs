//! Whatever a bound caller reads or writes of another association's records is refused, and
//! nothing of them changes: a list of reads and writes by hand, then every write of the contract.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

use super::fixtures::{
    Call, Holding, application_body, association_body, bound_callers, consent_body, holding,
    listed_ids, person_body, send, snapshot,
};

/// Every read and write a bound caller could aim at `other`'s records, `own` being its own
/// association.
fn calls_at(other: &Holding, own: &str) -> Vec<Call> {
    let a = format!("/api/v1/associations/{}", other.association);
    let p = format!("/api/v1/people/{}", other.person);
    let f = format!("/api/v1/funding-applications/{}", other.application);
    let fresh_person = format!("/api/v1/people/{}", uuid::Uuid::now_v7());
    let mut person_of_other = person_body();
    person_of_other["association_id"] = other.association.clone().into();
    let mut person_into_own = person_body();
    person_into_own["association_id"] = own.into();
    vec![
        // Reads.
        Call::new("get_association", Method::GET, a.clone()),
        Call::new(
            "get_association_eligibility",
            Method::GET,
            format!("{a}/eligibility"),
        ),
        Call::new(
            "list_association_transitions",
            Method::GET,
            format!("{a}/transitions"),
        ),
        Call::new(
            "get_association_transition",
            Method::GET,
            format!("{a}/transitions/{}", other.transition),
        ),
        Call::new(
            "list_publication_consent_changes",
            Method::GET,
            format!("{a}/publication-consents"),
        ),
        Call::new(
            "list_association_people",
            Method::GET,
            format!("{a}/people"),
        ),
        Call::new(
            "list_funding_applications",
            Method::GET,
            format!("{a}/funding-applications"),
        ),
        Call::new("get_person", Method::GET, p.clone()),
        Call::new("list_person_consents", Method::GET, format!("{p}/consents")),
        Call::new(
            "get_person_consent",
            Method::GET,
            format!("{p}/consents/{}", other.consent),
        ),
        Call::new("get_funding_application", Method::GET, f.clone()),
        // Writes to the association.
        Call::new("put_association", Method::PUT, a.clone())
            .json(association_body("Other Circle Taken Over")),
        Call::new("update_association", Method::PATCH, a.clone()).merge(json!({"member_count": 1})),
        // Not yours comes before a stale version: 404, not 412.
        Call::new("update_association", Method::PATCH, a.clone())
            .merge(json!({"member_count": 1}))
            .if_match("\"999\""),
        Call::new("delete_association", Method::DELETE, a.clone()),
        Call::new("delete_association", Method::DELETE, a.clone()).if_match("\"999\""),
        Call::new(
            "create_association_transition",
            Method::POST,
            format!("{a}/transitions"),
        )
        .json(json!({"to": "rejected", "reason": "Taken over"})),
        // Creating records in it.
        Call::new(
            "create_association_person",
            Method::POST,
            format!("{a}/people"),
        )
        .json(person_body()),
        Call::new(
            "create_funding_application",
            Method::POST,
            format!("{a}/funding-applications"),
        )
        .json(application_body()),
        Call::new("put_person", Method::PUT, fresh_person).json(person_of_other.clone()),
        // Its person: replaced in place, or pulled into the caller's own association.
        Call::new("put_person", Method::PUT, p.clone()).json(person_of_other),
        Call::new("put_person", Method::PUT, p.clone()).json(person_into_own),
        Call::new("update_person", Method::PATCH, p.clone()).merge(json!({"first_name": "Taken"})),
        Call::new("delete_person", Method::DELETE, p.clone()),
        Call::new(
            "create_person_consent",
            Method::POST,
            format!("{p}/consents"),
        )
        .json(consent_body()),
        // Its application.
        Call::new("update_funding_application", Method::PATCH, f.clone())
            .merge(json!({"funder": "Somebody else"})),
        Call::new("delete_funding_application", Method::DELETE, f),
    ]
}

#[tokio::test]
async fn another_associations_records_are_not_found_for_a_bound_caller_and_stay_unchanged() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let own = holding(&app, &admin, "Own Circle").await;
    let other = holding(&app, &admin, "Other Circle").await;
    let callers = bound_callers(
        &app,
        &admin,
        &own.association,
        &["associations:read", "associations:write"],
    )
    .await;
    let before = snapshot(&app, &admin, &other).await;

    for caller in &callers {
        for call in calls_at(&other, &own.association) {
            let reply = send(&app, &caller.token, &call).await;
            let (status, code) = caller.refusal(&call.operation);
            assert_eq!(
                reply.status,
                status,
                "{} on {}: {}",
                caller.what,
                call.describe(),
                reply.text
            );
            reply.assert_problem(status, code);
        }
        // Lists show its own association only.
        assert_eq!(
            listed_ids(&app, &caller.token, "/api/v1/associations?limit=200").await,
            std::slice::from_ref(&own.association),
            "{} lists its own association only",
            caller.what
        );
        let export = app
            .get_as(&caller.token, "/api/v1/associations/export")
            .await;
        assert_eq!(export.status, 200, "{}", export.text);
        assert!(export.text.contains("Own Circle"), "{}", export.text);
        assert!(
            !export.text.contains("Other Circle"),
            "{} exports another association: {}",
            caller.what,
            export.text
        );
        // Its own records stay in reach (the refusals above are about ownership).
        for path in [
            format!("/api/v1/associations/{}", own.association),
            format!("/api/v1/people/{}", own.person),
            format!("/api/v1/funding-applications/{}", own.application),
            format!(
                "/api/v1/associations/{}/transitions/{}",
                own.association, own.transition
            ),
        ] {
            let reply = app.get_as(&caller.token, &path).await;
            assert_eq!(
                reply.status, 200,
                "{} reads {path}: {}",
                caller.what, reply.text
            );
        }
    }

    let after = snapshot(&app, &admin, &other).await;
    assert_eq!(
        after, before,
        "nothing of the other association (nor anything else) changed"
    );
    assert_eq!(after["association"]["version"], 2);
    assert_eq!(after["association"]["status"], "shortlisted");
    assert_eq!(after["person"]["version"], 2);
    assert_eq!(after["application"]["version"], 1);
}

/// The contract's write operations under `/api/v1` (from the contract the server serves and
/// `openapi/openapi.json` holds, as `access.rs` reads it), except logging in, users, API
/// clients and one's own account.
fn contract_writes() -> Vec<(Method, String, String, Value)> {
    let api = empower_api::openapi::contract();
    let mut writes = Vec::new();
    for (path, item) in api["paths"].as_object().expect("paths") {
        let excluded = [
            "/api/v1/auth",
            "/api/v1/users",
            "/api/v1/api-clients",
            "/api/v1/me",
        ]
        .iter()
        .any(|prefix| path == prefix || path.starts_with(&format!("{prefix}/")));
        if !path.starts_with("/api/v1/") || excluded {
            continue;
        }
        for (method, op) in item.as_object().expect("path item") {
            let method = match method.as_str() {
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let id = op["operationId"].as_str().expect("operationId").to_owned();
            writes.push((method, path.clone(), id, op.clone()));
        }
    }
    writes
}

/// The training records of another association (its enrolment and assessment) and the
/// programme-wide ones (a module, a session, a partner) the walk aims at.
struct Training {
    module: String,
    session: String,
    partner: String,
    enrollment: String,
    assessment: String,
    /// Another association's planned restitution, with a link as evidence.
    restitution: String,
    evidence: String,
    /// A plan of that association's, for the create.
    plan: Value,
    /// A draft brief with a story about the other association.
    brief: String,
    story: String,
    /// A draft calendar with a month featuring it.
    entry: String,
    /// A dissemination record of a published deliverable.
    dissemination: String,
    /// Programme-wide results-framework records: a seeded result, the seeded manual indicator
    /// with a measurement, an open reporting period.
    result: String,
    indicator: String,
    measurement: String,
    period: String,
    /// A webhook subscription of a client bound to the other association, and its ping.
    webhook: String,
    delivery: String,
}

/// A selected association of its own with a representative enrolled and assessed, a session
/// and a partner.
async fn training(app: &TestApp, admin: &str) -> Training {
    use crate::training::{M1, association_in, enrolled, person, session};
    let home = association_in(app, admin, "Other Trainees", "selected").await;
    let rep = person(app, admin, &home, "Awa", "Trainee", true).await;
    let enrollment = enrolled(app, admin, &rep, M1).await;
    let assessment = super::fixtures::id_of(
        &super::fixtures::created(
            app,
            admin,
            &format!("/api/v1/enrollments/{enrollment}/assessments"),
            json!({"kind": "pre", "score": 50, "taken_on": "2026-10-01"}),
        )
        .await,
    );
    let partner = super::fixtures::id_of(
        &super::fixtures::created(
            app,
            admin,
            "/api/v1/partners",
            json!({"name": "Walk Partner", "kind": "ngo"}),
        )
        .await,
    );
    let trained = crate::restitutions::trained(app, admin, "Other Restitutions").await;
    let restitution = crate::restitutions::planned(app, admin, &trained).await;
    let evidence = crate::restitutions::add_link(app, admin, &restitution).await;
    assert_eq!(evidence.status, 201, "{}", evidence.text);
    use crate::visibility::{
        add_entry, add_story, draft, entry_body, id, published_other, story_body,
    };
    let other = &trained.association;
    let brief = draft(app, admin, "brief").await;
    let story = id(&add_story(app, admin, &brief, story_body(other, &[])).await);
    let calendar = draft(app, admin, "calendar").await;
    let entry = id(&add_entry(app, admin, &calendar, entry_body(1, other)).await);
    let published = published_other(app, admin).await;
    let dissemination = super::fixtures::id_of(
        &super::fixtures::created(
            app,
            admin,
            &format!("/api/v1/deliverables/{published}/disseminations"),
            json!({"date": "2027-03-08", "channel": "print", "audience": "Walk", "copies": 5}),
        )
        .await,
    );
    let indicator = crate::results::seeded(0);
    let measurement = super::fixtures::id_of(
        &super::fixtures::created(
            app,
            admin,
            &format!("/api/v1/indicators/{indicator}/measurements"),
            json!({"period_start": "2026-01-01", "period_end": "2026-06-30", "value": 2,
                "source": "Walk"}),
        )
        .await,
    );
    let period = super::fixtures::id_of(
        &super::fixtures::created(
            app,
            admin,
            "/api/v1/reporting-periods",
            json!({"name": "Walk", "start_on": "2026-01-01", "end_on": "2026-06-30"}),
        )
        .await,
    );
    let (webhook, delivery) = crate::webhooks::subscribed_and_pinged(app, admin, other).await;
    Training {
        webhook,
        delivery,
        result: crate::results::RESULT_OO.to_owned(),
        indicator,
        measurement,
        period,
        brief,
        story,
        entry,
        dissemination,
        restitution,
        evidence: super::fixtures::id_of(&evidence.json()),
        plan: crate::restitutions::plan(&trained),
        module: M1.to_owned(),
        session: session(app, admin, M1, 1, "2026-02-02", "held").await,
        partner,
        enrollment,
        assessment,
    }
}

/// The path with every parameter filled with the right kind of record of `other`; panics on
/// a parameter the walk does not know.
fn fill(path: &str, other: &Holding, training: &Training) -> String {
    let id = if path.starts_with("/api/v1/associations/{id}") {
        Some(&other.association)
    } else if path.starts_with("/api/v1/people/{id}") {
        Some(&other.person)
    } else if path.starts_with("/api/v1/funding-applications/{id}") {
        Some(&other.application)
    } else if path.starts_with("/api/v1/modules/{id}") {
        Some(&training.module)
    } else if path.starts_with("/api/v1/training-sessions/{id}") {
        Some(&training.session)
    } else if path.starts_with("/api/v1/partners/{id}") {
        Some(&training.partner)
    } else if path.starts_with("/api/v1/enrollments/{id}") {
        Some(&training.enrollment)
    } else if path.starts_with("/api/v1/assessments/{id}") {
        Some(&training.assessment)
    } else if path.starts_with("/api/v1/restitutions/{id}") {
        Some(&training.restitution)
    } else if path.starts_with("/api/v1/deliverables/{id}") {
        // Programme-wide; its stories are the other association's. Calendar entries and
        // disseminations are staff's to write: refused before their deliverable is read.
        Some(&training.brief)
    } else if path.starts_with("/api/v1/results/{id}") {
        // Programme-wide and staff's to write: refused before anything is read.
        Some(&training.result)
    } else if path.starts_with("/api/v1/indicators/{id}") {
        Some(&training.indicator)
    } else if path.starts_with("/api/v1/reporting-periods/{id}") {
        Some(&training.period)
    } else if path.starts_with("/api/v1/webhooks/{id}") {
        // The walk's callers do not hold `webhooks:manage`: refused before anything is read.
        // A client's subscriptions are 404 to every other client (`crate::webhooks`).
        Some(&training.webhook)
    } else {
        None
    };
    let mut filled = path.to_owned();
    if let Some(id) = id {
        filled = filled.replace("{id}", id);
    }
    filled = filled
        .replace("{transition_id}", &other.transition)
        .replace("{consent_id}", &other.consent)
        .replace("{evidence_id}", &training.evidence)
        .replace("{story_id}", &training.story)
        .replace("{entry_id}", &training.entry)
        .replace("{dissemination_id}", &training.dissemination)
        .replace("{measurement_id}", &training.measurement)
        .replace("{delivery_id}", &training.delivery);
    assert!(
        !filled.contains('{'),
        "the walk does not know how to fill the parameters of {path}: teach it (fill)"
    );
    filled
}

/// A valid body for each write operation that takes one, so a refusal is about ownership.
fn valid_body(operation: &str, other: &Holding, training: &Training) -> Value {
    match operation {
        "create_partner" => json!({"name": "Walk Created Partner", "kind": "ngo"}),
        "update_partner" => json!({"notes": "Taken"}),
        "create_module" => {
            json!({"code": "M99", "title": {"en": "Walk"}, "description": {"en": "Walk"},
            "planned_days": 1, "days": [{"day_number": 1, "topic": {"en": "Walk"}}]})
        }
        "update_module" => json!({"min_attendance_pct": 10}),
        "create_training_session" => {
            crate::training::session_body(&training.module, 1, "2026-02-03", "held")
        }
        "update_training_session" => json!({"capacity": 2}),
        "put_training_session_attendance" => json!([]),
        "create_enrollment" => json!({"person_id": other.person, "module_id": training.module}),
        "update_enrollment" => json!({"status": "withdrawn"}),
        "create_enrollment_assessment" => {
            json!({"kind": "post", "score": 1, "taken_on": "2026-10-02"})
        }
        "update_assessment" => json!({"score": 1}),
        "create_association" => association_body("Walk Created Association"),
        "import_associations" => json!([association_body("Walk Imported Association")]),
        "put_association" => association_body("Walk Replaced Association"),
        "update_association" => json!({"member_count": 99}),
        "create_association_transition" => {
            json!({"to": "rejected", "reason": "Not yours to decide"})
        }
        "create_association_person" => person_body(),
        "put_person" => {
            let mut body = person_body();
            body["association_id"] = other.association.clone().into();
            body
        }
        "update_person" => json!({"first_name": "Taken"}),
        "create_person_consent" => consent_body(),
        "erase_person" => json!({"reason": "Not yours to erase"}),
        "create_funding_application" => application_body(),
        "update_funding_application" => json!({"funder": "Somebody else"}),
        "create_restitution" => training.plan.clone(),
        "update_restitution" => json!({"notes": "Taken"}),
        "create_restitution_transition" => json!({"to": "cancelled"}),
        "create_restitution_evidence" => {
            json!({"kind": "other", "description": "Taken", "url": "https://example.org/taken"})
        }
        "create_deliverable" => crate::visibility::body("brief"),
        "update_deliverable" => json!({"planned_on": "2027-01-01"}),
        "create_deliverable_transition" => json!({"to": "in_review"}),
        "create_deliverable_story" => crate::visibility::story_body(
            training.plan["association_id"].as_str().unwrap_or_default(),
            &[],
        ),
        "update_deliverable_story" => json!({"quote": "Taken"}),
        "create_calendar_entry" => crate::visibility::entry_body(
            5,
            training.plan["association_id"].as_str().unwrap_or_default(),
        ),
        "update_calendar_entry" => json!({"month": 6}),
        "create_dissemination" => {
            json!({"date": "2027-03-09", "channel": "email", "audience": "Taken", "copies": 1})
        }
        "update_dissemination" => json!({"reach": 1}),
        "create_result" => {
            json!({"code": "WALK", "level": "impact", "title": {"en": "Taken"}})
        }
        "update_result" => json!({"title": {"nl": "Genomen"}}),
        "create_indicator" => {
            json!({"code": "WALK.1", "result_id": training.result, "name": {"en": "Taken"},
                "definition": "Taken.", "unit": "count", "source": "manual"})
        }
        "update_indicator" => json!({"target": {"value": 1, "on": "2027-01-01"}}),
        "create_indicator_measurement" => {
            json!({"period_start": "2026-01-01", "period_end": "2026-01-31", "value": 1,
                "source": "Taken"})
        }
        "create_reporting_period" => {
            json!({"name": "Taken", "start_on": "2026-01-01", "end_on": "2026-01-31"})
        }
        "update_reporting_period" => json!({"name": "Taken"}),
        "create_webhook" => {
            json!({"url": "https://hooks.example.org/taken", "event_types": ["*"]})
        }
        "update_webhook" => json!({"active": false}),
        "rotate_webhook_secret" => json!({"grace_period_hours": 1}),
        _ => panic!(
            "the contract has a write operation `{operation}` with a body the walk does not know: \
             teach it a valid body (valid_body)"
        ),
    }
}

/// The write operations the walk knows; a new one fails the walk until it is taught.
const KNOWN_WRITES: &[&str] = &[
    "create_association",
    "import_associations",
    "put_association",
    "update_association",
    "delete_association",
    "create_association_transition",
    "create_association_person",
    "put_person",
    "update_person",
    "delete_person",
    "create_person_consent",
    "erase_person",
    "create_funding_application",
    "update_funding_application",
    "delete_funding_application",
    "create_partner",
    "update_partner",
    "delete_partner",
    "create_module",
    "update_module",
    "delete_module",
    "create_training_session",
    "update_training_session",
    "delete_training_session",
    "put_training_session_attendance",
    "create_enrollment",
    "update_enrollment",
    "delete_enrollment",
    "create_enrollment_assessment",
    "update_assessment",
    "delete_assessment",
    "create_restitution",
    "update_restitution",
    "delete_restitution",
    "create_restitution_transition",
    "create_restitution_evidence",
    "delete_restitution_evidence",
    "create_deliverable",
    "update_deliverable",
    "delete_deliverable",
    "create_deliverable_transition",
    "create_deliverable_story",
    "update_deliverable_story",
    "delete_deliverable_story",
    "create_calendar_entry",
    "update_calendar_entry",
    "delete_calendar_entry",
    "create_dissemination",
    "update_dissemination",
    "delete_dissemination",
    "create_result",
    "update_result",
    "delete_result",
    "create_indicator",
    "update_indicator",
    "delete_indicator",
    "create_indicator_measurement",
    "delete_indicator_measurement",
    "create_reporting_period",
    "update_reporting_period",
    "delete_reporting_period",
    "close_reporting_period",
    "reopen_reporting_period",
    "create_webhook",
    "update_webhook",
    "delete_webhook",
    "rotate_webhook_secret",
    "redeliver_webhook_delivery",
    "ping_webhook",
];

#[tokio::test]
async fn every_write_of_the_contract_aimed_at_another_association_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let own = holding(&app, &admin, "Own Circle").await;
    let other = holding(&app, &admin, "Other Circle").await;
    let callers = bound_callers(
        &app,
        &admin,
        &own.association,
        &["associations:read", "associations:write", "sync:read"],
    )
    .await;
    let writes = contract_writes();
    let found: BTreeSet<&str> = writes.iter().map(|(_, _, id, _)| id.as_str()).collect();
    for (method, path, id, _) in &writes {
        assert!(
            KNOWN_WRITES.contains(&id.as_str()),
            "the contract gained the write operation {method} {path} ({id}): teach the \
             isolation walk how to aim it at another association"
        );
    }
    let known: BTreeSet<&str> = KNOWN_WRITES.iter().copied().collect();
    assert_eq!(found, known, "the walk covers every write operation");

    let training = training(&app, &admin).await;
    let before = snapshot(&app, &admin, &other).await;
    for caller in &callers {
        for (method, template, id, op) in &writes {
            let path = fill(template, &other, &training);
            let content = op["requestBody"]["content"].as_object();
            let mut call = Call::new(id, method.clone(), path);
            if let Some(content) = content {
                let content_type = if content.contains_key("application/json") {
                    "application/json".to_owned()
                } else {
                    content
                        .keys()
                        .next()
                        .expect("a request body has a content type")
                        .clone()
                };
                call.body = Some((content_type, valid_body(id, &other, &training)));
            }
            let reply = send(&app, &caller.token, &call).await;
            let described = format!("{} on {}", caller.what, call.describe());
            assert!(
                reply.status == 403 || reply.status == 404,
                "{described}: must be refused with 403 or 404, got {}: {}",
                reply.status,
                reply.text
            );
            assert_eq!(
                reply.header("content-type"),
                "application/problem+json",
                "{described}"
            );
            let (status, code) = caller.refusal(id);
            assert_eq!(reply.status, status, "{described}: {}", reply.text);
            reply.assert_problem(status, code);
        }
    }
    let after = snapshot(&app, &admin, &other).await;
    assert_eq!(after, before, "no write reached the other association");
    let restitution = app
        .get_as(
            &admin,
            &format!("/api/v1/restitutions/{}", training.restitution),
        )
        .await
        .json();
    assert_eq!(restitution["version"], 1, "nor its restitution");
    assert_eq!(restitution["status"], "planned");
    let evidence = app
        .get_as(
            &admin,
            &format!("/api/v1/restitutions/{}/evidence", training.restitution),
        )
        .await
        .json();
    assert_eq!(evidence["items"].as_array().map(Vec::len), Some(1));
    let story = app
        .get_as(
            &admin,
            &format!(
                "/api/v1/deliverables/{}/stories/{}",
                training.brief, training.story
            ),
        )
        .await
        .json();
    assert_eq!(story["version"], 1, "nor its story");
    let stories = app
        .get_as(
            &admin,
            &format!("/api/v1/deliverables/{}/stories", training.brief),
        )
        .await
        .json();
    assert_eq!(
        stories["items"].as_array().map(Vec::len),
        Some(1),
        "and no story was added about it"
    );
}
