//! Retention (GDPR Art. 5(1)(e)): who is due for erasure under the configured periods, and the
//! run that erases them by the erasure path.
//!
//! - People of an association `rejected` or `withdrawn` for longer than
//!   [`RetentionPeriods::closed_months`] are erased whole.
//! - The contact data (email, phone) of people of an association `completed` for longer than
//!   [`RetentionPeriods::contact_months`] is erased; the rest stays, for the programme's
//!   follow-up.
//!
//! An association's time in its status runs from its last move into it (its transitions), or
//! from its last change when no move was recorded. Each person is erased in a transaction of her
//! own: a run stopped half-way leaves every person either erased or due, and the next run picks
//! up the rest, so the command is safe to run daily.

use chrono::{DateTime, Months, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::entity::Extent;
use crate::DomainError;
use crate::association::Status;
use crate::association::entity::{association, transition};
use crate::audit::AuditContext;
use crate::person;
use crate::policy::CallerScope;

/// How long personal data is kept, in months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct RetentionPeriods {
    /// People of associations `rejected` or `withdrawn` are erased this long after the move
    /// (`EMPOWER_RETENTION_CLOSED_MONTHS`, default 12).
    pub closed_months: u32,
    /// Contact data of people of associations `completed` is erased this long after the move
    /// (`EMPOWER_RETENTION_CONTACT_MONTHS`, default 36).
    pub contact_months: u32,
}

impl Default for RetentionPeriods {
    fn default() -> Self {
        Self {
            closed_months: 12,
            contact_months: 36,
        }
    }
}

/// The longest period accepted, in months (100 years).
pub const MAX_MONTHS: u32 = 1200;

/// A person due for erasure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RetentionDue {
    /// The person.
    pub person_id: Uuid,
    /// Her association.
    pub association_id: Uuid,
    /// Its status.
    pub association_status: Status,
    /// Since when it has had it.
    pub since: DateTime<Utc>,
    /// What is erased: `whole` or `contact`.
    pub extent: Extent,
}

/// An association whose own contact data (its email and phone) is due for erasure: it has been
/// `completed` for longer than the contact period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AssociationContactDue {
    /// The association.
    pub association_id: Uuid,
    /// Completed since.
    pub since: DateTime<Utc>,
}

/// Everything due.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Due {
    /// People, by association then person.
    pub people: Vec<RetentionDue>,
    /// Associations' own contact data.
    pub associations: Vec<AssociationContactDue>,
}

/// The reason recorded with a retention erasure.
pub fn reason(due: &RetentionDue, periods: &RetentionPeriods) -> String {
    match due.extent {
        Extent::Whole => format!(
            "retention: association {} since {}, kept {} months",
            due.association_status.as_str(),
            due.since.format("%Y-%m-%d"),
            periods.closed_months
        ),
        Extent::Contact => format!(
            "retention: contact data, association completed since {}, kept {} months",
            due.since.format("%Y-%m-%d"),
            periods.contact_months
        ),
    }
}

/// Whether an association in `status` since `since` is due at `now`, and for what.
pub fn rule(
    status: Status,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    periods: &RetentionPeriods,
) -> Option<Extent> {
    let (extent, months) = match status {
        Status::Rejected | Status::Withdrawn => (Extent::Whole, periods.closed_months),
        Status::Completed => (Extent::Contact, periods.contact_months),
        _ => return None,
    };
    let limit = now.checked_sub_months(Months::new(months))?;
    (since <= limit).then_some(extent)
}

