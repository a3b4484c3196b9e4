//! The parts of deliverables: stories of briefs, months of calendars, dissemination records;
//! and who reads and proposes what (an association's users, viewers, API clients).

use serde_json::json;

use super::*;
use crate::helpers::TestApp;

#[tokio::test]
async fn stories_belong_to_briefs_and_months_to_calendars_one_entry_a_month() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let about = app.create_association(&admin, "Parts Kind").await;
    let brief = draft(&app, &admin, "brief").await;
    let calendar = draft(&app, &admin, "calendar").await;
    add_story(&app, &admin, &calendar, story_body(&about, &[]))
        .await
        .assert_problem(409, "wrong_deliverable_kind");
    add_entry(&app, &admin, &brief, entry_body(1, &about))
        .await
        .assert_problem(409, "wrong_deliverable_kind");
    let march = add_entry(&app, &admin, &calendar, entry_body(3, &about)).await;
    assert_eq!(march.status, 201, "{}", march.text);
    add_entry(&app, &admin, &calendar, entry_body(3, &about))
        .await
        .assert_problem(409, "month_taken");
    let april = id(&add_entry(&app, &admin, &calendar, entry_body(4, &about)).await);
    let path = format!("/api/v1/deliverables/{calendar}/calendar-entries/{april}");
    app.patch_as(&admin, &path, json!({"month": 3}), None)
        .await
        .assert_problem(409, "month_taken");
    app.write_as(
        reqwest::Method::DELETE,
        &admin,
        &format!(
            "/api/v1/deliverables/{calendar}/calendar-entries/{}",
            id(&march)
        ),
        None,
        None,
    )
    .await;
    let moved = app.patch_as(&admin, &path, json!({"month": 3}), None).await;
    assert_eq!(moved.status, 200, "a freed month is free: {}", moved.text);
    for month in [0, 13] {
        let problem = add_entry(&app, &admin, &calendar, entry_body(month, &about))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["pointer"], "/month");
    }
    let listed = app
        .get_as(
            &admin,
            &format!("/api/v1/deliverables/{calendar}/calendar-entries"),
        )
        .await
        .json();
    assert_eq!(listed["items"][0]["month"], 3);
    // An entry is found under its own calendar only.
    app.get_as(
        &admin,
        &format!("/api/v1/deliverables/{brief}/calendar-entries/{april}"),
    )
    .await
    .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_story_names_people_of_its_association_and_a_known_country() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let about = app.create_association(&admin, "Parts People").await;
    let elsewhere = app.create_association(&admin, "Parts Elsewhere").await;
    let stranger = person(&app, &admin, &elsewhere, Some(true)).await;
    let brief = draft(&app, &admin, "brief").await;
    let mut body = story_body(&about, &[&stranger]);
    body["country"] = json!("XX");
    body["image_url"] = json!("javascript:alert(1)");
    let problem = add_story(&app, &admin, &brief, body)
        .await
        .assert_problem(422, "validation_failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/image_url"]);
    let mut body = story_body(&about, &[&stranger]);
    body["country"] = json!("XX");
    let problem = add_story(&app, &admin, &brief, body)
        .await
        .assert_problem(422, "validation_failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/country", "/person_ids/0"]);
    let listed = app
        .get_as(&admin, &format!("/api/v1/deliverables/{brief}/stories"))
        .await
        .json();
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(0),
        "nothing written"
    );
}

