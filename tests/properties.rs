//! Properties: a respelled plan decides exactly as the original; derived rule ids stay the same
//! when unrelated text changes; the digest changes exactly when the rules do.

mod common;

use proptest::prelude::*;

fn policy(text: &str) -> agentgate::ir::Policy {
    agentgate::compile::compile(&[agentgate::source::from_text("AGENTS.md", text)]).unwrap()
}

const POLICY: &str =
    "- Agents MUST NOT modify `docs/SSOT/**`.\n- Never force push.\n- Never read `.env`.\n";

fn decide(root: &std::path::Path, p: &agentgate::ir::Policy, plan: &str) -> String {
    match agentgate::check_plan(root, p, plan, "plan.json") {
        Ok(v) => v.decision.as_str().to_string(),
        Err(_) => "error".into(),
    }
}

/// Ways to write the same repository path.
fn respell(path: &str, how: u8, root: &str) -> String {
    match how % 6 {
        0 => format!("./{path}"),
        1 => path.replace('/', "//"),
        2 => path.replace('/', "\\\\"),
        3 => format!("{root}/{path}"),
        4 => {
            let (head, tail) = path.split_once('/').unwrap_or(("", path));
            format!("{head}/x/../{tail}")
        }
        _ => path.to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn respelled_paths_decide_as_the_original(name in "[a-z]{1,8}", how in 0u8..6, protected in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let p = policy(POLICY);
        let path = if protected { format!("docs/SSOT/{name}.md") } else { format!("docs/other/{name}.md") };
        let original = format!(r#"{{"changes": [{{"path": "{path}", "op": "modify"}}]}}"#);
        let spelled = format!(r#"{{"changes": [{{"path": "{}", "op": "modify"}}]}}"#, respell(&path, how, &root.display().to_string()));
        prop_assert_eq!(decide(&root, &p, &original), decide(&root, &p, &spelled));
        prop_assert_eq!(decide(&root, &p, &original), if protected { "deny" } else { "allow" });
    }

    #[test]
    fn respelled_force_pushes_are_denied(
        prefix in prop::sample::select(vec!["", "sudo ", "env FOO=1 ", "timeout 60 ", "nice -n 5 ", "command ", "FOO=1 "]),
        program in prop::sample::select(vec!["git", "'git'", "g\"i\"t", "/usr/bin/git"]),
        global in prop::sample::select(vec!["", "-C . ", "-c core.x=1 "]),
        flag in prop::sample::select(vec!["-f", "--force", "--force-with-lease", "-fu"]),
        shell in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let p = policy(POLICY);
        let cmd = format!("{prefix}{program} {global}push {flag} origin main");
        let cmd = if shell { format!("bash -c '{}'", cmd.replace('\'', "'\\''")) } else { cmd };
        let plan = serde_json::json!({"commands": [{"run": cmd}]}).to_string();
        prop_assert_eq!(decide(&root, &p, &plan), "deny", "{}", cmd);
    }
}

#[test]
fn near_misses_stay_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let p = policy(POLICY);
    for cmd in [
        "git push origin main",
        "git commit -m \"force push docs\"",
        "echo docs/SSOT/x.md",
        "echo .env",
        "cat README.md",
    ] {
        let plan = serde_json::json!({"commands": [{"run": cmd}]}).to_string();
        assert_eq!(decide(&root, &p, &plan), "allow", "{cmd}");
    }
    for cmd in [
        "cat .env",
        "grep KEY .env",
        "echo x > docs/SSOT/a.md",
        "rm -rf docs",
        "mv docs/SSOT/a.md /tmp/",
    ] {
        let plan = serde_json::json!({"commands": [{"run": cmd}]}).to_string();
        assert_eq!(decide(&root, &p, &plan), "deny", "{cmd}");
    }
}

#[test]
fn derived_ids_survive_unrelated_edits() {
    let a = policy(POLICY);
    let b = policy(&format!("# Rules\n\nSome new introduction that says nothing normative.\n\n{POLICY}\n## More\n\nText.\n"));
    let ids = |p: &agentgate::ir::Policy| p.rules.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert_ne!(
        a.digest, b.digest,
        "origins (lines) moved, so the digest changes"
    );
    let c = policy(&POLICY.replace("force push", "force-push"));
    assert_ne!(ids(&a)[2], ids(&c)[2], "an edited statement gets a new id");
}

#[test]
fn explicit_ids_are_kept_and_digest_tracks_rules() {
    let a = policy("- **SEC-7**: Never read `.env`.\n");
    assert_eq!(a.rules[1].id, "SEC-7");
    let b = policy("- **SEC-7**: Never read `.env`.\n");
    assert_eq!(a.digest, b.digest);
    let c = policy("- **SEC-7**: Never read `.env.local`.\n");
    assert_ne!(a.digest, c.digest);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text compiles or fails with an error; it never panics.
    #[test]
    fn any_markdown_compiles_without_panic(text in "(?s).{0,400}") {
        let _ = agentgate::compile::compile(&[agentgate::source::from_text("AGENTS.md", &text)]);
    }

    /// Markdown built from policy-ish pieces never panics either.
    #[test]
    fn policy_like_markdown_compiles_without_panic(parts in prop::collection::vec(prop::sample::select(vec![
        "- ", "1. ", "## ", "| a | b |\n| --- | --- |\n", "```agentgate\n", "```\n", "```sh\n", "Never ", "must not ",
        "do not ", "Run ", "before committing", "when you change ", "`src/**`", "`cargo test`", "`--force`",
        "unless asked", "except ", "(e.g. ", ")", ", ", ". ", ":\n", "\n", "\n\n", "**", "*", "[x](./y.md)",
        "more than 3 files", "high risk", "review by `@team`", "提交前", "必须", "禁止", "`[`",
    ]), 0..40)) {
        let text: String = parts.concat();
        let _ = agentgate::compile::compile(&[agentgate::source::from_text("AGENTS.md", &text)]);
    }
}
