//! Sentences → tagged tokens: vocabulary phrases become grammar tags, code spans are classified
//! as paths, commands, flags, assignments or teams.

use crate::markdown::Piece;
use crate::vocab::{self, Vocabulary};

/// One token of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The grammar tag (`deny`, `write`, `path`, `cmd`, `w`, …): the vocabulary's or a constant.
    pub tag: &'static str,
    /// The token's content: the code span's text, the noun key, the word.
    pub value: String,
}

/// Lex sentence pieces into tokens.
pub fn lex(pieces: &[Piece]) -> Vec<Token> {
    let v = vocab::get();
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut skip_code = false;
    for p in pieces {
        match p {
            Piece::Text { text, .. } => {
                let mut last = 0;
                for (start, end) in prose_paths(v, text) {
                    words.extend(split_alternatives(
                        v,
                        vocab::split_words(&text[last..start]),
                    ));
                    lex_words(v, std::mem::take(&mut words), &mut out);
                    out.push(Token {
                        tag: "path",
                        value: text[start..end].to_string(),
                    });
                    last = end;
                }
                words.extend(split_alternatives(v, vocab::split_words(&text[last..])));
                skip_code = false;
            }
            Piece::Code { text, .. } => {
                lex_words(v, std::mem::take(&mut words), &mut out);
                if !skip_code {
                    out.push(classify_code(v, text));
                }
                skip_code = false;
            }
            Piece::Link { dest } => {
                lex_words(v, std::mem::take(&mut words), &mut out);
                if let Some(path) = link_path(dest) {
                    out.push(Token {
                        tag: "path".into(),
                        value: path,
                    });
                    skip_code = true;
                }
            }
        }
    }
    lex_words(v, words, &mut out);
    postpositions(&mut out);
    class_verbs(v, &mut out);
    hand_edits(&mut out);
    action_modifiers(&mut out);
    confirm_with(&mut out);
    named_programs(v, &mut out);
    prose_git_commands(&mut out);
    keep_inside(&mut out);
    unless_needed(&mut out);
    kinds_of_code(&mut out);
    examples_under(&mut out);
    out
}

/// "Directories under `public/old/` (e.g., `a20/`, `a21/`)": examples given right after a
/// place, as bare names, are inside it (`public/old/a20/`), not at the root.
fn examples_under(tokens: &mut [Token]) {
    for i in 0..tokens.len() {
        let place = tokens[i].tag == "path"
            && tokens[i].value.ends_with('/')
            && i > 0
            && matches!(
                tokens[i - 1].value.as_str(),
                "under" | "in" | "inside" | "within" | "below"
            );
        if !place || tokens.get(i + 1).is_none_or(|t| t.tag != "lparen") {
            continue;
        }
        let base = tokens[i].value.clone();
        let mut j = i + 2;
        while let Some(t) = tokens.get(j) {
            if t.tag == "rparen" {
                break;
            }
            let bare = t.tag == "path"
                && !t.value.trim_end_matches('/').contains('/')
                && !t.value.starts_with(['.', '*', '~'])
                && !t.value.starts_with(base.as_str());
            if bare {
                tokens[j].value = format!("{base}{}", tokens[j].value);
            }
            j += 1;
        }
    }
}

/// "No `@author` tags": after a code span, *tags* names what kind of thing the span is, not a
/// git tag. "マージ済 migration" (merged migrations): an action word marked done (済) is an
/// adjective.
fn kinds_of_code(tokens: &mut [Token]) {
    for i in 0..tokens.len() {
        let after_code =
            i > 0 && matches!(tokens[i - 1].tag, "code" | "team") && tokens[i].tag == "act_tag";
        let done = tokens[i].tag.starts_with("act_")
            && tokens[i].value.chars().any(|c| !c.is_ascii())
            && tokens.get(i + 1).is_some_and(|n| n.value == "済");
        if after_code || done {
            tokens[i].tag = "w";
        }
    }
}

