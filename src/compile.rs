//! Sources → policy IR: segments become statements (with their lead-ins), statements are lexed,
//! parsed and interpreted, rules get stable ids and origins, and the policy gets a digest.

mod anaphora;
mod ids;
mod interpret;
pub mod targets;

use std::collections::BTreeMap;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use crate::ir::{Decision, Origin, Policy, Rule, RuleBody, Severity, Unrecognised, WriteOp};
use crate::lex::{self, Token};
use crate::markdown::{self, Piece, Segment, SegmentKind};
use crate::parse::{self, Phrase};
use crate::source::SourceFile;
use ids::{assign_ids, digest, explicit_id};
use interpret::{Context, Declarations, Draft};

/// An error in a policy document: fail closed.
#[derive(Debug, Error, Diagnostic)]
pub enum CompileError {
    #[error("`agentgate` block statement does not compile: `{text}`")]
    #[diagnostic(
        code(agentgate::compile::block),
        help("statements in ```agentgate blocks must compile; {reason}. See docs/policy-language.md for the forms")
    )]
    Block {
        text: String,
        reason: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("this line")]
        span: SourceSpan,
    },
    #[error("invalid glob `{glob}`: {message}")]
    #[diagnostic(
        code(agentgate::compile::glob),
        help("fix the pattern; `**` matches any number of folders, `*` within one")
    )]
    Glob {
        glob: String,
        message: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("in this statement")]
        span: SourceSpan,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rego(#[from] Box<crate::custom::CustomError>),
    #[error("the statement grammar failed on a sentence")]
    #[diagnostic(code(agentgate::compile::grammar))]
    Grammar(#[from] parse::ParseError),
}

/// Compile every source into one policy.
pub fn compile(sources: &[SourceFile]) -> Result<Policy, Vec<CompileError>> {
    let mut rules: Vec<Rule> =
        Vec::with_capacity(1 + sources.iter().map(|s| s.text.len() / 128).sum::<usize>());
    rules.push(builtin_rule(sources));
    let mut unrecognised = Vec::new();
    let mut errors = Vec::new();
    let mut decls = Declarations::default();
    let mut relaxed: Vec<String> = Vec::new();
    let mut rego: Vec<crate::ir::RegoModule> = Vec::new();
    for src in sources.iter().filter(|s| s.path.ends_with(".rego")) {
        rego.push(crate::ir::RegoModule {
            file: src.path.clone(),
            line: 1,
            text: src.text.to_string(),
        });
    }
    // Each markdown document is parsed once: its ```rego blocks and its statements come from
    // the same segments.
    let documents: Vec<(&SourceFile, Vec<Segment>)> = sources
        .iter()
        .filter(|s| !s.path.ends_with(".rego"))
        .map(|s| (s, markdown::segments(&s.text)))
        .collect();
    for (src, segs) in &documents {
        rego.extend(rego_blocks(src, segs));
    }
    let file_text = |f: &str| {
        sources
            .iter()
            .find(|s| s.path == f)
            .map(|s| s.text.to_string())
    };
    if let Err(e) = crate::custom::validate(&rego, file_text) {
        errors.push(e.into());
    }
    for (src, segs) in &documents {
        compile_file(
            src,
            segs,
            &mut rules,
            &mut unrecognised,
            &mut errors,
            &mut decls,
            &mut relaxed,
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    link_generators(&mut rules, &decls);
    link_aggregates(&mut rules, &decls);
    mark_code_only(&mut rules);
    spare_env_templates(&mut rules);
    if let Some(RuleBody::PathDeny { except, .. }) = rules.first_mut().map(|r| &mut r.body) {
        except.extend(relaxed);
    }
    let duplicate_ids = assign_ids(&mut rules);
    let digest = digest(&rules, &rego);
    Ok(Policy {
        digest,
        sources: sources.iter().map(|s| s.path.clone()).collect(),
        rules,
        rego,
        unrecognised,
        duplicate_ids,
    })
}

/// Built in: the policy sources themselves are read-only for agents, and so are the files a
/// linked source points at (`AGENTS.md -> CLAUDE.md` protects `CLAUDE.md` too).
fn builtin_rule(sources: &[SourceFile]) -> Rule {
    let mut paths: Vec<String> = vec![
        "AGENTS.md".into(),
        "**/AGENTS.md".into(),
        "docs/SSOT/**".into(),
    ];
    for s in sources {
        if let Some(to) = s.linked_to.as_ref().filter(|t| !t.is_empty()) {
            paths.push(globset_escape(to));
        }
    }
    Rule {
        id: "builtin-policy-sources".into(),
        severity: Severity::Error,
        strength: crate::ir::Strength::Enforced,
        reason: None,
        decision: Decision::Deny,
        scope: String::new(),
        roles: vec![],
        body: RuleBody::PathDeny {
            ops: WriteOp::ALL.to_vec(),
            paths,
            except: vec![],
            only_mixed: false,
            only_commit: false,
        },
        origin: Origin {
            file: "builtin".into(),
            line: 1,
            span: (0, 0),
            text: "Policy sources (every AGENTS.md and docs/SSOT/**) are read-only for agents."
                .into(),
        },
    }
}

/// A path as a glob that matches only itself.
fn globset_escape(path: &str) -> String {
    path.chars()
        .map(|c| match c {
            '*' | '?' | '[' | ']' | '{' | '}' | '\\' => format!("\\{c}"),
            c => c.to_string(),
        })
        .collect()
}

/// One statement to interpret: tokens plus where it came from.
struct Unit<'a> {
    /// Most statements are one sentence's tokens as lexed, borrowed; the rest are put together.
    tokens: std::borrow::Cow<'a, [Token]>,
    span: (usize, usize),
    text: String,
    block: usize,
    strict: bool,
    /// A lead-in whose list or code block became its own statement: not unrecognised if empty.
    quiet: bool,
}

fn compile_file(
    src: &SourceFile,
    segs: &[Segment],
    rules: &mut Vec<Rule>,
    unrecognised: &mut Vec<Unrecognised>,
    errors: &mut Vec<CompileError>,
    decls: &mut Declarations,
    relaxed: &mut Vec<String>,
) {
    let toks: Vec<Vec<Token>> = if segs.len() >= PARALLEL_UNITS {
        use rayon::prelude::*;
        segs.par_iter().map(|s| lex::lex(&s.pieces)).collect()
    } else {
        segs.iter().map(|s| lex::lex(&s.pieces)).collect()
    };
    let file_dirs = mentioned_dirs(&toks);
    let units = units(src, segs, &toks);
    let mut block_cmds: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (s, t) in segs.iter().zip(&toks) {
        block_cmds
            .entry(s.block)
            .or_default()
            .extend(t.iter().filter(|t| t.tag == "cmd").map(|t| t.value.clone()));
    }
    let empty = Vec::new();
    // Statements that follow another sentence of their paragraph or item (by where they start).
    let follows: std::collections::HashSet<usize> = units
        .windows(2)
        .filter(|w| w[0].block == w[1].block && w[0].span.0 < w[1].span.0)
        .map(|w| w[1].span.0)
        .collect();
    let cx = |u: &Unit, after_generated: bool| Context {
        scope: &src.scope,
        file_dirs: &file_dirs,
        block_cmds: block_cmds.get(&u.block).unwrap_or(&empty),
        after_generated,
        after_sentence: follows.contains(&u.span.0),
    };
    // Parsing and interpreting a statement depend on nothing but the statement and its file,
    // so they run in parallel for a large document; the one thing a statement takes from the
    // one before it (generated files declared just above) is put right below, in order.
    let first = |u: &Unit| -> Result<(Vec<Phrase>, interpret::Outcome), parse::ParseError> {
        let phrases = parse::parse(&u.tokens)?;
        // For working on the reading of prose: each statement's tokens on stderr.
        if std::env::var_os("AGENTGATE_DEBUG_TOKENS").is_some() {
            let shown: Vec<String> = u
                .tokens
                .iter()
                .map(|t| format!("{}:{}", t.tag, t.value))
                .collect();
            eprintln!("tokens: {}", shown.join(" "));
        }
        let out = interpret::interpret(&u.tokens, &phrases, &cx(u, false));
        Ok((phrases, out))
    };
    let prepared: Vec<_> = if units.len() >= PARALLEL_UNITS {
        use rayon::prelude::*;
        units.par_iter().map(first).collect()
    } else {
        units.iter().map(first).collect()
    };
    let debug = std::env::var_os("AGENTGATE_DEBUG_STATEMENTS").is_some();
    let mut last_generated: Option<(usize, usize)> = None; // (block, rule index)
                                                           // `SourceFile::line_of` counts from the start: index the line starts once per file.
    let newlines: Vec<usize> = memchr_newlines(&src.text);
    let line_of = |offset: usize| newlines.partition_point(|n| *n < offset.min(src.text.len())) + 1;
    // "If you modify any files under:" + a list of paths, then "You MUST run these commands …":
    // a condition standing alone speaks for the statement right after it.
    let mut carried: Option<Vec<Token>> = None;
    // "… checks pass before committing. Checks can be run with `a`.": the second sentence says
    // which commands the first means; it is read into the first and says nothing itself.
    let mut told_how = vec![false; units.len()];
    for (k, (u, prepared)) in units.iter().zip(prepared).enumerate() {
        let (mut phrases, mut out) = match prepared {
            Ok(p) => p,
            Err(e) => {
                errors.push(e.into());
                continue;
            }
        };
        let after_generated = last_generated.is_some_and(|(b, _)| b == u.block);
        let mut own: Option<Vec<Token>> = None;
        if let Some(cond) = carried.take() {
            if obliges_unconditionally(&u.tokens) {
                let mut t = cond;
                t.extend(u.tokens.iter().cloned());
                if let Ok(p) = parse::parse(&t) {
                    phrases = p;
                    own = Some(t);
                }
            }
        }
        if told_how[k] {
            continue;
        }
        if let Some(next) = units.get(k + 1).filter(|n| n.block == u.block && !n.strict) {
            let base = own.as_deref().unwrap_or(&u.tokens);
            if let Some(cmds) = anaphora::how_to_run(base, &next.tokens) {
                let mut t = base.to_vec();
                t.extend(cmds);
                if let Ok(p) = parse::parse(&t) {
                    phrases = p;
                    own = Some(t);
                    told_how[k + 1] = true;
                }
            }
        }
        let tokens: &[Token] = own.as_deref().unwrap_or(&u.tokens);
        if after_generated || own.is_some() {
            out = interpret::interpret(tokens, &phrases, &cx(u, after_generated));
        }
        if out.drafts.is_empty() && standing_condition(&u.tokens) {
            // Its list is part of the condition: "under: `api/**`, `cmd/**`".
            let mut t: Vec<Token> = u
                .tokens
                .iter()
                .map(|t| match t.tag {
                    "colon" => Token {
                        tag: "comma",
                        value: ",".into(),
                    },
                    _ => t.clone(),
                })
                .collect();
            t.push(Token {
                tag: "comma",
                value: ",".into(),
            });
            carried = Some(t);
        }
        // "You can run all these by running `make check`": that command covers the list of
        // the required check just above.
        // (Recorded as a declaration: it covers those commands wherever they are required.)
        if let Some(agg) = aggregate(&u.tokens) {
            // Every command of the checks listed just above.
            let list: Vec<crate::ir::CommandPattern> = rules
                .iter()
                .rev()
                .take(16)
                .filter(|r| {
                    r.origin.file == src.path
                        && line_of(u.span.0).saturating_sub(r.origin.line) <= 12
                })
                .filter_map(|r| match &r.body {
                    RuleBody::RequiredCheck { commands, .. } => Some(commands.clone()),
                    _ => None,
                })
                .flatten()
                .collect();
            if !list.is_empty() {
                decls.aggregates.push((agg, list));
            }
        }
        if debug {
            eprintln!(
                "{}:{} [{}] {} => {} rule(s)",
                src.path,
                line_of(u.span.0),
                lex::tag_string(tokens),
                u.text,
                out.drafts.len()
            );
        }
        let origin = Origin {
            file: src.path.clone(),
            line: line_of(u.span.0),
            span: u.span,
            text: u.text.clone(),
        };
        for (glob, message) in out.bad_globs {
            errors.push(CompileError::Glob {
                glob,
                message,
                src: NamedSource::new(src.path.clone(), src.text.to_string()),
                span: (u.span.0, u.span.1.saturating_sub(u.span.0)).into(),
            });
        }
        decls.generated.extend(out.declarations.generated);
        if let Some((_, idx)) = last_generated.filter(|(b, _)| *b == u.block) {
            if let Some(RuleBody::Generated { generators, .. }) =
                rules.get_mut(idx).map(|r| &mut r.body)
            {
                generators.extend(out.antecedent_generators.iter().cloned());
            }
        }
        last_generated = None;
        // "Agents may edit `docs/SSOT/x.md`": relaxes the built-in protection.
        // Only the root AGENTS.md and SSOT documents may relax it: a nested file adds to its
        // parents and cannot relax them.
        let may = phrases
            .iter()
            .any(|p| matches!(p, Phrase::Tok(i) if tokens[*i].tag == "may"));
        // "Add it to the relevant `AGENTS.md` file", "Update `AGENTS.md` when …": the owner
        // tells the agent to write a policy source, which relaxes it like a permission.
        let imperative = |t: &lex::Token| {
            matches!(t.tag, "write" | "create")
                && !t.value.ends_with("ing")
                && !t.value.ends_with("ed")
                && !t.value.ends_with('s')
        };
        let told = tokens
            .iter()
            .find(|t| !matches!(t.tag, "must" | "agents" | "also" | "when" | "w" | "comma"))
            .is_some_and(imperative)
            || tokens.windows(3).any(|w| {
                w[0].tag == "must"
                    && (imperative(&w[1]) || w[1].tag == "agents" && imperative(&w[2]))
            });
        if src.scope.is_empty()
            && (may || told)
            && tokens.iter().any(|t| t.tag == "write" || t.tag == "create")
            && !tokens
                .iter()
                .any(|t| matches!(t.tag, "deny" | "avoid" | "ask"))
        {
            for t in tokens.iter().filter(|t| t.tag == "path") {
                let source = t.value == "AGENTS.md" || t.value.starts_with("docs/SSOT");
                if may {
                    relaxed.extend(targets::path_globs(&t.value, &src.scope, false));
                } else if source {
                    relaxed.extend(targets::path_globs(&t.value, &src.scope, false));
                    if t.value == "AGENTS.md" {
                        relaxed.push("**/AGENTS.md".into());
                    }
                }
            }
        }
        if out.drafts.is_empty() {
            if u.strict {
                errors.push(CompileError::Block {
                    text: u.text.clone(),
                    reason: out
                        .reason
                        .unwrap_or_else(|| "it has no modal (must, never, do not, …)".into()),
                    src: NamedSource::new(src.path.clone(), src.text.to_string()),
                    span: (u.span.0, u.span.1.saturating_sub(u.span.0)).into(),
                });
            } else if out.normative && !u.quiet {
                unrecognised.push(Unrecognised {
                    origin,
                    reason: out
                        .reason
                        .unwrap_or_else(|| "no enforceable form was recognised".into()),
                });
            }
            continue;
        }
        for Draft {
            body,
            severity,
            decision,
            roles,
            advisory,
        } in out.drafts
        {
            let (strength, reason) = match advisory {
                Some(reason) => (crate::ir::Strength::Advisory, Some(reason)),
                None if severity == Severity::Warning => (
                    crate::ir::Strength::Advisory,
                    Some("worded as advice (should, avoid, prefer)".to_string()),
                ),
                None => (crate::ir::Strength::Enforced, None),
            };
            // An advisory rule is a warning: it never blocks.
            let severity = if strength == crate::ir::Strength::Advisory {
                Severity::Warning
            } else {
                severity
            };
            if matches!(body, RuleBody::Generated { .. }) {
                last_generated = Some((u.block, rules.len()));
            }
            rules.push(Rule {
                id: explicit_id(&u.text).unwrap_or_default(),
                severity,
                strength,
                reason,
                decision,
                scope: src.scope.clone(),
                roles,
                body,
                origin: origin.clone(),
            });
        }
    }
}

/// Statements (segments, rules) of one document from which lexing, parsing, interpreting and
/// hashing them pays to run in parallel.
const PARALLEL_UNITS: usize = 512;

/// Byte offsets of the newlines of a text.
fn memchr_newlines(text: &str) -> Vec<usize> {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect()
}

/// The ```rego blocks of a markdown source.
fn rego_blocks(src: &SourceFile, segs: &[Segment]) -> Vec<crate::ir::RegoModule> {
    segs.iter()
        .filter_map(|seg| match &seg.kind {
            SegmentKind::Code { lang, text } if lang == "rego" => Some(crate::ir::RegoModule {
                file: src.path.clone(),
                line: src.line_of(seg.span.0) + 1,
                text: text.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// Build the statements of a document: sentences, code lines under a lead-in, table rows, and
/// `agentgate` block lines.
fn units<'a>(src: &SourceFile, segs: &[Segment], toks: &'a [Vec<Token>]) -> Vec<Unit<'a>> {
    let code_leadins: std::collections::HashSet<usize> = segs
        .iter()
        .filter(|x| matches!(x.kind, SegmentKind::Code { .. }))
        .filter_map(|x| x.leadin)
        .collect();
    let mut merged_into: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut skip = vec![false; segs.len()];
    // Bare children (only targets) of a lead-in merge into it: "Before committing, run:" + list.
    for (i, s) in segs.iter().enumerate() {
        if let (Some(l), SegmentKind::Item) = (s.leadin, &s.kind) {
            // The lead-in's modal may be its own or its heading's ("### Never Do" over
            // "- Edit generated files directly:" over paths).
            if is_bare(&toks[i])
                && (has_modal(&block_tokens(segs, toks, segs[l].block))
                    || has_modal(&prefix_tokens(l, segs, toks)))
            {
                merged_into.entry(l).or_default().push(i);
                skip[i] = true;
            }
        }
    }
    // Each segment's statements depend only on what is above: built in parallel for a large
    // document, collected in order.
    let build = |units: &mut Vec<Unit<'a>>, i: usize, s: &Segment| {
        if skip[i] {
            return;
        }
        match &s.kind {
            SegmentKind::Heading(_) => {}
            SegmentKind::Code { lang, text } if lang == "agentgate" => {
                let mut at = s.span.0 + src.text[s.span.0..].find('\n').map_or(0, |n| n + 1);
                for line in text.lines() {
                    let trimmed = line.trim();
                    if !trimmed.is_empty()
                        && !trimmed.starts_with('#')
                        && !trimmed.starts_with("//")
                    {
                        let segs = markdown::segments(trimmed);
                        let tokens: Vec<Token> =
                            segs.iter().flat_map(|s| lex::lex(&s.pieces)).collect();
                        units.push(Unit {
                            tokens: tokens.into(),
                            span: (at, at + line.len()),
                            text: trimmed.to_string(),
                            block: s.block,
                            strict: true,
                            quiet: false,
                        });
                    }
                    at += line.len() + 1;
                }
            }
            SegmentKind::Code { lang, text }
                if s.leadin.is_none()
                    && shell_block(lang)
                    && s.heading
                        .is_some_and(|h| section_condition(&toks[h]).is_some()) =>
            {
                // A code block right under "## Before committing": its commands are to be run.
                let Some(mut tokens) = s.heading.and_then(|h| section_condition(&toks[h])) else {
                    return;
                };
                tokens.extend(colon_run());
                let mut n = 0;
                for line in text.lines() {
                    let cmd = line.split(" #").next().unwrap_or("").trim();
                    let cmd = cmd.strip_prefix("$ ").unwrap_or(cmd);
                    if cmd.is_empty()
                        || cmd.starts_with(['#', '<', '{', '}', '[', ']', '"', '\''])
                        || cmd.starts_with("//")
                        || cmd.starts_with("cd ")
                    {
                        continue;
                    }
                    if n > 0 {
                        tokens.push(Token {
                            tag: "and",
                            value: "and".into(),
                        });
                    }
                    tokens.push(Token {
                        tag: "cmd".into(),
                        value: cmd.to_string(),
                    });
                    n += 1;
                }
                if n > 0 {
                    units.push(Unit {
                        tokens: tokens.into(),
                        span: s.span,
                        text: text.trim().to_string(),
                        block: s.block,
                        strict: false,
                        quiet: false,
                    });
                }
            }
            SegmentKind::Code { lang, text }
                if s.leadin.is_none()
                    && shell_block(lang)
                    && text.lines().any(|l| comment_moment(l).is_some()) =>
            {
                // "# Full validation suite - run before committing" over `nx prepush`, or
                // "make check  # before pushing": a comment that says when to run the commands
                // it stands over (up to a blank line or the next comment), or beside.
                let mut at = s.span.0;
                let mut moment: Option<(Vec<Token>, (usize, usize), String)> = None;
                for line in text.lines() {
                    let trimmed = line.trim();
                    let span = (at, at + line.len());
                    at += line.len() + 1;
                    if trimmed.is_empty() {
                        moment = None;
                        continue;
                    }
                    if trimmed.starts_with('#') {
                        moment = comment_moment(line).map(|t| (t, span, trimmed.to_string()));
                        continue;
                    }
                    let (cmd, beside) = match line.split_once(" #") {
                        Some((c, _)) => (c.trim(), comment_moment(line)),
                        None => (trimmed, None),
                    };
                    let cmd = cmd.strip_prefix("$ ").unwrap_or(cmd);
                    if cmd.is_empty() || cmd.starts_with("cd ") || commit_header(cmd) {
                        continue;
                    }
                    let (mut tokens, span, said) = match (beside, &moment) {
                        (Some(t), _) => (t, span, trimmed.to_string()),
                        (None, Some((t, from, c))) => {
                            (t.clone(), (from.0, span.1), format!("{c}\n{trimmed}"))
                        }
                        (None, None) => continue,
                    };
                    tokens.extend(colon_run());
                    tokens.push(Token {
                        tag: "cmd",
                        value: cmd.to_string(),
                    });
                    units.push(Unit {
                        tokens: tokens.into(),
                        span,
                        text: said,
                        block: s.block,
                        strict: false,
                        quiet: false,
                    });
                }
            }
            SegmentKind::Code { lang, text }
                if s.leadin.is_none()
                    && shell_block(lang)
                    && text.lines().any(|l| comment_forbids_flag(l).is_some()) =>
            {
                // "cargo build   # build. never build with --release": a comment beside a command
                // that forbids a flag forbids that command with it.
                let mut at = s.span.0;
                for line in text.lines() {
                    if let Some(cmd) = comment_forbids_flag(line) {
                        units.push(Unit {
                            tokens: vec![
                                Token {
                                    tag: "deny",
                                    value: "never".into(),
                                },
                                Token {
                                    tag: "run",
                                    value: "run".into(),
                                },
                                Token {
                                    tag: "cmd",
                                    value: cmd,
                                },
                            ]
                            .into(),
                            span: (at, at + line.len()),
                            text: line.trim().to_string(),
                            block: s.block,
                            strict: false,
                            quiet: false,
                        });
                    }
                    at += line.len() + 1;
                }
            }
            SegmentKind::Code { lang, text } => {
                let Some(l) = s.leadin else { return };
                if matches!(
                    lang.as_str(),
                    "rego"
                        | "json"
                        | "yaml"
                        | "toml"
                        | "typescript"
                        | "ts"
                        | "js"
                        | "javascript"
                        | "python"
                        | "py"
                        | "rust"
                        | "rs"
                        | "go"
                        | "text"
                        | "md"
                        | "markdown"
                ) {
                    return;
                }
                let mut tokens = block_tokens(segs, toks, segs[l].block);
                // "Commit messages must follow this format. Example:" over a block: the block
                // shows text to write, not commands to run.
                let shows = tokens.iter().any(|t| {
                    t.tag == "like"
                        || matches!(
                            t.value.as_str(),
                            "example" | "examples" | "format" | "template" | "sample"
                        )
                }) || tokens
                    .windows(2)
                    .any(|w| w[0].value == "示" && w[1].value == "例");
                if shows {
                    return;
                }
                if !has_modal(&tokens) {
                    // "Regenerate `commands.def` and `fmtargs.h`:" over a command: those files
                    // are generated by it (a declaration, not a rule).
                    if let Some(unit) = regenerate_declaration(&tokens, text, s, segs[l].block) {
                        units.push(unit);
                    }
                    return;
                }
                for line in text.lines() {
                    let cmd = line.split(" #").next().unwrap_or("").trim();
                    // Comments, markup and data are not commands (`<!-- X -->`, `{ … }`), nor is
                    // a commit header (`feat(agent): update chart`).
                    if cmd.is_empty()
                        || commit_header(cmd)
                        || cmd.starts_with(['#', '<', '{', '}', '[', ']', '"', '\''])
                        || cmd.starts_with("//")
                        || cmd.starts_with("cd ")
                    {
                        continue;
                    }
                    tokens.push(Token {
                        tag: "cmd".into(),
                        value: cmd.to_string(),
                    });
                }
                let lead = &segs[l];
                units.push(Unit {
                    tokens: tokens.into(),
                    span: (lead.span.0, s.span.1),
                    text: block_text(segs, lead.block),
                    block: lead.block,
                    strict: false,
                    quiet: false,
                });
            }
            SegmentKind::TableRow { cells, header } => {
                let tokens = table_tokens(cells, header, s, segs, toks);
                units.push(Unit {
                    tokens: tokens.into(),
                    span: s.span,
                    text: s.text(),
                    block: s.block,
                    strict: false,
                    quiet: false,
                });
            }
            SegmentKind::Paragraph | SegmentKind::Item => {
                let mut prefix = prefix_tokens(i, segs, toks);
                // "…, do not contribute the result. Concretely, do not open a pull request …":
                // an elaboration speaks under the sentence it elaborates, conditions included.
                let elaborates = i > 0
                    && segs[i - 1].block == s.block
                    && toks[i].first().is_some_and(|t| {
                        matches!(
                            t.value.as_str(),
                            "concretely"
                                | "specifically"
                                | "namely"
                                | "i.e"
                                | "that is"
                                | "in other words"
                                | "in particular"
                                | "this means"
                        )
                    });
                if elaborates {
                    prefix.extend(toks[i - 1].iter().cloned());
                    prefix.push(Token {
                        tag: "colon",
                        value: ":".into(),
                    });
                }
                let own = prefix.is_empty() && !merged_into.contains_key(&i);
                let mut tokens = prefix;
                let mut span = s.span;
                let mut text = s.text();
                if let Some(children) = merged_into.get(&i) {
                    // "…, you must ensure that all the CI tests pass. These include:" + list: the
                    // whole lead-in paragraph speaks for the list.
                    tokens.extend(block_tokens(segs, toks, s.block));
                    if let Some(first) = segs.get(block_range(segs, s.block).start) {
                        span.0 = first.span.0;
                    }
                    text = block_text(segs, s.block);
                    // "**Format your code before pushing.**" + items: the list is what it names,
                    // apart from its condition as if the lead-in ended in ":".
                    if tokens.last().is_some_and(|t| t.tag != "colon") {
                        tokens.push(Token {
                            tag: "colon",
                            value: ":".into(),
                        });
                    }
                    for (n, c) in children.iter().enumerate() {
                        if n > 0 && toks[*c].iter().any(|t| t.tag == "colon") {
                            // "Backend: `x`", "Frontend: `y`": labelled items stay apart.
                            tokens.push(Token {
                                tag: "comma",
                                value: ",".into(),
                            });
                        }
                        tokens.extend(toks[*c].iter().cloned());
                        span.1 = span.1.max(segs[*c].span.1);
                    }
                    text = format!(
                        "{} {}",
                        text,
                        children
                            .iter()
                            .map(|c| segs[*c].text())
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                } else {
                    tokens.extend(toks[i].iter().cloned());
                }
                // A sentence ending in ":" over a code block speaks through that block.
                let quiet = code_leadins.contains(&i);
                units.push(Unit {
                    // A sentence on its own borrows its tokens as lexed.
                    tokens: if own {
                        toks[i].as_slice().into()
                    } else {
                        tokens.into()
                    },
                    span,
                    text,
                    block: s.block,
                    strict: false,
                    quiet,
                });
            }
        }
    };
    if segs.len() < PARALLEL_UNITS {
        let mut units = Vec::new();
        for (i, s) in segs.iter().enumerate() {
            build(&mut units, i, s);
        }
        return units;
    }
    use rayon::prelude::*;
    let parts: Vec<Vec<Unit<'a>>> = segs
        .par_iter()
        .enumerate()
        .fold(Vec::new, |mut units, (i, s)| {
            build(&mut units, i, s);
            units
        })
        .collect();
    let mut units = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        units.extend(part);
    }
    units
}

/// "Regenerate `x` and `y`:" above a code block: the block's commands generate the paths.
fn regenerate_declaration<'a>(
    lead: &[Token],
    code: &str,
    s: &Segment,
    block: usize,
) -> Option<Unit<'a>> {
    let regenerates = lead
        .iter()
        .any(|t| t.value.starts_with("regenerat") || t.value.starts_with("generat"));
    let paths: Vec<Token> = lead.iter().filter(|t| t.tag == "path").cloned().collect();
    if !regenerates || paths.is_empty() {
        return None;
    }
    let mut tokens = paths;
    tokens.push(Token {
        tag: "generated",
        value: "generated by".into(),
    });
    let cmds: Vec<Token> = code
        .lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("cd "))
        .map(|l| Token {
            tag: "cmd",
            value: l.to_string(),
        })
        .collect();
    if cmds.is_empty() {
        return None;
    }
    tokens.extend(cmds);
    Some(Unit {
        tokens: tokens.into(),
        span: s.span,
        text: code.trim().to_string(),
        block,
        strict: false,
        quiet: true,
    })
}

/// The segments of a block: segments come in document order with non-decreasing block
/// numbers (`markdown::segments`), so a block is a range found by binary search.
fn block_range(segs: &[Segment], block: usize) -> std::ops::Range<usize> {
    debug_assert!(segs.windows(2).all(|w| w[0].block <= w[1].block));
    segs.partition_point(|s| s.block < block)..segs.partition_point(|s| s.block <= block)
}

fn block_tokens(segs: &[Segment], toks: &[Vec<Token>], block: usize) -> Vec<Token> {
    toks[block_range(segs, block)]
        .iter()
        .flat_map(|t| t.iter().cloned())
        .collect()
}

fn block_text(segs: &[Segment], block: usize) -> String {
    segs[block_range(segs, block)]
        .iter()
        .map(Segment::text)
        .collect::<Vec<_>>()
        .join(" ")
}

const MODAL_TAGS: &[&str] = &[
    "deny", "must", "should", "avoid", "ask", "approval", "before", "after", "when",
];

fn has_modal(tokens: &[Token]) -> bool {
    tokens.iter().any(|t| MODAL_TAGS.contains(&t.tag))
}

/// A statement that is only a condition over changed paths ("If you modify any files under:"
/// with its list): no modal, a condition, a change verb and targets.
fn standing_condition(tokens: &[Token]) -> bool {
    let first = tokens
        .iter()
        .find(|t| !matches!(t.tag, "dash" | "colon" | "comma"));
    first.is_some_and(|t| matches!(t.tag, "when" | "after" | "before"))
        && !tokens
            .iter()
            .any(|t| matches!(t.tag, "deny" | "must" | "should" | "avoid" | "ask" | "may"))
        && tokens
            .iter()
            .any(|t| matches!(t.tag, "write" | "create" | "delete" | "changes_to"))
        && tokens.iter().any(|t| t.tag == "path")
}

/// An obligation with no condition of its own over paths: the statement a standing condition
/// speaks for.
fn obliges_unconditionally(tokens: &[Token]) -> bool {
    tokens.iter().any(|t| t.tag == "must")
        && !tokens.iter().any(|t| t.tag == "deny")
        && !(tokens.iter().any(|t| t.tag == "when") && tokens.iter().any(|t| t.tag == "path"))
}

/// "You can run all these by running `make check`", "`make check` runs all of the above": the
/// commands that stand for a list of checks.
fn aggregate(tokens: &[Token]) -> Option<Vec<crate::ir::CommandPattern>> {
    let all = tokens.iter().any(|t| t.value == "all");
    let these = tokens.iter().any(|t| {
        t.tag == "this"
            || matches!(
                t.value.as_str(),
                "above" | "these" | "them" | "of the above"
            )
    });
    let runs = tokens.iter().any(|t| t.tag == "run");
    let cmds: Vec<&Token> = tokens.iter().filter(|t| t.tag == "cmd").collect();
    if !(all && these && runs) || cmds.len() != 1 {
        return None;
    }
    Some(targets::command_patterns(&cmds[0].value))
}

/// A lead-in built on a verb of knowing ("you must know", "be aware", "note that").
fn informs(lead: &[Token]) -> bool {
    let words = &crate::vocab::get().words;
    let values: Vec<&str> = lead.iter().map(|t| t.value.as_str()).collect();
    words.cognition.iter().any(|phrase| {
        values
            .windows(phrase.len())
            .any(|w| w.iter().zip(phrase).all(|(a, b)| *a == b.as_str()))
    })
}

/// Only targets (and filler): a list item that is just `cargo test` or a path.
fn is_bare(tokens: &[Token]) -> bool {
    tokens
        .iter()
        .any(|t| matches!(t.tag, "cmd" | "path" | "flag" | "prog" | "code"))
        && tokens.iter().all(|t| {
            matches!(
                t.tag,
                "cmd"
                    | "code"
                    | "path"
                    | "flag"
                    | "prog"
                    | "w"
                    | "comma"
                    | "dash"
                    | "lparen"
                    | "rparen"
                    | "and"
                    | "or"
                    | "colon"
                    | "noun"
            )
        })
}

/// Tokens a sentence inherits: its lead-in's (a sentence ending in `:` or the parent item), or a
/// short heading that carries a modal ("## Do Not", "### Forbidden Without Approval").
fn prefix_tokens(i: usize, segs: &[Segment], toks: &[Vec<Token>]) -> Vec<Token> {
    let s = &segs[i];
    let colon = Token {
        tag: "colon".into(),
        value: ":".into(),
    };
    if let Some(l) = s.leadin {
        let lead = block_tokens(segs, toks, segs[l].block);
        // "Behavior you must know:", "Note:": a lead-in about knowing informs its items; it
        // does not order them.
        if informs(&lead) {
            return Vec::new();
        }
        let own_modal = has_modal(&toks[i]);
        if has_modal(&lead) && (!own_modal || segs[l].text().ends_with(':')) {
            // "Explicit user approval is required before:", "Require explicit user request only
            // for:": a lead-in that makes its items need an approval reads as "Ask first:".
            if asks_for_approval(&lead) {
                return vec![
                    Token {
                        tag: "ask",
                        value: "ask first".into(),
                    },
                    colon,
                ];
            }
            let mut t = lead;
            t.push(colon);
            return t;
        }
        // "### Ask First" > "- Potentially destructive actions:" > "- `git reset --hard`": a
        // lead-in with no modal of its own passes on what is above it.
        if !has_modal(&lead) && segs[l].text().ends_with(':') && !own_modal {
            let above = prefix_tokens(l, segs, toks);
            if !above.is_empty() {
                let mut t = above;
                t.extend(lead);
                t.push(colon);
                return t;
            }
        }
        // "You must read … this file …" under "Read `project-plan/README.md` first.": the
        // parent names the file.
        let own = &toks[i];
        if own.iter().any(|t| t.tag == "this") && !own.iter().any(|t| t.tag == "path") {
            return lead.into_iter().filter(|t| t.tag == "path").collect();
        }
        return Vec::new();
    }
    if matches!(s.kind, SegmentKind::Item) {
        if let Some(h) = s.heading {
            let ht = &toks[h];
            let words = ht.len();
            // ("### 2. Ask First (Explicit Confirmation Required)": an aside does not count.)
            let core = ht
                .iter()
                .scan(0i32, |depth, t| {
                    match t.tag {
                        "lparen" => *depth += 1,
                        "rparen" => *depth -= 1,
                        _ => {}
                    }
                    Some((*depth, t))
                })
                .filter(|(d, t)| *d == 0 && !matches!(t.tag, "rparen" | "num" | "stop"))
                .count();
            if (words <= 6 || core <= 6)
                && ht
                    .iter()
                    .any(|t| matches!(t.tag, "deny" | "must" | "approval" | "avoid" | "ask"))
            {
                // "### 破坏性操作（必须先征求确认）", "## Destructive operations (ask first)": when the
                // heading's only order is in its aside, the aside is the order.
                let mut depth = 0i32;
                let outside_modal = ht.iter().any(|t| {
                    match t.tag {
                        "lparen" => depth += 1,
                        "rparen" => depth -= 1,
                        _ => {}
                    }
                    depth == 0 && matches!(t.tag, "deny" | "must" | "avoid" | "ask")
                });
                // Only an aside that asks is read as the heading's order ("(must ask first)",
                // "(explicit confirmation required)"); "(No Confirmation Needed)" grants.
                let aside_asks = ht.iter().any(|t| t.tag == "ask")
                    || ht.iter().any(|t| t.tag == "must") && ht.iter().any(|t| t.tag == "approval");
                let grants = ht
                    .iter()
                    .any(|t| matches!(t.tag, "no" | "not" | "may" | "without" | "unless"));
                let mut t: Vec<Token> = if outside_modal || !aside_asks || grants {
                    ht.clone()
                } else {
                    // Only the aside: the words outside name the topic its items spell out.
                    let mut depth = 0i32;
                    ht.iter()
                        .filter(|t| {
                            match t.tag {
                                "lparen" => {
                                    depth += 1;
                                    return false;
                                }
                                "rparen" => {
                                    depth -= 1;
                                    return false;
                                }
                                _ => {}
                            }
                            depth > 0
                        })
                        .cloned()
                        .collect()
                };
                t.push(colon);
                return t;
            }
        }
    }
    // "## Before committing", "## Pull request checklist": a heading that says when speaks
    // for the items and sentences of its section; a bare command there is one to run.
    // "## When Unsure", "## If the build breaks": a heading that says when, in terms agentgate
    // cannot observe, limits what is under it — which is then not fully understood.
    if matches!(s.kind, SegmentKind::Item | SegmentKind::Paragraph) {
        if let Some(h) = s.heading {
            let ht = &toks[h];
            let opens = ht
                .iter()
                .find(|t| !matches!(t.tag, "num" | "stop"))
                .is_some_and(|t| t.tag == "when" && !t.value.chars().any(crate::vocab::is_cjk));
            if opens && ht.len() <= 8 && section_condition(ht).is_none() {
                let mut t = ht.clone();
                t.push(colon.clone());
                return t;
            }
        }
    }
    // Only an order to run something with no condition of its own takes it: "Always run
    // `cargo clippy` before opening a PR" keeps its own moment; a prohibition keeps its scope.
    let own = &toks[i];
    let runs = own.iter().any(|t| t.tag == "cmd")
        && (is_bare(own) || own.iter().any(|t| t.tag == "run"))
        && !own.iter().any(|t| {
            matches!(
                t.tag,
                "before" | "after" | "when" | "deny" | "avoid" | "may" | "unless"
            )
        });
    if runs && matches!(s.kind, SegmentKind::Item | SegmentKind::Paragraph) {
        if let Some(mut t) = s.heading.and_then(|h| section_condition(&toks[h])) {
            t.push(colon);
            if is_bare(&toks[i]) && toks[i].iter().any(|t| t.tag == "cmd") {
                t.push(Token {
                    tag: "run",
                    value: "run".into(),
                });
            }
            return t;
        }
    }
    Vec::new()
}

/// `cargo build   # build. never build with --release`: the command with the flag its comment
/// forbids ("never …", "don't …", "do not …" and a `--flag`).
fn comment_forbids_flag(line: &str) -> Option<String> {
    let (cmd, comment) = line.split_once(" #")?;
    let cmd = cmd.trim();
    if cmd.is_empty() || cmd.starts_with('#') {
        return None;
    }
    let lower = comment.to_lowercase();
    let (at, len) = ["never ", "don't ", "do not ", "dont "]
        .iter()
        .filter_map(|w| lower.find(w).map(|k| (k, w.len())))
        .min()?;
    // "don't forget the --strict" asks for the flag.
    let next = lower[at + len..].split_whitespace().next().unwrap_or("");
    if matches!(next, "forget" | "omit" | "skip" | "miss" | "leave" | "drop") {
        return None;
    }
    let flag = lower[at..]
        .split_whitespace()
        .find(|w| w.starts_with("--") && w.len() > 2)?
        .trim_end_matches(['.', ',', ';', ')', '`']);
    let flag = flag.trim_start_matches('`');
    // The command's program and subcommand, with the flag: `cargo build --release`.
    let head: Vec<&str> = cmd
        .split_whitespace()
        .take_while(|w| !w.starts_with('-'))
        .take(2)
        .collect();
    (!head.is_empty()).then(|| format!("{} {flag}", head.join(" ")))
}

/// A code block of shell commands (no language given, or a shell's).
fn shell_block(lang: &str) -> bool {
    matches!(lang, "" | "sh" | "bash" | "shell" | "console" | "zsh")
}

/// ": run", put between a condition and the commands it makes due.
fn colon_run() -> [Token; 2] {
    [
        Token {
            tag: "colon",
            value: ":".into(),
        },
        Token {
            tag: "run",
            value: "run".into(),
        },
    ]
}

/// The moment a shell comment says its commands are to be run at ("# Full validation suite -
/// run before committing", "# before pushing"), as the tokens of a condition.
fn comment_moment(line: &str) -> Option<Vec<Token>> {
    let comment = match line.trim().strip_prefix('#') {
        Some(c) => c,
        None => line.split_once(" #")?.1,
    };
    if comment.len() > 120 {
        return None;
    }
    let segs = markdown::segments(comment.trim());
    let tokens: Vec<Token> = segs.iter().flat_map(|s| lex::lex(&s.pieces)).collect();
    let at = tokens
        .iter()
        .position(|t| matches!(t.tag, "before" | "after" | "when"))?;
    // An order to run ("run before committing", "- before pushing"), not a description of
    // what runs ("runs before each commit", "used by the pre-commit hook").
    let head = &tokens[..at];
    let order = match head {
        [] => true,
        [.., t] => {
            matches!(t.value.as_str(), "run" | "execute" | "always run" | "dash")
                || matches!(t.tag, "dash" | "colon")
        }
    };
    if !order {
        return None;
    }
    section_condition(&tokens[at..])
}

/// `feat(scope): subject`, `fix: subject`: a commit message header, not a command.
fn commit_header(line: &str) -> bool {
    let Some((head, rest)) = line.split_once(':') else {
        return false;
    };
    let ty = head.split('(').next().unwrap_or("").trim_end_matches('!');
    !ty.is_empty()
        && ty.chars().all(|c| c.is_ascii_lowercase())
        && !head.contains(' ')
        && rest.starts_with(' ')
}

/// A lead-in that makes what follows need an approval: "Explicit user approval is required
/// before:", "Require explicit user request only for:", "Requires maintainer sign-off:".
fn asks_for_approval(lead: &[Token]) -> bool {
    let approval = lead.iter().any(|t| {
        matches!(
            t.value.as_str(),
            "request"
                | "permission"
                | "approval"
                | "approvals"
                | "sign-off"
                | "consent"
                | "confirmation"
                | "authorization"
                | "authorisation"
                | "go-ahead"
        )
    });
    let needed = lead.iter().any(|t| {
        t.tag == "must"
            && matches!(
                t.value.as_str(),
                "require"
                    | "requires"
                    | "required"
                    | "is required"
                    | "are required"
                    | "need"
                    | "needs"
            )
    });
    approval
        && needed
        && !lead.iter().any(|t| {
            matches!(
                t.tag,
                "deny" | "avoid" | "ask" | "may" | "unless" | "without"
            )
        })
}

/// The condition a heading sets for its section, as tokens: "Before committing", "Before you
/// open a PR", "When you are done" as written; "Pre-commit checklist", "PR checklist" as
/// "before committing", "before opening a pull request". None for any other heading.
fn section_condition(heading: &[Token]) -> Option<Vec<Token>> {
    if heading.len() > 8 {
        return None;
    }
    let delivery = &crate::vocab::get().words.delivery;
    let action = |t: &Token| {
        matches!(
            t.tag,
            "act_commit"
                | "act_push"
                | "act_pull_request"
                | "act_ready_pull_request"
                | "act_merge"
                | "act_publish"
                | "act_deploy"
        ) || t.tag == "w" && delivery.contains(&t.value)
    };
    if let Some(c) = heading
        .iter()
        .position(|t| matches!(t.tag, "before" | "after" | "when"))
    {
        let rest = &heading[c + 1..];
        let ok = rest.iter().any(action)
            && rest.iter().all(|t| {
                action(t)
                    || matches!(
                        t.tag,
                        "agents" | "this" | "comma" | "read" | "create" | "run"
                    )
                    || t.tag == "w" && crate::vocab::get().words.neutral(&t.value)
            });
        return ok.then(|| heading[c..].to_vec());
    }
    let list = heading
        .iter()
        .any(|t| matches!(t.value.as_str(), "checklist" | "check list" | "checks"));
    if !list {
        return None;
    }
    let act = heading
        .iter()
        .find_map(|t| match (t.tag, t.value.as_str()) {
            ("act_commit", _) | (_, "pre-commit" | "precommit") => Some("act_commit"),
            ("act_push", _) | (_, "pre-push") => Some("act_push"),
            ("act_pull_request" | "act_ready_pull_request", _) => Some("act_pull_request"),
            ("act_merge", _) => Some("act_merge"),
            (_, "submission" | "submit" | "submitting") => Some("act_pull_request"),
            _ => None,
        })?;
    Some(vec![
        Token {
            tag: "before",
            value: "before".into(),
        },
        Token {
            tag: act,
            value: act.trim_start_matches("act_").replace('_', " "),
        },
    ])
}

/// A table row as a statement. With a header like "Changed source | Required command", the row
/// reads "when you change <cell 1>, run <cell 2>".
fn table_tokens(
    cells: &[Vec<Piece>],
    header: &[String],
    s: &Segment,
    segs: &[Segment],
    toks: &[Vec<Token>],
) -> Vec<Token> {
    let h: Vec<String> = header.iter().map(|x| x.to_lowercase()).collect();
    let is = |i: usize, words: &[&str]| {
        h.get(i)
            .is_some_and(|x| words.iter().any(|w| x.contains(w)))
    };
    let tok = |tag: &'static str, v: &str| Token {
        tag: tag.into(),
        value: v.into(),
    };
    let cell = |i: usize| cells.get(i).map(|c| lex::lex(c)).unwrap_or_default();
    if cells.len() >= 2
        && is(0, &["change", "source", "path", "file", "when", "touch"])
        && is(1, &["command", "run", "required", "check"])
    {
        let mut t = vec![tok("when", "when"), tok("write", "change")];
        t.extend(cell(0));
        t.push(tok("comma", ","));
        t.push(tok("run", "run"));
        t.extend(cell(1).into_iter().filter(|t| t.tag != "and"));
        return t;
    }
    let mut t = Vec::new();
    if let Some(l) = s.leadin {
        let lead = block_tokens(segs, toks, segs[l].block);
        if has_modal(&lead) {
            t.extend(lead);
            t.push(tok("colon", ":"));
        }
    }
    // "| Push to `main` | Never |": a cell that is only a modal is the row's modal, read first.
    let modal_cell = |c: &[Token]| {
        !c.is_empty()
            && c.iter()
                .any(|t| matches!(t.tag, "deny" | "must" | "should" | "avoid" | "ask" | "no"))
            && c.iter().all(|t| {
                matches!(
                    t.tag,
                    "deny" | "must" | "should" | "avoid" | "ask" | "no" | "colon" | "dash" | "stop"
                ) || t.tag == "w" && !t.value.chars().any(char::is_alphanumeric)
            })
    };
    let cells_t: Vec<Vec<Token>> = (0..cells.len()).map(cell).collect();
    if let Some(m) = (1..cells_t.len()).find(|k| modal_cell(&cells_t[*k])) {
        t.extend(cells_t[m].iter().cloned());
        t.push(tok("colon", ":"));
        for (i, c) in cells_t.iter().enumerate().filter(|(i, _)| *i != m) {
            if i > 0 && !(i == 1 && m == 0) {
                t.push(tok("dash", "|"));
            }
            t.extend(c.iter().cloned());
        }
        return t;
    }
    for (i, c) in cells_t.into_iter().enumerate() {
        if i > 0 {
            t.push(tok("dash", "|"));
        }
        t.extend(c);
    }
    t
}

