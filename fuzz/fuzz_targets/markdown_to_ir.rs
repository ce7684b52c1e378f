#![no_main]
//! Whole documents (root and nested AGENTS.md) to the IR.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = agentgate::compile::compile(&[
            agentgate::source::from_text("AGENTS.md", text),
            agentgate::source::from_text("pkg/AGENTS.md", text),
        ]);
    }
});
