//! Lint findings for people (miette warnings at the sentence), agents (JSON) and code scanning
//! (SARIF).

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use serde_json::json;

use super::Style;
use crate::lint::{LintFinding, CODES};
use crate::source::SourceFile;

#[derive(Debug)]
struct LintDiagnostic {
    finding: LintFinding,
    code: String,
    source: Option<NamedSource<String>>,
}

impl fmt::Display for LintDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}
impl std::error::Error for LintDiagnostic {}

impl Diagnostic for LintDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.finding.help))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let (start, end) = self.finding.span;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(self.finding.code.to_string()),
            start,
            end.saturating_sub(start),
        ))))
    }
}

/// Lint findings for people, with a summary line.
pub fn lint_human(
    findings: &[LintFinding],
    sources: &[SourceFile],
    rules: usize,
    style: Style,
) -> String {
    let handler = super::handler(style);
    let mut out = String::new();
    for f in findings {
        let source = sources
            .iter()
            .find(|s| s.path == f.file)
            .filter(|s| f.span.1 > f.span.0 && f.span.1 <= s.text.len())
            .map(|s| NamedSource::new(s.path.clone(), s.text.to_string()));
        let d = LintDiagnostic {
            finding: f.clone(),
            code: format!("agentgate::lint::{}", f.code),
            source,
        };
        if handler.render_report(&mut out, &d).is_err() {
            out.push_str(&format!("{}:{}: {}\n", f.file, f.line, f.message));
        }
        out.push('\n');
    }
    let count = |c: &str| findings.iter().filter(|f| f.code == c).count();
    out.push_str(&format!(
        "agentgate lint: {rules} rules enforced, {} sentences advisory, {} sentences not understood; {} files in a language not read, {} duplicate ids, {} contradictions, {} dead globs, {} broken links\n",
        count("advisory"),
        count("unrecognised"),
        count("language"),
        count("duplicate-id"),
        count("contradiction"),
        count("dead-glob"),
        count("broken-link"),
    ));
    out
}

/// Lint findings as JSON.
pub fn lint_json(findings: &[LintFinding], rules: usize) -> String {
    let mut s = serde_json::to_string_pretty(
        &json!({"schema_version": super::SCHEMA_VERSION, "rules": rules, "findings": findings}),
    )
    .unwrap_or_default();
    s.push('\n');
    s
}

/// Lint findings as SARIF 2.1.0 (warnings at the policy sentence).
pub fn lint_sarif(findings: &[LintFinding]) -> String {
    let rules: Vec<_> = CODES
        .iter()
        .map(|(code, what)| {
            json!({
                "id": format!("lint/{code}"),
                "name": code.split('-').map(|w| w[..1].to_uppercase() + &w[1..]).collect::<String>(),
                "shortDescription": {"text": what},
                "fullDescription": {"text": what},
                "help": {"text": format!("{what} See docs/policy-language.md."), "markdown": format!("{what} See `docs/policy-language.md`.")},
                "helpUri": "https://github.com/agentgate/agentgate/blob/main/docs/policy-language.md",
                "defaultConfiguration": {"level": "warning"},
            })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let idx = CODES.iter().position(|(c, _)| *c == f.code).unwrap_or(0);
            let fp: String = {
                use sha2::Digest;
                let d = sha2::Sha256::digest(format!("{}\0{}\0{}\0{}", f.code, f.file, f.text, f.message));
                d[..16].iter().map(|b| format!("{b:02x}")).collect()
            };
            json!({
                "ruleId": format!("lint/{}", f.code),
                "ruleIndex": idx,
                "level": "warning",
                "message": {"text": format!("{} Fix: {}", f.message, f.help)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.file, "uriBaseId": "%SRCROOT%"}, "region": {"startLine": f.line.max(1)}}}],
                "partialFingerprints": {"agentgateLint/v1": fp},
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "agentgate", "version": env!("CARGO_PKG_VERSION"), "semanticVersion": env!("CARGO_PKG_VERSION"),
                                "informationUri": "https://github.com/agentgate/agentgate", "rules": rules}},
            "automationDetails": {"id": "agentgate/lint/"},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}
