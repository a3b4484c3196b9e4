//! No N+1: the number of queries a list page costs does not grow with the page size.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use empower_domain::association::{self, AssociationFilter, AssociationInput, SortField};
use empower_domain::audit::AuditContext;
use empower_domain::paging::PageRequest;
use empower_domain::person::{self, ConsentPurpose, Gender, PersonInput};
use empower_domain::policy::CallerScope;

use crate::helpers::TestDb;

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
