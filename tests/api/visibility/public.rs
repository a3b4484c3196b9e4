//! The published deliverables as the public reads them: no login, nothing unpublished, nothing
//! without consent (checked again at every read), the language asked for, and the calendar as
//! iCalendar read by a real parser.

use std::io::BufReader;

use serde_json::{Value, json};

use super::*;
use crate::helpers::TestApp;

async fn public(app: &TestApp, path: &str, language: Option<&str>) -> Reply {
    app.send(reqwest::Method::GET, path, |r| match language {
        Some(l) => r.header("Accept-Language", l),
        None => r,
    })
    .await
}

#[tokio::test]
async fn published_deliverables_are_public_cacheable_and_show_only_what_consent_allows() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let about = association(&app, &admin, "Public Story", &["name", "city"]).await;
    let named = person(&app, &admin, &about, Some(true)).await;
    let brief = published_brief(&app, &admin, &about, &[&named]).await;
    let collective = id(&add_story(
        &app,
        &admin,
        &draft(&app, &admin, "brief").await,
        story_body(&about, &[]),
    )
    .await);
    let _hidden = draft(&app, &admin, "other").await;

    let list = public(&app, "/api/v1/public/deliverables", None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.header("cache-control"), "public, max-age=60");
    assert!(list.header("vary").contains("Accept-Language"));
    let items = list.json()["items"].as_array().cloned().expect("items");
    assert_eq!(items.len(), 1, "only the published one");
    assert_eq!(items[0]["id"], brief.as_str());
    let story = &items[0]["stories"][0];
    assert_eq!(story["association"]["name"], "Public Story");
    assert!(
        story.get("person_ids").is_none(),
        "people are never shown: {story}"
    );
    assert!(!list.text.contains(&named), "no person's id");
    assert!(!list.text.contains("Storyteller"), "no person's name");
    assert!(!list.text.contains(&collective), "no unpublished story");

    // Conditional reads.
    let path = format!("/api/v1/public/deliverables/{brief}");
    let one = public(&app, &path, None).await;
    assert_eq!(one.status, 200);
    let etag = one.header("etag").to_owned();
    let cached = app
        .send(reqwest::Method::GET, &path, |r| {
            r.header("If-None-Match", etag.as_str())
        })
        .await;
    assert_eq!(cached.status, 304);
    assert_eq!(cached.header("cache-control"), "public, max-age=60");

    // The person withdraws her consent: her story is gone at the next read.
    person_consent(&app, &admin, &named, false).await;
    let after = public(&app, &path, None).await;
    assert_eq!(after.json()["stories"], json!([]), "{}", after.text);
    assert_ne!(after.header("etag"), etag, "the ETag changes with it");
    let stale = app
        .send(reqwest::Method::GET, &path, |r| {
            r.header("If-None-Match", etag.as_str())
        })
        .await;
    assert_eq!(stale.status, 200, "the old copy is not current");
    // She consents again, then the association withdraws: the story is gone again.
    person_consent(&app, &admin, &named, true).await;
    assert_eq!(
        public(&app, &path, None).await.json()["stories"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    set_consent(&app, &admin, &about, &[]).await;
    assert_eq!(public(&app, &path, None).await.json()["stories"], json!([]));

    // Unpublished or unknown: 404.
    for id in [uuid::Uuid::now_v7().to_string(), _hidden] {
        public(&app, &format!("/api/v1/public/deliverables/{id}"), None)
            .await
            .assert_problem(404, "not_found");
    }
    // Archived ones leave the public endpoints.
    transition(&app, &admin, &brief, "archived", None).await;
    public(&app, &path, None)
        .await
        .assert_problem(404, "not_found");
}

fn title(reply: &Reply) -> Value {
    reply.json()["title"].clone()
}

#[tokio::test]
async fn the_language_follows_accept_language_with_q_values_and_falls_back() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // Title in fr, nl, en; summary in fr and en only.
    let id = published_other(&app, &admin).await;
    let path = format!("/api/v1/public/deliverables/{id}");

    let dutch = public(&app, &path, Some("nl-BE, fr;q=0.8")).await;
    assert_eq!(title(&dutch), json!({"nl": "Succesverhalen"}));
    assert_eq!(
        dutch.json()["summary"],
        json!({"fr": "Des associations qui changent des vies."})
    );
    assert_eq!(dutch.header("content-language"), "fr, nl");

    let english = public(&app, &path, Some("fr;q=0.2, en;q=0.9, nl;q=0")).await;
    assert_eq!(title(&english), json!({"en": "Success stories"}));
    assert_eq!(english.header("content-language"), "en");

    let refused_dutch = public(&app, &path, Some("nl;q=0, *;q=0.5")).await;
    assert_eq!(
        title(&refused_dutch),
        json!({"fr": "Histoires de réussite"})
    );

    let refusing = public(&app, &path, Some("de, en;q=0")).await;
    assert_eq!(
        title(&refusing),
        json!({"fr": "Histoires de réussite"}),
        "not a refused language"
    );

    let german = public(&app, &path, Some("de-DE")).await;
    assert_eq!(
        title(&german),
        json!({"en": "Success stories"}),
        "a present language"
    );
    assert_eq!(german.header("content-language"), "en");

    let chosen = public(&app, &format!("{path}?lang=nl"), Some("en")).await;
    assert_eq!(title(&chosen), json!({"nl": "Succesverhalen"}), "lang wins");

    let all = public(&app, &format!("{path}?lang=all"), Some("nl")).await;
    assert_eq!(title(&all).as_object().map(|o| o.len()), Some(3));
    assert_eq!(all.header("content-language"), "en, fr, nl");
    let none = public(&app, &path, None).await;
    assert_eq!(
        title(&none).as_object().map(|o| o.len()),
        Some(3),
        "nothing asked: all"
    );

    assert_ne!(dutch.header("etag"), english.header("etag"));
    public(&app, &format!("{path}?lang=de"), None)
        .await
        .assert_problem(400, "invalid_parameter");
    public(&app, &format!("{path}?language=nl"), None)
        .await
        .assert_problem(400, "invalid_parameter");
}

