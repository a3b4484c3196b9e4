//! The requests of the walk: an operation's valid request, and one per bad value of each of
//! its fields with everything else valid.

use std::fmt::Write as _;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD};

use super::values::{Bad, Place, alternatives, bad_values, resolve, type_of};

/// Stands for the bad value in a body until the body is serialised.
const PLACEHOLDER: &str = "@@bad-value@@";

/// Percent-encodes a path segment or a query value.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The records every operation's path points at.
pub(super) struct Ids {
    pub(super) association: String,
    pub(super) applicant: String,
    pub(super) victim_association: String,
    pub(super) transition: String,
    pub(super) person: String,
    pub(super) victim_person: String,
    pub(super) consent: String,
    pub(super) funding: String,
    pub(super) victim_funding: String,
    pub(super) user: String,
    pub(super) client: String,
    /// A client of its own for webhooks (the walk may revoke `client`), two subscriptions of it
    /// (one to delete) and a failed ping (a delivery that may be sent again).
    pub(super) webhook_client: String,
    pub(super) webhook: String,
    pub(super) victim_webhook: String,
    pub(super) delivery: String,
    pub(super) training: TrainingIds,
    pub(super) visibility: VisibilityIds,
    pub(super) results: ResultsIds,
}

/// The results-framework records the walk's paths point at.
pub(super) struct ResultsIds {
    /// An output made for the walk, and an empty one to delete.
    pub(super) result: String,
    pub(super) victim_result: String,
    /// A computed indicator, and one to delete.
    pub(super) indicator: String,
    pub(super) victim_indicator: String,
    /// The seeded manual indicator, with a measurement and one to delete.
    pub(super) manual: String,
    pub(super) measurement: String,
    pub(super) victim_measurement: String,
    /// An open period, one to close, a closed one (the walk's reopen reopens it), one to delete.
    pub(super) period: String,
    pub(super) closable_period: String,
    pub(super) closed_period: String,
    pub(super) victim_period: String,
}

/// The deliverables the walk's paths point at.
pub(super) struct VisibilityIds {
    /// A draft brief with two stories.
    pub(super) brief: String,
    pub(super) story: String,
    pub(super) victim_story: String,
    /// A draft deliverable to delete.
    pub(super) victim_deliverable: String,
    /// A deliverable in review (the walk's move requests changes), and its move.
    pub(super) in_review: String,
    pub(super) review_transition: String,
    /// A draft calendar with two months.
    pub(super) calendar: String,
    pub(super) entry: String,
    pub(super) victim_entry: String,
    /// A published deliverable with two dissemination records.
    pub(super) published: String,
    pub(super) dissemination: String,
    pub(super) victim_dissemination: String,
    /// The year of a published calendar.
    pub(super) year: String,
}

/// The training records the walk's paths point at.
pub(super) struct TrainingIds {
    /// A seeded module (never deleted).
    pub(super) module: String,
    /// A module nothing uses, to delete.
    pub(super) victim_module: String,
    /// A held session with the trainee on its sheet.
    pub(super) session: String,
    /// A session without attendance, to delete.
    pub(super) victim_session: String,
    pub(super) partner: String,
    pub(super) victim_partner: String,
    /// The trainee's completed enrolment (it has a `pre` assessment).
    pub(super) enrollment: String,
    /// An enrolment to withdraw and delete.
    pub(super) victim_enrollment: String,
    pub(super) assessment: String,
    pub(super) victim_assessment: String,
    /// The trainee, enrolled in the session's module.
    pub(super) trainee: String,
    /// A representative of a selected association, enrolled in nothing.
    pub(super) newcomer: String,
    /// The completed enrolment's verification code.
    pub(super) certificate_code: String,
    /// The trainee's association.
    pub(super) home: String,
    /// A planned restitution the trainee facilitates, with a file and a link as evidence.
    pub(super) restitution: String,
    /// A planned restitution to delete.
    pub(super) victim_restitution: String,
    /// A reported restitution (the walk's review returns it).
    pub(super) reported_restitution: String,
    /// Its report's move.
    pub(super) restitution_transition: String,
    /// The planned restitution's uploaded file.
    pub(super) evidence_file: String,
    /// The planned restitution's link, to delete.
    pub(super) victim_evidence: String,
}

