//! Markdown → sentences with byte spans, through pulldown-cmark (a CommonMark parser).
//!
//! Inline markup is dropped (emphasis never splits a negation: `Do *not*` reads `Do not`), code
//! spans and link targets are kept as pieces, wrapped lines are joined, and paragraphs are split
//! into sentences. Each sentence remembers its heading and its lead-in (the sentence ending in `:`
//! above a list or code block, or the parent list item), so a modal there can apply to it.

use std::borrow::Cow;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

mod chunks;

/// A piece of inline content, borrowed from the source where the source spells it as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Plain text starting at byte `at` of the source.
    Text { text: Cow<'a, str>, at: usize },
    /// A code span (without backticks) and its byte span.
    Code {
        text: Cow<'a, str>,
        span: (usize, usize),
    },
    /// A link target; the link's text follows as ordinary pieces.
    Link { dest: Cow<'a, str> },
}

/// What kind of block a segment came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentKind<'a> {
    Paragraph,
    Item,
    Heading(u8),
    /// A table body row: its cells, and the header row's plain text.
    TableRow {
        cells: Vec<Vec<Piece<'a>>>,
        header: Vec<String>,
    },
    /// A fenced or indented code block with its info string.
    Code {
        lang: String,
        text: String,
    },
}

/// A sentence (or code block, or table row) of a policy document.
#[derive(Debug, Clone)]
pub struct Segment<'a> {
    pub kind: SegmentKind<'a>,
    pub pieces: Vec<Piece<'a>>,
    /// Byte span in the source.
    pub span: (usize, usize),
    /// Index of the block it belongs to; sentences of one paragraph share it.
    pub block: usize,
    /// Index (into the segment list) of the nearest heading above.
    pub heading: Option<usize>,
    /// Index of the segment that leads in to this one: a sentence ending in `:` right above a
    /// list or code block, or, for nested list items, the parent item's last sentence.
    pub leadin: Option<usize>,
    /// List nesting depth (0 outside lists).
    pub depth: usize,
}

impl Segment<'_> {
    /// Plain text: code spans in backticks, links as their text.
    pub fn text(&self) -> String {
        pieces_text(&self.pieces)
    }
}

/// Plain text of pieces, code spans in backticks, each run of whitespace one space, none at
/// either end: in one pass (it is built for every statement of a policy).
pub fn pieces_text(pieces: &[Piece]) -> String {
    let len = pieces
        .iter()
        .map(|p| match p {
            Piece::Text { text, .. } => text.len(),
            Piece::Code { text, .. } => text.len() + 2,
            Piece::Link { .. } => 0,
        })
        .sum();
    let mut out = String::with_capacity(len);
    let mut space = false;
    let mut push = |out: &mut String, s: &str| {
        for c in s.chars() {
            if c.is_whitespace() {
                space = true;
            } else {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
        }
    };
    for p in pieces {
        match p {
            Piece::Text { text, .. } => push(&mut out, text),
            Piece::Code { text, .. } => {
                push(&mut out, "`");
                push(&mut out, text);
                push(&mut out, "`");
            }
            Piece::Link { .. } => {}
        }
    }
    out
}

#[derive(Default)]
struct State<'a> {
    segments: Vec<Segment<'a>>,
    buf: Vec<Piece<'a>>,
    buf_start: Option<usize>,
    buf_end: usize,
    block: usize,
    heading: Option<usize>,
    /// Open containers: true for list items.
    items: Vec<Option<usize>>,
    depth: usize,
    /// Last sentence of a paragraph or item that ended with `:`, waiting for its list or code.
    pending_leadin: Option<usize>,
    /// Lead-in for the list currently open at each depth.
    list_leadins: Vec<Option<usize>>,
    in_heading: Option<u8>,
    table_header: Vec<String>,
    table_cells: Vec<Vec<Piece<'a>>>,
    in_table_head: bool,
    row_start: usize,
    code: Option<(String, String, usize)>,
}

/// Parse a markdown document into segments. A large document is parsed in parallel, in runs
/// between top-level headings ([`chunks`]); the segments are the same as parsing it whole.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    chunks::segments(text).unwrap_or_else(|| parse(text).segments)
}

/// Segments of one run of markdown, as if it were the whole document.
struct Parsed<'a> {
    segments: Vec<Segment<'a>>,
    /// Blocks numbered (the last block's number).
    blocks: usize,
    /// A code or HTML block runs to the end of the text: it may be one that the text after
    /// would continue.
    open_at_end: bool,
}

