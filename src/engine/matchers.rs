//! Native matchers: globs (compiled once per rule) and command patterns.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::command::Invocation;
use crate::ir::{CommandPattern, PatWord};
use crate::vocab;

/// A set of globs with `*` not crossing `/`.
#[derive(Debug, Clone)]
pub struct Globs {
    set: GlobSet,
    /// The globs for paths outside the repository (`~/.ssh/**`): the only ones such paths meet.
    outside: GlobSet,
    /// Literal prefixes (up to the first wildcard), to see whether a deleted folder holds matches.
    prefixes: Vec<String>,
    code_marker: bool,
}

impl Globs {
    pub fn new(globs: &[String]) -> Result<Globs, globset::Error> {
        let mut b = GlobSetBuilder::new();
        let mut o = GlobSetBuilder::new();
        let mut prefixes = Vec::new();
        let mut code_marker = false;
        for g in globs {
            if g == ":code" {
                code_marker = true;
                continue;
            }
            let built = GlobBuilder::new(g)
                .literal_separator(true)
                .backslash_escape(true)
                .build()?;
            if crate::changeset::is_outside(g) {
                o.add(built);
            } else {
                b.add(built);
            }
            let lit: String = g
                .chars()
                .take_while(|c| !matches!(c, '*' | '?' | '[' | '{'))
                .collect();
            prefixes.push(lit);
        }
        Ok(Globs {
            set: b.build()?,
            outside: o.build()?,
            prefixes,
            code_marker,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.outside.is_empty() && !self.code_marker
    }

    /// The set a path is matched against: a path outside the repository meets only the
    /// globs written for such paths, and a repository glob (`**`, `**/.env`) never one outside.
    fn set_for(&self, path: &str) -> &GlobSet {
        if crate::changeset::is_outside(path) {
            &self.outside
        } else {
            &self.set
        }
    }

    /// Whether a path matches.
    pub fn matches(&self, path: &str) -> bool {
        if self.code_marker && !crate::changeset::is_outside(path) && is_code(path) {
            return true;
        }
        self.set_for(path).is_match(path)
    }

    /// Whether deleting or moving `dir` as a folder touches a match.
    pub fn matches_under(&self, dir: &str) -> bool {
        if self.matches(dir) {
            return true;
        }
        if dir.is_empty() {
            return !self.set.is_empty();
        }
        let probe = format!("{dir}/__agentgate_probe__");
        self.set_for(dir).is_match(&probe)
            || self
                .prefixes
                .iter()
                .any(|p| p.starts_with(&format!("{dir}/")))
    }
}

/// A change to something other than documentation.
pub fn is_code(path: &str) -> bool {
    static DOCS: std::sync::OnceLock<GlobSet> = std::sync::OnceLock::new();
    let docs = DOCS.get_or_init(|| {
        let mut b = GlobSetBuilder::new();
        for g in &vocab::get().docs_globs {
            if let Ok(g) = GlobBuilder::new(g).literal_separator(true).build() {
                b.add(g);
            }
        }
        b.build().unwrap_or_else(|_| GlobSet::empty())
    });
    !docs.is_match(path)
}

/// A file no code check looks at: documentation, or CI configuration (`.github/`, `.gitlab-ci.yml`,
/// `.circleci/`): a commit that changes only these needs no test run, lint or format.
pub fn checks_skip(path: &str) -> bool {
    !is_code(path)
        || path.starts_with(".github/")
        || path.starts_with(".circleci/")
        || path.starts_with(".buildkite/")
        || path == ".gitlab-ci.yml"
        || path == "azure-pipelines.yml"
        || path == "Jenkinsfile"
}

/// A source file: code that is not a test, fixture or snapshot.
pub fn is_source(path: &str) -> bool {
    static TESTS: std::sync::OnceLock<GlobSet> = std::sync::OnceLock::new();
    let tests = TESTS.get_or_init(|| {
        let mut b = GlobSetBuilder::new();
        let globs = vocab::get()
            .noun_paths
            .get("tests")
            .cloned()
            .unwrap_or_default();
        let snaps = vocab::get()
            .noun_paths
            .get("snapshots")
            .cloned()
            .unwrap_or_default();
        for g in globs
            .iter()
            .chain(&snaps)
            .chain(["**/fixtures/**".to_string(), "**/snapshots/**".to_string()].iter())
        {
            if let Ok(g) = GlobBuilder::new(g).literal_separator(true).build() {
                b.add(g);
            }
        }
        b.build().unwrap_or_else(|_| GlobSet::empty())
    });
    is_code(path) && !tests.is_match(path)
}

/// Positional arguments of a run: options skipped, and the values of a program's known
/// value-taking global options skipped too (`git -C dir push` → `push`).
pub fn positionals(program: &str, args: &[String]) -> Vec<String> {
    let v = vocab::get();
    let canon = v.canonical_program(program);
    let value_opts = v
        .value_options
        .get(canon)
        .or_else(|| v.value_options.get(program));
    let mut out = Vec::new();
    let mut i = 0;
    let mut after_dd = false;
    while i < args.len() {
        let a = &args[i];
        if after_dd || !a.starts_with('-') || a == "-" {
            out.push(a.clone());
        } else if a == "--" {
            after_dd = true;
        } else if out.is_empty()
            && !a.contains('=')
            && value_opts.is_some_and(|l| l.iter().any(|o| o == a))
        {
            i += 1; // skip the option's value
        } else if out.is_empty() && program == "terraform" && a.starts_with("-chdir") {
            // `-chdir=x` is one word
        }
        i += 1;
    }
    out
}

/// Words after the program, with `npm run x` read as `npm x`.
fn words_of(program: &str, args: &[String]) -> Vec<String> {
    let mut pos = positionals(program, args);
    let canon = vocab::get().canonical_program(program);
    if canon == "npm" && matches!(pos.first().map(String::as_str), Some("run" | "run-script")) {
        pos.remove(0);
    }
    pos
}

/// The commands of pnpm and yarn themselves; any other first word runs a script or a binary.
const PACKAGE_MANAGER_COMMANDS: &[&str] = &[
    "add",
    "audit",
    "bin",
    "cache",
    "config",
    "create",
    "dedupe",
    "dlx",
    "exec",
    "fetch",
    "help",
    "import",
    "info",
    "init",
    "install",
    "i",
    "link",
    "list",
    "ls",
    "outdated",
    "pack",
    "patch",
    "prune",
    "publish",
    "rebuild",
    "remove",
    "rm",
    "root",
    "run",
    "setup",
    "store",
    "test",
    "t",
    "unlink",
    "up",
    "update",
    "upgrade",
    "version",
    "why",
    "workspace",
    "workspaces",
    "start",
    "build",
    "lint",
    "format",
    "dev",
    "node",
    "env",
    "self-update",
    "plugin",
    "set",
    "constraints",
    "npm",
    "recursive",
    "-r",
    "licenses",
    "deploy",
    "approve-builds",
    "doctor",
];

/// The program as run, and as run through a runner (`npx prettier` → `prettier`).
pub fn variants(inv: &Invocation) -> Vec<Invocation> {
    let mut out = vec![inv.clone()];
    let v = vocab::get();
    let mut cur = inv.clone();
    // `python -m pytest` runs `pytest`.
    if let Some(module) = python_module(&cur) {
        out.push(module.clone());
        cur = module;
    }
    for _ in 0..3 {
        let pos = positionals(&cur.program, &cur.args);
        let canon = v.canonical_program(&cur.program).to_string();
        let two = pos.first().map(|p| format!("{} {}", cur.program, p));
        let skip = if v.runners.contains_key(&cur.program) || v.runners.contains_key(&canon) {
            0
        } else if two.as_ref().is_some_and(|t| v.runners.contains_key(t))
            || canon == "npm" && matches!(pos.first().map(String::as_str), Some("exec" | "dlx"))
        {
            1
        } else if matches!(cur.program.as_str(), "pnpm" | "yarn")
            && pos
                .first()
                .is_some_and(|p| !PACKAGE_MANAGER_COMMANDS.contains(&p.as_str()))
        {
            // `pnpm nx prepush`, `yarn eslint .`: a name that is not one of the package
            // manager's own commands runs the package's binary.
            0
        } else {
            break;
        };
        let Some(prog) = pos.get(skip) else { break };
        let at = cur.args.iter().position(|a| a == prog).unwrap_or(0);
        let mut next = cur.clone();
        next.program = prog.rsplit('/').next().unwrap_or(prog).to_string();
        // `ruff@latest` runs `ruff`
        if let Some((name, _)) = next.program.split_once('@').filter(|(n, _)| !n.is_empty()) {
            next.program = name.to_string();
        }
        next.args = cur.args[at + 1..].to_vec();
        out.push(next.clone());
        cur = next;
    }
    out
}

/// `python -m mod args…` as `mod args…`.
pub fn python_module(inv: &Invocation) -> Option<Invocation> {
    if !matches!(inv.program.as_str(), "python" | "python3" | "py") {
        return None;
    }
    let k = inv.args.iter().position(|a| a == "-m")?;
    let module = inv.args.get(k + 1)?;
    let mut next = inv.clone();
    next.program = module.clone();
    next.args = inv.args[k + 2..].to_vec();
    Some(next)
}

/// Whether a run matches a command pattern.
/// A run with `--dry-run` that the pattern does not name: it only says what the forbidden
/// command would do ("Never run `wrangler deploy`" spares `wrangler deploy --dry-run`).
pub fn dry_run(p: &CommandPattern, inv: &Invocation) -> bool {
    inv.args
        .iter()
        .any(|a| a == "--dry-run" || a.starts_with("--dry-run="))
        && !p.text.contains("--dry-run")
}

pub fn matches(p: &CommandPattern, inv: &Invocation) -> bool {
    variants(inv).iter().any(|v| matches_one(p, v))
}

fn matches_one(p: &CommandPattern, inv: &Invocation) -> bool {
    if !p.env.iter().all(|e| inv.env.contains(e)) {
        return false;
    }
    if let Some(frag) = &p.fragment {
        if !inv.args.iter().any(|a| a.contains(frag.as_str()))
            && !inv.program.contains(frag.as_str())
        {
            return false;
        }
    }
    if !p.flags.iter().all(|f| spelled(inv, f)) {
        return false;
    }
    if p.program.is_empty() {
        return !p.env.is_empty() || p.fragment.is_some() || !p.flags.is_empty();
    }
    let v = vocab::get();
    if let Some(class) = p.program.strip_prefix('@') {
        let (class, strict) = match class.strip_suffix('!') {
            Some(c) => (c, true),
            None => (class, false),
        };
        let words = words_of(&inv.program, &inv.args);
        if v.in_class(class, &inv.program) {
            return !strict || words.is_empty();
        }
        return match words.iter().position(|w| v.in_class(class, w)) {
            Some(k) => !strict || (k + 1 == words.len() && k <= 1),
            None => !strict && script_in_class(class, inv, &words),
        };
    }
    if p.program.contains('/') || is_script_name(&p.program) {
        let path = p.program.trim_start_matches("./");
        let base = path.rsplit('/').next().unwrap_or(path);
        // The script run directly, or by an interpreter (`bash scripts/gen.sh`); `cat
        // scripts/gen.sh` only reads it.
        let direct = inv.program == base;
        let interpreted = INTERPRETERS.contains(&inv.program.as_str())
            && inv
                .args
                .iter()
                .find(|a| !a.starts_with('-'))
                .is_some_and(|a| a.trim_start_matches("./") == path);
        return direct || interpreted;
    }
    // `pnpm`/`yarn` stand for `npm` in a pattern with a subcommand (`npm run build`); a bare
    // program (`not npm or yarn`) means that program only.
    // A bare wrapper (`sudo`, `nohup`) matches whatever it wraps: "Don't use `sudo`".
    let wrapped = p.words.is_empty()
        && p.flags.is_empty()
        && inv
            .wrappers
            .iter()
            .any(|w| w.split(' ').next() == Some(p.program.as_str()));
    let same = if p.words.is_empty() {
        wrapped
            || inv.program == p.program
            || v.canonical_program(&inv.program) == p.program && inv.program.starts_with(&p.program)
    } else {
        v.canonical_program(&inv.program) == v.canonical_program(&p.program)
    };
    if !same {
        return false;
    }
    let words = words_of(&inv.program, &inv.args);
    let pat: Vec<&PatWord> = p.words.iter().collect();
    let pat_words: Vec<PatWord> = if v.canonical_program(&p.program) == "npm"
        && matches!(pat.first(), Some(PatWord::Lit(w)) if w == "run" || w == "run-script")
    {
        pat[1..].iter().map(|w| (*w).clone()).collect()
    } else {
        p.words.clone()
    };
    if pat_words.len() > words.len() {
        return false;
    }
    pat_words.iter().zip(&words).all(|(pw, w)| match pw {
        PatWord::Any => true,
        // `./script/x.dart` and `script/x.dart` name the same file.
        PatWord::Lit(l) => {
            l == w || l.strip_prefix("./").unwrap_or(l) == w.strip_prefix("./").unwrap_or(w)
        }
    })
}

/// Whether args carry a flag: `--force`, `--force=x`, or `-f` inside `-fu`.
/// Whether a run is given a flag: among its options, or handed on by a script runner after
/// `--` (`npm test -- --runInBand`).
pub fn flag_given(inv: &Invocation, flag: &str) -> bool {
    spelled(inv, flag)
        || matches!(vocab::get().canonical_program(&inv.program), "npm" | "npx")
            && inv
                .args
                .iter()
                .skip_while(|a| *a != "--")
                .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
}

/// Whether a run carries a flag in either of its spellings (`git commit --signoff` for `-s`).
fn spelled(inv: &Invocation, flag: &str) -> bool {
    if has_flag(&inv.args, flag) {
        return true;
    }
    // git takes any unambiguous prefix of a long option: `--no-verif`, `--force-w`, `--mirr`.
    if inv.program == "git" && git_option_prefix(&inv.args, flag) {
        return true;
    }
    let sub = positionals(&inv.program, &inv.args).into_iter().next();
    let (name, value) = match flag.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (flag, None),
    };
    vocab::get()
        .flag_spelling(&inv.program, sub.as_deref(), name)
        .is_some_and(|other| match value {
            None => has_flag(&inv.args, other),
            Some(v) => has_flag(&inv.args, &format!("{other}={v}")),
        })
}

/// Whether an argument abbreviates `flag` the way git allows: a strict prefix of it that is not
/// itself one of git's options (`--force` is `--force`, never `--force-with-lease`).
pub(crate) fn git_option_prefix(args: &[String], flag: &str) -> bool {
    const COMPLETE: &[&str] = &[
        "--force",
        "--verify",
        "--sign",
        "--signed",
        "--tags",
        "--all",
        "--mirror",
        "--delete",
        "--dry-run",
        "--set-upstream",
        "--atomic",
        "--prune",
        "--quiet",
        "--verbose",
        "--porcelain",
        "--thin",
        "--follow-tags",
        "--progress",
        "--push-option",
        "--repo",
        "--exec",
        "--signoff",
        "--amend",
        "--no-edit",
        "--edit",
        "--message",
        "--file",
        "--author",
        "--date",
        "--allow-empty",
        "--fixup",
        "--squash",
        "--interactive",
        "--patch",
        "--hard",
        "--soft",
        "--mixed",
        "--keep",
        "--no-verify",
        "--force-with-lease",
        "--force-if-includes",
        "--no-gpg-sign",
        "--gpg-sign",
        "--no-signoff",
    ];
    if !flag.starts_with("--") {
        return false;
    }
    let (name, value) = match flag.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (flag, None),
    };
    args.iter().take_while(|a| *a != "--").any(|a| {
        let (given, given_value) = match a.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (a.as_str(), None),
        };
        given.len() >= 5
            && given.len() < name.len()
            && name.starts_with(given)
            && !COMPLETE.contains(&given)
            && value.is_none_or(|v| given_value == Some(v))
    })
}

