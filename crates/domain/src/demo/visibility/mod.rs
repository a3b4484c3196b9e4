//! The demo visibility deliverables: the published repertoire of the demo associations the
//! public repertoire lists, three briefs of success stories (one published, one in review, one
//! sent back to draft with the reviewer's comment), the published calendar of 2027 with its
//! twelve months, and how the published ones were spread (print, events, mailings, social
//! media). Every text is in French, Dutch and English.
//!
//! Everything goes through the visibility use-cases, so the publishing checks hold: only
//! associations that granted publication consent are featured, and the one story that names a
//! person names a representative whose latest publication consent is a grant (a story whose
//! association or person does not consent is left out; a deliverable left incomplete stops at
//! `approved`). A deliverable whose title contains "(demo)" marks the data set as loaded.

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::association::Status;
use crate::association::entity::association;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::localized::LocalizedText;
use crate::person::entity::person;
use crate::policy::CallerScope;
use crate::resource::Precondition;
use crate::visibility::transitions::{self, TransitionRequest};
use crate::visibility::{
    self as deliverables, Audience, Channel, DeliverableInput, DeliverableKind, DeliverableStatus,
    DisseminationInput, EntryInput, StoryInput, calendar, deliverable, disseminations, stories,
};
use crate::{DomainError, db, time};

mod month_texts;
mod plans;
mod story_texts;

use self::plans::PLANS;

/// What every demo deliverable's title contains: also how a second run knows they exist.
const MARK: &str = "(demo)";

/// Where the demo documents and pictures would be.
const MEDIA: &str = "https://example.org/demo/visibility";

/// Written where a story names the association's representative: her name.
const NAME: &str = "{name}";

/// A text in French, Dutch and English, in that order.
type Texts = [&'static str; 3];

fn localized([fr, nl, en]: &Texts) -> LocalizedText {
    LocalizedText {
        en: Some((*en).to_owned()),
        fr: Some((*fr).to_owned()),
        nl: Some((*nl).to_owned()),
    }
}

fn day((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A success story of a brief.
struct DemoStory {
    /// The demo association it is about.
    acronym: &'static str,
    /// The country of origin the action benefits (one of the association's).
    country: &'static str,
    sdgs: &'static [i32],
    /// Whether it names the association's representative (at [`NAME`] in the body), who must
    /// consent to publication; the others are collective.
    names_representative: bool,
    title: Texts,
    body: Texts,
    quote: Option<&'static str>,
    /// The picture, under [`MEDIA`].
    image: &'static str,
}

/// A month of the calendar (the month is its place in the list).
struct DemoEntry {
    acronym: &'static str,
    headline: Texts,
    caption: Texts,
}

/// How a published deliverable was spread.
struct Spread {
    channel: Channel,
    audience: &'static str,
    copies: i64,
    reach: Option<i64>,
    notes: &'static str,
}

/// A demo deliverable.
struct Plan {
    kind: DeliverableKind,
    /// The status to reach.
    status: DeliverableStatus,
    /// Contains [`MARK`].
    title: Texts,
    summary: Texts,
    planned_on: (i32, u32, u32),
    /// The document, under [`MEDIA`].
    document: Option<&'static str>,
    sdgs: &'static [i32],
    year: Option<i32>,
    stories: &'static [DemoStory],
    entries: &'static [DemoEntry],
    /// For a draft: the changes the reviewer asked for when she sent it back.
    changes_requested: Option<&'static str>,
    spread: &'static [Spread],
}
/// The statuses a deliverable passes through after `draft` to reach `target`; a draft that
/// was sent back goes to review and back.
fn path_to(target: DeliverableStatus, sent_back: bool) -> &'static [DeliverableStatus] {
    use DeliverableStatus::*;
    match target {
        Draft if sent_back => &[InReview, Draft],
        Draft => &[],
        InReview => &[InReview],
        Approved => &[InReview, Approved],
        Published => &[InReview, Approved, Published],
        Archived => &[InReview, Approved, Published, Archived],
    }
}

/// The comment recorded with a move.
fn comment(plan: &Plan, to: DeliverableStatus) -> Option<String> {
    match to {
        DeliverableStatus::InReview => {
            Some("Submitted for review in French, Dutch and English.".into())
        }
        DeliverableStatus::Approved => {
            Some("Reviewed by the communication officer: texts and consents checked.".into())
        }
        DeliverableStatus::Draft => plan.changes_requested.map(str::to_owned),
        _ => None,
    }
}

/// The demo association of this acronym, among those that may be featured.
fn home<'a>(homes: &'a [association::Model], acronym: &str) -> Option<&'a association::Model> {
    homes.iter().find(|a| a.acronym.as_deref() == Some(acronym))
}

