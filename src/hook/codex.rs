//! OpenAI Codex: `PreToolUse` and `PostToolUse` command hooks (`hooks.json` or `[hooks]` in
//! `config.toml`).
//!
//! In: `{"session_id", "turn_id", "cwd", "hook_event_name", "model", "permission_mode",
//! "tool_name", "tool_input", "tool_use_id", "tool_response"}`. Shell tools arrive as `Bash` with
//! `tool_input.command`; file edits as `apply_patch` with the raw patch in `tool_input.command`
//! (its `*** Add/Update/Delete File:` and `*** Move to:` headers are the files it changes); MCP
//! tools as `mcp__server__tool` with their arguments.
//!
//! Out: a deny is `{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision":
//! "deny", "permissionDecisionReason": …}}` on stdout, exit 0. Codex rejects
//! `permissionDecision: "ask"` (and `"allow"` without `updatedInput`) as invalid output and then
//! runs the call, so an ask is answered as a deny that says how a person approves it
//! (`agentgate approve`), and no objection is silence. Codex treats exit 2 with a message on
//! stderr as a block and any other failure as no decision, so malformed input is exit 2.
//!
//! Sources: openai/codex `codex-rs/hooks/src/events/pre_tool_use.rs` (exit codes),
//! `codex-rs/hooks/src/engine/output_parser.rs` (accepted decisions),
//! `codex-rs/hooks/schema/generated/*.schema.json` (fields), `codex-rs/core/src/tools/hook_names.rs`
//! (tool names), `codex-rs/apply-patch/apply_patch_tool_instructions.md` (patch grammar),
//! `codex-rs/core/src/tools/mod.rs` (the `Exit code:` line of shell output).

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::core::{self, Call, Event, Kind, Op, PatchFile, Ran, Verdict};
use super::{input_err, string, Adapter, Options, Reply};
use crate::changeset::{CheckStatus, Op as FileOp};
use crate::ir::Decision;
use crate::Error as AgError;

pub struct Codex;

#[derive(Debug, Deserialize)]
struct Input {
    session_id: String,
    cwd: String,
    hook_event_name: String,
    tool_name: String,
    tool_input: Value,
    #[serde(default)]
    tool_response: Option<Value>,
}

impl Adapter for Codex {
    const NAME: &'static str = "codex";

    fn event(input: &str) -> Result<Event, AgError> {
        let input: Input = super::parse(Self::NAME, input)?;
        let kind = match input.hook_event_name.as_str() {
            "PreToolUse" => Kind::Pre(call(&input)?),
            "PostToolUse" => post(&input)?,
            other => return Err(super::event_err(Self::NAME, other)),
        };
        Ok(Event {
            hook: input.hook_event_name.clone(),
            session: input.session_id.clone(),
            cwd: Some(PathBuf::from(&input.cwd)),
            roots: Vec::new(),
            kind,
        })
    }

    fn reply(_event: &Event, verdict: &Verdict, _opts: &Options) -> Reply {
        let Verdict::Decided(a) = verdict else {
            return Reply::out(String::new());
        };
        let reason = match a.decision {
            Decision::Allow => return Reply::out(String::new()),
            Decision::Deny => a.reason.clone(),
            Decision::Ask if a.outside => format!(
                "{}\nCodex cannot ask from a hook, so agentgate refuses the call; if it is intended, a person runs it.",
                a.reason
            ),
            Decision::Ask => format!(
                "{}\nCodex cannot ask from a hook, so agentgate refuses the call until a person approves it for this session: {}; then retry.",
                a.reason,
                approve_command(&a.session, &a.rules)
            ),
        };
        Reply::json(deny(&reason))
    }

    fn fail(_message: &str) -> Reply {
        Reply {
            stdout: String::new(),
            exit: 2,
            error: None,
        }
    }
}

fn deny(reason: &str) -> Value {
    json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        }
    })
}

fn approve_command(session: &str, rules: &[String]) -> String {
    let mut cmd = format!("`agentgate approve --session {session} --by <you>");
    if let [rule] = rules {
        cmd.push_str(&format!(" --rule {rule}"));
    }
    cmd.push('`');
    cmd
}

fn object(input: &Input) -> Result<&Map<String, Value>, AgError> {
    input.tool_input.as_object().ok_or_else(|| {
        input_err(
            Codex::NAME,
            format!(
                "`tool_input` (an object) is required for {}",
                input.tool_name
            ),
        )
    })
}

fn command(input: &Input) -> Result<&str, AgError> {
    string(object(input)?, &["command"]).ok_or_else(|| {
        input_err(
            Codex::NAME,
            format!(
                "`tool_input.command` (a string) is required for {}",
                input.tool_name
            ),
        )
    })
}

fn call(input: &Input) -> Result<Call, AgError> {
    let tool = input.tool_name.as_str();
    let (op, detail) = match tool {
        "Bash" => {
            let cmd = command(input)?;
            (Op::Shell(cmd.to_string()), cmd.to_string())
        }
        "apply_patch" => {
            let files = patch_files(command(input)?)
                .map_err(|m| input_err(Codex::NAME, format!("apply_patch: {m}")))?;
            let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
            let detail = names.join(" ");
            (Op::Patch(files), detail)
        }
        _ => (
            core::mcp_tool(tool).map_or(Op::Other, Op::Mcp),
            String::new(),
        ),
    };
    Ok(Call {
        subject: format!("tool {tool} {detail}").trim().to_string(),
        op,
    })
}

