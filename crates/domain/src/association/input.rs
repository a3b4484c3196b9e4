//! An association's writable fields as a client sends them, and the one check that turns them
//! into a [`Valid`] association or reports every broken rule at once.

use super::rules::{self, EnterpriseNumber, LegalForm, Region};
use crate::{FieldError, text};

/// Fields that publication consent may cover.
pub const PUBLISHABLE_FIELDS: [&str; 14] = [
    "name",
    "acronym",
    "legal_form",
    "founded_year",
    "city",
    "region",
    "countries_of_origin",
    "sdgs",
    "thematic_areas",
    "intervention_regions",
    "member_count",
    "website",
    "email",
    "phone",
];

/// An address as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressInput {
    /// Street and number.
    pub street: Option<String>,
    /// Belgian postal code (1000-9999).
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
}

/// Contact details as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Website (http or https).
    pub website: Option<String>,
}

/// Publication consent as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentInput {
    /// Consent given.
    pub granted: bool,
    /// Fields that may be published.
    pub fields: Vec<String>,
}

/// An association's writable fields, as a client sends them (create, replace, merged patch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssociationInput {
    /// Name, 2-200 characters, unique ignoring case and accents, and not confusable.
    pub name: String,
    /// Acronym, at most 20 characters.
    pub acronym: Option<String>,
    /// Legal form.
    pub legal_form: LegalForm,
    /// Required unless the legal form is `de_facto`.
    pub enterprise_number: Option<String>,
    /// 1900 to this year.
    pub founded_year: Option<i32>,
    /// At least 0.
    pub member_count: Option<i64>,
    /// Belgian address.
    pub address: AddressInput,
    /// 1 to 20 ISO codes.
    pub countries_of_origin: Vec<String>,
    /// SDG numbers.
    pub sdgs: Vec<i32>,
    /// Up to 20 short strings.
    pub thematic_areas: Vec<String>,
    /// Free text.
    pub intervention_regions: Option<String>,
    /// Led by African diaspora women.
    pub woman_led: bool,
    /// Contact details.
    pub contact: ContactInput,
    /// Publication consent.
    pub publication_consent: ConsentInput,
}

impl AssociationInput {
    /// A de facto association (no enterprise number needed) with these countries of origin and
    /// nothing else: the smallest valid input, for fixtures, demo data and benchmarks.
    pub fn de_facto(name: &str, countries_of_origin: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            acronym: None,
            legal_form: LegalForm::DeFacto,
            enterprise_number: None,
            founded_year: None,
            member_count: None,
            address: AddressInput::default(),
            countries_of_origin: countries_of_origin
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
            sdgs: vec![],
            thematic_areas: vec![],
            intervention_regions: None,
            woman_led: false,
            contact: ContactInput::default(),
            publication_consent: ConsentInput::default(),
        }
    }
}

/// An input that passed every field rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    pub(super) name: String,
    pub(super) acronym: Option<String>,
    pub(super) legal_form: LegalForm,
    pub(super) enterprise_number: Option<String>,
    pub(super) founded_year: Option<i32>,
    pub(super) member_count: Option<i32>,
    pub(super) street: Option<String>,
    pub(super) postal_code: Option<String>,
    pub(super) city: Option<String>,
    pub(super) region: Option<Region>,
    pub(super) countries: Vec<String>,
    pub(super) sdgs: Vec<i32>,
    pub(super) thematic_areas: Vec<String>,
    pub(super) intervention_regions: Option<String>,
    pub(super) woman_led: bool,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) website: Option<String>,
    pub(super) consent_granted: bool,
    pub(super) consent_fields: Vec<String>,
}

impl Valid {
    /// The name as it will be stored.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The normalised enterprise number, if any.
    pub fn enterprise_number(&self) -> Option<&str> {
        self.enterprise_number.as_deref()
    }
}

/// The facts the rules need besides the input: this year, and which country codes exist.
pub struct Facts<'a> {
    /// Bounds `founded_year`.
    pub this_year: i32,
    /// Whether an ISO code is one of `/api/v1/countries`.
    pub is_country: &'a dyn Fn(&str) -> bool,
}

