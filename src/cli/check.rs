//! `agentgate check`: a plan file, or a change set from git.

use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args};
use rayon::prelude::*;
use serde::Serialize;

use super::{exit, read_plan, resolve_root, style, Format};
use crate::changeset::{Check, CheckStatus, Plan};
use crate::engine::Verdict;
use crate::git::{self, Source};
use crate::ir::{Decision, Policy, RuleBody};
use crate::report::{array_item, write_array_between};
use crate::source::SourceFile;
use crate::{report, Error};

/// Longest a `--run-checks` command may run.
const CHECK_TIMEOUT_S: u64 = 600;

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("input").required(true).args(["plan", "staged", "worktree", "range", "each_commit"])))]
pub struct CheckArgs {
    /// Repository root (default: the git top level, else the current folder).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Plan file (`.json`, `.yaml`, `.yml`), a folder of them, or `-` for standard input (one
    /// plan, or one JSON plan per line). Repeat it to check many plans in parallel.
    #[arg(long, value_name = "FILE|DIR|-")]
    plan: Vec<String>,
    /// The staged change (`git diff --cached`), as a commit, judged by the committed policy (HEAD).
    #[arg(long)]
    staged: bool,
    /// Uncommitted changes and untracked files, judged by the work tree's policy.
    #[arg(long)]
    worktree: bool,
    /// The changes of `BASE..HEAD` as one commit, judged by the policy at BASE.
    #[arg(long, value_name = "BASE..HEAD")]
    range: Option<String>,
    /// Each commit of `BASE..HEAD` as its own change set (checked in parallel), judged by the
    /// policy at BASE.
    #[arg(long, value_name = "BASE..HEAD")]
    each_commit: Option<String>,
    /// Run the commands that required checks name and the plan lacks (each at most 600 s, in the
    /// repository root) and count their passing as evidence.
    #[arg(long)]
    run_checks: bool,
    /// How the built-in rule kinds are evaluated: `native` matchers (default) or the Rego
    /// library in `rules/` through regorus. Custom Rego policies always run.
    #[arg(long, value_enum, default_value_t = Engine::Native)]
    engine: Engine,
    /// Output format: `human` (miette diagnostics), `json` (only the verdict on stdout, for
    /// agents), `sarif` (SARIF 2.1.0 for code scanning), `github` (workflow annotations).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// SARIF `automationDetails.id` category (the run id, the policy digest, is appended).
    #[arg(long, value_name = "CATEGORY", default_value = "agentgate/check")]
    sarif_category: String,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    Native,
    Rego,
}

impl From<Engine> for crate::engine::EngineKind {
    fn from(e: Engine) -> Self {
        match e {
            Engine::Native => crate::engine::EngineKind::Native,
            Engine::Rego => crate::engine::EngineKind::Rego,
        }
    }
}

/// The policy a git change set is judged by, and how to name it.
fn policy_at(
    root: &Path,
    rev: Option<&str>,
) -> Result<(Policy, Vec<SourceFile>, Option<String>), Error> {
    match rev {
        Some(rev) => {
            let sources = git::sources_at(root, rev)?;
            let policy = crate::compile::compile(&sources).map_err(Error::Compile)?;
            Ok((
                policy,
                sources,
                Some(format!("{rev} ({})", git::short(root, rev))),
            ))
        }
        None => {
            let loaded = crate::load(root)?;
            Ok((loaded.policy, loaded.sources, None))
        }
    }
}

