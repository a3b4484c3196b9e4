//! argon2id hashing and checking, on the password checkers: a small fixed set of threads (one per
//! core, at most 4), each with its own Argon2 memory (19 MiB), allocated once and reused.
//!
//! Why not tokio's blocking pool and the allocator: each hash needs 19 MiB. Freed, such a block
//! stays in the arena of the thread that used it, and glibc raises its mmap threshold to the
//! freed size for the whole process, so later large buffers of any thread stay in arenas too. A
//! pool that grows with each burst of logins thus held about 19 MiB for every thread it ever
//! started, and the process grew to over 700 MB in a 10-minute soak (`benches/soak.rs`). Here
//! the memory is the checkers' and never freed, so it is bounded by their number, and a storm of
//! logins queues for a checker instead of taking every core.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, OnceLock, mpsc};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngCore;

use crate::DomainError;

/// Our parameters: argon2id, m = 19456 KiB, t = 2, p = 1.
fn ours() -> Argon2<'static> {
    // The parameters are constants known to be valid.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

thread_local! {
    /// This checker's Argon2 memory, kept for the next hash.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs Argon2 with this thread's memory (a hash with a larger cost than ours gets memory of its
/// own, for that hash only).
fn with_memory<T>(argon: &Argon2<'_>, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let blocks = argon.params().block_count();
    if blocks > ours().params().block_count() {
        return work(&mut vec![Block::default(); blocks]);
    }
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        work(&mut memory[..blocks])
    })
}

fn compute_hash(password: &str) -> Result<String, DomainError> {
    let failed = |e: &dyn std::fmt::Display| DomainError::Internal(format!("hashing failed: {e}"));
    let mut salt_bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| failed(&e))?;
    let argon = ours();
    let mut out = [0_u8; Params::DEFAULT_OUTPUT_LEN];
    with_memory(&argon, |memory| {
        argon.hash_password_into_with_memory(password.as_bytes(), &salt_bytes, &mut out, memory)
    })
    .map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

fn compute_verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_buffer = [0_u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buffer) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0_u8; expected.len()];
    let computed = with_memory(&argon, |memory| {
        argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, memory)
    });
    // `Output`'s equality takes constant time.
    computed.is_ok() && Output::new(&out).is_ok_and(|out| out == expected)
}

type Job = Box<dyn FnOnce() + Send>;

fn checkers() -> &'static mpsc::Sender<Job> {
    static CHECKERS: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    CHECKERS.get_or_init(|| {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let count = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        for index in 0..count {
            let receiver = Arc::clone(&receiver);
            let started = std::thread::Builder::new()
                .name(format!("password-check-{index}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for the next job.
                        let next = match receiver.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = next else { return };
                        // A panicking job loses its answer (its caller gets an error), not the
                        // thread.
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                    }
                });
            if let Err(e) = started {
                log::error!("could not start a password checker: {e}");
            }
        }
        // With no checker running, the receiver is dropped here and every job is refused with
        // an error instead of waiting forever.
        sender
    })
}

fn submit<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
    answer: impl FnOnce(T) + Send + 'static,
) -> Result<(), DomainError> {
    checkers()
        .send(Box::new(move || answer(work())))
        .map_err(|_| DomainError::Internal("no password checker is running".into()))
}

fn lost() -> DomainError {
    DomainError::Internal("a password job ended without an answer".into())
}

/// Runs `work` on a checker and waits for it, blocking this thread (as the work itself would).
fn on_checkers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, DomainError> {
    let (done, outcome) = mpsc::sync_channel(1);
    submit(work, move |value| {
        let _ = done.send(value);
    })?;
    outcome.recv().map_err(|_| lost())
}

/// Hashes a password into a PHC string (algorithm, parameters and salt included).
pub fn hash(password: &str) -> Result<String, DomainError> {
    let password = password.to_owned();
    on_checkers(move || compute_hash(&password))?
}

/// Whether `password` matches the stored PHC string.
pub fn verify(password: &str, stored: &str) -> bool {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    on_checkers(move || compute_verify(&password, &stored)).unwrap_or(false)
}

/// Whether `password` matches the stored PHC string, awaited: the request's thread serves other
/// requests meanwhile.
pub async fn verify_on_checkers(password: String, stored: String) -> Result<bool, DomainError> {
    let (done, outcome) = tokio::sync::oneshot::channel();
    submit(
        move || compute_verify(&password, &stored),
        move |matches| {
            // The asking request may have gone; nobody then waits for the answer.
            let _ = done.send(matches);
        },
    )?;
    outcome.await.map_err(|_| lost())
}

/// A hash of a password nobody has, verified against when an email is unknown so that the
/// answer takes as long as for a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash(&super::generate()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[test]
    fn hashes_verify_and_use_argon2id_with_the_pinned_parameters() {
        let stored = hash("correct horse battery").expect("hash");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterY", &stored));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn hashes_agree_with_the_argon2_crates_own_hashing_and_checking() {
        // Ours, checked by the crate's verifier.
        let stored = hash("correct horse battery").expect("hash");
        let parsed = PasswordHash::new(&stored).expect("phc");
        assert!(
            ours()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        // The crate's, with other parameters too, checked by ours.
        let salt = SaltString::encode_b64(b"sixteen byte slt").expect("salt");
        for argon in [
            ours(),
            Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(8, 1, 1, None).expect("params"),
            ),
        ] {
            let theirs = argon
                .hash_password(b"staple", &salt)
                .expect("hash")
                .to_string();
            assert!(verify("staple", &theirs), "{theirs}");
            assert!(!verify("stapler", &theirs), "{theirs}");
        }
    }

    #[tokio::test]
    async fn checks_on_the_checkers_answer_like_verify_and_many_at_once() {
        let stored = hash("correct horse battery").expect("hash");
        let mut checks = Vec::new();
        for i in 0..12 {
            let given = if i % 3 == 0 {
                "correct horse battery"
            } else {
                "wrong"
            };
            checks.push(tokio::spawn(verify_on_checkers(
                given.to_owned(),
                stored.clone(),
            )));
        }
        let mut right = 0;
        for check in checks {
            if check.await.expect("join").expect("checked") {
                right += 1;
            }
        }
        assert_eq!(right, 4);
        assert!(
            !verify_on_checkers("x".into(), "not a phc string".into())
                .await
                .expect("checked")
        );
    }
}
