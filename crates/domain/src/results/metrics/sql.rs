//! The one aggregate every metric goes through: a metric states its records (its "facts":
//! what is counted, the amount, the association, module and sex of each), and this module
//! joins them to the dimension asked for and aggregates them in SQL, on both databases.

use std::collections::HashMap;

use chrono::Days;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect, Statement, Value,
};
use uuid::Uuid;

use super::facts::{self, Facts};
use super::{Aggregate, Cell, CountryOf, Dimension, Metric, Params, Period};
use crate::DomainError;
use crate::association::entity::association;
use crate::training::entity::module;

/// A SQL text with `:name` tokens, turned into a statement whose placeholders are bound in
/// order of appearance (so a token may appear several times, on both databases).
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
    values: HashMap<&'static str, Value>,
}

impl Query {
    /// A query with the period's tokens bound: `:from` and `:to` (dates), `:from_at` and
    /// `:until_at` (the instants, Brussels time, that start the first day and end the last).
    pub fn new(text: String, period: Period) -> Self {
        let mut values = HashMap::new();
        values.insert("from", Value::from(period.from));
        values.insert("to", Value::from(period.to));
        values.insert("from_at", Value::from(start_of(period.from)));
        values.insert(
            "until_at",
            Value::from(start_of(
                period
                    .to
                    .checked_add_days(Days::new(1))
                    .unwrap_or(period.to),
            )),
        );
        Self { text, values }
    }

    /// Binds `:name` to `value`.
    pub fn bind(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.values.insert(name, value.into());
        self
    }

    /// The statement for `backend`.
    pub fn statement(&self, backend: DbBackend) -> Result<Statement, DomainError> {
        let mut text = String::with_capacity(self.text.len());
        let mut values = Vec::new();
        let mut rest = self.text.as_str();
        while let Some(at) = rest.find(':') {
            text.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = &after[..len];
            let value = self.values.get(name).ok_or_else(|| {
                DomainError::Internal(format!("metric query: no value for :{name}"))
            })?;
            values.push(value.clone());
            match backend {
                DbBackend::Postgres => text.push_str(&format!("${}", values.len())),
                _ => text.push('?'),
            }
            rest = &after[len..];
        }
        text.push_str(rest);
        Ok(Statement::from_sql_and_values(backend, text, values))
    }
}

use crate::time::brussels_midnight as start_of;

/// A row of an aggregate: the cell's key (an id or a text; both null for the total) and value.
#[derive(Debug, FromQueryResult)]
pub struct Row {
    /// The key, when the dimension is an id.
    pub k_id: Option<Uuid>,
    /// The key, when the dimension is a text.
    pub k_text: Option<String>,
    /// The value.
    pub value: f64,
}

/// Typed nulls: PostgreSQL must know a null's type in a union or a later comparison.
pub fn null_uuid(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "CAST(NULL AS uuid)",
        _ => "NULL",
    }
}

/// A null text.
pub const NULL_TEXT: &str = "CAST(NULL AS TEXT)";

/// The metric's aggregate over `period`, one row per cell of `by` (one row, or none, for the
/// total).
pub async fn aggregate(
    db: &impl ConnectionTrait,
    metric: Metric,
    params: &Params,
    period: Period,
    by: Option<Dimension>,
) -> Result<Vec<Row>, DomainError> {
    let backend = db.get_database_backend();
    let definition = metric.definition();
    let Facts { ctes, core, binds } = facts::of(backend, metric, params, by);
    let null_id = null_uuid(backend);
    let (key_id, key_text, join) = match by {
        None => (null_id.to_owned(), NULL_TEXT.to_owned(), String::new()),
        Some(Dimension::Association) => (
            "c.association_id".to_owned(),
            NULL_TEXT.to_owned(),
            String::new(),
        ),
        Some(Dimension::Module) => (
            "c.module_id".to_owned(),
            NULL_TEXT.to_owned(),
            String::new(),
        ),
        Some(Dimension::Sex) => (null_id.to_owned(), "c.sex".to_owned(), String::new()),
        Some(Dimension::Region) => (
            null_id.to_owned(),
            "CAST(ra.region AS TEXT)".to_owned(),
            "JOIN associations ra ON ra.id = c.association_id".to_owned(),
        ),
        Some(Dimension::Country) => match definition.country_of {
            CountryOf::Record => (null_id.to_owned(), "c.country".to_owned(), String::new()),
            CountryOf::Association => (
                null_id.to_owned(),
                "CAST(ac.country_code AS TEXT)".to_owned(),
                "JOIN association_countries ac ON ac.association_id = c.association_id".to_owned(),
            ),
        },
    };
    let value = match definition.aggregate {
        Aggregate::Count => "COUNT(DISTINCT f.unit)",
        Aggregate::Sum => "COALESCE(SUM(f.amount), 0)",
        Aggregate::Share => "100.0 * SUM(f.amount) / COUNT(*)",
    };
    let with: String = ctes.iter().map(|cte| format!("{cte}, ")).collect();
    let text = format!(
        "WITH {with}facts AS (SELECT c.unit AS unit, c.amount AS amount, {key_id} AS k_id, \
           {key_text} AS k_text FROM ({core}) c {join}) \
         SELECT f.k_id AS k_id, f.k_text AS k_text, CAST({value} AS DOUBLE PRECISION) AS value \
         FROM facts f GROUP BY f.k_id, f.k_text"
    );
    let mut query = Query::new(text, period);
    for (name, value) in binds {
        query = query.bind(name, value);
    }
    let rows = Row::find_by_statement(query.statement(backend)?)
        .all(db)
        .await?;
    // A record without a value for the dimension (no region, no sex) has no cell.
    Ok(match by {
        None => rows,
        Some(_) => rows
            .into_iter()
            .filter(|r| r.k_id.is_some() || r.k_text.is_some())
            .collect(),
    })
}

