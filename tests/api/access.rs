//! Deny by default: every operation has an access rule, the contract declares it, and each role
//! gets exactly the 401, 403 or access the table says.

use empower_api::auth::access::{self, Rule};
use empower_domain::identity::Role;
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn operations() -> Vec<(String, String, String, Value)> {
    let api = empower_api::openapi::contract();
    let mut found = Vec::new();
    for (path, item) in api["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            if let Some(id) = op["operationId"].as_str() {
                found.push((
                    method.to_uppercase(),
                    path.clone(),
                    id.to_owned(),
                    op.clone(),
                ));
            }
        }
    }
    found
}

#[test]
fn every_operation_has_an_access_rule_and_the_contract_declares_it() {
    let operations = operations();
    for (method, path, id, op) in &operations {
        let rule =
            access::rule(id).unwrap_or_else(|| panic!("{method} {path} ({id}) has no access rule"));
        let security = op["security"].as_array().expect("security");
        match rule {
            Rule::Public => assert!(security.is_empty(), "{id} is public"),
            Rule::Protected { scopes, .. } => {
                let mut expected = vec![json!({"bearer": []})];
                expected.extend(scopes.iter().map(|s| json!({"oauth2": [s.as_str()]})));
                assert_eq!(op["security"], Value::Array(expected), "{id}");
            }
        }
    }
    for (name, _) in access::TABLE {
        assert!(
            operations.iter().any(|(_, _, id, _)| id == name),
            "{name} is in the table but not the contract"
        );
    }
}

#[tokio::test]
async fn each_role_gets_what_the_table_says_on_every_operation() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut callers: Vec<(String, Option<Role>, Option<String>)> =
        vec![("anonymous".into(), None, None)];
    for (name, role) in [
        ("admin", Role::Admin),
        ("staff", Role::Staff),
        ("association", Role::Association),
        ("viewer", Role::Viewer),
    ] {
        let token = if name == "admin" {
            admin.clone()
        } else {
            app.token_for(&admin, name).await
        };
        callers.push((name.into(), Some(role), Some(token)));
    }
    let (_, client_id, secret) = app
        .create_client(
            &admin,
            &empower_domain::identity::scope::Scope::ALL.map(|s| s.as_str()),
        )
        .await;
    let client_token = app
        .client_token_request(
            Some((&client_id, &secret)),
            &[("grant_type", "client_credentials")],
        )
        .await
        .json()["access_token"]
        .as_str()
        .expect("client token")
        .to_owned();
    callers.push(("client".into(), None, Some(client_token)));

    for (method, path, id, op) in operations() {
        if id == "issue_client_token" {
            continue; // has its own client authentication, covered in admin.rs
        }
        let rule = access::rule(&id).expect("rule");
        let concrete = path
            .replace("{id}", &uuid::Uuid::now_v7().to_string())
            .replace("{code}", "SN")
            .replace("{number}", "5");
        let content_type = op["requestBody"]["content"]
            .as_object()
            .and_then(|c| c.keys().next().cloned());
        for (name, role, token) in &callers {
            let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let reply = app
                .send(method.clone(), &concrete, |r| {
                    let r = match token {
                        Some(t) => r.bearer_auth(t),
                        None => r,
                    };
                    match &content_type {
                        Some(ct) => r.header("Content-Type", ct.as_str()).body("{}"),
                        None => r,
                    }
                })
                .await;
            let expected = match (rule, role, token) {
                (Rule::Public, _, _) => "access",
                (Rule::Protected { .. }, _, None) => "401",
                (Rule::Protected { roles, .. }, Some(role), _) if roles.contains(role) => "access",
                (Rule::Protected { scopes, .. }, None, Some(_)) if !scopes.is_empty() => "access",
                _ => "403",
            };
            assert!(
                reply.status < 500,
                "{name} on {method} {path} ({id}): {} {}",
                reply.status,
                reply.text
            );
            let got = match reply.status {
                401 => "401",
                403 => "403",
                _ => "access",
            };
            assert_eq!(
                got, expected,
                "{name} on {method} {path} ({id}): {} {}",
                reply.status, reply.text
            );
        }
    }
}
