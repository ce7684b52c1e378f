//! One rule against the facts of a plan.

use crate::engine::facts::{Facts, RunFact, WriteFact};
use crate::engine::matchers;
use crate::engine::paths::{Hits, ListId, PathIndex, RuleLists};
use crate::engine::{EngineError, Finding, FindingOrigin};
use crate::ir::{Action, CommandPattern, Metric, Risk, Rule, RuleBody, TextPart, Trigger, WriteOp};

type R = Result<Vec<Finding>, EngineError>;

/// What rules are checked against: the plan's facts and which of them each glob list matches.
pub struct Cx<'a> {
    pub f: &'a Facts,
    pub index: &'a PathIndex,
    pub hits: &'a Hits,
}

impl Cx<'_> {
    /// The error of a glob list that does not compile, blamed on `rule`.
    fn compiled(&self, rule: &str, lists: &[ListId]) -> Result<(), EngineError> {
        match lists.iter().find_map(|l| self.index.error(*l)) {
            Some(message) => Err(EngineError::Glob {
                rule: rule.to_string(),
                message: message.to_string(),
            }),
            None => Ok(()),
        }
    }
}

fn finding(
    rule: &Rule,
    subject: &str,
    message: String,
    help: String,
    plan_line: Option<usize>,
) -> Finding {
    Finding {
        rule: rule.id.clone(),
        kind: rule.body.kind().to_string(),
        severity: rule.severity,
        decision: rule.decision,
        message,
        subject: subject.to_string(),
        origin: FindingOrigin {
            file: rule.origin.file.clone(),
            line: rule.origin.line,
        },
        sentence: rule.origin.text.clone(),
        span: rule.origin.span,
        help,
        plan_line,
        advisory: None,
    }
}

/// What to do instead of a forbidden command.
fn command_help(ran: &str, except: &[CommandPattern]) -> String {
    match except.first() {
        Some(e) => format!(
            "do not run `{ran}`; `{}` is allowed, or ask a human to run it",
            e.text
        ),
        None => format!("do not run `{ran}`; ask a human to run it if it is needed"),
    }
}

/// What to do about a missing review.
fn review_help(reviewer: &str) -> String {
    format!("ask `{reviewer}` for review and record their approval in `evidence.approvals` (\"by\": \"{reviewer}\")")
}

fn ask_help(rule: &Rule, default: String) -> String {
    if rule.decision == crate::ir::Decision::Ask {
        format!("ask a human for approval and record it in `evidence.approvals` (\"rule\": \"{}\"), or {default}", rule.id)
    } else {
        default
    }
}

/// Check one rule.
/// Rules of a nested AGENTS.md that are not about paths apply to plans touching its subtree.
pub fn in_scope(rule: &Rule, f: &Facts) -> bool {
    rule.scope.is_empty()
        || matches!(
            rule.body,
            RuleBody::PathDeny { .. } | RuleBody::ReadDeny { .. } | RuleBody::Generated { .. }
        )
        || f.writes.iter().any(|w| w.path.starts_with(&rule.scope))
}

