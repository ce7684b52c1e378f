//! `agentgate hook HOST` for every host, over the golden payloads in `fixtures/hooks/<host>/`
//! and a copy of the example repository: each reply snapshotted in the host's own format, the
//! same decisions on every host, failing closed in each host's own terms, session evidence.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Value};

const HOSTS: [&str; 5] = [
    "claude-code",
    "codex",
    "cursor",
    "gemini-cli",
    "copilot-cli",
];

/// What the policy decides for each golden call (`None`: no opinion, nothing recorded).
const DECISIONS: [(&str, Option<&str>); 13] = [
    ("shell-force-push", Some("deny")),
    ("shell-add-dependency", Some("ask")),
    ("shell-benign", Some("allow")),
    ("read-env", Some("deny")),
    ("read-many-env", Some("deny")),
    ("read-outside", Some("ask")),
    ("edit-ssot", Some("deny")),
    ("edit-ssot-vscode-format", Some("deny")),
    ("write-new-file", Some("allow")),
    ("patch-delete-migration", Some("deny")),
    ("patch-rename-benign", Some("allow")),
    ("mcp-create-pull-request", Some("deny")),
    ("mcp-other", None),
];

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

fn fixture_path(host: &str, name: &str) -> PathBuf {
    common::root().join(format!("fixtures/hooks/{host}/{name}.json"))
}

/// A golden payload with `@ROOT@` made the repository's path.
fn fixture(host: &str, name: &str, root: &Path) -> String {
    std::fs::read_to_string(fixture_path(host, name))
        .unwrap()
        .replace("@ROOT@", &root.display().to_string())
}

fn fixtures(host: &str) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(common::root().join("fixtures/hooks").join(host))
            .unwrap()
            .filter_map(|e| {
                let p = e.unwrap().path();
                (p.extension()? == "json").then(|| p.file_stem().unwrap().to_string_lossy().into())
            })
            .collect();
    names.sort();
    names
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

fn hook_in(
    host: &str,
    root: Option<&Path>,
    input: &str,
    extra: &[&str],
    env: &[(&str, &Path)],
) -> Out {
    let mut cmd = Command::cargo_bin("agentgate").unwrap();
    cmd.env_remove("CLAUDE_PROJECT_DIR")
        .env_remove("GEMINI_PROJECT_DIR")
        .env("NO_COLOR", "1")
        .args(["hook", host]);
    if let Some(root) = root {
        cmd.arg("--root").arg(root);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .args(extra)
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn hook(host: &str, root: &Path, input: &str) -> Out {
    hook_in(host, Some(root), input, &[], &[])
}

/// The decision the last audit record holds, if the last record is a decision.
fn last_decision(root: &Path) -> Option<String> {
    let log = std::fs::read_to_string(root.join(".agentgate/audit.jsonl")).ok()?;
    let last: Value = serde_json::from_str(log.lines().last()?).unwrap();
    (last["event"]["type"] == "decision")
        .then(|| last["event"]["decision"].as_str().unwrap().to_string())
}

#[test]
fn replies_to_the_golden_payloads() {
    insta::glob!("../fixtures/hooks", "*/*.json", |path| {
        let host = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let name = path.file_stem().unwrap().to_str().unwrap();
        let (_d, root) = repo();
        let out = hook(host, &root, &fixture(host, name, &root));
        let shown = out.stdout.replace(&root.display().to_string(), "@ROOT@");
        let stdout = if shown.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&shown).unwrap_or(Value::String(shown))
        };
        let error = out
            .stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix("× "))
            .map(|l| l.replace(&root.display().to_string(), "@ROOT@"));
        insta::assert_json_snapshot!(json!({
            "exit": out.code,
            "stdout": stdout,
            "error": error,
            "recorded": last_decision(&root),
        }));
    });
}

