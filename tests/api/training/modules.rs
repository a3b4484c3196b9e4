//! Modules and partners: the seeded three, their rules, and deletion only when unused.

use serde_json::json;

use super::{M1, M2, M3, enrolled_pair};
use crate::helpers::TestApp;

#[tokio::test]
async fn the_programmes_three_modules_are_seeded_with_their_days() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let modules = app.get_as(&admin, "/api/v1/modules").await.json();
    let items = modules["items"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    let codes: Vec<&str> = items.iter().filter_map(|m| m["code"].as_str()).collect();
    assert_eq!(codes, ["M1", "M2", "M3"]);
    let days: Vec<i64> = items
        .iter()
        .filter_map(|m| m["planned_days"].as_i64())
        .collect();
    assert_eq!(days, [4, 3, 2]);
    assert_eq!(items[0]["required_days"], 3, "ceil(4 × 75%)");
    assert_eq!(items[0]["min_attendance_pct"], 75);
    assert_eq!(items[0]["max_representatives_per_association"], 2);
    let guest_days: Vec<(String, i64)> = items
        .iter()
        .flat_map(|m| {
            let code = m["code"].as_str().unwrap_or_default().to_owned();
            m["days"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|d| d["guest_day"] == true)
                .map(move |d| (code.clone(), d["day_number"].as_i64().unwrap_or(0)))
        })
        .collect();
    assert_eq!(guest_days, [("M2".into(), 3), ("M3".into(), 2)]);
    assert_eq!(items[1]["id"], M2);
    assert!(items[2]["title"]["fr"].is_string());
    // A partner syncing from the start sees them in the feed.
    let feed = app
        .get_as(&admin, "/api/v1/changes?types=module")
        .await
        .json();
    let ids: Vec<&str> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, [M1, M2, M3]);
}

