//! A long change feed: the associations' edit history, round after round, until the feed holds
//! the rows asked for.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{EntityTrait, PaginatorTrait};
use uuid::Uuid;

use crate::DomainError;
use crate::association::entity::association;
use crate::audit::AuditContext;
use crate::changes;
use crate::db::Tx;
use crate::resource;

/// Corrects the member count of every association, round after round (one change each per
/// round, the first associations one round more when the rounds do not come out even), until
/// the change feed holds at least `target` rows. The rounds are written together: one update
/// per association, with the change and audit rows of every round.
pub async fn grow(
    tx: &Tx,
    context: &AuditContext,
    ids: &[Uuid],
    target: u64,
) -> Result<(), DomainError> {
    let have = changes::Entity::find().count(tx).await?;
    if have >= target || ids.is_empty() {
        return Ok(());
    }
    let missing = target - have;
    let n = ids.len() as u64;
    let rounds = i32::try_from(missing / n).unwrap_or(i32::MAX);
    let extra = (missing % n) as usize;
    for (list, times) in [(&ids[..extra], rounds + 1), (&ids[extra..], rounds)] {
        resource::update_many::<association::Entity>(
            tx,
            context,
            list,
            times,
            "updated",
            &[(
                association::Column::MemberCount,
                Expr::col(association::Column::MemberCount).add(times),
            )],
        )
        .await?;
    }
    Ok(())
}