pub fn run(args: CheckArgs) -> Result<u8, Error> {
    let root = resolve_root(args.root.clone())?;
    if let Some(range) = &args.each_commit {
        return each_commit(&root, range, &args);
    }
    let batch = gather_plans(&args.plan)?;
    if batch.len() > 1 || args.plan.iter().any(|p| Path::new(p).is_dir()) {
        return check_many(&root, batch, &args);
    }
    let (policy, sources, policy_source, mut plan, name, text) =
        if let Some((name, text)) = batch.into_iter().next() {
            let loaded = crate::load(&root)?;
            let plan = crate::changeset::parse_plan(&text, &name, &root)?;
            (loaded.policy, loaded.sources, None, plan, name, text)
        } else if args.staged {
            let rev = git::has_head(&root).then_some("HEAD");
            let (policy, sources, src) = policy_at(&root, rev)?;
            let plan = git::change_set(&root, &Source::Staged)?;
            (
                policy,
                sources,
                src.or(Some("the work tree (no commit yet)".into())),
                plan,
                "staged change".to_string(),
                String::new(),
            )
        } else if args.worktree {
            let (policy, sources, _) = policy_at(&root, None)?;
            let plan = git::change_set(&root, &Source::Worktree)?;
            (
                policy,
                sources,
                None,
                plan,
                "work tree".to_string(),
                String::new(),
            )
        } else {
            let range = args.range.clone().unwrap_or_default();
            let (base, _) = git::split_range(&range)?;
            let (policy, sources, src) = policy_at(&root, Some(&base))?;
            let plan = git::change_set(&root, &Source::Range(range.clone()))?;
            (
                policy,
                sources,
                src.map(|s| format!("base {s} of {range}")),
                plan,
                range,
                String::new(),
            )
        };
    let mut verdict = crate::engine::evaluate_with(&policy, &plan, &root, args.engine.into())?;
    if args.run_checks && verdict.decision != Decision::Allow {
        run_missing_checks(&root, &policy, &mut plan, &verdict);
        verdict = crate::engine::evaluate_with(&policy, &plan, &root, args.engine.into())?;
    }
    verdict.policy_source = policy_source;
    let cx = report::Context {
        policy: &policy,
        sources: &sources,
        plan_name: &name,
        plan_text: &text,
    };
    print!(
        "{}",
        render(&verdict, &cx, args.format, &args.sarif_category)
    );
    Ok(code(verdict.decision))
}

fn code(d: Decision) -> u8 {
    if d == Decision::Allow {
        exit::ALLOW
    } else {
        exit::DENY_OR_ASK
    }
}

fn render(verdict: &Verdict, cx: &report::Context, format: Format, category: &str) -> String {
    let mut out = match format {
        Format::Json => report::json(verdict),
        Format::Human => report::human(verdict, cx, style()),
        Format::Sarif => report::sarif(verdict, cx, category),
        Format::Github => report::github(verdict, cx),
    };
    if format == Format::Human {
        if let Some(src) = &verdict.policy_source {
            out.push_str(&format!("judged by the policy at {src}\n"));
        }
    }
    out
}

/// Run the commands of failed required checks that can be run as written, and record them
/// as evidence.
fn run_missing_checks(root: &Path, policy: &Policy, plan: &mut Plan, verdict: &Verdict) {
    let mut to_run: Vec<String> = Vec::new();
    for f in verdict
        .findings
        .iter()
        .filter(|f| f.kind == "required-check")
    {
        let Some(rule) = policy.rules.iter().find(|r| r.id == f.rule) else {
            continue;
        };
        if let RuleBody::RequiredCheck { commands, .. } = &rule.body {
            for c in commands {
                let runnable = !c.program.is_empty()
                    && !c.program.starts_with('@')
                    && !c.words.contains(&crate::ir::PatWord::Any);
                if runnable && !to_run.contains(&c.text) {
                    to_run.push(c.text.clone());
                }
            }
        }
    }
    for cmd in to_run {
        eprintln!("agentgate: running `{cmd}`");
        let status = std::process::Command::new("timeout")
            .arg(CHECK_TIMEOUT_S.to_string())
            .args(["sh", "-c", &cmd])
            .current_dir(root)
            .stdout(std::process::Stdio::null())
            .status();
        let passed = status.map(|s| s.success()).unwrap_or(false);
        eprintln!(
            "agentgate: `{cmd}` {}",
            if passed { "passed" } else { "failed" }
        );
        plan.evidence.checks.push(Check {
            command: cmd,
            status: if passed {
                CheckStatus::Passed
            } else {
                CheckStatus::Failed
            },
        });
    }
}

#[derive(Serialize)]
struct CommitVerdict {
    commit: String,
    verdict: Verdict,
}

