//! Money as integer cents: funding amounts move from decimal strings (`"1250.00"`) to `BIGINT`
//! cents, converted exactly, so indicators can `SUM` them in SQL. The wire format is unchanged.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, big_integer_null, string_len, string_len_null};
use sea_orm_migration::sea_orm::prelude::Uuid;
use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FundingApplications {
    Table,
    Id,
    AmountRequested,
    AmountGranted,
    AmountRequestedCents,
    AmountGrantedCents,
}

/// `"1250.00"` (as every stored amount is written) to 125000.
fn cents(text: &str) -> Result<i64, DbErr> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "00"));
    let parsed = whole
        .parse::<i64>()
        .ok()
        .zip(format!("{fraction:0<2}").parse::<i64>().ok())
        .filter(|_| fraction.len() <= 2);
    parsed
        .map(|(whole, fraction)| whole * 100 + fraction)
        .ok_or_else(|| DbErr::Migration(format!("funding amount {text:?} is not a euro amount")))
}

fn text(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[derive(Debug, FromQueryResult)]
struct TextRow {
    id: Uuid,
    amount_requested: String,
    amount_granted: Option<String>,
}

#[derive(Debug, FromQueryResult)]
struct CentsRow {
    id: Uuid,
    amount_requested_cents: i64,
    amount_granted_cents: Option<i64>,
}

async fn add(manager: &SchemaManager<'_>, column: ColumnDef) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(FundingApplications::Table)
                .add_column(column)
                .to_owned(),
        )
        .await
}

async fn drop(manager: &SchemaManager<'_>, column: FundingApplications) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(FundingApplications::Table)
                .drop_column(column)
                .to_owned(),
        )
        .await
}

async fn set(
    manager: &SchemaManager<'_>,
    id: Uuid,
    values: [(FundingApplications, Value); 2],
) -> Result<(), DbErr> {
    let mut update = Query::update();
    update.table(FundingApplications::Table);
    for (column, value) in values {
        update.value(column, value);
    }
    update.and_where(Expr::col(FundingApplications::Id).eq(id));
    manager.exec_stmt(update.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(
            manager,
            big_integer(FundingApplications::AmountRequestedCents)
                .default(0)
                .to_owned(),
        )
        .await?;
        add(
            manager,
            big_integer_null(FundingApplications::AmountGrantedCents).to_owned(),
        )
        .await?;
        let db = manager.get_connection();
        let rows = TextRow::find_by_statement(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, amount_requested, amount_granted FROM funding_applications",
        ))
        .all(db)
        .await?;
        for row in rows {
            let granted = row.amount_granted.as_deref().map(cents).transpose()?;
            set(
                manager,
                row.id,
                [
                    (
                        FundingApplications::AmountRequestedCents,
                        cents(&row.amount_requested)?.into(),
                    ),
                    (FundingApplications::AmountGrantedCents, granted.into()),
                ],
            )
            .await?;
        }
        drop(manager, FundingApplications::AmountRequested).await?;
        drop(manager, FundingApplications::AmountGranted).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(
            manager,
            string_len(FundingApplications::AmountRequested, 20)
                .default("0.00")
                .to_owned(),
        )
        .await?;
        add(
            manager,
            string_len_null(FundingApplications::AmountGranted, 20).to_owned(),
        )
        .await?;
        let db = manager.get_connection();
        let rows = CentsRow::find_by_statement(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, amount_requested_cents, amount_granted_cents FROM funding_applications",
        ))
        .all(db)
        .await?;
        for row in rows {
            set(
                manager,
                row.id,
                [
                    (
                        FundingApplications::AmountRequested,
                        text(row.amount_requested_cents).into(),
                    ),
                    (
                        FundingApplications::AmountGranted,
                        row.amount_granted_cents.map(text).into(),
                    ),
                ],
            )
            .await?;
        }
        drop(manager, FundingApplications::AmountRequestedCents).await?;
        drop(manager, FundingApplications::AmountGrantedCents).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_amounts_convert_exactly_both_ways() {
        for (stored, expected) in [("1250.00", 125_000), ("0.05", 5), ("12500.50", 1_250_050)] {
            assert_eq!(cents(stored).ok(), Some(expected));
            assert_eq!(text(expected), stored);
        }
        assert!(cents("abc").is_err());
    }
}