/// Checks every field rule at once.
pub fn check(input: &AssociationInput, facts: &Facts<'_>) -> Result<Valid, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = text::collect(&mut errors, text::line(&input.name, "/name", 2, 200));
    let acronym = text::collect(
        &mut errors,
        text::optional_line(input.acronym.as_deref(), "/acronym", 20),
    )
    .flatten();
    let number = text::optional(
        input.enterprise_number.as_deref(),
        "/enterprise_number",
        20,
        |raw| {
            EnterpriseNumber::parse(raw)
                .map(|n| n.as_str().to_owned())
                .map_err(|e| FieldError::new("/enterprise_number", e.to_string()))
        },
    );
    let enterprise_number = match number {
        Ok(Some(number)) => Some(number),
        Err(e) => {
            errors.push(e);
            None
        }
        Ok(None) if input.legal_form != LegalForm::DeFacto => {
            errors.push(FieldError::new(
                "/enterprise_number",
                "is required unless the legal form is de_facto",
            ));
            None
        }
        Ok(None) => None,
    };
    if let Some(year) = input.founded_year
        && !(1900..=facts.this_year).contains(&year)
    {
        errors.push(FieldError::new(
            "/founded_year",
            format!("must be between 1900 and {}", facts.this_year),
        ));
    }
    let member_count = match input.member_count {
        Some(n) if !(0..=i64::from(i32::MAX)).contains(&n) => {
            errors.push(FieldError::new(
                "/member_count",
                format!("must be between 0 and {}", i32::MAX),
            ));
            None
        }
        Some(n) => i32::try_from(n).ok(),
        None => None,
    };
    let address = &input.address;
    let street = text::collect(
        &mut errors,
        text::optional_line(address.street.as_deref(), "/address/street", 200),
    )
    .flatten();
    let city = text::collect(
        &mut errors,
        text::optional_line(address.city.as_deref(), "/address/city", 100),
    )
    .flatten();
    let postal_code = text::collect(
        &mut errors,
        text::optional(
            address.postal_code.as_deref(),
            "/address/postal_code",
            4,
            |p| Ok(p.to_owned()),
        ),
    )
    .flatten();
    let region = match &postal_code {
        Some(code) => {
            let region = code
                .parse::<u16>()
                .ok()
                .filter(|_| code.len() == 4 && code.chars().all(|c| c.is_ascii_digit()))
                .and_then(rules::region_of);
            if region.is_none() {
                errors.push(FieldError::new(
                    "/address/postal_code",
                    "must be a Belgian postal code, 1000 to 9999",
                ));
            }
            region
        }
        None => None,
    };
    let mut countries: Vec<String> = Vec::new();
    for (i, code) in input.countries_of_origin.iter().enumerate() {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
            errors.push(FieldError::new(
                format!("/countries_of_origin/{i}"),
                "must be an ISO 3166-1 alpha-2 code",
            ));
        } else if !(facts.is_country)(&code) {
            errors.push(FieldError::new(
                format!("/countries_of_origin/{i}"),
                "is not a country in /api/v1/countries",
            ));
        } else if !countries.contains(&code) {
            countries.push(code);
        }
    }
    if input.countries_of_origin.is_empty() || input.countries_of_origin.len() > 20 {
        errors.push(FieldError::new(
            "/countries_of_origin",
            "must list 1 to 20 countries",
        ));
    }
    let mut sdgs: Vec<i32> = Vec::new();
    for (i, sdg) in input.sdgs.iter().enumerate() {
        if !(1..=17).contains(sdg) {
            errors.push(FieldError::new(
                format!("/sdgs/{i}"),
                "must be an SDG number, 1 to 17",
            ));
        } else if !sdgs.contains(sdg) {
            sdgs.push(*sdg);
        }
    }
    if input.sdgs.len() > 17 {
        errors.push(FieldError::new("/sdgs", "must list at most 17 SDGs"));
    }
    sdgs.sort_unstable();
    countries.sort();
    let mut thematic_areas = Vec::new();
    if input.thematic_areas.len() > 20 {
        errors.push(FieldError::new(
            "/thematic_areas",
            "must list at most 20 areas",
        ));
    }
    for (i, area) in input.thematic_areas.iter().enumerate() {
        if let Some(area) = text::collect(
            &mut errors,
            text::line(area, &format!("/thematic_areas/{i}"), 1, 60),
        ) {
            thematic_areas.push(area);
        }
    }
    let intervention_regions = text::collect(
        &mut errors,
        text::optional_paragraph(
            input.intervention_regions.as_deref(),
            "/intervention_regions",
            1000,
        ),
    )
    .flatten();
    let contact = &input.contact;
    let email = text::collect(
        &mut errors,
        text::optional(contact.email.as_deref(), "/contact/email", 254, |e| {
            text::email(e, "/contact/email")
        }),
    )
    .flatten();
    let phone = text::collect(
        &mut errors,
        text::optional(contact.phone.as_deref(), "/contact/phone", 30, |p| {
            text::phone(p, "/contact/phone")
        }),
    )
    .flatten();
    let website = text::collect(
        &mut errors,
        text::optional(contact.website.as_deref(), "/contact/website", 300, |w| {
            if text::is_website(w) {
                Ok(w.to_owned())
            } else {
                Err(FieldError::new(
                    "/contact/website",
                    "must be an http or https address",
                ))
            }
        }),
    )
    .flatten();
    let consent = &input.publication_consent;
    if consent.fields.len() > PUBLISHABLE_FIELDS.len() {
        errors.push(FieldError::new(
            "/publication_consent/fields",
            format!("must list at most {} fields", PUBLISHABLE_FIELDS.len()),
        ));
    }
    let mut consent_fields: Vec<String> = Vec::new();
    for (i, field) in consent.fields.iter().enumerate() {
        if !PUBLISHABLE_FIELDS.contains(&field.as_str()) {
            errors.push(FieldError::new(
                format!("/publication_consent/fields/{i}"),
                format!("must be one of {}", PUBLISHABLE_FIELDS.join(", ")),
            ));
        } else if !consent_fields.contains(field) {
            consent_fields.push(field.clone());
        }
    }
    if !consent.granted && !consent.fields.is_empty() {
        errors.push(FieldError::new(
            "/publication_consent/fields",
            "must be empty when consent is not granted",
        ));
    }
    if consent.granted && !consent_fields.iter().any(|f| f == "name") {
        consent_fields.insert(0, "name".into());
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    Ok(Valid {
        name,
        acronym,
        legal_form: input.legal_form,
        enterprise_number,
        founded_year: input.founded_year,
        member_count,
        street,
        postal_code,
        city,
        region,
        countries,
        sdgs,
        thematic_areas,
        intervention_regions,
        woman_led: input.woman_led,
        email,
        phone,
        website,
        consent_granted: consent.granted,
        consent_fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AssociationInput {
        AssociationInput {
            name: "Réseau des Femmes Sénégalaises".into(),
            acronym: None,
            legal_form: LegalForm::Asbl,
            enterprise_number: Some("BE 0123 456 749".into()),
            founded_year: None,
            member_count: None,
            address: AddressInput {
                postal_code: Some("1060".into()),
                ..Default::default()
            },
            countries_of_origin: vec!["sn".into()],
            sdgs: vec![],
            thematic_areas: vec![],
            intervention_regions: None,
            woman_led: false,
            contact: ContactInput::default(),
            publication_consent: ConsentInput::default(),
        }
    }

    fn facts() -> Facts<'static> {
        Facts {
            this_year: 2026,
            is_country: &|code| code != "XX",
        }
    }

    #[test]
    fn a_good_input_is_normalised() {
        let valid = check(&input(), &facts()).expect("valid");
        assert_eq!(valid.enterprise_number.as_deref(), Some("0123.456.749"));
        assert_eq!(valid.countries, ["SN"]);
        assert_eq!(valid.region, Some(Region::Brussels));
    }

    #[test]
    fn every_broken_rule_has_a_pointer_and_all_are_reported_at_once() {
        let bad = AssociationInput {
            name: "X".into(),
            legal_form: LegalForm::Other,
            enterprise_number: None,
            founded_year: Some(1850),
            member_count: Some(-1),
            address: AddressInput {
                postal_code: Some("999".into()),
                ..Default::default()
            },
            countries_of_origin: vec!["SEN".into(), "XX".into()],
            sdgs: vec![18],
            contact: ContactInput {
                email: Some("nope".into()),
                phone: Some("call me".into()),
                website: Some("ftp://x".into()),
            },
            publication_consent: ConsentInput {
                granted: true,
                fields: vec!["passport".into()],
            },
            ..input()
        };
        let errors = check(&bad, &facts()).expect_err("invalid");
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        for pointer in [
            "/name",
            "/enterprise_number",
            "/founded_year",
            "/member_count",
            "/address/postal_code",
            "/countries_of_origin/0",
            "/countries_of_origin/1",
            "/sdgs/0",
            "/contact/email",
            "/contact/phone",
            "/contact/website",
            "/publication_consent/fields/0",
        ] {
            assert!(pointers.contains(&pointer), "{pointer} in {pointers:?}");
        }
    }

    #[test]
    fn the_enterprise_number_is_required_unless_de_facto() {
        let mut i = input();
        i.enterprise_number = None;
        let errors = check(&i, &facts()).expect_err("required");
        assert_eq!(errors[0].pointer, "/enterprise_number");
        i.legal_form = LegalForm::DeFacto;
        assert!(check(&i, &facts()).is_ok());
        i.enterprise_number = Some("0123.456.748".into());
        assert_eq!(
            check(&i, &facts()).expect_err("digits")[0].detail,
            "check digits do not match"
        );
    }

    #[test]
    fn granted_consent_implies_the_name() {
        let mut i = input();
        i.publication_consent = ConsentInput {
            granted: true,
            fields: vec!["city".into()],
        };
        assert_eq!(
            check(&i, &facts()).expect("valid").consent_fields,
            ["name", "city"]
        );
        i.publication_consent = ConsentInput {
            granted: false,
            fields: vec!["city".into()],
        };
        assert!(check(&i, &facts()).is_err());
    }

    #[test]
    fn names_made_of_invisible_characters_or_bidi_controls_are_refused() {
        for name in [
            "\u{200B}\u{200B}\u{200B}",
            "Femmes\u{202E}",
            "Fem\u{200D}mes",
        ] {
            let mut i = input();
            i.name = name.into();
            assert_eq!(
                check(&i, &facts()).expect_err(name)[0].pointer,
                "/name",
                "{name:?}"
            );
        }
    }
}
