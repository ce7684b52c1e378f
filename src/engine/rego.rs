//! The built-in rule kinds evaluated through the Rego library in `rules/` with regorus
//! (`--engine rego`). The native matchers are registered as extensions, so both engines share
//! one definition of globs, command patterns, flags, targets and environments.

use regorus::Value;
use serde_json::json;

use super::facts::Facts;
use super::matchers::{self, Globs};
use super::{EngineError, Finding, FindingOrigin};
use crate::command::Invocation;
use crate::ir::{CommandPattern, Rule};

/// The rule library, compiled into the binary. Each module after `lib` yields `findings`.
pub const MODULES: &[(&str, &str)] = &[
    ("rules/lib.rego", include_str!("../../rules/lib.rego")),
    (
        "rules/path_deny.rego",
        include_str!("../../rules/path_deny.rego"),
    ),
    (
        "rules/read_deny.rego",
        include_str!("../../rules/read_deny.rego"),
    ),
    (
        "rules/command_deny.rego",
        include_str!("../../rules/command_deny.rego"),
    ),
    (
        "rules/action_deny.rego",
        include_str!("../../rules/action_deny.rego"),
    ),
    (
        "rules/required_check.rego",
        include_str!("../../rules/required_check.rego"),
    ),
    (
        "rules/required_read.rego",
        include_str!("../../rules/required_read.rego"),
    ),
    (
        "rules/required_flag.rego",
        include_str!("../../rules/required_flag.rego"),
    ),
    (
        "rules/generated.rego",
        include_str!("../../rules/generated.rego"),
    ),
    (
        "rules/co_change.rego",
        include_str!("../../rules/co_change.rego"),
    ),
    ("rules/review.rego", include_str!("../../rules/review.rego")),
    ("rules/risk.rego", include_str!("../../rules/risk.rego")),
    ("rules/bound.rego", include_str!("../../rules/bound.rego")),
    (
        "rules/message.rego",
        include_str!("../../rules/message.rego"),
    ),
];

fn to_json(v: &Value) -> serde_json::Value {
    v.to_json_str()
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(serde_json::Value::Null)
}

fn from_json(v: &serde_json::Value) -> Result<Value, EngineError> {
    Value::from_json_str(&v.to_string()).map_err(|e| EngineError::Rego {
        message: e.to_string(),
    })
}

fn strings(v: &Value) -> Vec<String> {
    match v.as_array() {
        Ok(a) => a
            .iter()
            .filter_map(|x| x.as_string().ok().map(|s| s.to_string()))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Whether `path` matches the glob list `globs` (as a folder, when `under`): each list is
/// compiled once per thread, not once per call.
fn glob_call(globs: &Value, path: &Value, under: bool) -> anyhow::Result<Value> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static CACHE: RefCell<HashMap<Vec<String>, Option<Globs>>> = RefCell::new(HashMap::new());
    }
    let name = if under { "glob_under" } else { "glob" };
    let list = strings(globs);
    let path = path.as_string().ok();
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 4096 {
            c.clear(); // many policies in one long-lived process
        }
        let g = c
            .entry(list)
            .or_insert_with_key(|l| Globs::new(l).ok())
            .as_ref()
            .ok_or_else(|| arg_error(name))?;
        Ok(Value::from(path.is_some_and(|p| {
            if under {
                g.matches_under(p)
            } else {
                g.matches(p)
            }
        })))
    })
}

fn arg_error(name: &str) -> anyhow::Error {
    anyhow::anyhow!("agentgate.{name}: bad arguments")
}

/// The library, the extensions and every rule of a policy as data: prepared once, cloned for
/// each worker.
#[derive(Clone)]
pub struct Prepared {
    engine: regorus::Engine,
}

/// Prepare the Rego engine for a policy.
pub fn prepare(rules: &[Rule]) -> Result<Prepared, EngineError> {
    Ok(Prepared {
        engine: engine(rules)?,
    })
}