fn parse(text: &str) -> Parsed<'_> {
    let mut st = State::default();
    let mut open_at_end = false;
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(text, opts).into_offset_iter() {
        match event {
            Event::Start(tag) => start(&mut st, tag, range.start),
            Event::End(tag) => {
                if matches!(tag, TagEnd::CodeBlock | TagEnd::HtmlBlock) && range.end >= text.len() {
                    open_at_end = true;
                }
                end(&mut st, tag, range.end)
            }
            Event::Text(t) => {
                if let Some((_, code, _)) = st.code.as_mut() {
                    code.push_str(&t);
                } else {
                    push_text(&mut st, cow(t), range.start, range.end);
                }
            }
            Event::Code(t) => {
                st.buf_start.get_or_insert(range.start);
                st.buf_end = range.end;
                st.buf.push(Piece::Code {
                    text: cow(t),
                    span: (range.start, range.end),
                });
            }
            Event::SoftBreak | Event::HardBreak => {
                push_text(&mut st, Cow::Borrowed("\n"), range.start, range.end)
            }
            Event::InlineHtml(_) | Event::Html(_) => {}
            _ => {}
        }
    }
    flush(&mut st);
    Parsed {
        segments: st.segments,
        blocks: st.block,
        open_at_end,
    }
}

/// Text the source spells as it is stays borrowed; text the parser rewrote (entities, escapes)
/// is owned.
fn cow(s: CowStr<'_>) -> Cow<'_, str> {
    match s {
        CowStr::Borrowed(b) => Cow::Borrowed(b),
        other => Cow::Owned(other.to_string()),
    }
}

fn push_text<'a>(st: &mut State<'a>, text: Cow<'a, str>, start: usize, end: usize) {
    st.buf_start.get_or_insert(start);
    st.buf_end = end;
    st.buf.push(Piece::Text { text, at: start });
}

fn start<'a>(st: &mut State<'a>, tag: Tag<'a>, at: usize) {
    match tag {
        Tag::Paragraph => flush(st),
        Tag::Heading { level, .. } => {
            flush(st);
            st.in_heading = Some(level as u8);
        }
        Tag::List(_) => {
            flush(st);
            let leadin = st
                .pending_leadin
                .take()
                .or_else(|| st.items.last().copied().flatten());
            st.list_leadins.push(leadin);
            st.depth += 1;
        }
        Tag::Item => {
            flush(st);
            st.items.push(None);
        }
        Tag::CodeBlock(kind) => {
            flush(st);
            let lang = match kind {
                CodeBlockKind::Fenced(info) => {
                    info.split_whitespace().next().unwrap_or("").to_lowercase()
                }
                CodeBlockKind::Indented => String::new(),
            };
            st.code = Some((lang, String::new(), at));
        }
        Tag::Table(_) => {
            flush(st);
            st.table_header.clear();
        }
        Tag::TableHead => {
            st.in_table_head = true;
            st.table_cells.clear();
            st.row_start = at;
        }
        Tag::TableRow => {
            st.table_cells.clear();
            st.row_start = at;
        }
        Tag::TableCell => {
            st.buf.clear();
            st.buf_start = None;
        }
        Tag::Link { dest_url, .. } => st.buf.push(Piece::Link {
            dest: cow(dest_url),
        }),
        _ => {}
    }
}

fn end(st: &mut State<'_>, tag: TagEnd, at: usize) {
    match tag {
        TagEnd::Paragraph => flush(st),
        TagEnd::Heading(_) => flush(st),
        TagEnd::Item => {
            flush(st);
            st.items.pop();
        }
        TagEnd::List(_) => {
            flush(st);
            st.list_leadins.pop();
            st.depth = st.depth.saturating_sub(1);
            st.pending_leadin = None;
        }
        TagEnd::CodeBlock => {
            if let Some((lang, text, start)) = st.code.take() {
                let leadin = st
                    .pending_leadin
                    .take()
                    .or_else(|| st.items.last().copied().flatten());
                st.block += 1;
                st.segments.push(Segment {
                    kind: SegmentKind::Code { lang, text },
                    pieces: Vec::new(),
                    span: (start, at),
                    block: st.block,
                    heading: st.heading,
                    leadin,
                    depth: st.depth,
                });
            }
        }
        TagEnd::TableCell => {
            st.table_cells.push(std::mem::take(&mut st.buf));
            st.buf_start = None;
        }
        TagEnd::TableHead => {
            st.table_header = st.table_cells.iter().map(|c| pieces_text(c)).collect();
            st.table_cells.clear();
            st.in_table_head = false;
        }
        TagEnd::TableRow => {
            let cells = std::mem::take(&mut st.table_cells);
            let mut pieces = Vec::new();
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    pieces.push(Piece::Text {
                        text: Cow::Borrowed(" | "),
                        at,
                    });
                }
                pieces.extend(c.iter().cloned());
            }
            st.block += 1;
            let leadin = st.pending_leadin;
            st.segments.push(Segment {
                kind: SegmentKind::TableRow {
                    cells,
                    header: st.table_header.clone(),
                },
                pieces,
                span: (st.row_start, at),
                block: st.block,
                heading: st.heading,
                leadin,
                depth: st.depth,
            });
        }
        TagEnd::Table => st.pending_leadin = None,
        _ => {}
    }
}

