//! Erasure: her identity removed everywhere, every figure kept, all or nothing.

use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::{Value, json};

use super::*;
use crate::helpers::TestApp;
use crate::visibility::{add_story, story_body};

#[tokio::test]
async fn an_erasure_removes_her_identity_everywhere_and_keeps_every_figure() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let s = subject(&app, &admin).await;
    let db = app.connect().await;
    let code = app
        .get_as(&admin, &format!("/api/v1/people/{}/data-export", s.person))
        .await
        .json()["certificates"][0]["verification_code"]
        .as_str()
        .expect("a certificate")
        .to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/public/certificates/{code}"))
            .await
            .status,
        200
    );
    let before = report(&app, &admin).await;
    // A period closed before the erasure: its frozen report, byte for byte.
    let period = app
        .post_json(
            Some(&admin),
            "/api/v1/reporting-periods",
            json!({"name": "2026", "start_on": "2026-01-01", "end_on": "2026-12-31"}),
        )
        .await;
    assert_eq!(period.status, 201, "{}", period.text);
    let period = format!(
        "/api/v1/reporting-periods/{}",
        period.json()["id"].as_str().expect("id")
    );
    let closed = app
        .write_as(
            reqwest::Method::POST,
            &admin,
            &format!("{period}/close"),
            None,
            Some("\"1\""),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    let frozen = app.get_as(&admin, &format!("{period}/report")).await.text;
    let files_before = std::fs::read_dir(app.db().files_dir())
        .expect("files")
        .count();
    for needle in [LAST, EMAIL, PHONE] {
        assert!(!holding(&db, needle).await.is_empty(), "{needle} is stored");
    }
    let seq_before = feed(&app, &admin).await.len();

    let reply = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/people/{}/erasure", s.person),
            json!({"reason": "Art. 17 request of 2026-11-20 (ticket 4521)"}),
        )
        .await;
    assert_eq!(reply.status, 200, "erasure: {}", reply.text);
    let erasure = reply.json();
    assert_eq!(erasure["extent"], "whole");

    // Every figure as it was.
    assert_eq!(report(&app, &admin).await, before);
    assert_eq!(
        app.get_as(&admin, &format!("{period}/report")).await.text,
        frozen
    );
    // No personal value left anywhere in the database; her file gone from disk.
    for needle in [FIRST, LAST, EMAIL, PHONE, "zainaba.png"] {
        assert_eq!(holding(&db, needle).await, Vec::<String>::new(), "{needle}");
    }
    assert_eq!(
        std::fs::read_dir(app.db().files_dir())
            .expect("files")
            .count(),
        files_before - 1,
        "her photo is removed from disk"
    );
    // The other person named in the story keeps her name and her place in it.
    assert!(!holding(&db, OTHER_LAST).await.is_empty());
    let story = app
        .get_as(
            &admin,
            &format!("/api/v1/deliverables/{}/stories/{}", s.brief, s.story),
        )
        .await;
    assert_eq!(story.status, 200, "{}", story.text);
    let story = story.json();
    assert_eq!(story["person_ids"], json!([s.other]));
    assert!(
        story["body"]["fr"]
            .as_str()
            .is_some_and(|b| b.contains(OTHER_LAST) && b.contains("[erased]"))
    );
    let history = app
        .get_as(
            &admin,
            &format!("/api/v1/deliverables/{}/transitions", s.brief),
        )
        .await;
    assert!(history.text.contains("was erased"), "{}", history.text);
    // The feed tells partners what to erase, without values.
    let changes = feed(&app, &admin).await;
    let erased: Vec<(String, String)> = changes[seq_before..]
        .iter()
        .filter(|c| c["op"] == "erase")
        .map(|c| {
            (
                c["type"].as_str().expect("type").to_owned(),
                c["id"].as_str().expect("id").to_owned(),
            )
        })
        .collect();
    for expected in [
        ("person", &s.person),
        ("restitution", &s.restitution),
        ("deliverable_story", &s.story),
    ] {
        assert!(
            erased.contains(&(expected.0.to_owned(), expected.1.clone())),
            "{expected:?} in {erased:?}"
        );
    }
    assert!(erased.iter().any(|(t, _)| t == "restitution_evidence"));
    assert!(
        !serde_json::to_string(&changes)
            .expect("json")
            .contains(LAST)
    );
    // She reads as erased to every role; nothing more happens to her.
    let read = app
        .get_as(&admin, &format!("/api/v1/people/{}", s.person))
        .await;
    assert_eq!(read.status, 200);
    let read = read.json();
    assert_eq!(
        (read["first_name"].as_str(), read["last_name"].as_str()),
        (Some("Erased"), Some("person"))
    );
    assert!(read["erased_at"].is_string() && read.get("email").is_none());
    let viewer = app.token_for(&admin, "viewer").await;
    let read = app
        .get_as(&viewer, &format!("/api/v1/people/{}", s.person))
        .await;
    assert_eq!(read.json()["first_name"], "Erased");
    app.patch_as(
        &admin,
        &format!("/api/v1/people/{}", s.person),
        json!({"first_name": "Back"}),
        None,
    )
    .await
    .assert_problem(409, "person_erased");
    app.post_json(
        Some(&admin),
        &format!("/api/v1/people/{}/erasure", s.person),
        json!({"reason": "again"}),
    )
    .await
    .assert_problem(409, "person_erased");
    app.post_json(
        Some(&admin),
        "/api/v1/enrollments",
        json!({"person_id": s.person, "module_id": crate::training::M1}),
    )
    .await
    .assert_problem(409, "person_erased");
    app.post_json(
        Some(&admin),
        &format!("/api/v1/people/{}/consents", s.person),
        json!({"purpose": "publication", "granted": true, "text_version": "2026-10"}),
    )
    .await
    .assert_problem(409, "person_erased");
    let facilitating =
        crate::restitutions::create(&app, &admin, crate::restitutions::plan(&s.trained)).await;
    assert_eq!(facilitating.status, 422, "{}", facilitating.text);
    assert!(facilitating.text.contains("/facilitator_ids/0"));
    let named_again = add_story(
        &app,
        &admin,
        &s.brief,
        story_body(&s.trained.association, &[&s.person]),
    )
    .await;
    assert_eq!(named_again.status, 422, "{}", named_again.text);
    assert!(named_again.text.contains("/person_ids/0"));
    // Her certificate no longer verifies.
    assert_eq!(
        app.get(&format!("/api/v1/public/certificates/{code}"))
            .await
            .status,
        404
    );
    // Audited with no value; the reason is kept with the erasure.
    let audit = app
        .get_as(&admin, "/api/v1/audit-log?action=person.erased&limit=10")
        .await;
    assert!(audit.text.contains(&s.person), "{}", audit.text);
    let export = app
        .get_as(&admin, &format!("/api/v1/people/{}/data-export", s.person))
        .await
        .json();
    assert_eq!(
        export["erasures"][0]["reason"],
        "Art. 17 request of 2026-11-20 (ticket 4521)"
    );
    assert_eq!(export["certificates"], json!([]));
}

