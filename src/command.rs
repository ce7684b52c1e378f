//! Shell command analysis for agent plans.
//!
//! [`analyze`] parses a command string with the `brush-parser` shell grammar and reports every
//! program it would run (after peeling wrappers such as `sudo`, `env`, `xargs` or `bash -c`), the
//! directory each one runs in, and the files it reads, writes or deletes, so that policy rules
//! cannot be dodged by respelling a command (`'git'`, `/usr/bin/git`, `env git`, `sh -c 'git …'`).
//!
//! Wrappers and script runners (`sudo`, `bash -c`, `eval`, `xargs`…) are not invocations
//! themselves: they are listed in [`Invocation::wrappers`] of what they run.
//!
//! The analysis is static: nothing is expanded or run. Unexpanded `$X`, `~` and `$(…)` are kept as
//! written; when the program or a whole script is only known at run time, a reason is recorded in
//! [`Analysis::opaque`].

use brush_parser::ast;
use brush_parser::word::{ParameterExpr, WordPiece, WordPieceWithSource};
use brush_parser::ParserOptions;
use serde::Serialize;
use EffectKind::{Delete, Read, Write};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invocation {
    /// Program name as invoked, with any directory stripped (`/usr/bin/git` -> `git`), quotes removed (`'git'`, `g"i"t` -> `git`).
    pub program: String,
    /// Arguments after the program, quote-removed (`"a b"` -> `a b`). Unexpanded `$X` kept literally.
    pub args: Vec<String>,
    /// Leading assignments `FOO=1 cmd` and those given through `env FOO=1 cmd`, as (name, value).
    pub env: Vec<(String, String)>,
    /// The simple command ran in the background (`cmd &`).
    pub background: bool,
    /// Working directory relative to where the whole string started, after `cd` / `pushd`
    /// in the same string (`cd backend && make test` -> "backend"); "" at start. Normalised with `/`;
    /// `cd /abs` or `cd $X` make it `None` (unknown).
    pub cwd: Option<String>,
    /// Wrappers that were peeled off to reach this program, in order (`sudo`, `env`, `timeout`, `bash -c`...).
    pub wrappers: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EffectKind {
    Write,
    Delete,
    Read,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEffect {
    pub kind: EffectKind,
    /// The path as written (quote-removed), joined onto the invocation's cwd when relative and cwd is known
    /// (e.g. `cd backend && rm x` -> "backend/x"). Absolute paths stay absolute. Do not normalise `..` etc; the caller does.
    pub path: String,
    /// index into `Analysis::invocations` of the command that caused it (None for a redirection on a compound command)
    pub invocation: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Analysis {
    pub invocations: Vec<Invocation>,
    pub effects: Vec<FileEffect>,
    /// Reasons the command could not be fully analysed (e.g. `eval "$X"`, `bash -c "$CMD"`, a command
    /// name that is itself a variable or substitution `$CMD args`, `sh script-from-stdin`). Empty when fully analysed.
    pub opaque: Vec<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CommandError {
    #[error("cannot parse shell command `{command}`: {message}")]
    #[diagnostic(
        code(agentgate::command::parse),
        help("write the command as it would be typed in bash; check quotes and brackets")
    )]
    Parse { command: String, message: String },
    #[error("shell command nests too deeply (more than {limit} levels of `bash -c`, `eval` or substitutions)")]
    #[diagnostic(code(agentgate::command::depth))]
    TooDeep { limit: usize },
}

/// Deepest nesting of `bash -c`, `eval`, `find -exec` and substitutions that is followed.
const MAX_DEPTH: usize = 8;
/// Deepest bracket nesting handed to the parser, which recurses once per level.
const MAX_BRACKETS: usize = 200;
/// Longest command analysed, in bytes.
const MAX_LEN: usize = 64 * 1024;
/// Stack of the analysis thread: the parser also recurses once per nested `if`, `while`, `!`…
const STACK_BYTES: usize = 256 << 20;

/// Analyses a shell command string: the programs it runs, where, and the files they touch.
///
/// Never panics.
///
/// # Errors
///
/// [`CommandError::Parse`] when the command is not valid shell or longer than 64 KiB, and
/// [`CommandError::TooDeep`] when it nests too deeply.
pub fn analyze(command: &str) -> Result<Analysis, CommandError> {
    if command.len() > MAX_LEN {
        let message = format!(
            "the command is {} bytes long; at most {MAX_LEN} are analysed",
            command.len()
        );
        return Err(CommandError::Parse {
            command: quoted(command),
            message,
        });
    }
    // The parser recurses as deep as the input nests, so run it on a stack known to be large
    // enough rather than on the caller's.
    let ran = std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("agentgate-command".to_owned())
            .stack_size(STACK_BYTES);
        match thread.spawn_scoped(scope, || analyze_here(command)) {
            Ok(handle) => handle.join().ok(),
            Err(_) => std::panic::catch_unwind(|| analyze_here(command)).ok(),
        }
    });
    let failed = || CommandError::Parse {
        command: quoted(command),
        message: "the shell parser failed".to_owned(),
    };
    ran.unwrap_or_else(|| Err(failed()))
}

fn analyze_here(command: &str) -> Result<Analysis, CommandError> {
    let mut walker = Walker::default();
    let mut shell = Shell {
        cwd: Some(String::new()),
        stack: Vec::new(),
    };
    // Plans written on Windows end lines with CRLF; a shell would keep the CR in the last word.
    walker.script(
        &command.replace("\r\n", "\n"),
        &Ctx::default(),
        &mut shell,
        None,
    )?;
    Ok(walker.out)
}

/// The command as quoted back in errors: at most 200 characters.
fn quoted(command: &str) -> String {
    match command.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", command.get(..end).unwrap_or_default()),
        None => command.to_owned(),
    }
}

fn parse(text: &str) -> Result<ast::Program, String> {
    let parse = || {
        let tokens = brush_parser::tokenize_str(text).map_err(|e| e.to_string())?;
        brush_parser::parse_tokens(&tokens, &ParserOptions::default()).map_err(|e| e.to_string())
    };
    std::panic::catch_unwind(parse).unwrap_or_else(|_| Err("the shell parser failed".to_owned()))
}

/// Deepest nesting of brackets, quoted or not: a cheap bound on the parser's recursion.
fn bracket_depth(text: &str) -> usize {
    let deeper = |(depth, max): (usize, usize), byte| match byte {
        b'(' | b'{' | b'[' => (depth + 1, max.max(depth + 1)),
        b')' | b'}' | b']' => (depth.saturating_sub(1), max),
        _ => (depth, max),
    };
    text.bytes().fold((0, 0), deeper).1
}

// ---- Words ------------------------------------------------------------------------------------

