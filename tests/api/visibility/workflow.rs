//! The workflow of a deliverable: its legal and illegal moves, who may make them, the history,
//! what is read only when, and each publishing check with its code.

use serde_json::json;

use super::*;
use crate::helpers::TestApp;

fn codes(reply: &Reply) -> Vec<String> {
    reply.json()["allowed"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_deliverable_moves_from_draft_to_archived_and_every_move_is_recorded() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = draft(&app, &admin, "other").await;
    let created = app
        .get_as(&admin, &format!("/api/v1/deliverables/{id}"))
        .await
        .json();
    assert_eq!(created["status"], "draft");
    assert!(created["published_on"].is_null());

    let submitted = transition(&app, &admin, &id, "in_review", None).await;
    assert_eq!(submitted.status, 201, "{}", submitted.text);
    assert_eq!(submitted.header("etag"), "\"2\"");
    let changes = transition(&app, &admin, &id, "draft", Some("Add the Dutch summary")).await;
    assert_eq!(changes.status, 201, "{}", changes.text);
    publish(&app, &admin, &id).await;
    let published = app
        .get_as(&admin, &format!("/api/v1/deliverables/{id}"))
        .await
        .json();
    assert_eq!(published["status"], "published");
    assert!(
        published["published_on"]
            .as_str()
            .is_some_and(|d| d.len() == 10),
        "publishing sets the day: {published}"
    );
    let archived = transition(&app, &admin, &id, "archived", None).await;
    assert_eq!(archived.status, 201, "{}", archived.text);
    assert!(archived.header("location").contains("/transitions/"));

    let history = app
        .get_as(&admin, &format!("/api/v1/deliverables/{id}/transitions"))
        .await
        .json();
    let moves: Vec<(String, String)> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| {
            (
                m["from"].as_str().unwrap_or_default().into(),
                m["to"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    let expected = [
        ("draft", "in_review"),
        ("in_review", "draft"),
        ("draft", "in_review"),
        ("in_review", "approved"),
        ("approved", "published"),
        ("published", "archived"),
    ];
    assert_eq!(
        moves,
        expected.map(|(f, t)| (f.to_owned(), t.to_owned())).to_vec()
    );
    assert_eq!(history["items"][1]["comment"], "Add the Dutch summary");
    assert_eq!(history["items"][1]["actor_type"], "user");
    let one = &history["items"][1]["id"];
    let read = app
        .get_as(
            &admin,
            &format!(
                "/api/v1/deliverables/{id}/transitions/{}",
                one.as_str().expect("id")
            ),
        )
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), history["items"][1]);
    // An archived deliverable is final.
    let after = transition(&app, &admin, &id, "published", None).await;
    after.assert_problem(409, "illegal_transition");
    assert!(codes(&after).is_empty());
}

#[tokio::test]
async fn illegal_moves_are_409_with_the_allowed_ones_and_write_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = draft(&app, &admin, "other").await;
    for to in ["approved", "published", "archived", "draft"] {
        let reply = transition(&app, &admin, &id, to, None).await;
        reply.assert_problem(409, "illegal_transition");
        assert_eq!(codes(&reply), ["in_review"], "from draft to {to}");
    }
    transition(&app, &admin, &id, "in_review", None).await;
    let reply = transition(&app, &admin, &id, "published", None).await;
    reply.assert_problem(409, "illegal_transition");
    assert_eq!(codes(&reply), ["approved", "draft"]);
    // Requesting changes needs a comment.
    let bare = transition(&app, &admin, &id, "draft", None).await;
    let problem = bare.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["pointer"], "/comment");
    let read = app
        .get_as(&admin, &format!("/api/v1/deliverables/{id}"))
        .await
        .json();
    assert_eq!(read["status"], "in_review");
    assert_eq!(read["version"], 2, "nothing written by the refusals");
    // A stale If-Match is 412.
    let stale = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/deliverables/{id}/transitions"),
            |r| {
                r.bearer_auth(&admin)
                    .header("If-Match", "\"1\"")
                    .json(&json!({"to": "approved"}))
            },
        )
        .await;
    stale.assert_problem(412, "precondition_failed");
}

#[tokio::test]
async fn only_programme_staff_manage_and_move_deliverables() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let staff = app.token_for(&admin, "staff").await;
    let viewer = app.token_for(&admin, "viewer").await;
    let home = app.create_association(&admin, "Workflow Member").await;
    let member = app.association_user_token(&admin, &home).await;
    let client = app.client_token(&admin, &["publications:read"], None).await;
    let by_staff = create(&app, &staff, body("other")).await;
    assert_eq!(by_staff.status, 201, "{}", by_staff.text);
    let id = id(&by_staff);
    for token in [&viewer, &member, &client] {
        create(&app, token, body("brief"))
            .await
            .assert_problem(403, "forbidden");
        transition(&app, token, &id, "in_review", None)
            .await
            .assert_problem(403, "forbidden");
    }
    // Staff approve and publish.
    publish(&app, &staff, &id).await;
}

