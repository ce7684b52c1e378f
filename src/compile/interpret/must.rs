//! Obligations: required checks, reads, flags, co-changes, generated files.

use super::*;
use crate::ir::PatWord;

pub(super) fn must_form(
    tokens: &[Token],
    c: &Clause,
    prev: Option<&Clause>,
    cx: &Context,
    severity: Severity,
    decision: Decision,
    out: &mut Outcome,
) {
    let main = &c.main;
    let roles = roles(tokens, main);
    if let Some(body) = test_companion(tokens, c) {
        push(out, body, severity, decision, roles);
        return;
    }
    let verbs: Vec<&str> = main
        .iter()
        .map(|i| tag(tokens, *i))
        .filter(|t| VERBS.contains(t))
        .collect();
    let mut cond_idx: Vec<usize> = Vec::new();
    // "at the end of a task if you changed files": the other condition says when.
    let only_delivery = |items: &Vec<usize>| delivery(tokens, items);
    let others = c.conds.iter().any(|(_, items)| !only_delivery(items));
    // "When fixing bugs, run `x` before committing": the moment is the other condition's, and
    // the rule holds only work declared a fix.
    let is_fix = |items: &Vec<usize>| trigger::fix_work(tokens, items);
    let fix_and_more = c.conds.iter().any(|(_, items)| is_fix(items))
        && c.conds.iter().any(|(_, items)| !is_fix(items));
    for (_, items) in &c.conds {
        if others && only_delivery(items) || fix_and_more && is_fix(items) {
            continue;
        }
        cond_idx.extend(items);
    }
    // "Changes to `x` require …": the subject is the trigger.
    let changes_to = main.iter().position(|i| tag(tokens, *i) == "changes_to");
    let modal_at = main
        .iter()
        .position(|i| MODALS.contains(&tag(tokens, *i)))
        .unwrap_or(0);
    let mut req: Vec<usize> = main.clone();
    if let Some(ct) = changes_to.filter(|ct| *ct < modal_at) {
        cond_idx.extend(main[ct..modal_at].iter().copied());
        req = main[modal_at..].to_vec();
    }
    let mut has_cond = !c.conds.is_empty() || changes_to.is_some_and(|ct| ct < modal_at);
    let last_modal = main
        .iter()
        .rposition(|i| tag(tokens, *i) == "must")
        .unwrap_or(modal_at);
    if !has_cond && last_modal > 0 {
        let modal_at = last_modal;
        let head = &main[..modal_at];
        if head
            .iter()
            .any(|i| matches!(tag(tokens, *i), "write" | "create" | "changes_to"))
            && head
                .iter()
                .any(|i| matches!(tag(tokens, *i), "path" | "noun"))
        {
            cond_idx.extend(head.iter().copied());
            req = main[modal_at..].to_vec();
            has_cond = true;
        }
    }
    let flags: Vec<String> = req
        .iter()
        .filter(|i| tag(tokens, **i) == "flag")
        .map(|i| tokens[*i].value.clone())
        .collect();
    let explicit_cmds = collect_commands(tokens, &req);
    let explicit = explicit_cmds.clone();
    let all_checks = has(tokens, main, "all_checks") && has(tokens, main, "pass");

    // Pull requests: "You MUST mark your PRs as drafts", "Always open a Draft PR first" (only
    // drafts), "All PRs target the `main` branch" (only that base).
    // A condition about pull requests themselves ("when creating pull requests:") adds nothing.
    let pr_conds = c
        .conds
        .iter()
        .all(|(_, items)| has(tokens, items, "act_pull_request"));
    if has(tokens, main, "act_pull_request") && pr_conds {
        if main
            .iter()
            .any(|i| matches!(tokens[*i].value.as_str(), "draft" | "drafts"))
        {
            push(
                out,
                RuleBody::ActionDeny {
                    action: Action::ReadyPullRequest,
                    target: None,
                    environment: None,
                },
                severity,
                decision,
                roles.clone(),
            );
            return;
        }
        if let Some(body) = pr_base(tokens, main) {
            push(out, body, severity, decision, roles.clone());
            return;
        }
    }

    // Required flags: "always pass `--frozen`", "when committing with `git commit`, always pass `--author`".
    // "Always run tests with `--runInBand`": the class the verb runs carries the flag.
    let class_run = verbs.contains(&"run")
        && req.windows(2).any(|w| {
            matches!(tokens[w[0]].value.as_str(), "with" | "using") && tag(tokens, w[1]) == "flag"
        });
    if !flags.is_empty()
        && (verbs
            .iter()
            .any(|v| matches!(*v, "pass" | "use" | "include"))
            || class_run)
        && explicit_cmds.is_empty()
    {
        let class = || {
            req.iter()
                .flat_map(|i| noun_command_patterns(&tokens[*i], NounCommands::Programs))
                .find(|p| p.program.starts_with('@'))
        };
        let base = collect_commands(tokens, &cond_idx)
            .into_iter()
            .next()
            .or_else(|| class_run.then(class).flatten())
            .or_else(|| {
                if has(tokens, &cond_idx, "act_commit") {
                    command_patterns("git commit").into_iter().next()
                } else if has(tokens, &cond_idx, "act_force_push") {
                    // "If force-push is unavoidable, use `--force-with-lease`".
                    command_patterns("git push --force").into_iter().next()
                } else if has(tokens, &cond_idx, "act_dependency") {
                    // "Always use `--frozen-lockfile` when installing".
                    Some(crate::compile::targets::program_pattern("@install"))
                } else {
                    None
                }
            })
            .or_else(|| {
                cx.block_cmds
                    .iter()
                    .find(|cmd| {
                        flags
                            .iter()
                            .any(|f| cmd.contains(f.split('=').next().unwrap_or(f)))
                    })
                    .and_then(|cmd| command_patterns(cmd).into_iter().next())
            });
        if let Some(mut base) = base {
            let names: Vec<String> = flags
                .iter()
                .map(|f| f.split('=').next().unwrap_or(f).to_string())
                .collect();
            base.flags.retain(|f| !names.contains(f));
            push(
                out,
                RuleBody::RequiredFlag {
                    command: base,
                    flags: names,
                },
                severity,
                decision,
                roles,
            );
            return;
        }
    }
    // "All commits must include a DCO sign-off: `git commit -s`": the command shown for the
    // action the clause is about carries the flags every such action must have.
    if !has_cond && has(tokens, main, "must") {
        let mut shown = false;
        for p in &explicit_cmds {
            let sub = p.words.first().and_then(|w| match w {
                PatWord::Lit(v) => Some(v.as_str()),
                PatWord::Any => None,
            });
            let action = match sub {
                Some("commit") => "act_commit",
                Some("push") => "act_push",
                Some("merge") => "act_merge",
                Some("rebase") => "act_rebase",
                Some("tag") => "act_tag",
                _ => continue,
            };
            if p.program != "git" || p.flags.is_empty() || !has(tokens, main, action) {
                continue;
            }
            let mut body = flags_of(p);
            if let RuleBody::RequiredFlag { command, .. } = &mut body {
                command.words.truncate(1);
            }
            push(out, body, severity, decision, roles.clone());
            shown = true;
        }
        if shown {
            return;
        }
    }
    // "ALWAYS use `cargo update --precise` to make lockfile changes".
    let must_use = main
        .windows(2)
        .any(|w| tag(tokens, w[0]) == "must" && tag(tokens, w[1]) == "use");
    if !has_cond && verbs.contains(&"use") && !explicit_cmds.is_empty() && must_use {
        for p in &explicit_cmds {
            if !p.flags.is_empty() && !p.program.is_empty() {
                push(out, flags_of(p), severity, decision, roles.clone());
            }
        }
        let purpose: Vec<usize> = req
            .iter()
            .copied()
            .skip_while(|i| tag(tokens, *i) != "cmd")
            .collect();
        let paths = collect_paths(tokens, &purpose, cx, false, out);
        if !paths.is_empty() {
            push(
                out,
                RuleBody::Generated {
                    paths,
                    generators: explicit_cmds.clone(),
                },
                severity,
                decision,
                roles.clone(),
            );
        }
        return;
    }
    if cx.after_generated
        && has(tokens, main, "this")
        && verbs.iter().any(|v| matches!(*v, "run" | "use"))
    {
        let mut gens = explicit_cmds.clone();
        for i in &req {
            gens.extend(noun_command_patterns(&tokens[*i], NounCommands::Programs));
        }
        out.antecedent_generators.extend(gens);
        return;
    }
    // "Always run `cargo clippy`", "You must run the tests", "Verify that the app builds": an
    // order to run a check that names no moment is due when the work is handed over (the plan
    // commits, pushes or opens a pull request). A bare imperative stays advice.
    let strong = c.conds.is_empty()
        && !has(tokens, main, "should")
        && governs_run(tokens, main)
        && !purpose_after(tokens, &req);
    if !has_cond && !all_checks && strong {
        let mut checks = explicit_cmds.clone();
        if checks.is_empty() {
            for (k, i) in req.iter().enumerate() {
                if k > 0 && tag(tokens, req[k - 1]) == "run" {
                    checks.extend(noun_command_patterns(&tokens[*i], NounCommands::Programs));
                }
            }
        }
        if !checks.is_empty() && checks.iter().all(check_like) {
            let covered_by = alternatives(tokens, &req, &checks);
            push(
                out,
                RuleBody::RequiredCheck {
                    commands: checks,
                    covered_by,
                    code_only: false,
                    trigger: Trigger::Deliver,
                    when_paths: vec![],
                    ordered: has(tokens, main, "in_order"),
                    all_checks: false,
                    when_runs: vec![],
                },
                severity,
                decision,
                roles,
            );
            return;
        }
    }
    if !has_cond && !all_checks {
        // Unconditional imperatives ("Run `pnpm format` to format") are advice, not gates;
        // a read obligation without a trigger applies before any change.
        if verbs.contains(&"read") && has(tokens, main, "must") {
            let paths = readable(collect_paths(tokens, &req, cx, false, out));
            if !paths.is_empty() {
                push(
                    out,
                    RuleBody::RequiredRead {
                        paths,
                        trigger: Trigger::PullRequest,
                        when_paths: vec![],
                    },
                    severity,
                    decision,
                    roles,
                );
                return;
            }
        }
        if out.reason.is_none() && !explicit_cmds.is_empty() {
            out.reason = Some("an instruction with no trigger (add \"before committing\" or \"when you change …\" to enforce it)".into());
        }
        return;
    }
    let (trigger, when_paths, sure) = if has_cond || !cond_idx.is_empty() {
        match trigger_of(tokens, &cond_idx, &[], cx, out) {
            Some(t) => t,
            None => {
                out.reason = Some("its condition names nothing agentgate can observe (a path, an action or code changes)".into());
                return;
            }
        }
    } else {
        (Trigger::Change, vec![], Sure::Explicit)
    };
    let trigger = match trigger {
        Trigger::Commit
        | Trigger::Push
        | Trigger::PullRequest
        | Trigger::PullRequestReady
        | Trigger::Deliver
            if fix_and_more =>
        {
            Trigger::Fix
        }
        t => t,
    };
    // What is required.
    let ordered = has(tokens, main, "in_order");
    let mut cmds = explicit_cmds;
    if cmds.is_empty() {
        for (k, i) in req.iter().enumerate() {
            let object = req[..k]
                .iter()
                .rev()
                .take_while(|j| matches!(tag(tokens, **j), "w" | "noun" | "and" | "comma"))
                .count()
                == k
                || req[..k]
                    .iter()
                    .rev()
                    .find(|j| !matches!(tag(tokens, **j), "w" | "noun" | "and" | "comma"))
                    .is_some_and(|j| matches!(tag(tokens, *j), "run" | "use" | "pass" | "must"));
            // "Tests must pass": the subject of *pass* is what must run.
            let passing = req.get(k + 1).is_some_and(|j| tag(tokens, *j) == "must")
                && req.get(k + 2).is_some_and(|j| tag(tokens, *j) == "pass")
                // "[ ] Tests pass (`pytest`)" under "Before opening a PR, make sure:".
                || req.get(k + 1).is_some_and(|j| tag(tokens, *j) == "pass")
                    && has(tokens, main, "must");
            // ("Verify that the app builds": the app is the subject of the verb after it.)
            let subject = req.get(k + 1).is_some_and(|j| tag(tokens, *j) == "run");
            if (object || passing) && !subject {
                cmds.extend(noun_command_patterns(&tokens[*i], NounCommands::All));
            }
        }
    }
    let req_verbs: Vec<&str> = req
        .iter()
        .map(|i| tag(tokens, *i))
        .filter(|t| VERBS.contains(t))
        .collect();
    let read = req_verbs.contains(&"read");
    let run = req_verbs
        .iter()
        .any(|v| matches!(*v, "run" | "use" | "pass"))
        || all_checks
        || !explicit.is_empty();
    if !run {
        cmds.clear();
    }
    if read && sure == Sure::Explicit {
        let paths = readable(collect_paths(tokens, &req, cx, false, out));
        if !paths.is_empty() {
            push(
                out,
                RuleBody::RequiredRead {
                    paths,
                    trigger,
                    when_paths: when_paths.clone(),
                },
                severity,
                decision,
                roles.clone(),
            );
        }
    }
    // A co-change needs a verb that changes the companion ("update `x`", "add a test under
    // `tests/`"): "follow one of the templates in `x`", "they must defer to `AGENTS.md`" name a
    // path but change nothing in it.
    let changes = req.iter().any(|i| {
        matches!(
            tag(tokens, *i),
            "write" | "create" | "delete" | "move" | "changes_to"
        )
    }) || req
        .iter()
        .position(|i| tag(tokens, *i) == "must")
        .is_some_and(|m| {
            // "there must be tests", "needs a changeset", "must come with docs": existence.
            let modal = tokens[req[m]].value.as_str();
            let next = req
                .get(m + 1)
                .map(|i| (tag(tokens, *i), tokens[*i].value.as_str()));
            matches!(
                modal,
                "need" | "needs" | "require" | "requires" | "required"
            ) || matches!(
                next,
                Some((
                    "w",
                    "be" | "have" | "has" | "come" | "ship" | "contain" | "a" | "an"
                )) | Some(("include" | "path" | "noun" | "files", _))
            )
        });
    if !read
        && !run
        && changes
        && sure == Sure::Explicit
        && trigger != Trigger::Deliver
        && !req_verbs.contains(&"include")
    {
        let then: Vec<usize> = req
            .iter()
            .copied()
            .filter(|i| !cond_idx.contains(i))
            .collect();
        let then_paths = collect_paths(tokens, &then, cx, false, out);
        let then_paths = if then_paths.is_empty() {
            collect_paths(tokens, &c.aside, cx, false, out)
        } else {
            then_paths
        };
        if !then_paths.is_empty() {
            let when_action = match trigger {
                Trigger::Dependency => Some(Action::Dependency),
                Trigger::PullRequest => Some(Action::PullRequest),
                Trigger::Commit => Some(Action::Commit),
                _ => None,
            };
            let when = if when_paths.is_empty() && when_action.is_none() {
                vec![format!("{}**", cx.scope)]
            } else {
                when_paths.clone()
            };
            let code_only = trigger == Trigger::CodeChange;
            let fix = trigger == Trigger::Fix;
            let when = if fix {
                // "When fixing a bug, add a test": the fix is a change to program sources.
                vocab::get()
                    .noun_paths
                    .get("program sources")
                    .cloned()
                    .unwrap_or(when)
            } else if code_only {
                vocab_code_marker()
            } else {
                when
            };
            push(
                out,
                RuleBody::CoChange {
                    when_paths: when,
                    when_action,
                    then_paths,
                    only_added: trigger == Trigger::Add,
                    work: false,
                    fix,
                },
                severity,
                decision,
                roles.clone(),
            );
        }
    }
    // "After changing `x`, running `y` alone is enough": a gerund subject with no modal
    // describes what suffices; it orders nothing.
    let gerund = c
        .main
        .iter()
        .find(|i| tag(tokens, **i) != "comma")
        .is_some_and(|i| tag(tokens, *i) == "run" && tokens[*i].value.ends_with("ing"));
    if gerund && !has(tokens, main, "must") {
        if out.reason.is_none() {
            out.reason = Some(
                "a sentence about running something, with no modal, describes; it orders nothing"
                    .into(),
            );
        }
        return;
    }
    if run && (!cmds.is_empty() || all_checks) {
        // A "generated" antecedent: "Regenerate them by running the tests".
        if has(tokens, main, "this") && prev.is_some_and(|p| has(tokens, &p.main, "manually")) {
            return;
        }
        // A fixer run "after making changes" is an editing habit: what it does shows in the
        // diff, and no delivery event says when it must have run. Before a commit it is a gate.
        let covered_by = alternatives(tokens, &req, &cmds);
        // (With alternatives, one fixer among them is enough to make it a habit.)
        let habit = matches!(trigger, Trigger::Change | Trigger::CodeChange)
            && when_paths.is_empty()
            && !all_checks
            && (cmds.iter().all(fixer) || !covered_by.is_empty() && cmds.iter().any(fixer));
        // "Run `vitest …` to verify play assertions": an order with no modal that gives its
        // purpose says how to check, not that the check is due.
        if !has(tokens, main, "must") && !all_checks && purpose_after(tokens, &req) {
            if out.reason.is_none() {
                out.reason =
                    Some("a command given with its purpose says how, not that it is due".into());
            }
            return;
        }
        // "Component docs are auto-generated from code annotations. Run `make
        // check-generated-docs` after changes.": an order with no modal that follows a
        // sentence of its paragraph, due "after changes" to nothing named.
        let anaphoric_changes = cx.after_sentence
            && trigger == Trigger::Change
            && when_paths.is_empty()
            && !all_checks
            && !has(tokens, main, "must")
            && !c.conds.iter().any(|k| {
                k.1.iter()
                    .any(|i| matches!(tokens[*i].value.as_str(), "any" | "all" | "every" | "each"))
            });
        let at = out.drafts.len();
        push(
            out,
            RuleBody::RequiredCheck {
                commands: cmds,
                trigger,
                when_paths,
                ordered: ordered && trigger != Trigger::Run,
                all_checks: all_checks && trigger != Trigger::Run,
                covered_by,
                code_only: false,
                when_runs: if trigger == Trigger::Run {
                    super::trigger::run_condition(tokens, &cond_idx)
                } else {
                    vec![]
                },
            },
            severity,
            decision,
            roles,
        );
        if habit {
            if let Some(d) = out.drafts.get_mut(at) {
                d.severity = Severity::Warning;
                d.advisory = Some("a fixer run after edits is a habit: its result shows in the diff, and no commit, push or pull request says when it is due".into());
            }
        } else if anaphoric_changes {
            if let Some(d) = out.drafts.get_mut(at) {
                d.severity = Severity::Warning;
                d.advisory = Some("\"after changes\" with no object, after a sentence about something else, may mean changes to that, which agentgate cannot tell".into());
            }
        }
    }
}

