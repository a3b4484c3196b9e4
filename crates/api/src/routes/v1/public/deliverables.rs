//! Published deliverables as the public reads them: in the language asked for, with their
//! stories and calendar entries, and only what the associations and people featured consent
//! to; the published calendar of a year also as iCalendar.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use empower_domain::localized::LocalizedText;
use empower_domain::visibility::public::{self, Featured, PublicDeliverable};
use empower_domain::visibility::{DeliverableFilter, DeliverableKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::documents::calendar::{DaysEvent, render_days};
use crate::extract::{ListQuery, PageParams, Params};
use crate::http::{ListBody, prefers};
use crate::language::{Lang, Localizer, Wanted};
use crate::problem::ApiError;
use crate::state::AppState;

/// The language of a public answer.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// `fr`, `nl` or `en` (overrides `Accept-Language`), or `all` for every language a text
    /// has. Without it, `Accept-Language` chooses (q-values honoured); without either, every
    /// language is shown.
    #[param(inline)]
    pub lang: Option<Lang>,
}

/// Filters of the published deliverables.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PublicDeliverableQuery {
    /// Only of this kind.
    pub kind: Option<DeliverableKind>,
    /// Only calendars of this year (2000-2100).
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// `fr`, `nl`, `en` or `all` (see `Accept-Language`).
    #[param(inline)]
    pub lang: Option<Lang>,
}

/// An association featured, as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeaturedAssociation {
    /// Id (its entry in `/api/v1/public/repertoire` while it takes part in the programme).
    pub id: Uuid,
    /// Name.
    pub name: String,
}

impl From<Featured> for FeaturedAssociation {
    fn from(f: Featured) -> Self {
        Self {
            id: f.id,
            name: f.name,
        }
    }
}

/// A published success story: its texts, never the people it names.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStory {
    /// Id.
    pub id: Uuid,
    /// The association it is about.
    pub association: FeaturedAssociation,
    /// Title.
    pub title: LocalizedText,
    /// The story.
    pub body: LocalizedText,
    /// The country of origin the action benefits.
    pub country: String,
    /// SDG numbers.
    pub sdgs: Vec<i32>,
    /// A quote.
    #[schema(required = true)]
    pub quote: Option<String>,
    /// A picture.
    #[schema(required = true)]
    pub image_url: Option<String>,
}

/// A month of a published calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCalendarEntry {
    /// Id.
    pub id: Uuid,
    /// The month, 1-12.
    pub month: i32,
    /// The association featured.
    pub association: FeaturedAssociation,
    /// Headline.
    pub headline: LocalizedText,
    /// Caption.
    pub caption: LocalizedText,
    /// The month's picture.
    #[schema(required = true)]
    pub image_url: Option<String>,
}

/// A published deliverable. Texts are objects keyed by language: one language each when a
/// language was asked for (`Content-Language` says which were used), every language with
/// `lang=all`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "kind": "brief",
    "title": {"fr": "Femmes de la diaspora, actrices du développement"},
    "summary": {"fr": "Quatre histoires d'associations."}, "languages": ["fr", "nl", "en"],
    "published_on": "2027-03-08", "document_url": "https://example.org/brief-1.pdf",
    "sdgs": [5], "year": null, "featured_associations": [],
    "stories": [{"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d90",
        "association": {"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00", "name": "Femmes Solidaires du Sahel"},
        "title": {"fr": "Une coopérative de karité à Kaya"}, "body": {"fr": "Après la formation..."},
        "country": "BF", "sdgs": [5, 8], "quote": null, "image_url": null}],
    "calendar_entries": []
}))]
pub struct PublicDeliverableView {
    /// Id.
    pub id: Uuid,
    /// What it is.
    pub kind: DeliverableKind,
    /// Title.
    pub title: LocalizedText,
    /// Summary.
    pub summary: LocalizedText,
    /// Languages it is produced in.
    pub languages: Vec<String>,
    /// When it was published.
    #[schema(required = true)]
    pub published_on: Option<NaiveDate>,
    /// Where the document is.
    #[schema(required = true)]
    pub document_url: Option<String>,
    /// SDG numbers.
    pub sdgs: Vec<i32>,
    /// The year of a calendar.
    #[schema(required = true)]
    pub year: Option<i32>,
    /// The associations it features (those that consent to publication).
    pub featured_associations: Vec<FeaturedAssociation>,
    /// A brief's stories (those whose association and people consent).
    pub stories: Vec<PublicStory>,
    /// A calendar's months, in order (those whose association consents).
    pub calendar_entries: Vec<PublicCalendarEntry>,
}

fn view(found: PublicDeliverable, texts: &mut Localizer) -> PublicDeliverableView {
    let d = found.deliverable;
    PublicDeliverableView {
        id: d.row.id,
        kind: d.row.kind,
        title: texts.text(d.title),
        summary: texts.text(d.summary),
        languages: d.languages,
        published_on: d.row.published_on,
        document_url: d.row.document_url,
        sdgs: d.sdgs,
        year: d.row.year,
        featured_associations: found.featured.into_iter().map(Into::into).collect(),
        stories: found
            .stories
            .into_iter()
            .map(|(s, association)| PublicStory {
                id: s.row.id,
                association: association.into(),
                title: texts.text(s.title),
                body: texts.text(s.body),
                country: s.row.country,
                sdgs: s.sdgs,
                quote: s.row.quote,
                image_url: s.row.image_url,
            })
            .collect(),
        calendar_entries: found
            .entries
            .into_iter()
            .map(|(e, association)| PublicCalendarEntry {
                id: e.row.id,
                month: e.row.month,
                association: association.into(),
                headline: texts.text(e.headline),
                caption: texts.text(e.caption),
                image_url: e.row.image_url,
            })
            .collect(),
    }
}

