//! The demo restitutions: six cascade sessions of the trained demo associations, one in every
//! status (two validated), held after their facilitators completed the modules of the demo
//! training and never after today, with realistic attendance, links as evidence and one
//! uploaded PDF report.
//!
//! The facilitators are the association's people who completed every module the session
//! covers (computed from the demo training's attendance); when none completed module 2, the
//! session covers module 1 only. A restitution whose notes end with "(demo)" marks the data
//! set as loaded.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::association::entity::association;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::files::{FileStore, FileType};
use crate::person::entity::person;
use crate::policy::CallerScope;
use crate::resource::Precondition;
use crate::restitution::evidence::{self, EvidenceInput, Source, Upload};
use crate::restitution::transitions::{self, TransitionRequest};
use crate::restitution::{
    self, Attendees, EvidenceKind, LocationInput, RestitutionInput, RestitutionStatus,
    restitution as row,
};
use crate::training::completion::{self, Which};
use crate::training::entity::enrollment;
use crate::{DomainError, db, time};

/// How the notes of every demo restitution end: also how a second run knows they exist.
const MARK: &str = "(demo)";

/// The one uploaded evidence file: a one-page PDF 1.4 saying "Restitution report (demo)",
/// written by hand (the cross-reference offsets are checked by a test below).
pub const REPORT_PDF: &[u8] = concat!(
    "%PDF-1.4\n",
    "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
    "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
    "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R ",
    "/Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n",
    "4 0 obj\n<< /Length 130 >>\nstream\n",
    "BT /F1 18 Tf 72 770 Td (Restitution report \\(demo\\)) Tj 0 -28 Td /F1 11 Tf ",
    "(Fictional data for testers of the Empower API.) Tj ET\n",
    "endstream\nendobj\n",
    "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n",
    "xref\n0 6\n",
    "0000000000 65535 f \n",
    "0000000009 00000 n \n",
    "0000000058 00000 n \n",
    "0000000115 00000 n \n",
    "0000000241 00000 n \n",
    "0000000421 00000 n \n",
    "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n491\n%%EOF\n",
)
.as_bytes();

/// The seeded modules' ids (fixed by the migration).
fn module(n: u128) -> Uuid {
    Uuid::from_u128(0x019a_c000_0000_7000_8000_0000_0000_0000 + n)
}

/// Where a demo restitution takes place.
enum Place {
    /// A city and its postal code.
    Belgium(&'static str, &'static str),
    /// A country code.
    Abroad(&'static str),
    /// Online.
    Online,
}

impl Place {
    fn input(&self) -> LocationInput {
        match self {
            Self::Belgium(city, postal_code) => LocationInput {
                city: Some((*city).into()),
                postal_code: Some((*postal_code).into()),
                ..LocationInput::default()
            },
            Self::Abroad(country) => LocationInput {
                country: Some((*country).into()),
                ..LocationInput::default()
            },
            Self::Online => LocationInput {
                online: Some(true),
                ..LocationInput::default()
            },
        }
    }
}

/// When a demo restitution is dated.
enum When {
    /// Held this many days after its facilitators completed its modules (at the latest
    /// today), and planned for that day.
    HeldAfterTraining(i64),
    /// Planned this many days from today, not held.
    PlannedIn(i64),
}

/// One demo restitution.
struct Plan {
    /// The association's acronym.
    acronym: &'static str,
    /// The modules covered (module 1 alone when no facilitator completed them all).
    modules: &'static [u128],
    /// The status it ends in.
    status: RestitutionStatus,
    when: When,
    place: Place,
    language: &'static str,
    topics: &'static [&'static str],
    /// Women, men, other, undisclosed.
    attendees: (i32, i32, i32, i32),
    youth: Option<i32>,
    /// Ends with [`MARK`].
    notes: &'static str,
    /// Evidence links: kind, description, address.
    links: &'static [(EvidenceKind, &'static str, &'static str)],
    /// Whether [`REPORT_PDF`] is uploaded as its report.
    upload: bool,
    /// The staff's comment on the last move (required when returned).
    comment: Option<&'static str>,
}

