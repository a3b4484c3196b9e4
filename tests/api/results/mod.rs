//! The results framework: the exact value of every metric over a data set built by hand, the
//! framework's rules, manual measurements, frozen reporting periods, the CSV and IATI exports
//! and the public figures with small cells suppressed.

mod completions;
mod exactness;
mod exports;
mod framework;
mod periods;
mod public;

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};
use crate::training::{enrolled, person, session, take_attendance};

/// The seeded indicators' ids, by their place in the seed (`migrations`' `INDICATORS`).
pub fn seeded(n: u128) -> String {
    uuid::Uuid::from_u128(empower_migration::m20261129_000013_results::FIRST_INDICATOR_ID + n)
        .to_string()
}

/// The seeded indicators this module reads.
pub mod ids {
    /// `OO.1`, development activities (manual).
    pub const ACTIVITIES: u128 = 0;
    /// `SO1.1`, associations with a representative who completed every module.
    pub const ASSOCIATIONS_COMPLETED: u128 = 1;
    /// `SO1.2`, funding applications after the first training day.
    pub const FUNDING: u128 = 2;
    /// `SO1.3`, share of assessed enrolments that improved.
    pub const KNOWLEDGE: u128 = 3;
    /// `R1.1.1`, associations selected.
    pub const SELECTED: u128 = 4;
    /// `R1.1.2`, representatives who completed module 1.
    pub const COMPLETED_M1: u128 = 5;
    /// `R1.1.3`, module 2.
    pub const COMPLETED_M2: u128 = 6;
    /// `R1.1.4`, module 3.
    pub const COMPLETED_M3: u128 = 7;
    /// `R1.1.5`, training days delivered.
    pub const TRAINING_DAYS: u128 = 8;
    /// `R1.2.1`, validated restitutions.
    pub const RESTITUTIONS: u128 = 9;
    /// `R1.2.2`, members reached.
    pub const ATTENDEES: u128 = 10;
    /// `SO2.1`, associations in the repertoire.
    pub const REPERTOIRE: u128 = 11;
    /// `R2.1.4`, copies disseminated.
    pub const COPIES: u128 = 15;
    /// `R2.1.5`, people reached.
    pub const REACH: u128 = 16;
    /// `R2.2.1`, new stakeholder contacts.
    pub const PARTNERS: u128 = 17;
}

