//! Spreadsheets in and out: CSV import (dry run, all-or-nothing, partial), JSON import, CSV
//! export, and the round trip.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

async fn import(
    app: &TestApp,
    token: &str,
    query: &str,
    content_type: &str,
    body: String,
) -> Reply {
    app.send(
        reqwest::Method::POST,
        &format!("/api/v1/associations/import{query}"),
        |r| {
            r.bearer_auth(token)
                .header("Content-Type", content_type)
                .body(body)
        },
    )
    .await
}

fn statuses(report: &Value) -> Vec<String> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["status"].as_str().map(str::to_owned))
        .collect()
}

const BELGIAN_EXCEL: &str = "\u{feff}name;legal_form;enterprise_number;countries_of_origin;sdgs;postal_code;woman_led;email;publication_consent_granted;publication_consent_fields\n\
Femmes de Liège;asbl;0123.456.749;SN|ML;4|5;4000;true;info@fdl.example;true;city\n\
Collectif Été;de_facto;;MA;;1060;yes;;false;\n";

#[tokio::test]
async fn a_belgian_excel_file_imports_dry_run_first() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let dry = import(
        &app,
        &admin,
        "?dry_run=true",
        "text/csv",
        BELGIAN_EXCEL.into(),
    )
    .await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    let report = dry.json();
    assert_eq!(statuses(&report), ["created", "created"]);
    assert_eq!(report["committed"], false);
    let total = app
        .get_as(&admin, "/api/v1/associations?include_total=true")
        .await
        .json();
    assert_eq!(total["total"], 0, "a dry run writes nothing");

    let real = import(
        &app,
        &admin,
        "",
        "text/csv; charset=utf-8",
        BELGIAN_EXCEL.into(),
    )
    .await;
    assert_eq!(real.status, 200, "{}", real.text);
    assert_eq!(real.json()["committed"], true);
    let list = app
        .get_as(&admin, "/api/v1/associations?q=liege")
        .await
        .json();
    let liege = &list["items"][0];
    assert_eq!(liege["enterprise_number"], "0123.456.749");
    assert_eq!(liege["countries_of_origin"], json!(["ML", "SN"]));
    assert_eq!(liege["address"]["region"], "wallonia");
    assert_eq!(
        liege["publication_consent"]["fields"],
        json!(["name", "city"])
    );

    // The same file again: everything is already there.
    let again = import(&app, &admin, "", "text/csv", BELGIAN_EXCEL.into())
        .await
        .json();
    assert_eq!(statuses(&again), ["unchanged", "unchanged"]);
}

#[tokio::test]
async fn all_or_nothing_refuses_a_file_with_a_bad_row_and_partial_keeps_the_good_ones() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let file = "name,legal_form,enterprise_number,countries_of_origin,founded_year,woman_led\n\
        Good One,de_facto,,SN,2001,true\n\
        Bad Digits,asbl,0123.456.748,SN,2001,true\n\
        Bad Year,de_facto,,XX,later,maybe\n\
        Good Two,de_facto,,RW,,false\n";
    let refused = import(&app, &admin, "", "text/csv", file.into()).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.header("content-type"), "application/problem+json");
    let report = refused.json();
    assert_eq!(report["code"], "validation_failed");
    assert_eq!(report["committed"], false);
    assert_eq!(statuses(&report), ["created", "error", "error", "created"]);
    assert_eq!(
        report["rows"][1]["errors"][0]["pointer"],
        "/enterprise_number"
    );
    let pointers: Vec<&str> = report["rows"][2]["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/founded_year", "/woman_led"]);
    let total = app
        .get_as(&admin, "/api/v1/associations?include_total=true")
        .await
        .json();
    assert_eq!(total["total"], 0, "nothing was written");

    let partial = import(&app, &admin, "?mode=partial", "text/csv", file.into()).await;
    assert_eq!(partial.status, 200, "{}", partial.text);
    let report = partial.json();
    assert_eq!(
        report["summary"],
        json!({"created": 2, "updated": 0, "unchanged": 0, "error": 2})
    );
    let total = app
        .get_as(&admin, "/api/v1/associations?include_total=true")
        .await
        .json();
    assert_eq!(total["total"], 2);

    // A changed row updates its match.
    let changed = "name,legal_form,countries_of_origin,woman_led\nGOOD ONE,de_facto,SN|ML,true\n";
    assert_eq!(
        statuses(
            &import(&app, &admin, "", "text/csv", changed.into())
                .await
                .json()
        ),
        ["updated"]
    );

    import(
        &app,
        &admin,
        "",
        "text/csv",
        "name,legal_form,countries_of_origin,colour\nX,asbl,SN,red\n".into(),
    )
    .await
    .assert_problem(400, "malformed_body");
    import(
        &app,
        &admin,
        "",
        "text/csv",
        "name,legal_form\nX,asbl\n".into(),
    )
    .await
    .assert_problem(400, "malformed_body");
    import(&app, &admin, "", "application/xml", "<rows/>".into())
        .await
        .assert_problem(415, "unsupported_media_type");
    import(&app, &admin, "?mode=sometimes", "text/csv", changed.into())
        .await
        .assert_problem(400, "invalid_parameter");
}

