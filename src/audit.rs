//! The audit log: an append-only, hash-chained JSON-lines file of what agentgate decided, ran
//! and was told.
//!
//! Each line is one [`Record`]: a sequence number, the time, the actor, the session, the
//! [`Event`] and the hash of the previous record; its own `hash` is the SHA-256 of the record
//! without it. A record is accepted only in its canonical form (the bytes agentgate writes), so
//! changing any byte of any line breaks verification. Beside the log, `<log>.head` holds the
//! sequence number and hash of the last record: cutting whole records off the end leaves a
//! chain that is valid as far as it goes, and only the head tells that it ends too early.
//!
//! Appends take an exclusive OS lock on the log (released by the kernel when a process dies),
//! write the line in one call and `fsync` it, then replace the head atomically.

mod verify;

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::changeset::{Approval, Check, CheckStatus, Evidence};
use crate::ir::Decision;

pub use verify::{verify, Verified};

/// The `prev` of the first record.
pub const GENESIS: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// Longest record accepted, in bytes (a line is a record; longer ones are refused on write and
/// reported on read).
pub const MAX_RECORD_BYTES: usize = 1 << 20;

#[derive(Debug, Error, Diagnostic)]
pub enum AuditError {
    #[error("cannot use the audit log `{path}`: {message}")]
    #[diagnostic(
        code(agentgate::audit::io),
        help("check that the folder exists and is writable; the log is created on first use")
    )]
    Io { path: String, message: String },
    #[error("the audit log `{path}` is broken at record {seq} (line {line}): {reason}")]
    #[diagnostic(
        code(agentgate::audit::broken),
        help("the log was edited, reordered or cut; `agentgate audit verify` names the first bad record. Nothing more is appended to a broken log")
    )]
    Broken {
        path: String,
        seq: u64,
        line: usize,
        reason: String,
    },
    #[error("an audit record would be {bytes} bytes, more than the limit of {limit}")]
    #[diagnostic(code(agentgate::audit::size))]
    TooLarge { bytes: usize, limit: usize },
}

impl AuditError {
    fn io(path: &Path, e: impl std::fmt::Display) -> Self {
        AuditError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

/// What happened. Serialised with a `type` tag: `{"type": "decision", …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Event {
    /// A plan, a step or a tool call was judged.
    Decision {
        /// What was judged: `plan plans/x.json`, `step 2: cargo test`, `tool Edit src/x.rs`.
        subject: String,
        decision: Decision,
        policy_digest: String,
        /// The rules that decided it (empty when allowed).
        rules: Vec<String>,
        /// Why, in words: the first finding's message and sentence, or `allowed`.
        reason: String,
    },
    /// The runner started (or resumed) a plan.
    RunStarted {
        plan: String,
        plan_digest: String,
        policy_digest: String,
        steps: usize,
        /// The first step this run executes (0 unless resumed).
        first_step: usize,
    },
    /// The runner is about to execute a step.
    StepStarted { step: usize, command: String },
    /// A command ran and ended, as observed by the runner or a hook.
    Ran {
        /// The plan step, for the runner.
        step: Option<usize>,
        command: String,
        status: CheckStatus,
        exit_code: Option<i32>,
        /// Why it ended when not by exiting: `timeout after 600 s`, `signal 9`.
        ended_by: Option<String>,
        duration_ms: u64,
        /// SHA-256 of everything the command wrote to stdout (not only the part kept).
        stdout_sha256: Option<String>,
        /// SHA-256 of everything it wrote to stderr.
        stderr_sha256: Option<String>,
        /// Bytes written to stdout and stderr together.
        output_bytes: u64,
        /// Who observed it: `runner`, `hook:claude-code`.
        source: String,
    },
    /// Somebody approved (a rule of) the session's plan.
    Approval {
        by: String,
        rule: Option<String>,
        note: Option<String>,
    },
    /// The runner stopped: `completed`, `failed`, `refused`, `interrupted`, `policy-changed`.
    RunFinished {
        outcome: String,
        steps_run: usize,
        reason: Option<String>,
    },
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// 1-based, without gaps.
    pub seq: u64,
    /// UTC, RFC 3339 with milliseconds.
    pub time: String,
    /// `runner`, `hook:claude-code`, `mcp`, `approve:@alice`.
    pub actor: String,
    pub session: Option<String>,
    pub event: Event,
    /// `hash` of the previous record ([`GENESIS`] for the first).
    pub prev: String,
    /// `sha256:` over the canonical JSON of this record without `hash`.
    pub hash: String,
}

/// The hashed part of a record: every field but `hash`, in the same order.
#[derive(Serialize)]
struct Body<'a> {
    seq: u64,
    time: &'a str,
    actor: &'a str,
    session: &'a Option<String>,
    event: &'a Event,
    prev: &'a str,
}

