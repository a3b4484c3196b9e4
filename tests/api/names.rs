//! Names and identities people cannot spoof: no invisible or bidi characters in names and
//! emails, look-alike association names collide (by folded key or by confusable skeleton) on
//! every way in (POST, PUT, PATCH, CSV import), text is stored NFC, and passwords that are blank
//! or guessable are refused with every problem named at once.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

/// The first column of every row `sql` selects, read straight from the server's database.
async fn stored(app: &TestApp, sql: &str) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = app.connect().await;
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .expect("query the test database");
    rows.iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("a text column"))
        .collect()
}

fn body(name: &str) -> Value {
    json!({"name": name, "legal_form": "de_facto", "countries_of_origin": ["SN"]})
}

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["pointer"].as_str().map(str::to_owned))
        .collect()
}

async fn create(app: &TestApp, token: &str, name: &str) -> Value {
    let reply = app
        .post_json(Some(token), "/api/v1/associations", body(name))
        .await;
    assert_eq!(reply.status, 201, "create {name:?}: {}", reply.text);
    reply.json()
}

async fn put(app: &TestApp, token: &str, id: &str, name: &str) -> Reply {
    app.write_as(
        reqwest::Method::PUT,
        token,
        &format!("/api/v1/associations/{id}"),
        Some(body(name)),
        None,
    )
    .await
}

async fn import_csv(app: &TestApp, token: &str, file: String) -> Reply {
    app.send(reqwest::Method::POST, "/api/v1/associations/import", |r| {
        r.bearer_auth(token)
            .header("Content-Type", "text/csv")
            .body(file)
    })
    .await
}

/// Latin a, e, o, c, p replaced by their Cyrillic look-alikes.
fn cyrillic_look_alike(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'a' => '\u{0430}',
            'e' => '\u{0435}',
            'o' => '\u{043E}',
            'c' => '\u{0441}',
            'p' => '\u{0440}',
            other => other,
        })
        .collect()
}

const HIDDEN: [&str; 6] = [
    "Femmes\u{200B}Solidaires",
    "Femmes Solidaires\u{200B}",
    "Femmes\u{202E}Solidaires",
    "\u{2066}Femmes Solidaires\u{2069}",
    "Femmes\u{FEFF} Solidaires",
    "Fem\u{00AD}mes Solidaires",
];

const INVISIBLE_ONLY: [&str; 3] = [
    "\u{200B}\u{200B}\u{200B}",
    "\u{2060}\u{2060}",
    "\u{200E}\u{200F}",
];

#[tokio::test]
async fn names_with_invisible_or_bidi_characters_are_refused_everywhere() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let existing = create(&app, &admin, "Plain Name").await;
    let id = existing["id"].as_str().expect("id");
    for name in HIDDEN.iter().chain(INVISIBLE_ONLY.iter()) {
        let problem = app
            .post_json(Some(&admin), "/api/v1/associations", body(name))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(pointers(&problem), ["/name"], "POST {name:?}");

        let problem = put(&app, &admin, id, name)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(pointers(&problem), ["/name"], "PUT {name:?}");
        let problem = put(&app, &admin, &uuid::Uuid::now_v7().to_string(), name)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(pointers(&problem), ["/name"], "PUT new {name:?}");

        let problem = app
            .patch_as(
                &admin,
                &format!("/api/v1/associations/{id}"),
                json!({"name": name}),
                None,
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(pointers(&problem), ["/name"], "PATCH {name:?}");
    }
    // The same in a spreadsheet: each row is an error on /name, nothing is written.
    let mut file = String::from("name,legal_form,countries_of_origin\n");
    for name in HIDDEN.iter().chain(INVISIBLE_ONLY.iter()) {
        file.push_str(&format!("{name},de_facto,SN\n"));
    }
    let report = import_csv(&app, &admin, file)
        .await
        .assert_problem(422, "validation_failed");
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), HIDDEN.len() + INVISIBLE_ONLY.len());
    for row in rows {
        assert_eq!(row["status"], "error", "{row}");
        assert_eq!(pointers(row), ["/name"], "{row}");
    }
    let read = app
        .get_as(&admin, &format!("/api/v1/associations/{id}"))
        .await
        .json();
    assert_eq!(read["name"], "Plain Name");
    assert_eq!(read["version"], 1, "nothing was written");
}

