//! The registry's search index (`q`): FTS5 trigram on SQLite, `pg_trgm` on PostgreSQL. `q`
//! keeps its meaning: a substring of the name or acronym, ignoring case and accents; the index
//! follows every write in the writing transaction.

use empower_domain::association::{self, AssociationFilter, AssociationInput, SortField};
use empower_domain::audit::AuditContext;
use empower_domain::paging::PageRequest;
use empower_domain::policy::CallerScope;
use serde_json::{Value, json};

use super::fixtures::{body, create};
use crate::helpers::{TestApp, TestDb};

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["name"].as_str().map(str::to_owned))
        .collect()
}

async fn search(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let q: String = q
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let reply = app
        .get_as(token, &format!("/api/v1/associations?q={q}&limit=100"))
        .await;
    assert_eq!(reply.status, 200, "q={q}: {}", reply.text);
    names(&reply.json())
}

/// Twelve associations named "Cercle solidaire NN": a word in most names (served by a walk in
/// name order), so that the words of one name are rare (served by the index on SQLite).
async fn fill(app: &TestApp, token: &str) {
    for i in 0..12 {
        create(app, token, body(&format!("Cercle solidaire {i:02}"))).await;
    }
}

#[tokio::test]
async fn q_finds_substrings_of_name_and_acronym_ignoring_case_and_accents() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    fill(&app, &admin).await;
    for (name, acronym) in [
        ("Réseau des Femmes du Mali", "RFM"),
        ("Collectif des Mamans du Sénégal", "CMS"),
        ("Union \"Ensemble\" (Guinée) - 100% solidaires", "UEG"),
    ] {
        let mut b = body(name);
        b["acronym"] = acronym.into();
        create(&app, &admin, b).await;
    }
    let mali = ["Réseau des Femmes du Mali"];
    assert_eq!(search(&app, &admin, "reseau").await, mali);
    assert_eq!(search(&app, &admin, "RÉSEAU").await, mali);
    assert_eq!(search(&app, &admin, "Reseau des femmes").await, mali);
    // Inside a word, and across words.
    assert_eq!(search(&app, &admin, "ali").await, mali);
    assert_eq!(search(&app, &admin, "mes du ma").await, mali);
    // The acronym.
    assert_eq!(search(&app, &admin, "rfm").await, mali);
    // Two characters: shorter than a trigram, still a substring search.
    assert_eq!(
        search(&app, &admin, "ma").await,
        [
            "Collectif des Mamans du Sénégal",
            "Réseau des Femmes du Mali"
        ]
    );
    // One character, accent folded: every name with an "e".
    assert_eq!(search(&app, &admin, "é").await.len(), 15);
    // A common word: most of the registry.
    assert_eq!(search(&app, &admin, "cercle").await.len(), 12);
    assert_eq!(search(&app, &admin, "solidaire").await.len(), 13);
    // Characters that mean something to FTS5 or to LIKE are plain text.
    let union = ["Union \"Ensemble\" (Guinée) - 100% solidaires"];
    assert_eq!(search(&app, &admin, "\"ensemble\"").await, union);
    assert_eq!(search(&app, &admin, "(guinee) -").await, union);
    assert_eq!(search(&app, &admin, "100%").await, union);
    for nothing in [
        "NEAR(mali",
        "mali OR senegal",
        "*ali",
        "^reseau",
        "r_seau",
        "100%%",
    ] {
        assert_eq!(
            search(&app, &admin, nothing).await,
            Vec::<String>::new(),
            "{nothing}"
        );
    }
}

#[tokio::test]
async fn the_index_follows_renames_and_deletes() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    fill(&app, &admin).await;
    let created = create(&app, &admin, body("Maison des Femmes de Kindu")).await;
    let id = created["id"].as_str().expect("id");
    assert_eq!(search(&app, &admin, "kindu").await.len(), 1);
    let renamed = app
        .patch_as(
            &admin,
            &format!("/api/v1/associations/{id}"),
            json!({"name": "Maison des Femmes de Goma"}),
            None,
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert!(search(&app, &admin, "kindu").await.is_empty());
    assert_eq!(
        search(&app, &admin, "goma").await,
        ["Maison des Femmes de Goma"]
    );
    // A change of another field leaves the index as it was.
    let patched = app
        .patch_as(
            &admin,
            &format!("/api/v1/associations/{id}"),
            json!({"member_count": 12}),
            None,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(search(&app, &admin, "goma").await.len(), 1);
    let deleted = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/associations/{id}"),
            |r| r.bearer_auth(&admin),
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert!(search(&app, &admin, "goma").await.is_empty());
}

#[tokio::test]
async fn the_index_is_written_in_the_writing_transaction() {
    let test_db = TestDb::new().await;
    let db = empower_domain::db::connect(test_db.url())
        .await
        .expect("connect");
    empower_domain::db::migrate_up(&db).await.expect("migrate");
    let filter = AssociationFilter {
        q: Some("Tshikapa".into()),
        ..Default::default()
    };
    let sort = [(SortField::Name, false)];
    let page = PageRequest::new(Some(10), None, false).expect("page");
    let scope = CallerScope::SYSTEM;
    let tx = empower_domain::db::begin_write(&db).await.expect("begin");
    let input = AssociationInput::de_facto("Maison des Femmes de Tshikapa", &["CD"]);
    association::create(&tx, &AuditContext::system(), None, &input, &scope)
        .await
        .expect("create");
    let inside = association::list_in(&tx, &filter, &sort, &page, &scope)
        .await
        .expect("list");
    assert_eq!(inside.items.len(), 1, "the writer finds its own row");
    tx.rollback().await.expect("rollback");
    let after = association::list(&db, &filter, &sort, &page, &scope)
        .await
        .expect("list");
    assert!(
        after.items.is_empty(),
        "a rolled back row is not in the index"
    );
}

/// PostgreSQL plans a search for its pattern, every time, and only the search: the setting
/// lasts as long as the search's transaction (`SET LOCAL`), and the pool's connections keep
/// their default after it.
#[tokio::test]
async fn a_search_is_planned_for_its_pattern_and_nothing_else_is() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    let test_db = TestDb::new().await;
    let db = empower_domain::db::connect(test_db.url())
        .await
        .expect("connect");
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    async fn mode(db: &impl ConnectionTrait) -> String {
        let statement = Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_setting('plan_cache_mode') AS mode",
        );
        db.query_one_raw(statement)
            .await
            .expect("query")
            .expect("row")
            .try_get::<String>("", "mode")
            .expect("mode")
    }
    let tx = empower_domain::db::begin_read_planned_per_value(&db)
        .await
        .expect("begin");
    assert_eq!(mode(&tx).await, "force_custom_plan");
    tx.commit().await.expect("commit");
    // The pool has one connection idle now, the one the transaction used.
    assert_eq!(mode(&db).await, "auto");
}
