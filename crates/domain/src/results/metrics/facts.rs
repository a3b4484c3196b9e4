//! Each metric's records ("facts"), as SQL: one row per thing counted, with the columns the
//! aggregate reads: `unit` (what is counted once), `amount` (what is added up, or 1),
//! `association_id`, `module_id`, `sex` and `country` (null where they do not apply). Period
//! tokens (`:from`, `:to`, `:from_at`, `:until_at`) place each record by the metric's date.

use sea_orm::{ActiveEnum, DbBackend, Value};

use super::sql::{NULL_TEXT, null_uuid};
use super::{Dimension, Measure, Metric, Params};
use crate::association::Status;

/// A metric's records: common table expressions, the query, and its own bound values.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// `name AS (...)` definitions the query uses.
    pub ctes: Vec<String>,
    /// The query, one row per record.
    pub core: String,
    /// Values of the query's own tokens.
    pub binds: Vec<(&'static str, Value)>,
}

/// Each live enrolment's completion day, as the server keeps it on the enrolment
/// (`enrollments.completed_on`, written by `training::completion` whenever attendance, a
/// session's date or the module's threshold changes).
fn completions(module_filter: &str) -> Vec<String> {
    vec![format!(
        "completed AS (SELECT e.id AS enrollment_id, e.person_id AS person_id, \
           e.association_id AS association_id, e.module_id AS module_id, \
           e.completed_on AS completed_on \
         FROM enrollments e \
         JOIN modules m ON m.id = e.module_id AND m.deleted_at IS NULL {module_filter} \
         JOIN associations ca ON ca.id = e.association_id AND ca.deleted_at IS NULL \
         WHERE e.deleted_at IS NULL AND e.completed_on IS NOT NULL)"
    )]
}

/// The restitution's modules, one row each, as `jm.id` (`rows` is the restitution alias).
fn restitution_modules(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            "JOIN LATERAL jsonb_array_elements_text(CAST(r.module_ids AS jsonb)) AS j(value) ON TRUE \
             JOIN modules jm ON CAST(jm.id AS TEXT) = j.value"
        }
        _ => {
            // CROSS JOIN keeps this order: one scan of the restitutions, not one per module.
            "CROSS JOIN json_each(r.module_ids) AS j \
             CROSS JOIN modules jm ON lower(hex(jm.id)) = replace(lower(j.value), '-', '')"
        }
    }
}

/// A key of a module day, made of its module and day number.
fn module_day(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "CAST(s.module_id AS TEXT) || '/' || CAST(s.day_number AS TEXT)",
        _ => "hex(s.module_id) || '/' || s.day_number",
    }
}