impl Record {
    /// The hash this record should carry.
    pub fn compute_hash(&self) -> String {
        let body = Body {
            seq: self.seq,
            time: &self.time,
            actor: &self.actor,
            session: &self.session,
            event: &self.event,
            prev: &self.prev,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        format!("sha256:{}", hex(&Sha256::digest(&json)))
    }

    /// The exact line agentgate writes for this record (without the newline).
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `<log>.head`: where the chain must end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

/// Where the head of `log` is kept.
pub fn head_path(log: &Path) -> PathBuf {
    let mut s = log.as_os_str().to_owned();
    s.push(".head");
    PathBuf::from(s)
}

/// `<root>/.agentgate/audit.jsonl`.
pub fn default_path(root: &Path) -> PathBuf {
    root.join(".agentgate").join("audit.jsonl")
}

/// An audit log open for appending.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    /// The log at `path`. Nothing is created until the first append (which creates the folder
    /// and the file).
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        if path.is_dir() {
            return Err(AuditError::io(path, "is a folder, not a log file"));
        }
        Ok(AuditLog {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one record, chained to the last one, and return it. The last record is checked
    /// against the head first: nothing is appended to a log that was visibly cut or edited.
    pub fn append(
        &mut self,
        actor: &str,
        session: Option<&str>,
        event: Event,
    ) -> Result<Record, AuditError> {
        let path = &self.path;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| AuditError::io(dir, e))?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| AuditError::io(path, e))?;
        file.lock().map_err(|e| AuditError::io(path, e))?;
        let (seq, prev) = match last_record(&mut file, path)? {
            Some((record, line)) => {
                let head = read_head(path)?;
                check_tail(path, &record, line, head.as_ref())?;
                (record.seq + 1, record.hash)
            }
            None => {
                if let Some(h) = read_head(path)? {
                    return Err(AuditError::Broken {
                        path: path.display().to_string(),
                        seq: 1,
                        line: 1,
                        reason: format!(
                            "the log is empty but its head says it has {} records",
                            h.seq
                        ),
                    });
                }
                (1, GENESIS.to_string())
            }
        };
        let mut record = Record {
            seq,
            time: now_rfc3339(),
            actor: actor.to_string(),
            session: session.map(str::to_string),
            event,
            prev,
            hash: String::new(),
        };
        record.hash = record.compute_hash();
        let mut line = record.canonical();
        if line.len() > MAX_RECORD_BYTES {
            return Err(AuditError::TooLarge {
                bytes: line.len(),
                limit: MAX_RECORD_BYTES,
            });
        }
        line.push('\n');
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| AuditError::io(path, e))?;
        write_head(
            path,
            &Head {
                seq: record.seq,
                hash: record.hash.clone(),
            },
        )?;
        // The lock is released when `file` is dropped.
        Ok(record)
    }
}

/// Read and verify the whole log; an error names the first bad record. A log that does not
/// exist yet has no records.
pub fn read(path: &Path) -> Result<Vec<Record>, AuditError> {
    if !path.exists() && !head_path(path).exists() {
        return Ok(Vec::new());
    }
    verify(path).map(|v| v.records)
}

/// What the log shows was observed in `session` (every session when `None`): the last outcome
/// of each command that ran, and the approvals recorded.
pub fn observed_evidence(records: &[Record], session: Option<&str>) -> Evidence {
    let mut evidence = Evidence::default();
    for r in records {
        if session.is_some() && r.session.as_deref() != session {
            continue;
        }
        match &r.event {
            Event::Ran {
                command, status, ..
            } => {
                evidence.checks.retain(|c| &c.command != command);
                evidence.checks.push(Check {
                    command: command.clone(),
                    status: *status,
                });
            }
            Event::Approval { by, rule, .. } => evidence.approvals.push(Approval {
                by: by.clone(),
                rule: rule.clone(),
            }),
            _ => {}
        }
    }
    evidence
}

