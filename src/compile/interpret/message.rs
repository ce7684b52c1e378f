//! Rules about what the plan writes for people: commit trailers, credits, the language of
//! messages, title templates and branch-name prefixes.
//!
//! Each form names both the text (a commit, a pull request or its title, an issue, a comment, a
//! branch name) and the requirement; a clause that names only one of them is not this form.

use super::*;
use crate::ir::{TextPart, TextRule};

/// Which texts a clause names: commits, pull requests, issues, comments, branch names; and
/// whether it names a title (a first line, a branch's name).
fn texts(tokens: &[Token], main: &[usize]) -> (Vec<Action>, bool) {
    let mut on = Vec::new();
    let mut title = false;
    for i in main {
        let t = &tokens[*i];
        let v = t.value.as_str();
        let add = |on: &mut Vec<Action>, a: Action| {
            if !on.contains(&a) {
                on.push(a)
            }
        };
        match t.tag {
            // ("Conventional Commits" names a convention, not the commits.)
            "act_commit" if !(*i > 0 && tokens[*i - 1].value == "conventional") => {
                add(&mut on, Action::Commit)
            }
            "act_pull_request" | "act_ready_pull_request" => add(&mut on, Action::PullRequest),
            "act_issue" => add(&mut on, Action::Issue),
            "act_comment" => add(&mut on, Action::Comment),
            "act_branch" => add(&mut on, Action::Branch),
            "w" if v.starts_with("commit message") || v.starts_with("commit title") => {
                add(&mut on, Action::Commit);
                title |= v.contains("title");
            }
            "w" if v.starts_with("pr ") || v.starts_with("pull request ") => {
                add(&mut on, Action::PullRequest);
                title |= v.contains("title");
            }
            "w" if v.starts_with("branch name") => {
                add(&mut on, Action::Branch);
                title = true;
            }
            "w" if matches!(v, "title" | "titles" | "subject" | "name" | "names") => title = true,
            // "the value passed to `gh pr create --title`": the command names the text.
            "cmd" if v.starts_with("gh pr create") || v.starts_with("gh pr edit") => {
                add(&mut on, Action::PullRequest);
                title |= v.contains("--title") || v.contains(" -t");
            }
            "cmd" if v.starts_with("git commit") => {
                add(&mut on, Action::Commit);
                title |= v.contains(" -m");
            }
            _ => {}
        }
    }
    (on, title)
}

/// `Co-Authored-By`, `Signed-off-by:`, `Change-Id`: a trailer key.
fn trailer(v: &str) -> bool {
    let k = v.trim_end_matches(':');
    let parts: Vec<&str> = k.split('-').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphabetic()))
        && (k.to_lowercase().ends_with("-by") || v.ends_with(':'))
}

fn has_value(tokens: &[Token], main: &[usize], words: &[&str]) -> bool {
    main.iter()
        .any(|i| words.contains(&tokens[*i].value.as_str()))
}

