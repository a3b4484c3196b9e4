//! Privacy rights: a person's data export, her erasure (which keeps every indicator), retention
//! and the record of processing activities, end to end on the running server.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb};
use crate::restitutions::{PNG, Trained, planned, trained, upload};
use crate::visibility::{add_story, draft, story_body};

const FIRST: &str = "Zainaba";
const LAST: &str = "Quonsett";
const EMAIL: &str = "zainaba.quonsett@example.org";
const PHONE: &str = "+32 470 99 88 77";
const OTHER_LAST: &str = "Verhoustraeten";
const OTHER_EMAIL: &str = "binta.verhoustraeten@example.org";

/// Someone with something in every category: a trained representative (enrolment, attendance,
/// completion, an assessment, consents) who facilitated a restitution (notes, a photo file) and
/// is named in a story with another person, whose data must stay out of her export.
pub struct Subject {
    pub trained: Trained,
    pub person: String,
    pub other: String,
    pub restitution: String,
    pub brief: String,
    pub story: String,
}

pub async fn subject(app: &TestApp, admin: &str) -> Subject {
    let trained = trained(app, admin, "Kappa").await;
    let person = trained.people[0].clone();
    let other = trained.people[1].clone();
    for (id, body) in [
        (
            &person,
            json!({"first_name": FIRST, "last_name": LAST, "email": EMAIL, "phone": PHONE,
                   "languages": ["fr", "ln"], "role_in_association": "présidente"}),
        ),
        (
            &other,
            json!({"last_name": OTHER_LAST, "email": OTHER_EMAIL}),
        ),
    ] {
        let reply = app
            .patch_as(admin, &format!("/api/v1/people/{id}"), body, None)
            .await;
        assert_eq!(reply.status, 200, "person: {}", reply.text);
    }
    let reply = app
        .post_json(
            Some(admin),
            &format!("/api/v1/people/{person}/consents"),
            json!({"purpose": "publication", "granted": true, "text_version": "2026-10"}),
        )
        .await;
    assert_eq!(reply.status, 201, "consent: {}", reply.text);
    let restitution = planned(app, admin, &trained).await;
    let reply = app
        .patch_as(
            admin,
            &format!("/api/v1/restitutions/{restitution}"),
            json!({"notes": format!("{FIRST} {LAST} led the session; call {PHONE}")}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "notes: {}", reply.text);
    let reply = upload(app, admin, &restitution, "photo", "zainaba.png", PNG).await;
    assert_eq!(reply.status, 201, "photo: {}", reply.text);
    let brief = draft(app, admin, "brief").await;
    let mut body = story_body(&trained.association, &[&person, &other]);
    body["body"] = json!({"fr": format!("{FIRST} {LAST} a formé 30 femmes avec {OTHER_LAST}."),
                          "en": format!("{FIRST} trained 30 women.")});
    body["quote"] = json!(format!("Merci, dit {FIRST}."));
    let reply = add_story(app, admin, &brief, body).await;
    assert_eq!(reply.status, 201, "story: {}", reply.text);
    let story = reply.json()["id"].as_str().expect("id").to_owned();
    Subject {
        trained,
        person,
        other,
        restitution,
        brief,
        story,
    }
}

/// Every `(table, column)` of the database whose text holds `needle`: a search of the whole
/// database, as a dump would show it.
async fn holding(db: &impl ConnectionTrait, needle: &str) -> Vec<String> {
    let backend = db.get_database_backend();
    let columns_sql = match backend {
        DbBackend::Postgres => {
            "SELECT table_name AS t, column_name AS c FROM information_schema.columns \
             WHERE table_schema = 'public' ORDER BY table_name, column_name"
        }
        _ => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' ORDER BY m.name, p.name"
        }
    };
    let columns = db
        .query_all_raw(Statement::from_string(backend, columns_sql))
        .await
        .expect("columns");
    let mut found = Vec::new();
    for row in columns {
        let table: String = row.try_get("", "t").expect("t");
        let column: String = row.try_get("", "c").expect("c");
        let sql = format!(
            r#"SELECT COUNT(*) AS n FROM "{table}" WHERE LOWER(CAST("{column}" AS TEXT)) LIKE $1"#
        );
        let sql = if backend == DbBackend::Postgres {
            sql
        } else {
            sql.replace("$1", "?")
        };
        let Ok(Some(count)) = db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [format!("%{}%", needle.to_lowercase()).into()],
            ))
            .await
        else {
            continue;
        };
        let n: i64 = count.try_get("", "n").expect("n");
        if n > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

