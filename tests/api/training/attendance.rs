//! Attendance: the sheet's rules, days counted once across make-up sessions, completion and
//! its date, and the register in JSON and CSV.

use serde_json::json;

use super::{M1, M3, enrolled_pair, person, session, take_attendance, today};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_sheet_lists_enrolled_people_of_a_held_session_or_one_taking_place_today() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (association, people, _) = enrolled_pair(&app, &admin, "Sheet Keepers", M3).await;
    let held = session(&app, &admin, M3, 1, "2026-03-04", "held").await;

    // Someone not enrolled in the module, and someone listed twice.
    let stranger = person(&app, &admin, &association, "Nene", "Stranger", true).await;
    let refused = take_attendance(
        &app,
        &admin,
        &held,
        json!([{"person_id": people[0], "status": "present"},
               {"person_id": stranger, "status": "present"}]),
    )
    .await
    .assert_problem(422, "not_enrolled");
    assert_eq!(refused["errors"][0]["pointer"], "/1/person_id");
    take_attendance(
        &app,
        &admin,
        &held,
        json!([{"person_id": people[0], "status": "present"},
               {"person_id": people[0], "status": "absent"}]),
    )
    .await
    .assert_problem(422, "validation_failed");
    take_attendance(
        &app,
        &admin,
        &held,
        json!([{"person_id": people[0], "status": "late"}]),
    )
    .await
    .assert_problem(422, "validation_failed");
    let lines = app
        .get_as(
            &admin,
            &format!("/api/v1/training-sessions/{held}/attendance"),
        )
        .await;
    assert_eq!(lines.json(), json!([]), "nothing written by refused sheets");

    // A future session, a past one still planned, a cancelled one.
    for (date, status) in [
        ("2099-01-05", "planned"),
        ("2026-02-01", "planned"),
        ("2026-02-02", "cancelled"),
    ] {
        let id = session(&app, &admin, M3, 1, date, status).await;
        take_attendance(
            &app,
            &admin,
            &id,
            json!([{"person_id": people[0], "status": "present"}]),
        )
        .await
        .assert_problem(409, "attendance_not_open");
    }
    app.post_json(
        Some(&admin),
        "/api/v1/training-sessions",
        super::session_body(M3, 1, "2099-01-05", "held"),
    )
    .await
    .assert_problem(422, "validation_failed");

    // Today's planned session is taken in the room.
    let in_the_room = session(&app, &admin, M3, 2, &today(), "planned").await;
    let taken = take_attendance(
        &app,
        &admin,
        &in_the_room,
        json!([{"person_id": people[0], "status": "present", "arrived_late": true},
               {"person_id": people[1], "status": "excused"}]),
    )
    .await;
    assert_eq!(taken.status, 200, "{}", taken.text);
    assert_eq!(taken.json().as_array().map(Vec::len), Some(2));
    assert_eq!(taken.header("cache-control"), "no-store");

    // Once attendance is taken the session keeps its day and is not cancelled or deleted.
    let path = format!("/api/v1/training-sessions/{in_the_room}");
    app.patch_as(&admin, &path, json!({"day_number": 1}), None)
        .await
        .assert_problem(409, "session_has_attendance");
    app.patch_as(&admin, &path, json!({"status": "cancelled"}), None)
        .await
        .assert_problem(409, "session_has_attendance");
    app.write_as(reqwest::Method::DELETE, &admin, &path, None, None)
        .await
        .assert_problem(409, "session_has_attendance");

    // Trainers only.
    let viewer = app.token_for(&admin, "viewer").await;
    take_attendance(&app, &viewer, &held, json!([]))
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn days_count_once_and_completion_has_the_date_of_the_day_that_completed_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, people, enrolments) = enrolled_pair(&app, &admin, "Day Counters", M1).await;
    let (awa, binta) = (&people[0], &people[1]);
    // M1: 4 days, 3 required.
    let day1 = session(&app, &admin, M1, 1, "2026-01-12", "held").await;
    let day2 = session(&app, &admin, M1, 2, "2026-01-13", "held").await;
    let day2_again = session(&app, &admin, M1, 2, "2026-01-20", "held").await;
    let day3 = session(&app, &admin, M1, 3, "2026-01-14", "held").await;
    let day4_makeup = session(&app, &admin, M1, 4, "2026-01-27", "held").await;
    let sheet = |entries: &[(&str, &str)]| {
        json!(
            entries
                .iter()
                .map(|(p, s)| json!({"person_id": p, "status": s}))
                .collect::<Vec<_>>()
        )
    };
    for (id, entries) in [
        (
            &day1,
            vec![(awa.as_str(), "present"), (binta.as_str(), "present")],
        ),
        (
            &day2,
            vec![(awa.as_str(), "present"), (binta.as_str(), "absent")],
        ),
        (
            &day2_again,
            vec![(awa.as_str(), "present"), (binta.as_str(), "present")],
        ),
        (
            &day3,
            vec![(awa.as_str(), "absent"), (binta.as_str(), "excused")],
        ),
        (&day4_makeup, vec![(awa.as_str(), "present")]),
    ] {
        let reply = take_attendance(&app, &admin, id, sheet(&entries)).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let read = |id: String| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.get_as(&admin, &format!("/api/v1/enrollments/{id}"))
                .await
                .json()
        }
    };
    let awa_enrolment = read(enrolments[0].clone()).await;
    assert_eq!(awa_enrolment["attended_days"], 3, "day 2 counts once");
    assert_eq!(awa_enrolment["required_days"], 3);
    assert_eq!(awa_enrolment["completed"], true);
    assert_eq!(
        awa_enrolment["completed_on"], "2026-01-27",
        "the make-up day completed it"
    );
    let binta_enrolment = read(enrolments[1].clone()).await;
    assert_eq!(binta_enrolment["attended_days"], 2);
    assert_eq!(binta_enrolment["completed"], false);
    assert_eq!(binta_enrolment["completed_on"], json!(null));
    // The enrolment's version moved with its attendance, so a cached copy is stale.
    assert!(awa_enrolment["version"].as_i64().unwrap_or(0) > 1);

    // A corrected sheet: Awa was absent from the make-up after all.
    let corrected = take_attendance(
        &app,
        &admin,
        &day4_makeup,
        sheet(&[(awa.as_str(), "absent")]),
    )
    .await;
    assert_eq!(corrected.status, 200);
    assert_eq!(read(enrolments[0].clone()).await["completed"], false);

    // The register: one row per person, one column per day, best status at any sitting.
    let register = app
        .get_as(&admin, &format!("/api/v1/modules/{M1}/attendance-register"))
        .await;
    assert_eq!(register.status, 200, "{}", register.text);
    let body = register.json();
    assert_eq!(body["days"].as_array().map(Vec::len), Some(4));
    let rows = body["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    let binta_row = rows
        .iter()
        .find(|r| r["person_id"] == binta.as_str())
        .expect("row");
    assert_eq!(
        binta_row["days"],
        json!(["present", "present", "excused", null])
    );
    assert_eq!(binta_row["first_name"], "Binta");
    let csv = app
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/modules/{M1}/attendance-register"),
            |r| r.bearer_auth(&admin).header("Accept", "text/csv"),
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert_eq!(csv.header("cache-control"), "no-store");
    let text = csv.text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "last_name,first_name,person_id,association_id,day_1,day_2,day_3,day_4,attended_days,required_days,completed_on"
        )
    );
    assert!(text.contains(&format!("Day Counters,Binta,{binta}")));
    assert!(text.contains("present,present,excused,,2,3,"));
    // Without personal-data rights, no names.
    let viewer = app.token_for(&admin, "viewer").await;
    let anonymous = app
        .get_as(
            &viewer,
            &format!("/api/v1/modules/{M1}/attendance-register"),
        )
        .await;
    assert_eq!(anonymous.status, 200);
    assert!(!anonymous.text.contains("Binta"));
}

