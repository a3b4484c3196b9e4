//! Shared fixtures for the association tests: a valid request body and a create-or-fail helper.

use serde_json::{Value, json};

use crate::helpers::TestApp;

pub(super) fn body(name: &str) -> Value {
    json!({
        "name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"],
        "address": {"postal_code": "1060", "city": "Saint-Gilles"}, "woman_led": true
    })
}

pub(super) async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let reply = app
        .post_json(Some(token), "/api/v1/associations", body)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}