/// Check one rule (already known to apply to the plan's role and scope); `lists` are its glob
/// lists in `index`.
pub fn check(rule: &Rule, lists: RuleLists, cx: &Cx) -> R {
    cx.compiled(&rule.id, &lists)?;
    let f = cx.f;
    let [a, b] = lists;
    match &rule.body {
        RuleBody::PathDeny {
            ops,
            only_mixed,
            only_commit,
            ..
        } => {
            let mut out = path_deny(rule, cx, ops, a, b, *only_mixed, *only_commit)?;
            out.extend(outside_writes(rule, f, ops, *only_commit));
            if *only_commit {
                out.extend(staged_paths(rule, f, &out));
            }
            Ok(out)
        }
        RuleBody::ReadDeny { paths, except } => {
            let (g, ex) = (a, b);
            let outside = outside_globs(paths, except);
            Ok(cx
                .hits
                .reads(g)
                .iter()
                .filter(|r| !cx.hits.read_matches(ex, **r as usize))
                .map(|r| &f.reads[*r as usize])
                .chain(f.outside_reads.iter().filter(|(p, _, _)| {
                    outside
                        .as_ref()
                        .is_some_and(|(g, ex)| g.matches(p) && !ex.matches(p))
                }))
                .map(|(p, s, l)| {
                    finding(
                        rule,
                        s,
                        format!("reads `{p}`, which the policy forbids reading"),
                        ask_help(
                            rule,
                            format!("do not read `{p}`; ask a human for the value you need"),
                        ),
                        *l,
                    )
                })
                .collect())
        }
        RuleBody::CommandDeny { commands, except } => Ok(f
            .runs
            .iter()
            .filter(|r| {
                commands
                    .iter()
                    .any(|p| matchers::matches(p, &r.inv) && !matchers::dry_run(p, &r.inv))
                    && !except.iter().any(|p| matchers::matches(p, &r.inv))
            })
            .map(|r| {
                let p = commands
                    .iter()
                    .find(|p| matchers::matches(p, &r.inv) && !matchers::dry_run(p, &r.inv))
                    .map(|p| p.text.as_str())
                    .unwrap_or("");
                finding(
                    rule,
                    &format!("commands[{}]: {}", r.command, r.text),
                    format!(
                        "runs `{}`, which matches the forbidden `{p}`",
                        display_inv(&r.inv)
                    ),
                    ask_help(rule, command_help(&display_inv(&r.inv), except)),
                    r.plan_line,
                )
            })
            .collect()),
        RuleBody::ActionDeny {
            action,
            target,
            environment,
        } => Ok(f
            .actions
            .iter()
            .filter(|a| a.action == *action)
            .filter(|a| {
                target
                    .as_ref()
                    .is_none_or(|t| target_matches(t, a.target.as_deref()))
            })
            // A convention about bases ("!main") is judged on the base a command names; an
            // action only declared beside that command may name something else (the repository).
            .filter(|a| {
                !(target.as_ref().is_some_and(|t| t.starts_with('!'))
                    && a.seq.is_none()
                    && f.actions
                        .iter()
                        .any(|b| b.action == a.action && b.seq.is_some()))
            })
            .filter(|a| {
                environment
                    .as_ref()
                    .is_none_or(|e| env_matches(e, a.environment.as_deref()))
            })
            .map(|a| {
                let what = match (&a.environment, &a.target) {
                    (Some(e), _) => format!("{} to `{e}`", action.name()),
                    (None, Some(t)) => format!("{} to `{t}`", action.name()),
                    _ => action.name().to_string(),
                };
                finding(
                    rule,
                    &a.subject,
                    format!("takes the forbidden action: {what}"),
                    ask_help(rule, format!("do not {what}; leave it to a human")),
                    a.plan_line,
                )
            })
            .collect()),
        RuleBody::RequiredCheck {
            commands,
            trigger,
            ordered,
            all_checks,
            covered_by,
            code_only,
            when_runs,
            ..
        } => {
            // A check of code is not due for a documentation-only change.
            if *code_only
                && (cx.f.nothing_committed
                    || !cx.f.writes.is_empty()
                        && cx.f.writes.iter().all(|w| matchers::checks_skip(&w.path)))
            {
                return Ok(vec![]);
            }
            // The run that fires a `run` trigger ("before running tests"), found once.
            let first_run = (*trigger == Trigger::Run).then(|| run_at(cx.f, when_runs));
            // One command standing for the whole list meets it.
            let at = match &first_run {
                Some(run) => run.map(|r| Some(r.seq)),
                None => fires(cx, *trigger, a),
            };
            let covered = at.is_some()
                && covered_by.iter().any(|c| {
                    satisfied(
                        cx.f,
                        c,
                        if *trigger == Trigger::Dependency {
                            None
                        } else {
                            at.flatten()
                        },
                    )
                });
            if covered {
                return Ok(vec![]);
            }
            if let Some(run) = first_run {
                return Ok(run.map_or_else(Vec::new, |r| before_runs(rule, cx, commands, r)));
            }
            let Some(at) = at else {
                return Ok(vec![]);
            };
            required_check(rule, cx, commands, *trigger, a, at, *ordered, *all_checks)
        }
        RuleBody::RequiredRead { paths, trigger, .. } => {
            let Some(_) = fires(cx, *trigger, b) else {
                return Ok(vec![]);
            };
            if !cx.hits.reads(a).is_empty() {
                return Ok(vec![]);
            }
            let mut f = finding(
                rule,
                "reads",
                format!("does not read `{}` first", paths[0]),
                format!(
                    "read `{}` first and list it in `reads`",
                    paths[0].trim_end_matches("/**")
                ),
                None,
            );
            // A plan that lists no reads says nothing of what was read before it ("read it
            // once per session"): the missing read is not observed, only a warning.
            if !cx.f.reads_listed && f.severity == crate::ir::Severity::Error {
                f.severity = crate::ir::Severity::Warning;
                f.message = format!(
                    "does not show that it read `{}` first (the plan lists no `reads`)",
                    paths[0]
                );
            }
            Ok(vec![f])
        }
        RuleBody::RequiredFlag { command, flags } => Ok(f
            .runs
            .iter()
            .filter(|r| matchers::matches(command, &r.inv))
            .filter_map(|r| {
                let missing: Vec<&String> = flags
                    .iter()
                    .filter(|fl| !matchers::flag_given(&r.inv, fl))
                    .collect();
                (!missing.is_empty()).then(|| {
                    let m = missing
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    finding(
                        rule,
                        &format!("commands[{}]: {}", r.command, r.text),
                        format!("runs `{}` without {m}", command_text(command)),
                        format!("add {m} to the command"),
                        r.plan_line,
                    )
                })
            })
            .collect()),
        RuleBody::Generated { generators, .. } => {
            // With its generator unknown, any program that could regenerate the file counts;
            // editing it by hand (`sed -i`, `echo >`, a declared change alone) does not.
            let ran = f.runs.iter().any(|r| {
                if generators.is_empty() {
                    !matchers::hand_editor(&r.inv.program) && !matchers::checks_only(&r.inv)
                } else {
                    generators.iter().any(|p| matchers::matches(p, &r.inv))
                }
            });
            if ran {
                return Ok(vec![]);
            }
            let help = match generators.first() {
                Some(p) => format!(
                    "run `{}` to regenerate it instead of editing by hand",
                    p.text
                ),
                None => "change the source it is generated from, not the generated file".into(),
            };
            Ok(cx
                .hits
                .writes(a)
                .iter()
                .map(|w| &f.writes[*w as usize])
                .map(|w| {
                    finding(
                        rule,
                        &w.subject,
                        format!("edits generated file `{}` by hand", w.path),
                        help.clone(),
                        w.plan_line,
                    )
                })
                .collect())
        }
        RuleBody::CoChange {
            when_action,
            then_paths,
            only_added,
            work,
            fix,
            ..
        } => {
            if *work && f.other_work() || *fix && !f.fix_work() {
                return Ok(vec![]);
            }
            let (when, then) = (a, b);
            let hit = when_action.is_some_and(|a| f.has_action(a))
                || cx.hits.writes(when).iter().any(|w| {
                    (!only_added || f.writes[*w as usize].op == WriteOp::Add)
                        && !cx.hits.write_matches(then, *w as usize)
                });
            if !hit
                || cx
                    .hits
                    .writes(then)
                    .iter()
                    .any(|w| f.writes[*w as usize].op != WriteOp::Delete)
            {
                return Ok(vec![]);
            }
            let want = then_paths
                .first()
                .map(|p| p.trim_end_matches("/**").to_string())
                .unwrap_or_default();
            Ok(vec![finding(
                rule,
                "changes",
                format!("changes files without the required companion change to `{want}`"),
                format!("also change `{want}` in the same plan"),
                None,
            )])
        }
        RuleBody::ReviewRequirement { reviewer, .. } => Ok(cx
            .hits
            .writes(a)
            .iter()
            .take(1)
            .map(|w| &f.writes[*w as usize])
            .map(|w| {
                finding(
                    rule,
                    &w.subject,
                    format!("changes `{}`, which needs review by `{reviewer}`", w.path),
                    review_help(reviewer),
                    w.plan_line,
                )
            })
            .collect()),
        RuleBody::RiskClass { .. } => Ok(vec![]),
        RuleBody::RiskGate { .. } => Ok(vec![]),
        RuleBody::Message { on, part, require } => Ok(f
            .actions
            .iter()
            .filter(|a| on.contains(&a.action))
            .filter_map(|a| {
                let why = super::text::violation(require, *part, a.text.as_ref()?)?;
                Some(finding(
                    rule,
                    &a.subject,
                    format!("the {} {why}", text_name(a.action, *part)),
                    ask_help(
                        rule,
                        format!(
                            "rewrite the {} to meet the rule",
                            text_name(a.action, *part)
                        ),
                    ),
                    a.plan_line,
                ))
            })
            .collect()),
        RuleBody::Bound { metric, max } => {
            let (n, what) = match metric {
                Metric::DeletedFiles => (
                    f.writes
                        .iter()
                        .filter(|w| w.op == WriteOp::Delete && !w.subject.ends_with(".from"))
                        .count() as u64,
                    "deletes",
                ),
                Metric::ChangedFiles => {
                    let mut p: Vec<&str> = f.writes.iter().map(|w| w.path.as_str()).collect();
                    p.sort_unstable();
                    p.dedup();
                    (p.len() as u64, "changes")
                }
                Metric::ChangedLines => (
                    f.writes.iter().fold(0u64, |n, w| n.saturating_add(w.lines)),
                    "changes",
                ),
                Metric::AddedLines => (
                    f.writes.iter().fold(0u64, |n, w| n.saturating_add(w.added)),
                    "adds",
                ),
            };
            if n <= *max {
                return Ok(vec![]);
            }
            let unit = if matches!(metric, Metric::ChangedLines | Metric::AddedLines) {
                "lines"
            } else {
                "files"
            };
            Ok(vec![finding(
                rule,
                "plan",
                format!("{what} {n} {unit}, more than the limit of {max}"),
                format!("split the work into plans of at most {max} {unit}"),
                None,
            )])
        }
    }
}

