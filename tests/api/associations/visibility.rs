//! Visibility: an association user sees and edits only her own association.

use serde_json::json;

use super::fixtures::{body, create};
use crate::helpers::TestApp;

#[tokio::test]
async fn association_users_see_and_edit_only_their_own_association() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let own = create(&app, &admin, body("Our Own Association")).await;
    let other = create(&app, &admin, body("Someone Else")).await;
    let own_id = own["id"].as_str().expect("id");
    let reply = app
        .post_json(
            Some(&admin),
            "/api/v1/users",
            json!({
                "email": "member@own.example", "display_name": "Member", "role": "association",
                "association_id": own_id, "password": "a long enough passphrase"
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let member = app
        .login("member@own.example", "a long enough passphrase")
        .await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();

    let list = app
        .get_as(&member, "/api/v1/associations?include_total=true")
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], own_id);
    assert_eq!(
        app.get_as(&member, &format!("/api/v1/associations/{own_id}"))
            .await
            .status,
        200
    );
    let other_path = format!("/api/v1/associations/{}", other["id"].as_str().expect("id"));
    for path in [
        other_path.clone(),
        format!("{other_path}/transitions"),
        format!("{other_path}/eligibility"),
    ] {
        app.get_as(&member, &path)
            .await
            .assert_problem(404, "not_found");
    }
    app.patch_as(&member, &other_path, json!({"member_count": 1}), None)
        .await
        .assert_problem(404, "not_found");
    let edited = app
        .patch_as(
            &member,
            &format!("/api/v1/associations/{own_id}"),
            json!({"member_count": 31}),
            None,
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    app.post_json(
        Some(&member),
        &format!("/api/v1/associations/{own_id}/transitions"),
        json!({"to": "shortlisted", "reason": "me"}),
    )
    .await
    .assert_problem(403, "forbidden");
    app.send(
        reqwest::Method::DELETE,
        &format!("/api/v1/associations/{own_id}"),
        |r| r.bearer_auth(&member),
    )
    .await
    .assert_problem(403, "forbidden");
    app.get_as(&member, "/api/v1/changes")
        .await
        .assert_problem(403, "forbidden");
}
