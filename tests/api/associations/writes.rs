//! Writing associations: create and read, rules, uniqueness, and the PATCH/PUT/DELETE conventions.

use serde_json::{Value, json};

use super::fixtures::{body, create};
use crate::helpers::TestApp;

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|i| i["pointer"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_association_is_created_normalised_and_read_with_its_etag() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let reply = app
        .post_json(Some(&admin), "/api/v1/associations", json!({
            "name": "Réseau des Femmes Sénégalaises", "acronym": "RFS", "legal_form": "asbl",
            "enterprise_number": "BE 0123 456 749", "founded_year": 2010, "member_count": 40,
            "address": {"street": "Rue Haute 1", "postal_code": "4000", "city": "Liège"},
            "countries_of_origin": ["sn", "CD"], "sdgs": [5, 4, 5], "thematic_areas": ["education"],
            "woman_led": true, "contact": {"email": "Info@RFS.example", "website": "https://rfs.example"},
            "publication_consent": {"granted": true, "fields": ["city"]}
        }))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let a = reply.json();
    assert_eq!(a["enterprise_number"], "0123.456.749");
    assert_eq!(a["address"]["region"], "wallonia");
    assert_eq!(a["countries_of_origin"], json!(["CD", "SN"]));
    assert_eq!(a["sdgs"], json!([4, 5]));
    assert_eq!(a["contact"]["email"], "info@rfs.example");
    assert_eq!(a["publication_consent"]["fields"], json!(["name", "city"]));
    assert!(a["publication_consent"]["recorded_at"].is_string());
    assert_eq!(
        (a["status"].as_str(), a["version"].as_i64()),
        (Some("applicant"), Some(1))
    );
    let location = reply.header("location").to_owned();
    assert_eq!(reply.header("etag"), "\"1\"");

    let read = app.get_as(&admin, &location).await;
    assert_eq!(read.json(), a);
    let again = app
        .send(reqwest::Method::GET, &location, |r| {
            r.bearer_auth(&admin).header("If-None-Match", "\"1\"")
        })
        .await;
    assert_eq!(again.status, 304);
}

