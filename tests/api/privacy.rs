//! Privacy and safe files: CSV exports neutralise formula cells and still import back
//! unchanged; association contact email and phone only for who may see them; every response
//! that carries a person is `no-store`; merge-patch `null` cannot clear a required field; an
//! idempotent replay keeps its headers.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["pointer"].as_str().map(str::to_owned))
        .collect()
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Reply {
    let reply = app.post_json(Some(token), path, body).await;
    assert_eq!(reply.status, 201, "POST {path}: {}", reply.text);
    reply
}

fn id_of(reply: &Reply) -> String {
    reply.json()["id"].as_str().expect("id").to_owned()
}

/// The rows of a CSV export, each as column name to cell.
fn csv_rows(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .expect("CSV header row")
        .iter()
        .map(str::to_owned)
        .collect();
    reader
        .records()
        .map(|record| {
            let record = record.expect("CSV record");
            headers
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

async fn import_csv(app: &TestApp, token: &str, file: String) -> Reply {
    app.send(reqwest::Method::POST, "/api/v1/associations/import", |r| {
        r.bearer_auth(token)
            .header("Content-Type", "text/csv")
            .body(file)
    })
    .await
}

#[tokio::test]
async fn csv_exports_neutralise_formula_cells_and_import_back_unchanged() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let formulas = json!({
        "name": "@Diaspora Formula", "acronym": "+FS", "legal_form": "de_facto",
        "countries_of_origin": ["SN"], "thematic_areas": ["=SUM(A1)", "health"],
        "intervention_regions": "-minus", "woman_led": true,
        "address": {"street": "=HYPERLINK(\"http://evil.example\")", "postal_code": "1060", "city": "@home"},
        "contact": {"email": "=2+5@example.be", "phone": "+32 2 123 45 67"},
        "publication_consent": {"granted": true, "fields": ["city", "thematic_areas"]}
    });
    created(&app, &admin, "/api/v1/associations", formulas).await;
    created(
        &app,
        &admin,
        "/api/v1/associations",
        json!({
            "name": "Minus Collective", "acronym": "-MC", "legal_form": "de_facto",
            "countries_of_origin": ["ML"], "thematic_areas": ["+plus", "@at", "-minus"],
            "intervention_regions": "=1+1", "address": {"city": "-Namur"},
            "contact": {"phone": "+32 470 00 00 00"}
        }),
    )
    .await;
    created(
        &app,
        &admin,
        "/api/v1/associations",
        json!({"name": "Quiet Collective", "legal_form": "de_facto", "countries_of_origin": ["BJ"]}),
    )
    .await;

    let export = app.get_as(&admin, "/api/v1/associations/export").await;
    assert_eq!(export.status, 200, "{}", export.text);
    let rows = csv_rows(&export.text);
    assert_eq!(rows.len(), 3);
    for row in &rows {
        for (column, cell) in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{column} of {:?} would run as a formula: {cell:?}",
                row["name"]
            );
        }
    }
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["name"].trim_start_matches('\'') == name)
            .unwrap_or_else(|| panic!("{name} exported"))
    };
    let first = row("@Diaspora Formula");
    for (column, expected) in [
        ("name", "'@Diaspora Formula"),
        ("acronym", "'+FS"),
        ("thematic_areas", "'=SUM(A1)|health"),
        ("intervention_regions", "'-minus"),
        ("street", "'=HYPERLINK(\"http://evil.example\")"),
        ("city", "'@home"),
        ("email", "'=2+5@example.be"),
        ("phone", "'+32 2 123 45 67"),
    ] {
        assert_eq!(first[column], expected, "{column}");
    }
    let second = row("Minus Collective");
    for (column, expected) in [
        ("acronym", "'-MC"),
        ("thematic_areas", "'+plus|@at|-minus"),
        ("intervention_regions", "'=1+1"),
        ("city", "'-Namur"),
        ("phone", "'+32 470 00 00 00"),
    ] {
        assert_eq!(second[column], expected, "{column}");
    }
    assert_eq!(row("Quiet Collective")["acronym"], "");

    let back = import_csv(&app, &admin, export.text.clone()).await;
    assert_eq!(back.status, 200, "{}", back.text);
    let report = back.json();
    assert_eq!(
        report["summary"],
        json!({"created": 0, "updated": 0, "unchanged": 3, "error": 0}),
        "{report}"
    );
    for row in report["rows"].as_array().expect("rows") {
        assert_eq!(row["status"], "unchanged", "{row}");
    }
    let read = app
        .get_as(&admin, "/api/v1/associations?q=formula")
        .await
        .json();
    assert_eq!(
        read["items"][0]["thematic_areas"],
        json!(["=SUM(A1)", "health"])
    );
    assert_eq!(read["items"][0]["address"]["city"], "@home");
}

