//! Funding applications: what the fundraising training should lead to. Amounts are euros with
//! cents, kept exact as integers of cents.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter};

use crate::association::{self, Visibility};
use crate::audit::AuditContext;
use crate::changes::{self, Change, Op};
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::{DomainError, FieldError};

/// The resource type in the change feed and the audit log.
pub const RESOURCE: &str = "funding_application";
/// Statuses.
pub const STATUSES: [&str; 4] = ["draft", "submitted", "granted", "rejected"];
/// Largest amount accepted, in cents (one billion euros).
const MAX_CENTS: i64 = 100_000_000_000;

/// A funding application as stored.
pub mod entity {
    use super::*;

    /// A row of `funding_applications`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "funding_applications")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The association.
        pub association_id: Uuid,
        /// The call for proposals.
        pub call_title: String,
        /// Who funds it.
        pub funder: String,
        /// When it was submitted.
        pub submitted_on: Option<NaiveDate>,
        /// EUR, `1250.00`.
        pub amount_requested: String,
        /// `draft`, `submitted`, `granted` or `rejected`.
        pub status: String,
        /// EUR, only when granted.
        pub amount_granted: Option<String>,
        /// +1 on each change.
        pub version: i32,
        /// Created.
        pub created_at: DateTime<Utc>,
        /// Last changed.
        pub updated_at: DateTime<Utc>,
        /// Soft-deleted.
        pub deleted_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Parses a euro amount (`1250`, `1250.5`, `1250.50`) into cents; `None` when it is not one.
pub fn parse_cents(amount: &str) -> Option<i64> {
    let amount = amount.trim();
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    if whole.is_empty() || whole.len() > 10 || fraction.len() > 2 {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    let cents = whole.parse::<i64>().ok()? * 100 + cents;
    (cents <= MAX_CENTS).then_some(cents)
}

/// Formats cents as `1250.00`.
pub fn format_cents(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// A funding application's writable fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FundingInput {
    /// 1-200 characters.
    pub call_title: String,
    /// 1-200 characters.
    pub funder: String,
    /// Required once submitted.
    pub submitted_on: Option<NaiveDate>,
    /// EUR, at least 0.
    pub amount_requested: String,
    /// One of [`STATUSES`].
    pub status: String,
    /// EUR, only when granted, at most the amount requested.
    pub amount_granted: Option<String>,
}

/// Checks every rule; returns the normalised input.
pub fn check(input: &FundingInput, today: NaiveDate) -> Result<FundingInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = input.clone();
    for (pointer, value) in [
        ("/call_title", &mut out.call_title),
        ("/funder", &mut out.funder),
    ] {
        *value = value.trim().to_owned();
        if value.is_empty() || value.chars().count() > 200 {
            errors.push(FieldError::new(pointer, "must be 1 to 200 characters"));
        }
    }
    if !STATUSES.contains(&out.status.as_str()) {
        errors.push(FieldError::new(
            "/status",
            format!("must be one of {}", STATUSES.join(", ")),
        ));
    }
    let requested = parse_cents(&out.amount_requested);
    match requested {
        Some(cents) => out.amount_requested = format_cents(cents),
        None => errors.push(FieldError::new(
            "/amount_requested",
            "must be an amount in euros, 0 or more, with at most 2 decimals",
        )),
    }
    match (&out.amount_granted, out.status.as_str()) {
        (Some(granted), "granted") => match (parse_cents(granted), requested) {
            (Some(g), Some(r)) if g > r => errors.push(FieldError::new(
                "/amount_granted",
                "must not exceed the amount requested",
            )),
            (Some(g), _) => out.amount_granted = Some(format_cents(g)),
            (None, _) => errors.push(FieldError::new(
                "/amount_granted",
                "must be an amount in euros, 0 or more, with at most 2 decimals",
            )),
        },
        (None, "granted") => errors.push(FieldError::new(
            "/amount_granted",
            "is required when the status is granted",
        )),
        (Some(_), _) => errors.push(FieldError::new(
            "/amount_granted",
            "is allowed only when the status is granted",
        )),
        (None, _) => {}
    }
    match out.submitted_on {
        None if out.status != "draft" && STATUSES.contains(&out.status.as_str()) => {
            errors.push(FieldError::new(
                "/submitted_on",
                "is required once the application is submitted",
            ));
        }
        Some(day) if day > today => errors.push(FieldError::new(
            "/submitted_on",
            "must not be in the future",
        )),
        _ => {}
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

async fn find_live(
    db: &impl ConnectionTrait,
    id: Uuid,
    visibility: Visibility,
) -> Result<entity::Model, DomainError> {
    let row = entity::Entity::find_by_id(id)
        .filter(entity::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("funding application"))?;
    // Gone with its association, and hidden with it.
    association::check_parent(db, row.association_id, visibility, "funding application").await?;
    Ok(row)
}

/// Reads one live application the caller may see.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    visibility: Visibility,
) -> Result<entity::Model, DomainError> {
    find_live(db, id, visibility).await
}

/// Lists an association's live applications, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    association_id: Uuid,
    page: &PageRequest,
    visibility: Visibility,
) -> Result<Page<entity::Model>, DomainError> {
    association::check_parent(db, association_id, visibility, "association").await?;
    let select = entity::Entity::find()
        .filter(entity::Column::AssociationId.eq(association_id))
        .filter(entity::Column::DeletedAt.is_null());
    paging::by_unique_key(db, select, entity::Column::Id, Order::Asc, page, |f| {
        KeyValue::Uuid(f.id)
    })
    .await
}

fn apply(row: &mut entity::ActiveModel, input: &FundingInput) {
    row.call_title = Set(input.call_title.clone());
    row.funder = Set(input.funder.clone());
    row.submitted_on = Set(input.submitted_on);
    row.amount_requested = Set(input.amount_requested.clone());
    row.status = Set(input.status.clone());
    row.amount_granted = Set(input.amount_granted.clone());
}

/// Records an application. Run in a write transaction.
pub async fn create(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    association_id: Uuid,
    input: &FundingInput,
    visibility: Visibility,
) -> Result<entity::Model, DomainError> {
    association::check_parent(db, association_id, visibility, "association").await?;
    let input = check(input, Utc::now().date_naive()).map_err(DomainError::Invalid)?;
    let id = Uuid::now_v7();
    let now = Utc::now();
    let mut row = entity::ActiveModel {
        id: Set(id),
        association_id: Set(association_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    };
    apply(&mut row, &input);
    let created = row.insert(db).await?;
    changes::record_write(
        db,
        context,
        "funding_application.created",
        Change {
            resource_type: RESOURCE,
            resource_id: id,
            op: Op::Upsert,
            version: 1,
            association_id: Some(association_id),
        },
    )
    .await?;
    Ok(created)
}

/// Replaces the writable fields, refusing a stale `expected_version`.
pub async fn replace(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    id: Uuid,
    input: &FundingInput,
    expected_version: Option<i32>,
    visibility: Visibility,
) -> Result<entity::Model, DomainError> {
    let current = find_live(db, id, visibility).await?;
    crate::version::check(current.version, expected_version)?;
    let input = check(input, Utc::now().date_naive()).map_err(DomainError::Invalid)?;
    let version = current.version + 1;
    let association_id = current.association_id;
    let mut row: entity::ActiveModel = current.into();
    apply(&mut row, &input);
    row.version = Set(version);
    row.updated_at = Set(Utc::now());
    let updated = row.update(db).await?;
    changes::record_write(
        db,
        context,
        "funding_application.updated",
        Change {
            resource_type: RESOURCE,
            resource_id: id,
            op: Op::Upsert,
            version,
            association_id: Some(association_id),
        },
    )
    .await?;
    Ok(updated)
}

/// Soft-deletes an application.
pub async fn delete(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    id: Uuid,
    expected_version: Option<i32>,
    visibility: Visibility,
) -> Result<(), DomainError> {
    let current = find_live(db, id, visibility).await?;
    crate::version::check(current.version, expected_version)?;
    let version = current.version + 1;
    let association_id = current.association_id;
    let mut row: entity::ActiveModel = current.into();
    row.deleted_at = Set(Some(Utc::now()));
    row.version = Set(version);
    row.updated_at = Set(Utc::now());
    row.update(db).await?;
    changes::record_write(
        db,
        context,
        "funding_application.deleted",
        Change {
            resource_type: RESOURCE,
            resource_id: id,
            op: Op::Delete,
            version,
            association_id: Some(association_id),
        },
    )
    .await
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
            status: "granted".into(),
            amount_granted: Some("10000.5".into()),
        }
    }

