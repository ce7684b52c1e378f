//! GitHub Copilot CLI: `preToolUse`, `postToolUse` and `postToolUseFailure` command hooks
//! (`.github/hooks/*.json`, version 1), in either payload format the CLI sends.
//!
//! In, camelCase events (`preToolUse`): `{"sessionId", "timestamp", "cwd", "toolName",
//! "toolArgs", "toolResult"}` — `toolArgs` is the arguments as a JSON string (or an object), a
//! post event carries `toolResult` (`resultType`, `textResultForLlm`), a failure `error`; these
//! payloads name no event, so the fields tell them apart. PascalCase events (`PreToolUse`,
//! VS Code compatible): `{"hook_event_name", "session_id", "cwd", "tool_name", "tool_input",
//! "tool_result"}`. `bash` and `powershell` (`command`) are commands, `view` (`path`) a read,
//! `grep` and `glob` (`path`) reads, `create` (`path`) a write, `edit` (`path`) an edit.
//!
//! Out (exit 0): `{"permissionDecision": "deny"|"ask", "permissionDecisionReason": …}`; no
//! objection is silence (`allow` with `--explicit-allow`). Copilot CLI logs and skips a hook
//! that exits non-zero or times out — it never blocks on one — so malformed input is answered
//! with a deny on stdout and exit 0, the message also on stderr.
//!
//! Sources: github/docs `content/copilot/reference/copilot-cli-reference/cli-hooks-reference.md`
//! and `content/copilot/reference/hooks-configuration.md`.

use std::path::PathBuf;

use serde_json::{json, Map, Value};

use super::core::{Call, Event, Kind, Op, Ran, Verdict};
use super::{input_err, string, Adapter, Options, Reply};
use crate::changeset::CheckStatus;
use crate::ir::Decision;
use crate::Error as AgError;

pub struct Copilot;

/// One payload, whichever format it came in.
struct Input {
    event: String,
    session: String,
    cwd: Option<String>,
    tool: String,
    args: Map<String, Value>,
    result: Option<Map<String, Value>>,
}

impl Adapter for Copilot {
    const NAME: &'static str = "copilot-cli";

    fn event(input: &str) -> Result<Event, AgError> {
        let value: Value = super::parse(Self::NAME, input)?;
        let input = read(&value)?;
        let kind = match input.event.as_str() {
            "preToolUse" | "PreToolUse" => Kind::Pre(call(&input)?),
            "postToolUse" | "PostToolUse" | "postToolUseFailure" | "PostToolUseFailure" => {
                post(&input)?
            }
            other => return Err(super::event_err(Self::NAME, other)),
        };
        Ok(Event {
            hook: input.event.clone(),
            session: input.session.clone(),
            cwd: input.cwd.as_ref().map(PathBuf::from),
            roots: Vec::new(),
            kind,
        })
    }

    fn reply(_event: &Event, verdict: &Verdict, opts: &Options) -> Reply {
        match verdict {
            Verdict::Decided(a) if a.decision != Decision::Allow || opts.explicit_allow => {
                let mut out = json!({"permissionDecision": a.decision.as_str()});
                if a.decision != Decision::Allow {
                    out["permissionDecisionReason"] = json!(a.reason);
                }
                Reply::json(out)
            }
            _ => Reply::out(String::new()),
        }
    }

    fn fail(message: &str) -> Reply {
        Reply::json(json!({
            "permissionDecision": "deny",
            "permissionDecisionReason": message,
        }))
    }
}

fn bad(message: impl Into<String>) -> AgError {
    input_err(Copilot::NAME, message)
}

/// Either payload format into one shape.
fn read(value: &Value) -> Result<Input, AgError> {
    let Some(obj) = value.as_object() else {
        return Err(bad("the event is not a JSON object"));
    };
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
    let required =
        |key: &str| text(key).ok_or_else(|| bad(format!("`{key}` (a string) is required")));
    let pascal = obj.contains_key("hook_event_name");
    let event = match text("hook_event_name") {
        Some(e) => e,
        None if obj.contains_key("toolResult") => "postToolUse".to_string(),
        None if obj.contains_key("error") => "postToolUseFailure".to_string(),
        None => "preToolUse".to_string(),
    };
    let (session, tool, args, result) = if pascal {
        (
            required("session_id")?,
            required("tool_name")?,
            obj.get("tool_input"),
            obj.get("tool_result"),
        )
    } else {
        (
            required("sessionId")?,
            required("toolName")?,
            obj.get("toolArgs"),
            obj.get("toolResult"),
        )
    };
    let args = match args {
        Some(Value::Object(m)) => m.clone(),
        // `toolArgs` is documented as a JSON string of the arguments.
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(bad(format!(
                    "the arguments of {tool} are not a JSON object"
                )))
            }
        },
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(bad(format!("the arguments of {tool} are not an object"))),
    };
    let result = match result {
        Some(Value::Object(m)) => Some(m.clone()),
        None | Some(Value::Null) => None,
        Some(_) => return Err(bad("the tool result is not an object")),
    };
    Ok(Input {
        event,
        session,
        cwd: text("cwd"),
        tool,
        args,
        result,
    })
}

fn need<'a>(input: &'a Input, name: &str) -> Result<&'a str, AgError> {
    string(&input.args, &[name]).ok_or_else(|| {
        bad(format!(
            "the `{name}` argument (a string) is required for {}",
            input.tool
        ))
    })
}

fn is_shell(tool: &str) -> bool {
    matches!(tool, "bash" | "powershell")
}

fn call(input: &Input) -> Result<Call, AgError> {
    let tool = input.tool.as_str();
    let op = match tool {
        t if is_shell(t) => Op::Shell(need(input, "command")?.to_string()),
        "view" => Op::Read(vec![need(input, "path")?.to_string()]),
        "grep" | "glob" => Op::Read(
            string(&input.args, &["path"])
                .map(str::to_string)
                .into_iter()
                .collect(),
        ),
        "create" => Op::Write(need(input, "path")?.to_string()),
        "edit" => Op::Edit(need(input, "path")?.to_string()),
        _ => Op::Other,
    };
    let detail = string(&input.args, &["command", "path", "pattern"]).unwrap_or("");
    Ok(Call {
        subject: format!("tool {tool} {detail}").trim().to_string(),
        op,
    })
}

/// A shell command that ran: a `success` result passed; a failure event, or any other result
/// type (`failure`, `denied`, `error`), failed.
fn post(input: &Input) -> Result<Kind, AgError> {
    if !is_shell(&input.tool) {
        return Ok(Kind::Skip);
    }
    let command = need(input, "command")?.to_string();
    let result = input.result.as_ref();
    let field = |keys: [&str; 2]| {
        result.and_then(|r| keys.iter().find_map(|k| r.get(*k).and_then(Value::as_str)))
    };
    let result_type = field(["resultType", "result_type"]);
    let text = field(["textResultForLlm", "text_result_for_llm"]).map(str::to_string);
    let failure_event = input.event.eq_ignore_ascii_case("postToolUseFailure");
    let passed = !failure_event && result_type == Some("success");
    Ok(Kind::Post(Ran {
        command,
        status: if passed {
            CheckStatus::Passed
        } else {
            CheckStatus::Failed
        },
        exit_code: None,
        ended_by: (!passed).then(|| {
            format!(
                "copilot-cli reported {}",
                if failure_event {
                    "a failure"
                } else {
                    result_type.unwrap_or("no result")
                }
            )
        }),
        stdout: text,
        stderr: None,
        duration_ms: 0,
    }))
}
