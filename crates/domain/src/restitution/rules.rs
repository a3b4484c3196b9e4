//! The rules of a restitution that need nothing but its own fields: where it takes place, who
//! came, how it moves from status to status, and what a report needs. Plain functions over
//! plain values.

use chrono::NaiveDate;
use uuid::Uuid;

use super::entity::{LocationKind, RestitutionStatus};
use crate::{FieldError, text, time};

/// Most modules or facilitators one restitution names.
pub const MAX_LIST: usize = 10;
/// Most topics.
pub const MAX_TOPICS: usize = 20;
/// Most attendees of one kind.
pub const MAX_ATTENDEES: i32 = 100_000;

/// Where it takes place, as sent: `{city, postal_code}` in Belgium, `{country}` abroad, or
/// `{online: true}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocationInput {
    /// In Belgium.
    pub city: Option<String>,
    /// In Belgium: 1000-9999.
    pub postal_code: Option<String>,
    /// Abroad: ISO 3166-1 alpha-2, not BE.
    pub country: Option<String>,
    /// Online: `true`.
    pub online: Option<bool>,
}

/// Where it takes place, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// In Belgium.
    Belgium {
        /// The city.
        city: String,
        /// The postal code.
        postal_code: String,
    },
    /// Abroad.
    Abroad {
        /// The ISO code (upper case).
        country: String,
    },
    /// Online.
    Online,
}

impl Location {
    /// Its kind, as stored.
    pub fn kind(&self) -> LocationKind {
        match self {
            Self::Belgium { .. } => LocationKind::Belgium,
            Self::Abroad { .. } => LocationKind::Abroad,
            Self::Online => LocationKind::Online,
        }
    }

    /// The input that gives it back.
    pub fn to_input(&self) -> LocationInput {
        match self {
            Self::Belgium { city, postal_code } => LocationInput {
                city: Some(city.clone()),
                postal_code: Some(postal_code.clone()),
                ..LocationInput::default()
            },
            Self::Abroad { country } => LocationInput {
                country: Some(country.clone()),
                ..LocationInput::default()
            },
            Self::Online => LocationInput {
                online: Some(true),
                ..LocationInput::default()
            },
        }
    }
}

/// Who came, by gender.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attendees {
    /// Women.
    pub women: i32,
    /// Men.
    pub men: i32,
    /// Another gender.
    pub other: i32,
    /// Did not say.
    pub undisclosed: i32,
}

impl Attendees {
    /// Everyone who came.
    pub fn total(&self) -> i32 {
        self.women
            .saturating_add(self.men)
            .saturating_add(self.other)
            .saturating_add(self.undisclosed)
    }
}

/// A restitution's writable fields, as a client sends them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestitutionInput {
    /// The association (fixed once created).
    pub association_id: Uuid,
    /// 1-10 modules.
    pub module_ids: Vec<Uuid>,
    /// 1-10 people of the association.
    pub facilitator_ids: Vec<Uuid>,
    /// When it is planned.
    pub planned_on: NaiveDate,
    /// When it took place.
    pub held_on: Option<NaiveDate>,
    /// Where.
    pub location: LocationInput,
    /// A language code such as `fr`.
    pub language: String,
    /// What was covered: 0-20 lines of 1-200 characters.
    pub topics: Vec<String>,
    /// Who came.
    pub attendees: Attendees,
    /// Attendees under 30, at most the total.
    pub youth_attendees: Option<i32>,
    /// Free notes, at most 2000 characters.
    pub notes: Option<String>,
}

/// Fields that keep every rule of their own (the references are checked against the data
/// after).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The association.
    pub association_id: Uuid,
    /// Modules, without repeats, in the order sent.
    pub module_ids: Vec<Uuid>,
    /// Facilitators, without repeats, in the order sent.
    pub facilitator_ids: Vec<Uuid>,
    /// When it is planned.
    pub planned_on: NaiveDate,
    /// When it took place.
    pub held_on: Option<NaiveDate>,
    /// Where.
    pub location: Location,
    /// Lower case.
    pub language: String,
    /// Trimmed.
    pub topics: Vec<String>,
    /// Who came.
    pub attendees: Attendees,
    /// Attendees under 30.
    pub youth_attendees: Option<i32>,
    /// Notes.
    pub notes: Option<String>,
}

