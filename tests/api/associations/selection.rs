//! Selection: status transitions, eligibility checks and overrides.

use serde_json::{Value, json};

use super::fixtures::{body, create};
use crate::helpers::TestApp;

#[tokio::test]
async fn selection_follows_the_transition_table_and_eligibility() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let staff = app.token_for(&admin, "staff").await;
    let mut b = body("Not Yet Eligible");
    b["woman_led"] = false.into();
    let a = create(&app, &staff, b).await;
    let base = format!("/api/v1/associations/{}", a["id"].as_str().expect("id"));
    let move_to = |token: &str, to: &str, extra: Value| {
        let mut request = json!({"to": to, "reason": "programme committee decision"});
        for (k, v) in extra.as_object().expect("object") {
            request[k] = v.clone();
        }
        let (app, path, token) = (&app, format!("{base}/transitions"), token.to_owned());
        async move { app.post_json(Some(&token), &path, request).await }
    };

    let problem = move_to(&staff, "selected", json!({}))
        .await
        .assert_problem(409, "illegal_transition");
    assert_eq!(
        problem["allowed"],
        json!(["shortlisted", "rejected", "withdrawn"])
    );
    let moved = move_to(&staff, "shortlisted", json!({})).await;
    assert_eq!(moved.status, 201, "{}", moved.text);
    assert_eq!(moved.json()["from"], "applicant");

    let eligibility = app
        .get_as(&staff, &format!("{base}/eligibility"))
        .await
        .json();
    assert_eq!(eligibility["eligible"], false);
    let failed: Vec<&str> = eligibility["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["passed"] == false)
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(failed, ["woman_led"]);

    let problem = move_to(&staff, "selected", json!({}))
        .await
        .assert_problem(422, "validation_failed");
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("woman_led"))
    );
    move_to(&staff, "selected", json!({"override": true}))
        .await
        .assert_problem(422, "validation_failed");
    app.post_json(
        Some(&staff),
        &format!("{base}/transitions"),
        json!({"to": "withdrawn", "reason": "  "}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let overridden = move_to(&admin, "selected", json!({"override": true})).await;
    assert_eq!(overridden.status, 201, "{}", overridden.text);
    assert_eq!(overridden.json()["override"], true);
    assert_eq!(move_to(&staff, "active", json!({})).await.status, 201);
    assert_eq!(move_to(&staff, "completed", json!({})).await.status, 201);
    let problem = move_to(&staff, "withdrawn", json!({}))
        .await
        .assert_problem(409, "illegal_transition");
    assert_eq!(problem["allowed"], json!([]));

    let consents = app
        .get_as(&staff, &format!("{base}/publication-consents"))
        .await
        .json();
    assert_eq!(
        consents["items"].as_array().map(Vec::len),
        Some(1),
        "the consent given at creation"
    );
    let history = app
        .get_as(&staff, &format!("{base}/transitions"))
        .await
        .json();
    let steps: Vec<(&str, &str)> = history["items"]
        .as_array()
        .expect("list")
        .iter()
        .map(|t| {
            (
                t["from"].as_str().unwrap_or_default(),
                t["to"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("applicant", "shortlisted"),
            ("shortlisted", "selected"),
            ("selected", "active"),
            ("active", "completed")
        ]
    );
    assert_eq!(
        app.get_as(&staff, &base).await.json()["status"],
        "completed"
    );
}