/// Words that name changes to code as work: "bug fixes", "new features", "all new code".
const CODE_WORK: &[&str] = &[
    "bug",
    "bugs",
    "fix",
    "fixes",
    "bugfix",
    "bugfixes",
    "bug-fix",
    "bug-fixes",
    "feature",
    "features",
    "new",
    "code",
    "change",
    "changes",
    "every",
    "all",
    "any",
    "each",
    "and",
    "or",
    "behavior",
    "behaviour",
    "functionality",
];

/// "Bug fixes and new features MUST include tests", "All new code must have tests", "Add or
/// update tests for any code change", "Every bugfix MUST be covered by unit tests": a change to
/// program source needs a change to a test in the same plan.
fn test_companion(tokens: &[Token], c: &Clause) -> Option<RuleBody> {
    // After a condition: "When fixing a bug, add …" leaves the comma; "first", "always" open it.
    let lead = c
        .main
        .iter()
        .take_while(|i| {
            tag(tokens, **i) == "comma" || matches!(tokens[**i].value.as_str(), "first" | "always")
        })
        .count();
    let main = &c.main[lead..];
    // "When fixing a bug, add a regression test": held only to work declared a fix.
    let fix = !c.conds.is_empty()
        && c.conds
            .iter()
            .all(|(_, items)| trigger::fix_work(tokens, items));
    if !c.conds.is_empty() && !fix || c.gate {
        return None;
    }
    let v = |i: usize| tokens[i].value.as_str();
    let tests_at = main.iter().position(|i| {
        tag(tokens, *i) == "noun"
            && matches!(
                v(*i),
                "tests" | "the tests" | "unit tests" | "regression tests" | "test files"
            )
            // "add a (failing/regression) test" under a fix condition.
            || fix && v(*i) == "test"
    })?;
    // The modal nearest before the tests: a heading's ("Important notes:") comes first.
    let modal = main[..tests_at]
        .iter()
        .rposition(|i| tag(tokens, *i) == "must");
    // What must come with the change: "include/have/add/write/update tests", "be covered by
    // (unit) tests", "come with tests".
    let from = modal.map_or(0, |m| m + 1);
    let between = &main[from.min(tests_at)..tests_at];
    let asks_for = between.iter().any(|i| {
        matches!(tag(tokens, *i), "include" | "create" | "write")
            || matches!(
                v(*i),
                "have" | "has" | "covered" | "come" | "ship" | "accompanied" | "add"
            )
    }) && between.iter().all(|i| {
        matches!(
            tag(tokens, *i),
            "include" | "create" | "write" | "or" | "and" | "agents"
        ) || matches!(
            v(*i),
            "have"
                | "has"
                | "be"
                | "covered"
                | "by"
                | "come"
                | "ship"
                | "with"
                | "accompanied"
                | "add"
                | "unit"
                | "a"
                | "new"
                | "matching"
                | "corresponding"
                | "regression"
                | "at"
                | "least"
                | "one"
                | "failing"
                | "extend"
                | "first"
                | "update"
        )
    });
    if !asks_for {
        return None;
    }
    // What the rule is about: a subject of code work before the modal ("Bug fixes and new
    // features MUST …"), or "for any code change" after the tests.
    let subject = match modal {
        Some(m) if m > 0 => {
            let head = &main[..m];
            // After a heading's prefix ("Important Development Notes:").
            let head = match head.iter().rposition(|i| tag(tokens, *i) == "colon") {
                Some(c) => &head[c + 1..],
                None => head,
            };
            head.iter().any(|i| {
                matches!(
                    v(*i),
                    "bug"
                        | "fix"
                        | "fixes"
                        | "bugfix"
                        | "bugfixes"
                        | "feature"
                        | "features"
                        | "code"
                        | "change"
                        | "changes"
                )
            }) && head.iter().all(|i| {
                CODE_WORK.contains(&v(*i)) || matches!(tag(tokens, *i), "and" | "or" | "comma")
            })
        }
        _ => false,
    };
    let after = &main[tests_at + 1..];
    let for_change = after.first().is_some_and(|i| v(*i) == "for")
        && after[1..].iter().any(|i| {
            matches!(
                v(*i),
                "change" | "changes" | "code" | "fix" | "fixes" | "feature" | "features" | "bugfix"
            )
        })
        && after[1..].iter().all(|i| {
            CODE_WORK.contains(&v(*i)) || matches!(tag(tokens, *i), "write" | "and" | "or")
        });
    let imperative = modal.is_none()
        && main
            .first()
            .is_some_and(|i| matches!(tag(tokens, *i), "create" | "write"));
    let fix_order = fix && (imperative || modal.is_some());
    if !(subject || fix_order || (imperative || modal.is_some()) && for_change) {
        return None;
    }
    let nouns = &vocab::get().noun_paths;
    // Named as feature or fix work, the rule leaves other work (a release, a chore) alone.
    let work = main.iter().any(|i| {
        matches!(
            v(*i),
            "bug" | "bugs" | "fix" | "fixes" | "bugfix" | "bugfixes" | "feature" | "features"
        )
    });
    Some(RuleBody::CoChange {
        when_paths: nouns.get("program sources").cloned().unwrap_or_default(),
        when_action: None,
        then_paths: nouns.get("tests").cloned().unwrap_or_default(),
        // "All new code must have tests": new files; a line changed in an old one is not new code.
        only_added: !work && modal.is_some_and(|m| main[..m].iter().any(|i| v(*i) == "new")),
        work: work || fix,
        fix,
    })
}