/// Risk gates need the whole rule set: the plan's risk is the highest class of its changes.
pub fn risk_findings(rules: &[(&Rule, RuleLists)], cx: &Cx) -> R {
    let f = cx.f;
    let mut level: Option<Risk> = None;
    for (r, lists) in rules {
        if let RuleBody::RiskClass { level: l, .. } = &r.body {
            cx.compiled("risk", lists)?;
            if !cx.hits.writes(lists[0]).is_empty() {
                level = level.max(Some(*l));
            }
        }
    }
    let Some(level) = level else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    for (r, _) in rules {
        if let RuleBody::RiskGate {
            level: gate,
            reviewer,
            commands,
        } = &r.body
        {
            if level < *gate {
                continue;
            }
            let reviewed = reviewer.as_ref().is_none_or(|rv| {
                let n = |s: &str| s.trim_start_matches('@').to_lowercase();
                f.approvals.iter().any(|(by, _)| n(by) == n(rv))
            });
            let checked = commands.iter().all(|c| satisfied(f, c, None));
            if !reviewed {
                let rv = reviewer.clone().unwrap_or_default();
                out.push(finding(
                    r,
                    "plan",
                    format!("is {level:?} risk and needs review by `{rv}`").to_lowercase(),
                    review_help(&rv),
                    None,
                ));
            }
            if !checked {
                let c = commands
                    .iter()
                    .map(|c| format!("`{}`", c.text))
                    .collect::<Vec<_>>()
                    .join(", ");
                out.push(finding(
                    r,
                    "plan",
                    format!("is {level:?} risk and must pass {c}").to_lowercase(),
                    format!("run {c} first and record it passing in `evidence.checks`"),
                    None,
                ));
            }
        }
    }
    Ok(out)
}

