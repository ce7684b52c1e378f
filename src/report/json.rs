//! JSON: the verdict for agents and the compiled policy.

use serde::Serialize;

use crate::engine::Verdict;
use crate::ir::Policy;

/// Version of the JSON verdict schema (docs/json-output.md).
pub const SCHEMA_VERSION: &str = "1";

#[derive(Serialize)]
struct JsonVerdict<'a> {
    schema_version: &'static str,
    #[serde(flatten)]
    verdict: &'a Verdict,
}

/// The verdict as JSON: one object, nothing else.
pub fn json(verdict: &Verdict) -> String {
    let mut s = serde_json::to_string_pretty(&JsonVerdict {
        schema_version: SCHEMA_VERSION,
        verdict,
    })
    .unwrap_or_default();
    s.push('\n');
    s
}

#[derive(Serialize)]
struct JsonPolicy<'a> {
    schema_version: &'static str,
    #[serde(flatten)]
    policy: &'a Policy,
}

/// The compiled policy as JSON, written as it is serialised (a large policy's document is
/// megabytes: building it in memory first cost more than writing it). The rules of a large
/// policy are rendered on rayon's workers and written in order: the same bytes.
pub fn write_policy_json(policy: &Policy, mut out: impl std::io::Write) -> std::io::Result<()> {
    use rayon::prelude::*;
    if policy.rules.len() < PARALLEL_RULES {
        let doc = JsonPolicy {
            schema_version: SCHEMA_VERSION,
            policy,
        };
        serde_json::to_writer_pretty(&mut out, &doc)?;
        out.write_all(b"\n")?;
        return out.flush();
    }
    // Every field but the rules (listed, so that a new field cannot be left out).
    let shell = Policy {
        digest: policy.digest.clone(),
        sources: policy.sources.clone(),
        rules: Vec::new(),
        rego: policy.rego.clone(),
        unrecognised: policy.unrecognised.clone(),
        duplicate_ids: policy.duplicate_ids.clone(),
    };
    let doc = serde_json::to_string_pretty(&JsonPolicy {
        schema_version: SCHEMA_VERSION,
        policy: &shell,
    })?;
    // A member of the top-level object is the only line indented by exactly two spaces that
    // starts with `"rules"`: keys are unique, and nested keys are indented deeper.
    const EMPTY: &str = "\n  \"rules\": []";
    let Some(at) = doc.find(EMPTY) else {
        return Err(std::io::Error::other(
            "the policy document has no rules member",
        ));
    };
    let items: Vec<String> = policy
        .rules
        .par_iter()
        .map(|r| {
            serde_json::to_string_pretty(r)
                .map(|item| array_item(&item, "  "))
                .unwrap_or_default()
        })
        .collect();
    let head = &doc[..at + EMPTY.len() - "[]".len()];
    write_array_between(out, head, &items, "  ", &doc[at + EMPTY.len()..])
}

/// Write `head`, the array of `items` (from [`array_item`], for a member indented by
/// `indent`), `tail` and a newline: a pretty-printed document whose array was rendered apart.
pub(crate) fn write_array_between(
    mut out: impl std::io::Write,
    head: &str,
    items: &[String],
    indent: &str,
    tail: &str,
) -> std::io::Result<()> {
    out.write_all(head.as_bytes())?;
    if items.is_empty() {
        out.write_all(b"[]")?;
    } else {
        out.write_all(b"[\n")?;
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                out.write_all(b",\n")?;
            }
            out.write_all(item.as_bytes())?;
        }
        write!(out, "\n{indent}]")?;
    }
    out.write_all(tail.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Policies from which rendering the rules in parallel pays.
const PARALLEL_RULES: usize = 512;

/// One pretty-printed item of a JSON array as `serde_json::to_string_pretty` writes it at an
/// object member indented by `indent`: every line indented (done on the workers).
pub(crate) fn array_item(item: &str, indent: &str) -> String {
    let mut out = String::with_capacity(item.len() + item.len() / 4);
    // JSON strings hold no raw newline: every line break is the printer's.
    for (j, line) in item.split('\n').enumerate() {
        if j > 0 {
            out.push('\n');
        }
        out.push_str(indent);
        out.push_str("  ");
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rendered in parallel or in one piece, the document is the same bytes.
    #[test]
    fn rules_rendered_in_parallel_are_the_same_document() {
        let md: String = (0..PARALLEL_RULES + 50)
            .map(|i| format!("- Never edit `gen/f{i}.rs` (see `docs/{i}.md`).\n"))
            .collect::<String>()
            + "\nThis sentence has no rule in it, it must say so.\n";
        let src = crate::source::SourceFile {
            path: "AGENTS.md".into(),
            text: md.into(),
            scope: String::new(),
            linked_to: None,
        };
        let policy = crate::compile::compile(&[src]).unwrap();
        assert!(policy.rules.len() >= PARALLEL_RULES);
        let mut fast = Vec::new();
        write_policy_json(&policy, &mut fast).unwrap();
        let whole = serde_json::to_string_pretty(&JsonPolicy {
            schema_version: SCHEMA_VERSION,
            policy: &policy,
        })
        .unwrap()
            + "\n";
        assert_eq!(String::from_utf8(fast).unwrap(), whole);
    }
}
