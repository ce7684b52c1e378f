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
/// megabytes: building it in memory first cost more than writing it).
pub fn write_policy_json(policy: &Policy, mut out: impl std::io::Write) -> std::io::Result<()> {
    let doc = JsonPolicy {
        schema_version: SCHEMA_VERSION,
        policy,
    };
    serde_json::to_writer_pretty(&mut out, &doc)?;
    out.write_all(b"\n")?;
    out.flush()
}
