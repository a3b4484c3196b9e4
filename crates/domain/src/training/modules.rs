//! Modules and their days: seeded with the programme's three, edited and added by staff.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::entity::{enrollment, module, session};

/// The module table, edited through the write layer.
pub use super::entity::module::Entity;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::localized::LocalizedText;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::policy::CallerScope;
use crate::resource::{self, Precondition};
use crate::{DomainError, FieldError};

/// One day of a module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"day_number": 3, "topic": {"en": "Joint day with experienced diaspora associations"}, "guest_day": true}))]
pub struct ModuleDay {
    /// 1 to `planned_days`, each once.
    #[schema(minimum = 1, maximum = 30)]
    pub day_number: i32,
    /// What the day covers (each language 1-200 characters).
    pub topic: LocalizedText,
    /// Outside organisations come as guests.
    #[serde(default)]
    pub guest_day: bool,
}

/// A module as read: the row with its texts and days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// The stored row.
    pub row: module::Model,
    /// Its title.
    pub title: LocalizedText,
    /// Its description.
    pub description: LocalizedText,
    /// Its days, in order.
    pub days: Vec<ModuleDay>,
}

impl Module {
    /// Reads the stored texts and days.
    pub fn of(row: module::Model) -> Result<Self, DomainError> {
        let title = LocalizedText::from_json(&row.title, "modules", "title")?;
        let description = LocalizedText::from_json(&row.description, "modules", "description")?;
        let days = resource::json_list(&row.days, "modules", "days", row.id)?;
        Ok(Self {
            row,
            title,
            description,
            days,
        })
    }

    /// Days to attend to complete the module.
    pub fn required_days(&self) -> i32 {
        required_days(self.row.planned_days, self.row.min_attendance_pct)
    }

    /// The day numbered `day_number`, if the module has it.
    pub fn day(&self, day_number: i32) -> Option<&ModuleDay> {
        self.days.iter().find(|d| d.day_number == day_number)
    }

    /// Its writable fields.
    pub fn to_input(&self) -> ModuleInput {
        ModuleInput {
            code: self.row.code.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            planned_days: self.row.planned_days,
            min_attendance_pct: self.row.min_attendance_pct,
            max_representatives_per_association: self.row.max_representatives_per_association,
            days: self.days.clone(),
        }
    }
}

/// Days to attend of `planned_days` at `min_attendance_pct` percent, rounded up. The same
/// arithmetic runs in SQL in [`super::completion`].
pub fn required_days(planned_days: i32, min_attendance_pct: i32) -> i32 {
    (planned_days * min_attendance_pct + 99) / 100
}

/// A module's writable fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleInput {
    /// `M` and a number (`M4`), unique among modules.
    pub code: String,
    /// Each language 1-200 characters.
    pub title: LocalizedText,
    /// Each language at most 4000 characters.
    pub description: LocalizedText,
    /// 1-30.
    pub planned_days: i32,
    /// 1-100 (default 75).
    pub min_attendance_pct: i32,
    /// 1-20 (default 2).
    pub max_representatives_per_association: i32,
    /// Exactly one per day, numbered 1 to `planned_days`.
    pub days: Vec<ModuleDay>,
}

/// An input that keeps every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid(ModuleInput);

impl Valid {
    fn apply(&self, row: &mut module::ActiveModel) {
        let input = &self.0;
        row.code = Set(input.code.clone());
        row.title = Set(input.title.to_json());
        row.description = Set(input.description.to_json());
        row.planned_days = Set(input.planned_days);
        row.min_attendance_pct = Set(input.min_attendance_pct);
        row.max_representatives_per_association = Set(input.max_representatives_per_association);
        row.days = Set(resource::json_text(&input.days));
    }
}

fn is_code(code: &str) -> bool {
    code.strip_prefix('M').is_some_and(|n| {
        (1..=3).contains(&n.len()) && n.chars().all(|c| c.is_ascii_digit()) && !n.starts_with('0')
    })
}

