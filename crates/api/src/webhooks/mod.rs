//! The delivery worker: a task in the server that claims due deliveries from the outbox, sends
//! them ([`sender`]) and records each attempt. Several processes on one PostgreSQL database
//! share the queue (claims are leases taken with `FOR UPDATE SKIP LOCKED`); on SQLite, one
//! process sends. At shutdown the worker stops claiming, lets what it is sending finish (each
//! attempt is bounded by the timeout), and gives back anything still held.

pub mod sender;

use std::sync::Arc;
use std::time::Duration;

use empower_domain::db::Db;
use empower_domain::webhooks::address::AddressPolicy;
use empower_domain::webhooks::queue::{self, Claimed};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use uuid::Uuid;

use crate::settings::WebhookSettings;
pub use sender::Sender;

/// Deliveries claimed at once (sent in parallel: to different subscriptions, or pings).
const BATCH: u64 = 16;

/// How long past the timeout a claim is held: a worker that died mid-send is replaced after
/// this, never while it may still be sending.
const LEASE_MARGIN: Duration = Duration::from_secs(5);

/// The worker.
#[derive(Debug)]
pub struct Worker {
    db: Db,
    id: Uuid,
    sender: Sender,
    settings: WebhookSettings,
}

/// A running worker, to stop at shutdown.
#[derive(Debug)]
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    db: Db,
    id: Uuid,
    grace: Duration,
}

impl Worker {
    /// A worker over `db`, sending where `policy` allows.
    pub fn new(
        db: Db,
        settings: WebhookSettings,
        policy: AddressPolicy,
    ) -> Result<Self, reqwest::Error> {
        Ok(Self {
            sender: Sender::new(policy, settings.timeout)?,
            db,
            id: Uuid::now_v7(),
            settings,
        })
    }

    /// Starts it.
    pub fn spawn(self) -> WorkerHandle {
        let (stop, stopped) = watch::channel(false);
        let db = self.db.clone();
        let id = self.id;
        let grace = self.settings.timeout + LEASE_MARGIN;
        let task = tokio::spawn(Arc::new(self).run(stopped));
        WorkerHandle {
            stop,
            task,
            db,
            id,
            grace,
        }
    }

    async fn run(self: Arc<Self>, mut stopped: watch::Receiver<bool>) {
        log::info!("webhooks: delivery worker {} started", self.id);
        let lease = self.settings.timeout + LEASE_MARGIN;
        while !*stopped.borrow() {
            match queue::claim(&self.db, self.id, lease, BATCH).await {
                Ok(claimed) if !claimed.is_empty() => {
                    let mut sending = JoinSet::new();
                    for delivery in claimed {
                        sending.spawn(Arc::clone(&self).deliver(delivery));
                    }
                    // In-flight deliveries finish even when a stop arrives meanwhile.
                    while sending.join_next().await.is_some() {}
                    continue;
                }
                Ok(_) => {}
                Err(error) => log::warn!("webhooks: could not claim deliveries: {error}"),
            }
            tokio::select! {
                () = tokio::time::sleep(self.settings.poll) => {}
                _ = stopped.changed() => {}
            }
        }
        log::info!("webhooks: delivery worker {} stopped", self.id);
    }

    async fn deliver(self: Arc<Self>, claimed: Claimed) {
        let outcome = self.sender.send(&claimed).await;
        let jitter = rand::random::<f64>();
        match queue::complete(
            &self.db,
            self.id,
            claimed.delivery.id,
            &outcome,
            self.settings.retry_base,
            jitter,
        )
        .await
        {
            Ok(true) => log::info!(
                "webhooks: delivery {} to webhook {}: {}",
                claimed.delivery.id,
                claimed.delivery.webhook_id,
                outcome.status_code.map_or_else(
                    || outcome.error.clone().unwrap_or_default(),
                    |s| s.to_string()
                )
            ),
            Ok(false) => log::warn!(
                "webhooks: delivery {} was taken over before its attempt was recorded",
                claimed.delivery.id
            ),
            Err(error) => log::error!(
                "webhooks: could not record an attempt at delivery {}: {error}",
                claimed.delivery.id
            ),
        }
    }
}

impl WorkerHandle {
    /// Stops claiming, lets in-flight deliveries finish (up to the timeout), then gives back
    /// whatever is still held.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(self.grace, &mut task).await.is_err() {
            task.abort();
        }
        match queue::release(&self.db, self.id).await {
            Ok(0) => {}
            Ok(n) => log::info!("webhooks: {n} unfinished deliveries returned to the queue"),
            Err(error) => log::warn!("webhooks: could not return deliveries to the queue: {error}"),
        }
    }
}