/// "Don't add new dependencies unless strictly required", "unless necessary": the need is the
/// agent's to argue and a person's to grant, so the exception reads as an approval.
fn unless_needed(tokens: &mut [Token]) {
    for i in 0..tokens.len() {
        if tokens[i].tag != "unless" {
            continue;
        }
        let mut j = i + 1;
        while tokens.get(j).is_some_and(|t| {
            matches!(
                t.value.as_str(),
                "strictly" | "absolutely" | "really" | "truly"
            )
        }) {
            j += 1;
        }
        let Some(t) = tokens.get(j) else { continue };
        let need = |v: &str| {
            matches!(
                v,
                "necessary" | "required" | "needed" | "essential" | "unavoidable" | "justified"
                    // Portuguese and Spanish: "a menos que necessários e justificados"
                    | "necessário" | "necessária" | "necessários" | "necessárias" | "justificado"
                    | "justificada" | "justificados" | "justificadas" | "necesario" | "necesaria"
                    | "necesarios" | "necesarias" | "imprescindible" | "imprescindível"
            )
        };
        if !need(t.value.as_str()) {
            continue;
        }
        // "necessary and justified": both words are the need.
        let mut end = j;
        if tokens.get(j + 1).is_some_and(|n| n.tag == "and")
            && tokens.get(j + 2).is_some_and(|n| need(n.value.as_str()))
        {
            end = j + 2;
        }
        let ends = tokens
            .get(end + 1)
            .is_none_or(|n| matches!(n.tag, "stop" | "semi" | "comma" | "rparen" | "dash"));
        if ends {
            tokens[j].tag = "approval";
            if end > j {
                tokens[end].tag = "approval";
            }
        }
    }
}

/// "Keep edits inside the repo root unless approved", "Stay within the project": writes outside
/// the repository are what the sentence rules out.
fn keep_inside(tokens: &mut Vec<Token>) {
    let Some(at) = tokens.iter().position(|t| {
        t.tag == "w"
            && (t.value.starts_with("inside the ") || t.value.starts_with("within "))
            && ["repo", "repository", "project", "workspace"]
                .iter()
                .any(|w| t.value.contains(w))
    }) else {
        return;
    };
    let Some(keep) = tokens[..at]
        .iter()
        .rposition(|t| matches!(t.value.as_str(), "keep" | "stay" | "remain" | "work"))
        .filter(|k| at - k <= 3)
    else {
        return;
    };
    if tokens[..keep]
        .iter()
        .any(|t| matches!(t.tag, "deny" | "avoid" | "may"))
    {
        return;
    }
    tokens[at] = Token {
        tag: "noun",
        value: "outside the repository".into(),
    };
    // What is kept inside (edits, changes, files) is what may not go outside.
    tokens.drain(keep + 1..at);
    tokens[keep] = Token {
        tag: "write",
        value: "edit".into(),
    };
    tokens.insert(
        keep,
        Token {
            tag: "deny",
            value: "do not".into(),
        },
    );
}

/// "The CD command", "the `godot` binary", "the gh CLI": a word named as a command is a program.
fn named_programs(v: &Vocabulary, tokens: &mut [Token]) {
    const SHELL: &[&str] = &[
        "cd", "grep", "head", "tail", "sed", "awk", "find", "ls", "cat", "tee", "xargs", "rm",
        "mv", "cp", "chmod", "kill", "sleep",
    ];
    for i in 0..tokens.len().saturating_sub(1) {
        let named = matches!(
            tokens[i + 1].value.as_str(),
            "command" | "binary" | "executable" | "cli"
        );
        let w = tokens[i].value.as_str();
        if named
            && tokens[i].tag == "w"
            && (SHELL.contains(&w) || v.known_programs.iter().any(|p| p == w))
        {
            tokens[i].tag = "prog";
        }
    }
}

