//! Refresh tokens: opaque, random, stored only as a SHA-256 hash, rotated on every use. Using a
//! token twice revokes its whole family: the thief and the owner are both logged out.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter};
use sha2::{Digest, Sha256};

use super::user;
use crate::DomainError;

/// How long a refresh token lives unused.
pub const TTL: Duration = Duration::days(30);

pub use super::entity::refresh_token::{ActiveModel, Column, Entity, Model};

/// SHA-256 of a secret, hex: what is stored instead of a token or client secret.
pub fn digest(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

/// A new opaque token: 32 random bytes, base64url.
fn generate() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Issues a token for `user_id`, in `family_id` or a new family; returns the token itself.
pub async fn issue(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    family_id: Option<Uuid>,
) -> Result<String, DomainError> {
    let token = generate();
    let now = Utc::now();
    ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        family_id: Set(family_id.unwrap_or_else(Uuid::now_v7)),
        token_hash: Set(digest(&token)),
        issued_at: Set(now),
        expires_at: Set(now + TTL),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// A new token replaces the presented one.
    Rotated {
        /// The token's owner.
        user: user::Model,
        /// The new refresh token.
        token: String,
    },
    /// The token had been used already: its family is now revoked.
    ReuseDetected {
        /// The owner of the family.
        user_id: Uuid,
        /// The revoked family.
        family_id: Uuid,
    },
    /// Unknown, expired, revoked, or its user is deactivated.
    Invalid,
}

/// Exchanges a refresh token for a new one in the same family. Run it in a write transaction.
pub async fn rotate(db: &impl ConnectionTrait, token: &str) -> Result<Rotation, DomainError> {
    let Some(row) = Entity::find()
        .filter(Column::TokenHash.eq(digest(token)))
        .one(db)
        .await?
    else {
        return Ok(Rotation::Invalid);
    };
    let now = Utc::now();
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Ok(Rotation::Invalid);
    }
    let reuse = Rotation::ReuseDetected {
        user_id: row.user_id,
        family_id: row.family_id,
    };
    if row.used_at.is_some() {
        revoke_family(db, row.family_id).await?;
        return Ok(reuse);
    }
    // Marks it used only if nobody else did meanwhile: of two racing refreshes, one wins.
    let claimed = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now))
        .filter(Column::Id.eq(row.id))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if claimed.rows_affected == 0 {
        revoke_family(db, row.family_id).await?;
        return Ok(reuse);
    }
    let Some(user) = user::Entity::find_by_id(row.user_id).one(db).await? else {
        return Ok(Rotation::Invalid);
    };
    if !user.active {
        revoke_family(db, row.family_id).await?;
        return Ok(Rotation::Invalid);
    }
    let token = issue(db, user.id, Some(row.family_id)).await?;
    Ok(Rotation::Rotated { user, token })
}

/// Revokes every token of a family.
pub async fn revoke_family(db: &impl ConnectionTrait, family_id: Uuid) -> Result<(), DomainError> {
    Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(Utc::now()))
        .filter(Column::FamilyId.eq(family_id))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every token of a user (password change, deactivation).
pub async fn revoke_user(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), DomainError> {
    Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(Utc::now()))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Logs out the family of `token`; returns its owner when the token was known.
pub async fn logout(db: &impl ConnectionTrait, token: &str) -> Result<Option<Uuid>, DomainError> {
    let row = Entity::find()
        .filter(Column::TokenHash.eq(digest(token)))
        .one(db)
        .await?;
    match row {
        Some(row) => {
            revoke_family(db, row.family_id).await?;
            Ok(Some(row.user_id))
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), a);
        assert_eq!(digest(&a), digest(&a));
    }
}
