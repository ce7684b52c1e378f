//! Agent plans ("change sets"): strict parsing of the plan contract (JSON or YAML),
//! validation, entry line numbers, and path normalisation.
//!
//! Every struct position in the contract must be an object and every enum a plain
//! string: serde's positional forms (`["a.rs", "add"]` for a change, `{"modify": null}`
//! for an op) are rejected, so a plan has exactly one spelling per meaning.

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use miette::Diagnostic;
use serde::de::{self, value::MapAccessDeserializer, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

/// Plans larger than this many bytes are rejected before parsing.
const MAX_PLAN_BYTES: usize = 256 * 1024 * 1024;

/// A parsed, validated plan; build one with [`parse_plan`]. Paths in `changes` and `reads`
/// are normalised. (The component types implement `Deserialize` for the plan's shape
/// only: they neither validate `from` nor normalise paths.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub agent: Agent,
    pub session: Option<String>,
    pub changes: Vec<Change>,
    pub commands: Vec<Command>,
    pub reads: Vec<Read>,
    /// The plan gives a `reads` list (empty or not): it says what it read, so a required
    /// read it lacks is observed. Without one, what was read earlier is unknown.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reads_listed: bool,
    pub actions: Vec<Action>,
    pub evidence: Evidence,
    /// The change set is a commit (taken from git: staged, a range or a commit), so rules that
    /// say "before committing" apply. Never read from a plan file: a plan commits by running
    /// `git commit`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub commit: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    pub id: Option<String>,
    pub role: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Add,
    Modify,
    Delete,
    Rename,
    Copy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub path: String,
    #[serde(deserialize_with = "word")]
    pub op: Op,
    pub from: Option<String>,
    #[serde(default)]
    pub added: u64,
    #[serde(default)]
    pub removed: u64,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Change {
    /// Lines changed: `added + removed`, saturating instead of overflowing.
    pub fn lines_changed(&self) -> u64 {
        self.added.saturating_add(self.removed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    pub run: String,
    pub timeout_s: Option<u64>,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Read {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    Deploy,
    Secret,
    Publish,
    PullRequest,
    Issue,
    Dependency,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    #[serde(deserialize_with = "word")]
    pub kind: ActionKind,
    pub environment: Option<String>,
    pub target: Option<String>,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Passed,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub command: String,
    #[serde(deserialize_with = "word")]
    pub status: CheckStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    pub by: String,
    pub rule: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    #[serde(default, deserialize_with = "objs")]
    pub checks: Vec<Check>,
    #[serde(default, deserialize_with = "objs")]
    pub approvals: Vec<Approval>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanFormat {
    Json,
    Yaml,
}

impl fmt::Display for PlanFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PlanFormat::Json => "JSON",
            PlanFormat::Yaml => "YAML",
        })
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Add => "add",
            Op::Modify => "modify",
            Op::Delete => "delete",
            Op::Rename => "rename",
            Op::Copy => "copy",
        })
    }
}

/// Why a path from a plan was rejected.
#[derive(Debug, Error, Diagnostic)]
pub enum PathError {
    #[error("empty path")]
    #[diagnostic(
        code(agentgate::path::empty),
        help("name a file relative to the repository root, e.g. `src/lib.rs`")
    )]
    Empty,
    #[error("path `{}` contains a NUL character", clean(.path))]
    #[diagnostic(
        code(agentgate::path::nul),
        help("file paths cannot contain NUL (`\\0`)")
    )]
    Nul { path: String },
    #[error("path `{}` escapes the repository", clean(.path))]
    #[diagnostic(
        code(agentgate::path::escape),
        help("use a path relative to the repository root (or an absolute path inside it); it must not climb out with `..` or start with `~`")
    )]
    Escape { path: String },
    /// Only reported for change paths: a change must target something inside the root.
    #[error("path `{}` names the repository root itself", clean(.path))]
    #[diagnostic(
        code(agentgate::path::root),
        help("a change must name a file or directory inside the repository")
    )]
    RepoRoot { path: String },
}