/// A shell word after quote removal, with expansions kept as written.
#[derive(Debug, Clone, Default)]
struct Word {
    text: String,
    /// Contains an expansion (`$X`, `${X}`, `$(…)`, `~`, `$((…))`).
    dynamic: bool,
    /// Contains literal characters (quotes do not count).
    literal: bool,
    /// An expansion follows the last literal `/`: the file name is only known at run time.
    name_dynamic: bool,
    /// Command substitutions inside the word.
    subs: Vec<String>,
}

type WordParser<E> = fn(&str, &ParserOptions) -> Result<Vec<WordPieceWithSource>, E>;

impl Word {
    fn parse(raw: &str) -> Self {
        Self::with(raw, brush_parser::word::parse)
    }

    fn with<E>(raw: &str, parser: WordParser<E>) -> Self {
        let mut word = Self::default();
        match std::panic::catch_unwind(|| parser(raw, &ParserOptions::default())) {
            Ok(Ok(pieces)) => word.pieces(raw, &pieces, false),
            _ if raw.contains(['$', '`']) => word.push_dynamic(&brush_parser::unquote_str(raw)),
            _ => word.push_literal(&brush_parser::unquote_str(raw)),
        }
        word
    }

    fn pieces(&mut self, raw: &str, pieces: &[WordPieceWithSource], in_quotes: bool) {
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

    fn push_literal(&mut self, s: &str) {
        self.literal |= !s.is_empty();
        self.name_dynamic &= !s.contains('/');
        self.text.push_str(s);
    }

    fn push_dynamic(&mut self, source: &str) {
        self.dynamic = true;
        self.name_dynamic = true;
        self.text.push_str(source);
    }

    /// Nothing but expansions: `"$X"`, `$(cmd)`.
    fn only_dynamic(&self) -> bool {
        self.dynamic && !self.literal
    }

    /// The program this word runs, unless its name is only known at run time.
    fn program_name(&self) -> Option<String> {
        (!self.name_dynamic).then(|| basename(&self.text).to_owned())
    }
}

/// Words inside `${…}` that are expanded too (`${X:-$(cmd)}`).
fn parameter_words(expr: &ParameterExpr) -> Vec<&String> {
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
fn ansi_c(s: &str) -> String {
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

fn basename(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|name| !name.is_empty())
        .unwrap_or(path)
}

/// `path` under `base`; absolute, home and variable paths stay as they are.
fn join(base: &str, path: &str) -> String {
    if base.is_empty() || path.starts_with(['/', '~', '$']) {
        path.to_owned()
    } else {
        format!("{}/{path}", base.trim_end_matches('/'))
    }
}

fn join_cwd(cwd: Option<&str>, path: &str) -> String {
    cwd.map_or_else(|| path.to_owned(), |cwd| join(cwd, path))
}

/// Resolves `.` and `..` in a directory relative to the start; leading `..` stay.
fn normalize(path: &str) -> String {
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
fn is_file(path: &str) -> bool {
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
fn split_assignment(text: &str) -> Option<(&str, &str)> {
    let (name, value) = text.split_once('=')?;
    let first = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    (first && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some((name, value))
}

// ---- Options ----------------------------------------------------------------------------------

/// How a program spells its options, so that option values are not taken for operands.
#[derive(Clone, Copy)]
struct Spec {
    /// Short options taking a value, attached (`-n5`) or as the next argument (`-n 5`).
    short: &'static str,
    /// Short options whose value, if any, is attached (`sed -i.bak`, `xargs -i{}`).
    attached: &'static str,
    /// Long options taking the next argument as value when written without `=`.
    long: &'static [&'static str],
    /// Long options taking the next two arguments (`jq --arg NAME VALUE`).
    long2: &'static [&'static str],
    /// `+N` arguments are options (`vim +10`, `bash +x`).
    plus: bool,
    /// `-x`, `-rw` are modes, hence operands (`chmod -x FILE`).
    modes: bool,
}

const fn opts(short: &'static str, long: &'static [&'static str]) -> Spec {
    Spec {
        short,
        attached: "",
        long,
        long2: &[],
        plus: false,
        modes: false,
    }
}

const NONE: Spec = opts("", &[]);

#[derive(Default)]
struct Scan {
    /// Options seen, as (`-x` or `--name`, value or "").
    opts: Vec<(String, String)>,
    /// Indices of the operands.
    operands: Vec<usize>,
    /// How many operands came before `--`, when given.
    dashdash: Option<usize>,
    /// Index of the first argument left unscanned (when stopping at the first operand).
    end: usize,
}

impl Scan {
    fn has(&self, names: &[&str]) -> bool {
        self.opts
            .iter()
            .any(|(name, _)| names.contains(&name.as_str()))
    }

    fn value(&self, names: &[&str]) -> Option<&str> {
        self.opts
            .iter()
            .rev()
            .find(|(name, _)| names.contains(&name.as_str()))
            .map(|(_, value)| value.as_str())
    }
}

/// Splits arguments into options and operands. With `stop`, scanning ends at the first operand
/// or after `--`, as a wrapper's options end where the command it runs begins.
fn scan(args: &[&str], spec: &Spec, stop: bool) -> Scan {
    let mut out = Scan::default();
    let mut i = 0;
    while let Some(&arg) = args.get(i) {
        i += 1;
        if out.dashdash.is_none() && arg == "--" {
            out.dashdash = Some(out.operands.len());
            if stop {
                break;
            }
            continue;
        }
        let mode = spec.modes
            && arg
                .get(1..)
                .is_some_and(|m| m.chars().all(|c| "rwxXst".contains(c)));
        let option =
            arg.len() > 1 && (arg.starts_with('-') || (spec.plus && arg.starts_with('+'))) && !mode;
        if out.dashdash.is_some() || !option {
            if stop {
                i -= 1;
                break;
            }
            out.operands.push(i - 1);
        } else if let Some((name, value)) = arg.strip_prefix("--").and_then(|_| arg.split_once('='))
        {
            out.opts.push((name.to_owned(), value.to_owned()));
        } else if arg.starts_with("--") {
            let takes = if spec.long.contains(&arg) {
                1
            } else {
                2 * usize::from(spec.long2.contains(&arg))
            };
            let value = args
                .get(i)
                .filter(|_| takes > 0)
                .copied()
                .unwrap_or_default();
            out.opts.push((arg.to_owned(), value.to_owned()));
            i += takes;
        } else {
            let (sign, cluster) = arg.split_at(1);
            for (at, c) in cluster.char_indices() {
                let rest = cluster.get(at + c.len_utf8()..).unwrap_or_default();
                let takes = spec.short.contains(c);
                let value = if takes && rest.is_empty() {
                    i += 1;
                    args.get(i - 1).copied().unwrap_or_default()
                } else {
                    rest
                };
                let has_value = takes || spec.attached.contains(c);
                out.opts.push((
                    format!("{sign}{c}"),
                    if has_value {
                        value.to_owned()
                    } else {
                        String::new()
                    },
                ));
                if has_value {
                    break;
                }
            }
        }
    }
    out.end = i.min(args.len());
    out
}

// ---- What programs do to files ----------------------------------------------------------------

/// Which operands of a program are files, and what happens to them.
#[derive(Clone, Copy)]
enum Rule {
    /// Operands are not known to be files.
    None,
    /// Every operand.
    All(EffectKind),
    /// Only the first operand (`source FILE ARGS…`, `bash SCRIPT ARGS…`).
    First(EffectKind),
    /// The first operand is a pattern, program or mode, unless one of these options gave it.
    AfterPattern(EffectKind, &'static [&'static str]),
    /// Like `AfterPattern`, but written when edited in place (`-i`), else the given effect.
    InPlace(Option<EffectKind>, &'static [&'static str]),
    /// Sources get the effect; the destination (last operand, or `-t DIR`) is written.
    Transfer(Option<EffectKind>),
    /// The first operand gets the first effect, the second the second (`uniq IN OUT`).
    Pair(EffectKind, EffectKind),
    /// Operands after `--` (`git checkout -- PATHS`).
    AfterDashDash(EffectKind),
    /// `if=FILE` is read and `of=FILE` written (`dd`).
    Dd,
}

struct Program {
    names: &'static [&'static str],
    spec: Spec,
    rule: Rule,
    /// Options whose value is a file (`sort -o OUT`).
    files: &'static [(&'static str, EffectKind)],
}

