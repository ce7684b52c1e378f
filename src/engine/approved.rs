//! An approved plan: the only thing the runner executes, and only the checker can make one.

use std::path::Path;

use super::{evaluate_with, EngineError, EngineKind, Verdict};
use crate::changeset::Plan;
use crate::ir::{Decision, Policy};

/// A plan the policy allowed. Its fields are private and [`approve`] is the only way to build
/// one, so holding an `Approved` proves the plan passed the check against the policy whose
/// digest it carries.
#[derive(Debug, Clone)]
pub struct Approved {
    plan: Plan,
    policy_digest: String,
    verdict: Verdict,
}

impl Approved {
    pub fn plan(&self) -> &Plan {
        &self.plan
    }
    /// The digest of the policy that approved the plan.
    pub fn policy_digest(&self) -> &str {
        &self.policy_digest
    }
    /// The verdict (allow, with warnings at most).
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }
}

/// Check `plan` against `policy`: `Ok(Ok(approved))` when it is allowed, `Ok(Err(verdict))`
/// when it is denied or needs approval.
pub fn approve(
    policy: &Policy,
    plan: Plan,
    root: &Path,
    engine: EngineKind,
) -> Result<Result<Approved, Verdict>, EngineError> {
    let verdict = evaluate_with(policy, &plan, root, engine)?;
    if verdict.decision != Decision::Allow {
        return Ok(Err(verdict));
    }
    Ok(Ok(Approved {
        plan,
        policy_digest: policy.digest.clone(),
        verdict,
    }))
}
