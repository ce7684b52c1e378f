//! `agentgate run`: execute an approved plan with the runner.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args, ValueEnum};

use super::check::Engine;
use super::{read_plan, resolve_root, style};
use crate::runner::{self, session::SessionStore, Outcome, Report, Runner, Start};
use crate::{audit, report, Error};

/// Exit code of a run whose step failed or timed out.
pub const STEP_FAILED: u8 = 3;
/// Exit code of a run stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report it).
pub const INTERRUPTED: u8 = 130;

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("what").required(true).args(["plan", "resume"])))]
pub struct RunArgs {
    /// The plan to run (JSON or YAML; `-` for standard input). Its `commands` are the steps.
    #[arg(long, value_name = "FILE|-")]
    plan: Option<String>,
    /// Continue session SESSION after a crash or a kill: finished steps are not run again. With
    /// `--plan`, the plan must be the one the session started.
    #[arg(long, value_name = "SESSION")]
    resume: Option<String>,
    /// Repository root, where the steps run (default: the git top level, else the current folder).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// The audit log (default: `<root>/.agentgate/audit.jsonl`).
    #[arg(long, value_name = "FILE")]
    audit_log: Option<PathBuf>,
    /// Check the plan and show how each step would run, without running anything or writing any
    /// state.
    #[arg(long)]
    dry_run: bool,
    /// Most steps a plan may have.
    #[arg(long, value_name = "N", default_value_t = 100)]
    max_steps: usize,
    /// Time limit of a step that sets no `timeout_s`, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    step_timeout: u64,
    /// Time limit of the whole run, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    max_time: u64,
    /// Bytes of each step's stdout and stderr kept for the report (all of it is hashed).
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    max_output: usize,
    /// Where session checkpoints and locks live: `files` (under `<root>/.agentgate/sessions/`)
    /// or a `redis://host:port` URL (needs the `redis` feature).
    #[arg(long, value_name = "files|redis://…", default_value = "files")]
    store: String,
    /// How the built-in rule kinds are evaluated (see `agentgate check --help`).
    #[arg(long, value_enum, default_value_t = Engine::Native)]
    engine: Engine,
    /// Output: `human` (progress on stderr, diagnostics and a summary), or `json` (the run report
    /// on stdout).
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    format: RunFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    Human,
    Json,
}

fn store(spec: &str, root: &std::path::Path) -> Result<Box<dyn SessionStore>, Error> {
    if spec == "files" {
        return Ok(Box::new(runner::session::FileStore::for_root(root)));
    }
    #[cfg(feature = "redis")]
    if spec.starts_with("redis://") || spec.starts_with("rediss://") {
        let s = runner::redis::RedisStore::connect(spec).map_err(|e| Error::Runner(Box::new(e)))?;
        return Ok(Box::new(s));
    }
    let hint = if cfg!(feature = "redis") {
        "use `files` or a `redis://host:port` URL"
    } else {
        "use `files`; for `redis://…` build agentgate with `--features redis`"
    };
    Err(Error::Store {
        spec: spec.to_string(),
        hint: hint.to_string(),
    })
}

pub fn run(args: RunArgs) -> Result<u8, Error> {
    let root = resolve_root(args.root.clone())?;
    let log = args
        .audit_log
        .clone()
        .unwrap_or_else(|| audit::default_path(&root));
    let start = match (&args.plan, &args.resume) {
        (plan, Some(session)) => Start::Resume {
            session: session.clone(),
            plan: plan
                .as_deref()
                .map(read_plan)
                .transpose()?
                .map(|(t, n)| (n, t)),
        },
        (Some(plan), None) => {
            let (text, name) = read_plan(plan)?;
            Start::Plan { name, text }
        }
        (None, None) => unreachable!("clap requires --plan or --resume"),
    };
    let human = args.format == RunFormat::Human;
    let mut progress = |line: &str| {
        if human {
            eprintln!("agentgate: {line}");
        }
    };
    if !args.dry_run {
        runner::catch_interrupts();
    }
    let mut runner = Runner {
        root: root.clone(),
        audit: audit::AuditLog::open(&log)?,
        store: store(&args.store, &root)?,
        limits: runner::Limits {
            max_steps: args.max_steps,
            step_timeout: Duration::from_secs(args.step_timeout),
            total_time: Duration::from_secs(args.max_time),
            keep_output: args.max_output,
        },
        engine: args.engine.into(),
        dry_run: args.dry_run,
        progress: &mut progress,
    };
    let report = runner.run(start).map_err(|e| Error::Runner(Box::new(e)))?;
    match args.format {
        RunFormat::Json => {
            let doc = serde_json::json!({"schema_version": report::SCHEMA_VERSION, "run": &report});
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        RunFormat::Human => print!("{}", human_report(&report, &root)?),
    }
    Ok(match report.outcome {
        Outcome::Completed | Outcome::DryRun => super::exit::ALLOW,
        Outcome::Refused => super::exit::DENY_OR_ASK,
        Outcome::Failed => STEP_FAILED,
        Outcome::Interrupted => INTERRUPTED,
    })
}

fn human_report(r: &Report, root: &std::path::Path) -> Result<String, Error> {
    let mut out = String::new();
    if let Some(v) = &r.verdict {
        let loaded = crate::load(root)?;
        let cx = report::Context {
            policy: &loaded.policy,
            sources: &loaded.sources,
            plan_name: &format!("session {}", r.session),
            plan_text: "",
        };
        out.push_str(&report::human(v, &cx, style()));
    }
    if r.outcome == Outcome::DryRun {
        out.push_str(&format!(
            "dry run of session {}: the plan is allowed; nothing ran\n",
            r.session
        ));
        for s in &r.steps {
            out.push_str(&format!(
                "  step {}: {} (would run {})\n",
                s.step, s.command, s.how
            ));
        }
        return Ok(out);
    }
    for s in r.steps.iter().filter(|s| s.status == "failed") {
        if let Some(tail) = s.output_tail.as_deref().filter(|t| !t.is_empty()) {
            out.push_str(&format!(
                "output of step {} (last lines):\n{tail}\n",
                s.step
            ));
        }
    }
    if r.ignored_claims > 0 {
        out.push_str(&format!(
            "note: the plan's own evidence ({} entr{}) was not trusted; the runner counts what the audit log shows (see `agentgate approve`)\n",
            r.ignored_claims,
            if r.ignored_claims == 1 { "y" } else { "ies" }
        ));
    }
    let ran = r
        .steps
        .iter()
        .filter(|s| s.status == "passed" || s.status == "failed")
        .count();
    out.push_str(&format!(
        "agentgate run: session {} {} — {ran} of {} steps ran{}; audit log {}\n",
        r.session,
        r.outcome.as_str(),
        r.steps.len(),
        r.reason
            .as_ref()
            .map(|w| format!(" ({w})"))
            .unwrap_or_default(),
        r.audit_log
    ));
    Ok(out)
}
