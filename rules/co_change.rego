# METADATA
# id: co-change
# title: Co-changes
# description: Changing the trigger paths (or taking the trigger action) needs a change to one of the companion paths in the same plan.
# example: After editing `docs/en/**`, update `docs/ko/**` as well.
package agentgate.kinds.co_change

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in lib.rules
	rule.kind == "co-change"
	co_change_hit(rule)
	not companion(rule)
	not other_work(rule)
	not unfixed(rule)
	f := {"rule": rule.id, "subject": "changes", "message": "changes files without the required companion change"}
}

co_change_hit(rule) if {
	rule.when_action in lib.action_names
}

co_change_hit(rule) if {
	some w in input.writes
	added_ok(rule, w)
	agentgate.glob(rule.when_paths, w.path)
	not agentgate.glob(rule.then_paths, w.path)
}

added_ok(rule, _) if not rule.only_added

added_ok(rule, w) if {
	rule.only_added
	w.op == "add"
}

companion(rule) if {
	some w in input.writes
	agentgate.glob(rule.then_paths, w.path)
	w.op != "delete"
}

# A rule about feature and fix work does not hold a plan that declares other work.
other_work(rule) if {
	object.get(rule, "work", false)
	input.other_work
}

# A rule about bug fixes holds only a plan that declares a fix.
unfixed(rule) if {
	object.get(rule, "fix", false)
	not input.fix_work
}
