//! Change sets and policies from git, through the `git` command line (see docs/architecture.md
//! for why not a git crate): the staged change, the work tree, a range, or each commit of a range.

use std::path::Path;
use std::process::Command;

use miette::Diagnostic;
use thiserror::Error;

use crate::changeset::{self, Change, Op, Plan};
use crate::source::{self, SourceFile};

#[derive(Debug, Error, Diagnostic)]
pub enum GitError {
    #[error("cannot run `git {args}`: {message}")]
    #[diagnostic(
        code(agentgate::git::run),
        help("install git, and run agentgate inside a git repository (or pass `--root`)")
    )]
    Run { args: String, message: String },
    #[error("`git {args}` failed: {stderr}")]
    #[diagnostic(
        code(agentgate::git::failed),
        help("check that the revisions exist: `git log --oneline` lists them")
    )]
    Failed { args: String, stderr: String },
    #[error("a range must look like `BASE..HEAD`, not `{range}`")]
    #[diagnostic(
        code(agentgate::git::range),
        help("for example `--range origin/main..HEAD`")
    )]
    BadRange { range: String },
    #[error("git reported a path that cannot be checked: `{path}`")]
    #[diagnostic(code(agentgate::git::path))]
    Path {
        path: String,
        #[source]
        source: changeset::PathError,
    },
    #[error("policy file `{path}` at `{rev}` is not valid UTF-8")]
    #[diagnostic(code(agentgate::git::encoding))]
    NotUtf8 { path: String, rev: String },
    #[error("policy file `{path}` at `{rev}` is a symbolic link that leaves the repository")]
    #[diagnostic(
        code(agentgate::git::link),
        help("link a policy file only to a file inside the repository (`AGENTS.md -> CLAUDE.md`)")
    )]
    LinkOutside { path: String, rev: String },
}

