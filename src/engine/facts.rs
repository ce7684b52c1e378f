//! A plan → the facts rules are checked against: every write, delete, read, program run and
//! well-known action, whether declared in the plan or done by one of its commands.

use std::path::Path;

use crate::changeset::{self, ActionKind, CheckStatus, Op, Plan};
use crate::command::{self, EffectKind, Invocation};
use crate::engine::EngineError;
use crate::ir::{Action, WriteOp};

/// A file the plan writes.
#[derive(Debug, Clone)]
pub struct WriteFact {
    pub path: String,
    pub op: WriteOp,
    /// Lines added + removed, when declared.
    pub lines: u64,
    /// Lines added, when declared.
    pub added: u64,
    /// Where it comes from: `changes[2]` or `commands[0]: rm -rf x`.
    pub subject: String,
    pub plan_line: Option<usize>,
    /// The command index that does it (None for declared changes).
    pub command: Option<usize>,
}

/// A program run by the plan (after peeling wrappers).
#[derive(Debug, Clone)]
pub struct RunFact {
    pub inv: Invocation,
    /// Index in `plan.commands`.
    pub command: usize,
    /// Position among every program the plan runs, in order (`a && b` in one command: 0, 1).
    pub seq: usize,
    pub text: String,
    pub plan_line: Option<usize>,
}

/// A well-known action the plan takes.
#[derive(Debug, Clone)]
pub struct ActionFact {
    pub action: Action,
    /// Branch, base or remote/branch it is aimed at.
    pub target: Option<String>,
    pub environment: Option<String>,
    pub command: Option<usize>,
    /// Position of the program that takes it (see `RunFact::seq`); None when only declared.
    pub seq: Option<usize>,
    pub subject: String,
    pub plan_line: Option<usize>,
    /// A draft pull request (`gh pr create --draft`).
    pub draft: bool,
    /// What the action writes for people (message, title, body, branch name), when shown.
    pub text: Option<super::text::ActionText>,
}

/// Everything a plan does.
#[derive(Debug, Default)]
pub struct Facts {
    pub writes: Vec<WriteFact>,
    pub reads: Vec<(String, String, Option<usize>)>,
    /// Every commit the plan makes is empty (`git commit --allow-empty`) and it changes
    /// nothing: checks of code are not due.
    pub nothing_committed: bool,
    /// The plan lists what it read (`reads`), so a read it lacks is observed.
    pub reads_listed: bool,
    pub runs: Vec<RunFact>,
    pub actions: Vec<ActionFact>,
    /// Passed and failed checks from evidence, with their invocations.
    pub passed: Vec<Vec<Invocation>>,
    pub failed: Vec<String>,
    pub approvals: Vec<(String, Option<String>)>,
    pub role: Option<String>,
    pub opaque: Vec<(String, String)>,
    /// Writes and reads of paths outside the repository (`~/.bashrc`, `/tmp/x`): only rules
    /// about such paths see them; nothing else (triggers, bounds, companions) counts them.
    pub outside_writes: Vec<WriteFact>,
    pub outside_reads: Vec<(String, String, Option<usize>)>,
    /// Paths `git add` stages by name (`git add -f .env.local`), with the subject: what a
    /// commit-only path rule ("never commit `.env.local`") sees besides the declared changes.
    pub staged: Vec<(String, String, Option<usize>)>,
}