const PLANS: [Plan; 6] = [
    Plan {
        acronym: "FBD",
        modules: &[1],
        status: RestitutionStatus::Validated,
        when: When::HeldAfterTraining(13),
        place: Place::Belgium("Saint-Gilles", "1060"),
        language: "fr",
        topics: &[
            "Governance of a de facto association: general assembly, board, minutes",
            "Project cycle: from the problem tree to objectives",
            "Keeping accounts and receipts for a small grant",
        ],
        attendees: (18, 2, 0, 1),
        youth: Some(5),
        notes: "Held at the association's premises after the monthly meeting; two members \
                interpreted into Wolof. (demo)",
        links: &[(
            EvidenceKind::AttendanceSheet,
            "Signed attendance sheet (scan)",
            "https://example.org/demo/fbd/restitution-m1/attendance-sheet",
        )],
        upload: true,
        comment: Some("Complete report with the attendance sheet: validated."),
    },
    Plan {
        acronym: "RSS",
        modules: &[1, 2],
        status: RestitutionStatus::Validated,
        when: When::HeldAfterTraining(20),
        place: Place::Belgium("Molenbeek-Saint-Jean", "1080"),
        language: "fr",
        topics: &[
            "Project cycle: logical framework and indicators",
            "Writing a funding application with a budget",
            "Partnerships with local authorities in the Sahel",
        ],
        attendees: (23, 4, 0, 2),
        youth: Some(7),
        notes: "A full Saturday in a community hall, with lunch shared by the members. (demo)",
        links: &[
            (
                EvidenceKind::Report,
                "Written report of the day",
                "https://example.org/demo/rss/restitution-m1-m2/report",
            ),
            (
                EvidenceKind::AttendanceSheet,
                "Attendance sheet",
                "https://example.org/demo/rss/restitution-m1-m2/attendance-sheet",
            ),
        ],
        upload: false,
        comment: Some("Validated; thank you for the detailed report."),
    },
    Plan {
        acronym: "FBB",
        modules: &[2],
        status: RestitutionStatus::Reported,
        when: When::HeldAfterTraining(30),
        place: Place::Online,
        language: "en",
        topics: &[
            "Advocacy and networking in Belgium",
            "Monitoring a project with simple indicators",
        ],
        attendees: (14, 1, 1, 0),
        youth: Some(3),
        notes: "Online, in English, for members living across Wallonia. (demo)",
        links: &[
            (
                EvidenceKind::Report,
                "Short report of the online session",
                "https://example.org/demo/fbb/restitution-m2/report",
            ),
            (
                EvidenceKind::Other,
                "Participants list exported from the video call",
                "https://example.org/demo/fbb/restitution-m2/participants",
            ),
        ],
        upload: false,
        comment: None,
    },
    Plan {
        acronym: "FBD",
        modules: &[2],
        status: RestitutionStatus::Returned,
        when: When::HeldAfterTraining(27),
        place: Place::Abroad("SN"),
        language: "fr",
        topics: &[
            "Advocacy with local authorities",
            "Income-generating activities: a simple business plan",
        ],
        attendees: (21, 3, 0, 0),
        youth: Some(9),
        notes: "Held in Thiès with the partner women's group during a family visit. (demo)",
        links: &[(
            EvidenceKind::Photo,
            "Photos of the session",
            "https://example.org/demo/fbd/restitution-m2/photos",
        )],
        upload: false,
        comment: Some(
            "Please add the attendance sheet: the report counts 24 participants but no list is \
             attached.",
        ),
    },
    Plan {
        acronym: "RSS",
        modules: &[2],
        status: RestitutionStatus::Planned,
        when: When::PlannedIn(24),
        place: Place::Belgium("Brussel", "1000"),
        language: "nl",
        topics: &[
            "Funding opportunities in Flanders and Brussels",
            "Reporting to a funder",
        ],
        attendees: (0, 0, 0, 0),
        youth: None,
        notes: "Planned with a Dutch-speaking neighbourhood centre; registrations open. (demo)",
        links: &[],
        upload: false,
        comment: None,
    },
    Plan {
        acronym: "FBB",
        modules: &[1],
        status: RestitutionStatus::Cancelled,
        when: When::PlannedIn(12),
        place: Place::Belgium("Ottignies-Louvain-la-Neuve", "1348"),
        language: "fr",
        topics: &["Governance of a de facto association"],
        attendees: (0, 0, 0, 0),
        youth: None,
        notes: "Was to be held in the municipal community hall. (demo)",
        links: &[],
        upload: false,
        comment: Some("The community hall is no longer available; the session moves online."),
    },
];