fn engine(rules: &[Rule]) -> Result<regorus::Engine, EngineError> {
    let mut e = regorus::Engine::new();
    let err = |m: anyhow::Error| EngineError::Rego {
        message: m.to_string(),
    };
    for (path, text) in MODULES {
        e.add_policy((*path).to_string(), (*text).to_string())
            .map_err(err)?;
    }
    e.add_extension(
        "agentgate.glob".into(),
        2,
        Box::new(|a: Vec<Value>| glob_call(&a[0], &a[1], false)),
    )
    .map_err(err)?;
    e.add_extension(
        "agentgate.glob_under".into(),
        2,
        Box::new(|a: Vec<Value>| glob_call(&a[0], &a[1], true)),
    )
    .map_err(err)?;
    e.add_extension(
        "agentgate.cmd".into(),
        2,
        Box::new(|a: Vec<Value>| {
            let p: CommandPattern =
                serde_json::from_value(to_json(&a[0])).map_err(|_| arg_error("cmd"))?;
            let inv: Invocation =
                serde_json::from_value(to_json(&a[1])).map_err(|_| arg_error("cmd"))?;
            Ok(Value::from(matchers::matches(&p, &inv)))
        }),
    )
    .map_err(err)?;
    e.add_extension(
        "agentgate.text_violation".into(),
        3,
        Box::new(|a: Vec<Value>| {
            let rule: crate::ir::TextRule =
                serde_json::from_value(to_json(&a[0])).map_err(|_| arg_error("text_violation"))?;
            let part: crate::ir::TextPart =
                serde_json::from_value(to_json(&a[1])).map_err(|_| arg_error("text_violation"))?;
            let text: super::text::ActionText =
                serde_json::from_value(to_json(&a[2])).map_err(|_| arg_error("text_violation"))?;
            Ok(Value::from(
                super::text::violation(&rule, part, &text).unwrap_or_default(),
            ))
        }),
    )
    .map_err(err)?;
    e.add_extension(
        "agentgate.flag_given".into(),
        2,
        Box::new(|a: Vec<Value>| {
            let inv: Invocation =
                serde_json::from_value(to_json(&a[0])).map_err(|_| arg_error("flag_given"))?;
            let flag = to_json(&a[1]);
            Ok(Value::from(
                flag.as_str().is_some_and(|f| matchers::flag_given(&inv, f)),
            ))
        }),
    )
    .map_err(err)?;
    e.add_extension(
        "agentgate.checks_only".into(),
        1,
        Box::new(|a: Vec<Value>| {
            let inv: Invocation =
                serde_json::from_value(to_json(&a[0])).map_err(|_| arg_error("checks_only"))?;
            Ok(Value::from(matchers::checks_only(&inv)))
        }),
    )
    .map_err(err)?;
    e.add_extension(
        "agentgate.flag".into(),
        2,
        Box::new(|a: Vec<Value>| {
            let args = strings(&a[0]);
            let flag = to_json(&a[1]);
            Ok(Value::from(
                flag.as_str().is_some_and(|f| matchers::has_flag(&args, f)),
            ))
        }),
    )
    .map_err(err)?;
    e.add_extension(
        "agentgate.target".into(),
        2,
        Box::new(|a: Vec<Value>| {
            let (r, f) = (to_json(&a[0]), to_json(&a[1]));
            Ok(Value::from(r.as_str().is_some_and(|r| {
                super::check::target_matches(r, f.as_str())
            })))
        }),
    )
    .map_err(err)?;
    e.add_extension(
        "agentgate.environment".into(),
        2,
        Box::new(|a: Vec<Value>| {
            let (r, f) = (to_json(&a[0]), to_json(&a[1]));
            Ok(Value::from(
                r.as_str()
                    .is_some_and(|r| super::check::env_matches(r, f.as_str())),
            ))
        }),
    )
    .map_err(err)?;
    // The library gets the same time limit as custom policies: a runaway evaluation is exit 2.
    e.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: crate::custom::EVAL_LIMIT,
        check_interval: std::num::NonZeroU32::new(64).expect("non-zero"),
    });
    e.add_data(from_json(&data(rules))?).map_err(err)?;
    Ok(e)
}

/// The rules as Rego data.
pub fn data(rules: &[Rule]) -> serde_json::Value {
    json!({"agentgate": {"rules": rules}})
}

