//! The calendar feed, read by a real iCalendar parser: stable UIDs, Brussels times with their
//! time zone, a sequence that grows, cancelled events kept, and nothing personal.

use std::io::BufReader;

use serde_json::json;

use super::{M2, M3, session};
use crate::helpers::TestApp;

fn parse(text: &str) -> ical::parser::ical::component::IcalCalendar {
    let mut reader = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    let calendar = reader.next().expect("a calendar").expect("it parses");
    assert!(reader.next().is_none(), "one calendar");
    calendar
}

fn property<'a>(
    properties: &'a [ical::property::Property],
    name: &str,
) -> &'a ical::property::Property {
    properties
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn value(properties: &[ical::property::Property], name: &str) -> String {
    property(properties, name).value.clone().unwrap_or_default()
}

#[tokio::test]
async fn the_calendar_feed_is_rfc_5545_that_calendar_apps_can_follow() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let joint_day = session(&app, &admin, M2, 3, "2027-02-11", "planned").await;
    let workshop = session(&app, &admin, M3, 2, "2027-03-05", "planned").await;
    let path = format!("/api/v1/training-sessions/{workshop}");
    let changed = app
        .patch_as(
            &admin,
            &path,
            json!({"venue": "Salle 2; Brussels, Belgium"}),
            None,
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let cancelled = app
        .patch_as(&admin, &path, json!({"status": "cancelled"}), None)
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);

    let feed = app.get("/api/v1/training-sessions.ics").await;
    assert_eq!(feed.status, 200, "{}", feed.text);
    assert!(feed.header("content-type").starts_with("text/calendar"));
    assert!(feed.text.lines().all(|l| l.len() <= 76), "lines are folded");
    let calendar = parse(&feed.text);
    assert_eq!(value(&calendar.properties, "VERSION"), "2.0");
    let zone = calendar.timezones.first().expect("a VTIMEZONE");
    assert_eq!(value(&zone.properties, "TZID"), "Europe/Brussels");
    assert_eq!(calendar.events.len(), 2);
    let event = |id: &str| {
        calendar
            .events
            .iter()
            .find(|e| value(&e.properties, "UID") == format!("{id}@empower"))
            .unwrap_or_else(|| panic!("event {id}"))
    };
    let joint = event(&joint_day);
    let start = property(&joint.properties, "DTSTART");
    assert_eq!(start.value.as_deref(), Some("20270211T093000"));
    let tzid = start
        .params
        .as_ref()
        .and_then(|p| p.iter().find(|(k, _)| k == "TZID"))
        .map(|(_, v)| v.join(","));
    assert_eq!(tzid.as_deref(), Some("Europe/Brussels"));
    assert_eq!(value(&joint.properties, "DTEND"), "20270211T163000");
    assert!(value(&joint.properties, "SUMMARY").starts_with("M2 day 3: Joint day"));
    assert_eq!(value(&joint.properties, "SEQUENCE"), "0");
    assert_eq!(value(&joint.properties, "STATUS"), "CONFIRMED");
    let moved = event(&workshop);
    assert_eq!(value(&moved.properties, "SEQUENCE"), "2", "two changes");
    assert_eq!(value(&moved.properties, "STATUS"), "CANCELLED");
    assert_eq!(
        value(&moved.properties, "LOCATION"),
        "Salle 2\\; Brussels\\, Belgium"
    );

    // One module's sessions, and a filter that is not an id.
    let m2 = parse(
        &app.get(&format!("/api/v1/training-sessions.ics?module_id={M2}"))
            .await
            .text,
    );
    assert_eq!(m2.events.len(), 1);
    app.get("/api/v1/training-sessions.ics?module_id=M2")
        .await
        .assert_problem(400, "invalid_parameter");
    app.get("/api/v1/training-sessions.ics?person=1")
        .await
        .assert_problem(400, "invalid_parameter");
}
