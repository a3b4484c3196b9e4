//! What the tests start from: another association's records made by the admin, callers bound
//! to an association, and the requests they send.

use empower_api::auth::access::{self, Rule};
use empower_domain::identity::Role;
use empower_domain::identity::scope::Scope;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

/// An association made by the admin, with one person (who has a consent record) and one
/// funding application, moved once along the selection table (so it has a transition).
pub(super) struct Holding {
    pub(super) association: String,
    pub(super) person: String,
    pub(super) application: String,
    pub(super) transition: String,
    pub(super) consent: String,
}

pub(super) fn association_body(name: &str) -> Value {
    json!({"name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"]})
}

pub(super) fn person_body() -> Value {
    json!({
        "first_name": "Awa", "last_name": "Diallo", "gender": "female",
        "email": "awa@example.be", "role_in_association": "president", "is_representative": true
    })
}

pub(super) fn application_body() -> Value {
    json!({
        "call_title": "Diaspora initiatives 2026", "funder": "Demo Foundation",
        "amount_requested": "12500.00", "status": "draft"
    })
}

pub(super) fn consent_body() -> Value {
    json!({"purpose": "publication", "granted": true, "text_version": "2026-10"})
}

/// `POST path` as `token`, asserting a 201; returns the created body.
pub(super) async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let reply = app.post_json(Some(token), path, body).await;
    assert_eq!(reply.status, 201, "POST {path}: {}", reply.text);
    reply.json()
}

pub(super) fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("id").to_owned()
}

pub(super) async fn holding(app: &TestApp, admin: &str, name: &str) -> Holding {
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
pub(super) struct Bound {
    pub(super) what: &'static str,
    pub(super) token: String,
    role: Option<Role>,
    scopes: Vec<Scope>,
}

impl Bound {
    /// Whether the access table lets this caller call `operation` at all.
    pub(super) fn may(&self, operation: &str) -> bool {
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
    pub(super) fn refusal(&self, operation: &str) -> (u16, &'static str) {
        if !self.may(operation) || matches!(operation, "create_association" | "import_associations")
        {
            (403, "forbidden")
        } else {
            (404, "not_found")
        }
    }
}

/// An `association` user bound to `association`, and a client bound to it with `scopes`.
pub(super) async fn bound_callers(
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
pub(super) struct Call {
    pub(super) operation: String,
    method: Method,
    path: String,
    pub(super) body: Option<(String, Value)>,
    if_match: Option<&'static str>,
}

impl Call {
    pub(super) fn new(operation: &str, method: Method, path: String) -> Self {
        Self {
            operation: operation.to_owned(),
            method,
            path,
            body: None,
            if_match: None,
        }
    }

    pub(super) fn json(mut self, body: Value) -> Self {
        self.body = Some(("application/json".into(), body));
        self
    }

    pub(super) fn merge(mut self, body: Value) -> Self {
        self.body = Some(("application/merge-patch+json".into(), body));
        self
    }

    pub(super) fn if_match(mut self, tag: &'static str) -> Self {
        self.if_match = Some(tag);
        self
    }

    pub(super) fn describe(&self) -> String {
        format!("{} {} ({})", self.method, self.path, self.operation)
    }
}

pub(super) async fn send(app: &TestApp, token: &str, call: &Call) -> Reply {
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
pub(super) async fn snapshot(app: &TestApp, admin: &str, other: &Holding) -> Value {
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

pub(super) async fn listed_ids(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let reply = app.get_as(token, path).await;
    assert_eq!(reply.status, 200, "GET {path}: {}", reply.text);
    reply.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}
