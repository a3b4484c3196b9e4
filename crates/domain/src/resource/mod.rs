//! The write layer every synced resource goes through: versioned, soft-deleted rows whose every
//! create, change and delete is one atomic step that bumps the version and records the change
//! feed and audit rows with it.
//!
//! A resource declares what is its own (its feed type, its bookkeeping columns, its owner);
//! validation, bodies and lists stay with it. Check-then-write is atomic by construction: a row
//! can only be changed through [`Locked`], which only [`lock_live`] hands out, after locking the
//! row (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's write transactions are serialised by
//! `BEGIN IMMEDIATE`). The update itself is conditional on the version it locked, so of N
//! concurrent writers holding one version exactly one wins and the others get
//! [`DomainError::Stale`].

mod edit;

pub use self::edit::{Editable, delete, edit};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QuerySelect, TryIntoModel, Value,
};
use uuid::Uuid;

use crate::DomainError;
use crate::audit::AuditContext;
use crate::changes::{self, Change, Op, ResourceType};
use crate::db::Tx;
use crate::policy::{CallerScope, Owner};

/// The bookkeeping columns every synced table has.
#[derive(Debug, Clone, Copy)]
pub struct Columns<C> {
    /// `id` (UUID).
    pub id: C,
    /// `version`, +1 on every change.
    pub version: C,
    /// `created_at`.
    pub created_at: C,
    /// `updated_at`.
    pub updated_at: C,
    /// `deleted_at`: set on soft delete.
    pub deleted_at: C,
}

/// A stored row of a synced resource.
pub trait Record {
    /// Its id.
    fn id(&self) -> Uuid;
    /// Its version.
    fn version(&self) -> i32;
    /// Who it belongs to.
    fn owner(&self) -> Owner;
}

/// A synced table: what the write layer needs to know of it.
pub trait Synced:
    EntityTrait<
        Model: Record + IntoActiveModel<Self::ActiveModel> + PartialEq + Sync,
        ActiveModel: TryIntoModel<Self::Model> + Send,
    >
{
    /// Its type in the change feed, the audit log, and not-found messages.
    const TYPE: ResourceType;
    /// Its bookkeeping columns.
    const COLUMNS: Columns<Self::Column>;
}

/// Declares an enum stored as text: its database mapping, serde names (`snake_case`) and schema,
/// once, where the data lives.
#[macro_export]
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }
    };
}

/// Declares a sea-orm entity of this module a synced table: its [`Record`] (id, version, owner
/// from the model `$m`) and [`Synced`] (feed type, the standard bookkeeping columns), so each
/// table states only what is its own.
#[macro_export]
macro_rules! synced_table {
    ($type:expr, |$m:ident| $owner:expr) => {
        impl $crate::resource::Record for Model {
            fn id(&self) -> ::uuid::Uuid {
                self.id
            }

            fn version(&self) -> i32 {
                self.version
            }

            fn owner(&self) -> $crate::policy::Owner {
                let $m = self;
                $owner
            }
        }

        impl $crate::resource::Synced for Entity {
            const TYPE: $crate::changes::ResourceType = $type;
            const COLUMNS: $crate::resource::Columns<Column> = $crate::resource::Columns {
                id: Column::Id,
                version: Column::Version,
                created_at: Column::CreatedAt,
                updated_at: Column::UpdatedAt,
                deleted_at: Column::DeletedAt,
            };
        }
    };
}

/// A live row, locked for the rest of the write transaction: the only way to change one.
#[derive(Debug, Clone, PartialEq)]
pub struct Locked<M>(M);

impl<M> Locked<M> {
    /// The row as it stands.
    pub fn row(&self) -> &M {
        &self.0
    }

    /// The row, giving up the right to change it.
    pub fn into_row(self) -> M {
        self.0
    }
}

impl<M> std::ops::Deref for Locked<M> {
    type Target = M;

    fn deref(&self) -> &M {
        &self.0
    }
}

/// What the caller expects of the current version (from `If-Match`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Precondition {
    /// No expectation (no `If-Match`, or an empty one).
    #[default]
    None,
    /// `*`: any current version, so the record must exist.
    Any,
    /// One of these versions (strong comparison: a weak or foreign tag names none).
    OneOf(Vec<i32>),
    /// The condition cannot be read: refused once the record is known to exist.
    Malformed,
}

