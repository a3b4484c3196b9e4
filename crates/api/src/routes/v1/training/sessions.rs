//! Training sessions: sittings of a module day, listed by date, and the public calendar feed.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use empower_domain::db;
use empower_domain::training::SessionStatus;
use empower_domain::training::sessions::{self, Session, SessionFilter, SessionInput};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::documents::calendar;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoQuery, PageParams, Params, Patch, non_null,
    version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

/// A local wall-clock time in Brussels, `HH:MM` (seconds accepted and dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", example = "09:30")]
pub struct LocalTime(pub NaiveTime);

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.format("%H:%M").to_string())
    }
}

impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_time(&text)
            .map(Self)
            .ok_or_else(|| serde::de::Error::custom("must be a time of day, HH:MM"))
    }
}

/// `HH:MM` or `HH:MM:SS`, two digits each, as the schema's pattern says; seconds are dropped.
fn parse_time(text: &str) -> Option<NaiveTime> {
    let bytes = text.as_bytes();
    let two = |i: usize| -> Option<u32> {
        let (a, b) = (*bytes.get(i)?, *bytes.get(i + 1)?);
        (a.is_ascii_digit() && b.is_ascii_digit())
            .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
    };
    let seconds = match bytes.len() {
        5 => None,
        8 if bytes[5] == b':' => Some(two(6)?),
        _ => return None,
    };
    if bytes[2] != b':' || seconds.is_some_and(|s| s > 59) {
        return None;
    }
    NaiveTime::from_hms_opt(two(0)?, two(3)?, 0).filter(|_| two(0) < Some(24) && two(3) < Some(60))
}

/// A session's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "module_id": "019ac000-0000-7000-8000-000000000002", "day_number": 3, "date": "2027-02-11",
    "starts_at": "09:30", "ends_at": "16:30", "venue": "Maison des Associations Internationales, Brussels",
    "facilitators": ["Demo Trainer"], "guest_partner_ids": [], "capacity": 30, "status": "planned"
}))]
pub struct SessionBody {
    /// A module of `/api/v1/modules`.
    pub module_id: Uuid,
    /// One of the module's days.
    #[schema(minimum = 1, maximum = 30)]
    pub day_number: i32,
    /// The day (Europe/Brussels), 1900-2100.
    pub date: NaiveDate,
    /// Local start time (Europe/Brussels).
    pub starts_at: LocalTime,
    /// Local end time, after the start.
    pub ends_at: LocalTime,
    /// 1-200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub venue: String,
    /// Facilitators' names (at most 20, each 1-100 characters).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub facilitators: Vec<String>,
    /// Organisations invited as guests (partners, at most 50).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub guest_partner_ids: Vec<Uuid>,
    /// Seats, 1-500.
    #[schema(minimum = 1, maximum = 500)]
    pub capacity: i32,
    /// `planned` (default), `held` (not before its date) or `cancelled`.
    #[serde(default = "planned")]
    pub status: SessionStatus,
}

fn planned() -> SessionStatus {
    SessionStatus::Planned
}

impl Fields<SessionInput> for SessionBody {
    fn into_input(self) -> SessionInput {
        SessionInput {
            module_id: self.module_id,
            day_number: self.day_number,
            date: self.date,
            starts_at: self.starts_at.0,
            ends_at: self.ends_at.0,
            venue: self.venue.clone(),
            facilitators: self.facilitators.clone(),
            guest_partner_ids: self.guest_partner_ids.clone(),
            capacity: self.capacity,
            status: self.status,
        }
    }

    fn from_input(input: SessionInput) -> Self {
        Self {
            module_id: input.module_id,
            day_number: input.day_number,
            date: input.date,
            starts_at: LocalTime(input.starts_at),
            ends_at: LocalTime(input.ends_at),
            venue: input.venue,
            facilitators: input.facilitators,
            guest_partner_ids: input.guest_partner_ids,
            capacity: input.capacity,
            status: input.status,
        }
    }
}

/// A merge patch of a session: absent fields stay; lists are replaced whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "held"}))]
pub struct SessionPatch {
    /// The module (not once attendance was taken).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Uuid)]
    pub module_id: Option<Uuid>,
    /// The module day (not once attendance was taken).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = i32, minimum = 1, maximum = 30)]
    pub day_number: Option<i32>,
    /// The day.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = NaiveDate)]
    pub date: Option<NaiveDate>,
    /// Local start time.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocalTime)]
    pub starts_at: Option<LocalTime>,
    /// Local end time.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocalTime)]
    pub ends_at: Option<LocalTime>,
    /// The venue.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub venue: Option<String>,
    /// Facilitators, replaced whole.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<String>, max_items = 20)]
    pub facilitators: Option<Vec<String>>,
    /// Guests, replaced whole.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<Uuid>, max_items = 50)]
    pub guest_partner_ids: Option<Vec<Uuid>>,
    /// Seats.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = i32, minimum = 1, maximum = 500)]
    pub capacity: Option<i32>,
    /// Where it stands (not cancelled once attendance was taken).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = SessionStatus)]
    pub status: Option<SessionStatus>,
}

