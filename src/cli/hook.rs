//! `agentgate hook claude-code`: the Claude Code hook adapter.

use std::io::{Read, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::exit;
use crate::Error;

#[derive(Subcommand, Debug)]
pub enum HookCommand {
    /// Claude Code PreToolUse / PostToolUse / PostToolUseFailure: one event as JSON on stdin.
    #[command(
        after_help = "PreToolUse answers on stdout, exit 0:\n  {\"hookSpecificOutput\": {\"hookEventName\": \"PreToolUse\", \"permissionDecision\": \"deny\",\n   \"permissionDecisionReason\": \"agentgate: denied … NX-1 (AGENTS.md:9) …\"}}\nNothing is printed when the policy has no objection (Claude Code's own permissions apply),\nunless --explicit-allow is given. PostToolUse records the Bash command and how it ended in\nthe audit log, which the call that commits is judged against.\n\nExample:\n  agentgate hook claude-code --root examples/neuronx <<'EOF'\n  {\"session_id\": \"s1\", \"hook_event_name\": \"PreToolUse\",\n   \"tool_name\": \"Bash\", \"tool_input\": {\"command\": \"git push --force\"}}\n  EOF\n\nExit codes: 0 answered · 2 malformed input or broken policy (Claude Code blocks the call and shows the message)."
    )]
    ClaudeCode(ClaudeArgs),
}

#[derive(Args, Debug)]
pub struct ClaudeArgs {
    /// Repository root (default: $CLAUDE_PROJECT_DIR, else the event's `cwd`).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Hash-chained audit log the decisions and recorded commands are appended to
    /// (default: <root>/.agentgate/audit.jsonl).
    #[arg(long, value_name = "FILE")]
    audit_log: Option<PathBuf>,
    /// Answer "allow" when the policy has no objection, which skips Claude Code's own permission
    /// prompt; by default agentgate stays silent then.
    #[arg(long)]
    explicit_allow: bool,
}

pub fn run(cmd: HookCommand) -> Result<u8, Error> {
    let HookCommand::ClaudeCode(args) = cmd;
    let mut input = String::new();
    std::io::stdin()
        .take(crate::MAX_PLAN_BYTES)
        .read_to_string(&mut input)
        .map_err(|e| crate::hook::HookError::Input {
            message: format!("cannot read standard input: {e}"),
        })?;
    let opts = crate::hook::Options {
        root: args.root,
        audit_log: args.audit_log,
        explicit_allow: args.explicit_allow,
    };
    let out = crate::hook::claude_code(&input, &opts)?;
    let _ = std::io::stdout().write_all(out.as_bytes());
    Ok(exit::ALLOW)
}
