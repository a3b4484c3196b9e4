//! The data set at programme scale (`empower seed-demo --scale N`): its size, its feed and
//! audit rows, its determinism.

use std::collections::BTreeMap;
use std::process::Command;

use empower_domain::demo::scale;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::helpers::TestDb;

async fn connect(db: &TestDb) -> DatabaseConnection {
    let conn = empower_domain::db::connect(db.url())
        .await
        .expect("connect");
    empower_domain::db::migrate_up(&conn)
        .await
        .expect("migrate");
    conn
}

async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .expect(sql)
        .iter()
        .map(|row| {
            (0..row.column_names().len())
                .map(|i| {
                    row.try_get_by_index::<Option<String>>(i)
                        .map(|v| v.unwrap_or_default())
                        .or_else(|_| row.try_get_by_index::<i64>(i).map(|v| v.to_string()))
                        .or_else(|_| row.try_get_by_index::<i32>(i).map(|v| v.to_string()))
                        .or_else(|_| row.try_get_by_index::<bool>(i).map(|v| v.to_string()))
                        .expect("a text, integer or boolean column")
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    rows(db, &format!("SELECT COUNT(*) FROM {table}")).await[0]
        .parse()
        .expect("a count")
}

/// What two loads of the same N must share: every name, status, version and count.
async fn content(db: &DatabaseConnection) -> BTreeMap<&'static str, Vec<String>> {
    let mut content = BTreeMap::new();
    for (what, sql) in [
        (
            "associations",
            "SELECT name, status, version, member_count, search_text FROM associations ORDER BY name",
        ),
        (
            "people",
            "SELECT p.first_name, p.last_name, p.gender, p.is_representative FROM people p \
             ORDER BY p.last_name, p.first_name",
        ),
        (
            "attendance",
            "SELECT status, COUNT(*) FROM attendance GROUP BY status ORDER BY status",
        ),
        (
            "restitutions",
            "SELECT status, COUNT(*), SUM(attendees_women) FROM restitutions GROUP BY status ORDER BY status",
        ),
        (
            "feed",
            "SELECT resource_type, op, COUNT(*), MAX(version) FROM change_log \
             GROUP BY resource_type, op ORDER BY resource_type, op",
        ),
    ] {
        content.insert(what, rows(db, sql).await);
    }
    content
}

#[tokio::test]
async fn the_scaled_data_set_is_sized_by_n_written_with_its_feed_and_deterministic() {
    let (first, second) = (TestDb::new().await, TestDb::new().await);
    let (a, b) = (connect(&first).await, connect(&second).await);
    let loaded = scale::load(&a, 40, Some(1_000)).await.expect("load");
    assert_eq!(
        (
            loaded.associations,
            loaded.selected,
            loaded.people,
            loaded.enrollments,
            loaded.attendance,
            loaded.restitutions,
            loaded.funding_applications,
        ),
        (40, 20, 200, 80, 800, 80, 10)
    );
    assert!(loaded.changes >= 1_000, "{loaded:?}");
    for (table, expected) in [
        ("associations", 40),
        ("people", 200),
        ("enrollments", 80),
        ("attendance", 800),
        ("assessments", loaded.assessments as i64),
        ("restitutions", 80),
        ("partners", 10),
        ("deliverables", 8),
    ] {
        assert_eq!(count(&a, table).await, expected, "{table}");
    }
    assert_eq!(count(&a, "change_log").await, loaded.changes);
    // Every status of the registry and of restitutions is there.
    let statuses = rows(
        &a,
        "SELECT DISTINCT status FROM associations ORDER BY status",
    )
    .await;
    assert_eq!(
        statuses,
        [
            "applicant",
            "rejected",
            "selected",
            "shortlisted",
            "withdrawn"
        ]
    );
    assert_eq!(
        rows(
            &a,
            "SELECT DISTINCT status FROM restitutions ORDER BY status"
        )
        .await,
        ["planned", "reported", "returned", "validated"]
    );
    // The feed says where each record stands: its last change carries its version, and every
    // change has its audit row.
    let stale = rows(
        &a,
        "SELECT a.name FROM associations a WHERE a.version <> \
         (SELECT MAX(c.version) FROM change_log c WHERE c.resource_id = a.id)",
    )
    .await;
    assert!(stale.is_empty(), "feed behind the rows: {stale:?}");
    assert!(count(&a, "audit_log").await >= loaded.changes);
    // Deterministic: the same N gives the same data.
    scale::load(&b, 40, Some(1_000)).await.expect("load again");
    assert_eq!(content(&a).await, content(&b).await);
    // Loaded once: a second run leaves the database as it is.
    let again = scale::load(&a, 40, Some(1_000)).await.expect("second run");
    assert_eq!(again.associations, 0);
    assert_eq!(count(&a, "associations").await, 40);
    // Out of range.
    assert!(scale::load(&a, 0, None).await.is_err());
    assert!(scale::load(&a, scale::MAX_SCALE + 1, None).await.is_err());
}

#[tokio::test]
async fn seed_demo_scale_loads_from_the_command_line() {
    let db = TestDb::new().await;
    let mut command = Command::new(env!("CARGO_BIN_EXE_empower"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EMPOWER_DATABASE_URL", db.url())
        .env("EMPOWER_FILES_DIR", db.files_dir())
        .env("EMPOWER_DEMO_PASSWORD", "demo-password-for-the-scale-test")
        .env("RUST_LOG", "warn")
        .args(["seed-demo", "--scale", "20", "--changes", "500"]);
    let output = command.output().expect("empower runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("scale data set loaded")
            && stdout.contains("20 associations (10 selected)"),
        "{stdout}"
    );
    let rerun = command.output().expect("empower runs");
    assert!(rerun.status.success());
    assert!(
        String::from_utf8_lossy(&rerun.stdout).contains("scale data set already present"),
        "{}",
        String::from_utf8_lossy(&rerun.stdout)
    );
    let refused = Command::new(env!("CARGO_BIN_EXE_empower"))
        .env("EMPOWER_DATABASE_URL", db.url())
        .args(["seed-demo", "--changes", "5"])
        .output()
        .expect("empower runs");
    assert!(!refused.status.success(), "--changes needs --scale");
}

/// The completion of more enrolments than one statement may name (a module's threshold changed
/// over tens of thousands of them) is computed in parts, with the same answer.
#[tokio::test]
async fn completions_of_many_enrolments_are_computed_in_parts() {
    use empower_domain::training::completion::{self, Which};
    use empower_domain::training::entity::enrollment;
    use sea_orm::EntityTrait;
    let db = TestDb::new().await;
    let conn = connect(&db).await;
    scale::load(&conn, 40, None).await.expect("load");
    let enrolments = enrollment::Entity::find()
        .all(&conn)
        .await
        .expect("enrolments");
    let mut ids: Vec<uuid::Uuid> = enrolments.iter().map(|e| e.id).collect();
    // More ids than either database takes placeholders in one statement (32,766 and 65,535).
    ids.extend((0..70_000).map(|_| uuid::Uuid::now_v7()));
    let parts = completion::of(&conn, Which::Enrollments(&ids))
        .await
        .expect("completions");
    let modules: std::collections::BTreeSet<uuid::Uuid> =
        enrolments.iter().map(|e| e.module_id).collect();
    let mut whole = std::collections::HashMap::new();
    for module in modules {
        whole.extend(
            completion::of(&conn, Which::Module(module))
                .await
                .expect("a module's completions"),
        );
    }
    assert!(!enrolments.is_empty() && !whole.is_empty());
    assert_eq!(parts, whole);
}
