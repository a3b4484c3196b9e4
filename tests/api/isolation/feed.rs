//! The change feed shows a bound client its own association's changes only.

use std::collections::BTreeSet;

use serde_json::json;

use crate::helpers::TestApp;

use super::fixtures::holding;

/// The feed as `token` sees it: (type, id) of every item.
async fn feed(app: &TestApp, token: &str, query: &str) -> Vec<(String, String)> {
    let reply = app
        .get_as(token, &format!("/api/v1/changes?limit=200{query}"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["type"].as_str().expect("type").to_owned(),
                i["id"].as_str().expect("id").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_change_feed_shows_a_bound_client_its_own_association_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let own = holding(&app, &admin, "Own Circle").await;
    let other = holding(&app, &admin, "Other Circle").await;
    let patched = app
        .patch_as(
            &admin,
            &format!("/api/v1/associations/{}", other.association),
            json!({"member_count": 7}),
            None,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    // The registry's types (a new database also holds the seeded modules, programme-wide).
    let everything = feed(
        &app,
        &admin,
        "&types=association,person,funding_application",
    )
    .await;
    let own_ids = [&own.association, &own.person, &own.application];
    let other_ids = [&other.association, &other.person, &other.application];
    let types: BTreeSet<&str> = everything.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        BTreeSet::from(["association", "funding_application", "person"])
    );

    // Bound: its own association's changes, all of them, in order; never another's.
    let bound = app
        .client_token(
            &admin,
            &["sync:read", "associations:read"],
            Some(&own.association),
        )
        .await;
    let seen = feed(&app, &bound, "").await;
    let expected: Vec<(String, String)> = everything
        .iter()
        .filter(|(_, id)| own_ids.contains(&id))
        .cloned()
        .collect();
    assert_eq!(seen, expected, "a bound client sees its own changes only");
    assert!(
        seen.iter().all(|(_, id)| !other_ids.contains(&id)),
        "never another association's"
    );
    for (kind, id) in [
        ("association", &own.association),
        ("person", &own.person),
        ("funding_application", &own.application),
    ] {
        assert!(
            seen.iter().any(|(t, i)| t == kind && i == id),
            "{kind} {id} is in the bound feed"
        );
    }
    let people = feed(&app, &bound, "&types=person").await;
    assert!(!people.is_empty());
    assert!(
        people
            .iter()
            .all(|(t, id)| t == "person" && id == &own.person),
        "{people:?}"
    );
    // Also on a cursor past the start: still its own only.
    let first = app.get_as(&bound, "/api/v1/changes?limit=1").await.json();
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let rest = feed(&app, &bound, &format!("&cursor={cursor}")).await;
    assert_eq!(rest, expected[1..].to_vec());

    // A client without read rights on any type sees nothing at all, bound or not.
    for association in [None, Some(own.association.as_str())] {
        let sync_only = app.client_token(&admin, &["sync:read"], association).await;
        let seen = feed(&app, &sync_only, "").await;
        assert!(
            seen.is_empty(),
            "sync:read alone (bound: {association:?}) reads no type: {seen:?}"
        );
        let seen = feed(&app, &sync_only, "&types=association,person").await;
        assert!(seen.is_empty(), "{seen:?}");
    }

    // Unbound with read rights: every type (people are read with associations:read too).
    let unbound = app
        .client_token(&admin, &["sync:read", "associations:read"], None)
        .await;
    assert_eq!(feed(&app, &unbound, "").await, everything);

    // Association users do not read the feed at all.
    let user = app.association_user_token(&admin, &own.association).await;
    app.get_as(&user, "/api/v1/changes")
        .await
        .assert_problem(403, "forbidden");
}
