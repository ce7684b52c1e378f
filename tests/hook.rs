//! `agentgate hook claude-code` with Claude Code's exact JSON shapes, over a copy of the example
//! repository: the issue's scenarios, session evidence from PostToolUse, and failing closed.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Value};

/// A copy of examples/neuronx outside any git repository, with its own audit log.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let ok = std::process::Command::new("cp")
        .arg("-r")
        .arg(common::root().join("examples/neuronx"))
        .arg(d.path().join("repo"))
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let root = d.path().join("repo").canonicalize().unwrap();
    (d, root)
}

fn pre(root: &Path, session: &str, tool: &str, input: Value) -> Value {
    json!({
        "session_id": session,
        "transcript_path": "/home/u/.claude/projects/x/transcript.jsonl",
        "cwd": root.display().to_string(),
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": input,
        "tool_use_id": "toolu_01ABC"
    })
}

fn post(root: &Path, session: &str, command: &str, event: &str, response: Value) -> Value {
    json!({
        "session_id": session,
        "transcript_path": "/home/u/.claude/projects/x/transcript.jsonl",
        "cwd": root.display().to_string(),
        "permission_mode": "default",
        "hook_event_name": event,
        "tool_name": "Bash",
        "tool_input": {"command": command, "description": "run it"},
        "tool_response": response,
        "tool_use_id": "toolu_01DEF"
    })
}

/// Run the hook; (exit code, stdout, stderr).
fn hook(root: &Path, input: &Value, extra: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("agentgate")
        .unwrap()
        .env_remove("CLAUDE_PROJECT_DIR")
        .env("NO_COLOR", "1")
        .args(["hook", "claude-code", "--root"])
        .arg(root)
        .args(extra)
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The PreToolUse answer, checked to be exactly Claude Code's shape.
fn decision(root: &Path, input: &Value) -> (String, String) {
    let (code, out, err) = hook(root, input, &["--explicit-allow"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["hookSpecificOutput"]);
    let h = v["hookSpecificOutput"].as_object().unwrap();
    let mut keys: Vec<&String> = h.keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "hookEventName",
            "permissionDecision",
            "permissionDecisionReason"
        ]
    );
    assert_eq!(h["hookEventName"], "PreToolUse");
    (
        h["permissionDecision"].as_str().unwrap().to_string(),
        h["permissionDecisionReason"].as_str().unwrap().to_string(),
    )
}

#[test]
fn an_edit_of_the_ssot_is_denied_with_the_sentence_quoted() {
    let (_d, root) = repo();
    let abs = root.join("docs/SSOT/index.md").display().to_string();
    let input = pre(
        &root,
        "s1",
        "Edit",
        json!({"file_path": abs, "old_string": "a", "new_string": "b"}),
    );
    let (d, reason) = decision(&root, &input);
    assert_eq!(d, "deny");
    assert!(
        reason.contains("NX-1: Agents MUST NOT modify `docs/SSOT/**` or `AGENTS.md`."),
        "{reason}"
    );
    assert!(reason.contains("(AGENTS.md:9)"), "{reason}");
    assert!(
        reason.contains("Instead: leave `docs/SSOT/index.md` unchanged"),
        "{reason}"
    );
    // Write, MultiEdit and NotebookEdit are changes too.
    for (tool, input) in [
        ("Write", json!({"file_path": abs, "content": "x"})),
        (
            "MultiEdit",
            json!({"file_path": abs, "edits": [{"old_string": "a", "new_string": "b"}]}),
        ),
        (
            "NotebookEdit",
            json!({"notebook_path": root.join("infra/n.ipynb").display().to_string(), "new_source": "x"}),
        ),
    ] {
        assert_eq!(
            decision(&root, &pre(&root, "s1", tool, input)).0,
            "deny",
            "{tool}"
        );
    }
}

