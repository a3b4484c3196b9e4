//! The success stories of a brief: each about one association, optionally naming people of it
//! (who must consent before the brief is published). Programme staff write them; an
//! association's users may propose one about their own association in a brief still in draft.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::entity::{DeliverableKind, story};
use super::public::Consents;
use super::rules::{self, StoryInput};
use super::{
    Audience, check_editable, check_kind, delete_part, find_part, get as get_deliverable, lock,
};
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::localized::LocalizedText;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::person::entity::{ConsentPurpose, consent, person};
use crate::policy::CallerScope;
use crate::reference::country;
use crate::resource::{self, Precondition, json_list, json_text};
use crate::{DomainError, FieldError, association};

/// A story with its JSON fields read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    /// The stored row.
    pub row: story::Model,
    /// Title.
    pub title: LocalizedText,
    /// The story.
    pub body: LocalizedText,
    /// People named.
    pub person_ids: Vec<Uuid>,
    /// SDG numbers.
    pub sdgs: Vec<i32>,
}

impl Story {
    /// Reads a stored row.
    pub fn new(row: story::Model) -> Result<Self, DomainError> {
        let table = "deliverable_stories";
        Ok(Self {
            title: LocalizedText::from_json(&row.title, table, "title")?,
            body: LocalizedText::from_json(&row.body, table, "body")?,
            person_ids: json_list(&row.person_ids, table, "person_ids", row.id)?,
            sdgs: json_list(&row.sdgs, table, "sdgs", row.id)?,
            row,
        })
    }

    /// Its writable fields as they stand.
    pub fn to_input(&self) -> StoryInput {
        StoryInput {
            association_id: self.row.association_id,
            title: self.title.clone(),
            body: self.body.clone(),
            person_ids: self.person_ids.clone(),
            country: self.row.country.clone(),
            sdgs: self.sdgs.clone(),
            quote: self.row.quote.clone(),
            image_url: self.row.image_url.clone(),
        }
    }
}

/// Fields that keep every rule, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid(StoryInput);

impl Valid {
    fn apply(&self, row: &mut story::ActiveModel) {
        let v = &self.0;
        row.title = Set(v.title.to_json());
        row.body = Set(v.body.to_json());
        row.person_ids = Set(json_text(&v.person_ids));
        row.country = Set(v.country.clone());
        row.sdgs = Set(json_text(&v.sdgs));
        row.quote = Set(v.quote.clone());
        row.image_url = Set(v.image_url.clone());
    }
}

