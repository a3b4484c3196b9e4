//! The record of processing activities (GDPR Art. 30), as data: what the programme processes,
//! why, about whom, who receives it (the partner clients, read live with their scopes), how long
//! it is kept (the retention settings) and how it is protected.

use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::retention::RetentionPeriods;
use crate::DomainError;
use crate::identity::client;

/// The record.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "as_of": "2026-11-29",
    "controller": "The programme's office in Belgium of the international organisation that runs it (the deployment's operator)",
    "activities": [{"name": "Training", "purposes": ["Run the three-module training"],
        "legal_basis": "Art. 6(1)(b)/(e)", "data_subjects": ["Association representatives enrolled in the training"],
        "data_categories": ["Enrolments", "Daily attendance"], "recipients": ["Programme staff"],
        "retention": "As the person's record", "transfers": "None"}],
    "partner_clients": [{"name": "Partner NGO sync", "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7db0",
        "scopes": ["training:read", "sync:read"], "association_id": null, "active": true}],
    "retention": {"closed_months": 12, "contact_months": 36},
    "security_measures": ["Every /api/v1 call authenticated, deny by default"]
}))]
pub struct ProcessingRecord {
    /// The day it was read (UTC).
    pub as_of: NaiveDate,
    /// Who decides on the processing.
    pub controller: String,
    /// The processing activities.
    pub activities: Vec<ProcessingActivity>,
    /// Partner systems that receive data through the API, as configured now.
    pub partner_clients: Vec<PartnerRecipient>,
    /// The retention periods in force.
    pub retention: RetentionPeriods,
    /// Technical and organisational security measures (Art. 32).
    pub security_measures: Vec<String>,
}

/// One processing activity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProcessingActivity {
    /// Its name.
    pub name: String,
    /// What it is for.
    pub purposes: Vec<String>,
    /// The lawful basis (Art. 6, and Art. 9 where data reveals origin).
    pub legal_basis: String,
    /// Whose data.
    pub data_subjects: Vec<String>,
    /// Which data.
    pub data_categories: Vec<String>,
    /// Who receives it.
    pub recipients: Vec<String>,
    /// How long it is kept.
    pub retention: String,
    /// Transfers outside the EEA.
    pub transfers: String,
}

/// A partner API client, as a recipient.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerRecipient {
    /// Who it is.
    pub name: String,
    /// Its id.
    pub id: Uuid,
    /// What it may read and write.
    pub scopes: Vec<String>,
    /// The association it acts for, when bound to one (it then sees only that one's data).
    pub association_id: Option<Uuid>,
    /// Whether it may still call.
    pub active: bool,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The record, with the partner clients as they are now.
