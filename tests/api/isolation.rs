//! A caller bound to an association acts only as its association: another association's
//! records (the association, its people, their consents, its funding applications, its
//! transitions) are "not found" to it, whatever it reads or writes; it never creates,
//! replaces, deletes or imports associations; and the change feed shows it its own only.
//!
//! Bound callers are `association` users and API clients created with an `association_id`.
//! What the access table refuses them outright is a 403 before anything is looked up; what it
//! lets through and is not theirs is a 404, and nothing is written either way.

use std::collections::BTreeSet;

use empower_api::auth::access::{self, Rule};
use empower_domain::identity::Role;
use empower_domain::identity::scope::Scope;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

/// An association made by the admin, with one person (who has a consent record) and one
/// funding application, moved once along the selection table (so it has a transition).
struct Holding {
    association: String,
    person: String,
    application: String,
    transition: String,
    consent: String,
}

fn association_body(name: &str) -> Value {
    json!({"name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"]})
}

fn person_body() -> Value {
    json!({
        "first_name": "Awa", "last_name": "Diallo", "gender": "female",
        "email": "awa@example.be", "role_in_association": "president", "is_representative": true
    })
}

fn application_body() -> Value {
    json!({
        "call_title": "Diaspora initiatives 2026", "funder": "Demo Foundation",
        "amount_requested": "12500.00", "status": "draft"
    })
}

fn consent_body() -> Value {
    json!({"purpose": "publication", "granted": true, "text_version": "2026-10"})
}

/// `POST path` as `token`, asserting a 201; returns the created body.
async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let reply = app.post_json(Some(token), path, body).await;
    assert_eq!(reply.status, 201, "POST {path}: {}", reply.text);
    reply.json()
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("id").to_owned()
}

async fn holding(app: &TestApp, admin: &str, name: &str) -> Holding {
    let association = app.create_association(admin, name).await;
    let base = format!("/api/v1/associations/{association}");
    let person = id_of(&created(app, admin, &format!("{base}/people"), person_body()).await);
    let application = id_of(
        &created(
            app,
            admin,
            &format!("{base}/funding-applications"),
            application_body(),
        )
        .await,
    );
    let transition = id_of(
        &created(
            app,
            admin,
            &format!("{base}/transitions"),
            json!({"to": "shortlisted", "reason": "Strong application"}),
        )
        .await,
    );
    let consent = id_of(
        &created(
            app,
            admin,
            &format!("/api/v1/people/{person}/consents"),
            consent_body(),
        )
        .await,
    );
    Holding {
        association,
        person,
        application,
        transition,
        consent,
    }
}

/// A caller bound to an association, and what the access table knows of it.
struct Bound {
    what: &'static str,
    token: String,
    role: Option<Role>,
    scopes: Vec<Scope>,
}

impl Bound {
    /// Whether the access table lets this caller call `operation` at all.
    fn may(&self, operation: &str) -> bool {
        match access::rule(operation)
            .unwrap_or_else(|| panic!("{operation} has no rule in the access table"))
        {
            Rule::Public => true,
            Rule::Protected { roles, scopes } => match self.role {
                Some(role) => roles.contains(&role),
                None => self.scopes.iter().any(|s| scopes.contains(s)),
            },
        }
    }

    /// The refusal this caller gets for `operation` aimed at another association: 403 when
    /// the table refuses it, or when it creates or imports associations (never a bound
    /// caller's to do); 404 otherwise (not yours to see).
    fn refusal(&self, operation: &str) -> (u16, &'static str) {
        if !self.may(operation) || matches!(operation, "create_association" | "import_associations")
        {
            (403, "forbidden")
        } else {
            (404, "not_found")
        }
    }
}

/// An `association` user bound to `association`, and a client bound to it with `scopes`.
async fn bound_callers(
    app: &TestApp,
    admin: &str,
    association: &str,
    client_scopes: &[&str],
) -> Vec<Bound> {
    let user = app.association_user_token(admin, association).await;
    let client = app
        .client_token(admin, client_scopes, Some(association))
        .await;
    vec![
        Bound {
            what: "association user",
            token: user,
            role: Some(Role::Association),
            scopes: vec![],
        },
        Bound {
            what: "bound client",
            token: client,
            role: None,
            scopes: client_scopes
                .iter()
                .map(|s| Scope::parse(s).expect("known scope"))
                .collect(),
        },
    ]
}

