//! The training sessions as an RFC 5545 iCalendar feed, for calendar apps to subscribe to.
//!
//! Times are Brussels wall-clock times with a `TZID`, not UTC: a session planned at 09:30 stays
//! at 09:30 on either side of a daylight-saving change, and RFC 5545 §3.2.19 then requires the
//! feed to define that zone in a `VTIMEZONE`.
//!
//! The `icalendar` crate builds the calendar and its events and escapes their text. It falls
//! short in two places, both closed here:
//!
//! - It has no time-zone component. Its generic component can only be made by its parser, and
//!   it writes a `DTSTAMP` of the current time and a random `UID` into every such component; a
//!   `VTIMEZONE` may carry neither, and they would make the feed differ on every request. The
//!   zone is therefore written as `icalendar` properties on the calendar itself, which the
//!   crate writes in order before the events.
//! - Its folding lets the last continuation line of a long property reach 76 octets, one more
//!   than RFC 5545 §3.1 allows. Its output is therefore unfolded and folded again here.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, EventLike, EventStatus, Property};

/// The zone every session is planned in.
const TZID: &str = "Europe/Brussels";

/// RFC 5545 §3.7.3: names the product that wrote the feed, for whoever has to debug it.
const PRODID: &str = "-//Empower//Training sessions//EN";

/// RFC 5545 §3.1, the line break excluded.
const MAX_LINE_OCTETS: usize = 75;

/// Europe/Brussels under the EU summer-time rules in force since 1996, which is all the
/// sessions need; the 1970 start dates are the usual convention, as in libical's definitions.
const VTIMEZONE: [(&str, &str); 17] = [
    ("BEGIN", "VTIMEZONE"),
    ("TZID", TZID),
    ("BEGIN", "DAYLIGHT"),
    ("TZOFFSETFROM", "+0100"),
    ("TZOFFSETTO", "+0200"),
    ("TZNAME", "CEST"),
    ("DTSTART", "19700329T020000"),
    ("RRULE", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"),
    ("END", "DAYLIGHT"),
    ("BEGIN", "STANDARD"),
    ("TZOFFSETFROM", "+0200"),
    ("TZOFFSETTO", "+0100"),
    ("TZNAME", "CET"),
    ("DTSTART", "19701025T030000"),
    ("RRULE", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"),
    ("END", "STANDARD"),
    ("END", "VTIMEZONE"),
];

/// One session as a calendar event.
#[derive(Debug, Clone)]
pub struct Event {
    /// The session's id: the event's stable UID.
    pub id: uuid::Uuid,
    /// Grows on each change so calendar apps replace the event.
    pub sequence: u32,
    /// The day (Europe/Brussels).
    pub date: NaiveDate,
    /// Local start time (Europe/Brussels).
    pub starts_at: NaiveTime,
    /// Local end time (Europe/Brussels), after the start.
    pub ends_at: NaiveTime,
    /// "M2 day 3: Joint day with experienced diaspora associations".
    pub summary: String,
    /// The venue.
    pub location: String,
    /// Optional longer text.
    pub description: Option<String>,
    /// Cancelled sessions stay in the feed with STATUS:CANCELLED.
    pub cancelled: bool,
    /// Last change, UTC (DTSTAMP and LAST-MODIFIED).
    pub updated_at: DateTime<Utc>,
}

/// Renders the feed: a VCALENDAR named `name` with the Europe/Brussels VTIMEZONE and one VEVENT per event.
pub fn render(name: &str, events: &[Event]) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("PRODID", PRODID))
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        // Not `Calendar::name`: it also writes RFC 7986 NAME, which `icalendar` leaves
        // unescaped, so a comma or a line break in the name would corrupt the feed.
        .append_property(Property::new("X-WR-CALNAME", clean_text(name)));
    // A content line is `name:value` whether it opens a component or sets a property, so the
    // zone's BEGIN and END lines go through the same writer as its properties. Appended last,
    // they land after the calendar's own properties, as RFC 5545 §3.6 requires, and before the
    // events, where calendar apps that read in one pass need the zone.
    for (key, value) in VTIMEZONE {
        calendar.append_property(Property::new(key, value));
    }
    calendar.extend(events.iter().map(vevent));
    refold(&calendar.to_string())
}

/// PRODID of the published calendars.
const PRODID_CALENDAR: &str = "-//Empower//Published calendar//EN";

