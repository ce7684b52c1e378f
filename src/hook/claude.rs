//! Claude Code: `PreToolUse`, `PostToolUse` and `PostToolUseFailure` command hooks.
//!
//! In: `{"session_id", "cwd", "hook_event_name", "tool_name", "tool_input", "tool_response"}`.
//! `Edit`, `Write`, `MultiEdit` (`file_path`), `NotebookEdit` (`notebook_path`) are changes,
//! `Bash` (`command`) a command, `Read` (`file_path`), `Grep` and `Glob` (`path`) reads,
//! `mcp__server__tool` an MCP tool. The repository is `$CLAUDE_PROJECT_DIR`, else `cwd`.
//!
//! Out (exit 0): `{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision":
//! "deny"|"ask"|"allow", "permissionDecisionReason": …}}`; nothing when the policy has no
//! objection unless `--explicit-allow`. Malformed input is exit 2 with the message on stderr,
//! which Claude Code treats as a block.
//!
//! Source: <https://docs.claude.com/en/docs/claude-code/hooks> (fixtures/hooks/claude-code).

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::core::{self, Call, Event, Kind, Op, Ran, Verdict};
use super::{input_err, string, Adapter, Options, Reply};
use crate::changeset::CheckStatus;
use crate::ir::Decision;
use crate::Error as AgError;

pub struct Claude;

/// The fields of a Claude Code hook event agentgate reads (others are ignored).
#[derive(Debug, Deserialize)]
struct Input {
    session_id: String,
    #[serde(default)]
    cwd: Option<String>,
    hook_event_name: String,
    tool_name: String,
    tool_input: Map<String, Value>,
    #[serde(default)]
    tool_response: Option<Value>,
}

impl Adapter for Claude {
    const NAME: &'static str = "claude-code";

    fn event(input: &str) -> Result<Event, AgError> {
        let input: Input = super::parse(Self::NAME, input)?;
        let kind = match input.hook_event_name.as_str() {
            "PreToolUse" => Kind::Pre(call(&input)?),
            "PostToolUse" | "PostToolUseFailure" => post(&input)?,
            other => return Err(super::event_err(Self::NAME, other)),
        };
        Ok(Event {
            hook: input.hook_event_name.clone(),
            session: input.session_id.clone(),
            cwd: input.cwd.as_ref().map(PathBuf::from),
            roots: std::env::var_os("CLAUDE_PROJECT_DIR")
                .map(PathBuf::from)
                .into_iter()
                .collect(),
            kind,
        })
    }

    fn reply(_event: &Event, verdict: &Verdict, opts: &Options) -> Reply {
        match verdict {
            Verdict::Decided(a) if a.decision != Decision::Allow || opts.explicit_allow => {
                Reply::json(json!({
                    "hookSpecificOutput": {
                        "hookEventName": "PreToolUse",
                        "permissionDecision": a.decision.as_str(),
                        "permissionDecisionReason": a.reason,
                    }
                }))
            }
            _ => Reply::out(String::new()),
        }
    }

    fn fail(_message: &str) -> Reply {
        Reply {
            stdout: String::new(),
            exit: 2,
            error: None,
        }
    }
}

fn need<'a>(input: &'a Input, names: &[&str]) -> Result<&'a str, AgError> {
    string(&input.tool_input, names).ok_or_else(|| {
        input_err(
            Claude::NAME,
            format!(
                "`tool_input.{}` (a string) is required for the {} tool",
                names[0], input.tool_name
            ),
        )
    })
}

fn call(input: &Input) -> Result<Call, AgError> {
    let tool = input.tool_name.as_str();
    let op = match tool {
        "Write" => Op::Write(need(input, &["file_path", "notebook_path"])?.to_string()),
        "Edit" | "MultiEdit" | "NotebookEdit" => {
            Op::Edit(need(input, &["file_path", "notebook_path"])?.to_string())
        }
        "Bash" => Op::Shell(need(input, &["command"])?.to_string()),
        "Read" => Op::Read(vec![need(input, &["file_path"])?.to_string()]),
        "Grep" | "Glob" => Op::Read(
            string(&input.tool_input, &["path"])
                .map(str::to_string)
                .into_iter()
                .collect(),
        ),
        _ => core::mcp_tool(tool).map_or(Op::Other, Op::Mcp),
    };
    let detail = string(
        &input.tool_input,
        &["command", "file_path", "notebook_path", "path", "pattern"],
    )
    .unwrap_or("");
    Ok(Call {
        subject: format!("tool {tool} {detail}").trim().to_string(),
        op,
    })
}

/// How a Bash call ended: the exit code when Claude Code reports one, `interrupted`, or the
/// event (`PostToolUseFailure` is a failure).
fn post(input: &Input) -> Result<Kind, AgError> {
    if input.tool_name != "Bash" {
        return Ok(Kind::Skip);
    }
    let command = need(input, &["command"])?.to_string();
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
    let text = |k: &str| {
        resp.and_then(|r| r.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Ok(Kind::Post(Ran {
        command,
        status: if failed {
            CheckStatus::Failed
        } else {
            CheckStatus::Passed
        },
        exit_code: code,
        ended_by: interrupted.then(|| "interrupted".to_string()),
        stdout: text("stdout"),
        stderr: text("stderr"),
        // Claude Code does not report how long a call took.
        duration_ms: 0,
    }))
}
