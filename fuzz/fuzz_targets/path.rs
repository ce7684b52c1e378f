#![no_main]
//! The path normaliser: never panics, and a normalised path is a fixed point.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let root = std::path::Path::new("/repo");
        if let Ok(p) = agentgate::changeset::normalize_path(root, text) {
            if !p.is_empty() {
                assert_eq!(agentgate::changeset::normalize_path(root, &p).ok().as_deref(), Some(p.as_str()));
            }
        }
    }
});
