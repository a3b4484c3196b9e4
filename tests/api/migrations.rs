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