impl Facts {
    pub fn has_action(&self, a: Action) -> bool {
        self.actions.iter().any(|f| f.action == a)
    }
    /// Whether the plan declares its work to be neither a feature nor a fix: it titles a commit
    /// or pull request, and every such title opens with another kind of work (`chore:`,
    /// `docs(x):`, `release:`, `Bump …`).
    pub fn other_work(&self) -> bool {
        let titles: Vec<&str> = self
            .actions
            .iter()
            .filter(|a| matches!(a.action, Action::Commit | Action::PullRequest))
            .filter_map(|a| a.text.as_ref().and_then(|t| t.title.as_deref()))
            .collect();
        !titles.is_empty() && titles.iter().all(|t| other_work_title(t))
    }
    /// Whether the plan declares a bug fix: a commit or pull request title opening with `fix:`,
    /// `fix(x):`, `bugfix:`, `hotfix:` or the word "Fix"/"Fixes", or a pushed branch named
    /// `fix/…`, `bugfix/…`, `hotfix/…`.
    pub fn fix_work(&self) -> bool {
        self.actions.iter().any(|a| match a.action {
            Action::Commit | Action::PullRequest => a
                .text
                .as_ref()
                .and_then(|t| t.title.as_deref())
                .is_some_and(fix_title),
            // `origin/fix/email-validator` (remote/branch) or a declared `fix/x`.
            Action::Push => a.target.as_deref().is_some_and(|t| {
                let t = t.to_lowercase();
                let branch = t.split_once('/').map_or(t.as_str(), |(_, b)| b);
                [t.as_str(), branch].iter().any(|b| {
                    ["fix/", "fix-", "bugfix/", "hotfix/"]
                        .iter()
                        .any(|p| b.starts_with(p))
                })
            }),
            _ => false,
        })
    }
    /// Position (`RunFact::seq`) of the first program taking the action (None when only declared).
    pub fn first_command_of(&self, a: Action) -> Option<usize> {
        self.actions
            .iter()
            .filter(|f| f.action == a)
            .filter_map(|f| f.seq)
            .min()
    }
}

/// A title that declares work other than a feature or a fix: a Conventional Commits type such as
/// `chore`, `docs`, `ci`, `build`, `release`, `style`, `test`, `refactor`, `revert`, or a first
/// word such as "Bump", "Release".
fn other_work_title(title: &str) -> bool {
    const TYPES: &[&str] = &[
        "chore", "docs", "doc", "ci", "build", "release", "style", "test", "tests", "refactor",
        "revert", "deps", "bump",
    ];
    let t = title.trim().to_lowercase();
    let head: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let rest = &t[head.len()..];
    let typed = rest.starts_with(':') || rest.starts_with('(') || rest.starts_with("!:");
    TYPES.contains(&head.as_str())
        && (typed || matches!(head.as_str(), "bump" | "release" | "revert"))
}

/// A title that declares a bug fix: `fix: …`, `fix(parser)!: …`, `bugfix: …`, "Fix crash when
/// …", "Fixes #12".
fn fix_title(title: &str) -> bool {
    let t = title.trim().to_lowercase();
    let head: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let rest = &t[head.len()..];
    match head.as_str() {
        "fix" | "bugfix" | "hotfix" => {
            rest.starts_with(':')
                || rest.starts_with('(')
                || rest.starts_with("!:")
                || rest.starts_with(' ')
        }
        "fixes" | "fixed" => rest.starts_with(' '),
        _ => false,
    }
}

/// Gather the facts of a plan.
pub fn gather(plan: &Plan, root: &Path) -> Result<Facts, EngineError> {
    gather_with(plan, root, &[])
}

