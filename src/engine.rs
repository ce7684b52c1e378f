//! Evaluate a plan against a compiled policy with the native matchers.

mod approval;
mod approved;
mod builtin;
mod check;
pub mod expand;
pub mod facts;
pub mod matchers;
pub mod paths;
pub mod rego;
pub mod text;

pub use approved::{approve, Approved};
pub use builtin::STATE_RULE;

use std::path::Path;

use miette::Diagnostic;
use serde::Serialize;
use thiserror::Error;

use crate::changeset::Plan;
use crate::ir::{Decision, Policy, Rule, Severity};

#[derive(Debug, Error, Diagnostic)]
pub enum EngineError {
    #[error("cannot analyse `commands[{index}]`")]
    #[diagnostic(
        code(agentgate::engine::command),
        help("agentgate fails closed on commands it cannot parse; fix the shell syntax")
    )]
    Command {
        index: usize,
        #[source]
        #[diagnostic_source]
        source: crate::command::CommandError,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Custom(#[from] Box<crate::custom::CustomError>),
    #[error("the Rego rule library failed: {message}")]
    #[diagnostic(
        code(agentgate::engine::rego),
        help("this is a bug in rules/; the native engine (the default) is unaffected")
    )]
    Rego { message: String },
    #[error("invalid glob in rule `{rule}`: {message}")]
    #[diagnostic(code(agentgate::engine::glob))]
    Glob { rule: String, message: String },
}

/// Where a finding's policy sentence is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FindingOrigin {
    pub file: String,
    pub line: usize,
}

/// One violation of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub kind: String,
    pub severity: Severity,
    pub decision: Decision,
    pub message: String,
    /// What in the plan broke it: `changes[0]`, `commands[2]: git push -f`, `plan`.
    pub subject: String,
    pub origin: FindingOrigin,
    /// The policy sentence.
    pub sentence: String,
    /// What would satisfy the rule.
    pub help: String,
    /// Byte span of the policy sentence in its file.
    #[serde(skip)]
    pub span: (usize, usize),
    /// 1-based line of the plan entry, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_line: Option<usize>,
    /// Why the rule is only advisory (a warning that never blocks), when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisory: Option<String>,
}

/// The decision on a plan.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub decision: Decision,
    pub policy_digest: String,
    /// Which version of the policy judged the plan, when it is not the work tree's
    /// (`HEAD (a1b2c3d)`, `base a1b2c3d of main..feature`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_source: Option<String>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub deny: usize,
    pub ask: usize,
    pub warning: usize,
    pub rules: usize,
}

/// Which evaluator runs the built-in rule kinds. Custom Rego always runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineKind {
    /// Native matchers (the default).
    #[default]
    Native,
    /// The Rego library in `rules/`, through regorus.
    Rego,
}

/// Evaluate a plan with the native engine.
pub fn evaluate(policy: &Policy, plan: &Plan, root: &Path) -> Result<Verdict, EngineError> {
    evaluate_with(policy, plan, root, EngineKind::Native)
}

/// Evaluate a plan with the chosen engine.
pub fn evaluate_with(
    policy: &Policy,
    plan: &Plan,
    root: &Path,
    engine: EngineKind,
) -> Result<Verdict, EngineError> {
    match engine {
        EngineKind::Native => evaluate_prepared(policy, plan, root, None),
        EngineKind::Rego => {
            evaluate_prepared(policy, plan, root, Some(&mut rego::prepare(&policy.rules)?))
        }
    }
}

/// Evaluate a plan natively (`prepared: None`) or with a prepared Rego engine (clone one per
/// worker when checking many plans). Natively, this compiles the policy's globs first: to
/// check many plans against one policy, build a [`PolicyIndex`] once and call
/// [`evaluate_indexed`].
pub fn evaluate_prepared(
    policy: &Policy,
    plan: &Plan,
    root: &Path,
    prepared: Option<&mut rego::Prepared>,
) -> Result<Verdict, EngineError> {
    match prepared {
        None => evaluate_indexed(policy, &PolicyIndex::new(policy), plan, root),
        Some(p) => evaluate_in(policy, plan, root, Evaluator::Rego(p)),
    }
}

/// A policy prepared for the native engine: every glob of every rule compiled into one
/// matcher. Build it once per policy; it is `Send + Sync`, share it between threads.
#[derive(Debug, Clone)]
pub struct PolicyIndex {
    paths: paths::PathIndex,
    /// Each rule's glob lists, in the order of `Policy::rules`.
    lists: Vec<paths::RuleLists>,
    digest: String,
}

impl PolicyIndex {
    pub fn new(policy: &Policy) -> PolicyIndex {
        let (paths, lists) = paths::PathIndex::build(&policy.rules);
        PolicyIndex {
            paths,
            lists,
            digest: policy.digest.clone(),
        }
    }
}

/// Evaluate a plan natively with a policy's prepared index.
pub fn evaluate_indexed(
    policy: &Policy,
    index: &PolicyIndex,
    plan: &Plan,
    root: &Path,
) -> Result<Verdict, EngineError> {
    if index.digest != policy.digest || index.lists.len() != policy.rules.len() {
        // Built for another policy: do not guess.
        return evaluate_indexed(policy, &PolicyIndex::new(policy), plan, root);
    }
    evaluate_in(policy, plan, root, Evaluator::Native(index))
}

