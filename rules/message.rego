# METADATA
# id: message
# title: Messages, titles and branch names
# description: What the plan writes for people — a commit message, a pull request's or issue's title and body, a comment, a branch name — must include a trailer, credit no AI tool, be in English, follow a template, start with a prefix or keep its first line to a length; text the command does not show (an editor, --body-file) is not judged.
# example: Branch names must start with `feature/`.
package agentgate.kinds.message

import data.agentgate.lib
import rego.v1

findings contains f if {
	some rule in lib.rules
	rule.kind == "message"
	some a in input.actions
	a.action in rule.on
	a.text != null
	why := agentgate.text_violation(rule.require, rule.part, a.text)
	why != ""
	f := {"rule": rule.id, "subject": a.subject, "message": sprintf("the text %s", [why])}
}
