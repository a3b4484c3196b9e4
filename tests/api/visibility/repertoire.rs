//! The public repertoire: field by field, nothing an association did not consent to publish
//! leaves, in JSON or CSV; filters match only published values; and it is live.

use std::collections::BTreeSet;

use serde_json::Value;

use super::*;
use crate::helpers::TestApp;

/// The JSON key of a publishable field in a repertoire entry.
fn key(field: &str) -> &str {
    field
}

async fn entries(app: &TestApp, query: &str) -> Vec<Value> {
    let reply = app
        .get(&format!("/api/v1/public/repertoire?limit=200{query}"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["items"].as_array().cloned().expect("items")
}

#[tokio::test]
async fn each_field_is_shown_only_to_whoever_consented_to_it_in_json_and_csv() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut expected: Vec<(String, String)> = Vec::new();
    for field in ALL_FIELDS.iter().filter(|f| **f != "name") {
        let name = format!("Field {field}");
        let id = association(&app, &admin, &name, &["name", field]).await;
        expected.push((id, (*field).to_owned()));
    }
    let only_name = association(&app, &admin, "Field name only", &["name"]).await;
    let silent = association(&app, &admin, "Field silent", &[]).await;
    let rejected = association(&app, &admin, "Field rejected", &ALL_FIELDS).await;
    let moved = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/associations/{rejected}/transitions"),
            serde_json::json!({"to": "rejected", "reason": "Not eligible"}),
        )
        .await;
    assert_eq!(moved.status, 201, "{}", moved.text);
    // A person of a consenting association never appears.
    let everything = association(&app, &admin, "Field everything", &ALL_FIELDS).await;
    person(&app, &admin, &everything, Some(true)).await;

    let listed = entries(&app, "").await;
    let by_id = |id: &str| listed.iter().find(|e| e["id"] == id).cloned();
    assert!(by_id(&silent).is_none(), "no consent, not listed");
    assert!(by_id(&rejected).is_none(), "rejected, not listed");
    for (id, field) in &expected {
        let entry = by_id(id).unwrap_or_else(|| panic!("{field} listed"));
        let keys: BTreeSet<&str> = entry
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from(["id", "name", key(field)]),
            "consented to {field}: {entry}"
        );
    }
    let name_only = by_id(&only_name).expect("listed");
    assert_eq!(
        name_only.as_object().map(|o| o.len()),
        Some(2),
        "{name_only}"
    );
    let full = by_id(&everything).expect("listed");
    assert_eq!(full.as_object().map(|o| o.len()), Some(15), "{full}");
    let text = serde_json::to_string(&listed).expect("json");
    assert!(!text.contains("Storyteller"), "no person");
    assert!(
        !text.contains("Rue Haute"),
        "no street: it is not publishable"
    );

    // The CSV: one column per publishable field, a cell only where consented.
    let csv = app
        .send(reqwest::Method::GET, "/api/v1/public/repertoire", |r| {
            r.header("Accept", "text/csv")
        })
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert_eq!(csv.header("cache-control"), "public, max-age=60");
    let body = csv.text.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let mut columns = vec!["id".to_owned()];
    columns.extend(ALL_FIELDS.iter().map(|f| (*f).to_owned()));
    assert_eq!(header, columns);
    let mut rows = 0;
    for record in reader.records() {
        let record = record.expect("a row");
        rows += 1;
        let id = &record[0];
        assert_ne!(id, silent.as_str());
        assert_ne!(id, rejected.as_str());
        let filled: BTreeSet<&str> = header
            .iter()
            .zip(record.iter())
            .filter(|(_, cell)| !cell.is_empty())
            .map(|(h, _)| h.as_str())
            .collect();
        if let Some((_, field)) = expected.iter().find(|(e, _)| e == id) {
            assert_eq!(
                filled,
                BTreeSet::from(["id", "name", field.as_str()]),
                "CSV row of {field}"
            );
        }
        if id == only_name {
            assert_eq!(filled, BTreeSet::from(["id", "name"]));
        }
    }
    assert_eq!(
        rows,
        expected.len() + 2,
        "every listed association, no more"
    );
}

#[tokio::test]
async fn filters_match_only_published_values() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let open = association(
        &app,
        &admin,
        "Filter Open",
        &["name", "acronym", "region", "countries_of_origin", "sdgs"],
    )
    .await;
    let closed = association(&app, &admin, "Filter Closed", &["name"]).await;
    let ids = |list: Vec<Value>| -> Vec<String> {
        list.iter()
            .filter_map(|e| e["id"].as_str().map(str::to_owned))
            .collect()
    };
    // Both are from BF, in Wallonia, tagged SDG 5, with the acronym ACR.
    assert_eq!(
        ids(entries(&app, "&country=BF").await),
        std::slice::from_ref(&open)
    );
    assert_eq!(
        ids(entries(&app, "&country=bf").await),
        std::slice::from_ref(&open)
    );
    assert_eq!(
        ids(entries(&app, "&region=wallonia").await),
        std::slice::from_ref(&open)
    );
    assert_eq!(
        ids(entries(&app, "&sdg=5").await),
        std::slice::from_ref(&open)
    );
    assert_eq!(
        ids(entries(&app, "&q=acr").await),
        std::slice::from_ref(&open),
        "the acronym where published"
    );
    let mut both = ids(entries(&app, "&q=filter").await);
    both.sort();
    let mut expected = vec![open.clone(), closed.clone()];
    expected.sort();
    assert_eq!(both, expected, "the name always");
    for (bad, parameter) in [
        ("country=XX", "country"),
        ("sdg=18", "sdg"),
        ("sdg=five", "sdg"),
        ("region=mars", "region"),
        ("status=selected", "status"),
        ("limit=0", "limit"),
    ] {
        let problem = app
            .get(&format!("/api/v1/public/repertoire?{bad}"))
            .await
            .assert_problem(400, "invalid_parameter");
        assert!(problem.to_string().contains(parameter), "{bad}: {problem}");
    }
}

#[tokio::test]
async fn a_consent_withdrawn_is_gone_from_the_next_response() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let leaving = association(&app, &admin, "Live Leaving", &["name", "city"]).await;
    association(&app, &admin, "Live Staying", &["name"]).await;
    let first = app.get("/api/v1/public/repertoire").await;
    assert_eq!(first.status, 200);
    let etag = first.header("etag").to_owned();
    assert!(first.text.contains(&leaving));
    let cached = app
        .send(reqwest::Method::GET, "/api/v1/public/repertoire", |r| {
            r.header("If-None-Match", etag.as_str())
        })
        .await;
    assert_eq!(cached.status, 304);
    set_consent(&app, &admin, &leaving, &[]).await;
    let next = app
        .send(reqwest::Method::GET, "/api/v1/public/repertoire", |r| {
            r.header("If-None-Match", etag.as_str())
        })
        .await;
    assert_eq!(next.status, 200, "the old copy is stale");
    assert!(!next.text.contains(&leaving), "{}", next.text);
    assert_ne!(next.header("etag"), etag);
    // Narrowed consent narrows the entry at once.
    set_consent(&app, &admin, &leaving, &["name"]).await;
    let narrowed = entries(&app, "").await;
    let entry = narrowed
        .iter()
        .find(|e| e["id"] == leaving.as_str())
        .expect("back");
    assert!(entry.get("city").is_none(), "{entry}");
    // Paging works without login, with a Link to the next page.
    let page = app.get("/api/v1/public/repertoire?limit=1").await;
    assert!(
        page.header("link").contains("rel=\"next\""),
        "{:?}",
        page.headers
    );
}