/// Checks every rule: the fields, the country, and that the people named are people of the
/// story's association.
async fn validate(db: &impl ConnectionTrait, input: &StoryInput) -> Result<Valid, DomainError> {
    let checked = rules::check_story(input).map_err(DomainError::Invalid)?;
    let mut errors = Vec::new();
    if country::Entity::find_by_id(checked.country.clone())
        .one(db)
        .await?
        .is_none()
    {
        errors.push(FieldError::new(
            "/country",
            "is not a country of /api/v1/countries",
        ));
    }
    let people: Vec<Uuid> = if checked.person_ids.is_empty() {
        vec![]
    } else {
        person::Entity::find()
            .filter(person::Column::Id.is_in(checked.person_ids.clone()))
            .filter(person::Column::AssociationId.eq(checked.association_id))
            .filter(person::Column::DeletedAt.is_null())
            // An erased person is named by nobody: her erasure took her out of every story.
            .filter(person::Column::ErasedAt.is_null())
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect()
    };
    for (i, id) in checked.person_ids.iter().enumerate() {
        if !people.contains(id) {
            errors.push(FieldError::new(
                format!("/person_ids/{i}"),
                "is not a person of the story's association (or was erased)",
            ));
        }
    }
    if errors.is_empty() {
        Ok(Valid(checked))
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// The people among `ids` whose latest publication consent is a grant (and who are live).
pub async fn consenting_people(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashSet<Uuid>, DomainError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let live: HashSet<Uuid> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::Id.is_in(ids.to_vec()))
        .filter(person::Column::DeletedAt.is_null())
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    // Oldest first, so the last record of each person is her current consent.
    let mut latest: HashMap<Uuid, bool> = HashMap::new();
    for (person_id, granted) in consent::Entity::find()
        .select_only()
        .column(consent::Column::PersonId)
        .column(consent::Column::Granted)
        .filter(consent::Column::PersonId.is_in(ids.to_vec()))
        .filter(consent::Column::Purpose.eq(ConsentPurpose::Publication))
        .order_by_asc(consent::Column::Id)
        .into_tuple::<(Uuid, bool)>()
        .all(db)
        .await?
    {
        latest.insert(person_id, granted);
    }
    Ok(latest
        .into_iter()
        .filter(|(id, granted)| *granted && live.contains(id))
        .map(|(id, _)| id)
        .collect())
}

/// Refuses a change by an association's user to a story programme staff wrote (403): its users
/// propose stories and change their own proposals, staff's are staff's.
fn check_may_change(story: &Story, scope: &CallerScope) -> Result<(), DomainError> {
    if scope.bound_to.is_none() || story.row.proposed {
        return Ok(());
    }
    Err(DomainError::Refused(crate::error::Refusal {
        code: "story_reserved",
        title: "Story written by programme staff",
        kind: crate::error::RefusalKind::Forbidden,
        detail: "this story was written by programme staff: an association changes only the stories it proposed".into(),
        allowed: None,
        errors: vec![],
    }))
}

/// The live stories of a deliverable, oldest first (of live associations).
pub async fn of(
    db: &impl ConnectionTrait,
    deliverable_id: Uuid,
) -> Result<Vec<Story>, DomainError> {
    story::Entity::find()
        .filter(story::Column::DeliverableId.eq(deliverable_id))
        .filter(story::Column::DeletedAt.is_null())
        .filter(story::Column::AssociationId.in_subquery(association::live_ids()))
        .order_by_asc(story::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Story::new)
        .collect()
}

/// Lists the stories of a deliverable the audience reads that the caller may see (a bound
/// caller: its own association's), oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    deliverable_id: Uuid,
    page: &PageRequest,
    audience: Audience,
    scope: &CallerScope,
) -> Result<Page<Story>, DomainError> {
    get_deliverable(db, deliverable_id, audience).await?;
    let mut select = story::Entity::find()
        .filter(story::Column::DeliverableId.eq(deliverable_id))
        .filter(story::Column::DeletedAt.is_null())
        .filter(story::Column::AssociationId.in_subquery(association::live_ids()));
    if let Some(own) = scope.bound_to {
        select = select.filter(story::Column::AssociationId.eq(own));
    }
    let page = paging::by_unique_key(db, select, story::Column::Id, Order::Asc, page, |s| {
        KeyValue::Uuid(s.id)
    })
    .await?;
    let mut items = page
        .items
        .into_iter()
        .map(Story::new)
        .collect::<Result<Vec<_>, _>>()?;
    if audience == Audience::Published {
        // Consent is read at every request: a page may hold fewer stories than its limit.
        let consents = Consents::of(db, &items, &[], &[]).await?;
        items.retain(|s| consents.story(s).is_some());
    }
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// Reads one story of a deliverable.
pub async fn get(
    db: &impl ConnectionTrait,
    deliverable_id: Uuid,
    id: Uuid,
    audience: Audience,
    scope: &CallerScope,
) -> Result<Story, DomainError> {
    let found =
        Story::new(find_part::<story::Entity>(db, deliverable_id, id, audience, scope).await?)?;
    if audience == Audience::Published
        && Consents::of(db, std::slice::from_ref(&found), &[], &[])
            .await?
            .story(&found)
            .is_none()
    {
        return Err(DomainError::NotFound("story"));
    }
    Ok(found)
}

/// Reads a story the caller may change: an association's users change only the stories it
/// proposed (403 `story_reserved`, before any `If-Match`).
pub async fn changeable(
    db: &impl ConnectionTrait,
    deliverable_id: Uuid,
    id: Uuid,
    audience: Audience,
    scope: &CallerScope,
) -> Result<Story, DomainError> {
    let story = get(db, deliverable_id, id, audience, scope).await?;
    check_may_change(&story, scope)?;
    Ok(story)
}

/// Adds a story to a brief in draft, about an association the caller may see.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    deliverable_id: Uuid,
    input: &StoryInput,
    audience: Audience,
    scope: &CallerScope,
) -> Result<Story, DomainError> {
    let brief = lock(tx, deliverable_id, audience).await?;
    association::check_parent(tx, input.association_id, scope, "association").await?;
    check_kind(brief.row(), DeliverableKind::Brief, "stories")?;
    check_editable(brief.status, "stories can be added")?;
    let valid = validate(tx, input).await?;
    let mut row = story::ActiveModel {
        deliverable_id: Set(deliverable_id),
        association_id: Set(input.association_id),
        proposed: Set(scope.bound_to.is_some()),
        ..Default::default()
    };
    valid.apply(&mut row);
    Story::new(resource::insert::<story::Entity>(tx, context, row).await?)
}

/// Deletes a story while its brief is a draft.
pub async fn delete(
    tx: &Tx,
    context: &AuditContext,
    deliverable_id: Uuid,
    id: Uuid,
    expected: &Precondition,
    audience: Audience,
    scope: &CallerScope,
) -> Result<(), DomainError> {
    changeable(tx, deliverable_id, id, audience, scope).await?;
    delete_part::<story::Entity>(
        tx,
        context,
        deliverable_id,
        id,
        expected,
        (audience, scope),
        |brief| check_editable(brief.status, "its stories can be deleted"),
    )
    .await
}

/// Stories are edited through the write layer while their brief is a draft; the association
/// is fixed.
impl resource::Editable for story::Entity {
    type View = Story;
    type Input = StoryInput;
    type Valid = Valid;

    async fn view(_tx: &Tx, row: story::Model) -> Result<Story, DomainError> {
        Story::new(row)
    }

    fn input(current: &Story) -> StoryInput {
        current.to_input()
    }

    async fn check(
        tx: &Tx,
        current: &Story,
        input: StoryInput,
        _scope: &CallerScope,
    ) -> Result<Valid, DomainError> {
        let brief = get_deliverable(tx, current.row.deliverable_id, Audience::All).await?;
        check_editable(brief.row.status, "its stories can be changed")?;
        let input = StoryInput {
            association_id: current.row.association_id,
            ..input
        };
        validate(tx, &input).await
    }

    fn apply(_current: &Story, valid: &Valid, row: &mut story::ActiveModel) {
        valid.apply(row);
    }
}
