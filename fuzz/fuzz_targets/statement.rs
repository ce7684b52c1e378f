#![no_main]
//! One statement through lexing, the pest grammar and interpretation.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let line = text.lines().next().unwrap_or("");
        let _ = agentgate::compile::compile(&[agentgate::source::from_text("AGENTS.md", &format!("- {line}\n"))]);
        let _ = agentgate::compile::compile(&[agentgate::source::from_text("AGENTS.md", &format!("```agentgate\n{line}\n```\n"))]);
    }
});