pub fn has_flag(args: &[String], flag: &str) -> bool {
    let long = flag.starts_with("--");
    for a in args {
        if a == "--" {
            // The separator is itself a flag a pattern may name (`git checkout -- <file>`).
            return flag == "--";
        }
        if a == flag || a.starts_with(&format!("{flag}=")) {
            return true;
        }
        if !long && flag.len() == 2 && a.starts_with('-') && !a.starts_with("--") && a.len() > 2 {
            let letters = &a[1..];
            if letters.chars().all(|c| c.is_ascii_alphabetic()) && letters.contains(&flag[1..]) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::targets::command_patterns;

    fn inv(cmd: &str) -> Invocation {
        crate::command::analyze(cmd).unwrap().invocations.remove(0)
    }

    fn m(pat: &str, cmd: &str) -> bool {
        command_patterns(pat).iter().any(|p| matches(p, &inv(cmd)))
    }

    #[test]
    fn global_options_do_not_hide_subcommands() {
        assert!(m("git push", "git -C dir push origin main"));
        assert!(m("kubectl delete", "kubectl --context prod delete pod x"));
        assert!(m("pnpm build", "pnpm -C packages/astro build"));
        assert!(!m("git push", "git commit -m push"));
    }

    #[test]
    fn scripts_named_for_their_class() {
        let c = |class: &str, cmd: &str| {
            matches(&crate::compile::targets::program_pattern(class), &inv(cmd))
        };
        assert!(c("@test", "bash scripts/run_backend_tests.sh"));
        assert!(c("@test", "./run-tests.sh -k x"));
        assert!(c("@format", "bash scripts/format_frontend.sh"));
        assert!(!c("@test", "bash scripts/deploy.sh"));
        // Only the script itself: an argument named `tests.sh` is not what runs.
        assert!(!c("@test", "cat run_tests.sh"));
    }

    #[test]
    fn git_long_options_abbreviated() {
        assert!(m("git commit --no-verify", "git commit --no-verif -m x"));
        assert!(m(
            "git push --force-with-lease",
            "git push --force-w origin main"
        ));
        assert!(m("git push --mirror", "git push --mirr"));
        // An option that is complete is itself, not a longer one it begins.
        assert!(!m(
            "git push --force-with-lease",
            "git push --force origin main"
        ));
        assert!(!m("git commit --no-verify", "git commit --no -m x"));
        assert!(!m("cargo publish --allow-dirty", "cargo publish --allow"));
    }

    #[test]
    fn flags_in_either_spelling() {
        assert!(m("git commit -s", "git commit --signoff -m x"));
        assert!(m("git commit --signoff", "git commit -sm x"));
        assert!(m("cargo build --release", "cargo build -r"));
        assert!(m("pnpm add -D", "pnpm add --save-dev x"));
        // Another subcommand's `-s` is another flag.
        assert!(!m("git commit -s", "git merge --signoff x"));
        assert!(!m("git merge -s", "git merge --signoff x"));
        assert!(flag_given(&inv("git pull -r"), "--rebase"));
        assert!(!flag_given(&inv("git push -r"), "--rebase"));
    }

    #[test]
    fn npm_family_and_run() {
        assert!(m("npm run build", "pnpm run build"));
        assert!(m("npm run build", "pnpm build"));
        assert!(!m("npm run build", "npm run dev"));
    }

    #[test]
    fn flags_and_placeholders() {
        assert!(m("cargo build --release", "cargo build --bin uv --release"));
        assert!(!m("cargo build --release", "cargo build --bin uv"));
        assert!(m("just gen-grammar <lang>", "just gen-grammar css"));
        assert!(has_flag(&["-fu".to_string()], "-f"));
    }

    #[test]
    fn runners_are_unwrapped() {
        assert!(m("prettier", "npx prettier --write ."));
        assert!(m("ruff", "uvx ruff@latest check src/"));
    }

    #[test]
    fn globs_match_under_deleted_folders() {
        let g = Globs::new(&["docs/SSOT/**".to_string()]).unwrap();
        assert!(g.matches_under("docs"));
        assert!(g.matches_under("docs/SSOT"));
        assert!(!g.matches_under("src"));
    }
}

/// A program pattern that names a script file (`setup.py`, `deploy.sh`): run directly or by
/// an interpreter.
/// Programs that run the script named by their first argument.
const INTERPRETERS: &[&str] = &[
    "bash", "sh", "zsh", "dash", "python", "python3", "node", "ruby", "perl", "deno", "bun", "tsx",
    "ts-node", "npx", "source", ".",
];

/// A script named for its class: `bash scripts/run_backend_tests.sh` runs tests,
/// `./format.sh` formats. The script's name is split at `_`, `-` and `.`.
fn script_in_class(class: &str, inv: &Invocation, words: &[String]) -> bool {
    let v = vocab::get();
    let interpreted = INTERPRETERS.contains(&inv.program.as_str());
    std::iter::once(&inv.program)
        .chain(words.first().filter(|_| interpreted))
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .filter(|base| is_script_name(base))
        .any(|base| {
            base.split(['_', '-', '.'])
                .any(|part| v.in_class(class, part))
        })
}

fn is_script_name(program: &str) -> bool {
    const EXT: &[&str] = &[
        ".py", ".sh", ".js", ".mjs", ".ts", ".rb", ".pl", ".ps1", ".bash", ".zsh",
    ];
    EXT.iter()
        .any(|e| program.len() > e.len() && program.ends_with(e))
}

/// Programs that edit, copy, move or show files, or manage history: none regenerates a
/// generated file (the generator of a file whose generator the policy does not name is any
/// other program the plan runs).
pub const HAND_EDITORS: &[&str] = &[
    "sed", "awk", "gawk", "perl", "echo", "printf", "cat", "tee", "cp", "mv", "rm", "touch",
    "mkdir", "ln", "patch", "git", "ed", "ex", "vi", "vim", "nvim", "nano", "emacs", "code",
    "truncate", "dd", "chmod", "chown", "tr", "head", "tail", "grep", "rg", "find", "ls", "cd",
    "true", "false", "install", "rsync", "tar", "unzip", "curl", "wget", "sort", "uniq", "cut",
    "paste", "xargs", "test", "[", "diff", "jq", "yq",
];

/// Whether a program only edits or shows files by hand (see [`HAND_EDITORS`]).
pub fn hand_editor(program: &str) -> bool {
    HAND_EDITORS.contains(&program)
}

/// Whether an invocation only checks, builds or serves (tests, lints, type-checks, builds, dev
/// servers): it regenerates no source file.
pub fn checks_only(inv: &crate::command::Invocation) -> bool {
    let v = vocab::get();
    let words = words_of(&inv.program, &inv.args);
    ["test", "lint", "typecheck", "build", "serve"]
        .iter()
        .any(|class| v.in_class(class, &inv.program) || words.iter().any(|w| v.in_class(class, w)))
}