impl Patch for SessionPatch {
    const READ_ONLY: &'static [&'static str] = &["/id", "/version", "/created_at", "/updated_at"];
}

/// A session as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "module_id": "019ac000-0000-7000-8000-000000000002",
    "day_number": 3, "date": "2027-02-11", "starts_at": "09:30", "ends_at": "16:30",
    "venue": "Maison des Associations Internationales, Brussels", "facilitators": ["Demo Trainer"],
    "guest_partner_ids": [], "capacity": 30, "status": "planned", "version": 1,
    "created_at": "2026-11-28T10:00:00Z", "updated_at": "2026-11-28T10:00:00Z"
}))]
pub struct SessionView {
    /// Id.
    pub id: Uuid,
    /// The module.
    pub module_id: Uuid,
    /// The module day.
    pub day_number: i32,
    /// The day (Europe/Brussels).
    pub date: NaiveDate,
    /// Local start time (Europe/Brussels).
    pub starts_at: LocalTime,
    /// Local end time (Europe/Brussels).
    pub ends_at: LocalTime,
    /// Where.
    pub venue: String,
    /// Facilitators' names: only for callers who may see personal data.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub facilitators: Option<Vec<String>>,
    /// Guest organisations.
    pub guest_partner_ids: Vec<Uuid>,
    /// Seats.
    pub capacity: i32,
    /// Where it stands.
    pub status: SessionStatus,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl SessionView {
    fn of(s: Session, names: bool) -> Self {
        Self {
            id: s.row.id,
            module_id: s.row.module_id,
            day_number: s.row.day_number,
            date: s.row.date,
            starts_at: LocalTime(s.row.starts_at),
            ends_at: LocalTime(s.row.ends_at),
            venue: s.row.venue,
            facilitators: names.then_some(s.facilitators),
            guest_partner_ids: s.guest_partner_ids,
            capacity: s.row.capacity,
            status: s.row.status,
            version: s.row.version,
            created_at: s.row.created_at,
            updated_at: s.row.updated_at,
        }
    }
}

/// The location of a session.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/training-sessions/{id}")
}

/// The order of the session list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub enum SessionSort {
    /// Earliest first (default).
    #[default]
    #[serde(rename = "date")]
    Date,
    /// Latest first.
    #[serde(rename = "-date")]
    DateDesc,
}

/// Filters of the session list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// Only this module's sessions.
    pub module_id: Option<Uuid>,
    /// Only on or after this day.
    pub from: Option<NaiveDate>,
    /// Only on or before this day.
    pub to: Option<NaiveDate>,
    /// Only in this status.
    pub status: Option<SessionStatus>,
    /// `date` (default) or `-date`; ties by id.
    #[param(inline)]
    pub sort: Option<SessionSort>,
}

impl SessionQuery {
    fn filter(&self) -> SessionFilter {
        SessionFilter {
            module_id: self.module_id,
            from: self.from,
            to: self.to,
            status: self.status,
        }
    }
}

/// List training sessions.
///
/// By date (`sort=-date` for the latest first), paginated; filters by module, dates and status.
#[utoipa::path(
    tag = "training",
    operation_id = "list_training_sessions",
    params(SessionQuery, PageParams),
    responses(
        (status = 200, description = "A page of sessions", body = ListBody<SessionView>),
        (status = 400, description = "A query parameter is invalid"),
    )
)]
#[get("/training-sessions")]
pub async fn list_training_sessions(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<SessionQuery>,
) -> Result<HttpResponse, ApiError> {
    let descending = query.filter.sort == Some(SessionSort::DateDesc);
    let page = sessions::list(&state.db, &query.filter.filter(), descending, &query.page)
        .await
        .map_err(crate::problem::parameter_error)?;
    let names = caller.scope().personal_data;
    Ok(page_response(
        &req,
        page.map(|s| SessionView::of(s, names)),
        Caching::no_store_if(names),
    ))
}

/// Filters of the calendar feed.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// Only this module's sessions.
    pub module_id: Option<Uuid>,
}

