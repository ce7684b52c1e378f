//! `agentgate hook claude-code`: Claude Code's PreToolUse and PostToolUse hook protocol.
//!
//! PreToolUse reads the tool call on stdin, maps it to a one-call plan (Edit, Write, MultiEdit,
//! NotebookEdit → a change; Bash → a command; Read, Grep, Glob → reads) and answers
//! `hookSpecificOutput.permissionDecision` with a reason quoting the policy sentence and its
//! file:line. A single call is judged for denies and asks only; obligations and bounds are judged
//! at the call that commits, pushes or opens a pull request, over the work tree's changes and
//! the evidence the session's PostToolUse calls recorded in the audit log — never over what the
//! tool call claims. PostToolUse records what ran and how it ended.
//!
//! Malformed input is exit code 2 with a message on stderr, which Claude Code treats as a block.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde::Deserialize;
use serde_json::{json, Value};
use thiserror::Error;

use crate::audit::{self, AuditLog, Event};
use crate::changeset::{CheckStatus, Plan};
use crate::engine::{Finding, Verdict};
use crate::ir::{Action, Decision};
use crate::Error as AgError;

#[derive(Debug, Error, Diagnostic)]
pub enum HookError {
    #[error("malformed hook input: {message}")]
    #[diagnostic(
        code(agentgate::hook::input),
        help("`agentgate hook claude-code` reads one Claude Code hook event as JSON on stdin: {{\"session_id\": …, \"hook_event_name\": \"PreToolUse\", \"tool_name\": \"Edit\", \"tool_input\": {{\"file_path\": …}}}}")
    )]
    Input { message: String },
    #[error("unsupported hook event `{event}`")]
    #[diagnostic(
        code(agentgate::hook::event),
        help("install the hook for PreToolUse, PostToolUse and PostToolUseFailure only (docs/agents.md)")
    )]
    Event { event: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Audit(#[from] audit::AuditError),
}

/// Kinds judged over the whole session at a committing call, not per call.
const SESSION_KINDS: [&str; 5] = [
    "required-check",
    "required-read",
    "co-change",
    "risk-gate",
    "bound",
];

/// The fields of a Claude Code hook event agentgate reads (others are ignored).
#[derive(Debug, Deserialize)]
struct Input {
    session_id: String,
    #[serde(default)]
    cwd: Option<String>,
    hook_event_name: String,
    tool_name: String,
    tool_input: serde_json::Map<String, Value>,
    #[serde(default)]
    tool_response: Option<Value>,
}

/// Options of the hook.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--root`; else `$CLAUDE_PROJECT_DIR`, else the event's `cwd`.
    pub root: Option<PathBuf>,
    /// `--audit-log`; else `<root>/.agentgate/audit.jsonl`.
    pub audit_log: Option<PathBuf>,
    /// Answer `allow` explicitly when the policy has no objection (Claude Code then skips its own
    /// permission prompt). By default the hook stays silent and Claude Code's permissions apply.
    pub explicit_allow: bool,
}

/// What the hook prints on stdout (possibly nothing).
pub fn claude_code(input: &str, opts: &Options) -> Result<String, AgError> {
    let input: Input = serde_json::from_str(input).map_err(|e| HookError::Input {
        message: e.to_string(),
    })?;
    let root = match opts
        .root
        .clone()
        .or_else(|| std::env::var_os("CLAUDE_PROJECT_DIR").map(PathBuf::from))
        .or_else(|| input.cwd.clone().map(PathBuf::from))
    {
        Some(r) => crate::cli::resolve_root(Some(r))?,
        None => crate::cli::resolve_root(None)?,
    };
    let audit_path = opts
        .audit_log
        .clone()
        .unwrap_or_else(|| audit::default_path(&root));
    match input.hook_event_name.as_str() {
        "PreToolUse" => pre_tool_use(&root, &audit_path, &input, opts),
        "PostToolUse" | "PostToolUseFailure" => {
            post_tool_use(&audit_path, &input)?;
            Ok(String::new())
        }
        other => Err(HookError::Event {
            event: other.to_string(),
        }
        .into()),
    }
}

fn input_err(message: impl Into<String>) -> AgError {
    HookError::Input {
        message: message.into(),
    }
    .into()
}