/// How `host` shows `decision` for the golden call `name`.
fn shown(host: &str, name: &str, decision: Option<&str>) -> &'static str {
    match (host, decision) {
        ("cursor", None | Some("allow")) => "allow",
        (_, None | Some("allow")) => "silent",
        // Codex cannot ask from a hook; Cursor's beforeReadFile answers allow or deny only.
        ("codex", Some("ask")) => "deny",
        ("cursor", Some("ask")) if name.starts_with("read-") => "deny",
        (_, Some("ask")) => "ask",
        (_, Some(_)) => "deny",
    }
}

/// The decision a reply carries, in the host's own field.
fn visible(host: &str, out: &Out) -> String {
    if out.stdout.is_empty() {
        return "silent".into();
    }
    let v = out.json();
    let field = match host {
        "claude-code" | "codex" => &v["hookSpecificOutput"]["permissionDecision"],
        "cursor" => &v["permission"],
        "gemini-cli" => &v["decision"],
        "copilot-cli" => &v["permissionDecision"],
        _ => unreachable!(),
    };
    field
        .as_str()
        .unwrap_or_else(|| panic!("{host}: {v}"))
        .to_string()
}

#[test]
fn one_policy_decides_the_same_call_the_same_way_on_every_host() {
    let expected: std::collections::HashMap<&str, Option<&str>> = DECISIONS.into_iter().collect();
    for host in HOSTS {
        let names = fixtures(host);
        // Every host has the calls every agent makes.
        for needed in [
            "shell-force-push",
            "shell-add-dependency",
            "shell-benign",
            "read-env",
        ] {
            assert!(names.iter().any(|n| n == needed), "{host} lacks {needed}");
        }
        for name in &names {
            if name == "malformed" || name.starts_with("post-") {
                continue;
            }
            let want = *expected.get(name.as_str()).unwrap_or_else(|| {
                panic!("fixtures/hooks/{host}/{name}.json: add it to DECISIONS")
            });
            let (_d, root) = repo();
            let out = hook(host, &root, &fixture(host, name, &root));
            assert_eq!(out.code, 0, "{host} {name}: {}", out.stderr);
            assert_eq!(last_decision(&root).as_deref(), want, "{host} {name}");
            assert_eq!(
                visible(host, &out),
                shown(host, name, want),
                "{host} {name}: {}",
                out.stdout
            );
            // The same call through Claude Code decides the same.
            if fixture_path("claude-code", name).exists() && host != "claude-code" {
                let (_d, croot) = repo();
                hook("claude-code", &croot, &fixture("claude-code", name, &croot));
                assert_eq!(last_decision(&croot), last_decision(&root), "{host} {name}");
            }
        }
    }
}

#[test]
fn reasons_quote_the_policy_sentence_on_every_host() {
    for host in HOSTS {
        let (_d, root) = repo();
        let out = hook(host, &root, &fixture(host, "shell-force-push", &root));
        assert!(
            out.stdout.contains("Never force push."),
            "{host}: {}",
            out.stdout
        );
        assert!(
            out.stdout.contains("(AGENTS.md:20)"),
            "{host}: {}",
            out.stdout
        );
    }
}

/// Each host's fail-closed terms: the exit code, and what is on stdout.
fn assert_fails_closed(host: &str, out: &Out, what: &str) {
    assert!(
        !out.stderr.is_empty(),
        "{host} {what}: no message on stderr"
    );
    match host {
        "claude-code" | "codex" | "gemini-cli" => {
            assert_eq!(out.code, 2, "{host} {what}");
            assert_eq!(out.stdout, "", "{host} {what}");
        }
        "cursor" => {
            assert_eq!(out.code, 2, "{host} {what}");
            assert_eq!(out.json()["permission"], "deny", "{host} {what}");
        }
        "copilot-cli" => {
            // Copilot CLI skips a hook that exits non-zero: the deny must be on stdout.
            assert_eq!(out.code, 0, "{host} {what}");
            let v = out.json();
            assert_eq!(v["permissionDecision"], "deny", "{host} {what}");
            assert!(v["permissionDecisionReason"]
                .as_str()
                .unwrap()
                .starts_with("agentgate: "));
        }
        _ => unreachable!(),
    }
}

