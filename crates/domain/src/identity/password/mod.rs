//! Password rules, and argon2id hashing (m = 19456 KiB, t = 2, p = 1: OWASP's baseline) in
//! [`hashing`].

mod hashing;

use rand::distr::{Alphanumeric, SampleString};

pub use hashing::{dummy_hash, hash, verify, verify_on_checkers};

use crate::FieldError;

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;
/// The longest password accepted (bounds hashing work).
pub const MAX_LENGTH: usize = 256;
/// The lowest zxcvbn score accepted: 3 means about 10^10 guesses or more.
pub const MIN_SCORE: u8 = 3;

/// Checks a new password against the rules; `pointer` names the field in errors. Beyond its
/// length it must not be blank, and it must be hard to guess: the zxcvbn strength estimator
/// (dictionaries of common passwords, names and words, keyboard patterns, dates, repeats and
/// sequences) must rate it at least [`MIN_SCORE`], counting the account's own words (email,
/// name) as guessable.
pub fn check(password: &str, pointer: &str, account_words: &[&str]) -> Result<(), FieldError> {
    let length = password.chars().count();
    if password.trim().is_empty() {
        return Err(FieldError::new(pointer, "must not be blank"));
    }
    if length < MIN_LENGTH {
        return Err(FieldError::new(
            pointer,
            format!("must be at least {MIN_LENGTH} characters"),
        ));
    }
    if length > MAX_LENGTH {
        return Err(FieldError::new(
            pointer,
            format!("must be at most {MAX_LENGTH} characters"),
        ));
    }
    let letters = |text: &str| -> String {
        text.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let bare = letters(password);
    let own = account_words.iter().any(|word| {
        let local = word.split('@').next().unwrap_or(word);
        [letters(word), letters(local)].contains(&bare)
    });
    if own {
        return Err(FieldError::new(
            pointer,
            "must not be the account's email or name",
        ));
    }
    let mut words: Vec<&str> = Vec::new();
    for word in account_words {
        words.push(word);
        words.extend(
            word.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 2),
        );
    }
    let estimate = zxcvbn::zxcvbn(password, &words);
    if u8::from(estimate.score()) < MIN_SCORE {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning().map(|w| w.to_string()))
            .unwrap_or_else(|| "it is too easy to guess".into());
        return Err(FieldError::new(
            pointer,
            format!("is too easy to guess ({hint}): use a longer passphrase of unrelated words"),
        ));
    }
    Ok(())
}

/// A random password for generated accounts (24 alphanumerics, about 142 bits).
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_blank_and_huge_passwords_are_refused() {
        assert!(check("elevenchars", "/password", &[]).is_err());
        assert!(check("            ", "/password", &[]).is_err());
        assert!(check("correct horse battery staple", "/password", &[]).is_ok());
        assert!(check(&"x".repeat(257), "/password", &[]).is_err());
    }

    #[test]
    fn guessable_passwords_are_refused() {
        for weak in [
            "password1234",
            "123456789012",
            "qwertyuiopas",
            "aaaaaaaaaaaa",
            "iloveyou2026",
        ] {
            assert!(check(weak, "/password", &[]).is_err(), "{weak}");
        }
        let own = check(
            "aminata.diallo",
            "/password",
            &["aminata.diallo@example.be"],
        );
        assert!(own.is_err(), "the account's own words are guessable");
    }

    #[test]
    fn generated_passwords_pass_the_rules_and_differ() {
        let a = generate();
        assert!(check(&a, "/password", &[]).is_ok());
        assert_ne!(a, generate());
    }
}