const P: Program = Program {
    names: &[],
    spec: NONE,
    rule: Rule::None,
    files: &[],
};
const COPY: Spec = opts("tS", &["--target-directory", "--suffix"]);
const SHELL: Spec = Spec {
    plus: true,
    ..opts("oO", &["--rcfile", "--init-file"])
};
const SHELLS: &[&str] = &["bash", "sh", "zsh", "dash", "ksh", "mksh", "ash"];
const PATTERN_OPTS: &[&str] = &["-e", "-f", "--regexp", "--file"];
/// `-f FILE` gives the pattern or program in a file.
const PATTERN_FILES: &[(&str, EffectKind)] = &[("-f", Read), ("--file", Read)];

#[rustfmt::skip]
const PROGRAMS: &[Program] = &[
    Program { names: &["rm", "rmdir", "unlink"], rule: Rule::All(Delete), ..P },
    Program { names: &["shred"], spec: opts("ns", &[]), rule: Rule::All(Delete), ..P },
    Program { names: &["touch"], spec: opts("dtr", &["--date", "--reference"]), rule: Rule::All(Write), ..P },
    Program { names: &["mkdir"], spec: opts("m", &["--mode"]), rule: Rule::All(Write), ..P },
    Program { names: &["truncate"], spec: opts("sr", &["--size", "--reference"]), rule: Rule::All(Write), ..P },
    Program { names: &["tee"], rule: Rule::All(Write), ..P },
    Program { names: &["chmod"], spec: Spec { modes: true, ..NONE }, rule: Rule::AfterPattern(Write, &["--reference"]), ..P },
    Program { names: &["chown", "chgrp"], rule: Rule::AfterPattern(Write, &["--reference"]), ..P },
    Program { names: &["cp"], spec: COPY, rule: Rule::Transfer(Some(Read)), ..P },
    Program { names: &["mv"], spec: COPY, rule: Rule::Transfer(Some(Delete)), ..P },
    Program { names: &["ln"], spec: COPY, rule: Rule::Transfer(None), ..P },
    Program { names: &["install"], spec: opts("tSmog", &["--target-directory", "--mode", "--owner", "--group"]), rule: Rule::Transfer(Some(Read)), ..P },
    Program { names: &["rsync"], spec: opts("efT", &["--exclude", "--include", "--filter", "--rsh", "--files-from", "--temp-dir", "--chmod", "--log-file"]), rule: Rule::Transfer(Some(Read)), ..P },
    Program { names: &["dd"], rule: Rule::Dd, ..P },
    Program { names: &["sed"], spec: Spec { attached: "i", ..opts("efl", &["--expression", "--file", "--line-length"]) }, rule: Rule::InPlace(Some(Read), &["-e", "-f", "--expression", "--file"]), files: PATTERN_FILES },
    Program { names: &["perl"], spec: Spec { attached: "il0xCFd", ..opts("eEIM", &[]) }, rule: Rule::InPlace(None, &["-e", "-E"]), ..P },
    Program { names: &["patch"], spec: opts("pioDdFrBVzY", &["--input", "--output", "--directory", "--strip"]), rule: Rule::Pair(Write, Read), files: &[("-i", Read), ("--input", Read), ("-o", Write), ("--output", Write)] },
    Program { names: &["uniq"], spec: opts("fsw", &[]), rule: Rule::Pair(Read, Write), ..P },
    Program { names: &["sort"], spec: opts("kotST", &["--key", "--output", "--field-separator", "--buffer-size"]), rule: Rule::All(Read), files: &[("-o", Write), ("--output", Write)] },
    Program { names: &["cat", "tac", "more", "nl", "wc", "strings", "base64", "cmp", "open", "md5sum", "sha1sum", "sha256sum", "sha512sum"], spec: opts("w", &[]), rule: Rule::All(Read), ..P },
    Program { names: &["head", "tail"], spec: opts("nc", &["--lines", "--bytes"]), rule: Rule::All(Read), ..P },
    Program { names: &["less"], spec: Spec { plus: true, ..opts("bhjkoOpPtTxyz", &[]) }, rule: Rule::All(Read), ..P },
    Program { names: &["bat", "batcat"], spec: opts("lrHm", &[]), rule: Rule::All(Read), ..P },
    Program { names: &["cut"], spec: opts("bcdf", &["--bytes", "--characters", "--delimiter", "--fields"]), rule: Rule::All(Read), ..P },
    Program { names: &["xxd", "od", "hexdump"], spec: opts("cglosAjNtwefn", &[]), rule: Rule::All(Read), ..P },
    Program { names: &["diff"], spec: opts("CFILSUxX", &["--label", "--exclude", "--ignore-matching-lines"]), rule: Rule::All(Read), ..P },
    Program { names: &["grep", "egrep", "fgrep"], spec: opts("efmABCdD", &["--regexp", "--file", "--max-count", "--context", "--include", "--exclude", "--exclude-dir"]), rule: Rule::AfterPattern(Read, PATTERN_OPTS), files: PATTERN_FILES },
    Program { names: &["rg"], spec: opts("efgtTmABCjMrEd", &["--regexp", "--file", "--glob", "--type", "--max-count", "--replace"]), rule: Rule::AfterPattern(Read, PATTERN_OPTS), files: PATTERN_FILES },
    Program { names: &["ag", "ack"], spec: opts("ABCGgm", &[]), rule: Rule::AfterPattern(Read, &[]), ..P },
    Program { names: &["awk", "gawk", "mawk", "nawk"], spec: opts("fvF", &["--file", "--assign"]), rule: Rule::AfterPattern(Read, &["-f", "--file"]), files: PATTERN_FILES },
    Program { names: &["jq", "yq", "gojq"], spec: Spec { long2: &["--arg", "--argjson", "--slurpfile", "--rawfile"], ..opts("fLoIp", &["--from-file", "--indent"]) }, rule: Rule::AfterPattern(Read, &["-f", "--from-file"]), files: &[("-f", Read), ("--from-file", Read)] },
    Program { names: &["source", "."], rule: Rule::First(Read), ..P },
    Program { names: SHELLS, spec: SHELL, rule: Rule::First(Read), ..P },
    Program { names: &["vim", "vi", "nvim"], spec: Spec { plus: true, ..opts("cSuiTwWstq", &[]) }, rule: Rule::All(Write), ..P },
    Program { names: &["nano", "emacs", "code", "subl"], spec: Spec { plus: true, ..NONE }, rule: Rule::All(Write), ..P },
    Program { names: &["curl"], spec: opts("oTdHXuAeEbcrmxyYzCFwKDQ", &["--output", "--upload-file"]), files: &[("-o", Write), ("--output", Write), ("-T", Read), ("--upload-file", Read)], ..P },
    Program { names: &["wget"], spec: opts("OoaiPtTUe", &["--output-document", "--input-file"]), files: &[("-O", Write), ("--output-document", Write), ("-i", Read), ("--input-file", Read)], ..P },
];