/// Read a message rule off a clause, when it is one.
pub(super) fn message_form(tokens: &[Token], c: &Clause) -> Option<RuleBody> {
    let main = &c.main;
    if let Some(body) = length_form(tokens, c) {
        return Some(body);
    }
    let (mut on, title) = texts(tokens, main);
    // "Mensagens em Conventional Commits", "Conventional commits (`feat:`, `fix:`)": the
    // convention names the text itself.
    let names_conventional = main
        .windows(2)
        .any(|w| tokens[w[0]].value == "conventional" && tokens[w[1]].value.starts_with("commit"));
    if names_conventional && !on.contains(&Action::Commit) && !on.contains(&Action::PullRequest) {
        on.push(Action::Commit);
    }
    // "as a co-author": a commit's `Co-authored-by:` trailer.
    let coauthor = main.iter().any(|i| {
        matches!(
            tokens[*i].value.as_str(),
            "co-author"
                | "co-authors"
                | "coauthor"
                | "coauthors"
                | "co-authored"
                | "co-authoring"
                | "coauthoring"
                | "co-authorship"
        )
    });
    if coauthor && !on.contains(&Action::Commit) {
        on.push(Action::Commit);
    }
    // "never manually write a `Signed-off-by` trailer": a trailer key (`X-by:`) is a commit's.
    let trailer_named = main.iter().any(|i| {
        let t = &tokens[*i];
        matches!(t.tag, "code" | "flag")
            && trailer(&t.value)
            && t.value.to_lowercase().ends_with("-by")
    });
    if trailer_named && on.is_empty() {
        on.push(Action::Commit);
    }
    if on.is_empty() {
        return None;
    }
    let denies = has(tokens, main, "deny");
    // An imperative ("Add `Co-Authored-By` lines to all commits") obliges like "must".
    let imperative = lead_word(tokens, main).is_some_and(|t| VERBS.contains(&t));
    let must = !denies && (has(tokens, main, "must") || has(tokens, main, "should") || imperative);
    // A trailer named in code or as a word ("co-authored-by").
    let key = main
        .iter()
        .map(|i| &tokens[*i])
        .find(|t| matches!(t.tag, "code" | "w" | "flag") && trailer(&t.value))
        .map(|t| t.value.clone())
        .or_else(|| coauthor.then(|| "Co-authored-by".to_string()));
    // "NEVER list any agent, model, or tool … in a co-authored-by annotation": no AI credits.
    if denies {
        let ai = has(tokens, main, "agents")
            || has_value(
                tokens,
                main,
                &[
                    "model",
                    "models",
                    "tool",
                    "tools",
                    "llm",
                    "llms",
                    "ai",
                    "yourself",
                    "claude",
                    "copilot",
                    "assistant",
                ],
            );
        if let (Some(k), true, true) = (&key, ai, on.contains(&Action::Commit)) {
            return Some(RuleBody::Message {
                on: vec![Action::Commit],
                part: TextPart::All,
                require: TextRule::NoAiCredit(k.clone()),
            });
        }
        // "Do not add `Co-authored-by:` in commit messages": the trailer is not to be written.
        let written = main
            .iter()
            .any(|i| matches!(tag(tokens, *i), "create" | "include" | "use" | "write"))
            || has_value(tokens, main, &["put", "add", "mention"]);
        if let (Some(k), true, true) = (&key, written, on.contains(&Action::Commit)) {
            let only_key = main.iter().all(|i| {
                !frame::unknown(tokens, *i)
                    || trailer(&tokens[*i].value)
                    || tokens[*i].value.starts_with("co-author")
                    || tokens[*i].value.starts_with("commit message")
                    || matches!(
                        tokens[*i].value.as_str(),
                        "put"
                            | "trailer"
                            | "trailers"
                            | "line"
                            | "lines"
                            | "manually"
                            | "by hand"
                            | "yourself"
                    )
            });
            if only_key {
                return Some(RuleBody::Message {
                    on: vec![Action::Commit],
                    part: TextPart::All,
                    require: TextRule::Excludes(k.clone()),
                });
            }
        }
        return None;
    }
    // "Commits follow Conventional Commits", "- Conventional commits (`feat:`, …)": a
    // convention stated, or named alone as an item, is followed.
    let follows = has_value(
        tokens,
        main,
        &["follow", "follows", "adhere", "adheres", "em"],
    );
    let named_alone = names_conventional
        && main.iter().all(|i| {
            matches!(tag(tokens, *i), "act_commit" | "colon" | "dash")
                || !frame::unknown(tokens, *i)
                || tokens[*i].value == "conventional"
        });
    if !must && !has(tokens, main, "use") && !(names_conventional && (follows || named_alone)) {
        return None;
    }
    // "— no `fix:` / `docs:` prefix": a requirement said with a negation names what not to
    // write; this form reads only what to write.
    let negated = main.iter().enumerate().any(|(k, i)| {
        let scope_next = main
            .get(k + 1)
            .is_some_and(|j| matches!(tokens[*j].value.as_str(), "scope" | "scopes"));
        (matches!(tag(tokens, *i), "no" | "avoid" | "without")
            || matches!(
                tokens[*i].value.as_str(),
                "not" | "never" | "no" | "without"
            ))
            && !(names_conventional && scope_next)
    });
    if negated {
        return None;
    }
    let on_commits = on.contains(&Action::Commit);
    // "Add `Co-Authored-By` lines to all commits".
    if let (Some(k), true) = (&key, on_commits) {
        if has(tokens, main, "create") || has(tokens, main, "include") || must {
            return Some(RuleBody::Message {
                on: vec![Action::Commit],
                part: TextPart::All,
                require: TextRule::Contains(k.clone()),
            });
        }
    }
    // "Scope is **required** for all commits", "Commits must include a scope": a
    // Conventional Commits header with its scope.
    let scope_required = main.iter().enumerate().any(|(k, i)| {
        let scope = |j: usize| {
            main.get(j)
                .is_some_and(|m| matches!(tokens[*m].value.as_str(), "scope" | "scopes"))
        };
        let said_of =
            scope(k) && k <= 1 && main.get(k + 1).is_some_and(|m| tag(tokens, *m) == "must");
        let included = matches!(
            tokens[*i].value.as_str(),
            "include" | "includes" | "have" | "has" | "with" | "need" | "needs"
        ) && (scope(k + 1)
            || main
                .get(k + 1)
                .is_some_and(|m| matches!(tokens[*m].value.as_str(), "a" | "the"))
                && scope(k + 2));
        said_of || included && must
    });
    if scope_required
        && on
            .iter()
            .any(|a| matches!(a, Action::Commit | Action::PullRequest))
    {
        let on: Vec<Action> = on
            .iter()
            .copied()
            .filter(|a| matches!(a, Action::Commit | Action::PullRequest))
            .collect();
        return Some(RuleBody::Message {
            on,
            part: TextPart::Title,
            require: TextRule::Template(vec![crate::engine::text::SCOPED.into()]),
        });
    }
    // "Use Conventional Commits for commit messages", "PR titles follow Conventional Commits".
    let conventional = main
        .windows(2)
        .any(|w| tokens[w[0]].value == "conventional" && tokens[w[1]].value.starts_with("commit"));
    if conventional {
        let on: Vec<Action> = on
            .iter()
            .copied()
            .filter(|a| matches!(a, Action::Commit | Action::PullRequest))
            .collect();
        let on = if on.is_empty() {
            vec![Action::Commit]
        } else {
            on
        };
        // "… without scopes", "no scope".
        let unscoped = main.windows(2).any(|w| {
            matches!(tokens[w[0]].value.as_str(), "without" | "no")
                && matches!(tokens[w[1]].value.as_str(), "scope" | "scopes")
        });
        let template = if unscoped {
            "<type>: <subject>"
        } else {
            "<type>(<scope>): <subject>"
        };
        return Some(RuleBody::Message {
            on,
            part: TextPart::Title,
            require: TextRule::Template(vec![template.into()]),
        });
    }
    // "Issues and PRs MUST be written in English".
    if has_value(tokens, main, &["english"]) {
        let on: Vec<Action> = on
            .iter()
            .copied()
            .filter(|a| *a != Action::Branch)
            .collect();
        if !on.is_empty() {
            return Some(RuleBody::Message {
                on,
                part: if title {
                    TextPart::Title
                } else {
                    TextPart::All
                },
                require: TextRule::English,
            });
        }
    }
    // "PR title MUST use one of: `pkg: what is changed`, `*: what is changed`".
    let templates: Vec<String> = main
        .iter()
        .map(|i| &tokens[*i])
        .filter(|t| {
            matches!(t.tag, "code" | "cmd" | "path") && t.value.contains(':') && !trailer(&t.value)
        })
        .map(|t| t.value.clone())
        .collect();
    if title && !templates.is_empty() {
        let on: Vec<Action> = on
            .iter()
            .copied()
            .filter(|a| *a != Action::Branch)
            .collect();
        if !on.is_empty() {
            return Some(RuleBody::Message {
                on,
                part: TextPart::Title,
                require: TextRule::Template(templates),
            });
        }
    }
    // "Branch names must start with `feature/`".
    let starts = has_value(
        tokens,
        main,
        &[
            "start", "starts", "starting", "begin", "begins", "prefix", "prefixed", "prefixes",
        ],
    );
    if on.contains(&Action::Branch) && starts {
        let prefixes: Vec<String> = main
            .iter()
            .map(|i| &tokens[*i])
            .filter(|t| matches!(t.tag, "code" | "path") && t.value.ends_with(['/', '-', '_']))
            .map(|t| t.value.clone())
            .collect();
        if !prefixes.is_empty() {
            return Some(RuleBody::Message {
                on: vec![Action::Branch],
                part: TextPart::Title,
                require: TextRule::Prefix(prefixes),
            });
        }
    }
    None
}

