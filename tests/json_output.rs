//! The JSON verdict contract (docs/json-output.md, docs/verdict.schema.json): every example
//! plan's verdict, a batch and an each-commit run validate against the schema; every finding says
//! what to do instead; one full verdict is snapshotted.

mod common;

use std::path::Path;
use std::process::Command as Std;

use agentgate::engine::EngineKind;
use assert_cmd::Command;
use serde_json::Value;

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(common::root().join("docs/verdict.schema.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&v).unwrap()
}

fn errors(v: &Value) -> Vec<String> {
    schema()
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

fn example() -> std::path::PathBuf {
    common::root()
        .join("examples/neuronx")
        .canonicalize()
        .unwrap()
}

fn plans() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(example().join("plans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("error-")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_example_verdict_validates_with_both_engines() {
    let root = example();
    let policy = agentgate::load_policy(&root).unwrap();
    for (name, text) in plans() {
        for engine in [EngineKind::Native, EngineKind::Rego] {
            let v = agentgate::check_plan_with(&root, &policy, &text, &name, engine).unwrap();
            let json: Value = serde_json::from_str(&agentgate::report::json(&v)).unwrap();
            let errs = errors(&json);
            assert!(errs.is_empty(), "{name} ({engine:?}):\n{}", errs.join("\n"));
        }
    }
}

/// "What to do instead": an instruction, never a pointer back at the rule.
#[test]
fn every_finding_says_what_to_do_instead() {
    let root = example();
    let policy = agentgate::load_policy(&root).unwrap();
    let mut seen = 0;
    for (name, text) in plans() {
        for engine in [EngineKind::Native, EngineKind::Rego] {
            let v = agentgate::check_plan_with(&root, &policy, &text, &name, engine).unwrap();
            for f in &v.findings {
                seen += 1;
                let h = f.help.to_lowercase();
                assert!(
                    !h.starts_with("see ") && h.len() > 12,
                    "{name} {engine:?} {}: help `{}` does not say what to do",
                    f.rule,
                    f.help
                );
                let verbs = [
                    "leave",
                    "do not",
                    "run ",
                    "ask ",
                    "read ",
                    "add ",
                    "also change",
                    "split",
                    "write",
                    "change",
                    "get ",
                    "fix",
                ];
                assert!(
                    verbs.iter().any(|v| h.starts_with(v)),
                    "{name} {engine:?} {}: help `{}` is not an instruction",
                    f.rule,
                    f.help
                );
            }
        }
    }
    assert!(seen > 20, "only {seen} findings over the examples");
}

#[test]
fn help_names_the_reviewer_and_the_check() {
    let root = example();
    let policy = agentgate::load_policy(&root).unwrap();
    let text = std::fs::read_to_string(root.join("plans/ask-billing-without-review.json")).unwrap();
    let v = agentgate::check_plan(&root, &policy, &text, "p").unwrap();
    assert!(
        v.findings
            .iter()
            .any(|f| f.help.starts_with("ask `@payments` for review")),
        "{:#?}",
        v.findings
    );
    let text = std::fs::read_to_string(root.join("plans/deny-commit-without-tests.json")).unwrap();
    let v = agentgate::check_plan(&root, &policy, &text, "p").unwrap();
    assert!(
        v.findings
            .iter()
            .any(|f| f.help.starts_with("run `cargo test` first")),
        "{:#?}",
        v.findings
    );
}

#[test]
fn a_full_verdict_is_snapshotted() {
    let root = example();
    let policy = agentgate::load_policy(&root).unwrap();
    let text = std::fs::read_to_string(root.join("plans/deny-commit-without-tests.json")).unwrap();
    let v = agentgate::check_plan(
        &root,
        &policy,
        &text,
        "plans/deny-commit-without-tests.json",
    )
    .unwrap();
    let json: Value = serde_json::from_str(&agentgate::report::json(&v)).unwrap();
    insta::assert_json_snapshot!(json, { ".policy_digest" => "[digest]" });
}

#[test]
fn the_schema_rejects_what_is_not_a_verdict() {
    let root = example();
    let policy = agentgate::load_policy(&root).unwrap();
    let text = std::fs::read_to_string(root.join("plans/deny-force-push.json")).unwrap();
    let v = agentgate::check_plan(&root, &policy, &text, "p").unwrap();
    let good: Value = serde_json::from_str(&agentgate::report::json(&v)).unwrap();
    assert!(errors(&good).is_empty());
    let mut bad = good.clone();
    bad["decision"] = "maybe".into();
    assert!(!errors(&bad).is_empty(), "a bad decision validates");
    let mut bad = good.clone();
    bad["findings"][0].as_object_mut().unwrap().remove("help");
    assert!(!errors(&bad).is_empty(), "a finding without help validates");
    let mut bad = good.clone();
    bad["schema_version"] = "2".into();
    assert!(!errors(&bad).is_empty(), "another schema version validates");
    let mut bad = good;
    bad["surprise"] = 1.into();
    assert!(!errors(&bad).is_empty(), "an unknown field validates");
}

#[test]
fn a_batch_of_plans_validates() {
    let out = Command::cargo_bin("agentgate")
        .unwrap()
        .args(["check", "--format", "json", "--root"])
        .arg(example())
        .arg("--plan")
        .arg(example().join("plans"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "the folder holds an error-* plan"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["plans"].as_array().unwrap().len() > 20);
    assert!(v["plans"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["error"].is_string()));
    let errs = errors(&v);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Std::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn an_each_commit_run_validates() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "user.email", "t@example.com"]);
    git(d, &["config", "user.name", "t"]);
    std::fs::write(d.join("AGENTS.md"), "- Do not edit `protected/**`.\n").unwrap();
    std::fs::create_dir_all(d.join("protected")).unwrap();
    std::fs::write(d.join("protected/x"), "1\n").unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "init"]);
    git(d, &["checkout", "-qb", "feature"]);
    std::fs::write(d.join("protected/x"), "2\n").unwrap();
    git(d, &["commit", "-qam", "touch protected"]);
    std::fs::write(d.join("a.txt"), "a\n").unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "innocent"]);
    let out = Command::cargo_bin("agentgate")
        .unwrap()
        .current_dir(d)
        .args([
            "check",
            "--format",
            "json",
            "--each-commit",
            "main..feature",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["commits"].as_array().unwrap().len(), 2);
    let errs = errors(&v);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

/// The examples in docs/json-output.md are what agentgate prints.
#[test]
fn the_documented_single_verdict_validates() {
    let doc = std::fs::read_to_string(common::root().join("docs/json-output.md")).unwrap();
    let start = doc.find("```json\n").unwrap() + 8;
    let end = start + doc[start..].find("```").unwrap();
    let v: Value = serde_json::from_str(&doc[start..end]).unwrap();
    let errs = errors(&v);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}
