//! Targets named by tokens: paths, commands, roles, risk levels.

use super::*;

pub(super) fn risk_of(tokens: &[Token], i: usize) -> Risk {
    match tag(tokens, i) {
        "low" => Risk::Low,
        "medium" => Risk::Medium,
        "high" => Risk::High,
        _ => Risk::Critical,
    }
}

/// Roles a rule is scoped to: "Reviewer agents MUST NOT …" → `reviewer`; "Only the `release` role
/// may …" → every role but `release` (`!release`).
pub(super) fn roles(tokens: &[Token], main: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    for (k, i) in main.iter().enumerate() {
        let t = &tokens[*i];
        // "Reviewer agents MUST NOT …" names a role at the start of a clause; "meant for
        // agents" does not.
        if t.tag == "agents" && (1..=2).contains(&k) && t.value.starts_with("agent") {
            let w = &tokens[main[k - 1]];
            if matches!(w.tag, "w" | "review" | "code")
                && !matches!(
                    w.value.as_str(),
                    "the"
                        | "all"
                        | "for"
                        | "to"
                        | "by"
                        | "of"
                        | "with"
                        | "as"
                        | "other"
                        | "any"
                        | "non"
                        | "ai"
                )
            {
                out.push(role_name(&w.value));
            }
        }
        if t.tag == "roles" && k > 0 {
            let w = &tokens[main[k - 1]];
            if matches!(w.tag, "w" | "code" | "review") {
                let only = main[..k].iter().any(|j| tokens[*j].tag == "only");
                out.push(if only {
                    format!("!{}", role_name(&w.value))
                } else {
                    role_name(&w.value)
                });
            }
        }
    }
    out
}

pub(super) fn role_name(w: &str) -> String {
    match w {
        "reviewer" | "reviewers" | "review" => "reviewer".into(),
        w if w.len() > 4 && w.ends_with('s') && !w.ends_with("ss") => w[..w.len() - 1].to_string(),
        w => w.to_string(),
    }
}

/// Path globs named by tokens: paths and nouns that stand for paths.
pub(super) fn collect_paths(
    tokens: &[Token],
    idx: &[usize],
    cx: &Context,
    anywhere: bool,
    out: &mut Outcome,
) -> Vec<String> {
    collect_paths_with(tokens, idx, cx, anywhere, Nouns::All, out)
}

/// Which nouns may stand for paths.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Nouns {
    All,
    /// Not the nouns that mean "every file" ("code", "folders").
    Narrow,
    /// Behind an approval gate: every noun, and "files" itself ("ask before deleting any file").
    Gated,
    None,
}

