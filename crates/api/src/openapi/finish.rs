//! The document-level finishing pass: each operation's security and access note from the access
//! table, the errors every operation can return in the problem format, the headers the
//! conventions promise, list items by reference, and links from creates to what they open.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder};

use super::{BEARER, OAUTH2, operations};
use crate::auth::access::{self, Rule};
use crate::problem::{PROBLEM_JSON, problem_for_status};

/// Gives every operation its security and access description from the access table, the
/// errors every operation can return (400, 500; 401 and 403 when it needs credentials), and
/// every error response without a body of its own the problem media type, schema and example.
pub fn finish(mut api: Document) -> Document {
    for (path, item) in api.paths.paths.iter_mut() {
        for (method, operation) in operations(item) {
            let rule = operation.operation_id.as_deref().and_then(access::rule);
            let secured = matches!(rule, Some(Rule::Protected { .. }));
            if let Some(rule) = rule {
                operation.security = Some(match rule {
                    Rule::Public => vec![],
                    Rule::Protected { scopes, .. } => {
                        let mut any = vec![SecurityRequirement::new(BEARER, Vec::<String>::new())];
                        any.extend(
                            scopes
                                .iter()
                                .map(|s| SecurityRequirement::new(OAUTH2, [s.as_str()])),
                        );
                        any
                    }
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
            if operation
                .operation_id
                .as_deref()
                .is_some_and(crate::conditional::is_conditional_list)
            {
                operation
                    .parameters
                    .get_or_insert_with(Vec::new)
                    .push(if_none_match_parameter());
                operation.responses.responses.insert(
                    "304".to_owned(),
                    RefOr::T(
                        ResponseBuilder::new()
                            .description(
                                "Not modified: nothing this list shows has changed since the \
                                 `ETag` sent in `If-None-Match` (answered without building it).",
                            )
                            .build(),
                    ),
                );
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
    list_items_by_reference(&mut api);
    declare_headers(&mut api);
    add_links(&mut api);
    api
}

/// `ListBody<T>` is generic, and utoipa inlines `T` into each `ListBody_T`: point the items at
/// the component instead, so a list item is the same type as the single resource.
fn list_items_by_reference(api: &mut Document) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let names: Vec<String> = components.schemas.keys().cloned().collect();
    for name in names {
        let Some(item) = name.strip_prefix("ListBody_") else {
            continue;
        };
        if !components.schemas.contains_key(item) {
            continue;
        }
        let example = match components.schemas.get(item) {
            Some(RefOr::T(Schema::Object(item))) => item.example.clone(),
            _ => None,
        };
        if let Some(RefOr::T(Schema::Object(list))) = components.schemas.get_mut(&name) {
            if let Some(RefOr::T(Schema::Array(items))) = list.properties.get_mut("items") {
                items.items = utoipa::openapi::schema::ArrayItems::RefOrSchema(Box::new(
                    Ref::from_schema_name(item).into(),
                ));
            }
            if list.example.is_none()
                && let Some(example) = example
            {
                list.example = Some(serde_json::json!({
                    "items": [example],
                    "next_cursor": "WyIwMTkwZjVhNC03YzFlLTdkMmEtOWIxZS0zZjRhNWI2YzdkOGUiXQ"
                }));
            }
        }
    }
}

fn header(description: &str) -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(description))
        .build()
}

/// Declares the headers the conventions promise, on every response that carries them.
fn declare_headers(api: &mut Document) {
    let versioned: Vec<String> = api
        .components
        .as_ref()
        .map(|c| {
            c.schemas
                .iter()
                .filter(|(_, schema)| {
                    matches!(schema, RefOr::T(Schema::Object(o)) if o.properties.contains_key("version"))
                })
                .map(|(name, _)| format!("#/components/schemas/{name}"))
                .collect()
        })
        .unwrap_or_default();
    for (path, item) in api.paths.paths.iter_mut() {
        let probe = path.starts_with("/health/");
        for (method, operation) in operations(item) {
            let conditional = operation
                .operation_id
                .as_deref()
                .is_some_and(crate::conditional::is_conditional_list);
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                let headers = &mut response.headers;
                headers.insert(
                    "X-Request-Id".into(),
                    header("The request's id (the caller's, when sane, or a new UUID v7), also in every log line about it."),
                );
                let body_ref = response
                    .content
                    .get("application/json")
                    .and_then(|c| c.schema.as_ref())
                    .and_then(|s| match s {
                        RefOr::Ref(r) => Some(r.ref_location.clone()),
                        RefOr::T(_) => None,
                    });
                let is_list = body_ref
                    .as_deref()
                    .is_some_and(|r| r.contains("/ListBody_") || r.ends_with("/ChangePage"));
                let versioned_body = body_ref.as_ref().is_some_and(|r| versioned.contains(r));
                match status.as_str() {
                    "200" | "201" | "304" => {
                        headers.insert(
                            "Cache-Control".into(),
                            header("`no-store` when the response carries personal data."),
                        );
                        if probe {
                        } else if is_list {
                            headers.insert(
                                "Link".into(),
                                header("`<...>; rel=\"next\"`: the next page (always, on the change feed)."),
                            );
                            if conditional {
                                headers.insert(
                                    "ETag".into(),
                                    header("The list's state for you (weak): send it back in `If-None-Match` to get `304` while nothing it shows has changed."),
                                );
                            }
                        } else if versioned_body
                            || status == "304"
                            || (method == "get" && body_ref.is_some())
                            || status == "201"
                        {
                            headers.insert(
                                "ETag".into(),
                                header("The version (strong): send it back in `If-Match` to write, or `If-None-Match` to read."),
                            );
                        }
                        if status == "201" {
                            headers.insert("Location".into(), header("The created record's URL."));
                        }
                    }
                    "401" => {
                        headers.insert(
                            "WWW-Authenticate".into(),
                            header(
                                "`Bearer`, with `error=\"invalid_token\"` when a token was given.",
                            ),
                        );
                    }
                    "405" => {
                        headers.insert("Allow".into(), header("The methods the path accepts."));
                    }
                    "429" => {
                        headers.insert(
                            "Retry-After".into(),
                            header("Seconds until an attempt may succeed."),
                        );
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Links from each create to what the created record opens (its reads and sub-resources), for
/// client generators and schemathesis's stateful tests.
const LINKS: &[(&str, &str, &str, &str)] = &[
    (
        "create_association",
        "201",
        "get_association",
        "$response.body#/id",
    ),
    (
        "create_association",
        "201",
        "update_association",
        "$response.body#/id",
    ),
    (
        "create_association",
        "201",
        "list_association_people",
        "$response.body#/id",
    ),
    (
        "create_association",
        "201",
        "list_funding_applications",
        "$response.body#/id",
    ),
    (
        "create_association",
        "201",
        "list_association_transitions",
        "$response.body#/id",
    ),
    (
        "create_association",
        "201",
        "get_association_eligibility",
        "$response.body#/id",
    ),
    (
        "create_association",
        "201",
        "list_publication_consent_changes",
        "$response.body#/id",
    ),
    (
        "put_association",
        "201",
        "get_association",
        "$response.body#/id",
    ),
    (
        "create_association_person",
        "201",
        "get_person",
        "$response.body#/id",
    ),
    (
        "create_association_person",
        "201",
        "update_person",
        "$response.body#/id",
    ),
    (
        "create_association_person",
        "201",
        "list_person_consents",
        "$response.body#/id",
    ),
    ("put_person", "201", "get_person", "$response.body#/id"),
    (
        "create_funding_application",
        "201",
        "get_funding_application",
        "$response.body#/id",
    ),
    (
        "create_funding_application",
        "201",
        "update_funding_application",
        "$response.body#/id",
    ),
    (
        "create_association_transition",
        "201",
        "get_association",
        "$request.path.id",
    ),
    (
        "create_person_consent",
        "201",
        "get_person",
        "$request.path.id",
    ),
    ("create_partner", "201", "get_partner", "$response.body#/id"),
    (
        "create_partner",
        "201",
        "update_partner",
        "$response.body#/id",
    ),
    ("create_module", "201", "get_module", "$response.body#/id"),
    (
        "create_module",
        "201",
        "update_module",
        "$response.body#/id",
    ),
    (
        "create_module",
        "201",
        "get_module_attendance_register",
        "$response.body#/id",
    ),
    (
        "create_training_session",
        "201",
        "get_training_session",
        "$response.body#/id",
    ),
    (
        "create_training_session",
        "201",
        "update_training_session",
        "$response.body#/id",
    ),
    (
        "create_training_session",
        "201",
        "get_training_session_attendance",
        "$response.body#/id",
    ),
    (
        "create_enrollment",
        "201",
        "get_enrollment",
        "$response.body#/id",
    ),
    (
        "create_enrollment",
        "201",
        "update_enrollment",
        "$response.body#/id",
    ),
    (
        "create_enrollment",
        "201",
        "list_enrollment_assessments",
        "$response.body#/id",
    ),
    (
        "create_enrollment",
        "201",
        "get_enrollment_certificate",
        "$response.body#/id",
    ),
    (
        "create_enrollment_assessment",
        "201",
        "get_assessment",
        "$response.body#/id",
    ),
    (
        "create_enrollment_assessment",
        "201",
        "update_assessment",
        "$response.body#/id",
    ),
    ("create_user", "201", "get_user", "$response.body#/id"),
    (
        "create_api_client",
        "201",
        "get_api_client",
        "$response.body#/id",
    ),
];

fn add_links(api: &mut Document) {
    for (_, item) in api.paths.paths.iter_mut() {
        for (_, operation) in operations(item) {
            let Some(id) = operation.operation_id.clone() else {
                continue;
            };
            for (from, status, to, expression) in LINKS {
                if *from != id {
                    continue;
                }
                if let Some(RefOr::T(response)) = operation.responses.responses.get_mut(*status) {
                    response.links.insert(
                        (*to).to_owned(),
                        RefOr::T(
                            LinkBuilder::new()
                                .operation_id(*to)
                                .parameter("id", *expression)
                                .build(),
                        ),
                    );
                }
            }
        }
    }
}

fn if_none_match_parameter() -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    ParameterBuilder::new()
        .name("If-None-Match")
        .parameter_in(ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(
            "The `ETag` of this list as you last read it: `304` while nothing it shows has changed.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(200))
                .pattern(Some("^[\\x20-\\x7E]+$")),
        ))
        .build()
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
                .max_length(Some(200))
                .pattern(Some("^[\\x21-\\x7E]+$")),
        ))
        .build()
}
