//! Assessments and certificates: one assessment of each kind, scores in range, the certificate
//! only once completed, as JSON and as a one-page PDF whose text names her, and its public
//! verification.

use serde_json::json;

use super::{M3, association_in, enrolled, person, session, take_attendance};
use crate::helpers::TestApp;

#[tokio::test]
async fn one_assessment_of_each_kind_in_range_and_corrected_by_patch() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = association_in(&app, &admin, "Assessed Women", "selected").await;
    let rep = person(&app, &admin, &association, "Awa", "Assessed", true).await;
    let enrolment = enrolled(&app, &admin, &rep, M3).await;
    let collection = format!("/api/v1/enrollments/{enrolment}/assessments");
    let pre = app
        .post_json(
            Some(&admin),
            &collection,
            json!({"kind": "pre", "score": 40, "taken_on": "2026-03-01"}),
        )
        .await;
    assert_eq!(pre.status, 201, "{}", pre.text);
    let pre_path = pre.header("location").to_owned();
    app.post_json(
        Some(&admin),
        &collection,
        json!({"kind": "pre", "score": 50, "taken_on": "2026-03-01"}),
    )
    .await
    .assert_problem(409, "assessment_exists");
    let bad = app
        .post_json(
            Some(&admin),
            &collection,
            json!({"kind": "post", "score": 101, "taken_on": "2999-01-01"}),
        )
        .await
        .assert_problem(422, "validation_failed");
    let pointers: Vec<&str> = bad["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/score", "/taken_on"]);
    app.post_json(
        Some(&admin),
        &collection,
        json!({"kind": "post", "score": -1, "taken_on": "2026-03-06"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.post_json(
        Some(&admin),
        &collection,
        json!({"kind": "mid", "score": 1, "taken_on": "2026-03-06"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let post = app
        .post_json(
            Some(&admin),
            &collection,
            json!({"kind": "post", "score": 75, "taken_on": "2026-03-06"}),
        )
        .await;
    assert_eq!(post.status, 201, "{}", post.text);
    let corrected = app
        .patch_as(&admin, &pre_path, json!({"score": 45}), Some("\"1\""))
        .await;
    assert_eq!(corrected.status, 200, "{}", corrected.text);
    app.patch_as(&admin, &pre_path, json!({"kind": "post"}), None)
        .await
        .assert_problem(400, "malformed_body");
    let read = app
        .get_as(&admin, &format!("/api/v1/enrollments/{enrolment}"))
        .await
        .json();
    assert_eq!(
        (
            read["pre_score"].clone(),
            read["post_score"].clone(),
            read["knowledge_gain"].clone()
        ),
        (json!(45), json!(75), json!(30))
    );
    let listed = app.get_as(&admin, &collection).await.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_completed_enrolment_has_a_certificate_in_json_and_pdf_that_anyone_can_verify() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = association_in(&app, &admin, "Sénégalaises de Liège", "selected").await;
    let rep = person(
        &app,
        &admin,
        &association,
        "Aïssatou Ndèye Françoise",
        "Diop",
        true,
    )
    .await;
    let enrolment = enrolled(&app, &admin, &rep, M3).await;
    let certificate = format!("/api/v1/enrollments/{enrolment}/certificate");
    let refused = app
        .get_as(&admin, &certificate)
        .await
        .assert_problem(409, "not_completed");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("0 of the 2")
    );

    for (day, date) in [(1, "2026-03-04"), (2, "2026-03-05")] {
        let id = session(&app, &admin, M3, day, date, "held").await;
        let reply = take_attendance(
            &app,
            &admin,
            &id,
            json!([{"person_id": rep, "status": "present"}]),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let json_reply = app.get_as(&admin, &certificate).await;
    assert_eq!(json_reply.status, 200, "{}", json_reply.text);
    assert_eq!(json_reply.header("cache-control"), "no-store");
    let body = json_reply.json();
    assert_eq!(body["full_name"], "Aïssatou Ndèye Françoise Diop");
    assert_eq!(body["completed_on"], "2026-03-05");
    assert_eq!(body["first_day_on"], "2026-03-04");
    assert_eq!(body["attended_days"], 2);
    let code = body["verification_code"].as_str().expect("code").to_owned();

    let pdf = app
        .send(reqwest::Method::GET, &certificate, |r| {
            r.bearer_auth(&admin).header("Accept", "application/pdf")
        })
        .await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert_eq!(pdf.header("cache-control"), "no-store");
    let bytes = app
        .raw(reqwest::Method::GET, &certificate, |r| {
            r.bearer_auth(&admin).header("Accept", "application/pdf")
        })
        .await;
    let document = lopdf::Document::load_mem(&bytes).expect("a PDF");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    assert_eq!(pages.len(), 1, "one page");
    let text = document.extract_text(&pages).expect("text");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Aïssatou Ndèye Françoise Diop"), "{text}");
    assert!(text.contains(&code), "{text}");
    assert!(text.contains("M3"), "{text}");

    // Anyone can check the code, and learns initials, module and date only.
    let verified = app
        .get(&format!("/api/v1/public/certificates/{code}"))
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    let verified = verified.json();
    assert_eq!(verified["initials"], "A. N. F. D.");
    assert_eq!(verified["module_code"], "M3");
    assert_eq!(verified["completed_on"], "2026-03-05");
    assert!(!verified.to_string().contains("Diop"));
    assert!(!verified.to_string().contains(&rep));
    for unknown in ["ZZZZ-ZZZZ-ZZZZ", "not-a-code", "%00"] {
        let reply = app
            .get(&format!("/api/v1/public/certificates/{unknown}"))
            .await;
        assert!(
            matches!(reply.status, 400 | 404),
            "{unknown}: {}",
            reply.text
        );
    }

    // Another association's user does not see it; viewers and clients may not fetch names.
    let other = app.create_association(&admin, "Not Hers").await;
    let stranger = app.association_user_token(&admin, &other).await;
    app.get_as(&stranger, &certificate)
        .await
        .assert_problem(404, "not_found");
    let own = app.association_user_token(&admin, &association).await;
    assert_eq!(app.get_as(&own, &certificate).await.status, 200);
    let client = app.client_token(&admin, &["training:read"], None).await;
    app.get_as(&client, &certificate)
        .await
        .assert_problem(403, "forbidden");
}
