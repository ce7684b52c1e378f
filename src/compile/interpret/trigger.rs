//! Conditions: what makes an obligation apply.

use super::*;

/// The `when_paths` marker for "code changes" in a co-change rule.
pub(super) fn vocab_code_marker() -> Vec<String> {
    vec![":code".to_string()]
}

/// How a condition was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sure {
    /// Named an action, a path or "code changes".
    Explicit,
    /// "after changing <something we cannot resolve>": read as code changes.
    Fallback,
}

/// The trigger of a condition and the paths it is limited to; None when the condition names
/// nothing agentgate can observe ("if `cargo nextest` is not available").
pub(super) fn trigger_of(
    tokens: &[Token],
    idx: &[usize],
    extra_verbs: &[&str],
    cx: &Context,
    out: &mut Outcome,
) -> Option<(Trigger, Vec<String>, Sure)> {
    let tags: Vec<&str> = idx.iter().map(|i| tag(tokens, *i)).collect();
    let act = |a: &str| tags.contains(&a);
    let ready = idx.iter().any(|i| tokens[*i].value == "ready");
    let trigger = if act("act_pull_request") && ready || act("act_ready_pull_request") {
        Some(Trigger::PullRequestReady)
    } else if act("act_pull_request") {
        Some(Trigger::PullRequest)
    } else if act("act_commit") {
        Some(Trigger::Commit)
    } else if act("act_push") || act("act_force_push") {
        Some(Trigger::Push)
    } else if act("act_merge") {
        Some(Trigger::Merge)
    } else if act("act_tag") {
        Some(Trigger::Tag)
    } else if act("act_publish") {
        Some(Trigger::Publish)
    } else if act("act_dependency") {
        Some(Trigger::Dependency)
    } else {
        None
    };
    let mut paths = collect_paths_with(tokens, idx, cx, false, Nouns::Narrow, out);
    // Words naming a folder the document mentions: "adding a registry entry" → `registry/`.
    let file_verb = idx.iter().any(|i| {
        matches!(
            tag(tokens, *i),
            "write" | "create" | "delete" | "move" | "changes_to"
        )
    });
    for i in idx {
        let t = &tokens[*i];
        if file_verb && t.tag == "w" && cx.file_dirs.contains(&t.value) {
            paths.push(format!("{}{}/**", cx.scope, t.value));
        }
    }
    if let Some(t) = trigger {
        return Some((t, paths, Sure::Explicit));
    }
    // "Build before running tests": a condition that is a run of commands (not a change to
    // files) is due before the first of them; anything else run first is not observed.
    if runs_first(tokens, idx) && !file_verb {
        let before = idx
            .first()
            .is_some_and(|i| *i > 0 && tag(tokens, *i - 1) == "before");
        return (before && !run_condition(tokens, idx).is_empty()).then_some((
            Trigger::Run,
            vec![],
            Sure::Explicit,
        ));
    }
    if fix_work(tokens, idx) {
        return Some((Trigger::Fix, paths, Sure::Explicit));
    }
    if paths.is_empty() && delivery(tokens, idx) {
        return Some((Trigger::Deliver, paths, Sure::Explicit));
    }
    // A verb done by the agent: first in the condition, or after "you"/"making".
    let agent_verb = |v: &[&str]| {
        idx.iter().enumerate().any(|(k, i)| {
            v.contains(&tag(tokens, *i))
                && idx[..k].iter().all(|j| {
                    matches!(tag(tokens, *j), "agents" | "also")
                        || matches!(
                            tokens[*j].value.as_str(),
                            "making" | "make" | "any" | "you've" | "have"
                        )
                })
        })
    };
    let before = idx
        .first()
        .is_some_and(|i| *i > 0 && tag(tokens, *i - 1) == "before");
    let any_verb = |v: &[&str]| idx.iter().any(|i| v.contains(&tag(tokens, *i)));
    let creates = agent_verb(&["create"])
        || before && any_verb(&["create"])
        || extra_verbs.contains(&"create");
    let writes = agent_verb(&["write", "delete", "move", "changes_to"])
        || before && any_verb(&["write", "delete", "move"])
        || extra_verbs.contains(&"write");
    let code = idx.iter().any(|i| {
        tokens[*i].tag == "noun"
            && matches!(
                tokens[*i].value.as_str(),
                "code" | "source code" | "代码" | "コード"
            )
            || tokens[*i].tag == "code" && tokens[*i].value.contains("change")
    });
    if !paths.is_empty() {
        return Some((
            if creates && !writes {
                Trigger::Add
            } else {
                Trigger::Change
            },
            paths,
            Sure::Explicit,
        ));
    }
    if code {
        return Some((Trigger::CodeChange, vec![], Sure::Explicit));
    }
    if creates || writes {
        // "before editing", "if you changed files": any change. "after changing lint rules": code.
        let verb_at = idx
            .iter()
            .position(|i| {
                matches!(
                    tag(tokens, *i),
                    "write" | "create" | "delete" | "move" | "changes_to"
                )
            })
            .unwrap_or(0);
        let rest = &idx[verb_at + 1..];
        let unresolved = rest.iter().any(|i| tag(tokens, *i) == "code")
            || rest.iter().any(|i| {
                tag(tokens, *i) == "w"
                    && !matches!(
                        tokens[*i].value.as_str(),
                        "the"
                            | "a"
                            | "any"
                            | "in"
                            | "repo"
                            | "repository"
                            | "something"
                            | "anything"
                            | "this"
                            | "your"
                    )
            });
        if !unresolved {
            return Some((
                if creates && !writes {
                    Trigger::Add
                } else {
                    Trigger::Change
                },
                vec![],
                Sure::Explicit,
            ));
        }
        let words: Vec<String> = rest
            .iter()
            .filter(|i| matches!(tag(tokens, **i), "w" | "noun"))
            .map(|i| tokens[*i].value.clone())
            .filter(|w| {
                w.len() >= 4
                    && w.chars()
                        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                    && !STOP_WORDS.contains(&w.as_str())
            })
            .collect();
        if words.is_empty() {
            return None;
        }
        return Some((
            Trigger::SourceChange,
            word_globs(&words, cx.scope),
            Sure::Fallback,
        ));
    }
    None
}

