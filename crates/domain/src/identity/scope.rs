//! What a partner API client may be granted.

use crate::DomainError;

/// Every scope, by name. Later areas add theirs here.
pub const ALL: [&str; 8] = [
    "sync:read",
    "associations:read",
    "associations:write",
    "training:read",
    "restitutions:read",
    "restitutions:write",
    "indicators:read",
    "publications:read",
];

/// Checks a list of scopes: each known, none repeated, at least one. Returns them sorted.
pub fn parse_list(scopes: &[String], pointer: &str) -> Result<Vec<String>, DomainError> {
    let mut errors = Vec::new();
    for (i, scope) in scopes.iter().enumerate() {
        if !ALL.contains(&scope.as_str()) {
            errors.push(crate::FieldError::new(
                format!("{pointer}/{i}"),
                format!("is not a known scope (known: {})", ALL.join(", ")),
            ));
        }
    }
    if scopes.is_empty() {
        errors.push(crate::FieldError::new(
            pointer,
            "must name at least one scope",
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted.dedup();
    Ok(sorted)
}

/// Splits a stored or requested space-separated scope string.
pub fn split(scopes: &str) -> Vec<String> {
    scopes.split_whitespace().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_scopes_pass_sorted_and_unknown_ones_are_pointed_at() {
        let ok = parse_list(
            &[
                "training:read".into(),
                "sync:read".into(),
                "sync:read".into(),
            ],
            "/scopes",
        );
        assert_eq!(
            ok.ok(),
            Some(vec!["sync:read".to_owned(), "training:read".to_owned()])
        );
        let Err(DomainError::Invalid(errors)) =
            parse_list(&["sync:read".into(), "everything".into()], "/scopes")
        else {
            panic!("expected invalid");
        };
        assert_eq!(errors[0].pointer, "/scopes/1");
        assert!(parse_list(&[], "/scopes").is_err());
        assert_eq!(split(" a  b "), ["a", "b"]);
    }
}
