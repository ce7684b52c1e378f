//! The typed policy IR: plain data, serde-serialisable, no I/O.
//!
//! Every rule carries its origin (file, line, byte span, the statement's text) so each finding
//! can point back at the sentence it enforces.

use serde::{Deserialize, Serialize};

/// How strongly a rule is stated: must/never give errors, should/avoid give warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// What a violated rule means for the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Allow,
    Ask,
    Deny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Ask => "ask",
            Decision::Deny => "deny",
        }
    }
}

/// Where a rule came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Repository-relative path of the markdown file (`builtin` for built-in rules).
    pub file: String,
    /// 1-based first line of the statement.
    pub line: usize,
    /// Byte span `[start, end)` of the statement in the file.
    pub span: (usize, usize),
    /// The statement as written (inline markup removed, wrapped lines joined).
    pub text: String,
}

/// A kind of file operation a path rule can forbid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WriteOp {
    Add,
    Modify,
    Delete,
    Rename,
}

impl WriteOp {
    pub const ALL: [WriteOp; 4] = [
        WriteOp::Add,
        WriteOp::Modify,
        WriteOp::Delete,
        WriteOp::Rename,
    ];
}

/// Well-known actions, whatever their spelling as commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Commit,
    Push,
    ForcePush,
    Amend,
    Rebase,
    SkipHooks,
    Merge,
    Tag,
    Branch,
    SwitchBranch,
    Worktree,
    Revert,
    RewriteHistory,
    PullRequest,
    Issue,
    Deploy,
    Secret,
    Publish,
    Dependency,
    Background,
    /// A comment on a pull request or issue (`gh pr comment`, `gh issue comment`, `gh pr review`).
    Comment,
    /// A pull request that is not a draft: opened without `--draft`, or marked ready.
    ReadyPullRequest,
    /// Local changes thrown away: `git checkout -- x`, `git restore x`, `git reset --hard`,
    /// `git clean -f`, `git stash drop`.
    Discard,
    /// Local changes put aside: `git stash`.
    Stash,
    /// An open pull request's title, body or state changed: `gh pr edit`, `gh pr close`.
    EditPullRequest,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Commit => "commit",
            Action::Push => "push",
            Action::ForcePush => "force-push",
            Action::Amend => "amend",
            Action::Rebase => "rebase",
            Action::SkipHooks => "skip-hooks",
            Action::Merge => "merge",
            Action::Tag => "tag",
            Action::Branch => "branch",
            Action::SwitchBranch => "switch-branch",
            Action::Worktree => "worktree",
            Action::Revert => "revert",
            Action::RewriteHistory => "rewrite-history",
            Action::PullRequest => "pull-request",
            Action::Issue => "issue",
            Action::Deploy => "deploy",
            Action::Secret => "secret",
            Action::Publish => "publish",
            Action::Dependency => "dependency",
            Action::Background => "background",
            Action::Comment => "comment",
            Action::ReadyPullRequest => "ready-pull-request",
            Action::Discard => "discard",
            Action::Stash => "stash",
            Action::EditPullRequest => "edit-pull-request",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS.iter().copied().find(|a| a.name() == name)
    }
}

pub const ACTIONS: [Action; 25] = [
    Action::Commit,
    Action::Push,
    Action::ForcePush,
    Action::Amend,
    Action::Rebase,
    Action::SkipHooks,
    Action::Merge,
    Action::Tag,
    Action::Branch,
    Action::SwitchBranch,
    Action::Worktree,
    Action::Revert,
    Action::RewriteHistory,
    Action::PullRequest,
    Action::Issue,
    Action::Deploy,
    Action::Secret,
    Action::Publish,
    Action::Dependency,
    Action::Background,
    Action::Comment,
    Action::ReadyPullRequest,
    Action::Discard,
    Action::Stash,
    Action::EditPullRequest,
];

/// A word of a command pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "type", content = "value")]
pub enum PatWord {
    /// A literal word that must be present as written.
    Lit(String),
    /// A placeholder (`<lang>`, `[file]`, `...`) matching any one word.
    Any,
}

/// A parsed command pattern: program, positional words (subcommands), required flags,
/// environment assignments and argument fragments.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CommandPattern {
    /// As written in the policy.
    pub text: String,
    /// Program name; empty when the pattern only names a flag, an assignment or a fragment.
    pub program: String,
    pub words: Vec<PatWord>,
    /// Flags that must be present (`--release`, `-w`, `--author`).
    pub flags: Vec<String>,
    /// Environment assignments that must be present (`CI=1`).
    pub env: Vec<(String, String)>,
    /// A fragment some argument must contain (`@latest`).
    pub fragment: Option<String>,
}

