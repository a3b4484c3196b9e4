//! Reference data, public: countries (with the donor's priority list) and the 17 SDGs.

use actix_web::{HttpRequest, HttpResponse, get, web};
use empower_domain::reference::{country, sdg};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::LocalizedText;
use crate::extract::{ListQuery, NoParams, NoQuery, PageParams};
use crate::http::{Caching, ListBody, json_with_etag, page_response};
use crate::problem::ApiError;
use crate::state::AppState;

/// Registers the reference-data operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_countries)
        .service(get_country)
        .service(list_sdgs)
        .service(get_sdg);
}

/// A country (ISO 3166-1).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "SN", "name": {"en": "Senegal", "fr": "Sénégal"}, "priority": true}))]
pub struct Country {
    /// ISO 3166-1 alpha-2 code.
    #[schema(pattern = "^[A-Z]{2}$", example = "SN")]
    pub code: String,
    /// Short name in English and French.
    pub name: LocalizedText,
    /// On the donor's list of 14 priority countries of origin.
    pub priority: bool,
}

impl From<country::Model> for Country {
    fn from(c: country::Model) -> Self {
        Self {
            code: c.code,
            name: LocalizedText::en_fr(c.name_en, c.name_fr),
            priority: c.priority,
        }
    }
}

/// Filters of the country list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CountryFilter {
    /// `true`: only the donor's priority countries; `false`: only the others.
    pub priority: Option<bool>,
}

/// List countries.
///
/// All ISO 3166-1 countries, ordered by code, paginated. `priority=true` gives the donor's 14
/// priority countries of origin.
#[utoipa::path(
    tag = "reference",
    operation_id = "list_countries",
    params(PageParams, CountryFilter),
    responses(
        (status = 200, description = "A page of countries", body = ListBody<Country>,
         headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page")),
         example = json!({"items": [{"code": "BF", "name": {"en": "Burkina Faso", "fr": "Burkina Faso"}, "priority": true}], "next_cursor": "WyJCRiJd"})),
    )
)]
#[get("/countries")]
pub async fn list_countries(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<CountryFilter>,
) -> Result<HttpResponse, ApiError> {
    let filter = country::CountryFilter {
        priority: query.filter.priority,
    };
    let page = country::list(&state.db, &filter, &query.page).await?;
    Ok(page_response(
        &req,
        page.map(Country::from),
        Caching::Allowed,
    ))
}

/// Read a country.
///
/// One country by its ISO 3166-1 alpha-2 code (case-insensitive). Answers `304` to an
/// `If-None-Match` that matches its `ETag`.
#[utoipa::path(
    tag = "reference",
    operation_id = "get_country",
    params(
        ("code" = String, Path, description = "ISO 3166-1 alpha-2 code", example = "SN", max_length = 2),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier response"),
    ),
    responses(
        (status = 200, description = "The country", body = Country,
         headers(("ETag" = String, description = "Changes when the country changes"))),
        (status = 304, description = "Not modified since the given ETag"),
        (status = 404, description = "No country has this code"),
    )
)]
#[get("/countries/{code}")]
pub async fn get_country(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let country = country::get(&state.db, &code).await?;
    Ok(json_with_etag(
        &req,
        &Country::from(country),
        None,
        Caching::Allowed,
    ))
}

/// A Sustainable Development Goal.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"number": 5, "title": {"en": "Gender equality", "fr": "Égalité entre les sexes"}}))]
pub struct Sdg {
    /// Goal number, 1 to 17.
    #[schema(minimum = 1, maximum = 17)]
    pub number: i32,
    /// Short title in English and French.
    pub title: LocalizedText,
}

impl From<sdg::Model> for Sdg {
    fn from(s: sdg::Model) -> Self {
        Self {
            number: s.number,
            title: LocalizedText::en_fr(s.title_en, s.title_fr),
        }
    }
}

/// List the SDGs.
///
/// The 17 Sustainable Development Goals with their short titles, by number, paginated.
#[utoipa::path(
    tag = "reference",
    operation_id = "list_sdgs",
    params(PageParams),
    responses(
        (status = 200, description = "A page of SDGs", body = ListBody<Sdg>,
         headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page")),
         example = json!({"items": [{"number": 1, "title": {"en": "No poverty", "fr": "Pas de pauvreté"}}]})),
    )
)]
#[get("/sdgs")]
pub async fn list_sdgs(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = sdg::list(&state.db, &query.page).await?;
    Ok(page_response(&req, page.map(Sdg::from), Caching::Allowed))
}

/// Read an SDG.
///
/// One goal by number. Answers `304` to an `If-None-Match` that matches its `ETag`.
#[utoipa::path(
    tag = "reference",
    operation_id = "get_sdg",
    params(
        ("number" = i32, Path, description = "Goal number", example = 5, minimum = 1, maximum = 17),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier response"),
    ),
    responses(
        (status = 200, description = "The goal", body = Sdg,
         headers(("ETag" = String, description = "Changes when the goal changes"))),
        (status = 304, description = "Not modified since the given ETag"),
        (status = 404, description = "No goal has this number"),
    )
)]
#[get("/sdgs/{number}")]
pub async fn get_sdg(
    req: HttpRequest,
    state: web::Data<AppState>,
    number: web::Path<i32>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let goal = sdg::get(&state.db, *number).await?;
    Ok(json_with_etag(
        &req,
        &Sdg::from(goal),
        None,
        Caching::Allowed,
    ))
}