impl Precondition {
    /// Exactly this version.
    pub fn version(version: i32) -> Self {
        Self::OneOf(vec![version])
    }

    /// Refuses the write when the current version is not the one expected.
    pub fn check(&self, current: i32) -> Result<(), DomainError> {
        match self {
            Self::None | Self::Any => Ok(()),
            Self::OneOf(versions) if versions.contains(&current) => Ok(()),
            Self::OneOf(_) => Err(DomainError::Stale { current }),
            Self::Malformed => Err(DomainError::BadPrecondition),
        }
    }

    /// Refuses the creation of a record (a `PUT` to a new id) when the caller expects a current
    /// version: there is none, so any entity tag, `*` included, fails (RFC 9110 §13.1.1).
    pub fn check_absent(&self) -> Result<(), DomainError> {
        match self {
            Self::None => Ok(()),
            Self::Any | Self::OneOf(_) => Err(DomainError::NoCurrentVersion),
            Self::Malformed => Err(DomainError::BadPrecondition),
        }
    }
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written<M> {
    /// The row after the write.
    pub row: M,
    /// Created (rather than replaced or left as it was).
    pub created: bool,
    /// Whether anything changed: a write that changes nothing keeps the version and records
    /// no change.
    pub changed: bool,
}

fn not_found<E: Synced>() -> DomainError {
    DomainError::NotFound(E::TYPE.noun())
}

/// A live row the caller may see, or "not found".
pub async fn find_live<E: Synced>(
    db: &impl ConnectionTrait,
    id: Uuid,
    scope: &CallerScope,
) -> Result<E::Model, DomainError> {
    find_live_as::<E, E::Model>(db, E::find(), id, scope).await
}

/// [`find_live`] through `select` (the entity's find with further columns), read as `T`: a
/// record and what is stored beside it, in one statement.
pub async fn find_live_as<E: Synced, T>(
    db: &impl ConnectionTrait,
    select: sea_orm::Select<E>,
    id: Uuid,
    scope: &CallerScope,
) -> Result<T, DomainError>
where
    T: sea_orm::FromQueryResult + crate::paging::RowOf<E::Model> + Send + Sync,
{
    let found = select
        .filter(E::COLUMNS.id.eq(id))
        .filter(E::COLUMNS.deleted_at.is_null())
        .into_model::<T>()
        .one(db)
        .await?
        .ok_or_else(not_found::<E>)?;
    check_owner::<E>(db, found.row(), scope).await?;
    Ok(found)
}

/// Locks a live row the caller may see, for a write in this transaction.
pub async fn lock_live<E: Synced>(
    tx: &Tx,
    id: Uuid,
    scope: &CallerScope,
) -> Result<Locked<E::Model>, DomainError> {
    let row = E::find()
        .filter(E::COLUMNS.id.eq(id))
        .filter(E::COLUMNS.deleted_at.is_null())
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(not_found::<E>)?;
    check_owner::<E>(tx, &row, scope).await?;
    Ok(Locked(row))
}

/// Locks, in one query, every live row that `condition` selects, for writes in this
/// transaction. For the server's own sweeps over rows whose owner the caller already reached (a
/// session's attendance lines, the enrolments a change re-versions): no per-row owner check.
pub async fn lock_live_where<E: Synced>(
    tx: &Tx,
    condition: Condition,
) -> Result<Vec<Locked<E::Model>>, DomainError> {
    Ok(E::find()
        .filter(condition)
        .filter(E::COLUMNS.deleted_at.is_null())
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .map(Locked)
        .collect())
}

/// A record of an association is visible when the caller may see the association and the
/// association is live (a record is gone with its association).
async fn check_owner<E: Synced>(
    db: &impl ConnectionTrait,
    row: &E::Model,
    scope: &CallerScope,
) -> Result<(), DomainError> {
    let owner = row.owner();
    if !scope.sees(owner) {
        return Err(not_found::<E>());
    }
    match owner {
        Owner::Association(association) if E::TYPE != ResourceType::Association => {
            crate::association::check_parent(db, association, scope, E::TYPE.noun()).await
        }
        _ => Ok(()),
    }
}

/// The live row a `PUT` to `id` replaces, or none when it creates one. Writers are serialised
/// ([`crate::db::begin_write`]), so of parallel `PUT`s creating one id exactly one creates and
/// the others replace what it wrote.
pub async fn put_target<E: Synced>(tx: &Tx, id: Uuid) -> Result<Option<E::Model>, DomainError> {
    Ok(E::find()
        .filter(E::COLUMNS.id.eq(id))
        .filter(E::COLUMNS.deleted_at.is_null())
        .one(tx)
        .await?)
}

/// Whether a row with this id ever existed, deleted or not.
pub async fn ever_existed<E: Synced>(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<bool, DomainError> {
    Ok(E::find().filter(E::COLUMNS.id.eq(id)).count(db).await? > 0)
}

fn stamp<E: Synced>(row: &mut E::ActiveModel, version: i32, now: DateTime<Utc>) {
    row.set(E::COLUMNS.version, version.into());
    row.set(E::COLUMNS.updated_at, now.into());
}

fn change<E: Synced>(row: &E::Model, op: Op, version: i32) -> Change {
    Change {
        resource_type: E::TYPE,
        resource_id: row.id(),
        op,
        version,
        association_id: row.owner().association(),
    }
}

fn action<E: Synced>(verb: &str) -> String {
    format!("{}.{verb}", E::TYPE.as_str())
}

/// Inserts a new row at version 1, refusing an id that ever existed (a deleted id is never
/// reused), and records `TYPE.created`.
pub async fn insert<E: Synced>(
    tx: &Tx,
    context: &AuditContext,
    mut row: E::ActiveModel,
) -> Result<E::Model, DomainError> {
    let id = match row.get(E::COLUMNS.id).into_value() {
        Some(Value::Uuid(Some(id))) => id,
        _ => {
            let id = Uuid::now_v7();
            row.set(E::COLUMNS.id, id.into());
            id
        }
    };
    if ever_existed::<E>(tx, id).await? {
        return Err(DomainError::Conflict(format!(
            "{} {id} existed and was deleted; its id cannot be reused",
            E::TYPE.noun()
        )));
    }
    let now = Utc::now();
    stamp::<E>(&mut row, 1, now);
    row.set(E::COLUMNS.created_at, now.into());
    row.set(E::COLUMNS.deleted_at, Option::<DateTime<Utc>>::None.into());
    let inserted = row.insert(tx).await?;
    changes::record_write(
        tx,
        context,
        &action::<E>("created"),
        change::<E>(&inserted, Op::Upsert, 1),
    )
    .await?;
    Ok(inserted)
}

/// Inserts many new rows at version 1 (the bulk path: a few statements per chunk), recording
/// each as created. The ids must be new.
pub async fn insert_many<E: Synced>(
    tx: &Tx,
    context: &AuditContext,
    rows: Vec<E::ActiveModel>,
) -> Result<(), DomainError> {
    let now = Utc::now();
    let mut records = Vec::with_capacity(rows.len());
    let mut stamped = Vec::with_capacity(rows.len());
    for mut row in rows {
        stamp::<E>(&mut row, 1, now);
        row.set(E::COLUMNS.created_at, now.into());
        row.set(E::COLUMNS.deleted_at, Option::<DateTime<Utc>>::None.into());
        records.push(change::<E>(&row.clone().try_into_model()?, Op::Upsert, 1));
        stamped.push(row);
    }
    let mut stamped = stamped.into_iter().peekable();
    while stamped.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = stamped.by_ref().take(400).collect();
        E::insert_many(chunk).exec(tx).await?;
    }
    let ids: Vec<String> = records.iter().map(|c| c.resource_id.to_string()).collect();
    crate::audit::record_many(tx, context, &action::<E>("created"), E::TYPE.as_str(), &ids).await?;
    changes::record_many(tx, &records).await
}

/// Applies one edit `times` times to many live rows at once (generated histories, bulk
/// corrections): one `UPDATE` per 500 ids moves each row's version on by `times` and sets
/// `updated_at`, and `TYPE.verb` is recorded once per step with that step's version, round by
/// round (every row's first step, then every row's second), as [`update`] would have, one step
/// at a time. `edit` says what the steps did together.
pub async fn update_many<E: Synced>(
    tx: &Tx,
    context: &AuditContext,
    ids: &[Uuid],
    times: i32,
    verb: &str,
    edit: &[(E::Column, sea_orm::sea_query::SimpleExpr)],
) -> Result<(), DomainError> {
    if times < 1 || ids.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut update = E::update_many()
            .col_expr(E::COLUMNS.version, Expr::col(E::COLUMNS.version).add(times))
            .col_expr(E::COLUMNS.updated_at, Expr::value(now));
        for (column, value) in edit {
            update = update.col_expr(*column, value.clone());
        }
        update
            .filter(E::COLUMNS.id.is_in(chunk.iter().copied()))
            .filter(E::COLUMNS.deleted_at.is_null())
            .exec(tx)
            .await?;
        rows.extend(
            E::find()
                .filter(E::COLUMNS.id.is_in(chunk.iter().copied()))
                .filter(E::COLUMNS.deleted_at.is_null())
                .all(tx)
                .await?,
        );
    }
    let mut records = Vec::with_capacity(rows.len() * times as usize);
    for step in (0..times).rev() {
        records.extend(
            rows.iter()
                .map(|row| change::<E>(row, Op::Upsert, row.version() - step)),
        );
    }
    let ids: Vec<String> = records.iter().map(|c| c.resource_id.to_string()).collect();
    crate::audit::record_many(tx, context, &action::<E>(verb), E::TYPE.as_str(), &ids).await?;
    changes::record_many(tx, &records).await
}