/// The value of path parameter `name` of `method path`.
fn path_value(ids: &Ids, method: &str, path: &str, name: &str) -> String {
    let deleting = method == "DELETE";
    let t = &ids.training;
    let v = &ids.visibility;
    let r = &ids.results;
    let id = match name {
        "measurement_id" if deleting => &r.victim_measurement,
        "measurement_id" => &r.measurement,
        _ if path.starts_with("/api/v1/indicators/{id}/measurements") => &r.manual,
        _ if path == "/api/v1/indicators/{id}" && deleting => &r.victim_indicator,
        _ if path.starts_with("/api/v1/indicators/") => &r.indicator,
        _ if path == "/api/v1/results/{id}" && deleting => &r.victim_result,
        _ if path.starts_with("/api/v1/results/") => &r.result,
        _ if path == "/api/v1/reporting-periods/{id}" && deleting => &r.victim_period,
        _ if path.ends_with("/close") => &r.closable_period,
        _ if path.ends_with("/reopen") || path.ends_with("/report") => &r.closed_period,
        _ if path.starts_with("/api/v1/reporting-periods/") => &r.period,
        "year" => &v.year,
        "story_id" if deleting => &v.victim_story,
        "story_id" => &v.story,
        "entry_id" if deleting => &v.victim_entry,
        "entry_id" => &v.entry,
        "dissemination_id" if deleting => &v.victim_dissemination,
        "dissemination_id" => &v.dissemination,
        "transition_id" if path.starts_with("/api/v1/deliverables/") => &v.review_transition,
        _ if path.starts_with("/api/v1/deliverables/{id}/transitions") => &v.in_review,
        _ if path.starts_with("/api/v1/deliverables/{id}/stories") => &v.brief,
        _ if path.starts_with("/api/v1/deliverables/{id}/calendar-entries") => &v.calendar,
        _ if path.starts_with("/api/v1/deliverables/{id}/disseminations") => &v.published,
        _ if path == "/api/v1/deliverables/{id}" && deleting => &v.victim_deliverable,
        _ if path.starts_with("/api/v1/deliverables/") => &v.brief,
        _ if path.starts_with("/api/v1/public/deliverables/") => &v.published,
        "code" if path.starts_with("/api/v1/public/certificates/") => &t.certificate_code,
        "code" => "SN",
        "number" => "5",
        "evidence_id" if deleting => &t.victim_evidence,
        "evidence_id" => &t.evidence_file,
        "transition_id" if path.starts_with("/api/v1/restitutions/") => &t.restitution_transition,
        "transition_id" => &ids.transition,
        "consent_id" => &ids.consent,
        "delivery_id" => &ids.delivery,
        _ if path == "/api/v1/webhooks/{id}" && deleting => &ids.victim_webhook,
        _ if path.starts_with("/api/v1/webhooks/") => &ids.webhook,
        _ if path.starts_with("/api/v1/api-clients/") => &ids.client,
        _ if path.starts_with("/api/v1/users/") => &ids.user,
        _ if path.starts_with("/api/v1/people/") && deleting => &ids.victim_person,
        _ if path.starts_with("/api/v1/people/") => &ids.person,
        _ if path.starts_with("/api/v1/funding-applications/") && deleting => &ids.victim_funding,
        _ if path.starts_with("/api/v1/funding-applications/") => &ids.funding,
        _ if path == "/api/v1/modules/{id}" && deleting => &t.victim_module,
        _ if path.starts_with("/api/v1/modules/") => &t.module,
        _ if path == "/api/v1/training-sessions/{id}" && deleting => &t.victim_session,
        _ if path.starts_with("/api/v1/training-sessions/") => &t.session,
        _ if path == "/api/v1/partners/{id}" && deleting => &t.victim_partner,
        _ if path.starts_with("/api/v1/partners/") => &t.partner,
        _ if path == "/api/v1/enrollments/{id}" && deleting => &t.victim_enrollment,
        _ if path.starts_with("/api/v1/enrollments/") => &t.enrollment,
        _ if path == "/api/v1/assessments/{id}" && deleting => &t.victim_assessment,
        _ if path.starts_with("/api/v1/assessments/") => &t.assessment,
        _ if path.starts_with("/api/v1/restitutions/{id}/transitions") => &t.reported_restitution,
        _ if path == "/api/v1/restitutions/{id}" && deleting => &t.victim_restitution,
        _ if path.starts_with("/api/v1/restitutions/") => &t.restitution,
        "id" if path == "/api/v1/associations/{id}" && deleting => &ids.victim_association,
        "id" if path == "/api/v1/associations/{id}/transitions" && method == "POST" => {
            &ids.applicant
        }
        _ => &ids.association,
    };
    id.to_owned()
}