/// An association with these countries and postal code (none: no address), moved through
/// `path` (`["shortlisted", "selected"]`...): its id.
pub async fn association(
    app: &TestApp,
    admin: &str,
    name: &str,
    countries: &[&str],
    postal_code: Option<&str>,
    path: &[&str],
) -> String {
    let mut body =
        json!({"name": name, "legal_form": "de_facto", "countries_of_origin": countries});
    if let Some(code) = postal_code {
        body["address"] = json!({"street": "Rue Haute 1", "postal_code": code, "city": "Ville"});
    }
    let reply = app
        .post_json(Some(admin), "/api/v1/associations", body)
        .await;
    assert_eq!(reply.status, 201, "association: {}", reply.text);
    let id = reply.json()["id"].as_str().expect("id").to_owned();
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

/// A person of `gender`: her id.
pub async fn someone(
    app: &TestApp,
    admin: &str,
    association: &str,
    name: &str,
    gender: &str,
) -> String {
    let id = person(app, admin, association, name, "Test", true).await;
    if gender != "female" {
        let reply = app
            .patch_as(
                admin,
                &format!("/api/v1/people/{id}"),
                json!({"gender": gender}),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "gender: {}", reply.text);
    }
    id
}

/// Held sessions of `module` on `dates` (day 1, 2...), with who was present at each.
pub async fn days(
    app: &TestApp,
    admin: &str,
    module: &str,
    dates: &[(&str, &[&str])],
    everyone: &[&str],
) {
    for (n, (date, present)) in dates.iter().enumerate() {
        let day = i32::try_from(n + 1).expect("day");
        let id = session(app, admin, module, day, date, "held").await;
        let sheet: Vec<Value> = everyone
            .iter()
            .map(|p| {
                let status = if present.contains(p) {
                    "present"
                } else {
                    "absent"
                };
                json!({"person_id": p, "status": status})
            })
            .collect();
        let reply = take_attendance(app, admin, &id, json!(sheet)).await;
        assert_eq!(reply.status, 200, "attendance: {}", reply.text);
    }
}

/// Records an assessment.
pub async fn assess(app: &TestApp, admin: &str, enrolment: &str, kind: &str, score: i32, on: &str) {
    let reply = app
        .post_json(
            Some(admin),
            &format!("/api/v1/enrollments/{enrolment}/assessments"),
            json!({"kind": kind, "score": score, "taken_on": on}),
        )
        .await;
    assert_eq!(reply.status, 201, "assessment: {}", reply.text);
}

/// A restitution of `association` led by `facilitator` on `modules`, held on `held_on` with
/// `attendees`, moved to `status` (`planned`, `reported` or `validated`).
pub async fn restitution(
    app: &TestApp,
    admin: &str,
    (association, facilitator): (&str, &str),
    modules: &[&str],
    held_on: &str,
    attendees: Value,
    status: &str,
) -> String {
    let reply = app
        .post_json(
            Some(admin),
            "/api/v1/restitutions",
            json!({"association_id": association, "module_ids": modules,
                "facilitator_ids": [facilitator], "planned_on": held_on,
                "location": {"city": "Liège", "postal_code": "4000"}, "language": "fr",
                "topics": ["Project cycle"]}),
        )
        .await;
    assert_eq!(reply.status, 201, "restitution: {}", reply.text);
    let id = reply.json()["id"].as_str().expect("id").to_owned();
    if status == "planned" {
        return id;
    }
    let reply = crate::restitutions::patch(
        app,
        admin,
        &id,
        json!({"held_on": held_on, "attendees": attendees}),
    )
    .await;
    assert_eq!(reply.status, 200, "held: {}", reply.text);
    assert_eq!(
        crate::restitutions::add_link(app, admin, &id).await.status,
        201
    );
    for to in ["reported", "validated"] {
        let reply = crate::restitutions::move_to(app, admin, &id, to, None).await;
        assert_eq!(reply.status, 201, "{to}: {}", reply.text);
        if to == status {
            break;
        }
    }
    id
}

/// A funding application of `association`.
pub async fn application(
    app: &TestApp,
    admin: &str,
    association: &str,
    submitted_on: Option<&str>,
    status: &str,
) {
    let reply = app
        .post_json(
            Some(admin),
            &format!("/api/v1/associations/{association}/funding-applications"),
            json!({"call_title": "Call", "funder": "Foundation", "submitted_on": submitted_on,
                "amount_requested": "1000", "status": status}),
        )
        .await;
    assert_eq!(reply.status, 201, "application: {}", reply.text);
}

/// A partner first contacted on `on` (or never), in `country`.
pub async fn partner(
    app: &TestApp,
    admin: &str,
    name: &str,
    country: Option<&str>,
    on: Option<&str>,
) {
    let reply = app
        .post_json(
            Some(admin),
            "/api/v1/partners",
            json!({"name": name, "kind": "ngo", "country": country, "first_contact_on": on}),
        )
        .await;
    assert_eq!(reply.status, 201, "partner: {}", reply.text);
}

/// A dissemination of a published deliverable.
pub async fn dissemination(
    app: &TestApp,
    admin: &str,
    deliverable: &str,
    date: &str,
    copies: i64,
    reach: Option<i64>,
) {
    let reply = app
        .post_json(
            Some(admin),
            &format!("/api/v1/deliverables/{deliverable}/disseminations"),
            json!({"date": date, "channel": "event", "audience": "NGOs", "copies": copies, "reach": reach}),
        )
        .await;
    assert_eq!(reply.status, 201, "dissemination: {}", reply.text);
}

/// `GET /api/v1/indicators/{id}/values?{query}`.
pub async fn values(app: &TestApp, token: &str, indicator: &str, query: &str) -> Reply {
    app.get_as(
        token,
        &format!("/api/v1/indicators/{indicator}/values?{query}"),
    )
    .await
}

/// The value of an indicator over a query, asserting success.
pub async fn value(app: &TestApp, token: &str, indicator: &str, query: &str) -> Value {
    let reply = values(app, token, indicator, query).await;
    assert_eq!(
        reply.status, 200,
        "values {indicator}?{query}: {}",
        reply.text
    );
    reply.json()["value"].clone()
}

/// The cells of a breakdown as `{key or label: value}`.
pub async fn cells(app: &TestApp, token: &str, indicator: &str, query: &str) -> Value {
    let reply = values(app, token, indicator, query).await;
    assert_eq!(
        reply.status, 200,
        "values {indicator}?{query}: {}",
        reply.text
    );
    let body = reply.json();
    let mut out = serde_json::Map::new();
    for cell in body["breakdown"]["cells"].as_array().expect("cells") {
        let key = cell["label"]
            .as_str()
            .or(cell["key"].as_str())
            .expect("key");
        out.insert(key.to_owned(), cell["value"].clone());
    }
    Value::Object(out)
}

/// A new indicator computed by `metric` with `params`: its id.
pub async fn computed(
    app: &TestApp,
    admin: &str,
    code: &str,
    metric: &str,
    params: Value,
) -> String {
    let unit = if metric == "knowledge_improved_pct" {
        "percent"
    } else {
        "count"
    };
    let reply = app
        .post_json(
            Some(admin),
            "/api/v1/indicators",
            json!({"code": code, "result_id": RESULT_R1_1, "name": {"en": code},
                "definition": "For the test.", "unit": unit, "source": "computed",
                "metric": metric, "params": params}),
        )
        .await;
    assert_eq!(reply.status, 201, "indicator: {}", reply.text);
    reply.json()["id"].as_str().expect("id").to_owned()
}

/// The line of indicator `code` anywhere in a report's (or the public results') tree.
pub fn indicator_in(report: &Value, code: &str) -> Value {
    fn find(node: &Value, code: &str) -> Option<Value> {
        node["indicators"]
            .as_array()?
            .iter()
            .find(|i| i["code"] == code)
            .cloned()
            .or_else(|| {
                node["children"]
                    .as_array()?
                    .iter()
                    .find_map(|c| find(c, code))
            })
    }
    report["results"]
        .as_array()
        .and_then(|roots| roots.iter().find_map(|r| find(r, code)))
        .unwrap_or(Value::Null)
}

/// The seeded output `R1.1`.
pub const RESULT_R1_1: &str = "019ac100-0000-7000-8000-000000000004";
/// The seeded impact `OO`.
pub const RESULT_OO: &str = "019ac100-0000-7000-8000-000000000001";

/// Enrols each person in each module: the enrolment ids, by person then module.
pub async fn enrol_all(app: &TestApp, admin: &str, plan: &[(&str, &[&str])]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (person, modules) in plan {
        let mut row = Vec::new();
        for module in *modules {
            row.push(enrolled(app, admin, person, module).await);
        }
        out.push(row);
    }
    out
}
