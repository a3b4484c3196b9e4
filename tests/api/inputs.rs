//! No 500 from any input. The bad values are derived from the contract at run time: for every
//! operation, every parameter (path, query, header) and every property of its JSON request body
//! (one level into nested objects) is given values of its type that no field should take, in a
//! request that is otherwise valid. Each answer must be a 4xx problem (a 2xx only where the value
//! is legitimately acceptable for that field), never a 5xx. Every failure is printed before the
//! test fails, so one run shows every defect (`INPUTS_TRACE=1` prints every request and answer).

use std::fmt::Write as _;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Reply, TestApp};

/// Length of the over-long string sent to every text field.
const LONG: usize = 100_000;
/// Length of the over-long string in a URL: the HTTP client refuses URIs beyond 65,534 bytes,
/// so a parameter gets as much as fits (still far beyond any field's maximum).
const LONG_IN_URL: usize = 60_000;
/// Items of the over-long array sent to every list field.
const MANY: usize = 10_000;
/// Items of the over-long list in a URL (comma-separated; as many as the client sends).
const MANY_IN_URL: usize = 8_000;
/// Stands for the bad value in a body until the body is serialised.
const PLACEHOLDER: &str = "@@bad-value@@";

/// Fields whose text is one visible line (names, titles, emails, codes): an invisible or bidi
/// control character in them is always refused.
const SINGLE_LINE: &[&str] = &[
    "name",
    "acronym",
    "first_name",
    "last_name",
    "display_name",
    "call_title",
    "funder",
    "email",
    "phone",
    "website",
    "street",
    "city",
    "postal_code",
    "enterprise_number",
    "role_in_association",
    "text_version",
    "code",
    "If-Match",
];

/// Where a value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Body,
    Query,
    Path,
    Header,
}

/// One value that a field should refuse (`strict`) or may take (no 5xx, though).
#[derive(Debug, Clone)]
struct Bad {
    label: String,
    /// As a JSON literal, for bodies.
    json: String,
    /// As text, for parameters; `None` when it cannot travel there (NUL in a header).
    text: Option<String>,
    strict: bool,
}

impl Bad {
    fn text(label: &str, value: &str, strict: bool) -> Self {
        Self {
            label: label.to_owned(),
            json: Value::String(value.to_owned()).to_string(),
            text: Some(value.to_owned()),
            strict,
        }
    }

    fn raw(label: &str, literal: &str, strict: bool) -> Self {
        Self {
            label: label.to_owned(),
            json: literal.to_owned(),
            text: Some(literal.to_owned()),
            strict,
        }
    }
}

/// The schema a `$ref` points to (the schema itself when it is no reference).
fn resolve<'a>(api: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            resolve(api, &api["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// The non-null alternatives of a schema (`oneOf` branches, resolved).
fn alternatives(api: &Value, schema: &Value) -> Vec<Value> {
    let schema = resolve(api, schema);
    if let Some(list) = schema["oneOf"]
        .as_array()
        .or_else(|| schema["anyOf"].as_array())
    {
        return list.iter().flat_map(|s| alternatives(api, s)).collect();
    }
    if type_of(schema) == Some("null") {
        return vec![];
    }
    vec![schema.clone()]
}

/// The schema's type, `null` aside (`["string", "null"]` is a string).
fn type_of(schema: &Value) -> Option<&str> {
    match &schema["type"] {
        Value::String(t) => Some(t),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .or(Some("null")),
        _ if schema.get("properties").is_some() => Some("object"),
        _ => None,
    }
}

/// Whether the schema declares a bound that a 100,000-character string or a 10,000-item list
/// breaks.
fn bounded(schema: &Value) -> bool {
    ["maxLength", "maxItems", "pattern", "enum", "format"]
        .iter()
        .any(|k| schema.get(*k).is_some())
}

/// A valid item of a list of `items`.
fn sample_item(api: &Value, items: &Value) -> Value {
    let items = resolve(api, items);
    if let Some(example) = items.get("example") {
        return example.clone();
    }
    if let Some(example) = items["examples"].get(0) {
        return example.clone();
    }
    if let Some(first) = items["enum"].get(0) {
        return first.clone();
    }
    match type_of(items) {
        Some("integer" | "number") => json!(1),
        Some("boolean") => json!(true),
        _ => json!("x"),
    }
}

