//! The rules of visibility deliverables that need nothing but the values sent: the workflow,
//! the fields of a deliverable, a story, a calendar entry and a dissemination record, and what
//! publishing needs. Plain functions over plain values.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use uuid::Uuid;

use super::entity::{DeliverableKind, DeliverableStatus};
use crate::localized::LocalizedText;
use crate::{FieldError, text, time};

mod parts;

pub use self::parts::{
    DisseminationInput, EntryInput, StoryInput, check_dissemination, check_entry, check_story,
};

/// Most associations one deliverable features.
pub const MAX_FEATURED: usize = 50;
/// Most people one story names.
pub const MAX_PEOPLE: usize = 10;
/// Most languages a deliverable is produced in.
pub const MAX_LANGUAGES: usize = 10;
/// Longest title or headline.
pub const TITLE_MAX: usize = 200;
/// Longest summary or story body.
pub const TEXT_MAX: usize = 4000;
/// Longest calendar caption.
pub const CAPTION_MAX: usize = 1000;
/// Longest quote.
pub const QUOTE_MAX: usize = 500;
/// Longest address of a document or a picture.
pub const URL_MAX: usize = 300;
/// Most copies or people one dissemination counts.
pub const MAX_COUNT: i64 = 100_000_000;
/// Calendar years accepted.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

impl DeliverableStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Approved => "approved",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    /// Where a deliverable may go from here: `draft → in_review → approved → published →
    /// archived`, and `in_review → draft` when changes are requested.
    pub fn allowed_next(self) -> &'static [Self] {
        match self {
            Self::Draft => &[Self::InReview],
            Self::InReview => &[Self::Approved, Self::Draft],
            Self::Approved => &[Self::Published],
            Self::Published => &[Self::Archived],
            Self::Archived => &[],
        }
    }

    /// Whether its content (fields, stories, calendar entries) may change: while a draft.
    pub fn editable(self) -> bool {
        self == Self::Draft
    }

    /// Whether it has been published (and may have been spread).
    pub fn is_public(self) -> bool {
        matches!(self, Self::Published | Self::Archived)
    }
}

impl DeliverableKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Repertoire => "repertoire",
            Self::Brief => "brief",
            Self::Calendar => "calendar",
            Self::Other => "other",
        }
    }
}

/// An optional `https` address of at most 300 characters, blank being absent.
pub fn https(url: Option<&str>, pointer: &str) -> Result<Option<String>, FieldError> {
    text::optional(url, pointer, URL_MAX, |u| text::https(u, pointer))
}

/// SDG numbers 1-17, no repeats; returned sorted.
pub fn sdgs(values: &[i32], pointer: &str, errors: &mut Vec<FieldError>) -> Vec<i32> {
    if values.len() > 17 {
        errors.push(FieldError::new(pointer, "must list at most 17 SDGs"));
        return vec![];
    }
    let mut seen = BTreeSet::new();
    for (i, sdg) in values.iter().enumerate() {
        if !(1..=17).contains(sdg) {
            errors.push(FieldError::new(
                format!("{pointer}/{i}"),
                "must be an SDG number, 1 to 17",
            ));
        } else if !seen.insert(*sdg) {
            errors.push(FieldError::new(format!("{pointer}/{i}"), "is listed twice"));
        }
    }
    seen.into_iter().collect()
}

/// At most `max` ids, no repeats.
pub fn ids(values: &[Uuid], pointer: &str, max: usize, errors: &mut Vec<FieldError>) -> Vec<Uuid> {
    crate::resource::unique_ids(errors, values, pointer, (0, max))
}

fn localized(
    value: &LocalizedText,
    pointer: &str,
    max: usize,
    paragraph: bool,
    errors: &mut Vec<FieldError>,
) -> LocalizedText {
    value.check(pointer, max, paragraph).unwrap_or_else(|e| {
        errors.extend(e);
        LocalizedText::default()
    })
}

fn date(day: Option<NaiveDate>, pointer: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    day.and_then(|d| text::collect(errors, time::check_date(d, pointer)))
}

fn done<T>(value: T, errors: Vec<FieldError>) -> Result<T, Vec<FieldError>> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(errors)
    }
}

