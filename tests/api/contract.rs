//! The committed contract is what the code generates, and every operation is documented fully.

use serde_json::Value;

use crate::helpers::TestApp;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn generated() -> Value {
    empower_api::openapi::contract()
}

#[test]
fn the_committed_contract_is_up_to_date() {
    let generated = empower_api::openapi::to_json(&empower_api::openapi::contract());
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json differs from what the code generates; regenerate it with \
         `cargo run -- openapi > openapi/openapi.json` and commit it"
    );
}

fn operations(api: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in api["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.push((method.to_uppercase(), path.clone(), operation.clone()));
            }
        }
    }
    found
}

#[test]
fn every_operation_has_a_summary_description_tag_security_and_problem_errors() {
    let api = generated();
    let operations = operations(&api);
    assert!(!operations.is_empty());
    for (method, path, op) in operations {
        let name = format!("{method} {path}");
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{name}: summary"
        );
        assert!(
            op["description"].as_str().is_some_and(|s| !s.is_empty()),
            "{name}: description"
        );
        assert!(
            op["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{name}: tag"
        );
        assert!(op["operationId"].is_string(), "{name}: operationId");
        let security = op["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: security"));
        let responses = op["responses"].as_object().expect("responses");
        let mut required = vec!["400", "500"];
        if !security.is_empty() {
            required.extend(["401", "403"]);
        }
        for status in required {
            assert!(responses.contains_key(status), "{name}: documents {status}");
        }
        for (status, response) in responses {
            let code: u16 = status.parse().expect("numeric status");
            assert!(
                response["description"].is_string(),
                "{name} {status}: description"
            );
            if path == "/api/v1/auth/token" && (code == 400 || code == 401) {
                // RFC 6749 §5.2 fixes the token endpoint's error format.
                let oauth = &response["content"]["application/json"];
                assert_eq!(
                    oauth["schema"]["$ref"], "#/components/schemas/OAuthError",
                    "{name} {status}"
                );
            } else if code >= 400 {
                let problem = &response["content"]["application/problem+json"];
                let schema = match problem["schema"]["$ref"].as_str() {
                    Some(reference) => reference.to_owned(),
                    None => String::new(),
                };
                let inline = &problem["schema"];
                let named = &api["components"]["schemas"]
                    [schema.trim_start_matches("#/components/schemas/")];
                let extends_problem = [inline, named].iter().any(|s| {
                    ["allOf", "anyOf"].iter().any(|key| {
                        s[key].as_array().is_some_and(|parts| {
                            parts
                                .iter()
                                .any(|p| p["$ref"] == "#/components/schemas/Problem")
                        })
                    })
                });
                assert!(
                    schema == "#/components/schemas/Problem" || extends_problem,
                    "{name} {status}: a problem"
                );
                assert_eq!(
                    problem["example"]["status"], code,
                    "{name} {status}: example"
                );
            } else if code == 200 || code == 201 {
                let content = response["content"].as_object().expect("content");
                assert!(!content.is_empty(), "{name} {status}: content");
                for (media_type, body) in content {
                    assert!(
                        body["schema"].is_object(),
                        "{name} {status} {media_type}: schema"
                    );
                }
            }
        }
    }
}

fn refs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner.as_str()) {
                    ("$ref", Some(target)) => found.push(target.to_owned()),
                    _ => refs(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| refs(i, found)),
        _ => {}
    }
}

#[test]
fn every_reference_in_the_contract_resolves() {
    let api = generated();
    let mut found = Vec::new();
    refs(&api, &mut found);
    assert!(!found.is_empty());
    for target in found {
        let pointer = target.strip_prefix('#').expect("a local reference");
        assert!(api.pointer(pointer).is_some(), "{target} does not resolve");
    }
}

#[test]
fn public_operations_declare_empty_security_and_the_bearer_scheme_exists() {
    let api = generated();
    for (method, path, op) in operations(&api) {
        if path.starts_with("/health/") || path.contains("/countries") || path.contains("/sdgs") {
            assert_eq!(
                op["security"],
                serde_json::json!([]),
                "{method} {path} is public"
            );
        }
    }
    let bearer = &api["components"]["securitySchemes"]["bearer"];
    assert_eq!(bearer["type"], "http");
    assert_eq!(bearer["scheme"], "bearer");
    assert_eq!(bearer["bearerFormat"], "JWT");
}

#[tokio::test]
async fn the_server_serves_the_contract_and_swagger_ui() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api-docs/openapi.json").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), generated());

    let ui = app.get("/swagger-ui/").await;
    assert_eq!(ui.status, 200);
    assert!(ui.header("content-type").starts_with("text/html"));
    let config = app.get("/swagger-ui/swagger-initializer.js").await;
    assert_eq!(config.status, 200);
    assert!(config.text.contains("/api-docs/openapi.json"));
    assert!(config.text.contains("persistAuthorization"));
}

#[tokio::test]
async fn every_documented_get_without_parameters_is_served() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for (method, path, _) in operations(&generated()) {
        if method == "GET" && !path.contains('{') {
            let reply = app.get_as(&admin, &path).await;
            assert_eq!(reply.status, 200, "GET {path}: {}", reply.text);
        }
    }
}

/// Whether a media type (or the schema it names) carries an example.
fn has_example(api: &Value, media: &Value) -> bool {
    let named = |schema: &Value| -> bool {
        schema["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .is_some_and(|name| {
                let component = &api["components"]["schemas"][name];
                component.get("example").is_some() || component.get("examples").is_some()
            })
    };
    let schema = &media["schema"];
    media.get("example").is_some()
        || media.get("examples").is_some()
        || schema.get("example").is_some()
        || named(schema)
        || named(&schema["items"])
}

#[test]
fn every_request_and_success_body_has_an_example() {
    let api = generated();
    for (method, path, op) in operations(&api) {
        for (media_type, media) in op["requestBody"]["content"]
            .as_object()
            .into_iter()
            .flatten()
        {
            assert!(
                has_example(&api, media),
                "{method} {path}: the {media_type} request body has no example"
            );
        }
        for (status, response) in op["responses"].as_object().expect("responses") {
            if !status.starts_with('2') {
                continue;
            }
            for (media_type, media) in response["content"].as_object().into_iter().flatten() {
                assert!(
                    has_example(&api, media),
                    "{method} {path} {status}: the {media_type} body has no example"
                );
            }
        }
    }
}