/// The files a Codex patch changes, from its headers (the grammar of
/// `apply_patch_tool_instructions.md`): `*** Add File: p`, `*** Delete File: p`,
/// `*** Update File: p` optionally followed by `*** Move to: q`.
pub fn patch_files(patch: &str) -> Result<Vec<PatchFile>, String> {
    let mut lines = patch.lines().map(|l| l.trim_end_matches('\r'));
    let first = lines.by_ref().find(|l| !l.trim().is_empty());
    if first.map(str::trim) != Some("*** Begin Patch") {
        return Err("the patch does not start with `*** Begin Patch`".into());
    }
    let mut files: Vec<PatchFile> = Vec::new();
    let mut ended = false;
    for line in lines {
        let header = |prefix: &str| {
            line.strip_prefix(prefix)
                .map(str::trim)
                .filter(|p| !p.is_empty())
        };
        if line.trim() == "*** End Patch" {
            ended = true;
            break;
        } else if let Some(p) = header("*** Add File:") {
            files.push(file(p, FileOp::Add, None));
        } else if let Some(p) = header("*** Delete File:") {
            files.push(file(p, FileOp::Delete, None));
        } else if let Some(p) = header("*** Update File:") {
            files.push(file(p, FileOp::Modify, None));
        } else if let Some(p) = header("*** Move to:") {
            match files.last_mut() {
                Some(f) if f.op == FileOp::Modify && f.from.is_none() => {
                    f.from = Some(std::mem::replace(&mut f.path, p.to_string()));
                    f.op = FileOp::Rename;
                }
                _ => return Err("`*** Move to:` must follow `*** Update File:`".into()),
            }
        } else if line.starts_with("*** ") && !line.starts_with("*** End of File") {
            return Err(format!("unknown patch header `{line}`"));
        }
    }
    if !ended {
        return Err("the patch does not end with `*** End Patch`".into());
    }
    if files.is_empty() {
        return Err("the patch changes no file".into());
    }
    Ok(files)
}

fn file(path: &str, op: FileOp, from: Option<String>) -> PatchFile {
    PatchFile {
        path: path.to_string(),
        op,
        from,
    }
}

/// A Bash call that ran. Codex passes the output its model saw: either the freeform text that
/// starts `Exit code: N` or the structured `{"output", "metadata": {"exit_code"}}`; anything
/// else does not say how the command ended, and is recorded as failed (no evidence).
fn post(input: &Input) -> Result<Kind, AgError> {
    if input.tool_name != "Bash" {
        return Ok(Kind::Skip);
    }
    let command = command(input)?.to_string();
    let code = input.tool_response.as_ref().and_then(exit_code);
    let text = input
        .tool_response
        .as_ref()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
    Ok(Kind::Post(Ran {
        command,
        status: if code == Some(0) {
            CheckStatus::Passed
        } else {
            CheckStatus::Failed
        },
        exit_code: code,
        ended_by: code
            .is_none()
            .then(|| "no exit code in the tool response".to_string()),
        stdout: text,
        stderr: None,
        duration_ms: 0,
    }))
}

fn exit_code(resp: &Value) -> Option<i32> {
    let from_object = |v: &Value| {
        v.get("exit_code")
            .or_else(|| v.get("exitCode"))
            .or_else(|| v.get("metadata").and_then(|m| m.get("exit_code")))
            .and_then(Value::as_i64)
            .map(|c| c as i32)
    };
    match resp {
        Value::Object(_) => from_object(resp),
        Value::String(s) => {
            if let Ok(v @ Value::Object(_)) = serde_json::from_str::<Value>(s) {
                return from_object(&v);
            }
            // The header before `Output:`; the command's own output cannot forge it.
            s.lines()
                .take_while(|l| l.trim() != "Output:")
                .find_map(|l| {
                    l.trim()
                        .strip_prefix("Exit code:")
                        .or_else(|| l.trim().strip_prefix("Process exited with code"))
                        .and_then(|c| c.trim().parse().ok())
                })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_names_its_files() {
        let patch = "*** Begin Patch\n*** Add File: hello.txt\n+Hello world\n*** Update File: src/app.py\n*** Move to: src/main.py\n@@ def greet():\n-print(\"Hi\")\n+print(\"Hello, world!\")\n*** Delete File: obsolete.txt\n*** End Patch\n";
        let files = patch_files(patch).unwrap();
        assert_eq!(
            files,
            vec![
                file("hello.txt", FileOp::Add, None),
                file("src/main.py", FileOp::Rename, Some("src/app.py".into())),
                file("obsolete.txt", FileOp::Delete, None),
            ]
        );
    }

    #[test]
    fn a_broken_patch_is_an_error() {
        for bad in [
            "",
            "*** Update File: a\n*** End Patch\n",
            "*** Begin Patch\n*** Update File: a\n",
            "*** Begin Patch\n*** End Patch\n",
            "*** Begin Patch\n*** Move to: b\n*** End Patch\n",
            "*** Begin Patch\n*** Rename File: a\n*** End Patch\n",
        ] {
            assert!(patch_files(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn exit_codes_from_codex_shell_output() {
        assert_eq!(
            exit_code(&json!("Exit code: 0\nWall time: 1.2 seconds\nOutput:\nok")),
            Some(0)
        );
        assert_eq!(
            exit_code(&json!("Exit code: 101\nWall time: 3 seconds\nOutput:\n")),
            Some(101)
        );
        assert_eq!(
            exit_code(&json!(
                r#"{"output":"ok","metadata":{"exit_code":0,"duration_seconds":0.5}}"#
            )),
            Some(0)
        );
        assert_eq!(exit_code(&json!({"exit_code": 2})), Some(2));
        assert_eq!(exit_code(&json!("test result: ok")), None);
        // A line of the command's own output is not Codex's header.
        assert_eq!(
            exit_code(&json!("Wall time: 1 seconds\nOutput:\nExit code: 0\n")),
            None
        );
    }
}
