//! Erasure (GDPR Art. 17): a person's identity removed from everything the API holds, in one
//! transaction, keeping what the results count, anonymously.
//!
//! What goes, and where:
//! - her row: names become a neutral label ([`ERASED_FIRST_NAME`], [`ERASED_LAST_NAME`]), email,
//!   phone, role and languages are cleared; her id and gender stay (the results count her by
//!   sex), and `erased_at` marks her;
//! - restitutions she facilitated: their free notes, and their photos and attendance sheets
//!   (the evidence that shows or names people: description, link and file name cleared, the
//!   item removed, its file released from disk after commit);
//! - stories that name her: her id leaves `person_ids`, her names leave the title, text and
//!   quote, the picture goes; the deliverable's history says so;
//! - replies kept for idempotent retries that carry her id or email, and her email's login
//!   throttle.
//!
//! What stays: enrolments, attendance, assessments, completion days, restitution counts, consent
//! records (purpose, date and text version, no values), audit rows (which never hold values).
//! Every indicator and every report therefore reads the same before and after.
//!
//! Each record whose personal fields changed gets an `erase` in the change feed (without
//! values), so partner copies can erase too.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use super::entity::{Extent, erasure};
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::identity::entity::login_throttle;
use crate::identity::throttle;
use crate::person::{self, Row as PersonRow};
use crate::policy::CallerScope;
use crate::resource::{self, json_text};
use crate::restitution::entity::{evidence, restitution};
use crate::visibility::entity::{deliverable, story, transition};
use crate::{DomainError, idempotency, text};

/// The first name an erased person keeps.
pub const ERASED_FIRST_NAME: &str = "Erased";
/// The last name an erased person keeps.
pub const ERASED_LAST_NAME: &str = "person";
/// What replaces her names in free text, and the description of removed evidence.
pub const ERASED_TEXT: &str = "[erased]";

/// An erasure done: its record, and the files to remove from disk once it is committed.
#[derive(Debug, Clone)]
pub struct Erased {
    /// The record kept of it.
    pub record: erasure::Model,
    /// Files no live record names any more (release them after commit).
    pub files: Vec<String>,
    /// The records whose personal fields changed, as `(type, id)`, the person first.
    pub records: Vec<(crate::changes::ResourceType, Uuid)>,
}

/// Checks the reason of an erasure: 1-500 characters on one line.
pub fn check_reason(reason: &str) -> Result<String, DomainError> {
    text::line(reason, "/reason", 1, 500).map_err(|e| DomainError::Invalid(vec![e]))
}

/// Locks the person, deleted or not, that `scope` may see.
async fn lock_person(tx: &Tx, id: Uuid, scope: &CallerScope) -> Result<PersonRow, DomainError> {
    let row = person::Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?
        .filter(|row| scope.sees(resource::Record::owner(row)))
        .ok_or(DomainError::NotFound("person"))?;
    Ok(row)
}

/// The refusal of a write to an erased person.
pub fn already_erased(erased_at: DateTime<Utc>) -> DomainError {
    DomainError::Refused(Refusal::conflict(
        "person_erased",
        "Person erased",
        format!(
            "this person's identity was erased on {}: nothing can be added to it or erased again",
            erased_at.format("%Y-%m-%d")
        ),
    ))
}

