//! How much of a clause is understood: a sentence is enforced only as far as it is understood.
//!
//! A clause is read as a frame: a subject, a modal, conjuncts (a verb or an action with its
//! objects), conditions and exceptions. Every word must be accounted for: a vocabulary tag, a
//! target (path, command, flag, …) or a neutral word (`[words]` in the vocabulary). A word left
//! over is one agentgate does not understand, and where it stands decides what it costs:
//!
//! - in a condition, an exception or the subject: the whole clause is advisory, since applying
//!   it without that part would apply it more widely than written;
//! - beside the object of a prohibition (an adjective before it, a relative clause after it):
//!   that object is dropped, and its verb with it when no object is left, since enforcing
//!   "never commit" for "never commit binaries" would forbid more than the sentence does;
//! - beside the object of an obligation: nothing, since a wider object only makes the obligation
//!   easier to meet — unless the word leaves it to judgment ("read the relevant guide");
//! - after a boundary (", since …", " - this runs …", "to avoid …"): nothing; it is a reason.
//!
//! Dropping a whole item from a list only narrows a rule, so the items understood stay enforced.

use super::*;

/// What the completeness check found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Reading {
    /// Token indices of `main` that name parts not understood: they are read as plain words.
    pub drop: Vec<usize>,
    /// Targets after a prohibition's object, in its reason ("… then edit `index.html`"): never
    /// its object, so read as plain words in every reading of the clause.
    pub mute: Vec<usize>,
    /// Nothing of the clause can be enforced: a condition, exception or subject is not understood.
    pub whole: bool,
    /// Why, naming the words not understood.
    pub reason: Option<String>,
}

impl Reading {
    fn not_understood(&mut self, part: &str, words: &[String]) {
        if self.reason.is_none() {
            self.reason = Some(format!(
                "{part} names {}, which agentgate cannot observe",
                quote_words(words)
            ));
        }
    }
}

fn quote_words(words: &[String]) -> String {
    let mut w: Vec<&str> = words.iter().map(String::as_str).collect();
    w.dedup();
    let shown: Vec<String> = w.iter().take(4).map(|w| format!("\"{w}\"")).collect();
    shown.join(", ")
}

/// A word agentgate does not understand: a plain word that is neither a vocabulary tag nor
/// neutral. Chinese and Japanese are split per character: a character outside every phrase is
/// unknown unless it is a particle or a neutral character (`[words] cjk_function`).
pub fn unknown(tokens: &[Token], i: usize) -> bool {
    let t = &tokens[i];
    if t.tag != "w" {
        return false;
    }
    let v = t.value.as_str();
    let words = &vocab::get().words;
    // A Chinese or Japanese character outside every phrase: known only when it narrows nothing.
    if v.chars().any(vocab::is_cjk) {
        return !v.chars().all(|c| {
            vocab::is_hiragana(c)
                || words.cjk_function.contains(&c)
                || !c.is_alphabetic()
                || matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF)
        });
    }
    if !v.chars().any(|c| c.is_alphabetic()) {
        return false;
    }
    // "when you work in this repo" (one vocabulary phrase) narrows nothing.
    if words.neutral(v) || v.starts_with("when ") {
        return false;
    }
    // Plural or possessive of a neutral word ("files'", "repo's").
    let stem = v.trim_end_matches("'s").trim_end_matches('\'');
    !(words.neutral(stem) || stem.len() > 3 && words.neutral(stem.trim_end_matches('s')))
}

fn value<'a>(tokens: &'a [Token], i: usize) -> &'a str {
    tokens[i].value.as_str()
}

/// Tags that head an object: what a verb can act on.
fn head(tag: &str) -> bool {
    TARGETS.contains(&tag)
        || tag.starts_with("act_")
        || matches!(tag, "environment" | "this" | "files")
}

/// Actions that are verbs ("commit", "push"), as opposed to the noun-like ones ("pull request",
/// "dependencies") that are objects of other verbs.
fn verb_action(tag: &str) -> bool {
    matches!(
        tag,
        "act_commit"
            | "act_push"
            | "act_force_push"
            | "act_amend"
            | "act_rebase"
            | "act_skip_hooks"
            | "act_merge"
            | "act_revert"
            | "act_rewrite_history"
            | "act_deploy"
            | "act_publish"
            | "act_switch_branch"
            | "act_discard"
            | "act_stash"
            | "act_edit_pull_request"
    )
}

fn verb(tag: &str) -> bool {
    VERBS.contains(&tag) || verb_action(tag)
}

/// Verbs that change files: what makes a condition about changes.
fn change_verb(tag: &str) -> bool {
    matches!(tag, "write" | "create" | "delete" | "move" | "changes_to")
}

/// Plain words that open an instruction of their own in a list ("…, follow naming conventions").
const IMPERATIVES: &[&str] = &[
    "follow", "keep", "prefer", "document", "respect", "stick", "maintain", "leave", "mention",
    "describe", "explain", "write", "add", "update", "avoid", "ensure", "make", "check", "verify",
];

