# METADATA
# id: lib
# title: Shared helpers
# description: What every rule kind needs: whether the plan commits, the trigger of an obligation and what fired it.
# example: n/a
package agentgate.lib

import rego.v1

# The rules that apply to this plan (its role and nested scope): the engine is prepared once
# with every rule as data, and each plan names the ones that apply.
active := {id | some id in input.active}

rules contains rule if {
	some rule in data.agentgate.rules
	rule.id in active
}

action_names := {a.action | some a in input.actions}

# Whether a trigger fires.
fires(trigger, when) if {
	trigger in {"commit", "push", "merge", "tag", "publish", "dependency"}
	trigger_action[trigger] in action_names
	changes_named(when)
}

fires("pull-request", when) if {
	"pull-request" in action_names
	changes_named(when)
}

# "before you finish": the plan hands its work over (commits, pushes or opens a pull request).
fires("deliver", when) if {
	some a in input.actions
	a.action in deliver_actions
	changes_named(when)
}

deliver_actions := {"commit", "push", "pull-request"}

# "When fixing bugs, run …": the plan hands over work it declares a bug fix.
fires("fix", when) if {
	input.fix_work
	fires("deliver", when)
}

fires("pull-request-ready", when) if {
	some a in input.actions
	a.action == "pull-request"
	not a.draft
	changes_named(when)
}

# An action trigger limited to paths ("before committing changes to `src/`") fires only when
# the plan changes one of them.
changes_named(when) if count(when) == 0

changes_named(when) if {
	count(when) > 0
	some w in input.writes
	agentgate.glob(when, w.path)
}

fires("change", when) if {
	some w in input.writes
	touched(when, w)
}

fires("add", when) if {
	some w in input.writes
	w.op == "add"
	touched(when, w)
}

fires("code-change", when) if {
	some w in input.writes
	touched(when, w)
	w.code
}

fires("source-change", when) if {
	some w in input.writes
	touched(when, w)
	w.source
}

trigger_action := {
	"commit": "commit", "push": "push", "merge": "merge", "tag": "tag",
	"publish": "publish", "dependency": "dependency",
	"pull-request": "pull-request", "pull-request-ready": "pull-request",
}

touched(when, _) if count(when) == 0

touched(when, w) if {
	count(when) > 0
	agentgate.glob(when, w.path)
}

# The position of the first program taking the triggering action (-1: none, no order).
before(trigger) := -1 if trigger == "dependency"

before(trigger) := min(seqs) if {
	not trigger in {"dependency", "deliver", "fix"}
	seqs := {a.seq |
		some a in input.actions
		a.action == trigger_action[trigger]
		a.seq >= 0
		not ready_draft(trigger, a)
	}
	count(seqs) > 0
}

before(trigger) := -1 if {
	not trigger in {"dependency", "deliver", "fix"}
	count({a |
		some a in input.actions
		a.action == trigger_action[trigger]
		a.seq >= 0
		not ready_draft(trigger, a)
	}) == 0
}

ready_draft("pull-request-ready", a) if a.draft

before("deliver") := min(seqs) if {
	seqs := {a.seq |
		some a in input.actions
		a.action in deliver_actions
		a.seq >= 0
	}
	count(seqs) > 0
}

before("deliver") := -1 if {
	count({a |
		some a in input.actions
		a.action in deliver_actions
		a.seq >= 0
	}) == 0
}

before("fix") := before("deliver")

# A required command ran (before the trigger, when there is an order) or passed as evidence.
satisfied(p, _) if {
	some invs in input.passed
	some inv in invs
	agentgate.cmd(p, inv)
}

satisfied(p, b) if {
	some r in input.runs
	ok_order(r, b)
	agentgate.cmd(p, r.inv)
}

ok_order(_, b) if b == -1

ok_order(r, b) if {
	b >= 0
	r.seq < b
}

# The plan takes the trigger's action. (A helper rule, so that `not action_fired(t)` means the
# same in regorus and OPA when the trigger has no action, such as a path trigger.)
action_fired(trigger) if trigger_action[trigger] in action_names

action_fired("deliver") if {
	some a in input.actions
	a.action in deliver_actions
}

action_fired("fix") if {
	input.fix_work
	action_fired("deliver")
}

# What in the plan fired a trigger.
trigger_subject("deliver", _) := s if {
	action_fired("deliver")
	s := [a.subject | some a in input.actions; a.action in deliver_actions][0]
}

trigger_subject("fix", w) := trigger_subject("deliver", w) if action_fired("fix")

trigger_subject(trigger, _) := s if {
	some a in input.actions
	a.action == trigger_action[trigger]
	s := first_action_subject(trigger_action[trigger])
}

trigger_subject(trigger, when) := s if {
	not action_fired(trigger)
	s := first_write_subject(when)
}

trigger_subject(trigger, when) := "plan" if {
	not action_fired(trigger)
	not first_write_subject(when)
}

first_action_subject(name) := [a.subject | some a in input.actions; a.action == name][0]

first_write_subject(when) := [w.subject | some w in input.writes; touched(when, w)][0]

# Programs that edit, copy, move or show files by hand, or manage history (src/engine/matchers.rs
# HAND_EDITORS): none regenerates a generated file.
hand_editors := {
	"sed", "awk", "gawk", "perl", "echo", "printf", "cat", "tee", "cp", "mv", "rm", "touch",
	"mkdir", "ln", "patch", "git", "ed", "ex", "vi", "vim", "nvim", "nano", "emacs", "code",
	"truncate", "dd", "chmod", "chown", "tr", "head", "tail", "grep", "rg", "find", "ls", "cd",
	"true", "false", "install", "rsync", "tar", "unzip", "curl", "wget", "sort", "uniq", "cut",
	"paste", "xargs", "test", "[", "diff", "jq", "yq",
}
