//! Rule ids and the policy digest: explicit ids (`NX-1: …`), derived ids hashed from a rule's
//! statement and body, duplicates numbered, and the digest over the rules' canonical JSON.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::PARALLEL_UNITS;
use crate::ir::{Origin, Rule, Unrecognised};

/// `**NX-1**: …` or `NX-1: …` at the start of a statement.
pub(super) fn explicit_id(text: &str) -> Option<String> {
    let t = text.trim_start_matches(['-', '*', ' ']);
    let (head, _) = t.split_once(':')?;
    let head = head.trim().trim_matches('*').trim_matches('`').trim();
    let (letters, digits) = head.rsplit_once('-')?;
    let ok = !letters.is_empty()
        && letters
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && letters.starts_with(|c: char| c.is_ascii_uppercase())
        && !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit());
    ok.then(|| head.to_string())
}

/// Derived ids: `<file-slug>-<hash of the statement text and the rule's kind>`, stable when
/// unrelated text changes; repeated statements get `-2`, `-3`.
pub(super) fn assign_ids(rules: &mut [Rule]) -> Vec<Unrecognised> {
    // Counted by hash, not in order: the ids of a large policy share long prefixes.
    let mut seen: std::collections::HashMap<String, usize> =
        std::collections::HashMap::with_capacity(rules.len());
    let mut first_origin: BTreeMap<String, Origin> = BTreeMap::new();
    let mut duplicates = Vec::new();
    let derive = |r: &Rule| r.id.is_empty().then(|| derived_id(r));
    let derived: Vec<Option<String>> = if rules.len() >= PARALLEL_UNITS {
        use rayon::prelude::*;
        rules.par_iter().map(derive).collect()
    } else {
        rules.iter().map(derive).collect()
    };
    for (r, id) in rules.iter_mut().zip(derived) {
        if !r.id.is_empty() {
            // An explicit id on a second statement (not a second rule of the same statement).
            match first_origin.get(&r.id) {
                Some(o) if o.span != r.origin.span || o.file != r.origin.file => {
                    duplicates.push(Unrecognised {
                        origin: r.origin.clone(),
                        reason: format!("id `{}` is already used at {}:{}", r.id, o.file, o.line),
                    })
                }
                Some(_) => {}
                None => {
                    first_origin.insert(r.id.clone(), r.origin.clone());
                }
            }
        }
        if let Some(id) = id {
            r.id = id;
        }
        let n = match seen.get_mut(&r.id) {
            Some(n) => {
                *n += 1;
                *n
            }
            None => {
                seen.insert(r.id.clone(), 1);
                1
            }
        };
        if n > 1 {
            r.id = format!("{}-{}", r.id, n);
        }
    }
    duplicates
}

/// `<file-slug>-<first 6 hex digits of the hash of the statement text and the rule's body>`.
fn derived_id(r: &Rule) -> String {
    let slug: String = r
        .origin
        .file
        .trim_end_matches(".md")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let mut h = Hashing(Sha256::new());
    h.0.update(r.origin.text.as_bytes());
    h.0.update(r.body.kind().as_bytes());
    // Hashing what it writes cannot fail, and the IR always serialises.
    let _ = serde_json::to_writer(&mut h, &r.body);
    format!("{}-{}", slug.trim_matches('-'), hex(&h.0.finalize()[..3]))
}

/// Hashes what is written to it: JSON is hashed as it is serialised, never held in memory.
struct Hashing(Sha256);

impl std::io::Write for Hashing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash of the rules' JSON followed (when there is any) by the Rego modules' JSON. The
/// rules of a large policy are serialised in parallel, in order, and hashed as one text.
pub(super) fn digest(rules: &[Rule], rego: &[crate::ir::RegoModule]) -> String {
    use rayon::prelude::*;
    const CHUNK: usize = 256;
    let mut h = Hashing(Sha256::new());
    // Serialising into memory cannot fail, and the IR always serialises.
    let json = |chunk: &[Rule]| {
        let mut buf = Vec::with_capacity(chunk.len() * 512);
        for (k, r) in chunk.iter().enumerate() {
            if k > 0 {
                buf.push(b',');
            }
            let _ = serde_json::to_writer(&mut buf, r);
        }
        buf
    };
    let chunks: Vec<Vec<u8>> = if rules.len() >= PARALLEL_UNITS {
        rules.par_chunks(CHUNK).map(json).collect()
    } else {
        vec![json(rules)]
    };
    // `serde_json::to_writer(rules)`'s bytes: `[`, the rules separated by `,`, `]`.
    h.0.update(b"[");
    for (k, c) in chunks.iter().filter(|c| !c.is_empty()).enumerate() {
        if k > 0 {
            h.0.update(b",");
        }
        h.0.update(c);
    }
    h.0.update(b"]");
    if !rego.is_empty() {
        let _ = serde_json::to_writer(&mut h, rego);
    }
    format!("sha256:{}", hex(&h.0.finalize()))
}

#[cfg(test)]
mod tests {
    use super::super::builtin_rule;
    use super::*;

    /// The digest is the hash of `serde_json::to_vec(rules)` followed by the Rego modules,
    /// however the rules were serialised.
    #[test]
    fn digest_is_the_hash_of_the_rules_json() {
        for n in [0, 1, 3, PARALLEL_UNITS - 1, PARALLEL_UNITS * 3 + 7] {
            let rules: Vec<Rule> = (0..n)
                .map(|i| {
                    let mut r = builtin_rule(&[]);
                    r.id = format!("rule-{i}");
                    r
                })
                .collect();
            let rego = vec![crate::ir::RegoModule {
                file: "x.rego".into(),
                line: 1,
                text: "package main".into(),
            }];
            for rego in [&rego[..], &[]] {
                let mut json = serde_json::to_vec(&rules).unwrap();
                if !rego.is_empty() {
                    json.extend(serde_json::to_vec(rego).unwrap());
                }
                let want = format!("sha256:{}", hex(&Sha256::digest(&json)));
                assert_eq!(digest(&rules, rego), want, "{n} rules");
            }
        }
    }

    #[test]
    fn explicit_ids() {
        assert_eq!(
            explicit_id("**SSOT-1**: Agents MUST NOT"),
            Some("SSOT-1".into())
        );
        assert_eq!(explicit_id("NX-12: never"), Some("NX-12".into()));
        assert_eq!(explicit_id("Note: this"), None);
    }
}
