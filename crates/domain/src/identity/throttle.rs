//! Login throttling: after repeated failures an account (or an address) is locked for a window
//! that doubles with each new failure. Refusals are immediate: no connection is held open.

use chrono::{DateTime, Duration, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

use crate::DomainError;

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

/// A throttle row as stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttles")]
pub struct Model {
    /// `account:<email>` or `address:<ip>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Consecutive failures.
    pub failures: i32,
    /// When the last failure happened.
    pub last_failure_at: DateTime<Utc>,
    /// Attempts are refused until then.
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

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

/// How long the longest lock among `keys` still runs, if any.
pub async fn locked_for(
    db: &impl ConnectionTrait,
    keys: &[String],
    now: DateTime<Utc>,
) -> Result<Option<Duration>, DomainError> {
    let rows = Entity::find()
        .filter(Column::Key.is_in(keys.iter().cloned()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| row.locked_until)
        .filter(|until| *until > now)
        .map(|until| until - now)
        .max())
}

/// Counts one failure against `key`.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    key: &str,
    limit: i32,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let existing = Entity::find_by_id(key.to_owned()).one(db).await?;
    let (failures, locked_until) = after_failure(
        existing.as_ref().map(|r| (r.failures, r.last_failure_at)),
        now,
        limit,
    );
    let row = ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(failures),
        last_failure_at: Set(now),
        locked_until: Set(locked_until),
    };
    if existing.is_some() {
        row.update(db).await?;
    } else {
        row.insert(db).await?;
    }
    Ok(())
}

/// Forgets the failures of `key` (after a successful login).
pub async fn reset(db: &impl ConnectionTrait, key: &str) -> Result<(), DomainError> {
    Entity::delete_by_id(key.to_owned()).exec(db).await?;
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