/// The statuses a restitution passes through after `planned` to reach `target`.
fn path_to(target: RestitutionStatus) -> &'static [RestitutionStatus] {
    use RestitutionStatus::*;
    match target {
        Planned => &[],
        Reported => &[Reported],
        Returned => &[Reported, Returned],
        Validated => &[Reported, Validated],
        Cancelled => &[Cancelled],
    }
}

/// When each person of the association completed each demo module.
async fn completions(
    tx: &Tx,
    association_id: Uuid,
) -> Result<HashMap<(Uuid, Uuid), NaiveDate>, DomainError> {
    let people: Vec<Uuid> = person::Entity::find()
        .filter(person::Column::AssociationId.eq(association_id))
        .filter(person::Column::DeletedAt.is_null())
        .all(tx)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let enrollments = enrollment::Entity::find()
        .filter(enrollment::Column::PersonId.is_in(people))
        .filter(enrollment::Column::ModuleId.is_in([module(1), module(2)]))
        .filter(enrollment::Column::DeletedAt.is_null())
        .all(tx)
        .await?;
    let ids: Vec<Uuid> = enrollments.iter().map(|e| e.id).collect();
    let done = completion::of(tx, Which::Enrollments(&ids)).await?;
    Ok(enrollments
        .iter()
        .filter_map(|e| {
            let on = done.get(&e.id).and_then(|c| c.completed_on)?;
            Some(((e.person_id, e.module_id), on))
        })
        .collect())
}

/// The people who completed every module of `modules`, in a stable order, with the date the
/// last of them completed the last module.
fn trained(
    done: &HashMap<(Uuid, Uuid), NaiveDate>,
    modules: &[Uuid],
) -> Option<(Vec<Uuid>, NaiveDate)> {
    let mut people: Vec<Uuid> = done.keys().map(|(person, _)| *person).collect();
    people.sort_unstable();
    people.dedup();
    let mut latest: Option<NaiveDate> = None;
    let mut facilitators = Vec::new();
    for person in people {
        let dates: Option<Vec<NaiveDate>> = modules
            .iter()
            .map(|m| done.get(&(person, *m)).copied())
            .collect();
        if let Some(last) = dates.and_then(|d| d.into_iter().max()) {
            facilitators.push(person);
            latest = latest.max(Some(last));
        }
    }
    latest.map(|on| (facilitators, on))
}

