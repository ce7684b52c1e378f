# METADATA
# id: command-deny
# title: Deny commands
# description: Running a program that matches a forbidden pattern (program, subcommand words, flags, assignments or fragments), after wrappers are peeled and global options skipped, violates the rule.
# example: Do not run `terraform apply` or `kubectl delete`.
package agentgate.kinds.command_deny

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in lib.rules
	rule.kind == "command-deny"
	some r in input.runs
	some p in rule.commands
	agentgate.cmd(p, r.inv)
	not excepted(rule, r)
	f := {"rule": rule.id, "subject": r.subject, "message": sprintf("runs a command matching the forbidden `%s`", [p.text])}
}

excepted(rule, r) if {
	some p in rule.except
	agentgate.cmd(p, r.inv)
}