/// Writes of the forbidden kinds to matching paths: only the writes the combined matcher found
/// for `paths` are visited.
fn path_deny(
    rule: &Rule,
    cx: &Cx,
    ops: &[WriteOp],
    paths: ListId,
    except: ListId,
    only_mixed: bool,
    only_commit: bool,
) -> R {
    let f = cx.f;
    if only_commit && !f.has_action(Action::Commit) {
        return Ok(vec![]);
    }
    if only_mixed && cx.hits.writes(paths).len() == f.writes.len() {
        return Ok(vec![]);
    }
    let op_ok = |w: &WriteFact| {
        if w.command.is_some() && w.op == WriteOp::Modify {
            ops.contains(&WriteOp::Modify) || ops.contains(&WriteOp::Add)
        } else {
            ops.contains(&w.op)
        }
    };
    // A deleted or moved folder is hit when it holds a match (`under`, which includes its own
    // path matching); any other write when its path matches.
    let moved = |w: &WriteFact| w.op == WriteOp::Delete || w.op == WriteOp::Rename;
    let plain = cx
        .hits
        .writes(paths)
        .iter()
        .filter(|w| !moved(&f.writes[**w as usize]));
    let under = cx.hits.under(paths).iter();
    Ok(plain
        .chain(under)
        .filter(|w| !cx.hits.write_matches(except, **w as usize))
        .map(|w| &f.writes[*w as usize])
        .filter(|w| op_ok(w))
        .map(|w| {
            let verb = match w.op {
                WriteOp::Add => "adds",
                WriteOp::Modify => "modifies",
                WriteOp::Delete => "deletes",
                WriteOp::Rename => "renames",
            };
            finding(
                rule,
                &w.subject,
                format!("{verb} `{}`, which the policy protects", w.path),
                ask_help(
                    rule,
                    if rule.decision == crate::ir::Decision::Ask {
                        format!("leave `{}` unchanged", w.path)
                    } else {
                        format!(
                            "leave `{}` unchanged; ask a human to make this change",
                            w.path
                        )
                    },
                ),
                w.plan_line,
            )
        })
        .collect())
}

