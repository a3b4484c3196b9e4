//! The demo training: three stakeholder organisations, the three modules scheduled (modules 1
//! and 2 held in autumn 2026 with a make-up session, module 3 planned for 2027), two
//! representatives of each selected or active demo association enrolled in each module,
//! realistic attendance (some absences, caught up at the make-up) and assessments.

use chrono::{NaiveDate, NaiveTime};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::association::Status;
use crate::association::entity::association;
use crate::audit::AuditContext;
use crate::partner::{self, PartnerInput, PartnerKind};
use crate::person::entity::person;
use crate::policy::CallerScope;
use crate::resource::Precondition;
use crate::training::assessments::{self, AssessmentInput};
use crate::training::attendance::{self, SheetEntry};
use crate::training::enrollments::{self, EnrollmentInput};
use crate::training::entity::session;
use crate::training::sessions::{self, SessionInput};
use crate::training::{AssessmentKind, AttendanceStatus, SessionStatus};
use crate::{DomainError, db, person as people};

/// Where the demo sessions take place: also how a second run knows they exist.
const VENUE: &str = "Maison des Associations Internationales, Brussels (demo)";

const PARTNERS: [(&str, PartnerKind, &str); 3] = [
    (
        "Diaspora Development Network (demo)",
        PartnerKind::DiasporaAssociation,
        "BE",
    ),
    (
        "Brussels Peace Circle (demo)",
        PartnerKind::PeacebuildingOrg,
        "BE",
    ),
    (
        "Regional Cooperation Office (demo)",
        PartnerKind::PublicBody,
        "BE",
    ),
];

/// The seeded modules' ids (fixed by the migration).
fn module(n: u128) -> Uuid {
    Uuid::from_u128(0x019a_c000_0000_7000_8000_0000_0000_0000 + n)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
}

