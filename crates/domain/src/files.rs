//! Uploaded files (restitution evidence), kept outside the database under their content hash.
//!
//! A file is first staged: written to a temporary name in the store's directory and flushed,
//! before any write transaction begins (so no other writer waits on the disk). Inside the write
//! transaction that records its row it is placed: renamed to its hash, and the directory
//! flushed. So a crash never leaves a half file under a real name, and the row commits only
//! once its file is in place. Files are placed and removed only inside write transactions:
//! writers are serialised (across server processes on PostgreSQL), so while one holds the lock
//! no other is between placing a file and committing the row that names it. A crash between the
//! two leaves a file no row names, which [`FileStore::sweep`] removes at start, with temporary
//! files older than an hour.
//!
//! A store belongs to one database: [`FileStore::bind`] writes the installation's id into the
//! directory at first start and refuses a directory another database's files are in, so a
//! server pointed at the wrong database never sweeps away the right one's files.

use std::collections::HashSet;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::DomainError;
use crate::db::Tx;
use crate::restitution::entity::evidence;

/// The largest file accepted: 10 MiB.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

const TEMP_SUFFIX: &str = ".part";

/// The file naming the installation a store belongs to.
const MARKER: &str = ".installation";

/// How old a temporary file must be before a sweep removes it: an upload stages its file before
/// its transaction begins, so a younger one may be about to be placed.
pub const PARTIAL_GRACE: Duration = Duration::from_secs(60 * 60);

/// A file written to a temporary name and flushed, not yet placed under its hash; dropped
/// unplaced, its temporary file is removed.
#[derive(Debug)]
pub struct Staged {
    hash: String,
    size: usize,
    temp: PathBuf,
    placed: bool,
}

impl Staged {
    /// Its content hash: the name it is placed under.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Its size in bytes.
    pub fn size(&self) -> usize {
        self.size
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.placed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// A type of file the API accepts, recognised from its first bytes (never from its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// `%PDF-`.
    Pdf,
    /// `FF D8 FF`.
    Jpeg,
    /// The PNG signature.
    Png,
}

impl FileType {
    /// Every accepted type.
    pub const ALL: [Self; 3] = [Self::Pdf, Self::Jpeg, Self::Png];

    /// Recognises a file from its content.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(Self::Png)
        } else {
            None
        }
    }

    /// Its media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// The type of a stored media type.
    pub fn of_media_type(media_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.media_type() == media_type)
    }

    /// Its usual extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }
}

/// What a sweep removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    /// Temporary files left by an interrupted write.
    pub partial: usize,
    /// Complete files no live row names.
    pub orphans: usize,
}

/// The directory files live in (`EMPOWER_FILES_DIR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStore {
    dir: PathBuf,
}

