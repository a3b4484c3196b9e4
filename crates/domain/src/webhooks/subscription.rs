//! Subscriptions: an API client's URL, the event types it wants, and the secret that signs what
//! is sent to it. Administrators manage every one; a client holding `webhooks:manage` manages
//! its own, and never sees another's (404).

use chrono::{DateTime, Duration, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, PaginatorTrait, QueryFilter, QuerySelect, TryIntoModel,
};

use super::address::AddressPolicy;
use super::entity::webhook::{ActiveModel, Column, Entity, Model};
use super::events::{self, Audience, Pattern};
use super::signature;
use crate::audit::{self, AuditContext};
use crate::db::Tx;
use crate::identity::client;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::resource::Precondition;
use crate::{DomainError, FieldError, Refusal, text};

/// Most subscriptions an API client may have.
pub const MAX_PER_CLIENT: u64 = 10;

/// Longest grace period of a rotated-out secret.
pub const MAX_GRACE_HOURS: i64 = 7 * 24;

/// Who is asking: an administrator (every subscription) or a client (its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    /// An administrator.
    Admin,
    /// An API client with `webhooks:manage`.
    Client(Uuid),
}

impl Manager {
    fn owns(self, webhook: &Model) -> bool {
        match self {
            Self::Admin => true,
            Self::Client(id) => webhook.client_id == id,
        }
    }
}

/// What creating a subscription takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    /// The client it belongs to: required of an administrator, the caller's own for a client.
    pub client_id: Option<Uuid>,
    /// Where to send.
    pub url: String,
    /// `type.op` patterns, or `*`.
    pub event_types: Vec<String>,
    /// What it is for.
    pub description: Option<String>,
    /// Whether to deliver at once (default yes).
    pub active: Option<bool>,
}

/// Changes to a subscription; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookChanges {
    /// New URL.
    pub url: Option<String>,
    /// New event types.
    pub event_types: Option<Vec<String>>,
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// Pause or resume (resuming clears a disablement).
    pub active: Option<bool>,
}

/// The audience of a client: its scopes and binding.
pub fn audience_of(client: &client::Model) -> Result<Audience, DomainError> {
    Ok(Audience {
        scopes: client.scope_list()?,
        bound_to: client.association_id,
    })
}