#[tokio::test]
async fn a_json_array_imports_like_the_api() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let rows = json!([
        {"name": "Json Row", "legal_form": "de_facto", "countries_of_origin": ["BJ"], "sdgs": [5]},
        {"name": "Json Bad", "legal_form": "de_facto", "countries_of_origin": ["BJ"], "unknown": 1}
    ]);
    let reply = import(
        &app,
        &admin,
        "?mode=partial",
        "application/json",
        rows.to_string(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let report = reply.json();
    assert_eq!(statuses(&report), ["created", "error"]);
    assert_eq!(report["rows"][1]["errors"][0]["pointer"], "/unknown");
}

#[tokio::test]
async fn the_csv_export_is_the_filtered_list_and_imports_back_unchanged() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    import(&app, &admin, "", "text/csv", BELGIAN_EXCEL.into()).await;
    for i in 0..3 {
        app.post_json(Some(&admin), "/api/v1/associations", json!({
            "name": format!("Exported \"quoted\", {i}"), "acronym": "EXP", "legal_form": "de_facto",
            "countries_of_origin": ["SN", "BF"], "sdgs": [1, 17], "thematic_areas": ["health", "a; b"],
            "intervention_regions": "Dakar, Thiès\nand around", "woman_led": true,
            "address": {"street": "Rue 1", "postal_code": "1000", "city": "Bruxelles"},
            "contact": {"email": "x@y.example", "phone": "+32 2 000 00 00", "website": "https://x.example"},
            "publication_consent": {"granted": true, "fields": ["city", "sdgs"]}
        }))
        .await;
    }
    let reply = app
        .get_as(&admin, "/api/v1/associations/export?q=exported")
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.header("content-type").starts_with("text/csv"));
    let mut lines = reply.text.lines();
    assert!(
        lines
            .next()
            .is_some_and(|h| h.starts_with("name,acronym,legal_form,enterprise_number"))
    );
    let mut reader = csv::Reader::from_reader(reply.text.as_bytes());
    assert_eq!(reader.records().count(), 3, "only the filtered rows");

    let everything = app.get_as(&admin, "/api/v1/associations/export").await;
    let back = import(&app, &admin, "", "text/csv", everything.text.clone()).await;
    assert_eq!(back.status, 200, "{}", back.text);
    let report = back.json();
    assert_eq!(
        report["summary"],
        json!({"created": 0, "updated": 0, "unchanged": 5, "error": 0})
    );
}

#[tokio::test]
async fn a_file_naming_the_same_association_twice_reports_the_repeat() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let file = "name,legal_form,countries_of_origin\nTwice Named,de_facto,SN\ntwice  NAMED,de_facto,ML\nUnknown Land,de_facto,XX\n";
    let report = import(&app, &admin, "?mode=partial", "text/csv", file.into())
        .await
        .json();
    assert_eq!(statuses(&report), ["created", "error", "error"]);
    assert_eq!(report["rows"][1]["errors"][0]["pointer"], "/name");
    assert_eq!(
        report["rows"][2]["errors"][0]["pointer"],
        "/countries_of_origin/0"
    );
    let created = report["rows"][0]["id"].as_str().expect("id");
    let history = app
        .get_as(
            &admin,
            &format!("/api/v1/associations/{created}/publication-consents"),
        )
        .await
        .json();
    assert_eq!(
        history["items"].as_array().map(Vec::len),
        Some(1),
        "bulk creation records the consent too"
    );
    let feed = app
        .get_as(&admin, "/api/v1/changes?types=association")
        .await
        .json();
    assert_eq!(feed["items"][0]["id"], created);
    let audit = app
        .get_as(
            &admin,
            &format!("/api/v1/audit-log?action=association.created&target_id={created}"),
        )
        .await
        .json();
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1));
}

/// A `multipart/form-data` body with these `(name, content)` fields.
fn form(fields: &[(&str, &str)]) -> (String, String) {
    let boundary = "empower-test-boundary";
    let mut body = String::new();
    for (name, content) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.csv\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn an_import_uploaded_as_a_form_reads_its_file_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // The file among other fields.
    let (content_type, body) = form(&[("note", "ignored"), ("file", BELGIAN_EXCEL)]);
    let uploaded = import(&app, &admin, "?dry_run=true", &content_type, body).await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.text);
    assert_eq!(statuses(&uploaded.json()), ["created", "created"]);
    // A form without a `file` field names it.
    let (content_type, body) = form(&[("note", "no file here")]);
    let problem = import(&app, &admin, "", &content_type, body)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["pointer"], "/file");
    // A form that breaks off is unreadable.
    let broken = "--empower-test-boundary\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nname;legal".to_owned();
    import(
        &app,
        &admin,
        "",
        "multipart/form-data; boundary=empower-test-boundary",
        broken,
    )
    .await
    .assert_problem(400, "malformed_body");
}

#[tokio::test]
async fn the_export_takes_the_list_filters_and_no_paging() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for (query, parameter) in [
        ("limit=5", "limit"),
        ("cursor=abc", "cursor"),
        ("include_total=true", "include_total"),
        ("country=XX", "country"),
    ] {
        let problem = app
            .get_as(&admin, &format!("/api/v1/associations/export?{query}"))
            .await
            .assert_problem(400, "invalid_parameter");
        assert_eq!(problem["errors"][0]["parameter"], parameter, "{query}");
    }
    let csv = app
        .get_as(&admin, "/api/v1/associations/export?country=SN&sort=name")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
}
