//! Shell words: quote removal, ANSI-C strings, path joining.

use super::*;

/// A shell word after quote removal, with expansions kept as written.
#[derive(Debug, Clone, Default)]
pub(super) struct Word {
    pub(super) text: String,
    /// Contains an expansion (`$X`, `${X}`, `$(…)`, `~`, `$((…))`).
    pub(super) dynamic: bool,
    /// Contains literal characters (quotes do not count).
    pub(super) literal: bool,
    /// An expansion follows the last literal `/`: the file name is only known at run time.
    pub(super) name_dynamic: bool,
    /// Command substitutions inside the word.
    pub(super) subs: Vec<String>,
}

pub(super) type WordParser<E> = fn(&str, &ParserOptions) -> Result<Vec<WordPieceWithSource>, E>;

impl Word {
    pub(super) fn parse(raw: &str) -> Self {
        Self::with(raw, brush_parser::word::parse)
    }

    pub(super) fn with<E>(raw: &str, parser: WordParser<E>) -> Self {
        let mut word = Self::default();
        match std::panic::catch_unwind(|| parser(raw, &ParserOptions::default())) {
            Ok(Ok(pieces)) => word.pieces(raw, &pieces, false),
            _ if raw.contains(['$', '`']) => word.push_dynamic(&brush_parser::unquote_str(raw)),
            _ => word.push_literal(&brush_parser::unquote_str(raw)),
        }
        word
    }

    pub(super) fn pieces(&mut self, raw: &str, pieces: &[WordPieceWithSource], in_quotes: bool) {
        for piece in pieces {
            let source = raw
                .get(piece.start_index..piece.end_index)
                .unwrap_or_default();
            match &piece.piece {
                WordPiece::Text(s) | WordPiece::SingleQuotedText(s) => self.push_literal(s),
                WordPiece::AnsiCQuotedText(s) => self.push_literal(&ansi_c(s)),
                WordPiece::DoubleQuotedSequence(inner)
                | WordPiece::GettextDoubleQuotedSequence(inner) => {
                    self.pieces(raw, inner, true);
                }
                WordPiece::EscapeSequence(s) => {
                    let escaped = s.strip_prefix('\\').unwrap_or(s);
                    // Inside double quotes a backslash only escapes `$`, backquote, `"`, `\` and newline.
                    let kept = in_quotes && !escaped.starts_with(['$', '`', '"', '\\', '\n']);
                    self.push_literal(if kept { s } else { escaped });
                }
                WordPiece::CommandSubstitution(script) => {
                    self.subs.push(script.clone());
                    self.push_dynamic(source);
                }
                WordPiece::BackquotedCommandSubstitution(script) => {
                    self.subs
                        .push(script.replace("\\$", "$").replace("\\\\", "\\"));
                    self.push_dynamic(source);
                }
                WordPiece::ParameterExpansion(expr) => {
                    for inner in parameter_words(expr) {
                        self.subs.extend(Self::parse(inner).subs);
                    }
                    self.push_dynamic(source);
                }
                WordPiece::TildeExpansion(_) | WordPiece::ArithmeticExpression(_) => {
                    self.push_dynamic(source)
                }
            }
        }
    }

    pub(super) fn push_literal(&mut self, s: &str) {
        self.literal |= !s.is_empty();
        self.name_dynamic &= !s.contains('/');
        self.text.push_str(s);
    }

    pub(super) fn push_dynamic(&mut self, source: &str) {
        self.dynamic = true;
        self.name_dynamic = true;
        self.text.push_str(source);
    }

    /// Nothing but expansions: `"$X"`, `$(cmd)`.
    pub(super) fn only_dynamic(&self) -> bool {
        self.dynamic && !self.literal
    }

    /// The program this word runs, unless its name is only known at run time.
    pub(super) fn program_name(&self) -> Option<String> {
        (!self.name_dynamic).then(|| basename(&self.text).to_owned())
    }
}

