#![no_main]
//! Plans (JSON and YAML) parsed and, when valid, evaluated against a small policy.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let root = std::env::temp_dir();
    let policy = agentgate::compile::compile(&[agentgate::source::from_text(
        "AGENTS.md",
        "- Never edit `docs/SSOT/**`.\n- Run `cargo test` before committing.\n- Never force push.\n",
    )])
    .expect("the fixed policy compiles");
    for name in ["plan.json", "plan.yaml"] {
        if let Ok(plan) = agentgate::changeset::parse_plan(text, name, &root) {
            let _ = agentgate::engine::evaluate(&policy, &plan, &root);
        }
    }
});
