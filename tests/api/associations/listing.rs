//! Listing associations: filters, search, sorting and cursor paging.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::fixtures::{body, create};
use crate::helpers::TestApp;

#[tokio::test]
async fn filters_search_sort_and_paging_work_together() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut ids = BTreeMap::new();
    for (name, acronym, country, postal, sdgs) in [
        ("Réseau des Femmes", "RDF", "SN", "1060", vec![5]),
        ("Femmes Actives", "FA", "BE", "2000", vec![4]),
        ("Solidarité Grands Lacs", "SGL", "RW", "5000", vec![5, 16]),
        ("Collectif Maroc", "CM", "MA", "1000", vec![]),
        ("Diaspora Nord", "DN", "FR", "9000", vec![1]),
    ] {
        let mut b = body(name);
        b["acronym"] = acronym.into();
        b["countries_of_origin"] = json!([country]);
        b["address"] = json!({"postal_code": postal});
        b["sdgs"] = json!(sdgs);
        ids.insert(
            name,
            create(&app, &admin, b).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["name"].as_str().map(str::to_owned))
            .collect()
    };
    let get = |query: &str| {
        let (app, admin) = (&app, &admin);
        let query = query.to_owned();
        async move {
            app.get_as(admin, &format!("/api/v1/associations?{query}"))
                .await
        }
    };
    assert_eq!(names(&get("q=reseau").await.json()), ["Réseau des Femmes"]);
    assert_eq!(
        names(&get("q=FEMMES").await.json()),
        ["Femmes Actives", "Réseau des Femmes"]
    );
    assert_eq!(
        names(&get("q=sgl").await.json()),
        ["Solidarité Grands Lacs"]
    );
    assert_eq!(names(&get("q=100%25").await.json()), Vec::<String>::new());
    assert_eq!(
        names(&get("country=sn").await.json()),
        ["Réseau des Femmes"]
    );
    assert_eq!(
        names(&get("region=brussels").await.json()),
        ["Collectif Maroc", "Réseau des Femmes"]
    );
    assert_eq!(
        names(&get("region=wallonia").await.json()),
        ["Solidarité Grands Lacs"]
    );
    assert_eq!(
        names(&get("priority_country=true").await.json()),
        [
            "Collectif Maroc",
            "Réseau des Femmes",
            "Solidarité Grands Lacs"
        ]
    );
    assert_eq!(
        names(&get("priority_country=false").await.json()),
        ["Diaspora Nord", "Femmes Actives"]
    );
    assert_eq!(
        names(&get("sdg=5").await.json()),
        ["Réseau des Femmes", "Solidarité Grands Lacs"]
    );
    assert_eq!(
        names(&get("status=applicant&sdg=5&q=femmes").await.json()),
        ["Réseau des Femmes"]
    );
    assert_eq!(
        names(&get("status=selected").await.json()),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&get("updated_after=2099-01-01T00:00:00Z").await.json()),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&get("sort=-name").await.json())
            .first()
            .map(String::as_str),
        Some("Solidarité Grands Lacs")
    );
    assert_eq!(
        names(&get("sort=-created_at").await.json())
            .first()
            .map(String::as_str),
        Some("Diaspora Nord")
    );
    for (query, parameter) in [
        ("sort=colour", "sort"),
        ("sort=name,name", "sort"),
        ("status=dormant", "status"),
        ("region=mars", "region"),
        ("sdg=x", "sdg"),
        ("updated_after=yesterday", "updated_after"),
        ("priority_country=maybe", "priority_country"),
        ("limit=0", "limit"),
    ] {
        let problem = get(query).await.assert_problem(400, "invalid_parameter");
        assert_eq!(problem["errors"][0]["parameter"], parameter, "{query}");
    }

    // Walk every sort order two by two: each association once, in order.
    for sort in ["name", "-name", "created_at", "-updated_at,name"] {
        let mut seen = Vec::new();
        let mut path = format!("/api/v1/associations?limit=2&sort={sort}");
        loop {
            let reply = app.get_as(&admin, &path).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            let page = reply.json();
            seen.extend(names(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => {
                    path = format!("/api/v1/associations?limit=2&sort={sort}&cursor={cursor}")
                }
                None => break,
            }
        }
        assert_eq!(seen.len(), 5, "{sort}: {seen:?}");
        assert_eq!(
            seen.iter().collect::<BTreeSet<_>>().len(),
            5,
            "{sort}: no repeats"
        );
    }
    let first = get("limit=2&sort=name").await.json();
    let cursor = first["next_cursor"].as_str().expect("cursor");
    get(&format!("limit=2&sort=-created_at&cursor={cursor}"))
        .await
        .assert_problem(400, "invalid_parameter");
}
