//! The change feed: one row per create, update and delete of every synced resource, written in
//! the same transaction as the change, numbered in commit order.
//!
//! On PostgreSQL a sequence number is taken at insert, not at commit, so a reader could see
//! seq 5 before seq 4 commits and skip 4 for ever. Writers therefore take a transaction-level
//! advisory lock before inserting their change row: the next writer cannot insert until the
//! previous one has committed, so numbers are handed out in commit order. On SQLite writers
//! are serialised by `BEGIN IMMEDIATE` already.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbBackend, QueryFilter, QueryOrder, QuerySelect, Statement,
};

use crate::DomainError;
use crate::audit::{self, AuditContext};

/// Advisory lock key that serialises change-log writers on PostgreSQL ("EMPOWER" in ASCII).
const CHANGE_LOG_LOCK: i64 = 0x0045_4d50_4f57_4552;

/// What happened to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Created or changed.
    Upsert,
    /// Deleted (a tombstone).
    Delete,
}

impl Op {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upsert => "upsert",
            Self::Delete => "delete",
        }
    }
}

/// A change-log row as stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_log")]
pub struct Model {
    /// Position in commit order.
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The kind of resource, such as `association`.
    pub resource_type: String,
    /// Its id.
    pub resource_id: Uuid,
    /// `upsert` or `delete`.
    pub op: String,
    /// The resource's version after the change.
    pub version: i32,
    /// The association the resource belongs to, for filtering by what a caller may read.
    pub association_id: Option<Uuid>,
    /// When it changed.
    pub changed_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// One change to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// The kind of resource.
    pub resource_type: &'static str,
    /// Its id.
    pub resource_id: Uuid,
    /// What happened.
    pub op: Op,
    /// Its version after the change.
    pub version: i32,
    /// The association it belongs to.
    pub association_id: Option<Uuid>,
}

/// Records a write that others must see: its audit row and its change-feed row, in the
/// transaction that makes the change. Every synced write goes through here.
pub async fn record_write(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    action: &str,
    change: Change,
) -> Result<(), DomainError> {
    audit::record(
        db,
        context,
        action,
        Some((change.resource_type, change.resource_id.to_string())),
    )
    .await?;
    record(db, change).await
}

/// Records a change; call it inside the transaction that makes the change, last.
pub async fn record(db: &impl ConnectionTrait, change: Change) -> Result<(), DomainError> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [CHANGE_LOG_LOCK.into()],
        ))
        .await?;
    }
    ActiveModel {
        seq: sea_orm::ActiveValue::NotSet,
        resource_type: Set(change.resource_type.to_owned()),
        resource_id: Set(change.resource_id),
        op: Set(change.op.as_str().to_owned()),
        version: Set(change.version),
        association_id: Set(change.association_id),
        changed_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Records many changes (bulk imports), in order, under the same lock as [`record`].
pub async fn record_many(db: &impl ConnectionTrait, changes: &[Change]) -> Result<(), DomainError> {
    if changes.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [CHANGE_LOG_LOCK.into()],
        ))
        .await?;
    }
    let now = Utc::now();
    for chunk in changes.chunks(500) {
        let rows = chunk.iter().map(|change| ActiveModel {
            seq: sea_orm::ActiveValue::NotSet,
            resource_type: Set(change.resource_type.to_owned()),
            resource_id: Set(change.resource_id),
            op: Set(change.op.as_str().to_owned()),
            version: Set(change.version),
            association_id: Set(change.association_id),
            changed_at: Set(now),
        });
        Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Changes after `after` (a sequence number), oldest first, of the given types (all when empty),
/// of one association's resources when `only` is given.
pub async fn list(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
    types: &[String],
    only: Option<Uuid>,
) -> Result<Vec<Model>, DomainError> {
    let mut select = Entity::find().filter(Column::Seq.gt(after));
    if let Some(association_id) = only {
        select = select.filter(Column::AssociationId.eq(association_id));
    }
    if !types.is_empty() {
        select = select.filter(Column::ResourceType.is_in(types.iter().cloned()));
    }
    Ok(select
        .order_by_asc(Column::Seq)
        .limit(limit)
        .all(db)
        .await?)
}
