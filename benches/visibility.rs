//! The public visibility endpoints at programme scale: 2,000 associations
//! (`BENCH_ASSOCIATIONS`), half of which grant publication consent with one of three mixes of
//! fields, in five statuses (a seventh rejected, a seventh withdrawn); 20 published briefs of 5
//! stories each (every story names a person of its association who consents), 5 briefs still
//! in draft, and the published calendar of 2027 with its 12 months. After publication a few
//! consents are withdrawn, so the public reads have something to leave out.
//!
//! Measured: a page of the repertoire, a page filtered by country, a page of published briefs,
//! one brief and the 2027 calendar as iCalendar, against a bare actix-web + sea-orm server
//! running the same main queries without auth, ETag or consent work (module [`bare`]),
//! alternately, so the ratio of the medians is the figure to read; and the whole repertoire as
//! CSV (ours only).
//!
//! Run with `cargo bench --bench visibility` (SQLite in a temporary file). Figures are printed;
//! nothing is asserted beyond both servers answering the same rows and the CSV every row.

mod common;

use std::time::Instant;

use chrono::NaiveDate;
use empower_domain::association::entity::{association as associations, country_link};
use empower_domain::association::{
    self, AssociationInput, ConsentInput, ContactInput, PUBLISHABLE_FIELDS, RowOutcome, Status,
    TransitionRequest,
};
use empower_domain::audit::AuditContext;
use empower_domain::localized::LocalizedText;
use empower_domain::person::entity::person;
use empower_domain::person::{self as people, ConsentPurpose};
use empower_domain::policy::CallerScope;
use empower_domain::resource::{self, Precondition};
use empower_domain::visibility::{
    self, Audience, DeliverableInput, DeliverableKind, DeliverableStatus, EntryInput, StoryInput,
    calendar, stories, transitions,
};
use empower_domain::{DomainError, db};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

const DEFAULT_ASSOCIATIONS: usize = 2_000;
const BRIEFS: usize = 20;
const DRAFT_BRIEFS: usize = 5;
const STORIES: usize = 5;
const YEAR: i32 = 2027;
const SAMPLES: usize = 200;
const CSV_RUNS: usize = 20;
const EMAIL: &str = "bench@empower.local";
const PASSWORD: &str = "a bench passphrase nobody guesses";

/// The stack's ceiling: the same main queries without auth, ETags, languages or consent.
#[path = "visibility/bare.rs"]
mod bare;

/// Who grants publication consent: half the associations.
fn consents(i: usize) -> bool {
    i % 4 < 2
}

/// The fields an association consenting publishes: everything, a profile with its countries
/// and SDGs, or its name and a few facts without its countries.
fn consent_fields(i: usize) -> Vec<String> {
    let fields: Vec<&str> = match i % 3 {
        0 => PUBLISHABLE_FIELDS.to_vec(),
        1 => vec![
            "name",
            "city",
            "region",
            "countries_of_origin",
            "sdgs",
            "website",
        ],
        _ => vec!["name", "acronym", "thematic_areas", "member_count"],
    };
    fields.into_iter().map(str::to_owned).collect()
}

/// The status association number `i` is moved to (applicants stay where they are).
fn status(i: usize) -> Option<Status> {
    match i % 7 {
        1 => Some(Status::Shortlisted),
        3 => Some(Status::Rejected),
        5 => Some(Status::Withdrawn),
        _ => None,
    }
}

/// Association number `i`: the registry's generated association, from Burkina Faso (alone or
/// with Mali) for two in five, with contact details and its publication consent.
fn input(i: usize) -> AssociationInput {
    let countries: &[&str] = match i % 5 {
        0 => &["BF"],
        1 => &["SN"],
        2 => &["BF", "ML"],
        3 => &["MA"],
        _ => &["CD", "RW"],
    };
    AssociationInput {
        countries_of_origin: countries.iter().map(|c| (*c).to_owned()).collect(),
        sdgs: vec![5, 1 + (i % 17) as i32]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
        intervention_regions: Some(format!("Région {}", i % 13)),
        contact: ContactInput {
            email: Some(format!("contact{i}@example.org")),
            phone: Some("+32 2 123 45 67".into()),
            website: Some(format!("https://a{i}.example.org")),
        },
        publication_consent: ConsentInput {
            granted: consents(i),
            fields: if consents(i) {
                consent_fields(i)
            } else {
                vec![]
            },
        },
        ..common::input(i)
    }
}

