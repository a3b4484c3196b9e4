//! Evidence: links and files, recognised by content, limited in size, stored under their hash,
//! downloaded with the restitution's rules, withheld where they show people, and never left
//! half-written or orphaned by a crash.

use serde_json::json;

use super::{JPEG, PDF, PNG, add_link, form, planned, trained, upload};
use crate::helpers::{TestApp, TestDb, test_settings};

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                // The installation marker is the store's own.
                .filter(|name| name != ".installation")
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn sha256(bytes: &[u8]) -> String {
    empower_domain::files::FileStore::hash(bytes)
}

#[tokio::test]
async fn a_file_is_recognised_by_content_stored_by_hash_and_downloaded_as_sent() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Uploading Sisters").await;
    let member = app.association_user_token(&admin, &t.association).await;
    let id = planned(&app, &member, &t).await;
    let dir = app.db().files_dir();

    let added = upload(&app, &member, &id, "report", "Rapport final.pdf", PDF).await;
    assert_eq!(added.status, 201, "{}", added.text);
    let item = added.json();
    assert_eq!(item["file"]["media_type"], "application/pdf");
    assert_eq!(item["file"]["size"], PDF.len());
    assert_eq!(item["file"]["name"], "Rapport_final.pdf");
    assert_eq!(item["withheld"], false);
    assert_eq!(item["url"], json!(null));
    assert!(
        added
            .header("location")
            .ends_with(item["id"].as_str().expect("id"))
    );
    assert_eq!(
        files_in(&dir),
        [sha256(PDF)],
        "stored under its hash, nothing else"
    );

    let download = item["file"]["download_url"]
        .as_str()
        .expect("url")
        .to_owned();
    let file = app
        .send(reqwest::Method::GET, &download, |r| r.bearer_auth(&member))
        .await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), "application/pdf");
    assert_eq!(file.header("x-content-type-options"), "nosniff");
    assert_eq!(file.header("cache-control"), "no-store");
    assert_eq!(
        file.header("content-disposition"),
        "attachment; filename=\"Rapport_final.pdf\""
    );
    let bytes = app
        .raw(reqwest::Method::GET, &download, |r| r.bearer_auth(&member))
        .await;
    assert_eq!(bytes, PDF);
    let etag = file.header("etag").to_owned();
    let again = app
        .send(reqwest::Method::GET, &download, |r| {
            r.bearer_auth(&member)
                .header("If-None-Match", etag.as_str())
        })
        .await;
    assert_eq!(again.status, 304);

    // The name does not decide the type: a PNG named .pdf is a PNG, a JPEG is a JPEG.
    let png = upload(&app, &member, &id, "photo", "group.pdf", PNG).await;
    assert_eq!(png.status, 201, "{}", png.text);
    assert_eq!(png.json()["file"]["media_type"], "image/png");
    assert_eq!(png.json()["file"]["name"], "group.pdf.png");
    let jpeg = upload(&app, &member, &id, "photo", "IMG_0001.JPG", JPEG).await;
    assert_eq!(jpeg.json()["file"]["media_type"], "image/jpeg");

    // Anything else is 415, too large is 413: nothing stored, nothing recorded.
    let before = files_in(&dir);
    for (name, bytes) in [
        ("report.pdf", b"<html>not a pdf</html>".to_vec()),
        ("empty.pdf", Vec::new()),
        ("anim.gif", b"GIF89a....".to_vec()),
    ] {
        upload(&app, &member, &id, "report", name, &bytes)
            .await
            .assert_problem(415, "unsupported_media_type");
    }
    let mut big = PDF.to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    upload(&app, &member, &id, "report", "big.pdf", &big)
        .await
        .assert_problem(413, "payload_too_large");
    let mut largest = PDF.to_vec();
    largest.resize(10 * 1024 * 1024, b' ');
    let fits = upload(&app, &member, &id, "report", "largest.pdf", &largest).await;
    assert_eq!(fits.status, 201, "10 MiB exactly fits: {}", fits.text);
    assert_eq!(files_in(&dir).len(), before.len() + 1);
    let list = app
        .get_as(&member, &format!("/api/v1/restitutions/{id}/evidence"))
        .await;
    assert_eq!(list.json()["items"].as_array().expect("items").len(), 4);
    assert_eq!(list.header("cache-control"), "no-store");
}

