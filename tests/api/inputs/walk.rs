//! The walk: every operation of the contract, its valid request and its bad values, each
//! answer judged.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

use super::requests::{
    Case, Context, Ids, ResultsIds, TrainingIds, VisibilityIds, baseline_case, callers_of,
    cases_of, operations,
};

/// Sends a case; a transport failure (the server closed the connection) is an error too.
async fn fire(app: &TestApp, case: &Case) -> Result<Reply, String> {
    let mut request = app
        .client
        .request(case.method.clone(), format!("{}{}", app.address, case.url));
    if let Some(token) = &case.token {
        request = request.bearer_auth(token);
    }
    for (name, value) in &case.headers {
        let value = reqwest::header::HeaderValue::from_bytes(value)
            .map_err(|e| format!("header {name} not sendable: {e}"))?;
        request = request.header(name.as_str(), value);
    }
    if let Some((content_type, body)) = &case.body {
        request = request
            .header("Content-Type", content_type.as_str())
            .body(body.clone());
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("no answer: {e:?}"))?;
    Ok(Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response
            .text()
            .await
            .map_err(|e| format!("body not read: {e}"))?,
    })
}

/// What is wrong with an answer, if anything: a 5xx, an error that is no problem document, or
/// (for a value the field must refuse) a success.
fn verdict(reply: &Reply, strict: bool) -> Option<String> {
    let status = reply.status;
    if status >= 500 {
        return Some("server error".into());
    }
    if status >= 400 {
        if reply.header("content-type") != "application/problem+json" {
            return Some(format!(
                "error is not application/problem+json but {:?}",
                reply.header("content-type")
            ));
        }
        let Ok(body) = serde_json::from_str::<Value>(&reply.text) else {
            return Some("problem body is not JSON".into());
        };
        if body["status"] != status || !body["code"].is_string() {
            return Some("problem lacks status or code".into());
        }
        return None;
    }
    strict.then(|| "accepted a value the field must refuse".into())
}

pub(super) fn snippet(text: &str) -> String {
    text.chars().take(300).collect()
}

async fn created_id(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let reply = app.post_json(Some(token), path, body).await;
    assert!(
        (200..300).contains(&reply.status),
        "setup POST {path}: {} {}",
        reply.status,
        reply.text
    );
    reply.json()["id"].as_str().expect("id").to_owned()
}

async fn person(app: &TestApp, admin: &str, association: &str) -> String {
    created_id(
        app,
        admin,
        &format!("/api/v1/associations/{association}/people"),
        json!({"first_name": "Awa", "last_name": "Inputs", "gender": "female"}),
    )
    .await
}

async fn funding(app: &TestApp, admin: &str, association: &str) -> String {
    created_id(
        app,
        admin,
        &format!("/api/v1/associations/{association}/funding-applications"),
        json!({
            "call_title": "Inputs call", "funder": "Inputs Fund", "amount_requested": "12500.00",
            "status": "submitted", "submitted_on": "2026-10-01"
        }),
    )
    .await
}