/// Why a plan was rejected.
#[derive(Debug, Error, Diagnostic)]
pub enum PlanError {
    #[error("plan `{}` is too large: {bytes} bytes, the limit is {limit}", clean(.name))]
    #[diagnostic(
        code(agentgate::plan::too_large),
        help("a plan is a small JSON or YAML document; drop generated content from it")
    )]
    TooLarge {
        name: String,
        bytes: usize,
        limit: usize,
    },

    /// Empty input, `null` or a document of comments only: nothing says what the agent will do,
    /// and the gate fails closed rather than allowing it.
    #[error("plan `{}` is empty", clean(.name))]
    #[diagnostic(
        code(agentgate::plan::empty),
        help("a plan is a JSON or YAML object such as `{{\"changes\": [{{\"path\": \"src/a.rs\"}}]}}`; a plan that does nothing is `{{}}`")
    )]
    Empty { name: String },

    #[error("invalid {format} in `{}`{}: {}", clean(.name), at(*.line, *.column), clean(.message))]
    #[diagnostic(code(agentgate::plan::syntax))]
    Syntax {
        name: String,
        format: PlanFormat,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
        #[help]
        help: Option<String>,
    },

    #[error("plan `{}` is nested too deeply{}", clean(.name), at(*.line, *.column))]
    #[diagnostic(
        code(agentgate::plan::too_deep),
        help("a plan needs only a few levels of nesting; look for runaway brackets")
    )]
    TooDeep {
        name: String,
        line: Option<usize>,
        column: Option<usize>,
    },

    /// Well-formed JSON/YAML that does not match the plan contract.
    #[error("invalid plan `{}`{}: {}", clean(.name), at(*.line, *.column), clean(.message))]
    #[diagnostic(code(agentgate::plan::shape))]
    Shape {
        name: String,
        message: String,
        line: Option<usize>,
        column: Option<usize>,
        #[help]
        help: Option<String>,
    },

    #[error("changes[{index}] in `{}`{} is a {op} of `{}` without `from`", clean(.name), at(*.line, None), clean(.path))]
    #[diagnostic(
        code(agentgate::plan::missing_from),
        help("add `from` with the source path of the rename or copy")
    )]
    MissingFrom {
        name: String,
        index: usize,
        path: String,
        op: Op,
        line: Option<usize>,
    },

    #[error("changes[{index}] in `{}`{} has `from` but its op is `{op}`", clean(.name), at(*.line, None))]
    #[diagnostic(
        code(agentgate::plan::unexpected_from),
        help("only `rename` and `copy` changes take `from`; remove it or use one of those ops")
    )]
    UnexpectedFrom {
        name: String,
        index: usize,
        path: String,
        op: Op,
        line: Option<usize>,
    },

    #[error("commands[{index}] in `{}`{} has an empty `run`", clean(.name), at(*.line, None))]
    #[diagnostic(
        code(agentgate::plan::empty_command),
        help("`run` must hold the command line the agent will execute")
    )]
    EmptyCommand {
        name: String,
        index: usize,
        line: Option<usize>,
    },

    #[error("invalid path in `{field}` of `{}`{}", clean(.name), at(*.line, None))]
    #[diagnostic(
        code(agentgate::plan::path),
        help("paths must stay inside the repository: relative to its root (or absolute inside it), without climbing out via `..` or starting with `~`")
    )]
    Path {
        name: String,
        field: String,
        line: Option<usize>,
        source: PathError,
    },
}

/// Parse a plan. `name` is the file name shown in errors (`-` for stdin). Format: Json when the name ends
/// in .json, Yaml for .yaml/.yml, otherwise sniff: first non-space char `{` → Json, else Yaml.
/// After parsing, paths in changes (`path`, `from`) and `reads` are normalised with `locate(root, …)`
/// (a path outside the repository is kept as a fact: `~/.ssh/id_rsa`, `/tmp/x`);
/// the `line` fields are the 1-based line in `text` where that entry starts (best effort, None if not found).
pub fn parse_plan(text: &str, name: &str, root: &Path) -> Result<Plan, PlanError> {
    parse_with_limit(text, name, root, MAX_PLAN_BYTES)
}

