//! The demo data set for testers: clearly fictional, and safe to load twice.
//!
//! Today: the reference data (countries and SDGs, seeded by migration), one obviously fictional
//! account per role that needs no association (`staff`, `viewer`), and a dozen invented
//! associations in various statuses, regions and countries, each with a representative and her
//! consents, so testers can try each role and each filter in Swagger UI. Every name says "demo".
//! Then the demo training ([`training`]) and, by the associations whose representatives
//! completed its modules, restitutions in every status with their evidence, one of them an
//! uploaded PDF report ([`restitutions`]). Last, the visibility deliverables ([`visibility`]):
//! the published repertoire of the associations that consent to publication, three briefs of
//! success stories (published, in review, and sent back to draft), the published calendar of
//! 2027 with its twelve months, and how the published ones were disseminated; in French, Dutch
//! and English. And the results framework's progress ([`results`]): measurements of the manual
//! indicator OO.1, a closed reporting period with its frozen report and an open one.

pub mod privacy;
pub mod restitutions;
pub mod results;
pub mod scale;
pub mod training;
pub mod visibility;
pub mod webhooks;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use crate::association::{
    self, AddressInput, AssociationInput, ConsentInput, ContactInput, LegalForm, Status,
    TransitionRequest,
};
use crate::audit::AuditContext;
use crate::files::FileStore;
use crate::identity::{Role, user};
use crate::person::{ConsentPurpose, Gender};
use crate::policy::CallerScope;
use crate::resource::Precondition;
use crate::{DomainError, db, person, reference, text};

/// The demo account bound to the first demo association, to try what an association sees.
pub const DEMO_ASSOCIATION_USER: (&str, &str) = (
    "association@demo.empower.local",
    "Demo Association Member (fictional)",
);

/// The demo accounts that need no association: email, display name, role.
pub const DEMO_USERS: [(&str, &str, Role); 2] = [
    (
        "staff@demo.empower.local",
        "Demo Staff (fictional)",
        Role::Staff,
    ),
    (
        "viewer@demo.empower.local",
        "Demo Viewer (fictional)",
        Role::Viewer,
    ),
];

/// One demo association: name, acronym, postal code, countries of origin, SDGs, woman-led,
/// the status to reach.
type DemoAssociation = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [i32],
    bool,
    Status,
);

/// The demo associations.
const DEMO_ASSOCIATIONS: [DemoAssociation; 12] = [
    (
        "Femmes du Baobab (demo)",
        "FBD",
        "1060",
        &["SN"],
        &[4, 5],
        true,
        Status::Active,
    ),
    (
        "Réseau Sahel Solidaire (demo)",
        "RSS",
        "1080",
        &["ML", "BF"],
        &[1, 2],
        true,
        Status::Selected,
    ),
    (
        "Mamans des Grands Lacs (demo)",
        "MGL",
        "4000",
        &["RW", "BI"],
        &[3, 16],
        true,
        Status::Shortlisted,
    ),
    (
        "Entrepreneuses de Kinshasa (demo)",
        "EKD",
        "1000",
        &["CD"],
        &[5, 8],
        true,
        Status::Applicant,
    ),
    (
        "Atlas Vrouwen Collectief (demo)",
        "AVC",
        "2000",
        &["MA"],
        &[4],
        true,
        Status::Completed,
    ),
    (
        "Sœurs de Conakry (demo)",
        "SCD",
        "5000",
        &["GN"],
        &[3],
        true,
        Status::Applicant,
    ),
    (
        "Niger Avenir Féminin (demo)",
        "NAF",
        "6000",
        &["NE"],
        &[2, 5],
        true,
        Status::Rejected,
    ),
    (
        "Ubuntu Women Gent (demo)",
        "UWG",
        "9000",
        &["UG", "TZ"],
        &[5, 10],
        true,
        Status::Shortlisted,
    ),
    (
        "Femmes Bâtisseuses du Bénin (demo)",
        "FBB",
        "1348",
        &["BJ"],
        &[9],
        true,
        Status::Selected,
    ),
    (
        "Maputo Mulheres Antwerpen (demo)",
        "MMA",
        "2018",
        &["MZ"],
        &[5],
        true,
        Status::Withdrawn,
    ),
    (
        "Olive & Jasmin Bruxelles (demo)",
        "OJB",
        "1050",
        &["PS"],
        &[16],
        true,
        Status::Applicant,
    ),
    (
        "Diaspora Camerounaise Unie (demo)",
        "DCU",
        "3000",
        &["CM"],
        &[4],
        false,
        Status::Applicant,
    ),
];

