//! Training sessions: one sitting of one module day. Several sessions may cover the same day
//! (a make-up session); attendance counts per day.

use chrono::{NaiveDate, NaiveTime};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::entity::{SessionStatus, attendance, module, session};

/// The session table, edited through the write layer.
pub use super::entity::session::Entity;
use super::modules::Module;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::paging::{self, KeyValue, Page, PageRequest, SortKey};
use crate::policy::CallerScope;
use crate::resource::{self, Precondition};
use crate::{DomainError, FieldError, partner, text, time};

/// A session as read: the row with its lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The stored row.
    pub row: session::Model,
    /// Facilitators' names.
    pub facilitators: Vec<String>,
    /// Guest organisations.
    pub guest_partner_ids: Vec<Uuid>,
}

impl Session {
    /// Reads the stored lists.
    pub fn of(row: session::Model) -> Result<Self, DomainError> {
        let facilitators = resource::json_list(
            &row.facilitators,
            "training_sessions",
            "facilitators",
            row.id,
        )?;
        let guest_partner_ids = resource::json_list(
            &row.guest_partner_ids,
            "training_sessions",
            "guest_partner_ids",
            row.id,
        )?;
        Ok(Self {
            row,
            facilitators,
            guest_partner_ids,
        })
    }

    /// Its writable fields.
    pub fn to_input(&self) -> SessionInput {
        SessionInput {
            module_id: self.row.module_id,
            day_number: self.row.day_number,
            date: self.row.date,
            starts_at: self.row.starts_at,
            ends_at: self.row.ends_at,
            venue: self.row.venue.clone(),
            facilitators: self.facilitators.clone(),
            guest_partner_ids: self.guest_partner_ids.clone(),
            capacity: self.row.capacity,
            status: self.row.status,
        }
    }
}

/// A session's writable fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInput {
    /// A live module.
    pub module_id: Uuid,
    /// One of the module's days.
    pub day_number: i32,
    /// The day, 1900-2100.
    pub date: NaiveDate,
    /// Local start (Europe/Brussels).
    pub starts_at: NaiveTime,
    /// Local end, after the start.
    pub ends_at: NaiveTime,
    /// 1-200 characters.
    pub venue: String,
    /// At most 20 names of 1-100 characters.
    pub facilitators: Vec<String>,
    /// At most 50 live partners, each once.
    pub guest_partner_ids: Vec<Uuid>,
    /// 1-500 seats.
    pub capacity: i32,
    /// Where it stands.
    pub status: SessionStatus,
}

/// An input that keeps every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid(SessionInput);

impl Valid {
    fn apply(&self, row: &mut session::ActiveModel) {
        let input = &self.0;
        row.module_id = Set(input.module_id);
        row.day_number = Set(input.day_number);
        row.date = Set(input.date);
        row.starts_at = Set(input.starts_at);
        row.ends_at = Set(input.ends_at);
        row.venue = Set(input.venue.clone());
        row.facilitators = Set(resource::json_text(&input.facilitators));
        row.guest_partner_ids = Set(resource::json_text(&input.guest_partner_ids));
        row.capacity = Set(input.capacity);
        row.status = Set(input.status);
    }
}

