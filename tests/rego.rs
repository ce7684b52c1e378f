//! Custom Rego: broken or failing policies exit 2 naming file and line — never a silent pass.

use assert_cmd::Command;
use predicates::prelude::*;

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn check(dir: &tempfile::TempDir, plan: &str) -> assert_cmd::assert::Assert {
    Command::cargo_bin("agentgate")
        .unwrap()
        .env("NO_COLOR", "1")
        .args([
            "check",
            "--root",
            dir.path().to_str().unwrap(),
            "--plan",
            "-",
        ])
        .write_stdin(plan.to_string())
        .assert()
}

#[test]
fn a_broken_rego_block_exits_2_naming_file_and_line() {
    let dir = repo(&[("AGENTS.md", "# Rules\n\n```rego\npackage main\n\ndeny contains msg if {\n  msg := \"x\"\n  some c in input.changes {\n}\n```\n")]);
    check(&dir, "{}")
        .code(2)
        .stderr(predicate::str::contains("AGENTS.md:8"))
        .stderr(predicate::str::contains("does not parse"));
}

#[test]
fn an_evaluation_error_exits_2() {
    let dir = repo(&[
        ("AGENTS.md", "- Never force push.\n"),
        (
            ".agentgate/policy/x.rego",
            "package main\n\nimport rego.v1\n\ndeny contains \"x\" if {\n  1 / 0 == 1\n}\n",
        ),
    ]);
    check(&dir, "{}")
        .code(2)
        .stderr(predicate::str::contains("failed to evaluate"))
        .stderr(predicate::str::contains(".agentgate/policy/x.rego"));
}

#[test]
fn a_result_of_the_wrong_shape_exits_2() {
    let dir = repo(&[("AGENTS.md", "```rego\npackage main\n\nimport rego.v1\n\ndeny contains {\"message\": \"no msg field\"} if { true }\n```\n")]);
    check(&dir, "{}")
        .code(2)
        .stderr(predicate::str::contains("msg"));
}

#[test]
fn other_packages_are_not_run() {
    let dir = repo(&[("AGENTS.md", "```rego\npackage library.helpers\n\nimport rego.v1\n\ndeny contains \"x\" if { true }\n```\n")]);
    check(&dir, "{}").code(0);
}

#[test]
fn a_bad_config_exits_2() {
    let dir = repo(&[
        ("AGENTS.md", "- Never force push.\n"),
        ("agentgate.toml", "[policy]\ndirectory = \"x\"\n"),
    ]);
    check(&dir, "{}")
        .code(2)
        .stderr(predicate::str::contains("agentgate.toml"));
}

#[test]
fn custom_rules_are_part_of_the_digest() {
    let a = repo(&[("AGENTS.md", "- Never force push.\n")]);
    let b = repo(&[
        ("AGENTS.md", "- Never force push.\n"),
        (".agentgate/policy/x.rego", "package main\n"),
    ]);
    let digest = |d: &tempfile::TempDir| agentgate::load_policy(d.path()).unwrap().digest;
    assert_ne!(digest(&a), digest(&b));
}