#[tokio::test]
async fn bound_callers_see_their_own_lines_of_a_sheet_and_register_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (own, own_people, _) = enrolled_pair(&app, &admin, "Own Lines", M3).await;
    let (_, other_people, _) = enrolled_pair(&app, &admin, "Other Lines", M3).await;
    let held = session(&app, &admin, M3, 1, "2026-05-05", "held").await;
    let everyone: Vec<_> = own_people
        .iter()
        .chain(&other_people)
        .map(|p| json!({"person_id": p, "status": "present"}))
        .collect();
    assert_eq!(
        take_attendance(&app, &admin, &held, json!(everyone))
            .await
            .status,
        200
    );
    let member = app.association_user_token(&admin, &own).await;
    let client = app
        .client_token(&admin, &["training:read"], Some(&own))
        .await;
    for token in [&member, &client] {
        let sheet = app
            .get_as(
                token,
                &format!("/api/v1/training-sessions/{held}/attendance"),
            )
            .await;
        assert_eq!(sheet.status, 200, "{}", sheet.text);
        let people: Vec<&str> = sheet
            .json()
            .as_array()
            .expect("lines")
            .iter()
            .filter_map(|l| l["person_id"].as_str())
            .map(|_| "x")
            .collect();
        assert_eq!(people.len(), 2);
        assert!(!sheet.text.contains(other_people[0].as_str()));
        let register = app
            .get_as(token, &format!("/api/v1/modules/{M3}/attendance-register"))
            .await;
        assert_eq!(register.json()["rows"].as_array().map(Vec::len), Some(2));
        assert!(!register.text.contains(other_people[1].as_str()));
    }
}