fn parse_with_limit(text: &str, name: &str, root: &Path, limit: usize) -> Result<Plan, PlanError> {
    if text.len() > limit {
        return Err(PlanError::TooLarge {
            name: name.into(),
            bytes: text.len(),
            limit,
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lower = name.to_ascii_lowercase();
    let (format, sniffed) = if lower.ends_with(".json") {
        (PlanFormat::Json, false)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        (PlanFormat::Yaml, false)
    } else if text.trim_start().starts_with('{') {
        (PlanFormat::Json, true)
    } else {
        (PlanFormat::Yaml, true)
    };
    let ctx = Ctx {
        text,
        name,
        format,
        sniffed,
    };
    let raw = match format {
        PlanFormat::Json => serde_json::from_str::<Obj<RawPlan>>(text)
            .map(|o| o.0)
            .map_err(|e| ctx.json_error(&e))?,
        PlanFormat::Yaml => match ctx.parse_yaml()? {
            Some(raw) => raw,
            None => {
                return Err(PlanError::Empty {
                    name: name.to_string(),
                })
            }
        },
    };
    let lines = match format {
        PlanFormat::Json => json_lines(text),
        PlanFormat::Yaml => yaml_lines(text, &raw),
    };
    build(raw, name, root, &lines)
}

// ---------------------------------------------------------------------------
// Wire format: every struct position must be a map and every enum a plain string.

/// Deserialises `T` strictly: when `MAP`, only from a map (never serde's sequence form of a
/// struct); otherwise only from a plain string (never the map or tagged forms of an enum).
struct Strict<T, const MAP: bool>(T);
type Obj<T> = Strict<T, true>;

trait Expect {
    const WHAT: &'static str;
}

impl<'de, T: Deserialize<'de> + Expect, const MAP: bool> Deserialize<'de> for Strict<T, MAP> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Expect> Visitor<'de> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(T::WHAT)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
                T::deserialize(v.into_deserializer())
            }
        }
        let value = if MAP {
            d.deserialize_map(V(PhantomData))
        } else {
            d.deserialize_str(V(PhantomData))
        };
        value.map(Strict)
    }
}

fn word<'de, D: Deserializer<'de>, T: Deserialize<'de> + Expect>(d: D) -> Result<T, D::Error> {
    Strict::<T, false>::deserialize(d).map(|w| w.0)
}

/// An optional object; `null` or absent gives the default.
fn obj<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Expect + Default,
{
    Ok(Option::<Obj<T>>::deserialize(d)?.map_or_else(T::default, |o| o.0))
}

/// An optional list of objects; `null` or absent gives an empty list.
fn objs<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Expect,
{
    let list = Option::<Vec<Obj<T>>>::deserialize(d)?.unwrap_or_default();
    Ok(list.into_iter().map(|o| o.0).collect())
}

/// An optional list of strings: `None` when absent or `null`.
fn listed<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    Option::deserialize(d)
}

