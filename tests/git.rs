//! Change sets from git: staged, work tree, ranges and each commit, judged by the right policy.

use assert_cmd::Command;
use std::path::Path;

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A repository with one commit: a policy that protects `protected/**` and wants `true` run
/// before committing.
fn repo() -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "user.email", "t@example.com"]);
    git(d, &["config", "user.name", "t"]);
    write(
        d,
        "AGENTS.md",
        "- Never edit `protected/**`.\n- Never force push.\n",
    );
    write(d, "src/a.rs", "fn a() {}\n");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "init"]);
    Some(dir)
}

fn check(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::cargo_bin("agentgate")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (code, v)
}

#[test]
fn staged_changes_are_checked_as_a_commit() {
    let Some(dir) = repo() else { return };
    let d = dir.path();
    write(d, "protected/x", "x\n");
    git(d, &["add", "protected/x"]);
    let (code, v) = check(d, &["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(v["decision"], "deny");
    assert!(v["policy_source"].as_str().unwrap().starts_with("HEAD"));
    git(d, &["reset", "-q"]);
    write(d, "src/a.rs", "fn a() { }\n");
    git(d, &["add", "src/a.rs"]);
    let (code, v) = check(d, &["--staged"]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn renames_deletes_and_line_counts_come_from_git() {
    let Some(dir) = repo() else { return };
    let d = dir.path();
    write(d, "protected/keep.md", "k\n");
    git(d, &["add", "-A"]);
    git(
        d,
        &["commit", "-qm", "a protected file (committed by a human)"],
    );
    git(d, &["mv", "protected/keep.md", "moved.md"]);
    let (code, v) = check(d, &["--staged"]);
    assert_eq!(
        code, 1,
        "renaming out of a protected folder is a write to it: {v}"
    );
    git(d, &["reset", "-q", "--hard"]);
    write(d, "src/b.rs", "1\n2\n3\n");
    git(d, &["add", "-A"]);
    let plan =
        agentgate::git::change_set(&d.canonicalize().unwrap(), &agentgate::git::Source::Staged)
            .unwrap();
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].path, "src/b.rs");
    assert_eq!(plan.changes[0].added, 3);
    assert!(plan.commit);
}

#[test]
fn a_commit_that_relaxes_the_policy_is_judged_by_the_policy_before_it() {
    let Some(dir) = repo() else { return };
    let d = dir.path();
    git(d, &["checkout", "-qb", "feature"]);
    write(d, "AGENTS.md", "- Never force push.\n");
    git(d, &["commit", "-qam", "relax the policy"]);
    write(d, "protected/x", "x\n");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "use the relaxation"]);
    write(d, "src/a.rs", "fn a() { 1 }\n");
    git(d, &["commit", "-qam", "innocent"]);

    let (code, v) = check(d, &["--range", "main..feature"]);
    assert_eq!(code, 1);
    assert!(v["policy_source"].as_str().unwrap().contains("base main"));
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"builtin-policy-sources"), "{rules:?}");

    let (code, v) = check(d, &["--each-commit", "main..feature"]);
    assert_eq!(code, 1);
    let commits = v["commits"].as_array().unwrap();
    assert_eq!(commits.len(), 3, "{v}");
    let decisions: Vec<&str> = commits
        .iter()
        .map(|c| c["verdict"]["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["deny", "deny", "allow"]);
}

#[test]
fn each_commit_output_is_identical_across_thread_counts() {
    let Some(dir) = repo() else { return };
    let d = dir.path();
    for i in 0..6 {
        write(d, &format!("src/f{i}.rs"), "x\n");
        if i % 2 == 0 {
            write(d, &format!("protected/p{i}"), "x\n");
        }
        git(d, &["add", "-A"]);
        git(d, &["commit", "-qm", &format!("c{i}")]);
    }
    let run = |threads: &str| {
        Command::cargo_bin("agentgate")
            .unwrap()
            .current_dir(d)
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", "--each-commit", "HEAD~6..HEAD", "--format", "json"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run("1"), run("4"));
}

#[test]
fn worktree_includes_untracked_files() {
    let Some(dir) = repo() else { return };
    let d = dir.path();
    write(d, "protected/new", "x\n");
    let (code, _) = check(d, &["--worktree"]);
    assert_eq!(code, 1);
}

#[test]
fn bad_ranges_exit_2() {
    let Some(dir) = repo() else { return };
    let d = dir.path();
    Command::cargo_bin("agentgate")
        .unwrap()
        .current_dir(d)
        .args(["check", "--range", "main"])
        .assert()
        .code(2);
    Command::cargo_bin("agentgate")
        .unwrap()
        .current_dir(d)
        .args(["check", "--range", "nope..main"])
        .assert()
        .code(2);
    Command::cargo_bin("agentgate")
        .unwrap()
        .current_dir(d)
        .args(["check", "--staged", "--plan", "-"])
        .assert()
        .code(2);
}

#[test]
fn init_scaffolds_without_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "AGENTS.md", "- mine\n");
    Command::cargo_bin("agentgate")
        .unwrap()
        .args(["init", "--root", d.to_str().unwrap()])
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(d.join("AGENTS.md")).unwrap(),
        "- mine\n"
    );
    assert!(d.join(".pre-commit-config.yaml").exists());
    assert!(d.join(".github/workflows/agentgate.yml").exists());
    // The scaffolded AGENTS.md compiles to enforced rules and nothing unrecognised.
    let fresh = tempfile::tempdir().unwrap();
    Command::cargo_bin("agentgate")
        .unwrap()
        .args(["init", "--root", fresh.path().to_str().unwrap()])
        .assert()
        .code(0);
    let policy = agentgate::load_policy(fresh.path()).unwrap();
    assert!(policy.rules.len() >= 7, "{}", policy.rules.len());
    assert!(policy.unrecognised.is_empty(), "{:?}", policy.unrecognised);
}

