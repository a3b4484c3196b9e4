//! Reporting periods: a closed period's report is frozen whatever later edits do, says who
//! closed it and when, and only an admin reopens it (audited).

use reqwest::Method;
use serde_json::{Value, json};

use super::{ids, partner, seeded};
use crate::helpers::TestApp;

async fn open_period(app: &TestApp, token: &str) -> String {
    let reply = app
        .post_json(
            Some(token),
            "/api/v1/reporting-periods",
            json!({"name": "2026", "start_on": "2026-01-01", "end_on": "2026-12-31"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json()["status"], "open");
    reply.json()["id"].as_str().expect("id").to_owned()
}

/// The actual value of indicator `code` in a report.
fn actual(report: &Value, code: &str) -> Value {
    super::indicator_in(report, code)["actual"].clone()
}

#[tokio::test]
async fn a_closed_period_never_changes_and_only_an_admin_reopens_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let staff = app.token_for(&admin, "staff").await;
    partner(&app, &admin, "Before", Some("SN"), Some("2026-03-10")).await;
    let id = open_period(&app, &staff).await;
    let path = format!("/api/v1/reporting-periods/{id}");
    let live = app.get_as(&staff, &format!("{path}/report")).await.json();
    assert_eq!(actual(&live, "R2.2.1"), json!(1.0));
    assert!(live.get("closed").is_none());

    let closed = app
        .write_as(
            Method::POST,
            &staff,
            &format!("{path}/close"),
            None,
            Some("\"1\""),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(closed.json()["status"], "closed");
    assert_eq!(closed.header("etag"), "\"2\"");
    let me = app.get_as(&staff, "/api/v1/me").await.json();
    assert_eq!(closed.json()["closed_by_id"], me["id"]);
    let frozen = app.get_as(&staff, &format!("{path}/report")).await;
    assert_eq!(frozen.status, 200);
    let frozen_body = frozen.json();
    assert_eq!(frozen_body["closed"]["closed_by_type"], "user");
    assert_eq!(frozen_body["closed"]["closed_by_id"], me["id"]);
    assert_eq!(frozen_body["period_id"], json!(id));
    // Every supported breakdown was stored.
    let partners = frozen_body.to_string();
    assert!(partners.contains("\"by\":\"country\""), "breakdowns stored");
    let frozen_csv = app
        .send(Method::GET, &format!("{path}/report"), |r| {
            r.bearer_auth(&staff).header("Accept", "text/csv")
        })
        .await;
    let frozen_xml = app
        .send(Method::GET, &format!("{path}/report"), |r| {
            r.bearer_auth(&staff).header("Accept", "application/xml")
        })
        .await;

    // Later edits: a partner met in the period, a new target, a new indicator, one deleted.
    partner(&app, &admin, "After", Some("BF"), Some("2026-05-05")).await;
    let reply = app
        .patch_as(
            &admin,
            &format!("/api/v1/indicators/{}", seeded(ids::PARTNERS)),
            json!({"target": {"value": 40, "on": "2027-12-31"}}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    super::computed(&app, &admin, "T.NEW", "partners_contacted", json!({})).await;
    let reply = app
        .write_as(
            Method::DELETE,
            &admin,
            &format!("/api/v1/indicators/{}", seeded(ids::COPIES)),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 204);

    let again = app.get_as(&staff, &format!("{path}/report")).await;
    assert_eq!(
        again.json(),
        frozen_body,
        "a closed period's report never changes"
    );
    assert_eq!(again.header("etag"), frozen.header("etag"));
    let csv = app
        .send(Method::GET, &format!("{path}/report"), |r| {
            r.bearer_auth(&staff).header("Accept", "text/csv")
        })
        .await;
    assert_eq!(csv.text, frozen_csv.text);
    let xml = app
        .send(Method::GET, &format!("{path}/report"), |r| {
            r.bearer_auth(&staff).header("Accept", "application/xml")
        })
        .await;
    assert_eq!(xml.text, frozen_xml.text);
    let live = app
        .get_as(
            &staff,
            "/api/v1/results-report?from=2026-01-01&to=2026-12-31",
        )
        .await
        .json();
    assert_eq!(
        actual(&live, "R2.2.1"),
        json!(2.0),
        "the live figure moved on"
    );

    // Closed: read only.
    let reply = app
        .write_as(Method::POST, &staff, &format!("{path}/close"), None, None)
        .await;
    reply.assert_problem(409, "period_closed");
    let reply = app
        .patch_as(&staff, &path, json!({"name": "Renamed"}), None)
        .await;
    reply.assert_problem(409, "period_closed");
    let reply = app
        .write_as(Method::DELETE, &staff, &path, None, None)
        .await;
    reply.assert_problem(409, "period_closed");
    assert_eq!(app.get_as(&staff, &path).await.json()["name"], "2026");

    // Reopening: admin only, audited; the report is live again.
    let reply = app
        .write_as(Method::POST, &staff, &format!("{path}/reopen"), None, None)
        .await;
    reply.assert_problem(403, "forbidden");
    let reply = app
        .write_as(
            Method::POST,
            &admin,
            &format!("{path}/reopen"),
            None,
            Some("\"1\""),
        )
        .await;
    reply.assert_problem(412, "precondition_failed");
    let reply = app
        .write_as(
            Method::POST,
            &admin,
            &format!("{path}/reopen"),
            None,
            Some("\"2\""),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["status"], "open");
    assert_eq!(reply.json()["closed_at"], Value::Null);
    let audit = app
        .get_as(
            &admin,
            &format!("/api/v1/audit-log?target_type=reporting_period&target_id={id}"),
        )
        .await
        .json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"reporting_period.closed"), "{actions:?}");
    assert!(
        actions.contains(&"reporting_period.reopened"),
        "{actions:?}"
    );
    let live = app.get_as(&staff, &format!("{path}/report")).await.json();
    assert_eq!(actual(&live, "R2.2.1"), json!(2.0));
    assert!(live.get("closed").is_none());
    let reply = app
        .write_as(Method::POST, &admin, &format!("{path}/reopen"), None, None)
        .await;
    reply.assert_problem(409, "period_open");
    // Open again: editable and deletable.
    let reply = app
        .patch_as(&staff, &path, json!({"end_on": "2025-12-31"}), None)
        .await;
    assert_eq!(
        reply.assert_problem(422, "validation_failed")["errors"][0]["pointer"],
        "/end_on"
    );
    let reply = app
        .write_as(Method::DELETE, &staff, &path, None, None)
        .await;
    assert_eq!(reply.status, 204);
}
