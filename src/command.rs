// TEMPORARY STUB — replaced by the real brush-parser module.
use serde::Serialize;
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invocation { pub program: String, pub args: Vec<String>, pub env: Vec<(String, String)>, pub background: bool, pub cwd: Option<String>, pub wrappers: Vec<String> }
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EffectKind { Write, Delete, Read }
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEffect { pub kind: EffectKind, pub path: String, pub invocation: Option<usize> }
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Analysis { pub invocations: Vec<Invocation>, pub effects: Vec<FileEffect>, pub opaque: Vec<String> }
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CommandError {
    #[error("cannot parse shell command `{command}`: {message}")]
    Parse { command: String, message: String },
    #[error("too deep")]
    TooDeep { limit: usize },
}
pub fn analyze(command: &str) -> Result<Analysis, CommandError> {
    let mut a = Analysis::default();
    for part in command.split("&&") {
        let mut words: Vec<String> = part.split_whitespace().map(|w| w.trim_matches('"').to_string()).collect();
        let mut env = vec![];
        while words.first().is_some_and(|w| w.contains('=') && !w.starts_with('-')) { let w = words.remove(0); let (n, v) = w.split_once('=').unwrap(); env.push((n.to_string(), v.to_string())); }
        if words.is_empty() { continue; }
        let program = words.remove(0);
        a.invocations.push(Invocation { program: program.rsplit('/').next().unwrap().to_string(), args: words, env, background: false, cwd: Some(String::new()), wrappers: vec![] });
    }
    Ok(a)
}
