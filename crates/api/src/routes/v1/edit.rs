//! The `PATCH` of a synced record, written once: its writable fields are read into the body
//! type, the merge patch (RFC 7396) applied to them, and the result written back through the
//! write layer (`resource::edit`), which checks `If-Match`, the rules and the conflicts.

use empower_domain::db::Tx;
use empower_domain::resource::{self, Editable, Written};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Caller;
use crate::extract::{IfMatch, apply_merge_patch};
use crate::problem::ApiError;

/// A request body that carries a resource's writable fields `I`, both ways.
pub trait Fields<I>: Serialize + DeserializeOwned {
    /// The body of a record's current fields.
    fn from_input(input: I) -> Self;
    /// The fields the body carries.
    fn into_input(self) -> I;
}

/// Merges `patch` into record `id` of `E`, read and written as body `B`, in `tx`.
pub async fn merge_patch<E, B>(
    tx: &Tx,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    patch: &Value,
) -> Result<Written<E::View>, ApiError>
where
    E: Editable,
    B: Fields<E::Input>,
{
    resource::edit::<E, ApiError>(
        tx,
        &caller.audit,
        id,
        &if_match.0,
        &caller.scope(),
        |current| apply_merge_patch(&B::from_input(current), patch).map(B::into_input),
    )
    .await
}
