//! In-process timings of the workloads in `workloads/` (`cargo bench --bench engine`).
//! Whole-process timings, peak memory and the OPA comparison are `bench/run`'s.

mod workloads;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use agentgate::engine::{self, EngineKind, PolicyIndex};
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

/// A repository holding `policy` as its AGENTS.md, kept for the whole run.
fn repo(policy: &str) -> PathBuf {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    std::fs::write(dir.join("AGENTS.md"), policy).expect("write policy");
    dir.canonicalize().expect("canonical root")
}

fn w1_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| repo(&workloads::policy_w1()))
}

fn w2_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| repo(&workloads::policy_paths(1000)))
}

/// W1: read and compile the policy, parse the plan, check it (a pre-commit run, in process).
#[divan::bench]
fn w1_pre_commit(b: Bencher) {
    let plan = workloads::plan_w1();
    b.bench(|| {
        let policy = agentgate::load_policy(w1_root()).unwrap();
        agentgate::check_plan(w1_root(), &policy, black_box(&plan), "plan.json").unwrap()
    });
}

/// W1 through the Rego library (regorus), engine prepared per call as the CLI does.
#[divan::bench]
fn w1_pre_commit_rego(b: Bencher) {
    let plan = workloads::plan_w1();
    b.bench(|| {
        let policy = agentgate::load_policy(w1_root()).unwrap();
        agentgate::check_plan_with(w1_root(), &policy, &plan, "plan.json", EngineKind::Rego)
            .unwrap()
    });
}

/// W2: parse a 100,000-change plan and check it against 1,000 path rules (policy compiled).
#[divan::bench(sample_count = 10)]
fn w2_monorepo(b: Bencher) {
    let policy = agentgate::load_policy(w2_root()).unwrap();
    let plan = workloads::plan_paths(100_000, 1000);
    b.bench(|| agentgate::check_plan(w2_root(), &policy, black_box(&plan), "plan.json").unwrap());
}

/// W2's matching alone: the plan parsed, the globs compiled.
#[divan::bench(sample_count = 10)]
fn w2_monorepo_evaluate(b: Bencher) {
    let policy = agentgate::load_policy(w2_root()).unwrap();
    let index = PolicyIndex::new(&policy);
    let text = workloads::plan_paths(100_000, 1000);
    let plan = agentgate::changeset::parse_plan(&text, "plan.json", w2_root()).unwrap();
    b.bench(|| engine::evaluate_indexed(&policy, &index, black_box(&plan), w2_root()).unwrap());
}

/// W2's 1,000 path rules compiled into the combined matcher.
#[divan::bench]
fn w2_compile_globs(b: Bencher) {
    let policy = agentgate::load_policy(w2_root()).unwrap();
    b.bench(|| PolicyIndex::new(black_box(&policy)));
}

/// W3: 1,000 plans of 10 changes, one after the other, against one prepared policy (the CLI
/// spreads the batch over threads; `bench/run` times that).
#[divan::bench(sample_count = 20)]
fn w3_batch_1000(b: Bencher) {
    let policy = agentgate::load_policy(w1_root()).unwrap();
    let index = PolicyIndex::new(&policy);
    let batch = workloads::batch_w3(1000);
    b.bench(|| {
        for line in batch.lines() {
            let plan = agentgate::changeset::parse_plan(line, "-", w1_root()).unwrap();
            black_box(engine::evaluate_indexed(&policy, &index, &plan, w1_root()).unwrap());
        }
    });
}

/// W4: compile ~1 MB of policy markdown (~10,000 statements).
#[divan::bench(sample_count = 10)]
fn w4_compile_1mb(b: Bencher) {
    let root = repo(&workloads::policy_big(1024 * 1024));
    let sources = agentgate::source::discover(&root).unwrap();
    b.bench(|| agentgate::compile::compile(black_box(&sources)).unwrap());
}

/// W5: one tool call checked by a long-lived process (hook server, MCP): policy loaded once.
#[divan::bench]
fn w5_tool_call(b: Bencher) {
    let policy = agentgate::load_policy(w1_root()).unwrap();
    let index = PolicyIndex::new(&policy);
    let text = workloads::plan_w5();
    b.bench(|| {
        let plan = agentgate::changeset::parse_plan(black_box(&text), "-", w1_root()).unwrap();
        engine::evaluate_indexed(&policy, &index, &plan, w1_root()).unwrap()
    });
}

/// W5 through the library's one-call API (globs compiled per call).
#[divan::bench]
fn w5_tool_call_check_plan(b: Bencher) {
    let policy = agentgate::load_policy(w1_root()).unwrap();
    let text = workloads::plan_w5();
    b.bench(|| agentgate::check_plan(w1_root(), &policy, black_box(&text), "-").unwrap());
}

/// W5 through the Rego library, with an engine prepared once and reused.
#[divan::bench]
fn w5_tool_call_rego(b: Bencher) {
    let policy = agentgate::load_policy(w1_root()).unwrap();
    let mut prepared = engine::rego::prepare(&policy.rules).unwrap();
    let text = workloads::plan_w5();
    b.bench_local(|| {
        let plan = agentgate::changeset::parse_plan(&text, "-", w1_root()).unwrap();
        engine::evaluate_prepared(&policy, &plan, w1_root(), Some(&mut prepared)).unwrap()
    });
}