pub(super) fn collect_paths_with(
    tokens: &[Token],
    idx: &[usize],
    cx: &Context,
    anywhere: bool,
    nouns: Nouns,
    out: &mut Outcome,
) -> Vec<String> {
    let mut paths = Vec::new();
    // "Python files in `legacy/`": the place narrows the noun's files, it is not more of them.
    let mut consumed: Vec<usize> = Vec::new();
    for (k, i) in idx.iter().enumerate() {
        let t = &tokens[*i];
        if consumed.contains(&k) {
            continue;
        }
        // "minor/major changesets": a qualified noun names a subset agentgate cannot see.
        if t.tag == "noun" && k > 0 {
            let p = &tokens[idx[k - 1]];
            let cjk_particle = p
                .value
                .chars()
                .all(|c| vocab::get().words.cjk_function.contains(&c));
            if p.tag == "w"
                && !cjk_particle
                && !matches!(
                    p.value.as_str(),
                    "new"
                        | "the"
                        | "any"
                        | "all"
                        | "existing"
                        | "a"
                        | "an"
                        | "your"
                        | "corresponding"
                        | "appropriate"
                        | "other"
                        | "these"
                        | "those"
                        | "make"
                        | "making"
                        | "to"
                        | "in"
                        | "of"
                        | "for"
                        | "with"
                        | "under"
                        | "on"
                        | "into"
                        | "from"
                )
            {
                continue;
            }
        }
        // "`*.test.tsx` unit tests", "`*.pb.go` generated code": a noun right after a path
        // says what the path holds; it adds no paths of its own.
        if t.tag == "noun" && k > 0 && tokens[idx[k - 1]].tag == "path" {
            continue;
        }
        match t.tag {
            "path" => {
                for g in path_globs(&t.value, cx.scope, anywhere) {
                    match glob_error(&g) {
                        Some(e) => out.bad_globs.push((t.value.clone(), e)),
                        None => paths.push(g),
                    }
                }
                // "`.env` files": every file of that family (`.env.local`, `.env.production`).
                let family = t.value.starts_with('.')
                    && !t.value[1..].contains(['.', '/', '*'])
                    && idx
                        .get(k + 1)
                        .is_some_and(|n| tokens[*n].tag == "files" && tokens[*n].value == "files");
                if family {
                    paths.push(format!("{}**/{}.*", cx.scope, t.value));
                }
            }
            "noun" if nouns != Nouns::None => {
                if let Some(list) = vocab::get().noun_paths.get(&t.value).filter(|l| {
                    matches!(nouns, Nouns::All | Nouns::Gated) || !l.iter().any(|g| g == "**")
                }) {
                    let place = (idx.get(k + 1), idx.get(k + 2));
                    let place = match place {
                        (Some(p), Some(d))
                            if matches!(
                                tokens[*p].value.as_str(),
                                "in" | "under" | "inside" | "within"
                            ) && tokens[*d].tag == "path"
                                // a folder (`legacy/`), not a file (`db/schema.sql`)
                                && (tokens[*d].value.ends_with('/')
                                    || !tokens[*d].value.rsplit('/').next().unwrap_or("").contains('.'))
                                && list.iter().all(|g| g.starts_with("**/")) =>
                        {
                            Some(tokens[*d].value.trim_end_matches(['/', '*']).to_string())
                        }
                        _ => None,
                    };
                    match place {
                        Some(dir) if !dir.is_empty() => {
                            consumed.push(k + 2);
                            for g in list {
                                paths.push(format!("{}{dir}/{g}", cx.scope));
                            }
                        }
                        _ => {
                            for g in list {
                                paths.push(format!("{}{}", cx.scope, g));
                            }
                        }
                    }
                }
            }
            // "any file", "all files": every file (only behind an approval gate).
            // "`generated` subdirectories", "the `dist` folder": a folder of that name anywhere.
            "code"
                if nouns != Nouns::None
                    && t.value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                    && idx.get(k + 1).is_some_and(|n| {
                        matches!(
                            tokens[*n].value.as_str(),
                            "folder"
                                | "folders"
                                | "directory"
                                | "directories"
                                | "dir"
                                | "dirs"
                                | "subdirectory"
                                | "subdirectories"
                                | "subfolder"
                                | "subfolders"
                        )
                    }) =>
            {
                paths.push(format!("{}**/{}/**", cx.scope, t.value))
            }
            // "Ask first: file deletions", "file modifications".
            "files"
                if nouns == Nouns::Gated
                    && idx.get(k + 1).is_some_and(|n| {
                        matches!(tokens[*n].tag, "write" | "delete" | "move" | "create")
                    }) =>
            {
                paths.push(format!("{}**", cx.scope))
            }
            "files"
                if nouns == Nouns::Gated
                    && k > 0
                    && (matches!(
                        tokens[idx[k - 1]].value.as_str(),
                        "any" | "all" | "every" | "each"
                    ) || matches!(
                        tokens[idx[k - 1]].tag,
                        "write" | "create" | "delete" | "move"
                    )) =>
            {
                paths.push(format!("{}**", cx.scope))
            }
            _ => {}
        }
    }
    dedup(paths)
}