macro_rules! expect {
    ($($t:ty => $what:literal),* $(,)?) => { $(impl Expect for $t { const WHAT: &'static str = $what; })* };
}
expect! {
    RawPlan => "a plan object", Agent => "an agent object", Change => "a change object",
    Command => "a command object", Action => "an action object", Evidence => "an evidence object",
    Check => "a check object", Approval => "an approval object",
    Op => "an op name", ActionKind => "an action kind", CheckStatus => "a check status",
}

/// A plan as written, before validation and normalisation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    #[serde(default, deserialize_with = "obj")]
    agent: Agent,
    session: Option<String>,
    #[serde(default, deserialize_with = "objs")]
    changes: Vec<Change>,
    #[serde(default, deserialize_with = "objs")]
    commands: Vec<Command>,
    #[serde(default, deserialize_with = "listed")]
    reads: Option<Vec<String>>,
    #[serde(default, deserialize_with = "objs")]
    actions: Vec<Action>,
    #[serde(default, deserialize_with = "obj")]
    evidence: Evidence,
}

// ---------------------------------------------------------------------------
// Parsing and error mapping.

struct Ctx<'a> {
    text: &'a str,
    name: &'a str,
    format: PlanFormat,
    sniffed: bool,
}

impl Ctx<'_> {
    /// Maps a parser error (its message without the position) to a `PlanError`.
    fn error(
        &self,
        shape: bool,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    ) -> PlanError {
        let name = self.name.to_string();
        if message.starts_with("recursion limit exceeded") {
            return PlanError::TooDeep { name, line, column };
        }
        if !shape {
            let help = self.sniffed.then_some(match self.format {
                PlanFormat::Json => {
                    "the plan was read as JSON because it starts with `{`; name it `*.yaml` to read it as YAML"
                }
                PlanFormat::Yaml => {
                    "the plan was read as YAML because it does not start with `{`; name it `*.json` to read it as JSON"
                }
            });
            let (format, help) = (self.format, help.map(String::from));
            return PlanError::Syntax {
                name,
                format,
                line,
                column,
                message,
                help,
            };
        }
        let help = shape_help(&message);
        // The help lists the allowed fields or values; keep the message short.
        let message = match (&help, message.split_once(", expected ")) {
            (Some(h), Some((short, _))) if h.starts_with("allowed") => short.to_string(),
            _ => message,
        };
        PlanError::Shape {
            name,
            message,
            line,
            column,
            help,
        }
    }

    fn json_error(&self, e: &serde_json::Error) -> PlanError {
        let (line, column) = (e.line(), e.column());
        let full = e.to_string();
        let suffix = format!(" at line {line} column {column}");
        let mut message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        let shape = e.classify() == serde_json::error::Category::Data;
        if shape {
            // Locate the error in the document structure to prefix a field path.
            let offset = line_offset(self.text, line).saturating_add(column);
            let mut stack = scan_json(self.text, offset, |_, _| {});
            if message.starts_with("unknown field") || message.starts_with("duplicate field") {
                if let Some(Frame::Obj(key)) = stack.last_mut() {
                    *key = None; // report the object: the message names the field
                }
            }
            let path = render_path(&stack);
            if !path.is_empty() {
                message = format!("{path}: {message}");
            }
        }
        let nonzero = |n: usize| Some(n).filter(|&n| n > 0);
        self.error(shape, nonzero(line), nonzero(column), message)
    }

    /// `Ok(None)` for a null document (an empty file, `null`, comments only).
    fn parse_yaml(&self) -> Result<Option<RawPlan>, PlanError> {
        // Parsing to a `Value` first separates syntax errors from shape errors.
        let value: yaml_serde::Value =
            yaml_serde::from_str(self.text).map_err(|e| self.yaml_error(&e, false))?;
        if value.is_null() {
            return Ok(None);
        }
        if let Some(tag) = first_tag(&value).or_else(|| core_tag(self.text)) {
            let line = self.text.lines().position(|l| l.contains(&tag));
            return Err(self.error(
                true,
                line.map(|l| l + 1),
                None,
                format!("YAML tag `{tag}` is not accepted in a plan"),
            ));
        }
        let plan = yaml_serde::from_str::<Obj<RawPlan>>(self.text)
            .map_err(|e| self.yaml_error(&e, true))?;
        Ok(Some(plan.0))
    }

    fn yaml_error(&self, e: &yaml_serde::Error, shape: bool) -> PlanError {
        let loc = e.location().map(|l| (l.line(), l.column()));
        let mut message = e.to_string();
        if let Some((l, c)) = loc {
            message = message.replacen(&format!(" at line {l} column {c}"), "", 1);
        }
        let (mut line, mut column) = (loc.map(|l| l.0), loc.map(|l| l.1));
        // yaml_serde reports unknown fields at the start of their mapping; point at the key.
        if let (true, Some(field), Some(l)) =
            (shape, backticked_after(&message, "unknown field `"), line)
        {
            let key = |b: &str, a: &str| before_ok(b) && colon_value(a).is_some();
            if let Some(at) = find_token(self.text, line_offset(self.text, l), field, key) {
                let start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
                line = Some(self.text[..at].matches('\n').count() + 1);
                column = Some(self.text[start..at].chars().count() + 1);
            }
        }
        self.error(shape, line, column, message)
    }
}

fn shape_help(message: &str) -> Option<String> {
    let expected = |m: &str| {
        let list = m.split_once(", expected ")?.1;
        Some(
            list.strip_prefix("one of ")
                .unwrap_or(list)
                .replace("` or `", "`, `"),
        )
    };
    if message.contains("unknown field `") {
        expected(message).map(|l| format!("allowed fields here: {l}"))
    } else if message.contains("unknown variant `") {
        expected(message).map(|l| format!("allowed values: {l}"))
    } else if let Some(field) = backticked_after(message, "missing field `") {
        Some(format!("add the required field `{field}`"))
    } else if message.contains("duplicate field `") {
        Some("each field may appear only once".into())
    } else if message.contains("expected a plan object") {
        Some("a plan is an object with the optional fields `agent`, `session`, `changes`, `commands`, `reads`, `actions`, `evidence`".into())
    } else {
        None
    }
}

