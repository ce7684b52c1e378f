//! `agentgate lint`: what an author needs to see — normative sentences that did not compile
//! (with the nearest form), duplicate ids, rules that contradict each other, globs that match no
//! file, and broken links from `docs/SSOT/index.md`.

use std::path::Path;

use serde::Serialize;

use crate::command::Invocation;
use crate::engine::matchers::{self, Globs};
use crate::ir::{CommandPattern, Origin, PatWord, Policy, Rule, RuleBody};
use crate::source::SourceFile;

/// One thing lint reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintFinding {
    /// `unrecognised`, `duplicate-id`, `contradiction`, `dead-glob`, `broken-link`.
    pub code: &'static str,
    pub message: String,
    pub file: String,
    pub line: usize,
    /// Byte span in `file`.
    #[serde(skip)]
    pub span: (usize, usize),
    pub text: String,
    pub help: String,
}

/// Every lint code, with what it means (used for SARIF rules and docs).
pub const CODES: &[(&str, &str)] = &[
    (
        "unrecognised",
        "A normative sentence that agentgate does not enforce.",
    ),
    (
        "duplicate-id",
        "An explicit rule id given to more than one statement.",
    ),
    (
        "contradiction",
        "Two rules that no plan can satisfy together.",
    ),
    (
        "dead-glob",
        "A rule whose paths match no file in the repository.",
    ),
    (
        "broken-link",
        "A link from docs/SSOT/index.md to a file that does not exist.",
    ),
    (
        "advisory",
        "A sentence read only in part: its rule is a warning and never blocks.",
    ),
    (
        "language",
        "A policy file in a language agentgate does not read: its sentences are not enforced.",
    ),
];

fn at(code: &'static str, o: &Origin, message: String, help: String) -> LintFinding {
    LintFinding {
        code,
        message,
        file: o.file.clone(),
        line: o.line,
        span: o.span,
        text: o.text.clone(),
        help,
    }
}

/// Lint a compiled policy against the repository at `root`.
pub fn lint(root: &Path, policy: &Policy, sources: &[SourceFile]) -> Vec<LintFinding> {
    let mut out = Vec::new();
    for u in &policy.unrecognised {
        out.push(at(
            "unrecognised",
            &u.origin,
            format!("not enforced: {}", u.reason),
            nearest_form(&u.reason).to_string(),
        ));
    }
    for d in &policy.duplicate_ids {
        out.push(at(
            "duplicate-id",
            &d.origin,
            d.reason.clone(),
            "give every statement its own id".into(),
        ));
    }
    // Sentences enforced only in part (not those worded as advice, which warn by design).
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for r in &policy.rules {
        let Some(reason) = &r.reason else { continue };
        if r.strength != crate::ir::Strength::Advisory
            || reason.starts_with("worded as advice")
            || seen.contains(&(r.origin.file.as_str(), r.origin.line))
        {
            continue;
        }
        seen.push((r.origin.file.as_str(), r.origin.line));
        out.push(at(
            "advisory",
            &r.origin,
            format!("advisory only: {reason}"),
            "name what it is about as a path, command or action, or drop the words agentgate cannot observe".into(),
        ));
    }
    contradictions(policy, &mut out);
    dead_globs(root, policy, &mut out);
    broken_links(root, sources, &mut out);
    unread_languages(sources, &mut out);
    out.sort_by(|a, b| {
        (&a.file, a.line, a.code, &a.message).cmp(&(&b.file, b.line, b.code, &b.message))
    });
    out.dedup();
    out
}

/// The form an unrecognised sentence most resembles, as advice.
fn nearest_form(reason: &str) -> &'static str {
    if reason.contains("no trigger") {
        "say when it applies, as in: Run `cmd` before committing. / When you change `src/**`, run `cmd`."
    } else if reason.contains("condition") {
        "make the condition name a path (When you change `src/**`, …), an action (before committing) or code changes"
    } else if reason.contains("without") {
        "use an approval gate (without explicit approval) or a command (without running `cmd`)"
    } else {
        "name what it governs, as in: Never edit `path/**`. / Do not run `cmd`. / Never force push."
    }
}

/// A required command that a command rule forbids: no plan can satisfy both.
fn contradictions(policy: &Policy, out: &mut Vec<LintFinding>) {
    let denies: Vec<(&Rule, &CommandPattern)> = policy
        .rules
        .iter()
        .filter_map(|r| match &r.body {
            RuleBody::CommandDeny { commands, .. } => Some(commands.iter().map(move |p| (r, p))),
            _ => None,
        })
        .flatten()
        .collect();
    for r in &policy.rules {
        let required: Vec<&CommandPattern> = match &r.body {
            RuleBody::RequiredCheck { commands, .. } => commands.iter().collect(),
            RuleBody::RequiredFlag { command, .. } => vec![command],
            _ => continue,
        };
        for p in required {
            let Some(inv) = as_invocation(p) else {
                continue;
            };
            for (d, dp) in &denies {
                if d.roles == r.roles && matchers::matches(dp, &inv) {
                    out.push(at(
                        "contradiction",
                        &r.origin,
                        format!(
                            "requires `{}`, which rule `{}` ({}:{}) forbids",
                            p.text, d.id, d.origin.file, d.origin.line
                        ),
                        "remove one of the two statements, or narrow one with an exception".into(),
                    ));
                }
            }
        }
    }
}