/// A failure in the middle of an erasure (here the last insert, once every record is changed)
/// leaves everything as it was: the person, the feed, her file on disk.
#[tokio::test]
async fn an_erasure_that_fails_half_way_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let s = subject(&app, &admin).await;
    let db = app.connect().await;
    let crash = if db.get_database_backend() == DbBackend::Postgres {
        vec![
            "CREATE FUNCTION crash() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'crash'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER crash BEFORE INSERT ON person_erasures FOR EACH ROW EXECUTE FUNCTION crash()",
        ]
    } else {
        vec![
            "CREATE TRIGGER crash BEFORE INSERT ON person_erasures BEGIN SELECT RAISE(ABORT, 'crash'); END",
        ]
    };
    for sql in crash {
        db.execute_unprepared(sql).await.expect("trigger");
    }
    let seq_before = feed(&app, &admin).await.len();
    let files_before = std::fs::read_dir(app.db().files_dir())
        .expect("files")
        .count();
    let reply = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/people/{}/erasure", s.person),
            json!({"reason": "Art. 17 request"}),
        )
        .await;
    assert_eq!(reply.status, 500, "{}", reply.text);
    assert!(
        !reply.text.contains("crash"),
        "no internals: {}",
        reply.text
    );
    for needle in [FIRST, LAST, EMAIL, PHONE, "zainaba.png"] {
        assert!(!holding(&db, needle).await.is_empty(), "{needle} kept");
    }
    assert_eq!(feed(&app, &admin).await.len(), seq_before);
    assert_eq!(
        std::fs::read_dir(app.db().files_dir())
            .expect("files")
            .count(),
        files_before
    );
    let person = app
        .get_as(&admin, &format!("/api/v1/people/{}", s.person))
        .await
        .json();
    assert_eq!(person["last_name"], LAST);
    assert!(person.get("erased_at").is_none());
}

