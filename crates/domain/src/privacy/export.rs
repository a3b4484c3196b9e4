//! Access and portability (GDPR Art. 15, 20): everything the API holds about one person, as one
//! document, deleted records included (they are still held), and no record of anyone else:
//! other facilitators of her restitutions and other people named in her stories are left out
//! (free text, the notes and the stories, is shown as written).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::entity::{Extent, erasure};
use crate::DomainError;
use crate::audit::{self, ActorType};
use crate::changes::ResourceType;
use crate::person::{self, ConsentPurpose, Gender, consent};
use crate::policy::CallerScope;
use crate::resource::{self, json_list};
use crate::restitution::{EvidenceKind, RestitutionStatus};
use crate::training::entity::{assessment, attendance, enrollment, module, session};
use crate::training::{AssessmentKind, AttendanceStatus, EnrollmentStatus};

/// Everything about one person.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "generated_at": "2026-11-29T10:00:00Z",
    "profile": {"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01", "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
        "first_name": "Awa", "last_name": "Diallo (demo)", "gender": "female", "email": "awa@demo.example",
        "phone": "+32 470 12 34 56", "role_in_association": "president", "is_representative": true,
        "languages": ["fr", "wo"], "created_at": "2026-11-27T10:00:00Z", "updated_at": "2026-11-27T10:00:00Z",
        "deleted_at": null, "erased_at": null},
    "consents": [{"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d10", "purpose": "publication", "granted": true,
        "text_version": "2026-10", "recorded_by_type": "user", "recorded_at": "2026-11-27T10:00:00Z"}],
    "enrollments": [{"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d20", "module_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d30",
        "module_code": "M1", "status": "enrolled", "completed_on": "2026-03-05",
        "created_at": "2026-02-01T10:00:00Z", "deleted_at": null}],
    "attendance": [{"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d40", "session_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d50",
        "date": "2026-03-02", "enrollment_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d20", "status": "present",
        "arrived_late": false, "deleted_at": null}],
    "assessments": [{"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d60", "enrollment_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d20",
        "kind": "pre", "score": 40, "taken_on": "2026-03-02", "deleted_at": null}],
    "certificates": [{"enrollment_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d20", "module_code": "M1",
        "verification_code": "K7PQ-3MZX-9TRA", "completed_on": "2026-03-05"}],
    "restitutions_facilitated": [{"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d70", "status": "reported",
        "planned_on": "2026-04-10", "held_on": "2026-04-10", "notes": "Thirty members came.",
        "evidence": [{"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d80", "kind": "photo", "description": "The session",
            "url": null, "file": "files/0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d80.jpg", "file_name": "session.jpg",
            "deleted_at": null}],
        "deleted_at": null}],
    "stories": [{"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d90", "deliverable_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7da0",
        "title": {"fr": "Une coopérative à Kaya"}, "body": {"fr": "Awa a formé trente femmes."},
        "quote": null, "image_url": null, "deleted_at": null}],
    "erasures": [],
    "audit": [{"occurred_at": "2026-11-27T10:00:00Z", "action": "person.created", "actor_type": "user",
        "actor_id": "0190f5a4-7c1e-7d2a-9b1e-000000000001"}]
}))]
pub struct PersonalData {
    /// When the document was made.
    pub generated_at: DateTime<Utc>,
    /// Her profile as stored.
    pub profile: ExportedProfile,
    /// Every consent record, oldest first.
    pub consents: Vec<ExportedConsent>,
    /// Her enrolments in the training modules.
    pub enrollments: Vec<ExportedEnrollment>,
    /// Her lines on the attendance sheets.
    pub attendance: Vec<ExportedAttendance>,
    /// Her assessment scores.
    pub assessments: Vec<ExportedAssessment>,
    /// Her certificates (completed enrolments), with their verification codes.
    pub certificates: Vec<ExportedCertificate>,
    /// Restitutions she facilitated, with their evidence.
    pub restitutions_facilitated: Vec<ExportedRestitution>,
    /// Success stories that name her.
    pub stories: Vec<ExportedStory>,
    /// Erasures of her data.
    pub erasures: Vec<ExportedErasure>,
    /// Audit entries of which she is the target (who did what to her record, and when).
    pub audit: Vec<ExportedAuditEntry>,
}