/// The first explicit tag (`!!binary`, `!custom`) in a YAML value: a plan is plain data, and a
/// tag can make a value mean something other than its text.
fn first_tag(value: &yaml_serde::Value) -> Option<String> {
    use yaml_serde::Value;
    match value {
        Value::Tagged(t) => Some(t.tag.to_string()),
        Value::Sequence(items) => items.iter().find_map(first_tag),
        Value::Mapping(map) => map
            .iter()
            .find_map(|(k, v)| first_tag(k).or_else(|| first_tag(v))),
        _ => None,
    }
}

/// A core-schema tag (`!!binary`, `!!str`) where a value starts. The parser resolves these
/// silently (a `!!binary` path would be checked as its base64 text), so they are found in the
/// text: after a line's indentation and `- ` markers, after `key: `, or after `[`, `{` or `,`.
fn core_tag(text: &str) -> Option<String> {
    let tag_at = |rest: &str| {
        let rest = rest.trim_start_matches([' ', '\t']);
        rest.starts_with("!!").then(|| {
            rest.split([' ', '\t', ',', ']', '}'])
                .next()
                .unwrap_or("!!")
                .to_string()
        })
    };
    text.lines().find_map(|line| {
        let mut rest = line.trim_start();
        while let Some(r) = rest.strip_prefix("- ") {
            rest = r.trim_start();
        }
        tag_at(rest).or_else(|| {
            let starts = line.match_indices([':', '[', '{', ',']);
            starts
                .filter(|(i, c)| *c != ":" || line[i + 1..].starts_with([' ', '\t']))
                .find_map(|(i, _)| tag_at(&line[i + 1..]))
        })
    })
}

/// The text between `prefix` and the next backtick, e.g. a field name in a serde message.
fn backticked_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    rest.split_once('`').map(|(word, _)| word)
}

fn build(raw: RawPlan, name: &str, root: &Path, lines: &Lines) -> Result<Plan, PlanError> {
    let line = |list: usize, i: usize| lines[list].get(i).copied().flatten();
    // The error's strings are only built for an error: this runs once per change.
    let norm = |raw: &str, field: &dyn Fn() -> String, line: Option<usize>, file: bool| match locate(
        root, raw,
    ) {
        Ok(p) if file && p.is_empty() => {
            let source = PathError::RepoRoot { path: raw.into() };
            Err(PlanError::Path {
                name: name.to_string(),
                field: field(),
                line,
                source,
            })
        }
        Ok(p) => Ok(p),
        Err(source) => Err(PlanError::Path {
            name: name.to_string(),
            field: field(),
            line,
            source,
        }),
    };
    let RawPlan {
        agent,
        session,
        mut changes,
        mut commands,
        reads,
        mut actions,
        evidence,
    } = raw;
    for (index, c) in changes.iter_mut().enumerate() {
        c.line = line(0, index);
        let (op, line) = (c.op, c.line);
        match (&c.from, matches!(op, Op::Rename | Op::Copy)) {
            (None, true) => {
                return Err(PlanError::MissingFrom {
                    name: name.to_string(),
                    index,
                    path: c.path.clone(),
                    op,
                    line,
                })
            }
            (Some(_), false) => {
                return Err(PlanError::UnexpectedFrom {
                    name: name.to_string(),
                    index,
                    path: c.path.clone(),
                    op,
                    line,
                })
            }
            _ => {}
        }
        if c.added.checked_add(c.removed).is_none() {
            let message = format!("changes[{index}]: `added` + `removed` does not fit in 64 bits");
            return Err(PlanError::Shape {
                name: name.to_string(),
                message,
                line,
                column: None,
                help: None,
            });
        }
        c.path = norm(&c.path, &|| format!("changes[{index}].path"), line, true)?;
        if let Some(from) = &mut c.from {
            *from = norm(from, &|| format!("changes[{index}].from"), line, true)?;
        }
    }
    for (index, c) in commands.iter_mut().enumerate() {
        c.line = line(1, index);
        if c.run.trim().is_empty() {
            return Err(PlanError::EmptyCommand {
                name: name.into(),
                index,
                line: c.line,
            });
        }
    }
    let reads_listed = reads.is_some();
    let reads = reads.unwrap_or_default();
    let mut plan_reads = Vec::with_capacity(reads.len());
    for (index, raw) in reads.iter().enumerate() {
        let line = line(2, index);
        let path = norm(raw, &|| format!("reads[{index}]"), line, false)?;
        plan_reads.push(Read { path, line });
    }
    for (index, a) in actions.iter_mut().enumerate() {
        a.line = line(3, index);
    }
    let reads = plan_reads;
    Ok(Plan {
        agent,
        session,
        changes,
        commands,
        reads,
        reads_listed,
        actions,
        evidence,
        commit: false,
    })
}

