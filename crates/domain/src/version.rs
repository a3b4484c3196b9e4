//! Optimistic concurrency: every resource carries a `version`; a write that names a stale one
//! is refused before anything is written.

use crate::DomainError;

/// Refuses the write when the caller expected another version than the current one.
pub fn check(current: i32, expected: Option<i32>) -> Result<(), DomainError> {
    match expected {
        Some(expected) if expected != current => Err(DomainError::Stale { current }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_differing_expectation_is_refused() {
        assert!(check(3, None).is_ok());
        assert!(check(3, Some(3)).is_ok());
        assert!(matches!(
            check(3, Some(2)),
            Err(DomainError::Stale { current: 3 })
        ));
    }
}