/// A deliverable's writable fields, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverableInput {
    /// What it is (fixed once created).
    pub kind: DeliverableKind,
    /// Title, 1-200 characters in each language given.
    pub title: LocalizedText,
    /// Summary, at most 4000 characters in each language given.
    pub summary: LocalizedText,
    /// Language codes it is produced in.
    pub languages: Vec<String>,
    /// When it is planned to appear.
    pub planned_on: Option<NaiveDate>,
    /// Where the document is (`https`).
    pub document_url: Option<String>,
    /// Associations it features.
    pub featured_association_ids: Vec<Uuid>,
    /// SDG numbers.
    pub sdgs: Vec<i32>,
    /// The year, for a calendar (and only for one).
    pub year: Option<i32>,
}

/// Checks a deliverable's fields, reporting every problem at once.
pub fn check_deliverable(input: &DeliverableInput) -> Result<DeliverableInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = localized(&input.title, "/title", TITLE_MAX, false, &mut errors);
    let summary = localized(&input.summary, "/summary", TEXT_MAX, true, &mut errors);
    let mut languages = Vec::new();
    if input.languages.len() > MAX_LANGUAGES {
        errors.push(FieldError::new(
            "/languages",
            format!("must list at most {MAX_LANGUAGES} languages"),
        ));
    } else {
        for (i, code) in input.languages.iter().enumerate() {
            let pointer = format!("/languages/{i}");
            match text::collect(&mut errors, text::language_code(code, &pointer)) {
                Some(code) if languages.contains(&code) => {
                    errors.push(FieldError::new(pointer, "is listed twice"));
                }
                Some(code) => languages.push(code),
                None => {}
            }
        }
    }
    let planned_on = date(input.planned_on, "/planned_on", &mut errors);
    let document_url = text::collect(
        &mut errors,
        https(input.document_url.as_deref(), "/document_url"),
    )
    .flatten();
    let featured_association_ids = ids(
        &input.featured_association_ids,
        "/featured_association_ids",
        MAX_FEATURED,
        &mut errors,
    );
    let sdgs = sdgs(&input.sdgs, "/sdgs", &mut errors);
    match (input.kind, input.year) {
        (DeliverableKind::Calendar, None) => {
            errors.push(FieldError::new("/year", "is required for a calendar"));
        }
        (DeliverableKind::Calendar, Some(year)) if !YEARS.contains(&year) => {
            errors.push(FieldError::new("/year", "must be a year from 2000 to 2100"));
        }
        (kind, Some(_)) if kind != DeliverableKind::Calendar => {
            errors.push(FieldError::new("/year", "is only for a calendar"));
        }
        _ => {}
    }
    done(
        DeliverableInput {
            kind: input.kind,
            title,
            summary,
            languages,
            planned_on,
            document_url,
            featured_association_ids,
            sdgs,
            year: input.year,
        },
        errors,
    )
}

/// What is known about a deliverable when it is to be published.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishFacts {
    /// Live stories (id, people named, each with whether she currently consents).
    pub stories: Vec<(Uuid, Vec<(Uuid, bool)>)>,
    /// Months of the live calendar entries.
    pub months: Vec<i32>,
    /// Every association featured (by the deliverable, a story or an entry), where, and
    /// whether it currently consents to publication.
    pub featured: Vec<(String, Uuid, bool)>,
}

/// Why a deliverable cannot be published yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishGap {
    /// Stable code.
    pub code: &'static str,
    /// Stable title.
    pub title: &'static str,
    /// Each thing at fault.
    pub errors: Vec<FieldError>,
}