/// Gather the facts of a plan, expanding the glob words of its commands against the tree at
/// `root` and probes made from `policy_globs` (see [`super::expand`]).
pub fn gather_with(plan: &Plan, root: &Path, policy_globs: &[&str]) -> Result<Facts, EngineError> {
    let mut expander = super::expand::Expander::new(root, policy_globs);
    let mut f = Facts {
        role: plan.agent.role.clone(),
        ..Facts::default()
    };
    f.writes.reserve(plan.changes.len());
    for (i, c) in plan.changes.iter().enumerate() {
        let subject = format!("changes[{i}]");
        let lines = c.lines_changed();
        let op = match c.op {
            Op::Add | Op::Copy => WriteOp::Add,
            Op::Modify => WriteOp::Modify,
            Op::Delete => WriteOp::Delete,
            Op::Rename => WriteOp::Rename,
        };
        match (c.op, &c.from) {
            (Op::Rename, Some(from)) => {
                let from_subject = format!("{subject}.from");
                push_write(&mut f, &c.path, op, lines, subject, c.line, None);
                push_write(
                    &mut f,
                    from,
                    WriteOp::Rename,
                    0,
                    from_subject.clone(),
                    c.line,
                    None,
                );
                push_write(&mut f, from, WriteOp::Delete, 0, from_subject, c.line, None);
            }
            (Op::Copy, Some(from)) => {
                let from_subject = format!("{subject}.from");
                push_write(&mut f, &c.path, op, lines, subject, c.line, None);
                f.reads.push((from.clone(), from_subject, c.line));
            }
            _ => push_write(&mut f, &c.path, op, lines, subject, c.line, None),
        }
        // The declared change itself is the first write it made.
        if let Some(w) = f
            .writes
            .iter_mut()
            .rev()
            .find(|w| w.subject == format!("changes[{i}]"))
        {
            w.added = c.added;
        }
    }
    f.reads_listed = plan.reads_listed;
    for (i, r) in plan.reads.iter().enumerate() {
        f.reads
            .push((r.path.clone(), format!("reads[{i}]"), r.line));
    }
    for a in &plan.actions {
        let action = match a.kind {
            ActionKind::Deploy => Action::Deploy,
            ActionKind::Secret => Action::Secret,
            ActionKind::Publish => Action::Publish,
            ActionKind::PullRequest => Action::PullRequest,
            ActionKind::Issue => Action::Issue,
            ActionKind::Dependency => Action::Dependency,
        };
        f.actions.push(ActionFact {
            action,
            target: a.target.clone(),
            environment: a.environment.clone(),
            command: None,
            seq: None,
            subject: format!("actions: {}", action.name()),
            plan_line: a.line,
            draft: false,
            text: None,
        });
    }
    if plan.commit {
        f.actions.push(ActionFact {
            action: Action::Commit,
            target: None,
            environment: None,
            command: None,
            seq: None,
            subject: "the commit".into(),
            plan_line: None,
            draft: false,
            text: None,
        });
    }
    let (mut commits, mut empty_commits) = (0, 0);
    let mut branch: Option<String> = None;
    let mut seq = 0;
    for (i, c) in plan.commands.iter().enumerate() {
        let analysis = command::analyze(&c.run).map_err(|e| EngineError::Command {
            index: i,
            source: e,
        })?;
        for reason in &analysis.opaque {
            f.opaque.push((format!("commands[{i}]"), reason.clone()));
        }
        for (e, path) in expanded(&analysis, root, &mut expander) {
            let subject = format!("commands[{i}]: {}", c.run);
            match e.kind {
                EffectKind::Write => {
                    push_write(&mut f, &path, WriteOp::Modify, 0, subject, c.line, Some(i))
                }
                EffectKind::Delete => {
                    // `mv a b`, `git mv a b`: the source is moved, not deleted.
                    let moved = e
                        .invocation
                        .and_then(|k| analysis.invocations.get(k))
                        .is_some_and(|inv| {
                            inv.program == "mv"
                                || inv.program == "git"
                                    && inv
                                        .args
                                        .iter()
                                        .find(|a| !a.starts_with('-'))
                                        .is_some_and(|a| a == "mv")
                        });
                    let op = if moved {
                        WriteOp::Rename
                    } else {
                        WriteOp::Delete
                    };
                    push_write(&mut f, &path, op, 0, subject, c.line, Some(i))
                }
                EffectKind::Read => f.reads.push((path, subject, c.line)),
            }
        }
        for inv in &analysis.invocations {
            for (action, target, env) in actions_of(inv, &mut branch) {
                let text = super::text::of(action, inv, target.as_deref());
                f.actions.push(ActionFact {
                    action,
                    target,
                    environment: env,
                    command: Some(i),
                    seq: Some(seq),
                    subject: format!("commands[{i}]: {}", c.run),
                    plan_line: c.line,
                    draft: action == Action::PullRequest
                        && inv.args.iter().any(|a| a == "--draft" || a == "-d"),
                    text,
                });
            }
            // `git add [-f] <paths>`: what the commit will hold (pathspecs like `-A` or `.`
            // name no file; the declared changes stand for them).
            if inv.program == "git" && inv.args.first().is_some_and(|a| a == "add") {
                for a in inv.args[1..]
                    .iter()
                    .filter(|a| !a.starts_with('-') && *a != ".")
                {
                    let base = inv.cwd.as_deref().unwrap_or("");
                    let joined = if base.is_empty() {
                        a.clone()
                    } else {
                        format!("{base}/{a}")
                    };
                    if let Some(p) = in_repo(root, &joined) {
                        f.staged
                            .push((p, format!("commands[{i}]: {}", c.run), c.line));
                    }
                }
            }
            if inv.program == "git" && inv.args.first().is_some_and(|a| a == "commit") {
                commits += 1;
                // `--allow-empty` without `-a`: nothing the plan names is committed (what was
                // staged before it is the plan's claim, like its `changes`).
                let all = inv.args.iter().any(|a| {
                    a == "--all" || a.starts_with('-') && !a.starts_with("--") && a.contains('a')
                });
                if inv.args.iter().any(|a| a == "--allow-empty") && !all {
                    empty_commits += 1;
                }
            }
            f.runs.push(RunFact {
                inv: inv.clone(),
                command: i,
                seq,
                text: c.run.clone(),
                plan_line: c.line,
            });
            seq += 1;
        }
    }
    // `git commit --allow-empty` in a plan that changes nothing: no code is committed.
    f.nothing_committed = commits > 0
        && commits == empty_commits
        && f.writes.is_empty()
        && f.staged.is_empty()
        && !plan.commit;
    // A declared pull-request action is the one its command opens: a draft when that is.
    let from_cmds: Vec<bool> = f
        .actions
        .iter()
        .filter(|a| a.action == Action::PullRequest && a.command.is_some())
        .map(|a| a.draft)
        .collect();
    if !from_cmds.is_empty() && from_cmds.iter().all(|d| *d) {
        for a in f
            .actions
            .iter_mut()
            .filter(|a| a.action == Action::PullRequest && a.command.is_none())
        {
            a.draft = true;
        }
    }
    // A declared pull request that no command shows to be a draft is a ready one.
    let declared_ready: Vec<ActionFact> = f
        .actions
        .iter()
        .filter(|a| a.action == Action::PullRequest && a.command.is_none() && !a.draft)
        .map(|a| ActionFact {
            action: Action::ReadyPullRequest,
            ..a.clone()
        })
        .collect();
    if from_cmds.is_empty() {
        f.actions.extend(declared_ready);
    }
    let (outside, inside): (Vec<WriteFact>, Vec<WriteFact>) = std::mem::take(&mut f.writes)
        .into_iter()
        .partition(|w| changeset::is_outside(&w.path));
    f.writes = inside;
    f.outside_writes = outside;
    let (outside, inside): (Vec<_>, Vec<_>) = std::mem::take(&mut f.reads)
        .into_iter()
        .partition(|(p, _, _)| changeset::is_outside(p));
    f.reads = inside;
    f.outside_reads = outside;
    for check in &plan.evidence.checks {
        let invs = command::analyze(&check.command)
            .map(|a| a.invocations)
            .unwrap_or_default();
        match check.status {
            CheckStatus::Passed => f.passed.push(invs),
            CheckStatus::Failed => f.failed.push(check.command.clone()),
        }
    }
    for a in &plan.evidence.approvals {
        f.approvals.push((a.by.clone(), a.rule.clone()));
    }
    Ok(f)
}