/// Checks every field rule at once, given the session's module (if it exists) and which of
/// the guests are live partners.
pub fn check(
    input: &SessionInput,
    module: Option<&Module>,
    live_partners: &[Uuid],
    today: NaiveDate,
) -> Result<Valid, Vec<FieldError>> {
    let mut errors = Vec::new();
    match module {
        None => errors.push(FieldError::new(
            "/module_id",
            "must be a module of /api/v1/modules",
        )),
        Some(module) if module.day(input.day_number).is_none() => errors.push(FieldError::new(
            "/day_number",
            format!(
                "must be one of the module's days, 1 to {}",
                module.days.len()
            ),
        )),
        Some(_) => {}
    }
    text::collect(&mut errors, time::check_date(input.date, "/date"));
    if input.status == SessionStatus::Held && input.date > today {
        errors.push(FieldError::new(
            "/status",
            "cannot be held before the session's date",
        ));
    }
    if input.ends_at <= input.starts_at {
        errors.push(FieldError::new("/ends_at", "must be after starts_at"));
    }
    let venue = text::collect(&mut errors, text::line(&input.venue, "/venue", 1, 200));
    if input.facilitators.len() > 20 {
        errors.push(FieldError::new(
            "/facilitators",
            "must list at most 20 names",
        ));
    }
    let facilitators: Vec<String> = input
        .facilitators
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            text::collect(
                &mut errors,
                text::line(name, &format!("/facilitators/{i}"), 1, 100),
            )
        })
        .collect();
    if input.guest_partner_ids.len() > 50 {
        errors.push(FieldError::new(
            "/guest_partner_ids",
            "must list at most 50 partners",
        ));
    }
    for (i, id) in input.guest_partner_ids.iter().enumerate() {
        if input.guest_partner_ids[..i].contains(id) {
            errors.push(FieldError::new(
                format!("/guest_partner_ids/{i}"),
                "is listed twice",
            ));
        } else if !live_partners.contains(id) {
            errors.push(FieldError::new(
                format!("/guest_partner_ids/{i}"),
                "must be a partner of /api/v1/partners",
            ));
        }
    }
    if !(1..=500).contains(&input.capacity) {
        errors.push(FieldError::new("/capacity", "must be 1 to 500"));
    }
    match venue {
        Some(venue) if errors.is_empty() => Ok(Valid(SessionInput {
            venue,
            facilitators,
            ..input.clone()
        })),
        _ => Err(errors),
    }
}

async fn live_module(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Module>, DomainError> {
    module::Entity::find_by_id(id)
        .filter(module::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .map(Module::of)
        .transpose()
}

/// Checks a session against the data. An edit keeps what it does not change: guests already
/// listed stay valid after their partner is deleted, and a day the session already has stays
/// valid (a module's days in use cannot be removed).
async fn check_all(
    db: &impl ConnectionTrait,
    input: &SessionInput,
    current: Option<&Session>,
) -> Result<Valid, DomainError> {
    let module = live_module(db, input.module_id).await?;
    let mut partners = partner::live_ids(db, &input.guest_partner_ids).await?;
    if let Some(current) = current {
        partners.extend(current.guest_partner_ids.iter().copied());
    }
    check(input, module.as_ref(), &partners, time::brussels_today()).map_err(DomainError::Invalid)
}

/// Whether any live attendance line records this session.
pub async fn has_attendance(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DomainError> {
    Ok(attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(id))
        .filter(attendance::Column::DeletedAt.is_null())
        .filter(attendance::Column::AssociationId.in_subquery(crate::association::live_ids()))
        .count(db)
        .await?
        > 0)
}

fn has_attendance_refusal(what: &str) -> DomainError {
    DomainError::Refused(Refusal::conflict(
        "session_has_attendance",
        "Session has attendance",
        format!(
            "attendance was taken at this session, so it cannot {what}; correct the sheet first"
        ),
    ))
}

/// Filters of the session list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Only this module's.
    pub module_id: Option<Uuid>,
    /// Only on or after this day.
    pub from: Option<NaiveDate>,
    /// Only on or before this day.
    pub to: Option<NaiveDate>,
    /// Only in this status.
    pub status: Option<SessionStatus>,
}

/// The sort of the session list: by date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByDate;

impl SortKey<session::Entity> for ByDate {
    fn column(self) -> session::Column {
        session::Column::Date
    }

    fn value(self, row: &session::Model) -> KeyValue {
        KeyValue::Text(row.date.to_string())
    }

    fn parse(self, value: &KeyValue) -> Option<sea_orm::Value> {
        match value {
            KeyValue::Text(text) => text.parse::<NaiveDate>().ok().map(Into::into),
            _ => None,
        }
    }
}

/// Reads one live session.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    scope: &CallerScope,
) -> Result<Session, DomainError> {
    Session::of(resource::find_live::<session::Entity>(db, id, scope).await?)
}