/// "Run `cargo check` or `cargo build`": commands joined by *or* (and never by *and*) are
/// alternatives, any one of which meets the rule; they are returned as the rule's `covered_by`.
fn alternatives(tokens: &[Token], req: &[usize], cmds: &[CommandPattern]) -> Vec<CommandPattern> {
    if cmds.len() < 2 {
        return vec![];
    }
    let first = req.iter().position(|i| tag(tokens, *i) == "cmd");
    let last = req.iter().rposition(|i| tag(tokens, *i) == "cmd");
    let (Some(a), Some(b)) = (first, last) else {
        return vec![];
    };
    let between = &req[a..=b];
    // "Backend: `x`, Frontend: `y`": each command is for its own part of the project, which
    // agentgate cannot tell apart; running the one that applies meets the rule.
    let labelled = req
        .iter()
        .enumerate()
        .filter(|(_, i)| tag(tokens, **i) == "cmd")
        .all(|(n, _)| {
            n >= 2
                && tag(tokens, req[n - 1]) == "colon"
                && matches!(tag(tokens, req[n - 2]), "w" | "noun" | "prog")
        });
    if labelled {
        return cmds.to_vec();
    }
    let or = between.iter().any(|i| tag(tokens, *i) == "or");
    let and = between.iter().any(|i| tag(tokens, *i) == "and");
    if or && !and {
        cmds.to_vec()
    } else {
        vec![]
    }
}

