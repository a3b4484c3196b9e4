//! Importing associations from a spreadsheet: each row matches a live association by enterprise
//! number, then by name; a match is changed when it differs, anything else is created in bulk.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entity::{association, consent_change};
use super::input::{AssociationInput, Valid};
use super::store::{country_codes, insert_links, new_row, validate};
use crate::audit::{self, AuditContext};
use crate::changes::ResourceType;
use crate::db::Tx;
use crate::policy::CallerScope;
use crate::resource::{self, Precondition, json_text};
use crate::{DomainError, FieldError, text};

/// What importing one row did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// A new association.
    Created(Uuid),
    /// An existing one, changed.
    Updated(Uuid),
    /// An existing one, already like this.
    Unchanged(Uuid),
    /// Refused, with one entry per problem (pointers as in the API).
    Error(Vec<FieldError>),
}

/// The live associations a file is matched against, kept current as rows are imported.
struct Registry {
    by_number: HashMap<String, Uuid>,
    by_name: HashMap<String, Uuid>,
    by_skeleton: HashMap<String, (Uuid, String)>,
}

impl Registry {
    fn add(&mut self, id: Uuid, valid: &Valid) {
        self.by_name.insert(text::fold(valid.name()), id);
        self.by_skeleton
            .insert(text::skeleton(valid.name()), (id, valid.name().to_owned()));
        if let Some(number) = valid.enterprise_number() {
            self.by_number.insert(number.to_owned(), id);
        }
    }
}

/// Imports rows in order. Rows that fail are reported, not written; the caller decides
/// whether to commit the rest. New associations are written in bulk (a few statements per 400
/// rows), so a spreadsheet of ten thousand rows imports in seconds. Only callers that act for
/// the whole registry import.
pub async fn import(
    tx: &Tx,
    context: &AuditContext,
    rows: Vec<Result<AssociationInput, Vec<FieldError>>>,
    scope: &CallerScope,
) -> Result<Vec<RowOutcome>, DomainError> {
    if !scope.manages_registry() {
        return Err(DomainError::Forbidden(
            "a caller bound to an association cannot import associations".into(),
        ));
    }
    let countries = country_codes(tx).await?;
    let live = association::Entity::find()
        .filter(association::Column::DeletedAt.is_null())
        .all(tx)
        .await?;
    let mut registry = Registry {
        by_number: live
            .iter()
            .filter_map(|a| a.enterprise_number.clone().map(|n| (n, a.id)))
            .collect(),
        by_name: live.iter().map(|a| (a.name_key.clone(), a.id)).collect(),
        by_skeleton: live
            .iter()
            .map(|a| {
                let skeleton = a.name_skeleton.clone();
                (
                    skeleton.unwrap_or_else(|| text::skeleton(&a.name)),
                    (a.id, a.name.clone()),
                )
            })
            .collect(),
    };
    drop(live);
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut fresh: Vec<(Uuid, Valid)> = Vec::new();
    for row in rows {
        let valid = match row.map(|input| validate(&input, &countries).map(|v| (input, v))) {
            Ok(Ok(pair)) => pair,
            Ok(Err(DomainError::Invalid(errors))) | Err(errors) => {
                outcomes.push(RowOutcome::Error(errors));
                continue;
            }
            Ok(Err(other)) => return Err(other),
        };
        let (input, valid) = valid;
        let matched = valid
            .enterprise_number()
            .and_then(|n| registry.by_number.get(n))
            .or_else(|| registry.by_name.get(&text::fold(valid.name())))
            .copied();
        let look_alike = registry
            .by_skeleton
            .get(&text::skeleton(valid.name()))
            .filter(|(id, _)| Some(*id) != matched);
        if let Some((_, other)) = look_alike {
            outcomes.push(RowOutcome::Error(vec![FieldError::new(
                "/name",
                format!("looks like the name of the association \"{other}\""),
            )]));
            continue;
        }
        match matched {
            Some(id) if fresh.iter().any(|(f, _)| *f == id) => {
                outcomes.push(RowOutcome::Error(vec![FieldError::new(
                    "/name",
                    "repeats an association created earlier in this file",
                )]));
            }
            Some(id) => {
                let written = resource::edit::<association::Entity, _>(
                    tx,
                    context,
                    id,
                    &Precondition::None,
                    scope,
                    |_| Ok::<_, DomainError>(input),
                )
                .await;
                outcomes.push(match written {
                    Ok(w) if w.changed => {
                        registry.add(id, &valid);
                        RowOutcome::Updated(id)
                    }
                    Ok(_) => RowOutcome::Unchanged(id),
                    Err(DomainError::Invalid(errors)) => RowOutcome::Error(errors),
                    Err(DomainError::Conflict(detail)) => {
                        let pointer = if detail.contains("enterprise number") {
                            "/enterprise_number"
                        } else {
                            "/name"
                        };
                        RowOutcome::Error(vec![FieldError::new(pointer, detail)])
                    }
                    Err(DomainError::Refused(refusal)) => {
                        RowOutcome::Error(vec![FieldError::new("/name", refusal.detail)])
                    }
                    Err(other) => return Err(other),
                });
            }
            None => {
                let id = Uuid::now_v7();
                registry.add(id, &valid);
                outcomes.push(RowOutcome::Created(id));
                fresh.push((id, valid));
            }
        }
    }
    create_many(tx, context, &fresh).await?;
    Ok(outcomes)
}

/// Writes new associations in bulk, with their links and first consent records.
async fn create_many(
    tx: &Tx,
    context: &AuditContext,
    fresh: &[(Uuid, Valid)],
) -> Result<(), DomainError> {
    if fresh.is_empty() {
        return Ok(());
    }
    resource::insert_many::<association::Entity>(
        tx,
        context,
        fresh
            .iter()
            .map(|(id, valid)| new_row(*id, valid))
            .collect(),
    )
    .await?;
    let (actor_type, actor_id) = context.actor.parts();
    let now = chrono::Utc::now();
    for chunk in fresh.chunks(400) {
        let pairs: Vec<(Uuid, &Valid)> = chunk.iter().map(|(id, v)| (*id, v)).collect();
        insert_links(tx, &pairs).await?;
        consent_change::Entity::insert_many(chunk.iter().map(|(id, valid)| {
            consent_change::ActiveModel {
                id: sea_orm::ActiveValue::Set(Uuid::now_v7()),
                association_id: sea_orm::ActiveValue::Set(*id),
                granted: sea_orm::ActiveValue::Set(valid.consent_granted),
                fields: sea_orm::ActiveValue::Set(json_text(&valid.consent_fields)),
                actor_type: sea_orm::ActiveValue::Set(actor_type),
                actor_id: sea_orm::ActiveValue::Set(actor_id),
                recorded_at: sea_orm::ActiveValue::Set(now),
            }
        }))
        .exec(tx)
        .await?;
    }
    let ids: Vec<String> = fresh.iter().map(|(id, _)| id.to_string()).collect();
    audit::record_many(
        tx,
        context,
        "association.consent_changed",
        ResourceType::Association.as_str(),
        &ids,
    )
    .await
}
