//! Storing associations: reads with their links, create, change, upsert and delete through the
//! shared write layer, and the conflicts only the database knows (names, look-alike names,
//! enterprise numbers).

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::entity::{association, country_link, sdg_link};
use super::input::{AssociationInput, Facts, Valid, check};
use super::{Association, Status};
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::{Refusal, RefusalKind};
use crate::policy::CallerScope;
use crate::reference::country;
use crate::resource::{self, Precondition, Written, json_text};
use crate::{DomainError, text};

/// An association row read with its links in the same statement: its countries' codes and its
/// SDGs as comma-separated lists, aggregated by correlated subqueries over the link tables'
/// primary keys. One round trip per read or page instead of three.
pub(crate) struct Linked {
    row: association::Model,
    countries: Option<String>,
    sdgs: Option<String>,
}

const LINKED_COUNTRIES: &str = r#"(SELECT string_agg("country_code", ',') FROM "association_countries" WHERE "association_countries"."association_id" = "associations"."id")"#;
const LINKED_SDGS: &str = r#"(SELECT string_agg(CAST("sdg" AS TEXT), ',') FROM "association_sdgs" WHERE "association_sdgs"."association_id" = "associations"."id")"#;

impl sea_orm::FromQueryResult for Linked {
    fn from_query_result(res: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            row: association::Model::from_query_result(res, pre)?,
            countries: res.try_get(pre, "linked_countries")?,
            sdgs: res.try_get(pre, "linked_sdgs")?,
        })
    }
}

impl crate::paging::RowOf<association::Model> for Linked {
    fn row(&self) -> &association::Model {
        &self.row
    }
}

impl Linked {
    /// Adds the link columns to a select of associations.
    pub(crate) fn columns(
        select: sea_orm::Select<association::Entity>,
    ) -> sea_orm::Select<association::Entity> {
        select
            .expr_as(
                sea_orm::sea_query::Expr::cust(LINKED_COUNTRIES),
                "linked_countries",
            )
            .expr_as(sea_orm::sea_query::Expr::cust(LINKED_SDGS), "linked_sdgs")
    }

    /// The association, its codes and SDGs in order.
    pub(crate) fn into_association(self) -> Result<Association, DomainError> {
        let mut countries: Vec<String> = self
            .countries
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        countries.sort_unstable();
        let mut sdgs = Vec::new();
        for sdg in self.sdgs.as_deref().unwrap_or_default().split(',') {
            if sdg.is_empty() {
                continue;
            }
            sdgs.push(sdg.parse::<i32>().map_err(|_| {
                DomainError::Internal(format!("association {}: SDG {sdg:?} stored", self.row.id))
            })?);
        }
        sdgs.sort_unstable();
        Association::new(self.row, countries, sdgs)
    }
}

/// Loads countries and SDGs for many associations in two queries.
pub(crate) async fn with_links(
    db: &impl ConnectionTrait,
    rows: Vec<association::Model>,
) -> Result<Vec<Association>, DomainError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let countries = country_link::Entity::find()
        .filter(country_link::Column::AssociationId.is_in(ids.clone()))
        .order_by_asc(country_link::Column::CountryCode)
        .all(db)
        .await?;
    let sdgs = sdg_link::Entity::find()
        .filter(sdg_link::Column::AssociationId.is_in(ids))
        .order_by_asc(sdg_link::Column::Sdg)
        .all(db)
        .await?;
    // Grouped once (the links come sorted), not scanned per row: the CSV exports take every
    // association at once.
    let mut codes: HashMap<Uuid, Vec<String>> = HashMap::new();
    for link in countries {
        codes
            .entry(link.association_id)
            .or_default()
            .push(link.country_code);
    }
    let mut goals: HashMap<Uuid, Vec<i32>> = HashMap::new();
    for link in sdgs {
        goals.entry(link.association_id).or_default().push(link.sdg);
    }
    rows.into_iter()
        .map(|row| {
            let id = row.id;
            Association::new(
                row,
                codes.remove(&id).unwrap_or_default(),
                goals.remove(&id).unwrap_or_default(),
            )
        })
        .collect()
}

