//! Built-in protection of agentgate's own controls, on top of the policy: agents may not write
//! the audit trail, the session state, the approvals, the custom policies or the configuration
//! (`.agentgate/**`, `agentgate.toml`), and may not approve their own plans (`agentgate
//! approve`). No statement relaxes it: an agent that could edit the record of what it did, or
//! approve itself, would make the record and the approvals worthless.

use super::facts::Facts;
use super::{Finding, FindingOrigin};
use crate::ir::{Decision, Severity, WriteOp};

/// Id of the built-in rule.
pub const STATE_RULE: &str = "builtin-agentgate-state";

const SENTENCE: &str = "agentgate's own state and configuration (`.agentgate/**`, `agentgate.toml`) are read-only for agents, and agents may not run `agentgate approve`.";

/// Whether writing `path` (or, for a deletion or move, everything under it) touches
/// agentgate's state.
fn touches_state(path: &str, op: WriteOp) -> bool {
    let own = path == "agentgate.toml" || path == ".agentgate" || path.starts_with(".agentgate/");
    let above = matches!(op, WriteOp::Delete | WriteOp::Rename) && (path.is_empty() || path == ".");
    own || above
}

pub fn findings(facts: &Facts) -> Vec<Finding> {
    let finding = |subject: &str, message: String, plan_line, help: &str| Finding {
        advisory: None,
        rule: STATE_RULE.into(),
        kind: "path-deny".into(),
        severity: Severity::Error,
        decision: Decision::Deny,
        message,
        subject: subject.to_string(),
        origin: FindingOrigin {
            file: "builtin".into(),
            line: 1,
        },
        sentence: SENTENCE.into(),
        span: (0, 0),
        help: help.into(),
        plan_line,
    };
    let mut out: Vec<Finding> =
        facts
            .writes
            .iter()
            .filter(|w| touches_state(&w.path, w.op))
            .map(|w| {
                finding(
                &w.subject,
                format!("writes `{}`, agentgate's own state or configuration", display(&w.path)),
                w.plan_line,
                "leave `.agentgate/` and `agentgate.toml` to agentgate and the people who run it",
            )
            })
            .collect();
    out.extend(
        facts
            .runs
            .iter()
            .filter(|r| {
                r.inv.program == "agentgate" && r.inv.args.first().is_some_and(|a| a == "approve")
            })
            .map(|r| {
                finding(
                    &format!("commands[{}]: {}", r.command, r.text),
                    "approves a plan itself: approvals must come from a person".into(),
                    r.plan_line,
                    "ask a person to run `agentgate approve` for this session",
                )
            }),
    );
    out
}

fn display(path: &str) -> &str {
    if path.is_empty() {
        "."
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_paths() {
        assert!(touches_state(".agentgate/audit.jsonl", WriteOp::Modify));
        assert!(touches_state(".agentgate", WriteOp::Delete));
        assert!(touches_state("agentgate.toml", WriteOp::Add));
        assert!(touches_state("", WriteOp::Delete));
        assert!(!touches_state("", WriteOp::Modify));
        assert!(!touches_state(".agentgatex/a", WriteOp::Modify));
        assert!(!touches_state("src/.agentgate/a", WriteOp::Modify));
    }
}
