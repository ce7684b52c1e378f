#![no_main]
//! Shell command analysis, and the runner's choice of running a command without a shell.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let analysed = agentgate::command::analyze(text);
        if let Some(direct) = agentgate::command::direct(text) {
            // What runs without a shell was analysed: the checker saw it.
            assert!(analysed.is_ok(), "{text:?}");
            assert!(!direct.argv.is_empty());
        }
    }
});
