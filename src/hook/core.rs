//! The part every host shares: a host's event, turned into one call (or one recorded run), is
//! judged against the policy and the session's evidence, and the verdict is recorded.
//!
//! Adapters (one file per host) only read their host's JSON into an [`Event`] and write the
//! [`Verdict`] back in their host's terms; nothing here knows any host's field names.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::{HookError, Options};
use crate::audit::{self, AuditLog, Event as Logged};
use crate::changeset::{CheckStatus, Op as FileOp, Plan};
use crate::engine::{Finding, Verdict as EngineVerdict};
use crate::ir::{Action, Decision};
use crate::Error as AgError;

/// Kinds judged over the whole session at a committing call, not per call.
const SESSION_KINDS: [&str; 5] = [
    "required-check",
    "required-read",
    "co-change",
    "risk-gate",
    "bound",
];

/// MCP tools whose name says what they do in the policy's terms (the GitHub MCP server's, and
/// any server's tool of the same name). Every other MCP tool gets no opinion.
const MCP_ACTIONS: [(&str, &str); 2] = [
    ("create_pull_request", "pull-request"),
    ("create_issue", "issue"),
];

/// One hook event, in no host's terms.
#[derive(Debug, Clone)]
pub struct Event {
    /// The host's name for the event (`PreToolUse`, `beforeReadFile`, …), for the adapter.
    pub hook: String,
    /// The session (conversation, thread) the call belongs to: evidence and approvals are kept
    /// per session.
    pub session: String,
    /// The working directory relative paths are resolved against.
    pub cwd: Option<PathBuf>,
    /// Project folders the host names (its project-dir variable, its workspace roots), in order
    /// of preference; the first is the repository unless `--root` is given.
    pub roots: Vec<PathBuf>,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    /// A tool call about to run: judge it.
    Pre(Call),
    /// A shell command that ran: record it as evidence.
    Post(Ran),
    /// An event about a tool agentgate keeps no record of.
    Skip,
}

#[derive(Debug, Clone)]
pub struct Call {
    /// A short description for the audit log (`tool Bash git push`).
    pub subject: String,
    pub op: Op,
}

/// What a tool call does, in the policy's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// A shell command line.
    Shell(String),
    /// Files (or folders searched) that are read; empty for a search of the whole work tree.
    Read(Vec<String>),
    /// A file written whole: a new file is an add.
    Write(String),
    /// A file edited in place.
    Edit(String),
    /// Several files changed at once (Codex `apply_patch`).
    Patch(Vec<PatchFile>),
    /// An MCP tool, by its bare name (without the server).
    Mcp(String),
    /// A tool the policy has nothing to say about.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchFile {
    pub path: String,
    pub op: FileOp,
    /// The old path of a rename.
    pub from: Option<String>,
}

/// A shell command that ran, and how it ended as far as the host reports it.
#[derive(Debug, Clone)]
pub struct Ran {
    pub command: String,
    pub status: CheckStatus,
    pub exit_code: Option<i32>,
    pub ended_by: Option<String>,
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    pub duration_ms: u64,
}

/// What the core decided, for the adapter to put in its host's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A tool agentgate has no rules about.
    NoOpinion,
    /// A judged call.
    Decided(Answer),
    /// A run recorded as evidence (or an event about a tool that leaves none).
    Recorded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub decision: Decision,
    /// Each finding with its rule, file:line, sentence and remedy.
    pub reason: String,
    /// The rules behind a deny or ask, for hosts that must tell people what to approve.
    pub rules: Vec<String>,
    /// The call touches a path outside the repository: no approval answers it.
    pub outside: bool,
    pub session: String,
}

/// `MCP tool` from `mcp__server__tool`, the name Claude Code, Codex and Gemini CLI give MCP
/// tools; `None` for any other name.
pub fn mcp_tool(name: &str) -> Option<String> {
    let rest = name.strip_prefix("mcp__")?;
    let (_server, tool) = rest.split_once("__")?;
    (!tool.is_empty()).then(|| tool.to_string())
}

/// Judge or record one event. `actor` names the host in the audit log.
pub fn handle(actor: &str, event: &Event, opts: &Options) -> Result<Verdict, AgError> {
    let root = opts
        .root
        .clone()
        .or_else(|| event.roots.first().cloned())
        .or_else(|| event.cwd.clone());
    let root = crate::root::resolve(root)?;
    let audit_path = opts
        .audit_log
        .clone()
        .unwrap_or_else(|| audit::default_path(&root));
    match &event.kind {
        Kind::Pre(call) => judge(actor, &root, &audit_path, event, call),
        Kind::Post(ran) => {
            record_ran(actor, &audit_path, event, ran)?;
            Ok(Verdict::Recorded)
        }
        Kind::Skip => Ok(Verdict::Recorded),
    }
}

