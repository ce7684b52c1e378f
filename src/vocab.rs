//! The vocabulary the statement grammar is written over, loaded from `grammar/vocabulary.toml`
//! (which `build.rs` turns into JSON, the form a process parses in a fraction of the time).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

const VOCABULARY: &str = include_str!(concat!(env!("OUT_DIR"), "/vocabulary.json"));

#[derive(Debug, Deserialize)]
struct Raw {
    tags: BTreeMap<String, Vec<String>>,
    actions: BTreeMap<String, Vec<String>>,
    environments: BTreeMap<String, Vec<String>>,
    nouns: RawNouns,
    command_classes: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    class_verbs: BTreeMap<String, String>,
    programs: RawPrograms,
    docs: RawDocs,
    words: RawWords,
    paths: RawPaths,
    #[serde(default)]
    lang: BTreeMap<String, RawLang>,
    #[serde(default)]
    unread: BTreeMap<String, Vec<String>>,
}

/// One language of grammar/languages.toml.
#[derive(Debug, Deserialize)]
struct RawLang {
    name: String,
    stopwords: Vec<String>,
    #[serde(default)]
    function: Vec<String>,
    #[serde(default)]
    tags: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    actions: BTreeMap<String, Vec<String>>,
}

/// A language agentgate reads (its vocabulary is merged into the tables) or only recognises.
#[derive(Debug, Clone)]
pub struct Language {
    /// ISO 639-1 code (`es`, `ru`).
    pub code: String,
    /// English name, empty for a language only recognised.
    pub name: String,
    /// Frequent words that tell it apart.
    pub stopwords: HashSet<String>,
    pub read: bool,
}

