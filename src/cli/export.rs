//! `agentgate export --to claude|codex|gemini`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{exit, resolve_root};
use crate::export::{self, Target};
use crate::Error;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum To {
    /// Claude Code settings JSON (`permissions.deny` / `permissions.ask`).
    Claude,
    /// Codex execpolicy rules (Starlark `prefix_rule`s).
    Codex,
    /// Gemini CLI policy engine TOML (`[[rule]]`).
    Gemini,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Which agent's configuration to write.
    #[arg(long, value_enum)]
    to: To,
    /// Repository root (default: the git top level, else the current folder).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

pub fn run(args: ExportArgs) -> Result<u8, Error> {
    let root = resolve_root(args.root)?;
    let policy = crate::load_policy(&root)?;
    let target = match args.to {
        To::Claude => Target::Claude,
        To::Codex => Target::Codex,
        To::Gemini => Target::Gemini,
    };
    let out = export::export(&policy, target);
    print!("{}", out.text);
    if !out.unprojected.is_empty() {
        eprintln!(
            "agentgate: {} of {} rules could not be projected; agentgate still enforces them (agentgate hook, mcp, check):",
            out.unprojected.len(),
            policy.rules.len()
        );
        for u in &out.unprojected {
            eprintln!("  {} ({}, {}): {}", u.rule, u.kind, u.origin, u.reason);
        }
    }
    Ok(exit::ALLOW)
}