#[tokio::test]
async fn content_is_read_only_once_submitted_and_published_items_only_archive() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let about = app.create_association(&admin, "Read Only").await;
    let id = draft(&app, &admin, "brief").await;
    let story = add_story(&app, &admin, &id, story_body(&about, &[])).await;
    let story = super::id(&story);
    transition(&app, &admin, &id, "in_review", None).await;
    let path = format!("/api/v1/deliverables/{id}");
    for state in ["in_review", "published"] {
        app.patch_as(&admin, &path, json!({"planned_on": "2027-01-01"}), None)
            .await
            .assert_problem(409, "deliverable_not_editable");
        app.patch_as(
            &admin,
            &format!("{path}/stories/{story}"),
            json!({"quote": "New"}),
            None,
        )
        .await
        .assert_problem(409, "deliverable_not_editable");
        add_story(&app, &admin, &id, story_body(&about, &[]))
            .await
            .assert_problem(409, "deliverable_not_editable");
        app.write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("{path}/stories/{story}"),
            None,
            None,
        )
        .await
        .assert_problem(409, "deliverable_not_editable");
        app.write_as(reqwest::Method::DELETE, &admin, &path, None, None)
            .await
            .assert_problem(409, "deliverable_not_editable");
        if state == "in_review" {
            // The association consents, so the brief can be published.
            set_consent(&app, &admin, &about, &["name"]).await;
            transition(&app, &admin, &id, "approved", None).await;
            let reply = transition(&app, &admin, &id, "published", None).await;
            assert_eq!(reply.status, 201, "{}", reply.text);
        }
    }
    let read = app.get_as(&admin, &path).await.json();
    assert_eq!(read["status"], "published");
    assert_eq!(read["version"], 4);
    let archived = transition(&app, &admin, &id, "archived", None).await;
    assert_eq!(archived.status, 201, "{}", archived.text);
}

#[tokio::test]
async fn a_brief_needs_a_story_and_everyone_it_names_must_consent() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let about = association(&app, &admin, "Consenting Brief", &["name"]).await;
    let id = draft(&app, &admin, "brief").await;
    approve(&app, &admin, &id).await;
    let empty = transition(&app, &admin, &id, "published", None).await;
    let problem = empty.assert_problem(422, "brief_without_stories");
    assert_eq!(problem["errors"][0]["pointer"], "/stories");

    // Back to draft, with a story naming a person who never consented.
    transition(&app, &admin, &id, "in_review", None)
        .await
        .assert_problem(409, "illegal_transition");
    let other = draft(&app, &admin, "brief").await;
    let never = person(&app, &admin, &about, None).await;
    let withdrew = person(&app, &admin, &about, Some(true)).await;
    person_consent(&app, &admin, &withdrew, false).await;
    let consents = person(&app, &admin, &about, Some(true)).await;
    let story = add_story(
        &app,
        &admin,
        &other,
        story_body(&about, &[&consents, &never, &withdrew]),
    )
    .await;
    assert_eq!(story.status, 201, "{}", story.text);
    let story = super::id(&story);
    approve(&app, &admin, &other).await;
    let refused = transition(&app, &admin, &other, "published", None).await;
    let problem = refused.assert_problem(422, "person_consent_missing");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(
        pointers,
        [
            format!("/stories/{story}/person_ids/1"),
            format!("/stories/{story}/person_ids/2")
        ]
    );
    let read = app
        .get_as(&admin, &format!("/api/v1/deliverables/{other}"))
        .await
        .json();
    assert_eq!(read["status"], "approved", "nothing written");
    // Once both consent, it publishes.
    person_consent(&app, &admin, &never, true).await;
    person_consent(&app, &admin, &withdrew, true).await;
    let published = transition(&app, &admin, &other, "published", None).await;
    assert_eq!(published.status, 201, "{}", published.text);
}

