//! Custom Rego policies, run with regorus whatever `--engine` says: ```` ```rego ```` blocks in
//! any policy markdown and `.rego` files in the policy folder (`.agentgate/policy/`). conftest
//! conventions: `deny` and `violation` (errors) and `warn` (warnings) in `package main` or any
//! `agentgate.*` package, returning strings or objects with `msg` (and optionally `path`, `rule`).

use std::time::Duration;

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Serialize;
use thiserror::Error;

use crate::engine::{Finding, FindingOrigin};
use crate::ir::{Decision, RegoModule, Severity};

/// Longest a custom policy may evaluate one plan.
pub const EVAL_LIMIT: Duration = Duration::from_secs(5);

#[derive(Debug, Error, Diagnostic)]
pub enum CustomError {
    #[error("Rego policy in `{file}` does not parse: {message}")]
    #[diagnostic(
        code(agentgate::rego::parse),
        help("fix the Rego; agentgate fails closed on a broken policy")
    )]
    Parse {
        file: String,
        message: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("here")]
        span: SourceSpan,
    },
    #[error("Rego policy `{query}` failed to evaluate: {message}")]
    #[diagnostic(
        code(agentgate::rego::eval),
        help("a Rego error never passes silently; fix the rule at {file}:{line}")
    )]
    Eval {
        query: String,
        file: String,
        line: usize,
        message: String,
    },
    #[error("Rego `{query}` returned {value}, not a set of strings or objects with `msg`")]
    #[diagnostic(
        code(agentgate::rego::shape),
        help(
            "return strings, or objects like {{\"msg\": \"…\", \"path\": \"…\"}}, as conftest does"
        )
    )]
    Shape { query: String, value: String },
}

/// A regorus error without its source excerpt: "expecting `}` while parsing query".
fn clean(message: &str) -> String {
    let keep = |l: &&str| {
        let t = l.trim();
        let excerpt = t
            .split_once('|')
            .is_some_and(|(n, _)| n.trim().chars().all(|c| c.is_ascii_digit()));
        !t.is_empty()
            && !t.starts_with("-->")
            && !excerpt
            && !t.chars().all(|c| c == '^' || c == ' ' || c == '-')
    };
    let text = message
        .lines()
        .filter(keep)
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    text.trim_start_matches("error:").trim().to_string()
}

/// `file:line:col` in a regorus error message.
fn error_line(message: &str) -> Option<usize> {
    let after = message.split("-->").nth(1)?;
    let loc = after.split_whitespace().next()?;
    let mut parts = loc.rsplitn(3, ':');
    let _col = parts.next()?;
    parts.next()?.parse().ok()
}

fn padded(m: &RegoModule) -> String {
    // Pad with blank lines so regorus reports the markdown file's own line numbers.
    let mut s = "\n".repeat(m.line.saturating_sub(1));
    s.push_str(&m.text);
    s
}

fn parse_error(m: &RegoModule, full: &str, message: String) -> CustomError {
    let line = error_line(&message).unwrap_or(m.line);
    let start = full
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let len = full[start.min(full.len())..].find('\n').unwrap_or(0);
    CustomError::Parse {
        file: m.file.clone(),
        message: clean(&message),
        src: NamedSource::new(m.file.clone(), full.to_string()),
        span: (start.min(full.len()), len).into(),
    }
}

/// Check that every module parses (at compile time: a broken block is a broken policy).
pub fn validate(
    modules: &[RegoModule],
    file_text: impl Fn(&str) -> Option<String>,
) -> Result<(), Box<CustomError>> {
    let mut engine = regorus::Engine::new();
    for m in modules {
        if let Err(e) = engine.add_policy(m.file.clone(), padded(m)) {
            let full = file_text(&m.file).unwrap_or_else(|| padded(m));
            return Err(Box::new(parse_error(m, &full, e.to_string())));
        }
    }
    Ok(())
}

/// One queryable rule: `data.<package>.<deny|violation|warn>` and where it is written.
#[derive(Debug, Clone, Serialize)]
struct Query {
    query: String,
    package: String,
    kind: &'static str,
    file: String,
    line: usize,
    text: String,
}

fn queries(modules: &[RegoModule]) -> Vec<Query> {
    let mut out: Vec<Query> = Vec::new();
    for m in modules {
        let Some(pkg) = m
            .text
            .lines()
            .find_map(|l| l.trim().strip_prefix("package "))
            .map(|p| p.trim().to_string())
        else {
            continue;
        };
        if pkg != "main" && !pkg.starts_with("agentgate.") && pkg != "agentgate" {
            continue;
        }
        for kind in ["deny", "violation", "warn"] {
            let found = m.text.lines().enumerate().find(|(_, l)| {
                let t = l.trim_start();
                t.starts_with(kind)
                    && t[kind.len()..].starts_with(|c: char| {
                        c.is_whitespace() || c == '[' || c == '{' || c == ':'
                    })
            });
            if let Some((i, l)) = found {
                let query = format!("data.{pkg}.{kind}");
                if !out.iter().any(|q| q.query == query) {
                    out.push(Query {
                        query,
                        package: pkg.clone(),
                        kind,
                        file: m.file.clone(),
                        line: m.line + i,
                        text: l.trim().to_string(),
                    });
                }
            }
        }
    }
    out
}