#[tokio::test]
async fn fullwidth_case_and_accent_variants_of_a_live_name_are_conflicts() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    create(&app, &admin, "Femmes Solidaires").await;
    let other = create(&app, &admin, "Autre Collectif").await;
    let other_id = other["id"].as_str().expect("id");
    for variant in [
        "\u{FF26}\u{FF45}\u{FF4D}\u{FF4D}\u{FF45}\u{FF53} \u{FF33}\u{FF4F}\u{FF4C}\u{FF49}\u{FF44}\u{FF41}\u{FF49}\u{FF52}\u{FF45}\u{FF53}",
        "FEMMES SOLIDAIRES",
        "femmes  solidaires",
        "Fémmes Sölidaires",
        "Fe\u{0301}mmes Solidaires",
    ] {
        app.post_json(Some(&admin), "/api/v1/associations", body(variant))
            .await
            .assert_problem(409, "conflict");
        put(&app, &admin, other_id, variant)
            .await
            .assert_problem(409, "conflict");
        put(&app, &admin, &uuid::Uuid::now_v7().to_string(), variant)
            .await
            .assert_problem(409, "conflict");
        app.patch_as(
            &admin,
            &format!("/api/v1/associations/{other_id}"),
            json!({"name": variant}),
            None,
        )
        .await
        .assert_problem(409, "conflict");
    }
    let total = app
        .get_as(&admin, "/api/v1/associations?include_total=true")
        .await
        .json();
    assert_eq!(total["total"], 2, "no look-alike was created");
}

#[tokio::test]
async fn a_name_confusable_with_a_live_one_is_a_409_naming_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let original = "Espace Femmes Solidaires Pour Tous";
    create(&app, &admin, original).await;
    let spoof = cyrillic_look_alike(original);
    assert_ne!(spoof, original);
    let other = create(&app, &admin, "Collectif Baobab").await;
    let other_id = other["id"].as_str().expect("id");

    let check = |reply: Reply, how: &str| {
        let problem = reply.assert_problem(409, "name_confusable");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(original),
            "{how}: the detail names the other association: {problem}"
        );
    };
    check(
        app.post_json(Some(&admin), "/api/v1/associations", body(&spoof))
            .await,
        "POST",
    );
    check(put(&app, &admin, other_id, &spoof).await, "PUT replace");
    check(
        put(&app, &admin, &uuid::Uuid::now_v7().to_string(), &spoof).await,
        "PUT create",
    );
    check(
        app.patch_as(
            &admin,
            &format!("/api/v1/associations/{other_id}"),
            json!({"name": spoof}),
            None,
        )
        .await,
        "PATCH",
    );
    // Only some letters swapped is just as confusable.
    let partly = original.replacen('a', "\u{0430}", 1);
    check(
        app.post_json(Some(&admin), "/api/v1/associations", body(&partly))
            .await,
        "POST partly Cyrillic",
    );

    let file = format!(
        "name,legal_form,countries_of_origin\n{spoof},de_facto,SN\nHonest Newcomers,de_facto,ML\n"
    );
    let report = import_csv(&app, &admin, file.clone())
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(report["rows"][0]["status"], "error", "{report}");
    assert_eq!(pointers(&report["rows"][0]), ["/name"]);
    assert!(
        report["rows"][0]["errors"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains(original)),
        "{report}"
    );
    assert_eq!(report["rows"][1]["status"], "created");
    let partial = app
        .send(
            reqwest::Method::POST,
            "/api/v1/associations/import?mode=partial",
            |r| {
                r.bearer_auth(&admin)
                    .header("Content-Type", "text/csv")
                    .body(file)
            },
        )
        .await;
    assert_eq!(partial.status, 200, "{}", partial.text);
    assert_eq!(partial.json()["rows"][0]["status"], "error");

    // A name in another script that looks like no other is welcome.
    create(&app, &admin, "Женщины Африки").await;
    let names: Vec<String> = app
        .get_as(&admin, "/api/v1/associations?limit=200")
        .await
        .json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|a| a["name"].as_str().map(str::to_owned))
        .collect();
    assert!(!names.contains(&spoof), "{names:?}");
    assert!(!names.contains(&partly), "{names:?}");
}

#[tokio::test]
async fn decomposed_names_are_stored_composed() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = create(&app, &admin, "Re\u{0301}seau des Femmes").await;
    assert_eq!(created["name"], "R\u{e9}seau des Femmes");
    let id = created["id"].as_str().expect("id");
    let read = app
        .get_as(&admin, &format!("/api/v1/associations/{id}"))
        .await
        .json();
    assert_eq!(read["name"], "R\u{e9}seau des Femmes");
    let names = stored(&app, "SELECT name FROM associations").await;
    assert_eq!(names, ["R\u{e9}seau des Femmes"], "stored composed");
    let patched = app
        .patch_as(
            &admin,
            &format!("/api/v1/associations/{id}"),
            json!({"name": "Re\u{0301}seau des Femmes Unies"}),
            None,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json()["name"], "R\u{e9}seau des Femmes Unies");
    app.post_json(
        Some(&admin),
        "/api/v1/associations",
        body("R\u{e9}seau des Femmes Unies"),
    )
    .await
    .assert_problem(409, "conflict");
}