fn parse(text: &str) -> ical::parser::ical::component::IcalCalendar {
    let mut reader = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    let calendar = reader.next().expect("a calendar").expect("it parses");
    assert!(reader.next().is_none(), "one calendar");
    calendar
}

fn value(properties: &[ical::property::Property], name: &str) -> String {
    properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.clone())
        .unwrap_or_else(|| panic!("no {name}"))
}

#[tokio::test]
async fn the_published_calendar_is_json_or_icalendar_one_event_a_month() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let featured = association(&app, &admin, "Calendar; Women, Together", &["name"]).await;
    let id = published_calendar(&app, &admin, &featured).await;

    let json = public(&app, "/api/v1/public/calendar/2031", Some("en")).await;
    assert_eq!(json.status, 200, "{}", json.text);
    let body = json.json();
    assert_eq!(body["id"], id.as_str());
    let months: Vec<i64> = body["calendar_entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["month"].as_i64())
        .collect();
    assert_eq!(months, (1..=12).collect::<Vec<_>>());
    assert_eq!(
        body["calendar_entries"][0]["headline"],
        json!({"en": "Month 1"})
    );

    let ics = app
        .send(reqwest::Method::GET, "/api/v1/public/calendar/2031", |r| {
            r.header("Accept", "text/calendar")
                .header("Accept-Language", "nl")
        })
        .await;
    assert_eq!(ics.status, 200, "{}", ics.text);
    assert!(ics.header("content-type").starts_with("text/calendar"));
    assert_eq!(ics.header("cache-control"), "public, max-age=60");
    assert!(ics.text.lines().all(|l| l.len() <= 76), "lines are folded");
    // Headlines in Dutch; the captions have none, so English (a language they have).
    assert_eq!(ics.header("content-language"), "en, nl");
    let calendar = parse(&ics.text);
    assert_eq!(value(&calendar.properties, "VERSION"), "2.0");
    assert_eq!(calendar.events.len(), 12);
    for (i, event) in calendar.events.iter().enumerate() {
        let month = i + 1;
        let start = event
            .properties
            .iter()
            .find(|p| p.name == "DTSTART")
            .expect("DTSTART");
        assert_eq!(
            start
                .params
                .as_ref()
                .and_then(|ps| ps.iter().find(|(k, _)| k == "VALUE"))
                .map(|(_, v)| v.clone()),
            Some(vec!["DATE".to_owned()]),
            "an all-day date"
        );
        assert_eq!(
            start.value.as_deref(),
            Some(format!("2031{month:02}01").as_str())
        );
        let (year, next) = if month == 12 {
            (2032, 1)
        } else {
            (2031, month + 1)
        };
        assert_eq!(
            value(&event.properties, "DTEND"),
            format!("{year}{next:02}01")
        );
        assert_eq!(
            value(&event.properties, "SUMMARY"),
            format!("Maand {month}")
        );
        assert!(value(&event.properties, "UID").ends_with("@empower"));
        assert!(value(&event.properties, "DESCRIPTION").contains("Calendar\\; Women\\, Together"));
        assert_eq!(value(&event.properties, "TRANSP"), "TRANSPARENT");
    }
    let again = app
        .send(reqwest::Method::GET, "/api/v1/public/calendar/2031", |r| {
            r.header("Accept", "text/calendar")
                .header("Accept-Language", "nl")
                .header("If-None-Match", ics.header("etag"))
        })
        .await;
    assert_eq!(again.status, 304, "the same bytes each time");
    public(&app, "/api/v1/public/calendar/2030", None)
        .await
        .assert_problem(404, "not_found");
    for year in ["1999", "2101", "abc", "99999999999"] {
        public(&app, &format!("/api/v1/public/calendar/{year}"), None)
            .await
            .assert_problem(400, "invalid_parameter");
    }
    // The association withdraws: its months leave the calendar.
    set_consent(&app, &admin, &featured, &[]).await;
    let after = public(&app, "/api/v1/public/calendar/2031", None)
        .await
        .json();
    assert_eq!(after["calendar_entries"], json!([]));
}

#[tokio::test]
async fn bad_public_queries_are_400_and_odd_languages_are_ignored() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    published_other(&app, &admin).await;
    for query in [
        "kind=poster",
        "year=abc",
        "year=1999",
        "lang=de",
        "limit=0",
        "sort=name",
    ] {
        public(&app, &format!("/api/v1/public/deliverables?{query}"), None)
            .await
            .assert_problem(400, "invalid_parameter");
    }
    public(&app, "/api/v1/public/calendar/2031?lang=de", None)
        .await
        .assert_problem(400, "invalid_parameter");
    // Headers a server cannot use are ignored (RFC 9110 §12.5.4), never an error.
    for language in ["", ";;,,", "q=0.5", "fr;q=2", "*;q=abc", "xx-YY-zz"] {
        let reply = public(&app, "/api/v1/public/deliverables", Some(language)).await;
        assert_eq!(reply.status, 200, "{language:?}: {}", reply.text);
    }
    let bytes = app
        .send(reqwest::Method::GET, "/api/v1/public/deliverables", |r| {
            r.header(
                "Accept-Language",
                reqwest::header::HeaderValue::from_bytes(b"fr\xe9").expect("obs-text"),
            )
        })
        .await;
    assert_eq!(bytes.status, 200, "{}", bytes.text);
}
