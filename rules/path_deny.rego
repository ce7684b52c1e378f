# METADATA
# id: path-deny
# title: Deny writes to paths
# description: A write of a forbidden kind (add, modify, delete, rename) to a matching path, declared or done by a command, violates the rule; deleting or moving a folder that holds a match does too. A rule about commits ("Never commit `.env.local`") also sees the files `git add` stages by name when the plan commits.
# example: Agents MUST NOT modify `docs/SSOT/**` or `AGENTS.md`.
package agentgate.kinds.path_deny

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in lib.rules
	rule.kind == "path-deny"
	not skip(rule)
	some w in input.writes
	op_ok(rule, w)
	hit(rule, w)
	not agentgate.glob(rule.except, w.path)
	f := {"rule": rule.id, "subject": w.subject, "message": sprintf("%s `%s`, which the policy protects", [w.op, w.path])}
}

skip(rule) if {
	rule.only_commit
	not "commit" in lib.action_names
}

skip(rule) if {
	rule.only_mixed
	every w in input.writes {
		agentgate.glob(rule.paths, w.path)
	}
}

cmd_modify(w) if {
	w.by_command
	w.op == "modify"
}

op_ok(rule, w) if {
	cmd_modify(w)
	some o in rule.ops
	o in {"modify", "add"}
}

op_ok(rule, w) if {
	not cmd_modify(w)
	w.op in rule.ops
}

hit(rule, w) if {
	w.op in {"delete", "rename"}
	agentgate.glob_under(rule.paths, w.path)
}

hit(rule, w) if {
	not w.op in {"delete", "rename"}
	agentgate.glob(rule.paths, w.path)
}

# Paths outside the repository (`~/.bashrc`) meet only rules written about such paths.
findings contains f if {
	some rule in lib.rules
	rule.kind == "path-deny"
	not rule.only_commit
	some w in input.outside_writes
	op_ok(rule, w)
	hit(rule, w)
	not agentgate.glob(rule.except, w.path)
	f := {"rule": rule.id, "subject": w.subject, "message": sprintf("writes `%s`, which the policy protects", [w.path])}
}

# A commit-only rule also sees what `git add` stages by name ("never commit `.env.local`" and
# `git add -f .env.local`), unless a declared change already showed it.
findings contains f if {
	some rule in lib.rules
	rule.kind == "path-deny"
	rule.only_commit
	"commit" in lib.action_names
	some s in input.staged
	agentgate.glob(rule.paths, s.path)
	not agentgate.glob(rule.except, s.path)
	not declared(s.path)
	f := {"rule": rule.id, "subject": s.subject, "message": sprintf("stages `%s` for a commit, which the policy forbids", [s.path])}
}

declared(path) if {
	some w in input.writes
	w.path == path
}
