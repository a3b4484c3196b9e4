//! No 500 from any input. The bad values are derived from the contract at run time: for every
//! operation, every parameter (path, query, header) and every property of its JSON request body
//! (one level into nested objects) is given values of its type that no field should take, in a
//! request that is otherwise valid. Each answer must be a 4xx problem (a 2xx only where the value
//! is legitimately acceptable for that field), never a 5xx. Every failure is printed before the
//! test fails, so one run shows every defect (`INPUTS_TRACE=1` prints every request and answer).
//!
//! `values` derives the bad values from the contract's schemas, `requests` places each in an
//! otherwise valid request of an operation, and `walk` sends them for every operation. The tests
//! of this file take particular inputs one by one: the form-encoded token endpoint, a 20,000-
//! character URL, obs-text header bytes, an encoded NUL in a path and out-of-range filters.

mod requests;
mod values;
mod walk;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

use values::{LONG, LONG_IN_URL};
use walk::snippet;

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

#[tokio::test]
async fn crafted_cursors_are_400_naming_the_cursor() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_association(&admin, "Cursor Holders").await;
    let cursor = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    let some_id = uuid::Uuid::now_v7();
    let cases = [
        // A value of another type than the key's column.
        ("/api/v1/countries", cursor("[1]")),
        ("/api/v1/sdgs", cursor(r#"["x"]"#)),
        ("/api/v1/users", cursor(r#"["x"]"#)),
        ("/api/v1/audit-log", cursor("[7]")),
        (
            &*format!("/api/v1/associations/{id}/people"),
            cursor(r#"["x"]"#),
        ),
        // Text with a NUL or another control character.
        ("/api/v1/countries", cursor(r#"["S\u0000"]"#)),
        (
            "/api/v1/associations?sort=name",
            cursor(&format!(r#"["a\u0000", "{some_id}"]"#)),
        ),
    ]
    .map(|(path, cursor)| (path.to_owned(), cursor));
    for (path, cursor) in cases {
        let separator = if path.contains('?') { '&' } else { '?' };
        let url = format!("{path}{separator}cursor={cursor}");
        let reply = app.get_as(&admin, &url).await;
        assert_eq!(reply.status, 400, "{url}: {}", reply.text);
        let problem = assert_any_problem(&reply, &url);
        assert_eq!(problem["errors"][0]["parameter"], "cursor", "{url}");
    }
}
