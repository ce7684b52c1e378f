# METADATA
# id: read-deny
# title: Deny reads
# description: Reading a matching path, declared in `reads` or done by a command (cat, grep, source, cp sources, < redirections), violates the rule.
# example: Never read `.env` or any `.env.*` file.
package agentgate.kinds.read_deny

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in lib.rules
	rule.kind == "read-deny"
	some r in input.reads
	agentgate.glob(rule.paths, r.path)
	not agentgate.glob(rule.except, r.path)
	f := {"rule": rule.id, "subject": r.subject, "message": sprintf("reads `%s`, which the policy forbids reading", [r.path])}
}

findings contains f if {
	some rule in lib.rules
	rule.kind == "read-deny"
	some r in input.outside_reads
	agentgate.glob(rule.paths, r.path)
	not agentgate.glob(rule.except, r.path)
	f := {"rule": rule.id, "subject": r.subject, "message": sprintf("reads `%s`, which the policy forbids reading", [r.path])}
}
