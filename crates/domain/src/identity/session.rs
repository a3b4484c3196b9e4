//! Logging in: throttling, credential checks, refresh-token issue, and the audit trail of each.

use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;

use super::{refresh, throttle, user};
use crate::audit::{self, Actor, AuditContext};
use crate::{DomainError, db};

/// What a login attempt led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// The credentials are right: here are the user and a new refresh token.
    Succeeded {
        /// The user.
        user: user::Model,
        /// The first token of a new family.
        refresh_token: String,
    },
    /// Unknown email, wrong password or deactivated account: indistinguishable to the caller.
    Failed,
    /// Too many recent failures: try again after this long.
    Throttled {
        /// How long the lock still runs.
        retry_after: Duration,
    },
}

/// Attempts a login. The attempt is claimed before the password is checked, atomically, so at
/// most the limit is checked however many arrive at once; refusal under a lock is immediate,
/// and correct attempts arriving together all succeed.
pub async fn login(
    db: &DatabaseConnection,
    context: &AuditContext,
    email: &str,
    password: &str,
) -> Result<Login, DomainError> {
    let mut errors = Vec::new();
    if email.chars().count() > 254 {
        errors.push(crate::FieldError::new(
            "/email",
            "must be at most 254 characters",
        ));
    }
    if password.chars().count() > super::password::MAX_LENGTH {
        errors.push(crate::FieldError::new(
            "/password",
            format!("must be at most {} characters", super::password::MAX_LENGTH),
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let mut keys = vec![(throttle::account_key(email), throttle::ACCOUNT_LIMIT)];
    if let Some(address) = &context.source_address {
        keys.push((throttle::address_key(address), throttle::ADDRESS_LIMIT));
    }
    if let Some(retry_after) = claim(db, context, email, &keys).await? {
        return Ok(Login::Throttled { retry_after });
    }
    // Hashing is slow: check the password outside any write transaction.
    let authenticated = user::authenticate(db, email, password).await;
    let outcome = match &authenticated {
        Ok(Some(_)) => throttle::Outcome::Succeeded,
        Ok(None) => throttle::Outcome::Failed,
        Err(_) => throttle::Outcome::Abandoned,
    };
    let tx = db::begin_write(db).await?;
    throttle::finish_attempt(&tx, &keys, outcome, Utc::now()).await?;
    let login = match authenticated? {
        Some(user) => {
            let refresh_token = refresh::issue(&tx, user.id, None).await?;
            audit::record(
                &tx,
                &context.as_actor(Actor::User(user.id)),
                "login.succeeded",
                Some(("user", user.id.to_string())),
            )
            .await?;
            Login::Succeeded {
                user,
                refresh_token,
            }
        }
        None => {
            let target = user::find_by_email(&tx, email)
                .await?
                .map(|u| ("user", u.id.to_string()));
            audit::record(&tx, context, "login.failed", target).await?;
            Login::Failed
        }
    };
    tx.commit().await?;
    Ok(login)
}

/// How long an attempt waits for the attempts in flight before it is refused.
const CLAIM_PATIENCE: Duration = Duration::seconds(5);
/// How long it sleeps between two claims.
const CLAIM_PAUSE: std::time::Duration = std::time::Duration::from_millis(25);

/// Claims a login attempt (see [`throttle::claim_attempt`]), waiting while attempts in flight
/// could reach a limit: `None` once granted, or how long to wait when refused (recorded in the
/// audit log). Each claim is its own short transaction; no connection is held while waiting.
async fn claim(
    db: &DatabaseConnection,
    context: &AuditContext,
    email: &str,
    keys: &[(String, i32)],
) -> Result<Option<Duration>, DomainError> {
    let deadline = Utc::now() + CLAIM_PATIENCE;
    loop {
        let now = Utc::now();
        let tx = db::begin_write(db).await?;
        let retry_after = match throttle::claim_attempt(&tx, keys, now).await? {
            throttle::Claim::Granted => None,
            throttle::Claim::Locked(remaining) => Some(remaining),
            throttle::Claim::Busy if now >= deadline => Some(Duration::seconds(1)),
            throttle::Claim::Busy => {
                tx.commit().await?;
                tokio::time::sleep(CLAIM_PAUSE).await;
                continue;
            }
        };
        if retry_after.is_some() {
            let target = user::find_by_email(&tx, email)
                .await?
                .map(|u| ("user", u.id.to_string()));
            audit::record(&tx, context, "login.throttled", target).await?;
        }
        tx.commit().await?;
        return Ok(retry_after);
    }
}

/// A refresh token as presented: 1-200 characters (ours are 43).
fn check_token(token: &str) -> Result<(), DomainError> {
    if (1..=200).contains(&token.chars().count()) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "/refresh_token",
            "must be 1 to 200 characters",
        ))
    }
}

/// Exchanges a refresh token, recording reuse in the audit log.
pub async fn refresh(
    db: &DatabaseConnection,
    context: &AuditContext,
    token: &str,
) -> Result<refresh::Rotation, DomainError> {
    check_token(token)?;
    let tx = db::begin_write(db).await?;
    let rotation = refresh::rotate(&tx, token).await?;
    match &rotation {
        refresh::Rotation::ReuseDetected { user_id, family_id } => {
            audit::record(
                &tx,
                context,
                "refresh.reuse_detected",
                Some(("token_family", family_id.to_string())),
            )
            .await?;
            log::warn!(
                "refresh token reuse detected for user {user_id}: family {family_id} revoked"
            );
        }
        refresh::Rotation::Rotated { user, .. } => {
            audit::record(
                &tx,
                &context.as_actor(Actor::User(user.id)),
                "token.refreshed",
                Some(("user", user.id.to_string())),
            )
            .await?;
        }
        refresh::Rotation::Invalid => {}
    }
    tx.commit().await?;
    Ok(rotation)
}

/// Revokes the family of a refresh token.
pub async fn logout(
    db: &DatabaseConnection,
    context: &AuditContext,
    token: &str,
) -> Result<(), DomainError> {
    check_token(token)?;
    let tx = db::begin_write(db).await?;
    if let Some(user_id) = refresh::logout(&tx, token).await? {
        audit::record(
            &tx,
            &context.as_actor(Actor::User(user_id)),
            "logout",
            Some(("user", user_id.to_string())),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