/// Verbs of purpose after "to" once the object is complete: "… `--force` to bypass the prompt".
const PURPOSE: &[&str] = &[
    "avoid",
    "prevent",
    "keep",
    "get",
    "fix",
    "check",
    "see",
    "debug",
    "speed",
    "save",
    "handle",
    "force",
    "skip",
    "work",
    "disable",
    "override",
    "silence",
    "suppress",
    "satisfy",
    "make",
    "reproduce",
    "test",
    "verify",
    "confirm",
    "find",
    "resolve",
    "catch",
    "match",
    "follow",
];

/// What a clause asks for: obligations are met more easily by a wider object, prohibitions
/// forbid more with one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Prohibition,
    Obligation,
}

/// Read a clause. `modal_at` is the position in `c.main` of its modal (or of the verb that opens
/// an imperative), when it has one.
pub(super) fn read(tokens: &[Token], c: &Clause, modal_at: Option<usize>, kind: Kind) -> Reading {
    let mut r = Reading::default();
    conditions(tokens, c, &mut r);
    let main = &c.main;
    let Some(m) = modal_at else {
        return r;
    };
    subject(tokens, &main[..m], &mut r);
    // "The skill …. It must never push": a pronoun acting points at something described
    // before, not at the agent ("It must never be committed" is a passive about a thing).
    // ("…, so it never mutates your `.venv`": the pronoun after a boundary, and a verb not
    // understood, too.)
    let pre = speaker(tokens, &main[..m]);
    let pronoun = pre.len() == 1
        && tag(tokens, pre[0]) == "this"
        && matches!(
            value(tokens, pre[0]),
            "it" | "this" | "they" | "these" | "those"
        );
    let acts = |i: &usize| verb(tag(tokens, *i)) || unknown(tokens, *i);
    if pronoun && main.get(m + 1).is_some_and(acts) {
        r.whole = true;
        r.reason = Some(format!(
            "its subject (\"{}\") is not the agent",
            value(tokens, pre[0])
        ));
        return r;
    }
    labelled_condition(tokens, c, m, &mut r);
    exceptions(tokens, c, m, &mut r);
    // "DO NOT create a Pull Request unless there is an existing … Issue": an exception left in
    // the clause, not read as a condition, names what agentgate cannot see.
    // ("Never commit unless the tests pass" does not forbid every commit; an exception read as
    // asking for approval makes the clause a gate instead.)
    if let Some(u) = main.iter().position(|i| tag(tokens, *i) == "unless") {
        if !c.gate {
            let words: Vec<String> = main[u + 1..]
                .iter()
                .map(|i| tokens[*i].value.clone())
                .collect();
            r.whole = true;
            r.not_understood("its exception", &words);
        }
    }
    // "you MUST either test them with unit tests OR submit the changes to … CI": an obligation
    // met by an alternative agentgate cannot see is not one it can hold the plan to.
    if kind == Kind::Obligation && !r.whole {
        if let Some(e) = main.iter().position(|i| value(tokens, *i) == "either") {
            let alternative: Vec<String> = main[e..]
                .iter()
                .rposition(|i| tag(tokens, *i) == "or")
                .map(|o| {
                    main[e + o + 1..]
                        .iter()
                        .filter(|i| unknown(tokens, **i))
                        .map(|i| tokens[*i].value.clone())
                        .collect()
                })
                .unwrap_or_default();
            if !alternative.is_empty() {
                r.whole = true;
                r.not_understood("its alternative", &alternative);
            }
        }
    }
    // "スキルを参照せずに … 編集しない": in Japanese a condition or exception (ずに, なら, 以外)
    // follows what it governs, inside the clause; it is not read, so the clause is advice.
    if !r.whole {
        let marker = main.iter().find(|i| {
            matches!(tag(tokens, **i), "without" | "when" | "except" | "unless")
                && tokens[**i].value.chars().any(vocab::is_cjk)
        });
        if let Some(i) = marker {
            r.whole = true;
            r.reason = Some(format!(
                "its condition (\"{}\") is not understood",
                tokens[*i].value.replace(' ', "")
            ));
        }
    }
    if r.whole {
        return r;
    }
    // Examples: "like `x`", or an aside that gives them ("(for example history rewrites)").
    let aside_examples = c
        .aside
        .iter()
        .position(|i| tag(tokens, *i) == "like")
        .is_some_and(|k| c.aside[k + 1..].iter().any(|i| head(tag(tokens, *i))));
    let has_examples = c.examples.iter().any(|i| head(tag(tokens, *i))) || aside_examples;
    // An aside that is only a list of targets names the alternatives: "(`a`, `b`, or `c`)".
    let listed = c.aside.iter().any(|i| head(tag(tokens, *i)))
        && c.aside.iter().all(|i| {
            head(tag(tokens, *i))
                || matches!(
                    tag(tokens, *i),
                    "comma" | "or" | "and" | "lparen" | "rparen"
                )
                || !unknown(tokens, *i)
        });
    let has_alternatives = has_examples || listed;
    // "Do NOT run destructive commands (`rm -rf`, `DROP TABLE`, etc.)": under a prohibition, the
    // targets listed in an aside are what it forbids, whatever the words before them.
    let has_examples = has_examples || kind == Kind::Prohibition && listed;
    objects(
        tokens,
        &main[m..],
        kind,
        has_examples,
        has_alternatives,
        &mut r,
    );
    r
}

