#![no_main]
//! Audit logs: verifying arbitrary bytes (with and without a head) never panics, and a log
//! that verifies can be appended to.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile_dir() else { return };
    let log = dir.join("audit.jsonl");
    let _ = std::fs::write(&log, data);
    let _ = agentgate::audit::verify(&log);
    let _ = std::fs::write(
        agentgate::audit::head_path(&log),
        "{\"seq\":1,\"hash\":\"sha256:0\"}\n",
    );
    if agentgate::audit::verify(&log).is_ok() {
        let mut l = agentgate::audit::AuditLog::open(&log).expect("open");
        l.append(
            "fuzz",
            None,
            agentgate::audit::Event::RunFinished {
                outcome: "x".into(),
                steps_run: 0,
                reason: None,
            },
        )
        .expect("a verified log takes an append");
        agentgate::audit::verify(&log).expect("and still verifies");
    }
    let _ = std::fs::remove_dir_all(&dir);
});

fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("agentgate-fuzz-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
