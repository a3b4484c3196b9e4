//! Answers computed from the whole programme (the public results, the results report), kept in
//! the server's memory while nothing changed: reused until the change feed moves on (a write
//! anywhere) or the day turns in Brussels (a period that ends "today" moves at midnight).
//!
//! Every write of the data these answers read records a change in the same transaction
//! (`empower_domain::changes`), so the feed's last sequence is the data's version; with several
//! servers on one database each keeps its own memo and sees the same sequence.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use chrono::NaiveDate;
use empower_domain::changes;
use empower_domain::db::Db;
use empower_domain::time::brussels_today;

use crate::problem::ApiError;

/// The version of the data an answer was computed from: the feed's last sequence and the day.
type Version = (i64, NaiveDate);

/// Answers by key (a period, a format), all computed from one version of the data.
#[derive(Debug)]
pub struct Memo<K, V> {
    kept: Mutex<(Option<Version>, HashMap<K, V>)>,
    /// Held while an answer is computed: requests that miss together wait for the first one's
    /// answer instead of each computing it (32 reports at once took 10 s each on 2 cores).
    computing: tokio::sync::Mutex<()>,
    /// How many answers one version keeps; past it, the oldest are forgotten all at once.
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    /// An empty memo keeping up to `capacity` answers.
    pub fn new(capacity: usize) -> Self {
        Self {
            kept: Mutex::new((None, HashMap::new())),
            computing: tokio::sync::Mutex::new(()),
            capacity,
        }
    }

    /// The answer for `key`: kept, or computed by `compute` (given today, Brussels time) and kept.
    ///
    /// The version is read before computing: an answer that saw a later write is kept under
    /// the earlier version, and replaced at the next request, never the other way round. One
    /// answer is computed at a time; a request that waited for it takes it when it is the one
    /// it needs.
    pub async fn get_or_compute<F, Fut>(&self, db: &Db, key: K, compute: F) -> Result<V, ApiError>
    where
        F: FnOnce(NaiveDate) -> Fut,
        Fut: Future<Output = Result<V, ApiError>>,
    {
        let version = (changes::last_seq(db).await?, brussels_today());
        if let Some(kept) = self.kept(version, &key) {
            return Ok(kept);
        }
        let _computing = self.computing.lock().await;
        if let Some(kept) = self.kept(version, &key) {
            return Ok(kept);
        }
        let value = compute(version.1).await?;
        if let Ok(mut kept) = self.kept.lock() {
            if kept.0 != Some(version) || kept.1.len() >= self.capacity {
                *kept = (Some(version), HashMap::new());
            }
            kept.1.insert(key, value.clone());
        }
        Ok(value)
    }

    fn kept(&self, version: Version, key: &K) -> Option<V> {
        self.kept.lock().ok().and_then(|kept| {
            (kept.0 == Some(version))
                .then(|| kept.1.get(key).cloned())
                .flatten()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answer_is_kept_until_the_feed_moves_on() {
        let dir = std::env::temp_dir().join(format!("empower-memo-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = empower_domain::db::connect(&dir.join("memo.db").display().to_string())
            .await
            .expect("connect");
        empower_domain::db::migrate_up(&db).await.expect("migrate");
        let memo: Memo<&str, usize> = Memo::new(2);
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let count = || async { Ok(calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1) };
        assert_eq!(
            memo.get_or_compute(&db, "a", |_| count()).await.ok(),
            Some(1)
        );
        assert_eq!(
            memo.get_or_compute(&db, "a", |_| count()).await.ok(),
            Some(1)
        );
        assert_eq!(
            memo.get_or_compute(&db, "b", |_| count()).await.ok(),
            Some(2)
        );
        // Past its capacity the memo starts again.
        assert_eq!(
            memo.get_or_compute(&db, "c", |_| count()).await.ok(),
            Some(3)
        );
        assert_eq!(
            memo.get_or_compute(&db, "a", |_| count()).await.ok(),
            Some(4)
        );
        // A write anywhere: computed again.
        let tx = empower_domain::db::begin_write(&db).await.expect("begin");
        changes::record(
            &tx,
            changes::Change {
                resource_type: changes::ResourceType::Association,
                resource_id: uuid::Uuid::now_v7(),
                op: changes::Op::Upsert,
                version: 1,
                association_id: None,
            },
        )
        .await
        .expect("record");
        tx.commit().await.expect("commit");
        assert_eq!(
            memo.get_or_compute(&db, "a", |_| count()).await.ok(),
            Some(5)
        );
        // Requests that miss together: one computes, the others take its answer.
        let slow = || async {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            count().await
        };
        let together = tokio::join!(
            memo.get_or_compute(&db, "d", |_| slow()),
            memo.get_or_compute(&db, "d", |_| slow()),
            memo.get_or_compute(&db, "d", |_| slow()),
        );
        assert_eq!(
            (together.0.ok(), together.1.ok(), together.2.ok()),
            (Some(6), Some(6), Some(6))
        );
        db.close().await.expect("close");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