// ---------------------------------------------------------------------------
// Locating entries in the text.

mod locate;

use locate::*;

fn at(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}

/// User text for messages: control characters escaped so they cannot garble a terminal.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Paths.

/// Normalise a path from a plan to a repo-relative path with `/` separators:
/// backslashes → `/`; strip `./` and repeated/trailing slashes; resolve `.` and `..` lexically;
/// an absolute path inside `root` (compared lexically against `root`, and against `root.canonicalize()`
/// when that works) becomes relative; Unicode → NFC. The repo root itself is "" (empty).
/// Errors: a path that escapes the repo (`../x`, `/etc/passwd`, `a/../../x`, `~/x`), an empty path,
/// a path containing NUL.
/// Where a path of a plan is: the repository-relative path, or a path outside the repository
/// written the way agentgate keeps it (`~/.ssh/id_rsa`, `/tmp/x`, with `.` and `..` resolved).
pub fn locate(root: &Path, path: &str) -> Result<String, PathError> {
    match normalize_path(root, path) {
        Err(PathError::Escape { .. }) => outside(root, path),
        other => other,
    }
}

/// Whether a located path (or a glob) is outside the repository: it starts with `~` or `/`.
pub fn is_outside(path: &str) -> bool {
    path.starts_with('~') || path.starts_with('/')
}

/// A path outside the repository, normalised lexically: `~/…` stays home-relative; absolute
/// paths stay absolute; a relative path that climbs out (`../x`) is made absolute from the
/// root. A drive (`C:`) or a `~user` home is not read: it stays an error.
fn outside(root: &Path, path: &str) -> Result<String, PathError> {
    let escape = || PathError::Escape { path: path.into() };
    let unified: String = path
        .nfc()
        .map(|c| if c == '\\' { '/' } else { c })
        .collect();
    // A Windows drive (`C:\x`) is neither in this repository nor a path on this machine.
    if unified
        .trim_start_matches('/')
        .split('/')
        .next()
        .is_some_and(is_drive)
    {
        return Err(escape());
    }
    if let Some(rest) = unified.strip_prefix('~') {
        if !(rest.is_empty() || rest.starts_with('/')) {
            return Err(escape());
        }
        let (_, segments) = lexical(rest.trim_start_matches('/')).ok_or_else(escape)?;
        return Ok(if segments.is_empty() {
            "~".into()
        } else {
            format!("~/{}", segments.join("/"))
        });
    }
    let absolute = if unified.starts_with('/') {
        unified
    } else {
        let base = match root.is_absolute() {
            true => root.to_path_buf(),
            false => std::env::current_dir().map_err(|_| escape())?.join(root),
        };
        format!("{}/{unified}", base.to_string_lossy().replace('\\', "/"))
    };
    match lexical(&absolute) {
        Some((Some(a), segments)) if a == "/" => {
            let abs = format!("/{}", segments.join("/"));
            // A path outside only by its spelling — through a symlink into the repository — is
            // the repository's path: protected under that name too.
            Ok(through_link(root, &abs).unwrap_or(abs))
        }
        _ => Err(escape()),
    }
}

/// The repository path an absolute path reaches through symlinks on disk, when it does: its
/// nearest existing ancestor is resolved, and the rest appended.
fn through_link(root: &Path, abs: &str) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let mut existing = Path::new(abs).to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    let resolved = loop {
        if let Ok(c) = existing.canonicalize() {
            break c;
        }
        rest.push(existing.file_name()?.to_os_string());
        existing = existing.parent()?.to_path_buf();
    };
    let inside = resolved.strip_prefix(&root).ok()?;
    let mut rel: Vec<String> = inside
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    rel.extend(rest.iter().rev().map(|s| s.to_string_lossy().into_owned()));
    Some(rel.join("/"))
}

