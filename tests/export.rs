//! `agentgate export`: each projection of the example policy is snapshotted, parses back, and
//! says what it could not project. Codex `match`/`not_match` examples are checked against their
//! own pattern with Codex's prefix semantics; Gemini `argsPattern`s are compiled and tried.

mod common;

use assert_cmd::Command;
use serde_json::Value;

fn example() -> std::path::PathBuf {
    common::root().join("examples/neuronx")
}

/// (stdout, stderr) of an export of the example repository.
fn export(to: &str) -> (String, String) {
    let out = Command::cargo_bin("agentgate")
        .unwrap()
        .args(["export", "--to", to, "--root"])
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn redact(s: &str) -> String {
    let re = regex::Regex::new("sha256:[0-9a-f]{64}").unwrap();
    re.replace_all(s, "sha256:[digest]").to_string()
}

#[test]
fn claude_settings_parse_and_hold_the_rules() {
    let (out, err) = export("claude");
    insta::assert_snapshot!("claude", redact(&out));
    let v: Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["$schema", "permissions"],
        "Claude Code rejects unknown keys"
    );
    let list = |k: &str| -> Vec<String> {
        v["permissions"][k]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_string())
            .collect()
    };
    let deny = list("deny");
    let ask = list("ask");
    for want in [
        "Edit(/docs/SSOT/**)",
        "Edit(/infra/**)",
        "Read(/**/.env)",
        "Bash(git push --force:*)",
        "Bash(git push -f:*)",
        "Bash(terraform apply:*)",
        "Bash(kubectl apply:*)",
        "Edit(/schema/api.json)",
    ] {
        assert!(
            deny.contains(&want.to_string()),
            "deny lacks {want}: {deny:?}"
        );
    }
    // A review requirement and an exception become asks.
    assert!(
        ask.contains(&"Edit(/src/billing/**)".to_string()),
        "{ask:?}"
    );
    assert!(
        ask.contains(&"Edit(/.github/workflows/**)".to_string()),
        "{ask:?}"
    );
    assert!(!deny.contains(&"Edit(/.github/workflows/**)".to_string()));
    // Every entry is Tool(spec) with a known tool.
    for e in deny.iter().chain(&ask) {
        let ok = ["Edit(", "Read(", "Bash("].iter().any(|t| e.starts_with(t)) && e.ends_with(')');
        assert!(ok, "{e}");
    }
    // What is not projected is said, not dropped.
    assert!(err.contains("could not be projected"), "{err}");
    assert!(err.contains("required-check"), "{err}");
    assert!(err.contains("bound"), "{err}");
    // Role-bound rules are not projected onto every agent.
    assert!(
        !deny.iter().any(|e| e.contains("cargo publish")),
        "{deny:?}"
    );
    assert!(!deny.contains(&"Edit(/src/**)".to_string()), "{deny:?}");
}

/// One `prefix_rule` of the Codex file: its JSON-literal fields.
#[derive(Debug)]
struct PrefixRule {
    pattern: Vec<Vec<String>>,
    decision: String,
    matches: Vec<Vec<String>>,
    not_match: Vec<Vec<String>>,
}

fn field(block: &str, name: &str) -> Value {
    let line = block
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{name} = ")))
        .unwrap_or_else(|| panic!("no {name} in {block}"));
    let v = line.trim_start()[name.len() + 3..].trim_end_matches(',');
    serde_json::from_str(v).unwrap_or_else(|e| panic!("{name}: {e}: {v}"))
}

