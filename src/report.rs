//! Verdicts and compiled policies → what people and tools read.

use serde::Serialize;

use crate::engine::Verdict;
use crate::ir::{Decision, Policy, Severity};

/// Version of the JSON verdict schema (docs/json-output.md).
pub const SCHEMA_VERSION: &str = "1";

#[derive(Serialize)]
struct JsonVerdict<'a> {
    schema_version: &'static str,
    #[serde(flatten)]
    verdict: &'a Verdict,
}

/// The verdict as JSON: one object, nothing else.
pub fn json(verdict: &Verdict) -> String {
    let mut s = serde_json::to_string_pretty(&JsonVerdict {
        schema_version: SCHEMA_VERSION,
        verdict,
    })
    .unwrap_or_default();
    s.push('\n');
    s
}

/// The verdict as plain text for people.
pub fn human(verdict: &Verdict, plan_name: &str) -> String {
    let mut out = String::new();
    for f in &verdict.findings {
        let level = match (f.severity, f.decision) {
            (Severity::Error, Decision::Deny) => "deny",
            (Severity::Error, Decision::Ask) => "ask",
            (Severity::Warning, _) => "warning",
            _ => "info",
        };
        let at = match f.plan_line {
            Some(l) => format!("{plan_name}:{l} {}", f.subject),
            None => format!("{plan_name} {}", f.subject),
        };
        out.push_str(&format!("{level}[{}]: {} {}\n", f.rule, at, f.message));
        out.push_str(&format!(
            "  --> {}:{}: {}\n",
            f.origin.file, f.origin.line, f.sentence
        ));
        out.push_str(&format!("  help: {}\n\n", f.help));
    }
    let s = &verdict.summary;
    out.push_str(&format!(
        "{}: {} ({} deny, {} ask, {} warning) against {} rules, policy {}\n",
        verdict.decision.as_str(),
        plan_name,
        s.deny,
        s.ask,
        s.warning,
        s.rules,
        short_digest(&verdict.policy_digest)
    ));
    out
}

fn short_digest(d: &str) -> &str {
    &d[..d.len().min("sha256:".len() + 12)]
}

#[derive(Serialize)]
struct JsonPolicy<'a> {
    schema_version: &'static str,
    #[serde(flatten)]
    policy: &'a Policy,
}

/// The compiled policy as JSON.
pub fn policy_json(policy: &Policy) -> String {
    let mut s = serde_json::to_string_pretty(&JsonPolicy {
        schema_version: SCHEMA_VERSION,
        policy,
    })
    .unwrap_or_default();
    s.push('\n');
    s
}