/// The statuses an association passes through to reach `target`.
fn path_to(target: Status) -> Vec<Status> {
    use Status::*;
    match target {
        Applicant => vec![],
        Shortlisted => vec![Shortlisted],
        Selected => vec![Shortlisted, Selected],
        Active => vec![Shortlisted, Selected, Active],
        Completed => vec![Shortlisted, Selected, Active, Completed],
        Rejected => vec![Shortlisted, Rejected],
        Withdrawn => vec![Shortlisted, Selected, Withdrawn],
    }
}

/// What the demo data set holds after seeding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Countries available.
    pub countries: u64,
    /// Priority countries among them.
    pub priority_countries: u64,
    /// SDGs available.
    pub sdgs: u64,
    /// Demo accounts created by this run (none when they existed already).
    pub created_users: Vec<String>,
    /// Demo associations created by this run.
    pub created_associations: usize,
    /// Training sessions scheduled by this run (with partners, enrolments, attendance and
    /// assessments).
    pub scheduled_sessions: usize,
    /// Restitutions created by this run (one in every status, with evidence).
    pub restitutions: usize,
    /// Visibility deliverables created by this run: a published repertoire, three briefs
    /// (published, in review, draft) with their stories, a published calendar of 2027 with its
    /// twelve months; the published ones with dissemination records.
    pub deliverables: usize,
    /// Measurements of the manual indicator OO.1 recorded by this run (two totals, two
    /// country cells).
    pub measurements: usize,
    /// Reporting periods created by this run (the first half of 2026 closed with its frozen
    /// report, the second half open).
    pub reporting_periods: usize,
    /// Of them, closed.
    pub closed_periods: usize,
}

/// Brings the database up to date and loads the demo data; running it again changes nothing.
/// New demo accounts get `password`; the uploaded evidence goes to `files`.
pub async fn seed(
    db: &DatabaseConnection,
    password: &str,
    files: &FileStore,
) -> Result<DemoSummary, DomainError> {
    db::migrate_up(db).await?;
    files.bind(db::installation_id(db).await?).await?;
    let mut created_users = Vec::new();
    for (email, name, role) in DEMO_USERS {
        if user::find_by_email(db, email).await?.is_none() {
            let new = user::NewUser {
                email: email.into(),
                display_name: name.into(),
                role,
                association_id: None,
                password: password.into(),
            };
            let tx = db::begin_write(db).await?;
            let made = user::create(&tx, &AuditContext::system(), new).await?;
            tx.commit().await?;
            created_users.push(made.email);
        }
    }
    let created_associations = seed_associations(db).await?;
    let scheduled_sessions = training::seed(db).await?;
    let restitutions = restitutions::seed(db, files).await?;
    let deliverables = visibility::seed(db).await?;
    privacy::seed(db, DEMO_ASSOCIATIONS[0].0).await?;
    webhooks::seed(db, DEMO_ASSOCIATIONS[0].0).await?;
    // Last, so the closed period's frozen report sees the rest of the demo.
    let progress = results::seed(db).await?;
    let (email, name) = DEMO_ASSOCIATION_USER;
    if user::find_by_email(db, email).await?.is_none() {
        let first = association::entity::association::Entity::find()
            .filter(
                association::entity::association::Column::NameKey
                    .eq(text::fold(DEMO_ASSOCIATIONS[0].0)),
            )
            .filter(association::entity::association::Column::DeletedAt.is_null())
            .one(db)
            .await?;
        if let Some(first) = first {
            let new = user::NewUser {
                email: email.into(),
                display_name: name.into(),
                role: Role::Association,
                association_id: Some(first.id),
                password: password.into(),
            };
            let tx = db::begin_write(db).await?;
            let made = user::create(&tx, &AuditContext::system(), new).await?;
            tx.commit().await?;
            created_users.push(made.email);
        }
    }
    use reference::country::{Column, Entity as Country};
    Ok(DemoSummary {
        countries: Country::find().count(db).await?,
        priority_countries: Country::find()
            .filter(Column::Priority.eq(true))
            .count(db)
            .await?,
        sdgs: reference::sdg::Entity::find().count(db).await?,
        created_users,
        created_associations,
        scheduled_sessions,
        restitutions,
        deliverables,
        measurements: progress.measurements,
        reporting_periods: progress.periods,
        closed_periods: progress.closed,
    })
}

