//! Countries and SDGs: public, paginated, with ETags.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::TestApp;

const PRIORITY: [&str; 14] = [
    "BF", "BI", "BJ", "CD", "GN", "MA", "ML", "MZ", "NE", "PS", "RW", "SN", "TZ", "UG",
];

#[tokio::test]
async fn all_iso_countries_are_listed_with_a_total_when_asked() {
    let app = TestApp::spawn().await;
    let reply = app
        .get("/api/v1/countries?include_total=true&limit=200")
        .await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["total"], 249);
    assert_eq!(body["items"].as_array().map(Vec::len), Some(200));
    assert!(body["next_cursor"].is_string());
    let first = &body["items"][0];
    assert_eq!(first["code"], "AD");
    assert!(first["name"]["en"].is_string() && first["name"]["fr"].is_string());

    let without = app.get("/api/v1/countries").await.json();
    assert!(without.get("total").is_none(), "total only when asked");
    assert_eq!(
        without["items"].as_array().map(Vec::len),
        Some(50),
        "default limit"
    );
}

#[tokio::test]
async fn the_priority_filter_gives_the_donors_fourteen_countries() {
    let app = TestApp::spawn().await;
    let body = app.get("/api/v1/countries?priority=true").await.json();
    let codes: Vec<&str> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(codes, PRIORITY);
    assert!(body.get("next_cursor").is_none(), "one page, no cursor");

    let others = app
        .get("/api/v1/countries?priority=false&include_total=true")
        .await
        .json();
    assert_eq!(others["total"], 249 - 14);
}

#[tokio::test]
async fn following_next_links_visits_every_country_once() {
    let app = TestApp::spawn().await;
    let mut seen = BTreeSet::new();
    let mut path = "/api/v1/countries?limit=37".to_owned();
    let mut pages = 0;
    loop {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 200);
        let body: Value = reply.json();
        for item in body["items"].as_array().expect("items") {
            let code = item["code"].as_str().expect("code").to_owned();
            assert!(seen.insert(code.clone()), "{code} seen twice");
        }
        pages += 1;
        let link = reply.header("link").to_owned();
        match body["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(link.ends_with("; rel=\"next\""), "{link}");
                assert!(link.contains(cursor) && link.contains("limit=37"));
                path = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .expect("link target")
                    .to_owned();
            }
            None => {
                assert!(link.is_empty(), "no Link on the last page");
                break;
            }
        }
    }
    assert_eq!(seen.len(), 249);
    assert_eq!(pages, 249_usize.div_ceil(37));
}

#[tokio::test]
async fn a_limit_above_the_maximum_is_clamped() {
    let app = TestApp::spawn().await;
    let body = app.get("/api/v1/countries?limit=5000").await.json();
    assert_eq!(body["items"].as_array().map(Vec::len), Some(200));
}

#[tokio::test]
async fn a_country_is_read_by_code_with_an_etag_and_conditional_get() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/v1/countries/cd").await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["code"], "CD");
    assert_eq!(body["priority"], true);
    assert_eq!(body["name"]["fr"], "République démocratique du Congo");
    let etag = reply.header("etag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'));

    let again = app
        .send(reqwest::Method::GET, "/api/v1/countries/CD", |r| {
            r.header("If-None-Match", &etag)
        })
        .await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    assert_eq!(again.header("etag"), etag);

    let stale = app
        .send(reqwest::Method::GET, "/api/v1/countries/CD", |r| {
            r.header("If-None-Match", "\"something-else\"")
        })
        .await;
    assert_eq!(stale.status, 200);

    let body = app
        .get("/api/v1/countries/XX")
        .await
        .assert_problem(404, "not_found");
    assert_eq!(body["detail"], "country not found");
}

#[tokio::test]
async fn the_seventeen_sdgs_are_listed_and_read() {
    let app = TestApp::spawn().await;
    let body = app.get("/api/v1/sdgs?include_total=true").await.json();
    assert_eq!(body["total"], 17);
    let numbers: Vec<i64> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|s| s["number"].as_i64())
        .collect();
    assert_eq!(numbers, (1..=17).collect::<Vec<_>>());

    let page = app.get("/api/v1/sdgs?limit=10").await.json();
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let rest = app
        .get(&format!("/api/v1/sdgs?cursor={cursor}"))
        .await
        .json();
    assert_eq!(rest["items"][0]["number"], 11);
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(7));

    let reply = app.get("/api/v1/sdgs/5").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["title"]["en"], "Gender equality");
    assert!(!reply.header("etag").is_empty());
    for missing in ["0", "18", "-1"] {
        app.get(&format!("/api/v1/sdgs/{missing}"))
            .await
            .assert_problem(404, "not_found");
    }
}