/// Evaluate the custom policies against a plan (see [`evaluate_unboxed`]).
pub fn evaluate(
    modules: &[RegoModule],
    input: serde_json::Value,
    data: serde_json::Value,
) -> Result<Vec<Finding>, Box<CustomError>> {
    evaluate_unboxed(modules, input, data).map_err(Box::new)
}

#[allow(clippy::result_large_err)] // boxed once, by `evaluate`
/// Evaluate the custom policies against a plan. `input` is the normalised plan; `data` holds the
/// compiled policy under `data.agentgate.policy`.
fn evaluate_unboxed(
    modules: &[RegoModule],
    input: serde_json::Value,
    data: serde_json::Value,
) -> Result<Vec<Finding>, CustomError> {
    if modules.is_empty() {
        return Ok(Vec::new());
    }
    let mut engine = regorus::Engine::new();
    for m in modules {
        engine
            .add_policy(m.file.clone(), padded(m))
            .map_err(|e| CustomError::Eval {
                query: "load".into(),
                file: m.file.clone(),
                line: m.line,
                message: e.to_string(),
            })?;
    }
    let timer = regorus::utils::limits::ExecutionTimerConfig {
        limit: EVAL_LIMIT,
        check_interval: std::num::NonZeroU32::new(64).expect("non-zero"),
    };
    engine.set_execution_timer_config(timer);
    let to_value = |v: &serde_json::Value| regorus::Value::from_json_str(&v.to_string());
    let data = to_value(&data).map_err(|e| CustomError::Eval {
        query: "data".into(),
        file: String::new(),
        line: 0,
        message: e.to_string(),
    })?;
    engine.add_data(data).map_err(|e| CustomError::Eval {
        query: "data".into(),
        file: String::new(),
        line: 0,
        message: e.to_string(),
    })?;
    engine.set_input(to_value(&input).map_err(|e| CustomError::Eval {
        query: "input".into(),
        file: String::new(),
        line: 0,
        message: e.to_string(),
    })?);
    let mut findings = Vec::new();
    for q in queries(modules) {
        let value = engine
            .eval_rule(q.query.clone())
            .map_err(|e| CustomError::Eval {
                query: q.query.clone(),
                file: q.file.clone(),
                line: error_line(&e.to_string()).unwrap_or(q.line),
                message: clean(&e.to_string()),
            })?;
        let json: serde_json::Value =
            serde_json::from_str(&value.to_json_str().unwrap_or_else(|_| "null".into()))
                .unwrap_or(serde_json::Value::Null);
        let items = match json {
            serde_json::Value::Null => continue, // the rule is undefined for this input
            serde_json::Value::Array(a) => a,
            serde_json::Value::Bool(false) => continue,
            other => {
                return Err(CustomError::Shape {
                    query: q.query.clone(),
                    value: other.to_string(),
                })
            }
        };
        for item in items {
            let (msg, path, rule, help) = match &item {
                serde_json::Value::String(s) => (s.clone(), None, None, None),
                serde_json::Value::Object(o) => match o.get("msg").and_then(|m| m.as_str()) {
                    Some(m) => (
                        m.to_string(),
                        o.get("path").and_then(|p| p.as_str()).map(str::to_string),
                        o.get("rule").and_then(|r| r.as_str()).map(str::to_string),
                        o.get("help").and_then(|h| h.as_str()).map(str::to_string),
                    ),
                    None => {
                        return Err(CustomError::Shape {
                            query: q.query.clone(),
                            value: item.to_string(),
                        })
                    }
                },
                other => {
                    return Err(CustomError::Shape {
                        query: q.query.clone(),
                        value: other.to_string(),
                    })
                }
            };
            let error = q.kind != "warn";
            findings.push(Finding {
                rule: rule.unwrap_or_else(|| format!("{}/{}", q.package, q.kind)),
                kind: "custom-rego".into(),
                severity: if error {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                decision: if error {
                    Decision::Deny
                } else {
                    Decision::Allow
                },
                message: msg,
                subject: path.clone().unwrap_or_else(|| "plan".into()),
                origin: FindingOrigin {
                    file: q.file.clone(),
                    line: q.line,
                },
                sentence: q.text.clone(),
                span: (0, 0),
                help: help.unwrap_or_else(|| {
                    format!(
                        "change the plan so `{}` ({}:{}) no longer reports it, or ask a human to approve the exception",
                        q.query, q.file, q.line
                    )
                }),
                plan_line: None,
                advisory: None,
            });
        }
    }
    Ok(findings)
}
