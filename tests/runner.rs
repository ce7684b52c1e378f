//! The runner: nothing runs unless the whole plan passes, each step is re-checked, everything
//! lands in a log that verifies, and a killed run resumes without running a finished step again.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

const POLICY: &str = "# Rules

- Never force push.
- Do not modify `docs/SSOT/**`.
- Do not run `terraform apply`.
- Run `sh check.sh` before committing.
- Ask before adding dependencies.
";

/// A repository with the policy above, an SSOT file and a passing `check.sh`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("AGENTS.md"), POLICY).unwrap();
    std::fs::create_dir_all(root.join("docs/SSOT")).unwrap();
    std::fs::write(root.join("docs/SSOT/index.md"), "# SSOT\n").unwrap();
    std::fs::write(root.join("check.sh"), "exit 0\n").unwrap();
    dir
}

fn agentgate(root: &Path) -> Command {
    let mut c = Command::cargo_bin("agentgate").unwrap();
    c.env("NO_COLOR", "1").current_dir(root);
    c
}

fn write_plan(root: &Path, name: &str, plan: Value) -> PathBuf {
    let path = root.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    path
}

fn run(root: &Path, plan: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = agentgate(root)
        .args(["run", "--root"])
        .arg(root)
        .arg("--plan")
        .arg(plan)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn log(root: &Path) -> PathBuf {
    root.join(".agentgate/audit.jsonl")
}

fn events(root: &Path) -> Vec<Value> {
    std::fs::read_to_string(log(root))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["event"].clone())
        .collect()
}

fn types(root: &Path) -> Vec<String> {
    events(root)
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

fn verify(root: &Path) -> (i32, String) {
    let out = agentgate(root)
        .args(["audit", "verify"])
        .arg(log(root))
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn a_plan_with_a_forbidden_step_runs_no_step_at_all() {
    let dir = repo();
    let root = dir.path();
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-deny", "commands": [
            {"run": "echo one > first.txt"},
            {"run": "git -C . push -f origin main"}
        ]}),
    );
    let (code, json, _) = run(root, &plan, &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["run"]["outcome"], "refused");
    assert!(!root.join("first.txt").exists(), "step 1 must not run");
    assert_eq!(types(root), ["decision", "run-finished"]);
    assert_eq!(events(root)[0]["decision"], "deny");
    assert!(events(root)[0]["reason"]
        .as_str()
        .unwrap()
        .contains("Never force push."));
    assert_eq!(verify(root).0, 0);
}

#[test]
fn the_human_report_of_a_refused_plan_quotes_the_policy() {
    let dir = repo();
    let root = dir.path();
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-h", "commands": [{"run": "terraform apply"}]}),
    );
    let out = agentgate(root)
        .args(["run", "--root"])
        .arg(root)
        .arg("--plan")
        .arg(&plan)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Do not run `terraform apply`."), "{stdout}");
    assert!(stdout.contains("AGENTS.md:5"), "{stdout}");
    assert!(stdout.contains("session s-h refused"), "{stdout}");
}

#[test]
fn an_allowed_plan_runs_in_order_and_leaves_a_log_that_verifies() {
    let dir = repo();
    let root = dir.path();
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-ok", "commands": [
            {"run": "echo one >> out.txt"},
            {"run": "printf 'two\\n' >> out.txt"},
            {"run": "sh check.sh"}
        ]}),
    );
    let (code, json, stderr) = run(root, &plan, &[]);
    assert_eq!(code, 0, "{json} {stderr}");
    assert_eq!(
        std::fs::read_to_string(root.join("out.txt")).unwrap(),
        "one\ntwo\n"
    );
    let steps = json["run"]["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["status"] == "passed"));
    assert_eq!(steps[2]["how"], "directly");
    assert_eq!(steps[0]["how"], "with sh -c");
    let (vcode, vout) = verify(root);
    assert_eq!(vcode, 0, "{vout}");
    assert!(vout.contains("intact"), "{vout}");
    let t = types(root);
    assert_eq!(t.iter().filter(|t| *t == "ran").count(), 3);
    // Each step was judged just before it ran.
    assert_eq!(t.iter().filter(|t| *t == "decision").count(), 4);
    let show = agentgate(root)
        .args(["audit", "show", "--root"])
        .arg(root)
        .output()
        .unwrap();
    let show = String::from_utf8_lossy(&show.stdout);
    assert!(
        show.contains("step 2 `printf 'two\\n' >> out.txt` passed"),
        "{show}"
    );
}

/// A log with six records from a real run: plan decision, run started, step decision, step
/// started, ran, run finished.
fn six_record_log() -> tempfile::TempDir {
    let dir = repo();
    let root = dir.path();
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-log", "commands": [{"run": "sh check.sh"}]}),
    );
    assert_eq!(run(root, &plan, &[]).0, 0);
    assert_eq!(types(root).len(), 6);
    dir
}