#[tokio::test]
async fn contact_email_and_phone_are_shown_only_to_who_may_see_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let contact = |email: &str| json!({"email": email, "phone": "+32 2 555 55 55", "website": "https://site.example"});
    let private = id_of(
        &created(
            &app,
            &admin,
            "/api/v1/associations",
            json!({
                "name": "Private Contacts", "legal_form": "de_facto", "countries_of_origin": ["SN"],
                "contact": contact("private@example.be"),
                "publication_consent": {"granted": true, "fields": ["city", "website"]}
            }),
        )
        .await,
    );
    let email_only = id_of(
        &created(&app, &admin, "/api/v1/associations", json!({
            "name": "Email Only Contacts", "legal_form": "de_facto", "countries_of_origin": ["SN"],
            "contact": contact("emailonly@example.be"),
            "publication_consent": {"granted": true, "fields": ["email"]}
        }))
        .await,
    );
    let public = id_of(
        &created(
            &app,
            &admin,
            "/api/v1/associations",
            json!({
                "name": "Public Contacts", "legal_form": "de_facto", "countries_of_origin": ["SN"],
                "contact": contact("public@example.be"),
                "publication_consent": {"granted": true, "fields": ["email", "phone"]}
            }),
        )
        .await,
    );
    let withdrawn = id_of(
        &created(&app, &admin, "/api/v1/associations", json!({
            "name": "Withdrawn Contacts", "legal_form": "de_facto", "countries_of_origin": ["SN"],
            "contact": contact("withdrawn@example.be"),
            "publication_consent": {"granted": false}
        }))
        .await,
    );
    let staff = app.token_for(&admin, "staff").await;
    let viewer = app.token_for(&admin, "viewer").await;
    let client = app.client_token(&admin, &["associations:read"], None).await;

    // (association, email shown to everyone, phone shown to everyone)
    let cases = [
        (&private, "private@example.be", false, false),
        (&email_only, "emailonly@example.be", true, false),
        (&public, "public@example.be", true, true),
        (&withdrawn, "withdrawn@example.be", false, false),
    ];
    for (id, email, email_public, phone_public) in cases {
        let path = format!("/api/v1/associations/{id}");
        for (who, token, privileged) in [
            ("admin", &admin, true),
            ("staff", &staff, true),
            ("viewer", &viewer, false),
            ("client", &client, false),
        ] {
            let reply = app.get_as(token, &path).await;
            assert_eq!(reply.status, 200, "{who}: {}", reply.text);
            let body = reply.json();
            let shows_email = privileged || email_public;
            let shows_phone = privileged || phone_public;
            assert_eq!(
                body["contact"]["email"],
                if shows_email {
                    json!(email)
                } else {
                    Value::Null
                },
                "{who} on {email}"
            );
            assert_eq!(
                body["contact"]["phone"],
                if shows_phone {
                    json!("+32 2 555 55 55")
                } else {
                    Value::Null
                },
                "{who} on {email}"
            );
            assert_eq!(body["contact"]["website"], "https://site.example");
            if shows_email || shows_phone {
                assert_eq!(
                    reply.header("cache-control"),
                    "no-store",
                    "{who} sees contact data of {email}"
                );
            }
            // The list says the same.
            let listed = app.get_as(token, "/api/v1/associations?limit=200").await;
            assert_eq!(listed.status, 200);
            let item = listed.json()["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|a| a["id"] == json!(id))
                .cloned()
                .expect("listed");
            assert_eq!(item["contact"], body["contact"], "{who} list of {email}");
            if !shows_email {
                assert!(!listed.text.contains(email), "{who} list leaks {email}");
            }
        }
    }
    let listed = app.get_as(&admin, "/api/v1/associations").await;
    assert_eq!(listed.header("cache-control"), "no-store");

    // The CSV export for a client shows what the API shows it.
    let export = app.get_as(&client, "/api/v1/associations/export").await;
    assert_eq!(export.status, 200, "{}", export.text);
    let rows = csv_rows(&export.text);
    let cell = |name: &str, column: &str| {
        rows.iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{name} exported"))[column]
            .clone()
    };
    assert_eq!(cell("Private Contacts", "email"), "");
    assert_eq!(cell("Private Contacts", "phone"), "");
    assert_eq!(cell("Withdrawn Contacts", "email"), "");
    assert_eq!(cell("Email Only Contacts", "email"), "emailonly@example.be");
    assert_eq!(cell("Email Only Contacts", "phone"), "");
    assert_eq!(cell("Public Contacts", "email"), "public@example.be");
    assert_eq!(cell("Public Contacts", "phone"), "'+32 2 555 55 55");
    assert!(!export.text.contains("private@example.be"));
    assert!(!export.text.contains("withdrawn@example.be"));
    let viewer_export = app.get_as(&viewer, "/api/v1/associations/export").await;
    assert_eq!(viewer_export.status, 200);
    assert!(!viewer_export.text.contains("private@example.be"));
    let admin_export = app.get_as(&admin, "/api/v1/associations/export").await;
    assert!(admin_export.text.contains("private@example.be"));

    // Writes that show the contact are no-store as well.
    let patched = app
        .patch_as(
            &admin,
            &format!("/api/v1/associations/{private}"),
            json!({"member_count": 3}),
            None,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.header("cache-control"), "no-store");
    let made = created(
        &app,
        &admin,
        "/api/v1/associations",
        json!({"name": "Fresh Contacts", "legal_form": "de_facto", "countries_of_origin": ["SN"],
               "contact": {"email": "fresh@example.be"}}),
    )
    .await;
    assert_eq!(made.header("cache-control"), "no-store");
}

