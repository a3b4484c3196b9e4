//! The associations of the scaled data set, their selection and their people.

use chrono::{Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::{Scaled, day};
use crate::association::entity::{association, transition};
use crate::association::{AddressInput, AssociationInput, ConsentInput, RowOutcome, Status};
use crate::audit::{ActorType, AuditContext};
use crate::db::Tx;
use crate::person::Gender;
use crate::person::entity::person;
use crate::policy::CallerScope;
use crate::resource;
use crate::{DomainError, text};

/// The associations written: ids in order, and which are selected.
pub struct Registry {
    /// Association `i`'s id at `i`.
    pub ids: Vec<Uuid>,
    /// The numbers of the selected ones.
    pub selected: Vec<usize>,
    /// Association `i`'s two representatives at `i`.
    pub representatives: Vec<(Uuid, Uuid)>,
}

const KINDS: [&str; 6] = [
    "Association",
    "Réseau",
    "Collectif",
    "Union",
    "Cercle",
    "Maison",
];
const GROUPS: [&str; 4] = [
    "des Femmes",
    "des Mamans",
    "des Femmes Solidaires",
    "de la Diaspora",
];
/// Where the members come from: the words of the name and the countries of origin.
const ORIGINS: [(&str, &[&str]); 8] = [
    ("du Mali", &["ML"]),
    ("du Sénégal", &["SN"]),
    ("de Guinée", &["GN", "SN"]),
    ("du Burkina Faso", &["BF"]),
    ("du Congo", &["CD", "RW"]),
    ("du Cameroun", &["CM", "CD"]),
    ("du Maroc", &["MA"]),
    ("du Rwanda", &["RW", "BI"]),
];
/// Postal codes in Brussels, Flanders and Wallonia.
const PLACES: [(&str, &str); 5] = [
    ("1000", "Bruxelles"),
    ("1080", "Molenbeek-Saint-Jean"),
    ("2000", "Antwerpen"),
    ("4000", "Liège"),
    ("9000", "Gent"),
];

/// The status association `i` reaches: half selected, and every other status.
pub fn status_of(i: usize) -> Status {
    match i % 10 {
        0..=4 => Status::Selected,
        5 | 6 => Status::Applicant,
        7 => Status::Shortlisted,
        8 => Status::Rejected,
        _ => Status::Withdrawn,
    }
}

/// The name of association `i`, such as "Réseau des Mamans du Sénégal 00013".
pub fn name_of(i: usize) -> String {
    format!(
        "{} {} {} {i:05}",
        KINDS[i % KINDS.len()],
        GROUPS[(i / KINDS.len()) % GROUPS.len()],
        ORIGINS[i % ORIGINS.len()].0
    )
}

fn input(i: usize) -> AssociationInput {
    let (postal_code, city) = PLACES[(i / ORIGINS.len()) % PLACES.len()];
    let consenting = i.is_multiple_of(2);
    AssociationInput {
        acronym: Some(format!("SC{i}")),
        founded_year: Some(1990 + (i % 35) as i32),
        member_count: Some(10 + (i % 190) as i64),
        address: AddressInput {
            street: Some(format!("Rue de la Solidarité {}", 1 + i % 200)),
            postal_code: Some(postal_code.into()),
            city: Some(city.into()),
        },
        sdgs: vec![5, 1 + (i % 17) as i32],
        thematic_areas: vec!["education".into()],
        woman_led: status_of(i) == Status::Selected || !i.is_multiple_of(3),
        publication_consent: ConsentInput {
            granted: consenting,
            fields: if consenting {
                vec!["name".into(), "countries_of_origin".into()]
            } else {
                vec![]
            },
        },
        ..AssociationInput::de_facto(&name_of(i), ORIGINS[i % ORIGINS.len()].1)
    }
}

/// Whether the data set is already loaded (its first association is there).
pub async fn present(db: &impl ConnectionTrait) -> Result<bool, DomainError> {
    Ok(association::Entity::find()
        .filter(association::Column::NameKey.eq(text::fold(&name_of(0))))
        .count(db)
        .await?
        > 0)
}

/// Imports the associations, moves them through selection, and adds five people to each.
pub async fn load(
    tx: &Tx,
    context: &AuditContext,
    n: usize,
    scaled: &mut Scaled,
) -> Result<Registry, DomainError> {
    let rows = (0..n).map(|i| Ok(input(i))).collect();
    let outcomes = crate::association::import(tx, context, rows, &CallerScope::SYSTEM).await?;
    let mut ids = Vec::with_capacity(n);
    for (i, outcome) in outcomes.into_iter().enumerate() {
        match outcome {
            RowOutcome::Created(id) => ids.push(id),
            other => {
                return Err(DomainError::Invalid(vec![crate::FieldError::new(
                    format!("/associations/{i}"),
                    format!("not created: {other:?}"),
                )]));
            }
        }
    }
    scaled.associations = n;
    select(tx, context, &ids).await?;
    let selected: Vec<usize> = (0..n)
        .filter(|i| status_of(*i) == Status::Selected)
        .collect();
    scaled.selected = selected.len();
    let representatives = people(tx, context, &ids, scaled).await?;
    Ok(Registry {
        ids,
        selected,
        representatives,
    })
}

/// The steps from applicant to association `i`'s status.
fn path(i: usize) -> &'static [Status] {
    match status_of(i) {
        Status::Selected => &[Status::Shortlisted, Status::Selected],
        Status::Shortlisted => &[Status::Shortlisted],
        Status::Rejected => &[Status::Shortlisted, Status::Rejected],
        Status::Withdrawn => &[Status::Withdrawn],
        _ => &[],
    }
}

