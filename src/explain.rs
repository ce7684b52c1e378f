//! What a rule means to an agent: its sentence and where it is written, its kind, the paths it
//! is about, and what satisfies it. `agentgate explain` and the MCP tools `explain_rule` and
//! `list_rules` print the same [`RuleInfo`].

use miette::Diagnostic;
use serde::Serialize;
use thiserror::Error;

use crate::engine::matchers::Globs;
use crate::engine::FindingOrigin;
use crate::ir::{CommandPattern, Decision, Policy, Rule, RuleBody, Severity, Trigger};

#[derive(Debug, Error, Diagnostic)]
pub enum ExplainError {
    #[error("no rule `{id}` in this policy")]
    #[diagnostic(
        code(agentgate::explain::unknown),
        help("{}", match .nearest {
            Some(n) => format!("did you mean `{n}`? `agentgate explain` without an id lists every rule"),
            None => "`agentgate explain` without an id lists every rule and its id".to_string(),
        })
    )]
    UnknownRule { id: String, nearest: Option<String> },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Path(#[from] crate::changeset::PathError),
}

/// One rule, explained.
#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub kind: &'static str,
    pub decision: Decision,
    pub severity: Severity,
    /// The policy sentence, as written.
    pub sentence: String,
    pub origin: FindingOrigin,
    /// The subtree the rule governs (`""`: the whole repository).
    pub scope: String,
    /// Agent roles it applies to (empty: every role).
    pub roles: Vec<String>,
    /// The globs the rule is about (empty: it is not about paths).
    pub paths: Vec<String>,
    /// What satisfies the rule: what an agent does instead of breaking it.
    pub satisfied_by: String,
    /// `enforced`, or `advisory` (a warning that never blocks).
    pub strength: crate::ir::Strength,
    /// Why an advisory rule is not enforced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Every rule of the policy, in policy order.
pub fn list(policy: &Policy) -> Vec<RuleInfo> {
    policy.rules.iter().map(info).collect()
}

/// The rules about a repository-relative path: those whose globs match it, and those of a
/// nested AGENTS.md whose subtree holds it.
pub fn for_path(policy: &Policy, path: &str) -> Vec<RuleInfo> {
    policy
        .rules
        .iter()
        .filter(|r| about(r, path))
        .map(info)
        .collect()
}

/// One rule by id.
pub fn explain(policy: &Policy, id: &str) -> Result<RuleInfo, ExplainError> {
    if let Some(r) = policy
        .rules
        .iter()
        .find(|r| r.id == id || r.id.eq_ignore_ascii_case(id))
    {
        return Ok(info(r));
    }
    let nearest = policy
        .rules
        .iter()
        .map(|r| (distance(&r.id.to_lowercase(), &id.to_lowercase()), &r.id))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, id)| id.clone());
    Err(ExplainError::UnknownRule {
        id: id.to_string(),
        nearest,
    })
}

fn info(r: &Rule) -> RuleInfo {
    RuleInfo {
        id: r.id.clone(),
        kind: r.body.kind(),
        decision: r.decision,
        severity: r.severity,
        sentence: r.origin.text.clone(),
        origin: FindingOrigin {
            file: r.origin.file.clone(),
            line: r.origin.line,
        },
        scope: r.scope.clone(),
        roles: r.roles.clone(),
        paths: shown(paths(&r.body)),
        satisfied_by: satisfied_by(r),
        strength: r.strength,
        reason: r.reason.clone(),
    }
}

/// The globs a rule is about.
pub fn paths(body: &RuleBody) -> &[String] {
    match body {
        RuleBody::PathDeny { paths, .. }
        | RuleBody::ReadDeny { paths, .. }
        | RuleBody::Generated { paths, .. }
        | RuleBody::ReviewRequirement { paths, .. }
        | RuleBody::RiskClass { paths, .. } => paths,
        RuleBody::RequiredCheck { when_paths, .. }
        | RuleBody::RequiredRead { when_paths, .. }
        | RuleBody::CoChange { when_paths, .. } => when_paths,
        _ => &[],
    }
}

fn about(r: &Rule, path: &str) -> bool {
    let in_scope = !r.scope.is_empty() && path.starts_with(&r.scope);
    let globs = paths(&r.body);
    if globs.is_empty() {
        return in_scope;
    }
    Globs::new(globs).is_ok_and(|g| g.matches(path) || g.matches_under(path))
}

