//! Login throttling: after repeated failures an account (or an address) is locked for a window
//! that doubles with each new failure. Refusals are immediate: no connection is held open.
//!
//! Every attempt is counted, atomically, *before* its password is checked: the throttle row is
//! locked, a lock in force refuses the attempt, and otherwise the attempt is counted as a
//! failure in advance (a success takes it back). So however many guesses arrive at once, at
//! most the limit is ever checked per window.

use chrono::{DateTime, Duration, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, QuerySelect};

use crate::DomainError;
use crate::db::Tx;

/// Failures count towards a lock while each follows the previous within this window.
pub const WINDOW: Duration = Duration::minutes(15);
/// Failures of one account before it is locked.
pub const ACCOUNT_LIMIT: i32 = 5;
/// Failures from one address before it is locked.
pub const ADDRESS_LIMIT: i32 = 20;
/// First lock; each further failure doubles it.
pub const BASE_LOCK: Duration = Duration::seconds(60);
/// Longest lock.
pub const MAX_LOCK: Duration = Duration::hours(1);

pub use super::entity::login_throttle::{ActiveModel, Column, Entity, Model};

/// The throttle key of an account.
pub fn account_key(email: &str) -> String {
    format!("account:{}", super::user::normalise_email(email))
}

/// The throttle key of a network address.
pub fn address_key(address: &str) -> String {
    format!("address:{address}")
}

/// The state after one more failure at `now`, for a key locked after `limit` failures.
pub fn after_failure(
    previous: Option<(i32, DateTime<Utc>)>,
    now: DateTime<Utc>,
    limit: i32,
) -> (i32, Option<DateTime<Utc>>) {
    let failures = match previous {
        Some((failures, last)) if now - last <= WINDOW => failures + 1,
        _ => 1,
    };
    let locked_until = (failures >= limit).then(|| {
        let doublings = u32::try_from(failures - limit).unwrap_or(0).min(16);
        let lock = BASE_LOCK * 2_i32.pow(doublings.min(12));
        now + lock.min(MAX_LOCK)
    });
    (failures, locked_until)
}

/// Locks the throttle row of `key`, creating it when missing.
async fn lock_row(tx: &Tx, key: &str, now: DateTime<Utc>) -> Result<Model, DomainError> {
    Entity::insert(ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        last_failure_at: Set(now),
        locked_until: Set(None),
    })
    .on_conflict(OnConflict::column(Column::Key).do_nothing().to_owned())
    .exec_without_returning(tx)
    .await?;
    Entity::find_by_id(key.to_owned())
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("throttle row {key} vanished")))
}

/// Claims one login attempt against each `(key, limit)`: refused, with how long the longest
/// lock still runs, when any key is locked; otherwise counted as a failure in advance. Run in
/// its own short write transaction, before the password is checked.
pub async fn claim_attempt(
    tx: &Tx,
    keys: &[(String, i32)],
    now: DateTime<Utc>,
) -> Result<Option<Duration>, DomainError> {
    let mut rows = Vec::with_capacity(keys.len());
    for (key, limit) in keys {
        rows.push((lock_row(tx, key, now).await?, *limit));
    }
    let locked = rows
        .iter()
        .filter_map(|(row, _)| row.locked_until)
        .filter(|until| *until > now)
        .map(|until| until - now)
        .max();
    if locked.is_some() {
        return Ok(locked);
    }
    for (row, limit) in rows {
        let previous = (row.failures > 0).then_some((row.failures, row.last_failure_at));
        let (failures, locked_until) = after_failure(previous, now, limit);
        let mut active: ActiveModel = row.into();
        active.failures = Set(failures);
        active.last_failure_at = Set(now);
        active.locked_until = Set(locked_until);
        active.update(tx).await?;
    }
    Ok(None)
}

/// Takes back the attempt a successful login counted in advance against `key` (an address),
/// lifting a lock that attempt set.
pub async fn withdraw_attempt(
    tx: &Tx,
    key: &str,
    limit: i32,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let row = lock_row(tx, key, now).await?;
    let failures = (row.failures - 1).max(0);
    let mut active: ActiveModel = row.into();
    active.failures = Set(failures);
    if failures < limit {
        active.locked_until = Set(None);
    }
    active.update(tx).await?;
    Ok(())
}

/// Forgets the failures of `key` (after a successful login).
pub async fn reset(tx: &Tx, key: &str) -> Result<(), DomainError> {
    Entity::delete_by_id(key.to_owned()).exec(tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(minutes)
    }

    #[test]
    fn the_fifth_failure_locks_and_each_further_one_doubles_the_lock() {
        let mut state = None;
        for minute in 0..4 {
            let (failures, locked) = after_failure(state, at(minute), ACCOUNT_LIMIT);
            assert!(locked.is_none(), "failure {failures} does not lock");
            state = Some((failures, at(minute)));
        }
        let (failures, locked) = after_failure(state, at(4), ACCOUNT_LIMIT);
        assert_eq!((failures, locked), (5, Some(at(4) + BASE_LOCK)));
        let (failures, locked) = after_failure(Some((5, at(4))), at(6), ACCOUNT_LIMIT);
        assert_eq!((failures, locked), (6, Some(at(6) + BASE_LOCK * 2)));
        let (_, locked) = after_failure(Some((40, at(0))), at(1), ACCOUNT_LIMIT);
        assert_eq!(locked, Some(at(1) + MAX_LOCK));
    }

    #[test]
    fn failures_spread_beyond_the_window_start_over() {
        let (failures, locked) = after_failure(Some((4, at(0))), at(16), ACCOUNT_LIMIT);
        assert_eq!((failures, locked), (1, None));
    }

    #[test]
    fn keys_are_normalised() {
        assert_eq!(account_key(" Awa@Example.BE"), "account:awa@example.be");
        assert_eq!(address_key("127.0.0.1"), "address:127.0.0.1");
    }
}
