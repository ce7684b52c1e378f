//! STAND-IN for the runner's hash-chained audit log, which lands on `main` as `src/audit.rs`.
//! Same names as the announced API; replaced by `main`'s module when `agents` merges `main`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::changeset::{Check, CheckStatus, Evidence};
use crate::ir::Decision;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot use the audit log `{path}`: {message}")]
#[diagnostic(code(agentgate::audit), help("check that the folder is writable"))]
pub struct AuditError {
    path: String,
    message: String,
}

pub fn default_path(root: &Path) -> PathBuf {
    root.join(".agentgate/audit.jsonl")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    Decision {
        subject: String,
        decision: Decision,
        policy_digest: String,
        rules: Vec<String>,
        reason: String,
    },
    Ran {
        command: String,
        status: CheckStatus,
        exit_code: Option<i32>,
        source: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub actor: String,
    pub session: Option<String>,
    pub event: Event,
}

pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        let err = |e: std::io::Error| AuditError {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(err)?;
        }
        Ok(AuditLog {
            path: path.to_path_buf(),
        })
    }

    pub fn append(
        &mut self,
        actor: &str,
        session: Option<&str>,
        event: Event,
    ) -> Result<Record, AuditError> {
        let err = |e: std::io::Error| AuditError {
            path: self.path.display().to_string(),
            message: e.to_string(),
        };
        let rec = Record {
            actor: actor.into(),
            session: session.map(str::to_string),
            event,
        };
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(err)?;
        writeln!(f, "{}", serde_json::to_string(&rec).unwrap_or_default()).map_err(err)?;
        Ok(rec)
    }
}

pub fn read(path: &Path) -> Result<Vec<Record>, AuditError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(AuditError {
                path: path.display().to_string(),
                message: e.to_string(),
            })
        }
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l).map_err(|e| AuditError {
                path: path.display().to_string(),
                message: e.to_string(),
            })
        })
        .collect()
}

pub fn observed_evidence(records: &[Record], session: Option<&str>) -> Evidence {
    let mut ev = Evidence::default();
    for r in records {
        if session.is_some() && r.session.as_deref() != session {
            continue;
        }
        if let Event::Ran {
            command, status, ..
        } = &r.event
        {
            ev.checks.push(Check {
                command: command.clone(),
                status: *status,
            });
        }
    }
    ev
}
