//! What programs and wrappers do: option specs, file effects, peeling.

use super::*;

/// How a program spells its options, so that option values are not taken for operands.
#[derive(Clone, Copy)]
pub(super) struct Spec {
    /// Short options taking a value, attached (`-n5`) or as the next argument (`-n 5`).
    pub(super) short: &'static str,
    /// Short options whose value, if any, is attached (`sed -i.bak`, `xargs -i{}`).
    pub(super) attached: &'static str,
    /// Long options taking the next argument as value when written without `=`.
    pub(super) long: &'static [&'static str],
    /// Long options taking the next two arguments (`jq --arg NAME VALUE`).
    pub(super) long2: &'static [&'static str],
    /// `+N` arguments are options (`vim +10`, `bash +x`).
    pub(super) plus: bool,
    /// `-x`, `-rw` are modes, hence operands (`chmod -x FILE`).
    pub(super) modes: bool,
}

pub(super) const fn opts(short: &'static str, long: &'static [&'static str]) -> Spec {
    Spec {
        short,
        attached: "",
        long,
        long2: &[],
        plus: false,
        modes: false,
    }
}

pub(super) const NONE: Spec = opts("", &[]);

#[derive(Default)]
pub(super) struct Scan {
    /// Options seen, as (`-x` or `--name`, value or "").
    pub(super) opts: Vec<(String, String)>,
    /// Indices of the operands.
    pub(super) operands: Vec<usize>,
    /// How many operands came before `--`, when given.
    pub(super) dashdash: Option<usize>,
    /// Index of the first argument left unscanned (when stopping at the first operand).
    pub(super) end: usize,
}

impl Scan {
    pub(super) fn has(&self, names: &[&str]) -> bool {
        self.opts
            .iter()
            .any(|(name, _)| names.contains(&name.as_str()))
    }

    pub(super) fn value(&self, names: &[&str]) -> Option<&str> {
        self.opts
            .iter()
            .rev()
            .find(|(name, _)| names.contains(&name.as_str()))
            .map(|(_, value)| value.as_str())
    }
}

/// Splits arguments into options and operands. With `stop`, scanning ends at the first operand
/// or after `--`, as a wrapper's options end where the command it runs begins.
pub(super) fn scan(args: &[&str], spec: &Spec, stop: bool) -> Scan {
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
pub(super) enum Rule {
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

pub(super) struct Program {
    pub(super) names: &'static [&'static str],
    pub(super) spec: Spec,
    pub(super) rule: Rule,
    /// Options whose value is a file (`sort -o OUT`).
    pub(super) files: &'static [(&'static str, EffectKind)],
}

pub(super) const P: Program = Program {
    names: &[],
    spec: NONE,
    rule: Rule::None,
    files: &[],
};
pub(super) const COPY: Spec = opts("tS", &["--target-directory", "--suffix"]);
pub(super) const SHELL: Spec = Spec {
    plus: true,
    ..opts("oO", &["--rcfile", "--init-file"])
};
pub(super) const SHELLS: &[&str] = &["bash", "sh", "zsh", "dash", "ksh", "mksh", "ash"];
pub(super) const PATTERN_OPTS: &[&str] = &["-e", "-f", "--regexp", "--file"];
/// `-f FILE` gives the pattern or program in a file.
pub(super) const PATTERN_FILES: &[(&str, EffectKind)] = &[("-f", Read), ("--file", Read)];

