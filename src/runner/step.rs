//! Re-checking one step just before it runs.
//!
//! A step is judged on what it does itself (its command, its file effects, what they resolve
//! to on disk now), with the evidence observed so far. A step that commits or opens a pull
//! request is judged on the whole plan as well — its changes, its obligations, its bounds —
//! with the steps before it as what the plan has run: those ran and passed, or the run would
//! have stopped.

use std::path::Path;

use super::RunnerError;
use crate::changeset::{Change, Evidence, Op, Plan, Read};
use crate::command::EffectKind;
use crate::engine::{EngineKind, Verdict};
use crate::ir::{Action, Decision, Severity};

pub fn recheck(
    policy: &crate::ir::Policy,
    plan: &Plan,
    i: usize,
    observed: &Evidence,
    root: &Path,
    engine: EngineKind,
) -> Result<Verdict, RunnerError> {
    let step = Plan {
        agent: plan.agent.clone(),
        session: plan.session.clone(),
        commands: vec![plan.commands[i].clone()],
        ..Plan::default()
    };
    let facts = crate::engine::facts::gather(&step, root).map_err(crate::Error::from)?;
    let whole = facts.has_action(Action::Commit) || facts.has_action(Action::PullRequest);
    let mut judged = Plan {
        agent: plan.agent.clone(),
        session: plan.session.clone(),
        commands: plan.commands[..=i].to_vec(),
        evidence: observed.clone(),
        ..Plan::default()
    };
    if whole {
        judged.changes = plan.changes.clone();
        judged.reads = plan.reads.clone();
        judged.actions = plan.actions.clone();
    }
    // What the step's files are on disk now: a symlink made by an earlier step (or already in
    // the repository) must not carry a write into a protected path.
    let first_resolved = judged.changes.len();
    resolve_links(&plan.commands[i].run, root, &mut judged);
    let mut verdict =
        crate::engine::evaluate_with(policy, &judged, root, engine).map_err(crate::Error::from)?;
    if !whole {
        let own = format!("commands[{i}]");
        verdict.findings.retain(|f| {
            f.subject.starts_with(&own)
                || f.subject
                    .strip_prefix("changes[")
                    .and_then(|s| s.split(']').next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n >= first_resolved)
                || f.subject.strip_prefix("reads[").is_some()
        });
    }
    verdict.decision = verdict
        .findings
        .iter()
        .map(|f| f.decision)
        .max()
        .unwrap_or(Decision::Allow);
    verdict.summary.deny = count(&verdict, Decision::Deny);
    verdict.summary.ask = count(&verdict, Decision::Ask);
    verdict.summary.warning = verdict
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    Ok(verdict)
}

fn count(v: &Verdict, d: Decision) -> usize {
    v.findings.iter().filter(|f| f.decision == d).count()
}

/// Add the in-repository targets of symlinks among the step's file effects as changes and reads
/// of their own.
fn resolve_links(command: &str, root: &Path, plan: &mut Plan) {
    let Ok(analysis) = crate::command::analyze(command) else {
        return;
    };
    let Ok(real_root) = root.canonicalize() else {
        return;
    };
    for effect in &analysis.effects {
        let Ok(rel) = crate::changeset::normalize_path(root, &effect.path) else {
            continue;
        };
        let Some(target) = resolved(&real_root, &rel) else {
            continue;
        };
        match effect.kind {
            EffectKind::Read => plan.reads.push(Read {
                path: target,
                line: None,
            }),
            kind => plan.changes.push(Change {
                path: target,
                op: if kind == EffectKind::Delete {
                    Op::Delete
                } else {
                    Op::Modify
                },
                from: None,
                added: 0,
                removed: 0,
                line: None,
            }),
        }
    }
}

/// Where `rel` really is when a symlink on its way leads elsewhere inside the repository.
fn resolved(real_root: &Path, rel: &str) -> Option<String> {
    let full = real_root.join(rel);
    // The file may not exist yet (a write creates it): resolve its folder then.
    let real = full.canonicalize().ok().or_else(|| {
        let parent = full.parent()?.canonicalize().ok()?;
        Some(parent.join(full.file_name()?))
    })?;
    let inside = real.strip_prefix(real_root).ok()?;
    let inside = inside.to_str()?.replace('\\', "/");
    (!inside.is_empty() && inside != rel).then_some(inside)
}
