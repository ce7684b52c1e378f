//! What a command's path word stands for once the shell has expanded it.
//!
//! The shell expands braces (`docs/{SSOT,x}`) before anything runs, and a glob word
//! (`docs/SS*`, `.e*`, `*`) into the paths it matches. A rule about `docs/SSOT/**` must see
//! `rm -rf docs/SS*` as deleting `docs/SSOT`, so a word is expanded here, the same way for both
//! engines, against:
//!
//! - the repository's tree, when it is on disk (exactly what the shell would match), and
//! - probe paths made from the policy's own globs (`docs/SSOT/**` gives `docs/SSOT` and
//!   `docs/SSOT/*`; `**/.env` gives `.env`), so that a glob that could match a
//!   protected path counts as touching it even where the tree does not hold one yet.
//!
//! A glob that matches nothing is left as written (what the shell passes on). Expansion is
//! bounded: [`MAX_BRACES`] words per brace expression and [`MAX_MATCHES`] paths per glob.

use std::path::Path;

use globset::GlobBuilder;

/// At most this many words from one brace expression.
pub const MAX_BRACES: usize = 256;
/// At most this many paths from one glob word.
pub const MAX_MATCHES: usize = 10_000;
/// At most this many entries read from the repository's tree.
const MAX_TREE: usize = 200_000;

/// The words a brace expression stands for (`a/{b,c}/d` → `a/b/d`, `a/c/d`; nested and
/// sequential braces too). A word without a well-formed `{x,y}` is itself.
pub fn braces(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    expand_braces(word, &mut out);
    if out.is_empty() {
        out.push(word.to_string());
    }
    out
}

fn expand_braces(word: &str, out: &mut Vec<String>) {
    if out.len() >= MAX_BRACES {
        return;
    }
    let Some((open, close, parts)) = first_group(word) else {
        out.push(word.to_string());
        return;
    };
    for part in parts {
        let next = format!("{}{}{}", &word[..open], part, &word[close + 1..]);
        expand_braces(&next, out);
        if out.len() >= MAX_BRACES {
            return;
        }
    }
}

/// The first `{…,…}` group at depth 0: its bounds and its comma-separated parts (a group with
/// no comma at its own depth is literal, as in bash).
fn first_group(word: &str) -> Option<(usize, usize, Vec<&str>)> {
    let bytes = word.as_bytes();
    let mut start = 0;
    while let Some(rel) = word[start..].find('{') {
        let open = start + rel;
        let mut depth = 0;
        let mut commas = Vec::new();
        for (k, b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        if commas.is_empty() {
                            break;
                        }
                        let mut parts = Vec::new();
                        let mut from = open + 1;
                        for c in &commas {
                            parts.push(&word[from..*c]);
                            from = c + 1;
                        }
                        parts.push(&word[from..k]);
                        return Some((open, k, parts));
                    }
                }
                b',' if depth == 1 => commas.push(k),
                _ => {}
            }
        }
        start = open + 1;
    }
    None
}

/// Whether the shell would expand this word as a glob.
pub fn is_glob(word: &str) -> bool {
    word.contains(['*', '?', '['])
}

/// Expands glob words against the tree and the policy's probes. Both are made on first use:
/// most plans have no glob word and pay for neither.
#[derive(Debug)]
pub struct Expander<'a> {
    /// Relative paths of the repository's files and folders.
    tree: Option<Vec<String>>,
    root: &'a Path,
    policy_globs: &'a [&'a str],
    /// Probe paths from the policy's globs, with their folders.
    probes: Option<Vec<String>>,
}