#[tokio::test]
async fn an_associations_users_propose_stories_about_it_and_read_what_features_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let own = app.create_association(&admin, "Proposing Own").await;
    let other = app.create_association(&admin, "Proposing Other").await;
    let member = app.association_user_token(&admin, &own).await;
    let brief = draft(&app, &admin, "brief").await;
    let hidden = draft(&app, &admin, "other").await;
    // A draft brief is open to proposals; another draft is not theirs to see.
    // Its history is not theirs until the brief features them.
    app.get_as(
        &member,
        &format!("/api/v1/deliverables/{brief}/transitions"),
    )
    .await
    .assert_problem(404, "not_found");
    let listed = app.get_as(&member, "/api/v1/deliverables").await.json();
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|d| d["id"].as_str())
        .collect();
    assert_eq!(ids, [brief.as_str()]);
    app.get_as(&member, &format!("/api/v1/deliverables/{hidden}"))
        .await
        .assert_problem(404, "not_found");
    let theirs = add_story(&app, &admin, &brief, story_body(&other, &[])).await;
    let theirs = id(&theirs);
    let proposed = add_story(&app, &member, &brief, story_body(&own, &[])).await;
    assert_eq!(proposed.status, 201, "{}", proposed.text);
    let mine = id(&proposed);
    add_story(&app, &member, &brief, story_body(&other, &[]))
        .await
        .assert_problem(404, "not_found");
    // They see their own story only, and edit it while the brief is a draft.
    let stories = app
        .get_as(&member, &format!("/api/v1/deliverables/{brief}/stories"))
        .await
        .json();
    let ids: Vec<&str> = stories["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(ids, [mine.as_str()]);
    app.get_as(
        &member,
        &format!("/api/v1/deliverables/{brief}/stories/{theirs}"),
    )
    .await
    .assert_problem(404, "not_found");
    app.patch_as(
        &member,
        &format!("/api/v1/deliverables/{brief}/stories/{theirs}"),
        json!({"quote": "Taken"}),
        None,
    )
    .await
    .assert_problem(404, "not_found");
    let edited = app
        .patch_as(
            &member,
            &format!("/api/v1/deliverables/{brief}/stories/{mine}"),
            json!({"quote": "Ours"}),
            None,
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(edited.json()["proposed"], true);
    // A story staff wrote about them is theirs to read, not to change (403 before If-Match).
    let by_staff = id(&add_story(&app, &admin, &brief, story_body(&own, &[])).await);
    let path = format!("/api/v1/deliverables/{brief}/stories/{by_staff}");
    let read = app.get_as(&member, &path).await;
    assert_eq!(read.json()["proposed"], false, "{}", read.text);
    app.patch_as(&member, &path, json!({"quote": "Ours now"}), Some("\"9\""))
        .await
        .assert_problem(403, "story_reserved");
    app.write_as(reqwest::Method::DELETE, &member, &path, None, None)
        .await
        .assert_problem(403, "story_reserved");
    let history = app
        .get_as(
            &member,
            &format!("/api/v1/deliverables/{brief}/transitions"),
        )
        .await;
    assert_eq!(history.status, 200, "featured now: {}", history.text);
    // Once in review, the brief still features them (their story), read only.
    transition(&app, &admin, &brief, "in_review", None).await;
    let read = app
        .get_as(&member, &format!("/api/v1/deliverables/{brief}"))
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    add_story(&app, &member, &brief, story_body(&own, &[]))
        .await
        .assert_problem(409, "deliverable_not_editable");
    app.write_as(
        reqwest::Method::DELETE,
        &member,
        &format!("/api/v1/deliverables/{brief}/stories/{mine}"),
        None,
        None,
    )
    .await
    .assert_problem(409, "deliverable_not_editable");
    // A deliverable that features them by its list is theirs to read too.
    let mut featuring = body("repertoire");
    featuring["featured_association_ids"] = json!([other, own]);
    let featuring = id(&create(&app, &admin, featuring).await);
    let read = app
        .get_as(&member, &format!("/api/v1/deliverables/{featuring}"))
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(
        read.json()["featured_association_ids"],
        json!([own]),
        "the other associations featured are not theirs to see"
    );
}

#[tokio::test]
async fn clients_read_published_deliverables_and_viewers_read_all_without_writing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let viewer = app.token_for(&admin, "viewer").await;
    let client = app.client_token(&admin, &["publications:read"], None).await;
    let unscoped = app.client_token(&admin, &["associations:read"], None).await;
    let hidden = draft(&app, &admin, "brief").await;
    let published = published_other(&app, &admin).await;
    let listed = app.get_as(&client, "/api/v1/deliverables").await.json();
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|d| d["id"].as_str())
        .collect();
    assert_eq!(ids, [published.as_str()]);
    app.get_as(&client, &format!("/api/v1/deliverables/{hidden}"))
        .await
        .assert_problem(404, "not_found");
    app.get_as(&unscoped, "/api/v1/deliverables")
        .await
        .assert_problem(403, "forbidden");
    let all = app
        .get_as(&viewer, "/api/v1/deliverables?include_total=true")
        .await
        .json();
    assert_eq!(all["total"], 2);
    let filtered = app
        .get_as(&viewer, "/api/v1/deliverables?status=published&kind=other")
        .await
        .json();
    assert_eq!(filtered["items"].as_array().map(Vec::len), Some(1));
    app.get_as(&viewer, "/api/v1/deliverables?year=1999")
        .await
        .assert_problem(400, "invalid_parameter");
    app.patch_as(
        &viewer,
        &format!("/api/v1/deliverables/{hidden}"),
        json!({"planned_on": "2027-01-01"}),
        None,
    )
    .await
    .assert_problem(403, "forbidden");
    // Clients read published stories only while their association and people consent.
    let about = association(&app, &admin, "Client Consent", &["name"]).await;
    let brief = published_brief(&app, &admin, &about, &[]).await;
    let stories = format!("/api/v1/deliverables/{brief}/stories");
    let listed = app.get_as(&client, &stories).await.json();
    let story = listed["items"][0]["id"]
        .as_str()
        .expect("a story")
        .to_owned();
    set_consent(&app, &admin, &about, &[]).await;
    let listed = app.get_as(&client, &stories).await.json();
    assert_eq!(listed["items"], json!([]), "consent withdrawn: gone");
    app.get_as(&client, &format!("{stories}/{story}"))
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        app.get_as(&viewer, &format!("{stories}/{story}"))
            .await
            .status,
        200,
        "staff and viewers still read it"
    );
}

