//! Funding applications: amounts exact, granted only when granted, and the usual conventions.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn funding_applications_keep_their_rules() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = app
        .post_json(Some(&admin), "/api/v1/associations", json!({"name": "Fund Raisers", "legal_form": "de_facto", "countries_of_origin": ["ML"]}))
        .await
        .json()["id"].as_str().expect("id").to_owned();
    let list = format!("/api/v1/associations/{association}/funding-applications");
    let reply = app
        .post_json(
            Some(&admin),
            &list,
            json!({
                "call_title": "Diaspora initiatives 2026", "funder": "Demo Foundation",
                "submitted_on": "2026-10-01", "amount_requested": 12500.5, "status": "submitted"
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let created = reply.json();
    assert_eq!(created["amount_requested"], "12500.50");
    assert!(created["amount_granted"].is_null());
    let path = reply.header("location").to_owned();

    let granted = app
        .patch_as(
            &admin,
            &path,
            json!({"status": "granted", "amount_granted": "10000"}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(granted.status, 200, "{}", granted.text);
    assert_eq!(granted.json()["amount_granted"], "10000.00");

    for (patch, pointer) in [
        (json!({"amount_granted": "20000"}), "/amount_granted"),
        (json!({"status": "rejected"}), "/amount_granted"),
        (json!({"amount_requested": "-5"}), "/amount_requested"),
        (json!({"amount_requested": "1.234"}), "/amount_requested"),
        (json!({"submitted_on": "2999-01-01"}), "/submitted_on"),
        (json!({"funder": ""}), "/funder"),
        (json!({"status": "lost"}), "/status"),
    ] {
        let problem = app
            .patch_as(&admin, &path, patch.clone(), None)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{patch}");
    }
    app.patch_as(&admin, &path, json!({"association_id": association}), None)
        .await
        .assert_problem(400, "malformed_body");
    app.patch_as(&admin, &path, json!({"funder": "Late"}), Some("\"1\""))
        .await
        .assert_problem(412, "precondition_failed");
    let page = app
        .get_as(&admin, &format!("{list}?include_total=true"))
        .await
        .json();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["version"], 2);

    assert_eq!(
        app.send(reqwest::Method::DELETE, &path, |r| r.bearer_auth(&admin))
            .await
            .status,
        204
    );
    app.get_as(&admin, &path)
        .await
        .assert_problem(404, "not_found");
    let feed = app
        .get_as(&admin, "/api/v1/changes?types=funding_application")
        .await
        .json();
    let ops: Vec<&str> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["op"].as_str())
        .collect();
    assert_eq!(ops, ["upsert", "upsert", "delete"]);
    app.post_json(
        Some(&admin),
        &format!(
            "/api/v1/associations/{}/funding-applications",
            uuid::Uuid::now_v7()
        ),
        json!({
            "call_title": "x", "funder": "y", "amount_requested": "1", "status": "draft"
        }),
    )
    .await
    .assert_problem(404, "not_found");
}