fn string_field<'a>(input: &'a Input, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| input.tool_input.get(*n).and_then(Value::as_str))
}

/// A path from a tool call, relative to the repository; `None` when it is outside it.
fn repo_path(root: &Path, cwd: Option<&str>, path: &str) -> Result<Option<String>, AgError> {
    let p = Path::new(path);
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.map(PathBuf::from)
            .unwrap_or_else(|| root.to_path_buf())
            .join(p)
    };
    match crate::changeset::normalize_path(root, &abs.display().to_string()) {
        Ok(rel) => Ok(Some(rel)),
        Err(crate::changeset::PathError::Escape { .. }) => Ok(None),
        Err(e) => Err(input_err(format!("`tool_input` path: {e}"))),
    }
}

/// The tool call as a plan; `Ok(None)` for tools agentgate has no rules about.
fn call_plan(root: &Path, input: &Input) -> Result<Option<Result<Value, String>>, AgError> {
    let cwd = input.cwd.as_deref();
    let tool = input.tool_name.as_str();
    let need = |names: &[&str]| {
        string_field(input, names).ok_or_else(|| {
            input_err(format!(
                "`tool_input.{}` (a string) is required for the {tool} tool",
                names[0]
            ))
        })
    };
    let outside = |p: &str| Ok(Some(Err(p.to_string())));
    match tool {
        "Edit" | "MultiEdit" | "Write" | "NotebookEdit" => {
            let path = need(&["file_path", "notebook_path"])?;
            let Some(rel) = repo_path(root, cwd, path)? else {
                return outside(path);
            };
            let op = if tool == "Write" && !root.join(&rel).exists() {
                "add"
            } else {
                "modify"
            };
            Ok(Some(Ok(json!({"changes": [{"path": rel, "op": op}]}))))
        }
        "Bash" => {
            let cmd = need(&["command"])?;
            Ok(Some(Ok(json!({"commands": [{"run": cmd}]}))))
        }
        "Read" | "Grep" | "Glob" => {
            let path = if tool == "Read" {
                Some(need(&["file_path"])?)
            } else {
                string_field(input, &["path"])
            };
            let Some(path) = path else {
                return Ok(None); // a search of the whole work tree reads no named file
            };
            let Some(rel) = repo_path(root, cwd, path)? else {
                return outside(path);
            };
            if rel.is_empty() || rel == "." {
                return Ok(None);
            }
            Ok(Some(Ok(json!({"reads": [rel]}))))
        }
        _ => Ok(None),
    }
}

/// A short description of the call, for the audit log.
fn subject(input: &Input) -> String {
    let detail = string_field(
        input,
        &["command", "file_path", "notebook_path", "path", "pattern"],
    )
    .unwrap_or("");
    format!("tool {} {}", input.tool_name, detail)
        .trim()
        .to_string()
}

fn pre_tool_use(
    root: &Path,
    audit_path: &Path,
    input: &Input,
    opts: &Options,
) -> Result<String, AgError> {
    let loaded = crate::load(root)?;
    let policy = &loaded.policy;
    let plan_value = match call_plan(root, input)? {
        None => return Ok(String::new()),
        Some(Err(path)) => {
            let reason = format!(
                "agentgate: `{path}` is outside the repository {}, which its policy does not cover; confirm the access yourself",
                root.display()
            );
            record(
                audit_path,
                input,
                Decision::Ask,
                &policy.digest,
                &[],
                &reason,
            )?;
            return Ok(answer(Decision::Ask, &reason));
        }
        Some(Ok(v)) => v,
    };
    let mut plan_value = plan_value;
    plan_value["session"] = json!(input.session_id);
    let mut call = crate::changeset::parse_plan(&plan_value.to_string(), "tool call", root)?;
    // Approvals recorded for the session (`agentgate approve`) answer asks; nothing the tool
    // call says counts as evidence.
    let records = audit::read(audit_path).map_err(HookError::from)?;
    let observed = audit::observed_evidence(&records, Some(&input.session_id));
    call.evidence.approvals = observed.approvals.clone();
    let mut findings = per_call(policy, &call, root)?;
    let facts = crate::engine::facts::gather(&call, root)?;
    let commits = [Action::Commit, Action::Push, Action::PullRequest]
        .iter()
        .any(|a| facts.has_action(*a));
    if commits {
        findings.extend(over_session(
            policy,
            &call,
            root,
            observed,
            &input.session_id,
        )?);
    }
    let decision = findings
        .iter()
        .map(|f| f.decision)
        .max()
        .unwrap_or(Decision::Allow);
    let reason = reason(decision, &findings);
    let rules: Vec<String> = findings
        .iter()
        .filter(|f| f.decision != Decision::Allow)
        .map(|f| f.rule.clone())
        .collect();
    record(audit_path, input, decision, &policy.digest, &rules, &reason)?;
    if decision == Decision::Allow && !opts.explicit_allow {
        return Ok(String::new());
    }
    Ok(answer(decision, &reason))
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
    let v: Verdict = crate::engine::evaluate(policy, &plan, root)?;
    Ok(v.findings
        .into_iter()
        .filter(|f| SESSION_KINDS.contains(&f.kind.as_str()))
        .collect())
}