fn lines(root: &Path) -> Vec<String> {
    std::fs::read_to_string(log(root))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Tamper with a real log's lines, then verify it through the CLI: exit 1 and the message.
fn tampered(tamper: impl FnOnce(&mut Vec<String>)) -> String {
    let dir = six_record_log();
    let root = dir.path();
    let mut l = lines(root);
    tamper(&mut l);
    std::fs::write(log(root), l.join("\n") + "\n").unwrap();
    let (code, out) = verify(root);
    assert_eq!(code, 1, "{out}");
    out
}

#[test]
fn audit_verify_names_the_record_of_a_changed_byte() {
    let out = tampered(|l| {
        assert!(l[3].contains("\"step\":0"));
        l[3] = l[3].replacen("\"step\":0", "\"step\":1", 1);
    });
    assert!(out.contains("record 4 (line 4)"), "{out}");
}

#[test]
fn audit_verify_names_the_record_of_a_removed_line() {
    let out = tampered(|l| {
        l.remove(1);
    });
    assert!(out.contains("record 2 (line 2)"), "{out}");
}

#[test]
fn audit_verify_names_the_record_of_swapped_lines() {
    let out = tampered(|l| l.swap(3, 4));
    assert!(out.contains("record 4 (line 4)"), "{out}");
}

#[test]
fn audit_verify_names_the_record_of_a_cut_tail() {
    let out = tampered(|l| l.truncate(4));
    assert!(
        out.contains("record 5") && out.contains("cut off the end"),
        "{out}"
    );
}

#[test]
fn audit_verify_names_an_inserted_record() {
    let out = tampered(|l| {
        let copy = l[1].clone();
        l.insert(2, copy);
    });
    assert!(out.contains("record 3 (line 3)"), "{out}");
}

#[test]
fn audit_verify_of_a_missing_log_is_an_error() {
    let dir = repo();
    let (code, out) = verify(dir.path());
    assert_eq!(code, 2, "{out}");
}

/// A run in the background, to be killed or interrupted.
fn spawn_run(root: &Path, plan: &Path) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("agentgate"))
        .args(["run", "--root"])
        .arg(root)
        .arg("--plan")
        .arg(plan)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Wait until the audit log shows `step` (0-based) started.
fn wait_for_step(root: &Path, step: u64) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if events(root)
            .iter()
            .any(|e| e["type"] == "step-started" && e["step"] == step)
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("step {step} never started");
}