/// The cells of `rows`, with the labels of ids (a module's code, an association's name),
/// sorted by key.
pub async fn label(
    db: &impl ConnectionTrait,
    by: Dimension,
    rows: Vec<Row>,
) -> Result<Vec<Cell>, DomainError> {
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.k_id).collect();
    let labels: HashMap<Uuid, String> = match by {
        Dimension::Association if !ids.is_empty() => association::Entity::find()
            .select_only()
            .column(association::Column::Id)
            .column(association::Column::Name)
            .filter(association::Column::Id.is_in(ids))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect(),
        Dimension::Module if !ids.is_empty() => module::Entity::find()
            .select_only()
            .column(module::Column::Id)
            .column(module::Column::Code)
            .filter(module::Column::Id.is_in(ids))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect(),
        _ => HashMap::new(),
    };
    let mut cells: Vec<Cell> = rows
        .into_iter()
        .map(|row| match row.k_id {
            Some(id) => Cell {
                key: id.to_string(),
                label: labels.get(&id).cloned(),
                value: row.value,
            },
            None => Cell {
                key: row.k_text.unwrap_or_default(),
                label: None,
                value: row.value,
            },
        })
        .collect();
    cells.sort_by(|a, b| {
        a.label
            .as_deref()
            .unwrap_or(&a.key)
            .cmp(b.label.as_deref().unwrap_or(&b.key))
            .then_with(|| a.key.cmp(&b.key))
    });
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn period() -> Period {
        Period {
            from: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap_or_default(),
            to: NaiveDate::from_ymd_opt(2027, 3, 31).unwrap_or_default(),
        }
    }

    #[test]
    fn tokens_become_placeholders_in_order() {
        let query = Query::new(
            "a >= :from AND a <= :to AND b = :from AND c = :x".into(),
            period(),
        )
        .bind("x", 7);
        let pg = query
            .statement(DbBackend::Postgres)
            .unwrap_or_else(|_| Statement::from_string(DbBackend::Postgres, String::new()));
        assert_eq!(pg.sql, "a >= $1 AND a <= $2 AND b = $3 AND c = $4");
        assert_eq!(pg.values.map(|v| v.0.len()), Some(4));
        let lite = query.statement(DbBackend::Sqlite);
        assert!(lite.is_ok_and(|s| s.sql == "a >= ? AND a <= ? AND b = ? AND c = ?"));
        assert!(
            Query::new(":nope".into(), period())
                .statement(DbBackend::Sqlite)
                .is_err()
        );
    }

    #[test]
    fn days_start_at_midnight_in_brussels() {
        let winter = start_of(NaiveDate::from_ymd_opt(2027, 1, 10).unwrap_or_default());
        assert_eq!(winter.to_rfc3339(), "2027-01-09T23:00:00+00:00");
        let summer = start_of(NaiveDate::from_ymd_opt(2027, 7, 10).unwrap_or_default());
        assert_eq!(summer.to_rfc3339(), "2027-07-09T22:00:00+00:00");
    }
}