fn ids(errors: &mut Vec<FieldError>, values: &[Uuid], pointer: &str) -> Vec<Uuid> {
    crate::resource::unique_ids(errors, values, pointer, (1, MAX_LIST))
}

fn location(errors: &mut Vec<FieldError>, input: &LocationInput) -> Option<Location> {
    let shape = "must be {city, postal_code} in Belgium, {country} abroad, or {online: true}";
    match input {
        LocationInput {
            city: Some(city),
            postal_code: Some(postal_code),
            country: None,
            online: None,
        } => {
            let city = text::collect(errors, text::line(city, "/location/city", 1, 100));
            let postal = postal_code.trim();
            let valid_postal = postal.len() == 4
                && postal.chars().all(|c| c.is_ascii_digit())
                && postal.parse::<u16>().is_ok_and(|p| p >= 1000);
            if !valid_postal {
                errors.push(FieldError::new(
                    "/location/postal_code",
                    "must be a Belgian postal code, 1000 to 9999",
                ));
            }
            city.filter(|_| valid_postal).map(|city| Location::Belgium {
                city,
                postal_code: postal.to_owned(),
            })
        }
        LocationInput {
            city: None,
            postal_code: None,
            country: Some(country),
            online: None,
        } => {
            let code = country.trim().to_ascii_uppercase();
            if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
                errors.push(FieldError::new(
                    "/location/country",
                    "must be an ISO 3166-1 alpha-2 code such as SN",
                ));
                None
            } else if code == "BE" {
                errors.push(FieldError::new(
                    "/location/country",
                    "Belgium is given as {city, postal_code}",
                ));
                None
            } else {
                Some(Location::Abroad { country: code })
            }
        }
        LocationInput {
            city: None,
            postal_code: None,
            country: None,
            online: Some(online),
        } => {
            if *online {
                Some(Location::Online)
            } else {
                errors.push(FieldError::new(
                    "/location/online",
                    "must be true (a place is given as {city, postal_code} or {country})",
                ));
                None
            }
        }
        _ => {
            errors.push(FieldError::new("/location", shape));
            None
        }
    }
}

fn count(errors: &mut Vec<FieldError>, value: i32, pointer: &str) {
    if !(0..=MAX_ATTENDEES).contains(&value) {
        errors.push(FieldError::new(
            pointer,
            format!("must be 0 to {MAX_ATTENDEES}"),
        ));
    }
}

/// Checks every field rule at once.
pub fn check(input: &RestitutionInput) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let module_ids = ids(&mut errors, &input.module_ids, "/module_ids");
    let facilitator_ids = ids(&mut errors, &input.facilitator_ids, "/facilitator_ids");
    text::collect(
        &mut errors,
        time::check_date(input.planned_on, "/planned_on"),
    );
    if let Some(held_on) = input.held_on {
        text::collect(&mut errors, time::check_date(held_on, "/held_on"));
    }
    let location = location(&mut errors, &input.location);
    let language = text::collect(
        &mut errors,
        text::language_code(&input.language, "/language"),
    )
    .unwrap_or_default();
    let listed: &[String] = if input.topics.len() > MAX_TOPICS {
        errors.push(FieldError::new(
            "/topics",
            format!("must list at most {MAX_TOPICS} topics"),
        ));
        &[]
    } else {
        &input.topics
    };
    let topics: Vec<String> = listed
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            text::collect(&mut errors, text::line(t, &format!("/topics/{i}"), 1, 200))
        })
        .collect();
    let a = input.attendees;
    count(&mut errors, a.women, "/attendees/women");
    count(&mut errors, a.men, "/attendees/men");
    count(&mut errors, a.other, "/attendees/other");
    count(&mut errors, a.undisclosed, "/attendees/undisclosed");
    if let Some(youth) = input.youth_attendees {
        if youth < 0 {
            errors.push(FieldError::new("/youth_attendees", "must be 0 or more"));
        } else if youth > a.total() {
            errors.push(FieldError::new(
                "/youth_attendees",
                format!("must be at most the attendees' total ({})", a.total()),
            ));
        }
    }
    let notes = text::collect(
        &mut errors,
        text::optional_paragraph(input.notes.as_deref(), "/notes", 2000),
    )
    .flatten();
    match location {
        Some(location) if errors.is_empty() => Ok(Checked {
            association_id: input.association_id,
            module_ids,
            facilitator_ids,
            planned_on: input.planned_on,
            held_on: input.held_on,
            location,
            language,
            topics,
            attendees: a,
            youth_attendees: input.youth_attendees,
            notes,
        }),
        _ => Err(errors),
    }
}

