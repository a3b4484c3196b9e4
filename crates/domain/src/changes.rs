//! The change feed: one row per create, update and delete of every synced resource, written in
//! the same transaction as the change, numbered in commit order.
//!
//! On PostgreSQL a sequence number is taken at insert, not at commit, so a reader could see
//! seq 5 before seq 4 commits and skip 4 for ever. Writers therefore hold the writers' lock
//! ([`crate::db::lock_writers`], taken as a write transaction begins) until they commit: the
//! next writer cannot insert until the previous one has committed, so numbers are handed out
//! in commit order. On SQLite writers are serialised by `BEGIN IMMEDIATE`.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, Condition, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::DomainError;
use crate::audit::{self, AuditContext};
use crate::policy::CallerScope;

/// What happened to a resource.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Created or changed.
    Upsert,
    /// Deleted (a tombstone).
    Delete,
    /// A person's identity was erased from it (a GDPR erasure): clear the personal fields of
    /// your copy, or drop it, and read it again for what remains.
    Erase,
}

/// Every synced resource: its name in the change feed and the audit log. A resource that
/// joins the write layer ([`crate::resource::Synced`]) adds its variant here, and with it
/// appears in the feed, in the contract's list of feed types and in the feed's filter.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    /// An association of the registry.
    Association,
    /// A person of an association.
    Person,
    /// A funding application of an association.
    FundingApplication,
    /// A training module (programme-wide).
    Module,
    /// A stakeholder organisation (programme-wide).
    Partner,
    /// A sitting of one module day (programme-wide).
    TrainingSession,
    /// A representative's enrolment in a module (owned through her association).
    Enrollment,
    /// One person's line on a session's attendance sheet (owned through her association).
    Attendance,
    /// A pre- or post-training assessment of an enrolment (owned through its association).
    Assessment,
    /// A cascade session an association runs for its members (owned by the association).
    Restitution,
    /// A link or file backing a restitution's report (owned through its association).
    RestitutionEvidence,
    /// A visibility deliverable: repertoire, brief, calendar (programme-wide).
    Deliverable,
    /// A success story of a brief (owned by the association it is about).
    DeliverableStory,
    /// A month of a calendar (owned by the association it features).
    CalendarEntry,
    /// A record of how a deliverable was spread (programme-wide).
    Dissemination,
    /// A result of the results framework (programme-wide).
    #[sea_orm(string_value = "result")]
    #[serde(rename = "result")]
    FrameworkResult,
    /// An indicator of a result (programme-wide).
    Indicator,
    /// A measurement of a manual indicator (programme-wide).
    IndicatorMeasurement,
    /// A reporting period (programme-wide).
    ReportingPeriod,
}

impl ResourceType {
    /// The wire name, such as `funding_application`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Association => "association",
            Self::Person => "person",
            Self::FundingApplication => "funding_application",
            Self::Module => "module",
            Self::Partner => "partner",
            Self::TrainingSession => "training_session",
            Self::Enrollment => "enrollment",
            Self::Attendance => "attendance",
            Self::Assessment => "assessment",
            Self::Restitution => "restitution",
            Self::RestitutionEvidence => "restitution_evidence",
            Self::Deliverable => "deliverable",
            Self::DeliverableStory => "deliverable_story",
            Self::CalendarEntry => "calendar_entry",
            Self::Dissemination => "dissemination",
            Self::FrameworkResult => "result",
            Self::Indicator => "indicator",
            Self::IndicatorMeasurement => "indicator_measurement",
            Self::ReportingPeriod => "reporting_period",
        }
    }

    /// What a caller is told is missing, such as `funding application`.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Association => "association",
            Self::Person => "person",
            Self::FundingApplication => "funding application",
            Self::Module => "module",
            Self::Partner => "partner",
            Self::TrainingSession => "training session",
            Self::Enrollment => "enrollment",
            Self::Attendance => "attendance record",
            Self::Assessment => "assessment",
            Self::Restitution => "restitution",
            Self::RestitutionEvidence => "evidence item",
            Self::Deliverable => "deliverable",
            Self::DeliverableStory => "story",
            Self::CalendarEntry => "calendar entry",
            Self::Dissemination => "dissemination",
            Self::FrameworkResult => "result",
            Self::Indicator => "indicator",
            Self::IndicatorMeasurement => "measurement",
            Self::ReportingPeriod => "reporting period",
        }
    }

    /// The table its rows live in.
    pub fn table(self) -> &'static str {
        match self {
            Self::Association => "associations",
            Self::Person => "people",
            Self::FundingApplication => "funding_applications",
            Self::Module => "modules",
            Self::Partner => "partners",
            Self::TrainingSession => "training_sessions",
            Self::Enrollment => "enrollments",
            Self::Attendance => "attendance",
            Self::Assessment => "assessments",
            Self::Restitution => "restitutions",
            Self::RestitutionEvidence => "restitution_evidence",
            Self::Deliverable => "deliverables",
            Self::DeliverableStory => "deliverable_stories",
            Self::CalendarEntry => "calendar_entries",
            Self::Dissemination => "disseminations",
            Self::FrameworkResult => "results",
            Self::Indicator => "indicators",
            Self::IndicatorMeasurement => "indicator_measurements",
            Self::ReportingPeriod => "reporting_periods",
        }
    }

    /// Every synced resource.
    pub fn all() -> Vec<Self> {
        <Self as sea_orm::Iterable>::iter().collect()
    }

    /// Reads a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::all().into_iter().find(|t| t.as_str() == name)
    }
}

