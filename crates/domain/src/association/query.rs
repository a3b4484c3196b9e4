//! The association list: typed filters, a multi-key sort with the id as tie-breaker, keyset
//! pages. One query a page: the rows with their countries and SDGs (and the country codes
//! when a `country` filter is checked).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter};

use super::entity::{association, country_link, sdg_link};
use super::store::{Linked, country_codes};
use super::{Association, Region, Status};
use crate::paging::{self, KeyValue, Page, PageRequest, SortKey};
use crate::policy::CallerScope;
use crate::reference::country;
use crate::{DomainError, FieldError, text, time};

/// A sort key of the association list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    /// By name (case- and accent-insensitive).
    Name,
    /// By creation.
    CreatedAt,
    /// By last change.
    UpdatedAt,
}

impl SortKey<association::Entity> for SortField {
    fn column(self) -> association::Column {
        match self {
            Self::Name => association::Column::NameKey,
            Self::CreatedAt => association::Column::CreatedAt,
            Self::UpdatedAt => association::Column::UpdatedAt,
        }
    }

    fn value(self, row: &association::Model) -> KeyValue {
        match self {
            Self::Name => KeyValue::Text(row.name_key.clone()),
            Self::CreatedAt => KeyValue::Text(row.created_at.to_rfc3339()),
            Self::UpdatedAt => KeyValue::Text(row.updated_at.to_rfc3339()),
        }
    }

    fn parse(self, value: &KeyValue) -> Option<sea_orm::Value> {
        let KeyValue::Text(text) = value else {
            return None;
        };
        match self {
            Self::Name => Some(text.clone().into()),
            Self::CreatedAt | Self::UpdatedAt => DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.with_timezone(&Utc).into()),
        }
    }
}

/// Filters of the association list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssociationFilter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only with this country of origin (an ISO code of `/api/v1/countries`).
    pub country: Option<String>,
    /// Only in this region.
    pub region: Option<Region>,
    /// Only with (`true`) or without (`false`) a priority country of origin.
    pub priority_country: Option<bool>,
    /// Only tagged with this SDG (1-17).
    pub sdg: Option<i32>,
    /// Search in name and acronym, ignoring case and accents (at most 200 characters).
    pub q: Option<String>,
    /// Only changed after this time.
    pub updated_after: Option<DateTime<Utc>>,
}

/// Longest search text.
pub const MAX_QUERY: usize = 200;

pub(crate) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `q` (folded) as a condition on the registry's search text, a substring of it.
///
/// PostgreSQL: `LIKE`, which the trigram index serves, the planner choosing between it and a
/// walk in the page's order from its statistics. SQLite has no such statistics for its FTS5
/// trigram table (`association_search`), so the choice is made here, from the table's
/// vocabulary: the fewest rows holding one of `q`'s trigrams bounds the matches. A `q` that
/// may match a tenth of the registry or more is a `LIKE`: the walk in the page's order meets 50
/// matches within a few hundred rows and stops. A rarer one (or one of one or two characters,
/// which has no trigram) goes through the index, which finds its few rows without reading the
/// others.
pub(crate) async fn search(db: &impl ConnectionTrait, q: &str) -> Result<SimpleExpr, DomainError> {
    // An ESCAPE clause slows the matching of every row down (1.7 times on PostgreSQL by
    // `EXPLAIN ANALYZE` on 10,000 rows; on SQLite 19 against 14 ms for a common word): only a
    // `q` holding a wildcard or the escape character needs one. PostgreSQL's LIKE escapes with
    // a backslash by default; SQLite's does not.
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    let pattern = LikeExpr::new(format!("%{}%", escape_like(q)));
    let pattern = if sqlite && q.contains(['%', '_', '\\']) {
        pattern.escape('\\')
    } else {
        pattern
    };
    let like = Expr::col((association::Entity, association::Column::SearchText)).like(pattern);
    if !sqlite {
        return Ok(like);
    }
    let chars: Vec<char> = q.chars().collect();
    if chars.len() < 3 {
        return Ok(like);
    }
    let trigrams: std::collections::BTreeSet<String> =
        chars.windows(3).map(|w| w.iter().collect()).collect();
    let marks = vec!["?"; trigrams.len()].join(", ");
    let values: Vec<sea_orm::Value> = trigrams.into_iter().map(Into::into).collect();
    let row = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Sqlite,
            format!(
                r#"SELECT (SELECT MIN("doc") FROM "association_search_terms" WHERE "term" IN ({marks})) AS "fewest",
                   (SELECT COUNT(*) FROM "associations" WHERE "deleted_at" IS NULL) AS "live""#
            ),
            values,
        ))
        .await?;
    let (fewest, live) = match row {
        Some(row) => (
            row.try_get::<Option<i64>>("", "fewest")?.unwrap_or(0),
            row.try_get::<i64>("", "live")?,
        ),
        None => (0, 0),
    };
    if fewest * 10 >= live && fewest > 0 {
        return Ok(like);
    }
    let phrase = format!("\"{}\"", q.replace('"', "\"\""));
    Ok(Expr::cust_with_values(
        r#""associations"."id" IN (SELECT "association_id" FROM "association_search" WHERE "association_search" MATCH ?)"#,
        [phrase],
    ))
}

