//! Results-framework races: one period closed by many, a result deleted while results are
//! added under it, one code taken by many.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_closings_of_one_period_close_it_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = app
        .post_json(
            Some(&admin),
            "/api/v1/reporting-periods",
            json!({"name": "Race", "start_on": "2026-01-01", "end_on": "2026-12-31"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/reporting-periods/{id}/close");
    let shots = (0..N)
        .map(|_| Shot::new(Method::POST, &path, Some(&admin)))
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 200, &[(409, "period_closed")]);
    let period = get_ok(&app, &admin, &format!("/api/v1/reporting-periods/{id}")).await;
    assert_eq!(period["version"], 2, "closed once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_result_deleted_while_results_are_added_under_it_leaves_none_orphaned() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let so1 = "019ac100-0000-7000-8000-000000000002";
    let created = app
        .post_json(
            Some(&admin),
            "/api/v1/results",
            json!({"code": "R1.8", "level": "output", "title": {"en": "Race"}, "parent_id": so1}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let parent = created.json()["id"].as_str().expect("id").to_owned();
    // An output cannot hold outputs: the children are indicators.
    let shots = (0..N)
        .map(|i| {
            if i % 2 == 0 {
                Shot::new(
                    Method::DELETE,
                    &format!("/api/v1/results/{parent}"),
                    Some(&admin),
                )
            } else {
                Shot::new(Method::POST, "/api/v1/indicators", Some(&admin)).json(json!({
                    "code": format!("RACE.{i}"), "result_id": parent, "name": {"en": "Race"},
                    "definition": "Race.", "unit": "count", "source": "manual"}))
            }
        })
        .collect();
    let replies = fire(&app, shots).await;
    assert!(
        replies.iter().all(|r| r.status < 500),
        "{:?}",
        statuses(&replies)
    );
    let deleted = app
        .get_as(&admin, &format!("/api/v1/results/{parent}"))
        .await
        .status
        == 404;
    let under = get_ok(
        &app,
        &admin,
        &format!("/api/v1/indicators?result_id={parent}"),
    )
    .await;
    let live = under["items"].as_array().map_or(0, Vec::len);
    let added = replies.iter().filter(|r| r.status == 201).count();
    if deleted {
        assert_eq!(live, 0, "deleted with indicators under it");
        assert_eq!(added, 0, "an indicator was added to a deleted result");
    } else {
        assert_eq!(live, added);
        assert!(added > 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_code_taken_by_many_is_taken_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let shots = (0..N)
        .map(|_| {
            Shot::new(Method::POST, "/api/v1/results", Some(&admin)).json(json!({
                "code": "R9", "level": "output", "title": {"en": "Race"}}))
        })
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 201, &[(409, "conflict")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_patches_of_one_indicator_version_have_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = crate::results::seeded(crate::results::ids::TRAINING_DAYS);
    patch_race(
        &app,
        &admin,
        "indicator",
        &format!("/api/v1/indicators/{id}"),
        "definition",
        |i| json!(format!("Held days, version {i}.")),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_reopenings_of_one_period_reopen_it_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = app
        .post_json(
            Some(&admin),
            "/api/v1/reporting-periods",
            json!({"name": "Reopen race", "start_on": "2026-01-01", "end_on": "2026-03-31"}),
        )
        .await;
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/reporting-periods/{id}");
    let closed = app
        .write_as(Method::POST, &admin, &format!("{path}/close"), None, None)
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    let shots = (0..N)
        .map(|_| Shot::new(Method::POST, &format!("{path}/reopen"), Some(&admin)))
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 200, &[(409, "period_open")]);
    assert_eq!(
        get_ok(&app, &admin, &path).await["version"],
        3,
        "closed, reopened once"
    );
}
