//! The training (specific objective 1): one or two representatives of each selected
//! association follow three modules in Brussels. Modules and their days, sessions (sittings of
//! one module day), enrolments, daily attendance, completion, assessments and certificates.
//!
//! Completion is computed live, in SQL ([`completion`]): a day counts once when the person was
//! present at any sitting of it, and a module is completed once the days attended reach
//! `ceil(planned_days × min_attendance_pct / 100)`.

pub mod assessments;
pub mod attendance;
pub mod certificates;
pub mod completion;
pub mod enrollments;
pub mod entity;
pub mod modules;
pub mod sessions;

pub use self::entity::{AssessmentKind, AttendanceStatus, EnrollmentStatus, SessionStatus};
pub use self::modules::{Module, ModuleDay, ModuleInput};
