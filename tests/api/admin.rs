//! Users and API clients (admin), client credentials, and the audit log.

use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, TestApp};

#[tokio::test]
async fn users_are_created_read_and_listed_with_their_rules() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let reply = app
        .post_json(
            Some(&admin),
            "/api/v1/users",
            json!({
                "email": " Mariam.Kone@Example.BE ", "display_name": "Mariam Koné",
                "role": "staff", "password": "a long enough passphrase"
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let user = reply.json();
    assert_eq!(user["email"], "mariam.kone@example.be");
    assert_eq!(user["version"], 1);
    assert!(user.get("password").is_none() && !reply.text.contains("argon2"));
    let location = reply.header("location").to_owned();
    assert_eq!(
        location,
        format!("/api/v1/users/{}", user["id"].as_str().expect("id"))
    );
    assert_eq!(reply.header("etag"), "\"1\"");
    assert_eq!(reply.header("cache-control"), "no-store");

    let read = app.get_as(&admin, &location).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), user);
    let cached = app
        .send(reqwest::Method::GET, &location, |r| {
            r.bearer_auth(&admin).header("If-None-Match", "\"1\"")
        })
        .await;
    assert_eq!(cached.status, 304);

    // Same email in another case: a duplicate.
    app.post_json(
        Some(&admin),
        "/api/v1/users",
        json!({
            "email": "MARIAM.KONE@example.be", "display_name": "Again", "role": "viewer",
            "password": "a long enough passphrase"
        }),
    )
    .await
    .assert_problem(409, "conflict");

    // Every broken rule is reported at once, with pointers.
    let body = app
        .post_json(Some(&admin), "/api/v1/users", json!({
            "email": "not-an-email", "display_name": "", "role": "association", "password": "short"
        }))
        .await
        .assert_problem(422, "validation_failed");
    let mut pointers: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    pointers.sort_unstable();
    assert_eq!(
        pointers,
        ["/association_id", "/display_name", "/email", "/password"]
    );
    let body = app
        .post_json(
            Some(&admin),
            "/api/v1/users",
            json!({
                "email": "v@example.be", "display_name": "V", "role": "viewer",
                "association_id": uuid::Uuid::now_v7(), "password": "a long enough passphrase"
            }),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["pointer"], "/association_id");
    let body = app
        .post_json(Some(&admin), "/api/v1/users", json!({
            "email": "v@example.be", "display_name": "V", "role": "superuser", "password": "a long enough passphrase"
        }))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["pointer"], "/role");
    let body = app
        .post_json(
            Some(&admin),
            "/api/v1/users",
            json!({
                "email": "v@example.be", "display_name": "V", "role": "viewer",
                "password": "a long enough passphrase", "version": 7
            }),
        )
        .await
        .assert_problem(400, "malformed_body");
    assert_eq!(body["errors"][0]["pointer"], "/version");

    let staff = app
        .get_as(&admin, "/api/v1/users?role=staff&include_total=true")
        .await;
    assert_eq!(staff.json()["total"], 1);
    assert_eq!(staff.header("cache-control"), "no-store");
    app.get_as(&admin, "/api/v1/users?role=king")
        .await
        .assert_problem(400, "invalid_parameter");
    app.get_as(&admin, &format!("/api/v1/users/{}", uuid::Uuid::now_v7()))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn patches_honour_if_match_media_type_and_read_only_fields() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, _, _) = app.create_user(&admin, "viewer").await;
    let path = format!("/api/v1/users/{id}");

    let reply = app
        .patch_as(
            &admin,
            &path,
            json!({"display_name": "Renamed"}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["version"], 2);
    assert_eq!(reply.header("etag"), "\"2\"");

    // A stale version: 412, and nothing is written.
    app.patch_as(
        &admin,
        &path,
        json!({"display_name": "Lost update"}),
        Some("\"1\""),
    )
    .await
    .assert_problem(412, "precondition_failed");
    assert_eq!(
        app.get_as(&admin, &path).await.json()["display_name"],
        "Renamed"
    );

    let body = app
        .patch_as(
            &admin,
            &path,
            json!({"id": uuid::Uuid::now_v7(), "version": 9}),
            None,
        )
        .await
        .assert_problem(400, "malformed_body");
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(2));
    let body = app
        .patch_as(&admin, &path, json!({"favourite_colour": "green"}), None)
        .await
        .assert_problem(400, "malformed_body");
    assert_eq!(body["errors"][0]["pointer"], "/favourite_colour");
    let body = app
        .patch_as(&admin, &path, json!({"display_name": null}), None)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["pointer"], "/display_name");
    let body = app
        .patch_as(&admin, &path, json!({"role": "association"}), None)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["pointer"], "/association_id");
    let reply = app
        .send(reqwest::Method::PATCH, &path, |r| {
            r.bearer_auth(&admin).json(&json!({"display_name": "x"}))
        })
        .await;
    reply.assert_problem(415, "unsupported_media_type");
    assert_eq!(
        app.get_as(&admin, &path).await.json()["version"],
        2,
        "nothing was written"
    );

    // An admin cannot lock themself out.
    let me = app.get_as(&admin, "/api/v1/me").await.json();
    app.patch_as(
        &admin,
        &format!("/api/v1/users/{}", me["id"].as_str().expect("id")),
        json!({"active": false}),
        None,
    )
    .await
    .assert_problem(409, "conflict");
}

