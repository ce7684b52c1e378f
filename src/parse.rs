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
    let tags = lex::tag_string(tokens);
    let mut starts = Vec::with_capacity(tokens.len());
    let mut at = 0;
    for t in tokens {
        starts.push(at);
        at += t.tag.len() + 1;
    }
    let index = |pos: usize| {
        starts
            .partition_point(|s| *s < pos)
            .min(tokens.len().saturating_sub(1))
    };
    let mut pairs = StatementParser::parse(Rule::statement, &tags).map_err(|e| ParseError {
        tags: tags.clone(),
        message: e.variant.message().to_string(),
    })?;
    let stmt = pairs.next().expect("statement rule yields one pair");
    Ok(stmt
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|p| phrase(p, &index))
        .collect())
}

fn leaves(p: Pair<Rule>, index: &dyn Fn(usize) -> usize) -> Vec<usize> {
    let inner: Vec<_> = p.clone().into_inner().collect();
    if inner.is_empty() {
        return vec![index(p.as_span().start())];
    }
    inner.into_iter().flat_map(|q| leaves(q, index)).collect()
}

fn phrase(p: Pair<Rule>, index: &dyn Fn(usize) -> usize) -> Phrase {
    match p.as_rule() {
        Rule::bound => {
            let l = leaves(p, index);
            Phrase::Bound {
                num: l[1],
                unit: l.get(2).copied(),
            }
        }
        Rule::risk_level => Phrase::RiskLevel(leaves(p, index)[0]),
        Rule::review_by => Phrase::ReviewBy(leaves(p, index)),
        Rule::run_gate => Phrase::RunGate(leaves(p, index)),
        Rule::gate => Phrase::Gate,
        Rule::exception => Phrase::Exception(leaves(p, index)),
        Rule::example => Phrase::Example(leaves(p, index)),
        Rule::condition => {
            let l = leaves(p.clone(), index);
            let first = p.into_inner().next().map(|q| q.as_rule());
            let kind = match first {
                Some(Rule::before) => CondKind::Before,
                Some(Rule::after) => CondKind::After,
                _ => CondKind::When,
            };
            Phrase::Condition {
                kind,
                items: l[1..].to_vec(),
            }
        }
        Rule::aside => Phrase::Aside(p.into_inner().map(|q| phrase(q, index)).collect()),
        _ => Phrase::Tok(index(p.as_span().start())),
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