fn parse_codex(text: &str) -> Vec<PrefixRule> {
    text.split("prefix_rule(\n")
        .skip(1)
        .map(|block| {
            let block = &block[..block.find("\n)\n").expect("closing paren")];
            let pattern = field(block, "pattern")
                .as_array()
                .unwrap()
                .iter()
                .map(|t| match t {
                    Value::String(s) => vec![s.clone()],
                    Value::Array(a) => a.iter().map(|s| s.as_str().unwrap().to_string()).collect(),
                    other => panic!("pattern token {other}"),
                })
                .collect();
            let ex = |name: &str| -> Vec<Vec<String>> {
                field(block, name)
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| {
                        e.as_array()
                            .unwrap()
                            .iter()
                            .map(|s| s.as_str().unwrap().to_string())
                            .collect()
                    })
                    .collect()
            };
            PrefixRule {
                pattern,
                decision: field(block, "decision").as_str().unwrap().to_string(),
                matches: ex("match"),
                not_match: ex("not_match"),
            }
        })
        .collect()
}

/// Codex's prefix semantics: each pattern position matches the argument at that position.
fn prefix_matches(pattern: &[Vec<String>], argv: &[String]) -> bool {
    argv.len() >= pattern.len() && pattern.iter().zip(argv).all(|(alts, a)| alts.contains(a))
}

#[test]
fn codex_rules_parse_and_their_examples_hold() {
    let (out, err) = export("codex");
    insta::assert_snapshot!("codex", redact(&out));
    let rules = parse_codex(&out);
    assert!(rules.len() >= 5, "{rules:#?}");
    for r in &rules {
        assert!(
            ["forbidden", "prompt"].contains(&r.decision.as_str()),
            "{r:?}"
        );
        assert!(!r.matches.is_empty(), "{r:?}");
        for m in &r.matches {
            assert!(
                prefix_matches(&r.pattern, m),
                "match {m:?} fails its pattern {r:?}"
            );
        }
        for m in &r.not_match {
            assert!(
                !prefix_matches(&r.pattern, m),
                "not_match {m:?} matches {r:?}"
            );
        }
    }
    let force = rules
        .iter()
        .find(|r| {
            r.pattern.len() == 3
                && r.pattern[1] == ["push"]
                && r.pattern[2].contains(&"--force".to_string())
        })
        .expect("a force-push rule");
    assert_eq!(force.decision, "forbidden");
    // Files are not Codex execpolicy's business: listed, with obligations, as not projected.
    assert!(out.contains("# Not projected"), "{out}");
    assert!(
        out.contains("Codex execpolicy governs commands only"),
        "{out}"
    );
    assert!(out.contains("required-check"));
    assert!(err.contains("could not be projected"));
}

#[test]
fn gemini_policy_parses_and_its_patterns_match_the_paths() {
    let (out, _) = export("gemini");
    insta::assert_snapshot!("gemini", redact(&out));
    let doc: toml::Table = toml::from_str(&out).unwrap();
    let rules = doc["rule"].as_array().unwrap();
    assert!(rules.len() >= 10);
    let mut ssot = None;
    for r in rules {
        let r = r.as_table().unwrap();
        assert!(r.contains_key("toolName"), "{r:?}");
        let d = r["decision"].as_str().unwrap();
        assert!(["deny", "ask_user"].contains(&d), "{r:?}");
        assert!(r["priority"].as_integer().unwrap() > 0);
        if let Some(p) = r.get("argsPattern") {
            let re = regex::Regex::new(p.as_str().unwrap()).unwrap();
            if re.is_match(r#"{"content":"x","file_path":"/work/repo/docs/SSOT/index.md"}"#) {
                ssot = Some(re);
            }
        }
        if let Some(p) = r.get("commandPrefix") {
            assert!(p.is_str() || p.is_array(), "{r:?}");
        }
    }
    let ssot = ssot.expect("a rule denying edits of docs/SSOT/**");
    assert!(!ssot.is_match(r#"{"file_path":"/work/repo/src/lib.rs"}"#));
    assert!(out.contains("# Not projected"), "{out}");
    assert!(out.contains(
        "commandPrefix = [\"git push -f\", \"git push --force\", \"git push --force-with-lease\"]"
    ));
}

#[test]
fn an_unknown_target_is_a_usage_error() {
    Command::cargo_bin("agentgate")
        .unwrap()
        .args(["export", "--to", "cursor"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("claude"));
}
