//! Policy sources: the root `AGENTS.md`, nested `AGENTS.md` files and markdown under `docs/SSOT/`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::Diagnostic;
use thiserror::Error;

/// Largest policy file read (8 MiB); bigger files are an error, not a silent truncation.
pub const MAX_SOURCE_BYTES: u64 = 8 * 1024 * 1024;

/// Folders never searched for nested `AGENTS.md` files.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    ".venv",
    "venv",
    "__pycache__",
    ".hg",
    ".agentgate",
];

/// One markdown policy file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Repository-relative path with `/` separators.
    pub path: String,
    pub text: Arc<str>,
    /// The subtree this file governs: "" for the root file and SSOT documents, `pkg/` for `pkg/AGENTS.md`.
    pub scope: String,
    /// The repository path this source is a symbolic link to (`AGENTS.md -> CLAUDE.md`):
    /// protected like the source itself.
    pub linked_to: Option<String>,
}

impl SourceFile {
    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }
}

#[derive(Debug, Error, Diagnostic)]
pub enum SourceError {
    #[error("policy root `{path}` is not a directory")]
    #[diagnostic(
        code(agentgate::source::root),
        help("pass the repository folder with `--root DIR`")
    )]
    NotADirectory { path: String },
    #[error("cannot read policy file `{path}`: {message}")]
    #[diagnostic(
        code(agentgate::source::io),
        help("agentgate fails closed: fix the file's permissions or remove it")
    )]
    Io { path: String, message: String },
    #[error("invalid `agentgate.toml`: {message}")]
    #[diagnostic(code(agentgate::source::config), help("the only setting is `[policy] dir = \".agentgate/policy\"` (the folder of custom .rego policies)"))]
    Config { message: String },
    #[error("policy file `{path}` is not valid UTF-8")]
    #[diagnostic(code(agentgate::source::encoding), help("save the file as UTF-8"))]
    NotUtf8 { path: String },
    #[error("policy file `{path}` is {bytes} bytes, more than the limit of {limit}")]
    #[diagnostic(
        code(agentgate::source::size),
        help("split the document; policy files this large are almost certainly not prose")
    )]
    TooLarge {
        path: String,
        bytes: u64,
        limit: u64,
    },
    #[error("policy file `{path}` is a symbolic link to `{target}`, outside the repository")]
    #[diagnostic(
        code(agentgate::source::link),
        help("agentgate follows a linked AGENTS.md only inside the repository (`AGENTS.md -> CLAUDE.md`); copy the file in, or link to a file in the repository")
    )]
    LinkOutside { path: String, target: String },
}

/// `agentgate.toml` at the root (optional).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub policy: PolicyConfig,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Folder of custom `.rego` policies, relative to the root.
    #[serde(default = "default_policy_dir")]
    pub dir: String,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            dir: default_policy_dir(),
        }
    }
}

fn default_policy_dir() -> String {
    ".agentgate/policy".into()
}

/// Read `agentgate.toml` if there is one.
pub fn config(root: &Path) -> Result<Config, SourceError> {
    let path = root.join("agentgate.toml");
    if !path.exists() {
        return Ok(Config::default());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| SourceError::Io {
        path: "agentgate.toml".into(),
        message: e.to_string(),
    })?;
    toml::from_str(&text).map_err(|e| SourceError::Config {
        message: e.to_string().trim().to_string(),
    })
}

/// Find and read every policy source under `root`, sorted by path (root `AGENTS.md` first),
/// then the custom `.rego` policies of the policy folder.
pub fn discover(root: &Path) -> Result<Vec<SourceFile>, SourceError> {
    let mut sources = discover_markdown(root)?;
    let cfg = config(root)?;
    let dir = root.join(&cfg.policy.dir);
    if dir.is_dir() {
        let mut rego: Vec<(String, PathBuf)> = walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rego")
            })
            .filter(|e| !e.path().to_string_lossy().ends_with("_test.rego"))
            .filter_map(|e| {
                e.path().strip_prefix(root).ok().map(|r| {
                    (
                        r.to_string_lossy().replace('\\', "/"),
                        e.path().to_path_buf(),
                    )
                })
            })
            .collect();
        rego.sort();
        for (rel, abs) in rego {
            sources.push(read_source(rel, &abs)?);
        }
    }
    Ok(sources)
}