/// "Always check git status before commits", "run git diff first": git and a read-only
/// subcommand written in prose are that command; "check" before a command runs it.
fn prose_git_commands(tokens: &mut Vec<Token>) {
    const SUBS: &[&str] = &["status", "diff", "log", "fetch", "show"];
    let mut i = 0;
    while i + 1 < tokens.len() {
        if tokens[i].tag == "prog"
            && tokens[i].value == "git"
            && tokens[i + 1].tag == "w"
            && SUBS.contains(&tokens[i + 1].value.as_str())
        {
            let value = format!("git {}", tokens[i + 1].value);
            tokens[i] = Token { tag: "cmd", value };
            tokens.remove(i + 1);
            if i > 0 && tokens[i - 1].tag == "w" && tokens[i - 1].value == "check" {
                tokens[i - 1].tag = "run";
            }
        }
        i += 1;
    }
}

/// "Confirm test cases with the user before …", "discuss the design with a maintainer first":
/// agreeing something with a person before acting is asking.
fn confirm_with(tokens: &mut [Token]) {
    const PEOPLE: &[&str] = &[
        "user",
        "users",
        "human",
        "humans",
        "maintainer",
        "maintainers",
        "owner",
        "owners",
        "lead",
        "reviewer",
        "reviewers",
        "team",
        "operator",
    ];
    for i in 0..tokens.len() {
        let verb = matches!(
            tokens[i].value.as_str(),
            "confirm" | "discuss" | "agree" | "clarify"
        ) && matches!(tokens[i].tag, "approval" | "w");
        if !verb {
            continue;
        }
        let with = tokens[i + 1..]
            .iter()
            .take(6)
            .position(|t| t.value == "with")
            .map(|p| i + 1 + p);
        let person = with.is_some_and(|w| {
            tokens[w + 1..]
                .iter()
                .take(3)
                .any(|t| PEOPLE.contains(&t.value.as_str()))
        });
        if person {
            tokens[i].tag = "ask";
        }
    }
}

/// Nouns an action word can modify: "PR workflows", "the PR template", "commit conventions",
/// "branch protection" name a process or a file, not the action itself.
const MODIFIED: &[&str] = &[
    "template",
    "templates",
    "workflow",
    "workflows",
    "convention",
    "conventions",
    "process",
    "processes",
    "guideline",
    "guidelines",
    "policy",
    "policies",
    "checklist",
    "checklists",
    "protection",
    "protections",
    "rules",
    "naming",
    "strategy",
    "format",
    "style",
    "hygiene",
    "etiquette",
    "history",
    "hook",
    "hooks",
    "bot",
    "bots",
    "automation",
    "pipeline",
    "pipelines",
    "permissions",
    "settings",
];

const MODIFIED_CJK: &[&str] = &[
    "脚本", "流程", "模板", "规范", "規範", "配置", "策略", "说明", "説明", "记录", "記録",
];

fn action_modifiers(tokens: &mut [Token]) {
    for i in 0..tokens.len().saturating_sub(1) {
        let act = matches!(
            tokens[i].tag,
            "act_pull_request"
                | "act_commit"
                | "act_issue"
                | "act_branch"
                | "act_push"
                | "act_merge"
                | "act_tag"
                | "act_publish"
                | "act_deploy"
        );
        if act
            && matches!(tokens[i + 1].tag, "w" | "noun")
            && MODIFIED.contains(&tokens[i + 1].value.as_str())
        {
            tokens[i].tag = "w";
        }
        // Chinese and Japanese, one character a token: 发布脚本 ("release scripts"), 提交规范.
        let pair = tokens
            .get(i + 2)
            .map(|t| format!("{}{}", tokens[i + 1].value, t.value))
            .unwrap_or_default();
        if act && MODIFIED_CJK.contains(&pair.as_str()) {
            tokens[i].tag = "w";
        }
    }
}

/// "hand-edit" is a manner and a verb at once: "never hand-edit `x`" reads as "never manually
/// edit `x`".
fn hand_edits(tokens: &mut Vec<Token>) {
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].tag == "manually"
            && matches!(tokens[i].value.as_str(), "hand-edit" | "hand edit")
            && !tokens.get(i + 1).is_some_and(|n| n.tag == "write")
        {
            tokens.insert(
                i + 1,
                Token {
                    tag: "write",
                    value: "edit".into(),
                },
            );
            i += 1;
        }
        i += 1;
    }
}

