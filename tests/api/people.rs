//! People and consents: personal data shown only to whom may see it, audited, never cached.

use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn association(app: &TestApp, token: &str, name: &str) -> String {
    let reply = app
        .post_json(
            Some(token),
            "/api/v1/associations",
            json!({
                "name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"]
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()["id"].as_str().expect("id").to_owned()
}

fn awa() -> Value {
    json!({
        "first_name": " Awa ", "last_name": "Diallo", "gender": "female",
        "email": "Awa@Example.BE", "phone": "+32 470 12 34 56",
        "role_in_association": "president", "is_representative": true, "languages": ["FR", "wo"]
    })
}

#[tokio::test]
async fn people_are_created_and_only_the_right_roles_see_their_contact_details() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association_id = association(&app, &admin, "People Holders").await;
    let reply = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/associations/{association_id}/people"),
            awa(),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), "no-store");
    let person = reply.json();
    assert_eq!(person["first_name"], "Awa");
    assert_eq!(person["email"], "awa@example.be");
    assert_eq!(person["languages"], json!(["fr", "wo"]));
    assert_eq!(person["consents"], json!({}));
    let path = reply.header("location").to_owned();
    let id = person["id"].as_str().expect("id").to_owned();

    let staff = app.token_for(&admin, "staff").await;
    let seen = app.get_as(&staff, &path).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.json()["phone"], "+32 470 12 34 56");
    assert_eq!(seen.header("cache-control"), "no-store");

    let viewer = app.token_for(&admin, "viewer").await;
    let hidden = app.get_as(&viewer, &path).await;
    assert_eq!(hidden.status, 200);
    assert!(hidden.json().get("email").is_none() && hidden.json().get("phone").is_none());
    assert!(!hidden.text.contains("awa@example.be"));
    let listed = app
        .get_as(
            &viewer,
            &format!("/api/v1/associations/{association_id}/people"),
        )
        .await;
    // The phone number in full: a bare "470" also turns up in ids, ETags and timestamps.
    assert!(!listed.text.contains("awa@example.be") && !listed.text.contains("+32 470 12 34 56"));

    let (_, client_id, secret) = app.create_client(&admin, &["associations:read"]).await;
    let token = app
        .client_token_request(
            Some((&client_id, &secret)),
            &[("grant_type", "client_credentials")],
        )
        .await
        .json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let by_client = app.get_as(&token, &path).await;
    assert_eq!(by_client.status, 200);
    assert!(by_client.json().get("email").is_none());
    app.get_as(&token, &format!("{path}/consents"))
        .await
        .assert_problem(403, "forbidden");

    // Reads of contact data are audited (admin's create answer, staff's read), the viewer's not.
    let log = app
        .get_as(
            &admin,
            &format!("/api/v1/audit-log?action=person.contact_read&target_id={id}"),
        )
        .await
        .json();
    assert_eq!(
        log["items"].as_array().map(Vec::len),
        Some(1),
        "only the staff read disclosed contact data"
    );
}

