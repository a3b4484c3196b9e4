//! The completion day each enrolment keeps (`enrollments.completed_on`, which the report reads)
//! follows every write it depends on: attendance taken or corrected, a session's date, the
//! module's threshold.

use serde_json::json;

use super::{ids, indicator_in, seeded, someone, value};
use crate::helpers::TestApp;
use crate::training::{M1, association_in, enrolled, session, take_attendance};

#[tokio::test]
async fn the_completion_day_follows_attendance_session_dates_and_the_module_threshold() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let kappa = association_in(&app, &admin, "Kappa", "selected").await;
    let awa = someone(&app, &admin, &kappa, "Awa", "female").await;
    enrolled(&app, &admin, &awa, M1).await;
    let completed = |query: &'static str| {
        let (app, admin) = (&app, &admin);
        async move { value(app, admin, &seeded(ids::COMPLETED_M1), query).await }
    };
    // The report, which the server keeps until the data changes.
    let reported = || {
        let (app, admin) = (&app, &admin);
        async move {
            let reply = app
                .get_as(
                    admin,
                    "/api/v1/results-report?from=2026-03-01&to=2026-03-31",
                )
                .await;
            assert_eq!(reply.status, 200, "report: {}", reply.text);
            indicator_in(&reply.json(), "R1.1.2")["actual"].clone()
        }
    };
    // Module 1 needs 3 of its 4 days: present on days 1, 2 and 4, absent on day 3.
    let mut sessions = Vec::new();
    for (day, date, status) in [
        (1, "2026-03-02", "present"),
        (2, "2026-03-03", "present"),
        (3, "2026-03-04", "absent"),
        (4, "2026-03-05", "present"),
    ] {
        let id = session(&app, &admin, M1, day, date, "held").await;
        let reply = take_attendance(
            &app,
            &admin,
            &id,
            json!([{"person_id": awa, "status": status}]),
        )
        .await;
        assert_eq!(reply.status, 200, "attendance: {}", reply.text);
        sessions.push(id);
    }
    assert_eq!(completed("from=2026-03-05&to=2026-03-05").await, json!(1.0));
    assert_eq!(completed("from=2026-03-01&to=2026-03-04").await, json!(0.0));
    assert_eq!(reported().await, json!(1.0));
    assert_eq!(reported().await, json!(1.0));

    // Day 3 corrected to present: completed on the 4th.
    let reply = take_attendance(
        &app,
        &admin,
        &sessions[2],
        json!([{"person_id": awa, "status": "present"}]),
    )
    .await;
    assert_eq!(reply.status, 200, "correction: {}", reply.text);
    assert_eq!(completed("from=2026-03-04&to=2026-03-04").await, json!(1.0));

    // Day 4's session moved back to the 1st: the third day attended is the 3rd.
    let reply = app
        .patch_as(
            &admin,
            &format!("/api/v1/training-sessions/{}", sessions[3]),
            json!({"date": "2026-03-01"}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "move: {}", reply.text);
    assert_eq!(completed("from=2026-03-03&to=2026-03-03").await, json!(1.0));
    assert_eq!(completed("from=2026-03-04&to=2026-03-31").await, json!(0.0));

    // Two days of four (50 %) suffice: completed on the 2nd.
    let reply = app
        .patch_as(
            &admin,
            &format!("/api/v1/modules/{M1}"),
            json!({"min_attendance_pct": 50}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "threshold: {}", reply.text);
    assert_eq!(completed("from=2026-03-02&to=2026-03-02").await, json!(1.0));
    assert_eq!(completed("from=2026-03-03&to=2026-03-31").await, json!(0.0));

    // Absent on days 1 to 3: one day of two, not completed any more.
    for id in &sessions[..3] {
        let reply = take_attendance(
            &app,
            &admin,
            id,
            json!([{"person_id": awa, "status": "absent"}]),
        )
        .await;
        assert_eq!(reply.status, 200, "absent: {}", reply.text);
    }
    assert_eq!(completed("").await, json!(0.0));
    assert_eq!(reported().await, json!(0.0));
}
