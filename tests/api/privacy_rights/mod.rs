//! Privacy rights: a person's data export, her erasure (which keeps every indicator), retention
//! and the record of processing activities, end to end on the running server. The fixtures are
//! here; each action family has its own file.

mod erasure;
mod export;
mod processing;
mod retention;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::restitutions::{PNG, Trained, planned, trained, upload};
use crate::visibility::{add_story, draft, story_body};

pub const FIRST: &str = "Zainaba";
pub const LAST: &str = "Quonsett";
pub const EMAIL: &str = "zainaba.quonsett@example.org";
pub const PHONE: &str = "+32 470 99 88 77";
pub const OTHER_LAST: &str = "Verhoustraeten";
pub const OTHER_EMAIL: &str = "binta.verhoustraeten@example.org";

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
pub async fn holding(db: &impl ConnectionTrait, needle: &str) -> Vec<String> {
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

pub async fn report(app: &TestApp, admin: &str) -> Value {
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

/// `empower retention ARGS` on the app's database: (success, stdout, stderr).
pub fn empower_retention(app: &TestApp, args: &[&str]) -> (bool, String, String) {
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