/// The reason Claude Code shows: each finding with its rule, file:line, sentence and remedy.
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

fn answer(decision: Decision, reason: &str) -> String {
    let mut s = json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": decision.as_str(),
            "permissionDecisionReason": reason,
        }
    })
    .to_string();
    s.push('\n');
    s
}

fn record(
    audit_path: &Path,
    input: &Input,
    decision: Decision,
    digest: &str,
    rules: &[String],
    reason: &str,
) -> Result<(), AgError> {
    let mut log = AuditLog::open(audit_path).map_err(HookError::from)?;
    log.append(
        "claude-code",
        Some(&input.session_id),
        Event::Decision {
            subject: subject(input),
            decision,
            policy_digest: digest.to_string(),
            rules: rules.to_vec(),
            reason: reason.to_string(),
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
    verdict: &Verdict,
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
        Event::Decision {
            subject: subject.to_string(),
            decision: verdict.decision,
            policy_digest: verdict.policy_digest.clone(),
            rules,
            reason,
        },
    )?;
    Ok(())
}

/// How a Bash call ended: the exit code when Claude Code reports one, `interrupted`, or the
/// event (`PostToolUseFailure` is a failure).
fn outcome(input: &Input) -> (CheckStatus, Option<i32>) {
    let resp = input.tool_response.as_ref();
    let code = resp.and_then(|r| {
        ["exit_code", "exitCode", "returncode"]
            .iter()
            .find_map(|k| r.get(*k).and_then(Value::as_i64))
            .map(|c| c as i32)
    });
    let interrupted = resp
        .and_then(|r| r.get("interrupted"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let failed = input.hook_event_name == "PostToolUseFailure"
        || interrupted
        || code.is_some_and(|c| c != 0);
    (
        if failed {
            CheckStatus::Failed
        } else {
            CheckStatus::Passed
        },
        code,
    )
}

fn post_tool_use(audit_path: &Path, input: &Input) -> Result<(), AgError> {
    if input.tool_name != "Bash" {
        return Ok(());
    }
    let command = string_field(input, &["command"]).ok_or_else(|| {
        input_err("`tool_input.command` (a string) is required for the Bash tool")
    })?;
    let (status, exit_code) = outcome(input);
    let text = |k: &str| {
        input
            .tool_response
            .as_ref()
            .and_then(|r| r.get(k))
            .and_then(Value::as_str)
    };
    let (stdout, stderr) = (text("stdout"), text("stderr"));
    let interrupted = input
        .tool_response
        .as_ref()
        .and_then(|r| r.get("interrupted"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut log = AuditLog::open(audit_path).map_err(HookError::from)?;
    log.append(
        "claude-code",
        Some(&input.session_id),
        Event::Ran {
            step: None,
            command: command.to_string(),
            status,
            exit_code,
            ended_by: interrupted.then(|| "interrupted".to_string()),
            // Claude Code does not report how long a call took.
            duration_ms: 0,
            stdout_sha256: stdout.map(|s| audit::sha256(s.as_bytes())),
            stderr_sha256: stderr.map(|s| audit::sha256(s.as_bytes())),
            output_bytes: (stdout.map_or(0, str::len) + stderr.map_or(0, str::len)) as u64,
            source: format!("hook:claude-code {}", input.hook_event_name),
        },
    )
    .map_err(HookError::from)?;
    Ok(())
}
