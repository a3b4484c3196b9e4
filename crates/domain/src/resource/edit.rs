//! Editing and deleting a record as a whole: the one path every replacement (`PUT`), merged
//! patch (`PATCH`) and `DELETE` of a synced resource takes. A resource declares its hooks
//! ([`Editable`]); the sequence and the order of refusals are written once, here: not found,
//! stale or malformed `If-Match`, refused by rule, invalid fields, conflicts.

use std::future::Future;

use uuid::Uuid;

use super::{Precondition, Record, Synced, Written, lock_live, soft_delete, update};
use crate::DomainError;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::policy::CallerScope;

/// A synced resource edited as a whole: its writable fields are read from the current record,
/// edited by the caller (replaced, or merged with a patch), checked, and written back.
pub trait Editable: Synced {
    /// The record as callers read it: the row with what is stored beside it.
    type View: Send + Sync;
    /// Its writable fields.
    type Input;
    /// Writable fields that keep every rule, ready to write.
    type Valid: Send + Sync;

    /// The record as callers read it.
    fn view(
        tx: &Tx,
        row: Self::Model,
    ) -> impl Future<Output = Result<Self::View, DomainError>> + Send;

    /// Its writable fields as they stand.
    fn input(current: &Self::View) -> Self::Input;

    /// Checks edited fields, against the current record and the rest of the data.
    fn check(
        tx: &Tx,
        current: &Self::View,
        input: Self::Input,
        scope: &CallerScope,
    ) -> impl Future<Output = Result<Self::Valid, DomainError>> + Send;

    /// Writes checked fields into the row.
    fn apply(current: &Self::View, valid: &Self::Valid, row: &mut Self::ActiveModel);

    /// Whether what is stored beside the row changes: a change, and a new version, even when
    /// the row itself does not.
    fn beside_changed(_current: &Self::View, _valid: &Self::Valid) -> bool {
        false
    }

    /// Writes what is stored beside the row, once the row is written.
    fn write_beside(
        _tx: &Tx,
        _context: &AuditContext,
        _current: &Self::View,
        _valid: &Self::Valid,
    ) -> impl Future<Output = Result<(), DomainError>> + Send {
        async { Ok(()) }
    }

    /// Refuses a delete this caller may not make (asked once the record is found).
    fn may_delete(_scope: &CallerScope) -> Result<(), DomainError> {
        Ok(())
    }

    /// What a delete changes elsewhere, in the same transaction (default: nothing).
    fn on_deleted(
        _tx: &Tx,
        _context: &AuditContext,
        _row: &Self::Model,
    ) -> impl Future<Output = Result<(), DomainError>> + Send {
        async { Ok(()) }
    }
}

/// Changes record `id`: `edit` gives its new writable fields from the current ones. A change
/// that changes nothing keeps the version and records nothing.
pub async fn edit<E: Editable, X: From<DomainError>>(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    expected: &Precondition,
    scope: &CallerScope,
    edit: impl FnOnce(E::Input) -> Result<E::Input, X>,
) -> Result<Written<E::View>, X> {
    let locked = lock_live::<E>(tx, id, scope).await?;
    expected.check(locked.version())?;
    let current = E::view(tx, locked.row().clone()).await?;
    let input = edit(E::input(&current))?;
    let valid = E::check(tx, &current, input, scope).await?;
    let beside = E::beside_changed(&current, &valid);
    let written = update::<E>(tx, context, locked, expected, "updated", beside, |row| {
        E::apply(&current, &valid, row);
    })
    .await?;
    if written.changed {
        E::write_beside(tx, context, &current, &valid).await?;
    }
    Ok(Written {
        row: E::view(tx, written.row).await?,
        created: false,
        changed: written.changed,
    })
}

/// Soft-deletes record `id`: afterwards it is "not found", and the change feed carries a
/// tombstone.
pub async fn delete<E: Editable>(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    expected: &Precondition,
    scope: &CallerScope,
) -> Result<(), DomainError> {
    let current = lock_live::<E>(tx, id, scope).await?;
    E::may_delete(scope)?;
    let row = current.row().clone();
    soft_delete::<E>(tx, context, current, expected).await?;
    E::on_deleted(tx, context, &row).await
}