/// One request of a caller.
struct Call {
    operation: String,
    method: Method,
    path: String,
    body: Option<(String, Value)>,
    if_match: Option<&'static str>,
}

impl Call {
    fn new(operation: &str, method: Method, path: String) -> Self {
        Self {
            operation: operation.to_owned(),
            method,
            path,
            body: None,
            if_match: None,
        }
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Some(("application/json".into(), body));
        self
    }

    fn merge(mut self, body: Value) -> Self {
        self.body = Some(("application/merge-patch+json".into(), body));
        self
    }

    fn if_match(mut self, tag: &'static str) -> Self {
        self.if_match = Some(tag);
        self
    }

    fn describe(&self) -> String {
        format!("{} {} ({})", self.method, self.path, self.operation)
    }
}

async fn send(app: &TestApp, token: &str, call: &Call) -> Reply {
    app.send(call.method.clone(), &call.path, |r| {
        let mut r = r.bearer_auth(token);
        if let Some((content_type, body)) = &call.body {
            r = r
                .header("Content-Type", content_type.as_str())
                .body(body.to_string());
        }
        if let Some(tag) = call.if_match {
            r = r.header("If-Match", tag);
        }
        r
    })
    .await
}

/// Everything of `other` the admin can see, to compare before and after: the records, their
/// lists, the association list and the whole change feed (any write anywhere shows in it).
async fn snapshot(app: &TestApp, admin: &str, other: &Holding) -> Value {
    let get = |path: String| async move {
        let reply = app.get_as(admin, &path).await;
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.text);
        reply.json()
    };
    let a = &other.association;
    let p = &other.person;
    json!({
        "association": get(format!("/api/v1/associations/{a}")).await,
        "person": get(format!("/api/v1/people/{p}")).await,
        "application": get(format!("/api/v1/funding-applications/{}", other.application)).await,
        "people": get(format!("/api/v1/associations/{a}/people?limit=200")).await["items"],
        "applications":
            get(format!("/api/v1/associations/{a}/funding-applications?limit=200")).await["items"],
        "transitions": get(format!("/api/v1/associations/{a}/transitions?limit=200")).await["items"],
        "consents": get(format!("/api/v1/people/{p}/consents?limit=200")).await["items"],
        "associations": get("/api/v1/associations?limit=200".into()).await["items"],
        "feed": get("/api/v1/changes?limit=200".into()).await["items"],
    })
}

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

