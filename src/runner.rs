//! The runner: executes an approved plan's commands, each re-checked just before it runs, and
//! records everything in the audit log. Apart from the checking pipeline: it consumes
//! [`engine::Approved`](crate::engine::Approved) plans and never reaches back into how they were
//! judged.
//!
//! Trust: the runner ignores the evidence a plan claims. Checks count when the audit log shows
//! them observed (run by the runner or recorded by a hook), and approvals when they were
//! recorded there (`agentgate approve`).

pub mod context;
mod exec;
#[cfg(feature = "redis")]
pub mod redis;
pub mod session;
mod step;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use miette::Diagnostic;
use serde::Serialize;
use thiserror::Error;

use crate::audit::{self, AuditLog, Event};
use crate::changeset::Evidence;
use crate::engine::{Approved, EngineKind, Finding, Verdict};
use crate::ir::Decision;
pub use exec::{catch_interrupts, How};
use session::{Checkpoint, SessionStore, StepDone};

#[derive(Debug, Error, Diagnostic)]
pub enum RunnerError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Audit(#[from] audit::AuditError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Check(#[from] Box<crate::Error>),
    #[error("cannot use `{path}`: {message}")]
    #[diagnostic(code(agentgate::runner::io), help("check the folder's permissions"))]
    Io { path: String, message: String },
    #[error("session `{session}` is already running ({holder})")]
    #[diagnostic(
        code(agentgate::runner::locked),
        help("wait for that run to end; a run that was killed releases its lock by itself")
    )]
    Locked { session: String, holder: String },
    #[error("invalid session name `{session}`")]
    #[diagnostic(
        code(agentgate::runner::session),
        help("use 1 to 128 letters, digits, `.`, `_` or `-`, not starting with `.`")
    )]
    SessionName { session: String },
    #[error("session `{session}` has an unfinished run of `{plan}` (next step {next})")]
    #[diagnostic(
        code(agentgate::runner::unfinished),
        help("continue it with `agentgate run --resume {session}`")
    )]
    Unfinished {
        session: String,
        plan: String,
        next: usize,
    },
    #[error("session `{session}` has nothing to resume{why}")]
    #[diagnostic(
        code(agentgate::runner::resume),
        help("start a run with `agentgate run --plan FILE`; `agentgate context` lists sessions")
    )]
    NothingToResume { session: String, why: String },
    #[error("the plan given does not match the one session `{session}` started")]
    #[diagnostic(
        code(agentgate::runner::plan_changed),
        help("resume without `--plan` to continue the original plan, or start a new session")
    )]
    PlanChanged { session: String },
    #[error("the plan has {steps} commands, more than the limit of {limit}")]
    #[diagnostic(
        code(agentgate::runner::steps),
        help("split the plan, or raise the limit with `--max-steps`")
    )]
    TooManySteps { steps: usize, limit: usize },
    #[error("the checkpoint `{path}` is unreadable: {message}")]
    #[diagnostic(
        code(agentgate::runner::checkpoint),
        help("the session's state was edited or damaged; start a new session")
    )]
    Checkpoint { path: String, message: String },
    #[error("cannot start step {step} `{command}`: {message}")]
    #[diagnostic(
        code(agentgate::runner::spawn),
        help("check that the program is installed and on PATH")
    )]
    Spawn {
        step: usize,
        command: String,
        message: String,
    },
    #[cfg(feature = "redis")]
    #[error("redis: {message}")]
    #[diagnostic(
        code(agentgate::runner::redis),
        help("check that the server in `--store` is reachable")
    )]
    Redis { message: String },
}

