//! `agentgate hook HOST`: the agent hosts' tool-use hook adapters.

use std::io::{Read, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::hook::{Host, Options};
use crate::Error;

#[derive(Subcommand, Debug)]
pub enum HookCommand {
    /// Claude Code PreToolUse / PostToolUse / PostToolUseFailure: one event as JSON on stdin.
    #[command(
        after_help = "PreToolUse answers on stdout, exit 0:\n  {\"hookSpecificOutput\": {\"hookEventName\": \"PreToolUse\", \"permissionDecision\": \"deny\",\n   \"permissionDecisionReason\": \"agentgate: denied … NX-1 (AGENTS.md:9) …\"}}\nNothing is printed when the policy has no objection (Claude Code's own permissions apply),\nunless --explicit-allow is given. PostToolUse records the Bash command and how it ended in\nthe audit log, which the call that commits is judged against.\n\nExample:\n  agentgate hook claude-code --root examples/neuronx <<'EOF'\n  {\"session_id\": \"s1\", \"hook_event_name\": \"PreToolUse\",\n   \"tool_name\": \"Bash\", \"tool_input\": {\"command\": \"git push --force\"}}\n  EOF\n\nExit codes: 0 answered · 2 malformed input or broken policy (Claude Code blocks the call and shows the message)."
    )]
    ClaudeCode(AllowArgs),
    /// OpenAI Codex PreToolUse / PostToolUse (Bash, apply_patch, MCP tools): one event on stdin.
    #[command(
        after_help = "A deny is {\"hookSpecificOutput\": {\"permissionDecision\": \"deny\", …}} on stdout, exit 0.\nCodex cannot ask from a hook: an ask is a deny naming the `agentgate approve` command that\nlets the call through. No objection prints nothing.\n\nExit codes: 0 answered · 2 malformed input or broken policy (Codex blocks the call)."
    )]
    Codex(HostArgs),
    /// Cursor beforeShellExecution / beforeMCPExecution / beforeReadFile / afterShellExecution.
    #[command(
        after_help = "Answers {\"permission\": \"allow\"|\"deny\"|\"ask\", \"user_message\": …, \"agent_message\": …} on\nstdout, exit 0 (beforeReadFile: allow or deny only, so an ask is a deny).\n\nExit codes: 0 answered · 2 malformed input or broken policy (Cursor blocks the action)."
    )]
    Cursor(HostArgs),
    /// Gemini CLI BeforeTool / AfterTool: one event as JSON on stdin.
    #[command(
        after_help = "A deny is {\"decision\": \"deny\", \"reason\": …}, an ask {\"decision\": \"ask\", \"systemMessage\": …}\non stdout, exit 0. No objection prints nothing.\n\nExit codes: 0 answered · 2 malformed input or broken policy (Gemini CLI blocks the tool,\nwith the message as the reason)."
    )]
    GeminiCli(HostArgs),
    /// GitHub Copilot CLI preToolUse / postToolUse / postToolUseFailure (either payload format).
    #[command(
        after_help = "Answers {\"permissionDecision\": \"deny\"|\"ask\", \"permissionDecisionReason\": …} on stdout.\nNo objection prints nothing, unless --explicit-allow is given.\n\nExit code: always 0 — Copilot CLI skips a hook that exits non-zero, so malformed input and a\nbroken policy are answered with a deny on stdout (and the message on stderr)."
    )]
    CopilotCli(AllowArgs),
}

#[derive(Args, Debug)]
pub struct HostArgs {
    /// Repository root (default: the host's project folder, else the event's working directory).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Hash-chained audit log the decisions and recorded commands are appended to
    /// (default: <root>/.agentgate/audit.jsonl).
    #[arg(long, value_name = "FILE")]
    audit_log: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct AllowArgs {
    #[command(flatten)]
    host: HostArgs,
    /// Answer "allow" when the policy has no objection, which skips the host's own permission
    /// prompt; by default agentgate stays silent then.
    #[arg(long)]
    explicit_allow: bool,
}

pub fn run(cmd: HookCommand) -> Result<u8, Error> {
    let (host, args, explicit_allow) = match cmd {
        HookCommand::ClaudeCode(a) => (Host::ClaudeCode, a.host, a.explicit_allow),
        HookCommand::Codex(a) => (Host::Codex, a, false),
        HookCommand::Cursor(a) => (Host::Cursor, a, false),
        HookCommand::GeminiCli(a) => (Host::GeminiCli, a, false),
        HookCommand::CopilotCli(a) => (Host::CopilotCli, a.host, a.explicit_allow),
    };
    let opts = Options {
        root: args.root,
        audit_log: args.audit_log,
        explicit_allow,
    };
    let mut input = String::new();
    let reply = match std::io::stdin()
        .take(crate::MAX_PLAN_BYTES)
        .read_to_string(&mut input)
    {
        Ok(_) => crate::hook::run(host, &input, &opts),
        // An unreadable stdin is answered like malformed input, in the host's own terms.
        Err(e) => crate::hook::failure(
            host,
            crate::hook::input_err(host.name(), format!("cannot read standard input: {e}")),
        ),
    };
    let _ = std::io::stdout().write_all(reply.stdout.as_bytes());
    if let Some(e) = reply.error {
        super::print_error(e);
    }
    Ok(reply.exit)
}
