//! Users and API clients are bound only to an association that exists.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

use super::fixtures::{created, id_of};

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|i| i["pointer"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn binding_to_an_association_that_does_not_exist_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let home = app.create_association(&admin, "Home Circle").await;
    let gone = app.create_association(&admin, "Gone Circle").await;
    let deleted = app
        .write_as(
            Method::DELETE,
            &admin,
            &format!("/api/v1/associations/{gone}"),
            None,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let users_before = app
        .get_as(&admin, "/api/v1/users?include_total=true")
        .await
        .json()["total"]
        .clone();
    let clients_before = app
        .get_as(&admin, "/api/v1/api-clients?include_total=true")
        .await
        .json()["total"]
        .clone();

    for (what, missing) in [
        ("a random id", uuid::Uuid::now_v7().to_string()),
        ("a deleted association", gone.clone()),
    ] {
        let problem = app
            .post_json(
                Some(&admin),
                "/api/v1/users",
                json!({
                    "email": format!("bound-{}@test.empower.local", uuid::Uuid::now_v7().simple()),
                    "display_name": "Bound nowhere", "role": "association",
                    "association_id": missing, "password": "a-test-password-long-enough"
                }),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(
            pointers(&problem),
            ["/association_id"],
            "user bound to {what}"
        );
        let problem = app
            .post_json(
                Some(&admin),
                "/api/v1/api-clients",
                json!({"name": "Bound nowhere", "scopes": ["associations:read"], "association_id": missing}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(
            pointers(&problem),
            ["/association_id"],
            "client bound to {what}"
        );
    }
    assert_eq!(
        app.get_as(&admin, "/api/v1/users?include_total=true")
            .await
            .json()["total"],
        users_before,
        "no user created"
    );
    assert_eq!(
        app.get_as(&admin, "/api/v1/api-clients?include_total=true")
            .await
            .json()["total"],
        clients_before,
        "no client created"
    );

    // Moving an existing binding to a missing association: refused, the binding stays.
    let user = created(
        &app,
        &admin,
        "/api/v1/users",
        json!({
            "email": "bound-home@test.empower.local", "display_name": "Bound home",
            "role": "association", "association_id": home, "password": "a-test-password-long-enough"
        }),
    )
    .await;
    let user_path = format!("/api/v1/users/{}", id_of(&user));
    let client = created(
        &app,
        &admin,
        "/api/v1/api-clients",
        json!({"name": "Bound home", "scopes": ["associations:read"], "association_id": home}),
    )
    .await;
    let client_path = format!("/api/v1/api-clients/{}", id_of(&client));
    for path in [&user_path, &client_path] {
        for missing in [uuid::Uuid::now_v7().to_string(), gone.clone()] {
            let problem = app
                .patch_as(&admin, path, json!({"association_id": missing}), None)
                .await
                .assert_problem(422, "validation_failed");
            assert_eq!(pointers(&problem), ["/association_id"], "PATCH {path}");
        }
        let now = app.get_as(&admin, path).await.json();
        assert_eq!(now["association_id"], home.as_str(), "{path} stays bound");
        assert_eq!(now["version"], 1, "{path} unchanged");
    }
}
