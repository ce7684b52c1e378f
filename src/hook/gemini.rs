//! Gemini CLI: `BeforeTool` and `AfterTool` command hooks (`hooks` in `.gemini/settings.json`).
//!
//! In: `{"session_id", "transcript_path", "cwd", "hook_event_name", "timestamp", "tool_name",
//! "tool_input", "tool_response", "mcp_context"}`. `run_shell_command` (`command`) is a command;
//! `read_file` (`file_path`), `read_many_files` (`include`, the entries that name a file),
//! `grep_search`, `glob` and `list_directory` (`dir_path`) are reads; `write_file` (`file_path`)
//! a write, `replace` (`file_path`) an edit; `mcp__server__tool` an MCP tool. The repository is
//! `$GEMINI_PROJECT_DIR`, else `cwd`.
//!
//! Out (exit 0): `{"decision": "deny", "reason": …}` blocks the call and sends the reason to the
//! agent; `{"decision": "ask", "systemMessage": …}` makes Gemini CLI ask the user even where its
//! policy would allow; no objection is silence. Exit 2 blocks with stderr as the reason (stdout
//! must then be empty, or Gemini CLI reads it instead), which is how malformed input fails.
//!
//! Sources: google-gemini/gemini-cli `docs/hooks/reference.md`, `docs/hooks/index.md`,
//! `packages/core/src/hooks/types.ts` (`ask`), `packages/core/src/scheduler/hook-utils.ts` and
//! `scheduler.ts` (ask forces a confirmation), `packages/core/src/hooks/hookRunner.ts` (exit
//! codes), `packages/core/src/tools/definitions/base-declarations.ts` (tool and argument names),
//! `packages/core/src/tools/shell.ts` (the `Exit Code:` line of shell output).

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::core::{self, Call, Event, Kind, Op, Ran, Verdict};
use super::{input_err, string, Adapter, Options, Reply};
use crate::changeset::CheckStatus;
use crate::ir::Decision;
use crate::Error as AgError;

pub struct Gemini;

#[derive(Debug, Deserialize)]
struct Input {
    session_id: String,
    cwd: String,
    hook_event_name: String,
    tool_name: String,
    tool_input: Map<String, Value>,
    #[serde(default)]
    tool_response: Option<Value>,
}

const SHELL: &str = "run_shell_command";

impl Adapter for Gemini {
    const NAME: &'static str = "gemini-cli";

    fn event(input: &str) -> Result<Event, AgError> {
        let input: Input = super::parse(Self::NAME, input)?;
        let kind = match input.hook_event_name.as_str() {
            "BeforeTool" => Kind::Pre(call(&input)?),
            "AfterTool" => post(&input)?,
            other => return Err(super::event_err(Self::NAME, other)),
        };
        Ok(Event {
            hook: input.hook_event_name.clone(),
            session: input.session_id.clone(),
            cwd: Some(PathBuf::from(&input.cwd)),
            roots: std::env::var_os("GEMINI_PROJECT_DIR")
                .map(PathBuf::from)
                .into_iter()
                .collect(),
            kind,
        })
    }

    fn reply(_event: &Event, verdict: &Verdict, _opts: &Options) -> Reply {
        match verdict {
            Verdict::Decided(a) if a.decision == Decision::Deny => {
                Reply::json(json!({"decision": "deny", "reason": a.reason}))
            }
            Verdict::Decided(a) if a.decision == Decision::Ask => {
                Reply::json(json!({"decision": "ask", "systemMessage": a.reason}))
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

fn need<'a>(input: &'a Input, name: &str) -> Result<&'a str, AgError> {
    string(&input.tool_input, &[name]).ok_or_else(|| {
        input_err(
            Gemini::NAME,
            format!(
                "`tool_input.{name}` (a string) is required for {}",
                input.tool_name
            ),
        )
    })
}

fn call(input: &Input) -> Result<Call, AgError> {
    let tool = input.tool_name.as_str();
    let dir = || {
        string(&input.tool_input, &["dir_path"])
            .map(str::to_string)
            .into_iter()
            .collect()
    };
    let op = match tool {
        SHELL => Op::Shell(need(input, "command")?.to_string()),
        "read_file" => Op::Read(vec![need(input, "file_path")?.to_string()]),
        "read_many_files" => Op::Read(named_files(input)?),
        "grep_search" | "glob" | "list_directory" => Op::Read(dir()),
        "write_file" => Op::Write(need(input, "file_path")?.to_string()),
        "replace" => Op::Edit(need(input, "file_path")?.to_string()),
        _ => core::mcp_tool(tool).map_or(Op::Other, Op::Mcp),
    };
    let detail = string(
        &input.tool_input,
        &["command", "file_path", "dir_path", "pattern"],
    )
    .unwrap_or("");
    Ok(Call {
        subject: format!("tool {tool} {detail}").trim().to_string(),
        op,
    })
}

/// The `include` entries of `read_many_files` that name one file (globs name none in
/// particular, like a search of the work tree).
fn named_files(input: &Input) -> Result<Vec<String>, AgError> {
    let Some(Value::Array(items)) = input.tool_input.get("include") else {
        return Err(input_err(
            Gemini::NAME,
            "`tool_input.include` (a list of strings) is required for read_many_files",
        ));
    };
    let mut files = Vec::new();
    for item in items {
        let Some(s) = item.as_str() else {
            return Err(input_err(
                Gemini::NAME,
                "`tool_input.include` must list strings",
            ));
        };
        if !s.contains(['*', '?', '[', '{']) {
            files.push(s.to_string());
        }
    }
    Ok(files)
}

/// How a shell command ended: Gemini CLI's `llmContent` has an `Exit Code: N` line (and an
/// `error`) when it failed, a `Signal:` line when it was killed, and starts `Output:` when it
/// ran to the end; anything else (cancelled, backgrounded) is no evidence it passed.
fn post(input: &Input) -> Result<Kind, AgError> {
    if input.tool_name != SHELL {
        return Ok(Kind::Skip);
    }
    let command = need(input, "command")?.to_string();
    let resp = input.tool_response.as_ref();
    let content = resp
        .and_then(|r| r.get("llmContent"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let has_error = resp
        .and_then(|r| r.get("error"))
        .is_some_and(|e| !e.is_null());
    // The status lines follow the command's output, so the last one is Gemini CLI's own.
    let line = |prefix: &str| {
        content
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix(prefix).map(str::trim))
    };
    let code = line("Exit Code:").and_then(|c| c.parse::<i32>().ok());
    let signal = line("Signal:");
    let finished = content
        .lines()
        .any(|l| l.trim_start().starts_with("Output:"));
    let passed = finished && !has_error && signal.is_none() && code.unwrap_or(0) == 0;
    Ok(Kind::Post(Ran {
        command,
        status: if passed {
            CheckStatus::Passed
        } else {
            CheckStatus::Failed
        },
        exit_code: code.or(passed.then_some(0)),
        ended_by: signal
            .map(|s| format!("signal {s}"))
            .or_else(|| (!finished).then(|| "did not run to the end".to_string())),
        stdout: Some(content.to_string()),
        stderr: None,
        duration_ms: 0,
    }))
}
