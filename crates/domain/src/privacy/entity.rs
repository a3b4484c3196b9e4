//! The privacy tables: the record of each erasure.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How much of a person an erasure removes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[schema(as = ErasureExtent)]
pub enum Extent {
    /// Her identity everywhere (a request, or the retention of a closed association's people).
    Whole,
    /// Her email and phone only (the retention of a completed association's contact data).
    Contact,
}

/// `person_erasures`: one row per erasure, with its reason (the audit log keeps no values).
pub mod erasure {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::audit::ActorType;

    /// A row of `person_erasures`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "person_erasures")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The person.
        pub person_id: Uuid,
        /// How much was erased.
        pub extent: Extent,
        /// Why (a request's reference, or the retention rule).
        pub reason: String,
        /// When.
        pub erased_at: DateTime<Utc>,
        /// A user, a client, or the server (retention).
        pub actor_type: ActorType,
        /// Who.
        pub actor_id: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
