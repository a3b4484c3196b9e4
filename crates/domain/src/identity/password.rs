//! Password rules and argon2id hashing (m = 19456 KiB, t = 2, p = 1: OWASP's baseline).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use rand::distr::{Alphanumeric, SampleString};

use crate::DomainError;

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;
/// The longest password accepted (bounds hashing work).
pub const MAX_LENGTH: usize = 256;

fn hasher() -> Argon2<'static> {
    // The parameters are constants known to be valid.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks a new password against the rules; `pointer` names the field in errors.
pub fn check(password: &str, pointer: &str) -> Result<(), DomainError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(DomainError::invalid(
            pointer,
            format!("must be at least {MIN_LENGTH} characters"),
        ));
    }
    if length > MAX_LENGTH {
        return Err(DomainError::invalid(
            pointer,
            format!("must be at most {MAX_LENGTH} characters"),
        ));
    }
    Ok(())
}

/// Hashes a password into a PHC string (algorithm, parameters and salt included).
pub fn hash(password: &str) -> Result<String, DomainError> {
    let mut salt_bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| DomainError::Internal(format!("salt encoding failed: {e}")))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the stored PHC string.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a password nobody has, verified against when an email is unknown so that the
/// answer takes as long as for a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&generate()).unwrap_or_default())
}

/// A random password for generated accounts (24 alphanumerics, about 142 bits).
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_use_argon2id_with_the_pinned_parameters() {
        let stored = hash("correct horse battery").expect("hash");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterY", &stored));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn short_and_huge_passwords_are_refused() {
        assert!(check("elevenchars", "/password").is_err());
        assert!(check("twelve chars", "/password").is_ok());
        assert!(check(&"x".repeat(257), "/password").is_err());
    }

    #[test]
    fn generated_passwords_pass_the_rules_and_differ() {
        let a = generate();
        assert!(check(&a, "/password").is_ok());
        assert_ne!(a, generate());
    }
}