/// The path with every parameter filled in, `bad` (already encoded) in place of `target`.
fn fill_path(ids: &Ids, method: &str, path: &str, target: Option<(&str, &str)>) -> String {
    let mut out = path.to_owned();
    while let Some(start) = out.find('{') {
        let end = out[start..].find('}').map_or(out.len(), |e| start + e);
        let name = out[start + 1..end].to_owned();
        let value = match target {
            Some((t, bad)) if t == name => bad.to_owned(),
            _ => encode(&path_value(ids, method, path, &name)),
        };
        out.replace_range(start..=end, &value);
    }
    out
}

/// What the caller of an operation is.
pub(super) struct Caller {
    name: &'static str,
    token: Option<String>,
}

/// One bad value of one field, placed in an otherwise valid request.
struct Variant {
    field: String,
    bad: Bad,
    url: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Option<String>,
}

/// One request of the walk, by one caller.
pub(super) struct Case {
    pub(super) operation: String,
    pub(super) field: String,
    pub(super) value: String,
    pub(super) caller: &'static str,
    pub(super) method: Method,
    pub(super) url: String,
    pub(super) token: Option<String>,
    pub(super) headers: Vec<(String, Vec<u8>)>,
    pub(super) body: Option<(String, String)>,
    pub(super) strict: bool,
}

/// The state the baselines need.
pub(super) struct Context {
    pub(super) ids: Ids,
    pub(super) me_password: String,
    pub(super) refresh_token: String,
    pub(super) counter: usize,
}

impl Context {
    fn next(&mut self) -> usize {
        self.counter += 1;
        self.counter
    }
}

/// A valid body for `operation`: the contract's example, made unique where it must be.
fn baseline_body(operation: &str, example: Option<&Value>, ctx: &mut Context) -> Value {
    let n = ctx.next();
    let mut body = example.cloned().unwrap_or_else(|| json!({}));
    match operation {
        "create_association" | "put_association" | "import_associations" => {
            body["name"] = json!(format!("Inputs Association {n}"));
            body["legal_form"] = json!("de_facto");
            if let Some(fields) = body.as_object_mut() {
                fields.remove("enterprise_number");
            }
            if operation == "import_associations" {
                body = json!([body]);
            }
        }
        "create_user" => {
            body["email"] = json!(format!("inputs-{n}@test.empower.local"));
        }
        "put_person" => {
            body["association_id"] = json!(ctx.ids.association);
        }
        "change_my_password" => {
            body = json!({
                "current_password": ctx.me_password,
                "new_password": format!("correct horse battery staple {n}"),
            });
        }
        "login" => body = json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        "create_module" => body["code"] = json!(format!("M{}", 100 + n % 900)),
        "create_partner" => body["name"] = json!(format!("Inputs Partner {n}")),
        "create_result" => body["code"] = json!(format!("W{n}")),
        "create_indicator" => body["code"] = json!(format!("WI{n}")),
        "create_enrollment" => {
            // M1: the trainee's module, M3, has its two representatives already.
            body =
                json!({"person_id": ctx.ids.training.newcomer, "module_id": crate::training::M1});
        }
        "create_enrollment_assessment" => body["kind"] = json!("post"),
        // The trainee stays enrolled: later sheets list her.
        "update_enrollment" => body = json!({"status": "enrolled"}),
        "put_training_session_attendance" => {
            body = json!([{"person_id": ctx.ids.training.trainee, "status": "present"}]);
        }
        "refresh" => body = json!({"refresh_token": ctx.refresh_token}),
        "create_webhook" => {
            body["api_client_id"] = json!(ctx.ids.webhook_client);
            body["event_types"] = json!(["*"]);
        }
        "create_deliverable_story" | "create_calendar_entry" => {
            body["association_id"] = json!(ctx.ids.association);
        }
        // Months 1 and 2 have entries, and the create takes 3.
        "update_calendar_entry" => body = json!({"month": 11}),
        "create_restitution" => {
            body["association_id"] = json!(ctx.ids.training.home);
            body["facilitator_ids"] = json!([ctx.ids.training.trainee]);
            body["module_ids"] = json!([crate::training::M3]);
        }
        _ => {}
    }
    body
}