fn push_write(
    f: &mut Facts,
    path: &str,
    op: WriteOp,
    lines: u64,
    subject: String,
    line: Option<usize>,
    command: Option<usize>,
) {
    f.writes.push(WriteFact {
        path: path.to_string(),
        op,
        lines,
        added: 0,
        subject,
        plan_line: line,
        command,
    });
}

/// The effects of a command with the paths the shell would give them: braces and globs
/// expanded, and a copy or move into a folder (`cp x docs/SSOT`) also writing the file it puts
/// there (`docs/SSOT/x`).
fn expanded<'a>(
    analysis: &'a command::Analysis,
    root: &Path,
    expander: &mut super::expand::Expander,
) -> Vec<(&'a command::FileEffect, String)> {
    const INTO_FOLDER: &[&str] = &["cp", "mv", "ln", "install", "rsync"];
    let mut out = Vec::new();
    for e in &analysis.effects {
        for word in super::expand::braces(&e.path) {
            let Some(located) = in_repo(root, &word) else {
                continue;
            };
            for path in expander.expand(&located) {
                let into = e.kind == EffectKind::Write
                    && e.invocation
                        .and_then(|k| analysis.invocations.get(k))
                        .is_some_and(|inv| INTO_FOLDER.contains(&inv.program.as_str()))
                    && !path.is_empty()
                    && !path.starts_with(['/', '~'])
                    && expander.is_dir(&path);
                // `git checkout REV docs/SSOT`: a folder checked out is every file under it.
                let whole_folder = e.kind == EffectKind::Write
                    && e.invocation
                        .and_then(|k| analysis.invocations.get(k))
                        .is_some_and(|inv| inv.program == "git")
                    && !path.starts_with(['/', '~'])
                    && (path.is_empty() || expander.is_dir(&path));
                if whole_folder {
                    let under = if path.is_empty() {
                        "**".to_string()
                    } else {
                        format!("{path}/**")
                    };
                    for p in expander.expand(&under) {
                        if p != under {
                            out.push((e, p));
                        }
                    }
                }
                if into {
                    // The sources' names, from the same command's other effects (`ln` reads
                    // none: its operands before the last).
                    let mut sources: Vec<&str> = analysis
                        .effects
                        .iter()
                        .filter(|s| s.invocation == e.invocation && s.kind != EffectKind::Write)
                        .map(|s| s.path.as_str())
                        .collect();
                    if sources.is_empty() {
                        if let Some(inv) = e.invocation.and_then(|k| analysis.invocations.get(k)) {
                            let operands: Vec<&str> = inv
                                .args
                                .iter()
                                .map(String::as_str)
                                .filter(|a| !a.starts_with('-'))
                                .collect();
                            sources = operands[..operands.len().saturating_sub(1)].to_vec();
                        }
                    }
                    let names: Vec<String> = sources
                        .iter()
                        .filter_map(|s| s.trim_end_matches('/').rsplit('/').next())
                        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
                        .map(|n| format!("{path}/{n}"))
                        .collect();
                    for n in names {
                        out.push((e, n));
                    }
                }
                out.push((e, path));
            }
        }
    }
    out
}

