//! Conventions every resource keeps: the order of refusals around `If-Match` (401, 403, 404,
//! then 412; a malformed tag is 400, after 404), strong comparison, `HEAD` wherever `GET`,
//! writes that change nothing, `Location` of created records, every problem at once, and the
//! change feed's paging.

use serde_json::{Value, json};

use crate::helpers::TestApp;

fn association(name: &str) -> Value {
    json!({"name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"], "sdgs": [5]})
}

async fn feed_rows(app: &TestApp, admin: &str, id: &str) -> usize {
    let feed = app
        .get_as(admin, "/api/v1/changes?limit=200&types=association")
        .await
        .json();
    feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["id"] == id)
        .count()
}

#[tokio::test]
async fn if_match_is_judged_after_authorisation_and_existence() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let viewer = app.token_for(&admin, "viewer").await;
    let id = app.create_association(&admin, "Order Of Refusals").await;
    let path = format!("/api/v1/associations/{id}");
    let missing = format!("/api/v1/associations/{}", uuid::Uuid::now_v7());
    for tag in ["not-an-etag", "\"999\"", "W/\"1\""] {
        // No credentials: 401, whatever the tag.
        app.send(reqwest::Method::DELETE, &path, |r| {
            r.header("If-Match", tag)
        })
        .await
        .assert_problem(401, "unauthorized");
        // A role that may not: 403.
        app.write_as(reqwest::Method::DELETE, &viewer, &path, None, Some(tag))
            .await
            .assert_problem(403, "forbidden");
        // Allowed, but no such record: 404.
        app.write_as(reqwest::Method::DELETE, &admin, &missing, None, Some(tag))
            .await
            .assert_problem(404, "not_found");
    }
    // Then the tag: malformed is 400 naming If-Match; weak or unknown never matches: 412.
    let problem = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &path,
            None,
            Some("not-an-etag"),
        )
        .await
        .assert_problem(400, "invalid_parameter");
    assert_eq!(problem["errors"][0]["parameter"], "If-Match");
    for tag in ["W/\"1\"", "\"999\"", "\"abc\""] {
        app.write_as(reqwest::Method::DELETE, &admin, &path, None, Some(tag))
            .await
            .assert_problem(412, "precondition_failed");
    }
    // A list with the current version matches.
    let deleted = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &path,
            None,
            Some("\"7\", \"1\""),
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
}

#[tokio::test]
async fn head_works_wherever_get_does() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_association(&admin, "Heads Up").await;
    for path in [
        "/api/v1/countries/SN".to_owned(),
        "/api/v1/countries".to_owned(),
        format!("/api/v1/associations/{id}"),
        "/api/v1/associations".to_owned(),
        "/health/live".to_owned(),
    ] {
        let get = app.get_as(&admin, &path).await;
        let head = app
            .send(reqwest::Method::HEAD, &path, |r| r.bearer_auth(&admin))
            .await;
        assert_eq!(head.status, 200, "HEAD {path}");
        assert!(head.text.is_empty(), "HEAD {path} has no body");
        assert_eq!(head.header("etag"), get.header("etag"), "HEAD {path}");
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "HEAD {path}"
        );
    }
    let allow = app
        .send(reqwest::Method::PATCH, "/api/v1/countries/SN", |r| r)
        .await;
    assert_eq!(allow.status, 405);
    assert_eq!(allow.header("allow"), "GET, HEAD");
    // A fixed path is not taken for an id by another method.
    let fixed = app
        .write_as(
            reqwest::Method::PUT,
            &admin,
            "/api/v1/associations/export",
            Some(association("Not An Id")),
            None,
        )
        .await
        .assert_problem(405, "method_not_allowed");
    assert_eq!(fixed["status"], 405);
}

