//! Claude Code `settings.json`: `permissions.deny` and `permissions.ask` entries.
//!
//! Claude Code rejects a settings file with unknown keys, so the file carries nothing but
//! permissions; what is not projected goes to standard error (see `cli/export.rs`).

use super::{spellings, Level, Projected, Subject};

/// `Edit(/docs/SSOT/**)`: a leading `/` anchors the glob at the project root.
fn path_spec(glob: &str) -> String {
    format!("/{}", glob.trim_start_matches("./").trim_start_matches('/'))
}

/// The permission entries of one projected rule.
pub fn entries(p: &Projected) -> Vec<String> {
    match &p.subject {
        Subject::Edit(g) => vec![format!("Edit({})", path_spec(g))],
        Subject::Read(g) => vec![format!("Read({})", path_spec(g))],
        Subject::Command(tokens) => spellings(tokens)
            .into_iter()
            .map(|words| format!("Bash({}:*)", words.join(" ")))
            .collect(),
    }
}

pub fn render(projected: &[Projected]) -> String {
    let mut deny: Vec<String> = Vec::new();
    let mut ask: Vec<String> = Vec::new();
    for p in projected {
        for e in entries(p) {
            let list = if p.level == Level::Deny {
                &mut deny
            } else {
                &mut ask
            };
            if !list.contains(&e) {
                list.push(e);
            }
        }
    }
    // Deny wins in Claude Code anyway; keep each entry in one list.
    ask.retain(|e| !deny.contains(e));
    let doc = serde_json::json!({
        "$schema": "https://json.schemastore.org/claude-code-settings.json",
        "permissions": {"deny": deny, "ask": ask},
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