impl RunnerError {
    pub(crate) fn io(path: &Path, e: impl std::fmt::Display) -> Self {
        RunnerError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

impl From<crate::Error> for RunnerError {
    fn from(e: crate::Error) -> Self {
        RunnerError::Check(Box::new(e))
    }
}

/// Bounds on one run.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most commands a plan may have.
    pub max_steps: usize,
    /// Time limit of a step without `timeout_s`.
    pub step_timeout: Duration,
    /// Longest a whole run may take; the step running then is stopped.
    pub total_time: Duration,
    /// Bytes of each output stream kept per step (all of it is hashed).
    pub keep_output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 100,
            step_timeout: Duration::from_secs(600),
            total_time: Duration::from_secs(3600),
            keep_output: 1 << 20,
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Every step ran and passed.
    Completed,
    /// The plan, or a step when re-checked, was denied or needs approval: nothing (more) ran.
    Refused,
    /// A step failed or timed out, or the run hit its time limit.
    Failed,
    /// `--dry-run`: nothing ran.
    DryRun,
    /// SIGINT or SIGTERM stopped it; `--resume` continues.
    Interrupted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
            Outcome::DryRun => "dry-run",
            Outcome::Interrupted => "interrupted",
        }
    }
}

/// One step as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub step: usize,
    pub command: String,
    /// `directly` or `with sh -c`.
    pub how: &'static str,
    /// `passed`, `failed`, `skipped` (finished in an earlier run), `pending` (not reached).
    pub status: String,
    pub exit_code: Option<i32>,
    pub ended_by: Option<String>,
    pub duration_ms: u64,
    /// The end of the step's output, when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tail: Option<String>,
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub session: String,
    pub outcome: Outcome,
    pub reason: Option<String>,
    pub policy_digest: String,
    pub steps: Vec<StepReport>,
    /// The verdict that refused the plan or a step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Evidence the plan claimed and the runner did not trust.
    pub ignored_claims: usize,
    pub audit_log: String,
}

/// Everything a run needs besides the plan.
pub struct Runner<'a> {
    pub root: PathBuf,
    pub audit: AuditLog,
    pub store: Box<dyn SessionStore>,
    pub limits: Limits,
    pub engine: EngineKind,
    pub dry_run: bool,
    /// Progress lines (`step 1/3 …`), for a person watching.
    pub progress: &'a mut dyn FnMut(&str),
}

/// A plan to start, or a session to resume.
pub enum Start {
    Plan {
        name: String,
        text: String,
    },
    Resume {
        session: String,
        plan: Option<(String, String)>,
    },
}

const ACTOR: &str = "runner";