/// A path from a tool call, relative to the repository; `None` when it is outside it.
fn repo_path(root: &Path, cwd: Option<&Path>, path: &str) -> Result<Option<String>, String> {
    let p = Path::new(path);
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.map(Path::to_path_buf)
            .unwrap_or_else(|| root.to_path_buf())
            .join(p)
    };
    match crate::changeset::normalize_path(root, &abs.display().to_string()) {
        Ok(rel) => Ok(Some(rel)),
        Err(crate::changeset::PathError::Escape { .. }) => Ok(None),
        Err(e) => Err(format!("tool call path `{path}`: {e}")),
    }
}

/// The call as a plan; `Ok(None)` when the policy has nothing to say about it, `Err(path)`
/// inside when it touches a path outside the repository; `Err` for a path that is no path.
type Planned = Option<Result<Value, String>>;

fn call_plan(root: &Path, cwd: Option<&Path>, op: &Op) -> Result<Planned, String> {
    let outside = |p: &str| Ok(Some(Err(p.to_string())));
    match op {
        Op::Shell(cmd) => Ok(Some(Ok(json!({"commands": [{"run": cmd}]})))),
        Op::Write(path) | Op::Edit(path) => {
            let Some(rel) = repo_path(root, cwd, path)? else {
                return outside(path);
            };
            let op = if matches!(op, Op::Write(_)) && !root.join(&rel).exists() {
                "add"
            } else {
                "modify"
            };
            Ok(Some(Ok(json!({"changes": [{"path": rel, "op": op}]}))))
        }
        Op::Patch(files) => {
            let mut changes = Vec::new();
            for f in files {
                let Some(rel) = repo_path(root, cwd, &f.path)? else {
                    return outside(&f.path);
                };
                let mut change = json!({"path": rel, "op": file_op(f.op)});
                if let Some(from) = &f.from {
                    let Some(from_rel) = repo_path(root, cwd, from)? else {
                        return outside(from);
                    };
                    change["from"] = json!(from_rel);
                }
                changes.push(change);
            }
            Ok(Some(Ok(json!({ "changes": changes }))))
        }
        Op::Read(paths) => {
            let mut reads = Vec::new();
            for path in paths {
                let Some(rel) = repo_path(root, cwd, path)? else {
                    return outside(path);
                };
                if !rel.is_empty() && rel != "." {
                    reads.push(rel);
                }
            }
            // A search of the whole work tree reads no named file.
            Ok((!reads.is_empty()).then(|| Ok(json!({ "reads": reads }))))
        }
        Op::Mcp(tool) => Ok(MCP_ACTIONS
            .iter()
            .find(|(name, _)| name == tool)
            .map(|(_, kind)| Ok(json!({"actions": [{"kind": kind}]})))),
        Op::Other => Ok(None),
    }
}

fn file_op(op: FileOp) -> &'static str {
    match op {
        FileOp::Add => "add",
        FileOp::Modify => "modify",
        FileOp::Delete => "delete",
        FileOp::Rename => "rename",
        FileOp::Copy => "copy",
    }
}

fn judge(
    actor: &str,
    root: &Path,
    audit_path: &Path,
    event: &Event,
    call: &Call,
) -> Result<Verdict, AgError> {
    // A policy that does not compile fails closed, whatever the tool.
    let loaded = crate::load(root)?;
    let policy = &loaded.policy;
    let session = &event.session;
    let planned =
        call_plan(root, event.cwd.as_deref(), &call.op).map_err(|message| HookError::Input {
            host: actor.to_string(),
            message,
        })?;
    let mut plan_value = match planned {
        None => return Ok(Verdict::NoOpinion),
        Some(Err(path)) => {
            let reason = format!(
                "agentgate: `{path}` is outside the repository {}, which its policy does not cover; confirm the access yourself",
                root.display()
            );
            record(
                actor,
                audit_path,
                session,
                call,
                Decision::Ask,
                &policy.digest,
                &[],
                &reason,
            )?;
            return Ok(Verdict::Decided(Answer {
                decision: Decision::Ask,
                reason,
                rules: Vec::new(),
                outside: true,
                session: session.clone(),
            }));
        }
        Some(Ok(v)) => v,
    };
    plan_value["session"] = json!(session);
    let mut plan = crate::changeset::parse_plan(&plan_value.to_string(), "tool call", root)?;
    // Approvals recorded for the session (`agentgate approve`) answer asks; nothing the tool
    // call says counts as evidence.
    let records = audit::read(audit_path).map_err(HookError::from)?;
    let observed = audit::observed_evidence(&records, Some(session));
    plan.evidence.approvals = observed.approvals.clone();
    let mut findings = per_call(policy, &plan, root)?;
    let facts = crate::engine::facts::gather(&plan, root)?;
    let commits = [Action::Commit, Action::Push, Action::PullRequest]
        .iter()
        .any(|a| facts.has_action(*a));
    if commits {
        findings.extend(over_session(policy, &plan, root, observed, session)?);
    }
    let decision = findings
        .iter()
        .map(|f| f.decision)
        .max()
        .unwrap_or(Decision::Allow);
    let reason = reason(decision, &findings);
    let mut rules: Vec<String> = findings
        .iter()
        .filter(|f| f.decision != Decision::Allow)
        .map(|f| f.rule.clone())
        .collect();
    record(
        actor,
        audit_path,
        session,
        call,
        decision,
        &policy.digest,
        &rules,
        &reason,
    )?;
    rules.dedup();
    Ok(Verdict::Decided(Answer {
        decision,
        reason,
        rules,
        outside: false,
        session: session.clone(),
    }))
}

