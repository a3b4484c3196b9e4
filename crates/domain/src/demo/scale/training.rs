//! The training of the scaled data set: every sitting of the three modules held, the selected
//! associations' representatives enrolled, their attendance and assessments.

use chrono::NaiveTime;
use sea_orm::ActiveValue::Set;
use uuid::Uuid;

use super::registry::Registry;
use super::{Scaled, day, plus};
use crate::DomainError;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::resource;
use crate::training::completion::{self, Which};
use crate::training::entity::{
    AssessmentKind, AttendanceStatus, EnrollmentStatus, SessionStatus, assessment, attendance,
    enrollment, session,
};

/// The seeded modules M1, M2, M3 and their days (4, 3, 2: 3, 3 and 2 required at 75 %).
pub const MODULES: [(u128, u64); 3] = [
    (0x019a_c000_0000_7000_8000_0000_0000_0001, 4),
    (0x019a_c000_0000_7000_8000_0000_0000_0002, 3),
    (0x019a_c000_0000_7000_8000_0000_0000_0003, 2),
];
/// Sittings of each module day (a week of them).
const SITTINGS: u64 = 5;
/// Attendance lines per enrolment: its own sitting's days, then the other sittings it was
/// registered for and missed.
const LINES: u64 = 10;

/// Writes the sessions, enrolments, attendance and assessments.
pub async fn load(
    tx: &Tx,
    context: &AuditContext,
    registry: &Registry,
    scaled: &mut Scaled,
) -> Result<(), DomainError> {
    // Each module's sittings, in the order (sitting, day): M1 from 2 February 2026, M2 from
    // 6 April, M3 from 1 June; day d of sitting s is held d-1 weeks and s days after the start.
    let starts = [day(2026, 2, 2), day(2026, 4, 6), day(2026, 6, 1)];
    let mut sittings: Vec<Vec<(Uuid, u64)>> = Vec::new();
    let mut sessions = Vec::new();
    for (m, (module, days)) in MODULES.iter().enumerate() {
        let mut list = Vec::new();
        for s in 0..SITTINGS {
            for d in 1..=*days {
                let id = Uuid::now_v7();
                list.push((id, d));
                sessions.push(session::ActiveModel {
                    id: Set(id),
                    module_id: Set(Uuid::from_u128(*module)),
                    day_number: Set(d as i32),
                    date: Set(plus(starts[m], (d - 1) * 7 + s)),
                    starts_at: Set(NaiveTime::from_hms_opt(9, 30, 0).unwrap_or_default()),
                    ends_at: Set(NaiveTime::from_hms_opt(16, 30, 0).unwrap_or_default()),
                    venue: Set("Maison de la Solidarité, Bruxelles".into()),
                    facilitators: Set("[]".into()),
                    guest_partner_ids: Set("[]".into()),
                    capacity: Set(100_000),
                    status: Set(SessionStatus::Held),
                    attendance_version: Set(0),
                    ..Default::default()
                });
            }
        }
        sittings.push(list);
    }
    scaled.sessions = sessions.len();
    resource::insert_many::<session::Entity>(tx, context, sessions).await?;

    // Each selected association: representative A in M1, M2 and M3, representative B in M1.
    // One in ten attends every day of its sitting; the others 1 + k % days days.
    let mut plan: Vec<(Uuid, Uuid, usize, usize, bool)> = Vec::new();
    for &i in &registry.selected {
        let (a, b) = registry.representatives[i];
        let association = registry.ids[i];
        let diligent = i.is_multiple_of(20);
        for m in 0..3 {
            plan.push((a, association, m, i + m, diligent));
        }
        plan.push((b, association, 0, i + 1, false));
    }
    let (mut enrollments, mut lines, mut tests) = (Vec::new(), Vec::new(), Vec::new());
    for (k, (person_id, association_id, m, n, diligent)) in plan.into_iter().enumerate() {
        let (id, module_id, days) = (Uuid::now_v7(), Uuid::from_u128(MODULES[m].0), MODULES[m].1);
        enrollments.push(enrollment::ActiveModel {
            id: Set(id),
            person_id: Set(person_id),
            association_id: Set(association_id),
            module_id: Set(module_id),
            status: Set(EnrollmentStatus::Enrolled),
            certificate_code: Set(format!("S{k:07}")),
            completed_on: Set(None),
            ..Default::default()
        });
        let list = &sittings[m];
        let attends = if diligent { days } else { 1 + n as u64 % days };
        let first = (n as u64 % SITTINGS) * days;
        for j in 0..LINES.min(list.len() as u64) {
            let (session_id, d) = list[((first + j) % list.len() as u64) as usize];
            lines.push(attendance::ActiveModel {
                id: Set(Uuid::now_v7()),
                session_id: Set(session_id),
                enrollment_id: Set(id),
                person_id: Set(person_id),
                association_id: Set(association_id),
                status: Set(if j < days && d <= attends {
                    AttendanceStatus::Present
                } else {
                    AttendanceStatus::Absent
                }),
                arrived_late: Set(j % 7 == 3),
                ..Default::default()
            });
        }
        // One enrolment in two is tested before and after; two in three improve.
        if k.is_multiple_of(2) {
            let pre = 40 + (k % 30) as i32;
            let post = if k.is_multiple_of(3) {
                pre - 5
            } else {
                pre + 10
            };
            for (kind, score, on) in [
                (AssessmentKind::Pre, pre, starts[m]),
                (AssessmentKind::Post, post, plus(starts[m], days * 7 + 5)),
            ] {
                tests.push(assessment::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    enrollment_id: Set(id),
                    association_id: Set(association_id),
                    kind: Set(kind),
                    score: Set(score),
                    taken_on: Set(on),
                    ..Default::default()
                });
            }
        }
    }
    scaled.enrollments = enrollments.len();
    scaled.attendance = lines.len();
    scaled.assessments = tests.len();
    resource::insert_many::<enrollment::Entity>(tx, context, enrollments).await?;
    resource::insert_many::<attendance::Entity>(tx, context, lines).await?;
    resource::insert_many::<assessment::Entity>(tx, context, tests).await?;
    for (module, _) in MODULES {
        completion::store(tx, Which::Module(Uuid::from_u128(module))).await?;
    }
    Ok(())
}
