//! The rules of a restitution: trained facilitators of its association, fields in range, what
//! a report needs, and edits only while planned or returned. Nothing is written when refused.

use serde_json::json;

use super::{
    COMPLETED_ON, HELD_ON, add_link, create, move_to, patch, plan, planned, ready, reported,
    trained,
};
use crate::helpers::TestApp;
use crate::training::{M1, M3, person, today};

async fn count(app: &TestApp, token: &str) -> usize {
    let list = app.get_as(token, "/api/v1/restitutions").await;
    assert_eq!(list.status, 200, "{}", list.text);
    list.json()["items"].as_array().expect("items").len()
}

#[tokio::test]
async fn a_plan_names_trained_facilitators_of_the_association() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Trained Hands").await;
    let untrained = person(&app, &admin, &t.association, "Nafi", "Untrained", true).await;
    let other = trained(&app, &admin, "Elsewhere Circle").await;

    // Someone who did not complete the module: named, with the module.
    let mut body = plan(&t);
    body["facilitator_ids"] = json!([t.people[0], untrained]);
    let problem = create(&app, &admin, body)
        .await
        .assert_problem(422, "facilitator_not_trained");
    assert_eq!(problem["errors"][0]["pointer"], "/facilitator_ids/1");
    let detail = problem["errors"][0]["detail"].as_str().expect("detail");
    assert!(
        detail.contains(&untrained) && detail.contains("M3"),
        "{detail}"
    );

    // Completed M3 but not M1: each missing module is named.
    let mut body = plan(&t);
    body["module_ids"] = json!([M3, M1]);
    let problem = create(&app, &admin, body)
        .await
        .assert_problem(422, "facilitator_not_trained");
    assert!(problem["detail"].as_str().expect("detail").contains("M1"));

    // A person of another association, an unknown module: not references it may use.
    let mut body = plan(&t);
    body["facilitator_ids"] = json!([other.people[0]]);
    body["module_ids"] = json!(["019ac000-0000-7000-8000-0000000000ff"]);
    let problem = create(&app, &admin, body)
        .await
        .assert_problem(422, "validation_failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/module_ids/0", "/facilitator_ids/0"]);

    // Held before she completed the module.
    let mut body = plan(&t);
    body["held_on"] = json!("2026-03-04");
    let problem = create(&app, &admin, body)
        .await
        .assert_problem(422, "held_before_training");
    assert_eq!(problem["errors"][0]["pointer"], "/held_on");
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains(COMPLETED_ON)
    );
    assert_eq!(count(&app, &admin).await, 0, "nothing written");

    // On the day she completed it is fine, and the plan reads back whole.
    let mut body = plan(&t);
    body["held_on"] = json!(COMPLETED_ON);
    let created = create(&app, &admin, body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let created = created.json();
    assert_eq!(created["status"], "planned");
    assert_eq!(created["attendees_total"], 0);
    assert_eq!(
        created["attendees"],
        json!({"women": 0, "men": 0, "other": 0, "undisclosed": 0})
    );
    assert_eq!(
        created["location"],
        json!({"city": "Liège", "postal_code": "4000"})
    );
    assert_eq!(created["module_ids"], json!([M3]));
}

#[tokio::test]
async fn every_field_has_a_range_and_a_location_one_shape() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Ranged Sisters").await;
    let cases = [
        (
            "/location",
            json!({"city": "Liège", "postal_code": "4000", "online": true}),
        ),
        ("/location", json!({})),
        ("/location/country", json!({"country": "BE"})),
        ("/location/country", json!({"country": "ZZ"})),
        (
            "/location/postal_code",
            json!({"city": "Liège", "postal_code": "400"}),
        ),
        ("/location/online", json!({"online": false})),
    ];
    for (pointer, location) in cases {
        let mut body = plan(&t);
        body["location"] = location.clone();
        let problem = create(&app, &admin, body)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{location}");
    }
    let mut body = plan(&t);
    body["attendees"] = json!({"women": 3, "men": -1});
    body["youth_attendees"] = json!(9);
    body["language"] = json!("français");
    body["planned_on"] = json!("1899-12-31");
    body["topics"] = json!(["ok", " "]);
    body["facilitator_ids"] = json!([t.people[0], t.people[0]]);
    let problem = create(&app, &admin, body)
        .await
        .assert_problem(422, "validation_failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    for expected in [
        "/attendees/men",
        "/language",
        "/planned_on",
        "/topics/1",
        "/facilitator_ids/1",
    ] {
        assert!(pointers.contains(&expected), "{expected} in {pointers:?}");
    }
    let mut body = plan(&t);
    body["notes"] = json!("a bell\u{0007} rings");
    let problem = create(&app, &admin, body)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["pointer"], "/notes");
    let mut body = plan(&t);
    body["attendees"] = json!({"women": 3, "men": 1});
    body["youth_attendees"] = json!(5);
    create(&app, &admin, body)
        .await
        .assert_problem(422, "validation_failed");
    let mut body = plan(&t);
    body["status"] = json!("validated");
    create(&app, &admin, body)
        .await
        .assert_problem(400, "malformed_body");
    assert_eq!(count(&app, &admin).await, 0, "nothing written");

    // Abroad and online are places too.
    let mut body = plan(&t);
    body["location"] = json!({"country": "sn"});
    let abroad = create(&app, &admin, body).await;
    assert_eq!(abroad.status, 201, "{}", abroad.text);
    assert_eq!(abroad.json()["location"], json!({"country": "SN"}));
    let id = abroad.json()["id"].as_str().expect("id").to_owned();
    // Switching kind clears the other kind's fields, as a merge patch does.
    let online = patch(
        &app,
        &admin,
        &id,
        json!({"location": {"online": true, "country": null}}),
    )
    .await;
    assert_eq!(online.status, 200, "{}", online.text);
    assert_eq!(online.json()["location"], json!({"online": true}));
    patch(&app, &admin, &id, json!({"location": {"city": "Gent"}}))
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn a_report_needs_a_past_date_attendees_and_evidence() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Reporting Circle").await;
    let member = app.association_user_token(&admin, &t.association).await;
    let id = planned(&app, &member, &t).await;

    move_to(&app, &member, &id, "reported", None)
        .await
        .assert_problem(422, "held_on_required");
    let tomorrow = (chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today")
        + chrono::Duration::days(1))
    .to_string();
    assert_eq!(
        patch(&app, &member, &id, json!({"held_on": tomorrow}))
            .await
            .status,
        200
    );
    let problem = move_to(&app, &member, &id, "reported", None)
        .await
        .assert_problem(422, "held_in_future");
    assert_eq!(problem["errors"][0]["pointer"], "/held_on");
    assert_eq!(
        patch(&app, &member, &id, json!({"held_on": HELD_ON}))
            .await
            .status,
        200
    );
    move_to(&app, &member, &id, "reported", None)
        .await
        .assert_problem(422, "no_attendees");
    assert_eq!(
        patch(&app, &member, &id, json!({"attendees": {"women": 9}}))
            .await
            .status,
        200
    );
    move_to(&app, &member, &id, "reported", None)
        .await
        .assert_problem(422, "evidence_required");
    assert_eq!(add_link(&app, &member, &id).await.status, 201);
    let version = app
        .get_as(&member, &format!("/api/v1/restitutions/{id}"))
        .await;
    assert_eq!(
        version.json()["status"],
        "planned",
        "refused reports wrote nothing"
    );

    let reported = move_to(&app, &member, &id, "reported", None).await;
    assert_eq!(reported.status, 201, "{}", reported.text);
    let pending = app
        .get_as(&admin, "/api/v1/restitutions?status=reported")
        .await
        .json();
    assert_eq!(pending["items"][0]["id"], id.as_str());
    assert_eq!(pending["items"][0]["attendees_total"], 9);
}