#[tokio::test]
async fn the_month_of_a_deleted_associations_entry_is_free_again() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let leaving = app.create_association(&admin, "Parts Leaving").await;
    let staying = app.create_association(&admin, "Parts Staying").await;
    let calendar = draft(&app, &admin, "calendar").await;
    let first = add_entry(&app, &admin, &calendar, entry_body(5, &leaving)).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let deleted = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/associations/{leaving}"),
            None,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let again = add_entry(&app, &admin, &calendar, entry_body(5, &staying)).await;
    assert_eq!(
        again.status, 201,
        "the month went with the association: {}",
        again.text
    );
}

#[tokio::test]
async fn disseminations_are_recorded_for_published_deliverables() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let drafted = draft(&app, &admin, "other").await;
    let record = json!({"date": "2027-03-08", "channel": "social_media", "audience": "Followers",
        "copies": 0, "reach": 1200});
    app.post_json(
        Some(&admin),
        &format!("/api/v1/deliverables/{drafted}/disseminations"),
        record.clone(),
    )
    .await
    .assert_problem(409, "deliverable_not_published");
    let published = published_other(&app, &admin).await;
    let path = format!("/api/v1/deliverables/{published}/disseminations");
    let created = app.post_json(Some(&admin), &path, record).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json()["reach"], 1200);
    let bad = json!({"date": "0999-01-01", "channel": "print", "audience": " ", "copies": -1,
        "reach": 100_000_001});
    let problem = app
        .post_json(Some(&admin), &path, bad)
        .await
        .assert_problem(422, "validation_failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/date", "/audience", "/copies", "/reach"]);
    let unknown = json!({"date": "2027-03-08", "channel": "carrier_pigeon", "audience": "x"});
    app.post_json(Some(&admin), &path, unknown)
        .await
        .assert_problem(422, "validation_failed");
    // Archived deliverables keep their records and take new ones.
    transition(&app, &admin, &published, "archived", None).await;
    let later = app
        .post_json(
            Some(&admin),
            &path,
            json!({"date": "2027-06-01", "channel": "print", "audience": "Library", "copies": 3}),
        )
        .await;
    assert_eq!(later.status, 201, "{}", later.text);
    let listed = app.get_as(&admin, &path).await.json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn deleting_a_draft_takes_its_parts_with_it_into_the_feed() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let about = app.create_association(&admin, "Parts Delete").await;
    let brief = draft(&app, &admin, "brief").await;
    let story = id(&add_story(&app, &admin, &brief, story_body(&about, &[])).await);
    let deleted = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/deliverables/{brief}"),
            None,
            Some("\"1\""),
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    app.get_as(
        &admin,
        &format!("/api/v1/deliverables/{brief}/stories/{story}"),
    )
    .await
    .assert_problem(404, "not_found");
    let feed = app
        .get_as(
            &admin,
            "/api/v1/changes?limit=200&types=deliverable,deliverable_story",
        )
        .await
        .json();
    let ops: Vec<(String, String)> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap_or_default().to_owned(),
                c["op"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("deliverable".to_owned(), "upsert".to_owned()),
            ("deliverable_story".to_owned(), "upsert".to_owned()),
            ("deliverable_story".to_owned(), "delete".to_owned()),
            ("deliverable".to_owned(), "delete".to_owned()),
        ]
    );
}
