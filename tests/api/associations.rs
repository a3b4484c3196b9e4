//! The association registry: rules, writes, filters, selection, visibility, the change feed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::helpers::TestApp;

fn body(name: &str) -> Value {
    json!({
        "name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"],
        "address": {"postal_code": "1060", "city": "Saint-Gilles"}, "woman_led": true
    })
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let reply = app
        .post_json(Some(token), "/api/v1/associations", body)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

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

#[tokio::test]
async fn filters_search_sort_and_paging_work_together() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut ids = BTreeMap::new();
    for (name, acronym, country, postal, sdgs) in [
        ("Réseau des Femmes", "RDF", "SN", "1060", vec![5]),
        ("Femmes Actives", "FA", "BE", "2000", vec![4]),
        ("Solidarité Grands Lacs", "SGL", "RW", "5000", vec![5, 16]),
        ("Collectif Maroc", "CM", "MA", "1000", vec![]),
        ("Diaspora Nord", "DN", "FR", "9000", vec![1]),
    ] {
        let mut b = body(name);
        b["acronym"] = acronym.into();
        b["countries_of_origin"] = json!([country]);
        b["address"] = json!({"postal_code": postal});
        b["sdgs"] = json!(sdgs);
        ids.insert(
            name,
            create(&app, &admin, b).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["name"].as_str().map(str::to_owned))
            .collect()
    };
    let get = |query: &str| {
        let (app, admin) = (&app, &admin);
        let query = query.to_owned();
        async move {
            app.get_as(admin, &format!("/api/v1/associations?{query}"))
                .await
        }
    };
    assert_eq!(names(&get("q=reseau").await.json()), ["Réseau des Femmes"]);
    assert_eq!(
        names(&get("q=FEMMES").await.json()),
        ["Femmes Actives", "Réseau des Femmes"]
    );
    assert_eq!(
        names(&get("q=sgl").await.json()),
        ["Solidarité Grands Lacs"]
    );
    assert_eq!(names(&get("q=100%25").await.json()), Vec::<String>::new());
    assert_eq!(
        names(&get("country=sn").await.json()),
        ["Réseau des Femmes"]
    );
    assert_eq!(
        names(&get("region=brussels").await.json()),
        ["Collectif Maroc", "Réseau des Femmes"]
    );
    assert_eq!(
        names(&get("region=wallonia").await.json()),
        ["Solidarité Grands Lacs"]
    );
    assert_eq!(
        names(&get("priority_country=true").await.json()),
        [
            "Collectif Maroc",
            "Réseau des Femmes",
            "Solidarité Grands Lacs"
        ]
    );
    assert_eq!(
        names(&get("priority_country=false").await.json()),
        ["Diaspora Nord", "Femmes Actives"]
    );
    assert_eq!(
        names(&get("sdg=5").await.json()),
        ["Réseau des Femmes", "Solidarité Grands Lacs"]
    );
    assert_eq!(
        names(&get("status=applicant&sdg=5&q=femmes").await.json()),
        ["Réseau des Femmes"]
    );
    assert_eq!(
        names(&get("status=selected").await.json()),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&get("updated_after=2099-01-01T00:00:00Z").await.json()),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&get("sort=-name").await.json())
            .first()
            .map(String::as_str),
        Some("Solidarité Grands Lacs")
    );
    assert_eq!(
        names(&get("sort=-created_at").await.json())
            .first()
            .map(String::as_str),
        Some("Diaspora Nord")
    );
    for (query, parameter) in [
        ("sort=colour", "sort"),
        ("sort=name,name", "sort"),
        ("status=dormant", "status"),
        ("region=mars", "region"),
        ("sdg=x", "sdg"),
        ("updated_after=yesterday", "updated_after"),
        ("priority_country=maybe", "priority_country"),
        ("limit=0", "limit"),
    ] {
        let problem = get(query).await.assert_problem(400, "invalid_parameter");
        assert_eq!(problem["errors"][0]["parameter"], parameter, "{query}");
    }

    // Walk every sort order two by two: each association once, in order.
    for sort in ["name", "-name", "created_at", "-updated_at,name"] {
        let mut seen = Vec::new();
        let mut path = format!("/api/v1/associations?limit=2&sort={sort}");
        loop {
            let reply = app.get_as(&admin, &path).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            let page = reply.json();
            seen.extend(names(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => {
                    path = format!("/api/v1/associations?limit=2&sort={sort}&cursor={cursor}")
                }
                None => break,
            }
        }
        assert_eq!(seen.len(), 5, "{sort}: {seen:?}");
        assert_eq!(
            seen.iter().collect::<BTreeSet<_>>().len(),
            5,
            "{sort}: no repeats"
        );
    }
    let first = get("limit=2&sort=name").await.json();
    let cursor = first["next_cursor"].as_str().expect("cursor");
    get(&format!("limit=2&sort=-created_at&cursor={cursor}"))
        .await
        .assert_problem(400, "invalid_parameter");
}

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

