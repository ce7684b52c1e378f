//! Sentences that finish the one before: "Ensure all code quality checks pass before
//! committing. Code quality checks can be run with `a` and `b`." The first names its checks by
//! a noun; the second says which commands those are. Read together they are one obligation,
//! as if written "Ensure all code quality checks pass before committing: `a` and `b`".

use crate::lex::Token;

/// Words that name checks in an obligation without a command.
const CHECK_WORDS: &[&str] = &[
    "checks",
    "check",
    "tests",
    "test",
    "the tests",
    "unit tests",
    "linters",
    "linter",
    "lint",
    "lints",
    "formatter",
    "formatters",
    "quality",
    "type checks",
    "typecheck",
    "suite",
    "test suite",
    "the test suite",
];

/// An obligation that names checks which must pass (or be run) and names no command.
fn names_checks(first: &[Token]) -> Option<Vec<&str>> {
    let modal = first.iter().any(|t| t.tag == "must");
    let refused = first
        .iter()
        .any(|t| matches!(t.tag, "deny" | "avoid" | "ask" | "may"));
    let commands = first
        .iter()
        .any(|t| matches!(t.tag, "cmd" | "prog" | "code" | "path"));
    let passes = first.iter().any(|t| matches!(t.tag, "pass" | "run"));
    if !modal || refused || commands || !passes {
        return None;
    }
    let words: Vec<&str> = first
        .iter()
        .filter(|t| matches!(t.tag, "w" | "noun" | "all_checks"))
        .flat_map(|t| t.value.split(' '))
        .filter(|w| CHECK_WORDS.contains(w))
        .collect();
    (!words.is_empty()).then_some(words)
}

/// "Code quality checks can be run with `a` and `b`", "You can run them with `make lint`",
/// "To run the tests, use `pytest -q`": the commands (with the words joining them) when the
/// sentence only tells how to run the checks the sentence before names.
pub(super) fn how_to_run(first: &[Token], next: &[Token]) -> Option<Vec<Token>> {
    // A heading's words both carry ("Critical rules: …") are not the sentences' own.
    let shared = first
        .iter()
        .zip(next)
        .take_while(|(a, b)| a.tag == b.tag && a.value == b.value)
        .count();
    let shared = next[..shared]
        .iter()
        .rposition(|t| t.tag == "colon")
        .map_or(0, |c| c + 1);
    let (first, next) = (&first[shared..], &next[shared..]);
    let named = names_checks(first)?;
    if next.iter().any(|t| {
        matches!(
            t.tag,
            "must" | "deny" | "avoid" | "ask" | "should" | "when" | "before"
        )
    }) {
        return None;
    }
    if let Some(tokens) = use_or_run(&named, next) {
        return Some(tokens);
    }
    // The run is possible ("can be run", "you can run") or a purpose ("To run the tests, use").
    let possible = next.iter().any(|t| t.tag == "may");
    let purpose = next.first().is_some_and(|t| t.value == "to")
        && next.get(1).is_some_and(|t| t.tag == "run");
    let run = next.iter().position(|t| t.tag == "run")?;
    if !(possible || purpose) {
        return None;
    }
    // It speaks of the same checks: by their noun or by "them", "these", "they".
    let refers = next[..run].iter().chain(&next[run + 1..]).any(|t| {
        t.tag == "this"
            || matches!(t.value.as_str(), "they" | "them" | "these" | "both")
            || t.value.split(' ').any(|w| named.contains(&w))
    });
    if !refers {
        return None;
    }
    let first_cmd = next.iter().position(|t| t.tag == "cmd")?;
    let last_cmd = next.iter().rposition(|t| t.tag == "cmd")?;
    let list = &next[first_cmd..=last_cmd];
    if !list
        .iter()
        .all(|t| matches!(t.tag, "cmd" | "and" | "or" | "comma"))
    {
        return None;
    }
    let mut tokens = vec![Token {
        tag: "colon",
        value: ":".into(),
    }];
    tokens.extend(list.iter().cloned());
    Some(tokens)
}

