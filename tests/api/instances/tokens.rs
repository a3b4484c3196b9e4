//! Tokens across servers: an access token, a refresh rotation, a deactivation and a revoked client.

use reqwest::Method;
use serde_json::json;

use super::Pair;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_issued_by_one_server_is_accepted_and_revoked_by_the_other() {
    let Some(pair) =
        Pair::start("a_token_issued_by_one_server_is_accepted_and_revoked_by_the_other").await
    else {
        return;
    };
    let admin = pair.admin().await;
    let (user_id, email, password) = pair.user(0, &admin, "viewer").await;

    // An access token from server 0 works on server 1, and the other way round.
    let first = pair.logged_in(0, &email, &password).await;
    let access = first["access_token"].as_str().expect("token");
    assert_eq!(pair.get_ok(1, access, "/api/v1/me").await["id"], user_id);
    let second = pair.logged_in(1, &email, &password).await;
    let other = second["access_token"].as_str().expect("token");
    assert_eq!(pair.get_ok(0, other, "/api/v1/me").await["id"], user_id);

    // A refresh token from server 0 rotates on server 1; its reuse on server 0 is detected
    // and revokes the family, the token server 1 just issued included.
    let refresh = first["refresh_token"].as_str().expect("refresh");
    let rotated = pair
        .post(
            1,
            None,
            "/api/v1/auth/refresh",
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let rotated = rotated.json();
    assert_eq!(
        pair.get_ok(
            0,
            rotated["access_token"].as_str().expect("token"),
            "/api/v1/me"
        )
        .await["id"],
        user_id
    );
    pair.post(
        0,
        None,
        "/api/v1/auth/refresh",
        json!({"refresh_token": refresh}),
    )
    .await
    .assert_problem(401, "invalid_token");
    pair.post(
        1,
        None,
        "/api/v1/auth/refresh",
        json!({"refresh_token": rotated["refresh_token"]}),
    )
    .await
    .assert_problem(401, "invalid_token");

    // Deactivated on server 1: its tokens stop working on server 0 at once.
    let reply = pair
        .patch(
            1,
            &admin,
            &format!("/api/v1/users/{user_id}"),
            json!({"active": false}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(pair.get(0, access, "/api/v1/me").await.status, 401);
    assert_eq!(pair.get(1, other, "/api/v1/me").await.status, 401);

    // An API client's token from server 1 works on server 0 until server 0 revokes the client.
    let client = pair
        .created(
            0,
            &admin,
            "/api/v1/api-clients",
            json!({"name": "Two servers sync", "scopes": ["sync:read", "associations:read"]}),
        )
        .await;
    let token = pair
        .send(
            pair.request(1, Method::POST, "/api/v1/auth/token")
                .basic_auth(
                    client["client_id"].as_str().expect("client_id"),
                    client["client_secret"].as_str(),
                )
                .form(&[("grant_type", "client_credentials")]),
        )
        .await;
    assert_eq!(token.status, 200, "{}", token.text);
    let token = token.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    pair.get_ok(0, &token, "/api/v1/associations").await;
    let reply = pair
        .patch(
            0,
            &admin,
            &format!("/api/v1/api-clients/{}", client["id"].as_str().expect("id")),
            json!({"active": false}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        pair.get(1, &token, "/api/v1/associations").await.status,
        401
    );
}