fn discover_markdown(root: &Path) -> Result<Vec<SourceFile>, SourceError> {
    if !root.is_dir() {
        return Err(SourceError::NotADirectory {
            path: root.display().to_string(),
        });
    }
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    let mut linked: Vec<(String, String)> = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    for entry in walker.filter_entry(|e| {
        e.depth() == 0
            || !(e.file_type().is_dir()
                && SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
    }) {
        let entry = entry.map_err(|e| SourceError::Io {
            path: e
                .path()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            message: e.to_string(),
        })?;
        let link = entry.file_type().is_symlink();
        if !entry.file_type().is_file() && !link {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if !is_policy_path(&rel) {
            continue;
        }
        // `AGENTS.md -> CLAUDE.md`: a linked source is read through its link, never dropped;
        // a link that leaves the repository or leads nowhere is an error (fail closed).
        if link {
            let target = std::fs::canonicalize(entry.path()).map_err(|e| SourceError::Io {
                path: rel.clone(),
                message: format!("broken symbolic link: {e}"),
            })?;
            let real_root = std::fs::canonicalize(root).map_err(|e| SourceError::Io {
                path: rel.clone(),
                message: format!("cannot resolve the repository root: {e}"),
            })?;
            let Ok(to) = target.strip_prefix(&real_root) else {
                return Err(SourceError::LinkOutside {
                    path: rel,
                    target: target.display().to_string(),
                });
            };
            if !target.is_file() {
                continue;
            }
            linked.push((rel.clone(), to.to_string_lossy().replace('\\', "/")));
        }
        found.push((rel, entry.path().to_path_buf()));
    }
    found.sort_by_key(|a| source_order(&a.0));
    found
        .into_iter()
        .map(|(rel, abs)| {
            let mut src = read_source(rel, &abs)?;
            src.linked_to = linked
                .iter()
                .find(|(from, _)| *from == src.path)
                .map(|(_, to)| to.clone());
            Ok(src)
        })
        .collect()
}

/// Whether a repository-relative path is a policy source.
pub fn is_policy_path(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name == "AGENTS.md"
        || (rel.starts_with("docs/SSOT/") && (rel.ends_with(".md") || rel.ends_with(".markdown")))
}

fn source_order(rel: &str) -> (u8, usize, String) {
    let rank = if rel == "AGENTS.md" {
        0
    } else if rel.starts_with("docs/SSOT/") {
        1
    } else {
        2
    };
    (rank, rel.matches('/').count(), rel.to_string())
}

fn read_source(rel: String, abs: &Path) -> Result<SourceFile, SourceError> {
    let meta = std::fs::metadata(abs).map_err(|e| SourceError::Io {
        path: rel.clone(),
        message: e.to_string(),
    })?;
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(SourceError::TooLarge {
            path: rel,
            bytes: meta.len(),
            limit: MAX_SOURCE_BYTES,
        });
    }
    let bytes = std::fs::read(abs).map_err(|e| SourceError::Io {
        path: rel.clone(),
        message: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| SourceError::NotUtf8 { path: rel.clone() })?;
    let scope = match rel.strip_suffix("AGENTS.md") {
        Some(dir) if !rel.starts_with("docs/SSOT/") && (dir.is_empty() || dir.ends_with('/')) => {
            dir.to_string()
        }
        _ => String::new(),
    };
    Ok(SourceFile {
        path: rel,
        text: Arc::from(text),
        scope,
        linked_to: None,
    })
}

/// A source from text, for tests and for policies given on stdin.
pub fn from_text(path: &str, text: &str) -> SourceFile {
    let scope =
        if path == "AGENTS.md" || path.starts_with("docs/SSOT/") || !path.ends_with("AGENTS.md") {
            String::new()
        } else {
            path[..path.len() - "AGENTS.md".len()].to_string()
        };
    SourceFile {
        path: path.to_string(),
        text: Arc::from(text),
        scope,
        linked_to: None,
    }
}