/// A path from a command, relative to the repository or outside it (`~/x`, `/tmp/x`); None
/// when it cannot be read as a path.
fn in_repo(root: &Path, p: &str) -> Option<String> {
    changeset::locate(root, p).ok()
}

/// Actions a single program run takes. `branch` tracks `git switch`/`checkout` for commit targets.
fn actions_of(
    inv: &Invocation,
    branch: &mut Option<String>,
) -> Vec<(Action, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    let prog = inv.program.as_str();
    let args = &inv.args;
    let pos = crate::engine::matchers::positionals(prog, args);
    let sub = pos.first().map(String::as_str).unwrap_or("");
    // (git also takes an unambiguous prefix of a long option: `--no-verif`, `--force-w`.)
    let has = |f: &str| {
        args.iter()
            .any(|a| a == f || a.starts_with(&format!("{f}=")))
            || prog == "git" && super::matchers::git_option_prefix(args, f)
    };
    let short = |c: char| {
        args.iter()
            .any(|a| a.starts_with('-') && !a.starts_with("--") && a[1..].contains(c))
    };
    if inv.background {
        out.push((Action::Background, None, None));
    }
    match prog {
        "git" => {
            // Configuration keys are case-insensitive (`-c Core.HooksPath=`).
            let hooks_off = args
                .iter()
                .any(|a| a.to_ascii_lowercase().starts_with("core.hookspath"));
            // `-c remote.origin.push=+refs/heads/main:…`: a forced refspec set for this push.
            let forced_refspec = args.iter().any(|a| {
                let a = a.to_ascii_lowercase();
                a.starts_with("remote.") && a.contains(".push=+")
            });
            match sub {
                "push" => {
                    let force = has("--force")
                        || has("--force-with-lease")
                        || has("--force-if-includes")
                        || short('f')
                        || pos.iter().skip(1).any(|p| p.starts_with('+'))
                        || has("--mirror")
                        || forced_refspec;
                    let target = push_target(&pos[1..]);
                    out.push((Action::Push, target.clone(), None));
                    if force {
                        out.push((Action::ForcePush, target.clone(), None));
                        out.push((Action::RewriteHistory, target, None));
                    }
                    if has("--no-verify") || hooks_off {
                        out.push((Action::SkipHooks, None, None));
                    }
                    if has("--delete")
                        || short('d')
                        || pos.iter().skip(1).any(|p| p.starts_with(':'))
                    {
                        out.push((Action::RewriteHistory, None, None));
                    }
                }
                // `git send-pack --force REMOTE REFS`: the plumbing under `git push`.
                "send-pack" => {
                    let target = push_target(&pos[1..]);
                    out.push((Action::Push, target.clone(), None));
                    if has("--force") || pos.iter().skip(1).any(|p| p.starts_with('+')) {
                        out.push((Action::ForcePush, target, None));
                    }
                }
                "commit" => {
                    out.push((Action::Commit, branch.clone(), None));
                    if has("--amend") {
                        out.push((Action::Amend, None, None));
                        out.push((Action::RewriteHistory, None, None));
                    }
                    if has("--no-verify") || short('n') || hooks_off {
                        out.push((Action::SkipHooks, None, None));
                    }
                }
                "rebase" => {
                    out.push((Action::Rebase, None, None));
                    out.push((Action::RewriteHistory, None, None));
                }
                "pull" if has("--rebase") || short('r') => {
                    out.push((Action::Rebase, None, None));
                    out.push((Action::RewriteHistory, None, None));
                }
                "reset" if has("--hard") => {
                    out.push((Action::RewriteHistory, None, None));
                    out.push((Action::Discard, None, None));
                }
                "restore" if !has("--staged") && !short('S') || has("--worktree") || short('W') => {
                    out.push((Action::Discard, None, None))
                }
                "clean" if has("--force") || short('f') => out.push((Action::Discard, None, None)),
                "stash" => match pos.get(1).map(String::as_str) {
                    Some("drop" | "clear") => out.push((Action::Discard, None, None)),
                    None | Some("push" | "save") => out.push((Action::Stash, None, None)),
                    _ => {}
                },
                "filter-branch" | "filter-repo" => out.push((Action::RewriteHistory, None, None)),
                "merge" => out.push((Action::Merge, branch.clone(), None)),
                "tag" if pos.len() > 1 && !has("--list") && !short('l') && !short('d') => {
                    out.push((Action::Tag, pos.get(1).cloned(), None))
                }
                "revert" => out.push((Action::Revert, None, None)),
                "worktree"
                    if matches!(
                        pos.get(1).map(String::as_str),
                        Some("add" | "move" | "remove" | "prune")
                    ) =>
                {
                    out.push((Action::Worktree, None, None))
                }
                "switch" | "checkout" => {
                    let create = has("-c")
                        || has("-C")
                        || has("-b")
                        || has("-B")
                        || has("--create")
                        || has("--orphan");
                    let paths = args.iter().any(|a| a == "--");
                    // `git checkout -- x`, `git checkout .`, `git checkout HEAD -- x`: files put
                    // back as committed, their local changes thrown away.
                    if sub == "checkout"
                        && (paths
                            || pos
                                .get(1)
                                .is_some_and(|p| p == "." || p.contains('/') && p.contains('.')))
                    {
                        out.push((Action::Discard, None, None));
                    }
                    if !paths {
                        // `git switch -c x` creates a branch; `git switch x` switches to one.
                        let created =
                            value_of(args, &["-c", "-C", "-b", "-B", "--create", "--orphan"]);
                        if let Some(b) =
                            created.or_else(|| pos.get(1).filter(|b| !b.contains('.')).cloned())
                        {
                            *branch = Some(b.trim_start_matches("origin/").to_string());
                            // Creating a branch with `-b`/`-c` also switches to it.
                            if create {
                                out.push((Action::Branch, Some(b.clone()), None));
                            }
                            out.push((Action::SwitchBranch, Some(b), None));
                        }
                    }
                }
                "branch"
                    if pos.len() > 1
                        && !has("--list")
                        && !has("--show-current")
                        && !short('l')
                        && !short('d')
                        && !short('D') =>
                {
                    out.push((Action::Branch, pos.get(1).cloned(), None));
                }
                _ => {}
            }
        }
        "gh" | "hub" | "glab" => {
            let obj = sub;
            let verb = pos.get(1).map(String::as_str).unwrap_or("");
            let base = value_of(args, &["--base", "-B", "--target-branch", "-b"]);
            match (obj, verb) {
                ("pr" | "mr", "create" | "ready" | "new") | ("pull-request", _) => {
                    // Opened as a draft, or marked ready: a ready pull request too.
                    if verb == "ready" || !(has("--draft") || short('d')) {
                        out.push((Action::ReadyPullRequest, base.clone(), None));
                    }
                    out.push((Action::PullRequest, base, None))
                }
                ("pr" | "mr" | "issue", "comment" | "review" | "note") => {
                    out.push((Action::Comment, None, None))
                }
                ("pr" | "mr", "merge") => out.push((Action::Merge, base, None)),
                ("pr" | "mr", "edit" | "close" | "update") => {
                    out.push((Action::EditPullRequest, None, None))
                }
                ("issue", "create" | "new") => out.push((Action::Issue, None, None)),
                ("release", "create") => out.push((Action::Publish, None, None)),
                ("secret", _) => out.push((Action::Secret, None, None)),
                _ => {}
            }
        }
        _ => {}
    }
    // `--dry-run`: nothing is published, deployed or pushed.
    if has("--dry-run") {
        out.retain(|(a, _, _)| {
            !matches!(
                a,
                Action::Push | Action::ForcePush | Action::RewriteHistory | Action::Publish
            )
        });
        return out;
    }
    let canon = crate::vocab::get().canonical_program(prog);
    match (canon, sub) {
        ("cargo", "publish")
        | ("npm", "publish")
        | ("twine", "upload")
        | ("poetry", "publish")
        | ("uv", "publish")
        | ("gem", "push") => out.push((Action::Publish, None, None)),
        ("cargo" | "uv" | "poetry" | "npm", "add") | ("go", "get") => {
            out.push((Action::Dependency, None, None))
        }
        ("npm", "install" | "i") | ("pip", "install") if pos.len() > 1 => {
            out.push((Action::Dependency, None, None))
        }
        _ => {}
    }
    // `kubectl get deploy`, `helm status deploy`: a read names deployments, it deploys nothing.
    let reads = matches!(
        sub,
        "get"
            | "describe"
            | "logs"
            | "list"
            | "ls"
            | "show"
            | "status"
            | "view"
            | "explain"
            | "diff"
            | "top"
            | "history"
            | "inspect"
            | "events"
    );
    if !reads
        && pos
            .iter()
            .any(|p| p == "deploy" || p.starts_with("deploy:"))
        || matches!(prog, "vercel" | "netlify" | "flyctl" | "fly" | "heroku")
            && (sub == "deploy" || has("--prod"))
    {
        let env = if has("--prod")
            || has("--production")
            || pos.iter().any(|p| p == "production" || p == "prod")
        {
            Some("production".to_string())
        } else {
            value_of(args, &["--env", "--environment", "-e", "--stage"])
        };
        out.push((Action::Deploy, None, env));
    }
    if matches!((prog, sub), ("vault", "read" | "kv") | ("kubectl", "get") if pos.iter().any(|p| p.starts_with("secret")))
        || (prog == "aws" && sub == "secretsmanager")
    {
        out.push((Action::Secret, None, None));
    }
    out
}

