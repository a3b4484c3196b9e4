//! The synced resources, as the write layer, the change feed and the contract know them: every
//! versioned, soft-deleted table is a feed type, and the feed filters by owner, programme-wide
//! rows included.

use empower_domain::changes::{self, Change, Op, ResourceType};
use empower_domain::policy::CallerScope;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::TestApp;

#[tokio::test]
async fn every_synced_table_is_a_type_of_the_feed_and_of_the_contract() {
    let app = TestApp::spawn().await;
    let db = app.connect().await;
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.columns \
             WHERE column_name = 'deleted_at' AND table_schema = 'public'"
        }
        _ => {
            "SELECT m.name AS name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND p.name = 'deleted_at'"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("schema");
    let mut synced: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "name").expect("name"))
        .collect();
    synced.sort();
    let mut typed: Vec<String> = ResourceType::all()
        .iter()
        .map(|t| t.table().to_owned())
        .collect();
    typed.sort();
    assert_eq!(
        synced, typed,
        "every soft-deleted table is a feed type, and back"
    );

    let contract = empower_api::openapi::contract();
    let enumerated: Vec<String> = contract["components"]["schemas"]["ResourceType"]["enum"]
        .as_array()
        .expect("ResourceType is an enum in the contract")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let names: Vec<String> = ResourceType::all()
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    assert_eq!(enumerated, names);
    db.close().await.ok();
}

#[tokio::test]
async fn the_feed_shows_a_bound_caller_the_programme_and_its_own_association_only() {
    let app = TestApp::spawn().await;
    let db = app.connect().await;
    let own = uuid::Uuid::now_v7();
    let other = uuid::Uuid::now_v7();
    let programme_row = uuid::Uuid::now_v7();
    let tx = empower_domain::db::begin_write(&db).await.expect("tx");
    for (id, owner) in [
        (programme_row, None),
        (own, Some(own)),
        (other, Some(other)),
    ] {
        changes::record(
            &tx,
            Change {
                resource_type: ResourceType::Association,
                resource_id: id,
                op: Op::Upsert,
                version: 1,
                association_id: owner,
            },
        )
        .await
        .expect("record");
    }
    tx.commit().await.expect("commit");
    let bound = CallerScope {
        bound_to: Some(own),
        personal_data: true,
        override_eligibility: false,
    };
    let seen: Vec<uuid::Uuid> = changes::list(&db, 0, 50, &[ResourceType::Association], &bound)
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.resource_id)
        .collect();
    assert_eq!(
        seen,
        [programme_row, own],
        "programme-wide and its own, in order"
    );
    let everyone: Vec<uuid::Uuid> = changes::list(
        &db,
        0,
        50,
        &[ResourceType::Association],
        &CallerScope::SYSTEM,
    )
    .await
    .expect("list")
    .into_iter()
    .map(|c| c.resource_id)
    .collect();
    assert_eq!(everyone, [programme_row, own, other]);
    let none = changes::list(&db, 0, 50, &[], &CallerScope::SYSTEM)
        .await
        .expect("list");
    assert!(none.is_empty(), "no readable type, no change");
    db.close().await.ok();
}