/// Erases `person_id` to `extent`, for `reason`, in `tx`. A person erased whole is refused
/// (409 `person_erased`); a contact erasure of a person without contact data changes nothing
/// but its record.
pub async fn erase(
    tx: &Tx,
    context: &AuditContext,
    person_id: Uuid,
    extent: Extent,
    reason: &str,
    scope: &CallerScope,
) -> Result<Erased, DomainError> {
    let current = lock_person(tx, person_id, scope).await?;
    if let Some(at) = current.erased_at {
        return Err(already_erased(at));
    }
    let reason = check_reason(reason)?;
    let mut hers = names_of(&current);
    hers.extend(current.email.iter().chain(&current.phone).cloned());
    if strip_names(&reason, &hers) != reason {
        return Err(DomainError::Invalid(vec![crate::FieldError::new(
            "/reason",
            "must not hold her name, email or phone: the reason is kept after the erasure",
        )]));
    }
    crate::db::lock_writers(tx).await?;
    let now = Utc::now();
    let mut records = Vec::new();
    let mut files = Vec::new();
    forget_stored_replies(tx, &current).await?;
    let changed = match extent {
        Extent::Contact => current.email.is_some() || current.phone.is_some(),
        Extent::Whole => true,
    };
    if changed {
        resource::erase::<person::Entity>(tx, context, current.clone(), |row| {
            row.email = Set(None);
            row.phone = Set(None);
            if extent == Extent::Whole {
                row.first_name = Set(ERASED_FIRST_NAME.into());
                row.last_name = Set(ERASED_LAST_NAME.into());
                row.role_in_association = Set(None);
                row.languages = Set("[]".into());
                row.erased_at = Set(Some(now));
            }
        })
        .await?;
        records.push((crate::changes::ResourceType::Person, person_id));
    }
    match extent {
        Extent::Whole => {
            erase_restitutions(tx, context, &current, &mut records, &mut files).await?;
            erase_stories(tx, context, &current, now, &mut records).await?;
        }
        Extent::Contact => strip_contacts(tx, context, &current, &mut records).await?,
    }
    let (actor_type, actor_id) = context.actor.parts();
    let record = erasure::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        extent: Set(extent),
        reason: Set(reason),
        erased_at: Set(now),
        actor_type: Set(actor_type),
        actor_id: Set(actor_id),
    }
    .insert(tx)
    .await?;
    // The audit log keeps no values: it points to the erasure's record, which holds the reason.
    crate::audit::record(
        tx,
        context,
        "person_erasure.recorded",
        Some(("person_erasure", record.id.to_string())),
    )
    .await?;
    Ok(Erased {
        record,
        files,
        records,
    })
}

/// Replies kept for idempotent retries that carry her id or her email lose their body (a retry
/// within their 24 hours still gets the status and headers, with `{}`, and is not run twice),
/// and the login throttle of her email goes unless an account uses that email.
async fn forget_stored_replies(tx: &Tx, person: &PersonRow) -> Result<(), DomainError> {
    let mut holds =
        Condition::any().add(idempotency::Column::ResponseBody.like(format!("%{}%", person.id)));
    if let Some(email) = &person.email {
        let pattern = format!("%{}%", crate::association::query::escape_like(email));
        holds = holds.add(
            Expr::col(idempotency::Column::ResponseBody).like(LikeExpr::new(pattern).escape('\\')),
        );
        if crate::identity::user::find_by_email(tx, email)
            .await?
            .is_none()
        {
            login_throttle::Entity::delete_many()
                .filter(login_throttle::Column::Key.eq(throttle::account_key(email)))
                .exec(tx)
                .await?;
        }
    }
    idempotency::Entity::update_many()
        .col_expr(idempotency::Column::ResponseBody, Expr::value("{}"))
        .filter(holds)
        .exec(tx)
        .await?;
    Ok(())
}

/// Restitutions whose facilitators include the person: notes cleared, photos and attendance
/// sheets removed.
async fn erase_restitutions(
    tx: &Tx,
    context: &AuditContext,
    person: &PersonRow,
    records: &mut Vec<(crate::changes::ResourceType, Uuid)>,
    files: &mut Vec<String>,
) -> Result<(), DomainError> {
    let restitutions = super::facilitated_by(tx, person).await?;
    let evidence = super::personal_evidence(tx, &restitutions).await?;
    for row in restitutions {
        let evidence = evidence
            .iter()
            .filter(|e| e.restitution_id == row.id)
            // Items an earlier erasure already cleared.
            .filter(|e| e.deleted_at.is_none() || e.description != ERASED_TEXT)
            .cloned();
        for item in evidence {
            let id = item.id;
            files.extend(item.file_sha256.clone());
            let live = item.deleted_at.is_none();
            let clear = |e: &mut evidence::ActiveModel| {
                e.description = Set(ERASED_TEXT.into());
                e.url = Set(None);
                e.file_name = Set(None);
                e.file_sha256 = Set(None);
            };
            if live {
                // Erased, then removed: partners see the `erase`, then the tombstone.
                resource::erase_and_delete::<evidence::Entity>(tx, context, item, clear).await?;
            } else {
                resource::erase::<evidence::Entity>(tx, context, item, clear).await?;
            }
            records.push((crate::changes::ResourceType::RestitutionEvidence, id));
        }
        if row.notes.is_some() {
            let id = row.id;
            resource::erase::<restitution::Entity>(tx, context, row, |r| {
                r.notes = Set(None);
            })
            .await?;
            records.push((crate::changes::ResourceType::Restitution, id));
        }
    }
    Ok(())
}

