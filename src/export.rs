//! `agentgate export`: the compiled policy projected onto an agent's own enforcement — Claude
//! Code permissions, Codex execpolicy `prefix_rule`s, Gemini CLI policy TOML — so the agent
//! refuses what the policy forbids before agentgate is even asked.
//!
//! A projection is a narrowing: a permission pattern sees one tool call, not a plan or a
//! session, so obligations, bounds, risk gates and co-changes cannot be expressed. Every rule
//! that is not projected is listed with the reason ([`Export::unprojected`]), never dropped.

mod claude;
mod codex;
mod gemini;

use serde::Serialize;

use crate::ir::{
    Action, CommandPattern, Decision, PatWord, Policy, Rule, RuleBody, Severity, WriteOp,
};

/// Which agent's configuration to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Claude,
    Codex,
    Gemini,
}

/// How strongly the agent enforces a projected rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ask,
    Deny,
}

/// One word position of a command prefix: a literal or alternatives.
pub type Token = Vec<String>;

/// What a projected rule stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// Writing files matching a repository-relative glob.
    Edit(String),
    /// Reading files matching a repository-relative glob.
    Read(String),
    /// Running a command that starts with these words.
    Command(Vec<Token>),
}

/// A rule as one entry of an agent's configuration.
#[derive(Debug, Clone)]
pub struct Projected<'a> {
    pub rule: &'a Rule,
    pub level: Level,
    pub subject: Subject,
    /// Where the projection is narrower or wider than the rule.
    pub note: Option<String>,
}

/// A rule that an agent's configuration cannot express.
#[derive(Debug, Clone, Serialize)]
pub struct Unprojected {
    pub rule: String,
    pub kind: &'static str,
    /// `file:line` of the policy sentence.
    pub origin: String,
    pub sentence: String,
    pub reason: String,
}

/// An agent configuration and what it leaves to agentgate.
#[derive(Debug, Clone)]
pub struct Export {
    /// The configuration file's text.
    pub text: String,
    pub unprojected: Vec<Unprojected>,
}

/// Project the policy onto `target`.
pub fn export(policy: &Policy, target: Target) -> Export {
    let (mut projected, mut unprojected) = project(policy);
    if target == Target::Codex {
        // Codex execpolicy governs commands only; its sandbox governs files.
        projected.retain(|p| {
            if matches!(p.subject, Subject::Command(_)) {
                return true;
            }
            let u = unprojected_of(
                p.rule,
                "Codex execpolicy governs commands only (file access is up to its sandbox)",
            );
            if !unprojected
                .iter()
                .any(|x| x.rule == u.rule && x.reason == u.reason)
            {
                unprojected.push(u);
            }
            false
        });
    }
    let text = match target {
        Target::Claude => claude::render(&projected),
        Target::Codex => codex::render(policy, &projected, &unprojected),
        Target::Gemini => gemini::render(policy, &projected, &unprojected),
    };
    Export { text, unprojected }
}

fn unprojected_of(rule: &Rule, reason: &str) -> Unprojected {
    Unprojected {
        rule: rule.id.clone(),
        kind: rule.body.kind(),
        origin: format!("{}:{}", rule.origin.file, rule.origin.line),
        sentence: rule.origin.text.clone(),
        reason: reason.to_string(),
    }
}

/// Every rule, projected or with the reason it cannot be.
pub fn project(policy: &Policy) -> (Vec<Projected<'_>>, Vec<Unprojected>) {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for rule in &policy.rules {
        match project_rule(rule) {
            Ok(ps) => out.extend(ps),
            Err(reason) => missing.push(unprojected_of(rule, &reason)),
        }
    }
    if !policy.rego.is_empty() {
        missing.push(Unprojected {
            rule: "custom-rego".into(),
            kind: "custom-rego",
            origin: policy
                .rego
                .iter()
                .map(|m| format!("{}:{}", m.file, m.line))
                .collect::<Vec<_>>()
                .join(", "),
            sentence: "custom Rego policies".into(),
            reason: "Rego decides over the whole plan; no permission pattern can run it".into(),
        });
    }
    (out, missing)
}

fn level(d: Decision) -> Level {
    if d == Decision::Ask {
        Level::Ask
    } else {
        Level::Deny
    }
}

