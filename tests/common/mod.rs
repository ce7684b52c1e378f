//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/corpus` beside the project; the tests that read it fail loudly when it is missing.
pub fn corpus() -> PathBuf {
    let p = root().join("../shared/corpus");
    assert!(
        p.is_dir(),
        "../shared/corpus is missing: clone the project with shared/ beside it"
    );
    p
}

/// One behavioural case, in the format of shared/tools/score-cases.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Case {
    pub name: String,
    pub expect: String,
    #[serde(default)]
    pub accept: Vec<String>,
    pub plan: Value,
}

#[derive(Debug, serde::Deserialize)]
pub struct Cases {
    pub cases: Vec<Case>,
}

pub fn load_cases(path: &Path) -> Cases {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A case's plan as JSON text, `@ROOT@` replaced by the root's absolute path.
pub fn plan_text(case: &Case, root: &Path) -> String {
    serde_json::to_string(&case.plan)
        .unwrap()
        .replace("@ROOT@", &root.display().to_string())
}

/// Check a case's plan against the policy at `root`: the decision (`allow`/`ask`/`deny`, or
/// `error` for what would exit 2) and the verdict JSON.
pub fn run_case(root: &Path, policy: &agentgate::ir::Policy, case: &Case) -> (String, Value) {
    let text = plan_text(case, root);
    match agentgate::check_plan(root, policy, &text, "plan.json") {
        Ok(v) => {
            let json: Value = serde_json::from_str(&agentgate::report::json(&v)).unwrap();
            (v.decision.as_str().to_string(), json)
        }
        Err(e) => ("error".to_string(), Value::String(e.to_string())),
    }
}

/// A verdict reduced to what a snapshot should pin: decision and findings without the digest.
pub fn verdict_summary(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let findings: Vec<Value> = o["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "rule": f["rule"], "kind": f["kind"], "severity": f["severity"],
                        "decision": f["decision"], "subject": f["subject"], "message": f["message"],
                        "origin": f["origin"],
                    })
                })
                .collect();
            serde_json::json!({"decision": o["decision"], "findings": findings})
        }
        other => other.clone(),
    }
}

/// Run a case file over a corpus AGENTS.md (its `source` field names the file in
/// ../shared/corpus): each case with the decision it got.
pub fn run_corpus_case_file(path: &Path) -> (String, Vec<(Case, String)>) {
    let source: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let md = source["source"].as_str().unwrap().to_string();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(corpus().join(&md), tmp.path().join("AGENTS.md")).unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let policy = agentgate::load_policy(&root).unwrap();
    let results = load_cases(path)
        .cases
        .into_iter()
        .map(|case| {
            let (got, _) = run_case(&root, &policy, &case);
            (case, got)
        })
        .collect();
    (md, results)
}
