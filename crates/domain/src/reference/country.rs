//! Countries of origin: ISO 3166-1 alpha-2 codes, English and French names, priority flag.

use sea_orm::entity::prelude::*;
use sea_orm::{ConnectionTrait, QueryFilter};

use crate::DomainError;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};

/// A country as stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "countries")]
pub struct Model {
    /// ISO 3166-1 alpha-2 code, upper case.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    /// English short name.
    pub name_en: String,
    /// French short name.
    pub name_fr: String,
    /// On the donor's list of priority countries of origin.
    pub priority: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Filters on the country list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountryFilter {
    /// Only priority (`true`) or only other (`false`) countries.
    pub priority: Option<bool>,
}

/// Lists countries by code.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &CountryFilter,
    page: &PageRequest,
) -> Result<Page<Model>, DomainError> {
    let mut select = Entity::find();
    if let Some(priority) = filter.priority {
        select = select.filter(Column::Priority.eq(priority));
    }
    paging::by_unique_key(db, select, Column::Code, Order::Asc, page, |c| {
        KeyValue::Text(c.code.clone())
    })
    .await
}

/// Reads one country by its code (case-insensitive).
pub async fn get(db: &impl ConnectionTrait, code: &str) -> Result<Model, DomainError> {
    Entity::find_by_id(code.to_ascii_uppercase())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("country"))
}
