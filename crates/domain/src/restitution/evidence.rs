//! Evidence of a restitution: an `https` link, or a file (PDF, JPEG or PNG, recognised by its
//! content) kept in the [`FileStore`] under its hash. Added and removed while the restitution
//! is editable; at most [`MAX_EVIDENCE`] live items each.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::check_editable;
use super::entity::{EvidenceKind, evidence, restitution};
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::files::{FileStore, FileType, Staged};
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::policy::CallerScope;
use crate::resource::{self, Precondition};
use crate::{DomainError, FieldError, text};

/// The evidence table, written through the write layer.
pub use super::entity::evidence::Entity;

/// Most live evidence items of one restitution.
pub const MAX_EVIDENCE: u64 = 20;

impl EvidenceKind {
    /// Whether it shows or names people (a photo, an attendance sheet): personal data, withheld
    /// from callers who may not see people's data.
    pub fn personal(self) -> bool {
        matches!(self, Self::Photo | Self::AttendanceSheet)
    }
}

/// An uploaded file, its type already recognised from its content, staged in the store.
#[derive(Debug)]
pub struct Upload {
    /// The file, written to a temporary name (at most [`crate::files::MAX_FILE_BYTES`]).
    pub staged: Staged,
    /// What they are.
    pub file_type: FileType,
    /// The name it was sent under, if any.
    pub file_name: Option<String>,
}

/// Where the evidence is.
#[derive(Debug)]
pub enum Source {
    /// An `https` address.
    Link(String),
    /// A file to store.
    File(Upload),
}

/// A new evidence item.
#[derive(Debug)]
pub struct EvidenceInput {
    /// What it shows.
    pub kind: EvidenceKind,
    /// What it is: 1-500 characters.
    pub description: String,
    /// Where it is.
    pub source: Source,
}

/// A name safe to give back in `Content-Disposition`: the last path segment, only letters,
/// digits, `.`, `-` and `_` (others become `_`), at most 100 characters, ending in the type's
/// extension.
pub fn safe_file_name(sent: Option<&str>, file_type: FileType) -> String {
    let base = sent
        .and_then(|name| name.rsplit(['/', '\\']).next())
        .unwrap_or_default();
    let mut name: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(90)
        .collect();
    name = name.trim_matches(['.', '_']).to_owned();
    if name.is_empty() {
        name = "evidence".into();
    }
    let extension = file_type.extension();
    let has_extension = name.rsplit_once('.').is_some_and(|(_, ext)| {
        ext.eq_ignore_ascii_case(extension)
            || (file_type == FileType::Jpeg && ext.eq_ignore_ascii_case("jpeg"))
    });
    if !has_extension {
        name = format!("{name}.{extension}");
    }
    name
}

fn check(input: &EvidenceInput) -> Result<String, DomainError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let description = text::collect(
        &mut errors,
        text::line(&input.description, "/description", 1, 500),
    );
    if let Source::Link(url) = &input.source {
        text::collect(&mut errors, text::https(url, "/url"));
    }
    match description {
        Some(description) if errors.is_empty() => Ok(description),
        _ => Err(DomainError::Invalid(errors)),
    }
}

/// Live evidence items of a restitution.
pub async fn count(db: &impl ConnectionTrait, restitution_id: Uuid) -> Result<u64, DomainError> {
    Ok(evidence::Entity::find()
        .filter(evidence::Column::RestitutionId.eq(restitution_id))
        .filter(evidence::Column::DeletedAt.is_null())
        .count(db)
        .await?)
}

/// The evidence of a restitution the caller may see, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    restitution_id: Uuid,
    page: &PageRequest,
    scope: &CallerScope,
) -> Result<Page<evidence::Model>, DomainError> {
    resource::find_live::<restitution::Entity>(db, restitution_id, scope).await?;
    let select = evidence::Entity::find()
        .filter(evidence::Column::RestitutionId.eq(restitution_id))
        .filter(evidence::Column::DeletedAt.is_null());
    paging::by_unique_key(db, select, evidence::Column::Id, Order::Asc, page, |e| {
        KeyValue::Uuid(e.id)
    })
    .await
}

/// One live evidence item of a restitution the caller may see.
pub async fn get(
    db: &impl ConnectionTrait,
    restitution_id: Uuid,
    id: Uuid,
    scope: &CallerScope,
) -> Result<evidence::Model, DomainError> {
    // The restitution's owner was checked: its items are the caller's to see.
    resource::find_live::<restitution::Entity>(db, restitution_id, scope).await?;
    evidence::Entity::find_by_id(id)
        .filter(evidence::Column::RestitutionId.eq(restitution_id))
        .filter(evidence::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("evidence item"))
}