/// Checks the filters' values; problems name the parameter.
pub async fn check_filter(
    db: &impl ConnectionTrait,
    filter: &AssociationFilter,
) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    if let Some(code) = &filter.country {
        let code = code.to_ascii_uppercase();
        if code.len() != 2 || !country_codes(db).await?.contains(&code) {
            errors.push(FieldError::new(
                "country",
                "must be an ISO 3166-1 alpha-2 code of /api/v1/countries",
            ));
        }
    }
    if filter.sdg.is_some_and(|sdg| !(1..=17).contains(&sdg)) {
        errors.push(FieldError::new("sdg", "must be an SDG number, 1 to 17"));
    }
    if let Some(q) = &filter.q {
        text::collect(&mut errors, text::line(q, "q", 1, MAX_QUERY));
    }
    if let Some(after) = filter.updated_after {
        text::collect(&mut errors, time::check_instant(after, "updated_after"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// Lists live associations the caller may see: filtered, sorted (then by id), paginated by
/// keyset. A search is read in a transaction planned for its pattern
/// ([`crate::db::begin_read_planned_per_value`]).
pub async fn list(
    db: &sea_orm::DatabaseConnection,
    filter: &AssociationFilter,
    sort: &[(SortField, bool)],
    page: &PageRequest,
    scope: &CallerScope,
) -> Result<Page<Association>, DomainError> {
    if filter.q.is_none() || db.get_database_backend() != DbBackend::Postgres {
        return list_in(db, filter, sort, page, scope).await;
    }
    let tx = crate::db::begin_read_planned_per_value(db).await?;
    let listed = list_in(&tx, filter, sort, page, scope).await?;
    tx.commit().await?;
    Ok(listed)
}

/// [`list`] on a connection or in a transaction as it stands.
pub async fn list_in(
    db: &impl ConnectionTrait,
    filter: &AssociationFilter,
    sort: &[(SortField, bool)],
    page: &PageRequest,
    scope: &CallerScope,
) -> Result<Page<Association>, DomainError> {
    check_filter(db, filter).await?;
    let mut select = association::Entity::find().filter(association::Column::DeletedAt.is_null());
    if let Some(id) = scope.bound_to {
        select = select.filter(association::Column::Id.eq(id));
    }
    if let Some(status) = filter.status {
        select = select.filter(association::Column::Status.eq(status));
    }
    if let Some(region) = filter.region {
        select = select.filter(association::Column::Region.eq(region));
    }
    if let Some(code) = &filter.country {
        select = select.filter(
            association::Column::Id.in_subquery(
                Query::select()
                    .column(country_link::Column::AssociationId)
                    .from(country_link::Entity)
                    .and_where(country_link::Column::CountryCode.eq(code.to_ascii_uppercase()))
                    .to_owned(),
            ),
        );
    }
    if let Some(priority) = filter.priority_country {
        let sub = Query::select()
            .column((country_link::Entity, country_link::Column::AssociationId))
            .from(country_link::Entity)
            .inner_join(
                country::Entity,
                Expr::col((country::Entity, country::Column::Code))
                    .equals((country_link::Entity, country_link::Column::CountryCode)),
            )
            .and_where(Expr::col((country::Entity, country::Column::Priority)).eq(true))
            .to_owned();
        select = select.filter(if priority {
            association::Column::Id.in_subquery(sub)
        } else {
            association::Column::Id.not_in_subquery(sub)
        });
    }
    if let Some(sdg) = filter.sdg {
        select = select.filter(
            association::Column::Id.in_subquery(
                Query::select()
                    .column(sdg_link::Column::AssociationId)
                    .from(sdg_link::Entity)
                    .and_where(sdg_link::Column::Sdg.eq(sdg))
                    .to_owned(),
            ),
        );
    }
    if let Some(q) = filter
        .q
        .as_deref()
        .map(text::fold)
        .filter(|q| !q.is_empty())
    {
        select = select.filter(search(db, &q).await?);
    }
    if let Some(after) = filter.updated_after {
        select = select.filter(association::Column::UpdatedAt.gt(after));
    }
    let sort: Vec<(SortField, bool)> = if sort.is_empty() {
        vec![(SortField::Name, false)]
    } else {
        sort.to_vec()
    };
    paging::by_keys_as::<_, _, _, Linked>(
        db,
        select,
        Linked::columns,
        &sort,
        (association::Column::Id, |row: &association::Model| row.id),
        page,
    )
    .await?
    .try_map(Linked::into_association)
}
