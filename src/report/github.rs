//! GitHub Actions workflow commands: one annotation per finding, at the changed file or the
//! policy sentence.

use super::{finding_path, Context};
use crate::engine::Verdict;
use crate::ir::{Decision, Severity};

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The verdict as `::error file=…,line=…,title=…::message` lines.
pub fn github(verdict: &Verdict, _cx: &Context) -> String {
    let mut out = String::new();
    for f in &verdict.findings {
        let command = match (f.severity, f.decision) {
            (Severity::Error, Decision::Deny) => "error",
            (Severity::Error, _) | (Severity::Warning, _) => "warning",
            _ => "notice",
        };
        let (file, line) = match finding_path(f) {
            Some(p) => (p.to_string(), 1),
            None if f.origin.file != "builtin" => (f.origin.file.clone(), f.origin.line),
            None => ("AGENTS.md".to_string(), 1),
        };
        let title = format!("agentgate {} ({})", f.rule, f.decision.as_str());
        let place = if f.origin.file == "builtin" {
            "built-in policy".to_string()
        } else {
            format!("policy {}:{}", f.origin.file, f.origin.line)
        };
        let message = format!(
            "{} {} ({place}: \"{}\") Fix: {}.",
            f.subject,
            f.message,
            f.sentence.trim(),
            f.help
        );
        out.push_str(&format!(
            "::{command} file={},line={line},title={}::{}\n",
            escape_property(&file),
            escape_property(&title),
            escape_data(&message)
        ));
    }
    out.push_str(&format!(
        "agentgate: {} ({} findings)\n",
        verdict.decision.as_str(),
        verdict.findings.len()
    ));
    out
}
