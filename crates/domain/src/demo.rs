//! The demo data set for testers: clearly fictional, and safe to load twice.
//!
//! Today: the reference data (countries and SDGs, seeded by migration) and one obviously
//! fictional account per role that needs no association (`staff`, `viewer`), so testers can
//! try each role in Swagger UI. Later resources add their fictional records here.

use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::audit::AuditContext;
use crate::identity::{Role, user};
use crate::{DomainError, db, reference};

/// The demo accounts: email, display name, role.
pub const DEMO_USERS: [(&str, &str, Role); 2] = [
    (
        "staff@demo.empower.local",
        "Demo Staff (fictional)",
        Role::Staff,
    ),
    (
        "viewer@demo.empower.local",
        "Demo Viewer (fictional)",
        Role::Viewer,
    ),
];

/// What the demo data set holds after seeding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Countries available.
    pub countries: u64,
    /// Priority countries among them.
    pub priority_countries: u64,
    /// SDGs available.
    pub sdgs: u64,
    /// Demo accounts created by this run (none when they existed already).
    pub created_users: Vec<String>,
}

/// Brings the database up to date and loads the demo data; running it again changes nothing.
/// New demo accounts get `password`.
pub async fn seed(db: &DatabaseConnection, password: &str) -> Result<DemoSummary, DomainError> {
    db::migrate_up(db).await?;
    let mut created_users = Vec::new();
    for (email, name, role) in DEMO_USERS {
        if user::find_by_email(db, email).await?.is_none() {
            let new = user::NewUser {
                email: email.into(),
                display_name: name.into(),
                role,
                association_id: None,
                password: password.into(),
            };
            created_users.push(user::create(db, &AuditContext::system(), new).await?.email);
        }
    }
    use reference::country::{Column, Entity as Country};
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(DemoSummary {
        countries: Country::find().count(db).await?,
        priority_countries: Country::find()
            .filter(Column::Priority.eq(true))
            .count(db)
            .await?,
        sdgs: reference::sdg::Entity::find().count(db).await?,
        created_users,
    })
}