/// A selected association whose trainee completed M3 (two held sessions), with assessments,
/// and records made to be deleted.
async fn training(app: &TestApp, admin: &str) -> TrainingIds {
    use crate::training::{M3, association_in, enrolled, person, session, take_attendance};
    let home = association_in(app, admin, "Inputs Trainees", "selected").await;
    let trainee = person(app, admin, &home, "Awa", "Trainee", true).await;
    let other = person(app, admin, &home, "Binta", "Trainee", true).await;
    let newcomer = person(app, admin, &home, "Coumba", "Newcomer", true).await;
    let enrollment = enrolled(app, admin, &trainee, M3).await;
    let victim_enrollment = enrolled(app, admin, &other, M3).await;
    let mut sessions = Vec::new();
    for (day, date) in [(1, "2026-03-04"), (2, "2026-03-05")] {
        let id = session(app, admin, M3, day, date, "held").await;
        let sheet = take_attendance(
            app,
            admin,
            &id,
            json!([{"person_id": trainee, "status": "present"}]),
        )
        .await;
        assert_eq!(sheet.status, 200, "{}", sheet.text);
        sessions.push(id);
    }
    let assessment = |enrollment: &str, kind: &str| {
        let path = format!("/api/v1/enrollments/{enrollment}/assessments");
        let body = json!({"kind": kind, "score": 50, "taken_on": "2026-03-01"});
        async move { created_id(app, admin, &path, body).await }
    };
    let certificate = app
        .get_as(
            admin,
            &format!("/api/v1/enrollments/{enrollment}/certificate"),
        )
        .await;
    assert_eq!(certificate.status, 200, "{}", certificate.text);
    let restitutions = restitutions(app, admin, &home, &trainee).await;
    TrainingIds {
        home,
        restitution: restitutions[0].clone(),
        victim_restitution: restitutions[1].clone(),
        reported_restitution: restitutions[2].clone(),
        restitution_transition: restitutions[3].clone(),
        evidence_file: restitutions[4].clone(),
        victim_evidence: restitutions[5].clone(),
        module: M3.into(),
        victim_module: created_id(
            app,
            admin,
            "/api/v1/modules",
            json!({"code": "M90", "title": {"en": "Victim"}, "description": {"en": "To delete"},
                "planned_days": 1, "days": [{"day_number": 1, "topic": {"en": "All"}}]}),
        )
        .await,
        session: sessions[0].clone(),
        victim_session: session(app, admin, M3, 1, "2027-06-01", "planned").await,
        partner: created_id(
            app,
            admin,
            "/api/v1/partners",
            json!({"name": "Inputs Partner", "kind": "ngo"}),
        )
        .await,
        victim_partner: created_id(
            app,
            admin,
            "/api/v1/partners",
            json!({"name": "Inputs Victim Partner", "kind": "other"}),
        )
        .await,
        assessment: assessment(&enrollment, "pre").await,
        // Of another enrolment than the one deleted (an enrolment with scores is not deleted).
        victim_assessment: assessment(
            &enrolled(app, admin, &other, crate::training::M1).await,
            "pre",
        )
        .await,
        certificate_code: certificate.json()["verification_code"]
            .as_str()
            .expect("code")
            .to_owned(),
        enrollment,
        victim_enrollment,
        trainee,
        newcomer,
    }
}

/// Restitutions the trainee facilitates: planned (with a file and a link), planned to delete,
/// reported (with its move), as [planned, victim, reported, move, file, link].
async fn restitutions(app: &TestApp, admin: &str, home: &str, trainee: &str) -> Vec<String> {
    let plan = json!({
        "association_id": home, "module_ids": [crate::training::M3], "facilitator_ids": [trainee],
        "planned_on": "2026-04-10", "held_on": "2026-04-10", "location": {"online": true},
        "language": "fr", "attendees": {"women": 9}
    });
    let planned = created_id(app, admin, "/api/v1/restitutions", plan.clone()).await;
    let victim = created_id(app, admin, "/api/v1/restitutions", plan.clone()).await;
    let reported = created_id(app, admin, "/api/v1/restitutions", plan).await;
    let link = json!({"kind": "report", "description": "Inputs", "url": "https://example.org/r"});
    created_id(
        app,
        admin,
        &format!("/api/v1/restitutions/{reported}/evidence"),
        link.clone(),
    )
    .await;
    let report = created_id(
        app,
        admin,
        &format!("/api/v1/restitutions/{reported}/transitions"),
        json!({"to": "reported"}),
    )
    .await;
    let file = crate::restitutions::upload(
        app,
        admin,
        &planned,
        "report",
        "r.pdf",
        crate::restitutions::PDF,
    )
    .await;
    assert_eq!(file.status, 201, "{}", file.text);
    let victim_link = created_id(
        app,
        admin,
        &format!("/api/v1/restitutions/{planned}/evidence"),
        link,
    )
    .await;
    vec![
        planned,
        victim,
        reported,
        report,
        file.json()["id"].as_str().expect("id").to_owned(),
        victim_link,
    ]
}

/// Deliverables in each state the paths need.
async fn visibility(app: &TestApp, admin: &str, association: &str) -> VisibilityIds {
    use crate::visibility::{
        add_entry, add_story, draft, entry_body, id, published_calendar, published_other,
        story_body, transition,
    };
    let brief = draft(app, admin, "brief").await;
    let story = || add_story(app, admin, &brief, story_body(association, &[]));
    let (story, victim_story) = (id(&story().await), id(&story().await));
    let in_review = draft(app, admin, "other").await;
    let review_transition = id(&transition(app, admin, &in_review, "in_review", None).await);
    let calendar = draft(app, admin, "calendar").await;
    let entry = id(&add_entry(app, admin, &calendar, entry_body(1, association)).await);
    let victim_entry = id(&add_entry(app, admin, &calendar, entry_body(2, association)).await);
    let published = published_other(app, admin).await;
    let records = format!("/api/v1/deliverables/{published}/disseminations");
    let record =
        json!({"date": "2027-03-08", "channel": "print", "audience": "Inputs", "copies": 5});
    let dissemination = created_id(app, admin, &records, record.clone()).await;
    let victim_dissemination = created_id(app, admin, &records, record).await;
    let consenting = crate::visibility::association(app, admin, "Inputs Calendar", &["name"]).await;
    published_calendar(app, admin, &consenting).await;
    VisibilityIds {
        brief,
        story,
        victim_story,
        victim_deliverable: draft(app, admin, "brief").await,
        in_review,
        review_transition,
        calendar,
        entry,
        victim_entry,
        published,
        dissemination,
        victim_dissemination,
        year: "2031".into(),
    }
}