#[derive(Debug, Deserialize)]
struct RawPaths {
    root_names: Vec<String>,
    #[serde(default)]
    prose_extensions: Vec<String>,
    #[serde(default)]
    prose_frameworks: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawWords {
    function: Vec<String>,
    generic: Vec<String>,
    boundary: Vec<String>,
    relative: Vec<String>,
    parts: Vec<String>,
    cjk_function: String,
    activity: Vec<String>,
    #[serde(default)]
    delivery: Vec<String>,
    judgment: Vec<String>,
    kinds: Vec<String>,
    owned: Vec<String>,
    cognition: Vec<String>,
}

/// Word classes of the completeness check (`[words]` in the vocabulary).
#[derive(Debug, Default)]
pub struct Words {
    /// Articles, prepositions, pronouns of the agent, auxiliaries: they narrow nothing.
    pub function: HashSet<String>,
    /// Head nouns naming the whole of what a verb acts on (`files`, `repo`, `branch`).
    pub generic: HashSet<String>,
    /// Words starting a justification or purpose after a rule's object.
    pub boundary: HashSet<String>,
    /// Words opening a relative clause after a noun.
    pub relative: HashSet<String>,
    /// Nouns for parts of a file (`fields`, `functions`): content agentgate does not see.
    pub parts: HashSet<String>,
    /// Words for working itself ("when developing", "the final commit").
    pub activity: HashSet<String>,
    /// Words for handing the work over ("before you finish", "when done"): a condition made
    /// of them is due when the plan commits, pushes or opens a pull request.
    pub delivery: HashSet<String>,
    /// Chinese and Japanese characters that narrow nothing.
    pub cjk_function: HashSet<char>,
    /// Words leaving an obligation to judgment ("the relevant guide").
    pub judgment: HashSet<String>,
    /// Words naming the kind of a command or flag right after it ("the `-w` flag").
    pub kinds: HashSet<String>,
    /// Things a program has ("the vitest workspace config", "the npm cache"): after a program's
    /// name, the program says whose thing it is; it is not a command to run.
    pub owned: HashSet<String>,
    /// Verbs of knowing: a lead-in built on them informs rather than orders.
    pub cognition: Vec<Vec<String>>,
}

impl Words {
    /// Whether a word narrows nothing (a function word or a generic noun).
    pub fn neutral(&self, w: &str) -> bool {
        self.function.contains(w) || self.generic.contains(w)
    }
}

#[derive(Debug, Deserialize)]
struct RawNouns {
    paths: BTreeMap<String, Vec<String>>,
    commands: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct RawPrograms {
    known: Vec<String>,
    prose: Vec<String>,
    aliases: BTreeMap<String, String>,
    runners: BTreeMap<String, Vec<String>>,
    value_options: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    flag_spellings: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    jobs: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct RawDocs {
    globs: Vec<String>,
}

/// What a phrase means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meaning {
    /// Grammar tag (`deny`, `write`, `act_commit`, `noun`, `env_production`, …).
    pub tag: String,
    /// For nouns: the key into the noun tables.
    pub value: String,
}

/// The loaded vocabulary.
#[derive(Debug)]
pub struct Vocabulary {
    /// First word → phrases starting with it (as word lists), longest first.
    phrases: HashMap<String, Vec<(Vec<String>, Meaning)>>,
    pub noun_paths: BTreeMap<String, Vec<String>>,
    pub noun_commands: BTreeMap<String, Vec<String>>,
    pub command_classes: BTreeMap<String, Vec<String>>,
    /// Verbs that name a class of commands ("lint", "format", "builds") → the noun that stands
    /// for that class (a key of `noun_commands`).
    pub class_verbs: BTreeMap<String, String>,
    pub known_programs: Vec<String>,
    pub prose_programs: Vec<String>,
    pub aliases: BTreeMap<String, String>,
    /// Runner program (possibly two words) → words to skip before the real program.
    pub runners: BTreeMap<String, Vec<String>>,
    pub value_options: BTreeMap<String, Vec<String>>,
    /// `program subcommand` (or `program`) → pairs of spellings of one flag (`-s`, `--signoff`).
    pub flag_spellings: BTreeMap<String, Vec<(String, String)>>,
    /// The words naming a job (`package manager`) → the tools that do it.
    pub jobs: BTreeMap<String, Vec<String>>,
    pub docs_globs: Vec<String>,
    pub words: Words,
    /// File names that by convention sit at a root (`Cargo.toml`): written bare, only that one.
    pub root_names: HashSet<String>,
    /// Extensions that make a prose word a file name (`setup.py`).
    pub prose_extensions: HashSet<String>,
    /// Stems of `*.js` words that name frameworks (`node` in "Node.js").
    pub prose_frameworks: HashSet<String>,
    /// Languages read (English aside) and only recognised, for telling a file's language.
    pub languages: Vec<Language>,
}

/// The vocabulary, parsed once.
pub fn get() -> &'static Vocabulary {
    static V: OnceLock<Vocabulary> = OnceLock::new();
    V.get_or_init(|| {
        build(VOCABULARY)
            .expect("grammar/vocabulary.toml has the vocabulary's shape (checked by tests)")
    })
}

fn build(json: &str) -> Result<Vocabulary, serde_json::Error> {
    let raw: Raw = serde_json::from_str(json)?;
    let mut phrases: HashMap<String, Vec<(Vec<String>, Meaning)>> = HashMap::new();
    let mut add = |phrase: &str, tag: &str, value: &str| {
        let words = split_words(phrase);
        if let Some(first) = words.first() {
            phrases.entry(first.clone()).or_default().push((
                words,
                Meaning {
                    tag: tag.to_string(),
                    value: value.to_string(),
                },
            ));
        }
    };
    for (tag, list) in &raw.tags {
        for p in list {
            add(p, tag, "");
        }
    }
    for (name, list) in &raw.actions {
        for p in list {
            add(p, &format!("act_{}", name.replace('-', "_")), name);
        }
    }
    for lang in raw.lang.values() {
        for (tag, list) in &lang.tags {
            for p in list {
                add(p, tag, "");
            }
        }
        for (name, list) in &lang.actions {
            for p in list {
                add(p, &format!("act_{}", name.replace('-', "_")), name);
            }
        }
    }
    for (name, list) in &raw.environments {
        for p in list {
            add(p, "environment", name);
        }
    }
    for key in raw.nouns.paths.keys().chain(raw.nouns.commands.keys()) {
        add(key, "noun", key);
    }
    for list in phrases.values_mut() {
        // Longest phrase first; nouns lose ties to grammar words.
        list.sort_by(|a, b| {
            b.0.len()
                .cmp(&a.0.len())
                .then((a.1.tag == "noun").cmp(&(b.1.tag == "noun")))
        });
        list.dedup_by(|a, b| a.0 == b.0);
    }
    Ok(Vocabulary {
        phrases,
        noun_paths: raw.nouns.paths,
        noun_commands: raw.nouns.commands,
        command_classes: raw.command_classes,
        class_verbs: raw.class_verbs,
        known_programs: raw.programs.known,
        prose_programs: raw.programs.prose,
        aliases: raw.programs.aliases,
        runners: raw.programs.runners,
        value_options: raw.programs.value_options,
        jobs: raw.programs.jobs,
        flag_spellings: raw
            .programs
            .flag_spellings
            .into_iter()
            .map(|(k, pairs)| {
                let pairs = pairs
                    .iter()
                    .filter_map(|p| p.split_once(' '))
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect();
                (k, pairs)
            })
            .collect(),
        docs_globs: raw.docs.globs,
        root_names: raw.paths.root_names.into_iter().collect(),
        prose_extensions: raw.paths.prose_extensions.into_iter().collect(),
        prose_frameworks: raw.paths.prose_frameworks.into_iter().collect(),
        languages: raw
            .lang
            .iter()
            .map(|(code, l)| Language {
                code: code.clone(),
                name: l.name.clone(),
                stopwords: l.stopwords.iter().cloned().collect(),
                read: true,
            })
            .chain(raw.unread.iter().map(|(code, words)| Language {
                code: code.clone(),
                name: String::new(),
                stopwords: words.iter().cloned().collect(),
                read: false,
            }))
            .collect(),
        words: Words {
            function: raw
                .words
                .function
                .into_iter()
                .chain(raw.lang.values().flat_map(|l| l.function.iter().cloned()))
                .collect(),
            generic: raw.words.generic.into_iter().collect(),
            boundary: raw.words.boundary.into_iter().collect(),
            relative: raw.words.relative.into_iter().collect(),
            parts: raw.words.parts.into_iter().collect(),
            activity: raw.words.activity.into_iter().collect(),
            delivery: raw.words.delivery.into_iter().collect(),
            cjk_function: raw.words.cjk_function.chars().collect(),
            judgment: raw.words.judgment.into_iter().collect(),
            kinds: raw.words.kinds.into_iter().collect(),
            owned: raw.words.owned.into_iter().collect(),
            cognition: raw.words.cognition.iter().map(|p| split_words(p)).collect(),
        },
    })
}

impl Vocabulary {
    /// The longest phrase starting at `words[i]`: its length in words and meaning.
    pub fn longest(&self, words: &[String], i: usize) -> Option<(usize, &Meaning)> {
        let list = self.phrases.get(&words[i])?;
        list.iter()
            .find(|(p, _)| {
                words.len() - i >= p.len() && p.iter().zip(&words[i..]).all(|(a, b)| a == b)
            })
            .map(|(p, m)| (p.len(), m))
    }