fn awa(association_id: Option<&str>) -> Value {
    let mut body = json!({
        "first_name": "Awa", "last_name": "Diallo", "gender": "female",
        "email": "awa@example.be", "phone": "+32 470 12 34 56", "is_representative": true
    });
    if let Some(id) = association_id {
        body["association_id"] = json!(id);
    }
    body
}

#[tokio::test]
async fn every_response_that_carries_a_person_is_no_store() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = app
        .create_association(&admin, "Personal Data Keepers")
        .await;
    let people = format!("/api/v1/associations/{association}/people");
    let post = created(&app, &admin, &people, awa(None)).await;
    let id = id_of(&post);
    let person = format!("/api/v1/people/{id}");
    let consent = created(
        &app,
        &admin,
        &format!("{person}/consents"),
        json!({"purpose": "publication", "granted": true, "text_version": "2026-10"}),
    )
    .await;
    let consent_path = format!("{person}/consents/{}", id_of(&consent));
    let viewer = app.token_for(&admin, "viewer").await;
    let staff = app.token_for(&admin, "staff").await;
    let client = app.client_token(&admin, &["associations:read"], None).await;
    let member = app.association_user_token(&admin, &association).await;

    let mut answers: Vec<(String, Reply)> = vec![
        ("POST person".into(), post),
        ("POST consent".into(), consent),
    ];
    for (who, token) in [
        ("admin", &admin),
        ("staff", &staff),
        ("viewer", &viewer),
        ("client", &client),
        ("member", &member),
    ] {
        answers.push((
            format!("GET person as {who}"),
            app.get_as(token, &person).await,
        ));
        answers.push((
            format!("list people as {who}"),
            app.get_as(token, &people).await,
        ));
    }
    for (who, token) in [("admin", &admin), ("staff", &staff), ("member", &member)] {
        answers.push((
            format!("list consents as {who}"),
            app.get_as(token, &format!("{person}/consents")).await,
        ));
        answers.push((
            format!("GET consent as {who}"),
            app.get_as(token, &consent_path).await,
        ));
    }
    answers.push((
        "PUT person".into(),
        app.write_as(
            reqwest::Method::PUT,
            &admin,
            &person,
            Some(awa(Some(&association))),
            None,
        )
        .await,
    ));
    answers.push((
        "PUT new person".into(),
        app.write_as(
            reqwest::Method::PUT,
            &admin,
            &format!("/api/v1/people/{}", uuid::Uuid::now_v7()),
            Some(awa(Some(&association))),
            None,
        )
        .await,
    ));
    answers.push((
        "PATCH person".into(),
        app.patch_as(&admin, &person, json!({"last_name": "Diallo-Ba"}), None)
            .await,
    ));
    answers.push((
        "PATCH person as member".into(),
        app.patch_as(
            &member,
            &person,
            json!({"role_in_association": "treasurer"}),
            None,
        )
        .await,
    ));
    answers.push((
        "list users".into(),
        app.get_as(&admin, "/api/v1/users").await,
    ));
    let (user_id, _, _) = app.create_user(&admin, "viewer").await;
    answers.push((
        "GET user".into(),
        app.get_as(&admin, &format!("/api/v1/users/{user_id}"))
            .await,
    ));
    answers.push((
        "PATCH user".into(),
        app.patch_as(
            &admin,
            &format!("/api/v1/users/{user_id}"),
            json!({"display_name": "Renamed Viewer"}),
            None,
        )
        .await,
    ));
    for (who, token) in [("admin", &admin), ("viewer", &viewer), ("member", &member)] {
        answers.push((
            format!("GET /me as {who}"),
            app.get_as(token, "/api/v1/me").await,
        ));
    }

    let mut failures = Vec::new();
    for (what, reply) in &answers {
        if !(200..300).contains(&reply.status) {
            failures.push(format!("{what}: {} {}", reply.status, reply.text));
        } else if reply.header("cache-control") != "no-store" {
            failures.push(format!(
                "{what}: Cache-Control {:?}",
                reply.header("cache-control")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn merge_patch_null_cannot_clear_a_required_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = app.create_association(&admin, "Null Patchers").await;
    let person = id_of(
        &created(
            &app,
            &admin,
            &format!("/api/v1/associations/{association}/people"),
            awa(None),
        )
        .await,
    );
    let funding = id_of(
        &created(
            &app,
            &admin,
            &format!("/api/v1/associations/{association}/funding-applications"),
            json!({"call_title": "Call", "funder": "Fund", "amount_requested": "10.00", "status": "draft"}),
        )
        .await,
    );
    let (user, _, _) = app.create_user(&admin, "viewer").await;
    let (client, _, _) = app.create_client(&admin, &["sync:read"]).await;
    let resources = [
        (
            format!("/api/v1/associations/{association}"),
            &["name", "legal_form", "countries_of_origin", "woman_led"][..],
        ),
        (
            format!("/api/v1/people/{person}"),
            &["first_name", "last_name", "gender", "is_representative"][..],
        ),
        (
            format!("/api/v1/funding-applications/{funding}"),
            &["call_title", "funder", "amount_requested", "status"][..],
        ),
        (
            format!("/api/v1/users/{user}"),
            &["display_name", "role", "active"][..],
        ),
        (
            format!("/api/v1/api-clients/{client}"),
            &["name", "scopes", "active"][..],
        ),
    ];
    let mut failures = Vec::new();
    for (path, fields) in &resources {
        let before = app.get_as(&admin, path).await.json();
        for field in *fields {
            let reply = app
                .patch_as(&admin, path, json!({ *field: null }), None)
                .await;
            let pointer = format!("/{field}");
            let ok = reply.status == 422
                && reply.header("content-type") == "application/problem+json"
                && reply.json()["code"] == "validation_failed"
                && pointers(&reply.json()).contains(&pointer);
            if !ok {
                failures.push(format!(
                    "PATCH {path} {{\"{field}\": null}}: {} {}",
                    reply.status, reply.text
                ));
            }
        }
        let all: serde_json::Map<String, Value> = fields
            .iter()
            .map(|f| ((*f).to_owned(), Value::Null))
            .collect();
        let reply = app.patch_as(&admin, path, Value::Object(all), None).await;
        let mut found = if reply.status == 422 {
            pointers(&reply.json())
        } else {
            vec![]
        };
        found.sort_unstable();
        let mut expected: Vec<String> = fields.iter().map(|f| format!("/{f}")).collect();
        expected.sort_unstable();
        if found != expected {
            failures.push(format!(
                "PATCH {path} with every field null: {} {}",
                reply.status, reply.text
            ));
        }
        let after = app.get_as(&admin, path).await.json();
        if after["version"] != before["version"] {
            failures.push(format!("{path} changed: {before} -> {after}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn an_idempotent_replay_of_a_person_stays_no_store() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = app.create_association(&admin, "Replay Keepers").await;
    let path = format!("/api/v1/associations/{association}/people");
    let key = uuid::Uuid::now_v7().to_string();
    let mut replies = Vec::new();
    for _ in 0..2 {
        replies.push(
            app.send(reqwest::Method::POST, &path, |r| {
                r.bearer_auth(&admin)
                    .header("Idempotency-Key", key.as_str())
                    .json(&awa(None))
            })
            .await,
        );
    }
    let (first, again) = (&replies[0], &replies[1]);
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("cache-control"), "no-store");
    assert_eq!(first.header("idempotent-replayed"), "");
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(again.header("cache-control"), "no-store");
    assert_eq!(again.json(), first.json());
    assert_eq!(again.header("location"), first.header("location"));
    let listed = app
        .get_as(&admin, &format!("{path}?include_total=true"))
        .await
        .json();
    assert_eq!(listed["total"], 1, "one person, not two");
}

#[tokio::test]
async fn a_person_replaced_by_a_caller_who_cannot_see_her_contact_keeps_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = app.create_association(&admin, "Kept Contacts").await;
    let person = created(
        &app,
        &admin,
        &format!("/api/v1/associations/{association}/people"),
        json!({"first_name": "Awa", "last_name": "Diallo", "gender": "female",
               "email": "awa@example.be", "phone": "+32 470 12 34 56"}),
    )
    .await;
    let path = format!("/api/v1/people/{}", id_of(&person));
    let client = app
        .client_token(&admin, &["associations:read", "associations:write"], None)
        .await;
    // The partner reads her without contact data and writes back what it read, then clears.
    let seen = app.get_as(&client, &path).await.json();
    assert!(seen.get("email").is_none_or(Value::is_null), "{seen}");
    let mut copy = seen.clone();
    for field in [
        "id",
        "version",
        "created_at",
        "updated_at",
        "consents",
        "email",
        "phone",
    ] {
        copy.as_object_mut().expect("object").remove(field);
    }
    copy["last_name"] = "Diallo-Ba".into();
    let put = app
        .write_as(reqwest::Method::PUT, &client, &path, Some(copy), None)
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    let patched = app
        .patch_as(&client, &path, json!({"email": null, "phone": null}), None)
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let now = app.get_as(&admin, &path).await.json();
    assert_eq!(now["last_name"], "Diallo-Ba");
    assert_eq!(now["email"], "awa@example.be");
    assert_eq!(now["phone"], "+32 470 12 34 56");
}
