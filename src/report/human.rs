//! Findings as miette diagnostics: a label on the plan entry and a second, related diagnostic
//! on the policy sentence it breaks, with a help line saying what would satisfy the rule.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use super::{counts, line_span, Context};
use crate::engine::{Finding, Verdict};
use crate::ir::{Decision, Severity};

/// How to draw diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Colours and Unicode box drawing.
    Color,
    /// No colours (NO_COLOR, not a terminal, snapshots).
    Plain,
}

/// The main diagnostic: the plan entry.
#[derive(Debug)]
struct PlanDiagnostic {
    message: String,
    code: String,
    severity: miette::Severity,
    help: String,
    plan: Option<(NamedSource<String>, (usize, usize), String)>,
    policy: PolicyDiagnostic,
}

/// The related diagnostic: the policy sentence, quoted.
#[derive(Debug)]
struct PolicyDiagnostic {
    message: String,
    source: Option<(NamedSource<String>, (usize, usize))>,
}

impl fmt::Display for PlanDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for PlanDiagnostic {}

impl fmt::Display for PolicyDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for PolicyDiagnostic {}

impl Diagnostic for PolicyDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|(s, _)| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, (start, len)) = self.source.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some("the rule".into()),
            *start,
            *len,
        ))))
    }
}

impl Diagnostic for PlanDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.plan.as_ref().map(|(s, _, _)| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, (start, len), label) = self.plan.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(label.clone()),
            *start,
            *len,
        ))))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(std::iter::once(&self.policy as &dyn Diagnostic)))
    }
}

fn diagnostic(f: &Finding, cx: &Context) -> PlanDiagnostic {
    let verb = match (f.severity, f.decision, &f.advisory) {
        (Severity::Error, Decision::Deny, _) => "denied",
        (Severity::Error, Decision::Ask, _) => "needs approval",
        (_, _, Some(_)) => "advisory",
        _ => "warning",
    };
    let plan = f
        .plan_line
        .and_then(|l| line_span(cx.plan_text, l))
        .map(|span| {
            (
                NamedSource::new(cx.plan_name, cx.plan_text.to_string()),
                span,
                f.message.clone(),
            )
        });
    let source = cx.source(&f.origin.file).map(|s| {
        let (start, end) = f.span;
        let span = if end > start && end <= s.text.len() {
            (start, end - start)
        } else {
            line_span(&s.text, f.origin.line).unwrap_or((0, 0))
        };
        (NamedSource::new(s.path.clone(), s.text.to_string()), span)
    });
    let where_ = if f.origin.file == "builtin" {
        "built in".to_string()
    } else {
        format!("{}:{}", f.origin.file, f.origin.line)
    };
    PlanDiagnostic {
        message: format!("{verb}: {} {}", f.subject, f.message),
        code: format!("agentgate::{}({})", f.kind, f.rule),
        severity: if f.severity == Severity::Error {
            miette::Severity::Error
        } else {
            miette::Severity::Warning
        },
        help: match &f.advisory {
            Some(reason) => format!("{} (advisory, not enforced: {reason})", f.help),
            None => f.help.clone(),
        },
        plan,
        policy: PolicyDiagnostic {
            message: format!("policy {where_}: \"{}\"", f.sentence),
            source,
        },
    }
}

/// Render a verdict for people.
pub fn human(verdict: &Verdict, cx: &Context, style: Style) -> String {
    let handler = super::handler(style);
    let mut out = String::new();
    for f in &verdict.findings {
        let d = diagnostic(f, cx);
        if handler.render_report(&mut out, &d).is_err() {
            out.push_str(&format!("{}\n", d.message));
        }
        out.push('\n');
    }
    let c = counts(&verdict.findings);
    let n = |k: &str| c.get(k).copied().unwrap_or(0);
    let warnings = verdict
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    out.push_str(&format!(
        "agentgate: {} — {} ({} denied, {} need approval, {} warning{}) against {} rules, policy {}\n",
        verdict.decision.as_str(),
        cx.plan_name,
        n("deny"),
        n("ask"),
        warnings,
        if warnings == 1 { "" } else { "s" },
        verdict.summary.rules,
        short_digest(&verdict.policy_digest)
    ));
    out
}

fn short_digest(d: &str) -> &str {
    &d[..d.len().min("sha256:".len() + 12)]
}