#[test]
fn malformed_events_fail_closed_in_each_hosts_terms() {
    let unknown_event = [
        (
            "claude-code",
            r#"{"session_id": "s", "hook_event_name": "Stop", "tool_name": "Bash", "tool_input": {}}"#,
        ),
        (
            "codex",
            r#"{"session_id": "s", "cwd": "/tmp", "hook_event_name": "Stop", "tool_name": "Bash", "tool_input": {}}"#,
        ),
        (
            "cursor",
            r#"{"conversation_id": "s", "hook_event_name": "stop", "workspace_roots": []}"#,
        ),
        (
            "gemini-cli",
            r#"{"session_id": "s", "cwd": "/tmp", "hook_event_name": "SessionStart", "tool_name": "x", "tool_input": {}}"#,
        ),
        (
            "copilot-cli",
            r#"{"hook_event_name": "SessionEnd", "session_id": "s", "cwd": "/tmp", "tool_name": "bash", "tool_input": {}}"#,
        ),
    ];
    for (host, unknown) in unknown_event {
        let (_d, root) = repo();
        let golden = fixture(host, "malformed", &root);
        for (what, input) in [
            ("golden", golden.as_str()),
            ("not JSON", "{\"session_id\": "),
            ("empty", ""),
            ("not an object", "[1, 2]"),
            ("unknown event", unknown),
        ] {
            let out = hook(host, &root, input);
            assert_fails_closed(host, &out, what);
            assert!(
                out.stderr.contains("malformed hook input")
                    || out.stderr.contains("unsupported hook event"),
                "{host} {what}: {}",
                out.stderr
            );
        }
        // No repository to judge against is no pass either.
        let missing = root.join("missing");
        let out = hook(host, &missing, &fixture(host, "shell-benign", &root));
        assert_fails_closed(host, &out, "missing root");
        // Nothing malformed was recorded as a decision.
        assert_eq!(last_decision(&root), None, "{host}");
    }
}

/// `shell-benign` with the command swapped for a commit.
fn commit(host: &str, root: &Path) -> String {
    fixture(host, "shell-benign", root).replace("ls -la src", "git commit -am 'api: tweak'")
}

#[test]
fn a_commit_waits_for_the_test_run_each_host_reports() {
    for host in ["claude-code", "codex", "gemini-cli", "copilot-cli"] {
        let (_d, root) = repo();
        let out = hook(host, &root, &commit(host, &root));
        assert_eq!(visible(host, &out), "deny", "{host}: {}", out.stdout);
        assert!(
            out.stdout.contains("Run `cargo test` before committing."),
            "{host}"
        );
        let out = hook(host, &root, &fixture(host, "post-test-passed", &root));
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, ""),
            "{host}: {}",
            out.stderr
        );
        let log = std::fs::read_to_string(root.join(".agentgate/audit.jsonl")).unwrap();
        assert!(log.contains(&format!("hook:{host} ")), "{host}: {log}");
        let out = hook(host, &root, &commit(host, &root));
        assert_eq!(visible(host, &out), "silent", "{host}: {}", out.stdout);
        assert_eq!(last_decision(&root).as_deref(), Some("allow"), "{host}");
    }
}

