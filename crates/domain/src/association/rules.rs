//! The association registry's rules, as plain functions over plain values.

use std::fmt;

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A Belgian enterprise number (BCE/KBO): 10 digits whose last two are `97 - (first 8 mod 97)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseNumber(String);

/// Why an enterprise number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnterpriseNumberError {
    /// Not 10 digits once `BE`, dots and spaces are removed.
    Format,
    /// The check digits do not match.
    CheckDigits,
}

impl fmt::Display for EnterpriseNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Format => "must be 10 digits, such as 0123.456.749 (BE, dots and spaces allowed)",
            Self::CheckDigits => "check digits do not match",
        })
    }
}

impl EnterpriseNumber {
    /// Accepts `0123456749`, `0123.456.749`, `BE 0123 456 749`...
    pub fn parse(raw: &str) -> Result<Self, EnterpriseNumberError> {
        let trimmed = raw.trim();
        let without_country = trimmed
            .strip_prefix("BE")
            .or_else(|| trimmed.strip_prefix("be"))
            .unwrap_or(trimmed);
        let digits: String = without_country
            .chars()
            .filter(|c| !matches!(c, '.' | ' '))
            .collect();
        if digits.len() != 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(EnterpriseNumberError::Format);
        }
        let first8: u64 = digits[..8]
            .parse()
            .map_err(|_| EnterpriseNumberError::Format)?;
        let check: u64 = digits[8..]
            .parse()
            .map_err(|_| EnterpriseNumberError::Format)?;
        if 97 - first8 % 97 != check {
            return Err(EnterpriseNumberError::CheckDigits);
        }
        Ok(Self(format!(
            "{}.{}.{}",
            &digits[..4],
            &digits[4..7],
            &digits[7..]
        )))
    }

    /// The canonical form, `0123.456.749`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Legal form.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum LegalForm {
    /// Association sans but lucratif.
    Asbl,
    /// Vereniging zonder winstoogmerk.
    Vzw,
    /// De facto association, without legal personality (no enterprise number).
    DeFacto,
    /// Anything else.
    Other,
}

/// Belgium's three regions, derived from the postal code.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Brussels-Capital (1000-1299).
    Brussels,
    /// Wallonia (1300-1499, 4000-7999).
    Wallonia,
    /// Flanders (1500-3999, 8000-9999).
    Flanders,
}

impl Region {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Brussels => "brussels",
            Self::Wallonia => "wallonia",
            Self::Flanders => "flanders",
        }
    }
}

/// The region of a Belgian postal code; `None` outside 1000-9999.
pub fn region_of(postal_code: u16) -> Option<Region> {
    match postal_code {
        1000..=1299 => Some(Region::Brussels),
        1300..=1499 | 4000..=7999 => Some(Region::Wallonia),
        1500..=3999 | 8000..=9999 => Some(Region::Flanders),
        _ => None,
    }
}

/// Where an association is in the selection; changed only through transitions.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[schema(as = AssociationStatus)]
pub enum Status {
    /// Applied.
    Applicant,
    /// On the shortlist.
    Shortlisted,
    /// Selected as a beneficiary.
    Selected,
    /// Taking part.
    Active,
    /// Done (final).
    Completed,
    /// Not selected (final).
    Rejected,
    /// Left (final).
    Withdrawn,
}

impl Status {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applicant => "applicant",
            Self::Shortlisted => "shortlisted",
            Self::Selected => "selected",
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// No move leaves a final status.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Rejected | Self::Withdrawn)
    }

    /// The statuses this one may move to.
    pub fn allowed_next(self) -> Vec<Self> {
        if self.is_final() {
            return vec![];
        }
        let forward = match self {
            Self::Applicant => Self::Shortlisted,
            Self::Shortlisted => Self::Selected,
            Self::Selected => Self::Active,
            _ => Self::Completed,
        };
        vec![forward, Self::Rejected, Self::Withdrawn]
    }
}

/// Which eligibility check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckCode {
    /// A Belgian postal code is recorded.
    BasedInBelgium,
    /// Led by African diaspora women.
    WomanLed,
    /// At least one country of origin is on the donor's priority list.
    PriorityCountryOfOrigin,
}

impl CheckCode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BasedInBelgium => "based_in_belgium",
            Self::WomanLed => "woman_led",
            Self::PriorityCountryOfOrigin => "priority_country_of_origin",
        }
    }
}

/// One eligibility check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Which check.
    pub code: CheckCode,
    /// Whether it passed.
    pub passed: bool,
    /// What was found.
    pub detail: String,
}

/// The facts eligibility is judged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityFacts {
    /// The address's postal code.
    pub postal_code: Option<u16>,
    /// Led by African diaspora women.
    pub woman_led: bool,
    /// Countries of origin that are on the priority list.
    pub priority_countries: Vec<String>,
}

/// The beneficiary criteria: based in Belgium, woman-led, a priority country of origin.
pub fn eligibility(facts: &EligibilityFacts) -> Vec<Check> {
    let in_belgium = facts.postal_code.and_then(region_of);
    vec![
        Check {
            code: CheckCode::BasedInBelgium,
            passed: in_belgium.is_some(),
            detail: match (facts.postal_code, in_belgium) {
                (Some(code), Some(region)) => {
                    format!("postal code {code} is in {}", region.as_str())
                }
                (Some(code), None) => format!("postal code {code} is not Belgian"),
                (None, _) => "no postal code is recorded".into(),
            },
        },
        Check {
            code: CheckCode::WomanLed,
            passed: facts.woman_led,
            detail: if facts.woman_led {
                "led by women".into()
            } else {
                "not recorded as led by women".into()
            },
        },
        Check {
            code: CheckCode::PriorityCountryOfOrigin,
            passed: !facts.priority_countries.is_empty(),
            detail: if facts.priority_countries.is_empty() {
                "no country of origin is on the priority list".into()
            } else {
                format!(
                    "priority countries: {}",
                    facts.priority_countries.join(", ")
                )
            },
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enterprise_numbers_are_normalised_and_check_digits_verified() {
        for raw in [
            "0123456749",
            "0123.456.749",
            "BE 0123 456 749",
            " be0123.456.749 ",
        ] {
            assert_eq!(
                EnterpriseNumber::parse(raw).map(|n| n.0),
                Ok("0123.456.749".into()),
                "{raw}"
            );
        }
        assert_eq!(
            EnterpriseNumber::parse("0123.456.748"),
            Err(EnterpriseNumberError::CheckDigits)
        );
        assert_eq!(
            EnterpriseNumber::parse("123"),
            Err(EnterpriseNumberError::Format)
        );
        assert_eq!(
            EnterpriseNumber::parse("01234567AB"),
            Err(EnterpriseNumberError::Format)
        );
    }

    #[test]
    fn postal_codes_give_regions() {
        assert_eq!(region_of(1000), Some(Region::Brussels));
        assert_eq!(region_of(1299), Some(Region::Brussels));
        assert_eq!(region_of(1300), Some(Region::Wallonia));
        assert_eq!(region_of(1500), Some(Region::Flanders));
        assert_eq!(region_of(4000), Some(Region::Wallonia));
        assert_eq!(region_of(7999), Some(Region::Wallonia));
        assert_eq!(region_of(8000), Some(Region::Flanders));
        assert_eq!(region_of(9999), Some(Region::Flanders));
        assert_eq!(region_of(999), None);
    }

    #[test]
    fn transitions_follow_the_selection_and_finals_are_final() {
        use Status::*;
        assert_eq!(Applicant.allowed_next(), [Shortlisted, Rejected, Withdrawn]);
        assert_eq!(Active.allowed_next(), [Completed, Rejected, Withdrawn]);
        for status in [Completed, Rejected, Withdrawn] {
            assert!(status.allowed_next().is_empty());
        }
        assert!(!Applicant.allowed_next().contains(&Selected));
    }

    #[test]
    fn eligibility_lists_each_check() {
        let facts = EligibilityFacts {
            postal_code: Some(1060),
            woman_led: true,
            priority_countries: vec!["SN".into()],
        };
        assert!(eligibility(&facts).iter().all(|c| c.passed));
        let facts = EligibilityFacts {
            postal_code: None,
            woman_led: false,
            priority_countries: vec![],
        };
        let checks = eligibility(&facts);
        assert_eq!(checks.len(), 3);
        assert!(checks.iter().all(|c| !c.passed));
    }
}
