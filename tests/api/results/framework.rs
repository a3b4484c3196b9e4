//! The framework's rules: codes, the tree's levels, computed and manual indicators, their
//! parameters and units, measurements, and who may read and write.

use serde_json::{Value, json};

use super::{RESULT_OO, RESULT_R1_1, ids, seeded, value};
use crate::helpers::TestApp;

fn indicator(code: &str) -> Value {
    json!({"code": code, "result_id": RESULT_R1_1, "name": {"en": "Days", "fr": "Jours"},
        "definition": "Held days.", "unit": "count", "source": "computed",
        "metric": "training_days_delivered", "params": {"module": "M1"},
        "baseline": {"value": 0, "on": "2026-01-01"}, "target": {"value": 4, "on": "2027-12-31"}})
}

fn pointers(reply: &crate::helpers::Reply) -> Vec<String> {
    let problem = reply.assert_problem(422, "validation_failed");
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["pointer"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn the_seeded_framework_is_the_programme() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let results = app.get_as(&admin, "/api/v1/results?limit=200").await.json();
    let codes: Vec<&str> = results["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["code"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(codes, ["OO", "R1.1", "R1.2", "R2.1", "R2.2", "SO1", "SO2"]);
    let indicators = app
        .get_as(&admin, "/api/v1/indicators?limit=200")
        .await
        .json();
    let items = indicators["items"].as_array().expect("items");
    assert_eq!(items.len(), 18);
    let manual = app
        .get_as(&admin, "/api/v1/indicators?source=manual")
        .await
        .json();
    assert_eq!(manual["items"].as_array().map(Vec::len), Some(1));
    let selected = app
        .get_as(
            &admin,
            &format!("/api/v1/indicators/{}", seeded(ids::SELECTED)),
        )
        .await
        .json();
    assert_eq!(selected["metric"], "associations_by_status");
    assert_eq!(selected["params"], json!({"status": "selected"}));
    assert_eq!(
        selected["target"],
        json!({"value": 10.0, "on": "2027-12-31"})
    );
    let metrics = app.get_as(&admin, "/api/v1/metrics").await.json();
    assert_eq!(metrics.as_array().map(Vec::len), Some(12));
    assert!(
        metrics
            .as_array()
            .expect("metrics")
            .iter()
            .all(|m| !m["date"].as_str().unwrap_or_default().is_empty())
    );
}

#[tokio::test]
async fn results_keep_their_levels_and_codes() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let body = json!({"code": "R1.9", "level": "output", "title": {"en": "More"}, "parent_id": RESULT_R1_1});
    let reply = app.post_json(Some(&admin), "/api/v1/results", body).await;
    assert_eq!(
        pointers(&reply),
        ["/parent_id"],
        "an output under an output"
    );
    let body =
        json!({"code": "OO", "level": "output", "title": {"en": "Taken"}, "parent_id": RESULT_OO});
    let reply = app.post_json(Some(&admin), "/api/v1/results", body).await;
    reply.assert_problem(409, "conflict");
    let body = json!({"code": "bad code", "level": "output", "title": {}, "parent_id": uuid::Uuid::now_v7()});
    let reply = app.post_json(Some(&admin), "/api/v1/results", body).await;
    assert_eq!(pointers(&reply), ["/code", "/title"]);
    // An outcome with outputs under it cannot become an output.
    let so1 = "019ac100-0000-7000-8000-000000000002";
    let reply = app
        .patch_as(
            &admin,
            &format!("/api/v1/results/{so1}"),
            json!({"level": "output"}),
            None,
        )
        .await;
    assert_eq!(pointers(&reply), ["/level"]);
    // Not empty: 409; empty: deleted.
    let reply = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/results/{so1}"),
            None,
            None,
        )
        .await;
    reply.assert_problem(409, "result_not_empty");
    assert_eq!(
        app.get_as(&admin, &format!("/api/v1/results/{so1}"))
            .await
            .status,
        200
    );
    let body =
        json!({"code": "R1.9", "level": "output", "title": {"en": "More"}, "parent_id": so1});
    let created = app.post_json(Some(&admin), "/api/v1/results", body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let reply = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/results/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 204);
}

