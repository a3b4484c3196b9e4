//! What the selected associations did after the training (restitutions, funding applications),
//! and the programme's own work (partners, deliverables, their dissemination).

use sea_orm::ActiveValue::Set;
use uuid::Uuid;

use super::registry::Registry;
use super::training::MODULES;
use super::{Scaled, day, plus};
use crate::DomainError;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::funding::{self, FundingStatus};
use crate::partner::entity::{self as partner, PartnerKind};
use crate::resource::{self, json_text};
use crate::restitution::{LocationKind, RestitutionStatus, restitution};
use crate::visibility::entity::dissemination;
use crate::visibility::{Channel, DeliverableKind, DeliverableStatus, deliverable};

/// Writes restitutions, funding applications, partners, deliverables and disseminations.
pub async fn load(
    tx: &Tx,
    context: &AuditContext,
    registry: &Registry,
    scaled: &mut Scaled,
) -> Result<(), DomainError> {
    restitutions(tx, context, registry, scaled).await?;
    funding_applications(tx, context, registry, scaled).await?;
    partners(tx, context, scaled).await?;
    deliverables(tx, context, scaled).await
}

/// Four restitutions per selected association, July 2026 to January 2027, in every status:
/// three in five validated.
async fn restitutions(
    tx: &Tx,
    context: &AuditContext,
    registry: &Registry,
    scaled: &mut Scaled,
) -> Result<(), DomainError> {
    let module = |m: usize| Uuid::from_u128(MODULES[m].0);
    let mut rows = Vec::with_capacity(4 * registry.selected.len());
    for r in 0..4 * registry.selected.len() {
        let i = registry.selected[r % registry.selected.len()];
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
            json_text(&[module(0), module(1)])
        } else {
            json_text(&[module(r % 3)])
        };
        let count = |base: usize, modulo: usize| if held { (base + r % modulo) as i32 } else { 0 };
        let abroad = r % 3 == 1;
        rows.push(restitution::ActiveModel {
            id: Set(Uuid::now_v7()),
            association_id: Set(registry.ids[i]),
            module_ids: Set(modules),
            facilitator_ids: Set(json_text(&[registry.representatives[i].0])),
            planned_on: Set(on),
            held_on: Set(held.then_some(on)),
            location_kind: Set(if abroad {
                LocationKind::Abroad
            } else {
                LocationKind::Belgium
            }),
            city: Set((!abroad).then(|| "Bruxelles".to_owned())),
            postal_code: Set((!abroad).then(|| "1000".to_owned())),
            country: Set(abroad.then(|| ["SN", "BF", "CD"][(r / 3) % 3].to_owned())),
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
    }
    scaled.restitutions = rows.len();
    resource::insert_many::<restitution::Entity>(tx, context, rows).await
}

/// One funding application per two selected associations, August to November 2026; a tenth
/// still drafts.
async fn funding_applications(
    tx: &Tx,
    context: &AuditContext,
    registry: &Registry,
    scaled: &mut Scaled,
) -> Result<(), DomainError> {
    let rows: Vec<_> = registry
        .selected
        .iter()
        .step_by(2)
        .enumerate()
        .map(|(f, &i)| {
            let status = match f % 10 {
                0 => FundingStatus::Draft,
                3 | 7 => FundingStatus::Granted,
                5 => FundingStatus::Rejected,
                _ => FundingStatus::Submitted,
            };
            funding::entity::ActiveModel {
                id: Set(Uuid::now_v7()),
                association_id: Set(registry.ids[i]),
                call_title: Set(format!("Appel à projets {}", f % 12)),
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
    scaled.funding_applications = rows.len();
    resource::insert_many::<funding::entity::Entity>(tx, context, rows).await
}

/// One partner per fifty associations (at least ten), contacted through 2026.
async fn partners(tx: &Tx, context: &AuditContext, scaled: &mut Scaled) -> Result<(), DomainError> {
    let kinds = [
        PartnerKind::Ngo,
        PartnerKind::PublicBody,
        PartnerKind::Academic,
        PartnerKind::Donor,
    ];
    let n = scaled.associations;
    let rows: Vec<_> = (0..(n / 50).max(10))
        .map(|p| partner::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(format!("Partenaire {p:05}")),
            name_key: Set(format!("partenaire {p:05}")),
            kind: Set(kinds[p % 4]),
            country: Set((p % 5 != 4).then(|| ["BE", "SN", "BF", "CD"][p % 5].to_owned())),
            website: Set(None),
            contact_email: Set(None),
            notes: Set(None),
            first_contact_on: Set(Some(plus(day(2026, 1, 15), (p % 300) as u64))),
            ..Default::default()
        })
        .collect();
    scaled.partners = rows.len();
    resource::insert_many::<partner::Entity>(tx, context, rows).await
}

/// Five briefs (one archived), a calendar and the repertoire published in 2026, one draft;
/// one dissemination record per twenty associations (at least ten).
async fn deliverables(
    tx: &Tx,
    context: &AuditContext,
    scaled: &mut Scaled,
) -> Result<(), DomainError> {
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
    let ids: Vec<Uuid> = made.iter().map(|_| Uuid::now_v7()).collect();
    let rows: Vec<_> =
        made.iter()
            .enumerate()
            .map(|(k, (kind, status))| deliverable::ActiveModel {
                id: Set(ids[k]),
                kind: Set(*kind),
                title: Set(format!(
                    "{{\"en\":\"Deliverable {k}\",\"fr\":\"Produit {k}\"}}"
                )),
                summary: Set("{\"en\":\"Generated\",\"fr\":\"Généré\"}".into()),
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
    scaled.deliverables = rows.len();
    resource::insert_many::<deliverable::Entity>(tx, context, rows).await?;
    let channels = [
        Channel::Print,
        Channel::Email,
        Channel::Event,
        Channel::SocialMedia,
    ];
    let records: Vec<_> = (0..(scaled.associations / 20).max(10))
        .map(|x| dissemination::ActiveModel {
            id: Set(Uuid::now_v7()),
            deliverable_id: Set(ids[x % 7]),
            date: Set(plus(day(2026, 3, 15), (x % 240) as u64)),
            channel: Set(channels[x % 4]),
            audience: Set("Members and partners".into()),
            copies: Set(10 + (x % 50) as i64),
            reach: Set((!x.is_multiple_of(3)).then_some(100 + x as i64)),
            notes: Set(None),
            ..Default::default()
        })
        .collect();
    scaled.disseminations = records.len();
    resource::insert_many::<dissemination::Entity>(tx, context, records).await
}