enum Evaluator<'a> {
    Native(&'a PolicyIndex),
    Rego(&'a mut rego::Prepared),
}

fn evaluate_in(
    policy: &Policy,
    plan: &Plan,
    root: &Path,
    evaluator: Evaluator,
) -> Result<Verdict, EngineError> {
    let facts = facts::gather_with(plan, root, &policy_globs(policy))?;
    let active = active(policy, &facts);
    let mut findings = match evaluator {
        Evaluator::Native(index) => {
            let hits = index.paths.hits(&facts);
            let cx = check::Cx {
                f: &facts,
                index: &index.paths,
                hits: &hits,
            };
            let active: Vec<(&Rule, paths::RuleLists)> = active
                .iter()
                .map(|i| (&policy.rules[*i], index.lists[*i]))
                .collect();
            // Large policies against large plans are checked rule by rule in parallel; the
            // findings are sorted below, so the output does not depend on the thread count.
            let per_rule: Vec<Vec<Finding>> = if active.len() >= 64 && facts.writes.len() >= 1024 {
                use rayon::prelude::*;
                active
                    .par_iter()
                    .map(|(rule, lists)| check::check(rule, *lists, &cx))
                    .collect::<Result<_, _>>()?
            } else {
                active
                    .iter()
                    .map(|(rule, lists)| check::check(rule, *lists, &cx))
                    .collect::<Result<_, _>>()?
            };
            let mut out: Vec<Finding> = per_rule.into_iter().flatten().collect();
            out.extend(check::risk_findings(&active, &cx)?);
            out
        }
        Evaluator::Rego(prepared) => {
            let active: Vec<&Rule> = active.iter().map(|i| &policy.rules[*i]).collect();
            rego::findings(prepared, &active, &facts)?
        }
    };
    // The first active rule of each id (ids are unique after compilation). A plan has a finding
    // or two, a policy hundreds of rules: look them up one by one unless there are many.
    let by_id: Option<std::collections::HashMap<&str, &Rule>> = (findings.len() > 8).then(|| {
        let mut m = std::collections::HashMap::with_capacity(active.len());
        for i in &active {
            m.entry(policy.rules[*i].id.as_str())
                .or_insert(&policy.rules[*i]);
        }
        m
    });
    let rule_of = |id: &str| -> Option<&Rule> {
        match &by_id {
            Some(m) => m.get(id).copied(),
            None => active
                .iter()
                .map(|i| &policy.rules[*i])
                .find(|r| r.id == id),
        }
    };
    // An ask is met by an approval (from the named reviewer, when the rule names one).
    let ids: std::collections::HashSet<&str> = policy.rules.iter().map(|r| r.id.as_str()).collect();
    findings.retain(|f| {
        let Some(rule) = rule_of(f.rule.as_str()) else {
            return true;
        };
        if rule.decision != Decision::Ask {
            return true;
        }
        let reviewer = match &rule.body {
            crate::ir::RuleBody::ReviewRequirement { reviewer, .. } => Some(reviewer.as_str()),
            crate::ir::RuleBody::RiskGate {
                reviewer: Some(r), ..
            } => Some(r.as_str()),
            _ => None,
        };
        !approved(&facts.approvals, rule, reviewer, &ids)
    });
    findings.extend(opaque_findings(&facts));
    findings.extend(builtin::findings(&facts));
    findings.extend(custom_findings(policy, plan, &facts)?);
    for f in findings.iter_mut() {
        if f.severity < Severity::Error {
            f.decision = Decision::Allow;
        }
        if let Some(rule) = rule_of(f.rule.as_str()) {
            if rule.strength == crate::ir::Strength::Advisory {
                f.advisory = rule.reason.clone();
            }
        }
    }
    findings.sort_by(|a, b| {
        (b.decision, &a.origin, &a.rule, &a.subject, &a.message)
            .cmp(&(a.decision, &b.origin, &b.rule, &b.subject, &b.message))
    });
    findings.dedup();
    let decision = findings
        .iter()
        .map(|f| f.decision)
        .max()
        .unwrap_or(Decision::Allow);
    let summary = Summary {
        deny: findings
            .iter()
            .filter(|f| f.decision == Decision::Deny)
            .count(),
        ask: findings
            .iter()
            .filter(|f| f.decision == Decision::Ask)
            .count(),
        warning: findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count(),
        rules: policy.rules.len(),
    };
    Ok(Verdict {
        decision,
        policy_digest: policy.digest.clone(),
        policy_source: None,
        findings,
        summary,
    })
}

/// The positions of the rules that apply to a plan: its role, and the subtrees it touches.
fn active(policy: &Policy, facts: &facts::Facts) -> Vec<usize> {
    (0..policy.rules.len())
        .filter(|i| {
            let r = &policy.rules[*i];
            applies_to_role(r, facts.role.as_deref()) && check::in_scope(r, facts)
        })
        .collect()
}

/// What the Rego library sees for a plan under `--engine rego`, as `(input, data)` JSON: to
/// run the same library with another Rego engine (the OPA comparison in `bench/`).
pub fn rego_document(
    policy: &Policy,
    plan: &Plan,
    root: &Path,
) -> Result<(serde_json::Value, serde_json::Value), EngineError> {
    let facts = facts::gather_with(plan, root, &policy_globs(policy))?;
    let active: Vec<&Rule> = active(policy, &facts)
        .into_iter()
        .map(|i| &policy.rules[i])
        .collect();
    Ok((rego::input_for(&active, &facts), rego::data(&policy.rules)))
}

/// Every glob the policy's rules name: the probes a glob word in a command is expanded against
/// (made only when a command has one; repeats are dropped there).
fn policy_globs(policy: &Policy) -> Vec<&str> {
    policy
        .rules
        .iter()
        .flat_map(|r| {
            let [a, b] = paths::glob_lists(&r.body);
            // An exception list names what is allowed: nothing to probe for.
            let except = matches!(
                r.body,
                crate::ir::RuleBody::PathDeny { .. } | crate::ir::RuleBody::ReadDeny { .. }
            );
            a.iter().chain(if except { &[][..] } else { b })
        })
        .map(String::as_str)
        .collect()
}

fn applies_to_role(rule: &Rule, role: Option<&str>) -> bool {
    if rule.roles.is_empty() {
        return true;
    }
    let norm = |r: &str| r.trim().to_lowercase().trim_end_matches('s').to_string();
    let role = role.map(norm);
    let (neg, pos): (Vec<&String>, Vec<&String>) =
        rule.roles.iter().partition(|r| r.starts_with('!'));
    if !neg.is_empty() {
        return !neg.iter().any(|r| Some(norm(&r[1..])) == role);
    }
    pos.iter().any(|r| Some(norm(r)) == role)
}

/// Whether a recorded approval meets an ask rule. An approval names the rule by its id, or
/// (people write what they approved) by a description: one that is not a rule id meets the
/// rules whose sentence it describes (`approval::describes`).
fn approved(
    approvals: &[(String, Option<String>)],
    rule: &Rule,
    reviewer: Option<&str>,
    ids: &std::collections::HashSet<&str>,
) -> bool {
    let norm = |s: &str| s.trim().trim_start_matches('@').to_lowercase();
    approvals.iter().any(|(by, r)| {
        let rule_ok = r.as_deref().is_none_or(|r| {
            r == rule.id
                || !ids.contains(r)
                    && (approval::describes(r, &rule.origin.text)
                        || approval::names_action(r, &rule.body)
                        || approval::names_path(r, &rule.body))
        });
        match reviewer {
            Some(rv) => norm(by) == norm(rv) && rule_ok,
            None => rule_ok,
        }
    })
}

/// Custom Rego policies see the normalised plan as `input` (plus `runs`: every program the plan
/// runs, wrappers peeled) and the compiled rules as `data.agentgate.policy`.
fn custom_findings(
    policy: &Policy,
    plan: &Plan,
    facts: &facts::Facts,
) -> Result<Vec<Finding>, EngineError> {
    if policy.rego.is_empty() {
        return Ok(Vec::new());
    }
    let mut input = serde_json::to_value(plan).unwrap_or_default();
    let runs: Vec<serde_json::Value> = facts
        .runs
        .iter()
        .map(|r| serde_json::json!({"program": r.inv.program, "args": r.inv.args, "env": r.inv.env, "command": r.command}))
        .collect();
    if let Some(o) = input.as_object_mut() {
        o.insert("runs".into(), serde_json::Value::Array(runs));
    }
    let data = serde_json::json!({"agentgate": {"policy": {"digest": policy.digest, "rules": policy.rules}}});
    crate::custom::evaluate(&policy.rego, input, data).map_err(EngineError::Custom)
}

/// Id of the built-in rule for commands agentgate cannot analyse.
pub const OPAQUE_RULE: &str = "builtin-opaque-command";

/// A command agentgate cannot see into (`eval "$X"`, `$CMD args`, `curl … | sh`) could do
/// anything a rule forbids: it needs approval (fail closed, never a silent allow).
fn opaque_findings(facts: &facts::Facts) -> Vec<Finding> {
    let approved = facts
        .approvals
        .iter()
        .any(|(_, rule)| rule.as_deref().is_none_or(|r| r == OPAQUE_RULE));
    if approved {
        return Vec::new();
    }
    facts
        .opaque
        .iter()
        .map(|(subject, reason)| Finding {
            rule: OPAQUE_RULE.into(),
            kind: "opaque-command".into(),
            severity: Severity::Error,
            decision: Decision::Ask,
            message: format!("cannot be analysed ({reason}), so it needs approval"),
            subject: subject.clone(),
            origin: FindingOrigin {
                file: "builtin".into(),
                line: 1,
            },
            sentence: "Commands agentgate cannot analyse need approval.".into(),
            span: (0, 0),
            help: format!(
                "write the command out literally, or add an approval (\"rule\": \"{OPAQUE_RULE}\")"
            ),
            plan_line: None,
            advisory: None,
        })
        .collect()
}