#[tokio::test]
async fn module_rules_are_checked_and_a_used_module_is_not_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bad = app
        .post_json(
            Some(&admin),
            "/api/v1/modules",
            json!({"code": "X", "title": {}, "description": {"en": "d"}, "planned_days": 2,
                "min_attendance_pct": 0, "days": [{"day_number": 1, "topic": {"en": "a"}},
                {"day_number": 1, "topic": {"en": "b"}}]}),
        )
        .await
        .assert_problem(422, "validation_failed");
    let pointers: Vec<&str> = bad["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(
        pointers,
        [
            "/code",
            "/title",
            "/min_attendance_pct",
            "/days/1/day_number"
        ]
    );
    app.post_json(
        Some(&admin),
        "/api/v1/modules",
        json!({"code": "M1", "title": {"en": "Again"}, "description": {"en": "d"},
            "planned_days": 1, "days": [{"day_number": 1, "topic": {"en": "a"}}]}),
    )
    .await
    .assert_problem(409, "conflict");
    // A staff member lowers the bar: completion follows, and the module is in use.
    enrolled_pair(&app, &admin, "Module Users", M3).await;
    let patched = app
        .patch_as(
            &admin,
            &format!("/api/v1/modules/{M3}"),
            json!({"min_attendance_pct": 50, "title": {"nl": "Vrouwen en vredesopbouw"}}),
            None,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json()["required_days"], 1);
    assert!(patched.json()["title"]["en"].is_string(), "languages merge");
    assert_eq!(patched.json()["title"]["nl"], "Vrouwen en vredesopbouw");
    app.write_as(
        reqwest::Method::DELETE,
        &admin,
        &format!("/api/v1/modules/{M3}"),
        None,
        None,
    )
    .await
    .assert_problem(409, "module_in_use");
    let viewer = app.token_for(&admin, "viewer").await;
    app.write_as(
        reqwest::Method::DELETE,
        &viewer,
        &format!("/api/v1/modules/{M3}"),
        None,
        None,
    )
    .await
    .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn partners_have_unique_names_and_hide_their_contact_from_viewers() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = app
        .post_json(
            Some(&admin),
            "/api/v1/partners",
            json!({"name": "Réseau Paix Bruxelles", "kind": "peacebuilding_org", "country": "be",
                "contact_email": "Aminata@Paix.example", "first_contact_on": "2026-03-12"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json()["country"], "BE");
    assert_eq!(created.json()["contact_email"], "aminata@paix.example");
    assert_eq!(created.header("cache-control"), "no-store");
    let location = created.header("location").to_owned();
    app.post_json(
        Some(&admin),
        "/api/v1/partners",
        json!({"name": "RESEAU PAIX BRUXELLES", "kind": "ngo"}),
    )
    .await
    .assert_problem(409, "conflict");
    let bad = app
        .post_json(
            Some(&admin),
            "/api/v1/partners",
            json!({"name": "Other", "kind": "ngo", "country": "XX", "website": "ftp://x",
                "first_contact_on": "2999-01-01"}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(bad["errors"].as_array().map(Vec::len), Some(3));
    app.post_json(
        Some(&admin),
        "/api/v1/partners",
        json!({"name": "Other", "kind": "club"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let viewer = app.token_for(&admin, "viewer").await;
    let seen = app.get_as(&viewer, &location).await;
    assert_eq!(seen.status, 200);
    assert!(seen.json().get("contact_email").is_none());
    assert!(!seen.text.contains("aminata"));
    let (_, client_id, secret) = app.create_client(&admin, &["training:read"]).await;
    let token = app
        .client_token_request(
            Some((&client_id, &secret)),
            &[("grant_type", "client_credentials")],
        )
        .await
        .json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let listed = app
        .get_as(&token, "/api/v1/partners?kind=peacebuilding_org")
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.json()["items"].as_array().map(Vec::len), Some(1));
    assert!(!listed.text.contains("aminata"));
    app.get_as(&token, "/api/v1/partners?kind=club")
        .await
        .assert_problem(400, "invalid_parameter");
}

#[tokio::test]
async fn bad_paths_of_partners_and_sessions_are_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut ids = Vec::new();
    for name in ["First Partner", "Second Partner"] {
        let reply = app
            .post_json(
                Some(&admin),
                "/api/v1/partners",
                json!({"name": name, "kind": "ngo"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        ids.push(reply.json()["id"].as_str().expect("id").to_owned());
    }
    app.patch_as(
        &admin,
        &format!("/api/v1/partners/{}", ids[1]),
        json!({"name": "first partner"}),
        None,
    )
    .await
    .assert_problem(409, "conflict");

    // A time that is not HH:MM, and an end before the start.
    let mut body = super::session_body(M1, 1, "2027-01-11", "planned");
    body["starts_at"] = json!("9:30");
    let bad = app
        .post_json(Some(&admin), "/api/v1/training-sessions", body)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(bad["errors"][0]["pointer"], "/starts_at");
    let mut body = super::session_body(M1, 1, "2027-01-11", "planned");
    body["ends_at"] = json!("08:00");
    let bad = app
        .post_json(Some(&admin), "/api/v1/training-sessions", body)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(bad["errors"][0]["pointer"], "/ends_at");

    // A session keeps a guest whose partner was deleted, and stays editable.
    let mut body = super::session_body(M1, 1, "2027-01-12", "planned");
    body["guest_partner_ids"] = json!([ids[0]]);
    let sitting = app
        .post_json(Some(&admin), "/api/v1/training-sessions", body)
        .await;
    assert_eq!(sitting.status, 201, "{}", sitting.text);
    let path = sitting.header("location").to_owned();
    let gone = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/partners/{}", ids[0]),
            None,
            None,
        )
        .await;
    assert_eq!(gone.status, 204);
    let edited = app
        .patch_as(&admin, &path, json!({"capacity": 12}), None)
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(edited.json()["guest_partner_ids"], json!([ids[0]]));
    // A new guest must still be a live partner.
    let refused = app
        .patch_as(
            &admin,
            &path,
            json!({"guest_partner_ids": [ids[0], uuid::Uuid::now_v7()]}),
            None,
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(refused["errors"][0]["pointer"], "/guest_partner_ids/1");
}