#[test]
fn an_innocent_edit_is_allowed() {
    let (_d, root) = repo();
    let input = pre(
        &root,
        "s1",
        "Edit",
        json!({"file_path": "src/api/handlers.rs", "old_string": "a", "new_string": "b"}),
    );
    assert_eq!(decision(&root, &input).0, "allow");
    // Without --explicit-allow the hook stays silent, so Claude Code's own permissions apply.
    let (code, out, _) = hook(&root, &input, &[]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn a_force_push_is_denied() {
    let (_d, root) = repo();
    let input = pre(
        &root,
        "s1",
        "Bash",
        json!({"command": "git push --force origin main", "description": "push"}),
    );
    let (d, reason) = decision(&root, &input);
    assert_eq!(d, "deny");
    assert!(reason.contains("Never force push."), "{reason}");
    assert!(reason.contains("AGENTS.md:"), "{reason}");
}

#[test]
fn reads_of_secrets_are_denied() {
    let (_d, root) = repo();
    let env = root.join(".env").display().to_string();
    assert_eq!(
        decision(&root, &pre(&root, "s1", "Read", json!({"file_path": env}))).0,
        "deny"
    );
    assert_eq!(
        decision(
            &root,
            &pre(
                &root,
                "s1",
                "Grep",
                json!({"pattern": "KEY", "path": ".env"})
            )
        )
        .0,
        "deny"
    );
    assert_eq!(
        decision(
            &root,
            &pre(
                &root,
                "s1",
                "Glob",
                json!({"pattern": "*.rs", "path": "src"})
            )
        )
        .0,
        "allow"
    );
    assert_eq!(
        decision(
            &root,
            &pre(&root, "s1", "Bash", json!({"command": "cat .env"}))
        )
        .0,
        "deny"
    );
}

#[test]
fn a_commit_waits_for_the_check_the_session_recorded() {
    let (_d, root) = repo();
    let commit = pre(
        &root,
        "s1",
        "Bash",
        json!({"command": "git commit -am 'api: tweak'"}),
    );
    let (d, reason) = decision(&root, &commit);
    assert_eq!(d, "deny", "{reason}");
    assert!(
        reason.contains("Run `cargo test` before committing."),
        "{reason}"
    );
    assert!(
        reason.contains("Instead: run `cargo test` first"),
        "{reason}"
    );

    // A failing run is recorded, and is not evidence.
    let (code, out, err) = hook(
        &root,
        &post(
            &root,
            "s1",
            "cargo test",
            "PostToolUseFailure",
            json!({"error": "exit 101"}),
        ),
        &[],
    );
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(decision(&root, &commit).0, "deny");

    // A passing run in another session is not this session's evidence.
    let passed =
        json!({"stdout": "test result: ok", "stderr": "", "interrupted": false, "isImage": false});
    hook(
        &root,
        &post(&root, "other", "cargo test", "PostToolUse", passed.clone()),
        &[],
    );
    assert_eq!(decision(&root, &commit).0, "deny");

    // This session's passing run.
    let (code, _, err) = hook(
        &root,
        &post(&root, "s1", "cargo test", "PostToolUse", passed),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let (d, reason) = decision(&root, &commit);
    assert_eq!(d, "allow", "{reason}");

    // Everything was appended to the audit log.
    let log = std::fs::read_to_string(root.join(".agentgate/audit.jsonl")).unwrap();
    assert!(log.contains("\"type\":\"ran\""), "{log}");
    assert!(log.contains("\"type\":\"decision\""), "{log}");
    assert!(
        log.contains("git push") || log.contains("git commit"),
        "{log}"
    );
}

#[test]
fn an_interrupted_or_nonzero_run_is_a_failure() {
    let (_d, root) = repo();
    let commit = pre(&root, "s2", "Bash", json!({"command": "git commit -m x"}));
    for resp in [
        json!({"stdout": "", "interrupted": true}),
        json!({"exit_code": 1}),
    ] {
        hook(
            &root,
            &post(&root, "s2", "cargo test", "PostToolUse", resp),
            &[],
        );
    }
    assert_eq!(decision(&root, &commit).0, "deny");
}

#[test]
fn the_audit_log_can_be_placed() {
    let (d, root) = repo();
    let log = d.path().join("logs/a.jsonl");
    let input = pre(&root, "s1", "Bash", json!({"command": "git push -f"}));
    let (code, out, _) = hook(&root, &input, &["--audit-log", log.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("\"deny\""));
    assert!(std::fs::read_to_string(&log).unwrap().contains("\"deny\""));
    assert!(!root.join(".agentgate/audit.jsonl").exists());
}

#[test]
fn a_path_outside_the_repository_is_asked_about() {
    let (_d, root) = repo();
    let input = pre(
        &root,
        "s1",
        "Write",
        json!({"file_path": "/etc/passwd", "content": "x"}),
    );
    let (d, reason) = decision(&root, &input);
    assert_eq!(d, "ask");
    assert!(reason.contains("outside the repository"), "{reason}");
}

#[test]
fn other_tools_get_no_opinion() {
    let (_d, root) = repo();
    let input = pre(
        &root,
        "s1",
        "WebFetch",
        json!({"url": "https://example.com", "prompt": "x"}),
    );
    let (code, out, _) = hook(&root, &input, &["--explicit-allow"]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn malformed_input_fails_closed_with_exit_2() {
    let (_d, root) = repo();
    let cases = [
        json!("not an object"),
        json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}}),
        pre(&root, "s1", "Edit", json!({"old_string": "a"})),
        pre(&root, "s1", "Bash", json!({"command": 42})),
        json!({"session_id": "s", "hook_event_name": "Stop", "tool_name": "Bash", "tool_input": {}}),
    ];
    for input in cases {
        let (code, out, err) = hook(&root, &input, &[]);
        assert_eq!(code, 2, "{input}: {out}");
        assert!(out.is_empty(), "{out}");
        assert!(err.contains("hook"), "{err}");
    }
    let out = Command::cargo_bin("agentgate")
        .unwrap()
        .args(["hook", "claude-code", "--root"])
        .arg(&root)
        .write_stdin("{\"session_id\": ")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("malformed hook input"));
}

#[test]
fn the_project_dir_comes_from_claude_code() {
    let (_d, root) = repo();
    let input = pre(&root, "s1", "Bash", json!({"command": "terraform apply"}));
    let out = Command::cargo_bin("agentgate")
        .unwrap()
        .env("CLAUDE_PROJECT_DIR", &root)
        .args(["hook", "claude-code"])
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"deny\""));
}

