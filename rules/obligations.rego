# METADATA
# id: obligations
# title: Required reads, required flags, generated files and co-changes
# description: Files that must be read before the trigger; flags a command must carry whenever it runs; generated files that may change only when the plan runs a generator; companion changes a change needs.
# example: When committing with `git commit`, always pass `--author="AI <ai@example.com>"`.
package agentgate.kinds.obligations

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in data.agentgate.rules
	rule.kind == "required-read"
	lib.fires(rule.trigger, object.get(rule, "when_paths", []))
	not read(rule.paths)
	f := {"rule": rule.id, "subject": "reads", "message": "does not read a required file first"}
}

read(paths) if {
	some r in input.reads
	agentgate.glob(paths, r.path)
}

findings contains f if {
	some rule in data.agentgate.rules
	rule.kind == "required-flag"
	some r in input.runs
	agentgate.cmd(rule.command, r.inv)
	some flag in rule.flags
	not agentgate.flag(r.inv.args, flag)
	f := {"rule": rule.id, "subject": r.subject, "message": sprintf("runs without `%s`", [flag])}
}

findings contains f if {
	some rule in data.agentgate.rules
	rule.kind == "generated"
	not generator_ran(rule)
	some w in input.writes
	agentgate.glob(rule.paths, w.path)
	f := {"rule": rule.id, "subject": w.subject, "message": sprintf("edits generated file `%s` by hand", [w.path])}
}

generator_ran(rule) if {
	some r in input.runs
	some g in rule.generators
	agentgate.cmd(g, r.inv)
}

findings contains f if {
	some rule in data.agentgate.rules
	rule.kind == "co-change"
	co_change_hit(rule)
	not companion(rule)
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