/// `git` subcommands that change the working tree.
#[rustfmt::skip]
const GIT: &[Program] = &[
    Program { names: &["rm"], rule: Rule::All(Delete), ..P },
    Program { names: &["mv"], rule: Rule::Transfer(Some(Delete)), ..P },
    Program { names: &["restore"], spec: opts("s", &["--source"]), rule: Rule::All(Write), ..P },
    Program { names: &["checkout"], spec: opts("bB", &[]), rule: Rule::AfterDashDash(Write), ..P },
    Program { names: &["clean"], spec: opts("e", &["--exclude"]), rule: Rule::All(Delete), ..P },
];

/// Files a program touches, as written (not yet under the working directory).
fn file_effects(program: &str, args: &[&str]) -> Vec<(EffectKind, String)> {
    if program == "git" {
        return git_effects(args);
    }
    PROGRAMS
        .iter()
        .find(|p| p.names.contains(&program))
        .map_or_else(Vec::new, |p| apply(p, args).0)
}

fn git_effects(args: &[&str]) -> Vec<(EffectKind, String)> {
    let global = scan(
        args,
        &opts("Cc", &["--git-dir", "--work-tree", "--namespace"]),
        true,
    );
    let dir = global
        .opts
        .iter()
        .filter(|(name, _)| name == "-C")
        .fold(String::new(), |dir, (_, d)| join(&dir, d));
    let Some((&sub, args)) = args.get(global.end..).and_then(<[&str]>::split_first) else {
        return Vec::new();
    };
    let Some(program) = GIT.iter().find(|p| p.names.contains(&sub)) else {
        return Vec::new();
    };
    let (mut effects, scanned) = apply(program, args);
    if scanned.has(&["--cached", "-n", "--dry-run"]) {
        return Vec::new();
    }
    let operands: Vec<&str> = scanned.operands.iter().map(|&i| args[i]).collect();
    if sub == "clean" && operands.is_empty() {
        effects.push((Delete, ".".to_owned()));
    } else if sub == "checkout" && scanned.dashdash.is_none() && operands == ["."] {
        effects.push((Write, ".".to_owned()));
    }
    effects
        .into_iter()
        .map(|(kind, path)| (kind, join(&dir, &path)))
        .collect()
}

/// Applies a program's rule to its arguments.
fn apply(program: &Program, args: &[&str]) -> (Vec<(EffectKind, String)>, Scan) {
    let scanned = scan(args, &program.spec, false);
    let mut operands: Vec<&str> = scanned.operands.iter().map(|&i| args[i]).collect();
    let mut out: Vec<(EffectKind, String)> = (scanned.opts.iter())
        .filter_map(|(name, value)| {
            let (_, kind) = program.files.iter().find(|(option, _)| option == name)?;
            Some((*kind, value.clone()))
        })
        .collect();
    let mut each = |kind: EffectKind, paths: &[&str]| {
        out.extend(paths.iter().map(|path| (kind, (*path).to_owned())))
    };
    let after = |patterns: &[&str], operands: &[&str]| {
        usize::from(!scanned.has(patterns)).min(operands.len())
    };
    match program.rule {
        Rule::None => {}
        Rule::All(kind) => each(kind, &operands),
        Rule::First(kind) => each(kind, &operands[..operands.len().min(1)]),
        Rule::AfterPattern(kind, patterns) => each(kind, &operands[after(patterns, &operands)..]),
        Rule::InPlace(base, patterns) => {
            let in_place = scanned.has(&["-i", "--in-place"]);
            if in_place && operands.first() == Some(&"") {
                operands.remove(0); // BSD `sed -i '' …`
            }
            if let Some(kind) = if in_place { Some(Write) } else { base } {
                each(kind, &operands[after(patterns, &operands)..]);
            }
        }
        Rule::Transfer(source) => transfer(
            source,
            &operands,
            scanned.value(&["-t", "--target-directory"]),
            &mut out,
        ),
        Rule::Pair(first, second) => {
            each(first, &operands[..operands.len().min(1)]);
            each(second, operands.get(1..2).unwrap_or_default());
        }
        Rule::AfterDashDash(kind) => each(
            kind,
            scanned
                .dashdash
                .and_then(|n| operands.get(n..))
                .unwrap_or_default(),
        ),
        Rule::Dd => {
            for operand in &operands {
                if let Some(path) = operand.strip_prefix("if=") {
                    out.push((Read, path.to_owned()));
                } else if let Some(path) = operand.strip_prefix("of=") {
                    out.push((Write, path.to_owned()));
                }
            }
        }
    }
    (out, scanned)
}