#[tokio::test]
async fn association_users_see_and_edit_only_their_own_association() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let own = create(&app, &admin, body("Our Own Association")).await;
    let other = create(&app, &admin, body("Someone Else")).await;
    let own_id = own["id"].as_str().expect("id");
    let reply = app
        .post_json(
            Some(&admin),
            "/api/v1/users",
            json!({
                "email": "member@own.example", "display_name": "Member", "role": "association",
                "association_id": own_id, "password": "a long enough passphrase"
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let member = app
        .login("member@own.example", "a long enough passphrase")
        .await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();

    let list = app
        .get_as(&member, "/api/v1/associations?include_total=true")
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], own_id);
    assert_eq!(
        app.get_as(&member, &format!("/api/v1/associations/{own_id}"))
            .await
            .status,
        200
    );
    let other_path = format!("/api/v1/associations/{}", other["id"].as_str().expect("id"));
    for path in [
        other_path.clone(),
        format!("{other_path}/transitions"),
        format!("{other_path}/eligibility"),
    ] {
        app.get_as(&member, &path)
            .await
            .assert_problem(404, "not_found");
    }
    app.patch_as(&member, &other_path, json!({"member_count": 1}), None)
        .await
        .assert_problem(404, "not_found");
    let edited = app
        .patch_as(
            &member,
            &format!("/api/v1/associations/{own_id}"),
            json!({"member_count": 31}),
            None,
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    app.post_json(
        Some(&member),
        &format!("/api/v1/associations/{own_id}/transitions"),
        json!({"to": "shortlisted", "reason": "me"}),
    )
    .await
    .assert_problem(403, "forbidden");
    app.send(
        reqwest::Method::DELETE,
        &format!("/api/v1/associations/{own_id}"),
        |r| r.bearer_auth(&member),
    )
    .await
    .assert_problem(403, "forbidden");
    app.get_as(&member, "/api/v1/changes")
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn the_change_feed_lists_every_write_in_order_with_tombstones() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let empty = app.get_as(&admin, "/api/v1/changes").await.json();
    assert_eq!(empty["items"], json!([]));
    let start = empty["next_cursor"]
        .as_str()
        .expect("cursor even when empty")
        .to_owned();

    let a = create(&app, &admin, body("Feed One")).await;
    let id = a["id"].as_str().expect("id");
    app.patch_as(
        &admin,
        &format!("/api/v1/associations/{id}"),
        json!({"member_count": 2}),
        None,
    )
    .await;
    app.send(
        reqwest::Method::DELETE,
        &format!("/api/v1/associations/{id}"),
        |r| r.bearer_auth(&admin),
    )
    .await;

    let page = app
        .get_as(
            &admin,
            &format!("/api/v1/changes?cursor={start}&types=association"),
        )
        .await
        .json();
    let items = page["items"].as_array().expect("items");
    let ops: Vec<(&str, i64)> = items
        .iter()
        .map(|i| {
            (
                i["op"].as_str().unwrap_or_default(),
                i["version"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(ops, [("upsert", 1), ("upsert", 2), ("delete", 3)]);
    assert!(
        items
            .iter()
            .all(|i| i["id"] == id && i["type"] == "association")
    );
    assert!(
        items
            .iter()
            .all(|i| i.as_object().is_some_and(|o| o.len() == 6)),
        "no field values travel"
    );
    let next = page["next_cursor"].as_str().expect("cursor");
    let after = app
        .get_as(&admin, &format!("/api/v1/changes?cursor={next}"))
        .await
        .json();
    assert_eq!(after["items"], json!([]));
    assert_eq!(
        after["next_cursor"], next,
        "polling an empty tail keeps the cursor"
    );

    let staff = app.token_for(&admin, "staff").await;
    let viewer = app.token_for(&admin, "viewer").await;
    for token in [&staff, &viewer] {
        assert_eq!(app.get_as(token, "/api/v1/changes").await.status, 200);
    }
    // An API client bound to an association sees only that association's changes.
    let other = create(&app, &admin, body("Feed Two")).await;
    let other_id = other["id"].as_str().expect("id").to_owned();
    let bound = app
        .post_json(
            Some(&admin),
            "/api/v1/api-clients",
            json!({"name": "Bound sync", "scopes": ["sync:read", "associations:read"], "association_id": other_id}),
        )
        .await
        .json();
    let token = app
        .client_token_request(
            Some((
                bound["client_id"].as_str().expect("id"),
                bound["client_secret"].as_str().expect("secret"),
            )),
            &[("grant_type", "client_credentials")],
        )
        .await
        .json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let seen = app.get_as(&token, "/api/v1/changes").await.json();
    let ids: Vec<&str> = seen["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, [other_id.as_str()]);

    let problem = app
        .get_as(&admin, "/api/v1/changes?types=secrets")
        .await
        .assert_problem(400, "invalid_parameter");
    assert_eq!(problem["errors"][0]["parameter"], "types");
    app.get_as(&admin, "/api/v1/changes?cursor=WyJTTiJd")
        .await
        .assert_problem(400, "invalid_parameter");
}

#[tokio::test]
async fn a_reader_polling_during_concurrent_writes_misses_no_change() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let writers = 8;
    let per_writer = 6;
    let mut handles = Vec::new();
    for w in 0..writers {
        let (client, address, token) = (app.client.clone(), app.address.clone(), admin.clone());
        handles.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..per_writer {
                let reply = client
                    .post(format!("{address}/api/v1/associations"))
                    .bearer_auth(&token)
                    .json(&body(&format!("Concurrent {w}-{i}")))
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(reply.status(), 201);
                let created: Value = reply.json().await.expect("json");
                ids.push(created["id"].as_str().expect("id").to_owned());
            }
            ids
        }));
    }
    // Poll while the writers run, and once more after they finish; a writer that fails ends
    // the poll (its panic comes out when it is joined below), and so does a deadline.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut last_seq = 0;
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the writers did not finish in time"
        );
        let finished = handles.iter().all(tokio::task::JoinHandle::is_finished);
        let path = match &cursor {
            Some(c) => format!("/api/v1/changes?limit=7&cursor={c}"),
            None => "/api/v1/changes?limit=7".to_owned(),
        };
        let page = app.get_as(&admin, &path).await.json();
        let items = page["items"].as_array().expect("items").clone();
        for item in &items {
            let seq = item["seq"].as_i64().expect("seq");
            assert!(seq > last_seq, "commit order");
            last_seq = seq;
            seen.push(item["id"].as_str().expect("id").to_owned());
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if finished && items.is_empty() {
            break;
        }
        if items.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    let mut written = BTreeSet::new();
    for handle in handles {
        written.extend(handle.await.expect("a writer failed"));
    }
    assert_eq!(written.len(), writers * per_writer);
    let seen_set: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(seen.len(), seen_set.len(), "each change once");
    assert_eq!(seen_set, written, "no change missed");
}

#[tokio::test]
async fn an_idempotency_key_replays_refuses_other_bodies_and_is_per_caller() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let post = |token: &str, key: &str, body: Value| {
        let (app, token, key) = (&app, token.to_owned(), key.to_owned());
        async move {
            app.send(reqwest::Method::POST, "/api/v1/associations", |r| {
                r.bearer_auth(&token)
                    .header("Idempotency-Key", key)
                    .json(&body)
            })
            .await
        }
    };
    let first = post(&admin, "key-1", body("Idempotent One")).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = post(&admin, "key-1", body("Idempotent One")).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.text, first.text, "the first response, replayed");
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(again.header("idempotent-replayed"), "true");
    let total = app
        .get_as(&admin, "/api/v1/associations?include_total=true")
        .await
        .json();
    assert_eq!(total["total"], 1, "written once");

    post(&admin, "key-1", body("Another Body"))
        .await
        .assert_problem(422, "idempotency_key_reused");
    // Errors are replayed too: the same invalid request gets the same 422.
    let bad = post(&admin, "key-2", json!({"name": "x"})).await;
    assert_eq!(bad.status, 422);
    let mut replayed = post(&admin, "key-2", json!({"name": "x"})).await.json();
    let mut original = bad.json();
    for body in [&mut replayed, &mut original] {
        // Each answer carries its own request's id.
        body.as_object_mut().expect("object").remove("request_id");
    }
    assert_eq!(replayed, original);
    // Keys are per caller.
    let staff = app.token_for(&admin, "staff").await;
    let other = post(&staff, "key-1", body("Staff's Own")).await;
    assert_eq!(other.status, 201, "{}", other.text);
    post(&admin, &"k".repeat(201), body("Too Long Key"))
        .await
        .assert_problem(400, "invalid_parameter");
    // Without valid credentials the key changes nothing: 401.
    post("not-a-token", "key-3", body("Nobody"))
        .await
        .assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn a_key_whose_first_request_still_runs_is_busy() {
    use empower_domain::idempotency::{Begin, abandon, begin, complete};
    let test_db = crate::helpers::TestDb::new().await;
    let db = empower_domain::db::connect(test_db.url())
        .await
        .expect("connect");
    empower_domain::db::migrate_up(&db).await.expect("migrate");
    assert_eq!(
        begin(&db, "user:1", "k", "hash-a").await.expect("begin"),
        Begin::Fresh
    );
    assert_eq!(
        begin(&db, "user:1", "k", "hash-a").await.expect("begin"),
        Begin::InFlight
    );
    assert_eq!(
        begin(&db, "user:1", "k", "hash-b").await.expect("begin"),
        Begin::Mismatch
    );
    complete(&db, "user:1", "k", 201, "{}".into(), "{}".into())
        .await
        .expect("complete");
    assert!(matches!(
        begin(&db, "user:1", "k", "hash-a").await.expect("begin"),
        Begin::Replay { status: 201, .. }
    ));
    abandon(&db, "user:1", "k").await.expect("abandon");
    assert_eq!(
        begin(&db, "user:1", "k", "hash-b").await.expect("begin"),
        Begin::Fresh
    );
    db.close().await.ok();
}
