//! Every glob of a policy in one matcher, compiled once per policy, and the per-plan index of
//! which writes and reads each rule's glob list matches.
//!
//! A rule's globs come in lists (`paths`, `except`, `when_paths`, …). Equal lists are shared,
//! equal globs are compiled once, and the set of all of them is one [`GlobSet`]: one query per
//! path finds every list it matches, so checking a plan costs one matcher query per change plus
//! the matches, whatever the number of rules.

use std::collections::HashMap;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use super::facts::{Facts, WriteFact};
use super::matchers;
use crate::ir::{Rule, RuleBody, WriteOp};

/// A glob list of the policy.
pub type ListId = u32;

/// The glob lists of a rule, in the order of [`glob_lists`].
pub type RuleLists = [ListId; 2];

/// A rule's glob lists: `[paths, except]` for path and read denials, `[paths, when_paths]` for
/// required reads, `[when_paths, then_paths]` for co-changes, `[paths or when_paths, none]` for
/// the rest.
pub fn glob_lists(body: &RuleBody) -> [&[String]; 2] {
    match body {
        RuleBody::PathDeny { paths, except, .. } | RuleBody::ReadDeny { paths, except } => {
            [paths, except]
        }
        RuleBody::RequiredRead {
            paths, when_paths, ..
        } => [paths, when_paths],
        RuleBody::CoChange {
            when_paths,
            then_paths,
            ..
        } => [when_paths, then_paths],
        RuleBody::RequiredCheck { when_paths, .. } => [when_paths, &[]],
        RuleBody::Generated { paths, .. }
        | RuleBody::ReviewRequirement { paths, .. }
        | RuleBody::RiskClass { paths, .. } => [paths, &[]],
        _ => [&[], &[]],
    }
}

/// The combined matcher of a policy's glob lists.
#[derive(Debug, Clone)]
pub struct PathIndex {
    set: GlobSet,
    /// For each glob of `set`, the lists that hold it.
    glob_lists: Vec<Vec<ListId>>,
    /// Lists holding the `:code` marker (every file that is not documentation).
    code_lists: Vec<ListId>,
    /// The literal prefix (up to the first wildcard) of every glob, with its list, sorted: to
    /// see whether a deleted folder holds a match.
    prefixes: Vec<(String, ListId)>,
    /// Per list: no globs and no marker.
    empty: Vec<bool>,
    /// Per list: at least one glob (not counting the marker).
    has_globs: Vec<bool>,
    /// Per list: why it does not compile.
    errors: Vec<Option<String>>,
}

impl PathIndex {
    /// Compile the glob lists of `rules`; returns the index and each rule's lists. A list that
    /// does not compile matches nothing and reports its error when a rule using it is checked.
    pub fn build(rules: &[Rule]) -> (PathIndex, Vec<RuleLists>) {
        let mut ids: HashMap<&[String], ListId> = HashMap::new();
        let mut lists: Vec<&[String]> = Vec::new();
        let per_rule = rules
            .iter()
            .map(|r| {
                glob_lists(&r.body).map(|l| {
                    *ids.entry(l).or_insert_with(|| {
                        lists.push(l);
                        (lists.len() - 1) as ListId
                    })
                })
            })
            .collect();
        (PathIndex::from_lists(&lists), per_rule)
    }

    fn from_lists(lists: &[&[String]]) -> PathIndex {
        let mut b = GlobSetBuilder::new();
        let mut glob_ids: HashMap<&str, usize> = HashMap::new();
        let mut idx = PathIndex {
            set: GlobSet::empty(),
            glob_lists: Vec::new(),
            code_lists: Vec::new(),
            prefixes: Vec::new(),
            empty: Vec::with_capacity(lists.len()),
            has_globs: Vec::with_capacity(lists.len()),
            errors: Vec::with_capacity(lists.len()),
        };
        for (id, list) in lists.iter().enumerate() {
            let id = id as ListId;
            // The whole list fails when one glob does (as one `GlobSet` per rule did).
            let built: Result<Vec<_>, _> = list
                .iter()
                .filter(|g| *g != ":code")
                .map(|g| {
                    GlobBuilder::new(g)
                        .literal_separator(true)
                        .backslash_escape(true)
                        .build()
                        .map(|built| (g.as_str(), built))
                })
                .collect();
            let built = match built {
                Ok(b) => b,
                Err(e) => {
                    idx.empty.push(true);
                    idx.has_globs.push(false);
                    idx.errors.push(Some(e.to_string()));
                    continue;
                }
            };
            let code = list.iter().any(|g| g == ":code");
            if code {
                idx.code_lists.push(id);
            }
            idx.empty.push(built.is_empty() && !code);
            idx.has_globs.push(!built.is_empty());
            idx.errors.push(None);
            for (text, glob) in built {
                let g = *glob_ids.entry(text).or_insert_with(|| {
                    b.add(glob);
                    idx.glob_lists.push(Vec::new());
                    idx.glob_lists.len() - 1
                });
                if !idx.glob_lists[g].contains(&id) {
                    idx.glob_lists[g].push(id);
                }
                let lit: String = text
                    .chars()
                    .take_while(|c| !matches!(c, '*' | '?' | '[' | '{'))
                    .collect();
                idx.prefixes.push((lit, id));
            }
        }
        idx.prefixes.sort();
        idx.prefixes.dedup();
        // Every glob compiled on its own above, so the set compiles too; if it ever did not,
        // matching nothing would be wrong silently, so record it on every list.
        match b.build() {
            Ok(set) => idx.set = set,
            Err(e) => idx.errors.iter_mut().for_each(|x| *x = Some(e.to_string())),
        }
        idx
    }