/// Seeds the demo restitutions once; returns how many it created (none when any exists).
pub async fn seed(db: &DatabaseConnection, files: &FileStore) -> Result<usize, DomainError> {
    let existing = row::Entity::find()
        .filter(row::Column::Notes.like(format!("%{MARK}")))
        .filter(row::Column::DeletedAt.is_null())
        .count(db)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let context = AuditContext::system();
    let scope = CallerScope::SYSTEM;
    let today = time::brussels_today();
    let tx = db::begin_write(db).await?;
    let mut created = 0;
    for plan in &PLANS {
        let home = association::Entity::find()
            .filter(association::Column::Acronym.eq(plan.acronym))
            .filter(association::Column::Name.like(format!("%{MARK}")))
            .filter(association::Column::DeletedAt.is_null())
            .one(&tx)
            .await?;
        let Some(home) = home else {
            continue;
        };
        let done = completions(&tx, home.id).await?;
        let wanted: Vec<Uuid> = plan.modules.iter().map(|m| module(*m)).collect();
        let Some((modules, (mut facilitators, completed_on))) = trained(&done, &wanted)
            .map(|t| (wanted.clone(), t))
            .or_else(|| trained(&done, &[module(1)]).map(|t| (vec![module(1)], t)))
        else {
            continue;
        };
        facilitators.truncate(2);
        let (planned_on, held_on) = match plan.when {
            When::HeldAfterTraining(days) => {
                let held = (completed_on + Duration::days(days)).min(today);
                if held < completed_on {
                    // The demo training is not over yet by the clock: nothing to report.
                    continue;
                }
                (held, Some(held))
            }
            When::PlannedIn(days) => (today + Duration::days(days), None),
        };
        let (women, men, other, undisclosed) = plan.attendees;
        let input = RestitutionInput {
            association_id: home.id,
            module_ids: modules,
            facilitator_ids: facilitators,
            planned_on,
            held_on,
            location: plan.place.input(),
            language: plan.language.into(),
            topics: plan.topics.iter().map(|t| (*t).to_owned()).collect(),
            attendees: Attendees {
                women,
                men,
                other,
                undisclosed,
            },
            youth_attendees: plan.youth,
            notes: Some(plan.notes.into()),
        };
        let made = restitution::create(&tx, &context, &input, &scope).await?;
        let id = made.row.id;
        if plan.upload {
            let report = EvidenceInput {
                kind: EvidenceKind::Report,
                description: "Written report of the session (PDF)".into(),
                source: Source::File(Upload {
                    staged: files.stage(REPORT_PDF).await?,
                    file_type: FileType::Pdf,
                    file_name: Some("restitution-report-demo.pdf".into()),
                }),
            };
            evidence::create(&tx, &context, files, id, report, &scope).await?;
        }
        for (kind, description, url) in plan.links {
            let link = EvidenceInput {
                kind: *kind,
                description: (*description).into(),
                source: Source::Link((*url).into()),
            };
            evidence::create(&tx, &context, files, id, link, &scope).await?;
        }
        for to in path_to(plan.status) {
            let request = TransitionRequest {
                to: *to,
                comment: if *to == plan.status {
                    plan.comment.map(str::to_owned)
                } else {
                    None
                },
            };
            transitions::transition(
                &tx,
                &context,
                id,
                &request,
                &Precondition::None,
                &scope,
                true,
            )
            .await?;
        }
        created += 1;
    }
    tx.commit().await?;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
        haystack
            .get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|at| at + from)
    }

    #[test]
    fn the_report_is_a_pdf_whose_offsets_hold() {
        assert_eq!(FileType::sniff(REPORT_PDF), Some(FileType::Pdf));
        assert!(REPORT_PDF.ends_with(b"%%EOF\n"));
        let xref = find(REPORT_PDF, b"xref\n", 0).unwrap_or_default();
        let startxref = find(REPORT_PDF, b"startxref\n", 0).unwrap_or_default();
        let after = REPORT_PDF.get(startxref + 10..).unwrap_or_default();
        let stated: usize = String::from_utf8_lossy(after)
            .lines()
            .next()
            .and_then(|l| l.parse().ok())
            .unwrap_or_default();
        assert_eq!(stated, xref, "startxref");
        for n in 1..=5_usize {
            // Each entry is 20 bytes, after "xref\n0 6\n" and the free entry.
            let entry = xref + 9 + 20 * n;
            let offset: usize =
                String::from_utf8_lossy(REPORT_PDF.get(entry..entry + 10).unwrap_or_default())
                    .parse()
                    .unwrap_or_default();
            let object = format!("{n} 0 obj\n");
            assert!(
                REPORT_PDF
                    .get(offset..)
                    .unwrap_or_default()
                    .starts_with(object.as_bytes()),
                "object {n} at {offset}"
            );
        }
        let stream = find(REPORT_PDF, b"stream\n", 0).unwrap_or_default() + 7;
        let end = find(REPORT_PDF, b"endstream", stream).unwrap_or_default();
        assert_eq!(end - stream, 130, "the content stream's /Length");
        assert!(String::from_utf8_lossy(REPORT_PDF).contains("(Restitution report \\(demo\\))"));
    }

    #[test]
    fn every_status_is_seeded_and_every_note_is_marked() {
        use RestitutionStatus::*;
        for status in [Planned, Reported, Returned, Validated, Cancelled] {
            assert!(PLANS.iter().any(|p| p.status == status), "{status:?}");
        }
        assert!(PLANS.iter().filter(|p| p.status == Validated).count() >= 2);
        assert_eq!(PLANS.iter().filter(|p| p.upload).count(), 1);
        for plan in &PLANS {
            assert!(plan.notes.ends_with(MARK));
            assert!(plan.status != Returned || plan.comment.is_some());
            let (women, men, other, undisclosed) = plan.attendees;
            let held = matches!(plan.when, When::HeldAfterTraining(_));
            assert_eq!(held, women + men + other + undisclosed > 0);
            assert_eq!(held, plan.upload || !plan.links.is_empty());
            assert!(plan.youth.unwrap_or_default() <= women + men + other + undisclosed);
        }
    }
}