#[test]
fn a_run_killed_during_step_2_resumes_without_running_step_1_again() {
    let dir = repo();
    let root = dir.path();
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-kill", "commands": [
            {"run": "echo ran >> count.txt"},
            {"run": "test -f go || sleep 20"},
            {"run": "echo done > done.txt"}
        ]}),
    );
    let mut first = spawn_run(root, &plan);
    wait_for_step(root, 1);
    // The session is locked while it runs.
    let (code, _, stderr) = run(root, &plan, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("already running"), "{stderr}");
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    // Starting it afresh is refused: it has an unfinished run.
    let (code, _, stderr) = run(root, &plan, &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--resume s-kill"), "{stderr}");
    std::fs::write(root.join("go"), "").unwrap();
    let out = agentgate(root)
        .args(["run", "--root"])
        .arg(root)
        .args(["--resume", "s-kill", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{json}");
    assert_eq!(
        std::fs::read_to_string(root.join("count.txt")).unwrap(),
        "ran\n",
        "step 1 ran twice"
    );
    assert!(root.join("done.txt").exists());
    assert_eq!(json["run"]["steps"][0]["status"], "skipped");
    assert_eq!(json["run"]["steps"][1]["status"], "passed");
    let (vcode, vout) = verify(root);
    assert_eq!(vcode, 0, "{vout}");
    let started: Vec<u64> = events(root)
        .iter()
        .filter(|e| e["type"] == "step-started")
        .map(|e| e["step"].as_u64().unwrap())
        .collect();
    assert_eq!(started, [0, 1, 1, 2]);
    // Nothing left to resume.
    let again = agentgate(root)
        .args(["run", "--root"])
        .arg(root)
        .args(["--resume", "s-kill"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn a_commit_never_runs_before_the_check_it_needs_has_passed() {
    let dir = repo();
    let root = dir.path();
    std::fs::write(root.join("check.sh"), "exit 1\n").unwrap();
    let git = |args: &[&str]| {
        assert!(std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .unwrap()
            .status
            .success())
    };
    git(&["init", "-q"]);
    // The commit before its check: refused as a whole. (An empty commit in a plan that
    // changes nothing makes no check of code due, so this one commits a change.)
    let wrong_order = write_plan(
        root,
        "a.json",
        serde_json::json!({"session": "s-order", "changes": [{"path": "src/lib.rs", "op": "add", "added": 1}],
            "commands": [
            {"run": "git commit -a -m wip"},
            {"run": "sh check.sh"}
        ]}),
    );
    let (code, json, _) = run(root, &wrong_order, &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        json["run"]["verdict"]["findings"][0]["kind"],
        "required-check"
    );
    // The check first, failing: the commit never runs.
    let plan = write_plan(
        root,
        "b.json",
        serde_json::json!({"session": "s-commit", "commands": [
            {"run": "sh check.sh"},
            {"run": "git -c user.name=t -c user.email=t@example.com commit --allow-empty -m wip"}
        ]}),
    );
    let (code, json, _) = run(root, &plan, &[]);
    assert_eq!(code, 3, "{json}");
    assert_eq!(json["run"]["outcome"], "failed");
    assert_eq!(json["run"]["steps"][1]["status"], "pending");
    let log = std::process::Command::new("git")
        .args(["log", "--oneline"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        !log.status.success() || log.stdout.is_empty(),
        "a commit was made"
    );
}

#[test]
fn the_plans_own_approvals_are_not_trusted_but_recorded_ones_are() {
    let dir = repo();
    let root = dir.path();
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-dep",
            "actions": [{"kind": "dependency", "target": "serde"}],
            "commands": [{"run": "sh check.sh"}],
            "evidence": {"approvals": [{"by": "@me"}]}}),
    );
    // `check` takes the plan's word for it.
    agentgate(root)
        .args(["check", "--root"])
        .arg(root)
        .arg("--plan")
        .arg(&plan)
        .assert()
        .code(0);
    let (code, json, _) = run(root, &plan, &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["run"]["ignored_claims"], 1);
    agentgate(root)
        .args(["approve", "--session", "s-dep", "--by", "@lead", "--root"])
        .arg(root)
        .assert()
        .code(0);
    let (code, json, _) = run(root, &plan, &[]);
    assert_eq!(code, 0, "{json}");
}

#[test]
fn a_symlink_made_by_an_earlier_step_does_not_carry_a_write_into_a_protected_path() {
    let dir = repo();
    let root = dir.path();
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-link", "commands": [
            {"run": "ln -s docs/SSOT/index.md notes.md"},
            {"run": "echo pwned >> notes.md"}
        ]}),
    );
    let (code, json, _) = run(root, &plan, &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["run"]["steps"][0]["status"], "passed");
    assert_eq!(json["run"]["steps"][1]["status"], "pending");
    assert!(json["run"]["reason"]
        .as_str()
        .unwrap()
        .contains("docs/SSOT/index.md"));
    assert_eq!(
        std::fs::read_to_string(root.join("docs/SSOT/index.md")).unwrap(),
        "# SSOT\n"
    );
}

#[test]
fn a_step_over_its_time_limit_is_stopped() {
    let dir = repo();
    let root = dir.path();
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-slow", "commands": [
            {"run": "sleep 30", "timeout_s": 1},
            {"run": "echo never > never.txt"}
        ]}),
    );
    let start = Instant::now();
    let (code, json, _) = run(root, &plan, &[]);
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(code, 3, "{json}");
    assert_eq!(json["run"]["steps"][0]["ended_by"], "timeout after 1 s");
    assert!(!root.join("never.txt").exists());
}

#[test]
fn dry_run_runs_nothing_and_writes_nothing() {
    let dir = repo();
    let root = dir.path();
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-dry", "commands": [{"run": "echo x > x.txt"}]}),
    );
    let out = agentgate(root)
        .args(["run", "--dry-run", "--root"])
        .arg(root)
        .arg("--plan")
        .arg(&plan)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("would run with sh -c"));
    assert!(!root.join("x.txt").exists());
    assert!(!root.join(".agentgate").exists(), "a dry run wrote state");
}