/// Turn the collected inline pieces into sentences.
fn flush(st: &mut State<'_>) {
    if st.buf.is_empty() || st.code.is_some() {
        st.buf.clear();
        st.buf_start = None;
        return;
    }
    let pieces = std::mem::take(&mut st.buf);
    let start = st.buf_start.take().unwrap_or(0);
    let end = st.buf_end;
    if is_blank(&pieces) {
        return;
    }
    st.block += 1;
    let in_item = !st.items.is_empty();
    let kind = match st.in_heading.take() {
        Some(level) => SegmentKind::Heading(level),
        None if in_item => SegmentKind::Item,
        None => SegmentKind::Paragraph,
    };
    let is_heading = matches!(kind, SegmentKind::Heading(_));
    let leadin = if is_heading {
        None
    } else if in_item && st.items.last().copied().flatten().is_none() {
        // First paragraph of a list item: its lead-in is the list's.
        st.list_leadins.last().copied().flatten()
    } else if in_item {
        st.items.last().copied().flatten()
    } else if only_targets(&pieces) {
        // "Do not alter the following directories without asking:" over a paragraph of
        // `/config` `/web/error`: a paragraph of nothing but code spans is the lead-in's list.
        st.pending_leadin
    } else {
        None
    };
    let sentences = split_sentences(pieces);
    let mut last = None;
    for (i, (sp, s_start, s_end)) in sentences.into_iter().enumerate() {
        let s_start = if i == 0 { start } else { s_start };
        let s_end = s_end.max(s_start).min(end.max(s_start));
        st.segments.push(Segment {
            kind: kind.clone(),
            pieces: sp,
            span: (s_start, if s_end > s_start { s_end } else { end }),
            block: st.block,
            heading: if is_heading { None } else { st.heading },
            leadin,
            depth: st.depth,
        });
        last = Some(st.segments.len() - 1);
    }
    let Some(last) = last else { return };
    if is_heading {
        st.heading = Some(last);
        st.pending_leadin = None;
        return;
    }
    if in_item {
        if let Some(slot) = st.items.last_mut() {
            *slot = Some(last);
        }
    }
    st.pending_leadin = ends_with_colon(&st.segments[last].pieces).then_some(last);
}

/// Whether pieces have no text: [`pieces_text`] is empty.
fn is_blank(pieces: &[Piece]) -> bool {
    pieces.iter().all(|p| match p {
        Piece::Text { text, .. } => text.trim().is_empty(),
        Piece::Code { .. } => false,
        Piece::Link { .. } => true,
    })
}

/// Whether [`pieces_text`] ends with a colon, without building it: the last piece with text is
/// text ending in `:` (a code span ends in a backtick).
fn ends_with_colon(pieces: &[Piece]) -> bool {
    for p in pieces.iter().rev() {
        match p {
            Piece::Text { text, .. } => {
                let t = text.trim_end();
                if !t.is_empty() {
                    return t.ends_with(':') || t.ends_with('：');
                }
            }
            Piece::Code { .. } => return false,
            Piece::Link { .. } => {}
        }
    }
    false
}

