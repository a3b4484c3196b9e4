//! The performance data set of issue 12, for 10,000 associations (`BENCH_ASSOCIATIONS`; the
//! rest scales with it): two representatives each (20,000 people), 20,000 enrolments, 200,000
//! attendance lines, 20,000 assessments, 20,000 restitutions, 2,000 funding applications,
//! 2,000 selections, 200 partners, 8 deliverables and 500 dissemination records.
//!
//! The associations go through `association::import` (countries, regions, consents as the API
//! stores them); everything else is written straight into the tables in bulk (multi-row
//! `INSERT`s of up to ~30,000 values, one transaction), without change-feed or audit rows,
//! which no metric reads.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use empower_domain::association::entity::{association as associations, transition};
use empower_domain::association::{self, AssociationInput, ConsentInput, RowOutcome, Status};
use empower_domain::audit::{ActorType, AuditContext};
use empower_domain::db::{self, Tx};
use empower_domain::funding::{self, FundingStatus};
use empower_domain::partner::entity::{self as partner, PartnerKind};
use empower_domain::person::Gender;
use empower_domain::person::entity::person;
use empower_domain::policy::CallerScope;
use empower_domain::resource::{Synced, json_text};
use empower_domain::restitution::{LocationKind, RestitutionStatus, restitution};
use empower_domain::training::entity::{
    AssessmentKind, AttendanceStatus, EnrollmentStatus, SessionStatus, assessment, attendance,
    enrollment, session,
};
use empower_domain::visibility::entity::dissemination;
use empower_domain::visibility::{Channel, DeliverableKind, DeliverableStatus, deliverable};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Iterable,
};
use sea_orm::{QueryFilter, Value};
use uuid::Uuid;

/// The seeded modules M1, M2, M3 and their days (4, 3, 2: 3, 3 and 2 required at 75 %).
const MODULES: [(u128, u64); 3] = [
    (0x019a_c000_0000_7000_8000_0000_0000_0001, 4),
    (0x019a_c000_0000_7000_8000_0000_0000_0002, 3),
    (0x019a_c000_0000_7000_8000_0000_0000_0003, 2),
];
/// Sittings of each module day (a week of them).
const SITTINGS: u64 = 5;
/// Attendance lines per enrolment.
const LINES: u64 = 10;

/// How many rows of each table were written, and how long it took.
#[derive(Debug, Default)]
pub struct Loaded {
    pub associations: usize,
    pub selected: usize,
    pub people: usize,
    pub sessions: usize,
    pub enrolments: usize,
    pub attendance: usize,
    pub assessments: usize,
    pub restitutions: usize,
    pub validated: usize,
    pub funding: usize,
    pub partners: usize,
    pub deliverables: usize,
    pub disseminations: usize,
    pub seconds: f64,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date + Days::new(days)
}

/// Inserts `rows` at version 1 in multi-row statements of at most ~30,000 bound values
/// (SQLite's limit is 32,766), skipping the write layer's change-feed and audit rows.
async fn bulk<E: Synced>(tx: &Tx, rows: Vec<E::ActiveModel>) -> usize
where
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let now = Utc::now();
    let per = (30_000 / E::Column::iter().count()).clamp(1, 2_000);
    let count = rows.len();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = rows
            .by_ref()
            .take(per)
            .map(|mut row| {
                row.set(E::COLUMNS.version, 1.into());
                row.set(E::COLUMNS.created_at, now.into());
                row.set(E::COLUMNS.updated_at, now.into());
                row.set(E::COLUMNS.deleted_at, Option::<DateTime<Utc>>::None.into());
                row
            })
            .collect();
        E::insert_many(chunk)
            .exec_without_returning(tx)
            .await
            .expect("bulk insert");
    }
    count
}

/// Association number `i`: the registry's generated one, from one or two of six countries,
/// half of them consenting to publication.
fn input(i: usize) -> AssociationInput {
    let countries: &[&str] = match i % 6 {
        0 => &["BF"],
        1 => &["SN"],
        2 => &["BF", "ML"],
        3 => &["MA"],
        4 => &["CD", "RW"],
        _ => &["CM"],
    };
    AssociationInput {
        countries_of_origin: countries.iter().map(|c| (*c).to_owned()).collect(),
        publication_consent: ConsentInput {
            granted: i.is_multiple_of(2),
            fields: if i.is_multiple_of(2) {
                vec!["name".into(), "countries_of_origin".into()]
            } else {
                vec![]
            },
        },
        ..super::common::input(i)
    }
}