#[tokio::test]
async fn writes_that_change_nothing_keep_the_version_and_record_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = app
        .post_json(
            Some(&admin),
            "/api/v1/associations",
            association("Unchanged Twice"),
        )
        .await
        .json();
    let id = created["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/associations/{id}");
    assert_eq!(feed_rows(&app, &admin, &id).await, 1);
    let same = app
        .write_as(
            reqwest::Method::PUT,
            &admin,
            &path,
            Some(association("Unchanged Twice")),
            Some("\"1\""),
        )
        .await;
    assert_eq!(same.status, 200, "{}", same.text);
    assert_eq!(same.json()["version"], 1);
    assert_eq!(same.header("etag"), "\"1\"");
    let empty = app.patch_as(&admin, &path, json!({}), Some("\"1\"")).await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert_eq!(empty.json()["version"], 1);
    let same_value = app
        .patch_as(&admin, &path, json!({"sdgs": [5]}), None)
        .await;
    assert_eq!(same_value.json()["version"], 1);
    assert_eq!(feed_rows(&app, &admin, &id).await, 1, "no change recorded");
    let changed = app
        .patch_as(&admin, &path, json!({"sdgs": [4, 5]}), None)
        .await;
    assert_eq!(changed.json()["version"], 2);
    assert_eq!(feed_rows(&app, &admin, &id).await, 2);

    // The same for a person and a funding application.
    let person = app
        .post_json(
            Some(&admin),
            &format!("{path}/people"),
            json!({"first_name": "Same", "last_name": "Person", "gender": "female"}),
        )
        .await;
    let person_path = person.header("location").to_owned();
    let again = app
        .patch_as(&admin, &person_path, json!({"first_name": "Same"}), None)
        .await;
    assert_eq!(again.json()["version"], 1, "{}", again.text);
    let application = app
        .post_json(
            Some(&admin),
            &format!("{path}/funding-applications"),
            json!({"call_title": "Call", "funder": "Funder", "amount_requested": "10", "status": "draft"}),
        )
        .await;
    let application_path = application.header("location").to_owned();
    let again = app
        .patch_as(
            &admin,
            &application_path,
            json!({"amount_requested": 10}),
            None,
        )
        .await;
    assert_eq!(again.json()["version"], 1, "{}", again.text);
}

#[tokio::test]
async fn created_records_are_named_by_location() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_association(&admin, "Located Records").await;
    let moved = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/associations/{id}/transitions"),
            json!({"to": "shortlisted", "reason": "complete file"}),
        )
        .await;
    assert_eq!(moved.status, 201, "{}", moved.text);
    let transition = app.get_as(&admin, moved.header("location")).await;
    assert_eq!(transition.status, 200, "{}", transition.text);
    assert_eq!(transition.json(), moved.json());
    let person = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/associations/{id}/people"),
            json!({"first_name": "Awa", "last_name": "Located", "gender": "female"}),
        )
        .await;
    let consent = app
        .post_json(
            Some(&admin),
            &format!("{}/consents", person.header("location")),
            json!({"purpose": "publication", "granted": true, "text_version": "2026-10"}),
        )
        .await;
    assert_eq!(consent.status, 201, "{}", consent.text);
    let record = app.get_as(&admin, consent.header("location")).await;
    assert_eq!(record.status, 200, "{}", record.text);
    assert_eq!(record.json(), consent.json());
    assert_eq!(record.header("cache-control"), "no-store");
}

#[tokio::test]
async fn every_problem_is_reported_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // Field rules and rules that need the database, together.
    let problem = app
        .post_json(
            Some(&admin),
            "/api/v1/associations",
            json!({"name": "X", "legal_form": "asbl", "countries_of_origin": ["XX", "SN"], "sdgs": [18]}),
        )
        .await
        .assert_problem(422, "validation_failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    for pointer in [
        "/name",
        "/enterprise_number",
        "/countries_of_origin/0",
        "/sdgs/0",
    ] {
        assert!(pointers.contains(&pointer), "{pointer} in {pointers:?}");
    }
    // Several mistyped fields, each named.
    let problem = app
        .post_json(
            Some(&admin),
            "/api/v1/associations",
            json!({"name": 5, "legal_form": "asbl", "countries_of_origin": ["SN"], "founded_year": "old", "woman_led": "yes"}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        problem["errors"].as_array().map(Vec::len),
        Some(3),
        "{problem}"
    );
    // Several unknown fields, each named.
    let problem = app
        .post_json(
            Some(&admin),
            "/api/v1/associations",
            json!({"name": "Unknowns", "legal_form": "de_facto", "countries_of_origin": ["SN"], "colour": 1, "mood": 2}),
        )
        .await
        .assert_problem(400, "malformed_body");
    assert_eq!(
        problem["errors"].as_array().map(Vec::len),
        Some(2),
        "{problem}"
    );
}

#[tokio::test]
async fn the_change_feed_pages_like_every_list() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for name in ["Feed One", "Feed Two", "Feed Three"] {
        app.create_association(&admin, name).await;
    }
    // An empty cursor is the start.
    let start = app
        .get_as(&admin, "/api/v1/changes?cursor=&limit=2&types=association")
        .await;
    assert_eq!(start.status, 200, "{}", start.text);
    let body = start.json();
    assert_eq!(body["items"].as_array().map(Vec::len), Some(2));
    // Link carries the next page, always (a client polls with it).
    let link = start.header("link").to_owned();
    assert!(link.ends_with("rel=\"next\""), "{link}");
    let next = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .expect("url")
        .to_owned();
    let page = app.get_as(&admin, &next).await.json();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert!(page["items"][0]["seq"].as_i64() > body["items"][1]["seq"].as_i64());
    // The feed has no total to give: asking is a 400 naming the parameter.
    let problem = app
        .get_as(&admin, "/api/v1/changes?include_total=true")
        .await
        .assert_problem(400, "invalid_parameter");
    assert_eq!(problem["errors"][0]["parameter"], "include_total");
    // A client that may read nothing but the feed sees no changes at all.
    let feed_only = app.client_token(&admin, &["sync:read"], None).await;
    let seen = app.get_as(&feed_only, "/api/v1/changes").await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert_eq!(seen.json()["items"], json!([]));
}