/// The training calendar (iCalendar).
///
/// Public, no personal data: an RFC 5545 feed of every session for calendar apps to subscribe
/// to. Each event keeps its `UID`; its `SEQUENCE` grows when the session changes, and a
/// cancelled session stays with `STATUS:CANCELLED`, so apps update what they show. Times are
/// Europe/Brussels, with its `VTIMEZONE`.
#[utoipa::path(
    tag = "training",
    operation_id = "get_training_calendar",
    params(CalendarQuery),
    responses(
        (status = 200, description = "The calendar", content_type = "text/calendar", body = String,
            example = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Empower//Training calendar//EN\r\n...\r\nEND:VCALENDAR\r\n"),
        (status = 400, description = "A query parameter is invalid"),
    )
)]
#[get("/training-sessions.ics")]
pub async fn get_training_calendar(
    state: web::Data<AppState>,
    query: Params<CalendarQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = SessionFilter {
        module_id: query.0.module_id,
        ..Default::default()
    };
    let events: Vec<calendar::Event> = sessions::calendar(&state.db, &filter)
        .await?
        .into_iter()
        .map(|(session, module)| {
            let day = module.day(session.row.day_number);
            let topic = day.map(|d| d.topic.best()).unwrap_or_default();
            let guests = day.is_some_and(|d| d.guest_day);
            calendar::Event {
                id: session.row.id,
                sequence: u32::try_from(session.row.version - 1).unwrap_or(0),
                date: session.row.date,
                starts_at: session.row.starts_at,
                ends_at: session.row.ends_at,
                summary: format!(
                    "{} day {}: {topic}",
                    module.row.code, session.row.day_number
                ),
                location: session.row.venue.clone(),
                description: Some(format!(
                    "{}{}",
                    module.title.best(),
                    if guests {
                        " (with guest organisations)"
                    } else {
                        ""
                    }
                )),
                cancelled: session.row.status == SessionStatus::Cancelled,
                updated_at: session.row.updated_at,
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(calendar::render("Empower training", &events)))
}

/// Schedule a training session.
///
/// A sitting of one day of a module; several sessions may cover the same day (a make-up).
#[utoipa::path(
    tag = "training",
    operation_id = "create_training_session",
    request_body = SessionBody,
    responses(
        (status = 201, description = "Scheduled", body = SessionView),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/training-sessions")]
pub async fn create_training_session(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<SessionBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = sessions::create(&tx, &caller.audit, &input).await?;
    tx.commit().await?;
    let names = caller.scope().personal_data;
    Ok(written(
        Some(location(created.row.id)),
        version_etag(created.row.version),
        &SessionView::of(created, names),
        Caching::no_store_if(names),
    ))
}

/// Read a training session.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "training",
    operation_id = "get_training_session",
    params(("id" = Uuid, Path, description = "The session's id")),
    responses(
        (status = 200, description = "The session", body = SessionView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such session"),
    )
)]
#[get("/training-sessions/{id}")]
pub async fn get_training_session(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = sessions::get(&state.db, *id, &caller.scope()).await?;
    let etag = version_etag(found.row.version);
    let names = caller.scope().personal_data;
    Ok(json_with_etag(
        &req,
        &SessionView::of(found, names),
        Some(etag),
        Caching::no_store_if(names),
    ))
}

/// Update a training session.
///
/// A JSON merge patch (`application/merge-patch+json`). Once attendance was taken the session
/// keeps its module and day, and is neither cancelled nor planned again for a later day (409
/// `session_has_attendance`). Guests already listed stay valid after their partner is deleted.
/// With `If-Match`, a stale version is 412.
#[utoipa::path(
    tag = "training",
    operation_id = "update_training_session",
    params(
        ("id" = Uuid, Path, description = "The session's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = SessionPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = SessionView),
        (status = 404, description = "No such session"),
        (status = 409, description = "Attendance was taken at the session: it keeps its module and day, and stays held"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/training-sessions/{id}")]
pub async fn update_training_session(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<SessionPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<sessions::Entity, SessionBody>(&tx, &caller, *id, &if_match, &patch).await?;
    tx.commit().await?;
    let names = caller.scope().personal_data;
    Ok(written(
        None,
        version_etag(updated.row.row.version),
        &SessionView::of(updated.row, names),
        Caching::no_store_if(names),
    ))
}

/// Delete a training session.
///
/// Only a session without attendance (409 `session_has_attendance`); cancel a session instead
/// to keep it in the calendar. Afterwards reads are 404 and the change feed carries a `delete`.
#[utoipa::path(
    tag = "training",
    operation_id = "delete_training_session",
    params(
        ("id" = Uuid, Path, description = "The session's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such session"),
        (status = 409, description = "Attendance was taken at the session"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/training-sessions/{id}")]
pub async fn delete_training_session(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    sessions::delete(&tx, &caller.audit, *id, &if_match.0, &caller.scope()).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_keep_the_pattern_and_drop_seconds() {
        assert_eq!(parse_time("09:30"), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(parse_time("23:59:59"), NaiveTime::from_hms_opt(23, 59, 0));
        for bad in [
            "9:30",
            "9:3:0",
            "24:00",
            "09:60",
            "09:30:60",
            "09-30",
            "",
            "09:30:5",
            "0930",
            "０９:30",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
