//! Each enrolment keeps the day it completed its module (`enrollments.completed_on`), written by
//! the server whenever what completion depends on changes (attendance, a session's date, the
//! module's days or threshold), so the results report reads it instead of ranking every
//! attendance line of the programme for each indicator that counts completions.
//!
//! The rule, as `training::completion` states it: a day counts once when the person was present
//! at a live, not cancelled sitting of it; the enrolment is completed on the date of the day that
//! brought the days attended to `ceil(planned_days × min_attendance_pct / 100)`. This migration
//! fills the column once for the enrolments that exist, with that rule in SQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enrollments {
    Table,
    CompletedOn,
}

const FILL: &str = "WITH firsts AS ( \
       SELECT a.enrollment_id AS enrollment_id, s.day_number AS day_number, \
              MIN(s.date) AS first_on \
       FROM attendance a JOIN training_sessions s ON s.id = a.session_id \
       WHERE a.deleted_at IS NULL AND a.status = 'present' \
         AND s.deleted_at IS NULL AND s.status <> 'cancelled' \
       GROUP BY a.enrollment_id, s.day_number \
     ), ranked AS ( \
       SELECT enrollment_id, day_number, first_on, \
              ROW_NUMBER() OVER (PARTITION BY enrollment_id ORDER BY first_on, day_number) AS n \
       FROM firsts \
     ), completed AS ( \
       SELECT r.enrollment_id AS enrollment_id, r.first_on AS completed_on \
       FROM ranked r \
       JOIN enrollments e ON e.id = r.enrollment_id \
       JOIN modules m ON m.id = e.module_id \
       WHERE r.n = (m.planned_days * m.min_attendance_pct + 99) / 100 \
     ) \
     UPDATE enrollments SET completed_on = c.completed_on \
     FROM completed c WHERE c.enrollment_id = enrollments.id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Enrollments::Table)
                    .add_column(ColumnDef::new(Enrollments::CompletedOn).date().null())
                    .to_owned(),
            )
            .await?;
        manager.get_connection().execute_unprepared(FILL).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Enrollments::Table)
                    .drop_column(Enrollments::CompletedOn)
                    .to_owned(),
            )
            .await
    }
}