pub(super) async fn with_links_one(
    db: &impl ConnectionTrait,
    row: association::Model,
) -> Result<Association, DomainError> {
    with_links(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| DomainError::Internal("an association vanished while loading".into()))
}

/// The ids of live associations, as a subquery for `association_id IN (...)`: the records of a
/// deleted association go with it.
pub fn live_ids() -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(association::Column::Id)
        .from(association::Entity)
        .and_where(association::Column::DeletedAt.is_null())
        .to_owned()
}

/// Checks that a record belonging to `association_id` is the caller's to see: the association
/// is live and the caller may see it. Otherwise the record is `what`, not found. One query.
pub async fn check_parent(
    db: &impl ConnectionTrait,
    association_id: Uuid,
    scope: &CallerScope,
    what: &'static str,
) -> Result<(), DomainError> {
    let live = scope.sees(crate::policy::Owner::Association(association_id))
        && association::Entity::find_by_id(association_id)
            .filter(association::Column::DeletedAt.is_null())
            .count(db)
            .await?
            > 0;
    if live {
        Ok(())
    } else {
        Err(DomainError::NotFound(what))
    }
}

/// Reads one live association the caller may see (others are "not found").
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    scope: &CallerScope,
) -> Result<Association, DomainError> {
    resource::find_live_as::<association::Entity, Linked>(
        db,
        Linked::columns(association::Entity::find()),
        id,
        scope,
    )
    .await?
    .into_association()
}