async fn report(app: &TestApp, admin: &str) -> Value {
    let reply = app
        .get_as(
            admin,
            "/api/v1/results-report?from=2026-01-01&to=2026-12-31",
        )
        .await;
    assert_eq!(reply.status, 200, "report: {}", reply.text);
    let mut report = reply.json();
    // When it was computed: the only figure an erasure may move.
    report
        .as_object_mut()
        .expect("report")
        .remove("generated_at");
    report
}

pub async fn feed(app: &TestApp, admin: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor = String::new();
    loop {
        let reply = app
            .get_as(admin, &format!("/api/v1/changes?limit=500&cursor={cursor}"))
            .await;
        assert_eq!(reply.status, 200, "feed: {}", reply.text);
        let page = reply.json();
        let got = page["items"].as_array().expect("items").clone();
        if got.is_empty() {
            return items;
        }
        items.extend(got);
        cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
    }
}

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

/// `empower retention ARGS` on the app's database: (success, stdout, stderr).
fn empower_retention(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_empower"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EMPOWER_DATABASE_URL", app.db().url())
        .env("EMPOWER_FILES_DIR", app.db().files_dir())
        .env("RUST_LOG", "warn")
        .arg("retention")
        .args(args)
        .output()
        .expect("empower runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn retention_lists_and_erases_what_its_periods_make_due() {
    let test_db = TestDb::new().await;
    let app = TestApp::spawn_with(crate::helpers::test_settings(&test_db), test_db).await;
    let admin = app.admin_token().await;
    let s = subject(&app, &admin).await;
    let reply = app.get_as(&admin, "/api/v1/privacy/retention").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json()["periods"],
        json!({"closed_months": 12, "contact_months": 36})
    );
    assert_eq!(reply.json()["due"], json!([]));
    // The association withdrew two years ago.
    let db = app.connect().await;
    let pg = db.get_database_backend() == DbBackend::Postgres;
    let reply = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/associations/{}/transitions", s.trained.association),
            json!({"to": "withdrawn", "reason": "Moved abroad"}),
        )
        .await;
    assert!(
        reply.status == 201 || reply.status == 200,
        "withdraw: {}",
        reply.text
    );
    let backdate = if pg {
        "UPDATE association_transitions SET occurred_at = occurred_at - INTERVAL '2 years'"
    } else {
        "UPDATE association_transitions SET occurred_at = datetime(occurred_at, '-2 years')"
    };
    db.execute_unprepared(backdate).await.expect("backdate");
    let due = app.get_as(&admin, "/api/v1/privacy/retention").await.json()["due"].clone();
    let due_people: Vec<&str> = due
        .as_array()
        .expect("due")
        .iter()
        .map(|d| d["person_id"].as_str().expect("id"))
        .collect();
    assert!(due_people.contains(&s.person.as_str()) && due_people.contains(&s.other.as_str()));
    assert!(
        due.as_array()
            .expect("due")
            .iter()
            .all(|d| d["extent"] == "whole")
    );
    // The command: a dry run lists them and erases nothing; a run erases them by the erasure
    // path; a second run has nothing to do.
    let (ok, listed, stderr) = empower_retention(&app, &["--dry-run"]);
    assert!(ok, "{stderr}");
    assert!(
        listed.contains(&format!("erase person {}", s.person))
            && listed.contains(&format!("erase person {}", s.other)),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("dry run: {} due", due_people.len())),
        "{listed}"
    );
    assert_eq!(
        app.get_as(&admin, "/api/v1/privacy/retention").await.json()["due"],
        due
    );
    let (ok, done, stderr) = empower_retention(&app, &[]);
    assert!(ok, "{stderr}");
    assert!(
        done.contains(&format!("erased: {} people", due_people.len())),
        "{done}"
    );
    let (ok, again, _) = empower_retention(&app, &[]);
    assert!(ok);
    assert!(
        again.contains("erased: 0 people, contact data of 0 more"),
        "{again}"
    );
    assert_eq!(
        app.get_as(&admin, "/api/v1/privacy/retention").await.json()["due"],
        json!([])
    );
    let erased = app
        .get_as(&admin, &format!("/api/v1/people/{}/data-export", s.person))
        .await
        .json();
    assert!(
        erased["erasures"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("retention: association withdrawn since"))
    );
    for needle in [LAST, EMAIL, PHONE] {
        assert_eq!(holding(&db, needle).await, Vec::<String>::new(), "{needle}");
    }
}

