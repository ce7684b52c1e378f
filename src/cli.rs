//! Command-line interface: argument parsing and exit codes. The work is done by the library.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod audit;
mod check;
mod explain;
mod export;
mod hook;
mod init;
mod run;

use crate::{report, Error};

/// Exit codes scripts can trust.
pub mod exit {
    /// The plan is allowed (warnings at most).
    pub const ALLOW: u8 = 0;
    /// The plan is denied or needs approval.
    pub const DENY_OR_ASK: u8 = 1;
    /// Usage, policy or input error. Wins over any decision.
    pub const ERROR: u8 = 2;
}

#[derive(Parser, Debug)]
#[command(
    name = "agentgate",
    version,
    about = "Compile AGENTS.md and SSOT prose into a typed policy and check agent plans against it",
    long_about = "agentgate reads the rules a repository writes for AI coding agents — the root AGENTS.md, \
nested AGENTS.md files and markdown under docs/SSOT/ — compiles the sentences it recognises into a typed \
policy, and checks a proposed plan (changes, commands, reads, actions) against it.\n\n\
Exit codes: 0 allowed · 1 denied or needs approval (ask) · 2 usage, policy or input error.",
    after_help = "Examples:\n  agentgate check --root examples/neuronx --plan examples/neuronx/plans/deny-ssot-edit.json\n  echo '{\"commands\":[{\"run\":\"git push --force\"}]}' | agentgate check --plan - --format json\n  agentgate compile --root . | jq '.rules[].id'"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a plan (JSON or YAML) or a change set from git against the repository's policy.
    #[command(
        after_help = "Plan format (every field optional, unknown fields are an error):\n  {\"agent\": {\"id\": \"impl-1\", \"role\": \"implementer\"}, \"session\": \"s-42\",\n   \"changes\": [{\"path\": \"src/lib.rs\", \"op\": \"modify\", \"added\": 10, \"removed\": 2}],\n   \"commands\": [{\"run\": \"cargo test\"}], \"reads\": [\"config/app.toml\"],\n   \"actions\": [{\"kind\": \"deploy\", \"environment\": \"staging\"}],\n   \"evidence\": {\"checks\": [{\"command\": \"cargo test\", \"status\": \"passed\"}],\n                 \"approvals\": [{\"by\": \"@payments\"}]}}\n\nExit codes: 0 allow · 1 deny or ask · 2 error."
    )]
    Check(check::CheckArgs),
    /// Show authors what is and is not enforced: sentences that did not compile (with the nearest
    /// form), duplicate ids, contradicting rules, globs that match no file, broken SSOT links.
    #[command(
        after_help = "Exit codes: 0 (warnings at most) · 1 with --strict when there is any finding · 2 when the policy does not compile."
    )]
    Lint {
        /// Repository root (default: the git top level, else the current folder).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Exit 1 when there is any finding (for CI).
        #[arg(long)]
        strict: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = LintFormat::Human)]
        format: LintFormat,
    },
    /// List the built-in rule kinds (from the METADATA headers of the Rego library in rules/).
    Rules {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Scaffold a starter AGENTS.md, a pre-commit configuration and a GitHub Actions workflow
    /// (existing files are kept).
    Init {
        /// Repository root (default: the git top level, else the current folder).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Run a plan's commands inside the policy: the whole plan is checked first (nothing runs
    /// unless it is allowed), then each step is checked again just before it runs, with a time
    /// limit, and everything is recorded in the hash-chained audit log.
    #[command(
        after_help = "Evidence: the plan's own `evidence` is not trusted; checks count when the audit log shows them
observed (run by the runner or recorded by a hook) and approvals when `agentgate approve` recorded them.

Examples:
  agentgate run --root examples/neuronx --plan examples/neuronx/plans/allow-feature.json --dry-run
  agentgate run --plan plan.json                  # session from the plan's \"session\"
  agentgate run --resume s-42                     # continue after a crash; finished steps never run twice

Exit codes: 0 every step passed (or --dry-run allowed) · 1 the plan or a step was denied or needs approval
(nothing more ran) · 2 usage, policy, input or state error · 3 a step failed or timed out · 130
interrupted (SIGINT or SIGTERM: the step's processes are stopped; --resume continues)."
    )]
    Run(run::RunArgs),
    /// Verify or show a hash-chained audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Record a person's approval for a session in the audit log; the runner and hooks trust it
    /// where they do not trust a plan's own claims.
    #[command(after_help = "Example:
  agentgate approve --session s-42 --by @payments --rule BILL-1 --note \"reviewed in #123\"

Agents must not run this themselves: it is the human side of an ask.")]
    Approve(audit::ApproveArgs),
    /// List the sessions in the local context store (`.agentgate/context/`), or show one: what
    /// ran, what was denied, the evidence it left.
    Context(audit::ContextArgs),
    /// Compile the policy and print it as JSON (rules, digest, sentences not understood).
    Compile {
        /// Repository root (default: the git top level, else the current folder).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Explain a rule: its sentence, file and line, kind, and what satisfies it. Without an id,
    /// list every rule (or, with --path, those about one file).
    #[command(
        after_help = "Examples:\n  agentgate explain NX-1 --root examples/neuronx\n  agentgate explain --path src/billing/x.rs --json\n\nExit codes: 0 · 2 unknown rule id or broken policy."
    )]
    Explain(explain::ExplainArgs),
    /// Project the policy onto an agent's own permission config: Claude Code settings JSON,
    /// Codex execpolicy rules or Gemini CLI policy TOML. What cannot be projected is listed.
    #[command(
        after_help = "Examples:\n  agentgate export --to claude > .claude/settings.json\n  agentgate export --to codex > ~/.codex/rules/agentgate.rules\n  agentgate export --to gemini > ~/.gemini/policies/agentgate.toml\n\nRules that cannot be projected (obligations, bounds, risk gates, co-changes, role-bound rules)\nare listed on stderr, and in a comment block of the Codex and Gemini files.\n\nExit codes: 0 · 2 broken policy."
    )]
    Export(export::ExportArgs),
    /// Agent tool-use hooks: judge each tool call before it runs and record what ran.
    #[command(subcommand)]
    Hook(hook::HookCommand),
    /// Serve MCP over stdio: tools `check_plan`, `explain_rule` and `list_rules`.
    #[command(
        after_help = "MCP client configuration (e.g. .mcp.json):\n  {\"mcpServers\": {\"agentgate\": {\"command\": \"agentgate\", \"args\": [\"mcp\", \"--root\", \".\"]}}}\n\nEach check_plan decision is appended to the audit log. Exit codes: 0 when the client disconnects · 2 on a transport error."
    )]
    Mcp {
        /// Repository root (default: the git top level, else the current folder).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Audit log the decisions are appended to (default: <root>/.agentgate/audit.jsonl).
        #[arg(long, value_name = "FILE")]
        audit_log: Option<PathBuf>,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum LintFormat {
    Human,
    Json,
    Sarif,
}

/// Plain text when NO_COLOR is set or stdout is not a terminal.
pub(crate) fn style() -> report::Style {
    if std::env::var_os("NO_COLOR").is_some() || !std::io::stdout().is_terminal() {
        report::Style::Plain
    } else {
        report::Style::Color
    }
}

/// Run the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::ERROR
            } else {
                exit::ALLOW
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            print_error(e);
            ExitCode::from(exit::ERROR)
        }
    }
}

