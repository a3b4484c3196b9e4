//! The schema migrates up, all the way down, and up again on the backend under test.

use empower_domain::db;

use crate::helpers::TestDb;

#[tokio::test]
async fn migrations_run_up_down_and_up_again() {
    let test_db = TestDb::new().await;
    let conn = db::connect(test_db.url()).await.expect("connect");
    db::migrate_up(&conn).await.expect("up");
    let status = db::migration_status(&conn).await.expect("status");
    assert!(status.len() >= 2);
    assert!(status.iter().all(|(_, applied)| *applied), "{status:?}");

    db::migrate_down(&conn, None).await.expect("down");
    let status = db::migration_status(&conn).await.expect("status");
    assert!(status.iter().all(|(_, applied)| !*applied), "{status:?}");

    db::migrate_up(&conn).await.expect("up again");
    let countries = empower_domain::reference::country::list(
        &conn,
        &Default::default(),
        &empower_domain::paging::PageRequest::new(None, None, true).expect("page"),
    )
    .await
    .expect("countries after re-migration");
    assert_eq!(countries.total, Some(249));
    conn.close().await.ok();
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_and_concurrent_writers_wait_instead_of_failing() {
    let test_db = TestDb::new().await;
    if test_db.is_postgres() {
        return;
    }
    let conn = db::connect(test_db.url()).await.expect("connect");
    db::migrate_up(&conn).await.expect("up");
    use sea_orm::{ConnectionTrait, Statement};
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "PRAGMA journal_mode",
        ))
        .await
        .expect("pragma")
        .expect("a row");
    let mode: String = row.try_get_by_index(0).expect("journal mode");
    assert_eq!(mode, "wal");

    let writers = (0..16).map(|i| {
        let conn = conn.clone();
        tokio::spawn(async move {
            let tx = db::begin_write(&conn).await?;
            // Read, then write, in the same transaction: the pattern that fails under
            // deferred transactions.
            empower_domain::identity::user::count(&tx)
                .await
                .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
            empower_domain::identity::user::create_admin(
                &tx,
                &format!("writer{i}@test.local"),
                "Writer",
                "a-long-enough-password",
            )
            .await
            .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
            tx.commit().await
        })
    });
    for writer in futures_join(writers).await {
        writer.expect("task").expect("every writer commits");
    }
    assert_eq!(
        empower_domain::identity::user::count(&conn)
            .await
            .expect("count"),
        16
    );
}

async fn futures_join<T>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
    let mut results = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        results.push(handle.await);
    }
    results
}

#[tokio::test]
async fn funding_amounts_move_to_cents_exactly_and_back() {
    use empower_migration::{Migrator, MigratorTrait};
    use sea_orm::{ConnectionTrait, Statement};
    let test_db = TestDb::new().await;
    let conn = db::connect(test_db.url()).await.expect("connect");
    // Up to the people and funding tables, with amounts still written as decimal strings.
    let before_cents = Migrator::migrations()
        .iter()
        .position(|m| m.name().contains("money_cents"))
        .expect("the money migration");
    Migrator::up(&conn, Some(u32::try_from(before_cents).expect("count")))
        .await
        .expect("up to strings");
    let backend = conn.get_database_backend();
    let association = uuid::Uuid::now_v7();
    let application = uuid::Uuid::now_v7();
    let sql = |text: &str| Statement::from_string(backend, text.to_owned());
    let now = chrono::Utc::now();
    let (p1, p2, p3) = match backend {
        sea_orm::DbBackend::Postgres => ("$1", "$2", "$3"),
        _ => ("?", "?", "?"),
    };
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO associations (id, name, name_key, search_text, legal_form, \
             thematic_areas, woman_led, consent_granted, consent_fields, status, version, \
             created_at, updated_at) VALUES ({p1}, 'Old Money', 'old money', 'old money', \
             'de_facto', '[]', false, false, '[]', 'applicant', 1, {p2}, {p3})"
        ),
        [association.into(), now.into(), now.into()],
    ))
    .await
    .expect("an association");
    let (q1, q2, q3, q4) = match backend {
        sea_orm::DbBackend::Postgres => ("$1", "$2", "$3", "$4"),
        _ => ("?", "?", "?", "?"),
    };
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO funding_applications (id, association_id, call_title, funder, \
             amount_requested, status, amount_granted, version, created_at, updated_at) \
             VALUES ({q1}, {q2}, 'Call', 'Funder', '12500.50', 'granted', '10000.05', 1, \
             {q3}, {q4})"
        ),
        [
            application.into(),
            association.into(),
            now.into(),
            now.into(),
        ],
    ))
    .await
    .expect("an application in strings");
    // Up: exact cents.
    db::migrate_up(&conn).await.expect("up");
    let row = conn
        .query_one_raw(sql(
            "SELECT amount_requested_cents, amount_granted_cents FROM funding_applications",
        ))
        .await
        .expect("read")
        .expect("row");
    let requested: i64 = row.try_get("", "amount_requested_cents").expect("cents");
    let granted: Option<i64> = row.try_get("", "amount_granted_cents").expect("cents");
    assert_eq!((requested, granted), (1_250_050, Some(1_000_005)));
    // The association written before look-alike names were refused has its skeleton.
    let row = conn
        .query_one_raw(sql("SELECT name_skeleton FROM associations"))
        .await
        .expect("read")
        .expect("row");
    let skeleton: Option<String> = row.try_get("", "name_skeleton").expect("skeleton");
    assert_eq!(
        skeleton.as_deref(),
        Some(empower_domain::text::skeleton("Old Money").as_str())
    );
    // Down past it: the same strings again.
    let after = Migrator::migrations().len() - before_cents;
    db::migrate_down(&conn, Some(u32::try_from(after).expect("count")))
        .await
        .expect("down");
    let row = conn
        .query_one_raw(sql(
            "SELECT amount_requested, amount_granted FROM funding_applications",
        ))
        .await
        .expect("read")
        .expect("row");
    let requested: String = row.try_get("", "amount_requested").expect("text");
    let granted: Option<String> = row.try_get("", "amount_granted").expect("text");
    assert_eq!(
        (requested.as_str(), granted.as_deref()),
        ("12500.50", Some("10000.05"))
    );
    conn.close().await.ok();
}
