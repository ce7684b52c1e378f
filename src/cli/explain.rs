//! `agentgate explain`: a rule's sentence, origin, kind and what satisfies it; without an id,
//! every rule (or those about one path).

use std::path::PathBuf;

use clap::Args;

use super::{exit, resolve_root};
use crate::explain::{self, RuleInfo};
use crate::Error;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The rule's id, as in a finding's `rule` (`NX-1`, `agents-f3b4ca`). Without it, every rule
    /// is listed.
    rule: Option<String>,
    /// Repository root (default: the git top level, else the current folder).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// List only the rules about this repository path (their globs match it, or it is in the
    /// subtree of the nested AGENTS.md they come from).
    #[arg(long, value_name = "PATH", conflicts_with = "rule")]
    path: Option<String>,
    /// Print JSON (what the MCP tools `explain_rule` and `list_rules` return).
    #[arg(long)]
    json: bool,
}

fn human(r: &RuleInfo) -> String {
    let mut s = format!(
        "{} ({}, {}{})\n  {}:{}: {}\n",
        r.id,
        r.kind,
        r.decision.as_str(),
        if r.severity == crate::ir::Severity::Warning {
            ", warning only"
        } else {
            ""
        },
        r.origin.file,
        r.origin.line,
        r.sentence
    );
    if !r.paths.is_empty() {
        s.push_str(&format!("  paths: {}\n", r.paths.join(", ")));
    }
    if !r.scope.is_empty() {
        s.push_str(&format!("  scope: {}\n", r.scope));
    }
    if !r.roles.is_empty() {
        s.push_str(&format!("  roles: {}\n", r.roles.join(", ")));
    }
    s.push_str(&format!("  satisfied by: {}\n", r.satisfied_by));
    s
}

pub fn run(args: ExplainArgs) -> Result<u8, Error> {
    let root = resolve_root(args.root)?;
    let policy = crate::load_policy(&root)?;
    if let Some(id) = &args.rule {
        let info = explain::explain(&policy, id)?;
        if args.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&info).unwrap_or_default()
            );
        } else {
            print!("{}", human(&info));
        }
        return Ok(exit::ALLOW);
    }
    let rules = match &args.path {
        Some(p) => {
            let p = crate::changeset::normalize_path(&root, p)
                .map_err(crate::explain::ExplainError::from)?;
            explain::for_path(&policy, &p)
        }
        None => explain::list(&policy),
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rules).unwrap_or_default()
        );
    } else {
        for r in &rules {
            println!("{}", human(r));
        }
        println!("{} rules", rules.len());
    }
    Ok(exit::ALLOW)
}
