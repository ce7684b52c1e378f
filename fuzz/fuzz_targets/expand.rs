#![no_main]
//! Shell expansion of a word: braces and globs against probes from a fixed set of policy globs.
//! Bounded output, no panic, and a word without braces or glob characters stays itself.
use libfuzzer_sys::fuzz_target;

use agentgate::engine::expand::{braces, is_glob, Expander, MAX_BRACES, MAX_MATCHES};

fuzz_target!(|data: &[u8]| {
    let Ok(word) = std::str::from_utf8(data) else { return };
    let words = braces(word);
    assert!(!words.is_empty() && words.len() <= MAX_BRACES);
    let mut x = Expander::new(
        std::path::Path::new("/nonexistent-agentgate-fuzz"),
        &["docs/SSOT/**", "**/.env", "**/*.pem", "src/{a,b}/*.rs", "[abc]?/x"],
    );
    for w in words.iter().take(16) {
        let out = x.expand(w);
        assert!(!out.is_empty() && out.len() <= MAX_MATCHES);
        if !is_glob(w) {
            assert_eq!(out, [w.clone()]);
        }
    }
});
