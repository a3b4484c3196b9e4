//! Every metric's exact value, every breakdown and the period boundaries, over a data set
//! built by hand (on SQLite and on PostgreSQL): a record dated `to` counts, one dated the day
//! after does not.

use serde_json::{Value, json};

use super::{
    application, assess, association, cells, computed, days, dissemination, enrol_all, ids,
    partner, restitution, seeded, someone, value, values,
};
use crate::helpers::TestApp;
use crate::training::{M1, M2, M3, session, today};

/// Yesterday in Brussels.
fn yesterday() -> String {
    (empower_domain::time::brussels_today() - chrono::Duration::days(1)).to_string()
}

struct Programme {
    /// Indicators made for the test: representatives who completed any module, and every
    /// deliverable published.
    any_module: String,
    published: String,
}

/// Four associations (A: SN and ML, Brussels; B: BF, Wallonia; C: SN, Flanders, only
/// shortlisted; D: BJ, no address, selected then withdrawn), three representatives trained
/// (A1 completes every module, A2 module 1, B1 none), assessments, restitutions in each
/// status, funding applications around the first training day, a published deliverable with
/// its dissemination, and partners.
async fn programme(app: &TestApp, admin: &str) -> Programme {
    let a = association(
        app,
        admin,
        "Alpha",
        &["SN", "ML"],
        Some("1000"),
        &["shortlisted", "selected"],
    )
    .await;
    let b = association(
        app,
        admin,
        "Beta",
        &["BF"],
        Some("4000"),
        &["shortlisted", "selected"],
    )
    .await;
    let c = association(app, admin, "Gamma", &["SN"], Some("9000"), &["shortlisted"]).await;
    let d = association(
        app,
        admin,
        "Delta",
        &["BJ"],
        None,
        &["shortlisted", "selected"],
    )
    .await;
    for id in [&a, &b, &d] {
        crate::visibility::set_consent(app, admin, id, &["region"]).await;
    }
    let reply = app
        .post_json(
            Some(admin),
            &format!("/api/v1/associations/{d}/transitions"),
            json!({"to": "withdrawn", "reason": "left", "override": true}),
        )
        .await;
    assert_eq!(reply.status, 201, "withdraw: {}", reply.text);

    let a1 = someone(app, admin, &a, "Awa", "female").await;
    let a2 = someone(app, admin, &a, "Amadou", "male").await;
    let b1 = someone(app, admin, &b, "Binta", "female").await;
    let enrolments = enrol_all(
        app,
        admin,
        &[(&a1, &[M1, M2, M3]), (&a2, &[M1]), (&b1, &[M1])],
    )
    .await;
    let (a1m1, a2m1, b1m1) = (&enrolments[0][0], &enrolments[1][0], &enrolments[2][0]);
    // Module 1 needs 3 of its 4 days: A1 completes on the 4th of February, A2 on the 5th
    // (absent on the 4th), B1 never (two days).
    let all: &[&str] = &[&a1, &a2, &b1];
    days(
        app,
        admin,
        M1,
        &[
            ("2026-02-02", all),
            ("2026-02-03", all),
            ("2026-02-04", &[&a1]),
            ("2026-02-05", &[&a1, &a2]),
        ],
        all,
    )
    .await;
    // A cancelled sitting delivers no day.
    session(app, admin, M1, 4, "2026-02-20", "cancelled").await;
    days(
        app,
        admin,
        M2,
        &[
            ("2026-03-02", &[&a1]),
            ("2026-03-03", &[&a1]),
            ("2026-03-04", &[&a1]),
        ],
        &[&a1],
    )
    .await;
    days(
        app,
        admin,
        M3,
        &[("2026-04-06", &[&a1]), ("2026-04-07", &[&a1])],
        &[&a1],
    )
    .await;

    // Improved: A1 (40 → 70) and B1 (30 → 60); A2 did not (50 → 50).
    for (enrolment, pre, post, on) in [
        (a1m1, 40, 70, "2026-02-05"),
        (a2m1, 50, 50, "2026-02-06"),
        (b1m1, 30, 60, "2026-02-07"),
    ] {
        assess(app, admin, enrolment, "pre", pre, "2026-02-01").await;
        assess(app, admin, enrolment, "post", post, on).await;
    }

    let by_a1 = (a.as_str(), a1.as_str());
    restitution(
        app,
        admin,
        by_a1,
        &[M1, M2],
        "2026-05-10",
        json!({"women": 10, "men": 2, "undisclosed": 1}),
        "validated",
    )
    .await;
    restitution(
        app,
        admin,
        by_a1,
        &[M3],
        "2026-06-15",
        json!({"women": 5, "other": 1}),
        "validated",
    )
    .await;
    restitution(
        app,
        admin,
        by_a1,
        &[M1],
        "2026-06-20",
        json!({"women": 7}),
        "reported",
    )
    .await;
    restitution(app, admin, by_a1, &[M1], "2026-07-01", json!({}), "planned").await;

    // A's and B's first training day is 2 February 2026.
    application(app, admin, &a, Some("2026-02-01"), "submitted").await;
    application(app, admin, &a, Some("2026-03-01"), "submitted").await;
    application(app, admin, &a, None, "draft").await;
    application(app, admin, &b, Some("2026-02-02"), "submitted").await;
    application(app, admin, &b, Some("2026-05-01"), "rejected").await;
    application(app, admin, &c, Some("2026-05-01"), "submitted").await;

    let published = crate::visibility::published_other(app, admin).await;
    crate::visibility::draft(app, admin, "other").await;
    dissemination(app, admin, &published, "2026-06-01", 100, Some(250)).await;
    dissemination(app, admin, &published, "2026-07-01", 50, None).await;

    partner(app, admin, "Partner One", Some("BE"), Some("2026-03-10")).await;
    partner(app, admin, "Partner Two", Some("SN"), Some("2026-08-01")).await;
    partner(app, admin, "Partner Three", None, None).await;

    Programme {
        any_module: computed(app, admin, "T.ANY", "representatives_completed", json!({})).await,
        published: computed(app, admin, "T.PUB", "deliverables_published", json!({})).await,
    }
}

