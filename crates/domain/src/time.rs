//! Every date and time the API accepts has a range: nothing before 1900 or after 2100 means
//! anything in this programme, and PostgreSQL refuses what SQLite would store (year -9999).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};

use crate::FieldError;

/// The earliest date accepted anywhere.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

/// The latest date accepted anywhere.
pub const LATEST: NaiveDate = match NaiveDate::from_ymd_opt(2100, 12, 31) {
    Some(day) => day,
    None => NaiveDate::MAX,
};

/// The rule every date and time keeps, in words.
pub fn range_rule() -> String {
    format!("must be between {EARLIEST} and {LATEST}")
}

/// Refuses a date outside [`EARLIEST`]..=[`LATEST`].
pub fn check_date(day: NaiveDate, pointer: &str) -> Result<NaiveDate, FieldError> {
    if (EARLIEST..=LATEST).contains(&day) {
        Ok(day)
    } else {
        Err(FieldError::new(pointer, range_rule()))
    }
}

/// Refuses a date after `today` (something that already happened), or outside the range.
pub fn check_past_date(
    day: NaiveDate,
    today: NaiveDate,
    pointer: &str,
) -> Result<NaiveDate, FieldError> {
    if day > today {
        return Err(FieldError::new(pointer, "must not be in the future"));
    }
    check_date(day, pointer)
}

/// Refuses a time whose date is outside [`EARLIEST`]..=[`LATEST`].
pub fn check_instant(at: DateTime<Utc>, pointer: &str) -> Result<DateTime<Utc>, FieldError> {
    check_date(at.date_naive(), pointer).map(|_| at)
}

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .unwrap_or(LATEST);
    let mut day = next - Duration::days(1);
    while day.weekday() != Weekday::Sun {
        day -= Duration::days(1);
    }
    day
}

/// Wall-clock time in Brussels at instant `at`: UTC+2 from the last Sunday of March to the
/// last Sunday of October (changes at 01:00 UTC, the EU rule since 1996), UTC+1 otherwise.
pub fn brussels(at: DateTime<Utc>) -> NaiveDateTime {
    let year = at.year();
    let change = |day: NaiveDate| {
        day.and_time(NaiveTime::from_hms_opt(1, 0, 0).unwrap_or_default())
            .and_utc()
    };
    let summer = change(last_sunday(year, 3)) <= at && at < change(last_sunday(year, 10));
    (at + Duration::hours(if summer { 2 } else { 1 })).naive_utc()
}

/// The instant day `day` starts (midnight) in Brussels.
pub fn brussels_midnight(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::MIN);
    [2, 1]
        .into_iter()
        .map(|hours| (local - Duration::hours(hours)).and_utc())
        .find(|at| brussels(*at) == local)
        .unwrap_or_else(|| (local - Duration::hours(1)).and_utc())
}

/// Today in Brussels, where the training takes place.
pub fn brussels_today() -> NaiveDate {
    brussels(Utc::now()).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brussels_keeps_summer_time_between_the_last_sundays_of_march_and_october() {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        };
        assert_eq!(
            brussels(at("2026-01-10T23:30:00Z")).to_string(),
            "2026-01-11 00:30:00"
        );
        assert_eq!(
            brussels(at("2026-03-29T00:59:00Z")).to_string(),
            "2026-03-29 01:59:00"
        );
        assert_eq!(
            brussels(at("2026-03-29T01:00:00Z")).to_string(),
            "2026-03-29 03:00:00"
        );
        assert_eq!(
            brussels(at("2026-07-01T22:30:00Z")).to_string(),
            "2026-07-02 00:30:00"
        );
        assert_eq!(
            brussels(at("2026-10-25T00:59:00Z")).to_string(),
            "2026-10-25 02:59:00"
        );
        assert_eq!(
            brussels(at("2026-10-25T01:00:00Z")).to_string(),
            "2026-10-25 02:00:00"
        );
    }

    #[test]
    fn dates_outside_the_range_are_refused() {
        assert!(check_date(EARLIEST, "/d").is_ok());
        assert!(check_date(LATEST, "/d").is_ok());
        let ancient = NaiveDate::from_ymd_opt(-9999, 1, 1).unwrap_or(NaiveDate::MIN);
        assert!(check_date(ancient, "/d").is_err());
        let far = NaiveDate::from_ymd_opt(99_999, 12, 31).unwrap_or(NaiveDate::MAX);
        assert_eq!(
            check_date(far, "/d").map_err(|e| e.pointer),
            Err("/d".to_owned())
        );
    }
}