/// Whether `name` is a SHA-256 in lower-case hex: the only names the store reads or removes.
fn is_hash(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn io_error(what: &str, path: &Path, err: &std::io::Error) -> DomainError {
    DomainError::Internal(format!("files: {what} {}: {err}", path.display()))
}

impl FileStore {
    /// A store in `dir` (created when first written to).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The content hash of `bytes`: the name it is stored under.
    pub fn hash(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn path_of(&self, hash: &str) -> Option<PathBuf> {
        is_hash(hash).then(|| self.dir.join(hash))
    }

    /// Writes `bytes` to a temporary name in the store and flushes them, outside any
    /// transaction.
    pub async fn stage(&self, bytes: &[u8]) -> Result<Staged, DomainError> {
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| io_error("cannot create", &self.dir, &e))?;
        let staged = Staged {
            hash: Self::hash(bytes),
            size: bytes.len(),
            temp: self
                .dir
                .join(format!("{}{TEMP_SUFFIX}", Uuid::now_v7().simple())),
            placed: false,
        };
        let written = async {
            use tokio::io::AsyncWriteExt;
            let mut file = tokio::fs::File::create(&staged.temp).await?;
            file.write_all(bytes).await?;
            file.sync_all().await
        }
        .await;
        written.map_err(|e| io_error("cannot write", &staged.temp, &e))?;
        Ok(staged)
    }

    /// Places a staged file under its hash, in the write transaction that will commit the row
    /// naming it, and flushes the directory so the name survives a power cut.
    pub async fn place(&self, _tx: &Tx, staged: &mut Staged) -> Result<(), DomainError> {
        let target = self.dir.join(&staged.hash);
        tokio::fs::rename(&staged.temp, &target)
            .await
            .map_err(|e| io_error("cannot place", &target, &e))?;
        staged.placed = true;
        self.flush_dir().await
    }

    async fn flush_dir(&self) -> Result<(), DomainError> {
        let dir = tokio::fs::File::open(&self.dir)
            .await
            .map_err(|e| io_error("cannot open", &self.dir, &e))?;
        dir.sync_all()
            .await
            .map_err(|e| io_error("cannot flush", &self.dir, &e))
    }

    /// Ties the store to the database's installation: writes its id into the directory at
    /// first start, and refuses a directory that holds another installation's files.
    pub async fn bind(&self, installation: Uuid) -> Result<(), DomainError> {
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| io_error("cannot create", &self.dir, &e))?;
        let marker = self.dir.join(MARKER);
        match tokio::fs::read_to_string(&marker).await {
            Ok(found) if found.trim() == installation.to_string() => Ok(()),
            Ok(found) => Err(DomainError::Internal(format!(
                "files: {} holds the files of installation {} but the database is installation {installation}: \
                 point EMPOWER_FILES_DIR and EMPOWER_DATABASE_URL at the same installation",
                self.dir.display(),
                found.trim()
            ))),
            Err(err) if err.kind() == ErrorKind::NotFound => {
                tokio::fs::write(&marker, format!("{installation}\n"))
                    .await
                    .map_err(|e| io_error("cannot write", &marker, &e))
            }
            Err(err) => Err(io_error("cannot read", &marker, &err)),
        }
    }

    /// Reads a stored file; `None` when it is not there.
    pub async fn get(&self, hash: &str) -> Result<Option<Vec<u8>>, DomainError> {
        let Some(path) = self.path_of(hash) else {
            return Ok(None);
        };
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
            Err(err) => Err(io_error("cannot read", &path, &err)),
        }
    }

    /// Whether a live evidence row names the file `hash`.
    async fn named(tx: &Tx, hash: &str) -> Result<bool, DomainError> {
        Ok(evidence::Entity::find()
            .filter(evidence::Column::FileSha256.eq(hash))
            .filter(evidence::Column::DeletedAt.is_null())
            .one(tx)
            .await?
            .is_some())
    }

    /// Removes the file `hash` when no live row names it any more (after a deletion). Called in
    /// a write transaction of its own, after the deletion committed: no upload of the same
    /// content can be between writing the file and committing its row meanwhile.
    pub async fn release(&self, tx: &Tx, hash: &str) -> Result<bool, DomainError> {
        let Some(path) = self.path_of(hash) else {
            return Ok(false);
        };
        if Self::named(tx, hash).await? {
            return Ok(false);
        }
        match tokio::fs::remove_file(&path).await {
            Ok(()) => self.flush_dir().await.map(|()| true),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(false),
            Err(err) => Err(io_error("cannot remove", &path, &err)),
        }
    }

    /// Removes files no live evidence row names (a crash between placing a file and committing
    /// its row, a deletion whose release did not run) and temporary files older than
    /// [`PARTIAL_GRACE`] (an interrupted upload). Other files in the directory are left alone.
    pub async fn sweep(&self, tx: &Tx) -> Result<Swept, DomainError> {
        let mut entries = match tokio::fs::read_dir(&self.dir).await {
            Ok(entries) => entries,
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(Swept::default()),
            Err(err) => return Err(io_error("cannot list", &self.dir, &err)),
        };
        let named: HashSet<String> = evidence::Entity::find()
            .select_only()
            .column(evidence::Column::FileSha256)
            .filter(evidence::Column::FileSha256.is_not_null())
            .filter(evidence::Column::DeletedAt.is_null())
            .into_tuple::<Option<String>>()
            .all(tx)
            .await?
            .into_iter()
            .flatten()
            .collect();
        let mut swept = Swept::default();
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| io_error("cannot list", &self.dir, &e))?
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let age = entry
                .metadata()
                .await
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|modified| SystemTime::now().duration_since(modified).ok())
                .unwrap_or_default();
            let partial = name
                .strip_suffix(TEMP_SUFFIX)
                .is_some_and(|stem| stem.len() == 32)
                && age >= PARTIAL_GRACE;
            let orphan = is_hash(&name) && !named.contains(&name);
            if !(partial || orphan) {
                continue;
            }
            match tokio::fs::remove_file(entry.path()).await {
                Ok(()) if partial => swept.partial += 1,
                Ok(()) => swept.orphans += 1,
                Err(err) if err.kind() == ErrorKind::NotFound => {}
                Err(err) => return Err(io_error("cannot remove", &entry.path(), &err)),
            }
        }
        if swept.orphans > 0 {
            self.flush_dir().await?;
        }
        Ok(swept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_recognised_by_content_not_by_name() {
        assert_eq!(FileType::sniff(b"%PDF-1.7\n..."), Some(FileType::Pdf));
        assert_eq!(
            FileType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(FileType::Jpeg)
        );
        assert_eq!(
            FileType::sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some(FileType::Png)
        );
        assert_eq!(FileType::sniff(b"GIF89a"), None);
        assert_eq!(FileType::sniff(b"<html>%PDF-"), None);
        assert_eq!(FileType::sniff(b""), None);
    }

    #[test]
    fn only_hashes_name_files() {
        let hash = FileStore::hash(b"x");
        assert!(is_hash(&hash));
        assert!(!is_hash("../etc/passwd"));
        assert!(!is_hash(&hash.to_uppercase()));
        let store = FileStore::new("/tmp/empower-files");
        assert!(store.path_of("..").is_none());
        assert_eq!(
            store.path_of(&hash),
            Some(PathBuf::from("/tmp/empower-files").join(&hash))
        );
    }
}
