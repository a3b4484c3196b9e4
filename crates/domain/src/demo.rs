//! The demo data set for testers: clearly fictional, and safe to load twice.
//!
//! Today it is the reference data (countries and SDGs, seeded by migration); later resources
//! add their fictional records here.

use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::{DomainError, db, reference};

/// What the demo data set holds after seeding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Countries available.
    pub countries: u64,
    /// Priority countries among them.
    pub priority_countries: u64,
    /// SDGs available.
    pub sdgs: u64,
}

/// Brings the database up to date and loads the demo data; running it again changes nothing.
pub async fn seed(db: &DatabaseConnection) -> Result<DemoSummary, DomainError> {
    db::migrate_up(db).await?;
    use reference::country::{Column, Entity as Country};
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(DemoSummary {
        countries: Country::find().count(db).await?,
        priority_countries: Country::find()
            .filter(Column::Priority.eq(true))
            .count(db)
            .await?,
        sdgs: reference::sdg::Entity::find().count(db).await?,
    })
}