/// Adds evidence to an editable restitution. A staged file is placed under its hash first, in
/// this transaction, so the row that names it commits only once it is in place.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    files: &FileStore,
    restitution_id: Uuid,
    input: EvidenceInput,
    scope: &CallerScope,
) -> Result<evidence::Model, DomainError> {
    let restitution = resource::lock_live::<restitution::Entity>(tx, restitution_id, scope).await?;
    check_editable(restitution.status, "evidence can be added")?;
    let description = check(&input)?;
    if count(tx, restitution_id).await? >= MAX_EVIDENCE {
        return Err(DomainError::Refused(Refusal::conflict(
            "evidence_limit_reached",
            "Evidence limit reached",
            format!("a restitution has at most {MAX_EVIDENCE} evidence items; delete one first"),
        )));
    }
    let mut row = evidence::ActiveModel {
        restitution_id: Set(restitution_id),
        association_id: Set(restitution.association_id),
        kind: Set(input.kind),
        description: Set(description),
        url: Set(None),
        file_sha256: Set(None),
        file_media_type: Set(None),
        file_size: Set(None),
        file_name: Set(None),
        ..Default::default()
    };
    match input.source {
        Source::Link(url) => row.url = Set(Some(url)),
        Source::File(mut upload) => {
            files.place(tx, &mut upload.staged).await?;
            row.file_sha256 = Set(Some(upload.staged.hash().to_owned()));
            row.file_media_type = Set(Some(upload.file_type.media_type().to_owned()));
            row.file_size = Set(Some(
                i64::try_from(upload.staged.size()).unwrap_or(i64::MAX),
            ));
            row.file_name = Set(Some(safe_file_name(
                upload.file_name.as_deref(),
                upload.file_type,
            )));
        }
    }
    resource::insert::<evidence::Entity>(tx, context, row).await
}

/// Removes an evidence item of an editable restitution; returns the file it named, to release
/// once committed.
pub async fn delete(
    tx: &Tx,
    context: &AuditContext,
    restitution_id: Uuid,
    id: Uuid,
    expected: &Precondition,
    scope: &CallerScope,
) -> Result<Option<String>, DomainError> {
    let restitution = resource::lock_live::<restitution::Entity>(tx, restitution_id, scope).await?;
    let item = resource::lock_live_where::<evidence::Entity>(
        tx,
        sea_orm::Condition::all()
            .add(evidence::Column::Id.eq(id))
            .add(evidence::Column::RestitutionId.eq(restitution_id)),
    )
    .await?
    .pop()
    .ok_or(DomainError::NotFound("evidence item"))?;
    expected.check(item.version)?;
    check_editable(restitution.status, "evidence can be removed")?;
    let file = item.file_sha256.clone();
    resource::soft_delete::<evidence::Entity>(tx, context, item, expected).await?;
    Ok(file)
}

/// Removes every evidence item of a restitution being deleted; returns the files they named.
pub(crate) async fn delete_all(
    tx: &Tx,
    context: &AuditContext,
    restitution_id: Uuid,
) -> Result<Vec<String>, DomainError> {
    let items = resource::lock_live_where::<evidence::Entity>(
        tx,
        sea_orm::Condition::all().add(evidence::Column::RestitutionId.eq(restitution_id)),
    )
    .await?;
    let mut files = Vec::new();
    for item in items {
        files.extend(item.file_sha256.clone());
        resource::soft_delete::<evidence::Entity>(tx, context, item, &Precondition::None).await?;
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe_and_keep_the_type() {
        assert_eq!(
            safe_file_name(Some("C:\\Users\\awa\\rapport final.pdf"), FileType::Pdf),
            "rapport_final.pdf"
        );
        assert_eq!(
            safe_file_name(Some("../../etc/passwd"), FileType::Png),
            "passwd.png"
        );
        assert_eq!(
            safe_file_name(Some("photo.JPEG"), FileType::Jpeg),
            "photo.JPEG"
        );
        assert_eq!(safe_file_name(None, FileType::Jpeg), "evidence.jpg");
        assert_eq!(
            safe_file_name(Some("\"; filename=x.exe"), FileType::Pdf),
            "filename_x.exe.pdf"
        );
        assert!(safe_file_name(Some(&"a".repeat(300)), FileType::Pdf).len() <= 100);
    }

    #[test]
    fn photos_and_attendance_sheets_are_personal() {
        assert!(EvidenceKind::Photo.personal());
        assert!(EvidenceKind::AttendanceSheet.personal());
        assert!(!EvidenceKind::Report.personal() && !EvidenceKind::Other.personal());
    }
}