/// Results, indicators, measurements and periods in each state the paths need.
async fn results(app: &TestApp, admin: &str) -> ResultsIds {
    let so1 = "019ac100-0000-7000-8000-000000000002";
    let result = |code: &str| json!({"code": code, "level": "output", "title": {"en": "Inputs"}, "parent_id": so1});
    let output = created_id(app, admin, "/api/v1/results", result("W.R")).await;
    let victim_result = created_id(app, admin, "/api/v1/results", result("W.V")).await;
    let indicator = |code: &str| {
        json!({"code": code, "result_id": output, "name": {"en": "Inputs"},
            "definition": "Inputs.", "unit": "count", "source": "computed",
            "metric": "training_days_delivered", "params": {}})
    };
    let computed = created_id(app, admin, "/api/v1/indicators", indicator("W.I")).await;
    let victim_indicator = created_id(app, admin, "/api/v1/indicators", indicator("W.J")).await;
    let manual = crate::results::seeded(0);
    let measurements = format!("/api/v1/indicators/{manual}/measurements");
    let measurement = json!({"period_start": "2026-01-01", "period_end": "2026-06-30",
        "value": 3, "source": "Inputs"});
    let period =
        |name: &str| json!({"name": name, "start_on": "2026-01-01", "end_on": "2026-06-30"});
    let periods = "/api/v1/reporting-periods";
    let closed_period = created_id(app, admin, periods, period("Closed")).await;
    created_id(
        app,
        admin,
        &format!("{periods}/{closed_period}/close"),
        json!({}),
    )
    .await;
    ResultsIds {
        result: output.clone(),
        victim_result,
        indicator: computed,
        victim_indicator,
        measurement: created_id(app, admin, &measurements, measurement.clone()).await,
        victim_measurement: created_id(app, admin, &measurements, measurement).await,
        manual,
        period: created_id(app, admin, periods, period("Open")).await,
        closable_period: created_id(app, admin, periods, period("To close")).await,
        closed_period,
        victim_period: created_id(app, admin, periods, period("To delete")).await,
    }
}

