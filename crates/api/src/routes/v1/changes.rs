//! The change feed partners sync from.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use empower_domain::changes::{self, ChangeView, ResourceType};
use empower_domain::paging::{Cursor, KeyValue, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::auth::access::read_operation;
use crate::extract::parse_query;
use crate::http::next_url;
use crate::problem::{ApiError, ProblemItem, parameter_error};
use crate::state::AppState;

/// Registers the change feed.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_changes);
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [{"seq": 42, "type": "association", "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
    "op": "upsert", "version": 3, "changed_at": "2026-11-27T10:00:00Z"}], "next_cursor": "WzQyXQ"}))]
pub struct ChangePage {
    /// Changes, oldest first.
    pub items: Vec<ChangeView>,
    /// Always present: pass it back to get what came after (poll with it when `items` is empty).
    pub next_cursor: String,
}

/// Paging and filters of the feed.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeQuery {
    /// Changes per page: default 50, at most 200 (larger values are clamped); 0 or less is a 400.
    #[param(minimum = 1, example = 50)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page; absent or empty to start from the beginning.
    #[param(max_length = 512)]
    pub cursor: Option<String>,
    /// Comma-separated resource types (default: every type the caller may read).
    #[param(value_type = Option<Vec<ResourceType>>, style = Form, explode = false)]
    pub types: Option<String>,
}

/// Read the change feed.
///
/// Every create, update and delete of every synced resource, in commit order. A caller sees
/// only the types it may read (a client without people rights sees no `person` changes), and
/// a caller bound to an association sees programme-wide changes and its own association's,
/// never another's. Start with no cursor (or an empty one), then always pass back
/// `next_cursor` (present even on the last page; `Link: rel="next"` carries the same URL):
/// every change is seen once, none skipped, even while others write. Items carry no field
/// values, so no personal data travels in the feed.
#[utoipa::path(
    tag = "sync",
    operation_id = "list_changes",
    params(ChangeQuery),
    responses((status = 200, description = "A page of changes", body = ChangePage))
)]
#[get("/changes")]
pub async fn list_changes(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query: ChangeQuery = parse_query(req.query_string())?;
    let cursor = query.cursor.as_deref().filter(|c| !c.is_empty());
    let page = PageRequest::new(query.limit, cursor, false).map_err(parameter_error)?;
    let after = match &page.cursor {
        None => 0,
        Some(Cursor(values)) => match values.as_slice() {
            [KeyValue::Int(seq)] if *seq >= 0 => *seq,
            _ => {
                return Err(ApiError::InvalidParameter(vec![ProblemItem::parameter(
                    "cursor",
                    "is not a cursor of the change feed",
                )]));
            }
        },
    };
    let readable: Vec<ResourceType> = ResourceType::all()
        .into_iter()
        .filter(|t| caller.may(read_operation(*t)))
        .collect();
    let types: Vec<ResourceType> = match query.types.as_deref() {
        None => readable,
        Some(list) => {
            let mut wanted = Vec::new();
            for name in list.split(',').map(str::trim) {
                let Some(t) = ResourceType::parse(name) else {
                    let known: Vec<&str> = ResourceType::all().iter().map(|t| t.as_str()).collect();
                    return Err(ApiError::InvalidParameter(vec![ProblemItem::parameter(
                        "types",
                        format!(
                            "`{name}` is not a type of the feed (known: {})",
                            known.join(", ")
                        ),
                    )]));
                };
                if readable.contains(&t) {
                    wanted.push(t);
                }
            }
            wanted
        }
    };
    let rows = changes::list(&state.db, after, page.limit, &types, &caller.scope()).await?;
    let last = rows.last().map_or(after, |r| r.seq);
    let next_cursor = Cursor(vec![KeyValue::Int(last)]).encode();
    let mut response = HttpResponse::Ok();
    if let Ok(link) =
        header::HeaderValue::from_str(&format!("<{}>; rel=\"next\"", next_url(&req, &next_cursor)))
    {
        response.insert_header((header::LINK, link));
    }
    Ok(response.json(ChangePage {
        items: rows.iter().map(ChangeView::from).collect(),
        next_cursor,
    }))
}
