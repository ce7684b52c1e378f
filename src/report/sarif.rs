//! SARIF 2.1.0 for GitHub code scanning: one rule per policy statement, one result per finding.
//!
//! Results sit on the changed or read file when there is one, else on the policy sentence; the
//! sentence is always a related location. Fingerprints leave out line numbers and plan
//! positions, so they survive unrelated edits.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{finding_path, Context};
use crate::engine::{Finding, Verdict};
use crate::ir::{Decision, Rule, Severity};

const INFORMATION_URI: &str = "https://github.com/agentgate/agentgate";

fn level(severity: Severity, decision: Decision) -> &'static str {
    match (severity, decision) {
        (Severity::Error, Decision::Deny) => "error",
        (Severity::Error, Decision::Ask) | (Severity::Warning, _) => "warning",
        _ => "note",
    }
}

fn rule_json(r: &Rule) -> Value {
    let kind = r.body.kind();
    let name: String = kind
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let sentence = r.origin.text.trim();
    let short: String = if sentence.chars().count() > 100 {
        sentence.chars().take(97).collect::<String>() + "..."
    } else {
        sentence.to_string()
    };
    let place = if r.origin.file == "builtin" {
        "built in".to_string()
    } else {
        format!("{}:{}", r.origin.file, r.origin.line)
    };
    json!({
        "id": r.id,
        "name": name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": format!("{sentence} ({place})")},
        "help": {
            "text": format!("Policy statement at {place}: \"{sentence}\". agentgate enforces it as a {kind} rule."),
            "markdown": format!("Policy statement at `{place}`:\n\n> {sentence}\n\nagentgate enforces it as a `{kind}` rule."),
        },
        "helpUri": format!("{INFORMATION_URI}/blob/main/docs/policy-language.md"),
        "defaultConfiguration": {"level": level(r.severity, r.decision)},
        "properties": {"tags": ["agentgate", kind], "precision": "high"},
    })
}

fn physical(uri: &str, line: usize) -> Value {
    json!({
        "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": line.max(1)},
    })
}

/// A fingerprint without line numbers or plan positions (`commands[3]` → `commands`).
fn fingerprint(f: &Finding) -> String {
    let subject: String = {
        let mut s = String::new();
        let mut skip = false;
        for c in f.subject.chars() {
            match c {
                '[' => skip = true,
                ']' => skip = false,
                _ if !skip => s.push(c),
                _ => {}
            }
        }
        s
    };
    let mut h = Sha256::new();
    for part in [
        f.rule.as_str(),
        f.kind.as_str(),
        subject.as_str(),
        f.message.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn result_json(f: &Finding, rule_index: usize) -> Value {
    let policy_loc = (f.origin.file != "builtin").then(|| physical(&f.origin.file, f.origin.line));
    let location = match (finding_path(f), &policy_loc) {
        (Some(p), _) => physical(p, 1),
        (None, Some(loc)) => loc.clone(),
        (None, None) => physical("AGENTS.md", 1),
    };
    let mut related = Vec::new();
    if let Some(loc) = policy_loc {
        let mut l = loc;
        related.push(json!({"id": 1, "physicalLocation": l.take(), "message": {"text": format!("the policy: \"{}\"", f.sentence.trim())}}));
    }
    json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level(f.severity, f.decision),
        "kind": "fail",
        "message": {"text": format!("{} {}. {}", f.subject, f.message, f.help)},
        "locations": [{"physicalLocation": location}],
        "relatedLocations": related,
        "partialFingerprints": {"agentgateFinding/v1": fingerprint(f)},
        "properties": match &f.advisory {
            Some(reason) => json!({"decision": f.decision.as_str(), "subject": f.subject, "strength": "advisory", "advisory": reason}),
            None => json!({"decision": f.decision.as_str(), "subject": f.subject, "strength": "enforced"}),
        },
    })
}

/// GitHub code scanning accepts at most this many results (and rules) per run.
const GITHUB_LIMIT: usize = 25_000;

/// The verdict as a SARIF 2.1.0 log. `category` becomes `automationDetails.id`'s category.
pub fn sarif(verdict: &Verdict, cx: &Context, category: &str) -> String {
    let rules: Vec<Value> = cx
        .policy
        .rules
        .iter()
        .take(GITHUB_LIMIT)
        .map(rule_json)
        .collect();
    // Errors first, so a truncated log keeps what blocks the plan; the JSON output is never capped.
    let truncated = verdict.findings.len() > GITHUB_LIMIT;
    let results: Vec<Value> = verdict
        .findings
        .iter()
        .take(GITHUB_LIMIT)
        .map(|f| {
            let idx = cx
                .policy
                .rules
                .iter()
                .position(|r| r.id == f.rule)
                .unwrap_or(0);
            result_json(f, idx)
        })
        .collect();
    let digest = verdict.policy_digest.trim_start_matches("sha256:");
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "agentgate",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "automationDetails": {"id": format!("{}/{}", category.trim_end_matches('/'), &digest[..digest.len().min(12)])},
            "columnKind": "utf16CodeUnits",
            "results": results,
            "properties": {"decision": verdict.decision.as_str(), "policyDigest": verdict.policy_digest, "plan": cx.plan_name,
                           "findings": verdict.findings.len(), "truncatedToGitHubLimit": truncated},
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

/// One SARIF log holding the runs of several (one per plan or per commit).
pub fn merge_runs(logs: &[String]) -> String {
    let runs: Vec<Value> = logs
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .flat_map(|v| v["runs"].as_array().cloned().unwrap_or_default())
        .collect();
    let doc = json!({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": runs});
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