/// A condition is understood when each of its words is: "before committing", "after changing
/// `src/**`". Words that say what changed ("after changing lint rules", "when backend code is
/// touched") are left to the reading of changes (folders the document names, or source files
/// named by the words); words naming a part of a file ("CLI options in `cli.ts`") are accepted,
/// since the file is what agentgate observes. A condition about a state ("if a model has
/// `modular.py`"), about work that is not a change ("before looking at code in a module"), or
/// pointing back ("when you create that file") is not understood.
fn conditions(tokens: &[Token], c: &Clause, r: &mut Reading) {
    let words = &vocab::get().words;
    for (_, items) in &c.conds {
        // ", as these changes require …": a reason, not part of the condition; ", follow naming
        // conventions": the next item of a list, not part of it.
        let cut = items
            .iter()
            .enumerate()
            .position(|(k, i)| {
                matches!(value(tokens, *i), "because" | "since" | "so")
                    || tag(tokens, *i) == "comma"
                        && items.get(k + 1).is_some_and(|j| {
                            words.boundary.contains(value(tokens, *j))
                                || IMPERATIVES.contains(&value(tokens, *j))
                                || VERBS.contains(&tag(tokens, *j))
                        })
            })
            .unwrap_or(items.len());
        let items = &items[..cut];
        // "— when you do, justify them": the condition is the forbidden or ordered action
        // itself, taken up again to say what else to do; it narrows nothing.
        if takes_up_action(tokens, items) {
            continue;
        }
        let allowed = part_descriptions(tokens, items);
        // "when you create that file": the condition points back at something agentgate cannot
        // resolve ("in this repo" points nowhere).
        let pointing = items.iter().enumerate().any(|(k, i)| {
            tag(tokens, *i) == "this"
                && !items.get(k + 1).is_some_and(|n| {
                    matches!(
                        value(tokens, *n),
                        "repo" | "repository" | "project" | "codebase" | "workspace" | "monorepo"
                    )
                })
        }) && !items.iter().any(|i| tag(tokens, *i) == "path");
        let covered = |k: usize| {
            allowed.contains(&k)
                || words.activity.contains(value(tokens, items[k]))
                || words.delivery.contains(value(tokens, items[k]))
                // the object of a change verb before it
                || items[..k].iter().any(|j| change_verb(tag(tokens, *j)))
                // the subject of a passive change after it ("when … is touched")
                || items[k + 1..].windows(2).any(|w| {
                    matches!(value(tokens, w[0]), "is" | "are" | "was" | "were" | "be" | "been" | "gets" | "get")
                        && change_verb(tag(tokens, w[1]))
                })
        };
        let mut left: Vec<String> = items
            .iter()
            .enumerate()
            .filter(|(k, i)| unknown(tokens, **i) && !covered(*k))
            .map(|(_, i)| tokens[*i].value.clone())
            .collect();
        if pointing && left.is_empty() {
            left = items
                .iter()
                .filter(|i| tag(tokens, **i) == "this")
                .map(|i| tokens[*i].value.clone())
                .collect();
        }
        if !left.is_empty() {
            r.whole = true;
            r.not_understood("its condition", &left);
        }
    }
}

/// "when you do", "if doing so": a condition that takes up the clause's own action again.
pub(super) fn takes_up_action(tokens: &[Token], items: &[usize]) -> bool {
    let vals: Vec<&str> = items.iter().take(3).map(|i| value(tokens, *i)).collect();
    matches!(
        vals.as_slice(),
        ["you", "do", ..] | ["doing", "so", ..] | ["you", "must", "do", ..]
    ) && items
        .iter()
        .skip(2)
        .all(|i| !matches!(tag(tokens, *i), "path" | "cmd"))
}

/// Positions (in `items`) of words that describe a part of a path named right after them by a
/// preposition: "CLI options or their descriptions in `cli.ts`".
fn part_descriptions(tokens: &[Token], items: &[usize]) -> Vec<usize> {
    let mut out = Vec::new();
    for (p, i) in items.iter().enumerate() {
        if tokens[*i].tag != "path" {
            continue;
        }
        let mut k = p;
        while k > 0 && matches!(value(tokens, items[k - 1]), "the" | "a" | "an" | "any") {
            k -= 1;
        }
        if k == 0
            || !matches!(
                value(tokens, items[k - 1]),
                "in" | "to" | "of" | "under" | "inside" | "within"
            )
        {
            continue;
        }
        let mut j = k - 1;
        while j > 0 && !matches!(tokens[items[j - 1]].tag, "comma" | "semi" | "colon") {
            j -= 1;
            out.push(j);
        }
    }
    out
}

