# METADATA
# id: command-deny
# title: Deny commands
# description: Running a program that matches a forbidden pattern (program, subcommand words, flags, assignments or fragments), after wrappers are peeled and global options skipped, violates the rule; a run with `--dry-run` the pattern does not name only shows what it would do.
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
	not dry_run(p, r)
	not excepted(rule, r)
	f := {"rule": rule.id, "subject": r.subject, "message": sprintf("runs a command matching the forbidden `%s`", [p.text])}
}

excepted(rule, r) if {
	some p in rule.except
	agentgate.cmd(p, r.inv)
}

# `wrangler deploy --dry-run` against "Never run `wrangler deploy`".
dry_run(p, r) if {
	some a in r.inv.args
	dry_flag(a)
	not contains(p.text, "--dry-run")
}

dry_flag(a) if a == "--dry-run"

dry_flag(a) if startswith(a, "--dry-run=")