/// "Always run `meson compile …` to build the target", "run the full build first to validate
/// …": a command given with its purpose says how to do something, not that it must be done.
fn purpose_after(tokens: &[Token], req: &[usize]) -> bool {
    let Some(run) = req.iter().position(|i| tag(tokens, *i) == "run") else {
        return false;
    };
    let words = &vocab::get().words;
    req[run + 1..].windows(2).any(|w| {
        tokens[w[0]].value == "to"
            && tag(tokens, w[1]) == "w"
            && (!words.neutral(&tokens[w[1]].value)
                || vocab::get()
                    .class_verbs
                    .contains_key(tokens[w[1]].value.as_str()))
    })
}

/// A `must` that governs a `run` right after it: "Always run `x`", "You must run the tests",
/// "Make sure you run …", "Verify that the app builds" — not "Use `x` to build. ALWAYS redirect
/// …" nor "Run these checks to ensure that …".
fn governs_run(tokens: &[Token], main: &[usize]) -> bool {
    // Only a subject or a label may stand before the modal: "| RealTiKV tests | MUST start …"
    // names the case it speaks of, which is not read.
    let at = main.iter().position(|i| tag(tokens, *i) == "must");
    let topic = at.is_some_and(|m| {
        let from = main[..m]
            .iter()
            .rposition(|i| tag(tokens, *i) == "colon")
            .map_or(0, |c| c + 1);
        main[from..m].iter().any(|i| {
            frame::unknown(tokens, *i) || matches!(tag(tokens, *i), "dash" | "path" | "noun")
        })
    });
    // "Verify that the app builds": the verb said of a subject.
    let said_of = |j: usize| {
        tag(tokens, j) == "run" && matches!(tokens[j].value.as_str(), "builds" | "compiles")
    };
    !topic
        && main.iter().enumerate().any(|(k, i)| {
            tag(tokens, *i) == "must"
                && main[k + 1..]
                    .iter()
                    .find(|j| {
                        !(matches!(tag(tokens, **j), "agents" | "also")
                            || tag(tokens, **j) == "w" && !frame::unknown(tokens, **j))
                    })
                    .is_some_and(|j| {
                        tag(tokens, *j) == "run"
                            || main[k + 1..].iter().take(4).any(|j| said_of(*j))
                    })
        })
}