#[tokio::test]
async fn the_feed_carries_the_training_and_a_bound_client_sees_its_own_records_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (own, own_people, own_enrolments) = enrolled_pair(&app, &admin, "Own Feed", M3).await;
    let (_, other_people, other_enrolments) = enrolled_pair(&app, &admin, "Other Feed", M3).await;
    let held = session(&app, &admin, M3, 1, "2026-05-06", "held").await;
    let everyone: Vec<_> = own_people
        .iter()
        .chain(&other_people)
        .map(|p| json!({"person_id": p, "status": "present"}))
        .collect();
    let sheet = take_attendance(&app, &admin, &held, json!(everyone))
        .await
        .json();
    let line_of = |association: &str| -> Vec<String> {
        sheet
            .as_array()
            .expect("lines")
            .iter()
            .filter(|l| l["association_id"] == association)
            .filter_map(|l| l["id"].as_str().map(str::to_owned))
            .collect()
    };
    let other = other_enrolments[0].clone();
    let other_association = app
        .get_as(&admin, &format!("/api/v1/enrollments/{other}"))
        .await
        .json()["association_id"]
        .as_str()
        .expect("association")
        .to_owned();
    let (own_lines, other_lines) = (line_of(&own), line_of(&other_association));
    assert_eq!((own_lines.len(), other_lines.len()), (2, 2));

    let client = app
        .client_token(&admin, &["training:read", "sync:read"], Some(&own))
        .await;
    let feed = app
        .get_as(&client, "/api/v1/changes?limit=200")
        .await
        .json();
    let seen: Vec<(String, String)> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["type"].as_str().unwrap_or_default().to_owned(),
                i["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let has = |kind: &str, id: &str| seen.iter().any(|(t, i)| t == kind && i == id);
    assert!(has("module", M3), "programme-wide modules");
    assert!(has("training_session", &held), "programme-wide sessions");
    for id in &own_enrolments {
        assert!(has("enrollment", id), "its own enrolment {id}");
    }
    for id in &own_lines {
        assert!(has("attendance", id), "its own attendance line {id}");
    }
    for id in other_enrolments.iter().chain(&other_lines) {
        assert!(!seen.iter().any(|(_, i)| i == id), "never another's: {id}");
    }
    assert!(
        seen.iter()
            .all(|(t, _)| t != "person" && t != "association"),
        "training:read reads no registry type: {seen:?}"
    );
}

