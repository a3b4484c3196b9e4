//! Who may call what: one table, per operation, of the roles and the client scopes allowed.
//! Deny by default: an operation missing from the table is refused to everyone (and a test
//! fails when the contract has an operation the table does not name).

use empower_domain::changes::ResourceType;
use empower_domain::identity::Role;
use empower_domain::identity::scope::Scope;

/// The rule of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, without credentials.
    Public,
    /// These roles, and API clients holding one of these scopes.
    Protected {
        /// Roles allowed.
        roles: &'static [Role],
        /// Client scopes allowed (any one suffices).
        scopes: &'static [Scope],
    },
}

const ADMIN: Rule = Rule::Protected {
    roles: &[Role::Admin],
    scopes: &[],
};

const ANY_USER: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff, Role::Association, Role::Viewer],
    scopes: &[],
};

const READ_ASSOCIATIONS: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff, Role::Viewer, Role::Association],
    scopes: &[Scope::AssociationsRead, Scope::AssociationsWrite],
};

const MANAGE_ASSOCIATIONS: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff],
    scopes: &[Scope::AssociationsWrite],
};

const EDIT_ASSOCIATION_PROFILE: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff, Role::Association],
    scopes: &[Scope::AssociationsWrite],
};

const READ_PEOPLE: Rule = READ_ASSOCIATIONS;

const EDIT_PEOPLE: Rule = EDIT_ASSOCIATION_PROFILE;

const READ_PERSON_CONSENTS: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff, Role::Association],
    scopes: &[],
};

const READ_TRAINING: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff, Role::Viewer, Role::Association],
    scopes: &[Scope::TrainingRead],
};

const MANAGE_TRAINING: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff],
    scopes: &[],
};

/// Certificates carry a name: people who may see personal data, not API clients.
const READ_CERTIFICATES: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff, Role::Association],
    scopes: &[],
};

const READ_RESTITUTIONS: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff, Role::Viewer, Role::Association],
    scopes: &[Scope::RestitutionsRead, Scope::RestitutionsWrite],
};

/// Associations report their own; staff review (the review itself is checked by the domain).
const WRITE_RESTITUTIONS: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff, Role::Association],
    scopes: &[Scope::RestitutionsWrite],
};

const READ_DELIVERABLES: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff, Role::Viewer, Role::Association],
    scopes: &[Scope::PublicationsRead],
};

const MANAGE_DELIVERABLES: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff],
    scopes: &[],
};

/// An association's users propose stories about their own association (the domain checks
/// whose, and that the brief is a draft).
const WRITE_STORIES: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff, Role::Association],
    scopes: &[],
};

/// The results framework: programme staff and viewers (the public reads its own figures).
const READ_RESULTS: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff, Role::Viewer],
    scopes: &[],
};

const MANAGE_RESULTS: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Staff],
    scopes: &[],
};

/// The record of processing activities: administrators, and viewers (auditors, the data
/// protection officer).
const READ_PROCESSING_RECORD: Rule = Rule::Protected {
    roles: &[Role::Admin, Role::Viewer],
    scopes: &[],
};

/// Webhook subscriptions: administrators (every one), and clients holding `webhooks:manage`
/// (their own; the domain answers 404 for another's).
const MANAGE_WEBHOOKS: Rule = Rule::Protected {
    roles: &[Role::Admin],
    scopes: &[Scope::WebhooksManage],
};