/// Checks every field rule at once.
pub fn check(input: &ModuleInput) -> Result<Valid, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = input.code.clone();
    if !is_code(&code) {
        errors.push(FieldError::new(
            "/code",
            "must be M and a number from 1 to 999, such as M4",
        ));
    }
    let title = input.title.check("/title", 200, false);
    let description = input.description.check("/description", 4000, true);
    let (title, description) = match (title, description) {
        (Ok(t), Ok(d)) => (Some(t), Some(d)),
        (t, d) => {
            errors.extend(t.err().unwrap_or_default());
            errors.extend(d.err().unwrap_or_default());
            (None, None)
        }
    };
    if !(1..=30).contains(&input.planned_days) {
        errors.push(FieldError::new("/planned_days", "must be 1 to 30"));
    }
    if !(1..=100).contains(&input.min_attendance_pct) {
        errors.push(FieldError::new("/min_attendance_pct", "must be 1 to 100"));
    }
    if !(1..=20).contains(&input.max_representatives_per_association) {
        errors.push(FieldError::new(
            "/max_representatives_per_association",
            "must be 1 to 20",
        ));
    }
    let mut days = Vec::with_capacity(input.days.len());
    for (i, day) in input.days.iter().enumerate() {
        if !(1..=input.planned_days.max(1)).contains(&day.day_number)
            || input.days[..i]
                .iter()
                .any(|d| d.day_number == day.day_number)
        {
            errors.push(FieldError::new(
                format!("/days/{i}/day_number"),
                "must be 1 to planned_days, each day once",
            ));
        }
        match day.topic.check(&format!("/days/{i}/topic"), 200, false) {
            Ok(topic) => days.push(ModuleDay {
                topic,
                ..day.clone()
            }),
            Err(e) => errors.extend(e),
        }
    }
    if usize::try_from(input.planned_days).ok() != Some(input.days.len()) {
        errors.push(FieldError::new(
            "/days",
            "must list exactly planned_days days",
        ));
    }
    match (title, description) {
        (Some(title), Some(description)) if errors.is_empty() => {
            days.sort_by_key(|d| d.day_number);
            Ok(Valid(ModuleInput {
                code,
                title,
                description,
                days,
                ..input.clone()
            }))
        }
        _ => Err(errors),
    }
}

async fn check_all(
    db: &impl ConnectionTrait,
    input: &ModuleInput,
    except: Option<Uuid>,
) -> Result<Valid, DomainError> {
    let valid = check(input).map_err(DomainError::Invalid)?;
    let mut same = module::Entity::find()
        .filter(module::Column::Code.eq(valid.0.code.clone()))
        .filter(module::Column::DeletedAt.is_null());
    if let Some(id) = except {
        same = same.filter(module::Column::Id.ne(id));
    }
    if same.count(db).await? > 0 {
        return Err(DomainError::Conflict(format!(
            "a module with code {} already exists",
            valid.0.code
        )));
    }
    Ok(valid)
}

/// Reads one live module.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    scope: &CallerScope,
) -> Result<Module, DomainError> {
    Module::of(resource::find_live::<module::Entity>(db, id, scope).await?)
}