/// `cp`/`mv`/`ln`: sources, then the destination. It is a directory receiving the sources when
/// given with `-t`, written with a trailing `/`, or given several sources.
fn transfer(
    source: Option<EffectKind>,
    operands: &[&str],
    target: Option<&str>,
    out: &mut Vec<(EffectKind, String)>,
) {
    let (sources, dest, into) = match (target, operands.split_last()) {
        (Some(dir), _) => (operands, dir, true),
        (None, Some((dest, sources))) if !sources.is_empty() => {
            (sources, *dest, sources.len() > 1 || dest.ends_with('/'))
        }
        (None, _) => (operands, "", false),
    };
    out.extend(
        source
            .into_iter()
            .flat_map(|kind| sources.iter().map(move |s| (kind, (*s).to_owned()))),
    );
    if !dest.is_empty() && target.is_none() {
        out.push((Write, dest.to_owned()));
    }
    if !dest.is_empty() && into {
        let dir = dest.trim_end_matches('/');
        out.extend(
            sources
                .iter()
                .map(|s| (Write, format!("{dir}/{}", basename(s)))),
        );
    }
}

// ---- Wrappers ---------------------------------------------------------------------------------

/// A program that runs the command given in its arguments.
struct Wrapper {
    name: &'static str,
    spec: Spec,
    /// Operands before the command (`timeout DURATION cmd`).
    operands: usize,
    /// `NAME=VALUE` arguments before the command set its environment (`env`, `sudo`).
    assignments: bool,
    /// Options with which it runs no command (`command -v git`).
    not_running: &'static [&'static str],
    /// Options whose value is a file (`xargs -a FILE`).
    files: &'static [(&'static str, EffectKind)],
}

const W: Wrapper = Wrapper {
    name: "",
    spec: NONE,
    operands: 0,
    assignments: false,
    not_running: &[],
    files: &[],
};

#[rustfmt::skip]
const WRAPPERS: &[Wrapper] = &[
    Wrapper { name: "sudo", spec: opts("CDghprtTUu", &["--chdir", "--group", "--host", "--prompt", "--role", "--type", "--other-user", "--user"]), assignments: true, not_running: &["-l", "-v", "-V", "-K", "-e", "--list", "--validate", "--version", "--edit"], ..W },
    Wrapper { name: "doas", spec: opts("uC", &[]), not_running: &["-L"], ..W },
    Wrapper { name: "env", spec: opts("uCS", &["--unset", "--chdir", "--split-string"]), assignments: true, ..W },
    Wrapper { name: "command", not_running: &["-v", "-V"], ..W },
    Wrapper { name: "builtin", ..W },
    Wrapper { name: "exec", spec: opts("a", &[]), ..W },
    Wrapper { name: "nice", spec: opts("n", &["--adjustment"]), ..W },
    Wrapper { name: "ionice", spec: opts("cnpPu", &[]), ..W },
    Wrapper { name: "nohup", ..W },
    Wrapper { name: "setsid", ..W },
    Wrapper { name: "chronic", ..W },
    Wrapper { name: "timeout", spec: opts("sk", &["--signal", "--kill-after"]), operands: 1, ..W },
    Wrapper { name: "time", spec: opts("fo", &["--format", "--output"]), files: &[("-o", Write), ("--output", Write)], ..W },
    Wrapper { name: "stdbuf", spec: opts("ioe", &["--input", "--output", "--error"]), ..W },
    Wrapper { name: "xargs", spec: Spec { attached: "eil", ..opts("adEILnPs", &["--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-lines"]) }, files: &[("-a", Read), ("--arg-file", Read)], ..W },
    Wrapper { name: "watch", spec: opts("nq", &["--interval"]), ..W },
];

/// What a simple command's first word turns out to be.
enum Peel {
    /// The program.
    Keep,
    /// A wrapper around the command starting at this word.
    Wrapper(usize),
    /// A runner of the script given in its words (`bash -c`, `eval`, `watch`, `trap`).
    Script(ScriptRun),
}

struct ScriptRun {
    /// The words making up the script, joined with spaces.
    range: std::ops::Range<usize>,
    label: String,
    /// Runs in the current shell (`eval`), so that `cd` carries over.
    shared: bool,
}

// ---- Walking the syntax tree ------------------------------------------------------------------

/// What a command inherits from its surroundings.
#[derive(Clone, Default)]
struct Ctx {
    wrappers: Vec<String>,
    env: Vec<(String, String)>,
    background: bool,
    depth: usize,
    /// What `{}` stands for in a command run by `find -exec`: the roots searched.
    found: Vec<String>,
}

impl Ctx {
    fn nested(&self, wrapper: Option<&str>) -> Self {
        let mut ctx = Self {
            depth: self.depth + 1,
            ..self.clone()
        };
        ctx.wrappers.extend(wrapper.map(str::to_owned));
        ctx
    }
}

/// Shell state that commands change.
#[derive(Clone)]
struct Shell {
    cwd: Option<String>,
    /// The `pushd` stack.
    stack: Vec<Option<String>>,
}

/// Effects and substitutions gathered for a command before it is recorded.
#[derive(Default)]
struct Pending<'a> {
    effects: Vec<(EffectKind, String)>,
    subs: Vec<String>,
    procs: Vec<&'a ast::SubshellCommand>,
}

impl<'a> Pending<'a> {
    fn word(&mut self, word: &ast::Word) -> Word {
        let word = Word::parse(&word.value);
        self.subs.extend(word.subs.iter().cloned());
        word
    }

    fn subs_of(&mut self, word: &ast::Word) {
        self.word(word);
    }

    fn file(&mut self, kind: EffectKind, cwd: Option<&str>, path: &str) {
        if is_file(path) {
            self.effects.push((kind, join_cwd(cwd, path)));
        }
    }

    fn redirect(&mut self, redirect: &'a ast::IoRedirect, cwd: Option<&str>) {
        use ast::{IoFileRedirectKind as Kind, IoFileRedirectTarget as Target, IoRedirect as R};
        match redirect {
            R::File(_, kind, target @ (Target::Filename(word) | Target::Duplicate(word))) => {
                let word = self.word(word);
                let fd = word.text.strip_suffix('-').unwrap_or(&word.text);
                if matches!(target, Target::Duplicate(_))
                    && (word.dynamic || fd.bytes().all(|b| b.is_ascii_digit()))
                {
                    return; // `2>&1`, `>&2`, `>&-`
                }
                let read = matches!(kind, Kind::Read | Kind::DuplicateInput);
                self.file(if read { Read } else { Write }, cwd, &word.text);
            }
            R::File(_, _, Target::ProcessSubstitution(_, subshell)) => self.procs.push(subshell),
            R::File(_, _, Target::Fd(_)) => {}
            R::OutputAndError(word, _) => {
                let word = self.word(word);
                self.file(Write, cwd, &word.text);
            }
            R::HereString(_, word) => self.subs_of(word),
            R::HereDocument(_, doc) if doc.requires_expansion => {
                self.subs
                    .extend(Word::with(&doc.doc.value, brush_parser::word::parse_heredoc).subs);
            }
            R::HereDocument(..) => {}
        }
    }

