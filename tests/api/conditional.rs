//! Conditional GETs of lists: an `ETag` from the change feed's position and who asks, a `304`
//! while nothing the list shows has changed, a fresh page after any write.

use empower_api::conditional::LISTS;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

async fn get_if(app: &TestApp, token: &str, path: &str, etag: Option<&str>) -> Reply {
    app.send(reqwest::Method::GET, path, |r| {
        let r = r.bearer_auth(token);
        match etag {
            Some(tag) => r.header("If-None-Match", tag),
            None => r,
        }
    })
    .await
}

fn association(name: &str) -> Value {
    json!({
        "name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"],
        "address": {"postal_code": "1060"}, "woman_led": true
    })
}

#[tokio::test]
async fn a_list_is_not_modified_until_a_write_and_its_tag_is_per_caller_and_request() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let viewer = app.token_for(&admin, "viewer").await;
    let created = app
        .post_json(
            Some(&admin),
            "/api/v1/associations",
            association("Cercle de Thiès"),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = "/api/v1/associations?limit=10";
    let first = get_if(&app, &admin, path, None).await;
    assert_eq!(first.status, 200);
    let tag = first.header("etag").to_owned();
    assert!(tag.starts_with("W/\""), "{tag}");
    let again = get_if(&app, &admin, path, Some(&tag)).await;
    assert_eq!(again.status, 304, "{}", again.text);
    assert_eq!(again.header("etag"), tag);
    assert!(again.text.is_empty());
    // Another caller, another query: another tag.
    let theirs = get_if(&app, &viewer, path, Some(&tag)).await;
    assert_eq!(theirs.status, 200);
    assert_ne!(theirs.header("etag"), tag);
    let other = get_if(&app, &admin, "/api/v1/associations?limit=11", Some(&tag)).await;
    assert_eq!(other.status, 200);
    // A write anywhere in the feed: the page is built again, with a new tag.
    let more = app
        .post_json(
            Some(&admin),
            "/api/v1/associations",
            association("Cercle de Kaolack"),
        )
        .await;
    assert_eq!(more.status, 201);
    let after = get_if(&app, &admin, path, Some(&tag)).await;
    assert_eq!(after.status, 200);
    assert_ne!(after.header("etag"), tag);
    assert_eq!(after.json()["items"].as_array().map(Vec::len), Some(2));
    // A list outside the feed (accounts) carries no list tag.
    let users = get_if(&app, &admin, "/api/v1/users", None).await;
    assert_eq!(users.status, 200);
    assert_eq!(users.header("etag"), "");
}

#[tokio::test]
async fn every_conditional_list_answers_304_to_its_own_tag() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association_id = app.create_association(&admin, "Réseau de Bukavu").await;
    let restitution = "00000000-0000-7000-8000-000000000000";
    for operation in LISTS {
        let path = match operation {
            "list_associations" => "/api/v1/associations".to_owned(),
            "list_association_transitions" => {
                format!("/api/v1/associations/{association_id}/transitions")
            }
            "list_changes" => "/api/v1/changes".to_owned(),
            "list_deliverables" => "/api/v1/deliverables".to_owned(),
            "list_enrollments" => "/api/v1/enrollments".to_owned(),
            "list_funding_applications" => {
                format!("/api/v1/associations/{association_id}/funding-applications")
            }
            "list_indicators" => "/api/v1/indicators".to_owned(),
            "list_modules" => "/api/v1/modules".to_owned(),
            "list_partners" => "/api/v1/partners".to_owned(),
            "list_reporting_periods" => "/api/v1/reporting-periods".to_owned(),
            "list_restitutions" => "/api/v1/restitutions".to_owned(),
            "list_results" => "/api/v1/results".to_owned(),
            "list_training_sessions" => "/api/v1/training-sessions".to_owned(),
            "list_restitution_transitions" => {
                format!("/api/v1/restitutions/{restitution}/transitions")
            }
            other => panic!("no path for {other}: teach this test the new list"),
        };
        let first = get_if(&app, &admin, &path, None).await;
        if operation == "list_restitution_transitions" {
            // No such restitution: errors carry no list tag.
            assert_eq!(first.status, 404, "{path}");
            assert_eq!(first.header("etag"), "", "{path}");
            continue;
        }
        assert_eq!(first.status, 200, "{path}: {}", first.text);
        let tag = first.header("etag").to_owned();
        assert!(tag.starts_with("W/\""), "{path}: {tag}");
        let again = get_if(&app, &admin, &path, Some(&tag)).await;
        assert_eq!(again.status, 304, "{path}");
    }
}
