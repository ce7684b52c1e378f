# METADATA
# id: required-read
# title: Required reads
# description: Before the trigger fires, the plan must read a file matching the paths (declared in `reads` or read by a command); a plan that lists no `reads` does not show what was read before it, so a missing read is then only a warning.
# example: You must read `PULL_REQUEST_TEMPLATE.md` when submitting a PR.
package agentgate.kinds.required_read

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in lib.rules
	rule.kind == "required-read"
	lib.fires(rule.trigger, object.get(rule, "when_paths", []))
	not read(rule.paths)
	input.reads_listed
	f := {"rule": rule.id, "subject": "reads", "message": "does not read a required file first"}
}

# A plan that lists no reads says nothing of what was read before it: only a warning.
findings contains f if {
	some rule in lib.rules
	rule.kind == "required-read"
	lib.fires(rule.trigger, object.get(rule, "when_paths", []))
	not read(rule.paths)
	not input.reads_listed
	f := {"rule": rule.id, "subject": "reads", "message": "does not show that it read a required file first (the plan lists no `reads`)", "severity": "warning"}
}

read(paths) if {
	some r in input.reads
	agentgate.glob(paths, r.path)
}
