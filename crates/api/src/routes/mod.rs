//! Every route, registered through utoipa-actix-web so none can exist without its documentation.

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, web};
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::HttpMethod;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::problem::ApiError;

pub mod health;
pub mod v1;

/// Registers the health probes and the versioned API.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(utoipa_actix_web::scope("/api/v1").configure(v1::configure));
}

/// The documented paths and their methods, to tell 405 (known path, other method) from 404.
#[derive(Debug, Default)]
pub struct RouteTable(Vec<(ResourceDef, Vec<String>)>);

impl RouteTable {
    /// Builds the table from the generated contract (plus the contract's own address).
    pub fn from_openapi(api: &OpenApi) -> Self {
        let methods = [
            (HttpMethod::Get, "GET"),
            (HttpMethod::Post, "POST"),
            (HttpMethod::Put, "PUT"),
            (HttpMethod::Patch, "PATCH"),
            (HttpMethod::Delete, "DELETE"),
        ];
        let mut routes: Vec<(ResourceDef, Vec<String>)> = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let allowed = methods
                    .iter()
                    .filter(|(method, _)| operation(item, method).is_some())
                    .map(|(_, name)| (*name).to_owned())
                    .collect();
                (ResourceDef::new(path.as_str()), allowed)
            })
            .collect();
        routes.push((
            ResourceDef::new(crate::openapi::OPENAPI_PATH),
            vec!["GET".into()],
        ));
        Self(routes)
    }

    /// The methods a path accepts; empty when no route has that path.
    pub fn allowed(&self, path: &str) -> Vec<String> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, methods)| methods.clone())
            .unwrap_or_default()
    }
}

fn operation<'a>(
    item: &'a utoipa::openapi::PathItem,
    method: &HttpMethod,
) -> Option<&'a utoipa::openapi::path::Operation> {
    match method {
        HttpMethod::Get => item.get.as_ref(),
        HttpMethod::Post => item.post.as_ref(),
        HttpMethod::Put => item.put.as_ref(),
        HttpMethod::Patch => item.patch.as_ref(),
        HttpMethod::Delete => item.delete.as_ref(),
        _ => None,
    }
}

/// Answers every request no route took: 405 with `Allow` for a known path, 404 otherwise.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let allow = routes.allowed(req.path());
    Err(if allow.is_empty() {
        ApiError::NotFound(format!("route {}", req.path()))
    } else {
        ApiError::MethodNotAllowed { allow }
    })
}
