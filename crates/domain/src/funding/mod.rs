//! Funding applications: what the fundraising training should lead to. Amounts are euros with
//! cents, kept exact as integers of cents so indicators can sum them in SQL.

pub mod entity;
pub mod money;

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use self::entity::{Entity, FundingStatus, Model};
pub use self::money::{format_cents, parse_cents};
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::policy::CallerScope;
use crate::resource;
use crate::{DomainError, FieldError, association, text, time};

/// A funding application's writable fields, as a client sends them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingInput {
    /// 1-200 characters.
    pub call_title: String,
    /// 1-200 characters.
    pub funder: String,
    /// Required once submitted; not in the future.
    pub submitted_on: Option<NaiveDate>,
    /// EUR, at least 0, at most 2 decimals.
    pub amount_requested: String,
    /// Where it stands.
    pub status: FundingStatus,
    /// EUR, only when granted, at most the amount requested.
    pub amount_granted: Option<String>,
}

impl FundingInput {
    /// The writable fields of a stored application, for merging a patch.
    pub fn of(row: &Model) -> Self {
        Self {
            call_title: row.call_title.clone(),
            funder: row.funder.clone(),
            submitted_on: row.submitted_on,
            amount_requested: format_cents(row.amount_requested_cents),
            status: row.status,
            amount_granted: row.amount_granted_cents.map(format_cents),
        }
    }
}

/// An input that keeps every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    call_title: String,
    funder: String,
    submitted_on: Option<NaiveDate>,
    amount_requested_cents: i64,
    status: FundingStatus,
    amount_granted_cents: Option<i64>,
}

impl Valid {
    fn apply(&self, row: &mut entity::ActiveModel) {
        row.call_title = Set(self.call_title.clone());
        row.funder = Set(self.funder.clone());
        row.submitted_on = Set(self.submitted_on);
        row.amount_requested_cents = Set(self.amount_requested_cents);
        row.status = Set(self.status);
        row.amount_granted_cents = Set(self.amount_granted_cents);
    }
}

const AMOUNT_RULE: &str = "must be an amount in euros, 0 or more, with at most 2 decimals";

/// Checks every rule at once; `today` bounds `submitted_on`.
pub fn check(input: &FundingInput, today: NaiveDate) -> Result<Valid, Vec<FieldError>> {
    let mut errors = Vec::new();
    let call_title = text::collect(
        &mut errors,
        text::line(&input.call_title, "/call_title", 1, 200),
    );
    let funder = text::collect(&mut errors, text::line(&input.funder, "/funder", 1, 200));
    let requested = parse_cents(&input.amount_requested);
    if requested.is_none() {
        errors.push(FieldError::new("/amount_requested", AMOUNT_RULE));
    }
    let granted = match (&input.amount_granted, input.status) {
        (Some(granted), FundingStatus::Granted) => match (parse_cents(granted), requested) {
            (Some(g), Some(r)) if g > r => {
                errors.push(FieldError::new(
                    "/amount_granted",
                    "must not exceed the amount requested",
                ));
                None
            }
            (Some(g), _) => Some(g),
            (None, _) => {
                errors.push(FieldError::new("/amount_granted", AMOUNT_RULE));
                None
            }
        },
        (None, FundingStatus::Granted) => {
            errors.push(FieldError::new(
                "/amount_granted",
                "is required when the status is granted",
            ));
            None
        }
        (Some(_), _) => {
            errors.push(FieldError::new(
                "/amount_granted",
                "is allowed only when the status is granted",
            ));
            None
        }
        (None, _) => None,
    };
    match input.submitted_on {
        None if input.status != FundingStatus::Draft => errors.push(FieldError::new(
            "/submitted_on",
            "is required once the application is submitted",
        )),
        Some(day) => {
            text::collect(
                &mut errors,
                time::check_past_date(day, today, "/submitted_on"),
            );
        }
        None => {}
    }
    match (call_title, funder, requested) {
        (Some(call_title), Some(funder), Some(amount_requested_cents)) if errors.is_empty() => {
            Ok(Valid {
                call_title,
                funder,
                submitted_on: input.submitted_on,
                amount_requested_cents,
                status: input.status,
                amount_granted_cents: granted,
            })
        }
        _ => Err(errors),
    }
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Reads one live application the caller may see.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    scope: &CallerScope,
) -> Result<Model, DomainError> {
    resource::find_live::<entity::Entity>(db, id, scope).await
}

