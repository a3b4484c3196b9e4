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

/// The documented paths, their methods and operations: which operation a request is for (to
/// authorise it before anything else), and 405 (known path, other method) apart from 404.
#[derive(Debug, Default)]
pub struct RouteTable(Vec<Route>);

/// A documented path with each method it accepts and the operation (none for the contract).
#[derive(Debug)]
struct Route {
    def: ResourceDef,
    /// The path up to its first parameter, and its number of segments: a request path must
    /// have both before the pattern is worth matching (a parameter is one whole segment), so
    /// a request matches two or three patterns instead of every one of them.
    prefix: String,
    segments: usize,
    operations: Vec<(String, Option<String>)>,
}

impl Route {
    fn new(path: &str, operations: Vec<(String, Option<String>)>) -> Self {
        Self {
            def: ResourceDef::new(path),
            prefix: path.split('{').next().unwrap_or_default().to_owned(),
            segments: path.split('/').count(),
            operations,
        }
    }

    fn is_match(&self, path: &str) -> bool {
        path.starts_with(&self.prefix)
            && path.split('/').count() == self.segments
            && self.def.is_match(path)
    }

    fn has_parameters(&self) -> bool {
        self.prefix.len() < self.def.pattern().unwrap_or_default().len()
    }
}

impl RouteTable {
    /// Builds the table from the generated contract (plus the contract's own address), the
    /// paths with fewer parameters first, as the router tries them.
    pub fn from_openapi(api: &OpenApi) -> Self {
        let methods = [
            (HttpMethod::Get, "GET"),
            (HttpMethod::Post, "POST"),
            (HttpMethod::Put, "PUT"),
            (HttpMethod::Patch, "PATCH"),
            (HttpMethod::Delete, "DELETE"),
        ];
        let mut routes: Vec<Route> = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let operations = methods
                    .iter()
                    .filter_map(|(method, name)| {
                        operation(item, method)
                            .map(|op| ((*name).to_owned(), op.operation_id.clone()))
                    })
                    .collect();
                Route::new(path, operations)
            })
            .collect();
        routes.sort_by_key(|route| route.def.pattern().unwrap_or_default().matches('{').count());
        routes.push(Route::new(
            crate::openapi::OPENAPI_PATH,
            vec![("GET".into(), None)],
        ));
        Self(routes)
    }

    /// The methods a path accepts (HEAD wherever GET); empty when no route has that path.
    pub fn allowed(&self, path: &str) -> Vec<String> {
        let mut methods: Vec<String> = self
            .0
            .iter()
            .filter(|route| route.is_match(path))
            .flat_map(|route| route.operations.iter().map(|(method, _)| method.clone()))
            .collect();
        if methods.iter().any(|m| m == "GET") {
            methods.push("HEAD".into());
        }
        methods.dedup();
        methods
    }

    /// The operation the access layer resolved for this request (left in its extensions, so
    /// later layers do not match the path again), or resolves it.
    pub fn operation_of(req: &actix_web::dev::ServiceRequest) -> Option<String> {
        use actix_web::HttpMessage;
        if let Some(ResolvedOperation(id)) = req.extensions().get::<ResolvedOperation>() {
            return Some(id.clone());
        }
        match req
            .app_data::<actix_web::web::Data<RouteTable>>()
            .map(|routes| routes.resolve(req.method().as_str(), req.path()))
        {
            Some(Resolution::Operation(id)) => Some(id),
            _ => None,
        }
    }

    /// What a request is for: an operation; a fixed path (`/associations/export`) that does
    /// not take this method, which a parameter route (`/associations/{id}`) must not swallow;
    /// or nothing the contract knows (the contract itself included).
    pub fn resolve(&self, method: &str, path: &str) -> Resolution {
        for route in self.0.iter().filter(|route| route.is_match(path)) {
            if let Some((_, id)) = route.operations.iter().find(|(m, _)| m == method) {
                return id
                    .clone()
                    .map_or(Resolution::Unknown, Resolution::Operation);
            }
            if !route.has_parameters() {
                let mut allow: Vec<String> =
                    route.operations.iter().map(|(m, _)| m.clone()).collect();
                if allow.iter().any(|m| m == "GET") {
                    allow.push("HEAD".into());
                }
                return Resolution::MethodNotAllowed(allow);
            }
        }
        Resolution::Unknown
    }
}

/// The operation a request was resolved to, kept in its extensions by the access layer.
#[derive(Debug, Clone)]
pub struct ResolvedOperation(pub String);

/// What a request is for, by the route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// This operation (by its id).
    Operation(String),
    /// A fixed path that accepts only these methods.
    MethodNotAllowed(Vec<String>),
    /// Nothing the table knows: the router decides (404, 405, or the contract and Swagger UI).
    Unknown,
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