    /// A program's canonical name for matching (`python3` → `python`).
    pub fn canonical_program<'a>(&'a self, program: &'a str) -> &'a str {
        self.aliases.get(program).map_or(program, String::as_str)
    }

    /// The other spelling of `flag` for a run of `program` whose first word is `sub`
    /// (`git commit -s` is `git commit --signoff`).
    pub fn flag_spelling(&self, program: &str, sub: Option<&str>, flag: &str) -> Option<&str> {
        let program = self.canonical_program(program);
        let keyed = sub.and_then(|s| self.flag_spellings.get(&format!("{program} {s}")));
        keyed
            .into_iter()
            .chain(self.flag_spellings.get(program))
            .flatten()
            .find_map(|(a, b)| {
                if a == flag && b != flag {
                    Some(b.as_str())
                } else if b == flag && a != flag {
                    Some(a.as_str())
                } else {
                    None
                }
            })
    }

    /// Whether `word` names a command class (`@test`) member.
    pub fn in_class(&self, class: &str, word: &str) -> bool {
        // `test:ci`, `lint:fix:all`: a script named for its class, then what it covers.
        let head = word.split(':').next().unwrap_or(word);
        self.command_classes
            .get(class)
            .is_some_and(|l| l.iter().any(|w| w == word || w == head))
    }
}

/// Split prose into lower-case words: ASCII words keep `-`, `'`, `/`, `.`, `_`, `@`, `$`, `+`
/// inside them; each CJK character is a word of its own; other punctuation becomes its own word.
pub fn split_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        let w = cur
            .trim_end_matches(['.', '\'', '/', '-'])
            .trim_start_matches(['\'', '-']);
        if !w.is_empty() {
            out.push(w.to_string());
        }
        cur.clear();
    };
    let chars: Vec<char> = text.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        let c = match c {
            '’' | '‘' => '\'',
            c => c,
        };
        // " - ": a hyphen standing alone between spaces is a dash.
        if c == '-'
            && cur.is_empty()
            && k > 0
            && chars[k - 1].is_whitespace()
            && chars.get(k + 1).is_none_or(|n| n.is_whitespace())
        {
            out.push("-".to_string());
            continue;
        }
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() && !is_cjk(c)
            || matches!(
                c,
                '-' | '\'' | '/' | '.' | '_' | '@' | '$' | '+' | '&' | '#'
            ) && !cur.is_empty()
        {
            cur.extend(c.to_lowercase());
        } else if is_cjk(c) {
            flush(&mut cur, &mut out);
            out.push(c.to_string());
        } else if c.is_whitespace() {
            flush(&mut cur, &mut out);
        } else {
            flush(&mut cur, &mut out);
            if matches!(
                c,
                ',' | ';'
                    | ':'
                    | '('
                    | ')'
                    | '—'
                    | '–'
                    | '：'
                    | '，'
                    | '；'
                    | '、'
                    | '&'
                    | '!'
                    | '?'
                    | '。'
                    | '>'
                    | '≥'
            ) {
                out.push(c.to_string());
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// CJK ideographs, Japanese kana and CJK punctuation, matched one character at a time.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// Hiragana: in Japanese text mostly particles and endings, which narrow nothing.
pub fn is_hiragana(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x309F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_parses() {
        let v = build(VOCABULARY).unwrap();
        assert!(v.noun_paths.contains_key("lockfile"));
    }

    #[test]
    fn longest_phrase_wins() {
        let v = get();
        let w = split_words("must not edit");
        assert_eq!(v.longest(&w, 0).unwrap().1.tag, "deny");
        let w = split_words("force push to main");
        assert_eq!(v.longest(&w, 0).unwrap().1.tag, "act_force_push");
    }

    #[test]
    fn splits_cjk_per_character() {
        assert_eq!(
            split_words("在提交前务必"),
            vec!["在", "提", "交", "前", "务", "必"]
        );
    }
}