/// The representative of the association who currently consents to publication, with her
/// name.
async fn consenting_representative(
    tx: &Tx,
    association_id: Uuid,
) -> Result<Option<(Uuid, String)>, DomainError> {
    let representatives = person::Entity::find()
        .filter(person::Column::AssociationId.eq(association_id))
        .filter(person::Column::IsRepresentative.eq(true))
        .filter(person::Column::DeletedAt.is_null())
        .order_by_asc(person::Column::Id)
        .all(tx)
        .await?;
    let ids: Vec<Uuid> = representatives.iter().map(|p| p.id).collect();
    let consenting = stories::consenting_people(tx, &ids).await?;
    Ok(representatives
        .into_iter()
        .find(|p| consenting.contains(&p.id))
        .map(|p| (p.id, format!("{} {}", p.first_name, p.last_name))))
}

/// Seeds the demo deliverables once; returns how many it created (none when any exists).
pub async fn seed(db: &DatabaseConnection) -> Result<usize, DomainError> {
    let existing = deliverable::Entity::find()
        .filter(deliverable::Column::Title.like(format!("%{MARK}%")))
        .filter(deliverable::Column::DeletedAt.is_null())
        .count(db)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let context = AuditContext::system();
    let scope = CallerScope::SYSTEM;
    let today = time::brussels_today();
    let tx = db::begin_write(db).await?;
    // Only the demo associations that granted publication consent may be featured.
    let homes = association::Entity::find()
        .filter(association::Column::Name.like(format!("%{MARK}")))
        .filter(association::Column::ConsentGranted.eq(true))
        .filter(association::Column::DeletedAt.is_null())
        .order_by_asc(association::Column::Name)
        .all(&tx)
        .await?;
    let mut created = 0;
    for plan in &PLANS {
        let mut featured: Vec<Uuid> = match plan.kind {
            // As the public repertoire: not rejected or withdrawn.
            DeliverableKind::Repertoire => homes
                .iter()
                .filter(|a| !matches!(a.status, Status::Rejected | Status::Withdrawn))
                .map(|a| a.id)
                .collect(),
            _ => plan
                .stories
                .iter()
                .map(|s| s.acronym)
                .chain(plan.entries.iter().map(|e| e.acronym))
                .filter_map(|acronym| home(&homes, acronym).map(|a| a.id))
                .collect(),
        };
        let mut seen = Vec::new();
        featured.retain(|id| {
            let first = !seen.contains(id);
            seen.push(*id);
            first
        });
        let input = DeliverableInput {
            kind: plan.kind,
            title: localized(&plan.title),
            summary: localized(&plan.summary),
            languages: vec!["fr".into(), "nl".into(), "en".into()],
            planned_on: Some(day(plan.planned_on)),
            document_url: plan.document.map(|d| format!("{MEDIA}/{d}")),
            featured_association_ids: featured,
            sdgs: plan.sdgs.to_vec(),
            year: plan.year,
        };
        let made = deliverables::create(&tx, &context, &input).await?;
        let id = made.row.id;
        let mut complete = true;
        for story in plan.stories {
            let Some(about) = home(&homes, story.acronym) else {
                complete = false;
                continue;
            };
            let (person_ids, name) = if story.names_representative {
                match consenting_representative(&tx, about.id).await? {
                    Some((person, name)) => (vec![person], name),
                    // Nobody to name with her consent: the story is left out.
                    None => continue,
                }
            } else {
                (vec![], String::new())
            };
            let [fr, nl, en] = story.body.map(|b| b.replace(NAME, &name));
            let input = StoryInput {
                association_id: about.id,
                title: localized(&story.title),
                body: LocalizedText {
                    en: Some(en),
                    fr: Some(fr),
                    nl: Some(nl),
                },
                person_ids,
                country: story.country.into(),
                sdgs: story.sdgs.to_vec(),
                quote: story.quote.map(str::to_owned),
                image_url: Some(format!("{MEDIA}/{}", story.image)),
            };
            stories::create(&tx, &context, id, &input, Audience::All, &scope).await?;
        }
        for (month, entry) in (1..).zip(plan.entries) {
            let Some(about) = home(&homes, entry.acronym) else {
                complete = false;
                continue;
            };
            let input = EntryInput {
                month,
                association_id: about.id,
                headline: localized(&entry.headline),
                caption: localized(&entry.caption),
                image_url: Some(format!("{MEDIA}/calendar-2027/{month:02}.jpg")),
            };
            calendar::create(&tx, &context, id, &input, &scope).await?;
        }
        if plan.kind == DeliverableKind::Brief && stories::of(&tx, id).await?.is_empty() {
            complete = false;
        }
        if plan.kind == DeliverableKind::Calendar {
            let taken = deliverable::Entity::find()
                .filter(deliverable::Column::Kind.eq(DeliverableKind::Calendar))
                .filter(deliverable::Column::Year.eq(plan.year))
                .filter(deliverable::Column::Status.eq(DeliverableStatus::Published))
                .filter(deliverable::Column::DeletedAt.is_null())
                .count(&tx)
                .await?;
            complete = complete && taken == 0;
        }
        let mut reached = DeliverableStatus::Draft;
        for to in path_to(plan.status, plan.changes_requested.is_some()) {
            if *to == DeliverableStatus::Published && !complete {
                // What publishing needs is missing: it waits, approved.
                break;
            }
            let request = TransitionRequest {
                to: *to,
                comment: comment(plan, *to),
            };
            transitions::transition(&tx, &context, id, &request, &Precondition::None).await?;
            reached = *to;
        }
        if reached.is_public() {
            for spread in plan.spread {
                let input = DisseminationInput {
                    date: today,
                    channel: spread.channel,
                    audience: spread.audience.into(),
                    copies: spread.copies,
                    reach: spread.reach,
                    notes: Some(spread.notes.into()),
                };
                disseminations::create(&tx, &context, id, &input).await?;
            }
        }
        created += 1;
    }
    tx.commit().await?;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::month_texts::MONTHS;
    use super::story_texts::PUBLISHED_STORIES;
    use super::*;
    use crate::visibility::rules;

    fn all_stories() -> impl Iterator<Item = &'static DemoStory> {
        PLANS.iter().flat_map(|p| p.stories.iter())
    }

    #[test]
    fn a_repertoire_three_briefs_in_every_stage_and_a_full_calendar() {
        use DeliverableKind::*;
        use DeliverableStatus::*;
        let of = |kind| PLANS.iter().filter(move |p| p.kind == kind);
        assert_eq!(
            of(Repertoire).map(|p| p.status).collect::<Vec<_>>(),
            [Published]
        );
        assert_eq!(
            of(Brief).map(|p| p.status).collect::<Vec<_>>(),
            [Published, InReview, Draft]
        );
        let calendars: Vec<&Plan> = of(Calendar).collect();
        assert_eq!(calendars.len(), 1);
        assert_eq!(calendars[0].status, Published);
        assert_eq!(calendars[0].year, Some(2027));
        assert_eq!(calendars[0].entries.len(), 12);
        for plan in &PLANS {
            assert!(
                plan.title.iter().all(|t| t.contains(MARK)),
                "{:?}",
                plan.title
            );
            assert_eq!(plan.kind == Brief, !plan.stories.is_empty());
            assert!(plan.stories.len() <= 3);
            assert_eq!(plan.kind == Calendar, !plan.entries.is_empty());
            assert_eq!(plan.status.is_public(), !plan.spread.is_empty());
            assert!(plan.spread.is_empty() || (2..=4).contains(&plan.spread.len()));
            assert_eq!(plan.changes_requested.is_some(), plan.status == Draft);
        }
        let channels: Vec<Channel> = PLANS
            .iter()
            .flat_map(|p| p.spread.iter().map(|s| s.channel))
            .collect();
        for channel in [
            Channel::Print,
            Channel::Event,
            Channel::Email,
            Channel::SocialMedia,
        ] {
            assert!(channels.contains(&channel), "{channel:?}");
        }
    }

    #[test]
    fn one_published_story_names_a_person_the_others_are_collective() {
        let named: Vec<&DemoStory> = all_stories().filter(|s| s.names_representative).collect();
        assert_eq!(named.len(), 1);
        assert!(PUBLISHED_STORIES.iter().any(|s| s.names_representative));
        for story in all_stories() {
            for body in story.body {
                assert_eq!(body.contains(NAME), story.names_representative, "{body}");
            }
        }
    }

    #[test]
    fn stories_and_months_are_about_demo_associations_and_their_countries() {
        for story in all_stories() {
            let demo = super::super::DEMO_ASSOCIATIONS
                .iter()
                .find(|a| a.1 == story.acronym)
                .unwrap_or_else(|| panic!("{} is a demo association", story.acronym));
            assert!(demo.3.contains(&story.country), "{}", story.acronym);
        }
        for entry in &MONTHS {
            assert!(
                super::super::DEMO_ASSOCIATIONS
                    .iter()
                    .any(|a| a.1 == entry.acronym),
                "{}",
                entry.acronym
            );
        }
    }

    #[test]
    fn every_text_keeps_the_rules_in_three_languages() {
        let three = |t: &LocalizedText| t.languages().len() == 3;
        for plan in &PLANS {
            let input = DeliverableInput {
                kind: plan.kind,
                title: localized(&plan.title),
                summary: localized(&plan.summary),
                languages: vec!["fr".into(), "nl".into(), "en".into()],
                planned_on: Some(day(plan.planned_on)),
                document_url: plan.document.map(|d| format!("{MEDIA}/{d}")),
                featured_association_ids: vec![],
                sdgs: plan.sdgs.to_vec(),
                year: plan.year,
            };
            let checked = rules::check_deliverable(&input).expect("a valid deliverable");
            assert!(three(&checked.title) && three(&checked.summary));
            for spread in plan.spread {
                let input = DisseminationInput {
                    date: day((2026, 12, 1)),
                    channel: spread.channel,
                    audience: spread.audience.into(),
                    copies: spread.copies,
                    reach: spread.reach,
                    notes: Some(spread.notes.into()),
                };
                rules::check_dissemination(&input).expect("a valid dissemination");
            }
        }
        for story in all_stories() {
            let [fr, nl, en] = story
                .body
                .map(|b| b.replace(NAME, "Demo Representative FBD"));
            let input = StoryInput {
                association_id: Uuid::nil(),
                title: localized(&story.title),
                body: LocalizedText {
                    en: Some(en),
                    fr: Some(fr),
                    nl: Some(nl),
                },
                person_ids: vec![],
                country: story.country.into(),
                sdgs: story.sdgs.to_vec(),
                quote: story.quote.map(str::to_owned),
                image_url: Some(format!("{MEDIA}/{}", story.image)),
            };
            let checked = rules::check_story(&input).expect("a valid story");
            assert!(three(&checked.title) && three(&checked.body));
        }
        for (month, entry) in (1..).zip(&MONTHS) {
            let input = EntryInput {
                month,
                association_id: Uuid::nil(),
                headline: localized(&entry.headline),
                caption: localized(&entry.caption),
                image_url: Some(format!("{MEDIA}/calendar-2027/{month:02}.jpg")),
            };
            let checked = rules::check_entry(&input).expect("a valid entry");
            assert!(three(&checked.headline) && three(&checked.caption));
        }
    }
}