/// Lists an association's live applications, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    association_id: Uuid,
    page: &PageRequest,
    scope: &CallerScope,
) -> Result<Page<Model>, DomainError> {
    association::check_parent(db, association_id, scope, "association").await?;
    let select = entity::Entity::find()
        .filter(entity::Column::AssociationId.eq(association_id))
        .filter(entity::Column::DeletedAt.is_null());
    paging::by_unique_key(db, select, entity::Column::Id, Order::Asc, page, |f| {
        KeyValue::Uuid(f.id)
    })
    .await
}

/// Records an application of an association the caller may see.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    association_id: Uuid,
    input: &FundingInput,
    scope: &CallerScope,
) -> Result<Model, DomainError> {
    association::check_parent(tx, association_id, scope, "association").await?;
    let valid = check(input, today()).map_err(DomainError::Invalid)?;
    let mut row = entity::ActiveModel {
        association_id: Set(association_id),
        ..Default::default()
    };
    valid.apply(&mut row);
    resource::insert::<entity::Entity>(tx, context, row).await
}

/// Applications are edited and deleted through the write layer ([`resource::edit`],
/// [`resource::delete`]).
impl resource::Editable for Entity {
    type View = Model;
    type Input = FundingInput;
    type Valid = Valid;

    async fn view(_tx: &Tx, row: Model) -> Result<Model, DomainError> {
        Ok(row)
    }

    fn input(current: &Model) -> FundingInput {
        FundingInput::of(current)
    }

    async fn check(
        _tx: &Tx,
        _current: &Model,
        input: FundingInput,
        _scope: &CallerScope,
    ) -> Result<Valid, DomainError> {
        check(&input, today()).map_err(DomainError::Invalid)
    }

    fn apply(_current: &Model, valid: &Valid, row: &mut entity::ActiveModel) {
        valid.apply(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default()
    }

    fn input() -> FundingInput {
        FundingInput {
            call_title: "Call 2026".into(),
            funder: "Enabel".into(),
            submitted_on: NaiveDate::from_ymd_opt(2026, 10, 1),
            amount_requested: "12500".into(),
            status: FundingStatus::Granted,
            amount_granted: Some("10000.5".into()),
        }
    }

    fn pointer(input: &FundingInput) -> String {
        check(input, day())
            .map(|_| String::new())
            .unwrap_or_else(|errors| errors[0].pointer.clone())
    }

    #[test]
    fn granted_amounts_follow_the_status_and_the_request() {
        let ok = check(&input(), day()).expect("valid");
        assert_eq!(
            (ok.amount_requested_cents, ok.amount_granted_cents),
            (1_250_000, Some(1_000_050))
        );
        let too_much = FundingInput {
            amount_granted: Some("20000".into()),
            ..input()
        };
        assert_eq!(pointer(&too_much), "/amount_granted");
        let not_granted = FundingInput {
            status: FundingStatus::Submitted,
            ..input()
        };
        assert_eq!(pointer(&not_granted), "/amount_granted");
        let missing = FundingInput {
            amount_granted: None,
            ..input()
        };
        assert_eq!(pointer(&missing), "/amount_granted");
        let draft = FundingInput {
            status: FundingStatus::Draft,
            submitted_on: None,
            amount_granted: None,
            ..input()
        };
        assert!(check(&draft, day()).is_ok());
        let unsent = FundingInput {
            status: FundingStatus::Submitted,
            submitted_on: None,
            amount_granted: None,
            ..input()
        };
        assert_eq!(pointer(&unsent), "/submitted_on");
    }

    #[test]
    fn every_problem_is_reported_at_once_and_dates_have_a_range() {
        let bad = FundingInput {
            call_title: "\u{0}".into(),
            funder: " ".into(),
            submitted_on: NaiveDate::from_ymd_opt(1492, 10, 12),
            amount_requested: "-1".into(),
            ..input()
        };
        let errors = check(&bad, day()).expect_err("invalid");
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/call_title",
                "/funder",
                "/amount_requested",
                "/submitted_on"
            ]
        );
    }
}
