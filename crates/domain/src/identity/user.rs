//! User accounts: email (unique, stored normalised), role, optional association binding.

use chrono::Utc;
use sea_orm::entity::prelude::*;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, PaginatorTrait, QueryFilter, QuerySelect, TryIntoModel,
};

use super::client::check_bound_association;
use super::{password, refresh};
use crate::audit::{self, AuditContext};
use crate::db::Tx;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::resource::Precondition;
use crate::{DomainError, FieldError, text};

pub use super::entity::user::{ActiveModel, Column, Entity, Model, Role};

impl Entity {
    /// The account with this id, if it exists and is active.
    pub async fn find_by_id_active(
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<Option<Model>, DomainError> {
        Ok(Self::find_by_id(id).one(db).await?.filter(|u| u.active))
    }
}

/// Normalises an email for storage and lookup: trimmed, NFC, lower-cased.
pub fn normalise_email(email: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    email.trim().nfc().collect::<String>().to_lowercase()
}

/// Checks an email: one line of visible characters (a hidden trailing character would make
/// another account), well-formed; `pointer` names the field in errors.
pub fn check_email(email: &str, pointer: &str) -> Result<String, FieldError> {
    text::email(email, pointer)
}

/// Finds a user by email (any case).
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<Model>, DomainError> {
    Ok(Entity::find()
        .filter(Column::Email.eq(normalise_email(email)))
        .one(db)
        .await?)
}

/// How many accounts exist.
pub async fn count(db: &impl ConnectionTrait) -> Result<u64, DomainError> {
    Ok(Entity::find().count(db).await?)
}

/// What creating a user takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Login email.
    pub email: String,
    /// Name shown in the apps.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// Required exactly when the role is `association`.
    pub association_id: Option<Uuid>,
    /// At least 12 characters.
    pub password: String,
}

/// Changes to a user; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    /// New display name.
    pub display_name: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// New association binding (`Some(None)` clears it).
    pub association_id: Option<Option<Uuid>>,
    /// `false` deactivates the account: its tokens stop working at once.
    pub active: Option<bool>,
}

fn check_display_name(name: &str) -> Result<String, FieldError> {
    text::line(name, "/display_name", 1, 200)
}

/// An `association` user must be bound to an association; nobody else may be.
pub fn check_binding(role: Role, association_id: Option<Uuid>) -> Result<(), FieldError> {
    match (role, association_id) {
        (Role::Association, None) => Err(FieldError::new(
            "/association_id",
            "is required when the role is `association`",
        )),
        (Role::Association, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(FieldError::new(
            "/association_id",
            "is allowed only when the role is `association`",
        )),
    }
}

/// Creates an active account after checking every field (all problems reported at once).
pub async fn create(tx: &Tx, context: &AuditContext, new: NewUser) -> Result<Model, DomainError> {
    let mut errors = Vec::new();
    let email = text::collect(&mut errors, check_email(&new.email, "/email"));
    let display_name = text::collect(&mut errors, check_display_name(&new.display_name));
    match check_binding(new.role, new.association_id) {
        Ok(()) => check_bound_association(tx, new.association_id, &mut errors).await?,
        Err(e) => errors.push(e),
    }
    let context_words = [new.email.as_str(), new.display_name.as_str()];
    text::collect(
        &mut errors,
        password::check(&new.password, "/password", &context_words),
    );
    let (Some(email), Some(display_name), true) = (email, display_name, errors.is_empty()) else {
        return Err(DomainError::Invalid(errors));
    };
    if find_by_email(tx, &email).await?.is_some() {
        return Err(DomainError::Conflict(format!(
            "a user with email {email} already exists"
        )));
    }
    let now = Utc::now();
    let user = ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        display_name: Set(display_name),
        role: Set(new.role),
        association_id: Set(new.association_id),
        password_hash: Set(password::hash(&new.password)?),
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
        "user.created",
        Some(("user", user.id.to_string())),
    )
    .await?;
    Ok(user)
}

/// Creates an active admin account. A taken email is a conflict.
pub async fn create_admin(
    tx: &Tx,
    email: &str,
    display_name: &str,
    password: &str,
) -> Result<Model, DomainError> {
    create(
        tx,
        &AuditContext::system(),
        NewUser {
            email: email.to_owned(),
            display_name: display_name.to_owned(),
            role: Role::Admin,
            association_id: None,
            password: password.to_owned(),
        },
    )
    .await
}

/// Filters of the user list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only active (`true`) or deactivated (`false`) accounts.
    pub active: Option<bool>,
}

/// Lists accounts by creation.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<Page<Model>, DomainError> {
    let mut select = Entity::find();
    if let Some(role) = filter.role {
        select = select.filter(Column::Role.eq(role));
    }
    if let Some(active) = filter.active {
        select = select.filter(Column::Active.eq(active));
    }
    paging::by_unique_key(db, select, Column::Id, Order::Asc, page, |u| {
        KeyValue::Uuid(u.id)
    })
    .await
}

/// Reads one account.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Model, DomainError> {
    Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("user"))
}

