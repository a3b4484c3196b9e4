//! The training: modules, sessions and their calendar, enrolments, attendance, assessments and
//! certificates.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod assessments;
pub mod attendance;
pub mod certificates;
pub mod enrollments;
pub mod modules;
pub mod sessions;

/// Registers the training operations. The calendar (`/training-sessions.ics`) comes before
/// `/training-sessions/{id}` so the literal path wins.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(modules::list_modules)
        .service(modules::create_module)
        .service(modules::get_module)
        .service(modules::update_module)
        .service(modules::delete_module)
        .service(attendance::get_module_attendance_register)
        .service(sessions::get_training_calendar)
        .service(sessions::list_training_sessions)
        .service(sessions::create_training_session)
        .service(sessions::get_training_session)
        .service(sessions::update_training_session)
        .service(sessions::delete_training_session)
        .service(attendance::get_training_session_attendance)
        .service(attendance::put_training_session_attendance)
        .service(enrollments::list_enrollments)
        .service(enrollments::create_enrollment)
        .service(enrollments::get_enrollment)
        .service(enrollments::update_enrollment)
        .service(enrollments::delete_enrollment)
        .service(assessments::list_enrollment_assessments)
        .service(assessments::create_enrollment_assessment)
        .service(assessments::get_assessment)
        .service(assessments::update_assessment)
        .service(assessments::delete_assessment)
        .service(certificates::get_enrollment_certificate)
        .service(certificates::verify_certificate);
}