impl RestitutionStatus {
    /// The statuses it may move to.
    pub fn allowed_next(self) -> &'static [Self] {
        match self {
            Self::Planned => &[Self::Reported, Self::Cancelled],
            Self::Reported => &[Self::Validated, Self::Returned],
            Self::Returned => &[Self::Reported],
            Self::Validated | Self::Cancelled => &[],
        }
    }

    /// Whether its fields and evidence may change: while planned, or returned for changes.
    pub fn editable(self) -> bool {
        matches!(self, Self::Planned | Self::Returned)
    }

    /// Whether moving to it is a review, which only programme staff make.
    pub fn is_review(self) -> bool {
        matches!(self, Self::Validated | Self::Returned)
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Reported => "reported",
            Self::Returned => "returned",
            Self::Validated => "validated",
            Self::Cancelled => "cancelled",
        }
    }
}

/// What a report of a restitution is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportFacts {
    /// When it took place.
    pub held_on: Option<NaiveDate>,
    /// Attendees in all.
    pub attendees_total: i32,
    /// Live evidence items.
    pub evidence: u64,
    /// Today in Brussels.
    pub today: NaiveDate,
}

/// A rule a report breaks: its code, the field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportGap {
    /// Stable code.
    pub code: &'static str,
    /// Stable title.
    pub title: &'static str,
    /// The field at fault.
    pub pointer: &'static str,
    /// What is wrong.
    pub detail: String,
}