impl<'a> Expander<'a> {
    pub fn new(root: &'a Path, policy_globs: &'a [&'a str]) -> Expander<'a> {
        Expander {
            tree: None,
            root,
            policy_globs,
            probes: None,
        }
    }

    /// The repository paths a glob word (relative to the repository) stands for, sorted; the
    /// word itself when it matches nothing or is not a glob.
    pub fn expand(&mut self, word: &str) -> Vec<String> {
        if !is_glob(word) {
            return vec![word.to_string()];
        }
        let Ok(glob) = GlobBuilder::new(word)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
        else {
            return vec![word.to_string()];
        };
        let m = glob.compile_matcher();
        // A leading dot must be written to match (`*` does not match `.env`; `.e*` does).
        let segments: Vec<&str> = word.split('/').collect();
        let dotted = |p: &str| {
            p.split('/')
                .zip(segments.iter())
                .all(|(seg, w)| !seg.starts_with('.') || w.starts_with('.') || *w == "**")
        };
        self.tree();
        self.probes();
        let tree = self.tree.as_deref().unwrap_or_default();
        let probes = self.probes.as_deref().unwrap_or_default();
        let mut out: Vec<String> = tree
            .iter()
            .chain(probes)
            .filter(|p| m.is_match(p.as_str()) && dotted(p))
            .take(MAX_MATCHES)
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        if out.is_empty() {
            // `docs/SS*/new.md`: a new file under a folder the glob matches.
            if let Some((dir, rest)) = word.rsplit_once('/') {
                if is_glob(dir) && !is_glob(rest) {
                    let dirs = self.expand(dir);
                    if dirs != [dir] {
                        return dirs.into_iter().map(|d| format!("{d}/{rest}")).collect();
                    }
                }
            }
            out.push(word.to_string());
        }
        out
    }

    /// Whether `path` is a folder: in the tree, or the base of a policy glob.
    pub fn is_dir(&mut self, path: &str) -> bool {
        let probe = format!("{}/", path.trim_end_matches('/'));
        self.probes();
        let probes = self.probes.as_deref().unwrap_or_default();
        probes.iter().any(|p| p.starts_with(&probe))
            || !path.is_empty() && self.root.join(path).is_dir()
    }

    /// Reads the tree on first use.
    fn tree(&mut self) {
        if self.tree.is_none() {
            let root = self.root;
            let walk = walkdir::WalkDir::new(root)
                .min_depth(1)
                .follow_links(false)
                .into_iter()
                .filter_entry(|e| e.file_name() != ".git");
            let paths = walk
                .flatten()
                .take(MAX_TREE)
                .filter_map(|entry| {
                    let rel = entry.path().strip_prefix(root).ok()?;
                    Some(rel.to_str()?.replace('\\', "/"))
                })
                .collect();
            self.tree = Some(paths);
        }
    }

    /// Makes the probes on first use.
    fn probes(&mut self) {
        if self.probes.is_none() {
            let mut probes: Vec<String> = self
                .policy_globs
                .iter()
                .flat_map(|g| probes_of(g))
                .collect();
            probes.sort();
            probes.dedup();
            self.probes = Some(probes);
        }
    }
}

/// Concrete paths a policy glob matches, and the folders above them: `docs/SSOT/**` →
/// `docs`, `docs/SSOT`, `docs/SSOT/*`; `**/*.pem` → `*.pem`.
fn probes_of(glob: &str) -> Vec<String> {
    if glob.starts_with(':') || glob.starts_with('/') || glob.starts_with('~') {
        return Vec::new();
    }
    let mut out = Vec::new();
    for g in braces(glob) {
        let mut segs: Vec<String> = Vec::new();
        for seg in g.split('/') {
            if seg == "**" {
                continue;
            }
            let mut s = String::new();
            let mut class = false;
            for c in seg.chars() {
                match c {
                    '[' => {
                        class = true;
                        s.push('x');
                    }
                    ']' => class = false,
                    _ if class => {}
                    '*' => s.push_str("*"),
                    '?' => s.push('x'),
                    _ => s.push(c),
                }
            }
            segs.push(s);
        }
        if g.ends_with("/**") || g == "**" {
            segs.push("*".into());
        }
        for k in 1..=segs.len() {
            out.push(segs[..k].join("/"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_expand_in_order_and_nest() {
        assert_eq!(braces("docs/{SSOT,x}"), ["docs/SSOT", "docs/x"]);
        assert_eq!(braces("{a,b}{1,2}"), ["a1", "a2", "b1", "b2"]);
        assert_eq!(braces("a{b,{c,d}}e"), ["abe", "ace", "ade"]);
        assert_eq!(braces("a{b}c"), ["a{b}c"]);
        assert_eq!(braces("plain"), ["plain"]);
        assert_eq!(braces("${HOME}/x"), ["${HOME}/x"]);
        let many = "{a,b}".repeat(20);
        assert_eq!(braces(&many).len(), MAX_BRACES);
    }

    #[test]
    fn globs_match_the_policys_probes() {
        let mut x = Expander::new(
            Path::new("/nonexistent"),
            &["docs/SSOT/**", "**/.env", "**/*.pem"],
        );
        assert_eq!(x.expand("docs/SS*"), ["docs/SSOT"]);
        assert_eq!(x.expand(".e*"), [".env"]);
        assert_eq!(x.expand("*.pe?"), ["*.pem"]);
        assert!(x.expand("*").contains(&"docs".to_string()));
        // `*` does not match a dotfile; an unmatched glob stays as written.
        assert!(!x.expand("*").contains(&".env".to_string()));
        assert_eq!(x.expand("src/*.rs"), ["src/*.rs"]);
        assert_eq!(x.expand("README.md"), ["README.md"]);
        assert!(x.is_dir("docs/SSOT"));
        assert!(!x.is_dir("docs/SSOT/a.md"));
    }

    #[test]
    fn globs_match_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src/deep")).unwrap();
        std::fs::write(dir.path().join("src/a.rs"), "").unwrap();
        std::fs::write(dir.path().join("src/deep/b.rs"), "").unwrap();
        let mut x = Expander::new(dir.path(), &[]);
        assert_eq!(x.expand("src/*.rs"), ["src/a.rs"]);
        assert_eq!(x.expand("src/**/*.rs"), ["src/a.rs", "src/deep/b.rs"]);
        assert!(x.is_dir("src/deep"));
    }
}