    /// Why a list does not compile.
    pub fn error(&self, list: ListId) -> Option<&str> {
        self.errors[list as usize].as_deref()
    }

    /// A list with no globs: `when_paths` not given.
    pub fn is_empty(&self, list: ListId) -> bool {
        self.empty[list as usize]
    }

    /// The lists `path` matches, sorted (`globs` is scratch space).
    fn lists_of(&self, path: &str, globs: &mut Vec<usize>, out: &mut Vec<ListId>) {
        out.clear();
        self.set.matches_into(path, globs);
        for g in globs.iter() {
            out.extend_from_slice(&self.glob_lists[*g]);
        }
        if !self.code_lists.is_empty() && matchers::is_code(path) {
            out.extend_from_slice(&self.code_lists);
        }
        out.sort_unstable();
        out.dedup();
    }

    /// The lists that deleting or moving `dir` as a folder touches (see `Globs::matches_under`):
    /// added to `out`, unsorted.
    fn lists_under(&self, dir: &str, scratch: &mut Scratch) {
        if dir.is_empty() {
            for (id, has) in self.has_globs.iter().enumerate() {
                if *has {
                    scratch.lists.push(id as ListId);
                }
            }
            return;
        }
        scratch.probe.clear();
        scratch.probe.push_str(dir);
        scratch.probe.push('/');
        let start = self
            .prefixes
            .partition_point(|(p, _)| p.as_str() < scratch.probe.as_str());
        for (p, id) in &self.prefixes[start..] {
            if !p.starts_with(scratch.probe.as_str()) {
                break;
            }
            scratch.lists.push(*id);
        }
        scratch.probe.push_str("__agentgate_probe__");
        self.set
            .matches_into(scratch.probe.as_str(), &mut scratch.globs);
        for g in &scratch.globs {
            scratch.lists.extend_from_slice(&self.glob_lists[*g]);
        }
    }

    /// Which writes and reads of a plan each list matches.
    pub fn hits(&self, f: &Facts) -> Hits {
        let n = self.empty.len();
        let mut hits = Hits {
            writes: vec![Vec::new(); n],
            under: vec![Vec::new(); n],
            reads: vec![Vec::new(); n],
        };
        if self.set.is_empty() && self.code_lists.is_empty() {
            return hits;
        }
        // Large plans are matched in parallel chunks; the chunks are merged in order, so every
        // list's hits stay in ascending order whatever the thread count.
        const CHUNK: usize = 4096;
        let chunks: Vec<Pairs> = if f.writes.len() > CHUNK {
            f.writes
                .par_chunks(CHUNK)
                .enumerate()
                .map(|(k, ws)| self.match_writes(ws, k * CHUNK))
                .collect()
        } else {
            vec![self.match_writes(&f.writes, 0)]
        };
        for c in chunks {
            for (l, w) in c.writes {
                hits.writes[l as usize].push(w);
            }
            for (l, w) in c.under {
                hits.under[l as usize].push(w);
            }
        }
        let mut s = Scratch::default();
        for (i, (path, _, _)) in f.reads.iter().enumerate() {
            self.lists_of(path, &mut s.globs, &mut s.lists);
            for l in &s.lists {
                hits.reads[*l as usize].push(i as u32);
            }
        }
        hits
    }

    fn match_writes(&self, writes: &[WriteFact], offset: usize) -> Pairs {
        let mut out = Pairs::default();
        let mut s = Scratch::default();
        for (i, w) in writes.iter().enumerate() {
            let i = (offset + i) as u32;
            self.lists_of(&w.path, &mut s.globs, &mut s.lists);
            out.writes.extend(s.lists.iter().map(|l| (*l, i)));
            if matches!(w.op, WriteOp::Delete | WriteOp::Rename) {
                self.lists_under(&w.path, &mut s);
                s.lists.sort_unstable();
                s.lists.dedup();
                out.under.extend(s.lists.iter().map(|l| (*l, i)));
            }
        }
        out
    }
}

/// Buffers reused from one path to the next.
#[derive(Default)]
struct Scratch {
    globs: Vec<usize>,
    lists: Vec<ListId>,
    probe: String,
}

/// (list, write) matches of a chunk of writes, in write order.
#[derive(Default)]
struct Pairs {
    writes: Vec<(ListId, u32)>,
    under: Vec<(ListId, u32)>,
}

/// Per list, the indices (ascending) of the plan's writes and reads it matches.
#[derive(Debug, Default)]
pub struct Hits {
    writes: Vec<Vec<u32>>,
    /// Deleted or moved writes whose path, as a folder, holds a match (their own path
    /// matching included).
    under: Vec<Vec<u32>>,
    reads: Vec<Vec<u32>>,
}

impl Hits {
    /// The writes whose path matches the list.
    pub fn writes(&self, list: ListId) -> &[u32] {
        &self.writes[list as usize]
    }

    /// Whether write `w` matches the list.
    pub fn write_matches(&self, list: ListId, w: usize) -> bool {
        self.writes[list as usize]
            .binary_search(&(w as u32))
            .is_ok()
    }

    /// The deleted or moved writes that touch a match of the list.
    pub fn under(&self, list: ListId) -> &[u32] {
        &self.under[list as usize]
    }

    /// The reads whose path matches the list.
    pub fn reads(&self, list: ListId) -> &[u32] {
        &self.reads[list as usize]
    }

    /// Whether read `r` matches the list.
    pub fn read_matches(&self, list: ListId, r: usize) -> bool {
        self.reads[list as usize].binary_search(&(r as u32)).is_ok()
    }
}

#[cfg(test)]
mod tests;