/// Folder names the document mentions in backticks (`registry/` → `registry`), so prose like
/// "adding a registry entry" can name them.
fn mentioned_dirs(toks: &[Vec<Token>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in toks.iter().flatten().filter(|t| t.tag == "path") {
        let v = t.value.trim_start_matches("./");
        if let Some((first, _)) = v.split_once('/') {
            if !first.is_empty()
                && !first.contains(['*', '.', '<'])
                && !out.iter().any(|x| x == first)
            {
                out.push(first.to_lowercase());
            }
        }
    }
    out
}

/// Generated-file rules without a generator borrow the generators declared for the same paths
/// (a path overlaps a declared one when they are equal or one is a folder of the other).
fn link_generators(rules: &mut [Rule], decls: &Declarations) {
    if decls.generated.is_empty() {
        return;
    }
    // Every declared path, stripped, with the declarations naming it: sorted, so a rule path's
    // folders and the paths under it are found by lookup, not by comparing every pair.
    let mut declared: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (k, (dpaths, _)) in decls.generated.iter().enumerate() {
        for d in dpaths {
            declared.entry(strip_globs(d)).or_default().push(k);
        }
    }
    for r in rules.iter_mut() {
        if let RuleBody::Generated { paths, generators } = &mut r.body {
            let mut hits: Vec<usize> = Vec::new();
            for p in paths.iter() {
                let p = strip_globs(p);
                // p itself and its folders: `a/b/c`, `a/b`, `a`.
                let mut at = Some(p);
                while let Some(q) = at {
                    hits.extend(declared.get(q).into_iter().flatten());
                    at = q.rsplit_once('/').map(|(head, _)| head);
                }
                // Paths under p.
                let under = format!("{p}/");
                for (d, ks) in declared.range(under.as_str()..) {
                    if !d.starts_with(&under) {
                        break;
                    }
                    hits.extend(ks);
                }
            }
            hits.sort_unstable();
            hits.dedup();
            for k in hits {
                for g in &decls.generated[k].1 {
                    if !generators.contains(g) {
                        generators.push(g.clone());
                    }
                }
            }
        }
    }
}

/// `.env.example`, `.env.sample`, `.env.template`: committed templates with no secret in them.
/// A rule about `.env.*` files ("never commit `.env` files", "secrets") leaves them alone
/// unless it names one.
fn spare_env_templates(rules: &mut [Rule]) {
    const TEMPLATES: &[&str] = &["example", "sample", "template", "dist", "defaults"];
    for r in rules.iter_mut() {
        // (Written as a glob — "any `.env.*` file" — the author means every one.)
        if r.origin.file == "builtin" || r.origin.text.contains(".env.*") {
            continue;
        }
        let (paths, except) = match &mut r.body {
            RuleBody::PathDeny { paths, except, .. } | RuleBody::ReadDeny { paths, except } => {
                (paths, except)
            }
            _ => continue,
        };
        let wild = paths.iter().any(|p| p.contains(".env") && p.contains('*'));
        let named = paths
            .iter()
            .any(|p| TEMPLATES.iter().any(|t| p.ends_with(&format!(".{t}"))));
        if wild && !named {
            for t in TEMPLATES {
                let g = format!("**/.env.{t}");
                if !except.contains(&g) {
                    except.push(g);
                }
            }
        }
    }
}

/// A check of code due at a commit, push or pull request ("Run `cargo test` before
/// committing") is not due for a documentation-only change.
fn mark_code_only(rules: &mut [Rule]) {
    use crate::ir::Trigger;
    for r in rules.iter_mut() {
        if let RuleBody::RequiredCheck {
            commands,
            trigger,
            when_paths,
            all_checks,
            code_only,
            ..
        } = &mut r.body
        {
            let delivery = matches!(
                trigger,
                Trigger::Commit
                    | Trigger::Push
                    | Trigger::PullRequest
                    | Trigger::PullRequestReady
                    | Trigger::Deliver
                    | Trigger::Fix
            );
            *code_only = delivery
                && when_paths.is_empty()
                && !*all_checks
                && !commands.is_empty()
                && commands.iter().all(interpret::code_check);
        }
    }
}

/// A required check whose every command an aggregate covers ("you can run all these by running
/// `make check`") is met by that aggregate too.
fn link_aggregates(rules: &mut [Rule], decls: &Declarations) {
    if decls.aggregates.is_empty() {
        return;
    }
    for r in rules.iter_mut() {
        if let RuleBody::RequiredCheck {
            commands,
            covered_by,
            ..
        } = &mut r.body
        {
            for (agg, list) in &decls.aggregates {
                let all = !commands.is_empty()
                    && commands
                        .iter()
                        .all(|c| list.iter().any(|l| l.text == c.text));
                if all {
                    for a in agg {
                        if !covered_by.contains(a) {
                            covered_by.push(a.clone());
                        }
                    }
                }
            }
        }
    }
}

fn strip_globs(s: &str) -> &str {
    s.trim_end_matches("/**").trim_start_matches("**/")
}