/// Words right beside a target that only say what it is: "the grammar `.ungram`", "the `-w`
/// flag", "`@latest` syntax". Positions in `list`.
fn appositions(tokens: &[Token], list: &[usize]) -> Vec<usize> {
    let words = &vocab::get().words;
    let mut out = Vec::new();
    for (p, i) in list.iter().enumerate() {
        match tag(tokens, *i) {
            "path" => {
                let mut k = p;
                while k > 0 && unknown(tokens, list[k - 1]) {
                    if words.parts.contains(value(tokens, list[k - 1])) {
                        break;
                    }
                    k -= 1;
                    out.push(k);
                }
            }
            "cmd" | "flag" | "envset" | "code" | "prog" => {
                if let Some(n) = list.get(p + 1) {
                    if words.kinds.contains(value(tokens, *n)) {
                        out.push(p + 1);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The words before the modal: a subject ("Agents", "You"), a label ("IMPORTANT:"), or the
/// objects of a passive ("`go.work` … should not be committed", with what is said of them
/// between). Anything else narrows who or what the rule is about: the clause is advisory.
/// The part of what stands before the modal that speaks for it: after the last label or clause
/// break, and after ", so" / ", which" ("…, so it never mutates `.venv`").
fn speaker<'p>(tokens: &[Token], pre: &'p [usize]) -> &'p [usize] {
    let words = &vocab::get().words;
    let from = pre
        .iter()
        .rposition(|i| matches!(tag(tokens, *i), "colon" | "semi" | "stop" | "dash"))
        .map_or(0, |p| p + 1);
    let part = &pre[from..];
    let from = part
        .iter()
        .enumerate()
        .rposition(|(k, i)| {
            tag(tokens, *i) == "comma"
                && part
                    .get(k + 1)
                    .is_some_and(|j| words.boundary.contains(value(tokens, *j)))
        })
        .map_or(0, |p| p + 1);
    // The conjunction itself ("so", "since") is not the subject; a pronoun ("it") is.
    let conjunction = part
        .get(from)
        .is_some_and(|i| from > 0 && tag(tokens, *i) == "w" && part.len() > from + 1);
    &part[from + usize::from(conjunction)..]
}

fn subject(tokens: &[Token], pre: &[usize], r: &mut Reading) {
    let words = &vocab::get().words;
    let part = speaker(tokens, pre);
    let first_head = part.iter().position(|i| head(tag(tokens, *i)));
    let beside = appositions(tokens, part);
    let left: Vec<String> = part
        .iter()
        .enumerate()
        // After a passive's object, words say something of it ("are gitignored and").
        .filter(|(k, i)| {
            unknown(tokens, **i)
                && first_head.is_none_or(|h| *k < h)
                && !beside.contains(k)
                && !words.activity.contains(value(tokens, **i))
                // "Reviewer agents MUST NOT …": a role.
                && !part.get(k + 1).is_some_and(|n| matches!(tag(tokens, *n), "agents" | "roles"))
                // "Changes to settings require …": what changed is read like a condition.
                && !part[..*k].iter().any(|j| change_verb(tag(tokens, *j)))
        })
        .map(|(_, i)| tokens[*i].value.clone())
        .collect();
    if !left.is_empty() {
        r.whole = true;
        r.not_understood("its subject", &left);
    }
}

/// "Import errors after install: ensure you ran …": a condition inside a label belongs to the
/// label's topic; when the topic is not understood, neither is the condition.
fn labelled_condition(tokens: &[Token], c: &Clause, m: usize, r: &mut Reading) {
    let main = &c.main;
    let Some(colon) = main[..m].iter().rev().find(|i| tag(tokens, **i) == "colon") else {
        return;
    };
    let inside = c
        .conds
        .iter()
        .any(|(_, items)| !items.is_empty() && items.iter().all(|i| i < colon));
    if !inside {
        return;
    }
    let left: Vec<String> = main
        .iter()
        .filter(|i| *i < colon && unknown(tokens, **i))
        .map(|i| tokens[*i].value.clone())
        .collect();
    if !left.is_empty() {
        r.whole = true;
        r.not_understood("its topic", &left);
    }
}

/// "unless"/"until"/"except" left in the clause (not read as a gate or an exception of known
/// targets) with words agentgate does not understand: dropping the exception would broaden.
fn exceptions(tokens: &[Token], c: &Clause, m: usize, r: &mut Reading) {
    let main = &c.main;
    let Some(at) = main[m..]
        .iter()
        .position(|i| matches!(tag(tokens, *i), "unless" | "until" | "except"))
    else {
        return;
    };
    let left: Vec<String> = main[m + at + 1..]
        .iter()
        .take_while(|i| !matches!(tag(tokens, **i), "semi" | "stop"))
        .filter(|i| unknown(tokens, **i))
        .map(|i| tokens[*i].value.clone())
        .collect();
    if !left.is_empty() {
        r.whole = true;
        r.not_understood("its exception", &left);
    }
}

/// Where the rule's object ends and its reason starts, in `post` (which starts at the modal).
fn object_end(tokens: &[Token], post: &[usize]) -> usize {
    let words = &vocab::get().words;
    let mut seen_head = false;
    for (k, i) in post.iter().enumerate().skip(1) {
        let t = tag(tokens, *i);
        let v = value(tokens, *i);
        let next = post.get(k + 1).map(|j| &tokens[*j]);
        let stop = match t {
            "semi" | "stop" => true,
            // A colon before targets introduces them ("these files: `a`, `b`").
            "colon" => seen_head && !next.is_some_and(|n| head(n.tag)),
            "dash" => seen_head,
            "comma" => {
                seen_head
                    && next.is_some_and(|n| {
                        words.boundary.contains(&n.value) || n.tag == "this" && n.value != "them"
                    })
            }
            "w" if seen_head && v == "to" => next.is_some_and(|n| {
                VERBS.contains(&n.tag) && n.tag != "read"
                    || n.tag == "must"
                    // "use `sudo` to install packages"
                    || n.tag == "act_dependency"
                    || PURPOSE.contains(&n.value.as_str())
            }),
            "w" if seen_head => {
                words.boundary.contains(v)
                    && !words.relative.contains(v)
                    && !matches!(
                        v,
                        // Without a comma, "as" names a role ("run `x` as routine checks").
                        "this" | "it" | "they" | "these" | "those" | "we" | "there" | "as"
                    )
            }
            _ => false,
        };
        if stop {
            return k;
        }
        if head(t) {
            seen_head = true;
        }
    }
    post.len()
}

/// The modal and what follows: conjuncts of a verb and its objects, each object a noun phrase.
fn objects(
    tokens: &[Token],
    post: &[usize],
    kind: Kind,
    has_examples: bool,
    has_alternatives: bool,
    r: &mut Reading,
) {
    let words = &vocab::get().words;
    let end = object_end(tokens, post);
    if kind == Kind::Prohibition {
        // "delete or rewrite tests to make them pass", "bypass a check just to make CI green":
        // the purpose says when it is forbidden, and agentgate cannot see a purpose.
        let tail = &post[end..];
        let lead: Vec<&str> = tail.iter().take(3).map(|i| value(tokens, *i)).collect();
        let narrowing = matches!(
            lead.as_slice(),
            ["to", "make", ..]
                | ["just", "to", ..]
                | ["only", "to", ..]
                | ["simply", "to", ..]
                | ["in", "order", "to"]
        ) && tail.iter().any(|i| {
            tag(tokens, *i) == "pass"
                || matches!(
                    value(tokens, *i),
                    "green" | "succeed" | "work" | "compile" | "happy"
                )
        });
        if narrowing {
            r.whole = true;
            r.reason = Some("its purpose (\"to make … pass\") says when it applies, which agentgate cannot observe".into());
            return;
        }
        // "DO NOT make a new commit to fix these issues", "Do not use `sudo` to install
        // packages": the action is forbidden for that purpose only, which agentgate cannot
        // see. A purpose that gives the reason for the rule ("to avoid …", "to keep …") does
        // not narrow it.
        let to = match lead.as_slice() {
            ["to", ..] => Some(1),
            ["just" | "only" | "simply", "to", ..] => Some(2),
            ["in", "order", "to"] => Some(3),
            _ => None,
        };
        if let Some(verb_at) = to.and_then(|k| tail.get(k)) {
            let v = value(tokens, *verb_at);
            let rationale = matches!(
                v,
                "avoid" | "prevent" | "keep" | "ensure" | "protect" | "preserve" | "reduce"
                    | "minimize" | "minimise" | "maintain" | "stay" | "comply" | "respect"
                    | "guarantee" | "limit" | "spare" | "not"
                    // an investigative purpose covers nearly any use: "Never stash to
                    // check if they fail on main"
                    | "check" | "see" | "verify" | "compare" | "confirm"
            )
                // "Do not use `--force` to bypass the prompt": what the forbidden thing does,
                // not a purpose that narrows it.
                || tag(tokens, *verb_at) == "bypass"
                || matches!(
                    v,
                    "bypass" | "circumvent" | "skip" | "disable" | "silence" | "suppress"
                        | "override" | "evade" | "defeat" | "hide" | "force" | "ignore"
                );
            let purpose = VERBS.contains(&tag(tokens, *verb_at))
                || tag(tokens, *verb_at).starts_with("act_")
                || PURPOSE.contains(&v);
            if purpose && !rationale {
                r.whole = true;
                r.reason = Some(format!(
                    "its purpose (\"to {v} …\") says when it applies, which agentgate cannot observe"
                ));
                return;
            }
        }
        // Paths in the reason are not what is forbidden, unless said to be generated
        // ("— they are generated from `x.json`" names a source).
        let tail = &post[end..];
        let generated = tail.iter().position(|i| tag(tokens, *i) == "generated");
        r.mute.extend(
            tail.iter()
                .enumerate()
                .filter(|(k, i)| {
                    matches!(tag(tokens, **i), "path" | "noun") && generated.is_none_or(|g| *k < g)
                })
                .map(|(_, i)| *i),
        );
        // Nor are the actions it names: "Do not use `curl` to test HMR issues".
        r.mute.extend(
            tail.iter()
                .copied()
                .filter(|i| tag(tokens, *i).starts_with("act_")),
        );
        // Nor the alternative it offers: "Never use `npm`, instead use `pnpm`".
        let instead = tail
            .iter()
            .take(3)
            .any(|i| matches!(value(tokens, *i), "instead" | "rather"));
        if instead {
            r.mute.extend(
                tail.iter()
                    .copied()
                    .filter(|i| matches!(tag(tokens, *i), "cmd" | "prog" | "flag" | "envset")),
            );
        }
    }
    // An imperative's verb opens the first conjunct; a modal stands before it.
    let start = usize::from(!post.first().is_some_and(|i| verb(tag(tokens, *i))));
    let region = &post[start.min(end)..end];
    // "Update with `cargo insta review` after changes": what to update is not said; the
    // command is only how.
    if kind == Kind::Obligation {
        let lead = region.first().map(|i| tag(tokens, *i));
        let object = region
            .iter()
            .any(|i| matches!(tag(tokens, *i), "path" | "noun" | "files" | "this" | "code"));
        let instrument = region.windows(2).any(|w| {
            matches!(value(tokens, w[0]), "with" | "using" | "via" | "by")
                && matches!(tag(tokens, w[1]), "cmd" | "prog" | "run")
        });
        if matches!(lead, Some("write" | "create")) && !object && instrument {
            r.whole = true;
            r.reason =
                Some("it does not name what to change, only the command to do it with".into());
            return;
        }
    }
    if kind == Kind::Obligation {
        // A wider object only makes an obligation easier to meet; but "the relevant guide"
        // leaves to judgment whether anything is required at all (unless the alternatives are
        // listed: "the appropriate lockfile (`a`, `b`)"). A judgment word after a preposition
        // only says where ("tests in the appropriate directory").
        let first_np = region
            .iter()
            .position(|i| {
                matches!(
                    value(tokens, *i),
                    "in" | "under" | "to" | "of" | "for" | "with" | "at" | "on" | "from"
                )
            })
            .unwrap_or(region.len());
        // "Run relevant tests before submitting a PR": running the check class is what it
        // asks for; which of the tests is the judgment, and any run of them meets the class.
        let runs = post.iter().any(|i| tag(tokens, *i) == "run");
        let judged: Vec<String> = region[..first_np]
            .iter()
            .enumerate()
            .filter(|(_, i)| words.judgment.contains(value(tokens, **i)))
            .filter(|(k, _)| {
                !(runs
                    && region[..first_np].get(k + 1).is_some_and(|n| {
                        tag(tokens, *n) == "noun"
                            && vocab::get().noun_commands.contains_key(value(tokens, *n))
                    }))
            })
            .map(|(_, i)| tokens[*i].value.clone())
            .collect();
        if !judged.is_empty() && !has_alternatives {
            r.whole = true;
            r.reason = Some(format!(
                "it leaves to judgment what it requires ({})",
                quote_words(&judged)
            ));
        }
        return;
    }
    // Conjuncts: a new one starts at a verb after "and", "or" or a comma, once the current one
    // has a verb.
    let mut conjuncts: Vec<Vec<usize>> = vec![Vec::new()];
    let mut has_verb = false;
    for (k, i) in region.iter().enumerate() {
        let t = tag(tokens, *i);
        let joint = k > 0 && matches!(tag(tokens, region[k - 1]), "and" | "or" | "comma");
        let cur = conjuncts.last().expect("one conjunct");
        // "push, pull, or rebase": after a verb with no object yet, a list is of verbs.
        let bare = cur
            .iter()
            .all(|j| verb(tag(tokens, *j)) || matches!(tag(tokens, *j), "and" | "or" | "comma"));
        if joint && has_verb && bare && !verb(t) && unknown(tokens, *i) {
            conjuncts.last_mut().expect("one conjunct").pop();
            conjuncts.push(Vec::new());
            has_verb = true;
        } else if verb(t) && has_verb && joint {
            let last = conjuncts.last_mut().expect("one conjunct");
            // The joint belongs to neither.
            last.pop();
            conjuncts.push(Vec::new());
            has_verb = false;
        }
        if verb(t) {
            has_verb = true;
        }
        conjuncts.last_mut().expect("one conjunct").push(*i);
    }
    // "Do not use npm, use pnpm instead": a conjunct that says *instead* is the alternative.
    if kind == Kind::Prohibition {
        for conj in conjuncts.iter().skip(1) {
            if conj.iter().any(|i| value(tokens, *i) == "instead") {
                r.mute.extend(
                    conj.iter()
                        .copied()
                        .filter(|i| matches!(tag(tokens, *i), "cmd" | "prog" | "flag" | "envset")),
                );
            }
        }
    }
    // "Do not stage, commit, or amend changes you did not make": verbs listed before the last
    // one share its object.
    // ("Never delete or weaken tests, add `//nolint`, …": the next conjunct with an object.)
    let object_of = |c: &Vec<usize>| -> Vec<usize> {
        match c.iter().rposition(|i| verb(tag(tokens, *i))) {
            Some(p) => c[p + 1..].to_vec(),
            None => match c.first() {
                // An unknown verb opening its conjunct ("weaken tests").
                Some(f) if unknown(tokens, *f) => c[1..].to_vec(),
                _ => Vec::new(),
            },
        }
    };
    let mut protected: Vec<usize> = Vec::new();
    for (k, conj) in conjuncts.iter().enumerate() {
        let bare = conj
            .iter()
            .all(|i| verb(tag(tokens, *i)) || matches!(tag(tokens, *i), "and" | "or" | "comma"));
        let shared: Vec<usize> = conjuncts[k + 1..]
            .iter()
            .map(object_of)
            .find(|o| !o.is_empty())
            .unwrap_or_default();
        if bare && !shared.is_empty() {
            let mut with: Vec<usize> = conj.clone();
            with.extend(&shared);
            let mut own = Reading::default();
            conjunct(tokens, &with, has_examples, &mut own);
            // Understood with a known verb, the shared object stays, whatever a later verb
            // not understood ("weaken tests") makes of it.
            if own.drop.is_empty() && own.reason.is_none() {
                protected.extend(shared.iter().copied());
            }
            r.drop.extend(own.drop);
            if r.reason.is_none() {
                r.reason = own.reason;
            }
        } else {
            conjunct(tokens, conj, has_examples, r);
        }
    }
    r.drop.retain(|i| !protected.contains(i));
}

/// One verb (or several joined: "create or switch to") and its objects.
fn conjunct(tokens: &[Token], conj: &[usize], has_examples: bool, r: &mut Reading) {
    let words = &vocab::get().words;
    // The verbs open the conjunct ("commit", "create or switch to"); a verb-like action after
    // an object word is a noun ("no tiny or massive commits").
    let lead = conj
        .iter()
        .position(|i| {
            !(verb(tag(tokens, *i))
                || matches!(
                    tag(tokens, *i),
                    "and" | "or" | "comma" | "agents" | "also" | "manually"
                )
                || tag(tokens, *i) == "w" && !unknown(tokens, *i))
        })
        .unwrap_or(conj.len());
    let v_end = conj[..lead]
        .iter()
        .rposition(|i| verb(tag(tokens, *i)))
        .map_or(0, |p| p + 1);
    // The object list after the verbs, split into noun phrases at list separators.
    let mut nps: Vec<Vec<usize>> = vec![Vec::new()];
    for i in &conj[v_end..] {
        if matches!(tag(tokens, *i), "and" | "or" | "comma") {
            nps.push(Vec::new());
        } else {
            nps.last_mut().expect("one phrase").push(*i);
        }
    }
    nps.retain(|np| !np.is_empty());
    // "under `a`, `b`, or `c`": a list after a preposition is one place, not more objects;
    // so is one after "for" or "of" ("newsfragments for `providers/` or `airflow-ctl/`").
    let qualified = |np: &[usize]| {
        np.windows(2).any(|w| {
            matches!(value(tokens, w[0]), "for" | "of" | "about") && tag(tokens, w[1]) == "path"
        })
    };
    let mut merged: Vec<Vec<usize>> = Vec::new();
    for np in nps {
        let located = merged
            .last()
            .is_some_and(|prev| locative_at(tokens, prev).is_some() || qualified(prev));
        if located
            && np
                .iter()
                .all(|i| head(tag(tokens, *i)) || !unknown(tokens, *i))
        {
            merged.last_mut().expect("checked").extend(np);
        } else {
            merged.push(np);
        }
    }
    // Unknown words among the verbs ("never mutate committed files") belong to the object.
    let verb_words: Vec<String> = conj[..v_end]
        .iter()
        .filter(|i| unknown(tokens, **i))
        .map(|i| tokens[*i].value.clone())
        .collect();
    // "never disclose them in public issues or pull requests": a conjunct with no verb known
    // that opens with a word not understood opens with its verb; nothing it governs is known.
    let mut verb_words = verb_words;
    // ("Potentially destructive actions: `git reset --hard`" is a label over its targets.)
    let labelled = conj
        .iter()
        .position(|i| tag(tokens, *i) == "colon")
        .is_some_and(|c| conj[c + 1..].iter().any(|i| head(tag(tokens, *i))));
    if v_end == 0
        && !labelled
        && conj.first().is_some_and(|i| unknown(tokens, *i))
        && !conj.get(1).is_some_and(|i| verb(tag(tokens, *i)))
    {
        verb_words.push(tokens[conj[0]].value.clone());
    }
    let mut bad_words = verb_words.clone();
    let mut failed: Vec<&Vec<usize>> = Vec::new();
    let mut ok = 0;
    for np in &merged {
        // "generated translations under `docs/ja`": the place is what agentgate observes, and
        // words naming what lives there add nothing, unless they name parts of files.
        let place = locative_at(tokens, np);
        let beside = appositions(tokens, np);
        let every = quantified(tokens, np);
        // "runtime artifacts: `dump.rdb`": a label before a colon that introduces targets.
        let label_end = np
            .iter()
            .rposition(|i| tag(tokens, *i) == "colon")
            .filter(|c| np[c + 1..].iter().any(|i| head(tag(tokens, *i))));
        // "PRs that are under review", "changes you did not make": a relative clause after the
        // object says which ones, in terms agentgate does not observe (unless it names paths).
        let relative = np
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, i)| {
                words.relative.contains(value(tokens, **i))
                    || tag(tokens, **i) == "agents" && value(tokens, **i) == "you"
            })
            .map(|(k, _)| k)
            .filter(|k| {
                *k + 1 < np.len()
                    && !np[*k..]
                        .iter()
                        .any(|i| matches!(tag(tokens, *i), "path" | "cmd" | "flag"))
            });
        // "open pull requests to [Wasmtime]": the one word after *to* or *against* following a
        // pull request, an issue or a push is the repository it goes to — this one.
        let repo_name = |k: usize| {
            k >= 2
                && k + 1 == np.len()
                && matches!(value(tokens, np[k - 1]), "to" | "against")
                && matches!(
                    tag(tokens, np[k - 2]),
                    "act_pull_request" | "act_issue" | "act_push" | "act_comment"
                )
        };
        // "vitest workspace config": a program's name before a thing it has names that thing,
        // which agentgate does not observe; running the program is not what is forbidden.
        let owned: Vec<usize> = np
            .windows(2)
            .enumerate()
            .filter(|(_, w)| {
                matches!(tag(tokens, w[0]), "prog" | "cmd")
                    && !tokens[w[0]].value.contains(' ')
                    && tag(tokens, w[1]) == "w"
                    && words.owned.contains(value(tokens, w[1]))
            })
            .map(|(k, _)| k + 1)
            .collect();
        let unk: Vec<String> = np
            .iter()
            .enumerate()
            .filter(|(k, i)| {
                owned.contains(k)
                    // "`Cargo.toml` versions", "`api.proto` fields": a part of the file named
                    // before it, which agentgate does not see.
                    || *k > 0
                        && tag(tokens, np[*k - 1]) == "path"
                        && tag(tokens, **i) == "w"
                        && words.parts.contains(value(tokens, **i))
                    // "critical config files": a modal's adjective before the object says which
                    // ones, by a judgment agentgate cannot make.
                    || tag(tokens, **i) == "must"
                        && matches!(value(tokens, **i), "critical" | "important" | "mandatory" | "required")
                        && np.get(k + 1).is_some_and(|n| head(tag(tokens, *n)))
                    ||
                relative.is_some_and(|r| *k >= r)
                    || unknown(tokens, **i)
                        && !repo_name(*k)
                        && !beside.contains(k)
                        && !every.contains(k)
                        && !label_end.is_some_and(|c| *k < c)
                        && !place
                            .is_some_and(|p| *k < p && !words.parts.contains(value(tokens, **i)))
            })
            .map(|(_, i)| tokens[*i].value.clone())
            .collect();
        if unk.is_empty() {
            if np.iter().any(|i| head(tag(tokens, *i))) {
                ok += 1;
            }
        } else {
            bad_words.extend(unk);
            failed.push(np);
        }
    }
    if bad_words.is_empty() {
        return;
    }
    r.not_understood("its object", &bad_words);
    // What is dropped names nothing: its targets, and the verbs of a conjunct dropped whole.
    if ok > 0 && verb_words.is_empty() || has_examples {
        // The items understood (or the examples given) stay the object.
        for np in failed {
            r.drop
                .extend(np.iter().copied().filter(|i| head(tag(tokens, *i))));
        }
    } else {
        r.drop.extend(
            conj.iter()
                .copied()
                .filter(|i| head(tag(tokens, *i)) || verb(tag(tokens, *i))),
        );
    }
}

/// Words of a phrase that say "everywhere": "on any cluster", "in every environment" narrow
/// nothing. Positions in `np`.
fn quantified(tokens: &[Token], np: &[usize]) -> Vec<usize> {
    let mut out = Vec::new();
    for (k, w) in np.windows(2).enumerate() {
        let prep = matches!(
            value(tokens, w[0]),
            "on" | "in" | "for" | "across" | "to" | "from" | "at" | "within" | "inside" | "under"
        );
        if prep && matches!(value(tokens, w[1]), "any" | "every" | "all" | "each") {
            out.extend((k + 2..np.len()).take_while(|j| tag(tokens, np[*j]) == "w"));
        }
    }
    out
}

/// Where a noun phrase names its place: a preposition of place followed by a path.
fn locative_at(tokens: &[Token], np: &[usize]) -> Option<usize> {
    np.windows(2).position(|w| {
        matches!(
            value(tokens, w[0]),
            "in" | "under" | "inside" | "within" | "below" | "beneath"
        ) && tag(tokens, w[1]) == "path"
    })
}