/// One span of whole days as a calendar event (a month of the published calendar).
#[derive(Debug, Clone)]
pub struct DaysEvent {
    /// The stable UID's id.
    pub id: uuid::Uuid,
    /// Grows on each change so calendar apps replace the event.
    pub sequence: u32,
    /// The first day.
    pub first: NaiveDate,
    /// The day after the last (RFC 5545: DTEND of a DATE event is exclusive).
    pub end: NaiveDate,
    /// The title.
    pub summary: String,
    /// Optional longer text.
    pub description: Option<String>,
    /// Last change, UTC (DTSTAMP and LAST-MODIFIED).
    pub updated_at: DateTime<Utc>,
}

/// Renders whole-day events (dates without a time, so without a zone) as a VCALENDAR named
/// `name`.
pub fn render_days(name: &str, events: &[DaysEvent]) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("PRODID", PRODID_CALENDAR))
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .append_property(Property::new("X-WR-CALNAME", clean_text(name)));
    calendar.extend(events.iter().map(|event| {
        let mut vevent = icalendar::Event::new();
        vevent
            .uid(&format!("{}@empower", event.id))
            .sequence(event.sequence)
            .timestamp(event.updated_at)
            .last_modified(event.updated_at)
            .starts(event.first)
            .ends(event.end)
            .summary(&clean_text(&event.summary))
            // A month of a calendar is not an appointment: subscribers stay free.
            .add_property("TRANSP", "TRANSPARENT");
        if let Some(description) = event.description.as_deref()
            && !description.trim().is_empty()
        {
            vevent.description(&clean_text(description));
        }
        vevent.done()
    }));
    refold(&calendar.to_string())
}

fn vevent(event: &Event) -> icalendar::Event {
    let mut vevent = icalendar::Event::new();
    vevent
        .uid(&format!("{}@empower", event.id))
        .sequence(event.sequence)
        // The last change rather than the time of the request: the same sessions then give the
        // same bytes, which keeps the function pure and lets caches and ETags work.
        .timestamp(event.updated_at)
        .last_modified(event.updated_at)
        .starts(wall_clock(event.date, event.starts_at))
        .summary(&clean_text(&event.summary));
    // RFC 5545 §3.8.2.2 wants DTEND after DTSTART; without it the event is an instant, which
    // is still a valid feed where a bad end time would make apps drop the event or the feed.
    if event.ends_at > event.starts_at {
        vevent.ends(wall_clock(event.date, event.ends_at));
    }
    if !event.location.trim().is_empty() {
        vevent.location(&clean_text(&event.location));
    }
    if let Some(description) = event.description.as_deref()
        && !description.trim().is_empty()
    {
        vevent.description(&clean_text(description));
    }
    vevent.status(if event.cancelled {
        EventStatus::Cancelled
    } else {
        EventStatus::Confirmed
    });
    vevent.done()
}

fn wall_clock(date: NaiveDate, time: NaiveTime) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: date.and_time(time),
        tzid: TZID.to_owned(),
    }
}

/// `icalendar` escapes line feeds but passes carriage returns and other control characters
/// through; RFC 5545 §3.3.11 forbids them in TEXT, and a bare CR would split a content line.
fn clean_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// Every CRLF in `icalendar`'s output ends a content line or starts a fold, since the text it
/// is given has no CR left and its line feeds are escaped; so its folds can be undone exactly.
fn refold(text: &str) -> String {
    let mut logical = String::new();
    let mut out = String::with_capacity(text.len() + text.len() / MAX_LINE_OCTETS * 3);
    for physical in text.split("\r\n") {
        if let Some(continuation) = physical.strip_prefix(' ') {
            logical.push_str(continuation);
            continue;
        }
        if !logical.is_empty() {
            fold(&mut out, &logical);
        }
        logical.clear();
        logical.push_str(physical);
    }
    if !logical.is_empty() {
        fold(&mut out, &logical);
    }
    out
}