/// Applies changes to the locked account, refusing a stale `expected` version (nothing is
/// written then). Deactivating revokes every refresh token of the account. A change that
/// changes nothing keeps the version.
pub async fn update(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    changes: UserChanges,
    expected: &Precondition,
) -> Result<Model, DomainError> {
    let current = Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    expected.check(current.version)?;
    let demotes = changes.role.is_some_and(|r| r != Role::Admin) || changes.active == Some(false);
    if context.actor == crate::audit::Actor::User(id) && current.role == Role::Admin && demotes {
        return Err(DomainError::Conflict(
            "you cannot deactivate your own account or give up your own admin role".into(),
        ));
    }
    let mut errors = Vec::new();
    let mut row: ActiveModel = current.clone().into();
    if let Some(name) = &changes.display_name {
        match check_display_name(name) {
            Ok(name) => row.display_name = Set(name),
            Err(e) => errors.push(e),
        }
    }
    let role = changes.role.unwrap_or(current.role);
    let association_id = changes.association_id.unwrap_or(current.association_id);
    match check_binding(role, association_id) {
        Ok(()) if association_id != current.association_id => {
            check_bound_association(tx, association_id, &mut errors).await?;
        }
        Ok(()) => {}
        Err(e) => errors.push(e),
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    row.role = Set(role);
    row.association_id = Set(association_id);
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
        refresh::revoke_user(tx, id).await?;
        "user.deactivated"
    } else {
        "user.updated"
    };
    audit::record(tx, context, action, Some(("user", id.to_string()))).await?;
    Ok(updated)
}

/// A new password, checked against the account: the current password is required and right,
/// and the new one is strong and not the current one. Every problem is reported at once.
/// Hashing is slow: call this before the write transaction, then [`set_password`].
pub fn check_password_change(
    user: &Model,
    current_password: &str,
    new_password: &str,
) -> Result<String, DomainError> {
    let mut errors = Vec::new();
    let current_is_right = password::verify(current_password, &user.password_hash);
    if !current_is_right {
        errors.push(FieldError::new(
            "/current_password",
            "is not the current password",
        ));
    }
    let words = [user.email.as_str(), user.display_name.as_str()];
    text::collect(
        &mut errors,
        password::check(new_password, "/new_password", &words),
    );
    if current_is_right && new_password == current_password {
        errors.push(FieldError::new(
            "/new_password",
            "must differ from the current password",
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    password::hash(new_password)
}

/// Stores a user's new password hash (from [`check_password_change`]) and revokes every
/// refresh token of the account. `checked_against` is the hash the current password was
/// checked against: if the password changed since (a parallel change won), the current
/// password given is no longer the current one, and nothing is written.
pub async fn set_password(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    checked_against: &str,
    new_hash: String,
) -> Result<(), DomainError> {
    let current = Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    if current.password_hash != checked_against {
        return Err(DomainError::invalid(
            "/current_password",
            "is not the current password",
        ));
    }
    let mut row: ActiveModel = current.clone().into();
    row.password_hash = Set(new_hash);
    row.version = Set(current.version + 1);
    row.updated_at = Set(Utc::now());
    row.update(tx).await?;
    refresh::revoke_user(tx, id).await?;
    audit::record(
        tx,
        context,
        "user.password_changed",
        Some(("user", id.to_string())),
    )
    .await?;
    Ok(())
}

/// The active user with these credentials, if any. An unknown email costs the same hashing
/// time as a wrong password, so the two cannot be told apart by timing.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password_given: &str,
) -> Result<Option<Model>, DomainError> {
    let user = find_by_email(db, email).await?;
    let stored = user.as_ref().map_or_else(
        || password::dummy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    // Hashing takes tens of milliseconds of CPU: off the request's thread, so one worker
    // checking a password does not stall every other request it serves.
    let matches = password::verify_on_checkers(password_given.to_owned(), stored).await?;
    Ok(user.filter(|u| matches && u.active))
}

/// The outcome of start-up bootstrapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bootstrap {
    /// Users already exist: nothing was done.
    AlreadyHasUsers,
    /// The first admin was created with this email.
    Created {
        /// The admin's email.
        email: String,
    },
}

/// When there is no user at all, creates the first admin so someone can log in.
pub async fn bootstrap_admin(
    db: &sea_orm::DatabaseConnection,
    email: &str,
    password: &str,
) -> Result<Bootstrap, DomainError> {
    let tx = crate::db::begin_write(db).await?;
    if count(&tx).await? > 0 {
        return Ok(Bootstrap::AlreadyHasUsers);
    }
    let user = create_admin(&tx, email, "Administrator", password).await?;
    tx.commit().await?;
    Ok(Bootstrap::Created { email: user.email })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_association_users_are_bound_to_an_association() {
        let id = Some(Uuid::nil());
        assert!(check_binding(Role::Association, id).is_ok());
        assert!(check_binding(Role::Association, None).is_err());
        assert!(check_binding(Role::Staff, None).is_ok());
        assert_eq!(
            check_binding(Role::Viewer, id).map_err(|e| e.pointer),
            Err("/association_id".to_owned())
        );
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalise_email("  Aminata@Example.BE "),
            "aminata@example.be"
        );
        assert_eq!(
            check_email("Aminata@Example.BE", "/email").ok().as_deref(),
            Some("aminata@example.be")
        );
        assert!(check_email("not-an-email", "/email").is_err());
        assert!(check_email("", "/email").is_err());
        assert!(check_email("aminata@example.be\u{200B}", "/email").is_err());
    }
}