fn text(en: String, fr: String) -> LocalizedText {
    LocalizedText::en_fr(en, fr)
}

fn story_body(n: usize) -> LocalizedText {
    text(
        format!(
            "After the training, the association organised {n} restitution sessions in its \
             community and started a savings group of thirty women. Its members now run a \
             shea butter cooperative that sells in Brussels and in Kaya, and the profits pay \
             for the schooling of twelve girls. The association plans to open a second \
             workshop next year."
        ),
        format!(
            "Après la formation, l'association a organisé {n} restitutions dans sa communauté \
             et lancé une tontine de trente femmes. Ses membres gèrent désormais une \
             coopérative de beurre de karité qui vend à Bruxelles et à Kaya, et les bénéfices \
             paient la scolarité de douze filles. L'association prévoit un second atelier."
        ),
    )
}

async fn publish(tx: &db::Tx, context: &AuditContext, id: Uuid) {
    for to in [
        DeliverableStatus::InReview,
        DeliverableStatus::Approved,
        DeliverableStatus::Published,
    ] {
        transitions::transition(
            tx,
            context,
            id,
            &transitions::TransitionRequest { to, comment: None },
            &Precondition::None,
        )
        .await
        .expect("transition");
    }
}

/// Withdraws an association's publication consent through the write layer.
async fn withdraw_association(tx: &db::Tx, context: &AuditContext, id: Uuid) {
    resource::edit::<associations::Entity, DomainError>(
        tx,
        context,
        id,
        &Precondition::None,
        &CallerScope::SYSTEM,
        |input| {
            Ok(AssociationInput {
                publication_consent: ConsentInput::default(),
                ..input
            })
        },
    )
    .await
    .expect("withdraw consent");
}

async fn person_consent(tx: &db::Tx, context: &AuditContext, id: Uuid, granted: bool) {
    people::record_consent(
        tx,
        context,
        id,
        &people::ConsentInput {
            purpose: ConsentPurpose::Publication,
            granted,
            text_version: "2026-10".into(),
        },
        &CallerScope::SYSTEM,
    )
    .await
    .expect("person consent");
}

/// The live, consenting associations not rejected or withdrawn (the repertoire), optionally
/// those publishing this country.
async fn repertoire_count(db: &sea_orm::DatabaseConnection, country: Option<&str>) -> u64 {
    let mut select = associations::Entity::find()
        .filter(associations::Column::DeletedAt.is_null())
        .filter(associations::Column::ConsentGranted.eq(true))
        .filter(associations::Column::Status.is_not_in([Status::Rejected, Status::Withdrawn]));
    if let Some(code) = country {
        select = select
            .filter(associations::Column::ConsentFields.like("%\"countries_of_origin\"%"))
            .filter(
                associations::Column::Id.in_subquery(
                    Query::select()
                        .column(country_link::Column::AssociationId)
                        .from(country_link::Entity)
                        .and_where(country_link::Column::CountryCode.eq(code))
                        .to_owned(),
                ),
            );
    }
    select.count(db).await.expect("count")
}

