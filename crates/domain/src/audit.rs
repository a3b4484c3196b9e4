//! The audit log: who did what to which record, when, from where. Never a field value, password,
//! token or secret.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::DomainError;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A logged-in person.
    User(Uuid),
    /// A partner API client.
    Client(Uuid),
    /// Nobody authenticated (a failed login, say).
    Anonymous,
    /// The server itself (start-up bootstrap, command line).
    System,
}

/// The kind of actor, as stored and shown.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ActorType {
    /// A logged-in person.
    User,
    /// A partner API client.
    Client,
    /// Nobody authenticated.
    Anonymous,
    /// The server itself.
    System,
}

impl Actor {
    /// The stored form: actor type and id.
    pub fn parts(self) -> (ActorType, Option<Uuid>) {
        match self {
            Self::User(id) => (ActorType::User, Some(id)),
            Self::Client(id) => (ActorType::Client, Some(id)),
            Self::Anonymous => (ActorType::Anonymous, None),
            Self::System => (ActorType::System, None),
        }
    }
}

/// The request an action happened in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    /// Who acted.
    pub actor: Actor,
    /// The request id.
    pub request_id: Option<String>,
    /// The caller's network address.
    pub source_address: Option<String>,
}

impl AuditContext {
    /// A context for work the server does by itself.
    pub fn system() -> Self {
        Self {
            actor: Actor::System,
            request_id: None,
            source_address: None,
        }
    }

    /// The same request, acted by someone else (a login's actor becomes the user).
    pub fn as_actor(&self, actor: Actor) -> Self {
        Self {
            actor,
            ..self.clone()
        }
    }
}

/// An audit row as stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    /// UUID v7: sorts by time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who acted: a user, a client, nobody, or the server.
    pub actor_type: ActorType,
    /// The user's or client's id.
    pub actor_id: Option<Uuid>,
    /// What was done, such as `login.failed` or `user.created`.
    pub action: String,
    /// The kind of record acted on, such as `user`.
    pub target_type: Option<String>,
    /// Its id.
    pub target_id: Option<String>,
    /// The request it happened in.
    pub request_id: Option<String>,
    /// The caller's address.
    pub source_address: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Appends one row.
pub async fn record(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    action: &str,
    target: Option<(&str, String)>,
) -> Result<(), DomainError> {
    let (actor_type, actor_id) = context.actor.parts();
    let (target_type, target_id) = match target {
        Some((kind, id)) => (Some(kind.to_owned()), Some(id)),
        None => (None, None),
    };
    ActiveModel {
        id: Set(Uuid::now_v7()),
        occurred_at: Set(Utc::now()),
        actor_type: Set(actor_type),
        actor_id: Set(actor_id),
        action: Set(action.to_owned()),
        target_type: Set(target_type),
        target_id: Set(target_id),
        request_id: Set(context.request_id.clone()),
        source_address: Set(context.source_address.clone()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Appends one row per target, in one statement per 500 rows (bulk imports, list pages).
pub async fn record_many(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    action: &str,
    target_type: &str,
    target_ids: &[String],
) -> Result<(), DomainError> {
    let (actor_type, actor_id) = context.actor.parts();
    for chunk in target_ids.chunks(500) {
        let rows = chunk.iter().map(|id| ActiveModel {
            id: Set(Uuid::now_v7()),
            occurred_at: Set(Utc::now()),
            actor_type: Set(actor_type),
            actor_id: Set(actor_id),
            action: Set(action.to_owned()),
            target_type: Set(Some(target_type.to_owned())),
            target_id: Set(Some(id.clone())),
            request_id: Set(context.request_id.clone()),
            source_address: Set(context.source_address.clone()),
        });
        Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this actor's rows.
    pub actor_id: Option<Uuid>,
    /// Only this action.
    pub action: Option<String>,
    /// Only rows about this kind of record.
    pub target_type: Option<String>,
    /// Only rows about this record.
    pub target_id: Option<String>,
    /// Only rows at or after this time.
    pub occurred_after: Option<DateTime<Utc>>,
    /// Only rows before this time.
    pub occurred_before: Option<DateTime<Utc>>,
}

/// Lists rows, newest first. Filter values are checked: a problem names the parameter.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<Model>, DomainError> {
    let mut errors = Vec::new();
    for (name, value, max) in [
        ("action", &filter.action, 60),
        ("target_type", &filter.target_type, 40),
        ("target_id", &filter.target_id, 100),
    ] {
        if let Some(value) = value {
            crate::text::collect(&mut errors, crate::text::line(value, name, 1, max));
        }
    }
    for (name, value) in [
        ("occurred_after", filter.occurred_after),
        ("occurred_before", filter.occurred_before),
    ] {
        if let Some(at) = value {
            crate::text::collect(&mut errors, crate::time::check_instant(at, name));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let mut select = Entity::find();
    if let Some(actor) = filter.actor_id {
        select = select.filter(Column::ActorId.eq(actor));
    }
    if let Some(action) = &filter.action {
        select = select.filter(Column::Action.eq(action.as_str()));
    }
    if let Some(kind) = &filter.target_type {
        select = select.filter(Column::TargetType.eq(kind.as_str()));
    }
    if let Some(id) = &filter.target_id {
        select = select.filter(Column::TargetId.eq(id.as_str()));
    }
    if let Some(after) = filter.occurred_after {
        select = select.filter(Column::OccurredAt.gte(after));
    }
    if let Some(before) = filter.occurred_before {
        select = select.filter(Column::OccurredAt.lt(before));
    }
    paging::by_unique_key(db, select, Column::Id, Order::Desc, page, |row| {
        KeyValue::Uuid(row.id)
    })
    .await
}
