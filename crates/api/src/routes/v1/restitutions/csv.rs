//! The restitution list as CSV: one row per restitution, lists joined with `|`, cells a
//! spreadsheet would run as formulas neutralised.

use super::schema::RestitutionView;
use crate::http::csv_for_excel;
use crate::problem::ApiError;
use crate::routes::v1::associations::files::csv::{join, neutralise};

/// The columns, in order.
pub const COLUMNS: [&str; 22] = [
    "id",
    "association_id",
    "status",
    "planned_on",
    "held_on",
    "location",
    "city",
    "postal_code",
    "country",
    "language",
    "module_ids",
    "facilitator_ids",
    "topics",
    "attendees_women",
    "attendees_men",
    "attendees_other",
    "attendees_undisclosed",
    "attendees_total",
    "youth_attendees",
    "notes",
    "version",
    "updated_at",
];

/// The CSV file of `rows` (UTF-8 with a byte-order mark, for Excel).
pub fn restitutions_csv(rows: impl Iterator<Item = RestitutionView>) -> Result<Vec<u8>, ApiError> {
    let fail = |e: ::csv::Error| ApiError::Internal(format!("csv: {e}"));
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS).map_err(fail)?;
    for r in rows {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let kind = if r.location.online == Some(true) {
            "online"
        } else if r.location.country.is_some() {
            "abroad"
        } else {
            "belgium"
        };
        let record: Vec<String> = vec![
            r.id.to_string(),
            r.association_id.to_string(),
            r.status.as_str().to_owned(),
            r.planned_on.to_string(),
            r.held_on.map(|d| d.to_string()).unwrap_or_default(),
            kind.to_owned(),
            text(&r.location.city),
            text(&r.location.postal_code),
            text(&r.location.country),
            r.language.clone(),
            join(r.module_ids.iter().map(ToString::to_string)),
            join(r.facilitator_ids.iter().map(ToString::to_string)),
            join(r.topics.iter().cloned()),
            r.attendees.women.to_string(),
            r.attendees.men.to_string(),
            r.attendees.other.to_string(),
            r.attendees.undisclosed.to_string(),
            r.attendees_total.to_string(),
            r.youth_attendees.map(|y| y.to_string()).unwrap_or_default(),
            text(&r.notes),
            r.version.to_string(),
            r.updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ]
        .into_iter()
        .map(neutralise)
        .collect();
        writer.write_record(&record).map_err(fail)?;
    }
    csv_for_excel(writer)
}