/// A story names two people and only one consented to its publication: it stays private. Erasing
/// the one who did not consent would leave it publishable, so it is removed instead (an `erase`,
/// then a tombstone), and the deliverable's history says so.
#[tokio::test]
async fn a_story_held_back_by_the_erased_persons_missing_consent_is_removed() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let s = subject(&app, &admin).await;
    let seq_before = feed(&app, &admin).await.len();
    let reply = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/people/{}/erasure", s.other),
            json!({"reason": "Art. 17 request (ticket 4522)"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let story = app
        .get_as(
            &admin,
            &format!("/api/v1/deliverables/{}/stories/{}", s.brief, s.story),
        )
        .await;
    assert_eq!(story.status, 404, "{}", story.text);
    let ops: Vec<Value> = feed(&app, &admin).await[seq_before..]
        .iter()
        .filter(|c| c["id"] == json!(s.story))
        .map(|c| c["op"].clone())
        .collect();
    assert_eq!(ops, [json!("erase"), json!("delete")]);
    let history = app
        .get_as(
            &admin,
            &format!("/api/v1/deliverables/{}/transitions", s.brief),
        )
        .await;
    assert!(
        history
            .text
            .contains("had not consented to its publication"),
        "{}",
        history.text
    );
    let db = app.connect().await;
    assert_eq!(holding(&db, OTHER_LAST).await, Vec::<String>::new());
    // A reason must not keep what the erasure removes.
    app.post_json(
        Some(&admin),
        &format!("/api/v1/people/{}/erasure", s.person),
        json!({"reason": format!("Request from {FIRST} by email")}),
    )
    .await
    .assert_problem(422, "validation_failed");
}

/// A reason that breaks its rule, or a body with another field, is refused as a problem naming
/// the field, and nothing is erased.
#[tokio::test]
async fn a_bad_erasure_request_is_refused_and_erases_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let s = subject(&app, &admin).await;
    let path = format!("/api/v1/people/{}/erasure", s.person);
    for (body, status, pointer) in [
        (json!({"reason": "   "}), 422, "/reason"),
        (json!({"reason": "line\u{0}break"}), 422, "/reason"),
        (json!({"reason": "x".repeat(501)}), 422, "/reason"),
        (json!({}), 422, "/reason"),
        (json!({"reason": "ok", "force": true}), 400, "/force"),
    ] {
        let reply = app.post_json(Some(&admin), &path, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.text);
        assert_eq!(reply.header("content-type"), "application/problem+json");
        assert!(reply.text.contains(pointer), "{body}: {}", reply.text);
    }
    let unknown = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/people/{}/erasure", uuid::Uuid::now_v7()),
            json!({"reason": "Art. 17 request"}),
        )
        .await;
    unknown.assert_problem(404, "not_found");
    let person = app
        .get_as(&admin, &format!("/api/v1/people/{}", s.person))
        .await
        .json();
    assert_eq!(person["last_name"], LAST);
    assert!(person.get("erased_at").is_none());
}