/// The bad values for a field of this schema named `field`, sent in `place`.
fn bad_values(api: &Value, schema: &Value, field: &str, place: Place) -> Vec<Bad> {
    let mut found = Vec::new();
    for alt in alternatives(api, schema) {
        let single_line = SINGLE_LINE.contains(&field)
            || ["enum", "pattern", "format"]
                .iter()
                .any(|k| alt.get(*k).is_some());
        match (type_of(&alt), alt["format"].as_str()) {
            (Some("string"), Some("binary")) => {}
            (Some("string"), Some("date" | "date-time")) => {
                for value in [
                    "-9999-01-01",
                    "+99999-12-31",
                    "0000-00-00",
                    "-9999-01-01T00:00:00Z",
                ] {
                    found.push(Bad::text(value, value, true));
                }
                found.push(Bad::text("NUL", "a\u{0}b", true));
                let long = if place == Place::Body {
                    LONG
                } else {
                    LONG_IN_URL
                };
                found.push(Bad::text(&format!("{long} chars"), &"1".repeat(long), true));
            }
            (Some("string"), Some("uuid")) => {
                found.push(Bad::text(
                    "00000000-0000-0000-0000-00000000000g",
                    "00000000-0000-0000-0000-00000000000g",
                    true,
                ));
                found.push(Bad::text("10000 chars", &"a".repeat(10_000), true));
                found.push(Bad::text("NUL", "a\u{0}b", true));
            }
            (Some("string"), _) => {
                found.push(Bad::text("NUL", "a\u{0}b", true));
                found.push(Bad::text("BEL", "a\u{7}b", true));
                found.push(Bad::text(
                    "zero-width only",
                    "\u{200b}\u{200b}",
                    single_line,
                ));
                found.push(Bad::text("bidi override", "x\u{202e}y", single_line));
                // Every string has a maximum length; only `If-None-Match` may be anything.
                let long = if matches!(place, Place::Query | Place::Path) {
                    LONG_IN_URL
                } else {
                    LONG
                };
                found.push(Bad::text(
                    &format!("{long} chars"),
                    &"x".repeat(long),
                    field != "If-None-Match",
                ));
                // Just past the declared maximum: what the contract promises to refuse.
                if let Some(max) = alt["maxLength"]
                    .as_u64()
                    .and_then(|m| usize::try_from(m).ok())
                {
                    found.push(Bad::text(
                        &format!("maxLength+1 ({} chars)", max + 1),
                        &"y".repeat(max + 1),
                        true,
                    ));
                }
            }
            (Some(kind @ ("integer" | "number")), _) => {
                for literal in [
                    "1e308",
                    "-1e308",
                    "9223372036854775808",
                    "-9223372036854775809",
                ] {
                    found.push(Bad::raw(literal, literal, true));
                }
                if kind == "integer" {
                    found.push(Bad::raw("1.5", "1.5", true));
                }
            }
            (Some("boolean"), _) => {
                if place == Place::Body {
                    found.push(Bad::raw("the string \"true\"", "\"true\"", true));
                } else {
                    found.push(Bad::text("maybe", "maybe", true));
                }
            }
            (Some("array"), _) => {
                let item = match resolve(api, &alt["items"])["enum"].as_array() {
                    // In a URL, the shortest value keeps the list within what a server reads.
                    Some(values) if place != Place::Body => values
                        .iter()
                        .min_by_key(|v| v.to_string().len())
                        .cloned()
                        .unwrap_or(Value::Null),
                    _ => sample_item(api, &alt["items"]),
                };
                let literal = format!(
                    "[{}]",
                    std::iter::repeat_n(item.to_string(), MANY)
                        .collect::<Vec<_>>()
                        .join(",")
                );
                let text = std::iter::repeat_n(
                    item.as_str()
                        .map_or_else(|| item.to_string(), str::to_owned),
                    MANY_IN_URL,
                )
                .collect::<Vec<_>>()
                .join(",");
                let count = if place == Place::Body {
                    MANY
                } else {
                    MANY_IN_URL
                };
                found.push(Bad {
                    label: format!("{count} items"),
                    json: literal,
                    text: Some(text),
                    strict: bounded(&alt),
                });
                if place == Place::Body {
                    // Each bad text value as the only item of a list of strings.
                    let item_schema = resolve(api, &alt["items"]);
                    if type_of(item_schema) == Some("string") {
                        for bad in bad_values(api, item_schema, field, place) {
                            found.push(Bad {
                                label: format!("[{}]", bad.label),
                                json: format!("[{}]", bad.json),
                                text: None,
                                strict: bad.strict,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if place == Place::Header {
        // Header values cannot carry control characters at all: no client sends them.
        found.retain(|b| {
            b.text
                .as_deref()
                .is_some_and(|t| !t.chars().any(char::is_control))
        });
    }
    found
}

/// Percent-encodes a path segment or a query value.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The records every operation's path points at.
struct Ids {
    association: String,
    applicant: String,
    victim_association: String,
    transition: String,
    person: String,
    victim_person: String,
    consent: String,
    funding: String,
    victim_funding: String,
    user: String,
    client: String,
}

/// The value of path parameter `name` of `method path`.
fn path_value(ids: &Ids, method: &str, path: &str, name: &str) -> String {
    let deleting = method == "DELETE";
    let id = match name {
        "code" => "SN",
        "number" => "5",
        "transition_id" => &ids.transition,
        "consent_id" => &ids.consent,
        _ if path.starts_with("/api/v1/api-clients/") => &ids.client,
        _ if path.starts_with("/api/v1/users/") => &ids.user,
        _ if path.starts_with("/api/v1/people/") && deleting => &ids.victim_person,
        _ if path.starts_with("/api/v1/people/") => &ids.person,
        _ if path.starts_with("/api/v1/funding-applications/") && deleting => &ids.victim_funding,
        _ if path.starts_with("/api/v1/funding-applications/") => &ids.funding,
        "id" if path == "/api/v1/associations/{id}" && deleting => &ids.victim_association,
        "id" if path == "/api/v1/associations/{id}/transitions" && method == "POST" => {
            &ids.applicant
        }
        _ => &ids.association,
    };
    id.to_owned()
}

/// The path with every parameter filled in, `bad` (already encoded) in place of `target`.
fn fill_path(ids: &Ids, method: &str, path: &str, target: Option<(&str, &str)>) -> String {
    let mut out = path.to_owned();
    while let Some(start) = out.find('{') {
        let end = out[start..].find('}').map_or(out.len(), |e| start + e);
        let name = out[start + 1..end].to_owned();
        let value = match target {
            Some((t, bad)) if t == name => bad.to_owned(),
            _ => encode(&path_value(ids, method, path, &name)),
        };
        out.replace_range(start..=end, &value);
    }
    out
}

/// What the caller of an operation is.
struct Caller {
    name: &'static str,
    token: Option<String>,
}

/// One bad value of one field, placed in an otherwise valid request.
struct Variant {
    field: String,
    bad: Bad,
    url: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Option<String>,
}

/// One request of the walk, by one caller.
struct Case {
    operation: String,
    field: String,
    value: String,
    caller: &'static str,
    method: Method,
    url: String,
    token: Option<String>,
    headers: Vec<(String, Vec<u8>)>,
    body: Option<(String, String)>,
    strict: bool,
}

/// Sends a case; a transport failure (the server closed the connection) is an error too.
async fn fire(app: &TestApp, case: &Case) -> Result<Reply, String> {
    let mut request = app
        .client
        .request(case.method.clone(), format!("{}{}", app.address, case.url));
    if let Some(token) = &case.token {
        request = request.bearer_auth(token);
    }
    for (name, value) in &case.headers {
        let value = reqwest::header::HeaderValue::from_bytes(value)
            .map_err(|e| format!("header {name} not sendable: {e}"))?;
        request = request.header(name.as_str(), value);
    }
    if let Some((content_type, body)) = &case.body {
        request = request
            .header("Content-Type", content_type.as_str())
            .body(body.clone());
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("no answer: {e:?}"))?;
    Ok(Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response
            .text()
            .await
            .map_err(|e| format!("body not read: {e}"))?,
    })
}

/// What is wrong with an answer, if anything: a 5xx, an error that is no problem document, or
/// (for a value the field must refuse) a success.
fn verdict(reply: &Reply, strict: bool) -> Option<String> {
    let status = reply.status;
    if status >= 500 {
        return Some("server error".into());
    }
    if status >= 400 {
        if reply.header("content-type") != "application/problem+json" {
            return Some(format!(
                "error is not application/problem+json but {:?}",
                reply.header("content-type")
            ));
        }
        let Ok(body) = serde_json::from_str::<Value>(&reply.text) else {
            return Some("problem body is not JSON".into());
        };
        if body["status"] != status || !body["code"].is_string() {
            return Some("problem lacks status or code".into());
        }
        return None;
    }
    strict.then(|| "accepted a value the field must refuse".into())
}

fn snippet(text: &str) -> String {
    text.chars().take(300).collect()
}

/// The state the baselines need.
struct Context {
    ids: Ids,
    me_password: String,
    refresh_token: String,
    counter: usize,
}

impl Context {
    fn next(&mut self) -> usize {
        self.counter += 1;
        self.counter
    }
}

/// A valid body for `operation`: the contract's example, made unique where it must be.
fn baseline_body(operation: &str, example: Option<&Value>, ctx: &mut Context) -> Value {
    let n = ctx.next();
    let mut body = example.cloned().unwrap_or_else(|| json!({}));
    match operation {
        "create_association" | "put_association" | "import_associations" => {
            body["name"] = json!(format!("Inputs Association {n}"));
            body["legal_form"] = json!("de_facto");
            if let Some(fields) = body.as_object_mut() {
                fields.remove("enterprise_number");
            }
            if operation == "import_associations" {
                body = json!([body]);
            }
        }
        "create_user" => {
            body["email"] = json!(format!("inputs-{n}@test.empower.local"));
        }
        "put_person" => {
            body["association_id"] = json!(ctx.ids.association);
        }
        "change_my_password" => {
            body = json!({
                "current_password": ctx.me_password,
                "new_password": format!("correct horse battery staple {n}"),
            });
        }
        "login" => body = json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        "refresh" => body = json!({"refresh_token": ctx.refresh_token}),
        _ => {}
    }
    body
}

/// Every property of a body schema, and one level into nested objects, as paths.
fn body_fields(api: &Value, schema: &Value) -> (bool, Vec<(Vec<String>, Value)>) {
    let root = resolve(api, schema);
    let (in_array, object) = if type_of(root) == Some("array") {
        (true, resolve(api, &root["items"]))
    } else {
        (false, root)
    };
    let mut fields = Vec::new();
    for (name, property) in object["properties"].as_object().into_iter().flatten() {
        fields.push((vec![name.clone()], property.clone()));
        for alt in alternatives(api, property) {
            for (inner, schema) in alt["properties"].as_object().into_iter().flatten() {
                fields.push((vec![name.clone(), inner.clone()], schema.clone()));
            }
        }
    }
    (in_array, fields)
}

/// `body` with the placeholder at `path` (in its first element when the body is a list).
fn with_placeholder(body: &Value, in_array: bool, path: &[String]) -> Value {
    let mut body = body.clone();
    let target = if in_array { &mut body[0] } else { &mut body };
    match path {
        [one] => target[one] = json!(PLACEHOLDER),
        [outer, inner] => {
            if !target[outer].is_object() {
                target[outer] = json!({});
            }
            target[outer][inner] = json!(PLACEHOLDER);
        }
        _ => {}
    }
    body
}

/// Everything the walk needs of one operation.
struct Operation {
    method: String,
    path: String,
    id: String,
    op: Value,
}

fn operations(api: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (path, item) in api["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if let Some(id) = op["operationId"].as_str() {
                found.push(Operation {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    id: id.to_owned(),
                    op: op.clone(),
                });
            }
        }
    }
    found
}

/// The callers an operation is tried with: the admin, and nobody for public operations.
fn callers_of(operation: &Operation, admin: &str, me: &str) -> Vec<Caller> {
    let token = if operation.id == "change_my_password" {
        me
    } else {
        admin
    };
    let mut callers = vec![Caller {
        name: "admin",
        token: Some(token.to_owned()),
    }];
    if operation.op["security"]
        .as_array()
        .is_some_and(Vec::is_empty)
    {
        callers.push(Caller {
            name: "anonymous",
            token: None,
        });
    }
    callers
}

/// The bad-value cases of one operation.
fn cases_of(
    api: &Value,
    operation: &Operation,
    ctx: &mut Context,
    callers: &[Caller],
) -> Vec<Case> {
    let method = Method::from_bytes(operation.method.as_bytes()).expect("method");
    let content_type = operation.op["requestBody"]["content"]
        .as_object()
        .and_then(|c| c.keys().next().cloned());
    let body_schema = content_type
        .as_ref()
        .map(|ct| operation.op["requestBody"]["content"][ct]["schema"].clone());
    let example = body_schema.as_ref().map(|s| resolve(api, s)).and_then(|s| {
        if type_of(s) == Some("array") {
            resolve(api, &s["items"]).get("example").cloned()
        } else {
            s.get("example").cloned()
        }
    });
    let plain_path = fill_path(&ctx.ids, &operation.method, &operation.path, None);

    let mut variants: Vec<Variant> = Vec::new();
    let fresh_body = |ctx: &mut Context| {
        body_schema
            .as_ref()
            .map(|_| baseline_body(&operation.id, example.as_ref(), ctx).to_string())
    };
    for parameter in operation.op["parameters"].as_array().into_iter().flatten() {
        let name = parameter["name"].as_str().expect("parameter name");
        let place = match parameter["in"].as_str() {
            Some("path") => Place::Path,
            Some("query") => Place::Query,
            Some("header") => Place::Header,
            _ => continue,
        };
        for bad in bad_values(api, &parameter["schema"], name, place) {
            let Some(text) = bad.text.clone() else {
                continue;
            };
            let (url, headers) = match place {
                Place::Path => (
                    fill_path(
                        &ctx.ids,
                        &operation.method,
                        &operation.path,
                        Some((name, &encode(&text))),
                    ),
                    vec![],
                ),
                Place::Query => (
                    format!(
                        "{plain_path}?{}={}",
                        encode(name),
                        encode(&text).replace("%2C", ",")
                    ),
                    vec![],
                ),
                Place::Header => (
                    plain_path.clone(),
                    vec![(name.to_owned(), text.into_bytes())],
                ),
                Place::Body => continue,
            };
            let body = fresh_body(ctx);
            variants.push(Variant {
                field: name.to_owned(),
                bad,
                url,
                headers,
                body,
            });
        }
    }
    if let Some(schema) = &body_schema {
        let (in_array, fields) = body_fields(api, schema);
        for (path, field_schema) in fields {
            let field = path.last().cloned().unwrap_or_default();
            for bad in bad_values(api, &field_schema, &field, Place::Body) {
                let mut base = baseline_body(&operation.id, example.as_ref(), ctx);
                if field == "amount_granted" {
                    // An amount granted is taken only once granted: judge the amount itself.
                    base["status"] = json!("granted");
                }
                let body = with_placeholder(&base, in_array, &path)
                    .to_string()
                    .replacen(&Value::String(PLACEHOLDER.into()).to_string(), &bad.json, 1);
                variants.push(Variant {
                    field: format!("/{}", path.join("/")),
                    bad,
                    url: plain_path.clone(),
                    headers: vec![],
                    body: Some(body),
                });
            }
        }
    }
    let mut cases = Vec::new();
    for variant in variants {
        for caller in callers {
            cases.push(Case {
                operation: format!("{} {} ({})", operation.method, operation.path, operation.id),
                field: variant.field.clone(),
                value: variant.bad.label.clone(),
                caller: caller.name,
                method: method.clone(),
                url: variant.url.clone(),
                token: caller.token.clone(),
                headers: variant.headers.clone(),
                body: variant
                    .body
                    .clone()
                    .zip(content_type.clone())
                    .map(|(b, ct)| (ct, b)),
                strict: variant.bad.strict,
            });
        }
    }
    cases
}

/// The operation's valid request, to show the bad values are the only thing wrong.
fn baseline_case(api: &Value, operation: &Operation, ctx: &mut Context, caller: &Caller) -> Case {
    let content_type = operation.op["requestBody"]["content"]
        .as_object()
        .and_then(|c| c.keys().next().cloned());
    let example = content_type.as_ref().and_then(|ct| {
        let schema = resolve(api, &operation.op["requestBody"]["content"][ct]["schema"]);
        if type_of(schema) == Some("array") {
            resolve(api, &schema["items"]).get("example").cloned()
        } else {
            schema.get("example").cloned()
        }
    });
    let body = content_type.map(|ct| {
        (
            ct,
            baseline_body(&operation.id, example.as_ref(), ctx).to_string(),
        )
    });
    Case {
        operation: format!("{} {} ({})", operation.method, operation.path, operation.id),
        field: "-".into(),
        value: "baseline".into(),
        caller: caller.name,
        method: Method::from_bytes(operation.method.as_bytes()).expect("method"),
        url: fill_path(&ctx.ids, &operation.method, &operation.path, None),
        token: caller.token.clone(),
        headers: vec![],
        body,
        strict: false,
    }
}

async fn created_id(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let reply = app.post_json(Some(token), path, body).await;
    assert!(
        (200..300).contains(&reply.status),
        "setup POST {path}: {} {}",
        reply.status,
        reply.text
    );
    reply.json()["id"].as_str().expect("id").to_owned()
}

async fn person(app: &TestApp, admin: &str, association: &str) -> String {
    created_id(
        app,
        admin,
        &format!("/api/v1/associations/{association}/people"),
        json!({"first_name": "Awa", "last_name": "Inputs", "gender": "female"}),
    )
    .await
}

async fn funding(app: &TestApp, admin: &str, association: &str) -> String {
    created_id(
        app,
        admin,
        &format!("/api/v1/associations/{association}/funding-applications"),
        json!({
            "call_title": "Inputs call", "funder": "Inputs Fund", "amount_requested": "12500.00",
            "status": "submitted", "submitted_on": "2026-10-01"
        }),
    )
    .await
}

#[tokio::test]
async fn no_input_of_any_operation_gets_a_500() {
    let started = std::time::Instant::now();
    let api = serde_json::to_value(empower_api::openapi::document()).expect("contract");
    let app = TestApp::spawn().await;
    let backend = if app.db().is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let admin = app.admin_token().await;
    let (_, me_email, me_password) = app.create_user(&admin, "staff").await;
    let me_tokens = app.login(&me_email, &me_password).await;
    let me = me_tokens["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();

    let association = app.create_association(&admin, "Inputs Main").await;
    let applicant = app.create_association(&admin, "Inputs Applicant").await;
    let victim_association = app.create_association(&admin, "Inputs Victim").await;
    let transition = created_id(
        &app,
        &admin,
        &format!("/api/v1/associations/{association}/transitions"),
        json!({"to": "shortlisted", "reason": "Inputs"}),
    )
    .await;
    let person_id = person(&app, &admin, &association).await;
    let victim_person = person(&app, &admin, &association).await;
    let consent = created_id(
        &app,
        &admin,
        &format!("/api/v1/people/{person_id}/consents"),
        json!({"purpose": "publication", "granted": true, "text_version": "2026-10"}),
    )
    .await;
    let funding_id = funding(&app, &admin, &association).await;
    let victim_funding = funding(&app, &admin, &association).await;
    let (user, _, _) = app.create_user(&admin, "viewer").await;
    let (client, _, _) = app.create_client(&admin, &["sync:read"]).await;
    let mut ctx = Context {
        ids: Ids {
            association,
            applicant,
            victim_association,
            transition,
            person: person_id,
            victim_person,
            consent,
            funding: funding_id,
            victim_funding,
            user,
            client,
        },
        me_password,
        refresh_token: me_tokens["refresh_token"]
            .as_str()
            .expect("refresh token")
            .to_owned(),
        counter: 0,
    };

    let mut failures: Vec<String> = Vec::new();
    let mut sent = 0_usize;
    let mut statuses: std::collections::BTreeMap<u16, usize> = std::collections::BTreeMap::new();
    for operation in operations(&api) {
        if operation.id == "issue_client_token" {
            continue; // form-encoded, RFC 6749 errors: see its own test below
        }
        let callers = callers_of(&operation, &admin, &me);
        // Deletes and transitions change what the bad values are tried on: their valid request
        // comes last.
        let baseline_last = operation.method == "DELETE"
            || ["create_association_transition", "change_my_password"]
                .contains(&operation.id.as_str());
        if !baseline_last {
            let case = baseline_case(&api, &operation, &mut ctx, &callers[0]);
            let outcome = fire(&app, &case).await;
            sent += 1;
            check_baseline(backend, &case, &outcome, &mut failures);
        }
        for case in cases_of(&api, &operation, &mut ctx, &callers) {
            let outcome = fire(&app, &case).await;
            sent += 1;
            if let Ok(reply) = &outcome {
                *statuses.entry(reply.status).or_insert(0) += 1;
            }
            if std::env::var_os("INPUTS_TRACE").is_some() {
                eprintln!(
                    "{} | {} | {} | {} | strict {} -> {:?}",
                    case.operation,
                    case.field,
                    case.value,
                    case.caller,
                    case.strict,
                    outcome.as_ref().map(|r| (r.status, snippet(&r.text)))
                );
            }
            record(backend, &case, &outcome, &mut failures);
        }
        if baseline_last {
            let case = baseline_case(&api, &operation, &mut ctx, &callers[0]);
            let outcome = fire(&app, &case).await;
            sent += 1;
            check_baseline(backend, &case, &outcome, &mut failures);
        }
    }
    eprintln!(
        "{sent} requests on {backend} in {:?}, {} failed; statuses of the bad values: {statuses:?}",
        started.elapsed(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {sent} inputs were mishandled on {backend}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Notes a case whose answer is wrong.
fn record(backend: &str, case: &Case, outcome: &Result<Reply, String>, failures: &mut Vec<String>) {
    let why = match outcome {
        Ok(reply) => verdict(reply, case.strict)
            .map(|why| format!("{} {why}: {}", reply.status, snippet(&reply.text))),
        Err(transport) => Some(transport.clone()),
    };
    if let Some(why) = why {
        let line = format!(
            "{} | field {} | value {} | as {} | {backend} | {why}",
            case.operation, case.field, case.value, case.caller
        );
        eprintln!("FAILED {line}");
        failures.push(line);
    }
}

/// The valid request must succeed, or the bad values prove nothing.
fn check_baseline(
    backend: &str,
    case: &Case,
    outcome: &Result<Reply, String>,
    failures: &mut Vec<String>,
) {
    let why = match outcome {
        Ok(reply) if (200..300).contains(&reply.status) => None,
        Ok(reply) => Some(format!("{}: {}", reply.status, snippet(&reply.text))),
        Err(transport) => Some(transport.clone()),
    };
    if let Some(why) = why {
        let line = format!(
            "{} | the valid request is refused as {} | {backend} | {why}",
            case.operation, case.caller
        );
        eprintln!("FAILED {line}");
        failures.push(line);
    }
}

/// What is wrong with an answer of the token endpoint, if anything: it must be a 4xx OAuth
/// error (`error` in a JSON body), never a 5xx. Headers too large for the server to read are
/// refused before the endpoint is reached, as a problem.
fn oauth_fault(reply: &Reply) -> Option<String> {
    if !(400..500).contains(&reply.status) {
        return Some(format!("{} {}", reply.status, snippet(&reply.text)));
    }
    if reply.status == 431 && reply.header("content-type") == "application/problem+json" {
        return None;
    }
    if !reply.header("content-type").starts_with("application/json") {
        return Some(format!(
            "{} with Content-Type {:?}",
            reply.status,
            reply.header("content-type")
        ));
    }
    match serde_json::from_str::<Value>(&reply.text) {
        Ok(body) if body["error"].is_string() => None,
        _ => Some(format!(
            "{} without an OAuth error: {}",
            reply.status,
            snippet(&reply.text)
        )),
    }
}

#[tokio::test]
async fn the_token_endpoint_answers_bad_inputs_with_oauth_errors() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, client_id, secret) = app.create_client(&admin, &["sync:read"]).await;
    let long = "x".repeat(LONG);
    let mut failures = Vec::new();
    for (label, value) in [
        ("NUL", "a\u{0}b"),
        ("BEL", "a\u{7}b"),
        ("zero-width", "\u{200b}\u{200b}"),
        ("bidi", "x\u{202e}y"),
        ("100000 chars", long.as_str()),
    ] {
        for field in ["client_id", "client_secret", "scope", "grant_type"] {
            let mut form = vec![
                ("grant_type", "client_credentials"),
                ("client_id", client_id.as_str()),
                ("client_secret", secret.as_str()),
            ];
            form.retain(|(k, _)| *k != field);
            form.push((field, value));
            let reply = app.client_token_request(None, &form).await;
            if let Some(why) = oauth_fault(&reply) {
                failures.push(format!("form {field} = {label}: {why}"));
            }
        }
        // Basic credentials travel base64-encoded in a header: keep them within what the server
        // reads of a request head (128 KiB).
        let value = if value.len() > LONG_IN_URL {
            &value[..LONG_IN_URL]
        } else {
            value
        };
        for (id, key) in [(value, secret.as_str()), (client_id.as_str(), value)] {
            let reply = app
                .client_token_request(Some((id, key)), &[("grant_type", "client_credentials")])
                .await;
            if let Some(why) = oauth_fault(&reply) {
                let which = if id == value { "id" } else { "secret" };
                failures.push(format!("Basic client {which} = {label}: {why}"));
            }
        }
    }
    for failure in &failures {
        eprintln!("FAILED POST /api/v1/auth/token | {failure}");
    }
    // The right credentials still work.
    let reply = app
        .client_token_request(
            Some((&client_id, &secret)),
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A 4xx problem document, whatever its status.
fn assert_any_problem(reply: &Reply, what: &str) -> Value {
    assert!(
        (400..500).contains(&reply.status),
        "{what}: {} {}",
        reply.status,
        snippet(&reply.text)
    );
    assert_eq!(
        reply.header("content-type"),
        "application/problem+json",
        "{what}"
    );
    let body: Value = serde_json::from_str(&reply.text)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", snippet(&reply.text)));
    assert_eq!(body["status"], reply.status, "{what}");
    assert!(body["code"].is_string(), "{what}: {body}");
    body
}

#[tokio::test]
async fn a_20000_character_url_is_a_problem() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let long = "x".repeat(20_000);
    for (token, path) in [
        (Some(&admin), format!("/api/v1/associations?q={long}")),
        (None, format!("/api/v1/associations?q={long}")),
        (None, format!("/api/v1/countries/{long}")),
        (Some(&admin), format!("/api/v1/countries/{long}")),
        (Some(&admin), format!("/api/v1/associations/{long}")),
    ] {
        let reply = app
            .send(Method::GET, &path, |r| match token {
                Some(t) => r.bearer_auth(t),
                None => r,
            })
            .await;
        assert_any_problem(&reply, &format!("{} chars of {}", path.len(), &path[..30]));
    }
}

#[tokio::test]
async fn header_values_with_obs_text_are_never_a_500() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association = app.create_association(&admin, "Header Bytes").await;
    let path = format!("/api/v1/associations/{association}");
    let values: [&[u8]; 4] = [
        b"\x80\xff\xfe",
        b"\"\x80\xff\"",
        b"Bearer \xc3\xa9\xff\x80",
        b"caf\xc3\xa9 \xa0\xbf",
    ];
    let mut failures = Vec::new();
    for value in values {
        let shown = String::from_utf8_lossy(value).into_owned();
        for header in [
            "If-Match",
            "Authorization",
            "Idempotency-Key",
            "X-Request-Id",
        ] {
            for (method, target, body) in [
                (Method::GET, "/api/v1/countries/SN", None),
                (Method::GET, path.as_str(), None),
                (
                    Method::PATCH,
                    path.as_str(),
                    Some(("application/merge-patch+json", json!({"member_count": 7}))),
                ),
                (
                    Method::POST,
                    "/api/v1/associations",
                    Some((
                        "application/json",
                        json!({"name": format!("Header {}", uuid::Uuid::now_v7()), "legal_form": "de_facto", "countries_of_origin": ["SN"]}),
                    )),
                ),
            ] {
                let reply = app
                    .send(method.clone(), target, |r| {
                        let r = if header == "Authorization" {
                            r
                        } else {
                            r.bearer_auth(&admin)
                        };
                        let r = r.header(
                            header,
                            reqwest::header::HeaderValue::from_bytes(value)
                                .expect("obs-text is a legal header value"),
                        );
                        match &body {
                            Some((ct, b)) => r.header("Content-Type", *ct).body(b.to_string()),
                            None => r,
                        }
                    })
                    .await;
                let bad = if reply.status >= 500 {
                    Some("server error".to_owned())
                } else if reply.status >= 400
                    && reply.header("content-type") != "application/problem+json"
                {
                    Some("error without problem details".to_owned())
                } else if !reply
                    .header("x-request-id")
                    .bytes()
                    .all(|b| b.is_ascii_graphic())
                    || reply.header("x-request-id").is_empty()
                {
                    Some("no sane X-Request-Id".to_owned())
                } else {
                    None
                };
                if let Some(why) = bad {
                    let line = format!(
                        "{method} {target} with {header}: {shown:?}: {} {why}: {}",
                        reply.status,
                        snippet(&reply.text)
                    );
                    eprintln!("FAILED {line}");
                    failures.push(line);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn an_encoded_nul_in_a_path_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for path in [
        "/api/v1/countries/%00",
        "/api/v1/countries/S%00",
        "/api/v1/sdgs/%00",
    ] {
        let body = app.get(path).await.assert_problem(400, "invalid_parameter");
        assert!(body["errors"][0]["parameter"].is_string(), "{path}: {body}");
    }
    app.get_as(&admin, "/api/v1/associations/%00")
        .await
        .assert_problem(400, "invalid_parameter");
}

#[tokio::test]
async fn out_of_range_filters_are_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for (query, parameter) in [
        ("sdg=18", "sdg"),
        ("sdg=0", "sdg"),
        ("country=XX", "country"),
        ("country=S%00", "country"),
        ("updated_after=-9999-01-01T00:00:00Z", "updated_after"),
        ("updated_after=%2B99999-12-31T00:00:00Z", "updated_after"),
    ] {
        for path in ["/api/v1/associations", "/api/v1/associations/export"] {
            let body = app
                .get_as(&admin, &format!("{path}?{query}"))
                .await
                .assert_problem(400, "invalid_parameter");
            let named = body["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["parameter"] == parameter);
            assert!(named, "{path}?{query}: {body}");
        }
    }
}