/// Denies and asks of the call itself (obligations wait for the committing call).
fn per_call(policy: &crate::ir::Policy, call: &Plan, root: &Path) -> Result<Vec<Finding>, AgError> {
    let v = crate::engine::evaluate(policy, call, root)?;
    Ok(v.findings
        .into_iter()
        .filter(|f| !SESSION_KINDS.contains(&f.kind.as_str()))
        .collect())
}

/// Obligations and bounds at a committing call: the work tree's changes (what the commit can
/// include) with the call's command, judged against the evidence the session recorded.
fn over_session(
    policy: &crate::ir::Policy,
    call: &Plan,
    root: &Path,
    observed: crate::changeset::Evidence,
    session: &str,
) -> Result<Vec<Finding>, AgError> {
    let mut plan = crate::git::change_set(root, &crate::git::Source::Worktree).unwrap_or_default();
    plan.commit = false;
    plan.session = Some(session.to_string());
    plan.commands = call.commands.clone();
    plan.actions = call.actions.clone();
    plan.evidence = observed;
    let v: EngineVerdict = crate::engine::evaluate(policy, &plan, root)?;
    Ok(v.findings
        .into_iter()
        .filter(|f| SESSION_KINDS.contains(&f.kind.as_str()))
        .collect())
}

/// The reason the host shows: each finding with its rule, file:line, sentence and remedy.
fn reason(decision: Decision, findings: &[Finding]) -> String {
    let shown: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.decision == decision || decision == Decision::Allow)
        .collect();
    if shown.is_empty() {
        return "agentgate: allowed by the repository's policy".into();
    }
    let lines: Vec<String> = shown
        .iter()
        .map(|f| {
            format!(
                "{} ({}:{}) \"{}\": {}. Instead: {}.",
                f.rule, f.origin.file, f.origin.line, f.sentence, f.message, f.help
            )
        })
        .collect();
    let head = match decision {
        Decision::Deny => "agentgate: denied by the repository's policy",
        Decision::Ask => "agentgate: needs your approval under the repository's policy",
        Decision::Allow => "agentgate: allowed, with warnings",
    };
    format!("{head}\n{}", lines.join("\n"))
}

#[allow(clippy::too_many_arguments)]
fn record(
    actor: &str,
    audit_path: &Path,
    session: &str,
    call: &Call,
    decision: Decision,
    digest: &str,
    rules: &[String],
    reason: &str,
) -> Result<(), AgError> {
    let mut log = AuditLog::open(audit_path).map_err(HookError::from)?;
    log.append(
        actor,
        Some(session),
        Logged::Decision {
            subject: call.subject.clone(),
            decision,
            policy_digest: digest.to_string(),
            rules: rules.to_vec(),
            reason: reason.to_string(),
        },
    )
    .map_err(HookError::from)?;
    Ok(())
}

fn record_ran(actor: &str, audit_path: &Path, event: &Event, ran: &Ran) -> Result<(), AgError> {
    let (stdout, stderr) = (ran.stdout.as_deref(), ran.stderr.as_deref());
    let mut log = AuditLog::open(audit_path).map_err(HookError::from)?;
    log.append(
        actor,
        Some(&event.session),
        Logged::Ran {
            step: None,
            command: ran.command.clone(),
            status: ran.status,
            exit_code: ran.exit_code,
            ended_by: ran.ended_by.clone(),
            duration_ms: ran.duration_ms,
            stdout_sha256: stdout.map(|s| audit::sha256(s.as_bytes())),
            stderr_sha256: stderr.map(|s| audit::sha256(s.as_bytes())),
            output_bytes: (stdout.map_or(0, str::len) + stderr.map_or(0, str::len)) as u64,
            source: format!("hook:{actor} {}", event.hook),
        },
    )
    .map_err(HookError::from)?;
    Ok(())
}

/// Record a verdict someone asked for (the MCP server's `check_plan`).
pub fn record_decision(
    audit_path: &Path,
    actor: &str,
    session: Option<&str>,
    subject: &str,
    verdict: &EngineVerdict,
) -> Result<(), HookError> {
    let mut log = AuditLog::open(audit_path)?;
    let rules = verdict
        .findings
        .iter()
        .filter(|f| f.decision != Decision::Allow)
        .map(|f| f.rule.clone())
        .collect();
    let reason = verdict
        .findings
        .iter()
        .filter(|f| f.decision == verdict.decision)
        .map(|f| {
            format!(
                "{} ({}:{}): {}",
                f.rule, f.origin.file, f.origin.line, f.message
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    log.append(
        actor,
        session,
        Logged::Decision {
            subject: subject.to_string(),
            decision: verdict.decision,
            policy_digest: verdict.policy_digest.clone(),
            rules,
            reason,
        },
    )?;
    Ok(())
}
