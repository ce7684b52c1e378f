//! A large document parsed in parallel: cut before top-level headings, each run parsed on its
//! own, the segments renumbered as one document.
//!
//! A cut is made only where parsing the runs apart gives what parsing the document whole
//! gives, and that is checked, not assumed: the cut is a blank line followed by a heading at
//! the first column (an ATX heading there closes every open list, quote and paragraph, and
//! leaves no lead-in or heading state behind); the run before it must not end inside a code or
//! HTML block (the next run would have continued it); the run after it must start with that
//! heading; and a document with link reference definitions (`[x]: url`, which apply across the
//! whole document) is not cut at all. When any check fails the document is parsed whole.

use rayon::prelude::*;

use super::{parse, Piece, Segment, SegmentKind};

/// Documents smaller than this are parsed whole: a few milliseconds at most.
const MIN_PARALLEL: usize = 128 * 1024;
/// The smallest run worth a task of its own.
const MIN_RUN: usize = 32 * 1024;

/// The segments of a large document parsed in runs, or `None` when it is parsed whole.
pub(super) fn segments(text: &str) -> Option<Vec<Segment<'_>>> {
    // Asking rayon for its thread count starts its pool: a small document must not.
    if text.len() < MIN_PARALLEL {
        return None;
    }
    let threads = rayon::current_num_threads();
    if threads < 2 || text.contains("]:") {
        return None;
    }
    let want = (text.len() / MIN_RUN).min(threads * 8);
    let cuts = cuts(text, want);
    if cuts.len() < 2 {
        return None;
    }
    let runs: Vec<(usize, &str)> = cuts
        .iter()
        .zip(cuts.iter().skip(1).chain(std::iter::once(&text.len())))
        .map(|(&a, &b)| (a, &text[a..b]))
        .collect();
    let parsed: Vec<_> = runs.par_iter().map(|(_, run)| parse(run)).collect();
    let last = parsed.len() - 1;
    for (k, (p, (_, run))) in parsed.iter().zip(&runs).enumerate() {
        let first_line = run.find('\n').unwrap_or(run.len());
        let starts_with_heading = p.segments.first().is_some_and(|s| {
            matches!(s.kind, SegmentKind::Heading(_)) && s.block == 1 && s.span.0 < first_line
        });
        if (k > 0 && !starts_with_heading) || (k < last && p.open_at_end) {
            return None;
        }
    }
    let mut out = Vec::with_capacity(parsed.iter().map(|p| p.segments.len()).sum());
    let mut blocks = 0;
    for ((at, _), p) in runs.iter().zip(parsed) {
        let index = out.len();
        out.extend(p.segments.into_iter().map(|mut s| {
            shift(&mut s, *at, blocks, index);
            s
        }));
        blocks += p.blocks;
    }
    Some(out)
}

/// Where runs start: 0, then up to `want - 1` cuts spread over the text, each at the start of
/// a line `#… ` (one to six `#`, then a space or tab) right after a blank line.
fn cuts(text: &str, want: usize) -> Vec<usize> {
    let mut out = vec![0];
    let step = text.len() / want.max(1);
    let mut from = step;
    while from < text.len() {
        // `from` is a byte count: start the search at a character.
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let Some(found) = text[from..].find("\n\n#") else {
            break;
        };
        let at = from + found + 2;
        if is_atx_heading(&text[at..]) {
            out.push(at);
            from = at + step;
        } else {
            from = at;
        }
    }
    out
}

fn is_atx_heading(line: &str) -> bool {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    (1..=6).contains(&hashes) && matches!(line.as_bytes().get(hashes), Some(b' ' | b'\t'))
}

/// Move a segment of a run starting at byte `at`, after `blocks` blocks and `index` segments.
fn shift(s: &mut Segment, at: usize, blocks: usize, index: usize) {
    s.span = (s.span.0 + at, s.span.1 + at);
    s.block += blocks;
    s.heading = s.heading.map(|h| h + index);
    s.leadin = s.leadin.map(|l| l + index);
    shift_pieces(&mut s.pieces, at);
    if let SegmentKind::TableRow { cells, .. } = &mut s.kind {
        for c in cells {
            shift_pieces(c, at);
        }
    }
}

fn shift_pieces(pieces: &mut [Piece], at: usize) {
    for p in pieces {
        match p {
            Piece::Text { at: a, .. } => *a += at,
            Piece::Code { span, .. } => *span = (span.0 + at, span.1 + at),
            Piece::Link { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document of `n` sections that exercises lists, lead-ins, tables, code and headings.
    fn document(n: usize) -> String {
        let mut d = String::from("# Rules\n\nAgents must follow these rules.\n\n");
        for i in 0..n {
            d.push_str(&format!(
                "## Section {i}\n\nNever edit these files:\n\n- `gen/a{i}.rs`\n- `gen/b{i}.rs`\n  \
                 - nested `x{i}`\n\nBefore committing, run:\n\n```sh\ncargo test -p c{i}\n```\n\n\
                 | Changed | Command |\n| --- | --- |\n| `src/m{i}/**` | `make m{i}` |\n\n\
                 > Do *not* push to `main`. See [the guide](docs/g{i}.md).\n\n"
            ));
        }
        d
    }

    fn same(a: &[Segment], b: &[Segment]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert_eq!(
                (&x.kind, &x.pieces, x.span, x.block, x.heading, x.leadin, x.depth),
                (&y.kind, &y.pieces, y.span, y.block, y.heading, y.leadin, y.depth)
            );
        }
    }

    #[test]
    fn runs_give_the_segments_of_the_whole() {
        let d = document(2000);
        assert!(d.len() > MIN_PARALLEL);
        let runs = segments(&d).expect("a large document is cut");
        same(&runs, &parse(&d).segments);
    }

    #[test]
    fn not_cut_where_a_cut_would_change_the_parse() {
        // A fence left open before a heading, a heading inside a list item's fence, an HTML
        // comment over a heading, a reference definition: parsed whole, so still the same.
        let d = document(1500);
        let tails = [
            "```\nunclosed fence\n\n# not a heading\n",
            "- item\n\n  ```\n\n# heading that closes the item\n",
            "<!--\n\n# inside a comment\n\n-->\n",
            "[guide]: docs/guide.md\n",
        ];
        for tail in tails {
            let mid = d.len() / 2;
            let cut = mid + d[mid..].find("\n\n## ").unwrap() + 2;
            let doc = format!("{}{tail}\n{}", &d[..cut], &d[cut..]);
            same(&super::super::segments(&doc), &parse(&doc).segments);
        }
    }

    #[test]
    fn cuts_fall_on_characters() {
        // Every byte offset the spread of cuts can land on is inside a three-byte character.
        let d = format!(
            "# 规则\n\n{}",
            "## 第一节\n\n禁止修改 `a.rs`。\n\n".repeat(20_000)
        );
        for want in 1..40 {
            for at in cuts(&d, want) {
                assert!(d.is_char_boundary(at) && is_atx_heading(&d[at..]));
            }
        }
        same(&segments(&d).expect("cut"), &parse(&d).segments);
    }

    #[test]
    fn small_documents_are_parsed_whole() {
        assert!(segments(&document(3)).is_none());
    }
}