/// The ISO codes of `/api/v1/countries`.
pub(super) async fn country_codes(
    db: &impl ConnectionTrait,
) -> Result<HashSet<String>, DomainError> {
    Ok(country::Entity::find()
        .select_only()
        .column(country::Column::Code)
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Checks an input against every field rule, countries included.
pub(super) fn validate(
    input: &AssociationInput,
    countries: &HashSet<String>,
) -> Result<Valid, DomainError> {
    let is_country = |code: &str| countries.contains(code);
    check(
        input,
        &Facts {
            this_year: Utc::now().year(),
            is_country: &is_country,
        },
    )
    .map_err(DomainError::Invalid)
}

/// Refuses a name or enterprise number another live association has, and a name that looks
/// like another's.
pub(super) async fn check_conflicts(
    db: &impl ConnectionTrait,
    valid: &Valid,
    except: Option<Uuid>,
) -> Result<(), DomainError> {
    let live = || {
        let mut q = association::Entity::find().filter(association::Column::DeletedAt.is_null());
        if let Some(id) = except {
            q = q.filter(association::Column::Id.ne(id));
        }
        q
    };
    let key = text::fold(valid.name());
    let skeleton = text::skeleton(valid.name());
    let same = live()
        .filter(
            Condition::any()
                .add(association::Column::NameKey.eq(key.as_str()))
                .add(association::Column::NameSkeleton.eq(skeleton.as_str())),
        )
        .one(db)
        .await?;
    if let Some(other) = same {
        if other.name_key == key {
            return Err(DomainError::Conflict(format!(
                "an association named \"{}\" already exists",
                valid.name()
            )));
        }
        return Err(DomainError::Refused(Refusal {
            code: "name_confusable",
            title: "Name confusable with another",
            kind: RefusalKind::Conflict,
            detail: format!(
                "\"{}\" looks like the name of the association \"{}\"",
                valid.name(),
                other.name
            ),
            allowed: None,
            errors: vec![],
        }));
    }
    if let Some(number) = valid.enterprise_number()
        && live()
            .filter(association::Column::EnterpriseNumber.eq(number))
            .count(db)
            .await?
            > 0
    {
        return Err(DomainError::Conflict(format!(
            "an association with enterprise number {number} already exists"
        )));
    }
    Ok(())
}

/// Sets every stored field from a valid input, the derived keys included.
pub(super) fn apply(row: &mut association::ActiveModel, valid: &Valid) {
    let name_key = text::fold(&valid.name);
    let search = match &valid.acronym {
        Some(acronym) => format!("{name_key} {}", text::fold(acronym)),
        None => name_key.clone(),
    };
    row.name = Set(valid.name.clone());
    row.name_skeleton = Set(Some(text::skeleton(&valid.name)));
    row.name_key = Set(name_key);
    row.search_text = Set(search);
    row.acronym = Set(valid.acronym.clone());
    row.legal_form = Set(valid.legal_form);
    row.enterprise_number = Set(valid.enterprise_number.clone());
    row.founded_year = Set(valid.founded_year);
    row.member_count = Set(valid.member_count);
    row.street = Set(valid.street.clone());
    row.postal_code = Set(valid.postal_code.clone());
    row.city = Set(valid.city.clone());
    row.region = Set(valid.region);
    row.thematic_areas = Set(json_text(&valid.thematic_areas));
    row.intervention_regions = Set(valid.intervention_regions.clone());
    row.woman_led = Set(valid.woman_led);
    row.contact_email = Set(valid.email.clone());
    row.contact_phone = Set(valid.phone.clone());
    row.website = Set(valid.website.clone());
    row.consent_granted = Set(valid.consent_granted);
    row.consent_fields = Set(json_text(&valid.consent_fields));
}

/// A new row with its bookkeeping, for one association or many.
pub(super) fn new_row(id: Uuid, valid: &Valid) -> association::ActiveModel {
    let mut row = association::ActiveModel {
        id: Set(id),
        status: Set(Status::Applicant),
        consent_recorded_at: Set(Some(Utc::now())),
        ..Default::default()
    };
    apply(&mut row, valid);
    row
}

/// Writes the countries and SDGs of one association (replacing what was there).
async fn replace_links(tx: &Tx, id: Uuid, valid: &Valid) -> Result<(), DomainError> {
    country_link::Entity::delete_many()
        .filter(country_link::Column::AssociationId.eq(id))
        .exec(tx)
        .await?;
    sdg_link::Entity::delete_many()
        .filter(sdg_link::Column::AssociationId.eq(id))
        .exec(tx)
        .await?;
    insert_links(tx, &[(id, valid)]).await
}

/// Inserts the countries and SDGs of new associations, a few statements for many.
pub(super) async fn insert_links(tx: &Tx, rows: &[(Uuid, &Valid)]) -> Result<(), DomainError> {
    let countries: Vec<country_link::ActiveModel> = rows
        .iter()
        .flat_map(|(id, valid)| {
            valid
                .countries
                .iter()
                .map(|code| country_link::ActiveModel {
                    association_id: Set(*id),
                    country_code: Set(code.clone()),
                })
        })
        .collect();
    for part in countries.chunks(2000) {
        country_link::Entity::insert_many(part.to_vec())
            .exec(tx)
            .await?;
    }
    let sdgs: Vec<sdg_link::ActiveModel> = rows
        .iter()
        .flat_map(|(id, valid)| {
            valid.sdgs.iter().map(|sdg| sdg_link::ActiveModel {
                association_id: Set(*id),
                sdg: Set(*sdg),
            })
        })
        .collect();
    for part in sdgs.chunks(2000) {
        sdg_link::Entity::insert_many(part.to_vec())
            .exec(tx)
            .await?;
    }
    Ok(())
}

/// Creates an association with `id` (a new UUID v7 when `None`). Only callers that act for the
/// whole registry create associations.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    id: Option<Uuid>,
    input: &AssociationInput,
    scope: &CallerScope,
) -> Result<Association, DomainError> {
    if !scope.manages_registry() {
        return Err(DomainError::Forbidden(
            "a caller bound to an association cannot create associations".into(),
        ));
    }
    let valid = validate(input, &country_codes(tx).await?)?;
    check_conflicts(tx, &valid, None).await?;
    let id = id.unwrap_or_else(Uuid::now_v7);
    let row = resource::insert::<association::Entity>(tx, context, new_row(id, &valid)).await?;
    insert_links(tx, &[(id, &valid)]).await?;
    super::consent::record(
        tx,
        context,
        id,
        valid.consent_granted,
        &valid.consent_fields,
    )
    .await?;
    with_links_one(tx, row).await
}

/// Associations are edited and deleted through the write layer ([`resource::edit`],
/// [`resource::delete`]); what is their own: contact data a caller may not see is kept, names
/// and enterprise numbers stay unique, countries and SDGs are stored beside the row, and a
/// change of publication consent is recorded.
impl resource::Editable for association::Entity {
    type View = Association;
    type Input = AssociationInput;
    type Valid = Valid;

    async fn view(tx: &Tx, row: association::Model) -> Result<Association, DomainError> {
        with_links_one(tx, row).await
    }

    fn input(current: &Association) -> AssociationInput {
        current.to_input()
    }

    async fn check(
        tx: &Tx,
        current: &Association,
        mut input: AssociationInput,
        scope: &CallerScope,
    ) -> Result<Valid, DomainError> {
        if !scope.personal_data {
            // A caller who cannot see the contact email and phone cannot clear them either: a
            // replacement from a copy without them keeps them.
            input.contact.email = input.contact.email.or(current.row.contact_email.clone());
            input.contact.phone = input.contact.phone.or(current.row.contact_phone.clone());
        }
        let valid = validate(&input, &country_codes(tx).await?)?;
        check_conflicts(tx, &valid, Some(current.row.id)).await?;
        Ok(valid)
    }

    fn apply(current: &Association, valid: &Valid, row: &mut association::ActiveModel) {
        apply(row, valid);
        if consent_changed(current, valid) {
            row.consent_recorded_at = Set(Some(Utc::now()));
        }
    }

    fn beside_changed(current: &Association, valid: &Valid) -> bool {
        links_changed(current, valid)
    }

    async fn write_beside(
        tx: &Tx,
        context: &AuditContext,
        current: &Association,
        valid: &Valid,
    ) -> Result<(), DomainError> {
        let id = current.row.id;
        if links_changed(current, valid) {
            replace_links(tx, id, valid).await?;
        }
        if consent_changed(current, valid) {
            let (granted, fields) = (valid.consent_granted, &valid.consent_fields);
            super::consent::record(tx, context, id, granted, fields).await?;
        }
        Ok(())
    }

    fn may_delete(scope: &CallerScope) -> Result<(), DomainError> {
        if scope.manages_registry() {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "a caller bound to an association cannot delete it".into(),
            ))
        }
    }

    /// Its people's lines leave the attendance sheets they were on: those sheets change.
    async fn on_deleted(
        tx: &Tx,
        _context: &AuditContext,
        row: &association::Model,
    ) -> Result<(), DomainError> {
        crate::training::attendance::association_deleted(tx, row.id).await
    }
}

