//! Retention: what the periods make due, listed and erased by the command.

use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::json;

use super::*;
use crate::helpers::{TestApp, TestDb};

#[tokio::test]
async fn retention_lists_and_erases_what_its_periods_make_due() {
    let test_db = TestDb::new().await;
    let app = TestApp::spawn_with(crate::helpers::test_settings(&test_db), test_db).await;
    let admin = app.admin_token().await;
    let s = subject(&app, &admin).await;
    let reply = app.get_as(&admin, "/api/v1/privacy/retention").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json()["periods"],
        json!({"closed_months": 12, "contact_months": 36})
    );
    assert_eq!(reply.json()["due"], json!([]));
    // The association withdrew two years ago.
    let db = app.connect().await;
    let pg = db.get_database_backend() == DbBackend::Postgres;
    let reply = app
        .post_json(
            Some(&admin),
            &format!("/api/v1/associations/{}/transitions", s.trained.association),
            json!({"to": "withdrawn", "reason": "Moved abroad"}),
        )
        .await;
    assert!(
        reply.status == 201 || reply.status == 200,
        "withdraw: {}",
        reply.text
    );
    let backdate = if pg {
        "UPDATE association_transitions SET occurred_at = occurred_at - INTERVAL '2 years'"
    } else {
        "UPDATE association_transitions SET occurred_at = datetime(occurred_at, '-2 years')"
    };
    db.execute_unprepared(backdate).await.expect("backdate");
    let due = app.get_as(&admin, "/api/v1/privacy/retention").await.json()["due"].clone();
    let due_people: Vec<&str> = due
        .as_array()
        .expect("due")
        .iter()
        .map(|d| d["person_id"].as_str().expect("id"))
        .collect();
    assert!(due_people.contains(&s.person.as_str()) && due_people.contains(&s.other.as_str()));
    assert!(
        due.as_array()
            .expect("due")
            .iter()
            .all(|d| d["extent"] == "whole")
    );
    // The command: a dry run lists them and erases nothing; a run erases them by the erasure
    // path; a second run has nothing to do.
    let (ok, listed, stderr) = empower_retention(&app, &["--dry-run"]);
    assert!(ok, "{stderr}");
    assert!(
        listed.contains(&format!("erase person {}", s.person))
            && listed.contains(&format!("erase person {}", s.other)),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("dry run: {} due", due_people.len())),
        "{listed}"
    );
    assert_eq!(
        app.get_as(&admin, "/api/v1/privacy/retention").await.json()["due"],
        due
    );
    let (ok, done, stderr) = empower_retention(&app, &[]);
    assert!(ok, "{stderr}");
    assert!(
        done.contains(&format!("erased: {} people", due_people.len())),
        "{done}"
    );
    let (ok, again, _) = empower_retention(&app, &[]);
    assert!(ok);
    assert!(
        again.contains("erased: 0 people, contact data of 0 more"),
        "{again}"
    );
    assert_eq!(
        app.get_as(&admin, "/api/v1/privacy/retention").await.json()["due"],
        json!([])
    );
    let erased = app
        .get_as(&admin, &format!("/api/v1/people/{}/data-export", s.person))
        .await
        .json();
    assert!(
        erased["erasures"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("retention: association withdrawn since"))
    );
    for needle in [LAST, EMAIL, PHONE] {
        assert_eq!(holding(&db, needle).await, Vec::<String>::new(), "{needle}");
    }
}

/// An association completed longer ago than the contact period: its people's email and phone go
/// (their names stay, for the programme's follow-up), and so do its own.
#[tokio::test]
async fn retention_erases_the_contact_data_of_long_completed_associations() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let s = subject(&app, &admin).await;
    let association = format!("/api/v1/associations/{}", s.trained.association);
    let reply = app
        .patch_as(
            &admin,
            &association,
            json!({"contact": {"email": "kappa.office@example.org", "phone": "+32 2 555 01 02"}}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "contact: {}", reply.text);
    for to in ["completed"] {
        let reply = app
            .post_json(
                Some(&admin),
                &format!("{association}/transitions"),
                json!({"to": to, "reason": "The programme moves on"}),
            )
            .await;
        assert!(reply.status < 300, "{to}: {}", reply.text);
    }
    let db = app.connect().await;
    let backdate = if db.get_database_backend() == DbBackend::Postgres {
        "UPDATE association_transitions SET occurred_at = occurred_at - INTERVAL '4 years'"
    } else {
        "UPDATE association_transitions SET occurred_at = datetime(occurred_at, '-4 years')"
    };
    db.execute_unprepared(backdate).await.expect("backdate");
    let due = app.get_as(&admin, "/api/v1/privacy/retention").await.json();
    assert_eq!(
        due["due"]
            .as_array()
            .expect("due")
            .iter()
            .map(|d| (d["person_id"].clone(), d["extent"].clone()))
            .collect::<Vec<_>>(),
        [
            (json!(s.person), json!("contact")),
            (json!(s.other), json!("contact"))
        ],
        "both have contact data: {due}"
    );
    assert_eq!(
        due["associations"][0]["association_id"],
        json!(s.trained.association)
    );
    let (ok, done, stderr) = empower_retention(&app, &[]);
    assert!(ok, "{stderr}");
    assert!(
        done.contains("erased: 0 people, contact data of 2 more and of 1 associations"),
        "{done}"
    );
    for needle in [
        EMAIL,
        PHONE,
        OTHER_EMAIL,
        "kappa.office@example.org",
        "555 01 02",
    ] {
        assert_eq!(holding(&db, needle).await, Vec::<String>::new(), "{needle}");
    }
    let person = app
        .get_as(&admin, &format!("/api/v1/people/{}", s.person))
        .await
        .json();
    assert_eq!(person["last_name"], LAST, "her name stays");
    assert!(person.get("erased_at").is_none() && person.get("email").is_none());
    let changes = feed(&app, &admin).await;
    assert!(changes.iter().any(|c| c["op"] == "erase"
        && c["type"] == "association"
        && c["id"] == json!(s.trained.association)));
}
