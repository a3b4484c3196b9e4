//! Euro amounts, kept exact as integers of cents and written `1250.00` on the wire.

/// Largest amount accepted, in cents (one billion euros).
pub const MAX_CENTS: i64 = 100_000_000_000;

/// Parses a euro amount (`1250`, `1250.5`, `1250.50`) into cents; `None` when it is not one.
pub fn parse_cents(amount: &str) -> Option<i64> {
    let amount = amount.trim();
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    if whole.is_empty() || whole.len() > 10 || fraction.len() > 2 {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    let cents = whole.parse::<i64>().ok()? * 100 + cents;
    (cents <= MAX_CENTS).then_some(cents)
}

/// Formats cents as `1250.00`.
pub fn format_cents(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_cents() {
        assert_eq!(parse_cents("1250"), Some(125_000));
        assert_eq!(parse_cents("1250.5"), Some(125_050));
        assert_eq!(parse_cents("0.05"), Some(5));
        for bad in [
            "",
            "-1",
            "1.234",
            "1,50",
            "abc",
            ".5",
            "99999999999",
            "1e308",
        ] {
            assert_eq!(parse_cents(bad), None, "{bad}");
        }
        assert_eq!(format_cents(125_050), "1250.50");
        assert_eq!(format_cents(0), "0.00");
    }
}