#[tokio::test]
async fn a_calendar_needs_its_twelve_months_and_one_calendar_a_year_is_published() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let featured = association(&app, &admin, "Consenting Calendar", &["name"]).await;
    let id = draft(&app, &admin, "calendar").await;
    for month in 1..=11 {
        let reply = add_entry(&app, &admin, &id, entry_body(month, &featured)).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    approve(&app, &admin, &id).await;
    let refused = transition(&app, &admin, &id, "published", None).await;
    let problem = refused.assert_problem(422, "calendar_incomplete");
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .unwrap_or_default()
            .ends_with("missing: 12"),
        "{problem}"
    );
    // A second calendar of the same year, complete, is published; the first then cannot be.
    let second = published_calendar(&app, &admin, &featured).await;
    let read = app
        .get_as(&admin, &format!("/api/v1/deliverables/{second}"))
        .await
        .json();
    assert_eq!(read["status"], "published");
    let third = draft(&app, &admin, "calendar").await;
    for month in 1..=12 {
        add_entry(&app, &admin, &third, entry_body(month, &featured)).await;
    }
    approve(&app, &admin, &third).await;
    transition(&app, &admin, &third, "published", None)
        .await
        .assert_problem(409, "calendar_year_taken");
    transition(&app, &admin, &second, "archived", None).await;
    let now = transition(&app, &admin, &third, "published", None).await;
    assert_eq!(now.status, 201, "once the other is archived: {}", now.text);
}

#[tokio::test]
async fn every_association_featured_must_have_granted_publication_consent() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let consenting = association(&app, &admin, "Featured Yes", &["name"]).await;
    let silent = association(&app, &admin, "Featured No", &[]).await;
    // Featured by the deliverable itself.
    let mut featured = body("repertoire");
    featured["featured_association_ids"] = json!([consenting, silent]);
    let repertoire = id(&create(&app, &admin, featured).await);
    approve(&app, &admin, &repertoire).await;
    let problem = transition(&app, &admin, &repertoire, "published", None)
        .await
        .assert_problem(422, "association_consent_missing");
    assert_eq!(
        problem["errors"][0]["pointer"],
        "/featured_association_ids/1"
    );
    assert_eq!(problem["errors"].as_array().map(Vec::len), Some(1));
    // By a story.
    let brief = draft(&app, &admin, "brief").await;
    let story = id(&add_story(&app, &admin, &brief, story_body(&silent, &[])).await);
    approve(&app, &admin, &brief).await;
    let problem = transition(&app, &admin, &brief, "published", None)
        .await
        .assert_problem(422, "association_consent_missing");
    assert_eq!(
        problem["errors"][0]["pointer"],
        format!("/stories/{story}/association_id")
    );
    // By a calendar entry.
    let calendar = draft(&app, &admin, "calendar").await;
    let mut silent_entry = String::new();
    for month in 1..=12 {
        let who = if month == 6 { &silent } else { &consenting };
        let entry = id(&add_entry(&app, &admin, &calendar, entry_body(month, who)).await);
        if month == 6 {
            silent_entry = entry;
        }
    }
    approve(&app, &admin, &calendar).await;
    let problem = transition(&app, &admin, &calendar, "published", None)
        .await
        .assert_problem(422, "association_consent_missing");
    assert_eq!(
        problem["errors"][0]["pointer"],
        format!("/calendar_entries/{silent_entry}/association_id")
    );
    // Consent granted: all three publish.
    set_consent(&app, &admin, &silent, &["name", "city"]).await;
    for id in [&repertoire, &brief, &calendar] {
        let reply = transition(&app, &admin, id, "published", None).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
}

#[tokio::test]
async fn deliverable_fields_are_checked_and_the_kind_is_fixed() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut calendar = body("calendar");
    calendar["year"] = json!(null);
    let problem = create(&app, &admin, calendar)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["pointer"], "/year");
    let mut bad = body("brief");
    bad["year"] = json!(2027);
    bad["document_url"] = json!("http://example.org/brief.pdf");
    bad["title"] = json!({});
    bad["featured_association_ids"] = json!([uuid::Uuid::now_v7()]);
    bad["sdgs"] = json!([5, 5]);
    let problem = create(&app, &admin, bad)
        .await
        .assert_problem(422, "validation_failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/title", "/document_url", "/sdgs/1", "/year"]);
    let mut unknown = body("brief");
    unknown["featured_association_ids"] = json!([uuid::Uuid::now_v7()]);
    let problem = create(&app, &admin, unknown)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        problem["errors"][0]["pointer"],
        "/featured_association_ids/0"
    );
    let id = draft(&app, &admin, "brief").await;
    let problem = app
        .patch_as(
            &admin,
            &format!("/api/v1/deliverables/{id}"),
            json!({"kind": "calendar"}),
            None,
        )
        .await
        .assert_problem(400, "malformed_body");
    assert_eq!(problem["errors"][0]["pointer"], "/kind");
    let nul = app
        .patch_as(
            &admin,
            &format!("/api/v1/deliverables/{id}"),
            json!({"title": {"en": "a\u{0}b"}}),
            None,
        )
        .await;
    nul.assert_problem(422, "validation_failed");
}
