//! The programme's results as the public sees them.

use actix_web::{HttpRequest, HttpResponse, get, web};
use empower_domain::results::public::{self, PublicResults};

use crate::extract::NoQuery;
use crate::problem::ApiError;
use crate::state::AppState;

/// The programme's results to date.
///
/// The results framework with each indicator's baseline, target, value to date (everything up
/// to today, Brussels time) and progress, and breakdowns by country, region, module and sex
/// (counts only). No personal data, and no one can be singled out: a breakdown cell from 1 to
/// 4 is suppressed (value null, shown as `"<5"`), and when a single cell is suppressed, so
/// that the published total would give it back by subtraction, the next smallest cell is
/// suppressed too (shown as `"x"`). No login; cacheable for a minute. Computed once per change
/// of the data (and day): the server keeps the last answer until a write or midnight.
#[utoipa::path(
    tag = "public",
    operation_id = "get_public_results",
    responses(
        (status = 200, description = "The results", body = PublicResults),
        (status = 304, description = "Not modified"),
    )
)]
#[get("/public/results")]
pub async fn get_public_results(
    req: HttpRequest,
    state: web::Data<AppState>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let db = &state.db;
    let body = state
        .public_results
        .get_or_compute(db, (), |today| async move {
            let results: PublicResults = public::results(db, today).await?;
            serde_json::to_vec(&results).map_err(|e| ApiError::Internal(format!("json: {e}")))
        })
        .await?;
    Ok(super::answer(&req, body, "application/json", None, None))
}