pub(crate) fn print_error(e: Error) {
    let report = miette::Report::new(e);
    let handler = if std::env::var_os("NO_COLOR").is_some() || !std::io::stderr().is_terminal() {
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
    } else {
        miette::GraphicalReportHandler::new()
    };
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!("error: {report}");
    }
    let _ = writeln!(std::io::stderr(), "{out}");
}

fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Compile { root } => {
            let root = resolve_root(root)?;
            let policy = crate::load_policy(&root)?;
            let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            // A closed pipe (`| head`) is not an error of the policy.
            let _ = report::write_policy_json(&policy, out);
            Ok(exit::ALLOW)
        }
        Command::Lint {
            root,
            strict,
            format,
        } => {
            let root = resolve_root(root)?;
            let loaded = crate::load(&root)?;
            let findings = crate::lint::lint(&root, &loaded.policy, &loaded.sources);
            // Enforced rules: those that decide (advisory ones only warn).
            let rules = loaded
                .policy
                .rules
                .iter()
                .filter(|r| r.strength == crate::ir::Strength::Enforced)
                .count();
            match format {
                LintFormat::Human => print!(
                    "{}",
                    report::lint_human(&findings, &loaded.sources, rules, style())
                ),
                LintFormat::Json => print!("{}", report::lint_json(&findings, rules)),
                LintFormat::Sarif => print!("{}", report::lint_sarif(&findings)),
            }
            Ok(if strict && !findings.is_empty() {
                exit::DENY_OR_ASK
            } else {
                exit::ALLOW
            })
        }
        Command::Check(args) => check::run(args),
        Command::Run(args) => run::run(args),
        Command::Audit(cmd) => audit::audit(cmd),
        Command::Approve(args) => audit::approve(args),
        Command::Context(args) => audit::context(args),
        Command::Rules { json } => {
            let kinds = crate::library::kinds();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&kinds).unwrap_or_default()
                );
            } else {
                for k in &kinds {
                    println!("{:<20} {}\n{:<20} e.g. {}\n", k.id, k.title, "", k.example);
                }
            }
            Ok(exit::ALLOW)
        }
        Command::Init { root } => init::run(&resolve_root(root)?),
        Command::Explain(args) => explain::run(args),
        Command::Export(args) => export::run(args),
        Command::Hook(cmd) => hook::run(cmd),
        Command::Mcp { root, audit_log } => {
            let root = resolve_root(root)?;
            crate::load_policy(&root)?; // a broken policy is reported before serving
            let audit = audit_log.unwrap_or_else(|| crate::audit::default_path(&root));
            crate::mcp::serve(root, audit)?;
            Ok(exit::ALLOW)
        }
    }
}

pub(crate) fn read_plan(plan: &str) -> Result<(String, String), Error> {
    let io = |message: String| Error::PlanRead {
        name: plan.to_string(),
        message,
    };
    // Files and stdin are read the same bounded way: a device or pipe (`--plan /dev/zero`)
    // reports no length up front, so the limit is kept while reading, never after.
    let reader: Box<dyn Read> = if plan == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(plan).map_err(|e| io(e.to_string()))?)
    };
    let mut bytes = Vec::new();
    reader
        .take(crate::MAX_PLAN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io(e.to_string()))?;
    if bytes.len() as u64 > crate::MAX_PLAN_BYTES {
        return Err(Error::PlanTooLarge {
            name: plan.to_string(),
            limit: crate::MAX_PLAN_BYTES,
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| io("the plan is not valid UTF-8".into()))?;
    Ok((text, plan.to_string()))
}

/// `--root`, else the git top level, else the current folder.
pub(crate) fn resolve_root(root: Option<PathBuf>) -> Result<PathBuf, Error> {
    Ok(crate::root::resolve(root)?)
}