/// Words that may follow a verb naming a class of commands: what it acts on, said without
/// narrowing ("Lint your code", "Format all changes", "Test locally").
const CLASS_VERB_OBJECTS: &[&str] = &[
    "your",
    "the",
    "all",
    "any",
    "every",
    "everything",
    "it",
    "them",
    "changes",
    "change",
    "locally",
    "code",
    "project",
    "app",
    "application",
    "repo",
    "repository",
    "workspace",
    "again",
    "first",
    "thoroughly",
    "with",
    "using",
    "via",
    "before",
    "after",
    "everything",
    "frontend",
    "backend",
    "and",
    "or",
    "then",
    "each",
    "modified",
    "changed",
    "edited",
];

/// What follows a verb naming a class of commands at `i` says it is one: nothing, a condition,
/// a break, a neutral object ("your code"), or another such verb joined to it whose own object
/// is one ("Lint and test your code", not "Build or test configuration").
fn class_verb_object(v: &Vocabulary, tokens: &[Token], i: usize) -> bool {
    let Some(n) = tokens.get(i + 1) else {
        return true;
    };
    let listed = tokens
        .get(i + 2)
        .is_some_and(|m| m.tag == "w" && v.class_verbs.contains_key(m.value.as_str()));
    if matches!(n.tag, "and" | "or" | "comma") && listed {
        return class_verb_object(v, tokens, i + 2);
    }
    matches!(
        n.tag,
        "before"
            | "after"
            | "when"
            | "stop"
            | "semi"
            | "colon"
            | "this"
            | "lparen"
            | "dash"
            | "path"
            | "cmd"
            | "files"
    ) || n.tag == "comma"
        && tokens
            .get(i + 2)
            .is_none_or(|m| matches!(m.tag, "before" | "after" | "when" | "must" | "deny"))
        || n.tag == "noun" && n.value == "code"
        || n.tag == "w" && CLASS_VERB_OBJECTS.contains(&n.value.as_str())
}

/// "Lint your code before committing", "Always format before pushing", "Verify that the app
/// builds": a verb that names a class of commands (`[class_verbs]`) where an instruction's verb
/// stands is read as running that class — `run` followed by the class's noun. Elsewhere the
/// word stays a word ("Test files go in `tests/`", "the commit message format").
fn class_verbs(v: &Vocabulary, tokens: &mut Vec<Token>) {
    let mut i = 0;
    while i < tokens.len() {
        let Some(noun) = matches!(tokens[i].tag, "w" | "noun")
            .then(|| v.class_verbs.get(tokens[i].value.as_str()))
            .flatten()
        else {
            i += 1;
            continue;
        };
        let word = tokens[i].value.as_str();
        let third = word.ends_with('s');
        let opens = |k: usize| -> bool {
            // What stands before: the start, a break, a modal, a joint or a politeness word.
            let mut k = k;
            loop {
                if k == 0 {
                    return true;
                }
                let p = &tokens[k - 1];
                match p.tag {
                    "colon" | "semi" | "stop" | "dash" | "must" | "should" | "deny" | "avoid"
                    | "lparen" => return true,
                    // "Lint, format and test your code": a list of such verbs.
                    "and" | "comma" => {
                        return k >= 2
                            && tokens[k - 2].tag == "noun"
                            && v.class_verbs.values().any(|n| *n == tokens[k - 2].value)
                    }
                    "w" if matches!(p.value.as_str(), "please" | "then" | "also" | "always") => {
                        k -= 1
                    }
                    "agents" | "also" => k -= 1,
                    _ => return false,
                }
            }
        };
        let said_of = || -> bool {
            // "the app builds", "the code compiles": a short neutral subject after an order
            // to verify ("verify that", "make sure", "ensure").
            let mut k = i;
            let mut n = 0;
            while k > 0 && n < 4 {
                let p = &tokens[k - 1];
                if p.tag == "must" {
                    return n > 0;
                }
                let neutral = p.tag == "noun"
                    && matches!(
                        p.value.as_str(),
                        "code" | "the app" | "the application" | "the web app" | "the server"
                    )
                    || p.tag == "w"
                        && (matches!(
                            p.value.as_str(),
                            "that"
                                | "app"
                                | "application"
                                | "project"
                                | "everything"
                                | "it"
                                | "frontend"
                                | "backend"
                                | "site"
                        ) || v.words.neutral(&p.value));
                if !neutral {
                    return false;
                }
                k -= 1;
                n += 1;
            }
            false
        };
        let object_ok = class_verb_object(v, tokens, i);
        let verb_place = if third { said_of() } else { opens(i) };
        if !(verb_place && object_ok) {
            i += 1;
            continue;
        }
        let noun = noun.clone();
        tokens[i].tag = "run";
        tokens.insert(
            i + 1,
            Token {
                tag: "noun",
                value: noun,
            },
        );
        i += 2;
    }
}