/// Applies `edit` to a locked row after checking the caller's precondition. When the row (or,
/// by `also_changed`, something stored beside it) changes, the version is bumped, `updated_at`
/// set, and `TYPE.verb` recorded with the new version; otherwise nothing is written.
pub async fn update<E: Synced>(
    tx: &Tx,
    context: &AuditContext,
    current: Locked<E::Model>,
    expected: &Precondition,
    verb: &str,
    also_changed: bool,
    edit: impl FnOnce(&mut E::ActiveModel),
) -> Result<Written<E::Model>, DomainError> {
    let current = current.into_row();
    expected.check(current.version())?;
    let mut row: E::ActiveModel = current.clone().into_active_model();
    edit(&mut row);
    if !also_changed && row.clone().try_into_model()? == current {
        return Ok(Written {
            row: current,
            created: false,
            changed: false,
        });
    }
    let version = current.version() + 1;
    stamp::<E>(&mut row, version, Utc::now());
    let updated = conditional_update::<E>(tx, &current, row).await?;
    changes::record_write(
        tx,
        context,
        &action::<E>(verb),
        change::<E>(&updated, Op::Upsert, version),
    )
    .await?;
    Ok(Written {
        row: updated,
        created: false,
        changed: true,
    })
}

/// Soft-deletes a locked row after checking the caller's precondition: afterwards it is "not
/// found", and the feed carries a tombstone.
pub async fn soft_delete<E: Synced>(
    tx: &Tx,
    context: &AuditContext,
    current: Locked<E::Model>,
    expected: &Precondition,
) -> Result<(), DomainError> {
    let current = current.into_row();
    expected.check(current.version())?;
    let now = Utc::now();
    let version = current.version() + 1;
    let mut row: E::ActiveModel = current.clone().into_active_model();
    stamp::<E>(&mut row, version, now);
    row.set(E::COLUMNS.deleted_at, Some(now).into());
    let deleted = conditional_update::<E>(tx, &current, row).await?;
    changes::record_write(
        tx,
        context,
        &action::<E>("deleted"),
        change::<E>(&deleted, Op::Delete, version),
    )
    .await
}