#[tokio::test]
async fn every_broken_rule_is_a_422_with_its_pointer_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let problem = app
        .post_json(
            Some(&admin),
            "/api/v1/associations",
            json!({
                "name": "X", "legal_form": "asbl", "enterprise_number": "0123.456.748",
                "founded_year": 1800, "member_count": -2, "address": {"postal_code": "0999"},
                "countries_of_origin": ["SEN"], "sdgs": [0, 18], "thematic_areas": [""],
                "contact": {"email": "nope", "phone": "call me", "website": "javascript:alert(1)"},
                "publication_consent": {"granted": false, "fields": ["city"]}
            }),
        )
        .await
        .assert_problem(422, "validation_failed");
    let found = pointers(&problem);
    for pointer in [
        "/name",
        "/enterprise_number",
        "/founded_year",
        "/member_count",
        "/address/postal_code",
        "/countries_of_origin/0",
        "/sdgs/0",
        "/sdgs/1",
        "/thematic_areas/0",
        "/contact/email",
        "/contact/phone",
        "/contact/website",
        "/publication_consent/fields",
    ] {
        assert!(found.iter().any(|p| p == pointer), "{pointer} in {found:?}");
    }
    let problem = app
        .post_json(
            Some(&admin),
            "/api/v1/associations",
            json!({"name": "Ok name", "legal_form": "asbl", "countries_of_origin": ["SN"]}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(pointers(&problem), ["/enterprise_number"]);
    let problem = app
        .post_json(
            Some(&admin),
            "/api/v1/associations",
            json!({"name": "Ok name", "legal_form": "de_facto", "countries_of_origin": ["ZZ"]}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(pointers(&problem), ["/countries_of_origin/0"]);
    let problem = app
        .post_json(
            Some(&admin),
            "/api/v1/associations",
            json!({"name": "Ok name", "legal_form": "club", "countries_of_origin": ["SN"]}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(pointers(&problem), ["/legal_form"]);
    let problem = app
        .post_json(Some(&admin), "/api/v1/associations", json!({"name": "Ok name", "legal_form": "de_facto", "countries_of_origin": ["SN"], "status": "active"}))
        .await
        .assert_problem(400, "malformed_body");
    assert_eq!(pointers(&problem), ["/status"]);
    let reply = app
        .send(reqwest::Method::POST, "/api/v1/associations", |r| {
            r.bearer_auth(&admin)
                .header("Content-Type", "text/csv")
                .body("name\nx")
        })
        .await;
    reply.assert_problem(415, "unsupported_media_type");
    let list = app
        .get_as(&admin, "/api/v1/associations?include_total=true")
        .await
        .json();
    assert_eq!(list["total"], 0, "nothing was written");
}

#[tokio::test]
async fn names_ignoring_case_and_accents_and_enterprise_numbers_are_unique() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut first = body("Réseau des Femmes");
    first["legal_form"] = "asbl".into();
    first["enterprise_number"] = "0123.456.749".into();
    create(&app, &admin, first).await;
    app.post_json(
        Some(&admin),
        "/api/v1/associations",
        body("RESEAU  des femmes"),
    )
    .await
    .assert_problem(409, "conflict");
    let mut same_number = body("Another name");
    same_number["legal_form"] = "vzw".into();
    same_number["enterprise_number"] = "0123456749".into();
    app.post_json(Some(&admin), "/api/v1/associations", same_number)
        .await
        .assert_problem(409, "conflict");
}

#[tokio::test]
async fn patch_put_and_delete_follow_the_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut b = body("Patchable");
    b["acronym"] = "PT".into();
    let a = create(&app, &admin, b).await;
    let path = format!("/api/v1/associations/{}", a["id"].as_str().expect("id"));

    let reply = app
        .patch_as(
            &admin,
            &path,
            json!({"acronym": null, "member_count": 12, "contact": {"phone": "+32 2 555 12 12"}}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let patched = reply.json();
    assert!(patched["acronym"].is_null());
    assert_eq!(patched["member_count"], 12);
    assert_eq!(patched["contact"]["phone"], "+32 2 555 12 12");
    assert_eq!(
        patched["address"]["city"], "Saint-Gilles",
        "untouched fields stay"
    );
    assert_eq!(patched["version"], 2);
    let consent = app
        .patch_as(
            &admin,
            &path,
            json!({"publication_consent": {"granted": true, "fields": ["city"]}}),
            None,
        )
        .await;
    assert_eq!(consent.status, 200, "{}", consent.text);
    let history = app
        .get_as(&admin, &format!("{path}/publication-consents"))
        .await
        .json()["items"]
        .clone();
    let granted: Vec<bool> = history
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["granted"].as_bool())
        .collect();
    assert_eq!(granted, [false, true], "every consent change is kept");
    assert_eq!(history[1]["fields"], json!(["name", "city"]));
    assert_eq!(history[1]["actor_type"], "user");

    app.patch_as(&admin, &path, json!({"member_count": 99}), Some("\"2\""))
        .await
        .assert_problem(412, "precondition_failed");
    for read_only in [
        json!({"status": "active"}),
        json!({"version": 5}),
        json!({"address": {"region": "flanders"}}),
    ] {
        app.patch_as(&admin, &path, read_only.clone(), None)
            .await
            .assert_problem(400, "malformed_body");
    }
    for (patch, pointer) in [
        (
            json!({"address": {"region": "flanders"}}),
            "/address/region",
        ),
        (
            json!({"publication_consent": {"recorded_at": "2026-01-01T00:00:00Z"}}),
            "/publication_consent/recorded_at",
        ),
    ] {
        let problem = app
            .patch_as(&admin, &path, patch, None)
            .await
            .assert_problem(400, "malformed_body");
        assert_eq!(problem["errors"][0]["pointer"], pointer);
    }
    let malformed = app
        .patch_as(
            &admin,
            &path,
            json!({"member_count": 1}),
            Some("not-an-etag"),
        )
        .await
        .assert_problem(400, "invalid_parameter");
    assert_eq!(malformed["errors"][0]["parameter"], "If-Match");
    for weak_or_foreign in ["W/\"2\"", "\"abc\""] {
        app.patch_as(
            &admin,
            &path,
            json!({"member_count": 1}),
            Some(weak_or_foreign),
        )
        .await
        .assert_problem(412, "precondition_failed");
    }
    let problem = app
        .patch_as(
            &admin,
            &path,
            json!({"address": {"postal_code": "12"}}),
            None,
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(pointers(&problem), ["/address/postal_code"]);
    assert_eq!(
        app.get_as(&admin, &path).await.json()["member_count"],
        12,
        "nothing was written"
    );

    // PUT with a client-chosen id: 201 the first time, 200 after.
    let chosen = uuid::Uuid::now_v7();
    let put_path = format!("/api/v1/associations/{chosen}");
    let put = |b: Value| {
        let (app, admin, put_path) = (&app, &admin, &put_path);
        async move {
            app.send(reqwest::Method::PUT, put_path, |r| {
                r.bearer_auth(admin).json(&b)
            })
            .await
        }
    };
    let created = put(body("Upserted")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.header("location"), put_path);
    let mut changed = body("Upserted");
    changed["member_count"] = 3.into();
    let replaced = put(changed).await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    assert_eq!(replaced.json()["version"], 2);
    assert_eq!(replaced.json()["id"], chosen.to_string());

    // Delete: 204, then 404, and the name is free again.
    let deleted = app
        .send(reqwest::Method::DELETE, &put_path, |r| {
            r.bearer_auth(&admin)
        })
        .await;
    assert_eq!(deleted.status, 204);
    app.get_as(&admin, &put_path)
        .await
        .assert_problem(404, "not_found");
    app.send(reqwest::Method::DELETE, &put_path, |r| {
        r.bearer_auth(&admin)
    })
    .await
    .assert_problem(404, "not_found");
    create(&app, &admin, body("Upserted")).await;
    put(body("Upserted again"))
        .await
        .assert_problem(409, "conflict");
}