/// A change-log row as stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_log")]
pub struct Model {
    /// Position in commit order.
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The kind of resource, such as `association`.
    pub resource_type: ResourceType,
    /// Its id.
    pub resource_id: Uuid,
    /// `upsert` or `delete`.
    pub op: Op,
    /// The resource's version after the change.
    pub version: i32,
    /// The association the resource belongs to (none for programme-wide resources), for
    /// filtering by what a caller may read.
    pub association_id: Option<Uuid>,
    /// When it changed.
    pub changed_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// One change, as the feed lists it and a webhook delivers it. No field values: fetch the
/// resource to see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"seq": 42, "type": "association", "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
    "op": "upsert", "version": 3, "changed_at": "2026-11-27T10:00:00Z"}))]
pub struct ChangeView {
    /// Position in commit order.
    pub seq: i64,
    /// Resource type.
    #[serde(rename = "type")]
    pub resource_type: ResourceType,
    /// Resource id.
    pub id: Uuid,
    /// `upsert` (created or changed), `delete` (a tombstone) or `erase` (a person's identity was
    /// erased from it: clear the personal fields of your copy, then read it again).
    pub op: Op,
    /// The resource's version after the change.
    pub version: i32,
    /// When.
    pub changed_at: DateTime<Utc>,
}

impl From<&Model> for ChangeView {
    fn from(row: &Model) -> Self {
        Self {
            seq: row.seq,
            resource_type: row.resource_type,
            id: row.resource_id,
            op: row.op,
            version: row.version,
            changed_at: row.changed_at,
        }
    }
}

/// One change to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// The kind of resource.
    pub resource_type: ResourceType,
    /// Its id.
    pub resource_id: Uuid,
    /// What happened.
    pub op: Op,
    /// Its version after the change.
    pub version: i32,
    /// The association it belongs to.
    pub association_id: Option<Uuid>,
}

/// Records a write that others must see: its audit row and its change-feed row, in the
/// transaction that makes the change. Every synced write goes through here.
pub async fn record_write(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    action: &str,
    change: Change,
) -> Result<(), DomainError> {
    audit::record(
        db,
        context,
        action,
        Some((
            change.resource_type.as_str(),
            change.resource_id.to_string(),
        )),
    )
    .await?;
    record(db, change).await
}

/// Records a change; call it inside the transaction that makes the change, last.
pub async fn record(db: &impl ConnectionTrait, change: Change) -> Result<(), DomainError> {
    record_many(db, std::slice::from_ref(&change)).await
}

/// Records many changes (bulk imports), in order, under the writers' lock.
pub async fn record_many(db: &impl ConnectionTrait, changes: &[Change]) -> Result<(), DomainError> {
    if changes.is_empty() {
        return Ok(());
    }
    crate::db::lock_writers(db).await?;
    // The webhook outbox: deliveries are written here, with the changes, so none is lost to a
    // crash between the commit and the sending. Without subscribers this is one small read.
    let subscribers = crate::webhooks::outbox::subscribers(db).await?;
    let before = if subscribers.is_empty() {
        0
    } else {
        last_seq(db).await?
    };
    let now = Utc::now();
    for chunk in changes.chunks(500) {
        let rows = chunk.iter().map(|change| ActiveModel {
            seq: sea_orm::ActiveValue::NotSet,
            resource_type: Set(change.resource_type),
            resource_id: Set(change.resource_id),
            op: Set(change.op),
            version: Set(change.version),
            association_id: Set(change.association_id),
            changed_at: Set(now),
        });
        Entity::insert_many(rows).exec(db).await?;
    }
    if !subscribers.is_empty() {
        // Under the writers' lock, every row after `before` is one of ours.
        let recorded = Entity::find()
            .filter(Column::Seq.gt(before))
            .order_by_asc(Column::Seq)
            .all(db)
            .await?;
        crate::webhooks::outbox::enqueue(db, &subscribers, &recorded).await?;
    }
    Ok(())
}

/// The sequence number of the last change (0 before any): every synced write moves it, so a
/// figure computed from the data is still right while it stays the same.
pub async fn last_seq(db: &impl ConnectionTrait) -> Result<i64, DomainError> {
    let last: Option<Option<i64>> = Entity::find()
        .select_only()
        .column_as(Column::Seq.max(), "last")
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten().unwrap_or(0))
}

/// Changes after `after` (a sequence number), oldest first, of the given types only. A caller
/// bound to an association sees programme-wide changes and its own association's, never
/// another's.
pub async fn list(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
    types: &[ResourceType],
    scope: &CallerScope,
) -> Result<Vec<Model>, DomainError> {
    let mut select = Entity::find()
        .filter(Column::Seq.gt(after))
        .filter(Column::ResourceType.is_in(types.iter().copied()));
    if let Some(association_id) = scope.bound_to {
        select = select.filter(
            Condition::any()
                .add(Column::AssociationId.eq(association_id))
                .add(Column::AssociationId.is_null()),
        );
    }
    Ok(select
        .order_by_asc(Column::Seq)
        .limit(limit)
        .all(db)
        .await?)
}