/// Her profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedProfile {
    /// Her id.
    pub id: Uuid,
    /// Her association.
    pub association_id: Uuid,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Gender.
    pub gender: Gender,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Role in her association.
    pub role_in_association: Option<String>,
    /// Represents the association.
    pub is_representative: bool,
    /// Languages.
    pub languages: Vec<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Deleted, when deleted.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Erased, when erased.
    pub erased_at: Option<DateTime<Utc>>,
}

/// A consent record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedConsent {
    /// Its id.
    pub id: Uuid,
    /// What for.
    pub purpose: ConsentPurpose,
    /// Given or withdrawn.
    pub granted: bool,
    /// The consent text's version.
    pub text_version: String,
    /// Recorded by a user or a client.
    pub recorded_by_type: ActorType,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

/// An enrolment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedEnrollment {
    /// Its id.
    pub id: Uuid,
    /// The module.
    pub module_id: Uuid,
    /// The module's code.
    pub module_code: String,
    /// Where it stands.
    pub status: EnrollmentStatus,
    /// The day the module was completed.
    pub completed_on: Option<NaiveDate>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Deleted, when deleted.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// An attendance line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedAttendance {
    /// Its id.
    pub id: Uuid,
    /// The session.
    pub session_id: Uuid,
    /// The session's day.
    pub date: Option<NaiveDate>,
    /// The enrolment.
    pub enrollment_id: Uuid,
    /// Present, absent or excused.
    pub status: AttendanceStatus,
    /// Came late.
    pub arrived_late: bool,
    /// Deleted, when deleted.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// An assessment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedAssessment {
    /// Its id.
    pub id: Uuid,
    /// The enrolment.
    pub enrollment_id: Uuid,
    /// Before or after.
    pub kind: AssessmentKind,
    /// 0-100.
    pub score: i32,
    /// When taken.
    pub taken_on: NaiveDate,
    /// Deleted, when deleted.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A certificate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedCertificate {
    /// The enrolment.
    pub enrollment_id: Uuid,
    /// The module's code.
    pub module_code: String,
    /// The code that verifies it at `/api/v1/public/certificates/{code}`.
    pub verification_code: String,
    /// The day the module was completed.
    pub completed_on: NaiveDate,
}

/// A restitution she facilitated.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedRestitution {
    /// Its id.
    pub id: Uuid,
    /// Where it stands.
    pub status: RestitutionStatus,
    /// Planned for.
    pub planned_on: NaiveDate,
    /// Held on.
    pub held_on: Option<NaiveDate>,
    /// Free notes.
    pub notes: Option<String>,
    /// Its photos and attendance sheets (the evidence that shows or names people).
    pub evidence: Vec<ExportedEvidence>,
    /// Deleted, when deleted.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// An evidence item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedEvidence {
    /// Its id.
    pub id: Uuid,
    /// Photo or attendance sheet.
    pub kind: EvidenceKind,
    /// What it shows.
    pub description: String,
    /// A link.
    pub url: Option<String>,
    /// The file's name in the zip export (`files/<id>.<ext>`), when it is a stored file.
    pub file: Option<String>,
    /// The file's name as uploaded.
    pub file_name: Option<String>,
    /// Deleted, when deleted.
    pub deleted_at: Option<DateTime<Utc>>,
    /// The stored file's hash (to read it), not shown.
    #[serde(skip)]
    pub sha256: Option<String>,
}