/// Stories that name the person: her id, her names and the picture taken out, and a line in
/// the deliverable's history.
async fn erase_stories(
    tx: &Tx,
    context: &AuditContext,
    person: &PersonRow,
    now: DateTime<Utc>,
    records: &mut Vec<(crate::changes::ResourceType, Uuid)>,
) -> Result<(), DomainError> {
    let mut names = names_of(person);
    names.extend(person.email.iter().chain(&person.phone).cloned());
    // A story is public only while everyone it names consents to publication. Without her
    // consent it was hidden; taken out of it, she would no longer hold it back, so such a
    // story is removed rather than stripped.
    let consented = crate::visibility::stories::consenting_people(tx, &[person.id])
        .await?
        .contains(&person.id);
    let stories = super::naming(tx, person).await?;
    let statuses: Vec<(Uuid, crate::visibility::DeliverableStatus)> = deliverable::Entity::find()
        .select_only()
        .column(deliverable::Column::Id)
        .column(deliverable::Column::Status)
        .filter(deliverable::Column::Id.is_in(stories.iter().map(|(s, _)| s.deliverable_id)))
        .into_tuple()
        .all(tx)
        .await?;
    for (row, ids) in stories {
        let others: Vec<Uuid> = ids.into_iter().filter(|id| *id != person.id).collect();
        let (id, deliverable_id) = (row.id, row.deliverable_id);
        let title = strip_json_text(&row.title, &names);
        let body = strip_json_text(&row.body, &names);
        let quote = row.quote.as_deref().map(|q| strip_names(q, &names));
        let live = row.deleted_at.is_none();
        let strip = |s: &mut story::ActiveModel| {
            s.person_ids = Set(json_text(&others));
            s.title = Set(title);
            s.body = Set(body);
            s.quote = Set(quote);
            s.image_url = Set(None);
        };
        let removed = live && !consented;
        if removed {
            resource::erase_and_delete::<story::Entity>(tx, context, row, strip).await?;
        } else {
            resource::erase::<story::Entity>(tx, context, row, strip).await?;
        }
        records.push((crate::changes::ResourceType::DeliverableStory, id));
        let status = statuses
            .iter()
            .find(|(id, _)| *id == deliverable_id)
            .map(|(_, status)| *status)
            .ok_or(DomainError::Internal(
                "a story without its deliverable".into(),
            ))?;
        let (actor_type, actor_id) = context.actor.parts();
        transition::ActiveModel {
            id: Set(Uuid::now_v7()),
            deliverable_id: Set(deliverable_id),
            from_status: Set(status),
            to_status: Set(status),
            comment: Set(Some(if removed {
                format!(
                    "A person named in story {id}, who had not consented to its publication, was erased (GDPR Art. 17): the story was removed."
                )
            } else {
                format!(
                    "A person named in story {id} was erased (GDPR Art. 17): her name, her id and the story's picture were taken out of it."
                )
            })),
            actor_type: Set(actor_type),
            actor_id: Set(actor_id),
            occurred_at: Set(now),
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

/// A contact erasure: her email and phone taken out of the free text of the restitutions she
/// facilitated and of the stories that name her, where they were written.
async fn strip_contacts(
    tx: &Tx,
    context: &AuditContext,
    person: &PersonRow,
    records: &mut Vec<(crate::changes::ResourceType, Uuid)>,
) -> Result<(), DomainError> {
    let contacts: Vec<String> = person.email.iter().chain(&person.phone).cloned().collect();
    if contacts.is_empty() {
        return Ok(());
    }
    for row in super::facilitated_by(tx, person).await? {
        let Some(notes) = row.notes.as_deref().map(|n| strip_names(n, &contacts)) else {
            continue;
        };
        if Some(&notes) != row.notes.as_ref() {
            let id = row.id;
            resource::erase::<restitution::Entity>(tx, context, row, |r| {
                r.notes = Set(Some(notes));
            })
            .await?;
            records.push((crate::changes::ResourceType::Restitution, id));
        }
    }
    for (row, _) in super::naming(tx, person).await? {
        let title = strip_json_text(&row.title, &contacts);
        let body = strip_json_text(&row.body, &contacts);
        let quote = row.quote.as_deref().map(|q| strip_names(q, &contacts));
        if title != row.title || body != row.body || quote != row.quote {
            let id = row.id;
            resource::erase::<story::Entity>(tx, context, row, |s| {
                s.title = Set(title);
                s.body = Set(body);
                s.quote = Set(quote);
            })
            .await?;
            records.push((crate::changes::ResourceType::DeliverableStory, id));
        }
    }
    Ok(())
}

/// The forms of her name to take out of free text, longest first.
fn names_of(person: &PersonRow) -> Vec<String> {
    let (first, last) = (person.first_name.trim(), person.last_name.trim());
    let mut names = vec![
        format!("{first} {last}"),
        format!("{last} {first}"),
        first.to_owned(),
        last.to_owned(),
    ];
    // Each part of a compound name too ("Aïssatou" of "Aïssatou Ndèye").
    names.extend(
        first
            .split([' ', '-'])
            .chain(last.split([' ', '-']))
            .map(str::to_owned),
    );
    names.retain(|n| n.chars().count() >= 2);
    names.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    names.dedup();
    names
}

/// `text` with every whole-word occurrence of `names` (ignoring case) replaced by
/// [`ERASED_TEXT`].
pub fn strip_names(text: &str, names: &[String]) -> String {
    let mut out = text.to_owned();
    for name in names {
        out = replace_word(&out, name);
    }
    out
}

fn replace_word(text: &str, name: &str) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let wanted: Vec<char> = name.chars().collect();
    if wanted.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied_to = 0;
    while i + wanted.len() <= chars.len() {
        let matches = chars[i..i + wanted.len()]
            .iter()
            .zip(&wanted)
            .all(|((_, c), w)| same_letter(*c, *w));
        let before = i.checked_sub(1).map(|b| chars[b].1);
        let after = chars.get(i + wanted.len()).map(|(_, c)| *c);
        let whole =
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric);
        if matches && whole {
            let start = chars[i].0;
            let end = after.map_or(text.len(), |_| chars[i + wanted.len()].0);
            out.push_str(&text[copied_to..start]);
            out.push_str(ERASED_TEXT);
            copied_to = end;
            i += wanted.len();
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied_to..]);
    out
}

/// Whether two characters are the same letter, ignoring case and accents ("É" and "e").
fn same_letter(a: char, b: char) -> bool {
    if a == b {
        return true;
    }
    if a.is_whitespace() || b.is_whitespace() {
        return false;
    }
    let (a, b) = (text::fold(&a.to_string()), text::fold(&b.to_string()));
    !a.is_empty() && a == b
}

/// A localized text (a JSON object of strings) with the names taken out of each language.
fn strip_json_text(stored: &str, names: &[String]) -> String {
    match serde_json::from_str::<serde_json::Value>(stored) {
        Ok(mut value) => {
            let before = value.clone();
            strip_value(&mut value, names);
            // Unchanged, it keeps its stored form (and the story is not written).
            if value == before {
                stored.to_owned()
            } else {
                value.to_string()
            }
        }
        Err(_) => strip_names(stored, names),
    }
}

fn strip_value(value: &mut serde_json::Value, names: &[String]) {
    match value {
        serde_json::Value::String(s) => *s = strip_names(s, names),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| strip_value(v, names)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| strip_value(v, names)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(first: &str, last: &str) -> Vec<String> {
        let mut names = vec![
            format!("{first} {last}"),
            format!("{last} {first}"),
            first.to_owned(),
            last.to_owned(),
        ];
        names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
        names
    }

    #[test]
    fn her_names_leave_free_text_and_other_words_stay() {
        let names = names("Awa", "Diallo");
        assert_eq!(
            strip_names("Awa Diallo a formé 30 femmes; AWA dit: «merci».", &names),
            "[erased] a formé 30 femmes; [erased] dit: «merci»."
        );
        // Part of a longer word is not her name.
        assert_eq!(
            strip_names("Awareness in Dialloville", &names),
            "Awareness in Dialloville"
        );
        assert_eq!(strip_names("Diallo Awa.", &names), "[erased].");
    }

    #[test]
    fn case_and_accents_are_ignored_and_other_scripts_do_not_shift_the_text() {
        let hers = names("Aïssatou", "Ndèye");
        assert_eq!(
            strip_names("İstanbul: AISSATOU et aïssatou, Awareness; NDEYE.", &hers),
            "İstanbul: [erased] et [erased], Awareness; [erased]."
        );
        let hers = names("İpek", "Şahin");
        assert_eq!(strip_names("İpek Şahin, İ É Å", &hers), "[erased], İ É Å");
        assert_eq!(strip_names("", &hers), "");
    }

    #[test]
    fn localized_texts_keep_their_shape() {
        let names = names("Awa", "Diallo");
        let stored = r#"{"en":"Awa Diallo trained 30 women","fr":"Awa a formé 30 femmes"}"#;
        assert_eq!(
            strip_json_text(stored, &names),
            r#"{"en":"[erased] trained 30 women","fr":"[erased] a formé 30 femmes"}"#
        );
    }
}
