//! The funding-application table.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::changes::ResourceType;
use crate::policy::Owner;
use crate::resource::{Columns, Record, Synced};

/// Where an application stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum FundingStatus {
    /// Being written.
    Draft,
    /// Sent to the funder.
    Submitted,
    /// Funded.
    Granted,
    /// Not funded.
    Rejected,
}

/// A row of `funding_applications`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "funding_applications")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The association.
    pub association_id: Uuid,
    /// The call for proposals.
    pub call_title: String,
    /// Who funds it.
    pub funder: String,
    /// When it was submitted.
    pub submitted_on: Option<NaiveDate>,
    /// EUR cents.
    pub amount_requested_cents: i64,
    /// Where it stands.
    pub status: FundingStatus,
    /// EUR cents, only when granted.
    pub amount_granted_cents: Option<i64>,
    /// +1 on each change.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Soft-deleted.
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Record for Model {
    fn id(&self) -> Uuid {
        self.id
    }

    fn version(&self) -> i32 {
        self.version
    }

    fn owner(&self) -> Owner {
        Owner::Association(self.association_id)
    }
}

impl Synced for Entity {
    const TYPE: ResourceType = ResourceType::FundingApplication;
    const COLUMNS: Columns<Column> = Columns {
        id: Column::Id,
        version: Column::Version,
        created_at: Column::CreatedAt,
        updated_at: Column::UpdatedAt,
        deleted_at: Column::DeletedAt,
    };
}
