//! Statement targets → globs and command patterns.

use crate::ir::{CommandPattern, PatWord};

/// Dotfiles and dot-folders that are names, not extensions.
const DOTFILES: &[&str] = &[
    ".env",
    ".gitignore",
    ".gitattributes",
    ".gitmodules",
    ".github",
    ".gitlab",
    ".gitlab-ci.yml",
    ".npmrc",
    ".nvmrc",
    ".editorconfig",
    ".prettierrc",
    ".eslintrc",
    ".dockerignore",
    ".vscode",
    ".idea",
    ".changeset",
    ".cargo",
    ".circleci",
    ".husky",
    ".claude",
    ".cursor",
    ".devcontainer",
    ".pre-commit-config.yaml",
    ".agentgate",
    ".venv",
    ".python-version",
    ".tool-versions",
    ".envrc",
    ".ssh",
    ".aws",
];

/// Globs for a path written in a policy, relative to `scope` (`""` or `pkg/`).
///
/// A path names itself and, as a directory, everything under it; a single segment with a
/// wildcard (`*.rs`, `*_formatter`), a bare extension (`.ungram`) or a bare file name that is
/// not a root convention (`localazy.xml`, not `Cargo.toml`) matches at any depth; a path given
/// as an example (`like src/x.ts`) matches at any depth too.
pub fn path_globs(target: &str, scope: &str, anywhere: bool) -> Vec<String> {
    // A path outside the repository (`~/.ssh`, `/etc/hosts`) is its own glob, in no scope.
    if let Some(outside) = outside_glob(target) {
        return outside;
    }
    let mut t = target.trim().replace('\\', "/");
    while let Some(rest) = t.strip_prefix("./") {
        t = rest.to_string();
    }
    let t = t.trim_start_matches('/');
    let t = replace_placeholders(t, "*");
    if t.is_empty() || t == "." {
        return vec![format!("{scope}**")];
    }
    let dir = t.ends_with('/');
    let t = t.trim_end_matches('/');
    let single = !t.contains('/');
    let is_ext = single
        && t.starts_with('.')
        && !t[1..].contains('.')
        && t[1..].chars().all(|c| c.is_ascii_alphanumeric())
        && !DOTFILES.iter().any(|d| *d == t || t.starts_with(".env"));
    // A bare file name (`localazy.xml`, `.env`) matches wherever it is, as in a .gitignore;
    // names that by convention sit at a root (`Cargo.toml`, `AGENTS.md`) and folders do not.
    let file_name = single
        && !dir
        && (t.contains('.') || t.starts_with('.'))
        && !crate::vocab::get().root_names.contains(t);
    let base = if is_ext {
        format!("**/*{t}")
    } else if anywhere || file_name || (single && t.contains(['*', '?', '['])) {
        if t.starts_with("**") {
            t.to_string()
        } else {
            format!("**/{t}")
        }
    } else {
        t.to_string()
    };
    let full = format!("{scope}{base}");
    let mut out = vec![];
    if !dir {
        out.push(full.clone());
    }
    if !full.ends_with("**") && !is_ext {
        out.push(format!("{full}/**"));
    }
    if out.is_empty() {
        out.push(full);
    }
    out
}

/// Top-level folders of a machine, not of a repository: `/etc/hosts` is outside, `/docs` is
/// the repository's `docs`.
const SYSTEM_DIRS: &[&str] = &[
    "etc",
    "tmp",
    "usr",
    "var",
    "home",
    "opt",
    "root",
    "dev",
    "proc",
    "sys",
    "private",
    "Users",
    "Library",
    "Applications",
    "mnt",
    "srv",
    "bin",
    "sbin",
    "lib",
    "boot",
    "run",
];

/// Globs for a path outside the repository, when the target is one.
fn outside_glob(target: &str) -> Option<Vec<String>> {
    let t = target.trim().replace('\\', "/");
    let first = t.trim_start_matches('/').split('/').next().unwrap_or("");
    let outside =
        t == "~" || t.starts_with("~/") || t.starts_with('/') && SYSTEM_DIRS.contains(&first);
    if !outside {
        return None;
    }
    let t = replace_placeholders(t.trim_end_matches('/'), "*");
    if t.ends_with("**") {
        return Some(vec![t]);
    }
    Some(vec![t.clone(), format!("{t}/**")])
}