#[test]
fn a_run_that_failed_or_says_nothing_of_its_end_is_no_evidence() {
    let failing = [
        (
            "codex",
            "Exit code: 0\\nWall time: 2.1 seconds\\nOutput:\\ntest result: ok. 12 passed\\n",
            "Exit code: 101\\nWall time: 2.1 seconds\\nOutput:\\ntest result: FAILED\\n",
        ),
        (
            "codex",
            "Exit code: 0\\nWall time: 2.1 seconds\\nOutput:\\ntest result: ok. 12 passed\\n",
            "test result: ok",
        ),
        ("gemini-cli", "Process Group PGID: 4242", "Exit Code: 101"),
        ("copilot-cli", "\"success\"", "\"failure\""),
    ];
    for (host, from, to) in failing {
        let (_d, root) = repo();
        let post = fixture(host, "post-test-passed", &root);
        assert!(post.contains(from), "{host}: {post}");
        hook(host, &root, &post.replace(from, to));
        let out = hook(host, &root, &commit(host, &root));
        assert_eq!(visible(host, &out), "deny", "{host} {to}");
    }
    // Cursor reports no exit status at all: its runs never count as passed checks.
    let (_d, root) = repo();
    let out = hook(
        "cursor",
        &root,
        &fixture("cursor", "post-test-passed", &root),
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    let out = hook("cursor", &root, &commit("cursor", &root));
    assert_eq!(out.json()["permission"], "deny", "{}", out.stdout);
    // Another session's passing run is not this session's evidence.
    let (_d, root) = repo();
    let post = fixture("codex", "post-test-passed", &root).replace("s-codex", "other");
    hook("codex", &root, &post);
    assert_eq!(
        visible("codex", &hook("codex", &root, &commit("codex", &root))),
        "deny"
    );
}

#[test]
fn codex_refuses_an_ask_until_a_person_approves_it() {
    let (_d, root) = repo();
    let call = fixture("codex", "shell-add-dependency", &root);
    let out = hook("codex", &root, &call);
    let reason = out.json()["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        reason.contains("Ask before adding dependencies."),
        "{reason}"
    );
    assert_eq!(last_decision(&root).as_deref(), Some("ask"));
    let start = reason.find("`agentgate approve").expect(&reason) + 1;
    let approve = &reason[start..start + reason[start..].find('`').unwrap()];
    assert!(
        approve.starts_with("agentgate approve --session s-codex --by <you> --rule "),
        "{approve}"
    );
    let rule = approve.rsplit(' ').next().unwrap();
    let ok = Command::cargo_bin("agentgate")
        .unwrap()
        .args([
            "approve",
            "--session",
            "s-codex",
            "--by",
            "@lead",
            "--rule",
            rule,
            "--root",
        ])
        .arg(&root)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = hook("codex", &root, &call);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    assert_eq!(last_decision(&root).as_deref(), Some("allow"));
}

#[test]
fn the_repository_comes_from_the_host_when_no_root_is_given() {
    let (_d, root) = repo();
    // Cursor names its workspace roots.
    let out = hook_in(
        "cursor",
        None,
        &fixture("cursor", "shell-force-push", &root),
        &[],
        &[],
    );
    assert_eq!(out.json()["permission"], "deny", "{}", out.stderr);
    // Gemini CLI sets GEMINI_PROJECT_DIR; its cwd may be a sub-folder.
    let input = fixture("gemini-cli", "edit-ssot", &root).replace(
        &format!("\"cwd\": \"{}\"", root.display()),
        &format!("\"cwd\": \"{}/src\"", root.display()),
    );
    let out = hook_in(
        "gemini-cli",
        None,
        &input,
        &[],
        &[("GEMINI_PROJECT_DIR", &root)],
    );
    assert_eq!(out.json()["decision"], "deny", "{}", out.stderr);
    // Codex and Copilot CLI give the working directory.
    for host in ["codex", "copilot-cli"] {
        let out = hook_in(
            host,
            None,
            &fixture(host, "shell-force-push", &root),
            &[],
            &[],
        );
        assert_eq!(visible(host, &out), "deny", "{host}: {}", out.stderr);
    }
}

#[test]
fn copilot_can_answer_allow_explicitly() {
    let (_d, root) = repo();
    let input = fixture("copilot-cli", "shell-benign", &root);
    let out = hook_in(
        "copilot-cli",
        Some(&root),
        &input,
        &["--explicit-allow"],
        &[],
    );
    assert_eq!(out.json(), json!({"permissionDecision": "allow"}));
    // Hosts whose protocol has no such answer do not take the flag.
    let out = hook_in(
        "codex",
        Some(&root),
        &fixture("codex", "shell-benign", &root),
        &["--explicit-allow"],
        &[],
    );
    assert_eq!(out.code, 2);
}
