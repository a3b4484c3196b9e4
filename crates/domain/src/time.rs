//! Every date and time the API accepts has a range: nothing before 1900 or after 2100 means
//! anything in this programme, and PostgreSQL refuses what SQLite would store (year -9999).

use chrono::{DateTime, NaiveDate, Utc};

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

/// Refuses a time whose date is outside [`EARLIEST`]..=[`LATEST`].
pub fn check_instant(at: DateTime<Utc>, pointer: &str) -> Result<DateTime<Utc>, FieldError> {
    check_date(at.date_naive(), pointer).map(|_| at)
}

#[cfg(test)]
mod tests {
    use super::*;

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