#[tokio::test]
async fn no_input_of_any_operation_gets_a_500() {
    let started = std::time::Instant::now();
    let api = serde_json::to_value(empower_api::openapi::document()).expect("contract");
    let app = TestApp::spawn().await;
    let backend = if app.db().is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let admin = app.admin_token().await;
    let (_, me_email, me_password) = app.create_user(&admin, "staff").await;
    let me_tokens = app.login(&me_email, &me_password).await;
    let me = me_tokens["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();

    let association = app.create_association(&admin, "Inputs Main").await;
    let applicant = app.create_association(&admin, "Inputs Applicant").await;
    let victim_association = app.create_association(&admin, "Inputs Victim").await;
    let transition = created_id(
        &app,
        &admin,
        &format!("/api/v1/associations/{association}/transitions"),
        json!({"to": "shortlisted", "reason": "Inputs"}),
    )
    .await;
    let person_id = person(&app, &admin, &association).await;
    let victim_person = person(&app, &admin, &association).await;
    let consent = created_id(
        &app,
        &admin,
        &format!("/api/v1/people/{person_id}/consents"),
        json!({"purpose": "publication", "granted": true, "text_version": "2026-10"}),
    )
    .await;
    let funding_id = funding(&app, &admin, &association).await;
    let victim_funding = funding(&app, &admin, &association).await;
    let (user, _, _) = app.create_user(&admin, "viewer").await;
    let (client, _, _) = app.create_client(&admin, &["sync:read"]).await;
    let (webhook_client, _, _) = app.create_client(&admin, &["associations:read"]).await;
    let hook = json!({"api_client_id": webhook_client, "url": "http://127.0.0.1:9/walk",
        "event_types": ["*"]});
    let webhook = created_id(&app, &admin, "/api/v1/webhooks", hook.clone()).await;
    let victim_webhook = created_id(&app, &admin, "/api/v1/webhooks", hook).await;
    let ping = app
        .write_as(
            reqwest::Method::POST,
            &admin,
            &format!("/api/v1/webhooks/{webhook}/ping"),
            None,
            None,
        )
        .await;
    assert_eq!(ping.status, 202, "{}", ping.text);
    // No worker runs here: the ping is marked failed as a worker would, so it may be redelivered.
    {
        use sea_orm::ConnectionTrait;
        let conn = app.connect().await;
        conn.execute_unprepared("UPDATE webhook_deliveries SET status = 'failed'")
            .await
            .expect("the ping failed");
    }
    let training = training(&app, &admin).await;
    let visibility = visibility(&app, &admin, &association).await;
    let results = results(&app, &admin).await;
    let mut ctx = Context {
        ids: Ids {
            association,
            applicant,
            victim_association,
            transition,
            person: person_id,
            victim_person,
            consent,
            funding: funding_id,
            victim_funding,
            user,
            client,
            webhook_client,
            webhook,
            victim_webhook,
            delivery: ping.json()["id"].as_str().expect("id").to_owned(),
            training,
            visibility,
            results,
        },
        me_password,
        refresh_token: me_tokens["refresh_token"]
            .as_str()
            .expect("refresh token")
            .to_owned(),
        counter: 0,
    };

    let mut failures: Vec<String> = Vec::new();
    let mut sent = 0_usize;
    let mut statuses: std::collections::BTreeMap<u16, usize> = std::collections::BTreeMap::new();
    for operation in operations(&api) {
        if operation.id == "issue_client_token" {
            continue; // form-encoded, RFC 6749 errors: see its own test in `inputs`
        }
        let callers = callers_of(&operation, &admin, &me);
        // Deletes and transitions change what the bad values are tried on: their valid request
        // comes last.
        let baseline_last = operation.method == "DELETE"
            || [
                "create_association_transition",
                "create_restitution_transition",
                "create_deliverable_transition",
                "close_reporting_period",
                "reopen_reporting_period",
                "change_my_password",
            ]
            .contains(&operation.id.as_str());
        if !baseline_last {
            let case = baseline_case(&api, &operation, &mut ctx, &callers[0]);
            let outcome = fire(&app, &case).await;
            sent += 1;
            check_baseline(backend, &case, &outcome, &mut failures);
        }
        for case in cases_of(&api, &operation, &mut ctx, &callers) {
            let outcome = fire(&app, &case).await;
            sent += 1;
            if let Ok(reply) = &outcome {
                *statuses.entry(reply.status).or_insert(0) += 1;
            }
            if std::env::var_os("INPUTS_TRACE").is_some() {
                eprintln!(
                    "{} | {} | {} | {} | strict {} -> {:?}",
                    case.operation,
                    case.field,
                    case.value,
                    case.caller,
                    case.strict,
                    outcome.as_ref().map(|r| (r.status, snippet(&r.text)))
                );
            }
            record(backend, &case, &outcome, &mut failures);
        }
        if baseline_last {
            let case = baseline_case(&api, &operation, &mut ctx, &callers[0]);
            let outcome = fire(&app, &case).await;
            sent += 1;
            check_baseline(backend, &case, &outcome, &mut failures);
        }
    }
    eprintln!(
        "{sent} requests on {backend} in {:?}, {} failed; statuses of the bad values: {statuses:?}",
        started.elapsed(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {sent} inputs were mishandled on {backend}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Notes a case whose answer is wrong.
fn record(backend: &str, case: &Case, outcome: &Result<Reply, String>, failures: &mut Vec<String>) {
    let why = match outcome {
        Ok(reply) => verdict(reply, case.strict)
            .map(|why| format!("{} {why}: {}", reply.status, snippet(&reply.text))),
        Err(transport) => Some(transport.clone()),
    };
    if let Some(why) = why {
        let line = format!(
            "{} | field {} | value {} | as {} | {backend} | {why}",
            case.operation, case.field, case.value, case.caller
        );
        eprintln!("FAILED {line}");
        failures.push(line);
    }
}

/// The valid request must succeed, or the bad values prove nothing.
fn check_baseline(
    backend: &str,
    case: &Case,
    outcome: &Result<Reply, String>,
    failures: &mut Vec<String>,
) {
    let why = match outcome {
        Ok(reply) if (200..300).contains(&reply.status) => None,
        Ok(reply) => Some(format!("{}: {}", reply.status, snippet(&reply.text))),
        Err(transport) => Some(transport.clone()),
    };
    if let Some(why) = why {
        let line = format!(
            "{} | the valid request is refused as {} | {backend} | {why}",
            case.operation, case.caller
        );
        eprintln!("FAILED {line}");
        failures.push(line);
    }
}