/// A check of code (tests, linters, formatters, type checkers, builds) that says nothing about a
/// documentation-only change: not one aimed at prose (`lint:md`, `vale`, `markdownlint`).
pub fn code_check(p: &CommandPattern) -> bool {
    const PROSE: &[&str] = &[
        "md",
        "markdown",
        "doc",
        "docs",
        "spell",
        "prose",
        "vale",
        "link",
        "links",
        "markdownlint",
        "mdx",
        "text",
        "typos",
        "cspell",
    ];
    check_like(p)
        && !p
            .text
            .to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| PROSE.contains(&w))
}

/// A command that checks the work: a test, lint, format, type-check or build command, or one
/// whose name says it checks (`make check`, `pnpm verify`, `./scripts/validate.sh`).
fn check_like(p: &CommandPattern) -> bool {
    const CLASSES: &[&str] = &["test", "lint", "format", "typecheck", "build"];
    const WORDS: &[&str] = &[
        "check",
        "verify",
        "validate",
        "ci",
        "precommit",
        "pre-commit",
        "style",
        "vet",
        "clippy",
        "fmt",
        "lint",
        "test",
        "tests",
        "typecheck",
        "audit",
        "quality",
    ];
    if let Some(class) = p.program.strip_prefix('@') {
        return CLASSES.contains(&class.trim_end_matches('!'));
    }
    let v = vocab::get();
    let base = p.program.rsplit('/').next().unwrap_or(&p.program);
    let words: Vec<&str> = std::iter::once(base)
        .chain(p.words.iter().filter_map(|w| match w {
            PatWord::Lit(l) => Some(l.as_str()),
            PatWord::Any => None,
        }))
        .collect();
    words.iter().any(|w| {
        CLASSES.iter().any(|c| v.in_class(c, w))
            || w.split(['-', ':', '_', '.'])
                .any(|part| WORDS.contains(&part) || CLASSES.iter().any(|c| v.in_class(c, part)))
    })
}

