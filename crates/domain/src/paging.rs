//! Keyset pagination shared by every list: a limit, an opaque cursor, an optional total.
//!
//! A cursor is the sort key of the last row a page returned, so the next page starts strictly
//! after it: rows inserted or deleted meanwhile never make a page skip or repeat a row.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Page size when the caller gives none.
pub const DEFAULT_LIMIT: u64 = 50;
/// Largest page; a larger `limit` is clamped to it.
pub const MAX_LIMIT: u64 = 200;

/// One value of a sort key, as kept in a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyValue {
    /// An integer key, such as an SDG number.
    Int(i64),
    /// A UUID key (tried before text, so a UUID string comes back as a UUID).
    Uuid(uuid::Uuid),
    /// A text key, such as a country code or a UUID.
    Text(String),
}

impl From<KeyValue> for sea_orm::Value {
    fn from(value: KeyValue) -> Self {
        match value {
            KeyValue::Int(i) => i.into(),
            KeyValue::Uuid(u) => u.into(),
            KeyValue::Text(s) => s.into(),
        }
    }
}

/// The position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub Vec<KeyValue>);

impl Cursor {
    /// The opaque form handed to clients.
    pub fn encode(&self) -> String {
        // Serialising a Vec of plain values cannot fail.
        let json = serde_json::to_vec(&self.0).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Reads a cursor a client sent back; anything we did not produce is rejected.
    pub fn decode(raw: &str) -> Result<Self, DomainError> {
        let bad = || DomainError::bad_parameter("cursor", "is not a cursor this API produced");
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
        let values: Vec<KeyValue> = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        // Text no key of ours holds (a NUL would even be refused by PostgreSQL).
        let controlled =
            |v: &KeyValue| matches!(v, KeyValue::Text(t) if t.chars().any(char::is_control));
        if values.is_empty() || values.iter().any(controlled) {
            return Err(bad());
        }
        Ok(Self(values))
    }
}

/// What a caller asked for: how many, from where, and whether to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Rows per page, already within 1..=[`MAX_LIMIT`].
    pub limit: u64,
    /// Where the page starts; `None` for the first page.
    pub cursor: Option<Cursor>,
    /// Whether to count every matching row.
    pub include_total: bool,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            cursor: None,
            include_total: false,
        }
    }
}

impl PageRequest {
    /// Checks and normalises the raw query values: `limit <= 0` is refused, above the maximum
    /// it is clamped.
    pub fn new(
        limit: Option<i64>,
        cursor: Option<&str>,
        include_total: bool,
    ) -> Result<Self, DomainError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n) if n <= 0 => {
                return Err(DomainError::bad_parameter("limit", "must be at least 1"));
            }
            Some(n) => u64::try_from(n).unwrap_or(MAX_LIMIT).min(MAX_LIMIT),
        };
        let cursor = cursor.map(Cursor::decode).transpose()?;
        Ok(Self {
            limit,
            cursor,
            include_total,
        })
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows, in order.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
    /// How many rows match in all, when asked for.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// Converts the rows, keeping the paging information.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
            total: self.total,
        }
    }

    /// Converts the rows by a conversion that may fail, keeping the paging information.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            next_cursor: self.next_cursor,
            total: self.total,
        })
    }
}

/// Direction of a keyset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Smallest first.
    Asc,
    /// Largest (for UUID v7 ids: newest) first.
    Desc,
}

/// Fetches one page of `select` ordered by the unique column `key`.
///
/// `key_of` reads the key back from a row to build the next cursor. One query for the rows
/// (one more than the limit, to know whether a next page exists), one more for the total only
/// when asked.
pub async fn by_unique_key<E, C>(
    db: &C,
    select: Select<E>,
    key: E::Column,
    order: Order,
    request: &PageRequest,
    key_of: impl Fn(&E::Model) -> KeyValue,
) -> Result<Page<E::Model>, DomainError>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let total = if request.include_total {
        Some(select.clone().count(db).await?)
    } else {
        None
    };
    let mut select = match order {
        Order::Asc => select.order_by_asc(key),
        Order::Desc => select.order_by_desc(key),
    };
    if let Some(Cursor(values)) = &request.cursor {
        let bad = || DomainError::bad_parameter("cursor", "is not a cursor this API produced");
        let [after] = values.as_slice() else {
            return Err(bad());
        };
        // A value of another type than the key's column would be a database error.
        if !fits(key, after) {
            return Err(bad());
        }
        let after = sea_orm::Value::from(after.clone());
        select = select.filter(match order {
            Order::Asc => key.gt(after),
            Order::Desc => key.lt(after),
        });
    }
    let mut items = select.limit(request.limit + 1).all(db).await?;
    let next_cursor = if items.len() as u64 > request.limit {
        items.truncate(request.limit as usize);
        items.last().map(|last| Cursor(vec![key_of(last)]).encode())
    } else {
        None
    };
    Ok(Page {
        items,
        next_cursor,
        total,
    })
}

/// Whether a cursor's value has the type of the key column it is compared with.
fn fits(column: impl ColumnTrait, value: &KeyValue) -> bool {
    use sea_orm::ColumnType as T;
    matches!(
        (column.def().get_column_type(), value),
        (T::Uuid, KeyValue::Uuid(_))
            | (
                T::TinyInteger | T::SmallInteger | T::Integer | T::BigInteger,
                KeyValue::Int(_)
            )
            | (T::Char(_) | T::String(_) | T::Text, KeyValue::Text(_))
    )
}

