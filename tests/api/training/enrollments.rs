//! Enrolments: every rule with its own code and pointer, the automatic move to `active`, and
//! who sees which enrolment.

use serde_json::json;

use super::{M1, M2, association_in, enrol, enrolled, enrolled_pair, person};
use crate::helpers::TestApp;

#[tokio::test]
async fn each_enrolment_rule_has_its_code_and_pointer() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (association, _, _) = enrolled_pair(&app, &admin, "Rule Keepers", M1).await;

    // A third representative of the same association.
    let third = person(&app, &admin, &association, "Coumba", "Third", true).await;
    let refused = enrol(&app, &admin, &third, M1)
        .await
        .assert_problem(422, "representative_limit_reached");
    assert_eq!(refused["errors"][0]["pointer"], "/module_id");
    // She may still follow another module.
    enrolled(&app, &admin, &third, M2).await;

    // A member who is not a representative.
    let member = person(&app, &admin, &association, "Dado", "Member", false).await;
    let refused = enrol(&app, &admin, &member, M1)
        .await
        .assert_problem(422, "not_a_representative");
    assert_eq!(refused["errors"][0]["pointer"], "/person_id");

    // A representative of an applicant association.
    let applicant = association_in(&app, &admin, "Still Applying", "applicant").await;
    let hopeful = person(&app, &admin, &applicant, "Fatou", "Hopeful", true).await;
    let refused = enrol(&app, &admin, &hopeful, M1)
        .await
        .assert_problem(422, "association_not_selected");
    assert_eq!(refused["errors"][0]["pointer"], "/person_id");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("applicant")
    );

    // Enrolled already while the association's places are full: a duplicate, not the limit.
    let enrolled_one = app
        .get_as(
            &admin,
            &format!("/api/v1/enrollments?association_id={association}&module_id={M1}"),
        )
        .await
        .json()["items"][0]["person_id"]
        .as_str()
        .expect("person")
        .to_owned();
    enrol(&app, &admin, &enrolled_one, M1)
        .await
        .assert_problem(409, "already_enrolled");

    // The same person twice in a module.
    let other = association_in(&app, &admin, "Twice Over", "selected").await;
    let rep = person(&app, &admin, &other, "Gnima", "Twice", true).await;
    enrolled(&app, &admin, &rep, M1).await;
    enrol(&app, &admin, &rep, M1)
        .await
        .assert_problem(409, "already_enrolled");

    // Unknown person and module: both named at once.
    let unknown = enrol(
        &app,
        &admin,
        &uuid::Uuid::now_v7().to_string(),
        &uuid::Uuid::now_v7().to_string(),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(unknown["errors"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn the_first_enrolment_makes_a_selected_association_active_by_the_system() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = association_in(&app, &admin, "Going Active", "selected").await;
    let first = person(&app, &admin, &association, "Awa", "First", true).await;
    let second = person(&app, &admin, &association, "Binta", "Second", true).await;
    enrolled(&app, &admin, &first, M1).await;
    let read = app
        .get_as(&admin, &format!("/api/v1/associations/{association}"))
        .await
        .json();
    assert_eq!(read["status"], "active");
    enrolled(&app, &admin, &second, M1).await;
    let transitions = app
        .get_as(
            &admin,
            &format!("/api/v1/associations/{association}/transitions"),
        )
        .await
        .json();
    let items = transitions["items"].as_array().expect("items");
    assert_eq!(items.len(), 3, "shortlisted, selected, then active once");
    let last = &items[2];
    assert_eq!(last["to"], "active");
    assert_eq!(last["actor_type"], "system");
    assert!(last["reason"].as_str().unwrap_or_default().contains("M1"));
}

#[tokio::test]
async fn withdrawing_frees_a_place_and_enrolling_again_keeps_the_limit() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (association, _, enrolments) = enrolled_pair(&app, &admin, "Place Keepers", M1).await;
    let third = person(&app, &admin, &association, "Coumba", "Third", true).await;
    let path = format!("/api/v1/enrollments/{}", enrolments[0]);
    let withdrawn = app
        .patch_as(&admin, &path, json!({"status": "withdrawn"}), Some("\"1\""))
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    enrolled(&app, &admin, &third, M1).await;
    app.patch_as(&admin, &path, json!({"status": "enrolled"}), None)
        .await
        .assert_problem(422, "representative_limit_reached");
    app.patch_as(&admin, &path, json!({"person_id": third}), None)
        .await
        .assert_problem(400, "malformed_body");
    let listed = app
        .get_as(
            &admin,
            &format!("/api/v1/enrollments?association_id={association}&status=enrolled"),
        )
        .await;
    assert_eq!(listed.json()["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(listed.header("cache-control"), "no-store");
    app.get_as(&admin, "/api/v1/enrollments?status=maybe")
        .await
        .assert_problem(400, "invalid_parameter");
}

#[tokio::test]
async fn association_users_and_bound_clients_see_their_own_enrolments_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (own, _, own_enrolments) = enrolled_pair(&app, &admin, "Our Own", M1).await;
    let (_, _, other_enrolments) = enrolled_pair(&app, &admin, "Someone Else", M1).await;
    let member = app.association_user_token(&admin, &own).await;
    let client = app
        .client_token(&admin, &["training:read"], Some(&own))
        .await;
    for token in [&member, &client] {
        let listed = app.get_as(token, "/api/v1/enrollments").await;
        assert_eq!(listed.status, 200, "{}", listed.text);
        let ids: Vec<String> = listed.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|e| e["id"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(ids, own_enrolments);
        let other = &other_enrolments[0];
        for path in [
            format!("/api/v1/enrollments/{other}"),
            format!("/api/v1/enrollments/{other}/assessments"),
            format!("/api/v1/enrollments/{other}/certificate"),
        ] {
            let reply = app.get_as(token, &path).await;
            assert!(
                reply.status == 404 || (reply.status == 403 && path.ends_with("certificate")),
                "{path}: {}",
                reply.text
            );
        }
        let mine = app
            .get_as(token, &format!("/api/v1/enrollments/{}", own_enrolments[0]))
            .await;
        assert_eq!(mine.status, 200);
    }
    // Neither may enrol anyone.
    enrol(&app, &member, &uuid::Uuid::now_v7().to_string(), M1)
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn a_deleted_person_is_not_enrolled_again() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let home = association_in(&app, &admin, "Gone Person", "selected").await;
    let rep = person(&app, &admin, &home, "Awa", "Gone", true).await;
    let enrolment = enrolled(&app, &admin, &rep, M1).await;
    let path = format!("/api/v1/enrollments/{enrolment}");
    let withdrawn = app
        .patch_as(&admin, &path, json!({"status": "withdrawn"}), None)
        .await;
    assert_eq!(withdrawn.status, 200);
    let deleted = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/people/{rep}"),
            None,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let refused = app
        .patch_as(&admin, &path, json!({"status": "enrolled"}), None)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(refused["errors"][0]["pointer"], "/status");
    // Nor enrolled anew.
    enrol(&app, &admin, &rep, M2)
        .await
        .assert_problem(422, "validation_failed");
}
