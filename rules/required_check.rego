# METADATA
# id: required-check
# title: Required checks
# description: When the trigger fires (a commit, push, pull request, merge, tag, publish, dependency, a change to matching paths, or the first run of the `when_runs` commands), each command must have passing evidence or run in the plan before the triggering command; `in order` also fixes their order, and `all checks must pass` makes any failed check a violation.
# example: Run `cargo test` before committing.
package agentgate.kinds.required_check

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in lib.rules
	rule.kind == "required-check"
	lib.fires(rule.trigger, rule.when_paths)
	not covered(rule)
	not docs_only(rule)
	some p in rule.commands
	not lib.satisfied(p, lib.before(rule.trigger))
	f := {"rule": rule.id, "subject": lib.trigger_subject(rule.trigger, rule.when_paths), "message": sprintf("does not run `%s`", [p.text])}
}

# "Build before running tests": each command runs (or passed) before the first run of
# `when_runs`.
findings contains f if {
	some rule in lib.rules
	rule.kind == "required-check"
	rule.trigger == "run"
	at := run_at(rule)
	not covered_at(rule, at)
	some p in rule.commands
	not lib.satisfied(p, at)
	f := {"rule": rule.id, "subject": run_subject(rule, at), "message": sprintf("does not run `%s` before running them", [p.text])}
}

run_at(rule) := min({r.seq |
	some r in input.runs
	some q in object.get(rule, "when_runs", [])
	agentgate.cmd(q, r.inv)
})

run_subject(_, at) := [r.subject | some r in input.runs; r.seq == at][0]

covered_at(rule, at) if {
	some c in rule.covered_by
	lib.satisfied(c, at)
}

findings contains f if {
	some rule in lib.rules
	rule.kind == "required-check"
	rule.all_checks
	lib.fires(rule.trigger, rule.when_paths)
	some failed in input.failed
	f := {"rule": rule.id, "subject": "evidence", "message": sprintf("`%s` failed", [failed])}
}

# Ordered: the plan runs the commands in the listed order (checked once every one is met).
findings contains f if {
	some rule in lib.rules
	rule.kind == "required-check"
	rule.ordered
	lib.fires(rule.trigger, rule.when_paths)
	not docs_only(rule)
	every p in rule.commands {
		lib.satisfied(p, lib.before(rule.trigger))
	}
	not failed_checks(rule)
	positions := [pos | some p in rule.commands; pos := first_run(p)]
	some i
	i > 0
	positions[i] < positions[i - 1]
	f := {"rule": rule.id, "subject": "commands", "message": "runs the commands out of order"}
}

failed_checks(rule) if {
	rule.all_checks
	count(input.failed) > 0
}

first_run(p) := min({r.seq | some r in input.runs; agentgate.cmd(p, r.inv)})

# One command standing for the whole list ("you can run all these with `make check`") meets it.
covered(rule) if {
	some c in rule.covered_by
	lib.satisfied(c, lib.before(rule.trigger))
}

# Nor for a plan whose commits are all empty (`git commit --allow-empty`) and that changes nothing.
docs_only(rule) if {
	object.get(rule, "code_only", false)
	input.nothing_committed
}

# A check of code (`code_only`) is not due for a change to documentation or CI configuration only.
docs_only(rule) if {
	object.get(rule, "code_only", false)
	count(input.writes) > 0
	every w in input.writes {
		w.checks_skip
	}
}