/// Every property of a body schema, and one level into nested objects, as paths.
fn body_fields(api: &Value, schema: &Value) -> (bool, Vec<(Vec<String>, Value)>) {
    let root = resolve(api, schema);
    let (in_array, object) = if type_of(root) == Some("array") {
        (true, resolve(api, &root["items"]))
    } else {
        (false, root)
    };
    let mut fields = Vec::new();
    for (name, property) in object["properties"].as_object().into_iter().flatten() {
        fields.push((vec![name.clone()], property.clone()));
        for alt in alternatives(api, property) {
            for (inner, schema) in alt["properties"].as_object().into_iter().flatten() {
                fields.push((vec![name.clone(), inner.clone()], schema.clone()));
            }
        }
    }
    (in_array, fields)
}

/// `body` with the placeholder at `path` (in its first element when the body is a list).
fn with_placeholder(body: &Value, in_array: bool, path: &[String]) -> Value {
    let mut body = body.clone();
    let target = if in_array { &mut body[0] } else { &mut body };
    match path {
        [one] => target[one] = json!(PLACEHOLDER),
        [outer, inner] => {
            if !target[outer].is_object() {
                target[outer] = json!({});
            }
            target[outer][inner] = json!(PLACEHOLDER);
        }
        _ => {}
    }
    body
}

/// Everything the walk needs of one operation.
pub(super) struct Operation {
    pub(super) method: String,
    path: String,
    pub(super) id: String,
    op: Value,
}

pub(super) fn operations(api: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (path, item) in api["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if let Some(id) = op["operationId"].as_str() {
                found.push(Operation {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    id: id.to_owned(),
                    op: op.clone(),
                });
            }
        }
    }
    found
}

/// The callers an operation is tried with: the admin, and nobody for public operations.
pub(super) fn callers_of(operation: &Operation, admin: &str, me: &str) -> Vec<Caller> {
    let token = if operation.id == "change_my_password" {
        me
    } else {
        admin
    };
    let mut callers = vec![Caller {
        name: "admin",
        token: Some(token.to_owned()),
    }];
    if operation.op["security"]
        .as_array()
        .is_some_and(Vec::is_empty)
    {
        callers.push(Caller {
            name: "anonymous",
            token: None,
        });
    }
    callers
}

