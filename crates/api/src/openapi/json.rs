//! The contract's finishing touches at the JSON level, where utoipa's types cannot reach:
//! links' fields in camelCase, headers that are always sent marked required, and the text rules
//! of every request string stated as patterns.

use serde_json::Value;

/// Applies every JSON-level touch.
pub fn finish(contract: &mut Value) {
    let mut request_schemas: Vec<String> = Vec::new();
    if let Some(paths) = contract.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for item in paths.values_mut().filter_map(|i| i.as_object_mut()) {
            for operation in item.values_mut() {
                if let Some(parameters) = operation
                    .get_mut("parameters")
                    .and_then(|p| p.as_array_mut())
                {
                    for parameter in parameters {
                        constrain_parameter(parameter);
                    }
                }
                if let Some(body) = operation.get_mut("requestBody") {
                    collect_refs(body, &mut request_schemas);
                    constrain_strings(body, None);
                }
                let Some(responses) = operation
                    .get_mut("responses")
                    .and_then(|r| r.as_object_mut())
                else {
                    continue;
                };
                for response in responses.values_mut() {
                    camel_case_links(response);
                    require_headers(response);
                }
            }
        }
    }
    constrain_request_schemas(contract, request_schemas);
}

/// Characters no text accepts: C0 controls but tab, line feed and carriage return; DEL; C1.
const CONTROLS: &str = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F";
/// Invisible and bidirectional formatting characters, and noncharacters (of the BMP).
const INVISIBLE: &str = "\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F\\u3164\\uFDD0-\\uFDEF\\uFE00-\\uFE0F\\uFEFF\\uFFA0\\uFFF0-\\uFFFF";
/// The invisible characters a paragraph refuses (it keeps the joiners and emoji selectors).
const PARAGRAPH_INVISIBLE: &str = "\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2060-\\u206F\\u3164\\uFDD0-\\uFDEF\\uFE00-\\uFE0D\\uFEFF\\uFFA0\\uFFF0-\\uFFFF";

/// One line of visible text, not blank (names, titles, emails, codes).
fn line_pattern() -> String {
    let bad = format!("\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029{INVISIBLE}");
    format!("^[^{bad}]*[^\\s{bad}][^{bad}]*$")
}

/// Text with line breaks and tabs, not blank (notes, reasons).
fn paragraph_pattern() -> String {
    let bad = format!("{CONTROLS}{PARAGRAPH_INVISIBLE}");
    format!("^[^{bad}]*[^\\s{bad}][^{bad}]*$")
}

/// Anything but control characters (passwords, tokens, secrets).
fn secret_pattern() -> String {
    format!("^[^{CONTROLS}]*$")
}

const SECRETS: [&str; 6] = [
    "password",
    "current_password",
    "new_password",
    "refresh_token",
    "client_secret",
    "client_id",
];
const PARAGRAPHS: [&str; 4] = ["intervention_regions", "notes", "quote", "reason"];

/// The pattern a string named `name` keeps; a nullable one may also be blank (blank text is
/// taken for no text).
fn pattern_for(name: Option<&str>, nullable: bool) -> String {
    let pattern = match name {
        Some(n) if SECRETS.contains(&n) => return secret_pattern(),
        Some(n) if PARAGRAPHS.contains(&n) => paragraph_pattern(),
        _ => line_pattern(),
    };
    if nullable {
        format!("^\\s*$|{pattern}")
    } else {
        pattern
    }
}

/// Formats whose values are not free text (they have a syntax of their own).
const SYNTAX_FORMATS: [&str; 6] = ["date", "date-time", "uuid", "binary", "uri", "byte"];

fn is_free_string(schema: &serde_json::Map<String, Value>) -> bool {
    let string = match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    };
    let syntax = schema
        .get("format")
        .and_then(|f| f.as_str())
        .is_some_and(|f| SYNTAX_FORMATS.contains(&f));
    string && !syntax && !schema.contains_key("pattern") && !schema.contains_key("enum")
}

fn is_nullable(schema: &serde_json::Map<String, Value>) -> bool {
    matches!(schema.get("type"), Some(Value::Array(types)) if types.iter().any(|t| t == "null"))
}