/// Split inline pieces into sentences at `.`, `!`, `?`, `。` followed by a space, never inside a
/// code span. Returns each sentence with its approximate byte start and end.
fn split_sentences(pieces: Vec<Piece<'_>>) -> Vec<(Vec<Piece<'_>>, usize, usize)> {
    let mut out: Vec<(Vec<Piece>, usize, usize)> = Vec::new();
    let mut cur: Vec<Piece> = Vec::new();
    let mut cur_start: Option<usize> = None;
    let mut cur_end = 0;
    let mut pieces = pieces.into_iter().peekable();
    while let Some(p) = pieces.next() {
        // A line break, then a line that opens with an order ("Do not alter …"), after a line
        // with no end of its own ("**IMPORTANT** Soft-locked files"): a new sentence.
        if let (Piece::Text { text, .. }, Some(Piece::Text { text: next, .. })) =
            (&p, pieces.peek())
        {
            let prev_text: String = cur
                .iter()
                .map(|q| match q {
                    Piece::Text { text, .. } => text.to_string(),
                    Piece::Code { .. } => "`".to_string(),
                    Piece::Link { .. } => String::new(),
                })
                .collect();
            let prev = prev_text.trim_end();
            let rest = next.trim_start_matches([' ', '\t']);
            if text.as_ref() == "\n" && opens_order_after(prev, rest) && !prev.is_empty() {
                out.push((
                    std::mem::take(&mut cur),
                    cur_start.take().unwrap_or(0),
                    cur_end,
                ));
                continue;
            }
        }
        match p {
            Piece::Text { text, at } => {
                // Parts of borrowed text stay borrowed.
                let part = |from: usize, to: usize| match &text {
                    Cow::Borrowed(b) => Cow::Borrowed(&b[from..to]),
                    Cow::Owned(o) => Cow::Owned(o[from..to].to_owned()),
                };
                let mut from = 0;
                while let Some(cut) = sentence_cut(&text[from..], &cur) {
                    let head = &text[from..from + cut];
                    let rest_at = at + from;
                    if !head.trim().is_empty() {
                        cur_start.get_or_insert(rest_at);
                        cur.push(Piece::Text {
                            text: part(from, from + cut),
                            at: rest_at,
                        });
                    }
                    cur_end = rest_at + head.len();
                    if !cur.is_empty() {
                        out.push((
                            std::mem::take(&mut cur),
                            cur_start.take().unwrap_or(rest_at),
                            cur_end,
                        ));
                    }
                    from += cut;
                }
                let rest = &text[from..];
                if !rest.is_empty() {
                    let rest_at = at + from;
                    if !rest.trim().is_empty() {
                        cur_start.get_or_insert(rest_at);
                    }
                    cur_end = rest_at + rest.len();
                    let text = if from == 0 {
                        text
                    } else {
                        part(from, text.len())
                    };
                    cur.push(Piece::Text { text, at: rest_at });
                }
            }
            Piece::Code { text, span } => {
                cur_start.get_or_insert(span.0);
                cur_end = span.1;
                cur.push(Piece::Code { text, span });
            }
            link @ Piece::Link { .. } => cur.push(link),
        }
    }
    if cur
        .iter()
        .any(|p| !matches!(p, Piece::Text { text, .. } if text.trim().is_empty()))
    {
        out.push((cur, cur_start.unwrap_or(0), cur_end));
    }
    out
}

/// Byte index just after a sentence end in `s`, if any.
fn sentence_cut(s: &str, before: &[Piece]) -> Option<usize> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next = chars.get(k + 1).map(|x| x.1);
        let end = i + c.len_utf8();
        match c {
            // "**IMPORTANT** Soft-locked files" / "Do not alter …" on the next line: a line that
            // opens with an order starts a sentence of its own after a line with no end.
            '\n' if i > 0 || !before.is_empty() => {
                let rest = s[end..].trim_start_matches([' ', '\t']);
                let prev = s[..i].trim_end();
                if opens_order_after(prev, rest) && (!prev.is_empty() || !before.is_empty()) {
                    return Some(i);
                }
            }
            '。' | '！' | '？' if end < s.len() => return Some(end),
            '.' | '!' | '?' => {
                // A sentence may end right after a code span: "… `x`." then a new line.
                let followed_by_space = next.is_some_and(char::is_whitespace)
                    || next.is_none() && (i > 0 || !before.is_empty());
                if !followed_by_space {
                    continue;
                }
                if c == '.' && is_abbreviation(&s[..i], before) {
                    continue;
                }
                return Some(end);
            }
            _ => {}
        }
    }
    None
}

/// Words that open an order at the start of a line.
const ORDER_OPENERS: &[&str] = &[
    "Do not", "Don't", "DO NOT", "DON'T", "Never", "NEVER", "Always", "ALWAYS", "Avoid", "AVOID",
    "Ask", "ASK", "You must", "You MUST", "Must", "MUST",
];

/// "**IMPORTANT** Soft-locked files" / "Do not alter …" on the next line: the next line (`rest`)
/// opens with an order and the line before (`prev`) does not leave its sentence open.
fn opens_order_after(prev: &str, rest: &str) -> bool {
    let opens = ORDER_OPENERS.iter().any(|o| {
        rest.starts_with(o) && rest[o.len()..].starts_with(|c: char| c.is_whitespace() || c == ',')
    });
    let open_end = prev.ends_with([',', ':', ';', '(', '-', '/'])
        || prev.ends_with(" and")
        || prev.ends_with(" or");
    opens && !open_end
}

