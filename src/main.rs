use std::process::ExitCode;

// glibc's allocator spent a fifth of a large compile freeing and consolidating small blocks
// (docs/performance.md); mimalloc does the same work in a fraction of the time, as ruff does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    agentgate::cli::main()
}
