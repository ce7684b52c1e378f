//! Approvals that describe what they approve: `{"by": "maintainer", "rule": "Ask first: adding
//! dependencies"}` names no rule id, but a person reading it knows which sentence it answers.

/// Words that say nothing about what was approved (the asking, the approving, who asked).
const FILLER: &[&str] = &[
    "the",
    "a",
    "an",
    "to",
    "and",
    "or",
    "of",
    "for",
    "on",
    "in",
    "with",
    "by",
    "is",
    "are",
    "be",
    "do",
    "not",
    "no",
    "never",
    "always",
    "must",
    "should",
    "ask",
    "asked",
    "asks",
    "first",
    "before",
    "after",
    "unless",
    "without",
    "explicit",
    "explicitly",
    "approval",
    "approve",
    "approved",
    "approves",
    "permission",
    "user",
    "users",
    "human",
    "operator",
    "maintainer",
    "owner",
    "confirmation",
    "confirm",
    "confirmed",
    "request",
    "requested",
    "instruction",
    "instructions",
    "instructed",
    "please",
    "me",
    "my",
    "you",
    "your",
    "it",
    "this",
    "that",
    "ok",
    "yes",
    "go",
    "ahead",
    "allowed",
    "allow",
    "need",
    "needs",
    "only",
    "when",
    "if",
];

/// Shorthand people use for the words of a sentence.
const SYNONYMS: &[(&str, &str)] = &[
    ("pr", "pull request"),
    ("prs", "pull requests"),
    ("deps", "dependencies"),
    ("repo", "repository"),
];

fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in text
        .to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .map(|w| w.trim_matches(|c: char| c == '.' || c == '-'))
        .filter(|w| !w.is_empty())
    {
        match SYNONYMS.iter().find(|(short, _)| *short == w) {
            Some((_, long)) => out.extend(long.split(' ').map(str::to_string)),
            None => out.push(w.to_string()),
        }
    }
    out
}

/// Two words agree when one is the other with an ending (`modify`/`modifying`, `push`/`pushes`).
fn agree(a: &str, b: &str) -> bool {
    let stem = |w: &str| w.chars().take(5).collect::<String>();
    a == b || a.len() >= 4 && b.len() >= 4 && stem(a) == stem(b)
}

/// Whether an approval's description names what `sentence` asks about: the sentence contains
/// it, or it shares at least half of its meaningful words (and at least one) with the sentence.
pub(super) fn describes(description: &str, sentence: &str) -> bool {
    let d = words(description);
    let s = words(sentence);
    if d.is_empty() {
        return false;
    }
    if s.windows(d.len()).any(|w| w == d.as_slice()) {
        return true;
    }
    let meaningful: Vec<&String> = d
        .iter()
        .filter(|w| !FILLER.contains(&w.as_str()) && w.len() > 1)
        .collect();
    if meaningful.is_empty() {
        return false;
    }
    let shared = meaningful
        .iter()
        .filter(|w| s.iter().any(|x| agree(w, x)))
        .count();
    shared * 2 >= meaningful.len()
}

/// Whether an approval's description names the action an ask rule is about: "asked the agent
/// to commit the fix" approves committing under "Do not commit unless the user asks".
pub(super) fn names_action(description: &str, body: &crate::ir::RuleBody) -> bool {
    let crate::ir::RuleBody::ActionDeny { action, .. } = body else {
        return false;
    };
    let d = words(description);
    let names: &[&str] = match action {
        crate::ir::Action::Commit => &["commit"],
        crate::ir::Action::Push => &["push"],
        crate::ir::Action::ForcePush => &["force-push", "force"],
        crate::ir::Action::PullRequest => &["pull", "pr"],
        crate::ir::Action::Merge => &["merge"],
        crate::ir::Action::Deploy => &["deploy"],
        crate::ir::Action::Publish => &["publish", "release"],
        crate::ir::Action::Dependency => &[
            "dependency",
            "dependencies",
            "install",
            "package",
            "packages",
            "add",
            "adding",
        ],
        crate::ir::Action::Amend => &["amend", "--amend"],
        crate::ir::Action::Rebase => &["rebase"],
        crate::ir::Action::Revert => &["revert"],
        crate::ir::Action::Discard => &["discard", "reset", "restore", "revert"],
        crate::ir::Action::Stash => &["stash"],
        crate::ir::Action::RewriteHistory => &[
            "rewrite",
            "reset",
            "force-push",
            "amend",
            "--amend",
            "rebase",
        ],
        crate::ir::Action::SwitchBranch => &["switch", "checkout", "branch"],
        crate::ir::Action::EditPullRequest => &["edit", "description", "title"],
        crate::ir::Action::Issue => &["issue"],
        crate::ir::Action::Comment => &["comment"],
        crate::ir::Action::Tag => &["tag"],
        crate::ir::Action::Branch => &["branch"],
        _ => &[],
    };
    d.iter().any(|w| names.iter().any(|n| agree(w, n)))
}

/// Whether an approval names a path a path rule protects: "Soft-locked files: /config"
/// approves editing under `config/`.
pub(super) fn names_path(description: &str, body: &crate::ir::RuleBody) -> bool {
    let crate::ir::RuleBody::PathDeny { paths, .. } = body else {
        return false;
    };
    let d = description.to_lowercase();
    paths.iter().any(|p| {
        let literal = p.trim_end_matches("/**").trim_start_matches("**/");
        let literal = literal.trim_start_matches('/');
        literal.len() >= 3
            && !literal.contains(['*', '?', '[', '{'])
            && d.split(|c: char| {
                c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '`' | '"')
            })
            .any(|w| w.trim_start_matches('/').trim_end_matches('/') == literal.to_lowercase())
    })
}

#[cfg(test)]
mod tests {
    use super::describes;

    #[test]
    fn a_description_meets_the_sentence_it_names() {
        let s =
            "Ask first: adding dependencies, modifying CI, changing public APIs, large refactors.";
        assert!(describes("Ask first: adding dependencies", s));
        assert!(describes(
            "ask before modifying project structure",
            "Always ask the user before installing packages or modifying project structure."
        ));
        assert!(describes(
            "manual approval to open the PR",
            "You cannot create a pull request, issue or leave a comment without a manual approval of your operator."
        ));
        assert!(describes(
            "NEVER execute without explicit user approval: rm -rf",
            "`rm -rf` or recursive deletes"
        ));
    }

    #[test]
    fn a_description_does_not_meet_other_sentences() {
        assert!(!describes(
            "open PR",
            "Ask before adding dependencies or changing the database schema."
        ));
        assert!(!describes("approved", "Ask before deleting files."));
        assert!(!describes(
            "production changes need confirmation",
            "Do not push, pull, or rebase unless explicitly requested."
        ));
    }
}
