//! Empower's schema, one migration per change, each reversible on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_reference_data;
mod m20261127_000002_users;
mod m20261127_000003_identity;
mod m20261128_000004_associations;
mod m20261128_000005_people;
mod m20261128_000006_money_cents;
mod m20261128_000007_name_skeletons;
mod m20261128_000008_retire_unused_scopes;
mod m20261128_000009_throttle_pending;
pub mod m20261128_000010_training;
mod m20261128_000011_restitutions;
mod m20261128_000012_deliverables;
pub mod m20261129_000013_results;
mod m20261129_000014_search;
mod m20261129_000015_enrollment_completion;
mod m20261129_000016_privacy;
mod m20261129_000017_webhooks;

/// The ordered list of every schema change.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_reference_data::Migration),
            Box::new(m20261127_000002_users::Migration),
            Box::new(m20261127_000003_identity::Migration),
            Box::new(m20261128_000004_associations::Migration),
            Box::new(m20261128_000005_people::Migration),
            Box::new(m20261128_000006_money_cents::Migration),
            Box::new(m20261128_000007_name_skeletons::Migration),
            Box::new(m20261128_000008_retire_unused_scopes::Migration),
            Box::new(m20261128_000009_throttle_pending::Migration),
            Box::new(m20261128_000010_training::Migration),
            Box::new(m20261128_000011_restitutions::Migration),
            Box::new(m20261128_000012_deliverables::Migration),
            Box::new(m20261129_000013_results::Migration),
            Box::new(m20261129_000014_search::Migration),
            Box::new(m20261129_000015_enrollment_completion::Migration),
            Box::new(m20261129_000016_privacy::Migration),
            Box::new(m20261129_000017_webhooks::Migration),
        ]
    }
}