#[tokio::test]
async fn swagger_ui_redirects_to_its_slash() {
    let app = TestApp::spawn().await;
    let reply = app.get("/swagger-ui").await;
    assert!(
        (301..=308).contains(&reply.status),
        "a redirect: {}",
        reply.status
    );
    assert_eq!(reply.header("location"), "/swagger-ui/");
}

#[tokio::test]
async fn a_put_that_would_create_matches_no_entity_tag() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let holder = app.create_association(&admin, "Tag Holders").await;
    let person = json!({
        "association_id": holder, "first_name": "Awa", "last_name": "Diallo", "gender": "female"
    });
    for (collection, body) in [
        ("associations", association("Never Matched")),
        ("people", person),
    ] {
        let path = format!("/api/v1/{collection}/{}", uuid::Uuid::now_v7());
        // There is no current version: any tag, `*` included, fails; a malformed one is 400.
        for tag in ["\"1\"", "*", "W/\"1\""] {
            app.write_as(
                reqwest::Method::PUT,
                &admin,
                &path,
                Some(body.clone()),
                Some(tag),
            )
            .await
            .assert_problem(412, "precondition_failed");
        }
        let problem = app
            .write_as(
                reqwest::Method::PUT,
                &admin,
                &path,
                Some(body.clone()),
                Some("s8h)cB?\"c"),
            )
            .await
            .assert_problem(400, "invalid_parameter");
        assert_eq!(problem["errors"][0]["parameter"], "If-Match");
        // Nothing was written.
        app.get_as(&admin, &path)
            .await
            .assert_problem(404, "not_found");
        // Without a condition the PUT creates; then `*` matches the record that exists.
        let created = app
            .write_as(
                reqwest::Method::PUT,
                &admin,
                &path,
                Some(body.clone()),
                None,
            )
            .await;
        assert_eq!(created.status, 201, "{collection}: {}", created.text);
        let replaced = app
            .write_as(reqwest::Method::PUT, &admin, &path, Some(body), Some("*"))
            .await;
        assert_eq!(replaced.status, 200, "{collection}: {}", replaced.text);
    }
    assert_eq!(feed_rows(&app, &admin, &holder).await, 1);
}

#[tokio::test]
async fn records_of_an_association_go_with_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = crate::training::association_in(&app, &admin, "Gone Together", "selected").await;
    let created = |path: String, body: Value| {
        let (app, admin) = (&app, &admin);
        async move {
            let response = app.post_json(Some(admin), &path, body).await;
            assert_eq!(response.status, 201, "{path}: {}", response.text);
            response.header("location").to_owned()
        }
    };
    let person = created(
        format!("/api/v1/associations/{id}/people"),
        json!({"first_name": "Awa", "last_name": "Diallo", "gender": "female", "is_representative": true}),
    )
    .await;
    let enrolment = created(
        "/api/v1/enrollments".into(),
        json!({"person_id": person.rsplit('/').next(), "module_id": crate::training::M1}),
    )
    .await;
    let assessment = created(
        format!("{enrolment}/assessments"),
        json!({"kind": "pre", "score": 10, "taken_on": "2026-01-01"}),
    )
    .await;
    let consent = created(
        format!("{person}/consents"),
        json!({"purpose": "contact_sharing", "granted": false, "text_version": "v1"}),
    )
    .await;
    let application = created(
        format!("/api/v1/associations/{id}/funding-applications"),
        json!({"call_title": "Call", "funder": "Fund", "amount_requested": "100", "status": "draft"}),
    )
    .await;
    let reads = [
        person.clone(),
        format!("{person}/consents"),
        consent,
        application,
        enrolment.clone(),
        format!("{enrolment}/assessments"),
        assessment,
    ];
    for path in &reads {
        assert_eq!(app.get_as(&admin, path).await.status, 200, "{path}");
    }
    let deleted = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/associations/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    for path in reads.iter().chain([&format!("{enrolment}/certificate")]) {
        app.get_as(&admin, path)
            .await
            .assert_problem(404, "not_found");
    }
}