#[tokio::test]
async fn indicators_name_a_metric_its_params_and_its_unit() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = app
        .post_json(Some(&admin), "/api/v1/indicators", indicator("T.1"))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(created.json()["direction"], "increase");
    let duplicate = app
        .post_json(Some(&admin), "/api/v1/indicators", indicator("T.1"))
        .await;
    duplicate.assert_problem(409, "conflict");
    for (change, pointer) in [
        (json!({"params": {"kind": "brief"}}), "/params/kind"),
        (json!({"params": {"module": "M9"}}), "/params/module"),
        (
            json!({"metric": "knowledge_improved_pct", "params": {}}),
            "/unit",
        ),
        (json!({"metric": null}), "/metric"),
        (json!({"source": "manual"}), "/metric"),
        (
            json!({"metric": "dissemination", "params": {}}),
            "/params/measure",
        ),
        (json!({"result_id": uuid::Uuid::now_v7()}), "/result_id"),
        (
            json!({"target": {"value": 1e12, "on": "2027-12-31"}}),
            "/target/value",
        ),
        (
            json!({"baseline": {"value": 1, "on": "1800-01-01"}}),
            "/baseline/on",
        ),
        (json!({"definition": " "}), "/definition"),
    ] {
        let mut body = indicator("T.2");
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let reply = app
            .post_json(Some(&admin), "/api/v1/indicators", body)
            .await;
        assert_eq!(pointers(&reply), [pointer], "{change}");
    }
    // A percent target is 0-100.
    let mut body = indicator("T.3");
    body["metric"] = json!("knowledge_improved_pct");
    body["unit"] = json!("percent");
    body["params"] = json!({});
    body["target"] = json!({"value": 120, "on": "2027-12-31"});
    let reply = app
        .post_json(Some(&admin), "/api/v1/indicators", body)
        .await;
    assert_eq!(pointers(&reply), ["/target/value"]);
    // Staff edit targets: the value follows.
    let reply = app
        .patch_as(
            &admin,
            &format!("/api/v1/indicators/{id}"),
            json!({"target": {"value": 8}, "params": {"module": null}}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json()["target"],
        json!({"value": 8.0, "on": "2027-12-31"})
    );
    assert_eq!(reply.json()["params"], json!({}));
    let reply = app
        .patch_as(
            &admin,
            &format!("/api/v1/indicators/{id}"),
            json!({"target": null}),
            None,
        )
        .await;
    assert_eq!(reply.json()["target"], Value::Null);
    let reply = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/indicators/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        app.get_as(&admin, &format!("/api/v1/indicators/{id}"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_manual_indicator_takes_the_latest_measurement_made_within_the_period() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let activities = seeded(ids::ACTIVITIES);
    let measure = |start: &str, end: &str, value: f64, dimension: Value| {
        json!({"period_start": start, "period_end": end, "value": value, "dimension": dimension,
            "source": "Survey", "comment": "Counted by hand."})
    };
    let path = format!("/api/v1/indicators/{activities}/measurements");
    for body in [
        measure("2026-01-01", "2026-06-30", 4.0, Value::Null),
        measure("2026-07-01", "2026-12-31", 9.0, Value::Null),
        measure("2026-01-01", "2026-12-31", 11.0, Value::Null),
        measure(
            "2026-01-01",
            "2026-12-31",
            7.0,
            json!({"by": "country", "key": "SN"}),
        ),
        measure(
            "2026-01-01",
            "2026-12-31",
            5.0,
            json!({"by": "country", "key": "BF"}),
        ),
    ] {
        let reply = app.post_json(Some(&admin), &path, body).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    assert_eq!(
        value(&app, &admin, &activities, "from=2026-01-01&to=2026-06-30").await,
        json!(4.0)
    );
    // The year's measurements end on 31 December: the one recorded last wins.
    assert_eq!(
        value(&app, &admin, &activities, "from=2026-01-01&to=2026-12-31").await,
        json!(11.0)
    );
    // March alone was not measured.
    assert_eq!(
        value(&app, &admin, &activities, "from=2026-03-01&to=2026-03-31").await,
        Value::Null
    );
    let reply = super::values(
        &app,
        &admin,
        &activities,
        "from=2026-01-01&to=2026-12-31&by=country",
    )
    .await;
    let body = reply.json();
    assert_eq!(body["measured_on"], json!("2026-12-31"));
    assert_eq!(
        body["breakdown"]["cells"],
        json!([{"key": "BF", "value": 5.0}, {"key": "SN", "value": 7.0}])
    );
    // Refused: a reversed period, and any measurement of a computed indicator.
    let reply = app
        .post_json(
            Some(&admin),
            &path,
            measure("2026-02-01", "2026-01-01", 1.0, Value::Null),
        )
        .await;
    assert_eq!(pointers(&reply), ["/period_end"]);
    let reply = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/indicators/{}/measurements", seeded(ids::SELECTED)),
            measure("2026-01-01", "2026-01-31", 1.0, Value::Null),
        )
        .await;
    reply.assert_problem(409, "indicator_not_manual");
    let list = app.get_as(&admin, &path).await.json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn staff_manage_viewers_read_and_associations_see_only_the_public_figures() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let staff = app.token_for(&admin, "staff").await;
    let viewer = app.token_for(&admin, "viewer").await;
    let association = app.create_association(&admin, "Own").await;
    let member = app.association_user_token(&admin, &association).await;
    let client = app
        .client_token(&admin, &["publications:read", "sync:read"], None)
        .await;
    let created = app
        .post_json(Some(&staff), "/api/v1/indicators", indicator("S.1"))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    for token in [&viewer, &member, &client] {
        let reply = app
            .post_json(Some(token), "/api/v1/indicators", indicator("S.2"))
            .await;
        reply.assert_problem(403, "forbidden");
    }
    assert_eq!(
        app.get_as(&viewer, "/api/v1/results-report").await.status,
        200
    );
    for token in [&member, &client] {
        app.get_as(token, "/api/v1/results-report")
            .await
            .assert_problem(403, "forbidden");
        app.get_as(token, "/api/v1/indicators")
            .await
            .assert_problem(403, "forbidden");
    }
}
