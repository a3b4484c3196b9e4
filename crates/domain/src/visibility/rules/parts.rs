//! The fields of a deliverable's parts: a story, a calendar entry, a dissemination record.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{
    CAPTION_MAX, MAX_COUNT, MAX_PEOPLE, QUOTE_MAX, TEXT_MAX, TITLE_MAX, done, https, ids,
    localized, sdgs,
};
use crate::localized::LocalizedText;
use crate::visibility::entity::Channel;
use crate::{FieldError, text, time};

/// A story's writable fields, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryInput {
    /// The association it is about (fixed once created).
    pub association_id: Uuid,
    /// Title, 1-200 characters in each language given.
    pub title: LocalizedText,
    /// The story, at most 4000 characters in each language given.
    pub body: LocalizedText,
    /// People of the association named in it (0-10).
    pub person_ids: Vec<Uuid>,
    /// The country of origin the action benefits.
    pub country: String,
    /// SDG numbers.
    pub sdgs: Vec<i32>,
    /// A quote, at most 500 characters.
    pub quote: Option<String>,
    /// A picture (`https`).
    pub image_url: Option<String>,
}

/// Checks a story's fields (the country's existence and the people are checked against the
/// data).
pub fn check_story(input: &StoryInput) -> Result<StoryInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = localized(&input.title, "/title", TITLE_MAX, false, &mut errors);
    let body = localized(&input.body, "/body", TEXT_MAX, true, &mut errors);
    let person_ids = ids(&input.person_ids, "/person_ids", MAX_PEOPLE, &mut errors);
    let country = input.country.trim().to_ascii_uppercase();
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
        errors.push(FieldError::new(
            "/country",
            "must be an ISO 3166-1 alpha-2 code of /api/v1/countries",
        ));
    }
    let sdgs = sdgs(&input.sdgs, "/sdgs", &mut errors);
    let quote = text::collect(
        &mut errors,
        text::optional_paragraph(input.quote.as_deref(), "/quote", QUOTE_MAX),
    )
    .flatten();
    let image_url =
        text::collect(&mut errors, https(input.image_url.as_deref(), "/image_url")).flatten();
    done(
        StoryInput {
            association_id: input.association_id,
            title,
            body,
            person_ids,
            country,
            sdgs,
            quote,
            image_url,
        },
        errors,
    )
}

/// A calendar entry's writable fields, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInput {
    /// 1-12.
    pub month: i32,
    /// The association featured (fixed once created).
    pub association_id: Uuid,
    /// Headline, 1-200 characters in each language given.
    pub headline: LocalizedText,
    /// Caption, at most 1000 characters in each language given.
    pub caption: LocalizedText,
    /// The month's picture (`https`).
    pub image_url: Option<String>,
}

/// Checks a calendar entry's fields.
pub fn check_entry(input: &EntryInput) -> Result<EntryInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    if !(1..=12).contains(&input.month) {
        errors.push(FieldError::new("/month", "must be a month, 1 to 12"));
    }
    let headline = localized(&input.headline, "/headline", TITLE_MAX, false, &mut errors);
    let caption = localized(&input.caption, "/caption", CAPTION_MAX, true, &mut errors);
    let image_url =
        text::collect(&mut errors, https(input.image_url.as_deref(), "/image_url")).flatten();
    done(
        EntryInput {
            month: input.month,
            association_id: input.association_id,
            headline,
            caption,
            image_url,
        },
        errors,
    )
}

/// A dissemination record's writable fields, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisseminationInput {
    /// When.
    pub date: NaiveDate,
    /// How.
    pub channel: Channel,
    /// To whom, 1-200 characters.
    pub audience: String,
    /// Copies handed out or sent, at least 0.
    pub copies: i64,
    /// People reached, when known, at least 0.
    pub reach: Option<i64>,
    /// Free notes, at most 2000 characters.
    pub notes: Option<String>,
}

/// Checks a dissemination record's fields.
pub fn check_dissemination(
    input: &DisseminationInput,
) -> Result<DisseminationInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let date = text::collect(&mut errors, time::check_date(input.date, "/date"));
    let audience = text::collect(
        &mut errors,
        text::line(&input.audience, "/audience", 1, 200),
    );
    for (pointer, value) in [("/copies", Some(input.copies)), ("/reach", input.reach)] {
        if value.is_some_and(|v| !(0..=MAX_COUNT).contains(&v)) {
            errors.push(FieldError::new(
                pointer,
                format!("must be from 0 to {MAX_COUNT}"),
            ));
        }
    }
    let notes = text::collect(
        &mut errors,
        text::optional_paragraph(input.notes.as_deref(), "/notes", 2000),
    )
    .flatten();
    done(
        DisseminationInput {
            date: date.unwrap_or(input.date),
            channel: input.channel,
            audience: audience.unwrap_or_default(),
            copies: input.copies,
            reach: input.reach,
            notes,
        },
        errors,
    )
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

    #[test]
    fn entries_and_disseminations_have_ranges() {
        let entry = EntryInput {
            month: 13,
            association_id: Uuid::nil(),
            headline: text("March"),
            caption: LocalizedText::default(),
            image_url: Some("https://example.org/a.jpg".into()),
        };
        let pointers: Vec<String> = check_entry(&entry)
            .expect_err("bad")
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(pointers, ["/month", "/caption"]);
        let record = DisseminationInput {
            date: NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
            channel: Channel::Print,
            audience: " Partners ".into(),
            copies: -1,
            reach: Some(MAX_COUNT + 1),
            notes: None,
        };
        let pointers: Vec<String> = check_dissemination(&record)
            .expect_err("bad")
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(pointers, ["/copies", "/reach"]);
    }
}
