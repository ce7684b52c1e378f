# METADATA
# id: approval
# title: Reviews, risk classes and gates
# description: Changes to paths that need a named reviewer; the plan's risk class (the highest class of its changes) and the gates at or below it, which need a reviewer's approval or passing checks. Approvals that meet an ask are applied to every ask rule by the evaluator.
# example: Changes to `src/billing/**` REQUIRE review by `@payments`.
package agentgate.kinds.approval

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in data.agentgate.rules
	rule.kind == "review-requirement"
	subjects := [w.subject | some w in input.writes; agentgate.glob(rule.paths, w.path)]
	count(subjects) > 0
	f := {"rule": rule.id, "subject": subjects[0], "message": sprintf("needs review by `%s`", [rule.reviewer])}
}

rank := {"low": 0, "medium": 1, "high": 2, "critical": 3}

levels contains rank[rule.level] if {
	some rule in data.agentgate.rules
	rule.kind == "risk-class"
	some w in input.writes
	agentgate.glob(rule.paths, w.path)
}

findings contains f if {
	count(levels) > 0
	some rule in data.agentgate.rules
	rule.kind == "risk-gate"
	max(levels) >= rank[rule.level]
	rule.reviewer
	not approved_by(rule.reviewer)
	f := {"rule": rule.id, "subject": "plan", "message": sprintf("needs review by `%s`", [rule.reviewer])}
}

findings contains f if {
	count(levels) > 0
	some rule in data.agentgate.rules
	rule.kind == "risk-gate"
	max(levels) >= rank[rule.level]
	some p in rule.commands
	not lib.satisfied(p, -1)
	f := {"rule": rule.id, "subject": "plan", "message": "must pass its checks"}
}

approved_by(reviewer) if {
	some a in input.approvals
	lower(trim_prefix(a.by, "@")) == lower(trim_prefix(reviewer, "@"))
}
