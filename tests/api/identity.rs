//! Logging in, tokens, refresh rotation, throttling, password changes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use empower_api::auth::jwt::{AUDIENCE, ISSUER, key_id};
use empower_api::settings::Secret;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp};

const TEST_SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";

#[tokio::test]
async fn login_answers_tokens_that_open_protected_routes() {
    let app = TestApp::spawn().await;
    let reply = app
        .post_json(
            None,
            "/api/v1/auth/login",
            json!({"email": "ADMIN@test.empower.local", "password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), "no-store");
    let body = reply.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(
        body["refresh_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 40)
    );
    let token = body["access_token"].as_str().expect("token");

    let me = app.get_as(token, "/api/v1/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.header("cache-control"), "no-store");
    assert_eq!(me.json()["email"], ADMIN_EMAIL);
    assert!(me.json().get("password_hash").is_none() && !me.text.contains("argon2"));

    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).expect("claims"))
            .expect("b64"),
    )
    .expect("json");
    for claim in ["sub", "role", "iss", "aud", "iat", "nbf", "exp", "jti"] {
        assert!(!claims[claim].is_null(), "claim {claim}");
    }
    assert_eq!(claims["role"], "admin");
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_401() {
    let app = TestApp::spawn().await;
    let unknown = app
        .post_json(
            None,
            "/api/v1/auth/login",
            json!({"email": "nobody@test.empower.local", "password": ADMIN_PASSWORD}),
        )
        .await;
    let wrong = app
        .post_json(
            None,
            "/api/v1/auth/login",
            json!({"email": ADMIN_EMAIL, "password": "not the password"}),
        )
        .await;
    let (mut a, mut b) = (
        unknown.assert_problem(401, "invalid_credentials"),
        wrong.assert_problem(401, "invalid_credentials"),
    );
    for body in [&mut a, &mut b] {
        body.as_object_mut().expect("object").remove("request_id");
    }
    assert_eq!(a, b);
    assert_eq!(
        unknown.header("www-authenticate"),
        wrong.header("www-authenticate")
    );
}

#[tokio::test]
async fn login_bodies_are_checked() {
    let app = TestApp::spawn().await;
    app.post_json(None, "/api/v1/auth/login", json!({"email": ADMIN_EMAIL}))
        .await
        .assert_problem(422, "validation_failed");
    let body = app
        .post_json(
            None,
            "/api/v1/auth/login",
            json!({"email": ADMIN_EMAIL, "password": "x", "role": "admin"}),
        )
        .await
        .assert_problem(400, "malformed_body");
    assert_eq!(body["errors"][0]["pointer"], "/role");
    let reply = app
        .send(reqwest::Method::POST, "/api/v1/auth/login", |r| {
            r.header("Content-Type", "text/plain").body("email=a")
        })
        .await;
    reply.assert_problem(415, "unsupported_media_type");
    let reply = app
        .send(reqwest::Method::POST, "/api/v1/auth/login", |r| {
            r.header("Content-Type", "application/json")
                .body("{\"email\": ")
        })
        .await;
    reply.assert_problem(400, "malformed_body");
    let reply = app
        .send(reqwest::Method::POST, "/api/v1/auth/login", |r| {
            r.header("Content-Type", "application/json").body(format!(
                "{{\"email\": \"{}\"}}",
                "x".repeat(2 * 1024 * 1024)
            ))
        })
        .await;
    reply.assert_problem(413, "payload_too_large");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_at_once_and_a_success_resets_the_count() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, email, password) = app.create_user(&admin, "staff").await;
    let attempt = |password: &'static str| {
        let email = email.clone();
        let app = &app;
        async move {
            app.post_json(
                None,
                "/api/v1/auth/login",
                json!({"email": email, "password": password}),
            )
            .await
        }
    };
    // Four failures, then a success: the count starts over.
    for _ in 0..4 {
        assert_eq!(attempt("wrong password!").await.status, 401);
    }
    app.login(&email, &password).await;
    for _ in 0..4 {
        assert_eq!(attempt("wrong password!").await.status, 401);
    }
    // The fifth failure in a row locks the account: even the right password is refused.
    assert_eq!(attempt("wrong password!").await.status, 401);
    let locked = app
        .post_json(
            None,
            "/api/v1/auth/login",
            json!({"email": email, "password": password}),
        )
        .await;
    locked.assert_problem(429, "too_many_requests");
    let retry: u64 = locked
        .header("retry-after")
        .parse()
        .expect("Retry-After seconds");
    assert!((1..=60).contains(&retry), "{retry}");

    // Other accounts are not affected, and the audit log has the story.
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let log = app
        .get_as(&admin, "/api/v1/audit-log?action=login.throttled")
        .await
        .json();
    assert_eq!(log["items"].as_array().map(Vec::len), Some(1));
    let failed = app
        .get_as(
            &admin,
            "/api/v1/audit-log?action=login.failed&include_total=true",
        )
        .await
        .json();
    assert_eq!(failed["total"], 9);
}

fn forge(claims: Value, secret: &str, kid: Option<String>) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = kid;
    encode(
        &header,
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

#[tokio::test]
async fn every_kind_of_bad_token_is_a_401_invalid_token() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let me = app.get_as(&admin, "/api/v1/me").await.json();
    let now = chrono::Utc::now().timestamp();
    let kid = Some(key_id(&Secret::new(TEST_SECRET)));
    let claims = |changes: Value| {
        let mut base = json!({
            "sub": me["id"], "kind": "user", "role": "admin", "iss": ISSUER, "aud": AUDIENCE,
            "iat": now, "nbf": now, "exp": now + 900, "jti": "test"
        });
        for (k, v) in changes.as_object().expect("object") {
            base[k] = v.clone();
        }
        base
    };
    // The forging works: a well-formed token with the right secret is accepted.
    let good = forge(claims(json!({})), TEST_SECRET, kid.clone());
    assert_eq!(app.get_as(&good, "/api/v1/me").await.status, 200);

    let tampered = {
        let mut parts: Vec<String> = admin.split('.').map(str::to_owned).collect();
        parts[1] = URL_SAFE_NO_PAD
            .encode(claims(json!({"role": "admin", "sub": "someone-else"})).to_string());
        parts.join(".")
    };
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(format!(
            r#"{{"alg":"none","typ":"JWT","kid":"{}"}}"#,
            kid.clone().unwrap_or_default()
        )),
        URL_SAFE_NO_PAD.encode(claims(json!({})).to_string())
    );
    let cases = [
        (
            "expired",
            forge(
                claims(json!({"exp": now - 120, "iat": now - 1020, "nbf": now - 1020})),
                TEST_SECRET,
                kid.clone(),
            ),
        ),
        (
            "not yet valid",
            forge(claims(json!({"nbf": now + 600})), TEST_SECRET, kid.clone()),
        ),
        (
            "wrong issuer",
            forge(
                claims(json!({"iss": "someone-else"})),
                TEST_SECRET,
                kid.clone(),
            ),
        ),
        (
            "wrong audience",
            forge(
                claims(json!({"aud": "another-api"})),
                TEST_SECRET,
                kid.clone(),
            ),
        ),
        (
            "wrong secret",
            forge(
                claims(json!({})),
                "another-secret-that-is-also-32-bytes-long",
                kid.clone(),
            ),
        ),
        (
            "unknown kid",
            forge(
                claims(json!({})),
                TEST_SECRET,
                Some("0000000000000000".into()),
            ),
        ),
        ("no kid", forge(claims(json!({})), TEST_SECRET, None)),
        ("alg none", unsigned),
        ("tampered", tampered),
        ("garbage", "not-a-jwt".to_owned()),
        (
            "unknown subject",
            forge(
                claims(json!({"sub": uuid::Uuid::now_v7().to_string()})),
                TEST_SECRET,
                kid.clone(),
            ),
        ),
    ];
    for (case, token) in cases {
        let reply = app.get_as(&token, "/api/v1/me").await;
        reply.assert_problem(401, "invalid_token");
        assert_eq!(
            reply.header("www-authenticate"),
            "Bearer error=\"invalid_token\"",
            "{case}"
        );
    }
    let reply = app
        .send(reqwest::Method::GET, "/api/v1/me", |r| {
            r.header("Authorization", format!("Basic {admin}"))
        })
        .await;
    reply.assert_problem(401, "invalid_token");
    let reply = app.get("/api/v1/me").await;
    reply.assert_problem(401, "unauthorized");
    assert_eq!(reply.header("www-authenticate"), "Bearer");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let app = TestApp::spawn().await;
    let first = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r1 = first["refresh_token"].as_str().expect("refresh").to_owned();
    let second = app
        .post_json(None, "/api/v1/auth/refresh", json!({"refresh_token": r1}))
        .await;
    assert_eq!(second.status, 200, "{}", second.text);
    let second = second.json();
    let r2 = second["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    assert_ne!(r1, r2);
    assert_eq!(
        app.get_as(second["access_token"].as_str().expect("t"), "/api/v1/me")
            .await
            .status,
        200
    );

    // A thief replays r1: refused, and the family dies, so r2 no longer works either.
    app.post_json(None, "/api/v1/auth/refresh", json!({"refresh_token": r1}))
        .await
        .assert_problem(401, "invalid_token");
    app.post_json(None, "/api/v1/auth/refresh", json!({"refresh_token": r2}))
        .await
        .assert_problem(401, "invalid_token");

    // Another login is another family, unaffected.
    let other = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let admin = other["access_token"].as_str().expect("token");
    let log = app
        .get_as(admin, "/api/v1/audit-log?action=refresh.reuse_detected")
        .await
        .json();
    assert_eq!(log["items"].as_array().map(Vec::len), Some(1));
    let again = app
        .post_json(
            None,
            "/api/v1/auth/refresh",
            json!({"refresh_token": other["refresh_token"]}),
        )
        .await;
    assert_eq!(again.status, 200);
    app.post_json(
        None,
        "/api/v1/auth/refresh",
        json!({"refresh_token": "never-issued"}),
    )
    .await
    .assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn logout_revokes_the_family() {
    let app = TestApp::spawn().await;
    let tokens = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let refresh = tokens["refresh_token"].clone();
    let reply = app
        .post_json(
            None,
            "/api/v1/auth/logout",
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(reply.status, 204);
    app.post_json(
        None,
        "/api/v1/auth/refresh",
        json!({"refresh_token": refresh}),
    )
    .await
    .assert_problem(401, "invalid_token");
    let unknown = app
        .post_json(
            None,
            "/api/v1/auth/logout",
            json!({"refresh_token": "unknown"}),
        )
        .await;
    assert_eq!(unknown.status, 204, "reveals nothing");
}

#[tokio::test]
async fn a_deactivated_users_tokens_stop_working_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, email, password) = app.create_user(&admin, "staff").await;
    let tokens = app.login(&email, &password).await;
    let access = tokens["access_token"].as_str().expect("token");
    assert_eq!(app.get_as(access, "/api/v1/me").await.status, 200);

    let reply = app
        .patch_as(
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"active": false}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["active"], false);

    app.get_as(access, "/api/v1/me")
        .await
        .assert_problem(401, "invalid_token");
    app.post_json(
        None,
        "/api/v1/auth/refresh",
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await
    .assert_problem(401, "invalid_token");
    app.post_json(
        None,
        "/api/v1/auth/login",
        json!({"email": email, "password": password}),
    )
    .await
    .assert_problem(401, "invalid_credentials");
}

#[tokio::test]
async fn changing_my_password_needs_the_current_one_and_logs_out_other_sessions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, email, password) = app.create_user(&admin, "viewer").await;
    let tokens = app.login(&email, &password).await;
    let access = tokens["access_token"].as_str().expect("token");

    let body = app
        .post_json(
            Some(access),
            "/api/v1/me/password",
            json!({"current_password": "wrong one here", "new_password": "a brand new passphrase"}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["pointer"], "/current_password");
    let body = app
        .post_json(
            Some(access),
            "/api/v1/me/password",
            json!({"current_password": password, "new_password": "short"}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["pointer"], "/new_password");

    let reply = app
        .post_json(
            Some(access),
            "/api/v1/me/password",
            json!({"current_password": password, "new_password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    app.post_json(
        None,
        "/api/v1/auth/refresh",
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await
    .assert_problem(401, "invalid_token");
    app.login(&email, "a brand new passphrase").await;
    app.post_json(
        None,
        "/api/v1/auth/login",
        json!({"email": email, "password": password}),
    )
    .await
    .assert_problem(401, "invalid_credentials");
}