/// "Use `tools/fix_format.sh` for a quick local check, or run `./ci/do_ci.sh format` for the
/// full check suite": an order with no modal whose objects are commands run for the checks
/// named before (by their noun). Each command is one way to run them: alternatives.
fn use_or_run(named: &[&str], next: &[Token]) -> Option<Vec<Token>> {
    if !next.first().is_some_and(|t| matches!(t.tag, "use" | "run")) {
        return None;
    }
    let runnable = |t: &Token| {
        t.tag == "cmd"
            || t.tag == "path"
                && (t.value.starts_with("./")
                    || [".sh", ".py", ".bash", ".ps1"]
                        .iter()
                        .any(|e| t.value.ends_with(e)))
    };
    let mut commands = Vec::new();
    for (k, t) in next.iter().enumerate() {
        if !runnable(t) {
            continue;
        }
        // Each command is the object of *use* or *run*.
        if k == 0 || !matches!(next[k - 1].tag, "use" | "run") {
            return None;
        }
        commands.push(t);
    }
    let refers = next.iter().filter(|t| !runnable(t)).any(|t| {
        t.value.split(' ').any(|w| {
            named
                .iter()
                .any(|n| n.trim_end_matches('s') == w.trim_end_matches('s'))
        })
    });
    if commands.is_empty() || !refers {
        return None;
    }
    let mut tokens = vec![Token {
        tag: "colon",
        value: ":".into(),
    }];
    for (k, c) in commands.into_iter().enumerate() {
        if k > 0 {
            tokens.push(Token {
                tag: "or",
                value: "or".into(),
            });
        }
        tokens.push(Token {
            tag: "cmd",
            value: c.value.clone(),
        });
    }
    Some(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex;
    use crate::markdown;

    fn toks(s: &str) -> Vec<Token> {
        markdown::segments(s)
            .iter()
            .flat_map(|s| lex::lex(&s.pieces))
            .collect()
    }

    fn joined(first: &str, next: &str) -> Option<String> {
        how_to_run(&toks(first), &toks(next)).map(|t| {
            t.iter()
                .map(|t| t.value.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    #[test]
    fn commands_that_run_the_named_checks_join_the_obligation() {
        assert_eq!(
            joined(
                "Ensure all code quality checks pass before committing.",
                "Code quality checks can be run with `python bin/test quality` and `ruff check .`."
            )
            .as_deref(),
            Some(": python bin/test quality and ruff check .")
        );
        assert_eq!(
            joined(
                "Make sure the linters pass before pushing.",
                "You can run them with `make lint`."
            )
            .as_deref(),
            Some(": make lint")
        );
        assert_eq!(
            joined(
                "All tests must pass before you commit.",
                "To run the tests, use `pytest -q`."
            )
            .as_deref(),
            Some(": pytest -q")
        );
    }

    #[test]
    fn orders_to_use_commands_for_the_checks_give_alternatives() {
        assert_eq!(
            joined(
                "Always run format and lint checks before committing.",
                "Use `tools/local_fix_format.sh` for a quick local check, or run `./ci/do_ci.sh format` inside Docker for the full CI check suite."
            )
            .as_deref(),
            Some(": tools/local_fix_format.sh or ./ci/do_ci.sh format")
        );
        // An order to use a command for something else is its own sentence.
        assert_eq!(
            joined(
                "Always run the tests before committing.",
                "Use `npm start` to open the app."
            ),
            None
        );
    }

    #[test]
    fn other_sentences_stay_apart() {
        // The second sentence is its own rule.
        assert_eq!(
            joined(
                "All tests must pass before you commit.",
                "You must run `make lint` before pushing."
            ),
            None
        );
        // It runs something else.
        assert_eq!(
            joined(
                "All tests must pass before you commit.",
                "You can run the app with `npm start`."
            ),
            None
        );
        // The first already names its command.
        assert_eq!(
            joined(
                "Run `cargo test` before committing.",
                "You can run them with `make test`."
            ),
            None
        );
        // The first forbids.
        assert_eq!(
            joined(
                "Never skip the tests.",
                "You can run them with `make test`."
            ),
            None
        );
    }
}