#[tokio::test]
async fn a_form_or_a_link_with_its_rules() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Form Checkers").await;
    let id = planned(&app, &admin, &t).await;
    let path = format!("/api/v1/restitutions/{id}/evidence");
    let send_form = |fields: Vec<(&'static str, &'static str)>,
                     file: Option<(&'static str, &'static [u8])>| {
        let (content_type, body) = form(&fields, file);
        let admin = admin.clone();
        let path = path.clone();
        let app = &app;
        async move {
            app.send(reqwest::Method::POST, &path, |r| {
                r.bearer_auth(admin)
                    .header("Content-Type", content_type)
                    .body(body)
            })
            .await
        }
    };
    let problem = send_form(vec![("kind", "report")], None)
        .await
        .assert_problem(422, "validation_failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/description", "/file"]);
    send_form(
        vec![("kind", "selfie"), ("description", "x")],
        Some(("a.pdf", PDF)),
    )
    .await
    .assert_problem(422, "validation_failed");
    let unknown = send_form(
        vec![("kind", "report"), ("description", "x"), ("owner", "me")],
        Some(("a.pdf", PDF)),
    )
    .await
    .assert_problem(400, "malformed_body");
    assert_eq!(unknown["errors"][0]["pointer"], "/owner");
    send_form(
        vec![("kind", "report"), ("description", "")],
        Some(("a.pdf", PDF)),
    )
    .await
    .assert_problem(422, "validation_failed");
    let twice = send_form(
        vec![("kind", "report"), ("kind", "photo"), ("description", "x")],
        Some(("a.pdf", PDF)),
    )
    .await
    .assert_problem(400, "malformed_body");
    assert_eq!(twice["errors"][0]["pointer"], "/kind");
    let long: &'static str = Box::leak("x".repeat(5000).into_boxed_str());
    let problem = send_form(
        vec![("kind", "report"), ("description", long)],
        Some(("a.pdf", PDF)),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["pointer"], "/description");

    for url in [
        "http://example.org/report.pdf",
        "javascript:alert(1)",
        "https://nohost",
    ] {
        let problem = app
            .post_json(
                Some(&admin),
                &path,
                json!({"kind": "report", "description": "x", "url": url}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["pointer"], "/url", "{url}");
    }
    app.send(reqwest::Method::POST, &path, |r| {
        r.bearer_auth(&admin)
            .header("Content-Type", "text/plain")
            .body("hello")
    })
    .await
    .assert_problem(415, "unsupported_media_type");
    assert_eq!(
        app.get_as(&admin, &path).await.json()["items"],
        json!([]),
        "nothing written"
    );

    // At most 20 items.
    for _ in 0..20 {
        assert_eq!(add_link(&app, &admin, &id).await.status, 201);
    }
    add_link(&app, &admin, &id)
        .await
        .assert_problem(409, "evidence_limit_reached");
}

#[tokio::test]
async fn photos_and_sheets_are_withheld_from_those_who_may_not_see_people() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Private Photos").await;
    let id = planned(&app, &admin, &t).await;
    let photo = upload(&app, &admin, &id, "photo", "group.jpg", JPEG)
        .await
        .json();
    let report = upload(&app, &admin, &id, "report", "report.pdf", PDF)
        .await
        .json();
    let photo_file = format!(
        "/api/v1/restitutions/{id}/evidence/{}/file",
        photo["id"].as_str().expect("id")
    );
    let report_file = report["file"]["download_url"]
        .as_str()
        .expect("url")
        .to_owned();
    let viewer = app.token_for(&admin, "viewer").await;
    let reader = app.client_token(&admin, &["restitutions:read"], None).await;
    let writer = app
        .client_token(&admin, &["restitutions:write"], Some(&t.association))
        .await;
    for token in [&viewer, &reader] {
        let item = app
            .get_as(
                token,
                &format!(
                    "/api/v1/restitutions/{id}/evidence/{}",
                    photo["id"].as_str().expect("id")
                ),
            )
            .await
            .json();
        assert_eq!(item["withheld"], true);
        assert_eq!(item["kind"], "photo", "it is known to exist");
        assert_eq!(item["file"], json!(null));
        assert_eq!(item["description"], json!(null));
        app.get_as(token, &photo_file)
            .await
            .assert_problem(403, "personal_data_withheld");
        let report = app.get_as(token, &report_file).await;
        assert_eq!(report.status, 200, "a report is not withheld");
    }
    for token in [&admin, &writer] {
        let file = app.get_as(token, &photo_file).await;
        assert_eq!(file.status, 200);
        assert_eq!(file.header("content-type"), "image/jpeg");
    }
}

