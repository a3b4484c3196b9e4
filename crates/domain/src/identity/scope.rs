//! What a partner API client may be granted: a typed list, so the access table cannot name a
//! scope that does not exist. Later areas add their scopes here when an operation uses them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::changes::ResourceType;
use crate::{DomainError, FieldError};

/// A permission an API client may hold.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
pub enum Scope {
    /// Read associations, their people (without contact data) and applications.
    #[serde(rename = "associations:read")]
    AssociationsRead,
    /// Also write them (bound clients: only their own association's).
    #[serde(rename = "associations:write")]
    AssociationsWrite,
    /// Read the change feed (of the types the other scopes allow reading).
    #[serde(rename = "sync:read")]
    SyncRead,
    /// Read the training (modules, sessions, partners, enrolments, attendance, assessments)
    /// without personal data.
    #[serde(rename = "training:read")]
    TrainingRead,
    /// Read restitutions and their evidence, without photos or attendance sheets.
    #[serde(rename = "restitutions:read")]
    RestitutionsRead,
    /// Also plan, edit and report them, and see their photos and attendance sheets (a bound
    /// client: only its own association's; never validate or return).
    #[serde(rename = "restitutions:write")]
    RestitutionsWrite,
    /// Read published deliverables with their stories, calendar entries and dissemination
    /// records.
    #[serde(rename = "publications:read")]
    PublicationsRead,
    /// Subscribe to webhooks for its own changes, and manage those subscriptions.
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Self; 8] = [
        Self::AssociationsRead,
        Self::AssociationsWrite,
        Self::SyncRead,
        Self::TrainingRead,
        Self::RestitutionsRead,
        Self::RestitutionsWrite,
        Self::PublicationsRead,
        Self::WebhooksManage,
    ];

    /// The wire name, such as `sync:read`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SyncRead => "sync:read",
            Self::AssociationsRead => "associations:read",
            Self::AssociationsWrite => "associations:write",
            Self::TrainingRead => "training:read",
            Self::RestitutionsRead => "restitutions:read",
            Self::RestitutionsWrite => "restitutions:write",
            Self::PublicationsRead => "publications:read",
            Self::WebhooksManage => "webhooks:manage",
        }
    }

    /// What the scope allows, for the contract.
    pub fn description(self) -> &'static str {
        match self {
            Self::SyncRead => "Read the change feed",
            Self::AssociationsRead => {
                "Read associations, their people (without contact data) and funding applications"
            }
            Self::AssociationsWrite => {
                "Write associations, their people and funding applications (a bound client: only its own association's)"
            }
            Self::TrainingRead => {
                "Read modules, sessions, partners, enrolments, attendance and assessments, without personal data (a bound client: only its own association's enrolments and attendance)"
            }
            Self::RestitutionsRead => {
                "Read restitutions and their evidence, without photos and attendance sheets (a bound client: only its own association's)"
            }
            Self::RestitutionsWrite => {
                "Plan, edit and report restitutions, add their evidence, and see photos and attendance sheets (a bound client: only its own association's; validating and returning stay with staff)"
            }
            Self::PublicationsRead => {
                "Read published deliverables with their stories, calendar entries and dissemination records"
            }
            Self::WebhooksManage => {
                "Subscribe to webhooks and manage the client's own subscriptions (they deliver the changes the client's other scopes read)"
            }
        }
    }

    /// Whether the scope lets a client read resources of this type, and so be told of their
    /// changes (in the feed and by webhooks). The access table's read operations say the same;
    /// a test in the API crate holds the two together.
    pub fn reads(self, resource: ResourceType) -> bool {
        use ResourceType as T;
        match self {
            Self::AssociationsRead | Self::AssociationsWrite => {
                matches!(resource, T::Association | T::Person | T::FundingApplication)
            }
            Self::TrainingRead => matches!(
                resource,
                T::Module
                    | T::Partner
                    | T::TrainingSession
                    | T::Enrollment
                    | T::Attendance
                    | T::Assessment
            ),
            Self::RestitutionsRead | Self::RestitutionsWrite => {
                matches!(resource, T::Restitution | T::RestitutionEvidence)
            }
            Self::PublicationsRead => matches!(
                resource,
                T::Deliverable | T::DeliverableStory | T::CalendarEntry | T::Dissemination
            ),
            Self::SyncRead | Self::WebhooksManage => false,
        }
    }

    /// Reads a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Checks a list of scopes: each known, at least one. Returns them sorted, without repeats.
pub fn parse_list(scopes: &[String], pointer: &str) -> Result<Vec<Scope>, DomainError> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for (i, name) in scopes.iter().enumerate() {
        match Scope::parse(name) {
            Some(scope) => parsed.push(scope),
            None => errors.push(FieldError::new(
                format!("{pointer}/{i}"),
                format!("is not a known scope (known: {})", known()),
            )),
        }
    }
    if scopes.is_empty() || scopes.len() > 20 {
        errors.push(FieldError::new(pointer, "must name 1 to 20 scopes"));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    parsed.sort();
    parsed.dedup();
    Ok(parsed)
}

fn known() -> String {
    Scope::ALL.map(Scope::as_str).join(", ")
}

/// Reads a stored space-separated scope string; a name that is not a scope is an error that
/// names it, never dropped silently.
pub fn stored(scopes: &str) -> Result<Vec<Scope>, DomainError> {
    scopes
        .split_whitespace()
        .map(|name| {
            Scope::parse(name).ok_or_else(|| {
                DomainError::Internal(format!("stored scope `{name}` is not a known scope"))
            })
        })
        .collect()
}

/// Writes scopes as stored and sent: space-separated.
pub fn join(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits a requested space-separated scope string (unknown names are kept, to be refused).
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
                "associations:read".into(),
                "sync:read".into(),
                "sync:read".into(),
            ],
            "/scopes",
        );
        assert_eq!(
            ok.ok(),
            Some(vec![Scope::AssociationsRead, Scope::SyncRead])
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

    #[test]
    fn stored_scopes_round_trip_and_unknown_ones_are_errors() {
        let scopes = [Scope::SyncRead, Scope::AssociationsWrite];
        assert_eq!(stored(&join(&scopes)).ok(), Some(scopes.to_vec()));
        assert!(stored("sync:read indicators:read").is_err());
        for scope in Scope::ALL {
            assert_eq!(
                serde_json::to_value(scope).ok(),
                Some(serde_json::Value::String(scope.as_str().into()))
            );
        }
    }
}