/// Why a glob is invalid, if it is. Only classes, alternates and escapes can be (a glob without
/// `[`, `]`, `{`, `}` or `\` always parses, tested below), and building the glob only to
/// check that cost a sixth of interpreting a large policy.
fn glob_error(glob: &str) -> Option<String> {
    if !glob.contains(['[', ']', '{', '}', '\\']) {
        return None;
    }
    globset::Glob::new(glob).err().map(|e| e.kind().to_string())
}

/// Command patterns named by tokens: command code spans and programs named in prose.
pub(super) fn collect_commands(tokens: &[Token], idx: &[usize]) -> Vec<CommandPattern> {
    let mut out = Vec::new();
    for i in idx {
        let t = &tokens[*i];
        match t.tag {
            "cmd" => out.extend(command_patterns(&t.value)),
            "prog" if governed_program(tokens, *i) => out.push(program_pattern(&t.value)),
            _ => {}
        }
    }
    dedup(out)
}

/// A program named in prose is a target only as the object of a verb or modal: "never pip",
/// "always use Prettier", "use uv, not pip or poetry" — not "the Ruff checkout".
pub(super) fn governed_program(tokens: &[Token], i: usize) -> bool {
    let mut j = i;
    while j > 0 {
        j -= 1;
        match tokens[j].tag {
            "comma" | "and" | "or" | "prog" => continue,
            "run" | "use" | "deny" | "not" | "avoid" | "pass" | "only" => return true,
            "w" if tokens[j].value == "the"
                && j > 0
                && matches!(tokens[j - 1].tag, "run" | "use") =>
            {
                return true
            }
            _ => return listed_after_colon(tokens, i),
        }
    }
    false
}

/// "Never use: `a`, PowerShell, cmd.exe": an item of a list a colon opens after the verb.
fn listed_after_colon(tokens: &[Token], i: usize) -> bool {
    let mut j = i;
    while j > 0 {
        j -= 1;
        match tokens[j].tag {
            "comma" | "and" | "or" | "prog" | "w" | "path" | "cmd" | "code" => continue,
            "colon" => {
                return j > 0 && matches!(tokens[j - 1].tag, "run" | "use" | "deny" | "avoid")
            }
            _ => return false,
        }
    }
    false
}

/// Which patterns a noun standing for commands may give.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum NounCommands {
    All,
    /// Flags only ("the release profile" → `--release`).
    Flags,
    /// Programs only ("the tests" → a test command).
    Programs,
}

/// Command patterns for a noun token that stands for commands ("the full test suite").
pub(super) fn noun_command_patterns(token: &Token, which: NounCommands) -> Vec<CommandPattern> {
    if token.tag != "noun" {
        return Vec::new();
    }
    let Some(list) = vocab::get().noun_commands.get(&token.value) else {
        return Vec::new();
    };
    list.iter()
        .filter(|c| match which {
            NounCommands::All => true,
            NounCommands::Flags => c.starts_with('-'),
            NounCommands::Programs => !c.starts_with('-'),
        })
        .map(|c| {
            if c.starts_with('-') {
                flag_pattern(c)
            } else {
                program_pattern(c)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::glob_error;
    use proptest::prelude::*;

    proptest! {
        /// The fast path is right: without classes, alternates or escapes, globset accepts
        /// every pattern, `**` anywhere included.
        #[test]
        fn globs_without_brackets_always_parse(g in "[a-z*?/.!, ~^$()|+-]{0,24}") {
            prop_assert!(globset::Glob::new(&g).is_ok());
            prop_assert_eq!(glob_error(&g), None);
        }
    }

    #[test]
    fn bad_globs_are_still_found() {
        assert_eq!(
            glob_error("src/[a.rs").as_deref(),
            Some("unclosed character class; missing ']'")
        );
        assert!(glob_error("{a,b").is_some());
        assert!(glob_error("a\\").is_some());
        assert_eq!(glob_error("src/{a,b}/*.rs"), None);
    }
}
