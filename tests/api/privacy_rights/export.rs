//! The export: every category of her data, as JSON or zip, and nothing of anyone else.

use serde_json::json;

use super::*;
use crate::helpers::TestApp;

#[tokio::test]
async fn the_export_holds_every_category_of_her_data_and_nothing_of_anyone_else() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let s = subject(&app, &admin).await;
    let assessment = app
        .post_json(
            Some(&admin),
            &format!(
                "/api/v1/enrollments/{}/assessments",
                app.get_as(&admin, &format!("/api/v1/people/{}/data-export", s.person))
                    .await
                    .json()["enrollments"][0]["id"]
                    .as_str()
                    .expect("enrolment")
            ),
            json!({"kind": "pre", "score": 40, "taken_on": "2026-03-04"}),
        )
        .await;
    assert_eq!(assessment.status, 201, "assessment: {}", assessment.text);
    let reply = app
        .get_as(&admin, &format!("/api/v1/people/{}/data-export", s.person))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), "no-store");
    let export = reply.json();
    assert_eq!(export["profile"]["email"], EMAIL);
    assert_eq!(export["profile"]["phone"], PHONE);
    for category in [
        "consents",
        "enrollments",
        "attendance",
        "assessments",
        "certificates",
        "restitutions_facilitated",
        "stories",
        "audit",
    ] {
        assert!(
            !export[category].as_array().expect(category).is_empty(),
            "{category}: {export}"
        );
    }
    assert_eq!(export["attendance"].as_array().map(Vec::len), Some(2));
    assert!(
        export["restitutions_facilitated"][0]["notes"]
            .as_str()
            .is_some_and(|n| n.contains(LAST))
    );
    assert_eq!(
        export["restitutions_facilitated"][0]["evidence"][0]["file_name"],
        "zainaba.png"
    );
    // Nothing of the other person's own records: free text (her story) stays as written.
    let text = reply.text.clone();
    assert!(
        !text.contains(OTHER_EMAIL),
        "another person's record: {text}"
    );
    assert!(!text.contains(&s.other), "another person's id: {text}");
    // Audited.
    let audit = app
        .get_as(&admin, "/api/v1/audit-log?action=person.exported&limit=10")
        .await;
    assert!(audit.text.contains(&s.person), "{}", audit.text);
    // As a zip: the document and her photo.
    let bytes = app
        .raw(
            reqwest::Method::GET,
            &format!("/api/v1/people/{}/data-export", s.person),
            |r| r.bearer_auth(&admin).header("Accept", "application/zip"),
        )
        .await;
    assert!(bytes.starts_with(b"PK"), "a zip");
    let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(holds(b"person.json") && holds(PNG) && holds(EMAIL.as_bytes()));
    // Only admins.
    let staff = app.token_for(&admin, "staff").await;
    assert_eq!(
        app.get_as(&staff, &format!("/api/v1/people/{}/data-export", s.person))
            .await
            .status,
        403
    );
}
