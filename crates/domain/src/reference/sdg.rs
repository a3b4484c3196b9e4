//! The 17 Sustainable Development Goals with their short titles.

use sea_orm::ConnectionTrait;
use sea_orm::entity::prelude::*;

use crate::DomainError;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};

pub use super::entity::sdg::{ActiveModel, Column, Entity, Model};

/// Lists the goals by number.
pub async fn list(
    db: &impl ConnectionTrait,
    page: &PageRequest,
) -> Result<Page<Model>, DomainError> {
    paging::by_unique_key(db, Entity::find(), Column::Number, Order::Asc, page, |s| {
        KeyValue::Int(i64::from(s.number))
    })
    .await
}

/// Reads one goal by number.
pub async fn get(db: &impl ConnectionTrait, number: i32) -> Result<Model, DomainError> {
    Entity::find_by_id(number)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("sdg"))
}