/// Words inside `${…}` that are expanded too (`${X:-$(cmd)}`).
pub(super) fn parameter_words(expr: &ParameterExpr) -> Vec<&String> {
    match expr {
        ParameterExpr::UseDefaultValues {
            default_value: value,
            ..
        }
        | ParameterExpr::AssignDefaultValues {
            default_value: value,
            ..
        }
        | ParameterExpr::IndicateErrorIfNullOrUnset {
            error_message: value,
            ..
        }
        | ParameterExpr::UseAlternativeValue {
            alternative_value: value,
            ..
        } => value.iter().collect(),
        ParameterExpr::ReplaceSubstring {
            pattern,
            replacement,
            ..
        } => std::iter::once(pattern).chain(replacement).collect(),
        _ => Vec::new(),
    }
}

/// Decodes the body of `$'…'`, so that `$'\x67it'` is seen as `git`.
pub(super) fn ansi_c(s: &str) -> String {
    const PLAIN: &[(char, char)] = &[
        ('n', '\n'),
        ('t', '\t'),
        ('r', '\r'),
        ('a', '\x07'),
        ('b', '\x08'),
        ('e', '\x1b'),
        ('E', '\x1b'),
        ('f', '\x0c'),
        ('v', '\x0b'),
        ('\\', '\\'),
        ('\'', '\''),
        ('"', '"'),
        ('?', '?'),
    ];
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let Some(e) = chars.next_if(|_| c == '\\') else {
            out.push(c);
            continue;
        };
        // `\xHH`, `\uHHHH`, `\UHHHHHHHH` and `\NNN` (octal) name a character by number.
        let (radix, width, mut value) = match e {
            'x' => (16, 2, 0),
            'u' => (16, 4, 0),
            'U' => (16, 8, 0),
            '0'..='7' => (8, 2, e.to_digit(8).unwrap_or_default()),
            _ => (2, 0, 0),
        };
        let mut digits = 0;
        while let Some(d) = chars
            .peek()
            .and_then(|d| d.to_digit(radix))
            .filter(|_| digits < width)
        {
            value = value * radix + d;
            digits += 1;
            chars.next();
        }
        match PLAIN.iter().find(|(key, _)| *key == e) {
            Some((_, plain)) => out.push(*plain),
            None => match char::from_u32(value).filter(|_| radix == 8 || digits > 0) {
                Some(decoded) => out.push(decoded),
                None => out.extend(['\\', e]),
            },
        }
    }
    out
}

pub(super) fn basename(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|name| !name.is_empty())
        .unwrap_or(path)
}

/// `path` under `base`; absolute, home and variable paths stay as they are.
pub(super) fn join(base: &str, path: &str) -> String {
    if base.is_empty() || path.starts_with(['/', '~', '$']) {
        path.to_owned()
    } else {
        format!("{}/{path}", base.trim_end_matches('/'))
    }
}

pub(super) fn join_cwd(cwd: Option<&str>, path: &str) -> String {
    cwd.map_or_else(|| path.to_owned(), |cwd| join(cwd, path))
}

/// Resolves `.` and `..` in a directory relative to the start; leading `..` stay.
pub(super) fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => drop(parts.pop()),
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Whether a path names a file, rather than a standard stream, terminal or process substitution.
pub(super) fn is_file(path: &str) -> bool {
    const STREAMS: &[&str] = &[
        "",
        "-",
        "/dev/null",
        "/dev/stdin",
        "/dev/stdout",
        "/dev/stderr",
        "/dev/tty",
    ];
    !STREAMS.contains(&path)
        && !path.starts_with("/dev/fd/")
        && !path.starts_with("<(")
        && !path.starts_with(">(")
}

/// `NAME=VALUE`, as `env` and `sudo` accept before the command.
pub(super) fn split_assignment(text: &str) -> Option<(&str, &str)> {
    let (name, value) = text.split_once('=')?;
    let first = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    (first && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some((name, value))
}

// ---- Options ----------------------------------------------------------------------------------