/// File names written in prose without backticks: byte ranges in `text` of words that are a
/// dotfile (`.env`), a name with a file extension (`setup.py`, `Cargo.toml`) or a relative path
/// ending in one or in `/` (`src/lib.rs`, `docs/`). Framework names ("Node.js") are not files.
fn prose_paths(v: &Vocabulary, text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    for raw in text.split_whitespace() {
        let start = at + text[at..].find(raw).unwrap_or(0);
        at = start + raw.len();
        let lead = raw.len()
            - raw
                .trim_start_matches(['(', '[', '"', '\'', '*', '_'])
                .len();
        let core =
            raw[lead..].trim_end_matches(['.', ',', ';', ':', ')', ']', '"', '\'', '*', '!', '?']);
        if !core.is_empty() && prose_path(v, core) {
            out.push((start + lead, start + lead + core.len()));
        }
    }
    out
}

fn prose_path(v: &Vocabulary, w: &str) -> bool {
    let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*');
    if w.contains("://") || w.starts_with(['/', '-']) || w.contains("..") {
        return false;
    }
    let segments: Vec<&str> = w.trim_end_matches('/').split('/').collect();
    if segments
        .iter()
        .any(|s| s.is_empty() || !s.chars().all(name_char))
    {
        return false;
    }
    let last = segments[segments.len() - 1];
    let dotfile = last.len() > 2
        && last.starts_with('.')
        && last[1..].starts_with(|c: char| c.is_ascii_lowercase())
        && last[1..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    let ext = last.rsplit_once('.').filter(|(stem, ext)| {
        !stem.is_empty()
            && !stem.chars().all(|c| c.is_ascii_digit() || c == '.')
            && v.prose_extensions.contains(*ext)
    });
    let framework = ext.is_some_and(|(stem, e)| {
        e == "js"
            && segments.len() == 1
            && (stem.starts_with(|c: char| c.is_ascii_uppercase())
                || v.prose_frameworks.contains(&stem.to_ascii_lowercase()))
    });
    let folder = w.ends_with('/') && !last.contains('*');
    dotfile || ext.is_some() && !framework || folder
}

/// "stash/revert", "main/master", "create/edit": words joined by a slash are alternatives.
/// A path-like word (`src/x`, with dots or digits) stays whole.
fn split_alternatives(v: &Vocabulary, words: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    for w in words {
        let parts: Vec<&str> = w.split('/').collect();
        // "before/after snapshots", "pre/post": a pair of times describing a noun, not a
        // condition.
        let times = |p: &str| {
            matches!(
                p.to_lowercase().as_str(),
                "before" | "after" | "pre" | "post"
            )
        };
        if parts.len() == 2 && parts.iter().all(|p| times(p)) {
            out.push(w);
            continue;
        }
        let alternatives = (2..=4).contains(&parts.len())
            && v.longest(std::slice::from_ref(&w), 0).is_none()
            && parts
                .iter()
                .all(|p| p.len() >= 2 && p.chars().all(|c| c.is_alphabetic() || c == '-'));
        if !alternatives {
            out.push(w);
            continue;
        }
        for (k, p) in parts.iter().enumerate() {
            if k > 0 {
                out.push("/".to_string());
            }
            out.push(p.to_string());
        }
    }
    out
}

/// Chinese and Japanese put "before"/"after"/"when" behind what they govern (`提交前`,
/// "commit-before"; `代码变更后`, "code-change-after"): move the postposition to the start of
/// its stretch (back to a comma, colon, stop or modal) so one grammar serves both orders.
fn postpositions(tokens: &mut [Token]) {
    for i in 1..tokens.len() {
        let cjk = tokens[i].value.chars().next().is_some_and(vocab::is_cjk);
        if !cjk || !matches!(tokens[i].tag, "before" | "after" | "when") {
            continue;
        }
        // A postposition follows what it governs; a preposition (`当`, `如果`) stays.
        if tokens[i].tag == "when"
            && !matches!(
                tokens[i].value.as_str(),
                "时" | "時" | "とき" | "場合" | "た ら"
            )
        {
            continue;
        }
        let start = tokens[..i]
            .iter()
            .rposition(|t| {
                matches!(
                    t.tag,
                    "comma" | "colon" | "semi" | "stop" | "deny" | "must" | "should"
                ) || !t.value.chars().any(vocab::is_cjk) && t.tag == "w"
            })
            .map_or(0, |p| p + 1);
        if start < i {
            tokens[start..=i].rotate_right(1);
            // "每次…后" is "each time after …": the postposition says it all.
            if tokens.get(start + 1).is_some_and(|t| {
                t.tag == "when" && t.value.chars().next().is_some_and(vocab::is_cjk)
            }) {
                tokens[start + 1].tag = "w";
            }
        }
    }
}

/// A repository path from a relative link target.
fn link_path(dest: &str) -> Option<String> {
    if dest.contains("://")
        || dest.starts_with('#')
        || dest.starts_with("mailto:")
        || dest.is_empty()
    {
        return None;
    }
    let d = dest.split('#').next().unwrap_or(dest);
    let d = d.trim_start_matches("./").trim_start_matches('/');
    (!d.is_empty() && !d.starts_with("..")).then(|| d.to_string())
}

fn lex_words(v: &'static Vocabulary, mut words: Vec<String>, out: &mut Vec<Token>) {
    let mut i = 0;
    while i < words.len() {
        if let Some((n, m)) = v.longest(&words, i) {
            // Nouns and environments carry their vocabulary key; everything else its words.
            let value = if m.value.is_empty() || m.tag.starts_with("act_") {
                words[i..i + n].join(" ")
            } else {
                m.value.clone()
            };
            out.push(Token {
                tag: m.tag.as_str(),
                value,
            });
            i += n;
            continue;
        }
        let w = &words[i];
        let tag: &'static str = match w.as_str() {
            "," | "，" | "、" => "comma",
            ";" | "；" => "semi",
            ":" | "：" => "colon",
            "(" | "（" => "lparen",
            ")" | "）" => "rparen",
            "—" | "–" | "-" => "dash",
            "!" | "?" | "。" => "stop",
            "&" => "and",
            "/" => "or",
            _ if w.chars().all(|c| c.is_ascii_digit()) => "num",
            _ if w.starts_with('@') && w.len() > 1 => "team",
            // `--release` written without backticks is still a flag.
            _ if w.starts_with("--") && w[2..].starts_with(|c: char| c.is_ascii_alphabetic()) => {
                "flag"
            }
            _ if v.prose_programs.iter().any(|p| p == w) => "prog",
            _ => "w",
        };
        // Words before `i` are never looked at again: the word moves into its token.
        out.push(Token {
            tag,
            value: std::mem::take(&mut words[i]),
        });
        i += 1;
    }
}