/// Whether the countries of origin or the SDGs change.
fn links_changed(current: &Association, valid: &Valid) -> bool {
    current.countries_of_origin != valid.countries || current.sdgs != valid.sdgs
}

/// Whether the publication consent changes.
fn consent_changed(current: &Association, valid: &Valid) -> bool {
    current.row.consent_granted != valid.consent_granted
        || current.consent_fields != valid.consent_fields
}

/// PUT with a client-chosen id: creates when absent, replaces otherwise. A caller bound to an
/// association may replace only its own.
pub async fn upsert(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    input: &AssociationInput,
    expected: &Precondition,
    scope: &CallerScope,
) -> Result<Written<Association>, DomainError> {
    let exists = resource::put_target::<association::Entity>(tx, id)
        .await?
        .is_some();
    if exists || !scope.sees(crate::policy::Owner::Association(id)) {
        resource::edit::<association::Entity, _>(tx, context, id, expected, scope, |_| {
            Ok::<_, DomainError>(input.clone())
        })
        .await
    } else {
        let row = create(tx, context, Some(id), input, scope).await?;
        // Judged after the creation's own refusals (403, 404, 422), as on an existing record;
        // a refusal leaves the transaction uncommitted, so nothing is written.
        expected.check_absent()?;
        Ok(Written {
            row,
            created: true,
            changed: true,
        })
    }
}

/// Keeps derived columns current after an upgrade: rows written before look-alike names were
/// refused get their skeleton. Runs at start-up; cheap when nothing is missing.
pub async fn upkeep(tx: &Tx) -> Result<u64, DomainError> {
    let stale = association::Entity::find()
        .filter(association::Column::NameSkeleton.is_null())
        .all(tx)
        .await?;
    let count = stale.len() as u64;
    for row in stale {
        let skeleton = text::skeleton(&row.name);
        let mut active: association::ActiveModel = row.into();
        active.name_skeleton = Set(Some(skeleton));
        active.update(tx).await?;
    }
    Ok(count)
}
