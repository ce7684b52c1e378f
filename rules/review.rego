# METADATA
# id: review-requirement
# title: Review requirements
# description: A change to a matching path needs an approval from the named reviewer (an ask); the evaluator applies recorded approvals to every ask rule.
# example: Changes to `src/billing/**` REQUIRE review by `@payments`.
package agentgate.kinds.review

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in lib.rules
	rule.kind == "review-requirement"
	subjects := [w.subject | some w in input.writes; agentgate.glob(rule.paths, w.path)]
	count(subjects) > 0
	f := {"rule": rule.id, "subject": subjects[0], "message": sprintf("needs review by `%s`", [rule.reviewer])}
}