/// Classify a code span.
pub fn classify_code(v: &Vocabulary, text: &str) -> Token {
    let s = text.trim();
    let tag = code_tag(v, s);
    Token {
        tag: tag.into(),
        value: s.to_string(),
    }
}

fn code_tag(v: &Vocabulary, s: &str) -> &'static str {
    if s.is_empty() {
        return "code";
    }
    if s == "&" {
        return "bg";
    }
    // A comment or markup, not something to run: `# zizmor: ignore[rule]`, `<!-- X -->`,
    // `//nolint`, `// @ts-ignore`.
    if s.starts_with(['#', '<']) && s.len() > 1 || s.starts_with("//") {
        return "code";
    }
    let first = s.split_whitespace().next().unwrap_or("");
    if s.starts_with('-')
        && s.chars().any(|c| c.is_alphanumeric())
        && s.len() > 1
        && s[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '-')
    {
        return if s.contains(' ') && !first.contains('=') {
            "cmd"
        } else {
            "flag"
        };
    }
    if is_assignment(first) && !s.contains(' ') {
        return "envset";
    }
    if s.starts_with('@') && !s.contains(['/', ' ']) {
        return "team";
    }
    // An MCP tool's name (`mcp__github__create_issue`, `mcp__claude-in-chrome__*`): a tool an
    // agent calls, not a file.
    if s.starts_with("mcp__") {
        return "code";
    }
    if s.contains(char::is_whitespace) {
        if first.contains('/')
            && !v.known_programs.iter().any(|p| p == first)
            && !first.starts_with("./")
        {
            // `docs/a.md docs/b.md` or a path with a space
            if s.split_whitespace()
                .all(|w| w.contains('/') || w.contains('.'))
            {
                return "path";
            }
        }
        // A call (`requirePermission(role, resource, action)`, `t('key', opts)`): code, not a
        // command — the name runs straight into its parenthesis.
        let call = first.split_once('(').is_some_and(|(name, _)| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '$'))
        }) && s.ends_with(')');
        // A program's name starts with a letter, digit, `.`, `/`, `~` or `_`: `(a, b)`,
        // `*, new_param: str = "default"`, `[x, y]` are code.
        let program_like = first
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '/' | '~' | '_' | '$'));
        // A piece of a pipeline (`echo y |`, `| tail -n 20`, `make &&`): what it runs depends
        // on the rest, which is not written.
        // (`<lang>` in `just gen-grammar <lang>` is a placeholder, not a redirection.)
        let last = s.split_whitespace().next_back().unwrap_or("");
        let piece = ["|", "&&", "||", ";", ">", "<", "\\"].contains(&last)
            || s.ends_with('|')
            || s.starts_with('|')
            || s.starts_with("&&");
        // A statement of a programming language (`import x from 'y'`, `from a import b`,
        // `const x = …`, `def f`): code, not a command.
        // A reStructuredText directive (`.. warning::`).
        let directive = first == ".." || s.ends_with("::");
        let keyword = directive
            || matches!(
                first,
                "import"
                    | "export"
                    | "const"
                    | "let"
                    | "var"
                    | "def"
                    | "class"
                    | "function"
                    | "return"
                    | "fn"
                    | "pub"
                    | "struct"
                    | "enum"
                    | "interface"
                    | "impl"
                    | "async"
                    | "await"
                    | "lambda"
                    | "package"
                    | "namespace"
                    | "public"
                    | "private"
                    | "static"
                    | "void"
                    | "#include"
                    | "using"
            ) && !(first == "export"
                && s.split_whitespace().nth(1).is_some_and(|w| w.contains('=')))
            || first == "from" && s.split_whitespace().any(|w| w == "import");
        // Prose in backticks (`Support nested field paths in native index creation`, a title
        // given as an example): a capitalised word, then plain words.
        let words: Vec<&str> = s.split_whitespace().collect();
        let prose = words.len() >= 3
            && first.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && first.chars().skip(1).all(|c| c.is_ascii_lowercase())
            && !v
                .known_programs
                .iter()
                .any(|p| p.eq_ignore_ascii_case(first))
            && words[1..].iter().all(|w| {
                w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, ',' | '\'' | '.'))
            });
        if call
            || piece
            || prose
            || keyword
            || !program_like
            || first.ends_with(':')
            || s.contains("=>")
            || s.contains("{") && !first.chars().all(char::is_alphanumeric)
        {
            return "code";
        }
        return "cmd";
    }
    if v.known_programs.iter().any(|p| p == s) {
        return "cmd";
    }
    // `./vendor/bin/pint`, `bin/rails`: an executable run by its path.
    if s.starts_with("./") && !s.ends_with('/') && !s.contains('*')
        || (s.starts_with("bin/") || s.contains("/bin/")) && !s.ends_with('/') && !has_extension(s)
    {
        return "cmd";
    }
    if s.contains('(')
        || s.contains('{')
        || s.starts_with('$')
        || s.contains("::")
        || s.contains('"')
        || s.contains('=')
    {
        return "code";
    }
    if !s.chars().any(|c| c.is_alphanumeric() || c == '*') {
        return "code";
    }
    if s.contains('/')
        || s.contains('*')
        || s.starts_with('.')
        || has_extension(s)
        || is_well_known_file(s)
    {
        return "path";
    }
    "code"
}

