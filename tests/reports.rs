//! What people and tools read: miette diagnostics, SARIF (validated against the OASIS schema),
//! GitHub annotations and lint, snapshotted over the example repository and fixtures.

mod common;

use std::path::Path;

fn example_root() -> std::path::PathBuf {
    common::root()
        .join("examples/neuronx")
        .canonicalize()
        .unwrap()
}

/// Render one example plan in a format.
fn render(plan: &str, format: &str) -> (String, agentgate::engine::Verdict) {
    let root = example_root();
    let loaded = agentgate::load(&root).unwrap();
    let name = format!("plans/{plan}");
    let text = std::fs::read_to_string(root.join(&name)).unwrap();
    let verdict = agentgate::check_plan(&root, &loaded.policy, &text, &name).unwrap();
    let cx = agentgate::report::Context {
        policy: &loaded.policy,
        sources: &loaded.sources,
        plan_name: &name,
        plan_text: &text,
    };
    let out = match format {
        "human" => agentgate::report::human(&verdict, &cx, agentgate::report::Style::Plain),
        "sarif" => agentgate::report::sarif(&verdict, &cx, "agentgate/check"),
        "github" => agentgate::report::github(&verdict, &cx),
        _ => agentgate::report::json(&verdict),
    };
    (out, verdict)
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("../shared/sarif/sarif-schema-2.1.0.json"))
            .expect("../shared/sarif/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid_sarif(text: &str, what: &str) {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: SARIF does not validate:\n{}",
        errors.join("\n")
    );
    // GitHub's own limits and requirements.
    let run = &v["runs"][0];
    for r in run["tool"]["driver"]["rules"].as_array().unwrap() {
        for k in ["shortDescription", "fullDescription", "help"] {
            assert!(
                r[k]["text"].is_string(),
                "{what}: rule {} lacks {k}",
                r["id"]
            );
        }
    }
    for res in run["results"].as_array().unwrap() {
        let uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains("://"),
            "{what}: absolute uri {uri}"
        );
        assert!(
            res["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
        assert!(res["partialFingerprints"].is_object());
    }
    assert!(run["automationDetails"]["id"]
        .as_str()
        .unwrap()
        .contains('/'));
}

#[test]
fn human_output_for_denied_plans() {
    for plan in [
        "deny-ssot-edit.json",
        "deny-force-push.json",
        "deny-commit-without-tests.json",
        "ask-ledger-edit.json",
        "deny-read-env.json",
    ] {
        let (out, _) = render(plan, "human");
        insta::assert_snapshot!(format!("human-{plan}"), out);
    }
}

#[test]
fn human_output_quotes_the_sentence_with_both_labels() {
    let (out, _) = render("deny-ssot-edit.json", "human");
    assert!(out.contains("plans/deny-ssot-edit.json:4"), "{out}");
    assert!(out.contains("AGENTS.md:9"), "{out}");
    assert!(
        out.contains("\"NX-1: Agents MUST NOT modify `docs/SSOT/**` or `AGENTS.md`.\""),
        "{out}"
    );
    assert!(out.contains("help:"), "{out}");
    assert!(out.contains("agentgate: deny"), "{out}");
}

#[test]
fn sarif_for_every_example_plan_validates() {
    let dir = example_root().join("plans");
    let mut plans: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with("error-"))
        .collect();
    plans.sort();
    for plan in plans {
        let (out, verdict) = render(&plan, "sarif");
        assert_valid_sarif(&out, &plan);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v["runs"][0]["results"].as_array().unwrap().len(),
            verdict.findings.len()
        );
    }
}

#[test]
fn sarif_snapshot() {
    let (out, _) = render("deny-ssot-edit.json", "sarif");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    insta::assert_json_snapshot!(v, {
        ".runs[0].tool.driver.version" => "[version]",
        ".runs[0].tool.driver.semanticVersion" => "[version]",
        ".runs[0].automationDetails.id" => "[category/digest]",
        ".runs[0].properties.policyDigest" => "[digest]",
    });
}

#[test]
fn github_annotations_snapshot() {
    let (out, _) = render("deny-ssot-edit.json", "github");
    insta::assert_snapshot!(out);
    let (out, _) = render("deny-terraform-apply.json", "github");
    assert!(out.starts_with("::error file=AGENTS.md,line=19,"), "{out}");
}

