//! The native engine and the Rego library (`--engine rego`) agree on every finding's rule,
//! subject, severity and decision: over every fixture, the example plans and the corpus cases,
//! and over generated policies and plans.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use agentgate::engine::EngineKind;
use proptest::prelude::*;

type Key = BTreeSet<(String, String, String, String)>;

fn keys(
    root: &Path,
    policy: &agentgate::ir::Policy,
    plan: &str,
    engine: EngineKind,
) -> Result<(String, Key), String> {
    let v = agentgate::check_plan_with(root, policy, plan, "plan.json", engine)
        .map_err(|e| format!("{e:?}"))?;
    let k = v
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                f.subject.clone(),
                format!("{:?}", f.severity),
                f.decision.as_str().to_string(),
            )
        })
        .collect();
    Ok((v.decision.as_str().to_string(), k))
}

fn compare(
    root: &Path,
    policy: &agentgate::ir::Policy,
    plan: &str,
    what: &str,
    bad: &mut Vec<String>,
) {
    let native = keys(root, policy, plan, EngineKind::Native);
    let rego = keys(root, policy, plan, EngineKind::Rego);
    match (native, rego) {
        (Ok(n), Ok(r)) if n == r => {}
        (Err(_), Err(_)) => {}
        (n, r) => bad.push(format!("{what}:\n  native {n:?}\n  rego   {r:?}")),
    }
}

fn case_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs = Vec::new();
    for base in ["fixtures/forms", "fixtures/rego", "fixtures/adversarial"] {
        for e in std::fs::read_dir(common::root().join(base)).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            }
        }
    }
    dirs.sort();
    dirs
}

#[test]
fn engines_agree_on_every_fixture_and_example() {
    let mut bad = Vec::new();
    let mut n = 0;
    for dir in case_dirs() {
        let root = dir.canonicalize().unwrap();
        let policy = agentgate::load_policy(&root).unwrap();
        for case in common::load_cases(&dir.join("cases.json")).cases {
            let plan = common::plan_text(&case, &root);
            compare(
                &root,
                &policy,
                &plan,
                &format!("{}: {}", dir.display(), case.name),
                &mut bad,
            );
            n += 1;
        }
    }
    let root = common::root()
        .join("examples/neuronx")
        .canonicalize()
        .unwrap();
    let policy = agentgate::load_policy(&root).unwrap();
    for e in std::fs::read_dir(root.join("plans")).unwrap() {
        let p = e.unwrap().path();
        compare(
            &root,
            &policy,
            &std::fs::read_to_string(&p).unwrap(),
            &p.display().to_string(),
            &mut bad,
        );
        n += 1;
    }
    assert!(n > 550);
    assert!(
        bad.is_empty(),
        "{} of {n} differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn engines_agree_on_the_corpus_cases() {
    let corpus = common::corpus();
    let mut bad = Vec::new();
    for e in std::fs::read_dir(corpus.join("cases")).unwrap() {
        let path = e.unwrap().path();
        let source: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        std::fs::copy(
            corpus.join(source["source"].as_str().unwrap()),
            tmp.path().join("AGENTS.md"),
        )
        .unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let policy = agentgate::load_policy(&root).unwrap();
        for case in common::load_cases(&path).cases {
            let plan = common::plan_text(&case, &root);
            compare(
                &root,
                &policy,
                &plan,
                &format!("{}: {}", path.display(), case.name),
                &mut bad,
            );
        }
    }
    assert!(bad.is_empty(), "{} differ:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn engines_agree_on_the_sentence_fixtures() {
    let path = common::root().join("fixtures/sentences/cases.json");
    let cases: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut bad = Vec::new();
    let mut n = 0;
    for c in cases["cases"].as_array().unwrap() {
        let tmp = tempfile::tempdir().unwrap();
        let sentence = c["sentence"].as_str().unwrap();
        std::fs::write(
            tmp.path().join("AGENTS.md"),
            format!("# Rules\n\n{sentence}\n"),
        )
        .unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let policy = agentgate::load_policy(&root).unwrap();
        let plan = serde_json::to_string(&c["plan"]).unwrap();
        compare(&root, &policy, &plan, sentence, &mut bad);
        n += 1;
    }
    assert!(n > 250);
    assert!(bad.is_empty(), "{} differ:\n{}", bad.len(), bad.join("\n"));
}

const STATEMENTS: &[&str] = &[
    "- Always run `cargo test`.",
    "- Run `pnpm lint` before you finish.",
    "- Never edit `src/**`.",
    "- Agents MUST NOT delete `migrations/**`.",
    "- Never read `.env`.",
    "- Do not run `terraform apply`.",
    "- Never force push.",
    "- Run `cargo test` before committing.",
    "- When you change `src/**/*.rs`, run `cargo fmt --check`.",
    "- Ask before adding dependencies.",
    "- Do not edit `gen/api.json` directly; it is generated by `scripts/gen.sh`.",
    "- After editing `docs/en/**`, update `docs/ko/**` as well.",
    "- Changes to `src/auth/**` are high risk.",
    "- High risk changes MUST be reviewed by `@security`.",
    "- Changes to `src/billing/**` REQUIRE review by `@payments`.",
    "- Agents MUST NOT delete more than 2 files.",
    "- Reviewer agents MUST NOT modify `lib/**`.",
    "- Always run `pnpm lint` before opening a PR.",
    "- Never skip hooks (`--no-verify`).",
    "- When committing with `git commit`, always pass `--signoff`.",
];
const PATHS: &[&str] = &[
    "src/a.rs",
    "src/auth/login.rs",
    "src/billing/x.rs",
    "migrations/1.sql",
    ".env",
    "docs/en/a.md",
    "docs/ko/a.md",
    "gen/api.json",
    "lib/x.rs",
    "README.md",
];
const COMMANDS: &[&str] = &[
    "cargo test",
    "git commit -m x",
    "git commit --signoff -m x",
    "git push -f",
    "cargo fmt --check",
    "cat .env",
    "terraform -chdir=x apply",
    "cargo add serde",
    "./scripts/gen.sh",
    "gh pr create --fill",
    "pnpm lint",
    "rm -rf migrations",
    "git commit -n -m y",
    "git push origin main",
];
const OPS: &[&str] = &["add", "modify", "delete"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn engines_agree_on_generated_policies_and_plans(
        stmts in prop::collection::vec(0..STATEMENTS.len(), 1..8),
        changes in prop::collection::vec((0..PATHS.len(), 0..OPS.len()), 0..5),
        commands in prop::collection::vec(0..COMMANDS.len(), 0..5),
        approved in any::<bool>(),
        role in prop::sample::select(vec!["", "reviewer", "implementer"]),
    ) {
        let text: String = stmts.iter().map(|i| format!("{}\n", STATEMENTS[*i])).collect();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("AGENTS.md"), &text).unwrap();
        let root = dir.path().canonicalize().unwrap();
        let policy = agentgate::load_policy(&root).unwrap();
        let plan = serde_json::json!({
            "agent": {"role": role},
            "changes": changes.iter().map(|(p, o)| serde_json::json!({"path": PATHS[*p], "op": OPS[*o], "added": 3})).collect::<Vec<_>>(),
            "commands": commands.iter().map(|c| serde_json::json!({"run": COMMANDS[*c]})).collect::<Vec<_>>(),
            "evidence": {"approvals": if approved { vec![serde_json::json!({"by": "@security"})] } else { vec![] }},
        }).to_string();
        let mut bad = Vec::new();
        compare(&root, &policy, &plan, &format!("{text}\n{plan}"), &mut bad);
        prop_assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
