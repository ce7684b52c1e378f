//! `agentgate audit`, `agentgate approve` and `agentgate context`: the audit log and the context
//! store.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{exit, resolve_root};
use crate::audit::{self, AuditError, Event, Record};
use crate::runner::{self, context};
use crate::Error;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check that a log is intact: every record canonical, hashed, numbered and chained, ending
    /// where its head (`<log>.head`) says. Exit 0 intact · 1 broken (the first bad record is
    /// named) · 2 unreadable.
    Verify {
        /// The log (default: `<root>/.agentgate/audit.jsonl`).
        file: Option<PathBuf>,
        /// Repository root, for the default log.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Print a log readably, one record a line (then whether it verifies).
    Show {
        /// The log (default: `<root>/.agentgate/audit.jsonl`).
        file: Option<PathBuf>,
        /// Repository root, for the default log.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Only the records of this session.
        #[arg(long, value_name = "SESSION")]
        session: Option<String>,
        /// Print the records as JSON lines (as stored).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct ApproveArgs {
    /// The session whose plan is approved.
    #[arg(long, value_name = "SESSION")]
    session: String,
    /// Who approves: a reviewer the policy names (`@payments`) or a person.
    #[arg(long, value_name = "WHO")]
    by: String,
    /// Only this rule (an id from the verdict); without it the approval covers every ask that
    /// names no reviewer.
    #[arg(long, value_name = "RULE")]
    rule: Option<String>,
    /// Why, for the record.
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// Repository root (default: the git top level, else the current folder).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// The audit log (default: `<root>/.agentgate/audit.jsonl`).
    #[arg(long, value_name = "FILE")]
    audit_log: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ContextArgs {
    /// Show this session's runs; without it, list every session.
    session: Option<String>,
    /// Repository root (default: the git top level, else the current folder).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn log_path(file: Option<PathBuf>, root: Option<PathBuf>) -> Result<PathBuf, Error> {
    match file {
        Some(f) => Ok(f),
        None => Ok(audit::default_path(&resolve_root(root)?)),
    }
}

pub fn audit(cmd: AuditCommand) -> Result<u8, Error> {
    match cmd {
        AuditCommand::Verify { file, root } => {
            let path = log_path(file, root)?;
            match audit::verify(&path) {
                Ok(v) => {
                    let last = v.records.last();
                    println!(
                        "{}: intact, {} record{}{}",
                        path.display(),
                        v.records.len(),
                        if v.records.len() == 1 { "" } else { "s" },
                        last.map(|r| format!(", head {} at record {}", r.hash, r.seq))
                            .unwrap_or_default()
                    );
                    Ok(exit::ALLOW)
                }
                Err(e @ AuditError::Broken { .. }) => {
                    super::print_error(Error::Audit(e));
                    Ok(exit::DENY_OR_ASK)
                }
                Err(e) => Err(e.into()),
            }
        }
        AuditCommand::Show {
            file,
            root,
            session,
            json,
        } => {
            let path = log_path(file, root)?;
            let text = std::fs::read_to_string(&path).map_err(|e| AuditError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            for (i, line) in text.lines().enumerate() {
                match serde_json::from_str::<Record>(line) {
                    Ok(r) if session.is_none() || r.session == session => {
                        if json {
                            println!("{line}");
                        } else {
                            println!("{}", show(&r));
                        }
                    }
                    Ok(_) => {}
                    Err(e) => println!("line {}: not an audit record ({e})", i + 1),
                }
            }
            match audit::verify(&path) {
                Ok(_) => Ok(exit::ALLOW),
                Err(e) => {
                    super::print_error(Error::Audit(e));
                    Ok(exit::DENY_OR_ASK)
                }
            }
        }
    }
}

/// One record on one line: `#3 2026-12-02T01:02:03.456Z runner s-42 ran step 2 …`.
fn show(r: &Record) -> String {
    let what = match &r.event {
        Event::Decision {
            subject,
            decision,
            reason,
            ..
        } => format!("decided {} for {subject}: {reason}", decision.as_str()),
        Event::RunStarted {
            plan,
            steps,
            first_step,
            policy_digest,
            ..
        } => format!(
            "started {plan} ({steps} steps, from step {}; policy {})",
            first_step + 1,
            &policy_digest[..policy_digest.len().min(19)]
        ),
        Event::StepStarted { step, command } => format!("step {} `{command}` started", step + 1),
        Event::Ran {
            step,
            command,
            status,
            exit_code,
            ended_by,
            duration_ms,
            source,
            ..
        } => format!(
            "{}`{command}` {} ({}{duration_ms} ms, seen by {source})",
            step.map(|s| format!("step {} ", s + 1)).unwrap_or_default(),
            self::status(*status),
            match (ended_by, exit_code) {
                (Some(w), _) => format!("{w}, "),
                (None, Some(c)) => format!("exit {c}, "),
                (None, None) => String::new(),
            }
        ),
        Event::Approval { by, rule, note } => format!(
            "approval by {by}{}{}",
            rule.as_ref()
                .map(|r| format!(" for {r}"))
                .unwrap_or_default(),
            note.as_ref().map(|n| format!(": {n}")).unwrap_or_default()
        ),
        Event::RunFinished {
            outcome,
            steps_run,
            reason,
        } => format!(
            "run {outcome} after {steps_run} step{}{}",
            if *steps_run == 1 { "" } else { "s" },
            reason
                .as_ref()
                .map(|w| format!(": {w}"))
                .unwrap_or_default()
        ),
    };
    format!(
        "#{} {} {} {} {what}",
        r.seq,
        r.time,
        r.actor,
        r.session.as_deref().unwrap_or("-")
    )
}

pub fn approve(args: ApproveArgs) -> Result<u8, Error> {
    runner::check_session_name(&args.session).map_err(|e| Error::Runner(Box::new(e)))?;
    let root = resolve_root(args.root)?;
    let path = args.audit_log.unwrap_or_else(|| audit::default_path(&root));
    let mut log = audit::AuditLog::open(&path)?;
    let by = args.by.trim().to_string();
    let record = log.append(
        &format!("approve:{by}"),
        Some(&args.session),
        Event::Approval {
            by: by.clone(),
            rule: args.rule.clone(),
            note: args.note,
        },
    )?;
    println!(
        "recorded approval #{} by {by} for session {}{} in {}",
        record.seq,
        args.session,
        args.rule
            .map(|r| format!(" (rule {r})"))
            .unwrap_or_default(),
        path.display()
    );
    Ok(exit::ALLOW)
}

pub fn context(args: ContextArgs) -> Result<u8, Error> {
    let root = resolve_root(args.root)?;
    let boxed = |e| Error::Runner(Box::new(e));
    match args.session {
        None => {
            let all = context::list(&root).map_err(boxed)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
            } else if all.is_empty() {
                println!("no sessions in {}", context::dir(&root).display());
            } else {
                for c in &all {
                    if let Some(last) = c.runs.last() {
                        println!(
                            "{:<28} {:<10} {} ({} run{}, last: {}, {} step{})",
                            c.session,
                            last.outcome,
                            last.finished,
                            c.runs.len(),
                            if c.runs.len() == 1 { "" } else { "s" },
                            last.plan,
                            last.steps.len(),
                            if last.steps.len() == 1 { "" } else { "s" },
                        );
                    }
                }
            }
        }
        Some(session) => {
            runner::check_session_name(&session).map_err(boxed)?;
            let Some(c) = context::load(&root, &session).map_err(boxed)? else {
                return Err(Error::Runner(Box::new(
                    runner::RunnerError::NothingToResume {
                        session,
                        why: " (no run of it is recorded)".into(),
                    },
                )));
            };
            if args.json {
                println!("{}", serde_json::to_string_pretty(&c).unwrap_or_default());
            } else {
                print!("{}", show_context(&c));
            }
        }
    }
    Ok(exit::ALLOW)
}

fn show_context(c: &context::SessionContext) -> String {
    let mut out = format!("session {}\n", c.session);
    for (n, r) in c.runs.iter().enumerate() {
        out.push_str(&format!(
            "\nrun {}: {} {} ({} → {})\n",
            n + 1,
            r.plan,
            r.outcome,
            r.started,
            r.finished
        ));
        if let Some(why) = &r.reason {
            out.push_str(&format!("  why: {why}\n"));
        }
        for s in &r.steps {
            out.push_str(&format!(
                "  step {} `{}` {} (exit {}, {} ms)\n",
                s.step + 1,
                s.command,
                status(s.status),
                s.exit_code.map_or("-".to_string(), |c| c.to_string()),
                s.duration_ms
            ));
        }
        for d in &r.denied {
            out.push_str(&format!(
                "  {} by {} ({}): {} — \"{}\"\n",
                d.decision.as_str(),
                d.rule,
                d.origin,
                d.message,
                d.sentence
            ));
        }
        for e in &r.evidence.checks {
            out.push_str(&format!(
                "  evidence: `{}` {}\n",
                e.command,
                status(e.status)
            ));
        }
        for a in &r.evidence.approvals {
            out.push_str(&format!(
                "  approval: {}{}\n",
                a.by,
                a.rule
                    .as_ref()
                    .map(|r| format!(" for {r}"))
                    .unwrap_or_default()
            ));
        }
        out.push_str(&format!(
            "  audit: {} at record {}\n",
            r.audit.hash, r.audit.seq
        ));
    }
    out
}

fn status(s: crate::changeset::CheckStatus) -> &'static str {
    match s {
        crate::changeset::CheckStatus::Passed => "passed",
        crate::changeset::CheckStatus::Failed => "failed",
    }
}
