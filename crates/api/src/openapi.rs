//! The contract: generated from the registered routes, finished by one pass that gives every
//! operation its error responses in the problem format, and served to Swagger UI.

use actix_web::App;
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder};
use utoipa_actix_web::AppExt;

use crate::auth::access::{self, Rule};
use crate::problem::{PROBLEM_JSON, Problem, ProblemItem, problem_for_status};
use crate::routes;

/// Where the contract is served.
pub const OPENAPI_PATH: &str = "/api-docs/openapi.json";
/// Where Swagger UI is served.
pub const SWAGGER_UI_PATH: &str = "/swagger-ui/";
/// Name of the bearer security scheme in the contract.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Empower API",
        description = "The programme API for African diaspora women's associations in Belgium: \
            the association registry and its selection, the three-module training, restitution \
            sessions, visibility deliverables and the results framework.\n\n\
            Conventions: JSON with `snake_case` fields; lists are paginated with `limit` and an \
            opaque `cursor` (`next_cursor` in the body, `Link: rel=\"next\"` in the headers); every \
            error is RFC 9457 problem details (`application/problem+json`) with a stable `code`; \
            every response carries an `X-Request-Id` (sent by the client or generated).",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        contact(name = "Empower programme team", email = "empower@empower.example")
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "health", description = "Liveness and readiness probes"),
        (name = "reference", description = "Reference data: countries and Sustainable Development Goals"),
        (name = "auth", description = "Logging in, refreshing and revoking tokens; client credentials for partner API clients"),
        (name = "me", description = "The caller's own account"),
        (name = "users", description = "User accounts and their roles (admin)"),
        (name = "api-clients", description = "Partner API clients: machine credentials with scopes (admin)"),
        (name = "audit", description = "The audit log (admin)"),
        (name = "associations", description = "The association registry: profiles, selection, eligibility, publication consent"),
        (name = "people", description = "Representatives and contacts of associations, and their consents (personal data)"),
        (name = "funding", description = "Funding applications the associations submit"),
        (name = "sync", description = "The change feed partner NGOs sync from"),
    ),
    components(schemas(Problem, ProblemItem)),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from `POST /api/v1/auth/login` (people) or `POST /api/v1/auth/token` (partner API clients)."))
                    .build(),
            ),
        );
    }
}

/// The complete contract, as the server serves it.
pub fn document() -> Document {
    let (_app, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    finish(api)
}

/// The contract as committed in `openapi/openapi.json` (pretty JSON, final newline).
pub fn to_json(api: &Document) -> String {
    let mut json = serde_json::to_string_pretty(api).unwrap_or_default();
    json.push('\n');
    json
}

/// Gives every operation its security and access description from the access table, the
/// errors every operation can return (400, 500; 401 and 403 when it needs credentials), and
/// every error response without a body of its own the problem media type, schema and example.
fn finish(mut api: Document) -> Document {
    for (path, item) in api.paths.paths.iter_mut() {
        for (method, operation) in operations(item) {
            let rule = operation.operation_id.as_deref().and_then(access::rule);
            let secured = matches!(rule, Some(Rule::Protected { .. }));
            if let Some(rule) = rule {
                operation.security = Some(if secured {
                    vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]
                } else {
                    vec![]
                });
                let description = operation.description.get_or_insert_with(String::new);
                description.push_str(&format!("\n\n{}", access::describe(rule)));
            }
            let mut defaults = vec![
                ("400", "Malformed request or invalid parameter"),
                (
                    "500",
                    "Unexpected error; the cause is logged with the request id",
                ),
            ];
            if secured && method == "post" {
                operation
                    .parameters
                    .get_or_insert_with(Vec::new)
                    .push(idempotency_key_parameter());
                defaults.push((
                    "409",
                    "The first request with this Idempotency-Key is still running",
                ));
                defaults.push(("422", "This Idempotency-Key was used with another request"));
            }
            if operation.request_body.is_some() {
                defaults.push(("413", "The body is larger than 1 MiB"));
                defaults.push(("415", "The body is not of the documented media type"));
            }
            if secured {
                defaults.push(("401", "Missing, expired or invalid credentials"));
                defaults.push((
                    "403",
                    "Authenticated, but the role or scopes do not allow this",
                ));
            }
            for (status, description) in defaults {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| {
                        RefOr::T(ResponseBuilder::new().description(description).build())
                    });
            }
            for (status, response) in operation.responses.responses.iter_mut() {
                let Ok(code) = status.parse::<u16>() else {
                    continue;
                };
                let Ok(http_status) = actix_web::http::StatusCode::from_u16(code) else {
                    continue;
                };
                if code < 400 {
                    continue;
                }
                if let RefOr::T(response) = response
                    && response.content.is_empty()
                {
                    let mut example = problem_for_status(http_status);
                    example.instance = Some(path.clone());
                    example.request_id = Some("0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e".into());
                    response.content.insert(
                        PROBLEM_JSON.to_owned(),
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .example(serde_json::to_value(example).ok())
                            .build(),
                    );
                }
            }
        }
    }
    api
}

fn idempotency_key_parameter() -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(
            "Makes the POST safe to retry: a retry with the same key and body replays the first \
             response (kept 24 hours per caller); the same key with another body is 422; a retry \
             while the first request runs is 409.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(200)),
        ))
        .build()
}

fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("delete", item.delete.as_mut()),
        ("patch", item.patch.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.map(|o| (method, o)))
}