impl Runner<'_> {
    /// Run a plan, or resume a session, to its end.
    pub fn run(&mut self, start: Start) -> Result<Report, RunnerError> {
        let resume = matches!(start, Start::Resume { .. });
        let parse = |text: &str, name: &str| {
            crate::changeset::parse_plan(text, name, &self.root).map_err(crate::Error::from)
        };
        let (session, name, text, plan, checkpoint, _lock) = match start {
            Start::Plan { name, text } => {
                let plan = parse(&text, &name)?;
                let session = plan.session.clone().unwrap_or_else(new_session);
                check_session_name(&session)?;
                let lock = (!self.dry_run)
                    .then(|| self.store.lock(&session))
                    .transpose()?;
                let checkpoint = self.store.load(&session)?;
                if let Some(c) = checkpoint.as_ref().filter(|c| c.state == "running") {
                    return Err(RunnerError::Unfinished {
                        session,
                        plan: c.plan_name.clone(),
                        next: c.next_step + 1,
                    });
                }
                (session, name, text, plan, None, lock)
            }
            Start::Resume { session, plan } => {
                check_session_name(&session)?;
                let lock = Some(self.store.lock(&session)?);
                let Some(c) = self.store.load(&session)? else {
                    return Err(RunnerError::NothingToResume {
                        session,
                        why: " (it never ran)".into(),
                    });
                };
                if c.state != "running" {
                    return Err(RunnerError::NothingToResume {
                        session,
                        why: format!(" (its last run {})", c.state),
                    });
                }
                if let Some((_, text)) = &plan {
                    if audit::sha256(text.as_bytes()) != c.plan_digest {
                        return Err(RunnerError::PlanChanged { session });
                    }
                }
                let plan = parse(&c.plan_text, &c.plan_name)?;
                (
                    session,
                    c.plan_name.clone(),
                    c.plan_text.clone(),
                    plan,
                    Some(c),
                    lock,
                )
            }
        };
        let mut plan = plan;
        plan.session = Some(session.clone());
        if plan.commands.len() > self.limits.max_steps {
            return Err(RunnerError::TooManySteps {
                steps: plan.commands.len(),
                limit: self.limits.max_steps,
            });
        }
        let ignored_claims = plan.evidence.checks.len() + plan.evidence.approvals.len();
        let records = audit::read(self.audit.path())?;
        plan.evidence = audit::observed_evidence(&records, Some(&session));
        let policy = crate::load_policy(&self.root)?;
        let mut report = Report {
            session: session.clone(),
            outcome: Outcome::Completed,
            reason: None,
            policy_digest: policy.digest.clone(),
            steps: plan
                .commands
                .iter()
                .enumerate()
                .map(|(i, c)| StepReport {
                    step: i + 1,
                    command: c.run.clone(),
                    how: How::of(&c.run).describe(),
                    status: "pending".into(),
                    exit_code: None,
                    ended_by: None,
                    duration_ms: 0,
                    output_tail: None,
                })
                .collect(),
            verdict: None,
            ignored_claims,
            audit_log: self.audit.path().display().to_string(),
        };
        let subject = format!("plan {name}");
        let approved = match crate::engine::approve(&policy, plan, &self.root, self.engine)
            .map_err(crate::Error::from)?
        {
            Ok(a) => a,
            Err(verdict) => {
                if !self.dry_run {
                    self.decision(&session, &subject, &verdict)?;
                    self.finish(&session, "refused", 0, Some(reason(&verdict)))?;
                }
                report.outcome = Outcome::Refused;
                report.reason = Some(reason(&verdict));
                report.verdict = Some(verdict);
                if !self.dry_run {
                    self.summarise(&name, &report, &[])?;
                }
                return Ok(report);
            }
        };
        if self.dry_run {
            report.outcome = Outcome::DryRun;
            return Ok(report);
        }
        self.decision(&session, &subject, approved.verdict())?;
        self.execute(approved, &name, &text, checkpoint, resume, report)
    }

    /// Run the steps of an approved plan from the checkpoint on.
    fn execute(
        &mut self,
        mut approved: Approved,
        name: &str,
        text: &str,
        checkpoint: Option<Checkpoint>,
        resume: bool,
        mut report: Report,
    ) -> Result<Report, RunnerError> {
        let session = report.session.clone();
        let steps = approved.plan().commands.len();
        let mut checkpoint = checkpoint.unwrap_or_else(|| Checkpoint {
            session: session.clone(),
            plan_name: name.to_string(),
            plan_text: text.to_string(),
            plan_digest: audit::sha256(text.as_bytes()),
            policy_digest: approved.policy_digest().to_string(),
            steps,
            done: Vec::new(),
            next_step: 0,
            state: "running".into(),
            started_seq: 0,
            updated: audit::now_rfc3339(),
        });
        if resume {
            self.reconcile(&mut checkpoint)?;
        }
        let started = self.audit.append(
            ACTOR,
            Some(&session),
            Event::RunStarted {
                plan: name.to_string(),
                plan_digest: checkpoint.plan_digest.clone(),
                policy_digest: approved.policy_digest().to_string(),
                steps,
                first_step: checkpoint.next_step,
            },
        )?;
        if !resume {
            checkpoint.started_seq = started.seq;
        }
        self.store.save(&checkpoint)?;
        for d in &checkpoint.done {
            if let Some(s) = report.steps.get_mut(d.step) {
                s.status = "skipped".into();
                s.exit_code = d.exit_code;
            }
        }
        if resume && checkpoint.next_step > 0 {
            (self.progress)(&format!(
                "resuming session {session} at step {}/{steps}: {} finished step{} will not run again",
                checkpoint.next_step + 1,
                checkpoint.done.len(),
                if checkpoint.done.len() == 1 { "" } else { "s" }
            ));
        }
        let clock = Instant::now();
        let mut observed = approved.plan().evidence.clone();
        for i in checkpoint.next_step..steps {
            let command = approved.plan().commands[i].clone();
            // The policy may have changed since approval: judge the whole plan again.
            let policy = crate::load_policy(&self.root)?;
            if policy.digest != approved.policy_digest() {
                (self.progress)(
                    "the policy changed since the plan was approved; checking it again",
                );
                let mut plan = approved.plan().clone();
                plan.evidence = observed.clone();
                match crate::engine::approve(&policy, plan, &self.root, self.engine)
                    .map_err(crate::Error::from)?
                {
                    Ok(a) => {
                        self.decision(
                            &session,
                            &format!("plan {name} (policy changed)"),
                            a.verdict(),
                        )?;
                        approved = a;
                        report.policy_digest = policy.digest.clone();
                    }
                    Err(verdict) => {
                        let subject = format!("plan {name} (policy changed)");
                        self.decision(&session, &subject, &verdict)?;
                        return self.refuse(report, &checkpoint, subject, verdict, name);
                    }
                }
            }
            let verdict = step::recheck(
                &policy,
                approved.plan(),
                i,
                &observed,
                &self.root,
                self.engine,
            )?;
            let subject = format!("step {}: {}", i + 1, command.run);
            self.decision(&session, &subject, &verdict)?;
            if verdict.decision != Decision::Allow {
                return self.refuse(report, &checkpoint, subject, verdict, name);
            }
            let left = self.limits.total_time.saturating_sub(clock.elapsed());
            if left.is_zero() {
                return self.fail(
                    report,
                    checkpoint,
                    name,
                    format!(
                        "the run's time limit of {} s was reached before step {}",
                        self.limits.total_time.as_secs(),
                        i + 1
                    ),
                );
            }
            if exec::interrupted() {
                return self.interrupted(report, i);
            }
            let limit = command
                .timeout_s
                .map_or(self.limits.step_timeout, Duration::from_secs)
                .min(left);
            (self.progress)(&format!(
                "step {}/{steps}: {} ({})",
                i + 1,
                command.run,
                How::of(&command.run).describe()
            ));
            self.audit.append(
                ACTOR,
                Some(&session),
                Event::StepStarted {
                    step: i,
                    command: command.run.clone(),
                },
            )?;
            let ended = exec::execute(&command.run, &self.root, limit, self.limits.keep_output)
                .map_err(|e| RunnerError::Spawn {
                    step: i + 1,
                    command: command.run.clone(),
                    message: e.to_string(),
                })?;
            let duration_ms = u64::try_from(ended.duration.as_millis()).unwrap_or(u64::MAX);
            self.audit.append(
                ACTOR,
                Some(&session),
                Event::Ran {
                    step: Some(i),
                    command: command.run.clone(),
                    status: ended.status,
                    exit_code: ended.exit_code,
                    ended_by: ended.ended_by.clone(),
                    duration_ms,
                    stdout_sha256: Some(ended.stdout.sha256.clone()),
                    stderr_sha256: Some(ended.stderr.sha256.clone()),
                    output_bytes: ended.stdout.bytes + ended.stderr.bytes,
                    source: ACTOR.into(),
                },
            )?;
            if ended.ended_by.as_deref() == Some(exec::INTERRUPTED_BY) {
                return self.interrupted(report, i);
            }
            observed.checks.retain(|c| c.command != command.run);
            observed.checks.push(crate::changeset::Check {
                command: command.run.clone(),
                status: ended.status,
            });
            checkpoint.done.push(StepDone {
                step: i,
                command: command.run.clone(),
                status: ended.status,
                exit_code: ended.exit_code,
                duration_ms,
            });
            checkpoint.next_step = i + 1;
            checkpoint.updated = audit::now_rfc3339();
            let passed = ended.status == crate::changeset::CheckStatus::Passed;
            if !passed {
                checkpoint.state = "failed".into();
            }
            self.store.save(&checkpoint)?;
            let s = &mut report.steps[i];
            s.status = if passed { "passed" } else { "failed" }.into();
            s.exit_code = ended.exit_code;
            s.ended_by = ended.ended_by.clone();
            s.duration_ms = duration_ms;
            (self.progress)(&format!(
                "step {}/{steps}: {} ({} ms)",
                i + 1,
                match (&ended.ended_by, ended.exit_code) {
                    (Some(why), _) => format!("failed: {why}"),
                    (None, Some(0)) => "passed".to_string(),
                    (None, code) => format!("failed with exit code {}", code.unwrap_or(-1)),
                },
                duration_ms
            ));
            if !passed {
                s.output_tail = Some(tail(&ended.stdout.kept, &ended.stderr.kept));
                let why = format!(
                    "step {} `{}` failed{}",
                    i + 1,
                    command.run,
                    ended
                        .ended_by
                        .map(|w| format!(" ({w})"))
                        .unwrap_or_default()
                );
                return self.fail(report, checkpoint, name, why);
            }
        }
        checkpoint.state = "completed".into();
        self.store.save(&checkpoint)?;
        self.finish(&session, "completed", checkpoint.done.len(), None)?;
        self.summarise(name, &report, &checkpoint.done)?;
        Ok(report)
    }

    /// After a crash, the audit log may know of a step the checkpoint does not (the runner died
    /// between the two writes): a step the log shows finished is never run again.
    fn reconcile(&mut self, checkpoint: &mut Checkpoint) -> Result<(), RunnerError> {
        let records = audit::read(self.audit.path())?;
        let mut interrupted = None;
        for r in records.iter().filter(|r| {
            r.seq >= checkpoint.started_seq && r.session.as_deref() == Some(&checkpoint.session)
        }) {
            match &r.event {
                Event::StepStarted { step, .. } if *step >= checkpoint.next_step => {
                    interrupted = Some(*step)
                }
                Event::Ran {
                    step: Some(step),
                    command,
                    status,
                    exit_code,
                    duration_ms,
                    ended_by,
                    ..
                } if *step >= checkpoint.next_step
                    && ended_by.as_deref() != Some(exec::INTERRUPTED_BY) =>
                {
                    checkpoint.done.push(StepDone {
                        step: *step,
                        command: command.clone(),
                        status: *status,
                        exit_code: *exit_code,
                        duration_ms: *duration_ms,
                    });
                    checkpoint.next_step = step + 1;
                    interrupted = None;
                }
                _ => {}
            }
        }
        if let Some(step) = interrupted {
            (self.progress)(&format!(
                "step {} was interrupted before it finished; it runs again",
                step + 1
            ));
        }
        Ok(())
    }

    fn decision(
        &mut self,
        session: &str,
        subject: &str,
        verdict: &Verdict,
    ) -> Result<(), RunnerError> {
        let mut rules: Vec<String> = verdict
            .findings
            .iter()
            .filter(|f| f.decision != Decision::Allow)
            .map(|f| f.rule.clone())
            .collect();
        rules.dedup();
        self.audit.append(
            ACTOR,
            Some(session),
            Event::Decision {
                subject: subject.to_string(),
                decision: verdict.decision,
                policy_digest: verdict.policy_digest.clone(),
                rules,
                reason: reason(verdict),
            },
        )?;
        Ok(())
    }

    fn finish(
        &mut self,
        session: &str,
        outcome: &str,
        steps_run: usize,
        why: Option<String>,
    ) -> Result<(), RunnerError> {
        self.audit.append(
            ACTOR,
            Some(session),
            Event::RunFinished {
                outcome: outcome.to_string(),
                steps_run,
                reason: why,
            },
        )?;
        Ok(())
    }

    fn refuse(
        &mut self,
        mut report: Report,
        checkpoint: &Checkpoint,
        subject: String,
        verdict: Verdict,
        name: &str,
    ) -> Result<Report, RunnerError> {
        let why = format!("{subject}: {}", reason(&verdict));
        let mut cp = checkpoint.clone();
        cp.state = "refused".into();
        self.store.save(&cp)?;
        self.finish(&report.session, "refused", cp.done.len(), Some(why.clone()))?;
        report.outcome = Outcome::Refused;
        report.reason = Some(why);
        report.verdict = Some(verdict);
        self.summarise(name, &report, &cp.done)?;
        Ok(report)
    }

    /// SIGINT or SIGTERM: the step (if one ran) was stopped with its process group. The session
    /// stays resumable from that step.
    fn interrupted(&mut self, mut report: Report, step: usize) -> Result<Report, RunnerError> {
        let why = format!("interrupted during step {}", step + 1);
        let done = report
            .steps
            .iter()
            .filter(|s| s.status == "passed" || s.status == "skipped")
            .count();
        self.finish(&report.session, "interrupted", done, Some(why.clone()))?;
        report.steps[step].status = "interrupted".into();
        report.outcome = Outcome::Interrupted;
        report.reason = Some(format!(
            "{why}; continue with `agentgate run --resume {}`",
            report.session
        ));
        Ok(report)
    }

    fn fail(
        &mut self,
        mut report: Report,
        mut checkpoint: Checkpoint,
        name: &str,
        why: String,
    ) -> Result<Report, RunnerError> {
        checkpoint.state = "failed".into();
        self.store.save(&checkpoint)?;
        self.finish(
            &report.session,
            "failed",
            checkpoint.done.len(),
            Some(why.clone()),
        )?;
        report.outcome = Outcome::Failed;
        report.reason = Some(why);
        self.summarise(name, &report, &checkpoint.done)?;
        Ok(report)
    }

    /// Leave a summary in the context store for later sessions.
    fn summarise(
        &mut self,
        name: &str,
        report: &Report,
        done: &[StepDone],
    ) -> Result<(), RunnerError> {
        let records = audit::read(self.audit.path())?;
        let evidence: Evidence = audit::observed_evidence(&records, Some(&report.session));
        let last = records.last();
        let started = records
            .iter()
            .find(|r| r.session.as_deref() == Some(report.session.as_str()))
            .map(|r| r.time.clone())
            .unwrap_or_default();
        let denied = report
            .verdict
            .iter()
            .flat_map(|v| &v.findings)
            .filter(|f| f.decision != Decision::Allow)
            .map(denied)
            .collect();
        context::record(
            &self.root,
            &report.session,
            context::RunSummary {
                plan: name.to_string(),
                outcome: report.outcome.as_str().to_string(),
                reason: report.reason.clone(),
                policy_digest: report.policy_digest.clone(),
                started,
                finished: audit::now_rfc3339(),
                steps: done.to_vec(),
                denied,
                evidence,
                audit: context::AuditRef {
                    log: self.audit.path().display().to_string(),
                    seq: last.map_or(0, |r| r.seq),
                    hash: last.map(|r| r.hash.clone()).unwrap_or_default(),
                },
            },
        )
    }
}

