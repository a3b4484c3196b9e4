//! Login throttling: after repeated failures an account (or an address) is locked for a window
//! that doubles with each new failure. Refusals are immediate: no connection is held open.
//!
//! Every attempt is claimed, atomically, *before* its password is checked: the throttle rows
//! are locked, a lock in force refuses the attempt, and otherwise the attempt is counted as in
//! flight. An attempt is admitted only while the failures so far plus the attempts in flight
//! stay under the limit; the others wait for those to finish ([`Claim::Busy`]). So however
//! many guesses arrive at once, at most the limit is ever checked per window, and correct
//! attempts arriving together are never counted as failures.

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
/// Attempts in flight are forgotten once the latest was claimed this long ago: checking a
/// password takes well under a second, so only an attempt whose server stopped is that old.
pub const PENDING_STALE: Duration = Duration::seconds(30);

pub use super::entity::login_throttle::{ActiveModel, Column, Entity, Model};

/// What claiming an attempt decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The attempt may check its password; it is counted as in flight.
    Granted,
    /// A key is locked for this much longer.
    Locked(Duration),
    /// Attempts in flight could reach the limit: wait for them and claim again.
    Busy,
}

/// How a claimed attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The credentials were right: the account's failures are forgotten.
    Succeeded,
    /// The credentials were wrong: one more failure on every key.
    Failed,
    /// The check could not be made (the database failed): the attempt counts for nothing.
    Abandoned,
}

/// The attempts in flight on `row` at `now`.
pub fn in_flight(row: &Model, now: DateTime<Utc>) -> i32 {
    match row.pending_since {
        Some(since) if now - since <= PENDING_STALE => row.pending.max(0),
        _ => 0,
    }
}

/// The failures of `row` still counting at `now`.
pub fn recent_failures(row: &Model, now: DateTime<Utc>) -> i32 {
    if now - row.last_failure_at <= WINDOW {
        row.failures
    } else {
        0
    }
}

/// Whether one more attempt may be checked against these rows, each with its limit.
pub fn decide(rows: &[(Model, i32)], now: DateTime<Utc>) -> Claim {
    let locked = rows
        .iter()
        .filter_map(|(row, _)| row.locked_until)
        .filter(|until| *until > now)
        .map(|until| until - now)
        .max();
    if let Some(remaining) = locked {
        return Claim::Locked(remaining);
    }
    let full = rows
        .iter()
        .any(|(row, limit)| recent_failures(row, now) + in_flight(row, now) >= *limit);
    if full { Claim::Busy } else { Claim::Granted }
}

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

/// Locks the throttle row of `key`, creating it when missing. Rows are never deleted, so the
/// row found is the row inserted or the one another attempt holds.
async fn lock_row(tx: &Tx, key: &str, now: DateTime<Utc>) -> Result<Model, DomainError> {
    Entity::insert(ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        last_failure_at: Set(now),
        locked_until: Set(None),
        pending: Set(0),
        pending_since: Set(None),
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

/// Locks the rows of `keys`, in the order given (every attempt gives the same order).
async fn lock_rows(
    tx: &Tx,
    keys: &[(String, i32)],
    now: DateTime<Utc>,
) -> Result<Vec<(Model, i32)>, DomainError> {
    let mut rows = Vec::with_capacity(keys.len());
    for (key, limit) in keys {
        rows.push((lock_row(tx, key, now).await?, *limit));
    }
    Ok(rows)
}

/// Claims one login attempt against each `(key, limit)` (see [`decide`]); a granted attempt is
/// counted as in flight until [`finish_attempt`]. Run in its own short write transaction,
/// before the password is checked.
pub async fn claim_attempt(
    tx: &Tx,
    keys: &[(String, i32)],
    now: DateTime<Utc>,
) -> Result<Claim, DomainError> {
    let rows = lock_rows(tx, keys, now).await?;
    let claim = decide(&rows, now);
    if claim == Claim::Granted {
        for (row, _) in rows {
            let pending = in_flight(&row, now) + 1;
            let mut active: ActiveModel = row.into();
            active.pending = Set(pending);
            active.pending_since = Set(Some(now));
            active.update(tx).await?;
        }
    }
    Ok(claim)
}

/// Ends an attempt granted by [`claim_attempt`] against the same keys: it is no longer in
/// flight; a failure counts on every key (and may lock it), a success forgets the failures of
/// the account (the first key) but not of the address.
pub async fn finish_attempt(
    tx: &Tx,
    keys: &[(String, i32)],
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let rows = lock_rows(tx, keys, now).await?;
    for (index, (row, limit)) in rows.into_iter().enumerate() {
        let pending = (in_flight(&row, now) - 1).max(0);
        let previous = (row.failures > 0).then_some((row.failures, row.last_failure_at));
        let mut active: ActiveModel = row.into();
        active.pending = Set(pending);
        if pending == 0 {
            active.pending_since = Set(None);
        }
        match outcome {
            Outcome::Failed => {
                let (failures, locked_until) = after_failure(previous, now, limit);
                active.failures = Set(failures);
                active.last_failure_at = Set(now);
                active.locked_until = Set(locked_until);
            }
            Outcome::Succeeded if index == 0 => {
                active.failures = Set(0);
                active.locked_until = Set(None);
            }
            Outcome::Succeeded | Outcome::Abandoned => {}
        }
        active.update(tx).await?;
    }
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

    fn row(failures: i32, pending: i32, pending_at: Option<i64>) -> Model {
        Model {
            key: "account:awa@example.be".to_owned(),
            failures,
            last_failure_at: at(0),
            locked_until: None,
            pending,
            pending_since: pending_at.map(at),
        }
    }

    #[test]
    fn an_attempt_waits_while_failures_and_attempts_in_flight_reach_the_limit() {
        let now = at(1);
        assert_eq!(decide(&[(row(0, 4, Some(1)), 5)], now), Claim::Granted);
        assert_eq!(decide(&[(row(0, 5, Some(1)), 5)], now), Claim::Busy);
        assert_eq!(decide(&[(row(3, 2, Some(1)), 5)], now), Claim::Busy);
        assert_eq!(decide(&[(row(3, 1, Some(1)), 5)], now), Claim::Granted);
        // Either key may be the full one.
        assert_eq!(
            decide(&[(row(0, 0, None), 5), (row(19, 1, Some(1)), 20)], now),
            Claim::Busy
        );
    }

    #[test]
    fn a_lock_refuses_with_the_time_it_still_runs() {
        let mut locked = row(5, 0, None);
        locked.locked_until = Some(at(3));
        assert_eq!(
            decide(&[(row(0, 0, None), 20), (locked.clone(), 5)], at(1)),
            Claim::Locked(Duration::minutes(2))
        );
        assert_eq!(decide(&[(locked, 5)], at(20)), Claim::Granted);
    }

    #[test]
    fn attempts_in_flight_of_a_stopped_server_and_old_failures_stop_counting() {
        let stale = row(0, 5, Some(0));
        assert_eq!(in_flight(&stale, at(0) + PENDING_STALE), 5);
        assert_eq!(in_flight(&stale, at(1)), 0);
        assert_eq!(decide(&[(stale, 5)], at(1)), Claim::Granted);
        assert_eq!(recent_failures(&row(4, 0, None), at(16)), 0);
        assert_eq!(decide(&[(row(4, 1, Some(16)), 5)], at(16)), Claim::Granted);
    }

    #[test]
    fn keys_are_normalised() {
        assert_eq!(account_key(" Awa@Example.BE"), "account:awa@example.be");
        assert_eq!(address_key("127.0.0.1"), "address:127.0.0.1");
    }
}
