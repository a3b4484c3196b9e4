//! The change feed partners sync from.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use empower_domain::changes;
use empower_domain::paging::{Cursor, KeyValue};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::extract::{ListQuery, PageParams};
use crate::problem::{ApiError, ProblemItem};
use crate::state::AppState;

/// Resource types in the feed.
pub const TYPES: [&str; 3] = ["association", "person", "funding_application"];

/// Registers the change feed.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_changes);
}

/// One change. No field values: fetch the resource to see it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"seq": 42, "type": "association", "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
    "op": "upsert", "version": 3, "changed_at": "2026-11-27T10:00:00Z"}))]
pub struct ChangeView {
    /// Position in commit order.
    pub seq: i64,
    /// Resource type.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Resource id.
    pub id: Uuid,
    /// `upsert` or `delete`.
    pub op: String,
    /// The resource's version after the change.
    pub version: i32,
    /// When.
    pub changed_at: DateTime<Utc>,
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    /// Changes, oldest first.
    pub items: Vec<ChangeView>,
    /// Always present: pass it back to get what came after (poll with it when `items` is empty).
    pub next_cursor: String,
}

/// Filters of the feed.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeQuery {
    /// Comma-separated resource types (default all): `association`, `person`, `funding_application`.
    #[param(example = "association", max_length = 200)]
    pub types: Option<String>,
}

/// Read the change feed.
///
/// Every create, update and delete of every synced resource, in commit order (an API client
/// bound to an association sees only that association's). Start with no
/// cursor, then always pass back `next_cursor` (present even on the last page): every change
/// is seen once, none skipped, even while others write. Items carry no field values, so no
/// personal data travels in the feed.
#[utoipa::path(
    tag = "sync",
    operation_id = "list_changes",
    params(PageParams, ChangeQuery),
    responses((status = 200, description = "A page of changes", body = ChangePage))
)]
#[get("/changes")]
pub async fn list_changes(
    caller: Caller,
    state: web::Data<AppState>,
    query: ListQuery<ChangeQuery>,
) -> Result<HttpResponse, ApiError> {
    let after = match &query.page.cursor {
        None => 0,
        Some(Cursor(values)) => match values.as_slice() {
            [KeyValue::Int(seq)] => *seq,
            _ => {
                return Err(ApiError::InvalidParameter(vec![ProblemItem::parameter(
                    "cursor",
                    "is not a cursor of the change feed",
                )]));
            }
        },
    };
    let types: Vec<String> = match &query.filter.types {
        None => vec![],
        Some(list) => {
            let types: Vec<String> = list.split(',').map(|t| t.trim().to_owned()).collect();
            if let Some(bad) = types.iter().find(|t| !TYPES.contains(&t.as_str())) {
                return Err(ApiError::InvalidParameter(vec![ProblemItem::parameter(
                    "types",
                    format!(
                        "`{bad}` is not a type of the feed (known: {})",
                        TYPES.join(", ")
                    ),
                )]));
            }
            types
        }
    };
    let only = match super::associations::visibility(&caller) {
        empower_domain::association::Visibility::Own(id) => Some(id),
        empower_domain::association::Visibility::All => None,
    };
    let rows = changes::list(&state.db, after, query.page.limit, &types, only).await?;
    let last = rows.last().map_or(after, |r| r.seq);
    Ok(HttpResponse::Ok().json(ChangePage {
        items: rows
            .into_iter()
            .map(|r| ChangeView {
                seq: r.seq,
                resource_type: r.resource_type,
                id: r.resource_id,
                op: r.op,
                version: r.version,
                changed_at: r.changed_at,
            })
            .collect(),
        next_cursor: Cursor(vec![KeyValue::Int(last)]).encode(),
    }))
}
