//! Countries of origin: ISO 3166-1 alpha-2 codes, English and French names, priority flag.

use sea_orm::entity::prelude::*;
use sea_orm::{ConnectionTrait, QueryFilter};

use crate::DomainError;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};

pub use super::entity::country::{ActiveModel, Column, Entity, Model};

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
    // Only a two-letter code can be one; anything else is not found without a query.
    if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(DomainError::NotFound("country"));
    }
    Entity::find_by_id(code.to_ascii_uppercase())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("country"))
}
