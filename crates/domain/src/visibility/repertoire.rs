//! The public repertoire: every association not rejected or withdrawn that has granted
//! publication consent, showing only the fields it consented to. It is read live: a consent
//! withdrawn is gone from the next response. Filters match only consented fields, so a filter
//! never reveals a value the association keeps private.

use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::association::entity::{association, country_link, sdg_link};
use crate::association::query::{SortField, escape_like};
use crate::association::store::{Linked, with_links};
use crate::association::{Association, AssociationFilter, Region, Status};
use crate::paging::{self, Page, PageRequest};
use crate::{DomainError, text};

/// Filters of the repertoire.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepertoireFilter {
    /// With this country of origin (among those it publishes).
    pub country: Option<String>,
    /// In this region (when it publishes its region).
    pub region: Option<Region>,
    /// Tagged with this SDG (when it publishes its SDGs).
    pub sdg: Option<i32>,
    /// In its name, or its acronym when it publishes it.
    pub q: Option<String>,
}

/// Consent covers this field (the list is stored as JSON: a quoted name matches only itself).
fn consents(field: &str) -> sea_orm::sea_query::SimpleExpr {
    association::Column::ConsentFields.like(format!("%\"{field}\"%"))
}

fn condition(filter: &RepertoireFilter) -> Condition {
    let mut condition = Condition::all()
        .add(association::Column::DeletedAt.is_null())
        .add(association::Column::ConsentGranted.eq(true))
        .add(association::Column::Status.is_not_in([Status::Rejected, Status::Withdrawn]));
    if let Some(code) = &filter.country {
        condition = condition.add(consents("countries_of_origin")).add(
            association::Column::Id.in_subquery(
                Query::select()
                    .column(country_link::Column::AssociationId)
                    .from(country_link::Entity)
                    .and_where(country_link::Column::CountryCode.eq(code.to_ascii_uppercase()))
                    .to_owned(),
            ),
        );
    }
    if let Some(region) = filter.region {
        condition = condition
            .add(consents("region"))
            .add(association::Column::Region.eq(region));
    }
    if let Some(sdg) = filter.sdg {
        condition = condition.add(consents("sdgs")).add(
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
        let like = || LikeExpr::new(format!("%{}%", escape_like(&q))).escape('\\');
        // The search text holds the name and the acronym: the acronym counts only when
        // published, so a match on it alone needs its consent.
        condition = condition.add(
            Condition::any()
                .add(Expr::col(association::Column::NameKey).like(like()))
                .add(
                    Condition::all()
                        .add(consents("acronym"))
                        .add(Expr::col(association::Column::SearchText).like(like())),
                ),
        );
    }
    condition
}

async fn check(db: &impl ConnectionTrait, filter: &RepertoireFilter) -> Result<(), DomainError> {
    crate::association::check_filter(
        db,
        &AssociationFilter {
            country: filter.country.clone(),
            sdg: filter.sdg,
            q: filter.q.clone(),
            ..AssociationFilter::default()
        },
    )
    .await
}

/// A page of the repertoire, by name.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &RepertoireFilter,
    page: &PageRequest,
) -> Result<Page<Association>, DomainError> {
    check(db, filter).await?;
    let select = association::Entity::find().filter(condition(filter));
    paging::by_keys_as::<_, _, _, Linked>(
        db,
        select,
        Linked::columns,
        &[(SortField::Name, false)],
        (association::Column::Id, |row: &association::Model| row.id),
        page,
    )
    .await?
    .try_map(Linked::into_association)
}

/// The whole repertoire, by name (the CSV).
pub async fn all(
    db: &impl ConnectionTrait,
    filter: &RepertoireFilter,
) -> Result<Vec<Association>, DomainError> {
    check(db, filter).await?;
    let rows = association::Entity::find()
        .filter(condition(filter))
        .order_by_asc(association::Column::NameKey)
        .order_by_asc(association::Column::Id)
        .all(db)
        .await?;
    with_links(db, rows).await
}