/// Whether the trigger fires; Some(position) of the triggering command when there is one.
fn fires(cx: &Cx, trigger: Trigger, when: ListId) -> Option<Option<usize>> {
    let f = cx.f;
    let by_action = |a: Action| f.has_action(a).then(|| f.first_command_of(a));
    // The writes `when_paths` covers.
    let touched = || {
        let all = cx.index.is_empty(when);
        let hits = cx.hits.writes(when);
        let n = if all { f.writes.len() } else { hits.len() };
        (0..n).map(move |k| {
            let i = if all { k } else { hits[k] as usize };
            &f.writes[i]
        })
    };
    // An action trigger limited to paths ("before committing changes to `src/`") fires only
    // when the plan changes one of them.
    let action_trigger = !matches!(
        trigger,
        Trigger::Change | Trigger::Add | Trigger::CodeChange | Trigger::SourceChange
    );
    if action_trigger && !cx.index.is_empty(when) && cx.hits.writes(when).is_empty() {
        return None;
    }
    match trigger {
        Trigger::Commit => by_action(Action::Commit),
        Trigger::Push => by_action(Action::Push),
        Trigger::PullRequest => by_action(Action::PullRequest),
        Trigger::PullRequestReady => f
            .actions
            .iter()
            .any(|a| a.action == Action::PullRequest && !a.draft)
            .then(|| {
                f.actions
                    .iter()
                    .filter(|a| a.action == Action::PullRequest && !a.draft)
                    .filter_map(|a| a.seq)
                    .min()
            }),
        Trigger::Merge => by_action(Action::Merge),
        Trigger::Tag => by_action(Action::Tag),
        Trigger::Publish => by_action(Action::Publish),
        Trigger::Dependency => by_action(Action::Dependency),
        Trigger::Fix if !f.fix_work() => None,
        Trigger::Deliver | Trigger::Fix => {
            let acts = [Action::Commit, Action::Push, Action::PullRequest];
            acts.iter()
                .any(|a| f.has_action(*a))
                .then(|| acts.iter().filter_map(|a| f.first_command_of(*a)).min())
        }
        // Fired by the rule's own `when_runs` (see `run_at`).
        Trigger::Run => None,
        Trigger::Change => touched().next().is_some().then_some(None),
        Trigger::Add => touched().any(|w| w.op == WriteOp::Add).then_some(None),
        Trigger::CodeChange => touched()
            .any(|w| matchers::is_code(&w.path))
            .then_some(None),
        Trigger::SourceChange => touched()
            .any(|w| matchers::is_source(&w.path))
            .then_some(None),
    }
}