fn project_rule(rule: &Rule) -> Result<Vec<Projected<'_>>, String> {
    if let RuleBody::RiskClass { .. } = rule.body {
        return Err("a risk class only feeds risk gates; it decides nothing by itself".into());
    }
    if rule.severity < Severity::Error {
        return Err("a warning never blocks, so there is nothing to enforce".into());
    }
    if !rule.roles.is_empty() {
        return Err(format!(
            "it applies to some agent roles only ({}); an agent's own configuration does not know its role",
            rule.roles.join(", ")
        ));
    }
    let one = |level: Level, subject: Subject, note: Option<String>| Projected {
        rule,
        level,
        subject,
        note,
    };
    let files = |paths: &[String], except: &[String], read: bool| -> Vec<Projected<'_>> {
        // Permission lists have no exceptions: the exception is asked about instead of denied.
        let (lvl, note) = if except.is_empty() {
            (level(rule.decision), None)
        } else {
            (
                Level::Ask,
                Some(format!(
                    "asks instead of denying: the exception {} cannot be expressed",
                    except.join(", ")
                )),
            )
        };
        crate::explain::shown(paths)
            .into_iter()
            .map(|p| {
                let s = if read {
                    Subject::Read(p)
                } else {
                    Subject::Edit(p)
                };
                one(lvl, s, note.clone())
            })
            .collect()
    };
    match &rule.body {
        RuleBody::PathDeny {
            ops,
            paths,
            except,
            only_mixed,
            only_commit,
        } => {
            if *only_mixed {
                return Err("it depends on the other changes of the plan".into());
            }
            if *only_commit {
                return Err("it is about what a commit includes, not one edit".into());
            }
            if !ops.contains(&WriteOp::Modify) && !ops.contains(&WriteOp::Add) {
                return Err(
                    "files are deleted or renamed by shell commands, which a permission pattern cannot match by path"
                        .into(),
                );
            }
            Ok(files(paths, except, false))
        }
        RuleBody::ReadDeny { paths, except } => Ok(files(paths, except, true)),
        RuleBody::Generated { paths, generators } => {
            let note = generators
                .first()
                .map(|g| format!("regenerate with `{}` instead", g.text));
            Ok(crate::explain::shown(paths)
                .into_iter()
                .map(|p| one(level(rule.decision), Subject::Edit(p), note.clone()))
                .collect())
        }
        RuleBody::ReviewRequirement { paths, reviewer } => Ok(crate::explain::shown(paths)
            .into_iter()
            .map(|p| {
                one(
                    Level::Ask,
                    Subject::Edit(p),
                    Some(format!("any user's approval, not specifically `{reviewer}`'s")),
                )
            })
            .collect()),
        RuleBody::CommandDeny { commands, except } => {
            let mut out = Vec::new();
            for c in commands {
                let (tokens, note) = command_tokens(c)?;
                let mut note = note;
                if !except.is_empty() {
                    note = Some(format!(
                        "asks instead of denying: the exception {} cannot be expressed",
                        except
                            .iter()
                            .map(|e| format!("`{}`", e.text))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                let lvl = if except.is_empty() {
                    level(rule.decision)
                } else {
                    Level::Ask
                };
                out.push(one(lvl, Subject::Command(tokens), note));
            }
            Ok(out)
        }
        RuleBody::ActionDeny {
            action,
            target,
            environment,
        } => {
            if let Some(t) = target {
                return Err(format!(
                    "it applies only towards `{t}`, which a command prefix cannot tell"
                ));
            }
            if let Some(e) = environment {
                return Err(format!(
                    "it applies only to `{e}`, and deployments and secrets are reached by too many commands to list"
                ));
            }
            let prefixes = action_commands(*action).ok_or_else(|| {
                format!(
                    "the `{}` action has no command prefix that names it",
                    action.name()
                )
            })?;
            Ok(prefixes
                .into_iter()
                .map(|t| {
                    one(
                        level(rule.decision),
                        Subject::Command(t),
                        Some("prefix only: agentgate also catches reordered and wrapped spellings".into()),
                    )
                })
                .collect())
        }
        RuleBody::RequiredCheck { .. } => Err(
            "an obligation over the session (a check that must have passed), judged when committing or opening a pull request"
                .into(),
        ),
        RuleBody::RequiredRead { .. } => {
            Err("an obligation over the session (a file read first), not a single call".into())
        }
        RuleBody::RequiredFlag { .. } => Err(
            "it requires a flag anywhere in the command; a prefix pattern can only forbid".into(),
        ),
        RuleBody::CoChange { .. } => {
            Err("it needs a companion change in the same plan, which no single call shows".into())
        }
        RuleBody::RiskClass { .. } => {
            Err("a risk class only feeds risk gates; it decides nothing by itself".into())
        }
        RuleBody::RiskGate { .. } => {
            Err("a risk gate needs a review or passing checks over the whole plan".into())
        }
        RuleBody::Bound { .. } => Err("a bound counts over the whole plan".into()),
        RuleBody::Message { .. } => {
            Err("a message rule reads the text a command writes, which permissions cannot".into())
        }
    }
}

/// The literal prefix of a command pattern.
fn command_tokens(c: &CommandPattern) -> Result<(Vec<Token>, Option<String>), String> {
    if c.program.is_empty() || c.program.starts_with('@') {
        return Err(format!(
            "`{}` names a class of commands, not a program",
            c.text
        ));
    }
    if !c.env.is_empty() || c.fragment.is_some() {
        return Err(format!(
            "`{}` depends on an environment variable or an argument fragment",
            c.text
        ));
    }
    let mut tokens = vec![vec![c.program.clone()]];
    let mut note = None;
    for w in &c.words {
        match w {
            PatWord::Lit(l) => tokens.push(vec![l.clone()]),
            PatWord::Any => {
                note = Some(format!(
                    "the prefix stops at the placeholder of `{}`",
                    c.text
                ));
                break;
            }
        }
    }
    if note.is_none() {
        for f in &c.flags {
            tokens.push(vec![f.clone()]);
        }
        if !c.flags.is_empty() {
            note = Some("prefix only: the flags must come right after the command".into());
        }
    }
    Ok((tokens, note))
}

fn toks(words: &[&[&str]]) -> Vec<Token> {
    words
        .iter()
        .map(|alts| alts.iter().map(|s| s.to_string()).collect())
        .collect()
}

/// The commands that take a well-known action, as prefixes.
fn action_commands(a: Action) -> Option<Vec<Vec<Token>>> {
    let git = |rest: &[&[&str]]| {
        let mut w: Vec<&[&str]> = vec![&["git"]];
        w.extend_from_slice(rest);
        toks(&w)
    };
    Some(match a {
        Action::ForcePush => vec![git(&[&["push"], &["-f", "--force", "--force-with-lease"]])],
        Action::SkipHooks => vec![git(&[&["commit", "push", "merge"], &["--no-verify"]])],
        Action::Amend => vec![git(&[&["commit"], &["--amend"]])],
        Action::Commit => vec![git(&[&["commit"]])],
        Action::Push => vec![git(&[&["push"]])],
        Action::Rebase => vec![git(&[&["rebase"]])],
        Action::Merge => vec![git(&[&["merge"]])],
        Action::Tag => vec![git(&[&["tag"]])],
        Action::Branch => vec![git(&[&["branch"]])],
        Action::SwitchBranch => vec![git(&[&["checkout", "switch"]])],
        Action::Worktree => vec![git(&[&["worktree"]])],
        Action::Revert => vec![git(&[&["revert"]])],
        Action::RewriteHistory => vec![git(&[&["filter-branch", "filter-repo"]])],
        Action::PullRequest => vec![toks(&[&["gh"], &["pr"], &["create"]])],
        Action::Issue => vec![toks(&[&["gh"], &["issue"], &["create"]])],
        Action::Publish => vec![toks(&[&["cargo", "npm"], &["publish"]])],
        Action::Dependency => vec![
            toks(&[&["cargo"], &["add"]]),
            toks(&[&["npm"], &["install", "i"]]),
            toks(&[&["pnpm", "yarn"], &["add"]]),
            toks(&[&["pip", "pip3"], &["install"]]),
            toks(&[&["uv"], &["add"]]),
            toks(&[&["go"], &["get"]]),
        ],
        Action::Comment => vec![
            toks(&[&["gh"], &["pr", "issue"], &["comment"]]),
            toks(&[&["gh"], &["pr"], &["review"]]),
        ],
        Action::Stash => vec![git(&[&["stash"]])],
        Action::EditPullRequest => vec![toks(&[&["gh"], &["pr"], &["edit", "close"]])],
        Action::Deploy
        | Action::Secret
        | Action::Background
        | Action::ReadyPullRequest
        | Action::Discard => return None,
    })
}

/// Every spelling of a prefix: the product of its alternatives.
pub fn spellings(tokens: &[Token]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for alts in tokens {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                alts.iter().map(move |a| {
                    let mut p = prefix.clone();
                    p.push(a.clone());
                    p
                })
            })
            .collect();
    }
    out
}

/// The rule's id, origin and sentence in one line, for comments and justifications.
pub fn cite(rule: &Rule) -> String {
    format!(
        "{} ({}:{}): {}",
        rule.id, rule.origin.file, rule.origin.line, rule.origin.text
    )
}

/// The comment block listing what a file does not enforce, `#`-prefixed.
fn unprojected_comment(unprojected: &[Unprojected]) -> String {
    let mut s = String::new();
    if unprojected.is_empty() {
        return s;
    }
    s.push_str(&format!(
        "#\n# Not projected ({} rules): agentgate still enforces these through `agentgate hook`,\n# `agentgate mcp` and `agentgate check`.\n",
        unprojected.len()
    ));
    for u in unprojected {
        s.push_str(&format!(
            "#   {} ({}, {}): {}\n#     {}\n",
            u.rule,
            u.kind,
            u.origin,
            one_line(&u.sentence),
            u.reason
        ));
    }
    s
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A string literal for TOML basic strings and Starlark (JSON escaping is valid in both).
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}
