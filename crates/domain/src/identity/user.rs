//! User accounts: email (unique, stored normalised), role, optional association binding.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, PaginatorTrait};
use validator::ValidateEmail;

use super::password;
use crate::DomainError;

/// What a user may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum Role {
    /// Everything, including users and API clients.
    #[sea_orm(string_value = "admin")]
    Admin,
    /// Programme staff: read and write programme data.
    #[sea_orm(string_value = "staff")]
    Staff,
    /// A member of one association, bound to it.
    #[sea_orm(string_value = "association")]
    Association,
    /// Reads everything except personal data.
    #[sea_orm(string_value = "viewer")]
    Viewer,
}

/// A user as stored. The password hash never leaves the domain layer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-cased, trimmed; unique.
    #[sea_orm(unique)]
    pub email: String,
    /// Name shown in the apps.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The association an `association` user belongs to.
    pub association_id: Option<Uuid>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Deactivated users cannot log in.
    pub active: bool,
    /// +1 on every change.
    pub version: i32,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Normalises an email for storage and lookup: trimmed, lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks an email's format; `pointer` names the field in errors.
pub fn check_email(email: &str, pointer: &str) -> Result<String, DomainError> {
    let email = normalise_email(email);
    if email.len() > 254 || !email.validate_email() {
        return Err(DomainError::invalid(
            pointer,
            "must be a valid email address",
        ));
    }
    Ok(email)
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

/// Creates an active admin account. A taken email is a conflict.
pub async fn create_admin(
    db: &impl ConnectionTrait,
    email: &str,
    display_name: &str,
    password: &str,
) -> Result<Model, DomainError> {
    let email = check_email(email, "/email")?;
    password::check(password, "/password")?;
    if find_by_email(db, &email).await?.is_some() {
        return Err(DomainError::Conflict(format!(
            "a user with email {email} already exists"
        )));
    }
    let now = Utc::now();
    let user = ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        display_name: Set(display_name.to_owned()),
        role: Set(Role::Admin),
        association_id: Set(None),
        password_hash: Set(password::hash(password)?),
        active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(user.insert(db).await?)
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
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
) -> Result<Bootstrap, DomainError> {
    if count(db).await? > 0 {
        return Ok(Bootstrap::AlreadyHasUsers);
    }
    let user = create_admin(db, email, "Administrator", password).await?;
    Ok(Bootstrap::Created { email: user.email })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