/// A required command ran (before `before`, when given) or has passing evidence.
fn satisfied(f: &Facts, p: &CommandPattern, before: Option<usize>) -> bool {
    f.passed
        .iter()
        .any(|invs| invs.iter().any(|i| matchers::matches(p, i)))
        || f.runs
            .iter()
            .any(|r| before.is_none_or(|b| r.seq < b) && matchers::matches(p, &r.inv))
}

/// "Build before running tests": each command must run (or have passed) before `run`, the
/// plan's first run of the rule's `when_runs`.
fn before_runs(rule: &Rule, cx: &Cx, commands: &[CommandPattern], run: &RunFact) -> Vec<Finding> {
    let subject = format!("commands[{}]: {}", run.command, run.text);
    commands
        .iter()
        .filter(|p| !satisfied(cx.f, p, Some(run.seq)))
        .map(|p| {
            let name = command_text(p);
            finding(
                rule,
                &subject,
                format!("does not run `{name}` before running `{}`", run.text),
                format!("run `{name}` first and record it passing in `evidence.checks`"),
                run.plan_line,
            )
        })
        .collect()
}

/// A required check whose trigger fired at `at` (the position of the firing command, if any).
#[allow(clippy::too_many_arguments)]
fn required_check(
    rule: &Rule,
    cx: &Cx,
    commands: &[CommandPattern],
    trigger: Trigger,
    when: ListId,
    at: Option<usize>,
    ordered: bool,
    all_checks: bool,
) -> R {
    let f = cx.f;
    // "Run X if adding dependencies" sets no order; "before committing" does.
    let at = if trigger == Trigger::Dependency {
        None
    } else {
        at
    };
    let mut out = Vec::new();
    let what = trigger_name(trigger);
    let (subject, line) = trigger_subject(cx, trigger, when);
    if all_checks {
        for failed in &f.failed {
            out.push(finding(
                rule,
                "evidence",
                format!("`{failed}` failed, and all checks must pass {what}"),
                format!("fix the failure and record `{failed}` as passed"),
                None,
            ));
        }
    }
    let mut positions = Vec::new();
    for p in commands {
        if satisfied(f, p, at) {
            if let Some(r) = f.runs.iter().find(|r| matchers::matches(p, &r.inv)) {
                positions.push((r.seq, p));
            }
            continue;
        }
        let name = command_text(p);
        out.push(finding(
            rule,
            &subject,
            format!("does not run `{name}` {what}"),
            format!("run `{name}` first ({what}) and record it passing in `evidence.checks`"),
            line,
        ));
    }
    if ordered && out.is_empty() {
        for w in positions.windows(2) {
            if w[1].0 < w[0].0 {
                out.push(finding(
                    rule,
                    "commands",
                    format!(
                        "runs `{}` before `{}`; the policy requires this order",
                        w[1].1.text, w[0].1.text
                    ),
                    "run the commands in the order the policy lists them".into(),
                    None,
                ));
                break;
            }
        }
    }
    Ok(out)
}

/// What in the plan fired a trigger: the committing command, the pull request, the first
/// matching change.
fn trigger_subject(cx: &Cx, trigger: Trigger, when: ListId) -> (String, Option<usize>) {
    let f = cx.f;
    let action = match trigger {
        Trigger::Commit => Some(Action::Commit),
        Trigger::Push => Some(Action::Push),
        Trigger::PullRequest | Trigger::PullRequestReady => Some(Action::PullRequest),
        Trigger::Merge => Some(Action::Merge),
        Trigger::Tag => Some(Action::Tag),
        Trigger::Publish => Some(Action::Publish),
        Trigger::Dependency => Some(Action::Dependency),
        _ => None,
    };
    if matches!(trigger, Trigger::Deliver | Trigger::Fix) {
        let acts = [Action::Commit, Action::Push, Action::PullRequest];
        if let Some(fact) = f.actions.iter().find(|x| acts.contains(&x.action)) {
            return (fact.subject.clone(), fact.plan_line);
        }
    }
    if let Some(a) = action {
        if let Some(fact) = f.actions.iter().find(|x| x.action == a) {
            return (fact.subject.clone(), fact.plan_line);
        }
    }
    let first = if cx.index.is_empty(when) {
        (!f.writes.is_empty()).then_some(0)
    } else {
        cx.hits.writes(when).first().map(|w| *w as usize)
    };
    match first {
        Some(w) => (f.writes[w].subject.clone(), f.writes[w].plan_line),
        None => ("plan".into(), None),
    }
}