pub async fn record(
    db: &impl ConnectionTrait,
    retention: RetentionPeriods,
) -> Result<ProcessingRecord, DomainError> {
    let clients = client::Entity::find()
        .order_by_asc(client::Column::Name)
        .all(db)
        .await?;
    let mut partner_clients = Vec::with_capacity(clients.len());
    for c in clients {
        let scopes = c
            .scope_list()?
            .into_iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        partner_clients.push(PartnerRecipient {
            name: c.name,
            id: c.id,
            scopes,
            association_id: c.association_id,
            active: c.active,
        });
    }
    let closed = retention.closed_months;
    let contact = retention.contact_months;
    Ok(ProcessingRecord {
        as_of: Utc::now().date_naive(),
        controller: "The programme's office in Belgium of the international organisation that runs it (the deployment's operator)".into(),
        activities: vec![
            ProcessingActivity {
                name: "Association registry and selection".into(),
                purposes: strings(&["Receive applications, check eligibility, select the beneficiary associations"]),
                legal_basis: "Art. 6(1)(e)/(f): the programme's mission; Art. 9(2)(a) explicit consent for data that reveals origin".into(),
                data_subjects: strings(&["Representatives and members of diaspora women's associations"]),
                data_categories: strings(&["Names", "Gender", "Email and phone", "Role in the association", "Languages", "Countries of origin (through the association)", "Consent records"]),
                recipients: strings(&["Programme staff", "The association's own users", "Partner clients with associations:read (without contact data)"]),
                retention: format!("People of associations rejected or withdrawn: erased {closed} months after the move. Contact data of associations completed: erased {contact} months after completion."),
                transfers: "None: the data stays on the deployment's servers".into(),
            },
            ProcessingActivity {
                name: "Training".into(),
                purposes: strings(&["Run the three-module training: sessions, attendance, assessments, completion and certificates"]),
                legal_basis: "Art. 6(1)(b)/(e): taking part in the programme, with consent recorded for programme participation".into(),
                data_subjects: strings(&["Association representatives enrolled in the training"]),
                data_categories: strings(&["Enrolments", "Daily attendance", "Assessment scores", "Completion and certificate codes (a public check shows initials only)"]),
                recipients: strings(&["Programme staff", "The association's own users", "Partner clients with training:read (without personal data)"]),
                retention: "As the person's record; kept anonymously after an erasure, for the results".into(),
                transfers: "None".into(),
            },
            ProcessingActivity {
                name: "Restitutions".into(),
                purposes: strings(&["Record the sessions in which trained representatives teach their members, and their evidence"]),
                legal_basis: "Art. 6(1)(e): the programme's mission; consent for photos".into(),
                data_subjects: strings(&["Facilitating representatives", "Attendees (counted only, never named)"]),
                data_categories: strings(&["Facilitators (by id)", "Notes", "Photos and attendance sheets"]),
                recipients: strings(&["Programme staff", "The association's own users", "Partner clients with restitutions:write (photos and sheets of their association only)"]),
                retention: "As the facilitator's record: her erasure removes the notes, photos and attendance sheets of the restitutions she facilitated".into(),
                transfers: "None".into(),
            },
            ProcessingActivity {
                name: "Visibility".into(),
                purposes: strings(&["Publish the repertoire, success-story briefs and the calendar"]),
                legal_basis: "Art. 6(1)(a)/9(2)(a): consent to publication, checked before anything is published".into(),
                data_subjects: strings(&["People named or pictured in stories"]),
                data_categories: strings(&["Names and quotes in stories", "Pictures"]),
                recipients: strings(&["The public (published deliverables only, when everyone named consents)", "Partner clients with publications:read"]),
                retention: "Until consent is withdrawn or the person is erased (her name and picture are then taken out)".into(),
                transfers: "Published deliverables are public".into(),
            },
            ProcessingActivity {
                name: "Results framework".into(),
                purposes: strings(&["Compute and report the programme's indicators to the donor"]),
                legal_basis: "Art. 6(1)(e); Art. 89: statistics, aggregated".into(),
                data_subjects: strings(&["Everyone above, aggregated"]),
                data_categories: strings(&["Counts and shares by sex, country and module: no person is identifiable"]),
                recipients: strings(&["Programme staff, viewers, the donor (IATI export), the public (aggregate results)"]),
                retention: "For the programme's reporting and audit".into(),
                transfers: "The IATI export is public".into(),
            },
            ProcessingActivity {
                name: "Accounts and security".into(),
                purposes: strings(&["Authenticate staff, association users and partner clients; keep an audit trail"]),
                legal_basis: "Art. 6(1)(c)/(f): security and accountability".into(),
                data_subjects: strings(&["Users of the API"]),
                data_categories: strings(&["Email, display name, role", "Audit entries (who did what, when, from which address; never values)"]),
                recipients: strings(&["Administrators"]),
                retention: "Login throttles and idempotency replies: 24 hours of use; the audit trail: for the programme's audit".into(),
                transfers: "None".into(),
            },
        ],
        partner_clients,
        retention,
        security_measures: strings(&[
            "Every /api/v1 call authenticated (JWT or OAuth client credentials), deny by default, per-role and per-scope access table",
            "Tenant isolation: a caller bound to an association sees only its own data",
            "Contact data shown only to roles that need it; every read of it audited",
            "Responses carrying personal data are Cache-Control: no-store; the change feed never carries values",
            "Passwords hashed with Argon2; login throttling per account and address",
            "Publication only with recorded consent; public certificate checks show initials only",
            "Export and erasure on request, retention by a daily run, all audited",
        ]),
    })
}

impl ProcessingRecord {
    /// The record as a Markdown document.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let list = |out: &mut String, items: &[String]| {
            for item in items {
                out.push_str(&format!("- {item}\n"));
            }
        };
        out.push_str("# Record of processing activities (GDPR Art. 30)\n\n");
        out.push_str(&format!(
            "As of {}.\n\nController: {}.\n\n",
            self.as_of, self.controller
        ));
        for activity in &self.activities {
            out.push_str(&format!("## {}\n\n", activity.name));
            out.push_str("Purposes:\n\n");
            list(&mut out, &activity.purposes);
            out.push_str(&format!("\nLegal basis: {}\n\n", activity.legal_basis));
            out.push_str("Data subjects:\n\n");
            list(&mut out, &activity.data_subjects);
            out.push_str("\nData categories:\n\n");
            list(&mut out, &activity.data_categories);
            out.push_str("\nRecipients:\n\n");
            list(&mut out, &activity.recipients);
            out.push_str(&format!(
                "\nRetention: {}\n\nTransfers: {}\n\n",
                activity.retention, activity.transfers
            ));
        }
        out.push_str("## Partner clients\n\n");
        if self.partner_clients.is_empty() {
            out.push_str("None.\n\n");
        } else {
            out.push_str("| name | scopes | bound to | active |\n|---|---|---|---|\n");
            for c in &self.partner_clients {
                out.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    c.name.replace('|', "\\|"),
                    c.scopes.join(" "),
                    c.association_id
                        .map_or_else(|| "the programme".to_owned(), |a| a.to_string()),
                    if c.active { "yes" } else { "no" }
                ));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "## Retention\n\n- People of associations rejected or withdrawn: {} months\n- Contact data of associations completed: {} months\n\n",
            self.retention.closed_months, self.retention.contact_months
        ));
        out.push_str("## Security measures\n\n");
        list(&mut out, &self.security_measures);
        out
    }
}