fn filtered(filter: &SessionFilter) -> Result<sea_orm::Select<session::Entity>, DomainError> {
    let mut errors = Vec::new();
    for (day, name) in [(filter.from, "from"), (filter.to, "to")] {
        if let Some(day) = day {
            text::collect(&mut errors, time::check_date(day, name));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::InvalidParameter(errors));
    }
    let mut select = session::Entity::find().filter(session::Column::DeletedAt.is_null());
    if let Some(id) = filter.module_id {
        select = select.filter(session::Column::ModuleId.eq(id));
    }
    if let Some(from) = filter.from {
        select = select.filter(session::Column::Date.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(session::Column::Date.lte(to));
    }
    if let Some(status) = filter.status {
        select = select.filter(session::Column::Status.eq(status));
    }
    Ok(select)
}

/// Lists live sessions by date (`descending` for the latest first), then id.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &SessionFilter,
    descending: bool,
    page: &PageRequest,
) -> Result<Page<Session>, DomainError> {
    let select = filtered(filter)?;
    let page = paging::by_keys(
        db,
        select,
        &[(ByDate, descending)],
        (session::Column::Id, |row: &session::Model| row.id),
        page,
    )
    .await?;
    let items = page
        .items
        .into_iter()
        .map(Session::of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// Every live session matching `filter`, by date and start time (for the calendar feed), with
/// the modules they belong to.
pub async fn calendar(
    db: &impl ConnectionTrait,
    filter: &SessionFilter,
) -> Result<Vec<(Session, Module)>, DomainError> {
    let rows = filtered(filter)?
        .order_by_asc(session::Column::Date)
        .order_by_asc(session::Column::StartsAt)
        .order_by_asc(session::Column::Id)
        .all(db)
        .await?;
    let mut ids: Vec<Uuid> = rows.iter().map(|r| r.module_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let modules: Vec<Module> = module::Entity::find()
        .filter(module::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(Module::of)
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .filter_map(|row| {
            let module = modules.iter().find(|m| m.row.id == row.module_id)?.clone();
            Some(Session::of(row).map(|s| (s, module)))
        })
        .collect()
}

/// Schedules a session.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    input: &SessionInput,
) -> Result<Session, DomainError> {
    let valid = check_all(tx, input, None).await?;
    let mut row = session::ActiveModel {
        attendance_version: Set(0),
        ..Default::default()
    };
    valid.apply(&mut row);
    Session::of(resource::insert::<session::Entity>(tx, context, row).await?)
}

/// Deletes a session at which no attendance was taken.
pub async fn delete(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    expected: &Precondition,
    scope: &CallerScope,
) -> Result<(), DomainError> {
    let current = resource::lock_live::<session::Entity>(tx, id, scope).await?;
    expected.check(current.version)?;
    if has_attendance(tx, id).await? {
        return Err(has_attendance_refusal("be deleted"));
    }
    resource::soft_delete::<session::Entity>(tx, context, current, expected).await
}

/// Sessions are edited through the write layer. Once attendance was taken, the session keeps
/// its module and day and cannot be cancelled: the days people attended would move or vanish.
impl resource::Editable for session::Entity {
    type View = Session;
    type Input = SessionInput;
    type Valid = Valid;

    async fn view(_tx: &Tx, row: session::Model) -> Result<Session, DomainError> {
        Session::of(row)
    }

    fn input(current: &Session) -> SessionInput {
        current.to_input()
    }

    async fn check(
        tx: &Tx,
        current: &Session,
        input: SessionInput,
        _scope: &CallerScope,
    ) -> Result<Valid, DomainError> {
        let moves =
            input.module_id != current.row.module_id || input.day_number != current.row.day_number;
        // Attendance stands for a session that was held or taken on its day: the session must
        // stay so (not cancelled, not planned again for a later day).
        let reopens =
            super::attendance::check_open(input.status, input.date, time::brussels_today())
                .is_err();
        let changes = moves || input.status != current.row.status || input.date != current.row.date;
        if changes && (moves || reopens) && has_attendance(tx, current.row.id).await? {
            return Err(has_attendance_refusal(if moves {
                "move to another module or day"
            } else {
                "be cancelled, or planned again for a later day"
            }));
        }
        check_all(tx, &input, Some(current)).await
    }

    fn apply(_current: &Session, valid: &Valid, row: &mut session::ActiveModel) {
        valid.apply(row);
    }

    async fn write_beside(
        tx: &Tx,
        context: &AuditContext,
        current: &Session,
        valid: &Valid,
    ) -> Result<(), DomainError> {
        if valid.0.date == current.row.date {
            return Ok(());
        }
        // The day a module was completed may move with the session's date.
        let attended = sea_orm::sea_query::Query::select()
            .column(attendance::Column::EnrollmentId)
            .from(attendance::Entity)
            .and_where(attendance::Column::SessionId.eq(current.row.id))
            .and_where(attendance::Column::DeletedAt.is_null())
            .to_owned();
        super::enrollments::touch_where(
            tx,
            context,
            Condition::all().add(super::entity::enrollment::Column::Id.in_subquery(attended)),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::localized::LocalizedText;
    use crate::training::ModuleDay;

    fn module() -> Module {
        let day = |n| ModuleDay {
            day_number: n,
            topic: LocalizedText::en_fr("t", "t"),
            guest_day: false,
        };
        Module {
            row: module::Model {
                id: Uuid::nil(),
                code: "M1".into(),
                title: "{}".into(),
                description: "{}".into(),
                planned_days: 2,
                min_attendance_pct: 75,
                max_representatives_per_association: 2,
                days: "[]".into(),
                version: 1,
                created_at: chrono::DateTime::UNIX_EPOCH,
                updated_at: chrono::DateTime::UNIX_EPOCH,
                deleted_at: None,
            },
            title: LocalizedText::en_fr("t", "t"),
            description: LocalizedText::en_fr("d", "d"),
            days: vec![day(1), day(2)],
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
    }

    fn input() -> SessionInput {
        SessionInput {
            module_id: Uuid::nil(),
            day_number: 2,
            date: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default(),
            starts_at: NaiveTime::from_hms_opt(9, 30, 0).unwrap_or_default(),
            ends_at: NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default(),
            venue: " Maison des Associations ".into(),
            facilitators: vec!["Trainer".into()],
            guest_partner_ids: vec![],
            capacity: 30,
            status: SessionStatus::Planned,
        }
    }

    #[test]
    fn a_session_is_a_sitting_of_a_day_of_its_module() {
        let valid = check(&input(), Some(&module()), &[], today()).expect("valid");
        assert_eq!(valid.0.venue, "Maison des Associations");
        let other_day = SessionInput {
            day_number: 3,
            ..input()
        };
        assert_eq!(
            check(&other_day, Some(&module()), &[], today()).expect_err("day")[0].pointer,
            "/day_number"
        );
        assert_eq!(
            check(&input(), None, &[], today()).expect_err("module")[0].pointer,
            "/module_id"
        );
    }

    #[test]
    fn times_dates_lists_and_capacity_have_their_rules() {
        let guest = Uuid::now_v7();
        let bad = SessionInput {
            date: NaiveDate::from_ymd_opt(1492, 1, 1).unwrap_or_default(),
            ends_at: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            venue: "".into(),
            facilitators: vec!["\u{0}".into()],
            guest_partner_ids: vec![guest, guest, Uuid::nil()],
            capacity: 0,
            status: SessionStatus::Held,
            ..input()
        };
        let pointers: Vec<String> = check(&bad, Some(&module()), &[guest], today())
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(
            pointers,
            [
                "/date",
                "/ends_at",
                "/venue",
                "/facilitators/0",
                "/guest_partner_ids/1",
                "/guest_partner_ids/2",
                "/capacity"
            ]
        );
    }
}
