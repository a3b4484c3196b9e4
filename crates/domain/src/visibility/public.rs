//! What the public reads without logging in: published deliverables with their stories and
//! calendar entries, showing only what consent allows at the moment of reading. An association
//! that withdraws its publication consent, or a person who withdraws hers, disappears from the
//! next response: the stories and entries about them are left out, and so are they from the
//! featured associations. People are never shown, only the stories' texts.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::calendar::Entry;
use super::entity::{DeliverableKind, DeliverableStatus, calendar_entry, deliverable, story};
use super::stories::{Story, consenting_people};
use super::{Audience, Deliverable, DeliverableFilter, check_filter, list_condition};
use crate::DomainError;
use crate::association::entity::association;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};

/// An association as the public sees it beside a deliverable: its id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Featured {
    /// Id.
    pub id: Uuid,
    /// Name (always part of a granted consent).
    pub name: String,
}

/// A published deliverable as the public reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicDeliverable {
    /// The deliverable.
    pub deliverable: Deliverable,
    /// The featured associations that consent.
    pub featured: Vec<Featured>,
    /// The stories whose association and people consent, oldest first.
    pub stories: Vec<(Story, Featured)>,
    /// The calendar entries whose association consents, in month order.
    pub entries: Vec<(Entry, Featured)>,
}

/// The live associations among `ids` that have granted publication consent, with their names.
pub async fn consenting_associations(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, DomainError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut unique: Vec<Uuid> = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    Ok(association::Entity::find()
        .select_only()
        .column(association::Column::Id)
        .column(association::Column::Name)
        .filter(association::Column::Id.is_in(unique))
        .filter(association::Column::DeletedAt.is_null())
        .filter(association::Column::ConsentGranted.eq(true))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Who consents to publication, among the associations and people some stories, calendar
/// entries and featured lists name: read once (two or three queries), then asked per part.
pub(crate) struct Consents {
    associations: HashMap<Uuid, String>,
    people: HashSet<Uuid>,
}

impl Consents {
    /// Reads the consent of everyone these parts and featured lists name.
    pub(crate) async fn of(
        db: &impl ConnectionTrait,
        stories: &[Story],
        entries: &[Entry],
        featured: &[Uuid],
    ) -> Result<Self, DomainError> {
        let mut associations: Vec<Uuid> = featured.to_vec();
        associations.extend(stories.iter().map(|s| s.row.association_id));
        associations.extend(entries.iter().map(|e| e.row.association_id));
        let people: Vec<Uuid> = stories.iter().flat_map(|s| s.person_ids.clone()).collect();
        Ok(Self {
            associations: consenting_associations(db, &associations).await?,
            people: consenting_people(db, &people).await?,
        })
    }

    /// The association as the public sees it, when it consents.
    pub(crate) fn association(&self, id: &Uuid) -> Option<Featured> {
        self.associations.get(id).map(|name| Featured {
            id: *id,
            name: name.clone(),
        })
    }

    /// A story's association, when the story may be shown: the association and every person
    /// it names consent.
    pub(crate) fn story(&self, story: &Story) -> Option<Featured> {
        story
            .person_ids
            .iter()
            .all(|p| self.people.contains(p))
            .then(|| self.association(&story.row.association_id))
            .flatten()
    }

    /// An entry's association, when the entry may be shown (the association consents).
    pub(crate) fn entry(&self, entry: &Entry) -> Option<Featured> {
        self.association(&entry.row.association_id)
    }
}

/// The ids of the deliverables of `kind` among `found`.
fn of_kind(found: &[Deliverable], kind: DeliverableKind) -> Vec<Uuid> {
    found
        .iter()
        .filter(|d| d.row.kind == kind)
        .map(|d| d.row.id)
        .collect()
}

/// Reads the published parts of these deliverables: at most five queries whatever their
/// number (the stories of the briefs, the entries of the calendars, the consent of the
/// associations, and the people named with their consent).
async fn assemble(
    db: &impl ConnectionTrait,
    found: Vec<Deliverable>,
) -> Result<Vec<PublicDeliverable>, DomainError> {
    let briefs = of_kind(&found, DeliverableKind::Brief);
    let calendars = of_kind(&found, DeliverableKind::Calendar);
    let stories: Vec<Story> = if briefs.is_empty() {
        vec![]
    } else {
        story::Entity::find()
            .filter(story::Column::DeliverableId.is_in(briefs))
            .filter(story::Column::DeletedAt.is_null())
            .order_by_asc(story::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(Story::new)
            .collect::<Result<_, _>>()?
    };
    let entries: Vec<Entry> = if calendars.is_empty() {
        vec![]
    } else {
        calendar_entry::Entity::find()
            .filter(calendar_entry::Column::DeliverableId.is_in(calendars))
            .filter(calendar_entry::Column::DeletedAt.is_null())
            .order_by_asc(calendar_entry::Column::Month)
            .all(db)
            .await?
            .into_iter()
            .map(Entry::new)
            .collect::<Result<_, _>>()?
    };
    let featured: Vec<Uuid> = found
        .iter()
        .flat_map(|d| d.featured_association_ids.clone())
        .collect();
    let consents = Consents::of(db, &stories, &entries, &featured).await?;
    Ok(found
        .into_iter()
        .map(|d| {
            let id = d.row.id;
            PublicDeliverable {
                featured: d
                    .featured_association_ids
                    .iter()
                    .filter_map(|a| consents.association(a))
                    .collect(),
                stories: stories
                    .iter()
                    .filter(|s| s.row.deliverable_id == id)
                    .filter_map(|s| consents.story(s).map(|a| (s.clone(), a)))
                    .collect(),
                entries: entries
                    .iter()
                    .filter(|e| e.row.deliverable_id == id)
                    .filter_map(|e| consents.entry(e).map(|a| (e.clone(), a)))
                    .collect(),
                deliverable: d,
            }
        })
        .collect())
}

/// Lists the published deliverables, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &DeliverableFilter,
    page: &PageRequest,
) -> Result<Page<PublicDeliverable>, DomainError> {
    check_filter(filter)?;
    let select = deliverable::Entity::find().filter(list_condition(filter, Audience::Published));
    let page = paging::by_unique_key(db, select, deliverable::Column::Id, Order::Asc, page, |r| {
        KeyValue::Uuid(r.id)
    })
    .await?;
    let found = page
        .items
        .into_iter()
        .map(Deliverable::new)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items: assemble(db, found).await?,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// Reads one published deliverable.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<PublicDeliverable, DomainError> {
    let found = super::get(db, id, Audience::Published).await?;
    assemble(db, vec![found])
        .await?
        .pop()
        .ok_or(DomainError::NotFound("deliverable"))
}

/// The published calendar of a year.
pub async fn calendar(
    db: &impl ConnectionTrait,
    year: i32,
) -> Result<PublicDeliverable, DomainError> {
    if !super::rules::YEARS.contains(&year) {
        return Err(DomainError::bad_parameter(
            "year",
            "must be a year from 2000 to 2100",
        ));
    }
    let row = deliverable::Entity::find()
        .filter(deliverable::Column::Kind.eq(DeliverableKind::Calendar))
        .filter(deliverable::Column::Status.eq(DeliverableStatus::Published))
        .filter(deliverable::Column::Year.eq(year))
        .filter(deliverable::Column::DeletedAt.is_null())
        .order_by_asc(deliverable::Column::Id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("calendar"))?;
    assemble(db, vec![Deliverable::new(row)?])
        .await?
        .pop()
        .ok_or(DomainError::NotFound("calendar"))
}
