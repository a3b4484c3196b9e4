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

/// Corrects the member count of the associations in order (one change each), cycling, until
/// the change feed holds at least `target` rows.
pub async fn grow(
    tx: &Tx,
    context: &AuditContext,
    ids: &[Uuid],
    target: u64,
) -> Result<(), DomainError> {
    let mut have = changes::Entity::find().count(tx).await?;
    let mut next = 0;
    while have < target && !ids.is_empty() {
        let take = ((target - have) as usize).min(ids.len() - next).min(10_000);
        resource::update_many::<association::Entity>(
            tx,
            context,
            &ids[next..next + take],
            "updated",
            &[(
                association::Column::MemberCount,
                Expr::col(association::Column::MemberCount).add(1),
            )],
        )
        .await?;
        have += take as u64;
        next = (next + take) % ids.len();
    }
    Ok(())
}