/// The first publishing check that fails, in order: a brief's stories, the consent of the
/// people they name, a calendar's twelve months, the consent of every association featured.
pub fn publish_gap(kind: DeliverableKind, facts: &PublishFacts) -> Option<PublishGap> {
    if kind == DeliverableKind::Brief {
        if facts.stories.is_empty() {
            return Some(PublishGap {
                code: "brief_without_stories",
                title: "Brief without stories",
                errors: vec![FieldError::new(
                    "/stories",
                    "a brief needs at least one story to be published",
                )],
            });
        }
        let errors: Vec<FieldError> =
            facts
                .stories
                .iter()
                .flat_map(|(story, people)| {
                    people.iter().enumerate().filter(|(_, (_, ok))| !ok).map(
                        move |(i, (person, _))| {
                            FieldError::new(
                                format!("/stories/{story}/person_ids/{i}"),
                                format!("person {person} has no current publication consent"),
                            )
                        },
                    )
                })
                .collect();
        if !errors.is_empty() {
            return Some(PublishGap {
                code: "person_consent_missing",
                title: "Publication consent missing for a person",
                errors,
            });
        }
    }
    if kind == DeliverableKind::Calendar {
        let missing: Vec<String> = (1..=12)
            .filter(|m| !facts.months.contains(m))
            .map(|m| m.to_string())
            .collect();
        if !missing.is_empty() {
            return Some(PublishGap {
                code: "calendar_incomplete",
                title: "Calendar incomplete",
                errors: vec![FieldError::new(
                    "/calendar_entries",
                    format!(
                        "a calendar needs one entry for each month; missing: {}",
                        missing.join(", ")
                    ),
                )],
            });
        }
    }
    let errors: Vec<FieldError> = facts
        .featured
        .iter()
        .filter(|(_, _, ok)| !ok)
        .map(|(pointer, id, _)| {
            FieldError::new(
                pointer.clone(),
                format!("association {id} has not granted publication consent"),
            )
        })
        .collect();
    if !errors.is_empty() {
        return Some(PublishGap {
            code: "association_consent_missing",
            title: "Publication consent missing for an association",
            errors,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(en: &str) -> LocalizedText {
        LocalizedText {
            en: Some(en.into()),
            ..Default::default()
        }
    }

    fn deliverable(kind: DeliverableKind) -> DeliverableInput {
        DeliverableInput {
            kind,
            title: text("Brief 1"),
            summary: text("Stories"),
            languages: vec!["FR".into(), "en".into()],
            planned_on: None,
            document_url: None,
            featured_association_ids: vec![],
            sdgs: vec![5, 1],
            year: None,
        }
    }

    #[test]
    fn the_workflow_moves_forward_and_back_to_draft_only_from_review() {
        use DeliverableStatus::*;
        assert_eq!(Draft.allowed_next(), [InReview]);
        assert_eq!(InReview.allowed_next(), [Approved, Draft]);
        assert_eq!(Approved.allowed_next(), [Published]);
        assert_eq!(Published.allowed_next(), [Archived]);
        assert!(Archived.allowed_next().is_empty());
        assert!(Draft.editable() && !InReview.editable() && !Published.editable());
    }

    #[test]
    fn a_deliverable_is_normalised_and_its_year_belongs_to_calendars() {
        let ok = check_deliverable(&deliverable(DeliverableKind::Brief)).expect("valid");
        assert_eq!(ok.languages, ["fr", "en"]);
        assert_eq!(ok.sdgs, [1, 5]);
        let no_year = check_deliverable(&deliverable(DeliverableKind::Calendar));
        assert_eq!(no_year.expect_err("year")[0].pointer, "/year");
        let stray = DeliverableInput {
            year: Some(2027),
            ..deliverable(DeliverableKind::Brief)
        };
        assert_eq!(
            check_deliverable(&stray).expect_err("stray")[0].pointer,
            "/year"
        );
        let bad = DeliverableInput {
            document_url: Some("http://example.org".into()),
            sdgs: vec![18, 3, 3],
            languages: vec!["french".into()],
            featured_association_ids: vec![Uuid::nil(), Uuid::nil()],
            ..deliverable(DeliverableKind::Other)
        };
        let pointers: Vec<String> = check_deliverable(&bad)
            .expect_err("bad")
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(
            pointers,
            [
                "/languages/0",
                "/document_url",
                "/featured_association_ids/1",
                "/sdgs/0",
                "/sdgs/2"
            ]
        );
    }

    #[test]
    fn publishing_checks_come_in_order_each_with_its_code() {
        let code = |kind, facts: &PublishFacts| publish_gap(kind, facts).map(|g| g.code);
        let mut facts = PublishFacts::default();
        assert_eq!(
            code(DeliverableKind::Brief, &facts),
            Some("brief_without_stories")
        );
        let (story, person) = (Uuid::now_v7(), Uuid::now_v7());
        facts.stories = vec![(story, vec![(person, false)])];
        let gap = publish_gap(DeliverableKind::Brief, &facts).expect("gap");
        assert_eq!(gap.code, "person_consent_missing");
        assert_eq!(
            gap.errors[0].pointer,
            format!("/stories/{story}/person_ids/0")
        );
        facts.stories = vec![(story, vec![(person, true)])];
        assert_eq!(code(DeliverableKind::Brief, &facts), None);
        facts.months = (1..=11).collect();
        assert_eq!(
            code(DeliverableKind::Calendar, &facts),
            Some("calendar_incomplete")
        );
        facts.months.push(12);
        assert_eq!(code(DeliverableKind::Calendar, &facts), None);
        facts.featured = vec![("/featured_association_ids/0".into(), Uuid::nil(), false)];
        assert_eq!(
            code(DeliverableKind::Repertoire, &facts),
            Some("association_consent_missing")
        );
    }
}
