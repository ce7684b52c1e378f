//! Prohibitions: "never X", "do not run `y`", "use X, not Y", bounds, actions, paths, commands.

use super::*;

/// "Use X, not Y" / "X instead of Y": Y is forbidden.
pub(super) fn not_form(
    tokens: &[Token],
    c: &Clause,
    _cx: &Context,
    severity: Severity,
    out: &mut Outcome,
) {
    for list in [&c.main, &c.aside] {
        let Some(at) = list.iter().position(|i| tag(tokens, *i) == "not") else {
            continue;
        };
        // The alternative before "not" is a command or something to use or run ("Use `pnpm`,
        // not npm"); "Sandbox paths are `../x/`, not `./sandbox`" corrects a fact.
        // (An aside's alternative is in the clause: "Use debug builds (not `--release`)".)
        let before: &[usize] = if std::ptr::eq(list, &c.aside) {
            &c.main
        } else {
            &list[..at]
        };
        let alternative = before.iter().any(|i| {
            matches!(
                tag(tokens, *i),
                "cmd" | "prog" | "flag" | "envset" | "use" | "run"
            )
        });
        if !alternative {
            continue;
        }
        let after: Vec<usize> = list[at + 1..]
            .iter()
            .copied()
            .take_while(|i| {
                matches!(
                    tag(tokens, *i),
                    "cmd" | "prog" | "flag" | "envset" | "or" | "and" | "comma"
                )
            })
            .collect();
        let mut pats = collect_commands(tokens, &after);
        for i in &after {
            if tag(tokens, *i) == "flag" || tag(tokens, *i) == "envset" {
                pats.push(flag_pattern(&tokens[*i].value));
            }
        }
        if !pats.is_empty() {
            out.normative = true;
            push(
                out,
                RuleBody::CommandDeny {
                    commands: pats,
                    except: vec![],
                },
                severity,
                Decision::Deny,
                vec![],
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn deny_form(
    tokens: &[Token],
    c: &Clause,
    prev: Option<&Clause>,
    deny_at: usize,
    cx: &Context,
    severity: Severity,
    decision: Decision,
    asking: bool,
    out: &mut Outcome,
) {
    out.normative = true;
    let main = &c.main;
    let roles = roles(tokens, main);
    // What the modal governs: tokens after it, else before it (table rows: "`x` | do not run").
    let mut scope: Vec<usize> = main[deny_at + 1..].to_vec();
    if asking {
        for (_, items) in &c.conds {
            scope.extend(items);
        }
    }
    let has_target = |l: &[usize]| {
        l.iter()
            .any(|i| TARGETS.contains(&tag(tokens, *i)) || tag(tokens, *i).starts_with("act_"))
    };
    // "`go.work` is local. It must never be committed": the pronoun is the object of the
    // passive, and names what the clause before named; naming nothing, it forbids nothing.
    let pronoun_subject = deny_at == 1
        && tag(tokens, main[0]) == "this"
        && main
            .get(deny_at + 1)
            .is_some_and(|i| matches!(tokens[*i].value.as_str(), "be" | "been" | "get"));
    if pronoun_subject {
        let named: Vec<usize> = prev
            .map(|p| {
                p.main
                    .iter()
                    .copied()
                    .filter(|i| matches!(tag(tokens, *i), "path" | "cmd"))
                    .collect()
            })
            .unwrap_or_default();
        if named.is_empty() {
            out.reason = Some(format!(
                "\"{}\" points at something agentgate cannot resolve",
                tokens[main[0]].value
            ));
            return;
        }
        scope.extend(named);
    }
    // "Pushing to main is forbidden", "Commits to `main` are not allowed": a subject with a
    // copula before the modal is what is forbidden.
    let passive = deny_at < main.len()
        && (tokens[main[deny_at]].value.starts_with("is ")
            || tokens[main[deny_at]].value.starts_with("are ")
            || deny_at > 0
                && matches!(
                    tokens[main[deny_at - 1]].value.as_str(),
                    "is" | "are" | "be" | "strictly"
                ));
    // "TypeScript 사용 금지", "`dist/` を編集しない": in Korean, Japanese and Chinese the object
    // stands before the modal that closes the sentence.
    let sov = deny_at < main.len()
        && tokens[main[deny_at]]
            .value
            .chars()
            .any(|ch| vocab::is_cjk(ch) || matches!(ch as u32, 0xAC00..=0xD7AF | 0x1100..=0x11FF))
        && !has_target(&scope);
    if sov {
        scope = main[..deny_at].to_vec();
    }
    // "`go.work` and `go.work.sum` … should not be committed": a passive action after the
    // modal is done to the paths before it.
    let passive_action = scope.len() >= 2
        && matches!(tokens[scope[0]].value.as_str(), "be" | "get" | "been")
        && scope[1..]
            .iter()
            .all(|i| tag(tokens, *i).starts_with("act_") || tag(tokens, *i) == "stop");
    if passive_action && !asking {
        let subject: Vec<usize> = main[..deny_at.min(main.len())]
            .iter()
            .copied()
            .filter(|i| tag(tokens, *i) == "path")
            .collect();
        if !subject.is_empty() {
            // read as "… committed `go.work`": the object after its verb
            scope.extend(subject);
        }
    }
    // "`shared/` must not absorb new product domains": a verb not understood says what must
    // not happen to the target before the modal; agentgate does not know what that is.
    let unknown_verb = main
        .get(deny_at + 1)
        .is_some_and(|i| frame::unknown(tokens, *i))
        && main[..deny_at.min(main.len())]
            .iter()
            .any(|i| tag(tokens, *i) == "path")
        && !has_target(&c.examples)
        && !has_target(&c.aside);
    if !has_target(&scope) && !asking && unknown_verb {
        out.reason = Some(format!(
            "its verb \"{}\" is not one agentgate understands",
            tokens[main[deny_at + 1]].value
        ));
        return;
    }
    if !has_target(&scope) && !asking {
        // Targets before the modal count only when written as code ("`npm run build` | do not
        // run"): "tests … should not alter APIs" is about the APIs, not the tests.
        // "Agents working in `apps/docs/` MUST NOT:": a path after the actor and a preposition
        // is where the rule speaks, not what it forbids.
        let before = &main[..deny_at.min(main.len())];
        let place = |k: usize| {
            k > 0
                && matches!(
                    tokens[before[k - 1]].value.as_str(),
                    "in" | "under" | "inside" | "within"
                )
                && before[..k - 1].iter().any(|j| {
                    tag(tokens, *j) == "agents"
                        || matches!(tokens[*j].value.as_str(), "you" | "working" | "work")
                })
        };
        let places: Vec<usize> = (0..before.len())
            .filter(|k| tag(tokens, before[*k]) == "path" && place(*k))
            .map(|k| before[k])
            .collect();
        scope = main[..deny_at.min(main.len())]
            .iter()
            .copied()
            .filter(|i| !places.contains(i))
            .filter(|i| {
                matches!(
                    tag(tokens, *i),
                    "path" | "cmd" | "flag" | "envset" | "code" | "bg"
                ) || VERBS.contains(&tag(tokens, *i))
                    // "The CD command is strictly forbidden".
                    || tag(tokens, *i) == "prog"
                        && tokens.get(*i + 1).is_some_and(|n| {
                            matches!(n.value.as_str(), "command" | "binary" | "executable" | "cli")
                        })
                    || passive && (tag(tokens, *i).starts_with("act_") || tag(tokens, *i) == "w")
            })
            .chain(main[(deny_at + 1).min(main.len())..].iter().copied())
            .collect();
        scope.extend(c.examples.iter().copied());
        if !has_target(&scope) {
            scope.extend(c.aside.iter().copied());
        }
        // "Preserve `x`; never replace or bypass it": the pronoun, as the verb's object, names
        // the previous clause's target.
        let object_pronoun = main
            .windows(2)
            .any(|w| VERBS.contains(&tag(tokens, w[0])) && tag(tokens, w[1]) == "this");
        if !has_target(&scope) && object_pronoun {
            if let Some(p) = prev {
                scope.extend(p.main.iter().copied());
            }
        }
    } else {
        scope.extend(c.examples.iter().copied());
    }
    if has(tokens, &main[deny_at.min(main.len())..], "without") {
        out.reason =
            Some("its exception (\"without …\") names nothing agentgate can observe".into());
        return;
    }
    let conds: Vec<&Vec<usize>> = c
        .conds
        .iter()
        .map(|(_, l)| l)
        .filter(|l| !frame::takes_up_action(tokens, l))
        .collect();
    if !asking && !conds.is_empty() {
        let cond_idx: Vec<usize> = conds.iter().flat_map(|l| l.iter().copied()).collect();
        let observable = cond_idx.iter().any(|i| {
            matches!(tag(tokens, *i), "cmd" | "prog" | "path")
                || tag(tokens, *i).starts_with("act_")
        });
        // "after the initial creation", "when working": a condition made of words for the work
        // itself narrows nothing.
        let words = &vocab::get().words;
        let idle = cond_idx.iter().all(|i| {
            !frame::unknown(tokens, *i)
                || words.activity.contains(&tokens[*i].value)
                || words.delivery.contains(&tokens[*i].value)
        }) && !cond_idx.iter().any(|i| {
            matches!(
                tag(tokens, *i),
                "write" | "create" | "delete" | "move" | "changes_to" | "run" | "read"
                    // "When instructed to fix tests": what someone asked for is not the work.
                    | "approval"
            )
        });
        if !observable
            && !idle
            // "Never push before running the tests": an order between runs a prohibition
            // cannot carry.
            && trigger_of(tokens, &cond_idx, &[], cx, out)
                .is_none_or(|t| t.2 == Sure::Fallback || t.0 == Trigger::Run)
        {
            out.reason = Some("its condition names nothing agentgate can observe".into());
            return;
        }
    }
    let verbs: Vec<&str> = scope
        .iter()
        .map(|i| tag(tokens, *i))
        .filter(|t| VERBS.contains(t))
        .collect();
    // "Do not work on the issue": an issue or pull request after a preposition is what the work
    // is about, not one to open.
    // "a patch against another branch, tag, or checkout": the preposition governs the list.
    let place = |p: usize| {
        matches!(
            tag(tokens, scope[p]),
            "act_issue" | "act_pull_request" | "act_branch" | "act_tag"
        ) && scope[..p]
            .iter()
            .rev()
            .find(|i| {
                !matches!(
                    tokens[**i].value.as_str(),
                    "the"
                        | "a"
                        | "an"
                        | "this"
                        | "that"
                        | "its"
                        | "their"
                        | "your"
                        | "another"
                        | "other"
                        | "any"
                ) && !matches!(tag(tokens, **i), "comma" | "or" | "and")
                    && !matches!(
                        tag(tokens, **i),
                        "act_issue" | "act_pull_request" | "act_branch" | "act_tag"
                    )
            })
            .is_some_and(|i| {
                matches!(
                    tokens[*i].value.as_str(),
                    "on" | "in"
                        | "about"
                        | "under"
                        | "from"
                        | "of"
                        | "within"
                        | "against"
                        | "onto"
                        | "off"
                )
            })
    };
    // "CI/发布：修改 `.github/`": a short label over a list item names its category; with a
    // verb and a target after it, the actions in the label are not the item's targets.
    let label_end = label_colon(tokens, &scope).filter(|c| {
        let after = &scope[c + 1..];
        after.iter().any(|i| VERBS.contains(&tag(tokens, *i)))
            && after
                .iter()
                .any(|i| matches!(tag(tokens, *i), "path" | "cmd" | "code" | "flag"))
    });
    let in_label = |p: usize| {
        label_end.is_some_and(|c| {
            p < c
                && !scope[p + 1..c]
                    .iter()
                    .any(|i| matches!(tag(tokens, *i), "colon" | "deny" | "must" | "ask" | "avoid"))
        })
    };
    let mut actions: Vec<Action> = scope
        .iter()
        .enumerate()
        .filter(|(p, _)| asking || governed(tokens, &scope, *p))
        .filter(|(p, _)| !place(*p))
        .filter(|(p, _)| !in_label(*p))
        .filter_map(|(_, i)| tag(tokens, *i).strip_prefix("act_"))
        .filter_map(|a| Action::from_name(&a.replace('_', "-")))
        .collect();
    // "Never merge your own PR", "do not approve or merge pull requests": the pull request is
    // what the other action acts on, not one to open.
    let acted_on = scope.iter().enumerate().any(|(k, i)| {
        tag(tokens, *i) == "act_pull_request"
            && scope[..k].iter().rev().take(4).any(|j| {
                matches!(
                    tag(tokens, *j),
                    "act_merge" | "act_rebase" | "act_edit_pull_request"
                ) || matches!(
                    tokens[*j].value.as_str(),
                    "approve" | "close" | "review" | "reopen"
                )
            })
    });
    if acted_on {
        actions.retain(|a| *a != Action::PullRequest);
    }
    // "do not create or switch branches": both.
    if actions.contains(&Action::SwitchBranch)
        && verbs.contains(&"create")
        && !actions.contains(&Action::Branch)
    {
        actions.push(Action::Branch);
    }
    // "revert commits", "amend or rebase existing commits": the commits are the object.
    // "Never create git commits, amend, or push": a commit before them is an action of its own.
    let history_at = scope
        .iter()
        .position(|i| matches!(tag(tokens, *i), "act_revert" | "act_amend" | "act_rebase"));
    let commit_first = scope
        .iter()
        .position(|i| tag(tokens, *i) == "act_commit")
        .is_some_and(|k| history_at.is_some_and(|h| k < h));
    if !commit_first
        && actions
            .iter()
            .any(|a| matches!(a, Action::Revert | Action::Amend | Action::Rebase))
    {
        actions.retain(|a| *a != Action::Commit);
    }

    // Bounds: "must not delete more than 10 files".
    // "max 15 min" counts minutes, not files: only a bound on files or lines is one.
    let counted =
        |u: &Option<usize>| u.is_some_and(|u| matches!(tag(tokens, u), "files" | "lines"));
    if let Some((num, unit)) = c.bounds.iter().find(|(_, u)| counted(u)) {
        let max: u64 = tokens[*num].value.parse().unwrap_or(u64::MAX);
        let unit_tag = unit.map(|u| tag(tokens, u)).unwrap_or("files");
        let added = unit.is_some_and(|u| {
            tokens[u].value.starts_with("addition") || tokens[u].value.starts_with("added")
        });
        let metric = if unit_tag == "lines" && added {
            Metric::AddedLines
        } else if unit_tag == "lines" {
            Metric::ChangedLines
        } else if verbs.contains(&"delete") {
            Metric::DeletedFiles
        } else {
            Metric::ChangedFiles
        };
        push(
            out,
            RuleBody::Bound { metric, max },
            severity,
            decision,
            roles,
        );
        return;
    }

    // "No TypeScript", "Do not use TypeScript", "TypeScript 사용 금지": files in that language are
    // not to be added (or renamed into), nor its compiler added as a dependency.
    let language = scope
        .iter()
        .find(|i| tag(tokens, **i) == "noun" && tokens[**i].value.starts_with("typescript"));
    if let Some(l) = language {
        if verbs.iter().all(|v| *v == "use") && !scope.iter().any(|i| tag(tokens, *i) == "path") {
            let paths = vocab::get()
                .noun_paths
                .get(&tokens[*l].value)
                .cloned()
                .unwrap_or_default();
            let except = exceptions_paths_early(tokens, c, cx, out);
            push(
                out,
                RuleBody::PathDeny {
                    ops: vec![WriteOp::Add, WriteOp::Rename],
                    paths,
                    except,
                    only_mixed: false,
                    only_commit: false,
                },
                severity,
                decision,
                roles.clone(),
            );
            push(
                out,
                RuleBody::ActionDeny {
                    action: Action::Dependency,
                    target: Some("typescript".into()),
                    environment: None,
                },
                severity,
                decision,
                roles,
            );
            return;
        }
    }

    // "Do X without running Y": an obligation on X.
    if !c.run_gate.is_empty() {
        let mut cmds = collect_commands(tokens, &c.run_gate);
        for i in &c.run_gate {
            cmds.extend(noun_command_patterns(&tokens[*i], NounCommands::All));
        }
        let trig_idx: Vec<usize> = scope
            .iter()
            .copied()
            .filter(|i| !c.run_gate.contains(i))
            .collect();
        let (trigger, when_paths) = match trigger_of(tokens, &trig_idx, &verbs, cx, out) {
            Some((t, p, _)) => (t, p),
            None => (Trigger::Change, vec![]),
        };
        if !cmds.is_empty() {
            push(
                out,
                checks_due(
                    cmds,
                    trigger,
                    when_paths,
                    super::trigger::run_condition(tokens, &trig_idx),
                ),
                severity,
                decision,
                roles,
            );
            return;
        }
    }

    let exceptions_paths = collect_paths(tokens, &c.exceptions, cx, false, out);
    let exception_cmds = collect_commands(tokens, &c.exceptions);
    let manual = has(tokens, &scope, "manually")
        || has(tokens, main, "manually")
        || has(tokens, &c.aside, "generated")
        || has(tokens, main, "generated");
    let example_anywhere = !c.examples.is_empty();

    // "Do NOT create temporary branches such as `work`": what the qualifier means is not
    // known, but the examples are branches it covers.
    let unread_branches = scope.iter().any(|i| {
        tag(tokens, *i) == "w" && matches!(tokens[*i].value.as_str(), "branch" | "branches")
    });
    if unread_branches && verbs.contains(&"create") {
        let named: Vec<String> = c
            .examples
            .iter()
            .filter(|i| tag(tokens, **i) == "code")
            .map(|i| tokens[*i].value.clone())
            .collect();
        for name in &named {
            push(
                out,
                RuleBody::ActionDeny {
                    action: Action::Branch,
                    target: Some(name.clone()),
                    environment: None,
                },
                severity,
                decision,
                roles.clone(),
            );
        }
        if !named.is_empty() {
            return;
        }
    }

    // Actions.
    // "never commit `.env` files", "the final commit must not include …": a commit with an
    // object protects the object, not every commit.
    let commit_at = scope.iter().position(|i| tag(tokens, *i) == "act_commit");
    let commit_object = commit_at.is_some_and(|k| {
        scope[k + 1..]
            .iter()
            .any(|i| matches!(tag(tokens, *i), "path" | "act_secret"))
    });
    let commit_include = (actions.contains(&Action::Commit)
        || actions.contains(&Action::PullRequest))
        && (verbs.contains(&"include") || commit_object);
    let mut handled_paths = false;
    // "Never read or modify secrets", "never read … a secret or `.env` value": the files that
    // hold secrets are not to be read.
    if actions.contains(&Action::Secret) && verbs.contains(&"read") {
        let paths = vocab::get()
            .noun_paths
            .get("secrets files")
            .cloned()
            .unwrap_or_default();
        push(
            out,
            RuleBody::ReadDeny {
                paths,
                except: exceptions_paths.clone(),
            },
            severity,
            decision,
            roles.clone(),
        );
    }
    if commit_include || (actions.contains(&Action::Commit) && actions.contains(&Action::Secret)) {
        let mut paths = collect_paths(tokens, &scope, cx, example_anywhere, out);
        if actions.contains(&Action::Secret) {
            paths.extend(
                vocab::get()
                    .noun_paths
                    .get("secrets files")
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        if !paths.is_empty() {
            push(
                out,
                RuleBody::PathDeny {
                    ops: vec![WriteOp::Add, WriteOp::Modify],
                    paths,
                    except: exceptions_paths.clone(),
                    only_mixed: false,
                    only_commit: true,
                },
                severity,
                decision,
                roles.clone(),
            );
            handled_paths = true;
        }
    } else {
        for a in dedup(actions.clone()) {
            let a = match a {
                Action::Push if has_word(tokens, &scope, "force") => Action::ForcePush,
                Action::Branch
                    if !verbs
                        .iter()
                        .any(|v| matches!(*v, "create" | "move" | "write" | "use"))
                        && !actions.contains(&Action::PullRequest)
                        && verbs.is_empty() =>
                {
                    Action::Branch
                }
                a => a,
            };
            if a == Action::Branch && actions.contains(&Action::PullRequest) {
                continue; // "pull requests against the `release` branch": the branch is the target.
            }
            // "commits directly on the `develop` branch": a branch after a preposition is where
            // the other action happens.
            if a == Action::Branch && actions.len() > 1 && branch_is_place(tokens, &scope) {
                continue;
            }
            if a == Action::Secret
                && !verbs.is_empty()
                && !verbs.iter().any(|v| matches!(*v, "read" | "use" | "run"))
            {
                continue; // "do not introduce long-lived tokens" is not reading secrets
            }
            let installs = scope.iter().any(|i| {
                tag(tokens, *i) == "act_dependency" && tokens[*i].value.starts_with("install")
            });
            if a == Action::Dependency && !verbs.contains(&"create") && !asking && !installs {
                // "never update all dependencies", "don't raise dependency floors": not an add.
                continue;
            }
            let mut targets = action_targets(tokens, &scope, a);
            // "Do not rebase shared branches": a kind of branch that only a target can say, for
            // an action that takes none, is not understood.
            let shared = names_shared_branches(tokens, &scope);
            if shared && targets.is_empty() {
                if out.reason.is_none() {
                    out.reason =
                        Some("it names a kind of branch the action does not target".into());
                }
                continue;
            }
            // "The `main` branch is protected; never push to it": the pronoun is the place the
            // clause before named; unnamed, the action is not understood.
            let pronoun_place = scope.windows(2).any(|w| {
                matches!(
                    tokens[w[0]].value.as_str(),
                    "to" | "into" | "on" | "onto" | "against"
                ) && tag(tokens, w[1]) == "this"
            });
            if targets.is_empty() && pronoun_place {
                targets = prev
                    .map(|p| {
                        p.main
                            .iter()
                            .filter(|i| {
                                tag(tokens, **i) == "code"
                                    || tag(tokens, **i) == "w"
                                        && matches!(
                                            tokens[**i].value.as_str(),
                                            "main" | "master" | "develop" | "trunk"
                                        )
                            })
                            .map(|i| tokens[*i].value.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                if targets.is_empty() {
                    continue;
                }
            }
            let environment = scope
                .iter()
                .find(|i| tag(tokens, **i) == "environment")
                .map(|i| tokens[*i].value.clone())
                .or_else(|| {
                    // "production secrets" is one phrase: keep its environment.
                    let name = format!("act_{}", a.name().replace('-', "_"));
                    scope
                        .iter()
                        .find(|i| tag(tokens, **i) == name)
                        .filter(|i| {
                            tokens[**i]
                                .value
                                .split(' ')
                                .any(|w| matches!(w, "production" | "prod" | "live"))
                        })
                        .map(|_| "production".to_string())
                });
            let targets: Vec<Option<String>> = if targets.is_empty() {
                vec![None]
            } else {
                targets.into_iter().map(Some).collect()
            };
            for target in targets {
                push(
                    out,
                    RuleBody::ActionDeny {
                        action: a,
                        target,
                        environment: environment.clone(),
                    },
                    severity,
                    decision,
                    roles.clone(),
                );
            }
        }
    }
    if !actions.is_empty() && !commit_include {
        return;
    }

    // Paths.
    if !handled_paths {
        let file_verb = verbs.iter().any(|v| {
            matches!(
                *v,
                "write" | "create" | "delete" | "move" | "preserve" | "bypass" | "include" | "read"
            )
        }) || has(tokens, &scope, "changes_to");
        let nouns = if !file_verb {
            Nouns::None
        } else if decision == Decision::Ask {
            Nouns::Gated
        } else {
            Nouns::Narrow
        };
        let first_path = scope.iter().position(|i| tag(tokens, *i) == "path");
        let near = first_path.is_some_and(|p| {
            verbs.is_empty()
                && (p == 0
                    || scope[..p]
                        .iter()
                        .all(|i| matches!(tag(tokens, *i), "colon" | "comma" | "agents")))
        });
        let paths = if file_verb || near || decision == Decision::Ask && first_path.is_some() {
            collect_paths_with(tokens, &scope, cx, example_anywhere, nouns, out)
        } else {
            Vec::new()
        };
        // "changes outside `src/`": every file but those.
        let outside = scope.windows(2).any(|w| {
            matches!(tokens[w[0]].value.as_str(), "outside" | "beyond")
                && tag(tokens, w[1]) == "path"
        });
        let (paths, exceptions_paths) = if outside && !paths.is_empty() {
            let mut except = exceptions_paths.clone();
            except.extend(paths);
            (vec![format!("{}**", cx.scope)], except)
        } else {
            (paths, exceptions_paths.clone())
        };
        if !paths.is_empty() {
            let read = verbs.contains(&"read");
            let writes = verbs.iter().any(|v| {
                matches!(
                    *v,
                    "write" | "create" | "delete" | "move" | "preserve" | "bypass" | "include"
                )
            });
            if read {
                push(
                    out,
                    RuleBody::ReadDeny {
                        paths: paths.clone(),
                        except: exceptions_paths.clone(),
                    },
                    severity,
                    decision,
                    roles.clone(),
                );
            }
            if writes || !read && !verbs.iter().any(|v| matches!(*v, "run" | "use")) {
                if manual && verbs.iter().any(|v| matches!(*v, "write")) {
                    let mut gens = collect_commands(tokens, main);
                    gens.extend(exception_cmds.iter().cloned());
                    push(
                        out,
                        RuleBody::Generated {
                            paths,
                            generators: gens,
                        },
                        severity,
                        decision,
                        roles.clone(),
                    );
                } else {
                    let mut ops: Vec<WriteOp> = Vec::new();
                    for v in &verbs {
                        match *v {
                            "create" => ops.push(WriteOp::Add),
                            "delete" => ops.push(WriteOp::Delete),
                            "move" => ops.push(WriteOp::Rename),
                            "preserve" => ops.extend([WriteOp::Delete, WriteOp::Rename]),
                            "include" => ops.extend([WriteOp::Add, WriteOp::Modify]),
                            _ => ops.extend(WriteOp::ALL),
                        }
                    }
                    if ops.is_empty() {
                        ops.extend(WriteOp::ALL);
                    }
                    // "Do not modify existing migrations": files that exist, so not new ones.
                    if has_word(tokens, &scope, "existing") && ops.len() > 1 {
                        ops.retain(|o| *o != WriteOp::Add);
                    }
                    ops.sort();
                    ops.dedup();
                    let only_mixed = has(tokens, main, "broader");
                    push(
                        out,
                        RuleBody::PathDeny {
                            ops,
                            paths,
                            except: exceptions_paths.clone(),
                            only_mixed,
                            only_commit: false,
                        },
                        severity,
                        decision,
                        roles.clone(),
                    );
                }
            }
            return;
        }
    }

    // Commands, flags, assignments, fragments: the object of run/use, or right after the modal.
    let run_verb = scope
        .iter()
        .position(|i| matches!(tag(tokens, *i), "run" | "use" | "pass" | "bypass"));
    let first_target = scope.iter().position(|i| {
        matches!(
            tag(tokens, *i),
            "cmd" | "prog" | "flag" | "envset" | "team" | "bg"
        )
    });
    // Only words that narrow nothing may stand between ("Don't do any of the following:").
    // (A label before the colon that introduces the targets does not stand between.)
    let adjacent = first_target.is_some_and(|t| {
        let from = label_colon(tokens, &scope[..t]).map_or(0, |c| c + 1);
        !scope[from..t].iter().any(|i| {
            matches!(
                tag(tokens, *i),
                "write" | "create" | "delete" | "move" | "read" | "include"
            ) || tag(tokens, *i) == "w" && super::frame::unknown(tokens, *i)
        })
    });
    // "Never kill processes such as `killall node`": the commands given as examples of what
    // is forbidden are forbidden, whatever the verb.
    let example_cmds =
        run_verb.is_none() && !adjacent && c.examples.iter().any(|i| tag(tokens, *i) == "cmd");
    if run_verb.is_none() && !adjacent && !example_cmds {
        return;
    }
    // "Never use unix-only commands like `rm -rf` in package.json scripts": commands written
    // inside a file are its content, not runs.
    let in_file = scope.windows(2).any(|w| {
        matches!(
            tokens[w[0]].value.as_str(),
            "in" | "inside" | "within" | "into"
        ) && matches!(tag(tokens, w[1]), "path" | "w")
            && {
                let v = tokens[w[1]].value.trim_end_matches('/');
                let last = v.rsplit('/').next().unwrap_or(v);
                !v.ends_with('/')
                    && last.rsplit_once('.').is_some_and(|(stem, ext)| {
                        !stem.is_empty() && vocab::get().prose_extensions.contains(ext)
                    })
                    && !is_script(v)
            }
    });
    if in_file {
        out.reason = Some(
            "it is about what a file contains (commands written in it), not what the plan runs"
                .into(),
        );
        return;
    }
    let mut pats = if example_cmds {
        collect_commands(tokens, &c.examples)
    } else {
        collect_commands(tokens, &scope)
    };
    if let Some(r) = run_verb {
        // The run verb's own object: "do not run tests", "never run the full test suite",
        // "do not run `setup.py`" (a script). Other nouns lend only their flags ("release
        // builds" → `--release`).
        let object = |k: usize| {
            k > r
                && scope[r + 1..k].iter().all(|j| {
                    matches!(tag(tokens, *j), "or" | "and" | "comma" | "noun" | "path")
                        || tag(tokens, *j) == "w"
                            && vocab::get().words.function.contains(&tokens[*j].value)
                })
        };
        for (k, i) in scope.iter().enumerate() {
            let which = if object(k) {
                NounCommands::All
            } else {
                NounCommands::Flags
            };
            pats.extend(noun_command_patterns(&tokens[*i], which));
            if object(k) && tag(tokens, *i) == "path" && is_script(&tokens[*i].value) {
                pats.push(program_pattern(&tokens[*i].value));
            }
        }
    }
    for i in &scope {
        match tag(tokens, *i) {
            "flag" | "envset" => pats.push(flag_pattern(&tokens[*i].value)),
            // `@latest`, `@next`, `@^2`: a version or dist-tag an argument names. `@Singleton`,
            // `@deprecated`, `@author` are annotations in code, not arguments.
            "team" if version_fragment(&tokens[*i].value) => {
                pats.push(flag_pattern(&tokens[*i].value))
            }
            "bg" => {
                push(
                    out,
                    RuleBody::ActionDeny {
                        action: Action::Background,
                        target: None,
                        environment: None,
                    },
                    severity,
                    decision,
                    roles.clone(),
                );
            }
            _ => {}
        }
    }
    // "Don't run tests in watch mode": the mode says which runs of the class, so its flag
    // belongs to the class's pattern, not beside it.
    let classes = pats.iter().filter(|p| p.program.starts_with('@')).count();
    let mode = scope.windows(2).any(|w| {
        matches!(tokens[w[0]].value.as_str(), "in" | "with" | "using")
            && tag(tokens, w[1]) == "noun"
    });
    if classes == 1 && mode {
        let flags: Vec<String> = pats
            .iter()
            .filter(|p| p.program.is_empty() && !p.flags.is_empty())
            .flat_map(|p| p.flags.clone())
            .collect();
        if !flags.is_empty() {
            pats.retain(|p| !p.program.is_empty());
            for p in pats.iter_mut().filter(|p| p.program.starts_with('@')) {
                p.flags.extend(flags.iter().cloned());
                p.text = format!("{} {}", p.text, flags.join(" "));
            }
        }
    }
    // "No `git push --force` to main/master": a push named as a command, towards named
    // branches, is that action towards them only.
    let pushes = !pats.is_empty()
        && pats.iter().all(|p| {
            p.program == "git"
                && matches!(p.words.first(), Some(crate::ir::PatWord::Lit(w)) if w == "push")
        });
    let toward = scope
        .iter()
        .any(|i| matches!(tokens[*i].value.as_str(), "to" | "into" | "on"));
    if pushes && toward {
        let force = pats.iter().all(|p| {
            p.flags.iter().any(|f| {
                matches!(
                    f.as_str(),
                    "-f" | "--force" | "--force-with-lease" | "--force-if-includes"
                )
            })
        });
        let action = if force {
            Action::ForcePush
        } else {
            Action::Push
        };
        let targets = action_targets(tokens, &scope, action);
        if !targets.is_empty() {
            for t in targets {
                push(
                    out,
                    RuleBody::ActionDeny {
                        action,
                        target: Some(t),
                        environment: None,
                    },
                    severity,
                    decision,
                    roles.clone(),
                );
            }
            return;
        }
    }
    // "when running `nu -c`, never use `echo`": only inside that command.
    if !pats.is_empty() {
        push(
            out,
            RuleBody::CommandDeny {
                commands: pats,
                except: exception_cmds,
            },
            severity,
            decision,
            roles,
        );
    }
}

/// Whether the modal governs the target at `scope[p]`: few words between them, and no lead-in
/// verb of its own before a colon ("must not claim: a task is complete unless code is committed").
pub(super) fn governed(tokens: &[Token], scope: &[usize], p: usize) -> bool {
    let before = &scope[..p];
    // Words that narrow nothing ("do", "the", "directly") do not stand between.
    let word = |i: &usize| tag(tokens, *i) == "w" && super::frame::unknown(tokens, *i);
    // "never force-push, amend published commits, or skip hooks": an action that opens an
    // item of a list after a comma is governed by the modal, whatever the items before hold.
    let joint = before
        .iter()
        .rev()
        .take_while(|i| matches!(tag(tokens, **i), "comma" | "and" | "or"))
        .collect::<Vec<_>>();
    let item_start = before.len() - joint.len();
    let prev_item = before[..item_start]
        .iter()
        .rposition(|i| matches!(tag(tokens, *i), "comma" | "and" | "or"))
        .map_or(0, |k| k + 1);
    // The item is a verb in the imperative ("skip hooks", not "commits" in a list of nouns),
    // after an item that starts with a verb (or words masked as not understood).
    let imperative = tokens[scope[p]]
        .value
        .split(' ')
        .next()
        .is_some_and(|w| !w.ends_with('s') || w.ends_with("ss"));
    let verbish = |i: &usize| {
        VERBS.contains(&tag(tokens, *i))
            || matches!(tag(tokens, *i), "w")
            || tag(tokens, *i).starts_with("act_")
    };
    let opens_item = joint.iter().any(|i| tag(tokens, **i) == "comma")
        && imperative
        && before[prev_item..item_start].first().is_some_and(verbish);
    let counted = if opens_item {
        &before[before.len() - joint.len()..]
    } else {
        before
    };
    // "Ask first: potentially destructive actions: `git reset --hard`": the words of a label
    // before the colon that introduces the target do not stand between.
    let counted: &[usize] = match label_colon(tokens, counted) {
        Some(c) => &counted[c + 1..],
        None => counted,
    };
    let words = counted.iter().filter(|i| word(i)).count();
    // "never disclose them in public issues": the pronoun is the object, not the issue.
    if words > 2 || before.iter().any(|i| tag(tokens, *i) == "this") {
        return false;
    }
    if let Some(c) = before.iter().rposition(|i| tag(tokens, *i) == "colon") {
        // "Ask first: potentially destructive actions: `git reset --hard`": a label before the
        // colon introduces the targets; a verb there would be a lead-in of its own.
        return !before[..c]
            .iter()
            .any(|i| VERBS.contains(&tag(tokens, *i)) || tag(tokens, *i).starts_with("act_"))
            || !before[..c].iter().any(word);
    }
    !before
        .iter()
        .any(|i| matches!(tag(tokens, *i), "stop" | "semi"))
}

fn exceptions_paths_early(
    tokens: &[Token],
    c: &Clause,
    cx: &Context,
    out: &mut Outcome,
) -> Vec<String> {
    collect_paths(tokens, &c.exceptions, cx, false, out)
}

/// The last colon in `before` that closes a label over the targets after it: the label holds no
/// verb of its own ("potentially destructive actions:"), or is a short one ("删除/迁移：",
/// "Delete/move:"); a verb there would be a lead-in of its own ("must not claim: …").
fn label_colon(tokens: &[Token], before: &[usize]) -> Option<usize> {
    let c = before.iter().rposition(|i| tag(tokens, *i) == "colon")?;
    let start = before[..c]
        .iter()
        .rposition(|i| matches!(tag(tokens, *i), "colon" | "deny" | "must" | "ask" | "avoid"))
        .map_or(0, |p| p + 1);
    let label = &before[start..c];
    let verbless = !label
        .iter()
        .any(|i| VERBS.contains(&tag(tokens, *i)) || tag(tokens, *i).starts_with("act_"));
    let short = label.len() <= 3
        && label
            .iter()
            .all(|i| !matches!(tag(tokens, *i), "this" | "agents"));
    (verbless || short || tokens[before[c]].value == "：").then_some(c)
}

pub(super) fn dedup<T: PartialEq + Clone>(v: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for x in v {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

pub(super) fn has_word(tokens: &[Token], list: &[usize], word: &str) -> bool {
    list.iter().any(|i| tokens[*i].value == word)
}

/// A path that names a script one runs (`setup.py`, `scripts/deploy.sh`).
fn is_script(path: &str) -> bool {
    const EXT: &[&str] = &[
        ".py", ".sh", ".js", ".mjs", ".ts", ".rb", ".pl", ".ps1", ".bash", ".zsh",
    ];
    !path.contains(['*', '?', '[', '<']) && EXT.iter().any(|e| path.ends_with(e))
}

/// Whether the `branch` word of a clause names a place: "on the `develop` or `master` branch".
fn branch_is_place(tokens: &[Token], scope: &[usize]) -> bool {
    let Some(at) = scope.iter().position(|i| tag(tokens, *i) == "act_branch") else {
        return false;
    };
    for i in scope[..at].iter().rev() {
        let t = &tokens[*i];
        match t.tag {
            "code" | "path" | "or" | "and" | "comma" => {}
            "w" if matches!(
                t.value.as_str(),
                "on" | "to" | "into" | "onto" | "against" | "from" | "in"
            ) =>
            {
                return true
            }
            "w" if matches!(
                t.value.as_str(),
                "the" | "a" | "any" | "main" | "master" | "trunk" | "develop" | "default"
            ) => {}
            _ => return false,
        }
    }
    false
}

/// The branches or bases an action is aimed at: "push to `origin/main`", "against the
/// `release` branch", "on the `develop` or `master` branch".
pub(super) fn action_targets(tokens: &[Token], scope: &[usize], a: Action) -> Vec<String> {
    if !matches!(
        a,
        Action::Push | Action::ForcePush | Action::Commit | Action::PullRequest | Action::Merge
    ) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    // "force-push shared branches": the branches others build on.
    if names_shared_branches(tokens, scope) {
        out.extend(["main", "master", "develop", "trunk"].map(String::from));
    }
    for (k, i) in scope.iter().enumerate() {
        let t = &tokens[*i];
        let named = t.tag == "code" || t.tag == "path" && !t.value.contains('.');
        let word = t.tag == "w"
            && matches!(t.value.as_str(), "main" | "master" | "trunk" | "develop")
            && (matches!(
                k.checked_sub(1).map(|p| tokens[scope[p]].value.as_str()),
                Some("to" | "into" | "on" | "against" | "directly" | "or" | "and" | "the")
            ) || k
                .checked_sub(1)
                .is_some_and(|p| tag(tokens, scope[p]).starts_with("act_")));
        // Further names count only in the same list: "`develop` or `master`".
        let listed =
            out.is_empty() || k > 0 && matches!(tag(tokens, scope[k - 1]), "or" | "and" | "comma");
        if (named || word) && listed && !out.contains(&t.value) {
            out.push(t.value.clone());
        }
    }
    out
}

/// "- `cargo build` (debug only; avoid `--release`)", "- `cargo test` — never with
/// `--release`": a command listed with an aside (or a following clause) that forbids a flag
/// forbids the command with that flag.
pub(super) fn command_flag_aside(
    tokens: &[Token],
    c: &Clause,
    prev: Option<&Clause>,
) -> Option<RuleBody> {
    let lone_cmd = |main: &[usize]| -> Option<usize> {
        let kept: Vec<usize> = main
            .iter()
            .copied()
            .filter(|i| !matches!(tag(tokens, *i), "dash" | "colon"))
            .collect();
        match kept.as_slice() {
            [k] if tag(tokens, *k) == "cmd" => Some(*k),
            _ => None,
        }
    };
    // The flags a list forbids: "avoid `--release`", "never with `--release`".
    let forbidden = |list: &[usize]| -> Vec<String> {
        let Some(at) = list
            .iter()
            .position(|i| matches!(tag(tokens, *i), "deny" | "avoid"))
        else {
            return vec![];
        };
        let rest: Vec<usize> = list[at + 1..]
            .iter()
            .copied()
            .filter(|i| !matches!(tag(tokens, *i), "rparen" | "stop"))
            .collect();
        let understood = rest.iter().all(|i| {
            matches!(tag(tokens, *i), "flag" | "comma" | "or" | "and")
                || matches!(
                    tokens[*i].value.as_str(),
                    "with" | "using" | "the" | "passing" | "use"
                )
        });
        if !understood {
            return vec![];
        }
        rest.iter()
            .filter(|i| tag(tokens, **i) == "flag")
            .map(|i| tokens[*i].value.clone())
            .collect()
    };
    let (cmd, flags) = if let Some(k) = lone_cmd(&c.main) {
        (k, forbidden(&c.aside))
    } else {
        let k = prev
            .filter(|p| p.aside.is_empty())
            .and_then(|p| lone_cmd(&p.main))?;
        if !c.aside.is_empty() || !c.conds.is_empty() {
            return None;
        }
        (k, forbidden(&c.main))
    };
    if flags.is_empty() {
        return None;
    }
    let commands: Vec<CommandPattern> = flags
        .iter()
        .flat_map(|f| command_patterns(&format!("{} {f}", tokens[cmd].value)))
        .collect();
    (!commands.is_empty()).then_some(RuleBody::CommandDeny {
        commands,
        except: vec![],
    })
}

/// `@latest`, `@next`, `@1.2`, `@^2`: an argument fragment naming a version or a dist-tag.
fn version_fragment(text: &str) -> bool {
    let rest = text.trim_start_matches('@');
    rest.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '^' | '~' | '*'))
        || matches!(
            rest,
            "latest"
                | "next"
                | "canary"
                | "beta"
                | "alpha"
                | "rc"
                | "nightly"
                | "experimental"
                | "dev"
                | "insiders"
                | "stable"
                | "edge"
                | "main"
                | "master"
                | "head"
                | "HEAD"
        )
}

/// "shared branches", "protected branches": the branches others build on, named as a kind.
fn names_shared_branches(tokens: &[Token], scope: &[usize]) -> bool {
    scope.iter().any(|i| {
        matches!(
            tokens[*i].value.as_str(),
            "shared branches"
                | "shared branch"
                | "protected branches"
                | "protected branch"
                | "public branches"
                | "long-lived branches"
        )
    })
}