/// A story that names her.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedStory {
    /// Its id.
    pub id: Uuid,
    /// The brief.
    pub deliverable_id: Uuid,
    /// Localized title.
    #[schema(value_type = Object)]
    pub title: serde_json::Value,
    /// Localized text.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    /// A quote.
    pub quote: Option<String>,
    /// A picture.
    pub image_url: Option<String>,
    /// Deleted, when deleted.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// An erasure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedErasure {
    /// Its id.
    pub id: Uuid,
    /// How much.
    pub extent: Extent,
    /// Why.
    pub reason: String,
    /// When.
    pub erased_at: DateTime<Utc>,
}

/// An audit entry about her.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedAuditEntry {
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// What (`person.updated`, `person.contact_read`...).
    pub action: String,
    /// A user, a client, anonymous or the server.
    pub actor_type: ActorType,
    /// Who.
    pub actor_id: Option<Uuid>,
}

/// Everything about `person_id` (deleted or erased included) that `scope` may see.
pub async fn export(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    scope: &CallerScope,
) -> Result<PersonalData, DomainError> {
    let row = person::Entity::find_by_id(person_id)
        .one(db)
        .await?
        .filter(|row| scope.sees(resource::Record::owner(row)))
        .ok_or(DomainError::NotFound("person"))?;
    let languages = json_list(&row.languages, "people", "languages", row.id)?;
    let consents = consent::Entity::find()
        .filter(consent::Column::PersonId.eq(person_id))
        .order_by_asc(consent::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| ExportedConsent {
            id: c.id,
            purpose: c.purpose,
            granted: c.granted,
            text_version: c.text_version,
            recorded_by_type: c.recorded_by_type,
            recorded_at: c.recorded_at,
        })
        .collect();
    let enrollment_rows = enrollment::Entity::find()
        .filter(enrollment::Column::PersonId.eq(person_id))
        .order_by_asc(enrollment::Column::Id)
        .all(db)
        .await?;
    let module_ids: Vec<Uuid> = enrollment_rows.iter().map(|e| e.module_id).collect();
    let modules = module::Entity::find()
        .filter(module::Column::Id.is_in(module_ids))
        .all(db)
        .await?;
    let code_of = |id: Uuid| {
        modules
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.code.clone())
            .unwrap_or_default()
    };
    let enrollment_ids: Vec<Uuid> = enrollment_rows.iter().map(|e| e.id).collect();
    let attendance_rows = attendance::Entity::find()
        .filter(attendance::Column::PersonId.eq(person_id))
        .order_by_asc(attendance::Column::Id)
        .all(db)
        .await?;
    let session_ids: Vec<Uuid> = attendance_rows.iter().map(|a| a.session_id).collect();
    let sessions = session::Entity::find()
        .filter(session::Column::Id.is_in(session_ids))
        .all(db)
        .await?;
    let assessments = assessment::Entity::find()
        .filter(assessment::Column::EnrollmentId.is_in(enrollment_ids))
        .order_by_asc(assessment::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| ExportedAssessment {
            id: a.id,
            enrollment_id: a.enrollment_id,
            kind: a.kind,
            score: a.score,
            taken_on: a.taken_on,
            deleted_at: a.deleted_at,
        })
        .collect();
    let certificates = if row.erased_at.is_some() {
        vec![]
    } else {
        enrollment_rows
            .iter()
            .filter(|e| e.deleted_at.is_none())
            .filter_map(|e| {
                e.completed_on.map(|completed_on| ExportedCertificate {
                    enrollment_id: e.id,
                    module_code: code_of(e.module_id),
                    verification_code: e.certificate_code.clone(),
                    completed_on,
                })
            })
            .collect()
    };
    let enrollments = enrollment_rows
        .iter()
        .map(|e| ExportedEnrollment {
            id: e.id,
            module_id: e.module_id,
            module_code: code_of(e.module_id),
            status: e.status,
            completed_on: e.completed_on,
            created_at: e.created_at,
            deleted_at: e.deleted_at,
        })
        .collect();
    let attendance = attendance_rows
        .into_iter()
        .map(|a| ExportedAttendance {
            id: a.id,
            session_id: a.session_id,
            date: sessions
                .iter()
                .find(|s| s.id == a.session_id)
                .map(|s| s.date),
            enrollment_id: a.enrollment_id,
            status: a.status,
            arrived_late: a.arrived_late,
            deleted_at: a.deleted_at,
        })
        .collect();
    Ok(PersonalData {
        generated_at: Utc::now(),
        consents,
        enrollments,
        attendance,
        assessments,
        certificates,
        restitutions_facilitated: restitutions(db, &row).await?,
        stories: stories(db, &row).await?,
        erasures: erasure::Entity::find()
            .filter(erasure::Column::PersonId.eq(person_id))
            .order_by_asc(erasure::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|e| ExportedErasure {
                id: e.id,
                extent: e.extent,
                reason: e.reason,
                erased_at: e.erased_at,
            })
            .collect(),
        audit: audit::Entity::find()
            .filter(audit::Column::TargetType.eq(ResourceType::Person.as_str()))
            .filter(audit::Column::TargetId.eq(person_id.to_string()))
            .order_by_asc(audit::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|a| ExportedAuditEntry {
                occurred_at: a.occurred_at,
                action: a.action,
                actor_type: a.actor_type,
                actor_id: a.actor_id,
            })
            .collect(),
        profile: ExportedProfile {
            id: row.id,
            association_id: row.association_id,
            first_name: row.first_name,
            last_name: row.last_name,
            gender: row.gender,
            email: row.email,
            phone: row.phone,
            role_in_association: row.role_in_association,
            is_representative: row.is_representative,
            languages,
            created_at: row.created_at,
            updated_at: row.updated_at,
            deleted_at: row.deleted_at,
            erased_at: row.erased_at,
        },
    })
}