/// Erases the personal fields of a row, live or deleted (`crate::privacy`): `edit` clears
/// them, the version moves on, and the feed carries an `erase` (without values) so partners
/// clear their copies too. The row must have been read in this transaction, under the
/// writers' lock; a row changed since is [`DomainError::Stale`].
pub async fn erase<E: Synced>(
    tx: &Tx,
    context: &AuditContext,
    current: E::Model,
    edit: impl FnOnce(&mut E::ActiveModel),
) -> Result<E::Model, DomainError> {
    let version = current.version() + 1;
    let mut row: E::ActiveModel = current.clone().into_active_model();
    edit(&mut row);
    stamp::<E>(&mut row, version, Utc::now());
    let erased = conditional_update::<E>(tx, &current, row).await?;
    changes::record_write(
        tx,
        context,
        &action::<E>("erased"),
        change::<E>(&erased, Op::Erase, version),
    )
    .await?;
    Ok(erased)
}

/// [`erase`]s a live row, then deletes it: the feed carries the `erase`, then the tombstone.
pub async fn erase_and_delete<E: Synced>(
    tx: &Tx,
    context: &AuditContext,
    current: E::Model,
    edit: impl FnOnce(&mut E::ActiveModel),
) -> Result<(), DomainError> {
    let erased = erase::<E>(tx, context, current, edit).await?;
    soft_delete::<E>(tx, context, Locked(erased), &Precondition::None).await
}