async fn listed_ids(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let reply = app.get_as(token, path).await;
    assert_eq!(reply.status, 200, "GET {path}: {}", reply.text);
    reply.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
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

async fn association_total(app: &TestApp, admin: &str) -> i64 {
    app.get_as(admin, "/api/v1/associations?include_total=true")
        .await
        .json()["total"]
        .as_i64()
        .expect("total")
}

#[tokio::test]
async fn a_bound_caller_edits_its_own_association_but_never_creates_imports_or_deletes_one() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let own = holding(&app, &admin, "Own Circle").await;
    let callers = bound_callers(
        &app,
        &admin,
        &own.association,
        &["associations:read", "associations:write"],
    )
    .await;
    let own_path = format!("/api/v1/associations/{}", own.association);
    let associations_before = association_total(&app, &admin).await;

    for (n, caller) in callers.iter().enumerate() {
        let who = caller.what;
        // Never for the whole registry: create, import, replace a new id, delete, move.
        let random = uuid::Uuid::now_v7();
        let refused = [
            Call::new(
                "create_association",
                Method::POST,
                "/api/v1/associations".into(),
            )
            .json(association_body(&format!("Created By {n}"))),
            Call::new(
                "import_associations",
                Method::POST,
                "/api/v1/associations/import".into(),
            )
            .json(json!([association_body(&format!("Imported By {n}"))])),
            Call::new(
                "put_association",
                Method::PUT,
                format!("/api/v1/associations/{random}"),
            )
            .json(association_body(&format!("Put By {n}"))),
            Call::new("delete_association", Method::DELETE, own_path.clone()),
            Call::new(
                "create_association_transition",
                Method::POST,
                format!("{own_path}/transitions"),
            )
            .json(json!({"to": "withdrawn", "reason": "We leave"})),
        ];
        for call in &refused {
            let reply = send(&app, &caller.token, call).await;
            let expected = match call.operation.as_str() {
                // A new id is "not yours" to a bound caller the table lets replace.
                "put_association" => caller.refusal("put_association"),
                _ => (403, "forbidden"),
            };
            assert_eq!(
                reply.status,
                expected.0,
                "{who} on {}: {}",
                call.describe(),
                reply.text
            );
            reply.assert_problem(expected.0, expected.1);
        }
        app.get_as(&admin, &format!("/api/v1/associations/{random}"))
            .await
            .assert_problem(404, "not_found");
        let stays = app.get_as(&admin, &own_path).await;
        assert_eq!(stays.status, 200, "{who}: its association stays");
        assert_eq!(stays.json()["status"], "shortlisted");

        // Its own association: patched, and replaced by whom the table lets replace.
        let version = stays.json()["version"].as_i64().expect("version");
        let tag = format!("\"{version}\"");
        let patched = app
            .patch_as(
                &caller.token,
                &own_path,
                json!({"member_count": 10 + n}),
                Some(&tag),
            )
            .await;
        assert_eq!(
            patched.status, 200,
            "{who} patches its own: {}",
            patched.text
        );
        assert_eq!(patched.json()["version"], version + 1);
        assert_eq!(patched.json()["member_count"], 10 + n);
        if caller.may("put_association") {
            let mut body = association_body("Own Circle");
            body["member_count"] = (20 + n).into();
            let put = app
                .write_as(Method::PUT, &caller.token, &own_path, Some(body), None)
                .await;
            assert_eq!(put.status, 200, "{who} replaces its own: {}", put.text);
            assert_eq!(put.json()["member_count"], 20 + n);
            assert_eq!(put.json()["version"], version + 2);
        }

        // Its own people: created, patched, upserted, consented, deleted.
        let person = created(
            &app,
            &caller.token,
            &format!("{own_path}/people"),
            person_body(),
        )
        .await;
        let person_path = format!("/api/v1/people/{}", id_of(&person));
        let patched = app
            .patch_as(
                &caller.token,
                &person_path,
                json!({"role_in_association": "treasurer"}),
                Some("\"1\""),
            )
            .await;
        assert_eq!(patched.status, 200, "{who}: {}", patched.text);
        let fresh = format!("/api/v1/people/{}", uuid::Uuid::now_v7());
        let mut body = person_body();
        body["association_id"] = own.association.clone().into();
        let put = app
            .write_as(Method::PUT, &caller.token, &fresh, Some(body.clone()), None)
            .await;
        assert_eq!(put.status, 201, "{who} upserts a new person: {}", put.text);
        body["first_name"] = "Aminata".into();
        let put = app
            .write_as(
                Method::PUT,
                &caller.token,
                &fresh,
                Some(body),
                Some("\"1\""),
            )
            .await;
        assert_eq!(put.status, 200, "{who} replaces its person: {}", put.text);
        assert_eq!(put.json()["first_name"], "Aminata");
        created(
            &app,
            &caller.token,
            &format!("{fresh}/consents"),
            consent_body(),
        )
        .await;
        let deleted = app
            .write_as(Method::DELETE, &caller.token, &person_path, None, None)
            .await;
        assert_eq!(deleted.status, 204, "{who}: {}", deleted.text);

        // Its own funding applications.
        let application = created(
            &app,
            &caller.token,
            &format!("{own_path}/funding-applications"),
            application_body(),
        )
        .await;
        let application_path = format!("/api/v1/funding-applications/{}", id_of(&application));
        let patched = app
            .patch_as(
                &caller.token,
                &application_path,
                json!({"funder": "Another Foundation"}),
                Some("\"1\""),
            )
            .await;
        assert_eq!(patched.status, 200, "{who}: {}", patched.text);
        let deleted = app
            .write_as(Method::DELETE, &caller.token, &application_path, None, None)
            .await;
        assert_eq!(deleted.status, 204, "{who}: {}", deleted.text);
    }

    assert_eq!(
        association_total(&app, &admin).await,
        associations_before,
        "no association created or deleted"
    );
    let kept = app.get_as(&admin, &own_path).await.json();
    assert_eq!(
        kept["status"], "shortlisted",
        "no transition by a bound caller"
    );
    let transitions = listed_ids(&app, &admin, &format!("{own_path}/transitions")).await;
    assert_eq!(transitions, std::slice::from_ref(&own.transition));
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

/// The path with every parameter filled with the right kind of record of `other`; panics on
/// a parameter the walk does not know.
fn fill(path: &str, other: &Holding) -> String {
    let id = if path.starts_with("/api/v1/associations/{id}") {
        Some(&other.association)
    } else if path.starts_with("/api/v1/people/{id}") {
        Some(&other.person)
    } else if path.starts_with("/api/v1/funding-applications/{id}") {
        Some(&other.application)
    } else {
        None
    };
    let mut filled = path.to_owned();
    if let Some(id) = id {
        filled = filled.replace("{id}", id);
    }
    filled = filled
        .replace("{transition_id}", &other.transition)
        .replace("{consent_id}", &other.consent);
    assert!(
        !filled.contains('{'),
        "the walk does not know how to fill the parameters of {path}: teach it (fill)"
    );
    filled
}

/// A valid body for each write operation that takes one, so a refusal is about ownership.
fn valid_body(operation: &str, other: &Holding) -> Value {
    match operation {
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
        "create_funding_application" => application_body(),
        "update_funding_application" => json!({"funder": "Somebody else"}),
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
    "create_funding_application",
    "update_funding_application",
    "delete_funding_application",
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

    let before = snapshot(&app, &admin, &other).await;
    for caller in &callers {
        for (method, template, id, op) in &writes {
            let path = fill(template, &other);
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
                call.body = Some((content_type, valid_body(id, &other)));
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
}

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|i| i["pointer"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn binding_to_an_association_that_does_not_exist_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let home = app.create_association(&admin, "Home Circle").await;
    let gone = app.create_association(&admin, "Gone Circle").await;
    let deleted = app
        .write_as(
            Method::DELETE,
            &admin,
            &format!("/api/v1/associations/{gone}"),
            None,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let users_before = app
        .get_as(&admin, "/api/v1/users?include_total=true")
        .await
        .json()["total"]
        .clone();
    let clients_before = app
        .get_as(&admin, "/api/v1/api-clients?include_total=true")
        .await
        .json()["total"]
        .clone();

    for (what, missing) in [
        ("a random id", uuid::Uuid::now_v7().to_string()),
        ("a deleted association", gone.clone()),
    ] {
        let problem = app
            .post_json(
                Some(&admin),
                "/api/v1/users",
                json!({
                    "email": format!("bound-{}@test.empower.local", uuid::Uuid::now_v7().simple()),
                    "display_name": "Bound nowhere", "role": "association",
                    "association_id": missing, "password": "a-test-password-long-enough"
                }),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(
            pointers(&problem),
            ["/association_id"],
            "user bound to {what}"
        );
        let problem = app
            .post_json(
                Some(&admin),
                "/api/v1/api-clients",
                json!({"name": "Bound nowhere", "scopes": ["associations:read"], "association_id": missing}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(
            pointers(&problem),
            ["/association_id"],
            "client bound to {what}"
        );
    }
    assert_eq!(
        app.get_as(&admin, "/api/v1/users?include_total=true")
            .await
            .json()["total"],
        users_before,
        "no user created"
    );
    assert_eq!(
        app.get_as(&admin, "/api/v1/api-clients?include_total=true")
            .await
            .json()["total"],
        clients_before,
        "no client created"
    );

    // Moving an existing binding to a missing association: refused, the binding stays.
    let user = created(
        &app,
        &admin,
        "/api/v1/users",
        json!({
            "email": "bound-home@test.empower.local", "display_name": "Bound home",
            "role": "association", "association_id": home, "password": "a-test-password-long-enough"
        }),
    )
    .await;
    let user_path = format!("/api/v1/users/{}", id_of(&user));
    let client = created(
        &app,
        &admin,
        "/api/v1/api-clients",
        json!({"name": "Bound home", "scopes": ["associations:read"], "association_id": home}),
    )
    .await;
    let client_path = format!("/api/v1/api-clients/{}", id_of(&client));
    for path in [&user_path, &client_path] {
        for missing in [uuid::Uuid::now_v7().to_string(), gone.clone()] {
            let problem = app
                .patch_as(&admin, path, json!({"association_id": missing}), None)
                .await
                .assert_problem(422, "validation_failed");
            assert_eq!(pointers(&problem), ["/association_id"], "PATCH {path}");
        }
        let now = app.get_as(&admin, path).await.json();
        assert_eq!(now["association_id"], home.as_str(), "{path} stays bound");
        assert_eq!(now["version"], 1, "{path} unchanged");
    }
}

/// The feed as `token` sees it: (type, id) of every item.
async fn feed(app: &TestApp, token: &str, query: &str) -> Vec<(String, String)> {
    let reply = app
        .get_as(token, &format!("/api/v1/changes?limit=200{query}"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["type"].as_str().expect("type").to_owned(),
                i["id"].as_str().expect("id").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_change_feed_shows_a_bound_client_its_own_association_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let own = holding(&app, &admin, "Own Circle").await;
    let other = holding(&app, &admin, "Other Circle").await;
    let patched = app
        .patch_as(
            &admin,
            &format!("/api/v1/associations/{}", other.association),
            json!({"member_count": 7}),
            None,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let everything = feed(&app, &admin, "").await;
    let own_ids = [&own.association, &own.person, &own.application];
    let other_ids = [&other.association, &other.person, &other.application];
    let types: BTreeSet<&str> = everything.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        BTreeSet::from(["association", "funding_application", "person"])
    );

    // Bound: its own association's changes, all of them, in order; never another's.
    let bound = app
        .client_token(
            &admin,
            &["sync:read", "associations:read"],
            Some(&own.association),
        )
        .await;
    let seen = feed(&app, &bound, "").await;
    let expected: Vec<(String, String)> = everything
        .iter()
        .filter(|(_, id)| own_ids.contains(&id))
        .cloned()
        .collect();
    assert_eq!(seen, expected, "a bound client sees its own changes only");
    assert!(
        seen.iter().all(|(_, id)| !other_ids.contains(&id)),
        "never another association's"
    );
    for (kind, id) in [
        ("association", &own.association),
        ("person", &own.person),
        ("funding_application", &own.application),
    ] {
        assert!(
            seen.iter().any(|(t, i)| t == kind && i == id),
            "{kind} {id} is in the bound feed"
        );
    }
    let people = feed(&app, &bound, "&types=person").await;
    assert!(!people.is_empty());
    assert!(
        people
            .iter()
            .all(|(t, id)| t == "person" && id == &own.person),
        "{people:?}"
    );
    // Also on a cursor past the start: still its own only.
    let first = app.get_as(&bound, "/api/v1/changes?limit=1").await.json();
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let rest = feed(&app, &bound, &format!("&cursor={cursor}")).await;
    assert_eq!(rest, expected[1..].to_vec());

    // A client without read rights on any type sees nothing at all, bound or not.
    for association in [None, Some(own.association.as_str())] {
        let sync_only = app.client_token(&admin, &["sync:read"], association).await;
        let seen = feed(&app, &sync_only, "").await;
        assert!(
            seen.is_empty(),
            "sync:read alone (bound: {association:?}) reads no type: {seen:?}"
        );
        let seen = feed(&app, &sync_only, "&types=association,person").await;
        assert!(seen.is_empty(), "{seen:?}");
    }

    // Unbound with read rights: every type (people are read with associations:read too).
    let unbound = app
        .client_token(&admin, &["sync:read", "associations:read"], None)
        .await;
    assert_eq!(feed(&app, &unbound, "").await, everything);

    // Association users do not read the feed at all.
    let user = app.association_user_token(&admin, &own.association).await;
    app.get_as(&user, "/api/v1/changes")
        .await
        .assert_problem(403, "forbidden");
}
