//! A bound caller edits its own association and its records, but never creates, imports,
//! deletes or moves an association.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

use super::fixtures::{
    Call, application_body, association_body, bound_callers, consent_body, created, holding, id_of,
    listed_ids, person_body, send,
};

async fn association_total(app: &TestApp, admin: &str) -> i64 {
    app.get_as(admin, "/api/v1/associations?include_total=true")
        .await
        .json()["total"]
        .as_i64()
        .expect("total")
}

#[tokio::test]
async fn a_bound_caller_edits_its_own_association_but_never_creates_imports_or_deletes_one() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let own = holding(&app, &admin, "Own Circle").await;
    let callers = bound_callers(
        &app,
        &admin,
        &own.association,
        &["associations:read", "associations:write"],
    )
    .await;
    let own_path = format!("/api/v1/associations/{}", own.association);
    let associations_before = association_total(&app, &admin).await;

    for (n, caller) in callers.iter().enumerate() {
        let who = caller.what;
        // Never for the whole registry: create, import, replace a new id, delete, move.
        let random = uuid::Uuid::now_v7();
        let refused = [
            Call::new(
                "create_association",
                Method::POST,
                "/api/v1/associations".into(),
            )
            .json(association_body(&format!("Created By {n}"))),
            Call::new(
                "import_associations",
                Method::POST,
                "/api/v1/associations/import".into(),
            )
            .json(json!([association_body(&format!("Imported By {n}"))])),
            Call::new(
                "put_association",
                Method::PUT,
                format!("/api/v1/associations/{random}"),
            )
            .json(association_body(&format!("Put By {n}"))),
            Call::new("delete_association", Method::DELETE, own_path.clone()),
            Call::new(
                "create_association_transition",
                Method::POST,
                format!("{own_path}/transitions"),
            )
            .json(json!({"to": "withdrawn", "reason": "We leave"})),
        ];
        for call in &refused {
            let reply = send(&app, &caller.token, call).await;
            let expected = match call.operation.as_str() {
                // A new id is "not yours" to a bound caller the table lets replace.
                "put_association" => caller.refusal("put_association"),
                _ => (403, "forbidden"),
            };
            assert_eq!(
                reply.status,
                expected.0,
                "{who} on {}: {}",
                call.describe(),
                reply.text
            );
            reply.assert_problem(expected.0, expected.1);
        }
        app.get_as(&admin, &format!("/api/v1/associations/{random}"))
            .await
            .assert_problem(404, "not_found");
        let stays = app.get_as(&admin, &own_path).await;
        assert_eq!(stays.status, 200, "{who}: its association stays");
        assert_eq!(stays.json()["status"], "shortlisted");

        // Its own association: patched, and replaced by whom the table lets replace.
        let version = stays.json()["version"].as_i64().expect("version");
        let tag = format!("\"{version}\"");
        let patched = app
            .patch_as(
                &caller.token,
                &own_path,
                json!({"member_count": 10 + n}),
                Some(&tag),
            )
            .await;
        assert_eq!(
            patched.status, 200,
            "{who} patches its own: {}",
            patched.text
        );
        assert_eq!(patched.json()["version"], version + 1);
        assert_eq!(patched.json()["member_count"], 10 + n);
        if caller.may("put_association") {
            let mut body = association_body("Own Circle");
            body["member_count"] = (20 + n).into();
            let put = app
                .write_as(Method::PUT, &caller.token, &own_path, Some(body), None)
                .await;
            assert_eq!(put.status, 200, "{who} replaces its own: {}", put.text);
            assert_eq!(put.json()["member_count"], 20 + n);
            assert_eq!(put.json()["version"], version + 2);
        }

        // Its own people: created, patched, upserted, consented, deleted.
        let person = created(
            &app,
            &caller.token,
            &format!("{own_path}/people"),
            person_body(),
        )
        .await;
        let person_path = format!("/api/v1/people/{}", id_of(&person));
        let patched = app
            .patch_as(
                &caller.token,
                &person_path,
                json!({"role_in_association": "treasurer"}),
                Some("\"1\""),
            )
            .await;
        assert_eq!(patched.status, 200, "{who}: {}", patched.text);
        let fresh = format!("/api/v1/people/{}", uuid::Uuid::now_v7());
        let mut body = person_body();
        body["association_id"] = own.association.clone().into();
        let put = app
            .write_as(Method::PUT, &caller.token, &fresh, Some(body.clone()), None)
            .await;
        assert_eq!(put.status, 201, "{who} upserts a new person: {}", put.text);
        body["first_name"] = "Aminata".into();
        let put = app
            .write_as(
                Method::PUT,
                &caller.token,
                &fresh,
                Some(body),
                Some("\"1\""),
            )
            .await;
        assert_eq!(put.status, 200, "{who} replaces its person: {}", put.text);
        assert_eq!(put.json()["first_name"], "Aminata");
        created(
            &app,
            &caller.token,
            &format!("{fresh}/consents"),
            consent_body(),
        )
        .await;
        let deleted = app
            .write_as(Method::DELETE, &caller.token, &person_path, None, None)
            .await;
        assert_eq!(deleted.status, 204, "{who}: {}", deleted.text);

        // Its own funding applications.
        let application = created(
            &app,
            &caller.token,
            &format!("{own_path}/funding-applications"),
            application_body(),
        )
        .await;
        let application_path = format!("/api/v1/funding-applications/{}", id_of(&application));
        let patched = app
            .patch_as(
                &caller.token,
                &application_path,
                json!({"funder": "Another Foundation"}),
                Some("\"1\""),
            )
            .await;
        assert_eq!(patched.status, 200, "{who}: {}", patched.text);
        let deleted = app
            .write_as(Method::DELETE, &caller.token, &application_path, None, None)
            .await;
        assert_eq!(deleted.status, 204, "{who}: {}", deleted.text);
    }

    assert_eq!(
        association_total(&app, &admin).await,
        associations_before,
        "no association created or deleted"
    );
    let kept = app.get_as(&admin, &own_path).await.json();
    assert_eq!(
        kept["status"], "shortlisted",
        "no transition by a bound caller"
    );
    let transitions = listed_ids(&app, &admin, &format!("{own_path}/transitions")).await;
    assert_eq!(transitions, std::slice::from_ref(&own.transition));
}
