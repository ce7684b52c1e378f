//! Inputs kept from fuzzing (fixtures/fuzz/<target>/): each replays through its target's code
//! path on every `cargo test` and must not panic.

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fuzz")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != ".keep"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs kept for {target}");
    out
}

#[test]
fn statement_inputs() {
    for (_, data) in inputs("statement") {
        if let Ok(text) = std::str::from_utf8(&data) {
            let line = text.lines().next().unwrap_or("");
            let _ = agentgate::compile::compile(&[agentgate::source::from_text(
                "AGENTS.md",
                &format!("- {line}\n"),
            )]);
            let _ = agentgate::compile::compile(&[agentgate::source::from_text(
                "AGENTS.md",
                &format!("```agentgate\n{line}\n```\n"),
            )]);
        }
    }
}

#[test]
fn markdown_inputs() {
    for (_, data) in inputs("markdown_to_ir") {
        if let Ok(text) = std::str::from_utf8(&data) {
            let _ = agentgate::compile::compile(&[
                agentgate::source::from_text("AGENTS.md", text),
                agentgate::source::from_text("pkg/AGENTS.md", text),
            ]);
        }
    }
}

#[test]
fn plan_inputs() {
    let root = std::env::temp_dir();
    let policy = agentgate::compile::compile(&[agentgate::source::from_text(
        "AGENTS.md",
        "- Never edit `docs/SSOT/**`.\n- Run `cargo test` before committing.\n- Never force push.\n",
    )])
    .unwrap();
    for (_, data) in inputs("plan") {
        if let Ok(text) = std::str::from_utf8(&data) {
            for name in ["plan.json", "plan.yaml"] {
                if let Ok(plan) = agentgate::changeset::parse_plan(text, name, &root) {
                    let _ = agentgate::engine::evaluate(&policy, &plan, &root);
                }
            }
        }
    }
}

#[test]
fn path_inputs() {
    let root = Path::new("/repo");
    for (name, data) in inputs("path") {
        if let Ok(text) = std::str::from_utf8(&data) {
            if let Ok(p) = agentgate::changeset::normalize_path(root, text) {
                if !p.is_empty() {
                    assert_eq!(
                        agentgate::changeset::normalize_path(root, &p)
                            .ok()
                            .as_deref(),
                        Some(p.as_str()),
                        "{name}"
                    );
                }
            }
        }
    }
}

#[test]
fn command_inputs() {
    for (name, data) in inputs("command") {
        if let Ok(text) = std::str::from_utf8(&data) {
            // The parser runs behind catch_unwind; a caught panic still counts as a failure here.
            if let Err(e) = agentgate::command::analyze(text) {
                assert!(
                    !e.to_string().contains("the shell parser failed"),
                    "{name}: the parser panicked"
                );
            }
        }
    }
}

#[test]
fn expand_inputs() {
    use agentgate::engine::expand::{braces, is_glob, Expander, MAX_BRACES, MAX_MATCHES};
    for (name, data) in inputs("expand") {
        let Ok(word) = std::str::from_utf8(&data) else {
            continue;
        };
        let words = braces(word);
        assert!(!words.is_empty() && words.len() <= MAX_BRACES, "{name}");
        let mut x = Expander::new(
            Path::new("/nonexistent-agentgate-fuzz"),
            &[
                "docs/SSOT/**",
                "**/.env",
                "**/*.pem",
                "src/{a,b}/*.rs",
                "[abc]?/x",
            ],
        );
        for w in words.iter().take(16) {
            let out = x.expand(w);
            assert!(!out.is_empty() && out.len() <= MAX_MATCHES, "{name}");
            if !is_glob(w) {
                assert_eq!(out, [w.clone()], "{name}");
            }
        }
    }
}
