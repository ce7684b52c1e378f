//! Session state: a checkpoint after every step, and a lock so one session runs once at a time.
//!
//! The default store keeps both under `<root>/.agentgate/sessions/<session>/`: the lock is an
//! OS file lock (`flock`), which the kernel releases when the process holding it dies, so a
//! killed run never leaves a stale lock behind. With the `redis` feature, [`super::redis`]
//! keeps them in Redis for runs spread over machines.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::RunnerError;
use crate::changeset::CheckStatus;

/// Where a run of a session stands; saved after every step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub session: String,
    /// The plan as given (so `--resume` works without `--plan`), its name and digest.
    pub plan_name: String,
    pub plan_text: String,
    pub plan_digest: String,
    /// The policy that approved the run.
    pub policy_digest: String,
    pub steps: usize,
    /// Steps that finished, in order.
    pub done: Vec<StepDone>,
    /// The next step to run.
    pub next_step: usize,
    /// `running`, `completed`, `failed`, `refused`.
    pub state: String,
    /// Sequence number of the audit record that started the run.
    pub started_seq: u64,
    pub updated: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDone {
    pub step: usize,
    pub command: String,
    pub status: CheckStatus,
    pub exit_code: Option<i32>,
    pub duration_ms: u64,
}

/// Held while a session runs; dropping it releases the lock.
pub trait SessionLock {}

/// Where checkpoints and locks live.
pub trait SessionStore {
    /// `files under …` or `redis at …`, for messages.
    fn describe(&self) -> String;
    /// Take the session's lock, or fail with [`RunnerError::Locked`] when another run holds it.
    fn lock(&self, session: &str) -> Result<Box<dyn SessionLock>, RunnerError>;
    fn load(&self, session: &str) -> Result<Option<Checkpoint>, RunnerError>;
    fn save(&self, checkpoint: &Checkpoint) -> Result<(), RunnerError>;
}

/// Checkpoints and locks as files under a folder (`<root>/.agentgate/sessions`).
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    pub fn new(dir: PathBuf) -> FileStore {
        FileStore { dir }
    }

    pub fn for_root(root: &Path) -> FileStore {
        FileStore::new(root.join(".agentgate").join("sessions"))
    }

    fn session_dir(&self, session: &str) -> Result<PathBuf, RunnerError> {
        let dir = self.dir.join(session);
        std::fs::create_dir_all(&dir).map_err(|e| RunnerError::io(&dir, e))?;
        Ok(dir)
    }
}

struct FileLock {
    _file: File,
}

impl SessionLock for FileLock {}

impl SessionStore for FileStore {
    fn describe(&self) -> String {
        format!("files under {}", self.dir.display())
    }

    fn lock(&self, session: &str) -> Result<Box<dyn SessionLock>, RunnerError> {
        let path = self.session_dir(session)?.join("lock");
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| RunnerError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                return Err(RunnerError::Locked {
                    session: session.to_string(),
                    holder: holder.trim().to_string(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(RunnerError::io(&path, e)),
        }
        // Who holds it, for the message another run prints.
        let _ = file.set_len(0);
        let _ = writeln!(file, "pid {}", std::process::id());
        Ok(Box::new(FileLock { _file: file }))
    }

    fn load(&self, session: &str) -> Result<Option<Checkpoint>, RunnerError> {
        super::read_json(&self.dir.join(session).join("checkpoint.json"))
    }

    fn save(&self, checkpoint: &Checkpoint) -> Result<(), RunnerError> {
        let path = self.dir.join(&checkpoint.session).join("checkpoint.json");
        super::write_atomic(
            &path,
            &serde_json::to_string_pretty(checkpoint).unwrap_or_default(),
        )
    }
}