fn localizer(req: &HttpRequest, lang: Option<Lang>) -> Localizer {
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Localizer::new(Wanted::negotiate(lang, accept))
}

/// List the published deliverables.
///
/// No login. Oldest first, paginated, each with its stories and calendar entries, showing
/// only the associations that consent to publication and the stories whose association and
/// people consent (people themselves are never shown). Texts in the language asked for by
/// `lang` or `Accept-Language` (with q-values), falling back to a language the text has;
/// `Content-Language` names the languages used.
#[utoipa::path(
    tag = "public",
    operation_id = "list_public_deliverables",
    params(PublicDeliverableQuery, PageParams,
        ("Accept-Language" = Option<String>, Header, nullable = false, description = "Languages wanted, such as `nl-BE, fr;q=0.8`")),
    responses(
        (status = 200, description = "A page of published deliverables", body = ListBody<PublicDeliverableView>,
            headers(("Content-Language" = String, description = "The languages of the texts shown, such as `fr` or `en, fr`"))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A query parameter is invalid"),
    )
)]
#[get("/public/deliverables")]
pub async fn list_public_deliverables(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<PublicDeliverableQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = DeliverableFilter {
        kind: query.filter.kind,
        status: None,
        year: query.filter.year,
    };
    let page = public::list(&state.db, &filter, &query.page).await?;
    let mut texts = localizer(&req, query.filter.lang);
    let page = page.map(|d| view(d, &mut texts));
    super::page(&req, page, texts.content_language())
}

/// Read a published deliverable.
///
/// No login. As in the list; a deliverable not published is 404.
#[utoipa::path(
    tag = "public",
    operation_id = "get_public_deliverable",
    params(("id" = Uuid, Path, description = "The deliverable's id"), LangQuery,
        ("Accept-Language" = Option<String>, Header, nullable = false, description = "Languages wanted, such as `nl-BE, fr;q=0.8`")),
    responses(
        (status = 200, description = "The deliverable", body = PublicDeliverableView,
            headers(("Content-Language" = String, description = "The languages of the texts shown"))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such published deliverable"),
    )
)]
#[get("/public/deliverables/{id}")]
pub async fn get_public_deliverable(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: Params<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = public::get(&state.db, *id).await?;
    let mut texts = localizer(&req, query.0.lang);
    let body = view(found, &mut texts);
    super::json(&req, &body, texts.content_language())
}

fn month_bounds(year: i32, month: i32) -> Option<(NaiveDate, NaiveDate)> {
    let month = u32::try_from(month).ok()?;
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let end = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    Some((first, end))
}

/// The published calendar of a year.
///
/// No login. As JSON (a published deliverable), or with `Accept: text/calendar` as an RFC 5545
/// iCalendar file: one all-month event per entry (from the first of the month to the first of
/// the next), its headline as the summary and its caption and association as the description,
/// in the language asked for. 404 when no calendar of that year is published.
#[utoipa::path(
    tag = "public",
    operation_id = "get_public_calendar",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100, description = "The year"), LangQuery,
        ("Accept-Language" = Option<String>, Header, nullable = false, description = "Languages wanted, such as `nl-BE, fr;q=0.8`")),
    responses(
        (status = 200, description = "The calendar", content(
            (PublicDeliverableView = "application/json"),
            (String = "text/calendar", example = "BEGIN:VCALENDAR\r\nPRODID:-//Empower//Published calendar//EN\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d91@empower\r\nDTSTART;VALUE=DATE:20270301\r\nDTEND;VALUE=DATE:20270401\r\nSUMMARY:March: the women of Kaya\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
        ), headers(("Content-Language" = String, description = "The languages of the texts shown"))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "The year is not 2000-2100"),
        (status = 404, description = "No calendar of that year is published"),
    )
)]
#[get("/public/calendar/{year}")]
pub async fn get_public_calendar(
    req: HttpRequest,
    state: web::Data<AppState>,
    year: web::Path<i32>,
    query: Params<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = public::calendar(&state.db, *year).await?;
    if !prefers(&req, "text/calendar") {
        let mut texts = localizer(&req, query.0.lang);
        let body = view(found, &mut texts);
        return super::json(&req, &body, texts.content_language());
    }
    // One language per text: a calendar app shows one summary per event.
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let mut texts = Localizer::new(Wanted::negotiate(query.0.lang, accept).one_each());
    let year = found.deliverable.row.year.unwrap_or(*year);
    let name = texts.text(found.deliverable.title.clone());
    let events: Vec<DaysEvent> = found
        .entries
        .into_iter()
        .filter_map(|(e, association)| {
            let (first, end) = month_bounds(year, e.row.month)?;
            let headline = texts.text(e.headline);
            let caption = texts.text(e.caption);
            Some(DaysEvent {
                id: e.row.id,
                sequence: u32::try_from(e.row.version - 1).unwrap_or_default(),
                first,
                end,
                summary: headline.best().to_owned(),
                description: Some(format!("{}\n\n{}", caption.best(), association.name)),
                updated_at: e.row.updated_at,
            })
        })
        .collect();
    let text = render_days(name.best(), &events);
    Ok(super::answer(
        &req,
        text.into_bytes(),
        "text/calendar; charset=utf-8",
        texts.content_language(),
        None,
    ))
}
