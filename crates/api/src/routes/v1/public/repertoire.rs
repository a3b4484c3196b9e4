//! The public repertoire of the associations: only those that consent, only what they consent
//! to show, never their people.

use actix_web::{HttpRequest, HttpResponse, get, web};
use empower_domain::association::{Association, LegalForm, PUBLISHABLE_FIELDS, Region};
use empower_domain::visibility::repertoire::{self, RepertoireFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::extract::{ListQuery, PageParams};
use crate::http::{Caching, ListBody, csv_download, csv_for_excel, prefers};
use crate::problem::{ApiError, parameter_error};
use crate::routes::v1::associations::files::csv::neutralise;
use crate::schema::{CountryCode, SdgNumber};
use crate::state::AppState;

/// Filters of the repertoire: each matches only what an association publishes.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RepertoireQuery {
    /// With this country of origin (an ISO code of `/api/v1/countries`), among associations
    /// that publish their countries of origin.
    #[param(value_type = Option<CountryCode>)]
    pub country: Option<String>,
    /// In this region, among associations that publish their region.
    pub region: Option<Region>,
    /// Tagged with this SDG (1-17), among associations that publish their SDGs.
    #[param(value_type = Option<SdgNumber>)]
    pub sdg: Option<i32>,
    /// In the name (or the acronym, where published), ignoring case and accents; at most 200
    /// characters.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
}

/// An association in the public repertoire: its id and name, and each other field only when
/// it consented to publish it (absent otherwise).
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00", "name": "Femmes Solidaires du Sahel",
    "acronym": "FSS", "city": "Liège", "region": "wallonia", "countries_of_origin": ["BF", "ML"],
    "sdgs": [5, 8], "website": "https://fss.example.org"
}))]
pub struct RepertoireEntry {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Acronym.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acronym: Option<String>,
    /// Legal form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_form: Option<LegalForm>,
    /// Year founded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub founded_year: Option<i32>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// Countries of origin (ISO codes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub countries_of_origin: Option<Vec<String>>,
    /// SDG numbers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdgs: Option<Vec<i32>>,
    /// Thematic areas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thematic_areas: Option<Vec<String>>,
    /// Where it works in its countries of origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervention_regions: Option<String>,
    /// Members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i32>,
    /// Website.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Contact email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Contact phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl From<&Association> for RepertoireEntry {
    fn from(a: &Association) -> Self {
        let r = &a.row;
        let shown = |field: &str| a.publishes(field);
        let mut entry = Self {
            id: r.id,
            name: r.name.clone(),
            ..Self::default()
        };
        if shown("acronym") {
            entry.acronym.clone_from(&r.acronym);
        }
        if shown("legal_form") {
            entry.legal_form = Some(r.legal_form);
        }
        if shown("founded_year") {
            entry.founded_year = r.founded_year;
        }
        if shown("city") {
            entry.city.clone_from(&r.city);
        }
        if shown("region") {
            entry.region = r.region;
        }
        if shown("countries_of_origin") {
            entry.countries_of_origin = Some(a.countries_of_origin.clone());
        }
        if shown("sdgs") {
            entry.sdgs = Some(a.sdgs.clone());
        }
        if shown("thematic_areas") {
            entry.thematic_areas = Some(a.thematic_areas.clone());
        }
        if shown("intervention_regions") {
            entry
                .intervention_regions
                .clone_from(&r.intervention_regions);
        }
        if shown("member_count") {
            entry.member_count = r.member_count;
        }
        if shown("website") {
            entry.website.clone_from(&r.website);
        }
        if shown("email") {
            entry.email.clone_from(&r.contact_email);
        }
        if shown("phone") {
            entry.phone.clone_from(&r.contact_phone);
        }
        entry
    }
}

impl RepertoireEntry {
    /// Its cells, in the order of [`PUBLISHABLE_FIELDS`] after the id: blank when not published.
    fn cells(&self) -> Vec<String> {
        let list =
            |items: &Option<Vec<String>>| items.as_ref().map(|v| v.join("; ")).unwrap_or_default();
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let number = |value: Option<i32>| value.map(|n| n.to_string()).unwrap_or_default();
        vec![
            self.id.to_string(),
            self.name.clone(),
            text(&self.acronym),
            self.legal_form
                .map(|f| {
                    serde_json::to_value(f)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                })
                .unwrap_or_default(),
            number(self.founded_year),
            text(&self.city),
            self.region
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default(),
            list(&self.countries_of_origin),
            self.sdgs
                .as_ref()
                .map(|v| v.iter().map(i32::to_string).collect::<Vec<_>>().join("; "))
                .unwrap_or_default(),
            list(&self.thematic_areas),
            text(&self.intervention_regions),
            number(self.member_count),
            text(&self.website),
            text(&self.email),
            text(&self.phone),
        ]
    }
}

fn repertoire_csv(entries: &[RepertoireEntry]) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["id"];
    header.extend(PUBLISHABLE_FIELDS);
    let fail = |e: csv::Error| ApiError::Internal(format!("csv: {e}"));
    writer.write_record(&header).map_err(fail)?;
    for entry in entries {
        writer
            .write_record(entry.cells().into_iter().map(neutralise))
            .map_err(fail)?;
    }
    csv_for_excel(writer)
}

/// The public repertoire of the associations.
///
/// Every association not `rejected` or `withdrawn` that has granted publication consent, by
/// name, paginated, showing its id and name and only the other fields it consented to
/// publish; never its people. No login. Read live: a consent withdrawn is gone from the next
/// response (and the `ETag` with it). Filters match only published values. With
/// `Accept: text/csv`, every matching association (not paged) as a CSV file that opens in
/// Excel, a column per publishable field, blank where not published.
#[utoipa::path(
    tag = "public",
    operation_id = "list_public_repertoire",
    params(RepertoireQuery, PageParams),
    responses(
        (status = 200, description = "A page of the repertoire, or all of it as CSV", content(
            (ListBody<RepertoireEntry> = "application/json"),
            (String = "text/csv", example = "id,name,acronym,legal_form,founded_year,city,region,countries_of_origin,sdgs,thematic_areas,intervention_regions,member_count,website,email,phone\n0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00,Femmes Solidaires du Sahel,FSS,,,Liège,wallonia,BF; ML,5; 8,,,,https://fss.example.org,,\n"),
        )),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A query parameter is invalid"),
    )
)]
#[get("/public/repertoire")]
pub async fn list_public_repertoire(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<RepertoireQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = &query.filter;
    let filter = RepertoireFilter {
        country: q.country.clone(),
        region: q.region,
        sdg: q.sdg,
        q: q.q.clone(),
    };
    if prefers(&req, "text/csv") {
        let entries: Vec<RepertoireEntry> = repertoire::all(&state.db, &filter)
            .await
            .map_err(parameter_error)?
            .iter()
            .map(RepertoireEntry::from)
            .collect();
        return Ok(csv_download(
            &req,
            repertoire_csv(&entries)?,
            "repertoire.csv",
            Caching::Public,
        ));
    }
    let page = repertoire::list(&state.db, &filter, &query.page)
        .await
        .map_err(parameter_error)?;
    super::page(&req, page.map(|a| RepertoireEntry::from(&a)), None)
}