/// Where the change set comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `git diff --cached`: a commit about to be made, judged by the committed policy (HEAD).
    Staged,
    /// Tracked changes against HEAD plus untracked files, judged by the work tree's policy.
    Worktree,
    /// `BASE..HEAD` as one change set, judged by the policy at BASE.
    Range(String),
}

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| GitError::Run {
            args: args.join(" "),
            message: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(GitError::Failed {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

/// The two ends of `A..B`.
pub fn split_range(range: &str) -> Result<(String, String), GitError> {
    match range.split_once("..") {
        Some((a, b))
            if !a.is_empty() && !b.trim_start_matches('.').is_empty() && !a.contains("...") =>
        {
            Ok((a.to_string(), b.trim_start_matches('.').to_string()))
        }
        _ => Err(GitError::BadRange {
            range: range.to_string(),
        }),
    }
}

/// The commits of a range, oldest first.
pub fn commits(root: &Path, range: &str) -> Result<Vec<String>, GitError> {
    split_range(range)?;
    let out = git(root, &["rev-list", "--reverse", range])?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .map(str::to_string)
        .collect())
}

/// Whether HEAD exists (false in a repository with no commit yet).
pub fn has_head(root: &Path) -> bool {
    git(root, &["rev-parse", "--verify", "-q", "HEAD"]).is_ok()
}

/// A short name for a revision.
pub fn short(root: &Path, rev: &str) -> String {
    git(root, &["rev-parse", "--short", rev])
        .map(|o| String::from_utf8_lossy(&o).trim().to_string())
        .unwrap_or_else(|_| rev.to_string())
}

/// The change set from git as a plan. `diff_args` select what to compare.
fn plan_from_diff(root: &Path, diff_args: &[&str], commit: bool) -> Result<Plan, GitError> {
    let mut raw_args = vec![
        "diff",
        "--raw",
        "-z",
        "-M",
        "-C",
        "--no-ext-diff",
        "--no-textconv",
    ];
    raw_args.extend_from_slice(diff_args);
    let raw = git(root, &raw_args)?;
    let mut num_args = vec![
        "diff",
        "--numstat",
        "-z",
        "-M",
        "-C",
        "--no-ext-diff",
        "--no-textconv",
    ];
    num_args.extend_from_slice(diff_args);
    let nums = numstat(&git(root, &num_args)?);
    let mut changes = Vec::new();
    let fields: Vec<&[u8]> = raw.split(|b| *b == 0).collect();
    let mut i = 0;
    while i < fields.len() {
        let meta = String::from_utf8_lossy(fields[i]).to_string();
        if !meta.starts_with(':') {
            i += 1;
            continue;
        }
        let status = meta.split_whitespace().nth(4).unwrap_or("M").to_string();
        let path1 = fields
            .get(i + 1)
            .map(|p| String::from_utf8_lossy(p).to_string())
            .unwrap_or_default();
        let two = matches!(status.chars().next(), Some('R' | 'C'));
        let path2 = if two {
            fields
                .get(i + 2)
                .map(|p| String::from_utf8_lossy(p).to_string())
        } else {
            None
        };
        i += if two { 3 } else { 2 };
        let (op, path, from) = match status.chars().next() {
            Some('A') => (Op::Add, path1, None),
            Some('D') => (Op::Delete, path1, None),
            Some('R') => (Op::Rename, path2.unwrap_or_default(), Some(path1)),
            Some('C') => (Op::Copy, path2.unwrap_or_default(), Some(path1)),
            _ => (Op::Modify, path1, None),
        };
        let (added, removed) = nums
            .iter()
            .find(|(p, _, _)| *p == path)
            .map(|(_, a, r)| (*a, *r))
            .unwrap_or((0, 0));
        let norm = |p: &str| {
            changeset::normalize_path(root, p).map_err(|source| GitError::Path {
                path: p.to_string(),
                source,
            })
        };
        changes.push(Change {
            path: norm(&path)?,
            op,
            from: from.as_deref().map(norm).transpose()?,
            added,
            removed,
            line: None,
        });
        // A symlink that points inside the repository aliases its target: writing it is
        // treated as writing the target (a link into docs/SSOT/ is a change to docs/SSOT/).
        let mut meta_fields = meta.trim_start_matches(':').split_whitespace();
        let new_mode = meta_fields.nth(1).unwrap_or("");
        let new_sha = meta_fields.nth(1).unwrap_or("");
        if new_mode == "120000" && op != Op::Delete {
            if let Some(target) = link_target(root, &path, new_sha) {
                changes.push(Change {
                    path: target,
                    op: Op::Modify,
                    from: None,
                    added: 0,
                    removed: 0,
                    line: None,
                });
            }
        }
    }
    Ok(Plan {
        changes,
        commit,
        ..Plan::default()
    })
}

/// `--numstat -z` → (path, added, removed); binary files count 0.
fn numstat(out: &[u8]) -> Vec<(String, u64, u64)> {
    let mut res = Vec::new();
    let fields: Vec<String> = out
        .split(|b| *b == 0)
        .map(|f| String::from_utf8_lossy(f).to_string())
        .collect();
    let mut i = 0;
    while i < fields.len() {
        let f = &fields[i];
        let mut parts = f.splitn(3, '\t');
        let (Some(a), Some(r), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            i += 1;
            continue;
        };
        let (a, r) = (a.parse().unwrap_or(0), r.parse().unwrap_or(0));
        if path.is_empty() {
            // A rename or copy: the next two fields are the old and new paths.
            if let Some(new) = fields.get(i + 2) {
                res.push((new.clone(), a, r));
            }
            i += 3;
        } else {
            res.push((path.to_string(), a, r));
            i += 1;
        }
    }
    res
}

/// The change set of a source.
pub fn change_set(root: &Path, src: &Source) -> Result<Plan, GitError> {
    match src {
        Source::Staged => {
            if has_head(root) {
                plan_from_diff(root, &["--cached"], true)
            } else {
                // The first commit: everything staged is added.
                plan_from_diff(root, &["--cached", EMPTY_TREE], true)
            }
        }
        Source::Worktree => {
            let mut plan = if has_head(root) {
                plan_from_diff(root, &["HEAD"], false)?
            } else {
                Plan::default()
            };
            let untracked = git(root, &["ls-files", "--others", "--exclude-standard", "-z"])?;
            for p in untracked.split(|b| *b == 0).filter(|p| !p.is_empty()) {
                let p = String::from_utf8_lossy(p).to_string();
                let path =
                    changeset::normalize_path(root, &p).map_err(|source| GitError::Path {
                        path: p.clone(),
                        source,
                    })?;
                plan.changes.push(Change {
                    path,
                    op: Op::Add,
                    from: None,
                    added: 0,
                    removed: 0,
                    line: None,
                });
            }
            Ok(plan)
        }
        Source::Range(range) => {
            let (base, head) = split_range(range)?;
            plan_from_diff(root, &[&base, &head], true)
        }
    }
}

/// The change set of one commit (against its first parent; a root commit against nothing).
pub fn commit_change_set(root: &Path, commit: &str) -> Result<Plan, GitError> {
    let parent = format!("{commit}^");
    if git(root, &["rev-parse", "--verify", "-q", &parent]).is_ok() {
        plan_from_diff(root, &[&parent, commit], true)
    } else {
        plan_from_diff(root, &[EMPTY_TREE, commit], true)
    }
}

/// The policy sources as they are at a revision.
pub fn sources_at(root: &Path, rev: &str) -> Result<Vec<SourceFile>, GitError> {
    let list = git(root, &["ls-tree", "-r", "-z", rev])?;
    // "<mode> <type> <object>\t<path>": a symlink (mode 120000) is read through its link.
    let mut links: Vec<(String, String)> = Vec::new();
    let mut paths: Vec<String> = list
        .split(|b| *b == 0)
        .filter_map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            let (meta, path) = entry.split_once('\t')?;
            if !source::is_policy_path(path) {
                return None;
            }
            if meta.starts_with("120000") {
                let sha = meta.split(' ').nth(2).unwrap_or("");
                links.push((path.to_string(), sha.to_string()));
            }
            Some(path.to_string())
        })
        .collect();
    paths.sort_by_key(|p| {
        (
            p != "AGENTS.md",
            !p.starts_with("docs/SSOT/"),
            p.matches('/').count(),
            p.clone(),
        )
    });
    paths
        .into_iter()
        .map(|p| {
            // `AGENTS.md -> CLAUDE.md`: the text is the target's at the same revision; a link
            // that leaves the repository names nothing agentgate can read (fail closed).
            let linked = match links.iter().find(|(l, _)| *l == p) {
                Some((_, sha)) => {
                    Some(
                        link_target(root, &p, sha).ok_or_else(|| GitError::LinkOutside {
                            path: p.clone(),
                            rev: rev.to_string(),
                        })?,
                    )
                }
                None => None,
            };
            let read = linked.as_deref().unwrap_or(&p);
            let blob = git(root, &["show", &format!("{rev}:{read}")])?;
            let text = String::from_utf8(blob).map_err(|_| GitError::NotUtf8 {
                path: p.clone(),
                rev: rev.to_string(),
            })?;
            let mut src = source::from_text(&p, &text);
            src.linked_to = linked;
            Ok(src)
        })
        .collect()
}

/// The empty tree's id, for diffs of root commits.
pub const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// Where a committed or staged symlink points, repository-relative, when that is inside the
/// repository.
fn link_target(root: &Path, link: &str, sha: &str) -> Option<String> {
    let target = if sha.chars().all(|c| c == '0') {
        std::fs::read_link(root.join(link))
            .ok()?
            .to_string_lossy()
            .to_string()
    } else {
        String::from_utf8(git(root, &["cat-file", "-p", sha]).ok()?).ok()?
    };
    let target = target.trim_end_matches('\n');
    let joined = if target.starts_with('/') {
        target.to_string()
    } else {
        match link.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{target}"),
            None => target.to_string(),
        }
    };
    changeset::normalize_path(root, &joined)
        .ok()
        .filter(|p| !p.is_empty())
}