#[tokio::test]
async fn api_clients_get_tokens_by_client_credentials_and_revocation_is_immediate() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, client_id, secret) = app
        .create_client(&admin, &["sync:read", "associations:read"])
        .await;
    let read = app
        .get_as(&admin, &format!("/api/v1/api-clients/{id}"))
        .await;
    assert_eq!(read.status, 200);
    assert!(
        read.json().get("client_secret").is_none(),
        "the secret is shown once"
    );
    assert!(!read.text.contains(&secret));

    // HTTP Basic, all scopes.
    let reply = app
        .client_token_request(
            Some((&client_id, &secret)),
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let token = reply.json();
    assert_eq!(token["scope"], "associations:read sync:read");
    assert!(token.get("refresh_token").is_none());
    let access = token["access_token"].as_str().expect("token").to_owned();

    // Form fields, a subset of scopes.
    let reply = app
        .client_token_request(
            None,
            &[
                ("grant_type", "client_credentials"),
                ("scope", "sync:read"),
                ("client_id", &client_id),
                ("client_secret", &secret),
            ],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["scope"], "sync:read");

    for (basic, form, status, error) in [
        (
            Some((client_id.as_str(), "wrong-secret")),
            vec![("grant_type", "client_credentials")],
            401,
            "invalid_client",
        ),
        (
            Some(("nobody", "nothing")),
            vec![("grant_type", "client_credentials")],
            401,
            "invalid_client",
        ),
        (
            None,
            vec![("grant_type", "client_credentials")],
            401,
            "invalid_client",
        ),
        (
            Some((client_id.as_str(), secret.as_str())),
            vec![("grant_type", "password")],
            400,
            "unsupported_grant_type",
        ),
        (
            Some((client_id.as_str(), secret.as_str())),
            vec![
                ("grant_type", "client_credentials"),
                ("scope", "associations:write"),
            ],
            400,
            "invalid_scope",
        ),
        (
            Some((client_id.as_str(), secret.as_str())),
            vec![],
            400,
            "invalid_request",
        ),
    ] {
        let reply = app.client_token_request(basic, &form).await;
        assert_eq!(reply.status, status, "{form:?}: {}", reply.text);
        assert_eq!(reply.header("content-type"), "application/json");
        assert_eq!(reply.json()["error"], error, "{form:?}");
        assert!(reply.json()["error_description"].is_string());
    }

    // A client is no person, and holds no admin rights.
    app.get_as(&access, "/api/v1/me")
        .await
        .assert_problem(403, "forbidden");
    app.get_as(&access, "/api/v1/users")
        .await
        .assert_problem(403, "forbidden");

    // Revocation: the held token stops working at once, and no new one is issued.
    let reply = app
        .patch_as(
            &admin,
            &format!("/api/v1/api-clients/{id}"),
            json!({"active": false}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    app.get_as(&access, "/api/v1/users")
        .await
        .assert_problem(401, "invalid_token");
    let reply = app
        .client_token_request(
            Some((&client_id, &secret)),
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert_eq!(reply.json()["error"], "invalid_client");

    let body = app
        .post_json(
            Some(&admin),
            "/api/v1/api-clients",
            json!({"name": "x", "scopes": ["sync:read", "root"]}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["pointer"], "/scopes/1");
}

#[tokio::test]
async fn the_audit_log_records_who_did_what_and_never_a_secret() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (user_id, email, _) = app.create_user(&admin, "staff").await;
    app.post_json(
        None,
        "/api/v1/auth/login",
        json!({"email": email, "password": "wrong password here"}),
    )
    .await;
    let (client, client_id, secret) = app.create_client(&admin, &["sync:read"]).await;
    app.client_token_request(
        Some((&client_id, &secret)),
        &[("grant_type", "client_credentials")],
    )
    .await;
    app.patch_as(
        &admin,
        &format!("/api/v1/users/{user_id}"),
        json!({"display_name": "Renamed"}),
        None,
    )
    .await;

    let reply = app.get_as(&admin, "/api/v1/audit-log?limit=200").await;
    assert_eq!(reply.status, 200);
    let entries = reply.json()["items"].as_array().expect("items").clone();
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "login.succeeded",
        "user.created",
        "login.failed",
        "api_client.created",
        "token.issued",
        "user.updated",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert_eq!(actions[0], "user.updated", "newest first");
    for secret_text in [
        ADMIN_PASSWORD,
        "wrong password here",
        secret.as_str(),
        admin.as_str(),
    ] {
        assert!(!reply.text.contains(secret_text), "the log holds no secret");
    }
    let created = entries
        .iter()
        .find(|e| e["action"] == "user.created" && e["target_id"] == user_id.as_str())
        .expect("entry");
    assert_eq!(created["actor_type"], "user");
    assert_eq!(created["target_type"], "user");
    assert!(created["request_id"].is_string() && created["source_address"] == "127.0.0.1");

    let by_target = app
        .get_as(
            &admin,
            &format!("/api/v1/audit-log?target_type=api_client&target_id={client}"),
        )
        .await
        .json();
    let actions: Vec<&str> = by_target["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["token.issued", "api_client.created"]);
    let page = app.get_as(&admin, "/api/v1/audit-log?limit=2").await.json();
    let cursor = page["next_cursor"].as_str().expect("more pages");
    let next = app
        .get_as(
            &admin,
            &format!("/api/v1/audit-log?limit=2&cursor={cursor}"),
        )
        .await
        .json();
    assert_ne!(next["items"][0]["id"], page["items"][0]["id"]);
    let future = app
        .get_as(
            &admin,
            "/api/v1/audit-log?occurred_after=2099-01-01T00:00:00Z",
        )
        .await
        .json();
    assert_eq!(future["items"].as_array().map(Vec::len), Some(0));
    app.get_as(&admin, "/api/v1/audit-log?occurred_after=yesterday")
        .await
        .assert_problem(400, "invalid_parameter");
}
