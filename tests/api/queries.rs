//! No N+1: the number of queries a list page costs does not grow with the page size, in the
//! domain's lists and in every list operation of the whole server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use empower_api::Application;

use empower_domain::association::{self, AssociationFilter, AssociationInput, SortField};
use empower_domain::audit::AuditContext;
use empower_domain::files::FileStore;
use empower_domain::paging::PageRequest;
use empower_domain::person::{self, ConsentPurpose, Gender, PersonInput};
use empower_domain::policy::CallerScope;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestDb, test_settings};

#[tokio::test]
async fn list_pages_cost_the_same_number_of_queries_whatever_their_size() {
    let test_db = TestDb::new().await;
    let mut db = empower_domain::db::connect(test_db.url())
        .await
        .expect("connect");
    empower_domain::db::migrate_up(&db).await.expect("migrate");
    let context = AuditContext::system();
    let scope = CallerScope::SYSTEM;
    let mut first = None;
    let tx = empower_domain::db::begin_write(&db).await.expect("begin");
    for i in 0..30 {
        let mut input =
            AssociationInput::de_facto(&format!("Counted association {i:02}"), &["SN", "ML"]);
        input.sdgs = vec![4, 5];
        let made = association::create(&tx, &context, None, &input, &scope)
            .await
            .expect("create");
        let owner = *first.get_or_insert(made.row.id);
        let person = PersonInput::named(&format!("Person {i}"), "Counted", Gender::Female);
        let created = person::create(&tx, &context, owner, None, &person, &scope)
            .await
            .expect("person");
        let consent = person::ConsentInput {
            purpose: ConsentPurpose::Publication,
            granted: true,
            text_version: "1".into(),
        };
        person::record_consent(&tx, &context, created.row.id, &consent, &scope)
            .await
            .expect("consent");
    }
    tx.commit().await.expect("commit");
    let owner = first.expect("an association");
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let filter = AssociationFilter {
        q: Some("counted".into()),
        ..Default::default()
    };
    let sort = [(SortField::Name, false)];
    let mut costs = Vec::new();
    for limit in [2, 25] {
        count.store(0, Ordering::SeqCst);
        let page = PageRequest::new(Some(limit), None, false).expect("page");
        let listed = association::list(&db, &filter, &sort, &page, &scope)
            .await
            .expect("list");
        assert_eq!(listed.items.len() as i64, limit);
        assert!(
            listed
                .items
                .iter()
                .all(|a| a.countries_of_origin.len() == 2 && a.sdgs.len() == 2)
        );
        let people = person::list(&db, owner, &page, &scope)
            .await
            .expect("people");
        assert!(!people.items.is_empty());
        costs.push(count.load(Ordering::SeqCst));
    }
    assert_eq!(
        costs[0], costs[1],
        "queries per page must not grow with its size: {costs:?}"
    );
    assert!(
        costs[0] <= 8,
        "a page of associations and a page of people: {costs:?} queries"
    );
    db.close().await.ok();
}

/// A server whose every SQL statement is recorded, and a client for it.
struct ObservedApp {
    address: String,
    client: reqwest::Client,
    statements: Arc<Mutex<Vec<String>>>,
}

