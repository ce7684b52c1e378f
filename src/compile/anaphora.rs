//! Sentences that finish the one before: "Ensure all code quality checks pass before
//! committing. Code quality checks can be run with `a` and `b`." The first names its checks by
//! a noun; the second says which commands those are. Read together they are one obligation,
//! as if written "Ensure all code quality checks pass before committing: `a` and `b`".

use crate::lex::Token;

/// Words that name checks in an obligation without a command.
const CHECK_WORDS: &[&str] = &[
    "checks", "check", "tests", "test", "the tests", "unit tests", "linters", "linter", "lint",
    "lints", "formatter", "formatters", "quality", "type checks", "typecheck", "suite",
    "test suite", "the test suite",
];

/// An obligation that names checks which must pass (or be run) and names no command.
fn names_checks(first: &[Token]) -> Option<Vec<&str>> {
    let modal = first.iter().any(|t| t.tag == "must");
    let refused = first.iter().any(|t| matches!(t.tag, "deny" | "avoid" | "ask" | "may"));
    let commands = first.iter().any(|t| matches!(t.tag, "cmd" | "prog" | "code" | "path"));
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
    let named = names_checks(first)?;
    if next
        .iter()
        .any(|t| matches!(t.tag, "must" | "deny" | "avoid" | "ask" | "should" | "when" | "before"))
    {
        return None;
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
            joined("Make sure the linters pass before pushing.", "You can run them with `make lint`.")
                .as_deref(),
            Some(": make lint")
        );
        assert_eq!(
            joined("All tests must pass before you commit.", "To run the tests, use `pytest -q`.")
                .as_deref(),
            Some(": pytest -q")
        );
    }

    #[test]
    fn other_sentences_stay_apart() {
        // The second sentence is its own rule.
        assert_eq!(
            joined("All tests must pass before you commit.", "You must run `make lint` before pushing."),
            None
        );
        // It runs something else.
        assert_eq!(
            joined("All tests must pass before you commit.", "You can run the app with `npm start`."),
            None
        );
        // The first already names its command.
        assert_eq!(
            joined("Run `cargo test` before committing.", "You can run them with `make test`."),
            None
        );
        // The first forbids.
        assert_eq!(
            joined("Never skip the tests.", "You can run them with `make test`."),
            None
        );
    }
}
