//! The identity tables: users, partner API clients, refresh tokens, login throttles.

/// User accounts, and the roles they hold.
pub mod user {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};
    use utoipa::ToSchema;

    /// What a user may do.
    #[derive(
        Clone,
        Copy,
        Debug,
        PartialEq,
        Eq,
        EnumIter,
        DeriveActiveEnum,
        Serialize,
        Deserialize,
        ToSchema,
    )]
    #[sea_orm(
        rs_type = "String",
        db_type = "String(StringLen::N(20))",
        rename_all = "snake_case"
    )]
    #[serde(rename_all = "snake_case")]
    #[schema(as = UserRole)]
    pub enum Role {
        /// Everything, including users and API clients.
        Admin,
        /// Programme staff: read and write programme data.
        Staff,
        /// A member of one association, bound to it: sees and edits only its own.
        Association,
        /// Reads everything except personal data.
        Viewer,
    }

    impl Role {
        /// The wire name.
        pub fn as_str(self) -> &'static str {
            match self {
                Self::Admin => "admin",
                Self::Staff => "staff",
                Self::Association => "association",
                Self::Viewer => "viewer",
            }
        }
    }

    /// A user as stored. The password hash never leaves the domain layer.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Lower-cased, trimmed; unique.
        #[sea_orm(unique)]
        pub email: String,
        /// Name shown in the apps.
        pub display_name: String,
        /// What the user may do.
        pub role: Role,
        /// The association an `association` user belongs to.
        pub association_id: Option<Uuid>,
        /// argon2id PHC string.
        pub password_hash: String,
        /// Deactivated users cannot log in.
        pub active: bool,
        /// +1 on every change.
        pub version: i32,
        /// When the account was created.
        pub created_at: DateTime<Utc>,
        /// When the account last changed.
        pub updated_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Partner API clients.
pub mod client {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    /// An API client as stored.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "api_clients")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Who the client is (the partner NGO and its job).
        pub name: String,
        /// The public half of the credentials.
        #[sea_orm(unique)]
        pub client_id: String,
        /// SHA-256 of the secret, hex.
        pub secret_hash: String,
        /// Space-separated scopes.
        pub scopes: String,
        /// The association the client acts for, if any.
        pub association_id: Option<Uuid>,
        /// Revoked clients cannot get tokens, and their tokens stop working.
        pub active: bool,
        /// +1 on every change.
        pub version: i32,
        /// When it was created.
        pub created_at: DateTime<Utc>,
        /// When it last changed.
        pub updated_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Refresh tokens, stored as hashes.
pub mod refresh_token {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    /// A refresh token as stored.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "refresh_tokens")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Whose token it is.
        pub user_id: Uuid,
        /// The login this token descends from.
        pub family_id: Uuid,
        /// SHA-256 of the token, hex.
        #[sea_orm(unique)]
        pub token_hash: String,
        /// When it was issued.
        pub issued_at: DateTime<Utc>,
        /// When it stops working.
        pub expires_at: DateTime<Utc>,
        /// When it was exchanged for a new one.
        pub used_at: Option<DateTime<Utc>>,
        /// When its family was revoked.
        pub revoked_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Login throttles, by account and by address.
pub mod login_throttle {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    /// A throttle row as stored.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_throttles")]
    pub struct Model {
        /// `account:<email>` or `address:<ip>`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        /// Consecutive failures.
        pub failures: i32,
        /// When the last failure happened.
        pub last_failure_at: DateTime<Utc>,
        /// Attempts are refused until then.
        pub locked_until: Option<DateTime<Utc>>,
        /// Attempts whose password is being checked.
        pub pending: i32,
        /// When the latest of those attempts was claimed.
        pub pending_since: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
