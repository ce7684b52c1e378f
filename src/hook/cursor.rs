//! Cursor: `beforeShellExecution`, `beforeMCPExecution`, `beforeReadFile` and
//! `afterShellExecution` hooks (`.cursor/hooks.json`, version 1).
//!
//! In: every event carries `conversation_id`, `generation_id`, `hook_event_name` and
//! `workspace_roots`; `beforeShellExecution` adds `command` and `cwd`, `beforeMCPExecution`
//! `tool_name` and `tool_input` (with the server's `url` or `command`), `beforeReadFile`
//! `file_path` and `content`, `afterShellExecution` `command`, `output` and `duration`. The
//! repository is the first workspace root.
//!
//! Out (exit 0): `{"permission": "allow"|"deny"|"ask", "user_message": …, "agent_message": …}`
//! for shell and MCP calls; `beforeReadFile` answers `allow` or `deny` only, so an ask there is
//! a deny. Cursor's before-hooks expect a permission, so no objection is `allow`. Exit 2 blocks
//! the action; malformed input is exit 2 with the message on stderr and a deny on stdout.
//! `afterShellExecution` reports no exit status, so a command Cursor ran is recorded as failed:
//! it never counts as a check that passed.
//!
//! Sources: <https://cursor.com/docs/agent/hooks> (fixtures/hooks/cursor/README.md).

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{json, Value};

use super::core::{self, Call, Event, Kind, Op, Ran, Verdict};
use super::{input_err, Adapter, Options, Reply};
use crate::changeset::CheckStatus;
use crate::ir::Decision;
use crate::Error as AgError;

pub struct Cursor;

#[derive(Debug, Deserialize)]
struct Input {
    conversation_id: String,
    hook_event_name: String,
    #[serde(default)]
    workspace_roots: Vec<String>,
    #[serde(default)]
    command: Option<String>,
    #[serde(default)]
    cwd: Option<String>,
    #[serde(default)]
    tool_name: Option<String>,
    #[serde(default)]
    file_path: Option<String>,
    #[serde(default)]
    output: Option<String>,
    #[serde(default)]
    duration: Option<Value>,
}

impl Adapter for Cursor {
    const NAME: &'static str = "cursor";

    fn event(input: &str) -> Result<Event, AgError> {
        let input: Input = super::parse(Self::NAME, input)?;
        let need = |field: &Option<String>, name: &str| {
            field.clone().ok_or_else(|| {
                input_err(
                    Self::NAME,
                    format!(
                        "`{name}` (a string) is required for {}",
                        input.hook_event_name
                    ),
                )
            })
        };
        let (kind, cwd) = match input.hook_event_name.as_str() {
            "beforeShellExecution" => {
                let cmd = need(&input.command, "command")?;
                let subject = format!("shell {cmd}");
                (pre(subject, Op::Shell(cmd)), input.cwd.clone())
            }
            "beforeMCPExecution" => {
                let tool = need(&input.tool_name, "tool_name")?;
                let op = core::mcp_tool(&tool).map_or_else(|| Op::Mcp(tool.clone()), Op::Mcp);
                (pre(format!("mcp {tool}"), op), None)
            }
            "beforeReadFile" => {
                let path = need(&input.file_path, "file_path")?;
                (pre(format!("read {path}"), Op::Read(vec![path])), None)
            }
            "afterShellExecution" => {
                let command = need(&input.command, "command")?;
                let ran = Ran {
                    command,
                    // Cursor reports the output, not how the command ended.
                    status: CheckStatus::Failed,
                    exit_code: None,
                    ended_by: Some("cursor reports no exit status".to_string()),
                    stdout: input.output.clone(),
                    stderr: None,
                    duration_ms: input.duration.as_ref().and_then(Value::as_u64).unwrap_or(0),
                };
                (Kind::Post(ran), input.cwd.clone())
            }
            other => return Err(super::event_err(Self::NAME, other)),
        };
        let roots: Vec<PathBuf> = input.workspace_roots.iter().map(PathBuf::from).collect();
        Ok(Event {
            hook: input.hook_event_name.clone(),
            session: input.conversation_id.clone(),
            cwd: cwd.map(PathBuf::from).or_else(|| roots.first().cloned()),
            roots,
            kind,
        })
    }

    fn reply(event: &Event, verdict: &Verdict, _opts: &Options) -> Reply {
        if matches!(event.kind, Kind::Post(_) | Kind::Skip) {
            return Reply::out(String::new());
        }
        let (decision, reason) = match verdict {
            Verdict::Decided(a) => (a.decision, Some(a.reason.as_str())),
            Verdict::NoOpinion | Verdict::Recorded => (Decision::Allow, None),
        };
        if event.hook == "beforeReadFile" {
            // beforeReadFile answers allow or deny, nothing else.
            let permission = if decision == Decision::Allow {
                "allow"
            } else {
                "deny"
            };
            return Reply::json(json!({ "permission": permission }));
        }
        match (decision, reason) {
            (Decision::Allow, _) | (_, None) => Reply::json(json!({"permission": "allow"})),
            (d, Some(reason)) => Reply::json(permission(d.as_str(), reason)),
        }
    }

    fn fail(message: &str) -> Reply {
        Reply {
            stdout: format!("{}\n", permission("deny", message)),
            exit: 2,
            error: None,
        }
    }
}

fn pre(subject: String, op: Op) -> Kind {
    Kind::Pre(Call { subject, op })
}

fn permission(permission: &str, reason: &str) -> Value {
    json!({
        "permission": permission,
        "user_message": reason,
        "agent_message": reason,
    })
}