/// Every operation, by operation id (the handler's name).
pub const TABLE: &[(&str, Rule)] = &[
    // Probes and reference data.
    ("health_live", Rule::Public),
    ("health_ready", Rule::Public),
    ("list_countries", Rule::Public),
    ("get_country", Rule::Public),
    ("list_sdgs", Rule::Public),
    ("get_sdg", Rule::Public),
    // Logging in and tokens.
    ("login", Rule::Public),
    ("refresh", Rule::Public),
    ("logout", Rule::Public),
    ("issue_client_token", Rule::Public),
    // One's own account.
    ("get_me", ANY_USER),
    ("change_my_password", ANY_USER),
    // Administration.
    ("list_users", ADMIN),
    ("create_user", ADMIN),
    ("get_user", ADMIN),
    ("update_user", ADMIN),
    ("list_api_clients", ADMIN),
    ("create_api_client", ADMIN),
    ("get_api_client", ADMIN),
    ("update_api_client", ADMIN),
    ("list_audit_log", ADMIN),
    // Webhooks.
    ("list_webhooks", MANAGE_WEBHOOKS),
    ("create_webhook", MANAGE_WEBHOOKS),
    ("get_webhook", MANAGE_WEBHOOKS),
    ("update_webhook", MANAGE_WEBHOOKS),
    ("delete_webhook", MANAGE_WEBHOOKS),
    ("rotate_webhook_secret", MANAGE_WEBHOOKS),
    ("list_webhook_deliveries", MANAGE_WEBHOOKS),
    ("get_webhook_delivery", MANAGE_WEBHOOKS),
    ("redeliver_webhook_delivery", MANAGE_WEBHOOKS),
    ("ping_webhook", MANAGE_WEBHOOKS),
    // The association registry.
    ("list_associations", READ_ASSOCIATIONS),
    ("get_association", READ_ASSOCIATIONS),
    ("list_association_transitions", READ_ASSOCIATIONS),
    ("get_association_transition", READ_ASSOCIATIONS),
    ("get_association_eligibility", READ_ASSOCIATIONS),
    ("list_publication_consent_changes", READ_ASSOCIATIONS),
    ("create_association", MANAGE_ASSOCIATIONS),
    ("put_association", MANAGE_ASSOCIATIONS),
    ("update_association", EDIT_ASSOCIATION_PROFILE),
    ("delete_association", MANAGE_ASSOCIATIONS),
    ("import_associations", MANAGE_ASSOCIATIONS),
    ("export_associations", READ_ASSOCIATIONS),
    (
        "create_association_transition",
        Rule::Protected {
            roles: &[Role::Admin, Role::Staff],
            scopes: &[],
        },
    ),
    // People and their consents.
    ("list_association_people", READ_PEOPLE),
    ("get_person", READ_PEOPLE),
    ("create_association_person", EDIT_PEOPLE),
    ("put_person", EDIT_PEOPLE),
    ("update_person", EDIT_PEOPLE),
    ("delete_person", EDIT_PEOPLE),
    ("list_person_consents", READ_PERSON_CONSENTS),
    // Privacy rights.
    ("export_person_data", ADMIN),
    ("erase_person", ADMIN),
    ("get_retention", ADMIN),
    ("get_processing_activities", READ_PROCESSING_RECORD),
    ("get_person_consent", READ_PERSON_CONSENTS),
    ("create_person_consent", EDIT_PEOPLE),
    // Funding applications.
    ("list_funding_applications", READ_ASSOCIATIONS),
    ("get_funding_application", READ_ASSOCIATIONS),
    ("create_funding_application", EDIT_ASSOCIATION_PROFILE),
    ("update_funding_application", EDIT_ASSOCIATION_PROFILE),
    ("delete_funding_application", EDIT_ASSOCIATION_PROFILE),
    // Stakeholder organisations.
    ("list_partners", READ_TRAINING),
    ("get_partner", READ_TRAINING),
    ("create_partner", MANAGE_TRAINING),
    ("update_partner", MANAGE_TRAINING),
    ("delete_partner", MANAGE_TRAINING),
    // The training.
    ("list_modules", READ_TRAINING),
    ("get_module", READ_TRAINING),
    ("create_module", MANAGE_TRAINING),
    ("update_module", MANAGE_TRAINING),
    ("delete_module", MANAGE_TRAINING),
    ("get_module_attendance_register", READ_TRAINING),
    ("get_training_calendar", Rule::Public),
    ("list_training_sessions", READ_TRAINING),
    ("get_training_session", READ_TRAINING),
    ("create_training_session", MANAGE_TRAINING),
    ("update_training_session", MANAGE_TRAINING),
    ("delete_training_session", MANAGE_TRAINING),
    ("get_training_session_attendance", READ_TRAINING),
    ("put_training_session_attendance", MANAGE_TRAINING),
    ("list_enrollments", READ_TRAINING),
    ("get_enrollment", READ_TRAINING),
    ("create_enrollment", MANAGE_TRAINING),
    ("update_enrollment", MANAGE_TRAINING),
    ("delete_enrollment", MANAGE_TRAINING),
    ("list_enrollment_assessments", READ_TRAINING),
    ("get_assessment", READ_TRAINING),
    ("create_enrollment_assessment", MANAGE_TRAINING),
    ("update_assessment", MANAGE_TRAINING),
    ("delete_assessment", MANAGE_TRAINING),
    ("get_enrollment_certificate", READ_CERTIFICATES),
    ("verify_certificate", Rule::Public),
    // Restitutions.
    ("list_restitutions", READ_RESTITUTIONS),
    ("get_restitution", READ_RESTITUTIONS),
    ("create_restitution", WRITE_RESTITUTIONS),
    ("update_restitution", WRITE_RESTITUTIONS),
    ("delete_restitution", WRITE_RESTITUTIONS),
    ("list_restitution_transitions", READ_RESTITUTIONS),
    ("get_restitution_transition", READ_RESTITUTIONS),
    ("create_restitution_transition", WRITE_RESTITUTIONS),
    ("list_restitution_evidence", READ_RESTITUTIONS),
    ("get_restitution_evidence", READ_RESTITUTIONS),
    ("create_restitution_evidence", WRITE_RESTITUTIONS),
    ("delete_restitution_evidence", WRITE_RESTITUTIONS),
    ("get_restitution_evidence_file", READ_RESTITUTIONS),
    // Visibility deliverables.
    ("list_deliverables", READ_DELIVERABLES),
    ("get_deliverable", READ_DELIVERABLES),
    ("create_deliverable", MANAGE_DELIVERABLES),
    ("update_deliverable", MANAGE_DELIVERABLES),
    ("delete_deliverable", MANAGE_DELIVERABLES),
    ("list_deliverable_transitions", READ_DELIVERABLES),
    ("get_deliverable_transition", READ_DELIVERABLES),
    ("create_deliverable_transition", MANAGE_DELIVERABLES),
    ("list_deliverable_stories", READ_DELIVERABLES),
    ("get_deliverable_story", READ_DELIVERABLES),
    ("create_deliverable_story", WRITE_STORIES),
    ("update_deliverable_story", WRITE_STORIES),
    ("delete_deliverable_story", WRITE_STORIES),
    ("list_calendar_entries", READ_DELIVERABLES),
    ("get_calendar_entry", READ_DELIVERABLES),
    ("create_calendar_entry", MANAGE_DELIVERABLES),
    ("update_calendar_entry", MANAGE_DELIVERABLES),
    ("delete_calendar_entry", MANAGE_DELIVERABLES),
    ("list_disseminations", READ_DELIVERABLES),
    ("get_dissemination", READ_DELIVERABLES),
    ("create_dissemination", MANAGE_DELIVERABLES),
    ("update_dissemination", MANAGE_DELIVERABLES),
    ("delete_dissemination", MANAGE_DELIVERABLES),
    // What the public reads without logging in.
    ("list_public_repertoire", Rule::Public),
    ("list_public_deliverables", Rule::Public),
    ("get_public_deliverable", Rule::Public),
    ("get_public_calendar", Rule::Public),
    ("get_public_results", Rule::Public),
    // The results framework.
    ("list_metrics", READ_RESULTS),
    ("list_results", READ_RESULTS),
    ("get_result", READ_RESULTS),
    ("create_result", MANAGE_RESULTS),
    ("update_result", MANAGE_RESULTS),
    ("delete_result", MANAGE_RESULTS),
    ("list_indicators", READ_RESULTS),
    ("get_indicator", READ_RESULTS),
    ("create_indicator", MANAGE_RESULTS),
    ("update_indicator", MANAGE_RESULTS),
    ("delete_indicator", MANAGE_RESULTS),
    ("delete_indicator_measurement", MANAGE_RESULTS),
    ("get_indicator_values", READ_RESULTS),
    ("list_indicator_measurements", READ_RESULTS),
    ("get_indicator_measurement", READ_RESULTS),
    ("create_indicator_measurement", MANAGE_RESULTS),
    ("get_results_report", READ_RESULTS),
    ("list_reporting_periods", READ_RESULTS),
    ("get_reporting_period", READ_RESULTS),
    ("get_reporting_period_report", READ_RESULTS),
    ("create_reporting_period", MANAGE_RESULTS),
    ("update_reporting_period", MANAGE_RESULTS),
    ("delete_reporting_period", MANAGE_RESULTS),
    ("close_reporting_period", MANAGE_RESULTS),
    ("reopen_reporting_period", ADMIN),
    // Sync.
    (
        "list_changes",
        Rule::Protected {
            roles: &[Role::Admin, Role::Staff, Role::Viewer],
            scopes: &[Scope::SyncRead],
        },
    ),
];