/// When an obligation applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trigger {
    /// The plan commits (a `git commit` command, or a commit change set).
    Commit,
    Push,
    PullRequest,
    /// A pull request opened or marked ready for review (not a draft).
    PullRequestReady,
    Merge,
    Tag,
    Publish,
    Dependency,
    /// The plan changes any file (within `when_paths` if given).
    Change,
    /// The plan changes code: any file that is not documentation.
    CodeChange,
    /// The plan changes source files (not documentation, tests, fixtures or snapshots) within
    /// `when_paths`: how "after changing <things agentgate cannot resolve>" is read.
    SourceChange,
    /// The plan adds a file (within `when_paths` if given).
    Add,
    /// The plan hands its work over: it commits, pushes or opens a pull request, whichever
    /// comes first ("before you finish", "when done", or an order to run a check that names no
    /// moment).
    Deliver,
    /// The plan hands over work it declares a bug fix: a commit or pull request titled
    /// `fix: …`, `fix(x): …` or "Fix …", or a pushed branch named `fix/…` ("When fixing bugs,
    /// run …"). Work that does not say what it is is not held to it.
    Fix,
    /// The plan runs one of the rule's `when_runs` commands ("Build before running tests"):
    /// the checks must run before the first of them.
    Run,
}

/// A bound on destructive work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    DeletedFiles,
    ChangedFiles,
    ChangedLines,
    /// Lines added ("500 additions max").
    AddedLines,
}

/// Risk classes, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
    Critical,
}

/// What a rule checks. Globs are repository-relative; a glob for a directory matches
/// everything under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RuleBody {
    /// Deny (or ask for) writes of the given kinds to matching paths.
    PathDeny {
        ops: Vec<WriteOp>,
        paths: Vec<String>,
        except: Vec<String>,
        /// Only when the plan also changes files outside `paths` ("as part of broader changes").
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        only_mixed: bool,
        /// Only in a committing plan ("the commit must not include …").
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        only_commit: bool,
    },
    /// Deny reads (declared or done by a command).
    ReadDeny {
        paths: Vec<String>,
        except: Vec<String>,
    },
    /// Deny commands matching any pattern.
    CommandDeny {
        commands: Vec<CommandPattern>,
        except: Vec<CommandPattern>,
    },
    /// Deny a well-known action, optionally only towards a target (branch, base) or environment.
    ActionDeny {
        action: Action,
        #[serde(skip_serializing_if = "Option::is_none")]
        target: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        environment: Option<String>,
    },
    /// Commands that must have passed (evidence) or run in the plan when the trigger fires.
    RequiredCheck {
        commands: Vec<CommandPattern>,
        trigger: Trigger,
        when_paths: Vec<String>,
        /// The plan must run them in this order (and before the trigger).
        ordered: bool,
        /// Every recorded check must have passed ("all checks must pass").
        all_checks: bool,
        /// Commands that stand for every one of `commands` ("you can run all these with `make
        /// check`"): one of them passing meets the rule.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        covered_by: Vec<CommandPattern>,
        /// Due only when the plan changes code, or shows no change at all: tests, linters,
        /// formatters, type checkers and builds say nothing about a documentation-only commit.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        code_only: bool,
        /// For the `run` trigger: the runs the checks must come before (`@test` for "before
        /// running tests").
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        when_runs: Vec<CommandPattern>,
    },
    /// Files that must have been read before the trigger.
    RequiredRead {
        paths: Vec<String>,
        trigger: Trigger,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        when_paths: Vec<String>,
    },
    /// A command, when run, must carry these flags.
    RequiredFlag {
        command: CommandPattern,
        flags: Vec<String>,
    },
    /// Generated files: hand edits are denied unless the plan runs a generator.
    Generated {
        paths: Vec<String>,
        generators: Vec<CommandPattern>,
    },
    /// Changing `when_paths` (or taking the `when_action`) needs a change to one of `then_paths`.
    CoChange {
        when_paths: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        when_action: Option<Action>,
        then_paths: Vec<String>,
        /// Only added files trigger it.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        only_added: bool,
        /// About feature and fix work ("Bug fixes MUST include tests"): a plan whose every
        /// commit or pull request title declares other work (`chore:`, `docs:`, `release:`) is
        /// not held to it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        work: bool,
        /// About bug fixes only ("When fixing a bug, add a regression test"): held only to a
        /// plan that declares a fix (see `Trigger::Fix`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        fix: bool,
    },
    /// Matching changes need an approval from `reviewer`.
    ReviewRequirement {
        paths: Vec<String>,
        reviewer: String,
    },
    /// Matching changes are of this risk class.
    RiskClass { paths: Vec<String>, level: Risk },
    /// Plans at or above this risk class need a reviewer's approval or passing checks.
    RiskGate {
        level: Risk,
        #[serde(skip_serializing_if = "Option::is_none")]
        reviewer: Option<String>,
        commands: Vec<CommandPattern>,
    },
    /// A bound on destructive work.
    Bound { metric: Metric, max: u64 },
    /// What the plan writes for people — a commit message, a pull request's or issue's title
    /// and body, a comment, a branch name — must meet a requirement.
    Message {
        /// The actions whose text is checked (commit, pull-request, issue, comment, branch).
        on: Vec<Action>,
        /// Which part: the title (a commit's first line, a branch's name), or all of it.
        part: TextPart,
        require: TextRule,
    },
}