    /// One word, assignment, redirection or process substitution of a simple command.
    fn item(
        &mut self,
        item: &'a ast::CommandPrefixOrSuffixItem,
        in_prefix: bool,
        cwd: Option<&str>,
        words: &mut Vec<Word>,
        env: &mut Vec<(String, String)>,
    ) {
        use ast::CommandPrefixOrSuffixItem as Item;
        match item {
            Item::IoRedirect(redirect) => self.redirect(redirect, cwd),
            Item::AssignmentWord(assignment, _) if in_prefix => {
                let name = assignment.name.to_string();
                let value = match &assignment.value {
                    ast::AssignmentValue::Scalar(word) => self.word(word).text,
                    ast::AssignmentValue::Array(items) => {
                        let items: Vec<String> =
                            items.iter().map(|(_, word)| self.word(word).text).collect();
                        format!("({})", items.join(" "))
                    }
                };
                env.push((name, value));
            }
            Item::Word(word) | Item::AssignmentWord(_, word) => {
                words.push(Word::parse(&word.value))
            }
            Item::ProcessSubstitution(kind, subshell) => {
                self.procs.push(subshell);
                words.push(Word {
                    text: format!("{kind}(…)"),
                    dynamic: true,
                    name_dynamic: true,
                    ..Word::default()
                });
            }
        }
    }
}

/// Substitutions inside `[[ … ]]`.
fn test_words(expr: &ast::ExtendedTestExpr, pending: &mut Pending<'_>) {
    use ast::ExtendedTestExpr as T;
    match expr {
        T::And(a, b) | T::Or(a, b) => {
            test_words(a, pending);
            test_words(b, pending);
        }
        T::Not(a) | T::Parenthesized(a) => test_words(a, pending),
        T::UnaryTest(_, word) => pending.subs_of(word),
        T::BinaryTest(_, a, b) => {
            pending.subs_of(a);
            pending.subs_of(b);
        }
    }
}

/// `cd`, `pushd` and `popd`.
fn change_dir(program: &str, args: &[Word], sh: &mut Shell) {
    let texts: Vec<&str> = args.iter().map(|word| word.text.as_str()).collect();
    let target = scan(&texts, &NONE, false)
        .operands
        .first()
        .map(|&i| &args[i]);
    let next = target.and_then(|dir| {
        let relative =
            !dir.dynamic && !dir.text.is_empty() && !dir.text.starts_with(['/', '-', '+']);
        let cwd = sh.cwd.as_deref().filter(|_| relative)?;
        Some(normalize(&format!("{cwd}/{}", dir.text)))
    });
    match (program, target) {
        ("popd", _) => sh.cwd = sh.stack.pop().flatten(),
        ("pushd", Some(_)) => {
            let previous = std::mem::replace(&mut sh.cwd, next);
            sh.stack.push(previous);
        }
        _ => sh.cwd = next,
    }
}

type Res = Result<(), CommandError>;
type Index = Result<usize, CommandError>;

#[derive(Default)]
struct Walker {
    out: Analysis,
}

impl Walker {
    /// Parses and walks a script; `label` names what runs it, below the top level.
    fn script(&mut self, text: &str, ctx: &Ctx, sh: &mut Shell, label: Option<&str>) -> Res {
        if ctx.depth > MAX_DEPTH {
            return Err(CommandError::TooDeep { limit: MAX_DEPTH });
        }
        if bracket_depth(text) > MAX_BRACKETS {
            return Err(CommandError::TooDeep {
                limit: MAX_BRACKETS,
            });
        }
        match (parse(text), label) {
            (Ok(program), _) => program
                .complete_commands
                .iter()
                .try_for_each(|list| self.list(list, ctx, sh)),
            (Err(message), None) => Err(CommandError::Parse {
                command: quoted(text),
                message,
            }),
            (Err(message), Some(label)) => {
                self.out.opaque.push(format!(
                    "cannot parse the script run by `{label}`: {message}"
                ));
                Ok(())
            }
        }
    }

    fn list(&mut self, list: &ast::CompoundList, ctx: &Ctx, sh: &mut Shell) -> Res {
        for ast::CompoundListItem(and_or, separator) in &list.0 {
            let mut pipelines = std::iter::once(&and_or.first).chain(and_or.additional.iter().map(
                |next| match next {
                    ast::AndOr::And(p) | ast::AndOr::Or(p) => p,
                },
            ));
            if matches!(separator, ast::SeparatorOperator::Async) {
                let (ctx, mut sh) = (
                    Ctx {
                        background: true,
                        ..ctx.clone()
                    },
                    sh.clone(),
                );
                pipelines.try_for_each(|pipeline| self.pipeline(pipeline, &ctx, &mut sh))?;
            } else {
                pipelines.try_for_each(|pipeline| self.pipeline(pipeline, ctx, sh))?;
            }
        }
        Ok(())
    }

    fn pipeline(&mut self, pipeline: &ast::Pipeline, ctx: &Ctx, sh: &mut Shell) -> Res {
        let mut ctx = ctx.clone();
        if pipeline.timed.is_some() {
            ctx.wrappers.push("time".to_owned());
        }
        match pipeline.seq.as_slice() {
            [command] => self.command(command, &ctx, sh),
            // Each part of a real pipeline runs in a subshell.
            commands => commands
                .iter()
                .try_for_each(|command| self.command(command, &ctx, &mut sh.clone())),
        }
    }

    fn command(&mut self, command: &ast::Command, ctx: &Ctx, sh: &mut Shell) -> Res {
        let redirects = match command {
            ast::Command::Simple(simple) => return self.simple(simple, ctx, sh),
            ast::Command::Compound(_, list) | ast::Command::ExtendedTest(_, list) => list.as_ref(),
            ast::Command::Function(function) => function.body.1.as_ref(),
        };
        let mut pending = Pending::default();
        // Redirections are set up before the body runs, in the directory it starts in.
        redirects
            .iter()
            .flat_map(|list| &list.0)
            .for_each(|redirect| pending.redirect(redirect, sh.cwd.as_deref()));
        if let ast::Command::ExtendedTest(test, _) = command {
            test_words(&test.expr, &mut pending);
        }
        self.flush(pending, None, ctx, sh)?;
        match command {
            ast::Command::Compound(compound, _) => self.compound(compound, ctx, sh),
            ast::Command::Function(function) => {
                self.compound(&function.body.0, ctx, &mut sh.clone())
            }
            _ => Ok(()),
        }
    }

