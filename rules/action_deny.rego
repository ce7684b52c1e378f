# METADATA
# id: action-deny
# title: Deny well-known actions
# description: Taking a well-known action (force push, commit, amend, rebase, skip hooks, branch, worktree, merge, tag, revert, pull request, ready pull request, issue, comment, deploy, secret, publish, dependency, background) — declared or spelled as a command — violates the rule, optionally only towards a target branch or environment.
# example: Never force push.
package agentgate.kinds.action_deny

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in lib.rules
	rule.kind == "action-deny"
	some a in input.actions
	a.action == rule.action
	target_ok(rule, a)
	not declared_beside_command(rule, a)
	env_ok(rule, a)
	f := {"rule": rule.id, "subject": a.subject, "message": sprintf("takes the forbidden action: %s", [a.action])}
}

target_ok(rule, _) if not rule.target

target_ok(rule, a) if agentgate.target(rule.target, object.get(a, "target", null))

env_ok(rule, _) if not rule.environment

env_ok(rule, a) if {
	rule.environment
	agentgate.environment(rule.environment, object.get(a, "environment", null))
}

# A convention about bases ("!main") is judged on the base a command names; an action only
# declared beside that command may name something else (the repository).
declared_beside_command(rule, a) if {
	startswith(object.get(rule, "target", ""), "!")
	a.seq == -1
	some b in input.actions
	b.action == a.action
	b.seq != -1
}