fn denied(f: &Finding) -> context::Denied {
    context::Denied {
        rule: f.rule.clone(),
        decision: f.decision,
        subject: f.subject.clone(),
        message: f.message.clone(),
        sentence: f.sentence.clone(),
        origin: format!("{}:{}", f.origin.file, f.origin.line),
    }
}

/// Why a verdict decided as it did: its first blocking finding, with the sentence and where it is.
pub fn reason(verdict: &Verdict) -> String {
    match verdict
        .findings
        .iter()
        .find(|f| f.decision == verdict.decision && f.decision != Decision::Allow)
    {
        Some(f) => format!(
            "{} {}: {} (rule {}, {}:{}: \"{}\")",
            verdict.decision.as_str(),
            f.subject,
            f.message,
            f.rule,
            f.origin.file,
            f.origin.line,
            f.sentence
        ),
        None => "allowed".into(),
    }
}

/// The last lines of a failed step's output.
fn tail(stdout: &[u8], stderr: &[u8]) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(stdout),
        String::from_utf8_lossy(stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// A JSON state file, or `None` when it does not exist.
fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, RunnerError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| RunnerError::Checkpoint {
                path: path.display().to_string(),
                message: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(RunnerError::io(path, e)),
    }
}

/// Replace a state file whole: a temporary file beside it, fsynced, renamed over it. A crash
/// leaves the old file or the new one, never half of one.
fn write_atomic(path: &Path, text: &str) -> Result<(), RunnerError> {
    use std::io::Write as _;
    let io = |e: std::io::Error| RunnerError::io(path, e);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A session name is a folder name and a key: letters, digits, `.`, `_`, `-`.
pub fn check_session_name(session: &str) -> Result<(), RunnerError> {
    let ok = !session.is_empty()
        && session.len() <= 128
        && !session.starts_with('.')
        && session
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(RunnerError::SessionName {
            session: session.to_string(),
        })
    }
}

/// A name for a plan that gives none: `run-<utc time>-<pid>`.
fn new_session() -> String {
    let t = audit::now_rfc3339();
    let compact: String = t.chars().filter(|c| c.is_ascii_digit()).take(14).collect();
    format!("run-{compact}-{}", std::process::id())
}