async fn seed_associations(db: &DatabaseConnection) -> Result<usize, DomainError> {
    let context = AuditContext::system();
    let mut created = 0;
    for (name, acronym, postal_code, countries, sdgs, woman_led, target) in DEMO_ASSOCIATIONS {
        let tx = db::begin_write(db).await?;
        let exists = association::entity::association::Entity::find()
            .filter(association::entity::association::Column::NameKey.eq(text::fold(name)))
            .count(&tx)
            .await?
            > 0;
        if exists {
            tx.commit().await?;
            continue;
        }
        let slug: String = acronym.to_lowercase();
        let input = AssociationInput {
            name: name.into(),
            acronym: Some(acronym.into()),
            legal_form: LegalForm::DeFacto,
            enterprise_number: None,
            founded_year: Some(2005 + i32::try_from(created).unwrap_or(0)),
            member_count: Some(20 + 7 * i64::try_from(created).unwrap_or(0)),
            address: AddressInput {
                street: Some("Rue de l'Exemple 1".into()),
                postal_code: Some(postal_code.into()),
                city: Some("Demo".into()),
            },
            countries_of_origin: countries.iter().map(|c| (*c).to_owned()).collect(),
            sdgs: sdgs.to_vec(),
            thematic_areas: vec!["demo".into()],
            intervention_regions: None,
            woman_led,
            contact: ContactInput {
                email: Some(format!("contact@{slug}.demo.example")),
                phone: None,
                website: Some(format!("https://{slug}.demo.example")),
            },
            publication_consent: ConsentInput {
                granted: true,
                fields: vec!["city".into(), "countries_of_origin".into(), "sdgs".into()],
            },
        };
        let scope = CallerScope::SYSTEM;
        let made = association::create(&tx, &context, None, &input, &scope).await?;
        let representative = person::PersonInput {
            first_name: "Demo".into(),
            last_name: format!("Representative {acronym}"),
            gender: Gender::Female,
            email: Some(format!("representative@{slug}.demo.example")),
            phone: None,
            role_in_association: Some("president".into()),
            is_representative: true,
            languages: vec!["fr".into(), "en".into()],
        };
        let rep = person::create(&tx, &context, made.row.id, None, &representative, &scope).await?;
        for purpose in [
            ConsentPurpose::ProgrammeParticipation,
            ConsentPurpose::Publication,
        ] {
            let consent = person::ConsentInput {
                purpose,
                granted: true,
                text_version: "demo-2026".into(),
            };
            person::record_consent(&tx, &context, rep.row.id, &consent, &scope).await?;
        }
        for to in path_to(target) {
            let request = TransitionRequest {
                to,
                reason: "demo data".into(),
                override_eligibility: true,
            };
            association::transition(
                &tx,
                &context,
                made.row.id,
                &request,
                &Precondition::None,
                &scope,
            )
            .await?;
        }
        tx.commit().await?;
        created += 1;
    }
    Ok(created)
}
