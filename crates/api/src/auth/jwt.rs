//! Access tokens: HS256 JWTs with a pinned algorithm, a `kid` naming the signing secret (so
//! previous secrets keep their tokens valid during a rotation), 15-minute lifetime, 30 s leeway.

use chrono::Utc;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::settings::Secret;

/// Issuer of every token.
pub const ISSUER: &str = "empower";
/// Audience of every token.
pub const AUDIENCE: &str = "empower-api";
/// Lifetime of an access token, in seconds.
pub const ACCESS_TTL_SECONDS: i64 = 15 * 60;
/// Clock skew tolerated, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;

/// Whose token it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A person.
    User,
    /// A partner API client.
    Client,
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's or client's id.
    pub sub: String,
    /// Person or machine.
    pub kind: SubjectKind,
    /// The user's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The bound association, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association_id: Option<String>,
    /// Space-separated scopes granted to a client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expires at.
    pub exp: i64,
    /// Token id.
    pub jti: String,
}

/// The subject-specific part of a new token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The user's or client's id.
    pub id: Uuid,
    /// Person or machine.
    pub kind: SubjectKind,
    /// A user's role.
    pub role: Option<String>,
    /// The bound association.
    pub association_id: Option<Uuid>,
    /// A client's scopes.
    pub scope: Option<String>,
}

/// Signing and verification keys: the current secret signs; it and the previous ones verify.
pub struct TokenKeys {
    kid: String,
    encoding: EncodingKey,
    decoding: Vec<(String, DecodingKey)>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A key id derived from a secret: stable, and revealing nothing of it.
pub fn key_id(secret: &Secret) -> String {
    let digest = format!("{:x}", Sha256::digest(secret.expose().as_bytes()));
    digest[..16].to_owned()
}

impl TokenKeys {
    /// Keys from the current secret and the previous ones.
    pub fn new(current: &Secret, previous: &[Secret]) -> Self {
        let decoding = std::iter::once(current)
            .chain(previous)
            .map(|s| (key_id(s), DecodingKey::from_secret(s.expose().as_bytes())))
            .collect();
        Self {
            kid: key_id(current),
            encoding: EncodingKey::from_secret(current.expose().as_bytes()),
            decoding,
        }
    }

    /// Signs a new access token for `subject`.
    pub fn issue(&self, subject: &Subject) -> Result<String, jsonwebtoken::errors::Error> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: subject.id.to_string(),
            kind: subject.kind,
            role: subject.role.clone(),
            association_id: subject.association_id.map(|id| id.to_string()),
            scope: subject.scope.clone(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            nbf: now,
            exp: now + ACCESS_TTL_SECONDS,
            jti: Uuid::now_v7().to_string(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        encode(&header, &claims, &self.encoding)
    }

    /// Verifies a token: known `kid`, HS256 only, signature, issuer, audience, times.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let header = decode_header(token).ok()?;
        if header.alg != Algorithm::HS256 {
            return None;
        }
        let kid = header.kid?;
        let (_, key) = self.decoding.iter().find(|(id, _)| *id == kid)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        decode::<Claims>(token, key, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn secret(c: char) -> Secret {
        Secret::new(c.to_string().repeat(40))
    }

    fn subject() -> Subject {
        Subject {
            id: Uuid::now_v7(),
            kind: SubjectKind::User,
            role: Some("staff".into()),
            association_id: None,
            scope: None,
        }
    }

    #[test]
    fn a_signed_token_verifies_with_its_claims() {
        let keys = TokenKeys::new(&secret('a'), &[]);
        let subject = subject();
        let token = keys.issue(&subject).expect("sign");
        let claims = keys.verify(&token).expect("verify");
        assert_eq!(claims.sub, subject.id.to_string());
        assert_eq!(claims.role.as_deref(), Some("staff"));
        assert_eq!(claims.exp - claims.iat, ACCESS_TTL_SECONDS);
        assert_eq!(
            (claims.iss.as_str(), claims.aud.as_str()),
            (ISSUER, AUDIENCE)
        );
    }

    #[test]
    fn previous_secrets_verify_and_unknown_ones_do_not() {
        let old = TokenKeys::new(&secret('o'), &[]);
        let token = old.issue(&subject()).expect("sign");
        assert!(
            TokenKeys::new(&secret('n'), &[secret('o')])
                .verify(&token)
                .is_some()
        );
        assert!(TokenKeys::new(&secret('n'), &[]).verify(&token).is_none());
    }

    #[test]
    fn tampered_and_unsigned_tokens_are_refused() {
        let keys = TokenKeys::new(&secret('a'), &[]);
        let token = keys.issue(&subject()).expect("sign");
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).expect("b64")).expect("json");
        claims["role"] = "admin".into();
        parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
        assert!(keys.verify(&parts.join(".")).is_none(), "tampered");
        let none_header = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"alg":"none","typ":"JWT","kid":"{}"}}"#,
            key_id(&secret('a'))
        ));
        let unsigned = format!("{none_header}.{}.", parts[1]);
        assert!(keys.verify(&unsigned).is_none(), "alg none");
        assert!(keys.verify("not.a.jwt").is_none());
    }
}