    fn compound(&mut self, compound: &ast::CompoundCommand, ctx: &Ctx, sh: &mut Shell) -> Res {
        use ast::CompoundCommand as C;
        let mut pending = Pending::default();
        match compound {
            C::Arithmetic(_) => Ok(()),
            C::ArithmeticForClause(f) => self.branches(&[&f.body.list], true, ctx, sh),
            C::BraceGroup(group) => self.list(&group.list, ctx, sh),
            C::Subshell(subshell) => self.list(&subshell.list, ctx, &mut sh.clone()),
            C::ForClause(f) => {
                f.values
                    .iter()
                    .flatten()
                    .for_each(|word| pending.subs_of(word));
                self.flush(pending, None, ctx, sh)?;
                self.branches(&[&f.body.list], true, ctx, sh)
            }
            C::CaseClause(case) => {
                pending.subs_of(&case.value);
                case.cases
                    .iter()
                    .flat_map(|item| &item.patterns)
                    .for_each(|word| pending.subs_of(word));
                self.flush(pending, None, ctx, sh)?;
                let bodies: Vec<_> = case
                    .cases
                    .iter()
                    .filter_map(|item| item.cmd.as_ref())
                    .collect();
                self.branches(&bodies, true, ctx, sh)
            }
            C::IfClause(clause) => {
                self.list(&clause.condition, ctx, sh)?;
                let mut bodies = vec![&clause.then];
                for branch in clause.elses.iter().flatten() {
                    if let Some(condition) = &branch.condition {
                        self.list(condition, ctx, sh)?;
                    }
                    bodies.push(&branch.body);
                }
                let has_else = clause
                    .elses
                    .iter()
                    .flatten()
                    .any(|branch| branch.condition.is_none());
                self.branches(&bodies, !has_else, ctx, sh)
            }
            C::WhileClause(clause) | C::UntilClause(clause) => {
                self.list(&clause.0, ctx, sh)?;
                self.branches(&[&clause.1.list], true, ctx, sh)
            }
            C::Coprocess(coproc) => self.command(&coproc.body, ctx, &mut sh.clone()),
        }
    }

    /// Alternative bodies, or a loop body that may not run: afterwards the directory is known only
    /// if every way through ends in the same one.
    fn branches(
        &mut self,
        bodies: &[&ast::CompoundList],
        may_skip: bool,
        ctx: &Ctx,
        sh: &mut Shell,
    ) -> Res {
        let mut ends = if may_skip {
            vec![sh.cwd.clone()]
        } else {
            Vec::new()
        };
        for body in bodies {
            let mut branch = sh.clone();
            self.list(body, ctx, &mut branch)?;
            ends.push(branch.cwd);
        }
        if let Some(first) = ends.first() {
            sh.cwd = if ends.iter().all(|end| end == first) {
                first.clone()
            } else {
                None
            };
        }
        Ok(())
    }

    fn simple(&mut self, command: &ast::SimpleCommand, ctx: &Ctx, sh: &mut Shell) -> Res {
        let (mut pending, mut words, mut env) = (Pending::default(), Vec::new(), ctx.env.clone());
        let cwd = sh.cwd.as_deref();
        for item in command.prefix.iter().flat_map(|prefix| &prefix.0) {
            pending.item(item, true, cwd, &mut words, &mut env);
        }
        words.extend(
            command
                .word_or_name
                .as_ref()
                .map(|word| Word::parse(&word.value)),
        );
        for item in command.suffix.iter().flat_map(|suffix| &suffix.0) {
            pending.item(item, false, cwd, &mut words, &mut env);
        }
        self.run(&words, Ctx { env, ..ctx.clone() }, pending, ctx, sh)
    }

    /// Runs a simple command's words: peels wrappers, then records the program or the script it
    /// runs. Substitutions are run by the surrounding shell, in `outer`.
    fn run(
        &mut self,
        words: &[Word],
        mut ctx: Ctx,
        mut pending: Pending<'_>,
        outer: &Ctx,
        sh: &mut Shell,
    ) -> Res {
        let texts: Vec<&str> = words.iter().map(|word| word.text.as_str()).collect();
        let (mut at, mut invocation, before) = (0, None, sh.clone());
        while let Some(first) = words.get(at) {
            let (words, texts) = (&words[at..], &texts[at..]);
            let Some(name) = first.program_name() else {
                self.out.opaque.push(format!(
                    "the command name `{}` is only known at run time",
                    first.text
                ));
                invocation =
                    Some(self.invoke(first.text.clone(), words, &ctx, &mut pending, sh)?);
                break;
            };
            match self.peel(&name, texts, &mut ctx, &mut pending, sh) {
                Peel::Keep => {
                    invocation = Some(self.invoke(name, words, &ctx, &mut pending, sh)?);
                    break;
                }
                Peel::Wrapper(start) => {
                    ctx.wrappers.push(name);
                    pending.subs.extend(
                        words[..start]
                            .iter()
                            .flat_map(|word| word.subs.iter().cloned()),
                    );
                    at += start;
                }
                Peel::Script(run) => {
                    self.run_script(words, &run, &ctx, &mut pending, sh)?;
                    break;
                }
            }
        }
        // Substitutions run before the command, so before a `cd` takes effect.
        self.flush(pending, invocation, outer, &before)
    }

