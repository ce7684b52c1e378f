# METADATA
# id: bound
# title: Bounds on destructive work
# description: More deleted files, changed files, changed lines (added + removed) or added lines than the bound violates the rule.
# example: Agents MUST NOT delete more than 10 files.
package agentgate.kinds.bound

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in lib.rules
	rule.kind == "bound"
	n := measure(rule.metric)
	n > rule.max
	f := {"rule": rule.id, "subject": "plan", "message": sprintf("%d is more than the limit of %d", [n, rule.max])}
}

measure("deleted-files") := count([w | some w in input.writes; w.op == "delete"; not endswith(w.subject, ".from")])

measure("changed-files") := count({w.path | some w in input.writes})

measure("changed-lines") := sum([w.lines | some w in input.writes])

measure("added-lines") := sum([w.added | some w in input.writes])