/// `UPDATE ... WHERE id = ? AND version = <locked version>`: nothing is written unless the row
/// is still the one that was locked.
async fn conditional_update<E: Synced>(
    tx: &Tx,
    current: &E::Model,
    row: E::ActiveModel,
) -> Result<E::Model, DomainError> {
    let updated = row.clone().try_into_model()?;
    let result = E::update_many()
        .set(row)
        .filter(E::COLUMNS.id.eq(current.id()))
        .filter(E::COLUMNS.version.eq(current.version()))
        .exec(tx)
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::Stale {
            current: current.version(),
        });
    }
    Ok(updated)
}

/// A list of `min..=max` ids without repeats, in the order sent; each repeat is named. The items
/// of a list out of range are not judged one by one (a body can hold thousands).
pub fn unique_ids(
    errors: &mut Vec<crate::FieldError>,
    values: &[Uuid],
    pointer: &str,
    (min, max): (usize, usize),
) -> Vec<Uuid> {
    if !(min..=max).contains(&values.len()) {
        let rule = if min == 0 {
            format!("must list at most {max} ids")
        } else {
            format!("must list {min} to {max} ids")
        };
        errors.push(crate::FieldError::new(pointer, rule));
        return vec![];
    }
    let mut kept: Vec<Uuid> = Vec::with_capacity(values.len());
    for (i, id) in values.iter().enumerate() {
        if kept.contains(id) {
            errors.push(crate::FieldError::new(
                format!("{pointer}/{i}"),
                "is listed twice",
            ));
        } else {
            kept.push(*id);
        }
    }
    kept
}

/// Reads a JSON list kept in a text column; a value that does not parse is an error naming the
/// row and column, never an empty list.
pub fn json_list<T: serde::de::DeserializeOwned>(
    stored: &str,
    table: &str,
    column: &str,
    id: Uuid,
) -> Result<Vec<T>, DomainError> {
    serde_json::from_str(stored).map_err(|e| {
        DomainError::Internal(format!(
            "{table} {id}: column {column} does not hold a JSON list ({e})"
        ))
    })
}

/// Writes a list into a text column as JSON.
pub fn json_text<T: serde::Serialize>(values: &[T]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_that_does_not_exist_matches_no_tag() {
        assert!(Precondition::None.check_absent().is_ok());
        for expected in [
            Precondition::Any,
            Precondition::version(1),
            Precondition::OneOf(vec![]),
        ] {
            assert!(matches!(
                expected.check_absent(),
                Err(DomainError::NoCurrentVersion)
            ));
        }
        assert!(matches!(
            Precondition::Malformed.check_absent(),
            Err(DomainError::BadPrecondition)
        ));
    }

    #[test]
    fn preconditions_compare_strongly() {
        assert!(Precondition::None.check(3).is_ok());
        assert!(Precondition::Any.check(3).is_ok());
        assert!(Precondition::version(3).check(3).is_ok());
        assert!(Precondition::OneOf(vec![1, 3]).check(3).is_ok());
        assert!(matches!(
            Precondition::version(2).check(3),
            Err(DomainError::Stale { current: 3 })
        ));
        assert!(matches!(
            Precondition::OneOf(vec![]).check(3),
            Err(DomainError::Stale { .. })
        ));
        assert!(matches!(
            Precondition::Malformed.check(3),
            Err(DomainError::BadPrecondition)
        ));
    }
}