fn user_body(email: &str, password: &str) -> Value {
    json!({"email": email, "display_name": "Amina Diop", "role": "viewer", "password": password})
}

#[tokio::test]
async fn emails_with_hidden_characters_are_refused_and_stored_nfc_lower_case() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let first = app
        .post_json(
            Some(&admin),
            "/api/v1/users",
            user_body("amina@example.be", "a long enough passphrase"),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    for email in [
        "amina@example.be\u{200B}",
        "\u{200B}amina@example.be",
        "ami\u{200D}na@example.be",
        "amina\u{202E}@example.be",
        "\u{2066}amina@example.be\u{2069}",
        "amina@example.be\u{FEFF}",
        "fresh\u{200B}@example.be",
    ] {
        let problem = app
            .post_json(
                Some(&admin),
                "/api/v1/users",
                user_body(email, "a long enough passphrase"),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(pointers(&problem), ["/email"], "{email:?}");
    }
    let listed = app
        .get_as(&admin, "/api/v1/users?role=viewer&include_total=true")
        .await
        .json();
    assert_eq!(
        listed["total"], 1,
        "no second account behind a hidden character"
    );

    let created = app
        .post_json(
            Some(&admin),
            "/api/v1/users",
            user_body(
                "Awa.Diop@Re\u{0301}SEAU.Example",
                "a long enough passphrase",
            ),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let user = created.json();
    assert_eq!(user["email"], "awa.diop@r\u{e9}seau.example");
    let read = app
        .get_as(
            &admin,
            &format!("/api/v1/users/{}", user["id"].as_str().expect("id")),
        )
        .await
        .json();
    assert_eq!(read["email"], "awa.diop@r\u{e9}seau.example");
    let emails = stored(&app, "SELECT email FROM users").await;
    assert!(
        emails.contains(&"awa.diop@r\u{e9}seau.example".to_owned()),
        "stored composed and lower-case: {emails:?}"
    );
    assert!(
        emails
            .iter()
            .all(|e| !e.contains('\u{301}') && *e == e.to_lowercase()),
        "{emails:?}"
    );
    app.post_json(
        Some(&admin),
        "/api/v1/users",
        user_body("AWA.DIOP@R\u{c9}SEAU.EXAMPLE", "a long enough passphrase"),
    )
    .await
    .assert_problem(409, "conflict");
    app.login(
        "awa.diop@re\u{0301}seau.example",
        "a long enough passphrase",
    )
    .await;
}

#[tokio::test]
async fn blank_and_guessable_passwords_are_refused_for_new_users() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for (i, password) in [
        "            ",
        "\t\t\t\t\t\t\t\t\t\t\t\t",
        "password1234",
        "qwertyuiopas",
        "123456789012",
    ]
    .iter()
    .enumerate()
    {
        let problem = app
            .post_json(
                Some(&admin),
                "/api/v1/users",
                user_body(&format!("weak{i}@example.be"), password),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(pointers(&problem), ["/password"], "{password:?}");
    }
    // The account's own email as its password is guessable too.
    let problem = app
        .post_json(
            Some(&admin),
            "/api/v1/users",
            user_body("mariama.sow@example.be", "mariama.sow@example.be"),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(pointers(&problem), ["/password"]);
}

#[tokio::test]
async fn a_password_change_names_every_problem_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, email, password) = app.create_user(&admin, "staff").await;
    let token = app.login(&email, &password).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    for weak in ["            ", "password1234", "qwertyuiopas"] {
        let problem = app
            .post_json(Some(&token), "/api/v1/me/password", change(&password, weak))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(pointers(&problem), ["/new_password"], "{weak:?}");
    }
    let problem = app
        .post_json(
            Some(&token),
            "/api/v1/me/password",
            change(&password, &password),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        pointers(&problem),
        ["/new_password"],
        "the current one again"
    );

    let problem = app
        .post_json(
            Some(&token),
            "/api/v1/me/password",
            change("not my password at all", "password1234"),
        )
        .await
        .assert_problem(422, "validation_failed");
    let mut found = pointers(&problem);
    found.sort_unstable();
    assert_eq!(found, ["/current_password", "/new_password"]);

    // The password is still the old one.
    app.login(&email, &password).await;
}