/// "before you finish", "when you are done", "at the end of each task": a condition about
/// handing the work over, and nothing else.
pub(super) fn delivery(tokens: &[Token], idx: &[usize]) -> bool {
    let words = &vocab::get().words;
    let head_ends = idx
        .first()
        .is_some_and(|i| *i > 0 && tokens[*i - 1].value.starts_with("at the end"));
    let named = head_ends
        || idx
            .iter()
            .any(|i| words.delivery.contains(&tokens[*i].value));
    named
        && idx.iter().all(|i| {
            let t = &tokens[*i];
            matches!(t.tag, "agents" | "this" | "also" | "comma")
                || t.tag == "w"
                    && (!frame::unknown(tokens, *i)
                        || words.activity.contains(&t.value)
                        || words.delivery.contains(&t.value))
        })
}

pub(super) const STOP_WORDS: &[&str] = &[
    "that",
    "this",
    "these",
    "those",
    "with",
    "from",
    "into",
    "your",
    "their",
    "they",
    "them",
    "when",
    "then",
    "than",
    "have",
    "will",
    "would",
    "could",
    "should",
    "about",
    "other",
    "some",
    "such",
    "also",
    "only",
    "just",
    "more",
    "most",
    "very",
    "each",
    "every",
    "what",
    "which",
    "while",
    "where",
    "there",
    "here",
    "make",
    "making",
    "under",
    "below",
    "above",
    "inside",
    "within",
    "files",
    "file",
    "folder",
    "folders",
    "directory",
    "directories",
];

/// "after changing lint rules or settings" → folders or files named by those words.
pub(super) fn word_globs(words: &[String], scope: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in words {
        let w = w.to_lowercase();
        let mut forms = vec![w.clone()];
        if let Some(stem) = w.strip_suffix('s') {
            forms.push(stem.to_string());
        } else {
            forms.push(format!("{w}s"));
        }
        for f in forms {
            out.push(format!("{scope}**/{f}/**"));
            out.push(format!("{scope}**/{f}.*"));
        }
    }
    out
}

/// "When fixing bugs", "for bug fixes", "when you fix a bug": a condition that names bug-fix
/// work and nothing else.
pub(super) fn fix_work(tokens: &[Token], idx: &[usize]) -> bool {
    let words: Vec<&str> = idx
        .iter()
        .flat_map(|i| tokens[*i].value.split(' '))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    let fix = |w: &&str| matches!(*w, "fix" | "fixes" | "fixing" | "bugfix" | "bugfixes");
    let names_bug = words
        .iter()
        .any(|w| matches!(*w, "bug" | "bugs" | "bugfix" | "bugfixes"));
    names_bug
        && words.iter().any(fix)
        && words.iter().all(|w| {
            fix(w)
                || matches!(
                    *w,
                    "bug"
                        | "bugs"
                        | "when"
                        | "whenever"
                        | "while"
                        | "for"
                        | "if"
                        | "a"
                        | "an"
                        | "any"
                        | "the"
                        | "you"
                        | "are"
                        | "agents"
                        | "every"
                        | "each"
                        | "all"
                        | "fixed"
                )
        })
}

/// A condition that starts with running something: "before running tests".
fn runs_first(tokens: &[Token], idx: &[usize]) -> bool {
    idx.iter()
        .find(|i| {
            !matches!(
                tokens[**i].value.as_str(),
                "you" | "when" | "before" | "after"
            )
        })
        .is_some_and(|i| tag(tokens, *i) == "run" && tokens[*i].value.ends_with("ing"))
}

/// The commands a run condition names ("before running tests" → the test class, "before
/// running `make e2e`" → `make e2e`), when every word after the verb is one of them or neutral.
pub(super) fn run_condition(tokens: &[Token], idx: &[usize]) -> Vec<CommandPattern> {
    if !runs_first(tokens, idx) {
        return vec![];
    }
    let verb = idx
        .iter()
        .position(|i| tag(tokens, *i) == "run")
        .unwrap_or(0);
    let rest = &idx[verb + 1..];
    let mut out = super::targets::collect_commands(tokens, rest);
    for i in rest {
        out.extend(super::targets::noun_command_patterns(
            &tokens[*i],
            super::targets::NounCommands::Programs,
        ));
    }
    let understood = rest.iter().all(|i| {
        matches!(
            tag(tokens, *i),
            "cmd" | "prog" | "noun" | "and" | "or" | "comma"
        ) || matches!(
            tokens[*i].value.as_str(),
            "the" | "any" | "all" | "your" | "a"
        )
    });
    if understood {
        out
    } else {
        vec![]
    }
}