/// Loads the data set into `db` (migrated, empty) for `n` associations.
pub async fn load(db: &DatabaseConnection, n: usize) -> Loaded {
    let started = std::time::Instant::now();
    let mut loaded = Loaded::default();
    let tx = db::begin_write(db).await.expect("tx");
    let rows = (0..n).map(|i| Ok(input(i))).collect();
    let ids: Vec<Uuid> =
        association::import(&tx, &AuditContext::system(), rows, &CallerScope::SYSTEM)
            .await
            .expect("import")
            .iter()
            .filter_map(|o| match o {
                RowOutcome::Created(id) => Some(*id),
                _ => None,
            })
            .collect();
    assert_eq!(ids.len(), n, "every association created");
    loaded.associations = n;

    // A fifth selected in January: applicant → shortlisted → selected.
    let chosen: Vec<Uuid> = ids.iter().step_by(5).copied().collect();
    let mut moves = Vec::new();
    for (k, id) in chosen.iter().enumerate() {
        let on = day(2026, 1, 5 + (k % 20) as u32)
            .and_hms_opt(10, 0, 0)
            .expect("time")
            .and_utc();
        for (from, to, at) in [
            (Status::Applicant, Status::Shortlisted, on),
            (
                Status::Shortlisted,
                Status::Selected,
                on + chrono::Duration::days(7),
            ),
        ] {
            moves.push(transition::ActiveModel {
                id: Set(Uuid::now_v7()),
                association_id: Set(*id),
                from_status: Set(from),
                to_status: Set(to),
                reason: Set("Bench selection round".into()),
                r#override: Set(false),
                actor_type: Set(ActorType::System),
                actor_id: Set(None),
                occurred_at: Set(at),
            });
        }
    }
    for chunk in moves.chunks(2_000) {
        transition::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&tx)
            .await
            .expect("transitions");
    }
    for chunk in chosen.chunks(5_000) {
        associations::Entity::update_many()
            .col_expr(
                associations::Column::Status,
                Expr::value(Value::from("selected")),
            )
            .filter(associations::Column::Id.is_in(chunk.to_vec()))
            .exec(&tx)
            .await
            .expect("selected");
    }
    loaded.selected = chosen.len();

    // Two representatives each: A female (one in seven undisclosed), B of every sex.
    let mut people = Vec::with_capacity(2 * n);
    let mut reps = Vec::with_capacity(n);
    for (i, association_id) in ids.iter().enumerate() {
        let pair = (Uuid::now_v7(), Uuid::now_v7());
        for (r, id) in [pair.0, pair.1].into_iter().enumerate() {
            let gender = match (r, i % 7, i % 3, i % 11) {
                (0, 0, _, _) => Gender::Undisclosed,
                (0, ..) => Gender::Female,
                (_, _, _, 0) => Gender::Other,
                (_, _, 0, _) => Gender::Male,
                _ => Gender::Female,
            };
            people.push(person::ActiveModel {
                id: Set(id),
                association_id: Set(*association_id),
                first_name: Set(format!("Representative {r}")),
                last_name: Set(format!("Member {i}")),
                gender: Set(gender),
                email: Set(None),
                phone: Set(None),
                role_in_association: Set(None),
                is_representative: Set(true),
                languages: Set("[\"fr\"]".into()),
                ..Default::default()
            });
        }
        reps.push(pair);
    }
    loaded.people = bulk::<person::Entity>(&tx, people).await;

    // Each module's sittings, in the order (sitting, day): M1 from 2 February 2026, M2 from
    // 6 April, M3 from 1 June; day d of sitting s is held d-1 weeks and s days after the start.
    let starts = [day(2026, 2, 2), day(2026, 4, 6), day(2026, 6, 1)];
    let mut sittings: Vec<Vec<(Uuid, u64, NaiveDate)>> = Vec::new();
    let mut sessions = Vec::new();
    for (m, (module, days)) in MODULES.iter().enumerate() {
        let mut list = Vec::new();
        for s in 0..SITTINGS {
            for d in 1..=*days {
                let (id, date) = (Uuid::now_v7(), plus(starts[m], (d - 1) * 7 + s));
                list.push((id, d, date));
                sessions.push(session::ActiveModel {
                    id: Set(id),
                    module_id: Set(Uuid::from_u128(*module)),
                    day_number: Set(d as i32),
                    date: Set(date),
                    starts_at: Set(NaiveTime::from_hms_opt(9, 30, 0).expect("time")),
                    ends_at: Set(NaiveTime::from_hms_opt(16, 30, 0).expect("time")),
                    venue: Set("Bench hall".into()),
                    facilitators: Set("[]".into()),
                    guest_partner_ids: Set("[]".into()),
                    capacity: Set(5_000),
                    status: Set(SessionStatus::Held),
                    attendance_version: Set(0),
                    ..Default::default()
                });
            }
        }
        sittings.push(list);
    }
    loaded.sessions = bulk::<session::Entity>(&tx, sessions).await;

    // Enrolments: representative A in M1, and in M2 and M3 too for one association in five;
    // representative B of three associations in five in M2 or M3. Two in ten of A (those of
    // every tenth association) attend every day; the others 1 + n % days days.
    let mut plan: Vec<(Uuid, Uuid, usize, usize, bool)> = Vec::new(); // person, association, module, n, diligent
    for (i, (a, b)) in reps.iter().enumerate() {
        plan.push((*a, ids[i], 0, i, i.is_multiple_of(10)));
        if i.is_multiple_of(5) {
            plan.push((*a, ids[i], 1, i, i.is_multiple_of(10)));
            plan.push((*a, ids[i], 2, i, i.is_multiple_of(10)));
        } else if i % 5 <= 3 {
            plan.push((*b, ids[i], 1 + i % 2, i + 1, false));
        }
    }
    let (mut enrolments, mut lines, mut tests) = (Vec::new(), Vec::new(), Vec::new());
    for (k, (person_id, association_id, m, n, diligent)) in plan.into_iter().enumerate() {
        let (id, module_id, days) = (Uuid::now_v7(), Uuid::from_u128(MODULES[m].0), MODULES[m].1);
        enrolments.push(enrollment::ActiveModel {
            id: Set(id),
            person_id: Set(person_id),
            association_id: Set(association_id),
            module_id: Set(module_id),
            status: Set(EnrollmentStatus::Enrolled),
            certificate_code: Set(format!("B{k:07}")),
            ..Default::default()
        });
        // Ten lines from its sitting on: the first round of days decides, the rest absent.
        let list = &sittings[m];
        let attends = if diligent { days } else { 1 + n as u64 % days };
        let first = (n as u64 % SITTINGS) * days;
        for j in 0..LINES.min(list.len() as u64) {
            let (session_id, d, _) = list[((first + j) % list.len() as u64) as usize];
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
        // Every other enrolment is tested before and after; two in three improve.
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
    loaded.enrolments = bulk::<enrollment::Entity>(&tx, enrolments).await;
    loaded.attendance = bulk::<attendance::Entity>(&tx, lines).await;
    loaded.assessments = bulk::<assessment::Entity>(&tx, tests).await;

    // Two restitutions per association, July to November 2026; three in five validated.
    let module_text = |m: usize| Uuid::from_u128(MODULES[m].0);
    let mut sessions_held = Vec::with_capacity(2 * n);
    for r in 0..2 * n {
        let i = r % n;
        let status = match r % 10 {
            0..=5 => RestitutionStatus::Validated,
            6 | 7 => RestitutionStatus::Reported,
            8 => RestitutionStatus::Returned,
            _ => RestitutionStatus::Planned,
        };
        let held = status != RestitutionStatus::Planned;
        let on = if held {
            plus(day(2026, 7, 1), (r % 140) as u64)
        } else {
            plus(day(2026, 12, 1), (r % 60) as u64)
        };
        let modules = if r.is_multiple_of(4) {
            json_text(&[module_text(0), module_text(1)])
        } else {
            json_text(&[module_text(r % 3)])
        };
        let count = |base: usize, modulo: usize| if held { (base + r % modulo) as i32 } else { 0 };
        sessions_held.push(restitution::ActiveModel {
            id: Set(Uuid::now_v7()),
            association_id: Set(ids[i]),
            module_ids: Set(modules),
            facilitator_ids: Set(json_text(&[reps[i].0])),
            planned_on: Set(on),
            held_on: Set(held.then_some(on)),
            location_kind: Set(if r % 3 == 1 {
                LocationKind::Abroad
            } else {
                LocationKind::Belgium
            }),
            city: Set((r % 3 != 1).then(|| "Bruxelles".to_owned())),
            postal_code: Set((r % 3 != 1).then(|| "1000".to_owned())),
            country: Set((r % 3 == 1).then(|| ["SN", "BF", "CD"][(r / 3) % 3].to_owned())),
            language: Set("fr".into()),
            topics: Set(json_text(&["Gestion de projet"])),
            attendees_women: Set(count(6, 13)),
            attendees_men: Set(count(0, 4)),
            attendees_other: Set(i32::from(held && r.is_multiple_of(17))),
            attendees_undisclosed: Set(i32::from(held && r.is_multiple_of(9))),
            youth_attendees: Set(held.then(|| count(1, 5))),
            notes: Set(None),
            status: Set(status),
            ..Default::default()
        });
        loaded.validated += usize::from(status == RestitutionStatus::Validated);
    }
    loaded.restitutions = bulk::<restitution::Entity>(&tx, sessions_held).await;

    // Funding applications of one association in five, August to November 2026; a tenth drafts.
    let applications = (0..n / 5)
        .map(|f| {
            let status = match f % 10 {
                0 => FundingStatus::Draft,
                3 | 7 => FundingStatus::Granted,
                5 => FundingStatus::Rejected,
                _ => FundingStatus::Submitted,
            };
            funding::entity::ActiveModel {
                id: Set(Uuid::now_v7()),
                association_id: Set(ids[(f * 5 + 1) % n]),
                call_title: Set(format!("Call {}", f % 12)),
                funder: Set("Enabel".into()),
                submitted_on: Set((status != FundingStatus::Draft)
                    .then(|| plus(day(2026, 8, 1), (f % 100) as u64))),
                amount_requested_cents: Set(1_500_000),
                status: Set(status),
                amount_granted_cents: Set((status == FundingStatus::Granted).then_some(1_000_000)),
                ..Default::default()
            }
        })
        .collect();
    loaded.funding = bulk::<funding::Entity>(&tx, applications).await;

    let kinds = [
        PartnerKind::Ngo,
        PartnerKind::PublicBody,
        PartnerKind::Academic,
        PartnerKind::Donor,
    ];
    let partners = (0..(n / 50).max(10))
        .map(|p| partner::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(format!("Partner {p:05}")),
            name_key: Set(format!("partner {p:05}")),
            kind: Set(kinds[p % 4]),
            country: Set((p % 5 != 4).then(|| ["BE", "SN", "BF", "CD"][p % 5].to_owned())),
            website: Set(None),
            contact_email: Set(None),
            notes: Set(None),
            first_contact_on: Set(Some(plus(day(2026, 1, 15), (p % 300) as u64))),
            ..Default::default()
        })
        .collect();
    loaded.partners = bulk::<partner::Entity>(&tx, partners).await;

    // Five briefs, a calendar and the repertoire published in 2026; one draft.
    let made: [(DeliverableKind, DeliverableStatus); 8] = [
        (DeliverableKind::Brief, DeliverableStatus::Published),
        (DeliverableKind::Brief, DeliverableStatus::Published),
        (DeliverableKind::Brief, DeliverableStatus::Published),
        (DeliverableKind::Brief, DeliverableStatus::Archived),
        (DeliverableKind::Brief, DeliverableStatus::Published),
        (DeliverableKind::Calendar, DeliverableStatus::Published),
        (DeliverableKind::Repertoire, DeliverableStatus::Published),
        (DeliverableKind::Other, DeliverableStatus::Draft),
    ];
    let deliverable_ids: Vec<Uuid> = made.iter().map(|_| Uuid::now_v7()).collect();
    let deliverables =
        made.iter()
            .enumerate()
            .map(|(k, (kind, status))| deliverable::ActiveModel {
                id: Set(deliverable_ids[k]),
                kind: Set(*kind),
                title: Set(format!(
                    "{{\"en\":\"Deliverable {k}\",\"fr\":\"Produit {k}\"}}"
                )),
                summary: Set("{\"en\":\"Bench\",\"fr\":\"Banc\"}".into()),
                languages: Set("[\"fr\",\"en\"]".into()),
                planned_on: Set(Some(plus(day(2026, 3, 1), k as u64 * 30))),
                published_on: Set((*status != DeliverableStatus::Draft)
                    .then(|| plus(day(2026, 3, 8), k as u64 * 30))),
                document_url: Set(None),
                featured_association_ids: Set("[]".into()),
                sdgs: Set("[5]".into()),
                year: Set((*kind == DeliverableKind::Calendar).then_some(2027)),
                status: Set(*status),
                ..Default::default()
            })
            .collect();
    loaded.deliverables = bulk::<deliverable::Entity>(&tx, deliverables).await;
    let channels = [
        Channel::Print,
        Channel::Email,
        Channel::Event,
        Channel::SocialMedia,
    ];
    let records = (0..(n / 20).max(10))
        .map(|x| dissemination::ActiveModel {
            id: Set(Uuid::now_v7()),
            deliverable_id: Set(deliverable_ids[x % 7]),
            date: Set(plus(day(2026, 3, 15), (x % 240) as u64)),
            channel: Set(channels[x % 4]),
            audience: Set("Members and partners".into()),
            copies: Set(10 + (x % 50) as i64),
            reach: Set((!x.is_multiple_of(3)).then_some(100 + x as i64)),
            notes: Set(None),
            ..Default::default()
        })
        .collect();
    loaded.disseminations = bulk::<dissemination::Entity>(&tx, records).await;
    tx.commit().await.expect("commit");
    // Readers then find every page in the database file, not in a 100 MB write-ahead log.
    db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .expect("checkpoint");
    loaded.seconds = started.elapsed().as_secs_f64();
    loaded
}