/// The operation that reads one resource of a type: who may call it may see the type's
/// changes in the feed.
pub fn read_operation(resource: ResourceType) -> &'static str {
    match resource {
        ResourceType::Association => "get_association",
        ResourceType::Person => "get_person",
        ResourceType::FundingApplication => "get_funding_application",
        ResourceType::Module => "get_module",
        ResourceType::Partner => "get_partner",
        ResourceType::TrainingSession => "get_training_session",
        ResourceType::Enrollment => "get_enrollment",
        ResourceType::Attendance => "get_training_session_attendance",
        ResourceType::Assessment => "get_assessment",
        ResourceType::Restitution => "get_restitution",
        ResourceType::RestitutionEvidence => "get_restitution_evidence",
        ResourceType::Deliverable => "get_deliverable",
        ResourceType::DeliverableStory => "get_deliverable_story",
        ResourceType::CalendarEntry => "get_calendar_entry",
        ResourceType::Dissemination => "get_dissemination",
        ResourceType::FrameworkResult => "get_result",
        ResourceType::Indicator => "get_indicator",
        ResourceType::IndicatorMeasurement => "get_indicator_measurement",
        ResourceType::ReportingPeriod => "get_reporting_period",
    }
}

/// The rule of an operation, if it has one.
pub fn rule(operation: &str) -> Option<Rule> {
    TABLE
        .iter()
        .find(|(name, _)| *name == operation)
        .map(|(_, rule)| *rule)
}