#[tokio::test]
async fn a_report_is_checked_again_against_the_training() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Corrected Sheets").await;
    let id = ready(&app, &admin, &t).await;
    // The attendance is corrected: she was absent on day 2, so never completed the module.
    let sessions = app
        .get_as(&admin, &format!("/api/v1/training-sessions?module_id={M3}"))
        .await
        .json();
    let day_two = sessions["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["day_number"] == 2)
        .expect("day 2")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let sheet = crate::training::take_attendance(
        &app,
        &admin,
        &day_two,
        json!([{"person_id": t.people[0], "status": "absent"},
               {"person_id": t.people[1], "status": "present"}]),
    )
    .await;
    assert_eq!(sheet.status, 200, "{}", sheet.text);
    move_to(&app, &admin, &id, "reported", None)
        .await
        .assert_problem(422, "facilitator_not_trained");
}

#[tokio::test]
async fn only_a_planned_or_returned_restitution_changes() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Locked Reports").await;
    let id = reported(&app, &admin, &t).await;
    let path = format!("/api/v1/restitutions/{id}");
    let item = app.get_as(&admin, &format!("{path}/evidence")).await.json()["items"][0]["id"]
        .as_str()
        .expect("evidence id")
        .to_owned();
    for reply in [
        patch(&app, &admin, &id, json!({"notes": "late change"})).await,
        add_link(&app, &admin, &id).await,
        super::upload(&app, &admin, &id, "photo", "late.png", super::PNG).await,
        app.write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("{path}/evidence/{item}"),
            None,
            None,
        )
        .await,
        app.write_as(reqwest::Method::DELETE, &admin, &path, None, None)
            .await,
    ] {
        reply.assert_problem(409, "restitution_not_editable");
    }
    // Returned: editable again.
    assert_eq!(
        move_to(&app, &admin, &id, "returned", Some("Add the sheet"))
            .await
            .status,
        201
    );
    assert_eq!(
        patch(&app, &admin, &id, json!({"notes": "Sheet added"}))
            .await
            .status,
        200
    );
    assert_eq!(add_link(&app, &admin, &id).await.status, 201);
    assert_eq!(
        move_to(&app, &admin, &id, "reported", None).await.status,
        201
    );
    assert_eq!(
        move_to(&app, &admin, &id, "validated", None).await.status,
        201
    );
    // Validated: read only.
    let before = app.get_as(&admin, &path).await.json();
    patch(&app, &admin, &id, json!({"attendees": {"women": 99}}))
        .await
        .assert_problem(409, "restitution_not_editable");
    app.write_as(reqwest::Method::DELETE, &admin, &path, None, None)
        .await
        .assert_problem(409, "restitution_not_editable");
    assert_eq!(app.get_as(&admin, &path).await.json(), before);

    // A planned one is deleted with its evidence.
    let planned_id = planned(&app, &admin, &t).await;
    assert_eq!(add_link(&app, &admin, &planned_id).await.status, 201);
    let gone = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/restitutions/{planned_id}"),
            None,
            None,
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    assert_eq!(
        app.get_as(
            &admin,
            &format!("/api/v1/restitutions/{planned_id}/evidence")
        )
        .await
        .status,
        404
    );
}
