//! An erased person in the demo, so testers see what an erasure leaves: a member of the first
//! demo association, added with contact data and erased at once (`Erased person`, no contact
//! data, an `erase` in the change feed, the reason in her export).

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::association::entity::association;
use crate::audit::AuditContext;
use crate::person::{self, Gender, PersonInput};
use crate::policy::CallerScope;
use crate::privacy::{Extent, erasure_record};
use crate::{DomainError, db, text};

/// The reason of the demo erasure: also how a second run knows it was done.
pub const DEMO_REASON: &str = "Demo: an Art. 17 request, to show what an erased person looks like";

/// Adds and erases the demo person once; says whether it did now.
pub async fn seed(db: &DatabaseConnection, association_name: &str) -> Result<bool, DomainError> {
    let done = erasure_record::Entity::find()
        .filter(erasure_record::Column::Reason.eq(DEMO_REASON))
        .one(db)
        .await?;
    let Some(association) = association::Entity::find()
        .filter(association::Column::NameKey.eq(text::fold(association_name)))
        .filter(association::Column::DeletedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    if done.is_some() {
        return Ok(false);
    }
    let context = AuditContext::system();
    let tx = db::begin_write(db).await?;
    let mut input = PersonInput::named("Nafi", "Erasure (demo)", Gender::Female);
    input.email = Some("nafi.erasure@demo.example".into());
    input.phone = Some("+32 470 00 00 01".into());
    let created = person::create(
        &tx,
        &context,
        association.id,
        None,
        &input,
        &CallerScope::SYSTEM,
    )
    .await?;
    crate::privacy::erase(
        &tx,
        &context,
        created.row.id,
        Extent::Whole,
        DEMO_REASON,
        &CallerScope::SYSTEM,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