/// Fingerprints stay the same when unrelated lines move; the reported line follows the sentence.
#[test]
fn sarif_fingerprints_survive_unrelated_edits() {
    let plan = r#"{"changes": [{"path": "docs/SSOT/a.md", "op": "modify"}], "commands": [{"run": "git push -f"}]}"#;
    let run = |agents: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("AGENTS.md"), agents).unwrap();
        let root = dir.path().canonicalize().unwrap();
        let loaded = agentgate::load(&root).unwrap();
        let verdict = agentgate::check_plan(&root, &loaded.policy, plan, "plan.json").unwrap();
        let cx = agentgate::report::Context {
            policy: &loaded.policy,
            sources: &loaded.sources,
            plan_name: "plan.json",
            plan_text: plan,
        };
        let v: serde_json::Value =
            serde_json::from_str(&agentgate::report::sarif(&verdict, &cx, "agentgate/check"))
                .unwrap();
        let results = v["runs"][0]["results"].as_array().unwrap().clone();
        let fps: Vec<String> = results
            .iter()
            .map(|r| {
                r["partialFingerprints"]["agentgateFinding/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let lines: Vec<u64> = results
            .iter()
            .filter_map(|r| {
                r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"].as_u64()
            })
            .collect();
        (fps, lines)
    };
    let policy = "- Never force push.\n- Agents MUST NOT modify `docs/SSOT/**`.\n";
    let (a, la) = run(policy);
    let (b, lb) = run(&format!(
        "# Rules\n\nAn introduction that was added later.\n\nAnd another paragraph.\n\n{policy}"
    ));
    assert_eq!(a.len(), 3);
    assert_eq!(a, b, "fingerprints changed when unrelated lines moved");
    assert_ne!(la, lb, "the reported lines follow the moved sentences");
    let (c, _) = run(&policy.replace("force push", "force-push"));
    assert_ne!(a, c, "an edited rule gets new fingerprints");
}

fn lint(root: &Path) -> Vec<agentgate::lint::LintFinding> {
    let loaded = agentgate::load(root).unwrap();
    agentgate::lint::lint(root, &loaded.policy, &loaded.sources)
}

#[test]
fn lint_finds_each_kind_of_problem() {
    let root = common::root().join("fixtures/lint").canonicalize().unwrap();
    let findings = lint(&root);
    let codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
    for code in [
        "duplicate-id",
        "contradiction",
        "dead-glob",
        "unrecognised",
        "broken-link",
    ] {
        assert!(codes.contains(&code), "lint missed {code}: {codes:?}");
    }
    insta::assert_json_snapshot!(findings);
    let loaded = agentgate::load(&root).unwrap();
    let human = agentgate::report::lint_human(
        &findings,
        &loaded.sources,
        loaded.policy.rules.len(),
        agentgate::report::Style::Plain,
    );
    insta::assert_snapshot!(human);
    assert_valid_sarif(&agentgate::report::lint_sarif(&findings), "lint");
}

#[test]
fn lint_on_the_example_and_every_corpus_file_explains_itself() {
    let findings = lint(&example_root());
    assert!(
        findings.iter().all(|f| f.code == "unrecognised"),
        "{findings:?}"
    );
    let corpus = common::corpus();
    let mut files: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    for f in files {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&f, dir.path().join("AGENTS.md")).unwrap();
        let root = dir.path().canonicalize().unwrap();
        let findings = lint(&root);
        for l in &findings {
            assert!(
                !l.message.is_empty() && !l.help.is_empty() && l.line >= 1,
                "{}: {l:?}",
                f.display()
            );
        }
        assert_valid_sarif(
            &agentgate::report::lint_sarif(&findings),
            &f.display().to_string(),
        );
    }
}

/// The schema check can fail: a bad level and a zero start line are rejected.
#[test]
fn the_schema_check_rejects_invalid_sarif() {
    let (out, _) = render("deny-ssot-edit.json", "sarif");
    let bad = out
        .replace("\"level\": \"error\"", "\"level\": \"fatal\"")
        .replace("\"startLine\": 1", "\"startLine\": 0");
    let v: serde_json::Value = serde_json::from_str(&bad).unwrap();
    assert!(sarif_validator().iter_errors(&v).count() > 0);
}