#[tokio::test]
async fn the_record_of_processing_names_the_partner_clients_live() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, _, _) = app.create_client(&admin, &["training:read"]).await;
    let viewer = app.token_for(&admin, "viewer").await;
    let reply = app
        .get_as(&viewer, "/api/v1/privacy/processing-activities")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let record = reply.json();
    assert!(
        record["activities"]
            .as_array()
            .is_some_and(|a| a.len() >= 5)
    );
    assert_eq!(
        record["partner_clients"][0]["scopes"],
        json!(["training:read"])
    );
    assert_eq!(record["retention"]["closed_months"], 12);
    let markdown = app
        .send(
            reqwest::Method::GET,
            "/api/v1/privacy/processing-activities",
            |r| r.bearer_auth(&viewer).header("Accept", "text/markdown"),
        )
        .await;
    assert_eq!(markdown.status, 200);
    assert!(markdown.header("content-type").starts_with("text/markdown"));
    assert!(
        markdown
            .text
            .starts_with("# Record of processing activities")
    );
    assert!(markdown.text.contains("training:read"));
    let staff = app.token_for(&admin, "staff").await;
    assert_eq!(
        app.get_as(&staff, "/api/v1/privacy/processing-activities")
            .await
            .status,
        403
    );
}

/// An association completed longer ago than the contact period: its people's email and phone go
/// (their names stay, for the programme's follow-up), and so do its own.
#[tokio::test]
async fn retention_erases_the_contact_data_of_long_completed_associations() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let s = subject(&app, &admin).await;
    let association = format!("/api/v1/associations/{}", s.trained.association);
    let reply = app
        .patch_as(
            &admin,
            &association,
            json!({"contact": {"email": "kappa.office@example.org", "phone": "+32 2 555 01 02"}}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "contact: {}", reply.text);
    for to in ["completed"] {
        let reply = app
            .post_json(
                Some(&admin),
                &format!("{association}/transitions"),
                json!({"to": to, "reason": "The programme moves on"}),
            )
            .await;
        assert!(reply.status < 300, "{to}: {}", reply.text);
    }
    let db = app.connect().await;
    let backdate = if db.get_database_backend() == DbBackend::Postgres {
        "UPDATE association_transitions SET occurred_at = occurred_at - INTERVAL '4 years'"
    } else {
        "UPDATE association_transitions SET occurred_at = datetime(occurred_at, '-4 years')"
    };
    db.execute_unprepared(backdate).await.expect("backdate");
    let due = app.get_as(&admin, "/api/v1/privacy/retention").await.json();
    assert_eq!(
        due["due"]
            .as_array()
            .expect("due")
            .iter()
            .map(|d| (d["person_id"].clone(), d["extent"].clone()))
            .collect::<Vec<_>>(),
        [
            (json!(s.person), json!("contact")),
            (json!(s.other), json!("contact"))
        ],
        "both have contact data: {due}"
    );
    assert_eq!(
        due["associations"][0]["association_id"],
        json!(s.trained.association)
    );
    let (ok, done, stderr) = empower_retention(&app, &[]);
    assert!(ok, "{stderr}");
    assert!(
        done.contains("erased: 0 people, contact data of 2 more and of 1 associations"),
        "{done}"
    );
    for needle in [
        EMAIL,
        PHONE,
        OTHER_EMAIL,
        "kappa.office@example.org",
        "555 01 02",
    ] {
        assert_eq!(holding(&db, needle).await, Vec::<String>::new(), "{needle}");
    }
    let person = app
        .get_as(&admin, &format!("/api/v1/people/{}", s.person))
        .await
        .json();
    assert_eq!(person["last_name"], LAST, "her name stays");
    assert!(person.get("erased_at").is_none() && person.get("email").is_none());
    let changes = feed(&app, &admin).await;
    assert!(changes.iter().any(|c| c["op"] == "erase"
        && c["type"] == "association"
        && c["id"] == json!(s.trained.association)));
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
