//! Which folder is the repository: `--root`, else the git top level, else the current folder.
//!
//! Shared by the CLI, the hook adapters and the MCP server, so none of them depends on another.

use std::path::{Path, PathBuf};

use crate::source::SourceError;

/// `root` when given, else the git top level, else the current folder; canonicalised.
pub fn resolve(root: Option<PathBuf>) -> Result<PathBuf, SourceError> {
    let root = match root {
        Some(r) => r,
        None => git_toplevel().unwrap_or_else(|| PathBuf::from(".")),
    };
    if !root.is_dir() {
        return Err(SourceError::NotADirectory {
            path: root.display().to_string(),
        });
    }
    Ok(root.canonicalize().unwrap_or(root))
}

fn git_toplevel() -> Option<PathBuf> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?;
    let p = Path::new(s.trim());
    p.is_dir().then(|| p.to_path_buf())
}