fn as_invocation(p: &CommandPattern) -> Option<Invocation> {
    if p.program.is_empty() || p.program.starts_with('@') {
        return None;
    }
    let mut args: Vec<String> = p
        .words
        .iter()
        .map(|w| match w {
            PatWord::Lit(l) => l.clone(),
            PatWord::Any => "x".into(),
        })
        .collect();
    args.extend(p.flags.iter().cloned());
    Some(Invocation {
        program: p.program.clone(),
        args,
        env: p.env.clone(),
        background: false,
        cwd: Some(String::new()),
        wrappers: vec![],
    })
}

/// Repository files, relative, skipping what agentgate never reads.
fn repo_files(root: &Path) -> Vec<String> {
    const SKIP: &[&str] = &[
        ".git",
        "node_modules",
        "target",
        ".venv",
        "venv",
        "__pycache__",
    ];
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !SKIP.contains(&e.file_name().to_string_lossy().as_ref())
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            e.path()
                .strip_prefix(root)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

fn dead_globs(root: &Path, policy: &Policy, out: &mut Vec<LintFinding>) {
    let files = repo_files(root);
    for r in policy.rules.iter().filter(|r| r.origin.file != "builtin") {
        let paths: Vec<String> = match &r.body {
            RuleBody::PathDeny { paths, .. }
            | RuleBody::ReadDeny { paths, .. }
            | RuleBody::Generated { paths, .. }
            | RuleBody::ReviewRequirement { paths, .. }
            | RuleBody::RiskClass { paths, .. }
            | RuleBody::RequiredRead { paths, .. } => paths.clone(),
            RuleBody::CoChange { then_paths, .. } => then_paths.clone(),
            _ => continue,
        };
        if paths
            .iter()
            .any(|p| p == "**" || p.ends_with("/**") && p.len() <= r.scope.len() + 3)
        {
            continue;
        }
        let Ok(g) = Globs::new(&paths) else { continue };
        if !files.iter().any(|f| g.matches(f)) {
            out.push(at(
                "dead-glob",
                &r.origin,
                format!("`{}` matches no file in the repository", paths.first().map(|p| p.trim_end_matches("/**")).unwrap_or("")),
                "check the spelling and the base folder: globs in a nested AGENTS.md are relative to its folder".into(),
            ));
        }
    }
}

fn broken_links(root: &Path, sources: &[SourceFile], out: &mut Vec<LintFinding>) {
    let Some(index) = sources.iter().find(|s| s.path == "docs/SSOT/index.md") else {
        return;
    };
    for (event, range) in pulldown_cmark::Parser::new(&index.text).into_offset_iter() {
        let pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { dest_url, .. }) = event else {
            continue;
        };
        let dest = dest_url.split('#').next().unwrap_or("");
        if dest.is_empty() || dest.contains("://") || dest.starts_with("mailto:") {
            continue;
        }
        let target = if let Some(abs) = dest.strip_prefix('/') {
            root.join(abs)
        } else {
            root.join("docs/SSOT").join(dest)
        };
        if !target.exists() {
            out.push(LintFinding {
                code: "broken-link",
                message: format!("links to `{dest}`, which does not exist"),
                file: index.path.clone(),
                line: index.line_of(range.start),
                span: (range.start, range.end),
                text: index.text[range.clone()].to_string(),
                help: "fix the link or add the document".into(),
            });
        }
    }
}

/// Frequent English words, to tell English from the languages of grammar/languages.toml.
const ENGLISH: &[&str] = &[
    "the", "and", "to", "of", "a", "in", "is", "for", "that", "with", "be", "on", "not", "never",
    "always", "run", "files", "you", "use", "do", "before", "when", "are", "this",
];

/// The language a text is mostly written in: `None` for English; `Some((code, read))` for a
/// language of grammar/languages.toml (read) or one only recognised (not read). Letters of a
/// script no listed language uses (Arabic, Hebrew, Greek, Devanagari, Thai) are a language not
/// read.
pub fn language_of(text: &str) -> Option<(String, bool)> {
    let v = crate::vocab::get();
    let words = crate::vocab::split_words(text);
    if words.len() < 20 {
        return None;
    }
    let other_script = text
        .chars()
        .filter(|c| {
            matches!(*c as u32, 0x0370..=0x03FF | 0x0590..=0x06FF | 0x0900..=0x0DFF | 0x0E00..=0x0EFF)
        })
        .count();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count().max(1);
    if other_script * 3 > letters {
        return Some(("other".into(), false));
    }
    let english = words
        .iter()
        .filter(|w| ENGLISH.contains(&w.as_str()))
        .count();
    let best = v
        .languages
        .iter()
        .map(|l| (l, words.iter().filter(|w| l.stopwords.contains(*w)).count()))
        .max_by_key(|(l, n)| (*n, l.read))?;
    (best.1 > english && best.1 >= 8).then(|| (best.0.code.clone(), best.0.read))
}

/// A policy file in a language agentgate does not read.
fn unread_languages(sources: &[SourceFile], out: &mut Vec<LintFinding>) {
    for src in sources.iter().filter(|s| s.path.ends_with(".md")) {
        if let Some((code, false)) = language_of(&src.text) {
            let first = src.text.lines().next().unwrap_or("").to_string();
            out.push(LintFinding {
                code: "language",
                message: format!(
                    "written in a language agentgate does not read ({code}): none of its sentences is enforced"
                ),
                file: src.path.clone(),
                line: 1,
                span: (0, first.len()),
                text: first,
                help: "agentgate reads English, Chinese, Japanese, Korean, Spanish, Portuguese, German, French and Russian; write the rules in one of them, or in an ```agentgate block".into(),
            });
        }
    }
}