pub fn normalize_path(root: &Path, path: &str) -> Result<String, PathError> {
    if is_plain(path) {
        return Ok(path.to_string());
    }
    normalize_general(root, path)
}

fn normalize_general(root: &Path, path: &str) -> Result<String, PathError> {
    if path.is_empty() {
        return Err(PathError::Empty);
    }
    if path.contains('\0') {
        return Err(PathError::Nul { path: path.into() });
    }
    let escape = || PathError::Escape { path: path.into() };
    let unified: String = path
        .nfc()
        .map(|c| if c == '\\' { '/' } else { c })
        .collect();
    let (anchor, segments) = lexical(&unified).ok_or_else(escape)?;
    // A leading `~` means a home directory to shells and many tools, never the repository.
    // So does a first segment that reads as a drive: `/repo/G:` inside the repository `/repo`
    // would become `G:`, an absolute Windows path (found by fuzzing).
    let relative = |segments: &[&str]| match segments.first() {
        Some(first) if first.starts_with('~') || is_drive(first) => Err(escape()),
        _ => Ok(segments.join("/")),
    };
    let Some(anchor) = anchor else {
        return relative(&segments);
    };
    let lexical_root = match root.is_absolute() {
        true => Some(root.to_path_buf()),
        false => std::env::current_dir().ok().map(|dir| dir.join(root)),
    };
    // The canonical root is only computed when the lexical comparison fails.
    let canonical_root = std::iter::once_with(|| root.canonicalize().ok());
    for root in std::iter::once(lexical_root)
        .chain(canonical_root)
        .flatten()
    {
        let root: String = root
            .to_string_lossy()
            .nfc()
            .map(|c| if c == '\\' { '/' } else { c })
            .collect();
        let root = root.strip_prefix("//?/").unwrap_or(&root); // Windows verbatim prefix
        if let Some((Some(root_anchor), root_segments)) = lexical(root) {
            if root_anchor.eq_ignore_ascii_case(&anchor) && segments.starts_with(&root_segments) {
                return relative(&segments[root_segments.len()..]);
            }
        }
    }
    Err(escape())
}

/// A path that is already normal: relative ASCII with no backslash or NUL, no empty, `.` or `..` segment,
/// no `~` first and no `:` in its first segment (a drive). Most paths of a plan are; the
/// general path below would return them unchanged.
fn is_plain(path: &str) -> bool {
    !path.is_empty()
        && path.is_ascii()
        && !path.starts_with('~')
        && !path.contains(['\\', '\0'])
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
        && !path
            .split('/')
            .next()
            .is_some_and(|first| first.contains(':'))
}

/// Splits a `/`-separated path into its anchor (`"/"` or a drive like `"C:"`; None when relative)
/// and segments with `.` and `..` resolved. None when a relative path climbs above its start.
fn lexical(path: &str) -> Option<(Option<String>, Vec<&str>)> {
    let mut parts = path.split('/').peekable();
    let anchor = match parts.peek() {
        Some(&"") if path.starts_with('/') => Some("/".to_string()),
        Some(d) if d.len() == 2 && d.ends_with(':') && d.as_bytes()[0].is_ascii_alphabetic() => {
            Some(d.to_ascii_uppercase())
        }
        _ => None,
    };
    if anchor.as_deref().is_some_and(|a| a != "/") {
        parts.next();
    }
    let mut segments = Vec::new();
    for part in parts {
        match part {
            "" | "." => {}
            ".." => {
                if segments.pop().is_none() && anchor.is_none() {
                    return None;
                }
            }
            _ => segments.push(part),
        }
    }
    // A relative path whose first segment reads as a drive (`./C:` → `C:`) would turn into an
    // absolute Windows path once written out: refuse it rather than change meaning (found by
    // fuzzing: `./x:` normalised to `x:`, which no longer normalised).
    if anchor.is_none() && segments.first().is_some_and(|d| is_drive(d)) {
        return None;
    }
    Some((anchor, segments))
}

/// `C:`: a Windows drive.
fn is_drive(segment: &str) -> bool {
    segment.len() == 2 && segment.ends_with(':') && segment.as_bytes()[0].is_ascii_alphabetic()
}

#[cfg(test)]
mod tests;
