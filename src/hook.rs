//! `agentgate hook HOST`: agent hosts' tool-use hook protocols, one shared core.
//!
//! Each host's adapter (one file: [`claude`], [`codex`], [`cursor`], [`gemini`], [`copilot`])
//! reads its host's event from stdin into a host-neutral [`core::Event`]; the [`core`] turns the
//! call into a one-call plan (a shell command, reads, a write or edit, a patch's files, an MCP
//! tool's action) and judges it, or records a shell run as evidence; the adapter writes the
//! verdict back in its host's reply format and exit codes.
//!
//! A single call is judged for denies and asks only; obligations and bounds are judged at the
//! call that commits, pushes or opens a pull request, over the work tree's changes and the
//! evidence the session's post-tool events recorded in the audit log — never over what the tool
//! call claims.
//!
//! Input that is not the host's event, and a policy that does not compile, fail closed in the
//! way each host honours (an exit code, or a deny on stdout where a failing hook is skipped).

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

pub mod claude;
pub mod codex;
pub mod copilot;
pub mod core;
pub mod cursor;
pub mod gemini;

pub use self::core::record_decision;

use crate::audit;
use crate::Error as AgError;

#[derive(Debug, Error, Diagnostic)]
pub enum HookError {
    #[error("malformed hook input: {message}")]
    #[diagnostic(
        code(agentgate::hook::input),
        help("`agentgate hook {host}` reads one {host} hook event as JSON on stdin; docs/agents.md lists the events and fields it reads")
    )]
    Input { host: String, message: String },
    #[error("unsupported hook event `{event}`")]
    #[diagnostic(
        code(agentgate::hook::event),
        help("install `agentgate hook {host}` only for the events docs/agents.md lists for it")
    )]
    Event { host: String, event: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Audit(#[from] audit::AuditError),
}

/// Options of the hook.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--root`; else the host's project folder, else the event's working directory.
    pub root: Option<PathBuf>,
    /// `--audit-log`; else `<root>/.agentgate/audit.jsonl`.
    pub audit_log: Option<PathBuf>,
    /// Answer `allow` explicitly when the policy has no objection, on hosts where that skips
    /// their own permission prompt (Claude Code, Copilot CLI). By default the hook stays silent
    /// and the host's own permissions apply.
    pub explicit_allow: bool,
}

/// The hosts agentgate speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    ClaudeCode,
    Codex,
    Cursor,
    GeminiCli,
    CopilotCli,
}

impl Host {
    /// The name on the command line and in the audit log.
    pub fn name(self) -> &'static str {
        match self {
            Host::ClaudeCode => claude::Claude::NAME,
            Host::Codex => codex::Codex::NAME,
            Host::Cursor => cursor::Cursor::NAME,
            Host::GeminiCli => gemini::Gemini::NAME,
            Host::CopilotCli => copilot::Copilot::NAME,
        }
    }
}

/// What the hook writes and how it exits.
#[derive(Debug)]
pub struct Reply {
    pub stdout: String,
    pub exit: u8,
    /// The error behind a failing reply, for stderr.
    pub error: Option<AgError>,
}

impl Reply {
    pub(crate) fn out(stdout: String) -> Reply {
        Reply {
            stdout,
            exit: 0,
            error: None,
        }
    }

    /// A JSON object and a newline.
    pub(crate) fn json(value: serde_json::Value) -> Reply {
        Reply::out(format!("{value}\n"))
    }
}

/// One host's protocol: its event in, its reply out.
pub(crate) trait Adapter {
    /// The host's name on the command line and in the audit log.
    const NAME: &'static str;
    /// The host's event, in no host's terms.
    fn event(input: &str) -> Result<core::Event, AgError>;
    /// The verdict in the host's reply format and exit code.
    fn reply(event: &core::Event, verdict: &core::Verdict, opts: &Options) -> Reply;
    /// How the host is told to block when the event cannot be judged (`message` says why; the
    /// caller prints the full error on stderr).
    fn fail(message: &str) -> Reply;
}

fn run_with<A: Adapter>(input: &str, opts: &Options) -> Reply {
    let judged = A::event(input).and_then(|event| {
        let verdict = core::handle(A::NAME, &event, opts)?;
        Ok(A::reply(&event, &verdict, opts))
    });
    judged.unwrap_or_else(fail_with::<A>)
}

fn fail_with<A: Adapter>(e: AgError) -> Reply {
    let mut reply = A::fail(&format!("agentgate: {e}"));
    reply.error = Some(e);
    reply
}

/// Answer one hook event of `host` (the JSON read from stdin).
pub fn run(host: Host, input: &str, opts: &Options) -> Reply {
    match host {
        Host::ClaudeCode => run_with::<claude::Claude>(input, opts),
        Host::Codex => run_with::<codex::Codex>(input, opts),
        Host::Cursor => run_with::<cursor::Cursor>(input, opts),
        Host::GeminiCli => run_with::<gemini::Gemini>(input, opts),
        Host::CopilotCli => run_with::<copilot::Copilot>(input, opts),
    }
}

/// The reply of a hook that cannot judge the event, in `host`'s fail-closed terms.
pub fn failure(host: Host, e: AgError) -> Reply {
    match host {
        Host::ClaudeCode => fail_with::<claude::Claude>(e),
        Host::Codex => fail_with::<codex::Codex>(e),
        Host::Cursor => fail_with::<cursor::Cursor>(e),
        Host::GeminiCli => fail_with::<gemini::Gemini>(e),
        Host::CopilotCli => fail_with::<copilot::Copilot>(e),
    }
}

/// The Claude Code hook: what it prints on stdout (possibly nothing), or the error that makes it
/// exit 2.
pub fn claude_code(input: &str, opts: &Options) -> Result<String, AgError> {
    let reply = run(Host::ClaudeCode, input, opts);
    match reply.error {
        Some(e) => Err(e),
        None => Ok(reply.stdout),
    }
}

/// A required string field of a JSON object.
pub(crate) fn string<'a>(
    obj: &'a serde_json::Map<String, serde_json::Value>,
    names: &[&str],
) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| obj.get(*n).and_then(serde_json::Value::as_str))
}

/// Parse a host's event JSON into `T`, as that host's malformed-input error.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(host: &str, input: &str) -> Result<T, AgError> {
    serde_json::from_str(input).map_err(|e| input_err(host, e.to_string()))
}

pub fn input_err(host: &str, message: impl Into<String>) -> AgError {
    HookError::Input {
        host: host.to_string(),
        message: message.into(),
    }
    .into()
}

pub(crate) fn event_err(host: &str, event: &str) -> AgError {
    HookError::Event {
        host: host.to_string(),
        event: event.to_string(),
    }
    .into()
}