/// Gives every free-text string in `schema` (properties, items, alternatives) its pattern.
fn constrain_strings(schema: &mut Value, name: Option<&str>) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if is_free_string(object) {
        let pattern = pattern_for(name, is_nullable(object));
        object.insert("pattern".into(), pattern.into());
    }
    if let Some(properties) = object.get_mut("properties").and_then(|p| p.as_object_mut()) {
        for (field, property) in properties.iter_mut() {
            constrain_strings(property, Some(field));
        }
    }
    for key in ["items", "schema"] {
        if let Some(inner) = object.get_mut(key) {
            constrain_strings(inner, name);
        }
    }
    if let Some(content) = object.get_mut("content").and_then(|c| c.as_object_mut()) {
        for media in content.values_mut() {
            constrain_strings(media, name);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(alternatives) = object.get_mut(key).and_then(|a| a.as_array_mut()) {
            for alternative in alternatives {
                constrain_strings(alternative, name);
            }
        }
    }
}

/// Every component name `value` refers to.
fn collect_refs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get("$ref")
                && let Some(name) = reference.strip_prefix("#/components/schemas/")
                && !found.iter().any(|f| f == name)
            {
                found.push(name.to_owned());
            }
            for inner in object.values() {
                collect_refs(inner, found);
            }
        }
        Value::Array(items) => {
            for inner in items {
                collect_refs(inner, found);
            }
        }
        _ => {}
    }
}

/// Gives the free-text strings of every schema a request body reaches their patterns.
fn constrain_request_schemas(contract: &mut Value, mut names: Vec<String>) {
    let Some(schemas) = contract
        .pointer_mut("/components/schemas")
        .and_then(|s| s.as_object_mut())
    else {
        return;
    };
    let mut i = 0;
    while i < names.len() {
        if let Some(schema) = schemas.get(&names[i]) {
            let mut more = Vec::new();
            collect_refs(schema, &mut more);
            for name in more {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        i += 1;
    }
    for name in names {
        if let Some(schema) = schemas.get_mut(&name) {
            constrain_strings(schema, None);
        }
    }
}

/// Entity tags, as `If-Match` takes them: `*` or a list of (weak or strong) quoted tags; an
/// empty value states no condition.
const ENTITY_TAGS: &str =
    "^(|\\*|(W/)?\"[\\x21\\x23-\\x7E]*\"([ \\t]*,[ \\t]*(W/)?\"[\\x21\\x23-\\x7E]*\")*)$";

/// The rules of query and header parameters: `If-Match` is a list of entity tags, a cursor
/// is base64url, other free text is one line.
fn constrain_parameter(parameter: &mut Value) {
    let name = parameter
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or_default()
        .to_owned();
    let Some(schema) = parameter.get_mut("schema").and_then(|s| s.as_object_mut()) else {
        return;
    };
    // Any `If-None-Match` is acceptable: one that names no current version just gets the body.
    // Any `Accept-Language` too: one that names none of our languages (or is empty) gets a
    // language the text has (RFC 9110 §12.5.4 lets a server ignore what it cannot use).
    if !is_free_string(schema) || name == "If-None-Match" || name == "Accept-Language" {
        return;
    }
    let pattern = match name.as_str() {
        "If-Match" => ENTITY_TAGS.to_owned(),
        "cursor" => "^[A-Za-z0-9_-]*$".to_owned(),
        _ => pattern_for(Some(&name), is_nullable(schema)),
    };
    schema.insert("pattern".into(), pattern.into());
}

/// utoipa 5 writes a link's `operationId` as `operation_id`.
fn camel_case_links(response: &mut Value) {
    let Some(links) = response.get_mut("links").and_then(|l| l.as_object_mut()) else {
        return;
    };
    for link in links.values_mut().filter_map(|l| l.as_object_mut()) {
        for (snake, camel) in [
            ("operation_id", "operationId"),
            ("operation_ref", "operationRef"),
            ("request_body", "requestBody"),
        ] {
            if let Some(value) = link.remove(snake) {
                link.insert(camel.into(), value);
            }
        }
    }
}

/// Headers that every response declaring them carries.
const ALWAYS_SENT: [&str; 5] = [
    "X-Request-Id",
    "ETag",
    "Location",
    "WWW-Authenticate",
    "Retry-After",
];

fn require_headers(response: &mut Value) {
    let Some(headers) = response.get_mut("headers").and_then(|h| h.as_object_mut()) else {
        return;
    };
    for (name, header) in headers.iter_mut() {
        if ALWAYS_SENT.contains(&name.as_str())
            && let Some(header) = header.as_object_mut()
        {
            header.insert("required".into(), true.into());
        }
    }
}
