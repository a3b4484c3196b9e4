//! Every error path of the server answers RFC 9457 problem details.

use reqwest::Method;

use crate::helpers::{TestApp, test_settings};

#[tokio::test]
async fn unknown_routes_are_404_problems() {
    let app = TestApp::spawn().await;
    for path in ["/api/v1/no-such-thing", "/nowhere", "/api/v2/countries"] {
        let body = app.get(path).await.assert_problem(404, "not_found");
        assert_eq!(body["instance"], path);
    }
}

#[tokio::test]
async fn wrong_methods_are_405_with_allow() {
    let app = TestApp::spawn().await;
    for (method, path) in [
        (Method::DELETE, "/api/v1/countries/SN"),
        (Method::POST, "/api/v1/countries"),
        (Method::PUT, "/api/v1/sdgs/3"),
        (Method::PATCH, "/health/live"),
        (Method::POST, "/api-docs/openapi.json"),
    ] {
        let reply = app.send(method.clone(), path, |r| r).await;
        reply.assert_problem(405, "method_not_allowed");
        assert_eq!(reply.header("allow"), "GET, HEAD", "{method} {path}");
    }
}

#[tokio::test]
async fn bad_query_values_are_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    for (query, parameter) in [
        ("limit=0", "limit"),
        ("limit=-5", "limit"),
        ("limit=many", "limit"),
        ("priority=perhaps", "priority"),
        ("include_total=1x", "include_total"),
        ("cursor=not-a-cursor", "cursor"),
        ("colour=blue", "colour"),
        ("limit=1&limit=2", "limit"),
    ] {
        let reply = app.get(&format!("/api/v1/countries?{query}")).await;
        let body = reply.assert_problem(400, "invalid_parameter");
        assert_eq!(body["errors"][0]["parameter"], parameter, "{query}: {body}");
        assert!(body["errors"][0]["detail"].is_string());
    }
}

#[tokio::test]
async fn single_resources_refuse_parameters_they_do_not_take() {
    let app = TestApp::spawn().await;
    let body = app
        .get("/api/v1/countries/SN?limit=3")
        .await
        .assert_problem(400, "invalid_parameter");
    assert_eq!(body["errors"][0]["parameter"], "limit");
}

#[tokio::test]
async fn bad_path_values_are_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let body = app
        .get("/api/v1/sdgs/five")
        .await
        .assert_problem(400, "invalid_parameter");
    assert_eq!(body["errors"][0]["parameter"], "number");
    assert_eq!(body["errors"][0]["detail"], "must be an integer");
}

#[tokio::test]
async fn a_refused_cross_origin_request_is_a_problem_too() {
    let db = crate::helpers::TestDb::new().await;
    let mut settings = test_settings(&db);
    settings.cors_origins = vec!["https://app.empower.example".into()];
    let app = TestApp::spawn_with(settings, db).await;

    let allowed = app
        .send(Method::GET, "/api/v1/sdgs/1", |r| {
            r.header("Origin", "https://app.empower.example")
        })
        .await;
    assert_eq!(allowed.status, 200);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        "https://app.empower.example"
    );

    // A simple request from another origin is served without CORS headers: the browser
    // withholds the answer from the page.
    let other = app
        .send(Method::GET, "/api/v1/sdgs/1", |r| {
            r.header("Origin", "https://elsewhere.example")
        })
        .await;
    assert_eq!(other.header("access-control-allow-origin"), "");

    let refused = app
        .send(Method::OPTIONS, "/api/v1/sdgs/1", |r| {
            r.header("Origin", "https://elsewhere.example")
                .header("Access-Control-Request-Method", "GET")
        })
        .await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(refused.header("content-type"), "application/problem+json");
    assert!(!refused.header("x-request-id").is_empty());
}