/// Writes one content line, folded so that no physical line exceeds 75 octets: the space that
/// opens a continuation counts, and a UTF-8 character is never split.
fn fold(out: &mut String, line: &str) {
    let mut rest = line;
    let mut room = MAX_LINE_OCTETS;
    while rest.len() > room {
        let (head, tail) = rest.split_at(fold_point(rest, room));
        out.push_str(head);
        out.push_str("\r\n ");
        rest = tail;
        room = MAX_LINE_OCTETS - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// Where to fold `line`, which is longer than `room` octets: the last character boundary that
/// fits and has no space or tab on either side, else one with none before it, else any. Mail
/// transports and some readers trim the end of each physical line, and some also the blanks
/// that open a continuation; either would eat a space of the text folded there.
fn fold_point(line: &str, room: usize) -> usize {
    let mut fits = 0;
    let mut not_after_blank = 0;
    let mut clean = 0;
    let mut after_blank = false;
    for (at, c) in line.char_indices() {
        if at > room {
            break;
        }
        let blank = matches!(c, ' ' | '\t');
        if at > 0 {
            fits = at;
            if !after_blank {
                not_after_blank = at;
                if !blank {
                    clean = at;
                }
            }
        }
        after_blank = blank;
    }
    // `room` is at least 74 octets and a character at most 4, so `fits` is past the first
    // character and every fold makes progress.
    [clean, not_after_blank, fits]
        .into_iter()
        .find(|&at| at > 0)
        .unwrap_or(fits)
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use chrono::TimeZone;
    use ical::parser::ical::component::{IcalCalendar, IcalTimeZoneTransitionType};
    use ical::property::Property;

    use super::*;

    const SUMMARY: &str = "M2 jour 3 : Journée commune, associations expérimentées";

    fn planned() -> Event {
        Event {
            id: uuid::Uuid::from_u128(0x0190_6a2b_7c3d_7e4f_8a5b_6c7d_8e9f_a0b1),
            sequence: 2,
            date: NaiveDate::from_ymd_opt(2026, 3, 12).expect("date"),
            starts_at: NaiveTime::from_hms_opt(9, 30, 0).expect("time"),
            ends_at: NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
            summary: SUMMARY.to_owned(),
            location: "Maison des associations; salle 2, Bruxelles".to_owned(),
            description: Some("Apportez un ordinateur.\r\nChemin C:\\partage; étage 1".to_owned()),
            cancelled: false,
            updated_at: Utc
                .with_ymd_and_hms(2026, 2, 1, 10, 15, 30)
                .single()
                .expect("instant")
                + chrono::Duration::milliseconds(250),
        }
    }

    fn cancelled() -> Event {
        Event {
            id: uuid::Uuid::from_u128(0x0190_6a2b_7c3d_7e4f_8a5b_6c7d_8e9f_a0b2),
            sequence: 5,
            date: NaiveDate::from_ymd_opt(2026, 7, 2).expect("date"),
            starts_at: NaiveTime::from_hms_opt(14, 0, 0).expect("time"),
            ends_at: NaiveTime::from_hms_opt(17, 30, 0).expect("time"),
            summary: "M3 jour 1 : Financement".to_owned(),
            location: "Liège".to_owned(),
            description: None,
            cancelled: true,
            updated_at: Utc
                .with_ymd_and_hms(2026, 6, 20, 8, 0, 0)
                .single()
                .expect("instant"),
        }
    }

    fn parse(feed: &str) -> IcalCalendar {
        let mut calendars = ical::IcalParser::new(BufReader::new(feed.as_bytes()));
        let calendar = calendars
            .next()
            .expect("a calendar")
            .expect("a valid calendar");
        assert!(calendars.next().is_none(), "one calendar only");
        calendar
    }

    fn find<'a>(properties: &'a [Property], name: &str) -> &'a Property {
        let mut found = properties.iter().filter(|p| p.name == name);
        let property = found.next().unwrap_or_else(|| panic!("{name} missing"));
        assert!(found.next().is_none(), "{name} twice");
        property
    }

    fn value<'a>(properties: &'a [Property], name: &str) -> &'a str {
        find(properties, name).value.as_deref().unwrap_or_default()
    }

    fn params(property: &Property) -> Vec<(String, Vec<String>)> {
        property.params.clone().unwrap_or_default()
    }

    /// `ical` hands TEXT values over still escaped.
    fn unescape(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        }
        out
    }

    fn assert_lines(feed: &str) {
        assert!(feed.ends_with("\r\n"), "ends with CRLF");
        for line in feed.split_inclusive('\n') {
            let content = line
                .strip_suffix("\r\n")
                .unwrap_or_else(|| panic!("no CRLF after {line:?}"));
            assert!(!content.contains('\r'), "bare CR in {line:?}");
            assert!(
                content.len() <= MAX_LINE_OCTETS,
                "{} octets: {content:?}",
                content.len()
            );
            assert!(!content.is_empty(), "empty line");
        }
    }

    #[test]
    fn calendar_properties() {
        let feed = render("Empower, formations", &[planned()]);
        let calendar = parse(&feed);
        let properties = &calendar.properties;
        assert_eq!(value(properties, "PRODID"), PRODID);
        assert_eq!(value(properties, "VERSION"), "2.0");
        assert_eq!(value(properties, "CALSCALE"), "GREGORIAN");
        assert_eq!(value(properties, "METHOD"), "PUBLISH");
        assert_eq!(value(properties, "X-WR-CALNAME"), "Empower\\, formations");
        assert!(feed.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(feed.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn vtimezone_is_europe_brussels() {
        let feed = render("Empower", &[planned()]);
        let calendar = parse(&feed);
        assert_eq!(calendar.timezones.len(), 1);
        let zone = &calendar.timezones[0];
        assert_eq!(value(&zone.properties, "TZID"), TZID);
        // No DTSTAMP or UID, which `icalendar` adds to components it does not know and which
        // RFC 5545 §3.6.5 does not allow here.
        assert!(zone.properties.iter().all(|p| p.name == "TZID"));
        assert_eq!(zone.transitions.len(), 2);
        for transition in &zone.transitions {
            let properties = &transition.properties;
            let expected = match transition.transition {
                IcalTimeZoneTransitionType::DAYLIGHT => [
                    "CEST",
                    "+0100",
                    "+0200",
                    "19700329T020000",
                    "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
                ],
                IcalTimeZoneTransitionType::STANDARD => [
                    "CET",
                    "+0200",
                    "+0100",
                    "19701025T030000",
                    "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
                ],
            };
            let names = ["TZNAME", "TZOFFSETFROM", "TZOFFSETTO", "DTSTART", "RRULE"];
            for (name, expected) in names.iter().zip(expected) {
                assert_eq!(value(properties, name), expected, "{name}");
            }
            assert!(properties.iter().all(|p| names.contains(&p.name.as_str())));
        }
        let daylight = zone
            .transitions
            .iter()
            .filter(|t| matches!(t.transition, IcalTimeZoneTransitionType::DAYLIGHT))
            .count();
        assert_eq!(daylight, 1, "one DAYLIGHT and one STANDARD");
        let zone_at = feed.find("BEGIN:VTIMEZONE\r\n").expect("VTIMEZONE");
        let event_at = feed.find("BEGIN:VEVENT\r\n").expect("VEVENT");
        assert!(zone_at < event_at, "the zone comes before the events");
    }

    #[test]
    fn events() {
        let feed = render("Empower", &[planned(), cancelled()]);
        let calendar = parse(&feed);
        assert_eq!(calendar.events.len(), 2);

        let event = &calendar.events[0].properties;
        assert_eq!(
            value(event, "UID"),
            "01906a2b-7c3d-7e4f-8a5b-6c7d8e9fa0b1@empower"
        );
        let start = find(event, "DTSTART");
        assert_eq!(start.value.as_deref(), Some("20260312T093000"));
        assert_eq!(
            params(start),
            vec![("TZID".to_owned(), vec![TZID.to_owned()])]
        );
        let end = find(event, "DTEND");
        assert_eq!(end.value.as_deref(), Some("20260312T160000"));
        assert_eq!(
            params(end),
            vec![("TZID".to_owned(), vec![TZID.to_owned()])]
        );
        assert_eq!(
            value(event, "SUMMARY"),
            "M2 jour 3 : Journée commune\\, associations expérimentées"
        );
        assert_eq!(unescape(value(event, "SUMMARY")), SUMMARY);
        assert_eq!(
            value(event, "LOCATION"),
            "Maison des associations\\; salle 2\\, Bruxelles"
        );
        assert_eq!(
            value(event, "DESCRIPTION"),
            "Apportez un ordinateur.\\nChemin C:\\\\partage\\; étage 1"
        );
        assert_eq!(
            unescape(value(event, "DESCRIPTION")),
            "Apportez un ordinateur.\nChemin C:\\partage; étage 1"
        );
        assert_eq!(value(event, "SEQUENCE"), "2");
        assert_eq!(value(event, "STATUS"), "CONFIRMED");
        assert_eq!(value(event, "DTSTAMP"), "20260201T101530Z");
        assert_eq!(value(event, "LAST-MODIFIED"), "20260201T101530Z");

        let event = &calendar.events[1].properties;
        assert_eq!(
            value(event, "UID"),
            "01906a2b-7c3d-7e4f-8a5b-6c7d8e9fa0b2@empower"
        );
        assert_eq!(value(event, "DTSTART"), "20260702T140000");
        assert_eq!(value(event, "DTEND"), "20260702T173000");
        assert_eq!(unescape(value(event, "SUMMARY")), "M3 jour 1 : Financement");
        assert_eq!(value(event, "LOCATION"), "Liège");
        assert_eq!(value(event, "SEQUENCE"), "5");
        assert_eq!(value(event, "STATUS"), "CANCELLED");
        assert!(event.iter().all(|p| p.name != "DESCRIPTION"));
    }

    #[test]
    fn lines_are_folded_and_end_with_crlf() {
        let mut long = planned();
        // 150 octets as one content line: `icalendar` alone leaves a 76-octet continuation.
        long.summary = "x".repeat(150 - "SUMMARY:".len());
        let mut accented = cancelled();
        accented.summary = format!("{SUMMARY} — {SUMMARY} — {SUMMARY}");
        // `ical` trims the end of a content line's last physical line, so no text ends blank.
        accented.description = Some(format!("{}fin", "é ".repeat(120)));
        let name = "Calendrier des formations ".repeat(5).trim_end().to_owned();
        let feed = render(&name, &[long.clone(), accented.clone()]);
        assert_lines(&feed);
        assert!(feed.contains("\r\n "), "long lines are folded");

        let calendar = parse(&feed);
        assert_eq!(
            value(&calendar.events[0].properties, "SUMMARY"),
            long.summary
        );
        let event = &calendar.events[1].properties;
        assert_eq!(unescape(value(event, "SUMMARY")), accented.summary);
        assert_eq!(
            value(event, "DESCRIPTION"),
            accented.description.as_deref().unwrap_or_default()
        );
        assert_eq!(value(&calendar.properties, "X-WR-CALNAME"), name);
    }

    #[test]
    fn fold_limits() {
        for length in [1, 74, 75, 76, 148, 149, 150, 151, 300] {
            let line = "a".repeat(length);
            let mut out = String::new();
            fold(&mut out, &line);
            assert_lines(&out);
            assert_eq!(out.replace("\r\n ", "").trim_end_matches("\r\n"), line);
        }
        for length in [70, 75, 76, 200] {
            let line = "é".repeat(length);
            let mut out = String::new();
            fold(&mut out, &line);
            assert_lines(&out);
            assert_eq!(out.replace("\r\n ", "").trim_end_matches("\r\n"), line);
        }
        let blanks = " ".repeat(200);
        let mut out = String::new();
        fold(&mut out, &blanks);
        assert_lines(&out);
        assert_eq!(out.replace("\r\n ", "").trim_end_matches("\r\n"), blanks);
    }

    #[test]
    fn folds_away_from_blanks() {
        let words = format!("{} {}", "x".repeat(73), "y".repeat(10));
        assert_eq!(fold_point(&words, 74), 72);
        let spaced = "é ".repeat(60);
        let at = fold_point(&spaced, 74);
        assert!(at <= 74);
        assert!(spaced[..at].ends_with('é'));
    }

    #[test]
    fn control_characters_do_not_break_lines() {
        let mut event = planned();
        event.summary = "Jour\r1\u{7}".to_owned();
        event.description = Some("a\rb\r\nc\u{0}d".to_owned());
        let feed = render("Empower\r\nformations", &[event]);
        assert_lines(&feed);
        let calendar = parse(&feed);
        let event = &calendar.events[0].properties;
        assert_eq!(unescape(value(event, "SUMMARY")), "Jour\n1");
        assert_eq!(unescape(value(event, "DESCRIPTION")), "a\nb\ncd");
        assert_eq!(
            unescape(value(&calendar.properties, "X-WR-CALNAME")),
            "Empower\nformations"
        );
    }

    #[test]
    fn end_not_after_start_is_left_out() {
        let mut event = planned();
        event.ends_at = event.starts_at;
        event.location = " ".to_owned();
        event.description = Some(String::new());
        let calendar = parse(&render("Empower", &[event]));
        let event = &calendar.events[0].properties;
        assert!(event.iter().all(|p| p.name != "DTEND"));
        assert!(event.iter().all(|p| p.name != "LOCATION"));
        assert!(event.iter().all(|p| p.name != "DESCRIPTION"));
        assert_eq!(value(event, "DTSTART"), "20260312T093000");
    }

    #[test]
    fn empty_feed_still_defines_the_zone() {
        let feed = render("Empower", &[]);
        assert_lines(&feed);
        let calendar = parse(&feed);
        assert!(calendar.events.is_empty());
        assert_eq!(value(&calendar.timezones[0].properties, "TZID"), TZID);
    }

    #[test]
    fn same_input_same_bytes() {
        let events = [planned(), cancelled()];
        assert_eq!(render("Empower", &events), render("Empower", &events));
    }
}
