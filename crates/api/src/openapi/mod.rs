//! The contract: generated from the registered routes, finished by one pass over the document
//! ([`finish`]: security, error responses in the problem format, headers, links) and one over
//! its JSON ([`json`]: what utoipa's types cannot say), and served to Swagger UI.

mod finish;
mod json;

use actix_web::App;
use empower_domain::identity::scope::Scope;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme,
};
use utoipa_actix_web::AppExt;

use crate::problem::{Problem, ProblemItem};
use crate::routes;

/// Where the contract is served.
pub const OPENAPI_PATH: &str = "/api-docs/openapi.json";
/// Where Swagger UI is served.
pub const SWAGGER_UI_PATH: &str = "/swagger-ui/";
/// Name of the bearer security scheme in the contract.
pub const BEARER: &str = "bearer";
/// Name of the OAuth 2.0 client-credentials security scheme (partner API clients).
pub const OAUTH2: &str = "oauth2";

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
        (name = "webhooks", description = "Webhooks: partner systems told of every change they may read, signed the Standard Webhooks way, delivered at least once in feed order (admin, or a client with `webhooks:manage` for its own)"),
        (name = "audit", description = "The audit log (admin)"),
        (name = "associations", description = "The association registry: profiles, selection, eligibility, publication consent"),
        (name = "people", description = "Representatives and contacts of associations, and their consents (personal data)"),
        (name = "privacy", description = "Privacy rights (GDPR): a person's data export, her erasure that keeps every indicator intact, retention periods and what they make due, and the record of processing activities"),
        (name = "funding", description = "Funding applications the associations submit"),
        (name = "partners", description = "Stakeholder organisations: guests of training days and the programme's new contacts"),
        (name = "training", description = "The three-module training: modules, sessions and their calendar, enrolments, daily attendance, completion, assessments and certificates"),
        (name = "restitutions", description = "Restitutions: the cascade sessions trained representatives run for their members, their evidence (links and files) and their review by programme staff"),
        (name = "deliverables", description = "Visibility deliverables: the repertoire, briefs with success stories, the calendar; their review and publication, and how each was disseminated"),
        (name = "public", description = "What anyone reads without logging in: the live repertoire of the associations, the published deliverables in French, Dutch or English, and the programme's results with small cells suppressed"),
        (name = "results", description = "The results framework: results and indicators computed live from the data by a documented catalogue of metrics (or measured by hand), reports as JSON, CSV or IATI XML, and reporting periods whose report is frozen at closing"),
        (name = "sync", description = "The change feed partner NGOs sync from"),
    ),
    components(schemas(
        Problem,
        ProblemItem,
        crate::routes::v1::associations::files::ImportMode,
        empower_domain::changes::ResourceType,
    )),
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
        let scopes = Scopes::from_iter(
            Scope::ALL.map(|scope| (scope.as_str().to_owned(), scope.description().to_owned())),
        );
        components.add_security_scheme(
            OAUTH2,
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new(
                    "/api/v1/auth/token",
                    scopes,
                ))],
                "Partner API clients: the OAuth 2.0 client credentials grant at `POST /api/v1/auth/token`; the token is then sent as a bearer token.",
            )),
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
    finish::finish(api)
}

/// The contract as served and committed: the generated document with what utoipa's types
/// cannot say (link fields in camelCase, headers that are always sent marked required).
pub fn contract() -> serde_json::Value {
    contract_of(&document())
}

/// [`contract`] of a document already built (the server builds it once at start-up).
pub fn contract_of(document: &Document) -> serde_json::Value {
    let mut contract = serde_json::to_value(document).unwrap_or_default();
    json::finish(&mut contract);
    contract
}

/// The contract as committed in `openapi/openapi.json` (pretty JSON, final newline).
pub fn to_json(contract: &serde_json::Value) -> String {
    let mut json = serde_json::to_string_pretty(contract).unwrap_or_default();
    json.push('\n');
    json
}

pub(crate) fn operations(
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