/// The last complete line of the log, parsed, with its 1-based line number; `None` when empty.
fn last_record(file: &mut File, path: &Path) -> Result<Option<(Record, usize)>, AuditError> {
    let len = file
        .seek(SeekFrom::End(0))
        .map_err(|e| AuditError::io(path, e))?;
    if len == 0 {
        return Ok(None);
    }
    // Read backwards until the start of the last line is in the buffer.
    let mut window: u64 = 4096;
    let buf = loop {
        let start = len.saturating_sub(window);
        file.seek(SeekFrom::Start(start))
            .map_err(|e| AuditError::io(path, e))?;
        let mut buf = Vec::new();
        std::io::Read::by_ref(file)
            .take(len - start)
            .read_to_end(&mut buf)
            .map_err(|e| AuditError::io(path, e))?;
        let body = buf.strip_suffix(b"\n").unwrap_or(&buf);
        if start == 0 || body.contains(&b'\n') || window > MAX_RECORD_BYTES as u64 * 2 {
            break buf;
        }
        window *= 4;
    };
    let broken = |seq: u64, reason: String| AuditError::Broken {
        path: path.display().to_string(),
        seq,
        line: 0,
        reason,
    };
    if buf.last() != Some(&b'\n') {
        return Err(broken(
            0,
            "the last record is incomplete (the file does not end with a newline)".into(),
        ));
    }
    let body = &buf[..buf.len() - 1];
    let last = match body.iter().rposition(|&b| b == b'\n') {
        Some(i) => &body[i + 1..],
        None => body,
    };
    let text = std::str::from_utf8(last).map_err(|_| broken(0, "not UTF-8".into()))?;
    let record: Record = serde_json::from_str(text)
        .map_err(|e| broken(0, format!("the last record does not parse: {e}")))?;
    if record.canonical() != text || record.compute_hash() != record.hash {
        return Err(broken(
            record.seq,
            "the last record was changed after it was written".into(),
        ));
    }
    let line = usize::try_from(record.seq).unwrap_or(usize::MAX);
    Ok(Some((record, line)))
}

/// The last record must be the one the head names.
fn check_tail(
    path: &Path,
    last: &Record,
    line: usize,
    head: Option<&Head>,
) -> Result<(), AuditError> {
    let (seq, line, reason) = match head {
        None => (
            last.seq,
            line,
            format!(
                "the head file `{}` is missing, so the end of the log cannot be trusted",
                head_path(path).display()
            ),
        ),
        Some(h) if h.seq > last.seq => (
            last.seq + 1,
            line + 1,
            format!(
                "the log ends at record {} but its head says it has {} (records were cut off the end)",
                last.seq, h.seq
            ),
        ),
        Some(h) if h.seq != last.seq || h.hash != last.hash => (
            last.seq,
            line,
            format!(
                "the last record does not match the head (record {} with {})",
                h.seq, h.hash
            ),
        ),
        Some(_) => return Ok(()),
    };
    Err(AuditError::Broken {
        path: path.display().to_string(),
        seq,
        line,
        reason,
    })
}

fn read_head(log: &Path) -> Result<Option<Head>, AuditError> {
    let path = head_path(log);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(text.trim())
            .map(Some)
            .map_err(|e| AuditError::Broken {
                path: path.display().to_string(),
                seq: 0,
                line: 1,
                reason: format!("the head does not parse: {e}"),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(AuditError::io(&path, e)),
    }
}

/// Replace the head atomically: write a temporary file, fsync it, rename it over the head.
fn write_head(log: &Path, head: &Head) -> Result<(), AuditError> {
    let path = head_path(log);
    let tmp = {
        let mut s = path.as_os_str().to_owned();
        s.push(".tmp");
        PathBuf::from(s)
    };
    let text = serde_json::to_string(head).unwrap_or_default() + "\n";
    let io = |e: std::io::Error| AuditError::io(&path, e);
    let mut f = File::create(&tmp).map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// SHA-256 of `bytes`, as `sha256:<hex>`.
pub fn sha256(bytes: &[u8]) -> String {
    sha256_hex(&Sha256::digest(bytes))
}

/// A finished SHA-256 digest as `sha256:<hex>`.
pub fn sha256_hex(digest: &[u8]) -> String {
    format!("sha256:{}", hex(digest))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The current UTC time as `2026-12-02T00:59:01.123Z`.
pub fn now_rfc3339() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    rfc3339(now.as_secs(), now.subsec_millis())
}

/// Format Unix seconds as RFC 3339 UTC (civil-from-days, proleptic Gregorian).
fn rfc3339(secs: u64, millis: u32) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests;