/// The Rego input for a plan: its facts and the ids of the rules that apply.
pub fn input_for(active: &[&Rule], f: &Facts) -> serde_json::Value {
    let mut input = input(f);
    input["active"] = json!(active.iter().map(|r| r.id.as_str()).collect::<Vec<_>>());
    input
}

/// The facts as Rego input.
pub fn input(f: &Facts) -> serde_json::Value {
    json!({
        "role": f.role,
        "writes": f.writes.iter().map(|w| json!({
            "path": w.path, "op": w.op, "lines": w.lines, "added": w.added, "subject": w.subject,
            "by_command": w.command.is_some(), "code": matchers::is_code(&w.path), "source": matchers::is_source(&w.path),
            "checks_skip": matchers::checks_skip(&w.path),
        })).collect::<Vec<_>>(),
        "reads": f.reads.iter().map(|(p, s, _)| json!({"path": p, "subject": s})).collect::<Vec<_>>(),
        "reads_listed": f.reads_listed,
        "nothing_committed": f.nothing_committed,
        "outside_writes": f.outside_writes.iter().map(|w| json!({
            "path": w.path, "op": w.op, "subject": w.subject, "by_command": w.command.is_some(),
        })).collect::<Vec<_>>(),
        "outside_reads": f.outside_reads.iter().map(|(p, s, _)| json!({"path": p, "subject": s})).collect::<Vec<_>>(),
        "staged": f.staged.iter().map(|(p, s, _)| json!({"path": p, "subject": s})).collect::<Vec<_>>(),
        "runs": f.runs.iter().map(|r| json!({"inv": r.inv, "seq": r.seq, "subject": format!("commands[{}]: {}", r.command, r.text)})).collect::<Vec<_>>(),
        "actions": f.actions.iter().map(|a| json!({
            "action": a.action, "target": a.target, "environment": a.environment,
            "seq": a.seq.map_or(-1, |s| s as i64), "subject": a.subject, "draft": a.draft,
            "text": a.text,
        })).collect::<Vec<_>>(),
        "other_work": f.other_work(),
        "fix_work": f.fix_work(),
        "passed": f.passed,
        "failed": f.failed,
        "approvals": f.approvals.iter().map(|(by, rule)| json!({"by": by, "rule": rule})).collect::<Vec<_>>(),
    })
}

/// Findings of the built-in kinds for the `active` rules, through the Rego library.
pub fn findings(
    prepared: &mut Prepared,
    active: &[&Rule],
    facts: &Facts,
) -> Result<Vec<Finding>, EngineError> {
    let e = &mut prepared.engine;
    e.set_input(from_json(&input_for(active, facts))?);
    let mut rules: std::collections::HashMap<&str, &Rule> = Default::default();
    for r in active {
        rules.entry(r.id.as_str()).or_insert(r);
    }
    let mut out = Vec::new();
    for (path, _) in &MODULES[1..] {
        let pkg = path.trim_start_matches("rules/").trim_end_matches(".rego");
        let query = format!("data.agentgate.kinds.{pkg}.findings");
        let v = e.eval_rule(query.clone()).map_err(|m| EngineError::Rego {
            message: format!("{query}: {m}"),
        })?;
        let serde_json::Value::Array(items) = to_json(&v) else {
            continue;
        };
        for item in items {
            let id = item["rule"].as_str().unwrap_or_default();
            let Some(rule) = rules.get(id) else {
                continue;
            };
            // A finding may say it is only a warning ("a required read the plan does not
            // show": the plan lists no reads).
            let severity = match item["severity"].as_str() {
                Some("warning") => crate::ir::Severity::Warning,
                _ => rule.severity,
            };
            out.push(Finding {
                rule: rule.id.clone(),
                kind: rule.body.kind().to_string(),
                severity,
                decision: rule.decision,
                message: item["message"].as_str().unwrap_or_default().to_string(),
                subject: item["subject"].as_str().unwrap_or_default().to_string(),
                origin: FindingOrigin {
                    file: rule.origin.file.clone(),
                    line: rule.origin.line,
                },
                sentence: rule.origin.text.clone(),
                span: rule.origin.span,
                help: crate::explain::satisfied_by(rule),
                plan_line: None,
                advisory: None,
            });
        }
    }
    Ok(out)
}
