//! The public figures: no login, no personal data, no breakdown by association or of a share,
//! and no cell that singles someone out.

use serde_json::json;

use super::{indicator_in as line, partner};
use crate::helpers::TestApp;

#[tokio::test]
async fn small_cells_are_suppressed_and_cannot_be_recomputed_from_the_total() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // New contacts by country: BE 1, ML 5, SN 6.
    partner(&app, &admin, "Belgian", Some("BE"), Some("2026-03-01")).await;
    for n in 0..5 {
        partner(
            &app,
            &admin,
            &format!("Malian {n}"),
            Some("ML"),
            Some("2026-03-01"),
        )
        .await;
    }
    for n in 0..6 {
        partner(
            &app,
            &admin,
            &format!("Senegalese {n}"),
            Some("SN"),
            Some("2026-03-01"),
        )
        .await;
    }
    let reply = app.get("/api/v1/public/results").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), "public, max-age=60");
    let etag = reply.header("etag").to_owned();
    let body = reply.json();
    let partners = line(&body, "R2.2.1");
    assert_eq!(partners["actual"], json!(12.0), "the total is published");
    let cells = &partners["breakdowns"][0]["cells"];
    assert_eq!(partners["breakdowns"][0]["by"], "country");
    assert_eq!(
        cells,
        &json!([
            {"key": "BE", "value": null, "shown": "<5"},
            {"key": "ML", "value": null, "shown": "x"},
            {"key": "SN", "value": 6.0, "shown": "6"}
        ]),
        "1 is hidden, and 5, or 12 - 6 would give it back"
    );
    // Nothing by association, nothing that names anyone, no share broken down.
    let text = body.to_string();
    assert!(!text.contains("\"by\":\"association\""));
    assert!(!text.contains("Belgian"));
    assert_eq!(line(&body, "SO1.3")["breakdowns"], json!([]));
    // Cacheable: the same figures give the same ETag, a 304.
    let cached = app
        .send(reqwest::Method::GET, "/api/v1/public/results", |r| {
            r.header("If-None-Match", etag.as_str())
        })
        .await;
    assert_eq!(cached.status, 304);
    partner(&app, &admin, "Another", Some("BE"), Some("2026-03-02")).await;
    let changed = app.get("/api/v1/public/results").await;
    assert_ne!(changed.header("etag"), etag);
    let cells = line(&changed.json(), "R2.2.1")["breakdowns"][0]["cells"].clone();
    assert_eq!(cells[0]["shown"], "<5", "BE 2");
    assert_eq!(cells[1]["shown"], "x", "ML 5 still hides it");
    assert_eq!(app.get("/api/v1/public/results?x=1").await.status, 400);
}