#[rustfmt::skip]
pub(super) const PROGRAMS: &[Program] = &[
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
pub(super) const GIT: &[Program] = &[
    Program { names: &["rm"], rule: Rule::All(Delete), ..P },
    Program { names: &["mv"], rule: Rule::Transfer(Some(Delete)), ..P },
    Program { names: &["restore"], spec: opts("s", &["--source"]), rule: Rule::All(Write), ..P },
    Program { names: &["checkout"], spec: opts("bB", &[]), rule: Rule::AfterDashDash(Write), ..P },
    Program { names: &["clean"], spec: opts("e", &["--exclude"]), rule: Rule::All(Delete), ..P },
];

/// Files a program touches, as written (not yet under the working directory).
pub(super) fn file_effects(program: &str, args: &[&str]) -> Vec<(EffectKind, String)> {
    if program == "git" {
        return git_effects(args);
    }
    if let Some(effects) = extraction(program, args) {
        return effects;
    }
    let mut effects = PROGRAMS
        .iter()
        .find(|p| p.names.contains(&program))
        .map_or_else(Vec::new, |p| apply(p, args).0);
    effects.extend(inline_code(program, args));
    effects.extend(sent_files(program, args));
    effects
}

/// Files a command sends away or searches by name: `curl -d @f`, `--data-binary @f`,
/// `-F name=@f` / `name=<f`, `wget --post-file=f`, `scp f host:` (its local sources), and
/// `grep -r --include=GLOB DIR` (the files under DIR the glob names).
fn sent_files(program: &str, args: &[&str]) -> Vec<(EffectKind, String)> {
    let mut out = Vec::new();
    let value_of = |k: usize, a: &str, names: &[&str]| -> Option<String> {
        names.iter().find_map(|n| {
            if a == *n {
                args.get(k + 1).map(|v| v.to_string())
            } else if let Some(v) = a.strip_prefix(&format!("{n}=")) {
                Some(v.to_string())
            } else if n.len() == 2 && !n.starts_with("--") && a.starts_with(n) && a.len() > 2 {
                Some(a[2..].to_string())
            } else {
                None
            }
        })
    };
    match program {
        "curl" => {
            for (k, a) in args.iter().enumerate() {
                let data = [
                    "-d",
                    "--data",
                    "--data-binary",
                    "--data-urlencode",
                    "--json",
                ];
                if let Some(v) = value_of(k, a, &data) {
                    // `@file`, or `name@file` for --data-urlencode.
                    if let Some((_, f)) = v.split_once('@') {
                        if !f.is_empty() && f != "-" {
                            out.push((Read, f.to_string()));
                        }
                    }
                }
                if let Some(v) = value_of(k, a, &["-F", "--form"]) {
                    let value = v.split_once('=').map_or(v.as_str(), |(_, x)| x);
                    if let Some(f) = value.strip_prefix('@').or_else(|| value.strip_prefix('<')) {
                        let f = f.split(';').next().unwrap_or(f);
                        if !f.is_empty() && f != "-" {
                            out.push((Read, f.to_string()));
                        }
                    }
                }
            }
        }
        "wget" => {
            for (k, a) in args.iter().enumerate() {
                if let Some(f) = value_of(k, a, &["--post-file", "--body-file"]) {
                    out.push((Read, f));
                }
            }
        }
        "scp" | "sftp" => {
            let scanned = scan(args, &opts("cFiJlmoPS", &[]), false);
            let operands: Vec<&str> = scanned.operands.iter().map(|&i| args[i]).collect();
            if let Some((dest, sources)) = operands.split_last() {
                let remote = |p: &str| p.split_once(':').is_some_and(|(h, _)| !h.contains('/'));
                for s in sources.iter().filter(|s| !remote(s)) {
                    out.push((Read, s.to_string()));
                }
                if !remote(dest) {
                    out.push((Write, dest.to_string()));
                }
            }
        }
        "grep" | "egrep" | "fgrep" | "rg" => {
            let recursive = args.iter().any(|a| {
                *a == "--recursive"
                    || a.starts_with('-') && !a.starts_with("--") && a.contains(['r', 'R'])
            }) || program == "rg";
            let includes: Vec<String> = args
                .iter()
                .enumerate()
                .filter_map(|(k, a)| value_of(k, a, &["--include", "--glob", "-g"]))
                .filter(|g| !g.starts_with('!'))
                .collect();
            if recursive && !includes.is_empty() {
                let scanned = scan(
                    args,
                    &opts(
                        "efmABCdDg",
                        &["--include", "--exclude", "--glob", "--regexp", "--file"],
                    ),
                    false,
                );
                let dirs: Vec<&str> = scanned.operands.iter().skip(1).map(|&i| args[i]).collect();
                let dirs = if dirs.is_empty() { vec!["."] } else { dirs };
                for d in dirs {
                    for g in &includes {
                        let base = d.trim_end_matches('/');
                        let glob = if base == "." || base.is_empty() {
                            format!("**/{g}")
                        } else {
                            format!("{base}/**/{g}")
                        };
                        out.push((Read, glob));
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// `python -c "open('docs/SSOT/a.md','w')"`, `node -e "fs.rmSync('x')"`: the paths an inline
/// program names in string literals are read, and written or deleted when the code writes or
/// deletes. What the code computes at run time is not seen (see docs/security.md).
fn inline_code(program: &str, args: &[&str]) -> Vec<(EffectKind, String)> {
    let flags: &[&str] = match program {
        p if p.starts_with("python") => &["-c"],
        "node" | "nodejs" | "bun" | "deno" => &["-e", "--eval", "-p", "--print"],
        "ruby" | "perl" => &["-e", "-E"],
        "php" => &["-r"],
        _ => return Vec::new(),
    };
    let Some(code) = args
        .iter()
        .position(|a| flags.contains(a))
        .and_then(|k| args.get(k + 1))
    else {
        return Vec::new();
    };
    let lower = code.to_ascii_lowercase();
    let deletes = [
        "remove", "unlink", "rmtree", "rmsync", "rmdir", "rm(", "delete",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let writes = deletes
        || [
            "write",
            "put_contents",
            "dump(",
            "'w'",
            "\"w\"",
            "'a'",
            "\"a\"",
            "'wb'",
            "\"wb\"",
            "rename",
            "replace",
            "mkdir",
            "touch",
            "copy",
            "move",
            "append",
            "truncate",
            "symlink",
        ]
        .iter()
        .any(|w| lower.contains(w));
    let mut out = Vec::new();
    for literal in string_literals(code) {
        let pathlike = !literal.is_empty()
            && !literal.contains(char::is_whitespace)
            && (literal.contains('/') || literal.starts_with('.') || literal.contains('.'))
            && literal.len() < 4096;
        if !pathlike {
            continue;
        }
        out.push((Read, literal.to_string()));
        if writes {
            out.push((Write, literal.to_string()));
        }
        if deletes {
            out.push((Delete, literal.to_string()));
        }
    }
    out
}

/// The contents of the '…' and "…" string literals of a piece of code (no escapes decoded).
fn string_literals(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(start) = rest.find(['\'', '"']) {
        let quote = rest.as_bytes()[start] as char;
        let body = &rest[start + 1..];
        let Some(end) = body.find(quote) else { break };
        out.push(&body[..end]);
        rest = &body[end + 1..];
    }
    out
}

pub(super) fn git_effects(args: &[&str]) -> Vec<(EffectKind, String)> {
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
    } else if sub == "checkout" && scanned.dashdash.is_none() && operands.len() >= 2 {
        // `git checkout REV PATH…`: with a revision first, the rest are paths it writes.
        effects.extend(operands[1..].iter().map(|p| (Write, (*p).to_owned())));
    }
    effects
        .into_iter()
        .map(|(kind, path)| (kind, join(&dir, &path)))
        .collect()
}

/// Applies a program's rule to its arguments.
pub(super) fn apply(program: &Program, args: &[&str]) -> (Vec<(EffectKind, String)>, Scan) {
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
pub(super) fn transfer(
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
pub(super) struct Wrapper {
    pub(super) name: &'static str,
    pub(super) spec: Spec,
    /// Operands before the command (`timeout DURATION cmd`).
    pub(super) operands: usize,
    /// `NAME=VALUE` arguments before the command set its environment (`env`, `sudo`).
    pub(super) assignments: bool,
    /// Options with which it runs no command (`command -v git`).
    pub(super) not_running: &'static [&'static str],
    /// Options whose value is a file (`xargs -a FILE`).
    pub(super) files: &'static [(&'static str, EffectKind)],
}

pub(super) const W: Wrapper = Wrapper {
    name: "",
    spec: NONE,
    operands: 0,
    assignments: false,
    not_running: &[],
    files: &[],
};

#[rustfmt::skip]
pub(super) const WRAPPERS: &[Wrapper] = &[
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
pub(super) enum Peel {
    /// The program.
    Keep,
    /// A wrapper around the command starting at this word.
    Wrapper(usize),
    /// A runner of the script given in its words (`bash -c`, `eval`, `watch`, `trap`).
    Script(ScriptRun),
}

pub(super) struct ScriptRun {
    /// The words making up the script, joined with spaces.
    pub(super) range: std::ops::Range<usize>,
    pub(super) label: String,
    /// Runs in the current shell (`eval`), so that `cd` carries over.
    pub(super) shared: bool,
}

// ---- Walking the syntax tree ------------------------------------------------------------------

/// Unpacking an archive writes anything under its destination: `tar -x [-C DIR]`,
/// `unzip [-d DIR]` write `DIR/**` (the current folder without one). The archive is read.
fn extraction(program: &str, args: &[&str]) -> Option<Vec<(EffectKind, String)>> {
    let (dest, archive) = match program {
        "tar" | "bsdtar" | "gtar" => {
            // The mode is the first word (`xf`, `-xzf`) or any `-x`/`--extract`/`--get`.
            let first = args.first().copied().unwrap_or("");
            let bundled = !first.starts_with("--") && first.trim_start_matches('-').contains('x');
            let extract = bundled
                || args.iter().any(|a| {
                    *a == "--extract"
                        || *a == "--get"
                        || a.starts_with('-') && !a.starts_with("--") && a.contains('x')
                });
            if !extract {
                return None;
            }
            let scanned = scan(args, &opts("CfbHLT", &["--directory", "--file"]), false);
            let dest = scanned.value(&["-C", "--directory"]).unwrap_or(".");
            (
                dest.to_owned(),
                scanned.value(&["-f", "--file"]).map(str::to_owned),
            )
        }
        "unzip" => {
            let scanned = scan(args, &opts("dx", &[]), false);
            // Listing, testing or printing to standard output unpacks nothing.
            if scanned.has(&["-l", "-t", "-v", "-Z", "-z", "-p"]) {
                return Some(
                    scanned
                        .operands
                        .first()
                        .map(|&i| vec![(Read, args[i].to_owned())])
                        .unwrap_or_default(),
                );
            }
            let dest = scanned.value(&["-d"]).unwrap_or(".");
            let archive = scanned.operands.first().map(|&i| args[i].to_owned());
            (dest.to_owned(), archive)
        }
        _ => return None,
    };
    let under = if dest == "." || dest.is_empty() {
        "**".to_owned()
    } else {
        format!("{}/**", dest.trim_end_matches('/'))
    };
    let mut out = vec![(Write, under)];
    out.extend(archive.map(|a| (Read, a)));
    Some(out)
}