/// Lists live modules in the order they were added (the seeded three first).
pub async fn list(
    db: &impl ConnectionTrait,
    page: &PageRequest,
) -> Result<Page<Module>, DomainError> {
    let select = module::Entity::find().filter(module::Column::DeletedAt.is_null());
    let page = paging::by_unique_key(db, select, module::Column::Id, Order::Asc, page, |m| {
        KeyValue::Uuid(m.id)
    })
    .await?;
    let items = page
        .items
        .into_iter()
        .map(Module::of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// Adds a module; a code in use is a conflict.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    input: &ModuleInput,
) -> Result<Module, DomainError> {
    let valid = check_all(tx, input, None).await?;
    let mut row = module::ActiveModel::default();
    valid.apply(&mut row);
    Module::of(resource::insert::<module::Entity>(tx, context, row).await?)
}

/// Deletes a module that no live session or enrolment uses.
pub async fn delete(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    expected: &Precondition,
    scope: &CallerScope,
) -> Result<(), DomainError> {
    let current = resource::lock_live::<module::Entity>(tx, id, scope).await?;
    expected.check(current.version)?;
    let sessions = session::Entity::find()
        .filter(session::Column::ModuleId.eq(id))
        .filter(session::Column::DeletedAt.is_null())
        .count(tx)
        .await?;
    let enrollments = enrollment::Entity::find()
        .filter(enrollment::Column::ModuleId.eq(id))
        .filter(enrollment::Column::DeletedAt.is_null())
        .count(tx)
        .await?;
    if sessions + enrollments > 0 {
        return Err(DomainError::Refused(Refusal::conflict(
            "module_in_use",
            "Module in use",
            format!(
                "the module has {sessions} sessions and {enrollments} enrolments; delete those first"
            ),
        )));
    }
    resource::soft_delete::<module::Entity>(tx, context, current, expected).await
}

/// Modules are edited through the write layer.
impl resource::Editable for module::Entity {
    type View = Module;
    type Input = ModuleInput;
    type Valid = Valid;

    async fn view(_tx: &Tx, row: module::Model) -> Result<Module, DomainError> {
        Module::of(row)
    }

    fn input(current: &Module) -> ModuleInput {
        current.to_input()
    }

    async fn check(
        tx: &Tx,
        current: &Module,
        input: ModuleInput,
        _scope: &CallerScope,
    ) -> Result<Valid, DomainError> {
        let valid = check_all(tx, &input, Some(current.row.id)).await?;
        // A day that sessions sit keeps existing: their attendance counts towards completion.
        let used: Vec<i32> = session::Entity::find()
            .filter(session::Column::ModuleId.eq(current.row.id))
            .filter(session::Column::DeletedAt.is_null())
            .all(tx)
            .await?
            .into_iter()
            .map(|s| s.day_number)
            .filter(|day| !valid.0.days.iter().any(|d| d.day_number == *day))
            .collect();
        if let Some(day) = used.first() {
            return Err(DomainError::Refused(Refusal::conflict(
                "module_day_in_use",
                "Module day in use",
                format!("sessions sit day {day} of the module; move or delete them first"),
            )));
        }
        Ok(valid)
    }

    fn apply(_current: &Module, valid: &Valid, row: &mut module::ActiveModel) {
        valid.apply(row);
    }

    async fn write_beside(
        tx: &Tx,
        context: &AuditContext,
        current: &Module,
        valid: &Valid,
    ) -> Result<(), DomainError> {
        if valid.0.planned_days == current.row.planned_days
            && valid.0.min_attendance_pct == current.row.min_attendance_pct
        {
            return Ok(());
        }
        super::enrollments::touch_where(
            tx,
            context,
            Condition::all().add(enrollment::Column::ModuleId.eq(current.row.id)),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: i32) -> ModuleDay {
        ModuleDay {
            day_number: n,
            topic: LocalizedText::en_fr(format!("Day {n}"), format!("Jour {n}")),
            guest_day: false,
        }
    }

    fn input() -> ModuleInput {
        ModuleInput {
            code: "M4".into(),
            title: LocalizedText::en_fr("Leadership", "Leadership"),
            description: LocalizedText::en_fr("Line one\nline two", "Ligne"),
            planned_days: 2,
            min_attendance_pct: 75,
            max_representatives_per_association: 2,
            days: vec![day(2), day(1)],
        }
    }

    #[test]
    fn required_days_round_up() {
        assert_eq!(required_days(4, 75), 3);
        assert_eq!(required_days(3, 75), 3);
        assert_eq!(required_days(2, 75), 2);
        assert_eq!(required_days(9, 50), 5);
        assert_eq!(required_days(4, 100), 4);
        assert_eq!(required_days(1, 1), 1);
    }

    #[test]
    fn days_are_numbered_once_each_and_sorted() {
        let valid = check(&input()).expect("valid");
        assert_eq!(valid.0.days[0].day_number, 1);
        let twice = ModuleInput {
            days: vec![day(1), day(1)],
            ..input()
        };
        assert_eq!(
            check(&twice).expect_err("twice")[0].pointer,
            "/days/1/day_number"
        );
        let short = ModuleInput {
            days: vec![day(1)],
            ..input()
        };
        assert_eq!(check(&short).expect_err("short")[0].pointer, "/days");
    }

    #[test]
    fn every_field_has_a_range() {
        let bad = ModuleInput {
            code: "X1".into(),
            title: LocalizedText::default(),
            planned_days: 0,
            min_attendance_pct: 101,
            max_representatives_per_association: 0,
            days: vec![],
            ..input()
        };
        let pointers: Vec<String> = check(&bad)
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(
            pointers,
            [
                "/code",
                "/title",
                "/planned_days",
                "/min_attendance_pct",
                "/max_representatives_per_association"
            ]
        );
    }
}
