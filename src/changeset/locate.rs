//! Where each plan entry starts in the plan text, for diagnostics: a small JSON scanner and a
//! YAML text search.

use super::*;

/// The lists whose entries carry a `line`, in the order used by `build`.
pub(super) const LISTS: [&str; 4] = ["changes", "commands", "reads", "actions"];

/// Per list in `LISTS`, the line of each entry.
pub(super) type Lines = [Vec<Option<usize>>; 4];

/// A container on the way to the current position in a JSON document.
pub(super) enum Frame<'t> {
    /// An object, with the key whose value is being read (None between entries); borrowed
    /// from the text unless it has escapes.
    Obj(Option<std::borrow::Cow<'t, str>>),
    /// An array, with the index of the current element.
    Arr(usize),
}

/// Walks JSON `text` up to byte `stop`, calling `on_value(containers, line)` at the start of
/// every value; returns the containers open at `stop`. Tolerates malformed input.
pub(super) fn scan_json<'t>(
    text: &'t str,
    stop: usize,
    mut on_value: impl FnMut(&[Frame<'t>], usize),
) -> Vec<Frame<'t>> {
    let b = text.as_bytes();
    let stop = stop.min(b.len());
    let (mut stack, mut i, mut line) = (Vec::new(), 0, 1);
    while i < stop {
        match b[i] {
            b'\n' => line += 1,
            b' ' | b'\t' | b'\r' | b':' => {}
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let end = (j + 1).min(b.len());
                match stack.last_mut() {
                    Some(Frame::Obj(key @ None)) => {
                        let raw = &text[i..end];
                        let plain = raw
                            .strip_prefix('"')
                            .and_then(|r| r.strip_suffix('"'))
                            .filter(|k| !k.bytes().any(|b| b == b'\\' || b < 0x20));
                        *key = Some(match plain {
                            Some(k) => std::borrow::Cow::Borrowed(k),
                            None => serde_json::from_str(raw).unwrap_or_default(),
                        })
                    }
                    _ => on_value(&stack, line),
                }
                i = end;
                continue;
            }
            b'{' | b'[' => {
                on_value(&stack, line);
                stack.push(if b[i] == b'{' {
                    Frame::Obj(None)
                } else {
                    Frame::Arr(0)
                });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Arr(n)) => *n += 1,
                Some(Frame::Obj(key)) => *key = None,
                None => {}
            },
            _ => {
                on_value(&stack, line);
                while i + 1 < stop && !b"\"{}[],: \t\r\n".contains(&b[i + 1]) {
                    i += 1;
                }
            }
        }
        i += 1;
    }
    stack
}

pub(super) fn render_path(stack: &[Frame]) -> String {
    let mut path = String::new();
    for frame in stack {
        match frame {
            Frame::Obj(Some(key)) if path.is_empty() => path.push_str(key),
            Frame::Obj(Some(key)) => path.extend([".", key.as_ref()]),
            Frame::Arr(n) => path.push_str(&format!("[{n}]")),
            Frame::Obj(None) => {}
        }
    }
    path
}

/// Exact entry lines for a JSON plan: where each entry's value starts.
pub(super) fn json_lines(text: &str) -> Lines {
    let mut lines = Lines::default();
    scan_json(text, usize::MAX, |stack, line| {
        if let [Frame::Obj(Some(key)), Frame::Arr(_)] = stack {
            if let Some(list) = LISTS.iter().position(|l| *l == key.as_ref()) {
                lines[list].push(Some(line));
            }
        }
    });
    lines
}

/// Best-effort entry lines for a YAML plan: after the list's key, find each entry's
/// identifying `key: value` (or the bare value for `reads`) in order.
pub(super) fn yaml_lines(text: &str, raw: &RawPlan) -> Lines {
    let kinds: Vec<String> = raw.actions.iter().map(|a| kind_name(a.kind)).collect();
    [
        search_entries(
            text,
            LISTS[0],
            Some("path"),
            raw.changes.iter().map(|c| c.path.as_str()),
        ),
        search_entries(
            text,
            LISTS[1],
            Some("run"),
            raw.commands.iter().map(|c| c.run.as_str()),
        ),
        search_entries(
            text,
            LISTS[2],
            None,
            raw.reads.iter().flatten().map(String::as_str),
        ),
        search_entries(
            text,
            LISTS[3],
            Some("kind"),
            kinds.iter().map(String::as_str),
        ),
    ]
}

pub(super) fn kind_name(kind: ActionKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

pub(super) fn search_entries<'a>(
    text: &str,
    list: &str,
    key: Option<&str>,
    needles: impl Iterator<Item = &'a str>,
) -> Vec<Option<usize>> {
    let anchor = find_token(text, 0, list, |b, a| {
        before_ok(b) && colon_value(a).is_some()
    });
    let Some(mut cursor) = anchor.map(|at| at + list.len()) else {
        return needles.map(|_| None).collect();
    };
    let (mut misses, mut counted, mut line) = (0, 0, 1);
    let mut out = Vec::new();
    for needle in needles {
        let value_ok = |after: &str| after.strip_prefix(needle).is_some_and(after_ok);
        let hit = match key {
            _ if misses > 8 || needle.is_empty() => None, // bound the cost of unfindable entries
            Some(k) => find_token(text, cursor, k, |b, a| {
                before_ok(b)
                    && colon_value(a)
                        .is_some_and(|v| value_ok(v.strip_prefix(['"', '\'']).unwrap_or(v)))
            }),
            None => find_token(text, cursor, needle, |b, a| before_ok(b) && after_ok(a)),
        };
        match hit {
            Some(at) => {
                line += text[counted..at].matches('\n').count();
                counted = at;
                cursor = at + key.unwrap_or(needle).len();
                out.push(Some(line));
            }
            None => {
                misses += 1;
                out.push(None);
            }
        }
    }
    out
}

/// First occurrence of `token` at or after byte `from` accepted by `ok(before, after)`.
pub(super) fn find_token(
    text: &str,
    from: usize,
    token: &str,
    ok: impl Fn(&str, &str) -> bool,
) -> Option<usize> {
    let mut pos = from;
    while !token.is_empty() {
        let at = pos + text.get(pos..)?.find(token)?;
        if ok(&text[..at], &text[at + token.len()..]) {
            return Some(at);
        }
        pos = at + token.len();
    }
    None
}

pub(super) fn before_ok(before: &str) -> bool {
    before
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || "-[{,\"'".contains(c))
}

pub(super) fn after_ok(after: &str) -> bool {
    after
        .chars()
        .next()
        .is_none_or(|c| c.is_whitespace() || ",]}\"'#".contains(c))
}

/// For text following a key: the text after its closing quote (if any) and `:`.
pub(super) fn colon_value(after: &str) -> Option<&str> {
    let a = after.strip_prefix(['"', '\'']).unwrap_or(after);
    Some(
        a.trim_start_matches([' ', '\t'])
            .strip_prefix(':')?
            .trim_start_matches([' ', '\t']),
    )
}

/// Byte offset where 1-based `line` starts (end of text if there are fewer lines).
pub(super) fn line_offset(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}