#[test]
fn a_commit_is_judged_over_the_work_tree_changes() {
    let (_d, root) = repo();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(&root)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&[
        "-c",
        "user.email=t@example.com",
        "-c",
        "user.name=t",
        "add",
        "-A",
    ]);
    git(&[
        "-c",
        "user.email=t@example.com",
        "-c",
        "user.name=t",
        "commit",
        "-qm",
        "init",
    ]);
    std::fs::write(root.join("src/api/handlers.rs"), "// changed\n").unwrap();
    let passed = json!({"stdout": "ok", "stderr": "", "interrupted": false});
    hook(
        &root,
        &post(&root, "s1", "cargo test", "PostToolUse", passed.clone()),
        &[],
    );
    // The uncommitted change to src/**/*.rs brings in "run `cargo fmt --check`".
    let commit = pre(
        &root,
        "s1",
        "Bash",
        json!({"command": "git commit -am 'api: tweak'"}),
    );
    let (d, reason) = decision(&root, &commit);
    assert_eq!(d, "deny", "{reason}");
    assert!(reason.contains("cargo fmt --check"), "{reason}");
    assert!(
        !reason.contains("Run `cargo test` before committing."),
        "{reason}"
    );
    hook(
        &root,
        &post(&root, "s1", "cargo fmt --check", "PostToolUse", passed),
        &[],
    );
    assert_eq!(decision(&root, &commit).0, "allow");
}