fn trigger_name(t: Trigger) -> &'static str {
    match t {
        Trigger::Commit => "before committing",
        Trigger::Push => "before pushing",
        Trigger::PullRequest => "before opening a pull request",
        Trigger::PullRequestReady => "before marking a pull request ready for review",
        Trigger::Merge => "before merging",
        Trigger::Tag => "before tagging",
        Trigger::Publish => "before publishing",
        Trigger::Dependency => "when adding dependencies",
        Trigger::Deliver => "before handing the work over",
        Trigger::Fix => "before handing over a bug fix",
        Trigger::Change | Trigger::Add => "for these changes",
        Trigger::CodeChange | Trigger::SourceChange => "for code changes",
        Trigger::Run => "before running them",
    }
}

/// The first run of the plan that matches one of `when_runs` ("before running tests"): its
/// position, subject and plan line.
fn run_at<'f>(f: &'f Facts, when_runs: &[CommandPattern]) -> Option<&'f RunFact> {
    f.runs
        .iter()
        .filter(|r| when_runs.iter().any(|p| matchers::matches(p, &r.inv)))
        .min_by_key(|r| r.seq)
}

fn command_text(p: &CommandPattern) -> String {
    if let Some(class) = p.program.strip_prefix('@') {
        return match class.trim_end_matches('!') {
            "test" => "the test suite".into(),
            "typecheck" => "type checking".into(),
            "lint" => "the linter".into(),
            "format" => "the formatter".into(),
            "migrate" => "the migrations".into(),
            "install" => "an install".into(),
            "build" => "the build".into(),
            c => c.into(),
        };
    }
    // A single command reads best as written; a part of `a && b` is rebuilt.
    if p.program.is_empty() || !p.text.contains(['&', ';', '|']) {
        return p.text.clone();
    }
    let mut s = p.program.clone();
    for w in &p.words {
        s.push(' ');
        match w {
            crate::ir::PatWord::Lit(l) => s.push_str(l),
            crate::ir::PatWord::Any => s.push('…'),
        }
    }
    for f in &p.flags {
        s.push(' ');
        s.push_str(f);
    }
    s
}

fn display_inv(inv: &crate::command::Invocation) -> String {
    let mut s = inv.program.clone();
    for a in &inv.args {
        s.push(' ');
        s.push_str(a);
    }
    s
}

/// `origin/main` matches a push to `origin/main`; `main` matches any remote's `main`.
pub(super) fn target_matches(rule: &str, fact: Option<&str>) -> bool {
    // "!main": any target but that one ("all PRs target `main`"); no target is the default.
    if let Some(not) = rule.strip_prefix('!') {
        return fact.is_some_and(|f| !target_matches(not, Some(f)));
    }
    let Some(fact) = fact else { return false };
    let norm = |s: &str| s.trim().trim_start_matches("refs/heads/").to_lowercase();
    let (r, fa) = (norm(rule), norm(fact));
    // "`release/*` branches": a wildcard over the branch, with or without its remote.
    if r.contains('*') {
        let glob = |t: &str| {
            globset::GlobBuilder::new(&r)
                .literal_separator(true)
                .build()
                .is_ok_and(|g| g.compile_matcher().is_match(t))
        };
        let branch = fa.split_once('/').map(|(_, b)| b);
        return glob(&fa) || branch.is_some_and(glob);
    }
    if r == fa {
        return true;
    }
    let branch = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    if !r.contains('/') {
        return branch(&fa) == r || fa == r;
    }
    // "origin/main" against "origin/head:main" style or "origin/main"
    r == fa || (branch(&r) == branch(&fa) && r.split('/').next() == fa.split('/').next())
}