/// The flags a shown command carries, required on every run of it without them.
fn flags_of(p: &CommandPattern) -> RuleBody {
    let mut command = p.clone();
    command.flags.clear();
    RuleBody::RequiredFlag {
        command,
        flags: p.flags.clone(),
    }
}

/// What a read obligation can ask for: named files and folders. "the code" (every file) is
/// not something to read first ("… to somebody who's reading the code for the first time").
fn readable(mut paths: Vec<String>) -> Vec<String> {
    paths.retain(|p| !matches!(p.as_str(), "**" | "**/*" | "*"));
    paths
}

/// A command that rewrites files rather than checking them: a formatter or an autofix
/// (`cargo fmt`, `pnpm lint:fix`, `ruff check --fix`, `prettier --write`), not run in check mode.
fn fixer(cmd: &CommandPattern) -> bool {
    let parts = |w: &str| -> Vec<String> {
        w.split([':', '-', '_', '.', '/'])
            .map(str::to_string)
            .collect()
    };
    let mut names: Vec<String> = parts(&cmd.program);
    for w in &cmd.words {
        if let PatWord::Lit(v) = w {
            names.extend(parts(v));
        }
    }
    let flag = |set: &[&str]| cmd.flags.iter().any(|f| set.contains(&f.as_str()));
    if flag(&["--fix", "--write", "--fix-only"]) {
        return true;
    }
    let checking = flag(&["--check", "--diff", "--dry-run", "-n"])
        || names
            .iter()
            .any(|p| matches!(p.as_str(), "check" | "verify" | "lint" | "test"));
    // `npx prettier`, `uvx black`, `bunx biome`: the tool is the word after the runner.
    let tool = match cmd.program.as_str() {
        "npx" | "pnpx" | "bunx" | "uvx" | "pipx" => match cmd.words.first() {
            Some(PatWord::Lit(w)) => w.as_str(),
            _ => cmd.program.as_str(),
        },
        p => p,
    };
    let program = matches!(
        tool,
        "prettier"
            | "black"
            | "isort"
            | "gofmt"
            | "goimports"
            | "rustfmt"
            | "autopep8"
            | "yapf"
            | "clang-format"
            | "dprint"
            | "shfmt"
            | "stylua"
            | "ktlint"
    );
    let fixing = names.iter().any(|p| {
        matches!(
            p.as_str(),
            "fix" | "format" | "fmt" | "autofix" | "prettify"
        )
    });
    (program || fixing) && !(checking && !names.iter().any(|p| p == "fix"))
}