/// A sort key of a list: the column it orders by, how a row's value goes into a cursor, and
/// how a cursor's value comes back as a query value.
pub trait SortKey<E: EntityTrait>: Copy {
    /// The column.
    fn column(self) -> E::Column;
    /// The row's value of the key, for the next page's cursor.
    fn value(self, row: &E::Model) -> KeyValue;
    /// A cursor's value read back; `None` when it cannot be this key's.
    fn parse(self, value: &KeyValue) -> Option<sea_orm::Value>;
}

/// The unique id column of a list and how to read it from a row: the last sort key.
pub type IdKey<E> = (
    <E as EntityTrait>::Column,
    fn(&<E as EntityTrait>::Model) -> uuid::Uuid,
);

/// A row read with more than its entity's columns (links aggregated in the same statement,
/// say): what it was read as, and the entity row inside it, which the sort keys read.
pub trait RowOf<M> {
    /// The entity row.
    fn row(&self) -> &M;
}

impl<M> RowOf<M> for M {
    fn row(&self) -> &M {
        self
    }
}

/// Fetches one page of `select` ordered by several keys (`(key, descending)` pairs) and then
/// by the unique `id` column, which breaks ties in the direction of the last key. Rows added or
/// removed meanwhile never make a page skip or repeat a row.
pub async fn by_keys<E, K, C>(
    db: &C,
    select: Select<E>,
    sort: &[(K, bool)],
    id: IdKey<E>,
    request: &PageRequest,
) -> Result<Page<E::Model>, DomainError>
where
    E: EntityTrait,
    E::Model: Sync,
    K: SortKey<E>,
    C: ConnectionTrait,
{
    by_keys_as::<E, K, C, E::Model>(db, select, |s| s, sort, id, request).await
}

/// [`by_keys`], each row read as `T`: the entity's columns and the further columns `columns`
/// adds to the page's one statement (not to the count of `total`).
pub async fn by_keys_as<E, K, C, T>(
    db: &C,
    mut select: Select<E>,
    columns: fn(Select<E>) -> Select<E>,
    sort: &[(K, bool)],
    id: IdKey<E>,
    request: &PageRequest,
) -> Result<Page<T>, DomainError>
where
    E: EntityTrait,
    E::Model: Sync,
    K: SortKey<E>,
    C: ConnectionTrait,
    T: sea_orm::FromQueryResult + RowOf<E::Model> + Send + Sync,
{
    let (id_column, id_of) = id;
    let total = if request.include_total {
        Some(select.clone().count(db).await?)
    } else {
        None
    };
    let id_desc = sort.last().is_some_and(|(_, desc)| *desc);
    if let Some(Cursor(values)) = &request.cursor {
        let bad = || DomainError::bad_parameter("cursor", "does not belong to this sort order");
        if values.len() != sort.len() + 1 {
            return Err(bad());
        }
        let KeyValue::Uuid(last_id) = &values[sort.len()] else {
            return Err(bad());
        };
        let mut keys: Vec<(E::Column, bool, sea_orm::Value)> = Vec::new();
        for ((key, desc), value) in sort.iter().zip(values) {
            keys.push((key.column(), *desc, key.parse(value).ok_or_else(bad)?));
        }
        keys.push((id_column, id_desc, (*last_id).into()));
        // (k1, k2, ..., id) strictly after the cursor, in lexicographic order.
        let mut after = Condition::any();
        for i in 0..keys.len() {
            let mut branch = Condition::all();
            for (column, _, value) in &keys[..i] {
                branch = branch.add(column.eq(value.clone()));
            }
            let (column, desc, value) = &keys[i];
            branch = branch.add(if *desc {
                column.lt(value.clone())
            } else {
                column.gt(value.clone())
            });
            after = after.add(branch);
        }
        select = select.filter(after);
    }
    for (key, desc) in sort {
        select = if *desc {
            select.order_by_desc(key.column())
        } else {
            select.order_by_asc(key.column())
        };
    }
    select = if id_desc {
        select.order_by_desc(id_column)
    } else {
        select.order_by_asc(id_column)
    };
    let mut items = columns(select)
        .limit(request.limit + 1)
        .into_model::<T>()
        .all(db)
        .await?;
    let next_cursor = if items.len() as u64 > request.limit {
        items.truncate(request.limit as usize);
        items.last().map(|last| {
            let last = last.row();
            let mut values: Vec<KeyValue> = sort.iter().map(|(k, _)| k.value(last)).collect();
            values.push(KeyValue::Uuid(id_of(last)));
            Cursor(values).encode()
        })
    } else {
        None
    };
    Ok(Page {
        items,
        next_cursor,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_foreign_text() {
        let cursor = Cursor(vec![KeyValue::Text("SN".into()), KeyValue::Int(4)]);
        assert_eq!(Cursor::decode(&cursor.encode()).ok(), Some(cursor));
        assert!(Cursor::decode("not a cursor!").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("{}")).is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("[]")).is_err());
    }

    #[test]
    fn limits_default_clamp_and_refuse_non_positive() {
        assert_eq!(
            PageRequest::new(None, None, false).map(|p| p.limit).ok(),
            Some(50)
        );
        assert_eq!(
            PageRequest::new(Some(500), None, false)
                .map(|p| p.limit)
                .ok(),
            Some(200)
        );
        assert_eq!(
            PageRequest::new(Some(1), None, false).map(|p| p.limit).ok(),
            Some(1)
        );
        assert!(PageRequest::new(Some(0), None, false).is_err());
        assert!(PageRequest::new(Some(-3), None, false).is_err());
    }
}
