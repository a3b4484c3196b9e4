//! A webhook in the demo, so testers see one in Swagger UI: a partner API client of the first
//! demo association (`associations:read`, `webhooks:manage`) with a paused subscription to a
//! receiver on the tester's own machine (the README's examples listen there). Ping it, or point
//! it elsewhere and resume it.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::association::entity::association;
use crate::audit::AuditContext;
use crate::identity::client;
use crate::webhooks::address::AddressPolicy;
use crate::webhooks::subscription::{self, Manager, NewWebhook};
use crate::{DomainError, db, text};

/// The demo client's name: also how a second run knows it was done.
pub const DEMO_CLIENT: &str = "Demo partner sync (webhooks)";

/// Where the demo subscription points: the README's receivers.
pub const DEMO_URL: &str = "http://127.0.0.1:8099/";

/// Adds the demo client and its paused subscription once; says whether it did now.
pub async fn seed(db: &DatabaseConnection, association_name: &str) -> Result<bool, DomainError> {
    if client::Entity::find()
        .filter(client::Column::Name.eq(DEMO_CLIENT))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let Some(association) = association::Entity::find()
        .filter(association::Column::NameKey.eq(text::fold(association_name)))
        .filter(association::Column::DeletedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let context = AuditContext::system();
    let tx = db::begin_write(db).await?;
    let (made, _) = client::create(
        &tx,
        &context,
        client::NewClient {
            name: DEMO_CLIENT.into(),
            scopes: vec!["associations:read".into(), "webhooks:manage".into()],
            association_id: Some(association.id),
        },
    )
    .await?;
    // A receiver on the tester's machine is the development exception; it stays paused, so a
    // production server seeded with the demo never sends to it.
    let development = AddressPolicy {
        allow_loopback: true,
        allowed_networks: vec![],
    };
    subscription::create(
        &tx,
        &context,
        Manager::Admin,
        NewWebhook {
            client_id: Some(made.id),
            url: DEMO_URL.into(),
            event_types: vec!["association.*".into(), "person.*".into()],
            description: Some(
                "Demo: run a README receiver on port 8099, ping, then set active to true".into(),
            ),
            active: Some(false),
        },
        &development,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