#[test]
fn bounds_and_bad_input_exit_2() {
    let dir = repo();
    let root = dir.path();
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-many", "commands": [{"run": "true"}, {"run": "true"}, {"run": "true"}]}),
    );
    let (code, _, stderr) = run(root, &plan, &["--max-steps", "2"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("more than the limit of 2"), "{stderr}");
    let bad = write_plan(
        root,
        "bad.json",
        serde_json::json!({"session": "../escape", "commands": [{"run": "true"}]}),
    );
    let (code, _, stderr) = run(root, &bad, &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid session name"), "{stderr}");
    let (code, _, stderr) = run(root, &plan, &["--store", "memcached://x"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown session store"), "{stderr}");
}

#[test]
fn the_context_store_keeps_what_a_session_did() {
    let dir = repo();
    let root = dir.path();
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-ctx", "commands": [{"run": "sh check.sh"}, {"run": "terraform apply"}]}),
    );
    assert_eq!(run(root, &plan, &[]).0, 1);
    let ok = write_plan(
        root,
        "ok.json",
        serde_json::json!({"session": "s-ctx", "commands": [{"run": "sh check.sh"}]}),
    );
    assert_eq!(run(root, &ok, &[]).0, 0);
    let list = agentgate(root)
        .args(["context", "--root"])
        .arg(root)
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(
        list.contains("s-ctx") && list.contains("completed"),
        "{list}"
    );
    let show = agentgate(root)
        .args(["context", "s-ctx", "--json", "--root"])
        .arg(root)
        .output()
        .unwrap();
    let ctx: Value = serde_json::from_slice(&show.stdout).unwrap();
    let runs = ctx["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["outcome"], "refused");
    assert_eq!(
        runs[0]["denied"][0]["sentence"],
        "Do not run `terraform apply`."
    );
    assert_eq!(runs[1]["outcome"], "completed");
    assert_eq!(runs[1]["evidence"]["checks"][0]["command"], "sh check.sh");
    assert_eq!(runs[1]["evidence"]["checks"][0]["status"], "passed");
}

#[test]
fn a_policy_changed_during_the_run_is_checked_again_before_the_next_step() {
    use agentgate::runner::{session::FileStore, Limits, Outcome, Runner, Start};
    let dir = repo();
    let root = dir.path().canonicalize().unwrap();
    let plan = serde_json::json!({"session": "s-policy", "commands": [
        {"run": "sh check.sh"},
        {"run": "echo later > later.txt"}
    ]})
    .to_string();
    let agents = root.join("AGENTS.md");
    // A person tightens the policy while step 1 runs.
    let mut progress = |line: &str| {
        if line.starts_with("step 1/2: passed") {
            let text = std::fs::read_to_string(&agents).unwrap();
            std::fs::write(&agents, text + "- Do not modify `later.txt`.\n").unwrap();
        }
    };
    let mut runner = Runner {
        root: root.clone(),
        audit: agentgate::audit::AuditLog::open(&log(&root)).unwrap(),
        store: Box::new(FileStore::for_root(&root)),
        limits: Limits::default(),
        engine: agentgate::engine::EngineKind::Native,
        dry_run: false,
        progress: &mut progress,
    };
    let report = runner
        .run(Start::Plan {
            name: "plan.json".into(),
            text: plan,
        })
        .unwrap();
    assert_eq!(report.outcome, Outcome::Refused, "{report:?}");
    assert!(report.reason.unwrap().contains("policy changed"));
    assert!(!root.join("later.txt").exists());
    let digests: Vec<String> = events(&root)
        .iter()
        .filter(|e| e["type"] == "decision")
        .map(|e| e["policy_digest"].as_str().unwrap().to_string())
        .collect();
    assert_ne!(digests.first(), digests.last());
}

#[test]
fn agents_cannot_touch_the_audit_trail_or_approve_themselves() {
    let dir = repo();
    let root = dir.path();
    for (session, command) in [
        ("s-t1", "echo forged >> .agentgate/audit.jsonl"),
        ("s-t2", "rm -rf ./.agentgate//sessions"),
        (
            "s-t3",
            "/usr/local/bin/agentgate approve --session s-t3 --by @lead",
        ),
        ("s-t4", "sed -i s/a/b/ agentgate.toml"),
    ] {
        let plan = write_plan(
            root,
            "plan.json",
            serde_json::json!({"session": session, "commands": [{"run": command}]}),
        );
        let (code, json, _) = run(root, &plan, &[]);
        assert_eq!(code, 1, "{command}: {json}");
        assert_eq!(
            json["run"]["verdict"]["findings"][0]["rule"], "builtin-agentgate-state",
            "{command}"
        );
    }
    // Reading the log is fine.
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-t5", "commands": [{"run": "cat .agentgate/audit.jsonl"}]}),
    );
    assert_eq!(run(root, &plan, &[]).0, 0);
    assert_eq!(verify(root).0, 0);
}

#[test]
fn an_interrupted_run_stops_its_step_and_can_be_resumed() {
    let dir = repo();
    let root = dir.path();
    let plan = write_plan(
        root,
        "plan.json",
        serde_json::json!({"session": "s-int", "commands": [
            {"run": "sleep 2; echo late > late.txt"}
        ]}),
    );
    let mut child = spawn_run(root, &plan);
    wait_for_step(root, 0);
    let term = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    // The step's shell and its `sleep` were stopped with it.
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        !root.join("late.txt").exists(),
        "the step went on after the interrupt"
    );
    let t = types(root);
    assert_eq!(t.last().unwrap(), "run-finished");
    let out = agentgate(root)
        .args(["run", "--root"])
        .arg(root)
        .args(["--resume", "s-int"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(root.join("late.txt").exists());
    assert_eq!(verify(root).0, 0);
}