    #[test]
    fn amounts_are_exact_cents() {
        assert_eq!(parse_cents("1250"), Some(125_000));
        assert_eq!(parse_cents("1250.5"), Some(125_050));
        assert_eq!(parse_cents("0.05"), Some(5));
        for bad in ["", "-1", "1.234", "1,50", "abc", ".5", "99999999999"] {
            assert_eq!(parse_cents(bad), None, "{bad}");
        }
        assert_eq!(format_cents(125_050), "1250.50");
    }

    #[test]
    fn granted_amounts_follow_the_status_and_the_request() {
        let ok = check(&input(), day()).expect("valid");
        assert_eq!(
            (ok.amount_requested.as_str(), ok.amount_granted.as_deref()),
            ("12500.00", Some("10000.50"))
        );
        let too_much = FundingInput {
            amount_granted: Some("20000".into()),
            ..input()
        };
        assert_eq!(
            check(&too_much, day()).expect_err("more than asked")[0].pointer,
            "/amount_granted"
        );
        let not_granted = FundingInput {
            status: "submitted".into(),
            ..input()
        };
        assert_eq!(
            check(&not_granted, day()).expect_err("only when granted")[0].pointer,
            "/amount_granted"
        );
        let missing = FundingInput {
            amount_granted: None,
            ..input()
        };
        assert_eq!(
            check(&missing, day()).expect_err("required")[0].pointer,
            "/amount_granted"
        );
        let draft = FundingInput {
            status: "draft".into(),
            submitted_on: None,
            amount_granted: None,
            ..input()
        };
        assert!(check(&draft, day()).is_ok());
        let unsent = FundingInput {
            status: "submitted".into(),
            submitted_on: None,
            amount_granted: None,
            ..input()
        };
        assert_eq!(
            check(&unsent, day()).expect_err("date")[0].pointer,
            "/submitted_on"
        );
    }
}