/// "All PRs target the `main` branch", "Open PRs against `develop`": pull requests go to that
/// base only.
pub(super) fn pr_base(tokens: &[Token], main: &[usize]) -> Option<RuleBody> {
    if !has(tokens, main, "act_pull_request") {
        return None;
    }
    // ("base" as in "the base branch", not "the code base")
    let targeting = main.iter().enumerate().any(|(k, i)| {
        matches!(
            tokens[*i].value.as_str(),
            "target" | "targets" | "against" | "into"
        ) || tokens[*i].value == "base"
            && main.get(k + 1).is_some_and(|n| {
                matches!(tokens[*n].value.as_str(), "branch" | ":") || tag(tokens, *n) == "code"
            })
    });
    // "all PRs should target `next`, not `main`": the branch after *not* is the one to avoid.
    let negated = |k: usize| {
        main[..k].iter().rev().take(2).any(|j| {
            matches!(
                tokens[*j].value.as_str(),
                "not" | "never" | "instead of" | "rather than"
            ) || matches!(tag(tokens, *j), "deny" | "not")
        })
    };
    let bases: Vec<String> = main
        .iter()
        .enumerate()
        .filter(|(k, i)| {
            let t = &tokens[**i];
            // A branch's name has no spaces and does not end in a colon (`refactor:` is a
            // title's prefix).
            let named = t.tag == "code" && !t.value.contains(' ') && !t.value.ends_with(':')
                // `next` is also a program's name
                || t.tag == "cmd" && !t.value.contains(' ')
                || t.tag == "w"
                    && matches!(t.value.as_str(), "main" | "master" | "develop" | "next" | "trunk");
            named && !negated(*k)
        })
        .map(|(_, i)| tokens[*i].value.clone())
        .collect();
    (targeting && bases.len() == 1).then(|| RuleBody::ActionDeny {
        action: Action::PullRequest,
        target: Some(format!("!{}", bases[0])),
        environment: None,
    })
}

/// "Use `pnpm` as the package manager", "Package Manager: pnpm (required)": the tool chosen for
/// a job (`[programs.jobs]`) forbids the others that do it. One tool must be named, and the
/// clause must say it is the choice: *use* or *required*, no other verb, no negation.
pub(super) fn tool_choice(tokens: &[Token], c: &Clause) -> Option<RuleBody> {
    let v = vocab::get();
    let all: Vec<usize> = c.main.iter().chain(&c.aside).copied().collect();
    let words: Vec<&str> = all.iter().map(|i| tokens[*i].value.as_str()).collect();
    let must_use = c
        .main
        .windows(2)
        .any(|w| tag(tokens, w[0]) == "must" && tag(tokens, w[1]) == "use");
    let chosen = matches!(tag(tokens, c.main[0]), "use")
        || must_use
        || all.iter().any(|i| tokens[*i].value == "required")
        || words.windows(2).any(|w| w == ["only", "use"]);
    // "ALWAYS use `pnpm` (never npm, yarn, or bun)": the aside names the tools forbidden.
    let aside: Vec<usize> = c
        .aside
        .iter()
        .copied()
        .filter(|i| !matches!(tag(tokens, *i), "lparen" | "rparen"))
        .collect();
    let aside_denies = aside
        .first()
        .is_some_and(|i| matches!(tag(tokens, *i), "deny" | "no" | "avoid" | "not"))
        && aside.len() > 1
        && aside[1..].iter().all(|i| {
            matches!(tag(tokens, *i), "cmd" | "prog" | "comma" | "or" | "and")
                || tag(tokens, *i) == "w" && v.known_programs.contains(&tokens[*i].value)
        });
    let main_negated = c
        .main
        .iter()
        .any(|i| matches!(tag(tokens, *i), "deny" | "no" | "avoid"));
    if chosen && aside_denies && !main_negated {
        let commands: Vec<CommandPattern> = aside[1..]
            .iter()
            .filter(|i| !matches!(tag(tokens, **i), "comma" | "or" | "and"))
            .map(|i| crate::compile::targets::program_pattern(&tokens[*i].value))
            .collect();
        return Some(RuleBody::CommandDeny {
            commands,
            except: vec![],
        });
    }
    let negated = all.iter().any(|i| matches!(tag(tokens, *i), "deny" | "no" | "avoid"))
        // "the primary package manager": a preference, others may still have their uses.
        || words.iter().any(|w| {
            matches!(*w, "primary" | "preferred" | "main" | "default" | "recommended" | "usually" | "mostly")
        });
    if !chosen
        || negated
        || all
            .iter()
            .filter(|i| VERBS.contains(&tag(tokens, **i)))
            .count()
            > 1
    {
        return None;
    }
    let named: Vec<String> = all
        .iter()
        .filter(|i| matches!(tag(tokens, **i), "cmd" | "prog"))
        .map(|i| tokens[*i].value.clone())
        .filter(|t| v.jobs.values().any(|tools| tools.contains(t)))
        .collect();
    let [tool] = named.as_slice() else {
        return None;
    };
    let named_job = v
        .jobs
        .iter()
        .filter(|(job, tools)| {
            let job: Vec<&str> = job.split(' ').collect();
            tools.contains(tool) && words.windows(job.len()).any(|w| w == job.as_slice())
        })
        .max_by_key(|(job, _)| job.len());
    // "Always use pnpm": a tool that does one job, chosen with nothing else said, is chosen for
    // that job.
    let plain = must_use
        && c.aside.is_empty()
        && c.conds.is_empty()
        && c.main.iter().all(|i| {
            matches!(
                tag(tokens, *i),
                "must" | "use" | "cmd" | "prog" | "agents" | "also"
            ) || tag(tokens, *i) == "w" && !frame::unknown(tokens, *i)
        });
    let sole_job = || {
        let jobs: Vec<_> = v
            .jobs
            .iter()
            .filter(|(_, tools)| tools.contains(tool))
            .collect();
        match jobs.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    };
    let (_, tools) = named_job.or_else(|| plain.then(sole_job).flatten())?;
    let others: Vec<CommandPattern> = tools
        .iter()
        .filter(|t| *t != tool)
        .map(|t| crate::compile::targets::program_pattern(t))
        .collect();
    Some(RuleBody::CommandDeny {
        commands: others,
        except: vec![],
    })
}