#[tokio::test]
async fn a_sheet_has_a_version_and_a_session_with_attendance_stays_held() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, people, enrolments) = enrolled_pair(&app, &admin, "Versioned Sheet", M3).await;
    let held = session(&app, &admin, M3, 1, "2026-06-01", "held").await;
    let path = format!("/api/v1/training-sessions/{held}/attendance");
    let empty = app.get_as(&admin, &path).await;
    assert_eq!(empty.header("etag"), "\"0\"");
    let put = |tag: Option<&'static str>, status: &'static str| {
        let (app, admin, path) = (&app, &admin, &path);
        let body = json!([{"person_id": people[0], "status": status}]);
        async move {
            app.send(reqwest::Method::PUT, path, |r| {
                let r = r.bearer_auth(admin).json(&body);
                match tag {
                    Some(tag) => r.header("If-Match", tag),
                    None => r,
                }
            })
            .await
        }
    };
    let first = put(Some("\"0\""), "present").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.header("etag"), "\"1\"");
    put(Some("\"0\""), "absent")
        .await
        .assert_problem(412, "precondition_failed");
    let same = put(Some("\"1\""), "present").await;
    assert_eq!(
        same.header("etag"),
        "\"1\"",
        "an identical sheet keeps its version"
    );
    assert_eq!(
        app.get_as(&admin, &path).await.json()[0]["status"],
        "present"
    );

    // The session stays held on its day: not planned again for later, not moved.
    let session_path = format!("/api/v1/training-sessions/{held}");
    app.patch_as(
        &admin,
        &session_path,
        json!({"status": "planned", "date": "2099-01-01"}),
        None,
    )
    .await
    .assert_problem(409, "session_has_attendance");
    let moved = app
        .patch_as(&admin, &session_path, json!({"date": "2026-06-02"}), None)
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let enrolment = app
        .get_as(&admin, &format!("/api/v1/enrollments/{}", enrolments[0]))
        .await
        .json();
    assert_eq!(enrolment["attended_days"], 1);

    // An enrolment with attendance is withdrawn, not deleted.
    app.write_as(
        reqwest::Method::DELETE,
        &admin,
        &format!("/api/v1/enrollments/{}", enrolments[0]),
        None,
        None,
    )
    .await
    .assert_problem(409, "enrollment_has_records");
    // A module keeps the days its sessions sit.
    session(&app, &admin, M3, 2, "2027-06-03", "planned").await;
    app.patch_as(
        &admin,
        &format!("/api/v1/modules/{M3}"),
        json!({"planned_days": 1, "days": [{"day_number": 1, "topic": {"en": "Only"}}]}),
        None,
    )
    .await
    .assert_problem(409, "module_day_in_use");
}

#[tokio::test]
async fn facilitators_and_partner_notes_are_for_staff_eyes() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let planned = session(&app, &admin, M1, 1, "2027-01-11", "planned").await;
    let path = format!("/api/v1/training-sessions/{planned}");
    let staff_view = app.get_as(&admin, &path).await;
    assert_eq!(staff_view.json()["facilitators"], json!(["Test Trainer"]));
    assert_eq!(staff_view.header("cache-control"), "no-store");
    let viewer = app.token_for(&admin, "viewer").await;
    let client = app.client_token(&admin, &["training:read"], None).await;
    for token in [&viewer, &client] {
        let seen = app.get_as(token, &path).await;
        assert_eq!(seen.status, 200, "{}", seen.text);
        assert!(seen.json().get("facilitators").is_none());
        assert!(!seen.text.contains("Test Trainer"));
    }
    let partner = app
        .post_json(
            Some(&admin),
            "/api/v1/partners",
            json!({"name": "Noted Partner", "kind": "ngo", "contact_email": "mariama@noted.example",
                "notes": "Mariama leads their women's group."}),
        )
        .await;
    assert_eq!(partner.status, 201, "{}", partner.text);
    let home = app.create_association(&admin, "Curious Members").await;
    let member = app.association_user_token(&admin, &home).await;
    let seen = app.get_as(&member, partner.header("location")).await;
    assert_eq!(seen.status, 200);
    assert!(!seen.text.contains("Mariama") && !seen.text.contains("mariama"));
}

#[tokio::test]
async fn a_deleted_associations_lines_leave_the_sheet_with_a_new_version() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (gone, people, _) = enrolled_pair(&app, &admin, "Leaving Soon", M3).await;
    let held = session(&app, &admin, M3, 1, "2026-07-01", "held").await;
    let path = format!("/api/v1/training-sessions/{held}/attendance");
    let sheet = json!([{"person_id": people[0], "status": "present"}]);
    assert_eq!(
        take_attendance(&app, &admin, &held, sheet).await.status,
        200
    );
    let before = app.get_as(&admin, &path).await;
    assert_eq!(before.header("etag"), "\"1\"");
    let deleted = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/associations/{gone}"),
            None,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let after = app.get_as(&admin, &path).await;
    assert_eq!(after.json(), json!([]));
    assert_eq!(after.header("etag"), "\"2\"", "a cached sheet is stale");
    // Nothing of the session's attendance is left to protect: it may go.
    let removed = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/training-sessions/{held}"),
            None,
            None,
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.text);
}

#[tokio::test]
async fn an_oversized_sheet_is_refused_whole() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let held = session(&app, &admin, M3, 1, "2026-08-03", "held").await;
    let lines: Vec<_> = (0..501)
        .map(|_| json!({"person_id": uuid::Uuid::now_v7(), "status": "present"}))
        .collect();
    let refused = take_attendance(&app, &admin, &held, json!(lines))
        .await
        .assert_problem(422, "validation_failed");
    assert!(
        refused["errors"][0]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("500")
    );
}
