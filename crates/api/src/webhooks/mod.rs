//! The delivery worker: a task in the server that claims due deliveries from the outbox, sends
//! them ([`sender`]) and records each attempt. Several processes on one PostgreSQL database
//! share the queue (claims are leases taken with `FOR UPDATE SKIP LOCKED`); on SQLite, one
//! process sends. At shutdown the worker stops claiming, lets what it is sending finish (each
//! attempt is bounded by the timeout), and gives back anything still held.

pub mod sender;

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use empower_domain::db::Db;
use empower_domain::webhooks::address::AddressPolicy;
use empower_domain::webhooks::queue::{self, Claimed};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};
use uuid::Uuid;

use crate::settings::WebhookSettings;
pub use sender::Sender;

/// Deliveries in flight at once (to different subscriptions, or pings). A slot freed by one
/// receiver is refilled at once, so a slow receiver holds one slot, not the others.
const IN_FLIGHT: usize = 16;

/// How often the log of finished deliveries is pruned ([`queue::kept_for`]).
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// A claim is held for twice the timeout and this: a worker that died mid-send is replaced
/// after it, never while it may still be sending (the margin absorbs a slow claim and clocks a
/// little apart).
const LEASE_MARGIN: Duration = Duration::from_secs(5);

/// The worker.
#[derive(Debug)]
pub struct Worker {
    db: Db,
    id: Uuid,
    sender: Sender,
    settings: WebhookSettings,
    wake: Arc<Notify>,
}

/// Wakes this process's worker when a write of this process may have queued deliveries, so they
/// go out at once instead of at the next poll (writes of other processes wait for the poll).
#[derive(Debug, Clone, Default)]
pub struct Wake(pub Arc<Notify>);

/// The middleware: after a successful write request, wakes the worker.
pub async fn wake_after_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let wake = req.app_data::<web::Data<Wake>>().cloned();
    let response = next.call(req).await?;
    if writes
        && response.status().is_success()
        && let Some(wake) = wake
    {
        wake.0.notify_one();
    }
    Ok(response)
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
            wake: Arc::new(Notify::new()),
        })
    }

    /// What wakes it early.
    pub fn wake(&self) -> Wake {
        Wake(Arc::clone(&self.wake))
    }

    /// Starts it.
    pub fn spawn(self) -> WorkerHandle {
        let (stop, stopped) = watch::channel(false);
        let db = self.db.clone();
        let id = self.id;
        let grace = self.settings.timeout + LEASE_MARGIN;
        // `grace` covers the attempts in flight: each ends within the timeout.
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
        let lease = self.settings.timeout * 2 + LEASE_MARGIN;
        let mut sending = JoinSet::new();
        let mut next_prune = tokio::time::Instant::now();
        while !*stopped.borrow() {
            while sending.try_join_next().is_some() {}
            if tokio::time::Instant::now() >= next_prune {
                next_prune += PRUNE_EVERY;
                match queue::prune(&self.db, chrono::Utc::now() - queue::kept_for()).await {
                    Ok(0) => {}
                    Ok(n) => {
                        log::info!("webhooks: {n} finished deliveries older than 30 days pruned")
                    }
                    Err(error) => log::warn!("webhooks: could not prune the delivery log: {error}"),
                }
            }
            let free = IN_FLIGHT.saturating_sub(sending.len());
            let mut more = false;
            if free > 0 {
                match queue::claim(&self.db, self.id, lease, free as u64).await {
                    // A stop that came during the claim: what it took is given back by `stop`.
                    Ok(_) if *stopped.borrow() => break,
                    Ok(claim) => {
                        // Dropped heads may have due successors; a full claim may leave more.
                        more = claim.dropped > 0 || claim.claimed.len() == free;
                        for delivery in claim.claimed {
                            sending.spawn(Arc::clone(&self).deliver(delivery));
                        }
                    }
                    Err(error) => log::warn!("webhooks: could not claim deliveries: {error}"),
                }
            }
            if more && sending.len() < IN_FLIGHT {
                continue;
            }
            tokio::select! {
                Some(_) = sending.join_next(), if !sending.is_empty() => {}
                () = tokio::time::sleep(self.settings.poll) => {}
                () = self.wake.notified() => {}
                changed = stopped.changed() => if changed.is_err() { break },
            }
        }
        // In-flight deliveries finish (each bounded by the timeout).
        while sending.join_next().await.is_some() {}
        log::info!("webhooks: delivery worker {} stopped", self.id);
    }

    async fn deliver(self: Arc<Self>, claimed: Claimed) {
        let outcome = self.sender.send(&claimed).await;
        let jitter = rand::random::<f64>();
        match queue::complete(
            &self.db,
            self.id,
            claimed.delivery.id,
            &claimed.url,
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
