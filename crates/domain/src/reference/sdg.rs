//! The 17 Sustainable Development Goals with their short titles.

use sea_orm::ConnectionTrait;
use sea_orm::entity::prelude::*;

use crate::DomainError;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};

/// An SDG as stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sdgs")]
pub struct Model {
    /// Goal number, 1 to 17.
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: i32,
    /// English short title.
    pub title_en: String,
    /// French short title.
    pub title_fr: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

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
