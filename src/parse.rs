//! Tagged tokens → phrases, with the pest grammar in `grammar/statement.pest`.

use pest::iterators::Pair;
use pest::Parser;
use pest_derive::Parser;

use crate::lex::{self, Token};

#[derive(Parser)]
#[grammar = "grammar/statement.pest"]
struct StatementParser;

/// Kinds of condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondKind {
    Before,
    After,
    When,
}

/// A phrase of a statement; numbers are token indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phrase {
    Tok(usize),
    Bound { num: usize, unit: Option<usize> },
    RiskLevel(usize),
    ReviewBy(Vec<usize>),
    RunGate(Vec<usize>),
    Gate,
    Exception(Vec<usize>),
    Example(Vec<usize>),
    Condition { kind: CondKind, items: Vec<usize> },
    Aside(Vec<Phrase>),
}

/// A parse failure: the grammar accepts every tag string the lexer makes, so this is a bug
/// in the grammar or the lexer, reported with the tag string.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("statement grammar rejected `{tags}`: {message}")]
#[diagnostic(
    code(agentgate::parse::grammar),
    help("this is a bug in agentgate's grammar; please report it with the sentence")
)]
pub struct ParseError {
    pub tags: String,
    pub message: String,
}

/// Parse tokens into phrases.
pub fn parse(tokens: &[Token]) -> Result<Vec<Phrase>, ParseError> {
    // The grammar's input: each tag followed by one space; `starts[i]` is where token i begins.
    let mut input = String::with_capacity(tokens.iter().map(|t| t.tag.len() + 1).sum());
    let mut starts = Vec::with_capacity(tokens.len());
    for t in tokens {
        starts.push(input.len());
        input.push_str(t.tag);
        input.push(' ');
    }
    let mut pairs = StatementParser::parse(Rule::statement, &input).map_err(|e| ParseError {
        tags: lex::tag_string(tokens),
        message: e.variant.message().to_string(),
    })?;
    let stmt = pairs.next().expect("statement rule yields one pair");
    let at = Tokens {
        starts: &starts,
        tokens,
    };
    Ok(stmt
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|p| at.phrase(p))
        .collect())
}

/// Token indices of the grammar's input.
struct Tokens<'a> {
    starts: &'a [usize],
    tokens: &'a [Token],
}

impl Tokens<'_> {
    /// The tokens a pair spans: the terminals are silent, so a phrase is read off its span.
    fn range(&self, p: &Pair<Rule>) -> std::ops::Range<usize> {
        let span = p.as_span();
        let first = self.starts.partition_point(|s| *s < span.start());
        first..self.starts.partition_point(|s| *s < span.end())
    }

    fn items(&self, p: &Pair<Rule>) -> Vec<usize> {
        self.range(p).collect()
    }

    fn phrase(&self, p: Pair<Rule>) -> Phrase {
        let r = self.range(&p);
        match p.as_rule() {
            // "more than 10 files" or "500 additions max".
            Rule::bound if self.tokens[r.start].tag == "num" => Phrase::Bound {
                num: r.start,
                unit: Some(r.start + 1),
            },
            Rule::bound => Phrase::Bound {
                num: r.start + 1,
                unit: (r.start + 2 < r.end).then_some(r.start + 2),
            },
            Rule::risk_level => Phrase::RiskLevel(r.start),
            Rule::review_by => Phrase::ReviewBy(self.items(&p)),
            Rule::run_gate => Phrase::RunGate(self.items(&p)),
            Rule::gate => Phrase::Gate,
            Rule::exception => Phrase::Exception(self.items(&p)),
            Rule::example => Phrase::Example(self.items(&p)),
            Rule::condition => Phrase::Condition {
                kind: match self.tokens[r.start].tag {
                    "before" => CondKind::Before,
                    "after" => CondKind::After,
                    _ => CondKind::When,
                },
                items: r.skip(1).collect(),
            },
            Rule::aside => {
                // Its inner phrases, and each token between them (the parentheses) on its own.
                let mut out = Vec::new();
                let mut next = r.start;
                for q in p.into_inner() {
                    let inner = self.range(&q);
                    out.extend((next..inner.start).map(Phrase::Tok));
                    next = inner.end;
                    out.push(self.phrase(q));
                }
                out.extend((next..r.end).map(Phrase::Tok));
                Phrase::Aside(out)
            }
            _ => Phrase::Tok(r.start),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases(text: &str) -> (Vec<Token>, Vec<Phrase>) {
        let segs = crate::markdown::segments(text);
        let toks = lex::lex(&segs[0].pieces);
        let ph = parse(&toks).unwrap();
        (toks, ph)
    }

    #[test]
    fn parses_condition_and_gate() {
        let (_, ph) = phrases("Run `cargo test` before committing.");
        assert!(ph.iter().any(|p| matches!(
            p,
            Phrase::Condition {
                kind: CondKind::Before,
                ..
            }
        )));
        let (_, ph) = phrases("Do not revert commits unless the user asks.");
        assert!(ph.contains(&Phrase::Gate));
    }

    #[test]
    fn parses_bound() {
        let (_, ph) = phrases("Agents MUST NOT delete more than 10 files.");
        assert!(ph.iter().any(|p| matches!(p, Phrase::Bound { .. })));
    }

    #[test]
    fn every_tag_string_parses() {
        // The grammar must accept any sequence of known tags.
        let (toks, _) =
            phrases("( ) , ; : before when unless without except like review more than");
        assert!(parse(&toks).is_ok());
    }
}