/// Each commit of a range on its own, in parallel, in commit order.
fn each_commit(root: &Path, range: &str, args: &CheckArgs) -> Result<u8, Error> {
    let (base, _) = git::split_range(range)?;
    let (policy, sources, src) = policy_at(root, Some(&base))?;
    let commits = git::commits(root, range)?;
    let results: Vec<Result<CommitVerdict, Error>> = commits
        .par_iter()
        .map(|c| {
            let plan = git::commit_change_set(root, c)?;
            let mut verdict =
                crate::engine::evaluate_with(&policy, &plan, root, args.engine.into())?;
            verdict.policy_source = src.as_ref().map(|s| format!("base {s} of {range}"));
            Ok(CommitVerdict {
                commit: git::short(root, c),
                verdict,
            })
        })
        .collect();
    let results: Vec<CommitVerdict> = results.into_iter().collect::<Result<_, _>>()?;
    let decision = results
        .iter()
        .map(|r| r.verdict.decision)
        .max()
        .unwrap_or(Decision::Allow);
    match args.format {
        Format::Json => {
            let doc = serde_json::json!({
                "schema_version": report::SCHEMA_VERSION,
                "decision": decision,
                "policy_source": src.as_ref().map(|s| format!("base {s} of {range}")),
                "commits": results,
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Sarif => {
            // One log, one run per commit.
            let logs: Vec<String> = results
                .iter()
                .map(|r| {
                    let name = format!("commit {}", r.commit);
                    let cx = report::Context {
                        policy: &policy,
                        sources: &sources,
                        plan_name: &name,
                        plan_text: "",
                    };
                    let category =
                        format!("{}/{}", args.sarif_category.trim_end_matches('/'), r.commit);
                    report::sarif(&r.verdict, &cx, &category)
                })
                .collect();
            print!("{}", report::merge_runs(&logs));
        }
        format => {
            for r in &results {
                let name = format!("commit {}", r.commit);
                let cx = report::Context {
                    policy: &policy,
                    sources: &sources,
                    plan_name: &name,
                    plan_text: "",
                };
                if format == Format::Human {
                    println!("── commit {} ──", r.commit);
                }
                print!(
                    "{}",
                    render(
                        &r.verdict,
                        &cx,
                        format,
                        &format!("{}/{}", args.sarif_category.trim_end_matches('/'), r.commit)
                    )
                );
            }
            if format == Format::Human {
                println!(
                    "agentgate: {} over {} commits of {range}",
                    decision.as_str(),
                    results.len()
                );
            }
        }
    }
    Ok(code(decision))
}

/// Every plan named by `--plan`: files, the plan files of folders (sorted), standard input (one
/// plan, or JSON lines).
fn gather_plans(args: &[String]) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    for a in args {
        let path = Path::new(a);
        if a != "-" && path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| Error::PlanRead {
                    name: a.clone(),
                    message: e.to_string(),
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .is_some_and(|x| x == "json" || x == "yaml" || x == "yml")
                })
                .collect();
            files.sort();
            for f in files {
                let (text, name) = read_plan(&f.display().to_string())?;
                out.push((name, text));
            }
            continue;
        }
        let (text, name) = read_plan(a)?;
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if a == "-"
            && lines.len() > 1
            && lines.iter().all(|l| l.starts_with('{') && l.ends_with('}'))
        {
            for (i, l) in lines.iter().enumerate() {
                out.push((format!("-:{}", i + 1), (*l).to_string()));
            }
        } else {
            out.push((name, text));
        }
    }
    Ok(out)
}

#[derive(Serialize)]
struct PlanVerdict<'a> {
    plan: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<&'a Verdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Indent of the batch document's `plans` member.
const PLANS_INDENT: &str = "  ";

/// One plan of a JSON batch, as an item of the document's `plans` array.
fn plan_item(name: &str, r: &Result<Verdict, Error>) -> String {
    let pv = match r {
        Ok(v) => PlanVerdict {
            plan: name,
            verdict: Some(v),
            error: None,
        },
        Err(e) => PlanVerdict {
            plan: name,
            verdict: None,
            error: Some(e.to_string()),
        },
    };
    // Through a `Value`, whose keys are sorted, as in the whole document.
    serde_json::to_value(&pv)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .map(|item| array_item(&item, PLANS_INDENT))
        .unwrap_or_default()
}

