//! Write the benchmark workloads (`benches/workloads`) to a folder for `bench/run`, with the
//! `input`/`data` documents the Rego library sees for each plan (for the OPA comparison).
//!
//! `cargo run --release --example bench_workloads -- OUT_DIR`

#[path = "../benches/workloads/mod.rs"]
mod workloads;

use std::fs;
use std::path::{Path, PathBuf};

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("create folder");
    }
    fs::write(path, text).expect("write workload");
}

/// The Rego `input` and `data` for each plan against the policy of `root`.
fn opa_docs<'a>(
    root: &Path,
    plans: impl Iterator<Item = &'a str>,
) -> Vec<(serde_json::Value, serde_json::Value)> {
    let root = root.canonicalize().expect("root");
    let policy = agentgate::load_policy(&root).expect("policy compiles");
    plans
        .map(|plan| {
            let plan =
                agentgate::changeset::parse_plan(plan, "plan.json", &root).expect("plan parses");
            agentgate::engine::rego_document(&policy, &plan, &root).expect("facts")
        })
        .collect()
}

/// A repository with `policy` and one plan, plus the OPA documents for it.
fn repo(dir: &Path, policy: &str, plan: &str) {
    write(&dir.join("AGENTS.md"), policy);
    write(&dir.join("plan.json"), plan);
    let (input, data) = opa_docs(dir, std::iter::once(plan)).remove(0);
    write(&dir.join("opa-input.json"), &input.to_string());
    write(&dir.join("opa-data.json"), &data.to_string());
}

fn main() {
    let out: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/bench/workloads"));
    let w1 = workloads::policy_w1();
    repo(&out.join("w1"), &w1, &workloads::plan_w1());
    repo(&out.join("w5"), &w1, &workloads::plan_w5());

    // W3: the batch, and each plan's Rego input (one per line) for OPA's many small calls.
    let batch = workloads::batch_w3(10_000);
    let w3 = out.join("w3");
    write(&w3.join("AGENTS.md"), &w1);
    write(&w3.join("batch.jsonl"), &batch);
    let mut inputs = String::new();
    let mut data = serde_json::Value::Null;
    for (i, d) in opa_docs(&w3, batch.lines()) {
        inputs.push_str(&i.to_string());
        inputs.push('\n');
        data = d;
    }
    write(&w3.join("opa-inputs.jsonl"), &inputs);
    write(&w3.join("opa-data.json"), &data.to_string());

    // W2 and the sweeps: changes × rules.
    for (changes, rules) in [
        (100_000, 1000),
        (1_000, 10),
        (1_000, 100),
        (1_000, 1000),
        (10_000, 1000),
        (100_000, 10),
        (100_000, 100),
    ] {
        let dir = out.join(format!("paths-{changes}x{rules}"));
        repo(
            &dir,
            &workloads::policy_paths(rules),
            &workloads::plan_paths(changes, rules),
        );
    }

    write(
        &out.join("w4/AGENTS.md"),
        &workloads::policy_big(1024 * 1024),
    );
    println!("{}", out.display());
}