#[tokio::test]
async fn consents_are_append_only_and_the_latest_per_purpose_wins() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association_id = association(&app, &admin, "Consent Keepers").await;
    let person = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/associations/{association_id}/people"),
            awa(),
        )
        .await
        .json();
    let path = format!("/api/v1/people/{}", person["id"].as_str().expect("id"));
    for (purpose, granted) in [
        ("publication", true),
        ("programme_participation", true),
        ("publication", false),
    ] {
        let reply = app
            .post_json(
                Some(&admin),
                &format!("{path}/consents"),
                json!({"purpose": purpose, "granted": granted, "text_version": "2026-10"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let now = app.get_as(&admin, &path).await.json();
    assert_eq!(now["consents"]["publication"]["granted"], false);
    assert_eq!(now["consents"]["programme_participation"]["granted"], true);
    assert!(now["consents"].get("contact_sharing").is_none());
    assert_eq!(now["version"], 4, "each consent bumps the person's version");
    let history = app.get_as(&admin, &format!("{path}/consents")).await.json()["items"].clone();
    assert_eq!(history.as_array().map(Vec::len), Some(3));
    assert_eq!(history[0]["recorded_by_type"], "user");

    let problem = app
        .post_json(
            Some(&admin),
            &format!("{path}/consents"),
            json!({"purpose": "marketing", "granted": true, "text_version": "1"}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["pointer"], "/purpose");
    let problem = app
        .post_json(
            Some(&admin),
            &format!("{path}/consents"),
            json!({"purpose": "publication", "granted": true, "text_version": " "}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["pointer"], "/text_version");
    for method in [reqwest::Method::PATCH, reqwest::Method::DELETE] {
        app.send(method, &format!("{path}/consents"), |r| {
            r.bearer_auth(&admin)
        })
        .await
        .assert_problem(405, "method_not_allowed");
    }
}

#[tokio::test]
async fn people_writes_follow_the_rules_and_conventions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association_id = association(&app, &admin, "Rule Followers").await;
    let other_association = association(&app, &admin, "Other Holders").await;
    let list_path = format!("/api/v1/associations/{association_id}/people");

    let problem = app
        .post_json(
            Some(&admin),
            &list_path,
            json!({
                "first_name": "", "last_name": "X", "gender": "female", "email": "nope",
                "phone": "call", "languages": ["french"]
            }),
        )
        .await
        .assert_problem(422, "validation_failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(
        pointers,
        ["/first_name", "/email", "/phone", "/languages/0"]
    );
    let mut wrong = awa();
    wrong["gender"] = "robot".into();
    app.post_json(Some(&admin), &list_path, wrong)
        .await
        .assert_problem(422, "validation_failed");
    // The contract says `association_id` is a UUID or absent: `null` is neither.
    let mut null_association = awa();
    null_association["association_id"] = Value::Null;
    let problem = app
        .post_json(Some(&admin), &list_path, null_association)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["pointer"], "/association_id");
    let mut elsewhere = awa();
    elsewhere["association_id"] = other_association.clone().into();
    app.post_json(Some(&admin), &list_path, elsewhere)
        .await
        .assert_problem(422, "validation_failed");
    app.post_json(
        Some(&admin),
        &format!("/api/v1/associations/{}/people", uuid::Uuid::now_v7()),
        awa(),
    )
    .await
    .assert_problem(404, "not_found");

    // PUT: create with an association, replace, never move.
    let id = uuid::Uuid::now_v7();
    let path = format!("/api/v1/people/{id}");
    let put = |b: Value| {
        let (app, admin, path) = (&app, &admin, &path);
        async move {
            app.send(reqwest::Method::PUT, path, |r| {
                r.bearer_auth(admin).json(&b)
            })
            .await
        }
    };
    put(awa()).await.assert_problem(422, "validation_failed");
    let mut with_association = awa();
    with_association["association_id"] = association_id.clone().into();
    assert_eq!(put(with_association.clone()).await.status, 201);
    with_association["last_name"] = "Diallo-Sow".into();
    let replaced = put(with_association.clone()).await;
    assert_eq!(replaced.status, 200);
    assert_eq!(replaced.json()["version"], 2);
    with_association["association_id"] = other_association.into();
    put(with_association)
        .await
        .assert_problem(422, "validation_failed");

    // PATCH: null clears, read-only refused, If-Match honoured.
    let patched = app
        .patch_as(&admin, &path, json!({"phone": null}), Some("\"2\""))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert!(patched.json().get("phone").is_none());
    app.patch_as(
        &admin,
        &path,
        json!({"association_id": uuid::Uuid::now_v7()}),
        None,
    )
    .await
    .assert_problem(400, "malformed_body");
    app.patch_as(&admin, &path, json!({"first_name": "Late"}), Some("\"2\""))
        .await
        .assert_problem(412, "precondition_failed");

    // DELETE: gone, and the feed has the tombstone.
    assert_eq!(
        app.send(reqwest::Method::DELETE, &path, |r| r.bearer_auth(&admin))
            .await
            .status,
        204
    );
    app.get_as(&admin, &path)
        .await
        .assert_problem(404, "not_found");
    let feed = app
        .get_as(&admin, "/api/v1/changes?types=person&limit=200")
        .await
        .json();
    let ops: Vec<&str> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["id"] == id.to_string())
        .filter_map(|i| i["op"].as_str())
        .collect();
    assert_eq!(ops, ["upsert", "upsert", "upsert", "delete"]);
    assert!(
        !feed.to_string().contains("Awa"),
        "no personal data in the feed"
    );
}

#[tokio::test]
async fn association_users_manage_only_their_own_people() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let own = association(&app, &admin, "Own People").await;
    let other = association(&app, &admin, "Their People").await;
    let theirs = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/associations/{other}/people"),
            awa(),
        )
        .await
        .json();
    app.post_json(
        Some(&admin),
        "/api/v1/users",
        json!({
            "email": "member@own-people.example", "display_name": "Member", "role": "association",
            "association_id": own, "password": "a long enough passphrase"
        }),
    )
    .await;
    let member = app
        .login("member@own-people.example", "a long enough passphrase")
        .await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();

    let mine = app
        .post_json(
            Some(&member),
            &format!("/api/v1/associations/{own}/people"),
            awa(),
        )
        .await;
    assert_eq!(mine.status, 201, "{}", mine.text);
    assert_eq!(
        mine.json()["email"],
        "awa@example.be",
        "her own association's contacts"
    );
    app.post_json(
        Some(&member),
        &format!("/api/v1/associations/{other}/people"),
        awa(),
    )
    .await
    .assert_problem(404, "not_found");
    let their_path = format!("/api/v1/people/{}", theirs["id"].as_str().expect("id"));
    app.get_as(&member, &their_path)
        .await
        .assert_problem(404, "not_found");
    app.get_as(&member, &format!("{their_path}/consents"))
        .await
        .assert_problem(404, "not_found");
    app.patch_as(&member, &their_path, json!({"first_name": "X"}), None)
        .await
        .assert_problem(404, "not_found");
    app.get_as(&member, &format!("/api/v1/associations/{other}/people"))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_patch_answer_that_shows_contact_data_is_audited_like_a_read() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let association_id = association(&app, &admin, "Patched Contacts").await;
    let created = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/associations/{association_id}/people"),
            awa(),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let patched = app
        .patch_as(
            &admin,
            &format!("/api/v1/people/{id}"),
            json!({"role_in_association": "treasurer"}),
            None,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json()["email"], "awa@example.be");
    let log = app
        .get_as(
            &admin,
            &format!("/api/v1/audit-log?action=person.contact_read&target_id={id}"),
        )
        .await
        .json();
    assert_eq!(log["items"].as_array().map(Vec::len), Some(1));
}