/// The first rule a report breaks, in the order a reporter fixes them: the date, the
/// attendance, the evidence.
pub fn report_gap(facts: &ReportFacts) -> Option<ReportGap> {
    match facts.held_on {
        None => {
            return Some(ReportGap {
                code: "held_on_required",
                title: "Date held required",
                pointer: "/held_on",
                detail: "a report needs the date the restitution was held".into(),
            });
        }
        Some(day) if day > facts.today => {
            return Some(ReportGap {
                code: "held_in_future",
                title: "Date held in the future",
                pointer: "/held_on",
                detail: format!("held_on {day} is after today ({})", facts.today),
            });
        }
        Some(_) => {}
    }
    if facts.attendees_total < 1 {
        return Some(ReportGap {
            code: "no_attendees",
            title: "No attendees",
            pointer: "/attendees",
            detail: "a report needs at least one attendee".into(),
        });
    }
    if facts.evidence == 0 {
        return Some(ReportGap {
            code: "evidence_required",
            title: "Evidence required",
            pointer: "/evidence",
            detail:
                "a report needs at least one evidence item (a report, an attendance sheet, a photo)"
                    .into(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn input() -> RestitutionInput {
        RestitutionInput {
            association_id: Uuid::nil(),
            module_ids: vec![Uuid::from_u128(1)],
            facilitator_ids: vec![Uuid::from_u128(2)],
            planned_on: day("2026-12-05"),
            held_on: None,
            location: LocationInput {
                city: Some(" Liège ".into()),
                postal_code: Some("4000".into()),
                ..LocationInput::default()
            },
            language: "FR".into(),
            topics: vec!["Project cycle".into()],
            attendees: Attendees::default(),
            youth_attendees: None,
            notes: Some("  ".into()),
        }
    }

    fn pointers(input: &RestitutionInput) -> Vec<String> {
        check(input)
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.pointer)
            .collect()
    }

    #[test]
    fn a_valid_input_is_normalised() {
        let checked = check(&input()).expect("valid");
        assert_eq!(
            checked.location,
            Location::Belgium {
                city: "Liège".into(),
                postal_code: "4000".into()
            }
        );
        assert_eq!(checked.language, "fr");
        assert_eq!(checked.notes, None);
        assert_eq!(checked.location.to_input().city.as_deref(), Some("Liège"));
    }

    #[test]
    fn a_location_is_exactly_one_of_three_shapes() {
        let mut abroad = input();
        abroad.location = LocationInput {
            country: Some("sn".into()),
            ..LocationInput::default()
        };
        assert_eq!(
            check(&abroad).expect("abroad").location,
            Location::Abroad {
                country: "SN".into()
            }
        );
        let mut online = input();
        online.location = LocationInput {
            online: Some(true),
            ..LocationInput::default()
        };
        assert_eq!(check(&online).expect("online").location, Location::Online);
        let mut mixed = input();
        mixed.location.online = Some(true);
        assert_eq!(pointers(&mixed), ["/location"]);
        let mut empty = input();
        empty.location = LocationInput::default();
        assert_eq!(pointers(&empty), ["/location"]);
        let mut belgium_abroad = input();
        belgium_abroad.location = LocationInput {
            country: Some("BE".into()),
            ..LocationInput::default()
        };
        assert_eq!(pointers(&belgium_abroad), ["/location/country"]);
        let mut offline = input();
        offline.location = LocationInput {
            online: Some(false),
            ..LocationInput::default()
        };
        assert_eq!(pointers(&offline), ["/location/online"]);
        let mut bad_postal = input();
        bad_postal.location.postal_code = Some("0999".into());
        assert_eq!(pointers(&bad_postal), ["/location/postal_code"]);
    }

    #[test]
    fn lists_counts_and_youth_have_ranges() {
        let mut bad = input();
        bad.module_ids = vec![];
        bad.facilitator_ids = vec![Uuid::from_u128(2), Uuid::from_u128(2)];
        bad.attendees.women = -1;
        bad.attendees.men = MAX_ATTENDEES + 1;
        bad.youth_attendees = Some(-2);
        bad.language = "français".into();
        bad.topics = vec!["".into()];
        bad.planned_on = day("1800-01-01");
        assert_eq!(
            pointers(&bad),
            [
                "/module_ids",
                "/facilitator_ids/1",
                "/planned_on",
                "/language",
                "/topics/0",
                "/attendees/women",
                "/attendees/men",
                "/youth_attendees"
            ]
        );
        let mut youth = input();
        youth.attendees = Attendees {
            women: 3,
            men: 1,
            other: 0,
            undisclosed: 1,
        };
        youth.youth_attendees = Some(6);
        assert_eq!(pointers(&youth), ["/youth_attendees"]);
        youth.youth_attendees = Some(5);
        assert!(check(&youth).is_ok());
        assert_eq!(youth.attendees.total(), 5);
    }

    #[test]
    fn statuses_move_along_the_review_cycle() {
        use RestitutionStatus::*;
        assert_eq!(Planned.allowed_next(), [Reported, Cancelled]);
        assert_eq!(Reported.allowed_next(), [Validated, Returned]);
        assert_eq!(Returned.allowed_next(), [Reported]);
        assert!(Validated.allowed_next().is_empty() && Cancelled.allowed_next().is_empty());
        assert!(Planned.editable() && Returned.editable());
        assert!(!Reported.editable() && !Validated.editable() && !Cancelled.editable());
        assert!(Validated.is_review() && Returned.is_review() && !Reported.is_review());
    }

    #[test]
    fn a_report_needs_a_past_date_attendees_and_evidence_in_that_order() {
        let today = day("2026-11-28");
        let facts = ReportFacts {
            held_on: None,
            attendees_total: 0,
            evidence: 0,
            today,
        };
        let code = |f: &ReportFacts| report_gap(f).map(|g| g.code);
        assert_eq!(code(&facts), Some("held_on_required"));
        let future = ReportFacts {
            held_on: Some(day("2026-11-29")),
            ..facts
        };
        assert_eq!(code(&future), Some("held_in_future"));
        let held = ReportFacts {
            held_on: Some(today),
            ..facts
        };
        assert_eq!(code(&held), Some("no_attendees"));
        let attended = ReportFacts {
            attendees_total: 12,
            ..held
        };
        assert_eq!(code(&attended), Some("evidence_required"));
        assert_eq!(
            code(&ReportFacts {
                evidence: 1,
                ..attended
            }),
            None
        );
    }
}