/// Checks event types for a client: known patterns, and no type the client cannot read.
fn check_event_types(
    types: &[String],
    audience: Option<&Audience>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match events::parse_list(types, "/event_types") {
        Ok(kept) => {
            let before = errors.len();
            if let Some(audience) = audience {
                for (i, text) in kept.iter().enumerate() {
                    if let Some(Pattern {
                        resource: Some(resource),
                        ..
                    }) = Pattern::parse(text)
                        && !audience.reads(resource)
                    {
                        errors.push(FieldError::new(
                            format!("/event_types/{i}"),
                            format!(
                                "names `{}`, which the client's scopes do not read",
                                resource.as_str()
                            ),
                        ));
                    }
                }
            }
            (errors.len() == before).then(|| kept.join(" "))
        }
        Err(DomainError::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(_) => None,
    }
}

fn check_description(
    description: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<Option<String>> {
    text::collect(
        errors,
        text::optional_line(description, "/description", 500),
    )
}

/// The client a new subscription belongs to: a live client, the caller's own for a client.
async fn owning_client(
    db: &impl ConnectionTrait,
    manager: Manager,
    requested: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) -> Result<Option<client::Model>, DomainError> {
    let id = match (manager, requested) {
        (Manager::Client(own), None) => own,
        (Manager::Client(own), Some(id)) if id == own => own,
        (Manager::Client(_), Some(_)) => {
            errors.push(FieldError::new(
                "/api_client_id",
                "must be your own client id (or absent)",
            ));
            return Ok(None);
        }
        (Manager::Admin, Some(id)) => id,
        (Manager::Admin, None) => {
            errors.push(FieldError::new(
                "/api_client_id",
                "is required: the API client the subscription belongs to",
            ));
            return Ok(None);
        }
    };
    match client::get(db, id).await {
        Ok(found) if found.active => Ok(Some(found)),
        Ok(_) => {
            errors.push(FieldError::new("/api_client_id", "is a revoked API client"));
            Ok(None)
        }
        Err(DomainError::NotFound(_)) => {
            errors.push(FieldError::new("/api_client_id", "is not an API client"));
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// Creates a subscription; returns it with its secret, shown this once.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    manager: Manager,
    new: NewWebhook,
    policy: &AddressPolicy,
) -> Result<(Model, String), DomainError> {
    let mut errors = Vec::new();
    let owner = owning_client(tx, manager, new.client_id, &mut errors).await?;
    let audience = owner.as_ref().map(audience_of).transpose()?;
    let url = text::collect(&mut errors, policy.check_url(&new.url, "/url"));
    let event_types = check_event_types(&new.event_types, audience.as_ref(), &mut errors);
    let description = check_description(new.description.as_deref(), &mut errors);
    let (Some(owner), Some(url), Some(event_types), Some(description), true) =
        (owner, url, event_types, description, errors.is_empty())
    else {
        return Err(DomainError::Invalid(errors));
    };
    // Counted under the writers' lock (the caller's write transaction): of parallel creations
    // at the limit, one wins.
    let held = Entity::find()
        .filter(Column::ClientId.eq(owner.id))
        .count(tx)
        .await?;
    if held >= MAX_PER_CLIENT {
        return Err(DomainError::Refused(Refusal::conflict(
            "webhook_limit_reached",
            "Too many subscriptions",
            format!(
                "the client has {held} subscriptions, the most it may have: change or delete one"
            ),
        )));
    }
    let secret = signature::generate_secret();
    let now = Utc::now();
    let webhook = ActiveModel {
        id: Set(Uuid::now_v7()),
        client_id: Set(owner.id),
        url: Set(url.to_string()),
        event_types: Set(event_types),
        description: Set(description),
        active: Set(new.active.unwrap_or(true)),
        secret: Set(secret.clone()),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        failing_since: Set(None),
        disabled_at: Set(None),
        disabled_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx)
    .await?;
    audit::record(
        tx,
        context,
        "webhook.created",
        Some(("webhook", webhook.id.to_string())),
    )
    .await?;
    Ok((webhook, secret))
}

/// Lists the subscriptions the manager sees, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    manager: Manager,
    page: &PageRequest,
) -> Result<Page<Model>, DomainError> {
    let mut select = Entity::find();
    if let Manager::Client(id) = manager {
        select = select.filter(Column::ClientId.eq(id));
    }
    paging::by_unique_key(db, select, Column::Id, Order::Asc, page, |w| {
        KeyValue::Uuid(w.id)
    })
    .await
}

/// Reads one subscription the manager sees.
pub async fn get(
    db: &impl ConnectionTrait,
    manager: Manager,
    id: Uuid,
) -> Result<Model, DomainError> {
    Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|w| manager.owns(w))
        .ok_or(DomainError::NotFound("webhook"))
}

/// Reads and locks one subscription the manager sees, checking the expected version.
async fn locked(
    tx: &Tx,
    manager: Manager,
    id: Uuid,
    expected: &Precondition,
) -> Result<Model, DomainError> {
    let current = Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?
        .filter(|w| manager.owns(w))
        .ok_or(DomainError::NotFound("webhook"))?;
    expected.check(current.version)?;
    Ok(current)
}

/// Applies changes; a change that changes nothing keeps the version. Resuming a subscription
/// the server disabled clears why it was disabled; a new URL starts its health afresh.
pub async fn update(
    tx: &Tx,
    context: &AuditContext,
    manager: Manager,
    id: Uuid,
    changes: WebhookChanges,
    expected: &Precondition,
    policy: &AddressPolicy,
) -> Result<Model, DomainError> {
    let current = locked(tx, manager, id, expected).await?;
    let mut errors = Vec::new();
    let mut row: ActiveModel = current.clone().into();
    if let Some(url) = &changes.url
        && let Some(url) = text::collect(&mut errors, policy.check_url(url, "/url"))
        && url.as_str() != current.url
    {
        row.url = Set(url.to_string());
        row.failing_since = Set(None);
    }
    if let Some(types) = &changes.event_types {
        let owner = client::get(tx, current.client_id).await?;
        let audience = audience_of(&owner)?;
        if let Some(types) = check_event_types(types, Some(&audience), &mut errors) {
            row.event_types = Set(types);
        }
    }
    if let Some(description) = &changes.description
        && let Some(description) = check_description(description.as_deref(), &mut errors)
    {
        row.description = Set(description);
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    if let Some(active) = changes.active {
        row.active = Set(active);
        if active && !current.active {
            row.disabled_at = Set(None);
            row.disabled_reason = Set(None);
            row.failing_since = Set(None);
        }
    }
    if row.clone().try_into_model()? == current {
        return Ok(current);
    }
    let now = Utc::now();
    row.version = Set(current.version + 1);
    row.updated_at = Set(now);
    let updated = row.update(tx).await?;
    // Resumed, or pointed at a new receiver: what waits is tried now, not at its old retry
    // time. Paused: what waits is parked, out of the workers' way, until it resumes.
    let next = if !updated.active {
        Some(super::queue::parked())
    } else if !current.active || updated.url != current.url {
        Some(now)
    } else {
        None
    };
    if let Some(next) = next {
        super::queue::reschedule(tx, id, next).await?;
    }
    audit::record(
        tx,
        context,
        "webhook.updated",
        Some(("webhook", id.to_string())),
    )
    .await?;
    Ok(updated)
}

/// Deletes a subscription and its deliveries.
pub async fn delete(
    tx: &Tx,
    context: &AuditContext,
    manager: Manager,
    id: Uuid,
    expected: &Precondition,
) -> Result<(), DomainError> {
    locked(tx, manager, id, expected).await?;
    Entity::delete_by_id(id).exec(tx).await?;
    audit::record(
        tx,
        context,
        "webhook.deleted",
        Some(("webhook", id.to_string())),
    )
    .await?;
    Ok(())
}

/// Replaces the secret. The old one keeps signing, beside the new, for `grace_hours` (0 to
/// [`MAX_GRACE_HOURS`]), so receivers can switch without losing a message. Returns the
/// subscription and its new secret, shown this once.
pub async fn rotate_secret(
    tx: &Tx,
    context: &AuditContext,
    manager: Manager,
    id: Uuid,
    grace_hours: i64,
    expected: &Precondition,
) -> Result<(Model, String), DomainError> {
    if !(0..=MAX_GRACE_HOURS).contains(&grace_hours) {
        return Err(DomainError::invalid(
            "/grace_period_hours",
            format!("must be 0 to {MAX_GRACE_HOURS} hours"),
        ));
    }
    let current = locked(tx, manager, id, expected).await?;
    let now = Utc::now();
    let secret = signature::generate_secret();
    let mut row: ActiveModel = current.clone().into();
    let (previous, until) = if grace_hours == 0 {
        (None, None)
    } else {
        (
            Some(current.secret.clone()),
            Some(now + Duration::hours(grace_hours)),
        )
    };
    row.secret = Set(secret.clone());
    row.previous_secret = Set(previous);
    row.previous_secret_expires_at = Set(until);
    row.version = Set(current.version + 1);
    row.updated_at = Set(now);
    let updated = row.update(tx).await?;
    audit::record(
        tx,
        context,
        "webhook.secret_rotated",
        Some(("webhook", id.to_string())),
    )
    .await?;
    Ok((updated, secret))
}

/// The secrets that sign at `now`: the current one, and the previous one in its grace period.
pub fn signing_secrets(webhook: &Model, now: DateTime<Utc>) -> Vec<&str> {
    let mut secrets = vec![webhook.secret.as_str()];
    if let (Some(previous), Some(until)) =
        (&webhook.previous_secret, webhook.previous_secret_expires_at)
        && until > now
    {
        secrets.push(previous);
    }
    secrets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_secret_signs_only_during_its_grace_period() {
        let now = Utc::now();
        let webhook = Model {
            id: Uuid::now_v7(),
            client_id: Uuid::now_v7(),
            url: "https://hooks.example.org/".into(),
            event_types: "*".into(),
            description: None,
            active: true,
            secret: "whsec_new".into(),
            previous_secret: Some("whsec_old".into()),
            previous_secret_expires_at: Some(now + Duration::hours(1)),
            failing_since: None,
            disabled_at: None,
            disabled_reason: None,
            version: 2,
            created_at: now,
            updated_at: now,
        };
        assert_eq!(signing_secrets(&webhook, now), ["whsec_new", "whsec_old"]);
        assert_eq!(
            signing_secrets(&webhook, now + Duration::hours(2)),
            ["whsec_new"]
        );
    }
}