/// `git push [remote] [refspec]` → `remote/branch` (or `branch`).
fn push_target(pos: &[String]) -> Option<String> {
    let remote = pos.first()?;
    let refspec = pos.get(1);
    match refspec {
        Some(r) => {
            let r = r.trim_start_matches('+');
            let dest = r
                .rsplit(':')
                .next()
                .unwrap_or(r)
                .trim_start_matches("refs/heads/");
            Some(format!("{remote}/{dest}"))
        }
        None => Some(remote.clone()),
    }
}

fn value_of(args: &[String], names: &[&str]) -> Option<String> {
    for (i, a) in args.iter().enumerate() {
        for n in names {
            if a == n {
                return args.get(i + 1).cloned();
            }
            if let Some(v) = a.strip_prefix(&format!("{n}=")) {
                return Some(v.to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{fix_title, other_work_title};

    #[test]
    fn titles_that_declare_a_fix() {
        for t in [
            "fix: handle empty input",
            "fix(parser)!: drop x",
            "Fix crash on start",
            "Fixes #12",
            "bugfix: y",
            "hotfix(api): z",
        ] {
            assert!(fix_title(t), "{t}");
        }
        for t in [
            "feat: add x",
            "fixture: update",
            "Fixup typo",
            "docs: fix link",
            "Prefix names",
            "fix",
        ] {
            assert!(!fix_title(t), "{t}");
        }
    }

    #[test]
    fn titles_that_declare_other_work() {
        for t in [
            "chore: bump deps",
            "docs(readme): typo",
            "Bump serde to 1.0.200",
            "release: v2",
        ] {
            assert!(other_work_title(t), "{t}");
        }
        for t in [
            "fix: x",
            "feat(cli): y",
            "Add a flag",
            "documentation update",
        ] {
            assert!(!other_work_title(t), "{t}");
        }
    }
}