/// `<lang>`, `[file]`, `{name}` and `...` placeholders → `with`.
fn replace_placeholders(s: &str, with: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' => {
                let mut inner = String::new();
                let mut closed = false;
                for d in chars.by_ref() {
                    if d == '>' {
                        closed = true;
                        break;
                    }
                    inner.push(d);
                }
                // `<name>`, or a description in angle brackets (`"<short area keywords>"`).
                let described = inner.len() <= 40
                    && inner
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/'));
                if closed && !inner.is_empty() && (!inner.contains(' ') || described) {
                    out.push_str(with);
                } else {
                    out.push('<');
                    out.push_str(&inner);
                    if closed {
                        out.push('>');
                    }
                }
            }
            _ => out.push(c),
        }
    }
    // `...` alone is "more of these"; `./...` is Go's every package, a word of its own.
    out.split(' ')
        .map(|w| {
            if w.ends_with("/...") {
                w.to_string()
            } else {
                w.replace("...", "")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Placeholder word used while a pattern goes through the shell parser.
const ANY: &str = "__agentgate_any__";

/// Command patterns from a command written in a policy: one per simple command
/// (`a && b` gives two). Placeholders (`<lang>`, `[file]`, `...`) match any one word.
pub fn command_patterns(text: &str) -> Vec<CommandPattern> {
    let prepared = prepare_pattern(text);
    let analysis = match crate::command::analyze(&prepared) {
        Ok(a) if !a.invocations.is_empty() => a,
        _ => return vec![fallback_pattern(text)],
    };
    analysis
        .invocations
        .iter()
        .filter(|inv| inv.program != "cd")
        .map(|inv| crate::engine::matchers::python_module(inv).unwrap_or_else(|| inv.clone()))
        .flat_map(|inv| {
            let mut words = Vec::new();
            let mut flags = Vec::new();
            let mut fragment = None;
            let mut args = inv.args.iter().peekable();
            // After `--` everything is a word, as the matcher reads a run.
            let mut after_dd = false;
            while let Some(a) = args.next() {
                if after_dd {
                    words.push(if a.contains(ANY) {
                        PatWord::Any
                    } else {
                        PatWord::Lit(a.clone())
                    });
                    continue;
                }
                if a == "--" {
                    after_dd = true;
                    // `git checkout -- <file>`: the separator itself says which form is meant.
                    if args.peek().is_some_and(|n| n.contains(ANY)) {
                        flags.push("--".to_string());
                    }
                    continue;
                }
                // Where it runs is not what it runs: `make -C web test` is `make test` in `web`
                // (and `cd web && make test` meets it).
                if DIR_OPTIONS.contains(&a.split('=').next().unwrap_or(a)) {
                    if !a.contains('=') {
                        args.next();
                    }
                    continue;
                }
                if a.starts_with('-') && a.len() > 1 && a != "--" {
                    let flag = a.split('=').next().unwrap_or(a).to_string();
                    if !flag.contains(ANY) {
                        flags.push(flag);
                    }
                } else if a.contains(ANY) || a.starts_with('[') {
                    words.push(PatWord::Any);
                } else if a == "--" {
                    continue;
                } else {
                    words.push(PatWord::Lit(a.clone()));
                }
            }
            if inv.program.starts_with('@') {
                fragment = Some(inv.program.clone());
            }
            // Trailing placeholders add nothing: `mise run test:e2e [file]...` matches with or without.
            while matches!(words.last(), Some(PatWord::Any)) {
                words.pop();
            }
            let base = CommandPattern {
                text: text.trim().to_string(),
                program: if fragment.is_some() {
                    String::new()
                } else {
                    inv.program.clone()
                },
                words,
                flags,
                env: inv.env.clone(),
                fragment,
            };
            shorthand(base)
        })
        .collect()
}

/// Options that say where a command runs, with their value.
const DIR_OPTIONS: &[&str] = &[
    "-C",
    "--directory",
    "--dir",
    "--prefix",
    "-chdir",
    "--cwd",
    "--working-directory",
    "--cd",
];

/// `npm run lint/test`: a script word with slashes names several scripts, each required.
fn shorthand(p: CommandPattern) -> Vec<CommandPattern> {
    let runner = matches!(
        p.program.as_str(),
        "npm" | "pnpm" | "yarn" | "bun" | "make" | "just" | "mise" | "task"
    );
    let at = p.words.iter().position(|w| {
        matches!(w, PatWord::Lit(l) if l.contains('/') && l.split('/').all(|x| !x.is_empty() && x.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'))))
    });
    match (runner, at) {
        (true, Some(k)) => {
            let PatWord::Lit(word) = &p.words[k] else {
                return vec![p];
            };
            word.split('/')
                .map(|part| {
                    let mut q = p.clone();
                    q.words[k] = PatWord::Lit(part.to_string());
                    q
                })
                .collect()
        }
        _ => vec![p],
    }
}

fn prepare_pattern(text: &str) -> String {
    // `$REPO_ROOT/script/x.dart`, `${ROOT}/bin/x`: a variable naming where the repository is
    // stands for the repository itself.
    let rooted: Vec<String> = text
        .trim()
        .split(' ')
        .map(|w| match w.strip_prefix('$') {
            Some(rest) => {
                let rest = match rest.strip_prefix('{') {
                    Some(r) => r.replacen('}', "", 1),
                    None => rest.to_string(),
                };
                match rest.split_once('/') {
                    Some((var, tail))
                        if !var.is_empty()
                            && !tail.is_empty()
                            && var.chars().all(|c| c.is_ascii_uppercase() || c == '_') =>
                    {
                        tail.to_string()
                    }
                    _ => w.to_string(),
                }
            }
            None => w.to_string(),
        })
        .collect();
    let s = replace_placeholders(&rooted.join(" "), ANY);
    // `[name]` placeholders too.
    let mut out = String::new();
    let mut in_brackets = false;
    for c in s.chars() {
        match c {
            '[' if !in_brackets => {
                in_brackets = true;
                out.push_str(ANY);
            }
            ']' if in_brackets => in_brackets = false,
            _ if in_brackets => {}
            _ => out.push(c),
        }
    }
    out
}

/// A pattern for text the shell parser rejects: words split on whitespace.
fn fallback_pattern(text: &str) -> CommandPattern {
    let mut it = text.split_whitespace();
    let program = it.next().unwrap_or("").to_string();
    let mut words = Vec::new();
    let mut flags = Vec::new();
    for a in it {
        if a.starts_with('-') {
            flags.push(a.split('=').next().unwrap_or(a).to_string());
        } else {
            words.push(PatWord::Lit(a.to_string()));
        }
    }
    CommandPattern {
        text: text.trim().to_string(),
        program,
        words,
        flags,
        env: vec![],
        fragment: None,
    }
}

/// A pattern that only names flags (`--release`), an assignment (`CI=1`) or a fragment (`@latest`).
pub fn flag_pattern(text: &str) -> CommandPattern {
    let t = text.trim();
    let mut p = CommandPattern {
        text: t.to_string(),
        program: String::new(),
        words: vec![],
        flags: vec![],
        env: vec![],
        fragment: None,
    };
    if let Some((name, value)) = t.split_once('=').filter(|(n, _)| !n.starts_with('-')) {
        p.env.push((name.to_string(), value.to_string()));
    } else if t.starts_with('-') {
        p.flags.push(t.split('=').next().unwrap_or(t).to_string());
    } else {
        p.fragment = Some(t.to_string());
    }
    p
}

/// A pattern for a program named in prose (`pip`, `prettier`) or a command class (`@test`).
pub fn program_pattern(program: &str) -> CommandPattern {
    CommandPattern {
        text: program.to_string(),
        program: program.to_string(),
        words: vec![],
        flags: vec![],
        env: vec![],
        fragment: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_follow_the_documented_rules() {
        assert_eq!(path_globs("docs/SSOT/**", "", false), vec!["docs/SSOT/**"]);
        assert_eq!(
            path_globs("AGENTS.md", "", false),
            vec!["AGENTS.md", "AGENTS.md/**"]
        );
        assert_eq!(path_globs("docs/v*/", "", false), vec!["docs/v*/**"]);
        assert_eq!(path_globs("*.rs", "", false), vec!["**/*.rs", "**/*.rs/**"]);
        assert_eq!(path_globs(".ungram", "", false), vec!["**/*.ungram"]);
        assert_eq!(path_globs(".env", "", false), vec!["**/.env", "**/.env/**"]);
        assert_eq!(
            path_globs("Cargo.toml", "", false),
            vec!["Cargo.toml", "Cargo.toml/**"]
        );
        assert_eq!(
            path_globs("localazy.xml", "", false),
            vec!["**/localazy.xml", "**/localazy.xml/**"]
        );
        assert_eq!(path_globs("src/**", "pkg/", false), vec!["pkg/src/**"]);
        assert_eq!(
            path_globs("src/x.ts", "", true),
            vec!["**/src/x.ts", "**/src/x.ts/**"]
        );
        assert_eq!(
            path_globs("examples/<fn>/", "", false),
            vec!["examples/*/**"]
        );
    }
}
