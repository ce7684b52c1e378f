//! The command line: exit codes scripts can trust, JSON only on stdout, errors with a location.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;

fn agentgate() -> Command {
    let mut c = Command::cargo_bin("agentgate").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn example() -> String {
    common::root()
        .join("examples/neuronx")
        .display()
        .to_string()
}

fn plan(name: &str) -> String {
    common::root()
        .join("examples/neuronx/plans")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn help_teaches_exit_codes_and_plan_format() {
    agentgate()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"));
    agentgate()
        .args(["check", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"changes\""));
}

#[test]
fn allowed_plan_exits_0() {
    agentgate()
        .args([
            "check",
            "--root",
            &example(),
            "--plan",
            &plan("allow-feature.json"),
        ])
        .assert()
        .code(0);
}

#[test]
fn denied_plan_exits_1_with_json_verdict_only() {
    let out = agentgate()
        .args([
            "check",
            "--root",
            &example(),
            "--plan",
            &plan("deny-force-push.json"),
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value =
        serde_json::from_slice(&out).expect("stdout is exactly one JSON document");
    assert_eq!(v["decision"], "deny");
    assert!(v["policy_digest"].as_str().unwrap().starts_with("sha256:"));
    let f = &v["findings"][0];
    assert_eq!(f["origin"]["file"], "AGENTS.md");
    assert!(f["origin"]["line"].as_u64().unwrap() >= 1);
}

#[test]
fn ask_exits_1_and_says_ask() {
    let out = agentgate()
        .args([
            "check",
            "--root",
            &example(),
            "--plan",
            &plan("ask-add-dependency.json"),
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["decision"], "ask");
}

#[test]
fn human_output_names_the_sentence_and_a_fix() {
    agentgate()
        .args([
            "check",
            "--root",
            &example(),
            "--plan",
            &plan("deny-ssot-edit.json"),
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("AGENTS.md:9"))
        .stdout(predicate::str::contains("help:"))
        .stdout(predicate::str::contains("deny"));
}

#[test]
fn plan_from_stdin_and_yaml() {
    agentgate()
        .args([
            "check",
            "--root",
            &example(),
            "--plan",
            "-",
            "--format",
            "json",
        ])
        .write_stdin(r#"{"commands": [{"run": "git push --force-with-lease"}]}"#)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"deny\""));
    agentgate()
        .args([
            "check",
            "--root",
            &example(),
            "--plan",
            &plan("allow-feature.yaml"),
        ])
        .assert()
        .code(0);
    agentgate()
        .args(["check", "--root", &example(), "--plan", "-"])
        .write_stdin("{}")
        .assert()
        .code(0);
}

#[test]
fn bad_plans_exit_2_with_a_located_message() {
    agentgate()
        .args(["check", "--root", &example(), "--plan", "-"])
        .write_stdin(r#"{"chnages": []}"#)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("chnages"));
    agentgate()
        .args(["check", "--root", &example(), "--plan", "-"])
        .write_stdin(r#"{"changes": [{"path": "a", "op": "edit"}]}"#)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("edit"));
    agentgate()
        .args(["check", "--root", &example(), "--plan", "-"])
        .write_stdin("{\"changes\": [")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 1"));
    agentgate()
        .args([
            "check",
            "--root",
            &example(),
            "--plan",
            &plan("error-path-malformed.json"),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("NUL character"));
    agentgate()
        .args([
            "check",
            "--root",
            &example(),
            "--plan",
            "/nonexistent/plan.json",
        ])
        .assert()
        .code(2);
    agentgate()
        .args(["check", "--root", &example(), "--plan", "-"])
        .write_stdin(r#"{"commands": [{"run": "echo \"unterminated"}]}"#)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot parse shell command"));
}

#[test]
fn empty_input_fails_closed() {
    for text in ["", "null", "# nothing planned\n", "---\n"] {
        agentgate()
            .args(["check", "--root", &example(), "--plan", "-"])
            .write_stdin(text)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is empty"));
    }
    // An explicit empty object is a plan that does nothing.
    agentgate()
        .args(["check", "--root", &example(), "--plan", "-"])
        .write_stdin("{}")
        .assert()
        .code(0);
}

#[cfg(unix)]
#[test]
fn an_endless_plan_file_stops_at_the_limit() {
    agentgate()
        .args(["check", "--root", &example(), "--plan", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than the limit"));
}

#[test]
fn usage_errors_exit_2() {
    agentgate().args(["check"]).assert().code(2);
    agentgate()
        .args(["check", "--root", "/nonexistent/dir", "--plan", "-"])
        .write_stdin("{}")
        .assert()
        .code(2);
    agentgate().args(["frobnicate"]).assert().code(2);
}

fn repo(agents: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("AGENTS.md"), agents).unwrap();
    dir
}

#[test]
fn broken_agentgate_block_exits_2_naming_file_and_line() {
    let dir = repo(
        "# Rules\n\n```agentgate\nAgents MUST NOT modify `a/**`.\nthis line means nothing\n```\n",
    );
    agentgate()
        .args(["compile", "--root", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("AGENTS.md:5"))
        .stderr(predicate::str::contains("this line means nothing"));
}

#[test]
fn invalid_glob_in_a_recognised_statement_exits_2() {
    let dir = repo("- Never edit `src/[abc`.\n");
    agentgate()
        .args(["compile", "--root", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid glob"));
}

#[test]
fn compile_prints_rules_and_digest_and_accepts_unknown_prose() {
    let dir = repo("Welcome to the project.\n\nWe like tidy code, and tests must be meaningful.\n\n- Never force push.\n");
    let out = agentgate()
        .args(["compile", "--root", dir.path().to_str().unwrap()])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["kind"] == "action-deny"));
    assert!(v["digest"].as_str().unwrap().starts_with("sha256:"));
    assert!(!v["unrecognised"].as_array().unwrap().is_empty());
}

#[test]
fn root_defaults_to_the_git_top_level() {
    let dir = repo("- Never edit `protected/**`.\n");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status();
    if !git.map(|s| s.success()).unwrap_or(false) {
        return; // no git on this machine: the fallback (current folder) is covered elsewhere
    }
    agentgate()
        .current_dir(dir.path().join("sub"))
        .args(["check", "--plan", "-"])
        .write_stdin(r#"{"changes": [{"path": "protected/x", "op": "modify"}]}"#)
        .assert()
        .code(1);
}

#[test]
fn identical_output_for_identical_input() {
    let run = || {
        agentgate()
            .args([
                "check",
                "--root",
                &example(),
                "--plan",
                &plan("deny-too-many-deletes.json"),
                "--format",
                "json",
            ])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone()
    };
    assert_eq!(run(), run());
}

#[test]
fn broken_policy_renders_a_located_diagnostic() {
    let dir = repo(
        "# Rules\n\n```agentgate\nAgents MUST NOT modify `a/**`.\nthis line means nothing\n```\n",
    );
    let out = agentgate()
        .args([
            "check",
            "--root",
            dir.path().to_str().unwrap(),
            "--plan",
            "-",
        ])
        .write_stdin("{}")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

#[test]
fn sarif_and_github_formats() {
    let out = agentgate()
        .args([
            "check",
            "--root",
            &example(),
            "--plan",
            &plan("deny-workflow-edit.json"),
            "--format",
            "sarif",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        ".github/workflows/ci.yml"
    );
    agentgate()
        .args([
            "check",
            "--root",
            &example(),
            "--plan",
            &plan("deny-workflow-edit.json"),
            "--format",
            "github",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "::error file=.github/workflows/ci.yml,line=1,",
        ));
}

#[test]
fn lint_exit_codes() {
    let lint_fixture = common::root().join("fixtures/lint").display().to_string();
    agentgate()
        .args(["lint", "--root", &lint_fixture])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("broken-link"));
    agentgate()
        .args(["lint", "--root", &lint_fixture, "--strict"])
        .assert()
        .code(1);
    let clean = repo("- Never force push.\n");
    agentgate()
        .args(["lint", "--root", clean.path().to_str().unwrap(), "--strict"])
        .assert()
        .code(0);
    let broken = repo("```agentgate\nnothing here\n```\n");
    agentgate()
        .args(["lint", "--root", broken.path().to_str().unwrap()])
        .assert()
        .code(2);
    let out = agentgate()
        .args(["lint", "--root", &lint_fixture, "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(v["findings"].as_array().unwrap().len() >= 5);
}

#[test]
fn many_plans_in_parallel_give_the_same_bytes_whatever_the_thread_count() {
    let plans = common::root()
        .join("examples/neuronx/plans")
        .display()
        .to_string();
    let run = |threads: &str, format: &str| {
        agentgate()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "check",
                "--root",
                &example(),
                "--plan",
                &plans,
                "--format",
                format,
            ])
            .assert()
            .code(2)
            .get_output()
            .stdout
            .clone()
    };
    for format in ["json", "human", "sarif"] {
        assert_eq!(run("1", format), run("4", format), "{format}");
    }
    let v: serde_json::Value = serde_json::from_slice(&run("2", "json")).unwrap();
    let list = v["plans"].as_array().unwrap();
    assert_eq!(list.len(), 28);
    assert_eq!(
        v["errors"], 1,
        "the one error-* plan exits 2 for the whole batch"
    );
    for p in list {
        let name = p["plan"].as_str().unwrap();
        let expect = std::path::Path::new(name)
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .split('-')
            .next()
            .unwrap();
        let got = p["verdict"]["decision"].as_str().unwrap_or("error");
        assert_eq!(got, expect, "{name}");
    }
}

#[test]
fn json_lines_on_stdin_and_repeated_plans() {
    let lines = "{\"commands\": [{\"run\": \"git push -f\"}]}\n{\"changes\": [{\"path\": \"src/api/x.rs\", \"op\": \"add\"}], \"commands\": [{\"run\": \"cargo fmt --check\"}]}\n";
    let out = agentgate()
        .args([
            "check",
            "--root",
            &example(),
            "--plan",
            "-",
            "--format",
            "json",
        ])
        .write_stdin(lines)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let decisions: Vec<&str> = v["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["verdict"]["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["deny", "allow"]);
    agentgate()
        .args([
            "check",
            "--root",
            &example(),
            "--plan",
            &plan("allow-feature.json"),
            "--plan",
            &plan("allow-deploy-staging.json"),
        ])
        .assert()
        .code(0);
}

#[test]
fn many_plans_through_the_rego_engine_match_the_native_engine() {
    let plans = common::root()
        .join("examples/neuronx/plans")
        .display()
        .to_string();
    let run = |engine: &str, threads: &str| {
        agentgate()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "check",
                "--root",
                &example(),
                "--plan",
                &plans,
                "--format",
                "json",
                "--engine",
                engine,
            ])
            .assert()
            .code(2)
            .get_output()
            .stdout
            .clone()
    };
    let decisions = |out: Vec<u8>| {
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        v["plans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["plan"].to_string(), p["verdict"]["decision"].to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(run("rego", "1"), run("rego", "3"));
    assert_eq!(decisions(run("rego", "2")), decisions(run("native", "2")));
}

#[test]
fn a_large_plan_gives_the_same_bytes_whatever_the_thread_count() {
    let changes: Vec<serde_json::Value> = (0..3000)
        .map(|i| {
            let path = match i % 5 {
                0 => format!("docs/SSOT/f{i}.md"),
                1 => format!("src/auth/f{i}.rs"),
                2 => format!("migrations/{i}.sql"),
                3 => format!("docs/en/f{i}.md"),
                _ => format!("assets/f{i}.png"),
            };
            serde_json::json!({"path": path, "op": if i % 3 == 0 { "delete" } else { "modify" }, "added": i % 7})
        })
        .collect();
    let plan = serde_json::json!({"changes": changes, "commands": [{"run": "git push -f"}, {"run": "cat .env"}]}).to_string();
    let run = |threads: &str| {
        agentgate()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "check",
                "--root",
                &example(),
                "--plan",
                "-",
                "--format",
                "json",
            ])
            .write_stdin(plan.clone())
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone()
    };
    let one = run("1");
    assert_eq!(one, run("4"));
    let v: serde_json::Value = serde_json::from_slice(&one).unwrap();
    assert!(
        v["findings"].as_array().unwrap().len() > 1000,
        "{}",
        v["findings"].as_array().unwrap().len()
    );
}