impl ObservedApp {
    async fn spawn(db: &TestDb) -> Self {
        let statements: Arc<Mutex<Vec<String>>> = Arc::default();
        let recorded = statements.clone();
        let app = Application::build_observed(test_settings(db), move |query| {
            if let Ok(mut all) = recorded.lock() {
                all.push(query.sql.to_owned());
            }
        })
        .await
        .expect("server builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            statements,
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, Value)>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some((content_type, body)) = body {
            request = request
                .header("Content-Type", content_type)
                .body(body.to_string());
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body read");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, token: &str, path: &str) -> Value {
        let (status, body) = self.send(Method::GET, path, Some(token), None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> Value {
        let (status, reply) = self
            .send(
                Method::POST,
                path,
                Some(token),
                Some(("application/json", body)),
            )
            .await;
        assert_eq!(status, 201, "POST {path}: {reply}");
        reply
    }

    /// `GET path` as `token`, with the statements the server ran for it.
    async fn counted(&self, token: &str, path: &str) -> (u16, Value, Vec<String>) {
        // Nothing from an earlier request may still be on its way.
        tokio::time::sleep(SETTLE).await;
        self.statements.lock().expect("statements").clear();
        let (status, body) = self.send(Method::GET, path, Some(token), None).await;
        tokio::time::sleep(SETTLE).await;
        let ran = std::mem::take(&mut *self.statements.lock().expect("statements"));
        (status, body, ran)
    }
}

/// Long enough for whatever a request runs after its answer to be recorded with it.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(25);

/// A larger page, within every list's maximum.
const LARGE: i64 = 20;

/// List operations this test cannot cover, each with its reason. Empty: every list is covered.
const NOT_COVERED: &[(&str, &str)] = &[];

/// Lists whose page costs depend on the kinds of rows it holds, measured once per kind so the
/// page of one holds the same kinds as the page of twenty. A page of published deliverables
/// reads the stories of its briefs and the entries of its calendars (with the consent of the
/// people and associations in them), each query skipped when no row of the page needs it:
/// unfiltered, the first row (the repertoire) needs neither.
const FILTERED: &[(&str, &[&str])] = &[(
    "/api/v1/public/deliverables",
    &["kind=brief", "kind=calendar"],
)];

/// The list operations of the contract: every `GET` whose 200 answer is a page (an object with
/// an `items` array and a `next_cursor`), with the largest `limit` it accepts up to [`LARGE`].
fn list_operations(contract: &Value) -> Vec<(String, i64)> {
    let resolve = |value: &Value| -> Value {
        match value["$ref"].as_str() {
            Some(pointer) => contract
                .pointer(pointer.trim_start_matches('#'))
                .cloned()
                .unwrap_or(Value::Null),
            None => value.clone(),
        }
    };
    let mut lists = Vec::new();
    for (path, item) in contract["paths"].as_object().expect("paths") {
        let Some(get) = item.get("get") else { continue };
        let schema = resolve(&get["responses"]["200"]["content"]["application/json"]["schema"]);
        let is_page = schema["properties"]["items"]["type"] == "array"
            && schema["properties"].get("next_cursor").is_some();
        if !is_page {
            continue;
        }
        let limit = get["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(&resolve)
            .find(|p| p["name"] == "limit" && p["in"] == "query")
            .unwrap_or_else(|| panic!("the list {path} takes a limit"));
        let max = limit["schema"]["maximum"].as_i64().unwrap_or(LARGE);
        lists.push((path.clone(), LARGE.min(max)));
    }
    lists
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect()
}

fn items(page: &Value) -> usize {
    page["items"].as_array().map_or(0, Vec::len)
}

/// Statements of `a` missing from `b` (as many times as they are missing), for the report.
fn extra(a: &[String], b: &[String]) -> Vec<String> {
    let mut left: Vec<&String> = b.iter().collect();
    a.iter()
        .filter(|s| match left.iter().position(|t| t == s) {
            Some(i) => {
                left.remove(i);
                false
            }
            None => true,
        })
        .cloned()
        .collect()
}

/// Every list operation of the contract, called as an admin over the demo data set (topped up
/// where it leaves a list with fewer than two rows): after a warm-up, a page of one and a page of
/// twenty cost the same number of SQL statements, and the page of twenty holds more than one row.
#[tokio::test]
async fn every_list_endpoint_costs_the_same_queries_whatever_the_page_size() {
    let test_db = TestDb::new().await;
    let app = ObservedApp::spawn(&test_db).await;
    let conn = empower_domain::db::connect(test_db.url())
        .await
        .expect("connect");
    empower_domain::demo::seed(
        &conn,
        "Quiet-Harbour-Lantern-2026-demo",
        &FileStore::new(test_db.files_dir()),
    )
    .await
    .expect("demo data");
    conn.close().await.ok();
    let (status, login) = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some((
                "application/json",
                json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
            )),
        )
        .await;
    assert_eq!(status, 200, "{login}");
    let admin = login["access_token"].as_str().expect("token").to_owned();

    // What the demo leaves empty or with a single row.
    for i in 0..3 {
        app.post(
            &admin,
            "/api/v1/api-clients",
            json!({"name": format!("Counted client {i}"), "scopes": ["sync:read"]}),
        )
        .await;
    }
    let clients = ids(&app.get(&admin, "/api/v1/api-clients?limit=200").await);
    for i in 0..2 {
        app.post(
            &admin,
            "/api/v1/webhooks",
            json!({"api_client_id": clients[0], "url": format!("http://127.0.0.1:9/counted-{i}"),
                "event_types": ["*"]}),
        )
        .await;
    }
    let hooks = ids(&app.get(&admin, "/api/v1/webhooks?limit=200").await);
    for _ in 0..3 {
        let (status, reply) = app
            .send(
                Method::POST,
                &format!("/api/v1/webhooks/{}/ping", hooks[0]),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(status, 202, "ping: {reply}");
    }
    let associations = ids(&app.get(&admin, "/api/v1/associations?limit=200").await);
    let first = &associations[0];
    for i in 0..3 {
        app.post(
            &admin,
            &format!("/api/v1/associations/{first}/funding-applications"),
            json!({
                "call_title": format!("Counted call {i}"), "funder": "Demo Foundation",
                "amount_requested": "1000.00", "status": "draft"
            }),
        )
        .await;
    }
    for fields in [json!(["city"]), json!(["city", "sdgs"])] {
        let (status, body) = app
            .send(
                Method::PATCH,
                &format!("/api/v1/associations/{first}"),
                Some(&admin),
                Some((
                    "application/merge-patch+json",
                    json!({"publication_consent": {"granted": true, "fields": fields}}),
                )),
            )
            .await;
        assert_eq!(status, 200, "consent change: {body}");
    }

    // A second published brief and a second published calendar (the demo publishes one of
    // each), about an association of the public repertoire and its representative.
    let listed = app.get(&admin, "/api/v1/public/repertoire?limit=1").await;
    let featured = ids(&listed).pop().expect("a consenting association");
    let country = app
        .get(&admin, &format!("/api/v1/associations/{featured}"))
        .await["countries_of_origin"][0]
        .clone();
    let representative = ids(&app
        .get(
            &admin,
            &format!("/api/v1/associations/{featured}/people?limit=1"),
        )
        .await)
    .pop()
    .expect("a representative");
    let brief = app
        .post(
            &admin,
            "/api/v1/deliverables",
            json!({"kind": "brief", "title": {"en": "Counted brief"}, "summary": {"en": "Counted."}}),
        )
        .await;
    let brief = brief["id"].as_str().expect("id").to_owned();
    app.post(
        &admin,
        &format!("/api/v1/deliverables/{brief}/stories"),
        json!({"association_id": featured, "title": {"en": "Counted story"},
               "body": {"en": "A story."}, "country": country, "person_ids": [representative]}),
    )
    .await;
    let calendar = app
        .post(
            &admin,
            "/api/v1/deliverables",
            json!({"kind": "calendar", "title": {"en": "Counted calendar"},
                   "summary": {"en": "Counted."}, "year": 2028}),
        )
        .await;
    let calendar = calendar["id"].as_str().expect("id").to_owned();
    for month in 1..=12 {
        app.post(
            &admin,
            &format!("/api/v1/deliverables/{calendar}/calendar-entries"),
            json!({"month": month, "association_id": featured,
                   "headline": {"en": format!("Month {month}")}, "caption": {"en": "Counted."}}),
        )
        .await;
    }
    for id in [&brief, &calendar] {
        for to in ["in_review", "approved", "published"] {
            let (status, body) = app
                .send(
                    Method::POST,
                    &format!("/api/v1/deliverables/{id}/transitions"),
                    Some(&admin),
                    Some(("application/json", json!({"to": to}))),
                )
                .await;
            assert!(
                status == 200 || status == 201,
                "deliverable {id} to {to}: {body}"
            );
        }
    }

    let contract = empower_api::openapi::contract();
    let lists = list_operations(&contract);
    let templates: Vec<&str> = lists.iter().map(|(p, _)| p.as_str()).collect();
    assert!(
        lists.len() >= 25,
        "the contract's lists were found: {templates:?}"
    );
    // Candidate ids for a `{...}` segment: the items of the collection above it, or, for a
    // person (who has no list of her own), every association's people.
    let mut people = Vec::new();
    for association in &associations {
        people.extend(ids(&app
            .get(
                &admin,
                &format!("/api/v1/associations/{association}/people?limit=200"),
            )
            .await));
    }

    let mut table = Vec::new();
    let mut failures = Vec::new();
    for (template, limit) in &lists {
        if let Some((_, reason)) = NOT_COVERED.iter().find(|(p, _)| p == template) {
            table.push(format!("{template:<52} not covered: {reason}"));
            continue;
        }
        let path = if let Some((parent, rest)) = template.split_once("/{") {
            let (_, tail) = rest.split_once('}').expect("a closed parameter");
            assert!(!tail.contains('{'), "one parameter at most: {template}");
            let candidates = if templates.contains(&parent) {
                ids(&app.get(&admin, &format!("{parent}?limit=200")).await)
            } else if parent == "/api/v1/people" {
                people.clone()
            } else {
                failures.push(format!("{template}: no way to find ids for it"));
                continue;
            };
            // The parent whose list is longest.
            let mut best: Option<(usize, String)> = None;
            for id in candidates {
                let path = format!("{parent}/{id}{tail}");
                let (status, page) = app
                    .send(
                        Method::GET,
                        &format!("{path}?limit={limit}"),
                        Some(&admin),
                        None,
                    )
                    .await;
                if status == 200 && best.as_ref().is_none_or(|(n, _)| items(&page) > *n) {
                    best = Some((items(&page), path));
                }
            }
            match best {
                Some((_, path)) => path,
                None => {
                    failures.push(format!("{template}: no parent to list under"));
                    continue;
                }
            }
        } else {
            template.clone()
        };
        let filters = FILTERED
            .iter()
            .find(|(p, _)| p == template)
            .map_or(&[""][..], |(_, filters)| *filters);
        for filter in filters {
            let (label, query) = if filter.is_empty() {
                (template.clone(), String::new())
            } else {
                (format!("{template}?{filter}"), format!("{filter}&"))
            };
            let large_page = format!("{path}?{query}limit={limit}");
            let small_page = format!("{path}?{query}limit=1");
            let (status, warm, _) = app.counted(&admin, &large_page).await;
            assert_eq!(status, 200, "GET {large_page}: {warm}");
            let (status, one, small) = app.counted(&admin, &small_page).await;
            assert_eq!(status, 200, "GET {small_page}: {one}");
            let (status, many, large) = app.counted(&admin, &large_page).await;
            assert_eq!(status, 200, "GET {large_page}: {many}");
            let (n_one, n_many) = (items(&one), items(&many));
            table.push(format!(
                "{label:<56} {:>3} queries (limit=1, {n_one} item) {:>3} queries (limit={limit}, {n_many} items)",
                small.len(),
                large.len()
            ));
            if n_one != 1 {
                failures.push(format!("{small_page} answered {n_one} items"));
            }
            if n_many < 2 {
                failures.push(format!(
                    "{large_page} answered {n_many} item(s): seed more so the test means something"
                ));
            }
            if small.len() != large.len() {
                failures.push(format!(
                    "{large_page}: {} queries for 1 item, {} for {n_many}; extra statements: {:#?}",
                    small.len(),
                    large.len(),
                    extra(&large, &small)
                ));
            }
        }
    }
    let table = table.join("\n");
    println!("queries per list request, as admin over the demo data set:\n{table}");
    assert!(failures.is_empty(), "{}\n\n{table}", failures.join("\n"));
}
