//! The training tables: modules, sessions, enrolments, attendance and assessments.

use crate::stored_enum;

stored_enum!(
    /// Where a training session stands.
    SessionStatus {
        /// Scheduled.
        Planned,
        /// Took place.
        Held,
        /// Will not take place (stays in the calendar, marked cancelled).
        Cancelled,
    }
);

stored_enum!(
    /// Where an enrolment stands.
    EnrollmentStatus {
        /// Taking part.
        Enrolled,
        /// No longer taking part.
        Withdrawn,
    }
);

stored_enum!(
    /// A line of an attendance sheet.
    AttendanceStatus {
        /// In the room.
        Present,
        /// Not there.
        Absent,
        /// Not there, with a reason given.
        Excused,
    }
);

stored_enum!(
    /// When an assessment was taken.
    AssessmentKind {
        /// Before the module.
        Pre,
        /// After the module.
        Post,
    }
);

/// `modules`: the programme's training modules.
pub mod module {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `modules`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "modules")]
    pub struct Model {
        /// UUID.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// `M1`, `M2`...
        pub code: String,
        /// Localized text, as JSON.
        pub title: String,
        /// Localized text, as JSON.
        pub description: String,
        /// Days the module has.
        pub planned_days: i32,
        /// Share of days to attend to complete it, in percent.
        pub min_attendance_pct: i32,
        /// Representatives of one association enrolled at most.
        pub max_representatives_per_association: i32,
        /// The days, as a JSON list.
        pub days: String,
        /// +1 on each change.
        pub version: i32,
        /// Created.
        pub created_at: DateTime<Utc>,
        /// Last changed.
        pub updated_at: DateTime<Utc>,
        /// Soft-deleted.
        pub deleted_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    crate::synced_table!(ResourceType::Module, |_m| Owner::Programme);
}

/// `training_sessions`: one sitting of one module day.
pub mod session {
    use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
    use sea_orm::entity::prelude::*;

    use super::SessionStatus;
    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `training_sessions`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "training_sessions")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The module.
        pub module_id: Uuid,
        /// One of the module's days.
        pub day_number: i32,
        /// The day it takes place.
        pub date: NaiveDate,
        /// Local (Europe/Brussels) start.
        pub starts_at: NaiveTime,
        /// Local (Europe/Brussels) end.
        pub ends_at: NaiveTime,
        /// Where.
        pub venue: String,
        /// Facilitators' names, as a JSON list.
        pub facilitators: String,
        /// Guest organisations' ids, as a JSON list.
        pub guest_partner_ids: String,
        /// Seats.
        pub capacity: i32,
        /// Where it stands.
        pub status: SessionStatus,
        /// The attendance sheet's version: +1 on each change of its lines (not of the session).
        pub attendance_version: i32,
        /// +1 on each change.
        pub version: i32,
        /// Created.
        pub created_at: DateTime<Utc>,
        /// Last changed.
        pub updated_at: DateTime<Utc>,
        /// Soft-deleted.
        pub deleted_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    crate::synced_table!(ResourceType::TrainingSession, |_m| Owner::Programme);
}

/// `enrollments`: a representative in a module.
pub mod enrollment {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    use super::EnrollmentStatus;
    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `enrollments`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "enrollments")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The representative.
        pub person_id: Uuid,
        /// Her association (the owner).
        pub association_id: Uuid,
        /// The module.
        pub module_id: Uuid,
        /// Where it stands.
        pub status: EnrollmentStatus,
        /// The certificate's verification code.
        pub certificate_code: String,
        /// The day the module was completed, kept by the server as attendance, a session's
        /// date or the module's threshold change (`training::completion`); none until then.
        pub completed_on: Option<chrono::NaiveDate>,
        /// +1 on each change.
        pub version: i32,
        /// Created.
        pub created_at: DateTime<Utc>,
        /// Last changed.
        pub updated_at: DateTime<Utc>,
        /// Soft-deleted.
        pub deleted_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    crate::synced_table!(ResourceType::Enrollment, |m| Owner::Association(
        m.association_id
    ));
}

/// `attendance`: one person's line on one session's sheet.
pub mod attendance {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    use super::AttendanceStatus;
    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `attendance`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "attendance")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The session.
        pub session_id: Uuid,
        /// The enrolment it counts for.
        pub enrollment_id: Uuid,
        /// The person.
        pub person_id: Uuid,
        /// Her association (the owner).
        pub association_id: Uuid,
        /// Present, absent or excused.
        pub status: AttendanceStatus,
        /// Came late.
        pub arrived_late: bool,
        /// +1 on each change.
        pub version: i32,
        /// Created.
        pub created_at: DateTime<Utc>,
        /// Last changed.
        pub updated_at: DateTime<Utc>,
        /// Soft-deleted.
        pub deleted_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    crate::synced_table!(ResourceType::Attendance, |m| Owner::Association(
        m.association_id
    ));
}

/// `assessments`: pre- and post-training scores of an enrolment.
pub mod assessment {
    use chrono::{DateTime, NaiveDate, Utc};
    use sea_orm::entity::prelude::*;

    use super::AssessmentKind;
    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `assessments`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "assessments")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The enrolment.
        pub enrollment_id: Uuid,
        /// Its association (the owner).
        pub association_id: Uuid,
        /// Before or after.
        pub kind: AssessmentKind,
        /// 0-100.
        pub score: i32,
        /// When it was taken.
        pub taken_on: NaiveDate,
        /// +1 on each change.
        pub version: i32,
        /// Created.
        pub created_at: DateTime<Utc>,
        /// Last changed.
        pub updated_at: DateTime<Utc>,
        /// Soft-deleted.
        pub deleted_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    crate::synced_table!(ResourceType::Assessment, |m| Owner::Association(
        m.association_id
    ));
}
