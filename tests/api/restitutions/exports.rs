//! The list's filters, the CSV export, and the change feed's entries.

use serde_json::{Value, json};

use super::{HELD_ON, PDF, add_link, move_to, patch, plan, planned, reported, trained, upload};
use crate::helpers::TestApp;
use crate::training::M3;

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn the_list_filters_and_exports_as_csv() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = trained(&app, &admin, "Filter Alpha").await;
    let b = trained(&app, &admin, "Filter Beta").await;
    let planned_a = planned(&app, &admin, &a).await;
    let reported_b = reported(&app, &admin, &b).await;
    let formula = planned(&app, &admin, &b).await;
    assert_eq!(
        patch(
            &app,
            &admin,
            &formula,
            json!({"planned_on": "2026-06-01", "notes": "=HYPERLINK(\"x\")"})
        )
        .await
        .status,
        200
    );
    let list = |query: &str| {
        let app = &app;
        let admin = admin.clone();
        let query = query.to_owned();
        async move {
            let reply = app
                .get_as(&admin, &format!("/api/v1/restitutions{query}"))
                .await;
            assert_eq!(reply.status, 200, "{query}: {}", reply.text);
            ids(&reply.json())
        }
    };
    assert_eq!(
        list("").await,
        [planned_a.clone(), reported_b.clone(), formula.clone()]
    );
    assert_eq!(
        list(&format!("?association_id={}", a.association)).await,
        std::slice::from_ref(&planned_a)
    );
    assert_eq!(
        list("?status=reported").await,
        std::slice::from_ref(&reported_b)
    );
    assert_eq!(list(&format!("?module_id={M3}")).await.len(), 3);
    assert!(
        list("?module_id=019ac000-0000-7000-8000-000000000001")
            .await
            .is_empty()
    );
    assert_eq!(
        list("?from=2026-05-01").await,
        std::slice::from_ref(&formula)
    );
    assert_eq!(list(&format!("?to={HELD_ON}")).await.len(), 2);
    assert_eq!(list("?limit=1&include_total=true").await.len(), 1);
    for bad in [
        "?status=lost",
        "?from=2026-05-01&to=2026-04-01",
        "?from=0001-01-01",
        "?module_id=M3",
        "?colour=red",
    ] {
        let reply = app
            .get_as(&admin, &format!("/api/v1/restitutions{bad}"))
            .await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.text);
    }

    let csv = app
        .send(
            reqwest::Method::GET,
            "/api/v1/restitutions?status=reported",
            |r| r.bearer_auth(&admin).header("Accept", "text/csv"),
        )
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert_eq!(csv.header("vary"), "Accept");
    assert!(
        csv.header("content-disposition")
            .contains("restitutions.csv")
    );
    let text = csv.text.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(&headers[0], "id");
    assert_eq!(&headers[17], "attendees_total");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], reported_b);
    assert_eq!(&rows[0][2], "reported");
    assert_eq!(&rows[0][5], "belgium");
    assert_eq!(&rows[0][17], "17");
    let all = app
        .send(reqwest::Method::GET, "/api/v1/restitutions?limit=1", |r| {
            r.bearer_auth(&admin).header("Accept", "text/csv")
        })
        .await;
    assert_eq!(
        all.text.lines().count(),
        4,
        "every matching row, not a page"
    );
    let etag = all.header("etag").to_owned();
    let unchanged = app
        .send(reqwest::Method::GET, "/api/v1/restitutions", |r| {
            r.bearer_auth(&admin)
                .header("Accept", "text/csv")
                .header("If-None-Match", etag.as_str())
        })
        .await;
    assert_eq!(unchanged.status, 304, "the same file: not sent again");
    assert!(
        all.text.contains("'=HYPERLINK"),
        "a formula is neutralised: {}",
        all.text
    );
}

#[tokio::test]
async fn every_write_shows_in_the_change_feed_without_values() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Feed Readers").await;
    let id = planned(&app, &admin, &t).await;
    let item = upload(&app, &admin, &id, "report", "r.pdf", PDF)
        .await
        .json();
    let item_id = item["id"].as_str().expect("id").to_owned();
    assert_eq!(add_link(&app, &admin, &id).await.status, 201);
    assert_eq!(
        patch(
            &app,
            &admin,
            &id,
            json!({"held_on": HELD_ON, "attendees": {"women": 3}})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        move_to(&app, &admin, &id, "reported", None).await.status,
        201
    );
    assert_eq!(
        move_to(&app, &admin, &id, "returned", Some("More detail"))
            .await
            .status,
        201
    );
    let removed = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/restitutions/{id}/evidence/{item_id}"),
            None,
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let feed = app
        .get_as(
            &admin,
            "/api/v1/changes?limit=200&types=restitution,restitution_evidence",
        )
        .await;
    assert_eq!(feed.status, 200, "{}", feed.text);
    let items: Vec<(String, String, String, i64)> = feed.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["type"].as_str().expect("type").to_owned(),
                i["id"].as_str().expect("id").to_owned(),
                i["op"].as_str().expect("op").to_owned(),
                i["version"].as_i64().expect("version"),
            )
        })
        .collect();
    let of_restitution: Vec<i64> = items
        .iter()
        .filter(|(t, i, _, _)| t == "restitution" && *i == id)
        .map(|(_, _, _, v)| *v)
        .collect();
    assert_eq!(
        of_restitution,
        [1, 2, 3, 4],
        "planned, patched, reported, returned"
    );
    let of_item: Vec<(String, i64)> = items
        .iter()
        .filter(|(_, i, _, _)| *i == item_id)
        .map(|(_, _, op, v)| (op.clone(), *v))
        .collect();
    assert_eq!(
        of_item,
        [("upsert".to_owned(), 1), ("delete".to_owned(), 2)]
    );
    assert!(
        !feed.text.contains("r.pdf") && !feed.text.contains("Liège"),
        "no values"
    );
    let _ = plan(&t);
}
