//! The combined matcher finds exactly what one `Globs` per list finds.

use proptest::prelude::*;

use super::*;
use crate::engine::matchers::Globs;

fn glob() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(":code".to_string()),
        Just("**".to_string()),
        Just("README.md".to_string()),
        Just("[".to_string()), // does not compile
        "(a|b|src|docs)(/(a|b|x))?(/\\*\\*|/\\*\\.rs|/\\*|\\.md)?",
        "\\*\\*/(a|b|x)(\\.rs|/\\*\\*)?",
    ]
}

fn path() -> impl Strategy<Value = String> {
    "(a|b|src|docs|x)(/(a|b|x|y))?(/(a|b|x)(\\.rs|\\.md)?)?"
}

fn write(path: String, op: WriteOp) -> WriteFact {
    WriteFact {
        path,
        op,
        lines: 0,
        added: 0,
        subject: String::new(),
        plan_line: None,
        command: None,
    }
}

proptest! {
    #[test]
    fn combined_matcher_agrees_with_one_matcher_per_list(
        lists in prop::collection::vec(prop::collection::vec(glob(), 0..4), 1..8),
        writes in prop::collection::vec((path(), 0..4usize), 0..12),
        reads in prop::collection::vec(path(), 0..4),
    ) {
        let refs: Vec<&[String]> = lists.iter().map(Vec::as_slice).collect();
        let index = PathIndex::from_lists(&refs);
        let facts = Facts {
            writes: writes
                .iter()
                .map(|(p, op)| write(p.clone(), WriteOp::ALL[*op]))
                .collect(),
            reads: reads.iter().map(|p| (p.clone(), String::new(), None)).collect(),
            ..Facts::default()
        };
        let hits = index.hits(&facts);
        for (id, list) in lists.iter().enumerate() {
            let id = id as ListId;
            let Ok(g) = Globs::new(list) else {
                prop_assert!(index.error(id).is_some());
                continue;
            };
            prop_assert!(index.error(id).is_none());
            prop_assert_eq!(index.is_empty(id), g.is_empty());
            for (i, w) in facts.writes.iter().enumerate() {
                prop_assert_eq!(hits.write_matches(id, i), g.matches(&w.path), "{} {:?}", w.path, list);
                let moved = matches!(w.op, WriteOp::Delete | WriteOp::Rename);
                let under = hits.under(id).contains(&(i as u32));
                prop_assert_eq!(under, moved && g.matches_under(&w.path), "under {} {:?}", w.path, list);
            }
            for (i, (p, _, _)) in facts.reads.iter().enumerate() {
                prop_assert_eq!(hits.read_matches(id, i), g.matches(p));
            }
        }
    }
}

#[test]
fn large_plans_are_matched_in_order_across_chunks() {
    let list = vec!["src/**".to_string()];
    let index = PathIndex::from_lists(&[&list]);
    let facts = Facts {
        writes: (0..10_000)
            .map(|i| {
                write(
                    format!("{}/{i}.rs", if i % 3 == 0 { "src" } else { "lib" }),
                    WriteOp::Modify,
                )
            })
            .collect(),
        ..Facts::default()
    };
    let hits = index.hits(&facts);
    let want: Vec<u32> = (0..10_000).filter(|i| i % 3 == 0).collect();
    assert_eq!(hits.writes(0), want.as_slice());
}
