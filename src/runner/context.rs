//! The local context store: a summary of every run, kept under `<root>/.agentgate/context/`
//! so a later session can read what an earlier one did, what was denied and what evidence it
//! left.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::session::StepDone;
use super::RunnerError;
use crate::changeset::Evidence;
use crate::ir::Decision;

/// All runs of one session, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionContext {
    pub session: String,
    pub runs: Vec<RunSummary>,
}

/// What one run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSummary {
    pub plan: String,
    /// `completed`, `failed`, `refused`, `dry-run`.
    pub outcome: String,
    pub reason: Option<String>,
    pub policy_digest: String,
    pub started: String,
    pub finished: String,
    pub steps: Vec<StepDone>,
    /// Findings that stopped the plan or a step.
    pub denied: Vec<Denied>,
    /// What the audit log showed as observed for the session at the end.
    pub evidence: Evidence,
    /// The last audit record of the run: the log can be checked against it later.
    pub audit: AuditRef,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Denied {
    pub rule: String,
    pub decision: Decision,
    pub subject: String,
    pub message: String,
    pub sentence: String,
    pub origin: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRef {
    pub log: String,
    pub seq: u64,
    pub hash: String,
}

/// The context folder of a repository.
pub fn dir(root: &Path) -> PathBuf {
    root.join(".agentgate").join("context")
}

fn file(root: &Path, session: &str) -> PathBuf {
    dir(root).join(format!("{session}.json"))
}

/// Append a run to its session's context file.
pub fn record(root: &Path, session: &str, run: RunSummary) -> Result<(), RunnerError> {
    let mut ctx = load(root, session)?.unwrap_or_else(|| SessionContext {
        session: session.to_string(),
        runs: Vec::new(),
    });
    ctx.runs.push(run);
    let text = serde_json::to_string_pretty(&ctx).unwrap_or_default() + "\n";
    super::write_atomic(&file(root, session), &text)
}

/// One session's context, if it has any.
pub fn load(root: &Path, session: &str) -> Result<Option<SessionContext>, RunnerError> {
    super::read_json(&file(root, session))
}

/// Every session with a context file, sorted by name.
pub fn list(root: &Path) -> Result<Vec<SessionContext>, RunnerError> {
    let folder = dir(root);
    let entries = match std::fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(RunnerError::io(&folder, e)),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .map(str::to_string)
        })
        .collect();
    names.sort();
    let mut out = Vec::new();
    for n in names {
        if let Some(c) = load(root, &n)? {
            out.push(c);
        }
    }
    Ok(out)
}