    fn peel(
        &mut self,
        name: &str,
        texts: &[&str],
        ctx: &mut Ctx,
        pending: &mut Pending<'_>,
        sh: &Shell,
    ) -> Peel {
        let args = texts.get(1..).unwrap_or_default();
        if SHELLS.contains(&name) {
            let scanned = scan(args, &SHELL, true);
            let start = 1 + scanned.end;
            if scanned.has(&["-c"]) && start < texts.len() {
                return Peel::Script(ScriptRun {
                    range: start..start + 1,
                    label: format!("{name} -c"),
                    shared: false,
                });
            }
            if start >= texts.len() || scanned.has(&["-s"]) {
                self.out
                    .opaque
                    .push(format!("`{name}` runs a script read from standard input"));
            }
            return Peel::Keep;
        }
        if name == "eval" && texts.len() > 1 {
            return Peel::Script(ScriptRun {
                range: 1..texts.len(),
                label: name.to_owned(),
                shared: true,
            });
        }
        if name == "trap" && texts.len() > 2 && !texts[1].starts_with('-') {
            return Peel::Script(ScriptRun {
                range: 1..2,
                label: name.to_owned(),
                shared: false,
            });
        }
        let Some(wrapper) = WRAPPERS.iter().find(|wrapper| wrapper.name == name) else {
            return Peel::Keep;
        };
        let scanned = scan(args, &wrapper.spec, true);
        if scanned.has(wrapper.not_running) {
            return Peel::Keep;
        }
        for (option, value) in &scanned.opts {
            if let Some((_, kind)) = wrapper.files.iter().find(|(name, _)| name == option) {
                pending.file(*kind, sh.cwd.as_deref(), value);
            }
        }
        let mut start = 1 + scanned.end + wrapper.operands;
        let assignment = |start: usize| {
            texts
                .get(start)
                .filter(|_| wrapper.assignments)
                .and_then(|t| split_assignment(t))
        };
        while let Some((name, value)) = assignment(start) {
            ctx.env.push((name.to_owned(), value.to_owned()));
            start += 1;
        }
        if start >= texts.len() {
            Peel::Keep
        } else if name == "watch" && !scanned.has(&["-x", "--exec"]) {
            // `watch` hands its words to `sh -c`.
            Peel::Script(ScriptRun {
                range: start..texts.len(),
                label: name.to_owned(),
                shared: false,
            })
        } else {
            Peel::Wrapper(start)
        }
    }

    fn run_script(
        &mut self,
        words: &[Word],
        run: &ScriptRun,
        ctx: &Ctx,
        pending: &mut Pending,
        sh: &mut Shell,
    ) -> Res {
        let script = words.get(run.range.clone()).unwrap_or_default();
        let known = !script.iter().all(Word::only_dynamic);
        for (i, word) in words.iter().enumerate() {
            // Substitutions in a script that is analysed are found again when it is parsed.
            if !known || !run.range.contains(&i) {
                pending.subs.extend(word.subs.iter().cloned());
            }
        }
        let text = script
            .iter()
            .map(|word| word.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if !known {
            self.out.opaque.push(format!(
                "`{}` runs a script that is only known at run time: `{text}`",
                run.label
            ));
            return Ok(());
        }
        let inner = ctx.nested(Some(&run.label));
        if run.shared {
            self.script(&text, &inner, sh, Some(&run.label))
        } else {
            self.script(&text, &inner, &mut sh.clone(), Some(&run.label))
        }
    }

    /// Records an invocation, what it does to files and how it changes the directory.
    fn invoke(
        &mut self,
        program: String,
        words: &[Word],
        ctx: &Ctx,
        pending: &mut Pending,
        sh: &mut Shell,
    ) -> Index {
        let index = self.out.invocations.len();
        let args: Vec<&str> = words
            .iter()
            .skip(1)
            .map(|word| word.text.as_str())
            .collect();
        pending
            .subs
            .extend(words.iter().flat_map(|word| word.subs.iter().cloned()));
        for (kind, path) in file_effects(&program, &args) {
            if path.contains("{}") {
                // A file found by `find … -exec`: somewhere under the roots searched.
                for root in &ctx.found {
                    self.effect(
                        kind,
                        sh.cwd.as_deref(),
                        &path.replace("{}", root),
                        Some(index),
                    );
                }
            } else {
                self.effect(kind, sh.cwd.as_deref(), &path, Some(index));
            }
        }
        self.out.invocations.push(Invocation {
            program,
            args: args.iter().map(|arg| (*arg).to_owned()).collect(),
            env: ctx.env.clone(),
            background: ctx.background,
            cwd: sh.cwd.clone(),
            wrappers: ctx.wrappers.clone(),
        });
        let args = words.get(1..).unwrap_or_default();
        match self.out.invocations[index].program.as_str() {
            program @ ("cd" | "pushd" | "popd") => change_dir(program, args, sh),
            "find" => self.find(args, index, ctx, sh)?,
            _ => {}
        }
        Ok(index)
    }

    /// `find ROOTS… -delete` deletes what it finds; `-exec CMD … ;` runs CMD on each file found.
    fn find(&mut self, args: &[Word], index: usize, ctx: &Ctx, sh: &Shell) -> Res {
        let mut roots: Vec<String> = (args.iter().map(|word| word.text.clone()))
            .take_while(|arg| !arg.starts_with('-') && arg != "(" && arg != "!")
            .collect();
        if roots.is_empty() {
            roots.push(".".to_owned());
        }
        if args.iter().any(|word| word.text == "-delete") {
            for root in &roots {
                self.effect(Delete, sh.cwd.as_deref(), root, Some(index));
            }
        }
        let mut rest = args;
        let is_exec =
            |word: &Word| matches!(word.text.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir");
        while let Some(at) = rest.iter().position(is_exec) {
            let after = rest.get(at + 1..).unwrap_or_default();
            let end = after
                .iter()
                .position(|word| word.text == ";" || word.text == "+")
                .unwrap_or(after.len());
            // The substitutions in these words were recorded with `find` itself.
            let words: Vec<Word> = after[..end]
                .iter()
                .map(|word| Word {
                    subs: Vec::new(),
                    ..word.clone()
                })
                .collect();
            let inner = Ctx {
                found: roots.clone(),
                ..ctx.nested(Some(&format!("find {}", rest[at].text)))
            };
            if inner.depth > MAX_DEPTH {
                return Err(CommandError::TooDeep { limit: MAX_DEPTH });
            }
            self.run(
                &words,
                inner.clone(),
                Pending::default(),
                &inner,
                &mut sh.clone(),
            )?;
            rest = after.get(end + 1..).unwrap_or_default();
        }
        Ok(())
    }

    fn effect(
        &mut self,
        kind: EffectKind,
        cwd: Option<&str>,
        path: &str,
        invocation: Option<usize>,
    ) {
        if is_file(path) {
            self.out.effects.push(FileEffect {
                kind,
                path: join_cwd(cwd, path),
                invocation,
            });
        }
    }

    /// Records gathered effects, then analyses the substitutions that the surrounding shell runs.
    fn flush(
        &mut self,
        pending: Pending<'_>,
        invocation: Option<usize>,
        ctx: &Ctx,
        sh: &Shell,
    ) -> Res {
        let effects = pending.effects.into_iter().map(|(kind, path)| FileEffect {
            kind,
            path,
            invocation,
        });
        self.out.effects.extend(effects);
        let inner = ctx.nested(None);
        if inner.depth > MAX_DEPTH && !(pending.procs.is_empty() && pending.subs.is_empty()) {
            return Err(CommandError::TooDeep { limit: MAX_DEPTH });
        }
        for subshell in pending.procs {
            self.list(&subshell.list, &inner, &mut sh.clone())?;
        }
        for script in pending.subs {
            self.script(&script, &inner, &mut sh.clone(), Some("$(…)"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