async fn restitutions(
    db: &impl ConnectionTrait,
    person: &person::Row,
) -> Result<Vec<ExportedRestitution>, DomainError> {
    let restitutions = super::facilitated_by(db, person).await?;
    let evidence = super::personal_evidence(db, &restitutions).await?;
    let mut out = Vec::new();
    for row in restitutions {
        let evidence = evidence
            .iter()
            .filter(|e| e.restitution_id == row.id)
            .cloned()
            .map(|e| ExportedEvidence {
                id: e.id,
                kind: e.kind,
                description: e.description,
                url: e.url,
                file: e.file_sha256.as_ref().map(|_| {
                    let extension = e
                        .file_media_type
                        .as_deref()
                        .and_then(crate::files::FileType::of_media_type)
                        .map_or("bin", crate::files::FileType::extension);
                    format!("files/{}.{extension}", e.id)
                }),
                file_name: e.file_name,
                deleted_at: e.deleted_at,
                sha256: e.file_sha256,
            })
            .collect();
        out.push(ExportedRestitution {
            id: row.id,
            status: row.status,
            planned_on: row.planned_on,
            held_on: row.held_on,
            notes: row.notes,
            evidence,
            deleted_at: row.deleted_at,
        });
    }
    Ok(out)
}

async fn stories(
    db: &impl ConnectionTrait,
    person: &person::Row,
) -> Result<Vec<ExportedStory>, DomainError> {
    let mut out = Vec::new();
    for (row, _) in super::naming(db, person).await? {
        let parse = |text: &str| {
            serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.into()))
        };
        out.push(ExportedStory {
            id: row.id,
            deliverable_id: row.deliverable_id,
            title: parse(&row.title),
            body: parse(&row.body),
            quote: row.quote,
            image_url: row.image_url,
            deleted_at: row.deleted_at,
        });
    }
    Ok(out)
}

impl PersonalData {
    /// The stored files the document names, as `(name in the zip, hash)`.
    pub fn files(&self) -> Vec<(String, String)> {
        self.restitutions_facilitated
            .iter()
            .flat_map(|r| &r.evidence)
            .filter_map(|e| Some((e.file.clone()?, e.sha256.clone()?)))
            .collect()
    }
}