#[tokio::test]
async fn a_deleted_item_takes_its_file_unless_another_names_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Tidy Files").await;
    let first = planned(&app, &admin, &t).await;
    let second = planned(&app, &admin, &t).await;
    let dir = app.db().files_dir();
    let a = upload(&app, &admin, &first, "report", "a.pdf", PDF)
        .await
        .json();
    let b = upload(&app, &admin, &second, "report", "b.pdf", PDF)
        .await
        .json();
    assert_eq!(
        files_in(&dir),
        [sha256(PDF)],
        "the same content is stored once"
    );
    let delete = |restitution: &str, item: &serde_json::Value| {
        format!(
            "/api/v1/restitutions/{restitution}/evidence/{}",
            item["id"].as_str().expect("id")
        )
    };
    let gone = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &delete(&first, &a),
            None,
            Some("\"1\""),
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    assert_eq!(
        files_in(&dir),
        [sha256(PDF)],
        "still named by the other item"
    );
    assert_eq!(app.get_as(&admin, &delete(&first, &a)).await.status, 404);
    // Deleting the restitution deletes its evidence and, with it, the file.
    let deleted = app
        .write_as(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/restitutions/{second}"),
            None,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    assert!(files_in(&dir).is_empty(), "{:?}", files_in(&dir));
    // Another restitution's item is not reachable under this one.
    let c = upload(&app, &admin, &first, "report", "c.pdf", PNG)
        .await
        .json();
    assert_eq!(app.get_as(&admin, &delete(&second, &c)).await.status, 404);
    let _ = b;
}

#[tokio::test]
async fn a_crash_between_the_file_and_its_row_leaves_neither_behind() {
    let db = TestDb::new().await;
    let settings = test_settings(&db);
    let dir = settings.files_dir.clone();
    {
        // What a crash leaves: a file written (and renamed) in a write transaction whose row
        // never committed, and a temporary file that was never renamed.
        let conn = empower_domain::db::connect(db.url())
            .await
            .expect("connect");
        empower_domain::db::migrate_up(&conn)
            .await
            .expect("migrate");
        let store = empower_domain::files::FileStore::new(&dir);
        let mut staged = store.stage(PDF).await.expect("stage");
        let tx = empower_domain::db::begin_write(&conn).await.expect("tx");
        store.place(&tx, &mut staged).await.expect("place");
        let hash = staged.hash().to_owned();
        drop(tx);
        // An upload interrupted while staging, two hours ago (a younger one may still be placed).
        let partial = dir.join("0191e4a1f0b07c3a9d2e5f6a7b8c9d0e.part");
        std::fs::write(&partial, b"%PDF-1.4 half").expect("partial");
        std::fs::File::options()
            .write(true)
            .open(&partial)
            .and_then(|f| {
                f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200))
            })
            .expect("age the partial file");
        let young = dir.join("0191e4a1f0b07c3a9d2e5f6a7b8c9d0f.part");
        std::fs::write(&young, b"%PDF-1.4 being uploaded").expect("young partial");
        std::fs::write(dir.join("README.txt"), b"not ours").expect("other");
        assert_eq!(files_in(&dir).len(), 4);
        assert!(files_in(&dir).contains(&hash));
        conn.close().await.ok();
    }
    // The server starts: the orphan and the half file are gone, other files stay, and no row
    // names a file that is not there.
    let app = TestApp::spawn_with(settings, db).await;
    assert_eq!(
        files_in(&dir),
        ["0191e4a1f0b07c3a9d2e5f6a7b8c9d0f.part", "README.txt"],
        "the orphan and the old partial file are gone; a young one may still be placed"
    );
    std::fs::remove_file(dir.join("0191e4a1f0b07c3a9d2e5f6a7b8c9d0f.part")).expect("tidy");
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "After The Crash").await;
    let id = planned(&app, &admin, &t).await;
    assert_eq!(
        app.get_as(&admin, &format!("/api/v1/restitutions/{id}/evidence"))
            .await
            .json()["items"],
        json!([])
    );
    // A committed upload survives the next start.
    assert_eq!(
        upload(&app, &admin, &id, "report", "kept.pdf", PDF)
            .await
            .status,
        201
    );
    let again = empower_api::Application::build(test_settings(app.db()))
        .await
        .expect("a second start");
    drop(again);
    assert_eq!(files_in(&dir), ["README.txt".to_owned(), sha256(PDF)]);
}

