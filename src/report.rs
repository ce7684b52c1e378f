//! Verdicts and compiled policies → what people and tools read: miette diagnostics for people,
//! JSON for agents, SARIF for code scanning, workflow commands for GitHub Actions.

mod github;
mod human;
mod json;
mod lint;
mod sarif;

use std::collections::BTreeMap;

pub use github::github;
pub use human::{human, Style};
pub(crate) use json::{array_item, write_array_between};
pub use json::{json, write_policy_json, SCHEMA_VERSION};
pub use lint::{lint_human, lint_json, lint_sarif};
pub use sarif::{merge_runs, sarif};

use crate::source::SourceFile;

/// The miette handler both human renderers use: 100 columns, no links, colours per `style`.
fn handler(style: Style) -> miette::GraphicalReportHandler {
    let theme = match style {
        Style::Color => miette::GraphicalTheme::unicode(),
        Style::Plain => miette::GraphicalTheme::unicode_nocolor(),
    };
    miette::GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

/// What a renderer needs besides the verdict: the policy and its files, and the plan's text,
/// so diagnostics can quote both.
pub struct Context<'a> {
    pub policy: &'a crate::ir::Policy,
    pub sources: &'a [SourceFile],
    pub plan_name: &'a str,
    pub plan_text: &'a str,
}

impl Context<'_> {
    fn source(&self, path: &str) -> Option<&SourceFile> {
        self.sources.iter().find(|s| s.path == path)
    }
}

/// Byte start and length of a 1-based line in a text (without its newline).
fn line_span(text: &str, line: usize) -> Option<(usize, usize)> {
    let mut start = 0;
    for (n, l) in text.split_inclusive('\n').enumerate() {
        if n + 1 == line {
            return Some((start, l.trim_end_matches(['\n', '\r']).len()));
        }
        start += l.len();
    }
    None
}

/// The repository path a finding is about, when it is about a file.
fn finding_path(f: &crate::engine::Finding) -> Option<&str> {
    const KINDS: [&str; 4] = ["path-deny", "read-deny", "generated", "review-requirement"];
    if !KINDS.contains(&f.kind.as_str()) {
        return None;
    }
    let m = &f.message;
    let start = m.find('`')? + 1;
    let end = start + m[start..].find('`')?;
    Some(&m[start..end])
}

/// Findings counted by decision.
fn counts(findings: &[crate::engine::Finding]) -> BTreeMap<&'static str, usize> {
    let mut c = BTreeMap::new();
    for f in findings {
        *c.entry(f.decision.as_str()).or_insert(0) += 1;
    }
    c
}
