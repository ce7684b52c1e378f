use super::*;

fn ran(command: &str, status: CheckStatus) -> Event {
    Event::Ran {
        step: None,
        command: command.into(),
        status,
        exit_code: Some(if status == CheckStatus::Passed { 0 } else { 1 }),
        ended_by: None,
        duration_ms: 5,
        stdout_sha256: Some(sha256(b"")),
        stderr_sha256: None,
        output_bytes: 0,
        source: "test".into(),
    }
}

/// A log of five records in a fresh folder.
fn five() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut log = AuditLog::open(&path).unwrap();
    for i in 0..5 {
        log.append(
            "test",
            Some("s-1"),
            ran(&format!("step {i}"), CheckStatus::Passed),
        )
        .unwrap();
    }
    (dir, path)
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// The record verification stops at.
fn first_bad(path: &Path) -> (u64, usize, String) {
    match verify(path) {
        Err(AuditError::Broken {
            seq, line, reason, ..
        }) => (seq, line, reason),
        other => panic!("expected a broken log, got {other:?}"),
    }
}

#[test]
fn an_intact_log_verifies_and_chains() {
    let (_d, path) = five();
    let v = verify(&path).unwrap();
    assert_eq!(v.records.len(), 5);
    assert_eq!(v.records[0].prev, GENESIS);
    for w in v.records.windows(2) {
        assert_eq!(w[1].prev, w[0].hash);
        assert_eq!(w[1].seq, w[0].seq + 1);
    }
    assert_eq!(v.head.unwrap().seq, 5);
}

#[test]
fn every_single_byte_change_is_found() {
    let (_d, path) = five();
    let original = std::fs::read(&path).unwrap();
    // Flip each byte of record 3 in turn (but its newline): always caught, always at record 3
    // (or, for a change that splits the line, no later).
    let start = original
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(1)
        .unwrap()
        .0
        + 1;
    let end = original
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(2)
        .unwrap()
        .0;
    for i in start..end {
        let mut bytes = original.clone();
        bytes[i] = if bytes[i] == b'x' { b'y' } else { b'x' };
        std::fs::write(&path, &bytes).unwrap();
        let (seq, line, _) = first_bad(&path);
        assert_eq!((seq, line), (3, 3), "byte {i} changed");
    }
}

#[test]
fn a_removed_line_is_found() {
    let (_d, path) = five();
    let mut l = lines(&path);
    l.remove(1);
    write_lines(&path, &l);
    let (seq, line, reason) = first_bad(&path);
    assert_eq!((seq, line), (2, 2));
    assert!(reason.contains("missing"), "{reason}");
}

#[test]
fn two_swapped_lines_are_found() {
    let (_d, path) = five();
    let mut l = lines(&path);
    l.swap(2, 3);
    write_lines(&path, &l);
    assert_eq!(first_bad(&path).0, 3);
}

#[test]
fn an_inserted_record_is_found() {
    let (_d, path) = five();
    let mut l = lines(&path);
    // A well-formed record forged to follow record 2: the original record 3 no longer fits.
    let mut forged: Record = serde_json::from_str(&l[2]).unwrap();
    forged.event = ran("forged", CheckStatus::Passed);
    forged.hash = forged.compute_hash();
    l.insert(2, forged.canonical());
    write_lines(&path, &l);
    let (seq, line, reason) = first_bad(&path);
    assert_eq!((seq, line), (4, 4), "{reason}");
}

#[test]
fn a_cut_tail_is_found() {
    let (_d, path) = five();
    let mut l = lines(&path);
    l.truncate(3);
    write_lines(&path, &l);
    let (seq, _, reason) = first_bad(&path);
    assert_eq!(seq, 4);
    assert!(reason.contains("cut off the end"), "{reason}");
}

#[test]
fn a_line_cut_in_the_middle_is_found() {
    let (_d, path) = five();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
    assert_eq!(first_bad(&path).0, 5);
}

#[test]
fn a_missing_head_is_found() {
    let (_d, path) = five();
    std::fs::remove_file(head_path(&path)).unwrap();
    assert!(first_bad(&path).2.contains("head file"));
}

#[test]
fn nothing_is_appended_to_a_cut_log() {
    let (_d, path) = five();
    let mut l = lines(&path);
    l.truncate(4);
    write_lines(&path, &l);
    let mut log = AuditLog::open(&path).unwrap();
    let err = log
        .append("test", None, ran("more", CheckStatus::Passed))
        .unwrap_err();
    assert!(err.to_string().contains("broken"), "{err}");
    assert_eq!(lines(&path).len(), 4);
}

#[test]
fn concurrent_appends_keep_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    std::thread::scope(|s| {
        for t in 0..4 {
            let path = path.clone();
            s.spawn(move || {
                let mut log = AuditLog::open(&path).unwrap();
                for i in 0..25 {
                    log.append("t", None, ran(&format!("{t}-{i}"), CheckStatus::Passed))
                        .unwrap();
                }
            });
        }
    });
    assert_eq!(verify(&path).unwrap().records.len(), 100);
}

#[test]
fn observed_evidence_keeps_the_last_outcome_per_command_and_session() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    let mut log = AuditLog::open(&path).unwrap();
    log.append("r", Some("a"), ran("cargo test", CheckStatus::Failed))
        .unwrap();
    log.append("r", Some("a"), ran("cargo test", CheckStatus::Passed))
        .unwrap();
    log.append("r", Some("b"), ran("cargo fmt", CheckStatus::Passed))
        .unwrap();
    log.append(
        "approve:@alice",
        Some("a"),
        Event::Approval {
            by: "@alice".into(),
            rule: Some("NX-1".into()),
            note: None,
        },
    )
    .unwrap();
    let records = read(&path).unwrap();
    let ev = observed_evidence(&records, Some("a"));
    assert_eq!(
        ev.checks,
        vec![Check {
            command: "cargo test".into(),
            status: CheckStatus::Passed
        }]
    );
    assert_eq!(ev.approvals[0].by, "@alice");
    assert_eq!(observed_evidence(&records, None).checks.len(), 2);
}

#[test]
fn times_are_rfc3339_utc() {
    assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00.000Z");
    assert_eq!(rfc3339(951_782_400, 7), "2000-02-29T00:00:00.007Z");
    assert_eq!(rfc3339(1_796_172_341, 123), "2026-12-02T00:45:41.123Z");
    assert_eq!(rfc3339(4_107_542_399, 999), "2100-02-28T23:59:59.999Z");
}

#[test]
fn a_deleted_log_is_found_by_its_head() {
    let (_d, path) = five();
    std::fs::remove_file(&path).unwrap();
    assert!(first_bad(&path).2.contains("the log is missing"));
}
