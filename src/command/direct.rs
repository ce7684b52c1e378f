//! Which commands can run without a shell: one simple command of literal words.
//!
//! The runner executes such a command directly (program and arguments, no `sh -c`), so nothing
//! the shell would expand can differ from what the policy checked. Anything else — lists,
//! pipes, redirections, expansions, globs, builtins — goes to `sh -c`, after every part was
//! checked.

use brush_parser::ast;

use super::words::Word;
use super::{bracket_depth, parse, MAX_BRACKETS, MAX_LEN};

/// A command to execute directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Direct {
    /// Leading `NAME=value` assignments.
    pub env: Vec<(String, String)>,
    /// The program and its arguments, quotes removed.
    pub argv: Vec<String>,
}

/// Shell builtins and keywords that have no program of their own (or one that cannot act on
/// the shell that runs it).
const BUILTINS: &[&str] = &[
    ".", ":", "alias", "bg", "cd", "command", "declare", "eval", "exec", "exit", "export", "fg",
    "hash", "jobs", "let", "local", "popd", "pushd", "read", "readonly", "return", "set", "shift",
    "source", "trap", "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait",
];

/// `Some` when `command` is one simple command whose words are all literal: no lists, pipes,
/// redirections, background, negation, expansions, substitutions, globs or brace expansion,
/// and a program that is not a shell builtin.
pub fn direct(command: &str) -> Option<Direct> {
    if command.len() > MAX_LEN || bracket_depth(command) > MAX_BRACKETS || command.contains("$[") {
        return None;
    }
    let program = parse(command).ok()?;
    let [list] = program.complete_commands.as_slice() else {
        return None;
    };
    let [ast::CompoundListItem(and_or, separator)] = list.0.as_slice() else {
        return None;
    };
    if matches!(separator, ast::SeparatorOperator::Async) || !and_or.additional.is_empty() {
        return None;
    }
    let pipeline = &and_or.first;
    if pipeline.bang || pipeline.timed.is_some() {
        return None;
    }
    let [ast::Command::Simple(simple)] = pipeline.seq.as_slice() else {
        return None;
    };
    let mut env = Vec::new();
    for item in simple.prefix.iter().flat_map(|p| &p.0) {
        match item {
            ast::CommandPrefixOrSuffixItem::AssignmentWord(assignment, _) => {
                let ast::AssignmentValue::Scalar(word) = &assignment.value else {
                    return None;
                };
                env.push((assignment.name.to_string(), literal(&word.value)?));
            }
            _ => return None,
        }
    }
    let mut argv = vec![literal(&simple.word_or_name.as_ref()?.value)?];
    for item in simple.suffix.iter().flat_map(|s| &s.0) {
        match item {
            ast::CommandPrefixOrSuffixItem::Word(word)
            | ast::CommandPrefixOrSuffixItem::AssignmentWord(_, word) => {
                argv.push(literal(&word.value)?);
            }
            _ => return None,
        }
    }
    if argv[0].is_empty() || BUILTINS.contains(&argv[0].as_str()) {
        return None;
    }
    Some(Direct { env, argv })
}

/// The word's text when the shell would pass it through unchanged (quotes removed).
fn literal(raw: &str) -> Option<String> {
    let word = Word::parse(raw);
    let expands = word.dynamic
        || !word.subs.is_empty()
        || raw.starts_with('~')
        || raw.contains(['*', '?', '['])
        || (raw.contains('{') && raw.contains(['}', ',']));
    (!expands).then_some(word.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(command: &str) -> Option<Vec<String>> {
        direct(command).map(|d| d.argv)
    }

    #[test]
    fn literal_simple_commands_run_directly() {
        assert_eq!(
            argv("cargo test"),
            Some(vec!["cargo".into(), "test".into()])
        );
        assert_eq!(
            argv(r#"git commit -m "fix: a b""#),
            Some(vec![
                "git".into(),
                "commit".into(),
                "-m".into(),
                "fix: a b".into()
            ])
        );
        assert_eq!(
            argv("'git' status"),
            Some(vec!["git".into(), "status".into()])
        );
        let d = direct("RUST_LOG=debug cargo run").unwrap();
        assert_eq!(d.env, vec![("RUST_LOG".into(), "debug".into())]);
        assert_eq!(d.argv, vec!["cargo".to_string(), "run".into()]);
    }

    #[test]
    fn anything_the_shell_would_change_goes_to_the_shell() {
        for command in [
            "cargo test && git commit -m x",
            "a | b",
            "echo hi > out.txt",
            "ls *.rs",
            "echo $HOME",
            "echo $(date)",
            "cat ~/.bashrc",
            "sleep 5 &",
            "! false",
            "cd src",
            "export A=1",
            "echo {a,b}",
            "a; b",
            "(cd x && make)",
            "time make",
        ] {
            assert_eq!(argv(command), None, "{command}");
        }
    }
}
