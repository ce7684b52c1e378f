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

pub use direct::{direct, Direct};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
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
    // brush-parser 0.4 can run away (gigabytes in seconds) on the obsolete `$[…]` arithmetic
    // next to a here-document (found by fuzzing): refuse the syntax outright.
    if command.contains("$[") {
        return Err(CommandError::Parse {
            command: quoted(command),
            message: "the obsolete `$[…]` arithmetic syntax is not supported; write `$((…))`"
                .to_owned(),
        });
    }
    if let Some(done) = Done::get(command) {
        return Ok(done);
    }
    let result = if is_plain(command) {
        analyze_caught(command)
    } else {
        analyze_on_own_stack(command)
    };
    if let Ok(done) = &result {
        Done::put(command, done);
    }
    result
}

/// Successful analyses already made by this process: a batch of plans repeats its commands,
/// a policy its command patterns. Failures are not kept
/// (a time-out says as much about the machine as about the command).
struct Done;

impl Done {
    const MAX: usize = 4096;

    fn cache() -> &'static std::sync::Mutex<std::collections::HashMap<String, Analysis>> {
        static CACHE: std::sync::OnceLock<
            std::sync::Mutex<std::collections::HashMap<String, Analysis>>,
        > = std::sync::OnceLock::new();
        CACHE.get_or_init(Default::default)
    }

    fn get(command: &str) -> Option<Analysis> {
        Done::cache().lock().ok()?.get(command).cloned()
    }

    fn put(command: &str, analysis: &Analysis) {
        if let Ok(mut c) = Done::cache().lock() {
            if c.len() >= Done::MAX {
                c.clear();
            }
            c.insert(command.to_owned(), analysis.clone());
        }
    }
}

/// A short command with no expansion or nesting: words, flags, paths, quotes, pipes, lists and
/// redirections (`cargo fmt --check`, `git commit -m 'wip' && git push origin main`). Without
/// `$`, backquotes, parentheses, braces or brackets nothing nests, so the parser neither recurses
/// deeply nor runs long, and it is analysed on the caller's thread. Anything else goes to the
/// worker.
fn is_plain(command: &str) -> bool {
    command.len() <= PLAIN_LEN
        && command
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" -_./=:,@+%~*'\"|&;<>#!^?".contains(&b))
}

/// The longest command [`is_plain`] analyses on the caller's thread.
const PLAIN_LEN: usize = 256;

fn analyze_on_own_stack(command: &str) -> Result<Analysis, CommandError> {
    // The parser recurses as deep as the input nests, so run it on a stack known to be large
    // enough rather than on the caller's, and give up after PARSE_LIMIT (fail closed: exit 2).
    // Each calling thread keeps one such worker: spawning a thread per command cost more than
    // analysing it (a policy has hundreds of command patterns).
    let failed = |message: &str| CommandError::Parse {
        command: quoted(command),
        message: message.to_owned(),
    };
    WORKER.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = Worker::spawn();
        }
        let Some(worker) = slot.as_ref() else {
            // No thread to be had: analyse here rather than not at all.
            return analyze_caught(command);
        };
        if worker.requests.send(command.to_owned()).is_err() {
            *slot = None;
            return Err(failed("the shell parser failed"));
        }
        match worker.results.recv_timeout(PARSE_LIMIT) {
            Ok(result) => result,
            Err(e) => {
                // A worker that timed out is still busy, one that panicked is gone: either
                // way the next command gets a new one.
                *slot = None;
                Err(failed(match e {
                    std::sync::mpsc::RecvTimeoutError::Timeout => "the shell parser took too long",
                    std::sync::mpsc::RecvTimeoutError::Disconnected => "the shell parser failed",
                }))
            }
        }
    })
}

/// Analyse on this thread; a panic in the parser is an error, not a crash.
fn analyze_caught(command: &str) -> Result<Analysis, CommandError> {
    std::panic::catch_unwind(|| analyze_here(command)).unwrap_or_else(|_| {
        Err(CommandError::Parse {
            command: quoted(command),
            message: "the shell parser failed".to_owned(),
        })
    })
}

thread_local! {
    static WORKER: std::cell::RefCell<Option<Worker>> = const { std::cell::RefCell::new(None) };
}

/// A thread with a large stack that analyses the commands one calling thread sends it.
struct Worker {
    requests: std::sync::mpsc::Sender<String>,
    results: std::sync::mpsc::Receiver<Result<Analysis, CommandError>>,
}

impl Worker {
    fn spawn() -> Option<Worker> {
        let (requests, inbox) = std::sync::mpsc::channel::<String>();
        let (outbox, results) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("agentgate-command".to_owned())
            .stack_size(STACK_BYTES)
            .spawn(move || {
                for command in inbox {
                    if outbox.send(analyze_here(&command)).is_err() {
                        break;
                    }
                }
            })
            .ok()?;
        Some(Worker { requests, results })
    }
}

/// Longest the analysis of one command may take.
const PARSE_LIMIT: std::time::Duration = std::time::Duration::from_secs(3);

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
    // brush-parser 0.4 panics on a file-descriptor number that overflows (`999…9<&5`, found by
    // fuzzing); refuse such input before it gets there.
    if oversized_fd(text) {
        return Err("a file descriptor number before a redirection is too large".to_owned());
    }
    let parse = || {
        let tokens = brush_parser::tokenize_str(text).map_err(|e| e.to_string())?;
        brush_parser::parse_tokens(&tokens, &ParserOptions::default()).map_err(|e| e.to_string())
    };
    std::panic::catch_unwind(parse).unwrap_or_else(|_| Err("the shell parser failed".to_owned()))
}

/// A run of more than 9 digits right before `<` or `>`.
fn oversized_fd(text: &str) -> bool {
    let b = text.as_bytes();
    let mut run = 0;
    for &c in b {
        if c.is_ascii_digit() {
            run += 1;
        } else {
            if run > 9 && (c == b'<' || c == b'>') {
                return true;
            }
            run = 0;
        }
    }
    false
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

mod direct;
mod programs;
mod words;

use programs::*;
use words::*;

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