#[tokio::main]
async fn main() {
    let associations_wanted: usize = std::env::var("BENCH_ASSOCIATIONS")
        .ok()
        .map(|n| n.parse().expect("BENCH_ASSOCIATIONS is a number"))
        .unwrap_or(DEFAULT_ASSOCIATIONS);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let db = db::connect(&url).await.expect("connect");
    db::migrate_up(&db).await.expect("migrate");
    let context = AuditContext::system();
    let scope = CallerScope::SYSTEM;

    let started = Instant::now();
    let rows = (0..associations_wanted).map(|i| Ok(input(i))).collect();
    let tx = db::begin_write(&db).await.expect("tx");
    let associations: Vec<Uuid> = association::import(&tx, &context, rows, &scope)
        .await
        .expect("import")
        .iter()
        .filter_map(|o| match o {
            RowOutcome::Created(id) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(associations.len(), associations_wanted, "every row created");
    let mut moved = 0;
    for (i, id) in associations.iter().enumerate() {
        if let Some(to) = status(i) {
            association::transition(
                &tx,
                &context,
                *id,
                &TransitionRequest {
                    to,
                    reason: "Bench selection round".into(),
                    override_eligibility: false,
                },
                &Precondition::None,
                &scope,
            )
            .await
            .expect("association transition");
            moved += 1;
        }
    }
    // Those the public may see: consenting, not rejected or withdrawn.
    let public: Vec<Uuid> = associations
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            consents(*i) && !matches!(status(*i), Some(Status::Rejected | Status::Withdrawn))
        })
        .map(|(_, id)| *id)
        .collect();
    let pick = |n: usize| public[(n * 37) % public.len()];

    // One person a story, named in it, who consents to publication.
    let story_count = (BRIEFS + DRAFT_BRIEFS) * STORIES;
    let mut persons = Vec::with_capacity(story_count);
    let mut person_rows = Vec::with_capacity(story_count);
    for n in 0..story_count {
        let id = Uuid::now_v7();
        person_rows.push(person::ActiveModel {
            id: Set(id),
            association_id: Set(pick(n)),
            first_name: Set("Aminata".into()),
            last_name: Set(format!("Member {n}")),
            gender: Set(empower_domain::person::Gender::Female),
            email: Set(None),
            phone: Set(None),
            role_in_association: Set(None),
            is_representative: Set(false),
            languages: Set("[\"fr\"]".into()),
            erased_at: Set(None),
            ..Default::default()
        });
        persons.push(id);
    }
    resource::insert_many::<person::Entity>(&tx, &context, person_rows)
        .await
        .expect("people");
    for id in &persons {
        person_consent(&tx, &context, *id, true).await;
    }

    let mut briefs = Vec::with_capacity(BRIEFS);
    for b in 0..BRIEFS + DRAFT_BRIEFS {
        let brief = visibility::create(
            &tx,
            &context,
            &DeliverableInput {
                kind: DeliverableKind::Brief,
                title: text(
                    format!("Diaspora women, development actors: brief {b}"),
                    format!("Femmes de la diaspora, actrices du développement : note {b}"),
                ),
                summary: text(
                    format!("Five stories of associations and their communities (brief {b})."),
                    format!("Cinq histoires d'associations et de leurs communautés (note {b})."),
                ),
                languages: vec!["fr".into(), "en".into()],
                planned_on: NaiveDate::from_ymd_opt(2027, 3, 8),
                document_url: Some(format!("https://empower.example.org/briefs/{b}.pdf")),
                featured_association_ids: (0..3).map(|k| pick(1_000 + b * 3 + k)).collect(),
                sdgs: vec![5, 8],
                year: None,
            },
        )
        .await
        .expect("brief");
        for k in 0..STORIES {
            let n = b * STORIES + k;
            stories::create(
                &tx,
                &context,
                brief.row.id,
                &StoryInput {
                    association_id: pick(n),
                    title: text(
                        format!("A shea cooperative in Kaya ({n})"),
                        format!("Une coopérative de karité à Kaya ({n})"),
                    ),
                    body: story_body(n),
                    person_ids: vec![persons[n]],
                    country: ["BF", "SN", "ML", "CD", "MA"][k].into(),
                    sdgs: vec![5, 8],
                    quote: (k % 2 == 0).then(|| "Ensemble, nous sommes plus fortes.".into()),
                    image_url: Some(format!("https://empower.example.org/stories/{n}.jpg")),
                },
                Audience::All,
                &scope,
            )
            .await
            .expect("story");
        }
        if b < BRIEFS {
            publish(&tx, &context, brief.row.id).await;
            briefs.push(brief.row.id);
        }
    }

    let year = visibility::create(
        &tx,
        &context,
        &DeliverableInput {
            kind: DeliverableKind::Calendar,
            title: text(
                format!("Calendar {YEAR}: women of the diaspora"),
                format!("Calendrier {YEAR} : femmes de la diaspora"),
            ),
            summary: text(
                "One association a month.".into(),
                "Une association par mois.".into(),
            ),
            languages: vec!["fr".into(), "en".into()],
            planned_on: NaiveDate::from_ymd_opt(YEAR - 1, 12, 1),
            document_url: None,
            featured_association_ids: vec![],
            sdgs: vec![5],
            year: Some(YEAR),
        },
    )
    .await
    .expect("calendar");
    let mut months = Vec::with_capacity(12);
    for month in 1..=12 {
        let association_id = pick(2_000 + month as usize);
        calendar::create(
            &tx,
            &context,
            year.row.id,
            &EntryInput {
                month,
                association_id,
                headline: text(
                    format!("Month {month}: a portrait"),
                    format!("Mois {month} : un portrait"),
                ),
                caption: text(
                    "Members of the association at their weekly meeting in Brussels.".into(),
                    "Les membres de l'association à leur réunion hebdomadaire à Bruxelles.".into(),
                ),
                image_url: Some(format!(
                    "https://empower.example.org/calendar/{YEAR}/{month}.jpg"
                )),
            },
            &scope,
        )
        .await
        .expect("calendar entry");
        months.push(association_id);
    }
    publish(&tx, &context, year.row.id).await;

    // After publication: the people named in the last story of every fourth brief withdraw
    // their consent, and so does the association of June's entry.
    let mut withdrawn_people = 0;
    for b in (0..BRIEFS).step_by(4) {
        person_consent(&tx, &context, persons[b * STORIES + STORIES - 1], false).await;
        withdrawn_people += 1;
    }
    withdraw_association(&tx, &context, months[5]).await;
    tx.commit().await.expect("commit");
    let setup = started.elapsed();

    let in_repertoire = repertoire_count(&db, None).await;
    let in_bf = repertoire_count(&db, Some("BF")).await;

    let base = common::serve(url, EMAIL, PASSWORD).await;
    let bare = bare::start(db.clone());
    let client = reqwest::Client::new();

    let timed = |url: String, accept: &'static str| {
        let client = client.clone();
        async move {
            let started = Instant::now();
            let response = client
                .get(url)
                .header("Accept", accept)
                .send()
                .await
                .expect("request");
            assert!(response.status().is_success(), "{}", response.status());
            let body = response.bytes().await.expect("body");
            (started.elapsed(), body)
        }
    };

    let repertoire = "/api/v1/public/repertoire?limit=50".to_owned();
    let by_country = "/api/v1/public/repertoire?country=BF&limit=50".to_owned();
    let list = format!("/api/v1/public/deliverables?kind=brief&limit={BRIEFS}");
    let one = format!("/api/v1/public/deliverables/{}", briefs[BRIEFS / 2]);
    let year_path = format!("/api/v1/public/calendar/{YEAR}");

    // Both servers answer the same rows in the same order; ours leaves out what consent hides.
    let ids = |body: &[u8]| -> (Vec<String>, usize) {
        let page: serde_json::Value = serde_json::from_slice(body).expect("json");
        let items = page["items"].as_array().expect("items");
        let stories = items
            .iter()
            .map(|i| i["stories"].as_array().map_or(0, Vec::len))
            .sum();
        let ids = items
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_owned())
            .collect();
        (ids, stories)
    };
    let mut story_counts = (0, 0);
    for (path, expected) in [
        (&repertoire, in_repertoire.min(50) as usize),
        (&by_country, in_bf.min(50) as usize),
        (&list, BRIEFS),
    ] {
        let ours = ids(&timed(format!("{base}{path}"), "application/json").await.1);
        let theirs = ids(&timed(format!("{bare}{path}"), "application/json").await.1);
        assert_eq!(ours.0.len(), expected, "{path}");
        assert_eq!(ours.0, theirs.0, "{path}: same rows, same order");
        if path == &list {
            story_counts = (ours.1, theirs.1);
        }
    }
    let events = |body: &[u8]| {
        String::from_utf8_lossy(body)
            .matches("BEGIN:VEVENT")
            .count()
    };
    let ours_events = events(&timed(format!("{base}{year_path}"), "text/calendar").await.1);
    let bare_events = events(&timed(format!("{bare}{year_path}"), "text/calendar").await.1);

    let requests = [
        (
            "GET /public/repertoire?limit=50",
            repertoire,
            "application/json",
        ),
        (
            "GET /public/repertoire?country=BF&limit=50",
            by_country,
            "application/json",
        ),
        (
            "GET /public/deliverables?kind=brief&limit=20",
            list,
            "application/json",
        ),
        (
            "GET /public/deliverables/{id} (a brief)",
            one,
            "application/json",
        ),
        (
            "GET /public/calendar/2027 (text/calendar)",
            year_path,
            "text/calendar",
        ),
    ];
    let mut measured = Vec::new();
    for (what, path, accept) in &requests {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        let (mut ours_bytes, mut bare_bytes) = (0, 0);
        for i in 0..SAMPLES {
            let (o, b) = (format!("{base}{path}"), format!("{bare}{path}"));
            let (ot, ob, bt, bb);
            if i.is_multiple_of(2) {
                (ot, ob) = timed(o, accept).await;
                (bt, bb) = timed(b, accept).await;
            } else {
                (bt, bb) = timed(b, accept).await;
                (ot, ob) = timed(o, accept).await;
            }
            ours.push(ot);
            theirs.push(bt);
            (ours_bytes, bare_bytes) = (ob.len(), bb.len());
        }
        measured.push((*what, ours, theirs, ours_bytes, bare_bytes));
    }

    let (mut export, mut csv_rows, mut csv_bytes) = (Vec::new(), 0, 0);
    for _ in 0..CSV_RUNS {
        let (took, body) = timed(format!("{base}/api/v1/public/repertoire"), "text/csv").await;
        export.push(took);
        csv_bytes = body.len();
        csv_rows = csv::Reader::from_reader(body.as_ref()).records().count();
    }
    assert_eq!(
        csv_rows as u64, in_repertoire,
        "one CSV line per association shown"
    );

    println!(
        "command: BENCH_ASSOCIATIONS={associations_wanted} cargo bench --bench visibility (release, SQLite in a temp file)"
    );
    println!(
        "setup: {associations_wanted} associations ({} consenting, {moved} moved: shortlisted, rejected or withdrawn), \
         {in_repertoire} in the public repertoire ({in_bf} publishing BF); {BRIEFS} published briefs + {DRAFT_BRIEFS} drafts, \
         {STORIES} stories each ({story_count} people named, all consenting, then {withdrawn_people} withdrew); \
         calendar {YEAR} with 12 entries (then one association withdrew its consent): {:.1} s",
        (0..associations_wanted).filter(|i| consents(*i)).count(),
        setup.as_secs_f64()
    );
    println!(
        "consent filtering: the briefs page shows {} stories (bare {}); the calendar {} events (bare {})",
        story_counts.0, story_counts.1, ours_events, bare_events
    );
    println!();
    println!(
        "| request ({SAMPLES} each, sequential, loopback HTTP, alternating) | ours median | ours p95 | bare median | bare p95 | ratio of medians | body ours / bare |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (what, ours, theirs, ours_bytes, bare_bytes) in measured {
        let (ours_p50, ours_p95) = common::percentiles(ours);
        let (bare_p50, bare_p95) = common::percentiles(theirs);
        println!(
            "| {what} | {ours_p50:.2} ms | {ours_p95:.2} ms | {bare_p50:.2} ms | {bare_p95:.2} ms | {:.2} | {ours_bytes} B / {bare_bytes} B |",
            ours_p50 / bare_p50
        );
    }
    println!();
    println!(
        "| operation (ours only) | runs | median | p95 | rows | body | throughput at median |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let (p50, p95) = common::percentiles(export);
    println!(
        "| GET /public/repertoire as CSV (Accept: text/csv) | {CSV_RUNS} | {p50:.2} ms | {p95:.2} ms | {csv_rows} | {csv_bytes} B | {:.0} rows/s |",
        csv_rows as f64 / (p50 / 1000.0)
    );
}