/// The bad-value cases of one operation.
pub(super) fn cases_of(
    api: &Value,
    operation: &Operation,
    ctx: &mut Context,
    callers: &[Caller],
) -> Vec<Case> {
    let method = Method::from_bytes(operation.method.as_bytes()).expect("method");
    let content_type = operation.op["requestBody"]["content"]
        .as_object()
        .and_then(|c| c.keys().next().cloned());
    let body_schema = content_type
        .as_ref()
        .map(|ct| operation.op["requestBody"]["content"][ct]["schema"].clone());
    let example = body_schema.as_ref().map(|s| resolve(api, s)).and_then(|s| {
        if type_of(s) == Some("array") {
            resolve(api, &s["items"]).get("example").cloned()
        } else {
            s.get("example").cloned()
        }
    });
    let plain_path = fill_path(&ctx.ids, &operation.method, &operation.path, None);

    let mut variants: Vec<Variant> = Vec::new();
    let fresh_body = |ctx: &mut Context| {
        body_schema
            .as_ref()
            .map(|_| baseline_body(&operation.id, example.as_ref(), ctx).to_string())
    };
    for parameter in operation.op["parameters"].as_array().into_iter().flatten() {
        let name = parameter["name"].as_str().expect("parameter name");
        let place = match parameter["in"].as_str() {
            Some("path") => Place::Path,
            Some("query") => Place::Query,
            Some("header") => Place::Header,
            _ => continue,
        };
        for bad in bad_values(api, &parameter["schema"], name, place) {
            let Some(text) = bad.text.clone() else {
                continue;
            };
            let (url, headers) = match place {
                Place::Path => (
                    fill_path(
                        &ctx.ids,
                        &operation.method,
                        &operation.path,
                        Some((name, &encode(&text))),
                    ),
                    vec![],
                ),
                Place::Query => (
                    format!(
                        "{plain_path}?{}={}",
                        encode(name),
                        encode(&text).replace("%2C", ",")
                    ),
                    vec![],
                ),
                Place::Header => (
                    plain_path.clone(),
                    vec![(name.to_owned(), text.into_bytes())],
                ),
                Place::Body => continue,
            };
            let body = fresh_body(ctx);
            variants.push(Variant {
                field: name.to_owned(),
                bad,
                url,
                headers,
                body,
            });
        }
    }
    if let Some(schema) = &body_schema {
        let (in_array, fields) = body_fields(api, schema);
        for (path, field_schema) in fields {
            let field = path.last().cloned().unwrap_or_default();
            for bad in bad_values(api, &field_schema, &field, Place::Body) {
                let mut base = baseline_body(&operation.id, example.as_ref(), ctx);
                if field == "amount_granted" {
                    // An amount granted is taken only once granted: judge the amount itself.
                    base["status"] = json!("granted");
                }
                let body = with_placeholder(&base, in_array, &path)
                    .to_string()
                    .replacen(&Value::String(PLACEHOLDER.into()).to_string(), &bad.json, 1);
                variants.push(Variant {
                    field: format!("/{}", path.join("/")),
                    bad,
                    url: plain_path.clone(),
                    headers: vec![],
                    body: Some(body),
                });
            }
        }
    }
    let mut cases = Vec::new();
    for variant in variants {
        for caller in callers {
            cases.push(Case {
                operation: format!("{} {} ({})", operation.method, operation.path, operation.id),
                field: variant.field.clone(),
                value: variant.bad.label.clone(),
                caller: caller.name,
                method: method.clone(),
                url: variant.url.clone(),
                token: caller.token.clone(),
                headers: variant.headers.clone(),
                body: variant
                    .body
                    .clone()
                    .zip(content_type.clone())
                    .map(|(b, ct)| (ct, b)),
                strict: variant.bad.strict,
            });
        }
    }
    cases
}

/// The operation's valid request, to show the bad values are the only thing wrong.
pub(super) fn baseline_case(
    api: &Value,
    operation: &Operation,
    ctx: &mut Context,
    caller: &Caller,
) -> Case {
    let content_type = operation.op["requestBody"]["content"]
        .as_object()
        .and_then(|c| c.keys().next().cloned());
    let example = content_type.as_ref().and_then(|ct| {
        let schema = resolve(api, &operation.op["requestBody"]["content"][ct]["schema"]);
        if type_of(schema) == Some("array") {
            resolve(api, &schema["items"]).get("example").cloned()
        } else {
            schema.get("example").cloned()
        }
    });
    let body = content_type.map(|ct| {
        (
            ct,
            baseline_body(&operation.id, example.as_ref(), ctx).to_string(),
        )
    });
    Case {
        operation: format!("{} {} ({})", operation.method, operation.path, operation.id),
        field: "-".into(),
        value: "baseline".into(),
        caller: caller.name,
        method: Method::from_bytes(operation.method.as_bytes()).expect("method"),
        url: fill_path(&ctx.ids, &operation.method, &operation.path, None),
        token: caller.token.clone(),
        headers: vec![],
        body,
        strict: false,
    }
}