/// Everyone due at `now`, by association then person.
pub async fn due(
    db: &impl ConnectionTrait,
    periods: &RetentionPeriods,
    now: DateTime<Utc>,
) -> Result<Due, DomainError> {
    let closed = [Status::Rejected, Status::Withdrawn, Status::Completed];
    let associations = association::Entity::find()
        .filter(association::Column::Status.is_in(closed))
        .order_by_asc(association::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::new();
    let mut contacts = Vec::new();
    for chunk in associations.chunks(500) {
        let ids: Vec<Uuid> = chunk.iter().map(|a| a.id).collect();
        let moves = transition::Entity::find()
            .filter(transition::Column::AssociationId.is_in(ids.clone()))
            .all(db)
            .await?;
        let mut due_here: Vec<(Uuid, Status, DateTime<Utc>, Extent)> = Vec::new();
        for a in chunk {
            let since = moves
                .iter()
                .filter(|m| m.association_id == a.id && m.to_status == a.status)
                .map(|m| m.occurred_at)
                .max()
                .unwrap_or(a.updated_at);
            if let Some(extent) = rule(a.status, since, now, periods) {
                due_here.push((a.id, a.status, since, extent));
                if extent == Extent::Contact
                    && (a.contact_email.is_some() || a.contact_phone.is_some())
                {
                    contacts.push(AssociationContactDue {
                        association_id: a.id,
                        since,
                    });
                }
            }
        }
        if due_here.is_empty() {
            continue;
        }
        let people = person::Entity::find()
            .filter(
                person::entity::person::Column::AssociationId.is_in(due_here.iter().map(|d| d.0)),
            )
            .filter(person::entity::person::Column::ErasedAt.is_null())
            .order_by_asc(person::entity::person::Column::AssociationId)
            .order_by_asc(person::entity::person::Column::Id)
            .all(db)
            .await?;
        for p in people {
            let Some(&(association_id, status, since, extent)) =
                due_here.iter().find(|d| d.0 == p.association_id)
            else {
                continue;
            };
            if extent == Extent::Contact && p.email.is_none() && p.phone.is_none() {
                continue;
            }
            out.push(RetentionDue {
                person_id: p.id,
                association_id,
                association_status: status,
                since,
                extent,
            });
        }
    }
    Ok(Due {
        people: out,
        associations: contacts,
    })
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Run {
    /// People erased whole.
    pub erased: usize,
    /// People whose contact data was erased.
    pub contacts_erased: usize,
    /// Associations whose own contact data was erased.
    pub associations_cleared: usize,
    /// Files to remove now that the erasures are committed.
    pub files: Vec<String>,
    /// Erasures that failed (and changed nothing), with why: the run goes on without them, and
    /// the next run tries them again.
    pub failures: Vec<(Uuid, String)>,
}

/// Erases everything due at `now`, each person (and each association's contact data) in a
/// transaction of its own, as the server. One failure does not stop the others.
pub async fn run(
    db: &sea_orm::DatabaseConnection,
    periods: &RetentionPeriods,
    now: DateTime<Utc>,
) -> Result<Run, DomainError> {
    let context = AuditContext::system();
    let mut done = Run::default();
    let due = due(db, periods, now).await?;
    for item in due.people {
        let reason = reason(&item, periods);
        let erased = async {
            let tx = crate::db::begin_write(db).await?;
            let erased = super::erase(
                &tx,
                &context,
                item.person_id,
                item.extent,
                &reason,
                &CallerScope::SYSTEM,
            )
            .await?;
            tx.commit().await?;
            Ok::<_, DomainError>(erased)
        }
        .await;
        match erased {
            Ok(erased) => {
                match item.extent {
                    Extent::Whole => done.erased += 1,
                    Extent::Contact => done.contacts_erased += 1,
                }
                done.files.extend(erased.files);
            }
            // Erased meanwhile (by a request, or another run): nothing left to do.
            Err(DomainError::Refused(r)) if r.code == "person_erased" => {}
            Err(err) => done.failures.push((item.person_id, err.to_string())),
        }
    }
    for item in due.associations {
        let cleared = async {
            let tx = crate::db::begin_write(db).await?;
            let row = association::Entity::find_by_id(item.association_id)
                .one(&tx)
                .await?
                .ok_or(DomainError::NotFound("association"))?;
            let changed = row.contact_email.is_some() || row.contact_phone.is_some();
            if changed {
                crate::resource::erase::<association::Entity>(&tx, &context, row, |a| {
                    a.contact_email = sea_orm::ActiveValue::Set(None);
                    a.contact_phone = sea_orm::ActiveValue::Set(None);
                })
                .await?;
            }
            tx.commit().await?;
            Ok::<_, DomainError>(changed)
        }
        .await;
        match cleared {
            Ok(true) => done.associations_cleared += 1,
            Ok(false) => {}
            Err(err) => done.failures.push((item.association_id, err.to_string())),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
            .single()
            .expect("date")
    }

    #[test]
    fn closed_associations_are_due_whole_after_their_period() {
        let periods = RetentionPeriods::default();
        let now = at(2026, 11, 29);
        assert_eq!(
            rule(Status::Rejected, at(2025, 11, 29), now, &periods),
            Some(Extent::Whole)
        );
        assert_eq!(
            rule(Status::Withdrawn, at(2025, 11, 30), now, &periods),
            None
        );
        assert_eq!(
            rule(Status::Completed, at(2023, 11, 29), now, &periods),
            Some(Extent::Contact)
        );
        assert_eq!(rule(Status::Completed, at(2024, 1, 1), now, &periods), None);
        assert_eq!(rule(Status::Selected, at(2000, 1, 1), now, &periods), None);
    }
}