/// Records each step of the selection as the registry does: the transition, the status, a
/// new version with its change and audit rows. January 2026, a week between steps.
async fn select(tx: &Tx, context: &AuditContext, ids: &[Uuid]) -> Result<(), DomainError> {
    for step in 0..2 {
        let mut moves = Vec::new();
        let mut by_status: Vec<(Status, Vec<Uuid>)> = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let Some(&to) = path(i).get(step) else {
                continue;
            };
            let from = if step == 0 {
                Status::Applicant
            } else {
                path(i)[step - 1]
            };
            let on = day(2026, 1, 5 + (i % 20) as u32)
                .and_hms_opt(10, 0, 0)
                .unwrap_or_default()
                .and_utc()
                + Duration::days(7 * step as i64);
            moves.push(transition::ActiveModel {
                id: Set(Uuid::now_v7()),
                association_id: Set(*id),
                from_status: Set(from),
                to_status: Set(to),
                reason: Set("Selection round (generated data set)".into()),
                r#override: Set(false),
                actor_type: Set(ActorType::System),
                actor_id: Set(None),
                occurred_at: Set(on.min(Utc::now())),
            });
            match by_status.iter_mut().find(|(s, _)| *s == to) {
                Some((_, list)) => list.push(*id),
                None => by_status.push((to, vec![*id])),
            }
        }
        for chunk in moves.chunks(1_000) {
            transition::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(tx)
                .await?;
        }
        for (status, list) in by_status {
            resource::update_many::<association::Entity>(
                tx,
                context,
                &list,
                1,
                "transitioned",
                &[(association::Column::Status, Expr::value(status))],
            )
            .await?;
        }
    }
    Ok(())
}

/// Five people per association: two representatives, then three members.
async fn people(
    tx: &Tx,
    context: &AuditContext,
    ids: &[Uuid],
    scaled: &mut Scaled,
) -> Result<Vec<(Uuid, Uuid)>, DomainError> {
    let mut rows = Vec::with_capacity(5 * ids.len());
    let mut representatives = Vec::with_capacity(ids.len());
    for (i, association_id) in ids.iter().enumerate() {
        let pair = (Uuid::now_v7(), Uuid::now_v7());
        representatives.push(pair);
        for r in 0..5 {
            let gender = match (r, i % 7, i % 3, i % 11) {
                (0, 0, _, _) => Gender::Undisclosed,
                (0, ..) | (2..=3, ..) => Gender::Female,
                (1, _, _, 0) | (4, _, _, 0) => Gender::Other,
                (1, _, 0, _) | (4, _, 0, _) => Gender::Male,
                _ => Gender::Female,
            };
            rows.push(person::ActiveModel {
                id: Set(match r {
                    0 => pair.0,
                    1 => pair.1,
                    _ => Uuid::now_v7(),
                }),
                association_id: Set(*association_id),
                first_name: Set(["Aminata", "Fatou", "Mariam", "Awa", "Khadija"][r].into()),
                last_name: Set(format!("Membre {i:05}")),
                gender: Set(gender),
                email: Set(None),
                phone: Set(None),
                role_in_association: Set((r == 0).then(|| "Présidente".to_owned())),
                is_representative: Set(r < 2),
                languages: Set("[\"fr\"]".into()),
                erased_at: Set(None),
                ..Default::default()
            });
        }
    }
    scaled.people = rows.len();
    resource::insert_many::<person::Entity>(tx, context, rows).await?;
    Ok(representatives)
}
