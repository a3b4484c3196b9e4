//! The bad values of a field, derived from its schema in the contract.

use serde_json::{Value, json};

/// Length of the over-long string sent to every text field.
pub(super) const LONG: usize = 100_000;
/// Length of the over-long string in a URL: the HTTP client refuses URIs beyond 65,534 bytes,
/// so a parameter gets as much as fits (still far beyond any field's maximum).
pub(super) const LONG_IN_URL: usize = 60_000;
/// Items of the over-long array sent to every list field.
const MANY: usize = 10_000;
/// Items of the over-long list in a URL (comma-separated; as many as the client sends).
const MANY_IN_URL: usize = 8_000;

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
pub(super) enum Place {
    Body,
    Query,
    Path,
    Header,
}

/// One value that a field should refuse (`strict`) or may take (no 5xx, though).
#[derive(Debug, Clone)]
pub(super) struct Bad {
    pub(super) label: String,
    /// As a JSON literal, for bodies.
    pub(super) json: String,
    /// As text, for parameters; `None` when it cannot travel there (NUL in a header).
    pub(super) text: Option<String>,
    pub(super) strict: bool,
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
pub(super) fn resolve<'a>(api: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            resolve(api, &api["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// The non-null alternatives of a schema (`oneOf` branches, resolved).
pub(super) fn alternatives(api: &Value, schema: &Value) -> Vec<Value> {
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
pub(super) fn type_of(schema: &Value) -> Option<&str> {
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
pub(super) fn bad_values(api: &Value, schema: &Value, field: &str, place: Place) -> Vec<Bad> {
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