/// "Limit the subject line to 50 characters", "Max 72 characters for first line", "PR titles
/// under 70 characters": a bound on a title's length. The subject line and the first line are
/// a commit's; wrapping the body is not a bound on the title.
fn length_form(tokens: &[Token], c: &Clause) -> Option<RuleBody> {
    let main = &c.main;
    let values: Vec<&str> = main.iter().map(|i| tokens[*i].value.as_str()).collect();
    let chars = |i: usize| {
        matches!(
            tokens[i].value.as_str(),
            "characters" | "chars" | "character"
        )
    };
    let n = main
        .windows(2)
        .find_map(|w| (tokens[w[0]].tag == "num" && chars(w[1])).then_some(w[0]))
        // "Max 72 characters": a bound phrase.
        .or_else(|| {
            c.bounds
                .iter()
                .find(|(_, u)| u.is_some_and(chars))
                .map(|(n, _)| *n)
        })
        .and_then(|i| tokens[i].value.parse::<usize>().ok())?;
    if values.iter().any(|v| {
        matches!(
            *v,
            "wrap" | "wrapped" | "body" | "bodies" | "lines" | "line-length"
        )
    }) && !values.windows(2).any(|w| w == ["first", "line"])
    {
        return None;
    }
    let subject = values
        .iter()
        .any(|v| matches!(*v, "subject" | "summary" | "headline"))
        || values
            .windows(2)
            .any(|w| w == ["first", "line"] || w == ["subject", "line"]);
    let (on, title) = texts(tokens, main);
    let on: Vec<Action> = on
        .into_iter()
        .filter(|a| matches!(a, Action::Commit | Action::PullRequest | Action::Issue))
        .collect();
    let on = match (on.is_empty(), subject) {
        (false, _) if subject || title => on,
        (true, true) => vec![Action::Commit],
        _ => return None,
    };
    Some(RuleBody::Message {
        on,
        part: TextPart::Title,
        require: TextRule::MaxLength(n),
    })
}