fn cmds(c: &[CommandPattern]) -> String {
    c.iter()
        .map(|c| format!("`{}`", c.text))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Globs as people wrote them: the compiler adds `X/**` beside a plain `X` (a file or a
/// folder); show `X` only.
pub fn shown(globs: &[String]) -> Vec<String> {
    globs
        .iter()
        .filter(|g| {
            g.strip_suffix("/**")
                .is_none_or(|base| !globs.iter().any(|o| o == base))
        })
        .cloned()
        .collect()
}

fn globs(p: &[String]) -> String {
    shown(p)
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// When an obligation is due, in words.
fn when(t: Trigger) -> &'static str {
    match t {
        Trigger::Commit => "before committing",
        Trigger::Push => "before pushing",
        Trigger::PullRequest => "before opening a pull request",
        Trigger::PullRequestReady => "before marking a pull request ready for review",
        Trigger::Merge => "before merging",
        Trigger::Tag => "before tagging",
        Trigger::Publish => "before publishing",
        Trigger::Dependency => "when adding a dependency",
        Trigger::Deliver => {
            "before handing the work over (committing, pushing or opening a pull request)"
        }
        Trigger::Fix => {
            "before handing over work titled as a bug fix (`fix: …`, \"Fix …\", a `fix/…` branch)"
        }
        Trigger::Run => "before running the commands it names",
        Trigger::Change | Trigger::Add => "in the same plan as the change",
        Trigger::CodeChange | Trigger::SourceChange => "in the same plan as the code change",
    }
}

/// What satisfies a rule, as an instruction to an agent: what to do instead of breaking it.
pub fn satisfied_by(r: &Rule) -> String {
    let approval = format!(
        "ask a human for approval and record it in `evidence.approvals` (\"rule\": \"{}\")",
        r.id
    );
    let base = match &r.body {
        RuleBody::PathDeny { paths, except, .. } => {
            let mut s = format!("leave {} unchanged", globs(paths));
            if !except.is_empty() {
                s.push_str(&format!(" (except {})", globs(except)));
            }
            s.push_str("; ask a human to make the change");
            s
        }
        RuleBody::ReadDeny { paths, .. } => format!(
            "do not read {}; ask a human for the value you need",
            globs(paths)
        ),
        RuleBody::CommandDeny { commands, except } => {
            let mut s = format!("do not run {}", cmds(commands));
            if !except.is_empty() {
                s.push_str(&format!("; {} is allowed", cmds(except)));
            }
            s.push_str("; ask a human to run it if it is needed");
            s
        }
        RuleBody::ActionDeny { action, .. } => {
            format!("do not {}; leave it to a human", action.name().replace('-', " "))
        }
        RuleBody::RequiredCheck {
            commands, trigger, ..
        } => format!(
            "run {} {} and record it passing in `evidence.checks`",
            cmds(commands),
            when(*trigger)
        ),
        RuleBody::RequiredRead { paths, trigger, .. } => {
            format!("read {} {}", globs(paths), when(*trigger))
        }
        RuleBody::RequiredFlag { command, flags } => format!(
            "run `{}` only with {}",
            command.text,
            flags
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        RuleBody::Generated { paths, generators } => match generators.first() {
            Some(g) => format!(
                "do not edit {} by hand; run `{}` to regenerate it",
                globs(paths),
                g.text
            ),
            None => format!(
                "do not edit {} by hand; change the source it is generated from",
                globs(paths)
            ),
        },
        RuleBody::CoChange { then_paths, .. } => {
            format!("also change {} in the same plan", globs(then_paths))
        }
        RuleBody::ReviewRequirement { reviewer, .. } => format!(
            "ask `{reviewer}` for review and record their approval in `evidence.approvals` (\"by\": \"{reviewer}\")"
        ),
        RuleBody::RiskClass { level, .. } => format!(
            "nothing by itself: it makes these changes {} risk, which risk gates act on",
            format!("{level:?}").to_lowercase()
        ),
        RuleBody::RiskGate {
            reviewer, commands, ..
        } => {
            let mut parts = Vec::new();
            if let Some(rv) = reviewer {
                parts.push(format!("ask `{rv}` for review and record their approval"));
            }
            if !commands.is_empty() {
                parts.push(format!("run {} and record it passing", cmds(commands)));
            }
            parts.join(", and ")
        }
        RuleBody::Bound { max, metric } => format!(
            "split the work into plans of at most {max} {}",
            match metric {
                crate::ir::Metric::ChangedLines => "changed lines",
                crate::ir::Metric::DeletedFiles => "deleted files",
                crate::ir::Metric::ChangedFiles => "changed files",
                crate::ir::Metric::AddedLines => "added lines",
            }
        ),
        RuleBody::Message { require, .. } => match require {
            crate::ir::TextRule::Contains(t) => format!("include `{t}` in the text"),
            crate::ir::TextRule::NoAiCredit(t) => {
                format!("credit no AI agent, model or tool in a `{t}` line")
            }
            crate::ir::TextRule::Excludes(t) => format!("leave `{t}` out of the text"),
            crate::ir::TextRule::English => "write the text in English".into(),
            crate::ir::TextRule::Template(t) => format!("follow `{}`", t.join("` or `")),
            crate::ir::TextRule::Prefix(p) => format!("start with `{}`", p.join("` or `")),
            crate::ir::TextRule::MaxLength(n) => format!("keep the first line to {n} characters"),
        },
    };
    if r.decision == Decision::Ask
        && !matches!(
            r.body,
            RuleBody::ReviewRequirement { .. } | RuleBody::RiskGate { .. }
        )
    {
        format!("{approval}, or {base}")
    } else {
        base
    }
}

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
