//! Races whose check is not a version: uniqueness (a name, a look-alike name, an email), a
//! `PUT` creating one id, and the current password of a password change.

use super::*;

/// Latin letters with a Cyrillic look-alike, replaced in name `i` where bit `i` says so, so
/// every name of the race is distinct and each looks like every other.
fn look_alike(base: &str, i: usize) -> String {
    let mut position = 0;
    base.chars()
        .map(|c| {
            let swap = match c {
                'a' => Some('\u{0430}'),
                'e' => Some('\u{0435}'),
                'o' => Some('\u{043E}'),
                'c' => Some('\u{0441}'),
                'p' => Some('\u{0440}'),
                _ => None,
            };
            match swap {
                Some(cyrillic) => {
                    position += 1;
                    if i & (1 << (position - 1)) != 0 {
                        cyrillic
                    } else {
                        c
                    }
                }
                None => c,
            }
        })
        .collect()
}

const TAKEN: &[(u16, &str)] = &[(409, "conflict"), (409, "name_confusable")];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_creates_of_one_name_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let shots = (0..N)
        .map(|_| {
            Shot::new(Method::POST, "/api/v1/associations", Some(&admin))
                .json(association_body("Race For One Name"))
        })
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 201, TAKEN);
    let page = get_ok(
        &app,
        &admin,
        "/api/v1/associations?q=race%20for%20one&limit=50",
    )
    .await;
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_creates_of_look_alike_names_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let base = "Cooperative pour la paix";
    let names: Vec<String> = (0..N).map(|i| look_alike(base, i)).collect();
    let distinct: std::collections::BTreeSet<&String> = names.iter().collect();
    assert_eq!(distinct.len(), N, "every name differs from the others");
    let shots = names
        .iter()
        .map(|name| {
            Shot::new(Method::POST, "/api/v1/associations", Some(&admin))
                .json(association_body(name))
        })
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 201, TAKEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_puts_creating_one_id_create_it_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = uuid::Uuid::now_v7().to_string();
    let path = format!("/api/v1/associations/{id}");
    let shots = (0..N)
        .map(|_| Shot::new(Method::PUT, &path, Some(&admin)).json(association_body("Put Once")))
        .collect();
    let replies = fire(&app, shots).await;
    // One creates it; the others replace it with the same fields, which changes nothing.
    let all = statuses(&replies);
    assert_eq!(
        all.iter().filter(|&&s| s == 201).count(),
        1,
        "exactly one 201; statuses: {all:?}"
    );
    for reply in replies.iter().filter(|r| r.status != 201) {
        assert_eq!(reply.status, 200, "{all:?}: {}", reply.text);
        assert_eq!(reply.json()["version"], 1);
    }
    assert_eq!(
        feed_rows(&app, &admin, "association", &id).await,
        upserts(1..=1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_users_with_one_email_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let shots = (0..N)
        .map(|i| {
            Shot::new(Method::POST, "/api/v1/users", Some(&admin)).json(json!({
                "email": "race@empower.local", "display_name": format!("Racer {i}"),
                "role": "viewer", "password": "a long passphrase nobody guesses 7"
            }))
        })
        .collect();
    let replies = fire(&app, shots).await;
    one_winner(&replies, 201, &[(409, "conflict")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_patches_of_one_api_client_version_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let client = created(
        &app,
        &admin,
        "/api/v1/api-clients",
        json!({"name": "Race client", "scopes": ["sync:read"]}),
    )
    .await;
    let path = format!("/api/v1/api-clients/{}", client["id"].as_str().expect("id"));
    let shots = (0..N)
        .map(|i| {
            Shot::new(Method::PATCH, &path, Some(&admin))
                .merge(json!({"name": format!("Client {i}")}))
                .if_match("\"1\"")
        })
        .collect();
    let replies = fire(&app, shots).await;
    let winner = one_winner(&replies, 200, STALE);
    let now = get_ok(&app, &admin, &path).await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["name"], format!("Client {winner}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_password_changes_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, email, password) = app.create_user(&admin, "viewer").await;
    let token = app.login(&email, &password).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let new_password = |i: usize| format!("another long passphrase number {i} for the race");
    let shots = (0..N)
        .map(|i| {
            Shot::new(Method::POST, "/api/v1/me/password", Some(&token)).json(json!({
                "current_password": password, "new_password": new_password(i)
            }))
        })
        .collect();
    let replies = fire(&app, shots).await;
    // The others were checked against a password that is no longer the current one.
    let winner = one_winner(&replies, 204, &[(422, "validation_failed")]);
    for reply in replies.iter().filter(|r| r.status == 422) {
        assert_eq!(reply.json()["errors"][0]["pointer"], "/current_password");
    }
    let login = app
        .post_json(
            None,
            "/api/v1/auth/login",
            json!({"email": email, "password": new_password(winner)}),
        )
        .await;
    assert_eq!(login.status, 200, "the winner's password is the one kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_is_added_under_an_association_being_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_association(&admin, "Race Under Delete").await;
    let people = format!("/api/v1/associations/{id}/people");
    let mut shots: Vec<Shot> = (0..N)
        .map(|i| {
            Shot::new(Method::POST, &people, Some(&admin)).json(
                json!({"first_name": format!("Awa {i}"), "last_name": "Diallo", "gender": "female"}),
            )
        })
        .collect();
    shots.insert(
        N / 2,
        Shot::new(
            Method::DELETE,
            &format!("/api/v1/associations/{id}"),
            Some(&admin),
        ),
    );
    let replies = fire(&app, shots).await;
    let all = statuses(&replies);
    assert!(all.iter().all(|s| [201, 204, 404].contains(s)), "{all:?}");
    assert_eq!(all.iter().filter(|&&s| s == 204).count(), 1, "{all:?}");
    // Every person that was added is in the feed before the association's tombstone.
    let feed = get_ok(
        &app,
        &admin,
        "/api/v1/changes?types=association,person&limit=200",
    )
    .await;
    let items = feed["items"].as_array().expect("items");
    let tombstone = items
        .iter()
        .position(|i| i["id"] == id.as_str() && i["op"] == "delete")
        .expect("the association's tombstone");
    for reply in replies.iter().filter(|r| r.status == 201) {
        let person = reply.json()["id"].clone();
        let at = items
            .iter()
            .position(|i| i["id"] == person)
            .expect("the person's row");
        assert!(
            at < tombstone,
            "a person added after her association was deleted"
        );
    }
}
