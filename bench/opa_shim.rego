# Bench-only: plain-Rego stand-ins for the agentgate.* builtins that regorus gets from the
# native matchers (src/engine/rego.rs), so the real Go OPA engine can run the rules/ library.
# bench/opa.py rewrites `agentgate.glob(` to `data.agentgate.shim.glob_list(` and so on.
#
# Differences from the native matchers (the workloads avoid them, and bench/run checks that
# the finding counts agree): globs go through OPA's glob.match (`**/x` does not match `x`, no
# `:code` marker); command patterns compare the program, the positional words and the flags
# only (no wrappers such as `npx`, no program classes such as `@test`, no environment
# assignments or fragments); targets and environments compare case-insensitively.
package agentgate.shim

import rego.v1

glob_list(globs, path) if {
	some g in globs
	g != ":code"
	glob.match(g, ["/"], path)
}

prefix(g) := regex.split(`[*?\[{]`, g)[0]

glob_under(globs, path) if glob_list(globs, path)

glob_under(globs, "") if {
	some g in globs
	g != ":code"
}

glob_under(globs, path) if {
	path != ""
	some g in globs
	g != ":code"
	glob.match(g, ["/"], concat("/", [path, "__agentgate_probe__"]))
}

glob_under(globs, path) if {
	path != ""
	some g in globs
	g != ":code"
	startswith(prefix(g), concat("", [path, "/"]))
}

positionals(args) := [a | some a in args; not startswith(a, "-")]

word_ok(w, _) if w.type == "any"

word_ok(w, word) if w.value == word

cmd(p, inv) if {
	p.program != ""
	not startswith(p.program, "@")
	inv.program == p.program
	count(p.env) == 0
	p.fragment == null
	pos := positionals(inv.args)
	count(p.words) <= count(pos)
	every i, w in p.words {
		word_ok(w, pos[i])
	}
	every f in p.flags {
		flag(inv.args, f)
	}
}

flag(args, f) if f in args

flag(args, f) if {
	some a in args
	startswith(a, concat("", [f, "="]))
}

target(r, f) if lower(trim_prefix(r, "refs/heads/")) == lower(trim_prefix(f, "refs/heads/"))

environment(_, null)

environment(r, f) if lower(r) == lower(f)

environment(r, f) if {
	lower(r) in {"production", "prod", "live"}
	lower(f) in {"production", "prod", "live"}
}