/// Many plans against one policy, in parallel; output in the order the plans were given, so it
/// is the same bytes whatever the thread count.
fn check_many(root: &Path, plans: Vec<(String, String)>, args: &CheckArgs) -> Result<u8, Error> {
    let loaded = crate::load(root)?;
    // One prepared Rego engine, cloned for each worker.
    let prepared = match args.engine {
        Engine::Rego => Some(crate::engine::rego::prepare(&loaded.policy.rules)?),
        Engine::Native => None,
    };
    // The native engine's globs, compiled once for every plan.
    let index = crate::engine::PolicyIndex::new(&loaded.policy);
    let check = |engine: &mut Option<crate::engine::rego::Prepared>, name: &str, text: &str| {
        let plan = crate::changeset::parse_plan(text, name, root)?;
        Ok(match engine.as_mut() {
            Some(e) => crate::engine::evaluate_prepared(&loaded.policy, &plan, root, Some(e))?,
            None => crate::engine::evaluate_indexed(&loaded.policy, &index, &plan, root)?,
        })
    };
    if args.format == Format::Json {
        // Each plan is checked and rendered on a worker, which then frees it: the document is
        // spliced from the rendered items, so nothing per plan is left for one thread to do.
        let items: Vec<(String, Option<Decision>)> = plans
            .into_par_iter()
            .map_init(
                || prepared.clone(),
                |engine, (name, text)| {
                    let v: Result<Verdict, Error> = check(engine, &name, &text);
                    (plan_item(&name, &v), v.ok().map(|v| v.decision))
                },
            )
            .collect();
        let errors = items.iter().filter(|i| i.1.is_none()).count();
        let decision = items
            .iter()
            .filter_map(|i| i.1)
            .max()
            .unwrap_or(Decision::Allow);
        const SLOT: &str = "\u{1}agentgate-plans\u{1}";
        let doc = serde_json::json!({"schema_version": report::SCHEMA_VERSION, "decision": decision, "errors": errors, "plans": SLOT});
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        let slot = serde_json::to_string(SLOT).unwrap_or_default();
        let items: Vec<String> = items.into_iter().map(|i| i.0).collect();
        let (head, tail) = text.split_once(&slot).unwrap_or((&text, ""));
        let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        // A closed pipe or a full disk: the exit code still carries the decision.
        let _ = write_array_between(out, head, &items, PLANS_INDENT, tail);
        return Ok(if errors > 0 {
            exit::ERROR
        } else {
            code(decision)
        });
    }
    let results: Vec<(String, String, Result<Verdict, Error>)> = plans
        .into_par_iter()
        .map_init(
            || prepared.clone(),
            |engine, (name, text)| {
                let v = check(engine, &name, &text);
                (name, text, v)
            },
        )
        .collect();
    let errors = results.iter().filter(|r| r.2.is_err()).count();
    let decision = results
        .iter()
        .filter_map(|r| r.2.as_ref().ok())
        .map(|v| v.decision)
        .max()
        .unwrap_or(Decision::Allow);
    match args.format {
        Format::Sarif => {
            let logs: Vec<String> = results
                .iter()
                .filter_map(|(name, text, r)| {
                    let v = r.as_ref().ok()?;
                    let cx = report::Context {
                        policy: &loaded.policy,
                        sources: &loaded.sources,
                        plan_name: name,
                        plan_text: text,
                    };
                    Some(report::sarif(v, &cx, &args.sarif_category))
                })
                .collect();
            print!("{}", report::merge_runs(&logs));
        }
        format => {
            for (name, text, r) in &results {
                match r {
                    Ok(v) => {
                        let cx = report::Context {
                            policy: &loaded.policy,
                            sources: &loaded.sources,
                            plan_name: name,
                            plan_text: text,
                        };
                        print!("{}", render(v, &cx, format, &args.sarif_category));
                    }
                    Err(e) => eprintln!("agentgate: {name}: {e}"),
                }
            }
            if format == Format::Human {
                println!(
                    "agentgate: {} over {} plans ({errors} could not be checked)",
                    decision.as_str(),
                    results.len()
                );
            }
        }
    }
    Ok(if errors > 0 {
        exit::ERROR
    } else {
        code(decision)
    })
}
