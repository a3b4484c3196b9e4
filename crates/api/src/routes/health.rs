//! Liveness and readiness probes, outside the versioned API.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::ApiError;
use crate::state::AppState;

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct HealthStatus {
    /// Always `ok` on success.
    pub status: String,
}

/// The process is up.
///
/// Answers as long as the process serves requests; it does not touch the database.
#[utoipa::path(
    tag = "health",
    operation_id = "health_live",
    responses((status = 200, description = "The process is up", body = HealthStatus))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus {
        status: "ok".into(),
    })
}

/// The database answers.
///
/// Answers 200 when the database responds to a ping, 503 otherwise: use it as the readiness
/// probe of a deployment.
#[utoipa::path(
    tag = "health",
    operation_id = "health_ready",
    responses(
        (status = 200, description = "The database answers", body = HealthStatus),
        (status = 503, description = "The database does not answer")
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    empower_domain::db::ping(&state.db).await.map_err(|err| {
        log::warn!("readiness check failed: {err}");
        ApiError::Unavailable
    })?;
    Ok(HttpResponse::Ok().json(HealthStatus {
        status: "ok".into(),
    }))
}