#[tokio::test]
async fn a_files_directory_belongs_to_one_database() {
    let first = TestApp::spawn().await;
    let dir = first.db().files_dir();
    let admin = first.admin_token().await;
    let t = trained(&first, &admin, "First Installation").await;
    let id = planned(&first, &admin, &t).await;
    assert_eq!(
        upload(&first, &admin, &id, "report", "r.pdf", PDF)
            .await
            .status,
        201
    );
    // Another database pointed at the same directory: refused at start, nothing swept.
    let other = TestDb::new().await;
    let mut settings = test_settings(&other);
    settings.files_dir = dir.clone();
    let refused = empower_api::Application::build(settings).await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("EMPOWER_FILES_DIR"), "{message}");
    assert_eq!(files_in(&dir), [sha256(PDF)]);
}

#[tokio::test]
async fn links_have_no_file_and_personal_links_are_withheld_too() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Linked Sheets").await;
    let id = planned(&app, &admin, &t).await;
    let path = format!("/api/v1/restitutions/{id}/evidence");
    let sheet = app
        .post_json(
            Some(&admin),
            &path,
            json!({"kind": "attendance_sheet", "description": "Signed sheet",
                "url": "https://example.org/sheet.pdf"}),
        )
        .await
        .json();
    let sheet_id = sheet["id"].as_str().expect("id").to_owned();
    assert_eq!(sheet["url"], "https://example.org/sheet.pdf");
    app.get_as(&admin, &format!("{path}/{sheet_id}/file"))
        .await
        .assert_problem(404, "not_found");
    let viewer = app.token_for(&admin, "viewer").await;
    let seen = app.get_as(&viewer, &format!("{path}/{sheet_id}")).await;
    assert_eq!(seen.json()["withheld"], true);
    assert_eq!(seen.json()["url"], json!(null));
    assert!(!seen.text.contains("example.org"));
    assert_ne!(
        seen.header("etag"),
        "\"1\"",
        "the withheld view has a tag of its own"
    );
    // A stale If-Match on a delete is 412, and the item stays.
    app.write_as(
        reqwest::Method::DELETE,
        &admin,
        &format!("{path}/{sheet_id}"),
        None,
        Some("\"7\""),
    )
    .await
    .assert_problem(412, "precondition_failed");
    assert_eq!(
        app.get_as(&admin, &format!("{path}/{sheet_id}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_retried_upload_is_replayed_whatever_its_boundary() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let t = trained(&app, &admin, "Phone Retries").await;
    let id = planned(&app, &admin, &t).await;
    let path = format!("/api/v1/restitutions/{id}/evidence");
    let send = |boundary: &'static str| {
        let (_, body) = form(
            &[("kind", "report"), ("description", "From a phone")],
            Some(("r.pdf", PDF)),
        );
        let body = String::from_utf8_lossy(&body).replace("empower-evidence-boundary", boundary);
        let (app, admin, path) = (&app, admin.clone(), path.clone());
        async move {
            app.send(reqwest::Method::POST, &path, |r| {
                r.bearer_auth(admin)
                    .header("Idempotency-Key", "upload-1")
                    .header(
                        "Content-Type",
                        format!("multipart/form-data; boundary={boundary}"),
                    )
                    .body(body)
            })
            .await
        }
    };
    let first = send("----first-try-boundary").await;
    assert_eq!(first.status, 201, "{}", first.text);
    let retry = send("----second-try-boundary-xyz").await;
    assert_eq!(retry.status, 201, "{}", retry.text);
    assert_eq!(retry.header("idempotent-replayed"), "true");
    assert_eq!(retry.json()["id"], first.json()["id"]);
    let items = app.get_as(&admin, &path).await.json();
    assert_eq!(
        items["items"].as_array().map(Vec::len),
        Some(1),
        "stored once"
    );
    // A generated client asks for plain bytes.
    let download = first.json()["file"]["download_url"]
        .as_str()
        .expect("url")
        .to_owned();
    let octets = app
        .send(reqwest::Method::GET, &download, |r| {
            r.bearer_auth(&admin)
                .header("Accept", "application/octet-stream")
        })
        .await;
    assert_eq!(octets.header("content-type"), "application/octet-stream");
    assert_eq!(octets.header("vary"), "Accept");
}