/// The records of `metric`, shaped for a breakdown by `by`.
pub fn of(backend: DbBackend, metric: Metric, params: &Params, by: Option<Dimension>) -> Facts {
    let id = null_uuid(backend);
    let text = NULL_TEXT;
    let mut binds: Vec<(&'static str, Value)> = Vec::new();
    let mut module_filter = String::new();
    if let Some(code) = &params.module {
        module_filter = "AND m.code = :module".to_owned();
        binds.push(("module", Value::from(code.clone())));
    }
    let by_module = by == Some(Dimension::Module);
    let (ctes, core) = match metric {
        Metric::AssociationsByStatus => {
            let status = params.status.unwrap_or(Status::Selected);
            binds.push(("status", Value::from(status.as_str())));
            (
                vec![],
                format!(
                    "SELECT t.association_id AS unit, 1 AS amount, t.association_id AS association_id, \
                       {id} AS module_id, {text} AS sex, {text} AS country \
                     FROM association_transitions t \
                     JOIN associations a ON a.id = t.association_id AND a.deleted_at IS NULL \
                     WHERE t.to_status = :status \
                       AND t.occurred_at >= :from_at AND t.occurred_at < :until_at"
                ),
            )
        }
        Metric::AssociationsCompleted => {
            let mut ctes = completions("");
            ctes.push(
                "persons AS (SELECT person_id, association_id, MAX(completed_on) AS done_on, \
                   COUNT(DISTINCT module_id) AS modules \
                 FROM completed GROUP BY person_id, association_id)"
                    .to_owned(),
            );
            (
                ctes,
                format!(
                    "SELECT p.association_id AS unit, 1 AS amount, p.association_id AS association_id, \
                       {id} AS module_id, {text} AS sex, {text} AS country \
                     FROM persons p \
                     WHERE p.modules = (SELECT COUNT(*) FROM modules WHERE deleted_at IS NULL) \
                     GROUP BY p.association_id \
                     HAVING MIN(p.done_on) >= :from AND MIN(p.done_on) <= :to"
                ),
            )
        }
        Metric::RepresentativesCompleted => (
            completions(&module_filter),
            format!(
                "SELECT c.person_id AS unit, 1 AS amount, c.association_id AS association_id, \
                   c.module_id AS module_id, CAST(p.gender AS TEXT) AS sex, {text} AS country \
                 FROM completed c LEFT JOIN people p ON p.id = c.person_id \
                 WHERE c.completed_on >= :from AND c.completed_on <= :to"
            ),
        ),
        Metric::TrainingDaysDelivered => (
            vec![],
            format!(
                "SELECT {day} AS unit, 1 AS amount, {id} AS association_id, \
                   s.module_id AS module_id, {text} AS sex, {text} AS country \
                 FROM training_sessions s \
                 JOIN modules m ON m.id = s.module_id AND m.deleted_at IS NULL {module_filter} \
                 WHERE s.deleted_at IS NULL AND s.status = 'held' \
                 GROUP BY s.module_id, s.day_number \
                 HAVING MIN(s.date) >= :from AND MIN(s.date) <= :to",
                day = module_day(backend),
            ),
        ),
        Metric::KnowledgeImprovedPct => (
            vec![],
            format!(
                "SELECT e.id AS unit, CASE WHEN post.score > pre.score THEN 1 ELSE 0 END AS amount, \
                   e.association_id AS association_id, e.module_id AS module_id, \
                   CAST(p.gender AS TEXT) AS sex, {text} AS country \
                 FROM enrollments e \
                 JOIN assessments pre ON pre.enrollment_id = e.id AND pre.kind = 'pre' \
                   AND pre.deleted_at IS NULL \
                 JOIN assessments post ON post.enrollment_id = e.id AND post.kind = 'post' \
                   AND post.deleted_at IS NULL \
                 JOIN modules m ON m.id = e.module_id AND m.deleted_at IS NULL {module_filter} \
                 JOIN associations a ON a.id = e.association_id AND a.deleted_at IS NULL \
                 LEFT JOIN people p ON p.id = e.person_id \
                 WHERE e.deleted_at IS NULL AND post.taken_on >= :from AND post.taken_on <= :to"
            ),
        ),
        Metric::Restitutions | Metric::RestitutionAttendees => {
            let (module, modules) = if by_module {
                ("jm.id", restitution_modules(backend))
            } else {
                (id, "")
            };
            let from = format!(
                "FROM restitutions r \
                 JOIN associations a ON a.id = r.association_id AND a.deleted_at IS NULL {modules} \
                 WHERE r.deleted_at IS NULL AND r.status = 'validated' \
                   AND r.held_on >= :from AND r.held_on <= :to"
            );
            let row = |amount: &str, sex: &str| {
                format!(
                    "SELECT r.id AS unit, {amount} AS amount, r.association_id AS association_id, \
                       {module} AS module_id, {sex} AS sex, {text} AS country {from}"
                )
            };
            let core = match (metric, by) {
                (Metric::RestitutionAttendees, Some(Dimension::Sex)) => [
                    ("r.attendees_women", "'female'"),
                    ("r.attendees_men", "'male'"),
                    ("r.attendees_other", "'other'"),
                    ("r.attendees_undisclosed", "'undisclosed'"),
                ]
                .iter()
                .map(|(amount, sex)| row(amount, &format!("CAST({sex} AS TEXT)")))
                .collect::<Vec<_>>()
                .join(" UNION ALL "),
                (Metric::RestitutionAttendees, _) => row(
                    "r.attendees_women + r.attendees_men + r.attendees_other + r.attendees_undisclosed",
                    text,
                ),
                _ => row("1", text),
            };
            (vec![], core)
        }
        Metric::FundingApplications => (
            vec![],
            format!(
                "SELECT f.id AS unit, 1 AS amount, f.association_id AS association_id, \
                   {id} AS module_id, {text} AS sex, {text} AS country \
                 FROM funding_applications f \
                 JOIN associations a ON a.id = f.association_id AND a.deleted_at IS NULL \
                 WHERE f.deleted_at IS NULL AND f.status <> 'draft' \
                   AND f.submitted_on IS NOT NULL \
                   AND f.submitted_on >= :from AND f.submitted_on <= :to \
                   AND EXISTS (SELECT 1 FROM attendance at \
                     JOIN training_sessions s ON s.id = at.session_id \
                     WHERE at.association_id = f.association_id AND at.status = 'present' \
                       AND at.deleted_at IS NULL AND s.deleted_at IS NULL \
                       AND s.status <> 'cancelled' AND s.date < f.submitted_on)"
            ),
        ),
        Metric::DeliverablesPublished => {
            let kind = match params.kind {
                Some(kind) => {
                    binds.push(("kind", Value::from(kind.to_value())));
                    "AND d.kind = :kind"
                }
                None => "",
            };
            (
                vec![],
                format!(
                    "SELECT d.id AS unit, 1 AS amount, {id} AS association_id, {id} AS module_id, \
                       {text} AS sex, {text} AS country \
                     FROM deliverables d \
                     WHERE d.deleted_at IS NULL AND d.status IN ('published', 'archived') {kind} \
                       AND d.published_on >= :from AND d.published_on <= :to"
                ),
            )
        }
        Metric::RepertoireListed => (
            vec![],
            format!(
                "SELECT a.id AS unit, 1 AS amount, a.id AS association_id, {id} AS module_id, \
                   {text} AS sex, {text} AS country \
                 FROM associations a \
                 WHERE a.deleted_at IS NULL AND a.consent_granted = TRUE \
                   AND a.status NOT IN ('rejected', 'withdrawn') \
                   AND a.consent_recorded_at < :until_at"
            ),
        ),
        Metric::Dissemination => {
            let amount = match params.measure {
                Some(Measure::Reach) => "COALESCE(x.reach, 0)",
                Some(Measure::Copies) | None => "x.copies",
            };
            (
                vec![],
                format!(
                    "SELECT x.id AS unit, {amount} AS amount, {id} AS association_id, \
                       {id} AS module_id, {text} AS sex, {text} AS country \
                     FROM disseminations x \
                     JOIN deliverables d ON d.id = x.deliverable_id AND d.deleted_at IS NULL \
                     WHERE x.deleted_at IS NULL AND x.date >= :from AND x.date <= :to"
                ),
            )
        }
        Metric::PartnersContacted => (
            vec![],
            format!(
                "SELECT p.id AS unit, 1 AS amount, {id} AS association_id, {id} AS module_id, \
                   {text} AS sex, CAST(p.country AS TEXT) AS country \
                 FROM partners p \
                 WHERE p.deleted_at IS NULL \
                   AND p.first_contact_on >= :from AND p.first_contact_on <= :to"
            ),
        ),
    };
    Facts { ctes, core, binds }
}