/// The part of an action's text a message rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextPart {
    Title,
    All,
}

/// What a text must be.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextRule {
    /// Contains this (case-insensitive): a trailer such as `Co-Authored-By:`.
    Contains(String),
    /// No trailer of this name credits an AI agent, model or tool.
    NoAiCredit(String),
    /// Does not contain this (case-insensitive): "Do not add `Co-authored-by:` in commit
    /// messages".
    Excludes(String),
    /// Written in English: no letters of other scripts (CJK, Cyrillic, …).
    English,
    /// Matches one of these templates (`<type>(<scope>): <subject>`, `pkg: what is changed`):
    /// the punctuation is kept, the words are placeholders.
    Template(Vec<String>),
    /// Starts with one of these (`feature/`).
    Prefix(Vec<String>),
    /// At most this many characters ("Limit the subject line to 50 characters").
    MaxLength(usize),
}

impl RuleBody {
    pub fn kind(&self) -> &'static str {
        match self {
            RuleBody::PathDeny { .. } => "path-deny",
            RuleBody::ReadDeny { .. } => "read-deny",
            RuleBody::CommandDeny { .. } => "command-deny",
            RuleBody::ActionDeny { .. } => "action-deny",
            RuleBody::RequiredCheck { .. } => "required-check",
            RuleBody::RequiredRead { .. } => "required-read",
            RuleBody::RequiredFlag { .. } => "required-flag",
            RuleBody::Generated { .. } => "generated",
            RuleBody::CoChange { .. } => "co-change",
            RuleBody::ReviewRequirement { .. } => "review-requirement",
            RuleBody::RiskClass { .. } => "risk-class",
            RuleBody::RiskGate { .. } => "risk-gate",
            RuleBody::Bound { .. } => "bound",
            RuleBody::Message { .. } => "message",
        }
    }
}

/// How far a compiled sentence binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// Understood whole: a violation decides the plan (deny or ask).
    Enforced,
    /// Advice, or a sentence understood only in part: a violation is a warning and never blocks.
    Advisory,
}

/// One compiled rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub id: String,
    pub severity: Severity,
    /// `enforced`, or `advisory` (worded as advice, or not understood whole: see `reason`).
    pub strength: Strength,
    /// Why an advisory rule is not enforced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What a violation decides: deny, or ask (allowed with approval evidence).
    pub decision: Decision,
    /// The subtree the rule governs ("" for the whole repository, `pkg/` for `pkg/AGENTS.md`).
    pub scope: String,
    /// Agent roles the rule applies to (empty: every role).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(flatten)]
    pub body: RuleBody,
    pub origin: Origin,
}

/// A normative sentence that did not compile; never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unrecognised {
    pub origin: Origin,
    /// Why it was not compiled, in a few words.
    pub reason: String,
}

/// A custom Rego module: a ```rego block in policy markdown, or a `.rego` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegoModule {
    /// Repository-relative file it is written in.
    pub file: String,
    /// 1-based line of the module's first line in that file.
    pub line: usize,
    pub text: String,
}

/// A compiled policy.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// `sha256:` digest over the canonical JSON of the rules.
    pub digest: String,
    /// The policy files read, repository-relative.
    pub sources: Vec<String>,
    pub rules: Vec<Rule>,
    /// Custom Rego modules, run whatever `--engine` says.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rego: Vec<RegoModule>,
    pub unrecognised: Vec<Unrecognised>,
    /// Explicit ids given to more than one statement (the later ones were renamed `ID-2`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub duplicate_ids: Vec<Unrecognised>,
}