/// A one-line description of a rule, for the contract.
pub fn describe(rule: Rule) -> String {
    match rule {
        Rule::Public => "Public: no credentials needed.".into(),
        Rule::Protected { roles, scopes } => {
            let roles: Vec<&str> = roles.iter().map(|r| role_name(*r)).collect();
            let mut text = format!("Roles: {}.", roles.join(", "));
            if !scopes.is_empty() {
                let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
                text.push_str(&format!(" API client scopes: {}.", names.join(", ")));
            }
            text
        }
    }
}

/// The wire name of a role.
pub fn role_name(role: Role) -> &'static str {
    role.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_appear_once_and_unknown_ones_are_denied() {
        let mut names: Vec<&str> = TABLE.iter().map(|(n, _)| *n).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "an operation is listed twice");
        assert_eq!(rule("no_such_operation"), None);
        assert_eq!(rule("list_users"), Some(ADMIN));
    }

    /// What the domain says a scope reads (and so which changes a client's webhooks hear) is
    /// what this table lets a client with that scope read.
    #[test]
    fn the_domain_knows_which_types_each_scope_reads() {
        for scope in Scope::ALL {
            for resource in ResourceType::all() {
                let by_table = match rule(read_operation(resource)) {
                    Some(Rule::Protected { scopes, .. }) => scopes.contains(&scope),
                    _ => false,
                };
                assert_eq!(
                    scope.reads(resource),
                    by_table,
                    "{scope:?} reading {resource:?}: the domain and the access table disagree"
                );
            }
        }
    }

    #[test]
    fn every_feed_type_is_read_by_an_operation_of_the_table() {
        for resource in ResourceType::all() {
            assert!(
                rule(read_operation(resource)).is_some(),
                "{resource:?} has no read operation in the table"
            );
        }
    }
}