/// "Commit only after `pnpm run check` and `pnpm run cy:run` pass", "Push only once the tests
/// pass": the action is allowed only after the checks, so they are due before it.
pub(super) fn only_after(tokens: &[Token], c: &Clause) -> Option<RuleBody> {
    let main: Vec<usize> = c
        .main
        .iter()
        .copied()
        .filter(|i| !matches!(tag(tokens, *i), "comma" | "agents"))
        .collect();
    let trigger = match main.as_slice() {
        [a, o] if tag(tokens, *o) == "only" => match tag(tokens, *a) {
            "act_commit" => Trigger::Commit,
            "act_push" => Trigger::Push,
            "act_pull_request" => Trigger::PullRequest,
            "act_merge" => Trigger::Merge,
            "act_publish" => Trigger::Publish,
            _ => return None,
        },
        _ => return None,
    };
    let [(kind, items)] = c.conds.as_slice() else {
        return None;
    };
    if !matches!(kind, CondKind::After | CondKind::When) {
        return None;
    }
    let passes = items.iter().any(|i| {
        tag(tokens, *i) == "pass"
            || matches!(
                tokens[*i].value.as_str(),
                "succeed" | "succeeds" | "green" | "passes"
            )
    });
    let mut commands = collect_commands(tokens, items);
    for i in items {
        commands.extend(noun_command_patterns(&tokens[*i], NounCommands::Programs));
    }
    // Every word is a check, a joiner or the passing.
    let understood = items.iter().all(|i| {
        matches!(
            tag(tokens, *i),
            "cmd" | "noun" | "and" | "comma" | "pass" | "all_checks"
        ) || matches!(
            tokens[*i].value.as_str(),
            "the"
                | "all"
                | "both"
                | "succeed"
                | "succeeds"
                | "green"
                | "passes"
                | "have"
                | "has"
                | "once"
        )
    });
    (passes && understood && !commands.is_empty())
        .then(|| checks_due(dedup(commands), trigger, vec![], vec![]))
}

/// "Always pull with `--rebase`", "Always commit with `-s`": a git verb given with flags
/// requires them on that git command. "… push with `--force-with-lease`" is about force pushes.
pub(super) fn git_verb_flags(tokens: &[Token], c: &Clause) -> Option<RuleBody> {
    if !c.conds.is_empty() || !c.aside.is_empty() {
        return None;
    }
    let main: Vec<usize> = c
        .main
        .iter()
        .copied()
        .filter(|i| !matches!(tag(tokens, *i), "stop" | "comma"))
        .collect();
    let (verb, rest) = match main.as_slice() {
        [m, v, rest @ ..] if tag(tokens, *m) == "must" => (*v, rest),
        [v, rest @ ..] => (*v, rest),
        [] => return None,
    };
    let sub = match (tag(tokens, verb), tokens[verb].value.as_str()) {
        ("act_commit", _) => "commit",
        ("act_push", _) => "push",
        ("act_rebase", _) => "rebase",
        ("act_merge", _) => "merge",
        (_, "pull" | "fetch" | "clone") => tokens[verb].value.as_str(),
        _ => return None,
    };
    let [with, flags @ ..] = rest else {
        return None;
    };
    if !matches!(tokens[*with].value.as_str(), "with" | "using") || flags.is_empty() {
        return None;
    }
    let names: Vec<String> = flags
        .iter()
        .filter(|i| tag(tokens, **i) == "flag")
        .map(|i| tokens[*i].value.clone())
        .collect();
    if names.is_empty()
        || !flags
            .iter()
            .all(|i| matches!(tag(tokens, *i), "flag" | "and" | "or"))
    {
        return None;
    }
    let text = if sub == "push" && names.iter().any(|f| f == "--force-with-lease") {
        "git push --force".to_string()
    } else {
        format!("git {sub}")
    };
    let command = command_patterns(&text).into_iter().next()?;
    Some(RuleBody::RequiredFlag {
        command,
        flags: names,
    })
}
