//! Publication consent: what an association agreed may appear in the public repertoire. Every
//! change is kept.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::entity::{association, consent_change};
use crate::DomainError;
use crate::audit::{self, AuditContext};
use crate::changes::ResourceType;
use crate::db::Tx;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::policy::CallerScope;
use crate::resource::{self, json_list, json_text};

/// Appends a consent record for an association.
pub(super) async fn record(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    granted: bool,
    fields: &[String],
) -> Result<(), DomainError> {
    let (actor_type, actor_id) = context.actor.parts();
    consent_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        association_id: Set(id),
        granted: Set(granted),
        fields: Set(json_text(fields)),
        actor_type: Set(actor_type),
        actor_id: Set(actor_id),
        recorded_at: Set(Utc::now()),
    }
    .insert(tx)
    .await?;
    audit::record(
        tx,
        context,
        "association.consent_changed",
        Some((ResourceType::Association.as_str(), id.to_string())),
    )
    .await
}

/// A recorded consent, its fields read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// The stored row.
    pub row: consent_change::Model,
    /// The publishable fields from then on.
    pub fields: Vec<String>,
}

impl ConsentRecord {
    fn new(row: consent_change::Model) -> Result<Self, DomainError> {
        let fields = json_list(&row.fields, "consent_changes", "fields", row.id)?;
        Ok(Self { row, fields })
    }
}

/// The publication-consent history of an association, oldest first, paged.
pub async fn history(
    db: &impl ConnectionTrait,
    id: Uuid,
    page: &PageRequest,
    scope: &CallerScope,
) -> Result<Page<ConsentRecord>, DomainError> {
    resource::find_live::<association::Entity>(db, id, scope).await?;
    let select =
        consent_change::Entity::find().filter(consent_change::Column::AssociationId.eq(id));
    let page = paging::by_unique_key(
        db,
        select,
        consent_change::Column::Id,
        Order::Asc,
        page,
        |c| KeyValue::Uuid(c.id),
    )
    .await?;
    let items = page
        .items
        .into_iter()
        .map(ConsentRecord::new)
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}
