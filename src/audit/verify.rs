//! Whole-log verification: every record canonical, hashed, numbered and chained, ending where
//! the head says.

use std::path::Path;

use super::{check_tail, read_head, AuditError, Head, Record, GENESIS, MAX_RECORD_BYTES};

/// An intact log.
#[derive(Debug, Clone)]
pub struct Verified {
    pub records: Vec<Record>,
    pub head: Option<Head>,
}

/// Verify the log at `path` from its first record to its head. The error names the first bad
/// record (its sequence number is the one expected at that line).
pub fn verify(path: &Path) -> Result<Verified, AuditError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match read_head(path)? {
            Some(h) => {
                return Err(AuditError::Broken {
                    path: path.display().to_string(),
                    seq: 1,
                    line: 1,
                    reason: format!(
                        "the log is missing but its head says it had {} records",
                        h.seq
                    ),
                })
            }
            None => return Err(AuditError::io(path, e)),
        },
        Err(e) => return Err(AuditError::io(path, e)),
    };
    let broken = |seq: u64, line: usize, reason: String| AuditError::Broken {
        path: path.display().to_string(),
        seq,
        line,
        reason,
    };
    let mut records: Vec<Record> = Vec::new();
    let mut rest: &[u8] = &bytes;
    let mut line_no = 0usize;
    while !rest.is_empty() {
        line_no += 1;
        let expected = records.last().map_or(1, |r| r.seq + 1);
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            return Err(broken(
                expected,
                line_no,
                "the record is incomplete (the log was cut in the middle of a line)".into(),
            ));
        };
        let line = &rest[..end];
        rest = &rest[end + 1..];
        if line.len() > MAX_RECORD_BYTES {
            return Err(broken(
                expected,
                line_no,
                format!("the line is longer than {MAX_RECORD_BYTES} bytes"),
            ));
        }
        let text = std::str::from_utf8(line)
            .map_err(|_| broken(expected, line_no, "the line is not UTF-8".into()))?;
        let record: Record = serde_json::from_str(text).map_err(|e| {
            broken(
                expected,
                line_no,
                format!("the line is not an audit record ({e})"),
            )
        })?;
        if record.compute_hash() != record.hash {
            return Err(broken(
                expected,
                line_no,
                "its contents do not match its hash (the record was edited)".into(),
            ));
        }
        if record.canonical() != text {
            return Err(broken(
                expected,
                line_no,
                "it is not in the form agentgate writes (the line was edited)".into(),
            ));
        }
        if record.seq != expected {
            let reason = if record.seq > expected {
                format!(
                    "expected record {expected} but found record {}: records are missing or out of order",
                    record.seq
                )
            } else {
                format!(
                    "expected record {expected} but found record {}: a record was inserted, repeated or moved",
                    record.seq
                )
            };
            return Err(broken(expected, line_no, reason));
        }
        let prev = records.last().map_or(GENESIS, |r| r.hash.as_str());
        if record.prev != prev {
            return Err(broken(
                expected,
                line_no,
                format!(
                    "it does not follow the record before it (prev {} instead of {prev})",
                    record.prev
                ),
            ));
        }
        records.push(record);
    }
    let head = read_head(path)?;
    match records.last() {
        Some(last) => check_tail(path, last, line_no, head.as_ref())?,
        None => {
            if let Some(h) = &head {
                return Err(broken(
                    1,
                    1,
                    format!(
                        "the log is empty but its head says it has {} records",
                        h.seq
                    ),
                ));
            }
        }
    }
    Ok(Verified { records, head })
}