pub(super) fn env_matches(rule: &str, fact: Option<&str>) -> bool {
    let Some(fact) = fact else { return true };
    let prod = |s: &str| matches!(s.to_lowercase().as_str(), "production" | "prod" | "live");
    rule.eq_ignore_ascii_case(fact) || (prod(rule) && prod(fact))
}

/// What a message rule reads, in words: "commit message", "pull request title".
fn text_name(action: Action, part: TextPart) -> &'static str {
    match (action, part) {
        (Action::Commit, TextPart::Title) => "commit message's first line",
        (Action::Commit, TextPart::All) => "commit message",
        (Action::PullRequest | Action::ReadyPullRequest, TextPart::Title) => "pull request title",
        (Action::PullRequest | Action::ReadyPullRequest, TextPart::All) => "pull request",
        (Action::Issue, TextPart::Title) => "issue title",
        (Action::Issue, TextPart::All) => "issue",
        (Action::Comment, _) => "comment",
        (Action::Branch, _) => "branch name",
        _ => "text",
    }
}

/// A rule's globs for paths outside the repository (`~/.ssh/**`, `/etc/**`), and its
/// exceptions: None when it names none.
fn outside_globs(
    paths: &[String],
    except: &[String],
) -> Option<(matchers::Globs, matchers::Globs)> {
    let out = |l: &[String]| -> Vec<String> {
        l.iter()
            .filter(|g| crate::changeset::is_outside(g))
            .cloned()
            .collect()
    };
    let globs = out(paths);
    if globs.is_empty() {
        return None;
    }
    Some((
        matchers::Globs::new(&globs).ok()?,
        matchers::Globs::new(&out(except)).ok()?,
    ))
}

/// Writes outside the repository that a path rule about such paths forbids.
fn outside_writes(rule: &Rule, f: &Facts, ops: &[WriteOp], only_commit: bool) -> Vec<Finding> {
    let RuleBody::PathDeny { paths, except, .. } = &rule.body else {
        return Vec::new();
    };
    if f.outside_writes.is_empty() || only_commit {
        return Vec::new();
    }
    let Some((globs, ex)) = outside_globs(paths, except) else {
        return Vec::new();
    };
    f.outside_writes
        .iter()
        .filter(|w| {
            let hit = if matches!(w.op, WriteOp::Delete | WriteOp::Rename) {
                globs.matches_under(&w.path)
            } else {
                globs.matches(&w.path)
            };
            hit && !ex.matches(&w.path)
                && (ops.contains(&w.op) || w.command.is_some() && ops.contains(&WriteOp::Add))
        })
        .map(|w| {
            finding(
                rule,
                &w.subject,
                format!("writes `{}`, which the policy protects", w.path),
                ask_help(rule, format!("leave `{}` unchanged", w.path)),
                w.plan_line,
            )
        })
        .collect()
}

/// Paths `git add` stages by name that a commit-only path rule forbids ("never commit
/// `.env.local`", with `git add -f .env.local`), when no declared change already showed them.
fn staged_paths(rule: &Rule, f: &Facts, found: &[Finding]) -> Vec<Finding> {
    let RuleBody::PathDeny { paths, except, .. } = &rule.body else {
        return Vec::new();
    };
    if f.staged.is_empty() || !f.has_action(Action::Commit) {
        return Vec::new();
    }
    let (Ok(globs), Ok(ex)) = (matchers::Globs::new(paths), matchers::Globs::new(except)) else {
        return Vec::new();
    };
    f.staged
        .iter()
        .filter(|(p, _, _)| globs.matches(p) && !ex.matches(p))
        .filter(|(p, _, _)| !found.iter().any(|x| x.message.contains(&format!("`{p}`"))))
        .map(|(p, subject, line)| {
            finding(
                rule,
                subject,
                format!("stages `{p}` for a commit, which the policy forbids"),
                format!("leave `{p}` out of the commit (`git restore --staged {p}`)"),
                *line,
            )
        })
        .collect()
}