fn is_abbreviation(head: &str, before: &[Piece]) -> bool {
    let word = head
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
        .to_lowercase();
    const ABBR: &[&str] = &[
        "e.g", "i.e", "etc", "vs", "cf", "approx", "incl", "no", "fig", "ex", "eg", "ie",
    ];
    if ABBR.contains(&word.as_str()) {
        return true;
    }
    // A lone letter or digit ("1. ", "a. ") at the very start is a marker, not an end.
    let trimmed = head.trim();
    trimmed.len() <= 2 && before.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The one-pass text is what joining the pieces and collapsing whitespace gives.
        #[test]
        fn pieces_text_collapses_like_split_whitespace(
            parts in proptest::collection::vec((0u8..3, "[ a\t\n\u{a0}\u{3000}é`b-]{0,8}"), 0..6)
        ) {
            let pieces: Vec<Piece> = parts
                .iter()
                .map(|(k, t)| match k {
                    0 => Piece::Text { text: t.as_str().into(), at: 0 },
                    1 => Piece::Code { text: t.as_str().into(), span: (0, 0) },
                    _ => Piece::Link { dest: t.as_str().into() },
                })
                .collect();
            let mut joined = String::new();
            for p in &pieces {
                match p {
                    Piece::Text { text, .. } => joined.push_str(text),
                    Piece::Code { text, .. } => joined.push_str(&format!("`{text}`")),
                    Piece::Link { .. } => {}
                }
            }
            let want = joined.split_whitespace().collect::<Vec<_>>().join(" ");
            prop_assert_eq!(pieces_text(&pieces), want);
        }
    }

    fn texts(md: &str) -> Vec<String> {
        segments(md).iter().map(Segment::text).collect()
    }

    #[test]
    fn splits_sentences_and_joins_wrapped_lines() {
        let t = texts("Never edit `a.md`. Run\n`cargo test` before committing.\n");
        assert_eq!(
            t,
            vec!["Never edit `a.md`.", "Run `cargo test` before committing."]
        );
    }

    #[test]
    fn emphasis_does_not_split_negation() {
        assert_eq!(texts("Do *not* edit `x`.\n"), vec!["Do not edit `x`."]);
    }

    #[test]
    fn abbreviations_do_not_split() {
        assert_eq!(
            texts("Do not modify config files (e.g. CI/CD) until told.\n").len(),
            1
        );
    }

    #[test]
    fn list_items_get_lead_in() {
        let segs = segments("NEVER edit these files:\n\n- `a.rs`\n- `b.rs`\n");
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[1].leadin, Some(0));
        assert_eq!(segs[2].leadin, Some(0));
    }

    #[test]
    fn code_block_after_colon_gets_lead_in() {
        let segs = segments("Before committing, run:\n\n```sh\ncargo test\n```\n");
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[1].leadin, Some(0));
        assert!(matches!(&segs[1].kind, SegmentKind::Code { text, .. } if text == "cargo test\n"));
    }

    #[test]
    fn nested_items_lead_in_from_parent() {
        let segs = segments("- Before a PR, run these:\n  - `npm ci`\n  - `npm test`\n");
        assert_eq!(segs[1].leadin, Some(0));
        assert_eq!(segs[2].leadin, Some(0));
    }

    #[test]
    fn table_rows_keep_header() {
        let segs = segments("| Changed | Command |\n| --- | --- |\n| `a/**` | `make a` |\n");
        assert_eq!(segs.len(), 1);
        match &segs[0].kind {
            SegmentKind::TableRow { cells, header } => {
                assert_eq!(cells.len(), 2);
                assert_eq!(header, &vec!["Changed".to_string(), "Command".to_string()]);
            }
            k => panic!("unexpected {k:?}"),
        }
    }
}

/// Pieces that are only code spans (and the spaces or punctuation between them).
fn only_targets(pieces: &[Piece]) -> bool {
    pieces.iter().any(|p| matches!(p, Piece::Code { .. }))
        && pieces.iter().all(|p| match p {
            Piece::Code { .. } => true,
            Piece::Text { text, .. } => text
                .chars()
                .all(|c| c.is_whitespace() || matches!(c, ',' | ';' | '.')),
            Piece::Link { .. } => false,
        })
}
