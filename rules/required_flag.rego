# METADATA
# id: required-flag
# title: Required flags
# description: Every run of the command must carry the flags.
# example: When committing with `git commit`, always pass `--signoff`.
package agentgate.kinds.required_flag

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in lib.rules
	rule.kind == "required-flag"
	some r in input.runs
	agentgate.cmd(rule.command, r.inv)
	some flag in rule.flags
	not agentgate.flag_given(r.inv, flag)
	f := {"rule": rule.id, "subject": r.subject, "message": sprintf("runs without `%s`", [flag])}
}