#[test]
fn the_ci_workflow_and_hooks_are_well_formed() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let wf: serde_json::Value = yaml_serde::from_str(
        &std::fs::read_to_string(root.join("docs/agentgate-workflow.yml")).unwrap(),
    )
    .unwrap();
    let steps = wf["jobs"]["policy"]["steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| s["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif"))));
    assert!(steps.iter().any(|s| s["run"]
        .as_str()
        .is_some_and(|r| r.contains("--range") && r.contains("--format sarif"))));
    let hooks: serde_json::Value = yaml_serde::from_str(
        &std::fs::read_to_string(root.join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let ids: Vec<&str> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["agentgate", "agentgate-system"]);
    for h in hooks.as_array().unwrap() {
        assert_eq!(h["pass_filenames"], false);
        assert_eq!(h["entry"], "agentgate check --staged");
    }
    let doc = std::fs::read_to_string(root.join("docs/ci.md")).unwrap();
    assert!(doc.contains(
        std::fs::read_to_string(root.join("docs/agentgate-workflow.yml"))
            .unwrap()
            .lines()
            .nth(3)
            .unwrap()
    ));
}

#[test]
fn run_checks_runs_missing_obligations_and_counts_them_as_evidence() {
    let Some(dir) = repo() else { return };
    let d = dir.path();
    write(d, "AGENTS.md", "- Run `test -d src` before committing.\n- Run `test -d missing-folder` before committing.\n");
    git(d, &["commit", "-qam", "policy"]);
    write(d, "src/a.rs", "fn a() { 2 }\n");
    git(d, &["add", "-A"]);
    let (code, v) = check(d, &["--staged"]);
    assert_eq!(code, 1);
    let missing: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        missing.iter().any(|m| m.contains("`test -d src`")),
        "{missing:?}"
    );
    let (code, v) = check(d, &["--staged", "--run-checks"]);
    assert_eq!(code, 1, "the failing check still blocks");
    let left: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        left.iter().all(|m| !m.contains("`test -d src`")),
        "a passing run is evidence: {left:?}"
    );
    assert!(
        left.iter().any(|m| m.contains("missing-folder")),
        "{left:?}"
    );
}

#[test]
fn a_symlink_into_a_protected_folder_counts_as_a_write_to_it() {
    let Some(dir) = repo() else { return };
    let d = dir.path();
    write(d, "protected/real.md", "x\n");
    git(d, &["add", "-A"]);
    git(
        d,
        &["commit", "-qm", "a protected file (committed by a human)"],
    );
    std::os::unix::fs::symlink("protected/real.md", d.join("alias.md")).unwrap();
    git(d, &["add", "alias.md"]);
    let (code, v) = check(d, &["--staged"]);
    assert_eq!(code, 1, "{v}");
    git(d, &["reset", "-q", "--hard"]);
    std::fs::remove_file(d.join("alias.md")).ok();
    std::os::unix::fs::symlink("src/a.rs", d.join("alias.rs")).unwrap();
    git(d, &["add", "alias.rs"]);
    let (code, v) = check(d, &["--staged"]);
    assert_eq!(code, 0, "a link to an unprotected file is fine: {v}");
}

/// `AGENTS.md -> CLAUDE.md` (a common layout): the rules behind the link apply, in the work
/// tree and at a revision, and the file it points at is protected like the link.
#[cfg(unix)]
#[test]
fn a_linked_agents_md_is_read_through_its_link() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "user.email", "t@example.com"]);
    git(d, &["config", "user.name", "t"]);
    write(d, "CLAUDE.md", "- Never edit `protected/**`.\n");
    std::os::unix::fs::symlink("CLAUDE.md", d.join("AGENTS.md")).unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "init"]);
    let plan = d.join("plan.json");
    for (change, want) in [("protected/x", 1), ("CLAUDE.md", 1), ("src/a.rs", 0)] {
        std::fs::write(
            &plan,
            format!(r#"{{"changes": [{{"path": "{change}", "op": "modify"}}]}}"#),
        )
        .unwrap();
        let (code, _) = check(d, &["--plan", plan.to_str().unwrap()]);
        assert_eq!(code, want, "{change}");
    }
    std::fs::remove_file(&plan).unwrap();
    // Staged: judged by the policy at HEAD, read through the committed link.
    write(d, "protected/x", "x\n");
    git(d, &["add", "protected/x"]);
    let (code, v) = check(d, &["--staged"]);
    assert_eq!(code, 1, "{v}");
    git(d, &["reset", "-q", "--hard"]);
    write(
        d,
        "CLAUDE.md",
        "- Never edit `protected/**`.\n- Also this.\n",
    );
    git(d, &["add", "CLAUDE.md"]);
    let (code, v) = check(d, &["--staged"]);
    assert_eq!(
        code, 1,
        "editing the link's target is editing the policy: {v}"
    );
}

/// A policy file linked outside the repository, or to nothing, fails closed.
#[cfg(unix)]
#[test]
fn a_policy_link_leaving_the_repository_is_an_error() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "rules.md", "- Never force push.\n");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let lint_fails_with = |message: &str| {
        let out = Command::cargo_bin("agentgate")
            .unwrap()
            .args(["lint", "--root", d.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains(message));
    };
    std::os::unix::fs::symlink(outside.path().join("rules.md"), d.join("AGENTS.md")).unwrap();
    lint_fails_with("outside the repository");
    std::fs::remove_file(d.join("AGENTS.md")).unwrap();
    std::os::unix::fs::symlink("missing.md", d.join("AGENTS.md")).unwrap();
    lint_fails_with("broken symbolic link");
}
