//! Idempotency keys: a retried `POST` with the same key and body gets the first response again;
//! the same key with another body is refused; a key whose first request still runs is busy.
//! Keys are kept per caller for 24 hours.

use chrono::{DateTime, Duration, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter};

use crate::DomainError;

/// How long a key is remembered.
pub const RETENTION: Duration = Duration::hours(24);
/// How long a key whose first request has not answered stays "in flight": past this lease the
/// request is taken for dead (its process stopped), and a retry runs again instead of being
/// locked out for a day. Longer than any request runs (imports included).
pub const LEASE: Duration = Duration::minutes(2);

/// A key as stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    /// `user:<id>` or `client:<id>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub caller: String,
    /// The client's key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// SHA-256 of the request (path, query, body), hex.
    pub request_hash: String,
    /// The first response's status; `None` while it runs.
    pub status_code: Option<i32>,
    /// The first response's body.
    pub response_body: Option<String>,
    /// The first response's replayable headers, as a JSON object.
    pub response_headers: Option<String>,
    /// When the first request arrived.
    pub created_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What to do with a request carrying a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// First time: run it, then [`complete`] (or [`abandon`]).
    Fresh,
    /// Seen and finished: answer this again.
    Replay {
        /// Status.
        status: u16,
        /// Body.
        body: String,
        /// Headers (JSON object of name to value).
        headers: String,
    },
    /// The key was used for another request.
    Mismatch,
    /// The first request with this key still runs.
    InFlight,
}

/// Claims `key` for `caller`'s request with `hash`, or says how it was used before.
pub async fn begin(
    db: &impl ConnectionTrait,
    caller: &str,
    key: &str,
    hash: &str,
) -> Result<Begin, DomainError> {
    let now = Utc::now();
    let existing = Entity::find_by_id((caller.to_owned(), key.to_owned()))
        .one(db)
        .await?;
    let existing = match existing {
        Some(row) if now - row.created_at > RETENTION => {
            Entity::delete_by_id((caller.to_owned(), key.to_owned()))
                .exec(db)
                .await?;
            None
        }
        other => other,
    };
    Ok(match existing {
        Some(row) if row.request_hash != hash => Begin::Mismatch,
        Some(Model {
            status_code: None,
            created_at,
            ..
        }) if now - created_at > LEASE => {
            // The first request died without answering: take its key over, atomically (of
            // two retries, one takes it and the other finds it in flight).
            let taken = Entity::update_many()
                .col_expr(Column::CreatedAt, sea_orm::sea_query::Expr::value(now))
                .filter(Column::Caller.eq(caller))
                .filter(Column::Key.eq(key))
                .filter(Column::StatusCode.is_null())
                .filter(Column::CreatedAt.eq(created_at))
                .exec(db)
                .await?;
            if taken.rows_affected == 1 {
                Begin::Fresh
            } else {
                Begin::InFlight
            }
        }
        Some(Model {
            status_code: None, ..
        }) => Begin::InFlight,
        Some(row) => Begin::Replay {
            status: u16::try_from(row.status_code.unwrap_or(200)).unwrap_or(200),
            body: row.response_body.unwrap_or_default(),
            headers: row.response_headers.unwrap_or_else(|| "{}".into()),
        },
        None => {
            let claimed = ActiveModel {
                caller: Set(caller.to_owned()),
                key: Set(key.to_owned()),
                request_hash: Set(hash.to_owned()),
                status_code: Set(None),
                response_body: Set(None),
                response_headers: Set(None),
                created_at: Set(now),
            }
            .insert(db)
            .await;
            match claimed.map_err(DomainError::from) {
                Ok(_) => Begin::Fresh,
                // Another request claimed it between our read and our insert.
                Err(DomainError::Conflict(_)) => Begin::InFlight,
                Err(other) => return Err(other),
            }
        }
    })
}

/// Stores the first response for replay.
pub async fn complete(
    db: &impl ConnectionTrait,
    caller: &str,
    key: &str,
    status: u16,
    body: String,
    headers: String,
) -> Result<(), DomainError> {
    Entity::update_many()
        .col_expr(
            Column::StatusCode,
            sea_orm::sea_query::Expr::value(i32::from(status)),
        )
        .col_expr(Column::ResponseBody, sea_orm::sea_query::Expr::value(body))
        .col_expr(
            Column::ResponseHeaders,
            sea_orm::sea_query::Expr::value(headers),
        )
        .filter(Column::Caller.eq(caller))
        .filter(Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets a key whose request failed on our side, so that a retry runs again.
pub async fn abandon(
    db: &impl ConnectionTrait,
    caller: &str,
    key: &str,
) -> Result<(), DomainError> {
    Entity::delete_by_id((caller.to_owned(), key.to_owned()))
        .exec(db)
        .await?;
    Ok(())
}
