//! No N+1: the number of queries a list page costs does not grow with the page size.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use empower_domain::association::{
    self, AssociationFilter, AssociationInput, SortField, Visibility,
};
use empower_domain::audit::AuditContext;
use empower_domain::paging::PageRequest;
use empower_domain::person::{self, PersonInput};

use crate::helpers::TestDb;

#[tokio::test]
async fn list_pages_cost_the_same_number_of_queries_whatever_their_size() {
    let test_db = TestDb::new().await;
    let mut db = empower_domain::db::connect(test_db.url())
        .await
        .expect("connect");
    empower_domain::db::migrate_up(&db).await.expect("migrate");
    let context = AuditContext::system();
    let mut first = None;
    for i in 0..30 {
        let input = AssociationInput {
            name: format!("Counted association {i:02}"),
            legal_form: "de_facto".into(),
            countries_of_origin: vec!["SN".into(), "ML".into()],
            sdgs: vec![4, 5],
            ..Default::default()
        };
        let made = association::create(&db, &context, None, &input)
            .await
            .expect("create");
        let owner = *first.get_or_insert(made.row.id);
        let person = PersonInput {
            first_name: format!("Person {i}"),
            last_name: "Counted".into(),
            gender: "female".into(),
            ..Default::default()
        };
        let created = person::create(&db, &context, owner, None, &person, Visibility::All)
            .await
            .expect("person");
        let consent = person::ConsentInput {
            purpose: "publication".into(),
            granted: true,
            text_version: "1".into(),
        };
        person::record_consent(&db, &context, created.row.id, &consent, Visibility::All)
            .await
            .expect("consent");
    }
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
        let listed = association::list(&db, &filter, &sort, &page, Visibility::All)
            .await
            .expect("list");
        assert_eq!(listed.items.len() as i64, limit);
        assert!(
            listed
                .items
                .iter()
                .all(|a| a.countries_of_origin.len() == 2 && a.sdgs.len() == 2)
        );
        let people = person::list(&db, owner, &page, Visibility::All)
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