fn is_assignment(w: &str) -> bool {
    let Some((name, _)) = w.split_once('=') else {
        return false;
    };
    !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.chars().any(|c| c.is_ascii_uppercase())
}

fn has_extension(s: &str) -> bool {
    match s.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty()
                && (1..=10).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
                && ext.chars().any(|c| c.is_ascii_alphabetic())
                && !stem.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

fn is_well_known_file(s: &str) -> bool {
    const FILES: &[&str] = &[
        "Makefile",
        "Dockerfile",
        "Jenkinsfile",
        "LICENSE",
        "CODEOWNERS",
        "Justfile",
        "justfile",
        "Gemfile",
        "Procfile",
        "Rakefile",
        "Vagrantfile",
        "Brewfile",
        "VERSION",
        "CHANGELOG",
        "README",
        "NOTICE",
        "AUTHORS",
        "CONTRIBUTORS",
        "OWNERS",
        "MAINTAINERS",
        "COPYING",
    ];
    FILES.contains(&s)
}

/// The tokens' tags as the string the pest grammar parses: tags separated by single spaces.
pub fn tag_string(tokens: &[Token]) -> String {
    let mut s = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&t.tag);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(text: &str) -> String {
        let segs = crate::markdown::segments(text);
        tag_string(&lex(&segs[0].pieces))
    }

    #[test]
    fn classifies_code_spans() {
        let v = vocab::get();
        assert_eq!(classify_code(v, "docs/SSOT/**").tag, "path");
        assert_eq!(classify_code(v, "AGENTS.md").tag, "path");
        assert_eq!(classify_code(v, "cargo test").tag, "cmd");
        assert_eq!(classify_code(v, "--no-verify").tag, "flag");
        assert_eq!(classify_code(v, "-w").tag, "flag");
        assert_eq!(classify_code(v, "CI=1").tag, "envset");
        assert_eq!(classify_code(v, "@security").tag, "team");
        assert_eq!(classify_code(v, "invoke()").tag, "code");
        assert_eq!(classify_code(v, ".env").tag, "path");
        assert_eq!(classify_code(v, "pip").tag, "cmd");
        assert_eq!(
            classify_code(v, "requirePermission(role, resource, action)").tag,
            "code"
        );
        assert_eq!(classify_code(v, "t('key', opts)").tag, "code");
        assert_eq!(classify_code(v, "echo $(date)").tag, "cmd");
        assert_eq!(
            classify_code(v, "(nodes.ClassDef, bases.Instance)").tag,
            "code"
        );
        assert_eq!(
            classify_code(v, "*, new_param: str = \"default\"").tag,
            "code"
        );
    }

    #[test]
    fn lexes_prose() {
        assert_eq!(
            tags("Agents MUST NOT modify `docs/SSOT/**` or `AGENTS.md`."),
            "agents deny write path or path"
        );
        assert_eq!(tags("Never force push."), "deny act_force_push");
        assert_eq!(
            tags("Run `cargo test` before committing."),
            "run cmd before act_commit"
        );
    }
}