#[tokio::test]
async fn every_metric_has_its_exact_value_breakdowns_and_boundaries() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let p = programme(&app, &admin).await;
    let viewer = app.token_for(&admin, "viewer").await;
    let t = viewer.as_str();
    let app = &app;
    let v = |n: u128, q: &'static str| async move { value(app, t, &seeded(n), q).await };
    let c = |n: u128, q: &'static str| async move { cells(app, t, &seeded(n), q).await };

    // Associations ever moved to `selected`, D included though withdrawn since.
    assert_eq!(v(ids::SELECTED, "").await, json!(3.0));
    assert_eq!(
        c(ids::SELECTED, "by=country").await,
        json!({"BF": 1.0, "BJ": 1.0, "ML": 1.0, "SN": 1.0})
    );
    assert_eq!(
        c(ids::SELECTED, "by=region").await,
        json!({"brussels": 1.0, "wallonia": 1.0})
    );
    assert_eq!(
        c(ids::SELECTED, "by=association").await,
        json!({"Alpha": 1.0, "Beta": 1.0, "Delta": 1.0})
    );
    let yesterday = format!("to={}", yesterday());
    assert_eq!(
        value(app, t, &seeded(ids::SELECTED), &yesterday).await,
        json!(0.0)
    );

    // Completion: A1 completes module 1 on 4 February, A2 on 5 February.
    assert_eq!(v(ids::COMPLETED_M1, "").await, json!(2.0));
    assert_eq!(v(ids::COMPLETED_M1, "to=2026-02-04").await, json!(1.0));
    assert_eq!(v(ids::COMPLETED_M1, "to=2026-02-05").await, json!(2.0));
    assert_eq!(v(ids::COMPLETED_M1, "from=2026-02-05").await, json!(1.0));
    assert_eq!(v(ids::COMPLETED_M1, "from=2026-02-06").await, json!(0.0));
    assert_eq!(
        c(ids::COMPLETED_M1, "by=sex").await,
        json!({"female": 1.0, "male": 1.0})
    );
    assert_eq!(
        c(ids::COMPLETED_M1, "by=country").await,
        json!({"ML": 2.0, "SN": 2.0})
    );
    assert_eq!(
        c(ids::COMPLETED_M1, "by=region").await,
        json!({"brussels": 2.0})
    );
    assert_eq!(
        c(ids::COMPLETED_M1, "by=association").await,
        json!({"Alpha": 2.0})
    );
    assert_eq!(c(ids::COMPLETED_M1, "by=module").await, json!({"M1": 2.0}));
    assert_eq!(v(ids::COMPLETED_M2, "").await, json!(1.0));
    assert_eq!(v(ids::COMPLETED_M3, "").await, json!(1.0));
    assert_eq!(value(app, t, &p.any_module, "").await, json!(2.0));
    assert_eq!(
        cells(app, t, &p.any_module, "by=module").await,
        json!({"M1": 2.0, "M2": 1.0, "M3": 1.0})
    );

    // A1 completed her last module on 7 April.
    assert_eq!(v(ids::ASSOCIATIONS_COMPLETED, "").await, json!(1.0));
    assert_eq!(
        v(ids::ASSOCIATIONS_COMPLETED, "to=2026-04-06").await,
        json!(0.0)
    );
    assert_eq!(
        v(ids::ASSOCIATIONS_COMPLETED, "to=2026-04-07").await,
        json!(1.0)
    );
    assert_eq!(
        c(ids::ASSOCIATIONS_COMPLETED, "by=country").await,
        json!({"ML": 1.0, "SN": 1.0})
    );

    // Nine held days; the cancelled sitting counts for nothing.
    assert_eq!(v(ids::TRAINING_DAYS, "").await, json!(9.0));
    assert_eq!(
        c(ids::TRAINING_DAYS, "by=module").await,
        json!({"M1": 4.0, "M2": 3.0, "M3": 2.0})
    );
    assert_eq!(v(ids::TRAINING_DAYS, "to=2026-02-04").await, json!(3.0));
    assert_eq!(
        v(ids::TRAINING_DAYS, "from=2026-02-05&to=2026-03-03").await,
        json!(3.0)
    );

    // Two of three assessed enrolments improved.
    assert_eq!(v(ids::KNOWLEDGE, "").await, json!(66.7));
    assert_eq!(
        c(ids::KNOWLEDGE, "by=sex").await,
        json!({"female": 100.0, "male": 0.0})
    );
    assert_eq!(v(ids::KNOWLEDGE, "to=2026-02-06").await, json!(50.0));
    assert_eq!(v(ids::KNOWLEDGE, "from=2026-02-08").await, Value::Null);

    // Validated restitutions only; a session on two modules counts in both.
    assert_eq!(v(ids::RESTITUTIONS, "").await, json!(2.0));
    assert_eq!(v(ids::RESTITUTIONS, "to=2026-06-14").await, json!(1.0));
    assert_eq!(v(ids::RESTITUTIONS, "to=2026-06-15").await, json!(2.0));
    let by_module = values(app, t, &seeded(ids::RESTITUTIONS), "by=module")
        .await
        .json();
    assert_eq!(by_module["breakdown"]["multi_valued"], json!(true));
    assert_eq!(
        c(ids::RESTITUTIONS, "by=module").await,
        json!({"M1": 1.0, "M2": 1.0, "M3": 1.0})
    );
    assert_eq!(
        c(ids::RESTITUTIONS, "by=country").await,
        json!({"ML": 2.0, "SN": 2.0})
    );
    assert_eq!(v(ids::ATTENDEES, "").await, json!(19.0));
    assert_eq!(
        c(ids::ATTENDEES, "by=sex").await,
        json!({"female": 15.0, "male": 2.0, "other": 1.0, "undisclosed": 1.0})
    );
    let by_sex = values(app, t, &seeded(ids::ATTENDEES), "by=sex")
        .await
        .json();
    assert_eq!(by_sex["breakdown"]["multi_valued"], json!(false));
    assert_eq!(
        c(ids::ATTENDEES, "by=module").await,
        json!({"M1": 13.0, "M2": 13.0, "M3": 6.0})
    );
    assert_eq!(v(ids::ATTENDEES, "to=2026-06-14").await, json!(13.0));

    // Applications submitted after the association's first training day (2 February).
    assert_eq!(v(ids::FUNDING, "").await, json!(2.0));
    assert_eq!(v(ids::FUNDING, "to=2026-04-30").await, json!(1.0));
    assert_eq!(v(ids::FUNDING, "to=2026-05-01").await, json!(2.0));
    assert_eq!(
        c(ids::FUNDING, "by=country").await,
        json!({"BF": 1.0, "ML": 1.0, "SN": 1.0})
    );
    assert_eq!(
        c(ids::FUNDING, "by=region").await,
        json!({"brussels": 1.0, "wallonia": 1.0})
    );

    // The repertoire: A and B (D withdrew, C never consented), consent recorded today.
    assert_eq!(v(ids::REPERTOIRE, "").await, json!(2.0));
    assert_eq!(
        c(ids::REPERTOIRE, "by=region").await,
        json!({"brussels": 1.0, "wallonia": 1.0})
    );
    assert_eq!(
        value(app, t, &seeded(ids::REPERTOIRE), &yesterday).await,
        json!(0.0)
    );

    // Published today, once; the draft does not count.
    assert_eq!(value(app, t, &p.published, "").await, json!(1.0));
    assert_eq!(value(app, t, &p.published, &yesterday).await, json!(0.0));
    assert_eq!(
        value(app, t, &p.published, &format!("from={}", today())).await,
        json!(1.0)
    );

    assert_eq!(v(ids::COPIES, "").await, json!(150.0));
    assert_eq!(v(ids::COPIES, "to=2026-06-30").await, json!(100.0));
    assert_eq!(v(ids::REACH, "").await, json!(250.0));

    assert_eq!(v(ids::PARTNERS, "").await, json!(2.0));
    assert_eq!(v(ids::PARTNERS, "to=2026-07-31").await, json!(1.0));
    assert_eq!(v(ids::PARTNERS, "to=2026-08-01").await, json!(2.0));
    assert_eq!(
        c(ids::PARTNERS, "by=country").await,
        json!({"BE": 1.0, "SN": 1.0})
    );

    // Not measured yet.
    assert_eq!(v(ids::ACTIVITIES, "").await, Value::Null);

    // The report carries the same values, and progress against targets.
    let report = app.get_as(t, "/api/v1/results-report?to=2026-06-14").await;
    assert_eq!(report.status, 200, "{}", report.text);
    let report = report.json();
    let line = |code: &str| super::indicator_in(&report, code);
    assert_eq!(line("R1.2.1")["actual"], json!(1.0));
    assert_eq!(line("R1.2.1")["progress"], json!(0.1));
    assert_eq!(line("R1.1.5")["actual"], json!(9.0));
    assert_eq!(line("R1.1.5")["progress"], json!(1.0));
    assert_eq!(
        line("SO1.2")["progress"],
        Value::Null,
        "no target, no progress"
    );
    assert_eq!(report["from"], json!("1900-01-01"));
    assert_eq!(report["to"], json!("2026-06-14"));
}

#[tokio::test]
async fn bad_value_queries_are_400s_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let days = seeded(ids::TRAINING_DAYS);
    for (query, parameter) in [
        ("by=sex", "by"),
        ("by=planet", "by"),
        ("from=2026-02-02&to=2026-02-01", "to"),
        ("from=1800-01-01", "from"),
        ("to=2999-01-01", "to"),
        ("to=yesterday", "to"),
        ("colour=red", "colour"),
    ] {
        let reply = values(&app, &admin, &days, query).await;
        let problem = reply.assert_problem(400, "invalid_parameter");
        assert!(
            problem.to_string().contains(&format!("\"{parameter}\"")),
            "{query}: {problem}"
        );
    }
    let reply = values(&app, &admin, &uuid::Uuid::now_v7().to_string(), "").await;
    assert_eq!(reply.status, 404);
    let reply = app
        .get_as(
            &admin,
            "/api/v1/results-report?from=2026-02-02&to=2026-02-01",
        )
        .await;
    reply.assert_problem(400, "invalid_parameter");
}
