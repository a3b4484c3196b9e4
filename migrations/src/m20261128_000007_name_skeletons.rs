//! Look-alike names: each association keeps the UTS #39 skeleton of its folded name, so a name
//! confusable with a live one (Cyrillic `а` for Latin `a`, `rn` for `m`) can be refused. The
//! server fills it in for existing rows when it starts (it needs the same Unicode tables as the
//! rule that uses it).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::string_len_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Associations {
    Table,
    NameSkeleton,
}

const INDEX: &str = "idx_associations_name_skeleton";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Associations::Table)
                    .add_column(string_len_null(Associations::NameSkeleton, 800))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Associations::Table)
                    .col(Associations::NameSkeleton)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Associations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Associations::Table)
                    .drop_column(Associations::NameSkeleton)
                    .to_owned(),
            )
            .await
    }
}
