//! Partner API clients (OAuth 2.0 client credentials): a name, scopes, an optional association,
//! a secret shown once and stored only as a hash. Revoking is deactivating.

use chrono::Utc;
use rand::distr::{Alphanumeric, SampleString};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter, QuerySelect, TryIntoModel};

use super::refresh::digest;
use super::scope::{self, Scope};
use crate::audit::{self, AuditContext};
use crate::db::Tx;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::resource::Precondition;
use crate::{DomainError, FieldError, text};

pub use super::entity::client::{ActiveModel, Column, Entity, Model};

impl Model {
    /// The granted scopes; a stored name that is not a scope is an error naming it.
    pub fn scope_list(&self) -> Result<Vec<Scope>, DomainError> {
        scope::stored(&self.scopes)
    }
}

/// What creating a client takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClient {
    /// Who the client is.
    pub name: String,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// The association it acts for.
    pub association_id: Option<Uuid>,
}

/// Changes to a client; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientChanges {
    /// New name.
    pub name: Option<String>,
    /// New scopes.
    pub scopes: Option<Vec<String>>,
    /// New association binding (`Some(None)` clears it).
    pub association_id: Option<Option<Uuid>>,
    /// `false` revokes the client.
    pub active: Option<bool>,
}

fn check_name(name: &str) -> Result<String, FieldError> {
    text::line(name, "/name", 1, 200)
}

/// Checks the association a client or user is bound to: it must be a live association.
pub(crate) async fn check_bound_association(
    db: &impl ConnectionTrait,
    association_id: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) -> Result<(), DomainError> {
    let Some(id) = association_id else {
        return Ok(());
    };
    let scope = crate::policy::CallerScope::SYSTEM;
    match crate::association::check_parent(db, id, &scope, "association").await {
        Ok(()) => Ok(()),
        Err(DomainError::NotFound(_)) => {
            errors.push(FieldError::new(
                "/association_id",
                "is not an association of the registry",
            ));
            Ok(())
        }
        // A database failure is not the caller's mistake.
        Err(other) => Err(other),
    }
}

/// Creates a client; returns it with its secret, which is never available again. Every
/// problem is reported at once.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    new: NewClient,
) -> Result<(Model, String), DomainError> {
    let mut errors = Vec::new();
    let name = text::collect(&mut errors, check_name(&new.name));
    let scopes = match scope::parse_list(&new.scopes, "/scopes") {
        Ok(scopes) => Some(scopes),
        Err(DomainError::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(other) => return Err(other),
    };
    check_bound_association(tx, new.association_id, &mut errors).await?;
    let (Some(name), Some(scopes), true) = (name, scopes, errors.is_empty()) else {
        return Err(DomainError::Invalid(errors));
    };
    let secret = Alphanumeric.sample_string(&mut rand::rng(), 40);
    let now = Utc::now();
    let client = ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        client_id: Set(format!(
            "empower-{}",
            Alphanumeric
                .sample_string(&mut rand::rng(), 16)
                .to_lowercase()
        )),
        secret_hash: Set(digest(&secret)),
        scopes: Set(scope::join(&scopes)),
        association_id: Set(new.association_id),
        active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx)
    .await?;
    audit::record(
        tx,
        context,
        "api_client.created",
        Some(("api_client", client.id.to_string())),
    )
    .await?;
    Ok((client, secret))
}

/// Lists clients by creation.
pub async fn list(
    db: &impl ConnectionTrait,
    page: &PageRequest,
) -> Result<Page<Model>, DomainError> {
    paging::by_unique_key(db, Entity::find(), Column::Id, Order::Asc, page, |c| {
        KeyValue::Uuid(c.id)
    })
    .await
}

/// Reads one client.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Model, DomainError> {
    Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("api client"))
}

/// Applies changes to a locked row, refusing a stale `expected` version (nothing is written
/// then). A change that changes nothing keeps the version.
pub async fn update(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    changes: ClientChanges,
    expected: &Precondition,
) -> Result<Model, DomainError> {
    let current = Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or(DomainError::NotFound("api client"))?;
    expected.check(current.version)?;
    let mut errors = Vec::new();
    let mut row: ActiveModel = current.clone().into();
    if let Some(name) = &changes.name {
        match check_name(name) {
            Ok(name) => row.name = Set(name),
            Err(e) => errors.push(e),
        }
    }
    if let Some(scopes) = &changes.scopes {
        match scope::parse_list(scopes, "/scopes") {
            Ok(scopes) => row.scopes = Set(scope::join(&scopes)),
            Err(DomainError::Invalid(e)) => errors.extend(e),
            Err(other) => return Err(other),
        }
    }
    if let Some(association_id) = changes.association_id {
        check_bound_association(tx, association_id, &mut errors).await?;
        row.association_id = Set(association_id);
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    if let Some(active) = changes.active {
        row.active = Set(active);
    }
    if row.clone().try_into_model()? == current {
        return Ok(current);
    }
    row.version = Set(current.version + 1);
    row.updated_at = Set(Utc::now());
    let updated = row.update(tx).await?;
    let action = if current.active && !updated.active {
        "api_client.revoked"
    } else {
        "api_client.updated"
    };
    audit::record(tx, context, action, Some(("api_client", id.to_string()))).await?;
    Ok(updated)
}

/// The active client with these credentials, if any.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    client_id: &str,
    secret: &str,
) -> Result<Option<Model>, DomainError> {
    // A client id we never issued (too long, or with characters ours never have) is unknown.
    let plausible = (1..=200).contains(&client_id.len())
        && client_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !plausible {
        return Ok(None);
    }
    let client = Entity::find()
        .filter(Column::ClientId.eq(client_id))
        .one(db)
        .await?;
    let presented = digest(secret);
    Ok(client.filter(|c| c.active && constant_time_eq(&c.secret_hash, &presented)))
}

/// Compares two strings in time that depends only on their length.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  Sync job ").ok().as_deref(), Some("Sync job"));
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(201)).is_err());
    }

    #[test]
    fn constant_time_comparison_is_still_a_comparison() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