/// Seeds the demo training once; returns how many sessions it scheduled.
pub async fn seed(db: &DatabaseConnection) -> Result<usize, DomainError> {
    let scheduled = session::Entity::find()
        .filter(session::Column::Venue.eq(VENUE))
        .count(db)
        .await?;
    if scheduled > 0 {
        return Ok(0);
    }
    let context = AuditContext::system();
    let scope = CallerScope::SYSTEM;
    let tx = db::begin_write(db).await?;

    let mut guests = Vec::new();
    for (name, kind, country) in PARTNERS {
        let made = partner::create(
            &tx,
            &context,
            &PartnerInput {
                name: name.into(),
                kind,
                country: Some(country.into()),
                website: None,
                contact_email: None,
                notes: Some("Fictional organisation of the demo data.".into()),
                first_contact_on: Some(day(2026, 6, 15)),
            },
        )
        .await?;
        guests.push(made.id);
    }

    // Modules 1 and 2 held in autumn 2026 (module 1 day 2 again as a make-up), module 3
    // planned for 2027: (module, day, date, status, guests).
    let plan: Vec<(u128, i32, NaiveDate, SessionStatus, Vec<Uuid>)> = vec![
        (1, 1, day(2026, 9, 14), SessionStatus::Held, vec![]),
        (1, 2, day(2026, 9, 15), SessionStatus::Held, vec![]),
        (1, 3, day(2026, 9, 21), SessionStatus::Held, vec![]),
        (1, 4, day(2026, 9, 22), SessionStatus::Held, vec![]),
        (1, 2, day(2026, 9, 29), SessionStatus::Held, vec![]),
        (2, 1, day(2026, 10, 12), SessionStatus::Held, vec![]),
        (2, 2, day(2026, 10, 13), SessionStatus::Held, vec![]),
        (
            2,
            3,
            day(2026, 10, 19),
            SessionStatus::Held,
            vec![guests[0]],
        ),
        (3, 1, day(2027, 1, 18), SessionStatus::Planned, vec![]),
        (
            3,
            2,
            day(2027, 1, 25),
            SessionStatus::Planned,
            vec![guests[1], guests[2]],
        ),
    ];
    let mut sessions_made = Vec::new();
    for (m, day_number, date, status, guest_partner_ids) in plan {
        let made = sessions::create(
            &tx,
            &context,
            &SessionInput {
                module_id: module(m),
                day_number,
                date,
                starts_at: at(9, 30),
                ends_at: at(16, 30),
                venue: VENUE.into(),
                facilitators: vec!["Demo Trainer (fictional)".into()],
                guest_partner_ids,
                capacity: 30,
                status,
            },
        )
        .await?;
        sessions_made.push((m, day_number, made.row.id, status));
    }

    // Two representatives of each selected or active demo association.
    let homes = association::Entity::find()
        .filter(association::Column::Status.is_in([Status::Selected, Status::Active]))
        .filter(association::Column::Name.like("%(demo)"))
        .filter(association::Column::DeletedAt.is_null())
        .all(&tx)
        .await?;
    let mut representatives: Vec<Uuid> = Vec::new();
    for home in &homes {
        let mut reps: Vec<Uuid> = person::Entity::find()
            .filter(person::Column::AssociationId.eq(home.id))
            .filter(person::Column::IsRepresentative.eq(true))
            .filter(person::Column::DeletedAt.is_null())
            .all(&tx)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        if reps.len() < 2 {
            let second = people::PersonInput {
                first_name: "Demo".into(),
                last_name: format!(
                    "Second Representative {}",
                    home.acronym.clone().unwrap_or_default()
                ),
                gender: people::Gender::Female,
                email: None,
                phone: None,
                role_in_association: Some("secretary".into()),
                is_representative: true,
                languages: vec!["fr".into()],
            };
            let made = people::create(&tx, &context, home.id, None, &second, &scope).await?;
            reps.push(made.row.id);
        }
        representatives.extend(reps.into_iter().take(2));
    }

    // Enrol each in each module; attendance with a pattern of absences; assessments for the
    // modules held.
    for (n, rep) in representatives.iter().enumerate() {
        for m in 1..=3 {
            let enrolment = enrollments::create(
                &tx,
                &context,
                &EnrollmentInput {
                    person_id: *rep,
                    module_id: module(m),
                },
                &scope,
            )
            .await?;
            if m < 3 {
                let pre = 35 + i32::try_from(n * 7 % 30).unwrap_or(0);
                for (kind, score, taken_on) in [
                    (AssessmentKind::Pre, pre, day(2026, 9, 1)),
                    (AssessmentKind::Post, pre + 20, day(2026, 10, 30)),
                ] {
                    assessments::create(
                        &tx,
                        &context,
                        enrolment.row.id,
                        &AssessmentInput {
                            kind,
                            score: score.min(100),
                            taken_on,
                        },
                        &scope,
                    )
                    .await?;
                }
            }
        }
    }
    for (i, (m, day_number, id, status)) in sessions_made.iter().enumerate() {
        if *status != SessionStatus::Held {
            continue;
        }
        let makeup = *m == 1 && *day_number == 2 && i > 1;
        let sheet: Vec<SheetEntry> = representatives
            .iter()
            .enumerate()
            .filter_map(|(n, rep)| {
                // Every third representative missed module 1 day 2 and came to the make-up.
                let missed_day_2 = n % 3 == 1;
                let status = match (m, day_number) {
                    (1, 2) if makeup && !missed_day_2 => return None,
                    (1, 2) if !makeup && missed_day_2 => AttendanceStatus::Absent,
                    // Some missed a day and did not catch up: module 1 is still completed
                    // (3 of 4 days), module 2 is not (2 of 3).
                    (1, 4) if n % 3 == 2 => AttendanceStatus::Absent,
                    (2, 3) if n % 4 == 3 => AttendanceStatus::Excused,
                    _ => AttendanceStatus::Present,
                };
                Some(SheetEntry {
                    person_id: *rep,
                    status,
                    arrived_late: n % 5 == 2,
                })
            })
            .collect();
        attendance::replace(&tx, &context, *id, &sheet, &Precondition::None, &scope).await?;
    }
    tx.commit().await?;
    Ok(sessions_made.len())
}
