# METADATA
# id: risk
# title: Risk classes and gates
# description: A plan's risk is the highest class of its changes; each gate at or below it needs its reviewer's approval (ask) or its commands' passing evidence (deny).
# example: High risk changes MUST be reviewed by `@security`.
package agentgate.kinds.risk

import data.agentgate.lib
import rego.v1

rank := {"low": 0, "medium": 1, "high": 2, "critical": 3}

levels contains rank[rule.level] if {
	some rule in lib.rules
	rule.kind == "risk-class"
	some w in input.writes
	agentgate.glob(rule.paths, w.path)
}

findings contains f if {
	count(levels) > 0
	some rule in lib.rules
	rule.kind == "risk-gate"
	max(levels) >= rank[rule.level]
	rule.reviewer
	not approved_by(rule.reviewer)
	f := {"rule": rule.id, "subject": "plan", "message": sprintf("needs review by `%s`", [rule.reviewer])}
}

findings contains f if {
	count(levels) > 0
	some rule in lib.rules
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
